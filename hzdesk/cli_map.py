"""The map's commands: `hzdesk geo` (river lines and the places of boards, outfalls and sections
from GIS files) and `hzdesk tracks` (patrol tracks: import a folder, attach one, recheck a period,
or judge a single file). Their arguments are defined with the others in hzdesk/cli.py."""

from __future__ import annotations

import datetime as dt
import os
import sys

from hzdesk.command_db import open_db
from hzdesk.errors import HzdeskError


def cmd_geo(args) -> int:
    from hzdesk.services.geometry import apply_import, plan_import

    with open_db(args, writes=not args.dry_run) as db:
        with db.session(write=not args.dry_run) as s:
            plan = plan_import(s, args.file, args.datum)
            for line in plan.lines():
                print(line)
            if plan.unmatched and not args.skip_unmatched:   # all or nothing, as an import of a workbook
                print("有对不上的线或点，没有写入；请在文件中把名称改为名录中的编码或名称后再导入，或加 --skip-unmatched 只导入对上的。", file=sys.stderr)
                return 2
            if args.dry_run:
                print("检查通过，可以导入。")
                return 0
            apply_import(s, plan, os.path.basename(args.file), plan.datum, db.attachments, args.file)
            s.commit()
    print(f"导入完成：{len(plan.matched)} 个河湖有了河道线，{len(plan.places)} 个公示牌、排污口、断面有了经纬度；"
          "源文件已作为附件保存。")
    return 0


def _tracks_import(args) -> int:
    from hzdesk.services.track_import import apply_track_import, plan_track_import

    with open_db(args, writes=not args.dry_run) as db, db.session(write=not args.dry_run) as s:
        plan = plan_track_import(s, args.folder, args.datum)
        for line in plan.lines():
            print(line)
        if plan.unmatched and not args.skip_unmatched:   # all or nothing, as the other imports
            print("有对不上的文件，没有写入；可改文件名（姓名-日期.gpx）后再导入，或加 --skip-unmatched 只导入对上的。",
                  file=sys.stderr)
            return 2
        if args.dry_run:
            print("检查完毕，没有写入。")
            return 0
        made, attached = apply_track_import(s, plan, args.datum, db.attachments)
        s.commit()
    print(f"导入完成：新建巡河记录 {made} 条，挂到已录入记录 {attached} 条。")
    return 0


def cmd_tracks(args) -> int:
    if args.tracks_command == "import":
        return _tracks_import(args)
    if args.tracks_command == "recheck":
        from hzdesk.services.tracks import recheck_tracks
        start, end = args.period or (dt.date(1900, 1, 1), dt.date(2999, 12, 31))
        with open_db(args, writes=False) as db, db.session() as s:
            result = recheck_tracks(s, start, end, progress=lambda text: print(text, file=sys.stderr))
        for line in result.lines():
            print(line)
        return 0
    if args.tracks_command == "attach":
        from hzdesk.services.tracks import attach_track

        with open_db(args, writes=True) as db, db.session(write=True) as s:
            t = attach_track(s, args.patrol, args.file, args.datum, db.attachments)
            s.commit()
            print(f"巡河记录 {args.patrol} 的轨迹已保存（{t.n_points} 个点）："
                  + ("符合要求——" if t.passed else "不符合要求——") + "；".join(t.reasons))
        return 0
    from hzdesk.geo.coords import to_wgs
    from hzdesk.geo.files import read_geo_file
    from hzdesk.geo.tracks import Requirements, analyse, describe, verdict

    track = read_geo_file(args.file).longest()
    rivers = [to_wgs(line.points, args.river_datum) for line in read_geo_file(args.river).lines] if args.river else []
    if args.river and not rivers:
        raise HzdeskError(f"“{args.river}”里没有河道线。")
    facts = analyse(track.points, track.times, rivers, datum=args.datum, radius_m=args.radius)
    need = Requirements(min_coverage=args.coverage / 100, min_minutes=args.min_minutes, min_km=args.min_km,
                        radius_m=args.radius)
    ok, reasons = verdict(facts, need)
    for line in describe(facts, need):
        print(line)
    print(("结论：符合要求——" if ok else "结论：不符合要求——") + "；".join(reasons))
    return 0 if ok else 1
