"""Reading the county workbook back in: all or nothing.

Every row goes through the same services as a form, so the same rules and the same Chinese
messages apply. If any row is wrong nothing is written, and every problem is listed with its sheet,
row number, column, value and reason (also as an error workbook the clerk can fix and re-import).
Hostile files (a renamed .xls, zip bombs, XML entity bombs, huge sheets) are refused before or while
reading, quickly and without crashing.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from hzdesk.db import audit
from hzdesk.db import models as m
from hzdesk.errors import HzdeskError, ValidationError
from hzdesk.parsing import ParseError, parse_date
from hzdesk.reports.sheets import SHEET_BY_NAME, SHEETS, Sheet
from hzdesk.reports.xlsx_reader import UnsafeXml, Workbook
from hzdesk.services import records
from hzdesk.services.boards import set_printed_chiefs
from hzdesk.services.validation import bulk_uniqueness, clean
from hzdesk.vocab import ProblemState

MAX_FILE_BYTES = 60 * 1024 * 1024
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
MAX_RATIO = 200            # unpacked ÷ packed for one member; spreadsheets stay far below
MAX_MEMBERS = 2000
MAX_ROWS = 200_000
MAX_COLUMNS = 200
TEXT_KINDS = ("text", "longtext", "phone", "choice")


class ImportRefused(HzdeskError):
    """The file cannot be read at all (not a workbook, hostile, too large)."""


@dataclass
class Issue:
    sheet: str
    row: int
    column: str
    value: Any
    reason: str

    def line(self) -> str:
        value = "" if self.value in (None, "") else f"（值：{self.value}）"
        where = f"“{self.sheet}”第 {self.row} 行" + (f"“{self.column}”列" if self.column else "")
        return f"{where}{value}：{self.reason}"


@dataclass
class ImportResult:
    counts: dict[str, int] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    written: bool = False
    rows: dict[str, tuple[list[str], list[tuple[int, list[Any]]]]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.issues


# ---------------------------------------------------------------- reading safely

def check_container(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportRefused(f"无法读取文件“{path}”：{exc.strerror}") from exc
    if size > MAX_FILE_BYTES:
        raise ImportRefused(f"文件太大（{size // 1024 // 1024} MB），超过 {MAX_FILE_BYTES // 1024 // 1024} MB 的上限。")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused("这是旧版 Excel（.xls）文件。请在 Excel 或 WPS 中打开，“另存为”.xlsx 格式后再导入。")
    if not head.startswith(b"PK\x03\x04"):
        raise ImportRefused("这不是 Excel（.xlsx）文件，无法导入。")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_MEMBERS:
                raise ImportRefused("文件内部结构异常（部件过多），已拒绝导入。")
            total = 0
            for info in infos:
                total += info.file_size
                if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 10_000_000:
                    raise ImportRefused("文件解压后异常膨胀（疑似“压缩炸弹”），已拒绝导入。")
            if total > MAX_UNPACKED_BYTES:
                raise ImportRefused("文件解压后过大，已拒绝导入。")
            if "xl/workbook.xml" not in z.namelist():
                raise ImportRefused("这不是 Excel 工作簿（缺少 workbook.xml），无法导入。")
    except zipfile.BadZipFile as exc:
        raise ImportRefused("文件已损坏，无法作为 .xlsx 读取。") from exc


def _unsafe_xml(exc: BaseException | None) -> bool:
    """defusedxml refused entity declarations somewhere down the chain (openpyxl wraps it)."""
    while exc is not None:
        if type(exc).__module__.startswith("defusedxml") or isinstance(exc, UnsafeXml):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def read_sheets(path: str | Path, known: Any = None) -> tuple[dict[str, tuple[list[str], list[tuple[int, list[Any]]]]], list[str]]:
    """{sheet name: (headers, [(row number, values)])} for the sheets we know (the county sheets,
    or the names in `known`); notices for the rest. Every safety check of an import applies."""
    known = SHEET_BY_NAME if known is None else known
    path = Path(path)
    check_container(path)
    try:
        wb = Workbook(path)
    except Exception as exc:  # zip and XML errors of many kinds; all mean "unreadable"
        if _unsafe_xml(exc):
            raise ImportRefused("文件中含有不安全的 XML 内容（实体定义），已拒绝导入。") from exc
        raise ImportRefused(f"无法读取工作簿（{type(exc).__name__}），文件可能已损坏。") from exc
    out: dict[str, tuple[list[str], list[tuple[int, list[Any]]]]] = {}
    notices = []
    try:
        for title, part in wb.sheets:
            name = title.strip()
            if name not in known:
                if name not in ("填写说明", "错误清单"):
                    notices.append(f"工作表“{name}”不是标准台账表，已跳过。")
                continue
            rows = wb.rows(part, MAX_COLUMNS + 1)
            first = next(rows, None)
            if first is None:
                continue
            header_row = first[1]
            if len(header_row) > MAX_COLUMNS:
                raise ImportRefused(f"工作表“{name}”的列数过多，已拒绝导入。")
            headers = [str(h).strip().lstrip("*＊") if h is not None else "" for h in header_row]
            width = len(headers)
            data = []
            for number, values in rows:
                if number > MAX_ROWS + 1:
                    raise ImportRefused(f"工作表“{name}”超过 {MAX_ROWS} 行，已拒绝导入；请分批导入。")
                values = [_clean(v) for v in values[:width]]
                if any(v is not None for v in values):
                    data.append((number, values + [None] * (width - len(values))))
            out[name] = (headers, data)
    except ImportRefused:
        raise
    except Exception as exc:
        if _unsafe_xml(exc):
            raise ImportRefused("文件中含有不安全的 XML 内容（实体定义），已拒绝导入。") from exc
        raise ImportRefused(f"读取工作簿时出错（{type(exc).__name__}），文件可能已损坏。") from exc
    finally:
        wb.close()
    return out, notices


# ---------------------------------------------------------------- resolving references

class _Refs:
    """Water bodies by code and people by name (and phone), from the database and this file."""

    def __init__(self, session: Session):
        self.water = dict(session.execute(select(m.WaterBody.code, m.WaterBody.id)).all())
        self.people: dict[str, list[tuple[int, str | None]]] = {}
        for pid, name, phone in session.execute(select(m.Person.id, m.Person.name, m.Person.phone)):
            self.add_person(pid, name, phone)

    def add_person(self, pid: int, name: str, phone: str | None) -> None:
        self.people.setdefault(name, []).append((pid, phone))

    def water_id(self, code: Any) -> int:
        key = str(int(code)) if isinstance(code, float) and code.is_integer() else str(code).strip()
        if key not in self.water:
            raise ParseError(f"河湖编码“{key}”在河湖名录中找不到")
        return self.water[key]

    def person_id(self, name: Any, phone: Any) -> int:
        name = str(name).strip()
        found = self.people.get(name, [])
        if phone not in (None, ""):
            phone = str(int(phone)) if isinstance(phone, float) and phone.is_integer() else str(phone).strip()
            same = [p for p in found if p[1] == phone]
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
        if c.header not in index or c.role == "person_phone":
            continue
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


def _problem_extras(session: Session, found_on: Any, extra: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """Check what the workflow keeps (number, state, dates, verifier) as the sheet says it.

    Returns (errors by column header, values to set on the new problem)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    number = extra.get("问题编号")
    if number:
        number = str(number).strip()
        if session.scalar(select(m.Problem.id).where(m.Problem.number == number)):
            errors["问题编号"] = f"问题编号“{number}”已存在"
        values["number"] = number
    try:
        found = parse_date(found_on) if found_on is not None else None
    except ParseError:
        found = None  # reported by the service as the 发现日期 column's error
    headers = {"assigned_on": "交办日期", "rectified_on": "整改完成日期", "verified_on": "验收日期",
               "closed_on": "销号日期", "parked_on": "挂账日期"}
    for key, header in headers.items():
        try:
            values[key] = parse_date(extra[header]) if extra.get(header) is not None else None
        except ParseError as exc:
            errors[header] = str(exc)
            continue
        if values[key] is not None and found is not None and values[key] < found:
            errors[header] = "不能早于发现日期"
    returns = extra.get("退回次数")
    try:
        values["returns"] = int(float(returns)) if returns not in (None, "") else 0
        if values["returns"] < 0 or values["returns"] > 99:
            raise ValueError
    except (TypeError, ValueError):
        errors["退回次数"] = "应为 0 到 99 的整数"
    order = [("交办日期", values.get("assigned_on")), ("整改完成日期", values.get("rectified_on")),
             ("验收日期", values.get("verified_on")), ("销号日期", values.get("closed_on"))]
    known = [(h, d) for h, d in order if d is not None]
    for (h1, d1), (h2, d2) in zip(known, known[1:]):
        if d2 < d1 and h2 not in errors:
            errors[h2] = f"不能早于{h1}（{d1.isoformat()}）"
    state = ProblemState.REGISTERED
    if extra.get("状态"):
        try:
            state = ProblemState(str(extra["状态"]).strip())
        except ValueError:
            errors["状态"] = f"“{extra['状态']}”不是有效状态（可选：{'、'.join(s.value for s in ProblemState)}）"
    if state is ProblemState.CLOSED and not values.get("closed_on") and "销号日期" not in errors:
        errors["销号日期"] = "已销号的问题必须有销号日期"
    if state is not ProblemState.CLOSED and values.get("closed_on"):
        errors["销号日期"] = "未销号的问题不应有销号日期"
    values["state"] = state
    values["verifier"] = extra.get("验收人")
    return errors, values


def _apply_problem_extras(session: Session, problem: m.Problem, values: dict[str, Any]) -> None:
    """Set what the workflow keeps, and turn the sheet's dates into dated moves, so that the
    problem's state on any past day (overdue or not) is right for imported history too."""
    state = values.pop("state")
    assigned, parked, returns = values.pop("assigned_on", None), values.pop("parked_on", None), values.pop("returns", 0)
    for key, value in values.items():
        setattr(problem, key, value)
    for action, before, after, day in _moves(problem, state, assigned, parked, returns):
        problem.events.append(m.ProblemEvent(action=action, from_state=before, to_state=after, on_date=day,
                                             actor=session.info.get("actor"), note="由 Excel 工作簿导入"))
    problem.state = state


def _moves(p: m.Problem, state: ProblemState, assigned, parked, returns: int):
    """The moves the sheet's dates stand for, in order; a move whose date the sheet lacks is dated
    with the nearest date it gives, and a last "导入" move reaches the stated state if need be."""
    S = ProblemState
    moves, cur = [], S.REGISTERED
    if assigned or returns or state in (S.RECTIFYING, S.AWAITING_CHECK) or (p.rectified_on and state is S.CLOSED
                                                                           and p.rectified_on != p.closed_on):
        # Worked on by a unit without a 交办日期: assigned, but the sheet does not say when. (A
        # problem closed on the day it was put right, with no 交办, was closed on the spot.)
        moves.append(("交办", cur, S.RECTIFYING, assigned or p.found_on))
        cur = S.RECTIFYING
    for _ in range(returns if cur is S.RECTIFYING else 0):
        day = p.rectified_on or p.verified_on or moves[-1][3]
        moves += [("报告整改完成", S.RECTIFYING, S.AWAITING_CHECK, day), ("验收不通过", S.AWAITING_CHECK, S.RECTIFYING, day)]
    if p.rectified_on and cur is S.RECTIFYING and state is not S.RECTIFYING:
        moves.append(("报告整改完成", cur, S.AWAITING_CHECK, p.rectified_on))
        cur = S.AWAITING_CHECK
    if parked and cur in (S.REGISTERED, S.RECTIFYING):
        moves.append(("挂账", cur, S.PARKED, parked))
        cur = S.PARKED
    if state is S.CLOSED and cur is not S.CLOSED:
        action = "验收通过" if cur is S.AWAITING_CHECK else "销号"
        moves.append((action, cur, S.CLOSED, p.closed_on))
        cur = S.CLOSED
    if cur is not state:
        last = max([d for *_x, d in moves] + [d for d in (p.found_on, p.rectified_on, p.verified_on) if d])
        moves.append(("导入", cur, state, last))
    # Dates never run backwards (states on a day are read from the last move dated by then).
    floor = p.found_on
    out = []
    for action, before, after, day in moves:
        floor = max(floor, day or floor)
        out.append((action, before, after, floor))
    return out


def import_workbook(session: Session, path: str | Path, *, dry_run: bool = False,
                    progress: Callable[[str], None] = lambda s: None,
                    should_stop: Callable[[], bool] = lambda: False) -> ImportResult:
    """Import every standard sheet of the workbook at `path` in one transaction.

    Commits only when every row is right and `dry_run` is false; otherwise rolls back.
    """
    sheets, notices = read_sheets(path)
    result = ImportResult(notices=notices, rows=sheets)
    if not sheets:
        raise ImportRefused("工作簿中没有标准台账表（如“河湖名录”“巡河记录”），请用 hzdesk template 生成的模板填写。")
    refs = _Refs(session)
    labels_to_codes = {label: code for code, label in session.execute(
        select(m.ChecklistItem.code, m.ChecklistItem.label).where(m.ChecklistItem.active.is_(True)))}
    parents: list[tuple[Any, int, Any]] = []
    audit.begin_batch(session)
    try:
        with bulk_uniqueness(session):
            _import_sheets(session, sheets, result, refs, labels_to_codes, parents, progress, should_stop)
        for obj, number, code in parents:
            try:
                records.update(session, "water_body", obj.id, {"parent_id": refs.water_id(code)})
            except (ParseError, ValidationError) as exc:
                result.issues.append(Issue("河湖名录", number, "上级编码", code, str(exc).split("：", 1)[-1]))
        if result.issues or dry_run:
            audit.end_batch(session, write=False)
            session.rollback()
        else:
            audit.end_batch(session, write=True)
            session.commit()
            result.written = True
    except BaseException:
        audit.end_batch(session, write=False)
        session.rollback()
        raise
    return result


# Ledgers whose new rows are sent to the database in batches: nothing in the same sheet needs
# their ids at once (later sheets get them after each batch). Water bodies name their parents
# a few rows up, boards need their ids for the printed chiefs, problems their numbers, which
# count the ones already stored: those are flushed row by row.
BATCHED = ("patrol", "person", "appointment", "outfall", "monitoring_section")
BATCH = 1000


def _import_sheets(session: Session, sheets: dict, result: ImportResult, refs: _Refs,
                   labels_to_codes: dict[str, str], parents: list, progress: Callable[[str], None],
                   should_stop: Callable[[], bool]) -> None:
    for sheet in SHEETS:  # the order resolves references: water bodies and people first
        if sheet.name not in sheets:
            continue
        headers, rows = sheets[sheet.name]
        index = {h: i for i, h in enumerate(headers) if h}
        known = {c.header for c in sheet.columns}
        for h in index:
            if h not in known:
                result.notices.append(f"“{sheet.name}”的“{h}”列不是标准列，已忽略。")
        required = [c.header for c in sheet.columns if c.field is not None and c.field.required
                    and c.field.editable and c.header not in index]
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
            obj = _import_row(session, sheet, index, number, values, refs, labels_to_codes, parents, result)
            if obj is not None and sheet.ledger.key in BATCHED:
                added.append(obj)
            elif obj is not None:
                _remember(sheet, obj, refs)
            if len(added) >= BATCH:
                _flush(session, sheet, added, refs)
        _flush(session, sheet, added, refs)
        result.counts[sheet.name] = n


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


def _import_row(session: Session, sheet: Sheet, index: dict[str, int], number: int, values: list[Any],
                refs: _Refs, labels_to_codes: dict[str, str], parents: list, result: ImportResult) -> Any | None:
    """Add one row's record (not yet flushed, for a batched ledger), or report its problems and return None."""
    data, errors, extra = _row_data(sheet, index, values, refs, labels_to_codes)
    parent_code = None
    if sheet.ledger.key == "water_body":
        parent_code = values[index["上级编码"]] if "上级编码" in index else None
        data.pop("parent_id", None)  # set after every row of the sheet exists
    extra_values: dict[str, Any] = {}
    if sheet.ledger.key == "problem":
        extra_errors, extra_values = _problem_extras(session, data.get("found_on"), extra)
        for header, reason in extra_errors.items():
            errors.setdefault(header, reason)
    by_key = {c.field.key: c.header for c in sheet.columns if c.field is not None and c.role != "person_phone"}

    def report(found: dict[str, str]) -> None:
        for header, reason in found.items():
            result.issues.append(Issue(sheet.name, number, header,
                                       values[index[header]] if header in index else None, reason))

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
        obj = records.create(session, sheet.ledger.key, data, flush=sheet.ledger.key not in BATCHED)
    except ValidationError as exc:
        report({by_key.get(key, ""): reason for key, reason in exc.errors.items()})
        return None
    if sheet.ledger.key == "problem":
        _apply_problem_extras(session, obj, extra_values)
    if sheet.ledger.key == "sign_board" and extra.get("牌面河长"):
        names = [x.strip() for x in str(extra["牌面河长"]).replace("，", "、").split("、") if x.strip()]
        set_printed_chiefs(session, obj.id, [{"name": n} for n in names])
    if sheet.ledger.key == "water_body" and parent_code is not None:
        parents.append((obj, number, parent_code))
    return obj


# ---------------------------------------------------------------- the error workbook

def write_error_workbook(path: str | Path, result: ImportResult) -> None:
    """The problems as a list, and each faulty sheet again with a 错误说明 column to fix in place."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "错误清单"
    ws.append(["工作表", "行号", "列", "值", "原因"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for issue in result.issues:
        _append(ws, [issue.sheet, issue.row, issue.column, issue.value, issue.reason])
    for col, width in zip("ABCDE", (12, 8, 14, 24, 60)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    red = PatternFill("solid", fgColor="FBD5D5")
    by_sheet: dict[str, dict[int, list[Issue]]] = {}
    for issue in result.issues:
        by_sheet.setdefault(issue.sheet, {}).setdefault(issue.row, []).append(issue)
    for name, row_issues in by_sheet.items():
        if name not in result.rows:
            continue
        headers, rows = result.rows[name]
        out = wb.create_sheet(name)
        out.append(headers + ["错误说明"])
        for number, values in rows:
            _append(out, list(values) + [""] * (len(headers) - len(values))
                    + ["；".join(f"{i.column}：{i.reason}" for i in row_issues.get(number, []))])
            if number in row_issues:
                for cell in out[out.max_row]:
                    cell.fill = red
        out.freeze_panes = "A2"
    wb.save(path)


def _append(ws, values: list[Any]) -> None:
    """Append a row as it was typed, but with no value ever taken for a formula."""
    ws.append([v.date() if isinstance(v, dt.datetime) and v.time() == dt.time(0) else v for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
            cell.data_type = "s"
