"""Bluesky through Jetstream: ONE WebSocket for every watched account (``wantedDids`` × ``wantedCollections =
app.bsky.feed.post``), with the ``websockets`` library's threading client.

Messages (bluesky-social/jetstream): ``{"did", "time_us", "kind": "commit", "commit": {"operation": "create" |
"update" | "delete", "collection", "rkey", "record", "cid"}}``; ``identity`` and ``account`` events are only
cursor marks. A create or update becomes the Post the REST tracker builds (``streams.convert``); a delete is
logged and nothing else — the statement was made and stays recorded, as the poll (which never sees deletions)
keeps it; an update of a post already stored is the same URI and stored once.

Replay: every event's ``time_us`` goes to the writer with it; the stored cursor (``streams`` table) is the last
one whose event was stored, and every (re)connect asks for ``cursor=<stored>`` — Jetstream replays from there, so
a disconnect loses nothing (what is replayed twice has the same URI). Reconnects back off 0.5 s … 30 s. After a
reconnect the sources are also polled once by REST (an outage longer than Jetstream's own history is covered).

Liveness: a ping every ``silence / 3`` seconds; no message or pong for ``[bot] stream_silence`` and the socket is
dropped and reopened (the hub turns the sources back to polling meanwhile). Handles are resolved to DIDs once,
through the API the tracker reads (``app.bsky.actor.getProfile``), or taken from the tracker's cursor.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from config import SourceConfig
from streams.backoff import STEADY, Backoff
from streams.convert import POST_COLLECTION, time_us
from streams.hub import Pushed, StreamHub, StreamState
from trackers import TrackerError
from trackers.bluesky import DEFAULT_API

log = logging.getLogger("pushti.streams.jetstream")
PROFILE_METHOD = "/xrpc/app.bsky.actor.getProfile"
MAX_MESSAGE = 1_000_000  # bytes; a Bluesky post record is a few kB at most


class StreamSilent(Exception):
    pass


class JetstreamStream(threading.Thread):
    def __init__(self, hub: StreamHub, state: StreamState, url: str, sources: list[SourceConfig],
                 dids: dict[str, str]) -> None:
        super().__init__(name=f"stream-{state.id}", daemon=True)
        self.hub = hub
        self.state = state
        self.url = url
        self.sources = sources
        self.dids = dict(dids)  # source id → DID
        self.handles: dict[str, str] = {}  # DID → handle (for the post's link)
        self.ws: Any = None
        self.backoff = Backoff()
        self.connected_before = False

    # -- the loop ------------------------------------------------------------------------------------------------

    def run(self) -> None:
        while not self.hub.stopping.is_set():
            began = time.monotonic()
            try:
                self._resolve()
                self._session()
            except Exception as err:  # every failure: down, wait, reconnect (a bug included: logged with its trace)
                if self.hub.stopping.is_set():
                    break
                expected = (isinstance(err, (OSError, StreamSilent, TimeoutError, TrackerError))
                            or "websockets" in type(err).__module__)
                if not expected:
                    log.exception("stream \"%s\": unexpected error", self.state.id)
                self.hub.set_status(self.state.id, "down", str(err) or type(err).__name__)
            if time.monotonic() - began > STEADY:
                self.backoff.reset()
            wait = self.backoff.next()
            log.info("stream \"%s\": reconnecting in %.1f s (replay from cursor %s)", self.state.id, wait,
                     self.hub.cursor(self.state.id))
            self.hub.stopping.wait(wait)

    def close(self) -> None:
        ws = self.ws
        if ws is not None:
            try:
                ws.close()
            except Exception:  # already closed or broken: the loop ends on the stop flag
                pass

    # -- handles → DIDs ------------------------------------------------------------------------------------------

    def _resolve(self) -> None:
        from trackers.http import fetch_json, using_client

        for source in self.sources:
            if source.id in self.dids:
                continue
            if source.handle.startswith("did:"):
                self.dids[source.id] = source.handle
                continue
            base = (source.api_base or DEFAULT_API).rstrip("/")
            with using_client(self.hub.http) as client:
                profile = fetch_json(client, base + PROFILE_METHOD, params={"actor": source.handle}, api="Bluesky")
            did = str((profile or {}).get("did") or "") if isinstance(profile, dict) else ""
            if not did.startswith("did:"):
                raise OSError(f"Bluesky has no DID for @{source.handle}")
            self.dids[source.id] = did
            self.handles[did] = str(profile.get("handle") or source.handle)
        for source in self.sources:
            self.handles.setdefault(self.dids[source.id], source.handle)

    def subscribe_url(self) -> str:
        params = [("wantedCollections", POST_COLLECTION)]
        params += [("wantedDids", did) for did in sorted(set(self.dids.values()))]
        cursor = self.hub.cursor(self.state.id)
        if cursor is not None:
            params.append(("cursor", str(cursor)))
        return f"{self.url}?{urlencode(params)}"

    # -- one connection ------------------------------------------------------------------------------------------

    def _session(self) -> None:
        from websockets.sync.client import connect

        url = self.subscribe_url()
        loopback = urlsplit(self.url).hostname in ("127.0.0.1", "localhost", "::1")
        silence = self.state.silence
        ping_every = max(0.5, silence / 3)
        with connect(url, open_timeout=10, ping_interval=None, close_timeout=2, max_size=MAX_MESSAGE,
                     compression=None, proxy=None if loopback else True) as ws:
            self.ws = ws
            self.hub.set_status(self.state.id, "live")
            if self.connected_before:  # belt and braces: an outage longer than Jetstream keeps is read by REST
                self.hub.request_poll(s.id for s in self.sources)
            self.connected_before = True
            log.info("stream \"%s\": connected to %s (%d account(s))", self.state.id, self.url, len(set(self.dids.values())))
            pong: threading.Event | None = None
            next_ping = time.monotonic() + ping_every
            while not self.hub.stopping.is_set():
                try:
                    message = ws.recv(timeout=0.5)
                except TimeoutError:
                    message = None
                now = time.monotonic()
                if message is not None:
                    self.hub.heard(self.state.id)
                    self.handle(message)
                if pong is not None and pong.is_set():
                    self.hub.heard(self.state.id)
                    pong = None
                if now >= next_ping:
                    if pong is None:
                        pong = ws.ping()
                    next_ping = now + ping_every
                if now - self.state.last_heard > silence:
                    raise StreamSilent(f"nothing heard for {silence:g} s")

    def handle(self, message: str | bytes) -> None:
        """One Jetstream message → a Pushed event for the writer (or a cursor mark)."""
        try:
            event = json.loads(message)
        except ValueError:
            log.warning("stream \"%s\": a message that is not JSON; skipped", self.state.id)
            return
        if not isinstance(event, dict):
            return
        cursor = time_us(event.get("time_us"))
        commit = event.get("commit") if event.get("kind") == "commit" else None
        did = str(event.get("did") or "")
        identity = event.get("identity") if event.get("kind") == "identity" else None
        if isinstance(identity, dict) and did in self.handles and isinstance(identity.get("handle"), str):
            self.handles[did] = identity["handle"][:253]  # a watched account renamed: its links follow
        mine = [s for s in self.sources if self.dids.get(s.id) == did]
        if isinstance(commit, dict) and commit.get("collection") == POST_COLLECTION and mine:
            operation = commit.get("operation")
            if operation in ("create", "update") and isinstance(commit.get("record"), dict) and commit.get("rkey"):
                self.hub.heard(self.state.id, event=True)
                for source in mine:
                    self.hub.push(Pushed(self.state.id, "bluesky", source, event, cursor=cursor,
                                         handle=self.handles.get(did, source.handle)))
                return
            if operation == "delete":
                log.info("stream \"%s\": @%s deleted post %s; its statement stays recorded", self.state.id,
                         self.handles.get(did, did), str(commit.get("rkey"))[:40])
        if cursor is not None:
            self.hub.push(Pushed(self.state.id, "mark", None, {}, cursor=cursor))
