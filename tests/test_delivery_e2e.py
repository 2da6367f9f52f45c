"""Delivery end to end through ``bot.py poll --once`` against a Statuspage page and the fake Telegram / Slack
servers: one thread per incident with one edit of its root, 429 storms, a channel down, failed rows, filters."""

from __future__ import annotations

import json
import re
import sqlite3
import time

from fake_slack import FakeSlack
from fake_telegram import FakeTelegram
from pollhelpers import incidents_document, load_incident, recent_start, revealed, run_bot, shifted, write_config

PATH = "/api/v2/incidents.json"
TG_TOKEN = "123456:E2E-telegram-token"
SLACK_TOKEN = "xoxb-e2e-slack-token"
CHAT = "-1001234"
ENV = {"TELEGRAM_BOT_TOKEN": TG_TOKEN, "SLACK_BOT_TOKEN": SLACK_TOKEN}
DEVANAGARI = re.compile(r"[\u0900-\u097F]")


def source(server) -> dict:  # type: ignore[no-untyped-def]
    return {"id": "github", "kind": "statuspage", "service": "GitHub", "url": server.url}


def tg_channel(tg: FakeTelegram, **extra) -> dict:  # type: ignore[no-untyped-def]
    return {"id": "tg", "kind": "telegram", "chat": CHAT, "api_base": tg.url, "min_interval": 0.02, "per_minute": 0,
            "languages": ["en"], **extra}


def slack_channel(slack: FakeSlack, **extra) -> dict:  # type: ignore[no-untyped-def]
    return {"id": "team", "kind": "slack", "channel": "C0PUSHTI", "api_base": slack.api_base, "min_interval": 0.02,
            "languages": ["en"], **extra}


def poll(config, **env) -> None:  # type: ignore[no-untyped-def]
    result = run_bot("poll", "--once", "--config", str(config), env={**ENV, **env})
    assert result.returncode == 0, result.stderr
    assert TG_TOKEN not in result.stderr + result.stdout and SLACK_TOKEN not in result.stderr + result.stdout
    return result


def live_incident():  # type: ignore[no-untyped-def]
    live = shifted(load_incident("w7wlzstc8wss"), recent_start(3))
    return live, sorted(live["incident_updates"], key=lambda u: u["display_at"])


def words(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>|[*_`]", "", text).replace("&amp;", "&").split())


def assert_one_thread(tg: FakeTelegram, slack: FakeSlack, updates: list[dict]) -> None:
    """One root + one reply per later statement, in order, each quoting its statement; the root edited once."""
    sent = tg.sent(CHAT)
    assert len(sent) == len(updates)
    root = sent[0]
    assert root.reply_to is None and all(m.reply_to == root.message_id for m in sent[1:])
    for message, update in zip(sent, updates, strict=True):
        assert words(update["body"])[:60] in words(message.text)
    assert len(root.edits) == 1 and root.edits[0] != root.text
    assert [status for _, status in tg.method_calls("editMessageText")] == [200]

    roots = slack.roots()
    assert len(roots) == 1 and len(slack.replies(roots[0].ts)) == len(updates) - 1
    for message, update in zip([roots[0], *slack.replies(roots[0].ts)], updates, strict=True):
        assert words(update["body"])[:60] in words(message.text)
    assert len(roots[0].edits) == 1 and roots[0].edits[0] != roots[0].text


def test_ack_updates_resolution_is_one_thread_and_one_edit(server, tmp_path, tg, slack):
    live, updates = live_incident()
    route = server.route(PATH, incidents_document())
    config = write_config(tmp_path, [source(server)], [tg_channel(tg), slack_channel(slack)])
    poll(config)  # baseline: quiet
    for count in range(1, len(updates) + 1):
        route.body = incidents_document(revealed(live, count))
        poll(config)
        assert len(tg.sent(CHAT)) == count and len(slack.messages) == count
    assert_one_thread(tg, slack, updates)
    assert all(m.parse_mode == "HTML" and m.link_preview_disabled for m in tg.sent(CHAT))
    assert all(m.unfurl_links is False for m in slack.messages)
    db = sqlite3.connect(tmp_path / "state.db")
    threads = db.execute("select channel_id, root_remote_id, edited_at from channel_threads order by channel_id").fetchall()
    assert [(c, r) for c, r, _ in threads] == [("team", slack.roots()[0].ts), ("tg", str(tg.sent(CHAT)[0].message_id))]
    assert all(edited for _, _, edited in threads)


def test_a_429_storm_delays_but_loses_nothing_and_pauses_only_its_channel(server, tmp_path, tg, slack):
    live, updates = live_incident()
    route = server.route(PATH, incidents_document())
    config = write_config(tmp_path, [source(server)], [tg_channel(tg), slack_channel(slack)])
    poll(config)
    tg.storm = [1, 1, 1]  # three flood-control answers in a row, retry_after 1 s each
    slack.storm = [1]
    route.body = incidents_document(revealed(live, len(updates)))
    started = time.monotonic()
    poll(config)
    assert time.monotonic() - started >= 3  # the waits were honoured…
    assert_one_thread(tg, slack, updates)  # …and nothing was lost, nothing doubled
    assert [s for _, s in tg.method_calls("sendMessage")].count(429) == 3
    # Slack was not held up by Telegram's pauses: it finished before Telegram's last message
    db = sqlite3.connect(tmp_path / "state.db")
    assert db.execute("select count(*) from outbox where status != 'sent'").fetchone()[0] == 0


def test_channel_down_for_a_whole_run_gets_everything_next_run(server, tmp_path, tg, slack):
    live, updates = live_incident()
    route = server.route(PATH, incidents_document())
    config = write_config(tmp_path, [source(server)], [tg_channel(tg), slack_channel(slack)])
    poll(config)
    tg.go_down("refuse")
    slack.go_down("502")
    for count in (2, 4):
        route.body = incidents_document(revealed(live, count))
        result = poll(config)
        for channel_id in ("tg", "team"):  # one line each: kept for the next run (or still backing off)
            assert re.search(f'channel "{channel_id}".*(next|later) run', result.stderr), result.stderr
    status = json.loads(run_bot("status", "--json", "--config", str(config), env=ENV).stdout)
    assert {c["id"]: (c["pending"], c["failed"]) for c in status["channels"]} == {"tg": (4, 0), "team": (4, 0)}
    tg.come_up()
    slack.come_up()
    route.body = incidents_document(revealed(live, len(updates)))
    db = sqlite3.connect(tmp_path / "state.db")
    db.execute("update outbox set next_attempt_at = null")  # the backoff has passed
    db.commit()
    poll(config)
    assert_one_thread(tg, slack, updates)


def test_failed_rows_show_in_status_and_are_resent_on_request(server, tmp_path, tg, slack):
    live, updates = live_incident()
    route = server.route(PATH, incidents_document())
    config = write_config(tmp_path, [source(server)], [tg_channel(tg)], bot={"delivery_attempts": 2})
    poll(config)
    tg.go_down("502")
    route.body = incidents_document(revealed(live, 3))
    result = poll(config)
    assert "failed" in result.stderr and "502" in result.stderr
    status = run_bot("status", "--config", str(config), env=ENV)
    assert "FAILED MESSAGES" in status.stdout and "after 2 attempt(s)" in status.stdout
    data = json.loads(run_bot("status", "--json", "--config", str(config), env=ENV).stdout)
    assert [c["failed"] for c in data["channels"]] == [1] and data["failed_messages"][0]["message_kind"] == "acknowledged"
    tg.come_up()
    again = run_bot("deliver", "--retry-failed", "--config", str(config), env=ENV)
    assert again.returncode == 0 and "sent 3, failed 0, waiting 0" in again.stdout, again.stderr
    sent = tg.sent(CHAT)
    assert [m.reply_to for m in sent] == [None, sent[0].message_id, sent[0].message_id]  # the root went first
    data = json.loads(run_bot("status", "--json", "--config", str(config), env=ENV).stdout)
    assert data["failed_messages"] == [] and data["channels"][0]["sent"] == 3


def test_deleted_root_replies_post_on_their_own_and_take_over_the_thread(server, tmp_path, tg, slack):
    live, updates = live_incident()
    route = server.route(PATH, incidents_document())
    config = write_config(tmp_path, [source(server)], [tg_channel(tg), slack_channel(slack)])
    poll(config)
    route.body = incidents_document(revealed(live, 2))
    poll(config)
    tg.delete(CHAT, tg.sent(CHAT)[0].message_id)
    slack.delete(slack.roots()[0].ts)
    route.body = incidents_document(revealed(live, len(updates)))
    poll(config)
    sent = tg.sent(CHAT)  # Telegram sent the next one without a reply (allow_sending_without_reply)…
    assert len(sent) == len(updates) - 1 and sent[1].reply_to is None
    assert all(m.reply_to == sent[1].message_id for m in sent[2:])  # …and it became the thread's new root
    assert [s for _, s in tg.method_calls("editMessageText")] == [200] and len(sent[1].edits) == 1
    roots = slack.roots()  # Slack: thread_not_found → posted alone, and the rest threads under it
    assert len(roots) == 1 and len(slack.replies(roots[0].ts)) == len(updates) - 3 and len(roots[0].edits) == 1
    db = sqlite3.connect(tmp_path / "state.db")
    assert db.execute("select count(*) from outbox where status != 'sent'").fetchone()[0] == 0


def test_channel_filters_services_impact_languages(server, tmp_path, tg):
    live, updates = live_incident()  # GitHub, impact "minor"
    route = server.route(PATH, incidents_document())
    channels = [
        tg_channel(tg, id="all", chat="-1", languages=["hi", "en"]),
        tg_channel(tg, id="github", chat="-2", services=["GitHub"]),
        tg_channel(tg, id="slackonly", chat="-3", services=["Slack"]),
        tg_channel(tg, id="major", chat="-4", min_impact="major"),
        tg_channel(tg, id="minor", chat="-5", min_impact="minor"),
        tg_channel(tg, id="hindi", chat="-6", languages=["hi"]),
    ]
    config = write_config(tmp_path, [source(server)], channels)
    poll(config)
    route.body = incidents_document(revealed(live, 2))
    poll(config)
    counts = {chat: len(tg.sent(chat)) for chat in ("-1", "-2", "-3", "-4", "-5", "-6")}
    assert counts == {"-1": 2, "-2": 2, "-3": 0, "-4": 0, "-5": 2, "-6": 2}
    assert all(DEVANAGARI.search(m.text) for m in tg.sent("-1") + tg.sent("-6"))
    assert not any(DEVANAGARI.search(m.text) for m in tg.sent("-2"))
    bilingual = tg.sent("-1")[0].text
    assert DEVANAGARI.search(bilingual).start() < bilingual.find("GitHub")  # Hindi first


def test_slack_webhook_mode_posts_everything_without_threads_or_edits(server, tmp_path, slack):
    live, updates = live_incident()
    route = server.route(PATH, incidents_document())
    config = write_config(tmp_path, [source(server)], [
        {"id": "hook", "kind": "slack", "webhook_env": "SLACK_WEBHOOK_URL", "min_interval": 0.02, "languages": ["en"]}])
    env = {"SLACK_WEBHOOK_URL": slack.webhook_url}
    poll(config, **env)
    for count in range(1, len(updates) + 1):
        route.body = incidents_document(revealed(live, count))
        poll(config, **env)
    assert len(slack.webhook_posts) == len(updates) and slack.messages == []
    for post, update in zip(slack.webhook_posts, updates, strict=True):
        assert "thread_ts" not in post and words(update["body"])[:60] in words(post["text"])


def test_missing_token_keeps_rows_pending_until_it_is_set(server, tmp_path, tg):
    live, updates = live_incident()
    route = server.route(PATH, incidents_document())
    config = write_config(tmp_path, [source(server)], [tg_channel(tg)])
    poll(config)
    route.body = incidents_document(revealed(live, 2))
    result = run_bot("poll", "--once", "--config", str(config), env={"TELEGRAM_BOT_TOKEN": ""})
    assert 'telegram channel "tg" needs TELEGRAM_BOT_TOKEN in the environment' in result.stderr
    assert tg.sent(CHAT) == []
    again = run_bot("deliver", "--config", str(config), env=ENV)
    assert "sent 2, failed 0, waiting 0" in again.stdout, again.stderr
    assert [m.reply_to for m in tg.sent(CHAT)] == [None, tg.sent(CHAT)[0].message_id]


# -- the delivery loop in process: pacing, per-channel pauses, storm digests -----------------------------------------


def queued(server, tmp_path, channels, count, monkeypatch, **bot):  # type: ignore[no-untyped-def]
    """A store with ``count`` statements of the live incident queued for ``channels`` (no delivery yet)."""
    from config import load_config
    from pipeline import poll_cycle
    from store import open_db

    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    live, updates = live_incident()
    route = server.route(PATH, incidents_document())
    config = load_config(write_config(tmp_path, [source(server)], channels, bot=bot))
    db = open_db(config.state)
    poll_cycle(db, config)
    route.body = incidents_document(revealed(live, count))
    poll_cycle(db, config)
    return db, config, updates


def live_channels(config):  # type: ignore[no-untyped-def]
    from channels import channel_for

    return {c.id: channel_for(c, config) for c in config.channels}


def test_pacing_keeps_messages_apart_and_a_429_pauses_only_its_channel(server, tmp_path, tg, slack, monkeypatch):
    from outbox import deliver

    channels = [tg_channel(tg, min_interval=0.2), slack_channel(slack, min_interval=0.05)]
    db, config, updates = queued(server, tmp_path, channels, 5, monkeypatch)
    tg.per_chat_interval = 0.18  # the fake answers 429 to messages closer together than this
    tg.storm = [1]  # and the very first message meets flood control
    report = deliver(db, config, live_channels(config))
    assert report.sent == 2 * len(updates) and report.failed == 0 and report.deferred == 0
    statuses = [s for _, s in tg.method_calls("sendMessage")]
    assert statuses.count(429) == 1 and statuses[0] == 429  # only the scripted one: pacing was honoured
    sent = tg.sent(CHAT)
    assert all(b.accepted_at - a.accepted_at >= 0.19 for a, b in zip(sent, sent[1:], strict=False))
    assert max(m.at for m in slack.messages) < sent[0].accepted_at  # Slack did not wait for Telegram's pause


def test_a_backlog_storm_collapses_into_one_digest_per_incident(server, tmp_path, tg, slack, monkeypatch):
    from outbox import deliver

    db, config, updates = queued(server, tmp_path, [tg_channel(tg)], 5, monkeypatch, storm_threshold=3)
    report = deliver(db, config, live_channels(config))
    assert report.collapsed == 4 and report.sent == 1
    statuses = dict(db.execute("select status, count(*) from outbox group by status").fetchall())
    assert statuses == {"collapsed": 4, "sent": 1}
    assert db.execute("select message_kind from outbox where status = 'sent'").fetchone()[0] == "digest"
    assert len(tg.sent(CHAT)) == 1


def test_pacer_window():
    from outbox import Pacer

    pacer = Pacer(0.0, (3, 60.0))
    for _ in range(3):
        assert pacer.next_slot() <= time.monotonic()
        pacer.record()
    assert pacer.next_slot() >= pacer.times[0] + 60.0  # the 4th message of a minute waits for the 1st to age out
    single = Pacer(1.0, None)
    single.record()
    assert abs(single.next_slot() - (single.times[-1] + 1.0)) < 1e-9
