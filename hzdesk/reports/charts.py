"""The charts of the printed reports and the written documents in the bundled Chinese font, told
apart by lightness, hatching and markers as well as hue (offices print in black and white). Each
chart is a matplotlib figure (already let go of by pyplot): the PDFs draw it as vector paths
(`pdf/vector.py`), the Word file takes it as a PNG picture (`png`). matplotlib is imported on
first use."""

from __future__ import annotations

import io

from hzdesk.paths import user_cache_dir
from hzdesk.reports.pdf.fonts import font_path


def _pyplot():
    import logging
    import os

    # matplotlib keeps the list of the PC's fonts in its config folder: made by reading every
    # installed font (0.33 s for this machine's 126, against 7 ms for reading the kept list; a
    # Windows PC has a few hundred).
    # PyInstaller's hook for matplotlib gave the program a new, empty folder at every start, so
    # every chart paid for that list again (installer.spec leaves the hook out). In hzdesk's own
    # cache folder it is made once per PC; and a matplotlibrc in the user's folders does not
    # change the office's charts. (Only before matplotlib's first import does this count.)
    os.environ.setdefault("MPLCONFIGDIR", str(user_cache_dir() / "matplotlib"))
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


def township_chart(rates: list[tuple[str, float]]):
    """Each township's patrol rate (巡河达标率), in ranking order from the top: horizontal bars."""
    plt = _pyplot()
    items = rates[::-1]
    fig, ax = plt.subplots(figsize=(6.0, 0.4 * len(items) + 0.9), layout="constrained")
    bars = ax.barh([k for k, _ in items], [v * 100 for _, v in items], color=GRAYS[1], edgecolor="black",
                   linewidth=0.6, height=0.55)
    ax.bar_label(bars, labels=[f"{v * 100:.1f}%" for _, v in items], padding=3)
    ax.set_xlabel("巡河达标率（%）")
    ax.set_xlim(0, 118)
    ax.spines[["top", "right"]].set_visible(False)
    plt.close(fig)
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


def map_chart(data):
    """河湖一张图 for the written documents: the same features and styles as the 一张图 tab and the
    printed map page (services/map_data), north up, a scale bar; None when nothing can be mapped."""
    from hzdesk.geo.coords import LocalProjection
    from hzdesk.services.map_data import WATER_COLOURS, WATER_WORDS, point_style

    bounds = data.bounds()
    if bounds is None:
        return None
    plt = _pyplot()
    proj = LocalProjection((bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2)
    fig, ax = plt.subplots(figsize=(6.0, 4.2), layout="constrained")
    shown = set()
    for w in sorted(data.waters, key=lambda x: x.state != "ok"):
        for line in w.lines:
            xy = proj.forward(line)
            ax.plot([p[0] for p in xy], [p[1] for p in xy], color=WATER_COLOURS[w.state],
                    linewidth=1.0 if w.state == "ok" else 1.8, solid_capstyle="round",
                    label=WATER_WORDS[w.state] if w.state not in shown else None)
            shown.add(w.state)
    markers = {"rect": "s", "diamond": "D", "circle": "o", "triangle": "^"}
    groups: dict[tuple[str, str, str], list] = {}
    for p in data.points:
        groups.setdefault(point_style(p), []).append(proj.forward([p.at])[0])
    for (colour, shape, words), pts in groups.items():
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=22, marker=markers.get(shape, "o"), c=colour,
                   edgecolors="white", linewidths=0.4, label=words, zorder=3)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_linewidth(0.6)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    most = (x1 - x0) / 4
    length = max((k * 10 ** e for e in range(0, 6) for k in (1, 2, 5) if k * 10 ** e <= most), default=1)
    ax.plot([x0 + (x1 - x0) * 0.04, x0 + (x1 - x0) * 0.04 + length], [y0 + (y1 - y0) * 0.05] * 2, color="black",
            linewidth=2)
    ax.text(x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.08, f"{length / 1000:g} 公里" if length >= 1000 else f"{length:g} 米",
            fontsize=7)
    ax.text(x1 - (x1 - x0) * 0.04, y1 - (y1 - y0) * 0.08, "北 ↑", fontsize=8, ha="right")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    plt.close(fig)
    return fig
