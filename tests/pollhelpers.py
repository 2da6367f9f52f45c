"""Helpers for end-to-end tests: real Statuspage documents replayed step by step, and running bot.py."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
E2E = Path(__file__).resolve().parent / "data" / "e2e"


def load_incident(name: str) -> dict[str, Any]:
    return json.loads((E2E / f"{name}.json").read_text())["incident"]


def _shift(value: str | None, delta: timedelta) -> str | None:
    if not value:
        return value
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) + delta
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def shifted(incident: dict[str, Any], start: datetime) -> dict[str, Any]:
    """The incident moved in time so that it began at ``start`` (its updates keep their spacing)."""
    incident = copy.deepcopy(incident)
    began = datetime.fromisoformat(incident["created_at"].replace("Z", "+00:00"))
    delta = start - began
    for key in ("created_at", "updated_at", "monitoring_at", "resolved_at", "started_at"):
        incident[key] = _shift(incident.get(key), delta)
    for update in incident["incident_updates"]:
        for key in ("created_at", "updated_at", "display_at"):
            update[key] = _shift(update.get(key), delta)
    return incident


def revealed(incident: dict[str, Any], count: int) -> dict[str, Any]:
    """The incident as the page showed it when only its first ``count`` updates were posted."""
    incident = copy.deepcopy(incident)
    updates = sorted(incident["incident_updates"], key=lambda u: u["display_at"])[:count]
    incident["incident_updates"] = list(reversed(updates))  # the API lists newest first
    incident["status"] = updates[-1]["status"] if updates else "investigating"
    if incident["status"] != "resolved":
        incident["resolved_at"] = None
    return incident


def incidents_document(*incidents: dict[str, Any]) -> bytes:
    page = {"id": "kctbh9vrtdwd", "name": "GitHub", "url": "https://www.githubstatus.com", "time_zone": "Etc/UTC"}
    return json.dumps({"page": page, "incidents": list(incidents)}).encode()


def write_config(tmp: Path, sources: list[dict[str, Any]], channels: list[dict[str, Any]] | None = None,
                 bot: dict[str, Any] | None = None) -> Path:
    def value(v: Any) -> str:
        return json.dumps(v, ensure_ascii=False)

    # every = "1ms": each poll --once of a test polls every source (cron runs respect the sources' intervals)
    lines = ["[bot]", f"state = {value(str(tmp / 'state.db'))}"]
    lines += [f"{k} = {value(v)}" for k, v in {"every": "1ms", **(bot or {})}.items()]
    for source in sources:
        lines += ["", "[[source]]"] + [f"{k} = {value(v)}" for k, v in source.items()]
    for channel in channels if channels is not None else [{"id": "desk", "kind": "console", "languages": ["en"]}]:
        lines += ["", "[[channel]]"] + [f"{k} = {value(v)}" for k, v in channel.items()]
    path = tmp / "pushti.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_bot(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args], capture_output=True, text=True, env=full_env, timeout=timeout
    )


def recent_start(hours_ago: float = 2) -> datetime:
    return (datetime.now(timezone.utc) - timedelta(hours=hours_ago)).replace(microsecond=0)


def github_feed_and_api(state: str, **source_options: Any) -> tuple[Any, tuple[Any, list], tuple[Any, list]]:
    """GitHub read two ways into one service: its real history feed and its real Statuspage incidents
    (``tests/data``), parsed for a feed source and a Statuspage source with ``source_options`` (e.g. backfill).
    Returns (bot config, (feed source, feed posts), (API source, API posts)); nothing is stored yet."""
    from config import parse_config
    from trackers.feed import parse_feed
    from trackers.statuspage import parse_statuspage_document

    raw = {"bot": {"state": state, "every": "1s"},
           "source": [{"id": "gh-feed", "kind": "feed", "service": "GitHub",
                       "url": "https://www.githubstatus.com/history.atom", **source_options},
                      {"id": "gh-api", "kind": "statuspage", "service": "GitHub",
                       "url": "https://www.githubstatus.com", **source_options}],
           "channel": [{"id": "desk", "kind": "console"}]}
    bot = parse_config(raw, "<test>")
    feed_source, api_source = bot.sources
    data = Path(__file__).resolve().parent / "data"
    feed = parse_feed((data / "feeds" / "githubstatus_history_2019-11-22.atom").read_bytes(), feed_source)
    api = []
    for path in sorted((data / "statuspage" / "github_incidents").glob("*.json")):
        api += parse_statuspage_document(json.loads(path.read_text(encoding="utf-8")), api_source)
    return bot, (feed_source, feed), (api_source, api)


DESK_CHANNEL = {"id": "desk", "kind": "console", "languages": ["hi", "en"]}


def poll_one_document(server: Any, tmp_path: Path, path: str, body: bytes, content_type: str,
                      source: dict[str, Any]) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Serve ``body`` at ``path``, run ``bot.py poll --once`` on ``source`` reading it (its url set to the served
    path, backfill all) with a Hindi + English console channel: (the completed poll, the one incident that
    ``bot.py incidents --json`` lists)."""
    server.route(path, body, headers={"Content-Type": content_type})
    return _poll_once(tmp_path, {**source, "url": server.url + path})


def poll_statuspage(server: Any, tmp_path: Path, body: bytes,
                    service: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Serve ``body`` as a Statuspage page's ``/api/v2/incidents.json`` and poll that page (a ``statuspage`` source
    of ``service``) once, as ``poll_one_document`` does: (the completed poll, its one incident record)."""
    server.route("/api/v2/incidents.json", body, headers={"Content-Type": "application/json"})
    return _poll_once(tmp_path, {"id": "page", "kind": "statuspage", "service": service, "url": server.url})


def _poll_once(tmp_path: Path, source: dict[str, Any]) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    config = write_config(tmp_path, [{**source, "backfill": "all"}], channels=[DESK_CHANNEL])
    poll = run_bot("poll", "--once", "--config", str(config))
    assert poll.returncode == 0, poll.stderr
    (record,) = [json.loads(line) for line in run_bot("incidents", "--json", "--config", str(config)).stdout.splitlines()]
    return poll, record


GCP_SAMPLE = Path(__file__).resolve().parent / "data" / "gcp" / "gcp_status_incidents_sample.json"
AWS_SAMPLE = Path(__file__).resolve().parent / "data" / "aws" / "aws_health_dashboard_archive_sample.json"


def poll_gcp(server: Any, tmp_path: Path, incident_id: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Serve one real Google Cloud incident (of tests/data/gcp's sample) as incidents.json, poll it once: (the poll,
    its one incident record)."""
    (incident,) = [i for i in json.loads(GCP_SAMPLE.read_text(encoding="utf-8")) if i["id"] == incident_id]
    return poll_one_document(server, tmp_path, "/incidents.json", json.dumps([incident]).encode(), "application/json",
                             {"id": "gcp", "kind": "gcp", "service": "Google Cloud"})


def poll_aws(server: Any, tmp_path: Path, service: str, date: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Serve one real AWS event (of tests/data/aws's sample, by its service and date) as data.json, poll it once:
    (the poll, its incident record)."""
    (event,) = [e for e in json.loads(AWS_SAMPLE.read_text(encoding="utf-8"))["archive"]
                if e["service"] == service and e["date"] == date]
    body = json.dumps({"archive": [event], "current": []}).encode()
    return poll_one_document(server, tmp_path, "/data.json", body, "application/json",
                             {"id": "aws", "kind": "aws", "service": "AWS"})
