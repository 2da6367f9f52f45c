"""The day's digest: bot.py digest previews it, --send queues it once per day and channel and delivers it."""

from __future__ import annotations

from datetime import datetime, timezone

from fake_telegram import FakeTelegram
from pollhelpers import run_bot, write_config

from config import load_config
from pipeline import store_posts
from posts import Post
from store import open_db

TOKEN = "123456:DIGEST-token"


def seed_day(config):  # type: ignore[no-untyped-def]
    bot = load_config(config)
    db = open_db(bot.state)
    ack = datetime(2019, 7, 3, 15, 5, tzinfo=timezone.utc)
    end = datetime(2019, 7, 3, 23, 50, tzinfo=timezone.utc)
    store_posts(db, bot, bot.source("fb"), [
        Post("fb", "1", "Facebook", "We're aware that some people are having trouble uploading or sending images.", ack),
        Post("fb", "2", "Facebook", "The issue has been resolved. We're sorry for the trouble.", end),
    ], now=end)
    db.conn.close()


def test_digest_preview_and_send_once(tmp_path):
    tg = FakeTelegram(TOKEN)
    try:
        config = write_config(
            tmp_path,
            [{"id": "fb", "kind": "x", "handle": "facebook", "service": "Facebook", "backfill": "all"}],
            channels=[{"id": "tg", "kind": "telegram", "chat": "-1001", "api_base": tg.url, "min_interval": 0.01,
                       "per_minute": 0}],
        )
        seed_day(config)
        shown = run_bot("digest", "--day", "2019-07-03", "--config", str(config))
        assert shown.returncode == 0, shown.stderr
        assert "फेसबुक" in shown.stdout and "Facebook" in shown.stdout
        assert "8 घंटे 45 मिनट" in shown.stdout and "8 h 45 min" in shown.stdout
        empty = run_bot("digest", "--day", "2019-07-10", "--config", str(config))
        assert "No service reported a problem" in empty.stdout
        assert run_bot("digest", "--day", "July 3", "--config", str(config)).returncode == 2

        env = {"TELEGRAM_BOT_TOKEN": TOKEN}
        before = len(tg.messages.get("-1001", []))
        sent = run_bot("digest", "--day", "2019-07-03", "--send", "--config", str(config), env=env)
        assert sent.returncode == 0, sent.stderr
        assert "1 queued" in sent.stdout
        messages = tg.messages["-1001"][before:]
        assert any("8 h 45 min" in m.text and "फेसबुक" in m.text for m in messages)
        again = run_bot("digest", "--day", "2019-07-03", "--send", "--config", str(config), env=env)
        assert "0 queued" in again.stdout
        assert len(tg.messages["-1001"]) == before + len(messages)
    finally:
        tg.stop()


def test_daemon_queues_yesterdays_digest_once_after_digest_at(tmp_path):
    from daemon import Daemon

    config = write_config(tmp_path, [], bot={"digest_at": "00:00"})
    bot = load_config(config)
    daemon = Daemon(bot, {})
    daemon.queue_daily_digest()
    daemon.queue_daily_digest()  # every minute: still one row per day and channel
    rows = list(daemon.db.query("select channel_id, message_kind, body from outbox"))
    assert len(rows) == 1 and rows[0]["message_kind"] == "digest" and rows[0]["body"].startswith("day:")
    bad = tmp_path / "bad.toml"
    bad.write_text('[bot]\ndigest_at = "9am"\n')
    result = run_bot("status", "--config", str(bad))
    assert result.returncode == 2 and "digest_at" in result.stderr
