"""Fault suite, channels: hostile rate-limit answers (Telegram ``retry_after`` 10^12, Slack ``Retry-After`` huge,
garbage or a far date) are a bounded pause and one line, never an OverflowError; terminal control sequences in a
statement never reach the console's terminal; a webhook server that echoes its secret path never gets it into
stderr, ``bot.py status`` or ``outbox.last_error``; with ``--log-format json`` every stderr line is JSON."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from pollhelpers import incidents_document, load_incident, recent_start, revealed, run_bot, shifted, write_config

from channels import MAX_RETRY_AFTER, ChannelError, bounded_retry_after
from channels.console import ConsoleChannel, terminal_safe
from config import BotConfig, ChannelConfig
from render import RenderedMessage

PATH = "/api/v2/incidents.json"
TG_TOKEN = "987654:FAULTS-telegram-token-value"
HOOK_SECRET = "T0FAULT/B0FAULT/echoedwebhooksecret42"
CHAT = "-100555"


def _source(server) -> dict:  # type: ignore[no-untyped-def]
    return {"id": "github", "kind": "statuspage", "service": "GitHub", "url": server.url}


def _one_incident(server, body_prefix: str = "") -> None:  # type: ignore[no-untyped-def]
    incident = revealed(shifted(load_incident("w7wlzstc8wss"), recent_start(1)), 1)
    if body_prefix:
        for update in incident["incident_updates"]:
            update["body"] = body_prefix + update["body"]
    server.route(PATH, incidents_document(incident))


def _outbox(db_path) -> list[dict]:  # type: ignore[no-untyped-def]
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute("select * from outbox order by id")]
    finally:
        db.close()


def _no_traceback(result) -> None:  # type: ignore[no-untyped-def]
    assert "Traceback" not in result.stderr and "OverflowError" not in result.stderr, result.stderr


# -- retry_after ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(10**12, MAX_RETRY_AFTER), (10**400, MAX_RETRY_AFTER), ("99999999999999999999", MAX_RETRY_AFTER), (float("inf"), MAX_RETRY_AFTER),
     ("1e308", MAX_RETRY_AFTER), (0, 1.0), (-5, 1.0), ("7", 7.0), (12.5, 12.5),
     ("Wed, 21 Oct 2099 07:28:00 GMT", MAX_RETRY_AFTER), ("Wed, 21 Oct 2015 07:28:00 GMT", 1.0)],
)
def test_retry_after_is_clamped_to_a_second_and_fifteen_minutes(value, expected) -> None:  # type: ignore[no-untyped-def]
    assert bounded_retry_after(value, "test") == pytest.approx(expected)


@pytest.mark.parametrize("value", ["garbage", "nan", "NaN", "12 apples", {"x": 1}, True])
def test_garbage_retry_after_is_the_default_with_one_warning(value, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level("WARNING"):
        assert bounded_retry_after(value, "channel \"x\"", default=5.0) == 5.0
    assert len(caplog.records) == 1 and "channel \"x\"" in caplog.records[0].getMessage()


def test_a_channel_error_pause_is_always_bounded() -> None:
    assert ChannelError("x", retry_after=1e300).retry_after == MAX_RETRY_AFTER
    assert ChannelError("x", retry_after=10**400).retry_after == MAX_RETRY_AFTER  # type: ignore[arg-type]
    assert ChannelError("x", retry_after=float("nan")).retry_after is not None
    assert ChannelError("x").retry_after is None


def _telegram_429(server, retry_after) -> None:  # type: ignore[no-untyped-def]
    server.route(f"/bot{TG_TOKEN}/sendMessage", json.dumps(
        {"ok": False, "error_code": 429, "description": "Too Many Requests: retry later",
         "parameters": {"retry_after": retry_after}}), status=429, headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("retry_after", [10**12, "garbage", 1e308])
def test_a_telegram_429_with_a_hostile_retry_after_pauses_at_most_15_minutes(server, tmp_path, retry_after):  # type: ignore[no-untyped-def]
    _one_incident(server)
    _telegram_429(server, retry_after)
    config = write_config(tmp_path, [_source(server)],
                          [{"id": "tg", "kind": "telegram", "chat": CHAT, "api_base": server.url, "min_interval": 0,
                            "per_minute": 0, "languages": ["en"]}], bot={"delivery_max_wait": 2})
    result = run_bot("poll", "--once", "--config", str(config), env={"TELEGRAM_BOT_TOKEN": TG_TOKEN})
    _no_traceback(result)
    assert result.returncode == 0, result.stderr
    (row,) = _outbox(tmp_path / "state.db")
    assert row["status"] == "pending" and row["attempts"] == 0
    due = datetime.fromisoformat(row["next_attempt_at"].replace("Z", "+00:00"))
    assert due <= datetime.now(timezone.utc) + timedelta(seconds=MAX_RETRY_AFTER + 5)
    again = run_bot("poll", "--once", "--config", str(config), env={"TELEGRAM_BOT_TOKEN": TG_TOKEN})
    _no_traceback(again)  # the next run is not stuck either
    assert again.returncode == 0


@pytest.mark.parametrize("header", ["99999999999999999999", "soon", "Wed, 21 Oct 2099 07:28:00 GMT", "1e999"])
def test_a_slack_429_with_a_hostile_retry_after_pauses_at_most_15_minutes(server, tmp_path, header):  # type: ignore[no-untyped-def]
    _one_incident(server)
    server.route("/api/chat.postMessage", json.dumps({"ok": False, "error": "ratelimited"}), status=429,
                 headers={"Content-Type": "application/json", "Retry-After": header})
    config = write_config(tmp_path, [_source(server)],
                          [{"id": "team", "kind": "slack", "channel": "C0X", "api_base": server.url + "/api",
                            "min_interval": 0, "languages": ["en"]}], bot={"delivery_max_wait": 2})
    result = run_bot("poll", "--once", "--config", str(config), env={"SLACK_BOT_TOKEN": "xoxb-faults-token"})
    _no_traceback(result)
    assert result.returncode == 0, result.stderr
    (row,) = _outbox(tmp_path / "state.db")
    assert row["status"] == "pending"
    due = datetime.fromisoformat(row["next_attempt_at"].replace("Z", "+00:00"))
    assert due <= datetime.now(timezone.utc) + timedelta(seconds=MAX_RETRY_AFTER + 5)


def test_a_slack_webhook_429_with_a_huge_retry_after(server, tmp_path):  # type: ignore[no-untyped-def]
    _one_incident(server)
    server.route(f"/services/{HOOK_SECRET}", "rate_limited", status=429,
                 headers={"Content-Type": "text/plain", "Retry-After": "1" + "0" * 40})
    config = write_config(tmp_path, [_source(server)],
                          [{"id": "hook", "kind": "slack", "webhook_env": "TEAM_HOOK", "min_interval": 0,
                            "languages": ["en"]}], bot={"delivery_max_wait": 2})
    result = run_bot("poll", "--once", "--config", str(config),
                     env={"TEAM_HOOK": f"{server.url}/services/{HOOK_SECRET}"})
    _no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert _outbox(tmp_path / "state.db")[0]["status"] == "pending"


# -- the console ---------------------------------------------------------------------------------------------------

HOSTILE = ("\x1b[2J\x1b[H"  # clear screen, cursor home
           "\x1b]0;pwned title\x07"  # set the window title
           "\x1b]52;c;cm0gLXJmIH4=\x1b\\"  # OSC 52: write the clipboard
           "\x9b31m\x1bP+q\x1b\\\x07\x08\x00\x7f"  # 8-bit CSI, DCS, bell, backspace, NUL, DEL
           "\u202egnp.exe\u202c")  # right-to-left override


def test_terminal_safe_strips_control_and_keeps_text_newlines_and_tabs() -> None:
    assert terminal_safe(f"GitHub{HOSTILE} is down\n\tस्थिति\r\nok") == "GitHubgnp.exe is down\n\tस्थिति\nok"
    assert terminal_safe("हिन्दी\u200d ok") == "हिन्दी\u200d ok"  # joiners used in Devanagari stay


def test_the_console_channel_prints_no_control_sequences() -> None:
    bot = BotConfig(path="x", state=":memory:")
    stream = io.StringIO()
    console = ConsoleChannel(ChannelConfig(id="desk", kind="console"), bot, stream=stream)
    console.send(RenderedMessage(parts=[f"a{HOSTILE}b\n\nc"]))
    console.edit("console-1", RenderedMessage(parts=["x"], card=f"card{HOSTILE}\nline"))
    out = stream.getvalue()
    assert not any(ord(ch) < 32 and ch not in "\n\t" or 0x7f <= ord(ch) <= 0x9f for ch in out), repr(out)
    assert "\u202e" not in out and "agnp.exeb\n\nc" in out and "cardgnp.exe\nline" in out


def _clean(text: str) -> bool:
    return not any(ch in text for ch in ("\x1b", "\x9b", "\x07", "\x00", "\u202e"))


def test_a_statement_with_control_sequences_reaches_stdout_clean(server, tmp_path):  # type: ignore[no-untyped-def]
    incident = revealed(shifted(load_incident("w7wlzstc8wss"), recent_start(1)), 1)
    incident["name"] = f"Actions{HOSTILE} down"
    for update in incident["incident_updates"]:
        update["body"] = f"Investigating{HOSTILE} " + update["body"]
    server.route(PATH, incidents_document(incident))
    config = write_config(tmp_path, [_source(server)])
    result = run_bot("poll", "--once", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "Investigating" in result.stdout and _clean(result.stdout)
    for command in (("incidents",), ("status",), ("preview", "1"), ("digest", "--day", "2000-01-01")):
        shown = run_bot(*command, "--config", str(config))
        assert shown.returncode == 0, (command, shown.stderr)
        assert _clean(shown.stdout + shown.stderr), (command, shown.stdout)
    assert "Actionsgnp.exe down" in run_bot("incidents", "--config", str(config)).stdout


# -- secrets ------------------------------------------------------------------------------------------------------


def _echo_path(request):  # type: ignore[no-untyped-def]
    return 500, {"Content-Type": "text/plain"}, f"internal error handling {request.path} for you".encode()


def test_a_webhook_server_echoing_its_secret_path_never_shows_it(server, tmp_path):  # type: ignore[no-untyped-def]
    _one_incident(server)
    server.route(f"/services/{HOOK_SECRET}", handler=_echo_path)
    hook = f"{server.url}/services/{HOOK_SECRET}"
    config = write_config(tmp_path, [_source(server)],
                          [{"id": "hook", "kind": "slack", "webhook_env": "TEAM_HOOK", "min_interval": 0,
                            "languages": ["en"]}], bot={"delivery_attempts": 1})
    env = {"TEAM_HOOK": hook}
    seen = ""
    for fmt in ("text", "json"):
        result = run_bot("--log-format", fmt, "-v", "poll", "--once", "--config", str(config), env=env)
        _no_traceback(result)
        seen += result.stdout + result.stderr
    assert server.hits(f"/services/{HOOK_SECRET}")  # the server was asked, and answered with the path
    assert "HTTP 500" in seen
    for fmt in ((), ("--json",)):
        status = run_bot("status", *fmt, "--config", str(config), env=env)
        assert status.returncode == 0, status.stderr
        seen += status.stdout + status.stderr
    assert "failed" in seen
    stored = " ".join(str(r["last_error"]) for r in _outbox(tmp_path / "state.db"))
    assert "HTTP 500" in stored
    for text in (seen, stored):
        assert "echoedwebhooksecret42" not in text and "B0FAULT" not in text, text


def test_masking_covers_token_values_and_secret_url_parts(monkeypatch) -> None:
    from logsetup import mask, register_secret

    monkeypatch.setenv("DESK_TG_TOKEN", TG_TOKEN)
    assert "FAULTS" not in mask(f"POST https://api.telegram.org/bot{TG_TOKEN}/sendMessage failed")
    assert mask("https://api.telegram.org/bot111222:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789/getMe") == \
        "https://api.telegram.org/bot***/getMe"
    assert "s3cr3tpath" not in mask("https://hooks.slack.com/services/T1/B2/s3cr3tpath said no")
    register_secret("https://example.test/services/TA/BB/registeredsecretpart")
    assert "registeredsecretpart" not in mask("echo: BB/registeredsecretpart")
    assert "xoxb" not in mask("token xoxb-1234-5678-abcdefgh leaked")


# -- JSON logs ----------------------------------------------------------------------------------------------------


def test_every_stderr_line_of_a_failing_json_run_is_json(server, tmp_path):  # type: ignore[no-untyped-def]
    server.route(PATH, "<html>down</html>", status=503, headers={"Content-Type": "text/html"})
    server.route("/feed.xml", "not a feed at all", headers={"Content-Type": "application/rss+xml"})
    config = write_config(
        tmp_path,
        [_source(server), {"id": "feed", "kind": "feed", "service": "Feedy", "url": server.url + "/feed.xml"},
         {"id": "xs", "kind": "x", "handle": "TwitterSupport", "service": "X", "api_base": server.url}],
        [{"id": "desk", "kind": "console", "languages": ["en"]},
         {"id": "tg", "kind": "telegram", "chat": CHAT, "api_base": server.url}],  # no token: one notice line
    )
    for command in (("poll", "--once"), ("deliver",), ("poll", "--once", "--source", "nope"), ("resync",)):
        result = run_bot("--log-format", "json", "-v", *command, "--config", str(config),
                         env={"TELEGRAM_BOT_TOKEN": "", "X_BEARER_TOKEN": ""})
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert lines or command == ("deliver",), command
        for line in lines:
            record = json.loads(line)  # every line
            assert {"time", "level", "logger", "message"} <= set(record), line
    assert run_bot("poll", "--once", "--config", str(config)).returncode == 1


def test_outbox_wait_arithmetic_never_overflows() -> None:
    from outbox import MAX_DEFER, _bounded, _later

    for hostile in (1e300, float("inf"), float("nan"), -1e300, 10**30, 10**400):
        assert 0 <= _bounded(hostile) <= MAX_DEFER
        _later(hostile)  # an ISO time, not an OverflowError


def test_a_channel_that_keeps_answering_429_is_left_for_the_next_run(server, tmp_path):  # type: ignore[no-untyped-def]
    _one_incident(server)
    _telegram_429(server, 1)  # "wait 1 s", for ever
    config = write_config(tmp_path, [_source(server)],
                          [{"id": "tg", "kind": "telegram", "chat": CHAT, "api_base": server.url, "min_interval": 0,
                            "per_minute": 0, "languages": ["en"]}])
    result = run_bot("poll", "--once", "--config", str(config), env={"TELEGRAM_BOT_TOKEN": TG_TOKEN}, timeout=30)
    _no_traceback(result)
    assert result.returncode == 0 and "rate limited 6 times in a row" in result.stderr, result.stderr
    assert len(server.hits(f"/bot{TG_TOKEN}/sendMessage")) == 6
    assert _outbox(tmp_path / "state.db")[0]["status"] == "pending"


def test_an_ops_notice_quoting_an_error_with_a_secret_is_masked(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from outbox import deliver, enqueue_notice
    from store import open_db, transaction

    monkeypatch.setenv("OPS_SLACK_WEBHOOK_URL", f"https://hooks.slack.com/services/{HOOK_SECRET}")
    bot = BotConfig(path="x", state=str(tmp_path / "state.db"), channels=(ChannelConfig(id="ops", kind="console"),),
                    ops_channel="ops")
    db = open_db(bot.state)
    with transaction(db):
        enqueue_notice(db, "ops", "health|x", f"⚠️ watching \"x\" is failing: HTTP 500 echo /services/{HOOK_SECRET} "
                                              f"bot{TG_TOKEN}")
    stream = io.StringIO()
    monkeypatch.setenv("DESK_TG_TOKEN", TG_TOKEN)
    assert deliver(db, bot, {"ops": ConsoleChannel(bot.channels[0], bot, stream=stream)}).sent == 1
    out = stream.getvalue()
    assert "failing" in out and "echoedwebhooksecret42" not in out and "FAULTS-telegram" not in out, out


def test_an_unterminated_osc_swallows_no_more_than_its_line() -> None:
    assert terminal_safe("GitHub\x1b]0;set title, never ended\nEngineers are investigating.") == \
        "GitHub\nEngineers are investigating."


def test_every_stderr_line_of_the_daemon_in_json_mode_is_json(server, tmp_path):  # type: ignore[no-untyped-def]
    import os
    import signal
    import subprocess
    import sys
    import time

    from pollhelpers import ROOT

    server.route(PATH, "<html>down</html>", status=503, headers={"Content-Type": "text/html"})
    config = write_config(tmp_path, [{**_source(server), "every": "1s"}],
                          [{"id": "desk", "kind": "console"},
                           {"id": "tg", "kind": "telegram", "chat": CHAT, "api_base": server.url}])
    proc = subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "--log-format", "json", "-v", "run", "--config",
                             str(config)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TELEGRAM_BOT_TOKEN": ""})
    time.sleep(3)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) >= 3  # the skipped channel, running, the failing source, stopped
    for line in lines:
        json.loads(line)
