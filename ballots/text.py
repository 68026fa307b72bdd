"""Numbers in words, shared by the rules and the announcements: Chinese numerals ("十五", "一百零五")
and the names of fractions ("三分之二" / "two-thirds"). The sentences of announcements are in
:mod:`ballots.announce`. Everything here is a pure function of integers.
"""

from __future__ import annotations

from fractions import Fraction

__all__ = ["cn_number", "fraction_zh", "fraction_en"]

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
