"""A record's history from the audit trail, in words: who changed what, from what, to what."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hzdesk.db.models import AuditEntry
from hzdesk.fields import LEDGERS


def record_history(session: Session, ledger_key: str, record_id: int) -> list[str]:
    lg = LEDGERS[ledger_key]
    labels = lg.labels
    table = lg.model.__tablename__
    lines = []
    for e in session.scalars(select(AuditEntry).where(AuditEntry.table_name == table,
                                                      AuditEntry.record_id == record_id).order_by(AuditEntry.id)):
        head = f"{e.at:%Y-%m-%d %H:%M}　{e.actor}　{e.action}"
        if e.action == "修改":
            changes = [f"{labels.get(k, k)}：{_v((e.before or {}).get(k))} → {_v(v)}" for k, v in (e.after or {}).items()
                       if k in labels]
            lines.append(head + ("　" + "；".join(changes) if changes else ""))
        else:
            lines.append(head)
    return lines


def _v(value) -> str:
    if value is None or value == "":
        return "（空）"
    if value is True:
        return "是"
    if value is False:
        return "否"
    text = str(value)
    return text if len(text) <= 30 else text[:28] + "…"
