"""The charts of the printed reports and the written documents in the bundled Chinese font, told
apart by lightness, hatching and markers as well as hue (offices print in black and white). Each
chart is a matplotlib figure (already let go of by pyplot): the PDFs draw it as vector paths
(`pdf/vector.py`), the Word file takes it as a PNG picture (`png`). matplotlib is imported on
first use."""

from __future__ import annotations

import io

from hzdesk.reports.pdf.fonts import font_path


def _pyplot():
    import logging

    import matplotlib
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # the font has one weight
    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    font_manager.fontManager.addfont(str(font_path()))
    name = font_manager.FontProperties(fname=str(font_path())).get_name()
    plt.rcParams.update({"font.family": name, "axes.unicode_minus": False, "font.size": 9})
    return plt


#: Fills that stay apart on a black-and-white printer: lightness steps and hatching, not hue alone.
GRAYS = ["#3B5E8C", "#9DB7D5", "#D9822B", "#F2C894", "#5B8C3B", "#B9D5A0", "#7F7F7F", "#D0D0D0"]
HATCHES = ["", "//", "..", "xx", "\\\\", "oo", "--", "++"]


def png(fig, dpi: int = 200) -> bytes:
    """The figure as a PNG picture (for Word, which takes no PDF drawing)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def category_chart(by_category: dict[str, int]):
    """Problems found by category, largest first: a horizontal bar chart that prints in grey."""
    plt = _pyplot()
    items = list(by_category.items())[:10][::-1]
    fig, ax = plt.subplots(figsize=(6.0, 0.45 * len(items) + 0.9), layout="constrained")
    bars = ax.barh([k for k, _ in items], [v for _, v in items], color=GRAYS[1], edgecolor="black", linewidth=0.6,
                   height=0.55)
    ax.bar_label(bars, labels=[f"{v} 个" for _, v in items], padding=3)
    ax.set_xlabel("问题数（个）")
    ax.set_xlim(0, max(v for _, v in items) * 1.2 + 0.5)
    ax.spines[["top", "right"]].set_visible(False)
    plt.close(fig)    # pyplot lets go of it; the figure itself stays drawable
    return fig


def class_chart(months: list[tuple[int, int]], sections: list, by_month: dict):
    """水质类别逐月变化: one line per sampled section (up to eight, told apart by marker and dash as
    well as colour, for a black-and-white printer), Ⅰ at the top; None when nothing was sampled."""
    from hzdesk.vocab import WATER_CLASSES

    shown = [q for q in sections if any(by_month[q.section_id])][:8]
    if not shown or not months:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.0), layout="constrained")
    xs = list(range(len(months)))
    for i, q in enumerate(shown):
        ys = [None if c is None else WATER_CLASSES.index(c) for c in by_month[q.section_id]]
        ax.plot(xs, [float("nan") if y is None else y for y in ys], marker="os^Dv<>p"[i], linestyle=["-", "--", ":", "-."][i % 4],
                color=GRAYS[(2 * i) % len(GRAYS)], linewidth=1.2, markersize=4, label=q.name)
    ax.set_yticks(range(len(WATER_CLASSES)), [f"{c}类" for c in WATER_CLASSES])
    ax.set_ylim(len(WATER_CLASSES) - 0.5, -0.5)   # Ⅰ (best) at the top
    step = max(1, len(months) // 12)
    ax.set_xticks(xs[::step], [f"{y}年{m}月" if (i == 0 or m == 1) else f"{m}月"
                               for i, (y, m) in enumerate(months)][::step])
    ax.grid(axis="y", linewidth=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=min(4, len(shown)), frameon=False, fontsize=8)
    plt.close(fig)
    return fig
