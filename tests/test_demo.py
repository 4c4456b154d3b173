"""Sample data: realistic, consistent, and the same for the same seed."""

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import func, select

from hzdesk.db import models as m
from hzdesk.db.engine import open_database
from hzdesk.demo import DemoOptions, load_demo
from hzdesk.errors import HzdeskError
from hzdesk.services.check import check_database
from hzdesk.vocab import ProblemState

UNTIL = dt.date(2025, 6, 30)
CONTENT_TABLES = ["water_body", "person", "appointment", "sign_board", "board_chief", "patrol",
                  "problem", "problem_event", "outfall", "monitoring_section", "monitoring_result",
                  "river_plan", "plan_item"]


def dump(path):
    """Every content row, without the columns that record when the file was written."""
    con = sqlite3.connect(path)
    out = {}
    for table in CONTENT_TABLES:
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")
                if r[1] not in ("created_at", "updated_at", "recorded_at")]
        out[table] = con.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY id").fetchall()
    con.close()
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "small.db"
    db = open_database(path)
    summary = load_demo(db, DemoOptions(scale="small", seed=7, until=UNTIL))
    yield db, summary
    db.close()


def test_same_seed_gives_the_same_database_and_another_seed_does_not(small, tmp_path):
    db, _ = small
    again = open_database(tmp_path / "again.db")
    load_demo(again, DemoOptions(scale="small", seed=7, until=UNTIL))
    other = open_database(tmp_path / "other.db")
    load_demo(other, DemoOptions(scale="small", seed=8, until=UNTIL))
    assert dump(db.path) == dump(again.path)
    assert dump(db.path)["person"] != dump(other.path)["person"]
    again.close()
    other.close()


def test_small_set_is_a_few_thousand_consistent_records(small):
    db, summary = small
    assert 15 <= summary["河湖"] <= 40 and summary["巡河记录"] >= 1500 and summary["问题"] >= 100
    with db.session() as s:
        report = check_database(s)
        assert report.ok, report.errors
        assert report.warnings == []


def test_sample_covers_what_a_clerk_must_see(small):
    db, _ = small
    with db.session() as s:
        states = dict(s.execute(select(m.Problem.state, func.count()).group_by(m.Problem.state)).all())
        assert set(states) == set(ProblemState), states
        overdue = s.scalar(select(func.count()).select_from(m.Problem).where(
            m.Problem.state.in_([ProblemState.REGISTERED, ProblemState.RECTIFYING]),
            m.Problem.deadline < UNTIL))
        assert overdue >= 1
        # reshuffles: appointments that ended, and successors on the same water body
        assert s.scalar(select(func.count()).select_from(m.Appointment)
                        .where(m.Appointment.end_on.isnot(None))) >= 5
        # segments form a tree three levels deep (county river → township → village segment)
        seg = s.scalar(select(m.WaterBody).where(m.WaterBody.code == "XJ001-01-01"))
        assert seg.parent.parent.code == "XJ001"
        # late entries (补录) and every patrol within the period
        pairs = s.execute(select(m.Patrol.patrol_date, m.Patrol.entered_on)).all()
        late = sum((entered - done).days > 7 for done, entered in pairs)
        assert 10 <= late < len(pairs) / 5
        assert s.scalar(select(func.max(m.Patrol.patrol_date))) <= UNTIL
        assert s.scalar(select(func.count()).select_from(m.Problem).where(m.Problem.patrol_id.isnot(None))) > 0


def test_demo_refuses_a_database_with_records(small):
    db, _ = small
    with pytest.raises(HzdeskError, match="只能写入空数据库"):
        load_demo(db, DemoOptions(scale="small", seed=1, until=UNTIL))
