"""Atlassian Statuspage JSON API tracker: ``/api/v2/incidents.json`` → one Post per incident update."""

from __future__ import annotations

import json
import logging
from typing import Any

from config import SourceConfig
from posts import Post, parse_time
from trackers import PollResult, TrackerError
from trackers.html_text import html_to_text
from trackers.http import HttpTracker, fetch_if_changed
from trackers.statuspage_html import normalise_status

log = logging.getLogger(__name__)

INCIDENTS_PATH = "/api/v2/incidents.json"


# ---------------------------------------------------------------------------------------------------------------
# Parsing


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def body_text(body: str) -> str:
    """An API update body as plain text. Bodies are plain text with newlines, some with HTML (old GitHub
    incidents are ``<ul><li><strong>time</strong> - …</li></ul>``; eight of them hold a literal ``\\r\\n``
    left over from an import, read here as the line break it was)."""
    return html_to_text(body.replace("\\r\\n", "\n"), newlines=True)


def _incident_posts(incident: dict[str, Any], source: SourceConfig, page: dict[str, Any], where: str) -> list[Post]:
    incident_id = _text(incident.get("id"))
    updates = incident.get("incident_updates")
    if not incident_id or not isinstance(updates, list):
        raise TrackerError(f"{where} has an incident without an id or incident_updates list")
    root = (source.url or _text(page.get("url"))).rstrip("/")
    url = _text(incident.get("shortlink")) or (f"{root}/incidents/{incident_id}" if root else "")
    affected_fallback = tuple(
        _text(c.get("name")) for c in incident.get("components") or [] if isinstance(c, dict) and c.get("name")
    )
    posts = []
    for update in updates:
        if not isinstance(update, dict):
            raise TrackerError(f"{where} has an incident update that is not an object (incident {incident_id})")
        update_id = _text(update.get("id"))
        when = _text(update.get("display_at")) or _text(update.get("created_at"))
        if not update_id or not when:
            log.warning("%s: skipping an update of incident %s with no id or time", where, incident_id)
            continue
        try:
            created_at = parse_time(when)
        except ValueError:
            raise TrackerError(f"{where}: incident {incident_id} has a bad time {when!r}") from None
        affected = tuple(
            _text(c.get("name"))
            for c in update.get("affected_components") or []
            if isinstance(c, dict) and c.get("name")
        )
        raw_status = _text(update.get("status"))
        posts.append(
            Post(
                source_id=source.id,
                native_id=update_id,
                service=source.service,
                text=body_text(_text(update.get("body"))),
                created_at=created_at,
                url=url,
                author=_text(page.get("name")),
                language="en",
                thread_key=incident_id,
                status=normalise_status(raw_status),
                raw_status=raw_status,
                title=_text(incident.get("name")),
                impact=_text(incident.get("impact")),
                components=affected or affected_fallback,
            )
        )
    return posts


def parse_statuspage_document(data: Any, source: SourceConfig, *, where: str = "") -> list[Post]:
    """Posts of a parsed Statuspage v2 document: ``incidents.json``, ``incidents/<id>.json``, ``summary.json``
    or ``scheduled-maintenances.json``. One Post per incident update, in document order.

    Raises TrackerError (naming ``where``, the URL or file) when the shape is not Statuspage's.
    """
    where = where or source.url or "Statuspage document"
    if not isinstance(data, dict):
        raise TrackerError(f"{where} is not a Statuspage document (top level is {type(data).__name__})")
    page = data.get("page") if isinstance(data.get("page"), dict) else {}
    incidents: list[Any] = []
    found = False
    if isinstance(data.get("incident"), dict):
        incidents.append(data["incident"])
        found = True
    for key in ("incidents", "scheduled_maintenances"):
        if key in data:
            if not isinstance(data[key], list):
                raise TrackerError(f"{where} is not a Statuspage document ({key!r} is not a list)")
            incidents.extend(data[key])
            found = True
    if not found:
        keys = ", ".join(sorted(map(str, data))[:6]) or "none"
        raise TrackerError(f"{where} is not a Statuspage document (no incidents; keys: {keys})")
    posts: list[Post] = []
    for incident in incidents:
        if not isinstance(incident, dict):
            raise TrackerError(f"{where} has an incident that is not an object")
        posts.extend(_incident_posts(incident, source, page, where))
    return posts


def parse_statuspage_bytes(body: bytes, source: SourceConfig, *, where: str = "") -> list[Post]:
    """Posts of a Statuspage JSON body; malformed JSON → TrackerError naming ``where``."""
    where = where or source.url or "Statuspage document"
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise TrackerError(f"{where} did not return JSON: {err}") from None
    return parse_statuspage_document(data, source, where=where)


# ---------------------------------------------------------------------------------------------------------------
# Tracker


def incidents_url(source: SourceConfig) -> str:
    """``{api_base or url}/api/v2/incidents.json`` (an api_base that already ends in /api/v2 is accepted)."""
    root = (source.api_base or source.url).rstrip("/")
    if root.endswith("/api/v2"):
        root = root[: -len("/api/v2")]
    return root + INCIDENTS_PATH


class StatuspageTracker(HttpTracker):
    """Polls a Statuspage page's incidents.json; returns every update the document holds."""

    kind = "statuspage"

    def poll(self, cursor: dict[str, Any]) -> PollResult:
        url = incidents_url(self.source)
        result, new_cursor = fetch_if_changed(self.http, url, cursor or {}, accept="application/json")
        if result is None:
            return PollResult([], new_cursor, not_modified=True)
        return PollResult(parse_statuspage_bytes(result.body, self.source, where=url), new_cursor)
