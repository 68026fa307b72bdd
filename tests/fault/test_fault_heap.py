"""A secret ballot against someone holding copies of the database's own files, not a dump of its rows.

Twenty members vote on a secret resolution, each choice drawn at random and known to the test only.
The attacker then tries to link members to choices from what the database engine really keeps:

* PostgreSQL: every version of every row of every table of the schema, read from the heap pages with
  pageinspect (``heap_page_item_attrs``: dead versions too, with their ``xmin``/``xmax``) after every
  cast and after the close, and once more after VACUUM. Tuples that pruning or VACUUM dropped still lie
  in the pages' free space: the attacker carves them out of ``get_raw_page`` (its decoder is checked
  against pageinspect's on every live tuple).
* SQLite: the database file and its ``-wal`` copied after every cast (the round open) and after the
  close; each copy opened as it is, and every commit still in each ``-wal`` replayed frame by frame.

Each transaction (an ``xmin``, or the step between two copies) that wrote rows naming exactly one
member (a ``person_id``) is that member's. The attacker names a choice from what that transaction wrote,
looking at every table and every column, with no table name in mind: an integer that went up by exactly
one in some members' transactions and not in others' (a counter, labelled by the option code in its row,
or by the announced count when only one option has it), and any text or JSON naming an option
("for", "against", "abstain", 赞成, 反对, 弃权); and any row, in any version, naming a member and an option.
A member is linked when the attacker's evidence names exactly one option and it is the member's choice.

Whatever a secret round stores, no member may be linked: only ciphertexts that name no option, nothing
that counts per option until the close."""
from __future__ import annotations

import json
import random
import re
import shutil
import sqlite3
import struct
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fault_helpers import CHOICES
from support.database import seed_hall
from support.env import missing
from support.terminal import new_cast_id
from test_fault_secrecy import dump, wal_images

from voting_server import ballotbox as bb
from voting_server import models, services
from voting_server.db import Store
from voting_server.services import Actor, keyholders

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(180)]

MEMBERS = 20
PIN = "135790"
LABELS = {"赞成": "for", "反对": "against", "弃权": "abstain"}
QUOTED = re.compile("[\"'](" + "|".join(CHOICES) + ")[\"']")

Row = dict[str, Any]
Key = tuple[Any, ...]


@dataclass(frozen=True)
class Change:
    """One row written by one transaction: its value before (None: inserted) and after."""

    table: str
    key: Key
    before: Row | None
    after: Row


@dataclass(frozen=True)
class Version:
    """One version of one row, as the PostgreSQL heap keeps it."""

    table: str
    key: Key
    xmin: int
    xmax: int
    values: Row


@pytest.mark.parametrize("keys", ["sealed", "shares"])
def test_no_copy_of_the_database_links_a_member_to_a_secret_choice(database_url, tmp_path, keys, monkeypatch):
    """20 members, a secret resolution, every copy of the database's files the attacker holds: 0 linked,
    whether the server seals the round's key or three 监票人 hold it (two decrypt after the close)."""
    started = time.monotonic()
    postgres = not database_url.startswith("sqlite")
    ids = seed_hall(database_url, MEMBERS)
    store = Store(database_url, keys_dir=tmp_path / "ballotbox")
    if keys == "shares":
        monkeypatch.setattr(keyholders, "KDF", bb.Kdf(t=1, log2_m=3, p=1))  # cheap key cards
        with store.write_session() as s, s.begin():
            s.execute(sa.update(models.Ballot).where(models.Ballot.id == ids["ballot_id"]).values(box_keys="shares"))
    watcher: PgHeap | SqliteCopies = PgHeap(store) if postgres else SqliteCopies(store, tmp_path / "copies")
    try:
        truth, tally = play(store, ids, watcher)
        members = set(truth)
        figures = watcher.attack(members, tally)
    finally:
        watcher.close()
        store.dispose()
    elapsed = time.monotonic() - started
    kind = f"{'postgres' if postgres else 'sqlite'}, key {keys}"
    wrong = {where: sum(1 for m, o in linked.items() if truth[m] != o) for where, (linked, _who) in figures.items()}
    report = ", ".join(f"{where}: {len(linked) - wrong[where]}/{len(members)} linked"
                       + (f" ({wrong[where]} named wrongly)" if wrong[where] else "")
                       for where, (linked, _who) in figures.items())
    print(f"\n[heap] {kind}: {report} ({elapsed:.1f} s)")
    for where, (_linked, who) in figures.items():
        if where in watcher.complete:  # the attacker saw every cast: it must know who voted, not what
            assert who == members, f"{kind} {where}: the attacker found the casts of {len(who)} members only"
    leaked = {where: linked_ids for where, (linked, _who) in figures.items()
              if (linked_ids := sorted(m for m, o in linked.items() if truth[m] == o))}
    assert not leaked, f"{kind}: secret choices linked to members ({report}): {leaked}"


def test_the_attacker_names_a_choice_wherever_it_is_stored():
    """The attacker above, on transactions made up here: it finds a choice in a JSON column, in counters
    that name their option by a number only, in any row naming a member; and concludes nothing from
    ciphertexts that name every option, nor from a count of voters."""
    members, tally = {1, 2, 3}, {"for": 2, "against": 1, "abstain": 0}
    truth = {1: "for", 2: "against", 3: "for"}

    def cast(m: int, *rows: Change) -> list[Change]:
        return [Change("participations", (f"p{m}",), None, {"person_id": m, "receipt": "5f" * 8}), *rows]

    in_json = [cast(m, Change("ballots_kept", (m,), None, {"data": json.dumps({"main": truth[m]})})) for m in members]
    assert link(in_json, [], members, tally)[0] == truth
    counts, by_number = [0, 0, 0], []
    for m in sorted(members):
        before = list(counts)
        counts[CHOICES.index(truth[m])] += 1
        by_number.append(cast(m, *(Change("sums", (n,), {"slot": n, "n": before[n]}, {"slot": n, "n": counts[n]})
                                   for n in range(3))))
    assert link(by_number, [], members, tally)[0] == truth
    audit = [("audit", (m,), {"payload": json.dumps({"person_id": m, "choice": {"main": truth[m]}})}) for m in members]
    assert link([], audit, members, tally)[0] == truth
    sealed = [cast(m, Change("box", (m,), None, {"wire": json.dumps({"main": {o: "9e" * 32 for o in CHOICES}})}),
                   Change("rounds", (1,), {"voters": m - 1}, {"voters": m})) for m in sorted(members)]
    assert link(sealed, [], members, tally) == ({}, members)


def play(store: Store, ids: dict[str, Any], watcher: PgHeap | SqliteCopies) -> tuple[dict[int, str], dict[str, int]]:
    """The sitting through the service layer, one cast per transaction (the attacker's best case); the
    watcher copies the database after the opening, after every cast and after the close."""
    with store.read() as s:
        chair_id = s.scalar(sa.select(models.User.id).where(models.User.username == "chair"))
    chair = Actor(role="chair", name="王建国", user_id=chair_id)
    members = [Actor(role="member", name="", person_id=pid) for pid in ids["member_ids"]]
    rng = random.Random(f"heap-{len(members)}")
    truth = {m.person_id: rng.choice(CHOICES) for m in members}
    services.open_sitting(store, chair, ids["sitting_id"])
    for m in members:
        services.sign_in(store, m, ids["sitting_id"])
    services.start_item(store, chair, ids["item_id"])
    with store.read() as s:
        shares = s.get(models.Ballot, ids["ballot_id"]).box_keys == "shares"
    holders = members[:3]
    if shares:
        clerk = Actor(role="clerk", name="何静", user_id=chair_id)
        dealt = services.deal_keys(store, clerk, ids["sitting_id"], k=2, holders=[
            {"person_id": h.person_id, "pin": PIN} for h in holders])
    services.open_ballot(store, chair, ids["ballot_id"])
    watcher.observe("open")
    order = list(members)
    rng.shuffle(order)
    for m in order:
        ack = services.cast_vote(store, m, ids["ballot_id"], truth[m.person_id], new_cast_id())
        assert ack["ok"] and "choice" not in ack, ack
        watcher.observe("cast")
    result = services.close_ballot(store, chair, ids["ballot_id"])
    if shares:  # counting: two of the three 监票人 decrypt on their seats
        assert result.get("counting"), result
        watcher.observe("counting")
        for holder, card in zip(holders[:2], dealt["cards"], strict=False):
            req = keyholders.decryption_request(store, holder, ids["ballot_id"])
            key_set = bb.KeySet.from_dict(req["keys"])
            partial = bb.partial(bb.Box.from_request(key_set, req["request"]), bb.unlock(card["card"], PIN, key_set))
            result = services.give_share(store, holder, ids["ballot_id"], partial=partial)["result"]
            watcher.observe("decrypted")
    watcher.observe("closed")
    tally = result["questions"][0]["counts"]
    want = {o: sum(1 for c in truth.values() if c == o) for o in CHOICES}
    assert {o: tally.get(o, 0) for o in CHOICES} == want, (tally, want)
    return truth, want


# --- the attacker --------------------------------------------------------------------------------------------


def named_options(value: Any) -> set[str]:
    """The option codes a stored value names: the code or its label itself, a JSON key or string equal to
    one, or a quoted code or a label inside any other text (bytes read as UTF-8)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        value = bytes(value).decode("utf-8", "ignore")
    if not isinstance(value, str):
        return set()
    text = value.strip()
    if text in CHOICES or text in LABELS:
        return {LABELS.get(text, text)}
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, (dict, list)):
        return set().union(*(named_options(word) for word in json_words(parsed)))
    return set(QUOTED.findall(text)) | {code for label, code in LABELS.items() if label in text}


def json_words(obj: Any) -> Iterator[Any]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            yield from json_words(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from json_words(v)
    else:
        yield obj


def members_named(obj: Any, members: set[int]) -> Iterator[tuple[int, Any]]:
    """(member, the object naming them) for every JSON object inside ``obj`` with a member's person_id."""
    if isinstance(obj, str) and obj[:1] in "{[":
        try:
            obj = json.loads(obj)
        except ValueError:
            return
    if isinstance(obj, dict):
        if obj.get("person_id") in members:
            yield obj["person_id"], obj
        for v in obj.values():
            yield from members_named(v, members)
    elif isinstance(obj, list):
        for v in obj:
            yield from members_named(v, members)


def is_int(value: Any) -> bool:
    return type(value) is int  # not a bool


def link(transactions: Iterable[list[Change]], rows: Iterable[tuple[str, Key, Row]], members: set[int],
         tally: dict[str, int]) -> tuple[dict[int, str], set[int]]:
    """The members whose choice the attacker names without guessing, and the members whose transactions
    it found (who voted). ``rows``: every version of every row the attacker holds."""
    rows = list(rows)
    evidence: dict[int, set[str]] = defaultdict(set)
    moved: dict[tuple[str, Key, str], set[int]] = defaultdict(set)
    span: dict[tuple[str, Key, str], tuple[int, int]] = {}  # the lowest value before, the highest after
    owners: set[int] = set()
    casters: set[int] = set()
    for tx in transactions:
        named = {c.after.get("person_id") for c in tx} & members
        if len(named) != 1:
            continue  # no member, or several: the attacker cannot tell whose it is
        [member] = named
        owners.add(member)
        for c in tx:
            changed = [col for col, v in c.after.items() if c.before is None or c.before.get(col) != v]
            for col in changed:
                evidence[member] |= named_options(c.after[col])
                old = c.before.get(col) if c.before is not None else None
                if is_int(old) and is_int(c.after[col]) and c.after[col] - old == 1:
                    counter = (c.table, c.key, col)
                    moved[counter].add(member)
                    low, high = span.get(counter, (old, c.after[col]))
                    span[counter] = (min(low, old), max(high, c.after[col]))
                    casters.add(member)
    # a counter that went up for some members and not for others counts something they chose: its row names
    # the option, or, failing that, the announced count of exactly one option is how often it went up. Only
    # a counter whose every step the attacker saw: of one whose versions were partly lost (pruned from a
    # page), the members it missed may have moved it too
    names_of_row: dict[tuple[str, Key], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for table, key, values in rows:
        for col, v in values.items():
            names_of_row[(table, key)][col] |= named_options(v)
    for (table, key, col), who in moved.items():
        low, high = span[(table, key, col)]
        if not who or who == casters or high - low != len(who):
            continue
        in_row = set().union(*(n for c, n in names_of_row[(table, key)].items() if c != col))
        by_count = {o for o, n in tally.items() if n == len(who)}
        label = in_row if in_row else by_count
        if len(label) == 1:
            for member in who:
                evidence[member] |= label
    # any version of any row that names a member and an option
    for _table, _key, values in rows:
        if values.get("person_id") in members:
            for col, v in values.items():
                if col != "person_id":
                    evidence[values["person_id"]] |= named_options(v)
        for v in values.values():
            for member, obj in members_named(v, members):
                evidence[member] |= named_options(json.dumps({k: w for k, w in obj.items() if k != "person_id"},
                                                             ensure_ascii=False, default=str))
    return {m: next(iter(e)) for m, e in evidence.items() if len(e) == 1}, owners


# --- PostgreSQL: the heap pages ------------------------------------------------------------------------------

TOASTED = object()  # a value stored out of line or compressed (the carver does not follow it)
ALIGN = {"c": 1, "s": 2, "i": 4, "d": 8}
FIXED = {"integer": "<i", "smallint": "<h", "bigint": "<q", "double precision": "<d", "real": "<f"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    length: int
    align: int


@dataclass(frozen=True)
class Table:
    oid: int
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]


def decode(column: Column, raw: bytes | None) -> Any:
    """A column's value from its bytes as the heap holds them (varlena: the value without its header)."""
    if raw is None:
        return None
    if column.type in FIXED:
        return struct.unpack(FIXED[column.type], raw)[0]
    if column.type == "boolean":
        return raw != b"\x00"
    if column.type in ("text", "character varying", "character", "json", "name"):
        return raw.decode("utf-8")
    return (column.type, raw)  # dates, times, jsonb, bytea: kept as bytes (the text scan reads them too)


def carve(table: Table, page: bytes, off: int, xids: range) -> Version | None:
    """The tuple whose header starts at ``off`` of the page, or None when the bytes there are not one."""
    if off + 24 > len(page):
        return None
    xmin, xmax = struct.unpack_from("<II", page, off)
    infomask2, infomask, hoff = struct.unpack_from("<HHB", page, off + 18)
    natts = infomask2 & 0x07FF
    if xmin not in xids or not 0 < natts <= len(table.columns):
        return None
    nulls = bool(infomask & 0x0001)
    if hoff != (((23 + (natts + 7) // 8) + 7) & ~7 if nulls else 24):
        return None
    bits = page[off + 23:off + 23 + (natts + 7) // 8] if nulls else b""
    values: Row = {}
    pos = off + hoff
    try:
        for i, column in enumerate(table.columns):
            if i >= natts or (nulls and not bits[i // 8] >> (i % 8) & 1):
                values[column.name] = None
                continue
            if column.length == -1:
                if page[pos] == 0:  # pad bytes before a 4-byte header
                    pos = off + ((pos - off + column.align - 1) // column.align) * column.align
                first = page[pos]
                if first == 0x01:  # a TOAST pointer
                    size, raw = 2 + {18: 16}.get(page[pos + 1], page[pos + 1]), None
                    values[column.name] = TOASTED
                elif first & 0x01:
                    size = first >> 1
                    raw = page[pos + 1:pos + size]
                else:
                    word = struct.unpack_from("<I", page, pos)[0]
                    size = word >> 2
                    raw = page[pos + 4:pos + size] if word & 0x03 == 0 else None
                    if raw is None:
                        values[column.name] = TOASTED
                if size < 1 or pos + size > len(page):
                    return None
                if raw is not None:
                    values[column.name] = decode(column, raw)
                pos += size
            else:
                pos = off + ((pos - off + column.align - 1) // column.align) * column.align
                if pos + column.length > len(page):
                    return None
                values[column.name] = decode(column, page[pos:pos + column.length])
                pos += column.length
    except (UnicodeDecodeError, struct.error, IndexError):
        return None
    key = tuple(values.get(k) for k in table.key) if table.key else ("offset", off)
    return Version(table.name, key, xmin, xmax, values)


def line_pointers(page: bytes) -> list[int]:
    """The offsets of the page's normal line pointers (lp_flags 1)."""
    lower = struct.unpack_from("<H", page, 12)[0]
    words = struct.unpack_from(f"<{(lower - 24) // 4}I", page, 24)
    return [w & 0x7FFF for w in words if (w >> 15) & 0x03 == 1]


class PgHeap:
    """Reads every page of every table of the store's schema after each step."""

    complete = ("heap after every cast",)

    def __init__(self, store: Store) -> None:
        self.engine = sa.create_engine(store.url, isolation_level="AUTOCOMMIT")
        with self.engine.connect() as conn:
            try:
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pageinspect SCHEMA public")
            except sa.exc.DBAPIError as error:
                missing(f"PostgreSQL's pageinspect extension is not available (postgresql-contrib): {error}")
            self.schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
            self.pi = conn.exec_driver_sql(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                "WHERE e.extname = 'pageinspect'").scalar_one()
        self.history: dict[tuple[str, Key, int], Version] = {}
        self.snapshots: dict[str, list[Version]] = {}

    def close(self) -> None:
        self.engine.dispose()

    def tables(self, conn: sa.Connection) -> list[Table]:
        rels = conn.execute(sa.text(
            "SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :s AND c.relkind = 'r' ORDER BY c.relname"), {"s": self.schema}).all()
        out = []
        for oid, name in rels:
            cols = conn.execute(sa.text(
                "SELECT attname, format_type(atttypid, NULL), attlen, attalign FROM pg_attribute "
                "WHERE attrelid = :o AND attnum > 0 AND NOT attisdropped ORDER BY attnum"), {"o": oid}).all()
            key = conn.execute(sa.text(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = :o AND i.indisprimary ORDER BY a.attnum"),
                {"o": oid}).scalars().all()
            out.append(Table(oid, name, tuple(Column(n, t, ln, ALIGN[a]) for n, t, ln, a in cols), tuple(key)))
        return out

    def read(self) -> list[Version]:
        """Every tuple of every page: through pageinspect where a line pointer has one, carved from the free
        space otherwise (the carver must read every pageinspect tuple the same)."""
        versions: list[Version] = []
        with self.engine.connect() as conn:
            xids = range(3, conn.exec_driver_sql("SELECT txid_current()").scalar_one() % 2**32 + 1)
            for table in self.tables(conn):
                rel = f'"{self.schema}"."{table.name}"'
                pages = conn.execute(sa.text("SELECT pg_relation_size(:r) / current_setting('block_size')::int"),
                                     {"r": rel}).scalar_one()
                for n in range(pages):
                    page = bytes(conn.execute(sa.text(f'SELECT "{self.pi}".get_raw_page(:r, :n)'),
                                              {"r": rel, "n": n}).scalar_one())
                    versions += self.tuples(conn, table, page, xids)
        return versions

    def tuples(self, conn: sa.Connection, table: Table, page: bytes, xids: range) -> list[Version]:
        try:
            items = conn.execute(sa.text(
                f'SELECT lp_off, t_xmin::text::bigint, t_xmax::text::bigint, t_attrs FROM "{self.pi}".'
                "heap_page_item_attrs(:p, CAST(:o AS oid)::regclass, true) WHERE lp_flags = 1"),
                {"p": page, "o": table.oid}).all()
        except sa.exc.DBAPIError:  # a dead version whose TOAST chunks are gone already: carve them all
            items = [(off, None, None, None) for off in line_pointers(page)]
        out, starts = [], set()
        for lp_off, xmin, xmax, attrs in items:
            carved = carve(table, page, lp_off, xids)
            if attrs is None:
                assert carved is not None, (table.name, lp_off)
                out.append(carved)
            else:
                values = {c.name: decode(c, None if a is None else bytes(a))
                          for c, a in zip(table.columns, attrs, strict=False)}
                key = tuple(values.get(k) for k in table.key) if table.key else ("offset", lp_off)
                assert carved is not None and all(carved.values[k] in (v, TOASTED) for k, v in values.items()), \
                    f"the carver misreads a tuple of {table.name}: {values} as {carved}"
                out.append(Version(table.name, key, xmin, xmax, values))
            starts.add(lp_off)
        lower, upper = struct.unpack_from("<HH", page, 12)
        for off in range((lower + 7) & ~7, upper, 8):  # what pruning and VACUUM left in the free space
            carved = carve(table, page, off, xids)
            if carved is not None and off not in starts:
                out.append(carved)
        return out

    def observe(self, step: str) -> None:
        versions = self.read()
        for v in versions:
            self.history.setdefault((v.table, v.key, v.xmin), v)
            if v.xmax != v.xmin:  # of a row written twice by one transaction, its last version
                self.history[(v.table, v.key, v.xmin)] = v
        if step == "closed":
            self.snapshots["heap after the close"] = versions
            with self.engine.connect() as conn:
                for table in self.tables(conn):
                    conn.exec_driver_sql(f'VACUUM "{self.schema}"."{table.name}"')
            self.snapshots["heap after VACUUM"] = self.read()

    def attack(self, members: set[int], tally: dict[str, int]) -> dict[str, tuple[dict[int, str], set[int]]]:
        held = {"heap after every cast": list(self.history.values()), **self.snapshots}
        return {where: link(pg_transactions(versions), ((v.table, v.key, v.values) for v in versions), members, tally)
                for where, versions in held.items()}


def pg_transactions(versions: list[Version]) -> list[list[Change]]:
    """What each transaction wrote: each version (by xmin) against the row's version before it."""
    rows: dict[tuple[str, Key], dict[int, Version]] = defaultdict(dict)
    for v in versions:
        if v.xmax != v.xmin or v.xmin not in rows[(v.table, v.key)]:
            rows[(v.table, v.key)][v.xmin] = v
    txs: dict[int, list[Change]] = defaultdict(list)
    for (table, key), by_xmin in rows.items():
        before: Version | None = None
        for xmin in sorted(by_xmin):
            v = by_xmin[xmin]
            txs[xmin].append(Change(table, key, before.values if before else None, v.values))
            before = v
    return list(txs.values())


# --- SQLite: the file and its write-ahead log ------------------------------------------------------------


class SqliteCopies:
    """Copies the database file and its ``-wal`` after each step, as a backup or a copied disk would."""

    complete = ("copies after every cast", "-wal of one copy during the vote")

    def __init__(self, store: Store, folder: Path) -> None:
        self.path = Path(str(store.engine.url.database))
        self.folder = folder
        self.copies: list[Path] = []

    def close(self) -> None:
        pass

    def observe(self, step: str) -> None:
        target = self.folder / f"{len(self.copies):02d}-{step}"
        target.mkdir(parents=True)
        for suffix in ("", "-wal"):
            source = Path(f"{self.path}{suffix}")
            if source.exists():
                shutil.copyfile(source, target / f"db.sqlite3{suffix}")
        self.copies.append(target)

    def state(self, copy: Path) -> dict[str, dict[Key, Row]]:
        """The database as one opens the copy (with its ``-wal``), on a scratch copy of the copy."""
        scratch = self.folder / "scratch"
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.copytree(copy, scratch)
        return rows_of(dump(scratch / "db.sqlite3"))

    def commits(self, copy: Path) -> list[dict[str, dict[Key, Row]]]:
        """The database after each commit still in the copy's ``-wal``."""
        if not (copy / "db.sqlite3-wal").exists() or (copy / "db.sqlite3-wal").stat().st_size < 32:
            return []
        images = []
        for image in wal_images(copy / "db.sqlite3"):
            path = self.folder / "image.sqlite3"
            path.write_bytes(image[:18] + b"\x01\x01" + image[20:])  # header bytes 18-19: rollback journal
            try:
                images.append(rows_of(dump(path)))
            except sqlite3.DatabaseError:
                continue  # a commit from before the database had its tables
            finally:
                path.unlink()
        return images

    def attack(self, members: set[int], tally: dict[str, int]) -> dict[str, tuple[dict[int, str], set[int]]]:
        states = [self.state(c) for c in self.copies]
        during = [c for c in self.copies if c.name.endswith(("open", "cast"))]  # before the close
        held = {
            "copies after every cast": states,
            "-wal of one copy during the vote": self.commits(during[-1]),
            "copy after the close": [*self.commits(self.copies[-1]), states[-1]],
        }
        return {where: link(sqlite_transactions(seq), (r for s in seq for r in flat(s)), members, tally)
                for where, seq in held.items()}


def rows_of(tables: dict[str, list[Row]]) -> dict[str, dict[Key, Row]]:
    return {name: {(r.get("_rowid"),) if "_rowid" in r else tuple(r.values()):
                   {k: v for k, v in r.items() if k != "_rowid"} for r in rows} for name, rows in tables.items()}


def flat(state: dict[str, dict[Key, Row]]) -> Iterator[tuple[str, Key, Row]]:
    for table, rows in state.items():
        for key, values in rows.items():
            yield table, key, values


def sqlite_transactions(states: list[dict[str, dict[Key, Row]]]) -> list[list[Change]]:
    """What changed between each two consecutive states (a copy, or a commit)."""
    txs = []
    for old, new in zip(states, states[1:], strict=False):
        tx = [Change(table, key, old.get(table, {}).get(key), values)
              for table, rows in new.items() for key, values in rows.items()
              if old.get(table, {}).get(key) != values]
        txs.append(tx)
    return txs
