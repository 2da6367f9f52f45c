#!/usr/bin/env python3
"""pushti command line: parses options, wires the pipeline stages together and prints. Logic lives below it.

Exit codes: 0 done; 1 a source (or message) failed; 2 bad configuration or model; 3 another pushti holds the
instance lock; 4 the state database cannot be used (corrupted, read-only, locked by another writer past
``[bot] state_wait``, a folder, a folder that cannot be made) — one line on stderr saying what to do.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from config import BotConfig, ConfigError, load_config  # noqa: E402
from logsetup import emit, log_format, setup_logging  # noqa: E402

EXIT_OK, EXIT_SOURCE_FAILED, EXIT_BAD_CONFIG, EXIT_LOCKED, EXIT_STATE = 0, 1, 2, 3, 4

config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), default=None,
    help="TOML config file (default: ./pushti.toml, else the bundled default).",
)


def _load(config_path: str | None) -> BotConfig:
    from store import set_busy_timeout

    try:
        bot = load_config(config_path)
    except ConfigError as err:
        emit(f"config error: {err}")
        sys.exit(EXIT_BAD_CONFIG)
    if bot.options.get("state_wait") is not None:  # seconds a write waits for another writer (bounded by config)
        set_busy_timeout(bot.options["state_wait"])
    return bot


def _need_model(*, load: bool = True) -> None:
    """The classifier's weights load before any source is read: a missing or broken model file is one line, exit 2,
    not a traceback per statement. ``load=False`` (``poll --once``): only check the file is there; the weights load
    when a statement is classified, and a malformed file met then is the same line."""
    from understanding.model import ModelError, check_model_file, load_model

    try:
        load_model() if load else check_model_file()
    except ModelError as err:
        emit(f"model error: {err}")
        sys.exit(EXIT_BAD_CONFIG)


def _db(bot: BotConfig):  # type: ignore[no-untyped-def]
    from store import open_db

    return open_db(bot.state)


def _safe(text: str) -> str:
    """Text from outside (statements, titles, server answers) as printed to a terminal: no control sequences."""
    from channels.console import terminal_safe

    return terminal_safe(text)


def _channels(bot: BotConfig) -> dict[str, Any]:
    from channels import ChannelError, channel_for

    result = {}
    for channel in bot.channels:
        try:
            result[channel.id] = channel_for(channel, bot)
        except ChannelError as err:
            emit(f"channel \"{channel.id}\": {err}", "warning")
    return result


@click.group()
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", help="Log line format.")
@click.option("-v", "--verbose", is_flag=True, help="Log debug details.")
def cli(log_format: str, verbose: bool) -> None:
    """pushti: official outage statements, in Hindi and English, to your channel.

    \b
    Exit codes: 0 done; 1 a source failed; 2 bad configuration;
    3 another pushti is running on this state; 4 the state database cannot be used.
    """
    setup_logging(log_format, logging.DEBUG if verbose else logging.INFO)


@cli.command()
@config_option
@click.option("--once", is_flag=True, help="One cycle, then exit (for cron); the default, kept for clarity.")
@click.option("--source", "source_ids", multiple=True, help="Only this source id (repeatable).")
@click.option("--all", "poll_all", is_flag=True, help="Poll every source now, even before its interval or backoff ends.")
def poll(config_path: str | None, once: bool, source_ids: tuple[str, ...], poll_all: bool) -> None:
    """Poll the sources whose interval has passed, store what they say, and deliver the messages."""
    bot = _load(config_path)
    _need_model(load=False)  # a cron run whose sources all answer 304 classifies nothing: no weights to load
    from lock import AlreadyRunning, instance_lock
    from understanding.model import ModelError

    try:
        with instance_lock(bot.state):
            code = run_poll_once(bot, source_ids, poll_all=poll_all)
    except AlreadyRunning as err:
        emit(str(err))
        sys.exit(EXIT_LOCKED)
    except ModelError as err:  # met when the first statement was classified; what was stored before stays
        emit(f"model error: {err}")
        sys.exit(EXIT_BAD_CONFIG)
    sys.exit(code)


def run_poll_once(bot: BotConfig, source_ids: tuple[str, ...] = (), *, poll_all: bool = False) -> int:
    from faults import crash_point
    from outbox import deliver
    from pipeline import poll_cycle

    sources = list(bot.sources)
    if source_ids:
        unknown = set(source_ids) - {s.id for s in sources}
        if unknown:
            emit(f"config error: {bot.path}: no source with id {', '.join(sorted(unknown))}")
            return EXIT_BAD_CONFIG
        sources = [s for s in sources if s.id in source_ids]
    db = _db(bot)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):  # finish the current transaction / message, then exit
        signal.signal(sig, lambda *_: stop.set())
    report = poll_cycle(db, bot, sources=sources, stop=stop, only_due=not (poll_all or source_ids))
    for outcome in report.notices:
        emit(outcome.message, "warning")
    for outcome in report.failures:
        emit(outcome.message)
    crash_point("after_poll")  # tests: a crash between storing and delivering
    delivery = deliver(db, bot, _channels(bot), stop=stop, sleep=stop.wait)
    for line in delivery.errors:
        emit(line)
    if bot.options.get("site_dir") and not stop.is_set():  # the history site's changed pages (outputs/site)
        from outputs.site import site_refresher

        refresher = site_refresher(bot)
        if refresher:
            refresher.refresh(db)
    code = EXIT_SOURCE_FAILED if report.failures else EXIT_OK
    if stop.is_set():
        emit("stopped by signal; what was not done is picked up by the next run", "warning")
        # every transaction is committed; do not wait for fetches still in flight (their results are dropped)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


@cli.command()
@config_option
def run(config_path: str | None) -> None:
    """Run as a daemon: poll each source at its interval, push streams and webhooks, deliver between polls."""
    _run_daemon(config_path)


@cli.command()
@config_option
@click.option("--listen", required=True, help="HOST:PORT of the Statuspage webhook receiver (POST /hooks/<source-id>/<secret>).")
def serve(config_path: str | None, listen: str) -> None:
    """The daemon (as run) with the webhook receiver on HOST:PORT."""
    from streams.settings import listen_address

    try:
        listen_address(listen)
    except ValueError as err:
        emit(f"--listen: {err}")
        sys.exit(EXIT_BAD_CONFIG)
    _run_daemon(config_path, listen)


def _run_daemon(config_path: str | None, listen: str | None = None) -> None:
    bot = _load(config_path)
    _need_model()
    from daemon import run_daemon
    from lock import AlreadyRunning, instance_lock
    from streams.settings import ListenError

    try:
        with instance_lock(bot.state):
            run_daemon(bot, _channels(bot), listen=listen)
    except AlreadyRunning as err:
        emit(str(err))
        sys.exit(EXIT_LOCKED)
    except ListenError as err:
        emit(str(err))
        sys.exit(EXIT_BAD_CONFIG)


@cli.command()
@config_option
@click.option("--retry-failed", is_flag=True, help="Put failed messages back in the queue first.")
def deliver(config_path: str | None, retry_failed: bool) -> None:
    """Deliver pending (and optionally failed) messages without polling."""
    bot = _load(config_path)
    from lock import AlreadyRunning, instance_lock
    from outbox import deliver as deliver_pending

    try:  # one deliverer at a time: two would send the same pending message twice
        with instance_lock(bot.state):
            report = deliver_pending(_db(bot), bot, _channels(bot), retry_failed=retry_failed)
    except AlreadyRunning as err:
        emit(str(err))
        sys.exit(EXIT_LOCKED)
    for line in report.errors:
        emit(line)
    click.echo(f"sent {report.sent}, failed {report.failed}, waiting {report.deferred}")


@cli.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(config_path: str | None, as_json: bool) -> None:
    """Sources, channels, open incidents and the X read budget."""
    bot = _load(config_path)
    from statusreport import status_data, status_text

    data = status_data(_db(bot), bot)
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else _safe(status_text(data)))


@cli.command()
@config_option
@click.option("--open", "open_only", is_flag=True, help="Only open incidents.")
@click.option("--events", is_flag=True, help="Show events (incidents of several services together).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per incident (its facts).")
def incidents(config_path: str | None, open_only: bool, events: bool, as_json: bool) -> None:
    """Incidents with their statements (or events)."""
    bot = _load(config_path)
    from incidents import events_with_incidents, incidents_with_statements

    db = _db(bot)
    if events:
        found = events_with_incidents(db)
        if not found:
            click.echo("no events")
        for event in found:
            services = ", ".join(i["service"] for i in event["incidents"])
            click.echo(_safe(f"event #{event['id']} [{event['status']}] {event['started_at']} → {event['ended_at'] or '…'}: {services}"))
        return
    found = incidents_with_statements(db, open_only=open_only)
    if as_json:
        from facts.record import incident_record

        for incident in found:
            click.echo(json.dumps(incident_record(incident, incident["statements"]), ensure_ascii=False))
        return
    if not found:
        click.echo("no incidents")
    for incident in found:
        duration = f", {incident['duration_seconds'] // 60} min" if incident["duration_seconds"] is not None else ""
        kind = "" if (incident.get("kind") or "incident") == "incident" else f"{incident['kind']} "
        unsure = " unsure" if incident.get("unsure") else ""
        started = incident.get("started_at") or incident["opened_at"]
        origin = f" (start from {incident['started_from']})" if incident.get("started_from") in ("field", "text") else ""
        click.echo(_safe(
            f"#{incident['id']} {incident['service']} [{kind}{incident['status']}{unsure}{duration}] "
            f"{started or '?'} → {incident['resolved_at'] or '…'}{origin} {incident['title'] or ''}".rstrip()
        ))
        for statement in incident["statements"]:
            text = " ".join(statement["text"].split())
            click.echo(_safe(f"    {statement['created_at']} {statement['kind']:<12} {text[:110]}"))


@cli.command("classify")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=None,
              help="Outage probability a social post needs to be announced (default: [bot] announce_threshold).")
@config_option
def classify_command(threshold: float | None, config_path: str | None) -> None:
    """Read JSON lines ({"text": …, "kind": …, "status": …, "is_reply": …, "title": …}) on stdin; write one classification per
    line: kind, probabilities of every kind, announce (whether the bot would tell a channel), and why."""
    from classify import classify_text

    if threshold is None:
        threshold = _load(config_path).announce_threshold if config_path else 0.7

    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError('needs an object with a "text" string')
        except ValueError as err:
            click.echo(json.dumps({"error": f"line {number}: {err}"}))
            continue
        statement = classify_text(
            item["text"], status=str(item.get("status", "")), source_kind=str(item.get("kind", "")),
            service=str(item.get("service", "")), is_reply=bool(item.get("is_reply", False)),
            is_self_reply=bool(item.get("is_self_reply", False)),
            maintenance=str(item.get("incident_kind", "")) == "maintenance", title=str(item.get("title", "")),
            threshold=threshold,
        )
        click.echo(json.dumps(
            {"kind": statement.kind, "confidence": round(statement.confidence, 3),
             "probabilities": statement.probabilities, "announce": statement.announce,
             "text_kind": statement.text_kind, "disagreement": statement.disagreement, "stage": statement.stage,
             "symptoms": list(statement.symptoms), "reason": statement.reason, "language": statement.language},
            ensure_ascii=False,
        ))


@cli.command("resync")
@config_option
@click.option("--source", "source_ids", multiple=True, help="Only this source id (repeatable).")
@click.option("--since", default=None, help="Only statements newer than this (e.g. 7d, 12h).")
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
@click.option("--repost", is_flag=True, help="Also send what was never delivered (default: post nothing).")
def resync_command(config_path: str | None, source_ids: tuple[str, ...], since: str | None, dry_run: bool, repost: bool) -> None:
    """Re-read each source's history, add what is missing, re-classify and re-link."""
    bot = _load(config_path)
    _need_model()
    from config import parse_interval
    from lock import AlreadyRunning, instance_lock
    from resync import resync

    if since:
        try:
            parse_interval(since)
        except ValueError as err:
            emit(f"--since: {err}")
            sys.exit(EXIT_BAD_CONFIG)
    unknown = set(source_ids) - {s.id for s in bot.sources}
    if unknown:
        emit(f"config error: {bot.path}: no source with id {', '.join(sorted(unknown))}")
        sys.exit(EXIT_BAD_CONFIG)
    try:
        with instance_lock(bot.state):
            db = _db(bot)
            reports = resync(db, bot, source_ids=source_ids, since=since, repost=repost, dry_run=dry_run)
            if repost and not dry_run:
                from outbox import deliver as deliver_pending

                deliver_pending(db, bot, _channels(bot))
    except AlreadyRunning as err:
        emit(str(err))
        sys.exit(EXIT_LOCKED)
    for report in reports:
        if report.error:
            emit(("(dry run) " if dry_run else "") + report.line())
        else:
            click.echo(("(dry run) " if dry_run else "") + report.line())
    changed = sum(r.changed for r in reports)
    click.echo(f"{'would change' if dry_run else 'changed'}: {changed} source(s)" if changed else "no change")
    sys.exit(EXIT_SOURCE_FAILED if any(r.error for r in reports) else EXIT_OK)


@cli.group()
def sources() -> None:
    """The bundled catalog of services and their official sources."""


@sources.command("search")
@click.argument("word")
def sources_search(word: str) -> None:
    """Find catalog entries by name, Hindi name, alias, category, handle or URL."""
    from catalog_sources import search

    found = search(word)
    if not found:
        click.echo(f"no service matches {word!r}")
        sys.exit(EXIT_SOURCE_FAILED)
    for service in found:
        kinds = ", ".join(f"{s.kind}:{s.url or '@' + s.handle}" for s in service.sources) or "no official source listed"
        click.echo(f"{service.id:<16} {service.name} / {service.hi}  [{service.category}, {service.owner}]  {kinds}")


@sources.command("add")
@click.argument("service_id")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default="pushti.toml",
              help="Config file to add to (created if missing).")
def sources_add(service_id: str, config_path: str) -> None:
    """Copy a catalog entry's sources into pushti.toml."""
    from catalog_sources import add_to_config

    try:
        added = add_to_config(config_path, service_id)
    except KeyError:
        emit(f"no service {service_id!r} in the catalog (try: bot.py sources search WORD)")
        sys.exit(EXIT_BAD_CONFIG)
    try:
        load_config(config_path)
    except ConfigError as err:
        emit(f"config error after adding: {err}")
        sys.exit(EXIT_BAD_CONFIG)
    click.echo(f"added {', '.join(added)} to {config_path}" if added else f"{service_id} is already in {config_path}")


@sources.command("check")
@config_option
@click.argument("source_ids", nargs=-1)
def sources_check(config_path: str | None, source_ids: tuple[str, ...]) -> None:
    """Fetch each configured source once and report what it answers (changes nothing)."""
    bot = _load(config_path)
    from concurrent.futures import ThreadPoolExecutor

    from catalog_sources import check_source
    from trackers.http import make_client

    chosen = [s for s in bot.sources if not source_ids or s.id in source_ids]
    if not chosen:
        emit("no such source")
        sys.exit(EXIT_BAD_CONFIG)
    with make_client() as client, ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda s: check_source(s, client), chosen))
    for result in results:
        click.echo(_safe(result.line()))
    sys.exit(EXIT_OK if all(r.ok for r in results) else EXIT_SOURCE_FAILED)


@cli.command()
@config_option
@click.argument("incident_id", type=int)
@click.option("--channel", "channel_id", default=None, help="Only this channel id (default: every configured channel).")
def preview(config_path: str | None, incident_id: int, channel_id: str | None) -> None:
    """Show what would be sent for an incident's latest change, without sending."""
    bot = _load(config_path)
    from render import preview as render_preview

    try:
        click.echo(_safe(render_preview(_db(bot), bot, incident_id, channel_id)))
    except KeyError as err:
        emit(f"preview: {err.args[0]}")
        sys.exit(EXIT_SOURCE_FAILED)


@cli.command("story")
@config_option
@click.argument("target_id", metavar="ID", type=int)
@click.option("--event", "is_event", is_flag=True, help="ID is an event (several services at once), not an incident.")
@click.option("--lang", type=click.Choice(["hi", "en"]), default="hi", show_default=True, help="Language of the story.")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "html"]), default="text", show_default=True,
              help="text, Markdown, or HTML with the platforms' embed markup.")
def story(config_path: str | None, target_id: int, is_event: bool, lang: str, fmt: str) -> None:
    """Write a draft news story of an incident or event from the companies' own statements."""
    bot = _load(config_path)
    from outputs.story import write_story

    try:
        text = write_story(_db(bot), target_id, event=is_event, lang=lang, fmt=fmt, timezone=bot.timezone)
    except KeyError as err:
        emit(f"story: {err.args[0]}")
        sys.exit(EXIT_SOURCE_FAILED)
    click.echo(_safe(text), nl=False)


@cli.command()
def demo() -> None:
    """Replay the 3 July 2019 Facebook/WhatsApp/Instagram/Twitter outage (temporary database, console, no network)."""
    from demo import run_demo

    sys.exit(run_demo())


@cli.command("digest")
@config_option
@click.option("--day", default=None, help="Local day (YYYY-MM-DD) in the bot's time zone; default: yesterday.")
@click.option("--channel", "channel_id", default=None, help="Render for this channel (default: plain text).")
@click.option("--send", is_flag=True, help="Queue it for every channel and deliver (once per day and channel).")
def digest_command(config_path: str | None, day: str | None, channel_id: str | None, send: bool) -> None:
    """The day's incidents in one message, in the configured languages."""
    bot = _load(config_path)
    from datetime import date, datetime, timedelta
    from zoneinfo import ZoneInfo

    try:
        chosen = date.fromisoformat(day) if day else datetime.now(ZoneInfo(bot.timezone)).date() - timedelta(days=1)
    except ValueError:
        emit(f"--day: not a date (YYYY-MM-DD): {day!r}")
        sys.exit(EXIT_BAD_CONFIG)
    db = _db(bot)
    if send:
        from lock import AlreadyRunning, instance_lock
        from outbox import deliver as deliver_pending
        from outbox import enqueue_day_digest
        from store import transaction

        with transaction(db):
            queued = enqueue_day_digest(db, bot, chosen.isoformat())
        try:
            with instance_lock(bot.state):
                report = deliver_pending(db, bot, _channels(bot))
        except AlreadyRunning:
            click.echo(f"digest of {chosen.isoformat()}: {queued} queued; the running pushti will deliver it")
            return
        for line in report.errors:
            emit(line)
        click.echo(f"digest of {chosen.isoformat()}: {queued} queued, {report.sent} message(s) sent")
        return
    from channels.registry import channel_class
    from render import DAY_DIGEST, message_context, render

    markup, max_chars, languages, zone = "plain", 100_000, bot.languages, bot.timezone
    if channel_id:
        try:
            channel = bot.channel(channel_id)
        except KeyError:
            emit(f"config error: {bot.path}: no channel with id {channel_id}")
            sys.exit(EXIT_BAD_CONFIG)
        cls = channel_class(channel.kind)
        markup, max_chars, languages, zone = cls.markup, cls.max_chars, channel.languages, channel.timezone
    context = message_context(db, {"message_kind": "digest", "incident_id": None, "body": f"{DAY_DIGEST}{chosen}"}, zone)
    click.echo(_safe("\n\n".join(render("digest", context, markup=markup, languages=languages, max_chars=max_chars).parts)))


@cli.command("site")
@config_option
@click.option("--out", "out_dir", type=click.Path(), default=None,
              help="Folder to write the site to (default: [bot] site_dir).")
@click.option("--today", default=None, help="Render as of this local day (YYYY-MM-DD; default: today), e.g. an archive.")
def site_command(config_path: str | None, out_dir: str | None, today: str | None) -> None:
    """Build the static history site and its Atom feeds from the state database (only changed files are written)."""
    bot = _load(config_path)
    from datetime import date

    from outputs.site import SiteError, build_site, settings_for

    try:
        chosen = date.fromisoformat(today) if today else None
    except ValueError:
        emit(f"--today: not a date (YYYY-MM-DD): {today!r}")
        sys.exit(EXIT_BAD_CONFIG)
    try:
        settings = settings_for(bot, out_dir)
        report = build_site(_db(bot), settings, today=chosen)
    except SiteError as err:
        emit(f"site: {err}")
        sys.exit(EXIT_BAD_CONFIG)
    click.echo(f"site: {report.pages} files, {report.written} written ({report.pages - report.written} unchanged) "
               f"in {settings.out} in {report.seconds:.2f} s")


def main() -> None:
    """Run the command line; a state database that cannot be used is one line and exit 4, wherever it is met."""
    from store import StateError

    args = sys.argv[1:]
    if "--log-format=json" in args or any(a == "--log-format" and b == "json" for a, b in zip(args, args[1:], strict=False)):
        setup_logging("json")  # a usage error met before the group's options are applied is JSON too
    try:
        code = cli.main(standalone_mode=False)
    except StateError as err:
        emit(str(err))
        sys.stdout.flush()
        os._exit(EXIT_STATE)  # nothing left to save; do not wait for fetches still in flight
    except click.exceptions.Abort:
        emit("aborted", "warning")
        sys.exit(EXIT_SOURCE_FAILED)
    except click.ClickException as err:
        if log_format() == "json":
            emit(err.format_message())
        else:
            err.show()
        sys.exit(err.exit_code)
    if isinstance(code, int) and code:
        sys.exit(code)


if __name__ == "__main__":
    main()
