"""Bulk work through `execute` in the gateway, against the sandbox: 25 sends of 100 peers in a
request, 12 chats with their links in a request, a call failed inside a script tried again on
its own, and a lost answer to chat creation found again instead of repeated."""

from __future__ import annotations

from bot.vk.errors import VkUnavailable
from bot.vk.gateway import VkGateway
from sandbox.server import Sandbox
from tests.test_gateway import gateway, make_people, people_api, sandbox  # noqa: F401 (fixtures)

CHAT = 2_000_000_000


async def calls(sandbox: Sandbox) -> dict[str, int]:
    return (await people_api(sandbox, "GET", "/sandbox/stats"))["calls"]


async def faults(sandbox: Sandbox, **settings: object) -> None:
    await people_api(sandbox, "POST", "/sandbox/faults", settings)


async def test_send_to_250_peers_is_one_execute_request(sandbox: Sandbox, gateway: VkGateway) -> None:
    allowed = await make_people(sandbox, 240, wrote_first=True)
    silent = await make_people(sandbox, 10, wrote_first=False)
    await people_api(sandbox, "POST", "/sandbox/stats/reset")
    results = await gateway.send_many(allowed + silent, "Плановое отключение воды", dedup_key="b:1")
    assert await calls(sandbox) == {"execute": 1}
    assert [r.peer_id for r in results] == allowed + silent
    assert all(r.ok and r.message_id for r in results[:240])
    assert all(r.error is not None and r.error.code == 901 for r in results[240:])
    assert gateway.recipients_per_call == 2500


async def test_a_send_failed_inside_the_script_is_sent_again_on_its_own(
    sandbox: Sandbox, gateway: VkGateway
) -> None:
    people = await make_people(sandbox, 150, wrote_first=True)
    await faults(sandbox, method_failures={"messages.send": [10]})  # the first call of the script
    await people_api(sandbox, "POST", "/sandbox/stats/reset")
    results = await gateway.send_many(people, "Отключение света", dedup_key="b:2")
    assert all(r.ok for r in results)
    assert await calls(sandbox) == {"execute": 1, "messages.send": 1}
    for person in (people[0], people[120]):
        seen = await people_api(sandbox, "GET", f"/sandbox/people/{person}/messages?peer_id=-{sandbox.config.group_id}")
        assert [m["text"] for m in seen["items"]] == ["Отключение света"]  # once each


async def test_13_chats_with_links_take_two_requests(sandbox: Sandbox, gateway: VkGateway) -> None:
    titles = [f"Садовая {n}" for n in range(1, 14)]
    await people_api(sandbox, "POST", "/sandbox/stats/reset")
    made = await gateway.create_chats(titles)
    assert await calls(sandbox) == {"execute": 2}
    chats = {c.id: c for c in sandbox.world.chats.all()}
    assert [chats[m.chat_id].title for m in made] == titles  # type: ignore[index]
    links = {c["community_chat_id"]: c["invite_link"] for c in await people_api(sandbox, "GET", "/sandbox/chats")}
    assert all(m.error is None and m.link == links[m.chat_id] for m in made)


async def test_a_chat_or_link_failed_inside_the_script_is_tried_again_alone(
    sandbox: Sandbox, gateway: VkGateway
) -> None:
    await faults(sandbox, method_failures={"messages.createChat": [10], "messages.getInviteLink": [10]})
    made = await gateway.create_chats(["Дом 1", "Дом 2", "Дом 3"])
    assert all(m.error is None and m.link for m in made)
    assert sorted(c.title for c in sandbox.world.chats.all()) == ["Дом 1", "Дом 2", "Дом 3"]  # no extra


async def test_a_permanent_refusal_is_that_chats_error(sandbox: Sandbox, gateway: VkGateway) -> None:
    await faults(sandbox, method_failures={"messages.createChat": [100]})
    first, second = await gateway.create_chats(["Дом 1", "Дом 2"])
    assert first.chat_id is None and first.error is not None and first.error.code == 100
    assert second.error is None and second.link


async def test_a_lost_answer_is_not_repeated_and_the_chats_are_found_by_title(
    sandbox: Sandbox, gateway: VkGateway
) -> None:
    await faults(sandbox, lost_answers={"execute": 1})
    made = await gateway.create_chats(["Дом 1", "Дом 2"])
    assert all(m.chat_id is None and isinstance(m.error, VkUnavailable) for m in made), made
    assert len(sandbox.world.chats.all()) == 2  # made once, not again by a retry
    assert await gateway.chats_created_after(0) == [(1, "Дом 1"), (2, "Дом 2")]
    assert await gateway.chats_created_after(1) == [(2, "Дом 2")]
