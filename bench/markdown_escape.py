#!/usr/bin/env python3
"""What the Discord / CommonMark escaping costs on real statements: the 2,393 status-page updates of
``shared/data/training/updates.jsonl`` escaped for the "discord" flavour and quoted as a message quotes them.

Run: .venv/bin/python bench/markdown_escape.py [--data ../shared/data/training/updates.jsonl]
Prints statements per second, how much longer the text gets (characters added by backslashes and zero-width
spaces), how many statements hold a construct that would be live unescaped (a mention, a masked link, @everyone,
a heading, a list line), how many quotes need more than one 4,096-character embed, and that every escaped text
reads back as the statement (``markdown_to_plain``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

import markup as mk  # noqa: E402

LIVE = re.compile(r"(?m)<[@#:t/]|\[[^\]\n]*\]\(|@everyone|@here|^\s*(#|[-+*] |\d+[.)] )|[*_~`|]{1,2}\S")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent.parent / "shared" / "data" / "training" / "updates.jsonl"))
    args = parser.parse_args()
    path = Path(args.data)
    if not path.exists():
        path = Path("/work/shared/data/training/updates.jsonl")
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    quoted = [mk.quote(t, "discord") for t in texts]
    elapsed = time.perf_counter() - started
    raw = sum(len(t) for t in texts)
    escaped = sum(len(mk.escape(t, "discord")) for t in texts)
    live = sum(1 for t in texts if LIVE.search(t))
    over = sum(1 for q in quoted if mk.measure(q) > 4096)
    exact = sum(1 for t in texts if mk.markdown_to_plain(mk.escape(t, "discord")) ==
                re.sub(r"@(?=everyone|here)", "@\u200b", t, flags=re.IGNORECASE))
    print(f"{len(texts):,} statements, {raw:,} characters")
    print(f"escape + quote: {len(texts) / elapsed:,.0f} statements/s ({elapsed * 1000:.0f} ms in all)")
    print(f"text grows by {escaped - raw:,} characters ({(escaped - raw) / raw:.2%}) when escaped")
    print(f"statements with a construct that would be live unescaped: {live:,}")
    print(f"quotes longer than one embed (4,096): {over:,}")
    print(f"escaped texts that read back as the statement: {exact:,} of {len(texts):,}")


if __name__ == "__main__":
    main()
