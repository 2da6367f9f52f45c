#!/usr/bin/env python3
"""The daemon on time: N sources (default 50) at every = "5s" for 60 s against a local server.

Run: .venv/bin/python bench/daemon_schedule.py [--sources 50] [--every 5] [--seconds 60] [--slow 3]
Prints, per source, the gaps between the starts of consecutive polls, the worst deviation from ``every``, and
whether two polls of one source ever overlapped. ``--slow K`` makes K sources answer after 4 s, to show that a
slow source does not delay the others. The server runs in its own process.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from localserver import LocalServer  # noqa: E402
from pollhelpers import incidents_document  # noqa: E402

from config import parse_config  # noqa: E402
from daemon import Daemon  # noqa: E402

PATH = "/api/v2/incidents.json"


def serve(sources: int, slow: int, ready: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    server = LocalServer()
    for i in range(sources):
        server.route(f"/s{i}{PATH}", incidents_document(), etag=True, delay=4.0 if i < slow else 0.0)
    ready.put(server.url)
    server.httpd.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=50)
    parser.add_argument("--every", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--slow", type=int, default=3)
    args = parser.parse_args()
    ready: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    child = multiprocessing.Process(target=serve, args=(args.sources, args.slow, ready), daemon=True)
    child.start()
    url = ready.get(timeout=30)
    with tempfile.TemporaryDirectory() as tmp:
        bot = parse_config({
            "bot": {"state": f"{tmp}/state.db"},
            "source": [{"id": f"s{i}", "kind": "statuspage", "service": f"Service {i}", "url": f"{url}/s{i}",
                        "every": f"{args.every}s"} for i in range(args.sources)],
        }, "<bench>")
        daemon = Daemon(bot, {})
        daemon.run(duration=args.seconds, install_signals=False)
    child.terminate()

    starts: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for source_id, started, finished in daemon.poll_log:
        starts[source_id].append((started, finished))
    worst_fast, worst_slow, overlaps, polls = 0.0, 0.0, 0, 0
    slow_ids = {f"s{i}" for i in range(args.slow)}
    for source_id, spans in starts.items():
        spans.sort()
        polls += len(spans)
        for (a_start, a_end), (b_start, _) in zip(spans, spans[1:], strict=False):
            overlaps += b_start < a_end
            deviation = abs((b_start - a_start) - args.every)
            if source_id in slow_ids:
                worst_slow = max(worst_slow, deviation)
            else:
                worst_fast = max(worst_fast, deviation)
    expected = args.seconds / args.every
    print(f"daemon: {args.sources} sources every {args.every:g} s for {args.seconds:g} s "
          f"({args.slow} of them answer after 4 s)")
    print(f"  polls: {polls} (about {expected:.0f} per source expected; fast sources "
          f"{min(len(v) for k, v in starts.items() if k not in slow_ids)}–{max(len(v) for v in starts.values())} each)")
    print(f"  worst deviation of the gap between two polls from {args.every:g} s: {worst_fast:.2f} s (fast sources)")
    if args.slow:
        print(f"  slow sources: polled every {args.every:g} s at best, never two at once "
              f"(worst deviation {worst_slow:.2f} s: a poll waits for the previous one)")
    print(f"  overlapping polls of one source: {overlaps}")


if __name__ == "__main__":
    main()
