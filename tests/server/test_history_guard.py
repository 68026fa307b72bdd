"""Results, audit entries and show-of-hands counts are never edited: not through objects, and not
through bulk UPDATE/DELETE statements either."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, update

from voting_server import models


@pytest.mark.parametrize("stmt", [
    update(models.AuditEntry).values(action="edited"),
    delete(models.AuditEntry),
    update(models.Result).values(method="hands"),
    delete(models.Result),
    update(models.HandCount).values(ballots=0),
    delete(models.HandCount),
], ids=["update-audit", "delete-audit", "update-result", "delete-result", "update-hands", "delete-hands"])
def test_bulk_statements_on_history_are_refused(sqlite_store, stmt) -> None:
    with sqlite_store.write_session() as s, pytest.raises(PermissionError, match="never edited"):
        s.execute(stmt)


def test_other_bulk_updates_still_work(sqlite_store) -> None:
    with sqlite_store.write_session() as s, s.begin():
        s.execute(update(models.Sitting).values(place="x"))
