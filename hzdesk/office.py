"""The operations layer's front door: opening an office database the same way for the window and
for the command line.

Both used to write their own opening flow, and the command line skipped the window's lock: with a
window holding a database, `hzdesk restore` and `hzdesk demo` on it ran and exited 0. Here one
flow decides what opening means; what to *ask* the person (recover? go on?) stays with the
caller, which is told what was found.

* A command that writes (import, demo, restore, rule or setting changes) claims the same lock as
  the window; while a window (or another writing command) holds it, the command is refused with
  the holder's name, computer and time (exit 2 on the command line).
* A command that only reads (stats, export, report, check, backup, backups) does not need the lock:
  SQLite lets it read a consistent snapshot beside a writer.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from hzdesk.db.engine import Database, open_database
from hzdesk.db.guard import DatabaseInUse, InstanceLock, acquire, damaged, on_network_drive
from hzdesk.errors import DatabaseError

__all__ = ["Found", "claim", "inspect", "open_for_command", "DatabaseInUse"]


@dataclass
class Found:
    """What opening a database found before anything was changed."""

    path: Path
    unclean: bool              # the previous session did not close it (its lock was left behind)
    network_drive: bool        # SQLite's locks are unreliable on shares: warn
    damage: str | None         # why the file cannot be trusted (checked after an unclean exit)


def claim(path: str | os.PathLike) -> InstanceLock:
    """Take the one-writer lock on `path` (its folder is made if missing)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(f"无法在“{path.parent}”建立数据库文件夹（{exc.strerror or exc}）") from None
    return acquire(path)


def inspect(path: str | os.PathLike, lock: InstanceLock) -> Found:
    path = Path(path)
    damage = damaged(path) if (lock.unclean and path.exists()) else None
    return Found(path, lock.unclean, on_network_drive(path), damage)


@contextmanager
def open_for_command(path: str | os.PathLike, *, writes: bool) -> Iterator[Database]:
    """The database for one command-line command; a writing command holds the lock throughout."""
    if not writes:
        db = open_database(path)
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
        db = open_database(path)
        try:
            yield db
        finally:
            db.close()
    finally:
        lock.release()
