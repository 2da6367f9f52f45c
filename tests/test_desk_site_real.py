"""The history site, the day digest and the Atom feeds built from real documents, read as a news desk would next to
the channel messages: each document served locally (a Statuspage incidents.json of tests/data/training_real, a
history feed of tests/data/real_incidents, one event of the AWS archive sample), polled once with backfill all and
a Hindi + English console channel, then ``bot.py digest --day`` and ``bot.py site``. The facts asserted are read from
the source documents, in IST (Asia/Kolkata), not from the bot's output."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pollhelpers import AWS_SAMPLE, DESK_CHANNEL, GCP_SAMPLE, run_bot, write_config
from test_desk_feeds_real import one_entry
from test_desk_training_real import DATA, SERVICES


def poll_config(server: Any, tmp_path: Path, path: str, body: bytes, content_type: str,
                source: dict[str, Any]) -> Path:
    """Serve ``body`` at ``path``, poll ``source`` (its url the served path or, for a Statuspage page, the server's
    root) once with backfill all and a Hindi + English console channel: the config written."""
    server.route(path, body, headers={"Content-Type": content_type})
    url = server.url if source["kind"] == "statuspage" else server.url + path
    config = write_config(tmp_path, [{**source, "url": url, "backfill": "all"}], channels=[DESK_CHANNEL],
                          bot={"timezone": "Asia/Kolkata"})
    poll = run_bot("poll", "--once", "--config", str(config))
    assert poll.returncode == 0, poll.stderr
    return config


def training_page(server: Any, tmp_path: Path, name: str) -> Path:
    """One incident of tests/data/training_real served as a Statuspage incidents.json and polled: the config."""
    return poll_config(server, tmp_path, "/api/v2/incidents.json", (DATA / f"{name}.json").read_bytes(),
                       "application/json", {"id": "page", "kind": "statuspage", "service": SERVICES[name.split("_")[0]]})


def digest(config: Path, day: str) -> str:
    done = run_bot("digest", "--day", day, "--config", str(config))
    assert done.returncode == 0, done.stderr
    return done.stdout


def site(config: Path, tmp_path: Path, today: str) -> Path:
    out = tmp_path / "site"
    done = run_bot("site", "--config", str(config), "--out", str(out), "--today", today)
    assert done.returncode == 0, done.stderr
    return out


def record(config: Path) -> dict[str, Any]:
    (found,) = [json.loads(line) for line in run_bot("incidents", "--json", "--config", str(config)).stdout.splitlines()]
    return found


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_closed_notice_is_not_a_fix_in_the_day_digest(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Rollbar security notice": one statement, Resolved on 18 September 2023 09:54 UTC (3:24 PM IST),
    about Rollbar's security incident; it names no outage. The channel says "⚪ DatoCMS: कंपनी ने मामला बंद किया" / "the
    company closed the notice". The day's digest (and the day page built from it) said "सोमवार दोपहर 3:24 बजे समस्या
    दूर (शुरुआत का समय पता नहीं)" / "resolved Monday, 3:24 PM (09:54 UTC); start not known"."""
    config = training_page(server, tmp_path, "datocms_2023-09-18-rollbar-security-notice")
    assert record(config)["notice"] is True
    said = digest(config, "2023-09-18")
    assert "समस्या दूर" not in said and "resolved" not in said
    assert "• DatoCMS: सोमवार दोपहर 3:24 बजे स्टेटस पेज पर सूचना देकर मामला बंद (किसी दिक्कत या खराबी की बात नहीं)" in said
    assert "• DatoCMS: a notice posted and closed Monday, 3:24 PM (09:54 UTC); it named no problem with the service" \
        in said
    day = text_of((site(config, tmp_path, "2023-09-20") / "days" / "2023-09-18.html").read_text(encoding="utf-8"))
    assert "start not known" not in day and "a notice posted and closed Monday, 3:24 PM (09:54 UTC)" in day


def test_an_outage_is_listed_on_the_day_the_company_says_it_began(server: Any, tmp_path: Path) -> None:
    """AWS ECS us-east-1, "Elevated Fargate task launch failures": first posted 7 December 2021 23:32 UTC (5:02 AM
    IST on the 8th); the resolution (10:29 UTC on the 8th) reads "Between 7:31 AM PST on December 7 and 2:20 AM PST
    on December 8, ECS experienced increased API error rates, latencies, and task launch failures". The channel
    tells the trouble from Tuesday 7 December, 9:01 PM IST (15:31 UTC) to Wednesday 3:50 PM (10:20 UTC). The digest
    of 7 December and the site's day page of 7 December did not list it (the days ran from its first word); the
    incident page linked only 8 December."""
    (event,) = [e for e in json.loads(AWS_SAMPLE.read_text(encoding="utf-8"))["archive"]
                if e["service"] == "ecs-us-east-1" and e["date"] == "1638919976"]
    config = poll_config(server, tmp_path, "/data.json", json.dumps({"archive": [event], "current": []}).encode(),
                         "application/json", {"id": "aws", "kind": "aws", "service": "AWS"})
    found = record(config)
    assert found["told"]["began_at"] == "2021-12-07T15:31:00Z" and found["first_word_at"] == "2021-12-07T23:32:00Z"
    said = digest(config, "2021-12-07")
    assert "• एडब्ल्यूएस: मंगलवार रात 9:01 बजे से बुधवार दोपहर 3:50 बजे तक — 18 घंटे 49 मिनट, समस्या दूर" in said
    assert "• Amazon Web Services: Tuesday, 9:01 PM (15:31 UTC) to Wednesday, 3:50 PM (10:20 UTC) — 18 h 49 min" in said
    out = site(config, tmp_path, "2021-12-10")
    assert (out / "days" / "2021-12-07.html").exists()
    page = (out / "incidents" / f"{found['id']}.html").read_text(encoding="utf-8")
    assert '<a href="../days/2021-12-07.html">2021-12-07</a>' in page and '<a href="../days/2021-12-08.html">' in page


def test_a_maintenance_is_listed_on_the_days_of_its_window(server: Any, tmp_path: Path) -> None:
    """Symantec WSS "Third Party Certificate Maintenance November 9, 2019": Scheduled on 11 October 22:50 UTC (4:20
    AM IST on the 12th), "Start Date: November 9, 2019, at 14:00 UTC … End Date: November 10, 2019, at 02:00 UTC"
    (7:30 PM on the 9th to 7:30 AM on the 10th, IST); In progress 9 November 14:00, Completed 10 November 02:00 UTC.
    The site listed it on 30 day pages, 12 October to 10 November (each day of the bar coloured "maintenance"), and
    the digest of each of those days said "planned maintenance … completed Sunday, 7:30 AM"; it took place on 9 and
    10 November IST."""
    body = one_entry("symantec_wss_history_2019-12-10.atom", "3094264")
    config = poll_config(server, tmp_path, "/history.atom", body, "application/xml",
                         {"id": "feed", "kind": "feed", "service": "Symantec WSS"})
    found = record(config)
    assert (found["kind"], found["window"]["start"], found["window"]["end"]) == (
        "maintenance", "2019-11-09T14:00:00Z", "2019-11-10T02:00:00Z")
    assert "Symantec" not in digest(config, "2019-10-20") and "Symantec" not in digest(config, "2019-11-08")
    said = digest(config, "2019-11-09")
    assert "• Symantec WSS: planned maintenance (not an unexpected outage), scheduled from Saturday 9 November, " \
           "7:30 PM to Sunday 10 November, 7:30 AM IST" in said
    out = site(config, tmp_path, "2019-11-12")
    assert sorted(p.name for p in (out / "days").glob("*.html")) == ["2019-11-09.html", "2019-11-10.html"]


STATISTICS = "datocms_2023-02-08-projects-usage-statistics"


def test_a_problem_that_came_back_is_not_listed_on_the_days_it_was_fixed(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Problems with projects usage statistics": Investigating 8 February 2023 16:26 UTC (9:56 PM IST),
    "The issue han been fixed" 9 February 14:14 UTC (7:44 PM IST), Investigating again 14 February 17:17 UTC (10:47
    PM IST), "This haven been fixed again." 16 February 12:37 UTC (6:07 PM IST). The site had day pages for 10–13
    February listing it and the digests of those days (and of 8–9 February) said "back again Tuesday, 10:47 PM
    (17:17 UTC) to Thursday, 6:07 PM — 1 day 19 h, resolved again": on 11 February DatoCMS had said it was fixed,
    and the return was days ahead. The days in between list nothing; the first days tell the span first told."""
    config = training_page(server, tmp_path, STATISTICS)
    assert record(config)["told"]["began_at"] == "2023-02-14T17:17:24Z"
    assert "No service reported a problem that day." in digest(config, "2023-02-11")
    said = digest(config, "2023-02-09")
    assert "• DatoCMS: बुधवार रात 9:56 बजे से गुरुवार शाम 7:44 बजे तक — 21 घंटे 48 मिनट, समस्या दूर; दिक्कत मंगलवार रात " \
           "10:47 बजे (14 फ़रवरी) फिर लौटी" in said
    assert "• DatoCMS: Wednesday, 9:56 PM (16:26 UTC) to Thursday, 7:44 PM (14:14 UTC) — 21 h 48 min, resolved; the " \
           "problem came back on Tuesday 14 February, 10:47 PM (17:17 UTC)" in said
    assert "back again" not in said and "1 day 19 h" not in said
    assert "• DatoCMS: back again Tuesday, 10:47 PM (17:17 UTC) to Thursday, 6:07 PM (12:37 UTC) — 1 day 19 h, " \
           "resolved again" in digest(config, "2023-02-15")
    out = site(config, tmp_path, "2023-02-20")
    assert sorted(p.stem for p in (out / "days").glob("*.html")) == [
        "2023-02-08", "2023-02-09", "2023-02-14", "2023-02-15", "2023-02-16"]


def test_a_problem_that_came_back_tells_its_span_from_the_return_on_the_site(server: Any, tmp_path: Path) -> None:
    """The same DatoCMS incident. The channel's resolution: "The problem came back on Tuesday 14 February, 10:47
    PM; it was resolved about 1 day 19 h later". The incident page read "Began Wednesday 8 February, 9:56 PM …
    Ended Thursday 16 February, 6:07 PM … Duration 1 day 19 h" (8 Feb to 16 Feb is 7 days 20 h), and the service's
    list "Wednesday 8 February, 9:56 PM … · 1 day 19 h". Both now say when it was first fixed and came back, and
    that the duration runs from the return."""
    config = training_page(server, tmp_path, STATISTICS)
    incident = record(config)["id"]
    out = site(config, tmp_path, "2023-02-20")
    page = text_of((out / "incidents" / f"{incident}.html").read_text(encoding="utf-8"))
    assert "पहली बार समस्या दूर · First fixed गुरुवार शाम 7:44 बजे (9 फ़रवरी, भारतीय समय) · Thursday 9 February, " \
           "7:44 PM IST (14:14 UTC)" in page
    assert "फिर लौटी · Came back मंगलवार रात 10:47 बजे (14 फ़रवरी, भारतीय समय) · Tuesday 14 February, 10:47 PM IST " \
           "(17:17 UTC)" in page
    assert "अवधि · Duration 1 दिन 19 घंटे (फिर लौटने के बाद से) · 1 day 19 h (since it came back)" in page
    service = text_of((out / "services" / "datocms" / "index.html").read_text(encoding="utf-8"))
    assert "Wednesday 8 February, 9:56 PM IST (16:26 UTC) · फिर लौटी · back again मंगलवार रात 10:47 बजे (14 फ़रवरी, " \
           "भारतीय समय) · Tuesday 14 February, 10:47 PM IST (17:17 UTC) · 1 दिन 19 घंटे · 1 day 19 h" in service


def test_a_day_digest_dates_a_start_and_an_end_on_other_days(server: Any, tmp_path: Path) -> None:
    """Google Cloud aCXLk4u6GJoLn9PqSMm1 (Cloud SQL for MySQL migration to 5.7.36): begin 2 November 2021 12:13 UTC
    (Tuesday 5:43 PM IST), first posted 7 December 21:14 UTC, end 16 December 20:25 UTC (Friday 17 December, 1:55 AM
    IST); "for a duration of 44 days, 8 hours, 12 minutes". The channel: "मंगलवार शाम 5:43 बजे (2 नवंबर, भारतीय समय)
    से गुरुवार देर रात 1:55 बजे (17 दिसंबर) तक". The digest of Wednesday 8 December said "Tuesday, 5:43 PM (12:13
    UTC) to Friday, 1:55 AM" / "मंगलवार शाम 5:43 बजे से गुरुवार देर रात 1:55 बजे तक", which a reader of that day's
    digest takes for 7 to 10 December."""
    (incident,) = [i for i in json.loads(GCP_SAMPLE.read_text(encoding="utf-8")) if i["id"] == "aCXLk4u6GJoLn9PqSMm1"]
    config = poll_config(server, tmp_path, "/incidents.json", json.dumps([incident]).encode(), "application/json",
                         {"id": "gcp", "kind": "gcp", "service": "Google Cloud"})
    said = digest(config, "2021-12-08")
    assert "• गूगल क्लाउड: मंगलवार शाम 5:43 बजे (2 नवंबर) से गुरुवार देर रात 1:55 बजे (17 दिसंबर) तक — 44 दिन 8 घंटे, " \
           "समस्या दूर" in said
    assert "• Google Cloud: Tuesday 2 November, 5:43 PM (12:13 UTC) to Friday 17 December, 1:55 AM (20:25 UTC, " \
           "16 December) — 44 days 8 h, resolved" in said


def test_a_notice_known_only_by_its_close_has_its_time_and_its_day_on_the_site(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Rollbar security notice": its one statement, 18 September 2023 09:54 UTC (Monday 3:24 PM IST). The
    site's day page of 18 September listed it, but its incident page linked no day, and the service's list and the
    index gave it no time at all ("notice closed, no problem named · —"); the channel: "DatoCMS ने सोमवार दोपहर 3:24
    बजे (18 सितंबर, भारतीय समय) अपने स्टेटस पेज पर एक सूचना देकर मामला बंद किया"."""
    config = training_page(server, tmp_path, "datocms_2023-09-18-rollbar-security-notice")
    incident = record(config)["id"]
    out = site(config, tmp_path, "2023-09-20")
    page = (out / "incidents" / f"{incident}.html").read_text(encoding="utf-8")
    assert '<a href="../days/2023-09-18.html">2023-09-18</a>' in page
    for listing in (out / "services" / "datocms" / "index.html", out / "index.html"):
        line = text_of(listing.read_text(encoding="utf-8"))
        assert "notice closed, no problem named · सोमवार दोपहर 3:24 बजे (18 सितंबर, भारतीय समय) · Monday 18 " \
               "September, 3:24 PM IST (09:54 UTC)" in line, listing


def test_a_closed_notice_is_not_counted_as_an_incident_in_the_figures(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Rollbar security notice" (18 September 2023): a notice about Rollbar's security incident, naming no
    outage; the site calls it "notice closed, no problem named". The service page's figures counted it: "1 घटनाएं, 0
    नियोजित रखरखाव" / "1 incidents, 0 planned maintenance"."""
    config = training_page(server, tmp_path, "datocms_2023-09-18-rollbar-security-notice")
    out = site(config, tmp_path, "2023-09-20")
    service = text_of((out / "services" / "datocms" / "index.html").read_text(encoding="utf-8"))
    assert "0 घटनाएं, 0 नियोजित रखरखाव, 1 सूचना (किसी दिक्कत की बात नहीं)।" in service
    assert "0 incidents, 0 planned maintenance, 1 notice naming no problem." in service
    assert "1 incidents" not in service
