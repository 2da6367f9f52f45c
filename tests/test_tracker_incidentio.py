"""IncidentioTracker on documented-schema fixtures of incident.io's widget API and history.atom."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from config import SourceConfig
from trackers import TrackerError
from trackers.incidentio import GONE_TEXT, IncidentioTracker

WIDGET = "incidentio/widget_documented_schema.json"
ATOM = "incidentio/history_documented_schema.atom"


def make(server) -> IncidentioTracker:
    return IncidentioTracker(SourceConfig(id="openai", kind="incidentio", service="OpenAI", url=server.url))


def proxy_path(server) -> str:
    return "/proxy/" + server.url.split("://", 1)[1]


def test_documented_schema_widget_posts(server, data_dir):
    server.route(proxy_path(server), (data_dir / WIDGET).read_bytes(), etag=True)
    result = make(server).poll({})
    assert [(p.title, p.status) for p in result.posts] == [
        ("Database upgrade", "scheduled"),
        ("Increased error rates in ChatGPT", "identified"),
        ("Slow file uploads", "investigating"),
    ]
    chatgpt = result.posts[1]
    assert chatgpt.native_id == "01JMYB4AQ0TSCWB7N3EXQ4TR1K@2025-06-10T09:12:44Z"
    assert chatgpt.thread_key == "01JMYB4AQ0TSCWB7N3EXQ4TR1K"
    assert chatgpt.created_at == datetime(2025, 6, 10, 9, 12, 44, 121000, tzinfo=timezone.utc)
    assert chatgpt.text.startswith("We have identified the cause")
    assert chatgpt.impact == "major" and result.posts[2].impact == "minor"
    assert chatgpt.components == ("Conversations", "Login")
    assert chatgpt.url == "https://status.openai.com/incidents/01JMYB4AQ0TSCWB7N3EXQ4TR1K"
    assert set(result.cursor["ongoing"]) == {"01JMYB4AQ0TSCWB7N3EXQ4TR1K", "01JMYC9TZ9T5V0G7N4S2W3RS7P"}
    again = make(server).poll(result.cursor)
    assert again.not_modified and again.posts == []


def test_disappeared_incident_resolved_with_text_from_history_atom(server, data_dir):
    doc = json.loads((data_dir / WIDGET).read_text())
    server.route(proxy_path(server), json.dumps(doc))
    tracker = make(server)
    first = tracker.poll({})
    doc["ongoing_incidents"] = doc["ongoing_incidents"][:1]
    server.route(proxy_path(server), json.dumps({"summary": doc}))  # the proxy's wrapped shape
    server.route("/history.atom", (data_dir / ATOM).read_bytes())
    missed = tracker.poll(first.cursor)
    assert [p for p in missed.posts if p.status == "resolved"] == []  # missing once is not gone (trackers.absence)
    second = tracker.poll(aged(missed.cursor, minutes=10))  # still missing 10 minutes later
    gone = [p for p in second.posts if p.status == "resolved"]
    assert len(gone) == 1
    assert gone[0].thread_key == "01JMYC9TZ9T5V0G7N4S2W3RS7P"
    assert gone[0].text == "Resolved - File uploads are back to normal speed."
    assert gone[0].created_at == datetime(2025, 6, 10, 10, 5, tzinfo=timezone.utc)
    assert gone[0].title == "Slow file uploads" and gone[0].components == ("File uploads",)
    assert gone[0].raw_status == "Resolved"  # the company's own resolution, from its history feed
    assert set(second.cursor["ongoing"]) == {"01JMYB4AQ0TSCWB7N3EXQ4TR1K"}


def test_disappeared_incident_without_history_uses_default_text(server, data_dir):
    doc = json.loads((data_dir / WIDGET).read_text())
    server.route(proxy_path(server), json.dumps(doc))
    tracker = make(server)
    first = tracker.poll({})
    doc["ongoing_incidents"] = []
    server.route(proxy_path(server), json.dumps(doc))
    missed = tracker.poll(first.cursor)
    assert [p for p in missed.posts if p.status in ("resolved", "completed")] == [] and len(missed.cursor["missing"]) == 2
    second = tracker.poll(aged(missed.cursor, minutes=10))
    gone = sorted((p.thread_key, p.text, p.status) for p in second.posts if p.raw_status == "no longer listed")
    assert [g[1:] for g in gone] == [(GONE_TEXT, "resolved"), (GONE_TEXT, "resolved")]
    assert second.notes and "history.atom" in second.notes[0]
    third = tracker.poll(second.cursor)  # nothing left to resolve: no repeats
    assert third.not_modified and third.posts == []


def aged(cursor: dict, *, minutes: float) -> dict:
    """The cursor as if the incidents went missing ``minutes`` earlier (the time a real poll interval takes)."""
    out = dict(cursor)
    out["missing"] = {k: {**v, "since": (datetime.fromisoformat(v["since"].replace("Z", "+00:00"))
                                         - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")}
                      for k, v in cursor.get("missing", {}).items()}
    return out


def test_widget_404_falls_back_to_history_atom(server, data_dir):
    server.route("/history.atom", (data_dir / ATOM).read_bytes(), etag=True)
    tracker = make(server)
    first = tracker.poll({})
    assert [(p.thread_key, p.status) for p in first.posts] == [
        ("01JMW0OLD00000000000000001", "resolved"), ("01JMYC9TZ9T5V0G7N4S2W3RS7P", "resolved")]
    assert first.posts[1].native_id == "01JMYC9TZ9T5V0G7N4S2W3RS7P@2025-06-10T10:05:00Z"
    assert first.cursor["mode"] == "feed" and first.notes
    second = tracker.poll(first.cursor)
    assert second.not_modified and second.posts == []


def test_errors_are_one_line(server):
    server.route(proxy_path(server), "x", status=500)
    with pytest.raises(TrackerError) as err:
        make(server).poll({})
    assert str(err.value) == f"HTTP 500 from {server.url}{proxy_path(server)}"
    server.route(proxy_path(server), json.dumps({"something": "else"}))
    with pytest.raises(TrackerError) as err:
        make(server).poll({})
    assert "ongoing_incidents" in str(err.value) and server.url in str(err.value)
