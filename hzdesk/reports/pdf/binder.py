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
from hzdesk.errors import HzdeskError
from hzdesk.files import atomic_output
from hzdesk.parsing import format_date_cn
from hzdesk.reports.kinds import BINDER_PARTS
from hzdesk.reports.pdf.fonts import register
from hzdesk.reports.pdf.pages import PageNumbers, info
from hzdesk.reports.pdf.render import MM, count_pages, write_ledger
from hzdesk.reports.pdf.ledgers import build
from hzdesk.services.settings import printed_office

PARTS = [(k.key, k.title) for k in BINDER_PARTS]   # the registry says which kinds, in which order


def _cover_and_contents(path: Path, office: str, year: int, entries: list[tuple[str, int]], printed: dt.date,
                        chain: str = "") -> None:
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
    if chain:   # the audit chain's head on paper: an anchor no one can rewrite with the file
        c.setFont(font, 9)
        c.drawCentredString(w / 2, h * 0.21, f"留痕校验码：{chain}")
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


def _sheets(session: Session, year: int, as_of: dt.date) -> list[tuple[str, str, list[str]]]:
    """The year's 督办单 (each problem handed over in the year, as `stats` counts them) and 销号单
    (each problem closed in the year), by problem number."""
    from sqlalchemy import select

    from hzdesk.db.models import Problem
    from hzdesk.services.work import supervision_sheet_numbers

    last = min(dt.date(year, 12, 31), as_of)
    issued = supervision_sheet_numbers(session, dt.date(year, 1, 1), last)
    closed = list(session.scalars(select(Problem.number).where(Problem.closed_on >= dt.date(year, 1, 1),
                                                              Problem.closed_on <= last)
                                  .order_by(Problem.closed_on, Problem.id)))
    return [("issue", "问题督办单", issued), ("closure", "问题整改销号单", closed)]


def _sheet(session: Session, kind: str, number: str, out: Path, attachments: Path | None,
           numbers: PageNumbers = PageNumbers()) -> int:
    from hzdesk.reports.pdf.problem_sheets import closure_sheet, issue_sheet

    if kind == "issue":
        return issue_sheet(session, number, out, numbers)
    return closure_sheet(session, number, out, attachments, numbers)


def _page_writers(session: Session, period, as_of: dt.date, attachments: Path | None):
    """The sections drawn page by page rather than laid out as a ledger: kind → (file, numbers) →
    pages written."""
    from hzdesk.reports.pdf.board_photos import write_board_photos
    from hzdesk.reports.pdf.map_page import write_map
    from hzdesk.reports.pdf.summary import write_summary

    return {"summary": lambda out, numbers: write_summary(session, out, period, as_of, numbers=numbers),
            "map": lambda out, numbers: write_map(session, out, as_of, numbers=numbers),
            "board-photos": lambda out, numbers: write_board_photos(session, out, as_of, attachments,
                                                                    numbers=numbers)}


def _has_map(session: Session, as_of: dt.date) -> bool:
    from hzdesk.services.map_data import map_data

    return map_data(session, as_of).bounds() is not None


def write_binder(session: Session, path: str | os.PathLike, year: int, as_of: dt.date | None = None,
                 progress: Callable[[str], None] = lambda s: None,
                 should_stop: Callable[[], bool] = lambda: False, sheets: bool = False,
                 attachments: Path | None = None, brief: bool = False) -> int:
    """The year's binder as one book: every section is laid out first so that its pages carry
    the book's running numbers (and their section's name); the contents, the bookmarks and the
    PDF's page labels give the same numbers. Cover and contents are numbered Ⅰ, Ⅱ apart. With
    `sheets`, the year's 督办单 and 销号单 follow as two more sections, one bookmark per problem."""
    from pypdf import PdfReader, PdfWriter

    office = printed_office(session)
    period = (dt.date(year, 1, 1), dt.date(year, 12, 31))
    as_of = as_of or min(clock.today(), period[1])
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="hzdesk-binder-") as folder:
        laid: list[tuple[str, str, int, object]] = []
        pages_of = _page_writers(session, period, as_of, attachments)
        for kind, title in PARTS:
            progress(f"排版：{title}")
            if kind == "map" and not _has_map(session, as_of):
                continue        # an office without geometry has no map section (nothing is broken)
            if kind in pages_of:
                laid.append((kind, title, pages_of[kind](Path(folder) / "count.pdf", PageNumbers()), "pages"))
            else:
                doc = build(session, kind, period=period, as_of=as_of, brief=brief)
                pages, layout = count_pages(doc, should_stop)
                laid.append((kind, title, pages, (doc, layout)))
        for kind, title, numbers_of in (_sheets(session, year, as_of) if sheets else []):
            if not numbers_of:
                continue
            progress(f"排版：{title}（{len(numbers_of)} 份）")
            each = []
            for n, number in enumerate(numbers_of, start=1):   # each sheet's pages, counted by laying it out
                if should_stop():
                    raise HzdeskError("已取消，文件没有写出。")
                try:
                    each.append((number, _sheet(session, kind, number, Path(folder) / "count.pdf", attachments)))
                except HzdeskError:   # a sheet the problem's present state does not allow is not in the book
                    continue
            if each:
                laid.append((kind, title, sum(p for _n, p in each), each))
        total = sum(pages for _k, _t, pages, _l in laid)
        entries, number = [], 1
        for _kind, title, pages, _l in laid:
            entries.append((title, number))
            number += pages
        parts: list[tuple[str, Path]] = []
        for (kind, title, _pages, ledger), (_t, first) in zip(laid, entries):
            progress(title)
            out = Path(folder) / f"{kind}.pdf"
            numbers = PageNumbers(first, total, title)
            if ledger == "pages":
                pages_of[kind](out, numbers)
            elif kind in ("issue", "closure"):   # one file per sheet, numbered where it falls in the book
                at, files = first, []
                for number, pages in ledger:
                    sheet_out = Path(folder) / f"{kind}-{len(files)}.pdf"
                    _sheet(session, kind, number, sheet_out, attachments, PageNumbers(at, total, title))
                    files.append((number, sheet_out, pages))
                    at += pages
                parts.append((title, files))
                continue
            else:
                doc, layout = ledger
                write_ledger(out, doc, should_stop=should_stop, numbers=numbers, layout=layout)
            parts.append((title, out))
        front = Path(folder) / "front.pdf"
        from hzdesk.db.anchor import chain_head, code
        _cover_and_contents(front, office, year, entries, clock.today(), code(chain_head(session.connection())))
        writer = PdfWriter()
        writer.append(str(front))
        front_pages = len(writer.pages)
        for title, out in parts:
            first = len(writer.pages)
            if isinstance(out, list):   # the sheets: a bookmark per problem under the section's
                starts = []
                for number, sheet_out, _pages in out:
                    starts.append((number, len(writer.pages)))
                    for p in PdfReader(str(sheet_out)).pages:
                        writer.add_page(p)
                section = writer.add_outline_item(title=title, page_number=first)   # pages exist by now
                for number, at in starts:
                    writer.add_outline_item(title=number, page_number=at, parent=section)
                continue
            for p in PdfReader(str(out)).pages:
                writer.add_page(p)
            writer.add_outline_item(title=title, page_number=first)
        # A viewer's page box shows the printed numbers: Ⅰ, Ⅱ for the front, then 1 … total.
        writer.set_page_label(0, front_pages - 1, style="/R")
        writer.set_page_label(front_pages, len(writer.pages) - 1, style="/D", start=1)
        meta = info(f"{year}年度河长制工作台账", office)
        writer.add_metadata({"/Title": meta["title"], "/Author": meta["author"], "/Creator": meta["creator"]})
        with atomic_output(path) as tmp, open(tmp, "wb") as fh:
            writer.write(fh)
        return len(writer.pages)
