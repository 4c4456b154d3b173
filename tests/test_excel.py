"""The county workbook: export, import back, every accepted form, every error, hostile files."""

import datetime as dt
import sqlite3
import time
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select

from hzdesk.db import models as m
from hzdesk.db.engine import open_database
from hzdesk.demo import DemoOptions, load_demo
from hzdesk.reports.excel_export import write_workbook
from hzdesk.reports.error_workbook import write_error_workbook
from hzdesk.reports.excel_import import ImportRefused, import_workbook
from hzdesk.reports.excel_template import write_template
from hzdesk.reports.sheets import SHEETS

UNTIL = dt.date(2025, 6, 30)

REQUIRED_HEADERS = {
    "河湖名录": "编码, 名称, 类型, 上级编码, 级别, 长度(km), 流域面积(km²), 起点, 终点, 流经村, 水质目标, 管护目标, 备注",
    "人员名录": "姓名, 性别, 单位, 职务, 电话, 备注",
    "河长任职": "姓名, 电话, 河湖编码, 角色, 级别, 任职日期, 离任日期, 任命文号",
    "公示牌": "编号, 河湖编码, 位置, 所在村, 经度, 纬度, 设立日期, 状况, 牌面河长, 监督电话, 最近检查日期",
    "巡河记录": "巡河日期, 河湖编码, 巡河人, 巡河人电话, 开始时间, 结束时间, 里程(km), 天气, 同行人员, 巡河情况, 发现问题, 现场处理, 录入日期",
    "问题台账": "问题编号, 发现日期, 河湖编码, 问题来源, 问题类别, 问题描述, 发现人, 责任单位, 责任人, 整改时限, 状态, "
                "整改措施, 整改完成日期, 验收人, 验收日期, 销号日期",
}


def sheets_of(path):
    wb = openpyxl.load_workbook(path, read_only=True)
    out = {name: [tuple(r) for r in wb[name].iter_rows(values_only=True)] for name in wb.sheetnames}
    wb.close()
    return out


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("excel")
    db = open_database(folder / "source.db")
    load_demo(db, DemoOptions(scale="small", seed=5, until=UNTIL))
    with db.session() as s:
        write_workbook(folder / "out.xlsx", s)
    db.close()
    return folder / "out.xlsx"


def count(db, model):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_standard_sheets_and_headers(exported):
    wb = openpyxl.load_workbook(exported)
    for name, headers in REQUIRED_HEADERS.items():
        ws = wb[name]
        row = [c.value for c in ws[1]]
        for h in headers.split(", "):
            assert h in row, (name, h)
        assert ws.freeze_panes == "A2"
    patrols = wb["巡河记录"]
    date_cell = patrols["A2"]
    assert isinstance(date_cell.value, dt.datetime) and date_cell.number_format == "yyyy-mm-dd"
    head = [c.value for c in patrols[1]]
    phone = patrols.cell(row=2, column=head.index("巡河人电话") + 1)
    assert phone.data_type == "s" and phone.value.isdigit()
    # #14: names beside codes, real times, filters, printed landscape and fitted to the width,
    # and a 说明 sheet saying who sent it for which period
    assert head[head.index("河湖编码") + 1] == "河湖名称" and patrols.cell(row=2, column=head.index("河湖名称") + 1).value
    start = patrols.cell(row=2, column=head.index("开始时间") + 1)
    assert isinstance(start.value, dt.time) and start.number_format == "h:mm"
    assert patrols.auto_filter.ref and patrols.page_setup.orientation == "landscape"
    assert patrols.sheet_properties.pageSetUpPr.fitToPage and patrols.print_title_rows == "$1:$1"
    about = {r[0]: r[1] for r in wb["说明"].iter_rows(min_row=2, values_only=True)}
    assert about["填报单位"] == "清溪镇河长制办公室" and about["统计期间"] == "全部记录" and "hzdesk" in about["程序版本"]


def test_export_import_export_gives_the_same_sheets(exported, tmp_path):
    db = open_database(tmp_path / "copy.db")
    with db.session() as s:
        result = import_workbook(s, exported)
    assert result.ok and result.written, [i.line() for i in result.issues[:5]]
    with db.session() as s:
        write_workbook(tmp_path / "again.xlsx", s)
        from hzdesk.services.check import check_database
        assert check_database(s).ok
    first, again = sheets_of(exported), sheets_of(tmp_path / "again.xlsx")
    counted = lambda book: [r for r in book.pop("说明") if str(r[0]).endswith("（条）")]  # noqa: E731
    assert counted(first) == counted(again) and first == again   # 说明's time and office aside
    db.close()


def workbook(path, sheet, headers, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(headers)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


@pytest.fixture
def base_db(db):
    with db.session() as s, s.begin():
        s.add(m.WaterBody(code="XJ001", name="清溪河", kind="河流", level="县级"))
        s.add(m.Person(name="张建国", phone="13800138000"))
        s.add(m.Person(name="李玥", phone="13900139000"))
        s.add(m.Person(name="李玥", phone="13700137000"))
    return db


PATROL_HEADERS = ["巡河日期", "河湖编码", "巡河人", "巡河人电话", "开始时间", "结束时间", "录入日期"]


@pytest.mark.parametrize("value", [dt.datetime(2025, 3, 5), 45721, "2025-03-05", "2025/3/5", "2025.3.5",
                                   "2025年3月5日", "20250305", " 2025-03-05 "])
def test_every_accepted_date_form(base_db, tmp_path, value):
    path = workbook(tmp_path / "d.xlsx", "巡河记录", PATROL_HEADERS,
                    [[value, "XJ001", "张建国", None, "8:00", "9:00", None]])
    with base_db.session() as s:
        result = import_workbook(s, path)
    assert result.ok, [i.line() for i in result.issues]
    with base_db.session() as s:
        assert s.scalar(select(m.Patrol.patrol_date)) == dt.date(2025, 3, 5)


def test_headers_in_any_order_blank_rows_spaces_and_phone_numbers(base_db, tmp_path):
    path = workbook(tmp_path / "o.xlsx", "巡河记录", ["巡河人电话", "巡河人", "河湖编码", "巡河日期", "备注"],
                    [[13900139000, " 李玥 ", "XJ001 ", "2025-03-05", None], [None, None, None, None, None],
                     ["13700137000", "李玥", "XJ001", "2025-03-06", "  "]])
    with base_db.session() as s:
        result = import_workbook(s, path)
    assert result.ok and result.counts["巡河记录"] == 2
    with base_db.session() as s:
        phones = s.execute(select(m.Person.phone).join(m.Patrol, m.Patrol.person_id == m.Person.id)
                           .order_by(m.Patrol.patrol_date)).scalars().all()
    assert phones == ["13900139000", "13700137000"]


def test_any_error_writes_nothing_and_every_problem_is_listed(base_db, tmp_path):
    rows = [
        ["2025-03-05", "XJ001", "张建国", None, "8:00", "9:00", None],   # fine
        ["2025-02-30", "XJ001", "张建国", None, None, None, None],        # row 3: no such day
        ["2025-03-05", "XJ999", "张建国", None, None, None, None],        # row 4: unknown code
        ["2025-03-05", "XJ001", "王五", None, None, None, None],          # row 5: unknown person
        ["2025-03-05", "XJ001", "李玥", None, None, None, None],          # row 6: namesake, no phone
        ["2025-03-05", "XJ001", "张建国", None, "9:00", "8:00", None],    # row 7: ends before start
        ["2025-03-05", "XJ001", "张建国", None, None, None, "2025-03-01"],  # row 8: entered before
    ]
    audit_before = count(base_db, m.AuditEntry)
    path = workbook(tmp_path / "bad.xlsx", "巡河记录", PATROL_HEADERS, rows)
    with base_db.session() as s:
        result = import_workbook(s, path)
    assert not result.ok and not result.written
    got = {(i.row, i.column): i.reason for i in result.issues}
    assert got[(3, "巡河日期")] == "没有“2025-02-30”这一天"
    assert "找不到" in got[(4, "河湖编码")]
    assert "不在人员名录中" in got[(5, "巡河人")]
    assert "请填写电话以区分" in got[(6, "巡河人")]
    assert got[(7, "结束时间")] == "结束时间应晚于开始时间"
    assert got[(8, "录入日期")] == "录入日期不能早于巡河日期"
    assert count(base_db, m.Patrol) == 0 and count(base_db, m.AuditEntry) == audit_before

    errors = tmp_path / "errors.xlsx"
    write_error_workbook(errors, result)
    wb = openpyxl.load_workbook(errors)
    assert wb.sheetnames == ["错误清单", "巡河记录"]
    assert wb["错误清单"].max_row == len(result.issues) + 1
    fixed_sheet = wb["巡河记录"]
    assert fixed_sheet.cell(row=1, column=len(PATROL_HEADERS) + 1).value == "错误说明"
    assert "没有“2025-02-30”这一天" in fixed_sheet.cell(row=3, column=len(PATROL_HEADERS) + 1).value
    # #14: every bad cell is marked, the rest of the workbook is all there; corrected in place,
    # the same file imports.
    assert fixed_sheet["A3"].fill.fgColor.rgb == "FFFBD5D5" and fixed_sheet["B3"].fill.fgColor.rgb != "FFFBD5D5"
    assert fixed_sheet["B4"].fill.fgColor.rgb == "FFFBD5D5" and fixed_sheet.max_row == len(rows) + 1
    fixed_sheet["A3"], fixed_sheet["B4"], fixed_sheet["C5"] = "2025-03-06", "XJ001", "张建国"
    fixed_sheet["D6"], fixed_sheet["E7"], fixed_sheet["G8"] = "13900139000", "7:00", None
    wb.save(errors)
    with base_db.session() as s:
        again = import_workbook(s, errors)
    assert again.ok and again.written and count(base_db, m.Patrol) == len(rows)
    assert any("错误说明" in n for n in again.notices)


def test_the_collectors_pace_is_restored_after_an_import_that_stops(base_db, tmp_path):
    """An import collects garbage less often while it runs (a large one 54 → 50 s); whatever
    ends it, the program afterwards collects as before."""
    import gc

    path = workbook(tmp_path / "ok.xlsx", "巡河记录", PATROL_HEADERS, [["2025-03-05", "XJ001", "张建国"] + [None] * 4] * 1000)
    before = gc.get_threshold()
    paces = []

    def stop():
        paces.append(gc.get_threshold()[0])
        return True
    with base_db.session() as s, pytest.raises(Exception, match="已取消导入"):
        import_workbook(s, path, should_stop=stop)
    assert paces == [2000] and gc.get_threshold() == before


def test_duplicates_in_the_file_are_listed_and_rows_already_held_update(base_db, tmp_path):
    # A row repeating within the file is refused; a row the database already holds (same code,
    # or same name and phone) updates it — identical rows are left alone (#13: re-importing the
    # program's own export gave 258 "已被使用" errors).
    people = workbook(tmp_path / "p.xlsx", "人员名录", ["姓名", "电话"],
                      [["王芳", "13600136000"], ["张建国", "13800138000"], ["王芳", "13600136000"],
                       ["王芳", "13500135000"]])
    with base_db.session() as s:
        result = import_workbook(s, people)
    assert [(i.row, i.reason) for i in result.issues] == [(4, "已有同名同电话的人员“王芳”，请勿重复登记")]
    assert result.unchanged == {"人员名录": 1}
    rivers = workbook(tmp_path / "w.xlsx", "河湖名录", ["编码", "名称", "类型", "级别"],
                      [["XJ002", "东河", "河流", "乡级"], ["XJ001", "清溪河（改名）", "河流", "县级"],
                       ["XJ002", "又一条", "河流", "乡级"]])
    with base_db.session() as s:
        result = import_workbook(s, rivers)
    assert [(i.row, i.column, i.reason) for i in result.issues] == [(4, "编码", "编码“XJ002”已被使用")]
    assert count(base_db, m.Person) == 3 and count(base_db, m.WaterBody) == 1   # nothing written
    rivers = workbook(tmp_path / "w2.xlsx", "河湖名录", ["编码", "名称", "类型", "级别"],
                      [["XJ002", "东河", "河流", "乡级"], ["XJ001", "清溪河（改名）", "河流", "县级"]])
    with base_db.session() as s:
        dry = import_workbook(s, rivers, dry_run=True)
    assert (dry.added, dry.updated) == ({"河湖名录": 1}, {"河湖名录": 1})
    assert dry.changes == [("河湖名录", 3, "名称", "清溪河", "清溪河（改名）")]
    with base_db.session() as s:
        assert import_workbook(s, rivers).ok
    with base_db.session() as s:
        assert s.scalar(select(m.WaterBody.name).where(m.WaterBody.code == "XJ001")) == "清溪河（改名）"
        assert "bulk_keys" not in s.info   # outside an import the same rules query the database


def test_the_programs_own_export_imports_back_unchanged(tmp_path):
    db = open_database(tmp_path / "demo.db")
    load_demo(db, DemoOptions(scale="small", seed=3, until=dt.date(2025, 6, 30)))
    with db.session() as s:
        write_workbook(tmp_path / "out.xlsx", s)
    with db.session() as s:
        result = import_workbook(s, tmp_path / "out.xlsx", dry_run=True)
    assert result.ok, [i.line() for i in result.issues[:5]]
    assert result.added == {} and result.updated == {}, (result.added, result.updated, result.changes[:5])
    assert sum(result.unchanged.values()) == sum(result.counts.values())
    db.close()


def test_missing_required_column_and_unknown_choice(base_db, tmp_path):
    path = workbook(tmp_path / "c.xlsx", "问题台账", ["发现日期", "河湖编码", "问题来源", "问题描述"],
                    [["2025-03-05", "XJ001", "飞碟", "垃圾"]])
    with base_db.session() as s:
        result = import_workbook(s, path)
    assert [(i.row, i.column, i.reason) for i in result.issues] == [(1, "问题类别", "缺少必需的列")]
    path = workbook(tmp_path / "c2.xlsx", "问题台账", ["发现日期", "河湖编码", "问题来源", "问题类别", "问题描述", "状态"],
                    [["2025-03-05", "XJ001", "飞碟", "生活垃圾", "垃圾", "已销号"]])
    with base_db.session() as s:
        result = import_workbook(s, path)
    got = {i.column: i.reason for i in result.issues}
    assert "不在可选范围内" in got["问题来源"] and "群众举报" in got["问题来源"]
    assert got["销号日期"] == "已销号的问题必须有销号日期"


def test_problems_keep_their_number_state_and_a_history(base_db, tmp_path):
    headers = ["问题编号", "发现日期", "河湖编码", "问题来源", "问题类别", "问题描述", "状态", "验收人", "验收日期", "销号日期"]
    path = workbook(tmp_path / "p.xlsx", "问题台账", headers, [
        ["WT-2024-017", "2024-05-01", "XJ001", "群众举报", "乱堆", "堆放砂石", "已销号", "李站长", "2024-05-20", "2024-05-20"],
        [None, "2025-01-02", "XJ001", "暗访", "乱建", "违建", None, None, None, None]])
    with base_db.session() as s:
        assert import_workbook(s, path).ok
    with base_db.session() as s:
        closed, new = s.scalars(select(m.Problem).order_by(m.Problem.found_on)).all()
        assert (closed.number, closed.state.value, closed.closed_on) == ("WT-2024-017", "已销号", dt.date(2024, 5, 20))
        assert [(e.action, e.on_date) for e in closed.events] == [("登记", dt.date(2024, 5, 1)),
                                                                  ("销号", dt.date(2024, 5, 20))]
        assert new.number == "WT-2025-001" and new.state.value == "待交办"


def test_numbers_given_and_numbers_made_in_one_import_never_collide(base_db, tmp_path):
    """The import remembers the year's highest number instead of reading every number for each
    new problem (20,000 problems were quadratic); a number the sheet gives moves it on."""
    headers = ["问题编号", "发现日期", "河湖编码", "问题来源", "问题类别", "问题描述"]
    path = workbook(tmp_path / "n.xlsx", "问题台账", headers, [
        [None, "2025-01-02", "XJ001", "暗访", "乱堆", "一"],
        ["WT-2025-007", "2025-01-03", "XJ001", "暗访", "乱堆", "二"],
        [None, "2025-01-04", "XJ001", "暗访", "乱堆", "三"],
        [None, "2024-06-01", "XJ001", "暗访", "乱堆", "四"]])
    with base_db.session() as s:
        assert import_workbook(s, path).ok
    with base_db.session() as s:
        numbers = dict(s.execute(select(m.Problem.description, m.Problem.number)).all())
    assert numbers == {"一": "WT-2025-001", "二": "WT-2025-007", "三": "WT-2025-008", "四": "WT-2024-001"}
    # a number given twice in one workbook, or given after the import made it, is refused by row
    path = workbook(tmp_path / "n2.xlsx", "问题台账", headers, [
        [None, "2025-02-01", "XJ001", "暗访", "乱堆", "五"],            # made: WT-2025-009
        ["WT-2025-009", "2025-02-02", "XJ001", "暗访", "乱堆", "六"],
        ["WT-2025-050", "2025-02-03", "XJ001", "暗访", "乱堆", "七"],
        ["WT-2025-050", "2025-02-04", "XJ001", "暗访", "乱堆", "八"]])
    with base_db.session() as s:
        result = import_workbook(s, path)
    assert [(i.row, i.column) for i in result.issues] == [(3, "问题编号"), (5, "问题编号")]


def test_imported_workflow_dates_become_dated_moves(base_db, tmp_path):
    """#12 point 3: put right on 03-04 before its 03-05 deadline and closed on 03-20, a problem
    is 待验收 — not overdue — on 03-10; 交办, 挂账 and 退回次数 travel both ways."""
    from hzdesk.services.stats import states_as_of
    from hzdesk.services.rules import is_overdue

    headers = ["问题编号", "发现日期", "河湖编码", "问题来源", "问题类别", "问题描述", "责任单位", "整改时限",
               "交办日期", "挂账日期", "退回次数", "状态", "整改完成日期", "验收人", "验收日期", "销号日期"]
    path = workbook(tmp_path / "p.xlsx", "问题台账", headers, [
        ["WT-2025-101", "2025-03-01", "XJ001", "暗访", "乱堆", "堆放", "村委会", "2025-03-05",
         None, None, None, "已销号", "2025-03-04", "李站长", "2025-03-20", "2025-03-20"],
        ["WT-2025-102", "2025-03-01", "XJ001", "暗访", "乱建", "违建", "镇执法队", "2025-12-31",
         "2025-03-02", "2025-04-01", None, "挂账", None, None, None, None],
        ["WT-2025-103", "2025-03-01", "XJ001", "暗访", "乱采", "采砂", "镇执法队", "2025-03-31",
         "2025-03-03", None, 2, "整改中", None, None, None, None],
        ["WT-2025-104", "2025-03-10", "XJ001", "暗访", "乱采", "采砂", "镇执法队", "2025-03-31",
         "2025-03-09", None, None, "整改中", None, None, None, None]])   # 交办 before it was found
    with base_db.session() as s:
        result = import_workbook(s, path)
    assert [(i.row, i.column, i.reason) for i in result.issues] == [(5, "交办日期", "不能早于发现日期")]
    path = workbook(tmp_path / "p2.xlsx", "问题台账", headers, [r for r in [
        ["WT-2025-101", "2025-03-01", "XJ001", "暗访", "乱堆", "堆放", "村委会", "2025-03-05",
         None, None, None, "已销号", "2025-03-04", "李站长", "2025-03-20", "2025-03-20"],
        ["WT-2025-102", "2025-03-01", "XJ001", "暗访", "乱建", "违建", "镇执法队", "2025-12-31",
         "2025-03-02", "2025-04-01", None, "挂账", None, None, None, None],
        ["WT-2025-103", "2025-03-01", "XJ001", "暗访", "乱采", "采砂", "镇执法队", "2025-03-31",
         "2025-03-03", None, 2, "整改中", None, None, None, None]]])
    with base_db.session() as s:
        assert import_workbook(s, path).ok
    with base_db.session() as s:
        ids = dict(s.execute(select(m.Problem.number, m.Problem.id)).all())
        on_10th = states_as_of(s, dt.date(2025, 3, 10))
        assert on_10th[ids["WT-2025-101"]].value == "待验收"
        assert not is_overdue(on_10th[ids["WT-2025-101"]], dt.date(2025, 3, 5), dt.date(2025, 3, 10))
        assert states_as_of(s, dt.date(2025, 3, 21))[ids["WT-2025-101"]].value == "已销号"
        assert states_as_of(s, dt.date(2025, 3, 15))[ids["WT-2025-102"]].value == "整改中"
        assert states_as_of(s, dt.date(2025, 4, 1))[ids["WT-2025-102"]].value == "挂账"
        p103 = s.get(m.Problem, ids["WT-2025-103"])
        assert [e.action for e in p103.events] == ["登记", "交办", "报告整改完成", "验收不通过",
                                                   "报告整改完成", "验收不通过"]
    out = tmp_path / "back.xlsx"
    with base_db.session() as s:
        write_workbook(out, s)
    sheet = openpyxl.load_workbook(out)["问题台账"]
    head = [c.value for c in sheet[1]]
    rows = {r[head.index("问题编号")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["WT-2025-102"][head.index("交办日期")] == dt.datetime(2025, 3, 2)
    assert rows["WT-2025-102"][head.index("挂账日期")] == dt.datetime(2025, 4, 1)
    assert rows["WT-2025-103"][head.index("退回次数")] == 2


def test_user_text_never_becomes_a_formula(base_db, tmp_path):
    with base_db.session() as s, s.begin():
        s.add(m.Person(name="王强", phone="13600000000", notes="=HYPERLINK(\"http://x\",\"点我\")", unit="+1 单位",
                       post="-副主任", sex=None))
        s.add(m.Person(name="@赵", phone="13500000000"))
    path = tmp_path / "f.xlsx"
    with base_db.session() as s:
        write_workbook(path, s)
    wb = openpyxl.load_workbook(path)
    cells = [c for row in wb["人员名录"].iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    risky = [c for c in cells if c.value.startswith(("=", "+", "-", "@"))]
    assert len(risky) == 4 and all(c.data_type == "s" for c in risky)
    with zipfile.ZipFile(path) as z:
        sheet_xml = next(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet2"))
    assert b"<f>" not in sheet_xml


def test_template_has_every_sheet_and_imports_as_empty(base_db, tmp_path):
    path = tmp_path / "t.xlsx"
    with base_db.session() as s:
        write_template(path, s)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["填写说明"] + [s.name for s in SHEETS]
    assert wb["问题台账"].data_validations.dataValidation  # drop-down lists
    # #16's sheets: their lists drop down too, and the quantities say how they are written
    def listed(sheet, header):
        ws = wb[sheet]
        col = next(c.column_letter for c in ws[1] if c.value == header)
        return [dv.formula1 for dv in ws.data_validations.dataValidation if f"{col}2:" in str(dv.sqref)]
    assert "河长会议/工作调度" in listed("工作记录", "工作类型")[0]
    assert "劣Ⅴ" in listed("监测结果", "水质类别")[0] and "已完成" in listed("一河一策任务", "进展")[0]
    quantities = next(c for c in wb["工作记录"][1] if c.value == "工作量")
    assert "清理垃圾(吨) 3.5" in quantities.comment.text
    with base_db.session() as s:
        result = import_workbook(s, path)
    assert result.ok and sum(result.counts.values()) == 0


@pytest.mark.parametrize("reader", ["fast", "streaming"])
def test_a_sheet_naming_one_known_column_keeps_every_row(base_db, tmp_path, monkeypatch, reader):
    """A 人员名录 of names only: looking for a header that names two columns read the first five
    data rows, and they were dropped without a word (10 rows in, 5 imported)."""
    from hzdesk.reports import xlsx_reader

    if reader == "streaming":
        monkeypatch.setattr(xlsx_reader.Workbook, "fast_rows", lambda self, *a, **k: None)
    path = tmp_path / "names.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "人员名录"
    wb.active.append(["姓名"])
    for i in range(10):
        wb.active.append([f"新人{i}"])
    wb.save(path)
    with base_db.session() as s:
        result = import_workbook(s, path)
        assert result.ok and result.written
        names = set(s.scalars(select(m.Person.name).where(m.Person.name.like("新人%"))))
    assert names == {f"新人{i}" for i in range(10)}


def test_headers_typed_the_clerks_way_are_the_standard_ones(base_db, tmp_path):
    """A township's own sheet: 长度（公里） with full-width brackets, 流域面积（平方公里）, a spaced
    名 称. They were "不是标准列，已忽略", their numbers left out."""
    path = tmp_path / "own.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "河湖名录"
    wb.active.append(["编码", "名 称", "类型", "级别", "长度（公里）", "流域面积（平方公里）"])
    wb.active.append(["XK09", "新开渠", "沟渠", "村级", 3.5, 1.25])
    wb.save(path)
    with base_db.session() as s:
        result = import_workbook(s, path)
        assert result.written and not [n for n in result.notices if "不是标准列" in n], result.notices
        river = s.scalar(select(m.WaterBody).where(m.WaterBody.code == "XK09"))
        assert (river.name, river.length_km, river.area_km2) == ("新开渠", 3.5, 1.25)


def test_cells_in_columns_without_a_header_are_not_dropped_unsaid(base_db, tmp_path):
    path = tmp_path / "notes.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "人员名录"
    wb.active.append(["姓名", None, "单位"])
    wb.active.append(["新人甲", "已调走？", "镇水利站", "见会议纪要"])
    wb.active.append(["新人乙", None, "镇水利站", "见会议纪要"])
    wb.save(path)
    with base_db.session() as s:
        result = import_workbook(s, path, dry_run=True)
    assert result.ok and "“人员名录”第 B、D 列没有列名，其中 3 个单元格的内容没有导入。" in result.notices


def test_a_standard_header_heading_two_columns_is_refused(base_db, tmp_path):
    """Two columns both headed 电话 (one pasted beside the other): the last one was taken and the
    first one's numbers were dropped without a word."""
    path = tmp_path / "twice.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "人员名录"
    wb.active.append(["姓名", "电话", "单位", "电话"])
    wb.active.append(["新人甲", "13800000001", "镇水利站", None])
    wb.save(path)
    before = count(base_db, m.Person)
    with base_db.session() as s:
        result = import_workbook(s, path)
    assert not result.written and [i.line() for i in result.issues] == ["“人员名录”第 1 行“电话”列：第 B、D 列都叫“电话”：请只保留一列"]
    assert count(base_db, m.Person) == before


def test_two_sheets_of_one_name_are_refused(base_db, tmp_path):
    """"人员名录" and "人员名录 " (renamed by hand): the second stood for both, the first one's rows
    dropped without a word."""
    path = tmp_path / "twice.xlsx"
    wb = openpyxl.Workbook()
    for title, who in (("人员名录", "新人甲"), ("人员名录 ", "新人乙")):
        ws = wb.create_sheet(title)
        ws.append(["姓名", "单位"])
        ws.append([who, "镇水利站"])
    del wb["Sheet"]
    wb.save(path)
    refused(base_db, path, "^工作簿中有两张表都叫“人员名录”")


# ---------------------------------------------------------------- hostile files

def refused(db, path, match):
    before = count(db, m.AuditEntry)
    start = time.perf_counter()
    with db.session() as s, pytest.raises(ImportRefused, match=match):
        import_workbook(s, path)
    assert time.perf_counter() - start < 10
    assert count(db, m.AuditEntry) == before


def test_a_renamed_xls_is_refused_with_advice(base_db, tmp_path):
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000)
    refused(base_db, path, "另存为")


def test_not_a_workbook(base_db, tmp_path):
    path = tmp_path / "text.xlsx"
    path.write_text("巡河日期,河湖编码\n2025-03-05,XJ001\n", encoding="utf-8")
    refused(base_db, path, "不是 Excel")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    refused(base_db, broken, "损坏")


def test_a_workbook_cut_short_is_refused_in_chinese(base_db, tmp_path):
    """A sheet whose XML stops half-way (a copy broken off, a damaged USB stick): the clerk read
    "读取工作簿时出错（ParseError）", Python's name for it."""
    whole, cut = tmp_path / "whole.xlsx", tmp_path / "cut.xlsx"
    with base_db.session() as s:
        write_workbook(whole, s)
    with zipfile.ZipFile(whole) as src, zipfile.ZipFile(cut, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info)
            z.writestr(info, data[:len(data) // 2] if info.filename.startswith("xl/worksheets/") else data)
    refused(base_db, cut, "^工作簿的内容读不出来（文件不完整或已损坏），没有导入任何数据。请在 Excel 或 WPS 中打开它")


def test_zip_bomb_is_refused(base_db, tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    refused(base_db, path, "压缩炸弹|过大")


def test_xml_entity_bomb_is_refused(base_db, tmp_path):
    good = tmp_path / "good.xlsx"
    workbook(good, "人员名录", ["姓名"], [["甲"]])
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
    path = tmp_path / "xmlbomb.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                body = text[text.index("<worksheet"):]
                cell = "甲" if "甲" in body else "&#30002;"  # openpyxl may write it as a reference
                assert cell in body
                data = (f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'
                        + body.replace(cell, "&lol9;")).encode()
            dst.writestr(item, data)
    refused(base_db, path, "不安全")


def test_huge_sheet_is_refused(base_db, tmp_path, monkeypatch):
    from hzdesk.reports import workbook_file
    monkeypatch.setattr(workbook_file, "MAX_ROWS", 50)
    path = workbook(tmp_path / "big.xlsx", "人员名录", ["姓名"], [[f"人{i}"] for i in range(60)])
    refused(base_db, path, "超过 50 行")


def test_no_standard_sheet(base_db, tmp_path):
    path = workbook(tmp_path / "other.xlsx", "Sheet1", ["a"], [[1]])
    refused(base_db, path, "没有标准台账表")


def test_dry_run_checks_but_writes_nothing(base_db, tmp_path):
    path = workbook(tmp_path / "ok.xlsx", "巡河记录", PATROL_HEADERS,
                    [["2025-03-05", "XJ001", "张建国", None, "8:00", "9:00", None]])
    with base_db.session() as s:
        result = import_workbook(s, path, dry_run=True)
    assert result.ok and not result.written and count(base_db, m.Patrol) == 0


@pytest.mark.sqlite_only
def test_import_and_export_commands(base_db, tmp_path):
    import subprocess
    import sys
    bad = workbook(tmp_path / "bad.xlsx", "巡河记录", PATROL_HEADERS, [["2025-02-30", "XJ001", "张建国"]])
    r = subprocess.run([sys.executable, "-m", "hzdesk", "--db", str(base_db.path), "import", str(bad)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "“巡河记录”第 2 行“巡河日期”列" in r.stderr
    assert (tmp_path / "bad-错误清单.xlsx").exists()
    out = tmp_path / "export.xlsx"
    r = subprocess.run([sys.executable, "-m", "hzdesk", "--db", str(base_db.path), "export", str(out),
                        "--period", "2025"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and out.exists()
    con = sqlite3.connect(base_db.path)
    assert con.execute("SELECT count(*) FROM patrol").fetchone()[0] == 0
    con.close()


def test_units_a_workbook_names_join_the_list_with_a_notice(base_db, tmp_path):
    """#13 point 7: 责任单位 is a list; a unit the county's workbook names is added to it (and
    said before anything is written), a dry run adds nothing."""
    from hzdesk.services.settings import choices

    headers = ["问题编号", "发现日期", "河湖编码", "问题来源", "问题类别", "问题描述", "责任单位", "整改时限", "状态"]
    path = workbook(tmp_path / "u.xlsx", "问题台账", headers, [
        ["WT-2025-201", "2025-03-01", "XJ001", "暗访", "乱堆", "堆放", "  县水利局  ", "2025-03-05", "整改中"],
        ["WT-2025-202", "2025-03-02", "XJ001", "暗访", "乱堆", "堆放", "县水利局", "2025-03-05", "整改中"]])
    with base_db.session() as s:
        before = choices(s, "unit")
        assert "县水利局" not in before
        dry = import_workbook(s, path, dry_run=True)
    assert dry.ok and any("县水利局" in n and "加入列表" in n for n in dry.notices)
    with base_db.session() as s:
        assert choices(s, "unit") == before
        assert import_workbook(s, path).ok
    with base_db.session() as s:
        assert choices(s, "unit").count("县水利局") == 1
        assert {p.responsible_unit for p in s.scalars(select(m.Problem).where(
            m.Problem.number.in_(["WT-2025-201", "WT-2025-202"])))} == {"县水利局"}


def test_names_phones_and_km_as_clerks_write_them(base_db, tmp_path):
    """#14: "李　玥" with "139-0013-9000" is the 李玥 of 13900139000; "1.5公里" is 1.5; "1,5" is
    asked about, not read as 15."""
    headers = PATROL_HEADERS + ["里程(km)"]
    ok = workbook(tmp_path / "ok.xlsx", "巡河记录", headers, [
        ["2025-03-05", "XJ001", "李　玥", "139-0013-9000", "08:30", "09:30", "2025-03-05", "1.5公里"]])
    with base_db.session() as s:
        result = import_workbook(s, ok)
    assert result.ok and any("空格已去掉" in n for n in result.notices)
    with base_db.session() as s:
        patrol = s.scalar(select(m.Patrol))
        assert patrol.distance_km == 1.5 and s.get(m.Person, patrol.person_id).phone == "13900139000"
    bad = workbook(tmp_path / "bad.xlsx", "巡河记录", headers, [
        ["2025-03-06", "XJ001", "张建国", "13800138000", "08:30", "09:30", "2025-03-06", "1,5"]])
    with base_db.session() as s:
        result = import_workbook(s, bad)
    assert [(i.column, "有歧义" in i.reason) for i in result.issues] == [("里程(km)", True)]


def test_title_rows_above_the_headers_are_skipped(base_db, tmp_path):
    """#14: a title row above the headers gave "第 1 行 缺少必需的列"."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "巡河记录"
    ws.append(["清溪镇2025年3月巡河记录"])
    ws.append(["填报单位：清溪镇河长办", None, None, "填报日期：2025-03-31"])
    ws.append(PATROL_HEADERS)
    ws.append(["2025-03-05", "XJ001", "张建国", None, "8:00", "9:00", None])
    wb.save(tmp_path / "t.xlsx")
    with base_db.session() as s:
        result = import_workbook(s, tmp_path / "t.xlsx")
    assert result.ok and count(base_db, m.Patrol) == 1
    assert any("表头在第 3 行" in n for n in result.notices)


def test_the_error_workbook_holds_no_formula(base_db, tmp_path):
    """#15 point 7: a column headed =HYPERLINK(...) plus a bad row gave a live formula."""
    path = workbook(tmp_path / "f.xlsx", "巡河记录", PATROL_HEADERS + ['=HYPERLINK("http://x","点")'],
                    [["2025-02-30", "XJ001", "张建国", None, None, None, None, "=1+1"]])
    wb = openpyxl.load_workbook(path)
    for ref in ("H1", "H2"):   # typed as text (an apostrophe in Excel), as a hostile sender would
        wb["巡河记录"][ref].data_type = "s"
    wb.save(path)
    with base_db.session() as s:
        result = import_workbook(s, path)
    write_error_workbook(tmp_path / "e.xlsx", result)
    with zipfile.ZipFile(tmp_path / "e.xlsx") as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    sheet = openpyxl.load_workbook(tmp_path / "e.xlsx")["巡河记录"]
    assert sheet["H1"].value.startswith("=HYPERLINK") and sheet["H1"].data_type == "s"


def test_monitoring_results_travel_by_section_name_and_its_water_body(db, tmp_path):
    """#16 point 1: the 监测结果 sheet names a section by its name and its water body's code (two
    rivers may each have a 断面1); the same rows come back and the same 达标率 with them."""
    from hzdesk.services.stats import period_stats

    with db.session() as s, s.begin():
        for code, name in (("XJ001", "清溪河"), ("XJ002", "桐子溪")):
            w = m.WaterBody(code=code, name=name, kind="河流", level="乡级")
            s.add(w)
            s.flush()
            sec = m.MonitoringSection(name="断面1", water_body_id=w.id, control_level="县控", target_class="Ⅲ")
            s.add(sec)
            s.flush()
            s.add(m.MonitoringResult(section_id=sec.id, sampled_on=dt.date(2025, 3, 10),
                                     water_class="Ⅱ" if code == "XJ001" else "Ⅳ", over_limit=None))
    out = tmp_path / "export.xlsx"
    with db.session() as s:
        write_workbook(out, s)
        before = period_stats(s, dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2025, 12, 31))["water_quality"]
    rows = list(openpyxl.load_workbook(out)["监测结果"].values)
    assert rows[0][:4] == ("断面名称", "断面所在河湖编码", "采样日期", "水质类别")
    assert {(r[0], r[1], r[3]) for r in rows[1:]} == {("断面1", "XJ001", "Ⅱ"), ("断面1", "XJ002", "Ⅳ")}

    other = open_database(tmp_path / "other.db")
    try:
        with other.session() as s:
            result = import_workbook(s, out)
            assert result.ok and result.added["监测结果"] == 2
            assert period_stats(s, dt.date(2025, 1, 1), dt.date(2025, 12, 31),
                                dt.date(2025, 12, 31))["water_quality"] == before
    finally:
        other.close()
    # without the water body's code the name alone is ambiguous: said, nothing written
    path = workbook(tmp_path / "bad.xlsx", "监测结果", ["断面名称", "采样日期", "水质类别"], [["断面1", "2025-04-10", "Ⅲ"]])
    with db.session() as s:
        result = import_workbook(s, path)
    assert not result.ok and "断面所在河湖编码" in result.issues[0].reason
    assert count(db, m.MonitoringResult) == 2


def test_plans_and_their_tasks_travel_through_the_workbook(tmp_path):
    """#16 point 2: sheets 一河一策 and 一河一策任务 (a task names its plan by title and water body);
    the same figures after the trip, nothing added by importing the file twice."""
    from hzdesk.services.stats import period_stats

    src = open_database(tmp_path / "src.db")
    load_demo(src, DemoOptions(scale="small", seed=4, until=dt.date(2025, 6, 30)))
    out = tmp_path / "county.xlsx"
    year = (dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2025, 6, 30))
    with src.session() as s:
        write_workbook(out, s)
        plans_before = period_stats(s, *year)["plans"]
    src.close()
    book = openpyxl.load_workbook(out)
    assert [c.value for c in book["一河一策任务"][1]][:3] == ["方案名称", "方案所在河湖编码", "序号"]
    dst = open_database(tmp_path / "dst.db")
    try:
        with dst.session() as s:
            assert import_workbook(s, out).written
            assert period_stats(s, *year)["plans"] == plans_before and plans_before["tasks"]
        with dst.session() as s:
            again = import_workbook(s, out)
            assert again.written and again.unchanged["一河一策任务"] == again.counts["一河一策任务"]
    finally:
        dst.close()


def test_the_overdue_box_of_the_tasks_table_follows_the_rule_of_the_figures(tmp_path):
    from hzdesk.services import records
    from hzdesk.services.plans import overdue_task_count

    db = open_database(tmp_path / "demo.db")
    load_demo(db, DemoOptions(scale="small", seed=4, until=dt.date(2025, 6, 30)))
    try:
        with db.session() as s:
            seen = []
            for day in (dt.date(2024, 1, 1), dt.date(2025, 1, 1), dt.date(2026, 6, 1)):
                listed = records.count_rows(s, "plan_item", records.Query(flags=("overdue",), as_of=day))
                assert listed == overdue_task_count(s, day), day
                seen.append(listed)
            assert any(seen), seen   # the demo has overdue tasks on some of these days
    finally:
        db.close()
