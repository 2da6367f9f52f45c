"""Helpers for the push-ingestion tests: the daemon in a thread (stopped like SIGTERM stops it), waiting on a
condition with a deadline, a fake Bluesky REST API that serves what a fake Jetstream logged, and the texts of the
Telegram messages that carry a marker."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from config import load_config

TG_TOKEN = "123456:STREAMS-telegram-token"  # the fake Telegram's token (tests name it TG_TOKEN)


def wait_for(condition: Callable[[], Any], deadline: float = 20.0, what: str = "condition") -> Any:
    """The condition's first truthy value, checked every 20 ms; AssertionError after ``deadline`` seconds."""
    ends = time.monotonic() + deadline
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > ends:
            raise AssertionError(f"timed out after {deadline:g} s waiting for {what}")
        time.sleep(0.02)


@contextmanager
def running_daemon(config: Path, channels: dict[str, Any] | None = None, listen: str | None = None) -> Iterator[Any]:
    """``bot.py run``'s daemon in a thread; on exit it is stopped the way SIGTERM stops it, within a deadline."""
    from daemon import Daemon

    bot = load_config(config)
    if channels is None:
        from channels import channel_for

        channels = {c.id: channel_for(c, bot) for c in bot.channels}
    daemon = Daemon(bot, channels, listen=listen)
    thread = threading.Thread(target=daemon.run, kwargs={"install_signals": False}, daemon=True)
    thread.start()
    try:
        yield daemon
    finally:
        daemon.stop.set()
        thread.join(15)
        assert not thread.is_alive(), "the daemon did not stop within 15 s"


def tg_channel(tg: Any, chat: str = "42", **extra: Any) -> dict[str, Any]:
    return {"id": "desk", "kind": "telegram", "chat": chat, "api_base": tg.url, "min_interval": 0.02,
            "per_minute": 0, "languages": ["en"], **extra}


def first_sends(tg: Any, marker: str) -> list[Any]:
    """Messages (not edits) whose text carries ``marker``."""
    return [m for m in tg.sent() if marker in m.text]


def feed_item(event: dict[str, Any], handle: str) -> dict[str, Any]:
    """The getAuthorFeed item of a Jetstream create event, as the Bluesky AppView shows that post."""
    commit = event["commit"]
    uri = f"at://{event['did']}/{commit['collection']}/{commit['rkey']}"
    indexed = datetime.fromtimestamp(event["time_us"] / 1e6, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {"post": {"uri": uri, "cid": commit.get("cid", ""), "author": {"did": event["did"], "handle": handle},
                     "record": commit["record"], "indexedAt": indexed}}


def serve_bluesky(server: Any, jetstream: Any, did: str, handle: str, *, old: list[dict[str, Any]] | None = None,
                  hidden: set[str] | None = None) -> None:
    """getProfile and getAuthorFeed on ``server``: the feed is every create event the fake Jetstream logged for
    ``did`` (newest first), after ``old`` items, except the record keys in ``hidden`` (not indexed yet)."""

    def feed(_request: Any) -> tuple[int, dict[str, str], bytes]:
        with jetstream.lock:
            items = [feed_item(e, handle) for e in jetstream.events
                     if e["did"] == did and e["commit"]["operation"] == "create"
                     and e["commit"]["rkey"] not in (hidden or set())]
        items = list(reversed((old or []) + items))
        return 200, {"Content-Type": "application/json"}, json.dumps({"feed": items}).encode()

    server.route("/xrpc/app.bsky.actor.getProfile", body=json.dumps({"did": did, "handle": handle}).encode(),
                 headers={"Content-Type": "application/json"})
    server.route("/xrpc/app.bsky.feed.getAuthorFeed", handler=feed)
