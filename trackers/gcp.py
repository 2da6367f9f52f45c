"""Google Cloud (and Google Workspace) status: ``incidents.json`` of status.cloud.google.com → one Post per update.

Lifecycle: an incident's first update → ``investigating``, later ones → ``update``; the first ``AVAILABLE``
update → ``resolved`` (an incident whose ``end`` is set but which has no ``AVAILABLE`` update gets its last
update marked resolved); a later ``AVAILABLE`` update that is Google's (mini) incident report → ``postmortem``.
Impact: the worse of ``status_impact`` and ``severity`` (information/low → minor, disruption/medium → major,
outage/high → critical).
Stated span: the incident's ``begin`` → ``starts_at`` and ``end`` → ``ends_at`` on every Post of it (Google's own
start and end of the incident, set by its engineers; ``end`` is absent while it is open). A value that is not a
date from 1990 to 400 days ahead is ignored with a log line; an update whose time is not a date from 1990 to
a day ahead is skipped with one warning (logger ``pushti.trackers``), the rest of the document is read.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from config import SourceConfig
from posts import Post, iso_utc
from trackers import PollResult
from trackers.html_text import clean_lines
from trackers.http import HttpTracker, fetch_if_changed, reading
from trackers.textutil import (
    SkipEntry,
    each_entry,
    in_bounds,
    max_impact,
    parse_any_time,
    post_time,
    skip_entry,
    stated_time,
    unique_id,
)

DEFAULT_URL = "https://status.cloud.google.com/incidents.json"
STATUS_IMPACT = {"SERVICE_INFORMATION": "minor", "SERVICE_DISRUPTION": "major", "SERVICE_OUTAGE": "critical"}
SEVERITY_IMPACT = {"low": "minor", "medium": "major", "high": "critical"}
REPORT = re.compile(r"incident[- ]report|we apologi[sz]e for the inconvenience", re.IGNORECASE)


def incidents_url(source: SourceConfig) -> str:
    url = (source.url or source.api_base or DEFAULT_URL).strip()
    if not urlsplit(url).path.endswith(".json"):
        url = url.rstrip("/") + "/incidents.json"
    return url


def _titles(items: Any) -> list[str]:
    out: list[str] = []
    for item in items or []:
        title = item.get("title") or item.get("id") if isinstance(item, dict) else item
        if title and str(title) not in out:
            out.append(str(title))
    return out


def incident_posts(incident: dict[str, Any], *, source_id: str, service: str, page_url: str) -> list[Post]:
    """All updates of one incidents.json incident as Posts, oldest first."""
    incident_id = str(incident.get("id") or incident.get("number") or "")
    if not incident_id:
        return []
    updates = [u for u in incident.get("updates") or [] if isinstance(u, dict)]
    dated = []
    for update in updates:
        value = update.get("when") or update.get("created")
        if value in (None, ""):
            continue
        try:
            dated.append((post_time(value), update))
        except SkipEntry as err:
            skip_entry(page_url, f"update {update.get('id') or value!s:.40} of incident {incident_id}", err)
    dated.sort(key=lambda pair: pair[0])
    if not dated:
        return []
    ended = bool(incident.get("end"))
    has_available = any(str(u.get("status", "")).upper() == "AVAILABLE" for _, u in dated)
    impact = max_impact(
        STATUS_IMPACT.get(str(incident.get("status_impact", "")).upper(), ""),
        SEVERITY_IMPACT.get(str(incident.get("severity", "")).lower(), ""),
    )
    products = _titles(incident.get("affected_products"))
    fallback_locations = incident.get("previously_affected_locations") or incident.get("currently_affected_locations")
    url = urljoin(page_url, str(incident.get("uri") or f"incidents/{incident_id}"))
    title = clean_lines(str(incident.get("external_desc") or incident.get("service_name") or ""))
    where = f"{page_url} incident {incident_id}"
    begin = stated_time(incident.get("begin"), what="begin", where=where)
    end = stated_time(incident.get("end"), what="end", where=where)
    posts: list[Post] = []
    resolved_seen = False
    seen_ids: set[str] = set()
    for index, (when, update) in enumerate(dated):
        raw = str(update.get("status", "")).upper()
        text = clean_lines(str(update.get("text") or ""))
        if raw == "AVAILABLE":
            status = "postmortem" if resolved_seen and REPORT.search(text) else "resolved"
            resolved_seen = True
        elif ended and not has_available and index == len(dated) - 1:
            status = "resolved"
        elif index == 0:
            status = "investigating"
        else:
            status = "update"
        created = parse_any_time(update.get("created"))
        created = created if created is not None and in_bounds(created, what="created", where=where) else when
        native_id = unique_id(f"{incident_id}@{iso_utc(created)}", index, seen_ids)
        locations = _titles(update.get("affected_locations") or fallback_locations)
        posts.append(
            Post(
                source_id=source_id,
                native_id=native_id,
                service=service,
                text=text,
                created_at=when,
                url=url,
                author=urlsplit(page_url).netloc,
                language="en",
                thread_key=incident_id,
                status=status,
                raw_status=raw,
                title=title,
                impact=impact,
                components=tuple(products + [loc for loc in locations if loc not in products]),
                starts_at=begin,
                ends_at=end,
            )
        )
    return posts


def parse_incidents(data: Any, *, source_id: str, service: str, page_url: str = DEFAULT_URL) -> list[Post]:
    """Every update of every incident in an incidents.json document, oldest first."""
    if isinstance(data, dict):
        data = data.get("incidents", data.get("items"))
    if not isinstance(data, list):
        raise ValueError("expected a JSON list of incidents")
    groups = each_entry(
        [i for i in data if isinstance(i, dict)],
        lambda incident: incident_posts(incident, source_id=source_id, service=service, page_url=page_url),
        where=page_url, id_of=lambda incident: incident.get("id") or incident.get("number"),
    )
    posts = [post for group in groups for post in group]
    posts.sort(key=lambda p: p.created_at)
    return posts


class GcpTracker(HttpTracker):
    kind = "gcp"

    def poll(self, cursor: dict[str, Any]) -> PollResult:
        url = incidents_url(self.source)
        result, new_cursor = fetch_if_changed(self.http, url, cursor, accept="application/json")
        if result is None:
            return PollResult([], new_cursor, not_modified=True)
        with reading(url):
            data = json.loads(result.body)
            posts = parse_incidents(data, source_id=self.source.id, service=self.source.service, page_url=url)
        return PollResult(posts, new_cursor)
