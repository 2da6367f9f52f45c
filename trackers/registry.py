"""Which tracker class reads which ``kind`` of source (imported lazily: a kind's libraries load on use)."""

from __future__ import annotations

import importlib

from trackers import Tracker

TRACKER_PATHS: dict[str, str] = {
    "statuspage": "trackers.statuspage:StatuspageTracker",
    "feed": "trackers.feed:FeedTracker",
    "x": "trackers.x:XTracker",
    "bluesky": "trackers.bluesky:BlueskyTracker",
    "mastodon": "trackers.mastodon:MastodonTracker",
    "gcp": "trackers.gcp:GcpTracker",
    "aws": "trackers.aws:AwsTracker",
    "azure": "trackers.azure:AzureTracker",
    "slack": "trackers.slack_status:SlackStatusTracker",
    "incidentio": "trackers.incidentio:IncidentioTracker",
    "instatus": "trackers.instatus:InstatusTracker",
}

# config validation only needs the kinds
TRACKER_CLASSES = TRACKER_PATHS
SOURCE_KINDS: tuple[str, ...] = tuple(TRACKER_PATHS)
HANDLE_KINDS = frozenset({"x", "bluesky", "mastodon"})  # an account to watch (``handle``)
URL_KINDS = frozenset(SOURCE_KINDS) - HANDLE_KINDS  # a page or feed to read (``url``)


def tracker_class(kind: str) -> type[Tracker]:
    module_name, _, class_name = TRACKER_PATHS[kind].partition(":")
    return getattr(importlib.import_module(module_name), class_name)
