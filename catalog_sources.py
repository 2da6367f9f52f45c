"""The bundled catalog as a source picker: search it, copy an entry into ``pushti.toml``, check sources once."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import httpx

from config import SourceConfig
from services import Service, load_catalog
from trackers import SkipSource, TrackerError, tracker_for
from trackers.http import fetch
from trackers.registry import URL_KINDS


def source_entries(service: Service) -> list[dict[str, str]]:
    """The catalog entry as ``[[source]]`` tables: ids ``<service>`` for the first, ``<service>-<kind>`` after."""
    entries, used = [], set()
    for src in service.sources:
        source_id = service.id if not used else f"{service.id}-{src.kind}"
        suffix = 2
        while source_id in used:
            source_id = f"{service.id}-{src.kind}{suffix}"
            suffix += 1
        used.add(source_id)
        entry = {"id": source_id, "kind": src.kind, "service": service.name}
        entry["url" if src.kind in URL_KINDS else "handle"] = src.url if src.kind in URL_KINDS else src.handle
        entries.append(entry)
    return entries


def toml_block(service: Service) -> str:
    lines = [f"# {service.name} ({service.hi}) — from the pushti catalog"]
    for entry in source_entries(service):
        lines += ["[[source]]"] + [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in entry.items()]
        lines.append("")
    return "\n".join(lines)


def search(word: str) -> list[Service]:
    return load_catalog().search(word)


def add_to_config(config_path: str | Path, service_id: str) -> list[str]:
    """Append the service's sources to the config (created with a console channel if missing). Returns the ids
    added; ids already in the file are left alone. Raises KeyError for an unknown service."""
    catalog = load_catalog()
    service = catalog.get(service_id) if service_id in {s.id for s in catalog} else catalog.find(service_id)
    if service is None:
        raise KeyError(service_id)
    path = Path(config_path)
    text = path.read_text(encoding="utf-8") if path.exists() else (
        '[bot]\nstate = "state.db"\ntimezone = "Asia/Kolkata"\nlanguages = ["hi", "en"]\n\n'
        '[[channel]]\nid = "console"\nkind = "console"\n'
    )
    present = set(re.findall(r'^\s*id\s*=\s*"([^"]+)"', text, flags=re.MULTILINE))
    new = [e for e in source_entries(service) if e["id"] not in present]
    if not new:
        return []
    block = [f"\n# {service.name} ({service.hi}) — from the pushti catalog"]
    for entry in new:
        block += ["[[source]]"] + [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in entry.items()]
    path.write_text(text.rstrip("\n") + "\n" + "\n".join(block) + "\n", encoding="utf-8")
    return [e["id"] for e in new]


@dataclass
class CheckResult:
    source_id: str
    kind: str
    ok: bool
    detected: str = ""
    http_status: int | None = None
    entries: int = 0
    validators: str = ""
    message: str = ""

    def line(self) -> str:
        if not self.ok:
            return f"✗ {self.source_id} ({self.kind}): {self.message}"
        parts = [f"✓ {self.source_id} ({self.kind})"]
        if self.http_status is not None:
            parts.append(f"HTTP {self.http_status}")
        if self.detected:
            parts.append(f"looks like {self.detected}")
        parts.append(f"{self.entries} statement(s)")
        parts.append(f"validators: {self.validators or 'none (content hash)'}")
        return ", ".join(parts)


def detect_kind(body: bytes) -> str:
    """What a document looks like: statuspage JSON, gcp JSON, an RSS/Atom feed, other JSON, or HTML."""
    head = body.lstrip()[:512].lower()
    if head.startswith((b"<?xml", b"<rss", b"<feed")):
        return "rss/atom feed"
    if head.startswith((b"<!doctype html", b"<html")):
        return "an HTML page (not a feed)"
    try:
        data = json.loads(body)
    except ValueError:
        return "unknown"
    if isinstance(data, dict) and "page" in data and ("incidents" in data or "status" in data):
        return "statuspage JSON"
    if isinstance(data, list) and data and isinstance(data[0], dict) and "service_name" in data[0]:
        return "google cloud incidents JSON"
    if isinstance(data, dict) and "active_incidents" in data:
        return "slack status JSON"
    return "JSON"


def check_source(source: SourceConfig, http: httpx.Client) -> CheckResult:
    result = CheckResult(source.id, source.kind, ok=True)
    tracker = tracker_for(source, http=http)
    probe_url = getattr(tracker, "probe_url", None)
    url = probe_url() if callable(probe_url) else ""
    if not url and source.kind == "statuspage":
        url = f"{(source.api_base or source.url).rstrip('/')}/api/v2/incidents.json"
    elif not url and source.kind in URL_KINDS:
        url = source.url
    try:
        if url:
            fetched = fetch(http, url)
            result.http_status = fetched.status
            result.detected = detect_kind(fetched.body)
            result.validators = " + ".join(
                name for name, value in (("ETag", fetched.etag), ("Last-Modified", fetched.last_modified)) if value
            )
        polled = tracker.poll({})
        result.entries = len(polled.posts)
    except SkipSource as err:
        return CheckResult(source.id, source.kind, ok=False, message=f"skipped: {err}")
    except TrackerError as err:
        return CheckResult(source.id, source.kind, ok=False, http_status=result.http_status, message=str(err))
    return result
