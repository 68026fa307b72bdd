"""The result sheet of one round: what was voted and how, the attendance at the close, the kind's result
table and outcome, the announcement, earlier rounds of a re-vote, the named record, signatures and the
verification box.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

import ballots
from ballots import labels

from ...db import Store
from .. import data as sd
from .blocks import (
    InfoRow,
    grid,
    head,
    info_table,
    signature_block,
    verification_block,
    widths,
)
from .kind_tables import kind_table, not_voted_label, rule_text, spec_of
from .page import Ctx, SectionMark, build
from .wording import OUTCOME_NOTE, note

Doc = dict[str, Any]


#: What a later round is, by its spec's stage: a re-vote of the whole ballot, a run-off among the tied, a
#: further election (另行选举).
STAGE_WORDS = {"first": ("重新表决", "re-vote"), "runoff": ("就票数相等者再次投票", "run-off among the tied"),
               "further": ("另行选举", "further election")}


def round_text(ctx: Ctx, number: int, spec: dict[str, Any] | None = None) -> str:
    zh, en = STAGE_WORDS.get(str((spec or {}).get("stage", "first")), STAGE_WORDS["first"])
    if ctx.zh:
        return f"第{number}轮" + (f"（{zh}）" if number > 1 else "")
    return f"Round {number}" + (f" ({en})" if number > 1 else "")


def announcement(ctx: Ctx, res: dict[str, Any]) -> str:
    return res["announcement_zh"] if ctx.zh else res["announcement_en"]


def _hands_text(ctx: Ctx, hands: dict[str, Any]) -> str:
    """Who entered the show of hands, when, and how many votes."""
    extra = f"，无效{hands['invalid']}票" if ctx.zh else f", {hands['invalid']} invalid"
    text = (f"由{hands['entered_by']}于{ctx.time(hands['entered_at'])}录入举手表决{hands['ballots']}票"
            f"{extra if hands['invalid'] else ''}" if ctx.zh else
            f"{hands['ballots']} hand vote(s){extra if hands['invalid'] else ''} entered by {hands['entered_by']} "
            f"at {ctx.time(hands['entered_at'])}")
    if hands.get("note"):
        text += f"（{hands['note']}）" if ctx.zh else f" ({hands['note']})"
    return text


def _ballot_rows(ctx: Ctx, doc: Doc) -> list[InfoRow]:
    """Item, question, kind, method, secrecy, round, times, chair and clerk, the rule and the quorum."""
    res, sitting, ballot = doc["result"], doc["sitting"], doc["ballot"]
    thr, quo = rule_text(ctx, doc["rule"])
    needed_txt = "/".join(map(str, sorted({q["needed"] for q in res["questions"] if q.get("needed") is not None})))
    item_txt = (f"第{doc['item']['position']}项　{doc['item']['title']}" if ctx.zh else
                f"Item {doc['item']['position']}: {doc['item']['title']}")
    secrecy = ctx.label(labels.SECRECY, labels.secrecy_code(ballot["secret"], doc["method"]))
    rows: list[InfoRow] = [
        (ctx.t("item"), item_txt, None, None),
        (ctx.t("question"), ballot["title"], None, None),
        (ctx.t("kind"), ctx.label(labels.KIND, ballot["kind"]), ctx.t("method"), ctx.label(labels.METHOD, doc["method"])),
        (ctx.t("secrecy"), secrecy, ctx.t("round"), round_text(ctx, doc["round"]["number"], doc.get("spec"))),
        (ctx.t("opened"), ctx.time(doc["round"]["opened_at"]), ctx.t("closed"), ctx.time(doc["round"]["closed_at"])),
        (ctx.t("chair"), sitting["chair"] or "—", ctx.t("clerk"), sitting["clerk"] or "—"),
        (ctx.t("rule"), f"{thr}（需{needed_txt}票）" if ctx.zh else f"{thr} ({needed_txt} needed)", ctx.t("quorum"),
         f"{quo}（需{res['quorum_needed']}人）" if ctx.zh else f"{quo} ({res['quorum_needed']} needed)"),
    ]
    if doc["round"].get("revote_reason"):
        rows.append((ctx.t("revote_reason"), doc["round"]["revote_reason"], None, None))
    if doc.get("hands"):
        rows.append((ctx.t("hands"), _hands_text(ctx, doc["hands"]), None, None))
    if doc["round"].get("quorum_override"):
        rows.append((ctx.t("note"), "不足法定人数时经主持人决定进行表决（已记入审计日志）。" if ctx.zh else
                     "Voted without a quorum on the chair's decision (recorded in the audit log).", None, None))
    return rows


def _absentee_text(ctx: Ctx, absentees: list[dict[str, str]], status: str) -> str:
    people = [a for a in absentees if a.get("status", "absent") == status]
    if not people:
        return ctx.t("none")
    if ctx.zh:
        return "、".join(f"{a['name']}（{a['reason']}）" if a.get("reason") else a["name"] for a in people)
    return ", ".join(f"{a['name']} ({a['reason']})" if a.get("reason") else a["name"] for a in people)


def _attendance_at_close(ctx: Ctx, doc: Doc) -> list[Flowable]:
    """Entitled, present, on leave, absent, valid (and invalid) ballots and the quorum; who was away."""
    res, turnout, absentees = doc["result"], doc["result"]["turnout"], doc["absentees"]
    leave_label, absent_label = ctx.label(labels.ATTENDANCE, "leave"), ctx.label(labels.ATTENDANCE, "absent")
    leave = sum(1 for a in absentees if a.get("status") == "leave")
    quorum_txt = (f"需{res['quorum_needed']}人，{'符合' if res['quorum_held'] else '不足'}" if ctx.zh else
                  f"{res['quorum_needed']} needed: {'met' if res['quorum_held'] else 'NOT met'}")
    cols = [ctx.t("entitled"), ctx.t("present"), leave_label, absent_label, ctx.t("cast")]
    vals = [turnout["entitled"], turnout["present"], leave, len(absentees) - leave, turnout["cast"]]
    if turnout.get("invalid"):
        cols.append(ctx.t("invalid"))
        vals.append(turnout["invalid"])
    if turnout.get("video_pending"):
        cols.append(ctx.label(labels.VIDEO, "pending"))
        vals.append(turnout["video_pending"])
    cols.append(ctx.t("quorum"))
    rows: list[list[Any]] = [[ctx.p(h, "cell_c") for h in cols], [str(v) for v in vals] + [ctx.p(quorum_txt, "cell_c")]]
    away = (f"{leave_label}{ctx.colon()}{_absentee_text(ctx, absentees, 'leave')}；"
            f"{absent_label}{ctx.colon()}{_absentee_text(ctx, absentees, 'absent')}" if ctx.zh else
            f"{leave_label}: {_absentee_text(ctx, absentees, 'leave')}. "
            f"{absent_label}: {_absentee_text(ctx, absentees, 'absent')}.")
    return [ctx.p(ctx.t("attendance"), "h2"), grid(rows, widths([None] * (len(cols) - 1) + [40 * mm]), center_from=0),
            Spacer(0, 1.2 * mm), ctx.p(away, "body")]


def _outcome(ctx: Ctx, doc: Doc) -> list[Flowable]:
    """The kind's table, the outcome in bold (its label and what the sheet adds) and the announcement."""
    res = doc["result"]
    outcome = ctx.label(labels.OUTCOME, res["outcome"]) + note(OUTCOME_NOTE, res["outcome"], ctx.lang)
    return [ctx.p(ctx.t("result"), "h2")] + kind_table(ctx, doc) + [
        ctx.p(f"{ctx.t('result')}{ctx.colon()}<b>{escape(outcome)}</b>", "outcome", markup=True),
        ctx.p(ctx.t("announcement") + ctx.colon(), "body"), ctx.p(announcement(ctx, res), "body")]


def _earlier_table(ctx: Ctx, earlier: Sequence[Doc]) -> list[Flowable]:
    """The earlier rounds of a re-voted ballot, each with its outcome and announcement."""
    if not earlier:
        return []
    rows: list[list[Any]] = [[ctx.p(h, "cell_c") for h in (ctx.t("round"), ctx.t("closed"), ctx.t("method"),
                                                            ctx.t("outcome"), ctx.t("announcement"))]]
    for d in earlier:
        rows.append([ctx.p(round_text(ctx, d["round"]["number"], d.get("spec")), "cell"), ctx.p(ctx.time(d["round"]["closed_at"]), "cell"),
                     ctx.p(ctx.label(labels.METHOD, d["method"]), "cell"),
                     ctx.p(ctx.label(labels.OUTCOME, d["result"]["outcome"]), "cell"),
                     ctx.p(announcement(ctx, d["result"]), "cell")])
    note_txt = ("以下为本表决此前各轮的结果（结果不作修改，逐轮保存）；各轮另有结果单。" if ctx.zh else
                "Results are never edited: each earlier round is kept and has its own sheet.")
    return [CondPageBreak(30 * mm), ctx.p(ctx.t("earlier"), "h2"), ctx.p(note_txt, "small"), Spacer(0, 1 * mm),
            grid(rows, widths([20 * mm, 28 * mm, 24 * mm, 22 * mm, None]))]


def _choice_text(ctx: Ctx, spec: ballots.BallotSpec, choice: dict[str, Any]) -> str:
    """What one member chose, in words: the marked candidates, the option, or the option per question."""
    questions = spec.questions()
    if isinstance(spec, ballots.SelectionSpec) and spec.options == "mark":
        label_of = {q.id: q for q in questions}
        marked = [label_of[q].label for q in choice if q in label_of]
        if ctx.zh:
            return ("选择：" + "、".join(marked)) if marked else "未选任何项目"
        return ("Marked: " + ", ".join(marked)) if marked else "no candidate marked"
    if len(questions) == 1:
        q = questions[0]
        o = q.option(choice[q.id]) if q.id in choice else None
        return (o.zh if ctx.zh else o.en) if o else ""
    parts = []
    for q in questions:
        if q.id in choice:
            o = q.option(choice[q.id])
            name = q.label
            if isinstance(spec, ballots.AppointmentSpec):
                name = next((p.name for p in spec.persons if p.id == q.id), q.label)
            parts.append(f"{name}{ctx.colon()}{o.zh if ctx.zh else o.en}")
    return ("；" if ctx.zh else "; ").join(parts)


def _vote_text(ctx: Ctx, doc: Doc, spec: ballots.BallotSpec, vote: dict[str, Any], absent: dict[str, Any]) -> str:
    """The record of one member: the choice, the attendance (and reason) of one away, or not voted."""
    if vote.get("voted") and vote.get("choice") is not None:
        return _choice_text(ctx, spec, vote["choice"])
    if vote.get("video_pending"):  # by video, the clerk had not entered the vote: never 未按
        return ctx.label(labels.VIDEO, "pending")
    if vote["name"] in absent:
        a = absent[vote["name"]]
        text = ctx.label(labels.ATTENDANCE, a.get("status", "absent"))
        if a.get("reason"):
            text += f"（{a['reason']}）" if ctx.zh else f" ({a['reason']})"
        return text
    if doc["method"] == "mixed":
        return "未按表决器（或举手表决）" if ctx.zh else "not voted on a tablet (or by show of hands)"
    return not_voted_label(ctx, doc)


def _named_table(ctx: Ctx, doc: Doc) -> list[Flowable]:
    """Every member's vote of a named ballot (a show of hands has no individual record)."""
    votes = doc.get("named_votes")
    if votes is None:
        return []
    title = ctx.label(labels.SECRECY, "named") + ctx.t("named_record")
    out: list[Flowable] = [CondPageBreak(40 * mm), ctx.p(title, "h2")]
    if doc["method"] == "hands":
        out.append(ctx.p("本轮以举手方式表决，没有个人表决记录。" if ctx.zh else
                         "This round was by show of hands: there is no individual record.", "small"))
        return out
    spec = spec_of(doc)
    absent = {a["name"]: a for a in doc.get("absentees", [])}
    rows: list[list[Any]] = [[ctx.p(h, "cell_c") for h in (ctx.t("seat"), ctx.t("name"), ctx.t("title"), ctx.t("choice"))]]
    for v in votes:
        rows.append([v.get("seat") or "", ctx.p(v["name"], "cell"), ctx.p(v.get("title", ""), "cell"),
                     ctx.p(_vote_text(ctx, doc, spec, v, absent), "cell")])
    out.append(grid(rows, widths([12 * mm, 24 * mm, 26 * mm, None]), extra=[("ALIGN", (0, 0), (0, -1), "CENTER")]))
    return out


def result_flowables(ctx: Ctx, doc: Doc, earlier: Sequence[Doc] = ()) -> list[Flowable]:
    """The flowables of one result sheet (also used inside the bundle)."""
    sitting = doc["sitting"]
    label = f"{doc['body']['name']} · {ctx.t('result_title')} {doc['sheet_id']}"
    sub = f"{sitting['title']}　{ctx.date(sitting['date'])}" if ctx.zh else f"{sitting['title']} · {ctx.date(sitting['date'])}"
    out: list[Flowable] = [SectionMark(label)] + head(ctx, doc["body"]["name"], ctx.t("result_title"), sub)
    out.append(info_table(ctx, _ballot_rows(ctx, doc)))
    out += _attendance_at_close(ctx, doc)
    out += _outcome(ctx, doc)
    out += _earlier_table(ctx, earlier)
    out += _named_table(ctx, doc)
    out.append(KeepTogether([ctx.p(ctx.t("signatures"), "h2"),
                             signature_block(ctx, sitting["chair"] or "", sitting["clerk"] or "")]))
    out.append(KeepTogether([ctx.p(ctx.t("verification"), "h2"), verification_block(ctx, doc),
                             Spacer(0, 1 * mm), ctx.p(ctx.t("times_note", tz=ctx.tz.label), "small")]))
    return out


def result_sheet_pdf(doc: Doc, earlier: Sequence[Doc] = (), *, lang: str = "zh", base_url: str | None = None,
                     fingerprint: str | None = None, timezone: str | None = None) -> bytes:
    """The result sheet of one round from its result document (pure: no database)."""
    ctx = Ctx(lang=lang, base_url=base_url or "", fingerprint=fingerprint, tz=sd.local_time(timezone))
    title = f"{ctx.t('result_title')} {doc['sheet_id']} — {doc['ballot']['title']}"
    return build(ctx, result_flowables(ctx, doc, earlier), title=title, author=doc["body"]["name"],
                 subject=doc["sitting"]["title"])


def render_result_sheet(store: Store, ballot_id: int, round_number: int, *, lang: str = "zh",
                        base_url: str | None = None, fingerprint: str | None = None,
                        timezone: str | None = None) -> bytes:
    """The (unsigned) result sheet of one closed round, from stored results."""
    with store.read() as s:
        doc = sd.result_document(s, ballot_id, round_number)
        earlier = sd.earlier_rounds(s, ballot_id, round_number)
    return result_sheet_pdf(doc, earlier, lang=lang, base_url=base_url, fingerprint=fingerprint, timezone=timezone)
