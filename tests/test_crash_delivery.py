"""Crash safety of delivery: ``bot.py deliver`` is killed with SIGKILL at random points while it sends to the fake
Telegram server (which answers each request a few random ms after accepting it), then restarted, many times.

Across all runs: every queued statement reaches the chat, none is lost, and a statement shows twice only when a
kill fell in the at-least-once window (the server accepted the message, the bot had not yet committed "sent");
each crash can open that window for at most one message. The test counts and prints the window hits.
"""

from __future__ import annotations

import copy
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

from fake_telegram import FakeTelegram
from pollhelpers import ROOT, incidents_document, load_incident, recent_start, run_bot, shifted, write_config

TOKEN = "123456:CRASH-token"
CHAT = "-100777"
INCIDENTS = 10  # × 5 statements each = 50 messages
MIN_KILLS = 20
MARK = re.compile(r"\[(\d+\.\d+)\]")


def synthetic_incidents() -> list[dict]:
    """The same real incident ten times over, each with its own id and every statement marked "[k.j]"."""
    base = load_incident("w7wlzstc8wss")
    found = []
    for k in range(INCIDENTS):
        incident = shifted(copy.deepcopy(base), recent_start(30 - k))
        incident["id"] = f"crash{k:02d}"
        incident["name"] = f"Crash drill {k}"
        updates = sorted(incident["incident_updates"], key=lambda u: u["display_at"])
        for j, update in enumerate(updates):
            update["id"] = f"crash{k:02d}u{j}"
            update["incident_id"] = incident["id"]
            update["body"] = f"[{k}.{j}] {update['body']}"
        found.append(incident)
    return found


def markers(fake: FakeTelegram) -> Counter:
    """How many times the chat got each statement (edits are not new messages)."""
    return Counter(m.group(1) for msg in fake.sent(CHAT) if (m := MARK.search(msg.text)))


def row_marks(db_path) -> dict[int, tuple[str, str, str | None]]:  # type: ignore[no-untyped-def]
    """outbox id → (statement marker, status, remote id)."""
    db = sqlite3.connect(db_path, timeout=10)
    try:
        found = db.execute(
            "select o.id, p.text, o.status, o.remote_id from outbox o join incident_changes c on c.id = o.change_id "
            "join posts p on p.id = c.post_id order by o.id"
        ).fetchall()
    finally:
        db.close()
    return {oid: (MARK.search(text).group(1), status, remote) for oid, text, status, remote in found}


def test_sigkill_during_delivery_loses_nothing_and_doubles_at_most_one_per_crash(server, tmp_path):
    rng = random.Random(int(os.environ.get("CRASH_SEED", "0")) or None)
    fake = FakeTelegram(TOKEN)
    try:
        server.route("/api/v2/incidents.json", incidents_document(*synthetic_incidents()))
        config = write_config(
            tmp_path,
            [{"id": "github", "kind": "statuspage", "service": "GitHub", "url": server.url, "backfill": "all"}],
            [{"id": "tg", "kind": "telegram", "chat": CHAT, "api_base": fake.url, "min_interval": 0, "per_minute": 0,
              "languages": ["en"]}],
            bot={"storm_threshold": 1000},
        )
        # queue everything while the token is missing (the channel is skipped, the rows stay pending)
        queued = run_bot("poll", "--once", "--config", str(config), env={"TELEGRAM_BOT_TOKEN": ""})
        assert queued.returncode == 0, queued.stderr
        db_path = tmp_path / "state.db"
        rows = row_marks(db_path)
        assert len(rows) == INCIDENTS * 5 and {s for _, s, _ in rows.values()} == {"pending"}

        fake.delay = (0.002, 0.02)  # accepted, then answered a little later: the window is real
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN}
        started = time.monotonic()
        kills = window_hits = 0
        while kills < 30 and time.monotonic() - started < 45:
            before = markers(fake)
            calls = len(fake.calls)
            proc = subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "deliver", "--config", str(config)],
                                    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while proc.poll() is None and len(fake.calls) == calls:  # wait until delivery is under way
                time.sleep(0.001)
            if proc.poll() is not None:
                break  # it finished everything before we could kill it
            time.sleep(rng.uniform(0, 0.03))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            if proc.returncode != -signal.SIGKILL:
                break
            kills += 1
            time.sleep(0.03)  # let the server finish a request the dead client had already sent
            now = markers(fake)
            in_flight = [mark for mark, status, _ in row_marks(db_path).values() if status == "sending"]
            assert len(in_flight) <= 1  # one message in flight at a time: a crash can double at most one
            window_hits += sum(1 for mark in in_flight if now[mark] > before[mark])

        final = run_bot("deliver", "--config", str(config), env={"TELEGRAM_BOT_TOKEN": TOKEN})
        assert final.returncode == 0, final.stderr
        elapsed = time.monotonic() - started
        print(f"\ncrash drill: {kills} SIGKILLs in {elapsed:.1f} s, at-least-once window hit {window_hits} time(s)")
        assert kills >= MIN_KILLS

        rows = row_marks(db_path)
        assert {s for _, s, _ in rows.values()} == {"sent"}
        counts = markers(fake)
        wanted = {mark for mark, _, _ in rows.values()}
        assert set(counts) == wanted  # nothing lost, nothing invented
        duplicates = sum(n - 1 for n in counts.values())
        assert duplicates == window_hits <= kills  # a repeat only where a kill fell in the window, ≤ 1 per crash

        by_id = {str(m.message_id): m for m in fake.sent(CHAT)}
        for mark, _, remote in rows.values():  # the stored remote id is the message the chat shows
            assert MARK.search(by_id[remote].text).group(1) == mark
        db = sqlite3.connect(db_path)
        roots = dict(db.execute("select incident_id, root_remote_id from channel_threads where channel_id = 'tg'"))
        assert len(roots) == INCIDENTS
        for message in fake.sent(CHAT):  # every reply threads under a message of its own incident
            if message.reply_to is not None:
                parent = by_id[str(message.reply_to)]
                assert MARK.search(parent.text).group(1).split(".")[0] == MARK.search(message.text).group(1).split(".")[0]
        for root in roots.values():  # and every incident's root was edited into its resolved card
            assert by_id[root].edits, by_id[root]
        assert elapsed < 60
    finally:
        fake.stop()
