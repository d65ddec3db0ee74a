"""The one gateway for every VK call.

`VkGateway.api` is a vkbottle `API` whose every request (including vkbottle's own, such as the
long-poll server lookup) passes through a shared rate limiter and a retry loop; the gateway's
methods add typed results on top. Only `api_url` tells VK and the sandbox apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import itertools
import json
import logging
import random
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from vkbottle import API, VKAPIError
from vkbottle.api.response_validator import JSONResponseValidator, VKAPIErrorResponseValidator
from vkbottle.http import AiohttpClient

from bot.services.core.ports import CHAT_PEER_OFFSET, MadeChat
from bot.vk.errors import (
    RETRYABLE_CODES,
    CannotMessageUser,
    ChatAccessDenied,
    ChatNotFound,
    VkError,
    VkPermanentError,
    VkUnavailable,
    error_for,
)
from bot.vk.rate_limit import Limiter, Priority

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_PEERS_PER_SEND = 100
MAX_EXECUTE_CALLS = 25  # API calls VK runs in one `execute` request
CHATS_PER_EXECUTE = 12  # createChat + getInviteLink each: 24 calls
REFUSED_UNRUN = frozenset({6, 9})  # VK refused the request before running any of it
CONVERSATIONS_PER_CALL = 100  # peer_ids of one messages.getConversationsById
PARALLEL_PIN_REQUESTS = 10
MAX_MESSAGE_LENGTH = 4096
DOWNLOAD_CHUNK = 64 * 1024

_priority: contextvars.ContextVar[Priority] = contextvars.ContextVar(
    "vk_priority", default=Priority.INTERACTIVE
)


@contextlib.contextmanager
def bulk_priority() -> Iterator[None]:
    """VK calls made inside yield to interactive ones (broadcasts, mass chat creation)."""
    token = _priority.set(Priority.BULK)
    try:
        yield
    finally:
        _priority.reset(token)


# Inside: a request is repeated only when VK refused it unrun (6, 9) — for calls VK does not
# de-duplicate (messages.createChat), whose lost answer must be looked up, not sent again.
_once_only: contextvars.ContextVar[bool] = contextvars.ContextVar("vk_once_only", default=False)


@contextlib.contextmanager
def _not_repeated() -> Iterator[None]:
    token = _once_only.set(True)
    try:
        yield
    finally:
        _once_only.reset(token)


_send_keys: contextvars.ContextVar[Iterator[str] | None] = contextvars.ContextVar(
    "vk_send_keys", default=None
)


@contextlib.contextmanager
def keyed_sends(key: str | None) -> Iterator[None]:
    """Messages sent inside without a `dedup_key` get one from `key` and their order, so doing
    the same work again (an update handled anew after a database failure) sends the same
    `random_id`s and VK drops what it already delivered."""
    if key is None:
        yield
        return
    token = _send_keys.set(f"{key}/{n}" for n in itertools.count())
    try:
        yield
    finally:
        _send_keys.reset(token)


def stable_random_id(key: str) -> int:
    """A deterministic `random_id` (1..2**31-1) for a logical message: a resend is a no-op."""
    value = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") & 0x7FFFFFFF
    return value or 1


def _fresh_random_id() -> int:
    return random.randint(1, 0x7FFFFFFF)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    short_delay: float = 0.25  # error 6: a slot frees up within a second
    base_delay: float = 0.5  # errors 1 and 10, network failures: exponential
    flood_delay: float = 5.0  # error 9: flood control wants a long pause
    max_delay: float = 30.0

    def delay(self, code: int | None, attempt: int) -> float:
        if code == 6:
            return self.short_delay * attempt
        base = self.flood_delay if code == 9 else self.base_delay
        return min(self.max_delay, base * 2 ** (attempt - 1))


@dataclass(frozen=True)
class PeerResult:
    peer_id: int
    message_id: int | None = None
    cmid: int | None = None
    error: VkError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Community:
    id: int
    screen_name: str
    name: str

    def deep_link(self, ref: str) -> str:
        return f"https://vk.me/{self.screen_name}?ref={ref}"


@dataclass(frozen=True)
class ChatInfo:
    peer_id: int
    title: str
    members_count: int
    state: str  # "in" | "kicked" | "left"
    admin_ids: tuple[int, ...]


class _ErrorValidator(VKAPIErrorResponseValidator):
    """vkbottle's error check, without its INFO line «API error(s) in response wasn't handled»
    for every per-peer error of `messages.send` to `peer_ids` (such as 901, the person has not
    allowed messages): `send_many` reads each peer's result itself (`_peer_results`)."""

    async def validate(self, method: str, data: dict[str, Any], response: Any, ctx_api: Any) -> Any:
        if isinstance(response, dict) and isinstance(response.get("response"), list):
            return response
        return await super().validate(method, data, response, ctx_api)


class _JSONValidator(JSONResponseValidator):
    """The body as JSON, or ValueError — never vkbottle's own resending of the request when
    the body is not JSON (a proxy's error page after VK ran it): the gateway's retry loop
    decides, and a chat creation is never sent twice behind its back."""

    async def validate(self, method: str, data: dict[str, Any], response: Any, ctx_api: Any) -> Any:
        if isinstance(response, dict):
            return response
        if isinstance(response, (str, bytes)):
            return json.loads(response)
        raise ValueError(f"VK answered {type(response).__name__}, not JSON")


class _GatewayAPI(API):
    """vkbottle's API with the gateway's limiter and retries around every request."""

    def __init__(self, token: str, gateway: VkGateway, http_client: AiohttpClient) -> None:
        super().__init__(token=token, http_client=http_client)
        self._gateway = gateway
        self.response_validators = [_JSONValidator(), _ErrorValidator()]

    async def request(
        self, method: str, data: dict[str, Any], version: str | None = None
    ) -> dict[str, Any]:
        return await self._gateway._request_with_retries(
            method, data, lambda: API.request(self, method, data, version)
        )


class VkGateway:
    def __init__(
        self,
        *,
        token: str,
        group_id: int,
        api_url: str,
        limiter: Limiter,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        execute: bool = True,
    ) -> None:
        self.group_id = group_id
        # Bulk work through `execute`: 25 messages.send of 100 peers, 12 chats with their
        # links, in one request each.
        self.execute = execute
        self.recipients_per_call = MAX_PEERS_PER_SEND * (MAX_EXECUTE_CALLS if execute else 1)
        self.chats_per_call = CHATS_PER_EXECUTE if execute else 1
        self.limiter = limiter
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self.http = AiohttpClient(timeout=aiohttp.ClientTimeout(total=120))
        self.api = _GatewayAPI(token, self, self.http)
        self.api.API_URL = api_url if api_url.endswith("/") else api_url + "/"
        self._community: Community | None = None

    async def close(self) -> None:
        await self.http.close()

    # -- the retry loop -----------------------------------------------------------------------

    async def _request_with_retries(
        self, method: str, data: dict[str, Any], attempt_once: Callable[[], Awaitable[Any]]
    ) -> Any:
        unrun_only = _once_only.get()
        last: VkError | None = None
        for attempt in range(1, self.retry.max_attempts + 1):
            try:
                async with self.limiter.slot(_priority.get()):
                    return await attempt_once()
            except VKAPIError as exc:
                code = int(getattr(exc, "code", 0) or 0)
                error = error_for(code, getattr(exc, "error_msg", str(exc)), method)
                if code not in RETRYABLE_CODES:
                    raise error from None
                if unrun_only and code not in REFUSED_UNRUN:
                    raise error from None  # it may have run: the caller finds out what it did
                last = error
            except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
                # ValueError: a body that is not JSON (a proxy's error page, a cut response).
                last = VkUnavailable(f"network: {exc!r}", method=method)
                if unrun_only:
                    raise last from None
            if attempt < self.retry.max_attempts:
                delay = self.retry.delay(last.code or None, attempt)
                log.info("VK %s failed (%s); retry %d in %.2fs", method, last, attempt, delay)
                await self._sleep(delay)
        assert last is not None
        raise VkUnavailable(last.message, code=last.code, method=method)

    async def call(self, method: str, **params: Any) -> Any:
        """A raw VK method call through limiter and retries; returns the `response` value."""
        data = {k: _encode(v) for k, v in params.items() if v is not None}
        return (await self.api.request(method, data))["response"]

    # -- the community ------------------------------------------------------------------------

    async def community(self) -> Community:
        if self._community is None:
            response = await self.call("groups.getById", group_id=self.group_id)
            groups = response["groups"] if isinstance(response, dict) else response
            group = groups[0]
            self._community = Community(
                id=int(group["id"]), screen_name=group["screen_name"], name=group["name"]
            )
        return self._community

    # -- messages -----------------------------------------------------------------------------

    async def send(
        self,
        peer_id: int,
        text: str = "",
        *,
        keyboard: str | None = None,
        attachments: Sequence[str] = (),
        dedup_key: str | None = None,
    ) -> PeerResult:
        """Send to one peer (a long text goes as several messages); raise a typed error on failure.

        The returned result carries the last part's ids (`cmid` is what edits messages in chats).
        """
        parts = split_text(text) or [""]
        result = PeerResult(peer_id)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            key = None if dedup_key is None else f"{dedup_key}#{index}"
            (result,) = await self.send_many(
                [peer_id],
                part,
                keyboard=keyboard if last else None,
                attachments=attachments if last else (),
                dedup_key=key,
            )
            if result.error is not None:
                raise result.error
        return result

    async def send_many(
        self,
        peer_ids: Sequence[int],
        text: str,
        *,
        keyboard: str | None = None,
        attachments: Sequence[str] = (),
        dedup_key: str | None = None,
    ) -> list[PeerResult]:
        """One text to many peers in `peer_ids` batches of ≤ 100, each peer's own result read.

        The `random_id` is the same for every batch, so VK drops a repeat to a peer that already
        got this message whatever batch it lands in.
        """
        keys = _send_keys.get()
        if dedup_key is None and keys is not None:
            dedup_key = next(keys)
        random_id = stable_random_id(dedup_key) if dedup_key else _fresh_random_id()
        params = {
            "message": text,
            "random_id": random_id,
            "keyboard": keyboard,
            "attachment": list(attachments) or None,
            "dont_parse_links": 0,
        }
        batches = [
            list(peer_ids[start : start + MAX_PEERS_PER_SEND])
            for start in range(0, len(peer_ids), MAX_PEERS_PER_SEND)
        ]
        results: list[PeerResult] = []
        if not self.execute or len(batches) == 1:
            for batch in batches:
                response = await self.call("messages.send", peer_ids=batch, **params)
                results.extend(_peer_results(batch, response))
            return results
        for start in range(0, len(batches), MAX_EXECUTE_CALLS):
            results.extend(
                await self._send_in_execute(batches[start : start + MAX_EXECUTE_CALLS], params)
            )
        return results

    async def _send_in_execute(
        self, batches: list[list[int]], params: dict[str, Any]
    ) -> list[PeerResult]:
        """Up to 25 `messages.send` (a batch of peers each) in one `execute`; a call that
        failed inside it is sent again on its own (the same `random_id`: VK drops repeats)."""
        common = {k: _encode(v) for k, v in params.items() if v is not None}
        lines = [f"var p = {json.dumps(common)};", "var r = [];"]
        for batch in batches:
            lines.append(f"p.peer_ids = {json.dumps(_encode(batch))}; r.push(API.messages.send(p));")
        lines.append("return r;")
        body = await self.api.request("execute", {"code": "\n".join(lines)})
        errors = iter(body.get("execute_errors") or [])
        results: list[PeerResult] = []
        for batch, response in zip(batches, body["response"], strict=True):
            if response is not False:
                results.extend(_peer_results(batch, response))
                continue
            error = _script_error(next(errors, {}), "messages.send")
            if not isinstance(error, VkUnavailable):
                results.extend(PeerResult(peer, error=error) for peer in batch)
                continue
            log.info("messages.send inside execute failed (%s); sent on its own", error)
            try:
                response = await self.call("messages.send", peer_ids=batch, **params)
            except VkError as exc:
                results.extend(PeerResult(peer, error=exc) for peer in batch)
            else:
                results.extend(_peer_results(batch, response))
        return results

    async def edit(
        self,
        peer_id: int,
        *,
        cmid: int,
        text: str,
        keyboard: str | None = None,
        attachments: Sequence[str] = (),
    ) -> None:
        await self.call(
            "messages.edit",
            peer_id=peer_id,
            conversation_message_id=cmid,
            message=text,
            keyboard=keyboard,
            attachment=list(attachments) or None,
        )

    async def answer_callback(
        self, event_id: str, user_id: int, peer_id: int, snackbar: str | None = None
    ) -> None:
        event_data = {"type": "show_snackbar", "text": snackbar} if snackbar else None
        await self.call(
            "messages.sendMessageEventAnswer",
            event_id=event_id,
            user_id=user_id,
            peer_id=peer_id,
            event_data=event_data,
        )

    # -- chats --------------------------------------------------------------------------------

    async def create_chat(self, title: str) -> int:
        """Create a chat owned by the community; VK answers a bare id or `{chat_id, peer_ids}`.

        VK does not de-duplicate createChat, so a request that may have run (a lost answer,
        error 1 or 10) is not repeated: it raises VkUnavailable, and the caller looks the chat
        up (`chats_created_after`) before creating it again."""
        with _not_repeated():
            response = await self.call("messages.createChat", title=title, group_id=self.group_id)
        return int(response["chat_id"] if isinstance(response, dict) else response)

    async def create_chats(self, titles: Sequence[str]) -> list[MadeChat]:
        """Chats and their invite links, `chats_per_call` to a request (with `execute`, a chat
        and its link in one script). A chat or link that failed inside a script is tried again
        on its own; a refusal is that chat's `error`. A chat whose `error` is VkUnavailable
        may or may not have been made (see `create_chat`): look it up before trying again.
        After the first such chat the rest are not tried (they get the same error)."""
        made: list[MadeChat] = []
        for start in range(0, len(titles), self.chats_per_call):
            group = titles[start : start + self.chats_per_call]
            try:
                if self.execute:
                    made.extend(await self._create_in_execute(group))
                else:
                    made.append(await self._link_for(await self._create_or_error(group[0])))
            except VkUnavailable as exc:
                made.extend(MadeChat(error=exc) for _ in group)
            last = made[-1]
            if isinstance(last.error, VkUnavailable) and last.chat_id is None:
                made.extend([MadeChat(error=last.error)] * (len(titles) - len(made)))
                return made
        return made

    async def _create_in_execute(self, titles: Sequence[str]) -> list[MadeChat]:
        lines = ["var r = []; var c; var l;"]
        for title in titles:
            create = json.dumps({"title": title, "group_id": self.group_id})
            lines.append(
                f"c = API.messages.createChat({create}); l = false; if (c) {{ if (c.chat_id) "
                f"{{ c = c.chat_id; }} l = API.messages.getInviteLink({{\"peer_id\": "
                f"{CHAT_PEER_OFFSET} + c, \"group_id\": {self.group_id}}}); }} r.push([c, l]);"
            )
        lines.append("return r;")
        with _not_repeated():
            body = await self.api.request("execute", {"code": "\n".join(lines)})
        errors = iter(body.get("execute_errors") or [])
        made: list[MadeChat] = []
        for title, (chat_id, link) in zip(titles, body["response"], strict=True):
            if chat_id is False:  # VK answered that call with an error: it was not made
                error = _script_error(next(errors, {}), "messages.createChat")
                log.info("createChat inside execute failed (%s); tried on its own", error)
                retry = isinstance(error, VkUnavailable)
                made.append(
                    await self._link_for(await self._create_or_error(title))
                    if retry else MadeChat(error=error)
                )
            elif link is False:
                error = _script_error(next(errors, {}), "messages.getInviteLink")
                chat = MadeChat(int(chat_id), error=error)
                made.append(await self._link_for(chat) if isinstance(error, VkUnavailable) else chat)
            else:
                made.append(MadeChat(int(chat_id), str(link["link"])))
        return made

    async def _create_or_error(self, title: str) -> MadeChat:
        try:
            return MadeChat(await self.create_chat(title))
        except VkError as exc:
            return MadeChat(error=exc)

    async def _link_for(self, chat: MadeChat) -> MadeChat:
        if chat.chat_id is None:
            return chat
        try:
            return MadeChat(chat.chat_id, await self.invite_link(CHAT_PEER_OFFSET + chat.chat_id))
        except VkError as exc:
            return MadeChat(chat.chat_id, error=exc)

    async def chats_created_after(self, chat_id: int) -> list[tuple[int, str]]:
        """(chat id, title) of the community's chats numbered above `chat_id` (VK numbers a
        community's chats 1, 2, 3…), read 100 ids a request until one finds none."""
        found: list[tuple[int, str]] = []
        start = chat_id + 1
        while True:
            peers = [CHAT_PEER_OFFSET + n for n in range(start, start + CONVERSATIONS_PER_CALL)]
            response = await self.call(
                "messages.getConversationsById", peer_ids=peers, group_id=self.group_id
            )
            items = response.get("items", [])
            for item in items:
                title = (item.get("chat_settings") or {}).get("title", "")
                found.append((int(item["peer"]["id"]) - CHAT_PEER_OFFSET, title))
            if not items:
                return sorted(found)
            start += CONVERSATIONS_PER_CALL

    async def invite_link(self, peer_id: int, *, reset: bool = False) -> str:
        response = await self.call(
            "messages.getInviteLink", peer_id=peer_id, reset=int(reset), group_id=self.group_id
        )
        return str(response["link"])

    async def chat_info(self, peer_id: int) -> ChatInfo | None:
        response = await self.call(
            "messages.getConversationsById", peer_ids=[peer_id], group_id=self.group_id
        )
        for item in response.get("items", []):
            settings = item.get("chat_settings") or {}
            return ChatInfo(
                peer_id=int(item["peer"]["id"]),
                title=settings.get("title", ""),
                members_count=int(settings.get("members_count", 0)),
                state=settings.get("state", "in"),
                admin_ids=tuple(int(i) for i in settings.get("admin_ids", [])),
            )
        return None

    async def members_count(self, peer_id: int) -> int | None:
        """People in the chat, the community itself not counted."""
        info = await self.chat_info(peer_id)
        if info is None:
            raise ChatNotFound("the chat is not visible to the community", method="getConversationsById")
        if info.state != "in":
            raise ChatAccessDenied(f"the community is {info.state} from the chat")
        return max(info.members_count - 1, 0)

    async def chat_state(self, peer_id: int) -> tuple[str | None, tuple[int, ...]]:
        """The community's state in the chat ("in", "kicked", "left"; None: no such chat)
        and the chat's admins (the community is among them as -group_id)."""
        info = await self.chat_info(peer_id)
        return (None, ()) if info is None else (info.state, info.admin_ids)

    async def members(self, peer_id: int) -> list[int]:
        members: list[int] = []
        while True:
            page = await self.call(
                "messages.getConversationMembers",
                peer_id=peer_id,
                offset=len(members),
                count=200,
                group_id=self.group_id,
            )
            items = page.get("items", [])
            members.extend(int(item["member_id"]) for item in items)
            if not items or len(members) >= int(page.get("count", 0)):
                return members

    async def remove_chat_user(self, chat_id: int, member_id: int) -> None:
        await self.call("messages.removeChatUser", chat_id=chat_id, member_id=member_id)

    async def pin_many(self, pins: Sequence[tuple[int, int]]) -> list[VkError | None]:
        """Pin (peer_id, cmid) messages, 25 to an `execute` request (up to 10 requests at
        once); each pin's error or None."""
        gate = asyncio.Semaphore(PARALLEL_PIN_REQUESTS)

        async def pin_25(part: Sequence[tuple[int, int]]) -> list[VkError | None]:
            calls = ",".join(
                "API.messages.pin("
                + json.dumps({"peer_id": peer_id, "conversation_message_id": cmid})
                + ")"
                for peer_id, cmid in part
            )
            async with gate:
                body = await self.api.request("execute", {"code": f"return [{calls}];"})
            errors = iter(body.get("execute_errors") or [])
            return [
                _script_error(next(errors, {}), "messages.pin") if result is False else None
                for result in body["response"]
            ]

        parts = await asyncio.gather(
            *(pin_25(pins[i : i + MAX_EXECUTE_CALLS]) for i in range(0, len(pins), MAX_EXECUTE_CALLS))
        )
        return [outcome for part in parts for outcome in part]

    # -- people -------------------------------------------------------------------------------

    async def user_names(self, user_ids: Sequence[int]) -> dict[int, str]:
        if not user_ids:
            return {}
        users = await self.call("users.get", user_ids=list(user_ids))
        return {int(u["id"]): f"{u.get('first_name', '')} {u.get('last_name', '')}".strip()
                for u in users}

    # -- files --------------------------------------------------------------------------------

    async def upload_document(self, peer_id: int, filename: str, content: bytes) -> str:
        server = await self.call("docs.getMessagesUploadServer", type="doc", peer_id=peer_id)
        form = aiohttp.FormData()
        form.add_field("file", content, filename=filename)
        uploaded = await self._upload(server["upload_url"], form)
        saved = await self.call("docs.save", file=uploaded["file"], title=filename)
        doc = saved["doc"]
        return f"doc{doc['owner_id']}_{doc['id']}"

    async def upload_photo(self, peer_id: int, filename: str, content: bytes) -> str:
        server = await self.call("photos.getMessagesUploadServer", peer_id=peer_id)
        form = aiohttp.FormData()
        form.add_field("photo", content, filename=filename)
        uploaded = await self._upload(server["upload_url"], form)
        (photo, *_) = await self.call(
            "photos.saveMessagesPhoto",
            photo=uploaded["photo"],
            server=uploaded["server"],
            hash=uploaded["hash"],
        )
        return f"photo{photo['owner_id']}_{photo['id']}"

    async def send_document(
        self, peer_id: int, text: str, filename: str, content: bytes, *, keyboard: str | None = None
    ) -> PeerResult:
        document = await self.upload_document(peer_id, filename, content)
        return await self.send(peer_id, text, keyboard=keyboard, attachments=[document])

    async def upload(self, peer_id: int, kind: str, filename: str, content: bytes) -> str:
        if kind == "photo":
            return await self.upload_photo(peer_id, filename, content)
        return await self.upload_document(peer_id, filename, content)

    async def set_chat_photo(self, chat_id: int, filename: str, content: bytes) -> None:
        server = await self.call("photos.getChatUploadServer", chat_id=chat_id)
        form = aiohttp.FormData()
        form.add_field("file", content, filename=filename)
        uploaded = await self._upload(server["upload_url"], form)
        await self.call("messages.setChatPhoto", file=uploaded["response"])

    async def _upload(self, url: str, form: aiohttp.FormData) -> dict[str, Any]:
        result = await self._over_network(
            "upload",
            # aiohttp takes FormData; vkbottle annotates `data` as a dict only
            lambda: self.http.request_json(url, method="POST", data=form),  # type: ignore[arg-type]
        )
        if "error" in result:
            raise VkPermanentError(f"upload refused: {result['error']}")
        return result

    async def download(self, url: str, *, max_bytes: int) -> bytes:
        """Fetch an attachment the person sent, whole; refuse files larger than `max_bytes`."""
        return await self._over_network("download", lambda: self._download_once(url, max_bytes))

    async def _download_once(self, url: str, max_bytes: int) -> bytes:
        """The body read to its end (`StreamReader.read(n)` gives only what has arrived so far),
        with the limit enforced while it streams: a file over it is refused as soon as its
        `Content-Length` or the bytes read so far say so, and the rest is never read."""
        async with self.http.request(url, method="GET") as response:
            if 400 <= response.status < 500:
                raise VkPermanentError(f"download refused: HTTP {response.status}")
            response.raise_for_status()
            if (response.content_length or 0) > max_bytes:
                raise FileTooLarge(response.content_length or 0)
            body = bytearray()
            async for chunk in response.content.iter_chunked(DOWNLOAD_CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise FileTooLarge(len(body))
            return bytes(body)

    async def _over_network(self, what: str, attempt_once: Callable[[], Awaitable[T]]) -> T:
        """An upload server or file request, retried on network failures (a cut body too)."""
        for attempt in range(1, self.retry.max_attempts + 1):
            try:
                return await attempt_once()
            except (TimeoutError, aiohttp.ClientError) as exc:
                if attempt == self.retry.max_attempts:
                    raise VkUnavailable(f"{what} failed: {exc!r}") from exc
                log.info("%s failed (%r); retry %d", what, exc, attempt)
                await self._sleep(self.retry.delay(None, attempt))
        raise AssertionError("unreachable")


class FileTooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(f"file of {size} bytes is too large")
        self.size = size


def split_text(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split a long text at paragraph, line or word boundaries into parts of ≤ `limit` chars."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = max(rest.rfind("\n\n", 0, limit), rest.rfind("\n", 0, limit), rest.rfind(" ", 0, limit))
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def _encode(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _script_error(error: dict[str, Any], method: str) -> VkError:
    """An `execute_errors` entry as the gateway's typed error."""
    code = int(error.get("error_code") or 1)
    return error_for(code, str(error.get("error_msg", "")), str(error.get("method", method)))


def _peer_results(batch: list[int], response: Any) -> list[PeerResult]:
    if not isinstance(response, list):  # a single peer answered with a bare message id
        return [PeerResult(batch[0], message_id=int(response))]
    by_peer = {int(item["peer_id"]): item for item in response if "peer_id" in item}
    results = []
    for peer_id in batch:
        item = by_peer.get(peer_id)
        if item is None:
            results.append(PeerResult(peer_id, error=VkUnavailable("no result for this peer")))
        elif "error" in item:
            err = item["error"]
            code = int(err.get("code", err.get("error_code", 0)))
            text = err.get("description", err.get("error_msg", ""))
            results.append(PeerResult(peer_id, error=error_for(code, text, "messages.send")))
        else:
            results.append(
                PeerResult(
                    peer_id,
                    message_id=item.get("message_id"),
                    cmid=item.get("conversation_message_id"),
                )
            )
    return results


__all__ = [
    "CHAT_PEER_OFFSET",
    "CannotMessageUser",
    "ChatInfo",
    "Community",
    "FileTooLarge",
    "PeerResult",
    "RetryPolicy",
    "VkGateway",
    "bulk_priority",
    "split_text",
    "stable_random_id",
]
