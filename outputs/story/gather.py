"""The story's one read of the state database: each incident of the story (one, or an event's members) with its
facts (facts.gather.gather: the same plain data the channel messages are rendered from, so the story never
computes a start, an end or a duration differently) and its statements in order."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from facts.gather import event as gather_event
from facts.gather import gather
from store import row, rows

SAID_KINDS = ("acknowledged", "update", "recovering", "resolved", "report", "maintenance")


def _member(db: sqlite_utils.Database, incident_id: int, timezone: str) -> dict[str, Any]:
    context = gather(db, incident_id, timezone=timezone)
    natives = {r["id"]: r for r in rows(
        db, "select id, native_id, service from posts where incident_id = ?", (incident_id,))}
    statements = []
    for statement in context["statements"]:
        if (statement.get("kind") or "") not in SAID_KINDS:
            continue
        native = natives.get(statement["id"]) or {}
        statements.append({**statement, "native_id": native.get("native_id") or ""})
    return {"incident": context["incident"], "service": context["service"], "statements": statements,
            "stage": context.get("stage") or ""}


def story_data(db: sqlite_utils.Database, target_id: int, *, event: bool, timezone: str) -> dict[str, Any]:
    """Plain data of one story: ``target`` ("incident:3" / "event:1"), ``members`` (each: ``incident`` as
    facts.context.incident_facts gives it, ``service`` names, ``statements`` oldest first), ``timezone``.
    Members are ordered by their first statement. KeyError when the incident or event does not exist."""
    if event:
        found = gather_event(db, target_id)
        if found is None:
            raise KeyError(f"no event #{target_id}")
        ids = [i["id"] for i in found["incidents"]]
    else:
        if row(db, "select 1 from incidents where id = ?", (target_id,)) is None:
            raise KeyError(f"no incident #{target_id}")
        ids = [target_id]
    members = [_member(db, i, timezone) for i in ids]
    members = [m for m in members if m["statements"]]

    def first_said(member: dict[str, Any]) -> Any:
        return member["statements"][0]["created_at"]

    members.sort(key=first_said)
    return {"target": f"{'event' if event else 'incident'}:{target_id}", "members": members, "timezone": timezone}
