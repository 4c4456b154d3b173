"""Patrol compliance: 应巡 (due), 实巡 (done), the credited count and the 巡河率.

The rules are rows of `frequency_rule` (role, level, period unit, minimum per window, optional
active months, per chief or per water body, optional minimum minutes and kilometres). Exactly:

* A rule governs the windows that begin while it is in force (`rules.rule_governs`: its 生效日期
  and 停止日期); changing a rule starts a new version, so a past period's figures never change.
* Windows are calendar windows (ISO weeks Monday–Sunday; 旬 = days 1–10, 11–20, 21–end of month;
  calendar months, quarters, years).
* For a report period and an as-of date, a window is **due** when it lies wholly inside the report
  period, has ended on or before the as-of date (`rules.window_is_due`), and — if the rule names
  active months — lies wholly inside active months. A per-chief rule makes a window due once per
  person when that person holds the rule's role and level without a break through the whole
  window, whichever water bodies they move between; a per-water-body rule once per appointment
  that covers the whole window.
* A due window **requires** the rule's minimum count; it is **credited** with
  min(valid patrols by that person in the window, minimum) — for per-water-body rules, patrols on
  that water body only. A patrol is valid when it meets the rule's minimum minutes and kilometres;
  when a rule sets a minimum and the record lacks the times (or the distance), it cannot be shown
  to meet it and is not credited.
* Over a period: due = Σ required, credited = Σ credited, done = every patrol record dated in the
  period up to the as-of date (nothing dated after it is counted), rate = credited ÷ due (None when nothing is due). The rate never exceeds 100 %: patrolling
  twice in one week does not make up for missing the next.
* A patrol is **late-entered** (补录) by `rules.is_late_entry` (setting `late_entry_days`).
* **Chiefs without any patrol**: people with something due in the period and no patrol in it.
* **Suspicious** records: shorter than the minimum minutes of a rule that applies to the patroller
  on that day, or faster than `max_walking_kmh` (driving, not walking).
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from hzdesk.db.models import Appointment, FrequencyRule, Patrol, Person
from hzdesk.db.rows import as_stored, plain_rows
from hzdesk.errors import ValidationError
from hzdesk.periods import Window, windows
from hzdesk.services.rules import holds_on, is_late_entry, rule_governs, window_is_due
from hzdesk.services.settings import setting_timeline
from hzdesk.vocab import RuleScope


def parse_months(text: str | None) -> frozenset[int] | None:
    """"3-12", "3,4,5", "3-5,9-11", "3月-12月" → the set of months; empty or None → all months."""
    if text is None or not str(text).strip():
        return None
    months: set[int] = set()
    for part in re.split(r"[,，、]", str(text).replace("月", "")):
        part = part.strip()
        m = re.fullmatch(r"(\d{1,2})\s*[-~—至到]\s*(\d{1,2})", part) or re.fullmatch(r"(\d{1,2})", part)
        if not m:
            raise ValidationError({"active_months": f"“{text}”看不懂，请写成 3-12 或 3,4,5"})
        a = int(m.group(1))
        b = int(m.group(2)) if m.lastindex == 2 else a
        if not (1 <= a <= 12 and 1 <= b <= 12):
            raise ValidationError({"active_months": "月份应在 1 到 12 之间"})
        months.update(range(a, b + 1) if a <= b else [*range(a, 13), *range(1, b + 1)])
    return frozenset(months)


def _months_of(w: Window) -> set[int]:
    out, d = set(), w[0].replace(day=1)
    while d <= w[1]:
        out.add(d.month)
        d = dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return out


class _Parsed(dict):
    """value → parsed value, each distinct value parsed once; None stays None."""

    def __init__(self, parse):
        super().__init__()
        self[None] = None
        self.parse = parse

    def __missing__(self, raw):
        value = self[raw] = self.parse(raw)
        return value

    __call__ = dict.__getitem__


def _as_date(raw) -> dt.date:
    return raw if isinstance(raw, dt.date) else dt.date.fromisoformat(raw[:10])


def _as_minute(raw) -> int:
    """Minutes since midnight of a stored time ('08:30:00.000000') or a time object."""
    if isinstance(raw, dt.time):
        return raw.hour * 60 + raw.minute
    return int(raw[:2]) * 60 + int(raw[3:5])


def _minutes(start: int | None, end: int | None) -> int | None:
    if start is None or end is None:
        return None
    m = end - start
    return m if m > 0 else None


def patrol_minutes(start: Any, end: Any) -> int | None:
    """How long a patrol lasted, in minutes, as the frequency and speed checks count it (None
    without both times, or when the end is not after the start)."""
    if start is None or end is None:
        return None
    return _minutes(_as_minute(start), _as_minute(end))


@dataclass
class ChiefRow:
    person_id: int
    name: str
    phone: str | None
    level: str
    due: int = 0
    credited: int = 0
    done: int = 0

    @property
    def rate(self) -> float | None:
        return self.credited / self.due if self.due else None


@dataclass
class Suspicious:
    patrol_id: int
    person: str
    patrol_date: dt.date
    reason: str


@dataclass
class Compliance:
    start: dt.date
    end: dt.date
    due: int = 0
    credited: int = 0
    done: int = 0
    late_entries: int = 0
    by_chief: list[ChiefRow] = field(default_factory=list)
    suspicious: list[Suspicious] = field(default_factory=list)
    late_ids: list[int] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.credited / self.due if self.due else None

    @property
    def chiefs_without_patrol(self) -> list[ChiefRow]:
        return [c for c in self.by_chief if c.due and not c.done]


class _P(NamedTuple):
    id: int
    person_id: int
    water_body_id: int
    day: dt.date
    minutes: int | None
    km: float | None
    entered_on: dt.date | None


class _A(NamedTuple):
    person_id: int
    water_body_id: int | None
    role: str
    level: str
    start_on: dt.date
    end_on: dt.date | None


def _valid(p: _P, rule: FrequencyRule) -> bool:
    if rule.min_minutes and (p.minutes is None or p.minutes < rule.min_minutes):
        return False
    if rule.min_km and (p.km is None or p.km < rule.min_km):
        return False
    return True


def _count_in(days: list[dt.date], w: Window) -> int:
    return bisect.bisect_right(days, w[1]) - bisect.bisect_left(days, w[0])


def _unbroken(spans: list[tuple[dt.date, dt.date | None]]) -> list[tuple[dt.date, dt.date | None]]:
    """Dated spans joined where one starts no later than the day after another ends."""
    out: list[list] = []
    for s, e in sorted(spans, key=lambda x: x[0]):
        if out and (out[-1][1] is None or s <= out[-1][1] + dt.timedelta(days=1)):
            if out[-1][1] is not None and (e is None or e > out[-1][1]):
                out[-1][1] = e
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _ruled(rules: list[FrequencyRule], start: dt.date, last: dt.date):
    """The condition on Appointment: a post some rule applies to, held at some time in [start, last]."""
    keys = or_(*(and_(Appointment.role == r.role, Appointment.level == r.level) for r in rules))
    return and_(keys, Appointment.start_on <= last, or_(Appointment.end_on.is_(None), Appointment.end_on >= start))


def _appointments(session: Session, rules: list[FrequencyRule], start: dt.date, last: dt.date) -> list[_A]:
    """The appointments some rule applies to that overlap [start, last]."""
    if not rules:
        return []
    return [_A(*row) for row in session.execute(
        select(Appointment.person_id, Appointment.water_body_id, Appointment.role, Appointment.level,
               Appointment.start_on, Appointment.end_on).where(_ruled(rules, start, last)))]


def _patrols(session: Session, start: dt.date, last: dt.date, where=None) -> list[_P]:
    """The patrols dated in [start, last] (and meeting `where`), in date order."""
    # Dates and times are read as stored and parsed once per distinct value: a year of a big
    # township is 24,000 patrols but ~365 days and ~1,000 clock times, and parsing every value
    # was half of a year's report.
    day_of, clock_of = _Parsed(_as_date), _Parsed(_as_minute)
    return [_P(pid, person, water, day_of(day), _minutes(clock_of(t0), clock_of(t1)), km, day_of(entered))
            for pid, person, water, day, t0, t1, km, entered in plain_rows(session, select(
                Patrol.id, Patrol.person_id, Patrol.water_body_id, as_stored(Patrol.patrol_date),
                as_stored(Patrol.start_time), as_stored(Patrol.end_time), Patrol.distance_km,
                as_stored(Patrol.entered_on))
                .where(Patrol.patrol_date >= start, Patrol.patrol_date <= last, *([] if where is None else [where]))
                .order_by(Patrol.patrol_date, Patrol.id)).all()]   # all(): one fetch, not one a row


def _rule_windows(rule: FrequencyRule, start: dt.date, end: dt.date, as_of: dt.date) -> list[Window]:
    """The windows of the period this rule makes due as of `as_of` (ended, governed by it, in its
    active months)."""
    active = parse_months(rule.active_months)
    return [w for w in windows(rule.period_unit, start, end)
            if window_is_due(w, start, end, as_of) and rule_governs(rule, w)
            and (active is None or _months_of(w) <= active)]


def _due_windows(rule: FrequencyRule, mine: list[_A], rule_windows: list[Window]) -> list[tuple[int, int | None, Window]]:
    """(person, water body or None, window), one per due window, in a stable order.

    The window must lie inside: per chief, the person's unbroken time in the role and level
    (moving from one water body to another is no break); per water body, each appointment."""
    spans: dict[tuple[int, int | None], list] = defaultdict(list)
    for a in mine:
        key = (a.person_id, a.water_body_id if rule.scope is RuleScope.PER_WATER_BODY else None)
        spans[key].append((a.start_on, a.end_on))
    due: set[tuple[int, int | None, Window]] = set()
    for key, key_spans in spans.items():
        for span in _unbroken(key_spans):
            due.update((*key, w) for w in rule_windows
                       if span[0] <= w[0] and (span[1] is None or span[1] >= w[1]))
    return sorted(due, key=lambda k: (k[0], k[1] or 0, k[2]))


def _valid_days(rule: FrequencyRule, patrols: list[_P], chiefs: set[int]):
    """The dates of the patrols that count for this rule, per person and per (person, water body),
    sorted for bisect."""
    by_person: dict[int, list[dt.date]] = defaultdict(list)
    by_water: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    needs_check = bool(rule.min_minutes or rule.min_km)
    for p in patrols:
        if p.person_id in chiefs and (not needs_check or _valid(p, rule)):
            by_person[p.person_id].append(p.day)
            by_water[(p.person_id, p.water_body_id)].append(p.day)
    return by_person, by_water


def compute(session: Session, start: dt.date, end: dt.date, as_of: dt.date | None = None,
            details: bool = True) -> Compliance:
    """Patrol compliance for the report period [start, end] (both days included) as of `as_of`
    (default: the period's last day, i.e. a finished period). Without `details`, the totals and
    the rows by chief only (no late entries, no suspicious records: a county's ranking)."""
    as_of = end if as_of is None else as_of
    result = Compliance(start, end)
    last = min(end, as_of)   # nothing dated after the as-of date is known to an as-of report
    if last < start:
        return result
    rules = list(session.scalars(select(FrequencyRule).where(FrequencyRule.enabled.is_(True))
                                 .order_by(FrequencyRule.id)))
    appts = _appointments(session, rules, start, last)
    if details:
        patrols = _patrols(session, start, last)   # every one: late entries, suspicious records
        result.done = len(patrols)
    else:
        # Only the patrols of people some rule applies to count towards 应巡 and 实巡 by chief: in
        # a big township 1,700 of the year's 24,000 (the others are 巡河员, 保洁员 …); the rest are
        # only counted.
        patrols = _patrols(session, start, last, Patrol.person_id.in_(
            select(Appointment.person_id).where(_ruled(rules, start, last)))) if rules else []
        result.done = session.scalar(select(func.count()).select_from(Patrol).where(
            Patrol.patrol_date >= start, Patrol.patrol_date <= last))
    done_by_person: dict[int, int] = defaultdict(int)
    for p in patrols:
        done_by_person[p.person_id] += 1

    rows: dict[int, ChiefRow] = {}
    people = {p.id: p for p in plain_rows(session, select(Person.id, Person.name, Person.phone)
                                          .where(Person.id.in_({a.person_id for a in appts})))} if appts else {}
    for rule in rules:
        level, minimum = rule.level, rule.min_count   # read once, not per window
        mine = [a for a in appts if a.role == rule.role and a.level == level]
        by_person, by_water = _valid_days(rule, patrols, {a.person_id for a in mine})
        for person_id, water_id, w in _due_windows(rule, mine, _rule_windows(rule, start, end, as_of)):
            days = by_person[person_id] if water_id is None else by_water[(person_id, water_id)]
            row = rows.get(person_id)
            if row is None:
                person = people[person_id]
                row = rows[person_id] = ChiefRow(person_id, person.name, person.phone, level,
                                                 done=done_by_person.get(person_id, 0))
            elif row.level != level and level not in row.level.split("、"):
                row.level += "、" + level
            row.due += minimum
            row.credited += min(_count_in(days, w), minimum)
    result.by_chief = sorted(rows.values(), key=lambda r: (r.rate if r.rate is not None else 2, r.name))
    result.due = sum(r.due for r in rows.values())
    result.credited = sum(r.credited for r in rows.values())

    if not details:
        return result
    late_days = setting_timeline(session, "late_entry_days")   # the threshold in force on the patrol's day
    result.late_ids = [p.id for p in patrols if is_late_entry(p.day, p.entered_on, late_days(p.day))]
    result.late_entries = len(result.late_ids)
    result.suspicious = _suspicious(session, patrols, rules, appts)
    return result


def patrol_minimums(session: Session, person_id: int, day: dt.date) -> tuple[int | None, float | None]:
    """(least minutes, least km) a patrol by `person_id` on `day` must show: the strictest of the
    enabled rules for the posts the person held that day (None where no rule asks)."""
    posts = {(a.role, a.level) for a in session.scalars(select(Appointment).where(Appointment.person_id == person_id))
             if holds_on(a.start_on, a.end_on, day)}
    rules = [r for r in session.scalars(select(FrequencyRule).where(FrequencyRule.enabled.is_(True)))
             if (r.role, r.level) in posts and rule_governs(r, (day, day))]
    minutes = max((r.min_minutes for r in rules if r.min_minutes), default=None)
    km = max((r.min_km for r in rules if r.min_km), default=None)
    return minutes, km


def _suspicious(session: Session, patrols: list[_P], rules: list[FrequencyRule],
                appts: list[_A]) -> list[Suspicious]:
    limit_on = setting_timeline(session, "max_walking_kmh")
    # (role, level) → the rules with a minimum length, each judged on the patrol's own day.
    min_minutes: dict[tuple[str, str], list[FrequencyRule]] = defaultdict(list)
    for r in rules:
        if r.min_minutes:
            min_minutes[(r.role, r.level)].append(r)

    def minimum(role: str, level: str, day: dt.date) -> int:
        return max((r.min_minutes for r in min_minutes.get((role, level), ())
                    if rule_governs(r, (day, day))), default=0)
    appts_by_person: dict[int, list[_A]] = defaultdict(list)
    for a in appts:
        appts_by_person[a.person_id].append(a)
    names = dict(session.execute(select(Person.id, Person.name).where(
        Person.id.in_({p.person_id for p in patrols}))).all()) if patrols else {}
    out = []
    for p in patrols:
        reasons = []
        limit = limit_on(p.day)
        if p.minutes is not None and p.km and p.km / (p.minutes / 60) > limit:
            reasons.append(f"{p.minutes} 分钟走了 {p.km:g} 公里，时速 {p.km / (p.minutes / 60):.1f} 公里，"
                           f"超过步行巡河上限 {limit:g}")
        need = max((minimum(a.role, a.level, p.day) for a in appts_by_person.get(p.person_id, [])
                    if holds_on(a.start_on, a.end_on, p.day)), default=0)
        if need and p.minutes is not None and p.minutes < need:
            reasons.append(f"巡河仅 {p.minutes} 分钟，少于规定的 {need} 分钟")
        if reasons:
            out.append(Suspicious(p.id, names.get(p.person_id, ""), p.day, "；".join(reasons)))
    return out
