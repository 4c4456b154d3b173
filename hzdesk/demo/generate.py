"""Sample data of one township: water bodies, chiefs with reshuffles, boards, patrols, problems.

Deterministic: the same seed, scale and end date give the same database, row for row. Rows are
built as plain dicts and inserted in bulk (100,000 patrols in seconds); the audit trail gets one
entry saying sample data was loaded, not one per row.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import func, insert, select

from hzdesk import clock
from hzdesk.db import models as m
from hzdesk.db.audit import append_entries
from hzdesk.db.engine import Database
from hzdesk.demo import names as N
from hzdesk.demo.boards import build_boards
from hzdesk.demo.names import SURNAMES_W
from hzdesk.demo.patrols import build_patrols
from hzdesk.demo.problems import build_problems
from hzdesk.demo.registers import build_registers, build_work
from hzdesk.errors import HzdeskError


@dataclass(frozen=True)
class Scale:
    years: int
    villages: int
    county_rivers: int
    township_rivers: int
    small_waters: int          # village-level ditches, ponds, reservoirs …
    staff_per_water: int       # 巡河员 / 保洁员 per water body
    patrols: int               # about this many patrol records in all
    problems: int              # about this many problems in all
    outfalls: int
    sections: int
    extra_boards: int          # boards beyond one per water body


SCALES = {
    "small": Scale(years=2, villages=8, county_rivers=1, township_rivers=3, small_waters=8,
                   staff_per_water=1, patrols=2500, problems=160, outfalls=12, sections=4,
                   extra_boards=8),
    "large": Scale(years=4, villages=30, county_rivers=5, township_rivers=25, small_waters=84,
                   staff_per_water=7, patrols=100_000, problems=20_000, outfalls=74, sections=20,
                   extra_boards=420),
}


@dataclass
class DemoOptions:
    scale: str = "small"
    seed: int = 1
    until: dt.date = field(default_factory=clock.today)


class _Builder:
    def __init__(self, opts: DemoOptions):
        self.rng = random.Random(opts.seed)
        self.sc = SCALES[opts.scale]
        self.until = opts.until
        self.start = dt.date(opts.until.year - self.sc.years, opts.until.month, 1)
        self.water: list[dict] = []
        self.people: list[dict] = []
        self.appointments: list[dict] = []
        self.boards: list[dict] = []
        self.board_chiefs: list[dict] = []
        self.patrols: list[dict] = []
        self.problems: list[dict] = []
        self.events: list[dict] = []
        self.outfalls: list[dict] = []
        self.sections: list[dict] = []
        self.results: list[dict] = []
        self.plans: list[dict] = []
        self.plan_items: list[dict] = []
        self.work: list[dict] = []
        self._names: set[str] = set()
        self._phones: set[str] = set()

    # ------------------------------------------------------------ helpers
    def day_between(self, a: dt.date, b: dt.date) -> dt.date:
        return a + dt.timedelta(days=self.rng.randint(0, max(0, (b - a).days)))

    def weighted(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def new_person(self, unit: str, post: str) -> dict:
        rng = self.rng
        while True:
            surname = SURNAMES_W[min(int(rng.expovariate(1 / 12)), len(SURNAMES_W) - 1)]
            pool = N.RARE_GIVEN if rng.random() < 0.04 else N.GIVEN
            given = rng.choice(pool) + (rng.choice(N.GIVEN) if rng.random() < 0.7 else "")
            name = surname + given
            if name not in self._names or rng.random() < 0.01:  # a few true namesakes
                break
        self._names.add(name)
        while True:
            phone = rng.choice(["138", "139", "135", "137", "150", "152", "158", "187", "189",
                                "133", "153", "180", "199", "177"]) + f"{rng.randint(0, 99_999_999):08d}"
            if phone not in self._phones:
                break
        self._phones.add(phone)
        person = {"id": len(self.people) + 1, "name": name, "sex": "女" if rng.random() < 0.22 else "男",
                  "unit": unit, "post": post, "phone": phone, "notes": None, "retired_on": None}
        self.people.append(person)
        return person

    def appoint(self, person: dict, water: dict | None, role: str, level: str, start: dt.date,
                end: dt.date | None, doc: str | None, reason: str | None) -> dict:
        a = {"id": len(self.appointments) + 1, "person_id": person["id"],
             "water_body_id": water["id"] if water else None, "role": role, "level": level,
             "start_on": start, "end_on": end, "doc_number": doc, "reason": reason, "notes": None}
        self.appointments.append(a)
        return a

    # ------------------------------------------------------------ water bodies
    def river_name(self, kind: str) -> str:
        for _ in range(1000):
            name = self.rng.choice(N.RIVER_STEMS) + self.rng.choice(N.KIND_SUFFIX[kind])
            if name not in self._water_names:
                self._water_names.add(name)
                return name
        raise RuntimeError("示例河湖名称用尽")

    def add_water(self, code, name, kind, level, parent=None, villages=(), **extra) -> dict:
        rng = self.rng
        length = extra.pop("length", round(rng.uniform(0.8, 6.0), 1))
        w = {"id": len(self.water) + 1, "code": code, "name": name, "kind": kind,
             "parent_id": parent["id"] if parent else None, "level": level,
             "length_km": length if kind not in ("水库", "山塘", "湖泊", "小微水体") else None,
             "area_km2": round(rng.uniform(0.05, 2.0), 2) if kind in ("水库", "山塘", "湖泊") else
             (round(length * rng.uniform(3, 12), 1) if kind == "河流" else None),
             "start_point": f"{villages[0]}{rng.choice(['上游', '山脚', '水口', '桥头'])}" if villages else None,
             "end_point": f"{villages[-1]}{rng.choice(['出口', '汇入口', '交界处', '大桥'])}" if villages else None,
             "villages": "、".join(villages) or None,
             "target_class": rng.choice(["Ⅱ", "Ⅲ", "Ⅲ", "Ⅲ", "Ⅳ"]),
             "management_target": "污水无直排、水域无障碍、岸堤无损毁、河面无垃圾、沿河无违建",
             "seasonal": kind == "沟渠" and rng.random() < 0.4, "notes": None,
             "registered_on": dt.date(2017, rng.randint(3, 12), rng.randint(1, 28)),
             "retired_on": None}
        w.update(extra)
        self.water.append(w)
        return w

    def build_water(self) -> None:
        sc, rng = self.sc, self.rng
        self._water_names: set[str] = set()
        self.villages = N.VILLAGES[:sc.villages]
        for i in range(sc.county_rivers):
            vs = sorted(rng.sample(self.villages, min(len(self.villages), rng.randint(3, 5))),
                        key=self.villages.index)
            name = "清溪河" if i == 0 else self.river_name("河流")
            river = self.add_water(f"XJ{i + 1:03d}", name, "河流", "县级", villages=vs,
                                   length=round(rng.uniform(12, 40), 1))
            seg = self.add_water(f"XJ{i + 1:03d}-01", f"{name}{N.TOWNSHIP}段", "河段", "乡级",
                                 parent=river, villages=vs, length=round(river["length_km"] * 0.4, 1))
            for j, v in enumerate(vs, start=1):
                self.add_water(f"XJ{i + 1:03d}-01-{j:02d}", f"{name}{v}段", "河段", "村级",
                               parent=seg, villages=[v])
        for i in range(sc.township_rivers):
            vs = sorted(rng.sample(self.villages, min(len(self.villages), rng.randint(2, 3))),
                        key=self.villages.index)
            name = self.river_name("河流")
            river = self.add_water(f"ZJ{i + 1:03d}", name, "河流", "乡级", villages=vs,
                                   length=round(rng.uniform(4, 15), 1))
            for j, v in enumerate(vs, start=1):
                self.add_water(f"ZJ{i + 1:03d}-{j:02d}", f"{name}{v}段", "河段", "村级",
                               parent=river, villages=[v])
        kinds = ["沟渠", "山塘", "水库", "小微水体", "沟渠", "山塘"]
        for i in range(sc.small_waters):
            kind = kinds[i % len(kinds)]
            self.add_water(f"CJ{i + 1:03d}", self.river_name(kind), kind, "村级",
                           villages=[rng.choice(self.villages)])
        # One small water body filled in years ago: retired, kept for history.
        self.water[-1]["retired_on"] = self.start + dt.timedelta(days=120)
        self.water[-1]["notes"] = "已填埋复垦，注销保留历史"

    # ------------------------------------------------------------ people and appointments
    def build_roster(self) -> None:
        rng, start, until = self.rng, self.start, self.until
        early = dt.date(2017, 6, 15)  # the river-chief system was set up; boards followed in 2018
        # Reshuffles: the township's (换届) about a third in, villages' about two thirds in.
        self.town_reshuffle = self.day_between(start + (until - start) / 3 - dt.timedelta(days=30),
                                               start + (until - start) / 3 + dt.timedelta(days=30))
        self.village_reshuffle = self.day_between(start + (until - start) * 2 / 3 - dt.timedelta(days=30),
                                                  start + (until - start) * 2 / 3 + dt.timedelta(days=30))
        town_doc = f"清镇委〔{self.town_reshuffle.year}〕{rng.randint(10, 60)}号"
        village_doc = f"清镇委〔{self.village_reshuffle.year}〕{rng.randint(61, 99)}号"
        live = [w for w in self.water if w["retired_on"] is None or w["retired_on"] > start]
        # In this order: each step draws from the one random stream, so a seed gives the same roster.
        self.roster_county(live, early)
        self.roster_township(live, early, town_doc)
        self.roster_villages(live, early, village_doc)
        self.roster_adjustments()
        self.roster_staff(live, early)
        self.person_by_id = {p["id"]: p for p in self.people}

    def roster_county(self, live: list[dict], early: dt.date) -> None:
        """County chiefs: one deputy county head per county river, unchanged."""
        rng = self.rng
        for w in (w for w in live if w["level"] == "县级"):
            p = self.new_person(f"{N.COUNTY}人民政府", rng.choice(["副县长", "县委常委", "县人大副主任"]))
            self.appoint(p, w, "河长", "县级", early, None, f"青县河长办〔{early.year}〕3号", "总河长令任命")

    def roster_township(self, live: list[dict], early: dt.date, town_doc: str) -> None:
        """Township leaders before and after the township reshuffle; some stay on."""
        rng, gov = self.rng, f"{N.TOWNSHIP}人民政府"

        def leader(i: int) -> dict:
            return self.new_person(f"{N.TOWNSHIP}党委" if i % 2 == 0 else gov, N.TOWNSHIP_POSTS[i])
        posts = range(len(N.TOWNSHIP_POSTS))
        old = [leader(i) for i in posts]
        keep = set(rng.sample(range(2, len(old)), 3))
        new = [old[i] if i in keep else leader(i) for i in posts]
        for idx, role in ((0, "总河长"), (1, "副总河长")):
            for team, a, b, doc in ((old, early, self.town_reshuffle - dt.timedelta(days=1), f"清镇委〔{early.year}〕8号"),
                                    (new, self.town_reshuffle, None, town_doc)):
                self.appoint(team[idx], None, role, "乡级", a, b, doc, "换届" if team is new else "任命")
        town_waters = [w for w in live if w["level"] == "乡级"]
        for k, w in enumerate(town_waters):
            i = 2 + k % (len(old) - 2)  # leaders hold one to several water bodies each
            if old[i] is new[i]:
                self.appoint(old[i], w, "河长", "乡级", early, None, f"清镇委〔{early.year}〕8号", "任命")
            else:
                self.appoint(old[i], w, "河长", "乡级", early, self.town_reshuffle - dt.timedelta(days=1),
                             f"清镇委〔{early.year}〕8号", "任命")
                self.appoint(new[i], w, "河长", "乡级", self.town_reshuffle, None, town_doc, "换届调整")
        police = self.new_person(f"{N.TOWNSHIP}派出所", "所长")
        for w in town_waters[:3]:
            self.appoint(police, w, "河湖警长", "乡级", early, None, f"青公〔{early.year}〕12号", "任命")

    def roster_villages(self, live: list[dict], early: dt.date, village_doc: str) -> None:
        """Village chiefs: the village secretary holds every village-level water in the village."""
        rng, start = self.rng, self.start
        for v in self.villages:
            waters = [w for w in live if w["level"] == "村级" and w["villages"] == v]
            secretary = self.new_person(f"{v}村委会" if "村" in v else f"{v}居委会", "党支部书记")
            successor = self.new_person(secretary["unit"], "党支部书记") if rng.random() < 0.45 else None
            for w in waters:
                if successor is None:
                    self.appoint(secretary, w, "河长", "村级", early, None, f"清镇河办〔{early.year}〕2号", "任命")
                else:
                    self.appoint(secretary, w, "河长", "村级", early,
                                 self.village_reshuffle - dt.timedelta(days=1), f"清镇河办〔{early.year}〕2号", "任命")
                    self.appoint(successor, w, "河长", "村级", self.village_reshuffle, None,
                                 village_doc, "村两委换届")
            if waters and rng.random() < 0.3:  # a civic chief for two years
                civic = self.new_person(v, rng.choice(["退休教师", "村民代表", "党员志愿者"]))
                s = self.day_between(start, start + dt.timedelta(days=200))
                self.appoint(civic, waters[0], "民间河长", "村级", s, s + dt.timedelta(days=730),
                             None, "聘任两年")

    def roster_adjustments(self) -> None:
        """A recent adjustment (调整) or two: their boards are to redo, not yet late."""
        rng, until = self.rng, self.until
        open_village = [a for a in self.appointments if a["role"] == "河长" and a["level"] == "村级"
                        and a["end_on"] is None and a["start_on"] < until - dt.timedelta(days=60)]
        moved: dict[int, dict] = {}
        for a in sorted(rng.sample(open_village, min(len(open_village), self.sc.villages // 8 + 1)),
                        key=lambda a: a["id"]):
            day = until - dt.timedelta(days=rng.randint(3, 12))
            old = self.people[a["person_id"] - 1]
            if old["id"] not in moved:
                moved[old["id"]] = self.new_person(old["unit"], "村委会主任")
            a["end_on"] = day - dt.timedelta(days=1)
            self.appoint(moved[old["id"]], self.water[a["water_body_id"] - 1], "河长", "村级", day, None,
                         f"清镇河办〔{day.year}〕{rng.randint(20, 40)}号", "工作调整")

    def roster_staff(self, live: list[dict], early: dt.date) -> None:
        """Patrollers and cleaners: many, often subsidised posts; a retired water body takes its
        posts with it."""
        for w in live:
            for k in range(self.sc.staff_per_water):
                role = "巡河员" if k % 2 == 0 else "保洁员"
                v = (w["villages"] or self.villages[0]).split("、")[0]
                p = self.new_person(f"{v}村委会", role)
                self.appoint(p, w, role, "村级", early, None, None, "聘用")
        for a in self.appointments:
            w = self.water[a["water_body_id"] - 1] if a["water_body_id"] else None
            if w and w["retired_on"] and (a["end_on"] is None or a["end_on"] > w["retired_on"]):
                a["end_on"] = max(w["retired_on"], a["start_on"])
                a["reason"] = "河湖注销"

    def build(self, progress: Callable[[str], None]) -> None:
        progress("河湖名录")
        self.build_water()
        progress("河长名录与任职")
        self.build_roster()
        progress("公示牌")
        build_boards(self)
        progress("巡河记录")
        build_patrols(self)
        progress("问题台账")
        build_problems(self)
        progress("排污口、监测断面、一河一策")
        build_registers(self)
        progress("工作记录")
        build_work(self)   # last: the rows above stay what each seed always gave




def load_demo(db: Database, opts: DemoOptions,
              progress: Callable[[str], None] = lambda step: None) -> dict[str, int]:
    """Fill an empty database with sample data. Refuses a database that already holds records."""
    from hzdesk.services.access import AccessDenied, can
    if not can(db.role, "write"):
        raise AccessDenied(f"当前账号（{db.role}）不能载入示例数据。")
    if opts.scale not in SCALES:
        raise HzdeskError(f"没有“{opts.scale}”这种规模，可选：{'、'.join(SCALES)}")
    with db.session() as s:
        used = sum(s.scalar(select(func.count()).select_from(model)) for model in
                   (m.WaterBody, m.Person, m.Patrol, m.Problem, m.SignBoard))
    if used:
        raise HzdeskError("数据库里已有台账记录。示例数据只能写入空数据库，以免与正式数据混在一起；"
                          "请用 --db 指定一个新文件。")
    b = _Builder(opts)
    b.build(progress)
    progress("写入数据库")
    tables = [(m.WaterBody, b.water), (m.Person, b.people), (m.Appointment, b.appointments),
              (m.SignBoard, b.boards), (m.BoardChief, b.board_chiefs), (m.Patrol, b.patrols),
              (m.Problem, b.problems), (m.ProblemEvent, b.events), (m.Outfall, b.outfalls),
              (m.MonitoringSection, b.sections), (m.MonitoringResult, b.results),
              (m.RiverPlan, b.plans), (m.PlanItem, b.plan_items), (m.WorkRecord, b.work)]
    # River lines and the latest patrols' tracks (#17), their own random stream; the points stand
    # on their water body's bank.
    from hzdesk.demo.geometry import geometry_rows, place_points, track_rows, water_lines
    lines = water_lines(b.water, opts.seed)
    place_points(b, lines, opts.seed)
    with db.session(write=True) as s, s.begin():
        conn = s.connection()
        for model, rows in tables:
            for i in range(0, len(rows), 5000):
                conn.execute(insert(model), rows[i:i + 5000])
        conn.execute(insert(m.WaterGeometry), geometry_rows(b.water, opts.seed, opts.until))
        tracks = track_rows(s, b.patrols, lines, opts.seed)
        if tracks:
            conn.execute(insert(m.PatrolTrack), tracks)
        # The units the sample problems, outfalls and tasks name make the office's unit list.
        units = list(dict.fromkeys(r["responsible_unit"] for rows in (b.problems, b.outfalls, b.plan_items)
                                   for r in rows if r.get("responsible_unit")))
        if units:
            conn.execute(insert(m.ChoiceItem), [{"list_name": "unit", "value": u, "seq": i, "active": True}
                                                for i, u in enumerate(units)])
        conn.execute(m.Setting.__table__.update().where(m.Setting.key == "office_name")
                     .values(value=f"{N.TOWNSHIP}河长制办公室"))
        conn.execute(m.Township.__table__.update().where(m.Township.id == m.HOME_TOWNSHIP).values(name=N.TOWNSHIP))
        summary = {"河湖": len(b.water), "人员": len(b.people), "任职": len(b.appointments),
                   "公示牌": len(b.boards), "巡河记录": len(b.patrols), "问题": len(b.problems),
                   "排污口": len(b.outfalls), "监测断面": len(b.sections), "工作记录": len(b.work)}
        s.info["audit_written"] = True
        from hzdesk.db.digest import baseline
        append_entries(conn, [{"action": "基线", "table_name": "*", "record_id": None, "actor": db.actor,
                               "after": {"digests": baseline(conn)}}])   # the bulk rows, sealed
        append_entries(conn, [{"action": "导入示例数据", "table_name": "*", "record_id": None, "actor": db.actor,
                               "after": {"scale": opts.scale, "seed": opts.seed,
                                         "until": opts.until.isoformat(), **summary}}])
        if conn.dialect.name == "postgresql":   # the rows came with their ids: move the counters on
            from hzdesk.db.server import reset_sequences
            reset_sequences(conn)
    return summary
