"""AWS Health Dashboard: the per-service RSS feeds (``status.aws.amazon.com/rss/<service>.rss``) and the legacy
``data.json`` shape (``{"current": [...], "archive": [...]}``, updates as HTML ``<div>``s with PDT/PST times).

Which shape arrived is decided by the first byte (``{``/``[`` → JSON, ``<`` → feed), whatever the content type.
Lifecycle: an event's first update → ``investigating``, later ones → ``update``; in a ``[RESOLVED]`` event the
last update → ``resolved`` (unless it is only a later-day Post-Event Summary link, ``aws.amazon.com/message/…``,
with no word of recovery: then it is the ``postmortem`` and the update before it the resolution). In a feed, an item titled
"Service is operating normally" (or ``[RESOLVED]``) closes the event. Impact from the dashboard's status
(informational → minor, performance issues → major, service disruption → critical).
Thread key: ``<service>_<epoch of the event's first update>`` — the same key in both shapes.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from posts import Post, iso_utc, trusted_time
from trackers import PollResult
from trackers.html_text import clean_lines, message_text
from trackers.http import HttpTracker, fetch_if_changed, reading
from trackers.textutil import (
    MONTHS,
    SkipEntry,
    each_entry,
    max_impact,
    parse_feed,
    post_time,
    script_language,
    skip_entry,
    unique_id,
)

STATUS_LABELS = {
    "0": "Service is operating normally",
    "1": "Informational message",
    "2": "Performance issues",
    "3": "Service disruption",
}
STATUS_IMPACT = {"0": "none", "1": "minor", "2": "major", "3": "critical"}
PREFIX_IMPACT = {
    "service is operating normally": "none",
    "informational message": "minor",
    "performance issues": "major",
    "service disruption": "critical",
}
TZ_OFFSETS = {
    "PST": -8, "PDT": -7, "MST": -7, "MDT": -6, "CST": -6, "CDT": -5, "EST": -5, "EDT": -4,
    "UTC": 0, "GMT": 0, "JST": 9, "KST": 9, "IST": 5.5,
}
RESOLVED_PREFIX = re.compile(r"^\s*\[\s*resolved\s*\]\s*", re.IGNORECASE)
DIV = re.compile(r"<div[^>]*>(.*?)</div>", re.IGNORECASE | re.DOTALL)
TIME_SPAN = re.compile(r"<span[^>]*>(.*?)</span>", re.IGNORECASE | re.DOTALL)
TIME_LABEL = re.compile(
    r"^\s*(?:(?P<mon>[A-Za-z]{3})[a-z]*\.?\s+(?P<day>\d{1,2}),?\s+)?"
    r"(?P<h>\d{1,2}):(?P<m>\d{2})\s*(?P<ampm>AM|PM)\s*(?P<tz>[A-Z]{2,4})?\s*$",
    re.IGNORECASE,
)
PES_LINK = re.compile(r"aws\.amazon\.com/message/", re.IGNORECASE)
RESOLUTION_WORDS = re.compile(r"operating normally|ha(?:s|ve) been resolved|fully recovered", re.IGNORECASE)


class _Clock:
    """Turns the dashboard's "5:39 PM PDT" / "Sep 6, 8:25 PM PDT" labels into UTC, anchored on the event start."""

    def __init__(self, start: datetime | None) -> None:
        self.start = start
        self.day: date | None = None
        self.last: datetime | None = None

    def __call__(self, label: str) -> datetime | None:
        match = TIME_LABEL.match(message_text(label))
        if not match:
            return None
        tz = (match["tz"] or "PST").upper()
        offset = timedelta(hours=TZ_OFFSETS.get(tz, -8))
        hour = int(match["h"]) % 12 + (12 if match["ampm"].upper() == "PM" else 0)
        if self.day is None:
            anchor = self.start or datetime.now(timezone.utc)
            self.day = (anchor + offset).date()
        explicit = bool(match["mon"]) and match["mon"][:3].lower() in MONTHS
        if explicit:
            month, day = MONTHS[match["mon"][:3].lower()], int(match["day"])
            year = self.day.year + (1 if month < self.day.month - 6 else 0)
            try:
                self.day = date(year, month, day)
            except ValueError:
                return None
        local = datetime(self.day.year, self.day.month, self.day.day, hour, int(match["m"]))
        when = (local - offset).replace(tzinfo=timezone.utc)
        if not explicit and self.last is not None and when < self.last - timedelta(minutes=1):
            when += timedelta(days=1)  # a time-only label past midnight
            self.day = self.day + timedelta(days=1)
        self.last = when
        return when


def split_updates(description: str) -> list[tuple[str, str]]:
    """(time label, plain text) per ``<div>`` of a data.json description."""
    blocks = DIV.findall(description or "") or [description or ""]
    out: list[tuple[str, str]] = []
    for block in blocks:
        label = ""
        span = TIME_SPAN.search(block)
        if span and TIME_LABEL.match(message_text(span.group(1))):
            label = message_text(span.group(1))
            block = block[: span.start()] + block[span.end():]
        text = message_text(block)
        if text:
            out.append((label, text))
    return out


def event_posts(event: dict[str, Any], *, source_id: str, service: str, page: str) -> list[Post]:
    """The updates of one data.json event as Posts, oldest first."""
    svc = str(event.get("service") or "")
    start = post_time(event["date"]) if event.get("date") not in (None, "") else None
    summary = clean_lines(str(event.get("summary") or ""))
    resolved = bool(RESOLVED_PREFIX.match(summary))
    title = RESOLVED_PREFIX.sub("", summary)
    code = str(event.get("status") or "")
    epoch = str(event.get("date") or "")
    thread_key = f"{svc}_{epoch}" if svc and epoch else (svc or epoch or title)
    clock = _Clock(start)
    updates: list[tuple[datetime, str, str]] = []
    for label, text in split_updates(str(event.get("description") or "")):
        when = clock(label) if label else None
        if when is None:
            when = updates[-1][0] if updates else (start or datetime.now(timezone.utc))
        updates.append((when, label, text))
    if not updates and (summary or event.get("details")):
        updates.append((start or datetime.now(timezone.utc), "", message_text(str(event.get("details") or title))))
    statuses = ["investigating" if i == 0 else "update" for i in range(len(updates))]
    if resolved and updates:
        statuses[-1] = "resolved"
        if len(updates) > 1:
            last_day = updates[-1][0] + timedelta(hours=TZ_OFFSETS["PST"])
            prev_day = updates[-2][0] + timedelta(hours=TZ_OFFSETS["PST"])
            last_text = updates[-1][2]
            if PES_LINK.search(last_text) and not RESOLUTION_WORDS.search(last_text) and last_day.date() > prev_day.date():
                statuses[-1] = "postmortem"
                statuses[-2] = "resolved"
    for when, _label, _text in updates:
        trusted_time(when)  # a label read into an impossible time: the event is skipped (SkipEntry from the caller)
    impact = STATUS_IMPACT.get(code, "")
    url = f"{page}#{thread_key}"
    posts: list[Post] = []
    seen: set[str] = set()
    for index, ((when, _label, text), status) in enumerate(zip(updates, statuses, strict=True)):
        native_id = unique_id(f"{thread_key}@{iso_utc(when)}", index, seen)
        posts.append(
            Post(
                source_id=source_id,
                native_id=native_id,
                service=service,
                text=text,
                created_at=when,
                url=url,
                author=urlsplit(page).netloc,
                language=script_language(text),
                thread_key=thread_key,
                status=status,
                raw_status="RESOLVED" if status in ("resolved", "postmortem") else STATUS_LABELS.get(code, code),
                title=title,
                impact=impact,
                components=(str(event["service_name"]),) if event.get("service_name") else (),
            )
        )
    return posts


def parse_data_json(data: Any, *, source_id: str, service: str, page: str = "https://status.aws.amazon.com/") -> list[Post]:
    """Every update of every event in a legacy data.json document (``current`` and ``archive``), oldest first."""
    if isinstance(data, list):
        events = data
    elif isinstance(data, dict):
        events = [*(data.get("current") or []), *(data.get("archive") or [])]
    else:
        raise ValueError("expected a JSON object with current/archive lists")
    groups = each_entry(
        [e for e in events if isinstance(e, dict)],
        lambda event: event_posts(event, source_id=source_id, service=service, page=page),
        where=page, id_of=lambda event: f"{event.get('service') or ''}_{event.get('date') or ''}",
    )
    posts = [post for group in groups for post in group]
    posts.sort(key=lambda p: p.created_at)
    return posts


def _split_title(title: str) -> tuple[str, str]:
    """("Informational message", "API Error Rates") from "Informational message: [RESOLVED] API Error Rates"."""
    prefix, sep, rest = title.partition(":")
    if sep and prefix.strip().lower() in PREFIX_IMPACT:
        return prefix.strip(), rest.strip()
    return "", title.strip()


def parse_rss(body: bytes, *, source_id: str, service: str, page: str = "https://status.aws.amazon.com/") -> list[Post]:
    """Items of an AWS status RSS feed (one item = one update) as Posts, grouped into events per service."""
    feed = parse_feed(body)
    if feed.bozo:
        raise ValueError("not an RSS feed")
    component = re.sub(r"\s*Service Status\s*$", "", feed.title).strip()
    rows = []
    for entry in feed.entries:
        try:
            when = post_time(entry.published or entry.updated or "")
        except SkipEntry as err:
            skip_entry(page, entry.id or entry.title, err)
            continue
        guid = entry.id
        key = guid.rsplit("#", 1)[-1] if "#" in guid else ""
        svc, _, epoch = key.rpartition("_")
        if not svc or not epoch.isdigit():
            svc, epoch = (component or service).lower().replace(" ", "-"), str(int(when.timestamp()))
        rows.append((when, svc, epoch, guid or f"{svc}_{epoch}", entry))
    rows.sort(key=lambda row: row[0])
    open_events: dict[str, dict[str, Any]] = {}
    posts: list[Post] = []
    for when, svc, epoch, guid, entry in rows:
        prefix, summary = _split_title(entry.title)
        closes = prefix.lower() == "service is operating normally" or bool(RESOLVED_PREFIX.match(summary))
        title = RESOLVED_PREFIX.sub("", summary)
        event = open_events.get(svc)
        first = event is None
        if event is None:
            event = {"key": f"{svc}_{epoch}", "impact": "", "title": title}
            open_events[svc] = event
        event["impact"] = max_impact(event["impact"], PREFIX_IMPACT.get(prefix.lower(), ""))
        status = "resolved" if closes else ("investigating" if first else "update")
        posts.append(
            Post(
                source_id=source_id,
                native_id=guid,
                service=service,
                text=entry.text or title,
                created_at=when,
                url=entry.link if entry.link and "#" in entry.link else f"{page}#{svc}_{epoch}",
                author=urlsplit(page).netloc,
                language=script_language(entry.text or title),
                thread_key=event["key"],
                status=status,
                raw_status=prefix,
                title=event["title"] or title,
                impact=event["impact"] or "none",
                components=(component,) if component else (),
            )
        )
        if closes:
            del open_events[svc]
    return posts


def decode_body(body: bytes) -> str:
    """Text of a response body; AWS has served UTF-16 JSON (with a BOM)."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body.decode("utf-16")
    return body.decode("utf-8-sig", errors="replace")


class AwsTracker(HttpTracker):
    kind = "aws"

    def poll(self, cursor: dict[str, Any]) -> PollResult:
        url = self.source.url or self.source.api_base
        result, new_cursor = fetch_if_changed(self.http, url, cursor)
        if result is None:
            return PollResult([], new_cursor, not_modified=True)
        parts = urlsplit(url)
        page = f"{parts.scheme}://{parts.netloc}/"
        text = decode_body(result.body).lstrip()
        with reading(url):
            if text[:1] in ("{", "["):
                posts = parse_data_json(json.loads(text), source_id=self.source.id, service=self.source.service, page=page)
            elif text[:1] == "<":
                posts = parse_rss(result.body, source_id=self.source.id, service=self.source.service, page=page)
            else:
                raise ValueError("neither JSON nor an RSS feed")
        return PollResult(posts, new_cursor)
