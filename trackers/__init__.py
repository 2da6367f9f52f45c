"""Trackers: one poller per kind of source. A tracker fetches and parses; it never touches the store.

Contract: ``tracker.poll(cursor) -> PollResult``. ``cursor`` is the JSON-able dict the tracker returned
last time (``{}`` on the first poll). Every failure is raised as ``TrackerError`` with a one-line message a
person can act on (``HTTP 503 from https://…``); the poll cycle prefixes the source id.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from config import SourceConfig
    from posts import Post


MIN_RETRY_AFTER = 1.0  # seconds: a source that asks for less (or for a time in the past) waits this long
MAX_RETRY_AFTER = 3600.0  # seconds: a source that asks for more (a year, 10^20 s, "inf") is looked at again within the hour


def clamp_retry_after(seconds: Any) -> float | None:
    """A wait a source asked for, as a finite float in [MIN_RETRY_AFTER, MAX_RETRY_AFTER]; None when there is no
    usable number (None, NaN, not a number). Never raises: huge numbers and infinities are clamped."""
    if seconds is None or isinstance(seconds, bool):
        return None
    try:
        value = float(seconds)
    except OverflowError:  # an int too large for a float
        value = math.inf if seconds > 0 else -math.inf
    except (TypeError, ValueError):
        return None
    if math.isnan(value):
        return None
    return min(MAX_RETRY_AFTER, max(MIN_RETRY_AFTER, value))


class TrackerError(Exception):
    """A source could not be read. ``str(err)`` is one line; ``retry_after`` (seconds) when the source said,
    always finite and clamped to [MIN_RETRY_AFTER, MAX_RETRY_AFTER] (so no caller can schedule an overflow)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(" ".join(message.split()))
        self.retry_after = clamp_retry_after(retry_after)


class SkipSource(TrackerError):
    """The source cannot run as configured (a missing token): skipped with a notice, not a failure."""


@dataclass
class PollResult:
    posts: list[Post]
    cursor: dict[str, Any]
    not_modified: bool = False  # the server answered 304 / the content hash did not change
    reads: int = 0  # billable items read (X post reads); 0 for free sources
    notes: list[str] = field(default_factory=list)  # one-line notices worth logging
    # what the lexicon reads in each post's text, keyed by the exact text read (classify.prepared_text): filled by
    # a fetcher process on the other core so the writer does not read the text again; empty means "not read yet"
    readings: dict[str, Any] = field(default_factory=dict)
    # the times each post's words state (incidents.pre_state, by (source id, native id)): filled with ``readings``
    stated: dict[tuple[str, str], Any] = field(default_factory=dict)
    # each post's Statement as the writer would classify it were none of the source's posts of its threads stored
    # yet (pipeline.pre_classify, by (source id, native id)): filled with ``readings`` on a first poll; the writer
    # uses it only when that holds, and classifies the post itself otherwise
    statements: dict[tuple[str, str], Any] = field(default_factory=dict)
    # what the words of the posts of threads with a resolution tell that resolution (incidents.pre_read_earlier, by
    # (text, created_at)): filled with ``readings``; the writer reads any other statement's words itself
    earlier: dict[tuple[str, str], Any] = field(default_factory=dict)


class Tracker:
    """Base class. Subclasses set ``kind`` and implement ``poll``."""

    kind: str = ""

    def __init__(self, source: SourceConfig, *, http: Any = None) -> None:
        self.source = source
        self.http = http

    def poll(self, cursor: dict[str, Any]) -> PollResult:  # pragma: no cover - abstract
        raise NotImplementedError


def tracker_for(source: SourceConfig, *, http: Any = None) -> Tracker:
    """The tracker instance for a configured source."""
    from trackers.registry import tracker_class

    return tracker_class(source.kind)(source, http=http)
