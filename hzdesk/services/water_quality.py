"""Water quality over a period (#16 point 1): how many monitoring sections were sampled and how
many met their target class.

The rule, written once here and in 统计口径: a section is judged on its class **for the period**,
the mean of its results sampled in the period (up to the as-of day) taken class by class
(Ⅰ=1 … 劣Ⅴ=6, a half rounded to the worse class) — as the annual assessment takes the mean of the
samples, in classes because a township's results are classes. One sampling round in the period
gives that round's class, so a period of one round gives the round's figure ("54 个断面达标 26
个"). It meets its target when that class is no worse than the target class. Sections without a
result in the period are counted but neither met nor missed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hzdesk.db.models import MonitoringResult, MonitoringSection, WaterBody
from hzdesk.vocab import WATER_CLASSES

#: Ⅰ best … 劣Ⅴ worst; a larger rank is worse water.
CLASS_RANK = {c: i for i, c in enumerate(WATER_CLASSES)}


def meets_target(measured: str, target: str) -> bool:
    """Measured class no worse than the target class (Ⅲ meets Ⅲ and Ⅳ, not Ⅱ)."""
    return CLASS_RANK[measured] <= CLASS_RANK[target]


@dataclass
class SectionQuality:
    section_id: int
    name: str
    water_body_id: int
    target: str
    ranks: list[int]        # the period's results, as CLASS_RANK
    code: str | None = None
    water_body: str = ""
    control_level: str = ""
    last_sampled: dt.date | None = None

    @property
    def measured(self) -> str | None:
        """The section's class for the period (None: not sampled in it)."""
        if not self.ranks:
            return None
        twice_mean = 2 * sum(self.ranks) / len(self.ranks)
        return WATER_CLASSES[int(twice_mean + 1) // 2]    # x.5 goes to the worse class

    @property
    def met(self) -> bool | None:
        measured = self.measured
        return None if measured is None else meets_target(measured, self.target)


def section_quality(session: Session, start: dt.date, end: dt.date, as_of: dt.date) -> list[SectionQuality]:
    """Each section with its results sampled between `start` and min(`end`, `as_of`)."""
    last = min(end, as_of)
    out = {s.id: SectionQuality(s.id, s.name, s.water_body_id, s.target_class, [], s.code, water, s.control_level)
           for s, water in session.execute(select(MonitoringSection, WaterBody.name)
                                            .join(WaterBody, WaterBody.id == MonitoringSection.water_body_id)
                                            .order_by(MonitoringSection.code, MonitoringSection.id))}
    rows = session.execute(select(MonitoringResult.section_id, MonitoringResult.water_class, MonitoringResult.sampled_on)
                           .where(MonitoringResult.sampled_on >= start, MonitoringResult.sampled_on <= last))
    for section_id, water_class, sampled_on in rows:
        q = out.get(section_id)
        if q is None or water_class not in CLASS_RANK:
            continue
        q.ranks.append(CLASS_RANK[water_class])
        q.last_sampled = max(q.last_sampled or sampled_on, sampled_on)
    return list(out.values())


def water_quality_stats(session: Session, start: dt.date, end: dt.date, as_of: dt.date) -> dict:
    """`stats --json`'s "water_quality": sections, sampled, meeting_target, rate (None when nothing
    was sampled) and worse_than_v (sampled sections whose class for the period is 劣Ⅴ)."""
    sections = section_quality(session, start, end, as_of)
    sampled = [q for q in sections if q.ranks]
    met = sum(1 for q in sampled if q.met)
    return {"sections": len(sections), "sampled": len(sampled), "meeting_target": met,
            "rate": met / len(sampled) if sampled else None,
            "worse_than_v": sum(1 for q in sampled if q.measured == "劣Ⅴ")}


def monthly_classes(session: Session, start: dt.date, end: dt.date, as_of: dt.date
                    ) -> tuple[list[tuple[int, int]], list[SectionQuality], dict[int, list[str | None]]]:
    """Each section's class month by month over the period (up to `as_of`), by the same rule as
    the period's class (`SectionQuality.measured`): (months, sections, {section id: [class or None]})."""
    from hzdesk.periods import windows
    from hzdesk.vocab import PeriodUnit

    last = min(end, as_of)
    months = list(windows(PeriodUnit.MONTH, start, last)) if last >= start else []
    sections = section_quality(session, start, end, as_of)
    by_month = {q.section_id: [] for q in sections}
    for first, month_end in months:
        for q in section_quality(session, max(first, start), min(month_end, end), as_of):
            by_month[q.section_id].append(q.measured)
    return [(a.year, a.month) for a, _b in months], sections, by_month
