"""The parts several sheets share: the heading, ruled tables, the label/value table of a sitting, the
signature lines, and the verification box with its QR code.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from ballots import labels

from .. import data as sd
from .page import CONTENT_W, GRID, HEAD_BG, Ctx

InfoRow = tuple[str, str, str | None, str | None]


def grid(data: list[list[Any]], widths: Sequence[float], *, header_rows: int = 1, center_from: int | None = None,
         extra: Sequence[tuple[Any, ...]] = ()) -> Table:
    """A ruled table with a shaded header; columns from ``center_from`` on are centred."""
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


CELL_PADDING = 6.5  # points: the grid's left and right padding, and a little air


def fit(ctx: Ctx, width: float, *texts: str, style: str = "cell_c") -> float:
    """``width``, or more where one of ``texts`` would not fit on one line: a column's header (and
    its short labels) never break inside a word ("表决类/型"). English breaks between words, so there
    only the longest word counts."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    st = ctx.st[style]
    pieces = list(texts) if ctx.zh else [w for text in texts for w in text.split()]
    return max([width] + [stringWidth(p, st.fontName, st.fontSize) + CELL_PADDING for p in pieces])


def widths(fixed: Sequence[float | None], total: float = CONTENT_W) -> list[float]:
    """Column widths in points; ``None`` columns share what is left."""
    free = total - sum(w for w in fixed if w is not None)
    n_free = sum(1 for w in fixed if w is None) or 1
    return [w if w is not None else free / n_free for w in fixed]


def head(ctx: Ctx, org: str, title: str, sub: str) -> list[Flowable]:
    """The body's name, the sheet's title and a subtitle, centred."""
    return [ctx.p(org, "org"), ctx.p(title, "h1"), ctx.p(sub, "sub"), Spacer(0, 3 * mm)]


def info_table(ctx: Ctx, rows: list[InfoRow]) -> Table:
    """Label/value pairs, two per row; a row with a single pair spans the full width."""
    cw = widths([24 * mm, None, 24 * mm, None])
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
    return grid(data, cw, header_rows=0, extra=extra)


def sitting_rows(ctx: Ctx, sitting: dict[str, Any]) -> list[InfoRow]:
    """The sitting's title, date, place, chair, clerk, session and state (summary and attendance sheet)."""
    session = f"{ctx.time(sitting.get('opened_at'), False)} — {ctx.time(sitting.get('closed_at'), False)}"
    return [(ctx.t("sitting"), sitting["title"], None, None),
            (ctx.t("date"), ctx.date(sitting["date"]), ctx.t("place"), sitting.get("place") or "—"),
            (ctx.t("chair"), sitting.get("chair") or "—", ctx.t("clerk"), sitting.get("clerk") or "—"),
            (ctx.t("session"), session, ctx.t("status_line"), ctx.label(labels.SITTING, sitting.get("status", "")))]


def signature_block(ctx: Ctx, chair: str, clerk: str, *, scrutineers: bool = True) -> Table:
    """Signature lines: scrutineers and teller (result sheets), chair and clerk named, and a date."""
    blank = "______年____月____日" if ctx.zh else ""
    sign = "（签字）" if ctx.zh else " (sign)"
    data: list[list[Any]]
    if scrutineers:
        data = [[ctx.p(ctx.t("scrutineer"), "cell"), "", ctx.p(ctx.t("teller"), "cell"), ""],
                [ctx.p(ctx.t("chair"), "cell"), ctx.p(chair, "cell"), ctx.p(ctx.t("clerk"), "cell"), ctx.p(clerk, "cell")],
                [ctx.p(ctx.t("sign_date"), "cell"), ctx.p(blank, "cell"), "", ""]]
        heights = [11 * mm, 7.5 * mm, 8 * mm]
    else:
        data = [[ctx.p(ctx.t("clerk") + sign, "cell"), "", ctx.p(ctx.t("chair") + sign, "cell"), ""],
                [ctx.p(ctx.t("sign_date"), "cell"), ctx.p(blank, "cell"), "", ""]]
        heights = [11 * mm, 8 * mm]
    lines: list[tuple[Any, ...]] = [("LINEBELOW", (1, 0), (1, 0), 0.6, colors.black),
                                    ("LINEBELOW", (3, 0), (3, 0), 0.6, colors.black)]
    if not ctx.zh:
        lines.append(("LINEBELOW", (1, len(data) - 1), (1, len(data) - 1), 0.6, colors.black))
    t = Table(data, colWidths=widths([30 * mm, None, 30 * mm, None]), rowHeights=heights, hAlign="LEFT")
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 2)] + lines))
    return t


# --- verification ---------------------------------------------------------------------------------


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


def _how_to_verify(ctx: Ctx, attachment: str) -> str:
    if ctx.zh:
        first = ("① 扫描二维码或打开核验地址，核对显示的结果与本页一致；② " if ctx.base_url else
                 "将本 PDF 文件上传至本机关表决系统的核验页面（/verify），")
        return (f"核验方法：{first}" + ("将本 PDF 文件上传至核验页面，" if ctx.base_url else "") +
                "或在服务器上运行 python -m voting_server verify 文件名.pdf。本文件附有本机关电子签名（PAdES），"
                f"并内嵌结果数据 {attachment}。核验检查：签名完整且由本机关证书签署；签署后文件未被修改；内嵌结果与存档一致；"
                "审计链至上述链头（结束表决时）完整；按存档选票重新计票，结果一致。")
    first = ("(1) scan the QR code or open the address and check that the result shown matches this page; (2) upload "
             "this PDF to the verification page" if ctx.base_url else
             "upload this PDF to the verification page (/verify) of the body's voting system")
    return (f"How to verify: {first}, or run python -m voting_server verify FILE.pdf on "
            f"the server. The file carries the body's PAdES signature and embeds the result data ({attachment}). "
            "The check confirms that the signature is intact and made by the body's certificate, that the file is "
            "unmodified since signing, that the embedded result equals the stored one, that the audit chain is "
            "intact up to the head above (taken at the close), and that re-tallying the stored votes gives the same outcome.")


def verification_block(ctx: Ctx, doc: dict[str, Any]) -> Table:
    """Sheet id, digest, chain head, certificate and address beside the QR code, and how to verify."""
    h = sd.digest(doc)
    url = sd.verify_url(ctx.base_url, doc["sheet_id"], h) if ctx.base_url else None
    chain = f"审计链头（第{doc['audit']['id']}条）" if ctx.zh else f"Audit-chain head (entry {doc['audit']['id']})"
    pairs = [(ctx.t("sheet_id"), ctx.p(doc["sheet_id"], "cell")),
             (ctx.t("digest"), ctx.p(h, "mono")),
             (chain, ctx.p(doc["audit"]["head"], "mono"))]
    box = doc.get("box")
    if box:  # a secret round: the encrypted box the tally decrypted, and who decrypted it
        count = box.get("ballots") or 0
        label = f"加密票箱哈希（{count}张选票）" if ctx.zh else f"Encrypted ballot box ({count} ballots)"
        pairs.append((label, ctx.p(str(box.get("hash") or ""), "mono")))
        if box.get("mode") == "sealed":
            who = "服务器封存密钥，计票后已销毁" if ctx.zh else "key sealed by the server, destroyed after the tally"
            pairs.append(("解密" if ctx.zh else "Decrypted by", ctx.p(who, "cell")))
        elif box.get("holder_names"):
            who = ("监票人" if ctx.zh else "scrutineers ") + "、".join(box["holder_names"])
            pairs.append(("解密" if ctx.zh else "Decrypted by", ctx.p(who, "cell")))
    if ctx.fingerprint:
        pairs.append((ctx.t("cert"), ctx.p(ctx.fingerprint, "mono")))
    if url is not None:
        pairs.append((ctx.t("verify_url"), ctx.p(url, "mono")))
    else:  # never an address taken from a request: none is printed until one is set
        pairs.append((ctx.t("verify_url"), ctx.p(ctx.t("no_public_url"), "small")))
    qr_size = 34 * mm if url is not None else 0
    text_w = CONTENT_W - qr_size - 6 * mm if url is not None else CONTENT_W - 8 * mm
    rows: list[list[Any]] = [[ctx.p(label, "small"), value] for label, value in pairs]
    rows.append([ctx.p(_how_to_verify(ctx, f"result-{doc['sheet_id']}.json"), "small"), ""])
    inner = Table(rows, colWidths=[36 * mm, text_w - 36 * mm], hAlign="LEFT")
    inner.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("SPAN", (0, len(rows) - 1), (1, len(rows) - 1)),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                               ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                               ("TOPPADDING", (0, len(rows) - 1), (-1, -1), 3)]))
    if url is None:
        t = Table([[inner]], colWidths=[text_w + 8 * mm], hAlign="LEFT")
        t.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, GRID), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                               ("LEFTPADDING", (0, 0), (-1, -1), 5), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
        return t
    t = Table([[inner, QRCode(url, qr_size)]], colWidths=[text_w, qr_size + 6 * mm], hAlign="LEFT")
    t.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, GRID), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("ALIGN", (1, 0), (1, 0), "CENTER"), ("TOPPADDING", (0, 0), (-1, -1), 4),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                           ("LEFTPADDING", (0, 0), (-1, -1), 5), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
    return t
