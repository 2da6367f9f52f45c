"""Hostile sources through ``bot.py`` (issue 13): a 429 with a monster Retry-After, a server that trickles one byte a
second, a redirect from a public address to a private one, SIGTERM while a fetch is blocked — each next to a good
source, whose message must still be stored and delivered. Plus the source backoff a mutation must not disable.

Servers run on 127.0.0.1 (``server``: tests/localserver.py; ``trickle``: tests/test_faults_network.py); a "public"
source is reached through the local server acting as an HTTP proxy, so nothing leaves the machine.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pollhelpers import ROOT, incidents_document, load_incident, recent_start, revealed, run_bot, shifted, write_config
from test_faults_network import PUBLIC_IP, TrickleServer, proxy_env

from config import load_config
from pipeline import MAX_BACKOFF_SECONDS, poll_cycle
from posts import parse_time
from store import now_utc, open_db

PATH = "/api/v2/incidents.json"
HEADER = "── [desk]"


@pytest.fixture
def slow() -> Any:
    """A source that trickles its headers, one byte every half second, for ever."""
    srv = TrickleServer("headers", interval=0.5)
    yield srv
    srv.stop()


def _good(server: Any) -> dict[str, str]:
    """A source with one open incident: its first poll announces it (one message on the console)."""
    server.route("/good" + PATH, incidents_document(revealed(shifted(load_incident("w7wlzstc8wss"), recent_start(1)), 1)))
    return {"id": "good", "kind": "statuspage", "service": "GitHub", "url": server.url + "/good"}


def _bad(url: str, **extra: str) -> dict[str, str]:
    return {"id": "bad", "kind": "statuspage", "service": "Hostile", "url": url, **extra}


def _lines_about(stderr: str, source_id: str) -> list[str]:
    return [line for line in stderr.splitlines() if f'"{source_id}"' in line]


def _state(tmp_path: Path, source_id: str) -> dict[str, Any]:
    db = sqlite3.connect(tmp_path / "state.db")
    db.row_factory = sqlite3.Row
    found = db.execute("select * from sources where id = ?", (source_id,)).fetchone()
    db.close()
    return dict(found) if found else {}


def _seconds_until(moment: str) -> float:
    return (parse_time(moment) - datetime.now(parse_time(moment).tzinfo)).total_seconds()


def _assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr and "Error:" not in result.stderr.replace("TrackerError", ""), result.stderr
    assert result.returncode in (0, 1), result.stderr


# --- Retry-After through bot.py -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["99999999999999999999", "Wed, 21 Oct 2099 07:28:00 GMT",
                                   "Fri, 31 Dec 9999 23:59:59 GMT"])
def test_a_monster_retry_after_is_one_line_and_the_good_source_is_delivered(server: Any, tmp_path: Path,
                                                                             value: str) -> None:
    server.route("/bad" + PATH, "slow down", status=429, headers={"Retry-After": value})
    config = write_config(tmp_path, [_bad(server.url + "/bad"), _good(server)])
    first = run_bot("poll", "--once", "--config", str(config))
    _assert_clean(first)
    assert first.returncode == 1
    assert first.stdout.count(HEADER) == 1  # the good source's open incident, delivered
    bad_lines = _lines_about(first.stderr, "bad")
    assert len(bad_lines) == 1 and "HTTP 429" in bad_lines[0], first.stderr
    wait = _seconds_until(_state(tmp_path, "bad")["next_due_at"])
    assert 0 < wait <= MAX_BACKOFF_SECONDS + 5  # at most an hour, whatever the source asked for
    second = run_bot("poll", "--once", "--config", str(config))
    _assert_clean(second)
    assert "backing off" in " ".join(_lines_about(second.stderr, "bad"))
    assert second.stdout.count(HEADER) == 0  # delivered once, not again


def test_a_garbage_retry_after_is_a_warning_not_a_crash(server: Any, tmp_path: Path) -> None:
    server.route("/bad" + PATH, "slow down", status=429, headers={"Retry-After": "soon, maybe \x1b[2J"})
    config = write_config(tmp_path, [_bad(server.url + "/bad"), _good(server)])
    for _ in range(2):
        result = run_bot("poll", "--once", "--config", str(config))
        _assert_clean(result)
        assert result.returncode == 1
        assert "tracker crashed" not in result.stderr
        assert len(_lines_about(result.stderr, "bad")) == 1
        warnings = [line for line in result.stderr.splitlines() if "pushti.http" in line]
        assert len(warnings) == 1 and "retry-after" in warnings[0] and "\x1b" not in warnings[0]
    assert result.stdout.count(HEADER) == 0 and _state(tmp_path, "good")["last_success_at"]


def test_a_429_backs_the_source_off_until_its_retry_after_has_passed(server: Any, tmp_path: Path) -> None:
    route = server.route("/bad" + PATH, "slow down", status=429, headers={"Retry-After": "120"})
    config = write_config(tmp_path, [_bad(server.url + "/bad"), _good(server)])
    first = run_bot("poll", "--once", "--config", str(config))
    assert first.returncode == 1
    (line,) = _lines_about(first.stderr, "bad")
    assert "HTTP 429 (rate limited)" in line and "retry after 120 s" in line and "will retry in 2 min" in line
    assert 100 < _seconds_until(_state(tmp_path, "bad")["next_due_at"]) <= 121
    assert len(server.hits("/bad" + PATH)) == 1

    route.status, route.body, route.headers = 200, incidents_document(), {}
    second = run_bot("poll", "--once", "--config", str(config))  # within the 120 s: not polled
    assert second.returncode == 0, second.stderr
    (line,) = _lines_about(second.stderr, "bad")
    assert "backing off after 1 failure(s)" in line and "HTTP 429" in line
    assert len(server.hits("/bad" + PATH)) == 1
    assert len(server.hits("/good" + PATH)) == 2  # the other source is polled as usual

    db = sqlite3.connect(tmp_path / "state.db")  # the 120 s pass
    db.execute("update sources set next_due_at = ? where id = 'bad'", ("2000-01-01T00:00:00Z",))
    db.commit()
    db.close()
    third = run_bot("poll", "--once", "--config", str(config))
    assert third.returncode == 0, third.stderr
    assert len(server.hits("/bad" + PATH)) == 2
    assert _lines_about(third.stderr, "bad") == []
    state = _state(tmp_path, "bad")
    assert state["failures"] == 0 and state["last_error"] is None


def test_a_failing_source_backs_off_exponentially_up_to_an_hour(server: Any, tmp_path: Path) -> None:
    server.route("/bad" + PATH, "oops", status=500)
    config = write_config(tmp_path, [_bad(server.url + "/bad", every="60s")])
    bot = load_config(config)
    db = open_db(bot.state)
    now = now_utc()
    waits = []
    for attempt in range(8):
        report = poll_cycle(db, bot, now=now)
        assert [o.status for o in report.outcomes] == ["failed"]
        assert "HTTP 500" in report.outcomes[0].message
        due = parse_time(db.execute("select next_due_at from sources where id = 'bad'").fetchone()[0])
        waits.append((due - now).total_seconds())
        hits = len(server.hits("/bad" + PATH))
        early = poll_cycle(db, bot, now=due - timedelta(seconds=10))  # before the backoff ends: not polled
        assert [o.status for o in early.outcomes] == ["backoff"] and len(server.hits("/bad" + PATH)) == hits
        assert f"after {attempt + 1} failure(s)" in early.outcomes[0].message
        now = due
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600]


# --- the total deadline through bot.py ------------------------------------------------------------------------------


def test_a_trickling_source_ends_at_the_deadline_and_the_good_source_is_delivered(server: Any, slow: Any,
                                                                                  tmp_path: Path) -> None:
    config = write_config(tmp_path, [_bad(slow.url), _good(server)])
    started = time.monotonic()
    result = run_bot("poll", "--once", "--config", str(config), env={"PUSHTI_FETCH_DEADLINE": "2"}, timeout=60)
    elapsed = time.monotonic() - started
    _assert_clean(result)
    assert elapsed < 2 + 15  # the deadline, plus starting Python and loading the model
    assert result.returncode == 1
    (line,) = _lines_about(result.stderr, "bad")
    assert "took longer than 2 s (deadline)" in line and slow.url in line
    assert result.stdout.count(HEADER) == 1
    assert _state(tmp_path, "good")["last_success_at"]


def test_sigterm_ends_the_daemon_while_a_fetch_trickles(server: Any, slow: Any, tmp_path: Path) -> None:
    config = write_config(tmp_path, [_bad(slow.url, every="1s"), {**_good(server), "every": "1s"}])
    env = {k: v for k, v in os.environ.items() if k != "PUSHTI_FETCH_DEADLINE"}  # 30 s: still in flight at SIGTERM
    proc = subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "run", "--config", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 30
        while (slow.connections < 1 or len(server.hits("/good" + PATH)) < 2) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert slow.connections >= 1, "the daemon never fetched the trickling source"
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        out, err = proc.communicate(timeout=20)
        elapsed = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert elapsed < 8, err
    assert proc.returncode == 0, err
    assert "stopped" in err and "Traceback" not in err
    assert out.count(HEADER) == 1
    state = _state(tmp_path, "bad")
    assert not state or not state["last_error"]  # a fetch cut short by the stop is not the source's failure


# --- redirects through bot.py ---------------------------------------------------------------------------------------


def test_a_public_source_redirected_to_a_private_address_is_refused_with_one_line(server: Any, tmp_path: Path) -> None:
    server.route(PATH, status=302, headers={"Location": server.url + "/secret" + PATH})  # answers for PUBLIC_IP
    server.route("/secret" + PATH, incidents_document(revealed(shifted(load_incident("nf4gcjtcsqdb"),
                                                                       recent_start(1)), 1)))
    config = write_config(tmp_path, [_bad(f"http://{PUBLIC_IP}"), _good(server)])
    result = run_bot("poll", "--once", "--config", str(config), env=proxy_env(server.url))
    _assert_clean(result)
    assert result.returncode == 1
    (line,) = _lines_about(result.stderr, "bad")
    assert f"refused a redirect from http://{PUBLIC_IP}{PATH} to {server.url}/secret{PATH}" in line
    assert server.hits("/secret" + PATH) == []  # the private address was never asked
    assert len(server.hits(PATH)) == 1  # the public one was, through the proxy
    assert result.stdout.count(HEADER) == 1  # the good source's message only


def test_a_local_source_redirected_locally_keeps_working(server: Any, tmp_path: Path) -> None:
    good = _good(server)
    port = server.url.rsplit(":", 1)[1]
    server.route("/moved" + PATH, status=301, headers={"Location": f"http://127.0.0.1:{port}/good{PATH}"})
    config = write_config(tmp_path, [{**good, "url": f"http://localhost:{port}/moved"}])
    result = run_bot("poll", "--once", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(HEADER) == 1


def test_the_daemon_survives_a_monster_retry_after(server: Any, tmp_path: Path) -> None:
    server.route("/bad" + PATH, "slow down", status=429, headers={"Retry-After": "99999999999999999999"})
    config = write_config(tmp_path, [_bad(server.url + "/bad", every="1s"), {**_good(server), "every": "1s"}])
    proc = subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "run", "--config", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while len(server.hits("/good" + PATH)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "stopped" in err
    assert len(server.hits("/bad" + PATH)) == 1  # backing off (an hour at most), not polled every second
    assert len([line for line in err.splitlines() if '"bad"' in line and "HTTP 429" in line]) == 1
    assert out.count(HEADER) == 1
    assert 0 < _seconds_until(_state(tmp_path, "bad")["next_due_at"]) <= MAX_BACKOFF_SECONDS + 5
