"""Statuspage history feeds: maintenance entries (kind on every update) and the printed window.

Real feeds: tests/data/feeds (Symantec WSS 2019 prints a window; DigitalOcean and Sauce Labs carry maintenance
labels). The window variants below are the windows real Statuspage pages printed (training/raw, bbsetup
home pages of Jan 2021: "Jan 24, 00:00-03:00 UTC", "Jan 30, 22:00 - Jan 31, 06:00 CET") behind the feed's
"THIS IS A SCHEDULED EVENT" lead, as the Symantec feed prints it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from config import SourceConfig
from trackers.feed import parse_feed
from trackers.statuspage_html import scheduled_window

FEEDS = Path(__file__).resolve().parent / "data" / "feeds"


def posts_of(name: str):
    src = SourceConfig(id="f", kind="feed", service="S", url="https://status.example.com/history.atom")
    return parse_feed((FEEDS / name).read_bytes(), src)


def test_symantec_scheduled_entry_has_its_window_and_kind() -> None:
    posts = posts_of("symantec_wss_history_2019-12-10.atom")
    tlv = [p for p in posts if p.title.startswith("Network Maintenance in Tel Aviv")]
    assert [p.raw_status for p in tlv] == ["Scheduled"]
    (post,) = tlv
    assert post.incident_kind == "maintenance"
    # "THIS IS A SCHEDULED EVENT Dec 18, 16:00 - 17:00 UTC", entry updated 2019-12-09
    assert post.starts_at == datetime(2019, 12, 18, 16, 0, tzinfo=UTC)
    assert post.ends_at == datetime(2019, 12, 18, 17, 0, tzinfo=UTC)


def test_every_update_of_a_labelled_maintenance_entry_is_maintenance() -> None:
    posts = posts_of("symantec_wss_history_2019-12-10.atom")
    chennai = [p for p in posts if p.title.startswith("Network Maintenance in Chennai")]
    assert [p.raw_status for p in chennai] == ["Completed", "In progress", "Scheduled"]
    assert {p.incident_kind for p in chennai} == {"maintenance"}
    assert {p.starts_at for p in chennai} == {None}  # the window is printed only while it is scheduled
    announcement = [p for p in posts if p.title == "Web Security Service Maintenance Announcement"]
    assert "Update" in [p.raw_status for p in announcement]  # an "Update" inside a maintenance stays one
    assert {p.incident_kind for p in announcement} == {"maintenance"}


@pytest.mark.parametrize(
    "name, maintenance_threads",
    [
        ("digitalocean_history_2019-10-30.atom", 1),
        ("digitalocean_history_2020-01-05.rss", 2),
        ("saucelabs_us_west_history_2020-11-15.atom", 6),
        ("githubstatus_history_2019-11-22.atom", 0),
        ("parse_status_history_2014-01-09.rss", 0),
    ],
)
def test_only_entries_with_maintenance_labels_are_maintenance(name: str, maintenance_threads: int) -> None:
    posts = posts_of(name)
    planned = {p.thread_key for p in posts if p.incident_kind == "maintenance"}
    assert len(planned) == maintenance_threads
    for post in posts:
        labels = {q.status for q in posts if q.thread_key == post.thread_key}
        assert (post.incident_kind == "maintenance") == bool(labels & {"scheduled", "in_progress", "verifying", "completed"})


def test_incident_during_a_maintenance_stays_an_incident() -> None:
    posts = posts_of("digitalocean_history_2020-01-05.rss")
    during = [p for p in posts if p.title == "Droplet Connectivity Impacted During LON1 Network Maintenance"]
    assert during and {p.incident_kind for p in during} == {""}


REF = datetime(2021, 1, 22, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "line, reference, start, end",
    [
        ("Jan <var data-var='date'>24</var>, <var data-var='time'>00:00</var>-<var data-var='time'>03:00</var> UTC",
         REF, datetime(2021, 1, 24, 0, 0, tzinfo=UTC), datetime(2021, 1, 24, 3, 0, tzinfo=UTC)),
        ("Jan 30, 22:00 - Jan 31, 06:00 CET",  # CET = UTC+1 in winter
         REF, datetime(2021, 1, 30, 21, 0, tzinfo=UTC), datetime(2021, 1, 31, 5, 0, tzinfo=UTC)),
        ("Jan 30, 22:00 - 06:00 CET",  # crosses midnight without a second date: ends the next day
         REF, datetime(2021, 1, 30, 21, 0, tzinfo=UTC), datetime(2021, 1, 31, 5, 0, tzinfo=UTC)),
        ("Jan 2, 01:00 - 04:00 UTC",  # announced in December for January: next year
         datetime(2020, 12, 28, 9, 0, tzinfo=UTC), datetime(2021, 1, 2, 1, 0, tzinfo=UTC),
         datetime(2021, 1, 2, 4, 0, tzinfo=UTC)),
        ("Dec 31, 22:00 - Jan 1, 02:00 UTC",  # the window itself crosses the year
         datetime(2020, 12, 20, 9, 0, tzinfo=UTC), datetime(2020, 12, 31, 22, 0, tzinfo=UTC),
         datetime(2021, 1, 1, 2, 0, tzinfo=UTC)),
        ("Jan 19, 1:00 PM - 3:00 PM MST",  # 12-hour clock; MST read as America/Phoenix (UTC-7)
         REF, datetime(2021, 1, 19, 20, 0, tzinfo=UTC), datetime(2021, 1, 19, 22, 0, tzinfo=UTC)),
    ],
)
def test_window_variants(line: str, reference: datetime, start: datetime, end: datetime) -> None:
    markup = f"<p><strong>THIS IS A SCHEDULED EVENT {line}</strong></p><p><small>Jan 15, 09:28 UTC</small>"
    assert scheduled_window(markup, reference) == (start, end)


@pytest.mark.parametrize(
    "line",
    ["Feb 30, 10:00 - 11:00 UTC", "Foo 3, 10:00 - 11:00 UTC", "Jan 3, 25:00 - 26:00 UTC", "soon"],
)
def test_unreadable_window_is_none_not_a_crash(line: str) -> None:
    # Hand-made error cases.
    assert scheduled_window(f"THIS IS A SCHEDULED EVENT {line}", REF) == (None, None)


def test_no_window_line() -> None:
    assert scheduled_window("<small>Jan 15, 09:28 UTC</small><br><strong>Scheduled</strong> - x", REF) == (None, None)


def test_a_plain_feed_entry_titled_as_planned_work_becomes_a_maintenance_end_to_end(server, tmp_path) -> None:
    """A feed with no Statuspage labels (one entry per statement): the entry whose title names planned work
    (DatoCMS's "Scheduled database upgrade", whose update reads only "Start") is stored and told as a maintenance;
    the entry beside it that speaks of errors stays an outage. Through bot.py poll --once and incidents --json."""
    import json

    from localserver import Route
    from pollhelpers import recent_start, run_bot, write_config

    when = recent_start(1).strftime("%a, %d %b %Y %H:%M:%S +0000")
    rss = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Example status</title><link>https://status.example.com/</link>
<item><title>Scheduled database upgrade</title><guid>upgrade-1</guid><pubDate>{when}</pubDate>
<description>Start</description></item>
<item><title>API requests failing</title><guid>api-1</guid><pubDate>{when}</pubDate>
<description>We are investigating elevated error rates on the API.</description></item>
</channel></rss>""".encode()
    server.routes["/feed.rss"] = Route(body=rss, headers={"Content-Type": "application/rss+xml"})
    config = write_config(tmp_path, [{"id": "ex", "kind": "feed", "service": "Example",
                                      "url": server.url + "/feed.rss", "backfill": "all"}])
    polled = run_bot("poll", "--once", "--config", str(config))
    assert polled.returncode == 0, polled.stderr
    listed = run_bot("incidents", "--json", "--config", str(config))
    assert listed.returncode == 0, listed.stderr
    records = {r["title"]: r for r in map(json.loads, listed.stdout.splitlines())}
    assert records["Scheduled database upgrade"]["kind"] == "maintenance"
    assert [s["kind"] for s in records["Scheduled database upgrade"]["statements"]] == ["maintenance"]
    assert records["API requests failing"]["kind"] == "incident"
    assert "maintenance" in polled.stdout.lower()  # the console channel told it as planned work
