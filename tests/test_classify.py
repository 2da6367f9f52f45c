"""Statement classification: the seed story's statements, status vs text, noise, language, symptoms."""

from __future__ import annotations

import csv
from datetime import datetime, timezone

import pytest
from conftest import DATA

import posts
from classify import SYMPTOMS, Statement, classify, classify_text, detect_language, load_lexicon, symptom_phrase

FACEBOOK_2019 = (
    "We’re aware that some people are having trouble uploading or sending images, videos and other files on "
    "our apps. We're sorry for the trouble and are working to get things back to normal as quickly as possible. "
    "#facebookdown"
)
TWITTER_2019 = (
    "We're almost at 100% resolved. There may be some residual effects for a small group of people, but overall "
    "your DMs should be working properly now. We appreciate your patience!"
)
# The seed story's Hindi sentences that report the companies' words.
FACEBOOK_HI_PROBLEM = "हमारे एप्लिकेशन और प्लेटफॉर्म्स पर उपयोगकर्ताओं को तस्वीरें, वीडियो और अन्य फाइल भेजने में दिक्कतें आ रही थी।"
FACEBOOK_HI_FULL = FACEBOOK_HI_PROBLEM + " समस्या दूर कर ली गई है। यूजरों को हुई परेशानी के लिए हम क्षमाप्रार्थी हैं।"
TWITTER_HI = (
    "समस्या का लगभग 100 प्रतिशत समाधान हो गया है। कुछ लोगों को दिक्कतें हो सकती है, लेकिन लगभग सभी की "
    "समस्याएं दूर कर दी गई है। आपके संयम रखने के लिए धन्यवाद।"
)


def test_seed_english_statements() -> None:
    ack = classify_text(FACEBOOK_2019)
    assert ack.kind == "acknowledged"
    assert "media_upload" in ack.symptoms
    assert ack.language == "en"
    assert ack.reason.startswith("text:acknowledged")
    done = classify_text(TWITTER_2019)
    assert done.kind == "resolved"
    assert "messaging" in done.symptoms
    assert done.reason.startswith("text:resolved")


@pytest.mark.parametrize(
    "text, kinds",
    [
        ("समस्या दूर कर ली गई है", {"resolved"}),
        ("सेवाएं बहाल हो गई हैं", {"resolved"}),
        ("हम इस समस्या पर काम कर रहे हैं", {"acknowledged", "update"}),
        (FACEBOOK_HI_PROBLEM, {"acknowledged", "update"}),
        (FACEBOOK_HI_FULL, {"resolved"}),
        (TWITTER_HI, {"resolved"}),
    ],
)
def test_seed_hindi_statements(text: str, kinds: set[str]) -> None:
    statement = classify_text(text)
    assert statement.kind in kinds, statement
    assert statement.language == "hi"


def test_hindi_symptoms_from_the_story() -> None:
    assert "media_upload" in classify_text(FACEBOOK_HI_PROBLEM).symptoms
    assert "notifications" in classify_text("ट्विटर पर लोगों को नोटिफिकेशन भेजने में परेशानी हो रही है").symptoms


@pytest.mark.parametrize(
    "text",
    [
        "A fix has been implemented and we are monitoring the results.",
        "We continue to monitor recovery.",
        "We are investigating reports of elevated error rates.",
        "We're working to get things back to normal as quickly as possible.",
        "We would recommend failing away from the affected Availability Zone until this issue has been resolved.",
        "The issue with creating forks has been resolved, requested forks are being processed.",
    ],
)
def test_ongoing_texts_are_not_resolved(text: str) -> None:
    assert classify_text(text).kind in ("acknowledged", "update")


@pytest.mark.parametrize(
    "text",
    [
        "This incident has been resolved.",
        "Everything operating normally.",
        "The issue with Google BigQuery has been resolved for all affected users as of Friday, 2022-07-01 12:23 US/Pacific.",
        "Between 2:38 PM and 3:16 PM PDT, we experienced increased errors for AWS Management Console in the "
        "EU-SOUTH-1 Region. The issue has been resolved and the service is operating normally.",
        "Routing problems appear to be resolved. We're investigating the cause of the problem with our upstream providers.",
        "<ul><li><strong>2011-07-28 03:06:00</strong> - One of our file servers failed over. Continuing to investigate."
        "</li><li><strong>2011-07-28 05:43:00</strong> - Our fileserver issues have been fully resolved!</li></ul>",
    ],
)
def test_resolved_texts(text: str) -> None:
    assert classify_text(text).kind == "resolved"


def test_monitoring_is_an_update_not_a_resolution() -> None:
    statement = classify_text("A fix has been implemented and we are monitoring the results.")
    assert statement.kind == "update"
    assert "monitoring" in statement.reason


def test_structured_status_beats_text() -> None:
    statement = classify_text("We are investigating", status="resolved")
    assert statement.kind == "resolved"
    assert statement.reason.startswith("status:")
    assert classify_text("This incident has been resolved.", status="investigating").kind == "acknowledged"
    for label, kind in (
        ("identified", "update"),
        ("monitoring", "update"),
        ("completed", "resolved"),
        ("scheduled", "update"),
    ):
        assert classify_text("anything", status=label).kind == kind
    assert classify_text("This incident has been resolved.", status="Resolved").reason == "status:resolved"


def test_unknown_status_falls_back_to_text() -> None:
    statement = classify_text("This incident has been resolved.", status="SERVICE_WHATEVER")
    assert statement.kind == "resolved"
    assert statement.reason.startswith("text:")


def test_classify_post_uses_status_and_reply_flags() -> None:
    now = datetime(2019, 7, 3, 15, 5, tzinfo=timezone.utc)
    post = posts.Post("githubstatus", "u1", "GitHub", "We are investigating.", now, status="resolved")
    assert classify(post).kind == "resolved"
    reply = posts.Post("x-support", "t1", "X", "Sorry to hear that, can you send us a DM?", now, is_reply=True)
    assert classify(reply).kind == "noise"
    thread = posts.Post("x-support", "t2", "X", TWITTER_2019, now, is_reply=True, is_self_reply=True)
    assert classify(thread).kind == "resolved"


@pytest.mark.parametrize(
    "text",
    [
        "Hi @user, please DM us your account details so we can look into this.",
        "Sorry to hear that, can you send us a DM?",
        "Introducing the new Stories camera: 10 new filters, available now!",
        "Happy Diwali! Enjoy 20% cashback on all recharges this week.",
        "हमें खेद है। कृपया अपना मोबाइल नंबर DM करें ताकि हम आपकी सहायता कर सकें।",
    ],
)
def test_customer_care_and_marketing_are_noise(text: str) -> None:
    statement = classify_text(text)
    assert statement.kind == "noise", statement
    assert statement.reason.startswith("noise:")
    assert statement.symptoms == ()


def test_real_twcs_official_replies_are_noise() -> None:
    with open(DATA / "classify" / "twcs_official_sample.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["inbound"] == "False"]
    assert len(rows) >= 12
    for row in rows:
        is_reply = bool(row["in_response_to_tweet_id"])
        assert classify_text(row["text"], is_reply=is_reply).kind == "noise", row["text"]
        assert classify_text(row["text"]).kind == "noise", row["text"]  # the text alone is enough here


def test_reply_to_a_customer_about_a_service_wide_problem_is_kept() -> None:
    text = "@someone We're aware that some people can't send messages right now and are working on a fix."
    statement = classify_text(text, is_reply=True)
    assert statement.kind in ("acknowledged", "update")
    assert "messaging" in statement.symptoms
    assert classify_text("@someone Are all your services down at this time?", is_reply=True).kind == "noise"


def test_status_page_sources_are_never_noise() -> None:
    assert classify_text("Thanks for following along!").kind == "noise"
    statement = classify_text("Thanks for following along!", source_kind="statuspage")
    assert statement.kind == "update"
    assert statement.reason.startswith("source:statuspage")


# Real status texts (GitHub 2010-2018 timelines, Google Cloud) for the general resolution phrasings.
@pytest.mark.parametrize(
    "text",
    [
        "Load balancer deploys complete.",
        "The job queue has caught up and returned to normal.",
        "The  backlog has been processed  and we're back to realtime. Sorry about the rocky morning.",
        "fs5 networking has been stable for an hour now. We'll be monitoring this closely for future problems.",
        "Error rates have subsided, we continue to monitor the situation.",
        "We have now resumed GitHub Services webhook deliveries. All other systems are operating normally.",
        "File server is operating again. We had a simultaneous failure on the FS3 storage server pair.",
        "All pages sites should be available now.",
        "We have this wave of the attack under control. Sorry for the hiccup, everyone!",
        "Things are back up, and we're rolling out changes to prevent this from happening again!",
        "Site's back, and we're looking into what caused the problems.",
        "Everything is back and functional.  We experienced high load on the DB server while dropping a large "
        "legacy table.  Sorry for the hiccup.",
        "This incident is being merged with an existing incident. All future updates will be provided there: "
        "https://status.cloud.google.com/incidents/eWat683pNnkMT7orVDBV",
    ],
)
def test_general_resolution_phrasings(text: str) -> None:
    assert classify_text(text).kind == "resolved", classify_text(text)


# Terse official status texts: ongoing, and never customer-care noise (even without a source kind).
@pytest.mark.parametrize(
    "text",
    [
        "Maintenance starting now.",
        "We lost a load balancer. Should be back up shortly!",
        "Looks like we had a bad deployment go out. Should be fixed in a few minutes.",
        "A partition on fs4 is full, we're making space now.",
        "We are resuming GitHub Services webhook deliveries. All other systems are operating normally.",
        "We're working to bring the attack under control.",
        "Starting at 7:46 PM PDT we experienced higher error rates and latencies for AWS services within the "
        "US-EAST-1 region. These error rates and latencies have seen some improvement from 7:55 PM PDT, but "
        "remain elevated.",
    ],
)
def test_terse_status_texts_are_ongoing_not_noise(text: str) -> None:
    assert classify_text(text).kind in ("acknowledged", "update"), classify_text(text)


def test_postmortem_status_is_resolved_side() -> None:
    # a postmortem comes once the incident is over: it must not reopen it
    assert classify_text("Root cause: a bad config push.", status="postmortem").kind == "resolved"


def test_mixed_language_post() -> None:
    text = "WhatsApp पर messages भेजने में दिक्कत आ रही है, we are working on a fix"
    statement = classify_text(text)
    assert statement.language == "mixed"
    assert statement.kind == "update"
    assert "messaging" in statement.symptoms
    done = classify_text("WhatsApp की सेवाएं बहाल हो गई हैं, everything is back to normal now.")
    assert done.kind == "resolved"
    assert done.language == "mixed"


@pytest.mark.parametrize(
    "text, lang",
    [
        ("समस्या दूर कर ली गई है", "hi"),
        ("Facebook ने कहा कि समस्या दूर कर ली गई है", "hi"),
        ("We are investigating", "en"),
        ("WhatsApp पर messages भेजने में दिक्कत, we are on it", "mixed"),
        ("こんにちは、アマゾン公式です。", ""),
        ("@123 https://t.co/x 12:30", ""),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_symptom_tags_and_phrases() -> None:
    assert classify_text("Some users are unable to log in; we are investigating.").symptoms == ("login",)
    assert "payments" in classify_text("UPI भुगतान में दिक्कत आ रही है").symptoms
    assert "api" in classify_text("We are investigating elevated error rates on the API.").symptoms
    assert symptom_phrase("login", "hi") == "लॉग इन करने में"
    assert symptom_phrase("messaging", "hi") == "मैसेज भेजने में"
    assert symptom_phrase("login", "en") == "logging in"
    for tag in SYMPTOMS:
        assert symptom_phrase(tag, "hi") and symptom_phrase(tag, "en")
    with pytest.raises(KeyError):
        symptom_phrase("nonsense", "en")


def test_statement_is_frozen_and_bounded() -> None:
    statement = classify_text(TWITTER_2019)
    assert isinstance(statement, Statement)
    assert 0.0 <= statement.confidence <= 1.0
    with pytest.raises(AttributeError):
        statement.kind = "noise"  # type: ignore[misc]


def test_lexicon_rejects_a_bad_pattern(tmp_path) -> None:
    bad = tmp_path / "lexicon.toml"
    bad.write_text('[status]\nresolved = "resolved"\n[signals.resolved]\nen = ["(unclosed"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="signals.resolved"):
        load_lexicon(str(bad))
