"""Small WordprocessingML helpers for build_templates.py (python-docx + raw XML).

python-docx covers paragraphs, runs and sections; what it lacks (table
borders and cell margins, fixed layout, repeated header rows, paragraph
rules, fields, East Asian and complex-script font names) is written here as
raw elements, each inserted where the schema's sequence wants it: Word
refuses a file whose property elements are out of order.
"""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

# The font the templates are built with; pipeline/render/docx.py puts style.office_font of settings.yaml in its
# place when an office names another.
FONT = "Times New Roman"

# Schema order of the property elements touched here (ECMA-376 §17).
PPR = ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
       "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
       "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
       "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
       "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
       "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
RPR = ("w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
       "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
       "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs",
       "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs",
       "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")
TBLPR = ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
         "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd",
         "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
TCPR = ("w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd", "w:noWrap",
        "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")


def twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


def element(tag: str, children: tuple = (), **attrs: str):
    """<w:tag w:key="value" …>children</w:tag>; attribute names without the prefix."""
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), str(value))
    for child in children:
        el.append(child)
    return el


def put(parent, child, order: tuple[str, ...]):
    """Replace parent's child of the same tag, or insert it where `order` says."""
    tag = child.tag
    for old in parent.findall(tag):
        parent.remove(old)
    names = [qn(t) for t in order]
    later = names[names.index(tag) + 1:] if tag in names else []
    for index, existing in enumerate(parent):
        if existing.tag in later:
            parent.insert(index, child)
            return child
    parent.append(child)
    return child


def fonts(rpr, size: float | None = None) -> None:
    """Times New Roman for every script (no theme fonts), Vietnamese language."""
    put(rpr, element("w:rFonts", ascii=FONT, hAnsi=FONT, cs=FONT, eastAsia=FONT), RPR)
    if size is not None:
        put(rpr, element("w:sz", val=round(size * 2)), RPR)
        put(rpr, element("w:szCs", val=round(size * 2)), RPR)
    put(rpr, element("w:lang", val="vi-VN", eastAsia="vi-VN", bidi="ar-SA"), RPR)


def style_fonts(style, size: float | None = None) -> None:
    fonts(style.element.get_or_add_rPr(), size)


# --- paragraphs -------------------------------------------------------------------


def rule_below(paragraph, points: float = 0.75) -> None:
    """A solid rule under a paragraph, as wide as its indents allow."""
    bottom = element("w:bottom", val="single", sz=round(points * 8), space=1, color="000000")
    put(paragraph._p.get_or_add_pPr(), element("w:pBdr", (bottom,)), PPR)


def page_field(paragraph) -> None:
    """The PAGE field: Word and LibreOffice put the page number there."""
    def run(*children):
        r = OxmlElement("w:r")
        for child in children:
            r.append(child)
        paragraph._p.append(r)

    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    number = OxmlElement("w:t")
    number.text = "2"
    run(element("w:fldChar", fldCharType="begin"))
    run(instr)
    run(element("w:fldChar", fldCharType="separate"))
    run(number)
    run(element("w:fldChar", fldCharType="end"))


def hidden_mark(paragraph) -> None:
    """Shrink an empty paragraph (a section break's) to next to nothing."""
    ppr = paragraph._p.get_or_add_pPr()
    put(ppr, element("w:spacing", before=0, after=0, line=20, lineRule="exact"), PPR)
    put(ppr, element("w:ind", firstLine=0), PPR)
    rpr = put(ppr, OxmlElement("w:rPr"), PPR)
    put(rpr, element("w:sz", val=2), RPR)
    put(rpr, element("w:szCs", val=2), RPR)


# --- tables -----------------------------------------------------------------------


def table_properties(table, width_mm: float, *, borders: bool, margins_pt: tuple[float, float] = (0, 0),
                     style: str | None = None) -> None:
    """Fixed layout at `width_mm`, single 0.75 pt borders or none, cell margins (vertical, horizontal)."""
    tbl_pr = table._tbl.tblPr
    if style:
        put(tbl_pr, element("w:tblStyle", val=style), TBLPR)
    put(tbl_pr, element("w:tblW", w=twips(width_mm), type="dxa"), TBLPR)
    put(tbl_pr, element("w:jc", val="center"), TBLPR)
    kind = {"val": "single", "sz": 6, "space": 0, "color": "000000"} if borders else {"val": "nil"}
    sides = tuple(element(f"w:{side}", **kind) for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    put(tbl_pr, element("w:tblBorders", sides), TBLPR)
    put(tbl_pr, element("w:tblLayout", type="fixed"), TBLPR)
    vertical, horizontal = (round(m * 20) for m in margins_pt)
    mar = tuple(element(f"w:{side}", w=value, type="dxa")
                for side, value in (("top", vertical), ("left", horizontal), ("bottom", vertical),
                                    ("right", horizontal)))
    put(tbl_pr, element("w:tblCellMar", mar), TBLPR)


def set_grid(table, widths_mm: list[float]) -> None:
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm, strict=True):
        col.set(qn("w:w"), str(twips(width)))


def row_properties(row, *, header: bool = False) -> None:
    """Rows never split across pages; header rows repeat on every page."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(element("w:cantSplit"))
    if header:
        tr_pr.append(element("w:tblHeader"))


def cell_width(cell, width_mm: float | None) -> None:
    """A fixed width, or None: "auto", a column-loop cell sharing what the fixed cells leave."""
    width = (element("w:tcW", w=twips(width_mm), type="dxa") if width_mm is not None
             else element("w:tcW", w=0, type="auto"))
    put(cell._tc.get_or_add_tcPr(), width, TCPR)


def cell_merge(cell, value: str) -> None:
    """Vertical merge: "restart" on the top cell, "continue" below it."""
    attrs = {"val": value} if value == "restart" else {}
    put(cell._tc.get_or_add_tcPr(), element("w:vMerge", **attrs), TCPR)


def cell_centre(cell) -> None:
    put(cell._tc.get_or_add_tcPr(), element("w:vAlign", val="center"), TCPR)


def clear(cell) -> None:
    for p in list(cell._tc.findall(qn("w:p"))):
        cell._tc.remove(p)
