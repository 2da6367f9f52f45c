"""GcpTracker: golden tests on the real incidents.json sample, lifecycle mapping, HTTP behaviour."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime, timezone

import pytest

from config import SourceConfig
from trackers import TrackerError
from trackers.gcp import GcpTracker, parse_incidents

SAMPLE = "gcp/gcp_status_incidents_sample.json"


def source(url: str = "https://status.cloud.google.com/incidents.json") -> SourceConfig:
    return SourceConfig(id="gcp", kind="gcp", service="Google Cloud", url=url)


@pytest.fixture
def sample(data_dir):
    return json.loads((data_dir / SAMPLE).read_text(encoding="utf-8"))


def test_golden_sample_counts_incidents_and_updates(sample):
    posts = parse_incidents(sample, source_id="gcp", service="Google Cloud")
    assert len({p.thread_key for p in posts}) == 40
    assert len(posts) == 221 == sum(len(i["updates"]) for i in sample)
    assert len({p.native_id for p in posts}) == 221
    assert all(p.created_at.tzinfo == timezone.utc for p in posts)
    assert [p.created_at for p in posts] == sorted(p.created_at for p in posts)


def test_golden_sample_lifecycle_from_structured_status(sample):
    posts = parse_incidents(sample, source_id="gcp", service="Google Cloud")
    by_incident = defaultdict(list)
    for post in posts:
        by_incident[post.thread_key].append(post)
    for thread in by_incident.values():
        assert thread[0].status == "investigating"
        assert "resolved" in {p.status for p in thread}  # every sampled incident has ended
        first_resolved = next(i for i, p in enumerate(thread) if p.status == "resolved")
        assert all(p.raw_status != "AVAILABLE" for p in thread[:first_resolved])
        assert all(p.raw_status == "AVAILABLE" for p in thread[first_resolved:])
    counts = Counter(p.status for p in posts)
    assert counts["resolved"] + counts["postmortem"] == 71  # every AVAILABLE update
    assert counts["postmortem"] == 28
    assert counts["investigating"] == 40
    assert {p.status for p in posts if p.raw_status != "AVAILABLE"} == {"investigating", "update"}


def test_golden_incident_details(sample):
    posts = [p for p in parse_incidents(sample, source_id="gcp", service="Google Cloud")
             if p.thread_key == "Gt6njQyniuxXViQULV2T"]
    assert len(posts) == 15
    assert posts[0].created_at == datetime(2022, 5, 25, 7, 29, 52, tzinfo=timezone.utc)
    assert posts[0].native_id == "Gt6njQyniuxXViQULV2T@2022-05-25T07:29:52Z"
    assert [p.status for p in posts[-4:]] == ["resolved", "resolved", "postmortem", "postmortem"]
    assert posts[-1].text.startswith("**INCIDENT REPORT**")
    assert posts[0].impact == "critical"  # severity high / SERVICE_OUTAGE
    assert posts[0].url == "https://status.cloud.google.com/incidents/Gt6njQyniuxXViQULV2T"
    assert posts[0].title == "Global: BigQuery may experience elevated query latencies or failures."
    assert posts[0].components[0] == "Google BigQuery"
    first = next(p for p in parse_incidents(sample, source_id="gcp", service="Google Cloud")
                 if p.thread_key == "TaA75H7XA1DQyM2ReK2f")
    assert first.impact == "minor"  # low / SERVICE_INFORMATION
    assert "Iowa (us-central1)" in first.components


def test_end_without_available_resolves_last_update_and_open_incident_stays_open():
    incident = {
        "id": "abc", "external_desc": "Cloud Run errors", "begin": "2022-01-01T00:00:00+00:00",
        "end": "2022-01-01T03:00:00+00:00", "severity": "medium", "status_impact": "SERVICE_DISRUPTION",
        "affected_products": [{"title": "Cloud Run", "id": "x"}], "uri": "incidents/abc",
        "updates": [
            {"created": "2022-01-01T02:00:00+00:00", "when": "2022-01-01T02:00:00+00:00", "text": "Fixed.",
             "status": "SERVICE_DISRUPTION", "affected_locations": []},
            {"created": "2022-01-01T01:00:00+00:00", "when": "2022-01-01T01:00:00+00:00", "text": "Looking.",
             "status": "SERVICE_DISRUPTION", "affected_locations": [{"title": "Iowa (us-central1)", "id": "us-central1"}]},
        ],
    }
    posts = parse_incidents([incident], source_id="g", service="GCP")
    assert [(p.text, p.status) for p in posts] == [("Looking.", "investigating"), ("Fixed.", "resolved")]
    assert posts[0].components == ("Cloud Run", "Iowa (us-central1)")
    open_incident = dict(incident, end="")
    assert [p.status for p in parse_incidents([open_incident], source_id="g", service="GCP")] == [
        "investigating", "update"]


def test_poll_through_local_server_then_not_modified(server, data_dir):
    body = (data_dir / SAMPLE).read_bytes()
    server.route("/incidents.json", body, etag=True, headers={"Content-Type": "application/json"})
    tracker = GcpTracker(source(server.url + "/incidents.json"))
    first = tracker.poll({})
    assert len(first.posts) == 221 and not first.not_modified
    assert first.posts[0].url.startswith(server.url + "/incidents/")
    assert first.cursor["etag"]
    second = tracker.poll(first.cursor)
    assert second.not_modified and second.posts == []
    assert server.hits("/incidents.json")[-1].headers.get("if-none-match") == first.cursor["etag"]


def test_same_body_without_validators_is_not_modified_by_hash(server):
    server.route("/incidents.json", "[]")
    tracker = GcpTracker(source(server.url))  # a bare root gets /incidents.json appended
    first = tracker.poll({})
    assert first.posts == [] and not first.not_modified
    assert tracker.poll(first.cursor).not_modified


def test_http_500_and_bad_json_are_one_line_errors(server):
    server.route("/incidents.json", "boom", status=500)
    url = server.url + "/incidents.json"
    with pytest.raises(TrackerError) as err:
        GcpTracker(source(url)).poll({})
    assert str(err.value) == f"HTTP 500 from {url}"
    server.route("/incidents.json", "<html>\n<body>maintenance</body></html>")
    with pytest.raises(TrackerError) as err:
        GcpTracker(source(url)).poll({})
    assert url in str(err.value) and "\n" not in str(err.value)
