"""A drafted report (`reports/work_summary.py`) as a PDF, laid out like its Word file.

The same GB/T 9704-style page as `docx_writer`: A4, margins 37/35/28/26 mm, title 二号, body 三号 on
lines 28.95 pt apart, "— N —" at the foot. The faces are the PC's own 公文 fonts where Windows has
them (仿宋, 黑体, 楷体, a 小标宋 if installed), embedded; elsewhere the bundled font stands in for all.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from hzdesk.files import atomic_output
from hzdesk.reports.docx_writer import BODY_PT, LINE_PT, TABLE_PT, TITLE_PT
from hzdesk.reports.pdf.fonts import paragraph_font
from hzdesk.reports.pdf.pages import info
from hzdesk.reports.work_summary import Draft

#: Each role's font files, best first, as Windows and the 公文 font packs name them.
FACES = {
    "title": ("FZXBSJW.TTF", "方正小标宋简体.ttf", "方正小标宋_GBK.ttf", "simhei.ttf"),
    "body": ("仿宋_GB2312.ttf", "FangSong_GB2312.ttf", "simfang.ttf"),
    "h1": ("simhei.ttf",),
    "h2": ("楷体_GB2312.ttf", "KaiTi_GB2312.ttf", "simkai.ttf"),
}


def _font_dirs() -> list[Path]:
    dirs = [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"]
    if os.environ.get("LOCALAPPDATA"):
        dirs.append(Path(os.environ["LOCALAPPDATA"]) / "Microsoft" / "Windows" / "Fonts")
    return [d for d in dirs if d.is_dir()]


@lru_cache(maxsize=1)
def faces() -> dict[str, str]:
    """Role → registered font name: the office's face where found, else the bundled one."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    fallback = paragraph_font()
    found: dict[str, str] = {}
    for role, files in FACES.items():
        found[role] = fallback
        for d in _font_dirs():
            path = next((d / f for f in files if (d / f).is_file()), None)
            if path is None:
                continue
            name = f"Office-{path.stem}"
            try:
                if name not in pdfmetrics.getRegisteredFontNames():
                    pdfmetrics.registerFont(TTFont(name, str(path)))
                found[role] = name
            except Exception:   # a damaged or unusual font file: the bundled face prints the same words
                continue
            break
    return found


def write_pdf(draft: Draft, path: str | os.PathLike) -> int:
    """Write the draft; returns the number of pages."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (CondPageBreak, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table,
                                    TableStyle)

    f = faces()
    body = ParagraphStyle("body", fontName=f["body"], fontSize=BODY_PT, leading=LINE_PT, firstLineIndent=2 * BODY_PT,
                          wordWrap="CJK", alignment=4)
    styles = {
        "title": ParagraphStyle("title", fontName=f["title"], fontSize=TITLE_PT, leading=TITLE_PT * 1.5, alignment=1,
                                wordWrap="CJK"),
        "note": ParagraphStyle("note", parent=body, fontName=f["h2"], firstLineIndent=0, alignment=1,
                               spaceAfter=LINE_PT),
        "h1": ParagraphStyle("h1", parent=body, fontName=f["h1"]),
        "h2": ParagraphStyle("h2", parent=body, fontName=f["h2"]),
        "para": body,
        "caption": ParagraphStyle("cap", parent=body, fontName=f["h1"], fontSize=14, leading=22, firstLineIndent=0,
                                  alignment=1),
        "signature": ParagraphStyle("sig", parent=body, firstLineIndent=0, alignment=2, rightIndent=4 * BODY_PT),
        "cell": ParagraphStyle("cell", fontName=f["body"], fontSize=TABLE_PT, leading=TABLE_PT * 1.35,
                               wordWrap="CJK", alignment=1),
        "head": ParagraphStyle("headcell", fontName=f["h1"], fontSize=TABLE_PT, leading=TABLE_PT * 1.35,
                               wordWrap="CJK", alignment=1),
    }
    width = A4[0] - 54 * mm
    story: list = []
    first_signature = True
    for b in draft.blocks:
        if b.kind == "para" and b.lead:
            story.append(Paragraph(f'<font name="{f["h2"]}">{_x(b.lead)}</font>{_x(b.text)}', body))
        elif b.kind in ("h1", "h2"):
            # A heading starts a page rather than end one; a page break only when fewer than three
            # lines are left (keepWithNext would carry a long paragraph over whole and leave a gap).
            story += [CondPageBreak(3 * LINE_PT), Paragraph(_x(b.text), styles[b.kind])]
        elif b.kind in ("title", "note", "para"):
            story.append(Paragraph(_x(b.text), styles[b.kind]))
        elif b.kind == "table":
            total = sum(b.widths) or len(b.rows[0])
            rows = [[Paragraph(_x(v), styles["head" if r == 0 else "cell"]) for v in row] for r, row in enumerate(b.rows)]
            t = Table(rows, colWidths=[width * w / total for w in b.widths], repeatRows=1)
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                   ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
            story += [CondPageBreak(22 + 4 * TABLE_PT * 1.35 + 20), Paragraph(_x(b.text), styles["caption"]), t,
                      Spacer(1, LINE_PT / 2)]
        elif b.kind == "chart":
            from hzdesk.reports.pdf.vector import VectorChart

            story.append(KeepTogether([VectorChart(b.figure, 140 * mm), Paragraph(_x(b.text), styles["caption"])]))
        elif b.kind == "signature":
            if first_signature:
                story.append(Spacer(1, 2 * LINE_PT))
                first_signature = False
            story.append(Paragraph(_x(b.text), styles["signature"]))

    pages = [0]

    def footer(canvas, doc):
        pages[0] = doc.page
        canvas.saveState()
        canvas.setFont(f["body"], 14)
        canvas.drawCentredString(A4[0] / 2, 35 * mm - 14 - 7 * mm, f"— {doc.page} —")
        canvas.restoreState()

    with atomic_output(path) as tmp:
        SimpleDocTemplate(tmp, pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm, topMargin=37 * mm,
                          bottomMargin=35 * mm, **info(draft.title, draft.office, "河长制工作总结（草稿）")).build(
            story, onFirstPage=footer, onLaterPages=footer)
    return pages[0]


def _x(text: str) -> str:
    """Text for a reportlab Paragraph (its markup is XML-like)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
