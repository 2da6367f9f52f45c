"""Statuspage webhooks: real payload shapes (a real GitHub incident in Statuspage's webhook envelope) through
the receiver into the pipeline and a fake Telegram, the poller deduplicating what the webhook brought, every
refusal with its status code, and ``bot.py serve`` ending cleanly on SIGTERM."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys

import httpx
import pytest
from pollhelpers import ROOT, incidents_document, load_incident, recent_start, revealed, shifted, write_config
from streamhelpers import TG_TOKEN, running_daemon, tg_channel, wait_for

PAGE = "kctbh9vrtdwd"  # GitHub's Statuspage page id
SECRET = "hook-secret-9f8e7d6c5b4a"
PATH = "/api/v2/incidents.json"


def envelope(incident: dict) -> dict:
    """Statuspage's webhook body for an incident (create or update): meta, page, and the whole incident."""
    return {"meta": {"unsubscribe": "https://www.githubstatus.com/?unsubscribe=abc123def456",
                     "documentation": "https://doers.statuspage.io/customer-notifications/webhooks/",
                     "generated_at": incident["updated_at"]},
            "page": {"id": PAGE, "status_indicator": "minor", "status_description": "Minor Service Outage"},
            "incident": incident}


COMPONENT = {"meta": {"unsubscribe": "https://www.githubstatus.com/?unsubscribe=abc123def456",
                      "documentation": "https://doers.statuspage.io/customer-notifications/webhooks/"},
             "page": {"id": PAGE, "status_indicator": "major", "status_description": "Partial System Outage"},
             "component_update": {"created_at": "2026-12-05T01:00:00.000Z", "new_status": "major_outage",
                                  "old_status": "operational", "id": "k7730b5v92bv", "component_id": "8l4ygp009s5s"},
             "component": {"created_at": "2017-01-31T20:05:05.370Z", "id": "8l4ygp009s5s", "name": "Git Operations",
                           "status": "major_outage"}}


def post_count(path) -> int:
    """Posts of the source stored so far (0 while the daemon is still creating the database)."""
    db = sqlite3.connect(path)
    try:
        return db.execute("select count(*) from posts where source_id = 'github'").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        db.close()


def raw_request(host: str, port: int, head: str) -> int:
    """Send only a request head (no body) and read the status code: what a sender claiming a huge body gets."""
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(head.encode())
        answer = sock.recv(4096).decode()
    return int(answer.split()[1])


@pytest.fixture
def github(server):
    old = shifted(load_incident("42hkbtl63nmn"), recent_start(72))
    server.route(PATH, incidents_document(old))
    return shifted(load_incident("w7wlzstc8wss"), recent_start(1))


def test_webhooks_feed_the_pipeline_once_and_refuse_what_they_must(github, server, tg, tmp_path, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TG_TOKEN)
    monkeypatch.setenv("GITHUB_HOOK_SECRET", SECRET)
    config = write_config(
        tmp_path,
        [{"id": "github", "kind": "statuspage", "service": "GitHub", "url": server.url, "every": "1s",
          "webhook_secret_env": "GITHUB_HOOK_SECRET", "page_id": PAGE}],
        [tg_channel(tg)],
    )
    state = tmp_path / "state.db"
    with running_daemon(config, listen="127.0.0.1:0") as daemon:
        host, port = daemon.streams.workers[0].address
        base = f"http://{host}:{port}/hooks"
        wait_for(lambda: post_count(state), what="the baseline poll")
        baseline = post_count(state)

        first = httpx.post(f"{base}/github/{SECRET}", json=envelope(revealed(github, 1)), timeout=5)
        assert first.status_code == 202 and first.json() == {"queued": "incident"}
        wait_for(lambda: len(tg.sent()) == 1, what="the acknowledgement in Telegram")
        second = httpx.post(f"{base}/github/{SECRET}", json=envelope(revealed(github, 2)), timeout=5)
        assert second.status_code == 202
        wait_for(lambda: len(tg.sent()) == 2, what="the update in Telegram")
        assert post_count(state) == baseline + 2
        assert tg.sent()[1].reply_to == tg.sent()[0].message_id  # one thread, as the poller would have made it

        # the page now shows the same two updates: the poll stores nothing new and tells nothing again
        reads = len([r for r in server.requests if r.path == PATH])
        server.route(PATH, incidents_document(revealed(github, 2)))
        wait_for(lambda: len([r for r in server.requests if r.path == PATH]) > reads + 1, what="two more polls")
        wait_for(lambda: not daemon.in_flight, what="the poll to be stored")
        assert post_count(state) == baseline + 2 and len(tg.sent()) == 2

        # a component change carries no words: it asks for a poll of the page now
        reads = len([r for r in server.requests if r.path == PATH])
        answer = httpx.post(f"{base}/github/{SECRET}", json=COMPONENT, timeout=5)
        assert answer.status_code == 202 and answer.json() == {"queued": "poll"}

        refused = {
            "wrong secret": httpx.post(f"{base}/github/not-the-secret", json=envelope(github), timeout=5),
            "unknown source": httpx.post(f"{base}/nosuch/{SECRET}", json=envelope(github), timeout=5),
            "text/plain": httpx.post(f"{base}/github/{SECRET}", content=json.dumps(envelope(github)),
                                     headers={"Content-Type": "text/plain"}, timeout=5),
            "other page": httpx.post(f"{base}/github/{SECRET}",
                                     json={**envelope(github), "page": {"id": "otherpage1234"}}, timeout=5),
            "not JSON": httpx.post(f"{base}/github/{SECRET}", content=b"{not json",
                                   headers={"Content-Type": "application/json"}, timeout=5),
            "neither": httpx.post(f"{base}/github/{SECRET}", json={"page": {"id": PAGE}}, timeout=5),
            "GET": httpx.get(f"{base}/github/{SECRET}", timeout=5),
            "no such path": httpx.post(f"http://{host}:{port}/other", json={}, timeout=5),
        }
        assert {k: r.status_code for k, r in refused.items()} == {
            "wrong secret": 403, "unknown source": 404, "text/plain": 415, "other page": 422, "not JSON": 400,
            "neither": 422, "GET": 405, "no such path": 404}
        too_big = raw_request(host, port, f"POST /hooks/github/{SECRET} HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                          "application/json\r\nContent-Length: 1000001\r\n\r\n")
        assert too_big == 413
        no_length = raw_request(host, port, f"POST /hooks/github/{SECRET} HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                            "application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        assert no_length == 411
        # 64 senders that say nothing hold every slot: the next one is answered 503 at once, not queued forever
        idle = [socket.create_connection((host, port), timeout=5) for _ in range(64)]
        try:
            assert raw_request(host, port, "POST /hooks/github/x HTTP/1.1\r\nHost: x\r\n\r\n") == 503
        finally:
            for sock in idle:
                sock.close()
        assert wait_for(lambda: httpx.get(f"{base}/github/{SECRET}", timeout=5).status_code == 405,
                        what="the slots to be free again")
        wait_for(lambda: len([r for r in server.requests if r.path == PATH]) > reads, what="the poll asked for")
    assert post_count(state) == baseline + 2 and len(tg.sent()) == 2  # nothing refused reached the pipeline


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_bot_py_serve_takes_a_webhook_to_telegram_and_stops_on_sigterm(github, server, tg, tmp_path):
    config = write_config(
        tmp_path,
        [{"id": "github", "kind": "statuspage", "service": "GitHub", "url": server.url, "every": "1s",
          "webhook_secret_env": "GITHUB_HOOK_SECRET"}],
        [tg_channel(tg)],
    )
    port = free_port()
    env = {"TELEGRAM_BOT_TOKEN": TG_TOKEN, "GITHUB_HOOK_SECRET": SECRET, "PATH": "/usr/bin:/bin"}
    bot = subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "serve", "--listen", f"127.0.0.1:{port}",
                            "--config", str(config)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        wait_for(lambda: post_count(tmp_path / "state.db"), deadline=30, what="the baseline poll")

        def send() -> int:
            try:
                return httpx.post(f"http://127.0.0.1:{port}/hooks/github/{SECRET}", json=envelope(revealed(github, 1)),
                                  timeout=5).status_code
            except httpx.ConnectError:
                return 0

        assert wait_for(send, what="the receiver") == 202
        wait_for(lambda: len(tg.sent()) == 1, what="the message in Telegram")
    finally:
        bot.send_signal(signal.SIGTERM)
        out, err = bot.communicate(timeout=20)
    assert bot.returncode == 0, err
    assert SECRET not in out + err  # the path's secret is never logged
    assert "/hooks/github/***: 202" in err
    db = sqlite3.connect(tmp_path / "state.db")
    assert db.execute("select status from streams where id = 'webhooks'").fetchone()[0] == "stopped"
    db.close()


def test_bad_push_settings_are_one_line_and_exit_2(tmp_path):
    from pollhelpers import run_bot

    config = write_config(tmp_path, [{"id": "gh", "kind": "statuspage", "url": "https://www.githubstatus.com",
                                      "stream": True}])
    result = run_bot("status", "--config", str(config))
    assert result.returncode == 2 and "stream = true works for kinds bluesky, mastodon" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    config = write_config(tmp_path, [], bot={"listen": "localhost"})
    result = run_bot("status", "--config", str(config))
    assert result.returncode == 2 and "listen must look like" in result.stderr
    result = run_bot("serve", "--listen", "nowhere", "--config", str(config))
    assert result.returncode == 2


