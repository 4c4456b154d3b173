"""Sign boards: what is printed on them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hzdesk.db.models import BoardChief
from hzdesk.errors import ValidationError
from hzdesk.parsing import ParseError, parse_phone
from hzdesk.services.records import get


def set_printed_chiefs(session: Session, board_id: int, chiefs: list[dict[str, Any]]) -> None:
    """Replace the chiefs printed on a board (name, role, level, post, phone), in print order."""
    board = get(session, "sign_board", board_id)
    errors: dict[str, str] = {}
    rows = []
    for i, c in enumerate(chiefs, start=1):
        name = str(c.get("name") or "").strip()
        if not name:
            errors[f"chief{i}"] = f"第 {i} 位河长没有填写姓名"
            continue
        phone = c.get("phone")
        if phone not in (None, ""):
            try:
                phone = parse_phone(phone)
            except ParseError as exc:
                errors[f"chief{i}"] = f"第 {i} 位河长（{name}）：{exc}"
                continue
        rows.append(BoardChief(seq=i, name=name, role=c.get("role"), level=c.get("level"),
                               post=c.get("post"), phone=phone or None))
    if errors:
        raise ValidationError(errors)
    board.printed_chiefs[:] = rows
    session.flush()
