"""The county workbook (.xlsx): one sheet per ledger, Chinese headers, opens cleanly in Excel and WPS.

Written in openpyxl's write-only mode (100,000 patrols in a few seconds and little memory). Dates
are real dates; times, phones and codes are text; no user text ever becomes a formula: a value
that starts with =, +, - or @ is stored as a text cell.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from hzdesk.files import atomic_output
from hzdesk.db import models as m
from hzdesk.errors import HzdeskError
from hzdesk.reports.sheets import SHEETS, Sheet

FORMULA_STARTS = ("=", "+", "-", "@")
CHECKLIST_SEPARATOR = "；"  # the items' own labels contain 、
DATE_FORMAT = "yyyy-mm-dd"
# Which date a period selects, per ledger that has one.
PERIOD_FIELD = {"patrol": "patrol_date", "problem": "found_on"}


class Cancelled(HzdeskError):
    def __init__(self) -> None:
        super().__init__("已取消，文件没有写出。")


def _rows(session: Session, sheet: Sheet, period: tuple[dt.date, dt.date] | None) -> Iterator[list[Any]]:
    model = sheet.ledger.model
    cols: list[Any] = [model.id]
    q_joins = []
    for c in sheet.columns:
        if c.field is None:
            cols.append(model.id)  # placeholder, filled from another query
        elif c.role == "code":
            alias = aliased(m.WaterBody)
            q_joins.append((alias, alias.id == getattr(model, c.field.key)))
            cols.append(alias.code)
        elif c.role == "person_name":
            alias = aliased(m.Person)
            q_joins.append((alias, alias.id == getattr(model, c.field.key)))
            cols += [alias.name, alias.phone]
        elif c.role == "person_phone":
            continue  # selected together with the name
        else:
            cols.append(getattr(model, c.field.key))
    q = select(*cols).select_from(model)
    for alias, on in q_joins:
        q = q.outerjoin(alias, on)
    if period and sheet.ledger.key in PERIOD_FIELD:
        col = getattr(model, PERIOD_FIELD[sheet.ledger.key])
        q = q.where(and_(col >= period[0], col <= period[1]))
    q = q.order_by(*(getattr(model, k) for k in sheet.ledger.order_by), model.id)

    chiefs: dict[int, list[str]] = defaultdict(list)
    if any(c.role == "chiefs" for c in sheet.columns):
        for board_id, name in session.execute(select(m.BoardChief.board_id, m.BoardChief.name)
                                              .order_by(m.BoardChief.board_id, m.BoardChief.seq)):
            chiefs[board_id].append(name)
    labels = dict(session.execute(select(m.ChecklistItem.code, m.ChecklistItem.label)).all())

    for row in session.execute(q.execution_options(yield_per=2000)):
        values = list(row)
        record_id = values.pop(0)
        out: list[Any] = []
        for c in sheet.columns:
            if c.role == "person_phone":
                continue
            value = values.pop(0)
            if c.role == "chiefs":
                out.append("、".join(chiefs.get(record_id, [])))
            elif c.role == "person_name":
                out += [value, values.pop(0)]
            elif c.role == "checklist":
                out.append(CHECKLIST_SEPARATOR.join(labels.get(k, k) for k, seen in (value or {}).items() if seen))
            else:
                out.append(value)
        yield out


def cell_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return value


def write_workbook(path: str | os.PathLike, session: Session, *, period: tuple[dt.date, dt.date] | None = None,
                   progress: Callable[[str], None] = lambda s: None,
                   should_stop: Callable[[], bool] = lambda: False) -> dict[str, int]:
    """Write the standard workbook to `path` (atomically: a temporary file, then renamed)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    wb = Workbook(write_only=True)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    counts: dict[str, int] = {}
    for sheet in SHEETS:
        progress(sheet.name)
        ws = wb.create_sheet(sheet.name)
        ws.freeze_panes = "A2"
        for i, c in enumerate(sheet.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(c.width * 2 + 2, len(c.header) * 2 + 4)
        header = []
        for c in sheet.columns:
            cell = WriteOnlyCell(ws, value=c.header)
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(horizontal="center")
            header.append(cell)
        ws.append(header)
        n = 0
        for row in _rows(session, sheet, period):
            out = []
            for value in row:
                value = cell_value(value)
                if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.data_type = "s"  # text, never a formula
                    out.append(cell)
                elif isinstance(value, dt.date):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = DATE_FORMAT
                    out.append(cell)
                else:
                    out.append(value)
            ws.append(out)
            n += 1
            if n % 5000 == 0:
                if should_stop():
                    raise Cancelled()
                progress(f"{sheet.name} {n} 行")
        counts[sheet.name] = n
    try:
        with atomic_output(path) as tmp:
            wb.save(tmp)
    except OSError as exc:
        raise HzdeskError(f"无法写入“{path}”：{exc.strerror}（文件是否正在 Excel/WPS 中打开？）") from exc
    return counts
