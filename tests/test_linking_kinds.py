"""Linking by kind: maintenance is its own incident with its window, a post-incident report attaches without reopening,
an unsure social post is kept quietly until a sure one confirms it, and the company's stated times set the duration."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from test_linking import T0, changes, incident_rows, make_bot, post, world  # noqa: F401  (world is a fixture)

from config import parse_config
from pipeline import store_posts
from posts import Post
from store import open_db, rows


def test_maintenance_is_its_own_incident_with_its_window_never_an_outage(world) -> None:  # noqa: F811
    _, db, feed = world
    window = {"incident_kind": "maintenance", "starts_at": T0 + timedelta(hours=2), "ends_at": T0 + timedelta(hours=4)}
    feed("gh-page", post("gh-page", "o1", "GitHub", "We are investigating failed Actions runs.", 0, thread_key="out",
                         status="investigating"))
    feed("gh-page", post("gh-page", "m1", "GitHub", "We will be undergoing scheduled maintenance during this time.", 10,
                         thread_key="mnt", status="scheduled", **window))
    feed("gh-page", post("gh-page", "m2", "GitHub", "Scheduled maintenance is currently in progress.", 120,
                         thread_key="mnt", status="in_progress", **window))
    feed("gh-page", post("gh-page", "m3", "GitHub", "The scheduled maintenance has been completed.", 230,
                         thread_key="mnt", status="completed", **window))
    outage, maintenance = incident_rows(db)
    assert outage["kind"] == "incident" and outage["status"] == "open"  # the maintenance did not close the outage
    assert maintenance["kind"] == "maintenance" and maintenance["status"] == "resolved"
    assert maintenance["window_start"] == "2019-07-03T17:00:00Z" and maintenance["window_end"] == "2019-07-03T19:00:00Z"
    assert maintenance["event_id"] is None
    stages = [r["detail"] for r in rows(db, "select detail from incident_changes where change = 'maintenance' order by id")]
    assert stages == ["scheduled", "in_progress", "completed"]


def test_maintenance_words_on_x_do_not_join_an_open_outage(world) -> None:  # noqa: F811
    _, db, feed = world
    feed("x-fb", post("x-fb", "a", "Facebook", "We're aware that some people are having trouble sending photos and "
                      "videos. We're working to get things back to normal.", 0))
    feed("x-fb", post("x-fb", "b", "Facebook", "We will be performing scheduled maintenance tonight from 02:00 to "
                      "04:00 UTC; the app may be unavailable during this window.", 30))
    outage, maintenance = incident_rows(db)
    assert outage["kind"] == "incident" and outage["status"] == "open"
    assert maintenance["kind"] == "maintenance"


def test_report_after_a_resolution_attaches_and_reopens_nothing(world) -> None:  # noqa: F811
    _, db, feed = world
    feed("gh-page", post("gh-page", "u1", "GitHub", "We are investigating reports of degraded performance.", 0,
                         thread_key="inc1", status="investigating"))
    feed("gh-page", post("gh-page", "u2", "GitHub", "This incident has been resolved.", 60, thread_key="inc1",
                         status="resolved"))
    feed("gh-page", post("gh-page", "u3", "GitHub", "# Incident Report **Summary:** a configuration change caused "
                         "elevated error rates for 60 minutes.", 3 * 24 * 60, thread_key="inc1", status="postmortem"))
    (incident,) = incident_rows(db)
    assert incident["status"] == "resolved" and incident["duration_seconds"] == 3600
    assert incident["report_post_id"] is not None
    assert changes(db) == ["acknowledged", "resolved", "report"]


def test_a_report_on_x_attaches_to_the_latest_resolved_incident(world) -> None:  # noqa: F811
    _, db, feed = world
    feed("x-fb", post("x-fb", "a", "Facebook", "We're aware that some people are having trouble uploading photos. "
                      "We're working on it.", 0))
    feed("x-fb", post("x-fb", "b", "Facebook", "The issue has been resolved and we're back at 100% for everyone.", 120))
    feed("x-fb", post("x-fb", "c", "Facebook", "Root cause analysis: a routine configuration change triggered the "
                      "issue with uploads yesterday.", 24 * 60))
    (incident,) = incident_rows(db)
    assert incident["status"] == "resolved"
    assert changes(db) == ["acknowledged", "resolved", "report"]


def test_unsure_social_post_is_kept_quietly_until_a_sure_one_confirms_it(tmp_path) -> None:
    bot = parse_config({
        "bot": {"state": str(tmp_path / "state.db"), "announce_threshold": 0.999},
        "source": [{"id": "x-fb", "kind": "x", "handle": "facebook", "service": "Facebook", "backfill": "all"}],
        "channel": [{"id": "desk", "kind": "console"}],
    }, "<test>")
    db = open_db(bot.state)

    def feed(*items: Post) -> None:
        store_posts(db, bot, bot.source("x-fb"), list(items), now=max(p.created_at for p in items) + timedelta(minutes=1))

    feed(post("x-fb", "a", "Facebook", "We're aware that some people are having trouble uploading photos.", 0))
    (incident,) = rows(db, "select * from incidents")
    assert incident["unsure"] == 1
    assert rows(db, "select change, notify from incident_changes") == [{"change": "acknowledged", "notify": 0}]
    assert rows(db, "select count(*) as n from outbox")[0]["n"] == 0
    # a structured-status statement is sure: it announces the incident it joins
    bot2 = parse_config({
        "bot": {"state": str(tmp_path / "state.db")},
        "source": [{"id": "x-fb", "kind": "x", "handle": "facebook", "service": "Facebook", "backfill": "all"}],
        "channel": [{"id": "desk", "kind": "console"}],
    }, "<test>")
    store_posts(db, bot2, bot2.source("x-fb"), [post("x-fb", "b", "Facebook", "We're continuing to work on the issue "
                "with uploading photos and videos and are making progress.", 30)], now=T0 + timedelta(minutes=31))
    (incident,) = rows(db, "select * from incidents")
    assert incident["unsure"] == 0
    assert [r["change"] for r in rows(db, "select change from incident_changes where notify = 1")] == ["acknowledged"]
    assert rows(db, "select message_kind from outbox")[0]["message_kind"] == "acknowledged"


def test_the_company_stated_span_sets_start_and_duration(world) -> None:  # noqa: F811
    _, db, feed = world
    # status.anthropic.com, 2023-05-03 12:41 PDT (real update, training corpus)
    posted = datetime(2023, 5, 3, 19, 41, tzinfo=timezone.utc)
    text = ("From 19:12 UTC to 19:29 UTC, requests to the `claude-v1.0` model were issuing 529s. All other models were "
            "serving requests at the time, including requests to `claude-v1`, which automatically points to the newest "
            "Claude version.")
    feed("gh-page", Post(source_id="gh-page", native_id="r1", service="Claude", text=text, created_at=posted,
                         thread_key="d3pkgr12bgq4", status="resolved", title="Request failures for claude-v1.0"))
    (incident,) = incident_rows(db)
    assert incident["started_at"] == "2023-05-03T19:12:00Z" and incident["started_from"] == "text"
    assert incident["resolved_at"] == "2023-05-03T19:29:00Z" and incident["resolved_from"] == "text"
    assert incident["first_word_at"] == "2023-05-03T19:41:00Z"
    assert incident["duration_seconds"] == 17 * 60


def test_structured_begin_beats_the_first_post(world) -> None:  # noqa: F811
    _, db, feed = world
    begin = T0 - timedelta(hours=2)
    feed("gh-page", post("gh-page", "g1", "GitHub", "We are investigating elevated errors.", 0, thread_key="g",
                         status="investigating", starts_at=begin))
    feed("gh-page", post("gh-page", "g2", "GitHub", "This incident has been resolved.", 60, thread_key="g",
                         status="resolved", starts_at=begin))
    (incident,) = incident_rows(db)
    assert incident["started_at"] == "2019-07-03T13:00:00Z" and incident["started_from"] == "field"
    assert incident["first_word_at"] == "2019-07-03T15:00:00Z"
    assert incident["duration_seconds"] == 3 * 3600


def test_thread_position_lookup_uses_an_index(tmp_path) -> None:
    db = open_db(tmp_path / "state.db")
    plan = " ".join(r["detail"] for r in db.query(
        "explain query plan select max(created_at) as at from posts where source_id = ? and thread_key = ?", ("s", "t")))
    assert "USING COVERING INDEX idx_posts_source_thread" in plan and "SCAN" not in plan


def test_a_repeated_investigating_label_is_told_by_position_and_words(world) -> None:  # noqa: F811
    _, db, feed = world
    # GitHub incident nf4gcjtcsqdb (22 May 2019): every progress post carries the status "investigating"
    texts = ["We are investigating a delay in notification deliveries.",
             "We continue to investigate a delay in notification deliveries.",
             "We deployed a fix and are processing the Webhook backlog."]
    for i, text in enumerate(texts):
        feed("gh-page", post("gh-page", f"n{i}", "GitHub", text, 20 * i, thread_key="nf4g", status="investigating"))
    kinds = [r["kind"] for r in rows(db, "select kind from posts order by created_at")]
    assert kinds[:2] == ["acknowledged", "update"]
    assert kinds[2] in ("update", "recovering")  # never "acknowledged" again
