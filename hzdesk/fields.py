"""One description per ledger: its fields, Chinese labels, types, rules and widths.

The table views, the forms, the fast entry, the Excel sheets, the import and the PDF ledgers all
derive their columns from these descriptions (each field names its `views`); the services validate
input with them. Adding a field means: the model, a migration, and one line here.

Field kinds:
  text, longtext, int, float, date, time, bool, phone, class (water class Ⅰ–Ⅴ/劣Ⅴ),
  choice (value of an editable choice list), enum (a fixed enumeration), ref (id of a water body, person or patrol), state (workflow
  state, changed only by the workflow), json (structured, edited by its own widget).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from hzdesk.db import models as m
from hzdesk.parsing import format_amounts
from hzdesk.vocab import DEFAULT_CHOICES, PeriodUnit, RuleScope


#: Where a field can appear. Every surface takes its columns from these, in the ledger's field
#: order: a field added here with its views shows up everywhere it is named, and nowhere else.
VIEWS = {
    "table": "a column of the ledger's table on screen",
    "form": "a box of the edit form",
    "fast": "a box of 快速录入 (patrols typed in from paper)",
    "sticky": "kept from one 快速录入 form to the next (the same stack of paper)",
    "print": "a column of the printed ledger (PDF)",
    "detail": "said on the line under its row of the printed ledger (标签：值), for what would crowd the columns",
    "workbook": "a column of the county workbook (export, import, template)",
    "key": "a leading table column kept in sight while the table scrolls sideways",
    "hidden": "stored only: on no surface",
}


@dataclass(frozen=True)
class Field:
    key: str                 # model attribute
    label: str               # Chinese label: column header, form label, Excel header
    kind: str = "text"
    required: bool = False
    choices: str | None = None       # editable choice list name (kind == "choice")
    enum: type | None = None         # the Enum class (kind == "enum")
    ref: str | None = None           # "water_body", "person" or "patrol" (kind == "ref")
    width: int = 8                   # display width in Chinese characters
    max_len: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    editable: bool = True            # False: assigned by the program (numbers, states)
    hint: str = ""                   # placeholder / tooltip
    excel_label: str | None = None   # header in the county workbook when it differs
    views: str = ""                  # where the field appears, space-separated names from VIEWS
    choice_defaults: tuple[str, ...] = ()   # a new choice list's first values (kind == "choice")
    suggest: str | None = None       # "unit": typing offers the unit names already in use
    decimals: int | None = None      # a float always shown with this many decimals (km: 3.0 beside 2.1)
    unit: str | None = None          # "km": the number may be typed with its unit (1.5公里)
    person_name: bool = False        # a person's name: spaces typed inside it are dropped (李　堃 → 李堃)
    today_when_new: bool = False     # a record typed in the window starts with today here (录入日期)

    @property
    def header(self) -> str:
        return self.excel_label or self.label


@dataclass(frozen=True)
class Ledger:
    key: str
    title: str
    model: type
    fields: tuple[Field, ...]
    order_by: tuple[str, ...] = ("id",)
    search: tuple[str, ...] = ()     # text columns the search box looks in
    retire_field: str | None = None  # a date column that "retires" a record instead of deleting
    # Fields that change figures: a change to one of them after the record has been in force keeps
    # the old version for the past and starts a new one (see services/records.update); the ledger
    # then has `effective_from` / `effective_to` date fields.
    versioned: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # A field a ledger forgot to show anywhere is a bug; "hidden" says it is meant.
        for f in self.fields:
            names = f.views.split()
            if not names or set(names) - set(VIEWS) or ("hidden" in names and len(names) > 1):
                raise ValueError(f"{self.key}.{f.key}: views {f.views!r} (known: {', '.join(VIEWS)})")

    def view(self, name: str) -> list[str]:
        """The keys of the fields in view `name`, in the ledger's order."""
        return [f.key for f in self.fields if name in f.views.split()]

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        if key == TOWNSHIP.key and has_township(self):   # the county's 乡镇 column
            return TOWNSHIP
        raise KeyError(key)

    @property
    def labels(self) -> dict[str, str]:
        return {f.key: f.label for f in self.fields}

    @property
    def tables(self) -> frozenset[str]:
        """The tables this ledger's rows show: its own, and those whose names it shows."""
        return frozenset({self.model.__tablename__} | {f.ref for f in self.fields if f.kind == "ref"})


def F(key, label, kind="text", **kw) -> Field:
    return Field(key, label, kind, **kw)


#: The township a ledger row belongs to, shown (by name) only where one view holds several: the
#: county's database seen as 全县. Not a field of any ledger: a township's own database, and a
#: county's narrowed to one township, never show it.
TOWNSHIP = F("township_id", "乡镇", "ref", ref="township", width=6, editable=False, views="table")


def has_township(lg: "Ledger") -> bool:
    """Whether the ledger's rows belong to a township (every ledger of the office's own work)."""
    return hasattr(lg.model, "township_id")


WATER_BODY = Ledger("water_body", "河湖名录", m.WaterBody, (
    F("code", "编码", required=True, width=10, max_len=40, hint="县级编码或自编码，库内唯一", views="table form print workbook key"),
    F("name", "名称", required=True, width=10, max_len=60, views="table form print workbook key"),
    F("kind", "类型", "choice", required=True, choices="water_kind", width=5, views="table form print workbook"),
    F("parent_id", "上级河湖", "ref", ref="water_body", width=10, excel_label="上级编码",
      hint="河段所属的河流", views="table form print workbook"),
    F("level", "级别", "choice", required=True, choices="level", width=4, views="table form print workbook"),
    F("length_km", "长度(km)", "float", minimum=0, maximum=10000, width=6, decimals=1, unit="km", views="table form print workbook"),
    F("area_km2", "流域面积(km²)", "float", minimum=0, maximum=1_000_000, width=7, decimals=2, views="table form print workbook"),
    F("start_point", "起点", width=10, max_len=100, views="form print workbook"),
    F("end_point", "终点", width=10, max_len=100, views="form print workbook"),
    F("villages", "流经村", width=14, max_len=400, hint="多个村用“、”隔开", views="table form print workbook"),
    F("target_class", "水质目标", "class", width=5, views="table form print workbook"),
    F("management_target", "管护目标", "longtext", width=20, views="form workbook"),
    F("seasonal", "季节性河流", "bool", width=5, views="table form workbook"),
    F("registered_on", "登记日期", "date", width=7, views="table form workbook"),
    F("retired_on", "注销日期", "date", width=7, views="table form workbook"),
    F("notes", "备注", "longtext", width=12, views="form print workbook"),
), order_by=("code",), search=("code", "name", "villages"), retire_field="retired_on")

OUTFALL = Ledger("outfall", "排污口名录", m.Outfall, (
    F("code", "编码", required=True, width=10, max_len=40, views="table form print workbook key"),
    F("name", "名称", required=True, width=12, max_len=80, views="table form print workbook"),
    F("water_body_id", "所在河湖", "ref", ref="water_body", required=True, width=10,
      excel_label="河湖编码", views="table form print workbook"),
    F("type", "类型", "choice", required=True, choices="outfall_type", width=7, views="table form print workbook"),
    F("longitude", "经度", "float", minimum=-180, maximum=180, width=7, views="table form print workbook"),
    F("latitude", "纬度", "float", minimum=-90, maximum=90, width=7, views="table form print workbook"),
    F("responsible_unit", "责任单位", "choice", choices="unit", width=10, max_len=80, views="table form print workbook"),
    F("status", "状态", "choice", required=True, choices="outfall_status", width=5, views="table form print workbook"),
    F("registered_on", "登记日期", "date", width=7, views="table form print workbook"),
    F("notes", "备注", "longtext", width=12, views="table form workbook"),
), order_by=("code",), search=("code", "name", "responsible_unit"))

MONITORING_SECTION = Ledger("monitoring_section", "监测断面", m.MonitoringSection, (
    F("code", "编码", width=8, max_len=40, views="table form workbook print"),
    F("name", "断面名称", required=True, width=10, max_len=80, views="table form workbook key print"),
    F("water_body_id", "所在河湖", "ref", ref="water_body", required=True, width=10,
      excel_label="河湖编码", views="table form workbook print"),
    F("control_level", "断面级别", "choice", required=True, choices="control_level", width=6,
      views="table form workbook print"),
    F("target_class", "水质目标", "class", required=True, width=5, views="table form workbook print"),
    F("longitude", "经度", "float", minimum=-180, maximum=180, width=7, views="table form workbook"),
    F("latitude", "纬度", "float", minimum=-90, maximum=90, width=7, views="table form workbook"),
    F("notes", "备注", "longtext", width=12, views="table form workbook"),
), order_by=("name",), search=("code", "name"))

MONITORING_RESULT = Ledger("monitoring_result", "监测结果", m.MonitoringResult, (
    F("section_id", "断面", "ref", ref="monitoring_section", required=True, width=10, views="table form workbook"),
    F("sampled_on", "采样日期", "date", required=True, width=7, views="table form workbook"),
    F("water_class", "水质类别", "class", required=True, width=5, views="table form workbook"),
    F("over_limit", "超标项目", width=12, max_len=200, hint="如：氨氮、总磷", views="table form workbook"),
    F("indicators", "指标数值", "json", width=12, hint="指标名称 → 数值（mg/L）", views="table"),
    F("notes", "备注", "longtext", width=12, views="table form workbook"),
), order_by=("sampled_on",), search=("over_limit", "notes"))

RIVER_PLAN = Ledger("river_plan", "一河一策", m.RiverPlan, (
    F("water_body_id", "河湖", "ref", ref="water_body", required=True, width=10,
      excel_label="河湖编码", views="table form print workbook"),
    F("title", "方案名称", required=True, width=22, max_len=120, views="table form print workbook"),
    F("period_start", "起始日期", "date", required=True, width=7, views="table form print workbook"),
    F("period_end", "截止日期", "date", required=True, width=7, views="table form print workbook"),
    F("doc_number", "文号", width=10, max_len=60, views="table form print workbook"),
    F("approved_on", "批复日期", "date", width=7, views="table form print workbook"),
    F("notes", "备注", "longtext", width=12, views="table form workbook"),
), order_by=("period_start",), search=("title", "doc_number"))

PLAN_ITEM = Ledger("plan_item", "方案任务", m.PlanItem, (
    F("plan_id", "所属方案", "ref", ref="river_plan", required=True, width=16, views="table form workbook"),
    F("seq", "序号", "int", minimum=0, maximum=999, width=3, views="table form workbook"),
    F("kind", "类型", "choice", required=True, choices="plan_item_kind", width=4, views="table form workbook"),
    F("content", "内容", "longtext", required=True, width=24, views="table form workbook"),
    F("responsible_unit", "责任单位", "choice", choices="unit", width=10, max_len=80, views="table form workbook"),
    F("deadline", "完成时限", "date", width=7, views="table form workbook"),
    F("status", "进展", "choice", required=True, choices="plan_item_status", width=5, views="table form workbook"),
    F("done_on", "完成日期", "date", width=7, views="table form workbook"),
), order_by=("plan_id", "seq"), search=("content", "responsible_unit"))

PERSON = Ledger("person", "人员名录", m.Person, (
    F("name", "姓名", required=True, width=5, max_len=40, person_name=True, views="table form workbook key"),
    F("sex", "性别", "choice", choices="sex", width=3, views="table form workbook"),
    F("unit", "单位", width=12, max_len=80, suggest="unit", views="table form workbook"),
    F("post", "职务", width=10, max_len=60, views="table form workbook"),
    F("phone", "电话", "phone", width=9, views="table form workbook"),
    F("retired_on", "离职日期", "date", width=7, views="table form workbook"),
    F("notes", "备注", "longtext", width=12, views="table form workbook"),
), order_by=("name",), search=("name", "unit", "post", "phone"), retire_field="retired_on")

APPOINTMENT = Ledger("appointment", "河长任职", m.Appointment, (
    F("person_id", "姓名", "ref", ref="person", required=True, width=5, views="table form workbook key"),
    F("water_body_id", "河湖", "ref", ref="water_body", width=10, excel_label="河湖编码",
      hint="总河长、副总河长可不填", views="table form workbook"),
    F("role", "角色", "choice", required=True, choices="role", width=5, views="table form workbook"),
    F("level", "级别", "choice", required=True, choices="level", width=4, views="table form workbook"),
    F("start_on", "任职日期", "date", required=True, width=7, views="table form workbook"),
    F("end_on", "离任日期", "date", width=7, hint="仍在任则留空", views="table form workbook"),
    F("doc_number", "任命文号", width=10, max_len=60, views="table form workbook"),
    F("reason", "任免原因", width=10, max_len=200, views="table form workbook"),
    F("notes", "备注", "longtext", width=12, views="form workbook"),
), order_by=("start_on",), search=("doc_number", "reason"), retire_field="end_on")

SIGN_BOARD = Ledger("sign_board", "公示牌台账", m.SignBoard, (
    F("code", "编号", required=True, width=9, max_len=40, views="table form workbook key"),
    F("water_body_id", "河湖", "ref", ref="water_body", required=True, width=10,
      excel_label="河湖编码", views="table form workbook"),
    F("place", "位置", width=12, max_len=120, views="table form workbook"),
    F("village", "所在村", width=6, max_len=40, views="table form workbook"),
    F("longitude", "经度", "float", minimum=-180, maximum=180, width=7, views="form workbook"),
    F("latitude", "纬度", "float", minimum=-90, maximum=90, width=7, views="form workbook"),
    F("level", "级别", "choice", choices="level", width=4, views="form workbook"),
    F("size", "规格", width=7, max_len=30, hint="如 1.5m×1.0m", views="form workbook"),
    F("installed_on", "设立日期", "date", width=7, views="table form workbook"),
    F("content_updated_on", "牌面更新日期", "date", width=7, views="table form workbook"),
    F("inspected_on", "最近检查日期", "date", width=7, views="table form workbook"),
    F("condition", "状况", "choice", required=True, choices="board_condition", width=4, views="table form workbook"),
    F("supervision_phone", "监督电话", "phone", width=9, views="form workbook"),
    F("issuer", "设立单位", width=10, max_len=80, views="form workbook"),
    F("duties_text", "河长职责", "longtext", width=20, views="form workbook"),
    F("targets_text", "治理目标", "longtext", width=20, views="form workbook"),
    F("retired_on", "拆除日期", "date", width=7, views="form workbook"),
    F("notes", "备注", "longtext", width=12, views="form workbook"),
), order_by=("code",), search=("code", "place", "village"), retire_field="retired_on")

PATROL = Ledger("patrol", "巡河记录", m.Patrol, (
    F("patrol_date", "巡河日期", "date", required=True, width=7, views="table form fast sticky print workbook key"),
    F("water_body_id", "河湖", "ref", ref="water_body", required=True, width=10,
      excel_label="河湖编码", views="table form fast sticky print workbook"),
    F("person_id", "巡河人", "ref", ref="person", required=True, width=5, views="table form fast sticky print workbook"),
    F("start_time", "开始时间", "time", width=5, views="table form fast print workbook"),
    F("end_time", "结束时间", "time", width=5, views="table form fast print workbook"),
    F("distance_km", "里程(km)", "float", minimum=0, maximum=200, width=5, decimals=1, unit="km", views="table form fast print workbook"),
    F("weather", "天气", "choice", choices="weather", width=3, views="table form fast print workbook"),
    F("method", "巡河方式", "choice", choices="patrol_method", width=5, views="table form fast sticky print workbook",
      choice_defaults=("步行", "骑行", "驾车", "乘船", "无人机")),
    F("route_from", "起点", width=8, max_len=80, views="form workbook"),
    F("route_to", "终点", width=8, max_len=80, views="form workbook"),
    F("companions", "同行人员", width=8, max_len=200, hint="多人用“、”隔开", views="form workbook detail"),
    F("checklist", "检查项", "json", width=10, views="form workbook detail"),
    F("findings", "巡河情况", "longtext", width=16, views="table form fast print workbook"),
    F("found_problem", "发现问题", "bool", width=4, views="table form print workbook"),
    F("on_spot_handling", "现场处理", "longtext", width=12, views="table form fast print workbook"),
    F("recorder", "记录人", width=5, max_len=40, person_name=True, hint="填写纸质记录的人",
      views="form fast sticky workbook detail"),
    # the day the record is typed: left empty, a patrol typed weeks late was never counted as 补录
    F("entered_on", "录入日期", "date", width=7, today_when_new=True, views="table form fast sticky print workbook"),
    F("notes", "备注", "longtext", width=12, views="form workbook"),
), order_by=("patrol_date", "id"), search=("findings", "route_from", "route_to", "companions"))

PROBLEM = Ledger("problem", "问题台账", m.Problem, (
    F("number", "问题编号", editable=False, width=9, views="table print workbook key"),
    F("found_on", "发现日期", "date", required=True, width=7, views="table form print workbook"),
    F("water_body_id", "河湖", "ref", ref="water_body", required=True, width=10,
      excel_label="河湖编码", views="table form print workbook"),
    F("title", "问题标题", width=12, max_len=120, views="form workbook"),
    F("place", "位置", width=10, max_len=120, views="form workbook detail"),
    F("longitude", "经度", "float", minimum=-180, maximum=180, width=7, views="form workbook"),
    F("latitude", "纬度", "float", minimum=-90, maximum=90, width=7, views="form workbook"),
    F("source", "问题来源", "choice", required=True, choices="problem_source", width=6,
      views="table form print workbook"),
    F("category", "问题类别", "choice", required=True, choices="problem_category", width=6,
      views="table form print workbook"),
    F("description", "问题描述", "longtext", required=True, width=20, views="table form print workbook"),
    F("finder", "发现人", width=5, max_len=40, person_name=True, views="form workbook"),
    F("patrol_id", "来源巡河记录", "ref", ref="patrol", width=6, hint="巡河中发现的问题，关联那次巡河", views="form"),
    F("responsible_unit", "责任单位", "choice", choices="unit", width=10, max_len=80, views="table form print workbook"),
    F("responsible_person", "责任人", width=5, max_len=40, person_name=True, views="form workbook detail"),
    F("deadline", "整改时限", "date", width=7, views="table form print workbook"),
    F("state", "状态", "state", editable=False, width=5, views="table print workbook"),
    F("measures", "整改措施", "longtext", width=16, views="form workbook detail"),
    F("rectified_on", "整改完成日期", "date", editable=False, width=7, views="workbook detail"),
    F("verifier", "验收人", editable=False, width=5, person_name=True, views="workbook detail"),
    F("verified_on", "验收日期", "date", editable=False, width=7, views="workbook detail"),
    F("closed_on", "销号日期", "date", editable=False, width=7, views="table print workbook"),
    F("notes", "备注", "longtext", width=12, views="form workbook"),
), order_by=("found_on", "id"), search=("number", "title", "description", "place",
                                        "responsible_unit"))

FREQUENCY_RULE = Ledger("frequency_rule", "巡河频次规则", m.FrequencyRule, (
    F("role", "角色", "choice", required=True, choices="role", width=5, views="table form"),
    F("level", "级别", "choice", required=True, choices="level", width=4, views="table form"),
    F("period_unit", "周期", "enum", required=True, enum=PeriodUnit, width=4, views="table form"),
    F("min_count", "每周期至少（次）", "int", required=True, minimum=1, maximum=100, width=4, views="table form"),
    F("scope", "计算方式", "enum", required=True, enum=RuleScope, width=6, views="table form"),
    F("active_months", "执行月份", width=6, max_len=40, hint="如 3-12；留空为全年", views="table form"),
    F("min_minutes", "每次至少（分钟）", "int", minimum=1, maximum=600, width=4, views="table form"),
    F("min_km", "每次至少（公里）", "float", minimum=0, maximum=100, width=4, decimals=1, unit="km", views="table form"),
    F("enabled", "启用", "bool", width=3, views="table form"),
    F("effective_from", "生效日期", "date", width=7, hint="从这一天开始的周期按本规则计算；留空为一直有效", views="table form"),
    F("effective_to", "停止日期", "date", editable=False, width=7, views="table"),
    F("notes", "备注", "longtext", width=12, views="table form"),
), order_by=("level", "role", "effective_from"), versioned=("role", "level", "period_unit", "min_count", "scope",
                                                          "active_months", "min_minutes", "min_km", "enabled"))

CHECKLIST_ITEM = Ledger("checklist_item", "巡河检查项", m.ChecklistItem, (
    F("code", "代码", required=True, width=8, max_len=30, hint="英文字母、数字或下划线，保存后不要再改", views="table form"),
    F("label", "检查内容", required=True, width=16, max_len=80, views="table form"),
    F("seq", "顺序", "int", minimum=0, maximum=999, width=3, views="table form"),
    F("active", "启用", "bool", width=3, views="table form"),
), order_by=("seq", "id"))

WORK_RECORD = Ledger("work_record", "工作记录", m.WorkRecord, (
    F("held_on", "日期", "date", required=True, width=7, views="table form print workbook key"),
    F("kind", "工作类型", "choice", required=True, choices="work_kind", width=8, views="table form print workbook"),
    F("title", "标题", required=True, width=16, max_len=120, hint="如：全镇河长制工作推进会",
      views="table form print workbook"),
    F("doc_number", "文号", width=9, max_len=60, hint="河长令、督办函、简报的编号", views="table form print workbook"),
    F("water_bodies", "涉及河湖", width=10, max_len=200, hint="多条用“、”隔开；全镇的工作可不填",
      views="table form print workbook"),
    F("organizer", "牵头单位", width=8, max_len=80, suggest="unit", views="table form workbook"),
    F("participants", "参与人次", "int", minimum=0, maximum=1_000_000, width=4, views="table form print workbook"),
    F("quantities", "工作量", "amounts", choices="work_quantity", width=14, views="table form print workbook"),
    F("content", "主要内容", "longtext", width=20, views="form print workbook"),
    F("notes", "备注", "longtext", width=12, views="form workbook"),
), order_by=("held_on", "id"), search=("title", "doc_number", "water_bodies", "organizer", "content"))

LEDGERS: dict[str, Ledger] = {lg.key: lg for lg in (
    WATER_BODY, OUTFALL, MONITORING_SECTION, MONITORING_RESULT, RIVER_PLAN, PLAN_ITEM, PERSON,
    APPOINTMENT, SIGN_BOARD, PATROL, PROBLEM, FREQUENCY_RULE, CHECKLIST_ITEM, WORK_RECORD)}


def ledger(key: str) -> Ledger:
    try:
        return LEDGERS[key]
    except KeyError:
        raise KeyError(f"没有名为“{key}”的台账") from None


def format_value(f: Field, value, row: dict | None = None) -> str:
    """How a stored value reads on screen and paper: dates 2025-03-05, 是/否, names for refs."""
    if f.kind == "ref" and row is not None and f"{f.key}__name" in row:
        return row[f"{f.key}__name"] or ""
    if value is None:
        return ""
    if f.kind == "amounts":
        return format_amounts(value)
    if value.__class__ is str:   # most cells of a 10,000-row ledger: as they are
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, (int, float)) and f.decimals is not None:
        return f"{value:.{f.decimals}f}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return "、".join(k for k, v in value.items() if v) or "无"
    return str(value)


def cell_formatter(f: Field):
    """`format_value` for one field over many rows (a ledger's column): `(value, row) → text`.
    Each distinct value is formatted once: a column repeats its dates, times and names."""
    if f.kind == "ref":
        name = f"{f.key}__name"
        return lambda value, row: (row[name] or "") if name in row else format_value(f, value, row)
    if f.kind in ("amounts", "json"):    # dicts: not hashable, and rarely repeated
        return lambda value, row: format_value(f, value, row)
    seen: dict = {}

    def formatted(value, row):
        text = seen.get(value)
        if text is None:
            text = seen[value] = format_value(f, value, row)
        return text
    return formatted


def _choice_lists() -> dict[str, tuple[str, list[str]]]:
    """Every editable choice list: name → (title, default values). Lists shared by several ledgers
    are declared in vocab.DEFAULT_CHOICES; a list of one field is declared beside that field."""
    lists = dict(DEFAULT_CHOICES)
    for lg in LEDGERS.values():
        for f in lg.fields:
            if f.choice_defaults:
                lists.setdefault(f.choices, (f.label, list(f.choice_defaults)))
    return lists


CHOICE_LISTS = _choice_lists()
