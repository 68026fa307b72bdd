"""Driving a live sitting over HTTP: the chair's and clerk's actions and the tablets' sign-in, cast and
speaker requests, one route per live command of the command table (the same commands terminals send
over Socket.IO, realtime/)."""
from __future__ import annotations

from flask import Blueprint

from .. import commands
from .commands import register_commands

bp = Blueprint("live", __name__, url_prefix="/api")
register_commands(bp, commands.LIVE.values())
