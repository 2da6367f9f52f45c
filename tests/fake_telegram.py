"""A fake Telegram Bot API on 127.0.0.1 for tests: sendMessage / editMessageText with the real JSON shapes,
the 4,096-character limit, HTML entity checks, replies, 429 flood control (scripted storms or a per-chat rate),
and a switch to be "down" (502, or connection refused). Every accepted message is recorded.
"""

from __future__ import annotations

import html
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fakeservice import FakeService

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre",
                "blockquote", "tg-emoji"}
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply markup are exactly "
                "the same as a current message content and reply markup of the message")


@dataclass
class Message:
    chat: str
    message_id: int
    text: str  # as sent (HTML source)
    parse_mode: str | None
    reply_to: int | None
    thread_id: int | None
    link_preview_disabled: bool
    accepted_at: float
    edits: list[str] = field(default_factory=list)

    @property
    def current(self) -> str:
        return self.edits[-1] if self.edits else self.text


class _EntityChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.error = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.error:
            return
        if tag not in ALLOWED_TAGS:
            self.error = f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.error:
            return
        if not self.stack or self.stack[-1] != tag:
            self.error = f'Unexpected end tag "{tag}"'
        else:
            self.stack.pop()


def entity_error(text: str) -> str:
    """What Telegram says about HTML it cannot parse ("" when fine)."""
    if re.search(r"&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)", text):
        return "Bad Request: can't parse entities: Unsupported character entity"
    checker = _EntityChecker()
    checker.feed(text)
    checker.close()
    if checker.error:
        return f"Bad Request: can't parse entities: {checker.error}"
    if checker.stack:
        return f'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "{checker.stack[-1]}"'
    return ""


def visible(text: str, parse_mode: str | None) -> str:
    if parse_mode and parse_mode.upper() == "HTML":
        return html.unescape(re.sub(r"<[^>]*>", "", text))
    return text


class FakeTelegram(FakeService):
    """``token``: the only token accepted. ``chats``: known chat ids (None = any). Thread-safe."""

    def __init__(self, token: str = "123456:TEST-token", *, chats: set[str] | None = None) -> None:
        self.token = token
        self.chats = chats
        self.messages: dict[str, list[Message]] = {}
        self.calls: list[tuple[str, dict[str, Any], int]] = []  # (method, payload, HTTP status)
        self.next_id: dict[str, int] = {}
        self.storm: list[float] = []  # retry_after of the next scripted 429 answers
        self.per_chat_interval = 0.0  # answer 429 to a chat's messages closer together than this
        self.delay: tuple[float, float] = (0.0, 0.0)  # answer after a random delay (after accepting)
        self.lock = threading.RLock()
        self._last_at: dict[str, float] = {}
        super().__init__()

    def respond(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, bytes, dict[str, str]]:
        status, body, content_type = self.handle(path, headers.get("content-type", ""), raw)
        return status, body, {"Content-Type": content_type or "application/json"}

    # -- the Bot API ------------------------------------------------------------------------------------------

    def handle(self, path: str, content_type: str, raw: bytes) -> tuple[int, bytes, str]:
        if self.down == "502":
            return 502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", urlsplit(path).path)
        if not match:
            return 404, json.dumps({"ok": False, "error_code": 404, "description": "Not Found"}).encode(), ""
        token, method = match.groups()
        payload = self._payload(content_type, raw)
        if token != self.token:
            return self._answer(method, payload, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        with self.lock:
            if self.storm:
                retry_after = self.storm.pop(0)
                return self._answer(method, payload, 429, self._flood(retry_after))
            handler = getattr(self, f"api_{method}", None)
            if handler is None:
                return self._answer(method, payload, 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})
            status, answer = handler(payload)
        low, high = self.delay
        if high:
            time.sleep(random.uniform(low, high))  # accepted, not yet answered: the at-least-once window
        return self._answer(method, payload, status, answer)

    def _answer(self, method: str, payload: dict[str, Any], status: int, answer: dict[str, Any]) -> tuple[int, bytes, str]:
        with self.lock:
            self.calls.append((method, payload, status))
        return status, json.dumps(answer).encode(), ""

    @staticmethod
    def _flood(retry_after: float) -> dict[str, Any]:
        return {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after:g}",
                "parameters": {"retry_after": retry_after}}

    @staticmethod
    def _payload(content_type: str, raw: bytes) -> dict[str, Any]:
        if "json" in content_type:
            try:
                value = json.loads(raw or b"{}")
            except ValueError:
                return {}
            return value if isinstance(value, dict) else {}
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        for key in ("reply_parameters", "link_preview_options"):
            if key in form:
                form[key] = json.loads(form[key])
        return form

    @staticmethod
    def _bad(description: str) -> tuple[int, dict[str, Any]]:
        return 400, {"ok": False, "error_code": 400, "description": description}

    def _chat(self, payload: dict[str, Any]) -> str | None:
        chat = payload.get("chat_id")
        if chat is None or (self.chats is not None and str(chat) not in self.chats):
            return None
        return str(chat)

    def _check_text(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        text = payload.get("text")
        if not isinstance(text, str) or not text.strip():
            return self._bad("Bad Request: message text is empty")
        parse_mode = payload.get("parse_mode")
        if parse_mode and str(parse_mode).upper() == "HTML":
            problem = entity_error(text)
            if problem:
                return self._bad(problem)
        if len(visible(text, parse_mode)) > 4096:
            return self._bad("Bad Request: message is too long")
        return None

    def _find(self, chat: str, message_id: Any) -> Message | None:
        for message in self.messages.get(chat, []):
            if str(message.message_id) == str(message_id):
                return message
        return None

    def api_getMe(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:  # noqa: N802
        return 200, {"ok": True, "result": {"id": 123456, "is_bot": True, "first_name": "pushti", "username": "pushti_bot"}}

    def api_sendMessage(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:  # noqa: N802
        chat = self._chat(payload)
        if chat is None:
            return self._bad("Bad Request: chat not found")
        problem = self._check_text(payload)
        if problem:
            return problem
        now = time.monotonic()
        if self.per_chat_interval and now - self._last_at.get(chat, -1e9) < self.per_chat_interval:
            wait = max(1, int(self.per_chat_interval + 0.999))
            return 429, self._flood(wait)
        reply = payload.get("reply_parameters") or {}
        reply_to = reply.get("message_id") if isinstance(reply, dict) else None
        if reply_to is not None and self._find(chat, reply_to) is None:
            if not reply.get("allow_sending_without_reply"):
                return self._bad("Bad Request: message to be replied not found")
            reply_to = None
        self._last_at[chat] = now
        message_id = self.next_id.get(chat, 100) + 1
        self.next_id[chat] = message_id
        preview = payload.get("link_preview_options") or {}
        message = Message(
            chat=chat, message_id=message_id, text=payload["text"], parse_mode=payload.get("parse_mode"),
            reply_to=int(reply_to) if reply_to is not None else None, thread_id=payload.get("message_thread_id"),
            link_preview_disabled=bool(isinstance(preview, dict) and preview.get("is_disabled")), accepted_at=now,
        )
        self.messages.setdefault(chat, []).append(message)
        result: dict[str, Any] = {
            "message_id": message_id, "date": int(time.time()), "chat": {"id": payload.get("chat_id"), "type": "supergroup"},
            "text": visible(message.text, message.parse_mode),
        }
        if message.reply_to is not None:
            result["reply_to_message"] = {"message_id": message.reply_to}
        return 200, {"ok": True, "result": result}

    def api_editMessageText(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:  # noqa: N802
        chat = self._chat(payload)
        if chat is None:
            return self._bad("Bad Request: chat not found")
        problem = self._check_text(payload)
        if problem:
            return problem
        message = self._find(chat, payload.get("message_id"))
        if message is None:
            return self._bad("Bad Request: message to edit not found")
        if payload["text"] == message.current:
            return self._bad(NOT_MODIFIED)
        message.edits.append(payload["text"])
        return 200, {"ok": True, "result": {"message_id": message.message_id, "date": int(time.time()),
                                            "edit_date": int(time.time()), "text": visible(payload["text"], payload.get("parse_mode"))}}

    # -- what tests look at -----------------------------------------------------------------------------------

    def sent(self, chat: str | int | None = None) -> list[Message]:
        with self.lock:
            if chat is not None:
                return list(self.messages.get(str(chat), []))
            return [m for items in self.messages.values() for m in items]

    def delete(self, chat: str | int, message_id: int) -> None:
        """Someone deleted a message in the chat."""
        with self.lock:
            self.messages[str(chat)] = [m for m in self.messages.get(str(chat), []) if m.message_id != message_id]

    def method_calls(self, method: str) -> list[tuple[dict[str, Any], int]]:
        with self.lock:
            return [(payload, status) for name, payload, status in self.calls if name == method]
