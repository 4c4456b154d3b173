"""The program's idea of "today" and "now" — the only place that reads the real clock.

Every figure is "as of" a date, and a test that reads the real clock passes on some days of the
month and fails on others. So nothing in hzdesk calls `date.today()` or `datetime.now()` directly:
it asks this module, and this module honours `HZDESK_TODAY` (YYYY-MM-DD). The test suite sets it
(CI runs the suite under several fixed dates), and a clerk's question "what did the window show on
the 3rd?" can be answered by starting the program with it. The time of day stays the real one, so
durations and ordering of audit entries within a day still make sense.
"""

from __future__ import annotations

import datetime as dt
import os

ENV = "HZDESK_TODAY"


def _fixed() -> dt.date | None:
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise SystemExit(f"环境变量 {ENV} 应为 YYYY-MM-DD 形式的日期，现为“{raw}”") from None


def today() -> dt.date:
    return _fixed() or dt.date.today()


def now() -> dt.datetime:
    """Local wall-clock time; on a fixed day, that day at the real time of day."""
    real = dt.datetime.now()
    day = _fixed()
    return real if day is None else dt.datetime.combine(day, real.time())
