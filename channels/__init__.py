"""Channels: where messages go (console, Telegram, Slack). A channel sends, replies in a thread and edits.

Contract: ``send(message, reply_to=None) -> remote_id`` and ``edit(remote_id, message)``. Failures raise
``ChannelError`` (one line, never a token): ``retry_after`` when the service said how long to wait,
``permanent`` when retrying cannot help (bad chat id, message too long after splitting, …).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config import BotConfig, ChannelConfig
    from render import RenderedMessage


class ChannelError(Exception):
    def __init__(
        self, message: str, *, retry_after: float | None = None, permanent: bool = False, missing_target: bool = False
    ) -> None:
        super().__init__(" ".join(message.split()))
        self.retry_after = retry_after
        self.permanent = permanent
        self.missing_target = missing_target  # the message to reply to / edit no longer exists


class Channel:
    """Base class: ``markup`` names the template flavour; ``max_chars`` the length limit of one message."""

    kind = ""
    markup = "plain"  # plain | telegram | slack
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


def channel_for(config: ChannelConfig, bot: BotConfig) -> Channel:
    from channels.registry import channel_class

    return channel_class(config.kind)(config, bot)
