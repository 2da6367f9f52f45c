"""The labelled corpus for training and evaluating the learned classifier, read at run time from the real
documents in shared/data (never copied into the repo). Each Example has its text as the bot's trackers give it,
its gold kind (from the status its author chose, or the hand label of shared/data), its group (the page or account
it came from: the unit of leave-one-out) and its context (source kind, reply flags, position, gap).

Label rules (mechanical, the same for every page):
  status-page updates: first update of an incident (investigating / identified / update) → acknowledged, later
  investigating / identified / update → update, monitoring → recovering, resolved → resolved, postmortem → report;
  any update of a maintenance (scheduled / in_progress / verifying / completed, or kind maintenance) → maintenance.
  Google Cloud: the tracker's mapping (AVAILABLE → resolved, a report after it → report); AWS: the tracker's
  mapping (final update of a [RESOLVED] event → resolved, a later-day Post-Event Summary link → report).
  GitHub: updates posted live only (the 2010-2018 imported one-piece timelines carry an import status, not the
  author's; they are left out). Official social posts: their hand label; the three whose note says "maintenance"
  → maintenance. TWCS official support posts → noise. Posts of general X accounts → noise (one group per collection).
"""

from __future__ import annotations

import csv
import glob
import json
import os
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from posts import Post, parse_time  # noqa: E402
from trackers.aws import event_posts  # noqa: E402
from trackers.gcp import parse_incidents  # noqa: E402
from trackers.statuspage import body_text  # noqa: E402
from understanding.features import Context  # noqa: E402

DEFAULT_DATA = Path(os.environ.get("PUSHTI_SHARED_DATA", "/work/shared/data"))
KINDS = ("acknowledged", "update", "recovering", "resolved", "maintenance", "report", "noise")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MAINTENANCE_STATUSES = {"scheduled", "in_progress", "verifying", "completed"}


@dataclass(frozen=True)
class Example:
    text: str
    gold: str  # one of KINDS
    group: str  # page or account: the unit held out in leave-one-out
    dataset: str  # "status" | "social" | "general"
    context: Context
    status: str = ""  # the structured status, when the source has one (never a model feature)
    title: str = ""


def status_label(status: str, first: bool, maintenance: bool) -> str:
    status = status.strip().lower()
    if maintenance or status in MAINTENANCE_STATUSES:
        return "maintenance"
    if status == "resolved":
        return "resolved"
    if status == "postmortem":
        return "report"
    if status == "monitoring":
        return "recovering"
    return "acknowledged" if first else "update"


def _thread_examples(items: list[dict], group: str, maintenance: bool = False) -> list[Example]:
    """One incident's updates (dicts with text, status, created_at: datetime|None), oldest first."""
    out = []
    previous: datetime | None = None
    for i, item in enumerate(items):
        when = item.get("created_at")
        gap = (when - previous).total_seconds() if (when and previous) else None
        previous = when or previous
        context = Context(source="status", position="first" if i == 0 else "later", gap_seconds=gap,
                          title=item.get("title", ""))
        label = status_label(item["status"], i == 0, maintenance or item.get("maintenance", False))
        out.append(Example(item["text"], label, group, "status", context, item["status"], item.get("title", "")))
    return out


def training_updates(data: Path) -> list[Example]:
    """shared/data/training/updates.jsonl, grouped by page, incidents in time order."""
    incidents: dict[tuple[str, str], list[dict]] = defaultdict(list)
    with open(data / "training" / "updates.jsonl", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            when = None
            if rec.get("created_at"):
                try:
                    when = parse_time(rec["created_at"])
                except ValueError:
                    when = None
            incidents[(rec["page"], rec["incident"])].append(
                {"text": rec["text"], "status": rec["status"], "created_at": when, "title": rec.get("title", ""),
                 "maintenance": rec["kind"] == "maintenance"}
            )
    out = []
    for (page, _incident), items in incidents.items():
        items.sort(key=lambda it: it["created_at"] or EPOCH)
        out.extend(_thread_examples(items, page))
    return out


def github_live(data: Path) -> list[Example]:
    """GitHub Statuspage updates posted live (the imported one-piece timelines left out)."""
    out = []
    for path in sorted(glob.glob(str(data / "statuspage_github_incidents" / "*.json"))):
        with open(path, encoding="utf-8") as fh:
            incident = json.load(fh)["incident"]
        updates = [u for u in incident["incident_updates"] if "<li>" not in u["body"]]
        items = [
            {"text": body_text(u["body"]), "status": u["status"], "created_at": parse_time(u["created_at"]),
             "title": incident.get("name", "")}
            for u in sorted(updates, key=lambda u: u["created_at"])
        ]
        out.extend(_thread_examples(items, "www.githubstatus.com"))
    return out


def _posts_examples(posts: list[Post], group: str) -> list[Example]:
    threads: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        threads[post.thread_key].append(post)
    out = []
    for items in threads.values():
        items.sort(key=lambda p: p.created_at)
        out.extend(
            _thread_examples(
                [{"text": p.text, "status": p.status, "created_at": p.created_at, "title": p.title} for p in items],
                group,
            )
        )
    return out


def gcp(data: Path) -> list[Example]:
    with open(data / "gcp" / "gcp_status_incidents_sample.json", encoding="utf-8") as fh:
        doc = json.load(fh)
    return _posts_examples(parse_incidents(doc, source_id="gcp", service="Google Cloud"), "status.cloud.google.com")


def aws(data: Path) -> list[Example]:
    with open(data / "aws" / "aws_health_dashboard_archive_sample.json", encoding="utf-8") as fh:
        doc = json.load(fh)
    posts: list[Post] = []
    for event in list(doc.get("archive", [])) + list(doc.get("current", [])):
        posts.extend(event_posts(event, source_id="aws", service="AWS", page="https://status.aws.amazon.com/"))
    return _posts_examples(posts, "status.aws.amazon.com")


def social_official(data: Path) -> list[Example]:
    out = []
    with open(data / "social_official" / "posts.jsonl", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            platform = rec.get("platform", "")
            label = rec["label"]
            if label == "noise" and "maintenance" in rec.get("note", "").lower():
                label = "maintenance"
            source = "status" if platform == "status page" or "tweet_id" in platform else "social"
            if platform in ("press statement",):
                source = ""
            context = Context(source=source, is_reply="reply" in platform)
            out.append(Example(rec["text"], label, "@" + rec["account"], "social", context))
    return out


def twcs(data: Path) -> list[Example]:
    out = []
    for path in glob.glob(str(data / "social" / "twcs_*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["inbound"].strip() != "False":
                    continue
                reply = bool(row["in_response_to_tweet_id"].strip())
                out.append(Example(row["text"], "noise", "@" + row["author_id"], "social",
                                   Context(source="social", is_reply=reply)))
    return out


def general_accounts(data: Path) -> list[Example]:
    """Posts of general (non-support) X accounts: what must never be announced. Grouped by collection (the file:
    brexit, kpop): the evaluation holds a whole collection out."""
    out = []
    for path in sorted(glob.glob(str(data / "realworld" / "x_general_accounts" / "*.jsonl"))):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                page = json.loads(line)
                for tweet in page.get("data", []):
                    refs = tweet.get("referenced_tweets") or []
                    reply = any(r.get("type") == "replied_to" for r in refs)
                    out.append(Example(tweet.get("text", ""), "noise", "general:" + Path(path).stem, "general",
                                       Context(source="social", is_reply=reply)))
    return out


# Statuspage history feeds of pages not in the training corpus, read by the bot's own feed tracker (status labels
# "Resolved - …", maintenance marks). GitHub's feed is left out: its incidents are in statuspage_github_incidents.
# DigitalOcean's Atom and RSS hold two periods of one page (each (incident, text) kept once).
STATUS_FEEDS = {
    "status.digitalocean.com": ("digitalocean_history_2019-10-30.atom", "digitalocean_history_2020-01-05.rss"),
    "status.symantec.com (WSS)": ("symantec_wss_history_2019-12-10.atom",),
    "status.parse.com": ("parse_status_history_2014-01-09.rss",),
    "status.saucelabs.com (US West)": ("saucelabs_us_west_history_2020-11-15.atom",),
}


def status_feeds(data: Path) -> list[Example]:
    """The history feeds' updates, one group per page, each incident's updates in time order."""
    from config import parse_config
    from trackers.feed import parse_feed

    source = parse_config({"source": [{"id": "feed", "kind": "feed", "service": "feed", "url": "http://127.0.0.1/"}],
                           "channel": [{"id": "c", "kind": "console"}]}, "<corpus>").sources[0]
    now = datetime(2100, 1, 1, tzinfo=timezone.utc)
    out = []
    for page, names in STATUS_FEEDS.items():
        posts: dict[tuple[str, str], Post] = {}
        for name in names:
            for post in parse_feed((data / "feeds" / name).read_bytes(), source, now=now):
                posts.setdefault((post.thread_key, post.text), post)
        threads: dict[str, list[Post]] = defaultdict(list)
        for post in posts.values():
            threads[post.thread_key].append(post)
        for items in threads.values():
            items.sort(key=lambda p: p.created_at)
            out.extend(_thread_examples(
                [{"text": p.text, "status": p.status, "created_at": p.created_at, "title": p.title,
                  "maintenance": p.incident_kind == "maintenance"} for p in items], page))
    return out


def status_examples(data: Path) -> list[Example]:
    return training_updates(data) + github_live(data) + gcp(data) + aws(data) + status_feeds(data)


def social_examples(data: Path) -> list[Example]:
    return social_official(data) + twcs(data)
