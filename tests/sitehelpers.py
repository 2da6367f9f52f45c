"""Helpers for the site tests: the demo's database (the seed story stored and delivered as ``bot.py demo`` does),
and headless Chromium (Debian's package) for DOM dumps and screenshots."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_DEADLINE = 60.0  # seconds for one page


def demo_database(folder: Path) -> Any:
    """The demo's state database in ``folder``: every scene stored through pipeline.store_posts and delivered to
    the console channel, exactly as demo.run_demo does (which keeps its database only in a temporary folder)."""
    from channels.console import ConsoleChannel
    from demo import SCENES, _at, demo_config, scene_post
    from outbox import deliver
    from pipeline import store_posts
    from store import open_db

    bot = demo_config(folder / "state.db")
    db = open_db(bot.state)
    channel = ConsoleChannel(bot.channel("desk"), bot, stream=io.StringIO())
    for scene in SCENES:
        source = bot.source(scene.source)
        outcome = store_posts(db, bot, source, [scene_post(scene, bot)], now=_at(scene.at) + timedelta(minutes=2))
        assert outcome.status in ("ok", "unchanged"), outcome.message
        deliver(db, bot, {"desk": channel}, sleep=lambda _s: None)
    return bot, db


def chromium(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium once (no sandbox: tests run as root in CI containers), with a deadline."""
    assert CHROMIUM, "chromium is not installed"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--disable-extensions", "--hide-scrollbars", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=CHROMIUM_DEADLINE, cwd=cwd)


def dump_dom(url: str, *flags: str, width: int = 375, height: int = 800) -> str:
    result = chromium(f"--window-size={width},{height}", "--run-all-compositor-stages-before-draw",
                      "--virtual-time-budget=2000", *flags, "--dump-dom", url)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def screenshot(url: str, path: Path, *, width: int = 375, height: int = 800) -> Path:
    result = chromium(f"--window-size={width},{height}", f"--screenshot={path}", url)
    assert result.returncode == 0 and path.exists(), result.stderr[-2000:]
    return path


def single_source_db(folder: Path, source: dict[str, Any], **bot_options: Any) -> tuple[Any, Any, Any]:
    """(bot, db, source config) of a state database in ``folder`` with one source (``backfill = "all"``) and a
    console channel ("desk"), ``bot_options`` added to [bot]: for storing real posts through pipeline.store_posts."""
    from config import parse_config
    from store import open_db

    bot = parse_config({"bot": {"state": str(folder / "state.db"), **bot_options},
                        "source": [{"backfill": "all", **source}],
                        "channel": [{"id": "desk", "kind": "console"}]}, "<test>")
    return bot, open_db(bot.state), bot.source(source["id"])
