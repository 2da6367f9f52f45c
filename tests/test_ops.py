"""Operations through bot.py: resync, the single-instance lock, SIGTERM, self-health notices, secrets in logs."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta

from pollhelpers import ROOT, incidents_document, load_incident, recent_start, revealed, run_bot, shifted, write_config

PATH = "/api/v2/incidents.json"
HEADER = "── [desk]"


def _source(server, **extra):  # type: ignore[no-untyped-def]
    return {"id": "github", "kind": "statuspage", "service": "GitHub", "url": server.url, **extra}


def test_resync_restores_deleted_posts_without_posting_and_twice_changes_nothing(server, tmp_path):
    live = shifted(load_incident("w7wlzstc8wss"), recent_start(3))
    old = shifted(load_incident("nf4gcjtcsqdb"), recent_start(30))
    server.route(PATH, incidents_document(live, old))
    config = write_config(tmp_path, [_source(server)])
    assert run_bot("poll", "--once", "--config", str(config)).returncode == 0
    db = sqlite3.connect(tmp_path / "state.db")
    total = db.execute("select count(*) from posts").fetchone()[0]
    outbox_before = db.execute("select count(*) from outbox").fetchone()[0]
    db.execute("delete from posts where thread_key = ?", (live["id"],))
    db.commit()
    dry = run_bot("resync", "--dry-run", "--config", str(config))
    assert dry.returncode == 0 and "(dry run)" in dry.stdout and "would change: 1" in dry.stdout
    assert db.execute("select count(*) from posts").fetchone()[0] == total - len(live["incident_updates"])

    first = run_bot("resync", "--config", str(config))
    assert first.returncode == 0, first.stderr
    assert f"{len(live['incident_updates'])} added" in first.stdout
    assert HEADER not in first.stdout  # resync posts nothing by default
    assert db.execute("select count(*) from posts").fetchone()[0] == total
    assert db.execute("select count(*) from outbox").fetchone()[0] == outbox_before
    assert db.execute("select count(*) from posts where kind != 'noise' and incident_id is null").fetchone()[0] == 0

    second = run_bot("resync", "--config", str(config))
    assert second.returncode == 0 and second.stdout.strip().endswith("no change"), second.stdout


def test_overlapping_poll_once_exits_at_once_with_the_documented_line(server, tmp_path):
    server.route(PATH, incidents_document(), delay=3.0)
    config = write_config(tmp_path, [_source(server)])
    env = {**os.environ}
    slow = subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "poll", "--once", "--config", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 10
        while not server.hits(PATH) and time.monotonic() < deadline:
            time.sleep(0.05)
        started = time.monotonic()
        second = run_bot("poll", "--once", "--config", str(config))
        assert time.monotonic() - started < 2.5
        assert second.returncode == 3
        assert "another pushti is already running" in second.stderr
        assert len(server.hits(PATH)) == 1  # the second run did not poll
    finally:
        slow.wait(timeout=30)
    assert slow.returncode == 0


def test_sigterm_stops_the_daemon_cleanly_with_a_consistent_database(server, tmp_path):
    live = shifted(load_incident("w7wlzstc8wss"), recent_start(3))
    server.route(PATH, incidents_document(revealed(live, 2)))
    config = write_config(tmp_path, [_source(server, every="1s")])
    proc = subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "run", "--config", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 15
    while len(server.hits(PATH)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    out, err = proc.communicate(timeout=10)
    assert time.monotonic() - started < 5
    assert proc.returncode == 0, err
    db = sqlite3.connect(tmp_path / "state.db")
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert db.execute("select count(*) from outbox where status in ('pending', 'sending')").fetchone()[0] == 0
    assert out.count(HEADER) == 1  # the open incident announced once, however many polls ran


def test_self_health_posts_one_failing_and_one_recovered_notice(server, tmp_path):
    from config import load_config
    from outbox import deliver
    from pipeline import poll_cycle
    from store import now_utc, open_db

    route = server.route(PATH, "down", status=503)
    config = write_config(
        tmp_path, [_source(server)],
        channels=[{"id": "desk", "kind": "console", "languages": ["en"]}, {"id": "ops", "kind": "console"}],
        bot={"ops_channel": "ops", "failure_alert_after": 5},
    )
    bot = load_config(config)
    db = open_db(bot.state)
    now = now_utc()
    for attempt in range(10):
        report = poll_cycle(db, bot, now=now + timedelta(hours=2 * attempt))
        assert len(report.failures) == 1
    route.status, route.body = 200, incidents_document()
    assert not poll_cycle(db, bot, now=now + timedelta(hours=21)).failures
    notices = [r[0] for r in db.execute("select body from outbox where channel_id = 'ops' order by id").fetchall()]
    assert len(notices) == 2
    assert "failing since" in notices[0] and "HTTP 503" in notices[0]
    assert "works again" in notices[1]
    assert db.execute("select count(*) from outbox where channel_id = 'desk'").fetchone()[0] == 0

    from channels.console import ConsoleChannel

    class Capture:
        text = ""

        def write(self, value: str) -> None:
            Capture.text += value

        def flush(self) -> None:
            pass

    ops = ConsoleChannel(bot.channel("ops"), bot, stream=Capture())  # type: ignore[arg-type]
    assert deliver(db, bot, {"ops": ops}).sent == 2
    assert "failing since" in Capture.text and "works again" in Capture.text


def test_tokens_never_appear_in_logs_of_a_run_that_fails_auth(server, tmp_path):
    token_x = "AAAAxTOKENx1234567890secret"
    token_tg = "123456:TELEGRAMtokenSECRETvalue"
    server.route("/2/users/by/username/TwitterSupport", json.dumps(
        {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}), status=401,
        headers={"Content-Type": "application/json"})
    server.route(f"/bot{token_tg}/sendMessage", json.dumps(
        {"ok": False, "error_code": 401, "description": "Unauthorized"}), status=401,
        headers={"Content-Type": "application/json"})
    server.route(PATH, incidents_document(revealed(shifted(load_incident("w7wlzstc8wss"), recent_start(1)), 1)))
    config = write_config(
        tmp_path,
        [_source(server), {"id": "xsupport", "kind": "x", "handle": "TwitterSupport", "service": "X",
                           "api_base": server.url}],
        channels=[{"id": "tg", "kind": "telegram", "chat": "-100123", "api_base": server.url}],
    )
    env = {"X_BEARER_TOKEN": token_x, "TELEGRAM_BOT_TOKEN": token_tg}
    for fmt in ("text", "json"):
        result = run_bot("--log-format", fmt, "-v", "poll", "--once", "--config", str(config), env=env)
        assert result.returncode == 1
        combined = result.stdout + result.stderr
        assert "xsupport" in combined  # the auth failure is reported…
        assert token_x not in combined and token_tg not in combined  # …without the tokens
        assert "TELEGRAMtoken" not in combined and "xTOKENx" not in combined
    status = run_bot("status", "--json", "--config", str(config), env=env)
    assert token_x not in status.stdout and token_tg not in status.stdout


def test_sigterm_during_poll_once_exits_promptly_and_keeps_the_database_consistent(server, tmp_path):
    live = shifted(load_incident("w7wlzstc8wss"), recent_start(1))
    server.route(PATH, incidents_document(revealed(live, 1)))
    server.route("/slow" + PATH, incidents_document(), delay=12.0)
    config = write_config(tmp_path, [
        _source(server), {"id": "slow", "kind": "statuspage", "service": "Slow", "url": server.url + "/slow"},
    ])
    proc = subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "poll", "--once", "--config", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while not server.hits("/slow" + PATH) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    out, err = proc.communicate(timeout=15)
    assert time.monotonic() - started < 4, err
    assert "stopped by signal" in err
    db = sqlite3.connect(tmp_path / "state.db")
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert db.execute("select count(*) from outbox where status = 'sending'").fetchone()[0] == 0
    slow_state = db.execute("select cursor, last_success_at from sources where id = 'slow'").fetchone()
    assert slow_state is None or slow_state[1] is None  # the unfinished source was not marked as polled
    # the next run completes the work: the open incident is announced exactly once overall
    server.routes["/slow" + PATH].delay = 0.0
    rest = run_bot("poll", "--once", "--config", str(config))
    assert rest.returncode == 0, rest.stderr
    assert out.count(HEADER) + rest.stdout.count(HEADER) == 1
