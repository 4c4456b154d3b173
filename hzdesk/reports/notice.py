"""The 考核通报: each village's score, grade and rank for a period (#16 point 5), as a document.

Like the 工作总结 it is a list of blocks (`work_summary.Block`) laid out by the same Word and PDF
writers; every number comes from `period_stats(...)["assessment"]`, scored by the scheme in force
(services/assessment.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from hzdesk.parsing import format_date_cn
from hzdesk.periods import period_title
from hzdesk.services.stats import percent
from hzdesk.reports.work_summary import Block, Draft, signed, whose


def compose_notice(session: Session, start: dt.date, end: dt.date, as_of: dt.date) -> Draft:
    from hzdesk.services.assessment import parse_scheme
    from hzdesk.services.settings import get_setting
    from hzdesk.services.stats import period_stats

    office = get_setting(session, "office_name")
    s = period_stats(session, start, end, as_of)
    rows = s["assessment"]
    name = period_title(start, end)
    scheme_text = get_setting(session, "assessment_scheme", on=min(end, as_of))
    scheme = parse_scheme(scheme_text)
    title = f"关于{whose(session, office)}{name}村级河长制工作考核情况的通报"
    day = format_date_cn(as_of)
    blocks = [Block("title", title), Block("note", f"（根据台账数据起草，数据截至{day}）")]
    if not rows:
        blocks.append(Block("para", "河湖名录和公示牌台账中没有登记所在村，无法按村考核。请先在河湖名录的“所在村”"
                                    "或公示牌的“所在村”中填写。"))
    else:
        items = "、".join(f"{k}（{w:g}分）" for k, w in scheme.weights.items() if w)
        deduction = (f"，交办问题超期的每个扣{scheme.overdue_points:g}分、最多扣{scheme.overdue_cap:g}分"
                     if scheme.overdue_points else "")
        blocks.append(Block("para", f"按照本镇河长制工作考核办法，对{len(rows)}个村{name}（{format_date_cn(start)}至"
                                    f"{format_date_cn(end)}）河长制工作进行了考核，考核项目为{items}{deduction}；"
                                    f"{scheme.excellent:g}分及以上为优良，{scheme.passing:g}分及以上为合格，其余为不合格。"
                                    "现将考核结果通报如下。"))
        blocks.append(Block("h1", "一、考核结果"))
        by_grade = {g: [r["unit"] for r in rows if r["grade"] == g] for g in ("优良", "合格", "不合格", "不参评")}
        if not by_grade["不参评"]:
            del by_grade["不参评"]
        blocks.append(Block("para", "；".join(f"{g}{len(v)}个" + (f"：{'、'.join(v)}" if v else "")
                                             for g, v in by_grade.items()) + "。"))
        table = [["排名", "村", "得分", "等次", "巡河率", "整改率", "公示牌更新率", "工作记录（条）", "超期问题（个）"]]
        table += [[str(r["rank"] or "—"), r["unit"], "—" if r["score"] is None else f"{r['score']:g}", r["grade"], percent(r["items"]["巡河率"]),
                   percent(r["items"]["整改率"]), percent(r["items"]["公示牌更新率"]), str(r["work_records"]),
                   str(r["overdue"])] for r in rows]
        blocks.append(Block("table", f"{name}村级河长制工作考核结果", rows=table,
                            widths=[12, 17, 15, 16, 17, 17, 20, 18, 18]))
        blocks.append(Block("h1", "二、有关要求"))
        failing = by_grade["不合格"]
        if failing:
            blocks.append(Block("para", f"考核不合格的{'、'.join(failing)}要对照考核结果查找原因，"
                                        "认真整改，并将整改情况报镇河长办。"))
        blocks.append(Block("para", "“—”表示该村本期没有可考核的内容（如无应巡次数、无交办问题或无在用公示牌），"
                                    "该项不计分，得分按其余项目折算。"))
    return signed(title, office, as_of, blocks, s)
