"""Create, edit, retire, delete and page through the records of any ledger.

Every function validates before it touches the session, so a refused call changes nothing;
callers commit (`with db.session() as s, s.begin(): …`). SQL stays portable: no SQLite-only
constructs, so the same code can serve a PostgreSQL database at a county office.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from hzdesk import clock
from hzdesk.collation import pinyin_order
from hzdesk.db import models as m
from hzdesk.db.base import Base
from hzdesk.db.rows import plain_rows
from hzdesk.errors import HzdeskError, NotFound, ValidationError
from hzdesk.fields import TOWNSHIP, Ledger, has_township, ledger
from hzdesk.services import plans, problems, rules
from hzdesk.services.validation import clean
from hzdesk.vocab import ProblemState

_REF_TARGETS = {"water_body": m.WaterBody, "person": m.Person, "monitoring_section": m.MonitoringSection,
                "river_plan": m.RiverPlan}


def _ref_name(target):
    """The column that names a referenced record (a plan by its title, the others by name)."""
    return target.title if hasattr(target, "title") else target.name


def get(session: Session, ledger_key: str, record_id: int):
    lg = ledger(ledger_key)
    obj = session.get(lg.model, record_id)
    if obj is None:
        raise NotFound(f"{lg.title}中没有编号为 {record_id} 的记录（可能已被删除）")
    return obj


def _in_one_township(session: Session, lg) -> None:
    """In the county's 全县 view the ledgers are read, printed and ranked, never written: a record
    belongs to one township, chosen first (db/township.py)."""
    from hzdesk.db.models import InTownship
    from hzdesk.db.township import require_township
    if issubclass(lg.model, InTownship):
        require_township(session)


def create(session: Session, ledger_key: str, data: dict[str, Any], *, flush: bool = True,
           number: str | None = None):
    """Validate and add one record. `flush=False` lets a bulk import send rows nobody refers to
    (patrols) to the database in batches; the record has no id until the next flush. A problem
    gets the next number of its year unless an import brings its own `number`."""
    lg = ledger(ledger_key)
    _in_one_township(session, lg)
    values = clean(session, lg, data)
    obj = lg.model(**values)
    if lg.key == "problem":
        obj.number = number or problems.next_problem_number(session, obj.found_on.year)
        problems.note_number(session, obj.number)
        obj.state = ProblemState.REGISTERED
        problems.record_registration(obj, session.info.get("actor"))
    session.add(obj)
    if flush:
        session.flush()
    if lg.key == "checklist_item":
        session.info.pop("checklist_codes", None)
    return obj


class StaleEdit(HzdeskError):
    """The record changed after the form showed it: saving would overwrite someone's work."""


def changed_at(session: Session, ledger_key: str, record_id: int) -> dt.datetime | None:
    """When the record was last saved: what a form keeps as it opens, to pass back as `seen`."""
    obj = get(session, ledger_key, record_id)
    return getattr(obj, "updated_at", None)


def update(session: Session, ledger_key: str, record_id: int, data: dict[str, Any],
           seen: dt.datetime | None = None):
    """Change a record. With `seen` (its `changed_at` when the form opened), a record another
    clerk saved since is refused instead of silently overwritten; on a server the row is locked
    first, so two saves at once cannot both pass the comparison."""
    lg = ledger(ledger_key)
    _in_one_township(session, lg)
    if seen is not None and hasattr(lg.model, "updated_at"):
        obj = session.get(lg.model, record_id, with_for_update=True, populate_existing=True)
        if obj is None:
            raise NotFound(f"{lg.title}中没有编号为 {record_id} 的记录（可能已被他人删除）")
        if obj.updated_at != seen:
            raise StaleEdit(f"这条{lg.title}记录在您打开之后已被他人修改（{obj.updated_at:%Y-%m-%d %H:%M:%S} 保存），"
                            "您的修改没有保存，以免覆盖他人的修改。您输入的内容仍在窗口中。")
    obj = get(session, ledger_key, record_id)
    values = clean(session, lg, data, existing=obj)
    if lg.versioned and any(k in values and values[k] != getattr(obj, k) for k in lg.versioned):
        return _new_version(session, lg, obj, values)
    for key, value in values.items():
        setattr(obj, key, value)
    session.flush()
    return obj


def _new_version(session: Session, lg: Ledger, obj: Any, values: dict[str, Any]):
    """A change to a rule that figures depend on: the old version keeps governing the past, the new
    one governs from its 生效日期 (the date given, if later than the old one's, else today)."""
    start = values.get("effective_from")
    if start is None or (obj.effective_from is not None and start <= obj.effective_from):
        start = clock.today()
    if obj.effective_from is not None and obj.effective_from >= start:
        # Not yet in force (or starting the same day): nothing has been counted by it; edit in place.
        for key, value in values.items():
            setattr(obj, key, value)
        session.flush()
        return obj
    fresh = {f.key: getattr(obj, f.key) for f in lg.fields if f.editable}
    fresh.update(values)
    fresh.update(effective_from=start, effective_to=obj.effective_to)
    obj.effective_to = start - dt.timedelta(days=1)
    new = lg.model(**fresh)
    session.add(new)
    session.flush()
    return new


def retire(session: Session, ledger_key: str, record_id: int, on: dt.date | None = None):
    """End a record's life without erasing its history (a water body 注销, an appointment ends)."""
    lg = ledger(ledger_key)
    if lg.retire_field is None:
        raise ValidationError({"id": f"{lg.title}的记录不能注销，只能删除"})
    return update(session, ledger_key, record_id, {lg.retire_field: on or clock.today()})


#: Rows that belong to one record alone and go with it when it is deleted (each deletion in the
#: trail): a patrol's track, a water body's line.
OWNED = {"patrol": (m.PatrolTrack, "patrol_id"), "water_body": (m.WaterGeometry, "water_body_id")}


def _references(table_name: str) -> list[tuple[Any, str]]:
    """(column, table title) of every foreign key that forbids deleting a row of `table_name`."""
    titles = {lg.model.__tablename__: lg.title for lg in _all_ledgers()}
    owned = {model.__tablename__ for model, _key in OWNED.values()}
    refs = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if table.name in owned:
                continue
            if fk.column.table.name == table_name and fk.ondelete not in ("CASCADE", "SET NULL"):
                refs.append((fk.parent, titles.get(table.name, table.name)))
    return refs


def _all_ledgers():
    from hzdesk.fields import LEDGERS
    return LEDGERS.values()


def delete(session: Session, ledger_key: str, record_id: int) -> None:
    lg = ledger(ledger_key)
    _in_one_township(session, lg)
    obj = get(session, ledger_key, record_id)
    today = clock.today()
    if lg.versioned and (obj.effective_from is None or obj.effective_from < today):
        # It has governed past periods: stop it from today instead of rewriting their figures.
        if obj.effective_to is None or obj.effective_to >= today:
            obj.effective_to = today - dt.timedelta(days=1)
            session.flush()
        return
    used = []
    for column, title in _references(lg.model.__tablename__):
        n = session.scalar(select(func.count()).select_from(column.table).where(column == record_id))
        if n:
            used.append(f"{title} {n} 条")
    if used:
        hint = "，可改为注销" if lg.retire_field else ""
        raise ValidationError({"id": f"仍被{'、'.join(used)}引用，不能删除{hint}"})
    session.info.get("referenced", {}).pop((lg.model, record_id), None)
    # Its attachments go with it (each deletion in the trail; the stored files are shared by
    # content and stay until a backup's clean-up).
    for att in session.scalars(select(m.Attachment).where(m.Attachment.owner_type == ledger_key,
                                                          m.Attachment.owner_id == record_id)):
        session.delete(att)
    if ledger_key in OWNED:
        model, key = OWNED[ledger_key]
        for row in session.scalars(select(model).where(getattr(model, key) == record_id)):
            session.delete(row)
        session.flush()
    session.delete(obj)
    session.flush()


def ref_items(session, target: str, in_use_only: bool = False) -> list[tuple[str, int]]:
    """The picker's entries: "清溪河（XJ001）", "张建国 13800138000"."""
    if target == "water_body":
        q = select(m.WaterBody.id, m.WaterBody.name, m.WaterBody.code, m.WaterBody.retired_on).order_by(m.WaterBody.code)
        return [(f"{name}（{code}）" + ("［已注销］" if retired else ""), wid)
                for wid, name, code, retired in session.execute(q)
                if not (in_use_only and retired)]
    if target == "person":
        q = select(m.Person.id, m.Person.name, m.Person.phone, m.Person.unit).order_by(m.Person.name, m.Person.id)
        return [(" ".join(x for x in (name, phone or unit or "") if x), pid)
                for pid, name, phone, unit in session.execute(q)]
    if target == "river_plan":
        q = select(m.RiverPlan.id, m.RiverPlan.title).order_by(m.RiverPlan.period_start.desc(), m.RiverPlan.id)
        return [(title, pid) for pid, title in session.execute(q)]
    if target == "monitoring_section":
        q = select(m.MonitoringSection.id, m.MonitoringSection.name, m.MonitoringSection.code).order_by(
            m.MonitoringSection.code, m.MonitoringSection.id)
        return [(f"{name}（{code}）" if code else name, sid) for sid, name, code in session.execute(q)]
    raise KeyError(target)


# ---------------------------------------------------------------- paging through a ledger

@dataclass
class Query:
    """What a table view asks for: search text, filters, sort, page."""

    search: str = ""
    filters: dict[str, Any] | None = None  # key -> value, (low, high) for ranges, list for "any of"
    flags: tuple[str, ...] = ()            # named conditions, see FLAGS (e.g. "overdue")
    as_of: dt.date | None = None           # the day flags are judged on (default today)
    order_by: str | None = None
    descending: bool = False
    offset: int = 0
    limit: int = 100
    # Only these fields' columns (and their names), None for every field: paper that prints a
    # dozen columns need not read and decode the rest (a 10,000-row ledger decoded each checklist).
    fields: tuple[str, ...] | None = None


def _base_select(lg: Ledger, session: Session | None = None, keys: tuple[str, ...] | None = None) -> Select:
    columns = [lg.model.id]
    joins = []
    if session is not None and shows_townships(session, lg):
        columns += [lg.model.township_id, m.Township.name.label(f"{TOWNSHIP.key}__name")]
        joins.append((m.Township, m.Township.id == lg.model.township_id))
    for f in lg.fields:
        if keys is not None and f.key not in keys:
            continue
        col = getattr(lg.model, f.key)
        columns.append(col)
        if f.kind == "ref" and f.ref in _REF_TARGETS:  # named targets: show the name beside the id
            target = aliased(_REF_TARGETS[f.ref])
            columns.append(_ref_name(target).label(f"{f.key}__name"))
            joins.append((target, target.id == col))
    q = select(*columns).select_from(lg.model)
    for target, on in joins:
        q = q.outerjoin(target, on)
    return q


def _flag_clauses(today: dt.date) -> dict[str, dict[str, Any]]:
    P, A = m.Problem, m.Appointment
    return {
        "problem": {
            "overdue": rules.overdue_sql(today, P.state, P.deadline),
            "open": rules.open_sql(P.state),
        },
        "appointment": {"current": rules.holds_on_sql(A.start_on, A.end_on, today)},
        "water_body": {"in_use": rules.in_use_on_sql(m.WaterBody.retired_on, today)},
        "sign_board": {"in_use": rules.in_use_on_sql(m.SignBoard.retired_on, today)},
        "person": {"in_service": rules.in_use_on_sql(m.Person.retired_on, today)},
        "plan_item": {"overdue": plans.task_overdue_sql(today)},
    }


FLAG_TITLES = {"overdue": "只看超期", "open": "只看未办结", "current": "只看在任",
               "in_use": "只看在用", "in_service": "只看在职"}


def _apply_filters(lg: Ledger, q: Select, query: Query) -> Select:
    if query.flags:
        clauses = _flag_clauses(query.as_of or clock.today()).get(lg.key, {})
        for flag in query.flags:
            q = q.where(clauses[flag])
    for key, value in (query.filters or {}).items():
        col = getattr(lg.model, key)
        if isinstance(value, list):
            q = q.where(col.in_(value))
        elif isinstance(value, tuple):
            low, high = value
            if low is not None:
                q = q.where(col >= low)
            if high is not None:
                q = q.where(col <= high)
        elif value is None:
            q = q.where(col.is_(None))
        else:
            q = q.where(col == value)
    term = query.search.strip()
    # The ledger's own text columns, and the names of the water bodies and people it refers to
    # (河长任职 found by the chief's name, 巡河记录 by the river's).
    named = [f for f in lg.fields if f.kind == "ref" and f.ref in _REF_TARGETS]
    if term and (lg.search or named):
        q = q.where(or_(*(getattr(lg.model, k).icontains(term, autoescape=True) for k in lg.search),
                        *(getattr(lg.model, f.key).in_(select(_REF_TARGETS[f.ref].id).where(
                            _ref_name(_REF_TARGETS[f.ref]).icontains(term, autoescape=True))) for f in named)))
    return q


def known_units(session: Session) -> list[str]:
    """Every unit name already in use (责任单位 of problems, outfalls and plan tasks; people's
    units), in pinyin order: offered while typing, so one unit keeps one name and the statistics
    by unit add up."""
    from hzdesk.collation import sort_key

    names: set[str] = set()
    for col in (m.Problem.responsible_unit, m.Outfall.responsible_unit, m.PlanItem.responsible_unit, m.Person.unit):
        names.update(v.strip() for v in session.scalars(select(col).distinct()) if v and v.strip())
    return sorted(names, key=sort_key)


def patrol_label(session: Session, patrol_id: int) -> str:
    """A patrol as a clerk names it: "2025-03-05 张建国 清溪河"."""
    p = session.get(m.Patrol, patrol_id)
    if p is None:
        return f"（巡河记录 {patrol_id} 已不存在）"
    return f"{p.patrol_date.isoformat()} {p.person.name} {p.water_body.name}"


def shows_townships(session: Session, lg: Ledger) -> bool:
    """Whether this ledger's rows come from several townships here (the county's 全县 view): its
    rows then carry their township's name, and tables and paper gain a 乡镇 column."""
    from hzdesk.db import township

    return has_township(lg) and township.county_view(session)


def _sort_column(lg: Ledger, q: Select, key: str) -> Any:
    f = TOWNSHIP if key == TOWNSHIP.key else lg.field(key)
    if f.kind == "ref" and (f.ref in _REF_TARGETS or f is TOWNSHIP):
        name = next(c for c in q.selected_columns if c.key == f"{key}__name")
        return pinyin_order(name)
    if f.kind in ("text", "longtext", "choice"):
        return pinyin_order(getattr(lg.model, key))
    return getattr(lg.model, key)


def count_rows(session: Session, ledger_key: str, query: Query | None = None) -> int:
    lg = ledger(ledger_key)
    q = _apply_filters(lg, select(func.count()).select_from(lg.model), query or Query())
    return session.scalar(q)


def list_rows(session: Session, ledger_key: str, query: Query | None = None) -> list[dict]:
    """One page of rows as dicts: field keys, `id`, and `<ref>__name` for referenced names."""
    lg = ledger(ledger_key)
    query = query or Query()
    keys = None if query.fields is None else (*query.fields, *([query.order_by] if query.order_by else []))
    q = _apply_filters(lg, _base_select(lg, session, keys), query)
    if query.order_by:   # the clerk's chosen column: Chinese by pinyin, a reference by its name
        order = [_sort_column(lg, q, query.order_by), lg.model.id]
    else:
        order = [getattr(lg.model, k) for k in lg.order_by] + [lg.model.id]
    q = q.order_by(*(c.desc() if query.descending else c for c in order))
    q = q.offset(query.offset).limit(query.limit)
    # rows, not ORM bookkeeping; fetched at once (row by row, a 10,000-row ledger waited 0.03 s more)
    result = plain_rows(session, q)
    keys = tuple(result.keys())
    return [dict(zip(keys, r)) for r in result.all()]
