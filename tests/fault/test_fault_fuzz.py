"""Fuzzing with hypothesis: malformed Socket.IO events and HTTP requests against the real app in process.

The hall (tests/fault/fault_app.py) has a sitting open, a secret ballot open, a member who has voted and
asked to speak, and a client for every role. Each generated example is a short run of 1–3 events or
requests in any order from any role: wrong types, huge and deeply nested payloads, unknown ids, other
members' ids, a replayed cast_id, random command names, random paths, methods and bodies under /api.
After every single one:

* no answer is a 500 (or an acknowledgement ``server_error``), every refusal is a JSON error;
* nothing was logged at ERROR or with an exception, by any logger;
* a refused request changed no row of any table and did not grow the audit chain (the one documented
  exception: a failed login or PIN is recorded for the lock-out, in ``login_attempts``, and counted in
  ``failure_counts``; never in the audit chain);
* a GET, HEAD or OPTIONS changed nothing, refused or not (a verification may move the audit chain's
  verified checkpoint).

An example that changed the state (an allowed request: the chair closed the ballot, a member voted)
starts the next example from the set-up state again. At the end valid requests still work. The number
of events and requests run is printed; it is at least 10,000."""
from __future__ import annotations

import io
import os
import re
import urllib.parse
import uuid
from typing import Any

import pytest
from fault_app import REPLAYED_CAST_ID, Hall, watched_hall
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voting_server import commands

HTTP_EXAMPLES = int(os.environ.get("FAULT_FUZZ_HTTP", "3000"))  # each 1–3 requests: about 6,000
SIO_EXAMPLES = int(os.environ.get("FAULT_FUZZ_SIO", "2500"))  # each 1–3 events: about 5,000
MIN_CASES = 10_000
SCALED = "FAULT_FUZZ_HTTP" in os.environ or "FAULT_FUZZ_SIO" in os.environ  # a quicker run by hand
RESERVED = ("connect", "disconnect", "connect_error", "__disconnect_final")  # answered unknown_event, never run
COMMANDS = commands.LIVE


def schema(name: str) -> dict[str, tuple[tuple[type, ...], bool]]:
    return {key: (f.rule.json_types, f.required) for key, f in commands.schema(name).items()}

FUZZ_SETTINGS = settings(deadline=None, database=None, print_blob=True,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                HealthCheck.filter_too_much, HealthCheck.large_base_example])
COUNTS = {"http": 0, "sio": 0, "refused_http": 0, "refused_sio": 0, "restored": 0}
LOGIN_PATHS = ("/api/login", "/api/pair")
RECORDED_REFUSALS = ("login_attempts", "failure_counts")  # the tables a failed login or PIN writes
ROLES = ("anonymous", "observer", "member", "member_other", "chair", "clerk", "display", "admin", "revoked")
SIO_ROLES = ("member", "member_other", "observer", "chair", "clerk", "display", "admin")


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Any:
    with watched_hall(tmp_path_factory.mktemp("fuzz")) as h:
        h.pristine_fp = h.fingerprint()  # type: ignore[attr-defined]
        yield h


def fingerprint_of(rows: dict[str, list[Any]], skip: tuple[str, ...] = ()) -> str:
    return repr(sorted((k, v) for k, v in rows.items() if k not in skip))


def start_example(h: Hall) -> None:
    for role, client in list(h.sio.items()):
        if client.is_connected():
            client.get_received()  # pushes to the other clients: drained, not kept
        else:  # an allowed request revoked this tablet (and closed its connection): reconnected when next used
            del h.sio[role]
    if h.fingerprint() != h.pristine_fp:  # type: ignore[attr-defined]
        h.restore()
        COUNTS["restored"] += 1


def no_errors_logged(h: Hall, what: str) -> None:
    errors = h.errors  # type: ignore[attr-defined]
    if errors.records:
        texts = errors.texts()
        errors.records.clear()
        raise AssertionError(f"{what}: logged {texts[:5]}")


# --- values --------------------------------------------------------------------------------------------

json_scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
                | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)


def nested(depth: int, kind: str) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value] if kind == "list" else {"a": value}
    return value


deep = st.builds(nested, st.integers(min_value=20, max_value=300), st.sampled_from(["list", "dict"]))
huge_text = st.sampled_from([6 * 1024, 25 * 1024, 100 * 1024]).map(lambda n: "表" * n)  # 18 KB to 300 KB of UTF-8
huge_list = st.sampled_from([2_000, 20_000]).map(lambda n: list(range(n)))


def id_values(known: list[int]) -> st.SearchStrategy[Any]:
    return (st.sampled_from(known) | st.integers(min_value=-3, max_value=60)
            | st.sampled_from([0, -1, 2**31 - 1, 2**31, 2**53 + 1, 2**63, 10**30]) | st.booleans()
            | st.sampled_from(["1", "1.0", "", None, 1.5]))


cast_ids = (st.sampled_from([REPLAYED_CAST_ID, "short", "x" * 65, "tab\there-12345", "\x00" * 10, "", " " * 12])
            | st.builds(lambda: uuid.uuid4().hex) | st.text(min_size=0, max_size=80))
choices = (st.sampled_from(["for", "against", "abstain", "赞成", "反对", "弃权", "For", "", "mark", "satisfied"])
           | st.dictionaries(st.sampled_from(["main", "p1", "d1", "c1", "x"]) | st.text(max_size=8),
                             st.sampled_from(["for", "against", "satisfied", "mark"]) | json_scalars, max_size=4)
           | json_values | huge_text)
words = st.sampled_from(["grant", "done", "withdraw", "present", "video", "leave", "absent", "", "GRANT", "none"])


def field_values(h: Hall, name: str, types: tuple[type, ...]) -> st.SearchStrategy[Any]:
    ids = h.member_ids + h.observer_ids + h.items + h.ballots + [h.sitting_id, h.speaker_request_id, h.round_id]
    specific: dict[str, st.SearchStrategy[Any]] = {
        "ballot_id": id_values(h.ballots), "item_id": id_values(h.items),
        "request_id": id_values([h.speaker_request_id]),
        "person_id": id_values(h.member_ids + h.observer_ids), "cast_id": cast_ids, "choice": choices,
        "move": words, "status": words, "seconds": st.integers(-10, 5000) | json_scalars,
        "extra": st.integers(-3, 60) | st.none() | json_scalars,
        "order": st.lists(id_values([h.speaker_request_id]), max_size=3) | json_values,
        "reason": st.sampled_from(["", " ", "长" * 201, "a\x00b", "\u200b", "提案人撤回"]) | st.text(max_size=250),
        "counts": st.dictionaries(st.sampled_from(["main", "x"]), st.dictionaries(
            st.sampled_from(["for", "against", "abstain", "x"]), st.integers(-5, 10**6) | json_scalars, max_size=4),
            max_size=2) | json_values,
    }
    base = specific.get(name, id_values(ids) if int in types else json_values)
    return base | json_values | huge_text


def valid_payloads(h: Hall, name: str) -> st.SearchStrategy[dict[str, Any]]:
    """Well-formed commands on the hall's own ids: sent by the wrong role or out of order they are refused,
    in order they run (the chair closes the ballot, then a member casts, then the chair re-votes...)."""
    ballot, item = st.sampled_from(h.ballots), st.sampled_from(h.items)
    member = st.sampled_from(h.member_ids + h.observer_ids)
    fields: dict[str, st.SearchStrategy[Any]] = {
        "ballot_id": ballot, "item_id": item, "request_id": st.just(h.speaker_request_id), "person_id": member,
        "cast_id": st.sampled_from([REPLAYED_CAST_ID]) | st.builds(lambda: uuid.uuid4().hex),
        "choice": st.sampled_from(["for", "against", "abstain"]),
        "move": st.sampled_from(["grant", "done", "withdraw"]),
        "status": st.sampled_from(["present", "video", "leave", "absent"]), "reason": st.sampled_from(["", "因病请假"]),
        "seconds": st.integers(10, 3600), "override_quorum": st.booleans(), "confirm": st.booleans(),
        "extra": st.none() | st.integers(1, 3),
        "confirm_passed": st.booleans(), "confirm_video": st.booleans(),
        "order": st.lists(st.just(h.speaker_request_id), max_size=2),
        "counts": st.just({"main": {"for": 1, "against": 0, "abstain": 0}}), "ballots": st.integers(0, 3),
        "invalid": st.integers(0, 1), "note": st.just("表决器故障"),
        # an encrypted ballot and a 监票人's partial decryption: well formed, never valid here
        "ballot": st.just({"v": 1, "slots": [], "sums": []}),
        "partial": st.just({"v": 1, "index": 1, "box": "00" * 32, "shares": [], "proofs": []}),
    }
    spec = schema(name)
    return st.fixed_dictionaries({k: fields[k] for k, (_t, required) in spec.items() if required},
                                 optional={k: fields[k] for k, (_t, required) in spec.items() if not required})


def command_payloads(h: Hall, name: str) -> st.SearchStrategy[Any]:
    spec = schema(name)
    shaped = st.fixed_dictionaries(
        {}, optional={key: field_values(h, key, types) for key, (types, _required) in spec.items()})
    extra = st.dictionaries(st.text(max_size=12) | st.sampled_from(["person_id", "sitting_id", "user_id"]),
                            json_values, min_size=1, max_size=3)
    return st.one_of(
        valid_payloads(h, name), shaped, shaped, shaped,
        st.builds(lambda a, b: {**a, **b}, shaped, extra),
        json_values, deep, huge_text, huge_list.map(lambda xs: {"list": xs}),
    )


EVENT_NAMES = (st.sampled_from(sorted(COMMANDS)) | st.sampled_from(RESERVED) | st.sampled_from(
    ["message", "snapshots", "Cast", "cast ", "*", ""]) | st.text(max_size=30))


# --- Socket.IO ------------------------------------------------------------------------------------------


@st.composite
def sio_event(draw: Any, h: Hall) -> tuple[str, str, tuple[Any, ...]]:
    if "sio_strategies" not in h.__dict__:
        h.__dict__["sio_strategies"] = {n: command_payloads(h, n) for n in COMMANDS}
    strategies = h.__dict__["sio_strategies"]
    role = draw(st.sampled_from(SIO_ROLES))
    name = draw(st.sampled_from(sorted(COMMANDS)) | EVENT_NAMES)
    payload = draw(strategies[name] if name in COMMANDS else json_values)
    shape = draw(st.sampled_from(["one", "one", "one", "none", "many"]))
    args: tuple[Any, ...] = (payload,) if shape == "one" else () if shape == "none" else (
        payload, draw(json_values), draw(json_values))
    return role, name, args


def run_sio(h: Hall, role: str, name: str, args: tuple[Any, ...]) -> None:
    client = h.socket_client(role)
    before = h.rows()
    ack = client.emit(name, *args, callback=True)
    COUNTS["sio"] += 1
    no_errors_logged(h, f"{role} emitted {name!r}")
    where = f"{role} emitted {name!r} {repr(args)[:300]} -> {repr(ack)[:300]}"
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), where
    if name in COMMANDS:
        if ack["ok"]:
            return
        assert ack.get("error") not in (None, "server_error") and ack.get("message_en"), where
    else:  # no such command (or a reserved name): answered unknown_event, nothing runs
        assert ack["ok"] is False and ack["error"] == "unknown_event" and ack.get("message_en"), where
        assert client.is_connected(), f"{where}: the connection was dropped"
    COUNTS["refused_sio"] += 1
    after = h.rows()
    changed = [t for t in before if before[t] != after[t]]
    assert not changed, f"{where}: a refused event changed {changed}"


@settings(FUZZ_SETTINGS, max_examples=SIO_EXAMPLES)
@given(data=st.data())
def test_socketio_events_fuzzed(hall, data):
    start_example(hall)
    for _ in range(data.draw(st.integers(1, 3), label="events")):
        run_sio(hall, *data.draw(sio_event(hall), label="event"))


# --- HTTP -----------------------------------------------------------------------------------------------


def route_templates(h: Hall) -> list[tuple[str, list[str]]]:
    out = []
    for rule in h.app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        out.append((rule.rule, sorted(rule.methods or ())))
    return sorted(out)


ARG = re.compile(r"<(?:(\w+):)?(\w+)>")
BODY_FIELDS = ("name", "preset", "overrides", "title", "date", "place", "chair_name", "clerk_name", "kind",
               "amends_item_id", "position", "spec", "secret", "allow_change", "method", "timer_seconds", "procedural",
               "threshold", "role", "seat", "joined_on", "left_on", "external_id", "delegation", "pin", "username",
               "password", "display_name", "code", "body_id", "status", "reason", "override_quorum", "seconds",
               "counts", "ballots", "invalid", "note", "confirm", "extra", "choice", "cast_id", "person_id", "ref",
               "sheet_id", "documents", "settings", "bodies", "active", "layout")


def http_strategies(h: Hall) -> dict[str, st.SearchStrategy[Any]]:
    """Built once per hall (building strategies for every draw costs more than running the request)."""
    known = h.member_ids + h.observer_ids + h.items + h.ballots + [h.sitting_id, h.body_id, h.document_id,
                                                                   h.speaker_request_id, *h.device_ids.values()]
    methods = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "PROPFIND"])
    return {
        "template": st.sampled_from(route_templates(h)),
        "int_arg": st.sampled_from(known) | st.integers(0, 40) | st.sampled_from([2**31 - 1, 2**31, 10**20]),
        "text_arg": st.sampled_from(["grant", "done", "withdraw", "csv", "json", "minutes", "results", "pdf",
                                     "ABCDE-FGHJK", "..", "%00"]) | st.text(max_size=20),
        "method": methods,
        "random_path": st.lists(st.text(max_size=12) | st.sampled_from(["sittings", "ballots", "1", "..", "%2e%2e",
                                                                        "items", "api", "x" * 3000]), max_size=5),
        "random_method": methods | st.sampled_from(["TRACE", "FOO"]),
        "kind": st.sampled_from(["none", "fields", "fields", "json", "raw", "deep_text", "huge", "multipart"]),
        "fields": st.dictionaries(st.sampled_from(BODY_FIELDS), json_values | id_values(known) | choices | cast_ids
                                  | words, max_size=5),
        "json": json_values | deep | huge_list,
        "raw": st.binary(max_size=200) | st.sampled_from([b"{", b"null", b"[]", b"\xff\xfe{}", b'{"a":1}{']),
        "depth": st.sampled_from([1_000, 10_000, 100_000]),
        "field": st.sampled_from(BODY_FIELDS),
        "file": st.tuples(st.binary(max_size=300) | st.sampled_from([b"%PDF-1.4 x", "姓名\n张三\n".encode(),
                                                                     "排,座,座位号\n1,1,A\n".encode()]),
                          st.sampled_from(["a.pdf", "roster.csv", "r.xlsx", "", "../../etc/passwd", "x.txt"])),
        "query": st.dictionaries(st.sampled_from(["limit", "before", "sitting_id", "action", "on", "lang", "ref", "sig",
                                                  "x"]),
                                 st.text(max_size=12) | st.sampled_from(["0", "-1", "500", "501",
                                                                         "99999999999999999999",
                                                                         "en", "2026-13-45"]), max_size=3),
        "content_type": st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded",
                                         "application/json; charset=gbk"]),
    }


@st.composite
def http_request(draw: Any, h: Hall) -> dict[str, Any]:
    if "http_strategies" not in h.__dict__:
        h.__dict__["http_strategies"] = http_strategies(h)
    S = h.__dict__["http_strategies"]
    if draw(st.integers(0, 9)) < 8:
        rule, methods = draw(S["template"])

        def fill(m: re.Match[str]) -> str:
            if m.group(1) == "int":
                return str(draw(S["int_arg"]))
            return urllib.parse.quote(draw(S["text_arg"]), safe="")

        path = ARG.sub(fill, rule)
        method = draw(st.sampled_from(methods) | S["method"])
    else:
        path = "/api/" + "/".join(urllib.parse.quote(seg, safe="%") for seg in draw(S["random_path"]))
        method = draw(S["random_method"])
    kind = draw(S["kind"])
    body: Any = None
    if kind == "fields":
        body = draw(S["fields"])
    elif kind == "json":
        body = draw(S["json"])
    elif kind == "raw":
        body = draw(S["raw"])
    elif kind == "deep_text":
        depth = draw(S["depth"])
        text = "[" * depth + "]" * depth if draw(st.booleans()) else '{"a":' * depth + "1" + "}" * depth
        body = text.encode()
    elif kind == "huge":
        body = {draw(S["field"]): draw(huge_text)}
    elif kind == "multipart":
        body = draw(S["file"])
    return {"role": draw(st.sampled_from(ROLES)), "method": method, "path": path, "kind": kind, "body": body,
            "query": draw(S["query"]), "csrf": draw(st.integers(0, 9)) > 0, "content_type": draw(S["content_type"])}


def run_http(h: Hall, req: dict[str, Any]) -> None:
    client = h.http[req["role"]]
    client.reset()
    kw: dict[str, Any] = {"query_string": req["query"]}
    kind, body = req["kind"], req["body"]
    if kind in ("fields", "json", "huge"):
        kw["json"] = body
        if body is None:
            kw["data"], kw["content_type"] = b"null", "application/json"
            kw.pop("json")
    elif kind in ("raw", "deep_text"):
        kw["data"], kw["content_type"] = body, req["content_type"]
    elif kind == "multipart":
        kw["data"] = {"file": (io.BytesIO(body[0]), body[1])}
        kw["content_type"] = "multipart/form-data"
    before = h.rows()
    r = client.open(req["method"], req["path"], csrf=req["csrf"], **kw)
    COUNTS["http"] += 1
    where = f"{req['role']} {req['method']} {req['path'][:200]} {kind} {repr(body)[:200]} -> {r.status_code}"
    no_errors_logged(h, where)
    assert r.status_code < 500, where + " " + r.get_data(as_text=True)[:300]
    refused = r.status_code >= 400
    if refused and req["method"] != "HEAD":
        answer = r.get_json(silent=True)
        assert isinstance(answer, dict) and answer.get("error") and answer.get("message_en"), \
            where + " " + r.get_data(as_text=True)[:200]
    if not refused and req["method"] not in ("GET", "HEAD", "OPTIONS"):
        return
    if refused:
        COUNTS["refused_http"] += 1
    after = h.rows()
    if refused and req["path"] in LOGIN_PATHS:  # a failed login or PIN is counted, and only that (no audit entry)
        changed = [t for t in before if t not in RECORDED_REFUSALS and before[t] != after[t]]
    else:  # the verified checkpoint of the audit chain may move on a verification: it changes nothing stored
        changed = [t for t in before if t != "audit_checkpoint" and before[t] != after[t]]
    assert not changed, f"{where}: {'a refused request' if refused else 'a read'} changed {changed}"


@settings(FUZZ_SETTINGS, max_examples=HTTP_EXAMPLES)
@given(data=st.data())
def test_http_requests_fuzzed(hall, data):
    start_example(hall)
    for _ in range(data.draw(st.integers(1, 3), label="requests")):
        run_http(hall, data.draw(http_request(hall), label="request"))


def test_the_server_still_serves_and_enough_cases_ran(hall):
    """Runs after the two fuzz tests (same module, file order): valid requests work, the audit chain
    verifies, and at least 10,000 events and requests were generated."""
    start_example(hall)
    total = COUNTS["http"] + COUNTS["sio"]
    print(f"\n[fuzz] {total} cases: {COUNTS['sio']} Socket.IO events ({COUNTS['refused_sio']} refused), "
          f"{COUNTS['http']} HTTP requests ({COUNTS['refused_http']} refused); state restored "
          f"{COUNTS['restored']} times after an allowed change")
    if COUNTS["http"] and COUNTS["sio"] and not SCALED:  # the whole module ran, at its full size
        assert total >= MIN_CASES, COUNTS
    chair = hall.http["chair"]
    chair.reset()
    assert chair.open("GET", f"/api/sittings/{hall.sitting_id}/agenda").status_code == 200
    seat = hall.socket_client("member")
    ack = seat.emit("cast", {"ballot_id": hall.ballots[0], "choice": "for", "cast_id": uuid.uuid4().hex},
                    callback=True)
    assert ack["ok"] and not ack["duplicate"], ack
    snap = seat.emit("snapshot", {}, callback=True)["snapshot"]
    assert snap["me"]["vote"]["voted"] and snap["ballot"]["voted"] == 2
    r = chair.open("POST", f"/api/ballots/{hall.ballots[0]}/close")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["result"]["questions"][0]["counts"] == {"for": 1, "against": 1, "abstain": 0}
    clerk = hall.http["clerk"]
    clerk.reset()
    verified = clerk.open("GET", "/api/audit/verify").get_json()
    assert verified["ok"], verified
    no_errors_logged(hall, "the final checks")
