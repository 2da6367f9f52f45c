"""Azure status: the RSS feed of azure.status.microsoft (``/en-us/status/feed/``), whose items are the incidents
active right now, each rewritten in place as the incident progresses.

One Post per (incident, publication time). The incident key is the Tracking ID in the text when there is one
("Tracking ID: VSG1-B90"), else the item's guid, else its title. The first version seen of an incident →
``investigating``, later versions → ``update``. The feed drops an item once the incident is over, so an incident
that stays missing from the feed over two polls at least five minutes apart (``trackers.absence``: one empty or
broken-but-parsing feed resolves nothing) gets a synthetic ``resolved`` Post saying it is no longer listed (raw
status ``"no longer listed"``); the open and missing incidents are kept in the cursor for that. An item with an
impossible date gives no Post (one warning) but still counts as listed. The feed has no structured impact.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from posts import EARLIEST, FUTURE_SLACK, Post, iso_utc
from trackers import PollResult
from trackers.absence import NOT_LISTED, remembered, track
from trackers.http import HttpTracker, fetch_if_changed, reading
from trackers.textutil import FeedEntry, SkipEntry, parse_feed, post_time, skip_entry

DEFAULT_URL = "https://azure.status.microsoft/en-us/status/feed/"
TRACKING_ID = re.compile(r"Tracking\s+ID\s*[:：]?\s*([A-Z0-9]{3,5}-[A-Z0-9]{2,5})", re.IGNORECASE)
GONE_TEXT = ("No longer listed on the status page: the Azure status feed lists active incidents only, and no "
             "longer lists this one. Azure has not said here that it is resolved.")


def item_key(guid: str, title: str, text: str) -> str:
    match = TRACKING_ID.search(text) or TRACKING_ID.search(title)
    if match:
        return match.group(1).upper()
    if guid:
        return guid
    return "title:" + hashlib.sha256(title.encode()).hexdigest()[:16]


def parse_items(body: bytes, *, source_id: str, service: str, page: str, known: dict[str, Any]) -> tuple[list[Post], dict[str, Any]]:
    """Posts for the items of an Azure status feed, and the open-incident table for the cursor.

    ``known``: the table from the previous poll (``{key: {"first": native_id, "title": …, "url": …}}``). An item
    whose date is impossible (before 1990, in the future, unreadable) gives no Post (one warning naming it) but
    is still listed: it is not gone.
    """
    feed = parse_feed(body)
    if feed.bozo:
        raise ValueError("not an RSS feed")
    posts: list[Post] = []
    table: dict[str, Any] = {}
    now = datetime.now(timezone.utc)

    def order(entry: FeedEntry) -> datetime:
        when = entry.published or entry.updated
        return when if when is not None and EARLIEST <= when <= now + FUTURE_SLACK else now

    for entry in sorted(feed.entries, key=order):
        key = item_key(entry.id, entry.title, entry.text)
        url = entry.link or page
        when = entry.published or entry.updated
        try:
            if when is None and entry.stated:
                raise SkipEntry(f"not a date: {entry.stated[:40]!r}")
            when = post_time(when) if when is not None else None
        except SkipEntry as err:
            skip_entry(page, key, err)
            if key not in table:
                table[key] = {**(known.get(key) or {}), "title": entry.title, "url": url}
            continue
        stamp = iso_utc(when) if when else hashlib.sha256(entry.text.encode()).hexdigest()[:12]
        native_id = f"{key}@{stamp}"
        first = (known.get(key) or table.get(key) or {}).get("first") or native_id
        table[key] = {"first": first, "title": entry.title, "url": url}
        posts.append(
            Post(
                source_id=source_id,
                native_id=native_id,
                service=service,
                text=entry.text or entry.title,
                created_at=when or now,
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


def gone_posts(gone: dict[str, Any], *, source_id: str, service: str, page: str, text: str = GONE_TEXT,
               now: datetime | None = None) -> list[Post]:
    """Posts for incidents confirmed no longer listed (``trackers.absence``): status ``resolved``, raw status
    ``NOT_LISTED``, the text saying only that the page no longer lists it."""
    now = now or datetime.now(timezone.utc)
    out = []
    for key, info in gone.items():
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
                raw_status=NOT_LISTED,
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
        parts = urlsplit(url)
        page = f"{parts.scheme}://{parts.netloc}{parts.path.removesuffix('feed/').removesuffix('feed')}"
        known = cursor.get("open") or {}
        missing = cursor.get("missing") or {}
        now = datetime.now(timezone.utc)
        if result is None:  # unchanged: what was missing still is
            absence = track(known, None, missing, now)
            posts = gone_posts(absence.gone, source_id=self.source.id, service=self.source.service, page=page, now=now)
            new_cursor["missing"] = absence.missing
            return PollResult(posts, new_cursor, not_modified=not posts)
        with reading(url):
            posts, table = parse_items(
                result.body, source_id=self.source.id, service=self.source.service, page=page,
                known=remembered(known, missing),
            )
        absence = track(known, table, missing, now)
        posts += gone_posts(absence.gone, source_id=self.source.id, service=self.source.service, page=page, now=now)
        new_cursor["open"] = table
        new_cursor["missing"] = absence.missing
        return PollResult(posts, new_cursor)
