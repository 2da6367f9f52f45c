"""The daemon (``bot.py run``): ``schedule`` jobs per source at its interval (with jitter), fetches in a thread
pool so a slow source never delays the others, one writer thread (this one) for the store, deliveries between
polls, and a clean exit on SIGTERM/SIGINT after the current transaction.

On SIGTERM the daemon stores what has finished, cuts the fetches still in flight short (``Client.abort``: their
sockets are shut down, their results dropped, their cursors untouched, so the next start polls them again) and
exits within a few seconds: the fetch workers are daemon threads, so one stuck in a read (an X request through
tweepy, which the shared client cannot cut) never holds the process at exit.
"""

from __future__ import annotations

import logging
import queue
import random
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import schedule

from config import BotConfig, SourceConfig
from incidents import mark_stale
from outbox import deliver, enqueue_day_digest
from pipeline import (
    apply_outcome,
    apply_unchanged,
    configured_fetch_deadline,
    fetch_one,
    fetch_workers,
    is_due,
    is_plain_unchanged,
    link_settings,
    source_states,
    x_budgets,
)
from store import load_cursor, now_utc, open_db, source_state, transaction
from trackers import TrackerError
from trackers.http import abort_client, make_client

log = logging.getLogger("pushti.daemon")
STOP_GRACE = 2.0  # seconds to let cut-short fetches unwind before the shared client is closed
MIN_DELIVERY = 0.25  # seconds a delivery round runs before a pushed statement may cut it short (streams/)


class FetchPool:
    """A fixed set of daemon worker threads running submitted jobs: unlike ThreadPoolExecutor's workers, which the
    interpreter joins at exit, a worker blocked in a read never keeps a stopped daemon alive."""

    def __init__(self, workers: int, name: str = "fetch") -> None:
        self.jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self.busy = 0
        self.idle = threading.Condition()
        self.threads = [threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True) for i in range(workers)]

    def submit(self, job: Callable[[], None]) -> None:
        with self.idle:
            self.busy += 1
            for thread in self.threads:  # started with the first job: a Daemon that never runs starts none
                if not thread.is_alive() and thread.ident is None:
                    thread.start()
        self.jobs.put(job)

    def _work(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            try:
                job()
            except Exception:  # a job reports its own failures; never lose a worker to one
                log.exception("fetch worker: unexpected error")
            finally:
                with self.idle:
                    self.busy -= 1
                    self.idle.notify_all()

    def shutdown(self) -> None:
        """Drop the jobs not started yet and let the workers end after their current job."""
        while True:
            try:
                if self.jobs.get_nowait() is not None:
                    with self.idle:
                        self.busy -= 1
            except queue.Empty:
                break
        for _ in self.threads:
            self.jobs.put(None)

    def wait_idle(self, timeout: float) -> bool:
        """Whether every started job ended within ``timeout`` seconds."""
        with self.idle:
            return self.idle.wait_for(lambda: self.busy <= 0, timeout)


class Daemon:
    def __init__(self, bot: BotConfig, channels: dict[str, Any], *, workers: int | None = None,
                 listen: str | None = None) -> None:
        self.bot = bot
        self.channels = channels
        self.db = open_db(bot.state)
        self.http = make_client(deadline=configured_fetch_deadline(bot))
        workers = workers or fetch_workers(bot)
        self.pool = FetchPool(workers)
        # bounded: a first run of many sources never holds every fetched document in memory at once (a worker waits
        # while the writer, this thread, stores what came before)
        self.results: queue.Queue[tuple[SourceConfig, Any, float]] = queue.Queue(maxsize=2 * workers)
        self.in_flight: set[str] = set()
        self.stop = threading.Event()
        self.scheduler = schedule.Scheduler()
        self.poll_log: list[tuple[str, float, float]] = []  # (source id, started, finished), for the bench
        self.site = None  # [bot] site_dir: the history site's changed pages after each poll (outputs/site)
        if bot.options.get("site_dir"):  # the site's modules (Jinja2, the renderer) load only when it is wanted
            from outputs.site import site_refresher

            self.site = site_refresher(bot)
        from streams.setup import build_hub

        # push streams and the webhook receiver (streams/): None when the configuration streams nothing
        self.streams = build_hub(bot, self.db, self.http, listen=listen)

    def submit(self, source: SourceConfig) -> None:
        """Start one source's fetch unless it is still running (never two polls of one source at once)."""
        if source.id in self.in_flight or self.stop.is_set():
            return
        if self.streams is not None and not self.streams.poll_due(source):
            return  # its stream is live: the poll is a slow backstop (streams/hub.py)
        state = source_state(self.db, source.id)
        now = now_utc()
        if state and state["failures"] and not is_due(state, now):
            return  # backing off after failures
        budget = x_budgets(self.db, self.bot, [source], now).get(source.id)
        cursor = load_cursor(state)
        self.in_flight.add(source.id)
        started = time.monotonic()

        def work() -> None:
            result = fetch_one(source, cursor, budget, self.http)
            self.results.put((source, result, started))

        self.pool.submit(work)

    def drain(self) -> int:
        """Store every finished fetch (this thread is the only writer); the "not modified" ones in one transaction."""
        finished: list[tuple[SourceConfig, Any, float]] = []
        while True:
            try:
                finished.append(self.results.get_nowait())
            except queue.Empty:
                break
        now = now_utc()
        states = source_states(self.db, [source.id for source, _, _ in finished])
        plain = [(source, result) for source, result, _ in finished if is_plain_unchanged(result, states.get(source.id))]
        batched = {source.id for source, _ in plain}
        for source, _ in plain:
            self.in_flight.discard(source.id)
        apply_unchanged(self.db, self.bot, plain, now)
        handled = len(plain)
        for source, result, started in finished:
            self.poll_log.append((source.id, started, time.monotonic()))
            if source.id in batched:
                continue
            outcome = apply_outcome(self.db, self.bot, source, result, now)
            self.in_flight.discard(source.id)
            handled += 1
            if outcome.status == "failed" or (isinstance(result, TrackerError) and outcome.message):
                log.warning("%s", outcome.message)
            elif outcome.new_posts:
                log.info("source \"%s\": %d new statement(s), %d message(s) queued", source.id, outcome.new_posts, outcome.queued)
        return handled

    def queue_daily_digest(self) -> None:
        """At ``[bot] digest_at`` (local time) queue the previous day's digest; idempotent per day, so a restart
        after the hour still sends it once."""
        if not self.bot.digest_at:
            return
        local = datetime.now(ZoneInfo(self.bot.timezone))
        if local.strftime("%H:%M") < self.bot.digest_at:
            return
        day = (local.date() - timedelta(days=1)).isoformat()
        with transaction(self.db):
            if enqueue_day_digest(self.db, self.bot, day):
                log.info("digest of %s queued", day)

    def schedule_sources(self) -> None:
        """One job per source at its interval; first runs spread over the first interval (jitter), so 200
        sources at "60s" do not all fetch in the same second."""
        start = datetime.now()
        for source in self.bot.sources:
            job = self.scheduler.every(max(0.1, source.every)).seconds.do(self.submit, source)
            job.next_run = start + timedelta(seconds=random.uniform(0, min(source.every, 10.0)))
        if self.bot.digest_at:
            self.scheduler.every(1).minutes.do(self.queue_daily_digest)

    def run(self, *, duration: float | None = None, install_signals: bool = True, tick: float = 0.1) -> None:
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: self.stop.set())
        self.schedule_sources()
        if self.streams is not None:
            self.streams.start()
        log.info("running: %d source(s), %d channel(s), state %s", len(self.bot.sources), len(self.channels), self.bot.state)
        end = time.monotonic() + duration if duration else None
        last_stale = last_delivery = last_site = 0.0
        try:
            while not self.stop.is_set() and (end is None or time.monotonic() < end):
                self.scheduler.run_pending()
                handled = self.drain()
                if self.streams is not None:
                    for source in self.streams.polls_now(self.in_flight):
                        self.submit(source)
                    self.streams.arrived.clear()
                    handled += self.streams.drain(self.db, now_utc())
                if self.site and (handled or time.monotonic() - last_site > 60):
                    self.site.refresh(self.db)  # a cheap check first: pages are built only when the store changed
                    last_site = time.monotonic()
                if (handled or time.monotonic() - last_delivery > 1.0) and self.channels:
                    last_delivery = time.monotonic()
                    # a pushed statement cuts a long delivery round short: it is stored, then delivered too
                    interrupt = self.stop if self.streams is None else _Either(
                        self.stop, self.streams.arrived, after=time.monotonic() + MIN_DELIVERY)
                    deliver(self.db, self.bot, self.channels, deadline=time.monotonic() + 2.0, sleep=self._sleep,
                            stop=interrupt)  # type: ignore[arg-type]
                if time.monotonic() - last_stale > 60:
                    with transaction(self.db):
                        mark_stale(self.db, link_settings(self.bot), now_utc())
                    last_stale = time.monotonic()
                (self.stop if self.streams is None else self.streams.arrived).wait(tick)
        finally:
            self.shutdown()
            log.info("stopped")

    def shutdown(self) -> None:
        """Store what has finished, cut the fetches still in flight short (dropped: polled again next start), close."""
        self.stop.set()
        if self.streams is not None:  # streams closed; what they pushed is stored
            self.streams.close()
            self.streams.drain(self.db, now_utc())
        self.pool.shutdown()
        self.drain()
        abort_client(self.http)
        if self.pool.wait_idle(STOP_GRACE):
            self.http.close()  # with a fetch still running (X through tweepy), exiting closes everything anyway
        if self.in_flight:
            log.info("%d fetch(es) cut short by the stop: polled again at the next start", len(self.in_flight))

    def _sleep(self, seconds: float) -> None:
        self.stop.wait(seconds)


class _Either:
    """``deliver``'s stop: the daemon stopping, or a pushed statement waiting to be stored — the latter only after
    ``after`` (time.monotonic()), so a flood of pushed events never starves delivery."""

    def __init__(self, stop: threading.Event, arrived: threading.Event, *, after: float) -> None:
        self.stop = stop
        self.arrived = arrived
        self.after = after

    def is_set(self) -> bool:
        return self.stop.is_set() or (self.arrived.is_set() and time.monotonic() >= self.after)


def run_daemon(bot: BotConfig, channels: dict[str, Any], *, duration: float | None = None,
               on_start: Callable[[Daemon], None] | None = None, listen: str | None = None) -> Daemon:
    daemon = Daemon(bot, channels, listen=listen)
    if on_start:
        on_start(daemon)
    random.seed()
    daemon.run(duration=duration)
    return daemon
