"""Statuspage JSON: maintenance kind and window, stated starts, and the scheduled-maintenances.json poll.

Real documents: Discord's scheduled-maintenances.json and incidents.json (tests/data/statuspage/discord, see its
README) and GitHub's incidents (tests/data/statuspage/github_incidents). Where a test changes a field of a real
document to reach a case no real document shows (a backdated start, a broken date), the comment says so.
"""

from __future__ import annotations

import copy
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config import SourceConfig
from trackers import TrackerError
from trackers.http import make_client
from trackers.statuspage import (
    MAINTENANCES_PATH,
    StatuspageTracker,
    is_maintenance,
    maintenances_url,
    parse_statuspage_document,
)

DATA = Path(__file__).resolve().parent / "data" / "statuspage"
DISCORD = DATA / "discord"
INCIDENTS_PATH = "/api/v2/incidents.json"


def source(url: str = "https://discordstatus.com", **options: object) -> SourceConfig:
    return SourceConfig(id="discord", kind="statuspage", service="Discord", url=url, options=options)


def maintenances_doc() -> dict:
    return json.loads((DISCORD / "scheduled_maintenances_2022-02-15.json").read_text(encoding="utf-8"))


def incidents_doc() -> dict:
    return json.loads((DISCORD / "incidents_2022-02-15.json").read_text(encoding="utf-8"))


def github(incident_id: str) -> dict:
    return json.loads((DATA / "github_incidents" / f"{incident_id}.json").read_text(encoding="utf-8"))


# --- parsing ----------------------------------------------------------------------------------------------------


def test_real_maintenance_has_kind_and_window_on_every_update() -> None:
    posts = parse_statuspage_document(maintenances_doc(), source())
    assert [p.status for p in posts] == ["completed", "verifying", "in_progress", "scheduled"]
    assert {p.incident_kind for p in posts} == {"maintenance"}
    # scheduled_for 2015-09-22T01:00:00-07:00, scheduled_until 01:30 -07:00
    assert {p.starts_at for p in posts} == {datetime(2015, 9, 22, 8, 0, tzinfo=UTC)}
    assert {p.ends_at for p in posts} == {datetime(2015, 9, 22, 8, 30, tzinfo=UTC)}
    assert {p.thread_key for p in posts} == {"chkt3cr0jf7b"}


def test_maintenance_listed_in_incidents_json_is_a_maintenance_too() -> None:
    maintenance = maintenances_doc()["scheduled_maintenances"][0]
    doc = {**incidents_doc(), "incidents": [*incidents_doc()["incidents"], maintenance]}
    posts = parse_statuspage_document(doc, source())
    kinds = {p.thread_key: p.incident_kind for p in posts}
    assert kinds == {"n4njzfn1mqy0": "", "chkt3cr0jf7b": "maintenance"}


@pytest.mark.parametrize("field, value", [("scheduled_for", None), ("impact", "maintenance")])
def test_each_marker_alone_makes_a_maintenance(field: str, value: object) -> None:
    # The real Discord maintenance with its statuses replaced by incident ones, so one marker is left at a time.
    incident = copy.deepcopy(maintenances_doc()["scheduled_maintenances"][0])
    incident["status"] = "resolved"
    for update in incident["incident_updates"]:
        update["status"] = "investigating"
    incident["impact"] = "major"
    incident[field] = value
    if field == "impact":  # impact alone: no status label either way (under incident labels only, it is an incident)
        incident["scheduled_for"] = incident["scheduled_until"] = None
        incident["status"] = ""
        for update in incident["incident_updates"]:
            update["status"] = ""
    assert is_maintenance(incident)
    incident["scheduled_for"] = incident["scheduled_until"] = None
    incident["impact"] = "major"
    assert not is_maintenance(incident)


def test_maintenance_labels_alone_make_a_maintenance() -> None:
    incident = copy.deepcopy(maintenances_doc()["scheduled_maintenances"][0])
    incident["scheduled_for"] = incident["scheduled_until"] = None
    (posts) = parse_statuspage_document({"incidents": [incident]}, source())
    assert {p.incident_kind for p in posts} == {"maintenance"}
    assert {p.starts_at for p in posts} == {None} and {p.ends_at for p in posts} == {None}


def test_default_started_at_is_not_a_stated_start() -> None:
    # Discord 2022: started_at 7 ms before created_at (Statuspage's own stamp); GitHub 2019: 8 ms.
    for doc in (incidents_doc(), github("2fvfs7gwr96z")):
        posts = parse_statuspage_document(doc, source())
        assert {p.starts_at for p in posts} == {None} and {p.ends_at for p in posts} == {None}
        assert {p.incident_kind for p in posts} == {""}


def test_started_at_after_created_at_is_not_a_stated_start() -> None:
    # GitHub yck8ctxhxtwq: started_at 16:23:09, 13 minutes after the incident was created (and first posted).
    posts = parse_statuspage_document(github("yck8ctxhxtwq"), source("https://www.githubstatus.com"))
    assert {p.starts_at for p in posts} == {None}


def test_backdated_started_at_is_the_stated_start_and_resolved_at_is_not_an_end() -> None:
    # No real document here backdates its start: the real incident with started_at moved 3 h before created_at,
    # as an author does who says "this began at 10:14".
    doc = copy.deepcopy(incidents_doc())
    doc["incidents"][0]["started_at"] = "2022-02-15T10:14:00.000-08:00"
    posts = parse_statuspage_document(doc, source())
    assert {p.starts_at for p in posts} == {datetime(2022, 2, 15, 18, 14, tzinfo=UTC)}
    assert {p.ends_at for p in posts} == {None}  # resolved_at is the resolving post's time, not a stated end


@pytest.mark.parametrize("bad", ["0000-01-01T00:00:00Z", "2150-09-22T01:00:00Z", "not a date", 99999999999999, True])
def test_bad_window_dates_are_ignored_with_a_log_line(bad: object, caplog: pytest.LogCaptureFixture) -> None:
    # The real maintenance with a broken scheduled_for / started_at (hand-made error case).
    doc = maintenances_doc()
    doc["scheduled_maintenances"][0]["scheduled_for"] = bad
    with caplog.at_level(logging.WARNING):
        posts = parse_statuspage_document(doc, source())
    assert len(posts) == 4 and {p.starts_at for p in posts} == {None}
    assert {p.ends_at for p in posts} == {datetime(2015, 9, 22, 8, 30, tzinfo=UTC)}
    assert any("scheduled_for" in r.getMessage() and "chkt3cr0jf7b" in r.getMessage() for r in caplog.records)
    doc = incidents_doc()
    doc["incidents"][0]["started_at"] = bad
    assert {p.starts_at for p in parse_statuspage_document(doc, source())} == {None}


def test_update_time_outside_the_years_is_skipped_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    # Hand-made error case: one update of the real incident dated in 2150.
    doc = incidents_doc()
    doc["incidents"][0]["incident_updates"][0]["display_at"] = "2150-02-15T13:37:37.388-08:00"
    with caplog.at_level(logging.WARNING):
        posts = parse_statuspage_document(doc, source())
    assert [p.native_id for p in posts] == ["2shj4d01hc9g", "8tkvrgqxbpr0", "7gv6pn1zyz2n"]
    assert any("g93t2s4f10jh" in r.getMessage() for r in caplog.records)


# --- polling both documents --------------------------------------------------------------------------------------


def serve(server, *, maintenances: bytes | None = None, **maint_route) -> None:
    server.route(INCIDENTS_PATH, json.dumps(incidents_doc()).encode(), etag=True)
    if maintenances is not None:
        server.route(MAINTENANCES_PATH, maintenances, **maint_route)


def tracker(server, **options: object) -> StatuspageTracker:
    return StatuspageTracker(source(server.url, **options), http=make_client())


def every_poll(server) -> StatuspageTracker:
    """A tracker that reads the maintenance document on every poll (``maintenance_every = 0``)."""
    return tracker(server, maintenance_every=0.0)


def test_maintenances_url() -> None:
    assert maintenances_url(source()) == "https://discordstatus.com/api/v2/scheduled-maintenances.json"
    api = SourceConfig(id="x", kind="statuspage", service="X", url="https://a.test", api_base="https://b.test/api/v2")
    assert maintenances_url(api) == "https://b.test/api/v2/scheduled-maintenances.json"


def test_poll_reads_both_documents_with_their_own_validators(server) -> None:
    serve(server, maintenances=json.dumps(maintenances_doc()).encode(), etag=True)
    first = every_poll(server).poll({})
    assert not first.not_modified and first.notes == []
    assert {(p.thread_key, p.incident_kind) for p in first.posts} == {("n4njzfn1mqy0", ""), ("chkt3cr0jf7b", "maintenance")}
    assert len(first.posts) == 8
    cursor = first.cursor
    assert cursor["etag"] != cursor["maint_etag"] and cursor["maint_etag"].startswith('"')
    assert len(cursor["maint_sha256"]) == 64
    second = every_poll(server).poll(cursor)
    assert second.not_modified and second.posts == []
    hits = server.hits(MAINTENANCES_PATH)
    assert len(hits) == 2 and hits[1].headers["if-none-match"] == cursor["maint_etag"]


def test_only_maintenances_changed_is_not_unmodified(server) -> None:
    route_doc = maintenances_doc()
    serve(server, maintenances=json.dumps(route_doc).encode())
    first = every_poll(server).poll({})
    maint = maintenances_doc()
    maint["scheduled_maintenances"][0]["name"] += " (edited)"
    server.route(MAINTENANCES_PATH, json.dumps(maint).encode())
    second = every_poll(server).poll(first.cursor)
    assert not second.not_modified
    assert {p.thread_key for p in second.posts} == {"chkt3cr0jf7b"}


def test_a_maintenance_in_both_documents_is_returned_once(server) -> None:
    maintenance = maintenances_doc()["scheduled_maintenances"][0]
    doc = {**incidents_doc(), "incidents": [*incidents_doc()["incidents"], maintenance]}
    server.route(INCIDENTS_PATH, json.dumps(doc).encode())
    server.route(MAINTENANCES_PATH, json.dumps(maintenances_doc()).encode())
    posts = tracker(server).poll({}).posts
    ids = [p.native_id for p in posts]
    assert len(ids) == len(set(ids)) == 8


@pytest.mark.parametrize(
    "route, words",
    [
        ({"status": 404}, "HTTP 404"),
        ({"status": 500}, "HTTP 500"),
        ({"status": 200}, "did not return JSON"),  # body below: an HTML error page
    ],
)
def test_broken_maintenance_document_leaves_the_incidents_poll_working(
    server, caplog: pytest.LogCaptureFixture, route: dict, words: str
) -> None:
    # Hand-made error bodies: no real broken document needed to show a failure.
    serve(server, maintenances=b"<html>Service Unavailable</html>", **route)
    with caplog.at_level(logging.DEBUG):
        first = every_poll(server).poll({})
    assert [p.native_id for p in first.posts] == ["g93t2s4f10jh", "2shj4d01hc9g", "8tkvrgqxbpr0", "7gv6pn1zyz2n"]
    assert not first.not_modified
    assert len(first.notes) == 1 and words in first.notes[0] and "\n" not in first.notes[0]
    lines = [r for r in caplog.records if words in r.getMessage()]
    assert len(lines) == 1 and "discord" in lines[0].getMessage()
    # a page without the endpoint is not a problem (DEBUG); a broken one is (WARNING)
    assert lines[0].levelno == (logging.DEBUG if words == "HTTP 404" else logging.WARNING)
    assert words in first.cursor["maint_error"] and "maint_sha256" not in first.cursor
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        second = every_poll(server).poll(first.cursor)  # incidents unchanged, maintenances still broken
    assert second.not_modified and second.posts == []
    assert not [r for r in caplog.records if words in r.getMessage()]  # logged once, not every poll


def test_incidents_failure_still_fails_the_poll(server) -> None:
    server.route(INCIDENTS_PATH, b"oops", status=503)
    server.route(MAINTENANCES_PATH, json.dumps(maintenances_doc()).encode())
    with pytest.raises(TrackerError, match=r"HTTP 503 from .*/api/v2/incidents\.json"):
        tracker(server).poll({})


def test_first_maintenance_read_on_a_source_polled_before_skips_finished_ones(server) -> None:
    # The page answered 404 for maintenances on the first poll, then serves them: the completed 2015 maintenance
    # is history, not news; an open one (the same maintenance before it began: hand-cut to its first update) is.
    serve(server, maintenances=b"", status=404)
    first = every_poll(server).poll({})
    server.route(MAINTENANCES_PATH, json.dumps(maintenances_doc()).encode())
    second = every_poll(server).poll(first.cursor)
    assert second.posts == [] and "maint_error" not in second.cursor and second.cursor["maint_sha256"]
    upcoming = maintenances_doc()
    item = upcoming["scheduled_maintenances"][0]
    item["status"] = "scheduled"
    item["incident_updates"] = item["incident_updates"][-1:]
    fresh = {k: v for k, v in first.cursor.items() if not k.startswith("maint_")}
    server.route(MAINTENANCES_PATH, json.dumps(upcoming).encode())
    third = every_poll(server).poll(fresh)
    assert [(p.status, p.incident_kind) for p in third.posts] == [("scheduled", "maintenance")]


# --- how often the maintenance document is read -------------------------------------------------------------------


def upcoming(starts_in: timedelta, lasts: timedelta | None = timedelta(minutes=30)) -> bytes:
    """Discord's real 2015 maintenance, hand-cut to its first ("scheduled") update and moved to start ``starts_in``
    from now: no real document holds a maintenance scheduled around the time a test runs."""
    doc = maintenances_doc()
    item = doc["scheduled_maintenances"][0]
    item["status"] = "scheduled"
    item["incident_updates"] = item["incident_updates"][-1:]
    start = datetime.now(UTC) + starts_in
    item["scheduled_for"] = start.isoformat()
    item["scheduled_until"] = (start + lasts).isoformat() if lasts is not None else None
    return json.dumps(doc).encode()


def aged(cursor: dict, minutes: float) -> dict:
    """The cursor as if its maintenance document had been read ``minutes`` earlier than it was."""
    read_at = datetime.fromisoformat(cursor["maint_read_at"]) - timedelta(minutes=minutes)
    return {**cursor, "maint_read_at": read_at.isoformat()}


def test_outside_any_window_the_maintenance_document_is_read_every_five_minutes(server) -> None:
    serve(server, maintenances=json.dumps(maintenances_doc()).encode(), etag=True)  # its one maintenance is over
    first = tracker(server).poll({})
    assert len(first.posts) == 8 and first.cursor["maint_windows"] == []
    second = tracker(server).poll(first.cursor)  # a minute later, as the daemon polls: incidents only
    assert second.not_modified and second.cursor == first.cursor
    assert len(server.hits(INCIDENTS_PATH)) == 2 and len(server.hits(MAINTENANCES_PATH)) == 1
    tracker(server).poll(aged(first.cursor, 4))  # four minutes on: still not due
    assert len(server.hits(MAINTENANCES_PATH)) == 1
    third = tracker(server).poll(aged(first.cursor, 5))  # five minutes on: read again, conditionally
    hits = server.hits(MAINTENANCES_PATH)
    assert len(hits) == 2 and hits[1].headers["if-none-match"] == first.cursor["maint_etag"]
    assert third.not_modified and third.cursor["maint_read_at"] > first.cursor["maint_read_at"]


def test_a_new_maintenance_notice_is_found_on_the_first_read_after_the_interval(server) -> None:
    serve(server, maintenances=json.dumps({"page": {}, "scheduled_maintenances": []}).encode())
    first = tracker(server, maintenance_every=120.0).poll({})
    server.route(MAINTENANCES_PATH, upcoming(timedelta(days=3)))  # posted now, for three days ahead
    assert tracker(server, maintenance_every=120.0).poll(aged(first.cursor, 1)).posts == []
    found = tracker(server, maintenance_every=120.0).poll(aged(first.cursor, 2))
    assert [(p.status, p.incident_kind) for p in found.posts] == [("scheduled", "maintenance")]
    # three days ahead is not near: the next poll does not read the document again
    start, end = found.cursor["maint_windows"][0]
    assert datetime.fromisoformat(end) - datetime.fromisoformat(start) == timedelta(minutes=30)
    tracker(server, maintenance_every=120.0).poll(found.cursor)
    assert len(server.hits(MAINTENANCES_PATH)) == 2


@pytest.mark.parametrize("starts_in, lasts", [
    (timedelta(minutes=10), timedelta(minutes=30)),  # about to start
    (timedelta(minutes=-20), timedelta(minutes=30)),  # under way
    (timedelta(hours=-1), timedelta(minutes=30)),  # past its stated end, no completion yet: overruns happen
    (timedelta(hours=-3), None),  # started with no stated end: taken to last a day
])
def test_near_or_during_a_window_the_maintenance_document_is_read_every_poll(
    server, starts_in: timedelta, lasts: timedelta | None
) -> None:
    serve(server, maintenances=upcoming(starts_in, lasts))
    first = tracker(server).poll({})
    assert [p.incident_kind for p in first.posts if p.thread_key == "chkt3cr0jf7b"] == ["maintenance"]
    tracker(server).poll(first.cursor)
    tracker(server).poll(first.cursor)
    assert len(server.hits(MAINTENANCES_PATH)) == 3


def test_a_window_long_past_its_end_falls_back_to_the_interval(server) -> None:
    serve(server, maintenances=upcoming(timedelta(hours=-4), timedelta(minutes=30)))  # ended 3.5 h ago, never completed
    first = tracker(server).poll({})
    tracker(server).poll(first.cursor)
    assert len(server.hits(MAINTENANCES_PATH)) == 1


@pytest.mark.parametrize("bad", [
    {"maint_read_at": "not a time"},
    {"maint_read_at": "2999-01-01T00:00:00+00:00"},  # the clock moved back since: read
    {"maint_windows": [["garbage"]]},
    {"maint_windows": [["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00"]]},  # would overflow
    {"maint_read_at": "2026-12-05T10:00:00"},  # no zone
])
def test_an_unreadable_cursor_reads_the_document(server, bad: dict) -> None:
    serve(server, maintenances=json.dumps(maintenances_doc()).encode())
    first = tracker(server).poll({})
    tracker(server).poll({**first.cursor, **bad})
    assert len(server.hits(MAINTENANCES_PATH)) == 2


@pytest.mark.parametrize("value, ok", [("0s", True), ("10m", True), ("1d", True), ("2d", False), ("-5m", False),
                                       ("soon", False)])
def test_maintenance_every_is_bounded_in_the_config(tmp_path: Path, value: str, ok: bool) -> None:
    from config import ConfigError, load_config

    path = tmp_path / "pushti.toml"
    path.write_text(f'[[source]]\nid = "d"\nkind = "statuspage"\nservice = "Discord"\n'
                    f'url = "https://discordstatus.com"\nmaintenance_every = "{value}"\n', encoding="utf-8")
    if ok:
        assert isinstance(load_config(path).source("d").option("maintenance_every"), float)
    else:
        with pytest.raises(ConfigError, match="maintenance_every"):
            load_config(path)
