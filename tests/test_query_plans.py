"""The poll's hot-path lookups use indexes (issue 14): EXPLAIN QUERY PLAN on the very SQL strings the code runs
(``incidents.HOT_PATH_QUERIES``, ``pipeline.HOT_PATH_QUERIES``) never scans posts, incidents or incident_changes.
No timing here: timing belongs in bench/poll_cycle.py."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta, timezone

import pytest

import incidents
import pipeline
from posts import Post, iso_utc
from store import open_db

BIG_TABLES = ("posts", "incidents", "incident_changes", "incident_keys", "outbox")


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "state.db")
    yield db
    db.conn.close()


def _plan(db, sql: str) -> list[str]:
    marks = len(re.findall(r"\?", sql))
    names = set(re.findall(r":(\w+)", sql))
    params: tuple | dict = {name: "x" for name in names} if names else ("x",) * marks
    return [detail for *_, detail in db.conn.execute("explain query plan " + sql, params).fetchall()]


def _scans(plan: list[str]) -> list[str]:
    # "SCAN posts" is a full table scan; "SCAN posts USING (COVERING) INDEX" walks a whole index — no better
    return [line for line in plan if line.startswith("SCAN ") and line.split()[1] in BIG_TABLES]


HOT = {**{f"incidents.{k}": v for k, v in incidents.HOT_PATH_QUERIES.items()},
       **{f"pipeline.{k}": v for k, v in pipeline.HOT_PATH_QUERIES.items()}}


def test_every_hot_path_query_is_listed():
    names = set(HOT)
    for expected in ("SQL_POST_EXISTS", "SQL_DUPLICATE_CANDIDATES", "SQL_KEY_INCIDENT", "SQL_INCIDENT",
                     "SQL_OPEN_INCIDENTS", "SQL_KEY_CLASH", "SQL_REPORT_TARGET", "SQL_OPEN_MAINTENANCE",
                     "SQL_LONGEST_SPAN", "SQL_EVENT_PARTNERS", "SQL_EVENT", "SQL_EVENT_MEMBERS",
                     "SQL_INCIDENT_EVENT", "SQL_STALE_CANDIDATES"):
        assert f"incidents.{expected}" in names
    for expected in ("SQL_STORED_NATIVE_IDS", "SQL_THREAD_LATEST", "SQL_NEW_POST_IDS", "SQL_OPEN_STATUS",
                     "SQL_LATEST_CHANGE"):
        assert f"pipeline.{expected}" in names


@pytest.mark.parametrize("name", sorted(HOT))
def test_hot_path_query_uses_an_index(db, name):
    plan = _plan(db, HOT[name])
    assert plan, name
    assert not _scans(plan), f"{name} scans a table: {plan}"


@pytest.mark.parametrize("sql", [
    # outbox.enqueue's per-change lookups (outbox.py's own strings; the indexes are store.m005's)
    "select 1 from outbox where channel_id = ? and incident_id = ? and message_kind != 'notice'",
    "select 1 from outbox where channel_id = ? and message_kind = 'event' and event_id = ?",
    "select notify, detail from incident_changes where id = ?",
    "select id, notify, detail from incident_changes where id in (?, ?)",  # outbox.SQL_NOTIFY_FLAGS, batched
    "select source_id, native_id from posts where id = ?",
])
def test_outbox_enqueue_lookups_use_an_index(db, sql):
    plan = _plan(db, sql)
    assert not _scans(plan), plan
    assert any("USING" in line for line in plan), plan


def test_lookups_still_use_indexes_on_a_filled_database(db):
    """With rows in the tables (and statistics gathered) the planner keeps the indexes."""
    with db.conn:
        for i in range(300):
            db.conn.execute(
                "insert into posts (source_id, native_id, service, thread_key, created_at, text) values (?, ?, ?, ?, ?, ?)",
                (f"s{i % 7}", f"n{i}", f"Service {i % 11}", f"t{i % 40}", f"2020-01-{i % 28 + 1:02d}T00:00:00Z", "x"),
            )
            db.conn.execute(
                "insert into incidents (service, status, opened_at, resolved_at, last_statement_at, kind) "
                "values (?, ?, ?, ?, ?, 'incident')",
                (f"Service {i % 11}", "resolved", f"2020-01-{i % 28 + 1:02d}T00:00:00Z",
                 f"2020-01-{i % 28 + 1:02d}T03:00:00Z", f"2020-01-{i % 28 + 1:02d}T03:00:00Z"),
            )
    db.conn.execute("analyze")
    for name, sql in HOT.items():
        assert not _scans(_plan(db, sql)), name


def test_a_posts_row_is_flat_and_its_times_iso():
    post = Post(
        source_id="s", native_id="n1", service="GitHub", text="We are investigating.",
        created_at=datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc), thread_key="t", status="investigating",
        components=("API", "Git"), starts_at=datetime(2020, 1, 2, tzinfo=timezone.utc),
    )
    data = post.to_row()
    assert data["created_at"] == "2020-01-02T03:04:05Z" and data["starts_at"] == "2020-01-02T00:00:00Z"
    assert data["components"] == ["API", "Git"] and data["ends_at"] is None and data["revision"] == post.revision
    assert data["native_id"] == "n1" and data["thread_key"] == "t" and data["status"] == "investigating"


# The event lookup before it was split in two indexed halves: both must return the same rows, in the same order.
ORIGINAL_EVENT_PARTNERS = (
    "select * from incidents where id != ? and lower(service) != lower(?) and opened_at is not null "
    "and coalesce(kind, 'incident') = 'incident' and coalesce(unsure, 0) = 0 and status in ('open', 'resolved') "
    "and (resolved_at is null or resolved_at >= ?) and opened_at <= ? order by opened_at, id"
)


def test_split_event_lookup_returns_what_the_single_query_returned(db):
    rng = random.Random(14)
    base = datetime(2020, 3, 1, tzinfo=timezone.utc)
    with db.conn:
        for _ in range(400):
            opened = base + timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
            status = rng.choice(["open", "resolved", "resolved", "stale"])
            resolved = opened + timedelta(minutes=rng.choice([0, 5, 90, 600, 3000, 20000])) if status == "resolved" else None
            if status == "resolved" and rng.random() < 0.05:
                resolved = opened - timedelta(minutes=30)  # a stated end before the opening word
            db.conn.execute(
                "insert into incidents (service, status, opened_at, resolved_at, last_statement_at, kind, unsure) "
                "values (?, ?, ?, ?, ?, ?, ?)",
                (rng.choice(["GitHub", "github", "Slack", "Zoom", "AWS"]), status,
                 iso_utc(opened) if rng.random() > 0.05 else None, iso_utc(resolved) if resolved else None,
                 iso_utc(opened), rng.choice(["incident", "incident", "maintenance", None]), rng.choice([0, 0, 1, None])),
            )
    window = timedelta(minutes=90)
    for _ in range(200):
        opened = base + timedelta(minutes=rng.randrange(-600, 60 * 24 * 22))
        incident_id = rng.randrange(1, 400)
        service = rng.choice(["GitHub", "Slack", "Zoom", "AWS", "Other"])
        want = [r["id"] for r in incidents.rows(db, ORIGINAL_EVENT_PARTNERS,
                                                (incident_id, service, iso_utc(opened), iso_utc(opened + window)))]
        longest = incidents.row(db, incidents.SQL_LONGEST_SPAN)
        days = max(0.0, float(longest["days"] or 0.0))
        got = [r["id"] for r in incidents.rows(db, incidents.SQL_EVENT_PARTNERS, {
            "id": incident_id, "service": service, "opened": iso_utc(opened), "latest": iso_utc(opened + window),
            "earliest": iso_utc(opened - timedelta(days=days) - timedelta(minutes=1)),
        })]
        assert got == want


def test_outage_kinds_agree_with_the_classifier():
    import classify

    assert incidents.OUTAGE_KINDS == classify.OUTAGE_KINDS


def test_importing_the_pipeline_loads_neither_the_renderer_nor_the_model():
    """``bot.py poll --once`` with nothing new to read renders nothing: jinja2 and the classifier load on use."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    code = ("import sys; import pipeline, incidents; "
            "print(' '.join(m for m in ('jinja2', 'render', 'outbox', 'classify', 'numpy', 'facts.stated_times') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    assert not loaded & {"jinja2", "render", "outbox", "classify", "facts.stated_times"}, loaded
