"""Gathering: the one place a message's facts are read from the store. ``gather`` reads an incident once — the
incident, its statements in order with their kinds, the components named so far, a maintenance's stage, the
first statement, the last reopen, its event with the members, what its words so far say was not affected — into
the plain context facts/context.py describes; render.py and the templates then work from that data alone (no database handle).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

import timefmt
from facts import what_broke
from facts.context import (
    DAY_DIGEST,
    calendar_spans,
    closed_notice,
    first_time,
    incident_facts,
    moment,
    service_names,
    statement_facts,
    with_closing,
)
from store import row, rows


def _source_kinds(db: sqlite_utils.Database) -> dict[str, str]:
    return {r["id"]: r["kind"] for r in rows(db, "select id, kind from sources")}


def _statement(db: sqlite_utils.Database, post: dict[str, Any], stage: str = "",
               kinds: dict[str, str] | None = None) -> dict[str, Any]:
    kinds = kinds if kinds is not None else _source_kinds(db)
    return statement_facts(post, kinds.get(post["source_id"], ""), stage)


def statements(db: sqlite_utils.Database, incident_id: int) -> list[dict[str, Any]]:
    """The incident's statements so far (no duplicates, no noise), oldest first, each with its maintenance stage."""
    found = rows(
        db, "select * from posts where incident_id = ? and duplicate_of is null and coalesce(kind, '') != 'noise' "
        "order by created_at, id", (incident_id,),
    )
    stages = {
        r["post_id"]: r["detail"] for r in rows(
            db, "select post_id, detail from incident_changes where incident_id = ? and change = 'maintenance'",
            (incident_id,),
        )
    }
    kinds = _source_kinds(db)
    return [_statement(db, p, stages.get(p["id"], "") or "", kinds) for p in found]


def _components_so_far(db: sqlite_utils.Database, incident_id: int, post: dict[str, Any] | None) -> list[str]:
    """The components the incident's statements named up to ``post`` (all of them without one), first seen first."""
    until = post["created_at"] if post else "9999"
    found: dict[str, None] = {}
    for r in rows(db, "select components from posts where incident_id = ? and created_at <= ? and duplicate_of is null "
                  "order by created_at, id", (incident_id, until)):
        for name in what_broke.components_of(r["components"]):
            found.setdefault(name, None)
    return list(found)


def _stage_of(db: sqlite_utils.Database, incident_id: int, change: dict[str, Any] | None) -> str:
    """A maintenance's stage as of ``change`` (scheduled | in_progress | completed): the change's own detail, else
    the latest recorded stage."""
    if change and change["change"] == "maintenance" and change["detail"]:
        return str(change["detail"])
    latest = row(
        db, "select detail from incident_changes where incident_id = ? and change = 'maintenance' "
        "order by at desc, id desc limit 1", (incident_id,),
    )
    return str(latest["detail"]) if latest and latest["detail"] else "scheduled"


UNLISTED = "no longer listed"  # trackers.absence: the raw status of a statement made from a disappearance


def _mark_unlisted(db: sqlite_utils.Database, incidents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark each resolved incident by its resolving (last) statement, one query for all of them: ``unlisted``
    when that statement is only that its page stopped listing it (the company never said it was fixed), and
    ``closed_unfixed`` / ``nearly`` from its words (facts.context.with_closing)."""
    resolved = [i["id"] for i in incidents if i.get("status") == "resolved"]
    last: dict[int, dict[str, Any]] = {}
    if resolved:
        marks = ",".join("?" * len(resolved))
        last = {r["incident_id"]: r for r in rows(
            db, f"select p.incident_id, p.raw_status, p.kind, p.text, p.symptoms, p.source_id from posts p "
            f"where p.incident_id in ({marks}) "
            "and p.duplicate_of is null "
            "and p.created_at = (select max(q.created_at) from posts q where q.incident_id = p.incident_id "
            "and q.duplicate_of is null and coalesce(q.kind, '') not in ('noise', 'report')) "
            "and coalesce(p.kind, '') not in ('noise', 'report') order by p.id", tuple(resolved),
        )}
    # a resolving statement that names no problem may close a notice (facts.context.closed_notice): read the
    # statements of those incidents (few: most resolutions say what was fixed)
    notices = _statements_of(db, [i for i, said in last.items() if said["raw_status"] != UNLISTED
                                  and closed_notice([statement_facts(said)])])
    for incident in incidents:
        said = last.get(incident["id"])
        incident["unlisted"] = bool(said) and said["raw_status"] == UNLISTED  # type: ignore[index]
        with_closing(incident, None if incident["unlisted"] else said, notices.get(incident["id"]))
    return incidents


def with_first_fix(db: sqlite_utils.Database, incidents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark each incident that came back after a resolution (``again_since``) with that first resolution,
    ``first_fixed_at``, and the span the company first told, ``first_seconds`` (from the same minutes shown), one
    query for all of them: the days in between are not the incident's (facts.context.calendar_spans)."""
    again = {i["id"]: i for i in incidents if i.get("again_since")}
    for incident in incidents:
        incident.setdefault("first_fixed_at", None)
        incident.setdefault("first_seconds", None)
    if not again:
        return incidents
    for r in rows(db, f"select incident_id, at from incident_changes where change = 'resolved' and incident_id in "
                  f"({','.join('?' * len(again))}) order by at", tuple(again)):
        incident = again[r["incident_id"]]
        at = moment(r["at"])
        if at is not None and at < incident["again_since"]:
            incident["first_fixed_at"] = at
    for incident in again.values():
        start, fixed = incident.get("began") or incident.get("opened_at"), incident["first_fixed_at"]
        if start is not None and fixed is not None and fixed >= start:
            incident["first_seconds"] = timefmt.shown_seconds(start, fixed)
    return incidents


def _statements_of(db: sqlite_utils.Database, incident_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The statements (no duplicates, no noise, oldest first) of each incident, as ``statement_facts`` (``statements``
    for many incidents in one query, the columns ``closed_notice`` reads)."""
    if not incident_ids:
        return {}
    kinds = _source_kinds(db)
    found: dict[int, list[dict[str, Any]]] = {}
    for r in rows(db, f"select incident_id, kind, text, symptoms, source_id from posts where incident_id in "
                  f"({','.join('?' * len(incident_ids))}) and duplicate_of is null and coalesce(kind, '') != 'noise' "
                  "order by created_at, id", tuple(incident_ids)):
        found.setdefault(r["incident_id"], []).append(statement_facts(r, kinds.get(r["source_id"], "")))
    return found


def event(db: sqlite_utils.Database, event_id: int) -> dict[str, Any] | None:
    """An event (several services at once) with its members as plain incidents, earliest first."""
    found = row(db, "select * from events where id = ?", (event_id,))
    if found is None:
        return None
    members = rows(db, "select * from incidents where event_id = ? order by opened_at, id", (event_id,))
    return {
        **found,
        "started_at": moment(found["started_at"]),
        "ended_at": moment(found["ended_at"]),
        "services": [service_names(m["service"], first_time(m)) for m in members],
        "incidents": _mark_unlisted(db, [incident_facts(m) for m in members]),
    }


def gather(db: sqlite_utils.Database, incident_id: int, *, change_id: int | None = None, kind: str = "acknowledged",
           timezone: str = "Asia/Kolkata", body: str = "") -> dict[str, Any]:
    """Everything a message about one incident tells, as plain data (facts/context.py): the incident, the
    statement of the change (else its latest), the components named up to it, the stage of a maintenance, the
    first statement, the last reopen, the event, and every statement so far in order (a collapsed backlog, kind
    digest, lists them)."""
    incident = row(db, "select * from incidents where id = ?", (incident_id,))
    if incident is None:
        raise KeyError(incident_id)
    context: dict[str, Any] = {"kind": kind, "timezone": timezone, "body": body}
    context["service"] = service_names(incident["service"], first_time(incident))
    change = row(db, "select * from incident_changes where id = ?", (change_id,)) if change_id else None
    post = None
    if change and change["post_id"]:
        post = row(db, "select * from posts where id = ?", (change["post_id"],))
    if post is None:
        post = row(db, "select * from posts where incident_id = ? and duplicate_of is null order by created_at desc "
                   "limit 1", (incident_id,))
    incident = _as_before_reopen(incident, change, post)
    context["incident"] = _mark_unlisted(db, [incident_facts(incident, _components_so_far(db, incident_id, post))])[0]
    kinds = _source_kinds(db)
    if post:
        context["statement"] = _statement(db, post, kinds=kinds)
    context["change"] = change["change"] if change else kind
    if incident.get("kind") == "maintenance":
        context["stage"] = _stage_of(db, incident_id, change)
        context["stage_again"] = bool(change) and context["stage"] != "scheduled" and bool(row(
            db, "select 1 from incident_changes where incident_id = ? and change = 'maintenance' and detail = ? "
            "and id < ?", (incident_id, context["stage"], change["id"]),  # type: ignore[index]
        ))
    if incident["event_id"]:
        context["event"] = event(db, incident["event_id"])
    # the root's card (card.j2) keeps the company's first statement under its status line
    first = row(db, "select * from posts where incident_id = ? and duplicate_of is null and "
                "coalesce(kind, '') not in ('noise', 'report') order by created_at, id limit 1", (incident_id,))
    context["first_statement"] = _statement(db, first, kinds=kinds) if first else None
    # when it last came back after a resolution (incidents.reopened_at, written with its "reopened" change)
    context["reopened_at"] = context["incident"].get("reopened_at") if incident.get("reopened") else None
    context["statements"] = statements(db, incident_id)  # all of them in order, each with its kind and stage
    until = moment(post["created_at"]) if post else None
    so_far = [s for s in context["statements"] if until is None or s["created_at"] <= until]
    # what its words so far say was not affected ("This is not a problem with BigQuery"): never named as broken
    context["incident"].update(what_broke.said_unaffected([s.get("text") or "" for s in so_far]))
    # nor told as a symptom ("Our APIs do not seem to be affected": not "trouble … using the API")
    for said in (context.get("statement"), context.get("first_statement")):
        if said:
            said["symptoms"] = what_broke.symptoms_not_denied(said["symptoms"], context["incident"]["not_affected"])
    # the title shown as the company's: not the closing sentence Google Cloud puts in external_desc at the close
    context["incident"]["title_shown"] = what_broke.opening_title(
        context["incident"].get("title"), [s.get("text") or "" for s in context["statements"]])
    # a resolved incident whose statements name no problem (a security notice): closed, not "service restored"
    context["incident"]["notice"] = context["incident"].get("status") == "resolved" and incident.get(
        "kind") != "maintenance" and closed_notice(so_far)
    return context


def _as_before_reopen(incident: dict[str, Any], change: dict[str, Any] | None,
                      post: dict[str, Any] | None) -> dict[str, Any]:
    """The incident as it stood when ``post`` was made, if that was before it came back after a resolution: messages
    rendered after a later reopen was linked (a backfill, or several statements read in one poll) tell no
    recurrence that had not happened yet. DatoCMS "Login page not working, causing browser stalling": resolved 5
    February 2025 20:22 UTC, back at 20:37, resolved again at 21:14; the message of 20:22 said "the problem came back
    on Thursday, 2:07 AM [20:37 UTC]; it was resolved about 37 min later". A resolution before the reopen ends at its
    own statement (the end it may have stated is not kept once the incident was resolved again)."""
    again = incident.get("reopened_at")
    if not again or post is None or incident.get("kind") == "maintenance" or not post["created_at"] < again:
        return incident
    earlier = {**incident, "reopened": 0, "reopened_at": None}
    if change is not None and change["change"] == "resolved":
        # duration_seconds set: incident_facts (with_began) tells it from the minutes shown
        earlier.update(resolved_at=change["at"], resolved_from="post", duration_seconds=0)
    return earlier


def message_facts(db: sqlite_utils.Database, outbox_row: dict[str, Any], timezone: str) -> dict[str, Any]:
    """The plain context of one outbox row: a day's digest, or ``gather`` of its incident and change."""
    body = outbox_row.get("body") or ""
    kind = outbox_row["message_kind"]
    if kind == "digest" and not outbox_row.get("incident_id") and body.startswith(DAY_DIGEST):
        return summary_facts(db, timezone, day=date.fromisoformat(body[len(DAY_DIGEST):]))
    if not outbox_row.get("incident_id"):
        return {"kind": kind, "timezone": timezone, "body": body}
    try:
        return gather(db, outbox_row["incident_id"], change_id=outbox_row.get("change_id"), kind=kind,
                      timezone=timezone, body=body)
    except KeyError:  # the incident is gone: the message says what its row carries
        return {"kind": kind, "timezone": timezone, "body": body}


def summary_facts(db: sqlite_utils.Database, timezone: str, *, day: date | None = None,
                  event_id: int | None = None) -> dict[str, Any]:
    """A summary (rendered by the ``digest`` template): every incident of one local day, or of one event."""
    context: dict[str, Any] = {"kind": "digest", "timezone": timezone, "body": ""}
    if event_id is not None:
        found = event(db, event_id)
        if found is None:
            raise KeyError(event_id)
        context["event"] = found
        context["summary"] = {"scope": "event", "incidents": found["incidents"], "events": [found],
                              "day": found["started_at"]}
        return context
    assert day is not None
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = start + timedelta(days=1)
    chosen = []
    every = with_first_fix(db, [incident_facts(incident) for incident in rows(
        db, "select * from incidents order by coalesce(opened_at, resolved_at), id")])
    for data in every:
        spans = [(began, finished) for began, finished in calendar_spans(data) if began < end and finished >= start]
        if spans:
            # a problem that came back, on a day before it came back: the span the company first told, fixed then
            data["first_span"] = bool(data["first_fixed_at"]) and spans[-1][1] == data["first_fixed_at"]
            chosen.append(data)
    _mark_unlisted(db, chosen)
    event_ids = sorted({i["event_id"] for i in chosen if i.get("event_id")})
    events = [e for e in (event(db, i) for i in event_ids) if e]
    # the noons of the day before, the day and the day after: a moment within them needs no date beside its weekday
    # in the day's list ("Wednesday, 8:35 PM to Thursday, 5:20 AM"); one further away does (_member.j2)
    around = [datetime.combine(day + timedelta(days=n), time(12), tzinfo=zone) for n in (-1, 0, 1)]
    context["summary"] = {"scope": "day", "incidents": chosen, "events": events, "day": start, "around": around}
    return context


def preview_kind(db: sqlite_utils.Database, incident_id: int, channel_id: str) -> tuple[str, int | None]:
    """The message the channel would get for the incident's latest change (kind, change id)."""
    from outbox import CHANGE_TO_MESSAGE

    if row(db, "select 1 from incidents where id = ?", (incident_id,)) is None:
        raise KeyError(f"no incident #{incident_id}")
    change = row(
        db, "select * from incident_changes where incident_id = ? and change not in ('event', 'stale') "
        "order by at desc, id desc limit 1", (incident_id,),
    )
    if change is None:
        return "acknowledged", None
    kind = CHANGE_TO_MESSAGE.get(change["change"], "update")
    if kind == "update" and not row(
        db, "select 1 from outbox where channel_id = ? and incident_id = ? and status = 'sent'", (channel_id, incident_id)
    ):
        kind = "acknowledged"
    return kind, change["id"]
