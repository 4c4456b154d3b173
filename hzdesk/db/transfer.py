"""A whole database copied into another of the same structure: an office moving its file onto the
server, or an offline copy of the server's database in a SQLite file (导出离线副本, #18).

Rows are copied as they are stored — ids, the audit trail and its seals included — so the copy's
`check` verifies the same chain, and a report printed from it says what the original said. The
target must hold no ledger records yet (a new file, a new server database); what its migrations
seeded (settings, choice lists) is replaced by the source's. All in one transaction of the target:
a copy cut short leaves it as empty as it was.
"""

from __future__ import annotations

from typing import Callable

from sqlalchemy import JSON, Text, bindparam, cast, delete, func, insert, select

from hzdesk.db import models as m
from hzdesk.db.models import Base
from hzdesk.errors import DatabaseError

CHUNK = 5000
# Tables whose rows make a database "in use": a copy never lands on top of them.
_LEDGERS = (m.WaterBody, m.Person, m.Patrol, m.Problem, m.SignBoard, m.WorkRecord)
# each database's own marker; attachments' bytes go where the target keeps them (office.copy_to)
_NOT_COPIED = {"hzdesk_meta", "attachment_blob"}


class Cancelled(DatabaseError):
    def __init__(self) -> None:
        super().__init__("已取消，目标数据库没有写入任何记录。")


# JSON columns travel as their stored text: parsed, a JSON null and an SQL NULL would both come
# back as None and be written alike, and the row's seal (digest.py) would no longer match.
def _read(table):
    return select(*[cast(c, Text).label(c.name) if isinstance(c.type, JSON) else c for c in table.c])


def _write(table, dialect: str):
    as_text = {c.name: bindparam(c.name, type_=Text) for c in table.c if isinstance(c.type, JSON)}
    if dialect == "postgresql":   # text into a json column is a cast there; SQLite keeps the text
        as_text = {k: cast(v, JSON) for k, v in as_text.items()}
    return insert(table).values(as_text) if as_text else insert(table)


def copy_database(source, target, *, progress: Callable[[str], None] = lambda s: None,
                  should_stop: Callable[[], bool] = lambda: False) -> dict[str, int]:
    """Every row of `source` (a Database) into `target` (an empty one); rows per table."""
    tables = [t for t in Base.metadata.sorted_tables if t.name not in _NOT_COPIED]
    copied: dict[str, int] = {}
    with source.engine.connect() as src, target.engine.begin() as dst:
        used = sum(dst.scalar(select(func.count()).select_from(model)) for model in _LEDGERS)
        if used:
            raise DatabaseError(f"目标数据库“{target.where}”里已有台账记录，不能把另一个数据库复制进去；"
                                "请选一个新文件，或请管理员新建一个空的服务器数据库。目标未做任何改动。")
        for table in reversed(tables):   # what migrations seeded, children first
            dst.execute(delete(table))
        for table in tables:
            if should_stop():
                raise Cancelled()
            progress(f"复制 {table.name}")
            rows = src.execution_options(stream_results=True, yield_per=CHUNK).execute(_read(table))
            n = 0
            write = _write(table, dst.dialect.name)
            for chunk in rows.mappings().partitions(CHUNK):
                dst.execute(write, [dict(r) for r in chunk])
                n += len(chunk)
            copied[table.name] = n
        if dst.dialect.name == "postgresql":
            from hzdesk.db.server import reset_sequences
            reset_sequences(dst)
    if target.path is not None:   # a file keeps its chain's head beside it (anchor.py)
        from hzdesk.db.anchor import chain_head, write_anchor
        with target.engine.connect() as conn:
            write_anchor(target.path, chain_head(conn))
    return copied
