"""Story drafts of real incidents read as a Hindi desk reads them (issue 16): each test states a fact written by
hand from the source document (tests/data/story_real, its README says where each came from) and checks the draft
tells it — or no longer tells the wrong thing it told before. Every story is also run through
outputs/story/check.py."""

from __future__ import annotations

import re
from pathlib import Path

from storyhelpers import checked_story as _story
from storyhelpers import incident_of as _incident
from storyhelpers import own_words as _own
from storyhelpers import stored_db

from outputs.story import write_story
from store import rows

DATA = Path(__file__).resolve().parent / "data" / "story_real"
SOURCES = {  # document → its source as a config would give it
    "openai_qvp3rhvc3vwk": {"id": "openai", "kind": "statuspage", "service": "OpenAI",
                            "url": "https://status.openai.com"},
    "anthropic_gm6vlw4gc377": {"id": "anthropic", "kind": "statuspage", "service": "Anthropic (Claude)",
                               "url": "https://status.anthropic.com"},
    "github_6swlsy1h3wy9": {"id": "github", "kind": "statuspage", "service": "GitHub",
                            "url": "https://www.githubstatus.com"},
}


def _db(tmp: Path, *names: str):  # type: ignore[no-untyped-def]
    """A state database with the documents ``names`` stored through the pipeline, each from its own source."""
    sources = [SOURCES.get(n) or {"id": n.lower(), "kind": "gcp", "service": "Google Cloud",
                                  "url": "https://status.cloud.google.com/incidents.json"} for n in names]
    return stored_db(tmp, [(DATA / f"{name}.json", spec) for name, spec in zip(names, sources, strict=True)])


# ------------------------------------------------------------------ 4 June 2024: ChatGPT and Claude, one event


def test_event_lede_does_not_make_the_first_company_report_the_others_trouble(tmp_path):
    """OpenAI's first word (14:33 UTC, 8:03 PM IST) was only "We are currently investigating this issue."; the
    failing page loads were Anthropic's (14:53 UTC). The lede told Anthropic's symptom and then "सबसे पहले ओपनएआई
    ने … इसकी जानकारी दी" / "OpenAI was the first to say so", as if OpenAI had reported them.
    OpenAI's resolution states its own start ("This incident started June 4th at 2:15p GMT", 7:45 PM IST): the lede
    tells it as the start of trouble with OpenAI's own service, not as when "the problem" Anthropic's users had
    began ("ओपनएआई के मुताबिक दिक्कत … शुरू हुई थी" / "By OpenAI's account the problem began")."""
    db = _db(tmp_path, "openai_qvp3rhvc3vwk", "anthropic_gm6vlw4gc377")
    (event,) = rows(db, "select id from events")
    hindi = _own(_story(db, event["id"], "hi", event=True))
    english = _own(_story(db, event["id"], "en", event=True))
    assert "ओपनएआई के मुताबिक उसकी सेवा में दिक्कत मंगलवार शाम 7:45 बजे (4 जून, भारतीय समय) शुरू हुई थी।" in hindi
    assert "ओपनएआई के मुताबिक दिक्कत" not in hindi and "इसकी जानकारी" not in hindi
    assert "By OpenAI's account the problem with its service began on Tuesday 4 June, 7:45 PM IST (14:15 UTC)." \
        in english
    assert "first to say so" not in english and "By OpenAI's account the problem began" not in english


def test_closing_does_not_say_no_figure_was_given_when_the_company_said_everyone(tmp_path):
    """OpenAI's resolution (17:17 UTC): "We experienced a major outage impacting all users on all plans of
    ChatGPT"; its report (11 June): "affecting all user tiers". The closing still said "कंपनी ने अभी तक यह नहीं
    बताया है कि … कितने उपयोगकर्ता प्रभावित हुए" / "has not said … how many users were affected"."""
    db = _db(tmp_path, "openai_qvp3rhvc3vwk")
    target = _incident(db, "OpenAI")
    hindi, english = _own(_story(db, target, "hi")), _own(_story(db, target, "en"))
    assert "कितने उपयोगकर्ता प्रभावित हुए" not in hindi and "how many users" not in english
    # it gave a cause in the report: nothing is left to say as unknown
    assert "अभी तक यह नहीं बताया" not in hindi and "has not said" not in english
    assert "रिपोर्ट में कंपनी ने दिक्कत की वजह बताई है।" in hindi


# ------------------------------------------------------------------ Google Cloud


def test_headline_does_not_call_the_whole_company_down_when_a_part_was(tmp_path):
    """Google Cloud B1hD4KAtcxiyAWkcANfV (31 March 2022): "Global: Cloud Monitoring Metrics may be unavailable or
    underreported for Cloud Pub/Sub", begin 15:30 UTC (9 PM IST), end 22:54 UTC, 7 h 24 min by its own fields. The
    headline said "गूगल क्लाउड लगभग 7 घंटे 24 मिनट ठप रहा" / "Google Cloud down for about 7 h 24 min"."""
    db = _db(tmp_path, "gcp_B1hD4KAtcxiyAWkcANfV")
    target = _incident(db, "Google Cloud")
    hindi, english = _story(db, target, "hi"), _story(db, target, "en")
    assert hindi.splitlines()[0] == "गूगल क्लाउड पर लगभग 7 घंटे 24 मिनट दिक्कत रही; कंपनी के मुताबिक अब समस्या दूर"
    assert english.splitlines()[0] == "Google Cloud disrupted for about 7 h 24 min; the company says it is fixed"
    assert "ठप" not in hindi
    # what broke is still told, with the company's own span
    assert "क्लाउड मॉनिटरिंग, ऑपरेशंस और पब/सब में दिक्कत रही" in hindi
    assert "कंपनी के मुताबिक दिक्कत गुरुवार रात 9 बजे से शुक्रवार तड़के 4:24 बजे तक, लगभग 7 घंटे 24 मिनट रही।" in hindi


def test_a_close_without_a_fix_is_told_at_the_close_not_at_a_later_report(tmp_path):
    """Google Cloud Gt6njQyniuxXViQULV2T (BigQuery, 25 May 2022): closed at 19:30:58 and 19:32:23 UTC (1:00 and
    1:02 AM IST, 26 May) with "… our Engineering Team continues to work on mitigation across all regions"; a mini
    report followed at 21:54 UTC and the full INCIDENT REPORT on 2 June 17:20 UTC ("The issue was mitigated by
    rolling back the changes"). The draft said Google Cloud closed the incident "by the same statement … still
    working on it" on 2 June (the report's time), that as of 2 June it had not said it was fixed, did not quote
    the closing statement, and headlined it as still acknowledged ("कंपनी ने मानी परेशानी")."""
    db = _db(tmp_path, "gcp_Gt6njQyniuxXViQULV2T")
    target = _incident(db, "Google Cloud")
    hindi, english = _story(db, target, "hi"), _story(db, target, "en")
    assert hindi.splitlines()[0] == "गूगल क्लाउड पर दिक्कत; कंपनी ने समस्या दूर होने की पुष्टि किए बिना मामला बंद किया"
    assert english.splitlines()[0] == \
        "Google Cloud disrupted; the company closed the incident without saying it was fixed"
    own = _own(hindi)
    assert "बुधवार देर रात 1:02 बजे (26 मई) गूगल क्लाउड ने अपने स्टेटस पेज पर मामला बंद किया" in own
    assert "बुधवार देर रात 1:02 बजे (26 मई) तक गूगल क्लाउड ने समस्या दूर होने की जानकारी नहीं दी थी।" in own
    assert not re.search(r"गुरुवार रात 10:50 बजे \(2 जून\) (?:तक|गूगल क्लाउड ने)", own)
    assert "On Thursday 26 May, 1:02 AM IST (19:32 UTC, 25 May) Google Cloud closed the incident" in english
    assert "As of Thursday 2 June" not in english
    # the closing statement is quoted (its words are what the paragraph reports)
    assert "continues to work on mitigation across all regions" in english


def test_a_span_of_days_gives_the_date_of_each_end(tmp_path):
    """Google Cloud e383eLoLFGdSMeUQo7Ch (Google Analytics' daily BigQuery exports): begin 8 June 2022 00:49 UTC
    (Wednesday 6:19 AM IST), "resolved for all affected users as of Monday, 2022-06-13 12:47 US/Pacific" (19:47 UTC,
    1:17 AM IST on 14 June), about 5 days 19 h. The span read "बुधवार सुबह 6:19 बजे से सोमवार देर रात 1:17 बजे तक" /
    "from Wednesday, 6:19 AM to Tuesday, 1:17 AM IST": which Monday, the reader could not tell."""
    db = _db(tmp_path, "gcp_e383eLoLFGdSMeUQo7Ch")
    target = _incident(db, "Google Cloud")
    assert "कंपनी के मुताबिक दिक्कत बुधवार सुबह 6:19 बजे (8 जून) से सोमवार देर रात 1:17 बजे (14 जून) तक, लगभग 5 दिन " \
        "19 घंटे रही।" in _own(_story(db, target, "hi"))
    assert "By the company's account the problem lasted from Wednesday 8 June, 6:19 AM to Tuesday 14 June, 1:17 AM " \
        "IST (00:49 UTC – 19:47 UTC, 13 June), about 5 days 19 h." in _own(_story(db, target, "en"))


# ------------------------------------------------------------------ GitHub, 21–22 October 2018


def test_markdown_keeps_the_companys_line_breaks_inside_a_quote(tmp_path):
    """GitHub 6swlsy1h3wy9: one statement, a timeline of 38 lines ("2018-10-21 23:09:19 - We are investigating
    reports of elevated error rates." … "2018-10-22 23:03:57 - Everything operating normally."). As Markdown the
    quote rendered as one run-on paragraph; each line now stays a line."""
    import markdown

    db = _db(tmp_path, "github_6swlsy1h3wy9")
    target = _incident(db, "GitHub")
    html = markdown.markdown(write_story(db, target, lang="en", fmt="md"))
    quote = html[html.index("<blockquote>"):html.index("</blockquote>")]
    assert quote.count("<br />") == 37
    assert "- We are investigating reports of elevated error rates.<br />\n2018-10-21 23:13:31 - " in quote
    assert quote.rstrip().endswith("2018-10-22 23:03:57 - Everything operating normally.</p>")
    # the story's facts: about 24 hours, from the first line of the timeline to its last, in IST
    text = _own(_story(db, target, "hi"))
    assert text.splitlines()[0].startswith("गिटहब पर लगभग 23 घंटे 54 मिनट दिक्कत रही")
    assert "सोमवार तड़के 4:39 बजे (22 अक्टूबर, भारतीय समय)" in text and "मंगलवार तड़के 4:33 बजे (23 अक्टूबर)" in text
