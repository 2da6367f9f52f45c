"""One poll cycle: fetch every due source concurrently and, as each fetch completes, ONE transaction for that
source that stores its new posts, classifies and links them, queues the outbox rows and advances the cursor — a
slow source never delays storing the others. Sources that answered "not modified" only advance their cursor,
all of them in one batched transaction.

A source that fails is recorded (one line, backoff) and never stops the others.
"""

from __future__ import annotations

import json
import logging
import math
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlite_utils

from config import BotConfig, SourceConfig, parse_interval
from faults import crash_point
from incidents import (
    Change,
    LinkCache,
    LinkSettings,
    duplicate_candidates,
    incident_key,
    link_order,
    link_statement,
    mark_stale,
    post_data,
    row,
    rows,
)
from logsetup import mask
from posts import Post, iso_utc, parse_time
from store import (
    StateError,
    add_x_reads,
    ensure_source,
    load_cursor,
    now_iso,
    now_utc,
    source_state,
    transaction,
    update_row,
    x_reads_this_month,
)
from trackers import PollResult, SkipSource, TrackerError, tracker_for
from understanding.model import ModelError

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("pushti.poll")
MAX_BACKOFF_SECONDS = 3600.0
DEFAULT_FETCH_WORKERS = 32  # concurrent fetches; ``[bot] fetch_workers`` when the configuration has it
FIRST_POLLS_FOR_A_PARSER = 64  # first polls in one cycle from which fetching + parsing moves to another process
# results waiting for the writer above which the fetcher process reads their texts itself (see _writer_is_behind;
# bench/poll_cycle.py at N = 200: 0 → the fetcher read 85 % of the sources and held the writer up, 4 → about half)
WRITER_BEHIND = 4
UNCHANGED_BATCH = 500  # "not modified" sources whose cursor is advanced in one transaction
_CHUNK = 500  # parameters per "in (…)" lookup (SQLite allows 32,766; small chunks keep each statement cheap)

# The per-poll lookups (tests/test_query_plans.py checks their plans).
SQL_STORED_NATIVE_IDS = "select native_id from posts where source_id = ? and native_id in ({marks})"
SQL_THREAD_LATEST = (
    "select thread_key, max(created_at) as at from posts where source_id = ? and thread_key in ({marks}) "
    "group by thread_key"
)
SQL_NEW_POST_IDS = "select id, source_id, native_id from posts where id > ?"  # the rows just inserted
SQL_MAX_POST_ID = "select max(id) as id from posts"
SQL_OPEN_STATUS = "select status, last_statement_at from incidents where id = ?"
SQL_LATEST_CHANGE = (
    "select * from incident_changes where incident_id = ? and change != 'event' order by at desc, id desc limit 1"
)
SQL_SOURCE_STATES = "select * from sources where id in ({marks})"
SQL_UNCHANGED = (
    "update sources set cursor = ?, baseline_done = 1, last_poll_at = ?, last_success_at = ?, last_error = null, "
    "failures = 0, failing_since = null, alerted = 0, next_due_at = ? where id = ? and baseline_done = 1 "
    "and coalesce(alerted, 0) = 0"
)
HOT_PATH_QUERIES = {
    "SQL_STORED_NATIVE_IDS": SQL_STORED_NATIVE_IDS.format(marks="?, ?"),
    "SQL_THREAD_LATEST": SQL_THREAD_LATEST.format(marks="?, ?"),
    "SQL_NEW_POST_IDS": SQL_NEW_POST_IDS,
    "SQL_MAX_POST_ID": SQL_MAX_POST_ID,
    "SQL_OPEN_STATUS": SQL_OPEN_STATUS,
    "SQL_LATEST_CHANGE": SQL_LATEST_CHANGE,
}


@dataclass
class SourceOutcome:
    source_id: str
    status: str  # ok | unchanged | failed | skipped | backoff
    new_posts: int = 0
    queued: int = 0
    message: str = ""
    seconds: float = 0.0  # time spent storing it (classify + store + link + queue), for the bench
    classify_seconds: float = 0.0  # of which classifying


@dataclass
class CycleReport:
    outcomes: list[SourceOutcome] = field(default_factory=list)
    seconds: float = 0.0  # the whole cycle
    store_seconds: float = 0.0  # the writer's time in transactions (the rest is waiting for fetches)
    # the fetcher process, when one ran: its CPU seconds, and of how many results it read the texts (for the bench)
    fetcher_cpu_seconds: float = 0.0
    fetcher_read: int = 0


    @property
    def failures(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def notices(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status in ("skipped", "backoff")]

    @property
    def queued(self) -> int:
        return sum(o.queued for o in self.outcomes)


def link_settings(bot: BotConfig) -> LinkSettings:
    return LinkSettings(bot.link_window_hours, bot.stale_hours, bot.event_window_minutes)


def _backoff_seconds(source: SourceConfig, failures: int) -> float:
    return min(MAX_BACKOFF_SECONDS, source.every * (2 ** max(0, failures - 1)))


def is_due(state: dict[str, Any] | None, now: datetime, tolerance: float = 0.0) -> bool:
    """Whether a source's next poll (its interval, or its backoff after failures) has come, ``tolerance``
    seconds early allowed (a cron run a second before the minute still polls a "60s" source)."""
    if not state or not state.get("next_due_at"):
        return True
    return state["next_due_at"] <= iso_utc(now + timedelta(seconds=tolerance))


def fetch_one(source: SourceConfig, cursor: dict[str, Any], budget: int | None, http: httpx.Client) -> PollResult | TrackerError:
    """Poll one source's tracker; every failure comes back as a TrackerError (a tracker bug included)."""
    try:
        tracker = tracker_for(source, http=http)
        if source.kind == "x":
            tracker.read_budget = budget  # type: ignore[attr-defined]
        limit = getattr(http, "fetch_deadline", None)
        if not limit:
            return tracker.poll(dict(cursor))
        from trackers.http import poll_deadline

        with poll_deadline(float(limit)):  # one deadline over every document of this poll (fallbacks, pages)
            return tracker.poll(dict(cursor))
    except TrackerError as err:
        return err
    except Exception as err:  # a bug in one tracker is that source's failure, not the cycle's
        log.exception("source \"%s\": tracker crashed", source.id)
        return TrackerError(f"tracker crashed: {type(err).__name__}: {err}")


def _bot_option(bot: BotConfig, name: str) -> Any:
    """A ``[bot]`` setting config.py may not know yet: its field when it has one, else the raw option."""
    value = getattr(bot, name, None)
    if value is None:
        options = getattr(bot, "options", None) or {}
        value = options.get(name)
    return value


def fetch_workers(bot: BotConfig) -> int:
    """How many fetches run at once: ``[bot] fetch_workers`` (1 … 256) when set, else 32."""
    value = _bot_option(bot, "fetch_workers")
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 256:
        if value is not None:
            log.warning("[bot] fetch_workers must be a whole number from 1 to 256, not %r; using %d",
                        value, DEFAULT_FETCH_WORKERS)
        return DEFAULT_FETCH_WORKERS
    return value


_Timed = tuple[PollResult | TrackerError, float, float]  # a poll's result, its wall time, its thread's CPU time
START_IN_FLIGHT = 4  # fetches at once at the start of a cycle, before their timings say how much they wait


def _timed_fetch(source: SourceConfig, cursor: dict[str, Any], budget: int | None, http: httpx.Client) -> _Timed:
    wall, cpu = time.perf_counter(), time.thread_time()
    result = fetch_one(source, cursor, budget, http)
    return result, time.perf_counter() - wall, time.thread_time() - cpu


class _InFlight:
    """How many fetches run at once: from 4 up to ``workers``, as many as the network makes them wait.

    A fetch that spends most of its time waiting on the network (wall time ≫ its own CPU time: a far or slow
    server) needs others in flight to fill that time; fetches that answer at once (304s from a near server) only
    fight for the interpreter lock when there are many, and cost more CPU in all (the connection pool's
    bookkeeping, thread switches). The limit is a low wall/CPU ratio among the last ``WINDOW`` fetches (the 5th
    smallest of 32): the least contended fetches say how long the network itself made them wait (a busy machine
    or the lock make the others look slower than the network is), while a few near sources among far ones (up to
    about 1 in 8) do not hold the far ones back."""

    WINDOW = 32
    RANK = 4  # the 5th smallest ratio of a full window

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.floor = min(workers, START_IN_FLIGHT)
        self.limit = self.floor
        self._ratios: deque[float] = deque(maxlen=self.WINDOW)

    def record(self, wall: float, cpu: float) -> None:
        self._ratios.append(max(0.0, wall) / max(cpu, 1e-6))
        ranked = sorted(self._ratios)
        ratio = ranked[min(len(ranked) - 1, self.RANK)]
        self.limit = max(self.floor, min(self.workers, math.ceil(ratio)))


def fetch_each(
    sources: list[SourceConfig], cursors: dict[str, dict[str, Any]], budgets: dict[str, int], http: httpx.Client,
    stop: threading.Event | None = None, *, workers: int = DEFAULT_FETCH_WORKERS,
) -> Iterator[tuple[SourceConfig, PollResult | TrackerError]]:
    """Poll the sources' trackers concurrently (at most ``workers`` at once, fewer while fetches hardly wait on the
    network: ``_InFlight``) and yield each (source, result) as its fetch completes, so the caller stores it while
    the others are still fetching. At most ``workers`` fetches are started and not yet handed over (bounded
    memory for thousands of sources). On a stop request, yields nothing
    more and does not wait for fetches in flight (their sources are polled next time, cursors untouched)."""
    if not sources:
        return
    workers = max(1, min(workers, len(sources)))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch")
    waiting = iter(sources)
    running: dict[Future[_Timed], SourceConfig] = {}
    finished: queue.SimpleQueue[Future[_Timed]] = queue.SimpleQueue()  # O(1) per completion
    pace = _InFlight(workers)

    def submit_more() -> None:
        while len(running) < pace.limit:
            source = next(waiting, None)
            if source is None:
                return
            future = pool.submit(_timed_fetch, source, cursors.get(source.id, {}), budgets.get(source.id), http)
            running[future] = source
            future.add_done_callback(finished.put)

    try:
        submit_more()
        while running and not (stop is not None and stop.is_set()):
            try:
                future = finished.get(timeout=0.2)
            except queue.Empty:
                continue
            source = running.pop(future)
            if future.cancelled():
                continue
            result, wall, cpu = future.result()
            pace.record(wall, cpu)
            yield source, result
            if stop is not None and stop.is_set():
                return
            submit_more()
    finally:
        # on a stop (also when the caller leaves the loop for one) fetches in flight are not waited for
        pool.shutdown(wait=not (stop is not None and stop.is_set()), cancel_futures=True)


def fetch_processes(bot: BotConfig, due: list[SourceConfig], cursors: dict[str, dict[str, Any]]) -> int:
    """Processes that fetch and parse next to the writer (0: threads in this process). ``[bot] fetch_processes``
    when the configuration has it; else one when the machine has a second core and at least
    ``FIRST_POLLS_FOR_A_PARSER`` sources are read for the first time (their whole history to parse): the parsing
    then runs on the other core while this process classifies and stores. Ordinary polls (304s, a few new
    statements) stay in threads: a process costs more than it saves there."""
    configured = _bot_option(bot, "fetch_processes")
    if configured is not None:
        try:
            return max(0, min(1, int(configured)))
        except (TypeError, ValueError):
            return 0
    if (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    first_polls = sum(1 for source in due if not cursors.get(source.id))
    return 1 if first_polls >= FIRST_POLLS_FOR_A_PARSER else 0


def _portable(result: PollResult | TrackerError) -> Any:
    """A result that survives pickling (an exception's keyword ``retry_after`` would not)."""
    if isinstance(result, TrackerError):
        return ("error", type(result), str(result), result.retry_after)
    return result


def _restore(payload: Any) -> PollResult | TrackerError:
    if isinstance(payload, tuple) and payload and payload[0] == "error":
        _, kind, message, retry_after = payload
        try:
            return kind(message, retry_after=retry_after)
        except TypeError:
            return TrackerError(message, retry_after=retry_after)
    return payload


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent dies (a SIGKILLed bot leaves no fetcher behind)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # not Linux / no libc: the parent kills it on its way out
        pass


def _fetch_process(
    sources: list[SourceConfig], cursors: dict[str, dict[str, Any]], budgets: dict[str, int], workers: int,
    results: Any, deadline: float | None = None, threshold: float | None = None, counters: Any = None,
) -> None:
    """The fetcher process: its own client and threads; each (index, result) is put on ``results`` as it
    completes (the queue is bounded: it waits while the writer is behind). While the writer is behind, this
    process also reads each result's texts and stated times, and on a source's first poll classifies its posts
    (``threshold``: the bot's announce threshold; None: not classified here). ``counters`` (shared doubles): its
    CPU seconds so far and the results it read, updated after each result."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent decides
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    from trackers.http import make_client

    index = {source.id: i for i, source in enumerate(sources)}
    with make_client(deadline=deadline) as client:
        for source, result in fetch_each(sources, cursors, budgets, client, None, workers=workers):
            if isinstance(result, PollResult) and result.posts and _writer_is_behind(results):
                from classify import pre_read  # reading the texts here takes that work off the writer's core
                from incidents import pre_read_earlier, pre_state

                result.readings = pre_read(result.posts)
                result.stated = pre_state(result.posts)
                if threshold is not None and not cursors.get(source.id):
                    result.statements = pre_classify(source, result.posts, result.readings, threshold)
                    # the readings were for classifying, done: not sent (the largest part of a result to pickle, a
                    # millisecond per source each way); a writer that cannot use the statements reads the texts itself
                    result.readings = {}
                result.earlier = pre_read_earlier(result.posts, result.statements, result.stated)
                if counters is not None:
                    counters[1] += 1
            if counters is not None:
                counters[0] = time.process_time()
            results.put((index[source.id], _portable(result)))


def _writer_is_behind(results: Any) -> bool:
    """Whether more than ``WRITER_BEHIND`` results wait for the writer: then this process reads the texts before
    sending (the writer is busy anyway); otherwise results go at once and the writer reads them itself. Not "any
    result waits": a result is counted from its put until the writer takes it, so one in transit would do."""
    try:
        return results.qsize() > WRITER_BEHIND
    except NotImplementedError:  # platforms without sem_getvalue: always read here
        return True


def fetch_each_in_process(
    sources: list[SourceConfig], cursors: dict[str, dict[str, Any]], budgets: dict[str, int],
    stop: threading.Event | None = None, *, workers: int = DEFAULT_FETCH_WORKERS, deadline: float | None = None,
    threshold: float | None = None, report: CycleReport | None = None,
) -> Iterator[tuple[SourceConfig, PollResult | TrackerError]]:
    """``fetch_each`` in a forked process (fetch + parse on another core); results stream back as they complete.
    Should the process die, the sources it had not answered for are fetched here. ``threshold``: the announce
    threshold the process classifies first polls with (see ``_fetch_process``); ``report``: gets the process's CPU
    seconds and how many results it read."""
    if not sources:
        return
    context = multiprocessing.get_context("fork")
    results = context.Queue(maxsize=2 * workers)
    counters = context.Array("d", 2)  # the child's CPU seconds, results it read
    child = context.Process(target=_fetch_process, args=(sources, cursors, budgets, workers, results, deadline,
                                                                  threshold, counters),
                            name="pushti-fetch", daemon=True)
    child.start()
    answered: set[int] = set()
    # every poll in the child ends within its deadline (3 fetches' worth, trackers.http.poll_deadline), so a child
    # silent for longer than that is stuck (a lock inherited through fork): it is killed and the rest fetched here
    from trackers.http import DEFAULT_DEADLINE

    silent_limit = 3 * (deadline or DEFAULT_DEADLINE) + 30.0
    heard_at = time.monotonic()
    try:
        while len(answered) < len(sources) and not (stop is not None and stop.is_set()):
            try:
                index, payload = results.get(timeout=0.2)
                heard_at = time.monotonic()
            except queue.Empty:
                if child.is_alive() and time.monotonic() - heard_at < silent_limit:
                    continue
                if child.is_alive():
                    log.warning("the fetcher process said nothing for %.0f s; fetching the rest here", silent_limit)
                    break
                try:
                    index, payload = results.get(timeout=1.0)  # what it put just before it ended
                except queue.Empty:
                    break
            answered.add(index)
            yield sources[index], _restore(payload)
    finally:
        if child.is_alive():
            child.kill()
        child.join(timeout=5)
        results.close()
        results.cancel_join_thread()
        if report is not None:
            report.fetcher_cpu_seconds, report.fetcher_read = counters[0], int(counters[1])
    if len(answered) < len(sources) and not (stop is not None and stop.is_set()):
        log.warning("the fetcher process ended early (exit %s); fetching the rest here", child.exitcode)
        rest = [source for i, source in enumerate(sources) if i not in answered]
        from trackers.http import make_client

        with make_client(deadline=deadline) as client:
            yield from fetch_each(rest, cursors, budgets, client, stop, workers=workers)


def fetch_all(
    sources: list[SourceConfig], cursors: dict[str, dict[str, Any]], budgets: dict[str, int], http: httpx.Client,
    stop: threading.Event | None = None,
) -> dict[str, PollResult | TrackerError]:
    """Poll every source's tracker concurrently; a slow source never delays the others beyond its timeout.
    On a stop request, returns what has finished (the rest is polled next time, its cursor untouched)."""
    return {source.id: result for source, result in fetch_each(sources, cursors, budgets, http, stop)}


def apply_outcome(
    db: sqlite_utils.Database, bot: BotConfig, source: SourceConfig, result: PollResult | TrackerError, now: datetime
) -> SourceOutcome:
    """Record one source's poll (its posts, or its failure / skip)."""
    if isinstance(result, SkipSource):
        return SourceOutcome(source.id, "skipped", message=f"source \"{source.id}\": {result}")
    if isinstance(result, TrackerError):
        return record_failure(db, bot, source, result, now)
    try:
        return apply_result(db, bot, source, result, now)
    except (StateError, ModelError):
        raise  # the state database or the classifier file cannot be used: bot.py says so in one line
    except Exception as err:  # the store refused this batch: record it, keep the others
        log.exception("source \"%s\": could not store its posts", source.id)
        return record_failure(db, bot, source, TrackerError(f"could not store posts: {err}"), now)


def _notify_policy(source: SourceConfig, baseline: bool, now: datetime) -> tuple[bool, datetime | None]:
    """(notify every change, or only since this time). The first poll of a source is quiet: history only."""
    if not baseline or source.backfill == "all":
        return True, None
    if source.backfill in ("open", "none"):
        return False, None
    return False, now - timedelta(seconds=parse_interval(source.backfill))


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def _stored_posts(db: sqlite_utils.Database, posts: list[Post]) -> set[tuple[str, str]]:
    """Which of these posts are already stored, as (source_id, native_id): one indexed lookup per 500 ids."""
    wanted: dict[str, set[str]] = {}
    for post in posts:
        wanted.setdefault(post.source_id, set()).add(post.native_id)
    stored: set[tuple[str, str]] = set()
    for source_id, native_ids in wanted.items():
        for chunk in _chunks(sorted(native_ids)):
            sql = SQL_STORED_NATIVE_IDS.format(marks=", ".join("?" * len(chunk)))
            stored.update((source_id, found[0]) for found in db.conn.execute(sql, (source_id, *chunk)))
    return stored


def _threads_latest(db: sqlite_utils.Database, source_id: str, thread_keys: set[str]) -> dict[str, datetime | None]:
    """Each thread's latest stored statement time (None: a new thread), for all the poll's threads at once."""
    latest: dict[str, datetime | None] = dict.fromkeys(thread_keys)
    for chunk in _chunks(sorted(thread_keys)):
        sql = SQL_THREAD_LATEST.format(marks=", ".join("?" * len(chunk)))
        for key, at in db.conn.execute(sql, (source_id, *chunk)):
            latest[key] = parse_time(at) if at else None
    return latest


def _insert_posts(db: sqlite_utils.Database, data: list[dict[str, Any]]) -> list[int]:
    """INSERT the poll's new posts in one executemany; their row ids, in order."""
    if not data:
        return []
    columns = list(data[0])
    before = row(db, SQL_MAX_POST_ID)
    floor = int(before["id"] or 0) if before else 0
    db.conn.executemany(
        f"insert into posts ({', '.join(f'[{c}]' for c in columns)}) values ({', '.join('?' * len(columns))})",
        [[item[c] for c in columns] for item in data],
    )
    ids = {(owner, native_id): post_id for post_id, owner, native_id in db.conn.execute(SQL_NEW_POST_IDS, (floor,))}
    return [ids[(item["source_id"], item["native_id"])] for item in data]


def apply_result(
    db: sqlite_utils.Database, bot: BotConfig, source: SourceConfig, result: PollResult, now: datetime,
    *, pushed: bool = False,
) -> SourceOutcome:
    """Store one source's poll in ONE transaction: posts, classification, incidents, outbox, cursor.

    Lookups are batched per poll (which posts are already stored, each thread's latest statement, other sources'
    posts of the same threads for the duplicate check), only posts not yet stored are classified, and the new ones
    are inserted with one executemany before they are linked in order (linking reads other sources' posts only, so
    inserting first changes nothing), with one ``incidents.LinkCache`` for the poll (its keys, the incident rows it
    read or wrote, the writes nothing reads before it ends). The fetcher process may have read the texts
    (``result.readings``), the times they state (``result.stated``) and the earlier words its resolutions read
    back (``result.earlier``) already.

    ``pushed``: the posts came from a stream or a webhook (streams/), not a poll: stored, classified, linked and
    queued the same way, but the source's poll state (cursor, last poll, failures, next due) is left alone."""
    started = time.perf_counter()
    classify_seconds = 0.0
    settings = link_settings(bot)
    with transaction(db):
        state = ensure_source(db, source.id, source.kind, source.service)
        baseline = not state["baseline_done"]
        notify_all, notify_since = _notify_policy(source, baseline, now)
        changes: list[Change] = []
        touched: set[int] = set()
        fresh: list[tuple[Post, Any]] = []
        if result.posts:
            ordered = sorted(result.posts, key=link_order)
            stored = _stored_posts(db, ordered)
            previous = _threads_latest(db, source.id, {p.thread_key for p in ordered if p.thread_key})
            # classified by the fetcher process as if none of these threads had a stored statement: so it is
            pre_classified = result.statements if not any(previous.values()) else {}
            for post in ordered:
                position, gap = _thread_position(post, previous)
                if (post.source_id, post.native_id) in stored:
                    continue  # already stored: its classification would be thrown away
                stored.add((post.source_id, post.native_id))
                from classify import classify  # the model loads only when there is something to read

                tick = time.perf_counter()
                statement = pre_classified.get((post.source_id, post.native_id)) or classify(
                    post, source_kind=source.kind, position=position, gap_seconds=gap,
                    threshold=bot.announce_threshold, readings=result.readings)
                classify_seconds += time.perf_counter() - tick
                fresh.append((post, statement))
        seen_at = now_iso()
        post_ids = _insert_posts(db, [post_data(post, statement, seen_at) for post, statement in fresh])
        candidates = duplicate_candidates(db, [post for post, _ in fresh])  # other sources' posts: fixed meanwhile
        cache = LinkCache()  # this poll's keys, incident rows and waiting writes
        cache.earlier.update(result.earlier)
        cache.load_keys(db, {incident_key(post.service, post.thread_key) for post, _ in fresh if post.thread_key})
        for (post, statement), post_id in zip(fresh, post_ids, strict=True):
            notify = notify_all or (notify_since is not None and post.created_at >= notify_since)
            for change in link_statement(db, post, post_id, statement, settings, notify=notify, candidates=candidates,
                                         pre_stated=result.stated, cache=cache):
                changes.append(change)
                touched.add(change.incident_id)
        cache.flush(db)  # before anything reads the changes or the posts' incidents
        if baseline and source.backfill == "open":
            changes.extend(_announce_open_incidents(db, touched, settings, now, cache))
        queued = 0
        if changes:
            from outbox import enqueue, hold_flood  # render/jinja2 load only when there is something to queue

            if not baseline:  # a page that suddenly lists hundreds of new incidents: one notice, not hundreds
                changes = hold_flood(db, changes, bot, source.id, source.service, iso_utc(now))
            queued = enqueue(db, changes, bot)
        if result.reads:
            add_x_reads(db, result.reads, now)
        recovered = bool(state["alerted"]) and not pushed
        if not pushed:  # pushed by a stream or a webhook: the poll's own state (cursor, backoff) is left to the poll
            update_row(db, "sources",
                source.id,
                {
                    "cursor": json.dumps(result.cursor, ensure_ascii=False, sort_keys=True),
                    "baseline_done": 1,
                    "last_poll_at": iso_utc(now),
                    "last_success_at": iso_utc(now),
                    "last_error": None,
                    "failures": 0,
                    "failing_since": None,
                    "alerted": 0,
                    "next_due_at": iso_utc(now + timedelta(seconds=source.every)),
                },
            )
        if recovered and bot.ops_channel:
            from outbox import enqueue_notice

            enqueue_notice(
                db, bot.ops_channel, f"health|{source.id}|recovered|{iso_utc(now)}",
                f"✅ pushti: watching \"{source.id}\" ({source.service}) works again since {iso_utc(now)}.",
            )
    status = "unchanged" if result.not_modified else "ok"
    return SourceOutcome(source.id, status, len(fresh), queued, seconds=time.perf_counter() - started,
                         classify_seconds=classify_seconds)


def is_plain_unchanged(result: PollResult | TrackerError, state: dict[str, Any] | None) -> bool:
    """A "not modified" answer that only moves the cursor on: no posts, no billed reads, a source past its first
    poll and not flagged as failing (those take the full path: baseline, recovery notice)."""
    return (
        isinstance(result, PollResult) and result.not_modified and not result.posts and not result.reads
        and state is not None and bool(state["baseline_done"]) and not state["alerted"]
    )


def apply_unchanged(
    db: sqlite_utils.Database, bot: BotConfig, batch: list[tuple[SourceConfig, PollResult]], now: datetime
) -> list[SourceOutcome]:
    """Advance the cursors of sources that answered "not modified", all in ONE transaction (one fsync, not one
    per source). Writes exactly what ``apply_result`` writes for such a poll; a source whose row no longer
    qualifies (changed meanwhile) goes through ``apply_outcome``."""
    if not batch:
        return []
    started = time.perf_counter()
    stamp = iso_utc(now)
    missed: list[tuple[SourceConfig, PollResult]] = []
    with transaction(db):
        for source, result in batch:
            cursor = db.conn.execute(SQL_UNCHANGED, (
                json.dumps(result.cursor, ensure_ascii=False, sort_keys=True), stamp, stamp,
                iso_utc(now + timedelta(seconds=source.every)), source.id,
            ))
            if cursor.rowcount != 1:
                missed.append((source, result))
    share = (time.perf_counter() - started) / len(batch)
    outcomes = {source.id: SourceOutcome(source.id, "unchanged", seconds=share) for source, _ in batch}
    for source, result in missed:
        outcomes[source.id] = apply_outcome(db, bot, source, result, now)
    return [outcomes[source.id] for source, _ in batch]


def pre_classify(
    source: SourceConfig, posts: list[Post], readings: dict[str, Any], threshold: float
) -> dict[tuple[str, str], Any]:
    """Each post's Statement, by (source id, native id), exactly as ``apply_result`` classifies it when none of
    the source's statements of these threads is stored yet (a first poll): the same order, thread positions and
    gaps, the first of two posts with one id. Run by the fetcher process on the other core."""
    from classify import classify

    previous: dict[str, datetime | None] = {}
    statements: dict[tuple[str, str], Any] = {}
    for post in sorted(posts, key=link_order):
        position, gap = _thread_position(post, previous)
        key = (post.source_id, post.native_id)
        if key not in statements:
            statements[key] = classify(post, source_kind=source.kind, position=position, gap_seconds=gap,
                                       threshold=threshold, readings=readings)
    return statements


def _thread_position(post: Post, previous: dict[str, datetime | None]) -> tuple[str, float | None]:
    """("first" | "later" | "", seconds since the thread's previous statement) — a model feature. ``previous``
    starts as each thread's latest stored statement (one query per poll), then follows the poll's own order."""
    if not post.thread_key:
        return "", None
    before = previous.get(post.thread_key)
    previous[post.thread_key] = post.created_at
    if before is None:
        return "first", None
    return "later", max(0.0, (post.created_at - before).total_seconds())


def _announce_open_incidents(
    db: sqlite_utils.Database, touched: set[int], settings: LinkSettings, now: datetime, cache: LinkCache | None = None
) -> list[Change]:
    """Quiet first run, backfill "open": one message per incident still open (and not stale), its latest word.
    ``cache``: the poll's ``LinkCache`` (flushed), which holds most touched incidents' rows as stored."""
    fresh_since = iso_utc(now - timedelta(hours=settings.stale_hours))
    announced: list[Change] = []
    kept = cache.incidents if cache is not None else {}
    for incident_id in sorted(touched):
        incident = kept.get(incident_id) or row(db, SQL_OPEN_STATUS, (incident_id,))
        if not incident or incident["status"] != "open" or (incident["last_statement_at"] or "") < fresh_since:
            continue
        latest = row(db, SQL_LATEST_CHANGE, (incident_id,))
        if latest:
            db.conn.execute("update incident_changes set notify = 1 where id = ?", (latest["id"],))
            announced.append(Change(latest["id"], incident_id, latest["change"], latest["post_id"], latest["at"]))
    return announced


def record_failure(
    db: sqlite_utils.Database, bot: BotConfig, source: SourceConfig, err: TrackerError, now: datetime
) -> SourceOutcome:
    with transaction(db):
        state = ensure_source(db, source.id, source.kind, source.service)
        failures = (state["failures"] or 0) + 1
        wait = err.retry_after if err.retry_after is not None else _backoff_seconds(source, failures)
        wait = max(wait, source.every)
        failing_since = state["failing_since"] or iso_utc(now)
        alert = bool(bot.ops_channel) and failures >= bot.failure_alert_after and not state["alerted"]
        update_row(db, "sources",
            source.id,
            {
                "last_poll_at": iso_utc(now),
                "last_error": mask(str(err)),  # a server may have echoed a secret into its error
                "last_error_at": iso_utc(now),
                "failures": failures,
                "failing_since": failing_since,
                "next_due_at": iso_utc(now + timedelta(seconds=wait)),
                "alerted": 1 if (alert or state["alerted"]) else 0,
            },
        )
        if alert:
            enqueue_notice(
                db, bot.ops_channel, f"health|{source.id}|failing|{failing_since}",
                f"⚠️ pushti: watching \"{source.id}\" ({source.service}) is failing since {failing_since}: {err}",
            )
    retry = f", will retry in {_human_seconds(wait)}"
    return SourceOutcome(source.id, "failed", message=f"source \"{source.id}\": {err}{retry}")


def _human_seconds(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def x_budgets(db: sqlite_utils.Database, bot: BotConfig, sources: list[SourceConfig], now: datetime) -> dict[str, int]:
    """Split what is left of the month's X read budget between the X sources polled now."""
    x_sources = [s for s in sources if s.kind == "x"]
    if not x_sources:
        return {}
    left = max(0, bot.x_monthly_reads - x_reads_this_month(db, now))
    share, extra = divmod(left, len(x_sources))
    return {s.id: share + (1 if i < extra else 0) for i, s in enumerate(x_sources)}


def configured_fetch_deadline(bot: BotConfig) -> float | None:
    """``[bot] fetch_deadline`` (seconds, validated by config) when set; None: the environment's / the default."""
    value = _bot_option(bot, "fetch_deadline")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 else None


def source_states(db: sqlite_utils.Database, source_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The sources' state rows, one query per 500 sources (not one per source)."""
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted(set(source_ids))):
        for state in rows(db, SQL_SOURCE_STATES.format(marks=", ".join("?" * len(chunk))), tuple(chunk)):
            found[state["id"]] = state
    return found


def poll_cycle(
    db: sqlite_utils.Database,
    bot: BotConfig,
    *,
    sources: list[SourceConfig] | None = None,
    only_due: bool = True,
    http: httpx.Client | None = None,
    now: datetime | None = None,
    stop: threading.Event | None = None,
) -> CycleReport:
    """Poll the given (default: all configured) sources once and store what they say: each source's transaction
    as soon as its fetch completes; the "not modified" ones in batched transactions. A stop request ends the
    cycle between two transactions (the rest is polled by the next run)."""
    started = time.perf_counter()
    now = now or now_utc()
    chosen = list(sources if sources is not None else bot.sources)
    report = CycleReport()
    due: list[SourceConfig] = []
    cursors: dict[str, dict[str, Any]] = {}
    states: dict[str, dict[str, Any] | None] = {}
    known = source_states(db, [source.id for source in chosen])
    for source in chosen:
        state = known.get(source.id)
        if only_due and state and state["failures"] and not is_due(state, now):
            report.outcomes.append(
                SourceOutcome(source.id, "backoff", message=f"source \"{source.id}\": backing off after "
                              f"{state['failures']} failure(s) until {state['next_due_at']}: {state['last_error']}")
            )
            continue
        if only_due and not is_due(state, now, tolerance=min(5.0, source.every / 2)):
            report.outcomes.append(SourceOutcome(source.id, "not_due"))  # its interval has not passed yet
            continue
        due.append(source)
        states[source.id] = state
        cursors[source.id] = load_cursor(state)
    outcomes: dict[str, SourceOutcome] = {}
    unchanged: list[tuple[SourceConfig, PollResult]] = []

    def flush_unchanged() -> None:
        if not unchanged:
            return
        tick = time.perf_counter()
        for outcome in apply_unchanged(db, bot, unchanged, now):
            outcomes[outcome.source_id] = outcome
        report.store_seconds += time.perf_counter() - tick
        unchanged.clear()
        crash_point("after_source")  # tests: a crash after one transaction, before the next

    processes = fetch_processes(bot, due, cursors) if http is None else 0
    own_client = http is None and bool(due) and not processes
    client = http
    if own_client:
        from trackers.http import make_client

        client = make_client(deadline=configured_fetch_deadline(bot))
    try:
        budgets = x_budgets(db, bot, due, now)
        workers = fetch_workers(bot)
        if processes:
            fetched = fetch_each_in_process(due, cursors, budgets, stop, workers=workers,
                                            deadline=configured_fetch_deadline(bot), threshold=bot.announce_threshold,
                                            report=report)
        else:
            fetched = fetch_each(due, cursors, budgets, client, stop, workers=workers)  # type: ignore[arg-type]
        for source, result in fetched:
            if stop is not None and stop.is_set():
                break  # SIGTERM: stop between two transactions; the rest is polled by the next run
            if is_plain_unchanged(result, states.get(source.id)):
                unchanged.append((source, result))  # type: ignore[arg-type]
                if len(unchanged) >= UNCHANGED_BATCH:
                    flush_unchanged()
                continue
            tick = time.perf_counter()
            outcomes[source.id] = apply_outcome(db, bot, source, result, now)
            report.store_seconds += time.perf_counter() - tick
            crash_point("after_source")  # tests: a crash after one source's transaction, before the next
        flush_unchanged()  # also on a stop: these fetches are done, their transaction is short
    finally:
        if own_client and client is not None:
            client.close()
    report.outcomes.extend(outcomes[s.id] for s in due if s.id in outcomes)  # in configuration order
    with transaction(db):
        mark_stale(db, link_settings(bot), now)
    report.seconds = time.perf_counter() - started
    return report


def store_posts(db: sqlite_utils.Database, bot: BotConfig, source: SourceConfig, posts: list[Post], now: datetime | None = None) -> SourceOutcome:
    """Feed ready-made posts through the same path as a poll (the demo, tests)."""
    state = source_state(db, source.id)
    return apply_result(db, bot, source, PollResult(posts=posts, cursor=load_cursor(state)), now or now_utc())


def enqueue_notice(db: sqlite_utils.Database, channel_id: str, key: str, text: str) -> int:
    """``outbox.enqueue_notice``, imported on first use (outbox loads the renderer and its templates)."""
    from outbox import enqueue_notice as queue_notice

    return queue_notice(db, channel_id, key, text)
