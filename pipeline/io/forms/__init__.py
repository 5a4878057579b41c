"""Submission workbooks (biểu mẫu) written with openpyxl.

`workbook.write_form` lays out the three sheets of SPEC §3 from
`pipeline.core.layout`: a blank form carries the unit, the year and its
targets; a filled one (the shipped sample, the tests' factories) carries
results and the list of organisations too. `workbook.blank_form` builds the
blank form of one unit and year from the settings.

A form is made to be filled in Excel or LibreOffice by a clerk:

- input cells (light yellow) are unlocked, everything else is locked by sheet
  protection without a password (it prevents slips, not determined edits);
  the workbook structure is locked too, so sheets cannot be renamed;
- drop-down lists for "Loại tổ chức" and "Loại hình doanh nghiệp" read their
  choices from the hidden sheet `DanhMuc` (names contain commas, so never an
  inline list); numbers, dates and tax codes are checked as they are typed;
- ThongTin carries a short guide, and every sheet prints on A4.

The same data gives the same bytes: document properties and the time stamps
of the zip entries are fixed.

The package, by role: `workbook` (the entry: `write_form`, `blank_form`),
`data` (what one workbook says, and what a blank form needs besides),
`sheets` (ThongTin, TongHop, DanhSach and the hidden DanhMuc), `rules` (the
data validations Excel applies as a clerk types), `cells` (faces, borders,
input cells, protection, printing) and `protocols` (the part of openpyxl a
form uses, described to mypy).
"""
