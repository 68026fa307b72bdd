"""The server's message catalogue (voting_server/translations): messages.pot is what the code says today
(extracted again here), every entry has its English (not fuzzy, not stale) with the same placeholders,
every message in the code is a literal msg() call filled with its placeholders, no refusal passes a
text of its own, and the answers people read keep their shape."""
from __future__ import annotations

import ast
import re
import shutil
import string
from pathlib import Path

import pytest
from babel.messages.frontend import BaseError, CommandLineInterface
from babel.messages.pofile import read_po

import voting_server
from voting_server import create_app, i18n
from voting_server.i18n import Bilingual, msg, pmsg
from voting_server.realtime.audiences import refused
from voting_server.services.base import Invalid, NotFound, ServiceError

ROOT = Path(voting_server.__file__).resolve().parent.parent
CODE = ROOT / "voting_server"
POT = i18n.FOLDER / "messages.pot"
# the commands of translations/README.md (without a date in the files, so that two changes merge)
EXTRACT = ["pybabel", "extract", "-F", "voting_server/translations/babel.cfg", "--add-location=file",
           "--sort-output", "--no-wrap", "--omit-header", "voting_server"]
UPDATE = ["pybabel", "update", "-i", "voting_server/translations/messages.pot", "-d", "voting_server/translations",
          "--no-wrap", "--ignore-obsolete", "--ignore-pot-creation-date"]
KEYWORDS = {"msg": 0, "pmsg": 1}  # the function and where its Chinese text is
MESSAGE_TAKERS = {"Invalid", "Conflict", "Forbidden", "NotFound", "TooMany", "ServiceError", "Refusal", "refused",
                  "Problem", "_FileProblem"}
CJK = re.compile(r"[\u4e00-\u9fff]")

#: Where Chinese is still written in the code, and why.
NOT_MESSAGES = {
    "voting_server/ballotbox": "the ballot box's refusals are ballots.BallotError, written in both languages "
                               "like the rules engine's (ballots/); the server shows them as Bilingual",
    "voting_server/sheets/pdf": "the words printed on the sheets (wording.WORDS)",
    "voting_server/sheets/checks.py": "the verification reports of a sheet",
    "voting_server/sheets/verify.py": "the verification reports of a sheet",
    "voting_server/sheets/signed_pdf.py": "the verification reports of a sheet",
    "voting_server/sheets/sign.py": "the descriptions of the data embedded in a sheet",
    "voting_server/sheets/export.py": "the column heads of the exported tables",
    "voting_server/sheets/demo_sitting.py": "the demo sitting's data",
    "voting_server/demo.py": "the demo committee's data",
    "voting_server/migrations": "",
}
#: Words people type into roster and agenda files (headers, roles, dates, kinds, methods), not words the server says.
INPUT_WORDS = {"HEADERS", "FIELD_NAMES", "ROLE_WORDS", "_CN_DATE", "KIND_WORDS", "METHOD_WORDS", "SECRECY_WORDS"}
PRODUCT = "Biaojue (表决)"


def read(path: Path, locale: str | None = None):
    with open(path, "rb") as f:
        return read_po(f, locale=locale)


def entries(catalog) -> dict[tuple[str | None, str], object]:
    return {(m.context, m.id): m for m in catalog if m.id}


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def translators_note(message) -> str:
    return " ".join(message.auto_comments)


def sources() -> dict[str, ast.Module]:
    return {p.relative_to(ROOT).as_posix(): ast.parse(p.read_text(encoding="utf-8"))
            for p in sorted(CODE.rglob("*.py"))}


def calls(tree: ast.AST, names: set[str] | dict[str, int]):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
            if name in names:
                yield name, node


@pytest.fixture(scope="module")
def source():
    return entries(read(POT))


@pytest.fixture(scope="module")
def english():
    return entries(read(i18n.translation_path("en"), "en"))


def test_the_catalogue_is_what_the_code_says(tmp_path, monkeypatch) -> None:
    """messages.pot is extracted again: an entry the code no longer says, or a message it says that the
    catalogue lacks, fails (run the command of translations/README.md)."""
    monkeypatch.chdir(ROOT)
    out = tmp_path / "messages.pot"
    CommandLineInterface().run([*EXTRACT, "-o", str(out)])
    fresh, stored = entries(read(out)), entries(read(POT))
    assert sorted(set(fresh) - set(stored), key=str) == [], "said in the code, missing in messages.pot"
    assert sorted(set(stored) - set(fresh), key=str) == [], "in messages.pot, said nowhere in the code"
    differ = {key: m.id for key, m in fresh.items()
              if (m.auto_comments, m.flags, m.locations) != (stored[key].auto_comments, stored[key].flags,
                                                            stored[key].locations)}
    assert differ == {}, "comments, flags or files differ: extract again"
    assert len(stored) > 150


def test_every_entry_has_its_english_translation(source, english, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    try:
        CommandLineInterface().run([*UPDATE, "--check"])
    except BaseError as err:
        pytest.fail(f"en/messages.po is not up to date with messages.pot ({err}): run {' '.join(UPDATE)}")
    problems = []
    for key in source:
        tr = english.get(key)
        if tr is None:
            problems.append(f"{key}: no entry in en/messages.po (run pybabel update)")
        elif tr.fuzzy:
            problems.append(f"{key}: fuzzy")
        elif not tr.string:
            problems.append(f"{key}: not translated")
    assert problems == [] and set(english) - set(source) == set()


def test_placeholders_of_the_chinese_and_english_agree(source, english) -> None:
    """The same {names} in both, except one the entry's translators' note names ("{status} ... is for
    English only"); a placeholder is a plain name, and the note names only placeholders there are."""
    wrong = {}
    for key, m in source.items():
        zh, en = placeholders(m.id), placeholders(english[key].string)
        note = translators_note(m)
        noted = set(re.findall(r"\{(\w+)\}", note))
        if (zh ^ en) - noted or noted - (zh | en) or not all(name.isidentifier() for name in zh | en):
            wrong[m.id] = (sorted(zh), sorted(en), note)
    assert wrong == {}


def test_every_message_is_a_literal_filled_with_its_placeholders(source, english) -> None:
    """msg("中文", name=value): the text is a literal (so that extraction finds it), and the call fills
    every placeholder of the Chinese and English, and nothing else (a Refusal fills in {value})."""
    problems = []
    for path, tree in sources().items():
        refusals = {id(arg) for _, call in calls(tree, {"Refusal"}) for arg in call.args}
        for name, node in calls(tree, KEYWORDS):
            texts = node.args[:KEYWORDS[name] + 1]
            if len(node.args) != KEYWORDS[name] + 1 or not all(
                    isinstance(a, ast.Constant) and isinstance(a.value, str) for a in texts):
                problems.append(f"{path}:{node.lineno}: {name}() takes literal texts only")
                continue
            key = (texts[0].value if name == "pmsg" else None, texts[-1].value)
            wanted = placeholders(key[1]) | placeholders(english[key].string) if key in english else set()
            given = {k.arg for k in node.keywords}
            filled = given | ({"value"} if id(node) in refusals else set())
            if None in given or given - wanted or wanted - filled:
                problems.append(f"{path}:{node.lineno}: fills {sorted(given, key=str)}, says {sorted(wanted)}")
    assert problems == []


def test_no_refusal_writes_a_text_of_its_own() -> None:
    """A refusal, a refused connection or a roster problem takes a message, never a string: no Chinese
    and English pair is left in voting_server/ (outside the places NOT_MESSAGES names)."""
    problems = []
    for path, tree in sources().items():
        for name, node in calls(tree, MESSAGE_TAKERS):
            for arg in node.args:
                if isinstance(arg, (ast.JoinedStr, ast.BinOp)) or (
                        isinstance(arg, ast.Constant) and isinstance(arg.value, str) and CJK.search(arg.value)):
                    problems.append(f"{path}:{node.lineno}: {name}() is given a text")
    assert problems == []


def test_chinese_is_written_only_in_messages() -> None:
    problems = []
    for path, tree in sources().items():
        if path.startswith(tuple(NOT_MESSAGES)):
            continue
        allowed: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and ast.get_docstring(node) is not None:
                allowed.add(id(node.body[0].value))  # type: ignore[attr-defined]
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
                if isinstance(node, ast.AnnAssign) else []
            if any(isinstance(t, ast.Name) and t.id in INPUT_WORDS for t in targets):
                allowed |= {id(n) for n in ast.walk(node.value)}  # type: ignore[attr-defined]
        for _, node in calls(tree, KEYWORDS):
            allowed |= {id(a) for a in node.args}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in allowed \
                    and CJK.search(node.value.replace(PRODUCT, "")):
                problems.append(f"{path}:{node.lineno}: {node.value[:30]!r}")
    assert problems == []


# --- rendering -------------------------------------------------------------------------------------


def test_a_message_names_what_it_is_about_in_each_language() -> None:
    missing = NotFound("not_found", msg("{what}不存在（{id}）", what=msg("表决"), id=7))
    assert (missing.zh, missing.en) == ("表决不存在（7）", "ballot 7 does not exist")
    rules = Invalid("bad_spec", Bilingual("表决事项无效", "the question is not valid"))
    assert (rules.zh, rules.en) == ("表决事项无效", "the question is not valid")
    assert str(pmsg("account", "姓名")) == "姓名" and pmsg("account", "姓名").render("en") == "display name"
    assert msg("姓名").render("en") == "name"


def test_a_refusal_keeps_its_wire_shape() -> None:
    err = Invalid("bad_id", msg("{what}编号无效", what=msg("会议")), value="'x'")
    zh = {"error": "bad_id", "message": "会议编号无效", "message_zh": "会议编号无效",
          "message_en": "sitting id must be an integer", "details": {"value": "'x'"}}
    assert err.to_dict() == err.to_dict("zh") == zh
    assert err.to_dict("en") == {**zh, "message": "sitting id must be an integer"}
    assert err.to_dict("xx") == err.to_dict("en")  # a language without a catalogue reads English
    assert "details" not in Invalid("bad_payload", msg("数据无法解析")).to_dict()
    assert str(err) == "sitting id must be an integer"
    reason = refused("no_sitting", msg("当前没有会议"))
    data = {"error": "no_sitting", "message": "当前没有会议", "message_zh": "当前没有会议",
            "message_en": "there is no sitting"}
    assert reason.error_args == {"message": "there is no sitting", "data": data}


@pytest.mark.parametrize("words", ["表决编号无效", ("表决编号无效", "ballot id must be an integer"), None])
def test_a_refusal_with_a_text_of_its_own_is_a_programming_error(words) -> None:
    with pytest.raises(TypeError, match="msg"):
        ServiceError("bad_id", words)  # type: ignore[arg-type]


@pytest.fixture
def client(tmp_path):
    """A server with an empty database (CSRF on)."""
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "INSTANCE_PATH": str(tmp_path),
                      "ASYNC_MODE": "threading", "TESTING": True, "SECRET_KEY": "test-secret-key-0123456789abcdef"})
    yield app.test_client()
    app.extensions["biaojue_store"].dispose()


def test_the_answers_of_http_read_the_catalogue(client) -> None:
    r = client.get("/api/verify?lang=en")
    assert r.status_code == 400 and r.get_json() == {
        "error": "bad_reference", "message": "sheet and h are required",
        "message_zh": "请提供结果单编号和校验码（sheet、h）", "message_en": "sheet and h are required"}
    r = client.get("/api/no-such-route")
    assert r.status_code == 404 and r.get_json()["message"] == r.get_json()["message_zh"] == "页面不存在"
    assert "not found" in r.get_json()["message_en"].lower()  # the words of Werkzeug, as before
    r = client.post("/api/bodies", json={})
    assert r.status_code == 400 and r.get_json()["message_zh"] == "页面已过期，请刷新后重试"
    assert r.get_json()["message_en"].startswith("CSRF check failed: ")


# --- a catalogue that is not complete --------------------------------------------------------------


@pytest.fixture
def folder(tmp_path) -> Path:
    copy = tmp_path / "translations"
    shutil.copytree(i18n.FOLDER, copy)
    return copy


def edit(folder: Path, lang: str, old: str, new: str) -> None:
    po = i18n.translation_path(lang, folder)
    text = po.read_text(encoding="utf-8")
    assert old in text
    po.write_text(text.replace(old, new), encoding="utf-8")


def test_a_missing_or_fuzzy_translation_shows_the_chinese(folder) -> None:
    edit(folder, "en", 'msgstr "there is no sitting"', 'msgstr ""')
    edit(folder, "en", 'msgid "数据无法解析"', '#, fuzzy\nmsgid "数据无法解析"')
    book = i18n.load(folder)
    assert msg("当前没有会议").render("en", book) == "当前没有会议"
    assert msg("数据无法解析").render("en", book) == "数据无法解析"
    assert msg("会议已闭会").render("en", book) == "the sitting is closed"


def test_a_translation_naming_a_placeholder_the_code_does_not_fill_shows_the_chinese(folder) -> None:
    edit(folder, "en", 'msgstr "username {username} already exists"', 'msgstr "username {user} already exists"')
    assert msg("用户名{username}已存在", username="li").render("en", i18n.load(folder)) == "用户名li已存在"


@pytest.fixture
def french(folder, monkeypatch):
    """The server's catalogue with a French one added (two entries translated)."""
    shutil.copytree(folder / "en", folder / "fr")
    edit(folder, "fr", 'msgstr "the sitting is closed"', 'msgstr "la séance est close"')
    edit(folder, "fr", 'msgstr "sheet and h are required"', 'msgstr "sheet et h sont requis"')
    monkeypatch.setattr(i18n, "FOLDER", folder)
    i18n.catalogue.cache_clear()
    yield i18n.catalogue()
    i18n.catalogue.cache_clear()


def test_a_language_is_a_folder_with_its_messages_po(french, client) -> None:
    assert french.languages == ("zh", "en", "fr")
    assert msg("会议已闭会").render("fr") == "la séance est close"
    assert Bilingual("通过", "adopted").render("fr") == "通过"  # the rules engine's words: zh and en only
    answer = Invalid("sitting_closed", msg("会议已闭会")).to_dict("fr")
    assert (answer["message"], answer["message_zh"], answer["message_en"]) == (
        "la séance est close", "会议已闭会", "the sitting is closed")
    assert client.get("/api/verify?lang=fr").get_json()["message"] == "sheet et h sont requis"
    assert client.get("/api/verify?lang=xx").get_json()["message"] == "请提供结果单编号和校验码（sheet、h）"
