"""Render: turns an outbox row into the text a channel sends (Jinja2 templates, per language and markup).

``message_context`` gathers plain data from the store; ``render`` fills the templates. No I/O beyond reading.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from posts import parse_time
from store import row, rows

TEMPLATES = Path(__file__).resolve().parent / "templates"
MESSAGE_KINDS = ("acknowledged", "update", "resolved", "event", "digest", "notice")


@dataclass
class RenderedMessage:
    parts: list[str]  # one or more messages, each within the channel's limit
    card: str = ""  # the root message's new text when an incident is resolved (edit)
    blocks: list[dict[str, Any]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _service(name: str) -> dict[str, str]:
    try:
        from services import load_catalog

        found = load_catalog().find(name)
    except Exception:
        found = None
    if found is None:
        return {"id": name.lower(), "name": name, "hi": name}
    return {"id": found.id, "name": found.name, "hi": found.hi}


def _time(value: str | None) -> datetime | None:
    return parse_time(value) if value else None


def message_context(db: sqlite_utils.Database, outbox_row: dict[str, Any], timezone: str) -> dict[str, Any]:
    """Plain data for one outbox row: the incident, the statement that caused it, the event, times."""
    context: dict[str, Any] = {"kind": outbox_row["message_kind"], "timezone": timezone, "body": outbox_row.get("body") or ""}
    incident = row(db, "select * from incidents where id = ?", (outbox_row["incident_id"],)) if outbox_row.get("incident_id") else None
    if incident:
        context["service"] = _service(incident["service"])
        context["incident"] = {
            **incident,
            "opened_at": _time(incident["opened_at"]),
            "resolved_at": _time(incident["resolved_at"]),
            "acknowledged_at": _time(incident["acknowledged_at"]),
        }
        change = row(db, "select * from incident_changes where id = ?", (outbox_row["change_id"],)) if outbox_row.get("change_id") else None
        post = None
        if change and change["post_id"]:
            post = row(db, "select * from posts where id = ?", (change["post_id"],))
        if post is None:
            post = row(db, "select * from posts where incident_id = ? and duplicate_of is null order by created_at desc limit 1", (incident["id"],))
        if post:
            context["statement"] = {
                **post,
                "created_at": parse_time(post["created_at"]),
                "symptoms": json.loads(post["symptoms"] or "[]"),
            }
        context["change"] = change["change"] if change else outbox_row["message_kind"]
        if incident["event_id"]:
            event = row(db, "select * from events where id = ?", (incident["event_id"],))
            members = rows(db, "select * from incidents where event_id = ? order by opened_at", (incident["event_id"],))
            context["event"] = {
                **(event or {}),
                "started_at": _time(event["started_at"]) if event else None,
                "ended_at": _time(event["ended_at"]) if event else None,
                "services": [_service(m["service"]) for m in members],
            }
    return context


_env: Environment | None = None


def environment() -> Environment:
    global _env
    if _env is None:
        _env = Environment(
            loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        _env.filters["local"] = lambda value, tz: value.astimezone(ZoneInfo(tz)) if value else value
    return _env


def render(kind: str, context: dict[str, Any], *, markup: str, languages: tuple[str, ...], max_chars: int) -> RenderedMessage:
    """Render a message kind for one channel flavour; split into parts of at most ``max_chars``."""
    template = environment().get_template(f"{kind}.j2")
    text = template.render(**context, languages=languages, markup=markup).strip()
    card = ""
    if kind == "resolved":
        card = environment().get_template("card.j2").render(**context, languages=languages, markup=markup).strip()
    parts = [text[i : i + max_chars] for i in range(0, len(text), max_chars)] or [""]
    return RenderedMessage(parts=parts, card=card)
