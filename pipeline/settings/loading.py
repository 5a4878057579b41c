"""Reading the config folder: each file parsed safely, validated by its model, then checked across files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from pipeline.errors import ConfigError
from pipeline.settings.base import Strict
from pipeline.settings.distribution import DISTRIBUTION_FILE, DistributionFile
from pipeline.settings.documents import YearDocuments
from pipeline.settings.drafts import Draft, key_name, other_errors, unfilled
from pipeline.settings.explanations import EXPLANATIONS_FILE, ExplanationsFile
from pipeline.settings.general import GeneralSettings
from pipeline.settings.messages import explain
from pipeline.settings.model import Settings
from pipeline.settings.parsed import SMALLEST, ParsedCache
from pipeline.settings.references import check_references
from pipeline.settings.signing import SIGNING_FILE, SigningFile, check_files
from pipeline.settings.units import FiguresFile, IndicatorsFile, RulesFile, UnitsFile
from pipeline.textnorm import nfc

Model = TypeVar("Model", bound=Strict)

# The config files every run reads, with the model of each, in the order they are read.
FILES: dict[str, type[Strict]] = {
    "settings.yaml": GeneralSettings,
    "units.yaml": UnitsFile,
    "indicators.yaml": IndicatorsFile,
    "targets.yaml": FiguresFile,
    "history.yaml": FiguresFile,
    "rules.yaml": RulesFile,
}


def load_settings(config_dir: Path, parsed: ParsedCache | None = None) -> Settings:
    """Read and validate every config file; raise ConfigError naming file and key.

    `parsed`: where big files' parsed trees are kept between runs (see `pipeline.settings.parsed`)."""
    if not config_dir.is_dir():
        raise ConfigError(f"Không tìm thấy thư mục cấu hình: {config_dir}")
    # FILES, one by one so each keeps its own type.
    general = _load_file(config_dir / "settings.yaml", GeneralSettings)
    units = _load_file(config_dir / "units.yaml", UnitsFile, parsed)
    indicators = _load_file(config_dir / "indicators.yaml", IndicatorsFile)
    targets = _load_file(config_dir / "targets.yaml", FiguresFile, parsed)
    history = _load_file(config_dir / "history.yaml", FiguresFile, parsed)
    rules = _load_file(config_dir / "rules.yaml", RulesFile)
    documents: dict[int, YearDocuments] = {}
    drafts: dict[int, Draft] = {}
    for year, path in _year_files(config_dir / "years").items():
        loaded = _load_year(path)
        if isinstance(loaded, Draft):
            drafts[year] = loaded
        else:
            documents[year] = loaded
    optional = config_dir / DISTRIBUTION_FILE
    distribution = _load_file(optional, DistributionFile) if optional.is_file() else None
    signing = _load_signing(config_dir / SIGNING_FILE, config_dir)
    explained = config_dir / EXPLANATIONS_FILE
    explanations = _load_file(explained, ExplanationsFile).giai_trinh if explained.is_file() else ()
    settings = Settings(
        general=general,
        units=units.units,
        groups=units.groups,
        indicators=indicators.indicators,
        targets=targets.years,
        history=history.years,
        rules=rules.rules,
        documents=documents,
        drafts=drafts,
        distribution=distribution,
        signing=signing,
        explanations=explanations,
    )
    check_references(settings, config_dir)
    return settings


def _load_signing(path: Path, config_dir: Path) -> SigningFile | None:
    """signing.yaml when it is there and says something (the sample's is all comments: no signing)."""
    if not path.is_file():
        return None
    data = _read_yaml(path, empty_ok=True)
    if data is None:
        return None
    signing = _validate(path, data, SigningFile)
    check_files(signing, path, config_dir)
    return signing


def _year_files(folder: Path) -> dict[int, Path]:
    if not folder.is_dir():
        return {}
    found: dict[int, Path] = {}
    for path in sorted(folder.glob("*.yaml")):
        if not path.stem.isdigit():
            raise ConfigError(f"{path}: tên tệp phải là năm, ví dụ years/2016.yaml")
        found[int(path.stem)] = path
    return found


def _load_year(path: Path) -> YearDocuments | Draft:
    """A year file; a draft when it still holds placeholders (checked all the same, but for them)."""
    data = _read_yaml(path)
    paths = unfilled(data)
    if not paths:
        return _validate(path, data, YearDocuments)
    try:
        YearDocuments.model_validate(data)
    except ValidationError as exc:
        rest = other_errors(exc, paths)
        if rest is not None:
            raise ConfigError(explain(path, YearDocuments, rest)) from exc
    return Draft(file=str(path), keys=tuple(key_name(p) for p in paths))


def _load_file(path: Path, model: type[Model], parsed: ParsedCache | None = None) -> Model:
    return _validate(path, _read_yaml(path, parsed=parsed), model)


def _validate(path: Path, data: Any, model: type[Model]) -> Model:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(explain(path, model, exc)) from exc


# libyaml's safe loader when PyYAML has it: the same documents, parsed about ten times faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# A national units.yaml (3,321 communes) is ~0.5 MB: anything far bigger is not a config file.
MAX_CONFIG_BYTES = 20 << 20


def _read_yaml(path: Path, empty_ok: bool = False, parsed: ParsedCache | None = None) -> Any:
    """A config file's mapping (None for a file of comments only, when `empty_ok`); a big file's from
    `parsed` when its bytes were parsed before by this very code."""
    if not path.is_file():
        raise ConfigError(f"Thiếu tệp cấu hình {path}")
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: tệp cấu hình quá lớn ({path.stat().st_size:,} byte, giới hạn "
                              f"{MAX_CONFIG_BYTES:,} byte)".replace(",", "."))
        raw = path.read_bytes()
        cache = parsed if parsed is not None and len(raw) >= SMALLEST else None
        data = cache.get(raw) if cache is not None else None
        if data is None:
            text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text reads it
            _guard(path, text)
            data = _nfc_tree(yaml.load(text, Loader=YAML_LOADER))
            if cache is not None and isinstance(data, dict):
                cache.put(raw, data)
    except RecursionError as exc:
        raise ConfigError(f"{path}: cấu trúc lồng nhau quá sâu, không phải tệp cấu hình") from exc
    except OSError as exc:
        raise ConfigError(f"Không đọc được tệp cấu hình {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: tệp không phải văn bản UTF-8 (byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark else ""
        raise ConfigError(f"{path}: lỗi cú pháp YAML{where}") from exc
    if data is None and empty_ok:
        return None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: tệp phải là một bảng khóa: giá trị (mapping YAML)")
    return data


MAX_CONFIG_DEPTH = 32  # nesting of mappings and lists: config goes 4–5 deep
# What could nest deeper than indentation allows: a flow collection inside another,
# block sequences on one line ("- - -"), or lines indented past MAX_INDENT spaces.
_MAY_NEST = re.compile(r"[\[{][^\]}]*[\[{]|(?:^|\s)-\s+-\s|^ {40,}", re.M)


def _guard(path: Path, text: str) -> None:
    """Refuse YAML anchors and aliases, and absurd nesting, before anything is built.

    Nine nested aliases in 480 bytes expand to billions of nodes (a "billion
    laughs" bomb: 8.7 GB before being killed), and 100,000 nested brackets
    overflow libyaml's composer (a segmentation fault). Config needs neither. A
    file without "&", "*" or anything that nests past its indentation cannot
    hold them: the usual file costs two searches, the rest one pass of events.
    """
    if "&" not in text and "*" not in text and not _MAY_NEST.search(text):
        return
    depth = 0
    for event in yaml.parse(text, Loader=YAML_LOADER):
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise ConfigError(f"{path}: dòng {line} dùng neo/bí danh YAML (&… hoặc *…); hãy viết đầy đủ từng giá "
                              "trị, không dùng neo (để tệp không thể phình ra vô hạn khi đọc)")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_CONFIG_DEPTH:
                raise ConfigError(f"{path}: dòng {line}: lồng nhau quá {MAX_CONFIG_DEPTH} cấp, không phải tệp "
                                  "cấu hình")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _nfc_tree(value: Any) -> Any:
    """NFC-normalise every string in a YAML tree, keys included."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dict):
        return {_nfc_tree(k): _nfc_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc_tree(v) for v in value]
    return value
