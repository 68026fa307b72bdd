"""The worked-example tables of ``worked_examples.md``, read as test data, and the little notations their
cells use ("300/280/270/2", "c1 120/40, c2 100/110", "c1 c3", "–")."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).with_name("worked_examples.md")
NONE = "–"


def tables(path: Path = EXAMPLES) -> dict[str, list[dict[str, str]]]:
    """Every table of the file by the key of the heading above it (its first word, without a colon):
    one ``{column: cell}`` per row."""
    out: dict[str, list[dict[str, str]]] = {}
    key: str | None = None
    header: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            key, header = line[4:].split()[0].rstrip(":"), None
            continue
        if not line.startswith("|") or key is None:
            header = None if not line.strip() else header
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            out.setdefault(key, [])
        elif set("".join(cells)) <= set("-: "):
            continue
        else:
            out[key].append(dict(zip(header, cells, strict=True)))
    return out


TABLES = tables()


def rows(key: str) -> list[dict[str, str]]:
    """The rows of one table (at least one: a table that lost its rows fails here)."""
    found = TABLES[key]
    assert found, f"table {key!r} has no rows"
    return found


def ids(text: str) -> list[str]:
    """ "c1 c3" → ["c1", "c3"]; "–" → []."""
    return [] if text == NONE else text.split()


def numbers(text: str) -> tuple[int, ...]:
    """ "300/280/270/2" → (300, 280, 270, 2)."""
    return tuple(int(n) for n in text.split("/"))


def votes(text: str) -> dict[str, tuple[int, ...]]:
    """ "c1 120/40, c2 100/110" → {"c1": (120, 40), "c2": (100, 110)}; "–" → {}."""
    if text == NONE:
        return {}
    out: dict[str, tuple[int, ...]] = {}
    for part in text.split(","):
        name, counts = part.split()
        out[name] = tuple(int(n) for n in counts.split("/"))
    return out
