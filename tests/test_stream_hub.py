"""The hub's polling rule for streamed sources (streams/hub.py): polled as a backstop while the stream is live,
at their own interval when it is down or silent, and at once when a stream asks."""

from __future__ import annotations

import time

from pollhelpers import write_config

from config import load_config
from store import open_db
from streams.hub import StreamHub, StreamState


def make_hub(tmp_path):
    config = write_config(
        tmp_path,
        [{"id": "bsky", "kind": "bluesky", "handle": "a.example", "stream": True, "every": "1s"},
         {"id": "page", "kind": "statuspage", "url": "https://status.example.com", "every": "1s"}],
        bot={"stream_backstop": "60s", "stream_silence": "5s"},
    )
    bot = load_config(config)
    hub = StreamHub(bot, open_db(bot.state))
    state = hub.register(StreamState("jetstream", "jetstream", "ws://x", ("bsky",), silence=5.0))
    return bot, hub, state


def test_a_live_stream_makes_its_sources_poll_as_a_backstop_only(tmp_path):
    bot, hub, state = make_hub(tmp_path)
    bsky, page = bot.sources
    assert hub.poll_due(bsky)  # never polled: the first poll (the baseline) always runs
    hub.set_status("jetstream", "live")
    assert not hub.poll_due(bsky)  # live and heard: the backstop interval (60 s) has not passed
    assert hub.poll_due(page) and hub.poll_due(page)  # not streamed: every scheduled poll runs
    hub.last_poll["bsky"] -= 61
    assert hub.poll_due(bsky) and not hub.poll_due(bsky)  # the backstop poll, then quiet again


def test_a_silent_or_down_stream_hands_its_sources_back_to_polling(tmp_path):
    bot, hub, state = make_hub(tmp_path)
    bsky = bot.sources[0]
    hub.set_status("jetstream", "live")
    hub.poll_due(bsky)
    assert not hub.poll_due(bsky)
    state.last_heard = time.monotonic() - 6  # nothing heard for longer than stream_silence
    assert hub.poll_due(bsky) and hub.poll_due(bsky)
    hub.heard("jetstream")
    assert not hub.poll_due(bsky)
    hub.set_status("jetstream", "down", "ConnectionResetError")
    assert hub.poll_due(bsky) and state.reconnects == 1 and state.last_error == "ConnectionResetError"


def test_a_requested_poll_runs_once_even_while_live_and_waits_for_one_in_flight(tmp_path):
    bot, hub, state = make_hub(tmp_path)
    bsky = bot.sources[0]
    hub.set_status("jetstream", "live")
    hub.poll_due(bsky)
    hub.request_poll(["bsky", "no-such-source"])
    assert hub.polls_now(busy={"bsky"}) == []  # a poll in flight: asked again next tick
    assert hub.polls_now(busy=set()) == [bsky]
    assert hub.poll_due(bsky) and not hub.poll_due(bsky)
    assert hub.polls_now(busy=set()) == []
