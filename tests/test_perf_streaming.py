"""Issue 14, without timing: each source is stored as its fetch completes (a slow source never delays the others),
a stop request ends the cycle between transactions without waiting for fetches in flight, and "not modified"
sources only advance their cursor (batched), writing what the full path writes."""

from __future__ import annotations

import threading
from datetime import timedelta

from pollhelpers import incidents_document, load_incident, recent_start, revealed, shifted

import pipeline
from config import parse_config
from store import open_db, source_state

PATH = "/api/v2/incidents.json"
MAINT = "/api/v2/scheduled-maintenances.json"


def _bot(server, tmp_path, names):  # type: ignore[no-untyped-def]
    raw = {
        "bot": {"state": str(tmp_path / "state.db"), "every": "1ms"},
        "source": [{"id": n, "kind": "statuspage", "service": f"Service {n}", "url": f"{server.url}/{n}"}
                   for n in names],
        "channel": [{"id": "desk", "kind": "console"}],
    }
    return parse_config(raw, "<test>")


def _blocking_route(server, path, body, release: threading.Event, answered: threading.Event):  # type: ignore[no-untyped-def]
    def handler(request):  # type: ignore[no-untyped-def]
        release.wait(timeout=20)
        answered.set()
        return 200, {"Content-Type": "application/json"}, body

    server.route(path, handler=handler)


def test_a_fast_source_is_stored_while_a_slow_one_is_still_fetching(server, tmp_path, monkeypatch):
    live = shifted(load_incident("w7wlzstc8wss"), recent_start(3))
    body = incidents_document(revealed(live, 2))
    server.route("/fast" + PATH, body)
    release, answered = threading.Event(), threading.Event()
    released_by_store = []
    _blocking_route(server, "/slow" + PATH, body, release, answered)
    bot = _bot(server, tmp_path, ["slow", "fast"])
    db = open_db(bot.state)
    original = pipeline.apply_outcome

    def apply_outcome(db, bot, source, result, now):  # type: ignore[no-untyped-def]
        outcome = original(db, bot, source, result, now)
        if source.id == "fast":
            released_by_store.append(not answered.is_set())  # the slow page has not answered yet
            release.set()
        return outcome

    monkeypatch.setattr(pipeline, "apply_outcome", apply_outcome)
    report = pipeline.poll_cycle(db, bot, only_due=False)
    release.set()
    assert released_by_store == [True]  # "fast" was stored while "slow" was still being fetched
    assert [o.source_id for o in report.outcomes] == ["slow", "fast"]  # reported in configuration order
    assert all(o.status == "ok" and o.new_posts == 2 for o in report.outcomes), report.outcomes


def test_a_stop_ends_the_cycle_between_transactions_without_waiting_for_fetches(server, tmp_path, monkeypatch):
    live = shifted(load_incident("w7wlzstc8wss"), recent_start(3))
    body = incidents_document(revealed(live, 1))
    server.route("/fast" + PATH, body)
    release, answered = threading.Event(), threading.Event()
    _blocking_route(server, "/slow" + PATH, body, release, answered)
    bot = _bot(server, tmp_path, ["slow", "fast"])
    db = open_db(bot.state)
    stop = threading.Event()
    original = pipeline.apply_outcome

    def apply_outcome(db, bot, source, result, now):  # type: ignore[no-untyped-def]
        outcome = original(db, bot, source, result, now)
        stop.set()  # SIGTERM arrives during the first transaction
        return outcome

    monkeypatch.setattr(pipeline, "apply_outcome", apply_outcome)
    try:
        report = pipeline.poll_cycle(db, bot, only_due=False, stop=stop)
        returned_before_slow_answered = not answered.is_set()
    finally:
        release.set()
    assert returned_before_slow_answered
    assert [o.source_id for o in report.outcomes] == ["fast"]
    assert source_state(db, "slow") is None  # never stored: polled by the next run, cursor untouched


def test_unchanged_sources_only_advance_their_cursor_in_one_batch(server, tmp_path, monkeypatch):
    live = shifted(load_incident("w7wlzstc8wss"), recent_start(3))
    names = ["a", "b", "c"]
    for name in names:
        server.route(f"/{name}{PATH}", incidents_document(revealed(live, 2)), etag=True)
        server.route(f"/{name}{MAINT}", b'{"scheduled_maintenances": []}', etag=True)
    bot = _bot(server, tmp_path, names)
    db = open_db(bot.state)
    first = pipeline.poll_cycle(db, bot, only_due=False)
    assert all(o.status == "ok" for o in first.outcomes)
    before = {n: source_state(db, n) for n in names}
    counts = {t: db.conn.execute(f"select count(*) from {t}").fetchone()[0]
              for t in ("posts", "incidents", "incident_changes", "outbox")}
    calls = []
    monkeypatch.setattr(pipeline, "apply_result", lambda *a, **k: calls.append(a) or None)  # the full path: unused
    later = pipeline.now_utc() + timedelta(minutes=5)
    report = pipeline.poll_cycle(db, bot, only_due=False, now=later)
    assert calls == []
    assert [(o.source_id, o.status) for o in report.outcomes] == [(n, "unchanged") for n in names]
    for name in names:
        state = source_state(db, name)
        assert state["cursor"] == before[name]["cursor"]  # a 304 keeps the validators
        assert state["last_poll_at"] == state["last_success_at"] == pipeline.iso_utc(later)
        assert state["next_due_at"] == pipeline.iso_utc(later + timedelta(seconds=bot.sources[0].every))
        assert (state["failures"], state["last_error"], state["alerted"], state["baseline_done"]) == (0, None, 0, 1)
    assert counts == {t: db.conn.execute(f"select count(*) from {t}").fetchone()[0] for t in counts}


def test_an_unchanged_source_that_was_failing_takes_the_full_path(server, tmp_path):
    """A recovered source (alerted) is not batched: its recovery notice is still queued."""
    live = shifted(load_incident("w7wlzstc8wss"), recent_start(3))
    server.route("/a" + PATH, incidents_document(revealed(live, 1)), etag=True)
    server.route("/a" + MAINT, b'{"scheduled_maintenances": []}', etag=True)
    raw_bot = _bot(server, tmp_path, ["a"])
    bot = parse_config({"bot": {"state": raw_bot.state, "every": "1ms", "ops_channel": "ops"},
                        "source": [{"id": "a", "kind": "statuspage", "service": "A", "url": f"{server.url}/a"}],
                        "channel": [{"id": "desk", "kind": "console"}, {"id": "ops", "kind": "console"}]}, "<test>")
    db = open_db(bot.state)
    pipeline.poll_cycle(db, bot, only_due=False)
    db.conn.execute("update sources set alerted = 1, failures = 3 where id = 'a'")
    report = pipeline.poll_cycle(db, bot, only_due=False)
    assert [(o.source_id, o.status) for o in report.outcomes] == [("a", "unchanged")]
    assert source_state(db, "a")["alerted"] == 0
    notices = db.conn.execute("select key from outbox where channel_id = 'ops'").fetchall()
    assert [k for (k,) in notices if "|recovered|" in k]


def test_fetching_in_another_process_stores_what_threads_store(server, tmp_path):
    """The first poll of many sources fetches and parses in a forked process: same posts, same failures (a 429's
    retry-after kept across the process boundary)."""
    live = shifted(load_incident("w7wlzstc8wss"), recent_start(3))
    old = shifted(load_incident("nf4gcjtcsqdb"), recent_start(30))
    names = ["a", "b", "c", "limited", "missing"]
    for name in ("a", "b", "c"):
        server.route(f"/{name}{PATH}", incidents_document(revealed(live, 3), old), etag=True)
    server.route("/limited" + PATH, b"slow down", status=429, headers={"Retry-After": "120"})
    snapshots = []
    for processes in (0, 1):
        folder = tmp_path / f"p{processes}"
        folder.mkdir()
        bot = _bot(server, folder, names)
        object.__setattr__(bot, "fetch_processes", processes)
        db = open_db(bot.state)
        report = pipeline.poll_cycle(db, bot, only_due=False)
        outcomes = [(o.source_id, o.status, o.new_posts, o.message.split(", will retry")[0]) for o in report.outcomes]
        posts = sorted(db.conn.execute(  # the fetcher process also reads the texts: the same classification
            "select source_id, native_id, kind, text, confidence, reason, text_kind, probabilities, symptoms, language"
            " from posts").fetchall())
        incidents = sorted(db.conn.execute("select service, status, opened_at, resolved_at from incidents").fetchall())
        waits = {n: source_state(db, n)["next_due_at"] for n in ("limited", "missing")}
        snapshots.append((outcomes, posts, incidents))
        assert "retry after 120 s" in dict((o[0], o[3]) for o in outcomes)["limited"]
        assert waits["limited"] > waits["missing"]  # the server's Retry-After, not the default backoff
    assert snapshots[0] == snapshots[1]
    assert len(snapshots[0][1]) == 3 * (3 + len(old["incident_updates"]))


def test_fetch_settings_are_read_from_the_bot_section(tmp_path):
    """[bot] fetch_workers / fetch_processes / fetch_deadline reach the poll cycle (config keeps unknown keys as
    options; a field, once config.py has one, wins)."""
    raw = {"bot": {"state": str(tmp_path / "s.db"), "fetch_workers": 4, "fetch_processes": 0, "fetch_deadline": "20s"},
           "source": [], "channel": [{"id": "desk", "kind": "console"}]}
    bot = parse_config(raw, "<test>")
    assert pipeline.fetch_workers(bot) == 4
    assert pipeline.fetch_processes(bot, [], {}) == 0
    assert pipeline.configured_fetch_deadline(bot) == 20.0
    default = parse_config({**raw, "bot": {"state": str(tmp_path / "s.db")}}, "<test>")
    assert pipeline.fetch_workers(default) == pipeline.DEFAULT_FETCH_WORKERS
    assert pipeline.configured_fetch_deadline(default) is None


def test_the_daemon_stores_unchanged_sources_in_one_batch_and_polls_them_again(server, tmp_path):  # type: ignore[no-untyped-def]
    import time

    from daemon import Daemon

    live = shifted(load_incident("w7wlzstc8wss"), recent_start(3))
    names = ["a", "b"]
    for name in names:
        server.route(f"/{name}{PATH}", incidents_document(revealed(live, 2)), etag=True)
        server.route(f"/{name}{MAINT}", b'{"scheduled_maintenances": []}', etag=True)
    bot = _bot(server, tmp_path, names)
    daemon = Daemon(bot, {})

    def poll_all() -> int:
        for source in bot.sources:
            daemon.submit(source)
        handled, deadline = 0, time.monotonic() + 30
        while handled < len(names) and time.monotonic() < deadline:
            handled += daemon.drain()
            time.sleep(0.02)
        return handled

    try:
        assert poll_all() == 2
        counts = {t: daemon.db.conn.execute(f"select count(*) from {t}").fetchone()[0] for t in ("posts", "outbox")}
        cursors = {n: source_state(daemon.db, n)["cursor"] for n in names}
        assert poll_all() == 2  # both answered 304: stored as one batch
        assert daemon.in_flight == set()  # and free to be polled again
        for name in names:
            state = source_state(daemon.db, name)
            assert state["cursor"] == cursors[name] and state["failures"] == 0 and state["baseline_done"] == 1
        assert counts == {t: daemon.db.conn.execute(f"select count(*) from {t}").fetchone()[0] for t in counts}
        assert poll_all() == 2
    finally:
        daemon.shutdown()
