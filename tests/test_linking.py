"""Linking statements to incidents and incidents to events, on a real SQLite store."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from classify import classify
from config import parse_config
from incidents import events_with_incidents
from pipeline import store_posts
from posts import Post
from store import open_db, rows

T0 = datetime(2019, 7, 3, 15, 0, tzinfo=timezone.utc)


def make_bot(tmp_path, sources):  # type: ignore[no-untyped-def]
    raw = {
        "bot": {"state": str(tmp_path / "state.db")},
        "source": [{"backfill": "all", **s} for s in sources],
        "channel": [{"id": "desk", "kind": "console"}],
    }
    return parse_config(raw, "<test>")


def post(source: str, native: str, service: str, text: str, minutes: float, **extra) -> Post:  # type: ignore[no-untyped-def]
    return Post(source_id=source, native_id=native, service=service, text=text,
                created_at=T0 + timedelta(minutes=minutes), **extra)


@pytest.fixture
def world(tmp_path):  # type: ignore[no-untyped-def]
    bot = make_bot(tmp_path, [
        {"id": "x-fb", "kind": "x", "handle": "facebook", "service": "Facebook"},
        {"id": "x-wa", "kind": "x", "handle": "WhatsApp", "service": "WhatsApp"},
        {"id": "x-ig", "kind": "x", "handle": "instagram", "service": "Instagram"},
        {"id": "gh-page", "kind": "statuspage", "service": "GitHub", "url": "https://www.githubstatus.com"},
        {"id": "gh-x", "kind": "x", "handle": "githubstatus", "service": "GitHub"},
    ])
    db = open_db(bot.state)

    def feed(source_id: str, *items: Post, now_minutes: float | None = None):  # type: ignore[no-untyped-def]
        last = max(p.created_at for p in items)
        now = T0 + timedelta(minutes=now_minutes) if now_minutes is not None else last + timedelta(minutes=1)
        return store_posts(db, bot, bot.source(source_id), list(items), now=now)

    return bot, db, feed


def incident_rows(db):  # type: ignore[no-untyped-def]
    return rows(db, "select * from incidents order by id")


def changes(db):  # type: ignore[no-untyped-def]
    return [r["change"] for r in rows(db, "select change from incident_changes where change != 'event' order by id")]


def test_self_thread_is_one_incident_from_ack_to_resolution(world):
    _, db, feed = world
    feed("x-fb",
         post("x-fb", "1", "Facebook", "We're aware that some people are having trouble uploading or sending images, "
              "videos and other files on our apps. We're working to get things back to normal.", 0, thread_key="1"),
         post("x-fb", "2", "Facebook", "We're continuing to work on the issue with uploading photos and videos.", 90,
              thread_key="1", is_reply=True, is_self_reply=True),
         post("x-fb", "3", "Facebook", "The issue has been resolved and we should be back at 100% for everyone. "
              "We're sorry for any inconvenience.", 600, thread_key="1", is_reply=True, is_self_reply=True))
    (incident,) = incident_rows(db)
    assert incident["status"] == "resolved" and incident["duration_seconds"] == 600 * 60
    assert changes(db) == ["acknowledged", "update", "resolved"]


def test_status_page_and_x_account_of_one_service_merge(world):
    _, db, feed = world
    feed("gh-page", post("gh-page", "u1", "GitHub", "We are investigating reports of degraded performance.", 0,
                         thread_key="inc1", status="investigating"))
    feed("gh-x", post("gh-x", "t1", "GitHub", "We're investigating degraded performance for GitHub Actions.", 5,
                      thread_key="t1"))
    feed("gh-page", post("gh-page", "u2", "GitHub", "This incident has been resolved.", 60, thread_key="inc1",
                         status="resolved"))
    (incident,) = incident_rows(db)
    assert incident["status"] == "resolved"
    keys = {r["key"] for r in rows(db, "select key from incident_keys")}
    assert keys == {"github|inc1", "github|t1"}


def test_separate_top_level_posts_of_one_account_join_its_open_incident(world):
    _, db, feed = world
    feed("x-fb", post("x-fb", "a", "Facebook", "We're aware that some people are having trouble sending photos and "
                      "videos. We're working on it.", 0, thread_key="a"))
    feed("x-fb", post("x-fb", "b", "Facebook", "The issue has been resolved and everything is back to normal.", 300,
                      thread_key="b"))
    (incident,) = incident_rows(db)
    assert incident["status"] == "resolved" and incident["duration_seconds"] == 300 * 60
    assert changes(db) == ["acknowledged", "resolved"]


def test_two_incidents_on_one_status_page_stay_apart(world):
    _, db, feed = world
    feed("gh-page",
         post("gh-page", "a1", "GitHub", "We are investigating issues with Pages.", 0, thread_key="A", status="investigating"),
         post("gh-page", "b1", "GitHub", "We are investigating issues with Actions.", 10, thread_key="B", status="investigating"))
    assert len(incident_rows(db)) == 2


def test_meta_outage_of_three_services_forms_one_event(world):
    _, db, feed = world
    feed("x-fb", post("x-fb", "f1", "Facebook", "We're aware that some people are having trouble uploading or "
                      "sending images and videos on our apps.", 0))
    feed("x-wa", post("x-wa", "w1", "WhatsApp", "We're aware some people are having trouble sending photos and "
                      "videos. We're working to fix this.", 20))
    feed("x-ig", post("x-ig", "i1", "Instagram", "We're aware that some people are having trouble uploading photos "
                      "and videos. We're working on a fix.", 45))
    (event,) = events_with_incidents(db)
    assert sorted(i["service"] for i in event["incidents"]) == ["Facebook", "Instagram", "WhatsApp"]
    assert event["started_at"] == "2019-07-03T15:00:00Z" and event["status"] == "open"
    for native, service, source in (("f2", "Facebook", "x-fb"), ("w2", "WhatsApp", "x-wa"), ("i2", "Instagram", "x-ig")):
        feed(source, post(source, native, service, "The issue has been resolved. We're sorry for the trouble.", 600))
    (event,) = events_with_incidents(db)
    assert event["status"] == "resolved" and event["ended_at"] == "2019-07-04T01:00:00Z"


def test_resolution_without_acknowledgement_records_a_resolved_incident(world):
    _, db, feed = world
    feed("x-fb", post("x-fb", "r1", "Facebook", "The issue has been resolved and everything is back to normal.", 0))
    (incident,) = incident_rows(db)
    assert incident["status"] == "resolved" and incident["opened_at"] is None and incident["duration_seconds"] is None
    assert changes(db) == ["resolved"]


def test_update_after_resolution_reopens(world):
    _, db, feed = world
    feed("gh-page",
         post("gh-page", "a", "GitHub", "We are investigating.", 0, thread_key="I", status="investigating"),
         post("gh-page", "b", "GitHub", "This incident has been resolved.", 30, thread_key="I", status="resolved"),
         post("gh-page", "c", "GitHub", "We are seeing errors again and are investigating.", 50, thread_key="I",
              status="investigating"))
    (incident,) = incident_rows(db)
    assert incident["status"] == "open" and incident["reopened"] == 1
    assert changes(db) == ["acknowledged", "resolved", "reopened"]


def test_silent_incident_becomes_stale_not_silently_open(world):
    bot, db, feed = world
    from pipeline import poll_cycle

    feed("x-fb", post("x-fb", "s1", "Facebook", "We're aware of an issue affecting login and are working on it.", 0))
    assert incident_rows(db)[0]["status"] == "open"
    poll_cycle(db, bot, sources=[], now=T0 + timedelta(hours=49))
    assert incident_rows(db)[0]["status"] == "stale"
    assert changes(db)[-1] == "stale"


def test_customer_care_reply_does_not_open_an_incident(world):
    _, db, feed = world
    reply = post("x-fb", "c1", "Facebook", "@someone Hi there, sorry to hear that! Please DM us your email address "
                 "so we can take a look.", 0, is_reply=True)
    assert classify(reply).kind == "noise"
    feed("x-fb", reply)
    assert incident_rows(db) == []


def test_same_statement_from_json_and_feed_is_stored_once_as_a_statement(world, tmp_path):
    bot = make_bot(tmp_path / "b", [
        {"id": "gh-json", "kind": "statuspage", "service": "GitHub", "url": "https://www.githubstatus.com"},
        {"id": "gh-feed", "kind": "feed", "service": "GitHub", "url": "https://www.githubstatus.com/history.atom"},
    ])
    (tmp_path / "b").mkdir()
    db = open_db(bot.state)
    text = "We are investigating reports of degraded performance."
    store_posts(db, bot, bot.source("gh-json"), [post("gh-json", "u1", "GitHub", text, 0, thread_key="I", status="investigating")],
                now=T0 + timedelta(minutes=1))
    store_posts(db, bot, bot.source("gh-feed"), [post("gh-feed", "I@x", "GitHub", text, 0.5, thread_key="I", status="investigating")],
                now=T0 + timedelta(minutes=1))
    assert len(incident_rows(db)) == 1
    assert changes(db) == ["acknowledged"]
    assert len(rows(db, "select * from outbox")) == 1
