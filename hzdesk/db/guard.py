"""One window per database, and recovery after an unclean exit.

A lock file beside the database says who has it open (user, computer, process, since when). A
second window is refused with those words and changes nothing. A lock left by a process that no
longer runs means the last session ended uncleanly: the file is checked, and a damaged one is
moved aside (never overwritten) so the newest backup that verifies can be offered.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

from hzdesk import clock
from hzdesk.errors import DatabaseError, os_reason, storage_reason


class DatabaseInUse(DatabaseError):
    pass


def lock_path(db_path: Path) -> Path:
    """The file the operating system locks while a program has the database open."""
    return db_path.with_name(db_path.name + ".lock")


def note_path(db_path: Path) -> Path:
    """Who holds the lock, since when: read only to say so. A clean close removes it, so one
    found by the next opener means the last session ended uncleanly."""
    return db_path.with_name(db_path.name + ".owner")


@dataclass
class InstanceLock:
    path: Path
    unclean: bool              # the previous session did not close the database
    os_lock: object = None     # the held filelock.FileLock (None when opened by force)
    note: Path | None = None

    def release(self) -> None:
        if self.note is not None:
            try:
                if json.loads(self.note.read_text(encoding="utf-8")).get("pid") == os.getpid():
                    self.note.unlink(missing_ok=True)
            except (OSError, ValueError):
                pass
        if self.os_lock is not None:
            self.os_lock.release()
            self.os_lock = None


def _read_note(path: Path) -> dict:
    try:
        note = json.loads(path.read_text(encoding="utf-8"))
        return note if isinstance(note, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_note(path: Path, note: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(note, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def acquire(db_path: str | os.PathLike, *, force: bool = False) -> InstanceLock:
    """Hold the operating system's lock on the database for as long as it is open.

    The system releases it when the program ends however it ends, so a lock can never outlive its
    holder: an empty, garbled or stale lock file is no obstacle. Held by a running program, the
    opener is told who has it (from the note beside it). `force` opens without the lock, for the
    case the window offers: the holder is known to be gone (a PC on a network share switched off)
    while the share still keeps its lock.
    """
    from filelock import FileLock, Timeout

    db_path = Path(db_path)
    lock, note = lock_path(db_path), note_path(db_path)
    if db_path.exists() and not os.access(db_path.parent, os.W_OK):
        return InstanceLock(lock, False)   # read-only media: no one can write, nothing to lock
    if lock.is_dir():
        try:
            lock.rmdir()   # an empty folder in the lock's place holds nothing
        except OSError:
            raise DatabaseError(f"“{lock}”是一个文件夹，挡住了数据库的锁文件。请把这个文件夹改名或移走后再打开。") from None
    legacy = _read_note(lock)   # an older hzdesk wrote its note into the lock file itself
    me = {"pid": os.getpid(), "host": socket.gethostname(), "user": _user(),
          "since": clock.now().strftime("%Y-%m-%d %H:%M")}
    os_lock = None
    if not force:
        os_lock = FileLock(str(lock))
        try:
            os_lock.acquire(timeout=0)
        except Timeout:
            unmade = _why_not_made(lock)
            if unmade:   # nobody holds it: it could not be made (a read-only or protected folder)
                raise DatabaseError(f"无法在文件夹“{lock.parent}”中打开数据库：建不了它旁边的锁文件（{unmade}）。"
                                    "请把数据库放在可写的文件夹中，如“文档”。") from None
            other = _read_note(note)
            raise DatabaseInUse(
                f"数据库“{db_path.name}”正由 {other.get('user', '另一位用户')}（电脑 {other.get('host', '未知')}）"
                f"于 {other.get('since', '早些时候')} 打开。为免数据冲突，请先关闭那边的窗口再打开。") from None
        except OSError as exc:
            raise DatabaseError(f"无法锁定数据库“{db_path.name}”：{os_reason(exc)}") from None
    unclean = note.exists() or bool(legacy.get("pid"))
    try:
        _write_note(note, me)
    except OSError:
        pass   # the note only names the holder; the lock itself is what protects the data
    return InstanceLock(lock, unclean, os_lock, note)


def _why_not_made(lock: Path) -> str | None:
    """Why the lock file cannot be made, when that is why the lock could not be taken; None when
    it is there (then someone holds it)."""
    if lock.exists():
        return None
    try:
        lock.touch()
    except OSError as exc:
        return os_reason(exc)
    return None


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "本机用户"


def on_network_drive(db_path: str | os.PathLike) -> bool:
    """SQLite's locking is not reliable on network shares; shared use belongs to a server database."""
    path = str(Path(db_path).resolve())
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows
        if path.startswith("\\\\"):
            return True
        import ctypes
        return ctypes.windll.kernel32.GetDriveTypeW(path[:3]) == 4  # DRIVE_REMOTE
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return False
    best, fstype = "", ""
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3 and path.startswith(parts[1]) and len(parts[1]) > len(best):
            best, fstype = parts[1], parts[2]
    return fstype in ("nfs", "nfs4", "cifs", "smb3", "smbfs", "sshfs", "fuse.sshfs", "9p")


def damaged(db_path: str | os.PathLike) -> str | None:
    """None when the file passes `quick_check`; otherwise what is wrong, in Chinese."""
    db_path = Path(db_path)
    if not db_path.exists():
        return None
    try:
        frozen = "" if os.access(db_path.parent, os.W_OK) else "&immutable=1"   # read-only media
        con = sqlite3.connect(db_path.resolve().as_uri() + "?mode=ro" + frozen, uri=True)
        # A garbled file can make quick_check (or its error) quote bytes that are not UTF-8:
        # seen as a UnicodeDecodeError instead of the recovery offer. Its words are only shown.
        con.text_factory = lambda raw: raw.decode("utf-8", "replace")
        try:
            result = con.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            con.close()
    except UnicodeDecodeError:
        return "数据库文件已损坏（校验信息中含有无法识别的内容）"
    except sqlite3.DatabaseError as exc:
        if storage_reason(exc):   # a full disk or a locked file is not damage: opening will say why
            return None
        return f"数据库文件无法读取（{exc}）"
    return None if result == "ok" else f"数据库文件已损坏（{result}）"


def quarantine(db_path: str | os.PathLike) -> Path:
    """Move a damaged database (and its WAL files) aside under a new name; never delete it."""
    db_path = Path(db_path)
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    target = db_path.with_name(f"{db_path.stem}-损坏-{stamp}{db_path.suffix}")
    os.replace(db_path, target)
    for suffix in ("-wal", "-shm"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


def restore_newest_backup(db_path: str | os.PathLike):
    """After a damaged file was moved aside: put the newest backup that verifies in its place.

    Returns that backup's BackupInfo, or None when there is none.
    """
    from hzdesk.db.backup import list_backups

    db_path = Path(db_path)
    for info in list_backups(db_path):  # newest first, only those that verify
        src = sqlite3.connect(info.path.resolve().as_uri() + "?mode=ro", uri=True)
        dst = sqlite3.connect(db_path)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        return info
    return None
