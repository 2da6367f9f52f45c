"""Real incidents of DatoCMS's own status site (status.datocms.com, 2019–2026) never read before, read as a news desk
would: each served locally as a Statuspage ``incidents.json`` (tests/data/datocms_real, converted faithfully: see
its README), read through ``bot.py poll --once`` and ``bot.py incidents --json`` (backfill all, a Hindi + English
console channel). The facts asserted are read from the source documents, not from the bot's output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pollhelpers import poll_statuspage

DATA = Path(__file__).parent / "data" / "datocms_real"


def poll_page(server: Any, tmp_path: Path, name: str) -> tuple[Any, dict[str, Any]]:
    """Serve ``name`` (one incident) as DatoCMS's incidents.json, poll it once with backfill all: (the completed
    poll, the one incident ``bot.py incidents --json`` lists)."""
    return poll_statuspage(server, tmp_path, (DATA / f"{name}.json").read_bytes(), "DatoCMS")


def test_a_range_told_of_a_provider_is_not_a_forecast(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Retrospective - Performance issues with Graphql cache purging", posted Resolved 25 August 2020 06:10
    UTC: "Our CDN provider noted a performance issue with cache purging between Aug 24, 2020 - 23:10 UTC and Aug 25,
    2020 - 02:44 UTC. This may have caused a slowdown in purging the Graphql query cache." The channel said "कंपनी ने
    इससे पहले इस दिक्कत की सूचना नहीं दी थी, इसलिए यह कब शुरू हुई और कितनी देर रही, पता नहीं है" / "when it began and
    how long it lasted is not known": the word "provider" was read as "provide" (as in "we will provide an update
    by …"), a forecast, and the range was skipped. By DatoCMS's account: 23:10 UTC 24 August (4:40 AM IST, Tuesday
    25 August) to 02:44 UTC 25 August (8:14 AM IST), 3 h 34 min."""
    poll, record = poll_page(server, tmp_path, "datocms_2020-08-25-retrospective-graphql-cache-purging")
    assert (record["started_at"], record["started_from"]) == ("2020-08-24T23:10:00Z", "text")
    assert (record["resolved_at"], record["resolved_from"]) == ("2020-08-25T02:44:00Z", "text")
    assert record["told"]["duration_seconds"] == (3 * 60 + 34) * 60
    assert "कब शुरू हुई और कितनी देर रही, पता नहीं है" not in poll.stdout
    assert "when it began and how long it lasted is not known" not in poll.stdout
    assert "कंपनी के मुताबिक दिक्कत मंगलवार तड़के 4:40 बजे शुरू हुई थी। दिक्कत लगभग 3 घंटे 34 मिनट तक रही।" in poll.stdout
    assert "By the company's account the problem began at 4:40 AM. It lasted about 3 h 34 min." in poll.stdout


def test_a_queue_that_went_back_to_normal_at_a_time_ended_then(server: Any, tmp_path: Path) -> None:
    """DatoCMS "[Retrospective] Webhooks delay": Monitoring 2 October 2024 14:47 UTC "We noticed that since 10:30 UTC
    webhooks have been delivered with some excessive delay. The queue of webhooks went back to normal at 13:30 UTC.
    …", then Resolved 8 October 17:02 UTC "This issue can be closed now." The channel told the first word as a
    problem going on ("वेबहुक्स में धीमेपन की दिक्कत आ रही है") and the close as "resolved after 6 days 7 h (Wednesday,
    4:00 PM – Tuesday, 10:32 PM IST)": "went back to normal at" was not read as an end. By DatoCMS's account: 10:30
    to 13:30 UTC on 2 October (4:00 PM to 7:00 PM IST, Wednesday), 3 h, over before it was told."""
    poll, record = poll_page(server, tmp_path, "datocms_2024-10-02-retrospective-webhooks-delay")
    assert (record["started_at"], record["resolved_at"]) == ("2024-10-02T10:30:00Z", "2024-10-02T13:30:00Z")
    assert record["told"]["duration_seconds"] == 3 * 3600
    assert "6 days 7 h" not in poll.stdout and "6 दिन 7 घंटे" not in poll.stdout
    assert "दिक्कत आ रही है" not in poll.stdout
    assert "By the company's account the problem lasted from Wednesday, 4:00 PM to 7:00 PM (about 3 h)" in poll.stdout
    assert "✅ DatoCMS: resolved after 3 h (Wednesday, 4:00 PM – 7:00 PM IST)" in poll.stdout


def test_a_range_in_iso_times_told_in_the_past_is_the_span(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Build trigger and webhooks delay (retrospective)": Investigating 24 November 2021 07:20 UTC "Between
    2021-11-23T21:30:00+00:00 and 2021-11-23T23:20:00+00:00 there was an high increase of latency in the queue that
    process build triggers and webhooks.", Identified 08:00 "The source of the latency was traced down …", Resolved
    08:34 "Build triggers and webhooks are now being processed in two separate queues …". The channel told the first
    word as a problem going on and the close as "resolved after 1 h 14 min (Wednesday, 12:50 PM – 2:04 PM IST)": the
    ISO times with their "+00:00" offset were not read. By DatoCMS's account: 21:30 to 23:20 UTC on 23 November
    (Tuesday night 3:00 AM to 4:50 AM IST, 24 November), 1 h 50 min, over before it was told."""
    poll, record = poll_page(server, tmp_path, "datocms_2021-11-24-build-trigger-delay-retrospective")
    assert (record["started_at"], record["resolved_at"]) == ("2021-11-23T21:30:00Z", "2021-11-23T23:20:00Z")
    assert record["told"]["duration_seconds"] == (60 + 50) * 60
    assert "1 h 14 min" not in poll.stdout and "11 h 4 min" not in poll.stdout
    assert "दिक्कत आ रही है" not in poll.stdout
    assert "कंपनी के मुताबिक दिक्कत मंगलवार देर रात 3 बजे (24 नवंबर) से बुधवार तड़के 4:50 बजे तक रही (लगभग 1 घंटा 50 " \
           "मिनट)" in poll.stdout
    assert "✅ DatoCMS: resolved after 1 h 50 min (Wednesday, 3:00 AM – 4:50 AM IST)" in poll.stdout


def test_a_resolution_before_the_problem_came_back_does_not_tell_the_comeback(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Login page not working, causing browser stalling": Investigating 3 February 2025 19:58 UTC, Monitoring
    20:32 ("Login should be working now after the latest hotfix"), Resolved 5 February 20:22 ("This issue should be
    resolved."), Identified 20:37 ("The issue has resurfaced …"), Identified 21:03, Resolved 21:14. Read in one poll,
    the message of the 20:22 resolution said "The problem came back on Thursday, 2:07 AM; it was resolved about 37
    min later" / "दिक्कत बुधवार देर रात 2:07 बजे फिर लौटी थी": at 20:22 UTC (1:52 AM IST) it had not come back yet.
    Then DatoCMS had first told of it on 3 February 19:58 UTC (Tuesday 4 February, 1:28 AM IST) and said it was
    resolved 2 days 24 minutes later."""
    poll, record = poll_page(server, tmp_path, "datocms_2025-02-03-login-page-not-working")
    messages = poll.stdout.split("── [desk]")
    (first_fix_en,) = [m for m in messages if "on Thursday 6 February, 1:52 AM IST (20:22 UTC, 5 February) that the "
                       "problem with Login has been resolved" in m]
    (first_fix_hi,) = [m for m in messages if "बुधवार देर रात 1:52 बजे (6 फ़रवरी, भारतीय समय) अपने स्टेटस पेज पर बताया कि "
                       "लॉग इन में दिक्कत दूर कर ली गई है" in m]
    assert "came back" not in first_fix_en and "फिर लौटी" not in first_fix_hi
    assert "DatoCMS first reported it on Tuesday 4 February, 1:28 AM; it was resolved about 2 days 24 min later." \
        in first_fix_en
    assert "DatoCMS ने पहली बार सोमवार देर रात 1:28 बजे (4 फ़रवरी) इसकी जानकारी दी; तब से समस्या दूर होने तक लगभग 2 दिन " \
           "24 मिनट लगे।" in first_fix_hi
    # the last resolution tells the comeback: back 20:37 UTC, resolved again 21:14 UTC
    assert "The problem came back on Thursday, 2:07 AM; it was resolved about 37 min later." in poll.stdout
    assert record["resolved_at"] == "2025-02-05T21:14:06Z"


def test_a_part_the_company_says_is_not_affected_is_not_told_as_broken(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Login page not working, causing browser stalling", first word 3 February 2025 19:58 UTC: "We've
    received and confirmed some reports about the login page … not working … Our APIs do not seem to be affected.
    Your websites should continue to work." (and at 20:37 on the 5th: "Our APIs are not affected."). The channel
    said "उपयोगकर्ताओं को लॉग इन करने में और एपीआई में दिक्कत आ रही है" / "users are having trouble logging in and using
    the API". By DatoCMS's account the login page broke; the APIs did not."""
    poll, _ = poll_page(server, tmp_path, "datocms_2025-02-03-login-page-not-working")
    assert "एपीआई में दिक्कत" not in poll.stdout and "using the API" not in poll.stdout
    assert "माना कि उपयोगकर्ताओं को लॉग इन करने में दिक्कत आ रही है।" in poll.stdout
    assert "that users are having trouble logging in. Impact as rated by the company: major." in poll.stdout


def test_an_upstream_provider_believed_resolved_as_of_a_time_ends_then(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Major DatoCMS Outages Caused by Upstream Cloudflare Incident": first word 18 November 2025 11:42 UTC;
    Monitoring 15:08 UTC "As of 14:42 UTC (15:42 CEST/06:42 PST), Cloudflare believes the issue to be resolved. All
    DatoCMS services should be back up."; Resolved 20:52 UTC "The outage should be resolved." The channel said "it was
    resolved about 9 h 10 min later" (to the close at 2:22 AM IST): "believes the issue to be resolved" as of 14:42
    was read as a start. By DatoCMS's account services were back at 14:42 UTC (8:12 PM IST), 3 hours after it first
    told of the trouble at 11:42 UTC (5:12 PM IST)."""
    poll, record = poll_page(server, tmp_path, "datocms_2025-11-18-upstream-cloudflare-incident")
    assert (record["resolved_at"], record["resolved_from"]) == ("2025-11-18T14:42:00Z", "text")
    assert record["told"]["duration_seconds"] == 3 * 3600
    assert "9 h 10 min" not in poll.stdout and "9 घंटे 10 मिनट" not in poll.stdout
    assert "By its account service was back on Tuesday, 8:12 PM." in poll.stdout
    assert "उसके मुताबिक सेवा मंगलवार रात 8:12 बजे बहाल हो गई थी।" in poll.stdout
