"""The county's 排名通报: each township's figures for a period side by side, ranked (#18 point 4).

Laid out by the same Word and PDF writers as the 工作总结 and the 考核通报. Every number is a
township's own `period_stats` (services/county.py) or, for the county's total, `period_stats` over
every township; the ranking's order of precedence is `county.MEASURES`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from hzdesk.parsing import format_date_cn
from hzdesk.periods import period_title
from hzdesk.reports.work_summary import Block, Draft, signed
from hzdesk.services.stats import percent


def _value(measure, value) -> str:
    if value is None:
        return "—"
    return percent(value) if measure.ratio else str(value)


def compose_ranking(session: Session, start: dt.date, end: dt.date, as_of: dt.date) -> Draft:
    from hzdesk.services.county import COUNTS, MEASURES, by_township
    from hzdesk.services.settings import get_setting
    from hzdesk.services.stats import period_stats

    office = get_setting(session, "office_name")
    total = period_stats(session, start, end, as_of)
    rows = by_township(session, start, end, as_of)
    total["by_township"] = rows
    name = period_title(start, end)
    day = format_date_cn(as_of)
    title = f"关于{name}各乡镇河长制工作情况的通报"
    p, i, b = total["patrols"], total["issues"], total["boards"]
    blocks = [Block("title", title), Block("note", f"（根据各乡镇报送的台账汇总起草，数据截至{day}）")]
    blocks.append(Block("para", f"{name}（{format_date_cn(start)}至{format_date_cn(end)}），全县{len(rows)}个乡镇共巡河"
                                f"{p['done']}次，应巡{p['due']}次，按规则计入{p['credited']}次，巡河达标率{percent(p['rate'])}；"
                                f"发现问题{i['found']}个，销号{i['closed']}个，本期发现问题整改率{percent(i['rectification_rate'])}，"
                                f"截至{day}逾期未办结{i['overdue']}个；公示牌{b['total']}块，其中{b['out_of_date']}块"
                                "牌面河长已不在任。现将各乡镇情况通报如下。"))
    blocks.append(Block("h1", "一、各乡镇排名"))
    order = "，".join(f"{m.label.split('（')[0]}{'高' if m.higher_is_better else '少'}者在前" for m in MEASURES)
    blocks.append(Block("para", f"排名依次按{order}；某项无可计算的内容（如本期无应巡次数）记为“—”，排在该项有数字的乡镇之后。"))
    header = ["排名", "乡镇"] + [m.label for m in MEASURES] + [m.label for m in COUNTS]
    table = [header] + [[str(r["rank"]), r["township"]] + [_value(m, r[m.key]) for m in MEASURES]
                        + [_value(m, r[m.key]) for m in COUNTS] for r in rows]
    table.append(["", "全县"] + [_value(m, total[m.path[0]][m.path[1]]) for m in MEASURES]
                 + [_value(m, total[m.path[0]][m.path[1]]) for m in COUNTS])
    blocks.append(Block("table", f"{name}各乡镇河长制工作情况", rows=table,
                        widths=[9, 16] + [14] * len(MEASURES) + [11] * len(COUNTS)))
    rated = [(r["township"], r["patrol_rate"]) for r in rows if r["patrol_rate"] is not None]
    if len(rated) > 1:
        from hzdesk.reports.charts import township_chart
        blocks.append(Block("chart", f"{name}各乡镇巡河达标率", figure=township_chart(rated)))
    blocks.append(Block("h1", "二、存在的问题"))
    behind = [r["township"] for r in rows if r["patrol_rate"] is not None and p["rate"] is not None
              and r["patrol_rate"] < p["rate"]]
    overdue = [f"{r['township']}{r['overdue']}个" for r in rows if r["overdue"]]
    stale = [f"{r['township']}{r['boards_out_of_date']}块" for r in rows if r["boards_out_of_date"]]
    found_any = False
    if behind:
        found_any = True
        blocks.append(Block("para", f"巡河达标率低于全县水平（{percent(p['rate'])}）的有{'、'.join(behind)}。"))
    if overdue:
        found_any = True
        blocks.append(Block("para", f"有逾期未办结问题的：{'、'.join(overdue)}。"))
    if stale:
        found_any = True
        blocks.append(Block("para", f"公示牌牌面河长已不在任、尚未更新的：{'、'.join(stale)}。"))
    if not found_any:
        blocks.append(Block("para", "本期各乡镇巡河均达到全县水平，无逾期未办结问题，公示牌均已更新。"))
    blocks.append(Block("h1", "三、有关要求"))
    blocks.append(Block("para", "各乡镇要对照排名查找差距：巡河达标率偏低的督促河长按规定频次巡河，"
                                "逾期问题逐个明确责任单位和办结时限，公示牌在河长调整后及时更新，"
                                "并将整改情况报县河长办。"))
    return signed(title, office, as_of, blocks, total)
