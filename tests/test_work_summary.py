"""The 河长制工作总结 drafted from the ledgers (#16 point 6): every figure in the Word file and the PDF is
the `stats --json` of the same period and as-of date; an empty database says 无, not zeros."""

import datetime as dt
import json
import re
import shutil
import subprocess
import sys

import docx
import pytest

from hzdesk.db.engine import open_database
from hzdesk.demo import DemoOptions, load_demo
from hzdesk.parsing import format_amount
from hzdesk.periods import parse_period, period_title
from hzdesk.services.stats import percent

UNTIL = dt.date(2025, 6, 30)
AS_OF = dt.date(2025, 5, 20)   # inside the period: the draft is of that day, like stats --as-of


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("summary") / "demo.db"
    db = open_database(path)
    load_demo(db, DemoOptions(scale="small", seed=5, until=UNTIL))
    db.close()
    return path


def run(*args):
    return subprocess.run([sys.executable, "-m", "hzdesk", *map(str, args)], capture_output=True, text=True)


def docx_text(path) -> tuple[str, list[list[list[str]]]]:
    d = docx.Document(str(path))
    text = "\n".join(p.text for p in d.paragraphs)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]
    return text, tables


def expected_phrases(s: dict) -> list[str]:
    """What the draft must say, each figure taken from stats --json (numbers set tight, as documents are)."""
    p, i, w, pl, wk = s["patrols"], s["issues"], s["water_quality"], s["plans"], s["work"]
    people = s["people"]["chiefs_by_level"]
    out = [f"在任各级河长{sum(people.values())}名", *(f"{lv}{n}名" for lv, n in people.items()),
           f"在用河长公示牌{s['boards']['total']}块", f"牌面信息需更新{s['boards']['out_of_date']}块",
           f"应巡河{p['due']}次", f"按规则计入{p['credited']}次", f"巡河率{percent(p['rate'])}", f"记录巡河{p['done']}次",
           f"本期发现问题{i['found']}个", f"已整改销号{i['rectified_of_found']}个",
           f"整改率{percent(i['rectification_rate'])}", f"本期共销号{i['closed']}个", f"尚未办结{i['open']}个",
           f"其中超期{i['overdue']}个", f"监测断面{w['sections']}个", f"有监测结果{w['sampled']}个",
           f"达到水质目标{w['meeting_target']}个", f"达标率{percent(w['rate'])}",
           f"一河一策方案{pl['plans']}个", f"明确任务{pl['tasks']}项", f"已完成{pl['done']}项",
           f"未完成{pl['overdue']}项", *(f"{k}{n}次" for k, n in wk["by_kind"].items()),
           f"参与{wk['participants']}人次"]
    for label, x in wk["quantities"].items():
        name, unit = label[:-1].split("(")
        out.append(f"{name}{format_amount(x)}{unit}")
    if p["by_chief"]:
        behind = [c for c in p["by_chief"] if c["due"] and c["credited"] < c["due"]]
        out += [f"{len(behind)}名河长", *(f"{c['name']}（{c['level']}，{c['credited']}/{c['due']}次）" for c in behind[:5])]
    return out


def test_the_word_draft_says_what_stats_says_for_the_same_day(demo_file, tmp_path):
    out = tmp_path / "总结.docx"
    made = run("--db", demo_file, "report", "work-summary", "--period", "2025H1", "--as-of", AS_OF, "--out", out)
    assert made.returncode == 0, made.stderr
    assert "清溪镇2025年上半年河长制工作总结" in made.stdout and "Word" in made.stdout
    stats = json.loads(run("--db", demo_file, "stats", "--period", "2025H1", "--as-of", AS_OF, "--json").stdout)
    text, tables = docx_text(out)
    flat = text.replace("\n", "")
    missing = [ph for ph in expected_phrases(stats) if ph not in flat]
    assert not missing, missing
    # the structure offices write
    for heading in ("一、工作开展情况及成效", "（一）组织体系", "（二）巡河履职", "（三）问题整改", "（四）水质",
                    "（五）一河一策", "（六）宣传、专项行动与保洁", "二、存在的问题", "三、下步工作打算"):
        assert heading in text.split("\n"), heading
    assert text.split("\n")[0] == "清溪镇2025年上半年河长制工作总结"
    assert "截至2025年5月20日" in text and text.rstrip().endswith("2025年5月20日")
    # the table of patrols by level adds up to the figures in the text
    by_level = next(t for t in tables if t[0][0] == "级别")
    assert sum(int(r[2]) for r in by_level[1:]) == stats["patrols"]["due"]
    assert sum(int(r[3]) for r in by_level[1:]) == stats["patrols"]["credited"]
    # the oldest overdue problem is named
    if stats["issues"]["overdue"]:
        assert re.search(r"超期最久的是：WT-\d{4}-\d{3}", flat)
    # official layout: A4, 37/35/28/26 mm, the 公文 fonts named
    d = docx.Document(str(out))
    sec = d.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)] == [37, 35, 28, 26]
    xml = d.element.xml
    for font in ("方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"):
        assert f'w:eastAsia="{font}"' in xml, font
    assert "PAGE" in d.sections[0].footer.paragraphs[0]._element.xml
    assert len(d.inline_shapes) == 3   # problems by category; the map of the as-of day; each section's class month by month
    for kind in "表图":   # numbered in order, whichever tables and charts the data called for
        numbers = [int(m.group(1)) for p in d.paragraphs if (m := re.match(kind + r"(\d+)　", p.text))]
        assert numbers == list(range(1, len(numbers) + 1)) and numbers, kind


def test_the_pdf_draft_says_the_same_as_the_word_one(demo_file, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils 未安装")
    made = run("--db", demo_file, "report", "work-summary", "--period", "2025H1", "--as-of", AS_OF,
               "--out", tmp_path / "总结.pdf")
    assert made.returncode == 0, made.stderr
    stats = json.loads(run("--db", demo_file, "stats", "--period", "2025H1", "--as-of", AS_OF, "--json").stdout)
    text = subprocess.run(["pdftotext", str(tmp_path / "总结.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = re.sub(r"\s+", "", text)
    body = re.sub(r"—\d+—", "", flat)          # a sentence runs on over a page's footer
    assert "河湖、公示牌和未办结问题分布" in body     # the sample has lines: the map is a figure of it
    missing = [ph for ph in expected_phrases(stats) if ph not in body]
    assert not missing, missing
    assert "—1—" in flat and "二、存在的问题" in flat
    fonts = subprocess.run(["pdffonts", str(tmp_path / "总结.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"\byes\s+yes\b", fonts)   # embedded (the bundled face here; the PC's 仿宋 on Windows)


def test_an_empty_database_says_none_rather_than_zeros(tmp_path):
    db = tmp_path / "empty.db"
    open_database(db).close()   # a new office's database: made, nothing recorded yet
    out = tmp_path / "空.docx"
    made = run("--db", db, "report", "work-summary", "--period", "2025", "--as-of", "2025-12-31", "--out", out)
    assert made.returncode == 0, made.stderr
    text, tables = docx_text(out)
    for said in ("台账中无在任河长记录", "台账中无在用河长公示牌记录", "本期台账中无应巡次数和巡河记录",
                 "本期台账中无新发现问题", "台账中无水质监测断面记录", "本期台账中无实施中的一河一策方案",
                 "本期台账中无工作记录", "无法据以分析存在的问题"):
        assert said in text, said
    assert not re.search(r"(?<![\d.])0(个|次|名|块|项|%)", text), text   # no zero is written up as a result
    assert not tables


def test_a_period_is_named_as_offices_name_it():
    assert period_title(*parse_period("2025H1")) == "2025年上半年"
    assert period_title(*parse_period("2025h2")) == "2025年下半年"
    assert period_title(*parse_period("2025Q3")) == "2025年第三季度"
    assert period_title(*parse_period("2025-03")) == "2025年3月"
    assert period_title(*parse_period("2025")) == "2025年"
    assert period_title(*parse_period("2025-03-05..2025-06-30")) == "2025年3月5日至2025年6月30日"


def test_only_word_or_pdf_and_a_ledger_is_not_word(demo_file, tmp_path):
    bad = run("--db", demo_file, "report", "work-summary", "--period", "2025", "--out", tmp_path / "x.txt")
    assert bad.returncode == 2 and ".docx" in bad.stderr and not (tmp_path / "x.txt").exists()
    bad = run("--db", demo_file, "report", "rivers", "--out", tmp_path / "x.docx")
    assert bad.returncode == 2 and "只能存为 PDF" in bad.stderr


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice 未安装（.ci/run 会安装 libreoffice-writer）")
def test_the_word_file_opens_in_libreoffice_and_converts_to_pdf(demo_file, tmp_path):
    out = tmp_path / "总结.docx"
    assert run("--db", demo_file, "report", "work-summary", "--period", "2025Q2", "--as-of", UNTIL,
               "--out", out).returncode == 0
    converted = subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
                                "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(out)],
                               capture_output=True, text=True, timeout=240)
    pdf = tmp_path / "pdf" / "总结.pdf"
    assert pdf.exists(), converted.stdout + converted.stderr
    if shutil.which("pdftotext"):
        text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout)
        assert "清溪镇2025年第二季度河长制工作总结" in text and "三、下步工作打算" in text


def test_a_sections_class_by_month_is_its_class_for_that_month(demo_file):
    from hzdesk.services.water_quality import monthly_classes, section_quality

    db = open_database(demo_file)
    try:
        with db.session() as s:
            months, sections, by_month = monthly_classes(s, dt.date(2025, 1, 1), dt.date(2025, 6, 30), AS_OF)
            assert months == [(2025, m) for m in range(1, 6)]   # up to the as-of day, 20 May
            april = {q.section_id: q.measured for q in section_quality(s, dt.date(2025, 4, 1), dt.date(2025, 4, 30), AS_OF)}
            assert {sid: classes[3] for sid, classes in by_month.items()} == april
            assert any(april.values())
    finally:
        db.close()
