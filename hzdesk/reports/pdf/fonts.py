"""The bundled Chinese font, registered once and embedded (subset) in every PDF.

No PDF depends on fonts installed on the PC: reportlab's built-in STSong-Light is not embedded
and shows as boxes in viewers without Chinese fonts.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

from hzdesk.errors import HzdeskError

FONT_NAME = "ZenHei"
FONT_FILE = "WenQuanYiZenHei.ttf"


def font_path() -> Path:
    here = Path(__file__).resolve()
    candidates = [here.parents[3] / "resources" / "fonts" / FONT_FILE]  # source tree / editable install
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.insert(0, Path(bundle) / "resources" / "fonts" / FONT_FILE)
    for path in candidates:
        if path.exists():
            return path
    raise HzdeskError(f"找不到打印用的中文字体 {FONT_FILE}，请重新安装本软件。")


@lru_cache(maxsize=1)
def register() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_path())))
    return FONT_NAME
