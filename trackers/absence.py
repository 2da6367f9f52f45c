"""Resolution by disappearance, confirmed: the Azure, incident.io and Instatus trackers read documents that list
active incidents only, so an incident that is no longer listed is probably over — but one poll is not enough (a
transient error page that parses, a deploy of the status site, a CDN serving an old copy can list nothing at all).

An incident listed at an earlier poll and missing now goes into the cursor's ``missing`` table
(``{key: {"since": ISO time first seen missing, "polls": polls seen missing, "info": what was known of it}}``).
It is reported gone only when it is still missing at a later poll at least ``CONFIRM_AFTER`` (5 min) after it was
first missed; listed again before that, it simply stays open and nothing is said. Unchanged documents (304, same
hash) count as polls too: the incident is still missing from them.

The Post then made says "no longer listed on the status page", not "resolved": ``raw_status`` is ``NOT_LISTED``
so messages can tell (classification still reads its ``status``, ``resolved`` / ``completed``, and closes the
incident).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from posts import iso_utc, parse_time

CONFIRM_AFTER = timedelta(minutes=5)
CONFIRM_POLLS = 2
NOT_LISTED = "no longer listed"  # Post.raw_status of a statement made from a disappearance


@dataclass
class Absence:
    """What one poll learned: keys confirmed gone (with what was known of them) and the new ``missing`` table."""

    gone: dict[str, dict[str, Any]] = field(default_factory=dict)
    missing: dict[str, dict[str, Any]] = field(default_factory=dict)


def remembered(listed: dict[str, Any], missing: dict[str, Any] | None) -> dict[str, Any]:
    """What is known of every incident listed before, the missing ones included: one listed again keeps its
    story (its first statement, the statuses seen) instead of starting over."""
    return {**{k: v.get("info") or {} for k, v in (missing or {}).items() if isinstance(v, dict)}, **listed}


def track(previous: dict[str, Any], listed: dict[str, Any] | None, missing: dict[str, Any] | None,
          now: datetime) -> Absence:
    """One poll's bookkeeping. ``previous``: the incidents listed at the last poll that read the document
    ({key: info}); ``listed``: the keys listed now (None: the document was not read again — unchanged, so what
    was missing still is); ``missing``: the cursor's table from the last poll."""
    table: dict[str, dict[str, Any]] = {k: dict(v) for k, v in (missing or {}).items() if isinstance(v, dict)}
    result = Absence()
    if listed is not None:
        for key in list(table):
            if key in listed:
                del table[key]  # listed again: never gone
        for key, info in previous.items():
            if key not in listed and key not in table:
                table[key] = {"since": iso_utc(now), "polls": 0, "info": info}
    for key, entry in table.items():
        polls = entry.get("polls")
        entry["polls"] = (polls if isinstance(polls, int) and not isinstance(polls, bool) else 0) + 1
        try:
            since = parse_time(str(entry.get("since") or ""))
        except ValueError:
            since = now
            entry["since"] = iso_utc(now)
        if entry["polls"] >= CONFIRM_POLLS and now - since >= CONFIRM_AFTER:
            result.gone[key] = entry.get("info") or {}
        else:
            result.missing[key] = entry
    return result
