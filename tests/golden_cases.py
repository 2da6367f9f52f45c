"""Inputs of the golden-file tests: one message context per kind, from real statements (a GitHub incident in
../shared/data, the seed story's @facebook and @TwitterSupport posts) with their real times."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from render import _service

DATA = Path(__file__).resolve().parent / "data"
GOLDEN = DATA / "golden"
MARKUPS = ("telegram", "slack", "plain")
LANGUAGE_SETS = (("hi", "en"), ("en",))
MAX_CHARS = {"telegram": 4096, "slack": 3000, "plain": 100_000}
TZ = "Asia/Kolkata"

FACEBOOK_ACK = (
    "We’re aware that some people are having trouble uploading or sending images, videos and other files on our "
    "apps. We're sorry for the trouble and are working to get things back to normal as quickly as possible. "
    "#facebookdown"
)
TWITTER_RESOLVED = (
    "We're almost at 100% resolved. There may be some residual effects for a small group of people, but overall "
    "your DMs should be working properly now. We appreciate your patience!"
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc).replace(microsecond=0)


def statement(text: str, at: str, *, url: str = "", author: str = "", source_kind: str = "x", kind: str = "acknowledged",
              symptoms: tuple[str, ...] = (), raw_status: str = "", language: str = "en") -> dict[str, Any]:
    return {
        "text": text, "created_at": utc(at), "url": url, "author": author, "source_id": author or "page",
        "source_kind": source_kind, "kind": kind, "symptoms": list(symptoms), "raw_status": raw_status,
        "language": language,
    }


def incident(service: str, opened: str | None, resolved: str | None = None, *, status: str = "open", impact: str = "",
             title: str = "", last: str | None = None) -> dict[str, Any]:
    opened_at = utc(opened) if opened else None
    resolved_at = utc(resolved) if resolved else None
    duration = int((resolved_at - opened_at).total_seconds()) if opened_at and resolved_at else None
    return {
        "service": service, "title": title, "status": status, "impact": impact, "opened_at": opened_at,
        "acknowledged_at": opened_at, "resolved_at": resolved_at, "duration_seconds": duration, "reopened": 0,
        "last_statement_at": utc(last) if last else (resolved_at or opened_at), "service_info": _service(service),
        "event_id": None,
    }


def github_incident() -> dict[str, Any]:
    return json.loads((DATA / "render" / "github_rgy28jwprr1c.json").read_text())["incident"]


def _github_statements() -> list[dict[str, Any]]:
    doc = github_incident()
    kinds = {"investigating": "acknowledged", "identified": "update", "monitoring": "recovering", "resolved": "resolved"}
    updates = sorted(doc["incident_updates"], key=lambda u: u["display_at"])
    return [
        statement(u["body"], u["display_at"], url=doc["shortlink"], author="GitHub", source_kind="statuspage",
                  kind=kinds[u["status"]], raw_status=u["status"])
        for u in updates
    ]


def case(kind: str) -> dict[str, Any]:
    """The message context of one golden case."""
    base: dict[str, Any] = {"kind": kind, "timezone": TZ, "body": "", "change": kind}
    if kind == "acknowledged":  # the seed story: @facebook, Wednesday 3 July 2019, 8:35 PM IST
        return {**base, "service": _service("Facebook"),
                "incident": incident("Facebook", "2019-07-03T15:05:00Z"),
                "statement": statement(FACEBOOK_ACK, "2019-07-03T15:05:00Z", url="https://twitter.com/facebook",
                                       author="facebook", symptoms=("media_upload",))}
    if kind in ("update", "digest"):  # GitHub, 23 September 2019 (real Statuspage updates)
        doc = github_incident()
        said = _github_statements()
        if kind == "update":
            return {**base, "service": _service("GitHub"),
                    "incident": incident("GitHub", doc["created_at"], impact=doc["impact"], title=doc["name"],
                                         last=said[1]["created_at"].isoformat()),
                    "statement": said[1]}
        # the components its updates named so far, as facts.gather passes them (every update: "Notifications")
        named = list(dict.fromkeys(c["name"] for u in doc["incident_updates"] for c in u["affected_components"]))
        return {**base, "service": _service("GitHub"),
                "incident": {**incident("GitHub", doc["created_at"], doc["resolved_at"], status="resolved",
                                        impact=doc["impact"], title=doc["name"]), "components": named},
                "statement": said[-1], "statements": said}
    if kind == "resolved":  # the seed story: @TwitterSupport, early Thursday 4 July 2019 IST
        return {**base, "service": _service("Twitter"),
                "incident": incident("Twitter", "2019-07-03T16:15:00Z", "2019-07-03T23:24:59Z", status="resolved"),
                "statement": statement(TWITTER_RESOLVED, "2019-07-03T23:24:59Z", url="https://twitter.com/TwitterSupport",
                                       author="TwitterSupport", kind="resolved", symptoms=("messaging",))}
    if kind == "event":  # the seed story: four services at once, Twitter just joined
        members = [
            incident("Facebook", "2019-07-03T15:05:00Z"),
            incident("WhatsApp", "2019-07-03T15:20:00Z"),
            incident("Instagram", "2019-07-03T15:30:00Z"),
            incident("Twitter", "2019-07-03T16:15:00Z"),
        ]
        event = {"status": "open", "started_at": utc("2019-07-03T15:05:00Z"), "ended_at": None,
                 "services": [m["service_info"] for m in members], "incidents": members}
        return {**base, "service": _service("Twitter"), "incident": members[-1], "event": event,
                "statement": None}
    if kind == "notice":
        return {**base, "body": "⚠️ pushti: watching \"github\" (GitHub) is failing since 2019-09-23T16:12:01Z: "
                                 "HTTP 503 <html> & retrying"}
    raise KeyError(kind)


KINDS = ("acknowledged", "update", "resolved", "event", "digest", "notice")


def golden_name(kind: str, markup: str, languages: tuple[str, ...]) -> str:
    return f"{kind}__{markup}__{'+'.join(languages)}"


def rendered_text(message: Any) -> str:
    """How a rendered message is written to its golden file."""
    text = "\n\n──── next part ────\n\n".join(message.parts)
    if message.card:
        text += "\n\n──── card (the first message, edited) ────\n" + message.card
    return text + "\n"
