"""Incidents: links each classified statement to the incident it is about and records every change.

Exact ids first (a source's incident id / conversation id), then the open incident of the same service within
the link window. A resolution closes the incident; an update after resolution reopens it; incidents with no word
for ``stale_hours`` are marked stale. Incidents of several services that overlap form an event.
Runs inside the caller's transaction; returns the change rows it wrote. A poll links its statements with one
``LinkCache``, which keeps what the poll read and wrote in memory and writes some rows when flushed.
"""

from __future__ import annotations

import functools
import json
import re
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlite_utils

from posts import Post, iso_utc, parse_time
from store import insert_row, now_iso, update_row

if TYPE_CHECKING:
    from classify import Statement

# The classifier (numpy, the model) and the stated-time readers are imported where a statement is linked, not when
# this module is: ``bot.py deliver`` / ``status`` / ``incidents`` reach this module through outbox and read no text.
# classify.OUTAGE_KINDS, the kinds that tell of an outage:
OUTAGE_KINDS = ("acknowledged", "update", "recovering", "resolved")

STATUS_OPEN = "open"
STATUS_RESOLVED = "resolved"
STATUS_STALE = "stale"
KIND_INCIDENT = "incident"
KIND_MAINTENANCE = "maintenance"
REPORT_WINDOW = timedelta(days=30)  # a post-incident report attaches to a resolution at most this old

# The hot path's lookups, one constant each: tests/test_query_plans.py runs EXPLAIN QUERY PLAN on these very
# strings and asserts each uses an index (store.m005_hot_path_indexes), never a scan of posts / incidents /
# incident_changes. ``lower(service)`` is matched by the expression indexes on ``lower(service)``.
SQL_POST_EXISTS = "select id from posts where source_id = ? and native_id = ?"
SQL_DUPLICATE_CANDIDATES = (
    "select id, text, incident_id, created_at from posts where service = ? and thread_key = ? "
    "and source_id != ? and id != ? and substr(created_at, 1, 16) = ? and duplicate_of is null"
)
# the same lookup for all of one poll's threads at once (pipeline: one query per 500 threads, not one per statement)
SQL_DUPLICATE_CANDIDATES_BATCH = (
    "select id, text, incident_id, created_at, thread_key from posts where service = ? and thread_key in ({marks}) "
    "and source_id != ? and duplicate_of is null order by id"
)
SQL_KEY_INCIDENT = "select incident_id from incident_keys where key = ?"
SQL_KEYS_INCIDENTS = "select key, incident_id from incident_keys where key in ({marks})"  # a poll's keys at once
SQL_INCIDENT = "select * from incidents where id = ?"
SQL_OPEN_INCIDENTS = (
    "select * from incidents where lower(service) = lower(?) and status = ? and last_statement_at >= ? "
    "and coalesce(kind, 'incident') = 'incident' order by last_statement_at desc"
)
SQL_OPEN_OF_SERVICE = (  # LinkCache.may_have_open: a service's open incidents, whatever their last word
    "select id, last_statement_at from incidents where lower(service) = lower(?) and status = ? "
    "and coalesce(kind, 'incident') = 'incident'"
)
SQL_KEY_CLASH = "select 1 from incident_keys where incident_id = ? and source_id = ? and key != ?"
SQL_REPORT_TARGET = (
    "select * from incidents where lower(service) = lower(?) and coalesce(kind, 'incident') = 'incident' "
    "and resolved_at is not null and resolved_at >= ? and resolved_at <= ? order by resolved_at desc limit 1"
)
SQL_OPEN_MAINTENANCE = (
    "select * from incidents where lower(service) = lower(?) and kind = 'maintenance' and status = 'open' "
    "and last_statement_at >= ? order by last_statement_at desc limit 1"
)
# The longest span from opening to resolution of any incident (days; matched by an expression index): an
# incident resolved after a moment T opened after T minus this span, so the event lookup reads a window of
# openings instead of every incident opened before T.
SQL_LONGEST_SPAN = "select max(julianday(resolved_at) - julianday(opened_at)) as days from incidents"
# Incidents of other services an incident opened at T may join (same conditions as one query with
# "(resolved_at is null or resolved_at >= T) and opened_at <= T + window", split so each half uses an index):
# 1. still open (no resolution time), 2. resolved at or after T, so opened within [T - longest span, T + window]
# (read by opening time: the unary + keeps SQLite from walking every incident resolved after T instead, which in a
# first poll of years of history is most of the table).
_EVENT_FILTER = (
    "id != :id and lower(service) != lower(:service) and opened_at is not null "
    "and coalesce(kind, 'incident') = 'incident' and coalesce(unsure, 0) = 0 and status in ('open', 'resolved')"
)
SQL_EVENT_PARTNERS = (
    f"select * from incidents where status in ('open', 'resolved') and resolved_at is null and {_EVENT_FILTER} "
    "and opened_at <= :latest "
    "union all "
    f"select * from incidents where opened_at >= :earliest and opened_at <= :latest and +resolved_at >= :opened "
    f"and {_EVENT_FILTER.replace('and status in', 'and +status in')} "
    "order by opened_at, id"
)
SQL_EVENT = "select * from events where id = ?"
SQL_EVENT_MEMBERS = "select status, resolved_at from incidents where event_id = ?"
SQL_INCIDENT_EVENT = "select event_id from incidents where id = ?"
SQL_EARLIER_WORDS = (  # the incident's earlier statements, newest first (posts by incident_id: indexed)
    "select text, created_at, kind from posts where incident_id = ? and duplicate_of is null and created_at <= ? "
    "order by created_at desc, id desc limit 20"
)
SQL_STALE_CANDIDATES = "select id from incidents where status = ? and last_statement_at < ?"
SQL_SET_POST_INCIDENT = "update posts set incident_id = ? where id = ?"
SQL_REMEMBER_KEY = "insert or ignore into incident_keys (key, incident_id, source_id) values (?, ?, ?)"
SQL_ADD_CHANGE = (  # the id given: the one SQLite would pick (LinkCache.change_id), so changes can wait in memory
    "insert into incident_changes (id, incident_id, change, post_id, at, recorded_at, notify, detail) "
    "values (?, ?, ?, ?, ?, ?, ?, ?)"
)
SQL_LAST_CHANGE_ID = "select max(id) as id from incident_changes"
SQL_SET_POST_DUPLICATE = "update posts set duplicate_of = ?, incident_id = ? where id = ?"
HOT_PATH_QUERIES = {
    name: value.format(marks="?, ?") for name, value in globals().items()
    if name.startswith("SQL_") and value.lstrip().startswith("select")
}


def row(db: sqlite_utils.Database, sql: str, params: tuple | dict = ()) -> dict[str, Any] | None:
    """The first row as a dict, or None (straight on the connection: no savepoint per query as
    ``sqlite_utils.Database.query`` wraps each one in)."""
    cursor = db.conn.execute(sql, params)
    found = cursor.fetchone()
    if found is None:
        return None
    return dict(zip([d[0] for d in cursor.description], found, strict=True))


def rows(db: sqlite_utils.Database, sql: str, params: tuple | dict = ()) -> list[dict[str, Any]]:
    cursor = db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, found, strict=True)) for found in cursor.fetchall()]


@dataclass(frozen=True)
class LinkSettings:
    window_hours: float = 12.0
    stale_hours: float = 48.0
    event_window_minutes: float = 90.0


@dataclass(frozen=True)
class Change:
    id: int
    incident_id: int
    change: str  # acknowledged | update | resolved | reopened | stale
    post_id: int | None
    at: str


# _incident_columns by database (its schema is settled when it is opened: store.open_db migrates it)
_COLUMNS: weakref.WeakKeyDictionary[sqlite_utils.Database, tuple[dict[str, int | None], set[tuple[str, type]]]] = (
    weakref.WeakKeyDictionary()
)


def _incident_columns(db: sqlite_utils.Database) -> tuple[dict[str, int | None], set[tuple[str, type]]]:
    """incidents' columns: a row of their defaults, and which (column, type of a value) read back as written (None,
    or the Python type of the column's declared type); none when a default is not a plain integer (then LinkCache
    builds and updates no row: each is read back instead)."""
    types = {"TEXT": str, "INTEGER": int}
    defaults: dict[str, int | None] = {}
    stored_as: set[tuple[str, type]] = set()
    for _, name, declared, _, default, _ in db.conn.execute("pragma table_info(incidents)"):
        if default is not None and not str(default).isdigit():
            return {}, set()
        defaults[name] = None if default is None else int(default)
        stored_as.add((name, type(None)))
        if str(declared).upper() in types:
            stored_as.add((name, types[str(declared).upper()]))
    return defaults, stored_as


class LinkCache:
    """What linking one poll's statements has read or written, kept in memory so that the next statement of the
    same poll does not ask SQLite again: the poll's incident keys, the incident rows it read or wrote (every write
    to such a row goes through ``insert_incident`` / ``update_incident``, which keep it equal to the stored row),
    each service's open incidents, the earlier words its resolutions read back, and the writes nothing reads before
    the poll ends (each post's incident or duplicate, the change rows, new keys), sent with one ``executemany`` by
    ``flush``. Valid inside ONE transaction in which only this code writes those tables (pipeline.apply_result: one
    source's poll); what waits must be flushed before anything reads it (``_said_before`` flushes the
    incident's posts, the key clash the keys; the pipeline flushes all before announcing and queueing)."""

    def __init__(self) -> None:
        self.keys: dict[str, int | None] = {}  # incident key → incident id (None: known to be absent)
        self.new_keys: list[tuple[str, int, str]] = []  # incident_keys rows not written yet
        self.incidents: dict[int, dict[str, Any]] = {}  # incident id → its row as stored now
        self.post_incidents: list[tuple[int, int]] = []  # (incident id, post id) not written yet
        self._waiting: set[int] = set()  # the incident ids in post_incidents
        self.duplicates: list[tuple[int, int | None, int]] = []  # (duplicate of, incident id, post id) not written yet
        self.changes: list[tuple[Any, ...]] = []  # incident_changes rows not written yet (ids given)
        # read_earlier by (text, created_at): pre-read by the fetcher process (pre_read_earlier) or read here once
        self.earlier: dict[tuple[str, str], _EarlierWords] = {}
        self._last_change_id: int | None = None
        self._defaults: dict[str, int | None] | None = None  # see _incident_columns
        # lower(service) as SQLite lowers it → {its open incident's id: last_statement_at} (SQL_OPEN_OF_SERVICE, read
        # once per service and poll, then kept right with every write); None: a write it could not follow
        self._open: dict[str, dict[int, Any]] | None = {}
        self._lowered: dict[str, str] = {}  # service → SQLite's lower() of it
        self._stored_as: set[tuple[str, type]] = set()

    def load_keys(self, db: sqlite_utils.Database, keys: set[str]) -> None:
        """Read the poll's incident keys at once (one query per 500): each then known stored or absent."""
        ordered = sorted(keys)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start:start + 500]
            self.keys.update(dict.fromkeys(chunk))
            sql = SQL_KEYS_INCIDENTS.format(marks=", ".join("?" * len(chunk)))
            self.keys.update(db.conn.execute(sql, chunk).fetchall())

    def earlier_words(self, text: str, created_at: str) -> _EarlierWords:
        """``read_earlier``, once per statement and poll (a statement is read again at each later resolution)."""
        words = self.earlier.get((text, created_at))
        if words is None:
            words = self.earlier[(text, created_at)] = read_earlier(text, created_at)
        return words

    def key_incident(self, db: sqlite_utils.Database, key: str) -> int | None:
        """The incident id remembered for an incident key (SQL_KEY_INCIDENT), asked once per poll."""
        if key not in self.keys:
            known = row(db, SQL_KEY_INCIDENT, (key,))
            self.keys[key] = known["incident_id"] if known else None
        return self.keys[key]

    def remember_key(self, db: sqlite_utils.Database, key: str, incident_id: int, source_id: str) -> None:
        """SQL_REMEMBER_KEY (insert or ignore): skipped for a key known to be stored, which it would ignore; a key
        known to be absent waits for ``flush`` (read only by SQL_KEY_CLASH, which flushes first)."""
        if self.keys.get(key) is not None:
            return
        if key in self.keys:
            self.keys[key] = incident_id
            self.new_keys.append((key, incident_id, source_id))
            return
        cursor = db.conn.execute(SQL_REMEMBER_KEY, (key, incident_id, source_id))
        if cursor.rowcount == 1:
            self.keys[key] = incident_id
        else:
            self.keys.pop(key, None)  # stored by someone else meanwhile: ask again when needed

    def incident(self, db: sqlite_utils.Database, incident_id: int) -> dict[str, Any] | None:
        """The incident's row (SQL_INCIDENT), from memory when this poll read or wrote it."""
        found = self.incidents.get(incident_id)
        if found is None:
            found = row(db, SQL_INCIDENT, (incident_id,))
            if found is not None:
                self.incidents[incident_id] = found
        return found

    def seen(self, incident: dict[str, Any] | None) -> dict[str, Any] | None:
        """Keep an incident row just read from the database (it is what is stored)."""
        if incident is not None:
            self.incidents[incident["id"]] = incident
        return incident

    def _read_columns(self, db: sqlite_utils.Database) -> None:
        """incidents' columns (``_incident_columns``), once per database."""
        known = _COLUMNS.get(db)
        if known is None:
            known = _COLUMNS[db] = _incident_columns(db)
        self._defaults, self._stored_as = known

    def _as_stored(self, db: sqlite_utils.Database, values: dict[str, Any]) -> bool:
        """Whether these values read back unchanged: each None or of its column's type, as SQLite keeps it."""
        if self._defaults is None:
            self._read_columns(db)
        return {(name, type(value)) for name, value in values.items()} <= self._stored_as

    def insert_incident(self, db: sqlite_utils.Database, data: dict[str, Any]) -> int:
        """INSERT an incident; its row is kept as SQLite stores it (column defaults for the columns not given)."""
        incident_id = insert_row(db, "incidents", data)
        if self._as_stored(db, data) and "id" in (self._defaults or {}):
            stored = dict(self._defaults or {})
            stored.update(data, id=incident_id)
            self.incidents[incident_id] = stored
        self._follow_open(db, incident_id)
        return incident_id

    def update_incident(self, db: sqlite_utils.Database, incident_id: int, updates: dict[str, Any]) -> None:
        """UPDATE an incident, and its row in memory the same way (or forget it when a value would read back
        otherwise)."""
        update_row(db, "incidents", incident_id, updates)
        self.updated(db, [incident_id], updates)

    def updated(self, db: sqlite_utils.Database, incident_ids: list[int], updates: dict[str, Any]) -> None:
        """These incidents' rows were updated with these values in the database."""
        keep = self._as_stored(db, updates)
        for incident_id in incident_ids:
            if incident_id in self.incidents:
                if keep:
                    self.incidents[incident_id].update(updates)
                else:
                    del self.incidents[incident_id]
        if "service" in updates:
            self._open = None
        elif "status" in updates or "kind" in updates or "last_statement_at" in updates:
            for incident_id in incident_ids:
                self._follow_open(db, incident_id)

    def _lower(self, db: sqlite_utils.Database, service: str) -> str:
        """SQLite's lower() of a service name (ASCII only, unless built with ICU), asked once per name."""
        lowered = self._lowered.get(service)
        if lowered is None:
            lowered = self._lowered[service] = str(db.conn.execute("select lower(?)", (service,)).fetchone()[0])
        return lowered

    def _follow_open(self, db: sqlite_utils.Database, incident_id: int) -> None:
        """After a write to this incident: keep the open incidents of its service right (from its row as stored
        now; without that row, stop answering ``may_have_open`` for this poll)."""
        if self._open is None:
            return
        stored = self.incidents.get(incident_id)
        if stored is None or not isinstance(stored["service"], str):
            self._open = None
            return
        known = self._open.get(self._lower(db, stored["service"]))
        if known is None:
            return  # not read yet: it is read as stored
        if stored["status"] == STATUS_OPEN and (stored["kind"] if stored["kind"] is not None else KIND_INCIDENT) == KIND_INCIDENT:
            known[incident_id] = stored["last_statement_at"]
        else:
            known.pop(incident_id, None)

    def may_have_open(self, db: sqlite_utils.Database, service: str, since: str) -> bool:
        """False only when SQL_OPEN_INCIDENTS would find nothing: no open incident of this service whose last
        statement is at or after ``since`` (in a first poll of history, nearly every new thread's case)."""
        if self._open is None or not isinstance(service, str):
            return True
        key = self._lower(db, service)
        known = self._open.get(key)
        if known is None:
            known = self._open[key] = dict(db.conn.execute(SQL_OPEN_OF_SERVICE, (service, STATUS_OPEN)).fetchall())
        return any(isinstance(last, str) and last >= since for last in known.values())

    def change_id(self, db: sqlite_utils.Database) -> int:
        """The id SQLite would give the next incident_changes row (an INTEGER PRIMARY KEY: the largest plus one)."""
        if self._last_change_id is None:
            last = row(db, SQL_LAST_CHANGE_ID)
            self._last_change_id = int(last["id"] or 0) if last else 0
        self._last_change_id += 1
        return self._last_change_id

    def flush(self, db: sqlite_utils.Database) -> None:
        """Write what waits in memory: the change rows, the new incident keys, each post's incident or duplicate."""
        self.flush_keys(db)
        if self.changes:
            db.conn.executemany(SQL_ADD_CHANGE, self.changes)
            self.changes = []
        self.flush_posts(db)

    def flush_keys(self, db: sqlite_utils.Database) -> None:
        """Write the new incident keys that wait in memory (before incident_keys is read)."""
        if self.new_keys:
            db.conn.executemany(SQL_REMEMBER_KEY, self.new_keys)
            self.new_keys = []

    def set_post_incident(self, post_id: int, incident_id: int) -> None:
        """SQL_SET_POST_INCIDENT, written by ``flush_posts``."""
        self.post_incidents.append((incident_id, post_id))
        self._waiting.add(incident_id)

    def flush_posts(self, db: sqlite_utils.Database, incident_id: int | None = None) -> None:
        """Write each post's incident or duplicate that waits in memory (before posts are read by incident);
        ``incident_id``: only if a post of this incident waits (a duplicate is never read as one of its words)."""
        if incident_id is not None and incident_id not in self._waiting:
            return
        if self.post_incidents:
            db.conn.executemany(SQL_SET_POST_INCIDENT, self.post_incidents)
            self.post_incidents = []
            self._waiting = set()
        if self.duplicates:
            db.conn.executemany(SQL_SET_POST_DUPLICATE, self.duplicates)
            self.duplicates = []


def _norm_text(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def incident_key(service: str, thread_key: str) -> str:
    return f"{service.lower()}|{thread_key}"


# json.dumps(…, sort_keys=True), with the encoder built once, not per post
_JSON_SORTED = json.JSONEncoder(sort_keys=True).encode


def _json_names(names: tuple[str, ...], ascii_only: bool) -> str:
    """A post's components / a statement's symptoms as its ``posts`` column holds them: the same few lists recur
    in every poll, so each is encoded once (a list of something unhashable, each time)."""
    try:
        return _json_names_once(names, ascii_only)
    except TypeError:
        return json.dumps(list(names), ensure_ascii=ascii_only)


@functools.lru_cache(maxsize=4096)
def _json_names_once(names: tuple[str, ...], ascii_only: bool) -> str:
    return json.dumps(list(names), ensure_ascii=ascii_only)


def post_data(post: Post, statement: Statement, seen_at: str) -> dict[str, Any]:
    """The ``posts`` row of a classified post."""
    data = post.to_row()
    data.update(
        components=_json_names(tuple(post.components), False),
        is_reply=int(post.is_reply),
        is_self_reply=int(post.is_self_reply),
        kind=statement.kind,
        confidence=statement.confidence,
        reason=statement.reason,
        text_kind=statement.text_kind,
        probabilities=_JSON_SORTED(statement.probabilities) if statement.probabilities else None,
        symptoms=_json_names(tuple(statement.symptoms), True),
        language=post.language or statement.language,
        seen_at=seen_at,
    )
    return data


def record_post(db: sqlite_utils.Database, post: Post, statement: Statement) -> int | None:
    """Insert the post (with its classification). Returns the new row id, or None if it was already stored."""
    existing = row(db, SQL_POST_EXISTS, (post.source_id, post.native_id))
    if existing:
        return None
    data = post_data(post, statement, now_iso())
    return insert_row(db, "posts", data)


Candidates = dict[tuple[str, str, str], list[dict[str, Any]]]


def duplicate_candidates(db: sqlite_utils.Database, posts: list[Post]) -> Candidates:
    """For ``_duplicate_of``, all at once: the posts of *other* sources that share a thread with these posts (same
    service and thread key, not duplicates themselves), by (service, source id, thread key), in row order — one
    query per 500 threads. Valid while only these posts' own source writes (a source's transaction)."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for post in posts:
        if post.thread_key:
            wanted.setdefault((post.service, post.source_id), set()).add(post.thread_key)
    found: Candidates = {}
    for (service, source_id), keys in wanted.items():
        ordered = sorted(keys)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start:start + 500]
            sql = SQL_DUPLICATE_CANDIDATES_BATCH.format(marks=", ".join("?" * len(chunk)))
            for other in rows(db, sql, (service, *chunk, source_id)):
                found.setdefault((service, source_id, other.pop("thread_key")), []).append(other)
    return found


def _duplicate_of(
    db: sqlite_utils.Database, post: Post, post_id: int, candidates: Candidates | None = None, at: str = ""
) -> dict[str, Any] | None:
    """The same statement already read through another source of the service (status page JSON and feed).
    ``candidates``: ``duplicate_candidates`` of the poll that holds this post (else one query here); ``at``: the
    post's time as ``iso_utc`` writes it, when the caller has it."""
    if not post.thread_key:
        return None
    minute = (at or iso_utc(post.created_at))[:16]
    text = None
    if candidates is None:
        others = rows(db, SQL_DUPLICATE_CANDIDATES, (post.service, post.thread_key, post.source_id, post_id, minute))
    else:  # the same conditions as SQL_DUPLICATE_CANDIDATES, in the same (row) order
        others = [other for other in candidates.get((post.service, post.source_id, post.thread_key), ())
                  if other["id"] != post_id and isinstance(other["created_at"], str) and other["created_at"][:16] == minute]
    for other in others:
        if text is None:
            text = _norm_text(post.text)
        if _norm_text(other["text"]) == text:
            return other
    return None


def _add_change(
    db: sqlite_utils.Database, cache: LinkCache, incident_id: int, change: str, post_id: int | None, at: str,
    notify: bool, detail: str = "",
) -> Change:
    """An incident_changes row with the id SQLite would give it, written by ``cache.flush``."""
    change_id = cache.change_id(db)
    cache.changes.append((change_id, incident_id, change, post_id, at, now_iso(), int(notify), detail))
    return Change(change_id, incident_id, change, post_id, at)


def _find_open_incident(
    db: sqlite_utils.Database, post: Post, settings: LinkSettings, cache: LinkCache
) -> dict[str, Any] | None:
    """The open incident of the same service whose last word is within the window. A status-page statement (it
    has a structured status) does not join an incident that already follows a *different* incident id of the same
    page: two concurrent incidents on one status page stay apart. Social posts carry no incident id (a new
    top-level post starts a new conversation), so they join the service's open incident."""
    since = iso_utc(post.created_at - timedelta(hours=settings.window_hours))
    if not cache.may_have_open(db, post.service, since):
        return None
    candidates = rows(db, SQL_OPEN_INCIDENTS, (post.service, STATUS_OPEN, since))
    for incident in candidates:
        if post.thread_key and post.status:
            cache.flush_keys(db)
            clash = row(db, SQL_KEY_CLASH, (incident["id"], post.source_id, incident_key(post.service, post.thread_key)))
            if clash:
                continue
        return cache.seen(incident)
    return None


_DIGIT = re.compile(r"\d")  # any digit, as the stated-time readers' patterns match them (Unicode digits too)
POSTED_ONLY_SECONDS = 60  # a start/end field this close to its statement is its posting stamp, not a stated time
OPENED_WITHIN = timedelta(hours=1)  # a start field this little before its statement may be when the incident was opened
OPENED_MARGIN = timedelta(minutes=15)  # … when the words state a start more than this before it (not a rounding)


@dataclass(frozen=True)
class _Stated:
    """The times a statement states (a structured field beats the text): ISO strings or None, and where from."""

    start: str | None = None
    start_from: str = ""
    end: str | None = None
    end_from: str = ""


def _posted_only(post: Post, field: datetime | None) -> bool:
    """A structured start/end within POSTED_ONLY_SECONDS of the statement itself."""
    return field is not None and abs((post.created_at - field).total_seconds()) < POSTED_ONLY_SECONDS


def pre_state(post_list: list[Post]) -> dict[tuple[str, str], _Stated]:
    """``stated_times`` of every post, by (source id, native id): computed where the posts were parsed (a fetcher
    process on another core) and handed to ``link_statement``, which then does not read the words again."""
    return {(post.source_id, post.native_id): stated_times(post) for post in post_list}


def stated_times(post: Post) -> _Stated:
    """The start/end the company states in this statement: its source's structured fields, else its words."""
    start = iso_utc(post.starts_at) if post.starts_at else None
    end = iso_utc(post.ends_at) if post.ends_at else None
    start_from = "field" if start else ""
    end_from = "field" if end else ""
    # a field within minutes of the statement says no more than when the incident was posted or closed (Google
    # Cloud's "begin" 08:47:55 for an update of 08:48 that says "beginning at Sunday, 2022-05-08 23:24 US/Pacific";
    # its "end" 17:04:17 for a close of 17:04 that says "resolved … as of Tuesday, 2022-06-28 09:55 US/Pacific"):
    # an earlier time stated in the words wins
    start_posted = _posted_only(post, post.starts_at)
    # a start field within the hour before the statement may be no more than when the incident was opened (Google
    # Cloud m617oqASdckYoegRtPJr: begin 18:04 UTC for a first update of 18:18 that says "beginning at Monday,
    # 2021-10-18 07:27 US/Pacific", 14:27 UTC, as its report's "Incident Start: 18 October 2021 07:30" does): a start
    # stated in the words more than OPENED_MARGIN earlier wins, as over a posting stamp. Minutes apart, the field
    # stands (4Sie4sXFPougA2Ku24pT: begin 03:03 US/Pacific, the words "03:00", the report "Start 03:03")
    start_opened = post.starts_at is not None and timedelta(0) <= post.created_at - post.starts_at < OPENED_WITHIN
    end_posted = _posted_only(post, post.ends_at)
    # a time in the words needs a digit (a timeline's stamps may be written as "&#49;…" character references)
    readable = _DIGIT.search(post.text) is not None or "&#" in post.text
    if readable and (start is None or end is None or start_posted or start_opened or end_posted):
        from facts.stated_times import stated_span, timeline_span

        span = timeline_span(post.text, posted_at=post.created_at) if "\n" in post.text else None
        if span is None or (span.start is None and span.end is None):
            span = stated_span(post.text, post.created_at)
        if span.start is None and span.end is None and "no time zone" in span.rejected and post.title:
            # clock times the words leave without a zone, the title stating them with one (OpenAI w7lt68pw6gh1,
            # 7 December 2023: "Between 2:58 - 3:10 approximately 10% of users may have been unable to send a
            # message", titled "… between ~2:58-3:10 PM pacific time"): the title's span
            span = stated_span(post.title, post.created_at)
        if span.start is not None and (start is None or (start_posted and iso_utc(span.start) < start) or (
                start_opened and post.starts_at is not None and span.start < post.starts_at - OPENED_MARGIN)):
            start, start_from = iso_utc(span.start), "text"
        if span.end is not None and (end is None or (end_posted and iso_utc(span.end) < end)):
            end, end_from = iso_utc(span.end), "text"
        elif span.start is not None and end is None and start_from == "text":
            end = _end_by_length(post, span.start)
            end_from = "text" if end else ""
    if start and end and end < start:
        if start_from == "field" and end_from == "text":
            # the words' end before a structured begin: the begin is the incident's posting stamp, repeated on every
            # update (Google Cloud FB2c3B9EAS7JA1mHgth1: begin 12:50:00 = its first update's time; its resolution at
            # 12:54 says "resolved … as of Tuesday, 2021-07-27 05:33 US/Pacific"): the company's own end stands
            start, start_from = None, ""
        else:
            end, end_from = None, ""
    return _Stated(start, start_from, end, end_from)


def _end_by_length(post: Post, start: datetime) -> str | None:
    """The end a statement states as a start and a length ("On December 2 at 13:13 CET, our API was unavailable for 9
    minutes", DatoCMS's report of 3 December 2025): the start plus the length, when the length is not hedged
    ("for about five hours" gives no end) and the end so found is not after the statement; else None."""
    from facts.stated_times import stated_length

    found = stated_length(post.text)
    if found is None or found[1]:
        return None
    end = start + timedelta(seconds=found[0])
    return iso_utc(end) if end <= post.created_at else None


@dataclass(frozen=True)
class _EarlierWords:
    """What an earlier statement's words tell a later resolution of its incident (``_earlier_stated_end``):
    whether they say the service is back, the end they state (ISO; one not after the statement), and whether they
    say it is over. A function of the words and the statement's time only."""

    back: bool
    end: str | None = None
    fixed_now: bool = False
    over: bool = False  # a trouble wholly past told in the past tense, no word of it back (stated_times.told_over)


def read_earlier(text: str, created_at: str) -> _EarlierWords:
    """``_EarlierWords`` of a stored statement (its ``text`` and ``created_at`` columns)."""
    posted = parse_time(created_at)
    if not text:
        return _EarlierWords(False)
    from facts.stated_times import says_back, says_fixed_now, stated_back

    back = says_back(text)
    # words that do not say the service is back may still tell a trouble wholly past (facts.stated_times.told_over)
    span = stated_back(text, posted, back=back)  # its end: not after it
    if not back:
        return _EarlierWords(True, iso_utc(span.end), over=True) if span is not None and span.end is not None \
            else _EarlierWords(False)
    end = iso_utc(span.end) if span is not None and span.end is not None else None
    return _EarlierWords(True, end, says_fixed_now(text, back=True))


def link_order(post: Post) -> tuple[datetime, str]:
    """The order a poll's posts are classified and linked in: oldest first, the native id breaking ties (so a
    thread's positions, and what a resolution reads back, are the same wherever they are worked out)."""
    return post.created_at, post.native_id


def pre_read_earlier(
    post_list: list[Post], statements: dict[tuple[str, str], Statement] | None = None,
    stated: dict[tuple[str, str], _Stated] | None = None,
) -> dict[tuple[str, str], _EarlierWords]:
    """``read_earlier`` of the statements a resolution in this poll will read back, by (text, created_at):
    computed where the posts were parsed (a fetcher process on another core). For each resolution (by status,
    else by its pre-classified kind) that states no end (``stated``: ``pre_state``), its thread's earlier posts
    newest first, as ``_earlier_stated_end`` reads them, up to the first that settles the end. The writer reads
    any other statement's words itself."""
    statements, stated = statements or {}, stated or {}
    threads: dict[tuple[str, str], list[Post]] = {}
    for post in post_list:
        if post.thread_key:
            threads.setdefault((post.source_id, post.thread_key), []).append(post)
    found: dict[tuple[str, str], _EarlierWords] = {}
    for thread in threads.values():
        thread.sort(key=link_order)
        for index, post in enumerate(thread):
            key = (post.source_id, post.native_id)
            told = statements.get(key)
            if not (post.status == "resolved" or (told is not None and told.kind == "resolved")):
                continue
            times = stated.get(key)
            if times is not None and times.end:
                continue  # its own end is taken (but when before the start: then the writer reads the words)
            at = iso_utc(post.created_at)
            for earlier in reversed(thread[:index]):
                when = iso_utc(earlier.created_at)
                words = found.get((earlier.text, when))
                if words is None:
                    words = found[(earlier.text, when)] = read_earlier(earlier.text, when)
                if words.back and (words.end or words.fixed_now) and when <= at:
                    break
    return found


_STILL_OPEN_KINDS = ("acknowledged", "update")
MILESTONE_GAP = timedelta(hours=1)


def _said_before(db: sqlite_utils.Database, incident_id: int, at: str, cache: LinkCache) -> list[dict[str, Any]]:
    """The incident's statements up to ``at``, newest first (SQL_EARLIER_WORDS): what a resolution reads back."""
    cache.flush_posts(db, incident_id)  # the poll's posts are read by incident
    return rows(db, SQL_EARLIER_WORDS, (incident_id, at))


def _worked_on_past(said_before: list[dict[str, Any]], end: str, at: str, first_word: str | None = None) -> bool:
    """Whether the incident said the trouble went on (an acknowledgement or update; not a "recovering" statement —
    fixed, monitoring) more than MILESTONE_GAP after ``end``, a stated end: then that end is a milestone the company
    kept working past, not the incident's end (AWS EC2 us-east-1, 22 December 2021: the resolution's "At 4:55 AM
    PST, power was restored" after ten hours of updates on the instances still down). A first word or an update
    posted soon after the end it will state (Google Cloud FB2c3B9EAS7JA1mHgth1: acknowledged 17 min after the end
    its resolution gives) leaves the end as stated. The incident's first word itself (``first_word``, its time) is
    never work past the end, however late: it is when the company first posted, not word that the trouble went on
    (Google Cloud BNZwWJfvtjg3HxKA3bjY, Cloud Vision: posted at 17:44 UTC, twelve hours after the 05:17 end its
    resolution two minutes later states). Nor is anything an incident first posted more than MILESTONE_GAP after
    the end says: all its word came after that trouble was over (Anthropic dpy9ymcrmltg, 21 June 2024: posted at
    14:16 UTC, Identified 14:18 "a fix is being implemented", resolved 14:38 with "a latency degradation … from 2:30am
    UTC until 10:30am UTC"). ``said_before``: ``_said_before`` of the resolution."""
    latest = iso_utc(parse_time(end) + MILESTONE_GAP)
    if first_word and first_word > latest:
        return False  # first posted well after the end it states: all its word came after that trouble was over
    for earlier in said_before:
        if earlier["created_at"] <= latest:
            return False  # newest first: none later than that
        if earlier["created_at"] == first_word:
            continue
        if earlier["created_at"] < at and earlier["kind"] in _STILL_OPEN_KINDS:
            return True
    return False


def _earlier_stated_end(said_before: list[dict[str, Any]], started: str | None, at: str, cache: LinkCache) -> str | None:
    """The end an earlier statement of the incident stated while saying the service was back ("As of 08:15 UTC
    connectivity has been restored"), or the time of an earlier statement saying it is over ("… is now fully
    operational … the underlying issue is resolved"), when the resolving statement states none: the company's own
    account of when it ended, not when it closed the incident. The latest such statement wins (a problem that came back and was
    restored again ends at the second restoration). ``said_before``: ``_said_before`` of the resolution."""
    for earlier in said_before:
        words = cache.earlier_words(earlier["text"], earlier["created_at"])
        if not words.back:
            continue  # words that do not say it is back state no end and do not say it is over (both ask this first)
        if words.end is not None and (not started or words.end >= started):
            return words.end
        # an earlier statement that says, with no time, that it is over ("Denver (DEN3) is now fully operational …
        # the underlying issue is resolved", labelled "Update"): it was over when that was said
        if earlier["created_at"] < at and words.fixed_now and (not started or earlier["created_at"] >= started):
            return str(earlier["created_at"])
    return None


def _first_word_told_over(said_before: list[dict[str, Any]], end: str, first_word: str | None,
                          cache: LinkCache) -> bool:
    """Whether the incident's first word itself told the trouble wholly past, ending at ``end`` (DatoCMS "Build
    trigger and webhooks delay (retrospective)", 24 November 2021, opened "Between 2021-11-23T21:30:00+00:00 and
    2021-11-23T23:20:00+00:00 there was an high increase of latency …"): what the company posted after it is about a
    trouble already over (its cause, a fix against a next time), not work past its end."""
    for earlier in said_before:
        if first_word and earlier["created_at"] == first_word:
            words = cache.earlier_words(earlier["text"], earlier["created_at"])
            return words.over and words.end == end
    return False


def _duration(start: str | None, end: str | None) -> int | None:
    if not start or not end:
        return None
    return max(0, int((parse_time(end) - parse_time(start)).total_seconds()))


def link_statement(
    db: sqlite_utils.Database,
    post: Post,
    post_id: int,
    statement: Statement,
    settings: LinkSettings,
    *,
    notify: bool = True,
    candidates: Candidates | None = None,
    pre_stated: dict[tuple[str, str], _Stated] | None = None,
    cache: LinkCache | None = None,
) -> list[Change]:
    """Link one newly stored post to its incident; write and return the incident changes it causes.
    ``candidates`` / ``pre_stated``: ``duplicate_candidates`` / ``pre_state`` of the poll that holds this post, when
    computed (the same result, fewer queries and less reading here). ``cache``: the poll's ``LinkCache``, which the
    caller flushes; without one, everything is written before this returns.

    Outages, planned maintenance and post-incident reports each follow their own lifecycle: a maintenance is an
    incident of kind "maintenance" (never an outage, never in an event); a report attaches to the incident it is
    about and reopens nothing. A social statement the model is unsure of (``statement.announce`` False) opens an
    *unsure* incident quietly; the first later statement that is sure announces it.
    """
    if cache is not None:
        return _link(db, post, post_id, statement, settings, notify, candidates, pre_stated, cache)
    cache = LinkCache()
    changes = _link(db, post, post_id, statement, settings, notify, candidates, pre_stated, cache)
    cache.flush(db)
    return changes


def _link(
    db: sqlite_utils.Database,
    post: Post,
    post_id: int,
    statement: Statement,
    settings: LinkSettings,
    notify: bool,
    candidates: Candidates | None,
    pre_stated: dict[tuple[str, str], _Stated] | None,
    cache: LinkCache,
) -> list[Change]:
    """``link_statement`` with the poll's cache."""
    at = iso_utc(post.created_at)
    if candidates is None:
        cache.flush_posts(db)  # the query reads posts' duplicate_of
    duplicate = _duplicate_of(db, post, post_id, candidates, at)
    if duplicate is not None:
        cache.duplicates.append((duplicate["id"], duplicate["incident_id"], post_id))
        return []

    incident = None
    key = incident_key(post.service, post.thread_key) if post.thread_key else ""
    if key:
        known = cache.key_incident(db, key)
        if known is not None:
            incident = cache.incident(db, known)
    if statement.kind == "noise":
        if incident is not None:
            cache.set_post_incident(post_id, incident["id"])
        return []
    if statement.kind == "report":
        return _attach_report(db, post, post_id, incident, key, notify, cache)
    if statement.kind == "maintenance" or (incident is not None and incident["kind"] == KIND_MAINTENANCE):
        return _link_maintenance(db, post, post_id, statement, incident, key, settings, notify, cache)
    if incident is None:
        incident = _find_open_incident(db, post, settings, cache)

    told = pre_stated.get((post.source_id, post.native_id)) if pre_stated else None
    stated = told if told is not None else stated_times(post)
    sure = statement.announce or statement.kind not in OUTAGE_KINDS
    changes: list[Change] = []
    if incident is None:
        resolved = statement.kind == "resolved"
        started = stated.start if stated.start and (resolved or stated.start <= at) else (None if resolved else at)
        ended = (stated.end or at) if resolved else None
        incident_id = cache.insert_incident(db,
            {
                "service": post.service,
                "title": post.title,
                "kind": KIND_INCIDENT,
                "status": STATUS_RESOLVED if resolved else STATUS_OPEN,
                "impact": post.impact,
                "opened_at": None if resolved else at,
                "acknowledged_at": None if resolved else at,
                "first_word_at": at,
                "started_at": started,
                "started_from": (stated.start_from if started == stated.start else "post") if started else "",
                "resolved_at": ended,
                "resolved_from": (stated.end_from if stated.end else "post") if resolved else "",
                # an imported timeline states its start but not always its end: no duration rather than "0 min"
                "duration_seconds": _duration(started, ended) if resolved and stated.start and (stated.end or ended > started)
                else None,
                "last_statement_at": at,
                "unsure": 0 if sure else 1,
                "disagreement": statement.disagreement or None,
                "created_at": now_iso(),
                "updated_at": now_iso(),
            }
        )
        changes.append(_add_change(db, cache, incident_id, "resolved" if resolved else "acknowledged", post_id, at,
                                   notify and sure))
        if not resolved and sure:
            changes.extend(_join_event(db, incident_id, post, settings, notify, cache))
    else:
        incident_id = incident["id"]
        updates: dict[str, Any] = {"updated_at": now_iso()}
        if at > (incident["last_statement_at"] or ""):
            updates["last_statement_at"] = at
        if post.title and not incident["title"]:
            updates["title"] = post.title
        if post.impact and _impact_rank(post.impact) > _impact_rank(incident["impact"] or ""):
            updates["impact"] = post.impact
        if statement.disagreement and not incident["disagreement"]:
            updates["disagreement"] = statement.disagreement
        started = incident["started_at"]
        if stated.start and (not started or stated.start < started) and stated.start <= at:
            started = updates["started_at"] = stated.start
            updates["started_from"] = stated.start_from
        was_unsure = bool(incident["unsure"])
        if was_unsure and sure:
            updates["unsure"] = 0
        if statement.kind == "resolved":
            if incident["status"] == STATUS_RESOLVED:
                change = "update"  # a second "Resolved" in one incident: keep the first resolution time
            else:
                change = "resolved"
                # after a reopen the trouble being resolved began when it came back: an end stated before that
                # (the first resolution's "recovered by 10:10 PM UTC") is not this one's
                since = incident.get("reopened_at") or started
                ended = stated.end if stated.end and (not since or stated.end >= since) else None
                ended_from = stated.end_from
                said_before = None  # read at most once for this resolution, and only when needed
                told_first = False
                if ended is None:
                    said_before = _said_before(db, incident_id, at, cache)
                    ended = _earlier_stated_end(said_before, since or incident["opened_at"], at, cache)
                    ended_from = "text" if ended else "post"
                    told_first = ended is not None and _first_word_told_over(said_before, ended,
                                                                             incident.get("first_word_at"), cache)
                if ended is not None and not told_first:
                    if said_before is None:
                        said_before = _said_before(db, incident_id, at, cache)
                    if _worked_on_past(said_before, ended, at, incident.get("first_word_at")):
                        ended, ended_from = None, "post"  # a milestone, not the end: the company kept working past it
                ended = ended or at
                updates.update(status=STATUS_RESOLVED, resolved_at=ended, resolved_from=ended_from)
                begin = started or incident["opened_at"]
                if begin:
                    updates["duration_seconds"] = _duration(begin, ended)
        elif incident["status"] == STATUS_STALE:
            change = "update"  # word again after a long silence: the incident is simply open again
            updates["status"] = STATUS_OPEN
        elif incident["status"] == STATUS_RESOLVED and at > (incident["resolved_at"] or ""):
            change = "reopened"
            updates.update(status=STATUS_OPEN, resolved_at=None, resolved_from="", duration_seconds=None,
                           reopened=(incident["reopened"] or 0) + 1, reopened_at=at)
        else:
            change = "acknowledged" if (was_unsure and sure) else "update"
        cache.update_incident(db, incident_id, updates)
        changes.append(_add_change(db, cache, incident_id, change, post_id, at, notify and sure))
        if was_unsure and sure and change != "resolved":
            changes.extend(_join_event(db, incident_id, post, settings, notify, cache))
        if change == "resolved":
            _close_event_if_done(db, incident_id, cache)
    _remember_key(db, key, incident_id, post, cache)
    cache.set_post_incident(post_id, incident_id)
    return changes


def _remember_key(db: sqlite_utils.Database, key: str, incident_id: int, post: Post, cache: LinkCache) -> None:
    if key:
        cache.remember_key(db, key, incident_id, post.source_id)


def _attach_report(
    db: sqlite_utils.Database, post: Post, post_id: int, incident: dict[str, Any] | None, key: str, notify: bool,
    cache: LinkCache,
) -> list[Change]:
    """A post-incident report joins the incident it is about (its thread, else the service's latest resolved
    outage within REPORT_WINDOW): recorded and told in that thread, never a new outage, never a reopen. An open
    incident it reports on is over (a retrospective is written after the fact)."""
    at = iso_utc(post.created_at)
    in_thread = incident is not None  # posted in the incident's own thread (a Statuspage postmortem): it speaks of it
    if incident is None:
        incident = cache.seen(row(db, SQL_REPORT_TARGET, (post.service, iso_utc(post.created_at - REPORT_WINDOW), at)))
    if incident is None:
        return []  # kept as a statement; no incident to attach it to, nothing announced
    updates: dict[str, Any] = {"updated_at": now_iso()}
    if not incident["report_post_id"]:
        updates["report_post_id"] = post_id
    changes = []
    if incident["status"] != STATUS_RESOLVED:
        begin = incident["started_at"] or incident["opened_at"]
        updates.update(status=STATUS_RESOLVED, resolved_at=at, resolved_from="post", duration_seconds=_duration(begin, at))
        changes.append(_add_change(db, cache, incident["id"], "resolved", post_id, at, notify))
    if in_thread:
        updates.update(_report_span(db, post, incident, updates.get("resolved_at") or incident["resolved_at"], cache))
    incident_id = incident["id"]
    cache.update_incident(db, incident_id, updates)
    changes.append(_add_change(db, cache, incident_id, "report", post_id, at, notify))
    if changes[0].change == "resolved":
        _close_event_if_done(db, incident_id, cache)
    _remember_key(db, key, incident_id, post, cache)
    cache.set_post_incident(post_id, incident_id)
    return changes


def _report_span(db: sqlite_utils.Database, post: Post, incident: dict[str, Any], resolved_at: str | None,
                 cache: LinkCache) -> dict[str, Any]:
    """The start and end a report in the incident's own thread states, when the incident has none of its own
    (Anthropic shhpbrjb160c, 31 January 2024: resolved with "This incident has been resolved." alone; its postmortem
    5 h later: "claude.ai was down from 13:33PST - 13:52PST"): the updates for the incident row, else {}. Used only
    when the report states one span (``single_span``, within stated_times' bounds of the report), it ends by the
    report and by the resolution, begins by the incident's first word and not more than a day before it, and the
    company did not keep working past its end; never after a reopen (which of the two would it be?).

    A report that labels its span ("Incident Start: … Incident End: …", ``report_window``) and puts the start more
    than OPENED_MARGIN before the incident's re-tells the incident, and its span is taken whole over the fields and
    words of the live statements, provided it ends by the resolution (Google Cloud QSirAFiyN5yMeeE6GNxq: begin 27
    September 2021 17:17 UTC and "resolved … as of Wednesday, 2021-09-29 06:52 US/Pacific"; its report: "Incident
    Start: 22 September 2021 00:00 … Incident End: 29 September 2021 05:40 … Duration: 7 days, 5 hours, 40
    minutes"). The report's start with the resolution's end would be a span the company never stated."""
    revised = _report_revision(post, incident, resolved_at)
    if revised:
        return revised
    if incident.get("reopened_at") or incident["started_from"] in ("field", "text") \
            or incident["resolved_from"] in ("field", "text") or not resolved_at:
        return {}
    from facts.stated_times import UNDATED_LIMIT, single_span, single_start

    span = single_span(post.text, post.created_at)
    first = incident["first_word_at"] or incident["opened_at"] or resolved_at
    if first is None:
        return {}
    if span.start is None or span.end is None:
        return _report_start(single_start(post.text, post.created_at), first, resolved_at)

    start, end, at = iso_utc(span.start), iso_utc(span.end), iso_utc(post.created_at)
    if end > at or end > resolved_at or start > first or parse_time(first) - span.start > UNDATED_LIMIT:
        return {}
    if _worked_on_past(_said_before(db, incident["id"], at, cache), end, at):
        return {}
    return {"started_at": start, "started_from": "text", "resolved_at": end, "resolved_from": "text",
            "duration_seconds": _duration(start, end)}


def _report_start(start: datetime | None, first: str, resolved_at: str) -> dict[str, Any]:
    """The start a report in the incident's own thread states when it states no end (``_report_span``'s other
    conditions hold): OpenAI tljwlz08w539 ("Multiple engines are down", first word 01:13 UTC on 26 January 2023,
    resolved 05:50 UTC): its report says "At 4:53pm Pacific on 2023-01-25 we had a major outage" (00:53 UTC). The
    updates for the incident row (start and length to the resolution), when that start is before the first word
    and not more than a day before it; else {}."""
    from facts.stated_times import UNDATED_LIMIT

    if start is None or iso_utc(start) > first or parse_time(first) - start > UNDATED_LIMIT:
        return {}
    return {"started_at": iso_utc(start), "started_from": "text", "duration_seconds": _duration(iso_utc(start),
                                                                                                  resolved_at)}


def _report_revision(post: Post, incident: dict[str, Any], resolved_at: str | None) -> dict[str, Any]:
    """The updates for the incident row when the report's labelled span begins more than OPENED_MARGIN before the
    incident's start and ends by its resolution (``_report_span``), else {}; never after a reopen."""
    begin = incident["started_at"] or incident["opened_at"]
    if incident.get("reopened_at") or not resolved_at or not begin:
        return {}
    from facts.stated_times import report_window

    span = report_window(post.text, post.created_at)
    if span.start is None or span.end is None or span.start >= parse_time(begin) - OPENED_MARGIN:
        return {}
    start, end = iso_utc(span.start), iso_utc(span.end)
    if end > resolved_at:
        return {}
    return {"started_at": start, "started_from": "text", "resolved_at": end, "resolved_from": "text",
            "duration_seconds": _duration(start, end)}


def _link_maintenance(
    db: sqlite_utils.Database,
    post: Post,
    post_id: int,
    statement: Statement,
    incident: dict[str, Any] | None,
    key: str,
    settings: LinkSettings,
    notify: bool,
    cache: LinkCache,
) -> list[Change]:
    """Planned work: an incident of kind "maintenance" with its window; its stages (scheduled, in_progress,
    completed) are changes "maintenance" with the stage as detail. Completion closes it. Never an outage."""
    at = iso_utc(post.created_at)
    stage = statement.stage or ("completed" if statement.kind == "resolved" else "in_progress"
                                if statement.kind in OUTAGE_KINDS else "scheduled")
    if incident is None:
        since = iso_utc(post.created_at - timedelta(hours=settings.window_hours))
        incident = cache.seen(row(db, SQL_OPEN_MAINTENANCE, (post.service, since)))
    window_start = iso_utc(post.starts_at) if post.starts_at else None
    window_end = iso_utc(post.ends_at) if post.ends_at else None
    if window_start is None and window_end is None:
        # a notice names its window ahead ("Start Date: … End Date: …"), else a span in its words, else a window it
        # says ahead in them
        from facts.stated_times import labelled_window, stated_span

        span = labelled_window(post.text, post.created_at)
        if span.start is None and span.end is None and stage == "scheduled":
            span = stated_span(post.text, post.created_at)
        if span.start is None and span.end is None and stage != "completed":
            # a window said ahead ("tonight from 22:00 - 22:20 PST", "from now until 3:00 AM PST"): the forecast
            # stated_span skips is what a notice is
            from facts.window_words import stated_window

            span = stated_window(post.text, post.created_at)
        window_start = iso_utc(span.start) if span.start else None
        window_end = iso_utc(span.end) if span.end else None
    done = stage == "completed"
    if incident is None:
        incident_id = cache.insert_incident(db, {
            "service": post.service, "title": post.title, "kind": KIND_MAINTENANCE,
            "status": STATUS_RESOLVED if done else STATUS_OPEN, "impact": post.impact,
            "opened_at": at, "acknowledged_at": at, "first_word_at": at,
            "started_at": window_start, "started_from": "field" if post.starts_at else ("text" if window_start else ""),
            "window_start": window_start, "window_end": window_end,
            "resolved_at": at if done else None, "resolved_from": "post" if done else "",
            "last_statement_at": at, "unsure": 0, "created_at": now_iso(), "updated_at": now_iso(),
        })
    else:
        incident_id = incident["id"]
        updates: dict[str, Any] = {"updated_at": now_iso(), "kind": KIND_MAINTENANCE}
        if at > (incident["last_statement_at"] or ""):
            updates["last_statement_at"] = at
        if post.title and not incident["title"]:
            updates["title"] = post.title
        if window_start:
            updates["window_start"] = window_start
        if window_end:
            updates["window_end"] = window_end
        if done and incident["status"] != STATUS_RESOLVED:
            updates.update(status=STATUS_RESOLVED, resolved_at=at, resolved_from="post")
        elif not done and incident["status"] == STATUS_STALE:
            updates["status"] = STATUS_OPEN
        cache.update_incident(db, incident_id, updates)
    change = _add_change(db, cache, incident_id, "maintenance", post_id, at, notify, detail=stage)
    _remember_key(db, key, incident_id, post, cache)
    cache.set_post_incident(post_id, incident_id)
    return [change]


IMPACT_ORDER = ("", "none", "minor", "major", "critical")


def _impact_rank(impact: str) -> int:
    return IMPACT_ORDER.index(impact) if impact in IMPACT_ORDER else 0


def _owner(service: str) -> str:
    try:
        from services import load_catalog

        found = load_catalog().find(service)
    except Exception:  # the catalog is optional for linking
        return ""
    return found.owner if found else ""


def _join_event(
    db: sqlite_utils.Database, incident_id: int, post: Post, settings: LinkSettings, notify: bool, cache: LinkCache
) -> list[Change]:
    """Group a newly opened incident with overlapping incidents of *other* services into one event."""
    assert cache.incident(db, incident_id) is not None
    opened = post.created_at
    window = timedelta(minutes=settings.event_window_minutes)
    owner = _owner(post.service)
    longest = row(db, SQL_LONGEST_SPAN)
    span_days = max(0.0, float(longest["days"])) if longest and longest["days"] is not None else 0.0
    # a minute of slack for the float: a wider window only reads a few more rows, never fewer
    earliest = opened - timedelta(days=span_days) - timedelta(minutes=1)
    others = rows(db, SQL_EVENT_PARTNERS, {
        "id": incident_id, "service": post.service, "opened": iso_utc(opened), "latest": iso_utc(opened + window),
        "earliest": iso_utc(earliest),
    })
    partners = []
    for other in others:
        other_open = parse_time(other["opened_at"])
        other_end = parse_time(other["resolved_at"]) if other["resolved_at"] else None
        overlaps = other_open <= opened and (other_end is None or other_end >= opened)
        starts_close = abs(other_open - opened) <= window
        same_owner = bool(owner) and _owner(other["service"]) == owner
        if (overlaps and same_owner) or (starts_close and (other_end is None or other_end >= opened)):
            partners.append(other)
    if not partners:
        return []
    event_id = next((p["event_id"] for p in partners if p["event_id"]), None)
    if event_id is None:
        first = min(partners, key=lambda p: p["opened_at"])
        event_id = insert_row(db, "events",
            {"title": "", "owner": owner, "started_at": first["opened_at"], "ended_at": None, "status": STATUS_OPEN,
             "created_at": now_iso(), "updated_at": now_iso()}
        )
    members = [p["id"] for p in partners if p["event_id"] != event_id] + [incident_id]
    db.execute(
        f"update incidents set event_id = ? where id in ({', '.join('?' * len(members))})", (event_id, *members)
    )
    cache.updated(db, members, {"event_id": event_id})
    event = row(db, SQL_EVENT, (event_id,))
    assert event is not None
    started = min(event["started_at"], iso_utc(opened))
    update_row(db, "events", event_id, {"started_at": started, "status": STATUS_OPEN, "ended_at": None, "updated_at": now_iso()})
    return [_add_change(db, cache, incident_id, "event", None, iso_utc(opened), notify, detail=str(event_id))]


def _close_event_if_done(db: sqlite_utils.Database, incident_id: int, cache: LinkCache) -> None:
    incident = cache.incidents.get(incident_id) or row(db, SQL_INCIDENT_EVENT, (incident_id,))
    if not incident or not incident["event_id"]:
        return
    members = rows(db, SQL_EVENT_MEMBERS, (incident["event_id"],))
    if all(m["status"] != STATUS_OPEN for m in members):
        ended = max((m["resolved_at"] or "") for m in members) or None
        update_row(db, "events", incident["event_id"], {"status": STATUS_RESOLVED, "ended_at": ended, "updated_at": now_iso()})


def mark_stale(db: sqlite_utils.Database, settings: LinkSettings, now: datetime) -> list[Change]:
    """Open incidents with no statement for ``stale_hours`` become stale (recorded as a change, not notified)."""
    cutoff = iso_utc(now - timedelta(hours=settings.stale_hours))
    changes = []
    cache = LinkCache()
    for incident in rows(db, SQL_STALE_CANDIDATES, (STATUS_OPEN, cutoff)):
        update_row(db, "incidents", incident["id"], {"status": STATUS_STALE, "updated_at": now_iso()})
        changes.append(_add_change(db, cache, incident["id"], "stale", None, iso_utc(now), notify=False))
    cache.flush(db)
    return changes


def incidents_with_statements(db: sqlite_utils.Database, *, open_only: bool = False) -> list[dict[str, Any]]:
    """Incidents (newest first) each with its statements, for the command line."""
    where = "where status = 'open'" if open_only else ""
    result = []
    for incident in rows(db, f"select * from incidents {where} order by coalesce(opened_at, resolved_at) desc"):
        incident["statements"] = rows(
            db,
            "select p.id, p.kind, p.created_at, p.text, p.url, p.source_id, p.components, p.raw_status, p.symptoms, "
            "(select s.kind from sources s where s.id = p.source_id) as source_kind from posts p "
            "where p.incident_id = ? and p.duplicate_of is null order by p.created_at",
            (incident["id"],),
        )
        result.append(incident)
    return result


def events_with_incidents(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    result = []
    for event in rows(db, "select * from events order by started_at desc"):
        event["incidents"] = rows(db, "select * from incidents where event_id = ? order by opened_at", (event["id"],))
        result.append(event)
    return result

