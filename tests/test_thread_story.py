"""The thread shows the whole story, end to end through the fake Telegram and Slack servers: the root keeps the
company's first statement under its status line when it is resolved, goes back to ongoing on a reopen and is
edited again on the next resolution; an event is one message per channel, edited as services join.

The seed story's real statements (``golden_cases``: @facebook's acknowledgement, @TwitterSupport's resolution)
are replayed through ``pipeline.store_posts`` and ``outbox.deliver`` as ``bot.py demo`` does, and a real GitHub
incident (tests/data/e2e) through ``bot.py poll --once``.
"""

from __future__ import annotations

import copy
import html
import re
from datetime import datetime, timedelta, timezone

from fake_slack import FakeSlack
from fake_telegram import FakeTelegram
from golden_cases import FACEBOOK_ACK, TWITTER_RESOLVED
from pollhelpers import incidents_document, load_incident, recent_start, revealed, run_bot, shifted, write_config

TG_TOKEN = "123456:STORY-telegram-token"
SLACK_TOKEN = "xoxb-story-slack-token"
CHAT = "-100555"
SLACK_CHANNEL = "C0PUSHTI"
ENV = {"TELEGRAM_BOT_TOKEN": TG_TOKEN, "SLACK_BOT_TOKEN": SLACK_TOKEN}

# after Facebook's all-clear: the trouble is back, then over again (illustrative, in the story's style)
FB_BACK = ("Some people are having trouble uploading or sending images and videos on our apps again. We're working "
           "to get things back to normal as quickly as possible.")
FB_AGAIN = ("The issue with uploading and sending images and videos has now been resolved again. We're sorry for "
            "the trouble.")


def seen(text: str) -> str:
    """What a reader sees: markup gone, entities decoded, Slack's zero-width guards and quote marks dropped."""
    text = re.sub(r"<(https?://[^|>]+)\|([^>]*)>", r"\2", text)
    text = html.unescape(re.sub(r"</?[a-z][^>]*>", "", text)).replace("\u200b", "")
    text = re.sub(r"(?m)^> ?", "", text)
    return " ".join(text.replace("*", "").split())


class Story:
    """The seed story's sources (X accounts) and the fake Telegram / Slack channels, in one state database."""

    def __init__(self, tmp_path, tg: FakeTelegram, slack: FakeSlack, monkeypatch, languages=("hi", "en"),  # type: ignore[no-untyped-def]
                 **options) -> None:
        from channels import channel_for
        from config import parse_config
        from demo import SOURCES
        from store import open_db

        for key, value in ENV.items():
            monkeypatch.setenv(key, value)
        self.bot = parse_config({
            "bot": {"state": str(tmp_path / "state.db"), "timezone": "Asia/Kolkata", "languages": list(languages),
                    **options},
            "source": [dict(s) for s in SOURCES],
            "channel": [
                {"id": "tg", "kind": "telegram", "chat": CHAT, "api_base": tg.url, "min_interval": 0, "per_minute": 0},
                {"id": "team", "kind": "slack", "channel": SLACK_CHANNEL, "api_base": slack.api_base,
                 "min_interval": 0},
            ],
        }, "<story>")
        self.db = open_db(self.bot.state)
        self.channels = {c.id: channel_for(c, self.bot) for c in self.bot.channels}

    def say(self, source_id: str, native_id: str, at: str, text: str, thread: str, *, self_reply: bool = False,
            deliver_now: bool = True) -> None:
        from demo import Scene, _at, scene_post
        from pipeline import store_posts

        scene = Scene(source_id, native_id, at, text, verbatim=False, thread=thread, is_self_reply=self_reply)
        outcome = store_posts(self.db, self.bot, self.bot.source(source_id), [scene_post(scene, self.bot)],
                              now=_at(at) + timedelta(minutes=2))
        assert outcome.status in ("ok", "unchanged"), outcome.message
        if deliver_now:
            self.deliver()

    def deliver(self):  # type: ignore[no-untyped-def]
        from outbox import deliver

        report = deliver(self.db, self.bot, self.channels, sleep=lambda _s: None)
        assert report.failed == 0, report.errors
        return report

    def scene(self, native_id: str, *, deliver_now: bool = True) -> None:
        from demo import SCENES

        scene = next(s for s in SCENES if s.native_id == native_id)
        self.say(scene.source, scene.native_id, scene.at, scene.text, scene.thread, self_reply=scene.is_self_reply,
                 deliver_now=deliver_now)


def test_resolution_keeps_the_first_statement_reopen_and_second_resolution_edit_the_root(tmp_path, tg, slack, monkeypatch):
    story = Story(tmp_path, tg, slack, monkeypatch)
    story.scene("fb-ack")
    (root,) = tg.sent(CHAT)
    (slack_root,) = slack.roots()
    assert FACEBOOK_ACK in seen(root.text) and not root.edits

    story.scene("fb-resolved")  # 5:20 AM IST: resolved after 8 h 45 min
    for text in (root.current, slack_root.current):
        shown = seen(text)
        assert "✅ फेसबुक: 8 घंटे 45 मिनट बाद समस्या दूर (बुधवार रात 8:35 बजे से गुरुवार सुबह 5:20 बजे तक)" in shown
        assert "✅ Facebook: resolved after 8 h 45 min (Wednesday, 8:35 PM – Thursday, 5:20 AM IST)" in shown
        # the company's first words, verbatim, once per language, with when it said them and the link
        assert shown.count(FACEBOOK_ACK) == 2
        assert "पहला बयान: फेसबुक (@facebook) ने बुधवार रात 8:35 बजे (3 जुलाई, भारतीय समय) ट्वीट कर लिखा" in shown
        assert "First statement: Facebook wrote in a tweet on Wednesday 3 July, 8:35 PM IST (15:05 UTC):" in shown
        assert "twitter.com/facebook" in shown
        assert "Earlier today" not in shown  # the resolution itself is the reply, not the card
    assert len(root.edits) == 1 and len(slack_root.edits) == 1
    assert root.parse_mode == "HTML" and all("<blockquote>" in e for e in root.edits)

    story.say("facebook", "fb-back", "2019-07-04T00:40:00Z", FB_BACK, "fb-2019-07-03", self_reply=True)  # 6:10 AM
    assert len(root.edits) == 2 and len(slack_root.edits) == 2
    for text in (root.current, slack_root.current):
        shown = seen(text)
        assert "🔴 फेसबुक: दिक्कत फिर लौटी (गुरुवार सुबह 6:10 बजे से फिर जारी; शुरुआत बुधवार रात 8:35 बजे)" in shown
        assert "🔴 Facebook: the problem is back (again since Thursday, 6:10 AM; it first began Wednesday, 8:35 PM IST)" in shown
        assert shown.count(FACEBOOK_ACK) == 2 and "✅" not in shown
    replies = [m for m in tg.sent(CHAT) if m.reply_to == root.message_id]
    assert FB_BACK in seen(replies[-1].text)  # the reopen is told in the thread as well

    story.say("facebook", "fb-again", "2019-07-04T01:30:00Z", FB_AGAIN, "fb-2019-07-03", self_reply=True)  # 7:00 AM
    assert len(root.edits) == 3 and len(slack_root.edits) == 3
    for text in (root.current, slack_root.current):
        shown = seen(text)
        # resolved at 5:20 AM, back at 6:10 AM, resolved again at 7:00 AM: the card tells the trouble since it came
        # back (50 min), not 10 h 25 min from the first word, which would count the 50 minutes it was fixed
        assert "10 घंटे 25 मिनट" not in shown and "10 h 25 min" not in shown
        assert "✅ फेसबुक: फिर लौटी दिक्कत 50 मिनट बाद दूर (गुरुवार सुबह 6:10 बजे से 7 बजे तक)" in shown
        assert "✅ Facebook: resolved again after 50 min (Thursday, 6:10 AM – 7:00 AM IST)" in shown
        assert shown.count(FACEBOOK_ACK) == 2 and "🔴" not in shown
    assert [m.reply_to for m in tg.sent(CHAT)] == [None] + [root.message_id] * 3  # one thread, no new roots
    assert len(slack.roots()) == 1 and len(slack.replies(slack_root.ts)) == 3
    assert [s for _, s in tg.method_calls("editMessageText")] == [200, 200, 200]


def test_the_seed_storys_verbatim_resolution_edits_twitters_root(tmp_path, tg, slack, monkeypatch):
    story = Story(tmp_path, tg, slack, monkeypatch, languages=("en",))
    story.scene("tw-ack")
    story.scene("tw-resolved")
    root, reply = tg.sent(CHAT)
    assert reply.reply_to == root.message_id and len(root.edits) == 1
    shown = seen(root.current)
    # "We're almost at 100% resolved": the edited root says almost fully fixed, not resolved
    assert shown.startswith("✅ Twitter: almost fully fixed after 7 h 9 min (Wednesday, 9:45 PM – Thursday, 4:54 AM IST)")
    assert "Some of you may be having trouble with Direct Messages and notifications." in shown
    assert TWITTER_RESOLVED not in shown and TWITTER_RESOLVED in seen(reply.text)


def test_three_services_joining_an_event_is_one_message_edited(tmp_path, tg, slack, monkeypatch):
    story = Story(tmp_path, tg, slack, monkeypatch)
    story.scene("fb-ack")
    story.scene("wa-ack")  # WhatsApp joins Facebook: the event's message is sent
    events = [m for m in tg.sent(CHAT) if "एक साथ दिक्कत" in m.text]
    assert len(events) == 1 and events[0].reply_to is None  # on its own, in no incident's thread
    story.scene("ig-ack")  # Instagram joins: the same message is edited, nothing new is sent
    story.scene("tw-ack")  # and Twitter
    events = [m for m in tg.sent(CHAT) if "एक साथ दिक्कत" in m.text]
    assert len(events) == 1 and len(events[0].edits) == 2
    assert len(tg.sent(CHAT)) == 4 + 1  # four acknowledgements and one event message
    slack_events = [m for m in slack.messages if "एक साथ दिक्कत" in m.text]
    assert len(slack_events) == 1 and slack_events[0].thread_ts is None and len(slack_events[0].edits) == 2

    after_instagram = seen(events[0].edits[0])
    assert "फेसबुक, व्हाट्सएप और इंस्टाग्राम पर एक साथ दिक्कत है; तीनों की ओर से आधिकारिक बयान आ चुके हैं।" in after_instagram
    assert "सबसे पहले फेसबुक ने बुधवार रात 8:35 बजे (3 जुलाई, भारतीय समय) इसकी जानकारी दी।" in after_instagram
    for line in ("• फेसबुक: बुधवार रात 8:35 बजे से दिक्कत जारी", "• व्हाट्सएप: बुधवार रात 8:50 बजे से दिक्कत जारी",
                 "• इंस्टाग्राम: बुधवार रात 9 बजे से दिक्कत जारी",
                 "Facebook, WhatsApp and Instagram have problems at the same time; all three have said so officially.",
                 "Facebook was the first to report it, on Wednesday 3 July, 8:35 PM IST (15:05 UTC).",
                 "• Facebook: problem since Wednesday, 8:35 PM (15:05 UTC), ongoing",
                 "• WhatsApp: problem since Wednesday, 8:50 PM (15:20 UTC), ongoing",
                 "• Instagram: problem since Wednesday, 9:00 PM (15:30 UTC), ongoing"):
        assert line in after_instagram, line
        assert line in seen(slack_events[0].edits[0]), line
    assert "• ट्विटर: बुधवार रात 9:45 बजे से दिक्कत जारी" in seen(events[0].current)
    assert [s for _, s in tg.method_calls("sendMessage")].count(200) == 5

    # replies still thread under each incident's own root, never under the event's message
    story.scene("fb-resolved")
    assert all(m.reply_to != events[0].message_id for m in tg.sent(CHAT))
    assert "• फेसबुक: बुधवार रात 8:35 बजे से गुरुवार सुबह 5:20 बजे तक — 8 घंटे 45 मिनट, समस्या दूर" in seen(events[0].current)
    assert len(tg.sent(CHAT)) == 5 + 1  # the resolution's reply; the event's message was edited, not re-sent


def test_an_event_whose_message_is_gone_gets_a_new_one(tmp_path, tg, slack, monkeypatch):
    story = Story(tmp_path, tg, slack, monkeypatch, languages=("en",))
    story.scene("fb-ack")
    story.scene("wa-ack")
    (event,) = [m for m in tg.sent(CHAT) if "at the same time" in m.text]
    tg.delete(CHAT, event.message_id)
    story.scene("ig-ack")
    (again,) = [m for m in tg.sent(CHAT) if "at the same time" in m.text]
    assert again.message_id != event.message_id and "Facebook, WhatsApp and Instagram" in again.text
    story.scene("tw-ack")  # the new message is the one edited from now on
    assert len([m for m in tg.sent(CHAT) if "at the same time" in m.text]) == 1 and len(again.edits) == 1


def test_a_collapsed_backlog_labels_each_statement_and_keeps_root_and_event_true(tmp_path, tg, slack, monkeypatch):
    """A storm (channel away): Facebook's resolution, its return and the next word collapse into one digest whose
    lines carry each statement's real kind; the root still ends up saying what is true now (back, with the first
    statement); the event's joins collapse into its one message."""
    story = Story(tmp_path, tg, slack, monkeypatch, storm_threshold=3)
    story.scene("fb-ack")
    story.scene("wa-ack", deliver_now=False)
    story.scene("ig-ack", deliver_now=False)
    story.scene("fb-resolved", deliver_now=False)
    story.say("facebook", "fb-back", "2019-07-04T00:40:00Z", FB_BACK, "fb-2019-07-03", self_reply=True,
              deliver_now=False)
    report = story.deliver()
    assert report.collapsed >= 2
    root = tg.sent(CHAT)[0]
    (digest,) = [m for m in tg.sent(CHAT) if "अब तक के बयान" in m.text]
    assert digest.reply_to == root.message_id
    lines = [line for line in seen_lines(digest.text) if line.startswith("•")]
    said = {line.split(" — ", 1)[1].rstrip(":") for line in lines if " — " in line}
    assert {"दिक्कत मानी", "समस्या दूर"} <= said and "statement" not in said
    assert "🔴 फेसबुक: दिक्कत फिर लौटी" in seen(root.current) and seen(root.current).count(FACEBOOK_ACK) == 2
    events = [m for m in tg.sent(CHAT) if "एक साथ दिक्कत" in m.text and "अब तक" not in m.text]
    assert len(events) == 1 and "फेसबुक, व्हाट्सएप और इंस्टाग्राम पर एक साथ दिक्कत" in events[0].current


def seen_lines(text: str) -> list[str]:
    return [seen(line) for line in text.splitlines() if seen(line)]


# -- a real GitHub incident through bot.py poll --once: resolved, back, resolved again ----------------------------------


def reopened_incident():  # type: ignore[no-untyped-def]
    """GitHub's incident w7wlzstc8wss as published, then one more "investigating" update after its resolution and
    a second "resolved" (the real texts of its first update and its resolution, re-posted later)."""
    live = shifted(load_incident("w7wlzstc8wss"), recent_start(4))
    updates = sorted(live["incident_updates"], key=lambda u: u["display_at"])
    last = datetime.fromisoformat(updates[-1]["display_at"].replace("Z", "+00:00"))
    for offset, template, status in ((20, updates[0], "investigating"), (50, updates[-1], "resolved")):
        extra = copy.deepcopy(template)
        moment = (last + timedelta(minutes=offset)).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        extra.update(id=f"{template['id']}-again", status=status, created_at=moment, updated_at=moment,
                     display_at=moment)
        live["incident_updates"].append(extra)
    return live, sorted(live["incident_updates"], key=lambda u: u["display_at"])


def test_a_real_statuspage_incident_root_follows_resolution_reopen_and_resolution(server, tmp_path, tg, slack):
    live, updates = reopened_incident()
    first = " ".join(updates[0]["body"].split())
    route = server.route("/api/v2/incidents.json", incidents_document())
    config = write_config(tmp_path, [{"id": "github", "kind": "statuspage", "service": "GitHub", "url": server.url}], [
        {"id": "tg", "kind": "telegram", "chat": CHAT, "api_base": tg.url, "min_interval": 0.01, "per_minute": 0,
         "languages": ["hi", "en"]},
        {"id": "team", "kind": "slack", "channel": SLACK_CHANNEL, "api_base": slack.api_base, "min_interval": 0.01,
         "languages": ["en"]},
    ])

    def poll() -> None:
        result = run_bot("poll", "--once", "--config", str(config), env=ENV)
        assert result.returncode == 0, result.stderr

    poll()
    cards = []
    for count in range(1, len(updates) + 1):
        route.body = incidents_document(revealed(live, count))
        poll()
        cards.append(tg.sent(CHAT)[0].current)
    root, slack_root = tg.sent(CHAT)[0], slack.roots()[0]
    resolved_at = len(updates) - 3  # index of the first resolution
    assert all(card == root.text for card in cards[:resolved_at])  # updates never touch the root
    assert len(root.edits) == 3 and len(slack_root.edits) == 3  # resolved, back, resolved again
    done, back, again = (seen(e) for e in root.edits)
    assert "✅ गिटहब:" in done and "बाद समस्या दूर" in done and "✅ GitHub: resolved after" in done
    assert "🔴 गिटहब: दिक्कत फिर लौटी" in back and "🔴 GitHub: the problem is back" in back and "✅" not in back
    assert "✅ GitHub: resolved again after" in again and "🔴" not in again  # the span since it came back
    for card in (done, back, again, *(seen(e) for e in slack_root.edits)):
        assert first in card  # GitHub's first update, verbatim, under every status line
        assert "First statement: GitHub wrote on its status page on" in card
    assert card.count(first) == 1  # the Slack channel is English only
    assert len(slack.roots()) == 1 and len(slack.replies(slack_root.ts)) == len(updates) - 1
    assert all(m.reply_to == root.message_id for m in tg.sent(CHAT)[1:])


def test_a_card_fits_the_channel_with_a_long_first_statement():
    """A first statement too long for the card in two languages is clipped alike in both, never cut mid-markup."""
    from golden_cases import case

    import markup as mk
    from render import render

    context = case("resolved")
    long_text = ("We are investigating reports of degraded performance & errors <for> some_customers. " * 60).strip()
    context["first_statement"] = {**context["statement"], "text": long_text,
                                  "url": "https://status.example.com/incidents/abc?x=1&y=2"}
    for markup, limit in (("telegram", 4096), ("slack", 3000)):
        card = render("resolved", context, markup=markup, languages=("hi", "en"), max_chars=limit).card
        assert mk.measure(card) <= limit
        assert "✅ एक्स (ट्विटर)" in card and "✅ X (Twitter)" in card  # both status lines survive
        assert card.count(" …") == 2 and card.count("status.example.com/incidents/abc") >= 2
        if markup == "telegram":
            assert mk.telegram_balanced(card) and "&lt;for&gt;" in card
    card = render("resolved", context, markup="plain", languages=("en",), max_chars=100_000).card
    assert long_text in card  # room enough: verbatim, whole



def test_a_notice_closed_is_not_carded_as_fixed():
    """A resolved incident whose statements named no problem (facts.context.closed_notice: DatoCMS's "Rollbar
    security notice") is closed, not fixed: its card says the company closed the notice, with no ✅ and no span,
    as the resolution message does."""
    from golden_cases import case

    from render import render

    context = case("resolved")
    context["incident"] = {**context["incident"], "notice": True, "duration_seconds": None}
    context["first_statement"] = context["statement"]
    card = render("resolved", context, markup="plain", languages=("hi", "en"), max_chars=100_000).card
    assert "⚪ एक्स (ट्विटर): कंपनी ने मामला बंद किया" in card and "सेवा में किसी दिक्कत की बात नहीं कही" in card
    assert "⚪ X (Twitter): the company closed the notice" in card and "it named no problem with the service" in card
    assert "✅" not in card.split("\n\n")[0] and "resolved after" not in card and "समस्या दूर" not in card
    assert context["statement"]["text"] in card  # the company's first words still under the status line
