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

MAINTENANCE_STATUSES = frozenset({"scheduled", "in_progress", "verifying", "completed"})  # Statuspage's planned-work labels
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
    ``zone`` (an IANA name) overrides the time labels. Blocks whose date cannot be read (or states a year before
    1990 or after the entry's next year) are not updates: their text stays with the update above them.
    """
    if reference.tzinfo is None:
        reference = reference.replace(tzinfo=UTC)
    forced = ZoneInfo(zone) if zone else None
    ref_zone = reference.tzinfo if isinstance(reference.tzinfo, timezone) else None
    headers = [(m, w) for m in _HEADER.finditer(markup or "") if (w := _parse_when(m.group("when")))
               and (w.year is None or 1990 <= w.year <= reference.year + 1)]  # "Dec 31, 9999": no date
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


# ---------------------------------------------------------------------------------------------------------------
# Maintenance windows
#
# A scheduled maintenance's feed entry starts, while it is still scheduled, with the window Statuspage prints:
# "THIS IS A SCHEDULED EVENT Dec 18, 16:00 - 17:00 UTC" (Symantec WSS, 2019). The same line carries both ends'
# dates when they differ ("Dec 31, 22:00 - Jan 1, 02:00 UTC"), a 12-hour clock on pages set to one, and a zone
# label on the end (sometimes on both ends). No year: the start gets the year that puts it nearest the entry's
# date (across Dec→Jan); an end without a date is the same day, or the next day when its clock is not after the
# start's (a window crossing midnight); an end dated earlier in the year than the start is in the next year.

_CLOCK = r"(?P<{p}h>\d{{1,2}}):(?P<{p}m>\d{{2}})\s*(?P<{p}ap>[AaPp]\.?[Mm]\.?)?"
_DAY = r"(?P<{p}mon>[A-Za-z]{{3,9}})\.?\s+(?P<{p}day>\d{{1,2}})(?:st|nd|rd|th)?,?\s*(?:(?P<{p}year>\d{{4}}),?\s*)?"
_ZONE = r"(?P<{p}zone>(?:UTC|GMT)?[+-]\d{{1,2}}(?::?\d{{2}})?|[A-Z]{{1,5}}\b)?"
_WINDOW = re.compile(
    r"THIS\s+IS\s+A\s+SCHEDULED\s+EVENT\s*:?\s*"
    + _DAY.format(p="s") + r"(?:at\s+)?" + _CLOCK.format(p="s") + r"\s*" + _ZONE.format(p="s")
    + r"\s*(?:-|–|—|to|until)\s*"
    + r"(?:" + _DAY.format(p="e") + r"(?:at\s+)?)?" + _CLOCK.format(p="e") + r"\s*" + _ZONE.format(p="e"),
    re.IGNORECASE,
)


def _known_label(label: str | None) -> str:
    """``label`` when it is a time-zone label this module knows (a word after the clock may be the next sentence)."""
    label = (label or "").strip().upper()
    return label if label in _ZONES or _OFFSET_LABEL.match(label) else ""


def _hour(hour: str, ampm: str | None) -> int:
    value = int(hour)
    marker = (ampm or "").replace(".", "").lower()
    if marker == "pm" and value < 12:
        value += 12
    elif marker == "am" and value == 12:
        value = 0
    return value


def _wall(year: int, month: int, day: int, hour: int, minute: int, tz: timezone | ZoneInfo) -> datetime | None:
    try:
        return datetime(year, month, day, hour, minute, tzinfo=tz)
    except ValueError:  # Feb 30, 25:00, 12:61 …
        return None


def scheduled_window(markup: str, reference: datetime, *, zone: str = "") -> tuple[datetime | None, datetime | None]:
    """(start, end) in UTC of the "THIS IS A SCHEDULED EVENT …" line of a Statuspage feed entry, else (None, None).

    ``reference`` is the entry's date (aware) for the year; ``zone`` (IANA) overrides the labels. A window that
    cannot be read whole (unknown month, impossible date) gives (None, None); an end that is not after the
    start gives (start, None).
    """
    text = " ".join(html_to_text(markup or "").split())
    match = _WINDOW.search(text)
    if not match:
        return None, None
    if reference.tzinfo is None:
        reference = reference.replace(tzinfo=UTC)
    g = match.groupdict()
    s_month = MONTHS.get(g["smon"][:3].lower())
    e_month = MONTHS.get(g["emon"][:3].lower()) if g["emon"] else s_month
    if s_month is None or e_month is None:
        return None, None
    s_label, e_label = _known_label(g["szone"]), _known_label(g["ezone"])
    forced = ZoneInfo(zone) if zone else None
    s_tz = forced or zone_for_label(s_label or e_label)
    e_tz = forced or zone_for_label(e_label or s_label)
    s_hour, e_hour = _hour(g["sh"], g["sap"]), _hour(g["eh"], g["eap"] or g["sap"])
    s_day = int(g["sday"])
    if g["syear"]:
        start = _wall(int(g["syear"]), s_month, s_day, s_hour, int(g["sm"]), s_tz)
    else:
        candidates = [c for y in (reference.year - 1, reference.year, reference.year + 1)
                      if (c := _wall(y, s_month, s_day, s_hour, int(g["sm"]), s_tz)) is not None]
        start = min(candidates, key=lambda c: abs(c - reference)) if candidates else None
    if start is None:
        return None, None
    if g["emon"]:
        e_year = int(g["eyear"]) if g["eyear"] else start.year + (1 if (e_month, int(g["eday"])) < (s_month, s_day) else 0)
        end = _wall(e_year, e_month, int(g["eday"]), e_hour, int(g["em"]), e_tz)
    else:
        end = _wall(start.year, s_month, s_day, e_hour, int(g["em"]), e_tz)
        if end is not None and end <= start:  # crosses midnight: ends the next day
            end = end + timedelta(days=1)
    start = start.astimezone(UTC)
    end = end.astimezone(UTC) if end is not None else None
    return start, (end if end is not None and end > start else None)
