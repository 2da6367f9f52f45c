"""Real incidents of the classifier's held-out training pages (status.myemma.com, status.datocms.com,
status.openai.com, status.anthropic.com) read as a news desk would: each served locally as a Statuspage
``incidents.json`` (tests/data/training_real, converted faithfully: see its README), read through ``bot.py poll
--once`` and ``bot.py incidents --json`` (backfill all, a Hindi + English console channel). The facts asserted are
read from the source documents, not from the bot's output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pollhelpers import DESK_CHANNEL, run_bot, write_config

DATA = Path(__file__).parent / "data" / "training_real"
SERVICES = {"emma": "Emma", "datocms": "DatoCMS", "openai": "OpenAI", "anthropic": "Anthropic"}


def poll_page(server: Any, tmp_path: Path, name: str) -> tuple[Any, dict[str, Any]]:
    """Serve ``name`` (one incident) as a Statuspage page's incidents.json, poll it once with backfill all:
    (the completed poll, the one incident ``bot.py incidents --json`` lists)."""
    server.route("/api/v2/incidents.json", (DATA / f"{name}.json").read_bytes(),
                 headers={"Content-Type": "application/json"})
    source = {"id": "page", "kind": "statuspage", "service": SERVICES[name.split("_")[0]], "url": server.url,
              "backfill": "all"}
    config = write_config(tmp_path, [source], channels=[DESK_CHANNEL])
    poll = run_bot("poll", "--once", "--config", str(config))
    assert poll.returncode == 0, poll.stderr
    (record,) = [json.loads(line) for line in run_bot("incidents", "--json", "--config", str(config)).stdout.splitlines()]
    return poll, record


def test_statuspage_placeholder_is_not_a_component(server: Any, tmp_path: Path) -> None:
    """Emma 3m89ls8svt0r ("Intermittent errors and slowness navigating application", 23 June 2017): every update's
    ``affected_components`` is Statuspage's placeholder ``[{"name": "No components were affected by this
    update."}]``. The channel said "“No components were affected by this update.” की सेवा में धीमेपन की दिक्कत" /
    "No components were affected by this update. is slow". Emma named no part: the application was slow."""
    poll, record = poll_page(server, tmp_path, "emma_3m89ls8svt0r")
    assert "No components were affected" not in poll.stdout
    assert record["components"] == []
    assert record["resolved_at"] == "2017-06-23T21:41:00Z"
    assert record["told"]["duration_seconds"] == (8 * 60 + 33) * 60


def test_a_stated_start_and_length_give_the_end(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Incident Report - API Outage on December 2, 2025": its one statement, Resolved on 3 December 11:44
    UTC, reads "On December 2 at 13:13 CET, our API was unavailable for 9 minutes during a deployment". The channel
    took the start (12:13 UTC, 5:43 PM IST) and ended the trouble at the report: "दिक्कत लगभग 23 घंटे 31 मिनट तक
    रही" / "It lasted about 23 h 31 min". By DatoCMS's account it lasted 9 minutes, to 12:22 UTC (5:52 PM IST)."""
    poll, record = poll_page(server, tmp_path, "datocms_2025-12-03-incident-report-api-outage")
    assert (record["started_at"], record["started_from"]) == ("2025-12-02T12:13:00Z", "text")
    assert (record["resolved_at"], record["resolved_from"]) == ("2025-12-02T12:22:00Z", "text")
    assert record["told"]["duration_seconds"] == 9 * 60
    assert "23 घंटे 31 मिनट" not in poll.stdout and "23 h 31 min" not in poll.stdout
    assert "कंपनी के मुताबिक दिक्कत मंगलवार शाम 5:43 बजे शुरू हुई थी। दिक्कत लगभग 9 मिनट तक रही।" in poll.stdout
    assert "By its account service was back on Tuesday 2 December, 5:52 PM." in poll.stdout
    assert "It lasted about 9 min." in poll.stdout


def test_an_update_saying_service_has_been_fully_restored_is_not_still_working(server: Any, tmp_path: Path) -> None:
    """Anthropic qn4crqd8ym36 ("High error rates affecting inference", 6 August 2024): after "A fix has been
    implemented and we are monitoring the results" (03:41 UTC), the update of 03:43 UTC, labelled Investigating,
    reads "We experienced elevated error rates … This lasted from 8:27 PST through to 8:36 PST. Service has now been
    fully restored." The channel said "🟠 नया अपडेट, काम जारी" / "update, still working on it". By Anthropic's
    account it was over: 03:27–03:36 UTC (8:57–9:06 AM IST), 9 minutes."""
    poll, record = poll_page(server, tmp_path, "anthropic_qn4crqd8ym36")
    assert "posted an update on its status page on Tuesday 6 August, 9:13 AM IST" not in poll.stdout
    assert "✅ Anthropic (Claude): said to be fixed\nAnthropic (Claude) said on its status page on Tuesday 6 August, " \
           "9:13 AM IST (03:43 UTC) that service is fully operational again and the problem is resolved." in poll.stdout
    assert "एंथ्रोपिक (क्लॉड) ने मंगलवार सुबह 9:13 बजे (6 अगस्त, भारतीय समय) अपने स्टेटस पेज पर बताया कि सेवा अब पूरी " \
           "तरह चालू है और समस्या दूर हो गई है।" in poll.stdout
    assert (record["started_at"], record["resolved_at"]) == ("2024-08-06T03:27:00Z", "2024-08-06T03:36:00Z")
    assert record["told"]["duration_seconds"] == 9 * 60


def test_components_the_page_marks_working_are_not_named_as_broken(server: Any, tmp_path: Path) -> None:
    """Emma xh0dgnswvwk5 ("Emma Application is currently down", 3 July 2018): "The Emma application is currently
    down for all users. Scheduled and automated sends are still going out as expected." Its updates mark 13
    "Web Application - …" components ``major_outage`` and list "Email Sending - Email Campaigns", "… - Automated
    Mailings", "… - Test Emails" and "Web Application - Response Collection" only as ``operational``. The channel
    named all 17 ("… और 13 अन्य सेवाओं में दिक्कत"), email sending among what broke."""
    poll, record = poll_page(server, tmp_path, "emma_xh0dgnswvwk5")
    assert not [c for c in record["components"] if c.startswith("Email Sending")]
    assert "Web Application - Response Collection" not in record["components"]
    assert len(record["components"]) == 13
    assert "Email Sending" not in poll.stdout
    assert "“Web Application - Signup Form Editor” और 9 अन्य सेवाओं में दिक्कत, कंपनी ने माना" in poll.stdout
    assert (record["started_at"], record["resolved_at"]) == ("2018-07-03T20:58:13Z", "2018-07-03T23:28:43Z")
