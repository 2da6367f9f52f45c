"""Crash points for tests: ``PUSHTI_CRASH_AT=<name>`` kills the process with SIGKILL at that point.

Used to prove that a crash between two steps loses nothing and posts nothing twice; unset, it does nothing.
"""

from __future__ import annotations

import os
import signal


def crash_point(name: str) -> None:
    if os.environ.get("PUSHTI_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
