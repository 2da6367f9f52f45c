"""Real GitHub incidents (www.githubstatus.com, Statuspage API v2 documents of 2010–2018, tests/data/github_real: see
its README) never read before, read as a news desk would: each served locally as the page's ``incidents.json``, read
through ``bot.py poll --once`` and ``bot.py incidents --json`` (backfill all, a Hindi + English console channel). The
facts asserted are read from the source documents, not from the bot's output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pollhelpers import poll_statuspage

DATA = Path(__file__).parent / "data" / "github_real"


def poll_incident(server: Any, tmp_path: Path, incident_id: str) -> tuple[Any, dict[str, Any]]:
    """Serve GitHub's incident ``incident_id`` (its ``incidents/<id>.json`` document) as the page's incidents.json,
    poll it once with backfill all: (the completed poll, the one incident ``bot.py incidents --json`` lists)."""
    document = json.loads((DATA / f"{incident_id}.json").read_text(encoding="utf-8"))
    body = json.dumps({"page": document["page"], "incidents": [document["incident"]]}).encode()
    return poll_statuspage(server, tmp_path, body, "GitHub")


def test_a_timeline_that_opens_with_how_long_a_past_trouble_lasted_does_not_start_at_its_first_stamp(
        server: Any, tmp_path: Path) -> None:
    """GitHub gb88fzdxsgh7 (3 August 2012): "20:51:02 - A small percentage of repositories were unavailable for
    approximately 10 minutes starting at 12:40pm due to a longer than normal fileserver failover.", "20:51:17 - All
    systems go." The channel said "It began on Saturday, 2:21 AM and lasted about under a minute" / "दिक्कत शुक्रवार
    देर रात 2:21 बजे शुरू हुई थी और लगभग एक मिनट से कम तक रही": the two stamps, 15 seconds apart, taken for the
    trouble. By GitHub's account it lasted about 10 minutes and was over when told (its 12:40pm names no zone).
    GitHub l5jcgnxk0y8p (7 June 2010): "11:30:00 - Issues was unavailable for about 10 minutes due to a bug.",
    "11:43:00 - The bug is now fixed." was told as begun at 11:30 UTC (5:00 PM IST) and lasting 13 minutes."""
    poll, record = poll_incident(server, tmp_path, "gb88fzdxsgh7")
    assert "under a minute" not in poll.stdout and "एक मिनट से कम" not in poll.stdout
    assert record["started_at"] != "2012-08-03T20:51:02Z" and record["told"]["duration_seconds"] != 0
    assert "कंपनी के मुताबिक दिक्कत करीब 10 मिनट तक रही" in poll.stdout
    assert "By the company's account the problem lasted about 10 min" in poll.stdout

    (tmp_path / "l5").mkdir()
    poll, record = poll_incident(server, tmp_path / "l5", "l5jcgnxk0y8p")
    assert record["started_at"] != "2010-06-07T11:30:00Z" and record["told"]["duration_seconds"] != 13 * 60
    assert "13 min" not in poll.stdout and "13 मिनट" not in poll.stdout
    assert "By the company's account the problem lasted about 10 min" in poll.stdout


def test_a_trouble_under_a_minute_is_not_told_as_about_under_a_minute(server: Any, tmp_path: Path) -> None:
    """GitHub zh62rt7542f6 (5 November 2010): "19:09:03 - GitHub Pages is down. We're investigating the cause.",
    "19:09:39 - And it's back up after rebooting the Pages webserver." — 36 seconds by its stamps. The channel said
    "It began on Saturday, 12:39 AM and lasted about under a minute" / "… और लगभग एक मिनट से कम तक रही"."""
    poll, record = poll_incident(server, tmp_path, "zh62rt7542f6")
    assert (record["started_at"], record["resolved_at"]) == ("2010-11-05T19:09:03Z", "2010-11-05T19:09:39Z")
    assert "about under a minute" not in poll.stdout and "लगभग एक मिनट से कम" not in poll.stdout
    assert "It began on Saturday, 12:39 AM and lasted under a minute." in poll.stdout
    assert "दिक्कत शुक्रवार देर रात 12:39 बजे शुरू हुई थी और एक मिनट से कम समय तक रही।" in poll.stdout
