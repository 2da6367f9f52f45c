"""X tracker through tweepy's real code path, with HTTP-level mocks (``responses``)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from config import SourceConfig
from trackers import SkipSource, TrackerError
from trackers.x import XTracker

DATA = Path(__file__).resolve().parent / "data" / "social"
API = "https://api.twitter.com"
USER_URL = f"{API}/2/users/by/username/TwitterSupport"
TWEETS_URL = f"{API}/2/users/17874544/tweets"
SEARCH_URL = f"{API}/2/tweets/search/recent"
TOKEN = "AAAA-secret-bearer-token-1234"
ACK, UPDATE, CUSTOMER, RESOLVED = "1146426311453175808", "1146470543263612928", "1146490213127512064", "1146512309886398464"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def source(**options) -> SourceConfig:
    backfill = options.pop("backfill", "open")
    api_base = options.pop("api_base", "")
    return SourceConfig(
        id="twitter-support", kind="x", service="Twitter", handle="TwitterSupport", backfill=backfill,
        api_base=api_base, options=options,
    )


def tweet(tweet_id: int | str, text: str = "Status update.", **fields) -> dict:
    body = {"id": str(tweet_id), "text": text, "created_at": "2019-07-04T01:00:00.000Z",
            "conversation_id": str(tweet_id), "lang": "en", "edit_history_tweet_ids": [str(tweet_id)]}
    body.update(fields)
    return body


def page(tweets: list[dict], next_token: str | None = None, **extra) -> dict:
    meta: dict = {"result_count": len(tweets)}
    if tweets:
        meta.update(newest_id=tweets[0]["id"], oldest_id=tweets[-1]["id"])
    if next_token:
        meta["next_token"] = next_token
    return {"data": tweets, "meta": meta, **extra} if tweets else {"meta": meta, **extra}


def query(call) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)


@responses.activate
def test_first_poll_resolves_user_keeps_self_thread_and_drops_customer_replies():
    responses.get(USER_URL, json=load("x_user_twittersupport.json"))
    responses.get(TWEETS_URL, json=load("x_twittersupport_timeline.json"))
    result = XTracker(source()).poll({})

    assert [p.native_id for p in result.posts] == [ACK, UPDATE, RESOLVED]  # oldest first, customer reply gone
    assert {p.thread_key for p in result.posts} == {ACK}
    ack, update, resolved = result.posts
    assert (ack.is_reply, ack.is_self_reply) == (False, False)
    assert (update.is_reply, update.is_self_reply) == (True, True)
    assert resolved.text.startswith("We're almost at 100% resolved.")
    assert update.text.startswith("Update: DMs & notifications are recovering.")  # entities decoded
    assert "> more soon" in update.text
    assert resolved.url == f"https://x.com/TwitterSupport/status/{RESOLVED}"
    assert resolved.author == "TwitterSupport" and resolved.service == "Twitter" and resolved.language == "en"
    assert resolved.created_at == datetime(2019, 7, 3, 23, 24, 59, tzinfo=UTC)
    assert resolved.source_id == "twitter-support" and resolved.status == ""
    assert result.reads == 4  # the dropped customer reply was still read (and billed)
    assert result.cursor == {"user": "twittersupport", "user_id": "17874544", "since_id": RESOLVED}

    params = query(responses.calls[1])
    assert params["max_results"] == "20"
    assert "since_id" not in params
    assert params["exclude"] == "retweets"
    assert set(params["tweet.fields"].split(",")) >= {
        "created_at", "conversation_id", "in_reply_to_user_id", "referenced_tweets", "lang"}
    assert responses.calls[1].request.headers["Authorization"] == f"Bearer {TOKEN}"


@responses.activate
def test_second_poll_uses_since_id_and_no_user_lookup():
    responses.get(TWEETS_URL, json=page([tweet(1146600000000000000, "All fixed now.", lang="und")]))
    responses.get(TWEETS_URL, json=page([]))
    cursor = {"user": "twittersupport", "user_id": "17874544", "since_id": RESOLVED}
    tracker = XTracker(source())

    first = tracker.poll(cursor)
    assert [p.native_id for p in first.posts] == ["1146600000000000000"]
    assert first.posts[0].language == ""  # "und" = undetermined
    assert first.cursor["since_id"] == "1146600000000000000"
    assert query(responses.calls[0])["since_id"] == RESOLVED
    assert query(responses.calls[0])["max_results"] == "100"

    second = tracker.poll(first.cursor)
    assert second.posts == [] and second.reads == 0
    assert second.cursor["since_id"] == "1146600000000000000"
    assert query(responses.calls[1])["since_id"] == "1146600000000000000"
    assert all(c.request.url.startswith(TWEETS_URL) for c in responses.calls)  # no second user lookup


@responses.activate
def test_429_gives_retry_after_from_x_rate_limit_reset():
    reset = int(time.time()) + 600
    responses.get(TWEETS_URL, status=429, headers={"x-rate-limit-reset": str(reset), "x-rate-limit-remaining": "0"},
                  json={"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429})
    with pytest.raises(TrackerError) as caught:
        XTracker(source()).poll({"user": "twittersupport", "user_id": "17874544", "since_id": RESOLVED})
    assert caught.value.retry_after == pytest.approx(600, abs=3)
    assert "429" in str(caught.value) and "\n" not in str(caught.value)
    assert len(responses.calls) == 1  # tweepy did not wait and retry


@responses.activate
def test_401_is_one_clear_line_without_the_token():
    responses.get(USER_URL, status=401,
                  json={"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})
    with pytest.raises(TrackerError) as caught:
        XTracker(source()).poll({})
    message = str(caught.value)
    assert message == "X rejected the bearer token (401 Unauthorized): check X_BEARER_TOKEN"
    assert TOKEN not in message and not isinstance(caught.value, SkipSource)


def test_missing_token_skips_the_source(monkeypatch):
    monkeypatch.delenv("X_BEARER_TOKEN")
    monkeypatch.setenv("OTHER_X_TOKEN", "")
    with responses.RequestsMock() as mock:  # any request would fail the test
        with pytest.raises(SkipSource) as caught:
            XTracker(source()).poll({})
        assert str(caught.value) == "source needs X_BEARER_TOKEN in the environment; skipped"
        with pytest.raises(SkipSource, match="OTHER_X_TOKEN"):
            XTracker(source(token_env="OTHER_X_TOKEN")).poll({})
        assert len(mock.calls) == 0


@responses.activate
def test_first_run_paginates_back_to_the_backfill_window():
    responses.get(USER_URL, json=load("x_user_twittersupport.json"))
    responses.get(TWEETS_URL, json=page([tweet(30), tweet(29)], next_token="7140dibdnow9c7btw3w29n4ud0y"))
    responses.get(TWEETS_URL, json=page([tweet(28)]))
    result = XTracker(source(backfill="2d")).poll({})

    assert [p.native_id for p in result.posts] == ["28", "29", "30"]
    assert result.reads == 3 and result.cursor["since_id"] == "30"
    first, second = query(responses.calls[1]), query(responses.calls[2])
    assert "pagination_token" not in first and second["pagination_token"] == "7140dibdnow9c7btw3w29n4ud0y"
    start = datetime.fromisoformat(first["start_time"].replace("Z", "+00:00"))
    assert abs((datetime.now(UTC) - start).total_seconds() - 2 * 86400) < 60
    assert first["max_results"] == "100"


@responses.activate
def test_open_backfill_reads_one_page_only():
    responses.get(USER_URL, json=load("x_user_twittersupport.json"))
    responses.get(TWEETS_URL, json=page([tweet(30), tweet(29)], next_token="more"))
    result = XTracker(source(page_size=10)).poll({})
    assert len(responses.calls) == 2 and result.reads == 2
    assert query(responses.calls[1])["max_results"] == "10"


@responses.activate
def test_backfill_none_reads_nothing_then_starts_from_then():
    responses.get(USER_URL, json=load("x_user_twittersupport.json"))
    responses.get(TWEETS_URL, json=page([tweet(40)]))
    tracker = XTracker(source(backfill="none"))
    first = tracker.poll({})
    assert first.posts == [] and first.reads == 0 and "start_time" in first.cursor
    assert len(responses.calls) == 1  # the user lookup only
    second = tracker.poll(first.cursor)
    assert query(responses.calls[1])["start_time"] == first.cursor["start_time"]
    assert [p.native_id for p in second.posts] == ["40"]
    assert second.cursor == {"user": "twittersupport", "user_id": "17874544", "since_id": "40"}


@responses.activate
def test_keep_replies_option_keeps_customer_replies():
    responses.get(USER_URL, json=load("x_user_twittersupport.json"))
    responses.get(TWEETS_URL, json=load("x_twittersupport_timeline.json"))
    result = XTracker(source(keep_replies=True)).poll({})
    customer = [p for p in result.posts if p.native_id == CUSTOMER]
    assert len(customer) == 1 and customer[0].is_reply and not customer[0].is_self_reply


@responses.activate
def test_budget_smaller_than_a_page_is_never_exceeded():
    cursor = {"user": "twittersupport", "user_id": "17874544", "since_id": "100"}
    responses.get(TWEETS_URL, json=page([tweet(i) for i in range(120, 113, -1)], next_token="next"))
    tracker = XTracker(source())
    tracker.read_budget = 7
    result = tracker.poll(cursor)
    assert query(responses.calls[0])["max_results"] == "7"
    assert len(responses.calls) == 1  # 0 left after the first page: no second request
    assert result.reads == 7 and len(result.posts) == 7
    assert any("budget" in note for note in result.notes)


@pytest.mark.parametrize("left", [0, 4])
def test_exhausted_budget_reads_nothing(left):
    tracker = XTracker(source())
    tracker.read_budget = left
    with responses.RequestsMock() as mock:
        with pytest.raises(TrackerError, match="X monthly read budget reached") as caught:
            tracker.poll({"user": "twittersupport", "user_id": "17874544", "since_id": "100"})
        assert len(mock.calls) == 0
    assert not isinstance(caught.value, SkipSource)
    assert f"({left} reads left" in str(caught.value)
    assert 0 < caught.value.retry_after <= 3600  # looked at again within the hour, never slept on


def test_next_month_turns_the_year():
    from trackers.x import _next_month

    assert _next_month(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == datetime(2027, 1, 1, tzinfo=UTC)
    assert _next_month(datetime(2026, 2, 3, tzinfo=UTC)) == datetime(2026, 3, 1, tzinfo=UTC)


@responses.activate
def test_api_base_points_tweepy_at_another_host():
    proxy = "http://x-proxy.test:8080/api"
    responses.get(f"{proxy}/2/users/by/username/TwitterSupport", json=load("x_user_twittersupport.json"))
    responses.get(f"{proxy}/2/users/17874544/tweets", json=page([tweet(50)]))
    result = XTracker(source(api_base=proxy)).poll({})
    assert [p.native_id for p in result.posts] == ["50"]
    assert all(c.request.url.startswith(proxy) for c in responses.calls)


@responses.activate
def test_search_mode_reads_several_accounts_with_one_query():
    recent = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    users = {"users": [{"id": "2425151", "name": "Facebook", "username": "facebook"},
                       {"id": "40148479", "name": "WhatsApp", "username": "WhatsApp"}]}
    responses.get(SEARCH_URL, json=page([
        tweet(1146402000000000002, "We're aware some people are having trouble sending images.", author_id="2425151",
              created_at=recent),
        tweet(1146402000000000001, "@someone please DM us", author_id="40148479", in_reply_to_user_id="999",
              conversation_id="1146401000000000000",
              referenced_tweets=[{"type": "replied_to", "id": "1146401000000000000"}]),
        tweet(1146402000000000000, "Trouble sending media; we're on it.", author_id="40148479"),
    ], includes=users))
    src = SourceConfig(id="meta", kind="x", service="Meta", handle="facebook", backfill="open",
                       options={"handles": ["facebook", "WhatsApp"], "services": {"WhatsApp": "WhatsApp"}})
    result = XTracker(src).poll({})

    assert len(responses.calls) == 1
    params = query(responses.calls[0])
    assert params["query"] == "(from:facebook OR from:WhatsApp) -is:retweet"
    assert params["expansions"] == "author_id" and int(params["max_results"]) >= 10
    assert [(p.author, p.service) for p in result.posts] == [("WhatsApp", "WhatsApp"), ("facebook", "Meta")]
    assert result.posts[1].url == "https://x.com/facebook/status/1146402000000000002"
    assert result.reads == 3
    assert result.cursor["since_id"] == "1146402000000000002"

    responses.get(SEARCH_URL, json=page([]))
    XTracker(src).poll(result.cursor)
    assert query(responses.calls[1])["since_id"] == "1146402000000000002"

    # recent search refuses a since_id older than 7 days: a quiet week falls back to a start_time
    stale = dict(result.cursor, since_time="2019-07-04T01:00:00Z")
    later = XTracker(src).poll(stale)
    params = query(responses.calls[2])
    assert "since_id" not in params and params["start_time"] > "2019"
    assert later.cursor["since_id"] == "1146402000000000002"


def test_search_budget_below_the_search_minimum_reads_nothing():
    src = SourceConfig(id="meta", kind="x", service="Meta", handle="facebook", options={"handles": ["facebook", "WhatsApp"]})
    tracker = XTracker(src)
    tracker.read_budget = 9
    with responses.RequestsMock() as mock:
        with pytest.raises(TrackerError, match="fewer than the 10"):
            tracker.poll({})
        assert len(mock.calls) == 0
