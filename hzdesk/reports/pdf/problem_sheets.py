"""Single-problem sheets: 督办单 (handed to a unit with its deadline) and 销号单 (the closure record)."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hzdesk import clock
from hzdesk.files import atomic_output
from hzdesk.db import models as m
from hzdesk.errors import HzdeskError, NotFound
from hzdesk.parsing import format_date_cn
from hzdesk.reports.pdf.fonts import paragraph_font
from hzdesk.reports.pdf.pages import PageNumbers, bound_margins, info, numbered_canvas
from hzdesk.services.settings import get_setting
from hzdesk.vocab import ProblemState


def why_no_sheet(kind: str, state: ProblemState, unit: str | None) -> str | None:
    """Why this sheet cannot be printed for a problem in `state` (None: it can). A 督办单 needs a
    unit and a deadline, i.e. a 交办; a 销号单 is pre-filled only once closed, and printed with blank
    verification fields while 待验收 (taken to the site); before that there is nothing to close."""
    if kind == "issue" and (state is ProblemState.REGISTERED or not unit):
        return (f"当前为“{state.value}”，还没有交办（没有责任单位和整改时限），不能签发督办单；"
                "请先在问题台账中“交办”。")
    if kind == "closure" and state not in (ProblemState.CLOSED, ProblemState.AWAITING_CHECK):
        return (f"当前为“{state.value}”，尚未整改完成，不能打印销号单。"
                "责任单位报告整改完成（待验收）后，可打印验收栏空白的销号单带到现场核查。")
    return None


def _problem(session: Session, number: str) -> m.Problem:
    p = session.scalar(select(m.Problem).where(m.Problem.number == number.strip()))
    if p is None:
        raise NotFound(f"没有编号为“{number}”的问题")
    return p


def _styles(font: str):
    from reportlab.lib.styles import ParagraphStyle

    return {
        "title": ParagraphStyle("t", fontName=font, fontSize=20, leading=28, alignment=1, spaceAfter=4),
        "sub": ParagraphStyle("s", fontName=font, fontSize=11, leading=16, alignment=1, spaceAfter=10),
        "cell": ParagraphStyle("c", fontName=font, fontSize=11, leading=16),
        "label": ParagraphStyle("l", fontName=font, fontSize=11, leading=16, alignment=1),
        "small": ParagraphStyle("x", fontName=font, fontSize=9.5, leading=14),
    }


_BASE_MARGIN_MM = 20


def _build(path: str | os.PathLike, story: list, title: str, office: str, binding_mm: float,
           numbers: PageNumbers = PageNumbers()) -> int:
    """Write the sheet; returns its number of pages (a binder numbers them in its own run)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    left, right = bound_margins(binding_mm, _BASE_MARGIN_MM)
    pages = []
    with atomic_output(path) as tmp:
        SimpleDocTemplate(tmp, pagesize=A4, leftMargin=left, rightMargin=right, topMargin=18 * mm,
                          bottomMargin=18 * mm, **info(title, office)).build(
            story, onFirstPage=lambda c, d: pages.append(d.page), onLaterPages=lambda c, d: pages.append(d.page),
            canvasmaker=numbered_canvas(numbers, paragraph_font(), bottom=10 * mm))
    return len(pages)


def _grid(rows, st, widths):
    from reportlab.platypus import Paragraph, Table, TableStyle

    font = st["cell"].fontName
    from xml.sax.saxutils import escape

    # Text is text: a "<" or "&" in a description is printed, not read as markup.
    data = [[Paragraph(escape(str(c)).replace("\n", "<br/>"), st["label"] if i % 2 == 0 else st["cell"])
             for i, c in enumerate(r)] for r in rows]
    t = Table(data, colWidths=widths)
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                           ("FONT", (0, 0), (-1, -1), font), ("BACKGROUND", (0, 0), (0, -1), "#EEEEEE"),
                           ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    for r, row in enumerate(rows):
        if row[2] == "" and row[3] == "":  # a wide row: the value takes the rest of the line
            t.setStyle(TableStyle([("SPAN", (1, r), (3, r))]))
        else:
            t.setStyle(TableStyle([("BACKGROUND", (2, r), (2, r), "#EEEEEE")]))
    return t


def _start(session: Session, number: str):
    """What both single-problem sheets start from: the problem, the styles, the office, the
    printed width (A4 less the margins, the binding one included)."""
    from reportlab.lib.pagesizes import A4

    left, right = bound_margins(get_setting(session, "binding_margin_mm"), _BASE_MARGIN_MM)
    return _problem(session, number), _styles(paragraph_font()), get_setting(session, "office_name"), A4[0] - left - right


#: A wide row's text is cut into pieces of about this many characters, each its own row, so a long
#: 问题描述 runs on to the next page instead of making one row taller than a page.
_PIECE = 240


def _pieces(label: str, text: str) -> list[list[str]]:
    text = (text or "").strip()
    if len(text) <= _PIECE:
        return [[label, text, "", ""]]
    chunks, rest = [], text
    while rest:
        cut = _PIECE if len(rest) > _PIECE else len(rest)
        # end a piece at a sentence or line end where one is near
        for mark in ("\n", "。", "；", "，"):
            at = rest.rfind(mark, _PIECE // 2, cut)
            if at > 0 and len(rest) > _PIECE:
                cut = at + 1
                break
        chunks.append(rest[:cut].strip())
        rest = rest[cut:]
    return [[label if i == 0 else "（续）", c, "", ""] for i, c in enumerate(chunks)]


def _heading_and_grid(office: str, title: str, subtitle: str, rows: list[list[str]], st, w: float,
                      ending: list, keep: int = 2) -> list:
    """Office, title, number line, the four-column grid (a row with no second pair is wide), and
    the `ending` (photos, opinion, signatures) kept on one page with the grid's last `keep` rows:
    the signatures never stand alone on a page."""
    from reportlab.platypus import KeepTogether, Paragraph

    laid: list[list[str]] = []
    for r in rows:
        laid += _pieces(r[0], r[1]) if not r[2] else [r]
    widths = [w * 0.16, w * 0.34, w * 0.16, w * 0.34]
    head, tail = laid[:-keep], laid[-keep:]
    return [Paragraph(office, st["sub"]), Paragraph(title, st["title"]), Paragraph(subtitle, st["sub"]),
            *([_grid(head, st, widths)] if head else []), KeepTogether([_grid(tail, st, widths), *ending])]


def issue_sheet(session: Session, number: str, path: str | os.PathLike, numbers: PageNumbers = PageNumbers()) -> int:
    """督办单: what, where, since when, who must fix it by when, and the boxes to sign."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer


    from hzdesk.services.rules import is_overdue

    p, st, office, w = _start(session, number)
    refused = why_no_sheet("issue", p.state, p.responsible_unit)
    if refused:
        raise HzdeskError(f"问题 {p.number} {refused}")
    # Signed on the day it was handed over (the last 交办 or 恢复整改), not the day it is printed.
    issued = max((e.on_date for e in p.events if e.action in ("交办", "恢复整改")), default=p.found_on)
    today = clock.today()
    rows = [
        ["问题编号", p.number, "发现日期", format_date_cn(p.found_on)],
        ["河湖名称", p.water_body.name, "问题位置", p.place or ""],
        ["问题来源", p.source, "问题类别", p.category],
        ["问题描述", p.description or "", "", ""],
        ["责任单位", p.responsible_unit or "", "责任人", p.responsible_person or ""],
        ["整改时限", format_date_cn(p.deadline) if p.deadline else "", "发现人", p.finder or ""],
        ["整改要求", "请责任单位于整改时限前完成整改，并将整改情况（附整改前后照片）书面报送河长制办公室。", "", ""],
    ]
    if is_overdue(p.state, p.deadline, today):
        days = (today - p.deadline).days
        rows.append(["督办情况", f"截至{format_date_cn(today)}，已超过整改时限 {days} 天仍未整改到位。"
                                 "请立即整改，并于 3 个工作日内书面说明原因和整改计划。", "", ""])
    ending = [Spacer(1, 14 * mm),
              Paragraph("签发人（签字）：______________　　　河长制办公室（盖章）", st["cell"]),
              Spacer(1, 10 * mm),
              Paragraph("责任单位签收人：______________　　　签收日期：______年____月____日", st["cell"]),
              Spacer(1, 10 * mm),
              Paragraph(f"本单一式两联，一联交责任单位，一联河长制办公室存档。（打印日期：{format_date_cn(today)}）",
                        st["small"])]
    story = _heading_and_grid(office, "河湖问题督办单", f"督办单号：{p.number}　　　签发日期：{format_date_cn(issued)}",
                              rows, st, w, ending, keep=3)
    return _build(path, story, f"河湖问题督办单 {p.number}", office, get_setting(session, "binding_margin_mm"), numbers)


def _photo_cell(store: Path | None, atts, st, width: float, height: float):
    """The first photo of a kind, upright and fitted to the box; or a note that there is none."""
    from io import BytesIO

    from reportlab.platypus import Image, Paragraph

    from hzdesk.services.attachments import file_of, thumbnail_png
    for att in atts:
        if store is None or not (att.mime or "").startswith("image/"):
            continue
        source = file_of(store, att)
        if not source.exists():
            continue
        png = thumbnail_png(source, 900)
        img = Image(BytesIO(png))
        scale = min(width / img.imageWidth, height / img.imageHeight)
        img.drawWidth, img.drawHeight = img.imageWidth * scale, img.imageHeight * scale
        return img
    return Paragraph("（未附照片）", st["small"])


def closure_sheet(session: Session, number: str, path: str | os.PathLike, store: Path | None = None,
                  numbers: PageNumbers = PageNumbers()) -> int:
    """销号单: the closure record, with the workflow's history and room for before/after photos."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle


    p, st, office, w = _start(session, number)
    closed = p.state is ProblemState.CLOSED
    refused = why_no_sheet("closure", p.state, p.responsible_unit)
    if refused:
        raise HzdeskError(f"问题 {p.number} {refused}")
    rows = [
        ["问题编号", p.number, "当前状态", p.state.value],
        ["河湖名称", p.water_body.name, "发现日期", format_date_cn(p.found_on)],
        ["问题描述", p.description or "", "", ""],
        ["责任单位", p.responsible_unit or "", "整改时限", format_date_cn(p.deadline) if p.deadline else ""],
        ["整改措施", p.measures or "", "", ""],
        ["整改完成", format_date_cn(p.rectified_on) if p.rectified_on else "", "验收人", p.verifier or ""],
        ["验收日期", format_date_cn(p.verified_on) if p.verified_on else "", "销号日期",
         format_date_cn(p.closed_on) if p.closed_on else ""],
    ]
    history = "\n".join(f"{format_date_cn(e.on_date)}　{e.action}" + (f"（{e.actor}）" if e.actor else "")
                           + (f"：{e.note}" if e.note else "") for e in p.events)
    rows.append(["办理经过", history, "", ""])
    photos = session.scalars(select(m.Attachment).where(m.Attachment.owner_type == "problem",
                                                        m.Attachment.owner_id == p.id)).all()
    before = [a for a in photos if a.purpose == "整改前"]
    after = [a for a in photos if a.purpose == "整改后"]
    box_w, box_h = w / 2 - 8, 46 * mm
    photo_box = Table([[Paragraph("整改前照片", st["label"]), Paragraph("整改后照片", st["label"])],
                       [_photo_cell(store, before, st, box_w, box_h), _photo_cell(store, after, st, box_w, box_h)]],
                      colWidths=[w / 2, w / 2], rowHeights=[None, 48 * mm])
    photo_box.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, "black"), ("VALIGN", (0, 1), (-1, 1), "MIDDLE"),
                                   ("ALIGN", (0, 1), (-1, 1), "CENTER")]))
    ending = [Spacer(1, 5 * mm), photo_box, Spacer(1, 10 * mm),
              # Verified: the office's words. Awaiting verification: blank lines to fill in on site.
              Paragraph("验收意见：经现场核查，问题已整改到位，同意销号。" if closed else
                        "验收意见：□ 已整改到位，同意销号　　□ 未整改到位，退回整改<br/>"
                        "说明：________________________________________________", st["cell"]),
              Spacer(1, 10 * mm),
              Paragraph("验收人（签字）：______________　　　河长制办公室（盖章）　　　______年____月____日", st["cell"])]
    story = _heading_and_grid(office, "河湖问题整改销号单", f"编号：{p.number}", rows, st, w, ending, keep=2)
    return _build(path, story, f"河湖问题整改销号单 {p.number}", office, get_setting(session, "binding_margin_mm"),
                  numbers)
