"""The statistics report for a period: the office-rules figures as tables and matplotlib charts
(patrol rate per level and per chief, problems by category, the monthly trend), and a draft of
the summary paragraph."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from hzdesk.services.rules import ordered_levels
from hzdesk.files import atomic_output
from hzdesk.db import models as m
from hzdesk.parsing import date_range_cn, format_date_cn
from hzdesk.reports.pdf.fonts import paragraph_font
from hzdesk.reports.pdf.pages import PageNumbers, bound_margins, info, numbered_canvas
from hzdesk.services.settings import get_setting, printed_office
from hzdesk.services.stats import percent, period_stats, report_sentence
from hzdesk.reports.charts import GRAYS, HATCHES, _pyplot


def _chart(fig, width: float):
    """The figure drawn as vector paths and text, in exactly its own proportions (laid out by
    matplotlib's constrained layout, never cropped afterwards, so nothing is stretched)."""
    from hzdesk.reports.pdf.vector import VectorChart

    return VectorChart(fig, width)


def _months(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    out, y, mo = [], start.year, start.month
    while (y, mo) <= (end.year, end.month):
        out.append((y, mo))
        y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
    return out


def draft_paragraph(stats: dict, office: str) -> str:
    p, i, b = stats["patrols"], stats["issues"], stats["boards"]
    return (f"{date_range_cn(dt.date.fromisoformat(stats['period']['start']), dt.date.fromisoformat(stats['period']['end']))}，"
            f"{office}扎实推进河长制工作。"
            + report_sentence(stats)
            + f"本期按规定应巡而未巡河的河长 {p['chiefs_without_patrol']} 人，补录巡河记录 {p['late_entries']} 条；"
            + f"挂账督办问题 {i['parked']} 个；全镇在用河长公示牌 {b['total']} 块，其中需更新 {b['out_of_date']} 块。"
            + "下一步，将继续压实各级河长责任，加强巡河督查，推动问题整改销号。")


def write_summary(session: Session, path: str | os.PathLike, period: tuple[dt.date, dt.date],
                  as_of: dt.date, paragraph: str | None = None, numbers: PageNumbers = PageNumbers()) -> int:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = paragraph_font()
    plt = _pyplot()
    office = printed_office(session)
    margin_left, margin_right = bound_margins(get_setting(session, "binding_margin_mm"), 18)
    room = A4[0] - margin_left - margin_right      # the printed width: tables and charts shrink to it if need be
    start, end = period
    stats = period_stats(session, start, end, as_of)
    p, iss, boards = stats["patrols"], stats["issues"], stats["boards"]
    h1 = ParagraphStyle("h1", fontName=font, fontSize=18, leading=26, alignment=1)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=13, leading=20, spaceBefore=8, spaceAfter=4, keepWithNext=1)
    # Chinese wrapping (a line may break between any two characters, not only at spaces; reportlab's
    # CJK rules keep 。，、 off the start of a line) and justified, as a printed report is.
    body = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=17, firstLineIndent=21, wordWrap="CJK",
                          alignment=4)
    small = ParagraphStyle("s", fontName=font, fontSize=9.5, leading=14, alignment=1)

    def table(rows, widths):
        scale = min(1.0, room / sum(widths))
        t = Table(rows, colWidths=[w * scale for w in widths], repeatRows=1)   # a table that runs on keeps its header
        t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, 9.5), ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                               ("BACKGROUND", (0, 0), (-1, 0), "#E4E4E4"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        return t

    story = [Paragraph("河长制工作统计报表", h1),
             Paragraph(f"{office}　　统计期间：{date_range_cn(start, end)}　　"
                       f"截至：{format_date_cn(as_of)}", small), Spacer(1, 6 * mm),
             Paragraph("一、工作小结", h2),   # 草稿 is for the screen: paper carries the final text
             Paragraph(paragraph or draft_paragraph(stats, office), body),
             Paragraph("二、河长巡河", h2),
             table([["应巡（次）", "完成（次）", "实巡（次）", "巡河率", "补录（条）", "未巡河长（人）", "可疑（条）"],
                    [p["due"], p["credited"], p["done"], percent(p["rate"]), p["late_entries"],
                     p["chiefs_without_patrol"], p["suspicious"]]], [24 * mm] * 7)]

    # Patrol rate per level, and the chiefs furthest behind.
    by_level: dict[str, list[int]] = {}
    for c in p["by_chief"]:
        for level in c["level"].split("、"):
            due_credit = by_level.setdefault(level, [0, 0])
            due_credit[0] += c["due"]
            due_credit[1] += c["credited"]
    if by_level:
        levels = ordered_levels(by_level)
        rates = [by_level[lv][1] / by_level[lv][0] * 100 if by_level[lv][0] else 0 for lv in levels]
        fig, ax = plt.subplots(figsize=(6.4, 2.4), layout="constrained")
        bars = ax.bar(levels, rates, color=GRAYS[1], edgecolor="black", linewidth=0.6, hatch="//", width=0.5)
        ax.bar_label(bars, labels=[f"{r:.1f}%" for r in rates], padding=2)
        ax.set_ylim(0, 110)
        ax.set_ylabel("巡河率（%）")
        ax.set_title("各级河长巡河率")
        story += [Spacer(1, 3 * mm), _chart(fig, min(150 * mm, room))]
        plt.close(fig)
    behind = sorted((c for c in p["by_chief"] if c["due"] and c["credited"] < c["due"]),
                    key=lambda c: (c["credited"] / c["due"], c["name"]))[:25]
    if behind:
        caption = ParagraphStyle("caption", parent=small, keepWithNext=1)   # never alone at a page's foot
        story += [Spacer(1, 2 * mm), Paragraph("未达到巡河要求的河长（按完成率从低到高，最多列 25 人）", caption),
                  table([["姓名", "级别", "电话", "应巡", "完成", "实巡", "完成率"]]
                        + [[c["name"], c["level"], c["phone"] or "", c["due"], c["credited"], c["done"],
                            percent(c["credited"] / c["due"])] for c in behind],
                        [22 * mm, 18 * mm, 30 * mm, 16 * mm, 16 * mm, 16 * mm, 20 * mm])]

    story += [Paragraph("三、问题整改", h2),
              table([["发现", "本期销号", "发现已销号", "整改率", "未办结", "超期", "挂账"],
                     [iss["found"], iss["closed"], iss["rectified_of_found"], percent(iss["rectification_rate"]),
                      iss["open"], iss["overdue"], iss["parked"]]], [24 * mm] * 7)]
    if iss["by_category"]:
        cats = list(iss["by_category"].items())
        top, rest = cats[:7], sum(v for _k, v in cats[7:])
        labels = [k for k, _v in top] + (["其他类别"] if rest else [])
        values = [v for _k, v in top] + ([rest] if rest else [])
        fig, (left, right) = plt.subplots(1, 2, figsize=(7.2, 3.0), layout="constrained",
                                          gridspec_kw={"width_ratios": [1.15, 1]})
        # A round pie (equal axes), percentages inside, names in a legend beside it: no label
        # lands on another or on the neighbouring chart.
        wedges, _texts, _pct = left.pie(
            values, autopct=lambda v: f"{v:.0f}%" if v >= 5 else "", startangle=90, counterclock=False,
            colors=GRAYS[:len(values)], hatch=HATCHES[:len(values)], pctdistance=0.72,
            wedgeprops={"edgecolor": "black", "linewidth": 0.5}, textprops={"fontsize": 7})
        for pct in _pct:   # a white ground: the figure stays legible over hatching
            pct.set_bbox({"facecolor": "white", "edgecolor": "none", "pad": 0.6})
        left.set_aspect("equal")
        left.legend(wedges, [f"{k} {v}" for k, v in zip(labels, values)], loc="center left",
                    bbox_to_anchor=(1.0, 0.5), fontsize=7, frameon=False)
        left.set_title("问题类别")
        sources = list(iss["by_source"].items())[:8]
        right.barh([k for k, _v in sources][::-1], [v for _k, v in sources][::-1], color=GRAYS[3],
                   edgecolor="black", linewidth=0.5, hatch="..")
        right.set_xlim(left=0)
        right.tick_params(axis="y", labelsize=7)
        right.set_title("问题来源")
        story += [Spacer(1, 3 * mm), _chart(fig, min(165 * mm, room))]
        plt.close(fig)

    # Monthly trend of patrols done and problems found.
    months = _months(start, end)
    if 1 < len(months) <= 36:
        patrol_days = session.scalars(select(m.Patrol.patrol_date).where(
            and_(m.Patrol.patrol_date >= start, m.Patrol.patrol_date <= end))).all()
        found_days = session.scalars(select(m.Problem.found_on).where(
            and_(m.Problem.found_on >= start, m.Problem.found_on <= end))).all()
        pc, fc = Counter((d.year, d.month) for d in patrol_days), Counter((d.year, d.month) for d in found_days)
        labels = [f"{mo}月" if len(months) <= 12 else f"{y % 100}.{mo}" for y, mo in months]
        fig, ax = plt.subplots(figsize=(7.2, 2.8), layout="constrained")
        ax.bar(labels, [pc[k] for k in months], color=GRAYS[1], edgecolor="black", linewidth=0.5, hatch="//",
               label="巡河（次）")
        ax2 = ax.twinx()
        ax2.plot(labels, [fc[k] for k in months], color="black", linestyle="--", marker="o", markersize=4,
                 markerfacecolor="white", label="发现问题（个）")
        ax.set_ylim(bottom=0)            # both axes from zero: no bar or line looks bigger than it is
        ax2.set_ylim(bottom=0, top=max([fc[k] for k in months] + [1]) * 1.15)
        ax.set_ylabel("巡河（次）")
        ax2.set_ylabel("发现问题（个）")
        ax.set_title("逐月巡河与发现问题")
        ax.tick_params(axis="x", labelsize=7)
        handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
        fig.legend(handles, ["巡河（次）", "发现问题（个）"], loc="outside lower center", ncol=2, fontsize=8,
                   frameon=False)    # under the chart, never over the bars
        story += [Paragraph("四、逐月情况", h2), _chart(fig, min(165 * mm, room))]
        plt.close(fig)

    # The last section and the signature line stay on one page: a signature alone on a page
    # signs nothing an inspector can see.
    # 五 onwards: the figures of #16 (organisation, water, plans), each only when the office keeps
    # such records, numbered as they come.
    numerals = iter("五六七八九")
    people, water, plan = stats["people"], stats["water_quality"], stats["plans"]
    if people["by_role"]:
        levels = list(people["chiefs_by_level"].items())
        roles = list(people["by_role"].items())[:8]
        story += [KeepTogether([
            Paragraph(f"{next(numerals)}、组织体系（截至 {format_date_cn(as_of)}）", h2),
            table([[f"{k}河长" for k, _v in levels], [v for _k, v in levels]], [30 * mm] * len(levels)),
            Spacer(1, 2 * mm),
            table([[k for k, _v in roles], [v for _k, v in roles]], [20 * mm] * len(roles))])]
    if water["sections"]:
        from hzdesk.reports.charts import class_chart
        from hzdesk.services.water_quality import monthly_classes

        figure = class_chart(*monthly_classes(session, start, end, as_of))
        width = min(room, 150 * mm)
        story += [KeepTogether([
            Paragraph(f"{next(numerals)}、水质监测", h2),
            table([["监测断面", "有监测结果", "达标", "达标率", "劣Ⅴ类"],
                   [water["sections"], water["sampled"], water["meeting_target"], percent(water["rate"]),
                    water["worse_than_v"]]], [30 * mm] * 5),
            # the classes month by month, by the same rule as the period's class
            *([Spacer(1, 3 * mm), _chart(figure, width),
               Paragraph("各监测断面水质类别逐月变化", small)] if figure is not None else [])])]
    if plan["plans"]:
        story += [KeepTogether([
            Paragraph(f"{next(numerals)}、一河一策", h2),
            table([["实施方案", "任务", "已完成", "超期未完成"],
                   [plan["plans"], plan["tasks"], plan["done"], plan["overdue"]]], [36 * mm] * 4)])]
    by_level = "　".join(f"{k} {v} 块" for k, v in boards["by_level"].items())
    story += [KeepTogether([Paragraph(f"{next(numerals)}、公示牌", h2),
                            table([["在用公示牌", "内容过期", "超过更新时限"],
                                   [boards["total"], boards["out_of_date"], boards["update_overdue"]]], [40 * mm] * 3),
                            *([Paragraph(f"按级别：{by_level}", small)] if by_level else []),
                            Spacer(1, 12 * mm),
                            Paragraph("填报人：____________　　审核人：____________　　日期：______年____月____日",
                                      small)])]

    pages = []
    with atomic_output(path) as tmp:
        SimpleDocTemplate(tmp, pagesize=A4, leftMargin=margin_left, rightMargin=margin_right, topMargin=16 * mm,
                          bottomMargin=18 * mm, **info("河长制工作统计报表", office, f"{start} 至 {end}")).build(
            story, onFirstPage=lambda c, d: pages.append(d.page), onLaterPages=lambda c, d: pages.append(d.page),
            canvasmaker=numbered_canvas(numbers, font, bottom=10 * mm))
    return len(pages)
