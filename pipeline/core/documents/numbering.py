"""Document numbers: one sequence per document type and year, in unit order; explicit numbers win.

years/<YEAR>.yaml says where each type's sequence starts (`numbering: {report: 15, notices: 16}`)
and may give a unit its own number (`notices: {numbers: {HB: "16a"}}`). The rule, as the README
tells the clerk:

- the units of the year, in units.yaml order, take start, start+1, …: the k-th unit takes start+k-1;
- an explicit number replaces that unit's; its sequence number stays unused, so correcting one
  unit's number moves no other (an explicit "" keeps that unit's document a draft);
- no start configured and no explicit number: the document is a draft (blank number);
- two documents of one type (type code) with one number in a year are refused when the settings
  are loaded (YearDocuments.number_conflicts, run by check_references), naming the keys.

The same year file and units.yaml give the same numbers on every run. A unit added during the
year (after the documents are out) goes at the END of units.yaml: it takes the next number and no
other unit's number changes. Inserted in the middle, it moves every unit after it up by one; a
unit dropped from the year (valid_until) moves them down by one, so the clerk then writes the
numbers already issued as explicit numbers.

The arithmetic lives with the year-file model (pipeline.settings.documents.numbered) so that the
conflict check at load time and the documents here number alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.core.catalogue import Kind, find
from pipeline.core.documents.header import document_number
from pipeline.settings import NumberedType, Settings, YearDocuments, numbered

NUMBERED_KINDS: dict[Kind, NumberedType] = {Kind.NOTICE: "notices", Kind.SLIP: "slips", Kind.REMINDER: "reminders"}


def document_numbers(kind: NumberedType, docs: YearDocuments, units: Sequence[str]) -> dict[str, str]:
    """unit code → the number of its document of type `kind` ("" for a draft), `units` in units.yaml order."""
    start: int | None = getattr(docs.numbering, kind)
    return numbered(start, units, docs.explicit_numbers(kind))


def year_numbers(kind: NumberedType, settings: Settings, year: int) -> dict[str, str]:
    """unit code → the number of its document of type `kind` for `year`, for every unit of the year."""
    return document_numbers(kind, settings.document_settings(year), [u.code for u in settings.units_in(year)])


def notice_numbers(settings: Settings, year: int) -> dict[str, str]:
    """unit code → the number of its notice for `year` ("Số 16-TB/BCĐ" prints the 16)."""
    return year_numbers("notices", settings, year)


def published_number(settings: Settings, year: int, path: str) -> str | None:
    """The number and symbol of the published document at `path` ("16-TB/BCĐ"), as its header prints it;
    None for a draft (no number yet) or a file that is not a numbered document."""
    found = find(path)
    if found is None:
        return None
    output, fields = found
    docs = settings.document_settings(year)
    if output.kind is Kind.REPORT:
        number, code = docs.report_number(), settings.general.style.report_type_code
    elif output.kind in NUMBERED_KINDS and "code" in fields:
        kind = NUMBERED_KINDS[output.kind]
        number, code = year_numbers(kind, settings, year).get(fields["code"], ""), docs.of_type(kind).type_code
    else:
        return None
    return document_number(settings, number, code) if number else None
