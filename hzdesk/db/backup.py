"""Backups with SQLite's backup API (never a copy of a live file), verified, rotated, restorable.

A backup is written to a temporary file, checked (`quick_check`, hzdesk's application_id, the same
row counts as the source), then renamed into place. Attachments are immutable and named by their
hash, so one mirror folder beside the backups serves them all. Rotation keeps recent backups dense
and old ones sparse: the newest of each of the last 7 days, 4 weeks and 12 months, plus the newest.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from hzdesk import clock
from hzdesk.db.identity import APPLICATION_ID
from hzdesk.errors import DatabaseError, storage_reason

COUNTED = ("water_body", "person", "appointment", "sign_board", "patrol", "problem", "problem_event",
           "attachment", "audit_entry")
STAMP = "%Y%m%d-%H%M%S"


def backups_dir(db_path: Path) -> Path:
    return db_path.parent / f"{db_path.stem}-备份"


@dataclass
class BackupInfo:
    path: Path
    taken: dt.datetime
    reason: str
    counts: dict[str, int]

    @property
    def label(self) -> str:
        return (f"{self.taken:%Y-%m-%d %H:%M}　{self.reason}　"
                f"巡河 {self.counts.get('patrol', 0)} 条，问题 {self.counts.get('problem', 0)} 个")


def _counts(con: sqlite3.Connection) -> dict[str, int]:
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED if t in tables}


def verify(path: Path) -> dict[str, int]:
    """Open a database file read-only and check it; returns its row counts or raises."""
    path = Path(path)
    if not path.is_file():
        raise DatabaseError(f"“{path}”是一个文件夹，不是备份文件。" if path.is_dir() else f"备份文件“{path}”不存在。")
    try:
        con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DatabaseError(f"备份文件“{path}”无法打开：{storage_reason(exc) or '不是可读取的数据库文件'}。") from exc
    try:
        if con.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            raise DatabaseError(f"“{path}”不是河长办台账的数据库或备份。")
        result = con.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise DatabaseError(f"备份文件“{path}”校验未通过：{result}")
        return _counts(con)
    except sqlite3.DatabaseError as exc:
        reason = storage_reason(exc)   # a full or unplugged disk says nothing about the copy itself
        raise DatabaseError(f"备份文件“{path}”现在无法读取：{reason}。" if reason
                            else f"备份文件“{path}”已损坏，或不是数据库文件。") from exc
    except UnicodeDecodeError as exc:   # a garbled file's check quoting bytes that are not UTF-8 (guard.damaged)
        raise DatabaseError(f"备份文件“{path}”已损坏（校验信息中含有无法识别的内容）。") from exc
    finally:
        con.close()


def _mirror_attachments(db_path: Path, target: Path) -> None:
    from hzdesk.paths import attachments_dir as store_dir

    source = store_dir(db_path)
    if not source.exists():
        return
    for blob in source.rglob("*"):
        if blob.is_file() and not blob.name.startswith(".tmp-"):
            _copy_blob(blob, target / "附件" / blob.relative_to(source), hash_check=False)


def backup(db_path: str | os.PathLike, reason: str = "手动", *, now: dt.datetime | None = None,
           target_dir: Path | None = None) -> BackupInfo:
    db_path = Path(db_path)
    target_dir = target_dir or backups_dir(db_path)
    target_dir.mkdir(parents=True, exist_ok=True)
    now = now or clock.now()
    final = target_dir / f"{db_path.stem}-{now.strftime(STAMP)}-{reason}.db"
    n = 1
    while final.exists():
        n += 1
        final = target_dir / f"{db_path.stem}-{now.strftime(STAMP)}-{reason}-{n}.db"
    tmp = final.with_name(".tmp-" + final.name)
    source = sqlite3.connect(db_path, isolation_level=None)
    try:
        # The counts and the copy come from one read transaction: one snapshot, however busy
        # another writer is (a count taken before the copy once disagreed with it mid-import).
        source.execute("BEGIN")
        source_counts = _counts(source)
        dest = sqlite3.connect(tmp)
        try:
            source.backup(dest)  # a consistent snapshot, even while others read (WAL)
            dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dest.close()
            source.execute("COMMIT")
    except sqlite3.Error as exc:
        if tmp.exists():
            tmp.unlink()
        raise DatabaseError(f"备份失败：{exc}") from exc
    finally:
        source.close()
    try:
        counts = verify(tmp)
        if counts != source_counts:
            raise DatabaseError("备份校验未通过：记录数与原数据库不一致")
        _anchor_copy(tmp, final)
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()
    _mirror_attachments(db_path, target_dir)
    return BackupInfo(final, now, reason, counts)


def _anchor_copy(copy: Path, final: Path) -> None:
    """The copy's audit chain head, beside it (`<备份>.db.chain`): restoring it later checks that
    the copy's trail is still the one it was taken with."""
    from hzdesk.db.anchor import write_anchor

    con = sqlite3.connect(copy.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        row = con.execute("SELECT id, entry_hash FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone() or (0, "")
        count = con.execute("SELECT count(*) FROM audit_entry").fetchone()[0]
    except sqlite3.Error:
        return
    finally:
        con.close()
    write_anchor(final, {"count": count, "last_id": row[0], "last_hash": row[1]})


def list_backups(db_path: str | os.PathLike, target_dir: Path | None = None, *,
                 check: bool = True) -> list[BackupInfo]:
    """Backups of this database, newest first.

    With `check` (to choose one to restore) each file is verified and those that fail are left
    out. Without it they are known by name only: every backup was verified before it got its
    name, and verifying 23 copies of the database at every start would take seconds.
    """
    db_path = Path(db_path)
    folder = target_dir or backups_dir(db_path)
    out = []
    for f in folder.glob(f"{db_path.stem}-*.db") if folder.exists() else []:
        parts = f.stem[len(db_path.stem) + 1:].split("-")
        try:
            taken = dt.datetime.strptime(f"{parts[0]}-{parts[1]}", STAMP)
            counts = verify(f) if check else {}
        except (ValueError, IndexError, DatabaseError):
            continue
        out.append(BackupInfo(f, taken, parts[2] if len(parts) > 2 else "", counts))
    return sorted(out, key=lambda b: b.taken, reverse=True)


#: Copies the program takes before it changes the data in bulk: the way back from that change.
#: They are kept apart from the daily rotation — at least 30 days, and always the last 10.
SAFETY_REASONS = ("导入前", "恢复前", "升级前", "修复前")
SAFETY_DAYS, SAFETY_LAST = 30, 10


def rotate(db_path: str | os.PathLike, *, today: dt.date | None = None, target_dir: Path | None = None) -> list[Path]:
    """Delete backups not kept by the 7 daily / 4 weekly / 12 monthly scheme, or, for safety
    copies, by their own rule (30 days and the last 10). Returns what went."""
    today = today or clock.today()
    every = list_backups(db_path, target_dir, check=False)
    safety = [b for b in every if b.reason in SAFETY_REASONS]
    backups = [b for b in every if b.reason not in SAFETY_REASONS]
    keep: set[Path] = {backups[0].path} if backups else set()
    keep |= {b.path for b in safety[:SAFETY_LAST]}
    keep |= {b.path for b in safety if (today - b.taken.date()).days <= SAFETY_DAYS}
    buckets = [(7, lambda d: d.toordinal()), (4, lambda d: d.isocalendar()[:2]), (12, lambda d: (d.year, d.month))]
    for count, key in buckets:
        seen: list = []
        for b in backups:  # newest first: the first of each bucket is its newest
            k = key(b.taken.date())
            if k not in seen:
                seen.append(k)
                if len(seen) <= count:
                    keep.add(b.path)
    gone = [b.path for b in every if b.path not in keep]
    for path in gone:
        path.unlink()
        path.with_name(path.name + ".chain").unlink(missing_ok=True)   # its trail's head went with it
    folder = target_dir or backups_dir(Path(db_path))
    for stale in folder.glob(".tmp-*") if folder.exists() else []:  # left by a backup that was killed
        stale.unlink(missing_ok=True)
    return gone


def daily_backup(db_path: str | os.PathLike) -> BackupInfo | None:
    """The first start of each day takes a backup (and tidies old ones)."""
    today = clock.today()
    existing = list_backups(db_path, check=False)
    if existing and existing[0].taken.date() == today:
        return None
    info = backup(db_path, "每日")
    rotate(db_path, today=today)
    return info


def restore(db_path: str | os.PathLike, backup_file: str | os.PathLike) -> BackupInfo:
    """Replace the database's contents with a verified backup; the current state is backed up first.

    Uses the backup API into the live file, so it is one transaction: the database is either the
    old one or the restored one, never a mix.
    """
    db_path, backup_file = Path(db_path), Path(backup_file)
    verify(backup_file)
    _refuse_newer(backup_file)
    _refuse_rewritten(backup_file)
    safety = backup(db_path, "恢复前")
    source = sqlite3.connect(backup_file.resolve().as_uri() + "?mode=ro", uri=True)
    dest = sqlite3.connect(db_path)
    try:
        source.backup(dest)
    except sqlite3.Error as exc:
        raise DatabaseError(f"恢复失败，数据库保持原样：{exc}") from exc
    finally:
        dest.close()
        source.close()
    folder = backup_file.parent / "附件"
    if folder.exists():
        from hzdesk.paths import attachments_dir as store_dir
        for blob in folder.rglob("*"):
            if blob.is_file() and not blob.name.startswith(".tmp-"):
                _copy_blob(blob, store_dir(db_path) / blob.relative_to(folder))
    return safety


def blob_is_whole(path: Path) -> bool:
    """An attachment is stored under the SHA-256 of its content: the name says what it must hold."""
    from hzdesk.files import sha256_of

    return path.is_file() and sha256_of(path) == path.stem


def _copy_blob(source: Path, dest: Path, *, hash_check: bool = True) -> None:
    """Copy one attachment under a temporary name and rename it whole: a copy cut short by a
    crash is never taken for the attachment, and one found damaged (by its hash, or by its size
    where hashing every copy at every backup would cost too much) is copied again."""
    if dest.exists():
        if not hash_check and dest.stat().st_size == source.stat().st_size:
            return
        if hash_check and (len(dest.stem) != 64 or blob_is_whole(dest)):
            return
    if len(source.stem) == 64 and not blob_is_whole(source):
        return   # a damaged copy is never spread over another (check lists it)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(".tmp-" + dest.name)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def _refuse_rewritten(backup_file: Path) -> None:
    """A backup whose trail no longer ends where it did when it was taken has been altered."""
    from hzdesk.db.anchor import read_anchor, verify_anchor

    head = read_anchor(backup_file)
    if head is None:
        return   # a backup from before anchors, or copied without its .chain file
    import sqlalchemy
    engine = sqlalchemy.create_engine(backup_file.resolve().as_uri().replace("file:", "sqlite:///file:", 1)
                                      + "?mode=ro&uri=true")
    try:
        with engine.connect() as conn:
            problems = verify_anchor(conn, head)
    finally:
        engine.dispose()
    if problems:
        raise DatabaseError(f"备份“{backup_file.name}”的留痕与备份时不符（{problems[0]}），可能被改动过，"
                            "不予恢复。当前数据未作任何改动。")


def _refuse_newer(backup_file: Path) -> None:
    """A backup written by a newer hzdesk has a schema this program cannot read: refused untouched."""
    from hzdesk.db.revisions import known_revisions

    con = sqlite3.connect(backup_file.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        row = None
    finally:
        con.close()
    known, head = known_revisions()
    if row is None or row[0] not in known:
        raise DatabaseError(f"备份“{backup_file.name}”由更新版本的河长办台账写出（数据结构 {row[0] if row else '未知'}，"
                            f"本程序为 {head}），不能恢复；请先升级本软件。当前数据未作任何改动。")
