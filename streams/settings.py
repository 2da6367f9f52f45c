"""The push-ingestion configuration keys, read and bounded in one place (``config.py`` calls ``check``).

``[bot]``: ``listen = "HOST:PORT"`` (the webhook receiver inside ``bot.py run``), ``jetstream`` (the Jetstream
``/subscribe`` URL), ``stream_backstop`` (how often a streamed source is still polled while its stream is live,
30 s … 1 day, default 10 min), ``stream_silence`` (no byte — event, heartbeat, pong — for this long and a stream
counts as down, 1 s … 10 min, default 45 s: three of Mastodon's 15 s heartbeats).

``[[source]]``: ``stream = true`` (kinds bluesky and mastodon); Mastodon also ``token_env`` (the variable holding
the streaming account's access token, required), ``stream_api`` (that account's server, default the watched
account's) and ``stream_list`` (a list id: the ``list`` stream instead of ``user``). Statuspage:
``webhook_secret_env`` (the variable holding the secret of ``/hooks/<id>/<secret>``) and ``page_id`` (optional:
the page's id, checked against every payload).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from config import BotConfig, SourceConfig

DEFAULT_JETSTREAM = "wss://jetstream2.us-east.bsky.network/subscribe"
DEFAULT_BACKSTOP = 600.0
DEFAULT_SILENCE = 45.0
BACKSTOP_RANGE = (30.0, 86400.0)
SILENCE_RANGE = (1.0, 600.0)
STREAM_KINDS = ("bluesky", "mastodon")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class ListenError(Exception):
    """The webhook receiver cannot listen where it was told (port taken, no such address): one line."""


def listen_address(value: Any) -> tuple[str, int]:
    """``"HOST:PORT"`` → (host, port); ValueError with a one-line reason otherwise."""
    text = str(value).strip()
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"listen must look like \"127.0.0.1:8080\" (HOST:PORT, port 0 … 65535), got {text[:60]!r}")
    return host, int(port)


def wants_stream(source: SourceConfig) -> bool:
    return source.kind in STREAM_KINDS and source.option("stream") is True


def wants_webhook(source: SourceConfig) -> bool:
    return source.kind == "statuspage" and bool(source.option("webhook_secret_env"))


def _seconds(bot: BotConfig, key: str, default: float) -> float:
    value = bot.options.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default


def backstop(bot: BotConfig) -> float:
    return _seconds(bot, "stream_backstop", DEFAULT_BACKSTOP)


def silence(bot: BotConfig) -> float:
    return _seconds(bot, "stream_silence", DEFAULT_SILENCE)


def jetstream_url(bot: BotConfig) -> str:
    return str(bot.options.get("jetstream") or DEFAULT_JETSTREAM)


def check(bot_options: dict[str, Any], sources: tuple[SourceConfig, ...], where: str) -> dict[str, Any]:
    """Validate the push keys; returns the [bot] options with intervals as seconds. Raises ValueError naming the
    entry (config.py turns it into a ConfigError)."""
    from config import parse_interval

    options = dict(bot_options)
    if "listen" in options:
        try:
            listen_address(options["listen"])
        except ValueError as err:
            raise ValueError(f"{where}: [bot]: {err}") from None
    if "jetstream" in options and not re.match(r"^wss?://[^\s/]+", str(options["jetstream"])):
        raise ValueError(f"{where}: [bot]: jetstream must be a ws:// or wss:// URL, got {str(options['jetstream'])[:60]!r}")
    for key, (least, most) in (("stream_backstop", BACKSTOP_RANGE), ("stream_silence", SILENCE_RANGE)):
        if key in options:
            try:
                seconds = parse_interval(str(options[key])) if isinstance(options[key], str) else float(options[key])
            except (TypeError, ValueError):
                seconds = float("nan")
            if not least <= seconds <= most:
                raise ValueError(f"{where}: [bot]: {key} must be from {least:g} s to {most:g} s, got {options[key]!r}")
            options[key] = seconds
    for source in sources:
        at = f"{where}: [[source]] id={source.id!r}"
        stream = source.option("stream")
        if stream is not None and not isinstance(stream, bool):
            raise ValueError(f"{at}: stream must be true or false, got {stream!r}")
        if stream and source.kind not in STREAM_KINDS:
            raise ValueError(f"{at}: stream = true works for kinds {', '.join(STREAM_KINDS)}, not {source.kind!r}")
        if stream and source.kind == "mastodon" and not ENV_NAME.match(str(source.option("token_env") or "")):
            raise ValueError(f"{at}: a Mastodon stream needs token_env, the variable holding its access token")
        api = source.option("stream_api")
        if api is not None and not re.match(r"^https?://[^\s/]+", str(api)):
            raise ValueError(f"{at}: stream_api must be an http(s) URL, got {str(api)[:60]!r}")
        listed = source.option("stream_list")
        if listed is not None and not re.match(r"^[A-Za-z0-9]{1,40}$", str(listed)):
            raise ValueError(f"{at}: stream_list must be a list id, got {str(listed)[:60]!r}")
        secret_env = source.option("webhook_secret_env")
        if secret_env is not None:
            if source.kind != "statuspage":
                raise ValueError(f"{at}: webhook_secret_env works for kind statuspage only")
            if not ENV_NAME.match(str(secret_env)):
                raise ValueError(f"{at}: webhook_secret_env must name an environment variable, got {str(secret_env)[:60]!r}")
        page_id = source.option("page_id")
        if page_id is not None and not PAGE_ID.match(str(page_id)):
            raise ValueError(f"{at}: page_id must be a Statuspage page id (letters and digits), got {str(page_id)[:60]!r}")
    return options
