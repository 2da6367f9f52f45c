"""What the site shows, read from the state database once per build: services, incidents with their facts
(facts.context.incident_facts, the spans the channel messages tell: facts.context.told), statements in order,
events, and which incidents touch which local day. Plain data only; nothing here renders or writes."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

import timefmt
from facts.context import calendar_spans, incident_facts, moment, service_names, statement_facts, told
from facts.gather import _mark_unlisted, with_first_fix
from facts.gather import event as event_facts
from store import rows

# how bad a day was, worst wins: the colour of a day in the 90-day bar
SEVERITY = {"none": 0, "maintenance": 1, "unknown": 2, "minor": 3, "major": 4, "critical": 5}
MAX_SPAN_DAYS = 90  # an incident left open for longer is drawn on its first 90 days only
_EDIT = re.compile(r"#edit-[0-9a-f]+$")


def slug(text: str) -> str:
    """A file-name-safe id: "GitHub" → "github", "Google Cloud" → "google-cloud"."""
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-") or "service"


def severity(incident: dict[str, Any]) -> str:
    """The key of SEVERITY an incident gives its days."""
    if incident.get("kind") == "maintenance":
        return "maintenance"
    impact = (incident.get("impact") or "").lower()
    return impact if impact in ("minor", "major", "critical") else "unknown"


def statement_key(statement: dict[str, Any]) -> str:
    """The statement a message is about, the same before and after the company edits it: its source and native id
    without the edit suffix (trackers.statuspage.edits: ``<id>#edit-<hash>``)."""
    return f"{statement.get('source_id') or ''}/{_EDIT.sub('', str(statement.get('native_id') or ''))}"


@dataclass
class Service:
    name: str
    slug: str
    names: dict[str, str]
    incidents: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SiteData:
    timezone: str
    today: date
    services: dict[str, Service]  # by slug
    incidents: dict[int, dict[str, Any]]  # incident_facts + "told", "statements", "slug", "names"
    events: dict[int, dict[str, Any]]  # facts.gather.event
    days: dict[date, list[int]]  # local day → incident ids touching it

    def open_incidents(self) -> list[dict[str, Any]]:
        return [i for i in self.incidents.values() if i["status"] != "resolved" and not i.get("window_passed")]


WINDOW_GRACE = timedelta(days=1)  # how long after its planned end a maintenance may still post its completion


def window_passed(incident: dict[str, Any], today: date, zone: ZoneInfo) -> bool:
    """A maintenance the company never said was completed, whose planned window ended more than WINDOW_GRACE before
    ``today`` began: not listed as going on (the site says its window passed with no completion posted)."""
    if incident.get("kind") != "maintenance" or incident.get("status") == "resolved":
        return False
    end = incident.get("window_end")
    if not isinstance(end, datetime):
        return False
    return end + WINDOW_GRACE < datetime.combine(today, time(0), tzinfo=zone)


def _local_days(start: datetime | None, end: datetime | None, zone: ZoneInfo) -> list[date]:
    if start is None:
        return []
    first = start.astimezone(zone).date()
    last = (end or start).astimezone(zone).date()
    count = min(max(0, (last - first).days), MAX_SPAN_DAYS - 1)
    return [first + timedelta(days=n) for n in range(count + 1)]


def load(db: sqlite_utils.Database, timezone: str, today: date, configured: list[str] | None = None) -> SiteData:
    """Everything the pages and feeds need, in a handful of queries."""
    zone = ZoneInfo(timezone)
    kinds = {r["id"]: r["kind"] for r in rows(db, "select id, kind from sources")}
    stages = {r["post_id"]: r["detail"] or "" for r in rows(
        db, "select post_id, detail from incident_changes where change = 'maintenance' and post_id is not null")}
    changes: dict[int, dict[str, Any]] = {}
    for r in rows(db, "select id, incident_id, change, post_id from incident_changes where post_id is not null "
                  "order by id"):
        changes.setdefault(r["post_id"], r)  # the first change a statement made: the message it was told in
    by_incident: dict[int, list[dict[str, Any]]] = {}
    for post in rows(db, "select * from posts where incident_id is not null and duplicate_of is null and "
                     "coalesce(kind, '') != 'noise' order by created_at, id"):
        facts = statement_facts(post, kinds.get(post["source_id"], ""), stages.get(post["id"], ""))
        facts["change"] = changes.get(post["id"])
        facts["key"] = statement_key(post)
        facts["seen"] = moment(post.get("seen_at")) or facts["created_at"]
        by_incident.setdefault(post["incident_id"], []).append(facts)

    services: dict[str, Service] = {}

    def service_of(name: str, at: Any = None) -> Service:
        names = service_names(name, at)
        key = slug(names["id"])
        if key not in services:
            services[key] = Service(name=name, slug=key, names=names)
        return services[key]

    for name in configured or []:
        service_of(name)
    incidents: dict[int, dict[str, Any]] = {}
    days: dict[date, list[int]] = {}
    for raw in rows(db, "select * from incidents order by coalesce(opened_at, resolved_at), id"):
        facts = incident_facts(raw)
        facts["window_passed"] = window_passed(facts, today, zone)
        facts["statements"] = by_incident.get(raw["id"], [])
        service = service_of(raw["service"], facts["first_word_at"] or facts["opened_at"])
        facts["slug"] = service.slug
        facts["names"] = facts["service_info"]
        service.incidents.append(facts)
        incidents[raw["id"]] = facts
    with_first_fix(db, list(incidents.values()))  # a problem that came back: not on the days it was fixed between
    for facts in incidents.values():
        touched: list[date] = []
        for began, finished in calendar_spans(facts):
            touched += [day for day in _local_days(began, finished, zone) if day not in touched]
        for day in touched:
            days.setdefault(day, []).append(facts["id"])
    _mark_unlisted(db, list(incidents.values()))  # resolved only by "no longer listed on the page" (one query)
    for facts in incidents.values():  # the span as messages tell it: none for a close without a fix, or a notice
        facts["told"] = told(facts)
    events = {}
    for r in rows(db, "select id from events order by started_at, id"):
        found = event_facts(db, r["id"])
        if found and found["incidents"]:
            events[r["id"]] = found
    return SiteData(timezone=timezone, today=today, services=services, incidents=incidents, events=events, days=days)


# ---------------------------------------------------------------- figures a service page shows


def _spread(values: list[int]) -> dict[str, Any]:
    if not values:
        return {"count": 0, "median": None, "worst": None}
    return {"count": len(values), "median": int(statistics.median(values)), "worst": max(values)}


def service_figures(service: Service) -> dict[str, Any]:
    """Time to acknowledge and to resolve, median and worst, over the service's incidents (not maintenance, not a
    closed notice).

    To resolve: the duration the channel messages tell (facts.context.told). To acknowledge: from the start the
    company stated to its first word, for the incidents whose words put the start at least STATED_GAP earlier
    (facts.context.with_began ``stated_start``); for the others the first word is the only start known, so they
    are left out of that figure rather than counted as zero."""
    outages = [i for i in service.incidents if i["kind"] != "maintenance" and not i.get("notice")]
    resolve = [i["told"]["duration_seconds"] for i in outages if i["told"]["duration_seconds"] is not None]
    acknowledge = [timefmt.shown_seconds(i["stated_start"], i["first_word_at"]) for i in outages
                   if i.get("stated_start") and i.get("first_word_at")]
    # a notice the company closed naming no problem (facts.context.closed_notice) is not an incident: counted apart
    notices = sum(1 for i in service.incidents if i["kind"] != "maintenance" and i.get("notice"))
    return {"incidents": len(outages), "notices": notices,
            "maintenance": len(service.incidents) - len(outages) - notices,
            "resolve": _spread(resolve), "acknowledge": _spread(acknowledge)}


def day_bar(service: Service, data: SiteData, days: int = 90) -> list[dict[str, Any]]:
    """The last ``days`` local days ending today, oldest first: each with its worst severity and incident ids."""
    mine = {i["id"] for i in service.incidents}
    out = []
    for n in range(days - 1, -1, -1):
        day = data.today - timedelta(days=n)
        ids = [i for i in data.days.get(day, []) if i in mine]
        worst = max((severity(data.incidents[i]) for i in ids), key=SEVERITY.__getitem__, default="none")
        out.append({"day": day, "severity": worst, "incidents": ids})
    return out


def day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone))
    return start, start + timedelta(days=1)
