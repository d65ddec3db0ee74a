"""The demo world of the embedded default: a region, a municipality and a few people.

Created on first start and left alone afterwards (idempotent). People are created through the
sandbox's own JSON API, as any script could; their roles are written to the bot's database, as
`python main.py admin add` would after they opened their invitations.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from bot.config import Settings
from bot.services.core.tenants import find_or_create_municipality
from sandbox.world.store import remove_database
from storage.models import Person, Role, RoleGrant

SANDBOX_FILE = "sandbox.sqlite3"  # the sandbox's world, inside DATA_DIR
REGION = "Демо-регион"
MUNICIPALITY = "Демо-город"


@dataclass(frozen=True)
class DemoPerson:
    name: str
    phone: str
    role: Role | None
    vk: bool = True

    @property
    def description(self) -> str:
        if not self.vk:
            return "житель без ВКонтакте (только SMS)"
        if self.role is Role.MUNICIPALITY_ADMIN:
            return f"администратор муниципалитета «{MUNICIPALITY}»"
        if self.role is Role.STAFF:
            return f"сотрудник муниципалитета «{MUNICIPALITY}»"
        return "житель, пока без роли"


PEOPLE = (
    DemoPerson("Анна Смирнова", "+79000000001", Role.MUNICIPALITY_ADMIN),
    DemoPerson("Борис Петров", "+79000000002", Role.STAFF),
    DemoPerson("Вера Иванова", "+79000000003", None),
    DemoPerson("Григорий Кузнецов", "+79000000004", None, vk=False),
)


def fresh_start(settings: Settings) -> list[str]:
    """Forget the sandbox world and the bot's database of the embedded default — both in the
    data folder (DATA_DIR). A database DATABASE_URL names outside it is left alone: the notes
    returned say so."""
    remove_database(settings.data_dir / SANDBOX_FILE)
    if bot_database_in_data_dir(settings):
        remove_database(settings.default_database_path)
        return []
    return [f"База бота (DATABASE_URL) не в папке данных {settings.data_dir}: "
            "--fresh её не трогает."]


def bot_database_in_data_dir(settings: Settings) -> bool:
    return settings.database_url == f"sqlite://{settings.default_database_path}"


async def seed_demo(base_url: str, settings: Settings) -> str:
    """Make sure the demo world exists; return a Russian guide on how to act as each person."""
    async with aiohttp.ClientSession(base_url=base_url) as http:
        async with http.get("/sandbox/community") as response:
            community = await response.json()
        async with http.get("/sandbox/people") as response:
            by_phone = {p["phone"]: p for p in await response.json()}
        ids: dict[str, int] = {}
        for person in PEOPLE:
            if person.phone not in by_phone:
                body = {"name": person.name, "phone": person.phone, "vk": person.vk,
                        "note": person.description}
                async with http.post("/sandbox/people", json=body) as response:
                    response.raise_for_status()
                    by_phone[person.phone] = await response.json()
            ids[person.phone] = int(by_phone[person.phone]["id"])
    await _grant_demo_roles(ids)
    return _guide(base_url, int(community["id"]), ids, _where_data_is(settings))


async def _grant_demo_roles(ids: dict[str, int]) -> None:
    municipality = await find_or_create_municipality(MUNICIPALITY, REGION)
    for person in PEOPLE:
        if person.role is None:
            continue
        record, _ = await Person.get_or_create(
            phone=person.phone, defaults={"vk_id": ids[person.phone], "name": person.name}
        )
        await RoleGrant.get_or_create(person=record, role=person.role, municipality=municipality)


def _where_data_is(settings: Settings) -> str:
    if bot_database_in_data_dir(settings):
        return f"Данные бота и песочницы — в папке {settings.data_dir}."
    return f"Мир песочницы — в папке {settings.data_dir}, база бота — по DATABASE_URL."


def _guide(base_url: str, group_id: int, ids: dict[str, int], where_data_is: str) -> str:
    lines = [
        "",
        f"Песочница ВКонтакте запущена: {base_url}",
        f"Откройте {base_url}/ в браузере — там можно писать боту от имени любого человека.",
        f"{where_data_is} Ctrl-C — остановить.",
        "",
        "Демо-люди (написать боту от имени человека и прочитать ответ):",
    ]
    for person in PEOPLE:
        pid = ids[person.phone]
        lines.append(f"  • {person.name}, id {pid} — {person.description}")
        if person.vk:
            lines.append(
                f"      curl -s -X POST {base_url}/sandbox/people/{pid}/send "
                f"-H 'Content-Type: application/json' "
                f"-d '{{\"peer_id\": -{group_id}, \"text\": \"Начать\"}}'"
            )
            lines.append(f"      curl -s '{base_url}/sandbox/people/{pid}/messages?peer_id=-{group_id}'")
        else:
            lines.append(f"      curl -s '{base_url}/sandbox/sms?phone=%2B{person.phone[1:]}'")
    lines.append("")
    lines.append("Все запросы песочницы описаны в docs/sandbox.md.")
    return "\n".join(lines)
