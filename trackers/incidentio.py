"""incident.io-hosted status pages (status.openai.com and others): the public widget JSON
(``{url}/proxy/<host>``; the flat ``/api/v1/summary`` shape is read too), falling back to ``{url}/history.atom``
when the widget answers 404.

One Post per (incident, ``last_update_at``) with ``last_update_message`` as text. incident.io's statuses are
already Statuspage's (investigating / identified / monitoring / resolved) and pass through; maintenances in
progress → ``in_progress``, scheduled ones → ``scheduled``. Impact from ``current_worst_impact``
(degraded_performance → minor, partial_outage → major, full_outage → critical).

Resolution: the widget lists ongoing incidents only, so an incident listed before and missing over two polls at
least five minutes apart (``trackers.absence``: one empty or broken-but-parsing document resolves nothing) is over.
It gets a synthetic ``resolved`` Post (a maintenance: ``completed``): the incident's newest entry in
``history.atom`` when that can be read and found and is a resolution (the company's own words), else a Post
that says only that it is no longer listed (raw status ``"no longer listed"``, ``GONE_TEXT``). The ids listed at
the last poll (``ongoing``) and those missing since (``missing``) are kept in the cursor for this. An item with
an impossible date gives no Post (one warning) but still counts as listed.

Maintenances (in progress and scheduled) → ``incident_kind = "maintenance"`` with their window: ``starts_at``
(an in-progress one without it: ``started_at``) → ``Post.starts_at``, ``ends_at`` → ``Post.ends_at``; the window
is kept in the cursor so the synthetic ``completed`` Post carries it too. History-feed entries (the fallback)
are maintenance when their leading label is a maintenance one (Scheduled / In progress / Verifying / Completed)
or their link is a ``/maintenances/`` one.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from config import SourceConfig
from posts import Post, iso_utc
from trackers import PollResult, TrackerError
from trackers.absence import NOT_LISTED, track
from trackers.html_text import clean_lines, message_text
from trackers.http import HttpTracker, fetch, fetch_if_changed, reading
from trackers.textutil import ENTRY_ERRORS, FeedEntry, SkipEntry, parse_feed, post_time, skip_entry, stated_time

IMPACT = {"degraded_performance": "minor", "partial_outage": "major", "full_outage": "critical", "major_outage": "critical"}
STATUSES = {"investigating", "identified", "monitoring", "resolved"}
GONE_TEXT = "No longer listed as ongoing on the status page (the company has not said here that it is resolved)."
ATOM_ACCEPT = "application/atom+xml, application/xml;q=0.9, */*;q=0.5"
RSS_ACCEPT = "application/rss+xml, application/xml;q=0.9, */*;q=0.5"
LEADING_STATUS = re.compile(
    r"^\s*(investigating|identified|monitoring|resolved|update|postmortem|completed|scheduled|in progress|verifying)"
    r"\b\s*[-:–—]?",
    re.IGNORECASE,
)
MAINTENANCE_LABELS = {"scheduled", "in_progress", "verifying", "completed"}
MAINTENANCE_LINK = re.compile(r"/maintenances?/", re.IGNORECASE)


def page_root(source: SourceConfig) -> str:
    url = (source.url or source.api_base).rstrip("/")
    parts = urlsplit(url)
    if "/proxy/" in parts.path or parts.path.endswith("/api/v1/summary"):
        return f"{parts.scheme}://{parts.netloc}"
    return url


def widget_url(source: SourceConfig) -> str:
    explicit = source.option("widget_url")
    if explicit:
        return str(explicit)
    url = (source.url or source.api_base).rstrip("/")
    parts = urlsplit(url)
    if "/proxy/" in parts.path or parts.path.endswith("/api/v1/summary"):
        return url
    return f"{url}/proxy/{parts.netloc}"


def _components(item: dict[str, Any]) -> tuple[str, ...]:
    out: list[str] = []
    for comp in item.get("affected_components") or []:
        name = comp.get("name") if isinstance(comp, dict) else comp
        if name and str(name) not in out:
            out.append(str(name))
    return tuple(out)


def _widget_item(item: dict[str, Any], kind: str, table: dict[str, Any], *, source_id: str, service: str,
                 page: str) -> Post:
    """The Post of one widget item; its entry in ``table`` (incidents and maintenances in progress)."""
    item_id = str(item["id"])
    raw = str(item.get("status") or "")
    if kind == "incident":
        status = raw.lower() if raw.lower() in STATUSES else "update"
        impact = IMPACT.get(str(item.get("current_worst_impact") or ""), "")
    else:
        status = "in_progress" if kind == "maintenance" else "scheduled"
        impact = "none"
    title = clean_lines(str(item.get("name") or ""))
    url = str(item.get("url") or page)
    components = _components(item)
    starts_at = ends_at = None
    if kind != "incident":
        where = f"{page} maintenance {item_id}"
        starts_at = (stated_time(item.get("starts_at"), what="starts_at", where=where)
                     or stated_time(item.get("started_at"), what="started_at", where=where))
        ends_at = stated_time(item.get("ends_at"), what="ends_at", where=where)
    if kind != "scheduled":
        table[item_id] = {"kind": kind, "title": title, "url": url, "components": list(components), "impact": impact}
        if kind == "maintenance":
            table[item_id]["window"] = [iso_utc(t) if t else None for t in (starts_at, ends_at)]
    stamp = item.get("last_update_at") or item.get("started_at") or item.get("starts_at")
    when = post_time(stamp) if stamp else datetime.now(timezone.utc)
    return Post(
        source_id=source_id,
        native_id=f"{item_id}@{iso_utc(when)}",
        service=service,
        text=message_text(str(item.get("last_update_message") or "")) or title,
        created_at=when,
        url=url,
        author=urlsplit(page).netloc,
        language="en",
        thread_key=item_id,
        status=status,
        raw_status=raw,
        title=title,
        impact=impact,
        components=components,
        incident_kind="" if kind == "incident" else "maintenance",
        starts_at=starts_at,
        ends_at=ends_at,
    )


def widget_posts(data: Any, *, source_id: str, service: str, page: str) -> tuple[list[Post], dict[str, Any]]:
    """Posts for a widget document, and the table of listed incidents/maintenances for the cursor."""
    if isinstance(data, dict) and isinstance(data.get("summary"), dict):
        data = data["summary"]
    if not isinstance(data, dict) or not any(
        k in data for k in ("ongoing_incidents", "in_progress_maintenances", "scheduled_maintenances")
    ):
        raise ValueError("no ongoing_incidents in the widget document")
    posts: list[Post] = []
    table: dict[str, Any] = {}
    groups = (
        ("incident", data.get("ongoing_incidents") or []),
        ("maintenance", data.get("in_progress_maintenances") or []),
        ("scheduled", data.get("scheduled_maintenances") or []),
    )
    for kind, items in groups:
        for item in items:
            if not isinstance(item, dict) or not item.get("id"):
                continue
            try:
                post = _widget_item(item, kind, table, source_id=source_id, service=service, page=page)
            except ENTRY_ERRORS as err:  # an impossible date, a wrong type: no Post, but it is still listed
                skip_entry(page, item.get("id"), err)
                item_id = str(item.get("id"))
                if kind != "scheduled" and item_id not in table:
                    table[item_id] = {"kind": kind, "title": str(item.get("name") or "")[:300], "url": page,
                                      "components": [], "impact": ""}
                continue
            posts.append(post)
    posts.sort(key=lambda p: p.created_at)
    return posts, table


def entry_incident_id(entry: FeedEntry) -> str:
    """The incident id of a status-page feed entry (``…/incidents/<id>`` in its link or id)."""
    for value in (entry.link, entry.id):
        match = re.search(r"/(?:incidents?|maintenances?)/([A-Za-z0-9_-]+)", value or "")
        if match:
            return match.group(1)
    return entry.id or entry.link


def feed_posts(body: bytes, *, source_id: str, service: str, page: str) -> list[Post]:
    """One Post per entry (and update time) of a status page's history feed (RSS or Atom)."""
    feed = parse_feed(body)
    if feed.bozo:
        raise ValueError("not an RSS/Atom feed")
    posts = []
    for entry in feed.entries:
        when = entry.updated or entry.published
        key = entry_incident_id(entry)
        if when is None and not entry.stated:
            continue
        try:
            when = post_time(when or entry.stated)
        except SkipEntry as err:
            skip_entry(page, key, err)
            continue
        match = LEADING_STATUS.match(entry.text)
        label = match.group(1).lower().replace(" ", "_") if match else ""
        planned = label in MAINTENANCE_LABELS or bool(MAINTENANCE_LINK.search(entry.link or entry.id or ""))
        posts.append(
            Post(
                source_id=source_id,
                native_id=f"{key}@{iso_utc(when)}",
                service=service,
                text=entry.text or entry.title,
                created_at=when,
                url=entry.link or page,
                author=urlsplit(page).netloc,
                language="en",
                thread_key=key,
                status=label if label in ("investigating", "identified", "monitoring", "resolved", "postmortem",
                                          "completed", "scheduled", "in_progress", "verifying") else "update",
                raw_status=match.group(1) if match else "",
                title=entry.title,
                incident_kind="maintenance" if planned else "",
            )
        )
    posts.sort(key=lambda p: p.created_at)
    return posts


FINAL_LABELS = {"resolved", "completed", "postmortem"}


def gone_posts(
    gone: dict[str, Any], entries: list[FeedEntry], *, source_id: str, service: str, page: str,
    text: str = GONE_TEXT, now: datetime | None = None,
) -> list[Post]:
    """Final Posts for incidents/maintenances confirmed no longer listed (``trackers.absence``).

    When the page's history feed has the incident and its newest entry is a resolution (Resolved / Completed), that
    statement is the Post: the company said it. Otherwise the Post says only that the page no longer lists it:
    ``text``, raw status ``NOT_LISTED``, the time of this poll.
    """
    now = now or datetime.now(timezone.utc)
    out = []
    for item_id, info in gone.items():
        matching = [e for e in entries if entry_incident_id(e) == item_id]
        matching.sort(key=lambda e: e.updated or e.published or datetime.min.replace(tzinfo=timezone.utc))
        newest = matching[-1] if matching else None
        said_at = None
        label = ""
        if newest is not None and newest.text:
            match = LEADING_STATUS.match(newest.text)
            label = match.group(1) if match else ""
            try:
                said_at = post_time(newest.updated or newest.published or "")
            except SkipEntry:
                said_at = None
        told = said_at is not None and label.lower() in FINAL_LABELS
        maintenance = info.get("kind") == "maintenance"
        final = "completed" if maintenance else "resolved"
        window = list(info.get("window") or [None, None])[:2] if maintenance else [None, None]
        window += [None] * (2 - len(window))
        where = f"{page} cursor window of {item_id}"
        out.append(
            Post(
                source_id=source_id,
                native_id=f"{item_id}@gone",
                service=service,
                text=newest.text if told and newest else text,
                created_at=said_at if told and said_at else now,
                url=info.get("url") or page,
                author=urlsplit(page).netloc,
                language="en",
                thread_key=item_id,
                status=final,
                raw_status=label if told else NOT_LISTED,
                title=info.get("title", ""),
                impact=info.get("impact", ""),
                components=tuple(info.get("components") or ()),
                incident_kind="maintenance" if maintenance else "",
                starts_at=stated_time(window[0], what="start", where=where),
                ends_at=stated_time(window[1], what="end", where=where),
            )
        )
    return out


def poll_history_feed(
    tracker: HttpTracker, cursor: dict[str, Any], url: str, *, page: str, accept: str, note: str
) -> PollResult:
    """One conditional read of a status page's history feed (cursor keys ``feed_*``, ``mode = "feed"``): the
    fallback of the incident.io and Instatus trackers when the page's JSON answers 404."""
    result, new_cursor = fetch_if_changed(tracker.http, url, cursor, accept=accept, key_prefix="feed_")
    if result is None:
        return PollResult([], new_cursor, not_modified=True)
    with reading(url):
        posts = feed_posts(result.body, source_id=tracker.source.id, service=tracker.source.service, page=page)
    new_cursor["mode"] = "feed"
    return PollResult(posts, new_cursor, notes=[note])


class IncidentioTracker(HttpTracker):
    kind = "incidentio"

    def _history(self, page: str) -> tuple[list[FeedEntry], str]:
        url = f"{page}/history.atom"
        try:
            result = fetch(self.http, url, accept=ATOM_ACCEPT)
            return parse_feed(result.body).entries, ""
        except TrackerError as err:
            return [], f"history feed not read: {err}"

    def poll(self, cursor: dict[str, Any]) -> PollResult:
        page = page_root(self.source)
        url = widget_url(self.source)
        widget_cursor = {k: v for k, v in cursor.items() if not k.startswith("feed_")}
        if cursor.get("mode", "widget") != "widget":  # back from the feed: the widget is read afresh
            for key in ("etag", "last_modified", "sha256", "hash"):
                widget_cursor.pop(key, None)
        try:
            result, new_cursor = fetch_if_changed(self.http, url, widget_cursor, accept="application/json")
        except TrackerError as err:
            if not str(err).startswith("HTTP 404 "):
                raise
            feed_url = f"{page}/history.atom"
            return poll_history_feed(self, cursor, feed_url, page=page, accept=ATOM_ACCEPT,
                                     note=f"widget API answered 404; read {feed_url}")
        previous = cursor.get("ongoing") or {}
        missing = cursor.get("missing") or {}
        now = datetime.now(timezone.utc)
        posts: list[Post] = []
        if result is None:  # unchanged: what was missing still is
            absence = track(previous, None, missing, now)
        else:
            with reading(url):
                posts, table = widget_posts(json.loads(result.body), source_id=self.source.id,
                                            service=self.source.service, page=page)
            absence = track(previous, table, missing, now)
            new_cursor.update(mode="widget", ongoing=table)
        notes: list[str] = []
        if absence.gone:
            entries, note = self._history(page)
            if note:
                notes.append(note)
            posts += gone_posts(absence.gone, entries, source_id=self.source.id, service=self.source.service,
                                page=page, now=now)
        new_cursor["missing"] = absence.missing
        return PollResult(posts, new_cursor, not_modified=result is None and not posts, notes=notes)
