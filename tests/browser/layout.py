"""What a page's layout is checked for, in the browser: taller than the screen, an element whose content
overflows its box (a name cut off with "…" included), text too small or too faint to read, a word broken
across two lines."""
from __future__ import annotations

from typing import Any

# Colours in the browser: a computed colour parsed, and WCAG's contrast ratio of two colours.
COLOUR_JS = """
  const rgb = (s) => { const m = s.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(",").map((x) => parseFloat(x)); return { c: p.slice(0, 3), a: p.length > 3 ? p[3] : 1 }; };
  const lum = (c) => 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  const linear = (c) => c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
  const contrast = (x, y) => { const [a, b] = [lum(linear(x)), lum(linear(y))].sort((p, q) => q - p);
    return (a + 0.05) / (b + 0.05); };
"""

# Every element that reaches past the viewport, and every element whose in-flow content is wider or
# taller than its box (a text cut with "…" included). Absolutely placed marks (the line of the votes
# needed and its label) are left out of the content measure: they are meant to stand over their box.
OVERFLOW_JS = """([root, scrolls]) => {
  const out = [];
  const vw = window.innerWidth, vh = window.innerHeight;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const shown = [];
  const scroller = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  // inside a box that scrolls sideways: what is past the screen is reached by scrolling that box
  const inScroller = (el) => { for (let e = el.parentElement; e; e = e.parentElement) if (scroller(e)) return true;
    return false; };
  for (const el of document.querySelectorAll(root + ", " + root + " *")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden" || style.position === "fixed") continue;
    if (inScroller(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    shown.push([el, style]);
    if (r.right > vw + 1 || r.left < -1 || (!scrolls && (r.bottom > vh + 1 || r.top < -1))) {
      out.push(`${name(el)} outside the screen (${Math.round(r.left)},${Math.round(r.top)})-`
        + `(${Math.round(r.right)},${Math.round(r.bottom)}): ${(el.textContent || "").trim().slice(0, 40)}`);
    }
  }
  const marks = shown.filter(([, style]) => style.position === "absolute").map(([el]) => el);
  const saved = marks.map((el) => el.style.display);
  marks.forEach((el) => { el.style.display = "none"; });
  for (const [el, style] of shown) {
    if (marks.includes(el) || style.display === "inline" || el.tagName === "svg" || scroller(el)) continue;
    if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) {
      out.push(`${name(el)} content ${el.scrollWidth}x${el.scrollHeight} in a box of `
        + `${el.clientWidth}x${el.clientHeight}: ${(el.textContent || "").trim().slice(0, 40)}`);
    }
  }
  marks.forEach((el, i) => { el.style.display = saved[i]; });
  return out;
}"""

# The fills of charts and progress bars against the track they are drawn in (WCAG's 3:1 for graphics).
FILLS_JS = """(root) => {""" + COLOUR_JS + """
  const out = [];
  for (const el of document.querySelectorAll(root + " .bar-fill, " + root + " .bar-seg, " + root + " .progress-fill")) {
    const fill = rgb(getComputedStyle(el).backgroundColor);
    const track = rgb(getComputedStyle(el.parentElement).backgroundColor);
    if (!fill || fill.a === 0 || !track || el.getBoundingClientRect().width === 0) continue;
    out.push({ cls: el.className, contrast: contrast(fill.c, track.c) });
  }
  return out;
}"""

# Luminance contrast of every piece of text against the background it is drawn on, and its size.
TEXT_JS = """([root, skip]) => {""" + COLOUR_JS + """
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const b = rgb(getComputedStyle(e).backgroundColor);
      if (b && b.a > 0.5) return b.c;
    }
    return [255, 255, 255];
  };
  const out = [];
  const walker = document.createTreeWalker(document.querySelector(root), NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    if (!text) continue;
    const el = n.parentElement;
    const style = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    if (style.visibility === "hidden" || r.width === 0 || (skip && el.closest(skip))) continue;
    const fg = rgb(style.color).c, bg = background(el);
    out.push({ text: text.slice(0, 30), size: parseFloat(style.fontSize), contrast: contrast(fg, bg),
               cls: el.className || el.tagName });
  }
  return out;
}"""

# The line boxes of each occurrence of a word in the visible text: more than one row means it is broken.
BROKEN_WORDS_JS = """([words, skip]) => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !el.getClientRects().length || getComputedStyle(el).visibility === "hidden") continue;
    if (skip && el.closest(skip)) continue;
    for (const word of words) {
      for (let at = n.textContent.indexOf(word); at >= 0; at = n.textContent.indexOf(word, at + 1)) {
        const range = document.createRange();
        range.setStart(n, at);
        range.setEnd(n, at + word.length);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (tops.size > 1) out.push(`${word} on ${tops.size} lines in ${el.tagName.toLowerCase()}.${el.className}`);
      }
    }
  }
  return out;
}"""


def overflowing(page: Any, root: str = "body", *, scrolls: bool = False) -> list[str]:
    """Elements under ``root`` past the screen's edges (only its sides for a page that ``scrolls``) or
    whose content overflows their box."""
    return list(page.evaluate(OVERFLOW_JS, [root, scrolls]))


def page_height(page: Any) -> int:
    return int(page.evaluate("Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)"))


def hard_to_read(page: Any, root: str, *, min_size: float, min_contrast: float, skip: str = "") -> list[str]:
    """Text smaller than ``min_size`` px or with a contrast ratio under ``min_contrast`` (WCAG's), outside
    the elements matching ``skip``."""
    return [f"{t['text']!r} ({t['cls']}): {t['size']:.0f}px, contrast {t['contrast']:.1f}"
            for t in page.evaluate(TEXT_JS, [root, skip]) if t["size"] < min_size or t["contrast"] < min_contrast]


def broken_words(page: Any, words: list[str], skip: str = "") -> list[str]:
    """Each occurrence of ``words`` whose letters sit on more than one line, outside ``skip`` (running
    text, where a line may end anywhere)."""
    return list(page.evaluate(BROKEN_WORDS_JS, [words, skip]))


def faint_fills(page: Any, root: str, *, min_contrast: float = 3.0) -> list[str]:
    """Chart and progress fills whose colour stands out of their track by less than ``min_contrast``."""
    return [f"{f['cls']}: contrast {f['contrast']:.1f} with its track"
            for f in page.evaluate(FILLS_JS, root) if f["contrast"] < min_contrast]
