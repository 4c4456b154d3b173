"""撤销: take back one earlier write by replaying its audit entries backwards.

Every write leaves audit entries holding each changed row as it was before and after (see
db/audit.py); undoing a write puts every row back as it was before, newest entry first: a row the
write added is deleted, a row it changed gets its old values, a row it deleted comes back with its
old id (so whatever pointed at it points at it again). The undo is itself written, audited and
marked, so the trail still tells everything that happened.

It is refused, changing nothing, when a row has changed since (someone edited it after the save,
or a later write depends on it): the trail then no longer says what "before" is for that row.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
from collections import Counter
from typing import Any

from sqlalchemy import Date, DateTime, LargeBinary, Time, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hzdesk.db.audit import _row_dict, append_entries
from hzdesk.db.models import AuditEntry, Base
from hzdesk.errors import HzdeskError

#: Tables named in words; the rest go by their ledger titles.
_TABLE_WORDS = {"problem_event": "办理经过", "board_chief": "牌面河长", "setting": "设置",
                "setting_change": "设置", "choice_item": "选项", "checklist_item": "巡河检查项",
                "attachment": "附件", "account": "账号", "patrol_track": "巡河轨迹", "water_geometry": "河道线"}
#: Tables undo never touches: passwords and the trail itself.
_NEVER = {"audit_entry", "account"}


class CannotUndo(HzdeskError):
    pass


def _models() -> dict[str, type]:
    return {mapper.class_.__tablename__: mapper.class_ for mapper in Base.registry.mappers}


def _table_word(table: str) -> str:
    from hzdesk.fields import LEDGERS

    for lg in LEDGERS.values():
        if lg.model.__tablename__ == table:
            return lg.title
    return _TABLE_WORDS.get(table, table)


def entries(session: Session, first: int, last: int) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.id >= first, AuditEntry.id <= last)
                                .order_by(AuditEntry.id)))


def describe(session: Session, first: int, last: int) -> str:
    """The write in a clerk's words: "修改 巡河记录 1 条" or "新增 问题台账 1 条、办理经过 1 条"."""
    rows = entries(session, first, last)
    if not rows:
        return "（无）"
    main = rows[0].action if rows[0].action in ("新增", "修改", "删除") else rows[0].action
    counts = Counter(_table_word(e.table_name) for e in rows if e.table_name not in ("*", "audit_entry"))
    what = "、".join(f"{t} {n} 条" for t, n in counts.items())
    return f"{main} {what}" if what else main


def _python(column, value: Any) -> Any:
    """A value as the trail wrote it (dates as text, enums as their values) back to Python."""
    if value is None:
        return None
    t = column.type
    if isinstance(t, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(t, Date):
        return dt.date.fromisoformat(value)
    if isinstance(t, Time):
        return dt.time.fromisoformat(value)
    if isinstance(t, LargeBinary):
        return base64.b64decode(value)
    enum_class = getattr(t, "enum_class", None)
    if enum_class is not None and issubclass(enum_class, enum.Enum):
        return enum_class(value)
    return value


def _same(row: dict[str, Any], expected: dict[str, Any]) -> bool:
    # "_digest" and other marks the trail adds are about the row, not columns of it
    return all(row.get(k) == v for k, v in expected.items() if not k.startswith("_"))


def undo(session: Session, first: int, last: int) -> str:
    """Put back every row the audit entries first…last changed; return what was undone in words."""
    rows = entries(session, first, last)
    if not rows:
        raise CannotUndo("没有可撤销的操作。")
    models = _models()
    words = describe(session, first, last)
    changed = "此后这些记录又被修改过"
    for e in reversed(rows):
        if e.table_name == "*":   # a marker (an import's summary, an earlier undo): nothing to put back
            continue
        if e.table_name in _NEVER or e.table_name not in models:
            raise CannotUndo(f"“{words}”涉及{_table_word(e.table_name)}，不能撤销。")
        model = models[e.table_name]
        columns = {c.key: c for c in model.__table__.columns}
        obj = session.get(model, e.record_id)
        if e.action == "新增":
            if obj is None or not _same(_row_dict(obj), e.after or {}):
                raise CannotUndo(f"不能撤销“{words}”：{changed}。")
            session.delete(obj)
        elif e.action == "修改":
            if obj is None or not _same(_row_dict(obj), e.after or {}):
                raise CannotUndo(f"不能撤销“{words}”：{changed}。")
            for key, value in (e.before or {}).items():
                setattr(obj, key, _python(columns[key], value))
        elif e.action == "删除":
            if obj is not None:
                raise CannotUndo(f"不能撤销“{words}”：记录已重新建立。")
            session.add(model(**{k: _python(columns[k], v) for k, v in (e.before or {}).items() if k in columns}))
        else:
            raise CannotUndo(f"“{e.action}”不能撤销。")
        try:
            session.flush()
        except IntegrityError:
            raise CannotUndo(f"不能撤销“{words}”：其他记录已经用到了它（如问题、巡河记录引用了这条记录）。") from None
    append_entries(session.connection(), [{"action": "撤销", "table_name": "*", "record_id": None,
                                           "after": {"entries": [first, last], "what": words},
                                           "actor": session.info.get("actor")}])
    return words
