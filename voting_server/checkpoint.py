"""SQLite's checkpoint at the close of a round: the write-ahead log copied into the database file and
truncated, so that the -wal no longer holds one database image per commit of the vote (see
docs/operations.md, "Audit and secrecy").

It never waits for a lock and never raises: SQLite's answer (busy, frames in the log, frames copied) is
checked; a checkpoint that another connection's read transaction (a backup, a ``sqlite3`` shell, another
process) or a writer keeps busy, or that copied only part of the log, is logged and tried again in the
background with a growing pause (``RETRIES``), until it completes."""
from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Engine

log = logging.getLogger("voting_server.db")

# pauses (seconds) before each new try of a busy checkpoint: about two minutes in all
RETRIES = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0)


class WalCheckpoint:
    """The checkpoints of one SQLite engine, whose statements otherwise wait ``busy_ms`` for a lock."""

    def __init__(self, engine: Engine, busy_ms: int) -> None:
        self.engine, self.busy_ms = engine, busy_ms
        self._lock = threading.Lock()
        self._retry: threading.Thread | None = None
        self._stop = threading.Event()
        self._asked = False

    def run(self) -> bool:
        """One try now; True when the log is copied and empty, else False and tried again later."""
        if self._once():
            return True
        self._retry_later()
        return False

    def stop(self) -> None:
        self._stop.set()

    def _once(self, again: int = 0) -> bool:
        """One try, without waiting on a lock (busy timeout 0 for it): True if the log is copied and empty.
        ``again``: the number of the retry (logged below a warning)."""
        try:
            raw = self.engine.raw_connection()
        except Exception:
            log.warning("WAL checkpoint: no connection to the database", exc_info=True)
            return False
        try:
            cur = raw.cursor()
            try:
                cur.execute("PRAGMA busy_timeout=0")
                try:
                    busy, frames, copied = cur.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                finally:
                    cur.execute(f"PRAGMA busy_timeout={self.busy_ms}")
            finally:
                cur.close()
        except Exception:
            log.warning("WAL checkpoint failed", exc_info=True)
            raw.invalidate()  # its busy timeout may not be back: never pooled again
            return False
        finally:
            raw.close()
        if busy == 0 and frames == copied:  # (0, 0, 0) once truncated; (0, -1, -1) when not in WAL mode
            return True
        log.log(logging.INFO if again else logging.WARNING,
                "WAL checkpoint busy%s: %s of %s frames of the log copied (another connection holds a read "
                "transaction, or a write is under way); tried again later",
                f" (try {again + 1})" if again else "", max(copied, 0), frames)
        return False

    def _retry_later(self) -> None:
        with self._lock:
            self._asked = True  # a retry under way starts its pauses again
            if self._retry is not None and self._retry.is_alive():
                return
            self._stop = threading.Event()
            self._retry = threading.Thread(target=self._retries, args=(self._stop,),
                                                      daemon=True, name="wal-checkpoint")
            self._retry.start()

    def _retries(self, stop: threading.Event) -> None:
        started, tries, step = time.monotonic(), 1, 0
        while True:
            with self._lock:
                if self._asked:  # a new close asked for it since the last try
                    self._asked, step = False, 0
                if step == len(RETRIES):
                    log.warning("WAL checkpoint still busy after %d tries over %.0f s: given up until the next "
                                "close", tries, time.monotonic() - started)
                    self._retry = None
                    return
            if stop.wait(RETRIES[step]):
                return
            tries, step = tries + 1, step + 1
            if self._once(again=tries - 1):
                log.info("WAL checkpoint completed at try %d, %.1f s after the first", tries,
                            time.monotonic() - started)
                with self._lock:
                    if not self._asked:
                        self._retry = None
                        return
                # asked again during this try, which may not hold what was written since: go on
                started, tries = time.monotonic(), 1

