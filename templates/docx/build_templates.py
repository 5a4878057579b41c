"""Build the Word templates of the editable documents: bao-cao.docx, thong-bao.docx and don-doc.docx.

    .venv/bin/python -m templates.docx.build_templates
    .venv/bin/python templates/docx/build_templates.py

Both write the .docx files next to this script; commit them with it. They
are ordinary Word documents carrying docxtpl's Jinja tags, laid out after
shared/FORMAT.md and the PDF (templates/*.html.j2, van-ban.css). A clerk may
open and adjust them in Word, as long as every tag stays whole; rebuilding
from this script undoes such edits.

docxtpl tags used: `{{ … }}` in a run; `{%p … %}` alone in a paragraph (the
paragraph is dropped); `{%tr … %}` alone in a table row; `{%tc … %}` alone in
a cell (column loops, one cell per indicator); `{% colspan n %}` widens a
looped header cell. Each tag is written whole inside one run, so Word never
splits it. Cells repeated by a column loop have the width "auto": the
renderer (pipeline/render/docx.py) gives them what the fixed cells leave.
The same script gives the same bytes.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Mm, RGBColor, Twips

if not __package__:  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pipeline.stable import FIXED_TIME, fixed_zip
from templates.docx import ooxml
from templates.docx.ooxml import clear, row_properties
from templates.docx.parts import (
    BLOCK,
    BOLD,
    CELL,
    CENTER,
    ITALIC,
    JUSTIFY,
    LANDSCAPE_WIDTH,
    LEFT,
    PORTRAIT_WIDTH,
    RECIPIENT,
    RIGHT,
    Font,
    add_row,
    data_table,
    header_block,
    heading,
    loop_row,
    para,
    signature_block,
    spacing,
    tag,
    unit_table,
)

HERE = Path(__file__).resolve().parent


# --- document, styles and pages ------------------------------------------------------


def new_document(title: str) -> Document:
    doc = Document()
    _styles(doc)
    first = doc.sections[0]
    _page(first, landscape=False)
    _page_numbers(doc, first)
    props = doc.core_properties
    props.author = props.last_modified_by = "Báo cáo NQ28"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    props.title = title
    props.subject = props.keywords = props.category = ""
    props.comments = "Mẫu Word có thẻ docxtpl, sinh bởi templates/docx/build_templates.py"
    package_rels = doc.part.package.rels
    for rel_id in [r for r, rel in package_rels.items() if rel.reltype == RT.THUMBNAIL]:
        del package_rels[rel_id]  # python-docx's picture of its own blank page
    document_rels = doc.part.rels
    for rel_id in [r for r, rel in document_rels.items() if rel.reltype.endswith("/stylesWithEffects")]:
        del document_rels[rel_id]  # a stale copy of the styles that Word 2010 would prefer
    return doc


def _styles(doc: Document) -> None:
    styles = doc.styles
    ooxml.fonts(styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")), 14)
    normal = styles["Normal"]
    ooxml.style_fonts(normal, 14)
    spacing(normal, align=JUSTIFY, indent=10, before=0, after=6, line=1.2)
    normal.paragraph_format.widow_control = True
    for name in ("Normal Table", "Table Grid"):
        ooxml.style_fonts(styles[name])
    for name in ("Heading 1", "Heading 2"):
        heading = styles[name]
        ooxml.style_fonts(heading, 14)
        heading.font.bold, heading.font.italic = True, False
        heading.font.color.rgb = RGBColor(0, 0, 0)
        spacing(heading, align=JUSTIFY, indent=10, before=9, after=6, line=1.2)
        heading.paragraph_format.keep_with_next = True
    page_header = styles["Header"]
    spacing(page_header, align=CENTER, indent=0, before=0, after=0, line=1.0)
    for tabs in page_header.element.pPr.findall(qn("w:tabs")):  # US Letter tab stops
        page_header.element.pPr.remove(tabs)
    block = styles.add_style(BLOCK, WD_STYLE_TYPE.PARAGRAPH)
    block.base_style, block.style_id = normal, "KhoiTieuDe"
    spacing(block, align=CENTER, indent=0, before=0, after=0, line=1.0)
    cell = styles.add_style(CELL, WD_STYLE_TYPE.PARAGRAPH)
    cell.base_style, cell.style_id = block, "ChuTrongBang"
    ooxml.style_fonts(cell, 12)
    recipient = styles.add_style(RECIPIENT, WD_STYLE_TYPE.PARAGRAPH)
    recipient.base_style, recipient.style_id = block, "NoiNhan"
    ooxml.style_fonts(recipient, 12)
    spacing(recipient, align=LEFT)


def _page(section, landscape: bool) -> None:
    """A4, margins 20/20/30/15 mm (landscape appendices: 20 mm on the binding side, like the PDF)."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    short, long = Twips(11906), Twips(16838)
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(20 if landscape else 30), Mm(15)
    section.header_distance = section.footer_distance = Mm(10)
    section.gutter = Mm(0)


def _page_numbers(doc: Document, section) -> None:
    """Page number centred in the top margin, none on page 1 (a different, empty first-page header)."""
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    paragraph.style = doc.styles["Header"]
    ooxml.page_field(paragraph)


def new_section(doc: Document, landscape: bool) -> None:
    """A page break into a new section; its header (page number) continues the first's."""
    doc.add_section(WD_SECTION.NEW_PAGE)
    ooxml.hidden_mark(doc.paragraphs[-1])  # the empty paragraph now carrying the previous section
    section = doc.sections[-1]
    _page(section, landscape)
    section.different_first_page_header_footer = False


# --- the documents ----------------------------------------------------------------


def report() -> Document:
    doc = new_document("Báo cáo kết quả thực hiện Nghị quyết 28")
    header_block(doc)
    _report_body(doc)
    signature_block(doc)
    _appendices(doc)
    return doc


def _report_body(doc: Document) -> None:
    para(doc, "{{ intro }}")
    heading(doc, "{{ part_marks[0] }} KẾT QUẢ THỰC HIỆN NĂM {{ year }}", 1)
    heading(doc, "1. Kết quả thành lập tổ chức đảng, đoàn thể", 2)
    para(doc, "{{ results_sentence }}")
    para(doc, "{{ change_sentence }}")
    _note(doc, "cumulative_sentence")
    tag(doc, "{%p if people_sentence %}")
    para(doc, "{{ people_sentence }}")
    tag(doc, "{%p endif %}")
    para(doc, "{{ blank_sentence }}")
    para(doc, "{{ completeness_sentence }} {{ results_reference }}")
    para(doc, "{{ chart }}", BLOCK, before=6, keep=True)  # the renderer puts the chart's PNG here
    para(doc, "{{ chart_caption }}", BLOCK, ITALIC, after=6)
    heading(doc, "2. Đánh giá chung", 2)
    for name, label in (("strengths", "Ưu điểm:"), ("weaknesses", "Hạn chế:")):
        tag(doc, f"{{%p if {name} %}}")
        para(doc, label, font=ITALIC, after=3)
        tag(doc, f"{{%p for text in {name} %}}")
        para(doc, "{{ text }}")
        tag(doc, "{%p endfor %}")
        tag(doc, "{%p endif %}")
    heading(doc, "{{ part_marks[1] }} PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {{ next_year }}", 1)
    heading(doc, "1. Chỉ tiêu năm {{ next_year }}", 2)
    para(doc, "{{ targets_sentence }} {{ targets_reference }}")
    tag(doc, "{%p if tasks %}")
    heading(doc, "2. Nhiệm vụ, giải pháp", 2)
    tag(doc, "{%p for text in tasks %}")
    para(doc, "{{ text }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")


def _appendix_title(doc: Document, label: str, title: str) -> None:
    para(doc, label, BLOCK, BOLD, align=RIGHT, keep=True)
    para(doc, title, BLOCK, BOLD, before=6, keep=True)


def _attachment_line(doc: Document) -> None:
    """"(Kèm theo Báo cáo số 15-BC/BCĐ ngày 29/12/2016 của Ban Chỉ đạo)" under every appendix's title."""
    para(doc, "({{ attachment_line }})", BLOCK, Font(italic=True, size=13), after=8, keep=True)


def _note(doc: Document, name: str) -> None:
    """A paragraph saying where rows not printed are, when the context has one."""
    tag(doc, f"{{%p if {name} %}}")
    para(doc, f"{{{{ {name} }}}}")
    tag(doc, "{%p endif %}")


def _appendices(doc: Document) -> None:
    new_section(doc, landscape=True)
    _appendix_title(doc, "{{ appendix_names[0] }}", "{{ appendix_titles[0] }}")
    _attachment_line(doc)
    _note(doc, "unit_list_note")
    unit_table(doc, LANDSCAPE_WIDTH, "planned", "result_rows", sub_headers=True)
    tag(doc, "{%p if people %}")
    para(doc, "Kết nạp, phát triển mới đảng viên, đoàn viên, hội viên", BLOCK, BOLD, align=LEFT, before=10, after=6,
         keep=True)
    unit_table(doc, LANDSCAPE_WIDTH, "people", "people_rows", sub_headers=False)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if trend_rows %}")
    para(doc, "{{ trend_caption }}", BLOCK, BOLD, align=LEFT, before=10, after=6, keep=True)
    unit_table(doc, LANDSCAPE_WIDTH, "planned", "trend_rows", sub_headers=True, lead="Năm")
    tag(doc, "{%p endif %}")
    _note(doc, "previous_note")
    tag(doc, "{%p if trend_chart %}")
    para(doc, "{{ trend_chart }}", BLOCK, before=10, after=6)  # the renderer puts the trend chart's PNG here
    tag(doc, "{%p endif %}")

    new_section(doc, landscape=False)
    _appendix_title(doc, "{{ appendix_names[1] }}", "{{ appendix_titles[1] }}")
    _attachment_line(doc)
    _note(doc, "target_list_note")
    unit_table(doc, PORTRAIT_WIDTH, "planned", "target_rows", sub_headers=False)

    new_section(doc, landscape=True)
    _appendix_title(doc, "{{ appendix_names[2] }}", "DANH SÁCH TỔ CHỨC ĐẢNG, ĐOÀN THỂ THÀNH LẬP MỚI NĂM {{ year }}")
    _attachment_line(doc)
    _note(doc, "org_list_note")
    tag(doc, "{%p if org_groups %}")
    _organisations_table(doc)
    tag(doc, "{%p endif %}")


def _organisations_table(doc: Document) -> None:
    widths = [11.0, 75.0, 29.0, 44.5, 31.4, 28.8, 26.2]
    table = data_table(doc, [*widths, LANDSCAPE_WIDTH - sum(widths)])
    add_row(table, ["STT", "Tên doanh nghiệp", "Mã số thuế", "Loại hình doanh nghiệp", "Loại tổ chức",
                    "Số quyết định", "Ngày quyết định", "Số thành viên"], header=True, size=11)
    loop_row(table, "{%tr for group in org_groups %}")
    group = table.add_row()
    row_properties(group)
    merged = group.cells[0].merge(group.cells[-1])
    clear(merged)
    para(merged, "{{ group.unit }}", CELL, Font(bold=True, italic=True, size=11), align=LEFT)
    loop_row(table, "{%tr for row in group.rows %}")
    add_row(table, ["{{ row.number }}", "{{ row.enterprise }}", "{{ row.tax_code }}", "{{ row.legal_form }}",
                    "{{ row.org_type }}", "{{ row.decision_no }}", "{{ row.decision_date }}", "{{ row.members }}"],
            aligns=[CENTER, LEFT, CENTER, LEFT, LEFT, LEFT, CENTER, CENTER], size=11)
    loop_row(table, "{%tr endfor %}")
    loop_row(table, "{%tr endfor %}")


def notice() -> Document:
    doc = new_document("Thông báo kết quả thực hiện Nghị quyết 28 và giao chỉ tiêu")
    header_block(doc)
    para(doc, "Kính gửi: {{ addressee }}", BLOCK, before=6, after=10)
    para(doc, "{{ intro }}")
    heading(doc, "1. Kết quả thực hiện năm {{ year }}", 2)
    tag(doc, "{%p if status_sentence %}")
    para(doc, "{{ status_sentence }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if results_sentence %}")
    for name in ("results_sentence", "change_sentence", "rank_sentence"):
        para(doc, f"{{{{ {name} }}}}")
    for name in ("trend_sentence", "blank_sentence", "people_sentence"):
        tag(doc, f"{{%p if {name} %}}")
        para(doc, f"{{{{ {name} }}}}")
        tag(doc, "{%p endif %}")
    _notice_results(doc)
    tag(doc, "{%p endif %}")
    heading(doc, "2. Chỉ tiêu giao năm {{ next_year }}", 2)
    para(doc, "{{ targets_sentence }}", keep=True)  # the heading, its sentence and its table on one page
    _notice_targets(doc)
    tag(doc, "{%p for text in closing %}")
    para(doc, "{{ text }}", before=6)
    tag(doc, "{%p endfor %}")
    signature_block(doc)
    return doc


def reminder() -> Document:
    doc = new_document("Công văn đôn đốc gửi biểu mẫu báo cáo")
    header_block(doc, letter=True)
    para(doc, "Kính gửi: {{ addressee }}", BLOCK, before=12, after=10)
    tag(doc, "{%p for text in paragraphs %}")
    para(doc, "{{ text }}")
    tag(doc, "{%p endfor %}")
    signature_block(doc)
    return doc


def _notice_results(doc: Document) -> None:
    first = PORTRAIT_WIDTH * 0.38
    table = data_table(doc, [first] + [(PORTRAIT_WIDTH - first) / 6] * 6)
    add_row(table, ["Chỉ tiêu", "Đơn vị tính", "Kế hoạch", "Thực hiện", "Tỉ lệ", "Năm {{ year - 1 }}", "Xếp hạng"],
            header=True, keep=True)
    loop_row(table, "{%tr for row in rows %}", keep=True)
    add_row(table, ["{{ row.name }}", "{{ row.measure }}", "{{ row.plan }}", "{{ row.actual }}", "{{ row.percent }}",
                    "{{ row.previous }}", "{{ row.rank }}"], aligns=[LEFT] + [CENTER] * 6, keep=True)
    loop_row(table, "{%tr endfor %}")
    para(doc, "", BLOCK, after=4)


def _notice_targets(doc: Document) -> None:
    first = PORTRAIT_WIDTH * 0.55
    table = data_table(doc, [first] + [(PORTRAIT_WIDTH - first) / 2] * 2)
    add_row(table, ["Chỉ tiêu", "Đơn vị tính", "Chỉ tiêu giao năm {{ next_year }}"], header=True, keep=True)
    loop_row(table, "{%tr for row in targets %}", keep=True)
    add_row(table, ["{{ row.name }}", "{{ row.measure }}", "{{ row.target }}"], aligns=[LEFT, CENTER, CENTER],
            keep=True)
    loop_row(table, "{%tr endfor %}")
    para(doc, "", BLOCK, after=4)


# --- output ---------------------------------------------------------------------------


TEMPLATES = {"bao-cao.docx": report, "thong-bao.docx": notice, "don-doc.docx": reminder}


def template_bytes(name: str) -> bytes:
    """The template `name` as .docx bytes; the same code gives the same bytes."""
    buffer = io.BytesIO()
    TEMPLATES[name]().save(buffer)
    return fixed_zip(buffer.getvalue(), {})


def main() -> None:
    for name in TEMPLATES:
        path = HERE / name
        path.write_bytes(template_bytes(name))
        print(f"Đã ghi {path}")


if __name__ == "__main__":
    main()
