"""What a terminal keeps, the way docs/protocol.md (sections 2 and 3) says a terminal does: a snapshot,
then the pushes applied by the sequence rule, and what it shows from that.

``apply_push`` is the rule, once: a numbered ``event`` is applied when it carries the next ``seq``,
ignored when already applied, and a gap asks for a fresh snapshot; the coalesced ``attendance`` and
``progress`` are dropped when built before the last applied event and ask for a snapshot when built
after an event not yet seen; ``me`` and ``me_vote`` are applied as they come.

``Screen`` is a terminal's memory on any transport (in-process test client, python-socketio in threads
or in asyncio): its state, every push received, and the numbered events that came with a gap."""
from __future__ import annotations

import copy
import json
import threading
import time
import uuid
from typing import Any

APPLIED, STALE, GAP = "applied", "stale", "gap"
PUSHES = ("snapshot", "event", "attendance", "progress", "me", "me_vote", "remind", "revoked", "alert", "sync",
          "body_changed", "devices", "tablets", "hall")
State = dict[str, Any]


class SeqError(AssertionError):
    """A numbered event that does not carry the next sequence number."""


def apply_push(state: State, name: str, data: Any) -> str:
    """Apply one push to ``state``. Returns APPLIED; STALE when it was ignored (already applied, built
    before what the state has, or arrived before the first snapshot); GAP when the terminal has missed a
    numbered event and must replace its state by a fresh snapshot (nothing was applied)."""
    if name == "snapshot":
        state.clear()
        state.update(copy.deepcopy(data))
        return APPLIED
    if name not in PUSHES:
        raise AssertionError(f"unknown push {name!r}")
    if "seq" not in state:
        return STALE
    if name == "event":
        step = _order(data["seq"], state["seq"] + 1)
        if step == APPLIED:
            for section, value in data["changes"].items():
                state[section] = copy.deepcopy(value)
            state["seq"] = data["seq"]
        return step
    if name in ("attendance", "progress"):
        step = _order(data["seq"], state["seq"])
        if step == APPLIED:
            _apply_coalesced(state, name, data)
        return step
    if name in ("me", "me_vote") and data.get("sitting_id") not in (None, (state.get("sitting") or {}).get("id")):
        return STALE  # about the person in another sitting (the pages keep only their own sitting's)
    if name == "me":
        state.setdefault("me", {}).update(copy.deepcopy(data["me"]))
    elif name == "me_vote":
        state.setdefault("me", {})["vote"] = copy.deepcopy(data["vote"])
    return APPLIED  # remind, revoked, alert: shown for a moment, not kept; body_changed: reloaded over HTTP;
    # devices: the clerk replaces its pairing list; tablets, hall: the consoles' seat map (kept by the page)


def _order(seq: int, expected: int) -> str:
    return APPLIED if seq == expected else STALE if seq < expected else GAP


def _apply_coalesced(state: State, name: str, data: dict[str, Any]) -> None:
    if name == "attendance":
        for section in ("attendance", "ballot"):
            if section in data:
                state[section] = copy.deepcopy(data[section])
        return
    ballot = state.get("ballot")
    if ballot is not None and ballot.get("round_id") == data["round_id"]:
        ballot["voted"] = data["voted"]
        if "time_up" in data:
            ballot["time_up"] = data["time_up"]
        for key in ("non_voters", "video_votes", "video_pending", "video_waiting", "hands_entered"):
            if key in data:
                ballot[key] = copy.deepcopy(data[key])


def has_voted(state: State) -> bool:
    """"You have voted" (protocol.md): ``me.vote.round_id == ballot.round_id and me.vote.voted``."""
    vote, ballot = (state.get("me") or {}).get("vote"), state.get("ballot")
    return bool(vote and ballot and vote["round_id"] == ballot["round_id"] and vote["voted"])


def shown(state: State) -> State:
    """What a terminal shows. ``me.vote`` counts only for the round on screen: a vote of an earlier round,
    or a ``null`` vote, both read "not voted in this round"."""
    out = copy.deepcopy(state)
    me = out.get("me")
    if me is not None:
        ballot = out.get("ballot")
        vote = me.get("vote")
        if ballot is None:
            me["vote"] = None
        elif vote is None or vote.get("round_id") != ballot["round_id"]:
            me["vote"] = {"round_id": ballot["round_id"], "voted": False, "receipt": None, "choice": None}
    return out


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """Where two states first differ (``a`` built from pushes, ``b`` fresh), or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                return f"{path}.{key}: only in {'fresh' if key in b else 'applied'}"
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} entries applied, {len(b)} fresh"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    if a != b:
        return (f"{path}: applied {json.dumps(a, ensure_ascii=False)[:200]} "
                f"!= fresh {json.dumps(b, ensure_ascii=False)[:200]}")
    return None


def new_cast_id() -> str:
    """What a tablet sends with a cast, kept until its acknowledgement (and sent again with a retry)."""
    return uuid.uuid4().hex


class Screen:
    """A terminal's memory: ``state`` (its snapshot with every push applied), ``log`` (every push and
    acknowledgement received, with its arrival time), ``seqs`` (the numbers of the events received, in
    order) and ``errors`` (each numbered event that came after a gap). A gap, numbered or not, is
    answered with a fresh snapshot (``resync``), as the pages do."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.state: State = {}
        self.log: list[tuple[str, Any, float]] = []
        self.seqs: list[int] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def take(self, name: str, data: Any, at: float | None = None) -> str:
        """A push has arrived: keep it, apply it, and resync after a gap."""
        with self.lock:
            self.log.append((name, data, time.monotonic() if at is None else at))
            expected = self.state.get("seq", -1) + 1
            step = apply_push(self.state, name, data)
        if name == "event":
            self.seqs.append(data["seq"])
            if step == GAP:
                self.numbered_gap(f"event {data['type']} has seq {data['seq']}, expected {expected}")
        if step == GAP:
            self.resync()
        return step

    def numbered_gap(self, message: str) -> None:
        self.errors.append(f"{self.label}: {message}")

    def resync(self) -> None:
        raise NotImplementedError

    def replace(self, snapshot: State) -> None:
        with self.lock:
            apply_push(self.state, "snapshot", snapshot)

    def received(self, name: str) -> list[Any]:
        with self.lock:
            return [data for n, data, _at in self.log if n == name]

    def view(self) -> State:
        with self.lock:
            return shown(self.state)

    @property
    def has_voted(self) -> bool:
        with self.lock:
            return has_voted(self.state)


class Console(Screen):
    """A Screen that sends commands and waits for their acknowledgement (``call``), in the caller's thread."""

    settle_seconds = 5.0

    def call(self, name: str, payload: Any = None, timeout: float = 15) -> Any:
        raise NotImplementedError

    def pump(self) -> None:
        """Apply what has arrived, where the transport does not do it by itself."""

    def acknowledged(self, name: str, ack: Any) -> Any:
        with self.lock:
            self.log.append(("ack:" + name, ack, time.monotonic()))
        return ack

    def ok(self, name: str, payload: Any = None) -> dict[str, Any]:
        ack = self.call(name, payload)
        assert isinstance(ack, dict) and ack.get("ok") is True, f"{self.label} {name} {payload}: {ack}"
        return ack

    def fresh(self) -> State:
        snapshot: State = self.ok("snapshot")["snapshot"]
        return snapshot

    def resync(self) -> None:
        ack = self.call("snapshot", {})
        if isinstance(ack, dict) and ack.get("ok"):
            self.replace(ack["snapshot"])

    def settle(self, timeout: float | None = None) -> tuple[bool, str | None]:
        """Apply pushes until the state shows what a fresh snapshot shows (coalesced pushes come a little
        later than the acknowledgement). Returns (equal, first difference)."""
        deadline = time.monotonic() + (self.settle_seconds if timeout is None else timeout)
        while True:
            self.pump()
            fresh = self.fresh()
            diff = first_difference(self.view(), shown(fresh))
            if diff is None or time.monotonic() > deadline:
                return diff is None, diff
            time.sleep(0.03)
