"""Pushed events → the ``Post`` objects the trackers build for the same statements: same native ids (Bluesky post
URI, Mastodon status id, Statuspage update id), same thread keys, same reply rules — so a statement seen by a
stream and by the backstop poll is stored once (``pipeline.apply_result`` skips native ids already stored).

Each builder reuses its tracker's own code (``BlueskyTracker._post``, ``MastodonTracker._post``,
``parse_statuspage_document``); nothing here reads a network.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from config import SourceConfig
from posts import Post, iso_utc
from store import load_cursor, row, source_state
from trackers.bluesky import BlueskyTracker
from trackers.mastodon import MastodonTracker
from trackers.statuspage import parse_statuspage_document

POST_COLLECTION = "app.bsky.feed.post"
MAX_TIME_US = 2**53  # Jetstream's time_us is microseconds since 1970; anything past this is not one


def time_us(value: Any) -> int | None:
    """A Jetstream cursor (whole microseconds since 1970, bounded), else None."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < MAX_TIME_US:
        return None
    return value


def bluesky_post(source: SourceConfig, event: dict[str, Any], handle: str) -> Post | None:
    """The Post of a Jetstream ``create`` / ``update`` commit of an ``app.bsky.feed.post`` record, as
    ``trackers/bluesky.py`` builds it from the author feed; None for a reply to someone else (dropped unless
    ``keep_replies``, as the tracker does). Raises ValueError (SkipEntry) for a record it cannot read."""
    did = str(event["did"])
    commit = event["commit"]
    record = commit["record"]
    if not isinstance(record, dict):
        raise ValueError("a commit without a record")
    uri = f"at://{did}/{POST_COLLECTION}/{commit['rkey']}"
    when = time_us(event.get("time_us"))
    view = {
        "uri": uri,
        "cid": commit.get("cid"),
        "author": {"did": did, "handle": handle},
        "record": record,
        "indexedAt": iso_utc(datetime.fromtimestamp(when / 1e6, UTC)) if when else None,
    }
    post = BlueskyTracker(source)._post(view)
    if post.is_reply and not post.is_self_reply and not source.option("keep_replies", False):
        return None
    return post


SQL_THREAD_OF = "select thread_key from posts where source_id = ? and native_id = ?"


def mastodon_post(db: sqlite_utils.Database, source: SourceConfig, status: dict[str, Any]) -> Post | None:
    """The Post of a streamed status of the watched account (its id is the watched server's own: the stream runs on
    that server), as ``trackers/mastodon.py`` builds it: a self-reply joins the thread of the status it answers
    (the stored parent's thread key, else the poll's map of roots, else the parent), a reply to someone else is
    dropped unless ``keep_replies``; a boost is not a statement."""
    if status.get("reblog"):
        return None
    status_id = str(status["id"])
    account_id = str((status.get("account") or {}).get("id") or "")
    parent = str(status.get("in_reply_to_id") or "")
    is_reply = bool(parent)
    is_self_reply = is_reply and str(status.get("in_reply_to_account_id") or "") == account_id
    if is_reply and not is_self_reply and not source.option("keep_replies", False):
        return None
    root = status_id
    if is_reply:
        stored = row(db, SQL_THREAD_OF, (source.id, parent))
        roots = load_cursor(source_state(db, source.id)).get("roots") or {}
        root = (stored or {}).get("thread_key") or str(roots.get(parent) or parent)
    return MastodonTracker(source)._post(status, root, is_reply, is_self_reply)


def statuspage_posts(source: SourceConfig, payload: dict[str, Any]) -> list[Post]:
    """The Posts of a Statuspage webhook's ``incident`` (every update it lists; the ones already stored are skipped
    by the store), as ``trackers/statuspage.py`` builds them from ``incidents.json``. The webhook's ``page`` has
    no name: the source's service name stands in as the author."""
    page = dict(payload.get("page") or {})
    page.setdefault("name", source.service)
    document = {"page": page, "incident": payload["incident"]}
    return parse_statuspage_document(document, source, where=f"webhook of \"{source.id}\"")
