"""Rule sets travel: `hzdesk rules export` / `rules import` (#12 point 5)."""

import json
import os
import subprocess
import sys

from openpyxl import Workbook, load_workbook

from hzdesk.db.engine import open_database
from hzdesk.db.models import FrequencyRule


def hz(*args):
    return subprocess.run([sys.executable, "-m", "hzdesk", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HZDESK_TODAY": "2026-04-15"})


def stats(db, period):
    r = hz("--db", str(db), "stats", "--period", period, "--as-of", "2026-04-30", "--json")
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_a_county_rule_set_takes_effect_from_its_date_and_leaves_the_past_alone(tmp_path):
    county, town = tmp_path / "county.db", tmp_path / "town.db"
    assert hz("--db", str(town), "demo", "--until", "2026-04-15", "--seed", "4").returncode == 0
    open_database(county).close()
    book = tmp_path / "规则.xlsx"
    assert hz("--db", str(county), "rules", "export", str(book)).returncode == 0
    wb = load_workbook(book)
    ws = wb["巡河规则"]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["角色", "级别", "周期", "每周期至少（次）", "计算方式"] and "生效日期" in header
    # The county raises the village rule to twice a week from 2026-04-13 (a Monday).
    for row in ws.iter_rows(min_row=2):
        if row[header.index("级别")].value == "村级":
            row[header.index("每周期至少（次）")].value = 2
            row[header.index("生效日期")].value = "2026-04-13"
    wb.save(book)

    q1 = stats(town, "2026Q1")
    r = hz("--db", str(town), "rules", "import", str(book), "--dry-run")
    assert r.returncode == 0 and "新增 1 条，停用 1 条，不变 2 条" in r.stdout, r.stdout + r.stderr
    assert stats(town, "2026Q1") == q1
    r = hz("--db", str(town), "rules", "import", str(book))
    assert r.returncode == 0 and "导入完成" in r.stdout, r.stderr
    assert stats(town, "2026Q1") == q1                       # byte-identical
    april = json.loads(stats(town, "2026-04"))
    assert max(c["due"] for c in april["patrols"]["by_chief"] if c["level"] == "村级") == 1 + 2 + 2
    # The same file again changes nothing.
    r = hz("--db", str(town), "rules", "import", str(book))
    assert "新增 0 条，停用 0 条，不变 3 条" in r.stdout, r.stdout
    with open_database(town).session() as s:
        village = s.query(FrequencyRule).filter_by(level="村级").order_by(FrequencyRule.id).all()
        assert [(v.min_count, str(v.effective_from), str(v.effective_to)) for v in village] == \
            [(1, "None", "2026-04-12"), (2, "2026-04-13", "None")]


def test_a_bad_rule_set_writes_nothing_and_says_where(tmp_path):
    town = tmp_path / "town.db"
    open_database(town).close()
    wb = Workbook()
    ws = wb.active
    ws.title = "巡河规则"
    ws.append(["角色", "级别", "周期", "每周期至少（次）", "计算方式", "生效日期"])
    ws.append(["河长", "村级", "周", 2, "每位河长", "2026-04-13"])
    ws.append(["河长", "镇级", "半月", 0, "每位河长", "2026-13-01"])
    wb.save(tmp_path / "bad.xlsx")
    before = (town.stat().st_size, open_database(town).session().query(FrequencyRule).count())
    r = hz("--db", str(town), "rules", "import", str(tmp_path / "bad.xlsx"))
    assert r.returncode == 2 and "没有导入任何规则" in r.stderr
    for word in ("第 3 行“级别”列", "第 3 行“周期”列", "第 3 行“每周期至少（次）”列", "第 3 行“生效日期”列"):
        assert word in r.stderr, r.stderr
    assert open_database(town).session().query(FrequencyRule).count() == before[1]
    r = hz("--db", str(town), "rules", "import", str(tmp_path / "无.xlsx"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
