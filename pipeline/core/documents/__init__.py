"""One context builder per document: totals, validation and settings → the typed data a template places.

header (the header and signature blocks every document shares), report and
appendix (the city report), notice (each unit's notice), slip (each unit's
feedback slip), summary (the summary workbook), data (tong-hop.json), site,
listing and register_view (the status page, and its section on what was sent).
"""
