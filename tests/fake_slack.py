"""A fake Slack Web API (chat.postMessage, chat.update, conversations.history, conversations.replies) and
incoming webhook on 127.0.0.1 for tests: real JSON shapes (``{"ok": false, "error": "channel_not_found"}``), ts
ids from the clock, threads, message ``metadata`` (returned by history only with ``include_all_metadata``), the
``channels:history`` scope (``missing_scope`` without it), msg_too_long, HTTP 429 with Retry-After (scripted
storms), and a switch to be "down" (502, or connection refused). Messages are recorded.
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fakeservice import FakeService

WEBHOOK_PATH = "/services/T0001/B0001/fakewebhooksecret"


@dataclass
class SlackMessage:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None
    unfurl_links: Any
    edits: list[str] = field(default_factory=list)
    at: float = field(default_factory=time.monotonic)
    metadata: dict[str, Any] | None = None

    @property
    def current(self) -> str:
        return self.edits[-1] if self.edits else self.text


class FakeSlack(FakeService):
    def __init__(self, token: str = "xoxb-test-token", channels: set[str] | None = None) -> None:
        self.token = token
        self.channels = channels if channels is not None else {"C0PUSHTI"}
        self.messages: list[SlackMessage] = []
        self.webhook_posts: list[dict[str, Any]] = []
        self.calls: list[tuple[str, dict[str, Any], int]] = []
        self.storm: list[float] = []  # Retry-After of the next scripted 429 answers
        self.delay: tuple[float, float] = (0.0, 0.0)
        self.lock = threading.RLock()
        self._last_ts = 0.0
        self._seq = 0
        self.scopes = {"chat:write", "channels:history"}  # without channels:history, history calls fail
        super().__init__()

    @property
    def api_base(self) -> str:
        return self.url + "/api"

    @property
    def webhook_url(self) -> str:
        return self.url + WEBHOOK_PATH

    # -- requests ---------------------------------------------------------------------------------------------

    @staticmethod
    def _json(status: int, data: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
        return status, json.dumps(data).encode(), {"Content-Type": "application/json; charset=utf-8", **(headers or {})}

    def respond(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, bytes, dict[str, str]]:
        if self.down == "502":
            return 502, b"<html>502 Bad Gateway</html>", {"Content-Type": "text/html"}
        route = urlsplit(path).path
        query = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
        if not raw and query:  # GET methods (conversations.history) send their arguments in the query
            payload: dict[str, Any] = query
        elif "json" in headers.get("content-type", ""):
            try:
                payload = json.loads(raw or b"{}")
            except ValueError:
                payload = {}
        else:
            payload = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            if isinstance(payload.get("blocks"), str):
                payload["blocks"] = json.loads(payload["blocks"])
        if isinstance(payload.get("metadata"), str):
            payload["metadata"] = json.loads(payload["metadata"])
        if route.startswith("/services/"):
            return self._webhook(route, payload)
        method = route.rsplit("/", 1)[-1]
        with self.lock:
            if self.storm:
                wait = self.storm.pop(0)
                self.calls.append((method, payload, 429))
                return self._json(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": f"{wait:g}"})
        auth = headers.get("authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth else str(payload.get("token", ""))
        if not token:
            answer = {"ok": False, "error": "not_authed"}
        elif token != self.token:
            answer = {"ok": False, "error": "invalid_auth"}
        elif method == "chat.postMessage":
            answer = self._post(payload)
        elif method == "chat.update":
            answer = self._update(payload)
        elif method in ("conversations.history", "conversations.replies"):
            answer = self._history(method, payload)
        else:
            answer = {"ok": False, "error": "unknown_method"}
        low, high = self.delay
        if high:
            time.sleep(random.uniform(low, high))
        with self.lock:
            self.calls.append((method, payload, 200))
        return self._json(200, answer)

    def _check(self, payload: dict[str, Any]) -> str:
        if payload.get("channel") not in self.channels:
            return "channel_not_found"
        text, blocks = payload.get("text") or "", payload.get("blocks")
        if not text and not blocks:
            return "no_text"
        if len(text) > 40_000:
            return "msg_too_long"
        if blocks is not None:
            if not isinstance(blocks, list) or len(blocks) > 50:
                return "invalid_blocks"
            for block in blocks:
                section = block.get("text") if isinstance(block, dict) else None
                if isinstance(section, dict) and len(section.get("text", "")) > 3000:
                    return "invalid_blocks"
        return ""

    def _post(self, payload: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            problem = self._check(payload)
            if problem:
                return {"ok": False, "error": problem}
            thread_ts = payload.get("thread_ts") or None
            if thread_ts and not any(m.ts == thread_ts and m.channel == payload["channel"] for m in self.messages):
                return {"ok": False, "error": "thread_not_found"}
            self._seq += 1
            self._last_ts = max(time.time(), self._last_ts + 0.000001)  # unique, increasing, from the clock
            ts = f"{self._last_ts:.6f}"
            metadata = payload.get("metadata") if isinstance(payload.get("metadata"), dict) else None
            message = SlackMessage(payload["channel"], ts, payload.get("text") or "", payload.get("blocks"),
                                   thread_ts, payload.get("unfurl_links"), metadata=metadata)
            self.messages.append(message)
        return {"ok": True, "channel": payload["channel"], "ts": ts,
                "message": {"type": "message", "text": message.text, "ts": ts, "bot_id": "B0PUSHTI",
                            **({"thread_ts": thread_ts} if thread_ts else {})}}

    def _update(self, payload: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            problem = self._check(payload)
            if problem:
                return {"ok": False, "error": problem}
            found = next((m for m in self.messages if m.ts == payload.get("ts") and m.channel == payload["channel"]), None)
            if found is None:
                return {"ok": False, "error": "message_not_found"}
            found.edits.append(payload.get("text") or "")
        return {"ok": True, "channel": payload["channel"], "ts": found.ts, "text": found.current}

    def _history(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        """conversations.history: the channel's top-level messages, newest first; conversations.replies: a thread
        (its parent, then replies, oldest first). ``oldest`` / ``limit``; metadata only with include_all_metadata."""
        if "channels:history" not in self.scopes:
            return {"ok": False, "error": "missing_scope", "needed": "channels:history",
                    "provided": ",".join(sorted(self.scopes))}
        channel = payload.get("channel")
        if channel not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        oldest = float(payload.get("oldest") or 0)
        limit = int(payload.get("limit") or 100)
        with_metadata = str(payload.get("include_all_metadata", "")).lower() in ("true", "1")
        with self.lock:
            if method == "conversations.history":
                found = [m for m in reversed(self.messages) if m.channel == channel and not m.thread_ts]
            else:
                parent = payload.get("ts")
                if not any(m.ts == parent and m.channel == channel for m in self.messages):
                    return {"ok": False, "error": "thread_not_found"}
                found = [m for m in self.messages if m.channel == channel and (m.ts == parent or m.thread_ts == parent)]
            found = [m for m in found if float(m.ts) > oldest]
            start = int(payload.get("cursor") or 0)
            found = found[start:]
            page = found[:limit]
            messages = []
            for m in page:
                item: dict[str, Any] = {"type": "message", "text": m.current, "ts": m.ts, "bot_id": "B0PUSHTI"}
                if m.thread_ts:
                    item["thread_ts"] = m.thread_ts
                if with_metadata and m.metadata:
                    item["metadata"] = m.metadata
                messages.append(item)
        more = len(found) > limit
        return {"ok": True, "messages": messages, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _webhook(self, route: str, payload: dict[str, Any]) -> tuple[int, bytes, dict[str, str]]:
        plain = {"Content-Type": "text/html"}
        with self.lock:
            if self.storm:
                wait = self.storm.pop(0)
                return 429, b"rate_limited", {**plain, "Retry-After": f"{wait:g}"}
            if route != WEBHOOK_PATH:
                return 404, b"no_service", plain
            if not payload.get("text") and not payload.get("blocks"):
                return 400, b"no_text", plain
            self.webhook_posts.append(payload)
        return 200, b"ok", plain

    # -- what tests look at -----------------------------------------------------------------------------------

    def roots(self) -> list[SlackMessage]:
        with self.lock:
            return [m for m in self.messages if not m.thread_ts]

    def replies(self, ts: str) -> list[SlackMessage]:
        with self.lock:
            return [m for m in self.messages if m.thread_ts == ts]

    def delete(self, ts: str) -> None:
        with self.lock:
            self.messages = [m for m in self.messages if m.ts != ts]
