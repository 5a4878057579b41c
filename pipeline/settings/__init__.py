"""Configuration: config/*.yaml → frozen pydantic models, validated at start-up.

Everything about the locality, the units, the indicators, the targets and the
documents lives in the config folder, never in code. Each file is validated by
its own model so that an error names the file and the key; unknown keys are
rejected with a hint (most are typos). `load_settings` is called once per run
and the resulting `Settings` object is passed explicitly to whoever needs it.

The package, by role: `base` (the base model, field formats and their
messages, years, addresses), one module per file kind (`general` for
settings.yaml, `units` for units/indicators/rules/targets/history,
`documents` for years/<YEAR>.yaml, `distribution`), `model` (the whole
`Settings`), `loading` (reading the folder), `messages` (pydantic's errors in
Vietnamese) and `references` (checks across files). It imports nothing from
pipeline.core: only the small shared modules below it (expressions, textnorm).
"""

from pipeline.settings.base import (
    DAY_MONTH_PATTERN,
    PATTERN_MESSAGES,
    RULE_ID_PATTERN,
    UNIT_CODE_PATTERN,
    Addresses,
    Strict,
    Year,
)
from pipeline.settings.distribution import (
    ADDRESSEE,
    ALL_UNITS,
    DISTRIBUTION_FILE,
    Archive,
    DistributionFile,
    Recipient,
    Smtp,
    line_key,
)
from pipeline.settings.documents import (
    Assessment,
    Notices,
    NumberedType,
    Numbering,
    Signer,
    YearDocuments,
    numbered,
    same_number,
)
from pipeline.settings.drafts import PLACEHOLDER, Draft, placeholder
from pipeline.settings.general import (
    DEFAULT_OFFICE_FONT,
    MAX_FIGURE,
    NATIONAL_HEADERS,
    GeneralSettings,
    InputLimits,
    Numbers,
    Organisation,
    Reporting,
    ReportLayout,
    Style,
)
from pipeline.settings.loading import FILES, load_settings
from pipeline.settings.model import Settings
from pipeline.settings.signing import SIGNING_FILE, Party, SigningFile, Token
from pipeline.settings.units import FiguresFile, Group, Indicator, IndicatorsFile, Rule, RulesFile, Unit, UnitsFile

__all__ = [
    "ADDRESSEE", "ALL_UNITS", "DAY_MONTH_PATTERN", "DEFAULT_OFFICE_FONT", "DISTRIBUTION_FILE", "FILES", "MAX_FIGURE",
    "NATIONAL_HEADERS", "PATTERN_MESSAGES", "PLACEHOLDER", "RULE_ID_PATTERN", "SIGNING_FILE", "UNIT_CODE_PATTERN",
    "Addresses", "Archive", "Assessment", "DistributionFile", "Draft", "FiguresFile", "GeneralSettings", "Group",
    "Indicator", "IndicatorsFile", "InputLimits", "Notices", "NumberedType", "Numbering", "Numbers", "Organisation",
    "Party", "Recipient", "ReportLayout", "Reporting", "Rule", "RulesFile", "Settings", "Signer", "SigningFile",
    "Smtp", "Strict", "Style", "Token", "Unit", "UnitsFile", "Year", "YearDocuments", "line_key", "load_settings",
    "numbered", "placeholder", "same_number",
]
