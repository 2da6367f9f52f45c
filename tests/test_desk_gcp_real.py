"""Real Google Cloud incidents read as a news desk would (incidents never used by the golden files), each through
``bot.py poll --once`` and ``bot.py incidents --json`` on the one incident served locally (backfill all, a Hindi +
English console channel). The facts asserted are read from the source document
(tests/data/gcp/gcp_status_incidents_sample.json, a copy of ../shared/data/gcp)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pollhelpers import poll_gcp


def test_an_update_narrowing_down_the_root_cause_is_not_a_report_nor_a_fix(server: Any, tmp_path: Path) -> None:
    """46bP9UWxaLXHyCUQdjPR (Cloud Networking, asia-south1, 10 February 2022): the SERVICE_DISRUPTION updates of
    11:05 and 11:27 UTC open with "Summary:" and say "Our engineering team is narrowing down the root cause and
    continues to investigate". They were read as post-incident reports, and a report closes an open incident: the
    channel was told at 4:35 PM IST that the problem was resolved, then that a report was out, then that the problem
    was back. Google said it was resolved at 14:18 UTC ("as of … 06:18 US/Pacific") and posted its report at 22:01."""
    poll, record = poll_gcp(server, tmp_path, "46bP9UWxaLXHyCUQdjPR")
    kinds = [(s["created_at"], s["kind"]) for s in record["statements"]]
    assert ("2022-02-10T11:05:27Z", "update") in kinds and ("2022-02-10T11:27:42Z", "update") in kinds
    assert [k for _, k in kinds].count("report") == 1 and kinds[-1] == ("2022-02-10T22:01:11Z", "report")
    assert "दिक्कत फिर लौटी" not in poll.stdout and "the problem is back" not in poll.stdout
    # one resolution, at 7:48 PM IST (14:18 UTC), and one report, at 3:31 AM IST the next day (22:01 UTC)
    assert poll.stdout.count("Google Cloud: resolved\n") == 1 and "on Thursday 10 February, 7:48 PM IST (14:18 UTC) that" in poll.stdout
    assert poll.stdout.count("published a post-incident report") == 1
    assert "4:35 PM IST (11:05 UTC) that the problem" not in poll.stdout
    assert record["started_at"] == "2022-02-10T08:32:00Z" and record["resolved_at"] == "2022-02-10T14:34:00Z"


def test_closed_while_the_engineering_team_is_still_working_is_not_fixed(server: Any, tmp_path: Path) -> None:
    """whAt3eeGhT2SbR2aQXwA (Firebase console alerts, 16 January 2022): its AVAILABLE update reads "… is believed
    to be affecting a very small number of customers and our Engineering Team is working on it. … We thank you for
    your patience while we're working on resolving the issue." Google closed the incident on its page without saying
    the problem was fixed: not "समस्या दूर, सेवा बहाल", and no time to a fix."""
    poll, record = poll_gcp(server, tmp_path, "whAt3eeGhT2SbR2aQXwA")
    assert record["status"] == "resolved" and record["closed_unfixed"] is True
    assert record["told"]["duration_seconds"] is None
    assert "समस्या दूर, सेवा बहाल" not in poll.stdout and "the problem has been resolved" not in poll.stdout
    assert "पर समस्या दूर होने की पुष्टि नहीं की" in poll.stdout
    assert "closed the incident on its status page on Sunday 16 January, 3:40 PM IST (10:10 UTC) without saying the " \
           "problem was fixed" in poll.stdout
    assert "1 घंटा 41 मिनट" not in poll.stdout and "1 h 41 min" not in poll.stdout


def test_the_end_the_words_state_outlives_a_begin_stamped_when_the_incident_was_posted(
        server: Any, tmp_path: Path) -> None:
    """FB2c3B9EAS7JA1mHgth1 (Cloud Load Balancing, Europe, 27 July 2021): begin 12:50:00 and end 12:54:00 are only
    when the incident was posted (first update 12:50:37) and closed (12:54:50). The first update says "beginning at
    Tuesday, 2021-07-27 04:31 US/Pacific" (11:31 UTC), the resolution "resolved for all affected users as of Tuesday,
    2021-07-27 05:33 US/Pacific" (12:33 UTC): 5:01 PM to 6:03 PM IST, 1 h 2 min — not until the 6:24 PM close
    (1 h 23 min), which the begin field (after the stated end) used to throw the stated end away for."""
    poll, record = poll_gcp(server, tmp_path, "FB2c3B9EAS7JA1mHgth1")
    assert (record["started_at"], record["started_from"]) == ("2021-07-27T11:31:00Z", "text")
    assert (record["resolved_at"], record["resolved_from"]) == ("2021-07-27T12:33:00Z", "text")
    assert record["duration_seconds"] == 62 * 60 and record["told"]["duration_seconds"] == 62 * 60
    assert "1 घंटा 2 मिनट बाद समस्या दूर (मंगलवार शाम 5:01 बजे से 6:03 बजे तक)" in poll.stdout
    assert "resolved after 1 h 2 min (Tuesday, 5:01 PM – 6:03 PM IST)" in poll.stdout
    assert "1 घंटा 23 मिनट" not in poll.stdout and "1 h 23 min" not in poll.stdout


def test_a_span_beyond_a_day_rounds_its_hours(server: Any, tmp_path: Path) -> None:
    """o44ZUgX95KF11F7cqd5v (Cloud Spanner metrics, November 2021): begin 02:45 UTC 13 Nov, end 04:39 UTC 14 Nov
    ("Incident Start: 12 November 2021 18:45 … Incident End: 13 November 2021 20:39 … Duration: 1 day, 1 hours, 54
    minutes" by its report): 8:15 AM Saturday to 10:09 AM Sunday IST is "1 दिन 2 घंटे", not "1 दिन 1 घंटा"."""
    poll, record = poll_gcp(server, tmp_path, "o44ZUgX95KF11F7cqd5v")
    assert (record["started_at"], record["resolved_at"]) == ("2021-11-13T02:45:00Z", "2021-11-14T04:39:00Z")
    assert record["told"]["duration_seconds"] == (25 * 60 + 54) * 60
    assert "1 दिन 2 घंटे बाद समस्या दूर (शनिवार सुबह 8:15 बजे से रविवार सुबह 10:09 बजे तक)" in poll.stdout
    assert "resolved after 1 day 2 h (Saturday, 8:15 AM – Sunday, 10:09 AM IST)" in poll.stdout
    assert "1 दिन 1 घंटा" not in poll.stdout and "1 day 1 h " not in poll.stdout


def test_english_names_the_day_of_a_start_before_midnight(server: Any, tmp_path: Path) -> None:
    """B1hD4KAtcxiyAWkcANfV (Cloud Monitoring metrics for Pub/Sub, 31 March 2022): begin 15:30 UTC (9:00 PM IST,
    Thursday 31 March), first word 18:40 UTC (12:10 AM IST, Friday 1 April). Hindi counts the small hours to the
    evening before ("गुरुवार देर रात 12:10 बजे"); English dates the message Friday 1 April, so "began at 9:00 PM"
    read as Friday evening, after the statement. It names the day."""
    poll, record = poll_gcp(server, tmp_path, "B1hD4KAtcxiyAWkcANfV")
    assert record["started_at"] == "2022-03-31T15:30:00Z" and record["first_word_at"] == "2022-03-31T18:40:17Z"
    assert "said on its status page on Friday 1 April, 12:10 AM IST (18:40 UTC, 31 March) that" in poll.stdout
    assert "By the company's account the problem began on Thursday 31 March, 9:00 PM; it said so on Friday, " \
           "12:10 AM." in poll.stdout
    assert "began at 9:00 PM" not in poll.stdout
    assert "कंपनी के मुताबिक दिक्कत गुरुवार रात 9 बजे शुरू हुई थी; उसने देर रात 12:10 बजे इसकी जानकारी दी।" in poll.stdout


def test_an_incident_merged_into_another_is_closed_not_fixed(server: Any, tmp_path: Path) -> None:
    """2Hd52dn3PqYGTD5zdp7v (Cloud DNS / Networking configuration, 9 May 2022): its AVAILABLE update reads only
    "This incident is being merged with an existing incident. All future updates will be provided there: …". The
    channel said "29 क्षेत्रों में समस्या दूर, सेवाएं बहाल" and "lasted about 1 h 47 min"; Google said nothing was
    fixed — the problem went on under another incident."""
    poll, record = poll_gcp(server, tmp_path, "2Hd52dn3PqYGTD5zdp7v")
    assert record["status"] == "resolved" and record["closed_unfixed"] is True
    assert record["told"]["duration_seconds"] is None
    assert "समस्या दूर, सेवाएं बहाल" not in poll.stdout and "has been resolved" not in poll.stdout
    assert "1 घंटा 47 मिनट" not in poll.stdout and "1 h 47 min" not in poll.stdout
    assert "अपने स्टेटस पेज पर मामला बंद किया, पर समस्या दूर होने की पुष्टि नहीं की। उसी बयान के मुताबिक यह मामला " \
           "पहले से दर्ज एक दूसरी घटना में मिला दिया गया है और आगे की जानकारी वहीं दी जाएगी।" in poll.stdout
    assert "By the same statement the incident was merged into an existing one, where further updates will be " \
           "posted." in poll.stdout
    assert "स्टेटस पेज पर नहीं देगी" not in poll.stdout and "no further updates" not in poll.stdout


def test_the_collapsed_backlog_headline_names_what_broke(server: Any, tmp_path: Path) -> None:
    """e383eLoLFGdSMeUQo7Ch (8-14 June 2022): its 13 updates arrive at once and go out as one collapsed message,
    whose headline said only "गूगल क्लाउड: अब तक के बयान (13)". Every update reads "Google Analytics Daily BigQuery
    exports for certain customers may experience delays": the headline names what broke and the delay (slowness)."""
    poll, _ = poll_gcp(server, tmp_path, "e383eLoLFGdSMeUQo7Ch")
    assert poll.stdout.count("── [desk]") == 1  # one collapsed message
    assert "धीमेपन की दिक्कत — अब तक के बयान (13)\n" in poll.stdout


def test_a_product_the_company_says_was_not_affected_is_not_named_as_broken(server: Any, tmp_path: Path) -> None:
    """e383eLoLFGdSMeUQo7Ch again: Google lists one affected product, "Google BigQuery", but from its update of 9 June
    23:08 UTC every update says "*Note 'This is not a problem with BigQuery, only Google Analytics BigQuery export is
    affected'". The headline said "29 क्षेत्रों में बिगक्वेरी में धीमेपन की दिक्कत" / "problem with Google BigQuery in
    29 regions"; it names what Google says is affected, in Google's words, and BigQuery nowhere as broken."""
    poll, _ = poll_gcp(server, tmp_path, "e383eLoLFGdSMeUQo7Ch")
    assert ("📋 गूगल क्लाउड: 29 क्षेत्रों में “Google Analytics BigQuery export” की सेवा में धीमेपन की दिक्कत — अब तक के "
            "बयान (13)\n") in poll.stdout
    assert "📋 Google Cloud: problem with Google Analytics BigQuery export in 29 regions — statements so far (13)\n" \
        in poll.stdout
    assert "बिगक्वेरी" not in poll.stdout and "problem with Google BigQuery" not in poll.stdout


def test_an_update_saying_recovery_has_started_is_told_as_partly_restored(server: Any, tmp_path: Path) -> None:
    """8DhiwfKvD987f5tJrj1G (australia-southeast2, 24 August 2021): the SERVICE_DISRUPTION update of 04:53 UTC says
    "We have started seeing recovery with our services" and lists parts "Service fully restored" beside others still
    down. The channel said "नया अपडेट, काम जारी" / "update, still working on it" — as if nothing had changed. It says
    recovery has begun and service is partly restored, and still that Google has not said it is resolved."""
    poll, record = poll_gcp(server, tmp_path, "8DhiwfKvD987f5tJrj1G")
    assert ("2021-08-24T04:53:47Z", "update") in [(s["created_at"], s["kind"]) for s in record["statements"]]
    assert "🟡 गूगल क्लाउड: सेवा बहाल होने लगी, काम जारी" in poll.stdout
    assert ("गूगल क्लाउड ने मंगलवार सुबह 10:23 बजे (24 अगस्त, भारतीय समय) अपने स्टेटस पेज पर बताया कि सेवा बहाल होने "
            "लगी है और कुछ हद तक सुधार दिख रहा है; समस्या पूरी तरह दूर होने की घोषणा अभी नहीं हुई है") in poll.stdout
    assert "🟡 Google Cloud: partly restored, recovery under way" in poll.stdout
    assert ("Google Cloud said on its status page on Tuesday 24 August, 10:23 AM IST (04:53 UTC) that service has "
            "started to recover and is partly restored; it has not yet said the problem is resolved") in poll.stdout
    assert "नया अपडेट, काम जारी" not in poll.stdout and "update, still working on it" not in poll.stdout


def test_the_closing_sentence_is_not_the_incidents_title(server: Any, tmp_path: Path) -> None:
    """ipisoukd9hNno6SbpWWE (Eventarc, 27 May 2022): the document's external_desc is the words of its closing
    AVAILABLE update ("This issue is believed to be affecting a very small number of projects …") and the channel
    showed them as "कंपनी का शीर्षक" / "Incident:". The incident opened with "Summary: Europe : Eventarc GCS trigger
    mutations failing sporadically in Europe" (the document keeps no earlier external_desc): that is its title."""
    poll, record = poll_gcp(server, tmp_path, "ipisoukd9hNno6SbpWWE")
    assert record["title"].startswith("This issue is believed")  # the document's external_desc, stored as read
    assert "कंपनी का शीर्षक: “Europe : Eventarc GCS trigger mutations failing sporadically in Europe”" in poll.stdout
    assert "Incident: Europe : Eventarc GCS trigger mutations failing sporadically in Europe" in poll.stdout
    assert "शीर्षक: “This issue" not in poll.stdout and "Incident: This issue" not in poll.stdout


def test_a_merge_notice_is_not_the_incidents_title(server: Any, tmp_path: Path) -> None:
    """1YzVoQe8tR83ubvbAnDd (Cloud Filestore, 6 May 2022): external_desc is the closing "This incident is being merged
    with an existing incident. All future updates will be provided there: …"; the one update before it opens with
    "Summary: Hung tasks in Cloud Filestore in us-central1-b. Investigation ongoing"."""
    poll, record = poll_gcp(server, tmp_path, "1YzVoQe8tR83ubvbAnDd")
    assert record["title"].startswith("This incident is being merged")  # the document's external_desc, as read
    assert "कंपनी का शीर्षक: “Hung tasks in Cloud Filestore in us-central1-b. Investigation ongoing”" in poll.stdout
    assert "शीर्षक: “This incident is being merged" not in poll.stdout
    assert "Incident: This incident is being merged" not in poll.stdout
    assert "is being merged" in poll.stdout  # the closing words are still quoted as the company's statement


def test_a_report_that_moves_the_start_earlier_gives_its_own_span(server: Any, tmp_path: Path) -> None:
    """QSirAFiyN5yMeeE6GNxq (GKE, Compute Engine, Cloud Build, Docker workloads' connectivity, September 2021): begin
    27 September 17:17 UTC, first posted 28 September 13:05 UTC, "resolved for all affected users as of Wednesday,
    2021-09-29 06:52 US/Pacific". Google's report of 29 September 18:32 UTC: "(All Times US/Pacific) Incident Start:
    22 September 2021 00:00 … Incident End: 29 September 2021 05:40 … Duration: 7 days, 5 hours, 40 minutes". The
    channel told "1 दिन 21 घंटे" from "सोमवार रात 10:47 बजे (27 सितंबर)", in the very message that quoted the report.
    By Google's own report it ran from Wednesday 22 September 12:30 PM IST (07:00 UTC) to Wednesday 29 September
    6:10 PM IST (12:40 UTC)."""
    poll, record = poll_gcp(server, tmp_path, "QSirAFiyN5yMeeE6GNxq")
    assert (record["started_at"], record["resolved_at"]) == ("2021-09-22T07:00:00Z", "2021-09-29T12:40:00Z")
    assert record["told"]["duration_seconds"] == ((7 * 24 + 5) * 60 + 40) * 60
    assert "बुधवार दोपहर 12:30 बजे (22 सितंबर) से बुधवार शाम 6:10 बजे (29 सितंबर) तक रही दिक्कत (लगभग 7 दिन 6 घंटे) पर " \
           "अपनी विस्तृत रिपोर्ट जारी की" in poll.stdout
    assert "on the problem of Wednesday 22 September, 12:30 PM to Wednesday 29 September, 6:10 PM (about 7 days 6 h)" \
        in poll.stdout
    assert "1 दिन 21 घंटे" not in poll.stdout and "1 day 21 h" not in poll.stdout and "10:47" not in poll.stdout


def test_a_report_that_dates_the_start_weeks_back_is_the_companys_account(server: Any, tmp_path: Path) -> None:
    """sCsR34eVfCzGQMGssusu (build and source provenance missing in the Cloud Console for Cloud Run, Container
    Registry and Artifact Registry, October 2021): the first update says "beginning at Wednesday, 2021-10-20
    08:06:56 PDT", the close "resolved … as of Thursday, 2021-10-21 09:27 US/Pacific"; Google's report: "Incident
    Start: 04 October 2021 16:20 … Incident End: 20 October 2021 11:24 … Duration: 15 days, 19 hours, 4 minutes"
    ("experienced issues … for 15 days, 19 hours, and 4 minutes … Engineers rolled back the deployment"). The channel
    told "1 दिन 1 घंटा" from Wednesday 20 October 8:36 PM IST. By the report: Tuesday 5 October 4:50 AM IST (4
    October 23:20 UTC) to Wednesday 20 October 11:54 PM IST (18:24 UTC)."""
    poll, record = poll_gcp(server, tmp_path, "sCsR34eVfCzGQMGssusu")
    assert (record["started_at"], record["resolved_at"]) == ("2021-10-04T23:20:00Z", "2021-10-20T18:24:00Z")
    assert record["told"]["duration_seconds"] == ((15 * 24 + 19) * 60 + 4) * 60
    assert "मंगलवार तड़के 4:50 बजे (5 अक्टूबर) से बुधवार रात 11:54 बजे (20 अक्टूबर) तक रही दिक्कत (लगभग 15 दिन 19 घंटे)" \
           in poll.stdout
    assert "कंपनी के मुताबिक दिक्कत मंगलवार तड़के 4:50 बजे (5 अक्टूबर) शुरू हुई थी" in poll.stdout
    assert "1 दिन 1 घंटा" not in poll.stdout and "1 day 1 h" not in poll.stdout and "8:36" not in poll.stdout


def test_a_span_of_a_week_or_more_is_dated_in_the_headline(server: Any, tmp_path: Path) -> None:
    """QSirAFiyN5yMeeE6GNxq again: by Google's report it ran from 22 September 2021 00:00 to 29 September 05:40
    US/Pacific, a Wednesday to the next Wednesday in IST. The resolved headline said "7 दिन 6 घंटे बाद समस्या दूर
    (बुधवार दोपहर 12:30 बजे से बुधवार शाम 6:10 बजे तक)" / "(Wednesday, 12:30 PM – Wednesday, 6:10 PM IST)", which reads
    as one afternoon; sCsR34eVfCzGQMGssusu's 4 October 16:20 to 20 October 11:24 US/Pacific read "(मंगलवार तड़के 4:50
    बजे से बुधवार रात 11:54 बजे तक)", a Tuesday and the next day. A span of a week or more is dated at both ends."""
    poll, _ = poll_gcp(server, tmp_path, "QSirAFiyN5yMeeE6GNxq")
    assert "✅ गूगल क्लाउड: 7 दिन 6 घंटे बाद समस्या दूर (बुधवार दोपहर 12:30 बजे (22 सितंबर) से बुधवार शाम 6:10 बजे " \
           "(29 सितंबर) तक)" in poll.stdout
    assert "✅ Google Cloud: resolved after 7 days 6 h (Wednesday 22 September, 12:30 PM – Wednesday 29 September, " \
           "6:10 PM IST)" in poll.stdout
    (tmp_path / "sCsR").mkdir()
    poll, _ = poll_gcp(server, tmp_path / "sCsR", "sCsR34eVfCzGQMGssusu")
    assert "(मंगलवार तड़के 4:50 बजे (5 अक्टूबर) से बुधवार रात 11:54 बजे (20 अक्टूबर) तक)" in poll.stdout
    assert "(Tuesday 5 October, 4:50 AM – Wednesday 20 October, 11:54 PM IST)" in poll.stdout


def test_an_end_the_quoted_words_do_not_state_is_not_put_in_their_mouth(server: Any, tmp_path: Path) -> None:
    """8hZjcddmMVe9W1jh8SCN (Google Front End failures in Europe, 12 November 2021): its end field 10:14 UTC is its
    report's "Incident End: 12 November 2021 02:14" (US/Pacific), 3:44 PM IST; the resolution it quotes says
    "resolved for all affected products as of Friday, 2021-11-12 03:38 US/Pacific" (5:08 PM IST). The channel said
    "उसके बयान के मुताबिक सेवाएं शुक्रवार दोपहर 3:44 बजे बहाल हो गई थीं" ("by its statement") right above that quote.
    The time is the company's; the statement did not say it."""
    poll, record = poll_gcp(server, tmp_path, "8hZjcddmMVe9W1jh8SCN")
    assert (record["resolved_at"], record["resolved_from"]) == ("2021-11-12T10:14:00Z", "field")
    assert "उसके मुताबिक सेवाएं शुक्रवार दोपहर 3:44 बजे बहाल हो गई थीं।" in poll.stdout
    assert "as of Friday, 2021-11-12 03:38 US/Pacific" in poll.stdout  # the quoted resolution
    assert "उसके बयान के मुताबिक" not in poll.stdout

