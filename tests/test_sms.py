"""SMS gateways: SMS.ru's answers and failures played by aioresponses (a mock of the outside
service), the request's wire format, real timeouts and the sandbox outbox against local servers."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from aioresponses import aioresponses
from yarl import URL

from bot.sms import (
    OutboxSms,
    SmsError,
    SmsRejected,
    SmsRuGateway,
    SmsTemporaryError,
    build_sms_gateway,
)

API_ID = "SECRET-API-ID-0000"
PHONE = "+79121234567"
NUMBER = "79121234567"
TEXT = "Домовые чаты: вас пригласили. Откройте ссылку: https://vk.me/x"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    json: object = None
    text: str = ""
    hang: bool = False  # hold the request until the test ends

    def response(self) -> web.Response:
        if self.json is not None:
            return web.json_response(self.json, status=self.status)
        return web.Response(text=self.text, status=self.status)


HANG = Reply(hang=True)


def ok(number: str = NUMBER) -> dict[str, Any]:
    return {
        "status": "OK",
        "status_code": 100,
        "sms": {number: {"status": "OK", "status_code": 100, "sms_id": "000000-10000000"}},
        "balance": 4122.56,
    }


def number_error(code: int, text: str = "") -> dict[str, Any]:
    entry = {"status": "ERROR", "status_code": code, "status_text": text}
    return {"status": "OK", "status_code": 100, "sms": {NUMBER: entry}, "balance": 10}


def top_error(code: int, text: str = "") -> dict[str, Any]:
    return {"status": "ERROR", "status_code": code, "status_text": text}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    form: dict[str, str]
    raw: bytes


@dataclass
class FakeServer:
    """Records every request and answers with the queued replies (the last one repeats)."""

    replies: list[Reply] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""

    def answer(self, *replies: Reply) -> None:
        self.replies = list(replies)

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        form = {key: str(value) for key, value in (await request.post()).items()}
        self.requests.append(Request(request.method, request.path, form, raw))
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if reply.hang:
            await self.release.wait()
        return reply.response()


@pytest.fixture
async def server() -> AsyncIterator[FakeServer]:
    fake = FakeServer()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.handle)
    test_server = TestServer(app)
    await test_server.start_server()
    fake.url = str(test_server.make_url("")).rstrip("/")
    try:
        yield fake
    finally:
        fake.release.set()
        await test_server.close()


def smsru(server: FakeServer, **kwargs: Any) -> SmsRuGateway:
    kwargs.setdefault("retry_delay", 0)
    return SmsRuGateway(API_ID, base_url=server.url, **kwargs)


# -- SMS.ru: the request --------------------------------------------------------------------


async def test_request_is_a_utf8_form_post_to_sms_send(server: FakeServer) -> None:
    server.answer(Reply(json=ok()))

    await smsru(server).send(PHONE, TEXT)

    [request] = server.requests
    assert (request.method, request.path) == ("POST", "/sms/send")
    assert request.form == {"api_id": API_ID, "to": NUMBER, "msg": TEXT, "json": "1"}
    assert quote("Домовые").encode() in request.raw  # percent-encoded UTF-8


async def test_sender_goes_as_from(server: FakeServer) -> None:
    server.answer(Reply(json=ok()))

    await smsru(server, sender="MyTown").send(PHONE, TEXT)

    assert server.requests[0].form["from"] == "MyTown"


# -- SMS.ru: answers (SMS.ru itself mocked: aioresponses plays its answers and failures) -----

SEND_URL = "https://sms.ru/sms/send"


@pytest.fixture
def sms_ru() -> Iterator[aioresponses]:
    """SMS.ru at its real address, answering what each test queues; nothing leaves the machine."""
    with aioresponses() as mocked:
        yield mocked


def gateway(**kwargs: Any) -> SmsRuGateway:
    kwargs.setdefault("retry_delay", 0)
    return SmsRuGateway(API_ID, **kwargs)


def posts(mocked: aioresponses) -> list[dict[str, str]]:
    """The forms posted to SMS.ru, in order."""
    return [dict(call.kwargs["data"]) for call in mocked.requests.get(("POST", URL(SEND_URL)), [])]


async def test_success_sends_once(sms_ru: aioresponses) -> None:
    sms_ru.post(SEND_URL, payload=ok())

    await gateway().send(PHONE, TEXT)

    assert posts(sms_ru) == [{"api_id": API_ID, "to": NUMBER, "msg": TEXT, "json": "1"}]


async def test_status_codes_as_strings_are_understood(sms_ru: aioresponses) -> None:
    answer = ok()
    answer["status_code"] = "100"
    answer["sms"][NUMBER]["status_code"] = "100"
    refused = number_error(202)
    refused["sms"][NUMBER]["status_code"] = "202"
    sms_ru.post(SEND_URL, payload=answer)
    sms_ru.post(SEND_URL, payload=refused)

    assert await gateway().send(PHONE, TEXT) is None  # "100" is success: sent, not retried
    assert len(posts(sms_ru)) == 1
    with pytest.raises(SmsRejected) as caught:  # "202" is the number's refusal, read as 202
        await gateway().send(PHONE, TEXT)
    assert caught.value.code == 202
    assert len(posts(sms_ru)) == 2


@pytest.mark.parametrize(
    ("answer", "error", "code", "description"),
    [
        (top_error(200, "Неправильный api_id"), SmsRejected, 200, "неверный ключ API SMS-сервиса"),
        (top_error(201), SmsRejected, 201, "на счёте SMS-сервиса закончились деньги"),
        (top_error(204), SmsRejected, 204, "имя отправителя не согласовано в SMS-сервисе"),
        (top_error(206), SmsRejected, 206, "превышен дневной лимит отправки SMS"),
        (top_error(203), SmsRejected, 203, "пустой текст сообщения"),
        (top_error(205), SmsRejected, 205, "сообщение слишком длинное"),
        (top_error(220), SmsTemporaryError, 220, "SMS-сервис временно недоступен"),
        (top_error(500), SmsTemporaryError, 500, "сбой на стороне SMS-сервиса"),
        (number_error(202), SmsRejected, 202, "неверный номер получателя"),
        (number_error(207), SmsRejected, 207, "на этот номер нельзя отправить SMS"),
        (number_error(231), SmsRejected, 231, "превышен лимит сообщений на этот номер"),
        (number_error(999), SmsRejected, 999, "SMS-сервис отказался отправить сообщение"),
    ],
)
async def test_provider_errors_are_mapped(
    sms_ru: aioresponses, answer: dict[str, Any], error: type[SmsError], code: int, description: str
) -> None:
    sms_ru.post(SEND_URL, payload=answer)

    with pytest.raises(error) as caught:
        await gateway(retries=0).send(PHONE, TEXT)

    assert (caught.value.code, caught.value.description) == (code, description)
    assert API_ID not in str(caught.value)


async def test_provider_text_is_kept_in_the_message(sms_ru: aioresponses) -> None:
    sms_ru.post(SEND_URL, payload=number_error(202, "Неправильно указан номер"), repeat=True)

    with pytest.raises(SmsRejected, match=r"неверный номер получателя \(код 202\): Неправильно"):
        await gateway().send(PHONE, TEXT)

    assert len(posts(sms_ru)) == 1  # permanent: not retried


async def test_lone_entry_under_another_key_is_used(sms_ru: aioresponses) -> None:
    answer = number_error(207)
    answer["sms"] = {PHONE: answer["sms"][NUMBER]}
    sms_ru.post(SEND_URL, payload=answer)

    with pytest.raises(SmsRejected) as caught:
        await gateway().send(PHONE, TEXT)

    assert caught.value.code == 207


async def test_http_500_is_temporary(sms_ru: aioresponses) -> None:
    sms_ru.post(SEND_URL, status=500, body="Internal Server Error", content_type="text/plain")

    with pytest.raises(SmsTemporaryError, match="HTTP 500"):
        await gateway(retries=0).send(PHONE, TEXT)


@pytest.mark.parametrize(
    "body",
    ["<html><body>" + "Ошибка шлюза " * 40 + "</body></html>", "100\n000000-10000000\nbalance=1"],
)
async def test_non_json_body_is_temporary_and_quoted(sms_ru: aioresponses, body: str) -> None:
    sms_ru.post(SEND_URL, body=body, content_type="text/html")

    with pytest.raises(SmsTemporaryError) as caught:
        await gateway(retries=0).send(PHONE, TEXT)

    assert caught.value.detail == body[:200]
    assert caught.value.description == "SMS-сервис ответил непонятно"


@pytest.mark.parametrize(
    "answer",
    [
        [1, 2],
        {"status": "OK"},
        {"status": "OK", "status_code": 100},
        {"status": "OK", "status_code": 100, "sms": {}},
    ],
)
async def test_unexpected_json_is_temporary(sms_ru: aioresponses, answer: object) -> None:
    sms_ru.post(SEND_URL, body=json.dumps(answer))

    with pytest.raises(SmsTemporaryError, match="ответил непонятно"):
        await gateway(retries=0).send(PHONE, TEXT)


@pytest.mark.parametrize(
    "failure", [asyncio.TimeoutError(), aiohttp.ServerDisconnectedError(), aiohttp.ClientOSError()]
)
async def test_network_failures_are_temporary(sms_ru: aioresponses, failure: Exception) -> None:
    sms_ru.post(SEND_URL, exception=failure)

    with pytest.raises(SmsTemporaryError, match="SMS-сервис недоступен") as caught:
        await gateway(retries=0).send(PHONE, TEXT)

    assert API_ID not in str(caught.value)


async def test_server_that_never_answers_times_out(server: FakeServer) -> None:
    """A real server that holds the request: the configured timeout ends the wait."""
    server.answer(HANG)

    started = asyncio.get_running_loop().time()
    with pytest.raises(SmsTemporaryError, match="SMS-сервис недоступен"):
        await smsru(server, timeout=0.2, retries=0).send(PHONE, TEXT)

    assert asyncio.get_running_loop().time() - started < 2


async def test_unreachable_server_is_temporary() -> None:
    gateway = SmsRuGateway(API_ID, base_url=await closed_port_url(), retries=0)

    with pytest.raises(SmsTemporaryError) as caught:
        await gateway.send(PHONE, TEXT)

    assert API_ID not in str(caught.value)


# -- SMS.ru: retries ------------------------------------------------------------------------


async def test_temporary_error_is_retried_once(
    sms_ru: aioresponses, caplog: pytest.LogCaptureFixture
) -> None:
    sms_ru.post(SEND_URL, status=503, body="Service Unavailable", content_type="text/plain")
    sms_ru.post(SEND_URL, payload=ok())

    with caplog.at_level(logging.WARNING, logger="bot.sms"):
        await gateway().send(PHONE, TEXT)

    assert len(posts(sms_ru)) == 2
    assert "retrying" in caplog.text
    assert API_ID not in caplog.text


async def test_retry_gives_up_after_the_configured_count(sms_ru: aioresponses) -> None:
    sms_ru.post(SEND_URL, payload=top_error(220), repeat=True)

    with pytest.raises(SmsTemporaryError):
        await gateway(retries=2).send(PHONE, TEXT)

    assert len(posts(sms_ru)) == 3


async def test_timeout_is_retried_too(sms_ru: aioresponses) -> None:
    sms_ru.post(SEND_URL, exception=asyncio.TimeoutError())
    sms_ru.post(SEND_URL, payload=ok())

    await gateway().send(PHONE, TEXT)

    assert len(posts(sms_ru)) == 2


# -- the sandbox outbox ---------------------------------------------------------------------


async def test_outbox_posts_phone_text_and_sender(server: FakeServer) -> None:
    server.answer(Reply(json={"id": 1}, status=201))

    await OutboxSms(f"{server.url}/sandbox/sms", sender="MyTown").send(PHONE, TEXT)

    [request] = server.requests
    assert (request.method, request.path) == ("POST", "/sandbox/sms")
    assert json.loads(request.raw) == {"phone": PHONE, "text": TEXT, "sender": "MyTown"}


@pytest.mark.parametrize(("status", "error"), [(500, SmsTemporaryError), (400, SmsRejected)])
async def test_outbox_errors(server: FakeServer, status: int, error: type[SmsError]) -> None:
    server.answer(Reply(json={"error": "no"}, status=status))

    with pytest.raises(error, match=f"HTTP {status}"):
        await OutboxSms(f"{server.url}/sandbox/sms").send(PHONE, TEXT)


async def test_outbox_unreachable_is_temporary() -> None:
    with pytest.raises(SmsTemporaryError):
        await OutboxSms(await closed_port_url()).send(PHONE, TEXT)


# -- build_sms_gateway ----------------------------------------------------------------------


def test_build_sandbox() -> None:
    gateway = build_sms_gateway("sandbox", outbox_url="http://x/sms", api_key=None, sender="T")

    assert isinstance(gateway, OutboxSms)
    assert (gateway.url, gateway.sender) == ("http://x/sms", "T")


def test_build_sandbox_default_sender() -> None:
    gateway = build_sms_gateway("sandbox", outbox_url="http://x/sms", api_key=None, sender=None)

    assert isinstance(gateway, OutboxSms) and gateway.sender == "DomChat"


def test_build_smsru() -> None:
    gateway = build_sms_gateway("smsru", outbox_url="", api_key=API_ID, sender=None)

    assert isinstance(gateway, SmsRuGateway)


@pytest.mark.parametrize("key", [None, ""])
def test_build_smsru_needs_a_key(key: str | None) -> None:
    with pytest.raises(ValueError, match="API key"):
        build_sms_gateway("smsru", outbox_url="", api_key=key, sender=None)


def test_build_unknown_provider() -> None:
    with pytest.raises(ValueError, match="unknown SMS provider"):
        build_sms_gateway("twilio", outbox_url="", api_key="k", sender=None)


async def closed_port_url() -> str:
    """An address on loopback where nothing listens (a port just freed)."""
    test_server = TestServer(web.Application())
    await test_server.start_server()
    url = str(test_server.make_url("/sms"))
    await test_server.close()
    return url
