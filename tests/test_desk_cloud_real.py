"""Real Google Cloud incidents and AWS events read as a news desk would (desk5: incidents no earlier test, golden
file or review used), each through ``bot.py poll --once`` and ``bot.py incidents --json`` on the one incident served
locally (backfill all, a Hindi + English console channel). The facts asserted are read from the source documents
(tests/data/gcp/gcp_status_incidents_sample.json and tests/data/aws/aws_health_dashboard_archive_sample.json, copies
of ../shared/data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pollhelpers import poll_aws, poll_gcp


def test_a_first_word_posted_after_the_end_does_not_make_the_end_a_milestone(server: Any, tmp_path: Path) -> None:
    """BNZwWJfvtjg3HxKA3bjY (Cloud Vision, 20-21 April 2022): Google first posted at 17:44 UTC ("We are experiencing
    an issue with Cloud Vision beginning at Wednesday, 2022-04-20 17:59 US/Pacific") and two minutes later said it
    was "resolved for all affected users as of Wednesday, 2022-04-20 22:17:21 US/Pacific"; its end field is 05:18 UTC
    and its report says "Incident Start: 20 April 2021 17:59 … Incident End: 20 April 2021 22:18 … Duration: 4 hours,
    19 minutes". The late first word was taken for work past the stated end, and the channel told "16 घंटे 47 मिनट"
    / "16 h 47 min" to the 11:16 PM IST close. It ran 6:29 AM to 10:48 AM IST, 4 h 19 min."""
    poll, record = poll_gcp(server, tmp_path, "BNZwWJfvtjg3HxKA3bjY")
    assert (record["started_at"], record["resolved_at"]) == ("2022-04-21T00:59:00Z", "2022-04-21T05:18:00Z")
    assert record["told"]["duration_seconds"] == (4 * 60 + 19) * 60
    assert "4 घंटे 19 मिनट बाद समस्या दूर (गुरुवार सुबह 6:29 बजे से 10:48 बजे तक)" in poll.stdout
    assert "resolved after 4 h 19 min (Thursday, 6:29 AM – 10:48 AM IST)" in poll.stdout
    assert "16 घंटे 47 मिनट" not in poll.stdout and "16 h 47 min" not in poll.stdout


def test_the_start_the_words_state_beats_a_begin_field_set_when_the_incident_was_opened(
        server: Any, tmp_path: Path) -> None:
    """m617oqASdckYoegRtPJr (Cloud Logging, us-west1, 18 October 2021): begin 18:04 UTC, 14 minutes before the
    first update (18:18), which says "beginning at Monday, 2021-10-18 07:27 US/Pacific" (14:27 UTC); the report
    says "Incident Start: 18 October 2021 07:30". The resolution: "resolved for all affected users as of Monday,
    2021-10-18 13:18 US/Pacific" (20:18 UTC). The channel told a start at 11:34 PM IST and "2 घंटे 14 मिनट"; the
    company's account is 7:57 PM to 1:48 AM IST, 5 h 51 min."""
    poll, record = poll_gcp(server, tmp_path, "m617oqASdckYoegRtPJr")
    assert (record["started_at"], record["started_from"]) == ("2021-10-18T14:27:00Z", "text")
    assert record["told"]["duration_seconds"] == (5 * 60 + 51) * 60
    assert "5 घंटे 51 मिनट बाद समस्या दूर (सोमवार शाम 7:57 बजे से देर रात 1:48 बजे तक)" in poll.stdout
    assert "resolved after 5 h 51 min (Monday, 7:57 PM – 1:48 AM IST)" in poll.stdout
    assert "कंपनी के मुताबिक दिक्कत सोमवार शाम 7:57 बजे शुरू हुई थी" in poll.stdout
    assert "2 घंटे 14 मिनट" not in poll.stdout and "11:34 PM" not in poll.stdout


def test_a_closed_unfixed_incident_starts_when_its_words_say(server: Any, tmp_path: Path) -> None:
    """cBRgkAaxS8Rq3vvbPHaw (BigQuery, us-central1, 21 December 2021): begin 12:31 UTC, 36 minutes before the first
    update (13:07), which says "beginning at Tuesday, 2021-12-21 03:30 US/Pacific" (11:30 UTC, 5:00 PM IST). It was
    closed with "… our Engineering Team is working on it": not fixed, no duration."""
    poll, record = poll_gcp(server, tmp_path, "cBRgkAaxS8Rq3vvbPHaw")
    assert (record["started_at"], record["started_from"]) == ("2021-12-21T11:30:00Z", "text")
    assert record["closed_unfixed"] is True and record["told"]["duration_seconds"] is None
    assert "कंपनी के मुताबिक दिक्कत मंगलवार शाम 5 बजे शुरू हुई थी" in poll.stdout
    assert "By the company's account the problem began at 5:00 PM" in poll.stdout
    assert "6:01" not in poll.stdout


def test_a_begin_field_minutes_from_the_words_stands(server: Any, tmp_path: Path) -> None:
    """5yL8cbrpS3ssbYjRZQJv (Pub/Sub, Cloud Functions, Dataflow, 31 August 2021): begin 18:32 UTC (11:32 PDT), the
    words "beginning at Tuesday, 2021-08-31 11:30 US/Pacific"; the report: "for a period of 2 hours and 37
    minutes", to the end field 21:09 UTC (14:09 PDT, the Pub/Sub end the resolution states). The field stands."""
    poll, record = poll_gcp(server, tmp_path, "5yL8cbrpS3ssbYjRZQJv")
    assert (record["started_at"], record["started_from"]) == ("2021-08-31T18:32:00Z", "field")
    assert record["told"]["duration_seconds"] == (2 * 60 + 37) * 60
    assert "2 घंटे 37 मिनट बाद समस्या दूर" in poll.stdout


def test_returned_to_normal_by_a_time_is_the_stated_end(server: Any, tmp_path: Path) -> None:
    """EC2 us-east-1, 31 March - 1 April 2022 ("Delayed ENI attachment times", USE1-AZ4): the 1:45 AM PDT
    resolution says "Starting at 5:03 PM PDT, we experienced increased ENI attachment times … By 7:45 PM PDT, ENI
    attachment times had returned to low single digit minute levels … and by 12:50 AM PDT, ENI attachment times had
    returned to normal levels." The end was not read, and the channel told the 2:15 PM IST post as the end, 8 h 42
    min; by AWS's account it ran 5:33 AM to 1:20 PM IST (00:03 to 07:50 UTC), 7 h 47 min."""
    poll, record = poll_aws(server, tmp_path, "ec2-us-east-1", "1648779488")
    assert (record["started_at"], record["resolved_at"]) == ("2022-04-01T00:03:00Z", "2022-04-01T07:50:00Z")
    assert record["resolved_from"] == "text" and record["told"]["duration_seconds"] == (7 * 60 + 47) * 60
    assert "7 घंटे 47 मिनट बाद समस्या दूर (शुक्रवार सुबह 5:33 बजे से दोपहर 1:20 बजे तक)" in poll.stdout
    assert "resolved after 7 h 47 min (Friday, 5:33 AM – 1:20 PM IST)" in poll.stdout
    assert "8 घंटे 42 मिनट" not in poll.stdout and "8 h 42 min" not in poll.stdout


def test_a_resolution_that_leaves_a_part_affected_says_so(server: Any, tmp_path: Path) -> None:
    """EC2 eu-central-1, 13 July 2021: the resolution (7:24 AM PDT) says "by 7:05 AM PDT, the vast majority of
    affected instances had been recovered … A small number of remaining instances are hosted on hardware which was
    adversely affected by this event and require additional attention. We continue to work to recover all affected
    instances". The channel told only "समस्या दूर कर ली गई है" / "has been resolved"; it now adds that by AWS's
    account some may still see problems. The span stands: "Starting at 5:07 AM PDT" to 7:05 AM PDT, 5:37 PM to
    7:35 PM IST, 1 h 58 min."""
    poll, record = poll_aws(server, tmp_path, "ec2-eu-central-1", "1626179354")
    assert (record["started_at"], record["resolved_at"]) == ("2021-07-13T12:07:00Z", "2021-07-13T14:05:00Z")
    assert "1 घंटा 58 मिनट बाद समस्या दूर (मंगलवार शाम 5:37 बजे से 7:35 बजे तक)" in poll.stdout
    assert "दूर कर ली गई है। कंपनी के मुताबिक कुछ लोगों को अब भी दिक्कत हो सकती है।" in poll.stdout
    assert "has been resolved. By its account some people may still see problems." in poll.stdout


def test_a_resolution_saying_metric_delays_go_on_is_not_told_as_all_clear(server: Any, tmp_path: Path) -> None:
    """ELB us-east-1, 6-7 August 2021: the last word (11:22 PM PDT) says "Between 6:08 PM and 11:12 PM PDT, we
    experienced increased provisioning latencies for Network Load Balancers …, which has now fully recovered. We are
    continuing to experience delays in the propagation of CloudWatch metrics for load balancers." 6:38 AM to 11:42 AM
    IST, 5 h 4 min, and by AWS's account not all of it is over."""
    poll, record = poll_aws(server, tmp_path, "elb-us-east-1", "1628306461")
    assert (record["started_at"], record["resolved_at"]) == ("2021-08-07T01:08:00Z", "2021-08-07T06:12:00Z")
    assert "5 घंटे 4 मिनट बाद समस्या दूर (शनिवार सुबह 6:38 बजे से 11:42 बजे तक)" in poll.stdout
    assert "कंपनी के मुताबिक कुछ लोगों को अब भी दिक्कत हो सकती है।" in poll.stdout
    assert "By its account some people may still see problems." in poll.stdout
