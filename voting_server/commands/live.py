"""The live sitting: what seat tablets and the chair's and clerk's consoles send over Socket.IO
(docs/protocol.md section 4), each also an HTTP route (section 5, "Live sitting")."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import services
from ..i18n import msg
from ..services import casting, closing, hands, keyholders, opening, runoff, sitting, speakers, timer, withdrawal
from ..services.base import Invalid
from ..services.casting import CAST_ID, CHOICE, CastRequest
from ..services.encrypted import WIRE_BALLOT
from ..services.hands import BALLOTS_CAST, COUNTS, INVALID_BALLOTS, NOTE
from ..services.sitting import ATTENDANCE_STATUS, REASON
from ..services.speakers import SPEAKER_MOVE
from ..services.timer import EXTEND_SECONDS
from ..services.values import Flag, Maybe, Obj, Ref, Refusal
from .table import Batch, Command, Route, arg, as_is

BALLOT = Ref(msg("表决"))
ITEM = Ref(msg("议题"))
SITTING = Ref(msg("会议"))
PERSON = Ref(msg("人员"))
SPEAKER_REQUEST = Ref(msg("发言申请"))
CONFIRM = Flag(msg("confirm "))
CAST_PAYLOAD = 60 * 1024  # a tablet's encrypted ballot of a long selection or evaluation (under the transport's 64 KB)


def confirmed(value: bool) -> None:
    """A show-of-hands count is entered only with ``confirm: true``: it can never be changed."""
    if value is not True:
        raise Invalid("confirm_required", msg("请再次确认举手表决结果"))


@dataclass(frozen=True, kw_only=True)
class NoArgs:
    pass


@dataclass(frozen=True, kw_only=True)
class SittingArgs:
    sitting_id: int = arg(SITTING, source="connection")


@dataclass(frozen=True, kw_only=True)
class OpenSittingArgs:
    sitting_id: int = arg(SITTING, source="connection")
    confirm: bool = arg(CONFIRM, default=False)  # true: open even though nobody has signed in yet


@dataclass(frozen=True, kw_only=True)
class ItemArgs:
    item_id: int = arg(ITEM)


@dataclass(frozen=True, kw_only=True)
class BallotArgs:
    ballot_id: int = arg(BALLOT)


@dataclass(frozen=True, kw_only=True)
class CloseArgs:
    ballot_id: int = arg(BALLOT)
    confirm_video: bool = arg(closing.CONFIRM_VIDEO, default=False)  # true: close with video votes not entered


@dataclass(frozen=True, kw_only=True)
class OpenArgs:
    ballot_id: int = arg(BALLOT)
    override_quorum: bool = arg(opening.OVERRIDE_QUORUM, default=False)


@dataclass(frozen=True, kw_only=True)
class RevoteArgs:
    ballot_id: int = arg(BALLOT)
    reason: str = arg(opening.REVOTE_REASON, default="")  # absent: the service asks for it in words
    confirm_passed: bool = arg(opening.CONFIRM_PASSED, default=False)
    override_quorum: bool = arg(opening.OVERRIDE_QUORUM, default=False)


@dataclass(frozen=True, kw_only=True)
class RunoffArgs:
    ballot_id: int = arg(BALLOT)
    extra: int | None = arg(runoff.EXTRA, default=None)  # a further election's candidates beyond the places
    override_quorum: bool = arg(opening.OVERRIDE_QUORUM, default=False)


@dataclass(frozen=True, kw_only=True)
class SpeakerOrderArgs:
    item_id: int = arg(ITEM)
    order: list[int] = arg(speakers.SPEAKER_ORDER)


@dataclass(frozen=True, kw_only=True)
class WithdrawItemArgs:
    item_id: int = arg(ITEM)
    reason: str = arg(withdrawal.REASON)


@dataclass(frozen=True, kw_only=True)
class WithdrawBallotArgs:
    ballot_id: int = arg(BALLOT)
    reason: str = arg(withdrawal.REASON)


@dataclass(frozen=True, kw_only=True)
class ShareArgs:
    ballot_id: int = arg(BALLOT)
    partial: Mapping[str, object] = arg(Obj(Refusal("malformed", msg("部分解密数据格式错误"))))


@dataclass(frozen=True, kw_only=True)
class ExtendArgs:
    ballot_id: int = arg(BALLOT)
    seconds: int = arg(EXTEND_SECONDS)


@dataclass(frozen=True, kw_only=True)
class AttendanceArgs:
    sitting_id: int = arg(SITTING, source="connection")
    person_id: int = arg(PERSON)
    status: str = arg(ATTENDANCE_STATUS)
    reason: str = arg(REASON, default="")


@dataclass(frozen=True, kw_only=True)
class SpeakerArgs:
    request_id: int = arg(SPEAKER_REQUEST)
    move: str = arg(SPEAKER_MOVE)


@dataclass(frozen=True, kw_only=True)
class CastArgs:
    ballot_id: int = arg(BALLOT)
    choice: casting.Choice | None = arg(CHOICE, default=None)
    cast_id: str = arg(CAST_ID)
    person_id: int | None = arg(Maybe(PERSON), default=None)
    ballot: Mapping[str, Any] | None = arg(WIRE_BALLOT, default=None)  # a tablet's encrypted ballot


@dataclass(frozen=True, kw_only=True)
class HandsArgs:
    ballot_id: int = arg(BALLOT)
    counts: hands.Counts = arg(COUNTS)
    ballots: int = arg(BALLOTS_CAST, param="ballots_cast")
    invalid: int = arg(INVALID_BALLOTS, default=0)
    note: str = arg(NOTE, default="")
    confirm: bool = arg(CONFIRM, default=False, passed=False)

    def __post_init__(self) -> None:
        confirmed(self.confirm)


def _cast(actor: services.Actor, a: CastArgs) -> CastRequest:
    return CastRequest(actor, a.ballot_id, a.choice, a.cast_id, a.person_id, a.ballot)


def _encrypted(request: CastRequest) -> bool:
    return request.ballot is not None


def _sign_in(actor: services.Actor, a: SittingArgs) -> tuple[services.Actor, int]:
    return (actor, a.sitting_id)


def _round_id(round_id: int, a: object) -> dict[str, Any]:
    return {"round_id": round_id}


def _closed(result: Mapping[str, Any], a: object) -> dict[str, Any]:
    """A result, or (a round the 监票人 decrypt) how far its counting is, with no result yet."""
    return {"result": None, **result} if "counting" in result else {"result": result}


def _path(rule: str, method: str = "POST") -> Route:
    return Route(method, rule)


COMMANDS: tuple[Command[Any, Any], ...] = (
    Command("snapshot", NoArgs, None, answer=lambda snap, a: {"snapshot": snap}, live=True),
    Command("sign_in", SittingArgs, sitting.sign_in, http=_path("/sittings/<int:sitting_id>/sign-in"), live=True,
            batch=Batch(_sign_in, sitting.sign_in_many)),
    Command("cast", CastArgs, casting.cast_vote, answer=as_is, http=_path("/ballots/<int:ballot_id>/cast"),
            live=True, batch=Batch(_cast, casting.cast_many, heavy=_encrypted), max_payload=CAST_PAYLOAD),
    Command("speak", ItemArgs, speakers.request_to_speak, answer=lambda rid, a: {"request_id": rid},
            http=_path("/items/<int:item_id>/speak"), live=True),
    Command("speaker", SpeakerArgs, speakers.move_speaker, http=_path("/speakers/<int:request_id>/<move>"), live=True),
    Command("speaker_order", SpeakerOrderArgs, speakers.order_speakers,
            http=_path("/items/<int:item_id>/speakers/order", "PUT"), live=True),
    Command("open_sitting", OpenSittingArgs, sitting.open_sitting, http=_path("/sittings/<int:sitting_id>/open"),
            live=True),
    Command("close_sitting", SittingArgs, sitting.close_sitting, http=_path("/sittings/<int:sitting_id>/close"),
            live=True),
    Command("start_item", ItemArgs, sitting.start_item, http=_path("/items/<int:item_id>/start"), live=True),
    Command("finish_item", ItemArgs, sitting.finish_item, http=_path("/items/<int:item_id>/finish"), live=True),
    Command("open_ballot", OpenArgs, opening.open_ballot, answer=_round_id, http=_path("/ballots/<int:ballot_id>/open"),
            live=True),
    Command("close_ballot", CloseArgs, services.close_ballot, answer=_closed,
            http=_path("/ballots/<int:ballot_id>/close"), live=True),
    Command("decryption_request", BallotArgs, keyholders.decryption_request, answer=as_is,
            http=_path("/ballots/<int:ballot_id>/decryption-request"), live=True),
    Command("give_share", ShareArgs, keyholders.give_share, answer=as_is, http=_path("/ballots/<int:ballot_id>/tally-share"),
            live=True),
    Command("revote", RevoteArgs, opening.revote, answer=_round_id, http=_path("/ballots/<int:ballot_id>/revote"),
            live=True),
    Command("open_runoff", RunoffArgs, runoff.open_runoff, answer=_round_id,
            http=_path("/ballots/<int:ballot_id>/runoff"), live=True),
    Command("extend", ExtendArgs, timer.extend_timer, http=_path("/ballots/<int:ballot_id>/extend"), live=True),
    Command("remind", BallotArgs, timer.remind_non_voters, answer=lambda n, a: {"reminded": n},
            http=_path("/ballots/<int:ballot_id>/remind"), live=True),
    Command("set_attendance", AttendanceArgs, sitting.set_attendance,
            http=_path("/sittings/<int:sitting_id>/attendance/<int:person_id>", "PUT"), live=True),
    Command("hands", HandsArgs, hands.enter_show_of_hands, http=_path("/ballots/<int:ballot_id>/hands"), live=True),
    Command("withdraw_item", WithdrawItemArgs, withdrawal.withdraw_item, http=_path("/items/<int:item_id>/withdraw"),
            live=True),
    Command("withdraw_ballot", WithdrawBallotArgs, withdrawal.withdraw_ballot,
            http=_path("/ballots/<int:ballot_id>/withdraw"), live=True),
)
