"""Under eventlet, a PostgreSQL query must not stall the other green threads: with psycopg 3 and
``PSYCOPG_WAIT_FUNC=wait_selector`` (as run.py sets it) a ``pg_sleep(1)`` yields to the hub. Runs in a
subprocess because monkey-patching is process-wide and must come first."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import eventlet
    eventlet.monkey_patch()

    import json, sys, time

    import psycopg.waiting
    import sqlalchemy as sa

    from voting_server.db import Store

    store = Store(sys.argv[1])
    with store.engine.connect() as conn:  # connect before timing: only the query is measured
        conn.execute(sa.text("SELECT 1"))

    ticks, running = [], True

    def ticker():
        while running:
            ticks.append(time.monotonic())
            eventlet.sleep(0.05)

    def sleeper():
        with store.engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_sleep(1)"))

    tick = eventlet.spawn(ticker)
    eventlet.sleep(0)
    start = time.monotonic()
    sleepers = [eventlet.spawn(sleeper) for _ in range(2)]
    for g in sleepers:
        g.wait()
    end = time.monotonic()
    running = False
    tick.wait()
    store.dispose()
    print(json.dumps({"ticks": sum(1 for t in ticks if start <= t <= end), "elapsed": end - start,
                      "wait": psycopg.waiting.wait.__name__}))
""")


def test_pg_sleep_does_not_stall_other_green_threads(pg_schema_url):
    env = {**os.environ, "PSYCOPG_WAIT_FUNC": "wait_selector"}
    proc = subprocess.run([sys.executable, "-c", SCRIPT, pg_schema_url], env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["wait"] == "wait_selector"
    assert report["ticks"] >= 10, report  # the ticker kept ticking every 50 ms through the 1 s query
    assert report["elapsed"] < 1.8, report  # and the two 1 s queries ran side by side
