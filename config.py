"""Configuration: reads ``pushti.toml`` (or the bundled default), validates it, and returns plain data.

A bad config raises ``ConfigError`` whose message is one line naming the file, the entry and the problem. A table
or key the bot does not read is one too (with the nearest known name): a misspelt one would be ignored silently.

Every number is bounded at load time (finite, in range), so nothing from the file can overflow a date or a sleep
at run time. Durations take "30s" / "5m" / "2h" / "1d" or a number of seconds:

=====================================  ==========================================================
key                                    allowed
=====================================  ==========================================================
``every`` ([bot] and [[source]])       1 ms … 1 day (below 1 s only makes sense for tests: the
                                       daemon polls at most every 0.1 s)
``link_window``                        1 s … 30 days
``stale_after``                        1 min … 30 days
``event_window``                       1 s … 7 days
``backfill`` (an interval)             1 s … 3650 days (use "all" for everything)
``x_monthly_reads``                    0 … 100,000,000 (0 = X is not read)
``failure_alert_after``                1 … 10,000
``delivery_attempts``                  1 … 1,000
``storm_threshold``                    1 … 100,000
``flood_threshold``                    1 … 1,000,000 (new incidents from one source in one poll told as one notice)
``state_wait``                         0 … 10 min
``fetch_deadline``                     1 s … 1 hour
``fetch_workers``                      1 … 256
``fetch_processes``                    0 … 1
``delivery_max_wait``                  0 … 1 hour
channel ``timeout``                    1 s … 5 min
channel ``min_interval``               0 (no pacing) … 1 hour
channel ``per_minute``                 0 (no limit) … 10,000
source ``timeout``                     1 s … 5 min
source ``page_size`` / ``max_pages`` / ``keep_seen`` / ``keep_roots``   1 … 100,000
=====================================  ==========================================================

Numeric options given as intervals ("15s") are stored as seconds (floats) in ``options``.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BUNDLED_DEFAULT = Path(__file__).resolve().parent / "data" / "default.toml"
ID_PATTERN = re.compile(r"^[a-z0-9_-]+$")
INTERVAL_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?\s*$")
UNITS = {None: 1.0, "ms": 0.001, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
IMPACTS = ("none", "minor", "major", "critical")
MAX_INTERVAL = 100 * 365 * 86400.0  # no interval anywhere is longer than a century (keeps datetime arithmetic safe)

MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0
# (key, least, most) in seconds; least 0 means 0 is allowed ("off" / "no pacing")
BOT_INTERVALS = {
    "every": (0.001, DAY),
    "link_window": (1.0, 30 * DAY),
    "stale_after": (MINUTE, 30 * DAY),
    "event_window": (1.0, 7 * DAY),
    "delivery_max_wait": (0.0, HOUR),
    "state_wait": (0.0, 10 * MINUTE),  # how long a write waits for another writer (store.set_busy_timeout)
    "fetch_deadline": (1.0, HOUR),  # one fetch as a whole: connect, headers, body, redirects (trackers.http)
}
BACKFILL_RANGE = (1.0, 3650 * DAY)
BOT_COUNTS = {"delivery_attempts": (1, 1000), "storm_threshold": (1, 100_000), "flood_threshold": (1, 1_000_000),
              "fetch_workers": (1, 256), "fetch_processes": (0, 1)}
CHANNEL_INTERVALS = {"timeout": (1.0, 5 * MINUTE), "min_interval": (0.0, HOUR),
                     "story_after": (5 * MINUTE, 7 * 24 * HOUR)}  # stories: a developing story after this long
CHANNEL_COUNTS = {"per_minute": (0, 10_000)}
SOURCE_INTERVALS = {"timeout": (1.0, 5 * MINUTE), "maintenance_every": (0.0, DAY)}
SOURCE_COUNTS = {"page_size": (1, 100_000), "max_pages": (1, 100_000), "keep_seen": (1, 100_000),
                 "keep_roots": (1, 100_000)}


# The [bot] keys read beside BotConfig's own fields (BOT_COUNTS, BOT_INTERVALS and these): any other key is a typo
# ("evry") that would otherwise be ignored without a word, leaving the default in force.
BOT_OPTION_KEYS = frozenset({"site_dir", "site_url", "listen", "jetstream", "stream_backstop", "stream_silence"})
TOP_LEVEL_TABLES = {"bot": "[bot]", "source": "[[source]]", "channel": "[[channel]]"}
# The keys a tracker or a channel reads beside the fields each entry has (grep option("…") in trackers/, streams/,
# channels/ and the outputs): a misspelt one ("backfil") is an error, not a setting silently left at its default.
SOURCE_KEYS = frozenset({"id", "kind", "service", "url", "handle", "every", "api_base", "backfill", "handles", "services",
                         "timeout", "keep_replies", "token_env", "max_pages", "page_size", "keep_seen", "keep_roots",
                         "page_id", "webhook_secret_env", "stream", "stream_api", "stream_list", "widget_url",
                         "maintenance_every"})
CHANNEL_KEYS = frozenset({"id", "kind", "languages", "timezone", "services", "min_impact", "timeout", "token_env",
                          "webhook_env", "stories", "story_after", "min_interval", "per_minute", "api_base", "url_env",
                          "thread_name", "thread_id", "plain_fallback", "message_thread_id", "chat", "channel"})


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line."""


@dataclass(frozen=True)
class SourceConfig:
    id: str
    kind: str
    service: str
    url: str = ""
    handle: str = ""
    every: float = 60.0  # seconds
    api_base: str = ""
    backfill: str = "open"  # "open" (open incidents only), "none", or an interval ("7d")
    options: dict[str, Any] = field(default_factory=dict)  # any other keys, for the tracker

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


@dataclass(frozen=True)
class ChannelConfig:
    id: str
    kind: str
    languages: tuple[str, ...] = ("hi", "en")
    timezone: str = "Asia/Kolkata"
    services: tuple[str, ...] = ()  # empty = every service
    min_impact: str = ""  # "" = every impact
    options: dict[str, Any] = field(default_factory=dict)

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


@dataclass(frozen=True)
class BotConfig:
    path: str  # where it was read from ("<bundled default>" for the default)
    state: str = "state.db"
    timezone: str = "Asia/Kolkata"
    languages: tuple[str, ...] = ("hi", "en")
    every: float = 60.0
    link_window_hours: float = 12.0
    stale_hours: float = 48.0
    event_window_minutes: float = 90.0
    x_monthly_reads: int = 10000
    ops_channel: str = ""
    failure_alert_after: int = 5
    digest_at: str = ""  # "HH:MM" local time: the daemon sends the previous day's digest then ("" = never)
    announce_threshold: float = 0.7  # social posts: outage probability needed to announce (else kept as unsure)
    sources: tuple[SourceConfig, ...] = ()
    channels: tuple[ChannelConfig, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)

    def source(self, source_id: str) -> SourceConfig:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(source_id)

    def channel(self, channel_id: str) -> ChannelConfig:
        for channel in self.channels:
            if channel.id == channel_id:
                return channel
        raise KeyError(channel_id)


def parse_interval(value: Any, *, allow_zero: bool = False) -> float:
    """'30s' / '5m' / '2h' / '1d' / a number of seconds -> seconds. Raises ValueError (one line).

    Not finite (inf, nan), not more than zero (unless ``allow_zero``) or longer than a century is an error.
    """
    if isinstance(value, bool):
        raise ValueError(f"bad interval {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        text = str(value)[:40]
        match = INTERVAL_PATTERN.match(text)
        if not match:
            raise ValueError(f"bad interval {text!r} (use e.g. \"30s\", \"5m\", \"2h\")")
        seconds = float(match.group(1)) * UNITS[match.group(2)]
    if not math.isfinite(seconds):
        raise ValueError(f"bad interval {value!r} (must be a finite number)")
    if seconds < 0 or (seconds == 0 and not allow_zero):
        raise ValueError(f"bad interval {value!r} (must be {'zero or ' if allow_zero else ''}more than zero)")
    if seconds > MAX_INTERVAL:
        raise ValueError(f"bad interval {str(value)[:40]!r} (longer than a century)")
    return seconds


def _show_seconds(seconds: float) -> str:
    for size, unit in ((DAY, "d"), (HOUR, "h"), (MINUTE, "m"), (1.0, "s")):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds * 1000:g}ms" if seconds < 1 else f"{seconds:g}s"


def bounded_interval(value: Any, where: str, key: str, least: float, most: float) -> float:
    """An interval in [least, most] seconds (``least`` 0: zero allowed), else ConfigError naming ``where`` and ``key``."""
    try:
        seconds = parse_interval(value, allow_zero=least == 0)
    except ValueError as err:
        raise ConfigError(f"{where}: {key}: {err}") from None
    if seconds < least or seconds > most:
        low = _show_seconds(least) if least else "0"
        raise ConfigError(f"{where}: {key} must be from {low} to {_show_seconds(most)}, got {str(value)[:40]!r}")
    return seconds


def bounded_count(value: Any, where: str, key: str, least: int, most: int) -> int:
    """A whole number in [least, most], else ConfigError naming ``where`` and ``key``."""
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        raise ConfigError(f"{where}: {key} must be a whole number from {least:,} to {most:,}, got {str(value)[:40]!r}")
    return value


def source_kinds() -> set[str]:
    from trackers.registry import TRACKER_CLASSES

    return set(TRACKER_CLASSES)


def channel_kinds() -> set[str]:
    from channels.registry import CHANNEL_CLASSES

    return set(CHANNEL_CLASSES)


def load_config(path: str | Path | None = None) -> BotConfig:
    """Load ``path``; with None, ``pushti.toml`` in the working directory, else the bundled default."""
    if path is None:
        candidate = Path("pushti.toml")
        path = candidate if candidate.exists() else BUNDLED_DEFAULT
        label = str(candidate) if candidate.exists() else "<bundled default>"
    else:
        label = str(path)
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{label}: file not found") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{label}: not valid TOML: {err}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{label}: cannot read: {err}") from None
    return parse_config(raw, label)


def _languages(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(v in ("hi", "en") for v in value):
        raise ConfigError(f"{where}: languages must be a non-empty list of \"hi\" / \"en\", got {value!r}")
    return tuple(value)


def _timezone(value: Any, where: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: unknown time zone {value!r}") from None
    return str(value)


def parse_config(raw: dict[str, Any], label: str = "<config>") -> BotConfig:
    """Validate a parsed TOML document into a BotConfig."""
    for key in raw:
        if key not in TOP_LEVEL_TABLES:  # "[[sources]]" would leave the bot watching nothing, and saying nothing
            raise ConfigError(f"{label}: unknown table or key {_quoted(key)}{_did_you_mean(key, TOP_LEVEL_TABLES)} "
                              f"(a config has {', '.join(TOP_LEVEL_TABLES.values())})")
    bot = raw.get("bot", {})
    if not isinstance(bot, dict):
        raise ConfigError(f"{label}: [bot] must be a table")
    where = f"{label}: [bot]"
    every = bounded_interval(bot.get("every", "60s"), where, "every", *BOT_INTERVALS["every"])
    timezone = _timezone(bot.get("timezone", "Asia/Kolkata"), where)
    languages = _languages(bot.get("languages", ["hi", "en"]), where)
    known_bot = {
        "state", "timezone", "languages", "every", "link_window", "stale_after", "event_window",
        "x_monthly_reads", "ops_channel", "failure_alert_after", "digest_at", "announce_threshold",
    }
    link_window = bounded_interval(bot.get("link_window", "12h"), where, "link_window", *BOT_INTERVALS["link_window"]) / 3600
    stale = bounded_interval(bot.get("stale_after", "48h"), where, "stale_after", *BOT_INTERVALS["stale_after"]) / 3600
    event_window = bounded_interval(bot.get("event_window", "90m"), where, "event_window", *BOT_INTERVALS["event_window"]) / 60
    x_reads = bounded_count(bot.get("x_monthly_reads", 10000), where, "x_monthly_reads", 0, 100_000_000)
    alert_after = bounded_count(bot.get("failure_alert_after", 5), where, "failure_alert_after", 1, 10_000)
    bot_options = {k: v for k, v in bot.items() if k not in known_bot}
    known_options = BOT_OPTION_KEYS | BOT_COUNTS.keys() | BOT_INTERVALS.keys()
    for key in bot_options:
        if key not in known_options:
            known = {k: k for k in sorted(known_bot | known_options)}
            raise ConfigError(f"{where}: unknown key {_quoted(key)}{_did_you_mean(key, known)}")
    for key, (least, most) in BOT_COUNTS.items():
        if key in bot_options:
            bounded_count(bot_options[key], where, key, least, most)
    for key in ("delivery_max_wait", "state_wait", "fetch_deadline"):
        if key in bot_options:
            bot_options[key] = bounded_interval(bot_options[key], where, key, *BOT_INTERVALS[key])

    threshold = bot.get("announce_threshold", 0.7)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.0 <= threshold <= 1.0:
        raise ConfigError(f"{where}: announce_threshold must be a number from 0 to 1, got {threshold!r}")

    digest_at = str(bot.get("digest_at", ""))
    if digest_at and not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", digest_at):
        raise ConfigError(f"{where}: digest_at must be a time like \"09:00\", got {digest_at!r}")

    sources = tuple(_parse_source(entry, i, label, every) for i, entry in enumerate(_entries(raw, "source", label)))
    channels = tuple(
        _parse_channel(entry, i, label, languages, timezone) for i, entry in enumerate(_entries(raw, "channel", label))
    )
    for kind, items in (("source", sources), ("channel", channels)):
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                raise ConfigError(f"{label}: [[{kind}]] id={item.id!r}: duplicate id")
            seen.add(item.id)
    try:  # push ingestion's keys (streams/settings.py): listen, jetstream, stream, webhook_secret_env, …
        from streams.settings import check as check_push

        bot_options = check_push(bot_options, sources, label)
    except ValueError as err:
        raise ConfigError(str(err)) from None
    ops = str(bot.get("ops_channel", ""))
    if ops and ops not in {c.id for c in channels}:
        raise ConfigError(f"{where}: ops_channel {ops!r} is not a configured [[channel]] id")
    return BotConfig(
        path=label,
        state=str(bot.get("state", "state.db")),
        timezone=timezone,
        languages=languages,
        every=every,
        link_window_hours=link_window,
        stale_hours=stale,
        event_window_minutes=event_window,
        x_monthly_reads=x_reads,
        ops_channel=ops,
        failure_alert_after=alert_after,
        digest_at=digest_at,
        announce_threshold=float(threshold),
        sources=sources,
        channels=channels,
        options=bot_options,
    )


def _known_keys(entry: dict[str, Any], known: frozenset[str], where: str) -> None:
    for key in entry:
        if key not in known:
            raise ConfigError(f"{where}: unknown key {_quoted(key)}{_did_you_mean(key, {k: k for k in sorted(known)})}")


def _quoted(key: str) -> str:
    return repr(key[:40] + ("…" if len(key) > 40 else ""))


def _did_you_mean(key: str, known: dict[str, str]) -> str:
    """" (did you mean [[source]]?)" for a near miss of one of ``known`` (name → how to write it), else ""."""
    close = difflib.get_close_matches(key.lower()[:40], list(known), n=1, cutoff=0.6)
    return f" (did you mean {known[close[0]]}?)" if close else ""


def _entries(raw: dict[str, Any], key: str, label: str) -> list[dict[str, Any]]:
    entries = raw.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f"{label}: {key} must be written as [[{key}]] tables")
    return entries


def _entry_id(entry: dict[str, Any], index: int, kind: str, label: str) -> str:
    entry_id = entry.get("id")
    if not isinstance(entry_id, str) or not ID_PATTERN.match(entry_id):
        raise ConfigError(f"{label}: [[{kind}]] #{index + 1}: id must be a-z 0-9 _ -, got {entry_id!r}")
    return entry_id


def _parse_source(entry: dict[str, Any], index: int, label: str, default_every: float) -> SourceConfig:
    source_id = _entry_id(entry, index, "source", label)
    where = f"{label}: [[source]] id={source_id!r}"
    from trackers.registry import HANDLE_KINDS

    kind = entry.get("kind")
    kinds = source_kinds()
    if kind not in kinds:
        raise ConfigError(f"{where}: unknown kind {kind!r} (known: {', '.join(sorted(kinds))})")
    _known_keys(entry, SOURCE_KEYS, where)
    url = entry.get("url", "")
    handle = entry.get("handle", "")
    if kind in HANDLE_KINDS:
        handles = entry.get("handles")
        has_handles = kind == "x" and isinstance(handles, list) and bool(handles)
        if not has_handles and (not isinstance(handle, str) or not handle.strip()):
            raise ConfigError(f"{where}: missing handle (the account to watch)")
    elif not isinstance(url, str) or not re.match(r"^https?://[^\s/]+", url or ""):
        raise ConfigError(f"{where}: missing or bad url {url!r} (needs http:// or https://)")
    every = bounded_interval(entry["every"], where, "every", *BOT_INTERVALS["every"]) if "every" in entry else default_every
    backfill = str(entry.get("backfill", "open"))
    if backfill not in ("open", "none", "all"):
        try:
            parse_interval(backfill)
        except ValueError:
            raise ConfigError(
                f"{where}: backfill must be \"open\", \"none\", \"all\" or an interval, got {backfill[:40]!r}") from None
        bounded_interval(backfill, where, "backfill", *BACKFILL_RANGE)
    service = entry.get("service") or source_id
    known = {"id", "kind", "service", "url", "handle", "every", "api_base", "backfill"}
    options = _numeric_options({k: v for k, v in entry.items() if k not in known}, where,
                               SOURCE_INTERVALS, SOURCE_COUNTS)
    return SourceConfig(
        id=source_id,
        kind=kind,
        service=str(service),
        url=str(url).rstrip("/") if kind == "statuspage" else str(url),
        handle=str(handle).lstrip("@"),
        every=every,
        api_base=str(entry.get("api_base", "")).rstrip("/"),
        backfill=backfill,
        options=options,
    )


def _parse_channel(
    entry: dict[str, Any], index: int, label: str, languages: tuple[str, ...], timezone: str
) -> ChannelConfig:
    channel_id = _entry_id(entry, index, "channel", label)
    where = f"{label}: [[channel]] id={channel_id!r}"
    kind = entry.get("kind")
    kinds = channel_kinds()
    if kind not in kinds:
        raise ConfigError(f"{where}: unknown kind {kind!r} (known: {', '.join(sorted(kinds))})")
    _known_keys(entry, CHANNEL_KEYS, where)
    services = entry.get("services", [])
    if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
        raise ConfigError(f"{where}: services must be a list of service names")
    min_impact = entry.get("min_impact", "")
    if min_impact and min_impact not in IMPACTS:
        raise ConfigError(f"{where}: min_impact must be one of {', '.join(IMPACTS)}, got {min_impact!r}")
    if not isinstance(entry.get("stories", False), bool):
        raise ConfigError(f"{where}: stories must be true or false, got {entry['stories']!r}")
    if "story_after" in entry and not entry.get("stories"):
        raise ConfigError(f"{where}: story_after needs stories = true")
    known = {"id", "kind", "languages", "timezone", "services", "min_impact"}
    _channel_targets(entry, where)
    return ChannelConfig(
        id=channel_id,
        kind=kind,
        languages=_languages(entry["languages"], where) if "languages" in entry else languages,
        timezone=_timezone(entry["timezone"], where) if "timezone" in entry else timezone,
        services=tuple(services),
        min_impact=str(min_impact),
        options=_numeric_options({k: v for k, v in entry.items() if k not in known}, where,
                                 CHANNEL_INTERVALS, CHANNEL_COUNTS),
    )


ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


def _channel_targets(entry: dict[str, Any], where: str) -> None:
    """Where a Discord / Apprise channel posts: ``webhook_env`` / ``url_env`` name an environment variable (the
    secret stays out of the file); ``thread_id`` is a Discord id; ``thread_name`` a forum post's name (1 … 100
    characters, ``{title}`` the only placeholder); not both."""
    for key in ("webhook_env", "url_env"):
        if key in entry and not (isinstance(entry[key], str) and ENV_NAME.match(entry[key])):
            raise ConfigError(f"{where}: {key} must name an environment variable (letters, digits, _), "
                              f"got {str(entry[key])[:40]!r}")
    if "thread_id" in entry:
        value = entry["thread_id"]
        text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
        if not (text.isdigit() and text.isascii() and len(text) <= 20 and int(text) > 0):
            raise ConfigError(f"{where}: thread_id must be a Discord thread id (digits), got {str(value)[:40]!r}")
    if "thread_name" in entry:
        value = entry["thread_name"]
        if not isinstance(value, str) or not 1 <= len(value.strip()) <= 100:
            raise ConfigError(f"{where}: thread_name must be text of 1 to 100 characters, e.g. \"{{title}}\", "
                              f"got {str(value)[:40]!r}")
        if re.sub(r"\{title\}", "", value).count("{") or "}" in re.sub(r"\{title\}", "", value):
            raise ConfigError(f"{where}: thread_name: the only placeholder is {{title}}, got {value[:40]!r}")
        if "thread_id" in entry:
            raise ConfigError(f"{where}: set thread_id (one thread for everything) or thread_name (a forum post per "
                              "incident), not both")


def _numeric_options(
    options: dict[str, Any], where: str, intervals: dict[str, tuple[float, float]], counts: dict[str, tuple[int, int]]
) -> dict[str, Any]:
    """The entry's extra options with the numeric ones checked; intervals are stored as seconds (floats)."""
    out = dict(options)
    for key, (least, most) in intervals.items():
        if key in out:
            out[key] = bounded_interval(out[key], where, key, least, most)
    for key, (least, most) in counts.items():
        if key in out:
            bounded_count(out[key], where, key, least, most)
    return out
