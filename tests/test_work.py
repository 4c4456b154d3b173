"""工作记录 (#16 point 3): the office's own work, its quantities, and the same figures on every surface."""

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import func, select

from hzdesk.db import models as m
from hzdesk.db.engine import open_database
from hzdesk.errors import ValidationError
from hzdesk.parsing import ParseError, format_amounts, parse_amounts
from hzdesk.reports.excel_export import write_workbook
from hzdesk.reports.excel_import import import_workbook
from hzdesk.reports.pdf.ledgers import build
from hzdesk.services import records, workflow
from hzdesk.services.stats import period_stats, summary_text

KINDS = ["宣传材料(份)", "清理垃圾(吨)", "打捞漂浮物(吨)", "拆除违建(处)", "拆除违建(㎡)", "清淤(m³)", "查处案件(起)"]
YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


@pytest.mark.parametrize("typed, stored", [
    ("清理垃圾(吨) 3.5；宣传材料(份) 200", {"清理垃圾(吨)": 3.5, "宣传材料(份)": 200.0}),
    ("清理垃圾（吨）３.５", {"清理垃圾(吨)": 3.5}),                      # full-width, as an IME types it
    ("清理垃圾 3.5吨; 清淤 120m³", {"清理垃圾(吨)": 3.5, "清淤(m³)": 120.0}),   # the unit after the number
    ("查处案件 2", {"查处案件(起)": 2.0}),                              # one kind of that name: no unit needed
    ("拆除违建(㎡) 140\n拆除违建(处) 2", {"拆除违建(㎡)": 140.0, "拆除违建(处)": 2.0}),
    ({"清理垃圾(吨)": "1.5", "清淤(m³)": ""}, {"清理垃圾(吨)": 1.5}),     # the form's boxes, one left empty
    ("", None),
])
def test_quantities_are_read_the_way_clerks_write_them(typed, stored):
    got = parse_amounts(typed, KINDS)
    assert got == stored
    if got:   # and they read back the same way they are written on every surface
        assert parse_amounts(format_amounts(got), KINDS) == got


@pytest.mark.parametrize("typed, reason", [
    ("拆除违建 3", "请注明单位"),          # 处 or ㎡?
    ("植树(棵) 30", "没有工作量“植树"),
    ("清理垃圾(吨) -2", "不能小于 0"),
    ("清理垃圾(吨) 1；清理垃圾 2吨", "写了两次"),
    ("清理垃圾", "应写成“数量名称 数值”"),
])
def test_a_wrong_quantity_says_why(typed, reason):
    with pytest.raises(ParseError, match=reason):
        parse_amounts(typed, KINDS)


def _record(session, day, kind, title, **extra):
    return records.create(session, "work_record", {"held_on": day, "kind": kind, "title": title, **extra})


def test_work_is_counted_by_kind_and_quantity_for_a_period_as_of_a_day(session, river):
    _record(session, "2025-03-05", "河长会议/工作调度", "3月调度会", participants="30")
    _record(session, "2025-04-10", "河道保洁", "清溪河保洁", quantities="清理垃圾(吨) 2.5；打捞漂浮物(吨) 0.4",
            participants=12)
    _record(session, "2025-06-20", "河道保洁", "清溪河保洁", quantities={"清理垃圾(吨)": "1.5"})
    _record(session, "2024-12-30", "河道保洁", "去年的保洁", quantities="清理垃圾(吨) 9")
    # a 督办单 this program prints is a 督办 record by itself: it is signed on the 交办 day
    p = records.create(session, "problem", {"found_on": "2025-02-01", "water_body_id": river.id,
                                            "source": "群众举报", "category": "乱堆", "description": "岸边堆土"})
    workflow.move(session, p.id, "交办", on_date=dt.date(2025, 2, 3), responsible_unit="镇水利站",
                  deadline="2025-03-01")
    _record(session, "2025-05-01", "督办函/督查专报", "督办函")
    session.commit()

    work = period_stats(session, *YEAR, dt.date(2025, 12, 31))["work"]
    assert work["by_kind"] == {"河长会议/工作调度": 1, "督办函/督查专报": 2, "河道保洁": 2}   # in the list's order
    assert work["quantities"] == {"清理垃圾(吨)": 4.0, "打捞漂浮物(吨)": 0.4}
    assert work["participants"] == 42 and work["supervision_sheets"] == 1 and work["records"] == 4

    # as of a day in May: June's cleaning has not happened yet, and a past report does not change
    may = period_stats(session, *YEAR, dt.date(2025, 5, 31))["work"]
    assert may["quantities"] == {"清理垃圾(吨)": 2.5, "打捞漂浮物(吨)": 0.4} and may["records"] == 3
    assert "【工作记录】" in summary_text(period_stats(session, *YEAR, dt.date(2025, 12, 31)))
    # an empty period says nothing rather than zeros
    empty = period_stats(session, dt.date(2023, 1, 1), dt.date(2023, 12, 31), dt.date(2023, 12, 31))
    assert empty["work"] == {"records": 0, "by_kind": {}, "quantities": {}, "participants": 0, "supervision_sheets": 0}
    assert "【工作记录】" not in summary_text(empty)


def test_a_bad_work_record_is_refused_with_every_reason(session):
    with pytest.raises(ValidationError) as caught:
        _record(session, "2025-02-30", "开会", "", quantities="植树(棵) 3", participants="-1")
    errors = caught.value.errors
    assert set(errors) == {"held_on", "kind", "title", "quantities", "participants"}
    assert "不在可选范围内" in errors["kind"] and "没有工作量" in errors["quantities"]
    session.rollback()
    assert session.scalar(select(func.count()).select_from(m.WorkRecord)) == 0


def test_the_quantity_list_is_the_offices_own(session):
    from hzdesk.services.settings import add_choice

    add_choice(session, "work_quantity", "植树(棵)")
    r = _record(session, "2025-03-12", "专项行动/联合执法", "植树节护河", quantities="植树 300棵")
    assert r.quantities == {"植树(棵)": 300.0}


def test_work_records_travel_through_the_county_workbook_and_print_the_same_totals(session, river, tmp_path):
    _record(session, "2025-04-10", "河道保洁", "清溪河保洁", doc_number="清河〔2025〕3号", water_bodies="清溪河",
            participants=12, quantities="清理垃圾(吨) 2.5；拆除违建(㎡) 140", content="清理岸坡垃圾")
    _record(session, "2025-05-08", "宣传活动", "进村宣传", quantities="宣传材料(份) 300")
    session.commit()
    path = tmp_path / "county.xlsx"
    write_workbook(path, session)
    sheet = openpyxl.load_workbook(path)["工作记录"]
    rows = list(sheet.values)
    assert rows[0][:3] == ("日期", "工作类型", "标题")
    assert "清理垃圾(吨) 2.5；拆除违建(㎡) 140" in rows[1]

    other = open_database(tmp_path / "other.db")
    try:
        with other.session() as s:
            result = import_workbook(s, path)
            assert result.ok and result.written and result.added["工作记录"] == 2
            assert period_stats(s, *YEAR, YEAR[1])["work"] == period_stats(session, *YEAR, YEAR[1])["work"]
        with other.session() as s:   # importing the same file again adds nothing
            again = import_workbook(s, path)
            assert again.ok and again.unchanged["工作记录"] == 2 and not again.added.get("工作记录")
    finally:
        other.close()

    doc = build(session, "work", period=YEAR, as_of=YEAR[1])
    assert len(doc.rows) == 2 and "清理垃圾(吨) 2.5" in doc.note and "宣传材料(份) 300" in doc.note
    assert "工作记录 2 条" in doc.subtitle
