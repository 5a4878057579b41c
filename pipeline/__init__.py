"""Báo cáo NQ28: read unit workbooks, validate, aggregate and render official documents."""

__version__ = "0.1.0"
