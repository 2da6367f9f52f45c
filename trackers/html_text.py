"""HTML → plain text for every tracker (status-page bodies, feed entries, Mastodon content), and the whitespace
normalisers that go with it. Pure and small: no I/O, standard library only.

Plain markup (text and simple tags: nearly everything status pages and feeds send) is cut into tags and text
by one regular expression; anything else is read by ``html.parser``. Both feed the same ``_TextCollector``
with the same calls, so the text is the same either way, only about three times cheaper for plain markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser

_BLOCK_TAGS = {
    "p", "div", "ul", "ol", "table", "tr", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "section", "article", "header", "footer", "dl", "dt", "dd", "figure",
}
_SKIP_TAGS = {"script", "style", "template", "head", "title"}
_BREAK = "\x00"  # marks a line break in the collected text until lines are assembled


class _TextCollector:
    """What becomes of each tag and piece of text: the one place of these rules, whichever tokeniser calls its
    ``handle_*`` methods (html.parser's ``HTMLParser`` API, ``convert_charrefs=True``)."""

    # The only start tags whose attributes handle_starttag reads: _feed_simple parses no others' (it passes []).
    ATTRIBUTE_TAGS = frozenset({"a"})

    def __init__(self, *, newlines: bool, bullets: bool, links: bool) -> None:
        self.newlines = newlines
        self.bullets = bullets
        self.links = links
        self.parts: list[str] = []
        self.anchors: list[tuple[str, int]] = []  # (href, index into parts where the link text starts)
        self.skipping = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif tag == "br" or tag in _BLOCK_TAGS:
            self.parts.append(_BREAK)
            if tag == "pre":
                self.pre += 1
        elif tag == "li":
            self.parts.append(_BREAK + "- " if self.bullets else _BREAK)
        elif tag == "a" and self.links:
            self.anchors.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" or tag in _BLOCK_TAGS:
            self.parts.append(_BREAK)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(_BREAK)
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
        elif tag == "a" and self.anchors:
            href, start = self.anchors.pop()
            label = " ".join("".join(self.parts[start:]).replace(_BREAK, " ").split())
            if href and _needs_href(label, href):
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if (self.newlines or self.pre) and data.strip():
            # Plain text (or <pre>): its own line breaks are breaks. (Whitespace-only data between tags is not.)
            data = data.replace("\r\n", "\n").replace("\r", "\n").replace("\n", _BREAK)
        self.parts.append(data)


class _ParsingCollector(_TextCollector, HTMLParser):
    """``_TextCollector`` fed by ``html.parser`` (``feed``/``close``): for markup ``_feed_simple`` does not take."""

    def __init__(self, *, newlines: bool, bullets: bool, links: bool) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)
        _TextCollector.__init__(self, newlines=newlines, bullets=bullets, links=links)


def _needs_href(label: str, href: str) -> bool:
    """True when the link text does not already show where it goes (so the plain text should say)."""
    if not label or label.startswith(("@", "#")):
        return False
    bare = re.sub(r"^https?://", "", href).rstrip("/")
    shown = re.sub(r"^https?://", "", label).rstrip("/").rstrip("…").rstrip(".")
    return not (shown and bare.startswith(shown))


# A tag that html.parser reads exactly so (same name, same attributes, same end), written the plain way: a
# name of ASCII letters and digits, attributes after ASCII whitespace, each with a quoted value, a bare value or
# none, then ">" or "/>". Whitespace is spelled out because html.parser ends a tag name only on these five (its
# \s elsewhere also takes \v and non-ASCII spaces, which a name may contain). A bare value runs, as in
# html.parser, to whitespace or ">": <a href=x/> is a start tag with href "x/", not a self-closing tag.
_SIMPLE_TAG = re.compile(
    r"""<(?:
        ([a-zA-Z][a-zA-Z0-9]*)                                      # start tag: name,
        ((?:[ \t\n\r\f]+[a-zA-Z_:][-a-zA-Z0-9_:.]*                  # attributes,
            (?:[ \t\n\r\f]*=[ \t\n\r\f]*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)
        [ \t\n\r\f]*(/?)>                                           # "/" if self-closing
      | /([a-zA-Z][a-zA-Z0-9]*)[ \t\n\r\f]*>                        # end tag: name
    )""",
    re.VERBOSE,
)
# One attribute of a _SIMPLE_TAG: name, and its value as written (quotes and all) if it has one.
_SIMPLE_ATTR = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:[ \t\n\r\f]*=[ \t\n\r\f]*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
# Elements whose content html.parser reads as raw text: 3.11 has script and style, newer versions more. Left
# to html.parser, self-closing or not.
_RAW_TEXT_TAGS = {
    "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext", "textarea", "title",
}
# What may follow "<" for html.parser to read markup (a tag, end tag, comment, declaration or processing
# instruction); after anything else the "<" is text of its own.
_MARKUP_OPENERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ/!?")


def _feed_simple(collector: _TextCollector, markup: str) -> bool:
    """Feed ``markup`` to ``collector`` the way ``html.parser`` (``convert_charrefs=True``) would, if it is
    simple: text, plain tags (``_SIMPLE_TAG``) and lone "<"s. False as soon as it is not (then part of it may
    have been fed).

    The handler calls are html.parser's, chunk for chunk: each run of text up to the next "<" (or the end) is
    one ``handle_data`` of its ``html.unescape`` (html.parser holds back a trailing run with an unterminated
    "&" until ``close()``, but then passes it whole all the same), and a lone "<" is a chunk of its own. The
    chunks matter: ``_TextCollector`` tells whitespace-only data apart, and an entity is only unescaped within
    one chunk."""
    unescape = html.unescape
    handle_data = collector.handle_data
    # One C-level pass cuts the markup into text, start name, attributes, "/", end name, text, ... A "<" left in
    # a text is one no simple tag starts at; re.split finds tags leftmost-first, as a scan from the start would.
    pieces = iter(_SIMPLE_TAG.split(markup))
    text = next(pieces)
    for start, attributes, empty, end, following in zip(pieces, pieces, pieces, pieces, pieces, strict=True):
        if "<" in text:
            if not _feed_lone_lt(handle_data, unescape, text):
                return False
        elif text:
            handle_data(unescape(text))
        if end is not None:
            collector.handle_endtag(end.lower())
        else:
            tag = start.lower()
            if tag in _RAW_TEXT_TAGS:
                return False
            attrs: list[tuple[str, str | None]] = []
            if attributes and tag in collector.ATTRIBUTE_TAGS:
                for a in _SIMPLE_ATTR.finditer(attributes):
                    value = a.group(2)
                    if value is not None and value[:1] in ("'", '"'):
                        value = value[1:-1]
                    attrs.append((a.group(1).lower(), unescape(value) if value else value))
            if empty:
                collector.handle_startendtag(tag, attrs)
            else:
                collector.handle_starttag(tag, attrs)
        text = following
    if "<" in text:
        return _feed_lone_lt(handle_data, unescape, text)
    if text:
        handle_data(unescape(text))
    return True


def _feed_lone_lt(handle_data: Callable[[str], None], unescape: Callable[[str], str], text: str) -> bool:
    """A run of text between simple tags that holds a "<", as ``handle_data`` chunks; False if a "<" in it
    starts markup. (A "<" at the end of the run is followed by the next tag's "<" or by the end of the markup:
    text.)"""
    first, *rest = text.split("<")
    if any(after[:1] in _MARKUP_OPENERS for after in rest):  # ("" is no member)
        return False
    if first:
        handle_data(unescape(first))
    for after in rest:
        handle_data("<")
        if after:
            handle_data(unescape(after))
    return True


def html_to_text(markup: str, *, newlines: bool = False, bullets: bool = False, links: bool = False) -> str:
    """Plain text of an HTML fragment: tags stripped, entities unescaped, whitespace collapsed within lines.

    ``<br>``, ``<p>``, ``<li>`` and other blocks become line breaks; at most one blank line survives in a
    row; ``<script>``/``<style>`` are dropped; ``<pre>`` keeps its line breaks. With ``newlines=True`` the
    newline characters inside text are line breaks too (status-API bodies are plain text with newlines,
    sometimes with a little HTML); without it they are whitespace, as in HTML. ``bullets=True`` starts list
    items with "- ". ``links=True`` follows a link whose text does not show its address (not a mention,
    hashtag or the URL itself, shortened or not) with the address in parentheses.

    Markup made only of plain tags (what status pages and feeds send) is tokenised by ``_feed_simple``;
    anything else goes through ``html.parser``. Both drive the same ``_TextCollector``, and the result is
    the same either way (``tests/test_html_text_fast.py`` checks it).
    """
    return _html_to_text(markup, newlines, bullets, links, fast=True)


def _html_to_text(markup: str, newlines: bool, bullets: bool, links: bool, *, fast: bool) -> str:
    """``html_to_text``; ``fast=False`` is the plain way, always through ``html.parser`` and the general line
    assembly (the reference the fast path is tested against)."""
    if not markup:
        return ""
    try:
        collector: _TextCollector = _TextCollector(newlines=newlines, bullets=bullets, links=links)
        if not (fast and _feed_simple(collector, markup)):
            # (a fresh collector: _feed_simple may have fed part of the markup before it gave up)
            parser = _ParsingCollector(newlines=newlines, bullets=bullets, links=links)
            parser.feed(markup)
            parser.close()
            collector = parser
        text = "".join(collector.parts)
    except Exception:  # noqa: BLE001 - malformed markup: fall back to a crude strip
        text = html.unescape(re.sub(r"<[^>]+>", " ", markup))
        text = text.replace("\n", _BREAK) if newlines else text
    if fast and _BREAK not in text:  # one line (most titles, many bodies): what the loop below would give
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.split(_BREAK)]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def message_text(markup: str) -> str:
    """A status message (plain text, or HTML) as plain text: its own newlines kept, list items as "- ", link
    addresses shown; ``html_to_text`` with ``newlines``, ``bullets`` and ``links``."""
    return html_to_text(markup, newlines=True, bullets=True, links=True)


def clean_lines(text: str) -> str:
    """Normalise whitespace: CRLF → LF, NBSP → space, runs of spaces collapsed, at most one blank line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    return "\n".join(out).strip()


def normalise_space(text: str) -> str:
    """Text with every run of whitespace (line breaks included) as one space; for comparing statements."""
    return " ".join(text.split())
