"""Reading values the way clerks type them; every failure is a short Chinese reason.

Shared by the forms, the Excel import and the command line, so "2025/3/5" means the same
everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year bug folded in)


class ParseError(ValueError):
    """The message is the Chinese reason, ready to show next to the field."""


def normalize_text(value) -> str:
    """Full-width digits and letters (from a Chinese IME) become ASCII; spaces trimmed."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel serial number
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ParseError("不是有效的日期")
    t = normalize_text(value)
    m = (re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", t)
         or re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日?", t)
         or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", t))
    if not m:
        if re.fullmatch(r"\d{5}(\.0)?", t):
            return parse_date(int(float(t)))
        raise ParseError(f"日期“{t}”看不懂，请写成 2025-03-05 或 2025年3月5日")
    y, mo, d = (int(x) for x in m.groups())
    try:
        return dt.date(y, mo, d)
    except ValueError:
        raise ParseError(f"没有“{t}”这一天") from None


def expand_short_date(text: str, today: dt.date) -> str:
    """What a clerk types for a date on a paper form of this year — 11.9, 11-9, 11/9, 11月9日 —
    as a full date (the latest such day not after `today`: in January, 12.30 is last year's);
    any other text is returned as it is, for parse_date to judge."""
    t = normalize_text(text)
    m = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})", t) or re.fullmatch(r"(\d{1,2})月(\d{1,2})日?", t)
    if not m:
        return text
    month, day = int(m.group(1)), int(m.group(2))
    for year in (today.year, today.year - 1):
        try:
            d = dt.date(year, month, day)
        except ValueError:
            return text        # no such day: parse_date says so in words
        if d <= today:
            return d.isoformat()
    return text


def parse_time(value) -> dt.time:
    if isinstance(value, dt.datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(microsecond=0)
    if isinstance(value, float) and 0 <= value < 1:  # Excel stores a time as a fraction of a day
        minutes = round(value * 24 * 60)
        return dt.time(minutes // 60 % 24, minutes % 60)
    t = normalize_text(value)
    m = (re.fullmatch(r"(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2}))?", t)
         or re.fullmatch(r"(\d{1,2})[点时](?:(\d{1,2})分?|半)?", t)
         or re.fullmatch(r"(\d{1,2})[.。](\d{2})", t)          # 8.30 as typed on a number pad
         or re.fullmatch(r"(\d{1,2})(\d{2})", t))              # 830, 1430
    if not m:
        raise ParseError(f"时间“{t}”看不懂，请写成 8:30")
    h = int(m.group(1))
    mi = 30 if t.endswith("半") else int(m.group(2) or 0)
    s = int(m.group(3) or 0) if m.lastindex and m.lastindex >= 3 else 0
    if not (0 <= h <= 23 and 0 <= mi <= 59 and 0 <= s <= 59):
        raise ParseError(f"没有“{t}”这个时刻")
    return dt.time(h, mi, s)


#: Unit words a number may carry, by the unit of its field ("1.5公里" in a 里程(km) column).
UNIT_WORDS = {"km": ("公里", "千米", "km", "KM", "Km")}


def _number_text(t: str, units: tuple[str, ...]) -> str:
    """A typed number as Python reads it: a unit word of the field dropped, "1。5" as 1.5,
    thousands separators (1,234.5) dropped; a comma that could be a decimal comma ("1,5") is
    refused with the question rather than guessed as 15."""
    for word in units:
        if t.endswith(word):
            t = t[: -len(word)].strip()
            break
    t = re.sub(r"(?<=\d)。(?=\d)", ".", t)
    if "," in t:
        if not re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", t):
            a, _, b = t.partition(",")
            raise ParseError(f"“{t}”有歧义：是 {a}.{b} 还是 {a}{b}？请写成不带逗号的数字")
        t = t.replace(",", "")
    return t


def parse_float(value, *, minimum: float | None = None, maximum: float | None = None,
                units: tuple[str, ...] = ()) -> float:
    if isinstance(value, bool):
        raise ParseError("应为数字")
    if isinstance(value, (int, float)):
        x = float(value)
    else:
        t = _number_text(normalize_text(value), units)
        try:
            x = float(t)
        except ValueError:
            raise ParseError(f"“{normalize_text(value)}”不是数字") from None
    if x != x or x in (float("inf"), float("-inf")):
        raise ParseError("不是有效的数字")
    if minimum is not None and x < minimum:
        raise ParseError(f"不能小于 {minimum:g}")
    if maximum is not None and x > maximum:
        raise ParseError(f"不能大于 {maximum:g}")
    return x


def parse_int(value, *, minimum: int | None = None, maximum: int | None = None) -> int:
    x = parse_float(value, minimum=minimum, maximum=maximum)
    if x != int(x):
        raise ParseError("应为整数")
    return int(x)


_TRUE = {"是", "有", "y", "yes", "true", "1", "√", "✓", "对"}
_FALSE = {"否", "无", "n", "no", "false", "0", "×", "✗", "不是", "没有"}


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    t = normalize_text(value).lower()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    raise ParseError(f"“{t}”应填“是”或“否”")


def parse_phone(value) -> str:
    """Phone numbers arrive as text or, from Excel, as numbers (13800138000.0). A mobile number
    is kept as its 11 digits whatever separated them (138-0013-8000, 138 0013 8000); a landline
    keeps the dash after its area code (0731-1234567)."""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    t = re.sub(r"[\s()（）.]", "", normalize_text(value))
    if not re.fullmatch(r"\+?[0-9][0-9\-]{5,18}(转[0-9]{1,6})?", t):
        raise ParseError(f"电话“{t}”格式不对，应为手机号或带区号的固定电话")
    if sum(ch.isdigit() for ch in t) < 7:
        raise ParseError(f"电话“{t}”位数太少")
    digits = t.replace("-", "")
    if re.fullmatch(r"(\+?86)?1[3-9]\d{9}", digits):
        return digits[-11:]
    return t


def phone_key(value) -> str:
    """What two ways of writing one phone number have in common: its digits."""
    return re.sub(r"\D", "", normalize_text(value))


def compact_name(value) -> str:
    """A person's name without the spaces typed inside it (李　堃, 欧阳 淼 → 李堃, 欧阳淼); a name in
    Latin letters keeps its single spaces."""
    t = re.sub(r"\s+", " ", normalize_text(value))
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", t)


def format_date(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def date_range_cn(start: dt.date, end: dt.date) -> str:
    """A period as a sentence says it: 2025年1月1日至12月31日 (the year once when it is one year)."""
    tail = f"{end.month}月{end.day}日" if end.year == start.year else format_date_cn(end)
    return f"{format_date_cn(start)}至{tail}"


def format_date_cn(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


# ---------------------------------------------------------------- quantities (工作量)
# A work record's quantities are written "清理垃圾(吨) 3.5；宣传材料(份) 200" on every surface (table,
# workbook, paper); each label is one of the office's quantity kinds, with its unit in brackets.

AMOUNT_SEPARATOR = "；"
# (a unit may end in a digit once NFKC has made m³ into m3)
_AMOUNT_ITEM = re.compile(r"^(?P<name>.*?)[\s:=]*(?P<num>[+-]?\d+(?:\.\d+)?)\s*(?P<unit>(?:[^\d\s.]\S*)?)$")


def format_amount(x: float) -> str:
    return f"{x:.3f}".rstrip("0").rstrip(".")


def format_amounts(amounts: dict | None) -> str:
    return AMOUNT_SEPARATOR.join(f"{label} {format_amount(x)}" for label, x in (amounts or {}).items()
                                 if x is not None)


def _stem(label: str) -> str:
    return normalize_text(label).split("(")[0].strip()


def parse_amounts(value, kinds: list[str]) -> dict[str, float] | None:
    """{label: number} from the written form or from {label: typed text} (the form's boxes).

    A label may be typed in full (清理垃圾(吨) 3.5, or with （）), as the name and the number with the
    unit after it (清理垃圾 3.5吨), or as the name alone when only one kind has that name. Numbers
    are not negative. Nothing typed gives None."""
    by_key = {normalize_text(k): k for k in kinds}
    if isinstance(value, dict):
        items = [(str(k), v) for k, v in value.items() if v is not None and str(v).strip() != ""]
    else:
        items = []
        for part in re.split(r"[；;\n]", str(value or "")):
            part = normalize_text(part)
            if not part:
                continue
            found = _AMOUNT_ITEM.match(part)
            if not found or not found["name"].strip():
                raise ParseError(f"“{part}”应写成“数量名称 数值”，如：清理垃圾(吨) 3.5")
            name, unit = found["name"].strip(), found["unit"]
            items.append((f"{name}({unit})" if unit and "(" not in name else name, found["num"]))
    out: dict[str, float] = {}
    for name, raw in items:
        label = by_key.get(normalize_text(name))
        if label is None:
            same = [k for k in kinds if _stem(k) == _stem(name)]
            if len(same) == 1:
                label = same[0]
            elif same:
                raise ParseError(f"“{name}”请注明单位（{'、'.join(same)}）")
            else:
                raise ParseError(f"没有工作量“{name}”（可选：{'、'.join(kinds) or '无，请先在 设置 → 选项列表 中添加'}）")
        try:
            x = parse_float(raw, minimum=0)
        except ParseError as exc:
            raise ParseError(f"{label}：{exc}") from None
        if label in out:
            raise ParseError(f"“{label}”写了两次")
        out[label] = x
    return out or None
