"""The writer's per-poll memory (incidents.LinkCache) stores what the statement-by-statement writes stored.

One poll whose statements open, update, resolve, reopen and resolve again the same incident, join an event, and
also plan a maintenance, attach a report, carry noise, keep a second incident of the same page apart (a key clash)
and let a thread-less statement join the open incident: stored in ONE ``apply_result`` (one LinkCache for all of
them) and stored one poll per statement (a fresh LinkCache each, which can hold nothing stale), every table is the
same, clock stamps aside. And on real GitHub data, every incident row and key the cache answers with is the one
stored at that moment, and whenever it says a service has no open incident, the query finds none. And what the
fetcher process reads ahead (down to the earlier words a resolution reads back) stores what the writer stores
reading everything itself.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pollhelpers import github_feed_and_api

import classify as classify_module
import incidents
from classify import Statement
from config import parse_config
from pipeline import store_posts
from posts import Post, iso_utc
from store import open_db
from trackers.statuspage import parse_statuspage_document

DATA = Path(__file__).resolve().parent / "data"
T0 = datetime(2024, 3, 4, 10, 0, tzinfo=timezone.utc)
NOW = T0 + timedelta(hours=3)
STAMPS = {"seen_at", "recorded_at", "updated_at", "applied_at"}  # the clock at storing: differs run to run


def fake_classify(post: Post, **_: Any) -> Statement:
    """The statement's kind (and a maintenance's stage) as its text begins: "resolved: …", "maintenance/completed: …"."""
    head = post.text.split(":", 1)[0]
    kind, _, stage = head.partition("/")
    return Statement(kind=kind, confidence=0.99, reason="test", symptoms=("outage",) if kind != "noise" else (),
                     language="en", announce=kind != "noise", stage=stage)


def page(native: str, thread: str, text: str, minutes: float, status: str = "", **extra: Any) -> Post:
    return Post(source_id="alpha-page", native_id=native, service="Alpha", text=text, thread_key=thread,
                status=status, title=f"Alpha {thread}", created_at=T0 + timedelta(minutes=minutes), **extra)


STORY = [
    page("1", "inc1", "acknowledged: We are investigating errors on the API.", 0, "investigating", impact="minor"),
    page("2", "inc1", "update: We have identified the cause.", 10, "identified", impact="major"),
    page("3", "inc1", "noise: Subscribe to updates.", 12),
    page("4", "inc2", "acknowledged: Webhooks are delayed.", 14, "investigating"),  # same page, other incident
    page("5", "", "update: Still working on the API errors.", 16),  # no thread: joins the open incident
    page("6", "inc1", "update: As of 10:20 UTC connectivity has been restored.", 25, "monitoring"),
    page("7", "inc1", "resolved: This incident has been resolved.", 30, "resolved"),
    page("8", "inc1", "update: The errors are back; we are investigating again.", 40, "investigating"),
    page("9", "inc1", "resolved: Resolved again.", 50, "resolved"),
    page("10", "inc2", "resolved: Webhooks are delivered again.", 55, "resolved"),
    page("11", "maint1", "maintenance/scheduled: Database maintenance from 12:00 to 13:00 UTC.", 60),
    page("12", "maint1", "maintenance/completed: The maintenance is complete.", 70),
    page("13", "inc1", "report: Post-incident report on the API errors.", 90),
    page("14", "inc1", "resolved: A late third resolution.", 95, "resolved"),
]
# Beta's incident, stored first: open when Alpha's opens (so they form an event), resolved before Alpha's resolution
# (which then closes the event)
BETA = [Post(source_id="beta-page", native_id="b1", service="Beta", text="acknowledged: Beta logins fail.",
             thread_key="b-inc", status="investigating", created_at=T0 - timedelta(minutes=5)),
        Post(source_id="beta-page", native_id="b2", service="Beta", text="resolved: Beta logins work.",
             thread_key="b-inc", status="resolved", created_at=T0 + timedelta(minutes=5))]


def make_bot(tmp_path: Path, name: str) -> Any:
    raw = {"bot": {"state": str(tmp_path / f"{name}.db")},
           "source": [{"id": "alpha-page", "kind": "statuspage", "service": "Alpha", "url": "https://alpha.example",
                       "backfill": "all"},
                      {"id": "beta-page", "kind": "statuspage", "service": "Beta", "url": "https://beta.example",
                       "backfill": "all"}],
           "channel": [{"id": "desk", "kind": "console"}]}
    return parse_config(raw, "<test>")


def stored(path: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in row order, the clock stamps of rows written "now" left out."""
    conn = sqlite3.connect(path)
    tables = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table' "
                                         "and name not like 'sqlite_%' order by name")]
    found = {}
    for table in tables:
        columns = [r[1] for r in conn.execute(f"pragma table_info([{table}])")
                   if r[1] not in STAMPS and not (r[1] == "created_at" and table != "posts")]
        found[table] = conn.execute(f"select {', '.join(f'[{c}]' for c in columns)} from [{table}] order by rowid").fetchall()
    conn.close()
    return found


def test_one_poll_stores_what_one_poll_per_statement_stores(tmp_path, monkeypatch):
    monkeypatch.setattr(classify_module, "classify", fake_classify)
    together, apart = make_bot(tmp_path, "together"), make_bot(tmp_path, "apart")
    for bot, polls in ((together, [STORY]), (apart, [[p] for p in STORY])):
        db = open_db(bot.state)
        store_posts(db, bot, bot.source("beta-page"), BETA, NOW)
        for posts in polls:
            store_posts(db, bot, bot.source("alpha-page"), posts, NOW)
        db.conn.close()
    one, each = stored(together.state), stored(apart.state)
    assert one == each
    # the story did what it tells: a reopen, an event, a maintenance, a report, two incidents kept apart
    changes = [r[2] for r in one["incident_changes"]]
    assert changes.count("reopened") == 1 and "event" in changes and "maintenance" in changes and "report" in changes
    assert len(one["incidents"]) == 4  # Beta's, inc1, inc2, the maintenance
    conn = sqlite3.connect(together.state)
    assert conn.execute("select status from events").fetchall() == [("resolved",)]  # closed by Alpha's resolution
    # the second resolution reads back the poll's own earlier posts: "As of 10:20 UTC connectivity has been restored"
    # was said before the errors came back (minute 40), so it is not this resolution's end: its own post is
    assert conn.execute("select reopened, resolved_from, reopened_at, resolved_at from incidents "
                        "where title = 'Alpha inc1'").fetchall() == [
        (1, "post", iso_utc(T0 + timedelta(minutes=40)), iso_utc(T0 + timedelta(minutes=50)))]
    conn.close()
    assert one["outbox"]


@pytest.fixture
def github(tmp_path):
    bot, feed, api = github_feed_and_api(str(tmp_path / "state.db"), backfill="all")
    db = open_db(bot.state)
    yield db, bot, feed, api
    db.conn.close()


def test_every_answer_of_the_cache_is_what_is_stored(github, monkeypatch):
    db, bot, (feed_source, feed), (api_source, api) = github
    checked = {"incidents": 0, "keys": 0, "none open": 0}
    incident, key_incident = incidents.LinkCache.incident, incidents.LinkCache.key_incident

    def checked_incident(self: incidents.LinkCache, db: Any, incident_id: int) -> dict[str, Any] | None:
        found = incident(self, db, incident_id)
        assert found == incidents.row(db, incidents.SQL_INCIDENT, (incident_id,))
        checked["incidents"] += 1
        return found

    def checked_key(self: incidents.LinkCache, db: Any, key: str) -> int | None:
        found = key_incident(self, db, key)
        waiting = {k: i for k, i, _ in self.new_keys}
        known = incidents.row(db, incidents.SQL_KEY_INCIDENT, (key,))
        assert found == waiting.get(key, known["incident_id"] if known else None)
        checked["keys"] += 1
        return found

    may_have_open = incidents.LinkCache.may_have_open

    def checked_open(self: incidents.LinkCache, db: Any, service: str, since: str) -> bool:
        found = may_have_open(self, db, service, since)
        if not found:  # "none" must be what the query says
            assert not incidents.rows(db, incidents.SQL_OPEN_INCIDENTS, (service, incidents.STATUS_OPEN, since))
            checked["none open"] += 1
        return found

    monkeypatch.setattr(incidents.LinkCache, "incident", checked_incident)
    monkeypatch.setattr(incidents.LinkCache, "key_incident", checked_key)
    monkeypatch.setattr(incidents.LinkCache, "may_have_open", checked_open)
    for source, posts in ((api_source, api), (feed_source, feed)):
        store_posts(db, bot, source, posts, datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert checked["incidents"] > 50 and checked["keys"] > 100 and checked["none open"] > 10


def test_words_pre_read_for_resolutions_store_what_the_writer_reads(tmp_path):
    """The fetcher process's pre-read (texts, stated times, first-poll statements, and the earlier words its
    resolutions read back) stores the same tables as a writer that reads everything itself."""
    from classify import pre_read
    from pipeline import apply_result, pre_classify
    from trackers import PollResult

    paths = []
    for name, ahead in (("itself", False), ("ahead", True)):
        raw = {"bot": {"state": str(tmp_path / f"{name}.db")},
               "source": [{"id": "gh-api", "kind": "statuspage", "service": "GitHub", "backfill": "all",
                           "url": "https://www.githubstatus.com"}],
               "channel": [{"id": "desk", "kind": "console"}]}
        bot = parse_config(raw, "<test>")
        source = bot.sources[0]
        posts = []
        for path in sorted((DATA / "statuspage" / "github_incidents").glob("*.json")):
            posts += parse_statuspage_document(json.loads(path.read_text(encoding="utf-8")), source)
        result = PollResult(posts=posts, cursor={})
        if ahead:
            result.readings, result.stated = pre_read(posts), incidents.pre_state(posts)
            result.statements = pre_classify(source, posts, result.readings, bot.announce_threshold)
            result.earlier = incidents.pre_read_earlier(posts, result.statements, result.stated)
            assert any(words.back for words in result.earlier.values())
        db = open_db(bot.state)
        apply_result(db, bot, source, result, datetime(2026, 1, 1, tzinfo=timezone.utc))
        db.conn.close()
        paths.append(bot.state)
    itself, ahead = (stored(path) for path in paths)
    assert itself == ahead
    assert any(r for r in itself["incidents"])
