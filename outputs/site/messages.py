"""The words the site and the feeds print are the channel's own messages: each is gathered by facts.gather and
rendered by render.py's templates in plain markup, one language at a time — the same facts, times and durations
a Telegram or Slack channel was sent. A ``Messages`` object keeps what it rendered, keyed by what the text depends
on, so a refresh after a poll renders only what changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from facts.gather import gather, summary_facts
from render import render_text

# an incident change → the message the channel is sent for it (as outbox.CHANGE_TO_MESSAGE)
CHANGE_MESSAGE = {"acknowledged": "acknowledged", "update": "update", "reopened": "update", "resolved": "resolved",
                  "maintenance": "maintenance", "report": "report"}
# a statement with no recorded change (history recorded quietly) → the message its kind would have been
KIND_MESSAGE = {"acknowledged": "acknowledged", "update": "update", "recovering": "update", "resolved": "resolved",
                "maintenance": "maintenance", "report": "report"}


def _text(kind: str, context: dict[str, Any], lang: str) -> str:
    return render_text(kind, context, markup="plain", languages=(lang,))


def stamp_of(incident: dict[str, Any]) -> tuple[Any, ...]:
    """What an incident's messages and page depend on: a change to the incident or a new statement changes it."""
    last = incident["statements"][-1] if incident["statements"] else {}
    return (incident.get("updated_at"), incident["status"], len(incident["statements"]), last.get("id"),
            incident.get("event_id"))


class Messages:
    """Renders (and remembers) the channel messages the site shows."""

    def __init__(self, db: sqlite_utils.Database, timezone: str) -> None:
        self.db = db
        self.timezone = timezone
        self.memo: dict[tuple[Any, ...], Any] = {}  # rendered messages (str) and pages (bytes, outputs.site.build)
        self.contexts: dict[tuple[Any, ...], dict[str, Any]] = {}  # the last gathered context (languages in a row)

    def _remember(self, key: tuple[Any, ...], make: Any) -> str:
        if key not in self.memo:
            self.memo[key] = make()
        return str(self.memo[key])

    def statement(self, incident: dict[str, Any], statement: dict[str, Any], lang: str) -> str:
        """The message a channel got (or would have got) for this statement."""
        change = statement.get("change")
        kind = (CHANGE_MESSAGE.get(change["change"]) if change else None) or KIND_MESSAGE.get(statement.get("kind") or "",
                                                                                             "update")

        stamp = stamp_of(incident)

        def make() -> str:
            key = ("context", statement["id"], stamp)
            context = self.contexts.get(key)
            if context is None:  # gathered once for every language
                context = gather(self.db, incident["id"], change_id=change["id"] if change else None, kind=kind,
                                 timezone=self.timezone)
                if not change:
                    context["statement"] = statement
                self.contexts = {key: context}
            return _text(kind, context, lang)

        return self._remember(("statement", statement["id"], stamp, lang), make)

    def summary(self, incident: dict[str, Any], lang: str) -> str:
        """Where the incident stands, as the channel's latest message about it says: the resolution (with its span)
        once resolved, else the latest acknowledgement or update; a maintenance by its stage."""
        told = [s for s in incident["statements"] if s.get("kind") != "report"] or incident["statements"]
        if not told:
            return ""
        return self.statement(incident, told[-1], lang)

    def event(self, event: dict[str, Any], lang: str) -> str:
        """An event's summary (the digest template over its members, as the demo's closing summary)."""
        stamp = tuple((i["id"], i.get("updated_at"), i.get("status")) for i in event["incidents"])

        def make() -> str:
            return _text("digest", summary_facts(self.db, self.timezone, event_id=event["id"]), lang)

        return self._remember(("event", event["id"], event.get("updated_at"), stamp, lang), make)

    def day(self, start: datetime, incidents: list[dict[str, Any]], events: list[dict[str, Any]], lang: str) -> str:
        """A day's digest: the digest template over the incidents touching that local day (the rule of
        facts.gather.summary_facts, applied to incidents already read once for the whole site)."""
        stamp = tuple((i["id"], i.get("updated_at"), i.get("status")) for i in incidents)

        def make() -> str:
            context = {"kind": "digest", "timezone": self.timezone, "body": "",
                       "summary": {"scope": "day", "incidents": incidents, "events": events, "day": start}}
            return _text("digest", context, lang)

        return self._remember(("day", start.isoformat(), stamp, lang), make)
