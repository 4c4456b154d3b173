"""The schema revisions this program knows, read from its migration scripts.

Apart from the engine so that the backup module (which refuses a backup from a newer program)
and the engine (which backs up before it upgrades) do not import each other.
"""

from __future__ import annotations

import re
from pathlib import Path

from hzdesk.errors import DatabaseError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def known_revisions() -> tuple[set[str], str]:
    """The migration revisions this program knows, and the newest (head).

    Read from the scripts' `revision = …` / `down_revision = …` lines rather than through Alembic,
    so that opening an up-to-date database does not import Alembic at all (start-up time).
    """
    revisions: dict[str, str | None] = {}
    for script in MIGRATIONS_DIR.joinpath("versions").glob("*.py"):
        text = script.read_text(encoding="utf-8")
        rev = re.search(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", text, re.M)
        down = re.search(r"^down_revision\s*=\s*(?:['\"]([^'\"]+)['\"]|None)", text, re.M)
        if rev:
            revisions[rev.group(1)] = down.group(1) if down else None
    parents = {d for d in revisions.values() if d}
    heads = [r for r in revisions if r not in parents]
    if len(heads) != 1:
        raise DatabaseError(f"程序内的数据库迁移脚本有 {len(heads)} 个分支，请联系开发人员。")
    return set(revisions), heads[0]


def alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg
