"""公示牌照片: each board in use on a day with its latest photo, six to an A4 page, captioned with
what an inspector checks against the riverside — code, water body, place, the chiefs the face
showed and whether they are still in charge (#14 point 1). Boards without a photo are named at
the end, so the clerk knows where to go with a camera."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hzdesk import clock
from hzdesk.db import models as m
from hzdesk.files import atomic_output
from hzdesk.parsing import format_date_cn
from hzdesk.reports.pdf.fonts import register
from hzdesk.reports.pdf.pages import PageNumbers, info
from hzdesk.reports.pdf.render import wrap_text
from hzdesk.services.boards import BoardStatus, board_statuses
from hzdesk.services.settings import get_setting, printed_office

MM = 72 / 25.4
COLUMNS, ROWS = 2, 3


@dataclass
class BoardPhoto:
    status: BoardStatus
    file: Path
    taken: dt.date


def latest_photos(session: Session, store: Path | None, as_of: dt.date) -> tuple[list[BoardPhoto], list[BoardStatus]]:
    """(boards in use on `as_of` with the latest photo known that day, boards without one). A photo
    counts from the day it was taken (or added, when the camera did not say)."""
    from hzdesk.services.attachments import file_of

    statuses = board_statuses(session, as_of)
    A = m.Attachment
    best: dict[int, tuple[dt.date, Path]] = {}
    if store is not None:
        for att in session.scalars(select(A).where(A.owner_type == "sign_board", A.mime.like("image/%"))
                                   .order_by(A.id)):
            taken = (att.taken_at or att.created_at).date()
            if taken > as_of or not (path := file_of(store, att)).exists():
                continue
            if att.owner_id not in best or taken >= best[att.owner_id][0]:
                best[att.owner_id] = (taken, path)
    with_photo = [BoardPhoto(s, best[s.board_id][1], best[s.board_id][0]) for s in statuses if s.board_id in best]
    without = [s for s in statuses if s.board_id not in best]
    return with_photo, without


def write_board_photos(session: Session, path: str | os.PathLike, as_of: dt.date | None = None,
                       store: Path | None = None, numbers: PageNumbers = PageNumbers()) -> int:
    """Write the photo book; returns its number of pages."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from hzdesk.services.attachments import thumbnail_png

    as_of = as_of or clock.today()
    font = register()
    office = printed_office(session)
    binding = max(12.0, get_setting(session, "binding_margin_mm")) * MM
    photos, without = latest_photos(session, store, as_of)
    w, h = A4
    right, top, bottom = 12 * MM, h - 12 * MM, 16 * MM
    grid_top = top - 22 * MM
    cell_w, cell_h = (w - binding - right) / COLUMNS, (grid_top - bottom) / ROWS
    per_page = COLUMNS * ROWS
    missing_lines = wrap_text(font, _missing_text(without), w - binding - right, 9)
    pages = max(1, -(-len(photos) // per_page))
    rows_on_last = -(-(len(photos) - (pages - 1) * per_page) // COLUMNS) if photos else 0
    if missing_lines and rows_on_last == ROWS:
        pages += 1          # no room for the list of boards without a photo under the last row
    title = "河长公示牌照片"
    with atomic_output(path) as tmp:
        c = Canvas(tmp, pagesize=A4, pageCompression=1)
        meta = info(title, office, f"截至 {as_of.isoformat()}")
        c.setTitle(meta["title"])
        c.setAuthor(meta["author"])
        c.setCreator(meta["creator"])
        for page in range(1, pages + 1):
            c.setFont(font, 9)
            if page == 1:
                c.setFont(font, 16)
                c.drawCentredString((binding + w - right) / 2, top - 16, title)
                c.setFont(font, 10.5)
                c.drawCentredString((binding + w - right) / 2, top - 34, office)
                c.setFont(font, 9)
                c.drawString(binding, top - 52, f"截至 {format_date_cn(as_of)}：在用公示牌 {len(photos) + len(without)} 块，"
                                                f"有照片 {len(photos)} 块，无照片 {len(without)} 块")
            else:
                c.drawString(binding, top - 10, f"{title}（续）")
            chunk = photos[(page - 1) * per_page: page * per_page]
            for i, photo in enumerate(chunk):
                x = binding + (i % COLUMNS) * cell_w
                y = grid_top - (i // COLUMNS + 1) * cell_h
                _cell(c, font, photo, x, y, cell_w, cell_h, thumbnail_png)
            if page == pages and missing_lines:
                used_rows = -(-len(chunk) // COLUMNS)
                y = grid_top - used_rows * cell_h - 14
                fits = int((y - bottom) / 12)
                shown = missing_lines if len(missing_lines) <= fits else \
                    missing_lines[:fits - 1] + [f"……（共 {len(without)} 块，其余见公示牌台账）"]
                c.setFont(font, 9)
                for line in shown:
                    c.drawString(binding, y, line)
                    y -= 12
            c.setFont(font, 9)
            c.drawCentredString((binding + w - right) / 2, bottom - 10, numbers.footer(page, pages))
            c.showPage()
        c.save()
    return pages


def _missing_text(without: list[BoardStatus]) -> str:
    if not without:
        return ""
    return f"无照片的公示牌（{len(without)} 块）：" + "、".join(s.code for s in without)


def _cell(c, font: str, photo: BoardPhoto, x: float, y: float, w: float, h: float, thumbnail_png) -> None:
    """One board: the photo fitted above four lines of caption, inside a thin frame."""
    from io import BytesIO

    from reportlab.lib.utils import ImageReader

    pad, caption_h = 3 * MM, 4 * 11 + 4
    c.setLineWidth(0.5)
    c.rect(x + 1, y + 1, w - 2, h - 2)
    box_w, box_h = w - 2 * pad, h - 2 * pad - caption_h
    try:
        image = ImageReader(BytesIO(thumbnail_png(photo.file, 1000)))
        iw, ih = image.getSize()
        scale = min(box_w / iw, box_h / ih)
        dw, dh = iw * scale, ih * scale
        c.drawImage(image, x + pad + (box_w - dw) / 2, y + pad + caption_h + (box_h - dh) / 2, dw, dh)
    except (OSError, ValueError):      # a damaged file says so in its box instead of stopping the book
        c.setFont(font, 9)
        c.drawCentredString(x + w / 2, y + pad + caption_h + box_h / 2, "（照片文件无法读取）")
    s = photo.status
    state = ("牌面未登记" if not s.known else "与现任一致" if not s.out_of_date
             else f"过期，应更新为：{'、'.join(p.name for p in s.should)}")
    lines = [f"{s.code}　{s.water_body}", f"位置：{s.place or s.village or '—'}",
             f"牌面河长：{'、'.join(s.printed) if s.known and s.printed else '—'}（{state}）",
             f"拍摄：{format_date_cn(photo.taken)}"]
    c.setFont(font, 8.5)
    ty = y + pad + caption_h - 11
    for line in lines:
        for part in wrap_text(font, line, w - 2 * pad, 8.5)[:1]:   # one line each: the frame is fixed
            c.drawString(x + pad, ty, part)
        ty -= 11
