"""Chinese sort order: names and texts sorted by pinyin (张 after 王? no: 王 wang before 张 zhang),
as a clerk expects from Excel or WPS, not by code point.

`sort_key` is registered as the SQL function `pinyin_key` on every connection (db/engine.py), so
a table of 100,000 patrols is sorted by the patroller's name in the database. Keys are cached per
distinct text: a township has ~1,500 names and a few hundred kinds of text in a column.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from hzdesk.collector import collector_resting


@lru_cache(maxsize=1)
def _pypinyin():
    """pypinyin's `lazy_pinyin` and `Style`, imported on the first sort, not at start-up: reading
    its dictionaries takes 0.1 s. They are some 90,000 lists and dicts kept for good, so the
    collector rests meanwhile instead of walking them again and again as they are made (the
    first sort of `hzdesk stats`: 120 → 105 ms)."""
    with collector_resting():
        from pypinyin import Style, lazy_pinyin
    return lazy_pinyin, Style


@lru_cache(maxsize=50_000)
def sort_key(text: str | None) -> str | None:
    """'欧阳淼' → 'ou yang miao\\x00欧阳淼'; digits and Latin letters keep their place, the text
    itself breaks ties (homophones stay apart and in a stable order)."""
    if text is None:
        return None
    lazy_pinyin, Style = _pypinyin()
    return " ".join(lazy_pinyin(str(text), style=Style.TONE3, errors="default")) + "\x00" + str(text)


@lru_cache(maxsize=5_000)
def initials_and_spelling(text: str) -> tuple[str, str]:
    """'多云' → ('dy', 'duoyun'): what a clerk types to pick a value from a list."""
    lazy_pinyin, Style = _pypinyin()
    syllables = [s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, errors="default") if s.strip()]
    return "".join(s[0] for s in syllables if s), "".join(syllables)



class pinyin_order(GenericFunction):   # noqa: N801 - used as a function: pinyin_order(column)
    """`column` as an ORDER BY term in pinyin order, on either backend: SQLite calls `sort_key`
    (registered on each connection as pinyin_key); a PostgreSQL server sorts by its ICU Chinese
    collation ("zh-x-icu"), which agrees with pypinyin but for the rarer readings of polyphones
    (长江 under zh, not ch)."""

    name = "pinyin_key"
    inherit_cache = True


@compiles(pinyin_order, "postgresql")
def _on_server(element, compiler, **kw):
    return f'({compiler.process(element.clauses, **kw)}) COLLATE "zh-x-icu"'
