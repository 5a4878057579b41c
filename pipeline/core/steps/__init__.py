"""The pipeline's steps over the units' workbooks: parse → check → validate → aggregate.

raw (what a reader hands over), parse (raw sheets → Submission), legacy (8-bit
Vietnamese text), checks (one function per rule), validate (rules over a year's
submissions), ledger (which workbook stands for which year), aggregate (totals).
"""
