"""The office's vocabulary: fixed enumerations and the default choice lists.

Fixed things that code reasons about (the problem workflow's states, rule period units) are real
enums. Lists an office may extend (sources, categories, kinds …) are only *defaults* here: they are
seeded into the `choice_item` table by the first migration and read from there afterwards.
"""

from __future__ import annotations

import enum
import re


class ProblemState(str, enum.Enum):
    """发现 → 交办 → 整改 → 验收 → 销号. Overdue (超期) is a fact, not a state."""

    REGISTERED = "待交办"
    RECTIFYING = "整改中"
    AWAITING_CHECK = "待验收"
    CLOSED = "已销号"
    PARKED = "挂账"


class PeriodUnit(str, enum.Enum):
    WEEK = "周"
    XUN = "旬"
    MONTH = "月"
    QUARTER = "季度"
    YEAR = "年"


class RuleScope(str, enum.Enum):
    """Whether a frequency rule counts once per chief or once per appointment (water body)."""

    PER_CHIEF = "每位河长"
    PER_WATER_BODY = "每条河湖"


# list name -> (Chinese title of the list, default values in display order)
DEFAULT_CHOICES: dict[str, tuple[str, list[str]]] = {
    "water_kind": ("河湖类型", ["河流", "河段", "湖泊", "水库", "山塘", "沟渠", "小微水体"]),
    "level": ("级别", ["县级", "乡级", "村级"]),
    "role": ("河长角色", ["总河长", "副总河长", "河长", "副河长", "河长助理", "民间河长",
                        "河湖警长", "巡河员", "保洁员", "监督员"]),
    "problem_source": ("问题来源", ["河长巡河", "民间河长", "群众举报", "上级督查", "暗访", "媒体曝光",
                                "图斑核查", "环保督察", "河长令交办", "自行发现", "其他"]),
    "problem_category": ("问题类别", ["乱占", "乱采", "乱堆", "乱建", "污水直排", "排污口", "生活垃圾",
                                  "建筑垃圾", "养殖污染", "工业废水", "非法采砂", "电鱼毒鱼炸鱼",
                                  "黑臭水体", "岸堤损毁", "其他"]),
    "board_condition": ("公示牌状况", ["完好", "破损", "褪色", "倾斜", "缺失"]),
    "outfall_type": ("排污口类型", ["工业", "城镇污水处理厂", "农业", "农村生活污水", "雨水", "其他"]),
    "outfall_status": ("排污口状态", ["在用", "已封堵", "已整治"]),
    "control_level": ("断面级别", ["国控", "省控", "市控", "县控", "乡镇交接"]),
    "weather": ("天气", ["晴", "多云", "阴", "小雨", "中雨", "大雨", "雪", "雾"]),
    "sex": ("性别", ["男", "女"]),
    "plan_item_kind": ("方案条目类型", ["问题", "目标", "任务", "措施"]),
    "plan_item_status": ("任务状态", ["未开始", "进行中", "已完成"]),
    # 工作记录: the kinds of work an office reports, and the quantities it adds up (label with its
    # unit in brackets: the unit is part of the name, so 拆除违建 counts in 处 and in ㎡ separately).
    "work_kind": ("工作类型", ["河长会议/工作调度", "河长令", "督办函/督查专报", "工作简报/信息", "宣传活动",
                              "培训", "专项行动/联合执法", "河道保洁", "其他"]),
    "work_quantity": ("工作量", ["宣传材料(份)", "清理垃圾(吨)", "打捞漂浮物(吨)", "拆除违建(处)", "拆除违建(㎡)",
                               "清淤(m³)", "查处案件(起)"]),
    # The township's own units (村委会, 站所, 县直部门): no defaults, each office builds its list.
    "unit": ("责任单位", []),
}

#: Lists a workbook or a command may add to: a 责任单位 the county's workbook names is taken into
#: the list (and named in the import's notices) rather than refusing the row. In the window the
#: list is chosen from, with 新增 beside it, so one unit keeps one name.
GROWING_LISTS = frozenset({"unit"})

# Water-quality classes; the class of a sample is that of its worst indicator.
WATER_CLASSES = ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "劣Ⅴ"]
TARGET_CLASSES = WATER_CLASSES[:5]

_CLASS_ALIASES = {
    "1": "Ⅰ", "I": "Ⅰ", "Ⅰ": "Ⅰ",
    "2": "Ⅱ", "II": "Ⅱ", "Ⅱ": "Ⅱ",
    "3": "Ⅲ", "III": "Ⅲ", "Ⅲ": "Ⅲ",
    "4": "Ⅳ", "IV": "Ⅳ", "Ⅳ": "Ⅳ",
    "5": "Ⅴ", "V": "Ⅴ", "Ⅴ": "Ⅴ",
}


def parse_water_class(text: str) -> str | None:
    """Read a water class as clerks type it: 3, III, Ⅲ, Ⅲ类, 'iii 类', 劣5, 劣V类 → canonical form.

    Returns None when the text is not a water class.
    """
    t = re.sub(r"\s+", "", str(text)).upper().removesuffix("类")
    worse = t.startswith("劣")
    core = _CLASS_ALIASES.get(t[1:] if worse else t)
    if core is None:
        return None
    if worse:
        return "劣Ⅴ" if core == "Ⅴ" else None
    return core


# (role, level, unit, minimum count, scope, active months) — the examples in domain.md's
# Shaanxi column; an office edits these to match its own province.
DEFAULT_FREQUENCY_RULES = [
    ("河长", "县级", PeriodUnit.QUARTER, 1, RuleScope.PER_CHIEF, None),
    ("河长", "乡级", PeriodUnit.XUN, 1, RuleScope.PER_CHIEF, None),
    ("河长", "村级", PeriodUnit.WEEK, 1, RuleScope.PER_CHIEF, None),
]

DEFAULT_CHECKLIST = [
    ("rubbish", "河面有无漂浮物、垃圾"),
    ("silting", "河道有无淤积、阻水"),
    ("structures", "有无违法建筑、乱占乱堆"),
    ("water_colour", "水体颜色、气味有无异常"),
    ("dry_outfall", "晴天排污口有无污水排放"),
    ("board", "公示牌是否完好"),
    ("sand_fishing", "有无非法采砂、电鱼毒鱼"),
    ("last_fixed", "上次巡河发现的问题是否整改"),
]
