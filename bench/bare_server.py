"""A bare, in-memory Flask-SocketIO cast-and-tally server: the yardstick for bench/seats.py.

It speaks the subset of the protocol the benchmark uses (snapshot, sign_in, open_sitting, start_item,
open_ballot, cast, close_ballot; pushes event / progress) with no database, no audit and no rules:
a vote is a dict entry, progress is broadcast coalesced every PROGRESS_INTERVAL seconds.

    python bench/bare_server.py --port 5100 --async-mode eventlet --seats 2000
"""
from __future__ import annotations

import argparse
import sys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--async-mode", default="eventlet", choices=["eventlet", "gevent"])
    parser.add_argument("--seats", type=int, required=True)
    parser.add_argument("--interval", type=float, default=0.25)
    args = parser.parse_args()
    if args.async_mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()
    else:
        from gevent import monkey

        monkey.patch_all()

    from flask import Flask, request
    from flask_socketio import SocketIO, emit

    app = Flask(__name__)
    sio = SocketIO(app, async_mode=args.async_mode)
    state = {"seq": 0, "open": False, "votes": {}, "dirty": False, "counts": {"for": 0, "against": 0, "abstain": 0}}
    seats: dict[str, str] = {}

    @app.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        return {"status": "ok"}

    @sio.on("connect")
    def connect(auth=None):  # type: ignore[no-untyped-def]
        seats[request.sid] = (auth or {}).get("token", request.sid)
        sio.server.enter_room(request.sid, "all")
        emit("snapshot", {"seq": state["seq"], "ballot": None})

    @sio.on("disconnect")
    def disconnect(*_a):  # type: ignore[no-untyped-def]
        seats.pop(request.sid, None)

    def push(kind: str, changes: dict) -> None:  # type: ignore[type-arg]
        state["seq"] += 1
        sio.emit("event", {"seq": state["seq"], "type": kind, "changes": changes}, to="all")

    @sio.on("sign_in")
    def sign_in(_p=None):  # type: ignore[no-untyped-def]
        state["dirty"] = True
        return {"ok": True}

    @sio.on("open_sitting")
    def open_sitting(_p=None):  # type: ignore[no-untyped-def]
        push("sitting_opened", {})
        return {"ok": True}

    @sio.on("start_item")
    def start_item(_p=None):  # type: ignore[no-untyped-def]
        push("item_started", {})
        return {"ok": True}

    @sio.on("open_ballot")
    def open_ballot(p=None):  # type: ignore[no-untyped-def]
        state["open"], state["votes"] = True, {}
        state["counts"] = {"for": 0, "against": 0, "abstain": 0}
        push("ballot_opened", {"ballot": {"id": p["ballot_id"], "status": "open", "voted": 0}})
        return {"ok": True, "round_id": 1}

    @sio.on("cast")
    def cast(p):  # type: ignore[no-untyped-def]
        if not state["open"]:
            return {"ok": False, "error": "ballot_not_open"}
        who = seats.get(request.sid, request.sid)
        if who in state["votes"]:
            return {"ok": True, "duplicate": True, "receipt": state["votes"][who]}
        receipt = p["cast_id"][:10]
        state["votes"][who] = receipt
        choice = p["choice"]
        for option in choice.values() if isinstance(choice, dict) else (choice,):  # a 票决: each project's answer
            state["counts"][option] += 1
        state["dirty"] = True
        return {"ok": True, "receipt": receipt}

    @sio.on("close_ballot")
    def close_ballot(p=None):  # type: ignore[no-untyped-def]
        state["open"] = False
        push("ballot_closed", {"ballot": {"status": "closed", "result": dict(state["counts"])}})
        return {"ok": True}

    def progress_loop() -> None:
        while True:
            sio.sleep(args.interval)
            if state["dirty"]:
                state["dirty"] = False
                sio.emit("progress", {"voted": len(state["votes"]), "seq": state["seq"]}, to="all")

    sio.start_background_task(progress_loop)
    print(f"bare server on {args.port}", flush=True)
    if args.async_mode == "eventlet":
        import eventlet.wsgi

        eventlet.wsgi.server(eventlet.listen(("127.0.0.1", args.port), backlog=2048), app, max_size=10000,
                             log_output=False)
    else:
        from gevent import pywsgi
        from geventwebsocket.handler import WebSocketHandler

        pywsgi.WSGIServer(("127.0.0.1", args.port), app, handler_class=WebSocketHandler, log=None,
                          backlog=2048).serve_forever()


if __name__ == "__main__":
    sys.exit(main())
