"""A small HTTP server on 127.0.0.1 for tests: routes are set per test, requests are recorded.

A route answers with a fixed status/body/headers; ``etag=True`` makes it honour If-None-Match with 304;
``delay`` makes it slow (timeouts); a callable route gets the request and returns (status, headers, body).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: bool = False
    delay: float = 0.0
    handler: Callable[[Request], tuple[int, dict[str, str], bytes]] | None = None


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(
                    self.command, parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()}, body
                )
                with server._lock:
                    server.requests.append(request)
                    route = server.routes.get(parts.path)
                if route is None:
                    status, headers, payload = 404, {"Content-Type": "text/plain"}, b"not found"
                elif route.handler is not None:
                    status, headers, payload = route.handler(request)
                else:
                    if route.delay:
                        time.sleep(route.delay)
                    status, headers, payload = route.status, dict(route.headers), route.body
                    if route.etag:
                        tag = '"' + hashlib.sha1(payload).hexdigest()[:16] + '"'
                        headers["ETag"] = tag
                        if request.headers.get("if-none-match") == tag:
                            status, payload = 304, b""
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if payload and self.command != "HEAD":
                        self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_HEAD = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, path: str, body: bytes | str = b"", **kwargs: Any) -> Route:
        if isinstance(body, str):
            body = body.encode()
        route = Route(body=body, **kwargs)
        with self._lock:
            self.routes[path] = route
        return route

    def hits(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def start(self) -> LocalServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
