"""AzureTracker on documented-schema fixtures of the Azure status RSS feed (no real sample available)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from config import SourceConfig
from trackers import TrackerError
from trackers.azure import AzureTracker

FEED = "azure/azure_status_feed_documented_schema.xml"
EMPTY = "azure/azure_status_feed_empty_documented_schema.xml"


def make(server) -> AzureTracker:
    return AzureTracker(SourceConfig(id="azure", kind="azure", service="Azure", url=server.url + "/en-us/status/feed/"))


def test_documented_schema_active_items_become_incidents(server, data_dir):
    server.route("/en-us/status/feed/", (data_dir / FEED).read_bytes(), etag=True)
    result = make(server).poll({})
    assert [(p.thread_key, p.status) for p in result.posts] == [("KTY1-HW8", "investigating"), ("VSG1-B90", "investigating")]
    front_door = result.posts[1]
    assert front_door.title == "Azure Front Door - Connectivity issues in multiple regions"
    assert front_door.created_at == datetime(2024, 4, 9, 18, 32, 24, tzinfo=timezone.utc)
    assert front_door.native_id == "VSG1-B90@2024-04-09T18:32:24Z"
    assert front_door.text.startswith("Impact Statement: Starting at 16:15 UTC")
    assert "<" not in front_door.text
    assert set(result.cursor["open"]) == {"VSG1-B90", "KTY1-HW8"}


def test_documented_schema_update_in_place_then_disappearance_over_two_polls_is_no_longer_listed(server, data_dir):
    original = (data_dir / FEED).read_text(encoding="utf-8")
    server.route("/en-us/status/feed/", original, etag=True)
    tracker = make(server)
    first = tracker.poll({})
    again = tracker.poll(first.cursor)
    assert again.not_modified and again.posts == []

    # Front Door rewritten in place (new time and text); the VM incident is gone from the feed.
    start, end = original.index("<item>", original.index("VSG1-B90</guid>")), original.index("</item>", original.index("KTY1-HW8</guid>")) + 7
    updated = (original[:start] + original[end:]).replace("Tue, 09 Apr 2024 18:32:24 Z", "Tue, 09 Apr 2024 19:10:00 Z")
    updated = updated.replace("We are investigating and will", "Mitigation is in progress; we will")
    server.route("/en-us/status/feed/", updated, etag=True)
    second = tracker.poll(first.cursor)
    # missing once is not gone: a transient page could list nothing (trackers.absence)
    assert [(p.thread_key, p.status) for p in second.posts] == [("VSG1-B90", "update")]
    assert set(second.cursor["open"]) == {"VSG1-B90"} and set(second.cursor["missing"]) == {"KTY1-HW8"}
    # still missing at a poll 10 minutes later (the feed unchanged): now it is reported no longer listed
    third = tracker.poll(aged(second.cursor, minutes=10))
    assert [(p.thread_key, p.status) for p in third.posts] == [("KTY1-HW8", "resolved")]
    gone = third.posts[0]
    assert gone.title == "Virtual Machines - West Europe - Service management failures"
    assert "no longer listed" in gone.text.lower() and gone.raw_status == "no longer listed"
    assert "resolved" not in gone.text.replace("not said here that it is resolved", "")
    assert third.cursor["missing"] == {}

    server.route("/en-us/status/feed/", (data_dir / EMPTY).read_bytes())
    fourth = tracker.poll(third.cursor)
    assert fourth.posts == [] and set(fourth.cursor["missing"]) == {"VSG1-B90"}
    fifth = tracker.poll(aged(fourth.cursor, minutes=10))
    assert [(p.thread_key, p.status) for p in fifth.posts] == [("VSG1-B90", "resolved")]
    assert fifth.cursor["open"] == {} and fifth.cursor["missing"] == {}


def aged(cursor: dict, *, minutes: float) -> dict:
    """The cursor as if the incidents went missing ``minutes`` earlier (the time a real poll interval takes)."""
    out = dict(cursor)
    out["missing"] = {k: {**v, "since": (datetime.fromisoformat(v["since"].replace("Z", "+00:00"))
                                         - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")}
                      for k, v in cursor.get("missing", {}).items()}
    return out


def test_errors_are_one_line(server):
    url = server.url + "/en-us/status/feed/"
    server.route("/en-us/status/feed/", "oops", status=500)
    with pytest.raises(TrackerError) as err:
        make(server).poll({})
    assert str(err.value) == f"HTTP 500 from {url}"
    server.route("/en-us/status/feed/", "<!DOCTYPE html><html><body>Checking your browser</body></html>")
    with pytest.raises(TrackerError) as err:
        make(server).poll({})
    assert url in str(err.value) and "\n" not in str(err.value)
