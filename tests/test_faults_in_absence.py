"""No resolution by disappearance on one poll (issue 13): Azure, incident.io and Instatus list active incidents only.
A local server serves the document, then an empty one (a transient page that parses), then the document again —
through ``bot.py poll --once``: no resolved message, ever. An incident that stays missing over two polls 5+ minutes
apart is reported as "no longer listed on the status page", not "resolved"."""

from __future__ import annotations

import email.utils
import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pollhelpers import run_bot, write_config

from trackers.absence import CONFIRM_AFTER, track

HEADER = "── [desk]"
NOW = datetime.now(timezone.utc).replace(microsecond=0)
STARTED = NOW - timedelta(minutes=40)


def azure_feed(*items: str) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>https://azure.status.microsoft/en-us/status/</link>"
        f'<guid isPermaLink="false">{guid}</guid><pubDate>{email.utils.format_datetime(STARTED)}</pubDate>'
        f"<description>Impact Statement: Starting at {STARTED:%H:%M} UTC customers may see errors connecting to "
        f"{title}. We are investigating. Tracking ID: {guid}</description></item>"
        for guid, title in (item.split("|") for item in items)
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Azure Status</title>'
            f"<link>https://azure.status.microsoft/en-us/status/</link>{body}</channel></rss>").encode()


def widget(*incidents: tuple[str, str]) -> bytes:
    return json.dumps({"ongoing_incidents": [
        {"id": incident_id, "name": name, "status": "investigating", "url": f"https://status.example/incidents/{incident_id}",
         "last_update_at": STARTED.isoformat().replace("+00:00", "Z"), "current_worst_impact": "partial_outage",
         "last_update_message": f"We are investigating errors with {name}."}
        for incident_id, name in incidents
    ], "in_progress_maintenances": [], "scheduled_maintenances": []}).encode()


def summary(*incidents: tuple[str, str]) -> bytes:
    return json.dumps({"page": {"name": "Example", "url": "https://status.example", "status": "HASISSUES"},
                       "activeIncidents": [
                           {"id": incident_id, "name": name, "status": "INVESTIGATING", "impact": "MAJOROUTAGE",
                            "started": STARTED.isoformat().replace("+00:00", "Z"),
                            "url": f"https://status.example/incident/{incident_id}"}
                           for incident_id, name in incidents],
                       "activeMaintenances": []}).encode()


def setup(kind: str, server: Any) -> tuple[dict[str, Any], str, bytes, bytes]:
    """(source config, document path, the document, the same page listing nothing)."""
    if kind == "azure":
        path = "/en-us/status/feed/"
        source = {"id": "azure", "kind": "azure", "service": "Azure", "url": server.url + path}
        return source, path, azure_feed("VSG1-B90|Azure Front Door"), azure_feed()
    if kind == "incidentio":
        path = "/proxy/" + server.url.split("://", 1)[1]
        source = {"id": "openai", "kind": "incidentio", "service": "OpenAI", "url": server.url}
        return source, path, widget(("01JINC0000000000000000001", "ChatGPT")), widget()
    path = "/summary.json"
    source = {"id": "example", "kind": "instatus", "service": "Example", "url": server.url}
    return source, path, summary(("cl4incident0000000001", "Example API")), summary()


def poll(config: Path) -> str:
    result = run_bot("poll", "--once", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return result.stdout


def age_missing(state: Path, source_id: str, minutes: float) -> None:
    """As if the incidents went missing ``minutes`` earlier: the time real poll intervals take."""
    db = sqlite3.connect(state)
    cursor = json.loads(db.execute("select cursor from sources where id = ?", (source_id,)).fetchone()[0])
    for entry in cursor.get("missing", {}).values():
        since = datetime.fromisoformat(entry["since"].replace("Z", "+00:00")) - timedelta(minutes=minutes)
        entry["since"] = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    db.execute("update sources set cursor = ? where id = ?", (json.dumps(cursor), source_id))
    db.commit()
    db.close()


def incident_status(state: Path) -> list[str]:
    db = sqlite3.connect(state)
    try:
        return [r[0] for r in db.execute("select status from incidents order by id")]
    finally:
        db.close()


@pytest.mark.parametrize("kind", ["azure", "incidentio", "instatus"])
def test_document_then_empty_then_document_resolves_nothing(kind: str, server: Any, tmp_path: Path) -> None:
    source, path, document, empty = setup(kind, server)
    config = write_config(tmp_path, [source])
    route = server.route(path, document)
    first = poll(config)
    assert first.count(HEADER) == 1  # the open incident announced once
    route.body = empty
    assert HEADER not in poll(config)  # one empty page: nothing resolved
    age_missing(tmp_path / "state.db", source["id"], minutes=10)  # even when the empty page was long ago
    route.body = document
    again = poll(config)
    assert HEADER not in again
    assert incident_status(tmp_path / "state.db") == ["open"]
    route.body = empty  # and an empty page again later starts the count afresh
    assert HEADER not in poll(config)
    assert incident_status(tmp_path / "state.db") == ["open"]


@pytest.mark.parametrize("kind", ["azure", "incidentio", "instatus"])
def test_missing_over_two_polls_minutes_apart_is_no_longer_listed(kind: str, server: Any, tmp_path: Path) -> None:
    source, path, document, empty = setup(kind, server)
    config = write_config(tmp_path, [source], channels=[{"id": "desk", "kind": "console", "languages": ["hi", "en"]}])
    route = server.route(path, document)
    poll(config)
    route.body = empty
    assert HEADER not in poll(config)
    assert HEADER not in poll(config)  # missing at a second poll, but not yet minutes apart
    age_missing(tmp_path / "state.db", source["id"], minutes=10)
    out = poll(config)  # the same empty page, 10 minutes after it was first missed
    reply = out[out.index(HEADER + " reply"):]
    assert "no longer listed on the status page" in reply
    assert "स्टेटस पेज पर अब यह घटना नहीं दिखती" in reply
    assert "has not said there that the problem is resolved" in reply
    assert ": resolved" not in reply and "समस्या दूर कर ली गई" not in reply
    assert " wrote:" not in reply  # our words, not quoted as the company's
    # the thread's first message is edited to say the same, not "resolved after …", and keeps the first statement
    assert "no longer listed on the status page (since" in out and "स्टेटस पेज पर अब यह घटना नहीं दिखती (" in out
    assert "resolved after" not in out and "बाद समस्या दूर" not in out and "First statement:" in out
    assert incident_status(tmp_path / "state.db") == ["resolved"]
    assert HEADER not in poll(config)  # said once


def test_track_needs_two_polls_and_five_minutes() -> None:
    now = NOW
    first = track({"a": {"title": "A"}}, {}, {}, now)
    assert first.gone == {} and first.missing["a"]["polls"] == 1
    soon = track({}, None, first.missing, now + timedelta(minutes=1))  # a second poll, one minute later
    assert soon.gone == {} and soon.missing["a"]["polls"] == 2
    later = track({}, None, soon.missing, now + CONFIRM_AFTER)
    assert later.gone == {"a": {"title": "A"}} and later.missing == {}
    back = track({}, {"a": {}}, soon.missing, now + CONFIRM_AFTER)  # listed again: never gone
    assert back.gone == {} and back.missing == {}
    broken = track({}, None, {"a": {"since": "not-a-date", "polls": "x", "info": {}}}, now)
    assert broken.gone == {} and broken.missing["a"]["since"]  # a hand-edited cursor starts the count afresh
