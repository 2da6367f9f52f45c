"""The Post: one official statement as a tracker saw it — plain, immutable data, no I/O."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta, timezone
from typing import Any

# A statement's own time is trusted only within these bounds: no status page or account we read is older than
# 1990, and a statement cannot have been made more than a day ahead of our clock (a day of slack for skewed
# clocks and zones mislabelled by the source). Anything else is a placeholder (0001-01-01, 9999-12-31) or a typo.
EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)
FUTURE_SLACK = timedelta(days=1)

# Structured lifecycle labels a tracker may put in ``Post.status`` (Statuspage's vocabulary, which the
# other status-page trackers map onto). Empty string: the source has no structured status (social posts).
STATUSES = (
    "investigating",
    "identified",
    "monitoring",
    "update",
    "resolved",
    "postmortem",
    "scheduled",
    "in_progress",
    "verifying",
    "completed",
)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}  # a dataclass's field names, in order (``fields`` builds them anew)


@dataclass(frozen=True)
class Post:
    """One statement by an official voice (a status-page update, a post by a support account)."""

    source_id: str  # config id of the source that produced it
    native_id: str  # unique within the source (update id, tweet id, post URI, entry id + update time)
    service: str  # service name from the source config ("GitHub")
    text: str  # the statement verbatim, as plain text
    created_at: datetime  # timezone-aware, UTC
    url: str = ""  # link to the statement (incident shortlink, post URL)
    author: str = ""  # handle or page name
    language: str = ""  # "en", "hi", … ("" = unknown)
    thread_key: str = ""  # incident id / conversation id / root URI; "" = none
    status: str = ""  # one of STATUSES when the source has a structured status, else ""
    raw_status: str = ""  # the source's own label, as shown ("Update", "SERVICE_OUTAGE")
    title: str = ""  # incident name, when the source has one
    impact: str = ""  # none | minor | major | critical | ""
    components: tuple[str, ...] = field(default_factory=tuple)
    is_reply: bool = False  # a reply to some post
    is_self_reply: bool = False  # a reply to the same account's own post (a self-thread)
    incident_kind: str = ""  # "maintenance" when the source marks it as planned work; "" = incident / unknown
    starts_at: datetime | None = None  # start the source states in a structured field (GCP begin, scheduled_for)
    ends_at: datetime | None = None  # end the source states in a structured field (GCP end, scheduled_until)

    @property
    def revision(self) -> str:
        """Short hash of what the statement says; an entry edited in place gets a new revision."""
        digest = hashlib.sha256(f"{self.status}\x00{self.title}\x00{self.text}".encode()).hexdigest()
        return digest[:16]

    def to_row(self) -> dict[str, Any]:
        """The post as a flat dict (times as ISO 8601 UTC strings) for the store."""
        names = _FIELD_NAMES.get(type(self))
        if names is None:
            names = _FIELD_NAMES[type(self)] = tuple(f.name for f in fields(self))
        row = {name: getattr(self, name) for name in names}  # flat values: no deep copy (asdict) needed
        row["created_at"] = iso_utc(self.created_at)
        row["components"] = list(self.components)
        row["starts_at"] = iso_utc(self.starts_at) if self.starts_at else None
        row["ends_at"] = iso_utc(self.ends_at) if self.ends_at else None
        row["revision"] = self.revision
        return row

    def with_changes(self, **changes: Any) -> Post:
        return replace(self, **changes)


def utc(value: datetime) -> datetime:
    """The same instant as an aware UTC datetime (naive values are taken to be UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def iso_utc(value: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second: 2019-07-03T15:05:00Z."""
    value = value if value.tzinfo is timezone.utc else utc(value)
    if value.year < 1000:  # strftime writes such a year unpadded ("999-01-02…"): kept as it was
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f"{value.year}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:{value.minute:02d}:"
            f"{value.second:02d}Z")


def parse_time(text: str) -> datetime:
    """Parse an ISO 8601 timestamp (with Z or an offset; naive = UTC) into aware UTC.

    Raises ValueError for anything unreadable, including a moment that cannot be held in UTC (0001-01-01 with a
    positive offset, 9999-12-31 with a negative one): never OverflowError.
    """
    text = str(text).strip()
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    try:
        return utc(datetime.fromisoformat(text))
    except OverflowError:
        raise ValueError(f"date out of range: {text[:40]!r}") from None


def trusted_time(when: datetime, *, now: datetime | None = None) -> datetime:
    """``when`` (as aware UTC) if it can be a statement's time — from 1990-01-01 to a day after ``now`` —
    else ValueError saying why (one line)."""
    when = utc(when)
    now = utc(now) if now is not None else datetime.now(timezone.utc)
    if when < EARLIEST:
        raise ValueError(f"date {when.isoformat()[:19]}Z is before {EARLIEST.year}")
    if when > now + FUTURE_SLACK:
        raise ValueError(f"date {when.isoformat()[:19]}Z is in the future")
    return when


def parse_post_time(text: str, *, now: datetime | None = None) -> datetime:
    """``parse_time`` for a statement's own time from a source: also refuses dates outside
    [1990-01-01, now + 1 day] (ValueError, one line). Never raises anything else."""
    try:
        return trusted_time(parse_time(text), now=now)
    except ValueError as err:
        if str(err).startswith(("date ", "Invalid isoformat")):
            raise ValueError(str(err).replace("Invalid isoformat string", "not a date")) from None
        raise ValueError(f"not a date: {str(text)[:40]!r}") from None
    except (TypeError, AttributeError):
        raise ValueError(f"not a date: {str(text)[:40]!r}") from None
