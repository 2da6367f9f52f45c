"""Real planned maintenances read as a news desk would: DatoCMS's maintenances (tests/data/maintenance_real,
converted faithfully into Statuspage ``scheduled-maintenances.json``: see its README) and the scheduled events of
Symantec WSS's history feed (tests/data/feeds), each served locally and read through ``bot.py poll --once`` and
``bot.py incidents --json`` (backfill all, a Hindi + English console channel). The facts asserted are read from the
source documents, not from the bot's output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pollhelpers import DESK_CHANNEL, run_bot, write_config

DATA = Path(__file__).parent / "data" / "maintenance_real"


def poll_maintenance(server: Any, tmp_path: Path, name: str) -> tuple[Any, dict[str, Any]]:
    """Serve ``name`` (one DatoCMS maintenance) as a Statuspage page's scheduled-maintenances.json beside an empty
    incidents.json, poll it once with backfill all: (the completed poll, its one incident record)."""
    document = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    json_type = {"Content-Type": "application/json"}
    server.route("/api/v2/scheduled-maintenances.json", json.dumps(document).encode(), headers=json_type)
    server.route("/api/v2/incidents.json", json.dumps({"page": document["page"], "incidents": []}).encode(),
                 headers=json_type)
    source = {"id": "page", "kind": "statuspage", "service": "DatoCMS", "url": server.url, "backfill": "all"}
    config = write_config(tmp_path, [source], channels=[DESK_CHANNEL])
    poll = run_bot("poll", "--once", "--config", str(config))
    assert poll.returncode == 0, poll.stderr
    (record,) = [json.loads(line) for line in run_bot("incidents", "--json", "--config", str(config)).stdout.splitlines()]
    return poll, record


def test_verifying_is_work_done_not_work_started(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Maintenance on our billing system", 14 October 2025, window 05:00-07:00 UTC (10:30 AM-12:30 PM IST):
    its first update after the announcement, labelled Verifying at 05:45 UTC (11:15 AM IST), reads "Maintenance
    completed. We are monitoring the system." The channel said "🛠 नियोजित रखरखाव (मेंटेनेंस) शुरू … काम शुरू हो
    गया है" / "planned maintenance started". By DatoCMS's account the work was done by then; it was checking it."""
    poll, record = poll_maintenance(server, tmp_path, "datocms_2025-10-10-maintenance-on-our-billing-system")
    assert record["kind"] == "maintenance"
    assert "शुरू हो गया है" not in poll.stdout and "has started" not in poll.stdout
    assert "🛠 DatoCMS: नियोजित रखरखाव (मेंटेनेंस) का काम पूरा, जाँच जारी\nDatoCMS ने मंगलवार सुबह 11:15 बजे (14 " \
           "अक्टूबर, भारतीय समय) अपने स्टेटस पेज पर बताया कि नियोजित रखरखाव (मेंटेनेंस) का काम पूरा हो गया है; " \
           "कंपनी अब जाँच कर रही है कि सब ठीक चल रहा है।" in poll.stdout
    assert "🛠 DatoCMS: planned maintenance done, being verified\nDatoCMS said on its status page on Tuesday 14 " \
           "October, 11:15 AM IST (05:45 UTC) that its planned maintenance is done; the company is now checking " \
           "that all is well." in poll.stdout


def test_verifying_after_the_work_is_not_still_under_way(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Scheduled database upgrade", 27 February 2020, window 07:00-07:05 UTC (12:30-12:35 PM IST): "Start"
    (07:00), "Still going" (07:08), then Verifying at 07:14 UTC (12:44 PM IST): "Upgrade and migration completed. We
    are monitoring. In the meanwhile the system is back online." The channel told that last one as "काम अभी जारी है"
    / "the work is still under way". "Still going" is still under way; the Verifying update is not."""
    poll, _ = poll_maintenance(server, tmp_path, "datocms_2020-02-26-scheduled-database-upgrade")
    assert "गुरुवार दोपहर 12:44 बजे (27 फ़रवरी, भारतीय समय) अपने स्टेटस पेज पर नियोजित रखरखाव (मेंटेनेंस) पर नई " \
           "जानकारी दी; काम अभी जारी है" not in poll.stdout
    assert "on Thursday 27 February, 12:44 PM IST (07:14 UTC); the work is still under way" not in poll.stdout
    assert "DatoCMS ने गुरुवार दोपहर 12:44 बजे (27 फ़रवरी, भारतीय समय) अपने स्टेटस पेज पर बताया कि नियोजित रखरखाव " \
           "(मेंटेनेंस) का काम पूरा हो गया है; कंपनी अब जाँच कर रही है कि सब ठीक चल रहा है।" in poll.stdout
    # "Still going" (07:08 UTC, 12:38 PM IST) is still told as work under way
    assert "on Thursday 27 February, 12:38 PM IST (07:08 UTC); the work is still under way" in poll.stdout


def test_a_verifying_statement_in_a_backlog_is_labelled_done() -> None:
    """The same Verifying update (DatoCMS, 14 October 2025, "Maintenance completed. We are monitoring the system."),
    listed in a collapsed backlog or digest, was labelled "रखरखाव जारी" / "maintenance in progress"."""
    from render import kind_label

    document = json.loads((DATA / "datocms_2025-10-10-maintenance-on-our-billing-system.json").read_text("utf-8"))
    (update,) = [u for u in document["scheduled_maintenances"][0]["incident_updates"] if u["status"] == "verifying"]
    statement = {"status": update["status"], "text": update["body"]}
    assert kind_label("maintenance", "in_progress", "hi", statement) == "रखरखाव पूरा, जाँच जारी"
    assert kind_label("maintenance", "in_progress", "en", statement) == "maintenance done, being verified"
    assert kind_label("maintenance", "in_progress", "en", {"status": "in_progress", "text": "Still going"}) == \
        "maintenance in progress"


def backlog_of(said: str, words: str) -> str:
    """The one collapsed backlog ("📋 …") in ``said`` that quotes ``words``: from its headline to the next message."""
    (block,) = [b for b in said.split("── [desk]") if b.lstrip("─ \n").startswith("📋") and words in b]
    return block


def test_an_unplanned_maintenance_in_a_collapsed_backlog_is_not_called_planned(server: Any, tmp_path: Path) -> None:
    """Symantec WSS's history feed (10 December 2019) read whole, so the first poll collapses each incident's backlog:
    "Unplanned Reporting Infrastructure Maintenance on October 24, 2019" ("An unplanned reporting infrastructure
    maintenance will occur in our Frankfurt data center on October 24, 2019, starting at 18:00 UTC", extended to
    21:00 UTC) was told "📋 … नियोजित रखरखाव (मेंटेनेंस) — अब तक के बयान (4)" / "planned maintenance", "यह पहले से तय
    काम है" / "This is planned work", its announcement labelled "नियोजित रखरखाव की सूचना". The company calls it
    unplanned; its window, 18:00-21:00 UTC, is 11:30 PM-2:30 AM IST."""
    feed = (Path(__file__).parent / "data" / "feeds" / "symantec_wss_history_2019-12-10.atom").read_bytes()
    server.route("/history.atom", feed, headers={"Content-Type": "application/xml"})
    config = write_config(tmp_path, [{"id": "feed", "kind": "feed", "service": "Symantec WSS",
                                      "url": server.url + "/history.atom", "backfill": "all"}], channels=[DESK_CHANNEL])
    poll = run_bot("poll", "--once", "--config", str(config))
    assert poll.returncode == 0, poll.stderr
    block = backlog_of(poll.stdout, "An unplanned reporting infrastructure maintenance will occur")
    assert "नियोजित रखरखाव" not in block.replace("अनियोजित", "") and "यह पहले से तय काम" not in block
    assert "planned maintenance" not in block.replace("unplanned", "") and "This is planned work" not in block
    assert "📋 Symantec WSS: अनियोजित (आपात) रखरखाव (मेंटेनेंस) — अब तक के बयान (4)\nकंपनी ने इसे अनियोजित (आपात) " \
           "रखरखाव बताया है, पहले से घोषित काम नहीं। तय समय: गुरुवार रात 11:30 बजे से देर रात 2:30 बजे तक (24–25 " \
           "अक्टूबर, भारतीय समय)।" in block
    assert "📋 Symantec WSS: unplanned (emergency) maintenance, statements so far (4)\nThe company calls it unplanned " \
           "(emergency) maintenance, not work announced in advance." in block
    assert "— अनियोजित रखरखाव की सूचना:\n“An unplanned reporting infrastructure maintenance" in block


def test_a_window_on_one_utc_date_names_that_date_once(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Scheduled database maintenance [UPDATED]": scheduledTime 2020-10-10T22:30:19Z, 10 minutes, i.e.
    22:30-22:40 UTC on 10 October, 4:00-4:10 AM IST on Sunday 11 October. The English said "(22:30 UTC 10 October –
    22:40 UTC 10 October)"; a moment is "(22:11 UTC, 10 October)" in the same messages."""
    poll, record = poll_maintenance(server, tmp_path, "datocms_2020-09-24-scheduled-database-maintenance")
    assert record["window"] == {"start": "2020-10-10T22:30:19Z", "end": "2020-10-10T22:40:19Z"}
    assert "22:30 UTC 10 October – 22:40 UTC 10 October" not in poll.stdout
    assert "from Sunday 11 October, 4:00 AM to 4:10 AM IST (22:30–22:40 UTC, 10 October)" in poll.stdout
    assert "रविवार तड़के 4 बजे से 4:10 बजे तक (11 अक्टूबर, भारतीय समय)" in poll.stdout


def test_a_window_within_one_calendar_day_names_the_day_once_in_english(server: Any, tmp_path: Path) -> None:
    """Symantec WSS 3191806 ("Network Maintenance in Mumbai (BOM1) Data Center November 9, 2019"): "Start Date:
    November 9, 2019 at 19:00 UTC … End Date: November 10, 2019 at 07:00 UTC", 12:30 AM to 12:30 PM IST, both on
    Sunday 10 November. The English said "from Sunday 10 November, 12:30 AM to Sunday 10 November, 12:30 PM IST";
    the Hindi, whose night belongs to the evening before, rightly names two days ("शनिवार देर रात 12:30 बजे से रविवार
    दोपहर 12:30 बजे तक")."""
    from test_desk_feeds_real import poll_feed

    poll, record = poll_feed(server, tmp_path, "symantec_wss_history_2019-12-10.atom", "3191806")
    assert record["window"] == {"start": "2019-11-09T19:00:00Z", "end": "2019-11-10T07:00:00Z"}
    assert "to Sunday 10 November, 12:30 PM" not in poll.stdout
    assert "from Sunday 10 November, 12:30 AM to 12:30 PM IST (19:00 UTC 9 November – 07:00 UTC 10 November)" \
        in poll.stdout
    assert "शनिवार देर रात 12:30 बजे से रविवार दोपहर 12:30 बजे तक (10 नवंबर, भारतीय समय)" in poll.stdout


def test_a_completion_posted_long_after_the_window_is_not_told_as_the_end_of_the_work(server: Any,
                                                                                      tmp_path: Path) -> None:
    """DatoCMS "Transactional email service maintenance": window Saturday 27 June 2020, 14:00-16:00 UTC (7:30-9:30
    PM IST); its "Completed" update was posted on Monday 29 June at 07:27 UTC (12:57 PM IST), a day and a half after
    the window. The thread's card read "✅ DatoCMS: नियोजित रखरखाव (मेंटेनेंस) पूरा — सोमवार दोपहर 12:57 बजे" /
    "planned maintenance completed — Monday 29 June, 12:57 PM IST", as if the work had ended then. By DatoCMS's
    account the work was scheduled for Saturday evening; Monday is when it posted the completion. The card gives
    both."""
    poll, record = poll_maintenance(server, tmp_path, "datocms_2020-06-18-transactional-email-service-maintenance")
    assert record["kind"] == "maintenance" and record["status"] == "resolved"
    assert "पूरा — सोमवार दोपहर 12:57 बजे" not in poll.stdout
    assert "completed — Monday 29 June, 12:57 PM IST" not in poll.stdout
    assert "✅ DatoCMS: नियोजित रखरखाव (मेंटेनेंस) पूरा — तय समय शनिवार शाम 7:30 बजे से रात 9:30 बजे तक (27 जून, " \
           "भारतीय समय); पूरा होने की सूचना सोमवार दोपहर 12:57 बजे (29 जून) दी" in poll.stdout
    assert "✅ DatoCMS: planned maintenance completed — scheduled from Saturday 27 June, 7:30 PM to 9:30 PM IST " \
           "(14:00–16:00 UTC); completion posted Monday 29 June, 12:57 PM IST" in poll.stdout


def test_a_completion_posted_within_the_hour_keeps_its_short_card(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Scheduled database maintenance [DOWNTIME REQUIRED]", 6 October 2024: window 08:00-08:15 UTC (1:30-1:45
    PM IST), "Completed" posted at 11:14 UTC (4:44 PM IST), three hours after the window: the long card. The same
    page's 12 November 2022 maintenance (window 16:00-16:15 UTC, completed 17:03 UTC, 48 min after) keeps the short
    one: the completion's time reads as the end of the work."""
    poll, _ = poll_maintenance(server, tmp_path, "datocms_2024-09-20-scheduled-database-maintenance-downtime-required")
    assert "; completion posted Sunday 6 October, 4:44 PM IST" in poll.stdout
    (tmp_path / "2022").mkdir()
    poll, _ = poll_maintenance(server, tmp_path / "2022",
                               "datocms_2022-11-04-scheduled-database-maintenance-downtime-required")
    assert "✅ DatoCMS: planned maintenance completed — Saturday 12 November, 10:33 PM IST;" in poll.stdout
    assert "✅ DatoCMS: नियोजित रखरखाव (मेंटेनेंस) पूरा — शनिवार रात 10:33 बजे (12 नवंबर);" in poll.stdout
    assert "completion posted" not in poll.stdout
