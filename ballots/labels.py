"""The words for the codes every screen and sheet shows: ballot kinds, voting methods, outcomes,
attendance, secrecy, where an election's person comes from, and the stage of a round. Written once,
here; the pages receive them through the server's message catalogue, the result sheets and exports
read them from this module.

Each group maps a stable code to its Chinese and English label. :func:`label` looks one up;
:func:`flat` gives every label as ``{"group.code": text}`` for one language (the keys the pages use).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Label", "GROUPS", "KIND", "METHOD", "NOT_VOTED", "OUTCOME", "QUESTION_OUTCOME", "ATTENDANCE",
           "SECRECY", "SITTING", "NOMINATION", "STAGE", "VIDEO", "VIDEO_PENDING", "VIDEO_VOTES",
           "label", "flat", "not_voted_code", "secrecy_code"]


@dataclass(frozen=True)
class Label:
    zh: str
    en: str

    def pick(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


#: Agenda item and ballot kinds.
KIND: Mapping[str, Label] = {
    "resolution": Label("议案", "Resolution"),
    "appointment": Label("任免", "Appointment or removal"),
    "evaluation": Label("满意度测评", "Evaluation"),
    "selection": Label("票决", "Selection"),
    "election": Label("选举", "Election"),
    "report": Label("报告", "Report"),
    "other": Label("其他", "Other"),
}

#: How a round was counted.
METHOD: Mapping[str, Label] = {
    "tablet": Label("电子表决", "Tablets"),
    "hands": Label("举手表决", "Show of hands"),
    "mixed": Label("电子表决＋举手", "Tablets and show of hands"),
}

#: Those present who cast nothing, by how the round was counted: on tablets they did not press
#: (未按表决器); in a show of hands they raised no hand (未表决) -- there is no device to speak of.
NOT_VOTED: Mapping[str, Label] = {
    "tablet": Label("未按表决器", "Not voted"),
    "hands": Label("未表决", "Did not vote"),
}

#: The outcome of a whole round (``Result.outcome``).
OUTCOME: Mapping[str, Label] = {
    "passed": Label("通过", "Passed"),
    "failed": Label("未获通过", "Not passed"),
    "mixed": Label("部分通过", "Partly passed"),
    "evaluated": Label("测评完成", "Evaluated"),
    "tie": Label("有并列，需另行表决", "Tie: run-off needed"),
    "selected": Label("票决完成", "Selection made"),
    "no_quorum": Label("不足法定人数", "No quorum"),
    "partly_selected": Label("部分入选，名额空缺", "Partly selected: places unfilled"),
    "unfilled": Label("无人入选，名额空缺", "No place filled"),
    "elected": Label("选举完成", "Elected"),
    "partly_elected": Label("部分当选，需另行选举", "Partly elected: further election needed"),
    "void": Label("本次选举无效", "Void round"),
}

#: The outcome of one question of a round (``QuestionResult.outcome``; evaluations use grade codes).
QUESTION_OUTCOME: Mapping[str, Label] = {
    "passed": Label("通过", "Passed"),
    "failed": Label("未获通过", "Not passed"),
    "no_quorum": Label("不足法定人数", "No quorum"),
    "chosen": Label("入选", "Chosen"),
    "not_chosen": Label("未入选", "Not chosen"),
    "tie": Label("并列", "Tie"),
    "elected": Label("当选", "Elected"),
    "not_elected": Label("未当选", "Not elected"),
    "void": Label("选举无效", "Void"),
}

#: Where a person on an election ballot comes from.
NOMINATION: Mapping[str, Label] = {
    "candidate": Label("候选人", "Candidate"),
    "write_in": Label("另选他人", "Write-in"),
}

#: The kind of post an election fills (``post_type``; each has its margin, :mod:`ballots.margins`).
POST_TYPE: Mapping[str, Label] = {
    "head": Label("正职（主任、县长、院长、检察长等）", "Head (one post)"),
    "deputy_head": Label("副职（副主任、副县长等）", "Deputy heads"),
    "committee_member": Label("常务委员会委员", "Standing committee members"),
    "by_election": Label("补选", "By-election"),
}

#: The round of a selection or an election (``stage`` of the spec).
STAGE: Mapping[str, Label] = {
    "first": Label("第一次投票", "First round"),
    "runoff": Label("就票数相等者再次投票", "Run-off among the tied"),
    "further": Label("另行选举", "Further election"),
}

#: A person's attendance at a sitting.
ATTENDANCE: Mapping[str, Label] = {
    "present": Label("出席", "Present"),
    "video": Label("视频出席", "By video"),
    "leave": Label("请假", "On leave"),
    "absent": Label("缺席", "Absent"),
}

#: Members present by video whose votes the clerk has not entered (a body's rule ``video_votes`` =
#: "clerk"): while the round is open, and on a result closed without them. Never 未按.
VIDEO: Mapping[str, Label] = {
    "pending": Label("视频出席未录入", "By video, not entered"),
    "waiting": Label("视频出席，待录入", "By video, to be entered"),
}
VIDEO_PENDING = VIDEO["pending"]

#: How members attending by video vote (a body's rule ``video_votes``).
VIDEO_VOTES: Mapping[str, Label] = {
    "clerk": Label("视频出席人员的表决由工作人员录入", "Votes of members by video are entered by the clerk"),
    "tablet": Label("视频出席人员用远程表决器表决", "Members by video vote from a remote tablet"),
}

#: Whether anyone may learn who chose what.
SECRECY: Mapping[str, Label] = {
    "secret": Label("无记名", "Secret"),
    "named": Label("记名", "Named"),
    "open": Label("公开举手", "Open show of hands"),
}

#: The state of a sitting (``Sitting.status``).
SITTING: Mapping[str, Label] = {
    "planned": Label("未开会", "Not started"),
    "open": Label("会议进行中", "In session"),
    "closed": Label("已闭会", "Closed"),
}

#: Every group by the key prefix the pages use.
GROUPS: Mapping[str, Mapping[str, Label]] = {
    "kind": KIND,
    "method": METHOD,
    "not_voted": NOT_VOTED,
    "outcome": OUTCOME,
    "qoutcome": QUESTION_OUTCOME,
    "status": ATTENDANCE,
    "secrecy": SECRECY,
    "sitting": SITTING,
    "nomination": NOMINATION,
    "stage": STAGE,
    "post_type": POST_TYPE,
    "video": VIDEO,
    "video_votes": VIDEO_VOTES,
}


def not_voted_code(method: str) -> str:
    """The :data:`NOT_VOTED` code of a round counted by ``method`` (a :data:`METHOD` code): "hands" for a
    show of hands alone, "tablet" wherever tablets were used."""
    return "hands" if method == "hands" else "tablet"


def secrecy_code(secret: bool, method: str) -> str:
    """The :data:`SECRECY` code of a ballot: a show of hands is open whatever the ballot's setting."""
    return "open" if method == "hands" else ("secret" if secret else "named")


def label(group: Mapping[str, Label], code: str, lang: str = "zh") -> str:
    """The label of ``code`` in ``group``; an unknown code is shown as itself."""
    found = group.get(code)
    return found.pick(lang) if found is not None else code


def flat(lang: str) -> dict[str, str]:
    """Every label of every group as ``{"outcome.passed": "通过", ...}`` in one language."""
    return {f"{prefix}.{code}": lab.pick(lang) for prefix, group in GROUPS.items() for code, lab in group.items()}
