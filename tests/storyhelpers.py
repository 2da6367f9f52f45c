"""Helpers for the story tests on real documents (test_story_real, test_story_real2): a checked draft, the
draft's own words, an incident by its service."""

from __future__ import annotations

from typing import Any

from outputs.story import write_story
from outputs.story.check import check_story
from outputs.story.compose import compose
from outputs.story.gather import story_data
from store import rows

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
