"""Shared fixtures: the project root on sys.path, a local HTTP server, fake Telegram and Slack servers (the
requesting module names its tokens), paths to test data."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from localserver import LocalServer  # noqa: E402

DATA = TESTS / "data"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    srv = LocalServer().start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def tg(request: pytest.FixtureRequest) -> Iterator[object]:
    """A fake Telegram Bot API on 127.0.0.1 for the requesting module's TG_TOKEN."""
    from fake_telegram import FakeTelegram

    fake = FakeTelegram(request.module.TG_TOKEN)
    yield fake
    fake.stop()


@pytest.fixture
def slack(request: pytest.FixtureRequest) -> Iterator[object]:
    """A fake Slack Web API on 127.0.0.1 for the requesting module's SLACK_TOKEN."""
    from fake_slack import FakeSlack

    fake = FakeSlack(request.module.SLACK_TOKEN)
    yield fake
    fake.stop()


@pytest.fixture
def data_dir() -> Path:
    return DATA
