"""A chair who drives two bodies picks the sitting, in a real browser against a server of its own: the demo
committee (its sitting of today and a later one) and a county plenary with a planned sitting; the demo
chair serves both bodies. The header names the body and the sitting; the sitting list holds the three
sittings with their state; choosing the plenary's moves the console there (the address keeps it, no
reload). Back on the committee, once its sitting is open, a second console opens the later committee
sitting: the first says so and offers the switch, and switches only when asked."""
from __future__ import annotations

import pytest
from conftest import demo_and_store
from sqlalchemy import select
from test_browser_sitting import expect, shot, staff

from voting_server import models, services
from voting_server.services import Actor

pytestmark = pytest.mark.browser
ADMIN = Actor(role="admin", name="管理员", user_id=1)
PLENARY = "某县第十八届人民代表大会第五次会议"
LATER = "县第十八届人大常委会第三十七次会议"
TODAY = "县第十八届人大常委会第三十六次会议"
NO_RELOAD = "window.__same_page = 'yes'"
SIZES = {"1280x800": {"width": 1280, "height": 800}, "800x1280": {"width": 800, "height": 1280},
         "390x844": {"width": 390, "height": 844}, "1920x1080": {"width": 1920, "height": 1080}}


@pytest.fixture(scope="module")
def two_bodies(tmp_path_factory):
    with demo_and_store(tmp_path_factory.mktemp("consoles")) as (url, store, committee):
        with store.read() as s:
            chair_id = s.scalar(select(models.User.id).where(models.User.username == "chair"))
        plenary = services.create_body(store, ADMIN, name="某县人民代表大会", preset="congress_plenary")
        for n in range(1, 4):
            services.add_person(store, ADMIN, plenary, {"name": f"代表{n}", "joined_on": "2021-10-01"})
        p_sitting = services.create_sitting(store, ADMIN, plenary, title=PLENARY, date="2099-06-01")
        services.add_item(store, ADMIN, p_sitting, title="民生实事项目票决")
        later = services.create_sitting(store, ADMIN, committee, title=LATER, date="2099-12-30")
        services.add_item(store, ADMIN, later, title="关于召开下次会议的决定")
        services.update_user(store, ADMIN, chair_id, bodies=[committee, plenary])
        yield url, p_sitting, later


def header(page):
    return page.locator("#top-body"), page.locator("#top-sitting")


def test_the_chair_picks_the_sitting_and_is_offered_the_one_that_opens(browser, console, two_bodies, shots_dir):
    base, p_sitting, later = two_bodies
    e = expect()
    _ctx, chair = staff(browser, console, base, "/chair", "chair", "chair-app", viewport=SIZES["1280x800"])
    body, sitting = header(chair)
    e(body).to_have_text("某县人大常委会")
    e(sitting).to_have_text(TODAY)
    chair.evaluate(NO_RELOAD)

    picker = chair.locator("#sitting-select")
    e(picker).to_be_enabled()
    options = picker.locator("option")
    e(options).to_have_count(3)
    assert chair.locator("#sitting-select optgroup").evaluate_all("els => els.map(g => g.label)") == \
        ["某县人大常委会", "某县人民代表大会"]
    texts = options.all_inner_texts()
    assert all("未开会" in text for text in texts), texts
    assert any(PLENARY in text for text in texts)
    shot(chair, shots_dir, "consoles-chair-committee-1280x800")

    picker.select_option(str(p_sitting))
    e(body).to_have_text("某县人民代表大会")
    e(sitting).to_have_text(PLENARY)
    e(chair.locator(".agenda-item", has_text="民生实事项目票决")).to_be_visible()
    assert f"sitting={p_sitting}" in chair.url
    assert chair.evaluate("window.__same_page") == "yes", "the console was reloaded"
    shot(chair, shots_dir, "consoles-chair-plenary-1280x800")
    for size in ("800x1280", "390x844", "1920x1080"):
        chair.set_viewport_size(SIZES[size])
        e(body).to_be_visible()
        e(sitting).to_be_visible()
        shot(chair, shots_dir, f"consoles-chair-plenary-{size}")
    chair.set_viewport_size(SIZES["1280x800"])

    # back on the committee's sitting of today (picked: the console stays there), opened
    chair.locator("#sitting-select").select_option(str(two_bodies_today(chair)))
    e(sitting).to_have_text(TODAY)
    chair.locator("[data-fk=open-sitting]").click()
    chair.locator("[data-fk=confirm-yes]").click()  # nobody has signed in yet: opened anyway
    e(chair.locator(".st-sitting-open")).to_be_visible()
    e(chair.locator("#elsewhere")).to_be_hidden()

    # another console of the same body opens the later sitting: this one is told, and stays
    _ctx2, other = staff(browser, console, base, f"/chair?sitting={later}", "chair", "chair-app",
                         viewport=SIZES["1280x800"])
    e(header(other)[1]).to_have_text(LATER)
    other.locator("[data-fk=open-sitting]").click()
    other.locator("[data-fk=confirm-yes]").click()
    e(other.locator(".st-sitting-open")).to_be_visible()
    notice = chair.locator("#elsewhere .notice.elsewhere")
    e(notice).to_contain_text(f"{LATER}已开会")
    e(sitting).to_have_text(TODAY)  # never switched by itself
    shot(chair, shots_dir, "consoles-chair-elsewhere-1280x800")
    chair.set_viewport_size(SIZES["390x844"])
    e(notice.locator("[data-fk=switch-sitting]")).to_be_visible()
    shot(chair, shots_dir, "consoles-chair-elsewhere-390x844")
    notice.locator("[data-fk=switch-sitting]").click()
    e(sitting).to_have_text(LATER)
    assert f"sitting={later}" in chair.url
    e(chair.locator("#elsewhere")).to_be_hidden()
    assert chair.evaluate("window.__same_page") == "yes", "the console was reloaded"
    assert console.unexpected() == []


def two_bodies_today(page) -> int:
    """The id of today's committee sitting, from the sitting list."""
    return int(page.locator("#sitting-select option", has_text=TODAY).get_attribute("value"))
