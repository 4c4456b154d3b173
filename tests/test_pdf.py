"""Printed ledgers: the font is embedded, the Chinese text is real text, headers repeat, pages count."""

import datetime as dt
import re
import shutil
import subprocess
import sys

import pytest

from hzdesk.db.engine import open_database
from hzdesk.demo import DemoOptions, load_demo
from hzdesk.reports.pdf.render import LedgerDoc, PdfColumn, write_ledger
from hzdesk.reports.pdf.ledgers import LEDGER_KINDS, build
from tests.helpers import pdftext

UNTIL = dt.date(2025, 6, 30)
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils 未安装")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db = open_database(tmp_path_factory.mktemp("pdf") / "demo.db")
    load_demo(db, DemoOptions(scale="small", seed=2, until=UNTIL))
    yield db
    db.close()


@needs_poppler
@pytest.mark.parametrize("kind", sorted(LEDGER_KINDS))
def test_every_ledger_kind_prints(demo, tmp_path, kind):
    with demo.session() as s:
        doc = build(s, kind, period=(dt.date(2025, 1, 1), dt.date(2025, 3, 31)), as_of=UNTIL)
    out = tmp_path / f"{kind}.pdf"
    pages = write_ledger(out, doc)
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"WenQuanYiZenHei\s+TrueType.*\byes\s+yes\b", fonts), fonts
    text = pdftext(out)
    assert doc.title in text and "清溪镇河长制办公室" in text and "打印日期" in text
    assert f"第{pages}页共{pages}页" in text
    assert "填报人" in text and "审核人" in text
    assert len(doc.rows) > 0


@needs_poppler
def test_headers_repeat_and_pages_are_numbered(tmp_path):
    cols = [PdfColumn("序号", 3), PdfColumn("河湖", 8), PdfColumn("巡河情况", 20)]
    rows = [[str(i), "清溪河", f"第{i}条：河面整洁，水质Ⅲ类，水温 18℃"] for i in range(1, 121)]
    out = tmp_path / "many.pdf"
    pages = write_ledger(out, LedgerDoc("巡河记录台账", "某镇河长制办公室", "期间：2025-03", cols, rows))
    assert pages >= 3
    for p in range(1, pages + 1):
        text = pdftext(out, p)
        assert "巡河情况" in text                       # the header row on every page
        assert f"第{p}页共{pages}页" in text
    everything = pdftext(out)
    assert "水质Ⅲ类，水温18℃" in everything and "第120条" in everything


def test_page_streams_are_compressed_once_and_read_back_whole(tmp_path):
    """Each page a Flate stream only (not also ASCII85), compressed quickly; every page's drawing
    comes back whole when the stream is inflated."""
    import zlib
    cols = [PdfColumn("序号", 3), PdfColumn("河湖", 8), PdfColumn("巡河情况", 20)]
    rows = [[str(i), "清溪河", f"第{i}条：河面整洁"] for i in range(1, 121)]
    out = tmp_path / "streams.pdf"
    pages = write_ledger(out, LedgerDoc("巡河记录台账", "某镇河长制办公室", "期间：2025-03", cols, rows))
    data = out.read_bytes()
    assert b"ASCII85Decode" not in data
    drawn = []
    for m in re.finditer(rb"/Filter \[ /FlateDecode \] /Length (\d+)[^>]*>>\s*stream\r?\n", data):
        body = zlib.decompress(data[m.end():m.end() + int(m.group(1))])
        if b" Tm " in body:
            drawn.append(body)
    # every page whole: the table, then the page number last
    assert len(drawn) == pages and all(b"Q\n" in body and body.rstrip().endswith(b"ET") for body in drawn)


def test_laying_out_a_ledger_leaves_the_garbage_collector_as_it_found_it(tmp_path):
    """The layout pauses the collector (its rows are not garbage); the window's other work must
    find it collecting again, and a caller that had paused it finds it still paused."""
    import gc
    from hzdesk.reports.pdf.render import count_pages
    doc = LedgerDoc("巡河记录台账", "某镇", "全部", [PdfColumn("序号", 3), PdfColumn("河湖", 8)],
                    [[str(i), "清溪河"] for i in range(1, 200)])
    assert gc.isenabled()
    assert count_pages(doc)[0] >= 2 and gc.isenabled()
    gc.disable()
    try:
        count_pages(doc)
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(ZeroDivisionError):
        count_pages(doc, should_stop=lambda: 1 / 0)     # a layout that stops half-way
    assert gc.isenabled()


@needs_poppler
def test_long_text_wraps_instead_of_being_cut(tmp_path):
    long = "河道内堆放建筑垃圾约二十立方米，" * 8 + "结尾字样"
    out = tmp_path / "wrap.pdf"
    write_ledger(out, LedgerDoc("问题台账", "某镇", "全部", [PdfColumn("序号", 3), PdfColumn("问题描述", 12)],
                                [["1", long]], signatures=()))
    text = pdftext(out).replace("\n", "")
    assert "结尾字样" in text
    assert "填报人" not in text  # no signature lines when none are asked for


@needs_poppler
def test_report_command(demo, tmp_path):
    out = tmp_path / "roster.pdf"
    r = subprocess.run([sys.executable, "-m", "hzdesk", "--db", str(demo.path), "report", "roster", "--out",
                        str(out), "--as-of", "2025-06-30"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "有效日期：2025年6月30日" in pdftext(out)
    r = subprocess.run([sys.executable, "-m", "hzdesk", "--db", str(demo.path), "report", "bogus", "--out",
                        str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "无效的选择" in r.stderr


@needs_poppler
def test_issue_and_closure_sheets(demo, tmp_path):
    from sqlalchemy import select

    from hzdesk.db import models as m
    from hzdesk.errors import NotFound
    from hzdesk.reports.pdf.problem_sheets import closure_sheet, issue_sheet
    with demo.session() as s:
        open_one = s.scalar(select(m.Problem).where(m.Problem.state == "整改中").limit(1))
        closed = s.scalar(select(m.Problem).where(m.Problem.state == "已销号").limit(1))
        last_move = closed.events[-1].action
        issue_sheet(s, open_one.number, tmp_path / "i.pdf")
        closure_sheet(s, closed.number, tmp_path / "c.pdf")
        with pytest.raises(NotFound, match="没有编号为"):
            issue_sheet(s, "WT-1999-999", tmp_path / "x.pdf")
    text = pdftext(tmp_path / "i.pdf")
    assert "河湖问题督办单" in text and open_one.number in text and open_one.responsible_unit in text
    assert "签收日期" in text
    text = pdftext(tmp_path / "c.pdf")
    assert "整改销号单" in text and "整改前照片" in text and "办理经过" in text and last_move in text
    assert not (tmp_path / "x.pdf").exists()


@needs_poppler
def test_sheets_say_only_what_is_true(db, tmp_path):
    """#14: no 销号单 pre-filled for an open problem, a 督办单 only once handed over and dated then,
    an overdue one says so; a 2,000-character description runs on to a numbered second page with
    the signatures kept together."""
    from hzdesk import clock
    from hzdesk.errors import HzdeskError
    from hzdesk.reports.pdf.problem_sheets import closure_sheet, issue_sheet
    from hzdesk.services import records
    from hzdesk.services.workflow import move

    today = clock.today()
    with db.session() as s:
        wid = records.create(s, "water_body", {"code": "XJ001", "name": "清溪河", "kind": "河流", "level": "县级"}).id
        long_text = ("河道右岸堆放建筑垃圾约三十立方米，部分已滑入河道，影响行洪；" * 70)[:2000]
        p = records.create(s, "problem", {"found_on": today - dt.timedelta(days=90), "water_body_id": wid,
                                          "source": "暗访", "category": "乱堆", "description": long_text})
        number = p.number
        with pytest.raises(HzdeskError, match="还没有交办"):
            issue_sheet(s, number, tmp_path / "i0.pdf")
        handed = today - dt.timedelta(days=80)
        move(s, p.id, "交办", on_date=handed, responsible_unit="镇执法队", deadline=today - dt.timedelta(days=50))
        with pytest.raises(HzdeskError, match="尚未整改完成"):
            closure_sheet(s, number, tmp_path / "c0.pdf")
        issue_sheet(s, number, tmp_path / "i.pdf")
        move(s, p.id, "报告整改完成", on_date=today - dt.timedelta(days=1), measures="已清运")
        closure_sheet(s, number, tmp_path / "c.pdf")
        s.commit()
    assert not (tmp_path / "i0.pdf").exists() and not (tmp_path / "c0.pdf").exists()
    text = pdftext(tmp_path / "i.pdf")
    assert f"签发日期：{handed.year}年{handed.month}月{handed.day}日" in text
    assert "已超过整改时限50天" in text
    pages = int(re.search(r"共(\d+)页", text).group(1))
    assert pages >= 2 and f"第{pages}页共{pages}页" in text
    last = pdftext(tmp_path / "i.pdf", pages)
    assert "签发人" in last and "签收日期" in last        # kept together
    text = pdftext(tmp_path / "c.pdf")
    assert "经现场核查，问题已整改到位" not in text and "□已整改到位" in text


@needs_poppler
def test_summary_report_with_charts(demo, tmp_path):
    from hzdesk.reports.pdf.summary import write_summary
    with demo.session() as s:
        pages = write_summary(s, tmp_path / "s.pdf", (dt.date(2025, 1, 1), dt.date(2025, 6, 30)), UNTIL)
    text = pdftext(tmp_path / "s.pdf")
    assert pages >= 2 and "河长制工作统计报表" in text and "本期累计巡河" in text and "整改率" in text
    assert b"ASCII85Decode" not in (tmp_path / "s.pdf").read_bytes()    # compressed, not also spelled out
    # #14: no 草稿 on paper; periods as a sentence says them; every page says 共 M 页
    assert "草稿" not in text and "2025年1月1日至6月30日" in text and f"第{pages}页共{pages}页" in text
    # #14 point 4: the charts (level rates, categories and sources, monthly trend) are drawn as
    # vector paths and real text, not pictures
    images = subprocess.run(["pdfimages", "-list", str(tmp_path / "s.pdf")], capture_output=True, text=True).stdout
    assert "image" not in images and "smask" not in images, images
    assert all(t in text for t in ("各级河长巡河率", "问题类别", "问题来源", "逐月巡河与发现问题", "巡河（次）"))
    # #16: organisation and water quality on paper, the figures stats gives
    from hzdesk.services.stats import percent, period_stats
    with demo.session() as s:
        stats = period_stats(s, dt.date(2025, 1, 1), dt.date(2025, 6, 30), UNTIL)
    flat = text.replace(" ", "")
    assert "组织体系" in flat and "水质监测" in flat
    w = stats["water_quality"]
    assert f"{w['sections']}{w['sampled']}{w['meeting_target']}{percent(w['rate'])}{w['worse_than_v']}" in flat


@needs_poppler
def test_inspection_binder(demo, tmp_path):
    from pypdf import PdfReader

    from hzdesk.reports.pdf.binder import PARTS, write_binder
    out = tmp_path / "binder.pdf"
    with demo.session() as s:
        pages = write_binder(s, out, 2025, UNTIL)
    reader = PdfReader(str(out))
    assert len(reader.pages) == pages > 10
    assert [o.title for o in reader.outline] == [title for _k, title in PARTS]
    contents = pdftext(out, 2)
    assert "目录" in contents and "巡河记录台账" in contents
    patrols_at = [o.title for o in reader.outline].index("巡河记录台账")
    first_patrol_page = reader.get_destination_page_number(reader.outline[patrols_at]) + 1
    assert "巡河记录台账" in pdftext(out, first_patrol_page)
    lines = [line for line in contents.splitlines() if line.strip()]
    title_at = next(i for i, line in enumerate(lines) if "巡河记录台账" in line)
    listed = re.search(r"(\d+)$", lines[title_at]) or re.fullmatch(r"(\d+)", lines[title_at + 1])
    # #14: the number the contents give is the one printed on that page (the binder's running
    # number, with its section), and the viewer's page label; cover and contents are apart.
    body = pages - 2
    printed = pdftext(out, first_patrol_page)
    assert f"巡河记录台账第{listed.group(1)}页共{body}页" in printed
    assert reader.page_labels[first_patrol_page - 1] == listed.group(1)
    assert reader.page_labels[:3] == ["I", "II", "1"]
    assert f"第{body}页共{body}页" in pdftext(out, pages)
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Helvetica" not in fonts and " no " not in fonts.split("\n", 2)[2]   # every font embedded
    assert reader.metadata.author == "清溪镇河长制办公室" and "hzdesk" in reader.metadata.creator


def test_the_binder_may_carry_the_years_sheets(demo, tmp_path):
    """#14 point 2: with_sheets adds the year's 督办单 (each problem handed over in it, as stats
    counts them) and 销号单 (each problem closed in it), a bookmark per problem, numbered as the book."""
    from pypdf import PdfReader

    from hzdesk.reports.pdf.binder import write_binder
    from hzdesk.services.stats import period_stats

    out = tmp_path / "binder.pdf"
    with demo.session() as s:
        pages = write_binder(s, out, 2025, UNTIL, sheets=True)
        figures = period_stats(s, dt.date(2025, 1, 1), dt.date(2025, 12, 31), UNTIL)
    reader = PdfReader(str(out))
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert titles[-2:] == ["问题督办单", "问题整改销号单"]
    issued, closed = [o for o in reader.outline if isinstance(o, list)]
    assert len(issued) == figures["work"]["supervision_sheets"] > 0
    assert len(closed) == figures["issues"]["closed"] > 0
    first = reader.get_destination_page_number(issued[0])   # 0-based, the book's page
    text = pdftext(out, first + 1)
    assert issued[0].title in text and "河湖问题督办单" in text
    assert f"问题督办单第{first - 1}页共{pages - 2}页" in text   # the printed number is the book's
    assert "问题督办单" in pdftext(out, 2) and "问题整改销号单" in pdftext(out, 2)   # in the contents


def test_county_statistics_workbook(demo, tmp_path):
    import openpyxl

    from hzdesk.reports.excel_stats import write_stats_workbook
    from hzdesk.services.stats import period_stats
    start, end = dt.date(2025, 1, 1), dt.date(2025, 6, 30)
    with demo.session() as s:
        write_stats_workbook(tmp_path / "st.xlsx", s, start, end, UNTIL)
        stats = period_stats(s, start, end, UNTIL)
    wb = openpyxl.load_workbook(tmp_path / "st.xlsx")
    assert wb.sheetnames == ["汇总", "河长巡河", "按村统计", "问题类别", "问题来源", "按责任单位", "村级考核"]
    summary = {r[0]: r[1] for r in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["应巡（次）"] == stats["patrols"]["due"] and summary["发现问题（个）"] == stats["issues"]["found"]
    assert summary["水质达标断面（个）"] == stats["water_quality"]["meeting_target"]        # #16: the same figures
    assert summary["水质达标率"] == stats["water_quality"]["rate"]
    assert summary["任务超期未完成（项）"] == stats["plans"]["overdue"]
    assert all(summary[f"{k}河长（人）"] == v for k, v in stats["people"]["chiefs_by_level"].items())
    chiefs = list(wb["河长巡河"].iter_rows(min_row=2, values_only=True))
    assert sum(r[3] for r in chiefs) == stats["patrols"]["due"]
    categories = list(wb["问题类别"].iter_rows(min_row=2, values_only=True))
    assert sum(r[1] for r in categories) == stats["issues"]["found"]
    units = list(wb["按责任单位"].iter_rows(min_row=2, values_only=True))
    assert units and sum(r[4] for r in units) <= stats["issues"]["overdue"]
    assert [list(r) for r in units] == [[u["unit"], u["assigned"], u["closed"], u["open"], u["overdue"]]
                                        for u in stats["issues"]["by_unit"]]
    # #16: the village assessment and the office's work, as stats gives them
    ranked = list(wb["村级考核"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[2], r[3]) for r in ranked] == \
        [(a["rank"], a["unit"], a["score"], a["grade"]) for a in stats["assessment"]] and ranked
    assert all(summary[f"{k}（次）"] == n for k, n in stats["work"]["by_kind"].items()) and stats["work"]["by_kind"]
    assert all(summary[label] == x for label, x in stats["work"]["quantities"].items())


def test_numbers_are_never_split(tmp_path):
    """#14: 序号 10000 wrapped to "1000/0" and doubled the pages of a big patrol ledger."""
    from hzdesk.reports.pdf.render import count_pages

    cols = [PdfColumn("序号", 3.2, "center"), PdfColumn("巡河日期", 6.5), PdfColumn("河湖", 9), PdfColumn("巡河人", 5),
            PdfColumn("开始时间", 4.5), PdfColumn("结束时间", 4.5), PdfColumn("里程(km)", 5, "right"),
            PdfColumn("天气", 3), PdfColumn("巡河情况", 20), PdfColumn("现场处理", 10), PdfColumn("发现问题", 4.8),
            PdfColumn("巡河方式", 5), PdfColumn("录入日期", 6.5)]
    rows = [[str(i), "2025-03-05", "清溪河", "张建国", "08:30", "09:40", "12.5", "晴", "河面整洁", "", "否", "步行",
             "2025-03-05"] for i in range(1, 10_501)]
    pages, layout = count_pages(LedgerDoc("巡河记录台账", "某镇", "2025", cols, rows, landscape=True))
    assert all(len(cells[0]) == 1 and len(cells[6]) == 1 for page in layout.pages for cells, _h, _detail in page)
    assert len(rows) / pages >= 24     # rows a page, as with one-line rows


def test_short_labels_stay_on_one_line():
    """A 全县 问题台账 printed "整改中（超期）" in its 状态 column as 整改中 / （超 / 期）: a column of
    short labels (states, categories) is widened to its longest, the room taken from the text."""
    from hzdesk.reports.pdf.render import count_pages

    cols = [PdfColumn("序号", 3.2, "center"), PdfColumn("乡镇", 5), PdfColumn("问题编号", 8), PdfColumn("发现日期", 6.5),
            PdfColumn("河湖", 8), PdfColumn("问题来源", 5), PdfColumn("问题类别", 5), PdfColumn("问题描述", 22),
            PdfColumn("责任单位", 10), PdfColumn("整改时限", 6.5), PdfColumn("状态", 4), PdfColumn("销号日期", 6.5)]
    rows = [[str(i), "西河乡", f"WT-2025-{i:03d}", "2025-03-05", "清溪河", "河长巡河", "生活垃圾",
             "河岸堆放生活垃圾约4立方米，已通知村委会清运", "镇农业农村办", "2025-03-20",
             "整改中（超期）" if i % 2 else "已销号", ""] for i in range(1, 200)]
    _pages, layout = count_pages(LedgerDoc("问题台账", "某县", "2025", cols, rows, landscape=True))
    assert all(len(cells[10]) == 1 and len(cells[5]) == 1 for page in layout.pages for cells, _h, _d in page)
    assert max(len(cells[7]) for page in layout.pages for cells, _h, _d in page) <= 2   # the text still reads


@needs_poppler
def test_an_empty_period_says_so(tmp_path):
    cols = [PdfColumn("序号", 3.2, "center"), PdfColumn("发现问题", 4.8), PdfColumn("巡河情况", 30)]
    out = tmp_path / "empty.pdf"
    write_ledger(out, LedgerDoc("巡河记录台账", "某镇", "期间：2019", cols, []))
    text = pdftext(out)
    assert "本期无记录" in text and "发现问题" in text and "第1页共1页" in text


def _leftmost_word(pdf, page=1) -> float:
    """Where the printed text starts on a page, in points from the left edge of the sheet."""
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return min(float(x) for x in re.findall(r'<word xMin="([0-9.]+)"', out))


@needs_poppler
def test_paper_keeps_the_binding_margin_the_office_sets(demo, tmp_path):
    """#14 point 3: 装订线 — the bound (left) edge keeps 25 mm by default, whatever the office sets
    (up to 50 mm), on ledgers, the summary and the single-problem sheets; nothing overflows."""
    from sqlalchemy import select

    from hzdesk.db import models as m
    from hzdesk.errors import ValidationError
    from hzdesk.reports.pdf.problem_sheets import issue_sheet
    from hzdesk.reports.pdf.summary import write_summary
    from hzdesk.services.settings import set_setting

    mm = 72 / 25.4

    def made(tag):
        with demo.session() as s:
            write_ledger(tmp_path / f"l{tag}.pdf", build(s, "patrols", period=(dt.date(2025, 1, 1), dt.date(2025, 3, 31))))
            write_summary(s, tmp_path / f"s{tag}.pdf", (dt.date(2025, 1, 1), dt.date(2025, 6, 30)), UNTIL)
            handed = s.scalar(select(m.Problem.number).where(m.Problem.state == "整改中").limit(1))
            issue_sheet(s, handed, tmp_path / f"i{tag}.pdf")
        return [_leftmost_word(tmp_path / f"{kind}{tag}.pdf") for kind in "lsi"]

    assert all(x >= 25 * mm - 0.5 for x in made("25"))
    with demo.session() as s:
        with pytest.raises(ValidationError, match="不能大于 50"):
            set_setting(s, "binding_margin_mm", 60)
        set_setting(s, "binding_margin_mm", 50)
        s.commit()
    try:
        assert all(x >= 50 * mm - 0.5 for x in made("50"))
    finally:
        with demo.session() as s:
            set_setting(s, "binding_margin_mm", 25)
            s.commit()


def test_ledger_cells_wrap_the_chinese_way():
    """#14 point 3: no line of a ledger cell starts with ，。、）or ends with （; dates, numbers and
    codes inside a sentence are never split ("排污口1 / 0号", "2025-03-0 / 5")."""
    from hzdesk.reports.pdf.fonts import register
    from hzdesk.reports.pdf.render import _NO_END, _NO_START, _Wrapper

    wrap = _Wrapper(register(), 9.5)
    one = wrap.width("中")
    text = ("排污口10号附近有垃圾，已清理。沿河2025-03-05巡查（重点段），发现问题WT-2025-0123、"
            "电话13800138000，水温12.5℃，整改完成率87.5%。")
    for chars in range(5, 16):
        lines = wrap.lines(text, one * chars)
        assert "".join(lines) == text                                   # nothing lost or added
        assert all(line[0] not in _NO_START for line in lines[1:]), lines
        assert all(line[-1] not in _NO_END for line in lines), lines
        for token in ("10", "2025-03-05", "WT-2025-0123", "13800138000", "12.5", "87.5%"):
            if wrap.width(token) + one <= one * chars:       # whole whenever it (and a mark after it) fits
                assert any(token in line for line in lines), (token, lines)
    assert wrap.lines("A" * 80, one * 5)[0]                              # a run longer than a line is cut


def test_the_patrol_ledger_says_how_long_each_patrol_took(demo):
    """#14 point 1: 巡河时长 beside the times, counted as the frequency and speed checks count it."""
    from sqlalchemy import select

    from hzdesk.db import models as m
    from hzdesk.services.compliance import patrol_minutes

    with demo.session() as s:
        doc = build(s, "patrols", period=(dt.date(2025, 3, 1), dt.date(2025, 3, 31)))
        first = s.execute(select(m.Patrol.start_time, m.Patrol.end_time)
                          .where(m.Patrol.patrol_date.between(dt.date(2025, 3, 1), dt.date(2025, 3, 31)))).all()
    titles = [c.title for c in doc.columns]
    at = titles.index("时长(分)")
    assert titles[at - 2:at] == ["开始时间", "结束时间"]
    made = sorted(r[at] for r in doc.rows)
    expected = sorted("" if patrol_minutes(a, b) is None else str(patrol_minutes(a, b)) for a, b in first)
    assert made == expected and any(made)
    assert patrol_minutes(dt.time(8, 30), dt.time(9, 45)) == 75 and patrol_minutes(dt.time(9), dt.time(8)) is None


def test_ledgers_print_what_an_inspector_reads_under_each_row(db):
    """#14 point 1: under each patrol its chief's post that day, 路线, 同行人员, the checklist's
    findings and 记录人 (a name typed with a full-width space kept without it); under each problem 位置, 责任人, 整改措施, 整改完成/验收 — never a step taken after the
    ledger's as-of day — and 现场处理 from the patrol that found it. 简表 (brief) leaves them out."""
    from hzdesk.services import records
    from hzdesk.services.workflow import move
    from tests.helpers import appoint, person, water

    D = dt.date
    with db.session() as s:
        river = water(s, "QX01", level="乡级", kind="河流")
        chief = person(s, "李堃")
        appoint(s, chief, None, D(2024, 1, 1), role="总河长", level="乡级")
        appoint(s, chief, river, D(2024, 1, 1), role="河长", level="乡级")
        walk = records.create(s, "patrol", {
            "person_id": chief.id, "water_body_id": river.id, "patrol_date": D(2025, 3, 5),
            "route_from": "清溪桥", "route_to": "石门闸", "companions": "王五、赵六",
            "checklist": {"rubbish": True, "board": False}, "on_spot_handling": "当场劝离", "recorder": "赵　六"})
        records.create(s, "patrol", {"person_id": chief.id, "water_body_id": river.id,
                                     "patrol_date": D(2025, 3, 6)})
        p = records.create(s, "problem", {"found_on": D(2025, 3, 5), "water_body_id": river.id, "source": "河长巡河",
                                          "category": "乱堆", "description": "岸边堆放垃圾", "place": "清溪桥下",
                                          "patrol_id": walk.id})
        move(s, p.id, "交办", on_date=D(2025, 3, 6), responsible_unit="镇执法队", responsible_person="张三",
             deadline=D(2025, 3, 20))
        move(s, p.id, "报告整改完成", on_date=D(2025, 3, 15), measures="已清运")
        move(s, p.id, "验收通过", on_date=D(2025, 3, 25), verifier="王验")
        s.commit()
        march = (D(2025, 3, 1), D(2025, 3, 31))
        patrols = build(s, "patrols", period=march)
        before = build(s, "issues", period=march, as_of=D(2025, 3, 20))
        after = build(s, "issues", period=march, as_of=D(2025, 3, 31))
        brief = build(s, "patrols", period=march, brief=True)
        brief_issues = build(s, "issues", period=march, as_of=D(2025, 3, 31), brief=True)
    # the post held on that water body, not the higher 总河长 post held elsewhere
    assert patrols.details[0] == "职务：乡级河长；路线：清溪桥—石门闸；同行人员：王五、赵六；检查项：河面有无漂浮物、垃圾；记录人：赵六"
    assert patrols.details[1] == "职务：乡级河长"       # nothing else recorded: nothing else said
    assert before.details == ["现场处理：当场劝离；位置：清溪桥下；责任人：张三；整改措施：已清运；整改完成日期：2025-03-15"]
    assert after.details == [before.details[0] + "；验收人：王验；验收日期：2025-03-25"]
    assert brief.details is None and brief.rows == patrols.rows
    assert brief_issues.details is None and brief_issues.rows == after.rows


@needs_poppler
def test_detail_lines_print_under_their_rows_and_stay_with_them(tmp_path):
    """A row and its detail line are never parted by a page break; every detail prints."""
    cols = [PdfColumn("序号", 3), PdfColumn("河湖", 8), PdfColumn("巡河情况", 20)]
    rows = [[str(i), "清溪河", "河面整洁"] for i in range(1, 90)]
    details = [f"路线：第{i}号桥—第{i + 1}号闸；同行人员：王五" if i % 3 else "" for i in range(1, 90)]
    out = tmp_path / "detail.pdf"
    pages = write_ledger(out, LedgerDoc("巡河记录台账", "某镇河长制办公室", "期间：2025-03", cols, rows,
                                        details=details))
    assert pages >= 2
    for p in range(1, pages + 1):
        lines = [x for x in pdftext(out, p).splitlines() if x.strip()]
        for at, line in enumerate(lines):
            m = re.match(r"路线：第(\d+)号桥", line)
            if m:   # the line above it is its own row
                assert re.match(rf"{m.group(1)}清溪河", lines[at - 1]), (p, lines[at - 1], line)
    text = pdftext(out)
    assert all(f"第{i}号桥—第{i + 1}号闸" in text for i in range(1, 90) if i % 3)


@needs_poppler
def test_charts_are_drawn_as_vectors_in_their_own_proportions(tmp_path):
    """#14 point 4: a chart is paths and text in the embedded font, as wide as asked and exactly as
    tall as its figure's proportions say; a hatching repeated over many bars is defined once."""
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    from hzdesk.reports.charts import GRAYS, _pyplot
    from hzdesk.reports.pdf.fonts import register
    from hzdesk.reports.pdf.vector import VectorChart

    register()
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.0, 3.0), layout="constrained")
    ax.bar([f"{i}村" for i in range(40)], range(1, 41), color=GRAYS[3], edgecolor="black", hatch="..")
    ax.set_title("各村巡河次数 Ⅲ类 ℃")
    plt.close(fig)
    chart = VectorChart(fig, 150 * mm)
    assert chart.wrap(500, 800) == pytest.approx((150 * mm, 75 * mm))    # 6 : 3, never stretched
    out = tmp_path / "chart.pdf"
    SimpleDocTemplate(str(out)).build([chart])
    assert "各村巡河次数Ⅲ类℃" in pdftext(out)
    images = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True).stdout
    assert "image" not in images
    assert out.stat().st_size < 60_000      # 40 dotted bars: the dots are one form, named by each tile


@needs_poppler
def test_board_photos_show_each_boards_latest_photo_known_that_day(db, tmp_path):
    """#14 point 1: the boards in use with their latest photo (one taken after the report's day
    is not known to it), captioned with code, water body and what the face showed; the boards
    without a photo named at the end. A section of the binder."""
    from PIL import Image as PILImage
    from sqlalchemy import select

    from hzdesk.db import models as m
    from hzdesk.reports.make import make
    from hzdesk.services import records
    from hzdesk.services.attachments import add_attachment
    from tests.helpers import water

    D = dt.date
    with db.session() as s:
        river = water(s, "QX01", kind="河流")
        ids = [records.create(s, "sign_board", {"code": f"GSP-{i:03d}", "water_body_id": river.id, "condition": "完好",
                                                "place": f"清溪桥{i}号", "installed_on": D(2024, 1, 1)}).id
               for i in range(1, 4)]
        for n, (board, taken) in enumerate([(ids[0], D(2025, 3, 1)), (ids[1], D(2025, 8, 1))]):
            photo = tmp_path / f"p{n}.jpg"
            PILImage.new("RGB", (640, 480), (90, 140, 200)).save(photo, "JPEG")
            add_attachment(s, db.attachments, "sign_board", board, photo)
        for att, taken in zip(s.scalars(select(m.Attachment).order_by(m.Attachment.id)), (D(2025, 3, 1), D(2025, 8, 1))):
            att.taken_at = dt.datetime.combine(taken, dt.time(9))
        s.commit()
        pages = make(s, "board-photos", tmp_path / "photos.pdf", as_of=D(2025, 6, 30), attachments=db.attachments).pages
    text = pdftext(tmp_path / "photos.pdf")
    assert pages == 1 and "河长公示牌照片" in text and "有照片1块，无照片2块" in text
    assert "GSP-001河QX01" in text.replace("　", "") and "拍摄：2025年3月1日" in text
    assert "无照片的公示牌（2块）：GSP-002、GSP-003" in text       # GSP-002's photo was taken later
    images = subprocess.run(["pdfimages", "-list", str(tmp_path / "photos.pdf")], capture_output=True, text=True).stdout
    assert len([line for line in images.splitlines()[2:] if line.strip()]) == 1   # one picture: the known photo
    from hzdesk.reports.kinds import BINDER_PARTS
    assert "board-photos" in [k.key for k in BINDER_PARTS]


def test_matplotlib_font_list_is_made_once_per_pc_in_hzdesk_cache(tmp_path):
    """#19: matplotlib reads every font on the PC to make its font list (0.33 s for 126 fonts
    here). The bundle's PyInstaller hook gave it a new, empty folder at every start, so each
    chart paid for it again. The list is kept in hzdesk's cache folder: a second program start
    reads it, and does not make it again. A folder the user chose (MPLCONFIGDIR) is kept."""
    import os
    import subprocess
    import sys

    code = ("import os, time, matplotlib\n"
            "from hzdesk.reports.charts import category_chart\n"
            "category_chart({'垃圾': 3, '排污': 1})\n"
            "print(matplotlib.get_cachedir())")
    env = {k: v for k, v in os.environ.items() if k != "MPLCONFIGDIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")

    def start(**more):
        out = subprocess.run([sys.executable, "-c", code], env={**env, **more}, capture_output=True, text=True,
                             timeout=120)
        assert out.returncode == 0, out.stderr[-800:]
        return out.stdout.strip().splitlines()[-1]

    kept = tmp_path / "cache" / "hzdesk" / "matplotlib"
    assert start() == str(kept)
    [font_list] = kept.glob("fontlist-*.json")
    made = font_list.stat().st_mtime_ns
    os.utime(font_list, ns=(made - 10**9, made - 10**9))
    assert start() == str(kept)
    assert font_list.stat().st_mtime_ns == made - 10**9   # read, not made again
    assert start(MPLCONFIGDIR=str(tmp_path / "own")) == str(tmp_path / "own")
