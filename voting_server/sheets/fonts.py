"""The CJK font of the sheets: an installed TrueType font embedded (subset) in every PDF, or reportlab's
built-in Adobe CID font (STSong-Light, not embedded: the reader supplies it) when none is installed.

Looked for, in order: ``BIAOJUE_SHEET_FONT`` (a path, optionally ``path#index`` for a .ttc), WenQuanYi
Zen Hei / Micro Hei, Noto Sans/Serif CJK, Droid Sans Fallback. Fonts reportlab cannot embed (Noto CJK
.ttc files have PostScript outlines) are skipped.
"""
from __future__ import annotations

import glob
import logging
import os
import threading
from dataclasses import dataclass

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics

log = logging.getLogger(__name__)

FONT_NAME = "BiaojueCJK"
CID_FALLBACK = "STSong-Light"
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.fonts"),
             os.path.expanduser("~/.local/share/fonts"))
CANDIDATES = ("wqy-zenhei.ttc", "wqy-microhei.ttc", "NotoSansCJK*.ttc", "NotoSansCJK*.ttf", "NotoSerifCJK*.ttc",
              "NotoSansSC*.ttf", "DroidSansFallbackFull.ttf", "DroidSansFallback.ttf")


@dataclass(frozen=True)
class SheetFont:
    name: str  # the reportlab font name to use
    embedded: bool  # True: a TrueType font embedded in the PDF
    path: str | None = None


_lock = threading.Lock()
_chosen: SheetFont | None = None


def _candidates() -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    env = os.environ.get("BIAOJUE_SHEET_FONT")
    if env:
        path, _, index = env.partition("#")
        found.append((path, int(index) if index.isdigit() else 0))
    for pattern in CANDIDATES:
        for folder in FONT_DIRS:
            for path in sorted(glob.glob(os.path.join(folder, "**", pattern), recursive=True)):
                found.append((path, 0))
    return found


def _register_family(name: str) -> None:
    # One face only: map bold/italic to it so that <b> in a paragraph never fails.
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(name, bold, italic, name)


def sheet_font() -> SheetFont:
    """The font to use (registered with reportlab once per process)."""
    global _chosen
    if _chosen is not None:
        return _chosen
    with _lock:
        if _chosen is not None:
            return _chosen
        from reportlab.pdfbase.ttfonts import TTFont

        for path, index in _candidates():
            try:
                pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=index))
            except Exception as exc:  # noqa: BLE001 (PostScript outlines, unreadable file, …: try the next)
                log.debug("font %s not usable: %s", path, exc)
                continue
            _register_family(FONT_NAME)
            _chosen = SheetFont(FONT_NAME, True, path)
            return _chosen
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
        _register_family(CID_FALLBACK)
        log.warning("no CJK TrueType font installed; sheets use the reader's %s (install fonts-wqy-zenhei)",
                    CID_FALLBACK)
        _chosen = SheetFont(CID_FALLBACK, False, None)
        return _chosen
