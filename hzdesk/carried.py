"""The libraries the program carries, by distribution name, and the versions it actually runs.

One list for two readers: installer.spec copies each one's metadata into the bundle, and
`hzdesk selfcheck` prints their versions — so a clerk's support call and a build log name the
exact build (the versions themselves are pinned in requirements.lock).
"""

from __future__ import annotations

CARRIED = (
    "PySide6-Essentials", "SQLAlchemy", "alembic", "matplotlib", "numpy", "openpyxl", "python-calamine",
    "reportlab", "rl_accel", "pypdf", "pypdfium2", "Pillow", "pillow-heif", "pypinyin", "defusedxml", "filelock",
    "python-docx", "lxml", "pyshp", "psycopg", "psycopg-binary",
)


def carried_versions() -> list[tuple[str, str]]:
    """(distribution, version) for each carried library; "未找到" when its metadata is missing."""
    from importlib import metadata

    out = []
    for name in CARRIED:
        try:
            out.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            out.append((name, "未找到"))
    return out
