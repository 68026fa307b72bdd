"""An appointment list (任免名单) voted person by person (逐人表决): one ballot per person, all created
in one transaction, or none. Within the list a removal from a post comes before an appointment to it
(先免后任), and each ballot is titled by what it decides ("任命张三为某局局长")."""
from __future__ import annotations

from collections.abc import Mapping

import ballots

from .. import models
from ..db import Store
from ..i18n import msg
from .agenda import BALLOT_TITLE, BOX_ENCRYPT, BOX_KEYS, METHOD, TIMER, parse_spec, put_ballot
from .base import Actor, Invalid, get_or_404, requires, transaction

MAX_PERSONS = 100

def person_title(person: ballots.Person) -> str:
    """The title of the ballot on one person: what it decides (stored in the sitting's language, Chinese,
    as a title the clerk types)."""
    name, post = person.name, person.post
    if person.action == "remove":
        words = msg("免去{name}的{post}职务", name=name, post=post) if post else msg("免去{name}的职务", name=name)
    elif person.action == "dismiss":
        words = msg("撤销{name}的{post}职务", name=name, post=post) if post else msg("撤销{name}的职务", name=name)
    else:
        words = msg("任命{name}为{post}", name=name, post=post) if post else msg("任命{name}", name=name)
    return str(words)


def one_by_one(persons: list[ballots.Person]) -> list[ballots.Person]:
    """The persons in the order they are voted: for each post, its removals before its appointments
    (先免后任); otherwise as listed."""
    order = {id(p): i for i, p in enumerate(persons)}
    first_appointment: dict[str, int] = {}
    for i, p in enumerate(persons):
        if p.post and p.action == "appoint":
            first_appointment.setdefault(p.post, i)

    def key(p: ballots.Person) -> tuple[int, int]:
        i = order[id(p)]
        if p.post and p.action != "appoint" and p.post in first_appointment:
            return (min(i, first_appointment[p.post]), 0)
        return (i, 1)

    return sorted(persons, key=key)


@requires("prepare_sitting")
def create_appointment_ballots(store: Store, actor: Actor, item_id: int, *, spec: Mapping[str, object],
                               secret: bool | None = None, allow_change: bool = False, method: str = "tablet", timer_seconds: int | None = None,
                               procedural: bool = False, threshold: Mapping[str, object] | None = None,
                               box_keys: str | None = None, box_encrypt: str | None = None) -> list[int]:
    """One appointment ballot per person of ``spec`` (an appointment spec listing the persons, not
    combined), each with the same settings; their ids in the order they are voted."""
    persons = spec.get("persons") if isinstance(spec, Mapping) else None
    if not isinstance(spec, Mapping) or spec.get("kind") != "appointment" or spec.get("combined") \
            or not isinstance(persons, list):
        raise Invalid("not_an_appointment_list", msg("逐人表决只用于任免名单（不合并表决）"))
    if not persons:
        raise Invalid("no_persons", msg("任免名单至少要有一人"))
    if len(persons) > MAX_PERSONS:
        raise Invalid("too_many_questions", msg("一次最多{max}人", max=MAX_PERSONS))
    listed = []
    for person in persons:
        single = parse_spec({**spec, "persons": [person]})
        assert isinstance(single, ballots.AppointmentSpec)
        listed.append(single.persons[0])
    method, timer_seconds = METHOD.check(method), TIMER.check(timer_seconds)
    box_keys, box_encrypt = BOX_KEYS.check(box_keys), BOX_ENCRYPT.check(box_encrypt)
    singles = [(BALLOT_TITLE.check(person_title(p)), ballots.AppointmentSpec(persons=(
        ballots.Person(id="p1", name=p.name, post=p.post, action=p.action),))) for p in one_by_one(listed)]
    with transaction(store, actor) as tx:
        item = get_or_404(tx.session, models.AgendaItem, item_id, msg("议题"))
        return [put_ballot(tx, item, single, title=title, secret=secret, allow_change=allow_change, method=method,
                           timer_seconds=timer_seconds, procedural=procedural, threshold=threshold,
                           box_keys=box_keys, box_encrypt=box_encrypt).id
                for title, single in singles]
