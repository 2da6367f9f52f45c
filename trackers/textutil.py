"""Small pure helpers shared by the official-status-page trackers: script-based language guess, impact order,
loose time parsing and feed entries (HTML → text is ``trackers.html_text``, conditional fetching ``trackers.http``).
"""

from __future__ import annotations

import email.utils
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from posts import EARLIEST, parse_time, trusted_time, utc
from trackers.feed_xml import buffered_text
from trackers.html_text import message_text

log = logging.getLogger(__name__)
skip_log = logging.getLogger("pushti.trackers")  # one warning per entry a tracker skips (it names the entry)

T = TypeVar("T")
R = TypeVar("R")
# What parsing one entry of a hostile document can raise; anything else is a bug and fails the source.
ENTRY_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError)


class SkipEntry(ValueError):
    """One entry of a document cannot be used (its reason is the message); the rest of the document is read."""


def skip_entry(where: str, entry_id: Any, reason: Any) -> None:
    """Log the one warning for an entry that is skipped: ``<where>: skipping entry <id>: <reason>``."""
    shown = " ".join(str(entry_id or "?").split())[:120]
    why = " ".join(str(reason).split())[:200]
    skip_log.warning("%s: skipping entry %s: %s", where or "document", shown, why)


def each_entry(
    items: Iterable[T], parse: Callable[[T], R], *, where: str, id_of: Callable[[T], Any],
    failures: list[str] | None = None,
) -> list[R]:
    """``parse(item)`` for every item; an item whose parsing fails (a bad date, a wrong type) is skipped with one
    warning naming its id (``skip_entry``), the others are returned. The reasons are appended to ``failures``."""
    out: list[R] = []
    for item in items:
        try:
            out.append(parse(item))
        except ENTRY_ERRORS as err:
            try:
                entry_id = id_of(item)
            except ENTRY_ERRORS:
                entry_id = "?"
            reason = "a date before year 1 or after year 9999" if isinstance(err, OverflowError) else err
            skip_entry(where, entry_id, reason)
            if failures is not None:
                failures.append(" ".join(str(reason).split())[:200])
    return out


def post_time(value: Any, *, now: datetime | None = None) -> datetime:
    """A statement's own time from a source field (a datetime, or anything ``parse_any_time`` reads), trusted:
    from 1990-01-01 to a day after now. Raises SkipEntry (one line) otherwise; never anything else."""
    if isinstance(value, datetime):
        when: datetime | None = value
    else:
        when = parse_any_time(value)
        if when is None:
            raise SkipEntry(f"not a date: {str(value)[:40]!r}")
    try:
        return trusted_time(when, now=now)  # type: ignore[arg-type]
    except ValueError as err:
        raise SkipEntry(str(err)) from None
    except OverflowError:
        raise SkipEntry("a date before year 1 or after year 9999") from None

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


STATED_AHEAD = timedelta(days=400)  # a stated start or end (a maintenance window) may lie this far ahead at most


def in_bounds(when: datetime | None, *, what: str, where: str = "") -> datetime | None:
    """``when`` if it can be a stated start or end: from 1990-01-01 to 400 days after now (a maintenance is
    announced ahead, never years ahead); else None and one log line naming ``what`` and ``where``."""
    if when is None:
        return None
    try:
        if EARLIEST <= utc(when) <= datetime.now(timezone.utc) + STATED_AHEAD:
            return when
    except (OverflowError, ValueError):
        pass
    log.warning("%s: ignoring %s %s (before 1990 or over 400 days ahead)", where or "document", what,
                when.isoformat()[:25])
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
    stated: str = ""  # the date text the entry gives (published, else updated), read or not


@dataclass(frozen=True)
class Feed:
    title: str
    link: str
    entries: list[FeedEntry]
    bozo: bool


def feedparser_parse(body: bytes) -> Any:
    """``feedparser.parse`` of a feed body (bytes: feedparser fetches nothing itself), without its HTML sanitiser
    and relative-link resolver: each re-parses every HTML field with feedparser's SGML parser, together two
    thirds of its time on a status page's history feed. Neither is needed here: every field becomes plain text
    (``trackers.html_text`` drops scripts and styles itself) and is escaped again wherever it is shown. Two
    kinds of document keep the full parse, so that nothing read before reads differently now: one with
    ``xml:base`` (its relative links are resolved against it) and one with an entry known by neither id nor
    link (its title, as feedparser cleans it, is the entry's identity). XML is read with expat's text buffering
    (``trackers.feed_xml``): the same result, fewer callbacks."""
    import feedparser

    with buffered_text():
        if b"xml:base" not in body:
            parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
            if all(not isinstance(e, dict) or dict.get(e, "id") or dict.get(e, "link") for e in parsed.entries):
                return parsed
        return feedparser.parse(body)


def parse_feed(body: bytes) -> Feed:
    """RSS / Atom via feedparser, entries reduced to plain fields (times as aware UTC). The full parse: the
    feed's own title (AWS names the component by it) keeps feedparser's cleaning; XML read as in
    ``feedparser_parse``."""
    import feedparser

    with buffered_text():
        parsed = feedparser.parse(body)
    entries: list[FeedEntry] = []
    for entry in parsed.entries:
        if not isinstance(entry, dict):
            continue
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
                stated=str(dict.get(entry, "published") or dict.get(entry, "updated") or "").strip()[:80],
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
