"""The console channel: prints each message to standard output (the default when no tokens are set)."""

from __future__ import annotations

import sys
import uuid
from typing import TextIO

from channels import Channel
from render import RenderedMessage


class ConsoleChannel(Channel):
    kind = "console"
    markup = "plain"
    max_chars = 100_000
    can_thread = True
    can_edit = True

    def __init__(self, config, bot, stream: TextIO | None = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(config, bot)
        self.stream = stream

    def _write(self, text: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(text)
        stream.flush()

    def send(self, message: RenderedMessage, *, reply_to: str | None = None) -> str:
        remote_id = f"console-{uuid.uuid4().hex[:10]}"
        header = f"── [{self.config.id}] " + (f"reply to {reply_to} " if reply_to else "") + "─" * 20
        self._write(header + "\n" + "\n\n".join(message.parts) + "\n\n")
        return remote_id

    def edit(self, remote_id: str, message: RenderedMessage) -> None:
        card = message.card or "\n\n".join(message.parts)
        self._write(f"── [{self.config.id}] edit {remote_id} " + "─" * 20 + "\n" + card + "\n\n")
