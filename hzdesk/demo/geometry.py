"""Sample river lines and GPS tracks (#17 point 5), so the map and the track checks have
something to show: every river and segment gets a line (a river's segments are pieces of it, a
pond a small ring), and the month's last patrols a track — most walked along their water body,
some shuttled up and down a short stretch, one driven, one standing still.

A separate random stream: the rest of the sample stays what each seed always gave."""

from __future__ import annotations

import datetime as dt
import math
import random

from hzdesk.geo.coords import LocalProjection, Point

CENTRE = (113.35, 28.2)          # the sample township (the boards' and outfalls' box)
PROJ = LocalProjection(*CENTRE)
TRACKS = 36                      # the latest patrols on lined water bodies that get a track


def _meander(rng: random.Random, start: Point, heading: float, length_m: float, step: float = 40.0) -> list[Point]:
    pts, (x, y), h = [start], start, heading
    for _ in range(int(length_m / step)):
        h += rng.gauss(0, 0.12)
        x, y = x + step * math.cos(h), y + step * math.sin(h)
        pts.append((x, y))
    return pts


def _ring(centre: Point, radius: float, n: int = 36) -> list[Point]:
    return [(centre[0] + radius * math.cos(2 * math.pi * i / n), centre[1] + radius * math.sin(2 * math.pi * i / n))
            for i in range(n + 1)]


def _pieces(line: list[Point], parts: int) -> list[list[Point]]:
    size = max(2, len(line) // parts)
    return [line[i * size: (i + 1) * size + 1] if i < parts - 1 else line[i * size:] for i in range(parts)]


def water_lines(water: list[dict], seed: int) -> dict[int, list[Point]]:
    """{water body id: its line in metres around CENTRE} for every water body."""
    rng = random.Random(seed * 7919 + 17)
    children: dict[int | None, list[dict]] = {}
    for w in water:
        children.setdefault(w["parent_id"], []).append(w)
    out: dict[int, list[Point]] = {}

    def place(w: dict, line: list[Point]) -> None:
        out[w["id"]] = line
        kids = children.get(w["id"], [])
        if kids:
            share = line
            if w["level"] == "县级":          # the township's stretch: the middle 40 %
                n = len(line)
                share = line[int(n * 0.3): int(n * 0.7) + 1]
            for kid, piece in zip(kids, _pieces(share, len(kids))):
                place(kid, piece)

    for w in children.get(None, []):
        start = (rng.uniform(-12000, 12000), rng.uniform(-9000, 9000))
        if w["kind"] in ("河流",):
            length = (w["length_km"] or 5) * 1000 * (1.0 if w["level"] == "县级" else 0.9)
            place(w, _meander(rng, start, rng.uniform(0, 2 * math.pi), min(length, 26000)))
        elif w["kind"] in ("水库", "山塘", "湖泊", "小微水体"):
            out[w["id"]] = _ring(start, rng.uniform(60, 260) if w["kind"] != "小微水体" else 30)
        else:
            place(w, _meander(rng, start, rng.uniform(0, 2 * math.pi), (w["length_km"] or 1.5) * 1000))
    return out


def place_points(b, lines: dict[int, list[Point]], seed: int) -> None:
    """Put the sample's boards, outfalls, sections and problems by their water body's line (a few
    tens of metres off it), as they stand on a bank — rather than scattered over the township.
    A problem or board without coordinates stays without."""
    rng = random.Random(seed * 104729 + 5)
    for rows, always in ((b.boards, False), (b.outfalls, False), (b.sections, True), (b.problems, False)):
        for row in rows:
            line = lines.get(row.get("water_body_id"))
            if not line or (row.get("longitude") is None and not always):
                continue
            x, y = line[rng.randrange(len(line))]
            angle, off = rng.uniform(0, 2 * math.pi), rng.uniform(10, 40)
            (lon, lat), = PROJ.inverse([(x + off * math.cos(angle), y + off * math.sin(angle))])
            row["longitude"], row["latitude"] = round(lon, 6), round(lat, 6)


def geometry_rows(water: list[dict], seed: int, today: dt.date) -> list[dict]:
    from hzdesk.services.geometry import length_m

    rows = []
    for wid, line in water_lines(water, seed).items():
        wgs = PROJ.inverse(line)
        rows.append({"water_body_id": wid, "lines": [[[round(x, 7), round(y, 7)] for x, y in wgs]],
                     "length_m": length_m([wgs]), "source": "示例数据", "datum_in": "WGS84", "imported_on": today})
    return rows


def track_points(rng: random.Random, line: list[Point], start: dt.datetime, kind: str) -> tuple[list[Point], list[dt.datetime]]:
    """Fixes every 10 s (metres around CENTRE): walked along `line`, shuttled over its first 400 m,
    driven at 30 km/h, or standing at one spot; GPS error wandering as it does (σ 6 m, τ 30 s)."""
    path = list(line)
    if kind == "shuttle":
        stretch, walked = [path[0]], 0.0
        for a, b in zip(path, path[1:]):
            walked += math.dist(a, b)
            stretch.append(b)
            if walked > 400:
                break
        path = (stretch + stretch[::-1]) * 4
    elif kind == "still":
        path = [path[len(path) // 2]] * 2
    speed = {"walk": 1.2, "shuttle": 1.2, "drive": 30 / 3.6, "still": 0.0}[kind]
    rho, ex, ey = math.exp(-10 / 30), 0.0, 0.0
    pts, times, t = [], [], 0.0
    legs = list(zip(path, path[1:]))
    seconds = 25 * 60 if kind == "still" else None
    i = 0
    while True:
        if seconds is not None:
            if t > seconds:
                break
            x, y = path[0]
        else:
            if i >= len(legs):
                break
            (ax, ay), (bx, by) = legs[i]
            length = math.dist((ax, ay), (bx, by)) or 1.0
            steps = max(1, int(length / (speed * 10)))
            for k in range(steps):
                f = k / steps
                ex = rho * ex + math.sqrt(1 - rho * rho) * rng.gauss(0, 6)
                ey = rho * ey + math.sqrt(1 - rho * rho) * rng.gauss(0, 6)
                pts.append((ax + f * (bx - ax) + ex, ay + f * (by - ay) + ey))
                times.append(start + dt.timedelta(seconds=t))
                t += 10
            i += 1
            continue
        ex = rho * ex + math.sqrt(1 - rho * rho) * rng.gauss(0, 6)
        ey = rho * ey + math.sqrt(1 - rho * rho) * rng.gauss(0, 6)
        pts.append((x + ex, y + ey))
        times.append(start + dt.timedelta(seconds=t))
        t += 10
    return PROJ.inverse(pts), times


def track_rows(session, patrols: list[dict], lines: dict[int, list[Point]], seed: int,
               count: int = TRACKS) -> list[dict]:
    """Tracks for the latest `count` patrols on lined water bodies, checked as `tracks attach`
    checks them (the benchmark asks for 10,000)."""
    from hzdesk.geo.store import pack
    from hzdesk.geo.tracks import analyse, verdict
    from hzdesk.services.tracks import requirements, track_values

    rng = random.Random(seed * 104729 + 3)
    chosen = [p for p in reversed(patrols) if p["water_body_id"] in lines and p["start_time"]][:count]
    kinds = ["walk"] * 8 + ["shuttle", "walk", "still", "walk"]
    rows = []
    for i, p in enumerate(chosen):
        kind = "drive" if i == 5 else kinds[i % len(kinds)]
        start = dt.datetime.combine(p["patrol_date"], p["start_time"])
        pts, times = track_points(rng, lines[p["water_body_id"]], start, kind)
        river = [PROJ.inverse(lines[p["water_body_id"]])]
        need = requirements(session, p["person_id"], p["patrol_date"])
        facts = analyse(pts, times, river, datum="WGS84", radius_m=need.radius_m, fast_kmh=need.fast_kmh)
        passed, reasons = verdict(facts, need)
        rows.append({"patrol_id": p["id"], "source": "示例轨迹.gpx", "points": pack(pts, times),
                     **track_values(facts, need, passed, reasons), "checked_on": p["patrol_date"]})
    return rows
