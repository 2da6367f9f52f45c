"""The story as text, Markdown or HTML (templates/story/story.<format>.j2). The sentences are plain text made by
compose.py; here they are only laid out (and escaped for HTML), and each paragraph's quotes follow it."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from outputs.story import embeds
from outputs.story.model import Story
from render import TEMPLATES

LABELS = {  # (Hindi, English)
    "developing": ("अपडेट जारी", "Developing story"),
    "draft": ("मसौदा: pushti ने कंपनियों के आधिकारिक बयानों से तैयार किया", "Draft: written by pushti from the "
              "companies' official statements"),
    "source": ("मूल बयान", "Source"),
}


def _lines(text: Any) -> Markup:
    """Escaped text with its line breaks kept (HTML)."""
    return Markup("<br>\n").join(escape(line) for line in str(text).splitlines())


def _md_escape(text: str) -> str:
    """Markdown markers escaped, so a company's words (a quote, a title the lede quotes) stay words: a backslash
    before the markers both CommonMark and Python-Markdown read as escapes, "<" as "&lt;" (Python-Markdown has no
    "\\<" escape)."""
    return "".join("\\" + ch if ch in "\\`*_[]>#" else "&lt;" if ch == "<" else ch for ch in str(text))


def _md_quote(text: str) -> str:
    """A statement as a Markdown blockquote: every line behind "> ", Markdown markers escaped, and the company's
    own line breaks kept — a line followed by another ends in two spaces, a hard break in CommonMark and
    Python-Markdown alike (else GitHub's 38-line timeline of 21–22 October 2018, or OpenAI's "Mac: / Chrome … =
    Press Cmd + Shift + R / Safari = …", ran together as one paragraph)."""
    lines = [line.rstrip() for line in _md_escape(text).splitlines()]
    out = []
    for i, line in enumerate(lines):
        more = i + 1 < len(lines) and lines[i + 1].strip()
        out.append(("> " + line + ("  " if more else "")) if line.strip() else ">")
    return "\n".join(out)


def _md_line(sentences: Any) -> str:
    """A paragraph of the story's sentences on one Markdown line, markers escaped."""
    return _md_escape(" ".join(s.text for s in sentences))


@lru_cache(maxsize=2)
def _env(html: bool) -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined, autoescape=html,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(lines=_lines, md_quote=_md_quote, md_line=_md_line, md_escape=_md_escape)
    env.globals.update(embeds=embeds)
    return env


def layout(story: Story, fmt: str, *, embed: bool = True) -> str:
    """``fmt``: text | md | html. ``embed`` (HTML only): the platforms' embed markup and scripts; False: each
    statement a plain blockquote with its link and no script at all (a page that runs no script)."""
    name = {"text": "story.text.j2", "md": "story.md.j2", "html": "story.html.j2"}[fmt]
    index = 0 if story.lang == "hi" else 1
    labels = {key: pair[index] for key, pair in LABELS.items()}
    kinds = sorted({embeds.embed_kind(q) for q in story.quotes()})
    text = _env(fmt == "html").get_template(f"story/{name}").render(story=story, labels=labels, kinds=kinds,
                                                                      embed=embed)
    return text.strip() + "\n"
