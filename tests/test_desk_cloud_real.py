"""Real Google Cloud incidents and AWS events read as a news desk would (desk5: incidents no earlier test, golden
file or review used), each through ``bot.py poll --once`` and ``bot.py incidents --json`` on the one incident served
locally (backfill all, a Hindi + English console channel). The facts asserted are read from the source documents
(tests/data/gcp/gcp_status_incidents_sample.json and tests/data/aws/aws_health_dashboard_archive_sample.json, copies
of ../shared/data)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pollhelpers import poll_one_document

DATA = Path(__file__).parent / "data"
GCP = DATA / "gcp" / "gcp_status_incidents_sample.json"
AWS = DATA / "aws" / "aws_health_dashboard_archive_sample.json"


def poll_gcp(server: Any, tmp_path: Path, incident_id: str) -> tuple[Any, dict[str, Any]]:
    """Serve one real Google Cloud incident as incidents.json, poll it once: (the poll, its one incident record)."""
    (incident,) = [i for i in json.loads(GCP.read_text(encoding="utf-8")) if i["id"] == incident_id]
    return poll_one_document(server, tmp_path, "/incidents.json", json.dumps([incident]).encode(), "application/json",
                             {"id": "gcp", "kind": "gcp", "service": "Google Cloud"})


def poll_aws(server: Any, tmp_path: Path, service: str, date: str) -> tuple[Any, dict[str, Any]]:
    """Serve one real AWS event (by its service and date) as data.json, poll it once: (the poll, its incident)."""
    (event,) = [e for e in json.loads(AWS.read_text(encoding="utf-8"))["archive"]
                if e["service"] == service and e["date"] == date]
    body = json.dumps({"archive": [event], "current": []}).encode()
    return poll_one_document(server, tmp_path, "/data.json", body, "application/json",
                             {"id": "aws", "kind": "aws", "service": "AWS"})


def test_a_first_word_posted_after_the_end_does_not_make_the_end_a_milestone(server: Any, tmp_path: Path) -> None:
    """BNZwWJfvtjg3HxKA3bjY (Cloud Vision, 20-21 April 2022): Google first posted at 17:44 UTC ("We are experiencing
    an issue with Cloud Vision beginning at Wednesday, 2022-04-20 17:59 US/Pacific") and two minutes later said it
    was "resolved for all affected users as of Wednesday, 2022-04-20 22:17:21 US/Pacific"; its end field is 05:18 UTC
    and its report says "Incident Start: 20 April 2021 17:59 … Incident End: 20 April 2021 22:18 … Duration: 4 hours,
    19 minutes". The late first word was taken for work past the stated end, and the channel told "16 घंटे 47 मिनट"
    / "16 h 47 min" to the 11:16 PM IST close. It ran 6:29 AM to 10:48 AM IST, 4 h 19 min."""
    poll, record = poll_gcp(server, tmp_path, "BNZwWJfvtjg3HxKA3bjY")
    assert (record["started_at"], record["resolved_at"]) == ("2022-04-21T00:59:00Z", "2022-04-21T05:18:00Z")
    assert record["told"]["duration_seconds"] == (4 * 60 + 19) * 60
    assert "4 घंटे 19 मिनट बाद समस्या दूर (गुरुवार सुबह 6:29 बजे से 10:48 बजे तक)" in poll.stdout
    assert "resolved after 4 h 19 min (Thursday, 6:29 AM – 10:48 AM IST)" in poll.stdout
    assert "16 घंटे 47 मिनट" not in poll.stdout and "16 h 47 min" not in poll.stdout
