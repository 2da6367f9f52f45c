"""Bluesky through Jetstream, end to end through the daemon: a fake Jetstream (WebSocket on 127.0.0.1), the fake
Bluesky REST API the tracker polls, and a fake Telegram. Statements arrive by the stream, are told once, survive
a disconnect (replay from the stored cursor), and the REST backstop adds nothing twice."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from fake_jetstream import FakeJetstream
from pollhelpers import write_config
from streamhelpers import TG_TOKEN, first_sends, running_daemon, serve_bluesky, tg_channel, wait_for

from config import load_config
from streams.convert import bluesky_post
from trackers.bluesky import BlueskyTracker

DID = "did:plc:statusfake0000000000000"
HANDLE = "status.example.com"


@pytest.fixture
def jet():
    fake = FakeJetstream()
    yield fake
    fake.stop()


def old_post() -> dict:
    when = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {"post": {"uri": f"at://{DID}/app.bsky.feed.post/3lold", "cid": "bafyold",
                     "author": {"did": DID, "handle": HANDLE},
                     "record": {"text": "Welcome to our status account.", "createdAt": when}, "indexedAt": when}}


def posts(db_path) -> list[tuple[str, str, str]]:
    db = sqlite3.connect(db_path)
    try:
        return db.execute("select native_id, thread_key, kind from posts where source_id = 'bsky' order by id").fetchall()
    finally:
        db.close()


def test_jetstream_statements_reach_the_channel_once_across_a_disconnect_and_the_backstop_poll(
        jet, server, tg, tmp_path, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TG_TOKEN)
    hidden: set[str] = set()  # posts the REST API does not show yet: only the replay can bring them
    serve_bluesky(server, jet, DID, HANDLE, old=[old_post()], hidden=hidden)
    config = write_config(
        tmp_path,
        [{"id": "bsky", "kind": "bluesky", "handle": HANDLE, "service": "Bluesky", "api_base": server.url,
          "stream": True, "every": "1s"}],
        [tg_channel(tg)],
        bot={"jetstream": jet.url, "stream_silence": "10s"},
    )
    state = tmp_path / "state.db"
    with running_daemon(config) as daemon:
        hub = daemon.streams
        wait_for(lambda: hub.states["jetstream"].status == "live", what="the stream to connect")
        wait_for(lambda: [p for p in posts(state) if p[0].endswith("3lold")], what="the baseline poll")
        # the first connection asked for the watched account's posts only (its DID resolved through getProfile)
        assert jet.connects[0]["wantedDids"] == [DID] and jet.connects[0]["wantedCollections"] == ["app.bsky.feed.post"]

        first = jet.emit(DID, "We are aware that some people are having trouble loading feeds and posting. "
                              "We are investigating. (ref A1)")
        root = f"at://{DID}/app.bsky.feed.post/{first['commit']['rkey']}"
        wait_for(lambda: first_sends(tg, "ref A1"), what="the acknowledgement in Telegram")
        second = jet.emit(DID, "Update: we have identified the cause of the feed loading problem and are rolling "
                               "out a fix. (ref A2)", reply_to=root)
        wait_for(lambda: first_sends(tg, "ref A2"), what="the update in Telegram")

        # the stream dies mid-incident; two statements are made while it is down; it comes back
        jet.refusing = True
        hidden.update({"3lb1", "3lb2"})
        assert jet.drop() == 1
        wait_for(lambda: hub.states["jetstream"].status == "down", what="the stream to notice")
        stored_cursor = hub.cursor("jetstream")
        assert stored_cursor == second["time_us"]  # what was stored, not merely received
        jet.emit(DID, "We are still working on the fix for feed loading; some posts may be delayed. (ref B1)", rkey="3lb1",
                 reply_to=f"at://{DID}/app.bsky.feed.post/{second['commit']['rkey']}", root=root)
        jet.emit(DID, "Feeds are loading normally again. The problem is resolved. Thanks for your patience! "
                      "(ref B2)", reply_to=root, rkey="3lb2")
        jet.refusing = False
        wait_for(lambda: first_sends(tg, "ref B2"), deadline=30, what="the replayed resolution in Telegram")
        assert jet.connects[-1]["cursor"] == [str(stored_cursor)]  # replay asked from the stored cursor
        hidden.clear()

        # the REST backstop reads every post again: nothing new is stored, nothing is told twice
        before = posts(state)
        feed_reads = len([r for r in server.requests if r.path.endswith("getAuthorFeed")])
        hub.request_poll(["bsky"])
        wait_for(lambda: len([r for r in server.requests if r.path.endswith("getAuthorFeed")]) > feed_reads,
                 what="the backstop poll")
        wait_for(lambda: not daemon.in_flight, what="the backstop poll to be stored")
        assert posts(state) == before

        # a deletion changes nothing: the statement was made
        jet.emit(DID, operation="delete", rkey=first["commit"]["rkey"])
        marker = jet.emit(DID, "Thanks for following along. (ref C1)")
        wait_for(lambda: hub.cursor("jetstream") == marker["time_us"], what="the events after the deletion")

    stored = posts(state)
    assert [p[0].rsplit("/", 1)[-1] for p in stored][0] == "3lold"
    assert len(stored) == 6 and len({p[0] for p in stored}) == 6  # old, A1, A2, B1, B2, C1: each once
    assert {p[1] for p in stored[1:5]} == {root}  # the self-thread is one incident thread
    for ref in ("ref A1", "ref A2", "ref B1", "ref B2"):
        assert len(first_sends(tg, ref)) == 1, ref  # told once: no statement lost, none repeated
    db = sqlite3.connect(state)
    status, cursor = db.execute("select status, cursor from streams where id = 'jetstream'").fetchone()
    db.close()
    assert status == "stopped" and int(cursor) == marker["time_us"]


def test_a_jetstream_commit_becomes_the_post_the_rest_tracker_builds(jet, tmp_path):
    config = write_config(tmp_path, [{"id": "bsky", "kind": "bluesky", "handle": HANDLE, "service": "Bluesky"}])
    source = load_config(config).sources[0]
    root = jet.emit(DID, "We are looking into reports of slow notifications.")
    reply = jet.emit(DID, "Notifications are back to normal.", reply_to=f"at://{DID}/app.bsky.feed.post/{root['commit']['rkey']}")
    other = jet.emit(DID, "@someone thanks, we are on it", reply_to="at://did:plc:someoneelse/app.bsky.feed.post/3x")
    from streamhelpers import feed_item

    for event in (root, reply):
        pushed = bluesky_post(source, event, HANDLE)
        polled = BlueskyTracker(source)._post(feed_item(event, HANDLE)["post"])
        assert pushed == polled  # same URI, link, thread, reply flags, text and time
    assert bluesky_post(source, reply, HANDLE).thread_key == f"at://{DID}/app.bsky.feed.post/{root['commit']['rkey']}"
    assert bluesky_post(source, other, HANDLE) is None  # a reply to a customer: dropped, as the tracker drops it


def test_an_unresolvable_handle_keeps_the_stream_down_in_one_line_and_the_source_polled(jet, server, tmp_path, caplog):
    serve_bluesky(server, jet, DID, HANDLE, old=[old_post()])
    server.route("/xrpc/app.bsky.actor.getProfile", status=400, headers={"Content-Type": "application/json"},
                 body=b'{"error": "InvalidRequest", "message": "Profile not found"}')
    config = write_config(
        tmp_path,
        [{"id": "bsky", "kind": "bluesky", "handle": HANDLE, "service": "Bluesky", "api_base": server.url,
          "stream": True, "every": "1s"}],
        bot={"jetstream": jet.url},
    )
    with running_daemon(config) as daemon:
        state = daemon.streams.states["jetstream"]
        wait_for(lambda: state.last_error, what="the failed resolution")
        wait_for(lambda: posts(tmp_path / "state.db"), what="the source polled meanwhile")
    assert "HTTP 400" in state.last_error and state.status == "stopped"
    assert not jet.connects  # no DID, no subscription
    assert not [r for r in caplog.records if r.name.startswith("pushti.streams") and r.exc_info]  # no traceback
