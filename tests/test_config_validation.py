"""Every ConfigError path of config.py: a table of bad configurations and the one line each gives; a few through
``bot.py poll --once --config F`` (exit 2, one line on stderr, no traceback)."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
from pollhelpers import run_bot

from config import CHANNEL_KEYS, SOURCE_KEYS, ConfigError, load_config, parse_config, parse_interval

GOOD_SOURCE = {"id": "github", "kind": "statuspage", "service": "GitHub", "url": "https://www.githubstatus.com"}
GOOD_CHANNEL = {"id": "desk", "kind": "console"}


def doc(bot: dict[str, Any] | None = None, source: dict[str, Any] | None = None,
        channel: dict[str, Any] | None = None, **raw: Any) -> dict[str, Any]:
    """A config document: the good source/channel with ``source`` / ``channel`` keys laid over them."""
    out: dict[str, Any] = {"bot": bot or {}, "source": [{**GOOD_SOURCE, **(source or {})}],
                           "channel": [{**GOOD_CHANNEL, **(channel or {})}]}
    out.update(raw)
    return out


BAD: list[tuple[str, dict[str, Any], str]] = [
    # the document: a misspelt table or key would otherwise be ignored without a word
    ("sources-plural", {"bot": {}, "sources": [GOOD_SOURCE]},
     "unknown table or key 'sources' (did you mean [[source]]?) (a config has [bot], [[source]], [[channel]])"),
    ("channels-plural", doc(channels=[GOOD_CHANNEL]), "unknown table or key 'channels' (did you mean [[channel]]?)"),
    ("top-level-key", doc(every="5m"), "unknown table or key 'every' (a config has [bot]"),
    ("long-unknown-table", doc(**{"x" * 500: 1}), "unknown table or key '" + "x" * 40 + "…'"),
    # [bot]
    ("bot-typo", doc({"evry": "5m"}), "[bot]: unknown key 'evry' (did you mean every?)"),
    ("bot-typo-threshold", doc({"announce_treshold": 0.9}),
     "[bot]: unknown key 'announce_treshold' (did you mean announce_threshold?)"),
    ("bot-unknown", doc({"colour": "blue"}), "[bot]: unknown key 'colour'"),
    ("source-typo", doc(source={"backfil": "all"}), "[[source]] id='github': unknown key 'backfil' (did you mean backfill?)"),
    ("channel-typo", doc(channel={"langauges": ["en"]}),
     "[[channel]] id='desk': unknown key 'langauges' (did you mean languages?)"),
    ("bot-not-table", {"bot": "x"}, "[bot] must be a table"),
    ("every-inf", doc({"every": math.inf}), "[bot]: every: bad interval inf (must be a finite number)"),
    ("every-nan", doc({"every": math.nan}), "[bot]: every: bad interval nan"),
    ("every-tiny", doc({"every": 1e-9}), "[bot]: every must be from 1ms to 1d"),
    ("every-zero", doc({"every": 0}), "[bot]: every: bad interval 0 (must be more than zero)"),
    ("every-negative", doc({"every": -5}), "[bot]: every: bad interval -5"),
    ("every-huge", doc({"every": "99999999999d"}), "[bot]: every: bad interval '99999999999d' (longer than a century)"),
    ("every-too-long", doc({"every": "2d"}), "[bot]: every must be from 1ms to 1d, got '2d'"),
    ("every-words", doc({"every": "abc"}), "[bot]: every: bad interval 'abc'"),
    ("every-bool", doc({"every": True}), "[bot]: every: bad interval True"),
    ("timezone", doc({"timezone": "Mars/Olympus"}), "[bot]: unknown time zone 'Mars/Olympus'"),
    ("languages", doc({"languages": ["fr"]}), "[bot]: languages must be a non-empty list"),
    ("languages-empty", doc({"languages": []}), "[bot]: languages must be a non-empty list"),
    ("link-window-words", doc({"link_window": "soon"}), "[bot]: link_window: bad interval 'soon'"),
    ("link-window-long", doc({"link_window": "31d"}), "[bot]: link_window must be from 1s to 30d"),
    ("stale-huge", doc({"stale_after": "99999999999d"}), "[bot]: stale_after: bad interval"),
    ("stale-long", doc({"stale_after": "40d"}), "[bot]: stale_after must be from 1m to 30d, got '40d'"),
    ("stale-inf", doc({"stale_after": math.inf}), "[bot]: stale_after: bad interval inf"),
    ("event-window-long", doc({"event_window": "8d"}), "[bot]: event_window must be from 1s to 7d"),
    ("event-window-nan", doc({"event_window": math.nan}), "[bot]: event_window: bad interval nan"),
    ("x-reads-negative", doc({"x_monthly_reads": -1}), "[bot]: x_monthly_reads must be a whole number from 0"),
    ("x-reads-float", doc({"x_monthly_reads": 1.5}), "[bot]: x_monthly_reads must be a whole number"),
    ("x-reads-huge", doc({"x_monthly_reads": 10**12}), "[bot]: x_monthly_reads must be a whole number"),
    ("alert-after-zero", doc({"failure_alert_after": 0}), "[bot]: failure_alert_after must be a whole number from 1"),
    ("alert-after-str", doc({"failure_alert_after": "5"}), "[bot]: failure_alert_after must be a whole number"),
    ("attempts", doc({"delivery_attempts": 0}), "[bot]: delivery_attempts must be a whole number from 1 to 1,000"),
    ("storm", doc({"storm_threshold": "many"}), "[bot]: storm_threshold must be a whole number"),
    ("max-wait", doc({"delivery_max_wait": "2h"}), "[bot]: delivery_max_wait must be from 0 to 1h"),
    ("max-wait-nan", doc({"delivery_max_wait": math.nan}), "[bot]: delivery_max_wait: bad interval nan"),
    ("state-wait-huge", doc({"state_wait": "99999999999d"}), "[bot]: state_wait"),
    ("fetch-workers-zero", doc({"fetch_workers": 0}), "[bot]: fetch_workers must be a whole number from 1 to 256"),
    ("fetch-processes-two", doc({"fetch_processes": 2}), "[bot]: fetch_processes must be a whole number from 0 to 1"),
    ("flood-none", doc({"flood_threshold": 0}), "[bot]: flood_threshold must be a whole number"),
    ("state-wait-garbage", doc({"state_wait": "abc"}), "[bot]: state_wait"),
    ("fetch-deadline-zero", doc({"fetch_deadline": 0}), "[bot]: fetch_deadline"),
    ("fetch-deadline-long", doc({"fetch_deadline": "2h"}), "[bot]: fetch_deadline must be from 1s to 1h"),
    ("threshold", doc({"announce_threshold": 2}), "[bot]: announce_threshold must be a number from 0 to 1"),
    ("threshold-nan", doc({"announce_threshold": math.nan}), "[bot]: announce_threshold must be a number from 0 to 1"),
    ("threshold-bool", doc({"announce_threshold": True}), "[bot]: announce_threshold must be a number"),
    ("digest-at", doc({"digest_at": "25:00"}), "[bot]: digest_at must be a time like \"09:00\""),
    ("ops-channel", doc({"ops_channel": "nowhere"}), "[bot]: ops_channel 'nowhere' is not a configured [[channel]] id"),
    # [[source]] / [[channel]] lists
    ("source-not-tables", {"source": {"id": "x"}}, "source must be written as [[source]] tables"),
    ("channel-not-tables", {"channel": ["desk"]}, "channel must be written as [[channel]] tables"),
    ("source-id", doc(source={"id": "Git Hub"}), "[[source]] #1: id must be a-z 0-9 _ -, got 'Git Hub'"),
    ("source-id-missing", {"source": [{"kind": "feed"}]}, "[[source]] #1: id must be a-z 0-9 _ -, got None"),
    ("channel-id", doc(channel={"id": 7}), "[[channel]] #1: id must be a-z 0-9 _ -, got 7"),
    ("source-duplicate", {"source": [GOOD_SOURCE, GOOD_SOURCE]}, "[[source]] id='github': duplicate id"),
    ("channel-duplicate", {"channel": [GOOD_CHANNEL, GOOD_CHANNEL]}, "[[channel]] id='desk': duplicate id"),
    # [[source]]
    ("source-kind", doc(source={"kind": "gopher"}), "[[source]] id='github': unknown kind 'gopher'"),
    ("source-handle", doc(source={"kind": "bluesky", "url": ""}), "[[source]] id='github': missing handle"),
    ("source-url", doc(source={"url": "ftp://example.com"}), "[[source]] id='github': missing or bad url"),
    ("source-every-inf", doc(source={"every": math.inf}), "[[source]] id='github': every: bad interval inf"),
    ("source-every-tiny", doc(source={"every": 1e-9}), "[[source]] id='github': every must be from 1ms to 1d"),
    ("source-every-nan", doc(source={"every": math.nan}), "[[source]] id='github': every: bad interval nan"),
    ("source-every-huge", doc(source={"every": "99999999999d"}), "[[source]] id='github': every: bad interval"),
    ("backfill-words", doc(source={"backfill": "lots"}), "[[source]] id='github': backfill must be \"open\""),
    ("backfill-huge", doc(source={"backfill": "99999999999d"}), "[[source]] id='github': backfill must be \"open\""),
    ("backfill-long", doc(source={"backfill": "5000d"}), "[[source]] id='github': backfill must be from 1s to 3650d"),
    ("source-timeout", doc(source={"timeout": "abc"}), "[[source]] id='github': timeout: bad interval 'abc'"),
    ("source-timeout-long", doc(source={"timeout": 3600}), "[[source]] id='github': timeout must be from 1s to 5m"),
    ("source-page-size", doc(source={"page_size": 0}), "[[source]] id='github': page_size must be a whole number"),
    ("source-max-pages", doc(source={"max_pages": "ten"}), "[[source]] id='github': max_pages must be a whole number"),
    ("source-keep-seen", doc(source={"keep_seen": 10**9}), "[[source]] id='github': keep_seen must be a whole number"),
    ("source-keep-roots", doc(source={"keep_roots": -1}), "[[source]] id='github': keep_roots must be a whole number"),
    # [[channel]]
    ("channel-kind", doc(channel={"kind": "pager"}), "[[channel]] id='desk': unknown kind 'pager'"),
    ("channel-services", doc(channel={"services": "GitHub"}), "[[channel]] id='desk': services must be a list"),
    ("channel-impact", doc(channel={"min_impact": "huge"}), "[[channel]] id='desk': min_impact must be one of"),
    ("channel-languages", doc(channel={"languages": "hi"}), "[[channel]] id='desk': languages must be a non-empty"),
    ("channel-timezone", doc(channel={"timezone": "IST"}), "[[channel]] id='desk': unknown time zone 'IST'"),
    ("channel-timeout", doc(channel={"kind": "telegram", "timeout": "abc"}),
     "[[channel]] id='desk': timeout: bad interval 'abc'"),
    ("channel-timeout-zero", doc(channel={"kind": "slack", "timeout": 0}),
     "[[channel]] id='desk': timeout: bad interval 0"),
    ("channel-timeout-inf", doc(channel={"kind": "slack", "timeout": math.inf}),
     "[[channel]] id='desk': timeout: bad interval inf"),
    ("channel-min-interval", doc(channel={"kind": "slack", "min_interval": "abc"}),
     "[[channel]] id='desk': min_interval: bad interval 'abc'"),
    ("channel-min-interval-huge", doc(channel={"kind": "telegram", "min_interval": "99999999999d"}),
     "[[channel]] id='desk': min_interval: bad interval"),
    ("channel-min-interval-long", doc(channel={"kind": "telegram", "min_interval": "2h"}),
     "[[channel]] id='desk': min_interval must be from 0 to 1h"),
    ("channel-per-minute", doc(channel={"kind": "telegram", "per_minute": -1}),
     "[[channel]] id='desk': per_minute must be a whole number from 0"),
]


@pytest.mark.parametrize(("raw", "expected"), [(raw, expected) for _, raw, expected in BAD],
                         ids=[name for name, _, _ in BAD])
def test_bad_config_is_one_line_naming_file_entry_and_key(raw: dict[str, Any], expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, "pushti.toml")
    message = str(caught.value)
    assert message.startswith("pushti.toml: "), message
    assert expected in message, message
    assert "\n" not in message and len(message) < 300


def test_good_values_at_the_bounds_are_accepted_and_intervals_stored_as_seconds() -> None:
    config = parse_config(doc(
        {"every": "1d", "stale_after": "30d", "link_window": "30d", "event_window": "7d", "delivery_max_wait": 0,
         "x_monthly_reads": 0, "delivery_attempts": 1000},
        source={"every": "1ms", "backfill": "3650d", "timeout": "15s", "page_size": 100},
        channel={"kind": "telegram", "timeout": "5m", "min_interval": 0, "per_minute": 0},
    ))
    assert config.every == 86400 and config.stale_hours == 30 * 24 and config.event_window_minutes == 7 * 24 * 60
    assert config.options["delivery_max_wait"] == 0.0
    assert config.sources[0].every == 0.001 and config.sources[0].option("timeout") == 15.0
    channel = config.channels[0]
    assert channel.option("timeout") == 300.0 and channel.option("min_interval") == 0.0


def readme_keys() -> dict[str, dict[str, Any]]:
    """Every key the README's TOML examples show (commented out or not) under [bot], [[source]] and [[channel]],
    with the value shown."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    shown: dict[str, dict[str, Any]] = {"[bot]": {}, "[[source]]": {}, "[[channel]]": {}}
    for block in readme.split("```toml")[1:]:
        table = ""
        for line in block.split("```")[0].splitlines():
            line = line.strip().removeprefix("# ").strip()
            if line.startswith("["):
                table = line.split("#")[0].strip()
            elif table in shown and "=" in line and not line.startswith("#"):
                key, _, rest = line.partition("=")
                value = rest.split("  #")[0].strip()
                shown[table][key.strip()] = tomllib.loads(f"v = {value}")["v"]
    return shown


def test_every_bot_key_the_readme_shows_is_accepted() -> None:
    shown = readme_keys()["[bot]"]
    assert {"every", "announce_threshold", "fetch_workers", "state_wait", "listen", "site_url"} <= shown.keys()
    shown.pop("ops_channel", None)  # names a channel id the test document does not have
    config = parse_config(doc(shown))
    assert config.every == parse_interval(shown["every"])


def test_every_source_and_channel_key_the_readme_shows_is_known() -> None:
    shown = readme_keys()
    assert {"backfill", "maintenance_every", "keep_replies", "stream"} <= shown["[[source]]"].keys()
    assert {"chat", "token_env", "stories", "thread_name"} <= shown["[[channel]]"].keys()
    assert set(shown["[[source]]"]) <= SOURCE_KEYS
    assert set(shown["[[channel]]"]) <= CHANNEL_KEYS


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, "99999999999d", "1e400", "abc", "", 0, -1, True])
def test_parse_interval_refuses_what_would_overflow_later(value: Any) -> None:
    with pytest.raises(ValueError):
        parse_interval(value)


def test_file_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"missing\.toml: file not found$"):
        load_config(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[bot\n")
    with pytest.raises(ConfigError, match="broken.toml: not valid TOML"):
        load_config(broken)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe[bot]\n")
    with pytest.raises(ConfigError, match="binary.toml: cannot read"):
        load_config(binary)
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    with pytest.raises(ConfigError, match="folder.toml: cannot read"):
        load_config(folder)


CLI_CASES = [
    ('[[sources]]\nid = "gh"\nkind = "statuspage"\nurl = "https://x.example"\n',
     "unknown table or key 'sources' (did you mean [[source]]?)"),
    ('[bot]\nevry = "5m"\n', "[bot]: unknown key 'evry' (did you mean every?)"),
    ('[bot]\nevery = inf\n', "[bot]: every: bad interval inf"),
    ('[bot]\nevery = nan\n', "[bot]: every: bad interval nan"),
    ('[bot]\nevery = 1e-9\n', "[bot]: every must be from 1ms to 1d"),
    ('[bot]\nstale_after = "99999999999d"\n', "[bot]: stale_after: bad interval"),
    ('[[source]]\nid = "gh"\nkind = "statuspage"\nurl = "https://x.example"\nevery = "99999999999d"\n',
     "[[source]] id='gh': every: bad interval"),
    ('[[channel]]\nid = "tg"\nkind = "telegram"\nchat = "-1"\ntimeout = "abc"\n',
     "[[channel]] id='tg': timeout: bad interval 'abc'"),
    ('[[channel]]\nid = "team"\nkind = "slack"\nchannel = "C1"\nmin_interval = "abc"\n',
     "[[channel]] id='team': min_interval: bad interval 'abc'"),
]


@pytest.mark.parametrize(("text", "expected"), CLI_CASES)
def test_bot_poll_once_exits_2_with_one_line(tmp_path: Path, text: str, expected: str) -> None:
    config = tmp_path / "pushti.toml"
    config.write_text(f'[bot]\nstate = "{tmp_path / "state.db"}"\n' + text.replace("[bot]\n", ""), encoding="utf-8")
    result = run_bot("poll", "--once", "--config", str(config), timeout=60)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert expected in lines[0] and str(config) in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "state.db").exists()


@pytest.mark.parametrize("command", [["run"], ["deliver"], ["status"], ["resync", "--dry-run"]])
def test_other_commands_exit_2_before_doing_anything(tmp_path: Path, command: list[str]) -> None:
    config = tmp_path / "pushti.toml"
    config.write_text(f'[bot]\nstate = "{tmp_path / "state.db"}"\nevery = nan\n', encoding="utf-8")
    result = run_bot(*command, "--config", str(config), timeout=60)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.strip().count("\n") == 0 and "[bot]: every: bad interval nan" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
