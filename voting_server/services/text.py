"""Validation of the small values people type: names, titles, dates."""
from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from .base import Invalid


def clean_text(value: Any, zh: str, en: str, *, max_len: int, allow_empty: bool = False) -> str:
    """A single line of text: trimmed, no control characters, within ``max_len`` characters."""
    if value is None and allow_empty:
        return ""
    if not isinstance(value, str):
        raise Invalid("bad_text", f"{zh}必须是文字", f"{en} must be text")
    text = value.strip()
    if not text and not allow_empty:
        raise Invalid("missing_text", f"请填写{zh}", f"{en} is required")
    if len(text) > max_len:
        raise Invalid("text_too_long", f"{zh}不能超过{max_len}个字", f"{en} must be at most {max_len} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise Invalid("bad_characters", f"{zh}含有无效字符", f"{en} contains control characters")
    return text


def parse_date(value: Any, zh: str, en: str, *, default: dt.date | None) -> dt.date | None:
    if value is None or value == "":
        return default
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip().replace("/", "-").replace(".", "-")
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return dt.datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            pass
    raise Invalid("bad_date", f"{zh}格式错误（应为 2026-01-31）：{str(value)[:30]}",
                  f"{en} is not a date (expected 2026-01-31): {str(value)[:30]!r}")
