"""The server's words for people: written once, in Chinese, and translated in message catalogues.

A message is its Chinese text (the source language) with named placeholders::

    raise Invalid("not_on_roster", msg("{name}不在本次会议名单中", name=person.name))

The text is the ``msgid`` of ``voting_server/translations/messages.pot`` (extracted from the code by
``pybabel extract``, see ``translations/README.md``); every other language is a ``messages.po`` there,
read once at start-up. ``pmsg(context, text, **args)`` is a message whose Chinese reads like another's
but means something else (the ``msgctxt``). An argument may itself be words, rendered in the same
language: a message (``msg("表决")``, the thing an id names) or :class:`Bilingual` (words written in
both languages elsewhere: the rules engine's, ``ballots/``).

A text that a catalogue lacks (or marks fuzzy), or a translation that cannot be filled in, is shown in
Chinese; ``tests/server/test_catalogue.py`` fails on it.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

FOLDER = Path(__file__).resolve().parent / "translations"
SOURCE = "zh"
DOMAIN = "messages"

Key = tuple[str | None, str]  # (msgctxt, msgid)


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Every language's translations: ``(msgctxt, msgid) -> msgstr``; the source language has none."""

    translations: Mapping[str, Mapping[Key, str]]

    @property
    def languages(self) -> tuple[str, ...]:
        return (SOURCE, *sorted(self.translations))

    def text(self, lang: str, context: str | None, source: str) -> str:
        """The translation of ``source`` in ``lang``; the source itself where there is none."""
        return self.translations.get(lang, {}).get((context, source), source)


def translation_path(lang: str, folder: Path = FOLDER) -> Path:
    return folder / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str, folder: Path = FOLDER) -> dict[Key, str]:
    """One language's ``messages.po``; an entry that is untranslated or fuzzy is left out."""
    with open(translation_path(lang, folder), "rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    return {(m.context, m.id): m.string for m in catalog
            if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string and not m.fuzzy}


def load(folder: Path = FOLDER) -> Catalogue:
    """Every language that has a ``messages.po`` in ``folder``."""
    langs = sorted(p.parent.parent.name for p in folder.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return Catalogue({lang: read(lang, folder) for lang in langs if lang != SOURCE})


@functools.cache
def catalogue() -> Catalogue:
    """The catalogue of ``FOLDER``, read once (``create_app`` reads it at start-up, so that a catalogue
    that cannot be read stops the start)."""
    return load(FOLDER)


@dataclass(frozen=True, slots=True)
class Bilingual:
    """Words written in Chinese and English elsewhere (the rules engine's): other languages show the
    Chinese, as they do any text without a translation."""

    zh: str
    en: str

    def render(self, lang: str, within: Catalogue | None = None) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True, slots=True)
class Message:
    """A Chinese ``text`` with ``{named}`` placeholders and their values, rendered in any language."""

    text: str
    context: str | None = None
    args: tuple[tuple[str, object], ...] = ()

    def fill(self, **args: object) -> Message:
        """The same text with (more) values: a template written once and filled where it is used."""
        return Message(self.text, self.context, self.args + tuple(args.items()))

    def render(self, lang: str, within: Catalogue | None = None) -> str:
        """The text in ``lang``, its placeholders filled in (values that are words rendered in ``lang``)."""
        book = within or catalogue()
        values = {k: v.render(lang, book) if isinstance(v, (Message, Bilingual)) else v for k, v in self.args}
        translated = book.text(lang, self.context, self.text)
        if translated is not self.text:
            try:
                return translated.format(**values)
            except (KeyError, IndexError, ValueError, AttributeError):
                pass  # a translation naming a placeholder the code does not fill: the Chinese
        return self.text.format(**values)

    def __str__(self) -> str:
        return self.render(SOURCE)


Words = Message | Bilingual


def msg(text: str, /, **args: object) -> Message:
    """A message: ``text`` in Chinese (literal, so that ``pybabel extract`` finds it), its values."""
    return Message(text, None, tuple(args.items()))


def pmsg(context: str, text: str, /, **args: object) -> Message:
    """A message whose Chinese ``text`` is written elsewhere with another meaning: ``context`` tells
    them apart (the ``msgctxt`` translators see)."""
    return Message(text, context, tuple(args.items()))
