"""#17: GPS tracks checked against the river — hand-made tracks whose coverage, distance and speed
are known by construction; the coordinate systems against published test vectors; the files."""

import datetime as dt
import math
import random
import subprocess
import sys
import zipfile

import pytest

from hzdesk.geo.coords import (LocalProjection, bd_to_gcj, gcj_to_bd, gcj_to_wgs, metres_between, to_wgs,
                               wgs_to_gcj)
from hzdesk.geo.files import GeoFileError, parse_time, read_geo_file
from hzdesk.geo.tracks import Requirements, analyse, coverage, verdict

CENTRE = (120.15, 30.25)
PROJ = LocalProjection(*CENTRE)
START = dt.datetime(2025, 3, 5, 8, 0)


def river(length=5000.0, step=20.0):
    """A straight river running east from the centre, a vertex every `step` metres (WGS-84)."""
    return PROJ.inverse([(x, 0.0) for x in [i * step for i in range(int(length / step) + 1)]])


def walk(path_xy, speed=1.2, every=5.0, noise=0.0, seed=1):
    """Fixes every `every` seconds along a planar path (metres) at `speed` m/s, with GPS error as
    it behaves: σ = `noise` per axis, wandering slowly (AR(1), τ = 30 s), not fix by fix."""
    rng = random.Random(seed)
    rho = math.exp(-every / 30)
    ex = ey = 0.0
    pts, times, t = [], [], 0.0
    for a, b in zip(path_xy, path_xy[1:]):
        length = math.dist(a, b)
        n = max(1, int(length / (speed * every)))
        for i in range(n):
            f = i / n
            ex = rho * ex + math.sqrt(1 - rho * rho) * rng.gauss(0, noise)
            ey = rho * ey + math.sqrt(1 - rho * rho) * rng.gauss(0, noise)
            pts.append((a[0] + f * (b[0] - a[0]) + ex, a[1] + f * (b[1] - a[1]) + ey))
            times.append(START + dt.timedelta(seconds=t))
            t += length / n / speed
    pts.append(path_xy[-1])
    times.append(START + dt.timedelta(seconds=t))
    return PROJ.inverse(pts), times


def test_conversions_match_the_published_vectors_and_invert_exactly():
    # the reference values printed by the widely used coordTransform utilities for (128.543, 37.065)
    assert wgs_to_gcj(128.543, 37.065) == pytest.approx((128.54820547949757, 37.065651049489816), abs=1e-12)
    assert gcj_to_bd(128.543, 37.065) == pytest.approx((128.54944656269413, 37.07113427883019), abs=1e-12)
    assert bd_to_gcj(128.543, 37.065) == pytest.approx((128.5365893261212, 37.058754503281534), abs=1e-12)
    for lon, lat in [(120.15, 30.25), (103.8, 36.06), (126.6, 45.75), (110.3, 20.0)]:
        g = wgs_to_gcj(lon, lat)
        assert 29 < metres_between(g, (lon, lat)) < 700                 # the offset is real …
        assert metres_between(gcj_to_wgs(*g), (lon, lat)) < 0.001        # … and undone to a millimetre
        assert metres_between(to_wgs([gcj_to_bd(*g)], "BD09")[0], (lon, lat)) < 0.3   # BD-09's own formula is that close
    assert wgs_to_gcj(2.35, 48.85) == (2.35, 48.85)                      # no shift outside China


def test_coverage_by_construction():
    """A 1,000 m river walked along its first 300 m: the pieces within 50 m of the track are those
    up to 350 m — 35 % — whatever the GPS noise does not move."""
    line = river(1000)
    track, _ = walk([(0.0, 0.0), (300.0, 0.0)])
    xy = PROJ.forward(track)
    assert coverage(xy, [PROJ.forward(line)], 50) == pytest.approx(0.35, abs=0.011)
    assert coverage(xy, [PROJ.forward(line)], 10) == pytest.approx(0.31, abs=0.011)


def test_the_nearest_line_is_found_near_and_far_as_by_looking_at_every_segment():
    """The grid's ring search gives what a look at every segment gives — for points beside the
    lines and for a point a county away (which once searched rings for minutes)."""
    from hzdesk.geo.tracks import _segment_distance, _SegmentGrid

    rng = random.Random(5)
    lines = [[(rng.uniform(0, 3000), rng.uniform(0, 3000)) for _ in range(12)] for _ in range(6)]
    grid = _SegmentGrid(lines, 80.0)
    points = [(rng.uniform(-500, 3500), rng.uniform(-500, 3500)) for _ in range(200)]
    points += [(400_000.0, -250_000.0), (-1e6, 3e5)]
    for p in points:
        brute = min(_segment_distance(p, a, b) for line in lines for a, b in zip(line, line[1:]))
        assert grid.nearest(p) == pytest.approx(brute, rel=1e-12)


def test_a_walk_along_the_river_passes_and_the_fakes_are_named():
    rv = [river()]
    need = Requirements(min_minutes=30, min_km=2)
    # the whole 5 km on the bank, 15 m off the centre line, GPS jitter of 8 m
    good = analyse(*walk([(0, 15), (5000, 15)], noise=8), rv)
    assert good.coverage > 0.98 and 4.9 < good.km < 5.8 and good.raw_km > good.km and good.minutes == 69
    ok, reasons = verdict(good, need)
    assert ok and reasons[-1] == "符合要求"
    # half the river, out and back: the same time and distance, half the river
    half = analyse(*walk([(0, 15), (2500, 15), (0, 15)], noise=8), rv)
    assert half.coverage == pytest.approx(0.51, abs=0.02)
    ok, reasons = verdict(half, need)
    assert not ok and reasons[0] == f"覆盖河道 {half.coverage * 100:.0f}%，低于设定的 60%"
    # 500 m shuttled six times: normal-looking kilometres, an eighth of the river
    shuttle = analyse(*walk([(0, 15), (500, 15)] * 6, noise=8), rv)
    assert shuttle.km > 5 and shuttle.coverage == pytest.approx(0.12, abs=0.015)
    assert not verdict(shuttle, need)[0]
    # standing at one spot for 30 minutes: GPS drift "walks" kilometres, the filter does not
    standing, times = walk([(100, 10), (100.5, 10)], speed=0.00028, noise=8)
    still = analyse(standing, times, rv)
    assert still.minutes == 30 and still.raw_km > 1.0 and still.km < 0.7 and still.still_minutes >= 25
    ok, reasons = verdict(still, need)
    assert not ok and "时长 30 分钟" not in reasons and any("基本未移动" in r for r in reasons)
    assert "里程 " in reasons[1] and "少于规定的 2 公里" in reasons[1]
    # a car on the bank: every piece of the river seen, at 30 km/h
    car = analyse(*walk([(0, 15), (5000, 15)], speed=30 / 3.6, noise=3), rv)
    assert car.coverage > 0.98 and car.fast_minutes >= 9
    ok, reasons = verdict(car, Requirements())
    assert not ok and any("疑似乘车" in r for r in reasons)


def test_a_track_in_gcj02_is_read_as_such_and_a_gap_is_reported():
    rv = [river()]
    pts, times = walk([(0, 15), (5000, 15)], noise=5)
    shifted = [wgs_to_gcj(*p) for p in pts]            # as 高德 or a new 奥维 would write it
    auto = analyse(shifted, times, rv)
    assert auto.datum == "GCJ02" and auto.coverage > 0.98 and auto.median_to_river_m < 30
    wrong = analyse(shifted, times, rv, datum="WGS84")
    assert wrong.coverage < 0.05                          # read as GPS it lies ~500 m off
    gap = [i for i, t in enumerate(times) if not (START + dt.timedelta(minutes=20) < t < START + dt.timedelta(minutes=32))]
    broken = analyse([pts[i] for i in gap], [times[i] for i in gap], rv)
    assert broken.gaps == 1 and 11 < broken.longest_gap_minutes < 13
    assert any(r.startswith("轨迹中断 1 处，最长 12 分钟") for r in verdict(broken, Requirements())[1])


GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="两步路" xmlns="http://www.topografix.com/GPX/1/1">
 <trk><name>巡河</name><trkseg>
  <trkpt lat="30.2500" lon="120.1500"><time>2025-03-05T16:30:00Z</time></trkpt>
  <trkpt lat="30.2500" lon="120.1510"><time>2025-03-05T16:31:30.5Z</time></trkpt>
  <trkpt lat="30.2501" lon="120.1520"><time>2025-03-06T00:33:00+08:00</time></trkpt>
 </trkseg></trk>
 <wpt lat="30.25" lon="120.15"><name>公示牌1</name></wpt>
</gpx>"""

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2"><Document>
 <Placemark><name>清溪河</name><LineString><coordinates>120.15,30.25,0 120.16,30.25,0 120.17,30.251,0</coordinates></LineString></Placemark>
 <Placemark><name>轨迹</name><gx:Track>
  <when>2025-03-05T08:00:00+08:00</when><when>2025-03-05T08:01:00+08:00</when>
  <gx:coord>120.15 30.25 5</gx:coord><gx:coord>120.151 30.25 5</gx:coord></gx:Track></Placemark>
 <Placemark><name>排污口</name><Point><coordinates>120.155,30.2502</coordinates></Point></Placemark>
</Document></kml>"""


def test_gpx_kml_and_kmz_are_read_with_beijing_times(tmp_path):
    gpx = tmp_path / "t.gpx"
    gpx.write_text(GPX, encoding="utf-8")
    f = read_geo_file(gpx)
    track = f.longest()
    assert track.points[1] == (120.151, 30.25) and [(p.name, p.at) for p in f.points] == [("公示牌1", (120.15, 30.25))]
    # UTC 16:30 is half past midnight of the next day in Beijing
    assert track.times == [dt.datetime(2025, 3, 6, 0, 30), dt.datetime(2025, 3, 6, 0, 31, 30, 500000),
                           dt.datetime(2025, 3, 6, 0, 33)]
    kml = tmp_path / "r.kml"
    kml.write_text(KML, encoding="utf-8")
    kmz = tmp_path / "r.kmz"
    with zipfile.ZipFile(kmz, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("doc.kml", KML)
    for path in (kml, kmz):
        f = read_geo_file(path)
        assert [ln.name for ln in f.lines] == ["清溪河", "轨迹"] and f.lines[1].times[1] == dt.datetime(2025, 3, 5, 8, 1)
        assert [(p.name, p.at) for p in f.points] == [("排污口", (120.155, 30.2502))]
    assert parse_time("2025-03-05 08:00:00") == dt.datetime(2025, 3, 5, 16, 0)   # no zone: UTC, as GPX says


def test_hostile_and_broken_files_are_refused_in_chinese(tmp_path):
    bomb = tmp_path / "bomb.gpx"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaa">]><gpx>&a;</gpx>', encoding="utf-8")
    with pytest.raises(GeoFileError, match="不安全"):
        read_geo_file(bomb)
    broken = tmp_path / "broken.kml"
    broken.write_text("<kml><Placemark>", encoding="utf-8")
    with pytest.raises(GeoFileError) as caught:
        read_geo_file(broken)
    assert str(caught.value) == "“broken.kml”不是有效的 XML 文件（第 1 行第 17 个字符处出错）。"   # not expat's English
    workbook = tmp_path / "县级报送.xlsx"    # a zip, as a KMZ is, with no KML in it
    with zipfile.ZipFile(workbook, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(GeoFileError, match="^“县级报送.xlsx”不是河道线或轨迹文件：可用 GPX、KML/KMZ"):
        read_geo_file(workbook)
    zipped = tmp_path / "big.kmz"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("doc.kml", "<kml>" + " " * 5_000_000 + "</kml>")
    with pytest.raises(GeoFileError, match="解压后过大"):
        read_geo_file(zipped)
    deep = tmp_path / "deep.geojson"
    deep.write_text('{"type": "Feature", "geometry": ' + "[" * 100000 + "]" * 100000 + "}", encoding="utf-8")
    with pytest.raises(GeoFileError, match="嵌套过深"):
        read_geo_file(deep)
    bad = tmp_path / "bad.gpx"
    bad.write_text('<gpx><trk><trkseg><trkpt lat="北纬30" lon="120"/></trkseg></trk></gpx>', encoding="utf-8")
    with pytest.raises(GeoFileError, match="不是数字"):
        read_geo_file(bad)


def test_the_command_line_checks_a_track_against_a_river(tmp_path):
    rv = river()
    kml = tmp_path / "河道.kml"
    kml.write_text('<kml><Placemark><name>清溪河</name><LineString><coordinates>'
                   + " ".join(f"{x},{y}" for x, y in rv) + "</coordinates></LineString></Placemark></kml>",
                   encoding="utf-8")
    pts, times = walk([(0, 15), (2500, 15), (0, 15)], noise=5)
    gpx = tmp_path / "轨迹.gpx"
    gpx.write_text('<gpx><trk><trkseg>' + "".join(
        f'<trkpt lat="{y:.7f}" lon="{x:.7f}"><time>{(t - dt.timedelta(hours=8)).isoformat()}Z</time></trkpt>'
        for (x, y), t in zip(pts, times)) + "</trkseg></trk></gpx>", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "hzdesk", "tracks", "check", str(gpx), "--river", str(kml),
                          "--min-minutes", "30"], capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    assert "时间：2025-03-05 08:00 至 09:09（69 分钟）" in run.stdout
    assert "结论：不符合要求——覆盖河道 51%，低于设定的 60%" in run.stdout
    missing = subprocess.run([sys.executable, "-m", "hzdesk", "tracks", "check", str(tmp_path / "无.gpx")],
                             capture_output=True, text=True)
    assert missing.returncode == 2 and "无法打开文件" in missing.stderr and "Traceback" not in missing.stderr


def _kml(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("<kml><Document>" + "".join(
        f"<Placemark><name>{title}</name><LineString><coordinates>"
        + " ".join(f"{x:.7f},{y:.7f}" for x, y in pts) + "</coordinates></LineString></Placemark>"
        for title, pts in lines) + "</Document></kml>", encoding="utf-8")
    return path


def _gpx(tmp_path, name, pts, times):
    path = tmp_path / name
    path.write_text('<gpx><trk><trkseg>' + "".join(
        f'<trkpt lat="{y:.7f}" lon="{x:.7f}"><time>{(t - dt.timedelta(hours=8)).isoformat()}Z</time></trkpt>'
        for (x, y), t in zip(pts, times)) + "</trkseg></trk></gpx>", encoding="utf-8")
    return path


def test_lines_are_matched_to_the_register_and_a_patrol_track_is_kept_with_its_verdict(db, tmp_path):
    """#17 points 1 and 3: a file's lines matched by code or by a name only one water body has
    (a river's line is its segments'); a patrol's track checked against it with the office's
    settings of the patrol's day and the chief's rules, kept, counted in the statistics, and
    gone with the patrol."""
    from sqlalchemy import select

    from hzdesk.db import models as m
    from hzdesk.services import records
    from hzdesk.services.geometry import apply_import, plan_import, river_lines
    from hzdesk.services.settings import set_setting
    from hzdesk.services.stats import period_stats
    from hzdesk.services.tracks import attach_track
    from tests.helpers import appoint, patrol, person, water

    D = dt.date
    line = river()
    with db.session() as s:
        main = water(s, "QX00", kind="河流")
        seg_a, seg_b = water(s, "QX01", parent=main), water(s, "QX02", parent=main)
        kml = _kml(tmp_path, "河道.kml", [("QX01", line[:126]), ("河QX02", line[125:]), ("村道", line[:5])])
        plan = plan_import(s, kml)
        assert sorted(plan.matched) == [seg_a.id, seg_b.id] and plan.unmatched == ["村道"]
        assert apply_import(s, plan, "河道.kml", "WGS84") == 2
        g = s.scalar(select(m.WaterGeometry).where(m.WaterGeometry.water_body_id == seg_a.id))
        assert g.length_m == pytest.approx(2500, abs=1)
        assert len(river_lines(s, main.id)) == 2 and len(river_lines(s, seg_b.id)) == 1
        assert max(math.dist(a, b) for a, b in zip(river_lines(s, seg_b.id)[0], line[125:])) < 1e-6
        chief = person(s, "李堃")
        appoint(s, chief, main, D(2024, 1, 1), level="村级")
        records.create(s, "frequency_rule", {"role": "河长", "level": "村级", "period_unit": "月", "min_count": 1,
                                              "scope": "每位河长", "min_minutes": 30, "enabled": True})
        p = patrol(s, chief, main, D(2025, 3, 5), entered=D(2025, 3, 5))
        set_setting(s, "track_min_coverage", 40, effective_from=D(2025, 1, 1))
        s.commit()
        half = _gpx(tmp_path, "半程.gpx", *walk([(0, 15), (2500, 15), (0, 15)], noise=5))
        t = attach_track(s, p.id, half)
        assert t.passed and t.coverage == pytest.approx(0.51, abs=0.02) and t.coverage_needed == 0.4
        set_setting(s, "track_min_coverage", 60, effective_from=D(2025, 3, 1))   # stricter from March
        t = attach_track(s, p.id, half)                                            # the same patrol: replaced
        assert not t.passed and t.reasons[0].endswith("低于设定的 60%")
        assert s.scalar(select(func_count(m.PatrolTrack))) == 1
        stood, times = walk([(100, 10), (100.5, 10)], speed=0.5 / 1200, noise=8)    # 20 minutes on one spot
        other = patrol(s, chief, main, D(2025, 3, 6), entered=D(2025, 3, 6))
        t2 = attach_track(s, other.id, _gpx(tmp_path, "站.gpx", stood, [x + dt.timedelta(days=1) for x in times]))
        assert not t2.passed and "时长 20 分钟，少于规定的 30 分钟" in t2.reasons
        s.commit()
        from hzdesk import clock
        tracks = period_stats(s, D(2025, 3, 1), D(2025, 3, 31), clock.today())["patrols"]["tracks"]
        assert tracks == {"with_track": 2, "checked": 2, "below_coverage": 2, "too_fast": 0, "not_passed": 2}
        from hzdesk.services.tracks import doubtful_patrols      # 概览's list: the same two, with why
        doubtful = doubtful_patrols(s, D(2025, 3, 1), D(2025, 3, 31), clock.today())
        assert [(d[2], d[3]) for d in doubtful] == [(D(2025, 3, 5), "覆盖河道 51%，低于设定的 60%"),
                                                     (D(2025, 3, 6), t2.reasons[0])]
        # checked today: a report as of a day before knew of no track
        before = period_stats(s, D(2025, 3, 1), D(2025, 3, 31), clock.today() - dt.timedelta(days=1))
        assert before["patrols"]["tracks"]["with_track"] == 0
        wrong_day = _gpx(tmp_path, "别日.gpx", *walk([(0, 15), (100, 15)]))
        with pytest.raises(Exception, match="与巡河日期 2025-03-06 不符"):
            attach_track(s, other.id, wrong_day)
        records.delete(s, "patrol", other.id)
        s.commit()
        assert s.scalar(select(func_count(m.PatrolTrack))) == 1
        # the office relaxes its coverage for March: a recheck names the patrol that would now
        # pass, and the kept verdict (what reports printed) stays
        from hzdesk.services.tracks import recheck_tracks
        set_setting(s, "track_min_coverage", 40, effective_from=D(2025, 3, 1))
        again = recheck_tracks(s, D(2025, 3, 1), D(2025, 3, 31))
        assert again.checked == 1 and [(d[0], d[3]) for d in again.differ] == [(p.id, True)]
        assert "原为不符合要求，现符合" in again.lines()[1]
        assert not s.scalar(select(m.PatrolTrack.passed).where(m.PatrolTrack.patrol_id == p.id))


def func_count(model):
    from sqlalchemy import func
    return func.count(model.id)


def test_geo_import_refuses_a_file_with_lines_it_cannot_place(tmp_path):
    db_path = tmp_path / "t.db"
    subprocess.run([sys.executable, "-m", "hzdesk", "--db", str(db_path), "demo", "--until", "2025-06-30"],
                   check=True, capture_output=True)
    kml = _kml(tmp_path, "河道.kml", [("某某路", river(300))])
    run = subprocess.run([sys.executable, "-m", "hzdesk", "--db", str(db_path), "geo", "import", str(kml)],
                         capture_output=True, text=True)
    assert run.returncode == 2 and "对不上的 1 处" in run.stdout and "没有写入" in run.stderr


def test_the_map_shows_each_feature_as_of_its_day(db, tmp_path):
    """#17 point 2: water bodies with a line coloured by their open problems on the day, boards
    in red once they show someone no longer in charge, what has no coordinates counted, not
    drawn; an office with no geometry sees points only."""
    from hzdesk.services.geometry import apply_import, plan_import
    from hzdesk.services.map_data import map_data
    from hzdesk.services import records
    from hzdesk.services.workflow import move
    from tests.helpers import water

    D = dt.date
    with db.session() as s:
        wb = water(s, "QX01", kind="河流")
        records.create(s, "sign_board", {"code": "GSP-1", "water_body_id": wb.id, "condition": "完好",
                                         "longitude": 120.151, "latitude": 30.2501, "installed_on": D(2024, 1, 1)})
        records.create(s, "sign_board", {"code": "GSP-2", "water_body_id": wb.id, "condition": "完好",
                                         "installed_on": D(2024, 1, 1)})
        assert map_data(s, D(2025, 3, 1)).waters == []          # no lines yet: nothing breaks
        apply_import(s, plan_import(s, _kml(tmp_path, "r.kml", [("QX01", river(1000))])), "r.kml", "WGS84")
        p = records.create(s, "problem", {"found_on": D(2025, 3, 5), "water_body_id": wb.id, "source": "暗访",
                                          "category": "乱堆", "description": "岸边垃圾",
                                          "longitude": 120.152, "latitude": 30.2502})
        move(s, p.id, "交办", on_date=D(2025, 3, 6), responsible_unit="镇执法队", deadline=D(2025, 3, 20))
        # a problem typed without coordinates whose photo knows where it was taken
        from hzdesk.db import models as m
        q = records.create(s, "problem", {"found_on": D(2025, 3, 8), "water_body_id": wb.id, "source": "河长巡河",
                                          "category": "建筑垃圾", "description": "岸边倾倒建筑垃圾"})
        s.add(m.Attachment(owner_type="problem", owner_id=q.id, sha256="0" * 64, filename="现场.jpg",
                           mime="image/jpeg", size_bytes=1, longitude=120.153, latitude=30.2503))
        s.commit()
        before, open_, late = (map_data(s, d) for d in (D(2025, 3, 1), D(2025, 3, 10), D(2025, 4, 1)))
        photo = [x for x in open_.points if x.kind == "problem" and x.id == q.id][0]
        assert photo.at == (120.153, 30.2503) and photo.note.endswith("（位置取自照片）")
    assert [w.state for w in before.waters] == ["ok"] and [w.state for w in open_.waters] == ["open"]
    assert [w.state for w in late.waters] == ["overdue"]
    assert [(p.kind, p.state) for p in late.points if p.kind == "problem"] == [("problem", "overdue"), ("problem", "open")]
    assert [p.label for p in late.points if p.kind == "sign_board"] == ["GSP-1"] and late.unplaced == {"sign_board": 1}
    assert not any(p.kind == "problem" for p in before.points)    # not yet found on 1 March


def test_sections_take_their_latest_class_known_on_the_day(db):
    from hzdesk.services import records
    from hzdesk.services.map_data import map_data, point_style
    from tests.helpers import water

    D = dt.date
    with db.session() as s:
        wb = water(s, "QX01", kind="河流")
        sec = records.create(s, "monitoring_section", {"name": "青溪断面", "water_body_id": wb.id, "control_level": "县控",
                                                       "target_class": "Ⅲ", "longitude": 120.15, "latitude": 30.25})
        for day, cls in ((D(2025, 6, 10), "Ⅲ"), (D(2025, 7, 10), "Ⅴ")):
            records.create(s, "monitoring_result", {"section_id": sec.id, "sampled_on": day, "water_class": cls})
        s.commit()
        seen = {d: [p for p in map_data(s, d).points if p.kind == "section"][0] for d in
                (D(2025, 6, 1), D(2025, 6, 30), D(2025, 7, 31))}
    assert [p.state for p in seen.values()] == ["", "Ⅲ", "Ⅴ"]
    assert "2025-07-10 监测 Ⅴ类（目标 Ⅲ类）" == seen[D(2025, 7, 31)].note
    assert point_style(seen[D(2025, 6, 1)])[2] == "断面（无监测结果）"


def test_the_printed_map_and_a_patrols_track_sheet(db, tmp_path):
    """#17 point 4: 河湖一张图 on paper (vector, the same features and counts as the tab, a source
    line, in the binder only when there is something to map) and the 巡河轨迹核对单 (the record's
    figures beside the track's, the kept verdict, a place to sign)."""
    from pypdf import PdfReader

    from hzdesk.db import models as m
    from hzdesk.reports.make import make
    from hzdesk.services.geometry import apply_import, plan_import
    from hzdesk.services.tracks import attach_track, record_vs_track
    from tests.helpers import appoint, patrol, pdftext, person, water

    D = dt.date
    with db.session() as s:
        main = water(s, "QX01", kind="河流")
        chief = person(s, "李堃")
        appoint(s, chief, main, D(2024, 1, 1), level="村级")
        s.commit()
        empty = make(s, "map", tmp_path / "空.pdf", as_of=D(2025, 3, 31))
        assert empty.pages == 1 and "还没有可以上图的内容" in pdftext(tmp_path / "空.pdf")
        make(s, "binder", tmp_path / "无图.pdf", period=(D(2025, 1, 1), D(2025, 12, 31)), as_of=D(2025, 3, 31))
        assert "河湖一张图" not in pdftext(tmp_path / "无图.pdf")    # nothing to map: no section, nothing broken
        apply_import(s, plan_import(s, _kml(tmp_path, "r.kml", [("QX01", river(2500))])), "r.kml", "WGS84")
        p = patrol(s, chief, main, D(2025, 3, 5), entered=D(2025, 3, 5))
        p.start_time, p.end_time, p.distance_km = dt.time(9, 0), dt.time(10, 0), 3.0
        s.commit()
        with pytest.raises(Exception, match="还没有轨迹"):
            make(s, "track", tmp_path / "t.pdf", patrol=p.id)
        pts, times = walk([(0, 15), (2500, 15)], noise=3)       # 2.5 km at 1.2 m/s: about 35 minutes
        attach_track(s, p.id, _gpx(tmp_path, "走.gpx", pts, [dt.datetime(2025, 3, 5, 9, 5) + (t - times[0])
                                                             for t in times]))
        s.commit()
        rows = {r[0]: r for r in record_vs_track(p, s.get(m.Patrol, p.id) and
                                                 s.query(m.PatrolTrack).filter_by(patrol_id=p.id).one())}
        assert rows["开始时间"][1:] == ("09:00", "09:05", "轨迹晚 5 分钟")
        assert rows["时长"][1] == "60 分钟" and rows["时长"][3].startswith("轨迹少")
        assert rows["里程"][1:] == ("3 公里", "2.5 公里", "轨迹少 0.5 公里")
        make(s, "map", tmp_path / "图.pdf", as_of=D(2025, 3, 31))
        sheet = make(s, "track", tmp_path / "单.pdf", patrol=p.id)
        make(s, "binder", tmp_path / "有图.pdf", period=(D(2025, 1, 1), D(2025, 12, 31)), as_of=D(2025, 3, 31))
    text = pdftext(tmp_path / "图.pdf")
    assert "河湖一张图" in text and "上图河湖1个" in text and "底图：无" in text and "截至2025年3月31日" in text
    page = PdfReader(tmp_path / "图.pdf").pages[0]
    assert not page.images and page.mediabox.width > page.mediabox.height       # vector, landscape
    assert sheet.pages == 1
    text = pdftext(tmp_path / "单.pdf")
    assert "巡河轨迹核对单" in text and "轨迹晚5分钟" in text and "结论：符合要求" in text and "核对人（签字）" in text
    assert "河湖一张图" in pdftext(tmp_path / "有图.pdf")


def test_a_folder_of_tracks_becomes_patrols_matched_by_name_day_and_river(tmp_path):
    """#17 point 3: `tracks import DIR` — person from the file's name (李明 not taken for 李明华),
    day and times from the track, water body from the line it runs along (the chief's own first);
    an entered patrol takes its track, a new one is made otherwise; a file that cannot be placed
    stops the import (nothing written) unless skipped; the same folder twice adds nothing."""
    from sqlalchemy import func, select

    from hzdesk.cli import main
    from hzdesk.db import models as m
    from hzdesk.db.engine import open_database
    from hzdesk.services.geometry import apply_import, plan_import
    from tests.helpers import appoint, patrol, person, water

    D = dt.date
    far = PROJ.inverse([(x, 3000.0) for x in range(0, 2001, 20)])      # another river, 3 km north
    db = open_database(tmp_path / "t.db")
    with db.session() as s:
        a, b = water(s, "QX01", kind="河流"), water(s, "QX02", kind="河流")
        apply_import(s, plan_import(s, _kml(tmp_path, "r.kml", [("QX01", river(2000)), ("QX02", far)])), "r.kml", "WGS84")
        li, lihua = person(s, "李明"), person(s, "李明华")
        appoint(s, li, a, D(2024, 1, 1))
        entered = patrol(s, li, a, D(2025, 3, 6), entered=D(2025, 3, 6))
        s.commit()
        entered_id = entered.id
    db.close()
    folder = tmp_path / "轨迹"
    folder.mkdir()

    def track(name, path_xy, day):
        pts, times = walk(path_xy, noise=3)
        shift = dt.datetime.combine(day, dt.time(8, 0)) - START
        return _gpx(folder, name, pts, [t + shift for t in times])
    track("李明-0305.gpx", [(0, 10), (2000, 10)], D(2025, 3, 5))
    track("2025-03-06 李明.gpx", [(0, 10), (2000, 10)], D(2025, 3, 6))
    track("李明华-0305.gpx", [(0, 3010), (2000, 3010)], D(2025, 3, 5))
    track("王五.gpx", [(0, 10), (500, 10)], D(2025, 3, 5))
    (folder / "说明.txt").write_text("不是轨迹", encoding="utf-8")
    args = ["--db", str(tmp_path / "t.db"), "tracks", "import", str(folder)]

    def counts():
        d = open_database(tmp_path / "t.db")
        try:
            with d.session() as s:
                return (s.scalar(select(func.count(m.Patrol.id))), s.scalar(select(func.count(m.PatrolTrack.id))))
        finally:
            d.close()
    assert main(args) == 2 and counts() == (1, 0)                      # 王五 is no one: nothing written
    assert main(args + ["--skip-unmatched"]) == 0 and counts() == (3, 3)
    db = open_database(tmp_path / "t.db")
    with db.session() as s:
        made = {p.person.name: p for p in s.scalars(select(m.Patrol).where(m.Patrol.id != entered_id))}
        assert made["李明"].patrol_date == D(2025, 3, 5) and made["李明"].water_body.code == "QX01"
        assert made["李明"].start_time == dt.time(8, 0) and made["李明"].distance_km == pytest.approx(2.0, abs=0.1)
        assert made["李明华"].water_body.code == "QX02" and "李明华-0305.gpx" in made["李明华"].notes
        kept = s.scalar(select(m.PatrolTrack).where(m.PatrolTrack.patrol_id == entered_id))
        assert kept.source == "2025-03-06 李明.gpx" and kept.passed
    db.close()
    assert main(args + ["--skip-unmatched"]) == 0 and counts() == (3, 3)   # again: already imported


CGCS2000 = ('GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,'
            '298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]')
GAUSS = 'PROJCS["CGCS2000_3_Degree_GK_Zone_40",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000"]]'


def _shapefile(folder, stem, lines=(), points=(), prj=CGCS2000, encoding="gbk"):
    """A shapefile as the county's GIS writes it: 编码 and 名称 columns in GBK (no .cpg)."""
    import shapefile

    folder.mkdir(exist_ok=True)
    with shapefile.Writer(str(folder / stem), shapeType=shapefile.POINT if points else shapefile.POLYLINE,
                          encoding=encoding) as w:
        w.field("编码", "C", 20)
        w.field("名称", "C", 40)
        for code, name, pts in lines:
            w.line([[list(p) for p in pts]])
            w.record(code, name)
        for code, name, at in points:
            w.point(*at)
            w.record(code, name)
    if prj:
        (folder / f"{stem}.prj").write_text(prj, encoding="ascii")
    return folder / f"{stem}.shp"


def test_geojson_and_shapefiles_place_lines_and_points(db, tmp_path):
    """#17 point 1: a GeoJSON with a line, a pond's polygon and a board's point; a county shapefile
    (GBK attributes, CGCS2000 .prj) matched by its 编码 column though its 名称 differs; the same in a
    .zip; projected coordinates and a missing .dbf refused in Chinese; the file kept as an
    attachment of what it placed, the board's place written through its ledger."""
    import json

    from sqlalchemy import select

    from hzdesk.db import models as m
    from hzdesk.services import records
    from hzdesk.services.geometry import apply_import, plan_import
    from tests.helpers import water

    D = dt.date
    line = river(1000)
    pond = PROJ.inverse([(200 * math.cos(a / 10), 500 + 200 * math.sin(a / 10)) for a in range(63)])
    gj = tmp_path / "河湖.geojson"
    gj.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"名称": "青溪河", "编码": "QX01"},
         "geometry": {"type": "LineString", "coordinates": [list(p) for p in line]}},
        {"type": "Feature", "properties": {"name": "燕子塘"},
         "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in pond]]}},
        {"type": "Feature", "properties": {"code": "GSP-1"}, "geometry": {"type": "Point", "coordinates": [120.151, 30.2501]}},
    ]}, ensure_ascii=False), encoding="utf-8")
    with db.session() as s:
        qx = water(s, "QX01", kind="河流")
        pond_wb = records.create(s, "water_body", {"code": "YZ01", "name": "燕子塘", "kind": "山塘", "level": "村级"})
        board = records.create(s, "sign_board", {"code": "GSP-1", "water_body_id": qx.id, "condition": "完好",
                                                 "installed_on": D(2024, 1, 1)})
        plan = plan_import(s, gj)
        assert sorted(plan.matched) == [qx.id, pond_wb.id] and not plan.unmatched
        assert plan.places[("sign_board", board.id)][1] == (120.151, 30.2501)
        assert "坐标系：WGS-84（该格式的规定）" in plan.lines()[0]
        assert "  QX01 河QX01：量算 1.00 公里" in plan.lines()
        assert apply_import(s, plan, gj.name, plan.datum, db.attachments, gj) == 3
        s.commit()
        assert (board.longitude, board.latitude) == (120.151, 30.2501)
        kept = s.scalars(select(m.Attachment).where(m.Attachment.purpose == "坐标来源")).all()
        assert {(a.owner_type, a.mime) for a in kept} == {("water_body", "application/geo+json"),
                                                        ("sign_board", "application/geo+json")}
        assert len({a.sha256 for a in kept}) == 1 and len(kept) == 3
        # the county's shapefile: 名称 "青溪河（清溪镇段）" is not in the register, 编码 QX01 is
        shp = _shapefile(tmp_path / "县", "河流", lines=[("QX01", "青溪河（清溪镇段）", line[:30])])
        plan = plan_import(s, shp)
        assert list(plan.matched) == [qx.id] and plan.replaced == ["QX01 河QX01"]
        assert "shapefile 的 .prj" in plan.lines()[0]
        zipped = tmp_path / "河流.zip"
        with zipfile.ZipFile(zipped, "w") as z:
            for part in (tmp_path / "县").iterdir():
                z.write(part, f"河流/{part.name}")
        assert list(plan_import(s, zipped).matched) == [qx.id]
        apply_import(s, plan_import(s, shp), shp.name, "WGS84", db.attachments, shp)
        s.commit()
        assert s.scalar(select(m.Attachment).where(m.Attachment.filename == "河流.shp.zip")) is not None
        projected = _shapefile(tmp_path / "投影", "河流", lines=[("QX01", "青溪河", [(40500000.0, 3350000.0), (40501000.0, 3350000.0)])],
                               prj=GAUSS)
        with pytest.raises(GeoFileError, match="投影坐标"):
            plan_import(s, projected)
        (tmp_path / "县" / "河流.dbf").unlink()
        with pytest.raises(GeoFileError, match="缺少同名的 .dbf"):
            plan_import(s, shp)
        epsg = tmp_path / "投影.geojson"
        epsg.write_text('{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4527"}},"features":[]}',
                        encoding="utf-8")
        with pytest.raises(GeoFileError, match="EPSG:4527"):
            read_geo_file(epsg)


def _mbtiles(path, west, south, east, north, zooms=(13, 14, 15)):
    """A small MBTiles file over the box: plain green tiles, as an office's exported basemap."""
    import io
    import sqlite3

    from PIL import Image

    from hzdesk.geo.basemap import _tile

    buf = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 230, 200)).save(buf, "PNG")
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    db.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
    db.executemany("INSERT INTO metadata VALUES (?, ?)", [("name", "清溪镇影像"), ("format", "png")])
    for z in zooms:
        (x0, y0), (x1, y1) = _tile(west, north, z), _tile(east, south, z)
        for x in range(x0 - 1, x1 + 2):
            for y in range(y0 - 1, y1 + 2):
                db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, 2 ** z - 1 - y, buf.getvalue()))
    db.commit()
    db.close()
    return path


def test_an_office_basemap_lies_under_the_map_and_is_named_on_paper(db, tmp_path):
    """#17 point 2: an MBTiles file or a scanned map with its world file, chosen in the settings
    (a file that does not open is refused there), drawn under the features on screen and on
    paper, its source printed; a world file that is rotated or projected is refused."""
    from pypdf import PdfReader

    from hzdesk.errors import ValidationError
    from hzdesk.geo.basemap import BasemapError, open_basemap
    from hzdesk.reports.make import make
    from hzdesk.services.geometry import apply_import, plan_import
    from hzdesk.services.map_data import basemap_pieces
    from hzdesk.services.settings import set_setting
    from tests.helpers import pdftext, water

    line = river(2000)
    west, south = min(p[0] for p in line), min(p[1] for p in line) - 0.002
    east, north = max(p[0] for p in line), max(p[1] for p in line) + 0.002
    tiles = _mbtiles(tmp_path / "底图.mbtiles", west, south, east, north)
    with db.session() as s:
        water(s, "QX01", kind="河流")
        apply_import(s, plan_import(s, _kml(tmp_path, "r.kml", [("QX01", line)])), "r.kml", "WGS84")
        assert basemap_pieces(s, (west, south, east, north), 800)[0] == []
        with pytest.raises(ValidationError, match="不是底图文件"):
            set_setting(s, "map_basemap", str(tmp_path / "r.kml"))
        set_setting(s, "map_basemap", str(tiles))
        set_setting(s, "map_basemap_source", "清溪镇自然资源所提供")
        s.commit()
        pieces, source = basemap_pieces(s, (west, south, east, north), 800)
        assert pieces and all(p.west < p.east and p.south < p.north for p in pieces)
        assert source.startswith("底图：清溪镇影像，清溪镇自然资源所提供")
        make(s, "map", tmp_path / "图.pdf", as_of=dt.date(2025, 3, 31))
    page = PdfReader(tmp_path / "图.pdf").pages[0]
    assert page.images and "底图：清溪镇影像，清溪镇自然资源所提供" in pdftext(tmp_path / "图.pdf")
    # a scanned map: world file in degrees, north up
    from PIL import Image
    Image.new("RGB", (100, 50), "white").save(tmp_path / "扫描图.png")
    (tmp_path / "扫描图.pgw").write_text("0.0001\n0\n0\n-0.0001\n120.15005\n30.25495\n", encoding="ascii")
    scan = open_basemap(tmp_path / "扫描图.png")
    assert (scan.west, scan.north, scan.east, scan.south) == pytest.approx((120.15, 30.255, 120.16, 30.25))
    assert len(scan.pieces(120.0, 30.0, 121.0, 31.0, 800)) == 1 and scan.pieces(100, 10, 101, 11, 800) == []
    (tmp_path / "扫描图.pgw").write_text("0.0001\n0.00002\n0\n-0.0001\n120.15\n30.255\n", encoding="ascii")
    with pytest.raises(BasemapError, match="旋转"):
        open_basemap(tmp_path / "扫描图.png")
    (tmp_path / "扫描图.pgw").write_text("2.5\n0\n0\n-2.5\n40500000\n3350000\n", encoding="ascii")
    with pytest.raises(BasemapError, match="投影坐标"):
        open_basemap(tmp_path / "扫描图.png")


def test_a_water_body_whose_chief_falls_behind_this_month_is_marked(db, tmp_path):
    from hzdesk.services import records
    from hzdesk.services.geometry import apply_import, plan_import
    from hzdesk.services.map_data import map_data
    from tests.helpers import appoint, patrol, person, water

    D = dt.date
    with db.session() as s:
        wb = water(s, "QX01", kind="河流")
        apply_import(s, plan_import(s, _kml(tmp_path, "r.kml", [("QX01", river(1000))])), "r.kml", "WGS84")
        chief = person(s, "李堃")
        appoint(s, chief, wb, D(2024, 1, 1))
        records.create(s, "frequency_rule", {"role": "河长", "level": "村级", "period_unit": "月", "min_count": 1,
                                              "scope": "每位河长", "enabled": True})
        s.commit()
        late = map_data(s, D(2025, 3, 31)).waters[0]
        assert (late.state, late.behind) == ("behind", ["李堃"])
        for day in (1, 5, 12, 19, 26, 31):          # the office's weekly rule for village chiefs too
            patrol(s, chief, wb, D(2025, 3, day), entered=D(2025, 3, day))
        s.commit()
        assert map_data(s, D(2025, 3, 31)).waters[0].state == "ok"
