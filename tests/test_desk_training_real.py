"""Real incidents of the classifier's held-out training pages (status.myemma.com, status.datocms.com,
status.openai.com, status.anthropic.com, status.character.ai) read as a news desk would: each served locally as a Statuspage
``incidents.json`` (tests/data/training_real, converted faithfully: see its README), read through ``bot.py poll
--once`` and ``bot.py incidents --json`` (backfill all, a Hindi + English console channel). The facts asserted are
read from the source documents, not from the bot's output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pollhelpers import DESK_CHANNEL, poll_statuspage, run_bot, write_config

DATA = Path(__file__).parent / "data" / "training_real"
SERVICES = {"emma": "Emma", "datocms": "DatoCMS", "openai": "OpenAI", "anthropic": "Anthropic",
            "characterai": "Character.AI"}


def poll_page(server: Any, tmp_path: Path, name: str, data: Path = DATA) -> tuple[Any, dict[str, Any]]:
    """Serve ``name`` (one incident, in ``data``) as a Statuspage page's incidents.json, poll it once with backfill
    all: (the completed poll, the one incident ``bot.py incidents --json`` lists)."""
    return poll_statuspage(server, tmp_path, (data / f"{name}.json").read_bytes(), SERVICES[name.split("_")[0]])


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


def test_a_problem_that_came_back_is_told_from_when_it_came_back(server: Any, tmp_path: Path) -> None:
    """DatoCMS "High response times on CMA. Admin interface not loading. CDA partially impacted." (8-9 October
    2024): resolved on 8 Oct 22:59 UTC (Heroku: "All application have fully recovered by 10:10 PM UTC"), then on
    9 Oct 13:10 UTC (6:40 PM IST) "It looks like Heroku is having the same problem again", resolved at 16:48 UTC
    (10:18 PM IST). The channel said "1 दिन 21 मिनट बाद समस्या दूर (मंगलवार रात 9:57 बजे से बुधवार रात 10:18 बजे
    तक)" / "lasted about 1 day 21 min", over the fourteen hours it was resolved. Since it came back it lasted
    3 h 38 min (6:40 PM to 10:18 PM IST)."""
    poll, record = poll_page(server, tmp_path, "datocms_2024-10-08-high-response-times")
    assert record["told"] == {"began_at": "2024-10-09T13:10:11Z", "stated_start_at": None,
                              "resolved_at": "2024-10-09T16:48:36Z", "duration_seconds": (3 * 60 + 38) * 60}
    assert "1 दिन 21 मिनट" not in poll.stdout and "1 day 21 min" not in poll.stdout
    assert "✅ DatoCMS: फिर लौटी दिक्कत 3 घंटे 38 मिनट बाद दूर (बुधवार शाम 6:40 बजे से रात 10:18 बजे तक)\n" in poll.stdout
    assert "✅ DatoCMS: resolved again after 3 h 38 min (Wednesday, 6:40 PM – 10:18 PM IST)\n" in poll.stdout
    assert "दिक्कत बुधवार शाम 6:40 बजे फिर लौटी थी; तब से समस्या दूर होने तक लगभग 3 घंटे 38 मिनट लगे। DatoCMS ने पहली बार " \
           "मंगलवार रात 10:36 बजे (8 अक्टूबर) इसकी जानकारी दी थी।" in poll.stdout
    assert "The problem came back on Wednesday, 6:40 PM; it was resolved about 3 h 38 min later. DatoCMS first " \
           "reported it on Tuesday 8 October, 10:36 PM." in poll.stdout


def test_a_problem_back_five_days_later_is_not_one_week_long(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Problems with projects usage statistics": investigating 8 Feb 2023 16:26 UTC, "The issue han been
    fixed" 9 Feb 14:14 UTC; investigating again 14 Feb 17:17 UTC (10:47 PM IST), "This haven been fixed again."
    16 Feb 12:37 UTC (6:07 PM IST). The channel said "7 दिन 20 घंटे बाद समस्या दूर" / "resolved after 7 days 20 h".
    The second time it lasted 1 day 19 h 20 min."""
    poll, record = poll_page(server, tmp_path, "datocms_2023-02-08-projects-usage-statistics")
    assert (record["told"]["began_at"], record["told"]["duration_seconds"]) == \
        ("2023-02-14T17:17:24Z", ((24 + 19) * 60 + 20) * 60)
    assert "7 दिन 20 घंटे" not in poll.stdout and "7 days 20 h" not in poll.stdout
    assert "✅ DatoCMS: फिर लौटी दिक्कत 1 दिन 19 घंटे बाद दूर (मंगलवार रात 10:47 बजे से गुरुवार शाम 6:07 बजे तक)\n" \
        in poll.stdout


def test_updates_after_a_problem_came_back_count_from_its_return(server: Any, tmp_path: Path) -> None:
    """The same DatoCMS incident of 8-9 October 2024 polled as it happened: the update of 9 Oct 13:47 UTC (7:17 PM
    IST), 37 minutes after "Heroku is having the same problem again" (13:10 UTC), said "The problem has lasted 21 h
    20 min so far (since Tuesday 8 October, 9:57 PM)" — the first trouble had been resolved for fourteen hours."""
    from pollhelpers import revealed

    document = json.loads((DATA / "datocms_2024-10-08-high-response-times.json").read_text(encoding="utf-8"))
    source = {"id": "page", "kind": "statuspage", "service": "DatoCMS", "url": server.url, "backfill": "all"}
    config = write_config(tmp_path, [source], channels=[DESK_CHANNEL])
    said = ""
    for count in (6, 8, 9):
        body = {**document, "incidents": [revealed(document["incidents"][0], count)]}
        server.route("/api/v2/incidents.json", json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        poll = run_bot("poll", "--once", "--config", str(config))
        assert poll.returncode == 0, poll.stderr
        said = poll.stdout
    assert "21 h 20 min" not in said and "21 घंटे 20 मिनट" not in said
    assert "The problem has lasted 37 min so far (since Wednesday, 6:40 PM)." in said
    assert "दिक्कत बुधवार शाम 6:40 बजे से जारी है — अब तक 37 मिनट।" in said


def test_clock_times_the_title_zones_are_the_stated_span(server: Any, tmp_path: Path) -> None:
    """OpenAI w7lt68pw6gh1 ("ChatGPT service disruption impacting ~10% of all users between ~2:58-3:10 PM pacific
    time", 7 December 2023): its one statement, Resolved at 15:37 PST (23:37 UTC), reads "Between 2:58 - 3:10
    approximately 10% of users may have been unable to send a message to ChatGPT." The channel said "when it began
    and how long it lasted is not known". By OpenAI's account: 2:58-3:10 PM PST, 22:58-23:10 UTC, 4:28-4:40 AM IST
    on Friday 8 December, 12 minutes."""
    poll, record = poll_page(server, tmp_path, "openai_w7lt68pw6gh1")
    assert "how long it lasted is not known" not in poll.stdout and "पता नहीं है" not in poll.stdout
    assert (record["started_at"], record["resolved_at"]) == ("2023-12-07T22:58:00Z", "2023-12-07T23:10:00Z")
    assert record["told"]["duration_seconds"] == 12 * 60
    assert "कंपनी के मुताबिक दिक्कत शुक्रवार तड़के 4:28 बजे शुरू हुई थी। दिक्कत लगभग 12 मिनट तक रही।" in poll.stdout
    assert "By its account service was back on Friday, 4:40 AM. By the company's account the problem began at " \
           "4:28 AM. It lasted about 12 min." in poll.stdout


def test_a_report_names_the_date_of_a_small_hours_span_once(server: Any, tmp_path: Path) -> None:
    """Character.AI 0cksdfnhfy6p ("Group Chat Down"): identified 24 Oct 2023 21:15 UTC (Wednesday 25 October, 2:45
    AM IST), resolved 23:45 UTC (5:15 AM IST), postmortem 29 Oct ("Internal networking infrastructure failed,
    affecting Group Chat."). The report's message said "the problem of Wednesday 25 October, 2:45 AM to Wednesday
    25 October, 5:15 AM" and "मंगलवार देर रात 2:45 बजे (25 अक्टूबर) से बुधवार सुबह 5:15 बजे (25 अक्टूबर) तक": one
    date, told twice."""
    poll, record = poll_page(server, tmp_path, "characterai_0cksdfnhfy6p")
    assert (record["started_at"], record["resolved_at"]) == ("2023-10-24T21:15:00Z", "2023-10-24T23:45:00Z")
    assert "on the problem of Wednesday 25 October, 2:45 AM to 5:15 AM (about 2 h 30 min)." in poll.stdout
    assert "मंगलवार देर रात 2:45 बजे (25 अक्टूबर) से बुधवार सुबह 5:15 बजे तक रही दिक्कत (लगभग 2 घंटे 30 मिनट)" \
        in poll.stdout


def test_a_close_whose_words_say_work_goes_on_is_not_told_as_fixed(server: Any, tmp_path: Path) -> None:
    """Emma tcppnkdjxjr9 ("Heavy Database Load", 6 April 2018): one statement, marked resolved at 12:00 CDT (17:00
    UTC, 10:30 PM IST): "We are seeing increased load on the database due to Heavy calls from an internal service
    we are working to mitigate any impact." The channel said "✅ Emma: समस्या दूर, सेवा बहाल" / "✅ Emma:
    resolved". Emma closed the incident on its page; its words say it was still working on the load."""
    poll, record = poll_page(server, tmp_path, "emma_tcppnkdjxjr9")
    assert record["closed_unfixed"] and record["told"]["duration_seconds"] is None
    assert "समस्या दूर, सेवा बहाल" not in poll.stdout and "✅ Emma: resolved" not in poll.stdout
    assert "⚪ Emma: स्टेटस पेज पर मामला बंद, समस्या दूर होने की पुष्टि नहीं\nEmma ने शुक्रवार रात 10:30 बजे (6 अप्रैल, " \
           "भारतीय समय) अपने स्टेटस पेज पर मामला बंद किया" in poll.stdout
    assert "⚪ Emma: incident closed on the status page, not said to be fixed\nEmma closed the incident on its " \
           "status page on Friday 6 April, 10:30 PM IST (17:00 UTC)" in poll.stdout


def test_a_clock_written_2_15p_gmt_is_the_companys_start(server: Any, tmp_path: Path) -> None:
    """OpenAI qvp3rhvc3vwk ("ChatGPT is unavailable for some users.", tests/data/story_real): first word 14:33 UTC
    ("We are currently investigating this issue."), resolved 17:17 UTC with "This incident started June 4th at 2:15p
    GMT and was resolved June 4th at 5:01p GMT." The "2:15p" clock was not read ("no time zone stated"), so the
    channel told first word → resolution, 2 h 44 min. By OpenAI's account: 14:15–17:01 UTC (7:45–10:31 PM IST),
    2 h 46 min."""
    poll, record = poll_page(server, tmp_path, "openai_qvp3rhvc3vwk", DATA.parent / "story_real")
    assert (record["started_at"], record["started_from"]) == ("2024-06-04T14:15:00Z", "text")
    assert (record["resolved_at"], record["resolved_from"]) == ("2024-06-04T17:01:00Z", "text")
    assert record["told"]["duration_seconds"] == (2 * 60 + 46) * 60
    assert "2 घंटे 44 मिनट" not in poll.stdout and "2 h 44 min" not in poll.stdout
    assert "✅ ओपनएआई: 2 घंटे 46 मिनट बाद समस्या दूर (मंगलवार शाम 7:45 बजे से रात 10:31 बजे तक)" in poll.stdout
    assert "✅ OpenAI: resolved after 2 h 46 min (Tuesday, 7:45 PM – 10:31 PM IST)" in poll.stdout


def _stored(tmp_path: Path, name: str) -> tuple[Any, int]:
    """``name`` stored through the pipeline into a fresh state database, as one backfilled poll would store it:
    (the database, its one incident's id)."""
    from datetime import timedelta

    from config import parse_config
    from pipeline import store_posts
    from store import open_db, rows
    from trackers.statuspage import parse_statuspage_document

    bot = parse_config({"bot": {"state": str(tmp_path / "state.db"), "timezone": "Asia/Kolkata"},
                        "source": [{"id": "page", "kind": "statuspage", "service": SERVICES[name.split("_")[0]],
                                    "url": "https://status.example.org", "backfill": "all"}],
                        "channel": [DESK_CHANNEL]}, "<test>")
    db = open_db(bot.state)
    source = bot.source("page")
    posts = parse_statuspage_document(json.loads((DATA / f"{name}.json").read_text(encoding="utf-8")), source,
                                      where=name)
    store_posts(db, bot, source, posts, now=max(p.created_at for p in posts) + timedelta(minutes=1))
    (incident,) = rows(db, "select id from incidents")
    return db, int(incident["id"])


def test_a_problem_that_came_back_is_told_from_its_return_in_a_backlog_a_summary_and_a_report(tmp_path: Path) -> None:
    """The DatoCMS incident of 8-9 October 2024 (above): resolved 8 Oct 22:59 UTC, "It looks like Heroku is having
    the same problem again" 9 Oct 13:10 UTC (6:40 PM IST), resolved 16:48 UTC (10:18 PM IST); its first word 8 Oct
    17:06 UTC (10:36 PM IST); 23 Oct 14:22 UTC "Our upstream partner published their post-mortem". The resolution
    message tells 3 h 38 min since it came back; the collapsed backlog still said "मंगलवार रात 9:57 बजे … से बुधवार
    रात 10:18 बजे … तक रही — लगभग 1 दिन 21 मिनट", the day's summary "• DatoCMS: मंगलवार रात 9:57 बजे से बुधवार रात
    10:18 बजे तक — 1 दिन 21 मिनट" and a report "(about 1 day 21 min)": the span over the fourteen hours it was
    resolved."""
    import datetime as dt

    from render import incident_context, render, summary_context

    db, target = _stored(tmp_path, "datocms_2024-10-08-high-response-times")

    def shown(kind: str, context: dict[str, Any]) -> str:
        return render(kind, context, markup="plain", languages=("hi", "en"), max_chars=100_000).parts[0]

    backlog = shown("digest", incident_context(db, target, "digest", "Asia/Kolkata"))
    day = shown("digest", summary_context(db, "Asia/Kolkata", day=dt.date(2024, 10, 9)))
    report = shown("report", incident_context(db, target, "report", "Asia/Kolkata"))
    for text in (backlog, day, report):
        assert "1 दिन 21 मिनट" not in text and "1 day 21 min" not in text
    assert "दिक्कत बुधवार शाम 6:40 बजे (9 अक्टूबर, भारतीय समय) फिर लौटी थी; रात 10:18 बजे तक समस्या दूर कर ली गई — लगभग 3 " \
           "घंटे 38 मिनट बाद। कंपनी ने पहली बार मंगलवार रात 10:36 बजे (8 अक्टूबर) इसकी जानकारी दी थी।" in backlog
    assert "The problem came back on Wednesday 9 October, 6:40 PM IST (13:10 UTC); it was resolved on Wednesday 9 " \
           "October, 10:18 PM IST (16:48 UTC), about 3 h 38 min later. The company first reported it on Tuesday 8 " \
           "October, 10:36 PM." in backlog
    assert "• DatoCMS: फिर लौटी दिक्कत बुधवार शाम 6:40 बजे से रात 10:18 बजे तक — 3 घंटे 38 मिनट, समस्या दूर" in day
    assert "• DatoCMS: back again Wednesday, 6:40 PM (13:10 UTC) to 10:18 PM (16:48 UTC) — 3 h 38 min, resolved again" \
        in day
    assert "बुधवार शाम 6:40 बजे (9 अक्टूबर) फिर लौटी और रात 10:18 बजे तक रही दिक्कत (लगभग 3 घंटे 38 मिनट) पर अपनी " \
           "विस्तृत रिपोर्ट जारी की।" in report
    assert "on the problem that came back on Wednesday 9 October, 6:40 PM and lasted to 10:18 PM (about 3 h 38 min)." \
        in report


def test_a_report_in_the_incidents_thread_gives_the_span_the_incident_never_stated(server: Any, tmp_path: Path) -> None:
    """Anthropic shhpbrjb160c ("Claude.ai Experienced a Temporary Outage"): one statement, Resolved at 14:31 PST on 31
    January 2024 (22:31 UTC), "This incident has been resolved."; its Postmortem at 19:37 PST (03:37 UTC, 1
    February): "claude.ai was down from 13:33PST - 13:52PST due to a database migration issue." The channel said
    the start and length were not known, and the report "on the problem resolved on Thursday 1 February, 4:01 AM"
    (the resolution's time). By Anthropic's report: 21:33–21:52 UTC (3:03–3:22 AM IST, 1 February), 19 min."""
    poll, record = poll_page(server, tmp_path, "anthropic_shhpbrjb160c")
    assert (record["started_at"], record["started_from"]) == ("2024-01-31T21:33:00Z", "text")
    assert (record["resolved_at"], record["resolved_from"]) == ("2024-01-31T21:52:00Z", "text")
    assert record["told"]["duration_seconds"] == 19 * 60
    assert "when it began and how long it lasted is not known" not in poll.stdout
    assert "on the problem of Thursday 1 February, 3:03 AM to 3:22 AM (about 19 min)." in poll.stdout
    assert "बुधवार देर रात 3:03 बजे (1 फ़रवरी) से 3:22 बजे तक रही दिक्कत (लगभग 19 मिनट) पर अपनी विस्तृत रिपोर्ट जारी की।" \
        in poll.stdout


def test_a_security_notice_closed_is_not_service_restored(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Rollbar security notice" (18 September 2023, impact minor): one update, status resolved — "On September
    8th Rollbar announced a security incident … our Rollbar access tokens might have been accessed by a third party
    … on Sep 12th we have rotated all our tokens and deleted all the stack traces". No outage, no trouble with the
    service, no fix. The channel said "✅ DatoCMS: समस्या दूर, सेवा बहाल" / "resolved … the problem has been
    resolved". The company closed a notice: told as such, with nothing restored and no problem claimed."""
    poll, record = poll_page(server, tmp_path, "datocms_2023-09-18-rollbar-security-notice")
    assert record["status"] == "resolved" and [s["kind"] for s in record["statements"]] == ["resolved"]
    assert "बहाल" not in poll.stdout and "समस्या दूर" not in poll.stdout
    assert "has been resolved" not in poll.stdout and "✅" not in poll.stdout
    assert "⚪ DatoCMS: कंपनी ने मामला बंद किया" in poll.stdout
    assert "⚪ DatoCMS: the company closed the notice" in poll.stdout
    assert "“Rollbar security notice”" in poll.stdout  # what the notice was about, in the company's words
    assert "Rollbar announced a security incident" in poll.stdout  # its words quoted


def test_a_security_notice_closed_is_a_notice_in_the_record_and_on_the_site(server: Any, tmp_path: Path) -> None:
    """The same DatoCMS "Rollbar security notice": the channel told it as a notice closed, but `bot.py incidents
    --json` gave no sign of it, and the history site showed "✅ … resolved" (समस्या दूर) for it, as for a fix. The
    record marks it a notice with no duration (nothing was down), and the site shows ⚪ "notice closed, no problem
    named" on the incident's page and in the service's list, never "resolved"."""
    import re

    _poll, record = poll_page(server, tmp_path, "datocms_2023-09-18-rollbar-security-notice")
    assert record["notice"] is True and record["closed_unfixed"] is False
    assert record["told"]["duration_seconds"] is None and record["duration_seconds"] is None
    out = tmp_path / "site"
    site = run_bot("site", "--config", str(tmp_path / "pushti.toml"), "--out", str(out), "--today", "2023-09-20")
    assert site.returncode == 0, site.stderr
    page = (out / "incidents" / f"{record['id']}.html").read_text(encoding="utf-8")
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)  # type: ignore[union-attr]
    assert heading.startswith("⚪"), heading
    assert "notice closed, no problem named" in page and "सूचना देकर मामला बंद, किसी दिक्कत की बात नहीं" in page
    assert ">resolved<" not in page and "समस्या दूर</span>" not in page
    service = next((out / "services").glob("*/index.html")).read_text(encoding="utf-8")
    assert "notice closed, no problem named" in service and ">resolved<" not in service and "✅" not in service


def test_a_report_after_a_resolution_keeps_the_incident_fixed_not_a_notice(server: Any, tmp_path: Path) -> None:
    """Anthropic shhpbrjb160c ("Claude.ai Experienced a Temporary Outage"): a resolution then a postmortem, both
    naming the outage ("claude.ai was down from 13:33PST - 13:52PST"). Reports are allowed in a notice's statements,
    but these name a problem: the record is a fix with its 19 minutes, not a notice."""
    _poll, record = poll_page(server, tmp_path, "anthropic_shhpbrjb160c")
    assert record["notice"] is False and record["told"]["duration_seconds"] == 19 * 60
