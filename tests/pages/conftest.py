"""The pages alone: the terminal_ui blueprint in a bare Flask app, without the session server."""
from __future__ import annotations

import pytest
from flask import Flask


@pytest.fixture(scope="module")
def client():
    from terminal_ui import blueprint

    app = Flask("pages")
    app.register_blueprint(blueprint)
    return app.test_client()
