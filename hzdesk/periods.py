"""Calendar windows and report periods.

Windows are calendar windows, never rolling ones: ISO weeks Monday–Sunday; 旬 = days 1–10,
11–20 and 21–end of month; calendar months, quarters and years.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Iterator

from hzdesk.vocab import PeriodUnit

Window = tuple[dt.date, dt.date]  # first and last day, both included


def _month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def window_of(unit: PeriodUnit, day: dt.date) -> Window:
    """The calendar window of `unit` that contains `day`."""
    if unit is PeriodUnit.WEEK:
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if unit is PeriodUnit.XUN:
        if day.day <= 10:
            return day.replace(day=1), day.replace(day=10)
        if day.day <= 20:
            return day.replace(day=11), day.replace(day=20)
        return day.replace(day=21), _month_end(day)
    if unit is PeriodUnit.MONTH:
        return day.replace(day=1), _month_end(day)
    if unit is PeriodUnit.QUARTER:
        first = 3 * ((day.month - 1) // 3) + 1
        start = dt.date(day.year, first, 1)
        return start, _month_end(dt.date(day.year, first + 2, 1))
    if unit is PeriodUnit.YEAR:
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    raise ValueError(unit)


def windows(unit: PeriodUnit, start: dt.date, end: dt.date) -> Iterator[Window]:
    """Every window of `unit` that overlaps [start, end], whole (not clipped), in order."""
    day = start
    while day <= end:
        w = window_of(unit, day)
        yield w
        day = w[1] + dt.timedelta(days=1)


def parse_period(text: str) -> Window:
    """`2025-03` (month), `2025Q1`, `2025H1` (half-year), `2025`, `2025-03-01..2025-03-31` → (first, last day)."""
    from hzdesk.parsing import ParseError, parse_date

    t = text.strip().upper()
    if m := re.fullmatch(r"(\d{4})", t):
        y = int(m.group(1))
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    if m := re.fullmatch(r"(\d{4})-?H([12])", t):   # 上半年 / 下半年
        y, h = int(m.group(1)), int(m.group(2))
        return (dt.date(y, 1, 1), dt.date(y, 6, 30)) if h == 1 else (dt.date(y, 7, 1), dt.date(y, 12, 31))
    if m := re.fullmatch(r"(\d{4})-?Q([1-4])", t):
        y, q = int(m.group(1)), int(m.group(2))
        return window_of(PeriodUnit.QUARTER, dt.date(y, 3 * q - 2, 1))
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", t):
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise ParseError(f"没有 {mo} 月")
        return window_of(PeriodUnit.MONTH, dt.date(y, mo, 1))
    if ".." in t:
        a, b = (parse_date(x) for x in t.split("..", 1))
        if b < a:
            raise ParseError("期间的结束日期早于开始日期")
        return a, b
    raise ParseError(f"期间“{text}”看不懂，请写成 2025-03、2025Q1、2025H1、2025 或 2025-03-01..2025-03-31")


_QUARTERS = "一二三四"


def period_title(start: dt.date, end: dt.date) -> str:
    """How a report names its period: 2025年, 2025年上半年, 2025年第一季度, 2025年3月, or the two dates."""
    whole_months = start.day == 1 and end == _month_end(end)
    if whole_months and start.year == end.year:
        y, a, b = start.year, start.month, end.month
        if (a, b) == (1, 12):
            return f"{y}年"
        if (a, b) in ((1, 6), (7, 12)):
            return f"{y}年{'上' if a == 1 else '下'}半年"
        if b == a + 2 and a % 3 == 1:
            return f"{y}年第{_QUARTERS[a // 3]}季度"
        if a == b:
            return f"{y}年{a}月"
        return f"{y}年{a}—{b}月"
    return f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"
