"""The story as plain data: sentences built from facts, quotes of the statements, paragraphs, the story.

A ``Fact`` is one stored value a sentence tells, with where it was read (``ref``: ``statement:<post id>`` or
``incident:<id>.<field>``) and the exact strings the sentence writes for it (``shown``). outputs/story/check.py
reads the value again from the store and checks the sentence against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# what a fact states; check.py knows how to verify each
FACT_KINDS = ("service", "said", "first", "time", "window", "duration", "long", "symptom", "part", "region",
              "status", "words", "count", "silent")


@dataclass(frozen=True)
class Fact:
    what: str  # one of FACT_KINDS
    ref: str  # "statement:12", "incident:3.resolved_at", "incident:3.statements"
    value: Any  # the stored value as the story read it (ISO time, seconds, a tag, a name …)
    shown: tuple[str, ...] = ()  # how the sentence writes it (each appears in the sentence)


@dataclass(frozen=True)
class Sentence:
    text: str
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class Quote:
    """One statement, verbatim, with who said it, when and where (for the embed markup)."""

    post_id: int
    text: str
    name: str  # the company as the platform shows it: "Facebook", "GitHub"
    handle: str  # "facebook" (no @) for a social account, "" for a page
    source_kind: str  # x | bluesky | mastodon | statuspage | feed | …
    url: str
    native_id: str
    created_at: datetime
    language: str = "en"


@dataclass
class Paragraph:
    sentences: list[Sentence] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)  # shown after the paragraph

    def add(self, sentence: Sentence | None) -> None:
        if sentence is not None and sentence.text.strip():
            self.sentences.append(sentence)


@dataclass
class Story:
    lang: str
    timezone: str
    headline: Sentence
    lede: Paragraph
    paragraphs: list[Paragraph]
    closing: Paragraph
    developing: bool  # some incident still open: told as a developing story
    target: str  # "incident:3" / "event:1"

    def sentences(self) -> list[Sentence]:
        out = [self.headline, *self.lede.sentences]
        for paragraph in self.paragraphs:
            out.extend(paragraph.sentences)
        out.extend(self.closing.sentences)
        return out

    def quotes(self) -> list[Quote]:
        return [q for p in self.paragraphs for q in p.quotes]
