"""Named rule sets (presets) a body chooses from, and overrides on top of them.

A :class:`RuleSet` is a quorum, one threshold per kind of question, whether ballots are secret by
default, and whether several appointments may be voted together. :data:`PRESETS` holds the three
shipped presets; :func:`ruleset` returns one with a body's own overrides applied:

* "standing_committee" -- 地方人大常委会: quorum more than half of all members; everything passes with
  more than half of all members (全体组成人员的过半数); procedural motions more than half of those present;
* "congress_plenary"   -- 人民代表大会全体会议: quorum two-thirds of all deputies or more (三分之二以上,
  inclusive); everything passes with more than half of all deputies;
* "generic_committee"  -- any other committee: quorum more than half; passes with more than half of the
  valid votes cast; named (not secret) ballots by default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from .errors import RuleError
from .kinds import KINDS, AppointmentSpec, BallotSpec
from .plain import to_plain
from .rules import Base, Quorum, Threshold, need_quorum

__all__ = ["RuleSet", "PRESETS", "THRESHOLD_KEYS", "ruleset"]

#: The keys a rule set's thresholds may have.
THRESHOLD_KEYS = ("resolution", "appointment", "removal", "procedural", "evaluation", "selection")


def _check_bool(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise RuleError(
            "invalid_field", f"{what} 必须是布尔值，收到的是 {value!r}", f"{what} must be a boolean, got {value!r}"
        )
    return value


def _check_threshold_keys(keys: Iterable[object]) -> None:
    for key in keys:
        if key not in THRESHOLD_KEYS:
            raise RuleError(
                "unknown_threshold",
                f"未知的通过规则类别 {key!r}（可选：{', '.join(THRESHOLD_KEYS)}）",
                f"unknown threshold key {key!r} (one of: {', '.join(THRESHOLD_KEYS)})",
            )


@dataclass(frozen=True)
class RuleSet:
    """A body's voting rules. ``thresholds`` maps keys of :data:`THRESHOLD_KEYS` to thresholds;
    a kind without its own key uses "resolution"."""

    name: str
    quorum: Quorum
    thresholds: Mapping[str, Threshold] = field(default_factory=dict)
    secret_by_default: bool = True
    allow_combined_appointments: bool = False

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
        object.__setattr__(self, "thresholds", {k: self.thresholds[k] for k in THRESHOLD_KEYS if k in self.thresholds})

    def __hash__(self) -> int:
        thresholds = tuple(self.thresholds.items())
        return hash((self.name, self.quorum, thresholds, self.secret_by_default, self.allow_combined_appointments))

    def threshold_for(self, kind: str, *, procedural: bool = False, action: str | None = None) -> Threshold:
        """The threshold for a ballot of ``kind``.

        ``procedural=True`` picks "procedural"; ``kind="appointment"`` with ``action="remove"`` picks
        "removal". A key the rule set lacks falls back to "appointment" (for removals), then to
        "resolution".
        """
        if kind not in KINDS:
            raise RuleError(
                "unknown_kind",
                f"未知的表决类型 {kind!r}（可选：{', '.join(KINDS)}）",
                f"unknown ballot kind {kind!r} (one of: {', '.join(KINDS)})",
            )
        if action not in (None, "appoint", "remove"):
            raise RuleError(
                "invalid_action",
                f"任免类别必须是 appoint 或 remove，收到的是 {action!r}",
                f"action must be 'appoint' or 'remove', got {action!r}",
            )
        chain: list[str] = []
        if procedural:
            chain.append("procedural")
        if kind == "appointment" and action == "remove":
            chain.append("removal")
        chain += [kind, "resolution"]
        for key in chain:
            if key in self.thresholds:
                return self.thresholds[key]
        raise AssertionError("unreachable: 'resolution' is required")  # pragma: no cover

    def check_spec(self, spec: BallotSpec) -> None:
        """Raise :class:`RuleError` if the body's rules do not allow ``spec`` (a combined appointment)."""
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

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RuleSet:
        if not isinstance(d, Mapping):
            raise RuleError("not_a_mapping", "规则必须是映射", f"rule set must be a mapping, got {d!r}")
        _check_keys(
            d, {"name", "quorum", "thresholds", "secret_by_default", "allow_combined_appointments"}, "unknown_field"
        )
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
        )


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


#: The shipped presets, by name.
PRESETS: dict[str, RuleSet] = {
    "standing_committee": RuleSet(
        name="standing_committee",
        quorum=Quorum(_HALF, strict=True),
        thresholds=_same_for_all(_MAJORITY_OF_ALL, procedural=_MAJORITY_OF_PRESENT),
        secret_by_default=True,
        allow_combined_appointments=False,
    ),
    "congress_plenary": RuleSet(
        name="congress_plenary",
        quorum=Quorum(Fraction(2, 3), strict=False),
        thresholds=_same_for_all(_MAJORITY_OF_ALL),
        secret_by_default=True,
        allow_combined_appointments=False,
    ),
    "generic_committee": RuleSet(
        name="generic_committee",
        quorum=Quorum(_HALF, strict=True),
        thresholds=_same_for_all(_MAJORITY_OF_CAST),
        secret_by_default=False,
        allow_combined_appointments=False,
    ),
}

_OVERRIDE_KEYS = {"name", "quorum", "thresholds", "secret_by_default", "allow_combined_appointments"}


def ruleset(preset: str, overrides: Mapping[str, Any] | None = None) -> RuleSet:
    """The preset named ``preset`` with ``overrides`` applied.

    ``overrides`` may hold "name", "quorum" (partial: ``{"fraction": "2/3"}``), "thresholds" (per key,
    partial: ``{"resolution": {"base": "present"}}``), "secret_by_default" and
    "allow_combined_appointments". An unknown preset or override key raises :class:`RuleError`.
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
        t_over = overrides["thresholds"]
        if not isinstance(t_over, Mapping):
            raise RuleError(
                "not_a_mapping",
                "thresholds 覆盖设置必须是映射",
                f"thresholds overrides must be a mapping, got {t_over!r}",
            )
        _check_threshold_keys(t_over)
        thresholds = dict(base.thresholds)
        for key, t in t_over.items():
            thresholds[key] = Threshold.from_dict(t, defaults=base.thresholds.get(key))
        changes["thresholds"] = thresholds
    for key in ("secret_by_default", "allow_combined_appointments"):
        if key in overrides:
            changes[key] = _check_bool(overrides[key], key)
    return replace(base, **changes)
