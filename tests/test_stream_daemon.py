"""``bot.py run`` with both streams open (a fake Jetstream and a fake Mastodon streaming API): a statement from
each reaches the channel, and SIGTERM closes the streams, stores what they brought and exits 0."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys

from fake_jetstream import FakeJetstream
from fake_mastodon import FakeMastodon
from pollhelpers import ROOT, write_config
from streamhelpers import TG_TOKEN, first_sends, serve_bluesky, tg_channel, wait_for

DID = "did:plc:daemonstatus00000000000"
TOKEN = "masto-daemon-token-0123456789"


def rows(path, sql: str) -> list[tuple]:
    try:
        db = sqlite3.connect(path)
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()
    except sqlite3.OperationalError:
        return []


def test_bot_py_run_streams_both_and_stops_cleanly_on_sigterm(server, tg, tmp_path):
    jet, masto = FakeJetstream(), FakeMastodon(TOKEN, heartbeat=0.2)
    serve_bluesky(server, jet, DID, "status.example.com")
    config = write_config(
        tmp_path,
        [{"id": "bsky", "kind": "bluesky", "handle": "status.example.com", "service": "Bluesky",
          "api_base": server.url, "stream": True, "every": "1s"},
         {"id": "masto", "kind": "mastodon", "handle": "status@mastodon.example", "service": "Mastodon",
          "api_base": masto.url, "stream": True, "token_env": "MASTO_TOKEN", "every": "1s"}],
        [tg_channel(tg)],
        bot={"jetstream": jet.url},
    )
    state = tmp_path / "state.db"
    env = {"TELEGRAM_BOT_TOKEN": TG_TOKEN, "MASTO_TOKEN": TOKEN, "PATH": "/usr/bin:/bin"}
    bot = subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "--log-format", "json", "run", "--config",
                            str(config)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        wait_for(lambda: len(rows(state, "select 1 from sources where baseline_done = 1")) == 2, deadline=30,
                 what="both first polls")
        wait_for(lambda: len(rows(state, "select 1 from streams where status = 'live'")) == 2, deadline=30,
                 what="both streams live")
        jet.emit(DID, "We are aware that some people cannot load their feeds. We are investigating. (ref D1)")
        masto.post("Some users are seeing errors when logging in. We are looking into it. (ref D2)")
        wait_for(lambda: first_sends(tg, "ref D1") and first_sends(tg, "ref D2"), what="both statements")
    finally:
        bot.send_signal(signal.SIGTERM)
        out, err = bot.communicate(timeout=20)
        jet.stop()
        masto.stop()
    assert bot.returncode == 0, err
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]  # every line JSON, none a traceback
    assert any("stopped" in line.get("message", "") for line in lines)
    assert TOKEN not in err
    assert rows(state, "select id, status from streams order by id") == [("jetstream", "stopped"), ("mastodon", "stopped")]
    assert rows(state, "select count(*) from posts where native_id like 'at://%'") == [(1,)]
