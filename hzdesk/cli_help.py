"""The command line's help in Chinese, laid out as a terminal shows it.

argparse's own words are looked up through gettext at run time: they are given here in Chinese.
Its layout counts every character as one column, and a terminal gives a Chinese character two:
help beside an option with a Chinese placeholder (--db 路径) started further right than the
others', lines of Chinese ran to twice the terminal's width, and the kinds of `report` were cut
across lines ("secti / ons").
"""

from __future__ import annotations

import argparse

# argparse's own words, in Chinese (it looks them up through gettext at run time).
_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "命令",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个值",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
}
argparse._ = lambda s: _ARGPARSE_ZH.get(s, s)  # type: ignore[attr-defined]


def shown_width(text: str) -> int:
    """Columns a terminal gives the text: two for each Chinese character, one for the rest."""
    from unicodedata import east_asian_width
    return sum(2 if east_asian_width(c) in "WF" else 1 for c in text)


class _ChineseHelp(argparse.HelpFormatter):
    """argparse's help laid out as a terminal shows Chinese. It counts every character as one
    column: help beside an option with a Chinese placeholder (--db 路径) started further right
    than the others', and lines of Chinese ran to twice the terminal's width."""

    def add_argument(self, action) -> None:
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:   # the help column clears the widest option as shown
            shown = shown_width(self._format_action_invocation(action)) + self._current_indent
            self._action_max_length = max(self._action_max_length, shown)

    def _format_action(self, action) -> str:
        text = super()._format_action(action)
        header = self._format_action_invocation(action)
        extra = shown_width(header) - len(header)
        start = text.find(header) + len(header)
        gap = len(text) - start - len(text[start:].lstrip(" "))
        if extra and "\n" not in text[start:start + gap] and gap - extra >= 2:
            text = text[:start] + " " * (gap - extra) + text[start + gap:]
        return text

    def _format_usage(self, usage, actions, groups, prefix) -> str:
        # argparse wraps the usage counting characters: narrower until it fits as shown, and its
        # continued lines moved right by what the Chinese "用法：" takes beyond its length.
        width, text = self._width, super()._format_usage(usage, actions, groups, prefix)
        try:
            while any(shown_width(line) > width for line in text.splitlines()) and self._width > 30:
                self._width -= 2
                text = super()._format_usage(usage, actions, groups, prefix)
        finally:
            self._width = width
        said = prefix if prefix is not None else argparse._("usage: ")
        shift = " " * (shown_width(said) - len(said))
        first, *rest = text.split("\n")
        return "\n".join([first] + [shift + line if line.startswith(" ") else line for line in rest])

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in self._split_lines(text, width - len(indent)))

    def _split_lines(self, text: str, width: int) -> list[str]:
        """Lines of at most `width` columns, cut between words or between Chinese characters."""
        lines: list[str] = []
        for word in self._whitespace_matcher.sub(" ", text).strip().split(" "):
            for i, piece in enumerate(_pieces(word)):
                joined = lines[-1] + (" " if i == 0 else "") + piece if lines else piece
                if lines and shown_width(joined) <= width:
                    lines[-1] = joined
                else:
                    lines.append(piece)
        return lines


#: Chinese punctuation that never begins a line, and brackets that never end one.
_NO_LINE_START = set("、，。；：！？）」』》")
_NO_LINE_END = set("（「『《“")


def _pieces(word: str) -> list[str]:
    """A word cut where a line may break: between Chinese characters (a comma kept with the
    character before it, an opening bracket with the one after), never inside a run of letters
    and digits (--period, 2025-03)."""
    pieces: list[str] = []
    for c in word:
        if pieces and (c in _NO_LINE_START or pieces[-1][-1] in _NO_LINE_END
                       or c.isascii() and pieces[-1][-1].isascii()):
            pieces[-1] += c
        else:
            pieces.append(c)
    return pieces


class ChineseListing(argparse.RawDescriptionHelpFormatter, _ChineseHelp):
    """The same, with a description and epilog printed as written (a list, one item a line)."""


class Parser(argparse.ArgumentParser):
    """Every parser and sub-parser with the help laid out for Chinese (add_subparsers makes its
    parsers of the same class)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _ChineseHelp)
        super().__init__(*args, **kwargs)
