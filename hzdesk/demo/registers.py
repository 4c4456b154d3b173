"""Sample outfalls, monitoring sections with monthly results, and 一河一策 plans with their items."""

from __future__ import annotations

import datetime as dt
import re

from hzdesk.demo import names as N


def build_registers(b) -> None:
    rng, waters = b.rng, [w for w in b.water if w["kind"] in ("河流", "河段")]
    kinds = ["农村生活污水", "雨水", "农业", "工业", "城镇污水处理厂", "其他"]
    for i in range(b.sc.outfalls):
        w = rng.choice(waters)
        kind = rng.choices(kinds, [40, 25, 15, 8, 2, 10])[0]
        b.outfalls.append({
            "id": i + 1, "code": f"PWK-{i + 1:03d}", "name": f"{w['name']}{kind}排口{i + 1}号",
            "water_body_id": w["id"], "type": kind, "longitude": round(113.2 + rng.random() * 0.3, 6),
            "latitude": round(28.1 + rng.random() * 0.2, 6),
            "responsible_unit": rng.choice(N.DEPARTMENTS + [f"{v}村委会" for v in b.villages[:3]]),
            "status": rng.choices(["在用", "已封堵", "已整治"], [60, 25, 15])[0],
            "registered_on": dt.date(2019, rng.randint(1, 12), rng.randint(1, 28)), "notes": None})
    levels = ["县控", "乡镇交接", "市控", "省控"]
    rivers = [w for w in b.water if w["kind"] == "河流"]
    for i in range(b.sc.sections):
        w = rivers[i % len(rivers)]
        target = w["target_class"]
        b.sections.append({"id": i + 1, "code": f"DM-{i + 1:02d}", "name": f"{w['name']}断面{i // len(rivers) + 1}",
                              "water_body_id": w["id"], "control_level": levels[i % len(levels)],
                              "target_class": target, "longitude": None, "latitude": None, "notes": None})
        order = ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "劣Ⅴ"]
        month = dt.date(b.start.year, b.start.month, 10)
        while month <= b.until:
            k = max(0, min(5, order.index(target) + rng.choice([-1, 0, 0, 0, 0, 1, 1, 2])))
            over = None if k <= order.index(target) else rng.choice(["氨氮", "总磷", "化学需氧量", "氨氮、总磷"])
            b.results.append({"section_id": i + 1, "sampled_on": month, "water_class": order[k],
                                 "over_limit": over, "indicators": None, "notes": None})
            month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 10)
    tasks = [("问题", "部分河段存在生活垃圾乱堆乱放"), ("目标", "水质稳定达到Ⅲ类"),
             ("任务", "完成沿河村庄生活污水治理"), ("措施", "建立河道保洁长效机制"),
             ("任务", "清理河道管理范围内违建")]
    for w in (w for w in b.water if w["level"] in ("县级", "乡级") and w["kind"] == "河流"):
        pid = len(b.plans) + 1
        s = dt.date(b.start.year, 1, 1)
        b.plans.append({"id": pid, "water_body_id": w["id"], "title": f"{w['name']}“一河一策”实施方案（{s.year}—{s.year + 2}年）",
                           "period_start": s, "period_end": dt.date(s.year + 2, 12, 31),
                           "doc_number": f"清镇河办〔{s.year}〕{pid}号", "approved_on": s + dt.timedelta(days=60),
                           "notes": None})
        for seq, (kind, text) in enumerate(tasks, start=1):
            deadline = dt.date(s.year + rng.randint(0, 2), 12, 31)
            done = deadline <= b.until and rng.random() < 0.8
            b.plan_items.append({"plan_id": pid, "seq": seq, "kind": kind, "content": text,
                                    "responsible_unit": rng.choice(N.DEPARTMENTS), "deadline": deadline,
                                    "status": "已完成" if done else rng.choice(["未开始", "进行中"]),
                                    "done_on": deadline - dt.timedelta(days=rng.randint(5, 60)) if done else None})


def build_work(b) -> None:
    """The office's own work, month by month: a dispatch meeting, a bulletin, cleaning with its
    tonnes; publicity, campaigns, orders and training now and then."""
    rng, rivers = b.rng, [w for w in b.water if w["kind"] in ("河流", "河段")]
    month, n = dt.date(b.start.year, b.start.month, 1), 0

    def add(day, kind, title, **extra):
        nonlocal n
        if day > b.until:
            return
        n += 1
        b.work.append({"held_on": day, "kind": kind, "title": title, "doc_number": extra.get("doc"),
                       "water_bodies": extra.get("waters"), "organizer": extra.get("organizer"),
                       "participants": extra.get("people"),
                       "quantities": {k: x for k, x in (extra.get("amounts") or {}).items() if x} or None,
                       "content": extra.get("content"), "notes": None})

    while month <= b.until:
        y, mo = month.year, month.month
        add(month.replace(day=rng.randint(3, 10)), "河长会议/工作调度", f"{mo}月河长制工作调度会",
            organizer="镇河长办", people=rng.randint(15, 40), content="通报上月巡河和问题整改情况，部署本月重点工作。")
        add(month.replace(day=rng.randint(20, 28)), "工作简报/信息", f"河长制工作简报（{y}年第{mo}期）",
            doc=f"清河简〔{y}〕{mo}号")
        some = rng.sample(rivers, k=min(2, len(rivers)))
        # cleaning is led by a village along the first river (the 考核 counts a village's own records)
        along = [x for x in re.split(r"[、,，]", some[0].get("villages") or "") if x]
        village = rng.choice(along) if along else None
        add(month.replace(day=rng.randint(11, 19)), "河道保洁", f"{'、'.join(w['name'] for w in some)}河道集中保洁",
            waters="、".join(w["name"] for w in some), people=rng.randint(8, 30),
            organizer=f"{village}村委会" if village else "镇农业农村办",
            amounts={"清理垃圾(吨)": round(rng.uniform(0.5, 6), 1), "打捞漂浮物(吨)": round(rng.uniform(0.1, 2), 1)})
        if mo % 2 == 0:
            add(month.replace(day=rng.randint(1, 28)), "宣传活动", "“守护母亲河”河长制进村宣传",
                organizer="镇河长办", people=rng.randint(50, 300), amounts={"宣传材料(份)": rng.randint(100, 800)})
        if mo % 3 == 0:
            add(month.replace(day=rng.randint(1, 28)), "专项行动/联合执法", "河湖“清四乱”专项整治行动",
                organizer="镇综合执法队", people=rng.randint(10, 40),
                amounts={"拆除违建(处)": rng.randint(0, 4), "拆除违建(㎡)": rng.randint(0, 400),
                         "查处案件(起)": rng.randint(0, 3)})
        if mo in (3, 9):
            add(month.replace(day=rng.randint(1, 28)), "河长令", f"关于开展{'春季' if mo == 3 else '秋季'}河湖清理的河长令",
                doc=f"清镇河长令〔{y}〕{1 if mo == 3 else 2}号")
        if mo in (4, 10):
            add(month.replace(day=rng.randint(1, 28)), "培训", "村级河长履职培训", organizer="镇河长办",
                people=rng.randint(20, 45))
        month = dt.date(y + mo // 12, mo % 12 + 1, 1)
