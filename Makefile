# Báo cáo NQ28: the user's interface. `make help` lists the commands.
# Every command takes YEAR= INPUT= CONFIG= OUTPUT= (see README.md).

SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first Python 3.11 or newer found (the venv is made with it).
PYTHON_MIN := 3.11
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { command -v $$p; break; }; done)
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
UNIT   ?=
JOBS   ?=
SCALES ?=
FILE   ?=
PYTEST_ARGS ?=
# make test runs the suite in this many processes, one test file each at a time
# (TEST_WORKERS=0: in this process only, as when debugging with pdb).
TEST_WORKERS ?= 2

RUN_ARGS = $(if $(YEAR),--year $(YEAR)) --input "$(INPUT)" --config "$(CONFIG)" --output "$(OUTPUT)" $(if $(JOBS),--jobs $(JOBS))
# Two installs in the one venv: the runtime set (report, validate, forms,
# distribute) and the test set (test, fuzz, bench, sample), each from its hashed
# lock, then the project itself without dependencies. A stamp per set: nothing is
# reinstalled while pyproject.toml, setup.py and the lock are unchanged.
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
PIP        := $(PY) -m pip --quiet --disable-pip-version-check
LOCK_VENV  := $(VENV)/pip-tools
PIP_TOOLS  := pip-tools==7.7.0
LOCK_ARGS  ?=
COMPILE     = CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --no-strip-extras \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)

# System packages: fonts (Times New Roman metrics with Vietnamese glyphs) and
# HarfBuzz-Subset (without it WeasyPrint falls back to a slow subsetter).
# Tests also need pdftotext/pdffonts, a real browser for the status page and
# LibreOffice Writer and Calc to open the DOCX and XLSX documents; SoftHSM2 is the PKCS#11 token of the signing tests.
RUN_PACKAGES  := fonts-liberation2 libharfbuzz-subset0
TEST_PACKAGES := poppler-utils chromium libreoffice-writer-nogui libreoffice-calc-nogui softhsm2

.PHONY: help new-year report validate forms history approve feedback distribute sign verify lint test fuzz bench sample docx-templates lock system-deps test-system-deps clean

help: ## Liệt kê các lệnh
	@echo "Báo cáo NQ28: các lệnh (thêm YEAR=, INPUT=, CONFIG=, OUTPUT= nếu cần)"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

new-year: $(RUN_STAMP) ## Tạo config/years/YEAR.yaml từ năm trước (mặc định: năm mới nhất + 1), với các chỗ <<CẦN ĐIỀN: …>> phải điền; không ghi đè
	$(PY) -m pipeline new-year $(if $(YEAR),--year $(YEAR)) --config "$(CONFIG)"

report: $(RUN_STAMP) system-deps ## Kiểm tra, tổng hợp và lập văn bản (ALLOW_INVALID=1 để bỏ qua đơn vị lỗi)
	$(PY) -m pipeline report $(RUN_ARGS) --state "$(STATE)" $(if $(filter 1 yes true,$(ALLOW_INVALID)),--allow-invalid)

validate: $(RUN_STAMP) ## Chỉ kiểm tra biểu mẫu; mã thoát khác 0 nếu có lỗi (FILE=đường/dẫn/tệp.xlsx: chỉ kiểm tra một tệp, không ghi gì)
	$(PY) -m pipeline validate $(RUN_ARGS) --state "$(STATE)" $(if $(FILE),--file "$(FILE)")

forms: $(RUN_STAMP) ## Tạo biểu mẫu trống cho từng đơn vị vào OUTPUT/YEAR/bieu-mau/
	$(PY) -m pipeline forms $(RUN_ARGS)

history: $(RUN_STAMP) ## Ghi số liệu năm YEAR (tổng và từng đơn vị) vào config/history.yaml, từ kết quả đã công bố hoặc biểu mẫu (FORCE=1 để ghi lại năm đã có)
	$(PY) -m pipeline history $(RUN_ARGS) $(if $(filter 1 yes true,$(FORCE)),--force)

approve: $(RUN_STAMP) ## Duyệt biểu mẫu hiện có của đơn vị UNIT= (lưu bản sao vào STATE/duyet/); tệp khác gửi sau chưa được dùng cho đến khi duyệt lại
	@test -n "$(UNIT)" || { echo "Thiếu mã đơn vị: make approve UNIT=<mã đơn vị> (ví dụ UNIT=HB), thêm YEAR= nếu cần" >&2; exit 2; }
	$(PY) -m pipeline approve $(RUN_ARGS) --unit "$(UNIT)" --state "$(STATE)"

distribute: $(RUN_STAMP) system-deps ## Chuẩn bị bộ văn bản gửi từng nơi nhận và sổ gửi văn bản (SEND=1 để gửi thư điện tử; RESEND=<nơi nhận> gửi lại thư chưa rõ)
	$(PY) -m pipeline distribute $(RUN_ARGS) --state "$(STATE)" $(if $(filter 1 yes true,$(ALLOW_INVALID)),--allow-invalid) $(if $(filter 1 yes true,$(SEND)),--send) $(if $(RESEND),--resend "$(RESEND)")

sign: $(RUN_STAMP) ## Ký số các văn bản PDF đã lập của năm (báo cáo, thông báo, phiếu kiểm tra, công văn đôn đốc) vào OUTPUT/YEAR/ky-so/; khóa và ảnh chữ ký, con dấu khai báo ở config/signing.yaml, mật khẩu trong biến môi trường
	$(PY) -m pipeline sign $(RUN_ARGS) --state "$(STATE)" $(if $(filter 1 yes true,$(ALLOW_INVALID)),--allow-invalid)

verify: $(RUN_STAMP) ## Kiểm tra chữ ký số của mọi bản trong OUTPUT/YEAR/ky-so/ (toàn vẹn, chứng thư tin cậy, đúng văn bản hiện hành); mã thoát khác 0 nếu có bản không hợp lệ
	$(PY) -m pipeline verify $(RUN_ARGS)

feedback: $(RUN_STAMP) system-deps ## Gửi mỗi đơn vị phản hồi của mình, cả khi biểu mẫu còn lỗi: phiếu kiểm tra và biểu mẫu đánh dấu lỗi, hoặc công văn đôn đốc (chạy make validate trước; SEND=1 để gửi thư điện tử; RESEND=<nơi nhận> gửi lại thư chưa rõ)
	$(PY) -m pipeline feedback $(RUN_ARGS) --state "$(STATE)" $(if $(filter 1 yes true,$(SEND)),--send) $(if $(RESEND),--resend "$(RESEND)")

test: lint system-deps test-system-deps ## Kiểm tra mã nguồn (make lint) rồi chạy bộ kiểm thử (TEST_WORKERS=số tiến trình song song, mặc định 2)
	$(PY) -m pytest $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile) $(PYTEST_ARGS)

fuzz: $(TEST_STAMP) ## Kiểm thử ngẫu nhiên dài: hàng nghìn biểu mẫu hỏng, giá trị lạ cho mỗi phép thử
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest tests/test_fuzz.py $(PYTEST_ARGS)

bench: $(TEST_STAMP) system-deps ## Đo tốc độ trên bộ mẫu, 114 xã và cả nước (bảng trong OUTPUT/bench/, cạnh số đo của commit trước); SCALES=15 để đo nhanh chỉ bộ mẫu
	$(PY) -m tests.bench.run --output "$(OUTPUT)" $(if $(SCALES),--scales "$(SCALES)")

lint: $(TEST_STAMP) ## Kiểm tra mã nguồn: kiểu viết (ruff), kiểu dữ liệu (mypy), ranh giới giữa các phần (import-linter)
	$(VENV)/bin/ruff check --quiet .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache --no-logo

sample: $(TEST_STAMP) ## Tạo lại bộ biểu mẫu mẫu trong input/2016 từ config/
	$(PY) -m tests.sample.build_sample --config "$(CONFIG)" --output "$(INPUT)/2016"

docx-templates: $(RUN_STAMP) ## Tạo lại các mẫu Word trong templates/docx/
	$(PY) -m templates.docx.build_templates

clean: ## Xóa thư mục kết quả và môi trường Python (giữ thư mục trạng thái STATE, mặc định .so-gui/: sổ theo dõi thư đã gửi, biểu mẫu đã duyệt)
	rm -rf "$(OUTPUT)" $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache .import_linter_cache

lock: ## Tạo lại requirements.lock và requirements-test.lock (có mã băm) từ pyproject.toml; LOCK_ARGS="--upgrade-package TÊN" để nâng một gói
	@$(call need-venv,$(LOCK_VENV))
	@test -x $(LOCK_VENV)/bin/pip-compile || $(LOCK_VENV)/bin/pip install --quiet --disable-pip-version-check $(PIP_TOOLS)
	$(COMPILE) -o requirements.lock pyproject.toml
	$(COMPILE) --extra test -c requirements.lock -o requirements-test.lock pyproject.toml

# Make the venv $(1) unless it is there; say in Vietnamese what is missing.
define need-venv
test -x $(1)/bin/python || { \
	test -n "$(PYTHON)" || { echo "Không tìm thấy Python $(PYTHON_MIN) trở lên (đã thử python3.11, python3.12, python3.13, python3)." \
		"Hãy cài Python $(PYTHON_MIN) hoặc mới hơn, ví dụ trên Debian/Ubuntu: sudo apt-get install python3 python3-venv;" \
		"hoặc chỉ rõ bằng PYTHON=/đường/dẫn/python3.11" >&2; exit 1; }; \
	$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { echo "$(PYTHON) thiếu mô-đun venv (tạo môi trường Python riêng)." \
		"Trên Debian/Ubuntu hãy cài: sudo apt-get install python3-venv (hoặc python3.X-venv đúng phiên bản Python)" >&2; exit 1; }; \
	$(PYTHON) -m venv $(1); }
endef

# The package's bytecode, written once at install as pip does for the libraries:
# otherwise every command compiles it again where PYTHONDONTWRITEBYTECODE is set
# (containers often set it), ~0.1 s of each `make validate`.
COMPILE_PACKAGE = $(PY) -m compileall -q pipeline >/dev/null

$(RUN_STAMP): pyproject.toml setup.py requirements.lock
	@$(call need-venv,$(VENV))
	$(PIP) install --require-hashes -r requirements.lock
	$(PIP) install --no-deps -e .
	$(COMPILE_PACKAGE)
	@touch $@

$(TEST_STAMP): pyproject.toml setup.py requirements-test.lock
	@$(call need-venv,$(VENV))
	$(PIP) install --require-hashes -r requirements-test.lock
	$(PIP) install --no-deps -e .
	$(COMPILE_PACKAGE)
	@touch $@

system-deps: ## Cài các gói hệ thống cần để lập văn bản (phông chữ, HarfBuzz)
	@./.ci/system-packages $(RUN_PACKAGES)

test-system-deps: ## Cài thêm các gói hệ thống mà bộ kiểm thử cần (poppler, chromium, LibreOffice, SoftHSM2)
	@./.ci/system-packages $(TEST_PACKAGES)
