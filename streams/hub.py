"""The hub between the push streams and the daemon: a bounded queue of pushed events that the daemon's writer
thread stores (``drain``), each stream's state (live / down / silent, cursor, errors) kept in the ``streams``
table for ``bot.py status``, and the polling rule for streamed sources.

Polling rule. A source covered by a stream (Bluesky, Mastodon) is polled at ``[bot] stream_backstop`` (default
10 min) while its stream is live and heard from within ``[bot] stream_silence``; a stream that is down or silent
longer than that hands its sources back to polling at their own ``every`` (said once in the log and shown by
``bot.py status``) until it is live again. A stream may also ask for a poll now (Mastodon's catch-up after a
(re)connect, an event the stream cannot turn into a statement itself): the daemon starts it as soon as no poll
of that source is in flight. Webhook sources keep their ordinary polling: the poll stays the source of truth.

Storing. Events are stored per source through ``pipeline.apply_result(…, pushed=True)`` — the poll's own path —
so a statement seen by both stream and poll is stored (and told) once. A source whose first poll (the quiet
baseline) has not happened yet gets a poll instead: its first statements are history, as for a polled source.
A stream's replay cursor advances only past events that are stored (or needed no storing), in the order they
came, and is written after them: a crash or a disconnect replays, never skips.
"""

from __future__ import annotations

import json
import logging
import math
import queue
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlite_utils

from config import BotConfig, SourceConfig
from logsetup import mask
from pipeline import apply_result
from posts import Post
from store import StateError, load_cursor, now_iso, rows, source_state, transaction
from streams import settings
from trackers import PollResult

log = logging.getLogger("pushti.streams")
INBOX_LIMIT = 10_000  # pushed events waiting for the writer; a stream waits (a webhook answers 503) beyond it
DRAIN_LIMIT = 2_000  # events stored per drain call (the daemon loop also delivers between drains)
PERSIST_EVERY = 5.0  # seconds between writes of the streams' states (also at once after a change of status)


@dataclass
class Pushed:
    """One pushed event for the writer. ``kind`` "bluesky" | "mastodon" | "statuspage", or "mark" (no statement:
    only moves the stream's cursor, in order)."""

    stream_id: str
    kind: str
    source: SourceConfig | None
    payload: dict[str, Any]
    received: float = field(default_factory=time.monotonic)
    cursor: int | None = None
    handle: str = ""  # Bluesky: the author's handle for the post's link


@dataclass
class StreamState:
    id: str
    kind: str  # jetstream | mastodon | webhooks
    detail: str  # where it reads or listens (no secrets)
    sources: tuple[str, ...]
    silence: float
    covers: bool = True  # its sources' polls are a backstop while it is live
    status: str = "starting"  # starting | live | down | stopped
    since: str = field(default_factory=now_iso)
    connected_at: str = ""
    last_heard: float = 0.0  # time.monotonic()
    last_heard_at: str = ""
    last_event_at: str = ""
    last_error: str = ""
    reconnects: int = 0
    events: int = 0
    cursor: int | None = None  # the last cursor stored (what a reconnect replays from)
    healthy_before: bool = False
    dirty: bool = True

    def healthy(self, now: float) -> bool:
        if not self.covers:
            return self.status == "live"
        return self.status == "live" and now - self.last_heard <= self.silence


class StreamHub:
    def __init__(self, bot: BotConfig, db: sqlite_utils.Database, http: Any = None) -> None:
        self.bot = bot
        self.http = http
        self.inbox: queue.Queue[Pushed] = queue.Queue(maxsize=INBOX_LIMIT)
        self.arrived = threading.Event()  # set when something is pushed (the daemon's delivery yields to it)
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.states: dict[str, StreamState] = {}
        self.covered: dict[str, str] = {}  # source id → id of the stream whose poll is a backstop
        self.sources = {source.id: source for source in bot.sources}
        self.backstop = settings.backstop(bot)
        self.wanted: set[str] = set()
        self.last_poll: dict[str, float] = {}
        self.workers: list[Any] = []
        self._persisted = 0.0
        self._saved = {r["id"]: r for r in rows(db, "select * from streams")}

    # -- set-up -------------------------------------------------------------------------------------------------

    def register(self, state: StreamState) -> StreamState:
        saved = self._saved.get(state.id) or {}
        if saved.get("cursor"):
            try:
                state.cursor = int(saved["cursor"])
            except ValueError:
                log.warning("stream \"%s\": stored cursor %r is not a number; starting live", state.id, saved["cursor"])
        state.reconnects = int(saved.get("reconnects") or 0)
        state.events = int(saved.get("events") or 0)
        with self.lock:
            self.states[state.id] = state
            if state.covers:
                for source_id in state.sources:
                    self.covered[source_id] = state.id
        return state

    def add_worker(self, worker: Any) -> None:
        self.workers.append(worker)

    def start(self) -> None:
        for worker in self.workers:
            worker.start()

    def close(self, timeout: float = 3.0) -> None:
        """Stop every stream (sockets closed, threads joined within ``timeout``); what was pushed stays queued for
        the last ``drain``."""
        self.stopping.set()
        self.arrived.set()
        for worker in self.workers:
            worker.close()
        ends = time.monotonic() + timeout
        for worker in self.workers:
            if worker.is_alive():
                worker.join(max(0.0, ends - time.monotonic()))
        with self.lock:
            for state in self.states.values():
                state.status, state.since, state.dirty = "stopped", now_iso(), True

    # -- what the streams call ----------------------------------------------------------------------------------

    def push(self, item: Pushed, *, wait: bool = True) -> bool:
        """Queue an event for the writer; a full queue makes the stream wait (bounded memory), or with
        ``wait=False`` returns False at once (a webhook answers 503)."""
        while True:
            try:
                if wait:
                    self.inbox.put(item, timeout=0.2)
                else:
                    self.inbox.put_nowait(item)
                break
            except queue.Full:
                if not wait or self.stopping.is_set():
                    return False
        self.arrived.set()
        return True

    def heard(self, stream_id: str, *, event: bool = False) -> None:
        state = self.states[stream_id]
        state.last_heard = time.monotonic()
        if event:
            state.events += 1
            state.last_event_at = now_iso()

    def set_status(self, stream_id: str, status: str, error: str = "") -> None:
        with self.lock:
            state = self.states[stream_id]
            if status == "live":
                state.connected_at = now_iso()
                state.last_heard = time.monotonic()
                state.last_error = ""
            if status == "down" and state.status == "live":
                state.reconnects += 1
            if error:
                state.last_error = mask(" ".join(error.split()))[:300]
            if status != state.status:
                state.status, state.since = status, now_iso()
            state.dirty = True

    def cursor(self, stream_id: str) -> int | None:
        """The replay cursor of the last event stored."""
        return self.states[stream_id].cursor

    def request_poll(self, source_ids: Iterable[str]) -> None:
        with self.lock:
            self.wanted.update(i for i in source_ids if i in self.sources)
        self.arrived.set()

    # -- what the daemon calls ----------------------------------------------------------------------------------

    def poll_due(self, source: SourceConfig) -> bool:
        """Whether the daemon's scheduled poll of ``source`` should run now (see the module docstring)."""
        now = time.monotonic()
        with self.lock:
            wanted = source.id in self.wanted
            self.wanted.discard(source.id)
            stream = self.states.get(self.covered.get(source.id, ""))
        due = (wanted or stream is None or not stream.healthy(now)
               or now - self.last_poll.get(source.id, -math.inf) >= self.backstop)
        if due:
            self.last_poll[source.id] = now
        return due

    def polls_now(self, busy: Iterable[str]) -> list[SourceConfig]:
        """The sources a stream asked to poll now, except those with a poll in flight (asked again next tick)."""
        busy = set(busy)
        with self.lock:
            return [self.sources[i] for i in sorted(self.wanted) if i not in busy]

    def drain(self, db: sqlite_utils.Database, now: datetime) -> int:
        """Store what the streams pushed (this is the daemon's writer thread); the number of events handled."""
        items: list[Pushed] = []
        while len(items) < DRAIN_LIMIT:
            try:
                items.append(self.inbox.get_nowait())
            except queue.Empty:
                break
        if items:
            self._store(db, items, now)
        self._watch_health()
        if time.monotonic() - self._persisted > PERSIST_EVERY or any(s.dirty for s in self.states.values()):
            self.persist(db)
        return len(items)

    def _store(self, db: sqlite_utils.Database, items: list[Pushed], now: datetime) -> None:
        from streams.convert import bluesky_post, mastodon_post, statuspage_posts

        by_source: dict[str, list[Pushed]] = {}
        for item in items:
            if item.source is not None:
                by_source.setdefault(item.source.id, []).append(item)
        held: set[str] = set()  # streams with an event not stored: their cursor stays where it was
        for source_id, mine in by_source.items():
            source = self.sources.get(source_id) or mine[0].source
            assert source is not None
            state = source_state(db, source_id)
            if not state or not state["baseline_done"]:
                self.request_poll([source_id])  # its first poll is the quiet baseline; it reads these statements
                continue
            posts: list[Post] = []
            for item in mine:
                try:
                    if item.kind == "bluesky":
                        post = bluesky_post(source, item.payload, item.handle)
                        posts += [post] if post else []
                    elif item.kind == "mastodon":
                        post = mastodon_post(db, source, item.payload)
                        posts += [post] if post else []
                    elif item.kind == "statuspage":
                        posts += statuspage_posts(source, item.payload)
                except (ValueError, TypeError, KeyError, AttributeError) as err:
                    log.warning("stream \"%s\": skipping an event of \"%s\": %s", item.stream_id, source_id,
                                " ".join(str(err).split())[:200])
            if not posts:
                continue
            try:
                outcome = apply_result(db, self.bot, source, PollResult(posts, load_cursor(state)), now, pushed=True)
            except StateError:
                raise
            except Exception:  # this source's batch only; its poll will read the statements again
                log.exception("stream: could not store the statements of \"%s\"", source_id)
                held.update(item.stream_id for item in mine)
                continue
            if outcome.new_posts:
                log.info("source \"%s\" (pushed): %d new statement(s), %d message(s) queued", source_id,
                         outcome.new_posts, outcome.queued)
        with self.lock:
            for item in items:
                state = self.states.get(item.stream_id)
                if state is not None and item.cursor is not None and item.stream_id not in held:
                    if state.cursor is None or item.cursor > state.cursor:
                        state.cursor = item.cursor
                        state.dirty = True

    def _watch_health(self) -> None:
        now = time.monotonic()
        for state in list(self.states.values()):
            healthy = state.healthy(now)
            if healthy != state.healthy_before and state.covers:
                if healthy:
                    log.info("stream \"%s\" is live: %s polled every %s as a backstop", state.id,
                             ", ".join(state.sources), _human(self.backstop))
                elif state.status != "stopped":
                    why = state.last_error or f"nothing heard for {_human(state.silence)}"
                    log.warning("stream \"%s\" is %s (%s): %s polled at their own interval until it is back",
                                state.id, "silent" if state.status == "live" else state.status, why,
                                ", ".join(state.sources))
                state.healthy_before = healthy
                state.dirty = True

    def persist(self, db: sqlite_utils.Database) -> None:
        """Write every stream's state (and stored cursor) to the ``streams`` table, in one transaction."""
        now = time.monotonic()
        with self.lock:
            snapshot = [(s, s.healthy(now)) for s in self.states.values()]
            for state, _ in snapshot:
                state.dirty = False
        with transaction(db):
            for state, healthy in snapshot:
                db.conn.execute(
                    "insert into streams (id, kind, status, detail, sources, cursor, since, connected_at, "
                    "last_heard_at, last_event_at, last_error, reconnects, events, fallback, updated_at) "
                    "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict(id) do update set "
                    "kind = excluded.kind, status = excluded.status, detail = excluded.detail, "
                    "sources = excluded.sources, cursor = excluded.cursor, since = excluded.since, "
                    "connected_at = excluded.connected_at, last_heard_at = excluded.last_heard_at, "
                    "last_event_at = excluded.last_event_at, last_error = excluded.last_error, "
                    "reconnects = excluded.reconnects, events = excluded.events, fallback = excluded.fallback, "
                    "updated_at = excluded.updated_at",
                    (state.id, state.kind, state.status, state.detail, json.dumps(list(state.sources)),
                     str(state.cursor) if state.cursor is not None else None, state.since, state.connected_at,
                     _ago_iso(state.last_heard, now), state.last_event_at, state.last_error, state.reconnects,
                     state.events, 0 if healthy or not state.covers else 1, now_iso()),
                )
        self._persisted = now


def _ago_iso(monotonic_at: float, now: float) -> str:
    if not monotonic_at:
        return ""
    from datetime import timedelta

    from posts import iso_utc
    from store import now_utc

    return iso_utc(now_utc() - timedelta(seconds=max(0.0, now - monotonic_at)))


def _human(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:g} s"
    if seconds < 7200:
        return f"{seconds / 60:g} min"
    return f"{seconds / 3600:g} h"
