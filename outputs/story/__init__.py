"""The news-story draft of an incident or an event (issue 16): headline, lede, one paragraph per company in the
order of its statements, the statements verbatim (embedded in HTML as the platforms' own markup), how long it
lasted by the company's own account, and what is not known yet.

- ``model``: the story as plain data; every sentence carries the facts it is built from (``Fact``: where the value
  was read — a statement id or an incident field — and how the sentence writes it);
- ``gather``: the one read of the state database (through facts.gather);
- ``compose``: the story in one language, sentence by sentence (templates/story/sentences.j2);
- ``layout``: the story as text, Markdown or HTML (templates/story/story.*.j2, embeds.py);
- ``check``: every sentence's facts verified against the stored data again;
- ``subject``: which incidents are told in a story and in whose (an event's, or a major incident's own); the
  channels (outbox_story.py) and the site's story pages (outputs/site) both follow it.

Nothing here writes the database or a channel.
"""

from __future__ import annotations

from typing import Any

FORMATS = ("text", "md", "html")
LANGS = ("hi", "en")


def write_story(db: Any, target_id: int, *, event: bool = False, lang: str = "hi", fmt: str = "text",
                timezone: str = "Asia/Kolkata", embed: bool = True) -> str:
    """The draft story of incident (or, with ``event``, event) ``target_id`` in one language and format. ``embed``
    false (HTML): the statements as plain blockquotes with links, without the platforms' scripts.
    Raises KeyError when there is no such incident or event, ValueError for an unknown language or format."""
    from outputs.story.compose import compose
    from outputs.story.gather import story_data
    from outputs.story.layout import layout

    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (known: {', '.join(LANGS)})")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    story = compose(story_data(db, target_id, event=event, timezone=timezone), lang)
    return layout(story, fmt, embed=embed)
