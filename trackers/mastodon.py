"""Mastodon tracker: an account's public statuses over the REST API (no auth), HTML content as plain text.

``handle = "user@instance.social"``: ``GET /api/v1/accounts/lookup?acct=user`` once (the id lives in the
cursor), then ``GET /api/v1/accounts/:id/statuses?since_id=…&limit=40&exclude_reblogs=true`` per poll
(``exclude_replies=true`` too unless ``keep_replies = true``: Mastodon then drops only replies to *other*
accounts, so self-threads stay). More than 40 new statuses are paged with ``max_id``. The thread key of a
self-thread is the id of the status it started from, kept in a bounded map in the cursor.
First poll, by ``backfill``: ``"open"`` one page, ``"none"`` one page read only to learn ``since_id`` (no
posts returned), an interval pages back that far, ``"all"`` up to ``max_pages`` pages (default 10).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from config import SourceConfig, parse_interval
from posts import Post
from trackers import PollResult, Tracker, TrackerError
from trackers.html_text import html_to_text
from trackers.http import fetch_json, using_client
from trackers.textutil import ENTRY_ERRORS, SkipEntry, post_time, skip_entry

PAGE_SIZE = 40  # Mastodon's maximum for account statuses
DEFAULT_MAX_PAGES = 10
KEEP_ROOTS = 500


def content_text(content: str) -> str:
    """Plain text of a status's HTML ``content``: <p> → blank line, <br> → newline, list items as "- ", and a
    link's address after its text unless the text shows it (a mention, a hashtag, a URL split into visible and
    invisible spans)."""
    return html_to_text(content, bullets=True, links=True)


def _id_key(status_id: str) -> tuple[int, str]:
    """Order Mastodon ids (numeric strings of growing length) without assuming they fit anything."""
    return (len(status_id), status_id)


class MastodonTracker(Tracker):
    """Public statuses of one Mastodon account, ``handle = "user@instance.social"``."""

    kind = "mastodon"

    def __init__(self, source: SourceConfig, *, http: Any = None) -> None:
        super().__init__(source, http=http)
        user, _, instance = source.handle.lstrip("@").partition("@")
        self.user = user
        self.instance = instance
        self.base = (source.api_base or (f"https://{instance}" if instance else "")).rstrip("/")

    def poll(self, cursor: dict[str, Any]) -> PollResult:
        if not self.user or not self.base:
            raise TrackerError(f"Mastodon handle must look like user@instance.social, got {self.source.handle!r}")
        with using_client(self.http) as client:
            return self._poll(client, dict(cursor))

    def _account_id(self, client: Any, cursor: dict[str, Any]) -> str:
        if cursor.get("account") == self.source.handle.lower() and cursor.get("account_id"):
            return str(cursor["account_id"])
        url = f"{self.base}/api/v1/accounts/lookup"
        try:
            account = fetch_json(client, url, params={"acct": self.user}, api="Mastodon")
        except TrackerError as err:
            if str(err).startswith("HTTP 404"):
                raise TrackerError(f"Mastodon has no account @{self.source.handle} ({err})") from None
            raise
        if not isinstance(account, dict) or not account.get("id"):
            raise TrackerError(f"Mastodon answered {url} without an account id")
        cursor.clear()  # a different account: nothing of the old cursor applies
        cursor.update(account=self.source.handle.lower(), account_id=str(account["id"]))
        return str(account["id"])

    def _poll(self, client: Any, cursor: dict[str, Any]) -> PollResult:
        account_id = self._account_id(client, cursor)
        since_id = str(cursor.get("since_id") or "")
        first = not since_id and not cursor.get("started")
        backfill = self.source.backfill
        keep_replies = bool(self.source.option("keep_replies", False))
        cutoff: datetime | None = None
        max_pages = int(self.source.option("max_pages", DEFAULT_MAX_PAGES))
        if first and backfill in ("open", "none"):
            max_pages = 1
        elif first and backfill != "all":
            cutoff = datetime.now(UTC) - timedelta(seconds=parse_interval(backfill))

        url = f"{self.base}/api/v1/accounts/{account_id}/statuses"
        statuses: list[dict[str, Any]] = []
        notes: list[str] = []
        max_id = ""
        for _ in range(max_pages):
            params = {"limit": str(PAGE_SIZE), "exclude_reblogs": "true"}
            if not keep_replies:
                params["exclude_replies"] = "true"
            if since_id:
                params["since_id"] = since_id
            if max_id:
                params["max_id"] = max_id
            page = fetch_json(client, url, params=params, api="Mastodon")
            if not isinstance(page, list):
                raise TrackerError(f"Mastodon answered {url} without a list of statuses")
            page = [s for s in page if isinstance(s, dict) and s.get("id")]
            statuses.extend(page)
            if len(page) < PAGE_SIZE:
                break
            max_id = min((str(s["id"]) for s in page), key=_id_key)
            if cutoff and _created(page[-1]) < cutoff:
                break
        else:
            if since_id:
                notes.append(f"over {max_pages * PAGE_SIZE} new statuses of @{self.source.handle}; older ones skipped")

        roots: dict[str, str] = dict(cursor.get("roots") or {})
        posts: list[Post] = []
        newest = since_id
        for status in sorted(statuses, key=lambda s: _id_key(str(s["id"]))):
            status_id = str(status["id"])
            if not newest or _id_key(status_id) > _id_key(newest):
                newest = status_id
            if status.get("reblog") or str((status.get("account") or {}).get("id", account_id)) != account_id:
                continue
            parent = str(status.get("in_reply_to_id") or "")
            is_reply = bool(parent)
            is_self_reply = is_reply and str(status.get("in_reply_to_account_id") or "") == account_id
            root = roots.get(parent, parent) if is_reply else status_id
            roots[status_id] = root
            if cutoff and _created(status) < cutoff:
                continue
            if is_reply and not is_self_reply and not keep_replies:
                continue
            try:
                posts.append(self._post(status, root, is_reply, is_self_reply))
            except ENTRY_ERRORS as err:  # an impossible date, a broken status: this one only
                skip_entry(f"Mastodon @{self.source.handle}", status_id, err)

        keep = int(self.source.option("keep_roots", KEEP_ROOTS))
        newest_roots = sorted(roots, key=_id_key)[-keep:]
        cursor.update(started=True, roots={k: roots[k] for k in newest_roots})
        if newest:
            cursor["since_id"] = newest
        if first and backfill == "none":
            if posts:
                notes.append(f"backfill \"none\": {len(posts)} past status(es) of @{self.source.handle} not returned")
            posts = []
        return PollResult(posts, cursor, notes=notes)

    def _post(self, status: dict[str, Any], root: str, is_reply: bool, is_self_reply: bool) -> Post:
        text = content_text(str(status.get("content") or ""))
        warning = str(status.get("spoiler_text") or "").strip()
        if warning:
            text = f"{warning}\n\n{text}" if text else warning
        return Post(
            source_id=self.source.id,
            native_id=str(status["id"]),
            service=self.source.service,
            text=text,
            created_at=_created(status, strict=True),
            url=str(status.get("url") or status.get("uri") or ""),
            author=self.source.handle.lstrip("@"),
            language=str(status.get("language") or ""),
            thread_key=root,
            is_reply=is_reply,
            is_self_reply=is_self_reply,
        )


def _created(status: dict[str, Any], *, strict: bool = False) -> datetime:
    """The status's time; missing: now. Not a trusted date: now, or SkipEntry when ``strict`` (for the Post)."""
    value = status.get("created_at")
    if not value:
        return datetime.now(UTC)
    try:
        return post_time(str(value))
    except SkipEntry:
        if strict:
            raise
        return datetime.now(UTC)
