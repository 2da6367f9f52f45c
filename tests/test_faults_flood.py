"""Floods after the baseline (issue 13): a page that suddenly lists many new incidents in one poll (a page error, a
migrated status page) is told as ONE notice per channel, through ``bot.py poll --once``; the incidents are still
recorded, and an ordinary new incident afterwards is announced as usual."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from pollhelpers import write_config
from test_faults_in_absence import HEADER, azure_feed, poll

PATH = "/en-us/status/feed/"


def items(count: int, start: int = 0) -> list[str]:
    return [f"VSG{n:04d}|Service number {n}" for n in range(start, start + count)]


def test_many_new_incidents_in_one_poll_are_one_notice_and_still_recorded(server: Any, tmp_path: Path) -> None:
    source = {"id": "azure", "kind": "azure", "service": "Microsoft Azure", "url": server.url + PATH}
    channels = [{"id": "desk", "kind": "console", "languages": ["hi", "en"]},
                {"id": "other", "kind": "console", "languages": ["en"], "services": ["GitHub"]}]
    config = write_config(tmp_path, [source], channels=channels, bot={"flood_threshold": 5})
    route = server.route(PATH, azure_feed(*items(1)))
    assert poll(config).count(HEADER) == 1  # the baseline's open incident
    route.body = azure_feed(*items(13))  # twelve new incidents at once
    out = poll(config)
    assert out.count("── [") == 1 and out.count(HEADER) == 1  # one notice, only to the channel that follows Azure
    assert "Microsoft Azure: 12 new incidents in one poll — possible page error" in out
    assert "एक ही बार में 12 नई घटनाएं" in out
    assert "Service number 7" not in out
    db = sqlite3.connect(tmp_path / "state.db")
    assert db.execute("select count(*) from incidents").fetchone()[0] == 13  # recorded, not lost
    db.close()
    assert HEADER not in poll(config)  # told once
    route.body = azure_feed(*items(14))  # then one more: an ordinary new incident is announced as usual
    again = poll(config)
    assert again.count(HEADER) == 1 and "Service number 13" in again and "possible page error" not in again


def test_new_incidents_up_to_the_threshold_are_announced_one_by_one(server: Any, tmp_path: Path) -> None:
    source = {"id": "azure", "kind": "azure", "service": "Microsoft Azure", "url": server.url + PATH}
    config = write_config(tmp_path, [source], bot={"flood_threshold": 5})
    route = server.route(PATH, azure_feed(*items(1)))
    poll(config)
    route.body = azure_feed(*items(6))  # five new: at the threshold, not over it
    out = poll(config)
    assert "possible page error" not in out and out.count(HEADER) >= 5
