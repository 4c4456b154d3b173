"""The statistics workbook for the county: the period's figures per chief, per village, per
category and per source, next to the headline figures."""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from hzdesk.files import atomic_output
from hzdesk.db import models as m
from hzdesk.services.stats import period_problems, period_stats
from hzdesk.vocab import ProblemState


def _per_village(session: Session, start: dt.date, end: dt.date, as_of: dt.date) -> list[list]:
    """Patrols and problems on the water bodies each village lies on (a river counts for each).

    Found and 已销号 are the period's new problems (as 汇总's 发现问题 and 本期发现已销号); 超期 is
    over the period's problems, carried-over ones included, in their state on the as-of date (as
    汇总's 超期) — all from the same rules as `stats`."""
    villages: dict[int, list[str]] = {wid: [v for v in (text or "").split("、") if v]
                                      for wid, text in session.execute(select(m.WaterBody.id, m.WaterBody.villages))}
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    last = min(end, as_of)
    for (wid,) in session.execute(select(m.Patrol.water_body_id).where(
            and_(m.Patrol.patrol_date >= start, m.Patrol.patrol_date <= last))):
        for v in villages.get(wid, []):
            rows[v][0] += 1
    pp = period_problems(session, start, end, as_of)
    for pid, wid, found_on in session.execute(
            select(m.Problem.id, m.Problem.water_body_id, m.Problem.found_on)
            .where(m.Problem.found_on <= last)):
        if pid not in pp.states:
            continue
        new_in_period = found_on >= start
        for v in villages.get(wid, []):
            rows[v][1] += new_in_period
            rows[v][2] += new_in_period and pp.states[pid] is ProblemState.CLOSED
            rows[v][3] += pid in pp.overdue
    return [[v, *counts, (counts[2] / counts[1]) if counts[1] else None] for v, counts in sorted(rows.items())]


def write_stats_workbook(path: str | os.PathLike, session: Session, start: dt.date, end: dt.date,
                         as_of: dt.date) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    stats = period_stats(session, start, end, as_of)
    p, i, b = stats["patrols"], stats["issues"], stats["boards"]
    w, pl = stats["water_quality"], stats["plans"]
    wb = Workbook()
    sheets = {
        "汇总": (["项目", "数值"], [
            ["统计期间", f"{start.isoformat()} 至 {end.isoformat()}"], ["截至日期", as_of],
            ["应巡（次）", p["due"]], ["按规则完成（次）", p["credited"]], ["实巡（次）", p["done"]],
            ["巡河率", p["rate"]], ["补录（条）", p["late_entries"]], ["未巡河河长（人）", p["chiefs_without_patrol"]],
            ["发现问题（个）", i["found"]], ["本期销号（个）", i["closed"]], ["本期发现已销号（个）", i["rectified_of_found"]],
            ["整改率", i["rectification_rate"]], ["未办结（个）", i["open"]], ["超期（个）", i["overdue"]],
            ["挂账（个）", i["parked"]], ["在用公示牌（块）", b["total"]], ["内容过期（块）", b["out_of_date"]],
            ["超过更新时限（块）", b["update_overdue"]],
            *[[f"{level}公示牌（块）", n] for level, n in b["by_level"].items()],
            *[[f"{level}河长（人）", n] for level, n in stats["people"]["chiefs_by_level"].items()],
            *[[f"{role}（人）", n] for role, n in stats["people"]["by_role"].items()],
            ["监测断面（个）", w["sections"]], ["有监测结果的断面（个）", w["sampled"]],
            ["水质达标断面（个）", w["meeting_target"]], ["水质达标率", w["rate"]], ["劣Ⅴ类断面（个）", w["worse_than_v"]],
            ["一河一策实施方案（个）", pl["plans"]], ["方案任务（项）", pl["tasks"]], ["任务已完成（项）", pl["done"]],
            ["任务超期未完成（项）", pl["overdue"]],
            *[[f"{kind}（次）", n] for kind, n in stats["work"]["by_kind"].items()],
            *([["其中本程序签发的督办单（份）", stats["work"]["supervision_sheets"]]]
              if stats["work"]["supervision_sheets"] else []),
            *[[label, x] for label, x in stats["work"]["quantities"].items()],
            *([["参与（人次）", stats["work"]["participants"]]] if stats["work"]["participants"] else [])]),
        "河长巡河": (["姓名", "电话", "级别", "应巡", "完成", "实巡", "完成率"],
                 [[c["name"], c["phone"], c["level"], c["due"], c["credited"], c["done"], c["rate"]]
                  for c in p["by_chief"]]),
        "按村统计": (["村（社区）", "巡河（次）", "发现问题", "已销号", "超期", "整改率"],
                 _per_village(session, start, end, as_of)),
        "问题类别": (["类别", "个数"], [[k, v] for k, v in i["by_category"].items()]),
        "问题来源": (["来源", "个数"], [[k, v] for k, v in i["by_source"].items()]),
        "按责任单位": (["责任单位", "交办（个）", "已销号", "未办结", "超期"],
                  [[u["unit"], u["assigned"], u["closed"], u["open"], u["overdue"]] for u in i["by_unit"]]),
        # The scheme in force (设置 → 考核办法) scored each village: services/assessment.py.
        "村级考核": (["排名", "村（社区）", "得分", "等次", "巡河率", "整改率", "公示牌更新率", "工作记录（条）",
                  "超期问题（个）", "扣分"],
                 [[r["rank"], r["unit"], r["score"], r["grade"], r["items"]["巡河率"], r["items"]["整改率"],
                   r["items"]["公示牌更新率"], r["work_records"], r["overdue"], r["deduction"]]
                  for r in stats["assessment"]]),
    }
    first = True
    for name, (headers, rows) in sheets.items():
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = name
        ws.append(headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    cell.data_type = "s"
                elif isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        percent_cols = [j for j, h in enumerate(headers, start=1) if h in ("完成率", "整改率", "巡河率", "公示牌更新率")]
        for row in ws.iter_rows(min_row=2):
            for j in percent_cols:
                row[j - 1].number_format = "0.0%"
            if name == "汇总" and row[0].value in ("巡河率", "整改率", "水质达标率"):
                row[1].number_format = "0.0%"
        for j, h in enumerate(headers, start=1):
            ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = max(12, len(h) * 2 + 4)
        ws.freeze_panes = "A2"
    with atomic_output(path) as tmp:
        wb.save(tmp)
