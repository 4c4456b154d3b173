"""Problem statistics for a period and an as-of date, and `hzdesk stats`."""

import dataclasses
import json
import subprocess
import sys

import pytest

from hzdesk import clock
from hzdesk.services import records
from hzdesk.services import stats
from hzdesk.services.stats import period_stats, report_sentence
from hzdesk.services.workflow import move

from helpers import D, water

MARCH = (D(2025, 3, 1), D(2025, 3, 31))


def problem_stats(session, *args, **kw):
    """`stats.problem_stats`, checked against the county's way of asking (counted by the database,
    without reading the problems): every figure the same."""
    full = stats.problem_stats(session, *args, **kw)
    counted = stats.problem_stats(session, *args, by_unit=False, **kw)
    assert dataclasses.replace(full, by_unit=None) == counted
    return full


@pytest.fixture
def problems(session):
    v = water(session, "V1")

    def new(found, category="生活垃圾", source="河长巡河"):
        return records.create(session, "problem", {"found_on": found, "water_body_id": v.id, "source": source,
                                                   "category": category, "description": "问题"})

    def assign(p, day, deadline):
        move(session, p.id, "交办", on_date=day, responsible_unit="村委会", deadline=deadline)

    p1 = new("2025-03-05")
    assign(p1, "2025-03-06", "2025-03-20")
    move(session, p1.id, "报告整改完成", on_date="2025-03-15", measures="已清理")
    move(session, p1.id, "验收通过", on_date="2025-03-19", verifier="验收人")
    p2 = new("2025-03-10", "乱堆", "群众举报")
    assign(p2, "2025-03-10", "2025-03-20")
    move(session, p2.id, "报告整改完成", on_date="2025-03-25", measures="已清理")
    move(session, p2.id, "验收通过", on_date="2025-04-02", verifier="验收人")
    p3 = new("2025-02-20")
    move(session, p3.id, "销号", on_date="2025-03-03", verifier="巡河人", measures="现场处理")
    p4 = new("2025-03-15", "乱堆")
    assign(p4, "2025-03-15", "2025-03-25")
    p5 = new("2025-03-20", "污水直排", "上级督查")
    move(session, p5.id, "挂账", on_date="2025-03-28", deadline="2025-12-31", note="纳入管网工程")
    new("2025-04-10")
    return p1, p2, p3, p4, p5


def test_march_as_of_the_end_of_march(session, problems):
    s = problem_stats(session, *MARCH, as_of=D(2025, 3, 31))
    assert (s.found, s.closed, s.rectified_of_found) == (4, 2, 1)
    assert s.rectification_rate == 0.25
    assert (s.open, s.overdue, s.parked) == (2, 1, 1)   # p2 待验收, p4 整改中 (overdue); p5 挂账
    assert stats.period_problems(session, *MARCH, as_of=D(2025, 3, 31)).overdue == {problems[3].id}
    assert s.by_category == {"生活垃圾": 1, "乱堆": 2, "污水直排": 1}
    assert s.by_source == {"河长巡河": 2, "群众举报": 1, "上级督查": 1}


def test_later_as_of_date_counts_later_closures(session, problems):
    s = problem_stats(session, *MARCH, as_of=D(2025, 4, 5))
    assert (s.found, s.closed, s.rectified_of_found, s.open, s.overdue) == (4, 2, 2, 1, 1)
    today = problem_stats(session, *MARCH, as_of=clock.today())
    # March's problems in today's states: p4 still open and overdue; April's p6 is April's.
    assert (today.rectified_of_found, today.open, today.overdue) == (2, 1, 1)
    april = problem_stats(session, D(2025, 4, 1), D(2025, 4, 30), as_of=clock.today())
    assert (april.found, april.carried_over, april.open, april.overdue, april.parked) == (1, 3, 2, 1, 1)


def test_a_problem_overdue_on_a_past_day_counts_as_of_that_day(session, problems):
    # On 22 March p2 was still 整改中 past its deadline (20 March); it was fixed and closed later.
    s = problem_stats(session, *MARCH, as_of=D(2025, 3, 22))
    assert (s.found, s.rectified_of_found, s.open, s.overdue, s.parked) == (4, 1, 3, 1, 0)
    assert stats.period_problems(session, *MARCH, as_of=D(2025, 3, 22)).overdue == {problems[1].id}


def test_problems_still_open_when_a_period_begins_are_carried_over(session, problems):
    from hzdesk.services.stats import period_problems

    p1, p2, p3, p4, p5 = problems
    march = period_problems(session, *MARCH, as_of=D(2025, 3, 31))
    assert march.carried == {p3.id}                      # found in February, closed on 3 March
    assert set(march.states) == {p.id for p in problems}
    april = period_problems(session, D(2025, 4, 1), D(2025, 4, 30), as_of=D(2025, 4, 30))
    assert april.carried == {p2.id, p4.id, p5.id}        # p2 closed on 2 April: open when April began
    assert april.overdue == {p4.id}
    # A period that has not begun on the as-of date lists nothing; one half-way lists what is known.
    assert period_problems(session, *MARCH, as_of=D(2025, 2, 28)).states == {}
    mid = period_problems(session, *MARCH, as_of=D(2025, 3, 12))
    assert set(mid.states) == {p1.id, p2.id, p3.id} and mid.overdue == set()


def test_nothing_found_gives_no_rate(session, problems):
    s = problem_stats(session, D(2024, 1, 1), D(2024, 1, 31), as_of=D(2024, 2, 1))
    assert (s.found, s.rectification_rate, s.open) == (0, None, 0)


def test_period_stats_keys_and_the_report_sentence(session, problems):
    stats = period_stats(session, *MARCH, as_of=D(2025, 3, 31))
    assert stats["period"] == {"start": "2025-03-01", "end": "2025-03-31"} and stats["as_of"] == "2025-03-31"
    assert set(stats["patrols"]) >= {"done", "due", "credited", "rate", "late_entries",
                                     "chiefs_without_patrol", "by_chief"}
    assert set(stats["issues"]) >= {"found", "closed", "rectified_of_found", "rectification_rate", "open",
                                    "overdue", "parked", "by_category", "by_source"}
    assert set(stats["boards"]) >= {"total", "out_of_date", "update_overdue"}
    assert report_sentence(stats) == ("本期累计巡河 0 次，应巡 0 次，巡河率 —；发现问题 4 个，已销号 1 个，"
                                      "整改率 25%；超期未整改 1 个。")


def test_stats_command_json_and_text(tmp_path):
    db = str(tmp_path / "s.db")
    run = lambda *a: subprocess.run([sys.executable, "-m", "hzdesk", "--db", db, *a],  # noqa: E731
                                    capture_output=True, text=True, timeout=120)
    assert run("demo", "--until", "2025-06-30").returncode == 0
    r = run("stats", "--period", "2025Q1", "--as-of", "2025-06-30", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["period"] == {"start": "2025-01-01", "end": "2025-03-31"}
    p = data["patrols"]
    assert p["due"] > 0 and 0 < p["rate"] <= 1 and p["credited"] <= p["due"]
    assert sum(c["due"] for c in p["by_chief"]) == p["due"]
    assert set(p["by_chief"][0]) >= {"name", "phone", "level", "due", "credited", "done"}
    assert sum(data["issues"]["by_category"].values()) == data["issues"]["found"]
    text = run("stats", "--period", "2025-03", "--as-of", "2025-06-30")
    assert text.returncode == 0 and "本期累计巡河" in text.stdout and "巡河率" in text.stdout
    bad = run("stats", "--period", "三月")
    assert bad.returncode == 2 and "看不懂" in bad.stderr


def test_water_quality_counts_sections_meeting_their_target(db):
    """#16 point 1: a section meets its target when its class for the period (the mean of its
    results, a half to the worse class) is no worse than the target; 劣Ⅴ counted; no rate without
    any sample; results after the as-of day do not count."""
    import datetime as dt

    from hzdesk.db import models as m
    from hzdesk.services.stats import period_stats

    with db.session() as s, s.begin():
        river = m.WaterBody(code="XJ001", name="清溪河", kind="河流", level="县级")
        s.add(river)
        s.flush()
        sections = {}
        for code, target in (("A", "Ⅲ"), ("B", "Ⅲ"), ("C", "Ⅱ"), ("D", "Ⅳ"), ("E", "Ⅲ")):
            sections[code] = m.MonitoringSection(code=code, name=f"断面{code}", water_body_id=river.id,
                                                 control_level="县控", target_class=target)
            s.add(sections[code])
        s.flush()
        for code, samples in (("A", [("2025-03-01", "Ⅱ"), ("2025-06-01", "Ⅲ"), ("2025-09-01", "Ⅳ")]),   # Ⅲ: met
                              ("B", [("2025-03-01", "Ⅲ"), ("2025-06-01", "Ⅳ")]),                      # Ⅳ: missed
                              ("C", [("2025-03-01", "Ⅱ"), ("2026-03-01", "劣Ⅴ")]),                    # Ⅱ: met (2026 out)
                              ("D", [("2025-05-01", "劣Ⅴ"), ("2025-08-01", "劣Ⅴ")]),                   # 劣Ⅴ
                              ("E", [("2025-12-20", "Ⅴ")])):                                         # after as-of
            for day, water_class in samples:
                s.add(m.MonitoringResult(section_id=sections[code].id, sampled_on=dt.date.fromisoformat(day),
                                         water_class=water_class))
    with db.session() as s:
        wq = period_stats(s, dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2025, 12, 1))["water_quality"]
        assert wq == {"sections": 5, "sampled": 4, "meeting_target": 2, "rate": 0.5, "worse_than_v": 1}
        # the printed ledger says the same, section by section (one rule: services.water_quality)
        from hzdesk.reports.pdf.ledgers import build
        doc = build(s, "water", period=(dt.date(2025, 1, 1), dt.date(2025, 12, 31)), as_of=dt.date(2025, 12, 1))
        verdicts = {r[1]: (r[7], r[8]) for r in doc.rows}
        assert verdicts == {"A": ("Ⅲ", "达标"), "B": ("Ⅳ", "未达标"), "C": ("Ⅱ", "达标"), "D": ("劣Ⅴ", "未达标"),
                            "E": ("未监测", "")}
        assert "达标 2 个，达标率 50.0%" in doc.subtitle
        none = period_stats(s, dt.date(2024, 1, 1), dt.date(2024, 12, 31), dt.date(2024, 12, 31))["water_quality"]
        assert none == {"sections": 5, "sampled": 0, "meeting_target": 0, "rate": None, "worse_than_v": 0}


def test_plan_tasks_done_and_overdue_as_of_a_day(db):
    """#16 point 2: plans whose own period overlaps the period; 任务 and 措施 are its tasks; done
    by the as-of day, overdue when the deadline passed and not done by then."""
    import datetime as dt

    from hzdesk.db import models as m
    from hzdesk.services.stats import period_stats

    d = dt.date.fromisoformat
    with db.session() as s, s.begin():
        river = m.WaterBody(code="XJ001", name="清溪河", kind="河流", level="县级")
        s.add(river)
        s.flush()
        plan = m.RiverPlan(water_body_id=river.id, title="方案", period_start=d("2024-01-01"), period_end=d("2025-12-31"))
        old = m.RiverPlan(water_body_id=river.id, title="旧方案", period_start=d("2021-01-01"), period_end=d("2023-12-31"))
        s.add_all([plan, old])
        s.flush()
        for kind, status, deadline, done_on in (("任务", "已完成", "2025-03-31", "2025-03-20"),   # done
                                                ("任务", "已完成", "2025-03-31", "2025-07-01"),   # done later: overdue on 06-30
                                                ("措施", "进行中", "2025-12-31", None),           # neither
                                                ("任务", "未开始", "2025-05-01", None),           # overdue
                                                ("目标", "未开始", "2025-01-01", None)):          # not a task
            s.add(m.PlanItem(plan_id=plan.id, kind=kind, content=kind, status=status,
                             deadline=d(deadline), done_on=d(done_on) if done_on else None))
        s.add(m.PlanItem(plan_id=old.id, kind="任务", content="旧", status="未开始", deadline=d("2022-01-01")))
    with db.session() as s:
        plans = period_stats(s, d("2025-01-01"), d("2025-06-30"), d("2025-06-30"))["plans"]
        assert plans == {"plans": 1, "tasks": 4, "done": 1, "overdue": 2}
        from hzdesk.reports.pdf.ledgers import build   # the printed task ledger says the same
        doc = build(s, "plan-tasks", period=(d("2025-01-01"), d("2025-06-30")), as_of=d("2025-06-30"))
        assert sorted(r[6] for r in doc.rows) == ["已完成", "超期未完成", "超期未完成", "进行中"]
        later = period_stats(s, d("2025-01-01"), d("2025-12-31"), d("2025-07-02"))["plans"]
        assert later == {"plans": 1, "tasks": 4, "done": 2, "overdue": 1}
        # 概览 chases every plan's overdue tasks, the old plan's included, by the same rule
        from hzdesk.services.overview import overview
        assert overview(s, d("2025-06-30")).plan_overdue == 3


def test_people_and_boards_by_level_as_of_a_day(db):
    """#16 point 4: distinct people per chief level and per role among the appointments in force
    that day (an ended post does not count; two posts of one person at one level count once)."""
    import datetime as dt

    from hzdesk.db import models as m
    from hzdesk.services.roster import people_on

    d = dt.date.fromisoformat
    with db.session() as s, s.begin():
        river = m.WaterBody(code="XJ001", name="清溪河", kind="河流", level="县级")
        seg = m.WaterBody(code="XJ002", name="清溪河上段", kind="河段", level="村级")
        people = [m.Person(name=n) for n in ("甲", "乙", "丙", "丁", "戊")]
        s.add_all([river, seg, *people])
        s.flush()
        a, b, c, e, f = (p.id for p in people)
        for pid, wid, role, level, start, end in (
                (a, river.id, "河长", "县级", "2024-01-01", None),
                (b, seg.id, "河长", "村级", "2024-01-01", None),
                (b, river.id, "副河长", "村级", "2024-01-01", None),          # same person, same level
                (c, seg.id, "河长", "村级", "2023-01-01", "2025-02-28"),      # ended before the day
                (e, seg.id, "保洁员", "村级", "2024-01-01", None),
                (f, seg.id, "民间河长", "村级", "2025-06-01", None)):         # after the day
            s.add(m.Appointment(person_id=pid, water_body_id=wid, role=role, level=level, start_on=d(start),
                                end_on=d(end) if end else None))
    with db.session() as s:
        assert people_on(s, d("2025-05-01")) == {"chiefs_by_level": {"县级": 1, "村级": 1},
                                                 "by_role": {"河长": 2, "副河长": 1, "保洁员": 1}}
        assert people_on(s, d("2025-06-01"))["by_role"]["民间河长"] == 1
