"""Real incidents of Statuspage home pages (bbsetup/public-bugbounty-data, January–February 2021) read as a news
desk would: each served locally as a Statuspage ``incidents.json`` (tests/data/training_real, converted faithfully
from the rendered page: see its README), read through ``bot.py poll --once`` and ``bot.py incidents --json``
(backfill all, a Hindi + English console channel). The facts asserted are read from the source pages, not from the
bot's output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pollhelpers import poll_statuspage

DATA = Path(__file__).parent / "data" / "training_real"
SERVICES = {"fastly": "Fastly", "agorapulse": "Agorapulse", "binarycom": "Binary.com", "korbit": "Korbit", "karte": "KARTE", "circleci": "CircleCI", "scalepoint": "Scalepoint Technologies",
            "zoom": "Zoom", "clickfunnels": "ClickFunnels"}


def poll_page(server: Any, tmp_path: Path, name: str) -> tuple[Any, dict[str, Any]]:
    """Serve ``name`` (one incident) as a Statuspage page's incidents.json, poll it once with backfill all: (the
    completed poll, the one incident ``bot.py incidents --json`` lists)."""
    return poll_statuspage(server, tmp_path, (DATA / f"{name}.json").read_bytes(), SERVICES[name.split("_")[0]])


def test_an_outage_rated_maintenance_under_incident_labels_is_not_planned_work(server: Any, tmp_path: Path) -> None:
    """Korbit j78fygjskb8q ("APP 사용 권장 안내", 11 January 2021, impact class ``maintenance``): labelled
    Investigating at 14:14 KST (05:14 UTC, 10:44 AM IST) "현재 사용자 접속이 일시적으로 급증해 코빗 웹사이트 이용이
    어려운 상황입니다" (a sudden surge of users makes the website hard to use; use the app), then Investigating,
    Identified, Monitoring, Resolved at 21:05 KST (12:05 UTC, 5:35 PM IST). No window, no maintenance label. The
    channel said five times "🛠 Korbit: नियोजित रखरखाव (मेंटेनेंस) की सूचना … यह पहले से तय काम है, अचानक आई
    खराबी (आउटेज) नहीं" / "planned maintenance scheduled … not an unexpected outage", and at the end "planned
    maintenance completed". By Korbit's own labels and words it was an unplanned problem, resolved."""
    poll, record = poll_page(server, tmp_path, "korbit_j78fygjskb8q")
    assert record["kind"] == "incident"
    assert "नियोजित रखरखाव" not in poll.stdout and "planned maintenance" not in poll.stdout
    assert "not an unexpected outage" not in poll.stdout
    assert (record["status"], record["resolved_at"]) == ("resolved", "2021-01-11T12:05:00Z")
    assert "✅ Korbit:" in poll.stdout


def test_words_in_japanese_are_not_quoted_as_english(server: Any, tmp_path: Path) -> None:
    """KARTE vrd496twg47l ("管理画面で障害が発生しています", 18 January 2021, JST): all three updates are in Japanese
    ("管理画面にログインしようとするとエラーになる事象が発生しております。", "本件、解消確認しました。"). Each Hindi message
    said "KARTE ने लिखा (अंग्रेज़ी में):" (KARTE wrote, in English) before the Japanese words."""
    poll, record = poll_page(server, tmp_path, "karte_vrd496twg47l")
    assert "(अंग्रेज़ी में)" not in poll.stdout
    assert "KARTE ने लिखा:\n“管理画面で障害が発生しています。" in poll.stdout
    assert (record["started_at"], record["resolved_at"]) == ("2021-01-18T08:04:00Z", "2021-01-18T09:00:00Z")


def test_a_maintenance_window_past_midnight_names_the_day_it_ends(server: Any, tmp_path: Path) -> None:
    """CircleCI 0jqzs9bd1ff3 ("Database Maintenance [Saturday, Jan 23, 2021]"): the page's window "Jan 23,
    14:00-20:00 UTC", in IST Saturday 23 January 7:30 PM to Sunday 24 January 1:30 AM. The English said "from
    Saturday 23 January, 7:30 PM to 1:30 AM IST": a bare 1:30 AM after a Saturday date reads as Saturday's, before
    the start. (The Hindi "शनिवार शाम 7:30 बजे से देर रात 1:30 बजे तक (23–24 जनवरी)" says it as Hindi desks do.)"""
    poll, record = poll_page(server, tmp_path, "circleci_0jqzs9bd1ff3")
    assert "7:30 PM to 1:30 AM IST" not in poll.stdout
    assert "that it will carry out planned maintenance from Saturday 23 January, 7:30 PM to Sunday 24 January, " \
           "1:30 AM IST (14:00–20:00 UTC)." in poll.stdout
    assert "शनिवार शाम 7:30 बजे से देर रात 1:30 बजे तक (23–24 जनवरी, भारतीय समय) नियोजित रखरखाव" in poll.stdout
    assert record["kind"] == "maintenance"


def test_a_maintenance_window_on_one_local_date_names_it_once(server: Any, tmp_path: Path) -> None:
    """Scalepoint mxkww38nmtlb ("Scheduled Maintenance - All Systems"): the page's window "Feb 20, 22:00 - Feb 21,
    06:00 CET", 21:00 UTC 20 February to 05:00 UTC 21 February, in IST Sunday 21 February 2:30 AM to 10:30 AM. The
    English said "from Sunday 21 February, 2:30 AM to Sunday 21 February, 10:30 AM IST": one date, told twice."""
    poll, _ = poll_page(server, tmp_path, "scalepoint_mxkww38nmtlb")
    assert "to Sunday 21 February, 10:30 AM" not in poll.stdout
    assert "from Sunday 21 February, 2:30 AM to 10:30 AM IST (21:00 UTC 20 February – 05:00 UTC 21 February)." \
        in poll.stdout


def test_a_part_named_sign_in_is_not_told_twice_as_login(server: Any, tmp_path: Path) -> None:
    """Zoom x51v9gpg8xb6 ("A subset of European users are unable to sign in to Zoom Native Client", 19 January
    2021): acknowledged 16:08 UTC (9:38 PM IST), resolved 17:06 UTC (10:36 PM IST) "We have resolved the issue
    causing a subset of users in Europe to be unable to sign in to the native desktop and mobile Zoom clients."
    The Hindi said "बताया कि साइन इन में लॉग इन करने में दिक्कत दूर कर ली गई है" (the trouble logging in in sign
    in): the part and the symptom are one thing."""
    poll, record = poll_page(server, tmp_path, "zoom_x51v9gpg8xb6")
    assert "साइन इन में लॉग इन करने में" not in poll.stdout
    assert "ज़ूम ने मंगलवार रात 10:36 बजे (19 जनवरी, भारतीय समय) अपने स्टेटस पेज पर बताया कि साइन इन में दिक्कत दूर कर " \
           "ली गई है।" in poll.stdout
    assert record["told"]["duration_seconds"] == 58 * 60


def test_a_word_in_a_link_is_not_a_part_that_broke(server: Any, tmp_path: Path) -> None:
    """Agorapulse ft95n6s9rswf ("Facebook: posts and comments are randomly failing to publish", 12 January 2021):
    "We are aware of an issue with Facebook's network randomly affecting posts in the publisher and replies to
    comments within the inbox. … have updated their status page here https://developers.facebook.com/status/dashboard/
    with a degraded performance." The channel said "🔴 Agorapulse: डैशबोर्ड में धीमेपन की दिक्कत" / "problem with
    dashboard acknowledged … dashboard is slow": the word came from the link's address. Agorapulse named no
    dashboard of its own."""
    poll, record = poll_page(server, tmp_path, "agorapulse_ft95n6s9rswf")
    assert "डैशबोर्ड" not in poll.stdout and "problem with dashboard" not in poll.stdout
    assert "dashboard is slow" not in poll.stdout
    assert (record["started_at"], record["resolved_at"]) == ("2021-01-12T06:34:00Z", "2021-01-12T18:26:00Z")


def test_work_the_company_says_leaves_the_service_untouched_is_not_told_as_affecting_it(server: Any,
                                                                                       tmp_path: Path) -> None:
    """Zoom fqh2pg4ds913 ("Announcing Updated IP Address Ranges (No Operational Impact)", in progress 16 January
    2021 07:59 UTC) and ClickFunnels h74l75562pmy ("Legacy Code Clean Up": "we expect it to have no effect on the
    performance of the App, Funnel Pages, or the overall experience of our users", in progress 19 January 17:00 UTC).
    Each "started" message added "इस दौरान सेवा पर असर पड़ सकता है" / "the service may be affected while it lasts",
    against the company's own word."""
    for name in ("zoom_fqh2pg4ds913", "clickfunnels_h74l75562pmy"):
        (tmp_path / name).mkdir()
        poll, record = poll_page(server, tmp_path / name, name)
        assert record["kind"] == "maintenance"
        assert "सेवा पर असर पड़ सकता है" not in poll.stdout and "may be affected" not in poll.stdout
        assert "यह पहले से तय काम है, अचानक आई खराबी (आउटेज) नहीं; कंपनी के मुताबिक इससे सेवा पर कोई असर नहीं पड़ेगा।" \
            in poll.stdout
        assert "This is planned work, not an unexpected outage; the company says it should not affect the service." \
            in poll.stdout


def test_a_notice_that_names_no_time_does_not_send_the_reader_to_its_words_for_one(server: Any,
                                                                                   tmp_path: Path) -> None:
    """Zoom fqh2pg4ds913 ("Announcing Updated IP Address Ranges (No Operational Impact)", scheduled notice 15
    January 2021 20:10 UTC, 1:40 AM IST on 16 January): "We will be updating our IP address ranges. … The following
    IP address range has been added: 168.138.74.0/25 …" — no date, no clock, and the page shows no window for it.
    The channel said "समय कंपनी के बयान में देखें" / "its statement gives the time". Binary.com pr5k4bgqgsyg's notice
    (posted 9 February 2021 08:57 UTC: "from 1:00 am to 1:30 am (GMT) on Wednesday, 10 February 2021") does give
    one, which was sent there too; its words are now read (facts.window_words): 01:00–01:30 UTC, 6:30–7:00 AM IST."""
    (tmp_path / "zoom").mkdir()
    poll, _ = poll_page(server, tmp_path / "zoom", "zoom_fqh2pg4ds913")
    assert "समय कंपनी के बयान में देखें" not in poll.stdout and "its statement gives the time" not in poll.stdout
    assert "ज़ूम ने शुक्रवार देर रात 1:40 बजे (16 जनवरी, भारतीय समय) अपने स्टेटस पेज पर नियोजित रखरखाव (मेंटेनेंस) की " \
           "सूचना दी; इसका समय कंपनी ने नहीं बताया।" in poll.stdout
    assert "Zoom announced planned maintenance on its status page on Saturday 16 January, 1:40 AM IST (20:10 UTC, 15 " \
           "January); it did not say when." in poll.stdout
    (tmp_path / "binarycom").mkdir()
    poll, _ = poll_page(server, tmp_path / "binarycom", "binarycom_pr5k4bgqgsyg")
    assert "समय कंपनी के बयान में देखें" not in poll.stdout and "its statement gives the time" not in poll.stdout
    assert "बताया कि बुधवार सुबह 6:30 बजे से 7 बजे तक (10 फ़रवरी, भारतीय समय) नियोजित रखरखाव (मेंटेनेंस) किया जाएगा।" \
        in poll.stdout
    assert "(08:57 UTC) that it will carry out planned maintenance from Wednesday 10 February, 6:30 AM to 7:00 AM IST " \
           "(01:00–01:30 UTC)." in poll.stdout


def test_a_notice_naming_no_problem_is_not_a_problem_acknowledged(server: Any, tmp_path: Path) -> None:
    """Fastly mjtrykb6rg3g ("A COVID-19 Business Continuity Update From Fastly", still listed open on the page in
    January 2021; posted 16 March 2020 04:38 UTC, 10:08 AM IST; impact none, labelled Monitoring): "A COVID-19
    Business Continuity Update From Fastly https://www.fastly.com/blog/covid-19-update Questions can be directed to
    support@fastly.com". The channel said "🔴 Fastly: सेवा में दिक्कत, कंपनी ने माना" / "problem acknowledged …
    there is a problem with its service". Fastly named no problem."""
    poll, record = poll_page(server, tmp_path, "fastly_mjtrykb6rg3g")
    assert "🔴" not in poll.stdout and "कंपनी ने माना" not in poll.stdout and "acknowledged" not in poll.stdout
    assert "⚪ Fastly: कंपनी की सूचना\nFastly ने सोमवार सुबह 10:08 बजे (16 मार्च, भारतीय समय) अपने स्टेटस पेज पर एक सूचना " \
           "दी; इसमें किसी दिक्कत या खराबी की बात नहीं है।" in poll.stdout
    assert "⚪ Fastly: a notice from the company\nFastly posted a notice on its status page on Monday 16 March, " \
           "10:08 AM IST (04:38 UTC); it names no problem with the service." in poll.stdout
    assert record["started_at"] == "2020-03-16T04:38:00Z"


def test_reports_of_errors_being_fixed_are_a_problem_acknowledged_not_a_notice(server: Any, tmp_path: Path) -> None:
    """GitHub 1q6t7dl05p50 ("Incident on 2019-06-12 21:35 UTC", impact none): its first update, Investigating at
    21:35 UTC (3:05 AM IST, 13 June), reads "We have received reports of errors on Pull Requests and are working on
    a fix." — a problem, acknowledged (resolved 30 min later). The notice rule above (no symptom, no word of trouble
    or of a fix, impact none) told it "⚪ GitHub: कंपनी की सूचना … इसमें किसी दिक्कत या खराबी की बात नहीं है" / "a
    notice … it names no problem with the service": "errors on" and "working on a fix" name one."""
    document = json.loads((Path(__file__).parent / "data" / "statuspage" / "github_incidents" /
                           "1q6t7dl05p50.json").read_text(encoding="utf-8"))
    body = json.dumps({"page": document["page"], "incidents": [document["incident"]]}).encode()
    poll, record = poll_statuspage(server, tmp_path, body, "GitHub")
    assert "कंपनी की सूचना" not in poll.stdout and "a notice from the company" not in poll.stdout
    assert "names no problem" not in poll.stdout
    assert record["status"] == "resolved" and record["told"]["duration_seconds"] == 30 * 60
