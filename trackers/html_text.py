"""HTML → plain text for post bodies (Mastodon ``content``): paragraphs, line breaks, links, entities.

Pure and small: no I/O, standard library only.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = {"p", "div", "blockquote", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table"}
_SKIP = {"script", "style", "template"}


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str, int]] = []  # (href, index into parts where the link text starts)
        self.skip_depth = 0
        self.pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip_depth += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
            if tag == "pre":
                self.pre_depth += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
            if tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.parts[start:]).strip()
            if href and _needs_href(label, href):
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.pre_depth:
            self.parts.append(data.replace("\n", "\x00"))  # keep pre-formatted line breaks
        else:
            self.parts.append(re.sub(r"\s+", " ", data))


def _needs_href(label: str, href: str) -> bool:
    """True when the link text does not already show where it goes (so the plain text should say)."""
    if not label or label.startswith(("@", "#")):
        return False
    bare = re.sub(r"^https?://", "", href).rstrip("/")
    shown = re.sub(r"^https?://", "", label).rstrip("/").rstrip("…").rstrip(".")
    return not (shown and bare.startswith(shown))


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: <p> → blank line, <br> → newline, entities decoded, links kept.

    A link whose text is its address (Mastodon splits long URLs into visible and invisible spans; both are
    kept, so the full URL comes out), a mention or a hashtag stays as written; any other link text is
    followed by its address in parentheses.
    """
    if not html:
        return ""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [line.strip(" \t") for line in text.split("\n")]
    text = "\n".join(lines).replace("\x00", "\n")
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()
