"""A ballot runs under the rule frozen when it was created (copied onto each round), and the quorum
banner shows the rule of the round on screen, or else the rule frozen when the sitting opened: a body
changing its rulebook while a sitting is open changes neither."""
from __future__ import annotations

import uuid

from voting_server import services
from voting_server.services import terminal_view

TWO_THIRDS = {"quorum": {"fraction": "2/3", "strict": False}}  # 15 members: 10 needed, not 8


def banner(world) -> dict:
    return terminal_view.snapshot(world.store, world.sitting_id, "chair")["attendance"]


def test_a_rule_change_after_opening_changes_neither_the_banner_nor_the_ballot(world):
    st = world.store
    assert banner(world)["quorum_needed"] == 8  # planned: the body's rulebook as it is
    world.open_and_sign_in(8)
    services.update_body_rules(st, world.clerk, world.body_id, preset="standing_committee", overrides=TWO_THIRDS)
    shown = banner(world)
    assert (shown["quorum_needed"], shown["quorum_held"]) == (8, True), shown
    services.start_item(st, world.chair, world.items[0])
    services.open_ballot(st, world.chair, world.ballots[0])  # the ballot's own rule: 8 of 15 is a quorum
    for m in world.members[:8]:
        services.cast_vote(st, m, world.ballots[0], "for", uuid.uuid4().hex)
    result = services.close_ballot(st, world.chair, world.ballots[0])
    assert (result["quorum_needed"], result["quorum_held"], result["outcome"]) == (8, True, "passed")
    assert banner(world)["quorum_needed"] == 8
    # a sitting planned after the change freezes the new rule when it opens
    later = services.create_sitting(st, world.clerk, world.body_id, title="第三十七次会议", date="2026-11-25")
    services.open_sitting(st, world.chair, later)
    assert terminal_view.snapshot(st, later, "chair")["attendance"]["quorum_needed"] == 10


def test_the_banner_shows_the_rule_of_the_round_on_screen(world):
    """A ballot created after the change runs under the new rule; while its round is on screen, the
    banner shows that rule's quorum (the one the ballot was opened under)."""
    st = world.store
    world.open_and_sign_in(8)
    services.update_body_rules(st, world.clerk, world.body_id, preset="standing_committee", overrides=TWO_THIRDS)
    item = services.add_item(st, world.clerk, world.sitting_id, title="关于某事项的决定")
    ballot = services.create_ballot(st, world.clerk, item, spec={"kind": "resolution"})
    services.start_item(st, world.chair, item)
    assert banner(world)["quorum_needed"] == 8  # nothing on screen yet: the sitting's rule
    services.open_ballot(st, world.chair, ballot, override_quorum=True)
    shown = banner(world)
    assert (shown["quorum_needed"], shown["quorum_held"]) == (10, False), shown
    snap = terminal_view.snapshot(st, world.sitting_id, "seat")
    assert snap["attendance"]["quorum_needed"] == 10 and snap["ballot"]["id"] == ballot
