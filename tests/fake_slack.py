"""A fake Slack Web API (chat.postMessage, chat.update) and incoming webhook on 127.0.0.1 for tests: real JSON
shapes (``{"ok": false, "error": "channel_not_found"}``), ts ids, threads, msg_too_long, HTTP 429 with
Retry-After (scripted storms), and a switch to be "down" (502, or connection refused). Messages are recorded.
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
        self._clock = 1_700_000_000
        self._seq = 0
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
        if "json" in headers.get("content-type", ""):
            try:
                payload = json.loads(raw or b"{}")
            except ValueError:
                payload = {}
        else:
            payload = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            if isinstance(payload.get("blocks"), str):
                payload["blocks"] = json.loads(payload["blocks"])
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
            ts = f"{self._clock + self._seq}.{self._seq:06d}"
            message = SlackMessage(payload["channel"], ts, payload.get("text") or "", payload.get("blocks"),
                                   thread_ts, payload.get("unfurl_links"))
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
