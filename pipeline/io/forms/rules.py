"""The data validations of a form: what Excel checks as a clerk types (numbers, dates, choices)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from openpyxl.worksheet.datavalidation import DataValidation

from pipeline.io.forms.protocols import Worksheet

EXCEL_EPOCH = dt.date(1899, 12, 30)


def whole_rule() -> DataValidation:
    return DataValidation(
        type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
        showErrorMessage=True, errorTitle="Số không hợp lệ",
        error="Chỉ được nhập số nguyên không âm (0, 1, 2, ...).",
        showInputMessage=True, promptTitle="Nhập số", prompt="Nhập số nguyên không âm.",
    )


def date_rule(start: dt.date, end: dt.date, prompt: str) -> DataValidation:
    return DataValidation(
        type="date", operator="between", formula1=str(_serial(start)), formula2=str(_serial(end)),
        allow_blank=True, showErrorMessage=True, errorTitle="Ngày không hợp lệ",
        error=f"Chỉ được nhập ngày dạng ngày/tháng/năm, từ {dmy(start)} đến {dmy(end)}.",
        showInputMessage=True, promptTitle="Nhập ngày", prompt=prompt,
    )


def list_rule(formula: str, title: str, message: str, *, stop: bool) -> DataValidation:
    return DataValidation(
        type="list", formula1=formula, allow_blank=True, errorStyle="stop" if stop else "warning",
        showErrorMessage=True, errorTitle=title, error=message,
        showInputMessage=True, promptTitle="Chọn trong danh sách",
        prompt="Bấm vào mũi tên bên phải ô để chọn.",
    )


def validate(ws: Worksheet, rule: DataValidation, ranges: Iterable[str]) -> None:
    ws.add_data_validation(rule)
    for ref in ranges:
        rule.add(ref)


def _serial(day: dt.date) -> int:
    return (day - EXCEL_EPOCH).days


def dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")
