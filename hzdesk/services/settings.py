"""The office's configurable data: settings, choice lists, checklist items."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hzdesk.db.models import ChecklistItem, ChoiceItem, Setting
from hzdesk.errors import ValidationError
from hzdesk.fields import CHOICE_LISTS
from hzdesk.vocab import DEFAULT_SETTINGS, SETTING_TITLES


def get_setting(session: Session, key: str) -> Any:
    row = session.get(Setting, key)
    default = DEFAULT_SETTINGS[key]
    if row is None or row.value is None:
        return default
    if isinstance(default, bool):
        return row.value is True or row.value in (1, "1", "true", "True", "是")
    # SQLite's numeric affinity hands 8.0 back as 8: give the value its default's type.
    if isinstance(default, float):
        return float(row.value)
    return row.value


def set_setting(session: Session, key: str, value: Any) -> None:
    if key not in DEFAULT_SETTINGS:
        raise ValidationError({key: f"没有名为“{key}”的设置项"})
    default = DEFAULT_SETTINGS[key]
    if isinstance(default, bool):
        from hzdesk.parsing import ParseError, parse_bool
        try:
            value = parse_bool(value)
        except ParseError as exc:
            raise ValidationError({key: str(exc)}, SETTING_TITLES) from None
    elif isinstance(default, (int, float)):
        try:
            value = type(default)(value)
        except (TypeError, ValueError):
            raise ValidationError({key: "应为数字"}, SETTING_TITLES) from None
        if value < 0:
            raise ValidationError({key: "不能为负数"}, SETTING_TITLES)
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
    return {key: get_setting(session, key) for key in DEFAULT_SETTINGS}
