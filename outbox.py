"""Outbox: every incident change becomes one row per channel (written in the poll's transaction), and
``deliver`` sends pending rows: roots, replies in the incident's thread, the root's edits.

The root is edited into a card (card.j2: status line + the company's first statement) on a resolution or a
maintenance's completion, back to ongoing on a reopen, and again on the next resolution. An event (several
services at once) is one message per channel: the first ``event`` row sends it, each later one edits it.

Delivery marks a row ``sending`` (committed) before the network call and ``sent`` with the remote id after it,
so a crash can at worst repeat the one message (part) that was in flight; nothing pending is ever dropped. A
channel that can read its own history (Slack with ``channels:history``) settles that doubt first: each part carries
its outbox id (Slack message metadata), and a part found in the channel is recorded, not sent again; the outcome
is noted in ``last_error`` ("crash check: …", shown by ``bot.py status``). Edits are idempotent (the same text
again is "not modified"), so a crash after an edit only repeats the edit. Pacing, 429 pauses (bounded: at most
15 min each, a few per run), backoff with jitter and storm digests are per channel; every wait is bounded, so no
date arithmetic can overflow. Errors are stored masked (a server may echo a secret).
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlite_utils

import markup as mk
from channels import Channel, ChannelError, HistoryUnreadable
from config import BotConfig, ChannelConfig
from faults import crash_point
from incidents import Change, _impact_rank
from logsetup import mask
from posts import iso_utc, parse_time
from render import RenderedMessage, message_context, render, render_card
from store import StateError, now_iso, now_utc, row, rows, transaction, update_row

log = logging.getLogger("pushti.outbox")

CHANGE_TO_MESSAGE = {
    "acknowledged": "acknowledged",
    "update": "update",
    "reopened": "update",
    "resolved": "resolved",
    "maintenance": "maintenance",  # planned work: its own thread; "completed" edits that thread's first message
    "report": "report",  # a post-incident report: a reply in the incident's thread, never an edit, never a reopen
    "event": "event",
}
MAX_ATTEMPTS = 10  # transient failures of one message before it is marked failed (``[bot] delivery_attempts``)
STORM_THRESHOLD = 12  # pending rows for one channel beyond which an incident's backlog is collapsed
FLOOD_THRESHOLD = 50  # new incidents from one source in one poll beyond which they are held (``[bot] flood_threshold``)
NEW_INCIDENT_CHANGES = ("acknowledged", "maintenance")
MAX_INLINE_WAIT = 60.0  # longest wait (429, pacing, backoff) inside one delivery run (``[bot] delivery_max_wait``)
INLINE_RETRIES = 1  # transient failures of a channel retried within one run before leaving it for the next
MAX_PAUSES = 5  # 429 answers for one channel in one run before it is left for the next run
RETRY_INLINE_WAIT = 3.0  # a backoff longer than this is not waited for inside a run


def _service_matches(channel: ChannelConfig, service: str) -> bool:
    if not channel.services:
        return True
    wanted = {s.lower() for s in channel.services}
    if service.lower() in wanted:
        return True
    try:
        from services import load_catalog

        found = load_catalog().find(service)
    except Exception:
        found = None
    return bool(found) and bool({found.id, found.name.lower()} & wanted)


def channel_wants(channel: ChannelConfig, incident: dict[str, Any]) -> bool:
    """Per-channel filters: services and minimum impact (incidents of unknown impact pass)."""
    if not _service_matches(channel, incident["service"]):
        return False
    if channel.min_impact and incident.get("impact"):
        return _impact_rank(incident["impact"]) >= _impact_rank(channel.min_impact)
    return True


def enqueue(db: sqlite_utils.Database, changes: Iterable[Change], bot: BotConfig) -> int:
    """Add outbox rows for the notifiable changes (inside the caller's transaction). Returns rows added."""
    added = 0
    notified = []
    changes = list(changes)
    flags = _notify_flags(db, [c.id for c in changes if c.change in CHANGE_TO_MESSAGE])
    for change in changes:
        kind = CHANGE_TO_MESSAGE.get(change.change)
        if kind is None:
            continue
        notify = flags.get(change.id)
        if not notify or not notify["notify"]:
            continue
        notified.append(change)
        event_id = int(notify["detail"]) if kind == "event" and str(notify["detail"] or "").isdigit() else None
        incident = row(db, "select * from incidents where id = ?", (change.incident_id,))
        assert incident is not None
        post = row(db, "select source_id, native_id from posts where id = ?", (change.post_id,)) if change.post_id else None
        origin = f"{post['source_id']}|{post['native_id']}" if post else f"incident{change.incident_id}|{change.at}"
        for channel in bot.channels:
            if channel.id == bot.ops_channel or not channel_wants(channel, incident):
                continue
            key = f"{channel.id}|{origin}|{change.change}"
            message_kind = kind
            if kind == "update" and not row(
                db, "select 1 from outbox where channel_id = ? and incident_id = ? and message_kind != 'notice'",
                (channel.id, change.incident_id),
            ):
                message_kind = "acknowledged"  # the channel's first word on this incident opens its thread
            cursor = db.execute(
                "insert or ignore into outbox (channel_id, key, incident_id, change_id, event_id, message_kind, status, "
                "attempts, created_at) values (?, ?, ?, ?, ?, ?, 'pending', 0, ?)",
                (channel.id, key, change.incident_id, change.id, event_id, message_kind, now_iso()),
            )
            added += cursor.rowcount
            if change.change in ("resolved", "reopened") and incident["event_id"]:
                added += _refresh_event(db, channel.id, incident["event_id"], change, f"{channel.id}|{origin}|event")
    if notified and any(c.option("stories") for c in bot.channels):  # channels with stories = true (outbox_story)
        from outbox_story import queue_stories

        added += queue_stories(db, bot, notified)
    return added


SQL_NOTIFY_FLAGS = "select id, notify, detail from incident_changes where id in ({marks})"


def _notify_flags(db: sqlite_utils.Database, change_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The changes' ``notify`` and ``detail``, by id: one query per 500 changes, not one per change (a first poll
    records one change per statement, none of them to announce)."""
    found: dict[int, dict[str, Any]] = {}
    wanted = sorted(set(change_ids))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        for item in rows(db, SQL_NOTIFY_FLAGS.format(marks=",".join("?" * len(chunk))), tuple(chunk)):
            found[item["id"]] = item
    return found


def hold_flood(
    db: sqlite_utils.Database, changes: list[Change], bot: BotConfig, source_id: str, service: str, at: str,
) -> list[Change]:
    """A source that suddenly lists more new incidents in one poll than ``[bot] flood_threshold`` (a page error, a
    migrated status page) is told as ONE notice per channel, not one message per incident: the incidents are
    recorded (``bot.py incidents`` lists them) and their changes in this poll are kept quiet. Returns the changes
    still to announce. Called in the poll's transaction, after a source's baseline."""
    limit = int(bot.options.get("flood_threshold", FLOOD_THRESHOLD))
    new = {c.incident_id for c in changes if c.change in NEW_INCIDENT_CHANGES}
    if len(new) <= limit:
        return changes
    # a maintenance's later stage is a "maintenance" change too: only incidents with no change before this poll's
    first, candidates = min(c.id for c in changes), sorted(new)
    for start in range(0, len(candidates), 500):
        chunk = candidates[start:start + 500]
        new -= {r["incident_id"] for r in rows(
            db, f"select distinct incident_id from incident_changes where incident_id in ({','.join('?' * len(chunk))}) "
            "and id < ?", (*chunk, first))}
    if len(new) <= limit:
        return changes
    held = [c for c in changes if c.incident_id in new]
    for start in range(0, len(held), 500):
        chunk = held[start:start + 500]
        db.execute(f"update incident_changes set notify = 0 where id in ({','.join('?' * len(chunk))})",
                   [c.id for c in chunk])
    count = f"{len(new):,}"
    said = {
        "hi": f"⚠️ {service}: एक ही बार में {count} नई घटनाएं — शायद स्टेटस पेज की गड़बड़ी। इन्हें अलग-अलग नहीं भेजा "
              f"गया; ये दर्ज हैं (bot.py incidents)।",
        "en": f"⚠️ {service}: {count} new incidents in one poll — possible page error. Not posted one by one; "
              f"recorded (bot.py incidents).",
    }
    log.warning("source \"%s\": %s new incidents in one poll (over flood_threshold %d): one notice instead",
                source_id, count, limit)
    for channel in bot.channels:
        if channel.id == bot.ops_channel or _service_matches(channel, service):
            body = "\n\n".join(said[lang] for lang in channel.languages if lang in said)
            enqueue_notice(db, channel.id, f"flood|{channel.id}|{source_id}|{at}", body)
    return [c for c in changes if c.incident_id not in new]


def _refresh_event(db: sqlite_utils.Database, channel_id: str, event_id: int, change: Change, key: str) -> int:
    """A member of an event resolved (or came back): the event's message in this channel, if it has one, is
    edited to say so (one more ``event`` row, after the incident's own)."""
    if not row(db, "select 1 from outbox where channel_id = ? and message_kind = 'event' and event_id = ?",
               (channel_id, event_id)):
        return 0
    cursor = db.execute(
        "insert or ignore into outbox (channel_id, key, incident_id, change_id, event_id, message_kind, status, "
        "attempts, created_at) values (?, ?, ?, ?, ?, 'event', 'pending', 0, ?)",
        (channel_id, key, change.incident_id, change.id, event_id, now_iso()),
    )
    return cursor.rowcount


def enqueue_notice(db: sqlite_utils.Database, channel_id: str, key: str, body: str) -> int:
    """A free-text notice (self-health) for one channel; the key makes it idempotent."""
    cursor = db.execute(
        "insert or ignore into outbox (channel_id, key, message_kind, status, attempts, created_at, body) "
        "values (?, ?, 'notice', 'pending', 0, ?, ?)",
        (channel_id, key, now_iso(), body),
    )
    return cursor.rowcount


def enqueue_day_digest(db: sqlite_utils.Database, bot: BotConfig, day: str) -> int:
    """The digest of one local day (ISO date) for every channel except the ops channel; once per day and channel."""
    from render import DAY_DIGEST

    added = 0
    for channel in bot.channels:
        if channel.id == bot.ops_channel:
            continue
        cursor = db.execute(
            "insert or ignore into outbox (channel_id, key, message_kind, status, attempts, created_at, body) "
            "values (?, ?, 'digest', 'pending', 0, ?, ?)",
            (channel.id, f"{channel.id}|digest|{day}", now_iso(), f"{DAY_DIGEST}{day}"),
        )
        added += cursor.rowcount
    return added


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    collapsed: int = 0
    in_doubt: int = 0  # rows a crash left "sending": sent again, so they may show twice (at most one message each)
    errors: list[str] = field(default_factory=list)


MAX_DEFER = 7 * 24 * 3600.0  # the longest any outbox wait may be (seconds): no date arithmetic can overflow


def _bounded(seconds: float, limit: float = MAX_DEFER) -> float:
    """A wait in seconds made finite and within [0, ``limit``] (nan → 0)."""
    try:
        value = float(seconds)
    except OverflowError:
        return limit
    except (TypeError, ValueError):
        return 0.0
    if value != value:  # nan
        return 0.0
    return min(limit, max(0.0, value))


def _later(seconds: float) -> str:
    """The ISO time ``seconds`` from now, for ``next_attempt_at``; never overflows."""
    return iso_utc(now_utc() + timedelta(seconds=_bounded(seconds)))


def _backoff(attempts: int) -> float:
    """Exponential backoff with jitter: 1–2 s, 2–4 s, 4–8 s, … capped at an hour."""
    return min(3600.0, 2.0 ** min(attempts, 12)) * (0.5 + random.random() / 2)


def collapse_storm(db: sqlite_utils.Database, channel_id: str, threshold: int = STORM_THRESHOLD) -> int:
    """When a channel's backlog is a storm, keep one pending row per incident (its latest) and mark the others
    ``collapsed``; the kept row is rendered as a digest of the incident's statements. An event's rows are kept
    apart (its one message tells every member): only its latest stays. Rows already partly sent are never
    collapsed."""
    pending = rows(
        db, "select id, incident_id, message_kind from outbox where channel_id = ? and status = 'pending' "
        "and incident_id is not null and id not in (select outbox_id from outbox_parts) order by id", (channel_id,),
    )
    if len(pending) <= threshold:
        return 0
    latest: dict[Any, int] = {}
    group: dict[int, Any] = {}
    for item in pending:
        event_id = _event_of(db, item) if item["message_kind"] == "event" else None
        group[item["id"]] = ("event", event_id) if event_id is not None else item["incident_id"]
        latest[group[item["id"]]] = item["id"]
    collapsed = 0
    with transaction(db):
        for item in pending:
            keep = latest[group[item["id"]]]
            if keep != item["id"]:
                update_row(db, "outbox", item["id"], {"status": "collapsed", "last_error": f"collapsed into #{keep}"})
                collapsed += 1
        for key, keep in latest.items():
            if isinstance(key, int) and any(group[p["id"]] == key and p["id"] != keep for p in pending):
                update_row(db, "outbox", keep, {"message_kind": "digest"})
    if collapsed:
        log.info("channel \"%s\": %d queued messages collapsed into one digest per incident", channel_id, collapsed)
    return collapsed


class Pacer:
    """Per channel: at least ``interval`` seconds between two calls, and at most ``count`` calls in any
    ``seconds`` (Telegram groups: 20 a minute). Times are ``time.monotonic()``."""

    def __init__(self, interval: float, window: tuple[int, float] | None) -> None:
        self.interval = max(0.0, interval)
        self.window = window
        self.times: deque[float] = deque(maxlen=max(1, window[0]) if window else 1)

    def next_slot(self) -> float:
        slot = self.times[-1] + self.interval if self.times else 0.0
        if self.window and len(self.times) >= self.window[0]:
            slot = max(slot, self.times[-self.window[0]] + self.window[1])
        return slot

    def record(self) -> None:
        self.times.append(time.monotonic())


@dataclass
class _ChannelState:
    """What a channel's delivery remembers between deliver() calls in one process (the daemon calls often)."""

    pacer: Pacer
    paused_until: float = 0.0  # monotonic; set by a 429


_STATES: weakref.WeakKeyDictionary[Channel, _ChannelState] = weakref.WeakKeyDictionary()


def _state(channel: Channel) -> _ChannelState:
    state = _STATES.get(channel)
    if state is None:
        window = channel.rate_window() if hasattr(channel, "rate_window") else None
        state = _ChannelState(Pacer(channel.min_interval(), window))
        _STATES[channel] = state
    return state


@dataclass
class _Run:
    channel_id: str
    channel: Channel
    queue: list[dict[str, Any]]
    state: _ChannelState
    transient: int = 0  # transient failures this run
    paused: float = 0.0  # seconds of 429 pauses this run
    pauses: int = 0  # 429 answers this run
    retry_at: float = 0.0  # monotonic: when the head row may be tried again after a transient failure
    done: bool = False  # nothing more for this channel in this run

    def ready_at(self) -> float:
        """When the head row may go (monotonic); ``inf`` when its backoff outlasts what one run waits for."""
        now = time.monotonic()
        backoff = self.retry_at
        head = self.queue[0]
        if head.get("next_attempt_at") and not self.retry_at:
            try:
                delta = _bounded((parse_time(head["next_attempt_at"]) - datetime.now(timezone.utc)).total_seconds())
            except (ValueError, OverflowError, TypeError):
                delta = 0.0
            backoff = now + delta
        if backoff - now > RETRY_INLINE_WAIT and backoff > self.state.paused_until + 1:
            return float("inf")  # a backoff (or an earlier run's 429) still running: a later run sends it
        return max(self.state.pacer.next_slot(), self.state.paused_until, backoff)


def deliver(
    db: sqlite_utils.Database,
    bot: BotConfig,
    channels: dict[str, Channel],
    *,
    retry_failed: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    deadline: float | None = None,
    max_wait: float | None = None,
    stop: threading.Event | None = None,
) -> DeliveryReport:
    """Send pending outbox rows, oldest first per channel (so a thread's root goes before its replies).

    Channels are interleaved: each has its own pacing and its own 429 pause, so a rate-limited channel never
    holds up the others. A wait longer than ``max_wait`` (or past ``deadline``) leaves that channel's rows
    pending for the next call; a transient failure is retried once within the call, then left for later with
    exponential backoff; after ``[bot] delivery_attempts`` (default 10) a row is ``failed`` (``bot.py status``,
    ``bot.py deliver --retry-failed``). Nothing is ever dropped.
    """
    report = DeliveryReport()
    limit = int(bot.options.get("delivery_attempts", MAX_ATTEMPTS))
    storm = int(bot.options.get("storm_threshold", STORM_THRESHOLD))
    if max_wait is None:
        max_wait = float(bot.options.get("delivery_max_wait", MAX_INLINE_WAIT))
    with transaction(db):
        if retry_failed:
            db.execute("update outbox set status = 'pending', attempts = 0, next_attempt_at = null where status = 'failed'")
        if any(c.option("story_after") for c in bot.channels):  # developing stories due by the clock (outbox_story)
            from outbox_story import queue_due_stories

            queue_due_stories(db, bot, now_utc())
    # rows a crash left 'sending' may or may not have reached the service: a channel that can read its history
    # (Slack) looks for them there; otherwise they are sent again (at least once)
    for item in rows(db, "select * from outbox where status = 'sending' order by id"):
        report.in_doubt += 1
        _settle_doubt(db, bot, item, channels.get(item["channel_id"]))
    runs: list[_Run] = []
    for channel_id, channel in channels.items():
        report.collapsed += collapse_storm(db, channel_id, storm)
        queue = rows(db, "select * from outbox where channel_id = ? and status = 'pending' order by id", (channel_id,))
        if queue:
            runs.append(_Run(channel_id, channel, queue, _state(channel)))
    while not (stop is not None and stop.is_set()):  # a stop request ends delivery between two messages
        candidates = [(run.ready_at(), index) for index, run in enumerate(runs) if run.queue and not run.done]
        if not candidates:
            break
        ready, index = min(candidates)
        run = runs[index]
        now = time.monotonic()
        wait = max(0.0, ready - now)
        if deadline is not None and now + wait > deadline:
            break
        if wait > max_wait:
            run.done = True
            log.info("channel \"%s\": %d message(s) wait for a later run (rate limit or backoff)", run.channel_id, len(run.queue))
            continue
        if wait > 0:
            sleep(wait)
            if time.monotonic() < ready - 0.05:  # the sleep was interrupted (the daemon is stopping)
                break
        item = run.queue[0]
        outcome, error = _deliver_one(db, bot, run, item, limit, sleep)
        if outcome == "sent":
            report.sent += 1
            run.queue.pop(0)
            run.transient, run.retry_at = 0, 0.0
        elif outcome == "failed":
            report.failed += 1
            run.queue.pop(0)
            run.retry_at = 0.0
            report.errors.append(f"channel \"{run.channel_id}\": message #{item['id']} failed: {error}")
        elif outcome == "paused":
            run.queue[0] = row(db, "select * from outbox where id = ?", (item["id"],)) or item
            run.pauses += 1
            run.paused += max(0.0, run.state.paused_until - time.monotonic())
            if run.pauses > MAX_PAUSES or run.paused > max_wait:  # a service that keeps saying "later": next run
                run.done = True
                report.errors.append(f"channel \"{run.channel_id}\": rate limited {run.pauses} times in a row; "
                                     f"{len(run.queue)} message(s) kept for the next run")
        else:  # transient: retry once in this run, then leave the channel for the next run
            run.transient += 1
            run.queue[0] = row(db, "select * from outbox where id = ?", (item["id"],)) or item
            if run.transient > INLINE_RETRIES:
                run.done = True
                report.errors.append(
                    f"channel \"{run.channel_id}\": {error}; {len(run.queue)} message(s) kept for the next run"
                )
    report.deferred = sum(len(run.queue) for run in runs)
    return report


_DOUBT_WARNED: set[int] = set()
CRASH_CHECK = "crash check: "  # outbox.last_error notes about a message a crash left in doubt (bot.py status)
LOOK_BACK_MARGIN = 120.0  # seconds before the send attempt from which the channel's history is read


def _settle_doubt(db: sqlite_utils.Database, bot: BotConfig, item: dict[str, Any], channel: Channel | None) -> None:
    """A row a crash left ``sending``: find out whether the part in flight reached the channel. Found: it is recorded
    as accepted (never sent again). Not found, or no way to look (Telegram, a webhook, no history scope): back to
    pending, sent again. A lookup that fails for now (network) leaves the row in doubt for the next run."""
    channel_id = item["channel_id"]
    if channel is None or not getattr(channel, "can_look_back", False):
        if channel is None and _looks_back(bot, channel_id):
            return  # the channel is not configured in this run (no token): keep the doubt for a run that can look
        log.warning("channel \"%s\": message #%s was being sent when the bot stopped; sending it again "
                    "(it may show twice)", channel_id, item["id"])
        with transaction(db):
            update_row(db, "outbox", item["id"], {"status": "pending"})
        return
    progress = {r["part"]: r["remote_id"] for r in rows(
        db, "select part, remote_id from outbox_parts where outbox_id = ? and part >= 0", (item["id"],))}
    part = max(progress) + 1 if progress else 0
    threads: list[str] = []
    if part > 0 and progress.get(0):
        threads.append(progress[0])
    elif item["message_kind"] != "event":
        root = _thread_root(db, channel_id, item["incident_id"])
        if root and root["root_remote_id"]:
            threads.append(root["root_remote_id"])
    attempted = item.get("next_attempt_at") or item.get("created_at")
    try:
        since = parse_time(attempted).timestamp() - LOOK_BACK_MARGIN if attempted else 0.0
    except (ValueError, OverflowError, TypeError):
        since = 0.0
    try:
        found = channel.find_sent(item["id"], part, since=since, threads=tuple(threads))  # type: ignore[attr-defined]
    except HistoryUnreadable as err:
        note = (f"{CRASH_CHECK}channel history not readable ({err}): message #{item['id']}, in flight at a crash, "
                "is sent again and may show twice; give the app that scope to close this window")
        log.warning("channel \"%s\": %s", channel_id, note.removeprefix(CRASH_CHECK))
        with transaction(db):
            update_row(db, "outbox", item["id"], {"status": "pending", "last_error": mask(note)})
        return
    except ChannelError as err:
        if err.permanent:
            log.warning("channel \"%s\": could not look for message #%s in the channel's history (%s); sending it "
                        "again (it may show twice)", channel_id, item["id"], err)
            with transaction(db):
                update_row(db, "outbox", item["id"], {"status": "pending"})
        elif item["id"] not in _DOUBT_WARNED:  # the daemon tries every delivery round: say it once
            _DOUBT_WARNED.add(item["id"])
            log.warning("channel \"%s\": message #%s was being sent when the bot stopped and the channel's history "
                        "cannot be read now (%s); it stays in doubt until it can be", channel_id, item["id"], err)
        return
    with transaction(db):
        if found:
            db.execute("insert or replace into outbox_parts (outbox_id, part, remote_id, sent_at) values (?, ?, ?, ?)",
                       (item["id"], part, found, now_iso()))
            note = f"{CRASH_CHECK}found in the channel's history after a crash, not sent again"
            log.info("channel \"%s\": message #%s (part %d) was accepted before the bot stopped (found in the "
                     "channel's history); not sending it again", channel_id, item["id"], part + 1)
        else:
            note = f"{CRASH_CHECK}not in the channel's history after a crash; sent once"
            log.info("channel \"%s\": message #%s was being sent when the bot stopped and never arrived; sending it",
                     channel_id, item["id"])
        update_row(db, "outbox", item["id"], {"status": "pending", "last_error": note})


def _looks_back(bot: BotConfig, channel_id: str) -> bool:
    """Whether the channel could settle a doubt from its history were it usable in this run (a Slack channel with
    a bot token, not a webhook)."""
    try:
        config = bot.channel(channel_id)
    except KeyError:
        return False
    return config.kind == "slack" and not config.option("webhook_env")


def _note(item: dict[str, Any]) -> str | None:
    """What stays in last_error once a row is sent: its crash-check note, if any (bot.py status shows it)."""
    error = item.get("last_error") or ""
    return error if error.startswith(CRASH_CHECK) else None


def _thread_root(db: sqlite_utils.Database, channel_id: str, incident_id: int | None) -> dict[str, Any] | None:
    if incident_id is None:
        return None
    return row(db, "select * from channel_threads where channel_id = ? and incident_id = ?", (channel_id, incident_id))


def _render_row(db: sqlite_utils.Database, bot: BotConfig, channel: Channel, item: dict[str, Any]) -> RenderedMessage:
    config = channel.config
    context = message_context(db, item, config.timezone)
    message = render(item["message_kind"], context, markup=channel.markup, languages=config.languages,
                     max_chars=channel.max_chars)
    if item["message_kind"] == "notice":  # an ops notice quotes an error, which a server may have filled with a secret
        message.parts = [mask(part) for part in message.parts]
        if message.blocks:
            message.blocks = json.loads(mask(json.dumps(message.blocks, ensure_ascii=False)))
        if isinstance(message.extra.get("part_blocks"), list):
            message.extra["part_blocks"] = json.loads(mask(json.dumps(message.extra["part_blocks"], ensure_ascii=False)))
    return message


def _completes(change: dict[str, Any] | None) -> bool:
    """The change ends the thread's story: an incident's resolution or a maintenance's completion."""
    if not change:
        return False
    return change["change"] == "resolved" or (change["change"] == "maintenance" and change["detail"] == "completed")


def _edits_root(db: sqlite_utils.Database, item: dict[str, Any]) -> bool:
    """Whether this row edits the thread's root into its card: a resolution, a maintenance's completion, a reopen
    (back to ongoing), or a digest whose backlog holds one of them. A report (or a plain update) never does."""
    kind = item["message_kind"]
    if kind in ("resolved", "maintenance", "update", "digest") and item.get("change_id"):
        change = row(db, "select change, detail from incident_changes where id = ?", (item["change_id"],))
    else:
        change = None
    if kind == "resolved":
        return True
    if kind == "maintenance":
        return _completes(change)
    if kind == "update":
        return bool(change) and change["change"] == "reopened"
    if kind == "digest" and change is not None:
        if _completes(change) or change["change"] == "reopened":
            return True
        # a backlog that ended on a report (or an update) after a resolution or a reopen it swallowed: its edit
        return bool(row(
            db, "select 1 from outbox o join incident_changes c on c.id = o.change_id where o.channel_id = ? "
            "and o.incident_id = ? and o.status = 'collapsed' and o.last_error = ? "
            "and (c.change in ('resolved', 'reopened') or (c.change = 'maintenance' and c.detail = 'completed'))",
            (item["channel_id"], item["incident_id"], f"collapsed into #{item['id']}"),
        ))
    return False


def _event_of(db: sqlite_utils.Database, item: dict[str, Any]) -> int | None:
    """The event an ``event`` row tells (its own column, else its change's detail, for rows queued before)."""
    if item.get("event_id"):
        return int(item["event_id"])
    found = row(db, "select o.event_id, c.detail from outbox o left join incident_changes c on c.id = o.change_id "
                "where o.id = ?", (item["id"],))
    if found and found["event_id"]:
        return int(found["event_id"])
    detail = str((found or {}).get("detail") or "")
    return int(detail) if detail.isdigit() else None


def _event_message(db: sqlite_utils.Database, channel_id: str, event_id: int, own_id: int) -> str | None:
    """The remote id of the event's message in this channel (the latest event row sent for it), if any."""
    found = row(
        db, "select o.remote_id from outbox o left join incident_changes c on c.id = o.change_id "
        "where o.channel_id = ? and o.message_kind = 'event' and o.status = 'sent' and coalesce(o.remote_id, '') != '' "
        "and o.id != ? and (o.event_id = ? or (o.event_id is null and c.detail = ?)) order by o.id desc limit 1",
        (channel_id, own_id, event_id, str(event_id)),
    )
    return found["remote_id"] if found else None


def _pace(run: _Run, sleep: Callable[[float], None]) -> None:
    wait = run.state.pacer.next_slot() - time.monotonic()
    if wait > 0:
        sleep(wait)


def _deliver_one(
    db: sqlite_utils.Database, bot: BotConfig, run: _Run, item: dict[str, Any], limit: int, sleep: Callable[[float], None]
) -> tuple[str, str]:
    """Deliver one row: (outcome, error) with outcome sent | failed | paused (429) | retry (transient).

    The row is committed ``sending`` before the first network call and ``sent`` right after the last, so a crash
    repeats at most the one message that was in flight. The root's edit on resolution goes first because an edit
    is idempotent (an identical text is "not modified"), and parts already accepted are recorded, never resent.
    """
    channel = run.channel
    attempts = (item["attempts"] or 0) + 1
    with transaction(db):
        # next_attempt_at holds this attempt's time while the row is sending (where a crash's lookup starts)
        update_row(db, "outbox", item["id"], {"status": "sending", "attempts": attempts, "next_attempt_at": now_iso()})
    try:
        if item["message_kind"] == "story":  # a news-story draft: sent once, then edited (outbox_story)
            from outbox_story import deliver_story

            return deliver_story(db, run, item, sleep)
        message = _render_row(db, bot, channel, item)
        if item["message_kind"] == "event":
            return _deliver_event(db, run, item, message, sleep)
        root = _thread_root(db, channel.config.id, item["incident_id"])
        progress = {r["part"]: r["remote_id"] for r in rows(db, "select part, remote_id from outbox_parts where outbox_id = ?", (item["id"],))}
        if root and channel.can_edit and -1 not in progress and _edits_root(db, item):
            _edit_root(db, bot, run, item, root, message, sleep)
        reply_to = root["root_remote_id"] if (root and channel.can_thread) else None
        remote_id, reply_to = _send_parts(db, run, item, message, reply_to, progress, sleep)
        with transaction(db):
            update_row(db, "outbox",
                item["id"], {"status": "sent", "remote_id": remote_id, "sent_at": now_iso(), "last_error": _note(item)}
            )
            if item["incident_id"] is not None and remote_id and item["message_kind"] != "report" and (
                root is None or (reply_to is None and channel.can_thread)
            ):
                # the first message of an incident (or a replacement for a root that was deleted) is its root; a
                # report never is (a root is edited into a status card, and a report must never be overwritten)
                db.execute(
                    "insert or replace into channel_threads (channel_id, incident_id, root_remote_id, root_outbox_id) "
                    "values (?, ?, ?, ?)",
                    (channel.config.id, item["incident_id"], remote_id, item["id"]),
                )
            db.execute("delete from outbox_parts where outbox_id = ?", (item["id"],))
        return "sent", ""
    except ChannelError as err:
        error = mask(str(err))  # a server may echo a token or a webhook's secret path in its error body
        updates: dict[str, Any] = {"last_error": error}
        if err.retry_after is not None and not err.permanent:
            # rate limited: not the message's fault, so not an attempt; the channel pauses, the others go on
            pause = _bounded(err.retry_after)
            run.state.paused_until = time.monotonic() + pause
            updates.update(status="pending", attempts=attempts - 1, next_attempt_at=_later(pause))
            outcome = "paused"
            log.info("channel \"%s\": rate limited, waiting %.0f s", run.channel_id, err.retry_after)
        elif err.permanent or attempts >= limit:
            updates["status"] = "failed"
            outcome = "failed"
        else:
            wait = _bounded(_backoff(attempts))
            run.retry_at = time.monotonic() + wait
            updates.update(status="pending", next_attempt_at=_later(wait))
            outcome = "retry"
        with transaction(db):
            update_row(db, "outbox", item["id"], updates)
        return outcome, error
    except StateError:
        raise  # the state database itself failed: bot.py says so in one line
    except Exception as err:  # a rendering bug must not lose the row: keep it, visible, for a retry
        error = mask(f"{type(err).__name__}: {err}")
        with transaction(db):
            update_row(db, "outbox", item["id"], {"status": "failed", "last_error": error})
        log.exception("outbox row %s could not be rendered", item["id"])
        return "failed", error


def _edit_root(
    db: sqlite_utils.Database, bot: BotConfig, run: _Run, item: dict[str, Any], root: dict[str, Any],
    message: RenderedMessage, sleep: Callable[[float], None],
) -> None:
    channel = run.channel
    card, extra = message.card, message.extra
    if not card:  # a digest that holds a resolution, a completion or a reopen: the card of the incident as it is now
        config = channel.config
        card = render_card(message_context(db, item, config.timezone), markup=channel.markup,
                           languages=config.languages, max_chars=channel.max_chars)
        extra = {"card_blocks": mk.slack_blocks(card)} if channel.markup == "slack" else {}
    if not card:
        return
    _pace(run, sleep)
    try:
        channel.edit(root["root_remote_id"], RenderedMessage(parts=[card], card=card, extra=extra))
    except ChannelError as err:
        if not (err.missing_target or err.permanent):
            raise
        log.warning("channel \"%s\": could not edit the incident's first message: %s", run.channel_id, err)
    finally:
        run.state.pacer.record()
    with transaction(db):
        db.execute("insert or replace into outbox_parts (outbox_id, part, remote_id, sent_at) values (?, -1, ?, ?)",
                   (item["id"], root["root_remote_id"], now_iso()))
        db.execute("update channel_threads set edited_at = ? where channel_id = ? and incident_id = ?",
                   (now_iso(), run.channel_id, item["incident_id"]))


def _deliver_event(
    db: sqlite_utils.Database, run: _Run, item: dict[str, Any], message: RenderedMessage,
    sleep: Callable[[float], None],
) -> tuple[str, str]:
    """An event's one message in this channel: the first row sends it (on its own, in no incident's thread), each
    later row edits it to the event as it is now. An edit is idempotent, so a crash after it only repeats it; a
    message that is gone (or a channel that cannot edit) gets a new one, which later rows then edit."""
    channel = run.channel
    event_id = _event_of(db, item)
    target = _event_message(db, run.channel_id, event_id, item["id"]) if event_id is not None else None
    remote_id = ""
    if target and channel.can_edit:
        text = message.parts[0] if message.parts else ""
        if len(message.parts) > 1:
            log.warning("channel \"%s\": event message longer than one message; the edit keeps its first part",
                        run.channel_id)
        per_part = message.extra.get("part_blocks")
        blocks = per_part[0] if isinstance(per_part, list) and per_part else message.blocks
        _pace(run, sleep)
        try:
            channel.edit(target, RenderedMessage(parts=[text], card=text, extra={"card_blocks": blocks}))
            remote_id = target
        except ChannelError as err:
            if not err.missing_target:
                raise
            log.warning("channel \"%s\": the event's message is gone (%s); sending it anew", run.channel_id, err)
        finally:
            run.state.pacer.record()
    if not remote_id:
        progress = {r["part"]: r["remote_id"] for r in rows(
            db, "select part, remote_id from outbox_parts where outbox_id = ? and part >= 0", (item["id"],))}
        remote_id, _ = _send_parts(db, run, item, message, None, progress, sleep)
    with transaction(db):
        update_row(db, "outbox", item["id"], {"status": "sent", "remote_id": remote_id, "sent_at": now_iso(),
                                              "last_error": _note(item), "event_id": event_id})
        db.execute("delete from outbox_parts where outbox_id = ?", (item["id"],))
    return "sent", ""


def _send_parts(
    db: sqlite_utils.Database, run: _Run, item: dict[str, Any], message: RenderedMessage, reply_to: str | None,
    progress: dict[int, str], sleep: Callable[[float], None],
) -> tuple[str, str | None]:
    """Send each part not yet accepted; later parts reply to the first. Returns (first part's id, reply_to used)."""
    channel = run.channel
    first = progress.get(0, "")
    parts = message.parts or [""]
    for index, text in enumerate(parts):
        if index in progress:
            continue
        target = reply_to if index == 0 else (first if channel.can_thread and first else None)
        per_part = message.extra.get("part_blocks")
        blocks = per_part[index] if isinstance(per_part, list) and index < len(per_part) else (
            message.blocks if index == 0 else None)
        # the outbox id and part travel with the message (Slack metadata), so a crash's doubt can be settled
        part = RenderedMessage(parts=[text], card=message.card, blocks=blocks,
                               extra={**message.extra, "outbox_id": item["id"], "part": index})
        _pace(run, sleep)
        try:
            remote_id = channel.send(part, reply_to=target)
            if index == 0 and target and getattr(channel, "reply_missing", False):
                reply_to = None  # sent on its own because the root is gone: it becomes the new root
        except ChannelError as err:
            run.state.pacer.record()
            if not (index == 0 and err.missing_target and target):
                raise
            reply_to = None  # the thread's root is gone: post on its own (it becomes the new root)
            _pace(run, sleep)
            remote_id = channel.send(part, reply_to=None)
        run.state.pacer.record()
        crash_point("after_send")  # tests: the service accepted the part, nothing is recorded yet
        if index == 0:
            first = remote_id
        if len(parts) > 1 and index < len(parts) - 1:
            with transaction(db):
                db.execute("insert or replace into outbox_parts (outbox_id, part, remote_id, sent_at) values (?, ?, ?, ?)",
                           (item["id"], index, remote_id, now_iso()))
            crash_point("between_parts")  # tests: a part recorded, the next not sent yet
    return first, reply_to


def pending_counts(db: sqlite_utils.Database) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for item in rows(db, "select channel_id, status, count(*) as n from outbox group by channel_id, status"):
        counts.setdefault(item["channel_id"], {})[item["status"]] = item["n"]
    return counts

