"""Real AWS Health Dashboard events read as a news desk would (events never used by the golden files), each through
``bot.py poll --once`` and ``bot.py incidents --json`` on the one event served locally in the data.json archive
shape (backfill all, a Hindi + English console channel). Facts from the source document
(tests/data/aws/aws_health_dashboard_archive_sample.json, a copy of ../shared/data/aws)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pollhelpers import poll_aws


def test_a_milestone_the_company_kept_working_past_is_not_the_end(server: Any, tmp_path: Path) -> None:
    """EC2 us-east-1, 22 December 2021 (the USE1-AZ4 power loss): the 4:22 PM PST resolution says "Starting at 4:11
    AM PST some EC2 instances and EBS volumes experienced a loss of power … At 4:55 AM PST, power was restored …
    By 2:30 PM PST, we recovered the vast majority". Eleven updates between 5:01 AM and 3:13 PM PST said work on
    the instances still down went on. The channel told "5:41 PM to 6:25 PM IST, about 44 min" above that list; the
    incident ran until AWS said it was over, 5:52 AM IST the next day (00:22 UTC)."""
    poll, record = poll_aws(server, tmp_path, "ec2-us-east-1", "1640176551")
    assert (record["started_at"], record["started_from"]) == ("2021-12-22T12:11:00Z", "text")
    assert (record["resolved_at"], record["resolved_from"]) == ("2021-12-23T00:22:00Z", "post")
    assert record["told"]["duration_seconds"] == (12 * 60 + 11) * 60
    assert "44 मिनट" not in poll.stdout and "44 min" not in poll.stdout
    assert "बुधवार शाम 5:41 बजे (22 दिसंबर, भारतीय समय) से गुरुवार सुबह 5:52 बजे (23 दिसंबर) तक रही — लगभग 12 घंटे " \
           "11 मिनट" in poll.stdout
    assert "from Wednesday 22 December, 5:41 PM IST (12:11 UTC) to Thursday 23 December, 5:52 AM IST (00:22 UTC): " \
           "about 12 h 11 min" in poll.stdout


def test_an_update_posted_just_after_the_stated_end_leaves_it(server: Any, tmp_path: Path) -> None:
    """ELB us-east-1, 17 May 2022: "Between 3:58 PM and 5:28 PM PDT, we experienced increased error rates" (the
    5:39 PM resolution), after a 5:35 PM update ("… now seeing recovery … will continue to monitor"): the end
    stands, 4:28 AM to 5:58 AM IST, 1 h 30 min."""
    poll, record = poll_aws(server, tmp_path, "elb-us-east-1", "1652830549")
    assert (record["started_at"], record["resolved_at"]) == ("2022-05-17T22:58:00Z", "2022-05-18T00:28:00Z")
    assert record["resolved_from"] == "text" and record["told"]["duration_seconds"] == 90 * 60
    assert "1 घंटा 30 मिनट बाद समस्या दूर (बुधवार तड़के 4:28 बजे से सुबह 5:58 बजे तक)" in poll.stdout


def test_the_english_statement_list_dates_each_calendar_day_once(server: Any, tmp_path: Path) -> None:
    """The same EC2 event's 13 statements, collapsed into one message (backfill): Hindi dates them by the night's day
    (HINDI.md: 12:38 AM is "बुधवार देर रात"; the date comes with "गुरुवार तड़के 4:43 बजे (23 दिसंबर)"); English
    printed the date where the Hindi day changed too, so "Thursday, 12:38 AM" came undated after Wednesday and
    "Thursday 23 December" first appeared at 4:43 AM. English dates the first statement of each calendar day."""
    poll, _ = poll_aws(server, tmp_path, "ec2-us-east-1", "1640176551")
    english = [line.split(" — ")[0] for line in poll.stdout.splitlines() if line.startswith("• ") and line[2].isascii()]
    assert english[7:] == ["• Wednesday, 10:58 PM", "• Thursday 23 December, 12:38 AM", "• Thursday, 1:33 AM",
                           "• Thursday, 3:09 AM", "• Thursday, 4:43 AM", "• Thursday, 5:52 AM"]
    hindi = [line.split(" — ")[0] for line in poll.stdout.splitlines() if line.startswith("• ") and not line[2].isascii()]
    assert hindi[7:] == ["• बुधवार रात 10:58 बजे", "• बुधवार देर रात 12:38 बजे", "• बुधवार देर रात 1:33 बजे",
                         "• बुधवार देर रात 3:09 बजे", "• गुरुवार तड़के 4:43 बजे (23 दिसंबर)", "• गुरुवार सुबह 5:52 बजे"]


def test_the_collapsed_backlog_headline_names_what_broke(server: Any, tmp_path: Path) -> None:
    """The same EC2 event's 13 statements arrive at once and go out as one collapsed message. Its headline said only
    "एडब्ल्यूएस: अब तक के बयान (13)": a Hindi reader could not tell what broke. The event is Amazon Elastic Compute
    Cloud (N. Virginia) ("service_name"), and its first statement reads "We are investigating increased EC2 launch
    failures and networking connectivity issues … in the US-EAST-1 Region": the headline names EC2 in us-east-1, as
    the acknowledgement alone would ("🔴 एडब्ल्यूएस: us-east-1 में ईसी2 (EC2) में दिक्कत, कंपनी ने माना")."""
    poll, _ = poll_aws(server, tmp_path, "ec2-us-east-1", "1640176551")
    assert poll.stdout.count("── [desk]") == 1  # one collapsed message
    assert "📋 एडब्ल्यूएस: us-east-1 में ईसी2 (EC2) में दिक्कत — अब तक के बयान (13)\n" in poll.stdout
    assert "📋 Amazon Web Services: problem with Amazon Elastic Compute Cloud in us-east-1 — statements so far (13)\n" \
        in poll.stdout


def _headlines(stdout: str, mark: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith(mark)]


def test_a_tagged_symptom_keeps_the_service_in_the_headline(server: Any, tmp_path: Path) -> None:
    """AWS Directory Service, Sydney, 12 October 2021 (event 1634086680): service_name "AWS Directory Service
    (Sydney)", first update "We are investigating authentication errors on AD Connector directories that have MFA
    authentication enabled in the AP-SOUTHEAST-2 Region". The login symptom was told and the service dropped:
    "🔴 एडब्ल्यूएस: ap-southeast-2 में लॉग इन करने में दिक्कत" / "problem in ap-southeast-2" — a reader could not tell
    which AWS service broke. The headline names the event's own service next to the symptom, in both languages."""
    poll, record = poll_aws(server, tmp_path, "directoryservice-ap-southeast-2", "1634086680")
    assert record["components"] == ["AWS Directory Service (Sydney)"]
    (hindi,) = _headlines(poll.stdout, "🔴 एडब्ल्यूएस:")
    assert "डायरेक्टरी सर्विस" in hindi and "लॉग इन करने में" in hindi and "ap-southeast-2" in hindi
    (english,) = _headlines(poll.stdout, "🔴 Amazon Web Services:")
    assert "AWS Directory Service" in english and "ap-southeast-2" in english and "(Sydney)" not in english
    said = [line for line in poll.stdout.splitlines() if "बताया कि" in line]  # the resolution says what was fixed
    assert said and "डायरेक्टरी सर्विस में लॉग इन करने में दिक्कत दूर कर ली गई है" in said[-1]


def test_pinpoint_sms_delays_name_pinpoint(server: Any, tmp_path: Path) -> None:
    """Amazon Pinpoint, N. Virginia, 14 January 2022 (event 1642185596): "increased error rates and delivery latency
    for a subset of Pinpoint customers sending and receiving SMS messages". The headline told the messaging symptom
    in us-east-1 and not Pinpoint, the service the event is filed under ("Amazon Pinpoint (N. Virginia)")."""
    poll, _ = poll_aws(server, tmp_path, "pinpoint-us-east-1", "1642185596")
    (hindi,) = _headlines(poll.stdout, "🔴 एडब्ल्यूएस:")
    assert "“Amazon Pinpoint”" in hindi and "मैसेज भेजने में" in hindi and "us-east-1" in hindi
    (english,) = _headlines(poll.stdout, "🔴 Amazon Web Services:")
    assert "Amazon Pinpoint" in english and "us-east-1" in english


def test_the_possessive_of_a_name_ending_in_s_takes_only_the_apostrophe(server: Any, tmp_path: Path) -> None:
    """The same EC2 event (source "AWS", which the service catalog names "Amazon Web Services"), its 13 statements
    collapsed into one message: the English introduced them as "Amazon Web Services's own words follow:". A name
    ending in s takes only the apostrophe: "Amazon Web Services' own words"."""
    poll, _ = poll_aws(server, tmp_path, "ec2-us-east-1", "1640176551")
    assert "Services's" not in poll.stdout
    assert "\nAmazon Web Services' own words follow:\n" in poll.stdout


def test_an_end_the_quoted_words_state_is_theirs(server: Any, tmp_path: Path) -> None:
    """Amazon EventBridge, Cape Town, November 2021 (AWS event 1637641154): the resolution (1:59 AM PST) says
    "Between November 22 7:30 PM and November 23 1:32 AM PST, we experienced elevated event delivery latency": its
    own words give the end, 09:32 UTC, 3:02 PM IST, and the channel says so in its name."""
    poll, record = poll_aws(server, tmp_path, "events-af-south-1", "1637641154")
    assert (record["started_at"], record["resolved_at"]) == ("2021-11-23T03:30:00Z", "2021-11-23T09:32:00Z")
    assert "उसके बयान के मुताबिक सेवा मंगलवार दोपहर 3:02 बजे बहाल हो गई थी।" in poll.stdout
    assert "6 घंटे 2 मिनट बाद समस्या दूर (मंगलवार सुबह 9 बजे से दोपहर 3:02 बजे तक)" in poll.stdout
