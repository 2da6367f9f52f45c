"""Azure status: the RSS feed of azure.status.microsoft (``/en-us/status/feed/``), whose items are the incidents
active right now, each rewritten in place as the incident progresses.

One Post per (incident, publication time). The incident key is the Tracking ID in the text when there is one
("Tracking ID: VSG1-B90"), else the item's guid, else its title. The first version seen of an incident →
``investigating``, later versions → ``update``. The feed drops an item once the incident is over, so an incident
that disappears from the feed between two polls gets a synthetic ``resolved`` Post ("no longer listed"); the
open incidents are kept in the cursor for that. The feed has no structured impact.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from posts import Post, iso_utc
from trackers import PollResult
from trackers.http import HttpTracker, fetch_if_changed, reading
from trackers.textutil import parse_feed

DEFAULT_URL = "https://azure.status.microsoft/en-us/status/feed/"
TRACKING_ID = re.compile(r"Tracking\s+ID\s*[:：]?\s*([A-Z0-9]{3,5}-[A-Z0-9]{2,5})", re.IGNORECASE)
GONE_TEXT = "Incident no longer listed on the Azure status page (the feed lists active incidents only)."


def item_key(guid: str, title: str, text: str) -> str:
    match = TRACKING_ID.search(text) or TRACKING_ID.search(title)
    if match:
        return match.group(1).upper()
    if guid:
        return guid
    return "title:" + hashlib.sha256(title.encode()).hexdigest()[:16]


def parse_items(body: bytes, *, source_id: str, service: str, page: str, known: dict[str, Any]) -> tuple[list[Post], dict[str, Any]]:
    """Posts for the items of an Azure status feed, and the open-incident table for the cursor.

    ``known``: the table from the previous poll (``{key: {"first": native_id, "title": …, "url": …}}``).
    """
    feed = parse_feed(body)
    if feed.bozo:
        raise ValueError("not an RSS feed")
    posts: list[Post] = []
    table: dict[str, Any] = {}
    for entry in sorted(feed.entries, key=lambda e: e.published or e.updated or datetime.min.replace(tzinfo=timezone.utc)):
        key = item_key(entry.id, entry.title, entry.text)
        when = entry.published or entry.updated
        stamp = iso_utc(when) if when else hashlib.sha256(entry.text.encode()).hexdigest()[:12]
        native_id = f"{key}@{stamp}"
        first = (known.get(key) or table.get(key) or {}).get("first") or native_id
        url = entry.link or page
        table[key] = {"first": first, "title": entry.title, "url": url}
        posts.append(
            Post(
                source_id=source_id,
                native_id=native_id,
                service=service,
                text=entry.text or entry.title,
                created_at=when or datetime.now(timezone.utc),
                url=url,
                author=urlsplit(page).netloc,
                language="en",
                thread_key=key,
                status="investigating" if native_id == first else "update",
                raw_status="Active",
                title=entry.title,
            )
        )
    return posts, table


def gone_posts(known: dict[str, Any], table: dict[str, Any], *, source_id: str, service: str, page: str, text: str) -> list[Post]:
    """Synthetic ``resolved`` Posts for incidents listed last time and missing now."""
    now = datetime.now(timezone.utc)
    out = []
    for key, info in known.items():
        if key in table:
            continue
        out.append(
            Post(
                source_id=source_id,
                native_id=f"{key}@gone:{info.get('first', '')}",
                service=service,
                text=text,
                created_at=now,
                url=info.get("url") or page,
                author=urlsplit(page).netloc,
                language="en",
                thread_key=key,
                status="resolved",
                raw_status="no longer listed",
                title=info.get("title", ""),
            )
        )
    return out


class AzureTracker(HttpTracker):
    kind = "azure"

    def poll(self, cursor: dict[str, Any]) -> PollResult:
        url = self.source.url or self.source.api_base or DEFAULT_URL
        result, new_cursor = fetch_if_changed(
            self.http, url, cursor, accept="application/rss+xml, application/xml;q=0.9, */*;q=0.5"
        )
        if result is None:
            return PollResult([], new_cursor, not_modified=True)
        parts = urlsplit(url)
        page = f"{parts.scheme}://{parts.netloc}{parts.path.removesuffix('feed/').removesuffix('feed')}"
        known = cursor.get("open") or {}
        with reading(url):
            posts, table = parse_items(
                result.body, source_id=self.source.id, service=self.source.service, page=page, known=known
            )
        posts += gone_posts(known, table, source_id=self.source.id, service=self.source.service, page=page, text=GONE_TEXT)
        new_cursor["open"] = table
        return PollResult(posts, new_cursor)
