"""The console channel: prints each message to standard output (the default when no tokens are set).

What it prints is stripped of terminal control: a statement from outside must not clear the screen, set the
window title, write the clipboard (OSC 52), move the cursor or reorder text. ESC sequences (CSI, OSC, DCS, …) are
removed whole; other C0/C1 control characters, DEL and bidirectional overrides/isolates are removed; newlines and
tabs stay (a carriage return becomes a newline).
"""

from __future__ import annotations

import re
import sys
import uuid
from typing import TextIO

from channels import Channel
from render import RenderedMessage

_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"  # CSI … final byte (clear screen, cursor moves, colours)
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"  # OSC/DCS/SOS/PM/APC … ST, BEL or line end
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"  # any other ESC sequence (and a lone ESC)
)
_CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 (but tab, newline) , DEL, C1
    "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]"  # bidi embeddings, overrides, isolates, marks
)


def terminal_safe(text: str) -> str:
    """``text`` without terminal control: escape sequences and control characters removed, newlines kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SEQUENCES.sub("", text)
    return _CONTROLS.sub("", text)


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
        stream.write(terminal_safe(text))
        stream.flush()

    def send(self, message: RenderedMessage, *, reply_to: str | None = None) -> str:
        remote_id = f"console-{uuid.uuid4().hex[:10]}"
        header = f"── [{self.config.id}] " + (f"reply to {reply_to} " if reply_to else "") + "─" * 20
        self._write(header + "\n" + "\n\n".join(message.parts) + "\n\n")
        return remote_id

    def edit(self, remote_id: str, message: RenderedMessage) -> None:
        card = message.card or "\n\n".join(message.parts)
        self._write(f"── [{self.config.id}] edit {remote_id} " + "─" * 20 + "\n" + card + "\n\n")
