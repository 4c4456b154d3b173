"""A drafted report as a Word file (.docx) in official-document layout (GB/T 9704 style).

A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; 22 lines of 28 characters (three-size
body, lines exactly 28.95 pt apart); the title in 方正小标宋简体 二号, the body in 仿宋_GB2312 三号,
first-level headings in 黑体, second-level in 楷体_GB2312; page numbers "— 1 —" at the foot. These
are the font names township offices' PCs carry for 公文; a PC without one shows Word's substitute
and the clerk's own template can restyle the file — the text, tables and figure are what matter.
"""

from __future__ import annotations

import io
import os

from hzdesk.files import atomic_output
from hzdesk.reports.charts import png
from hzdesk.reports.work_summary import Draft

TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"
BODY_PT, TITLE_PT, TABLE_PT = 16, 22, 12          # 三号, 二号, 小四
LINE_PT = 28.95


def _font(run, name: str, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)   # Word takes Chinese characters' font from eastAsia


def _paragraph(doc, text: str = "", *, font: str = BODY_FONT, size: float = BODY_PT, align=None,
               indent: bool = True, lead: str = "", lead_font: str = H2_FONT, exact: bool = True):
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    p = doc.add_paragraph()
    fmt = p.paragraph_format
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(LINE_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(2 * size)   # 首行缩进两字
    if align is not None:
        p.alignment = align
    if lead:
        _font(p.add_run(lead), lead_font, size)
    if text:
        _font(p.add_run(text), font, size)
    return p


def _page_number_footer(section) -> None:
    """"— N —" centred at the foot, in a 4-size (14 pt) Song face, as 公文 number their pages."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), "宋体", 14)
    run = p.add_run()
    _font(run, "宋体", 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._element.append(el)
    _font(p.add_run(" —"), "宋体", 14)


def _table(doc, block) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    caption = _paragraph(doc, block.text, font=H1_FONT, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    caption.paragraph_format.keep_with_next = True
    header, *rows = block.rows
    t = doc.add_table(rows=1 + len(rows), cols=len(header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    total = sum(block.widths) or len(header)
    widths = [Mm(156 * w / total) for w in (block.widths or [1] * len(header))]
    for r, values in enumerate([header, *rows]):
        for c, value in enumerate(values):
            cell = t.cell(r, c)
            cell.width = widths[c]
            p = cell.paragraphs[0]
            p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(2)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if c or r == 0 else WD_ALIGN_PARAGRAPH.LEFT
            _font(p.add_run(str(value)), H1_FONT if r == 0 else BODY_FONT, TABLE_PT)
    _paragraph(doc, "", indent=False)   # a line between the table and the text that follows


def write_docx(draft: Draft, path: str | os.PathLike) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28) - Pt(14)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", BODY_FONT)
    _page_number_footer(section)
    props = doc.core_properties
    props.title, props.author, props.subject = draft.title, draft.office, "河长制工作总结（草稿）"

    for b in draft.blocks:
        if b.kind == "title":
            p = _paragraph(doc, b.text, font=TITLE_FONT, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER,
                           indent=False, exact=False)
            p.paragraph_format.space_after = Pt(6)
        elif b.kind == "note":
            _paragraph(doc, b.text, font=H2_FONT, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
            _paragraph(doc, "", indent=False)
        elif b.kind == "h1":
            _paragraph(doc, b.text, font=H1_FONT).paragraph_format.keep_with_next = True
        elif b.kind == "h2":
            _paragraph(doc, b.text, font=H2_FONT).paragraph_format.keep_with_next = True
        elif b.kind == "para":
            _paragraph(doc, b.text, lead=b.lead)
        elif b.kind == "table":
            _table(doc, b)
        elif b.kind == "chart":
            p = _paragraph(doc, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, exact=False)
            p.add_run().add_picture(io.BytesIO(png(b.figure)), width=Mm(140))
            _paragraph(doc, b.text, font=H1_FONT, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        elif b.kind == "signature":
            if b is next(x for x in draft.blocks if x.kind == "signature"):
                for _ in range(2):
                    _paragraph(doc, "", indent=False)
            p = _paragraph(doc, b.text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
            p.paragraph_format.right_indent = Pt(4 * BODY_PT)   # 落款右空四字
    with atomic_output(path) as tmp:
        doc.save(tmp)
