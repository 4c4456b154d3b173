"""The bundled font's parsed tables, remembered between runs of the program.

reportlab reads a TrueType font's tables (42,000 characters: their glyphs, widths and positions)
in pure Python every time a process registers it: 67 ms on the machine the benchmark runs on,
several times that on an old office PC, paid by every printed ledger and report before its first
line. What the parse produces is the same every time for the same file, so the first run keeps it
in the user's cache folder as plain arrays of numbers, and later runs read it back in about a
fifth of the time.

Nothing depends on the cache being there or being right: another font file, another reportlab or
Python, a damaged or half-written file, a folder that cannot be written — and the font is parsed
as before. A cache is written only when reading it back gives exactly what the parse gave.
"""

from __future__ import annotations

import marshal
import os
import sys
import tempfile
from array import array
from collections.abc import Sequence
from fnmatch import fnmatch
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from hzdesk.paths import user_cache_dir

#: Raised when the layout of the remembered file changes: older files are then ignored.
FORMAT = 1

# How each kind of value is kept: the big tables as machine arrays (read back at C speed), the
# rest as marshal keeps it. The tag is the first item of each kept value.
_INTS, _NUMBERS, _INT_LISTS, _INT_LIST, _INT_PAIRS, _NAME, _PLAIN = "ii", "if", "il", "l", "p", "n", "v"


def load(name: str, path: Path):
    """reportlab's TTFont for the font file at `path`, registered under `name` by the caller:
    from the remembered tables when they fit this file, else parsed (and remembered)."""
    from reportlab.pdfbase.ttfonts import TTFont

    cache = _cache_file(path)
    face = _remembered_face(path, cache)
    if face is not None:
        return _font(name, face)
    font = TTFont(name, str(path))
    _remember(font.face, cache, path.stem)
    return font


def _cache_file(path: Path) -> Path | None:
    """The cache's file name says everything the parse depends on: this font file as it is now
    (size, modification time), reportlab's and Python's versions (marshal's format is Python's
    own) and this module's format."""
    import reportlab

    try:
        st = path.stat()
    except OSError:
        return None
    key = (f"{path.stem}-{st.st_size}-{st.st_mtime_ns}-rl{reportlab.Version}"
           f"-py{sys.version_info[0]}{sys.version_info[1]}-f{FORMAT}")
    return user_cache_dir() / "fonts" / f"{key}.metrics"


def _remembered_face(path: Path, cache: Path | None):
    if cache is None:
        return None
    try:
        kept = marshal.loads(cache.read_bytes())
        if not isinstance(kept, dict) or not _NEEDED <= kept.keys():
            return None     # not a file this module wrote
        # Only the shaping of scripts such as Arabic asks which characters a glyph stands for;
        # its 42,000 lists are made if it ever does (_RememberedFace.__getattr__).
        lazy = {key: kept.pop(key) for key in _ON_FIRST_USE if key in kept}
        metrics = kept.pop("hmetrics")
        state = {key: _unpacked(value) for key, value in kept.items()}
        state["hmetrics"] = (_Pairs(*(_uncolumn(c) for c in metrics[1:])) if metrics[0] == _INT_PAIRS
                             else _unpacked(metrics))
        data = path.read_bytes()        # the glyphs themselves: subsets are cut from them
        return _face(state, lazy, data)
    except Exception:   # noqa: BLE001 - whatever is wrong with a cache, the parse is the answer
        return None


#: What every face has and every ledger uses: a cache without one of them is not ours.
_NEEDED = {"name", "unitsPerEm", "table", "tables", "charToGlyph", "charWidths", "hmetrics", "glyphPos",
           "defaultWidth", "ascent", "descent"}

#: Tables read back only when something asks for them.
_ON_FIRST_USE = ("glyphToChar",)


def _face(state: dict[str, Any], lazy: dict[str, tuple], data: bytes):
    face = _remembered_face_class().__new__(_remembered_face_class())
    face.__dict__.update(state)
    face._lazy = lazy
    face._ttf_data = data
    face._pdfScale = _scale(face.unitsPerEm)
    # The table directory and its list name the same records (as the parse leaves them).
    face.tables = [face.table.get(t["tag"], t) for t in face.tables]
    return face


@lru_cache(maxsize=1)
def _remembered_face_class():
    from reportlab.pdfbase.ttfonts import TTFontFace

    class _RememberedFace(TTFontFace):
        """A face read from the cache; a table kept packed is unpacked the first time it is asked for."""

        def __getattr__(self, name: str):
            lazy = self.__dict__.get("_lazy", {})
            if name not in lazy:
                raise AttributeError(name)
            value = self.__dict__[name] = _unpacked(lazy.pop(name))
            return value

    return _RememberedFace


class _Pairs(Sequence):
    """The horizontal metrics as reportlab reads them — one glyph's (advance, side bearing) at a
    time, for the glyphs a subset holds — without making 45,000 tuples first."""

    __slots__ = ("_advances", "_bearings")

    def __init__(self, advances: list, bearings: list):
        self._advances, self._bearings = advances, bearings

    def __getitem__(self, i):
        if isinstance(i, slice):
            return list(zip(self._advances[i], self._bearings[i]))
        return self._advances[i], self._bearings[i]

    def __len__(self) -> int:
        return len(self._advances)


def _scale(units_per_em: int):
    """Font units → PDF's thousandths of the size, as TTFontFile.extractInfo sets `_pdfScale`."""
    if units_per_em == 1000:
        return lambda x: x
    factor = 1000 / units_per_em
    return lambda x: x * factor


def _font(name: str, face):
    """A TTFont around a face already read: what TTFont.__init__ does after its parse."""
    from reportlab import rl_config
    from reportlab.pdfbase.ttfonts import TTEncoding, TTFont, unShapedFontGlob

    font = TTFont.__new__(TTFont)
    font.fontName = name
    font.face = face
    font.encoding = TTEncoding()
    font.state = WeakKeyDictionary()
    font._asciiReadable = rl_config.ttfAsciiReadable
    font.shapable = not any(fnmatch(name, pattern) for pattern in unShapedFontGlob)
    return font


def _remember(face, cache: Path | None, stem: str) -> None:
    if cache is None:
        return
    state = {k: v for k, v in vars(face).items() if k not in ("_ttf_data", "_pdfScale")}
    try:
        kept = {key: _packed(value) for key, value in state.items()}
        blob = marshal.dumps(kept)
        back = {key: _unpacked(value) for key, value in marshal.loads(blob).items()}
    except (ValueError, TypeError, OverflowError):
        return      # a value we cannot keep exactly (a newer reportlab's): parse every time
    if not _same(back, state):
        return
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        for old in cache.parent.glob(f"{stem}-*.metrics"):
            old.unlink(missing_ok=True)       # another version's or another file's
        # Written beside and then renamed: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=cache.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, cache)
    except OSError:
        pass        # a read-only or full disk: the next run parses again


def _packed(value: Any) -> tuple:
    from reportlab.pdfbase.ttfonts import TTFNameBytes

    if type(value) is TTFNameBytes:
        return (_NAME, bytes(value))
    if type(value) is dict and value and all(type(k) is int for k in value):
        keys, values = _ints(value), list(value.values())
        if all(type(v) is float for v in values):                  # widths
            return (_NUMBERS, keys, array("d", values).tobytes())
        if all(type(v) in (int, float) for v in values):           # glyph numbers
            return (_INTS, keys, _column(values))
        if all(type(v) is list and all(type(x) is int for x in v) for v in values):   # characters of a glyph
            return (_INT_LISTS, keys, _ints([len(v) for v in values]), _ints([x for v in values for x in v]))
    if type(value) is list and value:
        if all(type(v) in (int, float) for v in value):           # glyph positions, the box
            return (_INT_LIST, _column(value))
        if all(type(v) is tuple and len(v) == 2 and all(type(x) in (int, float) for x in v) for v in value):
            return (_INT_PAIRS, _column([v[0] for v in value]), _column([v[1] for v in value]))   # advance, bearing
    return (_PLAIN, value)


def _unpacked(kept: tuple) -> Any:
    tag = kept[0]
    if tag == _PLAIN:
        return kept[1]
    if tag == _NAME:
        from reportlab.pdfbase.ttfonts import TTFNameBytes
        return TTFNameBytes(kept[1])
    if tag == _NUMBERS:
        return dict(zip(_array("q", kept[1]), _array("d", kept[2])))
    if tag == _INTS:
        return dict(zip(_array("q", kept[1]), _uncolumn(kept[2])))
    if tag == _INT_LISTS:
        flat, lengths = _array("q", kept[3]), _array("q", kept[2])
        return dict(zip(_array("q", kept[1]), [flat[at - n:at] for n, at in zip(lengths, accumulate(lengths))]))
    if tag == _INT_LIST:
        return _uncolumn(kept[1])
    if tag == _INT_PAIRS:
        return list(zip(_uncolumn(kept[1]), _uncolumn(kept[2])))
    raise ValueError(tag)


def _ints(values) -> bytes:
    return array("q", values).tobytes()


def _column(values: list) -> tuple[bytes, dict[int, float]]:
    """Numbers that are nearly all whole: the whole ones as an array, the few others (a float
    advance among 45,000 glyphs) by their place — each keeps its type."""
    others = {i: v for i, v in enumerate(values) if type(v) is not int}
    return _ints([0 if i in others else v for i, v in enumerate(values)]), others


def _uncolumn(kept: tuple[bytes, dict[int, float]]) -> list:
    values = _array("q", kept[0])
    for i, v in kept[1].items():
        values[i] = v
    return values


def _array(code: str, data: bytes) -> list:
    a = array(code)
    a.frombytes(data)
    return a.tolist()


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (1 and 1.0 are equal but print differently)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b
