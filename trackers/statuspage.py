"""Atlassian Statuspage JSON API tracker: ``/api/v2/incidents.json`` and ``/api/v2/scheduled-maintenances.json``
→ one Post per incident update.

Kind and stated times (``Post.incident_kind`` / ``starts_at`` / ``ends_at``):

* A maintenance is an incident object with ``scheduled_for`` or ``scheduled_until`` set, or impact
  ``maintenance`` (unless every status it carries is an incident's: investigating … resolved), or a maintenance
  status (scheduled / in_progress / verifying / completed) on the incident or any of its updates. It may come
  from either document (incidents.json lists maintenances too). All its updates get ``incident_kind =
  "maintenance"``, ``starts_at = scheduled_for``, ``ends_at = scheduled_until``.
* An ordinary incident: ``starts_at = started_at`` only when that is at least ``BACKDATED`` (60 s) before the
  incident's ``created_at``. Statuspage stamps ``started_at`` with the creation time, to the millisecond (834 of
  GitHub's 857 real incidents are equal, 22 differ by under 10 ms; Discord's 2022 incident by 7 ms); an author
  who sets the start by hand sets it to the minute (Discord's 2015 maintenance: 18:20:00.000, 40 s before it
  was created — a rounding, not a stated earlier start). A ``started_at`` *after* ``created_at`` (GitHub
  yck8ctxhxtwq: 13 min later, equal to a later update's time) is not a start the company stated: it had
  already posted about the problem. ``resolved_at`` is when the resolving update was posted, not a stated
  end: ``ends_at`` stays None.
* Every such time must read as a date from 1990 to 400 days ahead, else the field is ignored with one log line.

One bad entry never fails the document: an incident that is not an object or has no id, an update without an id
or time, or whose time is not a date from 1990 to a day ahead (0001-01-01, 9999-12-31, "not-a-date") is skipped
with one warning naming it (logger ``pushti.trackers``); only a document none of whose incidents can be read is
an error.

Ids: an update's native id is its update id. Update ids are unique only within an incident: where one id
appears in two incidents, the incident that began first keeps the bare id (as stored posts have it, so nothing is
re-announced after an upgrade) and the others get ``<incident id>/<update id>`` (``scope_shared_ids``).

Edits: Statuspage lets authors edit an update in place. The cursor keeps a short hash of every update's body
(``bodies``, ``maint_bodies``); a body that changed is returned once more as ``<id>#edit-<hash>`` with raw status
``"<status>, edited"`` and the update's own time (``edits``), so it is stored and told as a new statement of
the same incident without reopening it. The first poll (and the first after an upgrade) only learns the hashes.

The maintenance document is fetched with its own validators (cursor keys ``maint_*``), every poll while a
maintenance it announced is near or in its window (from ``MAINT_LEAD`` before its start to ``MAINT_GRACE`` after its
end, the windows kept in the cursor as ``maint_windows``), and otherwise at most once per ``maintenance_every``
(source option, default ``MAINT_EVERY`` = 5 minutes; 0 = every poll; the last read is ``maint_read_at``): planned
work is announced hours or days ahead, so a new notice waits at most that long, while the updates of a window under
way come at the poll's own pace. Outside windows a poll is one conditional request, as for any feed. Its failure
(404 on pages without it, 5xx, bad JSON) never fails the incidents poll: one log line (once per distinct
error, remembered in the cursor as ``maint_error``; DEBUG for a 404, WARNING otherwise) and the incidents are
returned. A poll is ``not_modified`` only when neither document changed. The first time the maintenance document is read for a source already
polled before (an upgrade, or after it failed on the first poll) only maintenances not yet completed are
returned, so years of finished maintenances are not announced as new; a first poll (empty cursor) and
``resync`` read everything.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from config import SourceConfig
from posts import Post, trusted_time
from trackers import PollResult, TrackerError
from trackers.html_text import html_to_text
from trackers.http import HttpTracker, fetch_if_changed
from trackers.statuspage_html import MAINTENANCE_STATUSES, normalise_status
from trackers.textutil import SkipEntry, each_entry, post_time, stated_time

log = logging.getLogger(__name__)

INCIDENTS_PATH = "/api/v2/incidents.json"
MAINTENANCES_PATH = "/api/v2/scheduled-maintenances.json"
MAINT_PREFIX = "maint_"
BACKDATED = timedelta(seconds=60)
MAINT_EVERY = 300.0  # seconds between reads of the maintenance document when no maintenance is near or under way
MAINT_LEAD = timedelta(minutes=15)  # a scheduled window is watched every poll from this long before its start …
MAINT_GRACE = timedelta(hours=2)  # … to this long after its stated end (windows overrun; completions come late)
MAINT_LONGEST = timedelta(days=1)  # a window without a stated end (or start) is taken to last this long
MAINT_WINDOWS_KEPT = 20  # windows remembered in the cursor (the soonest)


# ---------------------------------------------------------------------------------------------------------------
# Parsing


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


_TIMELINE_STAMP = re.compile(r"<li>\s*<strong>\s*((?:\d{4}-\d{2}-\d{2} )?\d{1,2}:\d{2}(?::\d{2})?)\s*</strong>")


def _timeline_written_at(body: str, shown_at: datetime) -> datetime:
    """An update whose body is a whole timeline (GitHub's 2010-2018 incidents, imported into Statuspage as one
    update each, ``display_at`` = the timeline's FIRST stamp) was written at its LAST stamp (UTC): that is when the
    company said what the body's last line says. Any other update keeps its own time."""
    stamps = _TIMELINE_STAMP.findall(body[:200_000]) if "<li>" in body else []
    if len(stamps) < 2:
        return shown_at
    stamp = stamps[-1]
    try:
        if "-" in stamp:
            last = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
        else:  # a bare clock ("17:09"): the day of display_at, the next day if the clock went past midnight
            hour, minute = (int(part) for part in stamp.split(":")[:2])
            last = shown_at.astimezone(timezone.utc).replace(hour=hour, minute=minute, second=0, microsecond=0)
            if last < shown_at:
                last += timedelta(days=1)
    except ValueError:
        return shown_at
    return last if shown_at < last <= shown_at + timedelta(days=30) else shown_at


def body_text(body: str) -> str:
    """An API update body as plain text. Bodies are plain text with newlines, some with HTML (old GitHub
    incidents are ``<ul><li><strong>time</strong> - …</li></ul>``; eight of them hold a literal ``\\r\\n``
    left over from an import, read here as the line break it was)."""
    return html_to_text(body.replace("\\r\\n", "\n"), newlines=True)


def is_maintenance(incident: dict[str, Any]) -> bool:
    """True when the incident object is planned work (see the module docstring for the rule)."""
    if incident.get("scheduled_for") or incident.get("scheduled_until"):
        return True
    statuses = [_text(incident.get("status"))]
    statuses += [_text(u.get("status")) for u in incident.get("incident_updates") or [] if isinstance(u, dict)]
    labels = [label for label in map(normalise_status, statuses) if label]
    if _text(incident.get("impact")).lower() == "maintenance":
        # unless every label is an incident's (Korbit j78fygjskb8q, 2021: impact "maintenance", no window, labelled
        # Investigating → Resolved, "a sudden surge of users makes the website hard to use"): an unplanned problem
        return not labels or any(label in MAINTENANCE_STATUSES for label in labels)
    return any(label in MAINTENANCE_STATUSES for label in labels)


def stated_span(incident: dict[str, Any], where: str) -> tuple[str, datetime | None, datetime | None]:
    """(incident_kind, starts_at, ends_at) the incident object states in its structured fields."""
    incident_id = _text(incident.get("id"))
    label = f"{where} incident {incident_id}"
    if is_maintenance(incident):
        return (
            "maintenance",
            stated_time(incident.get("scheduled_for"), what="scheduled_for", where=label),
            stated_time(incident.get("scheduled_until"), what="scheduled_until", where=label),
        )
    started = stated_time(incident.get("started_at"), what="started_at", where=label)
    created = stated_time(incident.get("created_at"), what="created_at", where=label)
    if started is not None and created is not None and created - started >= BACKDATED:
        return "", started, None
    return "", None, None


# what Statuspage writes in ``affected_components`` when an update names no component (Emma, 2017: every update of
# 3m89ls8svt0r, tfh6kf42yy37, 272vrysp78ds, qfcmvk731yl3): not a component's name
NO_COMPONENTS = "no components were affected by this update."


def affected_names(update: dict[str, Any], working: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The components an update names in ``affected_components``, Statuspage's placeholder for none and the
    components in ``working`` (``working_components``) left out."""
    names = (_text(c.get("name")) for c in update.get("affected_components") or [] if isinstance(c, dict))
    return tuple(name for name in names
                 if name and name.strip().casefold() != NO_COMPONENTS and name not in working)


def working_components(updates: list[Any]) -> frozenset[str]:
    """The components an incident's updates list only as ``operational`` while they mark others down or degraded:
    parts the page says kept working, not parts that broke (Emma xh0dgnswvwk5, 3 July 2018, "The Emma application
    is currently down for all users. Scheduled and automated sends are still going out as expected": 13 components
    ``major_outage``, the three "Email Sending - …" and "Web Application - Response Collection" only ``operational``). A
    component listed with no status counts as affected; an incident that marks none down or degraded leaves all."""
    listed = [c for u in updates if isinstance(u, dict) for c in u.get("affected_components") or []
              if isinstance(c, dict) and c.get("name")]
    broken = {_text(c.get("name")) for c in listed if _text(c.get("new_status")) != "operational"}
    if not any(_text(c.get("new_status")) not in ("", "operational") for c in listed):
        return frozenset()
    return frozenset(_text(c.get("name")) for c in listed) - broken


def _incident_posts(incident: dict[str, Any], source: SourceConfig, page: dict[str, Any], where: str) -> list[Post]:
    incident_id = _text(incident.get("id"))
    updates = incident.get("incident_updates")
    if not incident_id or not isinstance(updates, list):
        raise SkipEntry("an incident without an id or incident_updates list")
    kind, starts_at, ends_at = stated_span(incident, where)
    working = working_components(updates)
    root = (source.url or _text(page.get("url"))).rstrip("/")
    url = _text(incident.get("shortlink")) or (f"{root}/incidents/{incident_id}" if root else "")
    affected_fallback = tuple(
        _text(c.get("name")) for c in incident.get("components") or [] if isinstance(c, dict) and c.get("name")
    )

    def one(update: Any) -> Post | None:
        if not isinstance(update, dict):
            raise SkipEntry("an update that is not an object")
        update_id = _text(update.get("id"))
        when = _text(update.get("display_at")) or _text(update.get("created_at"))
        if not update_id or not when:
            raise SkipEntry("an update with no id or time")
        created_at = post_time(when)
        written_at = _timeline_written_at(_text(update.get("body")), created_at)
        if written_at != created_at:
            try:
                created_at = trusted_time(written_at)
            except ValueError:
                pass
        affected = affected_names(update, working)
        raw_status = _text(update.get("status"))
        return Post(
            source_id=source.id,
            native_id=update_id,
            service=source.service,
            text=body_text(_text(update.get("body"))),
            created_at=created_at,
            url=url,
            author=_text(page.get("name")),
            language="",  # as its words read (classify.detect_language): pages write in Japanese, Korean …
            thread_key=incident_id,
            status=normalise_status(raw_status),
            raw_status=raw_status,
            title=_text(incident.get("name")),
            impact=_text(incident.get("impact")),
            components=affected or affected_fallback,
            incident_kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
        )

    def update_id(update: Any) -> str:
        shown = _text(update.get("id")) if isinstance(update, dict) else ""
        return f"{shown or '?'} of incident {incident_id}"

    return [p for p in each_entry(updates, one, where=where, id_of=update_id) if p is not None]


def scoped_id(incident_id: str, update_id: str) -> str:
    """The native id of an update whose id another incident of the page uses too: ``<incident id>/<update id>``."""
    return f"{incident_id}/{update_id}"


def scope_shared_ids(posts: list[Post]) -> list[Post]:
    """An update id is unique only within its incident. Where one id appears in two incidents, the incident that
    began first keeps the bare id (as every stored post has it: nothing stored is re-announced after an upgrade,
    and ``resync`` reads the same ids) and the others get ``<incident>/<update>``, so none is dropped as "already
    stored". Stateless: the same document always gives the same ids."""
    threads: dict[str, set[str]] = {}
    began: dict[str, datetime] = {}
    for post in posts:
        threads.setdefault(post.native_id, set()).add(post.thread_key)
        if post.thread_key not in began or post.created_at < began[post.thread_key]:
            began[post.thread_key] = post.created_at
    shared = {native_id: keys for native_id, keys in threads.items() if len(keys) > 1}
    if not shared:
        return posts
    out = []
    for post in posts:
        keys = shared.get(post.native_id)
        if keys and post.thread_key != min(keys, key=lambda k: (began[k], k)):
            post = post.with_changes(native_id=scoped_id(post.thread_key, post.native_id))
        out.append(post)
    return out


def parse_statuspage_document(data: Any, source: SourceConfig, *, where: str = "") -> list[Post]:
    """Posts of a parsed Statuspage v2 document: ``incidents.json``, ``incidents/<id>.json``, ``summary.json``
    or ``scheduled-maintenances.json``. One Post per incident update, in document order.

    Raises TrackerError (naming ``where``, the URL or file) when the shape is not Statuspage's.
    """
    where = where or source.url or "Statuspage document"
    if not isinstance(data, dict):
        raise TrackerError(f"{where} is not a Statuspage document (top level is {type(data).__name__})")
    page = data.get("page") if isinstance(data.get("page"), dict) else {}
    incidents: list[Any] = []
    found = False
    if isinstance(data.get("incident"), dict):
        incidents.append(data["incident"])
        found = True
    for key in ("incidents", "scheduled_maintenances"):
        if key in data:
            if not isinstance(data[key], list):
                raise TrackerError(f"{where} is not a Statuspage document ({key!r} is not a list)")
            incidents.extend(data[key])
            found = True
    if not found:
        keys = ", ".join(sorted(map(str, data))[:6]) or "none"
        raise TrackerError(f"{where} is not a Statuspage document (no incidents; keys: {keys})")
    def one(incident: Any) -> list[Post]:
        if not isinstance(incident, dict):
            raise SkipEntry("an incident that is not an object")
        return _incident_posts(incident, source, page, where)

    def incident_id(incident: Any) -> str:
        return (_text(incident.get("id")) if isinstance(incident, dict) else "") or "(incident without an id)"

    failures: list[str] = []
    groups = each_entry(incidents, one, where=where, id_of=incident_id, failures=failures)
    if failures and not groups:  # not one incident could be read: this is no Statuspage document
        raise TrackerError(f"{where} has no readable incident ({failures[0]})")
    return scope_shared_ids(_unique([post for group in groups for post in group]))


def _unique(posts: list[Post]) -> list[Post]:
    """The posts without repeats of (incident, native id) (a maintenance listed in both documents)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for post in posts:
        if (post.thread_key, post.native_id) not in seen:
            seen.add((post.thread_key, post.native_id))
            out.append(post)
    return out


EDITED = "edited"


def body_revision(post: Post) -> str:
    """A short hash of what an update says, blind to whitespace (a re-save that changes nothing is no edit)."""
    return hashlib.sha256(" ".join(post.text.split()).encode()).hexdigest()[:12]


def _body_key(post: Post) -> str:
    """``<incident>/<update>``: the key of an update in the cursor's body table, whatever its native id is."""
    prefix = post.thread_key + "/"
    return post.native_id if post.native_id.startswith(prefix) else prefix + post.native_id


def edits(posts: list[Post], known: dict[str, str] | None) -> tuple[list[Post], dict[str, str]]:
    """Updates whose body changed since the last poll, as new Posts (``<id>#edit-<hash>``, raw status
    "<status>, edited", the update's own time so an edit never reopens a resolved incident), and the table of
    body hashes for the cursor (``{"<incident>/<update>": hash}``, the updates of this document only).

    ``known`` None (the first poll, or the first since an upgrade): nothing is an edit, the table is learned."""
    table = {_body_key(post): body_revision(post) for post in posts}
    if known is None:
        return [], table
    out = []
    for post in posts:
        before = known.get(_body_key(post))
        now = table[_body_key(post)]
        if before is not None and before != now:
            label = f"{post.raw_status}, {EDITED}" if post.raw_status else EDITED
            out.append(post.with_changes(native_id=f"{post.native_id}#edit-{now}", raw_status=label))
    return out, table


def parse_statuspage_bytes(body: bytes, source: SourceConfig, *, where: str = "") -> list[Post]:
    """Posts of a Statuspage JSON body; malformed JSON → TrackerError naming ``where``."""
    where = where or source.url or "Statuspage document"
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise TrackerError(f"{where} did not return JSON: {err}") from None
    return parse_statuspage_document(data, source, where=where)


# ---------------------------------------------------------------------------------------------------------------
# Tracker


def _api_root(source: SourceConfig) -> str:
    root = (source.api_base or source.url).rstrip("/")
    if root.endswith("/api/v2"):
        root = root[: -len("/api/v2")]
    return root


def incidents_url(source: SourceConfig) -> str:
    """``{api_base or url}/api/v2/incidents.json`` (an api_base that already ends in /api/v2 is accepted)."""
    return _api_root(source) + INCIDENTS_PATH


def maintenances_url(source: SourceConfig) -> str:
    """``{api_base or url}/api/v2/scheduled-maintenances.json``."""
    return _api_root(source) + MAINTENANCES_PATH


_FINISHED = {"completed", "resolved", "postmortem"}


def _unfinished(posts: list[Post]) -> list[Post]:
    """The posts of incidents whose newest update is not a completion."""
    newest: dict[str, Post] = {}
    for post in posts:
        if post.thread_key not in newest or post.created_at > newest[post.thread_key].created_at:
            newest[post.thread_key] = post
    open_keys = {key for key, post in newest.items() if post.status not in _FINISHED}
    return [p for p in posts if p.thread_key in open_keys]


def maintenance_windows(posts: list[Post]) -> list[list[str]]:
    """``[[start, end], …]`` (ISO UTC) of the maintenances among ``posts`` that are not over: when each is to be
    watched every poll (before ``MAINT_LEAD`` / ``MAINT_GRACE`` are applied). The soonest ``MAINT_WINDOWS_KEPT``."""
    windows = []
    for post in _unfinished([p for p in posts if p.incident_kind == "maintenance"]):
        start = post.starts_at or post.created_at
        end = post.ends_at if post.ends_at and post.ends_at >= start else start + MAINT_LONGEST
        windows.append((start, end))
    return [[s.isoformat(), e.isoformat()] for s, e in sorted(set(windows))[:MAINT_WINDOWS_KEPT]]


def _cursor_time(value: Any) -> datetime | None:
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) and len(value) <= 40 else None
    except ValueError:
        return None
    # aware, and far enough from datetime's ends that adding MAINT_GRACE or LONGEST cannot overflow (a cursor edited
    # by hand, or written by something else, is read as no time: the document is read and the cursor rewritten)
    return when if when is not None and when.tzinfo is not None and 1970 <= when.year <= 2999 else None


def maintenance_due(cursor: dict[str, Any], now: datetime, every: float) -> bool:
    """Whether this poll reads the maintenance document: a first poll, ``every`` 0, ``every`` seconds since the last
    read (or a last read in the future: the clock moved back), or a remembered window near or under way."""
    read_at = _cursor_time(cursor.get(MAINT_PREFIX + "read_at"))
    if every <= 0 or read_at is None or read_at > now + timedelta(minutes=1):
        return True
    if (now - read_at).total_seconds() >= every:
        return True
    windows = cursor.get(MAINT_PREFIX + "windows")
    for window in windows[:MAINT_WINDOWS_KEPT] if isinstance(windows, list) else []:
        start, end = (_cursor_time(w) for w in window[:2]) if isinstance(window, list) and len(window) >= 2 else (None, None)
        if start is None or end is None:
            return True  # a window this code did not write: read, and the next read rewrites it
        if start - MAINT_LEAD <= now <= end + MAINT_GRACE:
            return True
    return False


class StatuspageTracker(HttpTracker):
    """Polls a Statuspage page's incidents.json and scheduled-maintenances.json; returns every update they hold."""

    kind = "statuspage"

    def _maintenances(self, cursor: dict[str, Any], *, baseline: bool) -> tuple[list[Post] | None, dict[str, Any], str]:
        """(posts, or None when unchanged or unreadable; the cursor; a note when it could not be read)."""
        url = maintenances_url(self.source)
        try:
            result, new_cursor = fetch_if_changed(self.http, url, cursor, accept="application/json",
                                                  key_prefix=MAINT_PREFIX)
            if result is None:
                new_cursor.pop(MAINT_PREFIX + "error", None)
                return None, new_cursor, ""
            posts = parse_statuspage_bytes(result.body, self.source, where=url)
        except TrackerError as err:
            message = f"maintenances not read (incidents still are): {err}"
            if cursor.get(MAINT_PREFIX + "error") != str(err):
                # a page without the endpoint (404) is a fact about the page, not a problem: a debug line (the
                # cursor keeps it, `bot.py status` shows it); anything else is a warning
                level = logging.DEBUG if str(err).startswith("HTTP 404 ") else logging.WARNING
                log.log(level, "source \"%s\": %s", self.source.id, message)
            return None, {**cursor, MAINT_PREFIX + "error": str(err)}, message
        new_cursor.pop(MAINT_PREFIX + "error", None)
        new_cursor[MAINT_PREFIX + "windows"] = maintenance_windows(posts)
        first_read = not cursor.get(MAINT_PREFIX + "sha256")
        if first_read and not baseline:  # first read on a source polled before: only what is not over yet
            posts = _unfinished(posts)
        return posts, new_cursor, ""

    def poll(self, cursor: dict[str, Any]) -> PollResult:
        cursor = cursor or {}
        url = incidents_url(self.source)
        result, new_cursor = fetch_if_changed(self.http, url, cursor, accept="application/json")
        incidents = parse_statuspage_bytes(result.body, self.source, where=url) if result is not None else None
        maintenances, note = None, ""
        now = datetime.now(timezone.utc)
        if maintenance_due(cursor, now, float(self.source.option("maintenance_every", MAINT_EVERY))):
            maintenances, new_cursor, note = self._maintenances(new_cursor, baseline=not cursor)
            new_cursor[MAINT_PREFIX + "read_at"] = now.isoformat()
        if incidents is None and maintenances is None:
            return PollResult([], new_cursor, not_modified=True, notes=[note] if note else [])
        # a maintenance may be listed in both documents; an update id shared by two incidents is scoped
        posts = scope_shared_ids(_unique((incidents or []) + (maintenances or [])))
        edited: list[Post] = []
        for key, document in (("bodies", incidents), (MAINT_PREFIX + "bodies", maintenances)):
            if document is None:
                continue  # unchanged: its table stays as it was
            ids = {p.native_id for p in document}
            found, table = edits([p for p in posts if p.native_id in ids], cursor.get(key) if cursor else None)
            edited += found
            new_cursor[key] = table
        have = {p.native_id for p in posts}
        for post in edited:
            if post.native_id not in have:
                have.add(post.native_id)
                posts.append(post)
        return PollResult(posts, new_cursor, notes=[note] if note else [])
