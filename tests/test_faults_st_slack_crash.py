"""Crash window of Slack delivery closed: every message carries its outbox id as Slack message metadata; a row a
SIGKILL left ``sending`` is looked for in the channel's history (``conversations.history`` /
``conversations.replies``, ``include_all_metadata``) before it is sent again, so a kill between Slack accepting and
our commit repeats nothing. Without ``channels:history`` the message is sent again (today's behaviour) and
``bot.py status`` says so. Split messages resume after the last accepted part (Telegram and Slack).
"""

from __future__ import annotations

import copy
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest
from fake_slack import FakeSlack
from fake_telegram import FakeTelegram
from pollhelpers import ROOT, incidents_document, load_incident, recent_start, revealed, run_bot, shifted, write_config

SLACK_TOKEN = "xoxb-crash-slack-token"
TG_TOKEN = "123456:SPLIT-crash-token"
CHAT = "-100888"
MARK = re.compile(r"\[(\d+\.\d+)\]")
PATH = "/api/v2/incidents.json"


def _slack_channel(fake: FakeSlack) -> dict:
    return {"id": "team", "kind": "slack", "channel": "C0PUSHTI", "api_base": fake.api_base, "min_interval": 0,
            "languages": ["en"]}


def _incidents(count: int, updates: int | None = None) -> list[dict]:
    base = load_incident("w7wlzstc8wss")
    found = []
    for k in range(count):
        incident = shifted(copy.deepcopy(base), recent_start(30 - k))
        if updates:
            incident = revealed(incident, updates)
        incident["id"] = f"slk{k:02d}"
        incident["name"] = f"Slack crash drill {k}"
        for j, update in enumerate(sorted(incident["incident_updates"], key=lambda u: u["display_at"])):
            update["id"] = f"slk{k:02d}u{j}"
            update["incident_id"] = incident["id"]
            update["body"] = f"[{k}.{j}] {update['body']}"
        found.append(incident)
    return found


def _queue(server, tmp_path, channels: list[dict], incidents: list[dict], env: dict[str, str]):  # type: ignore[no-untyped-def]
    """Store the incidents and queue their messages while the channels' tokens are missing."""
    server.route(PATH, incidents_document(*incidents))
    config = write_config(
        tmp_path, [{"id": "github", "kind": "statuspage", "service": "GitHub", "url": server.url, "backfill": "all"}],
        channels, bot={"storm_threshold": 1000},
    )
    queued = run_bot("poll", "--once", "--config", str(config), env=env)
    assert queued.returncode == 0, queued.stderr
    return config


def slack_marks(fake: FakeSlack) -> Counter:
    with fake.lock:
        return Counter(m.group(1) for msg in fake.messages if (m := MARK.search(msg.text)))


def _statuses(db_path) -> list[str]:  # type: ignore[no-untyped-def]
    db = sqlite3.connect(db_path)
    try:
        return [r[0] for r in db.execute("select status from outbox order by id")]
    finally:
        db.close()


def test_a_kill_after_slack_accepted_repeats_nothing_when_history_is_readable(server, tmp_path):  # type: ignore[no-untyped-def]
    fake = FakeSlack(SLACK_TOKEN)
    try:
        config = _queue(server, tmp_path, [_slack_channel(fake)], _incidents(2, updates=2), {"SLACK_BOT_TOKEN": ""})
        env = {"SLACK_BOT_TOKEN": SLACK_TOKEN}
        crashed = run_bot("deliver", "--config", str(config), env={**env, "PUSHTI_CRASH_AT": "after_send"})
        assert crashed.returncode == -signal.SIGKILL
        assert len(fake.messages) == 1 and "sending" in _statuses(tmp_path / "state.db")
        assert fake.messages[0].metadata == {"event_type": "pushti_outbox",
                                             "event_payload": {"outbox_id": 1, "part": 0}}
        again = run_bot("deliver", "--config", str(config), env=env)
        assert again.returncode == 0, again.stderr
        assert "found in the channel's history" in again.stderr
        counts = slack_marks(fake)
        assert counts and set(counts.values()) == {1}, counts  # nothing repeated
        assert set(_statuses(tmp_path / "state.db")) == {"sent"}
        history = [c for c in fake.calls if c[0] == "conversations.history"]
        assert history and str(history[0][1].get("include_all_metadata")).lower() in ("true", "1")
        assert int(history[0][1]["limit"]) == 50 and float(history[0][1]["oldest"]) > time.time() - 600
        # the thread is whole: the second statement replies under the first, which is the recorded root
        db = sqlite3.connect(tmp_path / "state.db")
        roots = [r[0] for r in db.execute("select root_remote_id from channel_threads order by incident_id")]
        db.close()
        assert len(roots) == 2 and all(fake.replies(ts) for ts in roots)
        status = run_bot("status", "--json", "--config", str(config), env=env)
        (channel,) = json.loads(status.stdout)["channels"]
        assert "found in the channel's history" in channel["crash_check"]
    finally:
        fake.stop()


def test_without_channels_history_the_message_is_sent_again_and_status_says_so(server, tmp_path):  # type: ignore[no-untyped-def]
    fake = FakeSlack(SLACK_TOKEN)
    fake.scopes = {"chat:write"}
    try:
        config = _queue(server, tmp_path, [_slack_channel(fake)], _incidents(1, updates=2), {"SLACK_BOT_TOKEN": ""})
        env = {"SLACK_BOT_TOKEN": SLACK_TOKEN}
        crashed = run_bot("deliver", "--config", str(config), env={**env, "PUSHTI_CRASH_AT": "after_send"})
        assert crashed.returncode == -signal.SIGKILL
        again = run_bot("deliver", "--config", str(config), env=env)
        assert again.returncode == 0, again.stderr
        assert "channels:history" in again.stderr and "Traceback" not in again.stderr
        counts = slack_marks(fake)
        assert sorted(counts.values()) == [1, 2]  # today's behaviour: the one message in flight shows twice
        status = run_bot("status", "--config", str(config), env=env)
        assert "crash check: channel history not readable" in status.stdout and "channels:history" in status.stdout
        assert SLACK_TOKEN not in status.stdout
    finally:
        fake.stop()


def test_sigkill_during_slack_delivery_repeats_nothing(server, tmp_path):  # type: ignore[no-untyped-def]
    rng = random.Random(int(os.environ.get("CRASH_SEED", "0")) or None)
    fake = FakeSlack(SLACK_TOKEN)
    try:
        config = _queue(server, tmp_path, [_slack_channel(fake)], _incidents(8), {"SLACK_BOT_TOKEN": ""})
        db_path = tmp_path / "state.db"
        total = len(_statuses(db_path))
        assert total == 40
        fake.delay = (0.002, 0.02)  # accepted, then answered a little later: the window is real
        env = {**os.environ, "SLACK_BOT_TOKEN": SLACK_TOKEN}
        started = time.monotonic()
        kills = in_doubt = 0
        while kills < 20 and time.monotonic() - started < 40:
            calls = len(fake.calls)
            proc = subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "deliver", "--config", str(config)],
                                    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while proc.poll() is None and not any(c[0] == "chat.postMessage" for c in fake.calls[calls:]):
                time.sleep(0.001)  # until this run is sending (past its history lookups)
            if proc.poll() is not None:
                break
            time.sleep(rng.uniform(0, 0.03))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
            time.sleep(0.03)  # let the server finish a request the dead client had already sent
            in_doubt += _statuses(db_path).count("sending")
        final = run_bot("deliver", "--config", str(config), env={"SLACK_BOT_TOKEN": SLACK_TOKEN})
        assert final.returncode == 0, final.stderr
        db = sqlite3.connect(db_path)
        found = db.execute("select count(*) from outbox where last_error like 'crash check: found%'").fetchone()[0]
        db.close()
        print(f"\nslack crash drill: {kills} SIGKILLs, {in_doubt} message(s) left in doubt, {found} of them "
              "accepted before the kill and found in the channel's history (not sent again)")
        assert kills >= 10
        assert set(_statuses(db_path)) == {"sent"}
        counts = slack_marks(fake)
        assert len(counts) == total  # nothing lost
        assert set(counts.values()) == {1}, {k: v for k, v in counts.items() if v > 1}  # nothing repeated
    finally:
        fake.stop()


# -- split messages ---------------------------------------------------------------------------------------------


def _long_incident() -> dict:
    incident = _incidents(1, updates=1)[0]
    paragraphs = [f"Paragraph {i}: " + ("Engineers are investigating degraded performance in the service. " * 14)
                  for i in range(9)]
    incident["incident_updates"][0]["body"] = "[0.0] " + "\n\n".join(paragraphs)
    return incident


def test_a_split_telegram_message_resumes_after_the_last_accepted_part(server, tmp_path):  # type: ignore[no-untyped-def]
    fake = FakeTelegram(TG_TOKEN)
    try:
        channel = {"id": "tg", "kind": "telegram", "chat": CHAT, "api_base": fake.url, "min_interval": 0,
                   "per_minute": 0, "languages": ["hi", "en"]}
        config = _queue(server, tmp_path, [channel], [_long_incident()], {"TELEGRAM_BOT_TOKEN": ""})
        env = {"TELEGRAM_BOT_TOKEN": TG_TOKEN}
        crashed = run_bot("deliver", "--config", str(config), env={**env, "PUSHTI_CRASH_AT": "between_parts"})
        assert crashed.returncode == -signal.SIGKILL
        first = [m.text for m in fake.sent(CHAT)]
        assert len(first) == 1
        again = run_bot("deliver", "--config", str(config), env=env)
        assert again.returncode == 0, again.stderr
        sent = fake.sent(CHAT)
        assert len(sent) >= 3  # a message in several parts
        texts = [m.text for m in sent]
        assert len(set(texts)) == len(texts)  # no part twice
        assert texts[0] == first[0]
        assert all(m.reply_to == sent[0].message_id for m in sent[1:])  # later parts reply to the first
        assert "Paragraph 8" in " ".join(texts)
        assert set(_statuses(tmp_path / "state.db")) == {"sent"}
    finally:
        fake.stop()


def test_a_split_slack_message_killed_after_a_later_part_was_accepted_repeats_nothing(server, tmp_path):  # type: ignore[no-untyped-def]
    fake = FakeSlack(SLACK_TOKEN)
    try:
        config = _queue(server, tmp_path, [_slack_channel(fake)], [_long_incident()], {"SLACK_BOT_TOKEN": ""})
        env = {"SLACK_BOT_TOKEN": SLACK_TOKEN}
        # first run: part 1 accepted and recorded, killed before part 2
        crashed = run_bot("deliver", "--config", str(config), env={**env, "PUSHTI_CRASH_AT": "between_parts"})
        assert crashed.returncode == -signal.SIGKILL
        assert len(fake.messages) == 1
        # second run: part 2 accepted by Slack, killed before it is recorded
        crashed = run_bot("deliver", "--config", str(config), env={**env, "PUSHTI_CRASH_AT": "after_send"})
        assert crashed.returncode == -signal.SIGKILL
        assert len(fake.messages) == 2
        again = run_bot("deliver", "--config", str(config), env=env)
        assert again.returncode == 0, again.stderr
        texts = [m.text for m in fake.messages]
        assert len(texts) >= 3 and len(set(texts)) == len(texts)  # every part once
        assert [m.metadata["event_payload"]["part"] for m in fake.messages] == list(range(len(texts)))
        assert any(c[0] == "conversations.replies" for c in fake.calls)  # part 2 was looked for in part 1's thread
        root = fake.messages[0]
        assert all(m.thread_ts == root.ts for m in fake.messages[1:])
        assert set(_statuses(tmp_path / "state.db")) == {"sent"}
    finally:
        fake.stop()


def test_a_lookup_that_fails_for_now_keeps_the_doubt_until_slack_answers(server, tmp_path):  # type: ignore[no-untyped-def]
    fake = FakeSlack(SLACK_TOKEN)
    try:
        config = _queue(server, tmp_path, [_slack_channel(fake)], _incidents(1, updates=2), {"SLACK_BOT_TOKEN": ""})
        env = {"SLACK_BOT_TOKEN": SLACK_TOKEN}
        crashed = run_bot("deliver", "--config", str(config), env={**env, "PUSHTI_CRASH_AT": "after_send"})
        assert crashed.returncode == -signal.SIGKILL
        fake.go_down("502")
        down = run_bot("deliver", "--config", str(config), env=env)
        assert down.returncode == 0 and "Traceback" not in down.stderr, down.stderr
        assert "stays in doubt" in down.stderr
        assert _statuses(tmp_path / "state.db")[0] == "sending"  # neither resent blindly nor forgotten
        fake.come_up()
        up = run_bot("deliver", "--config", str(config), env=env)
        assert up.returncode == 0, up.stderr
        assert set(slack_marks(fake).values()) == {1} and set(_statuses(tmp_path / "state.db")) == {"sent"}
    finally:
        fake.stop()


def test_find_sent_reads_a_few_pages_of_a_busy_channel_and_the_thread(monkeypatch):  # type: ignore[no-untyped-def]
    from channels import HistoryUnreadable
    from channels.slack import SlackChannel
    from config import BotConfig, ChannelConfig
    from render import RenderedMessage

    fake = FakeSlack(SLACK_TOKEN)
    try:
        monkeypatch.setenv("SLACK_BOT_TOKEN", SLACK_TOKEN)
        channel = SlackChannel(ChannelConfig(id="team", kind="slack", options={
            "channel": "C0PUSHTI", "api_base": fake.api_base, "timeout": 3}), BotConfig(path="<test>"))
        since = time.time() - 60
        mine = channel.send(RenderedMessage(parts=["in doubt"], extra={"outbox_id": 7, "part": 0}))
        reply = channel.send(RenderedMessage(parts=["part 2"], extra={"outbox_id": 7, "part": 1}), reply_to=mine)
        for n in range(70):  # others talk in the channel after it
            channel.send(RenderedMessage(parts=[f"other {n}"]))
        assert channel.find_sent(7, 0, since=since) == mine  # on the second page of history
        assert channel.find_sent(7, 1, since=since) is None  # a reply is not in the channel's history …
        assert channel.find_sent(7, 1, since=since, threads=(mine,)) == reply  # … but in its thread
        assert channel.find_sent(8, 0, since=since) is None
        assert channel.find_sent(7, 0, since=time.time() + 5) is None  # older than the window: not looked at
        fake.scopes = {"chat:write"}
        with pytest.raises(HistoryUnreadable, match="channels:history"):
            channel.find_sent(7, 0, since=since)
    finally:
        fake.stop()
