"""Which channel class serves which ``kind`` (imported lazily)."""

from __future__ import annotations

import importlib

from channels import Channel

CHANNEL_PATHS: dict[str, str] = {
    "console": "channels.console:ConsoleChannel",
    "telegram": "channels.telegram:TelegramChannel",
    "slack": "channels.slack:SlackChannel",
    "discord": "channels.discord:DiscordChannel",
    "apprise": "channels.apprise_channel:AppriseChannel",
}
CHANNEL_CLASSES = CHANNEL_PATHS


def channel_class(kind: str) -> type[Channel]:
    module_name, _, class_name = CHANNEL_PATHS[kind].partition(":")
    return getattr(importlib.import_module(module_name), class_name)
