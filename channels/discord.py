"""The Discord channel: a channel webhook (no bot, no token beyond the webhook's URL). Each message is one embed
coloured by its status (🔴 red … ✅ green), posted with ``?wait=true`` so Discord answers with the message; the
incident's root is edited with ``PATCH /webhooks/{id}/{token}/messages/{message_id}`` on resolution.

Where messages go:
- the webhook's channel (default): the root and its updates are separate messages; the root is edited;
- ``thread_id``: every message in that existing thread (``?thread_id=``), the root edited there;
- ``thread_name`` (a forum or media channel): each incident opens a new post named by the template
  (``{title}`` = the message's status line), its updates are replies in that post, its first message is edited.

A remote id is ``"<thread id>/<message id>"`` for a message in a thread, else the message id.

Nothing in a message pings: every payload carries ``allowed_mentions: {"parse": []}``, and the "discord" markup
escapes statement text (markup.py), so ``@everyone``, ``<@…>`` or a masked link in a statement stay text.

Rate limits are per webhook, whatever channel entry uses it: a 429's ``retry_after`` (JSON body, seconds as a
float), else ``Retry-After``, else ``X-RateLimit-Reset-After``, bounded by ``bounded_retry_after``; a successful
answer with ``X-RateLimit-Remaining: 0`` holds the next request until ``X-RateLimit-Reset-After`` (that wait is
raised as a ``ChannelError`` with ``retry_after`` before anything is sent, so the outbox pauses this channel only).
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

import markup as mk
from channels import Channel, ChannelError, bounded_retry_after
from logsetup import mask, register_secret
from render import RenderedMessage

DESCRIPTION_LIMIT = 4096  # one embed's description
EMBEDS_TOTAL_LIMIT = 6000  # every embed's text in one message together
THREAD_NAME_LIMIT = 100  # a forum post's name: 1 … 100 characters
DEFAULT_ENV = "DISCORD_WEBHOOK_URL"
MAX_HEADER_WAIT = 60.0  # X-RateLimit-Reset-After after the last request of a bucket: at most this (seconds)
WEBHOOK_URL = re.compile(
    r"^(https?)://([A-Za-z0-9.-]+(?::\d{1,5})?|\[[0-9A-Fa-f:]+\](?::\d{1,5})?)(/api(?:/v\d{1,2})?)?"
    r"/webhooks/(\d{1,20})/([A-Za-z0-9_.-]{1,200})/?$"
)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
GONE_WEBHOOK = {10015, 50027}  # unknown webhook, invalid webhook token
MISSING = {10003, 10008}  # unknown channel (a thread deleted), unknown message
ARCHIVED = {50083}  # the thread is archived (and locked)
FORUM = {220001, 220002, 220003, 220004}  # a forum channel needs thread_name or thread_id, …

_ready: dict[str, float] = {}  # webhook id → monotonic time before which it should not be called (X-RateLimit-*)
_ready_lock = threading.Lock()


def parse_webhook_url(url: str) -> tuple[str, str] | None:
    """(base URL ending in /webhooks/{id}/{token}, webhook id), or None when it is not a Discord webhook URL; plain
    http only to this machine (a token must never cross a network in clear)."""
    match = WEBHOOK_URL.match(url.strip())
    if not match:
        return None
    scheme, host, api, webhook_id, token = match.groups()
    if scheme == "http" and (urlsplit(f"http://{host}").hostname or "") not in LOOPBACK:
        return None
    return f"{scheme}://{host}{api or '/api'}/webhooks/{webhook_id}/{token}", webhook_id


def thread_title(text: str, template: str) -> str:
    """A forum post's name: ``template`` with ``{title}`` = the message's first line as plain text, whitespace
    collapsed, cut to 100 characters (never inside a grapheme cluster)."""
    first = mk.markdown_to_plain(text.strip().split("\n", 1)[0]) if text.strip() else ""
    name = " ".join(template.replace("{title}", " ".join(first.split())).split())
    if len(name) > THREAD_NAME_LIMIT:
        cut = THREAD_NAME_LIMIT - 1
        while cut > 0 and not mk.is_boundary(name, cut):
            cut -= 1
        name = name[:cut].rstrip() + "…"
    return name or "pushti"


def split_remote(remote_id: str) -> tuple[str | None, str]:
    """(thread id or None, message id) of a remote id."""
    thread, _, message = str(remote_id).rpartition("/")
    return (thread or None), message


class DiscordChannel(Channel):
    kind = "discord"
    markup = "discord"
    max_chars = DESCRIPTION_LIMIT
    can_thread = False  # True with thread_name (a forum post per incident)
    can_edit = True

    def __init__(self, config, bot, *, http: httpx.Client | None = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(config, bot)
        env_name = str(config.option("webhook_env") or DEFAULT_ENV)
        url = os.environ.get(env_name, "").strip()
        if not url:
            raise ChannelError(f"discord channel \"{config.id}\" needs {env_name} (the channel webhook's URL) in the "
                               "environment")
        register_secret(url)
        parsed = parse_webhook_url(url)
        if parsed is None:
            raise ChannelError(f"discord channel \"{config.id}\": {env_name} is not a Discord webhook URL "
                               "(https://discord.com/api/webhooks/<id>/<token>)", permanent=True)
        self.base, self.webhook_id = parsed
        self._secret = url
        register_secret(self.base)
        thread_id = config.option("thread_id")
        self.thread_id = str(thread_id).strip() if thread_id not in (None, "") else None
        template = config.option("thread_name")
        self.thread_name = str(template) if template else None
        if self.thread_name and not self.thread_id:
            self.can_thread = True  # one forum post per incident: updates are replies in it
        timeout = float(config.option("timeout", 15.0))
        self._http = http or httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)))

    # -- pacing -------------------------------------------------------------------------------------------------

    def min_interval(self) -> float:
        """About one message a second (``min_interval`` in the config overrides)."""
        return self.configured_interval(1.0)

    def rate_window(self) -> tuple[int, float] | None:
        """At most 30 messages a minute to one channel through webhooks (``per_minute`` overrides; 0: no window)."""
        return self.configured_window((30, 60.0))

    # -- messages -----------------------------------------------------------------------------------------------

    def _embed(self, text: str, mark: str = "") -> dict[str, Any]:
        if not text.strip():
            raise ChannelError("discord: message text is empty", permanent=True)
        length = mk.measure(text)
        if length > DESCRIPTION_LIMIT:
            raise ChannelError(f"discord: message is too long ({length} > {DESCRIPTION_LIMIT} characters)",
                               permanent=True)
        colour = mk.STATUS_COLOURS.get(mk.status_mark(text) or mark, mk.NEUTRAL_COLOUR)
        return {"description": text, "color": colour}

    def _payload(self, text: str, mark: str = "") -> dict[str, Any]:
        # allowed_mentions with an empty parse list: no @everyone, role or user mention in the text can ping
        return {"embeds": [self._embed(text, mark)], "allowed_mentions": {"parse": []}}

    def send(self, message: RenderedMessage, *, reply_to: str | None = None) -> str:
        """Post the message's first part; returns its remote id ("<thread>/<message>" in a thread)."""
        text = message.parts[0] if message.parts else ""
        payload = self._payload(text, str(message.extra.get("status_mark") or ""))
        params = {"wait": "true"}
        if reply_to:  # a reply in the incident's forum post (a post's id is its first message's id)
            in_post, root_id = split_remote(reply_to)
            thread: str | None = in_post or root_id
        else:
            thread = self.thread_id
        if thread:
            params["thread_id"] = thread
        elif self.thread_name:
            payload["thread_name"] = thread_title(text, self.thread_name)
        data = self._request("POST", self.base, params, payload, target=thread if reply_to else None)
        message_id = str(data.get("id") or "")
        if not message_id.isdigit():  # accepted, but no id to edit or reply to later: never sent twice for that
            return ""
        channel_id = str(data.get("channel_id") or thread or "")
        in_thread = bool(thread or self.thread_name)
        return f"{channel_id}/{message_id}" if in_thread and channel_id.isdigit() else message_id

    def edit(self, remote_id: str, message: RenderedMessage) -> None:
        """Replace the embed of an earlier message (the incident's root); the same text again is simply accepted."""
        text = message.card or (message.parts[0] if message.parts else "")
        thread, message_id = split_remote(remote_id)
        if not message_id.isdigit():
            raise ChannelError(f"discord: cannot edit message {message_id[:30]!r}", permanent=True, missing_target=True)
        params = {"thread_id": thread} if thread else {}
        self._request("PATCH", f"{self.base}/messages/{message_id}", params, self._payload(text), target=message_id)

    # -- HTTP ---------------------------------------------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        for secret in (self._secret, self.base):
            text = text.replace(secret, "<webhook>")
        return mask(text)

    def _request(self, method: str, url: str, params: dict[str, str], payload: dict[str, Any],
                 *, target: str | None) -> dict[str, Any]:
        what = "execute webhook" if method == "POST" else "edit webhook message"
        now = time.monotonic()
        with _ready_lock:
            ready = _ready.get(self.webhook_id, 0.0)
        if ready > now:  # the webhook's bucket is empty: wait, without sending, for as long as Discord said
            raise ChannelError(f"discord {what}: webhook rate limit reached; waiting {ready - now:.1f} s",
                               retry_after=ready - now)
        try:
            response = self._http.request(method, url, params=params, json=payload)
        except httpx.TimeoutException:
            raise ChannelError(f"discord {what}: timed out") from None
        except httpx.HTTPError as err:
            raise ChannelError(self._scrub(f"discord {what}: network error: {type(err).__name__}: {err}")) from None
        self._note_bucket(response.headers)
        try:
            data = response.json()
        except ValueError:
            data = None
        if 200 <= response.status_code < 300:
            return data if isinstance(data, dict) else {}
        raise self._error(what, response, data if isinstance(data, dict) else {}, target)

    def _note_bucket(self, headers: httpx.Headers) -> None:
        """``X-RateLimit-Remaining: 0``: hold this webhook until ``X-RateLimit-Reset-After`` (at most a minute)."""
        remaining = headers.get("x-ratelimit-remaining")
        if remaining is None or remaining.strip() != "0":
            return
        wait = bounded_retry_after(headers.get("x-ratelimit-reset-after"),
                                   f"channel \"{self.config.id}\" discord X-RateLimit-Reset-After", default=1.0)
        self._hold(min(wait, MAX_HEADER_WAIT))

    def _hold(self, seconds: float) -> None:
        with _ready_lock:
            _ready[self.webhook_id] = max(_ready.get(self.webhook_id, 0.0), time.monotonic() + seconds)

    def _error(self, what: str, response: httpx.Response, data: dict[str, Any], target: str | None) -> ChannelError:
        status = response.status_code
        code = data.get("code") if isinstance(data.get("code"), int) and not isinstance(data.get("code"), bool) else 0
        said = " ".join(str(data.get("message") or "").split())[:120]
        text = self._scrub(f"discord {what}: HTTP {status}" + (f" {code}" if code else "") + (f" {said}" if said else ""))
        if status == 429:
            where = f"channel \"{self.config.id}\" discord {what}"
            value = data.get("retry_after")
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(float(value)):
                value = response.headers.get("retry-after") or response.headers.get("x-ratelimit-reset-after")
            wait = bounded_retry_after(value, where, default=5.0)
            self._hold(wait)
            scope = "global " if data.get("global") is True else ""
            return ChannelError(f"{text} ({scope}rate limited for {wait:.1f} s)", retry_after=wait)
        if code in GONE_WEBHOOK or status == 401:
            return ChannelError(f"{text} (the webhook was deleted or its URL is wrong: make a new one)", permanent=True)
        if code in FORUM:
            return ChannelError(f"{text} (the webhook posts to a forum channel: set thread_name)", permanent=True)
        if code in MISSING or code in ARCHIVED:
            if target is None and self.thread_id:  # the configured thread itself is gone
                return ChannelError(f"{text} (thread_id {self.thread_id} not found or archived)", permanent=True)
            return ChannelError(text, missing_target=True, permanent=code in ARCHIVED)
        if status >= 500:
            return ChannelError(text)
        return ChannelError(text, permanent=True)

    def close(self) -> None:
        self._http.close()
