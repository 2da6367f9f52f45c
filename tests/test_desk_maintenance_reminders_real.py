"""Real planned maintenances whose company posted a second word while the work was still only scheduled, changing
nothing (DatoCMS's maintenances, tests/data/maintenance_real, see its README): a reminder ("The scheduled maintenance
will start in about 2 hours", "Maintenance will be executed at scheduled time.", "Preparing for maintenance") or the
announcement repeated. Each is served locally and read through ``bot.py poll --once`` (backfill all, a Hindi +
English console channel). The facts asserted are read from the source documents, not from the bot's output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pollhelpers import DESK_CHANNEL, run_bot, write_config
from test_desk_maintenance_real import DATA, backlog_of, poll_maintenance


def test_a_reminder_is_not_told_as_a_second_announcement(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Scheduled database maintenance [DOWNTIME REQUIRED]" (2024-09-20): announced with scheduledTime
    2024-10-06T08:00:00Z, 15 minutes (08:00-08:15 UTC, Sunday 6 October 1:30-1:45 PM IST); its update of 2024-10-06
    05:44:41 UTC (11:14 AM IST), status scheduled, reads "The scheduled maintenance will start in about 2 hours". The
    channel told it "🛠 … नियोजित रखरखाव (मेंटेनेंस) की सूचना … किया जाएगा" / "planned maintenance scheduled … that
    it will carry out planned maintenance", a second first announcement to a desk."""
    poll, _ = poll_maintenance(server, tmp_path, "datocms_2024-09-20-scheduled-database-maintenance-downtime-required")
    said = poll.stdout
    # the announcement alone is told as one
    assert said.count("🛠 DatoCMS: planned maintenance scheduled\n") == 1
    assert said.count("🛠 DatoCMS: नियोजित रखरखाव (मेंटेनेंस) की सूचना\n") == 1
    assert "on Sunday 6 October, 11:14 AM IST (05:44 UTC) that it will carry out" not in said
    assert "🛠 DatoCMS: planned maintenance reminder\nDatoCMS said on its status page on Sunday 6 October, 11:14 AM " \
           "IST (05:44 UTC) that its planned maintenance, announced earlier, is still scheduled from Sunday 6 October, " \
           "1:30 PM to 1:45 PM IST (08:00–08:15 UTC).\nThis is planned work, not an unexpected outage. The company " \
           "says the service will be unavailable during the window." in said
    assert "🛠 DatoCMS: नियोजित रखरखाव (मेंटेनेंस) की याद दिलाई\nDatoCMS ने रविवार सुबह 11:14 बजे (6 अक्टूबर, भारतीय " \
           "समय) अपने स्टेटस पेज पर पहले घोषित नियोजित रखरखाव (मेंटेनेंस) की याद दिलाई: काम पहले बताए समय पर ही, " \
           "रविवार दोपहर 1:30 बजे से 1:45 बजे तक (6 अक्टूबर, भारतीय समय) होगा।" in said
    # the company's words quoted as always
    assert "DatoCMS wrote:\n“The scheduled maintenance will start in about 2 hours”" in said


def test_a_word_that_the_work_goes_ahead_as_planned_is_a_reminder(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Scheduled database maintenance [DOWNTIME REQUIRED]" (2022-11-04): scheduledTime
    2022-11-12T16:00:11Z, 15 minutes (16:00-16:15 UTC, Saturday 12 November 9:30-9:45 PM IST); update of 13:43:42
    UTC (7:13 PM IST), status scheduled: "Maintenance will be executed at scheduled time." And "Scheduled database
    upgrade" (2020-02-26): scheduledTime 2020-02-27T07:00:00Z, 5 minutes (12:30-12:35 PM IST); update of 06:25:47 UTC
    (Thursday 27 February 11:55 AM IST), status scheduled: "Preparing for maintenance". Both were told as a new
    announcement."""
    poll, _ = poll_maintenance(server, tmp_path, "datocms_2022-11-04-scheduled-database-maintenance-downtime-required")
    assert poll.stdout.count("planned maintenance scheduled\n") == 1
    assert "🛠 DatoCMS: planned maintenance reminder\nDatoCMS said on its status page on Saturday 12 November, 7:13 PM " \
           "IST (13:43 UTC) that its planned maintenance, announced earlier, is still scheduled from Saturday 12 " \
           "November, 9:30 PM to 9:45 PM IST (16:00–16:15 UTC)." in poll.stdout
    assert "DatoCMS ने शनिवार शाम 7:13 बजे (12 नवंबर, भारतीय समय) अपने स्टेटस पेज पर पहले घोषित नियोजित रखरखाव " \
           "(मेंटेनेंस) की याद दिलाई: काम पहले बताए समय पर ही, शनिवार रात 9:30 बजे से 9:45 बजे तक (12 नवंबर, भारतीय " \
           "समय) होगा।" in poll.stdout
    (tmp_path / "upgrade").mkdir()
    poll, _ = poll_maintenance(server, tmp_path / "upgrade", "datocms_2020-02-26-scheduled-database-upgrade")
    assert poll.stdout.count("planned maintenance scheduled\n") == 1
    assert "🛠 DatoCMS: planned maintenance reminder\nDatoCMS said on its status page on Thursday 27 February, 11:55 " \
           "AM IST (06:25 UTC) that its planned maintenance, announced earlier, is still scheduled from Thursday 27 " \
           "February, 12:30 PM to 12:35 PM IST (07:00–07:05 UTC)." in poll.stdout


def test_an_announcement_repeated_is_a_reminder(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Database maintenance" (2019-10-30): announced "Our DB needs maintenance from Heroku. During our
    maintenance window 2019-11-10 00:00 - 04:00 UTC Heroku will create a hidden DB follower … This should not cause any
    downtime."; its update of 2019-11-10 11:00 UTC (Sunday 4:30 PM IST), status scheduled, repeats those words from
    "During our maintenance window" on, the same window (scheduledTime 11:00 UTC, 240 minutes: 4:30-8:30 PM IST; the
    source's words and its fields disagree, README). Told as a second announcement; it announces nothing new."""
    poll, _ = poll_maintenance(server, tmp_path, "datocms_2019-10-30-database-maintenance")
    assert poll.stdout.count("planned maintenance scheduled\n") == 1
    assert "🛠 DatoCMS: planned maintenance reminder\nDatoCMS said on its status page on Sunday 10 November, 4:30 PM " \
           "IST (11:00 UTC) that its planned maintenance, announced earlier, is still scheduled from Sunday 10 " \
           "November, 4:30 PM to 8:30 PM IST (11:00–15:00 UTC)." in poll.stdout
    # the company says it should not cause downtime: not "may be affected", nor unavailable
    assert "unavailable" not in poll.stdout


def test_a_reminder_in_a_collapsed_backlog_is_labelled_a_reminder(server: Any, tmp_path: Path) -> None:
    """All the DatoCMS maintenances of tests/data/maintenance_real served in one scheduled-maintenances.json, so
    the first poll collapses each one's backlog: the 2024-09-20 update "The scheduled maintenance will start in about 2
    hours" was listed as "नियोजित रखरखाव की सूचना" / "maintenance scheduled", like the announcement above it."""
    documents = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(DATA.glob("datocms_*.json"))]
    page = documents[0]["page"]
    maintenances = [m for d in documents for m in d["scheduled_maintenances"]]
    json_type = {"Content-Type": "application/json"}
    server.route("/api/v2/scheduled-maintenances.json",
                 json.dumps({"page": page, "scheduled_maintenances": maintenances}).encode(), headers=json_type)
    server.route("/api/v2/incidents.json", json.dumps({"page": page, "incidents": []}).encode(), headers=json_type)
    config = write_config(tmp_path, [{"id": "page", "kind": "statuspage", "service": "DatoCMS", "url": server.url,
                                      "backfill": "all"}], channels=[DESK_CHANNEL])
    poll = run_bot("poll", "--once", "--config", str(config))
    assert poll.returncode == 0, poll.stderr
    block = backlog_of(poll.stdout, "The scheduled maintenance will start in about 2 hours")
    assert "— रखरखाव की याद दिलाई:\n“The scheduled maintenance will start in about 2 hours”" in block
    assert "— maintenance reminder:\n“The scheduled maintenance will start in about 2 hours”" in block
    # the announcement keeps its label
    assert "— maintenance scheduled:\n“We're going to upgrade our databases" in block


def test_more_reminders_in_the_words_datocms_used(server: Any, tmp_path: Path) -> None:
    """Two more DatoCMS reminders: "Scheduled database maintenance [DOWNTIME REQUIRED]" (2023-04-18), scheduledTime
    2023-04-29T13:00:00Z, 60 minutes (Saturday 29 April 6:30-7:30 PM IST), update of 12:00:05 UTC (5:30 PM IST),
    status scheduled: "Maintenance starting in 1 hour"; "🛠️ Scheduled maintenance [ ⚠️ DOWNTIME REQUIRED ]"
    (2025-07-31), scheduledTime 2025-08-30T05:50:42Z, 120 minutes (05:50-07:50 UTC, Saturday 30 August 11:20 AM-1:20
    PM IST), update of 05:41:24 UTC (11:11 AM IST), status scheduled: "Maintenance is about to start"."""
    for name, said_en, said_hi in (
            ("datocms_2023-04-18-scheduled-database-maintenance-downtime-required",
             "on Saturday 29 April, 5:30 PM IST (12:00 UTC) that its planned maintenance, announced earlier, is still "
             "scheduled from Saturday 29 April, 6:30 PM to 7:30 PM IST (13:00–14:00 UTC).",
             "DatoCMS ने शनिवार शाम 5:30 बजे (29 अप्रैल, भारतीय समय) अपने स्टेटस पेज पर पहले घोषित नियोजित रखरखाव "
             "(मेंटेनेंस) की याद दिलाई: काम पहले बताए समय पर ही, शनिवार शाम 6:30 बजे से 7:30 बजे तक (29 अप्रैल, "
             "भारतीय समय) होगा।"),
            ("datocms_2025-07-31-scheduled-maintenance-downtime-required",
             "on Saturday 30 August, 11:11 AM IST (05:41 UTC) that its planned maintenance, announced earlier, is still "
             "scheduled from Saturday 30 August, 11:20 AM to 1:20 PM IST (05:50–07:50 UTC).",
             "DatoCMS ने शनिवार सुबह 11:11 बजे (30 अगस्त, भारतीय समय) अपने स्टेटस पेज पर पहले घोषित नियोजित रखरखाव "
             "(मेंटेनेंस) की याद दिलाई: काम पहले बताए समय पर ही, शनिवार सुबह 11:20 बजे से दोपहर 1:20 बजे तक (30 "
             "अगस्त, भारतीय समय) होगा।")):
        (tmp_path / name).mkdir()
        poll, _ = poll_maintenance(server, tmp_path / name, name)
        assert poll.stdout.count("planned maintenance scheduled\n") == 1
        assert "🛠 DatoCMS: planned maintenance reminder\nDatoCMS said on its status page " + said_en in poll.stdout
        assert "🛠 DatoCMS: नियोजित रखरखाव (मेंटेनेंस) की याद दिलाई\n" + said_hi in poll.stdout


def test_a_longer_duration_in_the_companys_words_is_an_extension_not_a_reminder(server: Any, tmp_path: Path) -> None:
    """DatoCMS "🛠️ Scheduled database maintenance [ ⚠️ DOWNTIME REQUIRED ] - EDITED" (2025-01-11), scheduledTime
    2025-01-26T09:00:14Z, 60 minutes (Sunday 26 January 2:30-3:30 PM IST); its update of 2025-01-21 12:50:33 UTC
    (Tuesday 6:20 PM IST), status scheduled: "Based on your feedback, we have revised our maintenance approach … Key
    Changes: … Total duration increased from 45 to 60 minutes". The channel told it as a second announcement (and,
    read as a word that changes nothing, it would be a reminder); the company says the work was lengthened."""
    poll, _ = poll_maintenance(server, tmp_path, "datocms_2025-01-11-scheduled-database-maintenance-downtime-required")
    said = poll.stdout
    assert said.count("planned maintenance scheduled\n") == 1 and "reminder" not in said
    assert "🛠 DatoCMS: planned maintenance extended\nDatoCMS said on its status page on Tuesday 21 January, 6:20 PM " \
           "IST (12:50 UTC) that its planned maintenance has been extended: it is now scheduled from Sunday 26 January, " \
           "2:30 PM to 3:30 PM IST (09:00–10:00 UTC)." in said
    assert "🛠 DatoCMS: नियोजित रखरखाव (मेंटेनेंस) का समय बढ़ाया गया\nDatoCMS ने मंगलवार शाम 6:20 बजे (21 जनवरी, " \
           "भारतीय समय) अपने स्टेटस पेज पर बताया कि नियोजित रखरखाव (मेंटेनेंस) का समय बढ़ा दिया गया है: अब यह रविवार " \
           "दोपहर 2:30 बजे से 3:30 बजे तक (26 जनवरी, भारतीय समय) चलेगा।" in said


def test_a_reminder_on_the_history_site_is_labelled_a_reminder(server: Any, tmp_path: Path) -> None:
    """The same 2024-09-20 update ("The scheduled maintenance will start in about 2 hours", 2024-10-06 05:44 UTC,
    status scheduled) on the maintenance's page of ``bot.py site``: labelled "नियोजित रखरखाव की सूचना · maintenance
    scheduled", like the announcement of 2024-09-20 above it. The site labelled statements by their stage alone: its
    Verifying update of 08:13 UTC, "Maintenance completed. We are monitoring.", was "maintenance in progress" there
    (a collapsed backlog says "maintenance done, being verified")."""
    from test_desk_site_real import site, text_of

    document = (DATA / "datocms_2024-09-20-scheduled-database-maintenance-downtime-required.json").read_text("utf-8")
    json_type = {"Content-Type": "application/json"}
    server.route("/api/v2/scheduled-maintenances.json", document.encode(), headers=json_type)
    server.route("/api/v2/incidents.json", json.dumps({"page": json.loads(document)["page"], "incidents": []}).encode(),
                 headers=json_type)
    config = write_config(tmp_path, [{"id": "page", "kind": "statuspage", "service": "DatoCMS", "url": server.url,
                                      "backfill": "all"}], channels=[DESK_CHANNEL], bot={"timezone": "Asia/Kolkata"})
    poll = run_bot("poll", "--once", "--config", str(config))
    assert poll.returncode == 0, poll.stderr
    (page,) = [text_of(p.read_text("utf-8")) for p in (site(config, tmp_path, "2024-10-07") / "incidents").glob("*.html")]
    assert "2024-10-06 05:44 UTC रखरखाव की याद दिलाई · maintenance reminder (scheduled) The scheduled maintenance will " \
           "start in about 2 hours" in page
    assert "2024-09-20 00:00 UTC नियोजित रखरखाव की सूचना · maintenance scheduled (scheduled)" in page
    assert "2024-10-06 08:13 UTC रखरखाव पूरा, जाँच जारी · maintenance done, being verified (verifying) Maintenance " \
           "completed. We are monitoring." in page
