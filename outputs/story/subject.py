"""Which story an incident belongs to, and whether it gets one at all — the one rule that both the channels'
automatic stories (outbox_story.py) and the site's story pages (outputs/site) follow:

- a member of an event (several services at once) is told in the event's story;
- an incident on its own gets a story when its company rated it major or critical;
- a planned maintenance never does.
"""

from __future__ import annotations

from typing import Any

STORY_IMPACTS = ("major", "critical")


def story_target(incident: dict[str, Any]) -> str:
    """``"event:<id>"`` for a member of an event, else ``"incident:<id>"``."""
    return f"event:{incident['event_id']}" if incident.get("event_id") else f"incident:{incident['id']}"


def story_worthy(incident: dict[str, Any]) -> bool:
    """Whether the incident is told in a story (its event's, or its own): not a maintenance, and a member of an
    event or of major or critical impact."""
    if (incident.get("kind") or "incident") == "maintenance":
        return False
    return bool(incident.get("event_id")) or (incident.get("impact") or "") in STORY_IMPACTS
