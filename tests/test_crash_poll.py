"""SIGKILL between storing and delivering, or between two sources: nothing lost, nothing posted twice."""

from __future__ import annotations

import signal

from pollhelpers import incidents_document, load_incident, recent_start, revealed, run_bot, shifted, write_config

PATH = "/api/v2/incidents.json"


def _messages(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("── [desk]") and " edit " not in line]


def test_kill_between_store_and_delivery_delivers_each_message_once(server, tmp_path):
    live = shifted(load_incident("w7wlzstc8wss"), recent_start(3))
    route = server.route(PATH, incidents_document())
    config = write_config(tmp_path, [{"id": "github", "kind": "statuspage", "service": "GitHub", "url": server.url}])
    assert run_bot("poll", "--once", "--config", str(config)).returncode == 0  # baseline
    delivered: list[str] = []
    updates = len(live["incident_updates"])
    for count in range(1, updates + 1):
        route.body = incidents_document(revealed(live, count))
        crashed = run_bot("poll", "--once", "--config", str(config), env={"PUSHTI_CRASH_AT": "after_poll"})
        assert crashed.returncode == -signal.SIGKILL
        assert _messages(crashed.stdout) == []  # stored, not yet delivered
    # the page has said everything; the next (uncrashed) run delivers every stored statement once
    result = run_bot("poll", "--once", "--config", str(config))
    assert result.returncode == 0, result.stderr
    delivered += _messages(result.stdout)
    assert len(delivered) == updates
    again = run_bot("poll", "--once", "--config", str(config))
    assert _messages(again.stdout) == []


def test_kill_after_first_source_keeps_its_work_and_redoes_the_rest(server, tmp_path):
    live = shifted(load_incident("w7wlzstc8wss"), recent_start(3))
    server.route("/a" + PATH, incidents_document())
    route_b = server.route("/b" + PATH, incidents_document())
    config = write_config(
        tmp_path,
        [
            {"id": "a", "kind": "statuspage", "service": "ServiceA", "url": server.url + "/a"},
            {"id": "b", "kind": "statuspage", "service": "ServiceB", "url": server.url + "/b"},
        ],
    )
    assert run_bot("poll", "--once", "--config", str(config)).returncode == 0
    earlier = shifted(load_incident("w7wlzstc8wss"), recent_start(8))  # hours apart: not one event
    route_b.body = incidents_document(revealed(earlier, 2))
    server.routes["/a" + PATH].body = incidents_document(revealed(live, 1))
    crashed = run_bot("poll", "--once", "--config", str(config), env={"PUSHTI_CRASH_AT": "after_source"})
    assert crashed.returncode == -signal.SIGKILL
    result = run_bot("poll", "--once", "--config", str(config))
    assert result.returncode == 0, result.stderr
    # source a: 1 statement (stored before the crash), source b: its 2 statements -> one root message each,
    # b's second statement as a reply
    assert len(_messages(result.stdout)) == 3
    assert _messages(run_bot("poll", "--once", "--config", str(config)).stdout) == []
