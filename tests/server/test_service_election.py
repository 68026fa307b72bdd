"""Elections (选举) through the services: a clerk puts an election on an item (post, places, post type,
candidates, write-ins), the body's margin (差额) is checked with a Chinese refusal; deputies vote 赞成 /
反对 / 弃权 per candidate and write in others (另选他人) from the roster or by a typed name; the round is
always secret, its choices and the names written stored only encrypted, the names opened at the close
(sealed key) and counted by name; the verifier re-checks the count."""
from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from voting_server import ballotbox as bb
from voting_server import models, services
from voting_server.services import Conflict, Invalid, ServiceError, box
from voting_server.services.lookups import spec_of
from voting_server.services.terminal_view import ballot_section

CANDIDATES = [{"id": "c1", "name": "张三"}, {"id": "c2", "name": "李四"}, {"id": "c3", "name": "王五"}]
SPEC = {"kind": "election", "post": "县人民政府副县长", "places": 2, "post_type": "deputy_head",
        "candidates": CANDIDATES}
TYPED = "赵 六"  # typed on the tablet, with a blank: counted as 赵六


def election(world, spec=SPEC, signed_in: int = 12, **settings) -> tuple[int, int]:
    st = world.store
    world.open_and_sign_in(signed_in)
    item = services.add_item(st, world.clerk, world.sitting_id, title="选举县人民政府副县长", kind="election")
    ballot = services.create_ballot(st, world.clerk, item, spec=spec, **settings)
    services.start_item(st, world.chair, item)
    return ballot, services.open_ballot(st, world.chair, ballot)


def roster_name(world) -> str:
    """A member of the body who is not a candidate: a write-in picked from the roster writes their name."""
    return world.members[14].name


def ballots_of(world) -> list[dict[str, str]]:
    picked = roster_name(world)
    return ([{"c1": "for", "c2": "for"}] * 5                      # 5 ballots: both candidates
            + [{"c1": "for", f"w:{picked}": "for"}] * 3           # 3: one candidate and a write-in from the roster
            + [{"c2": "against", f"w:{TYPED}": "for"}] * 2        # 2: a typed write-in
            + [{f"w:{picked}": "for", "w:赵六": "for"}]           # both write-ins (赵六 typed without the blank)
            + [{}])                                               # a blank ballot: 弃权 on every candidate


def test_an_election_item_and_ballot_are_created_secret(world, refuse):
    st = world.store
    item = services.add_item(st, world.clerk, world.sitting_id, title="选举", kind="election")
    err = refuse(lambda: services.create_ballot(st, world.clerk, item, spec=SPEC, secret=False), Invalid,
                 "must_be_secret")
    assert err.zh == "选举一律采用无记名投票，不能记名"
    ballot = services.create_ballot(st, world.clerk, item, spec=SPEC)
    with st.read() as s:
        b = s.get(models.Ballot, ballot)
        assert s.get(models.AgendaItem, item).kind == "election"
        assert b.kind == "election" and b.secret is True
        assert b.spec["places"] == 2 and b.spec["write_ins"] is True and b.spec["post_type"] == "deputy_head"


@pytest.mark.parametrize(("spec", "code", "words"), [
    ({**SPEC, "candidates": CANDIDATES[:2]}, "margin_not_met", "候选人应比应选人数多1至3名"),  # 等额 where 差额 is due
    ({**SPEC, "places": 1, "post_type": "head"}, "margin_not_met", "候选人应比应选人数多1名"),
    ({**SPEC, "places": 4}, "too_few_candidates", "候选人只有3名"),
    ({**SPEC, "post_type": "mayor"}, "invalid_post_type", "职务类别"),
    ({**SPEC, "post": ""}, "invalid_field", ""),
])
def test_an_election_out_of_its_margin_is_refused_in_chinese(world, refuse, spec, code, words):
    item = services.add_item(world.store, world.clerk, world.sitting_id, title="选举", kind="election")
    err = refuse(lambda: services.create_ballot(world.store, world.clerk, item, spec=spec), Invalid, code)
    assert words in err.zh


def test_write_ins_under_key_shares_are_refused_and_allowed_without(world, refuse):
    st = world.store
    item = services.add_item(st, world.clerk, world.sitting_id, title="选举", kind="election")
    err = refuse(lambda: services.create_ballot(st, world.clerk, item, spec=SPEC, box_keys="shares"),
                 Conflict, "writeins_need_sealed")
    assert "另选他人" in err.zh and "监票人" in err.zh
    services.create_ballot(st, world.clerk, item, spec={**SPEC, "write_ins": False}, box_keys="shares")


def test_casting_with_write_ins_and_the_result(world):
    st = world.store
    ballot, round_id = election(world)
    for member, choice in zip(world.members, ballots_of(world), strict=False):
        world.cast(member, ballot, choice)
    result = services.close_ballot(st, world.chair, ballot)
    picked = roster_name(world)
    by_id = {q["question_id"]: q for q in result["questions"]}
    assert by_id["c1"]["counts"] == {"for": 8, "against": 0, "abstain": 4}
    assert by_id["c2"]["counts"] == {"for": 5, "against": 2, "abstain": 5}
    assert by_id["c3"]["counts"] == {"for": 0, "against": 0, "abstain": 12}
    assert by_id[f"w:{picked}"]["counts"] == {"for": 4} and by_id["w:赵六"]["counts"] == {"for": 3}
    assert by_id["c1"]["outcome"] == "elected" and by_id["c2"]["outcome"] == "not_elected"
    assert result["outcome"] == "partly_elected"
    zh = result["announcement_zh"]
    assert "应选2名，候选人3名" in zh and "张三：赞成8票，反对0票，弃权4票，当选" in zh
    assert f"{picked}（另选他人）：得票4票" in zh and "赵六（另选他人）：得票3票" in zh
    with st.read() as s:
        stored = s.scalar(select(models.Result).where(models.Result.round_id == round_id))
        assert stored.box["writeins"] == {"counts": {"w:赵六": 3, f"w:{picked}": 4}, "unreadable": 0}
        rnd = s.get(models.Round, round_id)
        assert box.verified_counts(s, rnd, stored.box)[f"w:{picked}"] == {"for": 4}
        # a record moving a vote from one name to another still adds up: which name a line carries needs the
        # key (the limit ElectionGuard names for free-form write-ins); one that does not add up, or names a
        # candidate, fails the re-check
        moved = {**stored.box, "writeins": {"counts": {"w:赵六": 4, f"w:{picked}": 3}, "unreadable": 0}}
        assert box.verified_counts(s, rnd, moved)["w:赵六"] == {"for": 4}
        for bad in ({"counts": {"w:赵六": 4, f"w:{picked}": 4}, "unreadable": 0},
                    {"counts": {"w:张三": 3, f"w:{picked}": 4}, "unreadable": 0}, None):
            with pytest.raises(ServiceError) as err:
                box.verified_counts(s, rnd, {**stored.box, "writeins": bad})
            assert err.value.code == "writeins_mismatch"


def test_no_name_written_is_stored_before_the_close(world):
    st = world.store
    ballot, round_id = election(world)
    for member, choice in zip(world.members, ballots_of(world), strict=False):
        world.cast(member, ballot, choice)
    with st.engine.connect() as conn:
        text = json.dumps([[dict(r._mapping) for r in conn.execute(select(t))]
                           for t in models.Base.metadata.sorted_tables], ensure_ascii=False, default=str)
    assert "赵六" not in text and "赵 六" not in text
    with st.read() as s:
        wires = [json.loads(w) for w in s.scalars(select(models.BoxBallot.wire).where(
            models.BoxBallot.round_id == round_id))]
    assert len(wires) == 12 and all(len(w["writeins"]) == 2 for w in wires)


@pytest.mark.parametrize(("choice", "code"), [
    ({"c1": "for", "c2": "for", "w:赵六": "for"}, "too_many_marks"),     # three persons for two places
    ({"w:张三": "for"}, "write_in_is_candidate"),
    ({"w:  ": "for"}, "invalid_write_in"),
    ({"w:赵六": "against"}, "unknown_option"),
])
def test_a_ballot_the_rules_refuse_changes_nothing(world, refuse, choice, code):
    ballot, _ = election(world)
    err = refuse(lambda: world.cast(world.members[0], ballot, choice), Invalid, code)
    assert err.zh


def test_a_tablet_encrypted_election_with_write_ins(world):
    st = world.store
    ballot, round_id = election(world, box_encrypt="tablet")
    with st.read() as s:
        rnd = s.get(models.Round, round_id)
        spec, keys, context = spec_of(rnd.spec), bb.KeySet.from_dict(rnd.box_keys), str(rnd.box_context)
    for member, choice in zip(world.members, ballots_of(world), strict=False):
        wire = bb.encrypt(spec, keys, context, choice)
        services.cast_vote(st, member, ballot, None, uuid.uuid4().hex, ballot=wire)
    result = services.close_ballot(st, world.chair, ballot)
    by_id = {q["question_id"]: q for q in result["questions"]}
    assert by_id["w:赵六"]["counts"] == {"for": 3} and by_id["c1"]["counts"]["for"] == 8


def test_an_election_without_write_ins_takes_none(world, refuse):
    ballot, _ = election(world, spec={**SPEC, "write_ins": False})
    refuse(lambda: world.cast(world.members[0], ballot, {"w:赵六": "for"}), Invalid, "unknown_question")


def test_a_seat_gets_the_roster_to_pick_write_ins_from(world):
    member = world.members[0].name  # a member who is a candidate is not offered as a write-in
    spec = {**SPEC, "candidates": [*CANDIDATES[:2], {"id": "c3", "name": member}]}
    election(world, spec=spec)
    with world.store.read() as s:
        section = ballot_section(s, s.get(models.Sitting, world.sitting_id), "seat")
    assert section["write_in_roster"] == sorted(section["write_in_roster"])
    assert set(section["write_in_roster"]) == {m.name for m in world.members[1:]}


# --- the rounds after: a run-off among the tied, a further election (services.open_runoff) -----------

def test_a_tie_with_a_write_in_goes_to_a_runoff_among_the_tied(world, refuse):
    st, chair = world.store, world.chair
    ballot, _ = election(world, signed_in=15)
    # 张三 10 (elected), 李四 9 and 赵六 (written in) 9: tied for the one place left; 8 needed of 15
    choices = ([{"c1": "for", "c2": "for"}] * 4 + [{"c1": "for", "w:赵六": "for"}] * 4
               + [{"c1": "for", "c3": "for"}] * 2 + [{"c2": "for", "w:赵 六": "for"}] * 5)
    for member, choice in zip(world.members, choices, strict=True):
        world.cast(member, ballot, choice)
    result = services.close_ballot(st, chair, ballot)
    assert result["outcome"] == "tie" and result["ties"] == [["c2", "w:赵六"]]
    services.open_runoff(st, chair, ballot)
    with st.read() as s:
        rnd = s.scalars(select(models.Round).where(models.Round.ballot_id == ballot)
                        .order_by(models.Round.number.desc())).first()
        spec = rnd.spec
    assert spec["stage"] == "runoff" and spec["places"] == 1 and spec["write_ins"] is False
    assert [(c["id"], c["name"]) for c in spec["candidates"]] == [("c2", "李四"), ("w:赵六", "赵六")]
    assert [c["name"] for c in spec["chosen_before"]] == ["张三"]
    refuse(lambda: world.cast(world.members[0], ballot, {"w:钱七": "for"}), Invalid, "unknown_question")
    for i, member in enumerate(world.members):
        world.cast(member, ballot, {"c2": "for"} if i < 6 else {"w:赵六": "for"})
    final = services.close_ballot(st, chair, ballot)
    assert {q["question_id"]: q["outcome"] for q in final["questions"]} == {"c2": "not_elected", "w:赵六": "elected"}
    assert "共当选2名：张三、赵六" in final["announcement_zh"]


def test_a_further_election_takes_the_first_rounds_candidates_by_votes_with_the_margin(world, refuse):
    st, chair = world.store, world.chair
    five = [{"id": f"c{i}", "name": n} for i, n in enumerate(["张三", "李四", "王五", "马六", "钱七"], 1)]
    ballot, _ = election(world, spec={**SPEC, "places": 3, "candidates": five}, signed_in=15)
    # 张三 9 (elected); then 王五 7, 钱七 6, 李四 5, 马六 1, and 赵六 (written in) 7: two places left
    choices = ([{"c1": "for", "c3": "for", "c5": "for"}] * 6 + [{"c1": "for", "c3": "for", "w:赵六": "for"}]
               + [{"c1": "for", "c2": "for", "w:赵六": "for"}] * 2 + [{"c2": "for", "w:赵六": "for"}] * 3
               + [{"c4": "for", "w:赵六": "for"}] + [{}] * 2)
    for member, choice in zip(world.members, choices, strict=True):
        world.cast(member, ballot, choice)
    result = services.close_ballot(st, chair, ballot)
    assert result["outcome"] == "partly_elected"
    refuse(lambda: services.open_runoff(st, chair, ballot, extra=4), Invalid, "margin_not_met")  # 1 to 3 more
    services.open_runoff(st, chair, ballot)
    with st.read() as s:
        spec = s.scalars(select(models.Round).where(models.Round.ballot_id == ballot)
                         .order_by(models.Round.number.desc())).first().spec
    assert spec["stage"] == "further" and spec["places"] == 2
    # the first round's candidates not elected, by votes, two places and one more; no write-in
    assert [c["name"] for c in spec["candidates"]] == ["王五", "钱七", "李四"]
    assert spec["write_ins"] is True


def test_a_paper_count_with_write_ins_and_an_over_marked_ballot(world, refuse):
    st = world.store
    ballot, _ = election(world, method="hands")
    # 11 valid ballots; one more voted for three persons for two places: void, counted invalid (作废)
    counts = {"c1": {"for": 8, "against": 1, "abstain": 2}, "c2": {"for": 4, "against": 3, "abstain": 4},
              "c3": {"for": 2, "against": 0, "abstain": 9}, "w:赵 六": {"for": 2}, "w:赵六": {"for": 1}}
    refuse(lambda: services.enter_show_of_hands(st, world.clerk, ballot, counts={**counts, "w:张三": {"for": 1}},
                                                ballots_cast=11, invalid=1), Invalid, "write_in_is_candidate")
    services.enter_show_of_hands(st, world.clerk, ballot, counts=counts, ballots_cast=11, invalid=1)
    result = services.close_ballot(st, world.chair, ballot)
    by_id = {q["question_id"]: q for q in result["questions"]}
    assert result["turnout"]["invalid"] == 1 and result["turnout"]["cast"] == 11
    assert by_id["w:赵六"]["counts"] == {"for": 3} and by_id["c1"]["outcome"] == "elected"
    assert "无效票1张" in result["announcement_zh"]
