"""Where the office's data lives: never inside the program folder."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

DB_FILENAME = "hzdesk.db"


def user_data_dir() -> Path:
    """%APPDATA%\\hzdesk on Windows, ~/Library/Application Support/hzdesk on macOS,
    $XDG_DATA_HOME/hzdesk (default ~/.local/share/hzdesk) elsewhere."""
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Application Support")
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "hzdesk"


def user_cache_dir() -> Path:
    """What the program can always make again (parsed font tables): %LOCALAPPDATA%\\hzdesk\\cache on
    Windows (not roamed with the user's profile), ~/Library/Caches/hzdesk on macOS,
    $XDG_CACHE_HOME/hzdesk (default ~/.cache/hzdesk) elsewhere."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "hzdesk" / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "hzdesk"
    return Path(os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")) / "hzdesk"


def is_server(target: object) -> bool:
    """Whether `target` (what --db or HZDESK_DB gave) names a PostgreSQL server, not a file."""
    return isinstance(target, str) and re.match(r"(?i)^\s*postgres(ql)?(\+\w+)?://", target) is not None


def default_db_path(cli_value: str | None = None) -> Path | str:
    """--db wins, then the HZDESK_DB environment variable, then the user's data folder. A server's
    URL (postgresql://…) stays a string: as a Path it became a relative folder "postgresql:"."""
    chosen = cli_value or os.environ.get("HZDESK_DB")
    if chosen and is_server(chosen):
        return chosen.strip()
    return Path(chosen).expanduser() if chosen else user_data_dir() / DB_FILENAME


def resource(*parts: str) -> Path:
    """A file under resources/ (fonts, icons): in the installed program's folder, or in the
    source tree when run from a checkout."""
    bundle = getattr(sys, "_MEIPASS", None)
    here = Path(__file__).resolve().parent.parent / "resources"  # source tree / editable install
    for base in ([Path(bundle) / "resources"] if bundle else []) + [here]:
        path = base.joinpath(*parts)
        if path.exists():
            return path
    return here.joinpath(*parts)  # the caller says in Chinese what is missing


def attachments_dir(db_path: Path) -> Path:
    """Where a database keeps its photos and documents: a folder beside it (included in backups)."""
    return db_path.parent / f"{db_path.stem}-附件"
