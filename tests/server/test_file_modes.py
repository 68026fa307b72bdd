"""Every file the server keeps is its user's only: the instance folder 0700 and all in it (the SQLite
database with its -wal and -shm, the session key, the round keys, the signing key and certificate,
uploaded documents, the public address) 0600, whatever the umask; so is an export. A database or
instance folder left more open by an older version or a restore is narrowed at the next start."""
from __future__ import annotations

import os
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.apps import quiet
from support.hashing import fast_hashing

from voting_server import create_app, demo, services, sheets
from voting_server.services import Actor, settings
from voting_server.sheets.export import export_sitting


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0o022)  # what most systems give a service: files 0644, folders 0755
    try:
        yield
    finally:
        os.umask(old)


def modes(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` (and ``root``) that is not its user's only, with its mode."""
    found = {}
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077 or mode & 0o7000:
            found[str(path.relative_to(root.parent))] = oct(mode)
    return found


def vote_once(app, ballot_index: int) -> dict:
    """Sign everyone in, open the ballot (a secret round: its key is written to the instance folder), every
    member casts, close."""
    store = app.extensions["biaojue_store"]
    ids = app.config["test_ids"]
    chair = Actor(role="chair", name="王建国", user_id=2)
    members = [Actor(role="member", name="", person_id=pid) for pid in ids["member_ids"]]
    services.open_ballot(store, chair, ids["ballots"][ballot_index])
    for m, choice in zip(members, ["for", "against", "abstain"] * 5, strict=True):
        services.cast_vote(store, m, ids["ballots"][ballot_index], choice, uuid.uuid4().hex)
    return services.close_ballot(store, chair, ids["ballots"][ballot_index])


def start(instance: Path):
    app = create_app({"INSTANCE_PATH": str(instance), "ASYNC_MODE": "threading", "TESTING": True})
    quiet(app)
    return app


def test_every_file_of_a_fresh_instance_folder_is_its_users_only(tmp_path, open_umask):
    instance = tmp_path / "instance"
    app = start(instance)
    store = app.extensions["biaojue_store"]
    try:
        with fast_hashing():
            ids = demo.seed(store)
        app.config["test_ids"] = ids
        chair, clerk = Actor(role="chair", name="王建国", user_id=2), demo.CLERK
        services.open_sitting(store, chair, ids["sitting_id"])
        for pid in ids["member_ids"]:
            services.sign_in(store, Actor(role="member", name="", person_id=pid), ids["sitting_id"])
        services.start_item(store, chair, ids["items"][0])
        store_files = sorted(p.name for p in instance.iterdir())
        assert "biaojue.sqlite3" in store_files and "biaojue.sqlite3-wal" in store_files, store_files
        vote_once(app, 0)
        services.add_document(store, clerk, ids["items"][0], filename="议案.pdf", data=b"%PDF-1.4 paper",
                              folder=app.config["UPLOAD_FOLDER"], max_bytes=1 << 20)
        settings.set_public_url(store, Actor(role="admin", name="管理员", user_id=1), url="http://10.0.0.5",
                                instance=str(instance))
        sheets.body_key(instance, ids["body_id"], "某县人大常委会")
        written = sorted(str(p.relative_to(instance)) for p in instance.rglob("*"))
        for expected in ("secret_key", "documents", "certs", "ballotbox", "public_url"):
            assert any(w.startswith(expected) for w in written), (expected, written)
        assert modes(instance) == {}, written
        exported = export_sitting(store, ids["sitting_id"], tmp_path / "export")
        assert exported and modes(tmp_path / "export") == {}
    finally:
        store.dispose()


def test_an_instance_folder_left_open_is_narrowed_at_the_start(tmp_path, open_umask):
    """As an older version left it: the folder 0755, the database and everything else 0644."""
    instance = tmp_path / "instance"
    app = start(instance)
    store = app.extensions["biaojue_store"]
    with fast_hashing():
        app.config["test_ids"] = ids = demo.seed(store)
    store.dispose()
    (instance / "biaojue.sqlite3-shm").write_bytes(b"")  # an index left behind, as a crash leaves it
    for path in [instance, *instance.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    assert modes(instance)
    app = start(instance)
    app.config["test_ids"] = ids
    store = app.extensions["biaojue_store"]
    try:
        assert modes(instance) == {}
        chair = Actor(role="chair", name="王建国", user_id=2)
        services.open_sitting(store, chair, ids["sitting_id"])
        for pid in ids["member_ids"]:
            services.sign_in(store, Actor(role="member", name="", person_id=pid), ids["sitting_id"])
        services.start_item(store, chair, ids["items"][0])
        vote_once(app, 0)
        assert modes(instance) == {}
    finally:
        store.dispose()


def test_a_database_outside_the_instance_folder_is_narrowed_when_first_opened(tmp_path, open_umask):
    """DATABASE_URL names a file elsewhere: that file and its log and index are narrowed (not its folder,
    which is not the server's)."""
    from voting_server.db import Store

    elsewhere = tmp_path / "data"
    elsewhere.mkdir()
    path = elsewhere / "votes.sqlite3"
    made = Store(f"sqlite:///{path}")
    made.create_all()
    made.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # made so by the store
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").touch()
        os.chmod(f"{path}{suffix}", 0o644)
    store = Store(f"sqlite:///{path}")
    try:
        assert store.is_empty()
        assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in elsewhere.iterdir()} == {
            "votes.sqlite3": "0o600", "votes.sqlite3-wal": "0o600", "votes.sqlite3-shm": "0o600"}
        assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o755
    finally:
        store.dispose()
