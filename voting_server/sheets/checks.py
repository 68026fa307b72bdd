"""The answer of a verification: one :class:`Check` per question asked of a sheet, each with its
reason in Chinese and English, and the lines the command line prints."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

#: Every check, in the order they are made, with its title.
CHECKS: dict[str, tuple[str, str]] = {
    "readable": ("文件可读取", "file readable"),
    "signature_intact": ("签名完整", "signature intact"),
    "signed_by_body": ("由本机关证书签署", "signed by the body's certificate"),
    "unmodified": ("签署后未被修改", "unmodified since signing"),
    "result_matches": ("内嵌结果与存档一致", "embedded result equals the stored one"),
    "audit_chain": ("审计链完整", "audit chain intact"),
    "retally": ("重新计票结果一致", "re-tally gives the same result"),
}

#: One part of a check: passed, why (Chinese), why (English).
Part = tuple[bool, str, str]


@dataclass(frozen=True)
class Check:
    """One verification step: its name, whether it passed, and why (Chinese and English)."""

    name: str
    ok: bool
    reason_zh: str
    reason_en: str

    @property
    def title_zh(self) -> str:
        return CHECKS.get(self.name, (self.name, self.name))[0]

    @property
    def title_en(self) -> str:
        return CHECKS.get(self.name, (self.name, self.name))[1]

    @property
    def reason(self) -> str:
        return f"{self.reason_zh} / {self.reason_en}"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "title_zh": self.title_zh, "title_en": self.title_en,
                "reason_zh": self.reason_zh, "reason_en": self.reason_en}


@dataclass(frozen=True)
class Verification:
    """The answer of one verification: its checks, and the sheets (ids such as ``B3-R1``, ``S1-ATT``)
    whose record on file the answer may show beside them: those of a sheet that is the body's own
    (signed by its certificate, the signature intact), or of a QR address whose digest matches."""

    checks: list[Check]
    shown: tuple[str, ...] = ()


#: The verdict of a failed verification, by the first failing check (in this order): what a person is told.
VERDICTS: tuple[tuple[str, str, str], ...] = (
    ("readable", "文件无法读取：不是结果单 PDF，或文件已损坏", "the file cannot be read: not a result sheet PDF, or damaged"),
    ("signature_intact", "文件被修改", "the file was modified"),
    ("unmodified", "文件被修改", "the file was modified"),
    ("signed_by_body", "不是本机关签署的结果单", "not a sheet signed by the body"),
    ("result_matches", "结果单与存档记录不一致", "the sheet differs from the record on file"),
    ("audit_chain", "审计记录被改动", "the audit record was altered"),
    ("retally", "重新计票与存档结果不一致", "the re-tally differs from the stored result"),
)


def verdict(checks: Sequence[Check]) -> tuple[str, str]:
    """One line for the whole answer, in Chinese and English: passed, or the main reason it did not."""
    if all_ok(checks):
        return "全部核验通过", "verified: every check passed"
    failed = {c.name for c in checks if not c.ok}
    for name, zh, en in VERDICTS:
        if name in failed:
            return f"核验未通过：{zh}", f"not verified: {en}"
    return "核验未通过", "not verified"


def all_ok(checks: Iterable[Check]) -> bool:
    checks = list(checks)
    return bool(checks) and all(c.ok for c in checks)


def format_checks(checks: Sequence[Check]) -> str:
    """One line per check, as the command line prints them."""
    lines = []
    for c in checks:
        mark = "通过 PASS" if c.ok else "失败 FAIL"
        lines.append(f"[{mark}] {c.name}: {c.title_zh} / {c.title_en}")
        lines.append(f"        {c.reason_zh}")
        lines.append(f"        {c.reason_en}")
    verdict = ("核验通过：全部检查均通过。 / VERIFIED: every check passed." if all_ok(checks)
               else "核验未通过。 / NOT VERIFIED.")
    return "\n".join(lines + [verdict])


def skipped(names: Iterable[str], zh: str, en: str) -> list[Check]:
    """Failed checks that could not be made, and why."""
    return [Check(n, False, f"未检查：{zh}", f"not checked: {en}") for n in names]


def combine(name: str, parts: list[Part]) -> Check:
    """One check from the parts of several documents: passed when all pass; shows the failing ones."""
    ok = all(p[0] for p in parts)
    shown = [p for p in parts if not p[0]] or parts
    return Check(name, ok, "；".join(p[1] for p in shown), "; ".join(p[2] for p in shown))


def unfinished(names: Sequence[str]) -> list[Check]:
    """Failed checks of a verification that did not finish within its time and memory limits."""
    zh = "核验未能在时间和内存限制内完成（文件可能过大或经过恶意构造）。"
    en = "the verification did not finish within its time and memory limits (the file may be too large or crafted)."
    return [Check(names[0], False, zh, en)] + skipped(names[1:], zh, en)
