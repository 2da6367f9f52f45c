"""Helpers for the story tests on real documents (test_story_real, test_story_real2): a database of stored
documents, a checked draft, the draft's own words, an incident by its service."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from config import parse_config
from outputs.story import write_story
from outputs.story.check import check_story
from outputs.story.compose import compose
from outputs.story.gather import story_data
from pipeline import store_posts
from store import open_db, rows
from trackers.gcp import parse_incidents
from trackers.statuspage import parse_statuspage_document

TZ = "Asia/Kolkata"


def checked_story(db: Any, target: int, lang: str, *, event: bool = False) -> str:
    """The draft of ``target`` in ``lang`` (text), after outputs/story/check.py found nothing it does not back."""
    assert check_story(db, compose(story_data(db, target, event=event, timezone=TZ), lang)) == [], lang
    return write_story(db, target, event=event, lang=lang)


def own_words(text: str) -> str:
    """The story's own words: the blocks that quote a statement (and their links) left out."""
    return "\n\n".join(b for b in text.split("\n\n") if "\n— " not in b and not b.startswith("— "))


def incident_of(db: Any, service: str) -> int:
    """The id of the one incident of ``service``."""
    (found,) = rows(db, "select id from incidents where service = ?", (service,))
    return int(found["id"])


def stored_db(tmp: Path, documents: list[tuple[Path, dict[str, Any]]]) -> Any:
    """A state database (in ``tmp``) with each document stored through the pipeline from its own source: ``documents``
    are (path of a Statuspage or Google Cloud ``incidents.json``, its source as a config gives it)."""
    bot = parse_config({"bot": {"state": str(tmp / "state.db"), "timezone": TZ},
                        "source": [{"backfill": "all", **spec} for _, spec in documents],
                        "channel": [{"id": "desk", "kind": "console"}]}, "<test>")
    db = open_db(bot.state)
    for path, spec in documents:
        source = bot.source(spec["id"])
        document = json.loads(path.read_text(encoding="utf-8"))
        if spec["kind"] == "gcp":
            posts = parse_incidents(document, source_id=source.id, service=source.service)
        else:
            posts = parse_statuspage_document(document, source, where=path.name)
        store_posts(db, bot, source, posts, now=max(p.created_at for p in posts) + timedelta(minutes=1))
    return db
