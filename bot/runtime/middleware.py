"""Middlewares that inject the services and the acting person into every handler."""

from __future__ import annotations

from typing import Any

from vkbottle import BaseMiddleware
from vkbottle.tools.mini_types.bot import MessageMin

from bot.runtime.context import CallbackTurn, Replies, Services, Turn, held_state
from bot.runtime.payload import parse_payload
from bot.services.core.access import Actor, load_actor
from bot.services.core.ports import CHAT_PEER_OFFSET


class _Middleware(BaseMiddleware[Any]):
    """vkbottle would catch a failure of `pre()` and drop the update without a word; here it
    goes on to the error handler (and a database outage to the dispatcher, which retries)."""

    def catch_all(self, func: Any) -> Any:
        return func


def context_middlewares(
    services: Services, replies: Replies
) -> tuple[type[BaseMiddleware[MessageMin]], type[BaseMiddleware[dict[str, Any]]]]:
    """Middleware classes bound to this bot's services and answers (vkbottle instantiates them
    per event)."""

    class MessageContext(_Middleware):
        async def pre(self) -> None:
            message = self.event
            if message.peer_id >= CHAT_PEER_OFFSET:
                # Chat messages are many and their handlers act for nobody (they count, or
                # record joins and leaves): no query for the sender. This anonymous actor may
                # do nothing; a chat handler that ever needs the sender loads them itself.
                actor = Actor(vk_id=message.from_id)
            else:
                actor = await load_actor(message.from_id)
                message.state_peer = await held_state(services, actor, message.state_peer)
            self.send({"turn": Turn(services, replies, actor, message.peer_id, message.state_peer)})

    class CallbackContext(_Middleware):
        async def pre(self) -> None:
            if self.event.get("type") != "message_event":
                return
            obj = self.event.get("object") or {}
            user_id = int(obj.get("user_id", 0))
            actor = await load_actor(user_id)
            state = await held_state(services, actor, await services.states.get(user_id))
            turn = CallbackTurn(
                services,
                replies,
                actor,
                int(obj.get("peer_id", user_id)),
                state,
                event_id=str(obj.get("event_id", "")),
                cmid=obj.get("conversation_message_id"),
                payload=parse_payload(obj.get("payload")),
            )
            self.send({"turn": turn})

        async def post(self) -> None:
            turn = self.context_update.get("turn")
            if isinstance(turn, CallbackTurn) and not turn.answered:
                await turn.snackbar(None)  # stop the button's spinner

    return MessageContext, CallbackContext
