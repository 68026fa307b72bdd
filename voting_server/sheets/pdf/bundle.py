"""The session bundle: the summary, the attendance sheet and the result sheet of every round of a
sitting, in one PDF."""
from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable, PageBreak

from ...db import Store
from .. import data as sd
from .attendance import attendance_flowables
from .page import Ctx, build
from .round_sheet import result_flowables
from .summary import summary_flowables


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
    return build(ctx, flow, title=f"{ctx.t('bundle_title')} — {att['sitting']['title']}",
                 author=att["body"]["name"], subject=att["sitting"]["title"])


def render_bundle(store: Store, sitting_id: int, *, lang: str = "zh", base_url: str | None = None,
                  fingerprint: str | None = None, timezone: str | None = None) -> bytes:
    with store.read() as s:
        overview = sd.sitting_overview(s, sitting_id)
    return bundle_pdf(overview, lang=lang, base_url=base_url, fingerprint=fingerprint, timezone=timezone)
