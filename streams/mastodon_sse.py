"""Mastodon's streaming API over server-sent events: the ``user`` stream (or ``list`` with ``stream_list``) of an
account that follows the official accounts, one HTTP connection per (server, token, list), through httpx.

Events (docs.joinmastodon.org, methods/streaming): ``update`` and ``status.update`` carry a Status, ``delete`` a
status id; lines starting with ``:`` are heartbeats (the server writes ``:thump`` every 15 s). Only statuses of
the configured handles count; boosts are not statements. A status of an account on the streaming server itself
becomes the Post the REST tracker builds (same id); one of an account on another server has another id there,
so it only rings the bell: the daemon polls that source now, through the tracker, with the watched server's ids.
An edit (``status.update``) of a status already stored is stored once, as the poll does; a deletion is logged.

After every (re)connect the hub asks for a poll of every source of the stream: the REST timeline with
``since_id`` (``trackers/mastodon.py``) fetches whatever was said while the stream was away. Silence longer than
``[bot] stream_silence`` (default 45 s: three missed heartbeats) is a dead connection: it is reopened.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from typing import Any

import httpx

from config import SourceConfig
from logsetup import register_secret
from streams.backoff import STEADY, Backoff
from streams.hub import Pushed, StreamHub, StreamState
from trackers.mastodon import MastodonTracker

log = logging.getLogger("pushti.streams.mastodon")
MAX_EVENT = 1_000_000  # bytes of one event's data; more is not a status


class StreamRefused(Exception):
    """The server refused the token (401/403): retried after a long wait, not hammered."""


def tracker_base(source: SourceConfig) -> str:
    return MastodonTracker(source).base


def stream_base(source: SourceConfig) -> str:
    return str(source.option("stream_api") or tracker_base(source)).rstrip("/")


class MastodonStream(threading.Thread):
    def __init__(self, hub: StreamHub, state: StreamState, base: str, token_env: str, list_id: str,
                 sources: list[SourceConfig]) -> None:
        super().__init__(name=f"stream-{state.id}", daemon=True)
        self.hub = hub
        self.state = state
        self.base = base
        self.token_env = token_env
        self.list_id = list_id
        self.sources = sources
        self.local = {MastodonTracker(s).user.lower(): s for s in sources if tracker_base(s) == base}
        self.remote = {s.handle.lstrip("@").lower(): s for s in sources}
        self.client: Any = None
        self.backoff = Backoff()

    @property
    def url(self) -> str:
        if self.list_id:
            return f"{self.base}/api/v1/streaming/list?list={self.list_id}"
        return f"{self.base}/api/v1/streaming/user"

    def run(self) -> None:
        while not self.hub.stopping.is_set():
            began = time.monotonic()
            refused = False
            try:
                self._session()
            except StreamRefused as err:
                refused = True
                self.hub.set_status(self.state.id, "down", str(err))
            except httpx.ReadTimeout:
                self.hub.set_status(self.state.id, "down", f"nothing heard for {self.state.silence:g} s, not even "
                                    "a heartbeat")
            except Exception as err:
                if self.hub.stopping.is_set():
                    break
                if not isinstance(err, (httpx.HTTPError, OSError, ValueError)):
                    log.exception("stream \"%s\": unexpected error", self.state.id)
                self.hub.set_status(self.state.id, "down", f"{type(err).__name__}: {err}")
            finally:
                client, self.client = self.client, None
                if client is not None:
                    client.close()
            if time.monotonic() - began > STEADY:
                self.backoff.reset()
            wait = self.backoff.next(refused=refused)
            log.info("stream \"%s\": reconnecting in %.1f s", self.state.id, wait)
            self.hub.stopping.wait(wait)

    def close(self) -> None:
        client = self.client
        if client is not None:
            from trackers.http import abort_client

            abort_client(client)

    def _session(self) -> None:
        from trackers.http import make_client

        token = os.environ.get(self.token_env, "").strip()
        if not token:
            raise StreamRefused(f"{self.token_env} is not set: the stream needs the access token of an account "
                                "that follows the watched accounts")
        register_secret(token)
        self.client = make_client()
        if self.hub.stopping.is_set():
            return
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        timeout = httpx.Timeout(10.0, read=self.state.silence)
        with self.client.stream("GET", self.url, headers=headers, timeout=timeout) as response:
            if response.status_code in (401, 403):
                raise StreamRefused(f"HTTP {response.status_code} from {self.url}: the server refused the token "
                                    f"in {self.token_env}")
            if response.status_code != 200:
                raise OSError(f"HTTP {response.status_code} from {self.url}")
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind != "text/event-stream":
                raise OSError(f"{self.url} answered {kind or 'no content type'}, not an event stream")
            self.hub.set_status(self.state.id, "live")
            self.hub.request_poll(s.id for s in self.sources)  # catch up through the REST timeline (since_id)
            log.info("stream \"%s\": connected to %s (%d account(s)); catching up by REST", self.state.id, self.url,
                     len(self.sources))
            self._read(response)
        if not self.hub.stopping.is_set():
            raise OSError(f"{self.url} closed the stream")

    def _read(self, response: httpx.Response) -> None:
        event, data, size = "", [], 0
        for line in response.iter_lines():
            self.hub.heard(self.state.id)
            if self.hub.stopping.is_set():
                return
            if not line:
                if event or data:
                    self.dispatch(event, "\n".join(data))
                event, data, size = "", [], 0
                continue
            if line.startswith(":"):
                continue  # a heartbeat or a comment
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "data":
                size += len(value)
                if size > MAX_EVENT:
                    raise ValueError(f"an event of over {MAX_EVENT} bytes from {self.url}")
                data.append(value)

    def dispatch(self, event: str, data: str) -> None:
        """One SSE event → a Pushed status of a watched account, a poll request, or nothing."""
        if event == "delete":
            log.debug("stream \"%s\": status %s deleted", self.state.id, data.strip()[:40])
            return
        if event not in ("update", "status.update"):
            return
        try:
            status = json.loads(data)
        except ValueError:
            log.warning("stream \"%s\": an %s event that is not JSON; skipped", self.state.id, event)
            return
        if not isinstance(status, dict) or not status.get("id") or status.get("reblog"):
            return
        acct = str((status.get("account") or {}).get("acct") or "").lstrip("@").lower()
        if "@" not in acct and acct in self.local:  # an account of this server: the same ids as its REST API
            self.hub.heard(self.state.id, event=True)
            self.hub.push(Pushed(self.state.id, "mastodon", self.local[acct], status))
        elif acct in self.remote:  # another server's account: its ids differ here; the poll reads them there
            self.hub.heard(self.state.id, event=True)
            self.hub.request_poll([self.remote[acct].id])
