#!/usr/bin/env python3
"""How long one poll cycle takes over N local Statuspage sources (default 200): changed vs unchanged.

Run: .venv/bin/python bench/poll_cycle.py [--sources 200] [--rounds 3]
Every source is a page on a local HTTP server (127.0.0.1) serving a real GitHub incident; fetches run
concurrently. "changed" = each page has one new update since the last poll (store + classify + link + outbox);
"unchanged" = the server answers 304 to the stored ETag.
The server runs in its own process, so the bot's timing is not the server's.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from localserver import LocalServer  # noqa: E402
from pollhelpers import incidents_document, load_incident, recent_start, revealed, shifted  # noqa: E402

from config import parse_config  # noqa: E402
from pipeline import poll_cycle  # noqa: E402
from store import open_db  # noqa: E402
from trackers.http import make_client  # noqa: E402

PATH = "/api/v2/incidents.json"


def serve(sources: int, round_no: multiprocessing.Value, ready: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """Child process: every source's page shows the incident with ``round_no`` updates revealed."""
    incident = shifted(load_incident("42hkbtl63nmn"), recent_start(6))
    documents = [incidents_document()] + [
        incidents_document(revealed(incident, n)) for n in range(1, len(incident["incident_updates"]) + 1)
    ]
    server = LocalServer()


    def handler(request):  # type: ignore[no-untyped-def]
        body = documents[round_no.value]
        tag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if request.headers.get("if-none-match") == tag:
            return 304, {"ETag": tag}, b""
        return 200, {"ETag": tag, "Content-Type": "application/json"}, body

    for i in range(sources):
        server.route(f"/s{i}{PATH}", handler=handler)
    ready.put(server.url)
    server.httpd.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    round_no = multiprocessing.Value("i", 0)
    ready: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    child = multiprocessing.Process(target=serve, args=(args.sources, round_no, ready), daemon=True)
    child.start()
    url = ready.get(timeout=30)
    with tempfile.TemporaryDirectory() as tmp:
        raw = {
            "bot": {"state": f"{tmp}/state.db"},
            "source": [
                {"id": f"s{i}", "kind": "statuspage", "service": f"Service {i}", "url": f"{url}/s{i}"}
                for i in range(args.sources)
            ],
            "channel": [{"id": "desk", "kind": "console"}],
        }
        bot = parse_config(raw, "<bench>")
        db = open_db(bot.state)
        client = make_client()
        poll_cycle(db, bot, http=client, only_due=False)  # baseline
        changed, unchanged = [], []
        for step in range(1, args.rounds + 1):
            round_no.value = step
            start = time.perf_counter()
            report = poll_cycle(db, bot, http=client, only_due=False)
            changed.append(time.perf_counter() - start)
            assert not report.failures, report.failures[0].message
            assert sum(o.new_posts for o in report.outcomes) == args.sources
            start = time.perf_counter()
            report = poll_cycle(db, bot, http=client, only_due=False)
            unchanged.append(time.perf_counter() - start)
            assert all(o.status == "unchanged" for o in report.outcomes)
        client.close()
    child.terminate()

    def fmt(values: list[float]) -> str:
        values = sorted(values)
        return f"median {values[len(values) // 2]:.3f} s, min {values[0]:.3f} s, max {values[-1]:.3f} s"

    print(f"poll cycle over {args.sources} local statuspage sources ({len(changed)} rounds, concurrent fetches)")
    print(f"  changed   (1 new update per source): {fmt(changed)}")
    print(f"  unchanged (304 Not Modified):        {fmt(unchanged)}")


if __name__ == "__main__":
    main()
