"""Settings of the server kept in its instance folder: the public address printed on every signed sheet
(its verification address and QR code) and on pairing slips.

The address is never taken from a request: the one the administrator or clerk stores here
(``public_url`` in the instance folder, shared by every process like the keys) or else the configured
one (``PUBLIC_URL``, ``BIAOJUE_PUBLIC_URL``). With neither, sheets carry no address."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .. import config
from ..db import Store
from ..files import write_private
from ..i18n import msg
from .base import Actor, Invalid, requires, transaction
from .values import Rule

PUBLIC_URL_FILE = "public_url"


@dataclass(frozen=True)
class PublicUrl(Rule["str | None"]):
    """An ``http(s)://host[:port][/path]`` address; the empty text or ``null`` clears it."""

    json_types = (str, type(None))

    def wrong_type(self, raw: object) -> Invalid:
        return self.refusal()

    @staticmethod
    def refusal() -> Invalid:
        return Invalid("bad_public_url", msg("公开地址必须是 http:// 或 https:// 开头的地址（主机、端口和路径，不含查询参数）"))

    def check(self, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            return config.public_url(value)
        except ValueError:
            raise self.refusal() from None


PUBLIC_URL = PublicUrl()


@dataclass(frozen=True)
class PublicAddress:
    """The address in force and where it comes from: ``console`` (stored), ``config``, or ``None``."""

    url: str | None
    source: str | None
    configured: str | None

    def to_dict(self) -> dict[str, str | None]:
        return {"public_url": self.url, "source": self.source, "configured": self.configured}


def stored_public_url(instance: str) -> str | None:
    """The address stored from the consoles, if any (a damaged file counts as none)."""
    try:
        text = (Path(instance) / PUBLIC_URL_FILE).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        return config.public_url(text) if text.strip() else None
    except ValueError:
        return None


def public_address(instance: str, configured: str | None) -> PublicAddress:
    stored = stored_public_url(instance)
    if stored is not None:
        return PublicAddress(stored, "console", configured)
    return PublicAddress(configured, "config" if configured else None, configured)


@requires("manage_body")
def set_public_url(store: Store, actor: Actor, *, url: str | None, instance: str) -> None:
    """Store the public address (``None``: forget it, so that the configured one, if any, is used)."""
    value = PUBLIC_URL.check(url)
    path = Path(instance) / PUBLIC_URL_FILE
    with transaction(store, actor) as tx:
        tx.audit("public_url_changed", {"public_url": value})
        if value is None:
            path.unlink(missing_ok=True)
        else:
            tmp = path.with_name(f".{PUBLIC_URL_FILE}.{os.getpid()}")
            write_private(tmp, (value + "\n").encode("utf-8"))
            os.replace(tmp, path)
