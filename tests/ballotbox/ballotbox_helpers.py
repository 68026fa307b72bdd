"""Helpers of the ballot-box tests: ballot specs of every kind, a cheap Argon2id for speed, and the node
runner of the browser module."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from support.env import ROOT, missing

import ballots
from voting_server import ballotbox as bb

BUNDLE = ROOT / "terminal_ui" / "static" / "vendor" / "noble-ballotbox.esm.js"
RUNNER = Path(__file__).with_name("node_ballotbox.mjs")
FAST = bb.Kdf(t=1, log2_m=10, p=1)
PINS = ["123456", "234567", "345678"]
CONTEXT = "sitting 7 / ballot 12 / round 1"

GRADES = [{"code": "satisfied", "zh": "满意", "en": "satisfied"},
          {"code": "basic", "zh": "基本满意", "en": "basic"},
          {"code": "unsatisfied", "zh": "不满意", "en": "unsatisfied"},
          {"code": "unknown", "zh": "不了解", "en": "unknown"}]

SPECS = {
    "resolution": {"kind": "resolution", "question": "关于预算的决议"},
    "appointment": {"kind": "appointment", "combined": True,
                    "persons": [{"id": f"p{i}", "name": f"人员{i}", "post": f"局长{i}"} for i in range(3)]},
    "evaluation": {"kind": "evaluation", "objects": [{"id": f"o{i}", "name": f"部门{i}"} for i in range(8)],
                   "grades": GRADES, "caps": {"satisfied": 3}},
    "selection": {"kind": "selection", "candidates": [{"id": f"c{i}", "name": f"项目{i}"} for i in range(15)],
                  "max_marks": 10},
    "selection_faa": {"kind": "selection", "options": "for_against_abstain", "max_marks": 2,
                      "candidates": [{"id": f"c{i}", "name": f"项目{i}"} for i in range(4)]},
    "election": {"kind": "election", "post": "县人民政府副县长", "places": 2, "post_type": "deputy_head",
                 "candidates": [{"id": f"c{i}", "name": f"候选人{i}"} for i in range(4)]},
}


def spec(name: str) -> ballots.BallotSpec:
    return ballots.spec_from_dict(SPECS[name])


def need_node() -> None:
    absent = [what for what, ok in (("node", shutil.which("node")),
                                    ("the vendored bundle (make assets)", BUNDLE.exists())) if not ok]
    if absent:
        missing("missing " + " and ".join(absent))


def node(command: dict) -> dict:
    """Run one command of the browser module under node."""
    need_node()
    proc = subprocess.run(["node", str(RUNNER)], input=json.dumps(command), capture_output=True, text=True,
                          timeout=120, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)
