"""Configuration: reads ``pushti.toml`` (or the bundled default), validates it, and returns plain data.

A bad config raises ``ConfigError`` whose message is one line naming the file, the entry and the problem.
"""

from __future__ import annotations

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


def parse_interval(value: Any) -> float:
    """'30s' / '5m' / '2h' / '1d' / a number of seconds -> seconds. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"bad interval {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = INTERVAL_PATTERN.match(str(value))
        if not match:
            raise ValueError(f"bad interval {value!r} (use e.g. \"30s\", \"5m\", \"2h\")")
        seconds = float(match.group(1)) * UNITS[match.group(2)]
    if seconds <= 0:
        raise ValueError(f"bad interval {value!r} (must be more than zero)")
    return seconds


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
    bot = raw.get("bot", {})
    if not isinstance(bot, dict):
        raise ConfigError(f"{label}: [bot] must be a table")
    where = f"{label}: [bot]"
    try:
        every = parse_interval(bot.get("every", "60s"))
    except ValueError as err:
        raise ConfigError(f"{where}: every: {err}") from None
    timezone = _timezone(bot.get("timezone", "Asia/Kolkata"), where)
    languages = _languages(bot.get("languages", ["hi", "en"]), where)
    known_bot = {
        "state", "timezone", "languages", "every", "link_window", "stale_after", "event_window",
        "x_monthly_reads", "ops_channel", "failure_alert_after", "digest_at", "announce_threshold",
    }
    try:
        link_window = parse_interval(bot.get("link_window", "12h")) / 3600
        stale = parse_interval(bot.get("stale_after", "48h")) / 3600
        event_window = parse_interval(bot.get("event_window", "90m")) / 60
    except ValueError as err:
        raise ConfigError(f"{where}: {err}") from None
    x_reads = bot.get("x_monthly_reads", 10000)
    if not isinstance(x_reads, int) or isinstance(x_reads, bool) or x_reads < 0:
        raise ConfigError(f"{where}: x_monthly_reads must be a whole number ≥ 0, got {x_reads!r}")
    alert_after = bot.get("failure_alert_after", 5)
    if not isinstance(alert_after, int) or isinstance(alert_after, bool) or alert_after < 1:
        raise ConfigError(f"{where}: failure_alert_after must be a whole number ≥ 1, got {alert_after!r}")

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
        options={k: v for k, v in bot.items() if k not in known_bot},
    )


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
    url = entry.get("url", "")
    handle = entry.get("handle", "")
    if kind in HANDLE_KINDS:
        handles = entry.get("handles")
        has_handles = kind == "x" and isinstance(handles, list) and bool(handles)
        if not has_handles and (not isinstance(handle, str) or not handle.strip()):
            raise ConfigError(f"{where}: missing handle (the account to watch)")
    elif not isinstance(url, str) or not re.match(r"^https?://[^\s/]+", url or ""):
        raise ConfigError(f"{where}: missing or bad url {url!r} (needs http:// or https://)")
    try:
        every = parse_interval(entry["every"]) if "every" in entry else default_every
    except ValueError as err:
        raise ConfigError(f"{where}: every: {err}") from None
    backfill = str(entry.get("backfill", "open"))
    if backfill not in ("open", "none", "all"):
        try:
            parse_interval(backfill)
        except ValueError:
            raise ConfigError(f"{where}: backfill must be \"open\", \"none\", \"all\" or an interval, got {backfill!r}") from None
    service = entry.get("service") or source_id
    known = {"id", "kind", "service", "url", "handle", "every", "api_base", "backfill"}
    return SourceConfig(
        id=source_id,
        kind=kind,
        service=str(service),
        url=str(url).rstrip("/") if kind == "statuspage" else str(url),
        handle=str(handle).lstrip("@"),
        every=every,
        api_base=str(entry.get("api_base", "")).rstrip("/"),
        backfill=backfill,
        options={k: v for k, v in entry.items() if k not in known},
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
    services = entry.get("services", [])
    if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
        raise ConfigError(f"{where}: services must be a list of service names")
    min_impact = entry.get("min_impact", "")
    if min_impact and min_impact not in IMPACTS:
        raise ConfigError(f"{where}: min_impact must be one of {', '.join(IMPACTS)}, got {min_impact!r}")
    known = {"id", "kind", "languages", "timezone", "services", "min_impact"}
    return ChannelConfig(
        id=channel_id,
        kind=kind,
        languages=_languages(entry["languages"], where) if "languages" in entry else languages,
        timezone=_timezone(entry["timezone"], where) if "timezone" in entry else timezone,
        services=tuple(services),
        min_impact=str(min_impact),
        options={k: v for k, v in entry.items() if k not in known},
    )
