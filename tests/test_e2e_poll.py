"""End to end through bot.py: a Statuspage page on 127.0.0.1 reveals an incident step by step."""

from __future__ import annotations

import json
import sqlite3

from pollhelpers import incidents_document, load_incident, recent_start, revealed, run_bot, shifted, write_config

PATH = "/api/v2/incidents.json"
HEADER = "── [desk]"


def messages(stdout: str) -> int:
    """Messages the console channel printed (edits of a root message are not new messages)."""
    return stdout.count(HEADER) - stdout.count(HEADER + " edit")


def statuspage_source(server, **extra):  # type: ignore[no-untyped-def]
    return {"id": "github", "kind": "statuspage", "service": "GitHub", "url": server.url, **extra}


def test_first_poll_is_quiet_then_each_poll_prints_exactly_the_new_updates(server, tmp_path):
    old = shifted(load_incident("nf4gcjtcsqdb"), recent_start(30))  # resolved yesterday: history only
    live = shifted(load_incident("w7wlzstc8wss"), recent_start(3))
    updates = sorted(live["incident_updates"], key=lambda u: u["display_at"])
    config = write_config(tmp_path, [statuspage_source(server)])
    route = server.route(PATH, incidents_document(old), etag=True)

    first = run_bot("poll", "--once", "--config", str(config))
    assert first.returncode == 0, first.stderr
    assert HEADER not in first.stdout  # baseline: nothing posted

    for count in range(1, len(updates) + 1):
        route.body = incidents_document(revealed(live, count), old)
        result = run_bot("poll", "--once", "--config", str(config))
        assert result.returncode == 0, result.stderr
        assert messages(result.stdout) == 1, result.stdout
        body = " ".join(updates[count - 1]["body"].split())
        assert body in " ".join(result.stdout.split())

    assert HEADER + " edit" in result.stdout  # the resolution edits the incident's first message
    again = run_bot("poll", "--once", "--config", str(config))
    assert again.returncode == 0 and HEADER not in again.stdout
    assert server.hits(PATH)[-1].headers.get("if-none-match")  # validators sent back

    db = sqlite3.connect(tmp_path / "state.db")
    incidents = db.execute("select service, status, duration_seconds from incidents order by id").fetchall()
    assert len(incidents) == 2
    linked = db.execute(
        "select count(distinct incident_id), count(*) from posts where thread_key = ?", (live["id"],)
    ).fetchone()
    assert linked == (1, len(updates))
    resolved = [i for i in incidents if i[2] is not None]
    assert resolved and resolved[-1][1] == "resolved"
    kinds = [r[0] for r in db.execute(
        "select c.change from incident_changes c join posts p on p.id = c.post_id where p.thread_key = ? order by c.id",
        (live["id"],))]
    assert kinds == ["acknowledged"] + ["update"] * (len(updates) - 2) + ["resolved"]
    sent = db.execute("select count(*) from outbox where status = 'sent'").fetchone()[0]
    assert sent == len(updates)


def test_open_incident_at_first_poll_is_announced_once(server, tmp_path):
    live = shifted(load_incident("w7wlzstc8wss"), recent_start(1))
    server.route(PATH, incidents_document(revealed(live, 2)))
    config = write_config(tmp_path, [statuspage_source(server)])
    first = run_bot("poll", "--once", "--config", str(config))
    assert first.returncode == 0, first.stderr
    assert messages(first.stdout) == 1
    second = run_bot("poll", "--once", "--config", str(config))
    assert HEADER not in second.stdout


def test_broken_sources_give_one_line_each_and_the_others_still_poll(server, tmp_path):
    live = shifted(load_incident("w7wlzstc8wss"), recent_start(1))
    server.route(PATH, incidents_document(revealed(live, 1)))
    server.route("/broken/api/v2/incidents.json", "oops", status=500)
    server.route("/garbage/api/v2/incidents.json", "{not json")
    config = write_config(
        tmp_path,
        [
            {"id": "broken", "kind": "statuspage", "service": "Broken", "url": server.url + "/broken"},
            statuspage_source(server),
            {"id": "garbage", "kind": "statuspage", "service": "Garbage", "url": server.url + "/garbage"},
        ],
    )
    result = run_bot("poll", "--once", "--config", str(config))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("source ")]
    assert len(lines) == 2, result.stderr
    assert any('"broken"' in line and "HTTP 500" in line for line in lines)
    assert any('"garbage"' in line for line in lines)
    assert messages(result.stdout) == 1  # the healthy source was still polled and announced
    status = run_bot("status", "--json", "--config", str(config))
    data = json.loads(status.stdout)
    failures = {s["id"]: s["failures"] for s in data["sources"]}
    assert failures == {"broken": 1, "github": 0, "garbage": 1}


def test_bad_config_exits_2_with_one_line(tmp_path):
    config = tmp_path / "pushti.toml"
    config.write_text('[[source]]\nid = "a"\nkind = "nope"\nurl = "https://x.example"\n')
    result = run_bot("poll", "--once", "--config", str(config))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "pushti.toml" in result.stderr and "'a'" in result.stderr and "unknown kind" in result.stderr
    config.write_text('[[source]]\nid = "a"\nkind = "statuspage"\nurl = "https://x.example"\nevery = "soon"\n')
    result = run_bot("status", "--config", str(config))
    assert result.returncode == 2 and "every" in result.stderr


def test_poll_once_respects_each_sources_interval_unless_all(server, tmp_path):
    server.route(PATH, incidents_document(), etag=True)
    server.route("/fast" + PATH, incidents_document(), etag=True)
    config = write_config(tmp_path, [
        statuspage_source(server, every="10m"),
        {"id": "fast", "kind": "statuspage", "service": "Fast", "url": server.url + "/fast", "every": "1ms"},
    ])
    for _ in range(2):
        assert run_bot("poll", "--once", "--config", str(config)).returncode == 0
    assert len(server.hits(PATH)) == 1  # "10m" is not due again a second later (a cron run each minute)
    assert len(server.hits("/fast" + PATH)) == 2
    assert run_bot("poll", "--once", "--all", "--config", str(config)).returncode == 0
    assert len(server.hits(PATH)) == 2
