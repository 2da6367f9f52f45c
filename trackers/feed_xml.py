"""The XML reader feedparser uses for the feeds pushti parses: Python's expat reader with expat's character-data
buffering on (``buffer_text``).

Why: a status page's history feed carries its updates as escaped HTML (``&lt;p&gt;&lt;small&gt;…``), and expat
reports the text between two entity references as a callback of its own — about 4,200 per feed — each of which
feedparser handles in Python. With ``buffer_text`` expat joins adjacent character data into one callback (up to
its buffer size), so a history feed is parsed in about four fifths of the time. feedparser only appends each piece
of character data to the element's text (``handle_data``; the one transformation, XML-escaping XHTML content, is
per character), so the same document gives the same result however its text is cut: checked on every feed in the
tests' data and feedparser's own test corpus (``tests/test_feed_xml.py``).

feedparser creates its reader with ``xml.sax.make_parser(feedparser.api.PREFERRED_XML_PARSERS)``, which imports
each named module and calls its ``create_parser``. This module's name is put first in that list once
(``buffered_text``), and its ``create_parser`` gives the buffering reader only inside ``buffered_text()`` on the
calling thread; any other feedparser call in the process (a test's, a benchmark's baseline) gets the reader it
always got.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

_local = threading.local()
_install_lock = threading.Lock()


@cache
def buffering_expat_parser() -> type:
    """``xml.sax.expatreader.ExpatParser`` whose expat parser joins adjacent character data (the class is made on
    first use: xml.sax's reader imports urllib.request, 35 ms a ``bot.py poll --once`` whose feeds all answer 304
    need not pay)."""
    import xml.sax.expatreader

    class BufferingExpatParser(xml.sax.expatreader.ExpatParser):
        def reset(self) -> None:
            super().reset()
            self._parser.buffer_text = True

    return BufferingExpatParser


def create_parser(*args: Any, **kwargs: Any) -> Any:
    """What ``xml.sax.make_parser`` calls: the buffering reader inside ``buffered_text()``, else expat's own."""
    import xml.sax.expatreader

    if getattr(_local, "depth", 0) > 0:
        return buffering_expat_parser()(*args, **kwargs)
    return xml.sax.expatreader.ExpatParser(*args, **kwargs)


def _install() -> None:
    import feedparser.api

    preferred = feedparser.api.PREFERRED_XML_PARSERS
    if not preferred or preferred[0] != __name__:
        with _install_lock:
            if not preferred or preferred[0] != __name__:
                preferred.insert(0, __name__)


@contextmanager
def buffered_text() -> Iterator[None]:
    """Within it, feedparser on this thread parses XML with the buffering reader."""
    _install()
    _local.depth = getattr(_local, "depth", 0) + 1
    try:
        yield
    finally:
        _local.depth -= 1
