"""Who may do what: every permission of ``services.PERMISSIONS`` × every role, through one representative
service call each, on SQLite and PostgreSQL. The expected matrix is written out here, independently of
``PERMISSIONS``; a permission or an actor-taking service function added without an entry fails the tests.

Roles: anonymous, an observer's tablet, a member's tablet acting for itself, a member's tablet acting for
another member, and the staff accounts chair (linked to the member acted for: a chair who is a member),
clerk, display and admin. A refused call raises
``Forbidden`` ("forbidden" for the wrong role, "not_yourself" when acting for another) and changes nothing.
"""
from __future__ import annotations

import functools
import importlib
import inspect
import itertools
import pkgutil
import uuid

import pytest
from sqlalchemy import select

from voting_server import ballotbox as bb
from voting_server import commands, models, services
from voting_server.services import ANONYMOUS, Forbidden, admin_view, keyholders
from voting_server.services.base import require

ROLES = ("anonymous", "observer", "member_self", "member_other", "chair", "clerk", "display", "admin")
SEATS = ("observer", "member_self", "member_other")
STAFF = ("chair", "clerk", "display", "admin")

# permission -> roles allowed. Anything else is refused: "not_yourself" where listed, "forbidden" otherwise.
EXPECTED: dict[str, set[str]] = {
    "manage_users": {"admin"},
    "manage_body": {"admin", "clerk"},
    "manage_roster": {"admin", "clerk"},
    "manage_devices": {"admin", "clerk"},
    "prepare_sitting": {"admin", "clerk"},
    "set_attendance": {"admin", "clerk"},
    "open_sitting": {"chair", "clerk"},
    "close_sitting": {"chair"},
    "drive_agenda": {"chair"},
    "drive_ballot": {"chair"},
    "override_quorum": {"chair"},
    "enter_show_of_hands": {"clerk"},
    "withdraw_business": {"chair", "clerk"},
    "grant_speaker": {"chair"},
    # signing in names no one: always oneself; the chair is an account linked to a member (users.person_id)
    "sign_in": {"observer", "member_self", "member_other", "chair"},
    "cast_vote": {"member_self", "chair"},
    "decrypt_tally": {"member_self", "member_other"},  # a 监票人 acts for no one: always for oneself
    "request_to_speak": {"observer", "member_self"},
    "read_results": {"observer", "member_self", "member_other", "chair", "clerk", "display", "admin"},
    "read_audit": {"chair", "clerk", "admin"},
    "read_setup": {"chair", "clerk", "display", "admin"},
    "read_documents": {"observer", "member_self", "member_other", "chair", "clerk", "display", "admin"},
}
NOT_YOURSELF = {("cast_vote", "member_other"), ("request_to_speak", "member_other")}

# every service function that takes an actor -> the permission it checks first
FUNCTIONS: dict[str, str] = {
    "accounts.create_user": "manage_users",
    "accounts.update_user": "manage_users",
    "devices.create_pairing": "manage_devices",
    "devices.revoke_device": "manage_devices",
    "devices.set_pin": "manage_devices",
    "devices.unlock_pin": "manage_devices",
    "bodies.create_body": "manage_body",
    "bodies.update_body_rules": "manage_body",
    "settings.set_public_url": "manage_body",
    "bodies.add_person": "manage_roster",
    "bodies.update_person": "manage_roster",
    "agenda.create_sitting": "prepare_sitting",
    "agenda.add_item": "prepare_sitting",
    "agenda.create_ballot": "prepare_sitting",
    "agenda.add_document": "prepare_sitting",
    "appointments.create_appointment_ballots": "prepare_sitting",
    "copying.copy_sitting": "prepare_sitting",
    "templates.save_template": "prepare_sitting",
    "templates.delete_template": "prepare_sitting",
    "templates.list_templates": "read_setup",
    "agenda_import.check_agenda": "prepare_sitting",
    "agenda_import.import_agenda": "prepare_sitting",
    "editing.update_sitting": "prepare_sitting",
    "editing.delete_sitting": "prepare_sitting",
    "editing.update_item": "prepare_sitting",
    "editing.move_item": "prepare_sitting",
    "editing.delete_item": "prepare_sitting",
    "editing.update_ballot": "prepare_sitting",
    "editing.delete_ballot": "prepare_sitting",
    "editing.replace_document": "prepare_sitting",
    "editing.delete_document": "prepare_sitting",
    "withdrawal.withdraw_item": "withdraw_business",
    "withdrawal.withdraw_ballot": "withdraw_business",
    "sitting.open_sitting": "open_sitting",
    "sitting.close_sitting": "close_sitting",
    "sitting.sign_in": "sign_in",
    "sitting.set_attendance": "set_attendance",
    "sitting.start_item": "drive_agenda",
    "sitting.finish_item": "drive_agenda",
    "speakers.request_to_speak": "request_to_speak",
    "speakers.move_speaker": "grant_speaker",  # "withdraw" checks request_to_speak
    "speakers.order_speakers": "grant_speaker",
    "opening.open_ballot": "drive_ballot",
    "opening.revote": "drive_ballot",
    "runoff.open_runoff": "drive_ballot",
    "closing.close_ballot": "drive_ballot",
    "timer.extend_timer": "drive_ballot",
    "timer.remind_non_voters": "drive_ballot",
    "hands.enter_show_of_hands": "enter_show_of_hands",
    "casting.cast_vote": "cast_vote",
    "keyholders.deal_keys": "prepare_sitting",
    "keyholders.decryption_request": "decrypt_tally",
    "keyholders.give_share": "decrypt_tally",
    "admin_view.list_bodies": "read_setup",
    "admin_view.list_people": "read_setup",
    "admin_view.list_sittings": "read_setup",
    "admin_view.agenda": "read_setup",
    "admin_view.list_users": "manage_users",
    "admin_view.list_devices": "manage_devices",
    "admin_view.pin_lockouts": "manage_devices",
    "admin_view.item_documents": "read_documents",
    "admin_view.document_file": "read_documents",
    "admin_view.ballot_results": "read_results",
    "admin_view.audit_page": "read_audit",
    "admin_view.verify_audit": "read_audit",
    "roster.check_file": "manage_roster",
    "roster.import_roster": "manage_roster",
    "halls.hall_of": "read_setup",
    "halls.save_hall": "manage_body",
    "halls.check_hall_file": "manage_body",
    "halls.import_hall": "manage_body",
}


def actor_functions() -> dict[str, object]:
    """Every public function of a services module whose parameters start with ``store, actor``."""
    out = {}
    for info in pkgutil.iter_modules(services.__path__):
        if info.name == "base":  # the frame (transaction, require), not a service
            continue
        module = importlib.import_module(f"voting_server.services.{info.name}")
        for name, fn in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != module.__name__:
                continue
            params = list(inspect.signature(fn).parameters)
            if params[:2] == ["store", "actor"]:
                out[f"{info.name}.{name}"] = fn
    return out


def test_every_permission_has_a_matrix_entry():
    assert set(EXPECTED) == set(services.PERMISSIONS), (
        "PERMISSIONS and this matrix differ: add the new permission to EXPECTED and CALLS here")
    assert set(CALLS) == set(services.PERMISSIONS)


def test_the_matrix_matches_the_permission_table():
    """The table the code enforces agrees with the one written here (a member acting for another aside)."""
    for perm, roles in EXPECTED.items():
        granted = {r for r in ROLES if ROLE_NAME[r] in services.PERMISSIONS[perm] and (perm, r) not in NOT_YOURSELF}
        assert granted == roles, perm


def test_every_actor_taking_service_function_is_mapped():
    found = actor_functions()
    assert set(found) == set(FUNCTIONS), (
        f"unmapped: {sorted(set(found) - set(FUNCTIONS))}, gone: {sorted(set(FUNCTIONS) - set(found))}")
    assert set(FUNCTIONS.values()) <= set(services.PERMISSIONS)
    for name, fn in found.items():  # each records the permission it checks (the command table reads it)
        assert services.permission_of(fn) == FUNCTIONS[name], name


def test_the_command_table_reads_each_permission_from_its_service():
    """Every command but the snapshot calls a mapped service; the table's permission is that service's."""
    qualified = {fn: name for name, fn in actor_functions().items()}
    for command in commands.COMMANDS.values():
        if command.service is None:
            assert command.name == "snapshot"
            continue
        assert command.service in qualified, f"{command.name} calls an unmapped service"
        assert command.permission == FUNCTIONS[qualified[command.service]], command.name


ROLE_NAME = {"anonymous": "anonymous", "observer": "observer", "member_self": "member", "member_other": "member",
             "chair": "chair", "clerk": "clerk", "display": "display", "admin": "admin"}


def _dummy_args(fn) -> tuple[list, dict]:
    args, kwargs = [], {}
    for name, p in list(inspect.signature(fn).parameters.items())[2:]:
        if p.default is not inspect.Parameter.empty:
            continue
        value = {"data": {"name": "某人"}, "spec": {"kind": "resolution"}, "move": "grant", "status": "present",
                 "choice": "for", "cast_id": uuid.uuid4().hex, "filename": "x.pdf", "pin": "1234", "seconds": 60,
                 "counts": {}, "ballots_cast": 0, "title": "某议题", "date": "2026-12-01", "name": "某机构",
                 "preset": "standing_committee", "username": "someone", "password": "password-2026",
                 "role": "display", "folder": "/nonexistent", "max_bytes": 1}.get(name, 1)
        if p.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[name] = value
        else:
            args.append(value)
    return args, kwargs


def test_each_function_checks_its_permission_first(world, refuse):
    """Every actor-taking function, called by each role its permission refuses, raises Forbidden naming
    exactly that permission, before looking at anything else (the arguments here are placeholders)."""
    actors = role_actors(world)
    fns = actor_functions()
    for qualname, perm in FUNCTIONS.items():
        fn = fns[qualname]
        args, kwargs = _dummy_args(fn)
        for role in ROLES:
            if ROLE_NAME[role] in services.PERMISSIONS[perm]:
                continue
            actor, _target = actors[role]
            call = functools.partial(fn, world.store, actor, *args, **kwargs)
            err = refuse(call, Forbidden, "forbidden")
            assert err.details["permission"] == perm, (qualname, role, err.details)


def test_a_refusal_says_who_may_in_words(world, refuse):
    """What a refused person reads names no permission (nor any other internal name): for every
    permission and every role it refuses, Chinese words and their English; the permission stays in the
    details, for programs. An observer who tries to vote is told they have no vote."""
    actors = role_actors(world)
    fns = actor_functions()
    seen = set()
    for qualname, perm in FUNCTIONS.items():
        args, kwargs = _dummy_args(fns[qualname])
        for role in ROLES:
            if ROLE_NAME[role] in services.PERMISSIONS[perm]:
                continue
            err = refuse(functools.partial(fns[qualname], world.store, actors[role][0], *args, **kwargs),
                         Forbidden, "forbidden")
            seen.add(perm)
            assert err.details["permission"] == perm
            for text in (err.zh, err.en, err.to_dict()["message"]):
                assert perm not in text and "_" not in text, (qualname, text)
            assert not any(ch.isascii() and ch.isalpha() for ch in err.zh), (qualname, role, err.zh)
    assert seen == set(services.PERMISSIONS) - {"override_quorum"}  # checked inside open_ballot: below
    for perm, roles in services.PERMISSIONS.items():  # every permission, refused to every other role
        for role in ROLES:
            if ROLE_NAME[role] in roles:
                continue
            err = refuse(functools.partial(require, actors[role][0], perm), Forbidden, "forbidden")
            assert perm not in err.zh + err.en and "_" not in err.zh + err.en, (perm, err.zh, err.en)
            assert not any(ch.isascii() and ch.isalpha() for ch in err.zh), (perm, role, err.zh)
    observer = actors["observer"][0]
    err = refuse(lambda: services.cast_vote(world.store, observer, 1, "for", uuid.uuid4().hex), Forbidden, "forbidden")
    assert err.zh == "列席人员没有表决权" and err.en == "observers have no vote"


# --- the matrix, through representative calls ---------------------------------------------------------


def _linked(staff: services.Actor, member: services.Actor) -> services.Actor:
    """A staff account linked to a member, as ``accounts.session_actor`` makes it."""
    return services.Actor(role=staff.role, name=staff.name, user_id=staff.user_id, person_id=member.person_id)


def role_actors(world) -> dict[str, tuple[services.Actor, services.Actor]]:
    """role -> (who acts, whose behalf they act on)."""
    m0, m1, obs = world.members[0], world.members[1], world.observers[0]
    return {"anonymous": (ANONYMOUS, m0), "observer": (obs, obs), "member_self": (m0, m0),
            "member_other": (m0, m1), "chair": (_linked(world.chair, m0), m0), "clerk": (world.clerk, m0),
            "display": (world.display, m0), "admin": (world.admin, m0)}


class Live:
    """The demo sitting open with 12 members and an observer signed in; helpers that set up the state a
    representative call needs, acting as the staff who normally would."""

    def __init__(self, world):
        self.w, self.st = world, world.store
        self.n = itertools.count(1)
        world.open_and_sign_in(12)
        services.sign_in(self.st, world.observers[0], world.sitting_id)
        services.start_item(self.st, world.chair, world.items[0])
        services.open_ballot(self.st, world.chair, world.ballots[0])
        world.cast(world.members[2], world.ballots[0], "for")
        services.close_ballot(self.st, world.chair, world.ballots[0])

    def close_open_rounds(self) -> None:
        with self.st.read() as s:
            open_ballots = s.scalars(select(models.Round.ballot_id).where(models.Round.status == "open")).all()
        for b in open_ballots:
            services.close_ballot(self.st, self.w.chair, b)

    def item(self, start: bool = True) -> int:
        self.close_open_rounds()
        item = services.add_item(self.st, self.w.clerk, self.w.sitting_id, title=f"议题{next(self.n)}")
        if start:
            services.start_item(self.st, self.w.chair, item)
        return item

    def ballot(self, open_it: bool) -> int:
        item = self.item()
        ballot = services.create_ballot(self.st, self.w.clerk, item, spec={"kind": "resolution"})
        if open_it:
            services.open_ballot(self.st, self.w.chair, ballot)
        return ballot

    def new_sitting(self, open_it: bool = False) -> int:
        sid = services.create_sitting(self.st, self.w.clerk, self.w.body_id, title=f"会议{next(self.n)}",
                                      date="2026-11-25")
        if open_it:
            services.open_sitting(self.st, self.w.chair, sid)
        return sid


def _override_quorum(live: Live, actor, target):
    sid = live.new_sitting(open_it=True)  # nobody has signed in: no quorum
    item = services.add_item(live.st, live.w.clerk, sid, title="程序性动议")
    ballot = services.create_ballot(live.st, live.w.clerk, item, spec={"kind": "resolution"})
    services.start_item(live.st, live.w.chair, item)
    return lambda: services.open_ballot(live.st, actor, ballot, override_quorum=True)


def _close_sitting(live: Live, actor, target):
    sid = live.new_sitting(open_it=True)
    return lambda: services.close_sitting(live.st, actor, sid)


def _open_sitting(live: Live, actor, target):
    sid = live.new_sitting()
    return lambda: services.open_sitting(live.st, actor, sid)


def _sign_in(live: Live, actor, target):
    sid = live.new_sitting()
    return lambda: services.sign_in(live.st, actor, sid)


def _start_item(live: Live, actor, target):
    item = live.item(start=False)
    return lambda: services.start_item(live.st, actor, item)


def _open_ballot(live: Live, actor, target):
    ballot = live.ballot(open_it=False)
    return lambda: services.open_ballot(live.st, actor, ballot)


def _show_of_hands(live: Live, actor, target):
    ballot = live.ballot(open_it=True)
    return lambda: services.enter_show_of_hands(live.st, actor, ballot, counts={"main": {"for": 1}}, ballots_cast=1)


def _withdraw(live: Live, actor, target):
    ballot = live.ballot(open_it=True)
    return lambda: services.withdrawal.withdraw_ballot(live.st, actor, ballot, "议案需进一步修改")


def _grant(live: Live, actor, target):
    item = live.item()
    req = services.request_to_speak(live.st, live.w.members[5], item)
    return lambda: services.move_speaker(live.st, actor, req, "grant")


def _cast(live: Live, actor, target):
    ballot = live.ballot(open_it=True)
    return lambda: services.cast_vote(live.st, actor, ballot, "for", uuid.uuid4().hex, target.person_id)


def _decryption_request(live: Live, actor, target):
    """The first member holds a share of the sitting's key; a round their box holds is counting."""
    if not hasattr(live, "counting"):
        live.close_open_rounds()
        keyholders.KDF = bb.Kdf(t=1, log2_m=3, p=1)  # cheap key cards (restored below)
        try:
            services.deal_keys(live.st, live.w.clerk, live.w.sitting_id, k=1,
                               holders=[{"person_id": live.w.members[0].person_id, "pin": "135790"}])
        finally:
            keyholders.KDF = bb.KDF_DEFAULT
        item = live.item()
        live.counting = services.create_ballot(live.st, live.w.clerk, item, spec={"kind": "resolution"},
                                               box_keys="shares")
        services.open_ballot(live.st, live.w.chair, live.counting)
        live.w.cast(live.w.members[2], live.counting, "for")
        services.close_ballot(live.st, live.w.chair, live.counting)
    return lambda: keyholders.decryption_request(live.st, actor, live.counting)


def _speak(live: Live, actor, target):
    """Withdraw the request of the one acted for, then ask to speak oneself."""
    item = live.item()
    req = services.request_to_speak(live.st, target, item)

    def call():
        services.move_speaker(live.st, actor, req, "withdraw")
        services.request_to_speak(live.st, actor, item)

    return call


CALLS = {
    "manage_users": lambda live, a, t: lambda: services.create_user(
        live.st, a, username=f"user{next(live.n)}", password="password-2026", role="display"),
    "manage_body": lambda live, a, t: lambda: services.create_body(live.st, a, name="某市人大常委会"),
    "manage_roster": lambda live, a, t: lambda: services.add_person(
        live.st, a, live.w.body_id, {"name": "新委员", "joined_on": "2026-12-01"}),
    "manage_devices": lambda live, a, t: lambda: services.create_pairing(live.st, a, live.w.members[3].person_id),
    "prepare_sitting": lambda live, a, t: lambda: services.add_item(live.st, a, live.w.sitting_id, title="新议题"),
    "set_attendance": lambda live, a, t: lambda: services.set_attendance(
        live.st, a, live.w.sitting_id, live.w.members[14].person_id, "leave", "出差"),
    "open_sitting": _open_sitting,
    "close_sitting": _close_sitting,
    "drive_agenda": _start_item,
    "drive_ballot": _open_ballot,
    "override_quorum": _override_quorum,
    "enter_show_of_hands": _show_of_hands,
    "withdraw_business": _withdraw,
    "grant_speaker": _grant,
    "sign_in": _sign_in,
    "cast_vote": _cast,
    "decrypt_tally": _decryption_request,
    "request_to_speak": _speak,
    "read_results": lambda live, a, t: lambda: admin_view.ballot_results(live.st, a, live.w.ballots[0]),
    "read_audit": lambda live, a, t: lambda: admin_view.audit_page(live.st, a, limit=5),
    "read_setup": lambda live, a, t: lambda: admin_view.list_bodies(live.st, a),
    "read_documents": lambda live, a, t: lambda: admin_view.item_documents(live.st, a, live.w.items[0]),
}


def test_role_action_matrix(world, refuse):
    live = Live(world)
    actors = role_actors(world)
    seen: dict[str, set[str]] = {}
    for perm in services.PERMISSIONS:
        seen[perm] = set()
        for role in ROLES:
            actor, target = actors[role]
            call = CALLS[perm](live, actor, target)
            if role in EXPECTED[perm]:
                try:
                    call()
                except services.ServiceError as err:
                    raise AssertionError(f"{role} should be allowed to {perm}: {err.code} {err.en}") from err
                seen[perm].add(role)
            else:
                code = "not_yourself" if (perm, role) in NOT_YOURSELF else "forbidden"
                try:
                    refuse(call, Forbidden, code)
                except AssertionError as err:
                    raise AssertionError(f"{role} doing {perm}: {err}") from err
    assert seen == EXPECTED
    # the override happened and is on record
    with world.store.read() as s:
        assert s.scalar(select(models.Round).where(models.Round.quorum_override.is_(True))) is not None


def test_anonymous_and_staff_cannot_cast_even_with_a_person_id(world, refuse):
    """A staff account or an anonymous caller never votes, whoever it claims to act for; a chair votes
    only as the member their account is linked to, and for nobody else."""
    live = Live(world)
    ballot = live.ballot(open_it=True)
    m, other = world.members[0], world.members[1]
    for actor in (ANONYMOUS, world.clerk, world.admin, world.display):
        refuse(functools.partial(services.cast_vote, world.store, actor, ballot, "for", uuid.uuid4().hex,
                                 m.person_id), Forbidden, "forbidden")
    refuse(functools.partial(services.cast_vote, world.store, world.chair, ballot, "for", uuid.uuid4().hex,
                             m.person_id), Forbidden, "not_linked")
    refuse(functools.partial(services.cast_vote, world.store, _linked(world.chair, other), ballot, "for",
                             uuid.uuid4().hex, m.person_id), Forbidden, "not_yourself")
    # a batch: the forbidden request is refused on its own and the member's vote still counts
    outcomes = services.cast_many(world.store, [
        services.CastRequest(world.chair, ballot, "for", uuid.uuid4().hex, m.person_id),
        services.CastRequest(world.display, ballot, "for", uuid.uuid4().hex, m.person_id),
        services.CastRequest(m, ballot, "for", uuid.uuid4().hex)])
    assert isinstance(outcomes[0], Forbidden) and outcomes[0].code == "not_linked"
    assert isinstance(outcomes[1], Forbidden) and outcomes[1].code == "forbidden"
    assert outcomes[2]["ok"] is True


@pytest.mark.parametrize("role", ["member", "observer"])
def test_seats_of_another_body_read_nothing_of_this_one(world, refuse, role):
    other_body = services.create_body(world.store, world.clerk, name="邻县人大常委会")
    pid = services.add_person(world.store, world.clerk, other_body, {"name": "外县委员", "role": role})
    stranger = services.Actor(role=role, name="外县委员", person_id=pid)
    refuse(lambda: admin_view.ballot_results(world.store, stranger, world.ballots[0]), Forbidden, "other_body")
    refuse(lambda: admin_view.item_documents(world.store, stranger, world.items[0]), Forbidden, "other_body")
    refuse(lambda: services.sign_in(world.store, stranger, world.sitting_id), Forbidden, "not_on_roster")
