"""One poll cycle: fetch every due source concurrently, then, per source, ONE transaction that stores the new
posts, classifies and links them, queues the outbox rows and advances the cursor.

A source that fails is recorded (one line, backoff) and never stops the others.
"""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlite_utils

from classify import classify
from config import BotConfig, SourceConfig, parse_interval
from faults import crash_point
from incidents import Change, LinkSettings, link_statement, mark_stale, record_post
from outbox import enqueue, enqueue_notice
from posts import Post, iso_utc, parse_time
from store import (
    add_x_reads,
    ensure_source,
    load_cursor,
    now_utc,
    row,
    source_state,
    transaction,
    update_row,
    x_reads_this_month,
)
from trackers import PollResult, SkipSource, TrackerError, tracker_for
from trackers.http import make_client

log = logging.getLogger("pushti.poll")
MAX_BACKOFF_SECONDS = 3600.0


@dataclass
class SourceOutcome:
    source_id: str
    status: str  # ok | unchanged | failed | skipped | backoff
    new_posts: int = 0
    queued: int = 0
    message: str = ""


@dataclass
class CycleReport:
    outcomes: list[SourceOutcome] = field(default_factory=list)

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
        return tracker.poll(dict(cursor))
    except TrackerError as err:
        return err
    except Exception as err:  # a bug in one tracker is that source's failure, not the cycle's
        log.exception("source \"%s\": tracker crashed", source.id)
        return TrackerError(f"tracker crashed: {type(err).__name__}: {err}")


def fetch_all(
    sources: list[SourceConfig], cursors: dict[str, dict[str, Any]], budgets: dict[str, int], http: httpx.Client,
    stop: threading.Event | None = None,
) -> dict[str, PollResult | TrackerError]:
    """Poll every source's tracker concurrently; a slow source never delays the others beyond its timeout.
    On a stop request, returns what has finished (the rest is polled next time, its cursor untouched)."""
    if not sources:
        return {}
    pool = ThreadPoolExecutor(max_workers=min(32, len(sources)), thread_name_prefix="fetch")
    futures = {s.id: pool.submit(fetch_one, s, cursors.get(s.id, {}), budgets.get(s.id), http) for s in sources}
    try:
        pending = set(futures.values())
        while pending and not (stop is not None and stop.is_set()):
            _, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
        return {source_id: f.result() for source_id, f in futures.items() if f.done() and not f.cancelled()}
    finally:
        pool.shutdown(wait=not (stop is not None and stop.is_set()), cancel_futures=True)


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


def apply_result(
    db: sqlite_utils.Database, bot: BotConfig, source: SourceConfig, result: PollResult, now: datetime
) -> SourceOutcome:
    """Store one source's poll in ONE transaction: posts, classification, incidents, outbox, cursor."""
    settings = link_settings(bot)
    with transaction(db):
        state = ensure_source(db, source.id, source.kind, source.service)
        baseline = not state["baseline_done"]
        notify_all, notify_since = _notify_policy(source, baseline, now)
        new_posts = 0
        changes: list[Change] = []
        touched: set[int] = set()
        previous: dict[str, datetime | None] = {}
        for post in sorted(result.posts, key=lambda p: (p.created_at, p.native_id)):
            position, gap = _thread_position(db, source.id, post, previous)
            statement = classify(post, source_kind=source.kind, position=position, gap_seconds=gap,
                                 threshold=bot.announce_threshold)
            post_id = record_post(db, post, statement)
            if post_id is None:
                continue
            new_posts += 1
            notify = notify_all or (notify_since is not None and post.created_at >= notify_since)
            for change in link_statement(db, post, post_id, statement, settings, notify=notify):
                changes.append(change)
                touched.add(change.incident_id)
        if baseline and source.backfill == "open":
            changes.extend(_announce_open_incidents(db, touched, settings, now))
        queued = enqueue(db, changes, bot)
        if result.reads:
            add_x_reads(db, result.reads, now)
        recovered = bool(state["alerted"])
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
            enqueue_notice(
                db, bot.ops_channel, f"health|{source.id}|recovered|{iso_utc(now)}",
                f"✅ pushti: watching \"{source.id}\" ({source.service}) works again since {iso_utc(now)}.",
            )
    status = "unchanged" if result.not_modified else "ok"
    return SourceOutcome(source.id, status, new_posts, queued)


def _thread_position(
    db: sqlite_utils.Database, source_id: str, post: Post, previous: dict[str, datetime | None]
) -> tuple[str, float | None]:
    """("first" | "later" | "", seconds since the thread's previous statement) — a model feature. One query per
    thread and poll (the thread's latest stored statement), then the poll's own order."""
    if not post.thread_key:
        return "", None
    if post.thread_key not in previous:
        found = row(db, "select max(created_at) as at from posts where source_id = ? and thread_key = ?",
                    (source_id, post.thread_key))
        previous[post.thread_key] = parse_time(found["at"]) if found and found["at"] else None
    before = previous[post.thread_key]
    previous[post.thread_key] = post.created_at
    if before is None:
        return "first", None
    return "later", max(0.0, (post.created_at - before).total_seconds())


def _announce_open_incidents(
    db: sqlite_utils.Database, touched: set[int], settings: LinkSettings, now: datetime
) -> list[Change]:
    """Quiet first run, backfill "open": one message per incident still open (and not stale), its latest word."""
    fresh_since = iso_utc(now - timedelta(hours=settings.stale_hours))
    announced: list[Change] = []
    for incident_id in sorted(touched):
        incident = row(db, "select status, last_statement_at from incidents where id = ?", (incident_id,))
        if not incident or incident["status"] != "open" or (incident["last_statement_at"] or "") < fresh_since:
            continue
        latest = row(
            db, "select * from incident_changes where incident_id = ? and change != 'event' order by at desc, id desc limit 1",
            (incident_id,),
        )
        if latest:
            db.execute("update incident_changes set notify = 1 where id = ?", (latest["id"],))
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
                "last_error": str(err),
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
    """Poll the given (default: all configured) sources once and store what they say."""
    now = now or now_utc()
    chosen = list(sources if sources is not None else bot.sources)
    report = CycleReport()
    due: list[SourceConfig] = []
    cursors: dict[str, dict[str, Any]] = {}
    for source in chosen:
        state = source_state(db, source.id)
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
        cursors[source.id] = load_cursor(state)
    own_client = http is None
    client = http or make_client()
    try:
        results = fetch_all(due, cursors, x_budgets(db, bot, due, now), client, stop)
    finally:
        if own_client:
            client.close()
    for source in due:
        if source.id not in results or (stop is not None and stop.is_set()):
            break  # SIGTERM: stop between two transactions; the rest is polled by the next run
        report.outcomes.append(apply_outcome(db, bot, source, results[source.id], now))
        crash_point("after_source")  # tests: a crash after one source's transaction, before the next
    with transaction(db):
        mark_stale(db, link_settings(bot), now)
    return report


def store_posts(db: sqlite_utils.Database, bot: BotConfig, source: SourceConfig, posts: list[Post], now: datetime | None = None) -> SourceOutcome:
    """Feed ready-made posts through the same path as a poll (the demo, tests)."""
    state = source_state(db, source.id)
    return apply_result(db, bot, source, PollResult(posts=posts, cursor=load_cursor(state)), now or now_utc())
