# Báo cáo NQ28: the user's interface. `make help` lists the commands.
# Every command takes YEAR= INPUT= CONFIG= OUTPUT= (see README.md).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
YEAR   ?=
INPUT  ?= input
CONFIG ?= config
OUTPUT ?= output
ALLOW_INVALID ?=
SEND   ?=
RESEND ?=
STATE  ?= .so-gui
JOBS   ?=
PYTEST_ARGS ?=

RUN_ARGS = $(if $(YEAR),--year $(YEAR)) --input "$(INPUT)" --config "$(CONFIG)" --output "$(OUTPUT)" $(if $(JOBS),--jobs $(JOBS))
STAMP := $(VENV)/.installed

# System packages: fonts (Times New Roman metrics with Vietnamese glyphs) and
# HarfBuzz-Subset (without it WeasyPrint falls back to a slow subsetter).
# Tests also need pdftotext/pdffonts, a real browser for the status page and
# LibreOffice Writer to open the DOCX documents.
RUN_PACKAGES  := fonts-liberation2 libharfbuzz-subset0
TEST_PACKAGES := poppler-utils chromium libreoffice-writer-nogui

.PHONY: help report validate forms distribute test fuzz bench sample docx-templates system-deps test-system-deps clean

help: ## Liệt kê các lệnh
	@echo "Báo cáo NQ28: các lệnh (thêm YEAR=, INPUT=, CONFIG=, OUTPUT= nếu cần)"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

report: $(STAMP) system-deps ## Kiểm tra, tổng hợp và lập văn bản (ALLOW_INVALID=1 để bỏ qua đơn vị lỗi)
	$(PY) -m pipeline report $(RUN_ARGS) $(if $(filter 1 yes true,$(ALLOW_INVALID)),--allow-invalid)

validate: $(STAMP) ## Chỉ kiểm tra biểu mẫu; mã thoát khác 0 nếu có lỗi
	$(PY) -m pipeline validate $(RUN_ARGS)

forms: $(STAMP) ## Tạo biểu mẫu trống cho từng đơn vị vào OUTPUT/YEAR/bieu-mau/
	$(PY) -m pipeline forms $(RUN_ARGS)

distribute: $(STAMP) system-deps ## Chuẩn bị bộ văn bản gửi từng nơi nhận và sổ gửi văn bản (SEND=1 để gửi thư điện tử; RESEND=<nơi nhận> gửi lại thư chưa rõ)
	$(PY) -m pipeline distribute $(RUN_ARGS) --state "$(STATE)" $(if $(filter 1 yes true,$(ALLOW_INVALID)),--allow-invalid) $(if $(filter 1 yes true,$(SEND)),--send) $(if $(RESEND),--resend "$(RESEND)")

test: $(STAMP) system-deps test-system-deps ## Chạy bộ kiểm thử
	$(PY) -m pytest $(PYTEST_ARGS)

fuzz: $(STAMP) ## Kiểm thử ngẫu nhiên dài: hàng nghìn biểu mẫu hỏng, giá trị lạ cho mỗi phép thử
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest tests/test_fuzz.py $(PYTEST_ARGS)

bench: $(STAMP) system-deps ## Đo tốc độ (bảng trong OUTPUT/bench/)
	$(PY) -m tests.bench.run --output "$(OUTPUT)"

sample: $(STAMP) ## Tạo lại bộ biểu mẫu mẫu trong input/2016 từ config/
	$(PY) -m tests.sample.build_sample --config "$(CONFIG)" --output "$(INPUT)/2016"

docx-templates: $(STAMP) ## Tạo lại các mẫu Word trong templates/docx/
	$(PY) -m templates.docx.build_templates

clean: ## Xóa thư mục kết quả và môi trường Python (giữ sổ theo dõi thư đã gửi trong STATE, mặc định .so-gui/)
	rm -rf "$(OUTPUT)" $(VENV) .pytest_cache .hypothesis

$(STAMP): pyproject.toml requirements.lock
	@test -n "$(PYTHON)" || { echo "Cần Python 3.11 (python3.11 hoặc python3)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	@touch $@

system-deps:
	@./.ci/system-packages $(RUN_PACKAGES)

test-system-deps:
	@./.ci/system-packages $(TEST_PACKAGES)
