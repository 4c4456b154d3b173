"""迎检台账: one PDF for an inspection — a cover, a table of contents, and every ledger of a year,
with bookmarks so the inspector can jump to each ledger."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Callable

from sqlalchemy.orm import Session

from hzdesk import clock
from hzdesk.files import atomic_output
from hzdesk.parsing import format_date_cn
from hzdesk.reports.kinds import BINDER_PARTS
from hzdesk.reports.pdf.fonts import register
from hzdesk.reports.pdf.render import MM, write_ledger
from hzdesk.reports.pdf.ledgers import build
from hzdesk.reports.pdf.summary import write_summary
from hzdesk.services.settings import get_setting

PARTS = [(k.key, k.title) for k in BINDER_PARTS]   # the registry says which kinds, in which order


def _cover_and_contents(path: Path, office: str, year: int, entries: list[tuple[str, int]], printed: dt.date) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    font = register()
    w, h = A4
    c = Canvas(str(path), pagesize=A4)
    c.setFont(font, 30)
    c.drawCentredString(w / 2, h * 0.62, f"{year}年度河长制工作台账")
    c.setFont(font, 16)
    c.drawCentredString(w / 2, h * 0.55, office)
    c.setFont(font, 12)
    c.drawCentredString(w / 2, h * 0.25, format_date_cn(printed))
    c.showPage()
    c.setFont(font, 20)
    c.drawCentredString(w / 2, h - 40 * MM, "目　录")
    c.setFont(font, 12)
    y = h - 60 * MM
    for i, (title, page) in enumerate(entries, start=1):
        c.drawString(30 * MM, y, f"{i}．{title}")
        dots_from = 30 * MM + c.stringWidth(f"{i}．{title}", font, 12) + 4
        c.setDash(1, 3)
        c.line(dots_from, y + 2, w - 40 * MM, y + 2)
        c.setDash()
        c.drawRightString(w - 30 * MM, y, str(page))
        y -= 11 * MM
    c.showPage()
    c.save()


def write_binder(session: Session, path: str | os.PathLike, year: int, as_of: dt.date | None = None,
                 progress: Callable[[str], None] = lambda s: None,
                 should_stop: Callable[[], bool] = lambda: False) -> int:
    from pypdf import PdfReader, PdfWriter

    office = get_setting(session, "office_name")
    period = (dt.date(year, 1, 1), dt.date(year, 12, 31))
    as_of = as_of or min(clock.today(), period[1])
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="hzdesk-binder-") as folder:
        parts: list[tuple[str, Path, int]] = []
        for kind, title in PARTS:
            progress(title)
            out = Path(folder) / f"{kind}.pdf"
            if kind == "summary":
                pages = write_summary(session, out, period, as_of)
            else:
                pages = write_ledger(out, build(session, kind, period=period, as_of=as_of), should_stop=should_stop)
            parts.append((title, out, pages))
        entries, page = [], 3  # cover and contents come first
        for title, _out, pages in parts:
            entries.append((title, page))
            page += pages
        front = Path(folder) / "front.pdf"
        _cover_and_contents(front, office, year, entries, clock.today())
        writer = PdfWriter()
        writer.append(str(front))
        for (title, out, _pages), (_t, start) in zip(parts, entries):
            reader = PdfReader(str(out))
            first = len(writer.pages)
            for p in reader.pages:
                writer.add_page(p)
            writer.add_outline_item(title=title, page_number=first)
        writer.add_metadata({"/Title": f"{year}年度河长制工作台账", "/Author": office})
        with atomic_output(path) as tmp, open(tmp, "wb") as fh:
            writer.write(fh)
        return len(writer.pages)
