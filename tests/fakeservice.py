"""Plumbing shared by the fake Telegram and Slack servers: a threaded HTTP server on 127.0.0.1 that hands each
request to ``respond`` and can go down (connection refused, or HTTP 502) and come back up on the same port."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:  # a client killed mid-request: not news
        pass


class FakeService:
    """Subclasses implement ``respond(path, headers, raw) -> (status, body, response headers)``; headers are
    lower-cased. ``down``: "" | "502" (answer HTTP 502, as a proxy would) | "refuse" (listening socket closed)."""

    def __init__(self) -> None:
        self.down = ""
        self._start_server(0)

    def respond(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, bytes, dict[str, str]]:
        raise NotImplementedError

    def _start_server(self, port: int) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, body, extra = fake.respond(self.path, headers, raw)
                try:
                    self.send_response(status)
                    for key, value in extra.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST

        self.httpd = _QuietServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def go_down(self, mode: str = "refuse") -> None:
        """"refuse": close the listening socket (connection refused); "502": answer HTTP 502."""
        self.down = mode
        if mode == "refuse":
            self.httpd.shutdown()
            self.httpd.server_close()

    def come_up(self) -> None:
        if self.down == "refuse":
            self._start_server(self.port)
        self.down = ""

    def stop(self) -> None:
        if self.down != "refuse":
            self.httpd.shutdown()
            self.httpd.server_close()
