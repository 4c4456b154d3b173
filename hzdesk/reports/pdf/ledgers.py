"""The printed ledgers: which fields each shows, for which records, from the ledger descriptions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hzdesk import clock
from hzdesk.db import models as m
from hzdesk.fields import LEDGERS, TOWNSHIP, cell_formatter, format_value
from hzdesk.reports.pdf.render import LedgerDoc, PdfColumn
from hzdesk.services import records
from hzdesk.services.boards import board_statuses
from hzdesk.services.compliance import patrol_minutes
from hzdesk.services.settings import get_setting, printed_office, setting_timeline
from hzdesk.services.rules import is_late_entry, is_overdue, level_rank


def _print_keys(session: Session, ledger_key: str) -> list[str]:
    """The ledger's printed fields; printed in the county's 全县 view, each row says its 乡镇 first."""
    keys = LEDGERS[ledger_key].view("print")
    return [TOWNSHIP.key, *keys] if records.shows_townships(session, LEDGERS[ledger_key]) else keys


def _township_column(session: Session, columns: list[PdfColumn], rows: list[list[str]], model,
                     ids: list[int]) -> None:
    """A ledger built by its own query (not from a ledger's fields), printed in the county's 全县
    view: a 乡镇 column after 序号, from each row's record (`model` rows with `ids`)."""
    from hzdesk.db.township import county_view

    if not county_view(session):
        return
    whose = dict(session.execute(select(model.id, m.Township.name)
                                 .join(m.Township, m.Township.id == model.township_id)).all())
    columns.insert(1, PdfColumn(TOWNSHIP.label, TOWNSHIP.width))
    for row, record_id in zip(rows, ids):
        row.insert(1, whose.get(record_id, ""))


def _columns(ledger_key: str, keys: list[str]) -> list[PdfColumn]:
    lg = LEDGERS[ledger_key]
    cols = [PdfColumn("序号", 3.2, "center")]
    for k in keys:
        f = lg.field(k)
        cols.append(PdfColumn(f.label, max(f.width, len(f.label) + 0.8),
                              "right" if f.kind in ("int", "float") else "left"))
    return cols


def _rows(session: Session, ledger_key: str, keys: list[str], query: records.Query) -> list[list[str]]:
    fields = [(k, cell_formatter(LEDGERS[ledger_key].field(k))) for k in keys]   # made once, not per cell
    query.limit = None
    query.fields = tuple(keys)
    out = []
    for i, row in enumerate(records.list_rows(session, ledger_key, query), start=1):
        out.append([str(i)] + [say(row.get(k), row) for k, say in fields])
    return out


def _detail(fields: list, row: dict, lead: tuple[str, ...] = ()) -> str:
    """The line under a row: `lead` and then each of the ledger's "detail" fields that has a value,
    as 标签：值, joined by ；(an empty record prints no band at all)."""
    parts = list(lead)
    for key, f, say in fields:
        text = say(row.get(key)) if say else format_value(f, row.get(key), row)
        if text:
            parts.append(f"{f.label}：{text}")
    return "；".join(parts)


def _detail_fields(session: Session, ledger_key: str) -> list:
    """(key, field, how to say it or None) for the ledger's "detail" view. The checklist says the
    items found wanting by their labels, or that nothing was — as the county workbook does."""
    out = []
    for key in LEDGERS[ledger_key].view("detail"):
        f = LEDGERS[ledger_key].field(key)
        say = None
        if f.kind == "json" and key == "checklist":
            from hzdesk.services.settings import checklist_findings, checklist_labels
            labels = checklist_labels(session)
            say = lambda v, labels=labels: (None if not v else checklist_findings(v, labels) or "未见异常")  # noqa: E731
        out.append((key, f, say))
    return out


def _chief_posts(session: Session):
    """patrol row → "镇级河长" (the post the patrolling person held on that day, on that water body
    if they held one there, else their highest), or "" for someone who held none."""
    A = m.Appointment
    held: dict[int, list] = {}
    for person, water, role, level, start, end in session.execute(
            select(A.person_id, A.water_body_id, A.role, A.level, A.start_on, A.end_on)):
        held.setdefault(person, []).append((water, role, level, start, end))

    def post(row: dict) -> str:
        day, water = row["patrol_date"], row["water_body_id"]
        on_day = [h for h in held.get(row["person_id"], ()) if h[3] <= day and (h[4] is None or h[4] >= day)]
        if not on_day:
            return ""
        best = min(on_day, key=lambda h: (h[0] != water, level_rank(h[2])))
        return f"{best[2]}{best[1]}"
    return post


def _period_text(period: tuple[dt.date, dt.date] | None) -> str:
    if period is None:
        return "范围：全部"
    return f"期间：{period[0].isoformat()} 至 {period[1].isoformat()}"


def rivers(session: Session, office: str, **_: Any) -> LedgerDoc:
    keys = _print_keys(session, "water_body")
    rows = _rows(session, "water_body", keys, records.Query(flags=("in_use",)))
    return LedgerDoc("河湖名录", office, f"在册河湖 {len(rows)} 个", _columns("water_body", keys), rows)


def outfalls(session: Session, office: str, **_: Any) -> LedgerDoc:
    keys = _print_keys(session, "outfall")
    rows = _rows(session, "outfall", keys, records.Query())
    return LedgerDoc("入河排污口名录", office, f"共 {len(rows)} 个", _columns("outfall", keys), rows)


def roster(session: Session, office: str, as_of: dt.date, **_: Any) -> LedgerDoc:
    """The chiefs in office on `as_of` (a roster always states the date it is valid for)."""
    A, P, W = m.Appointment, m.Person, m.WaterBody
    q = (select(P.name, P.post, A.role, A.level, W.name, P.phone, A.start_on, A.doc_number, A.id)
         .join(P, P.id == A.person_id).outerjoin(W, W.id == A.water_body_id)
         .where(A.start_on <= as_of, (A.end_on.is_(None)) | (A.end_on >= as_of)))
    rows = sorted(session.execute(q).all(),
                  key=lambda r: (level_rank(r[3]), r[2] not in ("总河长", "副总河长"), r[4] or "", r[0]))
    cols = [PdfColumn("序号", 3.2, "center"), PdfColumn("姓名", 5), PdfColumn("职务", 9), PdfColumn("角色", 5),
            PdfColumn("级别", 4), PdfColumn("河湖", 10), PdfColumn("电话", 8), PdfColumn("任职日期", 6.5),
            PdfColumn("任命文号", 10)]
    out = [[str(i), name, post or "", role, level, water or "全镇", phone or "", start.isoformat(), doc or ""]
           for i, (name, post, role, level, water, phone, start, doc, _id) in enumerate(rows, start=1)]
    _township_column(session, cols, out, A, [r[-1] for r in rows])
    return LedgerDoc("河长名录", office, f"有效日期：{as_of.year}年{as_of.month}月{as_of.day}日（共 {len(out)} 人次）",
                     cols, out)


def boards(session: Session, office: str, as_of: dt.date, **_: Any) -> LedgerDoc:
    statuses = board_statuses(session, as_of)
    info = {b.id: b for b in session.scalars(select(m.SignBoard))}
    cols = [PdfColumn("序号", 3.2, "center"), PdfColumn("编号", 6), PdfColumn("河湖", 9), PdfColumn("位置", 8),
            PdfColumn("规格", 7), PdfColumn("监督电话", 7), PdfColumn("状况", 3.5), PdfColumn("设立日期", 6.5),
            PdfColumn("牌面更新", 6.5), PdfColumn("最近检查", 6.5), PdfColumn("牌面河长", 11), PdfColumn("牌面内容", 17)]
    out = []
    for i, st in enumerate(statuses, start=1):
        b = info[st.board_id]
        state = "无记录（当日牌面未登记）" if not st.known else "与现任一致" if not st.out_of_date else (
            f"过期（自 {st.since.isoformat()}），应于 {st.due_by.isoformat()} 前更新为："
            + "、".join(s.name for s in st.should) + ("【已超期】" if st.overdue else ""))
        out.append([str(i), st.code, st.water_body, st.place or "", b.size or "", b.supervision_phone or "", b.condition,
                    format_value(LEDGERS["sign_board"].field("installed_on"), b.installed_on),
                    format_value(LEDGERS["sign_board"].field("content_updated_on"), st.printed_on),
                    # an inspection after the as-of day is not known to a report of that day
                    format_value(LEDGERS["sign_board"].field("inspected_on"),
                                 b.inspected_on if b.inspected_on and b.inspected_on <= as_of else None),
                    "、".join(st.printed) if st.known else "", state])
    _township_column(session, cols, out, m.SignBoard, [st.board_id for st in statuses])
    stale = sum(s.out_of_date for s in statuses)
    unknown = sum(not s.known for s in statuses)
    return LedgerDoc("河长公示牌台账", office, f"截至 {as_of.isoformat()}：在用 {len(out)} 块，内容过期 {stale} 块"
                     + (f"，无记录 {unknown} 块" if unknown else ""),
                     cols, out, landscape=True)


def patrols(session: Session, office: str, period: tuple[dt.date, dt.date] | None = None,
            person_id: int | None = None, water_body_id: int | None = None, brief: bool = False,
            **_: Any) -> LedgerDoc:
    keys = _print_keys(session, "patrol")
    filters: dict[str, Any] = {}
    if period:
        filters["patrol_date"] = period
    if person_id:
        filters["person_id"] = person_id
    if water_body_id:
        filters["water_body_id"] = water_body_id
    late_days = setting_timeline(session, "late_entry_days")
    query = records.Query(filters=filters)
    query.limit = None
    lg = LEDGERS["patrol"]
    rows = []
    late = 0
    # 巡河时长 beside the times, as the frequency and speed checks count it (an inspector reads
    # a 5-minute "patrol" at a glance)
    after_end = keys.index("end_time") + 2 if "end_time" in keys and "start_time" in keys else None
    fields = [(k, cell_formatter(lg.field(k))) for k in keys]   # made once, not per cell
    # 简表 prints no detail lines: none is made (a 10,000-row ledger spent 0.1 s on them)
    detail_fields, post = (None, None) if brief else (_detail_fields(session, "patrol"), _chief_posts(session))
    details = None if brief else []
    # what this ledger reads of each patrol, and nothing else
    query.fields = (*keys, "patrol_date", "entered_on", "start_time", "end_time") + (() if brief else (
        *(key for key, _, _ in detail_fields), "route_from", "route_to", "person_id", "water_body_id"))
    for i, row in enumerate(records.list_rows(session, "patrol", query), start=1):
        cells = [str(i)] + [say(row.get(k), row) for k, say in fields]
        if details is not None:
            route = "—".join(p for p in (row.get("route_from"), row.get("route_to")) if p)
            held = post(row)
            details.append(_detail(detail_fields, row, tuple(
                text for text in ((f"职务：{held}" if held else ""), (f"路线：{route}" if route else "")) if text)))
        if is_late_entry(row["patrol_date"], row["entered_on"], late_days(row["patrol_date"])):
            cells[-1] += "（补录）"
            late += 1
        if after_end is not None:
            minutes = patrol_minutes(row.get("start_time"), row.get("end_time"))
            cells.insert(after_end, "" if minutes is None else str(minutes))
        rows.append(cells)
    columns = _columns("patrol", keys)
    if after_end is not None:
        columns.insert(after_end, PdfColumn("时长(分)", 4.5, "right"))
    subtitle = _period_text(period) + f"　共 {len(rows)} 条，其中补录 {late} 条"
    return LedgerDoc("巡河记录台账", office, subtitle, columns, rows, landscape=True, details=details)


def issues(session: Session, office: str, as_of: dt.date, period: tuple[dt.date, dt.date] | None = None,
           state: str | None = None, brief: bool = False, **_: Any) -> LedgerDoc:
    """A period's problems as `stats.period_problems` defines them — found in the period, and found
    earlier but still open when it began (marked 上期结转) — each in its state on `as_of`."""
    from hzdesk.services.stats import period_problems, states_as_of

    keys = _print_keys(session, "problem")

    if period:
        pp = period_problems(session, period[0], period[1], as_of)
        states, carried, overdue_ids = pp.states, pp.carried, pp.overdue
        query = records.Query(filters={"found_on": (None, min(period[1], as_of))})
    else:
        states, carried = states_as_of(session, as_of), set()
        overdue_ids = None
        query = records.Query(filters={"found_on": (None, as_of)})
    query.limit = None
    lg = LEDGERS["problem"]
    detail_fields = _detail_fields(session, "problem")
    # 现场处理: what was done on the spot at the patrol that found the problem
    on_spot = dict(session.execute(
        select(m.Problem.id, m.Patrol.on_spot_handling).join(m.Patrol, m.Patrol.id == m.Problem.patrol_id)
        .where(m.Patrol.on_spot_handling.is_not(None), m.Patrol.on_spot_handling != "")).all())
    rows, details, overdue, carried_listed = [], None if brief else [], 0, 0
    fields = [(k, cell_formatter(lg.field(k))) for k in keys]
    for row in records.list_rows(session, "problem", query):
        if row["id"] not in states or (state and states[row["id"]].value != state):
            continue
        row["state"] = states[row["id"]]
        # what had not happened yet on the as-of date is not printed as done
        for day, also in (("closed_on", ()), ("rectified_on", ()), ("verified_on", ("verifier",))):
            if row.get(day) and row[day] > as_of:
                for key in (day, *also):
                    row[key] = None
        if details is not None:
            details.append(_detail(detail_fields, row, (f"现场处理：{on_spot[row['id']]}",) if row["id"] in on_spot else ()))
        cells = [str(len(rows) + 1)] + [say(row.get(k), row) for k, say in fields]
        if row["id"] in carried:
            cells[keys.index("number") + 1] += "（上期结转）"
            carried_listed += 1
        late = (row["id"] in overdue_ids if overdue_ids is not None
                else is_overdue(row["state"], row["deadline"], as_of))
        if late:
            cells[keys.index("state") + 1] += "（超期）"
            overdue += 1
        rows.append(cells)
    subtitle = (_period_text(period) + (f"　状态：{state}" if state else "")
                + f"　截至 {as_of.isoformat()}：共 {len(rows)} 个（其中上期结转 "
                + f"{carried_listed} 个），超期 {overdue} 个")
    return LedgerDoc("问题台账", office, subtitle, _columns("problem", keys), rows, landscape=True, details=details)


def sections(session: Session, office: str, **_: Any) -> LedgerDoc:
    keys = _print_keys(session, "monitoring_section")
    rows = _rows(session, "monitoring_section", keys, records.Query())
    return LedgerDoc("水质监测断面名录", office, f"共 {len(rows)} 个断面", _columns("monitoring_section", keys), rows)


def water(session: Session, office: str, *, as_of: dt.date, period: tuple[dt.date, dt.date] | None = None,
          **_: Any) -> LedgerDoc:
    """Each monitoring section's class for the period against its target, by the one rule of
    services.water_quality (the same figures as `stats`)."""
    from hzdesk.services.water_quality import section_quality, water_quality_stats

    start, end = period or (dt.date(as_of.year, 1, 1), as_of)
    rows = []
    quality = section_quality(session, start, end, as_of)
    for i, q in enumerate(quality, start=1):
        measured = q.measured
        rows.append([str(i), q.code or "", q.name, q.water_body, q.control_level, q.target, str(len(q.ranks)),
                     measured or "未监测", "" if q.met is None else ("达标" if q.met else "未达标"),
                     q.last_sampled.isoformat() if q.last_sampled else ""])
    figures = water_quality_stats(session, start, end, as_of)
    rate = "—" if figures["rate"] is None else f"{figures['rate'] * 100:.1f}%"
    subtitle = (f"{_period_text((start, end))}　截至 {as_of.isoformat()}：断面 {figures['sections']} 个，"
                f"有监测结果 {figures['sampled']} 个，达标 {figures['meeting_target']} 个，达标率 {rate}")
    columns = [PdfColumn("序号", 3.2, "center"), PdfColumn("编码", 7), PdfColumn("断面名称", 10), PdfColumn("所在河湖", 10),
               PdfColumn("断面级别", 6), PdfColumn("水质目标", 5, "center"), PdfColumn("监测次数", 5, "right"),
               PdfColumn("本期类别", 5, "center"), PdfColumn("是否达标", 5, "center"), PdfColumn("最近采样", 7)]
    _township_column(session, columns, rows, m.MonitoringSection, [q.section_id for q in quality])
    return LedgerDoc("水质监测结果台账", office, subtitle, columns, rows,
                     note="本期类别：本期各次监测类别的平均（正好居中时取较差的一类），见“统计口径说明”。")


def plans(session: Session, office: str, *, as_of: dt.date, **_: Any) -> LedgerDoc:
    keys = _print_keys(session, "river_plan")
    rows = _rows(session, "river_plan", keys, records.Query())
    return LedgerDoc("一河一策方案台账", office, f"截至 {as_of.isoformat()}：共 {len(rows)} 个方案",
                     _columns("river_plan", keys), rows)


def plan_tasks(session: Session, office: str, *, as_of: dt.date, period: tuple[dt.date, dt.date] | None = None,
               **_: Any) -> LedgerDoc:
    """The tasks of the plans in force in the period, each as it stands on `as_of` (done,
    overdue: the rules of services.plans, the figures `stats` gives)."""
    from hzdesk.services.plans import TASK_KINDS, plan_stats, task_done, task_overdue

    start, end = period or (dt.date(as_of.year, 1, 1), as_of)
    found = session.execute(
        select(m.WaterBody.name, m.RiverPlan.title, m.PlanItem.seq, m.PlanItem.kind, m.PlanItem.content,
               m.PlanItem.responsible_unit, m.PlanItem.deadline, m.PlanItem.status, m.PlanItem.done_on, m.RiverPlan.id)
        .join(m.RiverPlan, m.RiverPlan.id == m.PlanItem.plan_id).join(m.WaterBody, m.WaterBody.id == m.RiverPlan.water_body_id)
        .where(m.RiverPlan.period_start <= end, m.RiverPlan.period_end >= start, m.PlanItem.kind.in_(TASK_KINDS))
        .order_by(m.RiverPlan.period_start, m.RiverPlan.id, m.PlanItem.seq, m.PlanItem.id)).all()
    rows = []
    for i, (water, _title, _seq, kind, content, unit, deadline, status, done_on, _plan) in enumerate(found, start=1):
        state = ("已完成" if task_done(status, done_on, as_of) else
                 "超期未完成" if task_overdue(status, done_on, deadline, as_of) else status)
        rows.append([str(i), water, kind, content, unit or "", deadline.isoformat() if deadline else "", state,
                     done_on.isoformat() if done_on and done_on <= as_of else ""])
    figures = plan_stats(session, start, end, as_of)
    subtitle = (f"{_period_text((start, end))}　截至 {as_of.isoformat()}：方案 {figures['plans']} 个，任务 "
                f"{figures['tasks']} 项，已完成 {figures['done']} 项，超期未完成 {figures['overdue']} 项")
    columns = [PdfColumn("序号", 3.2, "center"), PdfColumn("河湖", 9), PdfColumn("类型", 4), PdfColumn("内容", 28),
               PdfColumn("责任单位", 10), PdfColumn("完成时限", 7), PdfColumn("进展", 6), PdfColumn("完成日期", 7)]
    _township_column(session, columns, rows, m.RiverPlan, [r[-1] for r in found])
    return LedgerDoc("一河一策任务台账", office, subtitle, columns, rows, landscape=True)


def work(session: Session, office: str, *, as_of: dt.date, period: tuple[dt.date, dt.date] | None = None,
         **_: Any) -> LedgerDoc:
    """工作记录台账: the office's records dated in the period (up to `as_of`), with the period's
    totals by the one rule of services.work (the figures `stats` gives)."""
    from hzdesk.parsing import format_amount
    from hzdesk.services.work import work_stats

    start, end = period or (dt.date(as_of.year, 1, 1), as_of)
    keys = _print_keys(session, "work_record")
    last = min(end, as_of)
    rows = _rows(session, "work_record", keys, records.Query(filters={"held_on": (start, last)})) if last >= start else []
    figures = work_stats(session, start, end, as_of)
    subtitle = f"{_period_text((start, end))}　截至 {as_of.isoformat()}：工作记录 {figures['records']} 条"
    note = ""
    if figures["by_kind"] or figures["quantities"]:
        note = ("本期合计：" + "，".join(f"{k} {v} 次" for k, v in figures["by_kind"].items())
                + (f"（含本程序签发的督办单 {figures['supervision_sheets']} 份）" if figures["supervision_sheets"] else "")
                + ("；工作量 " + "，".join(f"{k} {format_amount(v)}" for k, v in figures["quantities"].items())
                   if figures["quantities"] else "") + "。")
    return LedgerDoc("工作记录台账", office, subtitle, _columns("work_record", keys), rows, landscape=True, note=note)


LEDGER_KINDS = {"rivers": rivers, "outfalls": outfalls, "sections": sections, "water": water, "plans": plans,
                "plan-tasks": plan_tasks, "work": work, "roster": roster, "boards": boards, "patrols": patrols, "issues": issues}


def build(session: Session, kind: str, brief: bool = False, **kw: Any) -> LedgerDoc:
    """Ledger `kind`; `brief` (简表): a line a record, without the detail lines under the rows."""
    office = printed_office(session)
    kw.setdefault("as_of", clock.today())
    doc = LEDGER_KINDS[kind](session, office, brief=brief, **kw)
    if brief:
        doc.details = None   # (the kinds that have detail lines leave them out themselves)
    doc.binding_mm = get_setting(session, "binding_margin_mm")
    return doc
