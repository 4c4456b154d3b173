"""The statistics report for a period: the office-rules figures as tables and matplotlib charts
(patrol rate per level and per chief, problems by category, the monthly trend), and a draft of
the summary paragraph."""

from __future__ import annotations

import datetime as dt
import io
import os
from collections import Counter

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from hzdesk.services.rules import ordered_levels
from hzdesk.files import atomic_output
from hzdesk.db import models as m
from hzdesk.parsing import format_date_cn
from hzdesk.reports.pdf.fonts import font_path, register
from hzdesk.reports.pdf.pages import PageNumbers, info, numbered_canvas
from hzdesk.services.settings import get_setting
from hzdesk.services.stats import percent, period_stats, report_sentence


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


def _png(fig) -> io.BytesIO:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight")
    buf.seek(0)
    return buf


def _months(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    out, y, mo = [], start.year, start.month
    while (y, mo) <= (end.year, end.month):
        out.append((y, mo))
        y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
    return out


def draft_paragraph(stats: dict, office: str) -> str:
    p, i, b = stats["patrols"], stats["issues"], stats["boards"]
    return (f"{stats['period']['start']}至{stats['period']['end']}，{office}扎实推进河长制工作。"
            + report_sentence(stats) + "。"
            + f"本期按规定应巡而未巡河的河长 {p['chiefs_without_patrol']} 人，补录巡河记录 {p['late_entries']} 条；"
            + f"挂账督办问题 {i['parked']} 个；全镇在用河长公示牌 {b['total']} 块，其中需更新 {b['out_of_date']} 块。"
            + "下一步，将继续压实各级河长责任，加强巡河督查，推动问题整改销号。")


def write_summary(session: Session, path: str | os.PathLike, period: tuple[dt.date, dt.date],
                  as_of: dt.date, paragraph: str | None = None, numbers: PageNumbers = PageNumbers()) -> int:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = register()
    plt = _pyplot()
    office = get_setting(session, "office_name")
    start, end = period
    stats = period_stats(session, start, end, as_of)
    p, iss, boards = stats["patrols"], stats["issues"], stats["boards"]
    h1 = ParagraphStyle("h1", fontName=font, fontSize=18, leading=26, alignment=1)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=13, leading=20, spaceBefore=8, spaceAfter=4, keepWithNext=1)
    body = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=17, firstLineIndent=21)
    small = ParagraphStyle("s", fontName=font, fontSize=9.5, leading=14, alignment=1)

    def table(rows, widths):
        t = Table(rows, colWidths=widths)
        t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, 9.5), ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                               ("BACKGROUND", (0, 0), (-1, 0), "#E4E4E4"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        return t

    story = [Paragraph("河长制工作统计报表", h1),
             Paragraph(f"{office}　　统计期间：{format_date_cn(start)}至{format_date_cn(end)}　　"
                       f"截至：{format_date_cn(as_of)}", small), Spacer(1, 6 * mm),
             Paragraph("一、工作小结（草稿）", h2),
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
        fig, ax = plt.subplots(figsize=(6.4, 2.4))
        bars = ax.bar(levels, rates, color="#4A7EBB", width=0.5)
        ax.bar_label(bars, labels=[f"{r:.1f}%" for r in rates], padding=2)
        ax.set_ylim(0, 110)
        ax.set_ylabel("巡河率（%）")
        ax.set_title("各级河长巡河率")
        story += [Spacer(1, 3 * mm), Image(_png(fig), width=150 * mm, height=56 * mm)]
        plt.close(fig)
    behind = sorted((c for c in p["by_chief"] if c["due"] and c["credited"] < c["due"]),
                    key=lambda c: (c["credited"] / c["due"], c["name"]))[:25]
    if behind:
        story += [Spacer(1, 2 * mm), Paragraph("未达到巡河要求的河长（按完成率从低到高，最多列 25 人）", small),
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
        fig, (left, right) = plt.subplots(1, 2, figsize=(7.2, 2.9))
        left.pie(values, labels=labels, autopct="%1.0f%%", startangle=90, counterclock=False, textprops={"fontsize": 8})
        left.set_title("问题类别")
        sources = list(iss["by_source"].items())[:8]
        right.barh([k for k, _v in sources][::-1], [v for _k, v in sources][::-1], color="#D9822B")
        right.set_title("问题来源")
        story += [Spacer(1, 3 * mm), Image(_png(fig), width=165 * mm, height=66 * mm)]
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
        fig, ax = plt.subplots(figsize=(7.2, 2.6))
        ax.bar(labels, [pc[k] for k in months], color="#4A7EBB", label="巡河（次）")
        ax2 = ax.twinx()
        ax2.plot(labels, [fc[k] for k in months], color="#C0392B", marker="o", label="发现问题（个）")
        ax.set_title("逐月巡河与发现问题")
        ax.tick_params(axis="x", labelsize=7)
        handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
        ax.legend(handles, ["巡河（次）", "发现问题（个）"], loc="upper left", fontsize=8)
        story += [Paragraph("四、逐月情况", h2), Image(_png(fig), width=165 * mm, height=60 * mm)]
        plt.close(fig)

    story += [Paragraph("五、公示牌", h2),
              table([["在用公示牌", "内容过期", "超过更新时限"], [boards["total"], boards["out_of_date"],
                                                          boards["update_overdue"]]], [40 * mm] * 3),
              Spacer(1, 12 * mm),
              Paragraph("填报人：____________　　审核人：____________　　日期：______年____月____日", small)]

    pages = []
    with atomic_output(path) as tmp:
        SimpleDocTemplate(tmp, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                          bottomMargin=18 * mm, **info("河长制工作统计报表", office, f"{start} 至 {end}")).build(
            story, onFirstPage=lambda c, d: pages.append(d.page), onLaterPages=lambda c, d: pages.append(d.page),
            canvasmaker=numbered_canvas(numbers, font, bottom=10 * mm))
    return len(pages)
