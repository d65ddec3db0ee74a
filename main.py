"""«Домовые чаты»: `python main.py` runs the bot; `python main.py admin add …` invites an admin.

Without VK_TOKEN the bot runs against the embedded sandbox (a local VK-compatible server) on
SQLite, with a demo region, municipality and people; with VK_TOKEN it runs against VK.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

from pydantic import SecretStr

from bot.app import BotApp
from bot.cli import add_admin, register_callback
from bot.clock import Clock
from bot.config import Settings, SettingsError, load_settings
from sandbox.config import SandboxConfig
from sandbox.demo import SANDBOX_FILE, fresh_start, seed_demo
from sandbox.server import Sandbox


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="main.py", description="Бот «Домовые чаты».")
    parser.add_argument(
        "--fresh", action="store_true", help="начать заново: стереть базу бота и песочницы"
    )
    commands = parser.add_subparsers(dest="command")
    admin = commands.add_parser("admin", help="администраторы")
    actions = admin.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="пригласить администратора по SMS")
    add.add_argument("--phone", required=True, help="телефон, например +79121234567")
    add.add_argument("--municipality", help="муниципалитет (администратор муниципалитета)")
    add.add_argument("--region", help="регион (администратор региона, или где создать МО)")
    callback = commands.add_parser("callback", help="Callback API")
    callback_actions = callback.add_subparsers(dest="action", required=True)
    register = callback_actions.add_parser(
        "register", help="один раз при развёртывании: адрес сервера, секрет, типы событий"
    )
    register.add_argument("--url", required=True, help="адрес балансировщика, например "
                          "https://bot.example.ru/vk/callback")
    return parser.parse_args(argv)


def sandbox_config(settings: Settings) -> SandboxConfig:
    return SandboxConfig(
        db_path=settings.data_dir / SANDBOX_FILE,
        host=settings.sandbox_host,
        port=settings.sandbox_port,
    )


def against_sandbox(settings: Settings, config: SandboxConfig, base_url: str) -> Settings:
    """The same settings, pointed at a sandbox: only URLs and credentials change."""
    return settings.model_copy(
        update={
            "vk_token": SecretStr(config.token),
            "vk_group_id": config.group_id,
            "vk_api_url": f"{base_url}/method/",
            "sms_outbox_url": f"{base_url}/sandbox/sms",
        }
    )


async def serve(settings: Settings, *, fresh: bool, clock: Clock | None = None) -> int:
    """Run until Ctrl-C / SIGTERM (exit code 0) or until a loop of the bot gives up (1)."""
    stop = asyncio.Event()  # set from the very start: a stop request during start-up counts
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    sandbox = None
    if settings.sandbox_mode:
        if fresh:
            for note in fresh_start(settings):
                print(note, file=sys.stderr)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        sandbox = Sandbox(sandbox_config(settings))
        await sandbox.start()
        settings = against_sandbox(settings, sandbox.config, sandbox.base_url)
    app = BotApp(settings, clock=clock)
    await app.start()
    try:
        if sandbox is not None:
            print(await seed_demo(sandbox.base_url, settings), flush=True)
        else:
            print(f"Бот запущен для сообщества «{app.community.name}». Ctrl-C — остановить.")
        waits = {asyncio.create_task(stop.wait()), asyncio.create_task(app.failed.wait())}
        _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
    finally:
        if app.failure is not None:
            print(f"Бот остановлен из-за сбоя ({app.failure}).", file=sys.stderr)
        print("Останавливаюсь…", flush=True)
        await app.stop()
        if sandbox is not None:
            await sandbox.stop()
    return 1 if app.failure is not None else 0


PRODUCT_LOGGERS = ("bot", "storage", "sandbox", "__main__")


def configure_logging(settings: Settings) -> None:
    """The product's lines at LOG_LEVEL; libraries (APScheduler, vkbottle, tortoise…) only at
    LIBRARY_LOG_LEVEL (WARNING by default), all in one format."""
    logging.basicConfig(
        level=settings.library_log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for name in PRODUCT_LOGGERS:
        logging.getLogger(name).setLevel(settings.log_level)
    logging.getLogger("vkbottle").handlers.clear()  # its own handler would print lines twice


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging(settings)
    if args.command == "admin":
        if settings.sandbox_mode:
            config = sandbox_config(settings)
            settings = against_sandbox(settings, config, f"http://{config.host}:{config.port}")
        return asyncio.run(
            add_admin(settings, phone=args.phone, municipality=args.municipality,
                      region=args.region)
        )
    if args.command == "callback":
        if settings.sandbox_mode:
            print("Callback API настраивается для сообщества ВКонтакте: укажите VK_TOKEN.",
                  file=sys.stderr)
            return 2
        return asyncio.run(register_callback(settings, url=args.url))
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(serve(settings, fresh=args.fresh))
    return 0


if __name__ == "__main__":
    sys.exit(main())
