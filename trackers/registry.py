"""Which tracker class reads which ``kind`` of source."""

from __future__ import annotations

from trackers import Tracker
from trackers.feed import FeedTracker
from trackers.statuspage import StatuspageTracker

TRACKER_CLASSES: dict[str, type[Tracker]] = {
    "statuspage": StatuspageTracker,
    "feed": FeedTracker,
}
