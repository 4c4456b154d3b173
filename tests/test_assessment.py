"""村级考核 (#16 point 5): the office's scheme, dated; each village scored, graded and ranked by it;
the 通报 in Word and PDF says what stats --json says."""

import datetime as dt
import json
import re
import subprocess
import sys

import docx
import pytest

from hzdesk.db.engine import open_database
from hzdesk.demo import DemoOptions, load_demo
from hzdesk.errors import ValidationError
from hzdesk.parsing import ParseError
from hzdesk.services.assessment import DEFAULT_SCHEME, parse_scheme
from hzdesk.services.settings import get_setting, set_setting
from hzdesk.services.stats import period_stats

H1 = (dt.date(2025, 1, 1), dt.date(2025, 6, 30), dt.date(2025, 6, 30))


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("assess") / "demo.db"
    db = open_database(path)
    load_demo(db, DemoOptions(scale="small", seed=11, until=H1[2]))
    db.close()
    return path


def test_the_default_scheme_and_what_a_wrong_one_is_told():
    s = parse_scheme(DEFAULT_SCHEME)
    assert s.weights == {"巡河率": 40, "整改率": 30, "公示牌更新率": 20, "工作记录": 10}
    assert (s.work_target, s.overdue_points, s.overdue_cap, s.excellent, s.passing) == (3, 5, 20, 90, 60)
    assert [s.grade(x) for x in (95, 90, 89.9, 60, 59.9)] == ["优良", "优良", "合格", "合格", "不合格"]
    for text, reason in (("巡河率 40\n植树 10", "不是考核项目"), ("巡河率 四十", "不是数字"),
                         ("巡河率 0", "至少要有一个"), ("巡河率 50\n优良 60\n合格 80", "合格分数线不能高于"),
                         ("巡河率", "缺少分值"), ("工作记录 10 2.5", "正整数")):
        with pytest.raises(ParseError, match=reason):
            parse_scheme(text)


def test_each_village_is_scored_by_the_scheme_and_ranked(demo_file):
    db = open_database(demo_file)
    try:
        with db.session() as s:
            rows = period_stats(s, *H1)["assessment"]
            scheme = parse_scheme(get_setting(s, "assessment_scheme"))
        assert len(rows) >= 5 and {r["grade"] for r in rows} <= {"优良", "合格", "不合格"}
        for r in rows:   # the score is the documented formula over the items shown beside it
            ratios = {**r["items"], "工作记录": min(1.0, r["work_records"] / scheme.work_target)}
            applied = {k: w for k, w in scheme.weights.items() if w and ratios[k] is not None}
            base = 100 * sum(w * ratios[k] for k, w in applied.items()) / sum(applied.values())
            expected = max(0.0, base - min(scheme.overdue_cap, scheme.overdue_points * r["overdue"]))
            assert r["score"] == pytest.approx(expected, abs=0.06), r
            assert r["grade"] == scheme.grade(r["score"])
        assert all(r["score"] is not None for r in rows)   # every village has something measured
        scores = [r["score"] for r in rows]
        assert scores == sorted(scores, reverse=True)
        for i, r in enumerate(rows):   # 1, 2, 2, 4: equal scores share a rank
            assert r["rank"] == (rows[i - 1]["rank"] if i and r["score"] == scores[i - 1] else i + 1)
    finally:
        db.close()


def test_a_scheme_change_counts_from_its_date_and_a_past_period_keeps_its_scores(demo_file, tmp_path):
    path = tmp_path / "copy.db"
    path.write_bytes(demo_file.read_bytes())
    db = open_database(path)
    try:
        with db.session() as s:
            before = period_stats(s, *H1)["assessment"]
            with pytest.raises(ValidationError) as refused:
                set_setting(s, "assessment_scheme", "巡河率 40\n植树 10", effective_from=dt.date(2025, 7, 1))
            assert "不是考核项目" in str(refused.value.errors["assessment_scheme"])
            set_setting(s, "assessment_scheme", "巡河率 100\n优良 95\n合格 80", effective_from=dt.date(2025, 7, 1))
            s.commit()
        with db.session() as s:
            assert period_stats(s, *H1)["assessment"] == before         # scored by the scheme of June
            q3 = period_stats(s, dt.date(2025, 7, 1), dt.date(2025, 9, 30), dt.date(2025, 9, 30))["assessment"]
            for r in q3:   # only the patrol rate counts from July on; without due patrols, 不参评
                rate = r["items"]["巡河率"]
                assert r["score"] == (round(100 * rate, 1) if rate is not None else None)
                assert (r["grade"] == "不参评") == (rate is None) and (r["rank"] is None) == (rate is None)
    finally:
        db.close()


def run(*args):
    return subprocess.run([sys.executable, "-m", "hzdesk", *map(str, args)], capture_output=True, text=True)


def test_the_notice_in_word_says_what_stats_says(demo_file, tmp_path):
    out = tmp_path / "通报.docx"
    made = run("--db", demo_file, "report", "assessment", "--period", "2025H1", "--as-of", "2025-06-30", "--out", out)
    assert made.returncode == 0, made.stderr
    rows = json.loads(run("--db", demo_file, "stats", "--period", "2025H1", "--as-of", "2025-06-30",
                          "--json").stdout)["assessment"]
    d = docx.Document(str(out))
    assert d.paragraphs[0].text == "关于清溪镇2025年上半年村级河长制工作考核情况的通报"
    table = [[c.text for c in row.cells] for row in d.tables[0].rows]
    assert table[0][:4] == ["排名", "村", "得分", "等次"]
    assert [(int(r[0]), r[1], float(r[2]), r[3]) for r in table[1:]] == \
        [(r["rank"], r["unit"], r["score"], r["grade"]) for r in rows]
    text = "\n".join(p.text for p in d.paragraphs)
    failing = [r["unit"] for r in rows if r["grade"] == "不合格"]
    assert f"不合格{len(failing)}个" in text


def test_the_notice_as_pdf_breaks_lines_the_chinese_way(demo_file, tmp_path):
    out = tmp_path / "通报.pdf"
    assert run("--db", demo_file, "report", "assessment", "--period", "2025H1", "--as-of", "2025-06-30",
               "--out", out).returncode == 0
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True).stdout
    starts = [ln.strip()[0] for ln in text.splitlines() if ln.strip()]
    assert not [c for c in starts if c in "，；：、。）？！"], text   # 避头: no line starts with a stop


def test_without_villages_the_notice_says_why(tmp_path):
    db = tmp_path / "empty.db"
    open_database(db).close()
    out = tmp_path / "通报.docx"
    assert run("--db", db, "report", "assessment", "--period", "2025", "--out", out).returncode == 0
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "无法按村考核" in text and not re.search(r"\d+(\.\d)?分.*优良", text.split("无法")[1])
