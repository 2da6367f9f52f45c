"""HTML → plain text for every tracker (status-page bodies, feed entries, Mastodon content), and the whitespace
normalisers that go with it. Pure and small: no I/O, standard library only.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK_TAGS = {
    "p", "div", "ul", "ol", "table", "tr", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "section", "article", "header", "footer", "dl", "dt", "dd", "figure",
}
_SKIP_TAGS = {"script", "style", "template", "head", "title"}
_BREAK = "\x00"  # marks a line break in the collected text until lines are assembled


class _TextCollector(HTMLParser):
    def __init__(self, *, newlines: bool, bullets: bool, links: bool) -> None:
        super().__init__(convert_charrefs=True)
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


def _needs_href(label: str, href: str) -> bool:
    """True when the link text does not already show where it goes (so the plain text should say)."""
    if not label or label.startswith(("@", "#")):
        return False
    bare = re.sub(r"^https?://", "", href).rstrip("/")
    shown = re.sub(r"^https?://", "", label).rstrip("/").rstrip("…").rstrip(".")
    return not (shown and bare.startswith(shown))


def html_to_text(markup: str, *, newlines: bool = False, bullets: bool = False, links: bool = False) -> str:
    """Plain text of an HTML fragment: tags stripped, entities unescaped, whitespace collapsed within lines.

    ``<br>``, ``<p>``, ``<li>`` and other blocks become line breaks; at most one blank line survives in a
    row; ``<script>``/``<style>`` are dropped; ``<pre>`` keeps its line breaks. With ``newlines=True`` the
    newline characters inside text are line breaks too (status-API bodies are plain text with newlines,
    sometimes with a little HTML); without it they are whitespace, as in HTML. ``bullets=True`` starts list
    items with "- ". ``links=True`` follows a link whose text does not show its address (not a mention,
    hashtag or the URL itself, shortened or not) with the address in parentheses.
    """
    if not markup:
        return ""
    collector = _TextCollector(newlines=newlines, bullets=bullets, links=links)
    try:
        collector.feed(markup)
        collector.close()
        text = "".join(collector.parts)
    except Exception:  # noqa: BLE001 - malformed markup: fall back to a crude strip
        text = html.unescape(re.sub(r"<[^>]+>", " ", markup))
        text = text.replace("\n", _BREAK) if newlines else text
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
