"""Default rules and choice lists that every new database starts with (the office edits them)."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select

from hzdesk.db.models import ChecklistItem, ChoiceItem, FrequencyRule, Setting
from hzdesk.vocab import (DEFAULT_CHECKLIST, DEFAULT_CHOICES, DEFAULT_FREQUENCY_RULES,
                          DEFAULT_SETTINGS)


def seed_defaults(conn: Connection) -> None:
    """Insert the defaults that are missing; never touch what the office already has."""
    have = set(conn.execute(select(ChoiceItem.list_name, ChoiceItem.value)).all())
    rows = [{"list_name": name, "value": v, "seq": i, "active": True}
            for name, (_title, values) in DEFAULT_CHOICES.items()
            for i, v in enumerate(values) if (name, v) not in have]
    if rows:
        conn.execute(insert(ChoiceItem), rows)

    keys = set(conn.scalars(select(Setting.key)).all())
    rows = [{"key": k, "value": v} for k, v in DEFAULT_SETTINGS.items() if k not in keys]
    if rows:
        conn.execute(insert(Setting), rows)

    if conn.execute(select(FrequencyRule.id).limit(1)).first() is None:
        conn.execute(insert(FrequencyRule), [
            {"role": role, "level": level, "period_unit": unit, "min_count": n, "scope": scope,
             "active_months": months, "enabled": True}
            for role, level, unit, n, scope, months in DEFAULT_FREQUENCY_RULES])

    codes = set(conn.scalars(select(ChecklistItem.code)).all())
    rows = [{"code": c, "label": label, "seq": i, "active": True}
            for i, (c, label) in enumerate(DEFAULT_CHECKLIST) if c not in codes]
    if rows:
        conn.execute(insert(ChecklistItem), rows)
