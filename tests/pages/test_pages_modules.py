"""The pages' scripts as modules: small ones, every import resolved and used, no export nobody imports,
no rule of the rules engine written again in a page (the tablets read ballot.limits)."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from pages_sources import JS, TEMPLATES, UI, scripts, without_comments

MAX_LINES = 350
NODE_TESTS = UI.parent / "tests" / "ballotbox"
IMPORT = re.compile(r"import\s*\{([^}]*)\}\s*from\s*\"([^\"]+)\"")
EXPORT = re.compile(r"export\s+(?:async\s+)?(?:function|class|const|let)\s+(\w+)")
RE_EXPORT = re.compile(r"export\s*\{([^}]*)\}")


def names(group: str) -> list[str]:
    return [n.strip().split(" as ")[-1] for n in group.split(",") if n.strip()]


def exports_of(text: str) -> set[str]:
    out = set(EXPORT.findall(text))
    for group in RE_EXPORT.findall(text):
        out |= set(names(group))
    return out


def test_no_module_is_large() -> None:
    large = {p.relative_to(JS).as_posix(): n for p, text in scripts().items()
             if (n := len(text.splitlines())) > MAX_LINES}
    assert large == {}


def test_every_import_is_exported_and_used() -> None:
    all_scripts = scripts()
    problems = []
    for path, text in all_scripts.items():
        for group, target in IMPORT.findall(text):
            if "/vendor/" in target:
                continue
            module = (path.parent / target).resolve()
            if module not in all_scripts:
                problems.append(f"{path.relative_to(JS)}: no module {target}")
                continue
            for name in names(group):
                if name not in exports_of(all_scripts[module]):
                    problems.append(f"{path.relative_to(JS)}: {target} does not export {name}")
                if len(re.findall(rf"\b{name}\b", without_comments(text))) < 2:
                    problems.append(f"{path.relative_to(JS)}: {name} imported, never used")
    assert problems == []


def test_every_export_is_imported_somewhere() -> None:
    """By a page module, or by the cross-language tests of the ballot box, which run its browser module
    under node against the server's verifier."""
    users = [*scripts().values(), *(p.read_text("utf-8") for p in NODE_TESTS.glob("*.mjs"))]
    imported = {n for text in users for group, _t in IMPORT.findall(text) for n in names(group)}
    dead = sorted(f"{p.relative_to(JS)}: {n}" for p, text in scripts().items() for n in exports_of(text) - imported)
    assert dead == []


def test_every_page_has_its_entry_module() -> None:
    for page in ("index", "seat", "chair", "clerk", "display", "verify"):
        assert (TEMPLATES / f"{page}.html").exists()
        assert (JS / page / "main.js").exists(), page


def test_no_page_decides_a_ballot_rule() -> None:
    """Marks allowed, caps, which option counts and what an unanswered question means come from
    ballot.limits; a page that reads the ballot's spec for them re-implements the rules engine."""
    readers = [p for p in scripts() if p.parent.name in ("seat", "chair", "display", "views")]
    assert readers
    for path in readers:
        code = without_comments(scripts()[path])
        assert re.findall(r"\.spec\b|\bspec\.", code) == [], path.relative_to(UI)
        for field in ("max_marks", "caps", "for_code", "default_code", "answer_all"):
            for m in re.finditer(rf"\b{field}\b", code):
                line = code[code.rfind("\n", 0, m.start()) + 1:code.find("\n", m.end())]
                assert "limits" in line, f"{path.relative_to(UI)}: {field} not read from ballot.limits: {line.strip()}"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (a syntax check only)")
def test_every_module_parses() -> None:
    for path, text in scripts().items():
        proc = subprocess.run(["node", "--input-type=module", "--check"], input=text, capture_output=True, text=True,
                              timeout=30, check=False)
        assert proc.returncode == 0, f"{path.relative_to(JS)}: {proc.stderr}"
