"""选举 (tables ``margins``, ``election`` and ``further`` of ``worked_examples.md``): 差额 by post type,
who is elected, equal votes at the cut-off and the run-off among the tied, the further election's list,
另选他人 write-ins, void ballots and void rounds, limits, stored shapes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tables import NONE, ids, numbers, rows, votes

from ballots import (
    PRESETS,
    ElectionSpec,
    InvalidChoice,
    InvalidCounts,
    Nominee,
    Result,
    RuleError,
    TooManyMarks,
    Turnout,
    further_election,
    ruleset,
    spec_from_dict,
    standing,
    write_in_key,
)

PLENARY = PRESETS["congress_plenary"]
NAMES = dict(zip("ABCDEF", ["王一", "李二", "张三", "刘四", "陈五", "杨六"], strict=True))
POST = {"head": "县人民法院院长", "deputy_head": "县人民政府副县长", "committee_member": "县人大常委会委员"}


def _spec(letters: list[str], places: int, post_type: str, **more: Any) -> ElectionSpec:
    people = tuple(Nominee(x, NAMES[x]) for x in letters)
    return ElectionSpec(POST.get(post_type, "县人大常委会委员"), places, people, post_type, **more)


def _counts(given: dict[str, tuple[int, ...]]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for who, n in given.items():
        out[who] = {"for": n[0]} if who.startswith("w:") else {"for": n[0], "against": n[1], "abstain": n[2]}
    return out


def _tally(spec: ElectionSpec, given: dict[str, tuple[int, ...]], turnout: Turnout) -> Result:
    PLENARY.check_spec(spec)
    return PLENARY.rule_for(spec).tally(spec, _counts(given), turnout)


@pytest.mark.parametrize("row", rows("margins"), ids=lambda r: f"{r['post type']} {r['places']}/{r['candidates']}")
def test_margins(row: dict[str, str]) -> None:
    places, n = int(row["places"]), int(row["candidates"])
    people = tuple(Nominee(f"n{i}", f"候选人{i}") for i in range(n))
    further = row["post type"] == "further"
    spec = ElectionSpec(
        "县人大常委会委员",
        places,
        people,
        "committee_member" if further else row["post type"],
        stage="further" if further else "first",
    )
    assert PLENARY.margins[spec.margin_key or ""].describe_zh(places) == row["rule"]
    if row["allowed"] == "yes":
        PLENARY.check_spec(spec)
    else:
        with pytest.raises(RuleError) as err:
            PLENARY.check_spec(spec)
        assert err.value.code == "margin_not_met" and row["rule"] in err.value.zh


@pytest.mark.parametrize("row", rows("election"), ids=lambda r: r["case"])
def test_election(row: dict[str, str]) -> None:
    spec = _spec(ids(row["candidates"]), int(row["places"]), row["post type"])
    r = _tally(spec, votes(row["votes"]), Turnout(*numbers(row["turnout"])))
    assert list(spec.chosen_in(r)) == ids(row["elected"])
    assert list(r.ties[0] if r.ties else ()) == ids(row["tied"])
    assert spec.places - len(spec.chosen_in(r)) == int(row["open"])
    assert r.outcome == row["outcome"]
    if r.outcome == "void":
        assert {q.outcome for q in r.questions} == {"void"} and "本次选举无效" in r.announcement_zh
    if r.outcome in ("elected", "partly_elected", "tie", "unfilled"):
        assert f"应选{spec.places}名，候选人{len(spec.candidates)}名。" in r.announcement_zh
    if spec.chosen_in(r):
        names = "、".join(r.question(q).label for q in spec.chosen_in(r))
        assert f"{names}得票超过全体代表的半数，当选。" in r.announcement_zh
    assert Result.from_dict(json.loads(json.dumps(r.to_dict()))) == r


def test_the_announcement_of_rules_md() -> None:
    spec = _spec(list("ABCDEF"), 5, "committee_member")
    r = _tally(
        spec,
        votes(next(x for x in rows("election") if x["case"] == "five of six, a write-in")["votes"]),
        Turnout(300, 290, 288, 2, 290),
    )
    lines = r.announcement_zh.split("\n")
    assert lines[1] == "选举县人大常委会委员：应选5名，候选人6名。"
    assert lines[2] == "投票290人，收回选票290张，有效票288张，无效票2张，本次选举有效。"
    assert lines[3] == "王一：赞成270票，反对10票，弃权8票，当选。"
    assert lines[-2] == "赵七（另选他人）：得票3票，未当选。"
    assert lines[-1] == "王一、李二、张三、刘四、陈五得票超过全体代表的半数，当选。"


# --- equal votes, further elections ----------------------------------------------------------


def test_equal_votes_at_the_cut_off_are_voted_again_among_the_tied_only() -> None:
    spec = _spec(list("ABC"), 2, "deputy_head")
    first = _tally(spec, {"A": (200, 50, 30), "B": (170, 80, 30), "C": (170, 90, 20)}, Turnout(300, 280, 280))
    assert standing([(spec, first)]).next == "runoff"
    runoff = spec.runoff(first)
    assert ([p.id for p in runoff.candidates], runoff.places, runoff.write_ins) == (["B", "C"], 1, False)
    assert [p.id for p in runoff.chosen_before] == ["A"] and runoff.margin_key is None
    assert runoff.limits()["max_marks"] == 1 and "write_in_prefix" not in runoff.limits()
    second = _tally(runoff, {"B": (190, 60, 30), "C": (80, 170, 30)}, Turnout(300, 280, 280))
    assert "连同此前当选的1名，共当选2名：王一、李二。" in second.announcement_zh
    st = standing([(spec, first), (runoff, second)])
    assert ([p.name for p in st.chosen], st.next) == (["王一", "李二"], "done")
    with pytest.raises(InvalidChoice) as err:
        runoff.validate({"w:赵七": "for"})
    assert err.value.code == "unknown_question"


def test_a_tied_write_in_is_listed_by_name_in_the_run_off() -> None:
    spec = _spec(list("ABC"), 2, "deputy_head")
    given = {"A": (200, 50, 20), "B": (20, 200, 50), "C": (0, 200, 70), "w:赵七": (160,), "w:钱八": (160,)}
    first = _tally(spec, given, Turnout(300, 280, 270))
    assert first.ties == (("w:赵七", "w:钱八"),) and first.outcome == "tie"
    runoff = spec.runoff(first)
    assert [(p.id, p.name) for p in runoff.candidates] == [("w:赵七", "赵七"), ("w:钱八", "钱八")]
    assert runoff.validate({"w:钱八": "赞成"}) == {"w:赵七": "abstain", "w:钱八": "for"}
    assert [p.name for p in runoff.chosen_before] == ["王一"]


@pytest.mark.parametrize("row", rows("further"), ids=lambda r: r["case"])
def test_further_election(row: dict[str, str]) -> None:
    spec = _spec(ids(row["candidates"]), int(row["places"]), "by_election")
    counts = {who: (v[0], 0, 280 - v[0]) for who, v in votes(row["first round for-votes"]).items()}
    first = _tally(spec, counts, Turnout(300, 280, 280))
    assert list(spec.chosen_in(first)) == ids(row["elected"])
    extra = None if row["extra"] == NONE else int(row["extra"])
    if row["list"].startswith("error"):
        with pytest.raises(RuleError) as err:
            further_election([(spec, first)], extra=extra)
        assert err.value.code == row["list"].split()[1]
        return
    further = further_election([(spec, first)], extra=extra)
    assert [p.id for p in further.candidates] == ids(row["list"])
    assert (further.stage, further.places) == ("further", spec.places - len(ids(row["elected"])))
    assert [p.id for p in further.chosen_before] == ids(row["elected"])
    PLENARY.check_spec(further)


def test_a_further_election_completes_the_list() -> None:
    spec = _spec(list("ABCDEF"), 5, "committee_member")
    first = _tally(
        spec,
        {x: (v, 280 - v, 0) for x, v in zip("ABCDEF", (200, 180, 160, 150, 140, 100), strict=True)},
        Turnout(300, 280, 280),
    )
    assert standing([(spec, first)]).next == "further"
    further = further_election([(spec, first)])
    assert [p.id for p in further.candidates] == ["D", "E", "F"] and further.limits()["max_marks"] == 2
    second = _tally(further, {"D": (200, 80, 0), "E": (170, 110, 0), "F": (60, 220, 0)}, Turnout(300, 280, 280))
    assert "（另行选举，此前已当选3名）：应选2名，候选人3名。" in second.announcement_zh
    st = standing([(spec, first), (further, second)])
    assert ([p.id for p in st.chosen], st.next) == (["A", "B", "C", "D", "E"], "done")
    with pytest.raises(RuleError) as err:
        further_election([(spec, first), (further, second)])
    assert err.value.code == "no_further_election"


# --- write-ins -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("李四", "w:李四"),
        (" 李 四 ", "w:李四"),
        ("李四（城关代表团）", "w:李四(城关代表团)"),
        ("Ｊｏｈｎ  Smith", "w:John Smith"),
    ],
)
def test_a_write_in_is_keyed_by_the_name_written(name: str, key: str) -> None:
    assert write_in_key(name) == key


def test_write_ins_on_a_ballot() -> None:
    spec = _spec(list("ABC"), 2, "deputy_head")
    assert spec.validate({"A": "for", "w:李 四": "赞成"}) == {
        "A": "for",
        "B": "abstain",
        "C": "abstain",
        "w:李四": "for",
    }
    for ballot, code in [
        ({"w:李四": "against"}, "unknown_option"),
        ({"w:王一": "for"}, "write_in_is_candidate"),
        ({"w: ": "for"}, "invalid_write_in"),
        ({"w:李四": "for", "w:李 四": "for"}, "duplicate_question"),
        ({"x:李四": "for"}, "unknown_question"),
    ]:
        with pytest.raises(InvalidChoice) as err:
            spec.validate(ballot)
        assert err.value.code == code, ballot
    with pytest.raises(TooManyMarks) as marks:  # a tablet cannot vote for more persons than places
        spec.validate({"A": "for", "B": "for", "w:李四": "for"})
    assert marks.value.zh == "最多可选2人，此票选了3人"


def test_a_person_elected_in_an_earlier_round_is_not_written_in_again() -> None:
    """A further election fills the places left: whoever an earlier round elected is not a person to
    elect again (on a tablet or in a hand count)."""
    further = _spec(list("BC"), 1, "deputy_head", stage="further", chosen_before=(Nominee("A", "王一"),))
    with pytest.raises(InvalidChoice) as err:
        further.validate({"w:王 一": "for"})
    assert err.value.code == "write_in_already_elected" and "已在此前的投票中当选" in err.value.zh
    with pytest.raises(InvalidCounts) as counts:
        further.check_hand_count({"w:王一": {"for": 1}}, Turnout(300, 280, 5))
    assert counts.value.code == "write_in_already_elected"


def test_write_ins_in_a_count() -> None:
    spec = _spec(list("ABC"), 2, "deputy_head")
    paper = spec.count_paper([{"A": "for", "w:李四": "for"}, {"w:李 四": "for"}, {"A": "for", "B": "for", "C": "for"}])
    assert (paper.counts["w:李四"], paper.cast, paper.invalid) == ({"for": 2}, 2, 1)  # the third is 作废
    r = _tally(spec, {k: tuple(v.values()) for k, v in paper.counts.items()}, paper.turnout(300, 280))
    assert r.question("w:李四").label == "李四" and r.question("w:李四").counts == {"for": 2}
    for counts, code in [
        ({"w:王一": {"for": 1}}, "write_in_is_candidate"),
        ({"w:李四": {"for": 1}, "w:李 四": {"for": 1}}, "duplicate_question"),
        ({"w:李四": {"against": 1}}, "unknown_option"),
    ]:
        with pytest.raises(InvalidCounts) as err:
            spec.check_hand_count(counts, Turnout(300, 280, 5))
        assert err.value.code == code


# --- validity, limits, shapes ----------------------------------------------------------------


def test_voters_and_ballots_returned() -> None:
    assert Turnout(300, 290, 289, 3, 290).over_returned and Turnout(300, 290, 289, 1, 290).not_voted == 0
    assert Turnout(300, 290, 280, 0, 285).not_voted == 5 and Turnout(300, 290, 280).to_dict()["cast"] == 280
    assert (
        "voters" not in Turnout(300, 290, 280).to_dict()
        and Turnout.from_dict({"entitled": 3, "present": 2, "voters": 2}).voters == 2
    )
    with pytest.raises(InvalidCounts) as err:
        Turnout(300, 290, 280, 0, 291)
    assert err.value.code == "voters_exceed_present"
    with pytest.raises(InvalidCounts) as err:  # only an election makes a round void; elsewhere it is an error
        PLENARY.rule_for(spec_from_dict({"kind": "resolution"})).tally(
            spec_from_dict({"kind": "resolution"}), {"main": {"for": 200}}, Turnout(300, 290, 289, 3, 290)
        )
    assert err.value.code == "ballots_exceed_voters"


def test_limits() -> None:
    spec = _spec(list("ABC"), 2, "deputy_head")
    assert spec.limits() == {
        "kind": "election",
        "answer_all": False,
        "max_marks": 2,
        "for_code": "for",
        "caps": {},
        "default_code": "abstain",
        "write_in_prefix": "w:",
    }


def test_stored_shape_round_trips() -> None:
    spec = _spec(list("ABC"), 2, "deputy_head")
    stored = json.loads(json.dumps(spec.to_dict(), ensure_ascii=False))
    assert list(stored) == ["kind", "post", "places", "candidates", "post_type", "write_ins", "stage", "chosen_before"]
    assert spec_from_dict(stored) == spec and stored["candidates"][0] == {"id": "A", "name": "王一"}


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"places": 0}, "invalid_places"),
        ({"places": 4}, "too_few_candidates"),
        ({"post_type": "chair"}, "invalid_post_type"),
        ({"post": ""}, "invalid_field"),
        ({"stage": "runoff"}, "invalid_write_ins"),
        ({"write_ins": "yes"}, "invalid_write_ins"),
        ({"stage": "final", "write_ins": False}, "invalid_stage"),
        ({"chosen_before": [{"id": "Z", "name": "赵"}]}, "invalid_stage"),
        ({"candidates": [{"id": "w:1", "name": "王一"}, {"id": "B", "name": "李二"}]}, "invalid_field"),
        ({"candidates": [{"id": "A", "name": "王一"}, {"id": "A", "name": "李二"}]}, "duplicate_id"),
        ({"candidates": "A"}, "invalid_field"),
    ],
)
def test_bad_specs_are_refused(changes: dict[str, Any], code: str) -> None:
    with pytest.raises(RuleError) as err:
        spec_from_dict({**_spec(list("ABC"), 2, "deputy_head").to_dict(), **changes})
    assert err.value.code == code and err.value.zh and err.value.en


def test_a_body_sets_its_own_margins() -> None:
    rules = ruleset("congress_plenary", {"margins": {"deputy_head": {"high": 2}}})
    spec = _spec(list("ABCDEF"), 3, "deputy_head")
    PLENARY.check_spec(spec)
    with pytest.raises(RuleError) as err:
        rules.check_spec(spec)
    assert err.value.code == "margin_not_met" and "多1至2名" in err.value.zh
    stored = rules.to_dict()
    assert stored["margins"]["deputy_head"] == {"low": 1, "high": 2, "uncontested": False, "one_place": None}
    assert type(rules).from_dict(json.loads(json.dumps(stored))) == rules
    for overrides, code in [
        ({"margins": {"chair": {}}}, "unknown_margin"),
        ({"margins": {"head": {"low": "1/0"}}}, "invalid_margin"),
        ({"margins": {"head": {"low": -1}}}, "invalid_margin"),
        ({"margins": {"head": {"width": 1}}}, "unknown_field"),
        ({"margins": ["head"]}, "not_a_mapping"),
    ]:
        with pytest.raises(RuleError) as err:
            ruleset("congress_plenary", overrides)
        assert err.value.code == code, overrides


def test_an_election_threshold_can_be_set_apart() -> None:
    rules = ruleset("congress_plenary", {"thresholds": {"election": {"base": "present"}}})
    spec = _spec(list("AB"), 1, "head")
    assert rules.rule_for(spec).threshold.base.value == "present"
    assert PLENARY.rule_for(spec).threshold == PLENARY.threshold_for("resolution")


@given(st.data())
def test_a_ballot_is_valid_exactly_when_it_respects_the_limits(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 5))
    spec = _spec(list("ABCDE")[:n], data.draw(st.integers(1, n)), "by_election")
    lim = spec.limits()
    ballot = {
        q.id: code for q in spec.questions() if (code := data.draw(st.sampled_from([None, *q.codes()]))) is not None
    }
    for name in data.draw(st.lists(st.sampled_from(["赵七", "钱八", "孙九"]), unique=True, max_size=3)):
        ballot[lim["write_in_prefix"] + name] = lim["for_code"]
    marks = sum(1 for code in ballot.values() if code == lim["for_code"])
    if marks <= lim["max_marks"]:
        out = spec.validate(ballot)
        assert {k: v for k, v in out.items() if k in ballot} == ballot
        assert all(out[q.id] == lim["default_code"] for q in spec.questions() if q.id not in ballot)
        assert spec.count_paper([ballot]).cast == 1
    else:
        with pytest.raises(TooManyMarks):
            spec.validate(ballot)
        assert spec.count_paper([ballot]).invalid == 1
