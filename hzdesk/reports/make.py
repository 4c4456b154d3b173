"""Making a report of any registered kind (`reports/kinds.py`): the window, the command line and
the binder's callers all come through `make`."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy.orm import Session

from hzdesk import clock
from hzdesk.errors import ValidationError
from hzdesk.reports.kinds import check_options


def _summary():
    from hzdesk.reports.work_summary import compose
    return compose


def _notice():
    from hzdesk.reports.notice import compose_notice
    return compose_notice


def _ranking():
    from hzdesk.reports.county_notice import compose_ranking
    return compose_ranking


#: How each document kind (kinds.ReportKind.document) is composed.
WRITTEN = {"work-summary": _summary, "assessment": _notice, "county-ranking": _ranking}


@dataclass
class Made:
    """What a report came to, for the message the clerk sees."""

    title: str
    pages: int | None          # None: a Word file, paginated by Word
    rows: int | None = None


def make(session: Session, kind: str, out: str | os.PathLike, *, period: tuple[dt.date, dt.date] | None = None,
         as_of: dt.date | None = None, state: str | None = None, issue: str | None = None,
         attachments: Path | None = None, progress: Callable[[str], None] = lambda s: None,
         should_stop: Callable[[], bool] = lambda: False, with_sheets: bool = False, brief: bool = False,
         patrol: int | None = None) -> Made:
    """Write report `kind` to `out`. `as_of` defaults to today (the binder: the end of its year,
    or today while the year runs). `brief`: ledgers as 简表, a line a record (no detail lines)."""
    spec = check_options(kind, period=period, issue=issue, state=state, patrol=patrol)
    suffix = Path(out).suffix.lower()
    if spec.document and suffix not in (".pdf", ".docx"):
        raise ValidationError({"out": f"{spec.title}可存为 .docx（Word，可修改）或 .pdf，请用这两种文件名结尾"})
    if not spec.document and suffix == ".docx":
        raise ValidationError({"out": f"{spec.title}只能存为 PDF，请把文件名改为以 .pdf 结尾"})
    out_dir = Path(out).parent
    if not out_dir.is_dir():
        raise ValidationError({"out": f"文件夹“{out_dir}”不存在"})
    if kind == "issue-sheet":
        from hzdesk.reports.pdf import problem_sheets as sheets
        sheets.issue_sheet(session, issue, out)
        return Made(f"{spec.title} {issue}", 1)
    if kind == "closure-sheet":
        from hzdesk.reports.pdf import problem_sheets as sheets
        sheets.closure_sheet(session, issue, out, attachments)
        return Made(f"{spec.title} {issue}", 1)
    if kind == "binder":
        from hzdesk.reports.pdf.binder import write_binder
        pages = write_binder(session, out, period[0].year, as_of, progress=progress, should_stop=should_stop,
                             sheets=with_sheets, attachments=attachments, brief=brief)
        return Made(f"{period[0].year}年度迎检台账", pages)
    as_of = as_of or clock.today()
    if kind in WRITTEN:
        progress("统计并起草")
        draft = WRITTEN[kind]()(session, *period, as_of)
        if Path(out).suffix.lower() == ".docx":
            from hzdesk.reports.docx_writer import write_docx
            write_docx(draft, out)
            return Made(draft.title, None)
        from hzdesk.reports.pdf.document import write_pdf
        return Made(draft.title, write_pdf(draft, out))
    if kind == "track":
        from hzdesk.reports.pdf.map_page import write_track_sheet
        return Made(f"{spec.title}（记录号 {patrol}）", write_track_sheet(session, patrol, out))
    if kind == "map":
        from hzdesk.reports.pdf.map_page import write_map
        progress("绘制地图")
        return Made(spec.title, write_map(session, out, as_of))
    if kind == "board-photos":
        from hzdesk.reports.pdf.board_photos import write_board_photos
        progress("排版照片")
        return Made(spec.title, write_board_photos(session, out, as_of, attachments))
    if kind == "summary":
        from hzdesk.reports.pdf.summary import write_summary
        progress("统计并绘图")
        return Made(spec.title, write_summary(session, out, period, as_of))
    from hzdesk.collector import collector_resting
    from hzdesk.reports.pdf.render import write_ledger
    from hzdesk.reports.pdf.ledgers import build
    with collector_resting():
        progress("读取台账")
        doc = build(session, kind, period=period, as_of=as_of, state=state, brief=brief)
        progress(f"排版 {len(doc.rows)} 行")
        return Made(doc.title, write_ledger(out, doc, should_stop=should_stop), len(doc.rows))
