"""InstatusTracker on documented-schema fixtures of Instatus's public summary.json and history.rss."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from config import SourceConfig
from trackers import TrackerError
from trackers.instatus import InstatusTracker

SUMMARY = "instatus/summary_documented_schema.json"
RSS = "instatus/history_documented_schema.rss"


def make(server) -> InstatusTracker:
    return InstatusTracker(SourceConfig(id="instatus", kind="instatus", service="Instatus", url=server.url))


def test_documented_schema_summary(server, data_dir):
    server.route("/summary.json", (data_dir / SUMMARY).read_bytes(), etag=True)
    result = make(server).poll({})
    assert [(p.thread_key, p.status, p.impact) for p in result.posts] == [
        ("cl4a8n3070721qtmzvts760c4", "investigating", "critical"),
        ("cl4a8nlv50918qtmzdlw60ivu", "scheduled", "none"),
    ]
    incident = result.posts[0]
    assert incident.created_at == datetime(2022, 6, 11, 18, 55, 50, tzinfo=timezone.utc)  # JS Date string
    assert incident.native_id == "cl4a8n3070721qtmzvts760c4@INVESTIGATING"
    assert incident.title == incident.text == "We're facing an issue with our API"
    assert incident.url == "https://testing-widget.instatus.com/incident/cl4a8n3070721qtmzvts760c4"
    again = make(server).poll(result.cursor)
    assert again.not_modified and again.posts == []


def test_status_change_then_disappearance(server, data_dir):
    doc = json.loads((data_dir / SUMMARY).read_text())
    server.route("/summary.json", json.dumps(doc))
    tracker = make(server)
    first = tracker.poll({})
    doc["activeIncidents"][0]["status"] = "IDENTIFIED"
    server.route("/summary.json", json.dumps(doc))
    second = tracker.poll(first.cursor)
    identified = [p for p in second.posts if p.status == "identified"]
    assert [p.native_id for p in identified] == ["cl4a8n3070721qtmzvts760c4@IDENTIFIED"]
    assert identified[0].created_at > datetime(2022, 6, 12, tzinfo=timezone.utc)  # first seen now
    third_doc = {"page": doc["page"], "activeIncidents": [], "activeMaintenances": []}
    server.route("/summary.json", json.dumps(third_doc))
    missed = tracker.poll(second.cursor)  # missing once is not gone (trackers.absence)
    assert missed.posts == [] and len(missed.cursor["missing"]) == 2
    third = tracker.poll(aged(missed.cursor, minutes=10))  # still missing 10 minutes later
    assert {p.raw_status for p in third.posts} == {"no longer listed"}
    assert sorted((p.thread_key, p.status) for p in third.posts) == [
        ("cl4a8n3070721qtmzvts760c4", "resolved"), ("cl4a8nlv50918qtmzdlw60ivu", "completed")]
    assert third.cursor["ongoing"] == {} and third.cursor["missing"] == {}


def aged(cursor: dict, *, minutes: float) -> dict:
    """The cursor as if the incidents went missing ``minutes`` earlier (the time a real poll interval takes)."""
    out = dict(cursor)
    out["missing"] = {k: {**v, "since": (datetime.fromisoformat(v["since"].replace("Z", "+00:00"))
                                         - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")}
                      for k, v in cursor.get("missing", {}).items()}
    return out


def test_summary_404_falls_back_to_history_rss(server, data_dir):
    server.route("/history.rss", (data_dir / RSS).read_bytes())
    result = make(server).poll({})
    assert [(p.thread_key, p.status) for p in result.posts] == [("cl4a8n3070721qtmzvts760c4", "resolved")]
    assert result.posts[0].text == "Resolved - This incident has been resolved."


def test_errors_are_one_line(server):
    server.route("/summary.json", "x", status=500)
    with pytest.raises(TrackerError) as err:
        make(server).poll({})
    assert str(err.value) == f"HTTP 500 from {server.url}/summary.json"
