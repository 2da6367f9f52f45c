"""Stated spans and maintenance kind in the Google Cloud, incident.io, Instatus and Slack status trackers.

GCP: the real incidents.json sample. incident.io / Instatus / Slack: the documented-schema fixtures those
trackers' tests already use (no real documents of these APIs are in ../shared/data).
"""

from __future__ import annotations

import copy
import json
import logging
from datetime import UTC, datetime

import pytest

from config import SourceConfig
from trackers.gcp import parse_incidents
from trackers.incidentio import IncidentioTracker, feed_posts, widget_posts
from trackers.instatus import summary_posts
from trackers.slack_status import parse_document


@pytest.fixture
def gcp_sample(data_dir):
    return json.loads((data_dir / "gcp/gcp_status_incidents_sample.json").read_text(encoding="utf-8"))


def test_gcp_begin_and_end_on_every_post(gcp_sample) -> None:
    posts = parse_incidents(gcp_sample, source_id="gcp", service="Google Cloud")
    by_id = {i["id"]: i for i in gcp_sample}
    for post in posts:
        incident = by_id[post.thread_key]
        assert post.starts_at == datetime.fromisoformat(incident["begin"])
        assert post.ends_at == datetime.fromisoformat(incident["end"])
        assert post.incident_kind == ""
    first = [p for p in posts if p.thread_key == "TaA75H7XA1DQyM2ReK2f"]
    assert {(p.starts_at, p.ends_at) for p in first} == {
        (datetime(2022, 7, 1, 13, 37, 44, tzinfo=UTC), datetime(2022, 7, 1, 19, 25, 45, tzinfo=UTC))
    }
    assert first[0].created_at > first[0].starts_at  # Google's stated start is before its first word


def test_gcp_open_incident_has_no_end(gcp_sample) -> None:
    incident = copy.deepcopy(gcp_sample[0])
    incident["end"] = None  # as incidents.json shows an incident still open
    posts = parse_incidents([incident], source_id="gcp", service="Google Cloud")
    assert {p.ends_at for p in posts} == {None} and {p.starts_at for p in posts} != {None}


@pytest.mark.parametrize("bad", ["0001-01-01T00:00:00+00:00", "2200-07-01T13:37:44+00:00", "yesterday", 1e20])
def test_gcp_bad_begin_is_ignored(gcp_sample, bad, caplog: pytest.LogCaptureFixture) -> None:
    # Hand-made error case: the real first incident with a broken begin.
    incident = copy.deepcopy(gcp_sample[0])
    incident["begin"] = bad
    with caplog.at_level(logging.WARNING):
        posts = parse_incidents([incident], source_id="gcp", service="Google Cloud")
    assert posts and {p.starts_at for p in posts} == {None}
    assert {p.ends_at for p in posts} == {datetime(2022, 7, 1, 19, 25, 45, tzinfo=UTC)}
    assert any("begin" in r.getMessage() for r in caplog.records)


def test_incidentio_scheduled_maintenance_window(data_dir) -> None:
    data = json.loads((data_dir / "incidentio/widget_documented_schema.json").read_text())
    posts, _ = widget_posts(data, source_id="openai", service="OpenAI", page="https://status.openai.com")
    kinds = {p.title: (p.incident_kind, p.starts_at, p.ends_at) for p in posts}
    assert kinds["Database upgrade"] == (
        "maintenance", datetime(2025, 6, 14, 2, 0, tzinfo=UTC), datetime(2025, 6, 14, 4, 0, tzinfo=UTC)
    )
    assert kinds["Increased error rates in ChatGPT"] == ("", None, None)


def test_incidentio_finished_maintenance_keeps_kind_and_window(server, data_dir) -> None:
    # The documented maintenance moved from scheduled to in progress, then gone from the widget.
    data = json.loads((data_dir / "incidentio/widget_documented_schema.json").read_text())
    data["in_progress_maintenances"] = data.pop("scheduled_maintenances")
    data["scheduled_maintenances"] = []
    path = "/proxy/" + server.url.split("://", 1)[1]
    server.route(path, json.dumps(data).encode())
    tracker = IncidentioTracker(SourceConfig(id="openai", kind="incidentio", service="OpenAI", url=server.url))
    first = tracker.poll({})
    (running,) = [p for p in first.posts if p.incident_kind == "maintenance"]
    assert running.status == "in_progress" and running.ends_at == datetime(2025, 6, 14, 4, 0, tzinfo=UTC)
    data["in_progress_maintenances"] = []
    server.route(path, json.dumps(data).encode())
    missed = tracker.poll(first.cursor)  # missing once is not gone (trackers.absence)
    assert [p for p in missed.posts if p.status == "completed"] == []
    cursor = {**missed.cursor, "missing": {k: {**v, "since": "2000-01-01T00:00:00Z"}  # as if missed long ago
                                           for k, v in missed.cursor["missing"].items()}}
    (done,) = [p for p in tracker.poll(cursor).posts if p.status == "completed"]
    assert done.incident_kind == "maintenance"
    assert (done.starts_at, done.ends_at) == (running.starts_at, running.ends_at)


def test_incidentio_feed_incidents_are_not_maintenance(data_dir) -> None:
    # The fixture holds resolved incidents only: none may be taken for a maintenance.
    posts = feed_posts((data_dir / "incidentio/history_documented_schema.atom").read_bytes(),
                       source_id="openai", service="OpenAI", page="https://status.openai.com")
    assert posts and {p.incident_kind for p in posts} == {""}


def test_instatus_maintenance_window_from_start_and_duration(data_dir) -> None:
    data = json.loads((data_dir / "instatus/summary_documented_schema.json").read_text())
    posts, table = summary_posts(data, source_id="i", service="Instatus", page="https://instat.us", known={})
    maintenance = next(p for p in posts if p.title == "Database maintenance")
    assert maintenance.incident_kind == "maintenance" and maintenance.status == "scheduled"
    assert maintenance.starts_at == datetime(2022, 6, 11, 18, 55, 54, tzinfo=UTC)
    assert maintenance.ends_at == datetime(2022, 6, 11, 19, 55, 54, tzinfo=UTC)  # "duration": "60" minutes
    incident = next(p for p in posts if p.title != "Database maintenance")
    assert (incident.incident_kind, incident.starts_at, incident.ends_at) == ("", None, None)


@pytest.mark.parametrize("duration", ["sixty", "-5", "1e12"])
def test_instatus_bad_duration_leaves_no_end(data_dir, duration: str) -> None:
    # Hand-made error case.
    data = json.loads((data_dir / "instatus/summary_documented_schema.json").read_text())
    data["activeMaintenances"][0]["duration"] = duration
    posts, _ = summary_posts(data, source_id="i", service="Instatus", page="https://instat.us", known={})
    maintenance = next(p for p in posts if p.incident_kind == "maintenance")
    assert maintenance.starts_at is not None and maintenance.ends_at is None


def test_slack_completed_maintenance_notice(data_dir) -> None:
    data = json.loads((data_dir / "slack_status/history_documented_schema.json").read_text())
    posts = parse_document(data, source_id="slack", service="Slack")
    kinds = {p.title: p.incident_kind for p in posts}
    assert kinds["Scheduled maintenance for Slack Huddles"] == "maintenance"
    assert [k for t, k in kinds.items() if t != "Scheduled maintenance for Slack Huddles"] == [""] * (len(kinds) - 1)
    assert {(p.starts_at, p.ends_at) for p in posts} == {(None, None)}  # Slack's API states no window
