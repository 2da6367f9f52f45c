"""Real planned-work notices that state their window only in words (GitHub, 2010–2011; tests/data/
github_maintenance_real, see its README), read as a news desk would through ``bot.py poll --once`` and ``bot.py
incidents --json`` (backfill all, a Hindi + English console channel). Before, the channel said "समय कंपनी के बयान में
देखें" / "its statement gives the time" and left the reader to turn "22:00 - 22:20 PST" into Indian time; the window
is now told in IST and UTC. Each window is worked out by hand from the notice's stamp and its words (PST = UTC−8)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pollhelpers import poll_statuspage

DATA = Path(__file__).parent / "data" / "github_maintenance_real"


def poll_notice(server: Any, tmp_path: Path, incident_id: str) -> tuple[Any, dict[str, Any]]:
    """Serve one GitHub incident document as a page's incidents.json and poll it once: (the poll, its record)."""
    document = (DATA / f"{incident_id}.json").read_text(encoding="utf-8")
    body = document.replace('"incident":', '"incidents": [', 1).rstrip().removesuffix("}") + "]}"
    return poll_statuspage(server, tmp_path, body.encode(), "GitHub")


def test_a_window_said_tonight_in_pst_is_told_in_indian_time(server: Any, tmp_path: Path) -> None:
    """4gprpgmtct75, posted 24 January 2011 19:14 UTC (11:14 AM PST): "We will be having scheduled maintenance
    tonight from 22:00 - 22:20 PST" — 06:00–06:20 UTC on 25 January, 11:30–11:50 AM IST."""
    poll, record = poll_notice(server, tmp_path, "4gprpgmtct75")
    assert record["kind"] == "maintenance"
    assert record["window"] == {"start": "2011-01-25T06:00:00Z", "end": "2011-01-25T06:20:00Z"}
    assert "मंगलवार सुबह 11:30 बजे से 11:50 बजे तक (25 जनवरी, भारतीय समय) नियोजित रखरखाव (मेंटेनेंस) किया जाएगा" \
        in poll.stdout
    assert "from Tuesday 25 January, 11:30 AM to 11:50 AM IST (06:00–06:20 UTC)" in poll.stdout
    assert "कंपनी के बयान में देखें" not in poll.stdout and "its statement gives the time" not in poll.stdout


def test_from_now_until_a_time_is_a_window_from_the_notice(server: Any, tmp_path: Path) -> None:
    """zxng2w1wbl7m, posted 15 February 2010 06:28 UTC (10:28 PM PST on the 14th): "has begun … from now until 3:00
    AM PST" — until 11:00 UTC, 4:30 PM IST."""
    poll, record = poll_notice(server, tmp_path, "zxng2w1wbl7m")
    assert record["window"] == {"start": "2010-02-15T06:28:00Z", "end": "2010-02-15T11:00:00Z"}
    assert "to 4:30 PM IST (06:28–11:00 UTC)" in poll.stdout
    assert "सोमवार सुबह 11:58 बजे से शाम 4:30 बजे तक (15 फ़रवरी, भारतीय समय)" in poll.stdout


def test_a_start_alone_is_told_as_a_start(server: Any, tmp_path: Path) -> None:
    """kqnm0hbg8yg6, posted 3 March 2010 05:31 UTC (9:31 PM PST on the 2nd): "Maintenance starting at 22:00 PST" —
    06:00 UTC, 11:30 AM IST; it names no end."""
    poll, record = poll_notice(server, tmp_path, "kqnm0hbg8yg6")
    assert record["window"] == {"start": "2010-03-03T06:00:00Z", "end": None}
    assert "planned maintenance from Wednesday 3 March, 11:30 AM IST (06:00 UTC)" in poll.stdout
    assert "बुधवार सुबह 11:30 बजे से (3 मार्च, भारतीय समय) नियोजित रखरखाव (मेंटेनेंस) किया जाएगा" in poll.stdout
