"""Preparing sittings over HTTP (clerk and admin): bodies, roster, accounts, sittings, agenda, ballots,
documents, tablet pairing; and reading results and the audit chain."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/api")
