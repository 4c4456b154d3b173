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
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
