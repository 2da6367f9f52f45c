"""The Telegram channel: Bot API ``sendMessage`` (HTML), replies in the incident's thread, ``editMessageText``
of the incident's first message on resolution; every failure becomes a token-free ``ChannelError``.
"""

from __future__ import annotations

import html
import os
import re
from typing import Any

import httpx

from channels import Channel, ChannelError, bounded_retry_after
from logsetup import mask, register_secret
from render import RenderedMessage

DEFAULT_API_BASE = "https://api.telegram.org"
MAX_CHARS = 4096
TAG = re.compile(r"<[^>]*>")


def visible_length(text: str) -> int:
    """Characters Telegram counts for an HTML message: tags removed, entities decoded."""
    return len(html.unescape(TAG.sub("", text)))


def plain_text(text: str) -> str:
    """The HTML message as plain text (tags dropped, entities decoded) for the parse-error fallback."""
    return html.unescape(TAG.sub("", text))


class TelegramChannel(Channel):
    kind = "telegram"
    markup = "telegram"
    max_chars = MAX_CHARS
    can_thread = True
    can_edit = True

    def __init__(self, config, bot, *, http: httpx.Client | None = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(config, bot)
        env_name = str(config.option("token_env") or "TELEGRAM_BOT_TOKEN")
        token = os.environ.get(env_name, "").strip()
        if not token:
            raise ChannelError(f"telegram channel \"{config.id}\" needs {env_name} in the environment")
        chat = config.option("chat")
        if chat is None or str(chat).strip() == "":
            raise ChannelError(f"telegram channel \"{config.id}\" needs chat = <chat id or @channelname>")
        self._token = token
        register_secret(token)
        self.chat: int | str = chat if isinstance(chat, int) else str(chat).strip()
        if isinstance(self.chat, str) and re.fullmatch(r"-?\d+", self.chat):
            self.chat = int(self.chat)
        self.thread_id = config.option("message_thread_id")
        self.api_base = str(config.option("api_base") or DEFAULT_API_BASE).rstrip("/")
        timeout = float(config.option("timeout", 15.0))
        self._http = http or httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)))
        self.plain_fallback = bool(config.option("plain_fallback", True))
        self.reply_missing = False  # the last send asked for a reply, but the message to reply to was gone

    # -- pacing -------------------------------------------------------------------------------------------------

    def is_group(self) -> bool:
        """Groups, supergroups and channels (negative ids, @names) allow ~20 messages a minute."""
        return isinstance(self.chat, str) or self.chat < 0

    def min_interval(self) -> float:
        """≤ 1 message a second per chat (``min_interval`` in the config overrides, e.g. for tests)."""
        return self.configured_interval(1.0)

    def rate_window(self) -> tuple[int, float] | None:
        """At most this many messages in this many seconds (Telegram: 20 a minute in a group)."""
        return self.configured_window((20, 60.0) if self.is_group() else None)

    # -- the API ------------------------------------------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        text = text.replace(self._token, "<token>") if self._token else text
        return mask(text)

    def _call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.api_base}/bot{self._token}/{method}"
        try:
            response = self._http.post(url, json=payload)
        except httpx.TimeoutException:
            raise ChannelError(f"telegram {method}: timed out") from None
        except httpx.HTTPError as err:
            raise ChannelError(self._scrub(f"telegram {method}: network error: {type(err).__name__}: {err}")) from None
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            permanent = response.status_code in (401, 403, 404)
            raise ChannelError(f"telegram {method}: HTTP {response.status_code} (not a Bot API answer)", permanent=permanent)
        if data.get("ok"):
            result = data.get("result")
            return result if isinstance(result, dict) else {"value": result}
        raise self._error(method, response.status_code, data)

    def _error(self, method: str, status: int, data: dict[str, Any]) -> ChannelError:
        code = int(data.get("error_code") or status)
        description = self._scrub(str(data.get("description") or f"HTTP {status}"))
        text = f"telegram {method}: {code} {description}"
        lowered = description.lower()
        parameters = data.get("parameters") if isinstance(data.get("parameters"), dict) else {}
        if code == 429:
            retry_after = bounded_retry_after(parameters.get("retry_after"), f"channel \"{self.config.id}\" telegram "
                                              f"{method}", default=5.0)
            return ChannelError(text, retry_after=retry_after)
        if "message to edit not found" in lowered or "message to be replied not found" in lowered:
            return ChannelError(text, missing_target=True)
        if "message can't be edited" in lowered:
            return ChannelError(text, permanent=True, missing_target=True)
        if "migrate_to_chat_id" in parameters:
            return ChannelError(f"{text} (the group became supergroup {parameters['migrate_to_chat_id']}: "
                                "put that id in the channel's chat)", permanent=True)
        if code >= 500:
            return ChannelError(text)
        return ChannelError(text, permanent=code in (400, 401, 403, 404))

    def _base(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"chat_id": self.chat}
        if self.thread_id is not None:
            payload["message_thread_id"] = self.thread_id
        return payload

    def _text_payload(self, text: str, *, html_mode: bool) -> dict[str, Any]:
        payload: dict[str, Any] = {"text": text, "link_preview_options": {"is_disabled": True}}
        if html_mode:
            payload["parse_mode"] = "HTML"
        return payload

    def _check_length(self, text: str) -> None:
        if not text.strip():
            raise ChannelError("telegram: message text is empty", permanent=True)
        if visible_length(text) > MAX_CHARS:
            raise ChannelError(f"telegram: message is too long ({visible_length(text)} > {MAX_CHARS} characters)",
                               permanent=True)

    def send(self, message: RenderedMessage, *, reply_to: str | None = None) -> str:
        """Send the message's first part; returns the Telegram message_id as text."""
        text = message.parts[0] if message.parts else ""
        self._check_length(text)
        payload = {**self._base(), **self._text_payload(text, html_mode=True)}
        if reply_to:
            payload["reply_parameters"] = {"message_id": int(reply_to), "allow_sending_without_reply": True}
        result = self._with_plain_fallback("sendMessage", payload, text)
        replied = result.get("reply_to_message") if isinstance(result.get("reply_to_message"), dict) else {}
        # sent, but not as a reply: the message to reply to is gone (the outbox makes this one the thread's root)
        self.reply_missing = bool(reply_to) and str(replied.get("message_id")) != str(reply_to)
        return str(result["message_id"])

    def edit(self, remote_id: str, message: RenderedMessage) -> None:
        """Replace the text of an earlier message (the incident's root); "not modified" counts as done."""
        text = message.card or (message.parts[0] if message.parts else "")
        self._check_length(text)
        payload = {"chat_id": self.chat, "message_id": int(remote_id), **self._text_payload(text, html_mode=True)}
        try:
            self._with_plain_fallback("editMessageText", payload, text)
        except ChannelError as err:
            if "message is not modified" in str(err):
                return
            raise

    def _with_plain_fallback(self, method: str, payload: dict[str, Any], text: str) -> dict[str, Any]:
        """A template bug that yields HTML Telegram cannot parse is retried once as plain text (nothing lost)."""
        try:
            return self._call(method, payload)
        except ChannelError as err:
            if not (self.plain_fallback and "can't parse entities" in str(err).lower()):
                raise
        plain = {k: v for k, v in payload.items() if k != "parse_mode"}
        plain["text"] = plain_text(text)
        return self._call(method, plain)

    def close(self) -> None:
        self._http.close()
