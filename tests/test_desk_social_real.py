"""Real posts of official accounts read as a news desk would (posts no other test or golden file reads): each thread
served by a local fake X API (the account's timeline; follow-ups are replies to its own first post) and read through
``bot.py poll --once --all`` (backfill all, a Hindi + English console channel) and ``bot.py incidents --json``. The
texts are verbatim from tests/data/social_official/posts.jsonl (a copy of ../shared/data/social_official); the data
gives each post's date only, so the posts are placed 40 minutes apart on that date, in their thread's order."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pollhelpers import run_bot, write_config

POSTS = [json.loads(line) for line in
         (Path(__file__).parent / "data" / "social_official" / "posts.jsonl").read_text(encoding="utf-8").splitlines()]
DESK_CHANNEL = {"id": "desk", "kind": "console", "languages": ["hi", "en"]}
USER_ID = "4242"


def post(start: str) -> dict[str, Any]:
    """The one real post whose text starts with ``start``."""
    (found,) = [p for p in POSTS if p["text"].startswith(start)]
    return found


def poll_thread(server: Any, tmp_path: Path, handle: str, service: str, thread: list[dict[str, Any]],
                **source_options: Any) -> tuple[Any, list[dict[str, Any]], list[str]]:
    """Serve ``thread`` (real posts, first post first) as @handle's timeline, poll it once: (the poll, the incident
    records, the posts' times as ISO UTC)."""
    start = datetime.fromisoformat(thread[0]["date"]).replace(hour=10, tzinfo=timezone.utc)
    tweets: list[dict[str, Any]] = []
    for n, item in enumerate(thread):
        tid = str(1_000_000 + n)
        tweet = {"id": tid, "text": item["text"], "lang": "en", "edit_history_tweet_ids": [tid],
                 "created_at": (start + timedelta(minutes=40 * n)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                 "conversation_id": tweets[0]["id"] if tweets else tid}
        if item["platform"] == "X/Twitter reply":  # a reply to a customer
            tweet.update(in_reply_to_user_id="999", conversation_id="555",
                         referenced_tweets=[{"type": "replied_to", "id": "555"}])
        elif tweets:  # the account's own follow-up, a reply to its previous post
            tweet.update(in_reply_to_user_id=USER_ID, referenced_tweets=[{"type": "replied_to", "id": tweets[-1]["id"]}])
        tweets.append(tweet)
    newest_first = list(reversed(tweets))
    server.route(f"/2/users/by/username/{handle}",
                 json.dumps({"data": {"id": USER_ID, "name": handle, "username": handle}}),
                 headers={"Content-Type": "application/json"})
    server.route(f"/2/users/{USER_ID}/tweets", json.dumps({"data": newest_first, "meta": {
        "result_count": len(tweets), "newest_id": newest_first[0]["id"], "oldest_id": newest_first[-1]["id"]}}),
        headers={"Content-Type": "application/json"})
    config = write_config(tmp_path, [{"id": "official", "kind": "x", "handle": handle, "service": service,
                                      "api_base": server.url, "backfill": "all", **source_options}],
                          channels=[DESK_CHANNEL])
    env = {"X_BEARER_TOKEN": "test-bearer-token-value"}
    poll = run_bot("poll", "--once", "--all", "--config", str(config), env=env)
    assert poll.returncode == 0, poll.stderr
    records = [json.loads(line) for line in
               run_bot("incidents", "--json", "--config", str(config), env=env).stdout.splitlines()]
    return poll, records, [t["created_at"].replace(".000Z", "Z") for t in tweets]


def test_a_post_saying_users_can_once_again_sign_in_ends_the_outage(server: Any, tmp_path: Path) -> None:
    """@XboxSupport, 25 February 2021: "Our teams are continuing their investigation and have found that users
    experiencing sign-in issues may have issues with Purchasing Content and Party Chat as well …", then "Users should
    once again be able to sign-in, complete purchases, and join chat sessions. Thank you for your patience …" — the
    company's word that it is over. The bot read the second post as noise (no lexicon word of a problem: rule 6a),
    told no end and left the incident open until it went stale."""
    thread = [post("Our teams are continuing their investigation and have found that users experiencing sign-in"),
              post("Users should once again be able to sign-in, complete purchases")]
    poll, (record,), times = poll_thread(server, tmp_path, "XboxSupport", "Xbox Live", thread)
    assert record["status"] == "resolved"
    assert [s["kind"] for s in record["statements"]] == ["update", "resolved"]
    assert record["first_word_at"] == times[0] and record["resolved_at"] == times[1]
    assert record["duration_seconds"] == 40 * 60
    # 10:00 / 10:40 UTC is 3:30 / 4:10 PM IST on Thursday 25 February 2021
    assert "✅ Xbox: resolved after 40 min (Thursday, 3:30 PM – 4:10 PM IST)" in poll.stdout
    assert "✅ एक्सबॉक्स: 40 मिनट बाद समस्या दूर (गुरुवार दोपहर 3:30 बजे से शाम 4:10 बजे तक)" in poll.stdout


def test_sending_a_message_that_privacy_matters_is_no_messaging_trouble(server: Any, tmp_path: Path) -> None:
    """@signalapp, 15 January 2021: "… Millions upon millions of new users are sending a message that privacy
    matters. We appreciate your patience.", then "We are making progress towards getting the service back online."
    Neither post says users cannot send messages; the channel said "उपयोगकर्ताओं को मैसेज भेजने में दिक्कत आ रही है"
    / "users are having trouble sending messages" from the figure of speech."""
    thread = [post("We have been adding new servers and extra capacity at a record pace"),
              post("We are making progress towards getting the service back online.")]
    poll, (record,), _ = poll_thread(server, tmp_path, "signalapp", "Signal", thread)
    assert [s["kind"] for s in record["statements"]] == ["update", "update"]
    assert "मैसेज भेजने" not in poll.stdout and "sending messages" not in poll.stdout
    assert "सिग्नल ने शुक्रवार दोपहर 3:30 बजे (15 जनवरी, भारतीय समय) ट्वीट कर माना कि उसकी सेवा में दिक्कत है।" in poll.stdout
    assert "that there is a problem with its service." in poll.stdout


def test_a_kept_reply_to_one_customer_is_told_as_such_not_as_a_company_wide_acknowledgement(
        server: Any, tmp_path: Path) -> None:
    """@Airtel_Presence, 26 December 2024, replying to a customer: "We regret the inconvenience you are facing. …
    There is a disruption in your area, which will be resolved by 2:22 PM today." With ``keep_replies`` the channel
    said "एयरटेल ने … ट्वीट कर माना कि उसकी सेवा में दिक्कत है" / "Airtel: problem acknowledged", as if Airtel had
    told all its users; it told one customer about their area."""
    thread = [post("We regret the inconvenience you are facing. We value our customers’ feedback"),
              post("Don’t worry, we’re here to fix it. Please DM us your Airtel details")]
    poll, (record,), times = poll_thread(server, tmp_path, "Airtel_Presence", "Airtel", thread, keep_replies=True)
    assert record["first_word_at"] == times[0]
    assert "🔴 एयरटेल: सेवा में दिक्कत, कंपनी ने एक ग्राहक को जवाब में माना" in poll.stdout
    assert ("एयरटेल ने गुरुवार दोपहर 3:30 बजे (26 दिसंबर, भारतीय समय) एक ग्राहक को दिए जवाब में माना कि उसकी सेवा में "
            "दिक्कत है।") in poll.stdout
    assert "🔴 Airtel: problem acknowledged in a reply to a customer" in poll.stdout
    assert "Airtel said in a reply to a customer on Thursday 26 December, 3:30 PM IST (10:00 UTC)" in poll.stdout
    assert "ट्वीट कर माना" not in poll.stdout and "said in a tweet" not in poll.stdout


def test_roblox_and_signal_are_named_in_devanagari_in_the_hindi(server: Any, tmp_path: Path) -> None:
    """@Roblox, 29 October 2021: "We know you’re having issues using Roblox right now. …" … "Roblox is back online
    everywhere!" The Hindi said "Roblox ने शुक्रवार दोपहर 3:30 बजे … माना" and "✅ Roblox: 2 घंटे बाद समस्या दूर" — a
    Latin brand in the Hindi sentence, where Hindi media write रोबलॉक्स (shared/HINDI.md: brand names in Devanagari,
    from the services catalog); the same for Signal (सिग्नल, @signalapp)."""
    thread = [post("We know you’re having issues using Roblox right now."),
              post("Still making progress on today’s outage."),
              post("We are working to bring things back to normal. We are slowly restoring regions online."),
              post("Roblox is back online everywhere!")]
    poll, (record,), times = poll_thread(server, tmp_path, "Roblox", "Roblox", thread)
    assert record["resolved_at"] == times[3] and record["duration_seconds"] == 2 * 3600
    assert "रोबलॉक्स ने शुक्रवार दोपहर 3:30 बजे (29 अक्टूबर, भारतीय समय) ट्वीट कर माना कि उसकी सेवा में दिक्कत है।" \
        in poll.stdout
    assert "✅ रोबलॉक्स: 2 घंटे बाद समस्या दूर (शुक्रवार दोपहर 3:30 बजे से शाम 5:30 बजे तक)" in poll.stdout
    assert "✅ Roblox: resolved after 2 h (Friday, 3:30 PM – 5:30 PM IST)" in poll.stdout
    hindi = [line for line in poll.stdout.splitlines() if any("\u0900" <= ch <= "\u097f" for ch in line)]
    assert not [line for line in hindi if "Roblox ने" in line or ": Roblox" in line]


def test_follow_up_replies_to_customers_are_not_told_as_tweets(server: Any, tmp_path: Path) -> None:
    """@CoxHelp, 31 October – 1 November 2017, three replies to customers (kept with ``keep_replies``): "@116023 Hi,
    the outage is still open in your area …", then "@117025, This outage is due to commercial power …" and "@117025 We
    do apologize for the inconvenience and hope to have it restored soon as we can. = JJ". The acknowledgement was
    told as a reply to a customer, but the follow-ups as "Cox ने … ट्वीट कर नई जानकारी दी" / "posted an update in a
    tweet" — a company-wide tweet; they were replies to one customer each."""
    thread = [post("@116023 Hi, the outage is still open in your area"),
              post("@117025, This outage is due to commercial power"),
              post("@117025 We do apologize for the inconvenience")]
    assert {p["platform"] for p in thread} == {"X/Twitter reply"}
    poll, (record,), times = poll_thread(server, tmp_path, "CoxHelp", "Cox", thread, keep_replies=True)
    assert [s["created_at"] for s in record["statements"]] == times
    assert "ट्वीट कर" not in poll.stdout and "in a tweet" not in poll.stdout
    assert poll.stdout.count("एक ग्राहक को दिए जवाब में नई जानकारी दी") == 2
    assert poll.stdout.count("posted an update in a reply to a customer on") == 2
