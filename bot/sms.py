"""SMS: one interface; the implementation is chosen by configuration.

Errors: `SmsRejected` when retrying cannot help (bad number, key, sender or text, no money, a
limit for the day); `SmsTemporaryError` when it may (network, timeout, provider overloaded or
answering nonsense). Both carry the provider's `code` (if any) and a short Russian
`description` fit to show staff.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Protocol

import aiohttp

log = logging.getLogger(__name__)

DEFAULT_SENDER = "DomChat"


class SmsError(Exception):
    def __init__(self, description: str, *, code: int | None = None, detail: str = "") -> None:
        self.description = description
        self.code = code
        self.detail = detail
        message = description if code is None else f"{description} (код {code})"
        super().__init__(f"{message}: {detail}" if detail else message)


class SmsRejected(SmsError):
    """The message was refused; sending it again unchanged cannot help."""


class SmsTemporaryError(SmsError):
    """The provider was unreachable, overloaded or answered nonsense; a later attempt may pass."""


class SmsGateway(Protocol):
    async def send(self, phone: str, text: str) -> None: ...


class OutboxSms:
    """Posts SMS to an outbox over HTTP (the sandbox's `/sandbox/sms`): nothing is really sent."""

    def __init__(self, url: str, sender: str = DEFAULT_SENDER, timeout: float = 10.0) -> None:
        self.url = url
        self.sender = sender
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def send(self, phone: str, text: str) -> None:
        payload = {"phone": phone, "text": text, "sender": self.sender}
        try:
            async with (
                aiohttp.ClientSession(timeout=self.timeout) as session,
                session.post(self.url, json=payload) as response,
            ):
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SmsTemporaryError("SMS-ящик недоступен", detail=repr(exc)) from exc
        if status >= 500:
            raise SmsTemporaryError("SMS-ящик временно недоступен", detail=f"HTTP {status}")
        if status >= 400:
            raise SmsRejected("SMS-ящик отклонил сообщение", detail=f"HTTP {status}")


SMSRU_OK = 100

# Short descriptions for staff. Codes not listed here are reported as a generic refusal.
SMSRU_ERRORS: dict[int, str] = {
    200: "неверный ключ API SMS-сервиса",
    201: "на счёте SMS-сервиса закончились деньги",
    202: "неверный номер получателя",
    203: "пустой текст сообщения",
    204: "имя отправителя не согласовано в SMS-сервисе",
    205: "сообщение слишком длинное",
    206: "превышен дневной лимит отправки SMS",
    207: "на этот номер нельзя отправить SMS",
    209: "номер в стоп-листе",
    212: "текст сообщения не в кодировке UTF-8",
    214: "номер не российский, а отправка за рубеж отключена",
    215: "номер в стоп-листе SMS-сервиса",
    216: "SMS-сервис запретил текст сообщения",
    217: "SMS-сервис запретил текст сообщения",
    220: "SMS-сервис временно недоступен",
    221: "нужно буквенное имя отправителя, согласованное в SMS-сервисе",
    230: "превышен лимит сообщений на этот номер",
    231: "превышен лимит сообщений на этот номер",
    232: "превышен лимит сообщений на этот номер",
    233: "превышен лимит сообщений на этот номер",
    300: "неверный ключ API SMS-сервиса",
    301: "неверный ключ API SMS-сервиса",
    302: "аккаунт SMS-сервиса не подтверждён",
    500: "сбой на стороне SMS-сервиса",
}
SMSRU_TEMPORARY = frozenset({220, 500})


class SmsRuGateway:
    """Sends SMS through SMS.ru (`POST {base_url}/sms/send`, JSON answer)."""

    # Sources:
    # - SMS.ru, «Отправить СМС сообщение HTTP запросом», https://sms.ru/api/send (copies at
    #   tele2.sms.ru/api/send, beeline.sms.ru/api/send): parameters api_id, to, msg, json=1,
    #   from; numbers written as digits ("79255070602"); the JSON answer: top-level
    #   status/status_code, then `sms` → {number: {status, status_code, sms_id | status_text}}.
    # - matrizaev/smsru, SPEC.md (a client spec written from an export of the SMS.ru docs):
    #   POST form-encoded (210 = GET used where POST is needed), UTF-8 text (212), status_text
    #   optional, and the full code list: 200 api_id, 201 money, 202 number, 203 no text,
    #   204 sender, 205 too long, 206 daily limit, 207 no route, 209/215 stop-lists, 214 abroad,
    #   216/217 forbidden text, 220 temporarily unavailable, 221 letter sender needed,
    #   230-233 per-number limits, 300-302 auth, 500 server error, retry.
    # - Older code tables in public clients (npm libsmsru by xinit.ru; several PHP/JS clients):
    #   202 «Неправильно указан получатель», 207 «нельзя отправлять … либо более 100 номеров»,
    #   and no codes 213-219, 221-233.
    # - pastebin.com/rdTddG26: a real `sms/send … json=1` answer (status_code as JSON numbers).
    # Where they disagree: the SPEC says "+7…" is accepted too while the docs show digits only,
    # so digits are sent; the wordings of 202/207 differ but both mean a number that cannot
    # receive SMS (permanent); some clients use GET while the SPEC demands POST, so POST is
    # used (it also keeps api_id out of URLs, hence out of error messages and logs);
    # status_code is read from a JSON number or a numeric string.

    def __init__(
        self,
        api_id: str,
        sender: str | None = None,
        base_url: str = "https://sms.ru",
        timeout: float = 10.0,
        *,
        retries: int = 1,
        retry_delay: float = 1.0,
    ) -> None:
        self._api_id = api_id
        self._sender = sender
        self._url = f"{base_url.rstrip('/')}/sms/send"
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._retries = retries
        self._retry_delay = retry_delay

    async def send(self, phone: str, text: str) -> None:
        number = phone.removeprefix("+")
        form = {"api_id": self._api_id, "to": number, "msg": text, "json": "1"}
        if self._sender:
            form["from"] = self._sender
        async with aiohttp.ClientSession(timeout=self._timeout) as session:
            for attempt in range(self._retries + 1):
                try:
                    await self._send_once(session, form, number)
                    return
                except SmsTemporaryError as exc:
                    if attempt == self._retries:
                        raise
                    delay = self._retry_delay * 2**attempt
                    log.warning("SMS.ru: %s; retrying in %.1f s", exc, delay)
                    await asyncio.sleep(delay)

    async def _send_once(
        self, session: aiohttp.ClientSession, form: dict[str, str], number: str
    ) -> None:
        try:
            async with session.post(self._url, data=form) as response:
                status = response.status
                body = (await response.read()).decode("utf-8", errors="replace")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SmsTemporaryError("SMS-сервис недоступен", detail=repr(exc)) from exc
        if status >= 500:
            raise SmsTemporaryError(
                "SMS-сервис временно недоступен", detail=f"HTTP {status}: {body[:200]}"
            )
        try:
            answer = json.loads(body)
        except ValueError:
            raise _unexpected(body) from None
        _check(answer, body)
        sms = answer.get("sms")
        if not isinstance(sms, dict):
            raise _unexpected(body)
        # The entry is keyed by the number as sent; accept a lone entry keyed otherwise.
        entry = sms.get(number) or (next(iter(sms.values())) if len(sms) == 1 else None)
        _check(entry, body)


def _check(part: object, body: str) -> None:
    """Raise unless this part of the answer (top level or one number's entry) is OK / 100."""
    if not isinstance(part, dict):
        raise _unexpected(body)
    code = part.get("status_code")
    if isinstance(code, str) and code.isdigit():
        code = int(code)
    if not isinstance(code, int):
        raise _unexpected(body)
    if code != SMSRU_OK:
        error = SmsTemporaryError if code in SMSRU_TEMPORARY else SmsRejected
        description = SMSRU_ERRORS.get(code, "SMS-сервис отказался отправить сообщение")
        raise error(description, code=code, detail=str(part.get("status_text") or ""))
    if part.get("status") != "OK":
        raise _unexpected(body)


def _unexpected(body: str) -> SmsTemporaryError:
    return SmsTemporaryError("SMS-сервис ответил непонятно", detail=body[:200])


def build_sms_gateway(
    provider: str, *, outbox_url: str, api_key: str | None, sender: str | None
) -> SmsGateway:
    """Pick the gateway: "sandbox" → the outbox (nothing really sent), "smsru" → SMS.ru."""
    if provider == "sandbox":
        return OutboxSms(outbox_url, sender=sender or DEFAULT_SENDER)
    if provider == "smsru":
        if not api_key:
            raise ValueError("SMS provider 'smsru' needs an API key (api_id from sms.ru)")
        return SmsRuGateway(api_key, sender=sender)
    raise ValueError(f"unknown SMS provider {provider!r}: expected 'sandbox' or 'smsru'")
