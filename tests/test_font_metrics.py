"""The bundled font's parsed tables kept between runs (hzdesk/reports/pdf/font_metrics.py)."""

import io
import os

import pytest

from hzdesk.reports.pdf import font_metrics
from hzdesk.reports.pdf.fonts import font_path


def _parsed(name="Parsed"):
    from reportlab.pdfbase.ttfonts import TTFont
    return TTFont(name, str(font_path()))


def _pdf(font) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen.canvas import Canvas

    pdfmetrics.registerFont(font)
    out = io.BytesIO()
    c = Canvas(out, invariant=1)
    c.setFont(font.fontName, 12)
    c.drawString(50, 700, "清溪镇巡河台账 䶮 堃 ℃ Ⅲ Ⅴ ㎡ 2025年3月5日 ABC 1.5")
    c.drawString(50, 680, f"{c.stringWidth('河长制办公室', font.fontName, 12):.3f}")
    c.showPage()
    c.save()
    return out.getvalue()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setattr(font_metrics, "user_cache_dir", lambda: tmp_path)
    return tmp_path / "fonts"


def test_a_remembered_font_is_the_parsed_font(cache):
    font_metrics.load("First", font_path())            # parses and remembers
    assert len(list(cache.glob("*.metrics"))) == 1
    remembered = font_metrics.load("Remembered", font_path())
    assert type(remembered.face).__name__ == "_RememberedFace"
    parsed = _parsed()
    mine, theirs = vars(remembered.face), vars(parsed.face)
    for key, value in theirs.items():
        if key in ("_pdfScale",):
            continue
        got = getattr(remembered.face, key)
        if key == "hmetrics":
            got = list(got)
        assert font_metrics._same(got, value), key
    assert remembered.face._pdfScale(512) == parsed.face._pdfScale(512)
    assert set(mine) - {"_lazy"} <= set(theirs)
    assert vars(remembered).keys() == vars(parsed).keys()
    # The same page drawn with either: the same bytes, the font subset included.
    assert _pdf(remembered).replace(b"Remembered", b"X") == _pdf(_parsed("Remembered2")).replace(b"Remembered2", b"X")


def test_a_damaged_cache_is_parsed_again_and_rewritten(cache):
    font_metrics.load("A", font_path())
    (kept,) = cache.glob("*.metrics")
    kept.write_bytes(kept.read_bytes()[:1000])
    font = font_metrics.load("B", font_path())
    assert type(font.face).__name__ == "TTFontFace"
    assert font.face.charWidths == _parsed().face.charWidths
    assert type(font_metrics.load("C", font_path()).face).__name__ == "_RememberedFace"


@pytest.mark.parametrize("content", [[1, 2], {"name": ("v", b"x")}, {}, "text"])
def test_a_cache_of_another_shape_is_parsed_again(cache, content):
    import marshal

    font_metrics.load("A", font_path())
    (kept,) = cache.glob("*.metrics")
    whole = marshal.loads(kept.read_bytes())
    kept.write_bytes(marshal.dumps(content))
    font = font_metrics.load("B", font_path())
    assert type(font.face).__name__ == "TTFontFace"
    kept.write_bytes(marshal.dumps({**whole, "unitsPerEm": ("zz", 1)}))    # a value we cannot unpack
    assert type(font_metrics.load("C", font_path()).face).__name__ == "TTFontFace"


def test_another_font_file_does_not_use_the_cache(cache, tmp_path):
    font_metrics.load("A", font_path())
    copy = tmp_path / font_path().name
    copy.write_bytes(font_path().read_bytes())
    os.utime(copy, ns=(1, 1))
    assert font_metrics._cache_file(copy) != font_metrics._cache_file(font_path())
    font = font_metrics.load("B", copy)
    assert type(font.face).__name__ == "TTFontFace"
    assert len(list(cache.glob("*.metrics"))) == 1     # the other file's entry replaced, not piled up


def test_a_folder_that_cannot_be_written_only_costs_the_parse(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("")
    monkeypatch.setattr(font_metrics, "user_cache_dir", lambda: blocked)   # a file where the folder should be
    font = font_metrics.load("A", font_path())
    assert font.face.charWidths[ord("河")] > 0


@pytest.mark.parametrize("platform, env, expected", [
    ("win32", {"LOCALAPPDATA": r"C:\Users\clerk\AppData\Local"}, (r"C:\Users\clerk\AppData\Local", "hzdesk", "cache")),
    ("linux", {"XDG_CACHE_HOME": "/home/clerk/.cache"}, ("/home/clerk/.cache", "hzdesk")),
])
def test_the_cache_is_in_the_users_local_cache_folder_not_the_roaming_one(monkeypatch, platform, env, expected):
    from hzdesk import paths

    monkeypatch.setattr(paths.sys, "platform", platform)
    for name in ("LOCALAPPDATA", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert paths.user_cache_dir() == paths.Path(*expected)
    assert paths.user_cache_dir() != paths.user_data_dir()
