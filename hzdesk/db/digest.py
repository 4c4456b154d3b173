"""Row digests: the audit trail as a ledger (#15 point 4).

Every audit entry that adds or changes a row records the digest of the whole row as the database
then held it (`after["_digest"]`); rows that came in without an entry of their own (sample data
loaded in bulk, records kept before this version) are covered by a 基线 entry listing theirs.
`check` reads every current row, computes its digest the same way and compares it with the last
one the trail holds: a row changed, added or deleted by anything but the program is found and
named by ledger and record. The entries are chained (audit.py) and the chain's head is kept
outside the database (anchor.py), so the digests themselves cannot be rewritten unseen.

A digest is of the row's raw stored values (SQLite's own text for dates), read with plain SQL,
so the migration that starts the baseline, the program and `check` compute the same thing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Iterable

from sqlalchemy import Connection, text

#: The tables whose rows are sealed: everything the office records, not the trail itself.
SEALED = ("water_body", "outfall", "monitoring_section", "monitoring_result", "river_plan", "plan_item",
          "person", "appointment", "sign_board", "board_chief", "patrol", "problem", "problem_event",
          "attachment", "frequency_rule", "checklist_item", "choice_item", "setting_change", "account",
          "work_record", "water_geometry", "patrol_track")
# (setting rows are keyed by name and kept with their dated history in setting_change, which is sealed)


def digest(columns: tuple[str, ...], values: tuple[Any, ...]) -> str:
    """Of the stored values with their column names (repr of str, int, float, None and bytes is
    fixed), in the table's column order."""
    return hashlib.sha256(repr((columns, values)).encode("utf-8")).hexdigest()[:24]


def _as_sqlite_stores(value: Any) -> Any:
    """A value as SQLite keeps it (its text for dates and times, 0/1, JSON text), whichever
    backend read it: a server's driver hands back dates, booleans and parsed JSON, and a row
    sealed on one backend must verify on the other (a database copied onto the server and back).
    SQLite's own values pass unchanged, so the digests of every existing file stay as they were."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S.%f")
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _columns(conn: Connection, table: str) -> str:
    """`*` on SQLite; on a server the same columns with JSON read as its text, as SQLite keeps it
    (the driver would parse it, and a JSON null would read as a missing value)."""
    if conn.dialect.name == "sqlite":
        return "*"
    from sqlalchemy import JSON, inspect
    return ", ".join(f'CAST("{c["name"]}" AS TEXT) AS "{c["name"]}"' if isinstance(c["type"], JSON)
                     else f'"{c["name"]}"' for c in inspect(conn).get_columns(table))


def rows_of(conn: Connection, table: str, ids: Iterable[Any] | None = None) -> dict[Any, str]:
    """{record id: digest} of a table's rows (all, or those with `ids`)."""
    key = "id"
    out: dict[Any, str] = {}
    if ids is None:
        chunks: list[list[Any] | None] = [None]
    else:
        wanted = list(ids)
        chunks = [wanted[i:i + 500] for i in range(0, len(wanted), 500)]
    for chunk in chunks:
        if chunk is not None and not chunk:
            continue
        where = "" if chunk is None else f" WHERE {key} IN ({', '.join(f':k{i}' for i in range(len(chunk)))})"
        params = {} if chunk is None else {f"k{i}": v for i, v in enumerate(chunk)}
        result = conn.execute(text(f'SELECT {_columns(conn, table)} FROM "{table}"{where}'), params)
        columns = tuple(result.keys())
        at = columns.index(key)
        as_stored = conn.dialect.name == "sqlite"   # SQLite's own values need no converting
        for row in result:
            values = tuple(row) if as_stored else tuple(_as_sqlite_stores(v) for v in row)
            out[values[at]] = digest(columns, values)
    return out


def _tables(conn: Connection) -> set[str]:
    """The tables this database has (an old file may lack the newer ones), on either backend."""
    from sqlalchemy import inspect
    return set(inspect(conn).get_table_names())


def baseline(conn: Connection, tables: Iterable[str] = SEALED) -> dict[str, dict[str, str]]:
    """Every row's digest, for a 基线 entry."""
    present = _tables(conn)
    return {t: {str(k): d for k, d in rows_of(conn, t).items()} for t in tables if t in present}


def known_digests(conn: Connection) -> dict[tuple[str, str], str | None]:
    """{(table, record id): the digest the trail last recorded, None once deleted}."""
    known: dict[tuple[str, str], str | None] = {}
    q = conn.execute(text("SELECT action, table_name, record_id, after FROM audit_entry ORDER BY id"))
    for action, table, record_id, after in q:
        data = json.loads(after) if isinstance(after, str) else after
        if action == "基线" and data:
            for t, digests in (data.get("digests") or {}).items():
                for k, d in digests.items():
                    known[(t, k)] = d
        elif table in SEALED and record_id is not None:
            if action == "删除":
                known[(table, str(record_id))] = None
            elif isinstance(data, dict) and data.get("_digest"):
                known[(table, str(record_id))] = data["_digest"]
    return known


def differences(conn: Connection) -> list[str]:
    """Rows whose current content is not what the trail last recorded, in Chinese."""
    known = known_digests(conn)
    present = _tables(conn)
    problems: dict[str, list[str]] = {}
    for table in SEALED:
        if table not in present:
            continue
        now = {str(k): d for k, d in rows_of(conn, table).items()}
        for k, d in now.items():
            if (table, k) not in known:
                problems.setdefault(f"{_word(table)}：留痕之外新增", []).append(k)
            elif known[(table, k)] is None:
                problems.setdefault(f"{_word(table)}：已删除的记录又出现", []).append(k)
            elif known[(table, k)] != d:
                problems.setdefault(f"{_word(table)}：留痕之外被修改", []).append(k)
        for (t, k), d in known.items():
            if t == table and d is not None and k not in now:
                problems.setdefault(f"{_word(table)}：留痕之外被删除", []).append(k)
    return [f"{what} {len(ids)} 条（记录号 {'、'.join(ids[:10])}{' 等' if len(ids) > 10 else ''}）"
            for what, ids in problems.items()]


def _word(table: str) -> str:
    from hzdesk.fields import LEDGERS

    for lg in LEDGERS.values():
        if lg.model.__tablename__ == table:
            return lg.title
    return {"problem_event": "办理经过", "board_chief": "牌面河长", "setting": "设置", "setting_change": "设置变更",
            "choice_item": "选项", "attachment": "附件", "account": "账号", "patrol_track": "巡河轨迹",
            "water_geometry": "河道线"}.get(table, table)
