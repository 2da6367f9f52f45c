"""Stories in channels (issue 16): which incident changes queue a news-story draft (outputs/story) for a channel
with ``stories = true``, and how that story is delivered — sent once as a message of its own, then edited in
place as statements follow.

When a channel gets a story (which incidents are told in a story at all, and in whose: outputs/story/subject.py,
the rule the site's story pages follow too):
- an event (several services at once) is over: every member resolved;
- an incident of major or critical impact (as its company rated it) is resolved;
- with ``story_after = "2h"``: an event or a major/critical incident still open that long after it began gets a
  developing story, marked so — noticed by its next change, or by the clock at the start of each delivery run
  (``queue_due_stories``: only what was announced and has spoken within ``[bot] stale_hours``);
- once a channel has a story of an incident or event, each later notified change of it queues an edit (the story
  as it is then: a new statement, a resolution, a report).

A story row carries no incident id (so a storm never collapses it into an incident's digest); its body is JSON:
``{"target": "event:1"}``, and once sent, ``"parts"``: the remote id of each part, which the next edit reuses.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from config import BotConfig
from outputs.story.subject import STORY_IMPACTS, story_target, story_worthy
from posts import iso_utc, parse_time
from store import now_iso, row, rows, transaction, update_row

log = logging.getLogger("pushti.outbox")


def _over(db: sqlite_utils.Database, incident: dict[str, Any]) -> bool:
    """The story's subject is over: the event resolved, or a major incident resolved."""
    if incident.get("event_id"):
        event = row(db, "select status from events where id = ?", (incident["event_id"],))
        return bool(event) and event["status"] == "resolved"
    return incident.get("status") == "resolved" and story_worthy(incident)


def _open_for(db: sqlite_utils.Database, incident: dict[str, Any], at: str) -> float | None:
    """Seconds the story's subject has been open at ``at`` (an event's start, else the incident's), or None when it
    is not story-worthy (a lone incident below major impact) or already over."""
    if incident.get("event_id"):
        event = row(db, "select status, started_at from events where id = ?", (incident["event_id"],))
        began = event["started_at"] if event and event["status"] != "resolved" else None
    elif story_worthy(incident) and incident.get("status") == "open":
        began = incident.get("started_at") or incident.get("opened_at")
    else:
        began = None
    if not began or not at:
        return None
    try:
        return (parse_time(at) - parse_time(began)).total_seconds()
    except (ValueError, TypeError, OverflowError):
        return None


def _has_story(db: sqlite_utils.Database, channel_id: str, target: str) -> bool:
    return row(db, "select 1 from outbox where channel_id = ? and message_kind = 'story' and body = ?",
               (channel_id, json.dumps({"target": target}))) is not None or row(
        db, "select 1 from outbox where channel_id = ? and message_kind = 'story' and body like ?",
        (channel_id, f'{{"target": "{target}",%')) is not None


def queue_stories(db: sqlite_utils.Database, bot: BotConfig, changes: list[Any]) -> int:
    """Story rows for the notified ``changes`` (inside the poll's transaction). Returns rows added."""
    from outbox import channel_wants

    channels = [c for c in bot.channels if c.option("stories") and c.id != bot.ops_channel]
    added = 0
    for change in changes if channels else []:
        incident = row(db, "select * from incidents where id = ?", (change.incident_id,))
        if incident is None or (incident.get("kind") or "incident") == "maintenance":
            continue
        target = story_target(incident)
        for channel in channels:
            if not channel_wants(channel, incident):
                continue
            if _has_story(db, channel.id, target):
                reason = f"change{change.id}"  # a later word: the story is edited
            elif _over(db, incident):
                reason = "final"
            else:
                after = channel.option("story_after")
                lasted = _open_for(db, incident, change.at) if after else None
                if lasted is None or lasted < float(after):
                    continue
                reason = "developing"
            added += _queue_story(db, channel.id, target, reason)
    return added


def _queue_story(db: sqlite_utils.Database, channel_id: str, target: str, reason: str) -> int:
    """One story row for the channel (its key names the reason, so the same story is never queued twice)."""
    cursor = db.execute(
        "insert or ignore into outbox (channel_id, key, message_kind, status, attempts, created_at, body) "
        "values (?, ?, 'story', 'pending', 0, ?, ?)",
        (channel_id, f"{channel_id}|story|{target}|{reason}", now_iso(), json.dumps({"target": target})),
    )
    return cursor.rowcount


def queue_due_stories(db: sqlite_utils.Database, bot: BotConfig, now: datetime) -> int:
    """Developing stories that are due by the clock (``story_after`` passed with no new change to notice it): an
    open event, or an open major/critical incident, announced in this run's channels (a notified change), whose
    last statement is recent (within ``[bot] stale_hours``: history is never told as news). Idempotent."""
    from outbox import channel_wants

    channels = [c for c in bot.channels if c.option("stories") and c.option("story_after") and c.id != bot.ops_channel]
    if not channels:
        return 0
    fresh = iso_utc(now - timedelta(hours=bot.stale_hours))
    found = rows(
        db, "select * from incidents where status = 'open' and coalesce(kind, 'incident') = 'incident' "
        f"and last_statement_at >= ? and (event_id is not null or impact in {STORY_IMPACTS!r}) and exists "
        "(select 1 from incident_changes c where c.incident_id = incidents.id and c.notify = 1)", (fresh,),
    )
    added = 0
    for incident in found:
        lasted = _open_for(db, incident, iso_utc(now))
        target = story_target(incident)
        for channel in channels:
            if lasted is None or lasted < float(channel.option("story_after")) or not channel_wants(channel, incident):
                continue
            if _has_story(db, channel.id, target):
                continue
            added += _queue_story(db, channel.id, target, "developing")
    return added


def story_text(db: sqlite_utils.Database, target: str, languages: tuple[str, ...], timezone: str) -> str:
    """The story in each of the channel's languages, in its order, as plain text."""
    from outputs.story import write_story

    kind, _, number = target.partition(":")
    return "\n\n".join(write_story(db, int(number), event=kind == "event", lang=lang, fmt="text", timezone=timezone)
                       .strip() for lang in languages if lang in ("hi", "en"))


def deliver_story(db: sqlite_utils.Database, run: Any, item: dict[str, Any],
                  sleep: Callable[[float], None]) -> tuple[str, str]:
    """Send (or edit) one story row: the parts already sent for this story in this channel are edited, new parts
    are sent as replies to the first. ChannelError goes to the caller (outbox._deliver_one: retry, pause, fail)."""
    import markup as mk
    from channels import ChannelError
    from outbox import _pace
    from render import RenderedMessage

    channel = run.channel
    config = channel.config
    body = json.loads(item.get("body") or "{}")
    target = str(body.get("target") or "")
    own = list(body.get("parts") or [])  # a retry of this row: parts it already sent
    previous = row(db, "select body from outbox where channel_id = ? and message_kind = 'story' and status = 'sent' "
                   "and id != ? and body like ? order by id desc limit 1",
                   (run.channel_id, item["id"], f'{{"target": "{target}",%'))
    old = own or (json.loads(previous["body"]).get("parts") or [] if previous else [])
    text = mk.escape(story_text(db, target, config.languages, config.timezone), channel.markup)
    parts = mk.split(text, channel.max_chars, channel.markup)
    sent: list[str] = []
    for index, part in enumerate(parts):
        message = RenderedMessage(parts=[part], card=part, extra={"outbox_id": item["id"], "part": index})
        _pace(run, sleep)
        try:
            if index < len(old) and channel.can_edit:
                try:
                    channel.edit(old[index], message)
                    sent.append(old[index])
                    continue
                except ChannelError as err:
                    if not err.missing_target:
                        raise
                    log.warning("channel \"%s\": the story's message is gone (%s); sending it anew", run.channel_id, err)
            reply_to = sent[0] if sent and channel.can_thread else None
            sent.append(channel.send(message, reply_to=reply_to))
        finally:
            run.state.pacer.record()
        with transaction(db):  # a crash after this part: the retry edits it instead of sending it again
            update_row(db, "outbox", item["id"], {"body": json.dumps({"target": target, "parts": sent})})
    with transaction(db):
        update_row(db, "outbox", item["id"], {"status": "sent", "remote_id": sent[0] if sent else "",
                                              "sent_at": now_iso(), "last_error": None,
                                              "body": json.dumps({"target": target, "parts": sent})})
    return "sent", ""
