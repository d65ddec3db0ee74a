"""Event ids claimed in one statement per batch; a redelivery is recognised across batches."""

from __future__ import annotations

from storage.runtime_state import claim_events, claim_moment, forget_events_before
from storage.models import ProcessedEvent
from datetime import datetime, timedelta, timezone


async def test_claims_new_ids_once(db: str) -> None:
    assert await claim_events(["a", "b", "a"]) == {"a", "b"}
    assert await claim_events(["b", "c"]) == {"c"}
    assert await claim_events([]) == set()
    assert await ProcessedEvent.all().count() == 3


async def test_old_ids_are_forgotten(db: str) -> None:
    await claim_events(["old"])
    assert await forget_events_before(datetime.now(timezone.utc) + timedelta(seconds=1)) == 1
    assert await claim_events(["old"]) == {"old"}


async def test_a_repeated_claim_gets_back_what_it_took_and_nothing_of_others(db: str) -> None:
    """The claim was committed but its answer lost with the connection: the retry (the same
    claim moment) still owns its ids; another claim's ids stay another's."""
    mine, theirs = claim_moment(), claim_moment()
    assert await claim_events(["a", "b"], mine) == {"a", "b"}
    assert await claim_events(["c"], theirs) == {"c"}
    assert await claim_events(["a", "b", "c", "d"], mine) == {"a", "b", "d"}
    assert await claim_events(["a", "d"], theirs) == set()
