"""Command line: ``python -m voting_server <command>``.

    init-db / upgrade           create or migrate the database
    create-user USER ROLE       a staff account (password asked, or --password)
    import-roster BODY FILE     import members/observers from CSV or XLSX (preview unless --commit)
    verify-audit                recompute the audit hash chain; exit 1 naming the first broken entry
    verify SHEET.pdf            check a signed result sheet against the database; exit 0 only if all pass
    export SITTING --out DIR    results, attendance and named votes as CSV, XLSX and JSON
    demo-sitting --out DIR      simulate a whole demo sitting and write every signed sheet into DIR
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence

from . import services
from .db import Store
from .files import private_folder
from .migrate import upgrade


def _instance(args: argparse.Namespace) -> str:
    return os.path.abspath(args.instance or os.environ.get("BIAOJUE_INSTANCE") or "instance")


def _store(args: argparse.Namespace) -> Store:
    from .config import load

    instance = _instance(args)
    private_folder(instance)
    cfg = load({"DATABASE_URL": args.database} if args.database else {}, instance)
    return Store(cfg["DATABASE_URL"], keys_dir=os.path.join(instance, "ballotbox"))


def _parser() -> argparse.ArgumentParser:
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
    p = sub.add_parser("verify", help="verify a signed result sheet (PDF) against the database")
    p.add_argument("sheet", help="the signed PDF")
    p.add_argument("--cert", action="append", default=None,
                   help="the body's certificate (PEM/DER/PKCS#12); default: the instance folder's certs/")
    p.add_argument("--json", action="store_true", help="print the checks as JSON")
    p = sub.add_parser("export", help="export a sitting's results, attendance and named votes")
    p.add_argument("sitting_id", type=int)
    p.add_argument("--out", required=True, help="folder to write the CSV, XLSX and JSON files into")
    p = sub.add_parser("demo-sitting", help="run a simulated demo sitting and write every signed sheet")
    p.add_argument("--out", default=None, help="folder for the database, sheets and exports (default: a temp folder)")
    p.add_argument("--seed", type=int, default=2026, help="seed of the random votes")
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.add_argument("--base-url", default=None, help="public address printed on the sheets and in their QR codes "
                   "(default BIAOJUE_PUBLIC_URL; none: no address)")
    return parser


def _demo_sitting(args: argparse.Namespace) -> int:
    """Its own fresh database: no store from the instance folder."""
    from .sheets.demo_sitting import DemoError, run_demo_sitting

    try:
        report = run_demo_sitting(args.out, seed=args.seed, lang=args.lang, base_url=args.base_url)
    except DemoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {len(report.files)} files into {report.out_dir}")
    return 0


def _upgrade(store: Store, args: argparse.Namespace) -> int:
    print("database is at the current schema")  # the migration ran before every command
    return 0


def _create_user(store: Store, args: argparse.Namespace) -> int:
    password = args.password or getpass.getpass("password: ")
    uid = services.create_user(store, services.SYSTEM, username=args.username, password=password,
                               role=args.role, display_name=args.name)
    print(f"created user {args.username} ({args.role}), id {uid}")
    return 0


def _import_roster(store: Store, args: argparse.Namespace) -> int:
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


def _verify_audit(store: Store, args: argparse.Namespace) -> int:
    chain = services.verify_chain(store)
    print(chain)
    return 0 if chain.ok else 1


def _verify(store: Store, args: argparse.Namespace) -> int:
    import json
    import logging

    from .sheets.verify import all_ok, format_checks, verify_sheet

    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)  # the checks say what failed
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    try:
        with open(args.sheet, "rb") as fh:
            pdf_bytes = fh.read()
    except OSError as exc:
        print(f"error: cannot read {args.sheet}: {exc.strerror}", file=sys.stderr)
        return 2
    checks = verify_sheet(store, pdf_bytes, trust=args.cert, instance=_instance(args))
    if args.json:
        print(json.dumps([c.to_dict() for c in checks], ensure_ascii=False, indent=1))
    else:
        print(format_checks(checks))
    return 0 if all_ok(checks) else 1


def _export(store: Store, args: argparse.Namespace) -> int:
    from .sheets.export import export_sitting

    for path in export_sitting(store, args.sitting_id, args.out):
        print(path)
    return 0


#: The commands that run against the installation's database (migrated first), by name.
SUBCOMMANDS: dict[str, Callable[[Store, argparse.Namespace], int]] = {
    "init-db": _upgrade,
    "upgrade": _upgrade,
    "create-user": _create_user,
    "import-roster": _import_roster,
    "verify-audit": _verify_audit,
    "verify": _verify,
    "export": _export,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "demo-sitting":
        return _demo_sitting(args)
    try:
        store = _store(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    upgrade(store)
    try:
        return SUBCOMMANDS[args.command](store, args)
    except services.ServiceError as err:
        print(f"error: {err.zh} ({err.en})", file=sys.stderr)
        return 1
