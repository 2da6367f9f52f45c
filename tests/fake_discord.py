"""A fake Discord webhook API on 127.0.0.1 for tests: execute webhook (``?wait=true`` answers the message object;
``?thread_id=``; ``thread_name`` opens a forum post whose id is its first message's id), edit webhook message
(PATCH, ``?thread_id=`` for a message in a thread), the documented limits (embed description 4,096, content 2,000,
embeds 6,000), error codes (10003 unknown channel, 10008 unknown message, 10015 unknown webhook, 220001 a forum
needs a thread), scripted 429 answers (JSON ``retry_after`` seconds as a float plus the ``Retry-After`` and
``X-RateLimit-*`` headers), a bucket that reports ``X-RateLimit-Remaining: 0``, and being down (502). Every request
and every accepted message is recorded.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:  # a client gone mid-request: not news
        pass


PATH = re.compile(r"^/api(?:/v\d+)?/webhooks/(\d+)/([A-Za-z0-9_.-]+)(?:/messages/(\d+))?$")


@dataclass
class Message:
    id: str
    channel_id: str  # the webhook's channel, or the thread it was posted in
    payload: dict[str, Any]
    edits: list[dict[str, Any]] = field(default_factory=list)

    @property
    def current(self) -> dict[str, Any]:
        return self.edits[-1] if self.edits else self.payload

    @property
    def description(self) -> str:
        return self.current["embeds"][0]["description"]


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, list[str]]
    body: dict[str, Any] | None
    status: int


class FakeDiscord:
    """One webhook (``webhook_id``/``token``) on a text channel (``forum=False``) or a forum channel."""

    def __init__(self, webhook_id: str = "1300000000000000001", token: str = "fake-webhook-token-abc123",
                 *, forum: bool = False) -> None:
        self.webhook_id, self.token, self.forum = webhook_id, token, forum
        self.channel_id = "1200000000000000001"
        self.threads: dict[str, str] = {}  # thread id → name
        self.messages: list[Message] = []
        self.calls: list[Call] = []
        self.storm: list[float] = []  # retry_after of the next scripted 429 answers
        self.empty_bucket = 0  # the next N successful answers say X-RateLimit-Remaining: 0 (reset after 1.5 s)
        self.down = False
        self.deleted_webhook = False
        self._next = 1300000000000000100
        self.lock = threading.RLock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, body, headers = fake.respond(self.command, self.path, raw)
                try:
                    self.send_response(status)
                    for key, value in {"Content-Type": "application/json", **headers}.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_POST = do_PATCH = do_GET = _handle  # noqa: N815

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/api/webhooks/{self.webhook_id}/{self.token}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- what tests read ----------------------------------------------------------------------------------------

    def in_channel(self) -> list[Message]:
        return [m for m in self.messages if m.channel_id == self.channel_id]

    def in_thread(self, thread_id: str) -> list[Message]:
        return [m for m in self.messages if m.channel_id == thread_id]

    def statuses(self, method: str) -> list[int]:
        return [c.status for c in self.calls if c.method == method]

    def delete(self, message_id: str) -> None:
        with self.lock:
            self.messages = [m for m in self.messages if m.id != message_id]

    def delete_thread(self, thread_id: str) -> None:
        with self.lock:
            self.threads.pop(thread_id, None)
            self.messages = [m for m in self.messages if m.channel_id != thread_id]

    # -- the API ------------------------------------------------------------------------------------------------

    def _error(self, status: int, code: int, message: str) -> tuple[int, bytes, dict[str, str]]:
        return status, json.dumps({"code": code, "message": message}).encode(), {}

    def respond(self, method: str, path: str, raw: bytes) -> tuple[int, bytes, dict[str, str]]:
        parts = urlsplit(path)
        query = parse_qs(parts.query)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        with self.lock:
            status, payload, headers = self._respond(method, parts.path, query, body)
            self.calls.append(Call(method, parts.path, query, body, status))
        return status, payload, headers

    def _respond(self, method: str, path: str, query: dict[str, list[str]],
                 body: dict[str, Any] | None) -> tuple[int, bytes, dict[str, str]]:
        if self.down:
            return 502, b"<html><body>502 Bad Gateway</body></html>", {"Content-Type": "text/html"}
        match = PATH.match(path)
        if not match or match.group(1) != self.webhook_id or match.group(2) != self.token or self.deleted_webhook:
            return self._error(404, 10015, "Unknown Webhook")
        if self.storm:
            wait = self.storm.pop(0)
            headers = {"Retry-After": str(max(1, round(wait))), "X-RateLimit-Limit": "5",
                       "X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": f"{wait:.3f}",
                       "X-RateLimit-Bucket": "fakebucket", "X-RateLimit-Scope": "shared"}
            answer = {"message": "You are being rate limited.", "retry_after": wait, "global": False}
            return 429, json.dumps(answer).encode(), headers
        if not isinstance(body, dict):
            return self._error(400, 50109, "The request body contains invalid JSON.")
        problem = self._check(body)
        if problem:
            return self._error(400, 50035, f"Invalid Form Body ({problem})")
        thread = (query.get("thread_id") or [None])[0]
        if thread is not None and thread not in self.threads:
            return self._error(404, 10003, "Unknown Channel")
        if method == "POST":
            status, answer = self._execute(query, body, thread)
        elif method == "PATCH":
            status, answer = self._edit(match.group(3), body, thread)
        else:
            return self._error(405, 0, "405: Method Not Allowed")
        headers = {"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "4", "X-RateLimit-Reset-After": "0.400"}
        if status == 200 and self.empty_bucket > 0:
            self.empty_bucket -= 1
            headers.update({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "1.500"})
        return status, (json.dumps(answer).encode() if answer is not None else b""), headers

    def _check(self, body: dict[str, Any]) -> str:
        content = body.get("content") or ""
        embeds = body.get("embeds") or []
        if not content and not embeds:
            return "Cannot send an empty message"
        if len(content) > 2000:
            return "content: Must be 2000 or fewer in length."
        if len(embeds) > 10:
            return "embeds: Must be 10 or fewer in length."
        total = 0
        for embed in embeds:
            description = str(embed.get("description") or "")
            if len(description.encode("utf-16-le")) // 2 > 4096:
                return "embeds.0.description: Must be 4096 or fewer in length."
            total += len(description) + len(str(embed.get("title") or ""))
        if total > 6000:
            return "embeds: Embed size exceeds maximum size of 6000"
        name = body.get("thread_name")
        if name is not None and not 1 <= len(str(name)) <= 100:
            return "thread_name: Must be between 1 and 100 in length."
        return ""

    def _new_id(self) -> str:
        self._next += 1
        return str(self._next)

    def _execute(self, query: dict[str, list[str]], body: dict[str, Any], thread: str | None) -> tuple[int, Any]:
        name = body.get("thread_name")
        if name is not None and thread is not None:
            return 400, {"code": 50035, "message": "Invalid Form Body (thread_name and thread_id)"}
        if self.forum and name is None and thread is None:
            return 400, {"code": 220001, "message": "Webhooks posted to forum channels must have a thread_name or "
                                                    "thread_id"}
        message_id = self._new_id()
        channel = thread or self.channel_id
        if name is not None:
            if not self.forum:
                return 400, {"code": 220003, "message": "Webhooks can only create threads in forum channels"}
            channel = message_id  # a forum post's id is its first message's id
            self.threads[channel] = str(name)
        message = Message(message_id, channel, body)
        self.messages.append(message)
        if (query.get("wait") or [""])[0].lower() != "true":
            return 204, None
        return 200, {"id": message_id, "channel_id": channel, "type": 0, "content": body.get("content") or "",
                     "embeds": body.get("embeds") or [], "webhook_id": self.webhook_id}

    def _edit(self, message_id: str | None, body: dict[str, Any], thread: str | None) -> tuple[int, Any]:
        for message in self.messages:
            if message.id == message_id and message.channel_id == (thread or self.channel_id):
                message.edits.append(body)
                return 200, {"id": message.id, "channel_id": message.channel_id, "embeds": body.get("embeds") or []}
        return 404, {"code": 10008, "message": "Unknown Message"}
