"""Facts the messages must not lose or bend (issue 12), each on real text: where it broke (regions in Latin
script in the Hindi headline), the tense of an acknowledgement made after the company's own stated end, a
maintenance marked "Completed" whose words say the work was reverted, सेवा/सेवाएं agreement, and products the
glossary does not know quoted in English inside the Hindi sentence."""

from __future__ import annotations

import io
import re
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
for path in (ROOT, TESTS):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import test_real_incidents as real  # noqa: E402

from channels.console import ConsoleChannel  # noqa: E402
from config import parse_config  # noqa: E402
from facts.context import maintenance_text_says, said_over  # noqa: E402
from facts.where import regions  # noqa: E402
from outbox import deliver  # noqa: E402
from pipeline import store_posts  # noqa: E402
from posts import Post  # noqa: E402
from store import open_db  # noqa: E402

# status.openai.com, 14 February 2024 (shared/data/training/updates.jsonl, incident gln4g8d46s2b): the company's
# first word already says it was fixed, with its own span
OPENAI = ("chat.openai.com was not accessible between 8:47am - 9:28am PST / 4:47pm - 5.28pm UTC. We have deployed a "
          "fix and the website is now accessible.")
OPENAI_AT = datetime(2024, 2, 14, 17, 45, tzinfo=timezone.utc)


def messages(name: str) -> list[str]:
    """The rendered corpus case split into its channel messages."""
    return [m for m in re.split(r"^── \[desk\].*$", real.rendered(name), flags=re.M) if m.strip()]


def halves(message: str) -> tuple[str, str]:
    """(Hindi, English) lines of one message in the bot's own words (the company's quoted words and links out)."""
    own = re.sub(r"^“[^”]*”", "", message, flags=re.M | re.S)  # a quoted statement opens its line
    lines = re.sub(r"https?://\S+", "", own).strip().splitlines()
    hi = [line for line in lines if re.search(r"[\u0900-\u097F]", line)]
    en = [line for line in lines if line.strip() and not re.search(r"[\u0900-\u097F]", line)]
    return "\n".join(hi), "\n".join(en)


def first_said(kind: str, status: str, text: str, at: datetime, *, service: str = "OpenAI", title: str = "") -> str:
    """One real statement through the whole pipeline to a console channel (Hindi + English, IST)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = {"id": "src", "kind": kind, "service": service, "backfill": "all"}
        source.update({"handle": service} if kind == "x" else {"url": "https://status.openai.com"})
        bot = parse_config({"bot": {"state": str(Path(tmp) / "s.db"), "timezone": "Asia/Kolkata"}, "source": [source],
                            "channel": [{"id": "desk", "kind": "console", "languages": ["hi", "en"]}]}, "<test>")
        db = open_db(bot.state)
        post = Post("src", "p1", service, text, at, thread_key="" if kind == "x" else "gln4g8d46s2b", status=status,
                    title=title, author=service)
        store_posts(db, bot, bot.source("src"), [post], now=at + timedelta(minutes=1))
        stream = io.StringIO()
        deliver(db, bot, {"desk": ConsoleChannel(bot.channels[0], bot, stream=stream)}, sleep=lambda _s: None)
        return stream.getvalue()


# ---------------------------------------------------------------- a. where it broke


def test_regions_are_read_from_components_titles_and_words():
    assert regions(["Operations", "Iowa (us-central1)"]) == ["us-central1"]
    assert regions(["Amazon DynamoDB (N. Virginia)"]) == ["us-east-1"]
    assert regions(["Virtual Private Cloud (VPC)"]) == []
    assert regions([], "", "increased errors for AWS Management Console in the EU-SOUTH-1 Region.") == ["eu-south-1"]
    assert regions([], "LON1 Region Network Maintenance") == ["LON1"]
    assert regions([], "Increased latency in North America Regions") == []


@pytest.mark.parametrize(("name", "hindi", "english"), [
    ("gcp_4Sie4sXFPougA2Ku24pT", "🔴 गूगल क्लाउड: us-central1 में ऑपरेशंस, कुबेरनेट्स इंजन, क्लाउड लॉगिंग और “Cloud Data "
     "Fusion” में धीमेपन की दिक्कत, कंपनी ने माना", "in us-central1 acknowledged"),
    ("aws_dynamodb-us-east-1_1638896271", "🔴 एडब्ल्यूएस: us-east-1 में डायनेमोडीबी में दिक्कत, कंपनी ने माना",
     "🔴 Amazon Web Services: problem with Amazon DynamoDB in us-east-1 acknowledged"),
    ("aws_lambda-eu-west-1_1633447955", "🔴 एडब्ल्यूएस: eu-west-1 में लैम्ब्डा में धीमेपन की दिक्कत, कंपनी ने माना",
     "AWS Lambda in eu-west-1"),
    ("feed_digitalocean_nyc3_spaces", "🔴 डिजिटलओशन: NYC3 में “Spaces” की सेवा में धीमेपन की दिक्कत, कंपनी ने माना",
     "problem with Spaces in NYC3 acknowledged"),
    ("gcp_iAgVMxJUfE1J9et7j9KB", "🔴 गूगल क्लाउड: 6 क्षेत्रों में हाइब्रिड कनेक्टिविटी", "in 6 regions acknowledged"),
])
def test_the_hindi_headline_names_where_it_broke(name, hindi, english):
    hi, en = halves(messages(name)[0])
    assert hi.startswith(hindi) and english in en.splitlines()[0]


def test_many_regions_are_listed_in_the_sentence():
    hi, en = halves(messages("gcp_iAgVMxJUfE1J9et7j9KB")[0])
    listed = "asia-east1, asia-northeast2, asia-northeast3, asia-south1, asia-southeast2 और europe-north1 क्षेत्रों में"
    assert listed in hi
    assert "in asia-east1, asia-northeast2, asia-northeast3, asia-south1, asia-southeast2 and europe-north1" in en


# ---------------------------------------------------------------- b. tense


def test_a_fix_stated_in_the_first_word_is_over():
    span = said_over({"text": OPENAI, "created_at": OPENAI_AT})
    assert span == {"start": datetime(2024, 2, 14, 16, 47, tzinfo=timezone.utc),
                    "end": datetime(2024, 2, 14, 17, 28, tzinfo=timezone.utc)}
    ongoing = "We are investigating errors since 8:47am PST. We will provide an update in 30 minutes."
    assert said_over({"text": ongoing, "created_at": OPENAI_AT}) is None


@pytest.mark.parametrize(("kind", "status"), [("x", ""), ("statuspage", "investigating")])
def test_an_acknowledgement_after_the_stated_end_is_told_in_the_past(kind, status):
    text = first_said(kind, status, OPENAI, OPENAI_AT)
    (message,) = [m for m in re.split(r"^── \[desk\].*$", text, flags=re.M) if m.strip()]
    hi, en = halves(message)
    assert "दिक्कत है" not in hi and "आ रही है" not in hi and "दिक्कत रही" in hi
    # 16:47–17:28 UTC is 10:17–10:58 PM IST; it said so at 11:15 PM
    assert "बुधवार रात 10:17 बजे से 10:58 बजे तक रही (लगभग 41 मिनट)" in hi and "बाद में, रात 11:15 बजे दी" in hi
    assert " is affected" not in en and " was affected" in en and "from Wednesday, 10:17 PM to 10:58 PM" in en
    assert "🔴" not in message


def test_an_acknowledgement_of_ongoing_trouble_stays_in_the_present():
    hi, en = halves(messages("gcp_4Sie4sXFPougA2Ku24pT")[0])
    assert "धीमेपन की दिक्कत आ रही है" in hi and "are slow in us-central1" in en


# ---------------------------------------------------------------- c. maintenance status vs words


def test_a_completed_maintenance_whose_words_say_reverted_says_so():
    said = maintenance_text_says(
        {"kind": "maintenance", "disagreement": ""},
        {"text": "We are currently investigating a hardware issue which has impacted this maintenance. Our Networking "
                 "team has reverted the maintenance changes in order to restore connectivity and is monitoring closely. "
                 "We will reschedule this maintenance for a future date."})
    assert said == {"reverted": True, "rescheduled": True, "trouble": True, "ongoing": False}
    done = maintenance_text_says({"kind": "maintenance"}, {"text": "The scheduled maintenance has been completed."})
    assert not any(done.values())
    (notice, started, card, completed) = messages("feed_digitalocean_lon1_maintenance")
    hi, en = halves(completed)
    assert hi.startswith("⚠️ डिजिटलओशन: नियोजित रखरखाव (मेंटेनेंस) पूरा बताया, पर बदलाव वापस लिए गए")
    assert "किए गए बदलाव वापस ले लिए गए (revert) और यह काम अब किसी और तारीख को किया जाएगा" in hi
    assert "का काम पूरा हो गया है" not in hi and "अचानक आई खराबी" not in hi
    assert "the changes were reverted and the work will be done on another date" in en
    assert "its planned maintenance is complete" not in en
    card_hi, card_en = halves(card)
    assert card_hi.startswith("⚠️") and "बदलाव वापस लिए गए" in card_hi and "reverted" in card_en
    assert "LON1 Region Network Maintenance" in halves(notice)[0]  # the Hindi names what the work is on
    (record,) = real.records("feed_digitalocean_lon1_maintenance")  # incidents --json tells the same
    assert record["text_says"] == ["trouble", "reverted", "rescheduled"]


# ---------------------------------------------------------------- d. सेवा / सेवाएं


@pytest.mark.parametrize(("name", "word"), [
    ("aws_dynamodb-us-east-1_1638896271", "सेवा"),      # one service: DynamoDB
    ("gcp_TFyk1uenaojF2iJAnAAL", "सेवा"),               # Google Cloud Support
    ("github_w7wlzstc8wss", "सेवा"),                    # Actions workflows
    ("gcp_iAgVMxJUfE1J9et7j9KB", "सेवाएं"),             # four networking products
    ("github_8x69vj1xyp9v", "सेवाएं"),                  # "issues affecting a number of services"
    ("github_42hkbtl63nmn", "सेवाएं"),                  # Pages builds and webhooks
])
def test_restored_agrees_in_number_with_what_broke(name, word):
    text = real.rendered(name)
    assert f"समस्या दूर, {word} बहाल" in text
    other = "सेवाएं" if word == "सेवा" else "सेवा"
    assert f"समस्या दूर, {other} बहाल" not in text


def test_a_restored_time_agrees_too():
    hi, _ = halves(real.rendered("aws_dynamodb-us-east-1_1638896271"))
    assert "उसके बयान के मुताबिक सेवा मंगलवार देर रात 3:55 बजे (8 दिसंबर) बहाल हो गई थी।" in hi


# ---------------------------------------------------------------- e. products the glossary does not know


def test_an_unknown_product_is_quoted_in_english_inside_the_hindi():
    hi, en = halves(messages("feed_digitalocean_managed_dns")[0])
    assert "माना कि “Managed Databases” की सेवा में दिक्कत आ रही है।" in hi
    assert "Managed Databases are affected" in en
    hi, _ = halves(messages("gcp_4Sie4sXFPougA2Ku24pT")[0])
    assert "क्लाउड लॉगिंग और “Cloud Data Fusion” में" in hi  # one of several: quoted in the list


def test_no_hindi_message_loses_what_broke():
    """Across the real corpus: a message whose English names what broke (its headline's "problem with …", the
    company's title) says it in the Hindi too — translated or quoted, never dropped."""
    for name in real.NAMES:
        for message in messages(name):
            hi, en = halves(message)
            en_lines = en.splitlines()
            for line in en_lines:
                found = re.match(r"(?:Incident|Maintenance): (.+)$", line)
                if found:
                    assert f"कंपनी का शीर्षक: “{found.group(1)}”" in hi, (name, line)
            if en_lines and "problem with" in en_lines[0]:
                head = hi.splitlines()[0]
                assert ": सेवा में दिक्कत" not in head, (name, head)
                assert re.search(r"\S+ में (?:धीमेपन की )?दिक्कत", head), (name, head)


def test_products_the_glossary_does_not_know_are_read_from_titles_and_words():
    from facts.context import products_named

    assert products_named(["Issues with NYC3 Spaces."]) == ["Spaces"]  # the region is where, not what
    assert products_named(["Elevated errors on Image and Moderation APIs"]) == ["Image and Moderation APIs"]
    assert products_named(["Elevated Errors in Bogota (BOG) and Rio de Janeiro (GIG)"]) == []  # a place
    assert products_named(["Elevated errors on Claude.ai"], {"claude.ai"}) == []  # the service itself
    assert products_named(["We are investigating an issue with increased error rates"]) == []


def test_a_far_future_date_keeps_its_year_in_hindi_even_in_the_short_form() -> None:
    from datetime import datetime, timezone

    from render import Times

    times = Times("Asia/Kolkata")
    far = datetime(2099, 10, 21, 7, 28, tzinfo=timezone.utc)
    assert "2099" in times.when(far, "hi", date=False) and "2099" in times.when(far, "en", date=False)
    this_year = datetime.now(timezone.utc).replace(hour=6, minute=0, second=0, microsecond=0)
    assert "(" not in times.when(this_year, "hi", date=False)  # the short form stays short this year


def test_maintenance_the_company_calls_unplanned_is_not_told_as_work_announced_ahead() -> None:
    from datetime import datetime, timezone

    from facts.context import incident_facts, service_names, statement_facts
    from render import render

    said = statement_facts({"text": "We are performing emergency maintenance on the reporting infrastructure in "
                                    "Frankfurt. Reports cannot be generated during this time.",
                            "created_at": datetime(2019, 11, 20, 9, 0, tzinfo=timezone.utc), "kind": "maintenance",
                            "url": "https://status.example", "symptoms": "[]", "author": "", "language": "en",
                            "components": "[]", "raw_status": "in progress"}, "feed")
    incident = incident_facts({"service": "Symantec WSS", "kind": "maintenance", "status": "open", "event_id": None,
                               "title": "Unplanned Reporting Infrastructure Maintenance", "reopened": 0,
                               "opened_at": "2019-11-20T09:00:00Z", "window_start": None, "window_end": None})
    context = {"timezone": "Asia/Kolkata", "body": "", "service": service_names("Symantec WSS"), "kind": "maintenance",
               "change": "maintenance", "stage": "in_progress", "stage_again": False, "incident": incident,
               "statement": said, "first_statement": said}
    text = render("maintenance", context, markup="plain", languages=("hi", "en"), max_chars=100_000).parts[0]
    assert "अनियोजित (आपात) रखरखाव" in text and "पहले से घोषित काम नहीं" in text
    assert "unplanned (emergency) maintenance" in text and "not work announced in advance" in text
    assert "पहले से तय काम है" not in text and "This is planned work" not in text and "नियोजित रखरखाव (मेंटेनेंस) शुरू" not in text


def test_a_backlog_spanning_days_dates_its_bullets_where_the_day_changes() -> None:
    from datetime import datetime, timezone

    from facts.context import incident_facts, service_names, statement_facts
    from render import render

    def said(text: str, when: datetime, kind: str) -> dict:
        return statement_facts({"text": text, "created_at": when, "kind": kind, "url": "", "symptoms": "[]",
                                "author": "", "language": "en", "components": "[]", "raw_status": ""}, "feed")

    notice = said("Scheduled network maintenance in Shanghai.", datetime(2019, 10, 18, 21, 0, tzinfo=timezone.utc),
                  "maintenance")
    started = said("The maintenance has started.", datetime(2019, 10, 25, 16, 0, tzinfo=timezone.utc), "maintenance")
    done = said("The maintenance is complete.", datetime(2019, 10, 25, 18, 0, tzinfo=timezone.utc), "maintenance")
    incident = incident_facts({"service": "Symantec WSS", "kind": "maintenance", "status": "resolved", "event_id": None,
                               "title": "Network Maintenance in Shanghai", "reopened": 0,
                               "opened_at": "2019-10-18T21:00:00Z", "resolved_at": "2019-10-25T18:00:00Z",
                               "window_start": None, "window_end": None})
    context = {"timezone": "Asia/Kolkata", "body": "", "service": service_names("Symantec WSS"), "kind": "digest",
               "incident": incident, "statement": done, "statements": [notice, started, done]}
    text = render("digest", context, markup="plain", languages=("hi",), max_chars=100_000).parts[0]
    bullets = [line for line in text.splitlines() if line.startswith("•")]
    assert "(19 अक्टूबर)" in bullets[0] and "(25 अक्टूबर)" in bullets[1]  # the day changed: dated
    assert "(" not in bullets[2].split("—")[0]  # same day as the one before: no date again
