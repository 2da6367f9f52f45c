"""Instatus-hosted status pages: the public ``{url}/summary.json`` (active incidents and maintenances), falling back
to ``{url}/history.rss`` when the page has no summary.json (404).

summary.json carries names and statuses but no update text and no update times, so one Post per (incident,
status): its text is the incident name; ``created_at`` is ``started`` for the first status, else the poll time.
Statuses map INVESTIGATING/IDENTIFIED/MONITORING/RESOLVED → investigating/identified/monitoring/resolved and
maintenance NOTSTARTEDYET/INPROGRESS/COMPLETED → scheduled/in_progress/completed. Impact: DEGRADEDPERFORMANCE /
MINOROUTAGE → minor, PARTIALOUTAGE → major, MAJOROUTAGE → critical. An incident listed before and missing over two
polls at least five minutes apart (``trackers.absence``) is over: a synthetic ``resolved`` (maintenance:
``completed``) Post saying it is no longer listed, as for incident.io pages. An item with an impossible date gives
no Post (one warning) but still counts as listed.

``activeMaintenances`` → ``incident_kind = "maintenance"``; window: ``start`` → ``starts_at`` and, when the item
states a ``duration`` (minutes), ``start + duration`` → ``ends_at`` (an explicit ``end`` wins). Incidents' ``started``
is Instatus's own stamp of when the incident was opened, not a start the company states: not used as one.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from config import SourceConfig
from posts import Post
from trackers import PollResult, TrackerError
from trackers.absence import remembered, track
from trackers.html_text import clean_lines
from trackers.http import HttpTracker, fetch_if_changed, reading
from trackers.incidentio import RSS_ACCEPT, gone_posts, poll_history_feed
from trackers.textutil import ENTRY_ERRORS, in_bounds, parse_any_time, post_time, skip_entry, stated_time

log = logging.getLogger(__name__)

STATUS = {
    "INVESTIGATING": "investigating",
    "IDENTIFIED": "identified",
    "MONITORING": "monitoring",
    "RESOLVED": "resolved",
    "NOTSTARTEDYET": "scheduled",
    "INPROGRESS": "in_progress",
    "COMPLETED": "completed",
}
IMPACT = {
    "OPERATIONAL": "none",
    "UNDERMAINTENANCE": "none",
    "DEGRADEDPERFORMANCE": "minor",
    "MINOROUTAGE": "minor",
    "PARTIALOUTAGE": "major",
    "MAJOROUTAGE": "critical",
}
GONE_TEXT = "No longer listed as active on the status page (the company has not said here that it is resolved)."


def page_root(source: SourceConfig) -> str:
    url = (source.url or source.api_base).rstrip("/")
    for suffix in ("/summary.json", "/history.rss", "/feed.rss"):
        url = url.removesuffix(suffix)
    return url


def _item_id(item: dict[str, Any]) -> str:
    if item.get("id"):
        return str(item["id"])
    path = urlsplit(str(item.get("url") or "")).path.rstrip("/")
    return path.rsplit("/", 1)[-1] if path else ""


def maintenance_window(item: dict[str, Any], where: str) -> tuple[datetime | None, datetime | None]:
    """(start, end) an Instatus maintenance states: ``start``, and ``end`` or ``start + duration`` minutes."""
    start = stated_time(item.get("start"), what="start", where=where)
    end = stated_time(item.get("end"), what="end", where=where)
    duration = item.get("duration")
    if end is None and start is not None and duration not in (None, ""):
        try:
            minutes = float(str(duration).strip())
            if not 0 < minutes <= 60 * 24 * 366:
                raise ValueError(duration)
            end = in_bounds(start + timedelta(minutes=minutes), what="start + duration", where=where)
        except (ValueError, OverflowError):
            log.warning("%s: ignoring duration %r (not a number of minutes)", where, str(duration)[:40])
    return start, end


def _summary_item(item: dict[str, Any], item_id: str, kind: str, table: dict[str, Any], known: dict[str, Any], *,
                  source_id: str, service: str, page: str, now: datetime) -> Post:
    """The Post of one summary.json item; its entry in ``table``."""
    raw = str(item.get("status") or "").upper()
    status = STATUS.get(raw, "update")
    stamp = item.get("started") or item.get("start")
    started = post_time(stamp) if stamp else None
    seen = dict((known.get(item_id) or {}).get("seen") or {})
    if raw not in seen:
        first = not seen
        when = started if (first and started and status in ("investigating", "scheduled")) else now
        seen[raw] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    when = parse_any_time(seen[raw]) or now
    title = clean_lines(str(item.get("name") or ""))
    url = str(item.get("url") or page)
    impact = IMPACT.get(str(item.get("impact") or "").upper(), "none" if kind == "maintenance" else "")
    table[item_id] = {"kind": kind, "title": title, "url": url, "impact": impact, "components": [], "seen": seen}
    starts_at = ends_at = None
    if kind == "maintenance":
        starts_at, ends_at = maintenance_window(item, f"{page} maintenance {item_id}")
        table[item_id]["window"] = [t.strftime("%Y-%m-%dT%H:%M:%SZ") if t else None for t in (starts_at, ends_at)]
    return Post(
        source_id=source_id,
        native_id=f"{item_id}@{raw or 'listed'}",
        service=service,
        text=title,
        created_at=when,
        url=url,
        author=urlsplit(page).netloc,
        language="en",
        thread_key=item_id,
        status=status,
        raw_status=raw,
        title=title,
        impact=impact,
        incident_kind=kind if kind == "maintenance" else "",
        starts_at=starts_at,
        ends_at=ends_at,
    )


def summary_posts(
    data: Any, *, source_id: str, service: str, page: str, known: dict[str, Any]
) -> tuple[list[Post], dict[str, Any]]:
    """Posts for a summary.json document, and the table of listed incidents/maintenances for the cursor."""
    if not isinstance(data, dict) or ("activeIncidents" not in data and "page" not in data):
        raise ValueError("no activeIncidents in summary.json")
    now = datetime.now(timezone.utc)
    posts: list[Post] = []
    table: dict[str, Any] = {}
    for kind, items in (("incident", data.get("activeIncidents") or []), ("maintenance", data.get("activeMaintenances") or [])):
        for item in items:
            if not isinstance(item, dict):
                continue
            item_id = _item_id(item)
            if not item_id:
                continue
            try:
                posts.append(_summary_item(item, item_id, kind, table, known, source_id=source_id, service=service,
                                           page=page, now=now))
            except ENTRY_ERRORS as err:  # an impossible date, a wrong type: no Post, but it is still listed
                skip_entry(page, item_id, err)
                if item_id not in table:
                    table[item_id] = {"kind": kind, "title": str(item.get("name") or "")[:300], "url": page,
                                      "impact": "", "components": [],
                                      "seen": dict((known.get(item_id) or {}).get("seen") or {})}
    posts.sort(key=lambda p: p.created_at)
    return posts, table


class InstatusTracker(HttpTracker):
    kind = "instatus"

    def poll(self, cursor: dict[str, Any]) -> PollResult:
        page = page_root(self.source)
        url = f"{page}/summary.json"
        try:
            result, new_cursor = fetch_if_changed(self.http, url, cursor, accept="application/json")
        except TrackerError as err:
            if not str(err).startswith("HTTP 404 "):
                raise
            feed_url = f"{page}/history.rss"
            return poll_history_feed(self, cursor, feed_url, page=page, accept=RSS_ACCEPT,
                                     note=f"summary.json answered 404; read {feed_url}")
        previous = cursor.get("ongoing") or {}
        missing = cursor.get("missing") or {}
        now = datetime.now(timezone.utc)
        posts: list[Post] = []
        if result is None:  # unchanged: what was missing still is
            absence = track(previous, None, missing, now)
        else:
            with reading(url):
                posts, table = summary_posts(json.loads(result.body), source_id=self.source.id,
                                             service=self.source.service, page=page,
                                             known=remembered(previous, missing))
            absence = track(previous, table, missing, now)
            new_cursor.update(mode="summary", ongoing=table)
        posts += gone_posts(absence.gone, [], source_id=self.source.id, service=self.source.service, page=page,
                            text=GONE_TEXT, now=now)
        new_cursor["missing"] = absence.missing
        return PollResult(posts, new_cursor, not_modified=result is None and not posts)
