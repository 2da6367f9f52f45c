"""The poll's batched lookups give what the per-statement ones gave (issue 14): the same GitHub incidents read
through a feed source and a Statuspage source of one service are found to be duplicates with the candidates
fetched once per poll as with one query per statement, and the times pre-read in the fetcher process are those
``link_statement`` reads itself. No timing here: timing belongs in bench/poll_cycle.py."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from pollhelpers import github_feed_and_api

import incidents
from classify import Statement, pre_read
from pipeline import apply_result, pre_classify, store_posts
from store import open_db
from trackers import PollResult

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def setup(tmp_path):
    bot, feed, api = github_feed_and_api(str(tmp_path / "state.db"))
    db = open_db(bot.state)
    yield db, bot, feed, api
    db.conn.close()


def test_batched_duplicate_candidates_match_the_per_statement_query(setup):
    db, bot, (feed_source, feed), (api_source, api) = setup
    store_posts(db, bot, feed_source, feed, NOW)
    found = {r[0]: r[1] for r in db.conn.execute("select native_id, id from posts where source_id = 'gh-feed'")}
    assert len(found) == len(feed)
    # the API's statements, not stored yet: each one's duplicate, looked up both ways (ids that cannot clash)
    candidates = incidents.duplicate_candidates(db, api)
    assert candidates
    hits = 0
    for i, post in enumerate(api):
        one = incidents._duplicate_of(db, post, 10**9 + i)
        batched = incidents._duplicate_of(db, post, 10**9 + i, candidates)
        assert one == batched, post.native_id
        hits += one is not None
    assert hits >= len(feed) // 2


def test_the_second_source_of_a_service_is_stored_as_duplicates(setup):
    db, bot, (feed_source, feed), (api_source, api) = setup
    store_posts(db, bot, feed_source, feed, NOW)
    store_posts(db, bot, api_source, api, NOW)
    duplicates = db.conn.execute("select count(*) from posts where source_id = 'gh-api' and duplicate_of is not null")
    assert duplicates.fetchone()[0] == len(feed)  # every feed statement is in the API (it has 6 more)
    stray = db.conn.execute("select count(*) from posts p join posts d on d.id = p.duplicate_of "
                            "where p.incident_id is not d.incident_id or d.source_id = p.source_id")
    assert stray.fetchone()[0] == 0


def test_pre_read_times_are_the_times_link_statement_reads(setup):
    _, _, (_, feed), (_, api) = setup
    told = incidents.pre_state(feed + api)
    assert len(told) == len(feed) + len(api)
    for post in feed + api:
        assert told[(post.source_id, post.native_id)] == incidents.stated_times(post)
    assert any(t.start or t.end for t in told.values())


def stored_readings(db, source_id: str) -> list[tuple]:
    return list(db.conn.execute("select native_id, kind, confidence, reason, text_kind, probabilities, incident_id "
                                "from posts where source_id = ? order by native_id", (source_id,)))


def test_first_poll_statements_classified_beforehand_are_stored_as_the_writer_classifies_them(tmp_path, setup):
    db, bot, (feed_source, feed), (api_source, api) = setup
    store_posts(db, bot, feed_source, feed, NOW)
    store_posts(db, bot, api_source, api, NOW)
    other = open_db(str(tmp_path / "other.db"))
    for source, posts in ((feed_source, feed), (api_source, api)):
        readings = pre_read(posts)
        result = PollResult(posts=posts, cursor={}, readings=readings, stated=incidents.pre_state(posts),
                            statements=pre_classify(source, posts, readings, bot.announce_threshold))
        assert len(result.statements) == len({p.native_id for p in posts})
        apply_result(other, bot, source, result, NOW)
    for source_id in ("gh-feed", "gh-api"):
        mine, theirs = stored_readings(db, source_id), stored_readings(other, source_id)
        assert len(mine) == len(api if source_id == "gh-api" else feed)
        assert mine == theirs  # every statement's kind, confidence, reason, reading and incident
        assert len({row[1] for row in mine}) >= 3
    other.conn.close()


def test_statements_classified_beforehand_are_used_only_when_no_thread_of_the_poll_is_stored(setup):
    db, bot, (feed_source, feed), _ = setup
    threads = [key for key in dict.fromkeys(p.thread_key for p in feed)]
    longer = next(key for key in threads if sum(p.thread_key == key for p in feed) >= 3)
    held_back = [next(p for p in feed if p.thread_key == longer)]  # that incident's newest statement
    held_back += [p for p in feed if p.thread_key == next(k for k in threads if k != longer)]  # a whole other one
    first = [p for p in feed if p not in held_back]
    wrong = Statement("noise", 0.5, "planted", (), "en")  # what no real statement of these incidents reads

    def planted(posts):
        return PollResult(posts=posts, cursor={}, statements={(p.source_id, p.native_id): wrong for p in posts})

    apply_result(db, bot, feed_source, planted(first), NOW)  # a first poll: taken as given
    assert {r[1] for r in stored_readings(db, "gh-feed")} == {"noise"}
    # the next poll goes on with an incident already stored: the writer classifies every statement of it itself
    apply_result(db, bot, feed_source, planted(held_back), NOW)
    kinds = {r[0]: r[1] for r in stored_readings(db, "gh-feed")}
    assert len(kinds) == len(feed)
    assert all(kinds[p.native_id] != "noise" for p in held_back)
