"""One figure, one value, on every surface: 概览, 报表/`stats`, `stats --json`, the statistics
workbook, the issue ledger and the summary PDF — for several periods and as-of dates (#12 point 1)."""

import datetime as dt
import json
import re
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from hzdesk.db.engine import open_database
from hzdesk.demo import DemoOptions, load_demo
from hzdesk.periods import parse_period, window_of
from hzdesk.reports.excel_stats import write_stats_workbook
from hzdesk.reports.pdf.ledgers import build
from hzdesk.services.overview import overview
from hzdesk.services.stats import percent, period_problems, period_stats
from hzdesk.vocab import PeriodUnit

UNTIL = dt.date(2026, 6, 17)   # the demo's last day: mid-month, mid-year

CASES = [("2025", "2025-12-31"), ("2025", "2025-09-30"), ("2025", "2026-06-17"), ("2026Q1", "2026-03-31"),
         ("2026Q2", "2026-06-17"), ("2026-06", "2026-06-17"), ("2026-06", "2026-06-01"), ("2026Q3", "2026-06-17")]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db = open_database(tmp_path_factory.mktemp("truth") / "demo.db")
    load_demo(db, DemoOptions(scale="small", seed=5, until=UNTIL))
    yield db
    db.close()


@pytest.mark.parametrize("period,as_of", CASES)
def test_statistics_workbook_and_issue_ledger_agree_with_stats(demo, tmp_path, period, as_of):
    start, end = parse_period(period)
    day = dt.date.fromisoformat(as_of)
    with demo.session() as s:
        st = period_stats(s, start, end, day)
        out = tmp_path / "统计.xlsx"
        write_stats_workbook(out, s, start, end, day)
        doc = build(s, "issues", period=(start, end), as_of=day)
        pp = period_problems(s, start, end, day)
    p, i = st["patrols"], st["issues"]

    summary = dict(load_workbook(out)["汇总"].iter_rows(min_row=2, values_only=True))
    assert (summary["应巡（次）"], summary["按规则完成（次）"], summary["实巡（次）"]) == (p["due"], p["credited"], p["done"])
    assert (summary["发现问题（个）"], summary["超期（个）"], summary["未办结（个）"], summary["挂账（个）"]) == \
        (i["found"], i["overdue"], i["open"], i["parked"])
    villages = list(load_workbook(out)["按村统计"].iter_rows(min_row=2, values_only=True))
    assert all(v[4] <= i["overdue"] for v in villages)

    # The issue ledger lists exactly the period's problems, and its header says the same 超期.
    assert len(doc.rows) == len(pp.states) == i["found"] + i["carried_over"]   # carried: found before it
    header = re.search(r"共 (\d+) 个（其中上期结转 (\d+) 个），超期 (\d+) 个", doc.subtitle)
    assert header, doc.subtitle
    assert tuple(map(int, header.groups())) == (len(pp.states), i["carried_over"], i["overdue"])
    assert sum("（超期）" in "".join(r) for r in doc.rows) == i["overdue"]
    if day < start:
        assert (p["due"], p["done"], i["found"], len(doc.rows)) == (0, 0, 0, 0)


@pytest.mark.parametrize("day", ["2026-06-01", "2026-06-07", "2026-06-17", "2026-05-31"])
def test_overview_month_is_the_report_month(demo, day):
    day = dt.date.fromisoformat(day)
    with demo.session() as s:
        o = overview(s, today=day)
        p = period_stats(s, *window_of(PeriodUnit.MONTH, day), day)["patrols"]
    assert (o.month.due, o.month.credited, o.month.done, percent(o.month.rate)) == \
        (p["due"], p["credited"], p["done"], percent(p["rate"]))
    assert {c.person_id for c in o.behind} <= {c.person_id for c in o.month.by_chief}
    if day.day == 1:
        assert p["due"] == 0   # nothing of the month has ended on its first day


def test_stats_json_from_the_command_line_is_the_same_figure(demo):
    with demo.session() as s:
        expected = period_stats(s, *parse_period("2026Q2"), dt.date(2026, 6, 17))
    out = subprocess.run([sys.executable, "-m", "hzdesk", "--db", str(demo.path), "stats", "--period", "2026Q2",
                          "--as-of", "2026-06-17", "--json"], capture_output=True, text=True, check=True).stdout
    printed = json.loads(out)
    own = printed.pop("by_township")
    assert printed == json.loads(json.dumps(expected, ensure_ascii=False))
    # A township's own database: its one row of the county's table is the same figures.
    assert [(r["township"], r["rank"]) for r in own] == [("清溪镇", 1)]
    assert (own[0]["patrols"], own[0]["patrol_rate"], own[0]["overdue"]) == \
        (expected["patrols"]["done"], expected["patrols"]["rate"], expected["issues"]["overdue"])
