"""The state database (SQLite via sqlite-utils, WAL): schema migrations, transactions, source state.

Only this module and the stages it is handed to (incidents, outbox) read or write ``state.db``.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
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


@migrations()
def m005_hot_path_indexes(db: sqlite_utils.Database) -> None:
    """An index for every lookup on the poll's hot path (tests/test_query_plans.py checks each plan): a poll's cost
    per statement no longer grows with the tables. ``lower(service)`` lookups use expression indexes; the event
    lookup reads a window of openings bounded by the longest opening-to-resolution span (an expression index)."""
    for sql in (
        # incidents._duplicate_of: the same thread read through another source of the service
        "create index if not exists idx_posts_service_thread on posts (service, thread_key)",
        # incidents._find_open_incident / _link_maintenance: a service's open incidents by last word
        "create index if not exists idx_incidents_lservice_status on incidents (lower(service), status, last_statement_at)",
        # incidents._attach_report: a service's latest resolution
        "create index if not exists idx_incidents_lservice_resolved on incidents (lower(service), resolved_at)",
        # incidents.mark_stale: open incidents silent for too long
        "create index if not exists idx_incidents_status_last on incidents (status, last_statement_at)",
        # incidents._join_event: still-open incidents; incidents opened within a window; the longest span
        "create index if not exists idx_incidents_status_resolved on incidents (status, resolved_at)",
        "create index if not exists idx_incidents_opened on incidents (opened_at)",
        "create index if not exists idx_incidents_span on incidents ((julianday(resolved_at) - julianday(opened_at)))",
        # incidents._close_event_if_done: an event's members
        "create index if not exists idx_incidents_event on incidents (event_id) where event_id is not null",
        # incidents._find_open_incident: does this incident already follow another thread of the same source?
        "create index if not exists idx_incident_keys_incident on incident_keys (incident_id, source_id)",
        # pipeline._announce_open_incidents: an incident's latest change
        "create index if not exists idx_incident_changes_incident_at on incident_changes (incident_id, at, id)",
        # outbox.enqueue: has this channel said anything about the incident / the event yet?
        "create index if not exists idx_outbox_channel_incident on outbox (channel_id, incident_id)",
        "create index if not exists idx_outbox_channel_event on outbox (channel_id, event_id)",
    ):
        db.execute(sql)


@migrations()
def m006_stream_state(db: sqlite_utils.Database) -> None:
    """Push streams (Bluesky Jetstream, Mastodon streaming, the Statuspage webhook receiver): where each stands
    (live / down / silent), since when, and its replay cursor (Jetstream ``time_us``), so a restart replays what
    it missed. Written only by the daemon's writer thread (streams/hub.py)."""
    db.execute(
        "create table if not exists streams (id text primary key, kind text, status text, detail text, "
        "sources text, cursor text, since text, connected_at text, last_heard_at text, last_event_at text, "
        "last_error text, reconnects integer default 0, events integer default 0, fallback integer default 0, "
        "updated_at text)"
    )


@migrations()
def m007_reopened_at(db: sqlite_utils.Database) -> None:
    """When an incident last came back after a resolution (its latest ``reopened`` change): the messages tell the
    trouble since then, not one span over the hours it was resolved (facts.context.with_began)."""
    if "reopened_at" not in db["incidents"].columns_dict:
        db["incidents"].add_column("reopened_at", str)
    db.execute("update incidents set reopened_at = (select max(at) from incident_changes c where c.incident_id = "
               "incidents.id and c.change = 'reopened') where reopened > 0")


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


_NOW_ISO: tuple[int, str] = (-1, "")  # (the second, its text): a poll stamps thousands of rows within one second


def now_iso() -> str:
    """``iso_utc(now_utc())``, formatted once per second."""
    global _NOW_ISO
    second = int(time.time())
    cached = _NOW_ISO
    if cached[0] != second:
        cached = _NOW_ISO = (second, iso_utc(datetime.fromtimestamp(second, timezone.utc)))
    return cached[1]


class StateError(Exception):
    """The state database cannot be used (corrupted, read-only, locked past the wait, not a file, no folder): one
    line saying what happened and what to do. ``bot.py`` prints it and exits with ``EXIT_STATE``."""

    one_line = True  # logged without a traceback (logsetup), wherever it is caught and logged on the way

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


EXIT_STATE = 4  # bot.py's exit code for a state database it cannot use (3 is "another pushti holds the lock")
BUSY_TIMEOUT = 30.0  # seconds a write waits for another writer before giving up (``[bot] state_wait``)
MAX_BUSY_TIMEOUT = 600.0
_STATE_PROBLEMS = (
    "locked", "busy", "readonly", "read-only", "not a database", "malformed", "corrupt", "disk i/o", "disk is full",
    "unable to open", "out of memory", "cantopen", "permission",
)


def set_busy_timeout(seconds: Any) -> float:
    """How long (seconds) a write waits for another writer; a number in (0, 600], else ValueError."""
    global BUSY_TIMEOUT
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        raise ValueError(f"must be a number of seconds, not {seconds!r}") from None
    if not (0 < value <= MAX_BUSY_TIMEOUT):  # also refuses nan and inf
        raise ValueError(f"must be more than 0 s and at most {MAX_BUSY_TIMEOUT:g} s, not {seconds!r}")
    BUSY_TIMEOUT = value
    return value


def _first_line(err: BaseException) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return text[:200]


def _writable(folder: Path) -> bool:
    import os

    return os.access(folder, os.W_OK | os.X_OK)


def state_error(path: str | Path, err: BaseException) -> StateError:
    """Translate a SQLite or file-system error about the state database into one line with what to do."""
    where = str(path)
    folder = Path(path).resolve().parent if where != ":memory:" else Path(".")
    reason = _first_line(err)
    lowered = reason.lower()
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return StateError(f"state database {where} is corrupted ({reason}): restore it from a backup or move it away "
                          "to start fresh")
    if "locked" in lowered or "busy" in lowered:
        return StateError(f"state database {where} is locked by another process (waited {BUSY_TIMEOUT:g} s): stop "
                          "the other writer (another pushti, a sqlite3 shell, a backup tool) and try again")
    if "readonly" in lowered or "read-only" in lowered or isinstance(err, PermissionError) or "permission" in lowered:
        if where != ":memory:" and not _writable(folder):
            return StateError(f"state database {where}: its folder {folder} is not writable ({reason}): SQLite needs "
                              "to create files next to it; make the folder writable or point [bot] state elsewhere")
        return StateError(f"state database {where} is read-only ({reason}): make the file and its folder writable "
                          "by this user, or point [bot] state elsewhere")
    if "disk is full" in lowered or "no space" in lowered:
        return StateError(f"state database {where}: the disk is full ({reason}): free some space and try again")
    if "disk i/o" in lowered or isinstance(err, OSError) and not isinstance(err, PermissionError):
        return StateError(f"state database {where}: input/output error ({reason}): check the disk and the path")
    if "unable to open" in lowered or "cantopen" in lowered:
        if Path(path).is_dir():
            return StateError(f"state database {where} is a folder, not a file: set [bot] state to a file path "
                              f"(e.g. {Path(where) / 'state.db'})")
        if not folder.is_dir():
            return StateError(f"state database {where}: its folder {folder} does not exist: create it or point "
                              "[bot] state elsewhere")
        if not _writable(folder):
            return StateError(f"state database {where}: its folder {folder} is not writable: make it writable or "
                              "point [bot] state elsewhere")
        return StateError(f"state database {where} cannot be opened ({reason}): check the path and its permissions")
    return StateError(f"state database {where}: {reason}: check the file, or restore it from a backup")


def is_state_problem(err: BaseException) -> bool:
    """Whether a SQLite error is about the database file (locked, read-only, corrupted, disk) rather than a bug."""
    if not isinstance(err, sqlite3.OperationalError | sqlite3.DatabaseError) or isinstance(
        err, sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.InterfaceError
    ):
        return False
    lowered = str(err).lower()
    return any(word in lowered for word in _STATE_PROBLEMS)


def _check_path(path: Path) -> None:
    """What can be said before SQLite tries: the path is a folder, or its folder cannot be made."""
    if path.is_dir():
        raise StateError(f"state database {path} is a folder, not a file: set [bot] state to a file path "
                         f"(e.g. {path / 'state.db'})")
    parent = path.parent
    for ancestor in (parent, *parent.parents):
        if ancestor.exists() and not ancestor.is_dir():
            raise StateError(f"state database {path}: {ancestor} is a file, not a folder: point [bot] state elsewhere")
        if ancestor.exists():
            break
    if parent.is_dir():
        return
    try:
        parent.mkdir(parents=True, exist_ok=True)
        logging.getLogger("pushti.store").info("created the folder %s for the state database", parent)
    except OSError as err:
        raise StateError(f"state database {path}: its folder {parent} does not exist and cannot be created "
                         f"({_first_line(err)}): create it or point [bot] state elsewhere") from None


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the state database, in WAL mode, migrated to the latest schema.

    Anything that makes the file unusable (corrupted, read-only, locked by another writer past ``BUSY_TIMEOUT``,
    a folder, no folder) raises ``StateError`` with one line saying what to do; a write is tried at once, so a
    read-only or locked database is told here rather than in the middle of a poll."""
    if str(path) != ":memory:":
        _check_path(Path(path))
    conn = None
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        migrations.apply(db)
        conn.execute("BEGIN IMMEDIATE")  # can this process write? (read-only file or folder, another writer)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.execute(f"PRAGMA user_version = {int(version)}")  # a write SQLite refuses on a read-only file
        finally:
            conn.execute("ROLLBACK")
    except (sqlite3.Error, OSError) as err:
        if conn is not None:
            conn.close()
        raise state_error(path, err) from None
    db.state_path = str(path)  # type: ignore[attr-defined]
    return db


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One atomic unit of work: BEGIN IMMEDIATE … COMMIT, rolled back on any exception. A state problem met on
    the way (another writer past the wait, a file turned read-only, corruption, a full disk) is a ``StateError``."""
    conn = db.conn
    where = getattr(db, "state_path", "state database")
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as err:
        if is_state_problem(err):
            raise state_error(where, err) from None
        raise
    try:
        yield db
    except BaseException as err:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # SQLite already rolled back (e.g. after a full disk)
        if isinstance(err, sqlite3.Error) and is_state_problem(err):
            raise state_error(where, err) from None
        raise
    else:
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as err:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if is_state_problem(err):
                raise state_error(where, err) from None
            raise


def row(db: sqlite_utils.Database, sql: str, params: tuple | dict = ()) -> dict[str, Any] | None:
    for item in db.query(sql, params):
        return item
    return None


def rows(db: sqlite_utils.Database, sql: str, params: tuple | dict = ()) -> list[dict[str, Any]]:
    return list(db.query(sql, params))


# the SQL of insert_row / update_row by (table, columns[, key column]): the writer builds the same few per statement
_INSERT_SQL: dict[tuple[str, tuple[str, ...]], str] = {}
_UPDATE_SQL: dict[tuple[str, tuple[str, ...], str], str] = {}


def insert_row(db: sqlite_utils.Database, table: str, data: dict[str, Any]) -> int:
    """INSERT one row, returning its rowid (plain SQL: no table introspection on the hot path)."""
    columns = tuple(data)
    sql = _INSERT_SQL.get((table, columns))
    if sql is None:
        sql = f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) values ({', '.join('?' * len(columns))})"
        if len(_INSERT_SQL) < 1000:
            _INSERT_SQL[(table, columns)] = sql
    cursor = db.conn.execute(sql, tuple(data.values()))
    return int(cursor.lastrowid or 0)


def update_row(db: sqlite_utils.Database, table: str, pk: Any, data: dict[str, Any], pk_column: str = "id") -> None:
    """UPDATE one row by primary key (plain SQL)."""
    if not data:
        return
    columns = tuple(data)
    sql = _UPDATE_SQL.get((table, columns, pk_column))
    if sql is None:
        sql = f"update [{table}] set {', '.join(f'[{c}] = ?' for c in columns)} where [{pk_column}] = ?"
        if len(_UPDATE_SQL) < 1000:
            _UPDATE_SQL[(table, columns, pk_column)] = sql
    db.conn.execute(sql, (*data.values(), pk))


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
