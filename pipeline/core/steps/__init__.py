"""The pipeline's steps over the units' workbooks: parse → check → validate → aggregate.

raw (what a reader hands over), parse (raw sheets → Submission), submission
(the Submission, its figures and organisations), cells (one cell → a count or a
date, or the phrase saying what is wrong), legacy (8-bit Vietnamese text),
checks (one function per rule), validate (rules over a year's submissions),
ledger (which workbook stands for which year), aggregate (totals).
"""
