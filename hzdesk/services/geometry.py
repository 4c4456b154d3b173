"""Water bodies' lines from the office's files (#17 point 1): matched to the register by code or
name, previewed (matched / not in the register) before anything is written, all or nothing."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hzdesk import clock
from hzdesk.db import models as m
from hzdesk.errors import HzdeskError
from hzdesk.geo.coords import LocalProjection, Point, to_wgs

Lines = list[list[Point]]


@dataclass
class GeometryPlan:
    """What an import would do: {water body id: (its code and name, lines)}, and the names of the
    file's lines that match nothing."""

    matched: dict[int, tuple[str, Lines]] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)     # water bodies that had a line already

    def lines(self) -> list[str]:
        out = [f"对上河湖 {len(self.matched)} 个：" + "、".join(name for name, _l in self.matched.values())]
        if self.replaced:
            out.append(f"其中原有河道线将被替换 {len(self.replaced)} 个：" + "、".join(self.replaced))
        if self.unmatched:
            out.append(f"对不上的线 {len(self.unmatched)} 条（名称或编码不在河湖名录中）：" + "、".join(self.unmatched))
        return out


def length_m(lines: Lines) -> float:
    proj = LocalProjection.around(*lines)
    total = 0.0
    for line in lines:
        xy = proj.forward(line)
        total += sum(math.dist(a, b) for a, b in zip(xy, xy[1:]))
    return total


def plan_import(session: Session, path: str | Path, datum: str = "WGS84") -> GeometryPlan:
    """Match the lines of a KML/KMZ/GPX file to water bodies: by code, else by a name that only one
    water body in the register has. Several lines of one name make one water body's line."""
    from hzdesk.geo.files import read_geo_file

    geo = read_geo_file(path)
    if not geo.lines:
        raise HzdeskError(f"“{Path(path).name}”里没有线（需要 KML 的 LineString 或 GPX 的轨迹、路线）。")
    bodies = session.execute(select(m.WaterBody.id, m.WaterBody.code, m.WaterBody.name)).all()
    by_code = {code: (i, f"{code} {name}") for i, code, name in bodies}
    names: dict[str, list] = {}
    for i, code, name in bodies:
        names.setdefault(name, []).append((i, f"{code} {name}"))
    have = set(session.scalars(select(m.WaterGeometry.water_body_id)))
    plan = GeometryPlan()
    for line in geo.lines:
        key = line.name.strip()
        hit = by_code.get(key) or (names[key][0] if len(names.get(key, ())) == 1 else None)
        if hit is None:
            plan.unmatched.append(key or "（无名称）")
            continue
        wid, title = hit
        plan.matched.setdefault(wid, (title, []))[1].append(to_wgs(line.points, datum))
    plan.replaced = [plan.matched[w][0] for w in plan.matched if w in have]
    return plan


def apply_import(session: Session, plan: GeometryPlan, source: str, datum: str) -> int:
    """Write the plan's lines (a water body's earlier line is replaced); returns how many."""
    today = clock.today()
    existing = {g.water_body_id: g for g in session.scalars(select(m.WaterGeometry)
                                                           .where(m.WaterGeometry.water_body_id.in_(plan.matched)))}
    for wid, (_title, lines) in plan.matched.items():
        stored = [[[round(x, 7), round(y, 7)] for x, y in line] for line in lines]
        g = existing.get(wid) or m.WaterGeometry(water_body_id=wid)
        g.lines, g.length_m, g.source, g.datum_in, g.imported_on = stored, length_m(lines), source, datum, today
        session.add(g)
    session.flush()
    return len(plan.matched)


def river_lines(session: Session, water_body_id: int) -> Lines:
    """The lines a patrol of this water body is checked against: its own, or — for a river whose
    segments carry the lines — its segments' (and theirs, down the tree)."""
    wanted, seen, out = [water_body_id], set(), []
    while wanted:
        wid = wanted.pop()
        if wid in seen:
            continue
        seen.add(wid)
        g = session.scalar(select(m.WaterGeometry).where(m.WaterGeometry.water_body_id == wid))
        if g is not None:
            out += [[(x, y) for x, y in line] for line in g.lines]
        else:
            wanted += session.scalars(select(m.WaterBody.id).where(m.WaterBody.parent_id == wid))
    return out
