"""Channels: where messages go (console, Telegram, Slack, Discord, Apprise). A channel sends, replies in a thread
and edits.

Contract: ``send(message, reply_to=None) -> remote_id`` and ``edit(remote_id, message)``; a channel that can read
its own history has ``can_look_back`` and ``find_sent(outbox_id, part, since=…, threads=…)`` (Slack). Failures raise
``ChannelError`` (one line, never a token): ``retry_after`` when the service said how long to wait,
``permanent`` when retrying cannot help (bad chat id, message too long after splitting, …).
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from config import BotConfig, ChannelConfig
    from render import RenderedMessage


log = logging.getLogger("pushti.channels")

MIN_RETRY_AFTER = 1.0  # seconds: a channel's 429 pause is at least this …
MAX_RETRY_AFTER = 900.0  # … and at most 15 min, whatever the service says
DEFAULT_RETRY_AFTER = 30.0  # when the service says nothing usable


def bounded_retry_after(value: Any, where: str, default: float = DEFAULT_RETRY_AFTER) -> float:
    """How long to pause after a 429: ``value`` as seconds (a number, a numeric string, or an HTTP date),
    clamped to [1 s, 15 min]; missing → ``default``; garbage (or a date that cannot be read) → ``default`` with
    one warning line naming ``where``."""
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    seconds: float | None = None
    if isinstance(value, bool):
        seconds = None
    elif isinstance(value, int | float):
        try:
            seconds = float(value)
        except OverflowError:  # an integer too large for a float
            seconds = math.inf
    elif isinstance(value, str):
        text = value.strip()
        try:
            seconds = float(text)
        except ValueError:
            try:
                moment = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError, OverflowError):
                moment = None
            if moment is not None:
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=timezone.utc)
                try:
                    seconds = (moment - datetime.now(timezone.utc)).total_seconds()
                except OverflowError:
                    seconds = MAX_RETRY_AFTER
    if seconds is None or math.isnan(seconds):
        log.warning("%s: unreadable retry-after %.40r; waiting %.0f s", where, value, default)
        return default
    if not (MIN_RETRY_AFTER <= seconds <= MAX_RETRY_AFTER):
        clamped = min(MAX_RETRY_AFTER, max(MIN_RETRY_AFTER, seconds))
        if seconds > MAX_RETRY_AFTER:
            log.warning("%s: retry-after %.40r is too long; waiting %.0f s", where, value, clamped)
        return clamped
    return seconds


class ChannelError(Exception):
    def __init__(
        self, message: str, *, retry_after: float | None = None, permanent: bool = False, missing_target: bool = False
    ) -> None:
        from logsetup import mask

        super().__init__(mask(" ".join(message.split())))  # never a token or a webhook's secret path
        if retry_after is not None:  # a pause is always finite and bounded, however it was made
            try:
                retry_after = float(retry_after)
            except OverflowError:
                retry_after = MAX_RETRY_AFTER
            except (TypeError, ValueError):
                retry_after = DEFAULT_RETRY_AFTER
            if math.isnan(retry_after):
                retry_after = DEFAULT_RETRY_AFTER
            retry_after = min(MAX_RETRY_AFTER, max(MIN_RETRY_AFTER, retry_after))
        self.retry_after = retry_after
        self.permanent = permanent
        self.missing_target = missing_target  # the message to reply to / edit no longer exists


class HistoryUnreadable(ChannelError):
    """The channel's history cannot be read (a missing scope): a message left in doubt by a crash is sent again."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


class Channel:
    """Base class: ``markup`` names the template flavour; ``max_chars`` the length limit of one message."""

    kind = ""
    markup = "plain"  # plain | telegram | slack | discord | markdown
    max_chars = 4000
    can_thread = False
    can_edit = False

    def __init__(self, config: ChannelConfig, bot: BotConfig) -> None:
        self.config = config
        self.bot = bot

    def send(self, message: RenderedMessage, *, reply_to: str | None = None) -> str:  # pragma: no cover
        raise NotImplementedError

    def edit(self, remote_id: str, message: RenderedMessage) -> None:  # pragma: no cover
        raise NotImplementedError

    def min_interval(self) -> float:
        """Seconds to leave between two messages to this channel (pacing)."""
        return 0.0

    def configured_interval(self, default: float) -> float:
        """``min_interval`` from the channel's config (e.g. for tests), else the service's ``default``."""
        configured = self.config.option("min_interval")
        return float(configured) if configured is not None else default

    def configured_window(self, default: tuple[int, float] | None) -> tuple[int, float] | None:
        """(messages, seconds): ``per_minute`` from the config (0: no window), else the service's ``default``."""
        configured = self.config.option("per_minute")
        if configured is not None:
            return (int(configured), 60.0) if int(configured) > 0 else None
        return default


def channel_for(config: ChannelConfig, bot: BotConfig) -> Channel:
    from channels.registry import channel_class

    return channel_class(config.kind)(config, bot)
