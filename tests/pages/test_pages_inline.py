"""Nothing inline that the pages' Content-Security-Policy (script-src 'self'; style-src 'self') would
refuse: no inline script, event handler attribute, ``javascript:`` link, style element or style attribute
in a template, and no script that writes HTML, evaluates text or sets a style attribute."""
from __future__ import annotations

import re

from pages_sources import TEMPLATES, scripts, without_comments

INLINE_IN_TEMPLATES = {
    "inline script": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "event handler attribute": re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE),
}
INLINE_IN_SCRIPTS = {
    "HTML written as text": re.compile(r"\.(?:innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write"),
    "text evaluated": re.compile(r"\beval\s*\(|new\s+Function\s*\(|set(?:Timeout|Interval)\(\s*[\"'`]"),
    "style attribute set": re.compile(r"setAttribute\(\s*[\"']style[\"']|\.style\.cssText\s*="),
}


def test_templates_hold_nothing_inline():
    found = [f"{path.name}: {what}: {m.group(0)[:60]}"
             for path in sorted(TEMPLATES.glob("*.html"))
             for what, pattern in INLINE_IN_TEMPLATES.items()
             for m in pattern.finditer(path.read_text(encoding="utf-8"))]
    assert not found, found


def test_scripts_write_no_inline_code_or_style():
    found = [f"{path.name}: {what}: {m.group(0)}"
             for path, source in scripts().items()
             for what, pattern in INLINE_IN_SCRIPTS.items()
             for m in pattern.finditer(without_comments(source))]
    assert not found, found
