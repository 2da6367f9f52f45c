"""Real planned maintenances whose company changed the window or said the work needs downtime, read as a news desk
would: the scheduled events of Symantec WSS's history feed (tests/data/feeds/symantec_wss_history_2019-12-10.atom)
and DatoCMS's maintenances (tests/data/maintenance_real, see its README), each served locally and read through
``bot.py poll --once`` (backfill all, a Hindi + English console channel). The facts asserted are read from the
source documents, not from the bot's output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pollhelpers import DESK_CHANNEL, run_bot, write_config
from test_desk_feeds_real import poll_feed
from test_desk_maintenance_real import backlog_of, poll_maintenance

SYMANTEC = "symantec_wss_history_2019-12-10.atom"


def test_an_extended_window_is_told_as_extended_with_the_window_before(server: Any, tmp_path: Path) -> None:
    """Symantec WSS 3136488 ("Unplanned Reporting Infrastructure Maintenance on October 24, 2019"). Its notice of
    23 October 19:56 UTC gives "Original Schedule Start Date: October 24, 2019, at 18:00 UTC End Date: October 24,
    2019, at 20:00 UTC" (11:30 PM to 1:30 AM IST); its update of 24 October 17:47 UTC (11:17 PM IST) reads "We have
    extended the maintenance period to the below maintenance scheduled: Updated Schedule Start Date: October 24,
    2019, at 18:00 UTC End Date: October 24, 2019, at 21:00 UTC" (to 2:30 AM IST). The channel told the update as
    "🛠 … unplanned (emergency) maintenance scheduled … will carry out … (18:00–21:00 UTC)", as if first announced,
    and told the first notice with the extended window, 18:00–21:00, which it did not give."""
    poll, record = poll_feed(server, tmp_path, SYMANTEC, "3136488")
    assert record["window"] == {"start": "2019-10-24T18:00:00Z", "end": "2019-10-24T21:00:00Z"}
    said = poll.stdout
    # the first notice, with its own window
    assert "on Thursday 24 October, 1:26 AM IST (19:56 UTC, 23 October) that it will carry out unplanned (emergency) " \
           "maintenance from Thursday 24 October, 11:30 PM to Friday 25 October, 1:30 AM IST (18:00–20:00 UTC)." in said
    assert "(24 अक्टूबर, भारतीय समय) अपने स्टेटस फीड में बताया कि गुरुवार रात 11:30 बजे से देर रात 1:30 बजे तक (24–25 " \
           "अक्टूबर, भारतीय समय) अनियोजित (आपात) रखरखाव (मेंटेनेंस) किया जाएगा।" in said
    # the update: an extension, now to 21:00 UTC, before to 20:00 UTC
    assert "on Thursday 24 October, 11:17 PM IST (17:47 UTC) that it will carry out" not in said
    assert "🛠 Symantec WSS: unplanned (emergency) maintenance extended\nSymantec WSS said in its status feed on " \
           "Thursday 24 October, 11:17 PM IST (17:47 UTC) that its unplanned (emergency) maintenance has been " \
           "extended: it is now scheduled from Thursday 24 October, 11:30 PM to Friday 25 October, 2:30 AM IST " \
           "(18:00–21:00 UTC). It had been scheduled from Thursday 24 October, 11:30 PM to Friday 25 October, 1:30 " \
           "AM IST (18:00–20:00 UTC)." in said
    assert "🛠 Symantec WSS: अनियोजित (आपात) रखरखाव (मेंटेनेंस) का समय बढ़ाया गया\nSymantec WSS ने गुरुवार रात 11:17 " \
           "बजे (24 अक्टूबर, भारतीय समय) अपने स्टेटस फीड में बताया कि अनियोजित (आपात) रखरखाव (मेंटेनेंस) का समय बढ़ा " \
           "दिया गया है: अब यह गुरुवार रात 11:30 बजे से देर रात 2:30 बजे तक (24–25 अक्टूबर, भारतीय समय) चलेगा। पहले " \
           "इसका समय गुरुवार रात 11:30 बजे से देर रात 1:30 बजे तक (24–25 अक्टूबर, भारतीय समय) बताया गया था।" in said


def test_an_extension_without_a_window_is_told_as_an_extension(server: Any, tmp_path: Path) -> None:
    """Symantec WSS 3101722 ("Web Security Service Maintenance Announcement"): announced 14 October 2019 ("The
    maintenance window will run from October 21, 2019, with an estimated completion date of November 15, 2019");
    its Update of 11 November 21:23 UTC (2:53 AM IST on the 12th) reads "The previously announced deployment
    communicated on October 14, 2019 has been extended to December 6, 2019." The channel told it "🛠 … planned
    maintenance scheduled … announced planned maintenance", a second first announcement."""
    poll, _ = poll_feed(server, tmp_path, SYMANTEC, "3101722")
    assert "announced planned maintenance in its status feed on Tuesday 12 November" not in poll.stdout
    assert "🛠 Symantec WSS: planned maintenance extended\nSymantec WSS said in its status feed on Tuesday 12 " \
           "November, 2:53 AM IST (21:23 UTC, 11 November) that its planned maintenance has been extended; its " \
           "statement gives the new time." in poll.stdout
    assert "🛠 Symantec WSS: नियोजित रखरखाव (मेंटेनेंस) का समय बढ़ाया गया\nSymantec WSS ने सोमवार देर रात 2:53 बजे (12 " \
           "नवंबर, भारतीय समय) अपने स्टेटस फीड में बताया कि नियोजित रखरखाव (मेंटेनेंस) का समय बढ़ा दिया गया है; नया समय " \
           "कंपनी के बयान में देखें।" in poll.stdout


def test_a_postponed_maintenance_is_told_as_postponed(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Scheduled database maintenance [UPDATED]": its announcement begins "UPDATED: Maintenance postponed to
    11th October."; scheduledTime 2020-10-10T22:30:19Z, 10 minutes: 22:30-22:40 UTC, 4:00-4:10 AM IST on Sunday 11
    October. The channel told it "planned maintenance scheduled … will carry out planned maintenance from Sunday 11
    October", as if first set for then."""
    poll, _ = poll_maintenance(server, tmp_path, "datocms_2020-09-24-scheduled-database-maintenance")
    assert "that it will carry out planned maintenance" not in poll.stdout
    assert "🛠 DatoCMS: planned maintenance postponed\n" in poll.stdout
    assert "that its planned maintenance has been postponed: it is now scheduled from Sunday 11 October, 4:00 AM to " \
           "4:10 AM IST (22:30–22:40 UTC, 10 October)." in poll.stdout
    assert "🛠 DatoCMS: नियोजित रखरखाव (मेंटेनेंस) टला\n" in poll.stdout
    assert "अपने स्टेटस पेज पर बताया कि नियोजित रखरखाव (मेंटेनेंस) टाल दिया गया है: अब यह रविवार तड़के 4 बजे से 4:10 " \
           "बजे तक (11 अक्टूबर, भारतीय समय) होगा।" in poll.stdout


def test_an_extension_in_a_collapsed_backlog_is_labelled_extended(server: Any, tmp_path: Path) -> None:
    """The whole Symantec WSS feed read at once, so each incident's backlog is collapsed: 3136488's update "We have
    extended the maintenance period …" was listed as "नियोजित रखरखाव की सूचना" / "unplanned maintenance announced"."""
    feed = (Path(__file__).parent / "data" / "feeds" / SYMANTEC).read_bytes()
    server.route("/history.atom", feed, headers={"Content-Type": "application/xml"})
    config = write_config(tmp_path, [{"id": "feed", "kind": "feed", "service": "Symantec WSS",
                                      "url": server.url + "/history.atom", "backfill": "all"}], channels=[DESK_CHANNEL])
    poll = run_bot("poll", "--once", "--config", str(config))
    assert poll.returncode == 0, poll.stderr
    block = backlog_of(poll.stdout, "We have extended the maintenance period")
    assert "— रखरखाव का समय बढ़ा:\n“We have extended the maintenance period" in block
    assert "— maintenance extended:\n“We have extended the maintenance period" in block


def test_downtime_the_company_requires_is_said_in_our_words(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Scheduled database maintenance [DOWNTIME REQUIRED]", 6 October 2024: "During this period of time the
    Content Management API, Content Delivery API and projects administrative interface will be completely
    unavailable." The channel said only "इस दौरान सेवा पर असर पड़ सकता है" / "the service may be affected" when the
    work started, and nothing of it in the announcement."""
    poll, _ = poll_maintenance(server, tmp_path, "datocms_2024-09-20-scheduled-database-maintenance-downtime-required")
    assert "सेवा पर असर पड़ सकता है" not in poll.stdout and "may be affected" not in poll.stdout
    assert "यह पहले से तय काम है, अचानक आई खराबी (आउटेज) नहीं। कंपनी के मुताबिक इस दौरान सेवा उपलब्ध नहीं रहेगी।" \
        in poll.stdout
    assert "This is planned work, not an unexpected outage. The company says the service will be unavailable during " \
           "the window." in poll.stdout
    assert "यह पहले से तय काम है, अचानक आई खराबी (आउटेज) नहीं; कंपनी के मुताबिक इस दौरान सेवा उपलब्ध नहीं रहेगी।" \
        in poll.stdout
    assert "This is planned work, not an unexpected outage; the company says the service will be unavailable while " \
           "it lasts." in poll.stdout


def test_a_brief_outage_in_a_long_window_is_told_as_brief(server: Any, tmp_path: Path) -> None:
    """Symantec WSS 3191806 (Mumbai, 9-10 November 2019), a 12-hour window: "Impact There will be a brief outage
    during the maintenance window." Told as "the service may be affected"; the company says there will be an
    outage, a brief one: not unavailable for the twelve hours."""
    poll, _ = poll_feed(server, tmp_path, SYMANTEC, "3191806")
    assert "may be affected" not in poll.stdout and "will be unavailable" not in poll.stdout
    assert "कंपनी के मुताबिक इस दौरान सेवा कुछ देर के लिए बंद रहेगी।" in poll.stdout
    assert "The company says the service will be briefly unavailable during the window." in poll.stdout


def test_downtime_is_said_only_when_the_company_says_it(server: Any, tmp_path: Path) -> None:
    """Three maintenances whose words do not say the service will be down: Symantec WSS 3303061 (Tel Aviv,
    18 December 2019) "There may be a brief outage during the maintenance window"; 3289862 (Chennai) "No impact
    expected."; DatoCMS 2019-10-30 "Database maintenance" "This should not cause any downtime.". None is told as
    unavailable."""
    for name, entry in ((SYMANTEC, "3303061"), (SYMANTEC, "3289862")):
        (tmp_path / entry).mkdir()
        poll, _ = poll_feed(server, tmp_path / entry, name, entry)
        assert "उपलब्ध नहीं रहेगी" not in poll.stdout and "बंद रहेगी" not in poll.stdout
        assert "unavailable during" not in poll.stdout and "unavailable while" not in poll.stdout
    poll, _ = poll_maintenance(server, tmp_path, "datocms_2019-10-30-database-maintenance")
    assert "उपलब्ध नहीं रहेगी" not in poll.stdout and "will be unavailable" not in poll.stdout
    assert "extended" not in poll.stdout and "postponed" not in poll.stdout
