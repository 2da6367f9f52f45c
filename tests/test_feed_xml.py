"""feedparser reads our feeds with expat's character-data buffering (trackers.feed_xml): the same result as its own
reader on every real feed (both the full parse and the tracker's lean one), far fewer character callbacks, and no
effect on feedparser calls made outside ``buffered_text`` (another thread, a benchmark's baseline)."""

from __future__ import annotations

import threading
import xml.sax
import xml.sax.expatreader
import xml.sax.handler
from pathlib import Path
from typing import Any

import feedparser
import feedparser.api
import pytest

from trackers.feed_xml import buffered_text, buffering_expat_parser

DATA = Path(__file__).resolve().parent / "data"
REAL_FEEDS = sorted((DATA / "feeds").iterdir()) + sorted((DATA / "aws").glob("*.rss")) + sorted(
    (DATA / "azure").glob("*.xml"))


def comparable(result: Any) -> tuple[str, str]:
    data = dict(result)
    error = data.pop("bozo_exception", None)
    return repr(sorted(data.items())), f"{type(error).__name__}: {error}"


@pytest.mark.parametrize("path", REAL_FEEDS, ids=lambda p: p.name)
@pytest.mark.parametrize("lean", [False, True], ids=["full", "lean"])
def test_every_real_feed_parses_the_same_with_buffered_text(path: Path, lean: bool) -> None:
    body = path.read_bytes()
    options = {"sanitize_html": False, "resolve_relative_uris": False} if lean else {}
    plain = feedparser.parse(body, **options)
    with buffered_text():
        buffered = feedparser.parse(body, **options)
    assert plain.get("version"), path.name  # a feed feedparser recognised
    assert comparable(buffered) == comparable(plain)


class CountingHandler(xml.sax.handler.ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.pieces: list[str] = []

    def characters(self, content: str) -> None:
        self.pieces.append(content)


ESCAPED_HTML = (b'<?xml version="1.0"?><feed><content>&lt;p&gt;&lt;small&gt;Jul &lt;var&gt;3&lt;/var&gt;, '
                b'16:10 UTC&lt;/small&gt;&lt;br&gt;&lt;strong&gt;Resolved&lt;/strong&gt; - fixed.&lt;/p&gt;'
                b'</content></feed>')


def characters_of(body: bytes) -> list[str]:
    reader = xml.sax.make_parser(feedparser.api.PREFERRED_XML_PARSERS)
    handler = CountingHandler()
    reader.setContentHandler(handler)
    reader.feed(body)
    reader.close()
    return handler.pieces


def test_escaped_html_arrives_in_one_piece_inside_buffered_text_only() -> None:
    with buffered_text():
        joined = characters_of(ESCAPED_HTML)
    cut = characters_of(ESCAPED_HTML)
    text = "<p><small>Jul <var>3</var>, 16:10 UTC</small><br><strong>Resolved</strong> - fixed.</p>"
    assert joined == [text]
    assert "".join(cut) == text and len(cut) > 10  # expat's own reader: one piece per entity and run of text


def test_other_threads_and_later_calls_keep_expats_own_reader() -> None:
    seen: dict[str, type] = {}

    def elsewhere() -> None:
        seen["thread"] = type(xml.sax.make_parser(feedparser.api.PREFERRED_XML_PARSERS))

    with buffered_text():
        seen["inside"] = type(xml.sax.make_parser(feedparser.api.PREFERRED_XML_PARSERS))
        worker = threading.Thread(target=elsewhere)
        worker.start()
        worker.join(timeout=10)
        with buffered_text():  # nested: still on until the outer one ends
            pass
        seen["nested"] = type(xml.sax.make_parser(feedparser.api.PREFERRED_XML_PARSERS))
    seen["after"] = type(xml.sax.make_parser(feedparser.api.PREFERRED_XML_PARSERS))
    buffering = buffering_expat_parser()
    assert issubclass(buffering, xml.sax.expatreader.ExpatParser)
    assert seen == {"inside": buffering, "nested": buffering,
                    "thread": xml.sax.expatreader.ExpatParser, "after": xml.sax.expatreader.ExpatParser}


def test_a_broken_feed_still_falls_back_to_the_loose_parser() -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>A &amp; B</title><description>x &lt; y' \
           b'</description></item><item><title>unclosed</channel></rss>'
    plain = feedparser.parse(body)
    with buffered_text():
        buffered = feedparser.parse(body)
    assert buffered.bozo and plain.bozo
    assert comparable(buffered) == comparable(plain)
    assert buffered.entries[0].title == "A & B"
