"""The hall of ``bench/seats.py --plenary``: a county congress plenary (the ``congress_plenary`` preset,
deputies in 代表团) with one 票决 of livelihood projects, ``candidates`` choose ``places``, each project
answered 赞成 / 不赞成 / 弃权 (the preset's ``selection_faa`` template), as a named ballot and as
secret ones (encrypted by the tablets, or by the server). Seeded through the services, as a clerk would
(the roster imported from a file with its 代表团 column), with a tablet paired in every seat: the hall
of ``support.plenary`` with the 票决 on its agenda."""
from __future__ import annotations

from typing import Any

from support.plenary import seed_plenary_hall

from voting_server import demo, services
from voting_server.db import Store

#: the ballots of the 票决, by the name ``seats.py`` prints: named, and secret encrypted by the tablets or the server
VARIANTS = {"named": {"secret": False, "box_encrypt": None}, "tablet": {"secret": True, "box_encrypt": "tablet"},
            "server": {"secret": True, "box_encrypt": "server"}}


def selection_spec(candidates: int, places: int) -> dict[str, Any]:
    return {"kind": "selection", "options": "for_against_abstain", "max_marks": places, "places": places,
            "candidates": [{"id": f"c{i}", "name": f"民生实事项目{i}", "amount": f"{100 * i}万元"}
                           for i in range(1, candidates + 1)]}


def choice_of(seat: int, candidates: int, places: int) -> dict[str, str]:
    """Seat ``seat``'s ballot: 赞成 for ``places`` projects in a window that turns with the seat, 不赞成
    for one more, 弃权 for the rest (a full ballot, every project answered)."""
    marked = {(seat + k) % candidates for k in range(places)}
    against = (seat + places) % candidates
    return {f"c{i + 1}": "for" if i in marked else "against" if i == against else "abstain"
            for i in range(candidates)}


def seed_plenary(url: str, seats: int, *, candidates: int = 15, places: int = 10,
                 variants: tuple[str, ...] = tuple(VARIANTS)) -> dict[str, Any]:
    """The plenary at ``url`` (a PostgreSQL database is emptied first), with the demo's staff accounts:
    ``body_id``, ``sitting_id``, ``member_ids``, ``item_id``, ``ballot_id`` (the named 票决),
    ``ballots_by_kind`` (a ballot of each of ``variants``), ``tokens`` in seat order and ``delegations``."""
    store = Store(url)
    try:
        hall = seed_plenary_hall(store, seats)
        clerk = demo.CLERK
        item_id = services.add_item(store, clerk, hall["sitting_id"], title="2027年县级民生实事项目票决",
                                    kind="selection")
        spec = selection_spec(candidates, places)
        ballots = {name: services.create_ballot(store, clerk, item_id, title=f"民生实事项目票决（{name}）", spec=spec,
                                                **how)
                   for name, how in VARIANTS.items() if name in {"named", *variants}}
    finally:
        store.dispose()
    return {"body_id": hall["body_id"], "sitting_id": hall["sitting_id"], "member_ids": hall["member_ids"],
            "item_id": item_id, "ballot_id": ballots["named"], "ballots_by_kind": ballots,
            "tokens": list(hall["tokens"].values()), "delegations": hall["delegations"], "candidates": candidates,
            "places": places}
