"""The pages' message catalogues: Babel ``.po`` files a translator can work in, read once at start-up.

``translations/messages.pot`` is the source: each entry's ``msgctxt`` is the key the code uses and its
``msgid`` the Chinese text. ``translations/<lang>/LC_MESSAGES/messages.po`` gives each entry's text in
another language (``msgstr``; ``msgstr[i]`` for the plural forms of an entry with ``msgid_plural``).

The labels of ballot kinds, methods, outcomes, attendance and secrecy are not in these files: they are
written once in :mod:`ballots.labels` and merged in here, so every screen and sheet shows the same word.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from ballots import labels

FOLDER = Path(__file__).resolve().parent / "translations"
SOURCE = "zh"
DOMAIN = "messages"

Text = str | tuple[str, ...]


class CatalogueError(ValueError):
    """A catalogue that cannot be served as it is (a key written twice, an entry without a key)."""


@dataclass(frozen=True)
class Catalogue:
    """One language: every key's text (a tuple of plural forms for counted texts), its gettext plural
    rule (which form a number takes), and all of it as the JSON the pages load."""

    lang: str
    messages: Mapping[str, Text]
    plural: str
    body: bytes
    etag: str

    def text(self, key: str) -> str:
        """The text of ``key`` (its general plural form for a counted text); the key itself if missing."""
        found = self.messages.get(key, key)
        return found[-1] if isinstance(found, tuple) else found


def source_path(folder: Path = FOLDER) -> Path:
    return folder / f"{DOMAIN}.pot"


def translation_path(lang: str, folder: Path = FOLDER) -> Path:
    return folder / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(path: Path, locale: str | None = None) -> Catalog:
    with open(path, "rb") as f:
        return read_po(f, locale=locale, domain=DOMAIN)


def languages(folder: Path = FOLDER) -> tuple[str, ...]:
    """The source language first, then every language with a translation file, by code."""
    found = sorted(p.parent.parent.name for p in folder.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (SOURCE, *(lang for lang in found if lang != SOURCE))


def _entries(catalog: Catalog, *, source: bool) -> dict[str, Text]:
    """``{key: text}`` of a catalogue: the ``msgid`` of the source, the ``msgstr`` of a translation
    (``""`` where it is missing or fuzzy, so the source text is shown instead)."""
    out: dict[str, Text] = {}
    for message in catalog:
        if not message.id:
            continue  # the header
        key = message.context
        if not key:
            raise CatalogueError(f"entry {message.id!r} has no msgctxt (the key the code uses)")
        if key in out:
            raise CatalogueError(f"key {key!r} is written twice")
        if source:
            out[key] = message.id if isinstance(message.id, str) else (message.id[0],)
            continue
        # Babel gives a counted text as many forms as its Plural-Forms header says.
        text: Text = tuple(message.string) if isinstance(message.string, (tuple, list)) else message.string or ""
        complete = all(text) if isinstance(text, tuple) else bool(text)
        out[key] = text if complete and not message.fuzzy else ""
    return out


def _with_labels(lang: str, messages: dict[str, Text]) -> dict[str, Text]:
    written_twice = sorted(set(messages) & set(labels.flat(lang)))
    if written_twice:
        raise CatalogueError(f"labels of ballots.labels written again in the catalogue: {written_twice}")
    return {**messages, **labels.flat(lang)}


def _file(lang: str, folder: Path) -> tuple[dict[str, Text], str]:
    """One language's entries and its gettext plural rule."""
    if lang == SOURCE:
        return _entries(read(source_path(folder)), source=True), get_plural(SOURCE).plural_expr
    catalog = read(translation_path(lang, folder), lang)
    return _entries(catalog, source=False), catalog.plural_expr


def entries(lang: str, folder: Path = FOLDER) -> dict[str, Text]:
    """The entries of one language's file, as :func:`_entries` reads them."""
    return _file(lang, folder)[0]


def load(folder: Path = FOLDER) -> dict[str, Catalogue]:
    """Every language's catalogue, ready to serve. Untranslated entries fall back to the source text."""
    files = {lang: _file(lang, folder) for lang in languages(folder)}
    source = files[SOURCE][0]
    merged = {lang: _with_labels(lang, {key: found.get(key) or text for key, text in source.items()})
              for lang, (found, _rule) in files.items()}
    names = {lang: {"name": m["lang.name"], "switch": m["lang.switch_to"]} for lang, m in merged.items()}
    out = {}
    for lang, messages in merged.items():
        plural = files[lang][1]
        body = json.dumps({"lang": lang, "plural": plural, "languages": names, "messages": messages},
                          ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        out[lang] = Catalogue(lang, messages, plural, body, hashlib.sha256(body).hexdigest()[:32])
    return out
