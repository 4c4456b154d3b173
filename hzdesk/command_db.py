"""The database a command works on, opened as the command needs it: shared by hzdesk/cli.py and
the map's commands (hzdesk/cli_map.py)."""

from __future__ import annotations

import sys
from contextlib import contextmanager


@contextmanager
def open_db(args, *, writes: bool, create: bool = False):
    """The command's database; a writing command holds the window's lock (see hzdesk/office.py).
    Only `demo` and `import` (and the window) may start a new database: any other command on a
    path with no database is a mistyped --db, and says so. With accounts on, a writing command
    runs as the administrator who gave the password, and is audited under that name."""
    from hzdesk.office import open_for_command
    from hzdesk.paths import default_db_path

    with open_for_command(default_db_path(args.db), writes=writes, create=create) as db:
        import gc
        gc.enable()   # paused for the command's start (cli.main); what it made is frozen by now
        if getattr(args, "township", None) and args.command != "merge":
            from hzdesk.office import narrow_to
            narrow_to(db, args.township)
        if writes:
            _sign_in(args, db)
        yield db


def _sign_in(args, db) -> None:
    import getpass
    import os

    from hzdesk.services.access import AccessDenied, any_accounts, login
    with db.session() as s:
        if not any_accounts(s):
            return
    user = args.user or os.environ.get("HZDESK_USER")
    if not user:
        raise AccessDenied("这个数据库已启用账号：写入数据的命令须由管理员执行。请加 --user 管理员用户名"
                           "（密码在提示时输入，或设置环境变量 HZDESK_PASSWORD）。")
    password = os.environ.get("HZDESK_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise AccessDenied("需要管理员密码：请在终端中运行以便输入密码，或设置环境变量 HZDESK_PASSWORD。")
        password = getpass.getpass(f"{user} 的密码：")
    with db.session() as s:
        account = login(s, user, password)
    if account.role != "管理员":
        raise AccessDenied(f"“{account.display_name}”是{account.role}，写入数据的命令须由管理员执行。")
    db.actor, db.role = account.display_name, account.role
