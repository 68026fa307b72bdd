"""Cost of the encrypted ballot box, per ballot kind.

    python bench/ballotbox.py [--ballots 2000] [--sample 40] [--no-node]

For a resolution, a 3-person combined appointment, an 8-object 4-grade evaluation with a cap and a
15-candidate 10-mark selection, prints: encryption with proofs (Python, and the browser module under
node), verification of one ballot (and the throughput of a 2-process pool), the size of a ballot,
adding N ballots into the box (reading them back as stored, then the homomorphic sums), and
decrypting the sums with 2-of-3 key holders (two partial decryptions with proofs, their checks, the
Lagrange combination and the bounded discrete logarithm). Prints numbers; passes or fails nothing.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.rules import valid_choices  # noqa: E402

import ballots  # noqa: E402
from voting_server import ballotbox as bb  # noqa: E402

GRADES = [{"code": c, "zh": z, "en": c} for c, z in
          (("satisfied", "满意"), ("basic", "基本满意"), ("unsatisfied", "不满意"), ("unknown", "不了解"))]
KINDS = {
    "resolution": {"kind": "resolution", "question": "决议"},
    "appointment x3": {"kind": "appointment", "combined": True,
                       "persons": [{"id": f"p{i}", "name": f"人员{i}"} for i in range(3)]},
    "evaluation 8x4 cap": {"kind": "evaluation", "grades": GRADES, "caps": {"satisfied": 3},
                           "objects": [{"id": f"o{i}", "name": f"部门{i}"} for i in range(8)]},
    "selection 15/10": {"kind": "selection", "max_marks": 10,
                        "candidates": [{"id": f"c{i}", "name": f"项目{i}"} for i in range(15)]},
}
CONTEXT = "bench / sitting 1 / ballot 1 / round 1"
PINS = ["123456", "234567", "345678"]


def timed(fn, *args):
    t = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - t


def node_ms(layout, keys, sample) -> tuple[float, float] | None:
    """The browser module's encryption time under node: the first ballot (cold) and the median after."""
    if not shutil.which("node") or not (ROOT / "terminal_ui/static/vendor/noble-ballotbox.esm.js").exists():
        return None
    cmd = {"op": "encrypt", "layout": layout.to_dict(), "keys": keys.to_dict(), "context": CONTEXT, "choices": sample}
    proc = subprocess.run(["node", str(ROOT / "tests/ballotbox/node_ballotbox.mjs")], input=json.dumps(cmd),
                          capture_output=True, text=True, check=True, cwd=ROOT)
    ms = json.loads(proc.stdout)["ms"]
    return ms[0], statistics.median(ms[1:])


def _verify(args):
    return bb.verify_ballot(*args).hash


def bench_kind(name, d, n, sample_size, keys, shares, use_node, pool):
    rng = random.Random(name)
    spec = ballots.spec_from_dict(d)
    layout = bb.Layout.of(spec)
    picks = valid_choices(spec, n, rng, answered=0.7)
    wires, enc = timed(lambda: [bb.encrypt(spec, keys, CONTEXT, c) for c in picks])
    sample = wires[:sample_size]
    _, ver = timed(lambda: [bb.verify_ballot(layout, keys, CONTEXT, w) for w in sample])
    _, par = timed(lambda: list(pool.map(_verify, [(layout, keys, CONTEXT, w) for w in wires[:4 * sample_size]],
                                         chunksize=8)))
    stored = [json.dumps(w) for w in wires]

    def fill():
        box = bb.Box(keys, CONTEXT, len(layout.slots))
        for text in stored:
            box.add(bb.restore_ballot(layout, keys, CONTEXT, bb.load_ballot(text, layout)))
        return box

    box, add = timed(fill)
    partials, part = timed(lambda: [bb.partial(box, s) for s in shares])
    tally, comb = timed(bb.combine, box, layout, partials)
    assert tally.counts == spec.count(picks)
    js = node_ms(layout, keys, picks[:sample_size]) if use_node else None
    return {
        "kind": name, "slots": len(layout.slots), "branches": layout.branches, "bytes": sum(map(len, stored)) // n,
        "enc_py_ms": 1e3 * enc / n, "enc_js_ms": js, "verify_ms": 1e3 * ver / len(sample),
        "verify_pool_ms": 1e3 * par / (4 * sample_size), "add_s": add, "partial_s": part / len(shares),
        "combine_s": comb,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ballots", type=int, default=2000)
    ap.add_argument("--sample", type=int, default=40, help="ballots verified one by one (and 4x that in the pool)")
    ap.add_argument("--no-node", action="store_true")
    args = ap.parse_args()
    dealing = bb.deal(2, 3, PINS)
    keys = bb.KeySet.from_dict(dealing.keys)
    shares, unlock_s = timed(lambda: [bb.unlock(c, p, keys) for c, p in zip(dealing.cards[:2], PINS[:2], strict=True)])
    print(f"2-of-3 key set; key card {len(dealing.cards[0])} characters; Argon2id unlock {1e3 * unlock_s / 2:.0f} ms")
    print(f"{args.ballots} ballots per kind; times per ballot unless marked; pool = 2 processes\n")
    head = f"{'kind':20} {'slots':>5} {'branches':>8} {'bytes':>6} {'enc py':>8} {'js cold/warm':>12} " \
           f"{'verify':>8} {'pool':>8} {'add N':>7} {'partial':>8} {'combine':>8}"
    print(head)
    with ProcessPoolExecutor(2) as pool:
        for name, d in KINDS.items():
            r = bench_kind(name, d, args.ballots, args.sample, keys, shares, not args.no_node, pool)
            js = ("{:.0f}/{:.0f}ms".format(*r["enc_js_ms"]) if r["enc_js_ms"] is not None else "n/a").rjust(12)
            print(f"{r['kind']:20} {r['slots']:5} {r['branches']:8} {r['bytes']:6} {r['enc_py_ms']:6.2f}ms {js} "
                  f"{r['verify_ms']:6.2f}ms {r['verify_pool_ms']:6.2f}ms {r['add_s']:6.2f}s "
                  f"{1e3 * r['partial_s']:6.0f}ms {1e3 * r['combine_s']:6.0f}ms", flush=True)


if __name__ == "__main__":
    main()
