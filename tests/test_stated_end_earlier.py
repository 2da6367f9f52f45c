"""The company's own end, stated before it closed the incident (a real Symantec WSS incident): "Monitoring — As of
08:15 UTC connectivity has been restored", then two hours later "Resolved — … This incident is now closed." The
outage lasted 07:53–08:15 by the company's account (22 minutes), not until the closing statement (2 h 30 min).
Through ``bot.py poll --once`` and ``bot.py incidents --json`` on the real feed entry served locally."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pollhelpers import poll_one_document, run_bot, write_config

FEED = Path(__file__).parent / "data" / "real_incidents" / "feed_symantec_telaviv.atom"
GCP = Path(__file__).parent / "data" / "gcp" / "gcp_status_incidents_sample.json"


def poll_feed(server: Any, tmp_path: Path, feed: Path) -> tuple[Any, dict[str, Any]]:
    """Serve one real Symantec WSS feed, run ``bot.py poll --once`` on it (backfill all, a Hindi + English console
    channel): (the poll's completed process, the one incident ``bot.py incidents --json`` lists)."""
    return poll_one_document(server, tmp_path, "/history.atom", feed.read_bytes(), "application/atom+xml",
                             {"id": "wss", "kind": "feed", "service": "Symantec WSS"})


def test_an_end_stated_while_monitoring_is_the_incidents_end(server: Any, tmp_path: Path) -> None:
    poll, record = poll_feed(server, tmp_path, FEED)
    assert record["status"] == "resolved"
    assert record["started_at"] == "2019-11-06T07:53:00Z" and record["started_from"] == "text"
    assert record["resolved_at"] == "2019-11-06T08:15:00Z" and record["resolved_from"] == "text"
    assert record["duration_seconds"] == 22 * 60
    assert "22 min" in poll.stdout and "22 मिनट" in poll.stdout
    assert "2 h 30 min" not in poll.stdout


def test_the_collapsed_backlog_tells_the_same_span_naming_the_day_once(server: Any, tmp_path: Path) -> None:
    server.route("/history.atom", FEED.read_bytes(), headers={"Content-Type": "application/atom+xml"})
    source = {"id": "wss", "kind": "feed", "service": "Symantec WSS", "url": server.url + "/history.atom",
              "backfill": "all"}
    config = write_config(tmp_path, [source], channels=[{"id": "desk", "kind": "console", "languages": ["hi", "en"]}],
                          bot={"storm_threshold": 1})  # the three statements collapse into one backlog message
    poll = run_bot("poll", "--once", "--config", str(config))
    assert poll.returncode == 0, poll.stderr
    assert poll.stdout.count("── [desk]") == 1 and "अब तक के बयान (3)" in poll.stdout
    # the same day is named once (HINDI.md): "… से 1:45 बजे तक", not "… से बुधवार दोपहर 1:45 बजे तक"
    assert "बुधवार दोपहर 1:23 बजे (6 नवंबर, भारतीय समय) से 1:45 बजे तक रही — लगभग 22 मिनट" in poll.stdout
    assert "about 22 min" in poll.stdout


DENVER = Path(__file__).parent / "data" / "real_incidents" / "feed_symantec_denver.atom"


def test_an_update_saying_it_is_over_ends_the_incident(server: Any, tmp_path: Path) -> None:
    """Symantec WSS, Denver (DEN3): the 23:52 UTC "Update" reads "Denver (DEN3) is now fully operational. We have
    confirmed the underlying issue is resolved."; the "Resolved" of 00:25 UTC only repeats it."""
    from facts.stated_times import says_fixed_now

    poll, record = poll_feed(server, tmp_path, DENVER)
    assert record["started_at"] == "2019-11-04T18:15:00Z"
    assert record["resolved_at"] == "2019-11-04T23:52:00Z" and record["duration_seconds"] == 337 * 60
    assert "5 घंटे 37 मिनट" in poll.stdout and "5 h 37 min" in poll.stdout and "6 घंटे 10 मिनट" not in poll.stdout
    assert "✅ Symantec WSS: समस्या दूर बताई" in poll.stdout  # the update is not told as "still working"
    assert not says_fixed_now("We have identified the root cause and are working towards full remediation.")
    assert not says_fixed_now("The issue is resolved for most customers; we continue to monitor.")


def test_a_field_stamped_when_the_incident_closed_gives_way_to_the_end_the_words_state():
    """Google Cloud's "end" is sometimes only when the incident was closed (pXUM8jeE61fpp3VXz5sr: end 17:04:17 for
    a resolution posted at 17:04:11 that says "resolved … as of Tuesday, 2022-06-28 09:55 US/Pacific"): the company's
    own 16:55 UTC is the end. A curated end minutes before the resolution (4Sie4sXFPougA2Ku24pT: 13:22, from the
    report; resolution 13:26) stays, as does a begin stamped with its first update (3NTkKG1x382cHtxQGM76)."""
    from incidents import stated_times
    from trackers.gcp import parse_incidents

    doc = json.loads(GCP.read_text(encoding="utf-8"))
    posts = parse_incidents(doc, source_id="gcp", service="Google Cloud")

    def resolution(incident_id: str):  # type: ignore[no-untyped-def]
        return max((p for p in posts if p.thread_key == incident_id and p.status == "resolved"),
                   key=lambda p: p.created_at)

    closed = stated_times(resolution("pXUM8jeE61fpp3VXz5sr"))
    assert (closed.end, closed.end_from) == ("2022-06-28T16:55:00Z", "text")
    curated = stated_times(resolution("4Sie4sXFPougA2Ku24pT"))
    assert (curated.end, curated.end_from) == ("2022-06-14T13:22:00Z", "field")
    first = min((p for p in posts if p.thread_key == "3NTkKG1x382cHtxQGM76"), key=lambda p: p.created_at)
    assert (stated_times(first).start, stated_times(first).start_from) == ("2022-05-09T06:24:00Z", "text")
