"""Bluesky tracker against a local server answering getAuthorFeed in the lexicon's shape."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from config import SourceConfig
from trackers import TrackerError
from trackers.bluesky import BlueskyTracker

DATA = Path(__file__).resolve().parent / "data" / "social"
FEED = "/xrpc/app.bsky.feed.getAuthorFeed"
DID = "did:plc:z72i7hdynmk6r22z27h6tvur"
ACK = f"at://{DID}/app.bsky.feed.post/3lbqmwzbpas2c"
UPDATE = f"at://{DID}/app.bsky.feed.post/3lbqn4xlcxk2c"
HINDI = f"at://{DID}/app.bsky.feed.post/3lbqnhindi22c"
RESOLVED = f"at://{DID}/app.bsky.feed.post/3lbqnresolv2c"
CUSTOMER = f"at://{DID}/app.bsky.feed.post/3lbqnreply2c2"


def pages() -> dict:
    return json.loads((DATA / "bluesky_author_feed.json").read_text(encoding="utf-8"))


def source(server, **options) -> SourceConfig:
    backfill = options.pop("backfill", "all")
    return SourceConfig(id="bluesky", kind="bluesky", service="Bluesky", handle="bsky.app", backfill=backfill,
                        api_base=server.url, options=options)


def paged(server, *answers: dict) -> None:
    """Answer the feed by the request's cursor: no cursor → answers[0], cursor of answers[i] → answers[i+1]."""
    by_cursor = {"": answers[0]}
    for current, following in zip(answers, answers[1:], strict=False):
        by_cursor[current["cursor"]] = following

    def handler(request):
        body = by_cursor[request.query.get("cursor", [""])[0]]
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    server.route(FEED, handler=handler)


def test_pages_back_and_maps_threads_languages_and_links(server):
    data = pages()
    paged(server, data["page1"], data["page2"])
    result = BlueskyTracker(source(server)).poll({})

    hits = server.hits(FEED)
    assert len(hits) == 2
    assert hits[0].query["actor"] == ["bsky.app"] and hits[0].query["filter"] == ["posts_and_author_threads"]
    assert "cursor" not in hits[0].query and hits[1].query["cursor"] == [data["page1"]["cursor"]]

    # oldest first; the repost and the reply to another account are gone
    assert [p.native_id for p in result.posts] == [ACK, UPDATE, HINDI, RESOLVED]
    ack, update, hindi, resolved = result.posts
    assert {ack.thread_key, update.thread_key, resolved.thread_key} == {ACK}
    assert hindi.thread_key == HINDI
    assert (ack.is_reply, update.is_self_reply, resolved.is_self_reply) == (False, True, True)
    assert [p.language for p in result.posts] == ["en", "en", "hi", "en"]  # "en-US" → "en"
    assert hindi.text == "कुछ लोगों के लिए फ़ीड धीमी है; हम इसे ठीक कर रहे हैं।"
    assert ack.text.endswith("Updates: https://status.bsky.app/incidents/2024-11-20-feeds")  # shortened link expanded
    assert resolved.url == "https://bsky.app/profile/bsky.app/post/3lbqnresolv2c"
    assert resolved.author == "bsky.app" and resolved.service == "Bluesky" and resolved.source_id == "bluesky"
    assert resolved.created_at == datetime(2024, 11, 20, 14, 32, 5, tzinfo=UTC)
    assert result.reads == 0
    assert result.cursor["did"] == DID
    assert set(result.cursor["seen"]) == {RESOLVED, CUSTOMER, HINDI, UPDATE, ACK}


def test_second_poll_stops_at_the_first_seen_uri(server):
    data = pages()
    paged(server, data["page1"], data["page2"])
    tracker = BlueskyTracker(source(server))
    first = tracker.poll({})

    newer = json.loads(json.dumps(data["page1"]["feed"][1]))  # a new self-reply on top of the old ones
    newer["post"]["uri"] = f"at://{DID}/app.bsky.feed.post/3lbqpnewpost2c"
    newer["post"]["record"]["text"] = "Post-incident note: feeds were slow for 85 minutes."
    newer["post"]["record"]["createdAt"] = "2024-11-20T16:00:00.000Z"
    top = {"feed": [newer] + data["page1"]["feed"], "cursor": data["page1"]["cursor"]}
    paged(server, top, data["page2"])
    before = len(server.hits(FEED))
    second = tracker.poll(first.cursor)

    assert len(server.hits(FEED)) == before + 1  # the seen URI on page 1 ended the paging
    assert [p.native_id for p in second.posts] == [newer["post"]["uri"]]
    assert second.posts[0].thread_key == ACK
    assert second.cursor["seen"][0] == newer["post"]["uri"]

    third = tracker.poll(second.cursor)
    assert third.posts == []


def test_open_backfill_reads_one_page_and_none_returns_nothing(server):
    data = pages()
    paged(server, data["page1"], data["page2"])
    opened = BlueskyTracker(source(server, backfill="open", page_size=4)).poll({})
    assert len(server.hits(FEED)) == 1 and server.hits(FEED)[0].query["limit"] == ["4"]
    assert [p.native_id for p in opened.posts] == [HINDI, RESOLVED]

    nothing = BlueskyTracker(source(server, backfill="none")).poll({})
    assert nothing.posts == [] and RESOLVED in nothing.cursor["seen"]


def test_keep_replies_keeps_replies_to_other_accounts(server):
    data = pages()
    paged(server, data["page1"], data["page2"])
    result = BlueskyTracker(source(server, keep_replies=True)).poll({})
    customer = [p for p in result.posts if p.native_id == CUSTOMER]
    assert len(customer) == 1 and customer[0].is_reply and not customer[0].is_self_reply
    assert customer[0].thread_key.startswith("at://did:plc:4lxq2w6kvzn3b7hpd5ycgtre/")


def test_interval_backfill_stops_at_the_window(server):
    data = pages()
    old = data["page1"]
    for item in old["feed"]:
        item["post"]["record"]["createdAt"] = "2020-01-01T00:00:00.000Z"
    paged(server, old, data["page2"])
    result = BlueskyTracker(source(server, backfill="7d")).poll({})
    assert result.posts == [] and len(server.hits(FEED)) == 1


def test_429_gives_retry_after(server):
    reset = int(time.time()) + 90
    server.route(FEED, b'{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}', status=429,
                 headers={"Content-Type": "application/json", "Retry-After": "90", "RateLimit-Reset": str(reset)})
    with pytest.raises(TrackerError) as caught:
        BlueskyTracker(source(server)).poll({})
    assert caught.value.retry_after == pytest.approx(90, abs=2)


def test_bad_answer_is_one_line(server):
    server.route(FEED, b"<html>maintenance</html>", headers={"Content-Type": "text/html"})
    with pytest.raises(TrackerError, match="not JSON"):
        BlueskyTracker(source(server)).poll({})
