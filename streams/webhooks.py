"""The Statuspage webhook receiver: ``POST /hooks/<source-id>/<secret>`` on ``[bot] listen`` (``bot.py run``) or
``bot.py serve --listen HOST:PORT``, a ``ThreadingHTTPServer`` in daemon threads.

Atlassian Statuspage POSTs JSON to each webhook subscriber: ``{"meta": {"unsubscribe", "documentation",
"generated_at"}, "page": {"id", "status_indicator", "status_description"}}`` plus either ``"incident"`` (the
whole incident as in ``incidents.json``: id, name, status, impact, shortlink, page_id, ``incident_updates[]``,
components …) or ``"component_update"`` (``{id, component_id, old_status, new_status, created_at}``) with
``"component"``. An incident becomes the Posts the poller builds (same update ids: whatever both see is stored
once); a component change has no words of the company's, so it asks for a poll of the page now instead.

Answers (one short JSON line each; the work is queued, the answer does not wait for it):
202 queued · 400 unreadable (bad JSON, not an object, a short body) · 403 wrong secret or no secret set · 404
no such path or source · 405 not POST · 411 no Content-Length · 413 body over 1 MB (not read) · 415 not
``application/json`` · 422 the page id is not the source's, or neither incident nor component · 503 the queue
is full, or 64 requests are already being served (with Retry-After). The secret is compared in constant time (``hmac.compare_digest``) and never logged.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from config import SourceConfig
from logsetup import register_secret
from streams.hub import Pushed, StreamHub, StreamState

log = logging.getLogger("pushti.streams.webhooks")
MAX_BODY = 1_000_000  # bytes
READ_TIMEOUT = 10.0  # seconds a sender may take per read of its request (a trickling client is cut)
MAX_CONNECTIONS = 64  # requests served at once; more are answered 503 at once
STREAM_ID = "webhooks"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request: Any, client_address: Any) -> None:
        """At most MAX_CONNECTIONS requests at once (each bounded by READ_TIMEOUT); one more is answered 503."""
        if not self.slots.acquire(blocking=False):
            try:
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\n"
                                b"Connection: close\r\n\r\n")
            except OSError:
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:  # a sender that hung up: not news
        log.debug("webhook: a connection from %s ended badly", client_address[0] if client_address else "?")


class WebhookServer:
    def __init__(self, hub: StreamHub, state: StreamState, host: str, port: int, sources: list[SourceConfig]) -> None:
        self.hub = hub
        self.state = state
        self.sources = {source.id: source for source in sources}
        self.page_ids = {s.id: str(s.option("page_id")) for s in sources if s.option("page_id")}
        self.httpd = _Server((host, port), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                       name="webhooks", daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.httpd.server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        self.thread.start()
        host, port = self.address
        self.hub.set_status(self.state.id, "live")
        log.info("webhooks: listening on http://%s:%d/hooks/<source-id>/<secret> for %s", host, port,
                 ", ".join(self.sources) or "no source")

    def close(self) -> None:
        if self.thread.is_alive():
            self.httpd.shutdown()
        self.httpd.server_close()

    def is_alive(self) -> bool:
        return self.thread.is_alive()

    def join(self, timeout: float | None = None) -> None:
        self.thread.join(timeout)

    def secret(self, source: SourceConfig) -> str:
        value = os.environ.get(str(source.option("webhook_secret_env")), "").strip()
        register_secret(value)
        return value

    def answer(self, method: str, path: str, headers: dict[str, str], read: Any) -> tuple[int, dict[str, Any]]:
        """(status, JSON answer) for one request; ``read(n)`` reads n bytes of its body."""
        parts = path.split("?", 1)[0].split("/")
        if len(parts) != 4 or parts[1] != "hooks" or not parts[2]:
            return 404, {"error": "no such path: POST /hooks/<source-id>/<secret>"}
        if method != "POST":
            return 405, {"error": "only POST"}
        source = self.sources.get(parts[2])
        if source is None:
            return 404, {"error": f"no webhook source {parts[2][:40]!r}"}
        expected = self.secret(source)
        if not expected:
            return 403, {"error": f"no secret set for {source.id!r} ({source.option('webhook_secret_env')} is empty)"}
        if not hmac.compare_digest(parts[3].encode(), expected.encode()):
            return 403, {"error": "wrong secret"}
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            return 415, {"error": f"Content-Type must be application/json, not {kind[:60] or 'none'}"}
        length = headers.get("content-length", "").strip()
        if not length.isdigit():
            return 411, {"error": "a Content-Length is needed"}
        if len(length) > 9 or int(length) > MAX_BODY:
            return 413, {"error": f"body over {MAX_BODY} bytes"}
        body = read(int(length))
        if len(body) != int(length):
            return 400, {"error": "the body ended early"}
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return 400, {"error": "the body is not JSON"}
        if not isinstance(payload, dict):
            return 400, {"error": "the body is not a JSON object"}
        page = payload.get("page") if isinstance(payload.get("page"), dict) else {}
        page_id = str(page.get("id") or "")
        if isinstance(payload.get("incident"), dict):
            page_id = page_id or str(payload["incident"].get("page_id") or "")
        wanted = self.page_ids.get(source.id)
        if wanted and page_id != wanted:
            return 422, {"error": f"page id {page_id[:40]!r} is not the page of {source.id!r}"}
        if isinstance(payload.get("incident"), dict):
            if not self.hub.push(Pushed(self.state.id, "statuspage", source, payload), wait=False):
                return 503, {"error": "busy; send again"}
            self.hub.heard(self.state.id, event=True)
            return 202, {"queued": "incident"}
        if isinstance(payload.get("component_update"), dict) or isinstance(payload.get("component"), dict):
            self.hub.request_poll([source.id])
            self.hub.heard(self.state.id, event=True)
            return 202, {"queued": "poll"}
        return 422, {"error": "neither an incident nor a component update"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = READ_TIMEOUT
            server_version = "pushti"
            sys_version = ""

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                pass  # requests are logged by _serve, without the secret

            def _serve(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    status, answer = receiver.answer(self.command, self.path, headers, self.rfile.read)
                except OSError as err:  # the sender went away or trickled past the read timeout
                    status, answer = 400, {"error": f"could not read the request ({type(err).__name__})"}
                source = self.path.split("/")[2][:40] if self.path.count("/") >= 2 else "?"
                level = logging.INFO if status == 202 else logging.WARNING
                log.log(level, "webhook %s /hooks/%s/***: %d %s", self.command, source, status,
                        answer.get("error") or answer.get("queued", ""))
                body = (json.dumps(answer) + "\n").encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    if status == 503:
                        self.send_header("Retry-After", "5")
                    if status != 202:
                        self.send_header("Connection", "close")  # its body may be left unread
                        self.close_connection = True
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

            do_POST = do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve

        return Handler
