"""Named rule sets (presets) a body chooses from, and overrides on top of them.

A :class:`RuleSet` is a quorum, one threshold per kind of question, whether ballots are secret by
default, whether several appointments may be voted together, the body's words (:class:`Words`), its
election margins (:mod:`ballots.margins`) and whether a timed ballot closes by itself when its time is
up (``auto_close_at_deadline``; no preset does: the chair closes it), how long one speech may last
(``speaking_seconds``: ten minutes unless a body says otherwise), and how members attending by video
vote (``video_votes``: "clerk", the clerk enters their votes as a show of hands, in a standing
committee and a congress plenary; "tablet", from a remote tablet like anyone present, in any other
committee). :data:`PRESETS` holds the three
shipped presets; :func:`ruleset` returns one with a body's own overrides applied:

* "standing_committee" -- 地方人大常委会: quorum more than half of all members; everything passes with
  more than half of all members (全体组成人员的过半数); procedural motions more than half of those present;
  its members are 组成人员;
* "congress_plenary"   -- 人民代表大会全体会议: quorum two-thirds of all deputies or more (三分之二以上,
  inclusive); everything passes with more than half of all deputies (全体代表的过半数), elections too;
  its members are 代表;
* "generic_committee"  -- any other committee: quorum more than half; passes with more than half of the
  valid votes cast; named (not secret) ballots by default; its members are 成员.

Some ballots are secret whatever a body's rules say (:data:`ALWAYS_SECRET`): :meth:`RuleSet.is_secret`
is the one question a caller asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from .errors import RuleError
from .kinds import KINDS, AppointmentSpec, BallotSpec, ElectionSpec
from .margins import MARGIN_KEYS, MARGINS, Margin
from .order import REMOVALS
from .plain import later, need_choice, to_plain
from .rules import MEMBERS, Base, Quorum, Rule, Threshold, check_video_votes, need_quorum
from .words import Words, need_words

__all__ = ["RuleSet", "PRESETS", "THRESHOLD_KEYS", "OPTIONAL_THRESHOLD_KEYS", "ALWAYS_SECRET", "BOX_KEYS",
           "BOX_ENCRYPT", "ruleset", "check_box_keys", "check_box_encrypt"]

#: The keys every shipped preset sets a threshold for.
THRESHOLD_KEYS = ("resolution", "appointment", "removal", "procedural", "evaluation", "selection")
#: Keys a rule set may also set; without one, the kind's ballots use "resolution" ("election").
OPTIONAL_THRESHOLD_KEYS = ("election",)
_ALL_THRESHOLD_KEYS = (*THRESHOLD_KEYS, *OPTIONAL_THRESHOLD_KEYS)

#: Ballots that are secret whatever a body's rules say: an election (地方组织法 2022 and 选举法: 选举采用无记名
#: 投票方式) and a dismissal (撤职, 监督法 2024 Art. 62: 撤职案的表决采用无记名投票的方式). Not a setting: no
#: override reaches it.
ALWAYS_SECRET = ("election", "dismissal")


def _secret_reasons(spec: BallotSpec) -> tuple[str, ...]:
    """Which of :data:`ALWAYS_SECRET` make ``spec`` secret."""
    reasons = []
    if isinstance(spec, ElectionSpec):
        reasons.append("election")
    if isinstance(spec, AppointmentSpec) and any(p.action == "dismiss" for p in spec.persons):
        reasons.append("dismissal")
    return tuple(reasons)


def _check_bool(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise RuleError(
            "invalid_field", f"{what} 必须是布尔值，收到的是 {value!r}", f"{what} must be a boolean, got {value!r}"
        )
    return value


#: Who holds the key of a secret round's encrypted ballot box: the server, sealed under a wrapping key it
#: destroys after the tally ("sealed", the default), or the 监票人 with their key shares, k of n of whom
#: must decrypt ("shares").
BOX_KEYS = ("sealed", "shares")
#: Who encrypts a secret choice: the server, on receiving it ("server", the default), or the seat's own
#: browser, sending only the ciphertext with its proofs ("tablet": the server never sees the choice).
BOX_ENCRYPT = ("server", "tablet")


def check_box_keys(value: object) -> str:
    """``value`` if it is one of :data:`BOX_KEYS`, else ``RuleError("invalid_field")``."""
    return need_choice(value, BOX_KEYS, "ballot_box_keys")


#: How long one speech may last, in seconds, unless a body says otherwise (``speaking_seconds``; 0: no
#: limit): ten minutes, as many rulebooks give a speech in a plenary meeting.
SPEAKING_SECONDS = 600
MAX_SPEAKING_SECONDS = 4 * 3600


def check_speaking_seconds(value: object) -> int:
    """``value`` if it is a whole number of seconds from 0 (no limit) to four hours, else ``RuleError``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SPEAKING_SECONDS:
        raise RuleError(
            "invalid_field",
            "发言时间应为0（不限）到14400秒之间的整数",
            f"speaking_seconds must be a whole number from 0 (no limit) to {MAX_SPEAKING_SECONDS}, got {value!r}",
        )
    return value


def check_box_encrypt(value: object) -> str:
    """``value`` if it is one of :data:`BOX_ENCRYPT`, else ``RuleError("invalid_field")``."""
    return need_choice(value, BOX_ENCRYPT, "ballot_box_encrypt")


def _check_threshold_keys(keys: Iterable[object]) -> None:
    for key in keys:
        if key not in _ALL_THRESHOLD_KEYS:
            raise RuleError(
                "unknown_threshold",
                f"未知的通过规则类别 {key!r}（可选：{', '.join(_ALL_THRESHOLD_KEYS)}）",
                f"unknown threshold key {key!r} (one of: {', '.join(_ALL_THRESHOLD_KEYS)})",
            )


def _check_margin_key(key: object) -> None:
    if key not in MARGIN_KEYS:
        raise RuleError(
            "unknown_margin",
            f"未知的差额类别 {key!r}（可选：{', '.join(MARGIN_KEYS)}）",
            f"unknown margin key {key!r} (one of: {', '.join(MARGIN_KEYS)})",
        )


def _check_margins(margins: object) -> dict[str, Margin]:
    if not isinstance(margins, Mapping):
        raise RuleError("invalid_field", "margins 必须是映射", f"margins must be a mapping, got {margins!r}")
    for key, m in margins.items():
        _check_margin_key(key)
        if not isinstance(m, Margin):
            raise RuleError("invalid_margin", f"{key} 的差额设置必须是 Margin", f"margin {key!r} must be a Margin")
    return {**MARGINS, **margins}


@dataclass(frozen=True)
class RuleSet:
    """A body's voting rules. ``thresholds`` maps keys of :data:`THRESHOLD_KEYS` (and
    :data:`OPTIONAL_THRESHOLD_KEYS`) to thresholds; a kind without its own key uses "resolution".
    ``words``: how the body names its members; ``margins``: its election margins by key (every key of
    :data:`~ballots.margins.MARGIN_KEYS`; those not given are the law's). Both are stored only when they
    differ from the standing committee's words and the law's margins."""

    name: str
    quorum: Quorum
    thresholds: Mapping[str, Threshold] = field(default_factory=dict)
    secret_by_default: bool = True
    allow_combined_appointments: bool = False
    words: Words = later(MEMBERS)
    margins: Mapping[str, Margin] = later(factory=lambda: dict(MARGINS))
    auto_close_at_deadline: bool = later(False)
    ballot_box_keys: str = later("sealed")
    ballot_box_encrypt: str = later("server")
    speaking_seconds: int = later(SPEAKING_SECONDS)
    video_votes: str = later("tablet")

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise RuleError(
                "invalid_field",
                "规则名称必须是非空字符串",
                f"rule set name must be a non-empty string, got {self.name!r}",
            )
        need_quorum(self.quorum)
        if not isinstance(self.thresholds, Mapping):
            raise RuleError(
                "invalid_field", "thresholds 必须是映射", f"thresholds must be a mapping, got {self.thresholds!r}"
            )
        _check_threshold_keys(self.thresholds)
        for key, t in self.thresholds.items():
            if not isinstance(t, Threshold):
                raise RuleError(
                    "invalid_threshold",
                    f"{key} 的通过规则必须是 Threshold",
                    f"threshold {key!r} must be a Threshold, got {t!r}",
                )
        if "resolution" not in self.thresholds:
            raise RuleError(
                "missing_threshold",
                "规则必须包含 resolution（议案）的通过规则",
                "a rule set needs a 'resolution' threshold",
            )
        _check_bool(self.secret_by_default, "secret_by_default")
        _check_bool(self.allow_combined_appointments, "allow_combined_appointments")
        _check_bool(self.auto_close_at_deadline, "auto_close_at_deadline")
        check_box_keys(self.ballot_box_keys)
        check_box_encrypt(self.ballot_box_encrypt)
        check_speaking_seconds(self.speaking_seconds)
        check_video_votes(self.video_votes)
        need_words(self.words)
        ordered = {k: self.thresholds[k] for k in _ALL_THRESHOLD_KEYS if k in self.thresholds}
        object.__setattr__(self, "thresholds", ordered)
        object.__setattr__(self, "margins", _check_margins(self.margins))

    def __hash__(self) -> int:
        thresholds = tuple(self.thresholds.items())
        margins = tuple(self.margins.items())
        flags = (self.secret_by_default, self.allow_combined_appointments, self.auto_close_at_deadline,
                 self.ballot_box_keys, self.ballot_box_encrypt, self.speaking_seconds, self.video_votes)
        return hash((self.name, self.quorum, thresholds, flags, self.words, margins))

    def threshold_for(self, kind: str, *, procedural: bool = False, action: str | None = None) -> Threshold:
        """The threshold for a ballot of ``kind``.

        ``procedural=True`` picks "procedural"; ``kind="appointment"`` with ``action="remove"`` picks
        "removal" (so does ``action="dismiss"``). A key the rule set lacks falls back to "appointment"
        (for removals), then to "resolution".
        """
        if kind not in KINDS:
            raise RuleError(
                "unknown_kind",
                f"未知的表决类型 {kind!r}（可选：{', '.join(KINDS)}）",
                f"unknown ballot kind {kind!r} (one of: {', '.join(KINDS)})",
            )
        if action not in (None, "appoint", *REMOVALS):
            raise RuleError(
                "invalid_action",
                f"任免类别必须是 appoint、remove 或 dismiss，收到的是 {action!r}",
                f"action must be 'appoint', 'remove' or 'dismiss', got {action!r}",
            )
        chain: list[str] = []
        if procedural:
            chain.append("procedural")
        if kind == "appointment" and action in REMOVALS:
            chain.append("removal")
        chain += [kind, "resolution"]
        for key in chain:
            if key in self.thresholds:
                return self.thresholds[key]
        raise AssertionError("unreachable: 'resolution' is required")  # pragma: no cover

    def threshold_for_spec(self, spec: BallotSpec, *, procedural: bool = False) -> Threshold:
        """The threshold for ``spec``: an appointment ballot that only takes persons off posts (免职 or
        撤职) uses "removal"; otherwise as :meth:`threshold_for` by kind."""
        action = None
        if isinstance(spec, AppointmentSpec):
            action = "remove" if all(p.action in REMOVALS for p in spec.persons) else "appoint"
        return self.threshold_for(spec.kind, procedural=procedural, action=action)

    def rule_for(self, spec: BallotSpec, *, procedural: bool = False, threshold: Threshold | None = None) -> Rule:
        """The :class:`Rule` to freeze on a ballot of ``spec`` (``threshold`` overrides the body's)."""
        chosen = self.threshold_for_spec(spec, procedural=procedural) if threshold is None else threshold
        return Rule(self.name, chosen, self.quorum, self.words, self.video_votes)

    def must_be_secret(self, spec: BallotSpec) -> bool:
        """Whether ``spec`` is secret whatever is asked (:data:`ALWAYS_SECRET`): an election, a dismissal."""
        return bool(_secret_reasons(spec))

    def is_secret(self, spec: BallotSpec, requested: bool | None = None) -> bool:
        """Whether a ballot of ``spec`` is secret: always for :data:`ALWAYS_SECRET` (asking for a named
        one raises ``RuleError("must_be_secret")``), else ``requested`` or the body's default."""
        if requested is not None:
            _check_bool(requested, "secret")
        reasons = _secret_reasons(spec)
        if reasons and requested is False:
            what_zh = "选举" if "election" in reasons else "撤职案的表决"
            raise RuleError(
                "must_be_secret",
                f"{what_zh}一律采用无记名投票，不能记名",
                f"{' and '.join(reasons)} ballots are always secret; a named one is not allowed",
            )
        return True if reasons else (self.secret_by_default if requested is None else requested)

    def check_spec(self, spec: BallotSpec) -> None:
        """Raise :class:`RuleError` if the body's rules do not allow ``spec``: a combined appointment the
        body does not allow, or an election whose candidates miss the margin of its post type."""
        if (
            isinstance(spec, AppointmentSpec)
            and spec.combined
            and len(spec.persons) > 1
            and not self.allow_combined_appointments
        ):
            raise RuleError(
                "combined_not_allowed",
                "本机关的议事规则不允许合并表决任免案，应逐人表决",
                "this body's rules do not allow voting several appointments together; vote one person at a time",
            )
        if isinstance(spec, ElectionSpec) and spec.margin_key is not None:
            self.margins[spec.margin_key].check(spec.places, len(spec.candidates))

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RuleSet:
        if not isinstance(d, Mapping):
            raise RuleError("not_a_mapping", "规则必须是映射", f"rule set must be a mapping, got {d!r}")
        _check_keys(d, _OVERRIDE_KEYS, "unknown_field")
        for key in ("name", "quorum", "thresholds"):
            if key not in d:
                raise RuleError("missing_field", f"规则缺少 {key}", f"rule set is missing {key!r}")
        thresholds = d["thresholds"]
        if not isinstance(thresholds, Mapping):
            raise RuleError(
                "invalid_field", "thresholds 必须是映射", f"thresholds must be a mapping, got {thresholds!r}"
            )
        _check_threshold_keys(thresholds)
        return cls(
            name=d["name"],
            quorum=Quorum.from_dict(d["quorum"]),
            thresholds={k: Threshold.from_dict(v) for k, v in thresholds.items()},
            secret_by_default=d.get("secret_by_default", True),
            allow_combined_appointments=d.get("allow_combined_appointments", False),
            words=Words.from_dict(d["words"]) if "words" in d else MEMBERS,
            margins={k: Margin.from_dict(v) for k, v in _mapping(d.get("margins", {}), "margins").items()},
            auto_close_at_deadline=d.get("auto_close_at_deadline", False),
            ballot_box_keys=d.get("ballot_box_keys", "sealed"),
            ballot_box_encrypt=d.get("ballot_box_encrypt", "server"),
            speaking_seconds=d.get("speaking_seconds", SPEAKING_SECONDS),
            video_votes=d.get("video_votes", "tablet"),
        )


def _mapping(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RuleError(
            "not_a_mapping", f"{what} 覆盖设置必须是映射", f"{what} overrides must be a mapping, got {value!r}"
        )
    return value


def _check_keys(d: Mapping[str, Any], allowed: set[str], code: str) -> None:
    unknown = set(d) - allowed
    if unknown:
        names = ", ".join(sorted(map(str, unknown)))
        raise RuleError(
            code,
            f"规则含未知字段：{names}",
            f"unknown rule set field(s): {names} (allowed: {', '.join(sorted(allowed))})",
        )


_HALF = Fraction(1, 2)
_MAJORITY_OF_ALL = Threshold(Base.ALL_MEMBERS, _HALF, strict=True)
_MAJORITY_OF_PRESENT = Threshold(Base.PRESENT, _HALF, strict=True)
_MAJORITY_OF_CAST = Threshold(Base.VOTES_CAST, _HALF, strict=True)


def _same_for_all(t: Threshold, **special: Threshold) -> dict[str, Threshold]:
    out = {k: t for k in THRESHOLD_KEYS}
    out.update(special)
    return out


#: The words of a congress plenary (代表) and of any other committee (成员).
PLENARY_WORDS = Words("代表", "deputy", "deputies", "出席代表", "代表", "deputies")
COMMITTEE_WORDS = Words("成员", "member", "members", "出席成员", "成员", "members")

#: The shipped presets, by name.
PRESETS: dict[str, RuleSet] = {
    "standing_committee": RuleSet(
        name="standing_committee",
        quorum=Quorum(_HALF, strict=True),
        thresholds=_same_for_all(_MAJORITY_OF_ALL, procedural=_MAJORITY_OF_PRESENT),
        secret_by_default=True,
        allow_combined_appointments=False,
        video_votes="clerk",
    ),
    "congress_plenary": RuleSet(
        name="congress_plenary",
        quorum=Quorum(Fraction(2, 3), strict=False),
        thresholds=_same_for_all(_MAJORITY_OF_ALL),
        secret_by_default=True,
        allow_combined_appointments=False,
        words=PLENARY_WORDS,
        video_votes="clerk",
    ),
    "generic_committee": RuleSet(
        name="generic_committee",
        quorum=Quorum(_HALF, strict=True),
        thresholds=_same_for_all(_MAJORITY_OF_CAST),
        secret_by_default=False,
        allow_combined_appointments=False,
        words=COMMITTEE_WORDS,
    ),
}

_OVERRIDE_KEYS = {
    "name",
    "quorum",
    "thresholds",
    "secret_by_default",
    "allow_combined_appointments",
    "words",
    "margins",
    "auto_close_at_deadline",
    "ballot_box_keys",
    "ballot_box_encrypt",
    "speaking_seconds",
    "video_votes",
}


def ruleset(preset: str, overrides: Mapping[str, Any] | None = None) -> RuleSet:
    """The preset named ``preset`` with ``overrides`` applied.

    ``overrides`` may hold "name", "quorum" (partial: ``{"fraction": "2/3"}``), "thresholds" (per key,
    partial: ``{"resolution": {"base": "present"}}``), "secret_by_default",
    "allow_combined_appointments", "auto_close_at_deadline", "ballot_box_keys" (:data:`BOX_KEYS`),
    "ballot_box_encrypt" (:data:`BOX_ENCRYPT`), "speaking_seconds" (one speech's time, 0 for none),
    "video_votes" (:data:`~ballots.turnout.VIDEO_VOTES`),
    "words" (partial: ``{"member_zh": "委员"}``)
    and "margins" (per key, partial: ``{"deputy_head": {"high": 2}}``). An unknown preset or override key raises
    :class:`RuleError`. No override makes an always-secret ballot named (:data:`ALWAYS_SECRET`).
    """
    if not isinstance(preset, str) or preset not in PRESETS:
        raise RuleError(
            "unknown_preset",
            f"未知的规则预设 {preset!r}（可选：{', '.join(PRESETS)}）",
            f"unknown preset {preset!r} (one of: {', '.join(PRESETS)})",
        )
    base = PRESETS[preset]
    if overrides is None:
        return base
    if not isinstance(overrides, Mapping):
        raise RuleError("not_a_mapping", "覆盖设置必须是映射", f"overrides must be a mapping, got {overrides!r}")
    _check_keys(overrides, _OVERRIDE_KEYS, "unknown_override")
    changes: dict[str, Any] = {}
    if "name" in overrides:
        changes["name"] = overrides["name"]
    if "quorum" in overrides:
        changes["quorum"] = Quorum.from_dict(overrides["quorum"], defaults=base.quorum)
    if "thresholds" in overrides:
        t_over = _mapping(overrides["thresholds"], "thresholds")
        _check_threshold_keys(t_over)
        thresholds = dict(base.thresholds)
        for key, t in t_over.items():
            thresholds[key] = Threshold.from_dict(t, defaults=base.thresholds.get(key))
        changes["thresholds"] = thresholds
    for key in ("secret_by_default", "allow_combined_appointments", "auto_close_at_deadline"):
        if key in overrides:
            changes[key] = _check_bool(overrides[key], key)
    if "ballot_box_keys" in overrides:
        changes["ballot_box_keys"] = check_box_keys(overrides["ballot_box_keys"])
    if "ballot_box_encrypt" in overrides:
        changes["ballot_box_encrypt"] = check_box_encrypt(overrides["ballot_box_encrypt"])
    if "speaking_seconds" in overrides:
        changes["speaking_seconds"] = check_speaking_seconds(overrides["speaking_seconds"])
    if "video_votes" in overrides:
        changes["video_votes"] = check_video_votes(overrides["video_votes"])
    if "words" in overrides:
        changes["words"] = Words.from_dict(overrides["words"], defaults=base.words)
    if "margins" in overrides:
        changes["margins"] = _margin_overrides(base, _mapping(overrides["margins"], "margins"))
    return replace(base, **changes)


def _margin_overrides(base: RuleSet, given: Mapping[str, Any]) -> dict[str, Margin]:
    margins = dict(base.margins)
    for key, partial in given.items():
        _check_margin_key(key)
        margins[key] = Margin.from_dict({**margins[key].to_dict(), **_mapping(partial, f"margins.{key}")})
    return margins
