"""The rules package stays pure: standard library only, no project imports, no I/O."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ballots"
SOURCES = sorted(PACKAGE.rglob("*.py"))


IMPORT_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
before = set(sys.modules)
import ballots
print(" ".join(sorted(sys.modules)))
print(" ".join(sorted(set(sys.modules) - before)))
"""


def test_importing_ballots_loads_only_the_standard_library() -> None:
    out = subprocess.run(
        [sys.executable, "-c", IMPORT_SCRIPT, str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    everything, new = (line.split() for line in out.stdout.splitlines())
    assert {"ballots", "ballots.kinds", "ballots.kinds.base", "ballots.announce"} <= set(new)
    foreign = [m for m in new if m.split(".")[0] != "ballots" and m.split(".")[0] not in sys.stdlib_module_names]
    assert foreign == [], f"importing ballots pulled in non-stdlib modules: {foreign}"
    project = [m for m in everything if m.split(".")[0] in {"voting_server", "terminal_ui", "run"}]
    assert project == [], f"importing ballots loaded project modules: {project}"


def test_every_module_has_a_docstring_and_future_annotations() -> None:
    assert SOURCES
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{path.relative_to(ROOT)} has no module docstring"
        futures = [n for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == "__future__"]
        assert futures and any(a.name == "annotations" for a in futures[0].names), str(path.relative_to(ROOT))


def test_no_io_no_floats_no_project_imports() -> None:
    forbidden_text = ("open(", "socket", "requests", "urllib", "subprocess", "os.environ", "print(")
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        for word in forbidden_text:
            assert word not in source, f"{path.relative_to(ROOT)} mentions {word!r}"
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [] if node.level else [node.module or ""]
            else:
                names = []
            for name in names:
                assert name.split(".")[0] in sys.stdlib_module_names, f"{path.relative_to(ROOT)} imports {name}"
            if isinstance(node, ast.Constant):
                assert not isinstance(node.value, float), f"{path.relative_to(ROOT)} has a float literal {node.value!r}"
            if isinstance(node, ast.Name):
                assert node.id != "float", f"{path.relative_to(ROOT)} uses float"


#: The public names of the package before the kinds became a package; callers depend on every one.
PUBLIC = [
    "BallotError",
    "RuleError",
    "InvalidChoice",
    "TooManyMarks",
    "CapExceeded",
    "NotEntitled",
    "InvalidCounts",
    "Base",
    "Turnout",
    "Threshold",
    "Quorum",
    "Rule",
    "parse_fraction",
    "BallotSpec",
    "Option",
    "Question",
    "FOR",
    "AGAINST",
    "ABSTAIN",
    "FOR_AGAINST_ABSTAIN",
    "NOT_FOR",
    "MARK",
    "SATISFIED",
    "BASIC",
    "UNSATISFIED",
    "UNKNOWN",
    "DEFAULT_GRADES",
    "EVALUATION_RULES",
    "ResolutionSpec",
    "Person",
    "AppointmentSpec",
    "check_order",
    "EvalObject",
    "EvaluationSpec",
    "Candidate",
    "SelectionSpec",
    "KINDS",
    "spec_from_dict",
    "Result",
    "QuestionResult",
    "OUTCOMES",
    "RuleSet",
    "PRESETS",
    "THRESHOLD_KEYS",
    "ruleset",
]


def test_the_public_names_stay() -> None:
    import ballots.kinds

    assert set(PUBLIC) <= set(ballots.__all__)
    assert all(hasattr(ballots, name) for name in ballots.__all__)
    for name in set(PUBLIC) & set(ballots.kinds.__all__):
        assert getattr(ballots.kinds, name) is getattr(ballots, name)
    assert ballots.kinds.SELECTION_OPTIONS == ("mark", "for_against_abstain")
