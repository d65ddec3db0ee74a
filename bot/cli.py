"""Command-line actions: `python main.py admin add --phone … --municipality … [--region …]`."""

from __future__ import annotations

from bot.app import build_gateway, build_services, build_sms
from bot.clock import SystemClock
from bot.config import Settings
from bot.runtime.callback import EVENT_TYPES, register_server
from bot.runtime.context import Services
from bot.services.core.errors import DomainError
from bot.services.core.phones import format_phone, normalize_phone
from bot.services.core.tenants import ensure_region, find_or_create_municipality
from bot.services.staff.invitations import Delivery, Scope
from bot.vk.errors import VkError
from bot.vk.gateway import RetryPolicy
from storage.db import close_database, init_database
from storage.models import Role


async def invite_admin(
    services: Services, *, phone: str, municipality: str | None, region: str | None
) -> Delivery:
    """Invite a municipality admin (or, with only a region, a region admin). Whoever opens the
    invitation gets a code texted to the phone: only its owner can become the admin."""
    if municipality:
        scope = Scope(municipality=await find_or_create_municipality(municipality, region))
        role = Role.MUNICIPALITY_ADMIN
    elif region:
        scope = Scope(region=await ensure_region(region))
        role = Role.REGION_ADMIN
    else:
        raise DomainError(
            "Укажите --municipality (администратор муниципалитета) или --region "
            "(администратор региона)."
        )
    return await services.staff.invite_admin(phone, role, scope)


async def add_admin(
    settings: Settings, *, phone: str, municipality: str | None, region: str | None
) -> int:
    """The `admin add` command: prints the outcome, returns the exit code."""
    await init_database(settings.database_url, busy_timeout=settings.sqlite_busy_timeout_seconds)
    gateway = build_gateway(settings, RetryPolicy(max_attempts=2))
    try:
        community = await gateway.community()
        services = build_services(settings, gateway, SystemClock(), build_sms(settings), community)
        delivery = await invite_admin(
            services, phone=phone, municipality=municipality, region=region
        )
    except DomainError as exc:
        print(exc)
        return 1
    except VkError as exc:
        print(f"ВКонтакте недоступен ({exc}). Если это песочница, сначала запустите бота: "
              "python3 dev.py start")
        return 1
    finally:
        await gateway.close()
        await close_database()
    who = format_phone(normalize_phone(phone))
    if delivery is Delivery.NONE:
        print(f"Не удалось отправить приглашение на {who}: SMS не ушло. Повторите позже.")
        return 1
    print(
        f"Приглашение отправлено на {who}. Открыв его, человек получит SMS с кодом "
        "на этот номер — и станет администратором, когда пришлёт код боту."
    )
    return 0


async def register_callback(settings: Settings, *, url: str) -> int:
    """The `callback register --url …` command (once at deploy): the community's Callback API
    server at `url` with CALLBACK_SECRET and the bot's event types on."""
    if settings.callback_secret is None:
        print("Укажите CALLBACK_SECRET (до 50 латинских букв и цифр) — тот же, что у процессов бота.")
        return 2
    await init_database(settings.database_url, busy_timeout=settings.sqlite_busy_timeout_seconds)
    gateway = build_gateway(settings, RetryPolicy(max_attempts=3))  # within the shared limit
    try:
        server_id, done = await register_server(
            gateway, url=url, secret=settings.callback_secret.get_secret_value()
        )
    except VkError as exc:
        print(f"ВКонтакте не принял сервер ({exc}).")
        return 1
    finally:
        await gateway.close()
        await close_database()
    outcome = {"added": "добавлен", "secret changed": "секрет обновлён", "kept": "уже настроен"}
    print(f"Сервер Callback API №{server_id} ({url}): {outcome[done]}; события: "
          f"{', '.join(EVENT_TYPES)}.")
    return 0
