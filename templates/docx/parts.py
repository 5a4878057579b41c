"""The building blocks of the Word templates: paragraphs, header and signature blocks, tables.

Used by build_templates.py. Every piece of text, Jinja tag or not, goes into
one run of its own paragraph (`para`), so Word never splits a tag. Sizes in
points and millimetres follow shared/FORMAT.md and templates/van-ban.css.
"""

from __future__ import annotations

from dataclasses import dataclass

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from templates.docx import ooxml
from templates.docx.ooxml import cell_centre, cell_merge, cell_width, clear, row_properties, set_grid, table_properties

PORTRAIT_WIDTH, LANDSCAPE_WIDTH = 165.0, 262.0  # text width in mm: A4 less the margins (build_templates._page)
BLOCK, CELL, RECIPIENT = "Khối tiêu đề", "Chữ trong bảng", "Nơi nhận"
CENTER, LEFT, RIGHT, JUSTIFY = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT,
                                WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.JUSTIFY)
SUB_HEADERS = '["Kế hoạch", "Thực hiện", "Tỉ lệ"]'
TAG_WIDTH = 24.0  # mm: the cells holding {%tc for %} / {%tc endfor %}, gone once rendered


@dataclass(frozen=True)
class Font:
    bold: bool | None = None
    italic: bool | None = None
    caps: bool | None = None
    underline: bool | None = None
    size: float | None = None


PLAIN, BOLD, ITALIC = Font(), Font(bold=True), Font(italic=True)
BOLD_CAPS = Font(bold=True, caps=True)


# --- paragraphs -----------------------------------------------------------------------


def para(parent, text: str = "", style: str | None = None, font: Font = PLAIN, *, align=None,
         before: float | None = None, after: float | None = None, indent: float | None = None,
         sides: float | None = None, keep: bool | None = None):
    """One paragraph, its text in a single run (so a Jinja tag is never split)."""
    p = parent.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        run.font.bold, run.font.italic, run.font.all_caps = font.bold, font.italic, font.caps
        run.font.underline = font.underline
        if font.size:
            run.font.size = Pt(font.size)
    spacing(p, align=align, before=before, after=after, indent=indent, sides=sides, keep=keep)
    return p


def spacing(paragraph_or_style, *, align=None, before: float | None = None, after: float | None = None,
            indent: float | None = None, sides: float | None = None, keep: bool | None = None,
            line: float | None = None) -> None:
    """Alignment, spacing (pt) and indents (mm) of a paragraph or paragraph style; None leaves one as it is."""
    f = paragraph_or_style.paragraph_format
    if align is not None:
        f.alignment = align
    if before is not None:
        f.space_before = Pt(before)
    if after is not None:
        f.space_after = Pt(after)
    if indent is not None:
        f.first_line_indent = Mm(indent)
    if sides is not None:
        f.left_indent = f.right_indent = Mm(sides)
    if keep is not None:
        f.keep_with_next = keep
    if line is not None:
        f.line_spacing = line


def tag(parent, text: str):
    """A paragraph holding only a {%p … %} tag: docxtpl drops the paragraph itself."""
    return para(parent, text, BLOCK)


def heading(doc: Document, text: str, level: int):
    return para(doc, text, f"Heading {level}")


# --- the header and signature blocks ------------------------------------------------


def header_block(doc: Document, letter: bool = False) -> None:
    """Issuing body left, national header right; Party or State style; then type name and summary.
    A `letter` (công văn) has no type name or title: its "V/v …" subject sits under the number."""
    tag(doc, '{%p if header.style == "party" %}')
    _party_header(doc, letter)
    if not letter:
        para(doc, "{{ header.type_name }}", BLOCK, Font(bold=True, caps=True, size=16), before=18)  # FORMAT: 15–16 pt
    tag(doc, "{%p else %}")
    _state_header(doc, letter)
    if not letter:
        para(doc, "{{ header.type_name }}", BLOCK, Font(bold=True, caps=True, size=14), before=18)  # FORMAT: 13–14 pt
    tag(doc, "{%p endif %}")
    if not letter:
        para(doc, "{{ header.summary }}", BLOCK, BOLD, sides=8)
        para(doc, "-----", BLOCK, before=2, after=12)


def _borderless(doc: Document, widths: list[float]):
    table = doc.add_table(rows=0, cols=len(widths))
    table_properties(table, sum(widths), borders=False, style="TableNormal")
    set_grid(table, widths)
    row = table.add_row()
    for cell, width in zip(row.cells, widths, strict=True):
        cell_width(cell, width)
        clear(cell)
    return row


def _party_header(doc: Document, letter: bool = False) -> None:
    """Hướng dẫn 36-HD/VPTW: two equal columns; "*" under the issuing body; ruled 15 pt national header."""
    left, right = _borderless(doc, [82.5, 82.5]).cells
    para(left, "{{ header.superior_body }}", BLOCK, Font(caps=True))
    para(left, "{{ header.issuing_body }}", BLOCK, BOLD_CAPS)
    para(left, "*", BLOCK, before=2, after=4)
    para(left, "{{ header.number_line }}", BLOCK)
    if letter:
        para(left, "{{ header.subject }}", BLOCK, Font(size=12), before=2)
    para(right, "{{ header.national_header }}", BLOCK, Font(bold=True, caps=True, underline=True, size=15))
    para(right, "{{ header.place_date }}", BLOCK, ITALIC, before=14)


def _state_header(doc: Document, letter: bool = False) -> None:
    """Nghị định 30/2020/NĐ-CP: 40/60 columns, short rule under the issuer, the motto ruled."""
    left, right = _borderless(doc, [66.0, 99.0]).cells
    para(left, "{{ header.superior_body }}", BLOCK, Font(caps=True, size=13))
    para(left, "{{ header.issuing_body }}", BLOCK, Font(bold=True, caps=True, size=13))
    ooxml.rule_below(para(left, "", BLOCK, Font(size=4), sides=22))
    para(left, "{{ header.number_line }}", BLOCK, before=6)
    if letter:
        para(left, "{{ header.subject }}", BLOCK, Font(size=12), before=2)
    para(right, "{{ header.national_header }}", BLOCK, Font(bold=True, caps=True, size=12))
    tag(right, "{%p if header.motto %}")
    para(right, "{{ header.motto }}", BLOCK, Font(bold=True, underline=True, size=14))
    tag(right, "{%p endif %}")
    para(right, "{{ header.place_date }}", BLOCK, ITALIC, before=14)


def signature_block(doc: Document) -> None:
    """"Nơi nhận:" and its list left; authority, title, room to sign, name right. Never split."""
    row = _borderless(doc, [82.5, 82.5])
    row_properties(row)
    left, right = row.cells
    tag(left, '{%p if header.style == "party" %}')
    para(left, "Nơi nhận:", RECIPIENT, Font(underline=True, size=14), before=12)
    tag(left, "{%p else %}")
    para(left, "Nơi nhận:", RECIPIENT, Font(bold=True, italic=True), before=12)
    tag(left, "{%p endif %}")
    tag(left, "{%p for line in recipients %}")
    tag(left, '{%p if header.style == "party" %}')
    para(left, '- {{ line }}{{ "." if loop.last else "," }}', RECIPIENT)  # FORMAT: 12 pt
    tag(left, "{%p else %}")
    para(left, '- {{ line }}{{ "." if loop.last else "," }}', RECIPIENT, Font(size=11))  # FORMAT: 11 pt
    tag(left, "{%p endif %}")
    tag(left, "{%p endfor %}")
    tag(right, "{%p if signature.authority %}")
    para(right, "{{ signature.authority }}", BLOCK, BOLD_CAPS, before=12)
    para(right, "{{ signature.title }}", BLOCK, Font(caps=True))
    tag(right, "{%p else %}")
    para(right, "{{ signature.title }}", BLOCK, BOLD_CAPS, before=12)
    tag(right, "{%p endif %}")
    for _ in range(4):  # room for the signature and the seal
        para(right, "", BLOCK)
    para(right, "{{ signature.name }}", BLOCK, BOLD, before=12)


# --- bordered data tables --------------------------------------------------------------


def data_table(doc: Document, widths: list[float]):
    table = doc.add_table(rows=0, cols=len(widths))
    table_properties(table, sum(widths), borders=True, margins_pt=(2, 3), style="TableGrid")
    set_grid(table, widths)
    return table


def add_row(table, texts: list[str], *, fonts: list[Font] | None = None, aligns: list | None = None,
            header: bool = False, auto: tuple[int, ...] = (), size: float = 12, keep: bool = False) -> list:
    """A row of one-paragraph cells; cells listed in `auto` are column-loop cells. `keep`: the row stays
    on the page of the next (Word's keep-with-next on its paragraphs): a small table never splits."""
    row = table.add_row()
    row_properties(row, header=header)
    widths = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    for n, (cell, text) in enumerate(zip(row.cells, texts, strict=False)):
        clear(cell)
        cell_width(cell, None if n in auto else widths[n] * 25.4 / 1440)
        cell_centre(cell)
        font = (fonts[n] if fonts else BOLD if header else PLAIN)
        font = Font(font.bold, font.italic, font.caps, font.underline, font.size or size)
        para(cell, text, CELL, font, align=aligns[n] if aligns else CENTER, keep=keep or None)
    return row.cells


def loop_row(table, text: str, keep: bool = False) -> None:
    """A row holding only a {%tr … %} tag, its cells merged so the tag reads in one piece."""
    row = table.add_row()
    merged = row.cells[0].merge(row.cells[-1])
    clear(merged)
    para(merged, text, CELL, align=LEFT, keep=keep or None)


def unit_table(doc: Document, width: float, columns: str, rows: str, sub_headers: bool, lead: str = "Đơn vị") -> None:
    """STT, unit, a column (or a group of 3 when `sub_headers`) per indicator, note; the total row bold.

    The indicators are config, so their columns come from docxtpl column loops:
    the cells between {%tc for %} and {%tc endfor %} repeat once per item.
    """
    fixed = [11.0, 41.0, 30.0]  # "STT" in bold 12 pt needs 11 mm with the cell margins
    table = data_table(doc, [fixed[0], fixed[1], TAG_WIDTH, width - sum(fixed) - 2 * TAG_WIDTH, TAG_WIDTH, fixed[2]])
    span = "{% colspan 3 %}" if sub_headers else ""
    top = add_row(table, ["STT", lead, f"{{%tc for column in {columns} %}}",
                          span + "{{ column.name }} ({{ column.measure }})", "{%tc endfor %}", "Ghi chú"],
                  header=True, auto=(3,))
    if sub_headers:
        for n in (0, 1, 5):
            cell_merge(top[n], "restart")
        italic = Font(italic=True)
        below = add_row(table, ["", "", f"{{%tc for sub in {SUB_HEADERS} * {columns}|length %}}", "{{ sub }}",
                                "{%tc endfor %}", ""], fonts=[PLAIN, PLAIN, PLAIN, italic, PLAIN, PLAIN],
                        header=True, auto=(3,))
        for n in (0, 1, 5):
            cell_merge(below[n], "continue")
    cells = ["{{ row.number }}", "{{ row.name }}", "{%tc for cell in row.cells %}", "{{ cell }}", "{%tc endfor %}",
             "{{ row.note }}"]
    aligns = [CENTER, LEFT, CENTER, CENTER, CENTER, LEFT]
    note = Font(size=11)
    for condition, font in (("not row.total", PLAIN), ("row.total", BOLD)):
        loop_row(table, f"{{%tr for row in {rows} if {condition} %}}")
        add_row(table, cells, fonts=[font] * 5 + [Font(bold=font.bold, size=11) if font.bold else note],
                aligns=aligns, auto=(3,))
        loop_row(table, "{%tr endfor %}")
