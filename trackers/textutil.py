"""Small pure helpers shared by the official-status-page trackers: script-based language guess, impact order,
loose time parsing and feed entries (HTML → text is ``trackers.html_text``, conditional fetching ``trackers.http``).
"""

from __future__ import annotations

import email.utils
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from posts import parse_time, utc
from trackers.html_text import message_text

log = logging.getLogger(__name__)

IMPACT_ORDER = ("", "none", "minor", "major", "critical")

_SCRIPTS = (
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")),
    ("ja", re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
)


def script_language(text: str, default: str = "en") -> str:
    """A language guess from the writing system: Hangul → ko, kana → ja, Devanagari → hi, Han only → zh.

    Bilingual statements ("日本語 | English", as AWS posts for Tokyo) get the non-Latin language: that is
    what sets them apart; the English half is still in the text.
    """
    for code, pattern in _SCRIPTS:
        if pattern.search(text or ""):
            return code
    return default


def max_impact(*impacts: str) -> str:
    """The worst of several impact labels (none < minor < major < critical)."""
    return max(impacts, key=lambda i: IMPACT_ORDER.index(i) if i in IMPACT_ORDER else 0, default="")


_JS_DATE = re.compile(
    r"^\w{3} (\w{3}) (\d{1,2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT([+-])(\d{2})(\d{2})"
)
MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


def parse_any_time(value: Any) -> datetime | None:
    """ISO 8601, RFC 2822 (with PST/PDT…), a JavaScript ``Date.toString()`` or Unix seconds → aware UTC; None if not.

    Never raises: a value out of datetime's range (year 0, 1e20 seconds) is None too.
    """
    try:
        return _parse_any_time(value)
    except (ValueError, OverflowError, OSError):
        return None


def _parse_any_time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), tz=timezone.utc)
    text = str(value).strip()
    if re.fullmatch(r"\d{9,11}(\.\d+)?", text):
        return datetime.fromtimestamp(float(text), tz=timezone.utc)
    try:
        return parse_time(text)
    except ValueError:
        pass
    match = _JS_DATE.match(text)
    if match:
        mon, day, year, hh, mm, ss, sign, oh, om = match.groups()
        if mon.lower() in MONTHS:
            offset = timedelta(hours=int(oh), minutes=int(om)) * (1 if sign == "+" else -1)
            local = datetime(int(year), MONTHS[mon.lower()], int(day), int(hh), int(mm), int(ss))
            return (local - offset).replace(tzinfo=timezone.utc)
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return utc(parsed) if parsed is not None else None


MIN_YEAR, MAX_YEAR = 1970, 2100  # a stated time outside these years is a typo or a placeholder, not a date


def in_bounds(when: datetime | None, *, what: str, where: str = "") -> datetime | None:
    """``when`` if its (UTC) year is 1970–2100; else None and one log line naming ``what`` and ``where``."""
    if when is None:
        return None
    if MIN_YEAR <= when.year <= MAX_YEAR:
        return when
    log.warning("%s: ignoring %s %s (outside %d-%d)", where or "document", what, when.isoformat(), MIN_YEAR, MAX_YEAR)
    return None


def stated_time(value: Any, *, what: str, where: str = "") -> datetime | None:
    """A structured time field (a start or end the source states) as aware UTC, or None.

    Absent (None / "") is None quietly; unreadable, or outside 1970–2100, is None with one log line. Never raises.
    """
    if value is None or value == "":
        return None
    try:
        when = parse_any_time(value)
    except (ValueError, OverflowError, OSError, TypeError):
        when = None
    if when is None:
        log.warning("%s: ignoring %s %r (not a date)", where or "document", what, str(value)[:60])
        return None
    return in_bounds(when, what=what, where=where)


def unique_id(native_id: str, index: int, seen: set[str]) -> str:
    """``native_id``, or ``native_id#index`` when an earlier update (same incident, same time) took it; kept in ``seen``."""
    if native_id in seen:
        native_id = f"{native_id}#{index}"
    seen.add(native_id)
    return native_id


@dataclass(frozen=True)
class FeedEntry:
    id: str
    title: str
    link: str
    text: str  # plain text of the content / summary
    published: datetime | None
    updated: datetime | None


@dataclass(frozen=True)
class Feed:
    title: str
    link: str
    entries: list[FeedEntry]
    bozo: bool


def parse_feed(body: bytes) -> Feed:
    """RSS / Atom via feedparser, entries reduced to plain fields (times as aware UTC)."""
    import feedparser

    parsed = feedparser.parse(body)
    entries: list[FeedEntry] = []
    for entry in parsed.entries:
        content = ""
        if entry.get("content"):
            content = entry["content"][0].get("value", "")
        content = content or entry.get("summary", "") or entry.get("description", "")
        entries.append(
            FeedEntry(
                id=str(entry.get("id") or entry.get("guid") or entry.get("link") or ""),
                title=message_text(entry.get("title", "")),
                link=str(entry.get("link", "")),
                text=message_text(content),
                published=parse_any_time(dict.get(entry, "published")),
                updated=parse_any_time(dict.get(entry, "updated")),
            )
        )
    feed = parsed.get("feed", {})
    looks_like_feed = bool(parsed.get("version")) or bool(entries)
    return Feed(
        title=message_text(feed.get("title", "")),
        link=str(feed.get("link", "")),
        entries=entries,
        bozo=not looks_like_feed,
    )
