"""Incidents: links each classified statement to the incident it is about and records every change.

Exact ids first (a source's incident id / conversation id), then the open incident of the same service within
the link window. A resolution closes the incident; an update after resolution reopens it; incidents with no word
for ``stale_hours`` are marked stale. Incidents of several services that overlap form an event.
Runs inside the caller's transaction; returns the change rows it wrote.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from classify import Statement
from posts import Post, iso_utc, parse_time
from store import insert_row, now_iso, row, rows, update_row

STATUS_OPEN = "open"
STATUS_RESOLVED = "resolved"
STATUS_STALE = "stale"


@dataclass(frozen=True)
class LinkSettings:
    window_hours: float = 12.0
    stale_hours: float = 48.0
    event_window_minutes: float = 90.0


@dataclass(frozen=True)
class Change:
    id: int
    incident_id: int
    change: str  # acknowledged | update | resolved | reopened | stale
    post_id: int | None
    at: str


def _norm_text(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def incident_key(service: str, thread_key: str) -> str:
    return f"{service.lower()}|{thread_key}"


def record_post(db: sqlite_utils.Database, post: Post, statement: Statement) -> int | None:
    """Insert the post (with its classification). Returns the new row id, or None if it was already stored."""
    existing = row(
        db, "select id from posts where source_id = ? and native_id = ?", (post.source_id, post.native_id)
    )
    if existing:
        return None
    data = post.to_row()
    data.update(
        components=json.dumps(list(post.components), ensure_ascii=False),
        is_reply=int(post.is_reply),
        is_self_reply=int(post.is_self_reply),
        kind=statement.kind,
        confidence=statement.confidence,
        reason=statement.reason,
        symptoms=json.dumps(list(statement.symptoms)),
        language=post.language or statement.language,
        seen_at=now_iso(),
    )
    return insert_row(db, "posts", data)


def _duplicate_of(db: sqlite_utils.Database, post: Post, post_id: int) -> dict[str, Any] | None:
    """The same statement already read through another source of the service (status page JSON and feed)."""
    if not post.thread_key:
        return None
    minute = iso_utc(post.created_at)[:16]
    for other in rows(
        db,
        "select id, text, incident_id, created_at from posts where service = ? and thread_key = ? "
        "and source_id != ? and id != ? and substr(created_at, 1, 16) = ? and duplicate_of is null",
        (post.service, post.thread_key, post.source_id, post_id, minute),
    ):
        if _norm_text(other["text"]) == _norm_text(post.text):
            return other
    return None


def _add_change(
    db: sqlite_utils.Database, incident_id: int, change: str, post_id: int | None, at: str, notify: bool, detail: str = ""
) -> Change:
    change_id = insert_row(db, "incident_changes",
        {"incident_id": incident_id, "change": change, "post_id": post_id, "at": at, "recorded_at": now_iso(),
         "notify": int(notify), "detail": detail}
    )
    return Change(change_id, incident_id, change, post_id, at)


def _find_open_incident(db: sqlite_utils.Database, post: Post, settings: LinkSettings) -> dict[str, Any] | None:
    """The open incident of the same service whose last word is within the window. A status-page statement (it
    has a structured status) does not join an incident that already follows a *different* incident id of the same
    page: two concurrent incidents on one status page stay apart. Social posts carry no incident id (a new
    top-level post starts a new conversation), so they join the service's open incident."""
    since = iso_utc(post.created_at - timedelta(hours=settings.window_hours))
    candidates = rows(
        db,
        "select * from incidents where lower(service) = lower(?) and status = ? and last_statement_at >= ? "
        "order by last_statement_at desc",
        (post.service, STATUS_OPEN, since),
    )
    for incident in candidates:
        if post.thread_key and post.status:
            clash = row(
                db,
                "select 1 from incident_keys where incident_id = ? and source_id = ? and key != ?",
                (incident["id"], post.source_id, incident_key(post.service, post.thread_key)),
            )
            if clash:
                continue
        return incident
    return None


def link_statement(
    db: sqlite_utils.Database,
    post: Post,
    post_id: int,
    statement: Statement,
    settings: LinkSettings,
    *,
    notify: bool = True,
) -> list[Change]:
    """Link one newly stored post to its incident; write and return the incident changes it causes."""
    at = iso_utc(post.created_at)
    duplicate = _duplicate_of(db, post, post_id)
    if duplicate is not None:
        update_row(db, "posts", post_id, {"duplicate_of": duplicate["id"], "incident_id": duplicate["incident_id"]})
        return []

    incident = None
    key = incident_key(post.service, post.thread_key) if post.thread_key else ""
    if key:
        known = row(db, "select incident_id from incident_keys where key = ?", (key,))
        if known:
            incident = row(db, "select * from incidents where id = ?", (known["incident_id"],))
    if statement.kind == "noise":
        if incident is not None:
            update_row(db, "posts", post_id, {"incident_id": incident["id"]})
        return []
    if incident is None:
        incident = _find_open_incident(db, post, settings)

    changes: list[Change] = []
    if incident is None:
        resolved = statement.kind == "resolved"
        incident_id = insert_row(db, "incidents",
            {
                "service": post.service,
                "title": post.title,
                "status": STATUS_RESOLVED if resolved else STATUS_OPEN,
                "impact": post.impact,
                "opened_at": None if resolved else at,
                "acknowledged_at": None if resolved else at,
                "resolved_at": at if resolved else None,
                "duration_seconds": None,
                "last_statement_at": at,
                "created_at": now_iso(),
                "updated_at": now_iso(),
            }
        )
        changes.append(_add_change(db, incident_id, "resolved" if resolved else "acknowledged", post_id, at, notify))
        if not resolved:
            changes.extend(_join_event(db, incident_id, post, settings, notify))
    else:
        incident_id = incident["id"]
        updates: dict[str, Any] = {"updated_at": now_iso()}
        if at > (incident["last_statement_at"] or ""):
            updates["last_statement_at"] = at
        if post.title and not incident["title"]:
            updates["title"] = post.title
        if post.impact and _impact_rank(post.impact) > _impact_rank(incident["impact"] or ""):
            updates["impact"] = post.impact
        if statement.kind == "resolved":
            if incident["status"] == STATUS_RESOLVED:
                change = "update"  # a second "Resolved" in one incident: keep the first resolution time
            else:
                change = "resolved"
                updates.update(status=STATUS_RESOLVED, resolved_at=at)
                if incident["opened_at"]:
                    seconds = (post.created_at - parse_time(incident["opened_at"])).total_seconds()
                    updates["duration_seconds"] = max(0, int(seconds))
        elif incident["status"] == STATUS_STALE:
            change = "update"  # word again after a long silence: the incident is simply open again
            updates["status"] = STATUS_OPEN
        elif incident["status"] == STATUS_RESOLVED and at > (incident["resolved_at"] or ""):
            change = "reopened"
            updates.update(status=STATUS_OPEN, resolved_at=None, duration_seconds=None, reopened=(incident["reopened"] or 0) + 1)
        else:
            change = "update"
        update_row(db, "incidents", incident_id, updates)
        changes.append(_add_change(db, incident_id, change, post_id, at, notify))
        if change == "resolved":
            _close_event_if_done(db, incident_id)
    if key:
        db.execute(
            "insert or ignore into incident_keys (key, incident_id, source_id) values (?, ?, ?)",
            (key, incident_id, post.source_id),
        )
    update_row(db, "posts", post_id, {"incident_id": incident_id})
    return changes


IMPACT_ORDER = ("", "none", "minor", "major", "critical")


def _impact_rank(impact: str) -> int:
    return IMPACT_ORDER.index(impact) if impact in IMPACT_ORDER else 0


def _owner(service: str) -> str:
    try:
        from services import load_catalog

        found = load_catalog().find(service)
    except Exception:  # the catalog is optional for linking
        return ""
    return found.owner if found else ""


def _join_event(
    db: sqlite_utils.Database, incident_id: int, post: Post, settings: LinkSettings, notify: bool
) -> list[Change]:
    """Group a newly opened incident with overlapping incidents of *other* services into one event."""
    incident = row(db, "select * from incidents where id = ?", (incident_id,))
    assert incident is not None
    opened = post.created_at
    window = timedelta(minutes=settings.event_window_minutes)
    owner = _owner(post.service)
    others = rows(
        db,
        "select * from incidents where id != ? and lower(service) != lower(?) and opened_at is not null "
        "and status in ('open', 'resolved') and (resolved_at is null or resolved_at >= ?) and opened_at <= ? "
        "order by opened_at",
        (incident_id, post.service, iso_utc(opened), iso_utc(opened + window)),
    )
    partners = []
    for other in others:
        other_open = parse_time(other["opened_at"])
        other_end = parse_time(other["resolved_at"]) if other["resolved_at"] else None
        overlaps = other_open <= opened and (other_end is None or other_end >= opened)
        starts_close = abs(other_open - opened) <= window
        same_owner = bool(owner) and _owner(other["service"]) == owner
        if (overlaps and same_owner) or (starts_close and (other_end is None or other_end >= opened)):
            partners.append(other)
    if not partners:
        return []
    event_id = next((p["event_id"] for p in partners if p["event_id"]), None)
    if event_id is None:
        first = min(partners, key=lambda p: p["opened_at"])
        event_id = insert_row(db, "events",
            {"title": "", "owner": owner, "started_at": first["opened_at"], "ended_at": None, "status": STATUS_OPEN,
             "created_at": now_iso(), "updated_at": now_iso()}
        )
    members = [p["id"] for p in partners if p["event_id"] != event_id] + [incident_id]
    db.execute(
        f"update incidents set event_id = ? where id in ({', '.join('?' * len(members))})", (event_id, *members)
    )
    event = row(db, "select * from events where id = ?", (event_id,))
    assert event is not None
    started = min(event["started_at"], iso_utc(opened))
    update_row(db, "events", event_id, {"started_at": started, "status": STATUS_OPEN, "ended_at": None, "updated_at": now_iso()})
    return [_add_change(db, incident_id, "event", None, iso_utc(opened), notify, detail=str(event_id))]


def _close_event_if_done(db: sqlite_utils.Database, incident_id: int) -> None:
    incident = row(db, "select event_id from incidents where id = ?", (incident_id,))
    if not incident or not incident["event_id"]:
        return
    members = rows(db, "select status, resolved_at from incidents where event_id = ?", (incident["event_id"],))
    if all(m["status"] != STATUS_OPEN for m in members):
        ended = max((m["resolved_at"] or "") for m in members) or None
        update_row(db, "events", incident["event_id"], {"status": STATUS_RESOLVED, "ended_at": ended, "updated_at": now_iso()})


def mark_stale(db: sqlite_utils.Database, settings: LinkSettings, now: datetime) -> list[Change]:
    """Open incidents with no statement for ``stale_hours`` become stale (recorded as a change, not notified)."""
    cutoff = iso_utc(now - timedelta(hours=settings.stale_hours))
    changes = []
    for incident in rows(
        db, "select id from incidents where status = ? and last_statement_at < ?", (STATUS_OPEN, cutoff)
    ):
        update_row(db, "incidents", incident["id"], {"status": STATUS_STALE, "updated_at": now_iso()})
        changes.append(_add_change(db, incident["id"], "stale", None, iso_utc(now), notify=False))
    return changes


def incidents_with_statements(db: sqlite_utils.Database, *, open_only: bool = False) -> list[dict[str, Any]]:
    """Incidents (newest first) each with its statements, for the command line."""
    where = "where status = 'open'" if open_only else ""
    result = []
    for incident in rows(db, f"select * from incidents {where} order by coalesce(opened_at, resolved_at) desc"):
        incident["statements"] = rows(
            db,
            "select p.id, p.kind, p.created_at, p.text, p.url, p.source_id from posts p "
            "where p.incident_id = ? and p.duplicate_of is null order by p.created_at",
            (incident["id"],),
        )
        result.append(incident)
    return result


def events_with_incidents(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    result = []
    for event in rows(db, "select * from events order by started_at desc"):
        event["incidents"] = rows(db, "select * from incidents where event_id = ? order by opened_at", (event["id"],))
        result.append(event)
    return result

