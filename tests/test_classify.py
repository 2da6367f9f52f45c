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


# Real AWS Health Dashboard updates (US-EAST-1, December 2021): partial recovery is still ongoing,
# even after a component is said to be back, unless a completion is said after it.
AWS_POWER_PARTIAL = (
    "We have now restored power to all instances and network devices within the affected data center and are "
    "seeing recovery for the majority of EC2 instances and EBS volumes within the affected Availability Zone. "
    "Network connectivity within the affected Availability Zone has also returned to normal levels. While all "
    "services are starting to see meaningful recovery, services which were hosting endpoints within the affected "
    "data center - such as single-AZ RDS databases, ElastiCache, etc. - would have seen impact during the event, "
    "but are starting to see recovery now. Given the level of recovery, if you have not yet failed away from the "
    "affected Availability Zone, you should be starting to see recovery at this stage."
)
AWS_COMPONENTS_BACK = (
    "We continue to see a reduction in API error rates and latencies for services within the US-EAST-1 Region. "
    "Elastic Load Balancer APIs have recovered and returned to normal levels. The AWS Management Console has "
    "recovered. AWS Connect error rates have returned to normal levels. CloudWatch metrics have recovered and the "
    "EC2 API error rates have returned to normal levels. DynamoDB has recovered and is operating normally. Services "
    "that were affected by this event remain tagged to this Service Health Dashboard event. The event continues to "
    "affect APIs for affected services, while the EC2 network, Elastic Load Balancing and API Gateway data planes "
    "are not affected by this issue."
)
AWS_POWER_SUMMARY = (
    "Starting at 4:11 AM PST some EC2 instances and EBS volumes experienced a loss of power in a single data center "
    "within a single Availability Zone (USE1-AZ4) in the US-EAST-1 Region. Instances in other data centers within "
    "the affected Availability Zone, and other Availability Zones within the US-EAST-1 Region were not affected by "
    "this event. At 4:55 AM PST, power was restored to EC2 instances and EBS volumes in the affected data center, "
    "which allowed the majority of EC2 instances and EBS volumes to recover. However, due to the nature of the power "
    "event, some of the underlying hardware experienced failures, which needed to be resolved by engineers within "
    "the facility. Engineers worked to recover the remaining EC2 instances and EBS volumes affected by the issue. By "
    "2:30 PM PST, we recovered the vast majority of EC2 instances and EBS volumes. However, some of the affected EC2 "
    "instances and EBS volumes were running on hardware that has been affected by the loss of power and is not "
    "recoverable. For customers still waiting for recovery of a specific EC2 instance or EBS volume, we recommend "
    "that you relaunch the instance or recreate the volume from a snapshot for full recovery. If you need further "
    "assistance, please contact AWS Support."
)


@pytest.mark.parametrize(
    "text, phrase",
    [
        (AWS_POWER_PARTIAL, "starting to see recovery"),
        (AWS_COMPONENTS_BACK, "continues to affect"),
        (
            "ECS has recovered from the issue earlier in the day. Task launches using the EC2 launch type are fully "
            "recovered. We have identified the root cause for the increased Fargate launch failures and are starting "
            "to see recovery. As we work towards full recovery, customers may experience insufficient capacity "
            "errors and these are being addressed as well.",
            "",
        ),
        ("Fileserver pair is stabilizing.", "is stabilizing"),
        ("The majority of AWS services have also recovered.", "majority of aws services have also recovered"),
    ],
)
def test_partial_recovery_is_ongoing(text: str, phrase: str) -> None:
    statement = classify_text(text)
    assert statement.kind == "update", statement
    assert phrase in statement.reason


@pytest.mark.parametrize(
    "text",
    [
        # a completion said after the partial recovery closes the statement
        "Fileserver pair is stabilizing. All repos should be accessible again.",
        "Starting at 6:01 PM PDT, we experienced elevated error rates and latencies for AWS services within the "
        "US-EAST-1 Region. The issue affected AWS service APIs, with no impact to data plane services such as EC2 "
        "instances, EBS volumes, or Elastic Load Balancers. We started to see recovery at 7:55 PM PDT and were fully "
        "recovered by 9:25 PM PDT. The issue has been resolved and the service is operating normally.",
        # progress told inside a look back ("By 2:30 PM PST, we recovered the vast majority") is past
        AWS_POWER_SUMMARY,
        # the issue is fixed and things settle: settling does not reopen it
        "MySQL load spike causing intermittent 500s. Issue is resolved and services are returning to normal.",
        # a one-line retrospective (GitHub, 2019)
        "An error prevented pages on github.com from loading for some users.",
    ],
)
def test_full_recovery_and_look_backs_are_resolved(text: str) -> None:
    assert classify_text(text).kind == "resolved", classify_text(text)


# Real terse status texts (DatoCMS status site): no outage word, no customer-care marker.
@pytest.mark.parametrize(
    "text",
    [
        "The duplicate of the machine is almost ready, we should be up and running in approx 15 minutes.",
        "Closing the pinned alert on status",
        "Still going",
    ],
)
def test_terse_official_text_without_care_markers_is_not_noise(text: str) -> None:
    statement = classify_text(text)  # source kind unknown
    assert statement.kind == "update", statement
    assert statement.reason == "text:update:no-care-marker"
    assert statement.confidence < 0.5
    # on a support account, where staff chat all day, such a text needs outage words to count
    assert classify_text(text, source_kind="x").kind == "noise"
    assert classify_text(text, source_kind="statuspage").kind == "update"


@pytest.mark.parametrize(
    "text, marker",
    [
        # real TWCS official replies with their leading @mention removed: the markers still show care
        ("Hi Jeffrey, were you able to update to Lightroom Classic CC?   ^Tanuj", "hi jeffrey,"),
        (
            "Sorry for the inconvenience. Do you see the data corrupted message when you try to open the game or "
            "download it?",
            "do you see",
        ),
        (
            "Glad to help.  Please share the details of this issue in our Community forum for further investigation: "
            "https://t.co/F3J4l2vJHb",
            "glad to help",
        ),
        ("Noted 😊 -Becky", "-becky"),
        ("It appears this has been removed. Thanks for letting me know :) ^MB", "thanks for letting"),
        ("Thanks for following along!", "thanks for following"),
    ],
)
def test_customer_care_is_recognised_by_its_markers(text: str, marker: str) -> None:
    statement = classify_text(text)
    assert statement.kind == "noise", statement
    assert marker in statement.reason


def test_soft_care_hints_do_not_silence_a_status_text() -> None:
    # a signed status update (GitHub, 2010-2018) that names failures is a statement, not care
    text = (
        "Lost a switch, which cascaded into fileserver failures. New switch is almost ready and we're bringing file "
        "servers back up. -ryan"
    )
    assert classify_text(text).kind != "noise"
    assert classify_text("Noted 😊 -Becky").kind == "noise"  # the same sign-off with no problem named


def test_marketing_words_do_not_silence_an_outage_text() -> None:
    assert classify_text("Introducing the new Stories camera: 10 new filters, available now!").kind == "noise"
    statement = classify_text("New feature rollout caused elevated error rates on the API.")
    assert statement.kind != "noise", statement


def test_unreadable_script_is_not_claimed_as_a_statement() -> None:
    text = "恐れ入ります。至らない点も多々あるかとは存じますが、今後ともどうぞよろしくお願いします。ET"
    assert classify_text(text).reason == "noise:no-outage-signal"


@pytest.mark.parametrize(
    "text",
    ["All systems are nominal", "Monitoring is concluded.", "Everything is ok. Ending monitoring.", "All good 🎉"],
)
def test_terse_all_clear_is_resolved(text: str) -> None:
    # real DatoCMS status texts
    assert classify_text(text).kind == "resolved", classify_text(text)
