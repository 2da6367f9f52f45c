"""Real planned maintenances whose company changed the window or said the work needs downtime, read as a news desk
would: the scheduled events of Symantec WSS's history feed (tests/data/feeds/symantec_wss_history_2019-12-10.atom)
and DatoCMS's maintenances (tests/data/maintenance_real, see its README), each served locally and read through
``bot.py poll --once`` (backfill all, a Hindi + English console channel). The facts asserted are read from the
source documents, not from the bot's output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_desk_feeds_real import poll_feed
from test_desk_maintenance_real import poll_maintenance

SYMANTEC = "symantec_wss_history_2019-12-10.atom"


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
