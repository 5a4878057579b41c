"""The words for a unit's status and an issue's severity, each declared once.

The report's appendix, the summary workbook, the status page, the feedback
slips and the console all say them so. Where one leaves a word out (the
appendix writes no note for a valid unit) that is how it uses the label, not
another label; colour on the console is the console's business.
"""

from __future__ import annotations

from typing import Literal

from pipeline.issues import Severity

# A unit's status in a year's validation (Validation.status, UnitResult.status).
Status = Literal["valid", "invalid", "missing"]
STATUS: dict[Status, str] = {"valid": "hợp lệ", "invalid": "số liệu chưa hợp lệ", "missing": "chưa nộp"}  # count order
LATE = "nộp muộn"  # said beside the status of a unit that submitted after the deadline

# An issue's severity (issues.Severity).
SEVERITY: dict[Severity, str] = {"error": "Lỗi", "warning": "Cảnh báo"}
