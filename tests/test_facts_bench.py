"""bench/facts_eval.py table 2 (what the bot says) on three tiny documents shaped like the real ones."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("facts_eval", ROOT / "bench" / "facts_eval.py")
assert spec and spec.loader
facts_eval = importlib.util.module_from_spec(spec)
sys.modules["facts_eval"] = facts_eval  # dataclasses look their module up there
spec.loader.exec_module(facts_eval)

GCP = [{
    "id": "inc1", "number": "1", "begin": "2022-07-01T13:37:00+00:00", "created": "2022-07-01T14:05:00+00:00",
    "end": "2022-07-01T19:25:00+00:00", "external_desc": "[Google BigQuery] Lower throughput",
    "updates": [
        {"created": "2022-07-01T14:05:00+00:00", "when": "2022-07-01T14:05:00+00:00", "status": "SERVICE_DISRUPTION",
         "text": "We are investigating lower throughput from the BigQuery Read API."},
        {"created": "2022-07-01T19:30:00+00:00", "when": "2022-07-01T19:30:00+00:00", "status": "AVAILABLE",
         "text": "The issue with Google BigQuery has been resolved for all affected users."},
    ],
}]
AWS = {"current": [], "archive": [{
    "service_name": "AWS Identity and Access Management", "service": "iam", "status": "1", "details": "",
    "summary": "[RESOLVED] IAM errors", "date": "1629996723",
    "description": '<div><span class="yellowfg"> 9:52 AM PDT</span>&nbsp;We are investigating elevated errors on the '
                   'IAM APIs.</div><div><span class="yellowfg">10:39 AM PDT</span>&nbsp;Between 6:44 AM and 9:12 AM '
                   "PDT, customers experienced elevated error rates. The issue has been resolved and the service is "
                   "operating normally.</div>",
}]}
GITHUB = {"page": {"id": "p", "name": "GitHub", "url": "https://www.githubstatus.com"}, "incident": {
    "id": "gh1", "name": "Incident on 2011-07-28 03:06:00 UTC", "status": "resolved", "impact": "minor",
    "created_at": "2011-07-28T03:06:00.000Z", "resolved_at": "2011-07-28T03:06:00.000Z",
    "started_at": "2011-07-28T03:06:00.000Z", "components": [],
    "incident_updates": [{
        "id": "u1", "status": "resolved", "created_at": "2018-12-05T11:27:12.071Z",
        "display_at": "2011-07-28T03:06:00.000Z", "affected_components": [],
        "body": "<ul><li><strong>2011-07-28 03:06:00</strong> - One of our file servers failed over.</li>"
                "<li><strong>2011-07-28 05:43:00</strong> - Our fileserver issues have been fully resolved!</li></ul>",
    }],
}}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    (tmp_path / "gcp").mkdir()
    (tmp_path / "gcp/gcp_status_incidents_sample.json").write_text(json.dumps(GCP))
    (tmp_path / "aws").mkdir()
    (tmp_path / "aws/aws_health_dashboard_archive_sample.json").write_text(json.dumps(AWS))
    (tmp_path / "statuspage_github_incidents").mkdir()
    (tmp_path / "statuspage_github_incidents/gh1.json").write_text(json.dumps(GITHUB))
    return tmp_path


def test_bot_table_reads_each_set_through_the_pipeline(data: Path) -> None:
    bot = facts_eval.bench_config()
    cases = {"gcp": facts_eval.gcp_cases(data), "aws": facts_eval.aws_cases(data), "github": facts_eval.github_cases(data)}
    assert [len(c) for c in cases.values()] == [1, 1, 1]
    froms = {}
    for name, set_cases in cases.items():
        items, all_rows = facts_eval.bot_cases(name, data, bot, set_cases)
        (item,) = items
        assert item.rows_found == 1 and len(all_rows) == 1
        assert facts_eval.bot_ok(item) and facts_eval.bot_exact(item), (name, item.incident)
        froms[name] = (item.incident["started_from"], item.incident["resolved_from"])
    assert froms == {"gcp": ("field", "field"), "aws": ("text", "text"), "github": ("text", "text")}
    # the old baseline (first word -> resolving post) is read from the same store
    items, _ = facts_eval.bot_cases("gcp", data, bot, cases["gcp"])
    assert items[0].baseline[1] - items[0].baseline[0] == timedelta(hours=5, minutes=25)


def test_no_duration_or_open_incident_is_a_miss() -> None:
    t0 = datetime(2020, 1, 1, tzinfo=timezone.utc)
    case = facts_eval.Case("x", "1", (t0, t0 + timedelta(hours=2)), "text", facts_eval.StatedSpan(), None)
    resolved = {"status": "resolved", "duration_seconds": 7200, "started_at": "2020-01-01T00:00:00Z",
                "resolved_at": "2020-01-01T02:00:00Z"}
    assert facts_eval.bot_ok(facts_eval.BotCase(case, resolved, 1, None))
    assert not facts_eval.bot_ok(facts_eval.BotCase(case, {**resolved, "duration_seconds": None}, 1, None))
    assert not facts_eval.bot_ok(facts_eval.BotCase(case, {**resolved, "status": "open"}, 1, None))
    assert not facts_eval.bot_ok(facts_eval.BotCase(case, {**resolved, "duration_seconds": 0}, 1, None))
    assert not facts_eval.bot_ok(facts_eval.BotCase(case, None, 2, None))
