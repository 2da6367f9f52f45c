"""A fake Mastodon server on 127.0.0.1: the REST calls the tracker makes (``accounts/lookup``,
``accounts/:id/statuses`` with ``since_id`` / ``max_id`` / ``limit``) and the streaming API
(``/api/v1/streaming/user`` and ``/list``: server-sent events ``update`` / ``status.update`` / ``delete``, a
``:thump`` heartbeat, bearer token checked). Statuses it is given go to both; it can cut its streams, stop its
heartbeats (a silent stream) and refuse new streams."""

from __future__ import annotations

import json
import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from typing import Any
from urllib.parse import parse_qs, urlsplit


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class FakeMastodon:
    def __init__(self, token: str, accounts: dict[str, str] | None = None, heartbeat: float = 0.2) -> None:
        self.token = token
        self.accounts = accounts or {"status": "1"}  # acct → id
        self.heartbeat = heartbeat
        self.statuses: list[dict[str, Any]] = []
        self.ids = count(110_000_000_000_000_000)
        self.lock = threading.Lock()
        self.streams: list[queue.Queue[tuple[str, str] | None]] = []
        self.requests: list[str] = []
        self.silent = False
        self.refusing = False
        self.emitted_at: dict[str, float] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # a stream's body ends when the connection closes

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                fake.serve(self)

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    # -- what tests do -------------------------------------------------------------------------------------------

    def post(self, text: str, *, acct: str = "status", reply_to: dict[str, Any] | None = None,
             reblog: bool = False, stream: bool = True) -> dict[str, Any]:
        """A new status of ``acct`` (REST and, when ``stream``, the live streams)."""
        status_id = str(next(self.ids))
        status = {
            "id": status_id, "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "in_reply_to_id": reply_to["id"] if reply_to else None,
            "in_reply_to_account_id": reply_to["account"]["id"] if reply_to else None,
            "content": f"<p>{text}</p>", "spoiler_text": "", "language": "en", "visibility": "public",
            "url": f"https://mastodon.example/@{acct}/{status_id}", "uri": f"https://mastodon.example/users/{acct}/statuses/{status_id}",
            "account": {"id": self.accounts.get(acct.split("@")[0], "999"), "acct": acct, "username": acct.split("@")[0]},
            "reblog": {"id": "1"} if reblog else None,
        }
        with self.lock:
            self.statuses.append(status)
            self.emitted_at[status_id] = time.monotonic()
        if stream:
            self.send("update", json.dumps(status))
        return status

    def send(self, event: str, data: str) -> None:
        with self.lock:
            for stream in self.streams:
                stream.put((event, data))

    def drop(self) -> int:
        """End every open stream."""
        with self.lock:
            streams, self.streams = list(self.streams), []
        for stream in streams:
            stream.put(None)
        return len(streams)

    def stop(self) -> None:
        self.drop()
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- the server ----------------------------------------------------------------------------------------------

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.requests.append(parts.path)
        if parts.path in ("/api/v1/streaming/user", "/api/v1/streaming/list"):
            return self._stream(handler)
        if parts.path == "/api/v1/accounts/lookup":
            acct = query.get("acct", "")
            if acct not in self.accounts:
                return self._json(handler, 404, {"error": "Record not found"})
            return self._json(handler, 200, {"id": self.accounts[acct], "acct": acct, "username": acct})
        if parts.path.startswith("/api/v1/accounts/") and parts.path.endswith("/statuses"):
            account_id = parts.path.split("/")[4]
            since = int(query.get("since_id") or 0)
            before = int(query.get("max_id") or 0)
            limit = int(query.get("limit") or 20)
            with self.lock:
                found = [s for s in self.statuses if s["account"]["id"] == account_id and int(s["id"]) > since
                         and (not before or int(s["id"]) < before) and not s["reblog"]]
            found.sort(key=lambda s: int(s["id"]), reverse=True)
            return self._json(handler, 200, found[:limit])
        return self._json(handler, 404, {"error": "not found"})

    @staticmethod
    def _json(handler: BaseHTTPRequestHandler, status: int, body: Any) -> None:
        raw = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(raw)))
        handler.end_headers()
        handler.wfile.write(raw)

    def _stream(self, handler: BaseHTTPRequestHandler) -> None:
        if handler.headers.get("Authorization") != f"Bearer {self.token}":
            return self._json(handler, 401, {"error": "The access token is invalid"})
        if self.refusing:
            return self._json(handler, 503, {"error": "unavailable"})
        mine: queue.Queue[tuple[str, str] | None] = queue.Queue()
        with self.lock:
            self.streams.append(mine)
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-store")
        handler.end_headers()
        try:
            handler.wfile.write(b":)\n")
            handler.wfile.flush()
            while True:
                try:
                    item = mine.get(timeout=self.heartbeat)
                except queue.Empty:
                    if not self.silent:
                        handler.wfile.write(b":thump\n")
                        handler.wfile.flush()
                    continue
                if item is None:
                    return
                if self.silent:
                    continue
                event, data = item
                handler.wfile.write(f"event: {event}\ndata: {data}\n\n".encode())
                handler.wfile.flush()
        except OSError:
            pass
        finally:
            with self.lock:
                if mine in self.streams:
                    self.streams.remove(mine)
