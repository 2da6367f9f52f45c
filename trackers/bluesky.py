"""Bluesky tracker: an account's posts from the public ``app.bsky.feed.getAuthorFeed`` (no auth, free).

The feed has no ``since``: it is read newest first, page by page, until a post URI seen on an earlier poll
(the newest ``keep_seen`` URIs, default 200, live in the cursor). Reposts (items with a ``reason``) and
posts by other authors are skipped; replies to other accounts are dropped unless ``keep_replies = true``.
First poll, by ``backfill``: ``"open"`` one page (``page_size``, default 30), ``"none"`` one page read only
to remember what was seen (no posts returned), an interval pages back that far, ``"all"`` up to
``max_pages`` pages (default 10). Later polls page at most ``max_pages`` (default 5) times.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from config import SourceConfig, parse_interval
from posts import Post
from trackers import PollResult, Tracker, TrackerError
from trackers.http import fetch_json, using_client
from trackers.textutil import ENTRY_ERRORS, SkipEntry, post_time, skip_entry

DEFAULT_API = "https://public.api.bsky.app"
FEED_METHOD = "/xrpc/app.bsky.feed.getAuthorFeed"
LINK_FACET = "app.bsky.richtext.facet#link"
DEFAULT_PAGE_SIZE = 30
DEFAULT_KEEP_SEEN = 200


class BlueskyTracker(Tracker):
    """Posts (and self-threads) by one Bluesky account, ``handle = "bsky.app"`` or a DID."""

    kind = "bluesky"

    def __init__(self, source: SourceConfig, *, http: Any = None) -> None:
        super().__init__(source, http=http)
        self.url = (source.api_base or DEFAULT_API).rstrip("/") + FEED_METHOD

    def poll(self, cursor: dict[str, Any]) -> PollResult:
        with using_client(self.http) as client:
            return self._poll(client, dict(cursor))

    def _poll(self, client: Any, cursor: dict[str, Any]) -> PollResult:
        handle = self.source.handle
        seen: list[str] = [str(u) for u in cursor.get("seen", [])]
        seen_set = set(seen)
        first = not seen and not cursor.get("started")
        backfill = self.source.backfill
        page_size = max(1, min(100, int(self.source.option("page_size", DEFAULT_PAGE_SIZE))))
        cutoff: datetime | None = None
        if first and backfill in ("open", "none"):
            max_pages = 1
        elif first and backfill != "all":
            cutoff = datetime.now(UTC) - timedelta(seconds=parse_interval(backfill))
            max_pages = int(self.source.option("max_pages", 20))
        else:
            max_pages = int(self.source.option("max_pages", 10 if first else 5))
        keep_replies = bool(self.source.option("keep_replies", False))
        did = str(cursor.get("did") or (handle if handle.startswith("did:") else ""))

        posts: list[Post] = []
        new_uris: list[str] = []
        notes: list[str] = []
        page_cursor = ""
        for _ in range(max_pages):
            params = {"actor": handle, "limit": str(page_size), "filter": "posts_and_author_threads"}
            if page_cursor:
                params["cursor"] = page_cursor
            body = fetch_json(client, self.url, params=params, api="Bluesky")
            feed = body.get("feed") if isinstance(body, dict) else None
            if not isinstance(feed, list):
                raise TrackerError(f"Bluesky answered {self.url} without a feed list")
            stop = False
            for item in feed:
                view = item.get("post") or {}
                uri = str(view.get("uri") or "")
                if not uri or item.get("reason"):
                    continue  # a repost (or a pin): not a statement made now
                author = view.get("author") or {}
                if did:
                    if author.get("did") != did:
                        continue
                elif str(author.get("handle", "")).lower() == handle.lower():
                    did = str(author.get("did") or "")
                else:
                    continue
                if uri in seen_set:
                    stop = True
                    break
                try:
                    post = self._post(view)
                except ENTRY_ERRORS as err:  # an impossible date, a broken record: this post only
                    skip_entry(f"Bluesky @{handle}", uri, err)
                    new_uris.append(uri)
                    seen_set.add(uri)
                    continue
                if cutoff and post.created_at < cutoff:
                    stop = True
                    break
                new_uris.append(uri)
                seen_set.add(uri)
                if post.is_reply and not post.is_self_reply and not keep_replies:
                    continue
                posts.append(post)
            page_cursor = str(body.get("cursor") or "")
            if stop or not page_cursor or not feed:
                break
        else:
            if not first and page_cursor:
                notes.append(f"no post seen before within {max_pages} pages of @{handle}; older posts skipped")

        keep = int(self.source.option("keep_seen", DEFAULT_KEEP_SEEN))
        new_cursor: dict[str, Any] = {"started": True, "seen": (new_uris + seen)[:keep]}
        if did:
            new_cursor["did"] = did
        if first and backfill == "none":
            if posts:
                notes.append(f"backfill \"none\": {len(posts)} past post(s) of @{handle} remembered, not returned")
            posts = []
        posts.sort(key=lambda p: p.created_at)
        return PollResult(posts, new_cursor, notes=notes)

    def _post(self, view: dict[str, Any]) -> Post:
        uri = str(view["uri"])
        author = view.get("author") or {}
        record = view.get("record") or {}
        author_did = str(author.get("did") or _did_of(uri))
        handle = str(author.get("handle") or "")
        if not handle or handle == "handle.invalid":
            handle = author_did
        reply = record.get("reply") or {}
        root = str((reply.get("root") or {}).get("uri") or "")
        parent = str((reply.get("parent") or {}).get("uri") or "")
        is_reply = bool(reply)
        langs = record.get("langs") or []
        language = str(langs[0]).split("-")[0].lower() if langs else ""
        return Post(
            source_id=self.source.id,
            native_id=uri,
            service=self.source.service,
            text=_expand_links(str(record.get("text") or ""), record.get("facets") or []),
            created_at=_time(record.get("createdAt"), view.get("indexedAt")),
            url=f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}",
            author=handle,
            language=language,
            thread_key=root or uri,
            is_reply=is_reply,
            is_self_reply=is_reply and bool(parent) and _did_of(parent) == author_did,
        )


def _did_of(at_uri: str) -> str:
    """The repository (account) of an at:// URI: at://did:plc:abc/app.bsky.feed.post/xyz → did:plc:abc."""
    return at_uri.removeprefix("at://").split("/", 1)[0]


def _time(*values: Any) -> datetime:
    """The first of the values that is a trusted time (createdAt is set by the client: anything can be in it;
    indexedAt by the server); none given: now; given but none trusted: SkipEntry."""
    reason = ""
    for value in values:
        if value:
            try:
                return post_time(str(value))
            except SkipEntry as err:
                reason = reason or str(err)
    if reason:
        raise SkipEntry(reason)
    return datetime.now(UTC)


def _expand_links(text: str, facets: list[Any]) -> str:
    """Replace link text that Bluesky apps shorten ("example.com/inci...") with the link's full URI."""
    data = text.encode("utf-8")
    spans = []
    for facet in facets:
        if not isinstance(facet, dict):
            continue
        index = facet.get("index") or {}
        start, end = index.get("byteStart"), index.get("byteEnd")
        uri = next((f.get("uri") for f in facet.get("features") or [] if f.get("$type") == LINK_FACET), None)
        if isinstance(start, int) and isinstance(end, int) and uri and 0 <= start < end <= len(data):
            spans.append((start, end, str(uri)))
    for start, end, uri in sorted(spans, reverse=True):
        shown = data[start:end].decode("utf-8", errors="replace")
        stem = shown.rstrip("…").rstrip(".").removeprefix("https://").removeprefix("http://")
        bare = uri.removeprefix("https://").removeprefix("http://")
        if shown != uri and stem and bare.startswith(stem):
            data = data[:start] + uri.encode("utf-8") + data[end:]
    return data.decode("utf-8", errors="replace")
