"""Statuspage HTML, without I/O: a history-feed entry split into its dated updates, status labels, time zones.

Pure functions shared by the Statuspage JSON tracker and the feed tracker; nothing here fetches or stores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from posts import STATUSES
from trackers.html_text import html_to_text
from trackers.textutil import MONTHS

# ---------------------------------------------------------------------------------------------------------------
# Status labels

_STATUS_ALIASES = {"post_mortem": "postmortem", "inprogress": "in_progress", "maintenance_in_progress": "in_progress"}


def normalise_status(label: str) -> str:
    """'In progress' → 'in_progress', 'Update' → 'update'; a label outside ``posts.STATUSES`` → ''."""
    key = re.sub(r"[\s\-]+", "_", label.strip().lower())
    key = _STATUS_ALIASES.get(key, key)
    return key if key in STATUSES else ""


# ---------------------------------------------------------------------------------------------------------------
# Time-zone labels
#
# Statuspage prints each update's time in the page's zone with an abbreviation ("Nov 14, 14:07 PST").
# The abbreviation is NOT a reliable fixed offset: the 2013-era Parse feed prints "PST" all year, and its
# <pubDate> proves the wall times are Pacific *daylight* time in summer ("Aug 27, 14:16 PST" is the update of
# the item published "Tue, 27 Aug 2013 14:16:40 -0700"; taking PST literally, -08:00, would put it an hour
# late). So a label is read as the region's zone (America/Los_Angeles for PST/PDT), DST rules included; on
# the modern feed (Sauce Labs 2020: PDT in summer, PST in winter) both readings agree. A source may also
# name its zone outright (``zone="America/Denver"``), which wins over the label.
_ZONES = {
    "UTC": "UTC", "GMT": "UTC", "Z": "UTC",
    "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles", "PT": "America/Los_Angeles",
    "MST": "America/Phoenix", "MDT": "America/Denver",  # "MST" in summer is Arizona (no DST) on modern pages
    "CST": "America/Chicago", "CDT": "America/Chicago", "CT": "America/Chicago",
    "EST": "America/New_York", "EDT": "America/New_York", "ET": "America/New_York",
    "AKST": "America/Anchorage", "AKDT": "America/Anchorage", "HST": "Pacific/Honolulu",
    "BST": "Europe/London", "WET": "Europe/Lisbon", "WEST": "Europe/Lisbon",
    "CET": "Europe/Berlin", "CEST": "Europe/Berlin", "EET": "Europe/Helsinki", "EEST": "Europe/Helsinki",
    "MSK": "Europe/Moscow", "IST": "Asia/Kolkata", "SGT": "Asia/Singapore", "HKT": "Asia/Hong_Kong",
    "JST": "Asia/Tokyo", "KST": "Asia/Seoul",
    "AEST": "Australia/Sydney", "AEDT": "Australia/Sydney", "NZST": "Pacific/Auckland", "NZDT": "Pacific/Auckland",
}
_OFFSET_LABEL = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$")


def zone_for_label(label: str, fallback: timezone | ZoneInfo | None = None) -> timezone | ZoneInfo:
    """The zone a Statuspage time label stands for ('PDT' → America/Los_Angeles, '+05:30' → UTC+05:30)."""
    label = label.strip().upper()
    if label in _ZONES:
        return UTC if _ZONES[label] == "UTC" else ZoneInfo(_ZONES[label])
    match = _OFFSET_LABEL.match(label)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0)))
    return fallback or UTC


# ---------------------------------------------------------------------------------------------------------------
# History-feed entries

# One update starts with <small>DATE</small><br><strong>Label</strong> - ; only that <strong> is a status
# (a <strong> anywhere else, like Symantec's "Impact" / "Required Action" headings, is body text).
_HEADER = re.compile(
    r"<small[^>]*>(?P<when>.*?)</small>\s*<br\s*/?>\s*<strong[^>]*>(?P<label>.*?)</strong>\s*(?:-|&#8211;|–|—)?\s*",
    re.IGNORECASE | re.DOTALL,
)
_WHEN = re.compile(
    r"^(?P<month>[A-Za-z]{3})[a-z]*\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s*(?:(?P<year>\d{4})\s*)?[,\-–]?\s*"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*(?P<ampm>[AaPp][Mm])?\s*(?P<zone>[A-Za-z]{1,5}|(?:UTC|GMT)?[+-]\d{1,2}:?\d{0,2})?$"
)


@dataclass(frozen=True)
class Update:
    """One dated update inside a Statuspage history-feed entry."""

    created_at: datetime  # aware UTC, to the minute
    label: str  # as shown: "Update", "In progress"
    status: str  # normalised ("update", "in_progress"); "" when the label is not a known status
    text: str  # the update's body as plain text


@dataclass(frozen=True)
class _When:
    month: int
    day: int
    year: int | None
    hour: int
    minute: int
    zone: str


def _parse_when(markup: str) -> _When | None:
    text = " ".join(html_to_text(markup).split())
    match = _WHEN.match(text)
    if not match or match.group("month").lower() not in MONTHS:
        return None
    hour = int(match.group("hour"))
    ampm = (match.group("ampm") or "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    return _When(
        month=MONTHS[match.group("month").lower()],
        day=int(match.group("day")),
        year=int(match.group("year")) if match.group("year") else None,
        hour=hour,
        minute=int(match.group("minute")),
        zone=match.group("zone") or "",
    )


def is_statuspage_entry(markup: str) -> bool:
    """True when the entry HTML holds at least one ``<small>date</small><br><strong>Label</strong>`` update.

    This is the rule that makes a feed entry a Statuspage history entry (whatever host serves it): the
    content, not the URL, decides, so custom domains and mirrored feeds work and other feeds are untouched.
    """
    return any(_parse_when(m.group("when")) for m in _HEADER.finditer(markup or ""))


def _local(when: _When, year: int, tz: timezone | ZoneInfo) -> datetime | None:
    try:
        return datetime(year, when.month, when.day, when.hour, when.minute, tzinfo=tz)
    except ValueError:  # Feb 29 in a year without one
        return None


def split_statuspage_entry(markup: str, reference: datetime, *, zone: str = "") -> list[Update]:
    """The dated updates of one Statuspage history-feed entry, in document order (newest first).

    ``reference`` is the entry's updated/published time (aware); dates shown without a year get the year
    that puts the newest update closest to it, then each older update walks backwards (an update dated
    later in the year than the one above it belongs to the previous year: Dec 31 below Jan 1).
    ``zone`` (an IANA name) overrides the time labels. Blocks whose date cannot be read are not updates:
    their text stays with the update above them.
    """
    if reference.tzinfo is None:
        reference = reference.replace(tzinfo=UTC)
    forced = ZoneInfo(zone) if zone else None
    ref_zone = reference.tzinfo if isinstance(reference.tzinfo, timezone) else None
    headers = [(m, w) for m in _HEADER.finditer(markup or "") if (w := _parse_when(m.group("when")))]
    updates: list[Update] = []
    previous: tuple[int, int, int] | None = None  # (year, month, day) shown for the update above (newer)
    for index, (match, when) in enumerate(headers):
        end = headers[index + 1][0].start() if index + 1 < len(headers) else len(markup)
        tz = forced or zone_for_label(when.zone, ref_zone)
        if when.year is not None:
            year = when.year
        elif previous is None:
            candidates = [c for y in (reference.year - 1, reference.year, reference.year + 1)
                          if (c := _local(when, y, tz)) is not None]
            year = min(candidates, key=lambda c: abs(c - reference)).year if candidates else reference.year
        else:
            # Compare the dates as shown (not instants): an update dated later in the year than the newer one
            # above it belongs to the year before (Dec 31 below Jan 1). Same day, odd minutes: same year.
            year = previous[0] if (when.month, when.day) <= previous[1:] else previous[0] - 1
        local = _local(when, year, tz)
        if local is None:  # Feb 29 in a year without one: the nearest earlier leap year
            year -= 1
            while (local := _local(when, year, tz)) is None and year > 1900:
                year -= 1
        if local is None:
            continue
        previous = (year, when.month, when.day)
        label = html_to_text(match.group("label")).strip()
        updates.append(Update(
            created_at=local.astimezone(UTC),
            label=label,
            status=normalise_status(label),
            text=html_to_text(markup[match.end():end]),
        ))
    return updates
