"""Mastodon tracker against a local server answering with the documented Account / Status entities."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config import SourceConfig
from trackers import TrackerError
from trackers.mastodon import MastodonTracker

DATA = Path(__file__).resolve().parent / "data" / "social"
ACCOUNT_ID = "109302436954721982"
LOOKUP = "/api/v1/accounts/lookup"
STATUSES = f"/api/v1/accounts/{ACCOUNT_ID}/statuses"
ACK, UPDATE, CUSTOMER, RESOLVED = "113518240712045600", "113518297458117834", "113518310000000001", "113518362233990021"


def load(name: str):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def source(server, **options) -> SourceConfig:
    backfill = options.pop("backfill", "open")
    return SourceConfig(id="social-status", kind="mastodon", service="Example Social", handle="status@social.example",
                        backfill=backfill, api_base=server.url, options=options)


def serve(server, pool: list[dict]) -> None:
    """Answer like Mastodon: newest first, ids > since_id and < max_id, at most ``limit``."""
    server.route(LOOKUP, json.dumps(load("mastodon_account.json")), headers={"Content-Type": "application/json"})

    def key(status_id: str) -> tuple[int, str]:
        return (len(status_id), status_id)

    def handler(request):
        since = request.query.get("since_id", [""])[0]
        before = request.query.get("max_id", [""])[0]
        limit = int(request.query.get("limit", ["20"])[0])
        chosen = sorted(pool, key=lambda s: key(s["id"]), reverse=True)
        chosen = [s for s in chosen if (not since or key(s["id"]) > key(since))
                  and (not before or key(s["id"]) < key(before))][:limit]
        return 200, {"Content-Type": "application/json"}, json.dumps(chosen).encode()

    server.route(STATUSES, handler=handler)


def test_first_poll_looks_up_the_account_and_maps_the_self_thread(server):
    serve(server, load("mastodon_statuses.json"))
    result = MastodonTracker(source(server)).poll({})

    lookup = server.hits(LOOKUP)
    assert len(lookup) == 1 and lookup[0].query["acct"] == ["status"]
    params = server.hits(STATUSES)[0].query
    assert params["limit"] == ["40"] and params["exclude_reblogs"] == ["true"] and params["exclude_replies"] == ["true"]
    assert "since_id" not in params

    assert [p.native_id for p in result.posts] == [ACK, UPDATE, RESOLVED]  # reply to another account dropped
    assert {p.thread_key for p in result.posts} == {ACK}
    ack, update, resolved = result.posts
    assert (ack.is_reply, update.is_self_reply, resolved.is_self_reply) == (False, True, True)
    assert ack.text == (
        "We're investigating reports that media uploads are failing & timelines are slow to load.\n\n"
        "Updates: https://status.social.example/incidents/2024-11-21-media-uploads #outage"
    )
    assert update.text == "Update: uploads work again for most people.\nWe are still watching the storage cluster."
    assert resolved.url == f"https://social.example/@status/{RESOLVED}"
    assert resolved.author == "status@social.example" and resolved.language == "en"
    assert resolved.created_at == datetime(2024, 11, 21, 9, 43, 0, 907000, tzinfo=UTC)
    assert result.cursor["since_id"] == RESOLVED and result.cursor["account_id"] == ACCOUNT_ID
    assert result.reads == 0


def test_second_poll_uses_since_id_without_a_new_lookup_and_keeps_the_thread(server):
    pool = load("mastodon_statuses.json")
    serve(server, pool)
    tracker = MastodonTracker(source(server))
    first = tracker.poll({})

    later = copy.deepcopy(pool[0])
    later.update(id="113518500000000000", in_reply_to_id=RESOLVED, content="<p>Post-incident note: a full disk.</p>",
                 created_at="2024-11-21T10:20:00.000Z", url="https://social.example/@status/113518500000000000")
    pool.insert(0, later)
    second = tracker.poll(first.cursor)

    assert len(server.hits(LOOKUP)) == 1
    assert server.hits(STATUSES)[-1].query["since_id"] == [RESOLVED]
    assert [(p.native_id, p.thread_key, p.text) for p in second.posts] == [
        ("113518500000000000", ACK, "Post-incident note: a full disk.")]
    assert second.cursor["since_id"] == "113518500000000000"

    third = tracker.poll(second.cursor)
    assert third.posts == [] and third.cursor["since_id"] == "113518500000000000"


def test_more_new_statuses_than_a_page_are_paged_with_max_id(server):
    base = load("mastodon_statuses.json")[-1]  # the acknowledgement, as a template
    pool = []
    for n in range(45):
        status = copy.deepcopy(base)
        status.update(id=str(113600000000000000 + n), content=f"<p>Status {n}</p>",
                      created_at=(datetime(2024, 12, 1, tzinfo=UTC) + timedelta(minutes=n)).isoformat())
        pool.append(status)
    serve(server, pool)
    result = MastodonTracker(source(server)).poll({"account": "status@social.example", "account_id": ACCOUNT_ID,
                                                    "since_id": "113599999999999999"})
    hits = server.hits(STATUSES)
    assert len(hits) == 2 and hits[1].query["max_id"] == ["113600000000000005"]
    assert hits[1].query["since_id"] == ["113599999999999999"]
    assert len(result.posts) == 45 and result.posts[0].text == "Status 0"
    assert result.cursor["since_id"] == "113600000000000044"


def test_keep_replies_and_content_warnings(server):
    pool = load("mastodon_statuses.json")
    pool[0]["spoiler_text"] = "Outage"
    serve(server, pool)
    result = MastodonTracker(source(server, keep_replies=True)).poll({})
    assert "exclude_replies" not in server.hits(STATUSES)[0].query
    customer = [p for p in result.posts if p.native_id == CUSTOMER][0]
    assert customer.is_reply and not customer.is_self_reply
    assert customer.text == "@maria Thanks, we know about it and are working on a fix."
    assert result.posts[-1].text.startswith("Outage\n\nResolved:")


def test_backfill_none_returns_nothing_but_learns_since_id(server):
    serve(server, load("mastodon_statuses.json"))
    result = MastodonTracker(source(server, backfill="none")).poll({})
    assert result.posts == [] and result.cursor["since_id"] == RESOLVED


def test_429_with_x_ratelimit_reset(server):
    server.route(LOOKUP, json.dumps(load("mastodon_account.json")), headers={"Content-Type": "application/json"})
    reset = (datetime.now(UTC) + timedelta(seconds=240)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    server.route(STATUSES, b'{"error":"Too many requests"}', status=429,
                 headers={"Content-Type": "application/json", "X-RateLimit-Limit": "300",
                          "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
    with pytest.raises(TrackerError) as caught:
        MastodonTracker(source(server)).poll({})
    assert caught.value.retry_after == pytest.approx(240, abs=3)


def test_unknown_account_and_bad_handle(server):
    server.route(LOOKUP, b'{"error":"Record not found"}', status=404, headers={"Content-Type": "application/json"})
    with pytest.raises(TrackerError, match=r"Mastodon has no account @status@social\.example"):
        MastodonTracker(source(server)).poll({})
    bad = SourceConfig(id="m", kind="mastodon", service="M", handle="justauser")
    with pytest.raises(TrackerError, match="user@instance"):
        MastodonTracker(bad).poll({})


@pytest.mark.parametrize(("html", "text"), [
    ("<p>a &amp; b &lt;c&gt; &#39;d&#39;</p>", "a & b <c> 'd'"),
    ("<p>one<br>two<br/>three</p><p>four</p>", "one\ntwo\nthree\n\nfour"),
    ('<p>see <a href="https://example.com/post-mortem">the write-up</a></p>', "see the write-up (https://example.com/post-mortem)"),
    ('<p><a href="https://example.com/a">https://example.com/a</a></p>', "https://example.com/a"),
    ("<ul><li>login</li><li>uploads</li></ul>", "- login\n- uploads"),
    ("<p>  spaced \n  out  </p>", "spaced out"),
    ("", ""),
])
def test_html_to_text(html, text):
    from trackers.mastodon import content_text

    assert content_text(html) == text
