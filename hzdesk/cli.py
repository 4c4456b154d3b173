"""The command line: `hzdesk` opens the window; subcommands work without a screen.

Heavy libraries (Qt, matplotlib, reportlab, openpyxl) are imported only by the command that
needs them, so `hzdesk check` starts fast on an old PC.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys

from hzdesk import APP_NAME, __version__, clock
from hzdesk.cli_help import ChineseListing, Parser
from hzdesk.command_db import open_db
from hzdesk.errors import HzdeskError
from hzdesk.parsing import ParseError, parse_date
from hzdesk.reports.kinds import KINDS

REPORT_KINDS = {k.key: k.title for k in KINDS.values()}   # the one registry: hzdesk/reports/kinds.py


def _period_arg(text: str):
    from hzdesk.periods import parse_period
    try:
        return parse_period(text)
    except ParseError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _date_arg(text: str) -> dt.date:
    try:
        return parse_date(text)
    except ParseError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="hzdesk", description=f"{APP_NAME}：乡镇河长制办公室的离线台账软件。不带命令时打开主窗口。",
        epilog="示例：hzdesk --db 台账.db demo ；hzdesk --db 台账.db check")
    p.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}",
                   help="显示版本号并退出")
    p.add_argument("--db", metavar="路径",
                   help="数据库文件（默认：环境变量 HZDESK_DB，否则为用户数据文件夹中的 hzdesk.db）")
    p.add_argument("--user", metavar="用户名",
                   help="启用账号后，写入数据的命令须由管理员执行：用户名（默认：环境变量 HZDESK_USER），"
                        "密码在提示时输入（或取自环境变量 HZDESK_PASSWORD）")
    p.add_argument("--township", metavar="乡镇",
                   help="县级数据库：只看、只写其中一个乡镇的台账（统计、导出、报表、导入等）")
    sub = p.add_subparsers(dest="command", metavar="<命令>", title="命令",
                           description="不带命令时打开主窗口；“hzdesk <命令> -h”查看某个命令的用法。")

    demo = sub.add_parser("demo", help="向空数据库写入一个乡镇的示例数据",
                          description="生成一个乡镇的示例数据：河湖、河长、公示牌、巡河记录、问题。"
                                      "只写入空数据库，绝不与正式数据混在一起。")
    demo.add_argument("--scale", choices=["small", "large"], default="small",
                      help="small：数千条记录，供熟悉软件；large：约十万条巡河记录，供性能测试")
    demo.add_argument("--seed", type=int, default=1, metavar="种子", help="随机种子：种子和截止日期相同则数据完全相同")
    demo.add_argument("--until", type=_date_arg, metavar="日期",
                      help="示例数据的截止日期（默认今天）")

    stats = sub.add_parser("stats", help="统计某一期间的巡河、问题和公示牌数字",
                           description="统计巡河率、问题整改率、超期问题和公示牌更新情况。")
    stats.add_argument("--period", required=True, type=_period_arg, metavar="期间",
                       help="2025-03（月）、2025Q1（季度）、2025（年）或 2025-03-01..2025-03-31")
    stats.add_argument("--as-of", type=_date_arg, metavar="日期", help="统计截至日期（默认今天）")
    stats.add_argument("--json", action="store_true", help="输出 JSON（供其他程序读取）")
    stats.add_argument("--xlsx", metavar="文件.xlsx", help="同时写出县级统计工作簿（按河长、按村、按类别、按责任单位）")

    export = sub.add_parser("export", help="导出县级报送用的 Excel 工作簿（每个台账一张表）",
                            description="导出标准工作簿：河湖名录、人员名录、河长任职、公示牌、巡河记录、问题台账等。")
    export.add_argument("file", metavar="文件.xlsx")
    export.add_argument("--period", type=_period_arg, metavar="期间", help="只导出该期间的巡河记录和问题（名录类表格总是全部导出）")

    imp = sub.add_parser("import", help="从标准 Excel 工作簿导入；有任何错误则一条也不写入",
                         description="导入标准工作簿。全部正确才写入；有错误时列出每个问题并生成“错误清单”工作簿。")
    imp.add_argument("file", metavar="文件.xlsx")
    imp.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    imp.add_argument("--errors", metavar="错误清单.xlsx", help="错误清单工作簿写到哪里（默认：原文件名加“-错误清单”）")

    merge = sub.add_parser("merge", help="合并乡镇台账：把一个乡镇报送的工作簿并入县级数据库中该乡镇；有任何错误则一条也不写入",
                           description="县级数据库汇总各乡镇：工作簿中的编码只在该乡镇内查找和查重，"
                                       "检查与导入相同，全部正确才写入。")
    merge.add_argument("township", metavar="乡镇")
    merge.add_argument("file", metavar="文件.xlsx")
    merge.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    merge.add_argument("--errors", metavar="错误清单.xlsx", help="错误清单工作簿写到哪里（默认：原文件名加“-错误清单”）")
    township = sub.add_parser("township", help="县级数据库的乡镇：列出，或添加一个乡镇")
    township_sub = township.add_subparsers(dest="action", metavar="<操作>", required=True)
    township_sub.add_parser("list", help="列出数据库中的乡镇")
    township_add = township_sub.add_parser("add", help="添加一个乡镇（之后用 merge 并入它的台账）")
    township_add.add_argument("name", metavar="名称")
    township_add.add_argument("--code", metavar="代码", help="行政区划代码（可不填）")

    template = sub.add_parser("template", help="生成空白导入模板（含填写说明）")
    template.add_argument("file", metavar="文件.xlsx")

    # The kinds one to a line below the options: run together in one help text, argparse cut
    # their names across lines ("secti / ons", "issue- / sheet").
    width = max(map(len, REPORT_KINDS)) + 2
    report = sub.add_parser("report", help="生成可打印的 PDF 台账或报表",
                            description="生成 PDF 台账、统计报表或单个问题的督办单、销号单。",
                            formatter_class=ChineseListing,
                            epilog="种类：\n" + "\n".join(f"  {k.ljust(width)}{v}" for k, v in REPORT_KINDS.items())
                            + "\n\n示例：hzdesk --db 台账.db report patrols --period 2025-03 --out 巡河记录.pdf")
    report.add_argument("kind", choices=REPORT_KINDS, metavar="种类", help="要生成的台账或报表，见下方“种类”")
    report.add_argument("--out", required=True, metavar="文件.pdf", help="工作总结（work-summary）也可存为 .docx")
    report.add_argument("--period", type=_period_arg, metavar="期间", help="巡河记录、问题台账、工作总结的期间，如 2025-03、2025Q1、2025H1、2025")
    report.add_argument("--as-of", type=_date_arg, metavar="日期", help="名录的有效日期、统计截至日期（默认今天）")
    report.add_argument("--state", metavar="状态", help="问题台账只列某一状态，如 整改中")
    report.add_argument("--issue", metavar="问题编号", help="督办单、销号单的问题编号，如 WT-2025-001")
    report.add_argument("--patrol", type=int, metavar="记录号", help="巡河轨迹核对单（track）的巡河记录号")
    report.add_argument("--with-sheets", action="store_true",
                        help="迎检台账（binder）附上本年签发的督办单和本年销号问题的销号单")
    report.add_argument("--brief", action="store_true",
                        help="简表：巡河记录、问题台账每条只印一行（不印职务、路线、同行人员、整改验收等明细行）")

    sub.add_parser("backup", help="立即备份数据库（含附件），并校验备份",
                   description="用 SQLite 备份接口生成一致的备份，校验后放入数据库旁的“备份”文件夹，并按 7 天、4 周、12 个月轮换。")
    sub.add_parser("backups", help="列出已有的备份")
    restore = sub.add_parser("restore", help="从备份恢复（会先备份当前数据库）")
    restore.add_argument("file", metavar="备份文件")

    selfcheck = sub.add_parser("selfcheck", help="自检：在临时文件夹中建库、生成 PDF 和 Excel，确认安装完整",
                               description="自检（不动正式数据）：新建临时数据库，写入示例数据，生成一份 PDF 台账和一份 Excel 工作簿；"
                                           "给了服务器数据库地址时，再连接它并读出结构版本（不写入）。")
    selfcheck.add_argument("--server", metavar="postgresql://…", help="也连接这个服务器数据库（只读，不改动）")

    rules = sub.add_parser("rules", help="巡河规则工作簿：导出，或导入县里下发的规则（带生效日期）",
                           description="导出本库的巡河频次规则（含生效日期、停止日期），或导入县里下发的规则工作簿："
                                       "全部正确才写入；规则从各自的生效日期起执行，此前的统计不变。")
    rules_sub = rules.add_subparsers(dest="rules_command", metavar="操作", required=True)
    rules_sub.add_parser("export", help="导出巡河规则工作簿").add_argument("file", metavar="规则.xlsx")
    rules_in = rules_sub.add_parser("import", help="导入巡河规则工作簿")
    rules_in.add_argument("file", metavar="规则.xlsx")
    rules_in.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    copy_to = sub.add_parser("copy-to", help="把整个数据库复制到另一个空数据库：本机文件搬上服务器，或服务器数据库的离线副本",
                             description="逐表复制全部记录（含留痕及其校验），目标须是新文件或空的服务器数据库；"
                                         "全部成功才生效。")
    copy_to.add_argument("target", metavar="目标", help="新的 .db 文件，或 postgresql://… 服务器数据库")
    sub.add_parser("check", help="检查数据库文件的完整性和台账之间的一致性",
                   description="检查数据库文件完整性、外键、留痕链以及各台账的一致性；有错误时返回非零。")

    tracks = sub.add_parser("tracks", help="巡河轨迹：核对 GPS 轨迹是否走了河道",
                            description="读取手机导出的 GPX 或奥维、谷歌地球的 KML/KMZ 轨迹，对照河道线计算覆盖率、"
                                        "里程（去掉原地漂移）、时长、疑似乘车和原地不动的时间，给出带理由的结论。")
    tracks_sub = tracks.add_subparsers(dest="tracks_command", metavar="操作", required=True)
    check_track = tracks_sub.add_parser("check", help="核对一条轨迹")
    check_track.add_argument("file", metavar="轨迹.gpx")
    check_track.add_argument("--river", metavar="河道.kml", help="河道线（KML/KMZ/GPX 中的线）；不给则只算里程和时长")
    check_track.add_argument("--datum", default="auto", choices=["auto", "WGS84", "GCJ02", "BD09"],
                             help="轨迹的坐标系：auto（默认，取离河道更近的读法）、WGS84（GPS）、GCJ02（高德、新版奥维）、BD09（百度）")
    check_track.add_argument("--river-datum", default="WGS84", choices=["WGS84", "GCJ02", "BD09"], help="河道线的坐标系（默认 WGS84）")
    check_track.add_argument("--radius", type=float, default=50, metavar="米", help="河道离轨迹多近算走到（默认 50 米）")
    check_track.add_argument("--coverage", type=float, default=60, metavar="百分比", help="至少覆盖河道的百分比（默认 60）")
    check_track.add_argument("--min-minutes", type=int, metavar="分钟", help="每次巡河至少多少分钟")
    check_track.add_argument("--min-km", type=float, metavar="公里", help="每次巡河至少多少公里")
    attach = tracks_sub.add_parser("attach", help="把轨迹文件挂到一条巡河记录上，按本办设置和巡河规则核对并保存结论")
    attach.add_argument("file", metavar="轨迹.gpx")
    attach.add_argument("--patrol", type=int, required=True, metavar="记录号", help="巡河记录的记录号")
    attach.add_argument("--datum", default="auto", choices=["auto", "WGS84", "GCJ02", "BD09"], help="轨迹的坐标系（默认自动判断）")

    folder = tracks_sub.add_parser("import", help="一个文件夹的轨迹文件：按文件名中的姓名、轨迹的日期和走过的河道，"
                                                  "挂到已录入的巡河记录或新建巡河记录",
                                   description="逐个文件对上河长（文件名或轨迹名称中的姓名）、日期（轨迹自带的时间）和河湖"
                                               "（轨迹最靠近的河道线，先看该河长当天负责的河湖）；先列出对上和对不上的，"
                                               "全部对上才写入。同一文件不会重复导入。")
    folder.add_argument("folder", metavar="文件夹")
    folder.add_argument("--datum", default="auto", choices=["auto", "WGS84", "GCJ02", "BD09"], help="轨迹的坐标系（默认自动判断）")
    folder.add_argument("--dry-run", action="store_true", help="只列出对上和对不上的，不写入")
    folder.add_argument("--skip-unmatched", action="store_true", help="跳过对不上的文件，只导入对上的")

    recheck = tracks_sub.add_parser("recheck", help="按现在的河道线、设置和巡河规则复核已存的轨迹（不改原结论，只列出结论会不同的）")
    recheck.add_argument("--period", type=_period_arg, metavar="期间", help="巡河日期所在期间，如 2025、2025Q1（默认全部）")

    geo = sub.add_parser("geo", help="河道线和点位：从 KML/KMZ、GPX、GeoJSON、shapefile 导入河湖的线，公示牌、排污口、断面的经纬度")
    geo_sub = geo.add_subparsers(dest="geo_command", metavar="操作", required=True)
    geo_in = geo_sub.add_parser("import", help="导入河道线；先列出对上和对不上的，全部对上才写入")
    geo_in.add_argument("file", metavar="河道.kml",
                        help="KML/KMZ、GPX、GeoJSON，或 shapefile（.shp，同名 .dbf、.prj 放在一起；或打包为 .zip）")
    geo_in.add_argument("--datum", default="auto", choices=["auto", "WGS84", "GCJ02", "BD09"],
                        help="文件的坐标系：auto（默认，按文件格式或 .prj 的说明）、WGS84（GPS、天地图、谷歌地球、CGCS2000）、"
                             "GCJ02（高德、新版奥维）、BD09（百度）")
    geo_in.add_argument("--dry-run", action="store_true", help="只列出对上和对不上的，不写入")
    geo_in.add_argument("--skip-unmatched", action="store_true", help="文件里还有别的线（道路等）时：只导入对上的")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Start-up creates some 85,000 tracked objects that live as long as the program (Qt for the
    # window; SQLAlchemy and the models for both); collecting while they are made is wasted work
    # (~0.1 s of the window's 0.8 s start, 0.04 s of a 10,000-row ledger's 0.9 s). The window's
    # run() freezes them and turns collection back on once it is up; a command's open_db once the
    # database is open — and at the latest when the command returns, for whoever called main().
    gc.disable()
    if args.command is None:
        from hzdesk.ui.startup import run  # Qt only when a window is wanted
        return run(args.db)
    try:
        return COMMANDS[args.command](args)
    except HzdeskError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `hzdesk stats | head`: the reader left; not an error of ours
        sys.stderr.close()
        return 0
    except OSError as exc:   # a file the command reads or writes, in words a clerk understands
        from hzdesk.errors import file_failure
        print(f"错误：{file_failure(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # storage failures get words a clerk understands; others stay loud
        from hzdesk.errors import explain_storage_error
        explained = explain_storage_error(exc)
        if explained is None:
            raise
        print(f"错误：{explained}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断，未完成的操作没有写入。", file=sys.stderr)
        return 130
    finally:
        gc.enable()


def cmd_demo(args) -> int:
    from hzdesk.demo import DemoOptions, load_demo

    with open_db(args, writes=True, create=True) as db:
        def progress(step: str) -> None:
            print(f"  {step}", flush=True)

        print(f"正在生成示例数据（{args.scale}，种子 {args.seed}）到 {db.where} …")
        summary = load_demo(db, DemoOptions(scale=args.scale, seed=args.seed,
                                            until=args.until or clock.today()), progress)
        print("完成：" + "，".join(f"{k} {v}" for k, v in summary.items()))
        return 0


def cmd_copy_to(args) -> int:
    from hzdesk.office import copy_to

    with open_db(args, writes=False) as db:
        copied = copy_to(db, args.target, progress=lambda text: print(f"  {text}", file=sys.stderr))
    print(f"已复制到 {copied.where}：" + "，".join(f"{k} {v}" for k, v in copied.counts.items() if v))
    return 0


def cmd_check(args) -> int:
    from hzdesk.office import check
    from hzdesk.services.check import format_report

    with open_db(args, writes=False) as db:
        report = check(db)
        print(format_report(report, db.where))
        return 0 if report.ok else 1


def cmd_stats(args) -> int:
    import json

    from hzdesk.office import statistics
    from hzdesk.services.stats import summary_text

    with open_db(args, writes=False) as db:
        stats = statistics(db, *args.period, args.as_of, workbook=args.xlsx)
        if args.json:
            print(json.dumps(stats, ensure_ascii=False, indent=1))
        else:
            print(summary_text(stats))
        return 0


def cmd_export(args) -> int:
    from hzdesk.office import export_workbook

    with open_db(args, writes=False) as db:
        counts = export_workbook(db, args.file, period=args.period)
        print(f"已导出到 {args.file}：" + "，".join(f"{k} {v} 行" for k, v in counts.items()))
        return 0


def cmd_township(args) -> int:
    from hzdesk.office import add_township, township_list

    with open_db(args, writes=args.action == "add", create=args.action == "add") as db:
        if args.action == "add":
            print(f"已添加乡镇“{add_township(db, args.name, args.code)}”。用 hzdesk merge {args.name} 工作簿.xlsx 并入它的台账。")
        else:
            for number, name, code in township_list(db):
                print(f"{number}\t{name}" + (f"\t{code}" if code else ""))
        return 0


def cmd_merge(args) -> int:
    from hzdesk.office import merge_township

    with open_db(args, writes=not args.dry_run) as db:
        result = merge_township(db, args.file, args.township, dry_run=args.dry_run)
        return _import_outcome(args, result)


def cmd_import(args) -> int:
    from hzdesk.office import import_workbook

    with open_db(args, writes=not args.dry_run, create=True) as db:
        result = import_workbook(db, args.file, dry_run=args.dry_run)
        return _import_outcome(args, result)


def _import_outcome(args, result) -> int:
    """What an import or a merge came to, said as the clerk reads it; 1 when nothing was written
    because of errors (listed, and written to the error workbook)."""
    from pathlib import Path

    from hzdesk.reports.error_workbook import write_error_workbook

    for notice in result.notices:
        print(f"提示：{notice}")
    if not result.ok:
        print(f"发现 {len(result.issues)} 处错误，没有导入任何数据：", file=sys.stderr)
        for line in result.issue_lines(200):
            print(f"  {line}", file=sys.stderr)
        source = Path(args.file)
        target = Path(args.errors) if args.errors else source.with_name(f"{source.stem}-错误清单.xlsx")
        write_error_workbook(target, result)
        print(f"错误清单已写入 {target}，改正后可直接再次导入。", file=sys.stderr)
        return 1
    if not any(result.counts.values()):
        print("工作簿中没有数据行，未导入任何记录。")
        return 0
    summary = "；".join(result.sheet_lines())
    print(("检查通过，可以导入：" if args.dry_run else "导入完成：") + summary)
    for line in result.change_lines():
        print(f"  改动：{line}")
    return 0


def cmd_backup(args) -> int:
    from hzdesk.office import backup_now

    from hzdesk.office import file_of

    with open_db(args, writes=False) as db:
        path = file_of(db)
    info = backup_now(path)
    print(f"已备份并校验：{info.path}（{info.label}）")
    return 0


def cmd_backups(args) -> int:
    from hzdesk.office import list_backups

    from hzdesk.office import file_of

    with open_db(args, writes=False) as db:
        path = file_of(db)
    found = list_backups(path)
    if not found:
        print("还没有备份。")
    for b in found:
        print(f"{b.label}　{b.path}")
    return 0


def cmd_restore(args) -> int:
    from hzdesk.office import restore

    with open_db(args, writes=True) as db:
        safety = restore(db, args.file)   # the lock is held until the file is replaced
    print(f"已从 {args.file} 恢复。恢复前的数据库已另存为 {safety.path}")
    return 0


def cmd_selfcheck(args) -> int:
    from hzdesk.selfcheck import run_selfcheck
    gc.enable()   # it opens its databases itself, not through open_db, which would turn this on
    return run_selfcheck(getattr(args, "server", None))


def cmd_template(args) -> int:
    from hzdesk.office import write_template

    with open_db(args, writes=False) as db:
        write_template(db, args.file)
        print(f"导入模板已生成：{args.file}")
        return 0


def cmd_report(args) -> int:
    from hzdesk.office import make_report
    from hzdesk.reports.kinds import check_options

    check_options(args.kind, period=args.period, issue=args.issue, state=args.state, patrol=args.patrol)   # before opening
    with open_db(args, writes=False) as db:
        made = make_report(db, args.kind, args.out, period=args.period, as_of=args.as_of, state=args.state,
                           issue=args.issue, with_sheets=args.with_sheets, brief=args.brief, patrol=args.patrol)
    rows = f"，{made.rows} 行" if made.rows is not None else ""
    pages = f"，共 {made.pages} 页" if made.pages is not None else "（Word 文件，可直接修改）"
    print(f"已生成 {args.out}：{made.title}{rows}{pages}")
    return 0


def cmd_rules(args) -> int:
    from hzdesk.office import export_rules, import_rules

    if args.rules_command == "export":
        with open_db(args, writes=False) as db:
            n = export_rules(db, args.file)
        print(f"已导出 {n} 条巡河规则到 {args.file}")
        return 0
    with open_db(args, writes=not args.dry_run) as db:
        result = import_rules(db, args.file, dry_run=args.dry_run)
    if not result.ok:
        print(f"发现 {len(result.errors)} 处错误，没有导入任何规则：", file=sys.stderr)
        for error in result.errors:
            print(f"  {error.line()}", file=sys.stderr)
        return 2
    summary = f"新增 {result.added} 条，停用 {result.stopped} 条，不变 {result.unchanged} 条"
    print(("检查通过，可以导入：" if args.dry_run else "导入完成：") + summary)
    return 0


def cmd_geo(args) -> int:
    from hzdesk.cli_map import cmd_geo
    return cmd_geo(args)


def cmd_tracks(args) -> int:
    from hzdesk.cli_map import cmd_tracks
    return cmd_tracks(args)


COMMANDS = {"demo": cmd_demo, "tracks": cmd_tracks, "geo": cmd_geo, "rules": cmd_rules, "report": cmd_report, "stats": cmd_stats, "export": cmd_export, "import": cmd_import,
            "template": cmd_template, "selfcheck": cmd_selfcheck, "backup": cmd_backup, "backups": cmd_backups, "restore": cmd_restore,
            "check": cmd_check, "copy-to": cmd_copy_to, "merge": cmd_merge, "township": cmd_township}
