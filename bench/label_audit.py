#!/usr/bin/env python3
"""How far the status pages' own labels can be trusted, and how the held-out model fares against labels written
from the words: a blind audit of 390 held-out statements.

The evaluation (bench/classify_eval.py) scores the model against the status each page's author chose. Are its
misses the model's or the labels'? 30 statements of each of the 13 held-out pages (at random, seed 20261205; fewer
when a page has fewer) were labelled again from their words and incident title only — the reader saw neither the
page's status nor the model's reading — with the issue's definitions:

  acknowledged  a problem is (maybe) there and being looked into; a first statement unless its words say more
  update        later progress while still broken: cause found, still working, workaround, impact continues
  recovering    fix deployed / mostly restored / monitoring / "resolved … we are continuing to monitor": not over
  resolved      declared over with nothing pending ("This incident has been resolved", "fixed and operating
                normally", a closing account); a sign-off after it does not change it; "almost at 100% resolved"
  maintenance   planned work (announced, in progress, completed) and planned-change notices; not emergency fixes
  report        a post-incident report / root cause analysis / postmortem
  noise         about no incident

The labels are in bench/data/label_audit.jsonl, keyed ``page|sha1(text)[:12]|occurrence`` (the texts stay in
shared/data). This script rebuilds each page's held-out model exactly as classify_eval.py does (trained and
calibrated without the page), reads the audited statements, and prints: how often the page's label and the
audit agree on resolved vs still open; the model against the page's labels and against the audit, on the same
statements. Run: .venv/bin/python bench/label_audit.py   (needs requirements-dev.txt; about 15 minutes)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402
from train_classifier import train_model, training_examples  # noqa: E402

from classify import classify_text  # noqa: E402

AUDIT = Path(__file__).resolve().parent / "data" / "label_audit.jsonl"
MIN_PAGE = 30
OPEN = {"acknowledged", "update", "recovering"}
SCOPE = OPEN | {"resolved"}


def statement_keys(examples: list[corpus.Example], page: str) -> list[tuple[str, corpus.Example]]:
    """The page's status statements with their audit keys (page|sha1 of the text|occurrence of that text)."""
    seen: Counter[str] = Counter()
    keyed = []
    for example in examples:
        if example.group != page or example.dataset != "status":
            continue
        digest = hashlib.sha1(example.text.encode()).hexdigest()[:12]
        seen[digest] += 1
        keyed.append((f"{page}|{digest}|{seen[digest]}", example))
    return keyed


def prf(pairs: list[tuple[bool, bool]]) -> tuple[float, float, float]:
    """F1, precision, recall of (truth, predicted) pairs, "resolved" the positive class."""
    tp = sum(1 for truth, said in pairs if truth and said)
    fp = sum(1 for truth, said in pairs if not truth and said)
    fn = sum(1 for truth, said in pairs if truth and not said)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=corpus.DEFAULT_DATA)
    args = parser.parse_args(argv)
    audit = {row["id"]: row for row in map(json.loads, AUDIT.read_text(encoding="utf-8").splitlines())}
    examples = training_examples(args.data)
    pages = [p for p, n in Counter(e.group for e in examples if e.dataset == "status").most_common() if n >= MIN_PAGE]
    rows: list[tuple[str, str, str, str]] = []  # page, page's label, audit label, held-out model
    for page in pages:
        audited = [(key, e) for key, e in statement_keys(examples, page) if key in audit]
        model, _ = train_model([e for e in examples if e.group != page], calibrate=True)
        for key, example in audited:
            c = example.context
            said = classify_text(example.text, source_kind="statuspage", is_reply=c.is_reply,
                                 is_self_reply=c.is_self_reply, title=c.title, position=c.position,
                                 gap_seconds=c.gap_seconds, model=model)
            rows.append((page, example.gold, audit[key]["kind"], said.kind))
    missing = len(audit) - len(rows)
    print(f"audited statements: {len(rows)} of {len(audit)} found in the corpus"
          + (f" ({missing} not found: the data differs)" if missing else ""))
    scoped = [r for r in rows if r[1] in SCOPE and r[2] in SCOPE]
    agree = sum((page_label == "resolved") == (audited == "resolved") for _, page_label, audited, _ in scoped)
    print(f"resolved vs open, both labels in scope: {len(scoped)} statements")
    print(f"  page's label and the audit agree: {agree} / {len(scoped)} = {agree / len(scoped):.3f}; "
          "disagreements (page → audit): " + ", ".join(
              f"{g}→{a} {n}" for (g, a), n in Counter(
                  (g, a) for _, g, a, _ in scoped if (g == "resolved") != (a == "resolved")).most_common()))
    ceiling = prf([(a == "resolved", g == "resolved") for _, g, a, _ in scoped])
    print(f"  the page's label read as a prediction of the audit: F1 {ceiling[0]:.3f} precision {ceiling[1]:.3f}")
    print(f"  {'held-out page':36} {'n':>3} {'agree':>6} | model vs page: F1  prec | model vs audit: F1  prec")
    per_page: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
    for row in scoped:
        per_page[row[0]].append(row)
    versus_page, versus_audit = [], []
    for page in pages:
        mine = per_page.get(page, [])
        if not mine:
            continue
        on_page = prf([(g == "resolved", m == "resolved") for _, g, _, m in mine])
        on_audit = prf([(a == "resolved", m == "resolved") for _, _, a, m in mine])
        versus_page.append(on_page)
        versus_audit.append(on_audit)
        same = sum((g == "resolved") == (a == "resolved") for _, g, a, _ in mine)
        print(f"  {page[:36]:36} {len(mine):>3} {same:>3}/{len(mine):<2} | {on_page[0]:16.3f} {on_page[1]:5.3f} |"
              f" {on_audit[0]:17.3f} {on_audit[1]:5.3f}")
    pooled_page = prf([(g == "resolved", m == "resolved") for _, g, _, m in scoped])
    pooled_audit = prf([(a == "resolved", m == "resolved") for _, _, a, m in scoped])
    print(f"  {'MEAN over pages':36}            | {statistics.mean(x[0] for x in versus_page):16.3f} "
          f"{statistics.mean(x[1] for x in versus_page):5.3f} | {statistics.mean(x[0] for x in versus_audit):17.3f} "
          f"{statistics.mean(x[1] for x in versus_audit):5.3f}")
    print(f"  {'pooled':36}            | {pooled_page[0]:16.3f} {pooled_page[1]:5.3f} | {pooled_audit[0]:17.3f} "
          f"{pooled_audit[1]:5.3f}")
    maint_page = prf([(g == "maintenance", m == "maintenance") for _, g, _, m in rows])
    maint_audit = prf([(a == "maintenance", m == "maintenance") for _, _, a, m in rows])
    maint_agree = sum((g == "maintenance") == (a == "maintenance") for _, g, a, _ in rows)
    print(f"maintenance, all {len(rows)} audited: page's label and audit agree {maint_agree} / {len(rows)}; model "
          f"precision/recall vs page {maint_page[1]:.3f}/{maint_page[2]:.3f}, vs audit {maint_audit[1]:.3f}/"
          f"{maint_audit[2]:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
