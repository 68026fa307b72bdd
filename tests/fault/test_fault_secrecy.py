"""Secret means secret, end to end, on a real server: two secret ballots (a resolution, and an evaluation
where every member grades three departments with a combination no one else chose), then:

* every message every terminal received (15 seats, 2 observers, chair, clerk, admin, the hall display),
  and every HTTP read the consoles made while a ballot was open, carried no per-choice count of an open
  ballot (only how many have voted) and, for a secret ballot, no list of who has not voted;
* a dump of the whole database (every table, every column) links no member to a choice: the rows that
  name a member name no option; participations have a NULL choice, random ids in no cast order; the
  counters have no member, time or order; the audit chain's vote_cast entries carry no choice;
* the server's own log output names no member, receipt, cast id or option."""
from __future__ import annotations

import asyncio
import itertools
import json
import random
import re
import sqlite3
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from fault_helpers import gather_limited
from support.clients import AsyncLiveClient
from support.polling import wait_until
from support.terminal import new_cast_id

from voting_server import demo, services
from voting_server.db import Store
from voting_server.migrate import upgrade

RESOLUTION = ("for", "against", "abstain")
GRADES = ("satisfied", "basic", "unsatisfied")
OPTION_WORDS = RESOLUTION + GRADES + ("赞成", "反对", "弃权", "满意", "基本满意", "不满意")


def resolution_choices(n: int) -> list[str]:
    rng = random.Random(11)
    return [rng.choice(RESOLUTION) for _ in range(n)]


def evaluation_choices(n: int) -> list[dict[str, str]]:
    combos = list(itertools.product(GRADES, repeat=3))
    random.Random(12).shuffle(combos)
    return [dict(zip(("d1", "d2", "d3"), c, strict=True)) for c in combos[:n]]  # all different


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_secret_ballots_link_no_member_to_a_choice(servers, tmp_path):
    url = f"sqlite:///{tmp_path / 'secret.sqlite3'}"
    store = Store(url)
    upgrade(store)
    ids = demo.seed(store)
    tablets = {}
    for seat in [str(i) for i in range(1, 16)] + ["L1", "L2"]:
        token, actor = services.pair_with_pin(store, ids["body_id"], seat, demo.DEMO_PIN)
        tablets[seat] = (token, actor)
    store.dispose()
    server = servers(url, tmp_path)
    server.start()
    run = asyncio.run(sitting(server, ids, tablets, ids["items"], ids["ballots"]))
    print(f"\n[secrecy] {run['messages']} messages to {run['terminals']} terminals recorded, "
          f"{run['reads']} console reads while ballots were open; tallies {run['tallies']}")

    rows = dump(tmp_path / "secret.sqlite3")
    members = {actor.person_id: actor for seat, (_t, actor) in tablets.items() if not seat.startswith("L")}
    check_storage(rows, members, run)
    check_log(server.log_text(), members, run)
    server.assert_clean_logs()


async def sitting(server: Any, ids: dict[str, Any], tablets: dict[str, Any], items: list[int],
                  ballots: list[int]) -> dict[str, Any]:
    staff = {}
    for username in ("chair", "clerk", "admin", "display"):
        staff[username] = AsyncLiveClient(username, headers={"Cookie": server.staff_cookie(username)})
    seats = [AsyncLiveClient(f"seat{s}", auth={"token": tablets[s][0]}) for s in map(str, range(1, 16))]
    observers = [AsyncLiveClient(f"observer{s}", auth={"token": tablets[s][0]}) for s in ("L1", "L2")]
    everyone = list(staff.values()) + seats + observers
    await gather_limited([t.connect(server.url) for t in everyone])
    chair = staff["chair"]
    assert (await chair.call("open_sitting", {"confirm": True}))["ok"]
    assert all(a["ok"] for a in await asyncio.gather(*(t.call("sign_in") for t in seats + observers)))

    reads: list[tuple[str, Any]] = []
    acks: list[dict[str, Any]] = []
    tallies = {}
    plan = [(items[0], ballots[0], resolution_choices(len(seats))),
            (items[2], ballots[3], evaluation_choices(len(seats)))]
    for item_id, ballot_id, choices in plan:
        assert (await chair.call("start_item", {"item_id": item_id}))["ok"]
        opened = await chair.call("open_ballot", {"ballot_id": ballot_id})
        assert opened["ok"], opened
        await wait_until(lambda b=ballot_id: all((t.state.get("ballot") or {}).get("id") == b for t in everyone), 30,
                         "every terminal to show the ballot")
        order = list(range(len(seats)))
        random.Random(ballot_id).shuffle(order)

        async def press(i: int, position: int, ballot_id: int = ballot_id, choices: list[Any] = choices) -> None:
            await asyncio.sleep(position * 0.07)  # spread over ~1 s: several progress pushes
            ack = await seats[i].call("cast", {"ballot_id": ballot_id, "choice": choices[i], "cast_id": new_cast_id()})
            assert ack["ok"], ack
            acks.append(ack)

        await asyncio.gather(*(press(i, pos) for pos, i in enumerate(order)))
        await wait_until(lambda: all(t.state["ballot"]["voted"] == len(seats) for t in everyone), 30,
                         "every terminal to show all votes")
        window = await console_reads(server.url, staff, ballot_id, ids["sitting_id"])
        reads.extend(window)
        for t in everyone:
            t.mark = len(t.log)  # type: ignore[attr-defined]
        closed = await chair.call("close_ballot", {"ballot_id": ballot_id})
        assert closed["ok"], closed
        tallies[ballot_id] = {q["question_id"]: q["counts"] for q in closed["result"]["questions"]}
        await wait_until(lambda: all(any(n == "event" and d["type"] == "ballot_closed" and d["seq"] > 0
                                         for n, d, _at in t.log[t.mark:]) for t in everyone), 30,  # type: ignore[attr-defined]
                         "every terminal to get the result")
        for t in everyone:
            before_close = t.log[:t.mark]  # type: ignore[attr-defined]
            for name, data, _at in before_close:
                leaks = list(counts_of(data, ballot_id))
                assert not leaks, f"{t.label} got {name} with counts of open ballot {ballot_id}: {leaks} {data}"
                assert "non_voters" not in json.dumps(data), f"{t.label} got who has not voted on a secret ballot"
            for name, data, _at in t.log:
                if name == "me_vote":
                    assert data["vote"]["choice"] is None, data
        for name, data in window:
            assert not list(counts_of(data, ballot_id)), (name, data)
            if "tables" in data:  # an export: closed rounds only
                rows = data["tables"]["results"]["rows"]
                assert ballot_id not in [row["ballot_id"] if isinstance(row, dict) else row[0] for row in rows], name

    want_res = {o: resolution_choices(15).count(o) for o in RESOLUTION}
    assert tallies[ballots[0]] == {"main": want_res}
    evals = evaluation_choices(15)
    assert tallies[ballots[3]] == {d: {g: sum(1 for e in evals if e[d] == g) for g in GRADES}
                                   for d in ("d1", "d2", "d3")}
    for t in seats:  # a seat's own view keeps no choice either
        assert t.state["me"]["vote"]["choice"] is None
    await asyncio.gather(*(t.sio.disconnect() for t in everyone), return_exceptions=True)
    return {"messages": sum(len(t.log) for t in everyone), "terminals": len(everyone), "reads": len(reads),
            "acks": acks, "tallies": tallies, "ballots": (ballots[0], ballots[3])}


async def console_reads(base: str, staff: dict[str, AsyncLiveClient], ballot_id: int,
                        sitting_id: int) -> list[tuple[str, Any]]:
    """What the consoles can read over HTTP while the ballot is open."""
    out = []
    for username, t in staff.items():
        async with aiohttp.ClientSession(headers={"Cookie": t.headers["Cookie"]}) as http:  # type: ignore[index]
            for path in (f"/api/ballots/{ballot_id}/results", f"/api/sittings/{sitting_id}/agenda",
                         "/api/audit?limit=500", f"/api/sittings/{sitting_id}/export.json"):
                async with http.get(base + path) as r:
                    if r.status == 200 and r.content_type == "application/json":
                        out.append((f"{username} GET {path}", await r.json()))
                    else:
                        assert r.status == 403, (username, path, r.status)
        async with aiohttp.ClientSession(headers={"Cookie": t.headers["Cookie"]}) as http, \
                http.get(f"{base}/api/ballots/{ballot_id}/rounds/1/sheet.pdf") as r:  # type: ignore[index]
            assert r.status in (403, 409), (username, r.status)  # no sheet of an open round
    return out


def counts_of(obj: Any, ballot_id: int, inside: bool = True, path: str = "") -> Any:
    """Where per-option counts (or a result) of ``ballot_id`` appear in a message. A dict naming another
    ballot (``ballot_id``, or an ``id`` next to ``round_id``) is that ballot's: closed ones have results."""
    if isinstance(obj, dict):
        owner = obj.get("ballot_id", obj.get("id") if "round_id" in obj else None)
        if owner is None and isinstance(obj.get("ballot"), dict):  # a result document of an export
            owner = obj["ballot"].get("id")
        here = inside if owner is None else owner == ballot_id
        for k, v in obj.items():
            if here and (k in ("result", "tally", "tallies") and v or k == "counts" and has_option_keys(v)):
                yield f"{path}.{k}"
            if here and k in OPTION_WORDS and isinstance(v, int) and not isinstance(v, bool):
                yield f"{path}.{k}"
            yield from counts_of(v, ballot_id, here, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from counts_of(v, ballot_id, inside, f"{path}[{i}]")
    elif isinstance(obj, str) and inside and re.search(r"赞成\d+票|满意\d+", obj):
        yield f"{path}: {obj[:60]}"


def has_option_keys(value: Any) -> bool:
    if isinstance(value, dict):
        return any(k in OPTION_WORDS or has_option_keys(v) for k, v in value.items())
    return False


def dump(path: Any) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, every column, straight from the file."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: [dict(r) for r in conn.execute(f'SELECT rowid AS "_rowid", * FROM "{n}"')] for n in names}
    except sqlite3.OperationalError:  # a table without rowid
        return {n: [dict(r) for r in conn.execute(f'SELECT * FROM "{n}"')] for n in names}
    finally:
        conn.close()


def mentions_option(value: Any) -> bool:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return any(f'"{w}"' in text or text == w for w in OPTION_WORDS)


def check_storage(rows: dict[str, list[dict[str, Any]]], members: dict[int, Any], run: dict[str, Any]) -> None:
    rounds = {r["id"] for r in rows["rounds"] if r["ballot_id"] in run["ballots"]}
    assert len(rounds) == 2
    parts = [p for p in rows["participations"] if p["round_id"] in rounds]
    assert len(parts) == 2 * len(members)
    assert all(p["choice"] is None for p in parts)
    assert all(re.fullmatch(r"[0-9a-f]{32}", p["id"]) for p in parts)
    assert set(rows["participations"][0]) == {"_rowid", "id", "round_id", "person_id", "cast_id", "receipt", "choice"}
    for rid in rounds:  # the random ids do not follow the order of the casts
        in_order = [p["id"] for p in sorted((p for p in parts if p["round_id"] == rid), key=lambda p: p["_rowid"])]
        assert in_order not in (sorted(in_order), sorted(in_order, reverse=True))
    counters = [c for c in rows["tally_counts"] if c["round_id"] in rounds]
    assert {k for c in counters for k in c} <= {"_rowid", "round_id", "question", "option", "count"}
    # the counters were all created when the round opened: their storage order is the spec's, not the votes'
    spec_order = {"main": RESOLUTION, "d1": GRADES, "d2": GRADES, "d3": GRADES}
    for rid in rounds:
        stored = [(c["question"], c["option"]) for c in sorted((c for c in counters if c["round_id"] == rid),
                                                               key=lambda c: c["_rowid"])]
        assert stored == [(q, o) for q in sorted({q for q, _o in stored}, key=list(spec_order).index)
                          for o in spec_order[q]], stored

    # no row that names a member names an option; audit vote_cast entries carry no choice
    person_ids = set(members)
    for table, table_rows in rows.items():
        for row in table_rows:
            names_member = row.get("person_id") in person_ids
            if table == "audit_log":
                payload = json.loads(row["payload"])
                names_member = names_member or payload.get("person_id") in person_ids or bool(
                    set(payload.get("person_ids", []) or []) & person_ids)
                if row["action"] == "vote_cast":
                    assert set(payload) == {"ballot_id", "round_id", "person_id", "receipt"}, payload
                    assert not mentions_option(payload)
            if names_member:
                rest = {k: v for k, v in row.items() if k not in ("person_id",)}
                assert not mentions_option(rest), (table, row)
    # a receipt (the member's own proof of voting) appears with the member only, never with a choice
    receipts = {a["receipt"] for a in run["acks"]}
    for table, table_rows in rows.items():
        for row in table_rows:
            text = json.dumps(row, ensure_ascii=False, default=str)
            if any(r in text for r in receipts):
                assert not mentions_option({k: v for k, v in row.items() if k != "person_id"}), (table, row)


def check_log(text: str, members: dict[int, Any], run: dict[str, Any]) -> None:
    assert text.strip(), "the server wrote no log at all"
    for actor in members.values():
        assert actor.name not in text, f"the log names {actor.name}"
    for ack in run["acks"]:
        assert ack["receipt"] not in text and ack["cast_id"] not in text
    for word in OPTION_WORDS:
        assert not re.search(rf"[\"']{re.escape(word)}[\"']", text), f"the log shows the option {word!r}"


# --- beyond the tables: the SQLite write-ahead log -------------------------------------------------------------


def wal_images(db_path: Any) -> list[bytes]:
    """The database as it stood after each commit still held in the write-ahead log (``-wal``): the main
    file with the logged pages laid over it, commit by commit. This is what a copy of the database files
    taken during a sitting (a backup, a copied disk, the files left by a crash) holds."""
    import struct

    main = bytearray(Path(db_path).read_bytes())
    wal = Path(f"{db_path}-wal").read_bytes()
    page_size = struct.unpack(">I", wal[8:12])[0]
    salts = wal[16:24]
    images, pages, offset = [], {}, 32
    while offset + 24 + page_size <= len(wal):
        pgno, commit = struct.unpack(">II", wal[offset:offset + 8])
        if wal[offset + 8:offset + 16] != salts:
            break
        pages[pgno] = wal[offset + 24:offset + 24 + page_size]
        if commit:
            image = bytearray(main[:commit * page_size].ljust(commit * page_size, b"\0"))
            for n, data in pages.items():
                if n <= commit:
                    image[(n - 1) * page_size:n * page_size] = data
            images.append(bytes(image))
        offset += 24 + page_size
    return images


def read_image(image: bytes, folder: Any, round_id: int) -> tuple[set[int], dict[str, int]]:
    path = folder / "image.sqlite3"
    path.write_bytes(image[:18] + b"\x01\x01" + image[20:])  # header bytes 18-19: rollback journal, not WAL
    conn = sqlite3.connect(path)
    try:
        voters = {p for (p,) in conn.execute("SELECT person_id FROM participations WHERE round_id = ?", (round_id,))}
        counts = dict(conn.execute("SELECT option, count FROM tally_counts WHERE round_id = ?", (round_id,)).fetchall())
        return voters, counts
    finally:
        conn.close()


def test_the_sqlite_write_ahead_log_does_not_reveal_secret_votes(tmp_path):
    import uuid as _uuid

    from voting_server.services import Actor

    db_path = tmp_path / "wal.sqlite3"
    store = Store(f"sqlite:///{db_path}")
    upgrade(store)
    ids = demo.seed(store)
    chair = Actor(role="chair", name="主持人", user_id=2)
    members = [Actor(role="member", name="", person_id=pid) for pid in ids["member_ids"]]
    services.open_sitting(store, chair, ids["sitting_id"])
    for m in members:
        services.sign_in(store, m, ids["sitting_id"])
    with store.read() as s:
        from sqlalchemy import select

        from voting_server import models

        ballot = s.scalar(select(models.Ballot.id).order_by(models.Ballot.id))
        item = s.scalar(select(models.AgendaItem.id).order_by(models.AgendaItem.position))
    services.start_item(store, chair, item)
    round_id = services.open_ballot(store, chair, ballot)
    chosen = dict(zip((m.person_id for m in members), resolution_choices(len(members)), strict=True))
    for m in members:
        services.cast_vote(store, m, ballot, chosen[m.person_id], _uuid.uuid4().hex)
    # the server is still running (its connections keep the log): someone copies the files now
    recovered: dict[int, str] = {}
    previous: tuple[set[int], dict[str, int]] | None = None
    for image in wal_images(db_path):
        try:
            state = read_image(image, tmp_path, round_id)
        except sqlite3.DatabaseError:
            continue  # a commit before the round existed
        if previous is not None:
            new_voters = state[0] - previous[0]
            moved = [o for o, n in state[1].items() if n != previous[1].get(o, 0)]
            if len(new_voters) == 1 and len(moved) == 1:
                recovered[new_voters.pop()] = moved[0]
        previous = state
    store.dispose()
    linked = {pid: o for pid, o in recovered.items() if chosen.get(pid) == o}
    assert not linked, f"{len(linked)} of {len(members)} secret votes read back from the -wal file: {linked}"
