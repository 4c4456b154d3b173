"""The audit trail (留痕): every insert, update and delete written in the same transaction.

A session-level `after_flush` hook sees what the flush just wrote (new ids are known, attribute
history still holds the old values) and appends one `audit_entry` per changed row. Each entry's
hash covers its content and the previous entry's hash, so a row edited or removed outside the app
breaks the chain (`verify_chain`).
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import getpass
import hashlib
import json
from typing import Any

from sqlalchemy import Connection, event, insert, inspect, select
from sqlalchemy.orm import Session

from hzdesk import clock
from hzdesk.db.models import AuditEntry

GENESIS = "0" * 64
_SKIP_COLUMNS = {"created_at", "updated_at", "password_hash", "recovery_hash"}  # a hash is still nothing to spread
#: Bookkeeping whose meaning the trail already records in its own words (登录失败 entries).
_NOT_AUDITED = {"login_throttle", "attachment_blob"}   # a blob is covered by its attachment's SHA-256


def default_actor() -> str:
    try:
        return getpass.getuser() or "本机用户"
    except Exception:  # no login name on some service accounts
        return "本机用户"


def _plain(value: Any) -> Any:
    if value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):    # a packed track (a few KB): kept whole, so undo can put it back
        return base64.b64encode(value).decode("ascii")
    return value


_KEYS: dict[type, list[str]] = {}


def _row_dict(obj, inserted: bool = False) -> dict[str, Any]:
    keys = _KEYS.get(type(obj))
    if keys is None:
        keys = _KEYS[type(obj)] = [c.key for c in inspect(obj).mapper.column_attrs if c.key not in _SKIP_COLUMNS]
    loaded = obj.__dict__  # what the flush just wrote; getattr only for what is not loaded
    if inserted:
        # A row just inserted: a column never set is None. Only an expired one (a value the
        # database made and did not send back) is asked for through the attribute, a load.
        # Asking every absent column that way took a tenth of a large import's flushes.
        expired = inspect(obj).expired_attributes
        return {k: _plain(loaded.get(k) if k not in expired else getattr(obj, k)) for k in keys}
    return {k: _plain(loaded[k] if k in loaded else getattr(obj, k)) for k in keys}


def _changes(obj) -> tuple[dict, dict]:
    state = inspect(obj)
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        if attr.key in _SKIP_COLUMNS:
            continue
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            before[attr.key] = _plain(hist.deleted[0]) if hist.deleted else None
            after[attr.key] = _plain(hist.added[0]) if hist.added else None
    return before, after


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    content = {k: entry.get(k) for k in ("at", "actor", "action", "table_name", "record_id",
                                          "before", "after")}
    if isinstance(content["at"], dt.datetime):
        content["at"] = content["at"].isoformat()
    payload = prev_hash + json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append_entries(conn: Connection, entries: list[dict[str, Any]]) -> None:
    """Chain and insert audit entries (dicts with action, table_name, record_id, before, after)."""
    if not entries:
        return
    from hzdesk.db.server import hold_write_lock
    hold_write_lock(conn)
    prev = conn.execute(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
                        ).scalar() or GENESIS
    now = clock.now().replace(microsecond=0)
    rows = []
    anyone = default_actor()   # once: it asks the system (16 µs), 200,000 times in a large import
    for e in entries:
        row = {"at": now, "actor": e.get("actor") or anyone, "action": e["action"],
               "table_name": e["table_name"], "record_id": e.get("record_id"),
               "before": e.get("before"), "after": e.get("after"), "prev_hash": prev}
        row["entry_hash"] = prev = entry_hash(row["prev_hash"], row)
        rows.append(row)
    conn.execute(insert(AuditEntry), rows)


@event.listens_for(Session, "after_flush")
def _audit_after_flush(session: Session, _ctx) -> None:
    if session.info.get("audit") is False:
        return
    actor = session.info.get("actor")
    entries = []
    for obj in session.new:
        if not isinstance(obj, AuditEntry) and obj.__tablename__ not in _NOT_AUDITED:
            entries.append({"action": "新增", "table_name": obj.__tablename__,
                            "record_id": getattr(obj, "id", None), "after": _row_dict(obj, inserted=True)})
    for obj in session.dirty:
        if (isinstance(obj, AuditEntry) or obj.__tablename__ in _NOT_AUDITED
                or not session.is_modified(obj, include_collections=False)):
            continue
        before, after = _changes(obj)
        if after:
            entries.append({"action": "修改", "table_name": obj.__tablename__,
                            "record_id": getattr(obj, "id", None), "before": before, "after": after})
    for obj in session.deleted:
        if obj.__tablename__ in _NOT_AUDITED:
            continue
        entries.append({"action": "删除", "table_name": obj.__tablename__,
                        "record_id": getattr(obj, "id", None), "before": _row_dict(obj)})
    for e in entries:
        e["actor"] = actor
    if entries:
        session.info["audit_written"] = True   # the chain's head moves: anchored after the commit
    pending = session.info.get("audit_pending")
    if pending is None:
        _seal(session, entries)   # a bulk operation seals its rows once, at its end (end_batch)
    if pending is not None:  # a bulk operation chains and writes them at its end, in one go
        pending.extend(_packed(e) for e in entries)
    else:
        append_entries(session.connection(), entries)


def _seal(session: Session, entries: list[dict[str, Any]]) -> None:
    """Each added or changed row's digest as now stored, in its entry (digest.py)."""
    from hzdesk.db.digest import SEALED, rows_of

    wanted: dict[str, list[Any]] = {}
    for e in entries:
        if e["action"] in ("新增", "修改") and e["table_name"] in SEALED and e.get("record_id") is not None:
            wanted.setdefault(e["table_name"], []).append(e["record_id"])
    if not wanted:
        return
    conn = session.connection()
    digests = {t: rows_of(conn, t, ids) for t, ids in wanted.items()}
    for e in entries:
        d = digests.get(e["table_name"], {}).get(e.get("record_id"))
        if d is not None and e["action"] in ("新增", "修改"):
            e["after"] = {**(e.get("after") or {}), "_digest": d}


@event.listens_for(Session, "after_commit")
def _anchor_after_commit(session: Session) -> None:
    """The chain's head, written beside the database once the entries are committed (anchor.py)."""
    if not session.info.pop("audit_written", False):
        return
    from pathlib import Path

    from hzdesk.db.anchor import chain_head, write_anchor
    try:
        bind = session.get_bind()
        path = bind.url.database
        # a server's database name is no path: its head is kept by its own backups (pg_dump)
        if bind.dialect.name != "sqlite" or not path or path == ":memory:":
            return
        with bind.connect() as conn:
            head = chain_head(conn)
    except Exception:   # noqa: BLE001 - the data is committed; a missing anchor is reported by check
        return
    write_anchor(Path(path), head)


def begin_batch(session: Session) -> None:
    """Collect audit entries instead of writing them at each flush (imports of many rows)."""
    session.info["audit_pending"] = []


def end_batch(session: Session, write: bool) -> None:
    """Write (or drop, when the work is rolled back) the collected entries, in the same transaction."""
    pending = session.info.pop("audit_pending", None)
    if write and pending:
        session.flush()
        entries = pending + session.info.pop("audit_pending", [])
        del pending
        # Each row read once, as it stands at the end of the batch, and written a slice at a
        # time: sealing and chaining 200,000 entries at once nearly doubled an import's memory.
        while entries:
            part = [_unpacked(e) for e in entries[:_SLICE]]
            del entries[:_SLICE]
            _seal(session, part)
            append_entries(session.connection(), part)


_SLICE = 5000


def _packed(entry: dict[str, Any]) -> Any:
    """A new row's pending entry in a third of the room: a tuple, the keys of its values shared
    by every row of the table (100,000 patrols' dicts held 300 MB until the batch ended)."""
    after = entry.get("after")
    if entry["action"] != "新增" or after is None or "before" in entry:
        return entry
    keys = tuple(after)
    keys = _SHARED_KEYS.setdefault(keys, keys)
    return (entry["table_name"], entry["record_id"], entry["actor"], keys, tuple(after.values()))


def _unpacked(entry: Any) -> dict[str, Any]:
    if not isinstance(entry, tuple):
        return entry
    table_name, record_id, actor, keys, values = entry
    return {"action": "新增", "table_name": table_name, "record_id": record_id, "after": dict(zip(keys, values)),
            "actor": actor}


_SHARED_KEYS: dict[tuple[str, ...], tuple[str, ...]] = {}

def verify_chain(conn: Connection) -> list[str]:
    """Walk the trail in order; return a Chinese message per broken link (empty: intact)."""
    problems = []
    prev = GENESIS
    for row in conn.execute(select(AuditEntry).order_by(AuditEntry.id)).mappings():
        entry = dict(row)
        if entry["prev_hash"] != prev:
            problems.append(f"留痕第 {entry['id']} 条与前一条衔接不上（中间的记录被删除或改动）")
        if entry_hash(entry["prev_hash"], entry) != entry["entry_hash"]:
            problems.append(f"留痕第 {entry['id']} 条的内容与校验值不符（被改动过）")
        prev = entry["entry_hash"]
    return problems


def reseal_after_new_column(conn: Connection, table: str, add_column) -> None:
    """For a migration that adds a column to a sealed table: every row's digest changes with it, so
    the rows that were intact before (their digest what the trail last recorded) are sealed anew by
    a 基线 entry after `add_column()` runs; a row changed outside the program stays reported."""
    reseal_after_new_columns(conn, (table,), add_column)


def reseal_after_new_columns(conn: Connection, tables, add_columns) -> None:
    """The same for a migration that adds columns to several sealed tables: one 基线 entry."""
    from hzdesk.db.digest import _tables, known_digests, rows_of

    present = _tables(conn)
    tables = [t for t in tables if t in present]
    known = known_digests(conn)
    intact = {t: [k for k, d in rows_of(conn, t).items() if known.get((t, str(k))) == d] for t in tables}
    add_columns()
    digests = {t: {str(k): d for k, d in rows_of(conn, t, intact[t]).items()} for t in tables}
    digests = {t: d for t, d in digests.items() if d}
    if digests:
        append_entries(conn, [{"action": "基线", "table_name": "*", "record_id": None, "actor": "程序升级",
                               "after": {"digests": digests}}])
