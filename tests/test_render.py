"""Rendering: golden files per kind × markup × languages, Hindi that stands alone, escaping through the
templates, limits per channel, and the context built from the store."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from datetime import timedelta

import pytest
from golden_cases import GOLDEN, KINDS, LANGUAGE_SETS, MARKUPS, MAX_CHARS, case, golden_name, rendered_text, utc

import markup as mk
from render import join_and, message_context, preview, render, summary_context, trouble, trouble_head

CASES = [(k, m, langs) for k in KINDS for m in MARKUPS for langs in LANGUAGE_SETS]


@pytest.mark.parametrize(("kind", "markup", "languages"), CASES, ids=[golden_name(*c) for c in CASES])
def test_golden(kind, markup, languages):
    message = render(kind, case(kind), markup=markup, languages=languages, max_chars=MAX_CHARS[markup])
    name = golden_name(kind, markup, languages)
    expected = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
    assert rendered_text(message) == expected, f"run `python tests/regen_golden.py` and read the diff of {name}.txt"
    if markup == "slack":
        blocks = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
        assert message.extra["part_blocks"] == blocks
    if markup == "telegram":
        assert all(mk.telegram_balanced(p) for p in message.parts)


def test_languages_in_the_order_asked():
    en_first = render("acknowledged", case("acknowledged"), markup="plain", languages=("en", "hi"), max_chars=10_000)
    text = en_first.parts[0]
    assert text.index("Facebook: problem sending or uploading photos and videos acknowledged") < text.index("फेसबुक: तस्वीरें और वीडियो भेजने या अपलोड करने में दिक्कत")


def _without_company_words(text: str) -> str:
    text = re.sub(r"“[^”]*”", "", text, flags=re.S)  # the quoted statements
    text = re.sub(r"https?://\S+|@\w+", "", text)  # links and handles
    return text


@pytest.mark.parametrize("kind", ["acknowledged", "update", "resolved", "event", "digest"])
def test_hindi_part_needs_no_english(kind):
    message = render(kind, case(kind), markup="plain", languages=("hi",), max_chars=100_000)
    own = _without_company_words(message.parts[0] + "\n" + message.card)
    assert not re.search(r"[A-Za-z]", own), own
    assert re.search(r"[\u0900-\u097F]", own)


def test_seed_acknowledgement_in_hindi_and_english():
    text = render("acknowledged", case("acknowledged"), markup="plain", languages=("hi", "en"), max_chars=10_000).parts[0]
    assert "फेसबुक ने बुधवार रात 8:35 बजे (3 जुलाई, भारतीय समय) ट्वीट कर माना कि" in text
    assert "तस्वीरें और वीडियो भेजने या अपलोड करने में दिक्कत आ रही है" in text
    assert "फेसबुक (@facebook) ने लिखा (अंग्रेज़ी में):" in text
    assert "Wednesday 3 July, 8:35 PM IST (15:05 UTC)" in text
    assert text.count(case("acknowledged")["statement"]["text"]) == 2  # verbatim, once per language


def test_resolution_with_unknown_start_says_so():
    context = case("resolved")
    context["incident"].update(opened_at=None, acknowledged_at=None, duration_seconds=None)
    message = render("resolved", context, markup="plain", languages=("hi", "en"), max_chars=10_000)
    text = message.parts[0]
    assert "कब शुरू हुई और कितनी देर रही, पता नहीं है" in text
    assert "when it began and how long it lasted is not known" in text
    assert "घंटे" not in text and " h " not in text
    assert message.card.splitlines() == [
        "✅ एक्स (ट्विटर): समस्या लगभग पूरी तरह ठीक (गुरुवार तड़के 4:54 बजे)",  # "almost at 100% resolved"
        "✅ X (Twitter): almost fully fixed (Thursday, 4:54 AM IST)",
    ]


def test_resolution_after_more_than_a_day():
    context = case("resolved")
    start = utc("2019-07-02T12:00:00Z")
    context["incident"].update(opened_at=start, duration_seconds=int((context["incident"]["resolved_at"] - start).total_seconds()))
    message = render("resolved", context, markup="telegram", languages=("hi", "en"), max_chars=4096)
    # the case states no start: its first word is told as that, not as when the trouble began
    assert "ने पहली बार मंगलवार शाम 5:30 बजे (2 जुलाई) इसकी जानकारी दी;" in message.parts[0]
    assert "first reported it on Tuesday 2 July, 5:30 PM;" in message.parts[0]
    assert "1 दिन 11 घंटे" in message.parts[0] and "about 1 day 11 h" in message.parts[0]
    assert "<b>✅ X (Twitter): almost fully fixed after 1 day 11 h</b>" in message.card


def test_update_counts_time_so_far_and_reopened_says_it_is_back():
    context = case("update")
    text = render("update", context, markup="plain", languages=("hi", "en"), max_chars=10_000).parts[0]
    assert "दिक्कत सोमवार रात 9:42 बजे से जारी है — अब तक 10 मिनट।" in text
    assert "The problem has lasted 10 min so far (since Monday, 9:42 PM)." in text
    context["change"] = "reopened"
    text = render("update", context, markup="plain", languages=("hi", "en"), max_chars=10_000).parts[0]
    assert "गिटहब: दिक्कत फिर लौटी" in text and "the problem is back" in text


def hostile_context(text: str) -> dict:
    context = copy.deepcopy(case("acknowledged"))
    context["statement"]["text"] = text
    context["statement"]["url"] = "https://status.example.com/incidents/abc_def?x=1&y=2"
    return context


HOSTILE = "<script>alert(1)</script> &amp; <!channel> <!here> <@U024BE7LH> *bold* _x_ <https://evil.example|bank>"


def test_feed_text_is_escaped_in_telegram_messages():
    message = render("acknowledged", hostile_context(HOSTILE), markup="telegram", languages=("hi", "en"), max_chars=4096)
    text = message.parts[0]
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; &lt;!channel&gt;" in text
    assert '<a href="https://status.example.com/incidents/abc_def?x=1&amp;y=2">status.example.com/incidents/abc_def?x=1&amp;y=2</a>' in text
    assert mk.telegram_balanced(text)


def test_feed_text_cannot_ping_or_format_in_slack_messages():
    message = render("acknowledged", hostile_context(HOSTILE), markup="slack", languages=("hi", "en"), max_chars=3000)
    text = message.parts[0]
    for forbidden in ("<!channel>", "<!here>", "<@U", "<script", "|bank>"):
        assert forbidden not in text
    constructs = re.findall(r"<[^<>]*>", text)
    assert all(c.startswith("<https://") for c in constructs)
    labelled = [c for c in constructs if "|" in c]
    assert labelled == ["<https://status.example.com/incidents/abc_def?x=1&amp;y=2|status.example.com/incidents/abc"
                        f"{mk.ZWSP}_{mk.ZWSP}def?x=1&amp;y=2>"] * 2  # only our own "source" links carry a label
    assert f"{mk.ZWSP}*{mk.ZWSP}bold{mk.ZWSP}*{mk.ZWSP}" in text and f"{mk.ZWSP}_{mk.ZWSP}x{mk.ZWSP}_{mk.ZWSP}" in text
    assert message.blocks and message.blocks[0]["text"]["verbatim"] is True


def test_a_ten_thousand_character_statement_splits_for_each_channel():
    long_text = ("Customers may see errors & delays <in> some_regions while we investigate. " * 140)[:10_000]
    for markup, limit in (("telegram", 4096), ("slack", 3000), ("plain", 4000)):
        message = render("acknowledged", hostile_context(long_text), markup=markup, languages=("hi", "en"), max_chars=limit)
        assert len(message.parts) >= 3
        assert all(mk.measure(p) <= limit for p in message.parts)
        assert message.parts[0].lstrip("<b>*").startswith("🔴 फेसबुक")
        if markup == "telegram":
            assert all(mk.telegram_balanced(p) for p in message.parts)
        if markup == "slack":
            per_part = message.extra["part_blocks"]
            assert len(per_part) == len(message.parts) and message.blocks == per_part[0]
            for blocks, part in zip(per_part, message.parts, strict=True):
                assert 1 <= len(blocks) <= mk.SLACK_MAX_BLOCKS
                assert all(mk.measure(b["text"]["text"]) <= 3000 for b in blocks)
                assert "\n".join(b["text"]["text"] for b in blocks).split() == part.split()


def test_helpers_join_and_phrase():
    assert join_and(["फेसबुक", "व्हाट्सएप", "इंस्टाग्राम"], "hi") == "फेसबुक, व्हाट्सएप और इंस्टाग्राम"
    assert join_and(["Facebook", "WhatsApp"], "en") == "Facebook and WhatsApp"
    assert join_and(["GitHub"], "en") == "GitHub"
    assert trouble([], "hi") == "उसकी सेवा में दिक्कत है"
    assert trouble(["outage"], "hi") == "उपयोगकर्ताओं को सेवा पूरी तरह बंद रहने की दिक्कत आ रही है"
    assert trouble(["media_upload", "outage"], "en") == "users are having trouble sending or uploading photos and videos"
    assert trouble(["login", "performance"], "en") == "users are having trouble logging in; it is also investigating slow service"
    assert trouble(["no_such_tag"], "en") == "it is investigating no such tag"


def test_unknown_kind_and_markup_are_refused():
    with pytest.raises(ValueError):
        render("gossip", case("notice"), markup="plain", languages=("en",), max_chars=100)
    with pytest.raises(ValueError):
        render("notice", case("notice"), markup="html", languages=("en",), max_chars=100)


# ---------------------------------------------------------------- from the store


@pytest.fixture
def story_db(tmp_path):
    """The seed story's @facebook acknowledgement and resolution, stored through the pipeline."""
    from config import ChannelConfig
    from demo import SCENES, demo_config, scene_post
    from pipeline import store_posts
    from store import open_db

    raw = demo_config(tmp_path / "state.db")
    extra = (ChannelConfig(id="tg", kind="telegram", languages=("hi", "en")), ChannelConfig(id="team", kind="slack", languages=("en",)))
    bot = dataclasses.replace(raw, channels=raw.channels + extra)
    db = open_db(bot.state)
    for scene in SCENES:
        if scene.source == "facebook":
            post = scene_post(scene, bot)
            store_posts(db, bot, bot.source("facebook"), [post], now=post.created_at + timedelta(minutes=1))
    return db, bot


def test_message_context_from_the_store(story_db):
    db, _ = story_db
    rows = list(db.query("select * from outbox where channel_id = 'desk' order by id"))
    assert [r["message_kind"] for r in rows] == ["acknowledged", "resolved"]
    ack = message_context(db, rows[0], "Asia/Kolkata")
    assert ack["service"]["hi"] == "फेसबुक" and ack["statement"]["source_kind"] == "x"
    assert ack["statement"]["created_at"] == utc("2019-07-03T15:05:00Z")
    assert "media_upload" in ack["statement"]["symptoms"]
    done = message_context(db, rows[1], "Asia/Kolkata")
    assert done["incident"]["duration_seconds"] == 8 * 3600 + 45 * 60 and done["change"] == "resolved"
    digest = message_context(db, {**rows[1], "message_kind": "digest"}, "Asia/Kolkata")
    assert [s["kind"] for s in digest["statements"]] == ["acknowledged", "resolved"]
    text = render("digest", digest, markup="plain", languages=("hi", "en"), max_chars=100_000).parts[0]
    # what broke, as the acknowledgement names it (@facebook: "trouble uploading or sending images, videos …")
    assert "फेसबुक: तस्वीरें और वीडियो भेजने या अपलोड करने में दिक्कत — अब तक के बयान (2)" in text
    assert "Facebook: problem sending or uploading photos and videos — statements so far (2)" in text
    assert "लगभग 8 घंटे 45 मिनट" in text and "about 8 h 45 min" in text


def test_day_summary(story_db):
    db, _ = story_db
    import datetime as dt

    context = summary_context(db, "Asia/Kolkata", day=dt.date(2019, 7, 3))
    text = render("digest", context, markup="plain", languages=("hi", "en"), max_chars=100_000).parts[0]
    assert "बुधवार, 3 जुलाई 2019: सेवाओं में दिक्कतों का सार" in text
    assert "• फेसबुक: बुधवार रात 8:35 बजे से गुरुवार सुबह 5:20 बजे तक — 8 घंटे 45 मिनट, समस्या दूर" in text
    assert "Wednesday, 3 July 2019: outages in summary" in text
    empty = summary_context(db, "Asia/Kolkata", day=dt.date(2019, 7, 10))
    text = render("digest", empty, markup="plain", languages=("hi", "en"), max_chars=100_000).parts[0]
    assert "इस दिन किसी सेवा में दिक्कत की आधिकारिक सूचना नहीं मिली।" in text
    assert "No service reported a problem that day." in text


def test_preview_renders_each_channel_without_sending(story_db):
    db, bot = story_db
    incident_id = next(db.query("select id from incidents"))["id"]
    text = preview(db, bot, incident_id)
    assert "── preview [desk] console · plain · hi+en · resolved" in text
    assert "── preview [tg] telegram · telegram · hi+en · resolved" in text and "<b>✅ फेसबुक" in text
    assert "── preview [team] slack · slack · en · resolved" in text and "*✅ Facebook: resolved*" in text
    assert text.count("── the first message becomes:") == 3
    only = preview(db, bot, incident_id, "team")
    assert "[desk]" not in only and "[team]" in only
    with pytest.raises(KeyError):
        preview(db, bot, 999)
    with pytest.raises(KeyError):
        preview(db, bot, incident_id, "nope")


def test_the_english_headline_names_the_trouble_the_hindi_names() -> None:
    """The Hindi headline named the symptom ("फेसबुक: तस्वीरें और वीडियो भेजने या अपलोड करने में दिक्कत") while the English
    said only "Facebook: problem"; Symantec WSS Denver's "Degraded Performance" was "सेवा धीमी चलने की दिक्कत" in
    Hindi and "problem in Denver (DEN3)" in English. Both languages now say what broke."""
    assert trouble_head(["media_upload"], "en") == "problem sending or uploading photos and videos"
    assert trouble_head(["login", "messaging"], "en") == "problem logging in and sending messages"
    assert trouble_head(["performance"], "en", regions=["Denver (DEN3)"]) == "slowness in Denver (DEN3)"
    assert trouble_head(["api", "performance"], "en") == "problem using the API and slowness"
    assert trouble_head(["outage"], "en") == "full outage"
    assert trouble_head([], "en") == "problem"
    assert trouble_head(["performance"], "hi", regions=["Denver (DEN3)"]).endswith("सेवा धीमी चलने की दिक्कत")
