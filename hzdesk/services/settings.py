"""The office's configurable data: settings, choice lists, checklist items."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hzdesk import clock
from hzdesk.db.models import ChecklistItem, ChoiceItem, Setting, SettingChange
from hzdesk.errors import ValidationError
from hzdesk.fields import CHOICE_LISTS
from hzdesk.geo.basemap import check_basemap
from hzdesk.services.assessment import DEFAULT_SCHEME, check_scheme


@dataclass(frozen=True)
class SettingSpec:
    """One office setting, declared once: the settings page, the typed reads and writes, the
    check of who may change it and whether it keeps a dated history all come from here."""

    key: str
    title: str               # the settings page's label
    default: Any             # its type is the setting's type (str, int, float, bool)
    page: str = "general"    # "general" (基本设置) or "accounts" (账号, with its own checks)
    dated: bool = False      # figures depend on it: each change takes effect from a date
    minimum: float | None = 0
    maximum: float | None = None
    who: str = "管理员"       # the role that may change it (every setting is the administrator's)
    multiline: bool = False  # edited in a box of several lines (a text, not a value)
    check: Callable[[str], Any] | None = None   # a text setting's own rules: raises ParseError with the reason

    @property
    def type(self) -> type:
        return type(self.default)


SETTINGS: dict[str, SettingSpec] = {s.key: s for s in (
    SettingSpec("office_name", "单位名称（打印抬头）", "某某镇河长制办公室"),
    SettingSpec("supervision_phone", "监督电话", ""),
    SettingSpec("board_update_days", "公示牌更新时限（天）", 15, dated=True),
    SettingSpec("late_entry_days", "补录判定天数（录入晚于巡河超过 N 天为补录）", 7, dated=True),
    SettingSpec("max_walking_kmh", "巡河速度上限（公里/小时）", 8.0, dated=True),
    SettingSpec("problem_number_prefix", "问题编号前缀", "WT"),
    SettingSpec("accounts_enabled", "启用账号登录", False, page="accounts"),
    SettingSpec("idle_lock_minutes", "闲置锁定（分钟，0 为不锁定）", 0),
    # 巡河轨迹核对 (#17): no published figure for coverage exists — the office decides
    SettingSpec("track_radius_m", "轨迹核对：河道离轨迹多少米以内算走到", 50, dated=True, minimum=5, maximum=500),
    SettingSpec("track_min_coverage", "轨迹核对：至少覆盖河道的百分比", 60, dated=True, maximum=100),
    SettingSpec("track_fast_kmh", "轨迹核对：时速超过多少公里视为乘车", 15.0, dated=True, minimum=1, maximum=200),
    # 一张图's basemap (#17): only a file the office supplies, its source printed under the map
    SettingSpec("map_basemap", "一张图底图文件（MBTiles，或带坐标文件的图片；留空为不用底图）", "", check=check_basemap),
    SettingSpec("map_basemap_datum", "底图坐标系（WGS84：天地图、CGCS2000；GCJ02：高德、腾讯）", "WGS84",
                check=lambda text: _one_of(text, ("WGS84", "GCJ02"))),
    SettingSpec("map_basemap_source", "底图来源（印在地图下方，如“××县自然资源局提供，审图号……”）", ""),
    # Paper is bound on its left edge (装订线); the printed area moves right by this much.
    SettingSpec("binding_margin_mm", "装订边距（毫米，纸张左侧留出装订）", 25, maximum=50),
    # The one part of the 工作总结 the ledgers cannot write: the office's plans, one point a line
    # (its first sentence leads the point).
    SettingSpec("summary_next_steps", "工作总结“下步工作打算”（每行一条）", "\n".join((
        "压实河长责任。对照巡河频次要求逐月检查各级河长履职情况，对未达要求的河长及时提醒。",
        "加快问题整改。对超期未办结的问题逐件督办，明确责任单位和整改时限，整改到位后及时验收销号。",
        "巩固水质成效。对未达到水质目标的断面排查原因，落实一河一策任务和措施。",
        "规范基础工作。河长调整后及时更新公示牌，完善巡河、问题、工作记录等台账资料。")), multiline=True),
    # 村级考核: items and weights, one a line (services/assessment.py); dated like the patrol rules.
    SettingSpec("assessment_scheme", "考核办法（每行：项目 分值；见“统计口径说明”）", DEFAULT_SCHEME, dated=True,
                multiline=True, check=check_scheme),
)}
SETTING_TITLES = {k: s.title for k, s in SETTINGS.items()}


def _one_of(text: str, allowed: tuple[str, ...]) -> None:
    from hzdesk.parsing import ParseError

    if text.strip() not in allowed:
        raise ParseError(f"应为 {' 或 '.join(allowed)}")


def _typed(spec: SettingSpec, raw: Any) -> Any:
    if raw is None:
        return spec.default
    if spec.type is bool:
        return raw is True or raw in (1, "1", "true", "True", "是")
    # SQLite's numeric affinity hands 8.0 back as 8: give the value its declared type.
    if spec.type in (int, float):
        return spec.type(raw)
    return raw


def printed_office(session: Session) -> str:
    """The office as paper names it: its name, and on the county's database what the pages
    cover — 某某县河长制办公室（西河乡）, or（全县）."""
    from hzdesk.db.township import covers

    office = get_setting(session, "office_name")
    where = covers(session)
    return f"{office}（{where}）" if where else office


def get_setting(session: Session, key: str, on: dt.date | None = None) -> Any:
    """A setting's value — for a dated setting, the value in force on `on` (default: now)."""
    spec = SETTINGS[key]
    if on is not None and spec.dated:
        later = session.scalar(select(SettingChange.old_value).where(
            SettingChange.key == key, SettingChange.effective_from > on)
            .order_by(SettingChange.effective_from, SettingChange.id).limit(1))
        if later is not None:
            return _typed(spec, later)
    row = session.get(Setting, key)
    return _typed(spec, None if row is None else row.value)


def setting_timeline(session: Session, key: str) -> Callable[[dt.date], Any]:
    """day → the value in force that day, for many days at once (a year of patrols)."""
    spec = SETTINGS[key]
    now = get_setting(session, key)
    if not spec.dated:
        return lambda _day: now
    changes = session.execute(select(SettingChange.effective_from, SettingChange.old_value)
                              .where(SettingChange.key == key)
                              .order_by(SettingChange.effective_from, SettingChange.id)).all()
    if not changes:
        return lambda _day: now
    starts = [c[0] for c in changes]
    olds = [_typed(spec, c[1]) for c in changes]

    def on(day: dt.date) -> Any:
        i = bisect.bisect_right(starts, day)   # changes that took effect by `day`
        return olds[i] if i < len(olds) else now
    return on


def set_setting(session: Session, key: str, value: Any, effective_from: dt.date | None = None) -> None:
    """Change a setting. A dated one takes effect from `effective_from` (default today): figures
    of earlier days keep the value they were computed with."""
    spec = SETTINGS.get(key)
    if spec is None:
        raise ValidationError({key: f"没有名为“{key}”的设置项"})
    if spec.type is bool:
        from hzdesk.parsing import ParseError, parse_bool
        try:
            value = parse_bool(value)
        except ParseError as exc:
            raise ValidationError({key: str(exc)}, SETTING_TITLES) from None
    elif spec.type in (int, float):
        try:
            value = spec.type(value)
        except (TypeError, ValueError):
            raise ValidationError({key: "应为数字"}, SETTING_TITLES) from None
        if spec.minimum is not None and value < spec.minimum:
            raise ValidationError({key: "不能为负数"}, SETTING_TITLES)
        if spec.maximum is not None and value > spec.maximum:
            raise ValidationError({key: f"不能大于 {spec.maximum:g}"}, SETTING_TITLES)
    else:
        value = str(value)
        if spec.check is not None:
            from hzdesk.parsing import ParseError
            try:
                spec.check(value)
            except ParseError as exc:
                raise ValidationError({key: str(exc)}, SETTING_TITLES) from None
    old = get_setting(session, key)
    if spec.dated and value != old:
        day = effective_from or clock.today()
        later = session.scalar(select(func.count()).select_from(SettingChange)
                               .where(SettingChange.key == key, SettingChange.effective_from > day))
        if later:
            raise ValidationError({key: "已有更晚生效的修改，不能再改更早的日期"}, SETTING_TITLES)
        same_day = session.scalar(select(SettingChange).where(SettingChange.key == key,
                                                              SettingChange.effective_from == day))
        if same_day is not None:   # a second change on the same day corrects the first
            same_day.new_value = value
        else:
            session.add(SettingChange(key=key, old_value=old, new_value=value, effective_from=day))
    if key == "office_name":
        from hzdesk.db.township import follow_office_name
        follow_office_name(session, value)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.flush()


def choices(session: Session, list_name: str, *, include_inactive: bool = False) -> list[str]:
    # Cached for the session's life (an import validates thousands of rows against the same
    # lists); changing a list through this module clears the cache.
    cache = session.info.setdefault("choices", {})
    key = (list_name, include_inactive)
    if key not in cache:
        q = select(ChoiceItem.value).where(ChoiceItem.list_name == list_name)
        if not include_inactive:
            q = q.where(ChoiceItem.active.is_(True))
        cache[key] = list(session.scalars(q.order_by(ChoiceItem.seq, ChoiceItem.id)))
    return cache[key]


def _forget_choices(session: Session) -> None:
    session.info.pop("choices", None)


def add_choice(session: Session, list_name: str, value: str) -> ChoiceItem:
    value = (value or "").strip()
    if list_name not in CHOICE_LISTS:
        raise ValidationError({"list_name": f"没有名为“{list_name}”的选项列表"})
    if not value:
        raise ValidationError({"value": "选项不能为空"})
    existing = session.scalar(select(ChoiceItem).where(ChoiceItem.list_name == list_name,
                                                       ChoiceItem.value == value))
    _forget_choices(session)
    if existing is not None:
        existing.active = True
        session.flush()
        return existing
    seq = session.scalar(select(func.coalesce(func.max(ChoiceItem.seq), -1))
                         .where(ChoiceItem.list_name == list_name)) + 1
    item = ChoiceItem(list_name=list_name, value=value, seq=seq, active=True)
    session.add(item)
    session.flush()
    return item


def checklist(session: Session) -> list[ChecklistItem]:
    return list(session.scalars(select(ChecklistItem).where(ChecklistItem.active.is_(True))
                                .order_by(ChecklistItem.seq, ChecklistItem.id)))


#: Between the checklist items' labels in one text (the labels themselves contain 、).
CHECKLIST_SEPARATOR = "；"


def checklist_labels(session: Session) -> dict[str, str]:
    """Every checklist item's label by its code, switched-off items included (old patrols name them)."""
    return dict(session.execute(select(ChecklistItem.code, ChecklistItem.label)).all())


def checklist_findings(answers: dict | None, labels: dict[str, str]) -> str:
    """A patrol's checklist as the workbook and the ledger write it: the labels of the items ticked
    (a problem seen), "" when none was."""
    return CHECKLIST_SEPARATOR.join(labels.get(k, k) for k, seen in (answers or {}).items() if seen)


def set_choice_active(session: Session, list_name: str, value: str, active: bool) -> None:
    """Retire a choice (old records keep their value) or bring it back."""
    item = session.scalar(select(ChoiceItem).where(ChoiceItem.list_name == list_name, ChoiceItem.value == value))
    if item is None:
        raise ValidationError({"value": f"“{value}”不在列表中"})
    if not active and len(choices(session, list_name)) <= 1:
        raise ValidationError({"value": "列表中至少要保留一个可选项"})
    item.active = active
    _forget_choices(session)
    session.flush()


def all_settings(session: Session) -> dict[str, Any]:
    return {key: get_setting(session, key) for key in SETTINGS}
