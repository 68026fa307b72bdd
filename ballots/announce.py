"""The words of the chair's announcements, apart from the counting.

A kind's ``tally`` computes the numbers and outcomes into a :class:`~ballots.results.Result`; the
functions here turn such a result into the Chinese and English text read out and printed:

* the pieces: :func:`attendance_zh` / :func:`attendance_en` ("应到15人，实到13人，符合法定人数。"),
  :func:`no_quorum_zh` / :func:`no_quorum_en`, :func:`votes_zh` / :func:`votes_en` ("赞成9票，反对2票，
  弃权1票，未按表决器1人"), :func:`verdict_zh` / :func:`verdict_en` ("需8票，通过。");
* one function per kind: :func:`resolution`, :func:`appointment`, :func:`evaluation`, :func:`selection`,
  each returning ``(zh, en)``.

Outcome words that are also labels on screens and sheets (通过, 未获通过, 入选, 不足法定人数 …) are read
from :mod:`ballots.labels`. Everything here is a pure function of its arguments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from .labels import OUTCOME, QUESTION_OUTCOME
from .results import QuestionResult, Result

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
]

#: The English verdict of a resolution and of an appointment: (passed, failed).
ADOPTED = ("adopted", "not adopted")
APPROVED = ("approved", "not approved")


def capitalise(text: str) -> str:
    """Upper-case the first letter only ("for 9" → "For 9")."""
    return text[:1].upper() + text[1:]


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


def votes_zh(parts: Sequence[tuple[str, int]], *, invalid: int = 0, not_voted: int | None = None) -> str:
    """ "赞成9票，反对2票，弃权1票，未按表决器1人" from ``[("赞成", 9), ("反对", 2), ("弃权", 1)]``.

    Invalid ballots are named only when there are some; not-voted is named whenever given.
    """
    items = [f"{label}{count}票" for label, count in parts]
    if invalid:
        items.append(f"无效票{invalid}张")
    if not_voted is not None:
        items.append(f"未按表决器{not_voted}人")
    return "，".join(items)


def votes_en(parts: Sequence[tuple[str, int]], *, invalid: int = 0, not_voted: int | None = None) -> str:
    """ "For 9, against 2, abstain 1, not voted 1" (first word capitalised by the caller if needed)."""
    items = [f"{label} {count}" for label, count in parts]
    if invalid:
        items.append(f"invalid {invalid}")
    if not_voted is not None:
        items.append(f"not voted {not_voted}")
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
    """The attendance sentence, followed by the no-quorum sentence when the quorum does not hold."""
    t, held = result.turnout, result.quorum_held
    zh = attendance_zh(t.entitled, t.present, held)
    en = attendance_en(t.entitled, t.present, held)
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
    q: QuestionResult, invalid: int, options: Sequence[Option], words: tuple[str, str]
) -> tuple[str, str]:
    """ "赞成9票，反对2票，弃权1票，未按表决器1人。需8票，通过。" and its English twin."""
    for_votes, needed, passed = q.counts["for"], q.needed or 0, q.outcome == "passed"
    parts_zh = [(o.zh, q.counts[o.code]) for o in options]
    parts_en = [(o.en, q.counts[o.code]) for o in options]
    zh = votes_zh(parts_zh, invalid=invalid, not_voted=q.not_voted) + "。" + verdict_zh(for_votes, needed, passed)
    en = (
        capitalise(votes_en(parts_en, invalid=invalid, not_voted=q.not_voted))
        + ". "
        + verdict_en(for_votes, needed, passed, words=words)
    )
    return zh, en


# --- one announcement per kind ---------------------------------------------------------------


def resolution(result: Result, options: Sequence[Option]) -> tuple[str, str]:
    """ "应到15人，实到13人，符合法定人数。赞成9票，反对2票，弃权1票，未按表决器1人。需8票，通过。"."""
    zh, en = header(result)
    if result.quorum_held:
        line_zh, line_en = _three_way_line(result.questions[0], result.turnout.invalid, options, ADOPTED)
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
            line_zh, line_en = _three_way_line(q, result.turnout.invalid, options, APPROVED)
            lines_zh.append(f"{q.label}：{line_zh}")
            lines_en.append(f"{names_en[q.question_id]}: {line_en}")
    return _join(zh, lines_zh, "", "\n"), _join(en, lines_en, " ", "\n")


def evaluation(result: Result, grades: Sequence[Option]) -> tuple[str, str]:
    """One line per object: each grade's count, the votes needed and the grade reached."""
    zh, en = header(result)
    lines_zh: list[str] = []
    lines_en: list[str] = []
    if result.quorum_held:
        invalid = result.turnout.invalid
        by_code = {g.code: g for g in grades}
        for q in result.questions:
            votes_zh_ = votes_zh([(g.zh, q.counts[g.code]) for g in grades], invalid=invalid, not_voted=q.not_voted)
            votes_en_ = votes_en([(g.en, q.counts[g.code]) for g in grades], invalid=invalid, not_voted=q.not_voted)
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


def selection(
    result: Result, options: Sequence[Option], *, for_code: str, max_marks: int, marks_only: bool
) -> tuple[str, str]:
    """The ballots, then one line per candidate by rank ("第1名 项目1：得票250票。需151票，入选。"), the
    chosen list and the ties needing a run-off. ``marks_only``: a ballot only marks candidates."""
    zh, en = header(result)
    if not result.quorum_held:
        return zh, en
    t = result.turnout
    summary_zh, summary_en = f"有效票{t.cast}张", f"Valid ballots {t.cast}"
    if t.invalid:
        summary_zh += f"，无效票{t.invalid}张"
        summary_en += f", invalid {t.invalid}"
    lines_zh = [summary_zh + f"，未按表决器{t.not_voted}人。每票最多选{max_marks}项。"]
    lines_en = [summary_en + f", not voted {t.not_voted}. At most {max_marks} per ballot."]
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
    names = {q.question_id: q.label for q in result.questions}
    for group in result.ties:
        tied = [names[cid] for cid in group]
        lines_zh.append(f"{'、'.join(tied)}得票相同，需另行表决。")
        lines_en.append(f"Tied at the cut-off: {', '.join(tied)}; a run-off round is needed.")
    return zh + "\n" + "\n".join(lines_zh), en + "\n" + "\n".join(lines_en)
