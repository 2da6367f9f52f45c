"""Which streams a configuration asks for, built on a hub for the daemon: one Jetstream connection for every
Bluesky source with ``stream = true``, one Mastodon stream per (server, token variable, list), the webhook
receiver when ``[bot] listen`` (or ``bot.py serve --listen``) is set. Nothing configured: no hub at all."""

from __future__ import annotations

import logging
from typing import Any

import sqlite_utils

from config import BotConfig, SourceConfig
from pipeline import source_states
from store import load_cursor
from streams import settings
from streams.hub import StreamHub, StreamState

log = logging.getLogger("pushti.streams")


def build_hub(bot: BotConfig, db: sqlite_utils.Database, http: Any = None, *, listen: str | None = None) -> StreamHub | None:
    """The hub with its streams (not started yet), or None when the configuration streams nothing."""
    streamed = [s for s in bot.sources if settings.wants_stream(s)]
    listen = listen or (str(bot.options["listen"]) if bot.options.get("listen") else None)
    hooked = [s for s in bot.sources if settings.wants_webhook(s)]
    if not streamed and not listen:
        if hooked:
            log.warning("webhook sources (%s) are configured but nothing listens: set [bot] listen or use "
                        "bot.py serve --listen HOST:PORT", ", ".join(s.id for s in hooked))
        return None
    hub = StreamHub(bot, db, http)
    silence = settings.silence(bot)
    bluesky = [s for s in streamed if s.kind == "bluesky"]
    if bluesky:
        from streams.jetstream import JetstreamStream

        url = settings.jetstream_url(bot)
        states = source_states(db, [s.id for s in bluesky])
        dids = {s.id: str(load_cursor(states.get(s.id)).get("did")) for s in bluesky
                if load_cursor(states.get(s.id)).get("did")}
        state = hub.register(StreamState("jetstream", "jetstream", url, tuple(s.id for s in bluesky), silence))
        hub.add_worker(JetstreamStream(hub, state, url, bluesky, dids))
    groups: dict[tuple[str, str, str], list[SourceConfig]] = {}
    from streams.mastodon_sse import MastodonStream, stream_base

    for source in (s for s in streamed if s.kind == "mastodon"):
        key = (stream_base(source), str(source.option("token_env")), str(source.option("stream_list") or ""))
        groups.setdefault(key, []).append(source)
    for index, ((base, token_env, list_id), members) in enumerate(sorted(groups.items())):
        stream_id = "mastodon" if len(groups) == 1 else f"mastodon-{index + 1}"
        state = hub.register(StreamState(stream_id, "mastodon", f"{base} ({'list ' + list_id if list_id else 'user'})",
                                         tuple(s.id for s in members), silence))
        hub.add_worker(MastodonStream(hub, state, base, token_env, list_id, members))
    if listen:
        from streams.webhooks import STREAM_ID, WebhookServer

        host, port = settings.listen_address(listen)
        state = hub.register(StreamState(STREAM_ID, "webhooks", f"{host}:{port}", tuple(s.id for s in hooked),
                                         silence, covers=False))
        try:
            server = WebhookServer(hub, state, host, port, hooked)
        except OSError as err:
            raise settings.ListenError(f"cannot listen on {host}:{port} for webhooks: {err.strerror or err}") from None
        state.detail = "http://{}:{}/hooks/".format(*server.address)
        hub.add_worker(server)
        if not hooked:
            log.warning("webhooks: listening, but no source has webhook_secret_env: every request will be refused")
    return hub
