"""The pages' message catalogues (terminal_ui/translations): every key the scripts and templates use is
there, every entry is translated (not fuzzy, not stale) with the same placeholders, the labels of
ballots.labels are written only there, nothing is unused, and the blueprint serves them as JSON."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from pages_sources import TEMPLATES, UI, scripts, without_comments

from ballots import labels
from terminal_ui import catalogue

PAGES = ("index", "seat", "chair", "clerk", "display", "verify")
KEY = r"[a-z_]+\.[A-Za-z0-9_.]+"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
LABEL_PREFIXES = tuple(f"{group}." for group in labels.GROUPS)


def read(path: Path, locale: str | None = None):
    with open(path, "rb") as f:
        return read_po(f, locale=locale)


@pytest.fixture(scope="module")
def source():
    return read(catalogue.source_path())


@pytest.fixture(scope="module")
def served():
    return catalogue.load()


def own_keys() -> set[str]:
    return set(catalogue.entries(catalogue.SOURCE))


def all_keys() -> set[str]:
    return own_keys() | set(labels.flat("zh"))


def script_keys() -> tuple[dict[str, str], set[str]]:
    """Catalogue keys written as strings in the scripts (``t("seat.voted")``, ``["clerk.seat", …]``), and
    the prefixes of keys built at run time (``t(`status.${code}`)``)."""
    prefixes = {k.split(".")[0] for k in all_keys()}
    found: dict[str, str] = {}
    built: set[str] = set()
    for path, text in scripts().items():
        code = without_comments(text)
        for key in re.findall(rf"[\"']({KEY})[\"']", code):
            if key.split(".")[0] in prefixes:
                found.setdefault(key, path.relative_to(UI).as_posix())
        built |= set(re.findall(r"\b(?:t|has)\(`([a-z_]+\.[a-z0-9_.]*)\$\{", code))
    return found, built


def rendered(client, lang: str) -> dict[str, str]:
    client.set_cookie("lang", lang)
    out = {}
    for page in PAGES:
        r = client.get("/" if page == "index" else f"/{page}")
        assert r.status_code == 200, page
        out[page] = r.get_data(as_text=True)
    return out


def template_keys(html: str) -> set[str]:
    keys = set(re.findall(rf'data-i18n="({KEY})"', html))
    for pairs in re.findall(r'data-i18n-attr="([^"]+)"', html):
        keys |= {pair.split(":")[1].strip() for pair in pairs.split(",")}
    return keys


def test_every_key_the_scripts_use_is_in_the_catalogue() -> None:
    found, built = script_keys()
    missing = {key: where for key, where in found.items() if key not in all_keys()}
    assert missing == {}
    assert found, "no key found: the scan is broken"
    for prefix in built:
        assert any(k.startswith(prefix) for k in all_keys()), f"no key starts with {prefix!r}"


def test_every_key_the_templates_use_is_in_the_catalogue(client) -> None:
    literal = set()
    for path in TEMPLATES.glob("*.html"):
        literal |= set(re.findall(rf"""\bt\(["']({KEY})["']\)""", path.read_text(encoding="utf-8")))
    for lang in ("zh", "en"):
        for page, html in rendered(client, lang).items():
            used = template_keys(html) | literal
            assert used - all_keys() == set(), page
            # t("key") shows the key itself when it is missing: no key may be left in the page
            text = re.sub(r"<[^>]+>", " ", html)
            assert [k for k in re.findall(KEY, text) if k in used] == [], (page, lang)


def test_templates_render_in_the_page_language(client, served) -> None:
    pages = rendered(client, "en")
    assert '<html lang="en" data-lang="en">' in pages["chair"]
    assert f'>{served["en"].text("chair.attendance")}</h2>' in pages["chair"]
    assert f'>{served["zh"].text("chair.attendance")}<' not in pages["chair"]
    assert "English" not in pages["clerk"].split('id="lang-switch"')[1].split("</button>")[0]  # offers 中文
    zh = rendered(client, "zh")
    assert '<html lang="zh-CN" data-lang="zh">' in zh["chair"]
    assert f'>{served["zh"].text("chair.attendance")}</h2>' in zh["chair"]
    assert rendered(client, "xx")["seat"] == zh["seat"]  # an unknown language in the cookie: the source


def test_templates_write_no_chinese_of_their_own() -> None:
    """Every Chinese text of a template comes from the catalogue (the logo's glyph aside)."""
    for path in TEMPLATES.glob("*.html"):
        html = path.read_text(encoding="utf-8").replace('aria-hidden="true">表</span>', "")
        assert re.findall(r"[\u4e00-\u9fff]+", html) == [], path.name


def test_scripts_write_no_chinese_of_their_own() -> None:
    """No Chinese word nor Chinese punctuation (：，（）) in a script: texts and the way they are put
    together (common.labelled, common.noted, list.sep …) come from the catalogue."""
    for path, text in scripts().items():
        found = re.findall(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]+", without_comments(text))
        assert found == [], path.relative_to(UI)


def test_every_entry_has_its_english_translation(source) -> None:
    en = read(catalogue.translation_path("en"), "en")
    by_key = {m.context: m for m in en if m.id}
    problems = []
    for m in source:
        if not m.id:
            continue
        tr = by_key.get(m.context)
        if tr is None:
            problems.append(f"{m.context}: no entry in en/messages.po (run pybabel update)")
        elif tr.id != m.id:
            problems.append(f"{m.context}: stale, translated from {tr.id!r}")
        elif tr.fuzzy:
            problems.append(f"{m.context}: fuzzy")
        elif not all(tr.string if isinstance(tr.string, tuple) else (tr.string,)):
            problems.append(f"{m.context}: not translated")
    extra = set(by_key) - {m.context for m in source if m.id}
    assert problems == [] and extra == set(), (problems, extra)


def placeholders(text) -> list[set[str]]:
    return [set(PLACEHOLDER.findall(t)) for t in (text if isinstance(text, tuple) else (text,))]


def test_placeholders_of_the_chinese_and_english_agree(source) -> None:
    en = {m.context: m for m in read(catalogue.translation_path("en"), "en") if m.id}
    wrong = {}
    for m in source:
        if not m.id:
            continue
        want = placeholders(m.id)[0]
        got = placeholders(en[m.context].string)
        if any(g != want for g in got):
            wrong[m.context] = (sorted(want), [sorted(g) for g in got])
    assert wrong == {}


def test_labels_are_written_once(source) -> None:
    keys = {m.context for m in source if m.id}
    assert keys & set(labels.flat("zh")) == set()
    assert [k for k in keys if k.startswith(LABEL_PREFIXES)] == []


def test_a_label_written_in_the_catalogue_too_stops_the_start(tmp_path) -> None:
    folder = tmp_path / "translations"
    shutil.copytree(catalogue.FOLDER, folder)
    for path in (folder / "messages.pot", folder / "en" / "LC_MESSAGES" / "messages.po"):
        with open(path, "a", encoding="utf-8") as f:
            f.write('\nmsgctxt "outcome.passed"\nmsgid "通过"\nmsgstr "Adopted"\n')
    with pytest.raises(catalogue.CatalogueError, match="outcome.passed"):
        catalogue.load(folder)


def test_every_catalogue_entry_is_used(client) -> None:
    found, built = script_keys()
    used = set(found)
    for lang in ("zh", "en"):
        for html in rendered(client, lang).values():
            used |= template_keys(html)
    for path in list(TEMPLATES.glob("*.html")) + list(UI.glob("*.py")):
        used |= set(re.findall(rf"""["']({KEY})["']""", path.read_text(encoding="utf-8")))
    unused = sorted(k for k in own_keys() if k not in used and not k.startswith(tuple(built)))
    assert unused == []


def test_the_labels_come_from_ballots(served) -> None:
    for lang in ("zh", "en"):
        for key, text in labels.flat(lang).items():
            assert served[lang].messages[key] == text
    assert served["en"].text("outcome.passed") == labels.OUTCOME["passed"].en


def test_catalogue_is_served_as_json_with_an_etag(client) -> None:
    r = client.get("/i18n/en.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    data = r.get_json()
    assert data["lang"] == "en" and data["plural"] == "(n != 1)"
    assert data["messages"]["ballot.needed"] == ["{n} vote needed", "{n} votes needed"]
    assert data["messages"]["method.mixed"] == labels.METHOD["mixed"].en
    assert data["languages"]["zh"]["name"] == "中文" and data["languages"]["en"]["name"] == "English"
    etag = r.headers["ETag"]
    again = client.get("/i18n/en.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    zh = client.get("/i18n/zh.json").get_json()
    assert zh["messages"]["seat.confirm"] == "确认提交" and zh["plural"] == "0"
    assert client.get("/i18n/zh.json").headers["ETag"] != etag


def test_the_options_of_each_kind_come_from_the_rules_engine(client) -> None:
    from ballots import (
        ABSTAIN,
        DEFAULT_GRADES,
        FOR,
        FOR_AGAINST_ABSTAIN,
        MARK,
        NOT_FOR,
        UNKNOWN,
    )

    r = client.get("/ui/options.json")
    sets = r.get_json()
    assert sets["resolution"] == sets["appointment"] == [o.to_dict() for o in FOR_AGAINST_ABSTAIN]
    assert sets["evaluation"] == [o.to_dict() for o in DEFAULT_GRADES]
    assert sets["selection.mark"] == [MARK.to_dict()]
    assert sets["selection.for_against_abstain"] == [o.to_dict() for o in (FOR, NOT_FOR, ABSTAIN)]
    assert sets["grade.unknown"] == [UNKNOWN.to_dict()]
    assert client.get("/ui/options.json", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("lang", ["xx", "EN", "en.po", "zh-CN"])
def test_an_unknown_language_is_a_clear_404(client, lang) -> None:
    r = client.get(f"/i18n/{lang}.json")
    assert r.status_code == 404
    data = r.get_json()
    assert data["ok"] is False and data["error"] == "unknown_language"
    assert "没有该语言的译文" in data["message_zh"] and "no translation" in data["message_en"]


def test_a_counted_text_missing_a_form_shows_the_source_text(tmp_path) -> None:
    folder = tmp_path / "translations"
    shutil.copytree(catalogue.FOLDER, folder)
    po = folder / "en" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr[1] "{n} votes needed"\n', ""), encoding="utf-8")
    assert catalogue.load(folder)["en"].messages["ballot.needed"] == ("需{n}票通过",)


def test_a_fuzzy_translation_shows_the_source_text(tmp_path) -> None:
    folder = tmp_path / "translations"
    shutil.copytree(catalogue.FOLDER, folder)
    po = folder / "en" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgctxt "seat.confirm"', '#, fuzzy\nmsgctxt "seat.confirm"'),
                  encoding="utf-8")
    assert catalogue.load(folder)["en"].text("seat.confirm") == "确认提交"
