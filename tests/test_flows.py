"""One name per flow in every layer: a module of handlers, states, keyboards or notices is named
after a flow of the registry (`bot/flows.py`), so a flow is found by its name everywhere."""

from __future__ import annotations

import pkgutil

import bot.handlers
import bot.keyboards
import bot.notices
import bot.states
from bot.flows import FLOWS, labelers
from bot.handlers import start

SHARED = {
    "handlers": {"inputs"},  # steps several dialogs share
    "keyboards": {"common", "lists"},  # pieces every flow's keyboards use
    "states": {"dialog"},  # the guard's `Dialog`
    "notices": {"base"},  # the `Notice` base class
}


def _modules(package: object) -> set[str]:
    return {m.name for m in pkgutil.iter_modules(package.__path__)}  # type: ignore[attr-defined]


def test_flow_names_are_unique() -> None:
    names = [flow.name for flow in FLOWS]
    assert len(names) == len(set(names))


def test_every_layer_names_its_modules_after_flows() -> None:
    flows = {flow.name for flow in FLOWS}
    for layer, package in (
        ("handlers", bot.handlers), ("keyboards", bot.keyboards), ("states", bot.states),
        ("notices", bot.notices),
    ):
        strays = _modules(package) - SHARED[layer] - flows
        assert not strays, f"bot/{layer}/ modules named after no flow: {sorted(strays)}"


def test_every_flow_has_its_handlers() -> None:
    for flow in FLOWS:
        assert flow.labelers, flow.name
        assert flow.order.strip(), flow.name
        assert any(
            labeler.message_view.handlers or labeler.raw_event_view.handlers
            for labeler in flow.labelers
        ), flow.name


def test_the_last_resort_is_tried_last() -> None:
    assert labelers()[-1] is start.last_resort
    assert all(start.last_resort not in flow.labelers for flow in FLOWS)
