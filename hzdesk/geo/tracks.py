"""Whether a GPS track shows a patrol of its river (#17 point 3): how much of the river it came
near, how far and how long it went, how much of it was too fast to be on foot or not moving at
all, where it broke off — and a verdict in words, never a bare pass or fail.

Measured on synthetic tracks (`../shared/notes/map-and-tracks.md`): raw GPS distance overstates a
walk by ~48 % and "walks" 2.5 km standing still, so distance counts a fix only once it is 20 m
from the last counted one; coverage tells a real walk (100 %) from a 500 m stretch shuttled six
times (12.6 %); only the speed catches a car on the bank (100 % coverage).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from hzdesk.geo.coords import LocalProjection, Point, to_wgs

#: The office's settings until it sets its own (#17: effective-dated settings).
RADIUS_M = 50            # a river piece counts as seen within this distance of the track
MIN_COVERAGE = 0.6       # no published figure exists: the office decides
FAST_KMH = 15.0          # faster than a bicycle on a bank: a vehicle
HYSTERESIS_M = 20.0      # GPS jitter below this is not movement
STILL_M = 25.0           # a minute that moved less than this stood still
GAP_S = 300              # fixes further apart than this: the track broke off
SAMPLE_M = 10.0          # the river is judged in pieces of this length


@dataclass
class TrackFacts:
    points: int
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    minutes: int | None
    km: float                         # 20 m hysteresis
    raw_km: float                     # every fix to the next: what a naive count says
    coverage: float | None            # share of the river within RADIUS of the track (None: no river)
    fast_minutes: float = 0.0
    still_minutes: int = 0
    gaps: int = 0
    longest_gap_minutes: float = 0.0
    datum: str = "WGS84"
    median_to_river_m: float | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Requirements:
    min_coverage: float = MIN_COVERAGE
    fast_kmh: float = FAST_KMH
    min_minutes: int | None = None    # from the patrol rules (FrequencyRule.min_minutes)
    min_km: float | None = None       # from the patrol rules (FrequencyRule.min_km)
    radius_m: float = RADIUS_M


def analyse(points: list[Point], times: list[dt.datetime], rivers: list[list[Point]] | None = None, *,
            datum: str = "auto", radius_m: float = RADIUS_M, fast_kmh: float = FAST_KMH) -> TrackFacts:
    """The facts of a track given in `datum` (WGS84, GCJ02, BD09, or "auto": the reading that lies
    closer to the river) against the river's lines (WGS-84); `times` beside the points or empty."""
    if not points:
        raise ValueError("轨迹没有点")
    rivers = [r for r in (rivers or []) if len(r) >= 2]
    notes = []
    chosen, median = datum, None
    if datum == "auto":
        if rivers:
            chosen, median, medians = choose_datum(points, rivers)
            if median is not None and median > 100:
                notes.append(f"轨迹离河道较远（中位距离 {median:.0f} 米），请核对坐标系或河湖")
        else:
            chosen = "WGS84"
    wgs = to_wgs(points, chosen)
    if times and len(times) == len(points):
        order = sorted(range(len(wgs)), key=lambda i: times[i])
        wgs, times = [wgs[i] for i in order], [times[i] for i in order]
    else:
        times = []
    proj = LocalProjection.around(wgs, *rivers)
    xy = proj.forward(wgs)
    facts = TrackFacts(points=len(xy), started_at=times[0] if times else None, ended_at=times[-1] if times else None,
                       minutes=round((times[-1] - times[0]).total_seconds() / 60) if times else None,
                       km=_filtered_length(xy) / 1000, raw_km=_raw_length(xy) / 1000, coverage=None,
                       datum=chosen, notes=notes)
    if median is None and rivers:
        median = _median_distance(xy, [proj.forward(r) for r in rivers])
    facts.median_to_river_m = median
    if rivers:
        facts.coverage = coverage(xy, [proj.forward(r) for r in rivers], radius_m)
    if times:
        facts.fast_minutes, facts.still_minutes, facts.gaps, facts.longest_gap_minutes = _motion(xy, times, fast_kmh)
    return facts


def verdict(facts: TrackFacts, need: Requirements) -> tuple[bool, list[str]]:
    """(whether the track shows the patrol, the reasons in words). Every figure that falls short
    is named with the figure it should have reached."""
    short, said = [], []
    if facts.coverage is not None:
        text = f"覆盖河道 {facts.coverage * 100:.0f}%"
        if facts.coverage < need.min_coverage:
            short.append(f"{text}，低于设定的 {need.min_coverage * 100:.0f}%")
        else:
            said.append(text)
    if facts.minutes is not None:
        if need.min_minutes and facts.minutes < need.min_minutes:
            short.append(f"时长 {facts.minutes} 分钟，少于规定的 {need.min_minutes} 分钟")
        else:
            said.append(f"时长 {facts.minutes} 分钟")
    if need.min_km and facts.km < need.min_km:
        short.append(f"里程 {facts.km:.1f} 公里，少于规定的 {need.min_km:g} 公里")
    else:
        said.append(f"里程 {facts.km:.1f} 公里")
    if facts.fast_minutes >= 1:
        short.append(f"有 {facts.fast_minutes:.0f} 分钟速度超过每小时 {need.fast_kmh:g} 公里（疑似乘车）")
    if facts.minutes and facts.still_minutes >= max(5, facts.minutes / 2):
        short.append(f"有 {facts.still_minutes} 分钟基本未移动")
    if facts.gaps:
        short.append(f"轨迹中断 {facts.gaps} 处，最长 {facts.longest_gap_minutes:.0f} 分钟")
    if not short:
        return True, said + ["符合要求"]
    return False, short + facts.notes


def describe(facts: TrackFacts, need: Requirements) -> list[str]:
    """The facts as lines a clerk reads (the command line, and later the patrol's track sheet)."""
    names = {"WGS84": "WGS-84", "GCJ02": "GCJ-02", "BD09": "BD-09"}
    out = [f"轨迹点：{facts.points} 个，坐标系：{names.get(facts.datum, facts.datum)}"]
    if facts.started_at is not None:
        out.append(f"时间：{facts.started_at:%Y-%m-%d %H:%M} 至 {facts.ended_at:%H:%M}（{facts.minutes} 分钟）")
    else:
        out.append("时间：轨迹不带时间，无法核对时长和速度")
    out.append(f"里程：{facts.km:.1f} 公里（逐点累加为 {facts.raw_km:.1f} 公里，差额多为原地漂移）")
    if facts.coverage is not None:
        out.append(f"覆盖河道：{facts.coverage * 100:.0f}%（河道离轨迹 {need.radius_m:g} 米以内算走到），"
                   f"轨迹离河道中位距离 {facts.median_to_river_m:.0f} 米")
    if facts.started_at is not None:
        out.append(f"速度超过每小时 {need.fast_kmh:g} 公里：{facts.fast_minutes:.0f} 分钟；基本未移动：{facts.still_minutes} 分钟；"
                   f"中断：{facts.gaps} 处")
    return out


def choose_datum(points: list[Point], rivers: list[list[Point]]) -> tuple[str, float | None, dict[str, float]]:
    """The reading of the track (WGS-84 or GCJ-02) whose points lie closer to the river, by median
    distance (right reading 15 m, wrong one 130–290 m in the measurements)."""
    sample = points[:: max(1, len(points) // 60)]
    medians = {datum: median_distance_m(to_wgs(sample, datum), rivers) for datum in ("WGS84", "GCJ02")}
    best = min(medians, key=medians.get)
    return best, medians[best], medians


def median_distance_m(points: list[Point], rivers: list[list[Point]]) -> float:
    """The median distance in metres from WGS-84 points to the nearest of the lines."""
    proj = LocalProjection.around(points, *rivers)
    return _median_distance(proj.forward(points), [proj.forward(r) for r in rivers])


# ---------------------------------------------------------------- plane geometry (metres)

def _raw_length(xy: list[Point]) -> float:
    return sum(math.dist(a, b) for a, b in zip(xy, xy[1:]))


def _filtered_length(xy: list[Point], step: float = HYSTERESIS_M) -> float:
    total, anchor = 0.0, xy[0]
    for p in xy[1:]:
        d = math.dist(anchor, p)
        if d >= step:
            total += d
            anchor = p
    return total


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    # called a few hundred thousand times in a check of many tracks: plain arithmetic, no min/max
    ax, ay = a
    px, py = p[0] - ax, p[1] - ay
    dx, dy = b[0] - ax, b[1] - ay
    length2 = dx * dx + dy * dy
    t = (px * dx + py * dy) / length2 if length2 else 0.0
    if t <= 0.0:
        return math.hypot(px, py)
    if t >= 1.0:
        return math.hypot(px - dx, py - dy)
    return math.hypot(px - t * dx, py - t * dy)


class _SegmentGrid:
    """Segments of polylines bucketed by square cells: a point's near segments are those in the
    3 × 3 cells around it (cell size ≥ the distance asked about)."""

    def __init__(self, lines: list[list[Point]], cell: float):
        self.cell = cell
        self.cells: dict[tuple[int, int], list[tuple[Point, Point]]] = {}
        for line in lines:
            if len(line) == 1:
                line = [line[0], line[0]]
            for a, b in zip(line, line[1:]):
                x0, x1 = sorted((a[0], b[0]))
                y0, y1 = sorted((a[1], b[1]))
                for i in range(int(x0 // cell), int(x1 // cell) + 1):
                    for j in range(int(y0 // cell), int(y1 // cell) + 1):
                        self.cells.setdefault((i, j), []).append((a, b))

    def within(self, p: Point, radius: float) -> bool:
        i, j = int(p[0] // self.cell), int(p[1] // self.cell)
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                for a, b in self.cells.get((i + di, j + dj), ()):
                    if _segment_distance(p, a, b) <= radius:
                        return True
        return False


    def nearest(self, p: Point) -> float:
        """The distance from `p` to the nearest segment: the cells in rings around p's cell, one
        ring at a time, until no farther ring can hold anything nearer (a segment in ring k is at
        least (k − 1) cells away)."""
        if not self.cells:
            return math.inf
        if not hasattr(self, "_span"):
            xs, ys = [c[0] for c in self.cells], [c[1] for c in self.cells]
            self._span = (min(xs), max(xs), min(ys), max(ys))
        i, j = int(p[0] // self.cell), int(p[1] // self.cell)
        lo_i, hi_i, lo_j, hi_j = self._span
        last = max(abs(i - lo_i), abs(i - hi_i), abs(j - lo_j), abs(j - hi_j))
        best = math.inf
        for k in range(last + 1):
            if best <= (k - 1) * self.cell:
                break
            if (2 * k + 1) ** 2 > 4 * len(self.cells):
                # far from every line (a track of another county): rings would visit mostly
                # empty cells — every segment once is cheaper and gives the same answer
                return min(best, min(_segment_distance(p, a, b)
                                     for cell in self.cells.values() for a, b in cell))
            for di in range(-k, k + 1):
                for dj in ((-k, k) if abs(di) != k else range(-k, k + 1)):
                    for a, b in self.cells.get((i + di, j + dj), ()):
                        d = _segment_distance(p, a, b)
                        if d < best:
                            best = d
        return best


def river_samples(rivers: list[list[Point]], step: float = SAMPLE_M) -> list[Point]:
    """The midpoints of the rivers' pieces of `step` metres (planar coordinates)."""
    out = []
    for line in rivers:
        carry = step / 2
        for a, b in zip(line, line[1:]):
            length = math.dist(a, b)
            at = carry
            while at <= length:
                t = at / length
                out.append((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))
                at += step
            carry = at - length
    return out


def coverage(track: list[Point], rivers: list[list[Point]], radius: float = RADIUS_M) -> float:
    """Share of the river's 10 m pieces whose middle lies within `radius` of the track's line."""
    samples = river_samples(rivers)
    if not samples:
        return 0.0
    grid = _SegmentGrid([track], max(radius, 1.0))
    return sum(grid.within(p, radius) for p in samples) / len(samples)


def _median_distance(track: list[Point], rivers: list[list[Point]]) -> float:
    sample = track[:: max(1, len(track) // 60)]
    grid = _SegmentGrid(rivers, 80.0)
    dists = sorted(grid.nearest(p) for p in sample)
    n = len(dists)
    return dists[n // 2] if n % 2 else (dists[n // 2 - 1] + dists[n // 2]) / 2


def _motion(xy: list[Point], times: list[dt.datetime], fast_kmh: float) -> tuple[float, int, int, float]:
    """(minutes faster than `fast_kmh`, minutes that stood still, gaps, longest gap in minutes)."""
    fast_s, gaps, longest = 0.0, 0, 0.0
    limit = fast_kmh / 3.6
    for (a, ta), (b, tb) in zip(zip(xy, times), zip(xy[1:], times[1:])):
        dt_s = (tb - ta).total_seconds()
        if dt_s <= 0:
            continue
        if dt_s > GAP_S:
            gaps += 1
            longest = max(longest, dt_s / 60)
            continue
        if math.dist(a, b) / dt_s > limit:
            fast_s += dt_s
    # a minute with two fixes or more that moved less than STILL_M (one fix a minute says nothing)
    start = times[0]
    minutes: dict[int, list] = {}
    for p, t in zip(xy, times):
        bucket = minutes.setdefault(int((t - start).total_seconds() // 60), [p, p, 0])
        bucket[1] = p
        bucket[2] += 1
    still = sum(1 for first, last, n in minutes.values() if n > 1 and math.dist(first, last) < STILL_M)
    return fast_s / 60, still, gaps, longest
