"""Fault suite, state file: a corrupted, read-only, locked or misplaced ``state.db`` is ONE line on stderr that says
what happened and what to do, and exit code 4 — for every ``bot.py`` command that opens the state; never a
traceback, and nothing stored earlier is lost.

Read-only cases run the bot as an unprivileged user when the tests run as root (root ignores file modes).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pollhelpers import ROOT, incidents_document, load_incident, recent_start, revealed, run_bot, shifted, write_config

EXIT_STATE = 4
PATH = "/api/v2/incidents.json"
COMMANDS = (
    ("poll", "--once"),
    ("deliver",),
    ("status",),
    ("incidents",),
    ("resync", "--dry-run"),
    ("digest", "--day", "2026-01-01"),
    ("preview", "1"),
    ("run",),
)


def _source(url: str) -> dict:
    return {"id": "github", "kind": "statuspage", "service": "GitHub", "url": url}


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "Error:" not in result.stderr.split(":", 1)[0]
    return lines[0]


def _config(folder: Path, server_url: str = "http://127.0.0.1:9", **bot: object) -> Path:
    return write_config(folder, [_source(server_url)], bot={**bot} or None)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder any user may enter (pytest's own tmp folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="pushti-state-"))
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            try:
                path.chmod(0o777 if path.is_dir() else 0o666)
            except OSError:
                pass
        shutil.rmtree(folder, ignore_errors=True)


def run_unprivileged(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """bot.py as a user that file modes apply to: this one, or nobody when the tests run as root."""
    command = [sys.executable, str(ROOT / "bot.py"), *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if not setpriv:
            pytest.skip("running as root without setpriv: file modes cannot be tested")
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        probe = subprocess.run([*command[:4], sys.executable, "-c", f"open({str(ROOT / 'bot.py')!r}).close()"],
                               capture_output=True, timeout=timeout)
        if probe.returncode != 0:  # e.g. a checkout inside a private (0700) folder such as mktemp -d makes
            pytest.skip("the checkout is not readable by user nobody: file modes cannot be tested as root here")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "HOME": "/tmp"}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)


def _filled(server, folder: Path) -> Path:  # type: ignore[no-untyped-def]
    """A config whose state holds one incident (first poll), files open to every user."""
    incident = revealed(shifted(load_incident("w7wlzstc8wss"), recent_start(1)), 2)
    server.route(PATH, incidents_document(incident))
    config = _config(folder, server.url)
    result = run_bot("poll", "--once", "--config", str(config))
    assert result.returncode == 0, result.stderr
    for path in folder.iterdir():
        path.chmod(0o666)
    return config


def _incident_count(db_path: Path) -> int:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return int(db.execute("select count(*) from incidents").fetchone()[0])
    finally:
        db.close()


def test_a_corrupted_state_file_is_one_line_and_exit_4_for_every_command(tmp_path):
    config = _config(tmp_path)
    state = tmp_path / "state.db"
    state.write_bytes(b"this is not sqlite \x00\xff" * 300)
    for command in COMMANDS:
        result = run_bot(*command, "--config", str(config), timeout=60)
        assert result.returncode == EXIT_STATE, (command, result.stderr)
        line = one_line(result)
        assert f"state database {state} is corrupted" in line, line
        assert "restore it from a backup or move it away" in line
    assert state.read_bytes().startswith(b"this is not sqlite")  # left as it was, for the operator


def test_a_corrupted_state_file_in_json_mode_is_one_json_line(tmp_path):
    config = _config(tmp_path)
    (tmp_path / "state.db").write_bytes(os.urandom(8192))
    result = run_bot("--log-format", "json", "poll", "--once", "--config", str(config))
    assert result.returncode == EXIT_STATE
    record = json.loads(one_line(result))
    assert record["level"] == "error" and "corrupted" in record["message"]


def test_state_pointing_at_a_folder(tmp_path):
    folder = tmp_path / "statedir"
    folder.mkdir()
    config = write_config(tmp_path, [_source("http://127.0.0.1:9")])
    config.write_text(config.read_text().replace(str(tmp_path / "state.db"), str(folder)))
    for command in (("poll", "--once"), ("status",), ("deliver",), ("run",)):
        result = run_bot(*command, "--config", str(config))
        assert result.returncode == EXIT_STATE, (command, result.stderr)
        assert "is a folder, not a file" in one_line(result)


def test_a_parent_that_is_a_file_and_a_parent_that_cannot_be_made(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    config = write_config(tmp_path, [_source("http://127.0.0.1:9")])
    text = config.read_text()
    config.write_text(text.replace(str(tmp_path / "state.db"), str(blocker / "sub" / "state.db")))
    for command in (("poll", "--once"), ("status",)):
        result = run_bot(*command, "--config", str(config))
        assert result.returncode == EXIT_STATE, (command, result.stderr)
        line = one_line(result)
        assert "is a file, not a folder" in line or "cannot be created" in line, line


def test_a_missing_parent_folder_is_created(tmp_path):
    config = write_config(tmp_path, [_source("http://127.0.0.1:9")])
    target = tmp_path / "new" / "deeper" / "state.db"
    config.write_text(config.read_text().replace(str(tmp_path / "state.db"), str(target)))
    result = run_bot("status", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert target.exists()


def test_a_read_only_state_file(server, shared_dir):
    config = _filled(server, shared_dir)
    state = shared_dir / "state.db"
    state.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    for command in (("poll", "--once"), ("deliver",), ("status",), ("resync", "--dry-run")):
        result = run_unprivileged(*command, "--config", str(config))
        assert result.returncode == EXIT_STATE, (command, result.stderr)
        line = one_line(result)
        assert "read-only" in line or "not writable" in line, line
        assert str(state) in line
    state.chmod(0o666)
    assert _incident_count(state) == 1  # nothing lost


def test_a_read_only_folder(server, shared_dir):
    config = _filled(server, shared_dir)
    state = shared_dir / "state.db"
    shared_dir.chmod(0o555)
    try:
        for command in (("poll", "--once"), ("status",), ("run",)):
            result = run_unprivileged(*command, "--config", str(config))
            assert result.returncode == EXIT_STATE, (command, result.stderr)
            line = one_line(result)
            assert "not writable" in line or "read-only" in line, line
    finally:
        shared_dir.chmod(0o777)
    assert _incident_count(state) == 1


def test_a_state_locked_by_another_writer_waits_a_bounded_time_then_says_so(server, tmp_path):
    config = _filled(server, tmp_path)
    text = config.read_text().replace("[bot]\n", "[bot]\nstate_wait = 1\n", 1)
    config.write_text(text)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys, time\n"
         f"db = sqlite3.connect({str(tmp_path / 'state.db')!r}, isolation_level=None)\n"
         "db.execute('BEGIN IMMEDIATE'); db.execute('insert into x_usage values (\"1999-01\", 1)')\n"
         "print('held', flush=True); time.sleep(30)\n"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        for command in (("poll", "--once", "--all"), ("deliver",)):
            started = time.monotonic()
            result = run_bot(*command, "--config", str(config))
            elapsed = time.monotonic() - started
            assert result.returncode == EXIT_STATE, (command, result.stderr)
            line = one_line(result)
            assert "is locked by another process (waited 1 s)" in line, line
            assert elapsed < 15
    finally:
        holder.kill()
        holder.wait()
    result = run_bot("poll", "--once", "--config", str(config))  # the writer gone, the bot goes on
    assert result.returncode == 0, result.stderr
    assert _incident_count(tmp_path / "state.db") == 1


def test_state_wait_out_of_range_is_a_config_error(tmp_path):
    config = _config(tmp_path, state_wait="forever")
    result = run_bot("status", "--config", str(config))
    assert result.returncode == 2
    assert "state_wait" in one_line(result)
    config = _config(tmp_path, state_wait=1e9)
    assert run_bot("status", "--config", str(config)).returncode == 2


def test_a_lock_taken_in_the_middle_of_a_run_is_a_state_error_logged_without_traceback(tmp_path, caplog):  # type: ignore[no-untyped-def]
    import logging

    import store
    from config import load_config
    from logsetup import MaskingFormatter
    from pipeline import apply_outcome
    from store import StateError, now_utc, open_db
    from trackers import PollResult, TrackerError

    bot = load_config(_config(tmp_path))
    before = store.BUSY_TIMEOUT
    store.set_busy_timeout(0.2)
    try:
        db = open_db(tmp_path / "state.db")
    finally:
        store.BUSY_TIMEOUT = before
    other = sqlite3.connect(tmp_path / "state.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        for result in (PollResult(posts=[], cursor={}), TrackerError("HTTP 503")):
            with caplog.at_level(logging.INFO), pytest.raises(StateError, match="is locked by another process"):
                apply_outcome(db, bot, bot.sources[0], result, now_utc())
        formatter = MaskingFormatter(as_json=False)
        for record in caplog.records:
            assert "Traceback" not in formatter.format(record)
    finally:
        other.execute("ROLLBACK")
        other.close()
