"""Errors whose messages are shown to a clerk as they are: in Chinese, saying what to do."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from typing import Any


class HzdeskError(Exception):
    """Base of every error meant for the user."""


class DatabaseError(HzdeskError):
    """The database file cannot be opened or used."""


class DamagedDatabase(DatabaseError):
    """The file's content is damaged (quick_check fails, the header is not a database): the one
    case where it is moved aside and a backup offered."""


class StorageUnavailable(DatabaseError):
    """The file cannot be read or written now (disk full, read-only, locked, no permission, an
    I/O error): nothing is wrong with its content, and it is never moved aside for this."""


#: What a failed file operation means, by the system's error name. The system's own words are
#: often English — the C library's "Permission denied", "No space left on device", "Is a directory"
#: even on a Chinese Windows — so the cases a clerk meets are named here, once.
_OS_REASONS = {
    "ENOENT": "文件或文件夹不存在",
    "ENOTDIR": "路径中有一段不是文件夹",
    "EISDIR": "这是一个文件夹，不是文件",
    "EEXIST": "已有同名的文件",
    "EACCES": "没有读写权限，或文件正被其他程序（如 Excel、WPS）打开",
    "EPERM": "没有读写权限",
    "EBUSY": "文件正被其他程序使用",
    "ENOSPC": "磁盘空间不足",
    "EDQUOT": "磁盘配额已满",
    "EROFS": "磁盘或文件夹是只读的",
    "EFBIG": "文件太大",
    "EIO": "磁盘读写出错（常见于磁盘已满或 U 盘被拔出）",
    "ENAMETOOLONG": "文件名或路径太长",
    "EINVAL": "文件名中有不允许的字符（如 ? * : \" < > |）",
}
_BY_ERRNO = {getattr(errno, name): words for name, words in _OS_REASONS.items() if hasattr(errno, name)}
#: Windows' own numbers where they say more than the C library's: a file Excel or WPS holds open.
_BY_WINERROR = {32: "文件正被其他程序（如 Excel、WPS）打开，请关闭后再试", 33: "文件的一部分正被其他程序锁定",
                123: _OS_REASONS["EINVAL"], 206: _OS_REASONS["ENAMETOOLONG"]}
#: The failures of storage itself, as opposed to a wrong name or place.
_STORAGE = {getattr(errno, n) for n in ("ENOSPC", "EDQUOT", "EROFS", "EACCES", "EPERM", "EIO") if hasattr(errno, n)}


def os_reason(exc: OSError) -> str:
    """Why a file could not be read or written, in a clerk's words; a case not named above keeps
    the system's own, marked as such."""
    words = _BY_WINERROR.get(getattr(exc, "winerror", None)) or _BY_ERRNO.get(exc.errno)
    return words or f"系统报告：{exc.strerror or exc}"


def file_failure(exc: OSError) -> str:
    """A failed file operation as a clerk reads it: which file, and why."""
    return (f"“{exc.filename}”：" if exc.filename else "") + os_reason(exc)


def storage_reason(exc: BaseException) -> str | None:
    """What an I/O failure of SQLite or the system means, in a clerk's words; None when it is
    not one (the content itself is bad, or something else went wrong)."""
    text = str(exc).lower()
    if isinstance(exc, OSError):
        return os_reason(exc) if exc.errno in _STORAGE else None
    for needle, words in (("full", "磁盘空间不足"), ("readonly", "文件或文件夹是只读的"),
                          ("read-only", "文件或文件夹是只读的"), ("locked", "正被其他程序占用"),
                          ("unable to open", "无法打开（没有权限，或文件夹不可写）"),
                          ("disk i/o error", _OS_REASONS["EIO"])):
        if needle in text:
            return words
    return None


class NotFound(HzdeskError):
    pass


class ValidationError(HzdeskError):
    """Bad input. `errors` maps a field key to its Chinese message; nothing was written.

    `labels` maps the same keys to the fields' Chinese labels so that a message stands on its own
    ("整改时限：日期格式不对 …").
    """

    def __init__(self, errors: dict[str, str], labels: dict[str, str] | None = None):
        self.errors = dict(errors)
        self.labels = dict(labels or {})
        super().__init__(self.message())

    def message(self) -> str:
        parts = []
        for key, msg in self.errors.items():
            label = self.labels.get(key)
            parts.append(f"{label}：{msg}" if label else msg)
        return "；".join(parts)


# A PostgreSQL server's refusals by SQLSTATE (class or code), in a clerk's words; nothing was saved.
SERVER_REFUSALS = {
    "42501": "当前登录的数据库用户没有这项操作的权限（服务器上给它的权限是只读或受限的），这次修改没有保存。请找管理员。",
    "53100": "服务器的磁盘空间不足，这次修改没有保存（已输入的内容仍在窗口中）。请告诉服务器管理员。",
    "53": "服务器资源不足（磁盘、内存或连接数），这次修改没有保存。请稍后再试，或告诉服务器管理员。",
    "25006": "服务器数据库现在只能读（可能连到了备用服务器），这次修改没有保存。",
    "40001": "与其他人同时修改同一批记录，这次修改没有保存（已输入的内容仍在窗口中），请再保存一次。",
    "40P01": "与其他人同时修改同一批记录，这次修改没有保存（已输入的内容仍在窗口中），请再保存一次。",
    "23505": "与别人刚保存的记录重复（如编号、编码），这次没有保存；请刷新后再试。",
    "57P01": "服务器正在关闭或重启，这次修改没有保存（已输入的内容仍在窗口中），请稍后再试。",
    "08": "与服务器数据库的连接断开了，这次修改没有保存（已输入的内容仍在窗口中）。请检查网络后再试。",
}


def explain_storage_error(exc: BaseException) -> "DatabaseError | None":
    """Say in Chinese what storage errors mean for the clerk (nothing was saved): SQLite's, and a
    PostgreSQL server's by their SQLSTATE."""
    state = getattr(getattr(exc, "orig", exc), "sqlstate", None)
    if state:
        words = SERVER_REFUSALS.get(state) or SERVER_REFUSALS.get(state[:2])
        return DatabaseError(words) if words else None
    if getattr(exc, "connection_invalidated", False):
        return DatabaseError(SERVER_REFUSALS["08"])
    text = str(exc).lower()
    if "disk is full" in text or "database or disk is full" in text:
        return DatabaseError("磁盘空间不足，这次修改没有保存（已输入的内容仍在窗口中）。请清理磁盘后再保存。")
    if "readonly" in text or "read-only" in text:
        return DatabaseError("数据库文件是只读的（可能在光盘、U 盘写保护或没有写权限的文件夹中），这次修改没有保存。")
    if "database is locked" in text:
        return DatabaseError("数据库正被其他程序占用，这次修改没有保存，请稍后再试。")
    if "malformed" in text or "not a database" in text:
        return DatabaseError("数据库文件已损坏，这次修改没有保存。请关闭软件后重新打开，按提示从备份恢复。")
    return None


@dataclass
class SheetIssue:
    """One bad cell of a workbook someone sent: where, what it held, and why it was refused."""

    sheet: str
    row: int
    column: str
    value: Any
    reason: str

    def line(self) -> str:
        value = "" if self.value in (None, "") else f"（值：{self.value}）"
        where = f"“{self.sheet}”第 {self.row} 行" + (f"“{self.column}”列" if self.column else "")
        return f"{where}{value}：{self.reason}"
