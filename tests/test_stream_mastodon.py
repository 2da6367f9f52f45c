"""Mastodon streaming, end to end through the daemon: a fake Mastodon server (REST + server-sent events on
127.0.0.1) and a fake Telegram. Statuses of the watched account come by the stream; what is said while the stream
is away comes by the REST catch-up after the reconnect; a silent stream falls back to polling and says so."""

from __future__ import annotations

import json
import sqlite3

import pytest
from fake_mastodon import FakeMastodon
from pollhelpers import write_config
from streamhelpers import TG_TOKEN, first_sends, running_daemon, tg_channel, wait_for

from config import load_config
from statusreport import status_data, status_text
from store import open_db

TOKEN = "masto-stream-token-0123456789"


@pytest.fixture
def masto():
    fake = FakeMastodon(TOKEN, accounts={"status": "1", "someone": "2"}, heartbeat=0.2)
    yield fake
    fake.stop()


def stored(path) -> list[tuple[str, str]]:
    db = sqlite3.connect(path)
    try:
        return db.execute("select native_id, thread_key from posts where source_id = 'masto' order by id").fetchall()
    finally:
        db.close()


def statuses_reads(masto) -> int:
    return len([p for p in masto.requests if p.endswith("/statuses")])


def config_for(tmp_path, masto, tg, **bot):
    return write_config(
        tmp_path,
        [{"id": "masto", "kind": "mastodon", "handle": "status@mastodon.example", "service": "Mastodon",
          "api_base": masto.url, "stream": True, "token_env": "MASTO_STREAM_TOKEN", "every": "1s"}],
        [tg_channel(tg)],
        bot={"stream_silence": "2s", **bot},
    )


def test_mastodon_stream_tells_statuses_at_once_and_catches_up_by_rest_after_a_disconnect(masto, tg, tmp_path, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TG_TOKEN)
    monkeypatch.setenv("MASTO_STREAM_TOKEN", TOKEN)
    old = masto.post("Welcome to the status account of mastodon.example.", stream=False)
    state = tmp_path / "state.db"
    with running_daemon(config_for(tmp_path, masto, tg)) as daemon:
        hub = daemon.streams
        wait_for(lambda: hub.states["mastodon"].status == "live", what="the stream to connect")
        wait_for(lambda: (old["id"], old["id"]) in stored(state), what="the baseline poll")
        wait_for(lambda: not daemon.in_flight and not hub.wanted, what="the catch-up poll to finish")

        reads = statuses_reads(masto)
        first = masto.post("Some users are seeing errors when logging in to mastodon.example. We are looking into "
                           "it. (ref M1)")
        masto.post("@status is it down for everyone? (ref X1)", acct="someone")  # not a watched account
        masto.post("Logins are failing (ref X2)", reblog=True)  # a boost is not a statement
        wait_for(lambda: first_sends(tg, "ref M1"), what="the acknowledgement in Telegram")
        assert statuses_reads(masto) == reads  # it came by the stream: no REST read in between
        masto.post("Update: we found the cause of the login errors and are deploying a fix. (ref M2)", reply_to=first)
        wait_for(lambda: first_sends(tg, "ref M2"), what="the self-reply in Telegram")
        # an edit of the acknowledgement: the same status id, stored once (as the poll, which never sees edits)
        masto.send("status.update", json.dumps({**first, "content": "<p>Some users see login errors. (ref M1e)</p>"}))

        # the stream breaks; a status is said while no stream is open; after the reconnect the REST catch-up
        # (since_id) is the only way it can arrive
        masto.refusing = True
        assert masto.drop() == 1
        wait_for(lambda: hub.states["mastodon"].status == "down", what="the stream to notice")
        gone = masto.post("Logins are working again. The problem is resolved. Thanks for your patience! (ref M3)",
                          reply_to=first)
        masto.refusing = False
        wait_for(lambda: first_sends(tg, "ref M3"), deadline=30, what="the caught-up resolution in Telegram")

    rows = stored(state)
    ids = [native for native, _ in rows]
    assert ids == [old["id"], first["id"], ids[2], gone["id"]] and len(set(ids)) == 4
    assert all(thread == first["id"] for _, thread in rows[1:])  # one self-thread
    for ref in ("ref M1", "ref M2", "ref M3"):
        assert len(first_sends(tg, ref)) == 1, ref
    assert not first_sends(tg, "ref X1") and not first_sends(tg, "ref X2") and not first_sends(tg, "ref M1e")


def test_a_silent_stream_falls_back_to_polling_and_status_says_so(masto, tg, tmp_path, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TG_TOKEN)
    monkeypatch.setenv("MASTO_STREAM_TOKEN", TOKEN)
    config = config_for(tmp_path, masto, tg)
    bot = load_config(config)
    with running_daemon(config) as daemon:
        hub = daemon.streams
        wait_for(lambda: hub.states["mastodon"].status == "live", what="the stream to connect")
        wait_for(lambda: not daemon.in_flight and not hub.wanted, what="the first polls")
        masto.silent = True  # no heartbeat, no event: a connection that died without closing
        db = open_db(bot.state)
        wait_for(lambda: status_data(db, bot)["streams"][0]["fallback"], deadline=20, what="the fallback")
        text = status_text(status_data(db, bot))
        assert "FALLBACK: polled at their own interval (masto every 1 s)" in text
        reads = statuses_reads(masto)
        said = masto.post("We are investigating slow timelines. (ref S1)", stream=False)
        wait_for(lambda: first_sends(tg, "ref S1"), what="the statement found by the fallback poll")
        assert statuses_reads(masto) > reads and said["id"] in [n for n, _ in stored(tmp_path / "state.db")]
        masto.silent = False
        wait_for(lambda: not status_data(db, bot)["streams"][0]["fallback"], deadline=20, what="the stream back")
        assert "as a backstop" in status_text(status_data(db, bot))
        db.conn.close()


def test_a_refused_token_is_shown_and_the_source_is_still_polled(masto, tg, tmp_path, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TG_TOKEN)
    monkeypatch.setenv("MASTO_STREAM_TOKEN", "not-the-right-token-value")
    config = config_for(tmp_path, masto, tg)
    bot = load_config(config)
    masto.post("We are investigating failed uploads of media. (ref R1)", stream=False)
    with running_daemon(config) as daemon:
        wait_for(lambda: daemon.streams.states["mastodon"].last_error, what="the refusal")
        wait_for(lambda: stored(tmp_path / "state.db"), what="the poll")
        db = open_db(bot.state)
        wait_for(lambda: status_data(db, bot)["streams"], what="the stream's row")
        stream = status_data(db, bot)["streams"][0]
        db.conn.close()
    assert "HTTP 401" in stream["last_error"] and "MASTO_STREAM_TOKEN" in stream["last_error"]
    assert stream["fallback"] and "not-the-right-token-value" not in str(stream)
