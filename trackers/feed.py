"""RSS/Atom feed tracker (feedparser): one Post per entry, or per dated update for Statuspage history feeds.

A Statuspage ``history.atom`` / ``history.rss`` entry holds a whole incident; it is split into the same
Posts the JSON API gives (see ``trackers.statuspage_html``). Any other entry is one Post per revision.

An entry whose updates carry a maintenance label (Scheduled / In progress / Verifying / Completed) or that
prints "THIS IS A SCHEDULED EVENT <window>" is planned work: every Post of it gets ``incident_kind =
"maintenance"`` and, when the window is printed (only while the maintenance is still scheduled), its start and
end as ``starts_at`` / ``ends_at``.
"""

from __future__ import annotations

import email.utils
import re
import xml.sax
from datetime import UTC, datetime
from typing import Any

from config import SourceConfig
from posts import Post, trusted_time, utc
from trackers import PollResult, TrackerError
from trackers.html_text import html_to_text
from trackers.http import HttpTracker, fetch_if_changed
from trackers.statuspage_html import (
    MAINTENANCE_STATUSES,
    is_statuspage_entry,
    scheduled_window,
    split_statuspage_entry,
)
from trackers.textutil import SkipEntry, each_entry, feedparser_parse, in_bounds, skip_entry

FEED_ACCEPT = "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"
_INCIDENT_LINK = re.compile(r"/incidents/([A-Za-z0-9_-]+)/?(?:[?#].*)?$")
_HISTORY_TITLE = re.compile(r"\s*[-–]\s*(Incident History|Status History|History)\s*$", re.IGNORECASE)
_HARMLESS_XML_ERRORS = ("undefined entity",)  # feedparser recovers these well (&nbsp; in RSS) — read on


def _entry_time(entry: Any, key: str) -> datetime | None:
    """The entry's ``published``/``updated`` as an aware datetime keeping the feed's own offset."""
    raw = dict.get(entry, key)  # plain dict lookups: feedparser's own map "updated"→"published" with a warning
    if isinstance(raw, str) and raw.strip():
        try:
            value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        except ValueError:
            pass
        try:
            value = email.utils.parsedate_to_datetime(raw)
            if value is not None:
                return value if value.tzinfo else value.replace(tzinfo=UTC)
        except (TypeError, ValueError, IndexError):
            pass
    parsed = dict.get(entry, f"{key}_parsed")
    if parsed:
        return datetime(*parsed[:6], tzinfo=UTC)
    return None


def _entry_html(entry: Any) -> str:
    for content in entry.get("content") or []:
        value = content.get("value") or ""
        if value.strip():
            return value
    return entry.get("summary") or ""


def _language(parsed: Any, default: str) -> str:
    lang = str(parsed.feed.get("language") or "").strip()
    return lang.split("-")[0].split("_")[0].lower() if lang else default


def _author(parsed: Any, entry: Any) -> str:
    for detail in (entry.get("author_detail"), parsed.feed.get("author_detail")):
        if detail and detail.get("name"):
            return str(detail["name"])
    if entry.get("author"):
        return str(entry["author"])
    return _HISTORY_TITLE.sub("", str(parsed.feed.get("title") or "")).strip()


def parse_feed(body: bytes, source: SourceConfig, *, where: str = "", now: datetime | None = None) -> list[Post]:
    """Posts of a feed body. Not a feed (HTML page, malformed XML, no feed at all) → TrackerError."""
    where = where or source.url or "feed"
    parsed = feedparser_parse(body)
    error = parsed.get("bozo_exception")
    if isinstance(error, xml.sax.SAXException) and not any(h in str(error) for h in _HARMLESS_XML_ERRORS):
        raise TrackerError(f"{where} is not an RSS/Atom feed: malformed XML: {error}")
    if not parsed.get("version"):
        reason = f"{type(error).__name__}: {error}" if error else "no <rss>, <feed> or <rdf:RDF> root"
        lead = body.lstrip()[:200].lower()
        if lead.startswith(b"<!doctype html") or lead.startswith(b"<html"):
            reason = "got an HTML page"
        raise TrackerError(f"{where} is not an RSS/Atom feed: {reason}")
    now = now or datetime.now(UTC)
    zone = str(source.option("timezone", "") or "")
    def one(entry: Any) -> list[Post]:
        return _trusted(_entry_posts(parsed, entry, source, now=now, zone=zone), where, _entry_id(entry), now)

    groups = each_entry(parsed.entries, one, where=where, id_of=_entry_id)
    return [post for group in groups for post in group]


def _entry_id(entry: Any) -> str:
    return str(entry.get("id") or entry.get("link") or entry.get("title") or "") if isinstance(entry, dict) else "?"


def _trusted(posts: list[Post], where: str, entry_id: str, now: datetime) -> list[Post]:
    """The entry's posts whose time can be a statement's (1990 .. now + 1 day); the others are dropped with one
    warning for the entry (an entry with none left is skipped)."""
    kept, bad = [], []
    for post in posts:
        try:
            trusted_time(post.created_at, now=now)
            kept.append(post)
        except ValueError as err:
            bad.append(str(err))
    if bad and not kept:
        raise SkipEntry(bad[0])
    if bad:
        skip_entry(where, entry_id, f"{len(bad)} of its updates: {bad[0]}")
    return kept


def _entry_posts(parsed: Any, entry: Any, source: SourceConfig, *, now: datetime, zone: str) -> list[Post]:
    markup = _entry_html(entry)
    link = str(entry.get("link") or "")
    entry_id = str(entry.get("id") or link or entry.get("title") or "")
    title = html_to_text(str(entry.get("title") or ""))
    author = _author(parsed, entry)
    updated = _entry_time(entry, "updated")
    published = _entry_time(entry, "published")
    if is_statuspage_entry(markup):
        match = _INCIDENT_LINK.search(link)
        thread_key = match.group(1) if match else entry_id
        reference = updated or published or now
        trusted_time(reference, now=now)  # the years of the updates come from it: an impossible one skips the entry
        updates = split_statuspage_entry(markup, reference, zone=zone)
        starts_at, ends_at = scheduled_window(markup, reference, zone=zone)
        where = f"{source.url or 'feed'} entry {thread_key}"
        starts_at = in_bounds(starts_at, what="the scheduled start", where=where)
        ends_at = in_bounds(ends_at, what="the scheduled end", where=where)
        planned = starts_at is not None or any(u.status in MAINTENANCE_STATUSES for u in updates)
        posts: list[Post] = []
        seen: dict[str, int] = {}
        # Oldest first, so a disambiguator, once given, never moves when newer updates arrive.
        for update in reversed(updates):
            minute = update.created_at.strftime("%Y-%m-%dT%H:%MZ")
            native_id = f"{thread_key}@{minute}#{update.status or update.label}"
            seen[native_id] = seen.get(native_id, 0) + 1
            if seen[native_id] > 1:
                native_id += f"~{seen[native_id]}"
            posts.append(Post(
                source_id=source.id,
                native_id=native_id,
                service=source.service,
                text=update.text,
                created_at=update.created_at,
                url=link,
                author=author,
                language=_language(parsed, "en"),
                thread_key=thread_key,
                status=update.status,
                raw_status=update.label,
                title=title,
                incident_kind="maintenance" if planned else "",
                starts_at=starts_at,
                ends_at=ends_at,
            ))
        posts.reverse()  # document order: newest first, as the feed shows them
        return posts
    if updated is None and published is None:
        stated = [str(dict.get(entry, k) or "").strip() for k in ("updated", "published")]
        if any(stated):  # a date is given but cannot be read: not "now", the entry is skipped
            raise SkipEntry(f"not a date: {next(s for s in stated if s)[:40]!r}")
    text = html_to_text(markup) or title
    post = Post(
        source_id=source.id,
        native_id=entry_id,
        service=source.service,
        text=text,
        created_at=utc(updated or published or now),
        url=link,
        author=author,
        language=_language(parsed, ""),
        thread_key=entry_id,
        title=title,
    )
    # An entry edited in place (same id, new words) is a new statement in the same thread.
    return [post.with_changes(native_id=f"{entry_id}#{post.revision}")]


class FeedTracker(HttpTracker):
    """Polls one RSS/Atom feed conditionally (ETag, Last-Modified, body hash)."""

    kind = "feed"

    def poll(self, cursor: dict[str, Any]) -> PollResult:
        url = self.source.url
        result, new_cursor = fetch_if_changed(self.http, url, cursor or {}, accept=FEED_ACCEPT)
        if result is None:
            return PollResult([], new_cursor, not_modified=True)
        return PollResult(parse_feed(result.body, self.source, where=url), new_cursor)

