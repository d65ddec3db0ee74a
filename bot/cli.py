"""Command-line actions: `python main.py admin add --phone … --municipality … [--region …]`."""

from __future__ import annotations

from bot.app import build_gateway, build_services, build_sms
from bot.clock import SystemClock
from bot.config import Settings
from bot.runtime.context import Services
from bot.services.errors import DomainError
from bot.services.invitations import IssuedInvitation, Scope
from bot.services.phones import format_phone
from bot.services.tenants import ensure_region, find_or_create_municipality
from bot.vk.errors import VkError
from bot.vk.gateway import RetryPolicy
from storage.db import close_database, init_database
from storage.models import Role


async def invite_admin(
    services: Services, *, phone: str, municipality: str | None, region: str | None
) -> IssuedInvitation:
    """Invite a municipality admin (or, with only a region, a region admin) by SMS."""
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
    return await services.invitations.invite(phone=phone, role=role, scope=scope, invited_by=None)


async def add_admin(
    settings: Settings, *, phone: str, municipality: str | None, region: str | None
) -> int:
    """The `admin add` command: prints the outcome, returns the exit code."""
    await init_database(settings.database_url, busy_timeout=settings.sqlite_busy_timeout_seconds)
    gateway = build_gateway(settings, RetryPolicy(max_attempts=2))
    try:
        community = await gateway.community()
        services = build_services(settings, gateway, SystemClock(), build_sms(settings), community)
        issued = await invite_admin(
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
    who = format_phone(issued.person.phone or phone)
    if issued.invitation is None:
        print(f"{who} уже пользуется ботом: роль выдана сразу.")
    else:
        print(f"Приглашение отправлено по SMS на {who}.\nСсылка (одноразовая): {issued.link}")
    return 0
