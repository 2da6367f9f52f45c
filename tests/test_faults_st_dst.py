"""A channel in another zone across a daylight-saving change, end to end: an incident from 1:30 AM EDT to 1:45 AM
EST on 1 November 2026 (New York falls back at 2:00 AM EDT) is told with each time in the zone it was in, its UTC
time beside it, and the real duration (1 h 15 min, not the 15 min the wall clock suggests); an IST channel beside it
shows the same moments in India's time."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

from pollhelpers import incidents_document, load_incident, run_bot, write_config

PATH = "/api/v2/incidents.json"
START = datetime(2026, 11, 1, 5, 30, tzinfo=timezone.utc)  # 1:30 AM EDT
TIMES = [START, START + timedelta(minutes=50), START + timedelta(minutes=75)]  # 1:30 EDT, 1:20 EST, 1:45 EST


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def dst_incident() -> dict:
    incident = copy.deepcopy(load_incident("w7wlzstc8wss"))
    updates = sorted(incident["incident_updates"], key=lambda u: u["display_at"])
    chosen = [updates[0], updates[3], updates[4]]  # investigating, recovering, resolved
    for update, moment in zip(chosen, TIMES, strict=True):
        for key in ("created_at", "updated_at", "display_at"):
            update[key] = _iso(moment)
    incident["incident_updates"] = list(reversed(chosen))
    incident["id"] = "dstfallback"
    for key in ("created_at", "started_at"):
        incident[key] = _iso(START)
    incident["updated_at"] = incident["resolved_at"] = _iso(TIMES[-1])
    incident["monitoring_at"] = None
    return incident


def _messages(stdout: str, channel: str) -> list[str]:
    """The console's messages to one channel (each begins with its header line)."""
    found, current = [], None
    for line in stdout.splitlines():
        if line.startswith("── ["):
            current = [] if line.startswith(f"── [{channel}]") else None
            if current is not None:
                found.append(current)
            continue
        if current is not None:
            current.append(line)
    return ["\n".join(m) for m in found]


def test_new_york_across_the_november_change_and_india_beside_it(server, tmp_path):  # type: ignore[no-untyped-def]
    server.route(PATH, incidents_document(dst_incident()))
    config = write_config(
        tmp_path,
        [{"id": "github", "kind": "statuspage", "service": "GitHub", "url": server.url, "backfill": "all"}],
        [{"id": "ny", "kind": "console", "languages": ["en"], "timezone": "America/New_York"},
         {"id": "desk", "kind": "console", "languages": ["en"]}],
    )
    result = run_bot("poll", "--once", "--config", str(config))
    assert result.returncode == 0, result.stderr
    ny = _messages(result.stdout, "ny")
    assert len(ny) == 4, result.stdout  # acknowledged, update, resolved, and the root's edit into its card
    text = "\n".join(ny)
    assert "1:30 AM EDT (05:30 UTC)" in text  # before the change: daylight time
    assert "1:20 AM EST (06:20 UTC)" in text  # after it the clock reads earlier, in standard time
    assert "1:45 AM EST (06:45 UTC)" in text
    assert "resolved after 1 h 15 min" in text and "resolved about 1 h 15 min later" in text  # real time, not wall clock
    assert "IST" not in text and "Sunday 1 November" in text
    desk = "\n".join(_messages(result.stdout, "desk"))
    assert "11:00 AM IST (05:30 UTC)" in desk and "11:50 AM IST (06:20 UTC)" in desk
    assert "resolved after 1 h 15 min" in desk


def test_the_cards_span_names_both_zones_when_a_change_falls_inside_it(server, tmp_path):  # type: ignore[no-untyped-def]
    server.route(PATH, incidents_document(dst_incident()))
    config = write_config(
        tmp_path,
        [{"id": "github", "kind": "statuspage", "service": "GitHub", "url": server.url, "backfill": "all"}],
        [{"id": "ny", "kind": "console", "languages": ["en"], "timezone": "America/New_York"}],
    )
    result = run_bot("poll", "--once", "--config", str(config))
    card = next(m for m in _messages(result.stdout, "ny") if "resolved after" in m)
    assert "1:30 AM EDT – 1:45 AM EST" in card
