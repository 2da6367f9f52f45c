"""Slack's own status API (slack-status.com ``/api/v2.0.0/current``, and ``/history`` once, as backfill) → one Post
per incident note.

Lifecycle: an incident's first note → ``investigating``, later notes → ``update``; the last note of a
``resolved`` incident → ``resolved`` (``completed`` for finished maintenance); a ``scheduled`` notice →
``scheduled``. Impact from the incident type: notice → minor, incident → major, outage → critical.
An active incident without notes yet still yields one Post (its title) so the outage is seen at once.
Maintenance: an incident of type ``maintenance`` or status ``scheduled`` / ``completed`` (Slack's statuses for
planned work; an outage ends ``resolved``) → ``incident_kind = "maintenance"`` on all its Posts. Slack's API
states no window (only ``date_created`` / ``date_updated``, the posting times): ``starts_at`` / ``ends_at`` stay
None.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from config import SourceConfig
from posts import Post, iso_utc
from trackers import PollResult, TrackerError
from trackers.html_text import message_text
from trackers.http import HttpTracker, fetch, fetch_if_changed, reading
from trackers.textutil import SkipEntry, each_entry, post_time, skip_entry, unique_id

DEFAULT_BASE = "https://slack-status.com"
API = "/api/v2.0.0"
TYPE_IMPACT = {"notice": "minor", "incident": "major", "outage": "critical"}
FINAL = {"resolved": "resolved", "completed": "completed", "ok": "resolved"}
MAINTENANCE_STATES = {"scheduled", "completed"}


def api_base(source: SourceConfig) -> str:
    url = (source.url or source.api_base or DEFAULT_BASE).rstrip("/")
    for suffix in ("/current", "/history"):
        url = url.removesuffix(suffix)
    return url.removesuffix(API)


def incident_posts(incident: dict[str, Any], *, source_id: str, service: str, page: str) -> list[Post]:
    """The notes of one Slack status incident as Posts, oldest first."""
    incident_id = str(incident.get("id") or "")
    if not incident_id:
        return []
    state = str(incident.get("status") or "").lower()
    kind = str(incident.get("type") or "").lower()
    notes = []
    for note in incident.get("notes") or []:
        if not isinstance(note, dict):
            continue
        try:
            when = post_time(note.get("date_created"))
        except SkipEntry as err:
            skip_entry(page, f"a note of incident {incident_id}", err)
            continue
        notes.append((when, message_text(str(note.get("body") or ""))))
    notes.sort(key=lambda pair: pair[0])
    title = message_text(str(incident.get("title") or ""))
    if not notes:
        stamp = incident.get("date_created") or incident.get("date_updated")
        when = post_time(stamp) if stamp else datetime.now(timezone.utc)  # a bad one: SkipEntry, the incident skipped
        notes = [(when, title)]
    services = tuple(str(s.get("name", s) if isinstance(s, dict) else s) for s in incident.get("services") or [])
    posts = []
    seen: set[str] = set()
    for index, (when, text) in enumerate(notes):
        if index == len(notes) - 1 and state in FINAL:
            status = FINAL[state]
        elif state == "scheduled":
            status = "scheduled"
        elif index == 0:
            status = "investigating"
        else:
            status = "update"
        native_id = unique_id(f"{incident_id}@{iso_utc(when)}", index, seen)
        posts.append(
            Post(
                source_id=source_id,
                native_id=native_id,
                service=service,
                text=text or title,
                created_at=when,
                url=str(incident.get("url") or page),
                author=urlsplit(page).netloc,
                language="en",
                thread_key=incident_id,
                status=status,
                raw_status=f"{kind}/{state}" if kind else state,
                title=title,
                impact=TYPE_IMPACT.get(kind, ""),
                components=services,
                incident_kind="maintenance" if kind == "maintenance" or state in MAINTENANCE_STATES else "",
            )
        )
    return posts


def _incidents(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [i for i in data if isinstance(i, dict)]
    if isinstance(data, dict):
        for key in ("active_incidents", "incidents", "history"):
            if isinstance(data.get(key), list):
                return [i for i in data[key] if isinstance(i, dict)]
        if "status" in data:
            return []
    raise ValueError("expected active_incidents[] or a list of incidents")


def parse_document(data: Any, *, source_id: str, service: str, page: str = DEFAULT_BASE + "/") -> list[Post]:
    """Posts for a ``current`` document (``active_incidents``) or a ``history`` list."""
    groups = each_entry(
        _incidents(data), lambda incident: incident_posts(incident, source_id=source_id, service=service, page=page),
        where=page, id_of=lambda incident: incident.get("id"),
    )
    posts = [post for group in groups for post in group]
    posts.sort(key=lambda p: p.created_at)
    return posts


class SlackStatusTracker(HttpTracker):
    kind = "slack"

    def _read(self, url: str, body: bytes) -> list[Post]:
        page = api_base(self.source) + "/"
        with reading(url):
            posts = parse_document(json.loads(body), source_id=self.source.id, service=self.source.service, page=page)
        return posts

    def poll(self, cursor: dict[str, Any]) -> PollResult:
        base = api_base(self.source)
        current_url = f"{base}{API}/current"
        result, new_cursor = fetch_if_changed(self.http, current_url, cursor, accept="application/json")
        need_history = not cursor.get("history_done") and self.source.backfill != "none"
        if result is None and not need_history:
            return PollResult([], new_cursor, not_modified=True)
        posts = self._read(current_url, result.body) if result is not None else []
        notes: list[str] = []
        if need_history:
            history_url = f"{base}{API}/history"
            try:
                history = fetch(self.http, history_url, accept="application/json")
                have = {p.native_id for p in posts}
                posts += [p for p in self._read(history_url, history.body) if p.native_id not in have]
                new_cursor["history_done"] = True
            except TrackerError as err:
                notes.append(f"backfill skipped, will retry: {err}")
        else:
            new_cursor["history_done"] = bool(cursor.get("history_done") or self.source.backfill == "none")
        posts.sort(key=lambda p: p.created_at)
        return PollResult(posts, new_cursor, notes=notes)
