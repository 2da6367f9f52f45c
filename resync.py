"""Resync: re-read each source's history as far as it reaches, add what is missing, re-classify and re-link.

Posts nothing unless asked (``repost``: then only statements never delivered). Running it twice in a row changes
nothing the second time. ``dry_run`` does the whole work in a transaction and rolls it back.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
import sqlite_utils

from classify import classify
from config import BotConfig, SourceConfig, parse_interval
from incidents import link_order, link_statement, record_post
from outbox import enqueue
from pipeline import fetch_one, link_settings, x_budgets
from posts import Post
from store import add_x_reads, ensure_source, now_utc, row, transaction
from trackers import PollResult, SkipSource, TrackerError
from trackers.http import make_client


class _DryRun(Exception):
    pass


@dataclass
class ResyncReport:
    source_id: str
    fetched: int = 0
    added: int = 0
    reclassified: int = 0
    relinked: int = 0
    queued: int = 0
    error: str = ""
    details: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.reclassified or self.relinked or self.queued)

    def line(self) -> str:
        if self.error:
            return f"source \"{self.source_id}\": {self.error}"
        if not self.changed:
            return f"source \"{self.source_id}\": {self.fetched} statement(s) read, no change"
        return (f"source \"{self.source_id}\": {self.fetched} read, {self.added} added, {self.reclassified} re-classified, "
                f"{self.relinked} re-linked, {self.queued} message(s) queued")


def _history_source(source: SourceConfig, since: str | None) -> SourceConfig:
    """The source as configured, but reading its whole reachable history (or the ``since`` window)."""
    return dataclasses.replace(source, backfill=since or "all")


def resync_source(
    db: sqlite_utils.Database, bot: BotConfig, source: SourceConfig, *, since: str | None = None,
    repost: bool = False, dry_run: bool = False, http: httpx.Client | None = None, now: datetime | None = None,
) -> ResyncReport:
    now = now or now_utc()
    report = ResyncReport(source.id)
    client = http or make_client()
    try:
        budget = x_budgets(db, bot, [source], now).get(source.id)
        result = fetch_one(_history_source(source, since), {}, budget, client)
    finally:
        if http is None:
            client.close()
    if isinstance(result, SkipSource | TrackerError):
        report.error = str(result)
        return report
    posts = _within(result, since, now)
    report.fetched = len(posts)
    try:
        with transaction(db):
            ensure_source(db, source.id, source.kind, source.service)
            _apply(db, bot, source, posts, report, repost)
            if result.reads:
                add_x_reads(db, result.reads, now)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _within(result: PollResult, since: str | None, now: datetime) -> list[Post]:
    posts = sorted(result.posts, key=link_order)
    if since:
        cutoff = now - timedelta(seconds=parse_interval(since))
        posts = [p for p in posts if p.created_at >= cutoff]
    return posts


def _apply(
    db: sqlite_utils.Database, bot: BotConfig, source: SourceConfig, posts: list[Post], report: ResyncReport, repost: bool
) -> None:
    settings = link_settings(bot)
    changes = []
    for post in posts:
        statement = classify(post, source_kind=source.kind)
        stored = row(db, "select id, kind, incident_id, duplicate_of from posts where source_id = ? and native_id = ?",
                     (post.source_id, post.native_id))
        if stored is None:
            post_id = record_post(db, post, statement)
            assert post_id is not None
            report.added += 1
            report.details.append(f"added {post.native_id} ({statement.kind})")
            changes += link_statement(db, post, post_id, statement, settings, notify=repost)
            continue
        if stored["kind"] != statement.kind:
            db.execute("update posts set kind = ?, confidence = ?, reason = ? where id = ?",
                       (statement.kind, statement.confidence, statement.reason, stored["id"]))
            report.reclassified += 1
            report.details.append(f"re-classified {post.native_id}: {stored['kind']} → {statement.kind}")
        if stored["incident_id"] is None and stored["duplicate_of"] is None and statement.kind != "noise":
            changes += link_statement(db, post, stored["id"], statement, settings, notify=repost)
            report.relinked += 1
            report.details.append(f"linked {post.native_id}")
    if repost:
        report.queued = enqueue(db, changes, bot)


def resync(
    db: sqlite_utils.Database, bot: BotConfig, *, source_ids: tuple[str, ...] = (), since: str | None = None,
    repost: bool = False, dry_run: bool = False,
) -> list[ResyncReport]:
    sources = [s for s in bot.sources if not source_ids or s.id in source_ids]
    client = make_client()
    try:
        return [resync_source(db, bot, s, since=since, repost=repost, dry_run=dry_run, http=client) for s in sources]
    finally:
        client.close()
