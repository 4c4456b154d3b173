"""Python's garbage collector paused while a large batch of lasting objects is made.

The collector looks for cycles among container objects each time some hundreds of them have been
made, and now and then walks every one the program holds. A ledger's 10,000 laid-out rows or a
workbook's 125,000 read rows are all kept till the work ends and none of them is garbage (rows
hold texts and numbers, not cycles), yet the collector went over them, and the rows before them,
again and again: a ledger's layout 0.07–0.12 s, 0.06 s with it resting; the large export read
2.25 → 2.08 s (see reports/workbook_file.read_sheets).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_resting() -> Iterator[None]:
    """The collector paused for the block, then left as the caller found it: a caller that had
    paused it finds it still paused; one that had not finds it collecting, however the block
    ended."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
