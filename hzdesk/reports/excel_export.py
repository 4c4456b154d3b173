"""The county workbook (.xlsx): one sheet per ledger, Chinese headers, opens cleanly in Excel and WPS.

Written by the streaming writer in `xlsx.py` (openpyxl took 30 s for 100,000 patrols). Dates are
real dates; times, phones and codes are text; no user text ever becomes a formula: every string is
a shared-string cell, so a value starting with =, +, - or @ stays text.
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
from hzdesk.errors import HzdeskError, os_reason
from hzdesk.parsing import format_amounts
from hzdesk.reports.sheets import COMPANIONS, NAMED_ON_WATER, SHEETS, Sheet
from hzdesk.reports.xlsx import XlsxWriter
from hzdesk.services.settings import checklist_findings, checklist_labels, printed_office

# Which date a period selects, per ledger that has one.
PERIOD_FIELD = {"patrol": "patrol_date", "problem": "found_on", "work_record": "held_on",
                "monitoring_result": "sampled_on"}


class Cancelled(HzdeskError):
    def __init__(self) -> None:
        super().__init__("已取消，文件没有写出。")


WORKFLOW_ROLES = ("assigned_on", "parked_on", "returns")


def _workflow_dates(session: Session) -> dict[int, dict[str, Any]]:
    """Per problem: its first 交办, its last 挂账 and how often 验收 sent it back."""
    out: dict[int, dict[str, Any]] = defaultdict(dict)
    E = m.ProblemEvent
    for pid, action, day in session.execute(select(E.problem_id, E.action, E.on_date)
                                            .where(E.action.in_(("交办", "挂账", "验收不通过")))
                                            .order_by(E.problem_id, E.id)):
        d = out[pid]
        if action == "交办":
            d.setdefault("assigned_on", day)
        elif action == "挂账":
            d["parked_on"] = day
        else:
            d["returns"] = d.get("returns", 0) + 1
    return out


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
            cols += [alias.code, alias.name]
        elif c.role == "water_name":
            continue  # selected together with the code
        elif c.role == "person_name":
            alias = aliased(m.Person)
            q_joins.append((alias, alias.id == getattr(model, c.field.key)))
            cols += [alias.name, alias.phone]
        elif c.role == "person_phone":
            continue  # selected together with the name
        elif c.role == "named":
            named_model, attr, _n, _w = NAMED_ON_WATER[c.field.ref]
            target, water = aliased(named_model), aliased(m.WaterBody)
            q_joins += [(target, target.id == getattr(model, c.field.key)), (water, water.id == target.water_body_id)]
            cols += [getattr(target, attr), water.code]
        elif c.role == "named_water":
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
                                              .where(m.BoardChief.printed_to.is_(None))   # the face on it now
                                              .order_by(m.BoardChief.board_id, m.BoardChief.seq)):
            chiefs[board_id].append(name)
    labels = checklist_labels(session)
    workflow = _workflow_dates(session) if any(c.role in WORKFLOW_ROLES for c in sheet.columns) else {}

    for row in session.execute(q.execution_options(yield_per=2000)):
        values = list(row)
        record_id = values.pop(0)
        out: list[Any] = []
        for c in sheet.columns:
            if c.role in COMPANIONS:
                continue
            value = values.pop(0)
            if c.role == "code":
                out += [value, values.pop(0)]
            elif c.role == "chiefs":
                out.append("、".join(chiefs.get(record_id, [])))
            elif c.role in ("person_name", "named"):
                out += [value, values.pop(0)]
            elif c.role in WORKFLOW_ROLES:
                out.append(workflow.get(record_id, {}).get(c.role))
            elif c.role == "amounts":
                out.append(format_amounts(value) or None)
            elif c.role == "checklist":
                out.append(checklist_findings(value, labels))
            else:
                out.append(value)
        yield out


PLAIN = (str, int, float, dt.date, dt.time, type(None))  # written as they are; cell_value converts the rest


def cell_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, enum.Enum):
        return value.value
    return value


def write_workbook(path: str | os.PathLike, session: Session, *, period: tuple[dt.date, dt.date] | None = None,
                   progress: Callable[[str], None] = lambda s: None,
                   should_stop: Callable[[], bool] = lambda: False) -> dict[str, int]:
    """Write the standard workbook to `path` (atomically: a temporary file, then renamed)."""
    from hzdesk import __version__, clock

    path = Path(path)
    counts: dict[str, int] = {}
    office = printed_office(session)
    span = f"{period[0].isoformat()} 至 {period[1].isoformat()}" if period else "全部记录"
    try:
        with atomic_output(path) as tmp, XlsxWriter(tmp) as book:
            book.page_header = f"{office}　{span}"
            for sheet in SHEETS:
                progress(sheet.name)
                ws = book.sheet(sheet.name, [c.header for c in sheet.columns],
                                [max(c.width * 2 + 2, len(c.header) * 2 + 4) for c in sheet.columns])
                n = 0
                for row in _rows(session, sheet, period):
                    ws.append([v if type(v) in PLAIN else cell_value(v) for v in row])
                    n += 1
                    if n % 5000 == 0:
                        if should_stop():
                            raise Cancelled()
                        progress(f"{sheet.name} {n} 行")
                counts[sheet.name] = n
            # Who sent it, for which period, as of when: the county reads this first when
            # workbooks from twenty townships lie side by side. The import skips this sheet.
            about = book.sheet("说明", ["项目", "内容"], [16, 60])
            now = clock.now()
            for row in (["填报单位", office], ["统计期间", span], ["截至日期", clock.today()],
                        ["导出时间", now.replace(microsecond=0)], ["程序版本", f"河长办桌面台账 hzdesk {__version__}"],
                        *([f"{name}（条）", count] for name, count in counts.items()),
                        ["说明", "代码列（河湖编码）旁的名称列只供阅读，导入时以编码为准。"]):
                about.append(row)
    except OSError as exc:
        raise HzdeskError(f"无法写入“{path}”：{os_reason(exc)}") from exc
    return counts
