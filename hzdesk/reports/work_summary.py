"""The 河长制工作总结 drafted from the ledgers (#16 point 6): what it says, written once.

`compose()` turns the period's figures — `period_stats`, the one truth every surface prints — and
the records behind the problems it names into a list of blocks (title, headings, paragraphs,
tables, a chart). The Word file (`docx_writer`) and the PDF (`pdf/document.py`) only lay those
blocks out, so the two say exactly the same thing and every number in them is the `stats --json`
of the same period and as-of date.

How it writes: plain statements of what the ledgers hold, in the structure offices use
(一、工作开展情况及成效 / 二、存在的问题 / 三、下步工作打算). Where a ledger holds nothing for the period it
says so (无) instead of printing zeros as achievements; 存在的问题 are only those the data shows,
named; 下步工作打算 is the office's own text from 设置. The clerk edits the Word file afterwards.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hzdesk.parsing import format_amount, format_date_cn
from hzdesk.periods import period_title
from hzdesk.services.stats import percent

NUMERALS = "一二三四五六七八九十"
#: How many records a sentence names before "等 N 个" (a report names examples, the ledger lists all).
NAMED = 5


@dataclass
class Block:
    kind: str                     # title | note | h1 | h2 | para | table | chart | signature
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)     # table: header first
    widths: list[float] = field(default_factory=list)       # table: relative column widths
    figure: Any = None                                       # chart: a matplotlib figure (reports/charts.py)
    lead: str = ""                                           # para: the bold (楷体) opening of a point


@dataclass
class Draft:
    title: str
    office: str
    as_of: dt.date
    blocks: list[Block]
    stats: dict[str, Any]


def whose(session: Session, office: str) -> str:
    """Whose work a document reports, as its title names it: the township the county's database is
    narrowed to, else the place in the office's name (某某镇河长制办公室 → 某某镇)."""
    from hzdesk.db.township import covers, township_name

    where = covers(session)
    return where if where and where != "全县" else township_name(office)


def _listing(items: list[str], unit: str) -> str:
    shown = "、".join(items[:NAMED])
    return shown + (f"等 {len(items)} {unit}" if len(items) > NAMED else "")


def _amount_phrase(label: str, x: float) -> str:
    """清理垃圾(吨) 15 → 清理垃圾 15 吨 (the unit in brackets moves after the number)."""
    if label.endswith(")") and "(" in label:
        name, unit = label[:-1].split("(", 1)
        return f"{name} {format_amount(x)} {unit}"
    return f"{label} {format_amount(x)}"


def _organisation(s: dict, as_of: str) -> list[Block]:
    people, boards = s["people"], s["boards"]
    out = [Block("h2", "（一）组织体系")]
    chiefs = people["chiefs_by_level"]
    if chiefs:
        total = sum(chiefs.values())
        text = (f"截至{as_of}，全镇在任各级河长 {total} 名，其中"
                + "、".join(f"{level} {n} 名" for level, n in chiefs.items()) + "。")
    else:
        text = f"截至{as_of}，台账中无在任河长记录。"
    others = {r: n for r, n in people["by_role"].items() if r in ("民间河长", "河湖警长", "巡河员", "保洁员", "监督员")}
    if others:
        text += "另有" + "、".join(f"{r} {n} 名" for r, n in others.items()) + "。"
    if boards["total"]:
        text += (f"在用河长公示牌 {boards['total']} 块（" + "、".join(f"{k} {v} 块" for k, v in boards["by_level"].items())
                 + f"），其中牌面信息需更新 {boards['out_of_date']} 块。")
    else:
        text += "台账中无在用河长公示牌记录。"
    out.append(Block("para", text))
    return out


def _patrols(s: dict) -> list[Block]:
    p = s["patrols"]
    out = [Block("h2", "（二）巡河履职")]
    if not p["due"] and not p["done"]:
        return out + [Block("para", "本期台账中无应巡次数和巡河记录。")]
    out.append(Block("para", f"本期各级河长按规定应巡河 {p['due']} 次，按规则计入 {p['credited']} 次，巡河率 "
                             f"{percent(p['rate'])}；台账共记录巡河 {p['done']} 次。"
                             + (f"补录巡河记录 {p['late_entries']} 条。" if p["late_entries"] else "")))
    by_level: dict[str, list[int]] = {}
    for c in p["by_chief"]:
        row = by_level.setdefault(c["level"], [0, 0, 0, 0])
        row[0] += 1
        row[1] += c["due"]
        row[2] += c["credited"]
        row[3] += c["done"]
    if by_level:
        from hzdesk.services.rules import ordered_levels

        rows = [["级别", "河长（人）", "应巡（次）", "计入（次）", "实巡（次）", "巡河率"]]
        for level in ordered_levels(by_level):
            n, due, credited, done = by_level[level]
            rows.append([level, str(n), str(due), str(credited), str(done), percent(credited / due if due else None)])
        out.append(Block("table", "各级河长巡河情况", rows=rows, widths=[3, 2, 2, 2, 2, 2]))
    return out


def _problems(s: dict, as_of: str) -> list[Block]:
    i = s["issues"]
    out = [Block("h2", "（三）问题整改")]
    if not i["found"] and not i["carried_over"]:
        return out + [Block("para", "本期台账中无新发现问题，也无上期结转未办结的问题。")]
    text = ""
    if i["found"]:
        text += (f"本期发现问题 {i['found']} 个（按来源："
                 + "、".join(f"{k} {v} 个" for k, v in i["by_source"].items()) + "），截至" + as_of
                 + f"已整改销号 {i['rectified_of_found']} 个，整改率 {percent(i['rectification_rate'])}。")
    else:
        text += "本期台账中无新发现问题。"
    if i["carried_over"]:
        text += f"上期结转未办结问题 {i['carried_over']} 个。"
    text += f"本期共销号 {i['closed']} 个；截至{as_of}，尚未办结 {i['open']} 个，其中超期 {i['overdue']} 个"
    text += f"，挂账 {i['parked']} 个。" if i["parked"] else "。"
    out.append(Block("para", text))
    if i["by_category"]:
        from hzdesk.reports.charts import category_chart
        out.append(Block("chart", "本期发现问题按类别", figure=category_chart(i["by_category"])))
    if i["by_unit"]:
        rows = [["责任单位", "交办（个）", "已销号（个）", "未办结（个）", "超期（个）"]]
        rows += [[u["unit"], str(u["assigned"]), str(u["closed"]), str(u["open"]), str(u["overdue"])]
                 for u in i["by_unit"]]
        out.append(Block("table", "问题按责任单位办理情况", rows=rows, widths=[3, 2, 2, 2, 2]))
    return out


def _map(details: dict, as_of: str) -> list[Block]:
    """河湖一张图 on the as-of day, when the office has lines or coordinates (#17 point 4)."""
    if details.get("map") is None:
        return []
    return [Block("chart", f"截至{as_of}河湖、公示牌和未办结问题分布", figure=details["map"])]


def _water(s: dict, details: dict) -> list[Block]:
    w = s["water_quality"]
    out = [Block("h2", "（四）水质")]
    if not w["sections"]:
        return out + [Block("para", "台账中无水质监测断面记录。")]
    if not w["sampled"]:
        return out + [Block("para", f"全镇设水质监测断面 {w['sections']} 个，本期台账中无监测结果。")]
    out.append(Block("para", f"全镇设水质监测断面 {w['sections']} 个，本期有监测结果 {w['sampled']} 个，达到水质目标 "
                             f"{w['meeting_target']} 个，达标率 {percent(w['rate'])}"
                             + (f"；劣Ⅴ类断面 {w['worse_than_v']} 个。" if w["worse_than_v"] else "，无劣Ⅴ类断面。")))
    if details.get("class_chart"):
        out.append(Block("chart", "监测断面水质类别逐月变化", figure=details["class_chart"]))
    rows = [["断面名称", "所在河湖", "水质目标", "本期类别", "是否达标"]]
    rows += [[q.name, q.water_body, q.target, q.measured or "未监测",
              "" if q.met is None else ("达标" if q.met else "未达标")] for q in details["sections"]]
    out.append(Block("table", "监测断面水质情况", rows=rows, widths=[4, 4, 2, 2, 2]))
    return out


def _plans(s: dict, as_of: str) -> list[Block]:
    pl = s["plans"]
    out = [Block("h2", "（五）一河一策")]
    if not pl["plans"]:
        return out + [Block("para", "本期台账中无实施中的一河一策方案。")]
    return out + [Block("para", f"本期实施一河一策方案 {pl['plans']} 个，明确任务 {pl['tasks']} 项；截至{as_of}已完成 "
                                f"{pl['done']} 项，超过完成时限未完成 {pl['overdue']} 项。")]


def _work(s: dict) -> list[Block]:
    wk = s["work"]
    out = [Block("h2", "（六）宣传、专项行动与保洁")]
    if not wk["by_kind"] and not wk["quantities"]:
        return out + [Block("para", "本期台账中无工作记录。")]
    text = "本期工作记录：" + "，".join(f"{k} {n} 次" for k, n in wk["by_kind"].items())
    if wk["supervision_sheets"]:
        text += f"（督办函/督查专报中含本程序签发的问题督办单 {wk['supervision_sheets']} 份）"
    text += "；"
    if wk["participants"]:
        text += f"参与 {wk['participants']} 人次；"
    if wk["quantities"]:
        text += "完成" + "，".join(_amount_phrase(k, x) for k, x in wk["quantities"].items()) + "。"
    else:
        text = text.rstrip("；") + "。"
    return out + [Block("para", text)]


def _shortcomings(s: dict, details: dict, as_of: str) -> list[Block]:
    """二、存在的问题: only what the data shows, with names."""
    points: list[tuple[str, str]] = []
    behind = [c for c in s["patrols"]["by_chief"] if c["due"] and c["credited"] < c["due"]]
    if behind:
        points.append(("部分河长巡河未达到规定次数。",
                       f"本期 {len(behind)} 名河长按规则计入的巡河次数少于应巡次数："
                       + _listing([f"{c['name']}（{c['level']}，{c['credited']}/{c['due']} 次）" for c in behind], "人")
                       + "。"))
    overdue = details["overdue"]
    if overdue:
        points.append(("部分问题整改超期。",
                       f"截至{as_of}，超过整改时限仍未办结的问题 {len(overdue)} 个，超期最久的是："
                       + _listing([f"{o['number']}（{o['water']}，整改时限{o['deadline']}，已超期 {o['days']} 天）"
                                   for o in overdue], "个") + "。"))
    stale = details["boards"]
    if stale:
        points.append(("部分河长公示牌信息未及时更新。",
                       f"截至{as_of}，{len(stale)} 块公示牌牌面河长与在任河长不一致："
                       + _listing([f"{b.code}（{b.water_body}）" for b in stale], "块") + "。"))
    missed = [q for q in details["sections"] if q.met is False]
    if missed:
        points.append(("部分断面水质未达到目标。",
                       "本期未达标断面：" + _listing([f"{q.name}（目标{q.target}类，本期{q.measured}类）" for q in missed], "个")
                       + "。"))
    tasks = details["tasks"]
    if tasks:
        points.append(("一河一策部分任务推进滞后。",
                       f"截至{as_of}，{len(tasks)} 项任务超过完成时限仍未完成："
                       + _listing([f"{t['water']}“{t['content']}”（{t['unit'] or '未定责任单位'}，时限{t['deadline']}）"
                                   for t in tasks], "项") + "。"))
    out = [Block("h1", "二、存在的问题")]
    recorded = (s["patrols"]["due"] or s["patrols"]["done"] or s["issues"]["found"] or s["issues"]["carried_over"]
                or s["boards"]["total"] or s["water_quality"]["sampled"] or s["plans"]["tasks"])
    if not points and not recorded:   # nothing recorded is not "nothing wrong"
        return out + [Block("para", "本期台账中无巡河、问题、公示牌、水质和一河一策任务记录，无法据以分析存在的问题。")]
    if not points:
        return out + [Block("para", "从台账记录看，本期巡河、问题整改、公示牌、水质和一河一策任务均无需要列出的问题。")]
    for n, (lead, text) in enumerate(points):
        out.append(Block("para", text, lead=f"（{NUMERALS[n]}）{lead}"))
    return out


def _next_steps(text: str) -> list[Block]:
    out = [Block("h1", "三、下步工作打算")]
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        return out + [Block("para", "（请在 设置 → 基本设置 → 工作总结“下步工作打算” 中填写，或在本文件中直接撰写。）")]
    for n, line in enumerate(lines):
        head, sep, rest = line.partition("。")
        if sep and rest:   # "压实河长责任。督促……": the first sentence leads the point, as offices write it
            out.append(Block("para", rest, lead=f"（{NUMERALS[n % 10]}）{head}。"))
        else:
            out.append(Block("para", line, lead=f"（{NUMERALS[n % 10]}）"))
    return out


def _details(session: Session, start: dt.date, end: dt.date, as_of: dt.date, figures) -> dict:
    """The records the draft names: overdue problems (oldest deadline first), boards out of date,
    sections and their classes, overdue plan tasks — each by the rule its figure is counted by."""
    from hzdesk.db import models as m
    from hzdesk.services.plans import TASK_KINDS, task_overdue
    from hzdesk.services.water_quality import section_quality

    from hzdesk.reports.charts import map_chart
    from hzdesk.services.map_data import map_data

    pp = figures.problems   # the period's problems as stats counted them
    overdue = []
    if pp.overdue:
        for number, water, deadline in session.execute(
                select(m.Problem.number, m.WaterBody.name, m.Problem.deadline)
                .join(m.WaterBody, m.WaterBody.id == m.Problem.water_body_id)
                .where(m.Problem.id.in_(pp.overdue)).order_by(m.Problem.deadline, m.Problem.id)):
            overdue.append({"number": number, "water": water, "deadline": format_date_cn(deadline),
                            "days": (as_of - deadline).days})
    tasks = []
    for water, content, unit, deadline, status, done_on in session.execute(
            select(m.WaterBody.name, m.PlanItem.content, m.PlanItem.responsible_unit, m.PlanItem.deadline,
                   m.PlanItem.status, m.PlanItem.done_on)
            .join(m.RiverPlan, m.RiverPlan.id == m.PlanItem.plan_id)
            .join(m.WaterBody, m.WaterBody.id == m.RiverPlan.water_body_id)
            .where(m.RiverPlan.period_start <= end, m.RiverPlan.period_end >= start, m.PlanItem.kind.in_(TASK_KINDS))
            .order_by(m.PlanItem.deadline, m.PlanItem.id)):
        if task_overdue(status, done_on, deadline, as_of):
            tasks.append({"water": water, "content": content, "unit": unit, "deadline": format_date_cn(deadline)})
    from hzdesk.services.water_quality import monthly_classes

    from hzdesk.reports.charts import class_chart

    return {"overdue": overdue, "tasks": tasks, "class_chart": class_chart(*monthly_classes(session, start, end, as_of)),
            "boards": [b for b in figures.boards if b.out_of_date],
            "sections": section_quality(session, start, end, as_of),
            "map": map_chart(map_data(session, min(end, as_of)))}


_LOOSE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[0-9A-Za-z])|(?<=[0-9A-Za-z%])\s+(?=[\u3000-\u9fff\uff00-\uffef㎡])")


def tight(text: str) -> str:
    """A document sets numbers in the text without spaces (250次, not 250 次; the screen's
    summaries space them for reading); a line then never starts with the ，after a number."""
    return _LOOSE.sub("", text)


def compose(session: Session, start: dt.date, end: dt.date, as_of: dt.date) -> Draft:
    from hzdesk.services.settings import get_setting
    from hzdesk.services.stats import period_figures

    office = get_setting(session, "office_name")
    figures = period_figures(session, start, end, as_of)
    s = figures.stats
    details = _details(session, start, end, as_of, figures)
    title = f"{whose(session, office)}{period_title(start, end)}河长制工作总结"
    day = format_date_cn(as_of)
    blocks = [Block("title", title),
              Block("note", f"（根据台账数据起草，数据截至{day}）"),
              Block("para", f"现将{period_title(start, end)}（{format_date_cn(start)}至{format_date_cn(end)}）"
                            "河长制工作情况总结如下。"),
              Block("h1", "一、工作开展情况及成效"),
              *_organisation(s, day), *_patrols(s), *_problems(s, day), *_map(details, day), *_water(s, details),
              *_plans(s, day),
              *_work(s),
              *_shortcomings(s, details, day),
              *_next_steps(get_setting(session, "summary_next_steps"))]
    return signed(title, office, as_of, blocks, s)


def signed(title: str, office: str, as_of: dt.date, blocks: list[Block], stats: dict[str, Any]) -> Draft:
    """A document's blocks finished the one way: signed by the office and dated, its paragraphs'
    numbers set tight, its tables and charts numbered."""
    blocks = [*blocks, Block("signature", office), Block("signature", format_date_cn(as_of))]
    for b in blocks:
        if b.kind == "para":
            b.text, b.lead = tight(b.text), tight(b.lead)
    return Draft(title, office, as_of, number_captions(blocks), stats)


def number_captions(blocks: list[Block]) -> list[Block]:
    """表1, 表2 … and 图1, 图2 … in the order they come (a table or chart the data does not call
    for is left out, and the numbers close up)."""
    counts = {"table": 0, "chart": 0}
    for b in blocks:
        if b.kind in counts:
            counts[b.kind] += 1
            b.text = f"{'表' if b.kind == 'table' else '图'}{counts[b.kind]}　{b.text}"
    return blocks
