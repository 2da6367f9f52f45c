"""What ``bot.py status`` shows of the push streams, read from the ``streams`` table the daemon writes (every few
seconds while it runs): each stream live / silent / down, since when, its replay cursor, and whether its sources
are being polled at their own interval meanwhile (the fallback) or only as a slow backstop."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import sqlite_utils

from config import BotConfig
from logsetup import mask
from posts import iso_utc
from store import now_utc, rows
from streams import settings

STALE = 30.0  # seconds: a row not rewritten for this long belongs to a daemon that is not running


def stream_status(db: sqlite_utils.Database, bot: BotConfig) -> list[dict[str, Any]]:
    if not db["streams"].exists():
        return []
    every = {s.id: s.every for s in bot.sources}
    fresh_since = iso_utc(now_utc() - timedelta(seconds=STALE))
    out = []
    for item in rows(db, "select * from streams order by id"):
        sources = json.loads(item["sources"] or "[]")
        running = (item["updated_at"] or "") >= fresh_since and item["status"] != "stopped"
        if item["kind"] == "webhooks":
            polling = "polled at their own interval (the page stays the source of truth)"
        elif not running:
            polling = "the daemon is not running"
        elif item["fallback"]:
            polling = "FALLBACK: polled at their own interval (" + ", ".join(
                f"{s} every {every.get(s, bot.every):g} s" for s in sources) + ")"
        else:
            polling = f"polled every {settings.backstop(bot):g} s as a backstop"
        out.append({
            "id": item["id"], "kind": item["kind"], "status": item["status"] if running else "not running",
            "fallback": bool(item["fallback"]) and running, "since": item["since"], "detail": item["detail"],
            "sources": sources, "cursor": item["cursor"], "last_heard": item["last_heard_at"] or None,
            "last_event": item["last_event_at"] or None, "reconnects": item["reconnects"] or 0,
            "events": item["events"] or 0, "last_error": mask(item["last_error"]) if item["last_error"] else None,
            "polling": polling, "updated_at": item["updated_at"],
        })
    return out


def stream_lines(streams: list[dict[str, Any]]) -> list[str]:
    if not streams:
        return []
    lines = ["", "STREAMS"]
    for s in streams:
        state = "silent" if s["fallback"] and s["status"] == "live" else s["status"]
        lines.append(f"  {s['id']:<16} {s['kind']:<9} {state} since {s['since']}  {s['detail']}")
        lines.append(f"  {'':<16} events {s['events']}, reconnects {s['reconnects']}, last heard {s['last_heard'] or '-'}"
                     + (f", cursor {s['cursor']}" if s["cursor"] else ""))
        if s["last_error"]:
            lines.append(f"  {'':<16} last error: {s['last_error'][:120]}")
        lines.append(f"  {'':<16} {', '.join(s['sources']) or 'no source'}: {s['polling']}")
    return lines
