"""Start the Biaojue session server.

    python run.py [--host 127.0.0.1] [--port 5000] [--database URL] [--demo] [--async-mode eventlet|gevent|threading]

Monkey-patching happens first, before anything else is imported, as eventlet and gevent require.
"""
from __future__ import annotations

import argparse
import os
import sys


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Biaojue (表决) session server")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL"),
                        help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db "
                             "(default: SQLite in the instance folder)")
    parser.add_argument("--instance", default=os.environ.get("BIAOJUE_INSTANCE"),
                        help="instance folder (database, secret key, certificates, uploads)")
    parser.add_argument("--demo", action="store_true", help="seed a demo committee if the database is empty")
    parser.add_argument("--async-mode", choices=["eventlet", "gevent", "threading"],
                        default=os.environ.get("ASYNC_MODE", "eventlet"))
    parser.add_argument("--message-queue", default=os.environ.get("MESSAGE_QUEUE"),
                        help="e.g. redis://127.0.0.1:6379/0 to share pushes between several server processes")
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error(f"--port must be between 1 and 65535, not {args.port}")
    return args


def monkey_patch(mode: str) -> None:
    if mode == "eventlet":
        os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_selector")
        import eventlet

        eventlet.monkey_patch()
    elif mode == "gevent":
        from gevent import monkey

        monkey.patch_all()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    monkey_patch(args.async_mode)

    from voting_server import create_app
    from voting_server.serve import serve

    config: dict[str, object] = {"ASYNC_MODE": args.async_mode}
    if args.database:
        config["DATABASE_URL"] = args.database
    if args.instance:
        config["INSTANCE_PATH"] = os.path.abspath(args.instance)
    if args.message_queue:
        config["MESSAGE_QUEUE"] = args.message_queue
    try:
        app = create_app(config)
    except Exception as exc:  # a bad configuration value: say what is wrong, do not print a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.demo:
        from voting_server.demo import seed_demo_if_empty

        seed_demo_if_empty(app, echo=print)
    print(f"Biaojue serving on http://{args.host}:{args.port}/  (async mode: {args.async_mode})", flush=True)
    serve(app, host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
