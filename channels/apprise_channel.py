"""The Apprise channel: every Apprise target (Microsoft Teams, email, ntfy, Matrix, Google Chat, Pushover, …) from
one or more Apprise URLs in an environment variable, through the ``apprise`` library.

Post-only, as Apprise is: no threads, no edits, no message id — each statement is one message, a resolution is
one more message (the first one is never edited into a "resolved" card). Each target gets the message in the
format it prefers (Apprise's ``notify_format``): plain text targets the plain text, Markdown targets the Markdown,
HTML targets the Markdown turned into HTML by Apprise. The message's first line is the notification's title.

Several targets in one channel are told one by one; when some fail, the message stays queued and its next
attempt in this process goes only to the targets that failed (a new process cannot know which ones had it, so
give a flaky target a channel of its own). A failure is one line naming the target by number and kind
(``target 2 (ntfy)``), never its URL: Apprise URLs carry passwords and tokens in every part.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import markup as mk
from channels import Channel, ChannelError
from logsetup import mask, register_secret
from render import RenderedMessage

DEFAULT_ENV = "APPRISE_URLS"
MAX_CHARS = 32_768  # Apprise's own default body limit; a target with a smaller one is cut or split by Apprise
MAX_TARGETS = 50
TITLE_LIMIT = 250
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]{0,31})://")
DONE_MEMORY = 1000  # (outbox row, part) pairs remembered for partial failures
log = logging.getLogger("pushti.channels.apprise")


def split_urls(value: str) -> list[str]:
    """The Apprise URLs of an environment variable: separated by whitespace or commas."""
    return [u for u in re.split(r"[\s,]+", value.strip()) if u]


def _secret_parts(url: str) -> list[str]:
    """The parts of an Apprise URL that may be secret (host, user, password, every path segment, query values)."""
    try:
        split = urlsplit(url)
        parts = [split.netloc, split.hostname or "", split.username or "", split.password or ""]
        parts += [s for s in split.path.split("/") if s]
        parts += [v for _, v in parse_qsl(split.query)]
    except ValueError:
        parts = []
    parts += [unquote(p) for p in parts]
    return sorted({p for p in parts if len(p) >= 3}, key=len, reverse=True)


def _quiet_apprise() -> None:
    """Apprise's own log lines are not echoed (they may name a target's host or path): each call's warnings are
    read from its result, masked, and said in the channel's one error line."""
    apprise_log = logging.getLogger("apprise")
    apprise_log.setLevel(logging.WARNING)
    apprise_log.propagate = False


class _Target:
    def __init__(self, number: int, url: str) -> None:
        import apprise

        _quiet_apprise()
        self.number = number
        match = SCHEME.match(url)
        self.scheme = match.group(1).lower() if match else "?"
        self.secrets = [url, *_secret_parts(url)]
        register_secret(url)
        self.apprise = apprise.Apprise()
        if not self.apprise.add(url):
            raise ChannelError(f"target {number} ({self.scheme}) is not an Apprise URL Apprise can use", permanent=True)
        plugin = self.apprise[0]
        preferred = plugin.notify_format
        if isinstance(preferred, tuple | list):
            preferred = preferred[0] if preferred else apprise.NotifyFormat.TEXT
        self.format = str(getattr(preferred, "value", preferred) or "text")
        self.name = f"target {number} ({self.scheme})"

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            if secret and secret in text:
                text = text.replace(secret, "***")
        return mask(text)


class AppriseChannel(Channel):
    kind = "apprise"
    markup = "markdown"
    max_chars = MAX_CHARS
    can_thread = False
    can_edit = False

    def __init__(self, config, bot) -> None:  # type: ignore[no-untyped-def]
        super().__init__(config, bot)
        env_name = str(config.option("url_env") or DEFAULT_ENV)
        value = os.environ.get(env_name, "")
        urls = split_urls(value)
        if not urls:
            raise ChannelError(f"apprise channel \"{config.id}\" needs {env_name} (one or more Apprise URLs) in the "
                               "environment")
        if len(urls) > MAX_TARGETS:
            raise ChannelError(f"apprise channel \"{config.id}\": {env_name} holds {len(urls)} URLs (at most "
                               f"{MAX_TARGETS})", permanent=True)
        for url in urls:
            register_secret(url)
        try:
            self.targets = [_Target(number, url) for number, url in enumerate(urls, 1)]
        except ChannelError as err:
            raise ChannelError(f"apprise channel \"{config.id}\": {env_name}: {err}", permanent=True) from None
        self.timeout = float(config.option("timeout", 30.0))
        self._done: dict[tuple[Any, Any, str], set[int]] = {}  # a message → targets that have it (this process)
        self._lock = threading.Lock()

    def min_interval(self) -> float:
        """One message a second (``min_interval`` in the config overrides); Apprise paces each service too."""
        return self.configured_interval(1.0)

    def send(self, message: RenderedMessage, *, reply_to: str | None = None) -> str:
        """Notify every target not yet told about this message; "" (Apprise gives no message id)."""
        import apprise

        text = (message.parts[0] if message.parts else "").strip()
        if not text:
            raise ChannelError("apprise: message text is empty", permanent=True)
        head, _, rest = text.partition("\n")
        title = " ".join(mk.markdown_to_plain(head).split())[:TITLE_LIMIT]
        body_md = rest.strip() or text
        body_plain = mk.markdown_to_plain(body_md)
        key = (message.extra.get("outbox_id"), message.extra.get("part"), text)
        with self._lock:
            done = set(self._done.get(key, set()))
        failures: list[str] = []
        for target in self.targets:
            if target.number in done:
                continue
            if target.format == "text":
                body, body_format = body_plain, apprise.NotifyFormat.TEXT
            else:  # Markdown as it is; an HTML target gets it as HTML (Apprise converts, our escapes keep it text)
                body, body_format = body_md, apprise.NotifyFormat.MARKDOWN
            try:
                result = target.apprise.notify(body=body, title=title, body_format=body_format, timeout=self.timeout)
            except Exception as err:  # a plugin's own bug must not take the channel down
                failures.append(target.scrub(f"{target.name}: {type(err).__name__}: {err}"))
                continue
            if result:
                done.add(target.number)
                continue
            said = [e.message for e in result.logs() if str(e.level).upper() in ("WARNING", "ERROR", "CRITICAL")]
            reason = " ".join(str(said[-1]).split())[:160] if said else "failed"
            failures.append(target.scrub(f"{target.name}: {reason}"))
        with self._lock:
            if failures and key[0] is not None:
                if len(self._done) >= DONE_MEMORY:
                    self._done.pop(next(iter(self._done)))
                self._done[key] = done
            else:
                self._done.pop(key, None)
        if failures:
            told = f" ({len(done)} of {len(self.targets)} told)" if len(self.targets) > 1 else ""
            raise ChannelError(f"apprise{told}: " + "; ".join(failures))
        return ""

    def edit(self, remote_id: str, message: RenderedMessage) -> None:
        raise ChannelError("apprise: messages cannot be edited", permanent=True)
