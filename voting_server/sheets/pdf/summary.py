"""The summary of a sitting: attendance in one sentence, then one row per round of every ballot of the
agenda (kind, method, the votes in short, the outcome), what was withdrawn (撤回: in the table, and listed
with when and the reason stated), and the audit-chain head when generated.
"""
from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

import ballots
from ballots import labels

from ...db import Store
from .. import data as sd
from .blocks import fit, grid, head, info_table, signature_block, sitting_rows, widths
from .kind_tables import final_list_lines, option_labels, question_outcome, spec_of
from .page import MONO, Ctx, SectionMark, build

Doc = dict[str, Any]


def _votes_cell(ctx: Ctx, doc: Doc) -> str:
    """The votes of one round in short: counts, grades, or what a selection chose."""
    res = doc["result"]
    spec = spec_of(doc)
    kind = doc["ballot"]["kind"]
    options = option_labels(ctx, spec)
    # short in the table's narrow cell: 未按 for the tablets' 未按表决器, 未表决 for a show of hands
    not_voted_zh = labels.NOT_VOTED["hands"].zh if labels.not_voted_code(doc["method"]) == "hands" else "未按"

    def counts(q: dict[str, Any]) -> str:
        parts = [f"{lab}{q['counts'].get(code, 0)}" if ctx.zh else f"{lab} {q['counts'].get(code, 0)}"
                 for code, lab in options]
        parts.append(f"{not_voted_zh}{q['not_voted']}" if ctx.zh else f"not voted {q['not_voted']}")
        pending = res["turnout"].get("video_pending")
        if pending:  # by video, not entered: never among the 未按
            parts.append(f"{ctx.label(labels.VIDEO, 'pending')}{pending}" if ctx.zh else f"by video, not entered {pending}")
        return ("，" if ctx.zh else ", ").join(parts)

    if not res["quorum_held"]:
        t = res["turnout"]
        return f"应到{t['entitled']}人，实到{t['present']}人" if ctx.zh else f"entitled {t['entitled']}, present {t['present']}"
    if kind == "evaluation":
        return "\n".join(f"{q['label']}{ctx.colon()}{question_outcome(ctx, spec, q['outcome'])}" for q in res["questions"])
    if kind == "selection":
        chosen = [q["label"] for q in sorted(res["questions"], key=lambda q: q.get("rank") or 0) if q["outcome"] == "chosen"]
        names = {q["question_id"]: q["label"] for q in res["questions"]}
        text = (f"入选{len(chosen)}项：" if ctx.zh else f"chosen {len(chosen)}: ") + (ctx.join(chosen) or ctx.t("none"))
        for group in res.get("ties", []):
            text += ("\n并列：" if ctx.zh else "\ntie: ") + ctx.join(names.get(c, c) for c in group)
        if isinstance(spec, ballots.SelectionSpec):
            text += "".join("\n" + line for line in final_list_lines(ctx, spec, chosen, bool(res.get("ties")),
                                                                        earlier=False))
        return text
    if kind == "election":
        elected = [q["label"] for q in res["questions"] if q["outcome"] == "elected"]
        text = (f"当选{len(elected)}名：" if ctx.zh else f"elected {len(elected)}: ") + (ctx.join(elected) or ctx.t("none"))
        names = {q["question_id"]: q["label"] for q in res["questions"]}
        for group in res.get("ties", []):
            text += ("\n并列：" if ctx.zh else "\ntie: ") + ctx.join(names.get(c, c) for c in group)
        return text
    if len(res["questions"]) == 1:
        return counts(res["questions"][0])
    persons = {p.id: p.name for p in getattr(spec, "persons", ())}
    return "\n".join(f"{persons.get(q['question_id'], q['label'])}{ctx.colon()}{counts(q)}" for q in res["questions"])


def _attendance_line(ctx: Ctx, att: Doc) -> str:
    c, q = att["counts"], att["quorum"]
    if ctx.zh:
        return (f"应到{c['entitled']}人，实到{c['attending']}人（其中视频出席{c['video']}人），请假{c['leave']}人，"
                f"缺席{c['absent']}人；法定人数需{q['needed']}人，{'符合' if q['held'] else '不足'}。"
                "各项表决时的出席情况见各表决结果单。")
    return (f"Entitled {c['entitled']}, present {c['attending']} ({c['video']} by video), on leave {c['leave']}, absent "
            f"{c['absent']}; quorum {q['needed']}: {'met' if q['held'] else 'NOT met'}. Attendance at each vote is on "
            "its result sheet.")


def _item_rows(ctx: Ctx, item: dict[str, Any]) -> list[list[Any]]:
    """The rows of one agenda item: one per round of each of its ballots (numbered 3-1, 3-2 … when several)."""
    if not item["ballots"]:
        kind_name = ctx.label(labels.KIND, item["kind"]) if item["kind"] in labels.KIND else "—"
        gone = item.get("withdrawn")
        return [[str(item["position"]), ctx.p(item["title"], "cell"), ctx.p(kind_name, "cell"), "", "",
                 ctx.p(ctx.t("withdrawn_reason", reason=gone["reason"]) if gone else "", "cell"),
                 ctx.p(ctx.t("withdrawn") if gone else "不表决" if ctx.zh else "no vote", "cell")]]
    rows: list[list[Any]] = []
    multi = len(item["ballots"]) > 1
    for bi, b in enumerate(item["ballots"], start=1):
        no = f"{item['position']}-{bi}" if multi else str(item["position"])
        title = b["title"] if b["title"] == item["title"] else f"{b['title']}\n（{item['title']}）" if ctx.zh \
            else f"{b['title']}\n({item['title']})"
        kind = ctx.p(ctx.label(labels.KIND, b["kind"]), "cell")
        gone = b.get("withdrawn")
        if not b["rounds"] and not gone:
            state = ("表决中" if ctx.zh else "open") if b["open_round"] else ("未表决" if ctx.zh else "not voted")
            rows.append([no, ctx.p(title, "cell"), kind, "", ctx.p(ctx.label(labels.METHOD, b["method"]), "cell"),
                         "", ctx.p(state, "cell")])
        for d in b["rounds"]:
            rows.append([no, ctx.p(title, "cell"), kind, str(d["round"]["number"]),
                         ctx.p(ctx.label(labels.METHOD, d["method"]), "cell"), ctx.p(_votes_cell(ctx, d), "cell"),
                         ctx.p(ctx.label(labels.OUTCOME, d["result"]["outcome"]), "cell")])
        if gone:  # after the rounds with a result (kept): the withdrawal, with the round it ended uncounted
            rows.append([no, ctx.p(title, "cell"), kind, str(gone["round"] or ""),
                         ctx.p(ctx.label(labels.METHOD, b["method"]), "cell"),
                         ctx.p(ctx.t("withdrawn_reason", reason=gone["reason"]), "cell"),
                         ctx.p(ctx.t("withdrawn"), "cell")])
    return rows


def withdrawal_lines(ctx: Ctx, overview: dict[str, Any]) -> list[str]:
    """Each withdrawal of the sitting, in agenda order: an item (with its ballots), or a ballot on its own
    (and the round it ended uncounted), with when and the reason stated."""
    out = []
    for item in overview["items"]:
        gone = item.get("withdrawn")
        if gone:
            what = ctx.t("withdrawn_item") if item["ballots"] else ""
            out.append(ctx.t("withdrawn_line", no=str(item["position"]), title=item["title"],
                             at=ctx.time(gone["at"], seconds=False), what=what, reason=gone["reason"]))
        multi = len(item["ballots"]) > 1
        for bi, b in enumerate(item["ballots"], start=1):
            mine = b.get("withdrawn")
            if not mine or (gone and mine["reason"] == gone["reason"] and mine["round"] is None):
                continue  # withdrawn with its item: the item's line says so
            what = ctx.t("withdrawn_round", n=mine["round"]) if mine["round"] else ""
            out.append(ctx.t("withdrawn_line", no=f"{item['position']}-{bi}" if multi else str(item["position"]),
                             title=b["title"], at=ctx.time(mine["at"], seconds=False), what=what,
                             reason=mine["reason"]))
    return out


def column_widths(ctx: Ctx, overview: dict[str, Any]) -> list[float]:
    """The results table's columns (points): number, question, kind, round, method, votes, outcome. No
    header, and no kind's name, breaks inside a word: a column is as wide as they need."""
    cols = _columns(ctx)
    kinds = {b["kind"] for item in overview["items"] for b in item["ballots"]} | {
        item["kind"] for item in overview["items"] if item["kind"] in labels.KIND}
    kind_w = fit(ctx, 13 * mm if ctx.zh else 20 * mm, cols[2], *(ctx.label(labels.KIND, k) for k in kinds), style="cell")
    return widths([fit(ctx, 11 * mm, cols[0]), 48 * mm, kind_w, fit(ctx, 11 * mm, cols[3]), fit(ctx, 18 * mm, cols[4]),
                   None, fit(ctx, 20 * mm, cols[6])])


def _columns(ctx: Ctx) -> list[str]:
    return [ctx.t("no"), ctx.t("question"), ctx.t("kind"), ctx.t("round"), ctx.t("method"), ctx.t("counts"),
            ctx.t("outcome")]


def results_table(ctx: Ctx, overview: dict[str, Any]) -> Table:
    """One row per round of every ballot of the agenda, under a header that reads whole."""
    rows: list[list[Any]] = [[ctx.p(h, "cell_c") for h in _columns(ctx)]]
    for item in overview["items"]:
        rows += _item_rows(ctx, item)
    return grid(rows, column_widths(ctx, overview),
                extra=[("ALIGN", (0, 0), (0, -1), "CENTER"), ("ALIGN", (3, 0), (3, -1), "CENTER")])


def summary_flowables(ctx: Ctx, overview: dict[str, Any]) -> list[Flowable]:
    """The flowables of the summary (also the first part of the bundle)."""
    att = overview["attendance"]
    sitting = att["sitting"]
    label = f"{att['body']['name']} · {ctx.t('summary_title')} {sd.summary_sheet_id(sitting['id'])}"
    out: list[Flowable] = [SectionMark(label)] + head(ctx, att["body"]["name"], ctx.t("summary_title"), sitting["title"])
    out.append(info_table(ctx, sitting_rows(ctx, sitting)))
    out += [Spacer(0, 1.5 * mm), ctx.p(_attendance_line(ctx, att), "body"), ctx.p(ctx.t("result"), "h2")]
    out.append(results_table(ctx, overview))
    lines = withdrawal_lines(ctx, overview)
    if lines:
        out += [ctx.p(ctx.t("withdrawals"), "h2")] + [ctx.p(line, "body") for line in lines]
    chain = overview["audit"]
    note = (f"各项表决的详细结果、出席情况和核验方式见各表决结果单（附二维码和电子签名）。生成时审计链头：第{chain['id']}条 "
            if ctx.zh else "Each vote's details, attendance and verification are on its result sheet (QR code and "
            f"electronic signature). Audit-chain head when generated: entry {chain['id']} ")
    out += [Spacer(0, 2 * mm), ctx.p(escape(note) + f'<font name="{MONO}">{chain["head"]}</font>', "small", markup=True),
            ctx.p(ctx.t("times_note", tz=ctx.tz.label), "small"), Spacer(0, 3 * mm),
            KeepTogether([signature_block(ctx, sitting.get("chair") or "", sitting.get("clerk") or "", scrutineers=False)])]
    return out


def summary_pdf(overview: dict[str, Any], *, lang: str = "zh", timezone: str | None = None) -> bytes:
    ctx = Ctx(lang=lang, tz=sd.local_time(timezone))
    att = overview["attendance"]
    return build(ctx, summary_flowables(ctx, overview), title=f"{ctx.t('summary_title')} — {att['sitting']['title']}",
                 author=att["body"]["name"], subject=att["sitting"]["title"])


def render_sitting_summary(store: Store, sitting_id: int, *, lang: str = "zh", timezone: str | None = None) -> bytes:
    with store.read() as s:
        overview = sd.sitting_overview(s, sitting_id)
    return summary_pdf(overview, lang=lang, timezone=timezone)
