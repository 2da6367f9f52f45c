"""Outbox: every incident change becomes one row per channel (written in the poll's transaction), and
``deliver`` sends pending rows: roots, replies in the incident's thread, the root's edit on resolution.

Delivery marks a row ``sending`` (committed) before the network call and ``sent`` with the remote id after it,
so a crash can at worst repeat the one message that was in flight; nothing pending is ever dropped.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlite_utils

from channels import Channel, ChannelError
from config import BotConfig, ChannelConfig
from incidents import Change, _impact_rank
from posts import iso_utc
from render import RenderedMessage, message_context, render
from store import now_iso, now_utc, row, rows, transaction

log = logging.getLogger("pushti.outbox")

CHANGE_TO_MESSAGE = {
    "acknowledged": "acknowledged",
    "update": "update",
    "reopened": "update",
    "resolved": "resolved",
    "event": "event",
}
MAX_ATTEMPTS = 8
STORM_THRESHOLD = 12  # pending rows for one channel beyond which an incident's backlog is collapsed


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
    for change in changes:
        kind = CHANGE_TO_MESSAGE.get(change.change)
        if kind is None:
            continue
        notify = row(db, "select notify from incident_changes where id = ?", (change.id,))
        if not notify or not notify["notify"]:
            continue
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
                "insert or ignore into outbox (channel_id, key, incident_id, change_id, message_kind, status, attempts, "
                "created_at) values (?, ?, ?, ?, ?, 'pending', 0, ?)",
                (channel.id, key, change.incident_id, change.id, message_kind, now_iso()),
            )
            added += cursor.rowcount
    return added


def enqueue_notice(db: sqlite_utils.Database, channel_id: str, key: str, body: str) -> int:
    """A free-text notice (self-health) for one channel; the key makes it idempotent."""
    cursor = db.execute(
        "insert or ignore into outbox (channel_id, key, message_kind, status, attempts, created_at, body) "
        "values (?, ?, 'notice', 'pending', 0, ?, ?)",
        (channel_id, key, now_iso(), body),
    )
    return cursor.rowcount


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    collapsed: int = 0
    errors: list[str] = field(default_factory=list)


def _backoff(attempts: int) -> float:
    return min(3600.0, 2.0 ** attempts) * (0.5 + random.random() / 2)


def collapse_storm(db: sqlite_utils.Database, channel_id: str) -> int:
    """When a channel's backlog is a storm, keep one pending row per incident (its latest) and mark the others
    ``collapsed``; the kept row is rendered as a digest of the incident's statements."""
    pending = rows(
        db, "select id, incident_id, message_kind from outbox where channel_id = ? and status = 'pending' "
        "and incident_id is not null order by id", (channel_id,),
    )
    if len(pending) <= STORM_THRESHOLD:
        return 0
    latest: dict[int, int] = {}
    for item in pending:
        latest[item["incident_id"]] = item["id"]
    collapsed = 0
    with transaction(db):
        for item in pending:
            if latest[item["incident_id"]] != item["id"]:
                db["outbox"].update(item["id"], {"status": "collapsed", "last_error": f"collapsed into #{latest[item['incident_id']]}"})
                collapsed += 1
        for incident_id, keep in latest.items():
            if any(p["incident_id"] == incident_id and p["id"] != keep for p in pending):
                db["outbox"].update(keep, {"message_kind": "digest"})
    return collapsed


def deliver(
    db: sqlite_utils.Database,
    bot: BotConfig,
    channels: dict[str, Channel],
    *,
    retry_failed: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    deadline: float | None = None,
) -> DeliveryReport:
    """Send pending outbox rows, oldest first, channel by channel. A 429 pauses only that channel."""
    report = DeliveryReport()
    if retry_failed:
        with transaction(db):
            db.execute("update outbox set status = 'pending', attempts = 0, next_attempt_at = null where status = 'failed'")
    # rows left 'sending' by a crash are sent again (the at-least-once window: one message at most)
    with transaction(db):
        db.execute("update outbox set status = 'pending' where status = 'sending'")
    for channel_id, channel in channels.items():
        report.collapsed += collapse_storm(db, channel_id)
        paused_until = 0.0
        last_sent = 0.0
        for item in rows(db, "select * from outbox where channel_id = ? and status = 'pending' order by id", (channel_id,)):
            if deadline is not None and time.monotonic() > deadline:
                report.deferred += 1
                continue
            if item["next_attempt_at"] and item["next_attempt_at"] > now_iso():
                report.deferred += 1
                continue
            if paused_until:
                report.deferred += 1
                continue
            gap = channel.min_interval() - (time.monotonic() - last_sent)
            if last_sent and gap > 0:
                sleep(gap)
            outcome = _deliver_one(db, bot, channel, item)
            last_sent = time.monotonic()
            if outcome == "sent":
                report.sent += 1
            elif outcome == "failed":
                report.failed += 1
            else:
                report.deferred += 1
                if outcome == "paused":
                    paused_until = 1.0
            if outcome not in ("sent",):
                latest = row(db, "select last_error from outbox where id = ?", (item["id"],))
                if latest and latest["last_error"]:
                    report.errors.append(f"channel \"{channel_id}\": {latest['last_error']}")
    return report


def _thread_root(db: sqlite_utils.Database, channel_id: str, incident_id: int | None) -> dict[str, Any] | None:
    if incident_id is None:
        return None
    return row(db, "select * from channel_threads where channel_id = ? and incident_id = ?", (channel_id, incident_id))


def _render_row(db: sqlite_utils.Database, bot: BotConfig, channel: Channel, item: dict[str, Any]) -> RenderedMessage:
    config = channel.config
    context = message_context(db, item, config.timezone)
    return render(item["message_kind"], context, markup=channel.markup, languages=config.languages, max_chars=channel.max_chars)


def _deliver_one(db: sqlite_utils.Database, bot: BotConfig, channel: Channel, item: dict[str, Any]) -> str:
    with transaction(db):
        db["outbox"].update(item["id"], {"status": "sending", "attempts": (item["attempts"] or 0) + 1})
    attempts = (item["attempts"] or 0) + 1
    try:
        message = _render_row(db, bot, channel, item)
        root = _thread_root(db, channel.config.id, item["incident_id"])
        reply_to = root["root_remote_id"] if (root and channel.can_thread) else None
        try:
            remote_id = _send_parts(channel, message, reply_to)
        except ChannelError as err:
            if not (err.missing_target and reply_to):
                raise
            remote_id = _send_parts(channel, message, None)  # the thread's root is gone: post on its own
            reply_to = None
        edited = False
        if item["message_kind"] == "resolved" and root and channel.can_edit and message.card:
            try:
                channel.edit(root["root_remote_id"], RenderedMessage(parts=[message.card], card=message.card))
                edited = True
            except ChannelError as err:
                if not (err.missing_target or err.permanent):
                    log.warning("channel \"%s\": could not edit root message: %s", channel.config.id, err)
        with transaction(db):
            db["outbox"].update(
                item["id"], {"status": "sent", "remote_id": remote_id, "sent_at": now_iso(), "last_error": None}
            )
            if item["incident_id"] is not None and (root is None or (reply_to is None and channel.can_thread)):
                # the first message of an incident (or a replacement for a root that was deleted) is its root
                db.execute(
                    "insert or replace into channel_threads (channel_id, incident_id, root_remote_id, root_outbox_id) "
                    "values (?, ?, ?, ?)",
                    (channel.config.id, item["incident_id"], remote_id, item["id"]),
                )
            if edited:
                db.execute(
                    "update channel_threads set edited_at = ? where channel_id = ? and incident_id = ?",
                    (now_iso(), channel.config.id, item["incident_id"]),
                )
        return "sent"
    except ChannelError as err:
        updates: dict[str, Any] = {"last_error": str(err)}
        if err.permanent or attempts >= MAX_ATTEMPTS:
            updates["status"] = "failed"
            outcome = "failed"
        else:
            wait = err.retry_after if err.retry_after is not None else _backoff(attempts)
            updates.update(status="pending", next_attempt_at=iso_utc(now_utc() + timedelta(seconds=wait)))
            outcome = "paused" if err.retry_after is not None else "retry"
        with transaction(db):
            db["outbox"].update(item["id"], updates)
        return outcome
    except Exception as err:  # a rendering bug must not lose the row: keep it, visible, for a retry
        with transaction(db):
            db["outbox"].update(item["id"], {"status": "failed", "last_error": f"{type(err).__name__}: {err}"})
        log.exception("outbox row %s could not be rendered", item["id"])
        return "failed"


def _send_parts(channel: Channel, message: RenderedMessage, reply_to: str | None) -> str:
    """Send each part; later parts reply to the first. Returns the first part's remote id."""
    first = channel.send(RenderedMessage(parts=[message.parts[0]], card=message.card, blocks=message.blocks), reply_to=reply_to)
    for part in message.parts[1:]:
        channel.send(RenderedMessage(parts=[part]), reply_to=first if channel.can_thread else None)
    return first


def pending_counts(db: sqlite_utils.Database) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for item in rows(db, "select channel_id, status, count(*) as n from outbox group by channel_id, status"):
        counts.setdefault(item["channel_id"], {})[item["status"]] = item["n"]
    return counts

