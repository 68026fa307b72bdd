"""Configuration: defaults, the instance folder, and validation of every value a person can set."""
from __future__ import annotations

import os
import secrets
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .files import narrow, write_private


class ConfigError(ValueError):
    """A configuration value is wrong; the message names the key and what is expected."""


DEFAULTS: dict[str, Any] = {
    "ASYNC_MODE": "eventlet",
    "DATABASE_URL": None,  # None: SQLite in the instance folder
    "DATABASE_TIMEOUT": 5.0,  # seconds the database may take to answer before a request is refused (503)
    "MESSAGE_QUEUE": None,  # e.g. redis://127.0.0.1:6379/0
    "MESSAGE_QUEUE_TIMEOUT": 3.0,  # seconds without an answer from the queue before it counts as lost
    "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,  # uploads (documents, roster files)
    "MAX_DOCUMENT_BYTES": 30 * 1024 * 1024,
    "LOGIN_MAX_ATTEMPTS": 5,  # per username and address within LOGIN_WINDOW_SECONDS
    "LOGIN_WINDOW_SECONDS": 300,
    "PROGRESS_INTERVAL": 0.25,  # seconds between coalesced progress pushes
    "LIVE_RATE_SCALE": 1.0,  # multiplies every live command's rate (realtime/throttle.py)
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": "auto",  # auto: Secure when the request came over HTTPS; or True / False
    "TRUSTED_PROXIES": 0,  # reverse proxies in front whose X-Forwarded-For/-Proto are believed
    "WTF_CSRF_TIME_LIMIT": None,
    "LANGUAGE": "zh",
    "PUBLIC_URL": None,  # the address printed on sheets and pairing slips; None: none is printed
    # per address, for callers without a staff session or a tablet token (Flask-Limiter's notation)
    "RATE_LIMIT_ANONYMOUS": "120 per minute",
    "RATE_LIMIT_VERIFY": "20 per minute",  # GET and POST /api/verify together
    "RATE_LIMIT_LOGIN": "20 per minute",  # staff login and PIN pairing together
    "RATE_LIMIT_STORAGE_TIMEOUT": 0.25,  # seconds a rate limit's counter in Redis may take (then: in memory)
    "VERIFY_WORKERS": 2,  # public verifications running at once, each in a process of its own
    "VERIFY_QUEUE": 16,  # verifications waiting for a worker; past that: 503 busy
    "VERIFY_TIMEOUT": 30,  # seconds a verification may wait for a worker, and may run
    "VERIFY_MEMORY_MB": 384,  # memory a verification's process may take (an uploaded PDF may be a bomb)
    "BALLOT_CHECK_WORKERS": 2,  # processes verifying the tablets' encrypted ballots; 0: in the server's own
}

# settings also read from the environment, as BIAOJUE_<name>
ENVIRONMENT_SETTINGS = ("RATE_LIMIT_ANONYMOUS", "RATE_LIMIT_VERIFY", "RATE_LIMIT_LOGIN", "VERIFY_WORKERS",
                        "VERIFY_QUEUE", "VERIFY_TIMEOUT", "VERIFY_MEMORY_MB", "BALLOT_CHECK_WORKERS")


def _number(value: str) -> Any:
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value  # refused by the checks below, naming the setting


_TYPES: dict[str, tuple[type[int] | type[float], ...]] = {
    "MAX_CONTENT_LENGTH": (int,),
    "MAX_DOCUMENT_BYTES": (int,),
    "LOGIN_MAX_ATTEMPTS": (int,),
    "LOGIN_WINDOW_SECONDS": (int,),
    "PROGRESS_INTERVAL": (int, float),
    "LIVE_RATE_SCALE": (int, float),
    "MESSAGE_QUEUE_TIMEOUT": (int, float),
    "RATE_LIMIT_STORAGE_TIMEOUT": (int, float),
    "VERIFY_WORKERS": (int,),
    "VERIFY_QUEUE": (int,),
    "VERIFY_TIMEOUT": (int, float),
    "VERIFY_MEMORY_MB": (int,),
    "DATABASE_TIMEOUT": (int, float),
}
NUMBERS_FROM_ENVIRONMENT = ("LIVE_RATE_SCALE", "MESSAGE_QUEUE_TIMEOUT", "DATABASE_TIMEOUT",
                            "RATE_LIMIT_STORAGE_TIMEOUT")  # read as numbers when set


def load(overrides: Mapping[str, Any] | None, instance_path: str) -> dict[str, Any]:
    """Merge defaults, environment and explicit overrides; validate; return the final config."""
    cfg: dict[str, Any] = dict(DEFAULTS)
    env_map = {"DATABASE_URL": "DATABASE_URL", "MESSAGE_QUEUE": "MESSAGE_QUEUE", "ASYNC_MODE": "ASYNC_MODE",
               "SESSION_COOKIE_SECURE": "BIAOJUE_SECURE_COOKIES", "TRUSTED_PROXIES": "BIAOJUE_TRUSTED_PROXIES"}
    for key, var in env_map.items():
        if os.environ.get(var):
            cfg[key] = os.environ[var]
    for key in NUMBERS_FROM_ENVIRONMENT:
        if os.environ.get(key):
            try:
                cfg[key] = float(os.environ[key])
            except ValueError:
                raise ConfigError(f"{key} must be a positive number, not {os.environ[key]!r}") from None
    for key in ENVIRONMENT_SETTINGS:  # BIAOJUE_VERIFY_WORKERS=4 …
        value = os.environ.get(f"BIAOJUE_{key}")
        if value:
            cfg[key] = _number(value) if isinstance(DEFAULTS[key], int) else value
    cfg.update(overrides or {})
    cfg["INSTANCE_PATH"] = instance_path

    if cfg["ASYNC_MODE"] not in ("eventlet", "gevent", "threading"):
        raise ConfigError(f"ASYNC_MODE must be eventlet, gevent or threading, not {cfg['ASYNC_MODE']!r}")
    for key, types in _TYPES.items():
        value = cfg[key]
        if isinstance(value, bool) or not isinstance(value, types) or value <= 0:
            raise ConfigError(f"{key} must be a positive number, not {value!r}")
    checkers = cfg["BALLOT_CHECK_WORKERS"]
    if isinstance(checkers, bool) or not isinstance(checkers, int) or not 0 <= checkers <= 64:
        raise ConfigError(f"BALLOT_CHECK_WORKERS must be a number of processes from 0 to 64, not {checkers!r}")
    secure = cfg["SESSION_COOKIE_SECURE"]
    words = {"auto": "auto", "true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
    if isinstance(secure, str) and secure.strip().lower() in words:
        cfg["SESSION_COOKIE_SECURE"] = words[secure.strip().lower()]
    elif not isinstance(secure, bool):
        raise ConfigError(f"SESSION_COOKIE_SECURE must be auto, true or false, not {secure!r}")
    hops = cfg["TRUSTED_PROXIES"]
    if isinstance(hops, str) and hops.strip().isdigit():
        hops = cfg["TRUSTED_PROXIES"] = int(hops)
    if isinstance(hops, bool) or not isinstance(hops, int) or not 0 <= hops <= 5:
        raise ConfigError(f"TRUSTED_PROXIES must be a number of proxies from 0 to 5, not {hops!r}")
    for key in ("RATE_LIMIT_ANONYMOUS", "RATE_LIMIT_VERIFY", "RATE_LIMIT_LOGIN"):
        _check_limit(key, cfg[key])
    url = cfg["DATABASE_URL"]
    if url is None:
        cfg["DATABASE_URL"] = "sqlite:///" + str(Path(instance_path) / "biaojue.sqlite3")
    elif not isinstance(url, str) or not url.startswith(("sqlite:", "postgresql", "postgres:")):
        raise ConfigError(f"DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL, not {url!r}")
    elif url.startswith("postgres://") or url.startswith("postgresql://"):
        cfg["DATABASE_URL"] = "postgresql+psycopg://" + url.split("://", 1)[1]
    if not cfg["PUBLIC_URL"]:
        cfg["PUBLIC_URL"] = os.environ.get("BIAOJUE_PUBLIC_URL") or os.environ.get("BIAOJUE_BASE_URL") or None
    if cfg["PUBLIC_URL"] is not None:
        try:
            cfg["PUBLIC_URL"] = public_url(cfg["PUBLIC_URL"])
        except ValueError as err:
            raise ConfigError(f"PUBLIC_URL (BIAOJUE_PUBLIC_URL) {err}, not {cfg['PUBLIC_URL']!r}") from None
    mq = cfg["MESSAGE_QUEUE"]
    if mq is not None and (not isinstance(mq, str) or not mq.startswith(("redis://", "rediss://"))):
        raise ConfigError(f"MESSAGE_QUEUE must be a redis:// URL, not {mq!r}")
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _instance_secret(instance_path)
    return cfg


PUBLIC_URL_MAX = 200


def public_url(value: object) -> str:
    """The public address as stored: ``http(s)://host[:port][/path]``, without a trailing slash, user,
    query or fragment. Raises ValueError saying what it must be."""
    if not isinstance(value, str):
        raise ValueError("must be an http:// or https:// address")
    text = value.strip().rstrip("/")
    if len(text) > PUBLIC_URL_MAX or any(unicodedata.category(ch) in ("Cc", "Cs", "Zs") for ch in text):
        raise ValueError(f"must be an http:// or https:// address of at most {PUBLIC_URL_MAX} characters, no spaces")
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    else:
        if (parts.scheme in ("http", "https") and parts.hostname and port_ok and "@" not in parts.netloc
                and not parts.query and not parts.fragment and "?" not in text and "#" not in text
                and "\\" not in text):
            return text
    raise ValueError("must be an http:// or https:// address (host, port and path only)")


def _check_limit(key: str, value: Any) -> None:
    from limits import parse_many

    try:
        if not isinstance(value, str) or not parse_many(value):
            raise ValueError(value)
    except ValueError:
        raise ConfigError(f"{key} must be a rate such as '20 per minute', not {value!r}") from None


def _instance_secret(instance_path: str) -> str:
    """The session-signing key: generated once, kept in the instance folder (mode 0600)."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        narrow(path)
        key = path.read_text().strip()
        if len(key) >= 32:
            return key
    key = secrets.token_hex(32)
    write_private(path, key.encode())
    return key
