"""The Apprise channel end to end through ``bot.py poll --once``: Apprise's real ``json://`` and ``form://`` targets
post to a local HTTP server; one message per statement (no threads, no edits), a failing target is one clear line
without its URL and the message stays queued until it is delivered; and, in process, a partial failure is retried
only for the targets that failed."""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import parse_qs

import pytest
from pollhelpers import incidents_document, load_incident, recent_start, revealed, run_bot, shifted, write_config

import markup as mk

PATH = "/api/v2/incidents.json"
TG_TOKEN = "unused"
SLACK_TOKEN = "unused"
HOOK = "/hooks/pushti-secret-path-7f3a"
FORM = "/forms/another-secret-9c1d"


def source(server) -> dict:  # type: ignore[no-untyped-def]
    return {"id": "github", "kind": "statuspage", "service": "GitHub", "url": server.url}


def channel(**extra) -> dict:  # type: ignore[no-untyped-def]
    return {"id": "alerts", "kind": "apprise", "url_env": "ALERT_URLS", "min_interval": 0, "languages": ["en"],
            **extra}


def targets(server, *paths: str) -> str:  # type: ignore[no-untyped-def]
    host = server.url.removeprefix("http://")
    return " , ".join(f"{'form' if p.startswith('/forms') else 'json'}://{host}{p}" for p in paths)


def live_incident():  # type: ignore[no-untyped-def]
    live = shifted(load_incident("w7wlzstc8wss"), recent_start(3))
    return live, sorted(live["incident_updates"], key=lambda u: u["display_at"])


def words(text: str) -> str:
    return " ".join(text.split())


def json_posts(server) -> list[dict]:  # type: ignore[no-untyped-def]
    return [json.loads(r.body) for r in server.hits(HOOK)]


def test_one_message_per_statement_to_every_target(server, tmp_path):
    live, updates = live_incident()
    route = server.route(PATH, incidents_document())
    server.route(HOOK, b"ok")
    server.route(FORM, b"ok")
    config = write_config(tmp_path, [source(server)], [channel()])
    env = {"ALERT_URLS": targets(server, HOOK, FORM)}
    run_bot("poll", "--once", "--config", str(config), env=env)
    for count in range(1, len(updates) + 1):
        route.body = incidents_document(revealed(live, count))
        result = run_bot("poll", "--once", "--config", str(config), env=env)
        assert result.returncode == 0, result.stderr
        assert len(server.hits(HOOK)) == count and len(server.hits(FORM)) == count
    posts = json_posts(server)
    for post, update in zip(posts, updates, strict=True):  # in order, each quoting its own statement
        assert post["type"] == "info" and post["title"].startswith(("🔴 GitHub", "🟠 GitHub", "🟡 GitHub", "✅ GitHub"))
        assert words(update["body"])[:60] in words(post["message"])
        assert "**" not in post["message"] and "\\" not in post["message"]  # a text target gets plain text
    assert posts[0]["title"].startswith("🔴 GitHub") and posts[-1]["title"].startswith("✅ GitHub")
    forms = [parse_qs(r.body.decode()) for r in server.hits(FORM)]
    assert [f["title"][0] for f in forms] == [p["title"] for p in posts]
    assert all(r.method == "POST" for r in server.hits(HOOK) + server.hits(FORM))  # never an edit
    db = sqlite3.connect(tmp_path / "state.db")
    assert db.execute("select count(*) from channel_threads").fetchone()[0] == 0
    assert db.execute("select count(*) from outbox where status != 'sent'").fetchone()[0] == 0


def test_a_failing_target_is_one_line_and_the_message_waits(server, tmp_path):
    live, updates = live_incident()
    route = server.route(PATH, incidents_document())
    hook = server.route(HOOK, b"down for maintenance", status=503)
    config = write_config(tmp_path, [source(server)], [channel()])
    env = {"ALERT_URLS": targets(server, HOOK)}
    run_bot("poll", "--once", "--config", str(config), env=env)
    route.body = incidents_document(revealed(live, 1))
    result = run_bot("poll", "--once", "--config", str(config), env=env)
    lines = [line for line in result.stderr.splitlines() if 'channel "alerts"' in line]
    assert lines and all("target 1 (json)" in line for line in lines), result.stderr
    assert "503" in lines[0] or "Service Unavailable" in lines[0]
    assert "pushti-secret-path" not in result.stderr + result.stdout
    assert server.url.removeprefix("http://") not in result.stderr  # not even the host of the target
    status = json.loads(run_bot("status", "--json", "--config", str(config), env=env).stdout)
    assert [(c["id"], c["pending"], c["failed"]) for c in status["channels"]] == [("alerts", 1, 0)]
    tried = len(server.hits(HOOK))
    assert tried >= 1
    hook.status = 200
    db = sqlite3.connect(tmp_path / "state.db")
    db.execute("update outbox set next_attempt_at = null")  # the backoff has passed
    db.commit()
    again = run_bot("deliver", "--config", str(config), env=env)
    assert "sent 1, failed 0, waiting 0" in again.stdout, again.stderr
    assert len(server.hits(HOOK)) == tried + 1  # delivered once, at last
    assert words(updates[0]["body"])[:60] in words(json_posts(server)[-1]["message"])


def test_bad_urls_are_one_line_without_the_secret(server, tmp_path):
    config = write_config(tmp_path, [source(server)], [channel()])
    server.route(PATH, incidents_document())
    result = run_bot("poll", "--once", "--config", str(config),
                     env={"ALERT_URLS": "json://127.0.0.1:9/ok nosuchscheme://hunter2-secret@host/x"})
    assert 'apprise channel "alerts": ALERT_URLS: target 2 (nosuchscheme) is not an Apprise URL' in result.stderr
    assert "hunter2" not in result.stderr
    result = run_bot("poll", "--once", "--config", str(config), env={"ALERT_URLS": " , "})
    assert 'apprise channel "alerts" needs ALERT_URLS' in result.stderr
    bad = write_config(tmp_path, [source(server)], [channel(url_env="json://x")])
    result = run_bot("status", "--config", str(bad))
    assert result.returncode == 2 and "url_env must name an environment variable" in result.stderr


# -- in process ----------------------------------------------------------------------------------------------------


def make_channel(server, monkeypatch, *paths: str):  # type: ignore[no-untyped-def]
    from channels.apprise_channel import AppriseChannel
    from config import BotConfig, ChannelConfig

    monkeypatch.setenv("ALERT_URLS", targets(server, *paths))
    return AppriseChannel(ChannelConfig(id="alerts", kind="apprise", options={"url_env": "ALERT_URLS"}),
                          BotConfig(path="<test>"))


def test_a_partial_failure_is_retried_only_where_it_failed(server, monkeypatch):
    from channels import ChannelError
    from render import RenderedMessage

    server.route(FORM, b"ok")
    hook = server.route(HOOK, b"no", status=500)
    alerts = make_channel(server, monkeypatch, HOOK, FORM)
    message = RenderedMessage(parts=["**🔴 GitHub: trouble**\nSomething broke."], extra={"outbox_id": 7, "part": 0})
    with pytest.raises(ChannelError) as caught:
        alerts.send(message)
    assert "(1 of 2 told)" in str(caught.value) and "target 1 (json)" in str(caught.value)
    assert "target 2" not in str(caught.value) and not caught.value.permanent
    hook.status = 200
    assert alerts.send(message) == ""
    assert len(server.hits(FORM)) == 1 and len(server.hits(HOOK)) == 2  # the form target was not told twice
    post = json_posts(server)[-1]
    assert post == {**post, "title": "🔴 GitHub: trouble", "message": "Something broke."}


def test_statement_text_stays_text_for_markdown_and_plain_targets():
    hostile = "@everyone [click](http://evil.example) <b>bold</b> **x** \\ `code`"
    text = mk.bold(mk.escape("🔴 GitHub: a_b", "markdown"), "markdown") + "\n" + mk.quote(hostile, "markdown")
    import apprise.conversion.format as conv

    html = conv.markdown_to_html(text)  # what an HTML target (email) receives from Apprise
    assert "<b>bold</b>" not in html and "&lt;b&gt;" in html and 'href="http://evil.example"' not in html
    assert "<strong>🔴 GitHub: a_b</strong>" in html
    plain = mk.markdown_to_plain(text)
    assert "[click](http://evil.example) <b>bold</b> **x** \\ `code`" in plain and "@\u200beveryone" in plain
