"""Command line: ``python -m voting_server <command>``.

    init-db / upgrade           create or migrate the database
    create-user USER ROLE       a staff account (password asked, or --password)
    import-roster BODY FILE     import members/observers from CSV or XLSX (preview unless --commit)
    verify-audit                recompute the audit hash chain; exit 1 naming the first broken entry
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Sequence

from . import services
from .db import Store
from .migrate import upgrade


def _store(args: argparse.Namespace) -> Store:
    from .config import load

    instance = os.path.abspath(args.instance or os.environ.get("BIAOJUE_INSTANCE") or "instance")
    os.makedirs(instance, exist_ok=True)
    cfg = load({"DATABASE_URL": args.database} if args.database else {}, instance)
    return Store(cfg["DATABASE_URL"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m voting_server", description="Biaojue (表决) administration")
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--instance", default=None)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init-db", help="create the database schema")
    sub.add_parser("upgrade", help="migrate the database to the current schema")
    p = sub.add_parser("create-user", help="create a staff account")
    p.add_argument("username")
    p.add_argument("role", choices=["admin", "chair", "clerk", "display"])
    p.add_argument("--name", default=None)
    p.add_argument("--password", default=None)
    p = sub.add_parser("import-roster", help="import a roster from CSV or XLSX")
    p.add_argument("body_id", type=int)
    p.add_argument("file")
    p.add_argument("--commit", action="store_true", help="import (without it: only show the preview)")
    sub.add_parser("verify-audit", help="verify the audit hash chain")
    args = parser.parse_args(argv)

    try:
        store = _store(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command in ("init-db", "upgrade"):
        upgrade(store)
        print("database is at the current schema")
        return 0
    upgrade(store)
    try:
        if args.command == "create-user":
            password = args.password or getpass.getpass("password: ")
            uid = services.create_user(store, services.SYSTEM, username=args.username, password=password,
                                       role=args.role, display_name=args.name)
            print(f"created user {args.username} ({args.role}), id {uid}")
            return 0
        if args.command == "import-roster":
            from .services import roster

            with open(args.file, "rb") as fh:
                data = fh.read()
            preview = roster.preview(data, os.path.basename(args.file))
            for problem in preview.problems:
                print(f"row {problem.row}: {problem.zh} ({problem.en})")
            if preview.problems:
                print(f"{len(preview.problems)} problem(s); nothing imported")
                return 1
            print(f"{len(preview.rows)} rows are valid")
            if args.commit:
                n = roster.import_roster(store, services.SYSTEM, args.body_id, data, os.path.basename(args.file))
                print(f"imported {n} people")
            return 0
        if args.command == "verify-audit":
            report = services.verify_chain(store)
            print(report)
            return 0 if report.ok else 1
    except services.ServiceError as err:
        print(f"error: {err.zh} ({err.en})", file=sys.stderr)
        return 1
    return 2
