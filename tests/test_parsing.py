import datetime as dt

import pytest

from hzdesk.parsing import ParseError, parse_bool, parse_date, parse_float, parse_phone, parse_time
from hzdesk.periods import parse_period, window_of, windows
from hzdesk.vocab import PeriodUnit, parse_water_class

D = dt.date


@pytest.mark.parametrize("text", ["2025-03-05", "2025/3/5", "2025.3.5", "2025年3月5日", "20250305",
                                  "２０２５-０３-０５", " 2025-3-5 ", 45721, "45721"])
def test_every_date_form_clerks_type(text):
    assert parse_date(text) == D(2025, 3, 5)


@pytest.mark.parametrize("text,reason", [("2025-02-29", "没有"), ("3月5日", "看不懂"), ("明天", "看不懂"),
                                         ("2025-13-01", "没有")])
def test_bad_dates_say_why(text, reason):
    with pytest.raises(ParseError, match=reason):
        parse_date(text)


@pytest.mark.parametrize("text,expected", [("8:30", dt.time(8, 30)), ("08：05", dt.time(8, 5)),
                                           ("14点", dt.time(14, 0)), ("9点半", dt.time(9, 30)),
                                           (0.5, dt.time(12, 0))])
def test_times(text, expected):
    assert parse_time(text) == expected


def test_bad_time():
    with pytest.raises(ParseError, match="没有"):
        parse_time("25:00")


@pytest.mark.parametrize("text,expected", [("3", "Ⅲ"), ("III", "Ⅲ"), ("Ⅲ类", "Ⅲ"), ("iv", "Ⅳ"),
                                           ("劣Ⅴ", "劣Ⅴ"), ("劣5类", "劣Ⅴ"), ("劣V", "劣Ⅴ"),
                                           ("6", None), ("劣3", None), ("好", None)])
def test_water_classes(text, expected):
    assert parse_water_class(text) == expected


def test_numbers_bools_phones():
    assert parse_float("１２.５") == 12.5
    with pytest.raises(ParseError, match="不能小于"):
        parse_float("-1", minimum=0)
    with pytest.raises(ParseError, match="不是数字"):
        parse_float("十二")
    assert parse_bool("是") is True and parse_bool("否") is False and parse_bool("√") is True
    assert parse_phone(13800138000.0) == "13800138000"
    assert parse_phone("0731-5551234") == "0731-5551234"
    with pytest.raises(ParseError, match="格式不对"):
        parse_phone("138abc")


@pytest.mark.parametrize("day,expected", [
    (D(2025, 3, 10), (D(2025, 3, 1), D(2025, 3, 10))),
    (D(2025, 3, 11), (D(2025, 3, 11), D(2025, 3, 20))),
    (D(2025, 2, 21), (D(2025, 2, 21), D(2025, 2, 28))),
    (D(2024, 2, 29), (D(2024, 2, 21), D(2024, 2, 29))),
    (D(2025, 3, 31), (D(2025, 3, 21), D(2025, 3, 31))),
])
def test_xun_windows_at_month_edges(day, expected):
    assert window_of(PeriodUnit.XUN, day) == expected


def test_iso_weeks_cross_month_and_year_edges():
    assert window_of(PeriodUnit.WEEK, D(2025, 1, 1)) == (D(2024, 12, 30), D(2025, 1, 5))
    assert list(windows(PeriodUnit.WEEK, D(2025, 3, 1), D(2025, 3, 31)))[0] == (D(2025, 2, 24), D(2025, 3, 2))
    assert len(list(windows(PeriodUnit.XUN, D(2025, 1, 1), D(2025, 12, 31)))) == 36
    assert window_of(PeriodUnit.QUARTER, D(2025, 8, 15)) == (D(2025, 7, 1), D(2025, 9, 30))


@pytest.mark.parametrize("text,expected", [
    ("2025-03", (D(2025, 3, 1), D(2025, 3, 31))), ("2025Q1", (D(2025, 1, 1), D(2025, 3, 31))),
    ("2025", (D(2025, 1, 1), D(2025, 12, 31))),
    ("2025-03-01..2025-03-15", (D(2025, 3, 1), D(2025, 3, 15)))])
def test_periods(text, expected):
    assert parse_period(text) == expected


def test_bad_period():
    with pytest.raises(ParseError):
        parse_period("三月")


@pytest.mark.parametrize("typed,expected", [("11.9", "2026-11-09"), ("11-9", "2026-11-09"), ("11/9", "2026-11-09"),
                                            ("11月9日", "2026-11-09"), ("12.30", "2025-12-30"),
                                            ("2025-3-5", "2025-3-5"), ("2.30", "2.30")])
def test_this_years_shorthand_dates(typed, expected):
    from hzdesk.parsing import expand_short_date
    assert expand_short_date(typed, dt.date(2026, 11, 29)) == expected


@pytest.mark.parametrize("typed,expected", [("830", dt.time(8, 30)), ("8.30", dt.time(8, 30)),
                                            ("1430", dt.time(14, 30)), ("8点半", dt.time(8, 30))])
def test_shorthand_times(typed, expected):
    from hzdesk.parsing import parse_time
    assert parse_time(typed) == expected


def test_numbers_as_clerks_type_them():
    """#14: "1,5" was read as 15; "1.5公里" and "1。5" were refused."""
    from hzdesk.parsing import ParseError, parse_float

    km = ("公里", "千米", "km")
    assert parse_float("1.5公里", units=km) == 1.5 and parse_float("2 km", units=km) == 2.0
    assert parse_float("1。5") == 1.5 and parse_float("1,234.5") == 1234.5 and parse_float("１２") == 12
    for ambiguous in ("1,5", "1，5", "12,34"):
        with pytest.raises(ParseError, match="有歧义"):
            parse_float(ambiguous)
    with pytest.raises(ParseError, match="不是数字"):
        parse_float("1.5公里")          # a unit only where the field has it


def test_phones_and_names_normalised():
    from hzdesk.parsing import compact_name, parse_phone, phone_key

    assert parse_phone("138-0013-8000") == parse_phone("138 0013 8000") == parse_phone("+86 13800138000") == "13800138000"
    assert parse_phone("0731-1234567") == "0731-1234567" and phone_key("0731-1234567") == "07311234567"
    assert compact_name("李　堃") == "李堃" and compact_name(" 欧阳 淼 ") == "欧阳淼"
    assert compact_name("John  Smith") == "John Smith"


def test_periods_read_as_a_sentence():
    import datetime as dt

    from hzdesk.parsing import date_range_cn
    assert date_range_cn(dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == "2025年1月1日至12月31日"
    assert date_range_cn(dt.date(2024, 10, 1), dt.date(2025, 3, 31)) == "2024年10月1日至2025年3月31日"
