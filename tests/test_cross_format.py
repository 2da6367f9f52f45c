"""The same 25 GitHub incidents read from history.atom and from the JSON API give the same statements."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest

from config import SourceConfig
from posts import Post
from trackers.feed import parse_feed
from trackers.html_text import normalise_space
from trackers.statuspage import parse_statuspage_document

DATA = Path(__file__).resolve().parent / "data"
FEED = DATA / "feeds" / "githubstatus_history_2019-11-22.atom"
JSON_DIR = DATA / "statuspage" / "github_incidents"
SOURCE = SourceConfig(id="github", kind="feed", service="GitHub", url="https://www.githubstatus.com")


def lifecycle(posts: list[Post]) -> list[str]:
    """Oldest first: the first statement acknowledges, 'resolved' resolves, everything else is an update.

    Raw labels differ on purpose: where an update kept the status, the feed prints "Update" while the API
    repeats the status ("investigating"), so the labels are not compared, the lifecycle is.
    """
    return ["resolved" if p.status == "resolved" else "acknowledged" if i == 0 else "update"
            for i, p in enumerate(posts)]


def by_incident(posts: list[Post]) -> dict[str, list[Post]]:
    grouped: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        grouped[post.thread_key].append(post)
    return {key: sorted(group, key=lambda p: p.created_at) for key, group in grouped.items()}


FEED_POSTS = by_incident(parse_feed(FEED.read_bytes(), SOURCE))
INCIDENT_IDS = sorted(FEED_POSTS)


def api_posts(incident_id: str) -> list[Post]:
    doc = json.loads((JSON_DIR / f"{incident_id}.json").read_text(encoding="utf-8"))
    return by_incident(parse_statuspage_document(doc, SOURCE))[incident_id]


def test_the_feed_holds_the_25_incidents_we_have_as_json() -> None:
    assert len(INCIDENT_IDS) == 25
    assert all((JSON_DIR / f"{i}.json").exists() for i in INCIDENT_IDS)


@pytest.mark.parametrize("incident_id", INCIDENT_IDS)
def test_feed_and_api_agree(incident_id: str) -> None:
    feed, api = FEED_POSTS[incident_id], api_posts(incident_id)
    assert len(feed) == len(api)
    # The feed shows display_at to the minute.
    assert [p.created_at for p in feed] == [
        p.created_at.replace(second=0, microsecond=0) for p in api
    ]
    assert all(timedelta(0) <= a.created_at - f.created_at < timedelta(minutes=1) for f, a in zip(feed, api, strict=True))
    assert lifecycle(feed) == lifecycle(api)
    assert [normalise_space(p.text) for p in feed] == [normalise_space(p.text) for p in api]
    # Line breaks survive both ways too (one incident's JSON body has a newline, rendered as <br /> in the feed).
    assert [p.text for p in feed] == [p.text for p in api]
    assert {p.title for p in feed} == {p.title for p in api}
    assert {p.author for p in feed} == {p.author for p in api} == {"GitHub"}
    assert {p.thread_key for p in feed} == {p.thread_key for p in api} == {incident_id}


def test_where_the_labels_differ_and_where_they_agree() -> None:
    feed_labels = [p.raw_status for posts in FEED_POSTS.values() for p in posts]
    api_labels = [p.raw_status for i in INCIDENT_IDS for p in api_posts(i)]
    assert "Update" in feed_labels and "update" not in api_labels
    assert feed_labels.count("Resolved") == api_labels.count("resolved") == 25
    # rgy28jwprr1c moved through every status, so there the labels match one for one.
    assert [p.status for p in FEED_POSTS["rgy28jwprr1c"]] == [p.status for p in api_posts("rgy28jwprr1c")] == [
        "investigating", "identified", "monitoring", "resolved",
    ]
