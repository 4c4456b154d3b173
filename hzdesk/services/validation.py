"""Turning what a clerk typed into clean values, per the ledger description, or saying why not.

`clean()` never writes: it either returns the values to store or raises ValidationError with one
Chinese message per bad field. The per-ledger checks below add the rules that involve several
fields or other records.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from hzdesk.services.rules import in_use_on
from hzdesk import clock
from hzdesk.db import models as m
from hzdesk.errors import ValidationError
from hzdesk.fields import Field, Ledger
from hzdesk.parsing import (UNIT_WORDS, ParseError, compact_name, normalize_text, parse_bool, parse_date,
                            parse_amounts, parse_float, parse_int, parse_phone, parse_time)
from hzdesk.services.settings import add_choice, checklist, choices
from hzdesk.vocab import GROWING_LISTS, parse_water_class

_REF_MODELS = {"water_body": m.WaterBody, "person": m.Person, "patrol": m.Patrol,
               "monitoring_section": m.MonitoringSection, "river_plan": m.RiverPlan}
_REF_NAMES = {"water_body": "河湖", "person": "人员", "patrol": "巡河记录", "monitoring_section": "监测断面",
              "river_plan": "一河一策方案"}


def referenced(session: Session, model: type, record_id: int):
    """A record other records point at, kept for the session's life so that validating many rows
    against the same water bodies and people does not load them again each time."""
    cache = session.info.setdefault("referenced", {})
    key = (model, record_id)
    obj = cache.get(key)
    if obj is None:
        obj = session.get(model, record_id)
        if obj is not None:
            cache[key] = obj
    return obj


#: A description, a remark, a patrol's findings: two thousand characters is three printed pages
#: of a 督办单; more is a pasted document, which belongs in an attachment.
LONGTEXT_MAX = 2000


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def parse_field(session: Session, f: Field, raw: Any, current: Any = None) -> Any:
    """One value, parsed and checked by its kind. Raises ParseError with the reason."""
    kind = f.kind
    if kind in ("text", "longtext"):
        text = str(raw).strip()
        if f.person_name:
            named = compact_name(text)
            if named != text:   # said in an import's notices
                session.info.setdefault("compacted_names", []).append((text, named))
            text = named
        limit = f.max_len or (LONGTEXT_MAX if kind == "longtext" else None)
        if limit and len(text) > limit:
            raise ParseError(f"太长了（{len(text)} 字），最多 {limit} 字")
        return text
    if kind == "date":
        return parse_date(raw)
    if kind == "time":
        return parse_time(raw)
    if kind == "int":
        return parse_int(raw, minimum=f.minimum, maximum=f.maximum)
    if kind == "float":
        return parse_float(raw, minimum=f.minimum, maximum=f.maximum, units=UNIT_WORDS.get(f.unit or "", ()))
    if kind == "bool":
        return parse_bool(raw)
    if kind == "phone":
        return parse_phone(raw)
    if kind == "class":
        cls = parse_water_class(raw)
        if cls is None:
            raise ParseError(f"“{raw}”不是水质类别，应为 Ⅰ、Ⅱ、Ⅲ、Ⅳ、Ⅴ 或 劣Ⅴ")
        return cls
    if kind == "choice":
        value = normalize_text(raw)
        allowed = choices(session, f.choices)
        if value not in allowed and value != current and f.choices in GROWING_LISTS:
            if f.max_len and len(value) > f.max_len:
                raise ParseError(f"太长了（{len(value)} 字），最多 {f.max_len} 字")
            add_choice(session, f.choices, value)   # the caller's transaction keeps or drops it
            session.info.setdefault("added_choices", {}).setdefault(f.choices, []).append(value)
            return value
        if value not in allowed and value != current:
            raise ParseError(f"“{value}”不在可选范围内（可选：{'、'.join(allowed)}）")
        return value
    if kind == "enum":
        if isinstance(raw, f.enum):
            return raw
        value = normalize_text(raw)
        for member in f.enum:
            if value == member.value:
                return member
        raise ParseError(f"“{value}”不在可选范围内（可选：{'、'.join(x.value for x in f.enum)}）")
    if kind == "ref":
        if isinstance(raw, bool):
            raise ParseError("应为记录编号")
        try:
            ref_id = int(raw)
        except (TypeError, ValueError):
            raise ParseError(f"“{raw}”不是有效的{_REF_NAMES[f.ref]}") from None
        if referenced(session, _REF_MODELS[f.ref], ref_id) is None:
            raise ParseError(f"所选{_REF_NAMES[f.ref]}不存在（编号 {ref_id}）")
        return ref_id
    if kind == "json":
        return raw
    if kind == "amounts":
        return parse_amounts(raw, choices(session, f.choices))
    raise ParseError(f"未知的字段类型 {kind}")  # a programming error, shown rather than hidden


def clean(session: Session, ledger: Ledger, data: dict[str, Any], existing=None) -> dict[str, Any]:
    """Validate `data` (field key → raw value) for a new record or an edit of `existing`.

    For an edit, only the keys present in `data` change. Unknown keys are refused, so a typo in a
    caller cannot silently drop what the user typed.
    """
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    known = {f.key: f for f in ledger.fields}
    for key in data:
        if key not in known:
            errors[key] = f"“{ledger.title}”没有这一栏"
    for f in ledger.fields:
        if f.key not in data:
            if existing is None and f.required and f.editable:
                errors[f.key] = "必须填写"
            continue
        if not f.editable:
            errors[f.key] = "由程序维护，不能直接修改"
            continue
        raw = data[f.key]
        if _blank(raw):
            if f.required:
                errors[f.key] = "必须填写"
            else:
                values[f.key] = False if f.kind == "bool" else None
            continue
        try:
            current = getattr(existing, f.key) if existing is not None else None
            values[f.key] = parse_field(session, f, raw, current)
        except ParseError as exc:
            errors[f.key] = str(exc)
    check = RECORD_CHECKS.get(ledger.key)
    if check:
        # Judge the record with what did parse, so a clerk sees every problem at once; a rule
        # that needs a value that failed to parse waits for the next try.
        merged = {f.key: getattr(existing, f.key) for f in ledger.fields} if existing else {}
        merged.update(values)
        try:
            found = check(session, merged, existing)
        except (KeyError, TypeError):
            found = {}
        for key, msg in found.items():
            errors.setdefault(key, msg)
    if errors:
        raise ValidationError(errors, {**ledger.labels, **{k: k for k in errors
                                                              if k not in ledger.labels}})
    return values


# ---------------------------------------------------------------- rules across fields and records

def _order(errors: dict, v: dict, first: str, second: str, message: str) -> None:
    if v.get(first) and v.get(second) and v[second] < v[first]:
        errors[second] = message


@contextmanager
def bulk_uniqueness(session: Session) -> Iterator[None]:
    """For a bulk import of new records: check uniqueness against keys loaded once per rule and
    the rows already accepted, instead of a query per row (which also forces a flush per row)."""
    session.info["bulk_keys"] = {}
    try:
        yield
    finally:
        session.info.pop("bulk_keys", None)


def bulk_taken(session: Session, rule: str, load: Callable[[], Iterable[Any]], key: Any) -> bool | None:
    """In bulk mode, whether `key` is taken (and if not, take it); None when not in bulk mode."""
    keys = session.info.get("bulk_keys")
    if keys is None:
        return None
    taken = keys.get(rule)
    if taken is None:
        taken = keys[rule] = set(load())
    if key in taken:
        return True
    taken.add(key)
    return False


def _unique(session: Session, errors: dict, column, value, existing, key: str, what: str) -> None:
    if value is None:
        return
    if existing is None:
        taken = bulk_taken(session, str(column), lambda: session.scalars(select(column)), value)
        if taken is not None:
            if taken:
                errors[key] = f"{what}“{value}”已被使用"
            return
    q = select(func.count()).where(column == value)
    if existing is not None:
        q = q.where(column.class_.id != existing.id)
        if hasattr(column.class_, "township_id"):   # codes are unique within the record's township
            q = q.where(column.class_.township_id == existing.township_id)
    if session.scalar(q):
        errors[key] = f"{what}“{value}”已被使用"


def _check_water_body(session, v, existing):
    errors: dict[str, str] = {}
    _unique(session, errors, m.WaterBody.code, v.get("code"), existing, "code", "编码")
    _order(errors, v, "registered_on", "retired_on", "注销日期不能早于登记日期")
    parent_id = v.get("parent_id")
    if parent_id is not None and existing is not None:
        # Walking up from the new parent must never reach this water body: no cycles.
        seen, node = set(), parent_id
        while node is not None and node not in seen:
            if node == existing.id:
                errors["parent_id"] = "上级河湖不能是它自己或它的下级河段"
                break
            seen.add(node)
            node = session.scalar(select(m.WaterBody.parent_id).where(m.WaterBody.id == node))
    return errors


def _check_person(session, v, existing):
    errors: dict[str, str] = {}
    if v.get("phone"):
        if existing is None:
            taken = bulk_taken(session, "person", lambda: (tuple(r) for r in session.execute(
                select(m.Person.name, m.Person.phone).where(m.Person.phone.is_not(None)))),
                (v["name"], v["phone"]))
            if taken is not None:
                if taken:
                    errors["name"] = f"已有同名同电话的人员“{v['name']}”，请勿重复登记"
                return errors
        q = select(func.count()).where(m.Person.name == v["name"], m.Person.phone == v["phone"])
        if existing is not None:
            q = q.where(m.Person.id != existing.id, m.Person.township_id == existing.township_id)
        if session.scalar(q):
            errors["name"] = f"已有同名同电话的人员“{v['name']}”，请勿重复登记"
    return errors


def _check_appointment(session, v, existing):
    errors: dict[str, str] = {}
    _order(errors, v, "start_on", "end_on", "离任日期不能早于任职日期")
    if v.get("water_body_id") is None and v.get("role") not in ("总河长", "副总河长"):
        errors["water_body_id"] = "除总河长、副总河长外，任职必须指定河湖"
    if errors:
        return errors
    # The same person cannot hold the same role on the same water body twice at once.
    far = dt.date(9999, 12, 31)
    q = select(m.Appointment).where(
        m.Appointment.person_id == v["person_id"], m.Appointment.role == v["role"],
        (m.Appointment.water_body_id == v["water_body_id"]) if v.get("water_body_id") is not None
        else m.Appointment.water_body_id.is_(None),
        m.Appointment.start_on <= (v.get("end_on") or far),
        or_(m.Appointment.end_on.is_(None), m.Appointment.end_on >= v["start_on"]))
    if existing is not None:
        q = q.where(m.Appointment.id != existing.id)
    clash = session.scalars(q.limit(1)).first()
    if clash is not None:
        until = clash.end_on.isoformat() if clash.end_on else "至今"
        errors["start_on"] = (f"与已有任职（{clash.start_on.isoformat()} 至 {until}）时间重叠；"
                              "换届请先结束原任职")
    return errors


def _check_board(session, v, existing):
    errors: dict[str, str] = {}
    _unique(session, errors, m.SignBoard.code, v.get("code"), existing, "code", "编号")
    _order(errors, v, "installed_on", "inspected_on", "检查日期不能早于设立日期")
    _order(errors, v, "installed_on", "retired_on", "拆除日期不能早于设立日期")
    return errors


def _check_patrol(session, v, existing):
    errors: dict[str, str] = {}
    today = clock.today()
    if v.get("patrol_date") and v["patrol_date"] > today:
        errors["patrol_date"] = "巡河日期不能晚于今天"
    _order(errors, v, "patrol_date", "entered_on", "录入日期不能早于巡河日期")
    if v.get("start_time") and v.get("end_time") and v["end_time"] <= v["start_time"]:
        errors["end_time"] = "结束时间应晚于开始时间"
    wb = referenced(session, m.WaterBody, v["water_body_id"]) if v.get("water_body_id") else None
    day = v.get("patrol_date")
    if wb is not None and day and not in_use_on(wb.retired_on, day):
        errors["water_body_id"] = f"“{wb.name}”已于 {wb.retired_on.isoformat()} 注销，不能登记此后的巡河"
    elif wb is not None and day and wb.registered_on and day < wb.registered_on:
        errors["water_body_id"] = f"“{wb.name}”于 {wb.registered_on.isoformat()} 才登记，不能登记此前的巡河"
    answers = v.get("checklist")
    if answers is not None:
        codes = session.info.get("checklist_codes")
        if codes is None:
            codes = session.info["checklist_codes"] = {c.code for c in checklist(session)}
        if not isinstance(answers, dict) or any(
                k not in codes or not isinstance(a, bool) for k, a in answers.items()):
            errors["checklist"] = "检查项内容不对：应为“检查项 → 是/否”"
    return errors


def _check_problem(session, v, existing):
    errors: dict[str, str] = {}
    _order(errors, v, "found_on", "deadline", "整改时限不能早于发现日期")
    if v.get("found_on") and v["found_on"] > clock.today():
        errors["found_on"] = "发现日期不能晚于今天"
    return errors


def _check_outfall(session, v, existing):
    errors: dict[str, str] = {}
    _unique(session, errors, m.Outfall.code, v.get("code"), existing, "code", "编码")
    return errors


def _check_section(session, v, existing):
    errors: dict[str, str] = {}
    _unique(session, errors, m.MonitoringSection.code, v.get("code"), existing, "code", "编码")
    return errors


def _check_result(session, v, existing):
    errors: dict[str, str] = {}
    if session.get(m.MonitoringSection, v["section_id"]) is None:
        errors["section_id"] = "所选监测断面不存在"
        return errors
    q = select(func.count()).where(and_(m.MonitoringResult.section_id == v["section_id"],
                                        m.MonitoringResult.sampled_on == v["sampled_on"]))
    if existing is not None:
        q = q.where(m.MonitoringResult.id != existing.id)
    if session.scalar(q):
        errors["sampled_on"] = "该断面这一天已有监测结果"
    return errors


def _check_plan(session, v, existing):
    errors: dict[str, str] = {}
    _order(errors, v, "period_start", "period_end", "截止日期不能早于起始日期")
    return errors


def _check_plan_item(session, v, existing):
    errors: dict[str, str] = {}
    if session.get(m.RiverPlan, v["plan_id"]) is None:
        errors["plan_id"] = "所属方案不存在"
    if v.get("status") == "已完成" and not v.get("done_on"):
        errors["done_on"] = "任务已完成时请填写完成日期"
    return errors


def _check_rule(session, v, existing):
    from hzdesk.services.compliance import parse_months

    errors: dict[str, str] = {}
    try:
        parse_months(v.get("active_months"))
    except ValidationError as exc:
        errors.update(exc.errors)
    _order(errors, v, "effective_from", "effective_to", "停止日期不能早于生效日期")
    return errors


def _check_checklist_item(session, v, existing):
    errors: dict[str, str] = {}
    if v.get("code") and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", v["code"]):
        errors["code"] = "代码只能用英文字母、数字和下划线，且以字母开头"
    if existing is not None and v.get("code") != existing.code:
        errors["code"] = "代码已被巡河记录引用，不能修改；可停用后新建"
    _unique(session, errors, m.ChecklistItem.code, v.get("code"), existing, "code", "代码")
    return errors


RECORD_CHECKS: dict[str, Callable[[Session, dict, Any], dict[str, str]]] = {
    "water_body": _check_water_body, "person": _check_person, "appointment": _check_appointment,
    "sign_board": _check_board, "patrol": _check_patrol, "problem": _check_problem,
    "outfall": _check_outfall, "monitoring_section": _check_section,
    "monitoring_result": _check_result, "river_plan": _check_plan, "plan_item": _check_plan_item,
    "frequency_rule": _check_rule, "checklist_item": _check_checklist_item,
}
