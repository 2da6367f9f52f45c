"""Evaluation bench for classify.py on the real documents in shared/data (read at run time, never copied).

Run: .venv/bin/python bench/classify_eval.py [--data DIR] [--errors N] [--only NAME]
"""

from __future__ import annotations

import argparse
import csv
import glob
import html
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from classify import KINDS, classify_text  # noqa: E402

DEFAULT_DATA = Path(os.environ.get("PUSHTI_SHARED_DATA", "/work/shared/data"))
LI = re.compile(r"<li>(.*?)</li>", re.S)
LI_STAMP = re.compile(r"^\s*<strong>[^<]*</strong>\s*-\s*")
DIV = re.compile(r"<div>(.*?)</div>", re.S)
DIV_STAMP = re.compile(r"^\s*<span[^>]*>[^<]*</span>\s*(?:&nbsp;)?")
TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Case:
    text: str
    gold: str  # "resolved" | "ongoing" | "noise"
    key: str  # incident / event id, for the held-out split
    is_reply: bool = False


def held_out(key: str) -> bool:
    """Split by the first character of the incident id: 0-9 and a-m tune, n-z held out."""
    return key[:1].lower() > "m"


def plain(fragment: str) -> str:
    return html.unescape(TAGS.sub(" ", fragment)).strip()


# -- datasets ----------------------------------------------------------------------------------


def github_incidents(data: Path) -> list[dict]:
    out = []
    for path in sorted(glob.glob(str(data / "statuspage_github_incidents" / "*.json"))):
        with open(path, encoding="utf-8") as fh:
            out.append(json.load(fh)["incident"])
    return out


def gh_timeline(data: Path) -> list[Case]:
    """2010-2018 incidents were imported as one 'resolved' update whose body lists the timeline
    (<li><strong>time</strong> - text</li>). Each item is a statement; gold: the last item of the
    incident's timeline is the resolution, earlier items are ongoing (derived gold, somewhat noisy)."""
    cases = []
    for inc in github_incidents(data):
        if inc["created_at"][:4] >= "2019":
            continue
        for upd in inc["incident_updates"]:
            items = LI.findall(upd["body"])
            for i, item in enumerate(items):
                text = plain(LI_STAMP.sub("", item))
                gold = "resolved" if (i == len(items) - 1 and upd["status"] == "resolved") else "ongoing"
                cases.append(Case(text, gold, inc["id"]))
    return cases


def gh_updates(data: Path) -> list[Case]:
    """Updates posted one by one (2019 onward, and a few older): gold = the update's own status."""
    cases = []
    for inc in github_incidents(data):
        for upd in inc["incident_updates"]:
            if "<li>" in upd["body"]:
                continue
            gold = "resolved" if upd["status"] in ("resolved", "postmortem") else "ongoing"
            cases.append(Case(plain(upd["body"]), gold, inc["id"]))
    return cases


def gh_bodies(data: Path) -> list[Case]:
    """Every update body whole, as a Statuspage feed shows it (timeline bodies included): gold = status."""
    cases = []
    for inc in github_incidents(data):
        for upd in inc["incident_updates"]:
            gold = "resolved" if upd["status"] in ("resolved", "postmortem") else "ongoing"
            cases.append(Case(upd["body"], gold, inc["id"]))
    return cases


def gcp(data: Path) -> list[Case]:
    """Google Cloud incidents.json sample: gold resolved = update status AVAILABLE."""
    with open(data / "gcp" / "gcp_status_incidents_sample.json", encoding="utf-8") as fh:
        incidents = json.load(fh)
    return [
        Case(u["text"], "resolved" if u["status"] == "AVAILABLE" else "ongoing", inc["id"])
        for inc in incidents
        for u in inc["updates"]
    ]


def aws_events(data: Path) -> list[dict]:
    with open(data / "aws" / "aws_health_dashboard_archive_sample.json", encoding="utf-8") as fh:
        doc = json.load(fh)
    return list(doc.get("archive", [])) + list(doc.get("current", []))


def aws(data: Path) -> list[Case]:
    """AWS Health Dashboard sample: each <div> is one update (time label stripped). Gold: the final
    update of an event whose summary says [RESOLVED] is the resolution, earlier ones are ongoing.
    The [RESOLVED] prefix sits in the summary, which is not part of the classified text."""
    cases = []
    for event in aws_events(data):
        divs = DIV.findall(event["description"])
        done = event["summary"].startswith("[RESOLVED]")
        for i, div in enumerate(divs):
            gold = "resolved" if done and i == len(divs) - 1 else "ongoing"
            cases.append(Case(plain(DIV_STAMP.sub("", div)), gold, event["service"]))
    return cases


def aws_summaries(data: Path) -> list[Case]:
    """Event level: the summary with its [RESOLVED] prefix STRIPPED, then the whole update history.
    Gold comes from the prefix, so the prefix must not be shown to the classifier."""
    cases = []
    for event in aws_events(data):
        summary = event["summary"]
        gold = "resolved" if summary.startswith("[RESOLVED]") else "ongoing"
        text = re.sub(r"^\[[A-Z ]+\]\s*", "", summary) + ". " + event["description"]
        cases.append(Case(text, gold, event["service"]))
    return cases


def twcs(data: Path) -> list[Case]:
    """Posts by official support accounts (inbound == False) in the TWCS sample: all gold noise."""
    paths = glob.glob(str(data / "social" / "twcs_*.csv"))
    cases = []
    for path in paths:
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["inbound"].strip() != "False":
                    continue
                is_reply = bool(row["in_response_to_tweet_id"].strip())
                cases.append(Case(row["text"], "noise", row["author_id"], is_reply=is_reply))
    return cases


# -- metrics -----------------------------------------------------------------------------------


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def predict(case: Case, *, use_reply_flag: bool = True) -> str:
    return classify_text(case.text, is_reply=case.is_reply and use_reply_flag).kind


def binary_report(title: str, cases: list[Case], preds: list[str], classes: tuple[str, str]) -> dict[str, float]:
    pos, neg = classes
    mapped = [pos if p == pos else neg for p in preds]
    print(
        f"  {title}: n={len(cases)} ({pos}={sum(c.gold == pos for c in cases)}, {neg}={sum(c.gold == neg for c in cases)})"
    )
    scores = {}
    for cls in classes:
        tp = sum(1 for c, m in zip(cases, mapped, strict=True) if c.gold == cls and m == cls)
        fp = sum(1 for c, m in zip(cases, mapped, strict=True) if c.gold != cls and m == cls)
        fn = sum(1 for c, m in zip(cases, mapped, strict=True) if c.gold == cls and m != cls)
        p, r, f = prf(tp, fp, fn)
        scores[cls] = f
        print(f"    {cls:>9}: precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")
    acc = sum(1 for c, m in zip(cases, mapped, strict=True) if c.gold == m) / len(cases) if cases else 0.0
    print(f"    accuracy {acc:.3f}")
    return scores


def confusion(cases: list[Case], preds: list[str]) -> None:
    golds = sorted({c.gold for c in cases})
    table = Counter((c.gold, p) for c, p in zip(cases, preds, strict=True))
    print("    confusion (rows gold, columns predicted): " + " ".join(f"{k:>12}" for k in KINDS))
    for g in golds:
        print(f"    {g:>41}: " + " ".join(f"{table[(g, k)]:>12}" for k in KINDS))


def show_errors(name: str, cases: list[Case], preds: list[str], limit: int, positive: str) -> None:
    wrong = [(c, p) for c, p in zip(cases, preds, strict=True) if (p == positive) != (c.gold == positive)]
    wrong = [(c, p) for c, p in wrong if not held_out(c.key)]  # tune split only
    for c, p in wrong[:limit]:
        why = classify_text(c.text, is_reply=c.is_reply).reason
        print(f"      ERR {name} gold={c.gold} pred={p} [{why}] {plain(c.text)[:220]!r}")


def splits(cases: list[Case]) -> Iterable[tuple[str, list[int]]]:
    yield "all", list(range(len(cases)))
    yield "tune (ids 0-9,a-m)", [i for i, c in enumerate(cases) if not held_out(c.key)]
    yield "held-out (ids n-z)", [i for i, c in enumerate(cases) if held_out(c.key)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with the real documents")
    parser.add_argument("--errors", type=int, default=0, help="print up to N misclassified texts (tune split)")
    parser.add_argument("--only", default="", help="run only the named resolved-vs-ongoing set")
    args = parser.parse_args(argv)
    data: Path = args.data
    if not (data / "statuspage_github_incidents").is_dir():
        print(f"no data at {data} (use --data DIR)", file=sys.stderr)
        return 2

    print("Resolved vs ongoing, from the TEXT ALONE (status fields hidden).")
    print("Rules were tuned on the tune split (incident ids starting 0-9 or a-m); the held-out split")
    print("(n-z) is reported separately. The gold of gh_timeline and aws is derived (see each set).")
    sets = {
        "gh_timeline (2010-2018, one statement per timeline item; gold: last item = resolved)": gh_timeline(data),
        "gh_updates (single-update bodies, mostly 2019; gold: update status)": gh_updates(data),
        "gh_bodies (every update body whole, as a feed shows it; gold: update status)": gh_bodies(data),
        "gcp (sample; gold: AVAILABLE = resolved)": gcp(data),
        "aws (sample, per update; gold: final update of a [RESOLVED] event)": aws(data),
        "aws_summaries (event level; [RESOLVED] prefix stripped before classifying)": aws_summaries(data),
    }
    status_cases: list[Case] = []
    pooled: list[Case] = []
    pooled_preds: list[str] = []
    for name, cases in sets.items():
        if args.only and not name.startswith(args.only):
            continue
        preds = [predict(c) for c in cases]
        print(f"\n== {name}")
        for split_name, idx in splits(cases):
            if not idx:
                continue
            binary_report(split_name, [cases[i] for i in idx], [preds[i] for i in idx], ("resolved", "ongoing"))
        confusion(cases, preds)
        if args.errors:
            show_errors(name.split()[0], cases, preds, args.errors, "resolved")
        if not name.startswith(("gh_bodies", "aws_summaries")):  # those repeat texts of other sets
            pooled.extend(cases)
            pooled_preds.extend(preds)
            status_cases.extend(cases)

    if pooled:
        print("\n== pooled per-statement sets (gh_timeline + gh_updates + gcp + aws)")
        for split_name, idx in splits(pooled):
            binary_report(split_name, [pooled[i] for i in idx], [pooled_preds[i] for i in idx], ("resolved", "ongoing"))
        confusion(pooled, pooled_preds)

    # -- noise
    care = twcs(data)
    print(
        "\n== noise: TWCS official support posts (gold noise) mixed with the status statements above (gold not noise)"
    )
    mixed = care + [Case(c.text, "statement", c.key) for c in status_cases]
    for label, use_flag in (
        ("with the reply flag from in_response_to_tweet_id", True),
        ("text only (no reply flag)", False),
    ):
        preds = [predict(c, use_reply_flag=use_flag) for c in mixed]
        binary_report(label, mixed, preds, ("noise", "statement"))
        care_preds = preds[: len(care)]
        print(f"    TWCS official posts classified noise: {sum(p == 'noise' for p in care_preds)}/{len(care)}")
        if args.errors:
            for c, p in zip(care, care_preds, strict=True):
                if p != "noise":
                    print(
                        f"      ERR twcs pred={p} [{classify_text(c.text, is_reply=c.is_reply and use_flag).reason}] {c.text[:160]!r}"
                    )
            wrong = [(c, p) for c, p in zip(mixed[len(care) :], preds[len(care) :], strict=True) if p == "noise"]
            for c, _p in wrong[: args.errors]:
                if not held_out(c.key):
                    print(f"      ERR statement pred=noise [{classify_text(c.text).reason}] {plain(c.text)[:160]!r}")

    # -- speed
    texts = [c.text for c in mixed]
    rounds = max(1, 20000 // max(1, len(texts)))
    start = time.perf_counter()
    for _ in range(rounds):
        for t in texts:
            classify_text(t)
    elapsed = time.perf_counter() - start
    n = rounds * len(texts)
    avg_len = sum(len(t) for t in texts) / len(texts)
    print(
        f"\n== speed: {n} classifications in {elapsed:.2f} s = {elapsed / n * 1e6:.0f} µs per text, "
        f"{n / elapsed:.0f} texts/s on one core (mean text length {avg_len:.0f} chars)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
