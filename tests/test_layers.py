"""The import direction, enforced by the contracts of setup.cfg ([importlinter]): cli -> web | realtime ->
sheets | commands -> demo -> services -> db -> models -> ballots, each layer importing only those below it;
ballots imports nothing of the project; the ballot box's cryptography nothing of the server; terminal_ui
nothing of voting_server; the services, the stored state and the command table nothing of Flask."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold() -> None:
    exe = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(exe), "--config", str(ROOT / "setup.cfg")], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout
