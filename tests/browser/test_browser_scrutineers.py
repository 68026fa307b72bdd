"""The 监票人 in a real browser: the clerk deals the sitting's key to two scrutineers at the console (each
types their PIN twice) and sees their key cards; a secret resolution whose key the scrutineers hold is
voted and closed; the chair's console shows "监票人解密 0/2"; each scrutineer, on their own seat tablet,
enters their key card and PIN, and the tablet unlocks the card (Argon2id at the dealt cost), rebuilds the
box and sends its partial decryption; after the second, the result is on every screen and counts every
vote. A wrong PIN is refused on the tablet, with words, and sends nothing."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from support.clients import LiveClient
from support.hashing import fast_hashing
from support.server import ServerProcess
from test_browser_sitting import expect, shot, staff, tablet

from voting_server import demo, models, services
from voting_server.db import Store
from voting_server.migrate import upgrade
from voting_server.services import Actor

pytestmark = pytest.mark.browser

PINS = {"1": "135790", "2": "246801"}
CLERK = Actor(role="clerk", name="何静", user_id=3)


@pytest.fixture
def hall(tmp_path):
    path = tmp_path / "db.sqlite3"
    store = Store(f"sqlite:///{path}")
    upgrade(store)
    with fast_hashing():
        ids = demo.seed(store)
    ballot = services.create_ballot(store, CLERK, ids["items"][0], title="无记名表决（监票人持有密钥）",
                                    spec={"kind": "resolution"}, box_keys="shares")
    tokens = {str(n): services.pair_with_pin(store, ids["body_id"], str(n), demo.DEMO_PIN)[0] for n in range(3, 10)}
    with store.read() as s:
        seats = {p.seat: p.id for p in s.scalars(select(models.Person).where(models.Person.role == "member"))}
    store.dispose()
    with ServerProcess(f"sqlite:///{path}", tmp_path) as server:
        yield server, ids, ballot, tokens, seats, Store(f"sqlite:///{path}")


def test_two_scrutineers_decrypt_the_count_on_their_own_tablets(browser, console, shots_dir, hall):
    server, ids, ballot, tokens, seats, store = hall
    base = server.url
    clerk_ctx, clerk = staff(browser, console, base, "/clerk#agenda", "clerk", "clerk-app")
    for seat, pin in PINS.items():
        pid = seats[seat]
        clerk.check(f"#holder-{pid}")
        clerk.fill(f"#holder-pin-{pid}", pin)
        clerk.fill(f"#holder-pin2-{pid}", pin)
    clerk.select_option("#key-k", "2")
    clerk.click("[data-fk=deal-keys]")
    expect()(clerk.locator(".dealt .key-card-print")).to_have_count(2)
    cards = clerk.locator(".dealt .card-text").all_inner_texts()
    assert all(c.startswith("BJKEY:") for c in cards)
    shot(clerk, shots_dir, "clerk-key-cards", top=False)

    chair = LiveClient(base, "chair", cookie=server.staff_cookie("chair")).connect()
    chair.ok("open_sitting", {"confirm": True})
    chair.ok("start_item", {"item_id": ids["items"][0]})
    seats_ctx = {}
    for seat in PINS:
        ctx, page = tablet(browser, console, base, seat, "")
        page.click("#signin-btn")
        seats_ctx[seat] = (ctx, page)
    others = [LiveClient(base, f"seat {n}", token=tok).connect() for n, tok in tokens.items()]
    for t in others:
        t.ok("sign_in")
    chair.ok("open_ballot", {"ballot_id": ballot})
    for _ctx, page in seats_ctx.values():
        page.click(".vote-btn[data-code=for]")
        page.click("#confirm-btn")
        expect()(page.locator(".voted")).to_be_visible()
    for i, t in enumerate(others):
        t.ok("cast", {"ballot_id": ballot, "choice": ["for", "against", "abstain"][i % 3], "cast_id": f"c{i:08d}"})
    closed = chair.ok("close_ballot", {"ballot_id": ballot})
    assert closed["result"] is None and closed["counting"] == {"received": 0, "needed": 2, "given": [], "ballots": 9}

    chair_ctx, chair_page = staff(browser, console, base, "/chair", "chair", "chair-app")
    expect()(chair_page.locator("#decrypted-of")).to_have_text("监票人解密 0/2")
    shot(chair_page, shots_dir, "chair-counting")

    one = seats_ctx["1"][1]
    expect()(one.locator(".scrutineer")).to_be_visible()
    shot(one, shots_dir, "seat-scrutineer")
    one.fill("#key-card", cards[0])
    one.fill("#key-pin", "000000")  # a wrong PIN: refused on the tablet, nothing sent
    one.click("[data-fk=decrypt]")
    expect()(one.locator(".scrutineer-form .form-error")).to_have_text("PIN 错误，请重新输入", timeout=60000)
    one.fill("#key-pin", PINS["1"])
    started = time.monotonic()
    one.click("[data-fk=decrypt]")
    expect()(one.locator(".counting")).to_contain_text("您已解密", timeout=60000)
    print(f"\nscrutineer 1: card unlocked and partial decryption accepted in {time.monotonic() - started:.1f} s")
    expect()(chair_page.locator("#decrypted-of")).to_have_text("监票人解密 1/2")
    shot(one, shots_dir, "seat-scrutineer-done")

    two = seats_ctx["2"][1]
    two.fill("#key-card", cards[1])
    two.fill("#key-pin", PINS["2"])
    two.click("[data-fk=decrypt]")
    for page in (two, one, chair_page):
        expect()(page.locator(".result-block, .closed-ballot .script")).to_be_visible(timeout=60000)
    with store.read() as s:
        result = s.scalars(select(models.Result)).one()
        assert result.data["questions"][0]["counts"] == {"for": 5, "against": 2, "abstain": 2}
        assert result.box["holders"] == [1, 2] and result.box["mode"] == "shares"
    shot(chair_page, shots_dir, "chair-decrypted")
    for c in (chair, *others):
        c.disconnect()
    for ctx in (clerk_ctx, chair_ctx, *[c for c, _ in seats_ctx.values()]):
        ctx.close()
    store.dispose()
    assert not console.unexpected(), console.unexpected()
