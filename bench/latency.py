#!/usr/bin/env python3
"""Statement → channel latency of push ingestion against polling, side by side in one run.

Run: .venv/bin/python bench/latency.py [--statements 200] [--interval 0.5] [--quick]

Four paths into one ``bot.py run`` (a separate process, as deployed), each with its own fake Telegram chat on
127.0.0.1 in this process: Bluesky through a fake Jetstream (WebSocket), Mastodon through a fake streaming API
(server-sent events), Statuspage webhooks POSTed to ``[bot] listen``, and a Statuspage page polled at the default
interval (60 s). Each path gets ``--statements`` statements (incidents of four: acknowledged, update, recovering,
resolved), one every ``--interval`` seconds per path. Midway the Jetstream and Mastodon streams are killed and
refuse connections for a second (the forced disconnect): Jetstream must replay from its stored cursor, Mastodon
catch up through its REST timeline. Latency is from the fake source's emission to the fake Telegram's acceptance
of the first message carrying the statement; a statement never told is lost, one told twice duplicated.

Delivery pacing is relaxed for the bench (``min_interval = 0.05`` s per chat, no backlog collapsing): the fake
Telegram does not rate-limit, and the bench measures ingestion, not Telegram's own one message a second per chat.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import httpx  # noqa: E402
from fake_jetstream import FakeJetstream  # noqa: E402
from fake_mastodon import FakeMastodon  # noqa: E402
from fake_telegram import FakeTelegram  # noqa: E402
from localserver import LocalServer  # noqa: E402
from streamhelpers import feed_item  # noqa: E402

TG_TOKEN = "123456:BENCH-latency-token"
MASTO_TOKEN = "bench-masto-token-0123456789"
HOOK_SECRET = "bench-hook-secret-abcdef012345"
DID = "did:plc:benchstatus000000000000"
HANDLE = "status.bench.example"
PAGE = "benchpage001"
CHATS = {"bluesky": "101", "mastodon": "102", "webhook": "103", "polled": "104"}
SOCIAL = [
    "We are aware that some people are having trouble loading feeds and posting. We are investigating.",
    "Update: we have identified the cause of the feed loading problem and are rolling out a fix.",
    "A fix has been deployed and feeds are recovering. We are monitoring the results.",
    "Feeds are loading normally again. The problem is resolved. Thanks for your patience!",
]
PAGE_UPDATES = [
    ("investigating", "We are investigating elevated error rates for API requests."),
    ("identified", "The issue has been identified and a fix is being implemented."),
    ("monitoring", "A fix has been implemented and we are monitoring the results."),
    ("resolved", "This incident has been resolved."),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Page:
    """A Statuspage page whose incidents grow one update at a time (incidents.json and webhook bodies)."""

    def __init__(self, prefix: str, name: str) -> None:
        self.prefix = prefix
        self.name = name
        self.incidents: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def add(self, index: int, marker: str) -> dict[str, Any]:
        """Statement ``index``: a new incident every four; returns the incident as it now stands."""
        number, step = divmod(index, 4)
        status, body = PAGE_UPDATES[step]
        now = stamp()
        with self.lock:
            if step == 0:
                self.incidents.insert(0, {
                    "id": f"{self.prefix}{number:05d}", "name": f"Elevated API errors ({self.prefix} {number})",
                    "status": status, "impact": "minor", "created_at": now, "updated_at": now,
                    "monitoring_at": None, "resolved_at": None, "started_at": now, "page_id": PAGE,
                    "shortlink": f"https://stspg.io/{self.prefix}{number}", "components": [], "incident_updates": []})
            incident = next(i for i in self.incidents if i["id"] == f"{self.prefix}{number:05d}")
            incident["incident_updates"].insert(0, {
                "id": f"{self.prefix}u{index:05d}", "status": status, "body": f"{body} ({marker})",
                "created_at": now, "display_at": now, "updated_at": now, "incident_id": incident["id"],
                "affected_components": []})
            incident.update(status=status, updated_at=now, resolved_at=now if status == "resolved" else None)
            return json.loads(json.dumps(incident))

    def document(self) -> bytes:
        with self.lock:
            return json.dumps({"page": {"id": PAGE, "name": self.name, "url": "https://status.bench.example"},
                               "incidents": self.incidents}).encode()


def config_text(tmp: str, server: LocalServer, jet: FakeJetstream, masto: FakeMastodon, tg: FakeTelegram,
                listen: str) -> str:
    lines = [
        "[bot]", f'state = "{tmp}/state.db"', 'languages = ["en"]', f'listen = "{listen}"',
        f'jetstream = "{jet.url}"', "storm_threshold = 100000",
        "", "[[source]]", 'id = "bsky"', 'kind = "bluesky"', f'handle = "{HANDLE}"', 'service = "BskyCo"',
        f'api_base = "{server.url}"', "stream = true",
        "", "[[source]]", 'id = "masto"', 'kind = "mastodon"', 'handle = "status@mastodon.example"',
        'service = "MastoCo"', f'api_base = "{masto.url}"', "stream = true", 'token_env = "BENCH_MASTO_TOKEN"',
        "", "[[source]]", 'id = "hooked"', 'kind = "statuspage"', 'service = "HookCo"', f'url = "{server.url}/hook"',
        'webhook_secret_env = "BENCH_HOOK_SECRET"', f'page_id = "{PAGE}"',
        "", "[[source]]", 'id = "polled"', 'kind = "statuspage"', 'service = "PollCo"', f'url = "{server.url}/poll"',
    ]
    for path, service in (("bluesky", "BskyCo"), ("mastodon", "MastoCo"), ("webhook", "HookCo"), ("polled", "PollCo")):
        lines += ["", "[[channel]]", f'id = "{path}"', 'kind = "telegram"', f'chat = "{CHATS[path]}"',
                  f'api_base = "{tg.url}"', "min_interval = 0.05", "per_minute = 0", f'services = ["{service}"]']
    return "\n".join(lines) + "\n"


def ready(state: Path) -> bool:
    """Every source past its first poll and both streams live."""
    try:
        db = sqlite3.connect(state)
        try:
            done = db.execute("select count(*) from sources where baseline_done = 1").fetchone()[0]
            live = db.execute("select count(*) from streams where status = 'live' and kind != 'webhooks'").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return False
    return done == 4 and live == 2


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=200, help="statements per path (default 200)")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between two statements of a path")
    parser.add_argument("--outage", type=float, default=1.0, help="seconds the streams refuse to reconnect")
    parser.add_argument("--quick", action="store_true", help="40 statements per path")
    args = parser.parse_args()
    count = 40 if args.quick else args.statements

    jet, masto, tg, server = FakeJetstream(), FakeMastodon(MASTO_TOKEN, heartbeat=15.0), FakeTelegram(TG_TOKEN), LocalServer().start()
    hook_page, poll_page = Page("hk", "HookCo"), Page("pl", "PollCo")
    server.route("/hook/api/v2/incidents.json", handler=lambda _r: (200, {"Content-Type": "application/json"}, hook_page.document()))
    server.route("/poll/api/v2/incidents.json", handler=lambda _r: (200, {"Content-Type": "application/json"}, poll_page.document()))

    def feed(_request: Any) -> tuple[int, dict[str, str], bytes]:
        with jet.lock:
            items = [feed_item(e, HANDLE) for e in jet.events if e["commit"]["operation"] == "create"]
        return 200, {"Content-Type": "application/json"}, json.dumps({"feed": list(reversed(items))[:30]}).encode()

    server.route("/xrpc/app.bsky.actor.getProfile", body=json.dumps({"did": DID, "handle": HANDLE}).encode(),
                 headers={"Content-Type": "application/json"})
    server.route("/xrpc/app.bsky.feed.getAuthorFeed", handler=feed)
    port = free_port()
    emitted: dict[str, dict[str, float]] = {path: {} for path in CHATS}
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "pushti.toml"
        config.write_text(config_text(tmp, server, jet, masto, tg, f"127.0.0.1:{port}"))
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TG_TOKEN, "BENCH_MASTO_TOKEN": MASTO_TOKEN,
               "BENCH_HOOK_SECRET": HOOK_SECRET}
        log = open(Path(tmp) / "bot.log", "w")  # noqa: SIM115 - closed below
        bot = subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "run", "--config", str(config)],
                               stdout=subprocess.DEVNULL, stderr=log, env=env)
        started = time.monotonic()
        while not ready(Path(tmp) / "state.db"):
            if time.monotonic() - started > 60 or bot.poll() is not None:
                sys.exit(f"the bot did not get ready (exit {bot.poll()}); see its log")
            time.sleep(0.1)
        print(f"latency bench: {count} statements per path, one every {args.interval:g} s; bot ready in "
              f"{time.monotonic() - started:.1f} s (pid {bot.pid})", flush=True)

        client = httpx.Client(timeout=10)
        roots: dict[str, Any] = {}
        outage: dict[str, float] = {}

        def disconnect() -> None:
            outage["start"] = time.monotonic()
            jet.refusing = masto.refusing = True
            jet.drop()
            masto.drop()
            time.sleep(args.outage)
            jet.refusing = masto.refusing = False
            outage["end"] = time.monotonic()

        begin = time.monotonic()
        for i in range(count):
            due = begin + i * args.interval
            time.sleep(max(0.0, due - time.monotonic()))
            if i == count // 2:
                threading.Thread(target=disconnect, daemon=True).start()
            step = i % 4
            marker = f"ref B{i:04d}"
            root_uri = roots.get("bsky")
            event = jet.emit(DID, f"{SOCIAL[step]} ({marker})", reply_to=root_uri or "", root=root_uri or "") \
                if step else jet.emit(DID, f"{SOCIAL[step]} ({marker})")
            emitted["bluesky"][marker] = jet.emitted_at[event["commit"]["rkey"]]
            if step == 0:
                roots["bsky"] = f"at://{DID}/app.bsky.feed.post/{event['commit']['rkey']}"
            marker = f"ref M{i:04d}"
            status = masto.post(f"{SOCIAL[step]} ({marker})", reply_to=roots.get("masto") if step else None)
            emitted["mastodon"][marker] = masto.emitted_at[status["id"]]
            if step == 0:
                roots["masto"] = status
            marker = f"ref W{i:04d}"
            incident = hook_page.add(i, marker)
            emitted["webhook"][marker] = time.monotonic()
            answer = client.post(f"http://127.0.0.1:{port}/hooks/hooked/{HOOK_SECRET}",
                                 json={"meta": {"unsubscribe": "https://status.bench.example/?unsubscribe=x",
                                                "documentation": "https://doers.statuspage.io/"},
                                       "page": {"id": PAGE, "status_indicator": "minor",
                                                "status_description": "Minor Service Outage"},
                                       "incident": incident})
            if answer.status_code != 202:
                print(f"  webhook {marker}: HTTP {answer.status_code} {answer.text.strip()}")
            marker = f"ref P{i:04d}"
            poll_page.add(i, marker)
            emitted["polled"][marker] = time.monotonic()
        last = time.monotonic()
        print(f"  emitted in {last - begin:.0f} s; waiting for the last poll (up to 75 s)", flush=True)

        def told(path: str) -> dict[str, list[float]]:
            found: dict[str, list[float]] = {m: [] for m in emitted[path]}
            for message in tg.sent(CHATS[path]):
                for marker in found:
                    if f"({marker})" in message.text:
                        found[marker].append(message.accepted_at)
            return found

        while time.monotonic() - last < 75 and not all(all(v for v in told(p).values()) for p in CHATS):
            time.sleep(0.5)
        stop_at = time.monotonic()
        bot.send_signal(signal.SIGTERM)
        try:
            bot.wait(timeout=30)
        except subprocess.TimeoutExpired:
            bot.kill()
        stopped = time.monotonic() - stop_at
        log.close()
        client.close()

        print(f"\n  {'path':<26} {'n':>4} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'lost':>5} {'dup':>4}   "
              "during the outage (n, max)")
        labels = {"bluesky": "Bluesky (Jetstream, WS)", "mastodon": "Mastodon (streaming, SSE)",
                  "webhook": "Statuspage webhook", "polled": "Statuspage polled (60 s)"}
        for path in CHATS:
            found = told(path)
            latencies = [times[0] - emitted[path][m] for m, times in found.items() if times]
            lost = sum(1 for times in found.values() if not times)
            dup = sum(1 for times in found.values() if len(times) > 1)
            during = [times[0] - emitted[path][m] for m, times in found.items() if times
                      and outage and outage["start"] <= emitted[path][m] <= outage.get("end", 0)]
            outage_note = f"{len(during)}, {max(during):.2f} s" if during else "-"
            if latencies:
                print(f"  {labels[path]:<26} {len(found):>4} {statistics.median(latencies):>7.2f} "
                      f"{percentile(latencies, 0.95):>7.2f} {max(latencies):>7.2f} {lost:>5} {dup:>4}   {outage_note}")
            else:
                print(f"  {labels[path]:<26} {len(found):>4} {'-':>7} {'-':>7} {'-':>7} {lost:>5} {dup:>4}")
        reconnects = [q for q in jet.connects if q.get("cursor")]
        print(f"\n  forced disconnect after statement {count // 2}: streams refused for {args.outage:g} s; Jetstream "
              f"reconnects with a cursor: {len(reconnects)}; Mastodon streams opened: "
              f"{len([p for p in masto.requests if p.startswith('/api/v1/streaming')])}")
        print(f"  SIGTERM → exit {bot.returncode} in {stopped:.2f} s")
        if bot.returncode != 0:
            print((Path(tmp) / "bot.log").read_text()[-3000:])
    jet.stop()
    masto.stop()
    tg.stop()
    server.stop()


if __name__ == "__main__":
    main()
