"""Chinese and English wording shared by the rules and the announcements.

Holds Chinese numerals, the names of fractions ("三分之二" / "two-thirds"), and the sentence pieces
the chair reads out: the attendance and quorum sentence, the for/against/abstain/not-voted
sentence and the outcome sentence. Everything here is a pure function of integers and strings.
"""

from __future__ import annotations

from fractions import Fraction

__all__ = [
    "cn_number",
    "fraction_zh",
    "fraction_en",
    "attendance_zh",
    "attendance_en",
    "no_quorum_zh",
    "no_quorum_en",
    "votes_zh",
    "votes_en",
    "verdict_zh",
    "verdict_en",
    "capitalise",
]

_DIGITS = "零一二三四五六七八九"
_UNITS = ("", "十", "百", "千")


def _cn_below_10000(n: int) -> str:
    digits = [int(d) for d in f"{n:04d}"]
    out: list[str] = []
    pending_zero = False
    started = False
    for pos, d in enumerate(digits):
        unit = _UNITS[3 - pos]
        if d == 0:
            if started:
                pending_zero = True
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(_DIGITS[d] + unit)
        started = True
    return "".join(out)


def cn_number(n: int) -> str:
    """Chinese numeral of a non-negative integer: 2 → 二, 10 → 十, 15 → 十五, 105 → 一百零五."""
    if n < 0:
        return "负" + cn_number(-n)
    if n == 0:
        return "零"
    if n < 10000:
        text = _cn_below_10000(n)
        return text[1:] if 10 <= n < 20 else text  # 十五, not 一十五
    if n < 100_000_000:
        high, low = divmod(n, 10000)
        text = _cn_below_10000(high) + "万"
        if low:
            text += ("零" if low < 1000 else "") + _cn_below_10000(low)
        return text
    return str(n)


def fraction_zh(f: Fraction) -> str:
    """Name of a fraction in Chinese: 1/2 → 二分之一, 2/3 → 三分之二, 1 → 全部."""
    if f == 1:
        return "全部"
    if f == 0:
        return "零"
    return f"{cn_number(f.denominator)}分之{cn_number(f.numerator)}"


_EN_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_EN_ORDINALS = {
    3: "third",
    4: "quarter",
    5: "fifth",
    6: "sixth",
    7: "seventh",
    8: "eighth",
    9: "ninth",
    10: "tenth",
}


def fraction_en(f: Fraction) -> str:
    """Name of a fraction in English: 1/2 → half, 2/3 → two-thirds, 3/4 → three-quarters."""
    if f == 1:
        return "all"
    if f == 0:
        return "none"
    if f == Fraction(1, 2):
        return "half"
    num, den = f.numerator, f.denominator
    if den in _EN_ORDINALS and num < len(_EN_NUMBERS):
        ordinal = _EN_ORDINALS[den] + ("s" if num > 1 else "")
        return f"{_EN_NUMBERS[num]}-{ordinal}"
    return f"{num}/{den}"


# --- announcement pieces ---------------------------------------------------------------------


def attendance_zh(entitled: int, present: int, quorum_held: bool) -> str:
    """ "应到15人，实到13人，符合法定人数。" or "...，不足法定人数。"."""
    verdict = "符合法定人数" if quorum_held else "不足法定人数"
    return f"应到{entitled}人，实到{present}人，{verdict}。"


def attendance_en(entitled: int, present: int, quorum_held: bool) -> str:
    """ "Entitled 15, present 13, quorum present." or "..., no quorum."."""
    verdict = "quorum present" if quorum_held else "no quorum"
    return f"Entitled {entitled}, present {present}, {verdict}."


def no_quorum_zh(quorum_needed: int) -> str:
    """What follows the attendance sentence when the quorum does not hold."""
    return f"法定人数为{quorum_needed}人，本次表决不产生结果。"


def no_quorum_en(quorum_needed: int) -> str:
    """English counterpart of :func:`no_quorum_zh`."""
    return f"{quorum_needed} must be present; this vote has no outcome."


def votes_zh(parts: list[tuple[str, int]], *, invalid: int = 0, not_voted: int | None = None) -> str:
    """ "赞成9票，反对2票，弃权1票，未按表决器1人" from ``[("赞成", 9), ("反对", 2), ("弃权", 1)]``.

    Invalid ballots are named only when there are some; not-voted is named whenever given.
    """
    items = [f"{label}{count}票" for label, count in parts]
    if invalid:
        items.append(f"无效票{invalid}张")
    if not_voted is not None:
        items.append(f"未按表决器{not_voted}人")
    return "，".join(items)


def votes_en(parts: list[tuple[str, int]], *, invalid: int = 0, not_voted: int | None = None) -> str:
    """ "For 9, against 2, abstain 1, not voted 1" (first word capitalised by the caller if needed)."""
    items = [f"{label} {count}" for label, count in parts]
    if invalid:
        items.append(f"invalid {invalid}")
    if not_voted is not None:
        items.append(f"not voted {not_voted}")
    return ", ".join(items)


def verdict_zh(for_votes: int, needed: int, passed: bool, *, for_label: str = "赞成") -> str:
    """ "需8票，通过。" or "需8票。赞成7票，少于通过所需的8票，未获通过。"."""
    if passed:
        return f"需{needed}票，通过。"
    return f"需{needed}票。{for_label}{for_votes}票，少于通过所需的{needed}票，未获通过。"


def verdict_en(
    for_votes: int,
    needed: int,
    passed: bool,
    *,
    for_label: str = "For",
    passed_word: str = "adopted",
    failed_word: str = "not adopted",
) -> str:
    """ "8 needed: adopted." or "8 needed. For 7, fewer than the 8 needed: not adopted."."""
    if passed:
        return f"{needed} needed: {passed_word}."
    return f"{needed} needed. {for_label} {for_votes}, fewer than the {needed} needed: {failed_word}."


def capitalise(text: str) -> str:
    """Upper-case the first letter only ("for 9" → "For 9")."""
    return text[:1].upper() + text[1:]
