"""An incident's facts as one plain record (no database handle): who, what kind, what broke, when it began and
ended by the company's own account and where each time came from, and every statement in order. The one shape
`bot.py incidents --json` prints, and the plain data later outputs (site, feeds, story) read."""

from __future__ import annotations

import json
from typing import Any

from facts.context import incident_facts, maintenance_text_says, statement_facts, told, with_closing


def _components(statements: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for statement in statements:
        try:
            names = json.loads(statement.get("components") or "[]")
        except ValueError:
            names = []
        for name in names if isinstance(names, list) else []:
            if isinstance(name, str) and name:
                seen.setdefault(name, None)
    return list(seen)


def _text_says(facts: dict[str, Any], statements: list[dict[str, Any]]) -> list[str]:
    """For a maintenance marked completed: what its last statement's own words say against that ("trouble",
    "reverted", "rescheduled", "ongoing"), as the channel message tells it (facts.context.maintenance_text_says)."""
    if facts["kind"] != "maintenance" or facts.get("status") != "resolved" or not statements:
        return []
    said = maintenance_text_says(facts, statements[-1])
    return [key for key in ("trouble", "reverted", "rescheduled", "ongoing") if said[key]]


def incident_record(incident: dict[str, Any], statements: list[dict[str, Any]]) -> dict[str, Any]:
    """The facts of one incident row and its statements (rows of ``posts``, oldest first). ``told`` is the span
    the channel messages give, from the same plain facts the renderer reads (facts.context.incident_facts)."""
    started = incident.get("started_at") or incident.get("opened_at")
    facts = incident_facts({k: v for k, v in incident.items() if k != "statements"})
    said = [s for s in statements if (s.get("kind") or "") not in ("noise", "report") and not s.get("duplicate_of")]
    closing = said[-1] if said and said[-1].get("raw_status") != "no longer listed" else None
    with_closing(facts, closing, [statement_facts(s) for s in statements if (s.get("kind") or "") != "noise"
                                  and not s.get("duplicate_of")] if closing else None)
    return {
        "id": incident["id"],
        "service": incident["service"],
        "kind": incident.get("kind") or "incident",
        "status": incident["status"],
        "unsure": bool(incident.get("unsure")),
        "title": incident.get("title") or "",
        "impact": incident.get("impact") or "",
        "components": _components(statements),
        "started_at": started,
        "started_from": incident.get("started_from") or ("post" if started else ""),
        "first_word_at": incident.get("first_word_at") or incident.get("opened_at"),
        "resolved_at": incident.get("resolved_at"),
        "resolved_from": incident.get("resolved_from") or ("post" if incident.get("resolved_at") else ""),
        "duration_seconds": incident.get("duration_seconds"),
        "reopened_at": incident.get("reopened_at"),
        "window": {"start": incident.get("window_start"), "end": incident.get("window_end")}
        if (incident.get("kind") == "maintenance") else None,
        "disagreement": incident.get("disagreement") or "",
        "event_id": incident.get("event_id"),
        "told": told(facts),
        "text_says": _text_says(facts, statements),
        "closed_unfixed": bool(facts.get("closed_unfixed")),
        "notice": bool(facts.get("notice")),  # a notice that named no problem, closed: not a fix
        "statements": [
            {"created_at": s["created_at"], "kind": s["kind"], "text": s["text"], "url": s.get("url") or "",
             "source_id": s.get("source_id") or "", "report": s["id"] == incident.get("report_post_id")}
            for s in statements
        ],
    }
