"""Patrol compliance, every rule with hand-computed expectations (see services/compliance.py)."""

import pytest
from sqlalchemy import delete, select, update

from hzdesk.db.models import FrequencyRule
from hzdesk.errors import ValidationError
from hzdesk.services import compliance
from hzdesk.services.compliance import parse_months
from hzdesk.services.settings import set_setting
from hzdesk.vocab import PeriodUnit, RuleScope

from helpers import D, appoint, patrol, person, water

MARCH = (D(2025, 3, 1), D(2025, 3, 31))


def compute(session, *args, **kw):
    """`compliance.compute`, checked against the county's way of asking (`details=False`: only
    the patrols of people a rule applies to are read, the others only counted): every figure of
    every test here is the same both ways."""
    full = compliance.compute(session, *args, **kw)
    light = compliance.compute(session, *args, details=False, **kw)

    def figures(r):
        return (r.due, r.credited, r.done, r.rate,
                [(c.person_id, c.name, c.level, c.due, c.credited, c.done) for c in r.by_chief])
    assert figures(light) == figures(full)
    return full


def only_rule(session, **kw):
    """Replace the default rules by one rule for 村级 河长."""
    session.execute(delete(FrequencyRule))
    rule = FrequencyRule(role=kw.pop("role", "河长"), level=kw.pop("level", "村级"),
                         period_unit=kw.pop("unit", PeriodUnit.WEEK), min_count=kw.pop("min_count", 1),
                         scope=kw.pop("scope", RuleScope.PER_CHIEF), **kw)
    session.add(rule)
    session.flush()
    return rule


def row(result, name):
    return next(c for c in result.by_chief if c.name == name)


def test_iso_weeks_wholly_inside_the_month(session):
    # March 2025 starts on a Saturday: the due weeks are 3–9, 10–16, 17–23, 24–30.
    v, chief = water(session, "V1"), person(session, "村长甲")
    appoint(session, chief, v, D(2024, 1, 1))
    for day in (D(2025, 3, 1), D(2025, 3, 4), D(2025, 3, 5), D(2025, 3, 18), D(2025, 3, 31)):
        patrol(session, chief, v, day)
    r = compute(session, *MARCH)
    assert (r.due, r.credited, r.done) == (4, 2, 5)  # two patrols in one week count once
    assert r.rate == 0.5
    assert (row(r, "村长甲").due, row(r, "村长甲").credited, row(r, "村长甲").done) == (4, 2, 5)


def test_xun_windows_in_a_leap_february(session):
    t, chief = water(session, "T1", level="乡级", kind="河流"), person(session, "镇长乙")
    appoint(session, chief, t, D(2023, 1, 1), level="乡级")
    patrol(session, chief, t, D(2024, 2, 10))
    patrol(session, chief, t, D(2024, 2, 29))
    r = compute(session, D(2024, 2, 1), D(2024, 2, 29))
    assert (r.due, r.credited) == (3, 2)  # 1–10 ✓, 11–20 ✗, 21–29 ✓


def test_appointments_starting_or_ending_mid_period(session):
    v = water(session, "V1")
    new, old = person(session, "新村长"), person(session, "老村长")
    appoint(session, old, v, D(2020, 1, 1), D(2025, 3, 12))
    appoint(session, new, v, D(2025, 3, 13))
    r = compute(session, *MARCH)
    assert row(r, "老村长").due == 1   # only 3–9 lies wholly inside his time
    assert row(r, "新村长").due == 2   # 17–23 and 24–30; 10–16 straddles his first day
    assert r.due == 3


def test_two_water_bodies_per_chief_rule_counts_the_person_once(session):
    a, b, chief = water(session, "A"), water(session, "B"), person(session, "双河长")
    appoint(session, chief, a, D(2024, 1, 1))
    appoint(session, chief, b, D(2024, 1, 1))
    patrol(session, chief, a, D(2025, 3, 4))
    patrol(session, chief, b, D(2025, 3, 11))
    r = compute(session, *MARCH)
    assert (r.due, r.credited) == (4, 2)


def test_per_water_body_rule_counts_each_appointment_and_its_own_patrols(session):
    only_rule(session, unit=PeriodUnit.MONTH, min_count=2, scope=RuleScope.PER_WATER_BODY)
    a, b, chief = water(session, "A"), water(session, "B"), person(session, "双河长")
    appoint(session, chief, a, D(2024, 1, 1))
    appoint(session, chief, b, D(2024, 1, 1))
    for day in (3, 10, 17):
        patrol(session, chief, a, D(2025, 3, day))
    patrol(session, chief, b, D(2025, 3, 20))
    r = compute(session, *MARCH)
    assert (r.due, r.credited, r.done) == (4, 3, 4)  # A: min(3, 2)=2; B: min(1, 2)=1


def test_active_months_leave_winter_out(session):
    only_rule(session, active_months="3-12")
    v, chief = water(session, "V1"), person(session, "村长甲")
    appoint(session, chief, v, D(2024, 1, 1))
    r = compute(session, D(2025, 2, 1), D(2025, 3, 31))
    assert r.due == 4  # Feb weeks and the week of Feb 24–Mar 2 are not due


def test_minimum_minutes_and_kilometres(session):
    only_rule(session, min_minutes=10, min_km=1.0)
    v, chief = water(session, "V1"), person(session, "村长甲")
    appoint(session, chief, v, D(2024, 1, 1))
    short = patrol(session, chief, v, D(2025, 3, 3), "8:00", "8:08", 1.5)     # 8 minutes
    patrol(session, chief, v, D(2025, 3, 10))                                  # no times: unproven
    patrol(session, chief, v, D(2025, 3, 17), "8:00", "8:15", 0.5)             # too short a walk
    patrol(session, chief, v, D(2025, 3, 24), "8:00", "8:15", 1.2)             # counts
    r = compute(session, *MARCH)
    assert (r.due, r.credited, r.done) == (4, 1, 4)
    assert [s.patrol_id for s in r.suspicious] == [short.id]
    assert "少于规定的 10 分钟" in r.suspicious[0].reason


def test_faster_than_walking_is_suspicious(session):
    v, chief = water(session, "V1"), person(session, "村长甲")
    appoint(session, chief, v, D(2024, 1, 1))
    drive = patrol(session, chief, v, D(2025, 3, 3), "8:00", "8:30", 10)   # 20 km/h
    patrol(session, chief, v, D(2025, 3, 10), "8:00", "9:00", 4)           # 4 km/h
    r = compute(session, *MARCH)
    assert [s.patrol_id for s in r.suspicious] == [drive.id]
    assert "时速 20.0 公里" in r.suspicious[0].reason


def test_late_entry_threshold_is_a_setting(session):
    v, chief = water(session, "V1"), person(session, "村长甲")
    appoint(session, chief, v, D(2024, 1, 1))
    patrol(session, chief, v, D(2025, 3, 3), entered=D(2025, 3, 11))   # 8 days: late
    patrol(session, chief, v, D(2025, 3, 10), entered=D(2025, 3, 17))  # 7 days: not late
    patrol(session, chief, v, D(2025, 3, 17))                          # unknown: not late
    assert compute(session, *MARCH).late_entries == 1
    set_setting(session, "late_entry_days", 3, effective_from=D(2025, 3, 10))
    assert compute(session, *MARCH).late_entries == 2               # the patrol of the 10th: 7 > 3
    set_setting(session, "late_entry_days", 7, effective_from=D(2025, 3, 15))
    assert compute(session, *MARCH).late_entries == 2               # the 3rd's used 7, the 10th's 3
    set_setting(session, "late_entry_days", 1)                      # from today: March is not rewritten
    assert compute(session, *MARCH).late_entries == 2
    with pytest.raises(ValidationError, match="更晚生效"):
        set_setting(session, "late_entry_days", 5, effective_from=D(2025, 6, 1))


def test_chiefs_without_patrol(session):
    v, w = water(session, "V1"), water(session, "V2")
    idle, busy, edge = person(session, "懒村长"), person(session, "勤村长"), person(session, "月初巡")
    for who, where in ((idle, v), (busy, w), (edge, v)):
        appoint(session, who, where, D(2024, 1, 1))
    patrol(session, busy, w, D(2025, 3, 4))
    patrol(session, edge, v, D(2025, 3, 1))  # a patrol in the period, though in no due week
    r = compute(session, *MARCH)
    assert [c.name for c in r.chiefs_without_patrol] == ["懒村长"]
    assert row(r, "月初巡").credited == 0 and row(r, "月初巡").done == 1


def test_nothing_due_gives_no_rate(session):
    only_rule(session, unit=PeriodUnit.QUARTER)
    v, chief = water(session, "V1"), person(session, "村长甲")
    appoint(session, chief, v, D(2024, 1, 1))
    r = compute(session, *MARCH)  # no quarter lies wholly inside March
    assert (r.due, r.rate) == (0, None)


def test_roles_without_a_rule_are_not_counted(session):
    v, cleaner = water(session, "V1"), person(session, "保洁员")
    appoint(session, cleaner, v, D(2024, 1, 1), role="保洁员")
    patrol(session, cleaner, v, D(2025, 3, 4))
    r = compute(session, *MARCH)
    assert (r.due, r.done, r.by_chief) == (0, 1, [])


def test_disabled_rules_are_ignored(session):
    v, chief = water(session, "V1"), person(session, "村长甲")
    appoint(session, chief, v, D(2024, 1, 1))
    session.execute(update(FrequencyRule).values(enabled=False))
    assert compute(session, *MARCH).due == 0


@pytest.mark.parametrize("text,months", [("3-12", set(range(3, 13))), ("3,4,5", {3, 4, 5}),
                                         ("3月-5月、9-11", {3, 4, 5, 9, 10, 11}), ("11-2", {11, 12, 1, 2}),
                                         ("", None)])
def test_active_months_text(text, months):
    assert parse_months(text) == (frozenset(months) if months else None)


# ---------------------------------------------------------------- as of a date (one truth, #12)

def test_a_month_as_of_a_day_counts_only_its_finished_weeks(session):
    # March 2025's due weeks are 3–9, 10–16, 17–23, 24–30.
    v, chief = water(session, "V1"), person(session, "村长甲")
    appoint(session, chief, v, D(2024, 1, 1))
    patrol(session, chief, v, D(2025, 3, 4))
    patrol(session, chief, v, D(2025, 3, 18))
    patrol(session, chief, v, D(2025, 3, 20))
    assert compute(session, *MARCH, as_of=D(2025, 3, 1)).due == 0
    assert compute(session, *MARCH, as_of=D(2025, 3, 9)).due == 1     # 3–9 ended on the 9th
    mid = compute(session, *MARCH, as_of=D(2025, 3, 19))
    assert (mid.due, mid.credited, mid.done) == (2, 1, 2)           # the patrol of the 20th is not known yet
    assert compute(session, *MARCH, as_of=D(2025, 4, 10)).due == compute(session, *MARCH).due == 4


def test_a_future_period_has_nothing_due(session):
    v, chief = water(session, "V1"), person(session, "村长甲")
    appoint(session, chief, v, D(2024, 1, 1))
    r = compute(session, D(2025, 4, 1), D(2025, 6, 30), as_of=D(2025, 3, 15))
    assert (r.due, r.done, r.rate, r.by_chief) == (0, 0, None, [])


def test_a_chief_appointed_today_owes_nothing_yet(session):
    v, chief = water(session, "V1"), person(session, "新村长")
    appoint(session, chief, v, D(2025, 3, 19))
    r = compute(session, D(2025, 1, 1), D(2025, 12, 31), as_of=D(2025, 3, 19))
    assert (r.due, r.by_chief, r.chiefs_without_patrol) == (0, [], [])


def test_a_village_chief_moving_between_water_bodies_mid_week_still_owes_that_week(session):
    v1, v2, chief = water(session, "V1"), water(session, "V2"), person(session, "村长甲")
    appoint(session, chief, v1, D(2024, 1, 1), D(2025, 3, 12))   # Wednesday of 10–16
    appoint(session, chief, v2, D(2025, 3, 13))
    r = compute(session, *MARCH)
    assert row(r, "村长甲").due == 4                                # no week is lost to the move
    # A break of a day is a break: the week holding it is not due.
    v3, other = water(session, "V3"), person(session, "村长乙")
    appoint(session, other, v3, D(2024, 1, 1), D(2025, 3, 11))
    appoint(session, other, v1, D(2025, 3, 13))
    assert row(compute(session, *MARCH), "村长乙").due == 3


def test_per_water_body_rules_still_follow_each_appointment(session):
    only_rule(session, scope=RuleScope.PER_WATER_BODY)
    v1, v2, chief = water(session, "V1"), water(session, "V2"), person(session, "村长甲")
    appoint(session, chief, v1, D(2024, 1, 1), D(2025, 3, 12))
    appoint(session, chief, v2, D(2025, 3, 13))
    assert row(compute(session, *MARCH), "村长甲").due == 3     # 3–9 on V1; 17–23, 24–30 on V2


# ---------------------------------------------------------------- rules with a history (#12 point 3)

def test_changing_a_rule_never_changes_a_past_periods_figures(db, monkeypatch):
    """The village rule goes from 1 to 2 patrols a week on 2026-04-15: 2026Q1's figures stay
    byte-identical; in Q2 the weeks that began before the change keep the old rule."""
    import json

    from hzdesk.demo import DemoOptions, load_demo
    from hzdesk.services import records
    from hzdesk.services.stats import period_stats

    monkeypatch.setenv("HZDESK_TODAY", "2026-04-15")
    load_demo(db, DemoOptions(scale="small", seed=4, until=D(2026, 4, 15)))

    def figures(start, end, as_of):
        with db.session() as s:
            return json.dumps(period_stats(s, start, end, as_of), ensure_ascii=False, sort_keys=True)

    q1 = figures(D(2026, 1, 1), D(2026, 3, 31), D(2026, 4, 15))
    april_before = json.loads(figures(D(2026, 4, 1), D(2026, 4, 30), D(2026, 4, 30)))
    with db.session() as s:
        village = s.scalars(select(FrequencyRule).where(FrequencyRule.level == "村级")).one()
        new = records.update(s, "frequency_rule", village.id, {"min_count": 2})
        s.commit()
        assert new.id != village.id and (new.effective_from, new.min_count) == (D(2026, 4, 15), 2)
        s.refresh(village)
        assert (village.effective_to, village.min_count) == (D(2026, 4, 14), 1)
    assert figures(D(2026, 1, 1), D(2026, 3, 31), D(2026, 4, 15)) == q1
    april = json.loads(figures(D(2026, 4, 1), D(2026, 4, 30), D(2026, 4, 30)))
    # April's weeks 6–12 and 13–19 began before the change; 20–26 is the first under the new rule.
    village_chiefs = [c for c in april["patrols"]["by_chief"] if c["level"] == "村级"]
    assert max(c["due"] for c in village_chiefs) == 1 + 1 + 2      # a chief in office all month
    assert max(c["due"] for c in april_before["patrols"]["by_chief"] if c["level"] == "村级") == 3
    assert april["patrols"]["due"] > april_before["patrols"]["due"]

    # Deleting a rule that has governed past periods only stops it.
    with db.session() as s:
        town = s.scalars(select(FrequencyRule).where(FrequencyRule.level == "乡级")).one()
        records.delete(s, "frequency_rule", town.id)
        s.commit()
        assert s.get(FrequencyRule, town.id).effective_to == D(2026, 4, 14)
        records.delete(s, "frequency_rule", new.id)   # never governed a finished window: really deleted
        s.commit()
        assert s.get(FrequencyRule, new.id) is None
    assert figures(D(2026, 1, 1), D(2026, 3, 31), D(2026, 4, 15)) == q1


def test_a_rule_not_yet_in_force_is_edited_in_place(session):
    v, chief = water(session, "V1"), person(session, "村长甲")
    appoint(session, chief, v, D(2024, 1, 1))
    from hzdesk.services import records
    rule = only_rule(session, effective_from=D(2099, 1, 1))
    same = records.update(session, "frequency_rule", rule.id, {"min_count": 3})
    assert same.id == rule.id and same.min_count == 3 and same.effective_to is None
