"""Reconnect delays for the streams: exponential with jitter, bounded (0.5 s doubling to 30 s; 5 min after the
server refused the credentials), reset once a connection has been live for a while."""

from __future__ import annotations

import random

FIRST = 0.5
MOST = 30.0
REFUSED = 300.0
STEADY = 10.0  # seconds live after which the next failure starts again from FIRST


class Backoff:
    def __init__(self, first: float = FIRST, most: float = MOST) -> None:
        self.first = first
        self.most = most
        self.failures = 0

    def next(self, *, refused: bool = False) -> float:
        """The wait before the next attempt (jittered: 50 … 100 % of the step)."""
        if refused:
            return REFUSED
        step = min(self.most, self.first * (2 ** min(self.failures, 20)))
        self.failures += 1
        return step * random.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.failures = 0
