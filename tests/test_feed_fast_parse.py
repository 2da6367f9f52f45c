"""The feed tracker reads feeds without feedparser's HTML sanitiser and link resolver (trackers.textutil.
feedparser_parse): every real feed gives the same Posts as feedparser's full parse, scripts still never reach a
statement, and the documents where the two passes decide something (xml:base, entries known only by title) keep
the full parse."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

import trackers.feed
from config import SourceConfig
from trackers.feed import parse_feed
from trackers.textutil import feedparser_parse

FEEDS = Path(__file__).resolve().parent / "data" / "feeds"
NOW = datetime(2024, 1, 1, tzinfo=UTC)
SOURCE = SourceConfig(id="feed", kind="feed", service="Example", url="https://status.example.com/history.atom")


def full_parse_posts(body: bytes, monkeypatch: pytest.MonkeyPatch) -> list:
    """The Posts the tracker gave when it called feedparser.parse with its defaults (the reference)."""
    with monkeypatch.context() as patch:
        patch.setattr(trackers.feed, "feedparser_parse", lambda raw: feedparser.parse(raw))
        return parse_feed(body, SOURCE, now=NOW)


@pytest.mark.parametrize("name", sorted(p.name for p in FEEDS.iterdir()))
def test_real_feeds_read_exactly_as_with_the_full_parse(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    body = (FEEDS / name).read_bytes()
    fast = parse_feed(body, SOURCE, now=NOW)
    assert fast, name
    assert fast == full_parse_posts(body, monkeypatch)


def atom(entries: str, *, root_attrs: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" {root_attrs}>'
            f"<title>Example Status</title>{entries}</feed>").encode()


def test_a_script_in_an_entry_never_reaches_the_statement() -> None:
    body = atom('<entry><id>tag:example,1</id><title>API errors</title><updated>2023-12-01T10:00:00Z</updated>'
                '<content type="html">&lt;p&gt;We are investigating API errors.&lt;/p&gt;'
                '&lt;script&gt;alert("x")&lt;/script&gt;&lt;style&gt;p {color: red}&lt;/style&gt;</content></entry>')
    assert feedparser_parse(body).entries[0].content[0].value.count("<script>") == 1  # the sanitiser did not run
    [post] = parse_feed(body, SOURCE, now=NOW)
    assert post.text == "We are investigating API errors."


def test_an_entry_known_only_by_its_title_keeps_the_identity_the_full_parse_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = atom('<entry><title type="html">Q&amp;amp;A &lt;b&gt;session&lt;/b&gt;&lt;script&gt;x()&lt;/script&gt;'
                "</title><updated>2023-12-01T10:00:00Z</updated><summary>Maintenance of the Q&amp;A "
                "service.</summary></entry>")
    [post] = parse_feed(body, SOURCE, now=NOW)
    assert post == full_parse_posts(body, monkeypatch)[0]
    assert post.thread_key == feedparser.parse(body).entries[0].title
    assert "<script>" not in post.thread_key


def test_xml_base_documents_resolve_their_links_as_before() -> None:
    body = atom('<entry><id>tag:example,2</id><title>Fixed</title><updated>2023-12-01T10:00:00Z</updated>'
                '<content type="html">&lt;a href="incidents/abc"&gt;details&lt;/a&gt;</content></entry>',
                root_attrs='xml:base="https://status.example.com/"')
    assert feedparser_parse(body).entries[0].content[0].value == feedparser.parse(body).entries[0].content[0].value
    assert "https://status.example.com/incidents/abc" in feedparser_parse(body).entries[0].content[0].value
