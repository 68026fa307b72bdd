"""Security headers on every response of the app (pages, API, files).

The pages load only their own files: scripts and styles from ``/static/ui`` (no inline script, no
inline style, no ``eval``), Socket.IO and the API on the same origin, QR codes as ``data:`` images, a
seat's agenda PDF from a ``blob:`` URL. No page may be framed by another site (clickjacking a vote or a
chair's button); the hall display is opened on its own screen, never embedded. The referrer leaves the
origin only within it: the CSRF check over HTTPS compares the same-origin ``Referer``."""
from __future__ import annotations

from flask import Response

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'self' blob:",
    "frame-src 'self' blob:",
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def secure(response: Response) -> Response:
    """Every header above that the response does not already set."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response
