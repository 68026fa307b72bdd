"""The source files of the pages: their scripts, styles and templates."""
from __future__ import annotations

import re
from pathlib import Path

from support.env import ROOT

UI = ROOT / "terminal_ui"
JS = UI / "static" / "js"
CSS = UI / "static" / "css"
TEMPLATES = UI / "templates"


def scripts() -> dict[Path, str]:
    """Every ES module of the pages (the vendored Socket.IO client aside)."""
    return {p: p.read_text(encoding="utf-8") for p in sorted(JS.rglob("*.js"))}


def without_comments(js: str) -> str:
    js = re.sub(r"/\*.*?\*/", "", js, flags=re.DOTALL)
    return re.sub(r"(?m)^\s*//.*$|(?<=[;,{}()\s])//[^\n\"'`]*$", "", js)
