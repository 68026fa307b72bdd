"""A secret round whose tablets encrypt, in a real browser: the seat page encrypts its member's choice
with ballotbox/ballot.js (noble's ristretto255) and casts the encrypted ballot; the server checks its
proofs and stores it; the seat shows the receipt (the ballot's hash); after the close the result on the
seat counts it. Eight other seats cast ballots the Python library encrypted, over python-socketio."""
from __future__ import annotations

import re
import secrets

import pytest
from sqlalchemy import select
from support.clients import LiveClient
from support.polling import wait_for
from support.server import ServerProcess
from test_browser_sitting import TABLET, expect, shot

from voting_server import ballotbox as bb
from voting_server import demo, models, services
from voting_server.db import Store
from voting_server.services.lookups import spec_of

pytestmark = pytest.mark.browser


def test_a_seat_page_encrypts_its_ballot(browser, console, shots_dir, tmp_path):
    e = expect()
    folder = tmp_path / "srv"
    folder.mkdir()
    url = f"sqlite:///{folder / 'db.sqlite3'}"
    with ServerProcess(url, folder, demo=True, env={"LIVE_RATE_SCALE": "100"}) as server:
        store = Store(url)
        clients: list[LiveClient] = []
        try:
            with store.read() as s:
                body_id = s.scalar(select(models.Body.id))
                item = s.scalar(select(models.AgendaItem.id).order_by(models.AgendaItem.position))
            clerk = services.Actor(role="clerk", name="何静", user_id=3)
            ballot_id = services.create_ballot(store, clerk, item, spec={"kind": "resolution"}, title="端到端加密表决",
                                               box_encrypt="tablet")
            chair = LiveClient(server.url, "chair", cookie=server.staff_cookie("chair")).connect()
            clients.append(chair)
            chair.ok("open_sitting", {"confirm": True})

            ctx = browser.new_context(viewport=TABLET, locale="zh-CN", has_touch=True)
            page = console.watch(ctx.new_page(), "seat 1")
            page.goto(server.url + "/seat")
            page.fill("#pair-seat", "1")
            page.fill("#pair-pin", demo.DEMO_PIN)
            page.click("#pairing button[type=submit]")
            e(page.locator("#conn-dot")).to_have_attribute("data-state", "online")
            page.click("#signin-btn")
            e(page.locator("#signin-btn")).to_have_count(0)

            seats = {}
            for n in range(2, 10):
                token, _ = services.pair_with_pin(store, body_id, str(n), demo.DEMO_PIN)
                seats[n] = LiveClient(server.url, f"seat {n}", token=token).connect()
                clients.append(seats[n])
                seats[n].ok("sign_in")
            chair.ok("start_item", {"item_id": item})
            round_id = chair.ok("open_ballot", {"ballot_id": ballot_id})["round_id"]
            assert wait_for(lambda: (seats[2].view().get("ballot") or {}).get("round_id") == round_id, 5)
            box = seats[2].view()["ballot"]["box"]
            spec, keys = spec_of(seats[2].view()["ballot"]["spec"]), bb.KeySet.from_dict(box["keys"])
            choices = ["for", "for", "for", "against", "for", "abstain", "for", "against"]
            for t, option in zip(seats.values(), choices, strict=True):
                wire = bb.encrypt(spec, keys, box["context"], {"main": option})
                t.ok("cast", {"ballot_id": ballot_id, "ballot": wire, "cast_id": secrets.token_hex(8)})

            # the member votes on the page: encrypted in the browser, the receipt is the ballot's hash
            page.click(".vote-btn[data-code=for]")
            e(page.locator(".confirm-bar")).to_contain_text("赞成")
            page.click("#confirm-btn")
            e(page.locator(".voted")).to_contain_text("已表决")
            e(page.locator(".receipt-code")).to_have_text(re.compile(r"^[0-9A-F]{4}( [0-9A-F]{4}){3} …$"))
            shot(page, shots_dir, "seat-tablet-encrypted")
            receipt = page.locator(".receipt-code").get_attribute("title")
            with store.read() as s:
                stored = {b.hash: b.wire for b in s.scalars(select(models.BoxBallot).where(
                    models.BoxBallot.round_id == round_id))}
                mine = s.scalar(select(models.Participation).join(models.Person).where(
                    models.Participation.round_id == round_id, models.Person.seat == "1"))
            assert len(stored) == 9 and receipt in stored and mine is not None and mine.receipt == receipt
            assert mine.choice is None

            result = chair.ok("close_ballot", {"ballot_id": ballot_id})["result"]
            assert result["questions"][0]["counts"] == {"for": 6, "against": 2, "abstain": 1}
            e(page.locator(".ballot.closed")).to_be_visible()
            e(page.locator(".ballot.closed")).to_contain_text("赞成")
            e(page.locator(".ballot.closed")).to_contain_text("6")
            shot(page, shots_dir, "seat-tablet-encrypted-result")
            ctx.close()
            assert console.unexpected() == [], console.unexpected()
            log = server.log_text()
            assert "Traceback" not in log and "ballot checker failed" not in log, log[-3000:]
        finally:
            for c in clients:
                c.disconnect()
            store.dispose()
