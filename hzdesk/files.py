"""Writing output files so that a reader never sees half of one."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_output(path: str | os.PathLike, suffix: str = "") -> Iterator[str]:
    """Yield a temporary path beside `path`; when the block succeeds it is renamed to `path`.

    A failure or a cancellation leaves any earlier file at `path` as it was, and no temporary file.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".hzdesk-", suffix=suffix or path.suffix, dir=path.parent)
    os.close(fd)
    try:
        yield tmp
        _permissions_as_if_created(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _permissions_as_if_created(tmp: str) -> None:
    """mkstemp makes the file readable by its owner only; give it the mode a plain open() would."""
    if os.name == "posix":
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
