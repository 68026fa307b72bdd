"""The page every sheet is printed on: A4 and its margins, the CJK font and the paragraph styles, the
footer (section, page "2 of 5", when generated), and :class:`Ctx` — the language, time zone and words
of one PDF.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from ballots import labels

from .. import data as sd
from ..fonts import sheet_font
from .wording import word

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


def _styles(font: str, zh: bool) -> dict[str, ParagraphStyle]:
    # Chinese breaks between any two characters; English breaks at spaces (long runs are still split)
    base: dict[str, Any] = {"fontName": font, "wordWrap": "CJK" if zh else None}
    return {
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


@dataclass
class Ctx:
    """Language, time zone, font and styles of one PDF."""

    lang: str = "zh"
    base_url: str = ""  # the public address; empty: the sheet prints no address and no QR code
    tz: sd.LocalTime = field(default_factory=sd.local_time)
    fingerprint: str | None = None
    generated: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ValueError(f"lang must be one of {LANGS}, not {self.lang!r}")
        self.font = sheet_font().name
        self.st = _styles(self.font, self.zh)

    @property
    def zh(self) -> bool:
        return self.lang == "zh"

    def t(self, key: str, **kw: Any) -> str:
        """One of the sheets' own words (:mod:`.wording`)."""
        return word(key, self.lang, **kw)

    def label(self, group: Mapping[str, labels.Label], code: str) -> str:
        """The label of a code (kind, method, outcome …), as every screen shows it."""
        return labels.label(group, code, self.lang)

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
            self._startPage()  # type: ignore[attr-defined]  # reportlab's own page start, not in its stubs

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


def build(ctx: Ctx, flowables: list[Flowable], *, title: str, author: str, subject: str) -> bytes:
    """The PDF of ``flowables`` on A4 pages with the footer."""
    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
                          bottomMargin=MARGIN_BOTTOM, title=title, author=author, subject=subject,
                          creator="Biaojue", producer="Biaojue (reportlab)", lang="zh-CN" if ctx.zh else "en")
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, CONTENT_W, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM, id="main",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(flowables, canvasmaker=_numbered_canvas(ctx))
    return buf.getvalue()
