"""The state database (SQLite via sqlite-utils, WAL): schema migrations, transactions, source state.

Only this module and the stages it is handed to (incidents, outbox) read or write ``state.db``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from posts import iso_utc

migrations = Migrations("pushti")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["sources"].create(
        {
            "id": str, "kind": str, "service": str, "cursor": str, "created_at": str, "baseline_done": int,
            "last_poll_at": str, "last_success_at": str, "last_error": str, "last_error_at": str,
            "failures": int, "failing_since": str, "next_due_at": str, "alerted": int,
        },
        pk="id",
        defaults={"cursor": "{}", "baseline_done": 0, "failures": 0, "alerted": 0},
    )
    db["posts"].create(
        {
            "id": int, "source_id": str, "native_id": str, "revision": str, "service": str, "author": str,
            "text": str, "url": str, "created_at": str, "language": str, "thread_key": str, "status": str,
            "raw_status": str, "title": str, "impact": str, "components": str, "is_reply": int,
            "is_self_reply": int, "kind": str, "confidence": float, "reason": str, "symptoms": str,
            "incident_id": int, "duplicate_of": int, "seen_at": str,
        },
        pk="id",
    )
    db["posts"].create_index(["source_id", "native_id"], unique=True)
    db["posts"].create_index(["incident_id"])
    db["incidents"].create(
        {
            "id": int, "service": str, "title": str, "status": str, "impact": str, "opened_at": str,
            "acknowledged_at": str, "resolved_at": str, "duration_seconds": int, "last_statement_at": str,
            "event_id": int, "reopened": int, "created_at": str, "updated_at": str,
        },
        pk="id",
        defaults={"reopened": 0},
    )
    db["incidents"].create_index(["service", "status"])
    db["incident_keys"].create({"key": str, "incident_id": int, "source_id": str}, pk="key")
    db["incident_changes"].create(
        {
            "id": int, "incident_id": int, "change": str, "post_id": int, "at": str, "recorded_at": str,
            "notify": int, "detail": str,
        },
        pk="id",
    )
    db["incident_changes"].create_index(["incident_id"])
    db["events"].create(
        {"id": int, "title": str, "owner": str, "started_at": str, "ended_at": str, "status": str,
         "created_at": str, "updated_at": str},
        pk="id",
    )
    db["outbox"].create(
        {
            "id": int, "channel_id": str, "key": str, "incident_id": int, "change_id": int, "event_id": int,
            "message_kind": str, "status": str, "attempts": int, "next_attempt_at": str, "last_error": str,
            "remote_id": str, "created_at": str, "sent_at": str, "body": str,
        },
        pk="id",
        defaults={"attempts": 0, "status": "pending"},
    )
    db["outbox"].create_index(["key"], unique=True)
    db["outbox"].create_index(["channel_id", "status"])
    db["channel_threads"].create(
        {"channel_id": str, "incident_id": int, "root_remote_id": str, "root_outbox_id": int, "edited_at": str},
        pk=("channel_id", "incident_id"),
    )
    db["x_usage"].create({"month": str, "reads": int}, pk="month")


@migrations()
def m002_outbox_parts(db: sqlite_utils.Database) -> None:
    """Each accepted part of a message split in several, so a crash resumes after the last one."""
    db.execute(
        "create table if not exists outbox_parts (outbox_id integer not null, part integer not null, "
        "remote_id text, sent_at text, primary key (outbox_id, part))"
    )


@migrations()
def m003_kinds_and_times(db: sqlite_utils.Database) -> None:
    """Statement kinds beyond the lifecycle (recovering, maintenance, report), the source's stated times, and the
    incident's kind, stated start/end with where they came from, and text-vs-status disagreements."""
    for column, kind in (
        ("incident_kind", str), ("starts_at", str), ("ends_at", str), ("text_kind", str), ("probabilities", str),
    ):
        db["posts"].add_column(column, kind)
    for column, kind in (
        ("kind", str), ("started_at", str), ("started_from", str), ("first_word_at", str), ("resolved_from", str),
        ("window_start", str), ("window_end", str), ("unsure", int), ("disagreement", str), ("report_post_id", int),
    ):
        db["incidents"].add_column(column, kind)
    db.execute("update incidents set kind = 'incident' where kind is null")
    db.execute("update incidents set unsure = 0 where unsure is null")


@migrations()
def m004_thread_index(db: sqlite_utils.Database) -> None:
    """The classifier's thread position (first / later, gap) looks up a thread's latest statement once per poll."""
    db.execute("create index if not exists idx_posts_source_thread on posts (source_id, thread_key, created_at)")


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def now_iso() -> str:
    return iso_utc(now_utc())


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the state database, in WAL mode, migrated to the latest schema."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=30000")
    migrations.apply(db)
    return db


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One atomic unit of work: BEGIN IMMEDIATE … COMMIT, rolled back on any exception."""
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def row(db: sqlite_utils.Database, sql: str, params: tuple | dict = ()) -> dict[str, Any] | None:
    for item in db.query(sql, params):
        return item
    return None


def rows(db: sqlite_utils.Database, sql: str, params: tuple | dict = ()) -> list[dict[str, Any]]:
    return list(db.query(sql, params))


def insert_row(db: sqlite_utils.Database, table: str, data: dict[str, Any]) -> int:
    """INSERT one row, returning its rowid (plain SQL: no table introspection on the hot path)."""
    columns = list(data)
    cursor = db.conn.execute(
        f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) values ({', '.join('?' * len(columns))})",
        [data[c] for c in columns],
    )
    return int(cursor.lastrowid or 0)


def update_row(db: sqlite_utils.Database, table: str, pk: Any, data: dict[str, Any], pk_column: str = "id") -> None:
    """UPDATE one row by primary key (plain SQL)."""
    if not data:
        return
    db.conn.execute(
        f"update [{table}] set {', '.join(f'[{c}] = ?' for c in data)} where [{pk_column}] = ?",
        [*data.values(), pk],
    )


def source_state(db: sqlite_utils.Database, source_id: str) -> dict[str, Any] | None:
    return row(db, "select * from sources where id = ?", (source_id,))


def ensure_source(db: sqlite_utils.Database, source_id: str, kind: str, service: str) -> dict[str, Any]:
    state = source_state(db, source_id)
    if state is None:
        insert_row(
            db, "sources",
            {"id": source_id, "kind": kind, "service": service, "cursor": "{}", "created_at": now_iso(),
             "baseline_done": 0, "failures": 0, "alerted": 0},
        )
        state = source_state(db, source_id)
        assert state is not None
    return state


def load_cursor(state: dict[str, Any] | None) -> dict[str, Any]:
    if not state or not state.get("cursor"):
        return {}
    try:
        value = json.loads(state["cursor"])
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def x_reads_this_month(db: sqlite_utils.Database, when: datetime | None = None) -> int:
    month = (when or now_utc()).strftime("%Y-%m")
    found = row(db, "select reads from x_usage where month = ?", (month,))
    return int(found["reads"]) if found else 0


def add_x_reads(db: sqlite_utils.Database, reads: int, when: datetime | None = None) -> None:
    if reads <= 0:
        return
    month = (when or now_utc()).strftime("%Y-%m")
    db.execute(
        "insert into x_usage (month, reads) values (?, ?) on conflict(month) do update set reads = reads + excluded.reads",
        (month, reads),
    )
