"""Rule sets that travel: a county sets the patrol rules for all its townships, and each township
takes them in with their 生效日期. The rows of a rule set are checked by the ledger description
of 巡河频次规则 (fields.FREQUENCY_RULE) like any form, all or nothing.

Taking a rule in: a row identical to a rule already held (same content and dates; a blank
生效日期 matches a rule that has always been in force) is left as it is; otherwise the rules held for the same role and level that would still be in force on the
row's 生效日期 stop the day before it (or, if they start on or after it, give way to it), and the
row becomes a rule from its 生效日期 (today when blank). Past periods keep the rules they had.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hzdesk import clock
from hzdesk.db.models import FrequencyRule
from hzdesk.errors import SheetIssue, ValidationError
from hzdesk.fields import FREQUENCY_RULE
from hzdesk.parsing import ParseError, parse_date
from hzdesk.services.validation import clean

#: What a rule set holds, in this order: the form's fields and the day a rule stops.
KEYS = FREQUENCY_RULE.view("form") + ["effective_to"]
_CONTENT = FREQUENCY_RULE.versioned + ("effective_from", "effective_to")


def _row_error(row: int, column: str, value: Any, reason: str) -> SheetIssue:
    return SheetIssue("巡河规则", row, column, value, reason)


@dataclass
class RuleSetResult:
    added: int = 0
    unchanged: int = 0
    stopped: int = 0
    errors: list[SheetIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def rows_of(session: Session) -> list[dict[str, Any]]:
    """Every rule held, past versions included, as a rule set's rows."""
    rules = session.scalars(select(FrequencyRule).order_by(FrequencyRule.level, FrequencyRule.role,
                                                           FrequencyRule.effective_from, FrequencyRule.id))
    return [{k: getattr(r, k) for k in KEYS} for r in rules]


def check(session: Session, rows: list[tuple[int, dict[str, Any]]]) -> tuple[list[dict[str, Any]], list[SheetIssue]]:
    """(row number, {field key: raw value}) → the clean rows, or the errors of every bad cell."""
    labels = FREQUENCY_RULE.labels
    good, errors = [], []
    for number, raw in rows:
        data = {k: v for k, v in raw.items() if k != "effective_to"}
        try:
            values = clean(session, FREQUENCY_RULE, data)
        except ValidationError as exc:
            errors += [_row_error(number, labels.get(k, k), raw.get(k), reason) for k, reason in exc.errors.items()]
            continue
        try:
            values["effective_to"] = parse_date(raw["effective_to"]) if raw.get("effective_to") not in (None, "") else None
        except ParseError as exc:
            errors.append(_row_error(number, labels["effective_to"], raw.get("effective_to"), str(exc)))
            continue
        start = values.get("effective_from") or clock.today()
        if values["effective_to"] is not None and values["effective_to"] < start:
            errors.append(_row_error(number, labels["effective_to"], raw.get("effective_to"), "停止日期不能早于生效日期"))
            continue
        good.append(values)
    return good, errors


def apply(session: Session, rows: list[tuple[int, dict[str, Any]]]) -> RuleSetResult:
    """Take a rule set in (see the module's words); nothing is written when any row is wrong."""
    good, errors = check(session, rows)
    result = RuleSetResult(errors=errors)
    if errors:
        return result
    held = list(session.scalars(select(FrequencyRule)))
    for values in good:
        if any(all(getattr(r, k) == values.get(k) for k in _CONTENT) for r in held):
            result.unchanged += 1      # a blank 生效日期 matches a rule that has always been in force
            continue
        # Anything new starts on its 生效日期; a blank one means today, never "always".
        start: dt.date = values.get("effective_from") or clock.today()
        values["effective_from"] = start
        for r in held:
            if (r.role, r.level) != (values["role"], values["level"]):
                continue
            if r.effective_to is not None and r.effective_to < start:
                continue                                   # over before the new rule begins
            if r.effective_from is None or r.effective_from < start:
                r.effective_to = start - dt.timedelta(days=1)
                result.stopped += 1
            elif r in session:                             # starts later: the new set replaces it
                session.delete(r)
                held = [h for h in held if h is not r]
                result.stopped += 1
        new = FrequencyRule(**values)
        session.add(new)
        held.append(new)
        result.added += 1
    session.flush()
    return result
