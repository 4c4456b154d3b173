"""Reading the county workbook back in: all or nothing.

Every row goes through the same services as a form, so the same rules and the same Chinese
messages apply. If any row is wrong nothing is written, and every problem is listed with its sheet,
row number, column, value and reason (also as an error workbook the clerk can fix and re-import).
Hostile files (a renamed .xls, zip bombs, XML entity bombs, huge sheets) are refused before or while
reading, quickly and without crashing.
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hzdesk.db import audit
from hzdesk.db import models as m
from hzdesk.errors import HzdeskError, SheetIssue, ValidationError
from hzdesk.fields import CHOICE_LISTS
from hzdesk.parsing import ParseError, compact_name, parse_date, parse_phone, parse_time, phone_key
from hzdesk.reports.sheets import COMPANIONS, NAMED_ON_WATER, SHEETS, Sheet
from hzdesk.reports.import_problems import apply_problem_extras, problem_extras
# The file's safety checks and reading live in workbook_file.py; ImportRefused and read_sheets are
# named here too because callers know them as the import's.
from hzdesk.reports.workbook_file import ImportRefused, read_sheets  # noqa: F401
from hzdesk.services import records
from hzdesk.services.boards import set_printed_chiefs
from hzdesk.services.patrol_checks import unappointed_after
from hzdesk.services.validation import bulk_uniqueness, clean

TEXT_KINDS = ("text", "longtext", "phone", "choice")


Issue = SheetIssue   # one bad cell (hzdesk/errors.py), shared with the rules workbook


@dataclass
class ImportResult:
    counts: dict[str, int] = field(default_factory=dict)      # rows read per sheet
    added: dict[str, int] = field(default_factory=dict)       # 新增
    updated: dict[str, int] = field(default_factory=dict)     # 更新 (a row already held, with changes)
    unchanged: dict[str, int] = field(default_factory=dict)   # 不变 (a row already held, identical)
    changes: list[tuple[str, int, str, Any, Any]] = field(default_factory=list)  # sheet, row, column, was, now
    issues: list[Issue] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    written: bool = False
    rows: dict[str, tuple[list[str], list[tuple[int, list[Any]]]]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.issues

    def sheet_lines(self) -> list[str]:
        """Per sheet: rows read, and how many are new, updated or already held unchanged."""
        out = []
        for name, n in self.counts.items():
            if not n:
                continue
            parts = [f"{word} {d[name]}" for word, d in (("新增", self.added), ("更新", self.updated),
                                                        ("不变", self.unchanged)) if d.get(name)]
            out.append(f"{name} {n} 行（{'，'.join(parts)}）" if parts else f"{name} {n} 行")
        return out

    def issue_lines(self, most: int = 200) -> list[str]:
        """The first `most` errors as the clerk reads them, and how many there are in all (every
        one is in the error workbook)."""
        lines = [issue.line() for issue in self.issues[:most]]
        if len(self.issues) > most:
            lines.append(f"……共 {len(self.issues)} 处，其余见错误清单工作簿")
        return lines

    def change_lines(self, most: int = 30) -> list[str]:
        """The cells an import changes in records already held, as the clerk reads them."""
        def shown(v: Any) -> str:
            return "（空）" if v in (None, "") else v.isoformat() if hasattr(v, "isoformat") else str(v)
        lines = [f"“{sheet}”第 {row} 行“{column}”：{shown(was)} → {shown(now)}"
                 for sheet, row, column, was, now in self.changes[:most]]
        if len(self.changes) > most:
            lines.append(f"……共 {sum(self.updated.values())} 行有改动")
        return lines


# ---------------------------------------------------------------- reading safely

class _Held:
    """The records already in the database, by what identifies a row of each sheet: a workbook
    sent back (or the program's own export) updates them instead of failing as duplicates."""

    def __init__(self, session: Session):
        self.session = session
        self._maps: dict[str, dict] = {}

    def _map(self, ledger: str) -> dict:
        if ledger not in self._maps:
            M, q = m, None
            if ledger == "water_body":
                q = select(M.WaterBody.code, M.WaterBody.id)
            elif ledger == "person":
                q = select(M.Person.name, M.Person.phone, M.Person.id)
            elif ledger == "sign_board":
                q = select(M.SignBoard.code, M.SignBoard.id)
            elif ledger == "problem":
                q = select(M.Problem.number, M.Problem.id)
            elif ledger == "outfall":
                q = select(M.Outfall.code, M.Outfall.id)
            elif ledger == "monitoring_section":
                q = select(M.MonitoringSection.name, M.MonitoringSection.water_body_id, M.MonitoringSection.id)
            elif ledger == "appointment":
                q = select(M.Appointment.person_id, M.Appointment.water_body_id, M.Appointment.role,
                           M.Appointment.start_on, M.Appointment.id)
            elif ledger == "monitoring_result":
                q = select(M.MonitoringResult.section_id, M.MonitoringResult.sampled_on, M.MonitoringResult.id)
            elif ledger == "river_plan":
                q = select(M.RiverPlan.water_body_id, M.RiverPlan.title, M.RiverPlan.id)
            elif ledger == "plan_item":
                q = select(M.PlanItem.plan_id, M.PlanItem.kind, M.PlanItem.content, M.PlanItem.id)
            elif ledger == "work_record":
                q = select(M.WorkRecord.held_on, M.WorkRecord.kind, M.WorkRecord.title, M.WorkRecord.id)
            elif ledger == "patrol":
                q = select(M.Patrol.person_id, M.Patrol.water_body_id, M.Patrol.patrol_date,
                           M.Patrol.start_time, M.Patrol.id)
            self._maps[ledger] = {tuple(r[:-1]): r[-1] for r in self.session.execute(q)} if q is not None else {}
        return self._maps[ledger]

    def find(self, ledger: str, data: dict[str, Any], extra: dict[str, Any]) -> int | None:
        """The id of the record this row describes, if the database already holds it."""
        def date_of(v):
            try:
                return parse_date(v) if v not in (None, "") else None
            except ParseError:
                return None

        def time_of(v):
            try:
                return parse_time(v) if v not in (None, "") else None
            except ParseError:
                return None
        keys = {
            "water_body": lambda: (str(data.get("code") or "").strip(),),
            "person": lambda: (str(data.get("name") or "").strip(), _phone(data.get("phone"))),
            "sign_board": lambda: (str(data.get("code") or "").strip(),),
            "problem": lambda: (str(extra.get("问题编号") or "").strip(),),
            "outfall": lambda: (str(data.get("code") or "").strip(),),
            "monitoring_section": lambda: (str(data.get("name") or "").strip(), data.get("water_body_id")),
            "appointment": lambda: (data.get("person_id"), data.get("water_body_id"), data.get("role"),
                                    date_of(data.get("start_on"))),
            "patrol": lambda: (data.get("person_id"), data.get("water_body_id"), date_of(data.get("patrol_date")),
                               time_of(data.get("start_time"))),
            "monitoring_result": lambda: (data.get("section_id"), date_of(data.get("sampled_on"))),
            "river_plan": lambda: (data.get("water_body_id"), str(data.get("title") or "").strip()),
            "plan_item": lambda: (data.get("plan_id"), str(data.get("kind") or "").strip(),
                                  str(data.get("content") or "").strip()),
            "work_record": lambda: (date_of(data.get("held_on")), str(data.get("kind") or "").strip(),
                                    str(data.get("title") or "").strip()),
        }
        key = keys.get(ledger)
        return self._map(ledger).get(key()) if key else None


def _phone(value: Any) -> str | None:
    if value in (None, ""):
        return None
    try:
        return parse_phone(value)
    except ParseError:
        return str(value).strip()


class _Refs:
    """Water bodies by code and people by name (and phone), from the database and this file."""

    def __init__(self, session: Session):
        self.session = session
        self.water = dict(session.execute(select(m.WaterBody.code, m.WaterBody.id)).all())
        self.people: dict[str, list[tuple[int, str | None]]] = {}
        self.named: dict[str, dict[tuple[str, int], int]] = {}   # ref → (name, water body id) → id, on first use
        for pid, name, phone in session.execute(select(m.Person.id, m.Person.name, m.Person.phone)):
            self.add_person(pid, name, phone)

    def _named(self, ref: str) -> dict[tuple[str, int], int]:
        if ref not in self.named:
            model, attr, _n, _w = NAMED_ON_WATER[ref]
            self.named[ref] = {(n, w): i for i, n, w in self.session.execute(
                select(model.id, getattr(model, attr), model.water_body_id))}
        return self.named[ref]

    def named_id(self, ref: str, name: Any, code: Any) -> int:
        """A section or a plan by its name, on the water body of `code` when given (two rivers
        may each have a 断面1); the name alone when only one record has it."""
        known = self._named(ref)
        _model, _attr, name_header, water_header = NAMED_ON_WATER[ref]
        what, sheet = {"monitoring_section": ("监测断面", "监测断面"), "river_plan": ("方案", "一河一策")}[ref]
        name = str(name).strip()
        if code not in (None, ""):
            found = known.get((name, self.water_id(code)))
            if found is None:
                raise ParseError(f"河湖“{code}”没有名为“{name}”的{what}（请先在“{sheet}”表中登记）")
            return found
        same = [i for (n, _w), i in known.items() if n == name]
        if len(same) == 1:
            return same[0]
        if not same:
            raise ParseError(f"没有名为“{name}”的{what}（请先在“{sheet}”表中登记）")
        raise ParseError(f"有 {len(same)} 个名为“{name}”的{what}，请填写“{water_header}”以区分")

    def add_person(self, pid: int, name: str, phone: str | None) -> None:
        self.people.setdefault(compact_name(name), []).append((pid, phone_key(phone) if phone else None))

    def water_id(self, code: Any) -> int:
        key = str(int(code)) if isinstance(code, float) and code.is_integer() else str(code).strip()
        if key not in self.water:
            raise ParseError(f"河湖编码“{key}”在河湖名录中找不到")
        return self.water[key]

    def person_id(self, name: Any, phone: Any) -> int:
        # 李　堃 is 李堃, and 138-0013-8000 is 13800138000.
        typed, name = str(name).strip(), compact_name(name)
        if typed != name:   # said in the import's notices
            self.session.info.setdefault("compacted_names", []).append((typed, name))
        found = self.people.get(name, [])
        if phone not in (None, ""):
            phone = str(int(phone)) if isinstance(phone, float) and phone.is_integer() else str(phone).strip()
            same = [p for p in found if p[1] == phone_key(phone)]
            if len(same) == 1:
                return same[0][0]
            if not same and len(found) == 1 and not found[0][1]:
                return found[0][0]
            if not same:
                raise ParseError(f"人员名录中没有电话为 {phone} 的“{name}”")
        if len(found) == 1:
            return found[0][0]
        if not found:
            raise ParseError(f"人员“{name}”不在人员名录中（请先在“人员名录”表中登记）")
        raise ParseError(f"人员名录中有 {len(found)} 位“{name}”，请填写电话以区分")


# ---------------------------------------------------------------- rows to records

def _row_data(sheet: Sheet, index: dict[str, int], values: list[Any], refs: _Refs,
              labels_to_codes: dict[str, str]) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    """(data for the service, errors by column header, extra columns kept aside)."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    extra: dict[str, Any] = {}

    def get(header: str) -> Any:
        i = index.get(header)
        return values[i] if i is not None and i < len(values) else None

    for c in sheet.columns:
        if c.header not in index or c.role in COMPANIONS:
            continue   # read with the name / the code beside them
        value = get(c.header)
        f = c.field
        try:
            if c.role in ("chiefs", "assigned_on", "parked_on", "returns") or (f is not None and not f.editable):
                extra[c.header] = value
            elif c.role == "code":
                data[f.key] = refs.water_id(value) if value is not None else None
            elif c.role == "person_name":
                phone_col = next(x.header for x in sheet.columns if x.field is f and x.role == "person_phone")
                data[f.key] = refs.person_id(value, get(phone_col)) if value is not None else None
            elif c.role == "named":
                water_header = NAMED_ON_WATER[f.ref][3]
                data[f.key] = refs.named_id(f.ref, value, get(water_header)) if value is not None else None
            elif c.role == "checklist":
                ticked = [x.strip() for x in re.split(r"[；;\n]", str(value or "")) if x.strip()]
                unknown = [x for x in ticked if x not in labels_to_codes]
                if unknown:
                    raise ParseError(f"没有检查项“{'、'.join(unknown)}”")
                data[f.key] = {code: label in ticked for label, code in labels_to_codes.items()} if ticked else None
            else:
                if f.kind in TEXT_KINDS and isinstance(value, float) and value.is_integer():
                    value = str(int(value))  # a code or phone Excel turned into a number
                data[f.key] = value
        except ParseError as exc:
            errors[c.header] = str(exc)
    return data, errors, extra


def import_workbook(session: Session, path: str | Path, *, dry_run: bool = False,
                    progress: Callable[[str], None] = lambda s: None,
                    should_stop: Callable[[], bool] = lambda: False,
                    before_commit: Callable[[], None] = lambda: None) -> ImportResult:
    """Import every standard sheet of the workbook at `path` in one transaction.

    Commits only when every row is right and `dry_run` is false; otherwise rolls back.
    `before_commit` runs once every row has passed, just before the commit (the office's safety
    copy: the rows are not yet visible to another connection); if it raises, nothing is written.
    """
    sheets, notices = read_sheets(path)
    result = ImportResult(notices=notices, rows=sheets)
    if not sheets:
        raise ImportRefused("工作簿中没有标准台账表（如“河湖名录”“巡河记录”），请用 hzdesk template 生成的模板填写。")
    refs = _Refs(session)
    session.info.pop("added_choices", None)
    session.info.pop("compacted_names", None)
    labels_to_codes = {label: code for code, label in session.execute(
        select(m.ChecklistItem.code, m.ChecklistItem.label).where(m.ChecklistItem.active.is_(True)))}
    parents: list[tuple[Any, int, Any]] = []
    last_patrol = session.scalar(select(func.coalesce(func.max(m.Patrol.id), 0)))
    audit.begin_batch(session)
    try:
        with bulk_uniqueness(session), _fewer_collections():
            _import_sheets(session, sheets, result, refs, labels_to_codes, parents, progress, should_stop)
        for obj, number, code in parents:
            try:
                records.update(session, "water_body", obj.id, {"parent_id": refs.water_id(code)})
            except (ParseError, ValidationError) as exc:
                result.issues.append(Issue("河湖名录", number, "上级编码", code, str(exc).split("：", 1)[-1]))
        if not result.issues:
            session.flush()
            n = unappointed_after(session, last_patrol)
            if n:
                result.notices.append(f"{n} 条巡河记录的巡河人当天没有任何任职（民间巡河、代巡等）："
                                      "照常导入，不计入任何河长的应巡。")
            renamed = list(dict.fromkeys(session.info.pop("compacted_names", [])))
            if renamed:
                result.notices.append(f"{len(renamed)} 个姓名中的空格已去掉（如“{renamed[0][0]}”记为“{renamed[0][1]}”），"
                                      "以便与人员名录对上。")
            for list_name, values in session.info.pop("added_choices", {}).items():
                new = list(dict.fromkeys(values))
                result.notices.append(f"{CHOICE_LISTS[list_name][0]}列表中原来没有的 {len(new)} 个名称将加入列表："
                                      + "、".join(new[:20]) + (" 等" if len(new) > 20 else "")
                                      + "。如是笔误，请改正工作簿后再导入。")
        if result.issues or dry_run:
            audit.end_batch(session, write=False)
            session.rollback()
        else:
            before_commit()
            audit.end_batch(session, write=True)
            note = session.info.pop("import_note", None)
            if note:   # what the batch was, in the trail beside its rows (合并乡镇台账: whose, which file)
                audit.append_entries(session.connection(), [{
                    "action": note.pop("action"), "table_name": "*", "record_id": None,
                    "actor": session.info.get("actor"), "after": note}])
            session.commit()
            result.written = True
    except BaseException:
        audit.end_batch(session, write=False)
        session.rollback()
        raise
    return result


@contextmanager
def _fewer_collections():
    """Python's garbage collector a third as often while a workbook's rows become records. Most
    of what a row makes lives to the end of the import (its record and the record's state, its
    audit entry) and is no garbage; collecting after every 700 new objects kept walking them.
    The large workbook (125,000 rows), whole process: 54 → 50 s, 361 → 366 MB. Not rarer still:
    a problem and its events hold each other, so they wait for a collection once written —
    after every 5,000 objects the peak passed 400 MB, after every 50,000 it reached 480 MB."""
    before = gc.get_threshold()
    gc.set_threshold(2_000, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


# Ledgers whose new rows are sent to the database in batches: nothing in the same sheet needs
# their ids at once (later sheets get them after each batch; problems' numbers are kept by
# services.problems during the import). Water bodies name their parents a few rows up, boards
# need their ids for the printed chiefs: those are flushed row by row.
BATCHED = ("patrol", "person", "appointment", "outfall", "monitoring_section", "problem")
BATCH = 1000


def _import_sheets(session: Session, sheets: dict, result: ImportResult, refs: _Refs,
                   labels_to_codes: dict[str, str], parents: list, progress: Callable[[str], None],
                   should_stop: Callable[[], bool]) -> None:
    held = _Held(session)   # what the database held before this workbook
    for sheet in SHEETS:  # the order resolves references: water bodies and people first
        if sheet.name not in sheets:
            continue
        headers, rows = sheets[sheet.name]
        index = {h: i for i, h in enumerate(headers) if h}
        known = {c.header for c in sheet.columns}
        twice = _known_twice(headers, known)
        if twice:   # which of the two to take is a guess, and the other one's cells would be lost
            result.issues += [Issue(sheet.name, 1, h, None, f"第 {'、'.join(at)} 列都叫“{h}”：请只保留一列")
                              for h, at in twice.items()]
            continue
        for h in index:
            if h not in known:
                result.notices.append(f"“{sheet.name}”的“{h}”列不是标准列，已忽略。")
        required = [c.header for c in sheet.columns if c.field is not None and c.field.required
                    and c.field.editable and c.role not in COMPANIONS and c.header not in index]
        if required:
            result.issues.append(Issue(sheet.name, 1, "、".join(required), None, "缺少必需的列"))
            continue
        progress(sheet.name)
        n = 0
        added: list[Any] = []
        for number, values in rows:
            n += 1
            if n % BATCH == 0:
                progress(f"{sheet.name} {n} 行")
                if should_stop():
                    raise HzdeskError("已取消导入，没有写入任何数据。")
            obj = _import_row(session, sheet, index, number, values, refs, labels_to_codes, parents, result, held)
            if obj is not None:
                result.added[sheet.name] = result.added.get(sheet.name, 0) + 1
            if obj is not None and sheet.ledger.key in BATCHED:
                added.append(obj)
            elif obj is not None:
                _remember(sheet, obj, refs)
            if len(added) >= BATCH:
                _flush(session, sheet, added, refs)
        _flush(session, sheet, added, refs)
        result.counts[sheet.name] = n


def _known_twice(headers: list[str], known: set[str]) -> dict[str, list[str]]:
    """Standard headers that head more than one column, with those columns' letters."""
    from hzdesk.reports.xlsx import column_letter

    at: dict[str, list[str]] = {}
    for i, h in enumerate(headers):
        if h in known:
            at.setdefault(h, []).append(column_letter(i + 1))
    return {h: letters for h, letters in at.items() if len(letters) > 1}


def _flush(session: Session, sheet: Sheet, added: list[Any], refs: _Refs) -> None:
    """Send a batch of new rows to the database; the ids it gives let later sheets refer to them."""
    session.flush()
    for obj in added:
        _remember(sheet, obj, refs)
    added.clear()


def _remember(sheet: Sheet, obj: Any, refs: _Refs) -> None:
    if sheet.ledger.key == "water_body":
        refs.water[obj.code] = obj.id
    elif sheet.ledger.key == "person":
        refs.add_person(obj.id, obj.name, obj.phone)
    elif sheet.ledger.key in refs.named:   # a section or a plan of this workbook, for the sheets after it
        _model, attr, _n, _w = NAMED_ON_WATER[sheet.ledger.key]
        refs.named[sheet.ledger.key][(getattr(obj, attr), obj.water_body_id)] = obj.id


def _same(held: Any, given: Any) -> bool:
    """Equal as the clerk sees them: a checklist with nothing ticked is the same as an empty one."""
    if isinstance(held, dict) or isinstance(given, dict):
        return {k for k, v in (held or {}).items() if v} == {k for k, v in (given or {}).items() if v}
    return held == given


def _update_row(session: Session, sheet: Sheet, number: int, held_id: int, data: dict[str, Any],
                extra: dict[str, Any], by_key: dict[str, str], report, parents: list, parent_code: Any,
                result: ImportResult) -> None:
    """A row the database already holds: changed cells are written (counted 更新), an identical
    row is left alone (不变). A problem's workflow is never rewritten by a sheet."""
    lg = sheet.ledger
    obj = records.get(session, lg.key, held_id)
    try:
        values = clean(session, lg, {k: v for k, v in data.items() if k != "parent_id"}, existing=obj)
    except ValidationError as exc:
        report({by_key.get(key, ""): reason for key, reason in exc.errors.items()})
        return None
    changed = {k: v for k, v in values.items() if not _same(getattr(obj, k), v)}
    names = None
    if lg.key == "sign_board" and extra.get("牌面河长"):
        names = [x.strip() for x in str(extra["牌面河长"]).replace("，", "、").split("、") if x.strip()]
        if names == [c.name for c in obj.printed_chiefs]:
            names = None
    if lg.key == "water_body" and parent_code is not None:
        parents.append((obj, number, parent_code))
    if not changed and names is None:
        result.unchanged[sheet.name] = result.unchanged.get(sheet.name, 0) + 1
        return None
    for k, v in changed.items():
        if len(result.changes) < 500:
            result.changes.append((sheet.name, number, by_key.get(k, k), getattr(obj, k), v))
    try:
        if changed:
            records.update(session, lg.key, held_id, changed)
        if names is not None:
            set_printed_chiefs(session, held_id, [{"name": n} for n in names])
    except ValidationError as exc:
        report({by_key.get(key, ""): reason for key, reason in exc.errors.items()})
        return None
    result.updated[sheet.name] = result.updated.get(sheet.name, 0) + 1
    return None


def _import_row(session: Session, sheet: Sheet, index: dict[str, int], number: int, values: list[Any],
                refs: _Refs, labels_to_codes: dict[str, str], parents: list, result: ImportResult,
                held: "_Held") -> Any | None:
    """Add one row's record (not yet flushed, for a batched ledger), or report its problems and return None."""
    data, errors, extra = _row_data(sheet, index, values, refs, labels_to_codes)
    parent_code = None
    if sheet.ledger.key == "water_body":
        parent_code = values[index["上级编码"]] if "上级编码" in index else None
        data.pop("parent_id", None)  # set after every row of the sheet exists
    extra_values: dict[str, Any] = {}
    held_id = held.find(sheet.ledger.key, data, extra) if not errors else None
    if sheet.ledger.key == "problem" and held_id is None:   # a held problem keeps its workflow
        extra_errors, extra_values = problem_extras(session, data.get("found_on"), extra)
        for header, reason in extra_errors.items():
            errors.setdefault(header, reason)
    by_key = {c.field.key: c.header for c in sheet.columns if c.field is not None and c.role != "person_phone"}

    def report(found: dict[str, str]) -> None:
        for header, reason in found.items():
            result.issues.append(Issue(sheet.name, number, header,
                                       values[index[header]] if header in index else None, reason))

    if held_id is not None:
        return _update_row(session, sheet, number, held_id, data, extra, by_key, report, parents, parent_code, result)
    # Every check runs before anything is written, so a refused row leaves nothing behind.
    if errors:
        try:  # still judge the other columns, so the clerk sees all of a row's problems at once
            clean(session, sheet.ledger, {k: v for k, v in data.items() if by_key.get(k) not in errors})
        except ValidationError as exc:
            for key, reason in exc.errors.items():
                errors.setdefault(by_key.get(key, ""), reason)
        report(errors)
        return None
    try:
        obj = records.create(session, sheet.ledger.key, data, flush=sheet.ledger.key not in BATCHED,
                             number=extra_values.pop("number", None))
    except ValidationError as exc:
        report({by_key.get(key, ""): reason for key, reason in exc.errors.items()})
        return None
    if sheet.ledger.key == "problem":
        apply_problem_extras(session, obj, extra_values)
    if sheet.ledger.key == "sign_board" and extra.get("牌面河长"):
        names = [x.strip() for x in str(extra["牌面河长"]).replace("，", "、").split("、") if x.strip()]
        set_printed_chiefs(session, obj.id, [{"name": n} for n in names])
    if sheet.ledger.key == "water_body" and parent_code is not None:
        parents.append((obj, number, parent_code))
    return obj
