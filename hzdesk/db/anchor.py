"""The audit chain's head, kept outside the database (#15 point 4).

The chain in `audit_entry` proves each entry follows the one before it; it cannot prove that the
newest entries were not cut off, nor that someone with the file did not rewrite history and chain
it all again. So after every commit the chain's head (how many entries, the last one's id and
hash) is written to a small file beside the database, `<名称>.db.chain`, and `check` compares: a
head that is missing from the chain means it was truncated, a head whose hash differs means it was
rewritten. The same head is printed on the binder's cover as its 留痕校验码, an anchor on paper.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from sqlalchemy import Connection, text


def anchor_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".chain")


def chain_head(conn: Connection) -> dict:
    last_id, last_hash = conn.execute(text(
        "SELECT id, entry_hash FROM audit_entry ORDER BY id DESC LIMIT 1")).first() or (0, "")
    count = conn.execute(text("SELECT count(*) FROM audit_entry")).scalar()
    return {"count": count, "last_id": last_id, "last_hash": last_hash}


def code(head: dict) -> str:
    """The head as a clerk can copy it onto paper: 第 N 条 ABCD-EF01-2345."""
    h = (head.get("last_hash") or "").upper()
    return f"第 {head.get('last_id', 0)} 条 {h[:4]}-{h[4:8]}-{h[8:12]}" if h else "（尚无留痕）"


_written: dict[str, dict] = {}


def write_anchor(db_path: Path, head: dict) -> None:
    """Replace the file beside the database with `head` (unchanged heads are not written again)."""
    key = str(db_path)
    if _written.get(key) == head:
        return
    path = anchor_path(db_path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(head, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _written[key] = head
    except OSError:
        pass   # a read-only folder: the chain itself still stands; `check` says the anchor is missing


def read_anchor(db_path: Path) -> dict | None:
    try:
        head = json.loads(anchor_path(db_path).read_text(encoding="utf-8"))
        return head if isinstance(head, dict) else None
    except (OSError, ValueError):
        return None


def verify_anchor(conn: Connection, head: dict | None) -> list[str]:
    """What the chain in the database says against the head kept outside (empty: they agree)."""
    if head is None:
        return ["留痕的外部校验文件（.chain）不见了：无法确认留痕末尾是否被截断。"]
    last_id = int(head.get("last_id") or 0)
    if last_id == 0:
        return []
    found = conn.execute(text("SELECT entry_hash FROM audit_entry WHERE id = :i"), {"i": last_id}).scalar()
    if found is None:
        return [f"留痕被截断：外部校验记录到{code(head)}，数据库中已没有这一条。"]
    if found != head.get("last_hash"):
        return [f"留痕被改写：{code(head)}的校验码与外部记录不符（数据库中为 {found[:12].upper()}）。"]
    before = conn.execute(text("SELECT count(*) FROM audit_entry WHERE id <= :i"), {"i": last_id}).scalar()
    if before != head.get("count"):
        return [f"留痕被删改：外部记录到第 {last_id} 条时共 {head.get('count')} 条，数据库中现为 {before} 条。"]
    return []
