"""The state-dispenser contract, run against vkbottle's in-memory one and ours (both databases).

A dispenser that passes these can replace another without the bot noticing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from vkbottle import ABCStateDispenser, BaseStateGroup, BuiltinStateDispenser

from storage.db import close_database, init_database
from storage.dialog_state import DatabaseStateDispenser
from tests.conftest import BACKENDS, empty_database


class Flow(BaseStateGroup):
    FIRST = "first"
    SECOND = "second"


@pytest.fixture(params=["memory", *BACKENDS])
async def dispenser(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ABCStateDispenser]:
    """The same contract for vkbottle's in-memory dispenser and ours on each database."""
    if request.param == "memory":
        yield BuiltinStateDispenser()
        return
    async with empty_database(request, tmp_path) as url:
        await init_database(url)
        try:
            yield DatabaseStateDispenser()
        finally:
            await close_database()


async def test_unknown_key_has_no_state(dispenser: ABCStateDispenser) -> None:
    assert await dispenser.get(1) is None


async def test_set_then_get_round_trips_state_and_payload(dispenser: ABCStateDispenser) -> None:
    await dispenser.set(10, Flow.FIRST, phones=["+79121234567"], n=2, name="Демо-город")
    peer = await dispenser.get(10)
    assert peer is not None
    assert peer.state == Flow.FIRST
    assert peer.state == "Flow:first"
    assert peer.payload == {"phones": ["+79121234567"], "n": 2, "name": "Демо-город"}


async def test_set_replaces_state_and_payload(dispenser: ABCStateDispenser) -> None:
    await dispenser.set(10, Flow.FIRST, a=1)
    await dispenser.set(10, Flow.SECOND, b=2)
    peer = await dispenser.get(10)
    assert peer is not None and peer.state == Flow.SECOND and peer.payload == {"b": 2}


async def test_keys_are_independent_and_delete_is_idempotent(dispenser: ABCStateDispenser) -> None:
    await dispenser.set(1, Flow.FIRST)
    await dispenser.set(2, Flow.SECOND)
    await dispenser.delete(1)
    await dispenser.delete(1)
    assert await dispenser.get(1) is None
    peer = await dispenser.get(2)
    assert peer is not None and peer.state == Flow.SECOND


async def test_database_state_survives_reopening(database_url: str) -> None:
    await init_database(database_url)
    await DatabaseStateDispenser().set(77, Flow.SECOND, step=3)
    await close_database()
    await init_database(database_url)
    try:
        peer = await DatabaseStateDispenser().get(77)
    finally:
        await close_database()
    assert peer is not None and peer.state == Flow.SECOND and peer.payload == {"step": 3}
