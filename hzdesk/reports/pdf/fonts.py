"""The bundled Chinese font, registered once and embedded (subset) in every PDF.

No PDF depends on fonts installed on the PC: reportlab's built-in STSong-Light is not embedded
and shows as boxes in viewers without Chinese fonts.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from hzdesk.errors import HzdeskError
from hzdesk.paths import resource

FONT_NAME = "ZenHei"
FONT_FILE = "WenQuanYiZenHei.ttf"


def font_path() -> Path:
    path = resource("fonts", FONT_FILE)
    if not path.exists():
        raise HzdeskError(f"找不到打印用的中文字体 {FONT_FILE}，请重新安装本软件。")
    return path


@lru_cache(maxsize=1)
def register() -> str:
    from reportlab.pdfbase import pdfmetrics

    from reportlab import rl_config
    from hzdesk.reports.pdf import font_metrics

    pdfmetrics.registerFont(font_metrics.load(FONT_NAME, font_path()))
    # A canvas starts in its base font and names it in every PDF even if nothing is drawn in it:
    # with reportlab's Helvetica that is a font not embedded, which preflight checks reject.
    rl_config.canvas_basefontname = FONT_NAME
    # Page streams compressed only, not also spelled out in ASCII85 (reportlab's default, for
    # mail that carried 7-bit text): files some 18 % smaller, and sooner written.
    rl_config.useA85 = 0
    return FONT_NAME


#: Full-width punctuation that may not start a line (避头). reportlab's CJK wrapping knows 、。）
#: and the ASCII marks but not ，；：？！ or closing quotes, so a paragraph could put "，巡河率" at
#: the start of a line; its lists are module globals, extended once here for every Paragraph.
NO_LINE_START = "，；：？！”’》」』〉"


def paragraph_font() -> str:
    """The font for reports set in reportlab's paragraphs (platypus), their line breaking taught
    the Chinese rules first. The ledgers draw on the canvas and need neither: importing platypus
    cost every ledger command 0.07 s."""
    _chinese_line_rules()
    return register()


@lru_cache(maxsize=1)
def _chinese_line_rules() -> None:
    # Both copies: a one-run paragraph is split by textsplit's, a mixed one by paragraph's.
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    for module in (textsplit, paragraph):
        missing = "".join(c for c in NO_LINE_START if c not in module.ALL_CANNOT_START)
        if missing:
            module.ALL_CANNOT_START += missing
