"""SlackStatusTracker on documented-schema fixtures of Slack's status API v2.0.0 (current + history)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from config import SourceConfig
from trackers import TrackerError
from trackers.slack_status import SlackStatusTracker, parse_document

CURRENT = "slack_status/current_documented_schema.json"
HISTORY = "slack_status/history_documented_schema.json"


def make(server, **kw) -> SlackStatusTracker:
    return SlackStatusTracker(SourceConfig(id="slack", kind="slack", service="Slack", url=server.url, **kw))


def test_documented_schema_current_notes_become_posts(data_dir):
    import json

    posts = parse_document(json.loads((data_dir / CURRENT).read_text()), source_id="slack", service="Slack")
    assert [(p.thread_key, p.status) for p in posts] == [("1317", "investigating"), ("1318", "investigating"), ("1317", "update")]
    first = posts[0]
    assert first.created_at == datetime(2024, 2, 26, 15, 55, 24, tzinfo=timezone.utc)
    assert first.native_id == "1317@2024-02-26T15:55:24Z"
    assert first.text == ("We're investigating reports of users having trouble loading Slack and sending messages.\n\n"
                          "We'll share an update as soon as possible.")
    assert first.impact == "critical" and first.raw_status == "outage/active"
    assert first.components == ("Login/SSO", "Messaging", "Connectivity")
    assert first.url == "https://slack-status.com/2024-02/84d2bc3f9c72ed09"
    assert "<strong>" not in posts[2].text and "delays" in posts[2].text
    no_notes = posts[1]
    assert no_notes.text == "Workflow Builder runs delayed" and no_notes.impact == "major"


def test_first_poll_backfills_history_once_then_not_modified(server, data_dir):
    server.route("/api/v2.0.0/current", (data_dir / CURRENT).read_bytes(), etag=True)
    server.route("/api/v2.0.0/history", (data_dir / HISTORY).read_bytes())
    tracker = make(server)
    first = tracker.poll({})
    keys = [(p.thread_key, p.status) for p in first.posts]
    assert ("1310", "investigating") in keys and ("1310", "resolved") in keys and ("1305", "completed") in keys
    assert len(first.posts) == 6
    assert first.cursor["history_done"] is True
    second = tracker.poll(first.cursor)
    assert second.not_modified and second.posts == []
    assert len(server.hits("/api/v2.0.0/history")) == 1
    assert len(server.hits("/api/v2.0.0/current")) == 2


def test_resolution_of_an_active_incident(server, data_dir):
    import json

    doc = json.loads((data_dir / CURRENT).read_text())
    incident = doc["active_incidents"][0]
    incident["status"] = "resolved"
    incident["notes"].insert(0, {"date_created": "2024-02-26T11:02:00-08:00", "body": "This is resolved."})
    posts = parse_document(doc, source_id="slack", service="Slack")
    mine = [p for p in posts if p.thread_key == "1317"]
    assert [p.status for p in mine] == ["investigating", "update", "resolved"]
    assert mine[-1].created_at == datetime(2024, 2, 26, 19, 2, tzinfo=timezone.utc)


def test_history_failure_is_a_note_and_retried(server, data_dir):
    server.route("/api/v2.0.0/current", (data_dir / CURRENT).read_bytes())
    server.route("/api/v2.0.0/history", "nope", status=503)
    tracker = make(server)
    first = tracker.poll({})
    assert len(first.posts) == 3 and not first.cursor.get("history_done")
    assert first.notes and "history" in first.notes[0]
    server.route("/api/v2.0.0/history", (data_dir / HISTORY).read_bytes())
    second = tracker.poll(first.cursor)
    assert {p.thread_key for p in second.posts} >= {"1310", "1305"}
    assert second.cursor["history_done"] is True


def test_backfill_none_skips_history(server, data_dir):
    server.route("/api/v2.0.0/current", (data_dir / CURRENT).read_bytes())
    result = make(server, backfill="none").poll({})
    assert len(result.posts) == 3 and server.hits("/api/v2.0.0/history") == []


def test_errors_are_one_line(server):
    server.route("/api/v2.0.0/current", "x", status=500)
    with pytest.raises(TrackerError) as err:
        make(server).poll({})
    assert str(err.value) == f"HTTP 500 from {server.url}/api/v2.0.0/current"
