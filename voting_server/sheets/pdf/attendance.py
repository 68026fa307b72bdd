"""The attendance sheet of a sitting: the counts and the quorum, then every member and observer with
their attendance, reason and sign-in time.
"""
from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

import ballots
from ballots import labels

from ...db import Store
from .. import data as sd
from .blocks import grid, head, info_table, signature_block, sitting_rows, widths
from .page import Ctx, SectionMark, build


def _counts(ctx: Ctx, att: dict[str, Any]) -> list[Flowable]:
    """Entitled, on site, by video, present, on leave, absent; and whether the quorum is met."""
    counts, q = att["counts"], att["quorum"]
    quorum_txt = (f"{q['rule_zh']}，需{q['needed']}人，{'符合' if q['held'] else '不足'}" if ctx.zh else
                  f"{q['rule_en']}: {q['needed']} needed, {'met' if q['held'] else 'NOT met'}")
    video, leave, absent = (ctx.label(labels.ATTENDANCE, code) for code in ("video", "leave", "absent"))
    cols = [ctx.t("entitled"), ctx.t("on_site"), video, ctx.t("present"), leave, absent]
    vals = [counts["entitled"], counts["present"], counts["video"], counts["attending"], counts["leave"], counts["absent"]]
    return [ctx.p(ctx.t("attendance"), "h2"),
            grid([[ctx.p(h, "cell_c") for h in cols], [str(v) for v in vals]], widths([None] * 6), center_from=0),
            Spacer(0, 1.2 * mm), ctx.p(f"{ctx.t('quorum')}{ctx.colon()}{quorum_txt}", "body")]


def _delegations(ctx: Ctx, rows: list[dict[str, Any]]) -> list[Flowable]:
    """One row per delegation: 应到, 现场出席, 视频出席, 实到, 请假, 缺席 (attendance only, never choices)."""
    video, leave, absent = (ctx.label(labels.ATTENDANCE, code) for code in ("video", "leave", "absent"))
    cols = [ctx.t("delegation"), ctx.t("entitled"), ctx.t("on_site"), video, ctx.t("present"), leave, absent]
    table: list[list[Any]] = [[ctx.p(h, "cell_c") for h in cols]]
    for r in rows:
        table.append([ctx.p(r["delegation"] or ctx.t("no_delegation"), "cell")] + [
            str(r[k]) for k in ("entitled", "on_site", "video", "present", "leave", "absent")])
    total = ["entitled", "on_site", "video", "present", "leave", "absent"]
    table.append([ctx.p(ctx.t("total"), "cell")] + [str(sum(r[k] for r in rows)) for k in total])
    return [ctx.p(ctx.t("by_delegation"), "h2"),
            grid(table, widths([None] + [18 * mm] * 6), center_from=1,
                 extra=[("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black)])]


def _people(ctx: Ctx, people: list[dict[str, Any]], with_reason: bool) -> Table:
    """Seat, name, (delegation,) title, attendance, (reason,) sign-in time of each person."""
    grouped = any(p.get("delegation") for p in people)
    cols = [ctx.t("seat"), ctx.t("name")] + ([ctx.t("delegation")] if grouped else []) + [
        ctx.t("title"), ctx.t("status")] + ([ctx.t("reason")] if with_reason else []) + [ctx.t("signed_in")]
    rows: list[list[Any]] = [[ctx.p(h, "cell_c") for h in cols]]
    for p in people:
        row = [p.get("seat") or "", ctx.p(p["name"], "cell")] + (
            [ctx.p(p.get("delegation") or "", "cell")] if grouped else []) + [
            ctx.p(p.get("title") or "", "cell"), ctx.p(ctx.label(labels.ATTENDANCE, p["status"]), "cell_c")]
        if with_reason:
            row.append(ctx.p(p.get("reason") or "", "cell"))
        row.append(ctx.p(ctx.time(p["signed_in_at"]) if p.get("signed_in_at") else "—", "cell_c"))
        rows.append(row)
    fixed = [12 * mm, 24 * mm] + ([30 * mm] if grouped else []) + [None, 20 * mm] + ([38 * mm] if with_reason else []) + [35 * mm]
    return grid(rows, widths(fixed), extra=[("ALIGN", (0, 0), (0, -1), "CENTER")])


def attendance_flowables(ctx: Ctx, att: dict[str, Any]) -> list[Flowable]:
    """The flowables of the attendance sheet (also inside the bundle)."""
    sitting = att["sitting"]
    label = f"{att['body']['name']} · {ctx.t('attendance_title')} {att['sheet_id']}"
    out: list[Flowable] = [SectionMark(label)] + head(ctx, att["body"]["name"], ctx.t("attendance_title"), sitting["title"])
    out.append(info_table(ctx, sitting_rows(ctx, sitting)))
    out += _counts(ctx, att)
    if att.get("delegations"):
        out += _delegations(ctx, att["delegations"])
    words = ballots.Words.from_dict(att["words"]) if "words" in att else ballots.MEMBERS
    out += [ctx.p(words.roster_zh if ctx.zh else words.roster_en[:1].upper() + words.roster_en[1:], "h2"),
            _people(ctx, att["members"], True)]
    if att["observers"]:
        out += [ctx.p(ctx.t("observers"), "h2"), _people(ctx, att["observers"], False)]
    final = sitting.get("status") == "closed"
    note = (("会议已闭会，以上为最终出席记录。" if final else "会议尚未闭会，以上为生成时的出席记录。") if ctx.zh else
            ("The sitting is closed: this is the final record." if final else
             "The sitting is not closed: this is the record when the sheet was generated."))
    out += [Spacer(0, 2 * mm), ctx.p(note + " " + ctx.t("times_note", tz=ctx.tz.label), "small"), Spacer(0, 3 * mm),
            KeepTogether([signature_block(ctx, sitting.get("chair") or "", sitting.get("clerk") or "", scrutineers=False)])]
    return out


def attendance_sheet_pdf(att: dict[str, Any], *, lang: str = "zh", timezone: str | None = None) -> bytes:
    ctx = Ctx(lang=lang, tz=sd.local_time(timezone))
    return build(ctx, attendance_flowables(ctx, att), title=f"{ctx.t('attendance_title')} — {att['sitting']['title']}",
                 author=att["body"]["name"], subject=att["sitting"]["title"])


def render_attendance_sheet(store: Store, sitting_id: int, *, lang: str = "zh", timezone: str | None = None) -> bytes:
    with store.read() as s:
        att = sd.attendance_document(s, sitting_id)
    return attendance_sheet_pdf(att, lang=lang, timezone=timezone)
