"""Refuse hostile workbooks before calamine opens them, within bounded memory and time.

`workbook.screen(data, suffix)` raises `limits.Refused` (a Vietnamese reason)
for what a form never is: a file far bigger than a form, a zip bomb (huge,
lying or over-compressed parts), an XML part with a DTD (billion laughs), and
a sheet whose used range is beyond any form. The last matters most: calamine
allocates every cell of a sheet's used range at once, so one value typed at
XFD1048576 of a 5 KB file asks for 550 GB and kills the process. .xls (OLE2
and BIFF records) and .ods are walked the way calamine walks them. The screen
mirrors calamine's behaviour: re-fuzz (`make fuzz`) after upgrading it.

The package, by role: `workbook` (the entry: which walks a file goes
through), `limits` (what a form never is, and the Vietnamese words of a
refusal), `archive` (the zip container of .xlsx, .xlsm and .ods: its table
of parts, unpacked in bounded chunks), `tags` (reading one XML part start tag
by start tag, and what no part may declare), `xlsx` and `ods` (where a
worksheet and an OpenDocument table place their cells), `ole` (.xls and
encrypted files: the OLE2 compound file and its BIFF records).
"""
