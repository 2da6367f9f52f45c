"""What a maintenance's own statements say beyond its stage: the window each statement gives, a window the company
moved or extended (Symantec WSS "We have extended the maintenance period … Updated Schedule", DatoCMS "Maintenance
postponed to 11th October"), a later word before the work that changes nothing (DatoCMS "The scheduled maintenance
will start in about 2 hours": a reminder, not a second announcement), and downtime the company says the work needs (DatoCMS "[DOWNTIME REQUIRED]", "will be
completely unavailable"; Symantec WSS "There will be a brief outage during the maintenance window")."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from facts.context import moment

# the company's words that the window changed: "has been extended to December 6, 2019", "We have extended the
# maintenance period", DatoCMS 2025-01-11 "Total duration increased from 45 to 60 minutes", "Maintenance postponed to
# 11th October", "rescheduled to …"
_EXTENDED = re.compile(
    r"\b(?:ha(?:s|ve)\s+(?:been\s+)?|(?:was|were|is|are)\s+(?:being\s+)?)extended\b"
    r"|\bextend(?:ed|ing)\s+(?:the|our|this)\s+(?:\w+\s+){0,2}(?:maintenance|window|period|schedule|deployment)\b"
    r"|\b(?:duration|window|period)\s+(?:(?:has|have)\s+been\s+|was\s+|is\s+)?(?:increased|lengthened|prolonged)\b",
    re.IGNORECASE)
_POSTPONED = re.compile(r"\b(?:postpon(?:ed|ing)|pushed\s+back)\b", re.IGNORECASE)
_MOVED = re.compile(r"\b(?:reschedul(?:ed|ing)|moved\s+to)\b", re.IGNORECASE)
_NEGATED = re.compile(r"\b(?:not|no|never)\s+(?:\w+\s+){0,2}$|n't\s+(?:\w+\s+){0,2}$", re.IGNORECASE)


def _said(pattern: re.Pattern[str], text: str) -> bool:
    """Whether ``text`` says ``pattern`` without a "not" / "no" just before it."""
    return any(not _NEGATED.search(text[max(0, m.start() - 30):m.start()]) for m in pattern.finditer(text))


def _said_before(statement: dict[str, Any], statements: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The incident's statements (oldest first) before ``statement``: up to it, or to the first posted after it."""
    at = statement.get("created_at")
    earlier: list[dict[str, Any]] = []
    for other in statements or []:
        if other.get("id") == statement.get("id") or (at and other.get("created_at") and other["created_at"] > at):
            break
        earlier.append(other)
    return earlier


def statement_window(statement: dict[str, Any] | None) -> tuple[datetime | None, datetime | None]:
    """The window one statement gives: its source's fields (Statuspage ``scheduled_for`` / ``scheduled_until``),
    else the window its words label ("Start Date: … End Date: …", as incidents._link_maintenance reads it)."""
    from facts.stated_times import labelled_window

    statement = statement or {}
    start, end = moment(statement.get("starts_at")), moment(statement.get("ends_at"))
    if start or end:
        return start, end
    at = statement.get("created_at")
    if not isinstance(at, datetime) or not statement.get("text"):
        return None, None
    span = labelled_window(statement["text"], at)
    return span.start, span.end


def window_told(incident: dict[str, Any] | None, statement: dict[str, Any] | None) -> tuple[Any, Any]:
    """The window a maintenance message tells: the one its statement gives (Symantec WSS's first notice of
    3136488, "Start Date … 18:00 UTC End Date … 20:00 UTC", before it was extended to 21:00), else the incident's
    latest."""
    start, end = statement_window(statement)
    if start or end:
        return start, end
    incident = incident or {}
    return incident.get("window_start"), incident.get("window_end")


def window_change(incident: dict[str, Any] | None, statement: dict[str, Any] | None,
                  statements: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """How a maintenance statement (not its completion) changes the window: ``how`` is "extended", "postponed" or
    "moved" when its words say so or when it gives a window other than the one an earlier statement gave; ``before``
    is that earlier window (start, end) when one was given, else None. Empty when the statement changes nothing."""
    if (incident or {}).get("kind") != "maintenance" or not statement or statement.get("stage") == "completed" \
            or statement.get("status") in ("completed", "verifying"):
        return {}
    text = statement.get("text") or ""
    now = statement_window(statement)
    before = None
    for earlier in _said_before(statement, statements):  # the window the latest earlier statement that gave one gave
        window = statement_window(earlier)
        if any(window):
            before = window
    if not any(now) or not before or not any(before[i] and now[i] and before[i] != now[i] for i in (0, 1)):
        before = None  # the same window, or one with an end left open that this one only completes
    how = next((how for how, words in (("extended", _EXTENDED), ("postponed", _POSTPONED), ("moved", _MOVED))
                if _said(words, text)), "")
    if not how and before and any(now):
        how = "extended" if before[0] == now[0] and before[1] and now[1] and now[1] > before[1] else "moved"
    return {"how": how, "before": before} if how else {}


# the company's words that the work goes ahead as announced: DatoCMS "The scheduled maintenance will start in about 2
# hours", "Maintenance starting in 1 hour", "Maintenance is about to start", "Maintenance will be executed at scheduled
# time.", "We are ready to perform the maintenance at the scheduled time.", "Maintenance will start at planned time",
# "Preparing for maintenance"
_AS_ANNOUNCED = re.compile(
    r"\b(?:will|to)\s+(?:start|begin|commence)\b|\b(?:starting|beginning|starts|begins)\s+in\b"
    r"|\babout\s+to\s+(?:start|begin)\b|\b(?:at|on)\s+(?:the\s+)?(?:scheduled|planned|announced)\s+time\b"
    r"|\b(?:as|like)\s+(?:planned|scheduled|announced)\b|\bready\s+to\s+(?:perform|start|begin|proceed)\b"
    r"|\bpreparing\s+for\b|\breminder\b|\bstill\s+(?:scheduled|planned)\b",
    re.IGNORECASE)


def _plain(text: str) -> str:
    return " ".join(text.split()).lower()


def notice_again(incident: dict[str, Any] | None, statement: dict[str, Any] | None,
                 statements: list[dict[str, Any]] | None = None, stage: str = "") -> str:
    """A later statement of a maintenance not yet begun that changes nothing (no ``window_change``): "reminder" when
    its words say the work goes ahead as announced (DatoCMS "will start in about 2 hours", "will be executed at
    scheduled time") or repeat an earlier statement's (DatoCMS 2019-10-30 "Database maintenance"), else "update".
    Empty for the first notice, once the work has begun (an earlier statement at another stage), for a change.
    ``stage``: the statement's, when the caller knows it apart from the statement (a message's context)."""
    statement = {**statement, "stage": stage} if statement and stage else statement
    if (incident or {}).get("kind") != "maintenance" or not statement \
            or (statement.get("stage") or "scheduled") != "scheduled" \
            or statement.get("status") in ("in_progress", "verifying", "completed"):
        return ""
    earlier = _said_before(statement, statements)
    if not earlier or any((other.get("stage") or "scheduled") != "scheduled" for other in earlier) \
            or window_change(incident, statement, statements):
        return ""
    text = _plain(str(statement.get("text") or ""))
    repeated = bool(text) and any(text in _plain(str(other.get("text") or "")) for other in earlier)
    return "reminder" if repeated or _said(_AS_ANNOUNCED, text) else "update"


# downtime the company says the work needs: DatoCMS "[DOWNTIME REQUIRED]", "Downtime is expected.", "will be
# completely unavailable", "we expect all our APIs to be unavailable for around 15 minutes"; not "may be
# unavailable", "This should not cause any downtime", "No downtime expected"
_DOWN = re.compile(
    r"\bdowntime\s+(?:is\s+)?(?:required|expected)\b|\bexpected\s+downtime\b"
    r"|\bwill\s+be\s+(?:completely\s+|fully\s+|totally\s+|temporarily\s+)?(?:unavailable|offline|inaccessible)\b"
    r"|\bwill\s+not\s+be\s+(?:available|accessible|reachable)\b"
    r"|\bexpect\w*\s+[^.]{0,40}?\bto\s+be\s+(?:completely\s+|fully\s+)?unavailable\b",
    re.IGNORECASE)
# a brief outage inside a longer window: Symantec WSS "There will be a brief outage during the maintenance window"
_BRIEF = re.compile(r"\bthere\s+will\s+be\s+(?:a\s+)?(?:brief|short)\s+(?:service\s+)?(?:outage|downtime|interruption)\b",
                    re.IGNORECASE)


def maintenance_downtime(incident: dict[str, Any] | None, *statements: dict[str, Any] | None) -> str:
    """What the title or ``statements`` (its first one, the one told) say the service will do during the work:
    "brief" (a brief outage within the window), "down" (unavailable during it), "" when they do not say it will."""
    if (incident or {}).get("kind") != "maintenance":
        return ""
    texts = [str((incident or {}).get("title") or "")] + [str((s or {}).get("text") or "") for s in statements]
    if any(_said(_BRIEF, text) for text in texts):
        return "brief"
    return "down" if any(_said(_DOWN, text) for text in texts) else ""
