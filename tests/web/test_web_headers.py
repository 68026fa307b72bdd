"""Security headers on every response: each page, the pages' files, the API's JSON (answers and
refusals), the health probe and a signed sheet carry a Content-Security-Policy without inline script,
framing refused (frame-ancestors 'none' and X-Frame-Options DENY), a same-origin referrer and nosniff."""
from __future__ import annotations

import pytest

EXPECTED = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def check(response, what: str) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, f"{what}: {name} is {response.headers.get(name)!r}"
    csp = response.headers.get("Content-Security-Policy")
    assert csp, f"{what}: no Content-Security-Policy"
    d = directives(csp)
    assert d.get("script-src") == ["'self'"], f"{what}: script-src {d.get('script-src')}"
    assert d.get("style-src") == ["'self'"], f"{what}: style-src {d.get('style-src')}"
    assert d.get("default-src") == ["'self'"]
    assert d.get("frame-ancestors") == ["'none'"]
    assert d.get("base-uri") == ["'none'"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp and "*" not in csp.split(), what


def page_paths(app) -> list[str]:
    """Every GET route of the pages' blueprint that takes no argument (the pages and their JSON)."""
    paths = sorted(r.rule for r in app.url_map.iter_rules()
                   if r.endpoint.startswith("ui.") and not r.arguments and "GET" in (r.methods or ()))
    assert {"/", "/seat", "/chair", "/clerk", "/display", "/verify"} <= set(paths), paths
    return paths


def test_every_page_carries_the_headers(app, api):
    client = api()
    for path in page_paths(app):
        r = client.get(path)
        assert r.status_code == 200, path
        check(r, path)


def test_the_pages_files_carry_them(api):
    client = api()
    for path in ("/static/ui/js/seat/main.js", "/static/ui/css/base.css", "/static/ui/img/favicon.svg",
                 "/i18n/zh.json"):
        r = client.get(path)
        assert r.status_code == 200, path
        check(r, path)


@pytest.mark.parametrize("path", ["/api/session", "/healthz", "/api/users", "/api/no-such-route"])
def test_json_answers_and_refusals_carry_them(api, path):
    r = api().get(path)
    assert r.is_json, path
    check(r, path)


def test_a_staff_json_route_and_a_signed_file_carry_them(clerk, seeded):
    r = clerk.get(f"/api/sittings/{seeded.sitting_id}/agenda")
    assert r.status_code == 200 and r.is_json
    check(r, "agenda")
    r = clerk.get(f"/api/sittings/{seeded.sitting_id}/attendance.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF-")
    check(r, "attendance.pdf")
    r = clerk.post("/api/logout")  # a state-changing request
    check(r, "logout")
