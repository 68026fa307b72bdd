"""Result sheets as A4 PDFs (reportlab): the result of one round, the sitting summary, the attendance
sheet and the session bundle, in Chinese (``lang="zh"``, the official form) or English (``lang="en"``).

Everything printed comes from the stored documents of :mod:`.data`; nothing is recounted here. The
``*_pdf`` functions are pure (a document in, PDF bytes out); the ``render_*`` functions read the store.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

import ballots

from ..db import Store
from . import data as sd
from .fonts import sheet_font

PAGE_W, PAGE_H = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 15 * mm
MARGIN_BOTTOM = 17 * mm
CONTENT_W = PAGE_W - 2 * MARGIN_X  # 174 mm
MONO = "Courier"
GRID = colors.HexColor("#808080")
HEAD_BG = colors.HexColor("#EBEBEB")
GREY = colors.HexColor("#555555")
LANGS = ("zh", "en")


# --- wording --------------------------------------------------------------------------------------

_L: dict[str, tuple[str, str]] = {
    "result_title": ("表决结果单", "Voting Result Sheet"),
    "summary_title": ("会议表决结果汇总", "Summary of Votes"),
    "attendance_title": ("出席情况表", "Attendance Sheet"),
    "sitting": ("会议", "Sitting"),
    "date": ("日期", "Date"),
    "place": ("地点", "Place"),
    "item": ("议题", "Agenda item"),
    "question": ("表决事项", "Question"),
    "kind": ("表决类型", "Ballot kind"),
    "method": ("表决方式", "Method"),
    "secrecy": ("记名方式", "Secrecy"),
    "round": ("轮次", "Round"),
    "opened": ("开始时间", "Opened"),
    "closed": ("结束时间", "Closed"),
    "chair": ("主持人", "Chair"),
    "clerk": ("工作人员", "Clerk"),
    "rule": ("通过规则", "Passing rule"),
    "quorum": ("法定人数", "Quorum"),
    "hands": ("举手计票", "Show of hands"),
    "note": ("说明", "Note"),
    "attendance": ("出席情况", "Attendance"),
    "entitled": ("应到", "Entitled"),
    "present": ("实到", "Present"),
    "on_site": ("现场出席", "On site"),
    "video": ("视频出席", "By video"),
    "leave": ("请假", "On leave"),
    "absent": ("缺席", "Absent"),
    "cast": ("有效票", "Valid ballots"),
    "invalid": ("无效票", "Invalid"),
    "not_voted": ("未按表决器", "Not voted"),
    "needed": ("需", "Needed"),
    "outcome": ("结果", "Outcome"),
    "result": ("表决结果", "Result"),
    "announcement": ("主持人宣布", "Announcement"),
    "earlier": ("此前各轮表决", "Earlier rounds of this ballot"),
    "named": ("记名表决明细", "Named vote record"),
    "signatures": ("签字", "Signatures"),
    "scrutineer": ("监票人（签字）", "Scrutineers (sign)"),
    "teller": ("计票人（签字）", "Teller (sign)"),
    "sign_date": ("日期", "Date"),
    "verification": ("核验", "Verification"),
    "sheet_id": ("结果单编号", "Sheet id"),
    "digest": ("结果摘要（SHA-256）", "Result digest (SHA-256)"),
    "chain_head": ("审计链头（结束表决时）", "Audit-chain head at the close"),
    "chain_now": ("审计链头（生成时）", "Audit-chain head when generated"),
    "cert": ("签名证书指纹（SHA-256）", "Signing certificate (SHA-256)"),
    "verify_url": ("核验地址", "Verification address"),
    "seat": ("座位", "Seat"),
    "name": ("姓名", "Name"),
    "title": ("职务", "Title"),
    "choice": ("表决意见", "Vote"),
    "status": ("出席情况", "Attendance"),
    "reason": ("原因", "Reason"),
    "signed_in": ("签到时间", "Signed in"),
    "members": ("常委会组成人员", "Members"),
    "observers": ("列席人员", "Observers (non-voting)"),
    "no": ("序号", "No."),
    "counts": ("表决情况", "Votes"),
    "rank": ("名次", "Rank"),
    "candidate": ("候选项目", "Candidate"),
    "object": ("测评对象", "Object"),
    "grade": ("测评等次", "Grade reached"),
    "person": ("姓名", "Name"),
    "matter": ("任免事项", "Matter"),
    "none": ("无", "none"),
    "page": ("第 {p} 页 共 {n} 页", "Page {p} of {n}"),
    "generated": ("生成于 {t}（{tz}）", "Generated {t} ({tz})"),
    "times_note": ("时间均为当地时间（{tz}）。", "Times are local ({tz})."),
    "status_line": ("会议状态", "Status"),
    "session": ("会期", "Session"),
}

KIND_SHORT = {"resolution": ("议案", "resolution"), "appointment": ("任免", "appointment"),
              "evaluation": ("测评", "evaluation"), "selection": ("票决", "selection")}
KIND = {"resolution": ("议案（决定/决议）", "Resolution"), "appointment": ("人事任免", "Appointment / removal"),
        "evaluation": ("满意度测评", "Satisfaction evaluation"), "selection": ("票决", "Selection")}
METHOD_SHORT = {"tablet": ("电子表决", "tablets"), "hands": ("举手", "hands"), "mixed": ("电子＋举手", "tablets + hands")}
METHOD = {"tablet": ("电子表决", "Electronic (tablets)"), "hands": ("举手表决", "Show of hands"),
          "mixed": ("混合（电子表决＋举手）", "Mixed (tablets + show of hands)")}
ATT = {"present": ("出席", "present"), "video": ("视频出席", "by video"), "leave": ("请假", "on leave"),
       "absent": ("缺席", "absent")}
SITTING_STATUS = {"planned": ("未开会", "planned"), "open": ("进行中", "in progress"), "closed": ("已闭会", "closed")}
OUTCOME = {
    "passed": ("通过", "Passed"), "failed": ("未获通过", "Not passed"),
    "mixed": ("部分通过（逐人结果见上表）", "Partly passed (see each person above)"),
    "evaluated": ("已测评（各对象等次见上表）", "Evaluated (grades above)"),
    "selected": ("已票决（入选项目见上表）", "Selection made (chosen above)"),
    "tie": ("票决出现并列，需另行表决", "Tie at the cut-off: a run-off is needed"),
    "no_quorum": ("不足法定人数，表决不产生结果", "No quorum: the vote has no outcome"),
}
SHORT_OUTCOME = {"passed": ("通过", "passed"), "failed": ("未获通过", "not passed"), "mixed": ("部分通过", "partly passed"),
                 "evaluated": ("已测评", "evaluated"), "selected": ("已票决", "selected"),
                 "tie": ("并列，需另行表决", "tie: run-off"), "no_quorum": ("不足法定人数", "no quorum")}
Q_OUTCOME = {"passed": ("通过", "passed"), "failed": ("未获通过", "not passed"), "chosen": ("入选", "chosen"),
             "not_chosen": ("未入选", "not chosen"), "tie": ("并列（需另行表决）", "tie (run-off)"),
             "no_quorum": ("不足法定人数", "no quorum")}


@dataclass
class Ctx:
    """Language, time zone, font and styles of one PDF."""

    lang: str = "zh"
    base_url: str = ""
    tz: sd.LocalTime = field(default_factory=sd.local_time)
    fingerprint: str | None = None
    generated: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ValueError(f"lang must be one of {LANGS}, not {self.lang!r}")
        self.base_url = self.base_url or sd.default_base_url()
        self.font = sheet_font().name
        # Chinese breaks between any two characters; English breaks at spaces (long runs are still split)
        wrap = "CJK" if self.zh else None
        base = {"fontName": self.font, "wordWrap": wrap}
        self.st = {
            "body": ParagraphStyle("body", fontSize=9.5, leading=13.5, **base),
            "cell": ParagraphStyle("cell", fontSize=8.8, leading=11.5, **base),
            "cell_c": ParagraphStyle("cell_c", fontSize=8.8, leading=11.5, alignment=TA_CENTER, **base),
            "small": ParagraphStyle("small", fontSize=8, leading=10.8, textColor=GREY, **base),
            "mono": ParagraphStyle("mono", fontSize=6.6, leading=8.6, fontName=MONO, wordWrap="CJK"),
            "org": ParagraphStyle("org", fontSize=13, leading=17, alignment=TA_CENTER, **base),
            "h1": ParagraphStyle("h1", fontSize=18, leading=23, alignment=TA_CENTER, spaceBefore=2, spaceAfter=2, **base),
            "sub": ParagraphStyle("sub", fontSize=10, leading=14, alignment=TA_CENTER, textColor=GREY, **base),
            "h2": ParagraphStyle("h2", fontSize=11.5, leading=15, spaceBefore=6, spaceAfter=2.5, **base),
            "outcome": ParagraphStyle("outcome", fontSize=13, leading=18, spaceBefore=4, spaceAfter=2, **base),
            "right": ParagraphStyle("right", fontSize=9.5, leading=13.5, alignment=TA_RIGHT, **base),
            "left": ParagraphStyle("left", fontSize=9.5, leading=13.5, alignment=TA_LEFT, **base),
        }

    @property
    def zh(self) -> bool:
        return self.lang == "zh"

    def t(self, key: str, **kw: Any) -> str:
        zh, en = _L[key]
        return (zh if self.zh else en).format(**kw) if kw else (zh if self.zh else en)

    def pick(self, pair: tuple[str, str] | None, fallback: str = "") -> str:
        if pair is None:
            return fallback
        return pair[0] if self.zh else pair[1]

    def p(self, text: str, style: str = "body", *, markup: bool = False) -> Paragraph:
        body = text if markup else escape(text).replace("\n", "<br/>")
        return Paragraph(body, self.st[style])

    def time(self, value: Any, seconds: bool = True) -> str:
        return self.tz.fmt(value, seconds=seconds)

    def date(self, iso_date: str) -> str:
        d = dt.date.fromisoformat(iso_date)
        return f"{d.year}年{d.month}月{d.day}日" if self.zh else d.isoformat()

    def colon(self) -> str:
        return "：" if self.zh else ": "

    def join(self, parts: Iterable[str]) -> str:
        return ("、" if self.zh else ", ").join(parts)


# --- building blocks ------------------------------------------------------------------------------


class QRCode(Flowable):
    """A QR code drawn as vector squares (crisp on paper, nothing rasterised)."""

    def __init__(self, text: str, size: float) -> None:
        super().__init__()
        qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2, box_size=1)
        qr.add_data(text)
        qr.make(fit=True)
        self.matrix = qr.get_matrix()
        self.text = text
        self.width = self.height = size

    def draw(self) -> None:
        c = self.canv
        n = len(self.matrix)
        cell = self.width / n
        c.setFillColor(colors.white)
        c.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        c.setFillColor(colors.black)
        for r, row in enumerate(self.matrix):
            y = self.height - (r + 1) * cell
            start = None
            for col, dark in enumerate(list(row) + [False]):
                if dark and start is None:
                    start = col
                elif not dark and start is not None:
                    c.rect(start * cell, y, (col - start) * cell, cell, stroke=0, fill=1)
                    start = None


class SectionMark(Flowable):
    """Zero-size marker: the footer of this page and the next ones names this section."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label
        self.width = self.height = 0

    def draw(self) -> None:
        self.canv._biaojue_label = self.label  # type: ignore[attr-defined]


def _numbered_canvas(ctx: Ctx) -> Callable[..., rl_canvas.Canvas]:
    """A canvas that knows the page count when drawing footers ("第 2 页 共 5 页")."""

    class NumberedCanvas(rl_canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._footer(number, total)
                super().showPage()
            super().save()

        def _footer(self, number: int, total: int) -> None:
            self.saveState()
            self.setStrokeColor(GRID)
            self.setLineWidth(0.4)
            self.line(MARGIN_X, 12.5 * mm, PAGE_W - MARGIN_X, 12.5 * mm)
            self.setFillColor(GREY)
            self.setFont(ctx.font, 7.5)
            label = getattr(self, "_biaojue_label", "")
            self.drawString(MARGIN_X, 9 * mm, label)
            self.drawRightString(PAGE_W - MARGIN_X, 9 * mm, ctx.t("page", p=number, n=total))
            when = ctx.t("generated", t=ctx.time(ctx.generated.replace(tzinfo=None), seconds=False), tz=ctx.tz.label)
            self.drawString(MARGIN_X, 5.5 * mm, when)
            self.restoreState()

    return NumberedCanvas


def _build(ctx: Ctx, flowables: list[Flowable], *, title: str, author: str, subject: str) -> bytes:
    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
                          bottomMargin=MARGIN_BOTTOM, title=title, author=author, subject=subject,
                          creator="Biaojue", producer="Biaojue (reportlab)", lang="zh-CN" if ctx.zh else "en")
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, CONTENT_W, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM, id="main",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(flowables, canvasmaker=_numbered_canvas(ctx))
    return buf.getvalue()


def _grid(data: list[list[Any]], widths: Sequence[float], *, header_rows: int = 1, center_from: int | None = None,
          extra: Sequence[tuple[Any, ...]] = ()) -> Table:
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        style.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD_BG))
    if center_from is not None:
        style.append(("ALIGN", (center_from, 0), (-1, -1), "CENTER"))
    style.extend(extra)
    table = Table(data, colWidths=list(widths), repeatRows=header_rows, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    return table


def _widths(fixed: Sequence[float | None], total: float = CONTENT_W) -> list[float]:
    """Column widths in points; ``None`` columns share what is left."""
    free = total - sum(w for w in fixed if w is not None)
    n_free = sum(1 for w in fixed if w is None) or 1
    return [w if w is not None else free / n_free for w in fixed]


def _head(ctx: Ctx, org: str, title: str, sub: str) -> list[Flowable]:
    return [ctx.p(org, "org"), ctx.p(title, "h1"), ctx.p(sub, "sub"), Spacer(0, 3 * mm)]


def _info_table(ctx: Ctx, rows: list[tuple[str, str, str | None, str | None]]) -> Table:
    """Label/value pairs, two per row; a row with a single pair spans the full width."""
    cw = _widths([24 * mm, None, 24 * mm, None])
    data: list[list[Any]] = []
    extra: list[tuple[Any, ...]] = []
    for i, (l1, v1, l2, v2) in enumerate(rows):
        extra.append(("BACKGROUND", (0, i), (0, i), HEAD_BG))
        if l2 is None:
            data.append([ctx.p(l1, "cell"), ctx.p(v1, "cell"), "", ""])
            extra.append(("SPAN", (1, i), (3, i)))
        else:
            data.append([ctx.p(l1, "cell"), ctx.p(v1, "cell"), ctx.p(l2, "cell"), ctx.p(v2 or "", "cell")])
            extra.append(("BACKGROUND", (2, i), (2, i), HEAD_BG))
    return _grid(data, cw, header_rows=0, extra=extra)


# --- the result of one round ----------------------------------------------------------------------


def _spec(doc: dict[str, Any]) -> ballots.BallotSpec:
    return ballots.spec_from_dict(doc["spec"])


def _option_labels(ctx: Ctx, spec: ballots.BallotSpec) -> list[tuple[str, str]]:
    """(code, label) of the options of the spec's questions, in order."""
    seen: dict[str, str] = {}
    for q in spec.questions():
        for o in q.options:
            seen.setdefault(o.code, o.zh if ctx.zh else o.en[:1].upper() + o.en[1:])
    if isinstance(spec, ballots.SelectionSpec) and spec.options == "mark":
        seen = {"mark": "得票" if ctx.zh else "Votes"}
    return list(seen.items())


def _q_outcome(ctx: Ctx, spec: ballots.BallotSpec, code: str) -> str:
    if isinstance(spec, ballots.EvaluationSpec):
        for g in spec.grades:
            if g.code == code:
                return g.zh if ctx.zh else g.en
    return ctx.pick(Q_OUTCOME.get(code), code)


def _count_cols(ctx: Ctx, spec: ballots.BallotSpec) -> list[str]:
    return [label for _code, label in _option_labels(ctx, spec)]


def _rule_text(ctx: Ctx, rule: dict[str, Any]) -> tuple[str, str]:
    threshold = ballots.Threshold.from_dict(rule["threshold"])
    quorum = ballots.Quorum.from_dict(rule["quorum"])
    return (threshold.describe_zh() if ctx.zh else threshold.describe_en(),
            quorum.describe_zh() if ctx.zh else quorum.describe_en())


def _absentee_text(ctx: Ctx, absentees: list[dict[str, str]], status: str) -> str:
    people = [a for a in absentees if a.get("status", "absent") == status]
    if not people:
        return ctx.t("none")
    if ctx.zh:
        return "、".join(f"{a['name']}（{a['reason']}）" if a.get("reason") else a["name"] for a in people)
    return ", ".join(f"{a['name']} ({a['reason']})" if a.get("reason") else a["name"] for a in people)


def _kind_table(ctx: Ctx, doc: dict[str, Any]) -> list[Flowable]:
    spec = _spec(doc)
    res = doc["result"]
    questions = res["questions"]
    options = _option_labels(ctx, spec)
    cnt = lambda q, code: str(q["counts"].get(code, 0))
    out: list[Flowable] = []
    kind = doc["ballot"]["kind"]
    n_opt = len(options)
    if kind == "appointment":
        persons = {p.id: p for p in spec.persons}  # type: ignore[attr-defined]
        head = [ctx.t("person"), ctx.t("matter")] + [lab for _c, lab in options] + [
            ctx.t("not_voted"), ctx.t("needed"), ctx.t("outcome")]
        rows: list[list[Any]] = [[ctx.p(h, "cell_c") for h in head]]
        for q in questions:
            p = persons.get(q["question_id"])
            name = p.name if p else q["label"]
            matter = (p.describe_zh() if ctx.zh else p.describe_en()) if p else ""
            rows.append([ctx.p(name, "cell"), ctx.p(matter, "cell")] + [cnt(q, c) for c, _l in options]
                        + [str(q["not_voted"]), str(q["needed"]), ctx.p(_q_outcome(ctx, spec, q["outcome"]), "cell_c")])
        out.append(_grid(rows, _widths([22 * mm, None] + [13 * mm] * n_opt + [20 * mm, 13 * mm, 22 * mm]), center_from=2))
        notes = []
        for q in questions:
            p = persons.get(q["question_id"])
            if p is None or p.action != "appoint" or q["outcome"] not in ("passed", "failed"):
                continue
            if q["outcome"] == "passed":
                notes.append(f"{p.name}：任命通过，颁发任命书，依法进行宪法宣誓。" if ctx.zh else
                             f"{p.name}: appointed; the letter of appointment and the constitutional oath follow.")
            else:
                notes.append(f"{p.name}：任命未获通过，不颁发任命书，不进行宪法宣誓。" if ctx.zh else
                             f"{p.name}: not approved; no letter of appointment, no oath.")
        if notes:
            out += [Spacer(0, 1.5 * mm), ctx.p("\n".join(notes), "small")]
    elif kind == "evaluation":
        head = [ctx.t("object")] + [lab for _c, lab in options] + [ctx.t("not_voted"), ctx.t("needed"), ctx.t("grade")]
        rows = [[ctx.p(h, "cell_c") for h in head]]
        for q in questions:
            rows.append([ctx.p(q["label"], "cell")] + [cnt(q, c) for c, _l in options]
                        + [str(q["not_voted"]), str(q["needed"]), ctx.p(_q_outcome(ctx, spec, q["outcome"]), "cell_c")])
        out.append(_grid(rows, _widths([None] + [16 * mm] * n_opt + [20 * mm, 13 * mm, 24 * mm]), center_from=1))
        assert isinstance(spec, ballots.EvaluationSpec)
        counted = [g for g in spec.grades if g.code in spec.counted_grades()]
        thr, _q = _rule_text(ctx, doc["rule"])
        if ctx.zh:
            steps = []
            acc: list[str] = []
            for g in counted[:-1]:
                acc.append(g.zh)
                steps.append(f"{'与'.join(acc)}票{'之和' if len(acc) > 1 else ''}达到{thr}的，为“{g.zh}”")
            rule = "；".join(steps) + f"；否则为“{counted[-1].zh}”。"
        else:
            steps = []
            acc = []
            for g in counted[:-1]:
                acc.append(g.en)
                steps.append(f"'{g.en}' when {' + '.join(acc)} votes reach {thr}")
            rule = "; ".join(steps) + f"; otherwise '{counted[-1].en}'."
        out += [Spacer(0, 1.5 * mm), ctx.p(rule, "small")]
    elif kind == "selection":
        assert isinstance(spec, ballots.SelectionSpec)
        position = {c.id: i for i, c in enumerate(spec.candidates)}
        ordered = sorted(questions, key=lambda q: (q.get("rank") or 0, position.get(q["question_id"], 0)))
        head = [ctx.t("rank"), ctx.t("candidate")] + [lab for _c, lab in options] + [
            ctx.t("not_voted"), ctx.t("needed"), ctx.t("outcome")]
        rows = [[ctx.p(h, "cell_c") for h in head]]
        for q in ordered:
            rows.append([str(q.get("rank") or ""), ctx.p(q["label"], "cell")] + [cnt(q, c) for c, _l in options]
                        + [str(q["not_voted"]), str(q["needed"]), ctx.p(_q_outcome(ctx, spec, q["outcome"]), "cell_c")])
        out.append(_grid(rows, _widths([12 * mm, None] + [15 * mm] * n_opt + [20 * mm, 13 * mm, 28 * mm]), center_from=2,
                         extra=[("ALIGN", (0, 0), (0, -1), "CENTER")]))
        thr, _q = _rule_text(ctx, doc["rule"])
        needed = sorted({q["needed"] for q in questions})
        needed_txt = "/".join(map(str, needed))
        chosen = [q["label"] for q in ordered if q["outcome"] == "chosen"]
        if ctx.zh:
            lines = [f"每票最多选{spec.max_marks}项；得票达到{thr}（需{needed_txt}票）的项目按得票多少排序，取前{spec.max_marks}项。",
                     f"入选{len(chosen)}项" + (f"：{'、'.join(chosen)}。" if chosen else "。")]
        else:
            lines = [(f"At most {spec.max_marks} per ballot; candidates reaching {thr} ({needed_txt} needed) are "
                      f"ranked by votes and the first {spec.max_marks} are chosen."),
                     f"Chosen: {len(chosen)}" + (f" — {', '.join(chosen)}." if chosen else ".")]
        labels = {q["question_id"]: q["label"] for q in questions}
        for group in res.get("ties", []):
            names = ctx.join(labels.get(cid, cid) for cid in group)
            lines.append(f"并列：{names}得票相同，并列于限选名额处，需另行表决。" if ctx.zh else
                         f"Tie: {names} have equal votes at the cut-off; a run-off round is needed.")
        out += [Spacer(0, 1.5 * mm), ctx.p("\n".join(lines), "small")]
    else:  # resolution (and any single- or multi-question kind)
        first = len(questions) > 1
        head = ([ctx.t("question")] if first else []) + [lab for _c, lab in options] + [
            ctx.t("not_voted"), ctx.t("needed"), ctx.t("outcome")]
        rows = [[ctx.p(h, "cell_c") for h in head]]
        for q in questions:
            rows.append(([ctx.p(q["label"], "cell")] if first else []) + [cnt(q, c) for c, _l in options]
                        + [str(q["not_voted"]), str(q["needed"]), ctx.p(_q_outcome(ctx, spec, q["outcome"]), "cell_c")])
        widths = ([None] if first else []) + [None] * n_opt + [None, None, None]
        out.append(_grid(rows, _widths(widths), center_from=1 if first else 0))
    return out


def _named_table(ctx: Ctx, doc: dict[str, Any]) -> list[Flowable]:
    votes = doc.get("named_votes")
    if votes is None:
        return []
    spec = _spec(doc)
    questions = spec.questions()
    absent = {a["name"]: a for a in doc.get("absentees", [])}
    method = doc["method"]
    out: list[Flowable] = [CondPageBreak(40 * mm), ctx.p(ctx.t("named"), "h2")]
    if method == "hands":
        out.append(ctx.p("本轮以举手方式表决，没有个人表决记录。" if ctx.zh else
                         "This round was by show of hands: there is no individual record.", "small"))
        return out
    label_of = {q.id: q for q in questions}
    rows: list[list[Any]] = [[ctx.p(h, "cell_c") for h in (ctx.t("seat"), ctx.t("name"), ctx.t("title"), ctx.t("choice"))]]
    for v in votes:
        choice = v.get("choice")
        if v.get("voted") and choice is not None:
            if isinstance(spec, ballots.SelectionSpec) and spec.options == "mark":
                marked = [label_of[q].label for q in choice if q in label_of]
                text = (("选择：" + "、".join(marked)) if marked else "未选任何项目") if ctx.zh else \
                    (("Marked: " + ", ".join(marked)) if marked else "no candidate marked")
            elif len(questions) == 1:
                q = questions[0]
                o = q.option(choice[q.id]) if q.id in choice else None
                text = (o.zh if ctx.zh else o.en) if o else ""
            else:
                parts = []
                for q in questions:
                    if q.id in choice:
                        o = q.option(choice[q.id])
                        name = q.label
                        if isinstance(spec, ballots.AppointmentSpec):
                            name = next((p.name for p in spec.persons if p.id == q.id), q.label)
                        parts.append(f"{name}{ctx.colon()}{o.zh if ctx.zh else o.en}")
                text = ("；" if ctx.zh else "; ").join(parts)
        elif v["name"] in absent:
            a = absent[v["name"]]
            text = ctx.pick(ATT.get(a.get("status", "absent")), a.get("status", ""))
            if a.get("reason"):
                text += f"（{a['reason']}）" if ctx.zh else f" ({a['reason']})"
        elif method == "mixed":
            text = "未按表决器（或举手表决）" if ctx.zh else "not voted on a tablet (or by show of hands)"
        else:
            text = ctx.t("not_voted")
        rows.append([v.get("seat") or "", ctx.p(v["name"], "cell"), ctx.p(v.get("title", ""), "cell"), ctx.p(text, "cell")])
    out.append(_grid(rows, _widths([12 * mm, 24 * mm, 26 * mm, None]), extra=[("ALIGN", (0, 0), (0, -1), "CENTER")]))
    return out


def _signature_block(ctx: Ctx, chair: str, clerk: str, *, scrutineers: bool = True) -> Table:
    """Signature lines: scrutineers and teller (result sheets), chair and clerk named, and a date."""
    blank = "______年____月____日" if ctx.zh else ""
    sign = "（签字）" if ctx.zh else " (sign)"
    lines: list[tuple[Any, ...]] = []
    if scrutineers:
        data = [[ctx.p(ctx.t("scrutineer"), "cell"), "", ctx.p(ctx.t("teller"), "cell"), ""],
                [ctx.p(ctx.t("chair"), "cell"), ctx.p(chair, "cell"), ctx.p(ctx.t("clerk"), "cell"), ctx.p(clerk, "cell")],
                [ctx.p(ctx.t("sign_date"), "cell"), ctx.p(blank, "cell"), "", ""]]
        lines += [("LINEBELOW", (1, 0), (1, 0), 0.6, colors.black), ("LINEBELOW", (3, 0), (3, 0), 0.6, colors.black)]
        heights = [11 * mm, 7.5 * mm, 8 * mm]
    else:
        data = [[ctx.p(ctx.t("clerk") + sign, "cell"), "", ctx.p(ctx.t("chair") + sign, "cell"), ""],
                [ctx.p(ctx.t("sign_date"), "cell"), ctx.p(blank, "cell"), "", ""]]
        lines += [("LINEBELOW", (1, 0), (1, 0), 0.6, colors.black), ("LINEBELOW", (3, 0), (3, 0), 0.6, colors.black)]
        heights = [11 * mm, 8 * mm]
    if not ctx.zh:
        lines.append(("LINEBELOW", (1, len(data) - 1), (1, len(data) - 1), 0.6, colors.black))
    t = Table(data, colWidths=_widths([30 * mm, None, 30 * mm, None]), rowHeights=heights, hAlign="LEFT")
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 2)] + lines))
    return t


def _verification_block(ctx: Ctx, doc: dict[str, Any]) -> Table:
    h = sd.digest(doc)
    url = sd.verify_url(ctx.base_url, doc["sheet_id"], h)
    attachment = f"result-{doc['sheet_id']}.json"
    chain = f"审计链头（第{doc['audit']['id']}条）" if ctx.zh else f"Audit-chain head (entry {doc['audit']['id']})"
    pairs = [(ctx.t("sheet_id"), ctx.p(doc["sheet_id"], "cell")),
             (ctx.t("digest"), ctx.p(h, "mono")),
             (chain, ctx.p(doc["audit"]["head"], "mono"))]
    if ctx.fingerprint:
        pairs.append((ctx.t("cert"), ctx.p(ctx.fingerprint, "mono")))
    pairs.append((ctx.t("verify_url"), ctx.p(url, "mono")))
    if ctx.zh:
        how = ("核验方法：① 扫描二维码或打开核验地址，核对显示的结果与本页一致；② 将本 PDF 文件上传至核验页面，"
               "或在服务器上运行 python -m voting_server verify 文件名.pdf。本文件附有本机关电子签名（PAdES），"
               f"并内嵌结果数据 {attachment}。核验检查：签名完整且由本机关证书签署；签署后文件未被修改；内嵌结果与存档一致；"
               "审计链至上述链头（结束表决时）完整；按存档选票重新计票，结果一致。")
    else:
        how = ("How to verify: (1) scan the QR code or open the address and check that the result shown matches this "
               "page; (2) upload this PDF to the verification page, or run python -m voting_server verify FILE.pdf on "
               f"the server. The file carries the body's PAdES signature and embeds the result data ({attachment}). "
               "The check confirms that the signature is intact and made by the body's certificate, that the file is "
               "unmodified since signing, that the embedded result equals the stored one, that the audit chain is "
               "intact up to the head above (taken at the close), and that re-tallying the stored votes gives the same outcome.")
    qr_size = 34 * mm
    text_w = CONTENT_W - qr_size - 6 * mm
    rows: list[list[Any]] = [[ctx.p(label, "small"), value] for label, value in pairs]
    rows.append([ctx.p(how, "small"), ""])
    inner = Table(rows, colWidths=[36 * mm, text_w - 36 * mm], hAlign="LEFT")
    inner.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("SPAN", (0, len(rows) - 1), (1, len(rows) - 1)),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                               ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                               ("TOPPADDING", (0, len(rows) - 1), (-1, -1), 3)]))
    t = Table([[inner, QRCode(url, qr_size)]], colWidths=[text_w, qr_size + 6 * mm], hAlign="LEFT")
    t.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, GRID), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("ALIGN", (1, 0), (1, 0), "CENTER"), ("TOPPADDING", (0, 0), (-1, -1), 4),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                           ("LEFTPADDING", (0, 0), (-1, -1), 5), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
    return t


def _round_text(ctx: Ctx, number: int) -> str:
    if ctx.zh:
        return f"第{number}轮" + ("（重新表决）" if number > 1 else "")
    return f"Round {number}" + (" (re-vote)" if number > 1 else "")


def _announcement(ctx: Ctx, res: dict[str, Any]) -> str:
    return res["announcement_zh"] if ctx.zh else res["announcement_en"]


def _earlier_table(ctx: Ctx, earlier: Sequence[dict[str, Any]]) -> list[Flowable]:
    if not earlier:
        return []
    rows: list[list[Any]] = [[ctx.p(h, "cell_c") for h in (ctx.t("round"), ctx.t("closed"), ctx.t("method"),
                                                            ctx.t("outcome"), ctx.t("announcement"))]]
    for d in earlier:
        rows.append([ctx.p(_round_text(ctx, d["round"]["number"]), "cell"), ctx.p(ctx.time(d["round"]["closed_at"]), "cell"),
                     ctx.p(ctx.pick(METHOD.get(d["method"]), d["method"]), "cell"),
                     ctx.p(ctx.pick(SHORT_OUTCOME.get(d["result"]["outcome"]), d["result"]["outcome"]), "cell"),
                     ctx.p(_announcement(ctx, d["result"]), "cell")])
    note = ("以下为本表决此前各轮的结果（结果不作修改，逐轮保存）；各轮另有结果单。" if ctx.zh else
            "Results are never edited: each earlier round is kept and has its own sheet.")
    return [CondPageBreak(30 * mm), ctx.p(ctx.t("earlier"), "h2"), ctx.p(note, "small"), Spacer(0, 1 * mm),
            _grid(rows, _widths([20 * mm, 28 * mm, 24 * mm, 22 * mm, None]))]


def result_flowables(ctx: Ctx, doc: dict[str, Any], earlier: Sequence[dict[str, Any]] = ()) -> list[Flowable]:
    """The flowables of one result sheet (also used inside the bundle)."""
    res = doc["result"]
    turnout = res["turnout"]
    sitting = doc["sitting"]
    ballot = doc["ballot"]
    label = f"{doc['body']['name']} · {ctx.t('result_title')} {doc['sheet_id']}"
    sub = f"{sitting['title']}　{ctx.date(sitting['date'])}" if ctx.zh else f"{sitting['title']} · {ctx.date(sitting['date'])}"
    out: list[Flowable] = [SectionMark(label)] + _head(ctx, doc["body"]["name"], ctx.t("result_title"), sub)

    thr, quo = _rule_text(ctx, doc["rule"])
    needed = sorted({q["needed"] for q in res["questions"] if q.get("needed") is not None})
    needed_txt = "/".join(map(str, needed))
    item_txt = (f"第{doc['item']['position']}项　{doc['item']['title']}" if ctx.zh else
                f"Item {doc['item']['position']}: {doc['item']['title']}")
    rows: list[tuple[str, str, str | None, str | None]] = [
        (ctx.t("item"), item_txt, None, None),
        (ctx.t("question"), ballot["title"], None, None),
        (ctx.t("kind"), ctx.pick(KIND.get(ballot["kind"]), ballot["kind"]), ctx.t("method"),
         ctx.pick(METHOD.get(doc["method"]), doc["method"])),
        (ctx.t("secrecy"), ("无记名" if ballot["secret"] else "记名") if ctx.zh else
         ("secret ballot" if ballot["secret"] else "named ballot"), ctx.t("round"), _round_text(ctx, doc["round"]["number"])),
        (ctx.t("opened"), ctx.time(doc["round"]["opened_at"]), ctx.t("closed"), ctx.time(doc["round"]["closed_at"])),
        (ctx.t("chair"), sitting["chair"] or "—", ctx.t("clerk"), sitting["clerk"] or "—"),
        (ctx.t("rule"), f"{thr}（需{needed_txt}票）" if ctx.zh else f"{thr} ({needed_txt} needed)", ctx.t("quorum"),
         f"{quo}（需{res['quorum_needed']}人）" if ctx.zh else f"{quo} ({res['quorum_needed']} needed)"),
    ]
    hands = doc.get("hands")
    if hands:
        extra = f"，无效{hands['invalid']}票" if ctx.zh else f", {hands['invalid']} invalid"
        text = (f"由{hands['entered_by']}于{ctx.time(hands['entered_at'])}录入举手表决{hands['ballots']}票"
                f"{extra if hands['invalid'] else ''}" if ctx.zh else
                f"{hands['ballots']} hand vote(s){extra if hands['invalid'] else ''} entered by {hands['entered_by']} "
                f"at {ctx.time(hands['entered_at'])}")
        if hands.get("note"):
            text += f"（{hands['note']}）" if ctx.zh else f" ({hands['note']})"
        rows.append((ctx.t("hands"), text, None, None))
    if doc["round"].get("quorum_override"):
        rows.append((ctx.t("note"), "不足法定人数时经主持人决定进行表决（已记入审计日志）。" if ctx.zh else
                     "Voted without a quorum on the chair's decision (recorded in the audit log).", None, None))
    out.append(_info_table(ctx, rows))

    # attendance at the close
    leave = sum(1 for a in doc["absentees"] if a.get("status") == "leave")
    absent = len(doc["absentees"]) - leave
    quorum_txt = (f"需{res['quorum_needed']}人，{'符合' if res['quorum_held'] else '不足'}" if ctx.zh else
                  f"{res['quorum_needed']} needed: {'met' if res['quorum_held'] else 'NOT met'}")
    head = [ctx.t("entitled"), ctx.t("present"), ctx.t("leave"), ctx.t("absent"), ctx.t("cast")]
    vals = [turnout["entitled"], turnout["present"], leave, absent, turnout["cast"]]
    if turnout.get("invalid"):
        head.append(ctx.t("invalid"))
        vals.append(turnout["invalid"])
    head.append(ctx.t("quorum"))
    att_rows = [[ctx.p(h, "cell_c") for h in head], [str(v) for v in vals] + [ctx.p(quorum_txt, "cell_c")]]
    out += [ctx.p(ctx.t("attendance"), "h2"),
            _grid(att_rows, _widths([None] * (len(head) - 1) + [40 * mm]), center_from=0),
            Spacer(0, 1.2 * mm),
            ctx.p(f"{ctx.t('leave')}{ctx.colon()}{_absentee_text(ctx, doc['absentees'], 'leave')}；"
                  f"{ctx.t('absent')}{ctx.colon()}{_absentee_text(ctx, doc['absentees'], 'absent')}" if ctx.zh else
                  f"{ctx.t('leave')}: {_absentee_text(ctx, doc['absentees'], 'leave')}. "
                  f"{ctx.t('absent')}: {_absentee_text(ctx, doc['absentees'], 'absent')}.", "body")]

    # the result
    out += [ctx.p(ctx.t("result"), "h2")] + _kind_table(ctx, doc)
    outcome = ctx.pick(OUTCOME.get(res["outcome"]), res["outcome"])
    out.append(ctx.p(f"{ctx.t('result')}{ctx.colon()}<b>{escape(outcome)}</b>", "outcome", markup=True))
    out += [ctx.p(ctx.t("announcement") + ctx.colon(), "body"), ctx.p(_announcement(ctx, res), "body")]

    out += _earlier_table(ctx, earlier)
    out += _named_table(ctx, doc)

    out.append(KeepTogether([ctx.p(ctx.t("signatures"), "h2"),
                             _signature_block(ctx, sitting["chair"] or "", sitting["clerk"] or "")]))
    out.append(KeepTogether([ctx.p(ctx.t("verification"), "h2"), _verification_block(ctx, doc),
                             Spacer(0, 1 * mm), ctx.p(ctx.t("times_note", tz=ctx.tz.label), "small")]))
    return out


def result_sheet_pdf(doc: dict[str, Any], earlier: Sequence[dict[str, Any]] = (), *, lang: str = "zh",
                     base_url: str | None = None, fingerprint: str | None = None, timezone: str | None = None) -> bytes:
    """The result sheet of one round from its result document (pure: no database)."""
    ctx = Ctx(lang=lang, base_url=base_url or "", fingerprint=fingerprint, tz=sd.local_time(timezone))
    title = f"{ctx.t('result_title')} {doc['sheet_id']} — {doc['ballot']['title']}"
    return _build(ctx, result_flowables(ctx, doc, earlier), title=title, author=doc["body"]["name"],
                  subject=doc["sitting"]["title"])


# --- attendance sheet -----------------------------------------------------------------------------


def _sitting_rows(ctx: Ctx, sitting: dict[str, Any]) -> list[tuple[str, str, str | None, str | None]]:
    session = f"{ctx.time(sitting.get('opened_at'), False)} — {ctx.time(sitting.get('closed_at'), False)}"
    return [(ctx.t("sitting"), sitting["title"], None, None),
            (ctx.t("date"), ctx.date(sitting["date"]), ctx.t("place"), sitting.get("place") or "—"),
            (ctx.t("chair"), sitting.get("chair") or "—", ctx.t("clerk"), sitting.get("clerk") or "—"),
            (ctx.t("session"), session, ctx.t("status_line"),
             ctx.pick(SITTING_STATUS.get(sitting.get("status", "")), sitting.get("status", "")))]


def attendance_flowables(ctx: Ctx, att: dict[str, Any]) -> list[Flowable]:
    sitting = att["sitting"]
    counts = att["counts"]
    label = f"{att['body']['name']} · {ctx.t('attendance_title')} {att['sheet_id']}"
    out: list[Flowable] = [SectionMark(label)] + _head(ctx, att["body"]["name"], ctx.t("attendance_title"), sitting["title"])
    out.append(_info_table(ctx, _sitting_rows(ctx, sitting)))
    q = att["quorum"]
    quorum_txt = (f"{q['rule_zh']}，需{q['needed']}人，{'符合' if q['held'] else '不足'}" if ctx.zh else
                  f"{q['rule_en']}: {q['needed']} needed, {'met' if q['held'] else 'NOT met'}")
    head = [ctx.t("entitled"), ctx.t("on_site"), ctx.t("video"), ctx.t("present"), ctx.t("leave"), ctx.t("absent")]
    vals = [counts["entitled"], counts["present"], counts["video"], counts["attending"], counts["leave"], counts["absent"]]
    out += [ctx.p(ctx.t("attendance"), "h2"),
            _grid([[ctx.p(h, "cell_c") for h in head], [str(v) for v in vals]], _widths([None] * 6), center_from=0),
            Spacer(0, 1.2 * mm), ctx.p(f"{ctx.t('quorum')}{ctx.colon()}{quorum_txt}", "body")]

    def table(people: list[dict[str, Any]], with_reason: bool) -> Table:
        head = [ctx.t("seat"), ctx.t("name"), ctx.t("title"), ctx.t("status")] + (
            [ctx.t("reason")] if with_reason else []) + [ctx.t("signed_in")]
        rows: list[list[Any]] = [[ctx.p(h, "cell_c") for h in head]]
        for p in people:
            row = [p.get("seat") or "", ctx.p(p["name"], "cell"), ctx.p(p.get("title") or "", "cell"),
                   ctx.p(ctx.pick(ATT.get(p["status"]), p["status"]), "cell_c")]
            if with_reason:
                row.append(ctx.p(p.get("reason") or "", "cell"))
            row.append(ctx.p(ctx.time(p["signed_in_at"]) if p.get("signed_in_at") else "—", "cell_c"))
            rows.append(row)
        widths = [12 * mm, 24 * mm, None, 20 * mm] + ([38 * mm] if with_reason else []) + [35 * mm]
        return _grid(rows, _widths(widths), extra=[("ALIGN", (0, 0), (0, -1), "CENTER")])

    out += [ctx.p(ctx.t("members"), "h2"), table(att["members"], True)]
    if att["observers"]:
        out += [ctx.p(ctx.t("observers"), "h2"), table(att["observers"], False)]
    final = sitting.get("status") == "closed"
    note = (("会议已闭会，以上为最终出席记录。" if final else "会议尚未闭会，以上为生成时的出席记录。") if ctx.zh else
            ("The sitting is closed: this is the final record." if final else
             "The sitting is not closed: this is the record when the sheet was generated."))
    out += [Spacer(0, 2 * mm), ctx.p(note + " " + ctx.t("times_note", tz=ctx.tz.label), "small"), Spacer(0, 3 * mm),
            KeepTogether([_signature_block(ctx, sitting.get("chair") or "", sitting.get("clerk") or "", scrutineers=False)])]
    return out


def attendance_sheet_pdf(att: dict[str, Any], *, lang: str = "zh", timezone: str | None = None) -> bytes:
    ctx = Ctx(lang=lang, tz=sd.local_time(timezone))
    return _build(ctx, attendance_flowables(ctx, att), title=f"{ctx.t('attendance_title')} — {att['sitting']['title']}",
                  author=att["body"]["name"], subject=att["sitting"]["title"])


# --- sitting summary ------------------------------------------------------------------------------


def _votes_cell(ctx: Ctx, doc: dict[str, Any]) -> str:
    res = doc["result"]
    spec = _spec(doc)
    kind = doc["ballot"]["kind"]
    options = _option_labels(ctx, spec)

    def counts(q: dict[str, Any]) -> str:
        parts = [f"{lab}{q['counts'].get(code, 0)}" if ctx.zh else f"{lab} {q['counts'].get(code, 0)}"
                 for code, lab in options]
        parts.append(f"未按{q['not_voted']}" if ctx.zh else f"not voted {q['not_voted']}")
        return ("，" if ctx.zh else ", ").join(parts)

    if not res["quorum_held"]:
        t = res["turnout"]
        return f"应到{t['entitled']}人，实到{t['present']}人" if ctx.zh else f"entitled {t['entitled']}, present {t['present']}"
    if kind == "evaluation":
        return "\n".join(f"{q['label']}{ctx.colon()}{_q_outcome(ctx, spec, q['outcome'])}" for q in res["questions"])
    if kind == "selection":
        chosen = [q["label"] for q in sorted(res["questions"], key=lambda q: q.get("rank") or 0) if q["outcome"] == "chosen"]
        labels = {q["question_id"]: q["label"] for q in res["questions"]}
        text = (f"入选{len(chosen)}项：" if ctx.zh else f"chosen {len(chosen)}: ") + (ctx.join(chosen) or ctx.t("none"))
        for group in res.get("ties", []):
            text += ("\n并列：" if ctx.zh else "\ntie: ") + ctx.join(labels.get(c, c) for c in group)
        return text
    if len(res["questions"]) == 1:
        return counts(res["questions"][0])
    persons = {p.id: p.name for p in getattr(spec, "persons", ())}
    return "\n".join(f"{persons.get(q['question_id'], q['label'])}{ctx.colon()}{counts(q)}" for q in res["questions"])


def summary_flowables(ctx: Ctx, overview: dict[str, Any]) -> list[Flowable]:
    att = overview["attendance"]
    sitting = att["sitting"]
    label = f"{att['body']['name']} · {ctx.t('summary_title')} {sd.summary_sheet_id(sitting['id'])}"
    out: list[Flowable] = [SectionMark(label)] + _head(ctx, att["body"]["name"], ctx.t("summary_title"), sitting["title"])
    out.append(_info_table(ctx, _sitting_rows(ctx, sitting)))
    c, q = att["counts"], att["quorum"]
    line = (f"应到{c['entitled']}人，实到{c['attending']}人（其中视频出席{c['video']}人），请假{c['leave']}人，缺席{c['absent']}人；"
            f"法定人数需{q['needed']}人，{'符合' if q['held'] else '不足'}。各项表决时的出席情况见各表决结果单。" if ctx.zh else
            f"Entitled {c['entitled']}, present {c['attending']} ({c['video']} by video), on leave {c['leave']}, absent "
            f"{c['absent']}; quorum {q['needed']}: {'met' if q['held'] else 'NOT met'}. Attendance at each vote is on "
            "its result sheet.")
    out += [Spacer(0, 1.5 * mm), ctx.p(line, "body"), ctx.p(ctx.t("result"), "h2")]
    head = [ctx.t("no"), ctx.t("question"), ctx.t("kind"), ctx.t("round"), ctx.t("method"), ctx.t("counts"), ctx.t("outcome")]
    rows: list[list[Any]] = [[ctx.p(h, "cell_c") for h in head]]
    for item in overview["items"]:
        multi = len(item["ballots"]) > 1
        if not item["ballots"]:
            rows.append([str(item["position"]), ctx.p(item["title"], "cell"), ctx.p(ctx.pick(
                KIND_SHORT.get(item["kind"]), "—"), "cell"), "", "", "", ctx.p("不表决" if ctx.zh else "no vote", "cell")])
            continue
        for bi, b in enumerate(item["ballots"], start=1):
            no = f"{item['position']}-{bi}" if multi else str(item["position"])
            title = b["title"] if b["title"] == item["title"] else f"{b['title']}\n（{item['title']}）" if ctx.zh \
                else f"{b['title']}\n({item['title']})"
            kind = ctx.p(ctx.pick(KIND_SHORT.get(b["kind"]), b["kind"]), "cell")
            if not b["rounds"]:
                state = ("表决中" if ctx.zh else "open") if b["open_round"] else ("未表决" if ctx.zh else "not voted")
                rows.append([no, ctx.p(title, "cell"), kind, "", ctx.p(ctx.pick(METHOD_SHORT.get(b["method"]), b["method"]), "cell"),
                             "", ctx.p(state, "cell")])
            for d in b["rounds"]:
                rows.append([no, ctx.p(title, "cell"), kind, str(d["round"]["number"]),
                             ctx.p(ctx.pick(METHOD_SHORT.get(d["method"]), d["method"]), "cell"),
                             ctx.p(_votes_cell(ctx, d), "cell"),
                             ctx.p(ctx.pick(SHORT_OUTCOME.get(d["result"]["outcome"]), d["result"]["outcome"]), "cell")])
    out.append(_grid(rows, _widths([11 * mm, 48 * mm, 13 * mm if ctx.zh else 20 * mm, 11 * mm, 18 * mm, None, 20 * mm]),
                     extra=[("ALIGN", (0, 0), (0, -1), "CENTER"), ("ALIGN", (3, 0), (3, -1), "CENTER")]))
    head_id = overview["audit"]
    note = (f"各项表决的详细结果、出席情况和核验方式见各表决结果单（附二维码和电子签名）。生成时审计链头：第{head_id['id']}条 "
            if ctx.zh else "Each vote's details, attendance and verification are on its result sheet (QR code and "
            f"electronic signature). Audit-chain head when generated: entry {head_id['id']} ")
    out += [Spacer(0, 2 * mm), ctx.p(escape(note) + f'<font name="{MONO}">{head_id["head"]}</font>', "small", markup=True),
            ctx.p(ctx.t("times_note", tz=ctx.tz.label), "small"), Spacer(0, 3 * mm),
            KeepTogether([_signature_block(ctx, sitting.get("chair") or "", sitting.get("clerk") or "", scrutineers=False)])]
    return out


def summary_pdf(overview: dict[str, Any], *, lang: str = "zh", timezone: str | None = None) -> bytes:
    ctx = Ctx(lang=lang, tz=sd.local_time(timezone))
    att = overview["attendance"]
    return _build(ctx, summary_flowables(ctx, overview), title=f"{ctx.t('summary_title')} — {att['sitting']['title']}",
                  author=att["body"]["name"], subject=att["sitting"]["title"])


# --- the bundle -----------------------------------------------------------------------------------


def bundle_pdf(overview: dict[str, Any], *, lang: str = "zh", base_url: str | None = None,
               fingerprint: str | None = None, timezone: str | None = None) -> bytes:
    """Summary, attendance sheet and every result sheet (all rounds) of a sitting, as one PDF."""
    ctx = Ctx(lang=lang, base_url=base_url or "", fingerprint=fingerprint, tz=sd.local_time(timezone))
    flow: list[Flowable] = summary_flowables(ctx, overview)
    flow += [PageBreak()] + attendance_flowables(ctx, overview["attendance"])
    for item in overview["items"]:
        for b in item["ballots"]:
            for i, d in enumerate(b["rounds"]):
                flow += [PageBreak()] + result_flowables(ctx, d, b["rounds"][:i])
    att = overview["attendance"]
    return _build(ctx, flow, title=f"{'会议表决材料汇编' if ctx.zh else 'Session bundle'} — {att['sitting']['title']}",
                  author=att["body"]["name"], subject=att["sitting"]["title"])


def result_documents(overview: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for item in overview["items"] for b in item["ballots"] for d in b["rounds"]]


# --- from the store -------------------------------------------------------------------------------


def render_result_sheet(store: Store, ballot_id: int, round_number: int, *, lang: str = "zh",
                        base_url: str | None = None, fingerprint: str | None = None,
                        timezone: str | None = None) -> bytes:
    """The (unsigned) result sheet of one closed round, from stored results."""
    with store.read() as s:
        doc = sd.result_document(s, ballot_id, round_number)
        earlier = sd.earlier_rounds(s, ballot_id, round_number)
    return result_sheet_pdf(doc, earlier, lang=lang, base_url=base_url, fingerprint=fingerprint, timezone=timezone)


def render_sitting_summary(store: Store, sitting_id: int, *, lang: str = "zh", timezone: str | None = None) -> bytes:
    with store.read() as s:
        overview = sd.sitting_overview(s, sitting_id)
    return summary_pdf(overview, lang=lang, timezone=timezone)


def render_attendance_sheet(store: Store, sitting_id: int, *, lang: str = "zh", timezone: str | None = None) -> bytes:
    with store.read() as s:
        att = sd.attendance_document(s, sitting_id)
    return attendance_sheet_pdf(att, lang=lang, timezone=timezone)


def render_bundle(store: Store, sitting_id: int, *, lang: str = "zh", base_url: str | None = None,
                  fingerprint: str | None = None, timezone: str | None = None) -> bytes:
    with store.read() as s:
        overview = sd.sitting_overview(s, sitting_id)
    return bundle_pdf(overview, lang=lang, base_url=base_url, fingerprint=fingerprint, timezone=timezone)
