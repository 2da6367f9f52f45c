"""What ``bot.py status`` shows: sources, channels, open incidents and events, the X read budget."""

from __future__ import annotations

import json
import os
from typing import Any

import sqlite_utils

from config import BotConfig
from logsetup import mask, register_secret
from outbox import CRASH_CHECK, pending_counts
from store import now_utc, rows, source_state, x_reads_this_month
from streams.status import stream_lines, stream_status


def _register_channel_secrets(bot: BotConfig) -> None:
    """The channels' tokens and webhook URLs, whatever their variables are called, so errors stored with them (or
    echoed by a server) are masked here too."""
    for channel in bot.channels:
        for option in ("token_env", "webhook_env"):
            name = channel.option(option)
            if name:
                register_secret(os.environ.get(str(name), ""))


def status_data(db: sqlite_utils.Database, bot: BotConfig) -> dict[str, Any]:
    """Everything ``bot.py status`` shows, as data (``--json``); errors are masked."""
    _register_channel_secrets(bot)
    sources = []
    for source in bot.sources:
        state = source_state(db, source.id) or {}
        cursor = state.get("cursor") or "{}"
        sources.append(
            {
                "id": source.id, "kind": source.kind, "service": source.service, "every_seconds": source.every,
                "last_success": state.get("last_success_at"), "last_poll": state.get("last_poll_at"),
                "last_error": mask(state["last_error"]) if state.get("last_error") else None, "failures": state.get("failures") or 0,
                "next_due": state.get("next_due_at"), "cursor": json.loads(cursor) if cursor else {},
            }
        )
    counts = pending_counts(db)
    channels = []
    for channel in bot.channels:
        mine = counts.get(channel.id, {})
        last = rows(db, "select max(sent_at) as t from outbox where channel_id = ? and status = 'sent'", (channel.id,))
        check = rows(db, "select last_error from outbox where channel_id = ? and last_error like ? order by id desc "
                     "limit 1", (channel.id, CRASH_CHECK + "%"))
        channels.append(
            {"id": channel.id, "kind": channel.kind, "pending": mine.get("pending", 0) + mine.get("sending", 0),
             "failed": mine.get("failed", 0), "sent": mine.get("sent", 0), "last_sent": last[0]["t"] if last else None,
             "in_doubt": mine.get("sending", 0),
             "crash_check": mask(check[0]["last_error"]).removeprefix(CRASH_CHECK) if check else None}
        )
    failed_rows = rows(db, "select id, channel_id, message_kind, attempts, last_error from outbox where status = 'failed' order by id")
    for failed in failed_rows:  # errors stored before masking covered them, or echoed by a server
        failed["last_error"] = mask(failed["last_error"]) if failed["last_error"] else failed["last_error"]
    open_incidents = rows(db, "select id, service, title, opened_at, last_statement_at from incidents where status = 'open' order by opened_at")
    events = rows(db, "select id, started_at, status from events where status = 'open' order by started_at")
    used = x_reads_this_month(db)
    return {
        "sources": sources,
        "channels": channels,
        "failed_messages": failed_rows,
        "open_incidents": open_incidents,
        "open_events": events,
        "x_budget": {"month": now_utc().strftime("%Y-%m"), "used": used, "budget": bot.x_monthly_reads},
        "streams": stream_status(db, bot),
    }


def _short(value: Any, width: int) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def status_text(data: dict[str, Any]) -> str:
    lines = ["SOURCES", f"  {'id':<16} {'kind':<11} {'every':>6}  {'last success':<20} {'fails':>5}  {'next due':<20} last error"]
    for s in data["sources"]:
        lines.append(
            f"  {_short(s['id'], 16):<16} {s['kind']:<11} {int(s['every_seconds']):>5}s  {_short(s['last_success'] or '-', 20):<20} "
            f"{s['failures']:>5}  {_short(s['next_due'] or '-', 20):<20} {_short(s['last_error'] or '', 70)}"
        )
    lines += ["", "CHANNELS", f"  {'id':<16} {'kind':<9} {'pending':>7} {'failed':>6} {'sent':>6}  last sent"]
    for c in data["channels"]:
        lines.append(f"  {c['id']:<16} {c['kind']:<9} {c['pending']:>7} {c['failed']:>6} {c['sent']:>6}  {c['last_sent'] or '-'}")
        if c.get("crash_check"):  # e.g. Slack without channels:history: a crash while sending may repeat a message
            lines.append(f"  {'':<16} crash check: {c['crash_check']}")
    if data["failed_messages"]:
        lines += ["", "FAILED MESSAGES (retry: bot.py deliver --retry-failed)"]
        for f in data["failed_messages"]:
            lines.append(f"  #{f['id']} {f['channel_id']} {f['message_kind']} after {f['attempts']} attempt(s): {_short(f['last_error'], 90)}")
    lines += ["", f"OPEN INCIDENTS ({len(data['open_incidents'])})"]
    for i in data["open_incidents"]:
        lines.append(f"  #{i['id']} {i['service']}: {_short(i['title'] or '', 60)} (since {i['opened_at']}, last word {i['last_statement_at']})")
    lines += [f"OPEN EVENTS ({len(data['open_events'])})"]
    for e in data["open_events"]:
        lines.append(f"  event #{e['id']} since {e['started_at']}")
    budget = data["x_budget"]
    lines += ["", f"X READS {budget['month']}: {budget['used']} / {budget['budget']}"]
    lines += stream_lines(data.get("streams") or [])
    return "\n".join(lines)
