"""The operations layer: the one door the window and the command line both use — opening a
database (its lock, what was found, recovery), reads and writes, and every use case (import,
export, rules, backup, restore, reports, statistics, check).

Both used to write their own opening flow, and the command line skipped the window's lock: with a
window holding a database, `hzdesk restore` and `hzdesk demo` on it ran and exited 0. Here one
flow decides what opening means; what to *ask* the person (recover? go on?) stays with the
caller, which is told what was found.

* A command that writes (import, demo, restore, rule or setting changes) claims the same lock as
  the window; while a window (or another writing command) holds it, the command is refused with
  the holder's name, computer and time (exit 2 on the command line).
* A command that only reads (stats, export, report, check, backup, backups) does not need the lock:
  SQLite lets it read a consistent snapshot beside a writer.

Writes say what they changed: `write` runs a service call in one transaction and returns, with
its result, the set of tables the transaction touched (every ORM insert, update and delete, and
every DML statement sent through the session), so the window refreshes only the screens that
show them (Anki's `OpChanges`).
"""

from __future__ import annotations

import datetime as dt
import gc
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from hzdesk import clock
from hzdesk.db.engine import Database, open_database
from hzdesk.db.server import server_url
from hzdesk.db.guard import DatabaseInUse, InstanceLock, acquire, damaged, on_network_drive
from hzdesk.errors import DatabaseError, NotFound, ValidationError, explain_storage_error, os_reason
from hzdesk.paths import is_server
from hzdesk.services import access  # noqa: F401  (the role guard on every Session)

__all__ = ["Changes", "Database", "DatabaseInUse", "Found", "backup_now", "call", "check", "claim",
           "daily_backup", "export_rules", "export_workbook", "import_rules", "import_workbook", "inspect",
           "list_backups", "make_report", "open_database", "open_for_command", "read", "recover", "restore",
           "statistics", "write", "write_template", "file_of", "SERVER_BACKUPS", "is_server", "server_url", "copy_to", "Copied"]


@dataclass
class Found:
    """What opening a database found before anything was changed."""

    path: Path | str           # a file, or a server's URL (nothing else below applies to it)
    unclean: bool              # the previous session did not close it (its lock was left behind)
    network_drive: bool        # SQLite's locks are unreliable on shares: warn
    damage: str | None         # why the file cannot be trusted (checked after an unclean exit)


def claim(path: str | os.PathLike, *, force: bool = False) -> InstanceLock:
    """Take the one-writer lock on `path` (its folder is made if missing); `force` opens without
    it when the clerk has confirmed the holder is gone (see guard.acquire)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(f"无法在“{path.parent}”建立数据库文件夹：{os_reason(exc)}") from None
    return acquire(path, force=force)


def inspect(path: str | os.PathLike, lock: InstanceLock) -> Found:
    path = Path(path)
    damage = damaged(path) if (lock.unclean and path.exists()) else None
    return Found(path, lock.unclean, on_network_drive(path), damage)


@contextmanager
def open_for_command(path: str | os.PathLike, *, writes: bool, create: bool = False) -> Iterator[Database]:
    """The database for one command-line command; a writing command holds the lock throughout.
    Without `create`, a path with no database is refused before anything (folder, file) is made.
    A server's database takes no lock: the server keeps several writers apart (#18)."""
    if is_server(path):
        db = _opened(path, create=create)
        try:
            yield db
        finally:
            db.close()
        return
    if Path(path).is_dir():
        raise DatabaseError(f"“{path}”是一个文件夹，不是数据库文件。请在 --db 后写出数据库文件的路径，如 台账.db。")
    if not create and not Path(path).is_file():
        raise NotFound(f"找不到数据库文件“{path}”。请检查 --db 后的路径；新数据库请用主窗口新建，"
                       "或用 hzdesk demo / hzdesk import 建立。")
    if not writes:
        db = _opened(path)
        try:
            yield db
        finally:
            db.close()
        return
    lock = claim(path)
    try:
        found = inspect(path, lock)
        if found.damage:
            raise DatabaseError(f"{found.damage}。上次没有正常关闭，请先用主窗口打开它，按提示从备份修复。")
        db = _opened(path)
        try:
            yield db
        finally:
            db.close()
    finally:
        lock.release()


def _opened(path: str | os.PathLike, create: bool = True) -> Database:
    db = open_database(path, create=create)
    # What exists by now (SQLAlchemy, the models; on a server the driver too: 92,000 objects)
    # lives as long as the command. Frozen out of the garbage collector's sight, it is no longer
    # walked by every full collection in the middle of a report: a year's statistics 0.45 →
    # 0.29 s, a county's ranking on a server 1.7 → 1.5 s. (The window does the same once it is up.)
    gc.freeze()
    return db


# ---------------------------------------------------------------- reads and writes


@dataclass(frozen=True)
class Changes:
    """The tables a write touched; `everything` after a restore, an import or a refresh (F5)."""

    tables: frozenset[str] = frozenset()
    everything: bool = False
    audit: tuple[int, int] | None = None   # the audit entries the write added (first, last): what 撤销 undoes

    def touches(self, tables: frozenset[str] | set[str]) -> bool:
        return self.everything or not self.tables.isdisjoint(tables)

    def __bool__(self) -> bool:
        return self.everything or bool(self.tables)


EVERYTHING = Changes(everything=True)


def read(db: Database, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with db.session() as s:
        return fn(s, *args, **kwargs)


def call(db: Database, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A service that commits for itself (a login records a failure even when it refuses)."""
    with db.session(write=True) as s:
        return fn(s, *args, **kwargs)


def write(db: Database, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, Changes]:
    """Run `fn(session, …)` in one transaction; return its result and the tables it changed.

    Storage failures (disk full, read-only file, locked) come back as a Chinese DatabaseError and
    the transaction is rolled back, so the caller can keep what the clerk typed.
    """
    from sqlalchemy import event, func, select
    from sqlalchemy.exc import DBAPIError as OperationalError   # SQLite's and a server's refusals alike

    from hzdesk.db.models import AuditEntry

    touched: set[str] = set()

    def after_flush(session, _context) -> None:
        for obj in (*session.new, *session.dirty, *session.deleted):
            table = getattr(obj, "__tablename__", None)
            if table:
                touched.add(table)

    def on_execute(state) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            table = getattr(state.statement, "table", None)
            if table is not None:
                touched.add(table.name)

    try:
        with db.session(write=True) as s:
            event.listen(s, "after_flush", after_flush)
            event.listen(s, "do_orm_execute", on_execute)
            with s.begin():
                last_entry = s.scalar(select(func.max(AuditEntry.id))) or 0
                result = fn(s, *args, **kwargs)
                s.flush()
                newest = s.scalar(select(func.max(AuditEntry.id))) or 0
    except OperationalError as exc:
        raise explain_storage_error(exc) or exc from exc
    touched.discard("audit_entry")   # every write adds to the trail; no screen lists it
    audit = (last_entry + 1, newest) if newest > last_entry else None
    return result, Changes(frozenset(touched), audit=audit)


# ---------------------------------------------------------------- use cases shared by the window and the command line

SERVER_BACKUPS = ("这是服务器上的数据库：它的备份由服务器管理员用 pg_dump 负责（见说明书“服务器数据库”一节），"
                  "本软件不另做备份文件。需要一份本机的离线副本，请用“导出离线副本”（hzdesk copy-to 副本.db）。")


def file_of(db: Database) -> Path:
    """The database's file, for what only a file has (backups, restore, the chain's outside head);
    a server's database says who backs it up instead."""
    if db.path is None:
        raise DatabaseError(SERVER_BACKUPS)
    return db.path


def backup_now(path: str | os.PathLike):
    """A verified backup now, then the rotation (7 days, 4 weeks, 12 months)."""
    from hzdesk.db.backup import backup, rotate

    info = backup(Path(path), "手动")
    rotate(Path(path))
    return info


def daily_backup(path: str | os.PathLike):
    from hzdesk.db import backup

    return backup.daily_backup(Path(path))


def list_backups(path: str | os.PathLike):
    from hzdesk.db import backup

    return backup.list_backups(Path(path))


def restore(db: Database | str | os.PathLike, backup_file: str | os.PathLike):
    """Replace the database with a backup (after a 恢复前 copy of the current one); returns that
    copy. An open `db` lets go of the file first; its engine reconnects on the next use."""
    from hzdesk.db import backup

    if isinstance(db, Database):
        with db.session() as s:
            from hzdesk.services.access import any_accounts
            guarded = any_accounts(s)
        path = file_of(db)
        db.engine.dispose()
    else:
        path = Path(db)
        guarded = _active_accounts(path) > 0
    if guarded and _active_accounts(Path(backup_file)) == 0:
        # Restoring it would switch the logins off without anyone deciding so.
        raise DatabaseError("这个备份来自启用账号之前（其中没有账号），恢复后任何人都可以不登录使用、修改台账。"
                            "如确需恢复，请管理员先在“设置 → 账号”中停用全部账号后再恢复。当前数据未作任何改动。")
    safety = backup.restore(path, Path(backup_file))
    # A backup from an older hzdesk is brought up to this program's structure at once (after its
    # own 升级前 copy), so that the window that restored it goes on working; the chain's outside
    # head is now the restored one's.
    _reanchor(path)
    return safety


def _reanchor(path: Path) -> None:
    from hzdesk.db.anchor import chain_head, write_anchor

    db = open_database(path)
    try:
        with db.engine.connect() as conn:
            write_anchor(path, chain_head(conn))
    finally:
        db.close()


def _active_accounts(path: Path) -> int:
    import sqlite3

    try:
        con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            return con.execute("SELECT count(*) FROM account WHERE active = 1").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:   # no account table (a backup from before accounts existed)
        return 0


def recover(path: str | os.PathLike):
    """A damaged database: move it aside (never deleted) and restore the newest backup that
    verifies. Returns (the moved file, the backup restored or None)."""
    from hzdesk.db.guard import quarantine, restore_newest_backup

    moved = quarantine(Path(path))
    restored = restore_newest_backup(Path(path))
    if restored is not None:
        _reanchor(Path(path))
    return moved, restored


@dataclass
class Copied:
    where: str                 # the target, its password hidden
    counts: dict[str, int]     # rows per table


def copy_to(db: Database, target: str | os.PathLike, *,
            progress: Callable[[str], None] = lambda s: None,
            should_stop: Callable[[], bool] = lambda: False) -> Copied:
    """Everything in `db` into a new file or an empty server database (hzdesk/db/transfer.py):
    导出离线副本 from a server, or an office's file moved onto its server. A new file that the
    copy did not fill is removed again."""
    from hzdesk.db.transfer import copy_database

    fresh_file = not is_server(target) and not Path(target).exists()
    if not is_server(target) and Path(target).exists() and Path(target).stat().st_size > 0:
        raise DatabaseError(f"文件“{target}”已存在；离线副本请存为一个新文件。")
    _attachments_whole(db)   # checked first: a copy stops before writing, not half way
    out = open_database(target)
    try:
        counts = copy_database(db, out, progress=progress, should_stop=should_stop)
        counts["附件文件"] = _copy_attachment_bytes(db, out, progress)
    except BaseException:
        out.close()
        if fresh_file:
            for leftover in Path(target).parent.glob(Path(target).name + "*"):
                leftover.unlink(missing_ok=True)
        raise
    where = out.where
    out.close()
    return Copied(where, counts)


def _copy_attachment_bytes(source: Database, target: Database, progress: Callable[[str], None]) -> int:
    """Each attachment's bytes from where the source keeps them (its folder, or a server's table)
    to where the target does; a missing one is named, not skipped silently."""
    from sqlalchemy import select

    from hzdesk.db.models import Attachment
    from hzdesk.services.attachments import extension_of, bytes_of, file_of, keep_bytes

    progress("复制附件")
    done = set()
    with source.session() as src, target.session(write=True) as dst:
        for att in src.scalars(select(Attachment).order_by(Attachment.id)):
            if att.sha256 in done:
                continue
            data = bytes_of(src, source.attachments, att)
            if target.on_server:
                keep_bytes(dst, target.attachments, att.sha256, extension_of(att), data)
            else:
                path = file_of(target.attachments, att)
                if not path.exists():
                    from hzdesk.services.attachments import write_whole
                    write_whole(path, data)
            done.add(att.sha256)
        dst.commit()
    return len(done)


def _attachments_whole(db: Database) -> None:
    from sqlalchemy import select

    from hzdesk.db.models import Attachment
    from hzdesk.services.attachments import bytes_of

    with db.session() as s:
        missing = [a.filename for a in s.scalars(select(Attachment)) if bytes_of(s, db.attachments, a) is None]
    if missing:
        raise DatabaseError(f"{len(missing)} 个附件在原数据库中找不到文件（如“{missing[0]}”），不能复制完整，"
                            "没有复制任何记录；请先用“检查数据库”查明。")


def import_workbook(db: Database, file: str | os.PathLike, *, dry_run: bool = False,
                    progress: Callable[[str], None] = lambda s: None,
                    should_stop: Callable[[], bool] = lambda: False):
    """Check a county workbook in full and, unless `dry_run`, write it — after a 导入前 backup."""
    from hzdesk.reports.excel_import import import_workbook as run_import

    with db.session(write=not dry_run) as s:
        return run_import(s, file, dry_run=dry_run, progress=progress, should_stop=should_stop,
                          before_commit=lambda: _safety_copy(db, progress))


def _safety_copy(db: Database, progress: Callable[[str], None] = lambda s: None) -> None:
    """The 导入前 copy, taken once a workbook has passed every check and just before its rows are
    committed: a refused workbook — tried again and again while the clerk mends it — leaves no
    copy behind (each is the whole database, kept 30 days). SQLite's WAL shows the copy's own
    connection the database as last committed, without the rows waiting in this transaction.
    A server's backups are its administrator's."""
    if db.on_server:
        return
    from hzdesk.db.backup import backup
    progress("导入前备份")
    backup(db.path, "导入前")


def merge_township(db: Database, file: str | os.PathLike, township: str, *, dry_run: bool = False,
                   progress: Callable[[str], None] = lambda s: None,
                   should_stop: Callable[[], bool] = lambda: False):
    """合并乡镇台账: a township's county workbook into that township of the county's database, with
    the import's all-or-nothing checks; its codes are looked up and checked within the township only.
    Unless `dry_run`, after a 导入前 backup."""
    from hzdesk.db import township as townships
    from hzdesk.reports.excel_import import import_workbook as run_import

    chosen_id, name = _township_named(db, township, "新的乡镇请先添加（hzdesk township add 名称）。")
    from hzdesk.files import sha256_of
    with db.session(write=not dry_run) as s:
        townships.scope(s, chosen_id)
        s.info["import_note"] = {"action": "合并乡镇台账", "乡镇": name, "文件": Path(file).name,
                                 "sha256": sha256_of(Path(file))}
        return run_import(s, file, dry_run=dry_run, progress=progress, should_stop=should_stop,
                          before_commit=lambda: _safety_copy(db, progress))


def add_township(db: Database, name: str, code: str | None = None) -> str:
    from hzdesk.db import township as townships

    with db.session(write=True) as s:
        t = townships.add(s, name, code)
        s.commit()
        db.forget_townships()
        return t.name


def narrow_to(db: Database, township: str) -> None:
    """Narrow every later session of `db` to one township of the county's database."""
    db.township = _township_named(db, township)[0]


def _township_named(db: Database, township: str, advice: str = "") -> tuple[int, str]:
    """(id, name) of the township named (or coded) `township`; a Chinese refusal listing them if none."""
    from hzdesk.db import township as townships

    with db.session() as s:
        chosen = townships.find(s, township)
        if chosen is None:
            raise ValidationError({"township": f"没有乡镇“{township}”；可选："
                                   + "、".join(t.name for t in townships.townships(s)) + "。" + advice})
        return chosen.id, chosen.name


def county_figures(db: Database, start: dt.date, end: dt.date, as_of: dt.date | None = None,
                   progress: Callable[[str], None] = lambda s: None,
                   should_stop: Callable[[], bool] = lambda: False) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Each township's row, ranked, and the county's total figures (as `stats --json` gives them)."""
    from hzdesk.services.county import by_township
    from hzdesk.services.stats import period_stats

    as_of = as_of or clock.today()
    with db.session() as s:
        rows = by_township(s, start, end, as_of, progress, should_stop)
        return rows, period_stats(s, start, end, as_of)


def township_list(db: Database) -> list[tuple[int, str, str | None]]:
    from hzdesk.db import township as townships

    with db.session() as s:
        return [(t.id, t.name, t.code) for t in townships.townships(s)]


def make_report(db: Database, kind: str, out: str | os.PathLike, **options: Any):
    """Any registered report kind (`reports/kinds.py`) to a file; returns what it came to."""
    from hzdesk.reports.make import make

    with db.session() as s:
        return make(s, kind, out, attachments=db.attachments, **options)


def export_workbook(db: Database, file: str | os.PathLike, *, period=None,
                    progress: Callable[[str], None] = lambda s: None,
                    should_stop: Callable[[], bool] = lambda: False) -> dict[str, int]:
    """The county workbook (every ledger, one sheet each); returns the rows per sheet."""
    from hzdesk.reports.excel_export import write_workbook

    if db.township is None and db.is_county:
        # Codes repeat across townships: a workbook of all of them could not be read back.
        raise ValidationError({"township": "县级数据库请按乡镇导出：先选择一个乡镇（窗口右上角的“乡镇”，"
                                           "或命令行 --township 乡镇）。各乡镇的统计数字请用统计工作簿。"})
    with db.session() as s:
        return write_workbook(file, s, period=period, progress=progress, should_stop=should_stop)


def write_template(db: Database, file: str | os.PathLike) -> None:
    """The blank import template, with the office's own choice lists as drop-downs."""
    from hzdesk.reports.excel_template import write_template as write

    with db.session() as s:
        write(file, s)


def statistics(db: Database, start: dt.date, end: dt.date, as_of: dt.date | None = None,
               workbook: str | os.PathLike | None = None) -> dict[str, Any]:
    """The period's figures as of a date (default today), as `stats --json` prints them; with
    `workbook`, the county statistics workbook of the same figures too."""
    from hzdesk.services.stats import period_stats

    from hzdesk.services.county import by_township

    as_of = as_of or clock.today()
    with db.session() as s:
        figures = period_stats(s, start, end, as_of)
        if db.township is None:   # the whole database: its townships side by side (one, in a township's own)
            figures["by_township"] = by_township(s, start, end, as_of)
        if workbook:
            from hzdesk.reports.excel_stats import write_stats_workbook
            write_stats_workbook(workbook, s, start, end, as_of)
    return figures


def check(db: Database):
    """File integrity, foreign keys, the audit chain and the ledgers' consistency."""
    from hzdesk.services.attachments import unsound_attachments
    from hzdesk.services.check import check_database

    with db.session() as s:
        report = check_database(s)
        if report.counts:   # a file too damaged to count gets no further checks
            if not db.on_server:   # the chain's outside head is a file beside the database file
                from hzdesk.db.anchor import read_anchor, verify_anchor
                report.errors += verify_anchor(s.connection(), read_anchor(db.path))
            missing, damaged = unsound_attachments(s, db.attachments)
            for what, names in (("找不到文件", missing), ("文件已损坏（内容与记录的校验值不符）", damaged)):
                if names:
                    report.errors.append(f"{len(names)} 个附件{what}：" + "；".join(names[:10])
                                         + (" 等" if len(names) > 10 else ""))
        return report


def export_rules(db: Database, file: str | os.PathLike) -> int:
    """The 巡河规则 workbook (every rule with its dates); returns the number of rules."""
    from hzdesk.reports.rules_book import write_rules

    with db.session() as s:
        return write_rules(file, s)


def import_rules(db: Database, file: str | os.PathLike, *, dry_run: bool = False):
    """Take in a county's 巡河规则 workbook: all rows checked first, nothing written on any error
    or on a dry run; a 导入前 backup before writing."""
    from sqlalchemy.exc import DBAPIError as OperationalError   # SQLite's and a server's refusals alike

    from hzdesk.reports.rules_book import read_rules
    from hzdesk.services import rule_sets

    rows = read_rules(file)
    try:
        with db.session(write=not dry_run) as s:
            result = rule_sets.apply(s, rows)
            if dry_run or not result.ok:
                s.rollback()
            else:
                _safety_copy(db)
                s.commit()
    except OperationalError as exc:
        raise explain_storage_error(exc) or exc from exc
    return result
