"""Writing output files so that a reader never sees half of one."""

from __future__ import annotations

import errno
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from hzdesk.errors import HzdeskError, os_reason


@contextmanager
def atomic_output(path: str | os.PathLike, suffix: str = "") -> Iterator[str]:
    """Yield a temporary path beside `path`; when the block succeeds it is renamed to `path`.

    A failure or a cancellation leaves any earlier file at `path` as it was, and no temporary file.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise HzdeskError(f"文件夹“{path.parent}”不存在，文件没有写出。")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".hzdesk-", suffix=suffix or path.suffix, dir=path.parent)
    except OSError as exc:
        raise (_explained(exc, path) or exc) from exc
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:   # on disk before its name is: a power cut leaves old or new
            os.fsync(fh.fileno())
        _permissions_as_if_created(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        explained = _explained(exc, path)
        if explained is None:
            raise
        raise explained from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


#: The failures that are about writing this file (where it goes, the disk it goes on), whatever
#: part of the block raised them; any other error stays as it was.
_WRITE_FAILURES = {getattr(errno, n) for n in ("ENOSPC", "EDQUOT", "EROFS", "EACCES", "EPERM", "EFBIG", "EIO",
                                               "EISDIR", "ENAMETOOLONG") if hasattr(errno, n)}


def _explained(exc: OSError, path: Path) -> HzdeskError | None:
    if exc.errno not in _WRITE_FAILURES:
        return None
    return HzdeskError(f"无法写入“{path}”：{os_reason(exc)}。文件没有写出，原有文件保持不变。")


def _permissions_as_if_created(tmp: str) -> None:
    """mkstemp makes the file readable by its owner only; give it the mode a plain open() would."""
    if os.name == "posix":
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's content, read a megabyte at a time."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
