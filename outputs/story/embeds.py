"""How a quoted statement is attributed and embedded: the line under the quote in text and Markdown ("— Facebook
(@facebook) July 3, 2019", as the seed story prints a tweet), and in HTML the platform's own embed markup — X's
``blockquote.twitter-tweet``, Bluesky's ``blockquote.bluesky-embed`` with ``data-bluesky-uri``, Mastodon's
``blockquote.mastodon-embed`` with ``data-embed-url`` — or a plain blockquote with a link for a status page. The
statement's words are always inside the blockquote, escaped, so the page reads the same without the scripts."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from babel.dates import format_datetime

from outputs.story.model import Quote
from timefmt import local

SCRIPTS = {
    "x": '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>',
    "bluesky": '<script async src="https://embed.bsky.app/static/embed.js" charset="utf-8"></script>',
}
_STATUS_URL = re.compile(r"^https://(?:www\.)?(?:twitter|x)\.com/[^/]+/status/\d+")


def date_line(quote: Quote) -> str:
    """The post's date as the platforms print it under an embed: "July 3, 2019" (UTC)."""
    return format_datetime(local(quote.created_at, "UTC"), "MMMM d, y", locale="en")


def who(quote: Quote) -> str:
    """"Facebook (@facebook)" for an account, "GitHub status page" for a page or feed."""
    if quote.handle:
        return f"{quote.name} (@{quote.handle})"
    return f"{quote.name} status page"


def attribution(quote: Quote) -> str:
    """The line under a quote in text: "— Facebook (@facebook) July 3, 2019"."""
    return f"— {who(quote)}{'' if quote.handle else ','} {date_line(quote)}"


def md_attribution(quote: Quote) -> str:
    """The line under a quote in Markdown: "— Facebook (@facebook) [July 3, 2019](https://x.com/…)", the date linking
    to the post; without a link, the text line."""
    url = post_url(quote)
    if not url:
        return attribution(quote)
    return f"— {who(quote)} [{date_line(quote)}](<{url}>)" if re.search(r"[\s()<>]", url) else \
        f"— {who(quote)} [{date_line(quote)}]({url})"


def post_url(quote: Quote) -> str:
    """The link to the post itself where the stored data allows it: an X post's status URL from its id, else the
    stored URL."""
    if quote.source_kind == "x" and not _STATUS_URL.match(quote.url) and quote.handle and quote.native_id.isdigit():
        return f"https://x.com/{quote.handle}/status/{quote.native_id}"
    return quote.url


def web_url(url: str) -> str:
    """The link only when it is an http(s) address (never ``javascript:`` or ``data:``), else ""."""
    parts = urlsplit(url or "")
    return url if parts.scheme in ("http", "https") and parts.netloc else ""


def embed_kind(quote: Quote) -> str:
    """x | bluesky | mastodon | page (the markup used in HTML)."""
    if quote.source_kind == "bluesky" and quote.native_id.startswith("at://"):
        return "bluesky"
    if quote.source_kind in ("x", "mastodon"):
        return quote.source_kind
    return "page"


def mastodon_origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""
