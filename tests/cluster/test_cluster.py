"""Three bot processes behind HAProxy in Callback API mode, on one PostgreSQL, against the
sandbox delivering as VK does: a staff dialog spread over the processes, a meeting link posted
exactly once, a process SIGKILLed mid-traffic with nothing lost and nothing answered twice;
and the token's 20 requests a second held across processes."""

from __future__ import annotations

import asyncio
import json
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest

from storage.models import InboxEvent
from tests.cluster.cluster import ClusterStack, haproxy_available, running_cluster
from tests.e2e.conftest import bind_staff, main_py
from tests.e2e.steps import bind_by_sms
from tests.e2e.test_escalations import links_posted, make_house, schedule_meeting
from tests.e2e.test_resilience import ON_POSTGRES, answered_once_each, until, write
from tests.harness import Person

pytestmark = [
    ON_POSTGRES,
    pytest.mark.skipif(  # CI (.ci/run installs it) fails instead
        not haproxy_available() and os.environ.get("CI") != "true",
        reason="HAProxy is not installed (apt-get install haproxy)",
    ),
]


async def bind_first_admin(stack: ClusterStack, person: Person) -> None:
    """`python main.py admin add …`, then the person opens the SMS link and sends the code."""
    process = await main_py(stack, "admin", "add", "--phone", person.phone,
                            "--municipality", "Демо-город", "--region", "Демо-регион", capture=True)
    out, _ = await process.communicate()
    assert process.returncode == 0, out
    await bind_by_sms(person, "Начать")


async def handled_by(person: Person) -> set[str]:
    rows = await InboxEvent.filter(ordering_key=str(person.id)).values_list("claimed_by", flat=True)
    return set(rows)


@pytest.mark.timeout(600)
async def test_three_processes_behind_haproxy(database_url: str, tmp_path: Path) -> None:
    async with running_cluster(database_url, tmp_path) as stack:
        admin = await stack.person("Анна Смирнова", "+79000000001")
        await bind_first_admin(stack, admin)
        staff = await stack.person("Борис Петров", "+79000000002")
        await bind_staff(stack, admin, staff)
        house = await make_house(stack, staff)  # a staff dialog of a dozen steps
        assert len(await handled_by(staff)) >= 2, "the dialog went to one process only"

        # The meeting link: only the scheduler's leader posts it, once.
        _, start = await schedule_meeting(stack, house)
        stack.set_clock(start - timedelta(minutes=30))
        await until(lambda: links_posted(house), timeout=60)
        await asyncio.sleep(2)  # several more rounds of every process's scheduler
        assert len(await links_posted(house)) == 1

        # Residents write while one process is killed: each gets exactly one answer per message.
        people = [await stack.person(f"Житель {i}", f"+7900000030{i}") for i in range(6)]
        rounds = 6
        for round_ in range(rounds):
            for person in people:
                await write(stack, person)
            if round_ == 2:
                stack.kill(0)
            await asyncio.sleep(0.1)
        await stack.settle(timeout=120)
        await answered_once_each(people, rounds)
        stats = (await stack.stats())["callback"]
        assert stats.get("given_up", 0) == 0
        assert await InboxEvent.filter(done_at__isnull=True).count() == 0
        survivors = {p for person in people for p in await handled_by(person)}
        assert len(survivors) >= 2

        # The killed process comes back and takes its share again.
        await stack.start_process(0)
        await house.admin.say("Начать")
        assert len(await replies_of(house.admin)) >= 1


async def replies_of(person: Person) -> list[str]:
    return [m.text for m in await person.messages() if m.from_id < 0]


async def load(stack: ClusterStack, processes: int, calls: int, shared: bool) -> list[dict]:
    """`processes` processes making `calls` VK calls each, all starting at the same instant."""
    start_at = time.time() + 15  # after every process has started (a loaded machine is slow)
    env = {"VK_RATE_LIMIT_SHARED": "true" if shared else "false"}
    running = [
        await main_py(stack, str(calls), str(start_at), module="tests.cluster.vk_load",
                      capture=True, env=env)
        for _ in range(processes)
    ]
    results = []
    for process in running:
        out, _ = await process.communicate()
        assert process.returncode == 0, out
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    return results


@pytest.mark.timeout(300)
async def test_the_token_limit_holds_across_processes(database_url: str, tmp_path: Path) -> None:
    """Three processes, 40 calls each at once: with the shared limiter the sandbox (20 a
    second, like VK) never answers error 6; with each process's own limiter it does."""
    async with running_cluster(database_url, tmp_path, processes=0) as stack:
        before = (await stack.stats())["errors"].get("6", 0)
        results = await load(stack, 3, 40, shared=True)
        assert (await stack.stats())["errors"].get("6", 0) == before
        span = max(r["ended"] for r in results) - min(r["began"] for r in results)
        assert span >= (120 - 20) / 20 * 0.9  # 120 calls at 20 a second: not much faster
        await load(stack, 3, 40, shared=False)
        assert (await stack.stats())["errors"].get("6", 0) > before  # the test can see it
