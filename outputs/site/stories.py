"""The site's story pages and their feed entries (issue 16): a story per event, and per incident of major or
critical impact that is not part of an event (outputs/story/subject.py: the same rule as the channels' automatic
stories). Each story is the draft outputs/story writes — HTML with the statements as plain blockquotes and links
(the site runs no script, so no platform embed script), plain text in the feeds — one article per language.

A story still open is a developing story, and says so. What a story shows depends only on its incidents (their
stamps, outputs/site/messages.stamp_of), so a story is composed once per change and kept in the build's memo.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlite_utils

from outputs.site.messages import Messages, stamp_of
from outputs.site.model import SiteData
from outputs.story.subject import story_target, story_worthy

log = logging.getLogger("pushti.site")


@dataclass
class Subject:
    """One story the site shows: an event's or a lone incident's."""

    kind: str  # "event" | "incident"
    id: int
    members: list[dict[str, Any]]  # the site's incidents (outputs/site/model.load)
    event: dict[str, Any] | None = None

    @property
    def target(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def path(self) -> str:
        """Beside the event's or incident's own page: ``events/1.story.html``, ``incidents/12.story.html``."""
        return f"{self.kind}s/{self.id}.story.html"

    @property
    def page(self) -> str:
        return f"{self.kind}s/{self.id}.html"

    def stamp(self) -> tuple[Any, ...]:
        """What the story depends on: every member's statements and state (and the event's)."""
        event = (self.event.get("updated_at"), self.event.get("status")) if self.event else ()
        return (self.target, event, tuple(stamp_of(m) for m in self.members))


@dataclass
class Rendered:
    """A story in each language: the HTML article (no script), the plain text, the headline; and its times."""

    html: dict[str, str] = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)
    headline: dict[str, str] = field(default_factory=dict)
    developing: bool = False
    published: datetime | None = None
    updated: datetime | None = None


def subjects(data: SiteData) -> list[Subject]:
    """Every story the site has, events first (oldest first), then lone incidents."""
    found = []
    for event in data.events.values():
        members = [data.incidents[i["id"]] for i in event["incidents"] if i["id"] in data.incidents]
        if any(story_worthy(m) and story_target(m) == f"event:{event['id']}" for m in members):
            found.append(Subject("event", event["id"], members, event))
    for incident in data.incidents.values():
        if story_worthy(incident) and story_target(incident) == f"incident:{incident['id']}":
            found.append(Subject("incident", incident["id"], [incident]))
    return found


def times(members: list[dict[str, Any]]) -> tuple[datetime | None, datetime | None]:
    """``published``: the first statement; ``updated``: the latest word — a new statement when the company said it,
    an edit of one when the bot saw it, a resolution — so an edit of the story moves ``updated`` only."""
    seen: set[str] = set()
    moments: list[datetime] = []
    first: datetime | None = None
    for member in members:
        for statement in member["statements"]:
            at = statement["created_at"]
            if at is None:
                continue
            first = at if first is None else min(first, at)
            if statement["key"] in seen:  # an edit of a statement told before
                moments.append(max(statement["seen"] or at, at))
            else:
                seen.add(statement["key"])
                moments.append(at)
        if member["status"] == "resolved" and member.get("resolved_at"):
            moments.append(member["resolved_at"])
    if first is None:
        return None, None
    return first, max([first, *moments])


def render(db: sqlite_utils.Database, subject: Subject, languages: tuple[str, ...], timezone: str,
           messages: Messages) -> Rendered | None:
    """The story in every language (kept in ``messages.memo`` while its stamp holds); None when its incidents have
    no statement to tell."""
    key = ("story", subject.stamp(), languages, timezone)
    if key in messages.memo:
        return messages.memo[key]  # type: ignore[no-any-return]
    try:
        rendered = _compose(db, subject, languages, timezone)
    except Exception as err:  # one story that cannot be told never stops the site: said once per change, skipped
        log.warning("site: no story page for %s: %s: %s", subject.target, type(err).__name__, err, exc_info=True)
        rendered = None
    messages.memo[key] = rendered
    return rendered


def _compose(db: sqlite_utils.Database, subject: Subject, languages: tuple[str, ...], timezone: str) -> Rendered | None:
    from outputs.story.compose import compose
    from outputs.story.gather import story_data
    from outputs.story.layout import layout

    data = story_data(db, subject.id, event=subject.kind == "event", timezone=timezone)
    rendered: Rendered | None = None
    if data["members"]:
        rendered = Rendered()
        rendered.published, rendered.updated = times(subject.members)
        for lang in languages:
            if lang not in ("hi", "en"):
                continue
            story = compose(data, lang)
            rendered.html[lang] = layout(story, "html", embed=False)
            rendered.text[lang] = layout(story, "text")
            rendered.headline[lang] = story.headline.text
            rendered.developing = rendered.developing or story.developing
        if not rendered.html or rendered.published is None:
            rendered = None
    return rendered
