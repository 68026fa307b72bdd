"""The words of the chair's announcements, apart from the counting.

A kind's ``tally`` computes the numbers and outcomes into a :class:`~ballots.results.Result`; the
functions here turn such a result into the Chinese and English text read out and printed:

* the pieces: :func:`attendance_zh` / :func:`attendance_en` ("应到15人，实到13人，符合法定人数。"),
  :func:`no_quorum_zh` / :func:`no_quorum_en`, :func:`votes_zh` / :func:`votes_en` ("赞成9票，反对2票，
  弃权1票，未按表决器1人"), :func:`verdict_zh` / :func:`verdict_en` ("需8票，通过。");
* one function per kind: :func:`resolution`, :func:`appointment`, :func:`evaluation`, :func:`selection`,
  :func:`election`, each returning ``(zh, en)``.

Where a sentence names the body's members it uses the words the result was tallied with
(:attr:`Result.words`: "全体代表", not "全体组成人员", under the plenary preset).

Outcome words that are also labels on screens and sheets (通过, 未获通过, 入选, 不足法定人数 …) are read
from :mod:`ballots.labels`. Everything here is a pure function of its arguments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from .labels import NOT_VOTED, OUTCOME, QUESTION_OUTCOME, STAGE, VIDEO_PENDING
from .results import QuestionResult, Result
from .rules import Threshold, Turnout

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .kinds.base import Option

__all__ = [
    "attendance_zh",
    "attendance_en",
    "no_quorum_zh",
    "no_quorum_en",
    "votes_zh",
    "votes_en",
    "verdict_zh",
    "verdict_en",
    "capitalise",
    "header",
    "resolution",
    "appointment",
    "evaluation",
    "selection",
    "election",
]

#: The English verdict of a resolution and of an appointment: (passed, failed).
ADOPTED = ("adopted", "not adopted")
APPROVED = ("approved", "not approved")


def capitalise(text: str) -> str:
    """Upper-case the first letter only ("for 9" → "For 9")."""
    return text[:1].upper() + text[1:]


def _many(n: int, noun: str) -> str:
    """ "1 place", "2 places"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _lower(text: str) -> str:
    """A label as a word inside a sentence ("No quorum" → "no quorum")."""
    return text[:1].lower() + text[1:]


# --- the pieces ------------------------------------------------------------------------------


def attendance_zh(entitled: int, present: int, quorum_held: bool) -> str:
    """ "应到15人，实到13人，符合法定人数。" or "...，不足法定人数。"."""
    verdict = "符合法定人数" if quorum_held else OUTCOME["no_quorum"].zh
    return f"应到{entitled}人，实到{present}人，{verdict}。"


def attendance_en(entitled: int, present: int, quorum_held: bool) -> str:
    """ "Entitled 15, present 13, quorum present." or "..., no quorum."."""
    verdict = "quorum present" if quorum_held else _lower(OUTCOME["no_quorum"].en)
    return f"Entitled {entitled}, present {present}, {verdict}."


def no_quorum_zh(quorum_needed: int) -> str:
    """What follows the attendance sentence when the quorum does not hold."""
    return f"法定人数为{quorum_needed}人，本次表决不产生结果。"


def no_quorum_en(quorum_needed: int) -> str:
    """English counterpart of :func:`no_quorum_zh`."""
    return f"{quorum_needed} must be present; this vote has no outcome."


def _not_voted(hands: bool) -> tuple[str, str]:
    """The words for those present who cast nothing: 未按表决器, or 未表决 in a show of hands."""
    found = NOT_VOTED["hands" if hands else "tablet"]
    return found.zh, _lower(found.en)


def votes_zh(
    parts: Sequence[tuple[str, int]], *, invalid: int = 0, not_voted: int | None = None, hands: bool = False
) -> str:
    """ "赞成9票，反对2票，弃权1票，未按表决器1人" from ``[("赞成", 9), ("反对", 2), ("弃权", 1)]``.

    Invalid ballots are named only when there are some; not-voted is named whenever given, as 未表决 when
    the round was a show of hands (``hands``).
    """
    items = [f"{label}{count}票" for label, count in parts]
    if invalid:
        items.append(f"无效票{invalid}张")
    if not_voted is not None:
        items.append(f"{_not_voted(hands)[0]}{not_voted}人")
    return "，".join(items)


def votes_en(
    parts: Sequence[tuple[str, int]], *, invalid: int = 0, not_voted: int | None = None, hands: bool = False
) -> str:
    """ "For 9, against 2, abstain 1, not voted 1" (first word capitalised by the caller if needed)."""
    items = [f"{label} {count}" for label, count in parts]
    if invalid:
        items.append(f"invalid {invalid}")
    if not_voted is not None:
        items.append(f"{_not_voted(hands)[1]} {not_voted}")
    return ", ".join(items)


def verdict_zh(for_votes: int, needed: int, passed: bool, *, for_label: str = "赞成") -> str:
    """ "需8票，通过。" or "需8票。赞成7票，少于通过所需的8票，未获通过。"."""
    if passed:
        return f"需{needed}票，{QUESTION_OUTCOME['passed'].zh}。"
    return f"需{needed}票。{for_label}{for_votes}票，少于通过所需的{needed}票，{QUESTION_OUTCOME['failed'].zh}。"


def verdict_en(
    for_votes: int, needed: int, passed: bool, *, for_label: str = "For", words: tuple[str, str] = ADOPTED
) -> str:
    """ "8 needed: adopted." or "8 needed. For 7, fewer than the 8 needed: not adopted."."""
    if passed:
        return f"{needed} needed: {words[0]}."
    return f"{needed} needed. {for_label} {for_votes}, fewer than the {needed} needed: {words[1]}."


def header(result: Result) -> tuple[str, str]:
    """The attendance sentence, followed by the no-quorum sentence when the quorum does not hold; when
    the votes of members attending by video were not entered, a sentence says how many ("视频出席未录入1人。"),
    so that they are never read out as 未按."""
    t, held = result.turnout, result.quorum_held
    zh = attendance_zh(t.entitled, t.present, held)
    en = attendance_en(t.entitled, t.present, held)
    if t.video_pending:
        zh += f"{VIDEO_PENDING.zh}{t.video_pending}人。"
        en += f" {VIDEO_PENDING.en}: {t.video_pending}."
    if not held:
        zh += no_quorum_zh(result.quorum_needed)
        en += " " + no_quorum_en(result.quorum_needed)
    return zh, en


def _join(head: str, lines: list[str], sep: str, many_sep: str) -> str:
    if not lines:
        return head
    if len(lines) == 1:
        return head + sep + lines[0]
    return head + many_sep + many_sep.join(lines)


def _three_way_line(
    q: QuestionResult, turnout: Turnout, options: Sequence[Option], words: tuple[str, str]
) -> tuple[str, str]:
    """ "赞成9票，反对2票，弃权1票，未按表决器1人。需8票，通过。" and its English twin."""
    for_votes, needed, passed = q.counts["for"], q.needed or 0, q.outcome == "passed"
    parts_zh = [(o.zh, q.counts[o.code]) for o in options]
    parts_en = [(o.en, q.counts[o.code]) for o in options]
    invalid, hands = turnout.invalid, turnout.hands
    zh = votes_zh(parts_zh, invalid=invalid, not_voted=q.not_voted, hands=hands) + "。" + verdict_zh(
        for_votes, needed, passed
    )
    en = (
        capitalise(votes_en(parts_en, invalid=invalid, not_voted=q.not_voted, hands=hands))
        + ". "
        + verdict_en(for_votes, needed, passed, words=words)
    )
    return zh, en


# --- one announcement per kind ---------------------------------------------------------------


def resolution(result: Result, options: Sequence[Option]) -> tuple[str, str]:
    """ "应到15人，实到13人，符合法定人数。赞成9票，反对2票，弃权1票，未按表决器1人。需8票，通过。"."""
    zh, en = header(result)
    if result.quorum_held:
        line_zh, line_en = _three_way_line(result.questions[0], result.turnout, options, ADOPTED)
        zh, en = zh + line_zh, en + " " + line_en
    return zh, en


def appointment(result: Result, options: Sequence[Option], names_en: Mapping[str, str]) -> tuple[str, str]:
    """One line per person ("张三（任命为局长）：赞成…。需8票，通过。"); ``names_en`` gives each person's
    English name line ("张三 (appointment as 局长)") by question id."""
    zh, en = header(result)
    lines_zh: list[str] = []
    lines_en: list[str] = []
    if result.quorum_held:
        for q in result.questions:
            line_zh, line_en = _three_way_line(q, result.turnout, options, APPROVED)
            lines_zh.append(f"{q.label}：{line_zh}")
            lines_en.append(f"{names_en[q.question_id]}: {line_en}")
    return _join(zh, lines_zh, "", "\n"), _join(en, lines_en, " ", "\n")


def evaluation(result: Result, grades: Sequence[Option]) -> tuple[str, str]:
    """One line per object: each grade's count, the votes needed and the grade reached."""
    zh, en = header(result)
    lines_zh: list[str] = []
    lines_en: list[str] = []
    if result.quorum_held:
        invalid, hands = result.turnout.invalid, result.turnout.hands
        by_code = {g.code: g for g in grades}
        for q in result.questions:
            zh_parts, en_parts = [(g.zh, q.counts[g.code]) for g in grades], [(g.en, q.counts[g.code]) for g in grades]
            votes_zh_ = votes_zh(zh_parts, invalid=invalid, not_voted=q.not_voted, hands=hands)
            votes_en_ = votes_en(en_parts, invalid=invalid, not_voted=q.not_voted, hands=hands)
            reached = by_code[q.outcome]
            lines_zh.append(f"{q.label}：{votes_zh_}。需{q.needed}票，测评等次：{reached.zh}。")
            lines_en.append(f"{q.label}: {votes_en_}. {q.needed} needed; grade: {reached.en}.")
    return _join(zh, lines_zh, "", "\n"), _join(en, lines_en, " ", "\n")


def _selection_verdict(q: QuestionResult, for_code: str) -> tuple[str, str]:
    if q.outcome == "chosen":
        return QUESTION_OUTCOME["chosen"].zh, _lower(QUESTION_OUTCOME["chosen"].en)
    if q.outcome == "tie":
        return "得票相同、并列于限选名额处，需另行表决", "tied at the cut-off: run-off needed"
    not_chosen_zh, not_chosen_en = QUESTION_OUTCOME["not_chosen"].zh, _lower(QUESTION_OUTCOME["not_chosen"].en)
    if q.needed is not None and q.counts[for_code] < q.needed:
        return f"少于所需的{q.needed}票，{not_chosen_zh}", f"fewer than the {q.needed} needed: {not_chosen_en}"
    return f"名次在限选数之外，{not_chosen_zh}", f"ranked below the number to choose: {not_chosen_en}"


def _places_lines(
    result: Result, to_fill: int, chosen: Sequence[str], before: Sequence[str]
) -> tuple[list[str], list[str]]:
    """The places not filled ("应选3项，入选1项，2项空缺。" or "…，1项待另行表决。") and, after a run-off,
    the list joined with those chosen before ("连同此前入选的8项，共入选10项：…。") and, when places stay
    empty, the places of the whole selection ("应选10项，入选9项，1项空缺。")."""
    zh: list[str] = []
    en: list[str] = []
    short = to_fill - len(chosen)
    if short:
        tie = bool(result.ties)
        zh.append(f"应选{to_fill}项，入选{len(chosen)}项，{short}项{'待另行表决' if tie else '空缺'}。")
        en.append(
            f"{_many(to_fill, 'place')}, {len(chosen)} chosen, {short} {'left to a run-off' if tie else 'unfilled'}."
        )
    if before:
        joined = [*before, *chosen]
        zh.append(f"连同此前入选的{len(before)}项，共入选{len(joined)}项：{'、'.join(joined)}。")
        en.append(f"With the {len(before)} chosen before, {len(joined)} chosen: {', '.join(joined)}.")
        if short and not result.ties:  # the places of the whole selection, over all rounds
            total = len(before) + to_fill
            zh.append(f"应选{total}项，入选{len(joined)}项，{short}项空缺。")
            en.append(f"{_many(total, 'place')} in all, {len(joined)} chosen, {short} unfilled.")
    return zh, en


def selection(
    result: Result,
    options: Sequence[Option],
    *,
    for_code: str,
    max_marks: int,
    marks_only: bool,
    places: int | None = None,
    before: Sequence[str] = (),
) -> tuple[str, str]:
    """The ballots, then one line per candidate by rank ("第1名 项目1：得票250票。需151票，入选。"), the
    chosen list, the places not filled, the ties needing a run-off and, after a run-off, the list joined
    with those ``before``. ``marks_only``: a ballot only marks candidates; ``places``: when it differs
    from ``max_marks`` (a run-off, or free marking) it is named ("应选10项，每票最多选15项。")."""
    zh, en = header(result)
    if not result.quorum_held:
        return zh, en
    t = result.turnout
    summary_zh, summary_en = f"有效票{t.cast}张", f"Valid ballots {t.cast}"
    if t.invalid:
        summary_zh += f"，无效票{t.invalid}张"
        summary_en += f", invalid {t.invalid}"
    places_zh, places_en = ("", "") if places is None else (f"应选{places}项，", f"{_many(places, 'place')}, at most ")
    not_voted_zh, not_voted_en = _not_voted(t.hands)
    lines_zh = [summary_zh + f"，{not_voted_zh}{t.not_voted}人。{places_zh}每票最多选{max_marks}项。"]
    lines_en = [
        summary_en + f", {not_voted_en} {t.not_voted}. " + (places_en or "At most ") + f"{max_marks} per ballot."
    ]
    if before:
        lines_zh.insert(0, f"本轮就得票相同的项目再次投票，此前已入选{len(before)}项。")
        lines_en.insert(0, f"Run-off among the tied; {len(before)} chosen before.")
    position = {q.question_id: i for i, q in enumerate(result.questions)}
    ranked = sorted(result.questions, key=lambda q: (q.rank or 0, position[q.question_id]))
    for q in ranked:
        if marks_only:
            votes_zh_, votes_en_ = f"得票{q.counts[for_code]}票", f"votes {q.counts[for_code]}"
        else:
            votes_zh_ = votes_zh([(o.zh, q.counts[o.code]) for o in options])
            votes_en_ = votes_en([(o.en, q.counts[o.code]) for o in options])
        verdict_zh_, verdict_en_ = _selection_verdict(q, for_code)
        lines_zh.append(f"第{q.rank}名 {q.label}：{votes_zh_}。需{q.needed}票，{verdict_zh_}。")
        lines_en.append(f"#{q.rank} {q.label}: {votes_en_}. {q.needed} needed; {verdict_en_}.")
    chosen = [q.label for q in ranked if q.outcome == "chosen"]
    chosen_zh, chosen_en = QUESTION_OUTCOME["chosen"].zh, QUESTION_OUTCOME["chosen"].en
    lines_zh.append(f"{chosen_zh}{len(chosen)}项" + (f"：{'、'.join(chosen)}。" if chosen else "。"))
    lines_en.append(f"{chosen_en} {len(chosen)}" + (f": {', '.join(chosen)}." if chosen else "."))
    more_zh, more_en = _places_lines(result, max_marks if places is None else places, chosen, before)
    lines_zh += more_zh
    lines_en += more_en
    names = {q.question_id: q.label for q in result.questions}
    for group in result.ties:
        tied = [names[cid] for cid in group]
        lines_zh.append(f"{'、'.join(tied)}得票相同，需另行表决。")
        lines_en.append(f"Tied at the cut-off: {', '.join(tied)}; a run-off round is needed.")
    return zh + "\n" + "\n".join(lines_zh), en + "\n" + "\n".join(lines_en)


def _election_ballots(result: Result) -> tuple[str, str]:
    """ "投票280人，收回选票280张，有效票278张，无效票2张，本次选举有效。" (or void)."""
    t = result.turnout
    voters = t.returned if t.voters is None else t.voters
    zh = f"投票{voters}人，收回选票{t.returned}张，有效票{t.cast}张，无效票{t.invalid}张，"
    en = f"Voted {voters}, ballots returned {t.returned}, valid {t.cast}, invalid {t.invalid}; "
    if result.outcome == "void":
        return zh + "收回选票多于投票人数，本次选举无效。", en + "more ballots than voters: this round is void."
    return zh + "本次选举有效。", en + "the round is valid."


def _election_person(q: QuestionResult, written: bool) -> tuple[str, str]:
    verdict = QUESTION_OUTCOME[q.outcome] if q.outcome in QUESTION_OUTCOME else OUTCOME[q.outcome]
    if written:
        return (
            f"{q.label}（另选他人）：得票{q.counts['for']}票，{verdict.zh}。",
            f"{q.label} (write-in): votes {q.counts['for']}; {_lower(verdict.en)}.",
        )
    parts = [("赞成", q.counts["for"]), ("反对", q.counts["against"]), ("弃权", q.counts["abstain"])]
    parts_en = [("for", q.counts["for"]), ("against", q.counts["against"]), ("abstain", q.counts["abstain"])]
    return f"{q.label}：{votes_zh(parts)}，{verdict.zh}。", f"{q.label}: {votes_en(parts_en)}; {_lower(verdict.en)}."


def _election_verdicts(result: Result, places: int, before: Sequence[str]) -> tuple[list[str], list[str]]:
    """Who is elected and by what rule, the tie and the places left to a further election."""
    threshold = Threshold.from_dict(result.threshold)
    elected = [q.label for q in sorted(result.questions, key=lambda q: q.rank or 0) if q.outcome == "elected"]
    zh: list[str] = []
    en: list[str] = []
    if elected:
        zh.append(f"{'、'.join(elected)}{threshold.reached_zh(result.words)}，当选。")
        en.append(f"{', '.join(elected)} reached the threshold ({threshold.describe_en(result.words)}): elected.")
    open_places = places - len(elected)
    if result.ties:
        tied = [q.label for q in result.questions if q.question_id in result.ties[0]]
        zh.append(f"{'、'.join(tied)}得票相同，需就剩余{open_places}名再次投票。")
        en.append(f"Equal votes at the cut-off: {', '.join(tied)}; a new round among them for {open_places}.")
    elif open_places:
        zh.append(f"应选{places}名，当选{len(elected)}名，尚缺{open_places}名，需另行选举。")
        en.append(f"{_many(places, 'place')}, {len(elected)} elected, {open_places} left to a further election.")
    if before:
        joined = [*before, *elected]
        zh.append(f"连同此前当选的{len(before)}名，共当选{len(joined)}名：{'、'.join(joined)}。")
        en.append(f"With the {len(before)} elected before, {len(joined)} elected: {', '.join(joined)}.")
    return zh, en


def election(
    result: Result,
    *,
    post: str,
    places: int,
    candidates: int,
    written: set[str],
    stage: str,
    before: Sequence[str] = (),
) -> tuple[str, str]:
    """ "应选5名，候选人6名。" with the ballots returned and their validity, one line per person (votes for,
    against, abstain; write-ins by votes), who is elected ("……得票超过全体代表的半数，当选。"), ties and
    places left; after a run-off or a further election, the list joined with those elected ``before``."""
    zh, en = header(result)
    if not result.quorum_held:
        return zh, en
    stage_zh, stage_en = "", ""
    if stage != "first":
        stage_zh = f"（{STAGE[stage].zh}，此前已当选{len(before)}名）"
        stage_en = f" ({_lower(STAGE[stage].en)}; {len(before)} elected before)"
    lines_zh = [f"选举{post}{stage_zh}：应选{places}名，候选人{candidates}名。"]
    lines_en = [f"Election of {post}{stage_en}: {_many(places, 'place')}, {_many(candidates, 'candidate')}."]
    ballots_zh, ballots_en = _election_ballots(result)
    lines_zh.append(ballots_zh)
    lines_en.append(ballots_en)
    if result.outcome != "void":
        for q in result.questions:
            line_zh, line_en = _election_person(q, q.question_id in written)
            lines_zh.append(line_zh)
            lines_en.append(line_en)
        more_zh, more_en = _election_verdicts(result, places, before)
        lines_zh += more_zh
        lines_en += more_en
    return zh + "\n" + "\n".join(lines_zh), en + "\n" + "\n".join(lines_en)
