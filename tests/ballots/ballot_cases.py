"""The cases of the golden tables (``test_ballots_golden.py``), also used by other tests: specs of
every kind, tallies (quorum lost, ties, invalid ballots, not-voted, 4 grades, caps, combined
appointments, mark and for/against/abstain selections), sample ballots, malformed specs and counts,
rule sets; and cases tallied under a preset's own rule (plenary, generic committee, elections). Plain
data, and the one way a worded case is tallied (:func:`worded_result`)."""

from __future__ import annotations

from typing import Any

from ballots import PRESETS, Result, Rule, Turnout, spec_from_dict

# --- rules used by the cases -----------------------------------------------------------------

ALL_HALF = {"base": "all_members", "fraction": "1/2", "strict": True}
PRESENT_HALF = {"base": "present", "fraction": "1/2", "strict": True}
CAST_HALF = {"base": "votes_cast", "fraction": "1/2", "strict": True}
CAST_TWO_THIRDS = {"base": "votes_cast", "fraction": "2/3", "strict": False}
FOR_AGAINST_HALF = {"base": "for_and_against", "fraction": "1/2", "strict": True}
ALL_TWO_THIRDS_STRICT = {"base": "all_members", "fraction": "2/3", "strict": True}
AT_LEAST_ONE = {"base": "all_members", "fraction": "0", "strict": False}
Q_HALF = {"fraction": "1/2", "strict": True}
Q_TWO_THIRDS = {"fraction": "2/3", "strict": False}

# --- specs -----------------------------------------------------------------------------------

RES = {"kind": "resolution", "question": "关于批准2024年市级决算的决议（草案）"}
RES_UNTITLED = {"kind": "resolution"}
ZHANG = {"id": "p1", "name": "张三", "post": "市财政局局长"}
LI_OUT = {"id": "p0", "name": "李四", "post": "市财政局局长", "action": "remove"}
WANG = {"id": "p2", "name": "王五", "post": "市教育局局长", "action": "appoint"}
ZHAO_OUT = {"id": "p3", "name": "赵六", "action": "remove"}
QIAN = {"id": "p4", "name": "钱七"}
APP_ONE = {"kind": "appointment", "persons": [ZHANG]}
APP_REMOVE = {"kind": "appointment", "persons": [LI_OUT]}
APP_REMOVE_NO_POST = {"kind": "appointment", "persons": [ZHAO_OUT], "combined": False}
APP_NO_POST = {"kind": "appointment", "persons": [QIAN]}
APP_LIST = {"kind": "appointment", "persons": [LI_OUT, ZHANG, WANG], "combined": True}
APP_TWO = {"kind": "appointment", "persons": [ZHAO_OUT, QIAN], "combined": True}
OBJECTS = [
    {"id": "edu", "name": "市教育局"},
    {"id": "health", "name": "市卫健委"},
    {"id": "env", "name": "市生态环境局"},
]
EVAL = {"kind": "evaluation", "objects": OBJECTS}
EVAL_ONE = {"kind": "evaluation", "objects": OBJECTS[:1]}
FOUR_GRADES = [
    {"code": "satisfied", "zh": "满意", "en": "satisfied"},
    {"code": "basic", "zh": "基本满意", "en": "basically satisfied"},
    {"code": "unsatisfied", "zh": "不满意", "en": "unsatisfied"},
    {"code": "unknown", "zh": "不了解", "en": "don't know"},
]
EVAL_FOUR = {"kind": "evaluation", "objects": OBJECTS[:2], "grades": FOUR_GRADES}
EVAL_FOUR_ALL_COUNT = {"kind": "evaluation", "objects": OBJECTS[:2], "grades": FOUR_GRADES, "uncounted": []}
EVAL_CAPS = {"kind": "evaluation", "objects": OBJECTS, "caps": {"satisfied": 2}, "rule": "cumulative_majority"}
EVAL_OWN_GRADES = {
    "kind": "evaluation",
    "objects": OBJECTS[:2],
    "grades": [
        {"code": "good", "zh": "好", "en": "good"},
        {"code": "fair", "zh": "较好", "en": "fair"},
        {"code": "poor", "zh": "一般", "en": "poor"},
        {"code": "skip", "zh": "弃权", "en": "abstain"},
    ],
    "caps": {"good": 1, "poor": 0},
    "uncounted": ["skip"],
}
PROJECTS = [{"id": f"c{i}", "name": f"项目{i}"} for i in range(1, 7)]
SEL = {"kind": "selection", "candidates": PROJECTS, "max_marks": 3}
SEL_TWO = {"kind": "selection", "candidates": PROJECTS[:5], "max_marks": 2, "options": "mark"}
SEL_FAA = {"kind": "selection", "candidates": PROJECTS[:4], "max_marks": 2, "options": "for_against_abstain"}
SEL_FEW = {"kind": "selection", "candidates": PROJECTS[:2], "max_marks": 3}
SEL_ONE = {"kind": "selection", "candidates": PROJECTS[:1], "max_marks": 1}


def _marks(**votes: int) -> dict[str, dict[str, int]]:
    return {cid: {"mark": n} for cid, n in votes.items()}


def _three(f: int, a: int, b: int) -> dict[str, int]:
    return {"for": f, "against": a, "abstain": b}


def _grades(s: int, b: int, u: int, **more: int) -> dict[str, int]:
    return {"satisfied": s, "basic": b, "unsatisfied": u, **more}


# name: (spec, counts, turnout (entitled, present, cast, invalid), threshold, quorum)
TALLIES: dict[str, tuple[dict[str, Any], Any, tuple[int, ...], dict[str, Any], dict[str, Any]]] = {
    "resolution_rules_md_passed": (RES, {"main": _three(9, 2, 1)}, (15, 13, 12), ALL_HALF, Q_HALF),
    "resolution_rules_md_failed": (RES, {"main": _three(7, 4, 1)}, (15, 13, 12), ALL_HALF, Q_HALF),
    "resolution_quorum_lost": (RES, {"main": _three(7, 0, 0)}, (15, 7, 7), ALL_HALF, Q_HALF),
    "resolution_invalid_ballots": (RES, {"main": _three(8, 1, 1)}, (15, 12, 10, 1), ALL_HALF, Q_HALF),
    "resolution_nobody_voted": (RES, {}, (15, 12), ALL_HALF, Q_HALF),
    "resolution_partial_counts": (RES, {"main": {"for": 8}}, (15, 12, 8), ALL_HALF, Q_HALF),
    "resolution_untitled": (RES_UNTITLED, {"main": _three(8, 0, 0)}, (15, 8, 8), ALL_HALF, Q_HALF),
    "resolution_procedural_present": (RES, {"main": _three(6, 3, 1)}, (15, 10, 10), PRESENT_HALF, Q_HALF),
    "resolution_votes_cast_two_thirds": (RES, {"main": _three(6, 3, 0)}, (15, 10, 9), CAST_TWO_THIRDS, Q_HALF),
    "resolution_for_and_against": (RES, {"main": _three(3, 2, 5)}, (15, 10, 10), FOR_AGAINST_HALF, Q_HALF),
    "resolution_cast_majority_failed": (RES, {"main": _three(5, 5, 0)}, (20, 11, 10), CAST_HALF, Q_HALF),
    "resolution_two_thirds_strict": (RES, {"main": _three(20, 4, 3)}, (30, 28, 27), ALL_TWO_THIRDS_STRICT, Q_HALF),
    "resolution_at_least_one": (RES, {"main": _three(0, 0, 1)}, (5, 3, 1), AT_LEAST_ONE, Q_HALF),
    "resolution_plenary_quorum_exact": (RES, {"main": _three(190, 5, 3)}, (300, 200, 198), ALL_HALF, Q_TWO_THIRDS),
    "resolution_plenary_quorum_lost": (RES, {"main": _three(190, 5, 3)}, (300, 199, 198), ALL_HALF, Q_TWO_THIRDS),
    "appointment_passed": (APP_ONE, {"p1": _three(12, 1, 1)}, (15, 14, 14), ALL_HALF, Q_HALF),
    "appointment_failed": (APP_ONE, {"p1": _three(7, 5, 1)}, (15, 14, 13), ALL_HALF, Q_HALF),
    "appointment_quorum_lost": (APP_ONE, {"p1": _three(6, 0, 0)}, (15, 6, 6), ALL_HALF, Q_HALF),
    "appointment_removal": (APP_REMOVE, {"p0": _three(13, 0, 1)}, (15, 14, 14), ALL_HALF, Q_HALF),
    "appointment_removal_no_post": (APP_REMOVE_NO_POST, {"p3": _three(9, 2, 2)}, (15, 14, 13, 1), ALL_HALF, Q_HALF),
    "appointment_no_post": (APP_NO_POST, {"p4": _three(8, 0, 0)}, (15, 8, 8), ALL_HALF, Q_HALF),
    "appointment_combined_mixed": (
        APP_LIST,
        {"p0": _three(14, 0, 0), "p1": _three(11, 2, 1), "p2": _three(6, 6, 1)},
        (15, 14, 14),
        ALL_HALF,
        Q_HALF,
    ),
    "appointment_combined_all_passed": (
        APP_TWO,
        {"p3": _three(10, 1, 1), "p4": _three(9, 2, 0)},
        (15, 13, 12),
        ALL_HALF,
        Q_HALF,
    ),
    "appointment_combined_all_failed": (
        APP_TWO,
        {"p3": _three(2, 9, 1), "p4": _three(7, 4, 0)},
        (15, 13, 12, 1),
        ALL_HALF,
        Q_HALF,
    ),
    "appointment_combined_quorum_lost": (APP_LIST, {"p0": _three(5, 0, 0)}, (15, 5, 5), ALL_HALF, Q_HALF),
    "evaluation_each_grade": (
        EVAL,
        {"edu": _grades(9, 4, 2), "health": _grades(5, 3, 7), "env": _grades(2, 3, 10)},
        (15, 15, 15),
        ALL_HALF,
        Q_HALF,
    ),
    "evaluation_exactly_half": (
        EVAL,
        {"edu": _grades(8, 4, 4), "health": _grades(4, 4, 8), "env": _grades(0, 0, 0)},
        (16, 16, 16),
        ALL_HALF,
        Q_HALF,
    ),
    "evaluation_single_object": (EVAL_ONE, {"edu": _grades(10, 2, 1)}, (15, 14, 13), ALL_HALF, Q_HALF),
    "evaluation_four_grades": (
        EVAL_FOUR,
        {"edu": _grades(6, 2, 1, unknown=5), "health": _grades(8, 1, 1, unknown=4)},
        (15, 14, 14),
        ALL_HALF,
        Q_HALF,
    ),
    "evaluation_four_grades_all_counted": (
        EVAL_FOUR_ALL_COUNT,
        {"edu": _grades(3, 2, 1, unknown=8)},
        (15, 14, 14),
        ALL_HALF,
        Q_HALF,
    ),
    "evaluation_caps": (
        EVAL_CAPS,
        {"edu": _grades(10, 3, 1), "health": _grades(12, 1, 1), "env": _grades(6, 5, 3)},
        (15, 14, 14),
        ALL_HALF,
        Q_HALF,
    ),
    "evaluation_invalid_and_not_voted": (
        EVAL,
        {"edu": _grades(9, 1, 1), "health": _grades(2, 8, 1), "env": _grades(1, 1, 9)},
        (15, 14, 11, 1),
        ALL_HALF,
        Q_HALF,
    ),
    "evaluation_quorum_lost": (EVAL, {"edu": _grades(5, 1, 1)}, (15, 7, 7), ALL_HALF, Q_HALF),
    "evaluation_own_grades": (
        EVAL_OWN_GRADES,
        {"edu": {"good": 9, "fair": 3, "poor": 0, "skip": 2}, "health": {"good": 3, "fair": 9, "skip": 2}},
        (15, 14, 14),
        ALL_HALF,
        Q_HALF,
    ),
    "evaluation_present_base": (EVAL_ONE, {"edu": _grades(5, 2, 2)}, (15, 9, 9), PRESENT_HALF, Q_HALF),
    "selection_top_n": (
        SEL,
        _marks(c1=250, c2=240, c3=160, c4=155, c5=5, c6=0),
        (300, 280, 270, 2),
        ALL_HALF,
        Q_TWO_THIRDS,
    ),
    "selection_fewer_reach_threshold": (
        SEL,
        _marks(c1=200, c2=100, c3=100, c4=100),
        (300, 280, 270),
        ALL_HALF,
        Q_TWO_THIRDS,
    ),
    "selection_tie_at_cut_off": (
        SEL_TWO,
        _marks(c1=180, c2=170, c3=170, c4=10, c5=0),
        (300, 280, 270),
        ALL_HALF,
        Q_TWO_THIRDS,
    ),
    "selection_three_way_tie": (
        SEL_TWO,
        _marks(c1=180, c2=180, c3=180, c4=10, c5=0),
        (300, 280, 280),
        ALL_HALF,
        Q_TWO_THIRDS,
    ),
    "selection_tie_inside_top_n": (
        SEL,
        _marks(c1=200, c2=200, c3=180, c4=170),
        (300, 280, 270),
        ALL_HALF,
        Q_TWO_THIRDS,
    ),
    "selection_tie_below_threshold": (
        SEL_TWO,
        _marks(c1=200, c2=120, c3=120, c4=20),
        (300, 280, 270),
        ALL_HALF,
        Q_TWO_THIRDS,
    ),
    "selection_none_chosen": (SEL, _marks(c1=100, c2=90, c3=80), (300, 250, 250), ALL_HALF, Q_TWO_THIRDS),
    "selection_fewer_candidates_than_places": (
        SEL_FEW,
        _marks(c1=160, c2=170),
        (300, 250, 240),
        ALL_HALF,
        Q_TWO_THIRDS,
    ),
    "selection_single_candidate": (SEL_ONE, _marks(c1=151), (300, 200, 200), ALL_HALF, Q_TWO_THIRDS),
    "selection_quorum_lost": (SEL, _marks(c1=190), (300, 199, 195), ALL_HALF, Q_TWO_THIRDS),
    "selection_for_against_abstain": (
        SEL_FAA,
        {"c1": _three(170, 50, 50), "c2": _three(170, 90, 10), "c3": _three(100, 100, 70), "c4": _three(20, 200, 50)},
        (300, 280, 270, 3),
        ALL_HALF,
        Q_TWO_THIRDS,
    ),
    "selection_for_against_abstain_for_and_against": (
        SEL_FAA,
        {"c1": _three(120, 40, 100), "c2": _three(100, 110, 50), "c3": _three(60, 20, 180), "c4": {"for": 5}},
        (300, 270, 260),
        FOR_AGAINST_HALF,
        Q_TWO_THIRDS,
    ),
}

# name: (spec, ballots) -- each ballot is normalised or refused
CHOICES: dict[str, tuple[dict[str, Any], list[Any]]] = {
    "resolution": (
        RES,
        [
            {"main": "for"},
            {"main": "赞成"},
            {"main": " For "},
            {"main": "ABSTAIN"},
            {"main": "反对"},
            {},
            {"main": "x"},
            {"main": 1},
            {"other": "for"},
            "for",
            ["main"],
        ],
    ),
    "resolution_untitled": (RES_UNTITLED, [{}, {"main": "弃权"}]),
    "appointment_list": (
        APP_LIST,
        [
            {"p0": "for", "p1": "against", "p2": "abstain"},
            {"p0": "for", "p1": "for"},
            {"p0": "for", "p1": "for", "p2": "maybe"},
        ],
    ),
    "evaluation": (
        EVAL,
        [{"edu": "满意", "health": "basically satisfied", "env": "unsatisfied"}, {"edu": "satisfied"}],
    ),
    "evaluation_four": (EVAL_FOUR, [{"edu": "不了解", "health": "unknown"}, {"edu": "不了解", "health": "don't know"}]),
    "evaluation_caps": (
        EVAL_CAPS,
        [
            {"edu": "satisfied", "health": "satisfied", "env": "basic"},
            {"edu": "satisfied", "health": "satisfied", "env": "satisfied"},
        ],
    ),
    "evaluation_own_grades": (
        EVAL_OWN_GRADES,
        [{"edu": "good", "health": "skip"}, {"edu": "good", "health": "good"}, {"edu": "一般", "health": "fair"}],
    ),
    "selection_mark": (
        SEL,
        [
            {},
            {"c1": "mark", "c3": "选择"},
            {"c1": "mark", "c2": "mark", "c3": "mark"},
            {"c1": "mark", "c2": "mark", "c3": "mark", "c4": "mark"},
            {"c1": "for"},
            {"c9": "mark"},
        ],
    ),
    "selection_for_against_abstain": (
        SEL_FAA,
        [
            {},
            {"c1": "for", "c2": "不赞成"},
            {"c1": "赞成", "c2": "for", "c3": "against", "c4": "弃权"},
            {"c1": "for", "c2": "for", "c3": "for"},
            {"c1": "mark"},
        ],
    ),
}

BAD_SPECS: list[Any] = [
    "resolution",
    {"question": "x"},
    {"kind": "nope"},
    {"kind": "resolution", "question": "x", "extra": 1},
    {"kind": "resolution", "question": None},
    {"kind": "resolution", "question": 5},
    {"kind": "appointment"},
    {"kind": "appointment", "persons": "p1"},
    {"kind": "appointment", "persons": []},
    {"kind": "appointment", "persons": ["p1"]},
    {"kind": "appointment", "persons": [{"id": "p1", "name": "张三", "rank": 1}]},
    {"kind": "appointment", "persons": [{"id": "p1"}]},
    {"kind": "appointment", "persons": [{"id": "", "name": "张三"}]},
    {"kind": "appointment", "persons": [{"id": "p1", "name": "张三", "post": None}]},
    {"kind": "appointment", "persons": [{"id": "p1", "name": "张三", "action": "promote"}]},
    {"kind": "appointment", "persons": [ZHANG, WANG]},
    {"kind": "appointment", "persons": [ZHANG, LI_OUT], "combined": True},
    {"kind": "appointment", "persons": [ZHANG, ZHANG], "combined": True},
    {"kind": "appointment", "persons": [ZHANG], "combined": "yes"},
    {"kind": "appointment", "persons": [ZHANG], "together": True},
    {"kind": "evaluation"},
    {"kind": "evaluation", "objects": {"edu": "市教育局"}},
    {"kind": "evaluation", "objects": []},
    {"kind": "evaluation", "objects": [{"id": "edu"}]},
    {"kind": "evaluation", "objects": [{"id": "edu", "name": "市教育局", "head": "x"}]},
    {"kind": "evaluation", "objects": [{"id": "edu", "name": "a"}, {"id": "edu", "name": "b"}]},
    {"kind": "evaluation", "objects": OBJECTS, "grades": None},
    {"kind": "evaluation", "objects": OBJECTS, "grades": []},
    {"kind": "evaluation", "objects": OBJECTS, "grades": ["satisfied"]},
    {"kind": "evaluation", "objects": OBJECTS, "grades": [{"code": "a", "zh": "甲"}]},
    {"kind": "evaluation", "objects": OBJECTS, "grades": [{"code": "a", "zh": "甲", "en": "a", "rank": 1}]},
    {"kind": "evaluation", "objects": OBJECTS, "grades": [{"code": "a", "zh": "甲", "en": "a"}] * 2},
    {"kind": "evaluation", "objects": OBJECTS, "caps": None},
    {"kind": "evaluation", "objects": OBJECTS, "caps": [1]},
    {"kind": "evaluation", "objects": OBJECTS, "caps": {"excellent": 1}},
    {"kind": "evaluation", "objects": OBJECTS, "caps": {"satisfied": -1}},
    {"kind": "evaluation", "objects": OBJECTS, "caps": {"satisfied": True}},
    {"kind": "evaluation", "objects": OBJECTS, "rule": "average"},
    {"kind": "evaluation", "objects": OBJECTS, "rule": None},
    {"kind": "evaluation", "objects": OBJECTS, "uncounted": "unknown"},
    {"kind": "evaluation", "objects": OBJECTS, "uncounted": ["unknown"]},
    {"kind": "evaluation", "objects": OBJECTS, "uncounted": [1]},
    {"kind": "evaluation", "objects": OBJECTS, "uncounted": ["satisfied", "basic", "unsatisfied"]},
    {"kind": "evaluation", "objects": OBJECTS, "grades": [FOUR_GRADES[3]]},
    {"kind": "selection"},
    {"kind": "selection", "candidates": [], "max_marks": 1},
    {"kind": "selection", "candidates": [{"id": "c1", "name": ""}], "max_marks": 1},
    {"kind": "selection", "candidates": [{"id": "c1", "name": "a", "cost": 1}], "max_marks": 1},
    {"kind": "selection", "candidates": [{"id": "c1", "name": "a"}, {"id": "c1", "name": "b"}], "max_marks": 1},
    {"kind": "selection", "candidates": PROJECTS},
    {"kind": "selection", "candidates": PROJECTS, "max_marks": 0},
    {"kind": "selection", "candidates": PROJECTS, "max_marks": True},
    {"kind": "selection", "candidates": PROJECTS, "max_marks": "3"},
    {"kind": "selection", "candidates": PROJECTS, "max_marks": 3, "options": "rank"},
    {"kind": "selection", "candidates": PROJECTS, "max_marks": 3, "places": 0},
]

# name: (spec, counts, turnout) -- each is refused by tally
BAD_COUNTS: dict[str, tuple[dict[str, Any], Any, tuple[int, ...]]] = {
    "not_a_mapping": (RES, [1, 2], (15, 10, 10)),
    "unknown_question": (RES, {"other": _three(1, 0, 0)}, (15, 10, 10)),
    "question_not_a_mapping": (RES, {"main": 5}, (15, 10, 10)),
    "unknown_option": (RES, {"main": {"yes": 1}}, (15, 10, 10)),
    "negative": (RES, {"main": {"for": -1}}, (15, 10, 10)),
    "boolean": (RES, {"main": {"for": True}}, (15, 10, 10)),
    "exceeds_cast": (APP_TWO, {"p3": _three(5, 5, 1)}, (15, 12, 10)),
    "cap_in_counts": (
        EVAL_CAPS,
        {"edu": _grades(10, 0, 0), "health": _grades(10, 0, 0), "env": _grades(10, 0, 0)},
        (15, 14, 14),
    ),
    "zero_cap_in_counts": (EVAL_OWN_GRADES, {"edu": {"poor": 1}}, (15, 14, 14)),
    "marks_exceed_ballots": (SEL_TWO, _marks(c1=10, c2=10, c3=10), (30, 20, 10)),
    "for_marks_exceed_ballots": (
        SEL_FAA,
        {"c1": _three(10, 0, 0), "c2": _three(10, 0, 0), "c3": _three(1, 0, 0)},
        (30, 20, 10),
    ),
}


# name: (preset, overrides) -- the stored rule set, and the typed rule of a resolution under it
RULESETS: dict[str, tuple[str, dict[str, Any] | None]] = {
    **{name: (name, None) for name in PRESETS},
    "overridden": (
        "standing_committee",
        {
            "name": "本委员会",
            "quorum": {"fraction": "2/3"},
            "thresholds": {"resolution": {"base": "present"}, "evaluation": {"fraction": "2/3", "strict": False}},
            "secret_by_default": False,
            "allow_combined_appointments": True,
        },
    ),
}


# --- cases tallied under a preset's own rule: threshold, quorum and words ---------------------

NOMINEES = [{"id": f"n{i}", "name": name} for i, name in enumerate(["王一", "李二", "张三", "刘四", "陈五", "杨六"], 1)]
ELECT_FIVE = {
    "kind": "election",
    "post": "县人大常委会委员",
    "places": 5,
    "candidates": NOMINEES,
    "post_type": "committee_member",
}
ELECT_DEPUTY = {
    "kind": "election",
    "post": "县人民政府副县长",
    "places": 2,
    "candidates": NOMINEES[:3],
    "post_type": "deputy_head",
}
ELECT_HEAD = {
    "kind": "election",
    "post": "县人民法院院长",
    "places": 1,
    "candidates": NOMINEES[:1],
    "post_type": "head",
}
ELECT_RUNOFF = {
    "kind": "election",
    "post": "县人民政府副县长",
    "places": 1,
    "candidates": NOMINEES[1:3],
    "post_type": "deputy_head",
    "write_ins": False,
    "stage": "runoff",
    "chosen_before": NOMINEES[:1],
}
SEL_PLACES = {
    "kind": "selection",
    "candidates": [
        {**p, "amount": f"{i}00万元", "responsible_unit": "县住建局"} for i, p in enumerate(PROJECTS[:5], 1)
    ],
    "max_marks": 5,
    "options": "for_against_abstain",
    "places": 2,
}
SEL_RUNOFF = {
    "kind": "selection",
    "candidates": PROJECTS[1:3],
    "max_marks": 1,
    "places": 1,
    "stage": "runoff",
    "chosen_before": PROJECTS[:1],
}
APP_DISMISS = {
    "kind": "appointment",
    "persons": [{"id": "p9", "name": "周九", "post": "县财政局局长", "action": "dismiss"}],
}


def _vote(f: int, a: int, b: int) -> dict[str, int]:
    return {"for": f, "against": a, "abstain": b}


# name: (preset, spec, counts, turnout (entitled, present, cast, invalid[, voters]))
WORDED_TALLIES: dict[str, tuple[str, dict[str, Any], Any, tuple[int | None, ...]]] = {
    "plenary_resolution": ("congress_plenary", RES, {"main": _three(200, 50, 20)}, (300, 280, 270)),
    "plenary_resolution_no_quorum": ("congress_plenary", RES, {"main": _three(190, 5, 3)}, (300, 199, 198)),
    "generic_resolution": ("generic_committee", RES, {"main": _three(6, 3, 1)}, (12, 10, 10)),
    "standing_dismissal": ("standing_committee", APP_DISMISS, {"p9": _three(12, 1, 1)}, (15, 14, 14)),
    "plenary_selection_places_apart_from_marks": (
        "congress_plenary",
        SEL_PLACES,
        {"c1": _vote(250, 20, 10), "c2": _vote(240, 30, 10), "c3": _vote(200, 60, 20), "c4": _vote(100, 150, 30)},
        (300, 280, 280),
    ),
    "plenary_selection_runoff": ("congress_plenary", SEL_RUNOFF, _marks(c2=160, c3=110), (300, 280, 275, 3)),
    "election_all_places_filled": (
        "congress_plenary",
        ELECT_FIVE,
        {
            "n1": _vote(270, 10, 8),
            "n2": _vote(260, 20, 8),
            "n3": _vote(250, 30, 8),
            "n4": _vote(240, 40, 8),
            "n5": _vote(230, 50, 8),
            "n6": _vote(100, 150, 38),
            "w:赵七": {"for": 3},
        },
        (300, 290, 288, 2, 290),
    ),
    "election_fewer_reach_the_threshold": (
        "congress_plenary",
        ELECT_FIVE,
        {
            "n1": _vote(200, 60, 20),
            "n2": _vote(180, 80, 20),
            "n3": _vote(160, 100, 20),
            "n4": _vote(150, 110, 20),
            "n5": _vote(140, 120, 20),
            "n6": _vote(100, 150, 30),
        },
        (300, 285, 280, 1, 281),
    ),
    "election_tie_at_the_cut_off": (
        "congress_plenary",
        ELECT_DEPUTY,
        {"n1": _vote(200, 50, 30), "n2": _vote(170, 80, 30), "n3": _vote(170, 90, 20)},
        (300, 280, 280),
    ),
    "election_more_reach_than_places": (
        "congress_plenary",
        ELECT_DEPUTY,
        {"n1": _vote(200, 50, 30), "n2": _vote(180, 80, 20), "n3": _vote(160, 90, 30)},
        (300, 280, 280),
    ),
    "election_runoff": (
        "congress_plenary",
        ELECT_RUNOFF,
        {"n2": _vote(190, 60, 30), "n3": _vote(80, 170, 30)},
        (300, 280, 280),
    ),
    "election_write_in_elected": (
        "congress_plenary",
        ELECT_HEAD,
        {"n1": _vote(100, 150, 20), "w:赵七": {"for": 160}},
        (300, 280, 270, 0, 280),
    ),
    "election_void": ("congress_plenary", ELECT_DEPUTY, {"n1": _vote(200, 50, 39)}, (300, 290, 289, 3, 290)),
    "election_no_quorum": ("congress_plenary", ELECT_DEPUTY, {"n1": _vote(190, 5, 3)}, (300, 199, 198)),
}


def worded_result(case: tuple[str, dict[str, Any], Any, tuple[int | None, ...]]) -> tuple[Rule, Result]:
    """The rule a preset freezes for a worded case's spec, and the case's result tallied under it."""
    preset, spec_dict, counts, turnout = case
    spec = spec_from_dict(spec_dict)
    PRESETS[preset].check_spec(spec)
    rule = PRESETS[preset].rule_for(spec)
    return rule, rule.tally(spec, counts, Turnout(*turnout))  # type: ignore[arg-type]
