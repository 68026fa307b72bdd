"""The result table of a round, one per ballot kind: a resolution's counts, each person of an
appointment, each object's grade of an evaluation, the ranked candidates of a selection, each candidate and
write-in of an election — each with
the notes that kind prints under its table.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

import ballots
from ballots import labels

from .blocks import grid, widths
from .page import Ctx
from .wording import QUESTION_NOTE, note

Doc = dict[str, Any]


def spec_of(doc: Doc) -> ballots.BallotSpec:
    return ballots.spec_from_dict(doc["spec"])


def option_labels(ctx: Ctx, spec: ballots.BallotSpec) -> list[tuple[str, str]]:
    """(code, label) of the options of the spec's questions, in order."""
    seen: dict[str, str] = {}
    for q in spec.questions():
        for o in q.options:
            seen.setdefault(o.code, o.zh if ctx.zh else o.en[:1].upper() + o.en[1:])
    if isinstance(spec, ballots.SelectionSpec) and spec.options == "mark":
        seen = {"mark": "得票" if ctx.zh else "Votes"}
    return list(seen.items())


def question_outcome(ctx: Ctx, spec: ballots.BallotSpec, code: str) -> str:
    """The outcome of one question: an evaluation's grade, or the label of the question's outcome."""
    if isinstance(spec, ballots.EvaluationSpec):
        for g in spec.grades:
            if g.code == code:
                return g.zh if ctx.zh else g.en
    return ctx.label(labels.QUESTION_OUTCOME, code) + note(QUESTION_NOTE, code, ctx.lang)


def rule_text(ctx: Ctx, rule: dict[str, Any]) -> tuple[str, str]:
    """The passing threshold and the quorum of a stored rule, in the body's words it carries
    ("全体代表的过半数"; a rule stored without words is the standing committee's)."""
    threshold = ballots.Threshold.from_dict(rule["threshold"])
    quorum = ballots.Quorum.from_dict(rule["quorum"])
    words = ballots.Words.from_dict(rule["words"]) if "words" in rule else ballots.MEMBERS
    return (threshold.describe_zh(words) if ctx.zh else threshold.describe_en(words),
            quorum.describe_zh(words) if ctx.zh else quorum.describe_en(words))


def not_voted_label(ctx: Ctx, doc: Doc) -> str:
    """Those present who cast nothing: 未按表决器, or 未表决 for a round by show of hands alone."""
    return ctx.label(labels.NOT_VOTED, labels.not_voted_code(doc["method"]))


def _head(ctx: Ctx, doc: Doc, first: list[str], options: list[tuple[str, str]], last: str = "outcome") -> list[Any]:
    """Header cells: the kind's own columns, one per option, then not voted, needed and the outcome."""
    cells = first + [lab for _c, lab in options] + [not_voted_label(ctx, doc), ctx.t("needed"), ctx.t(last)]
    return [ctx.p(h, "cell_c") for h in cells]


def _counts(ctx: Ctx, spec: ballots.BallotSpec, q: dict[str, Any], options: list[tuple[str, str]]) -> list[Any]:
    """A question's cells after its own columns: each option's count, not voted, needed, the outcome."""
    return [str(q["counts"].get(c, 0)) for c, _l in options] + [
        str(q["not_voted"]), str(q["needed"]), ctx.p(question_outcome(ctx, spec, q["outcome"]), "cell_c")]


def _notes(ctx: Ctx, lines: list[str]) -> list[Flowable]:
    return [Spacer(0, 1.5 * mm), ctx.p("\n".join(lines), "small")] if lines else []


def appointment_table(ctx: Ctx, doc: Doc, spec: Any, options: list[tuple[str, str]]) -> list[Flowable]:
    """One row per person (name, the matter, counts, outcome); what follows an appointment's outcome."""
    questions = doc["result"]["questions"]
    persons = {p.id: p for p in spec.persons}
    rows: list[list[Any]] = [_head(ctx, doc, [ctx.t("person"), ctx.t("matter")], options)]
    notes = []
    for q in questions:
        p = persons.get(q["question_id"])
        name = p.name if p else q["label"]
        matter = (p.describe_zh() if ctx.zh else p.describe_en()) if p else ""
        rows.append([ctx.p(name, "cell"), ctx.p(matter, "cell")] + _counts(ctx, spec, q, options))
        if p is None or p.action != "appoint" or q["outcome"] not in ("passed", "failed"):
            continue
        if q["outcome"] == "passed":
            notes.append(f"{p.name}：任命通过，颁发任命书，依法进行宪法宣誓。" if ctx.zh else
                         f"{p.name}: appointed; the letter of appointment and the constitutional oath follow.")
        else:
            notes.append(f"{p.name}：任命未获通过，不颁发任命书，不进行宪法宣誓。" if ctx.zh else
                         f"{p.name}: not approved; no letter of appointment, no oath.")
    n_opt = len(options)
    table = grid(rows, widths([22 * mm, None] + [13 * mm] * n_opt + [20 * mm, 13 * mm, 22 * mm]), center_from=2)
    return [table] + _notes(ctx, notes)


def _grade_rule(ctx: Ctx, spec: ballots.EvaluationSpec, threshold: str) -> str:
    """How votes make a grade: "满意票达到…的，为“满意”；…否则为“不满意”。"."""
    counted = [g for g in spec.grades if g.code in spec.counted_grades()]
    steps = []
    acc: list[str] = []
    for g in counted[:-1]:
        acc.append(g.zh if ctx.zh else g.en)
        if ctx.zh:
            steps.append(f"{'与'.join(acc)}票{'之和' if len(acc) > 1 else ''}达到{threshold}的，为“{g.zh}”")
        else:
            steps.append(f"'{g.en}' when {' + '.join(acc)} votes reach {threshold}")
    if ctx.zh:
        return "；".join(steps) + f"；否则为“{counted[-1].zh}”。"
    return "; ".join(steps) + f"; otherwise '{counted[-1].en}'."


def evaluation_table(ctx: Ctx, doc: Doc, spec: Any, options: list[tuple[str, str]]) -> list[Flowable]:
    """One row per object with the grade it reached, and the rule that gives the grades."""
    assert isinstance(spec, ballots.EvaluationSpec)
    rows: list[list[Any]] = [_head(ctx, doc, [ctx.t("object")], options, "grade")]
    for q in doc["result"]["questions"]:
        rows.append([ctx.p(q["label"], "cell")] + _counts(ctx, spec, q, options))
    table = grid(rows, widths([None] + [16 * mm] * len(options) + [20 * mm, 13 * mm, 24 * mm]), center_from=1)
    threshold, _quorum = rule_text(ctx, doc["rule"])
    return [table] + _notes(ctx, [_grade_rule(ctx, spec, threshold)])


def _selection_notes(ctx: Ctx, doc: Doc, spec: ballots.SelectionSpec, ordered: list[dict[str, Any]]) -> list[str]:
    """The selection rule, what was chosen, and every tie at the cut-off."""
    res = doc["result"]
    threshold, _quorum = rule_text(ctx, doc["rule"])
    needed_txt = "/".join(map(str, sorted({q["needed"] for q in res["questions"]})))
    chosen = [q["label"] for q in ordered if q["outcome"] == "chosen"]
    places = spec.to_fill
    if ctx.zh:
        lines = [f"每票最多选{spec.max_marks}项；得票达到{threshold}（需{needed_txt}票）的项目按得票多少排序，"
                 f"取前{places}项。",
                 f"入选{len(chosen)}项" + (f"：{'、'.join(chosen)}。" if chosen else "。")]
    else:
        lines = [(f"At most {spec.max_marks} per ballot; candidates reaching {threshold} ({needed_txt} needed) are "
                  f"ranked by votes and the first {places} are chosen."),
                 f"Chosen: {len(chosen)}" + (f" — {', '.join(chosen)}." if chosen else ".")]
    lines += final_list_lines(ctx, spec, chosen, bool(res.get("ties")))
    names_of = {q["question_id"]: q["label"] for q in res["questions"]}
    for group in res.get("ties", []):
        names = ctx.join(names_of.get(cid, cid) for cid in group)
        lines.append(f"并列：{names}得票相同，并列于限选名额处，需另行表决。" if ctx.zh else
                     f"Tie: {names} have equal votes at the cut-off; a run-off round is needed.")
    return lines


def final_list_lines(ctx: Ctx, spec: ballots.SelectionSpec, chosen: list[str], tied: bool, *,
                     earlier: bool = True) -> list[str]:
    """After a run-off: who earlier rounds chose (``earlier``), and the final list of all rounds in order
    (公告); the places left empty when no round follows ("应选10项，入选8项，2项空缺")."""
    before = [c.name for c in spec.chosen_before]
    every = before + chosen
    lines = []
    if before and earlier:
        lines.append(f"此前各轮已入选{len(before)}项：{'、'.join(before)}；本轮为就得票相同的项目再次投票，应选{spec.to_fill}项。"
                     if ctx.zh else f"Chosen in earlier rounds: {len(before)} — {', '.join(before)}; this round is a "
                     f"run-off among the tied for {spec.to_fill}.")
    if before and not tied:
        lines.append(f"最终入选{len(every)}项：{'、'.join(every)}。" if ctx.zh else
                     f"Final list: {len(every)} — {', '.join(every)}.")
    unfilled = spec.total_places - len(every)
    if unfilled > 0 and not tied:
        lines.append(f"应选{spec.total_places}项，入选{len(every)}项，{unfilled}项空缺。" if ctx.zh else
                     f"{spec.total_places} places, {len(every)} chosen, {unfilled} unfilled.")
    return lines


def candidate_cell(ctx: Ctx, c: ballots.Candidate | None, label: str) -> Any:
    """A candidate's name with the details the clerk gave (投资额, 责任单位, 简介, the attached paper)."""
    if c is None:
        return ctx.p(label, "cell")
    parts = [(ctx.t("cand_amount"), c.amount), (ctx.t("cand_unit"), c.responsible_unit),
             (ctx.t("cand_summary"), c.summary)]
    details = [f"{k}{ctx.colon()}{v}" for k, v in parts if v]
    if c.document_id:
        details.append(ctx.t("cand_document"))
    if not details:
        return ctx.p(label, "cell")
    return [ctx.p(label, "cell"), ctx.p("\n".join(details), "small")]


def selection_table(ctx: Ctx, doc: Doc, spec: Any, options: list[tuple[str, str]]) -> list[Flowable]:
    """The candidates ranked by votes, with their details, the selection rule and any tie at the cut-off."""
    assert isinstance(spec, ballots.SelectionSpec)
    position = {c.id: i for i, c in enumerate(spec.candidates)}
    by_id = {c.id: c for c in spec.candidates}
    ordered = sorted(doc["result"]["questions"], key=lambda q: (q.get("rank") or 0, position.get(q["question_id"], 0)))
    rows: list[list[Any]] = [_head(ctx, doc, [ctx.t("rank"), ctx.t("candidate")], options)]
    for q in ordered:
        rows.append([str(q.get("rank") or ""), candidate_cell(ctx, by_id.get(q["question_id"]), q["label"])]
                    + _counts(ctx, spec, q, options))
    table = grid(rows, widths([12 * mm, None] + [15 * mm] * len(options) + [20 * mm, 13 * mm, 28 * mm]),
                 center_from=2, extra=[("ALIGN", (0, 0), (0, -1), "CENTER")])
    return [table] + _notes(ctx, _selection_notes(ctx, doc, spec, ordered))


def resolution_table(ctx: Ctx, doc: Doc, spec: Any, options: list[tuple[str, str]]) -> list[Flowable]:
    """The counts of a resolution (and of any single- or multi-question kind): one row per question."""
    questions = doc["result"]["questions"]
    first = len(questions) > 1
    rows: list[list[Any]] = [_head(ctx, doc, [ctx.t("question")] if first else [], options)]
    for q in questions:
        rows.append(([ctx.p(q["label"], "cell")] if first else []) + _counts(ctx, spec, q, options))
    cols = ([None] if first else []) + [None] * len(options) + [None, None, None]
    return [grid(rows, widths(cols), center_from=1 if first else 0)]


def _election_notes(ctx: Ctx, doc: Doc, spec: ballots.ElectionSpec, names: dict[str, str]) -> list[str]:
    """The election in words: the stage, places and candidates, the rule, who is elected, what is left."""
    res = doc["result"]
    threshold, _quorum = rule_text(ctx, doc["rule"])
    needed = "/".join(map(str, sorted({q["needed"] for q in res["questions"]})))
    elected = [names[q["question_id"]] for q in res["questions"] if q["outcome"] == "elected"]
    left = spec.places - len(elected)
    stage = ctx.label(labels.STAGE, spec.stage)
    before = ctx.join(p.name for p in spec.chosen_before)
    tied = [ctx.join(names.get(q, q) for q in group) for group in res.get("ties", [])]
    void, open_left = res["outcome"] == "void", left and not tied and res["outcome"] != "void"
    w = (lambda zh, en: zh) if ctx.zh else (lambda zh, en: en)
    lines = [w(f"{stage}：{spec.post}，应选{spec.places}名，候选人{len(spec.candidates)}名"
               + ("，可以另选他人" if spec.write_ins else "") + "。",
               f"{stage}: {spec.post}, {spec.places} places, {len(spec.candidates)} candidates"
               + (", write-ins allowed" if spec.write_ins else "") + "."),
             w(f"得票达到{threshold}（需{needed}票）的候选人按得票多少当选；"
               "投票选择多于应选人数的选票作废；收回的选票多于投票人数的，本次选举无效。",
               f"Candidates reaching {threshold} ({needed} needed) are elected by votes; a ballot voting for more "
               "persons than places is void; more ballots returned than voters voids the round.")]
    if before:
        lines.append(w(f"此前已当选：{before}。", f"Elected before: {before}."))
    if void:
        lines.append(w("收回的选票多于投票人数，本次选举无效，须重新投票。",
                       "More ballots were returned than deputies voted: the round is void and is voted again."))
    else:
        who = ctx.join(elected)
        lines.append(w(f"当选{len(elected)}名" + (f"：{who}" if elected else "") + (f"；尚缺{left}名" if open_left else "") + "。",
                       f"Elected: {len(elected)}" + (f" — {who}" if elected else "")
                       + (f"; {left} places left" if open_left else "") + "."))
    lines += [w(f"并列：{t}得票相同，须就票数相等者再次投票。", f"Tie: {t} have equal votes; the tied are voted on again.")
              for t in tied]
    if open_left:
        lines.append(w(f"未选足的{left}名另行选举，候选人从本次未当选的候选人中按得票多少依次确定。",
                       f"The {left} places left go to a further election among the candidates not elected, by votes."))
    return lines


def election_table(ctx: Ctx, doc: Doc, spec: Any, options: list[tuple[str, str]]) -> list[Flowable]:
    """Each candidate's 赞成 / 反对 / 弃权, then each person written in (另选他人) with their votes, the
    votes needed and who is elected, with the election's rules and outcome in words."""
    assert isinstance(spec, ballots.ElectionSpec)
    listed = {p.id for p in spec.candidates}
    names = {q["question_id"]: q["label"] if q["question_id"] in listed else ctx.t("write_in", name=q["label"])
             for q in doc["result"]["questions"]}
    rows: list[list[Any]] = [_head(ctx, doc, [ctx.t("nominee")], options)]
    for q in doc["result"]["questions"]:
        cells = _counts(ctx, spec, q, options)
        if q["question_id"] not in listed:  # a write-in has votes for only
            cells = [str(q["counts"].get(c, 0)) if c == "for" else "—" for c, _l in options] + cells[len(options):]
        rows.append([ctx.p(names[q["question_id"]], "cell")] + cells)
    table = grid(rows, widths([None] + [15 * mm] * len(options) + [20 * mm, 13 * mm, 22 * mm]), center_from=1)
    return [table] + _notes(ctx, _election_notes(ctx, doc, spec, names))


KindTable = Callable[[Ctx, Doc, Any, list[tuple[str, str]]], list[Flowable]]
TABLES: dict[str, KindTable] = {
    "appointment": appointment_table,
    "evaluation": evaluation_table,
    "selection": selection_table,
    "election": election_table,
}


def kind_table(ctx: Ctx, doc: Doc) -> list[Flowable]:
    """The result table of a round for its ballot kind, and that kind's notes under it."""
    spec = spec_of(doc)
    table = TABLES.get(doc["ballot"]["kind"], resolution_table)
    return table(ctx, doc, spec, option_labels(ctx, spec))
