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
from hzdesk.errors import DatabaseError, storage_reason


class DatabaseInUse(DatabaseError):
    pass


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def _alive(pid: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows
        import ctypes
        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if handle:
            ctypes.windll.kernel32.CloseHandle(handle)
            return True
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class InstanceLock:
    path: Path
    unclean: bool  # the previous session did not close the database

    def release(self) -> None:
        try:
            mine = json.loads(self.path.read_text(encoding="utf-8")).get("pid") == os.getpid()
        except (OSError, ValueError):
            return
        if mine:
            self.path.unlink(missing_ok=True)


def acquire(db_path: str | os.PathLike) -> InstanceLock:
    db_path = Path(db_path)
    lock = lock_path(db_path)
    me = {"pid": os.getpid(), "host": socket.gethostname(), "user": _user(),
          "since": clock.now().strftime("%Y-%m-%d %H:%M")}
    unclean = False
    for _attempt in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                other = json.loads(lock.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                other = {}
            if other.get("host") == me["host"] and not _alive(int(other.get("pid", 0) or 0)):
                lock.unlink(missing_ok=True)  # left by a session that ended uncleanly
                unclean = True
                continue
            raise DatabaseInUse(
                f"数据库“{db_path.name}”正由 {other.get('user', '另一位用户')}（电脑 {other.get('host', '未知')}）"
                f"于 {other.get('since', '早些时候')} 打开。为免数据冲突，请先关闭那边的窗口再打开。") from None
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(me, fh, ensure_ascii=False)
        return InstanceLock(lock, unclean)
    raise DatabaseInUse(f"无法锁定数据库“{db_path.name}”，请稍后再试。")


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
        con = sqlite3.connect(db_path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            result = con.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            con.close()
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
