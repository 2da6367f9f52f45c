"""bot.py classify (JSON lines in, JSON lines out) and bot.py incidents --events, end to end."""

from __future__ import annotations

import json
import subprocess
import sys

from pollhelpers import ROOT, run_bot


def test_classify_reads_json_lines_and_answers_one_line_each_in_order():
    lines = [
        {"text": "We’re aware that some people are having trouble uploading or sending images, videos and other "
                 "files on our apps. We're sorry for the trouble and are working to get things back to normal as "
                 "quickly as possible. #facebookdown", "kind": "x", "service": "Facebook"},
        {"text": "We're almost at 100% resolved. There may be some residual effects for a small group of people, "
                 "but overall your DMs should be working properly now. We appreciate your patience!"},
        {"text": "समस्या दूर कर ली गई है।"},
        {"text": "A fix has been implemented and we are monitoring the results.", "kind": "statuspage"},
        {"text": "@someone Hi there, please DM us your account email so we can take a look.", "kind": "x"},
        {"text": "Start", "kind": "feed", "title": "Scheduled database upgrade"},  # DatoCMS, 2020-02-27
        {"text": "Start", "kind": "feed"},
    ]
    stdin = "\n".join(json.dumps(item, ensure_ascii=False) for item in lines) + "\nnot json\n"
    result = subprocess.run([sys.executable, str(ROOT / "bot.py"), "classify"], input=stdin, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a.get("kind") for a in answers[:5]] == ["acknowledged", "resolved", "resolved", "recovering", "noise"]
    assert [a.get("announce") for a in answers[:5]] == [True, True, True, True, False]
    for answer in answers[:5]:
        assert set(answer["probabilities"]) == {"acknowledged", "update", "recovering", "resolved", "maintenance",
                                                "report", "noise"}
        assert abs(sum(answer["probabilities"].values()) - 1) < 0.01
    assert "media_upload" in answers[0]["symptoms"]
    assert answers[2]["language"] == "hi"
    assert all(a["reason"] for a in answers[:5])
    assert answers[5]["kind"] == "maintenance" and answers[6]["kind"] != "maintenance"  # the title says it
    assert "error" in answers[7] and "line 8" in answers[7]["error"]


def test_incidents_and_events_listing(tmp_path):
    from datetime import datetime, timedelta, timezone

    from pipeline import store_posts
    from posts import Post
    from store import open_db

    config = tmp_path / "pushti.toml"
    config.write_text(
        f'[bot]\nstate = "{tmp_path / "state.db"}"\n'
        '[[source]]\nid = "fb"\nkind = "x"\nhandle = "facebook"\nservice = "Facebook"\nbackfill = "all"\n'
        '[[source]]\nid = "wa"\nkind = "x"\nhandle = "WhatsApp"\nservice = "WhatsApp"\nbackfill = "all"\n'
    )
    from config import load_config

    bot = load_config(config)
    db = open_db(bot.state)
    start = datetime(2019, 7, 3, 15, 5, tzinfo=timezone.utc)
    text = "We're aware that some people are having trouble sending photos and videos. We're working on it."
    store_posts(db, bot, bot.source("fb"), [Post("fb", "1", "Facebook", text, start)], now=start)
    # WhatsApp starts 3 h later, outside the event window, but overlaps Facebook's open incident: same owner (Meta)
    later = start + timedelta(hours=3)
    store_posts(db, bot, bot.source("wa"), [Post("wa", "2", "WhatsApp", text, later)], now=later)
    listing = run_bot("incidents", "--config", str(config))
    assert listing.returncode == 0
    assert "Facebook [open]" in listing.stdout and "WhatsApp [open]" in listing.stdout
    assert "acknowledged" in listing.stdout
    events = run_bot("incidents", "--events", "--config", str(config))
    assert "event #1 [open] 2019-07-03T15:05:00Z" in events.stdout
    assert "Facebook, WhatsApp" in events.stdout


def test_incidents_json_tells_the_company_times_and_statements(tmp_path):
    from datetime import datetime, timezone

    from config import load_config
    from pipeline import store_posts
    from posts import Post
    from store import open_db

    config = tmp_path / "pushti.toml"
    config.write_text(
        f'[bot]\nstate = "{tmp_path / "state.db"}"\n'
        '[[source]]\nid = "claude"\nkind = "statuspage"\nurl = "https://status.anthropic.com"\nservice = "Claude"\n'
        'backfill = "all"\n'
    )
    bot = load_config(config)
    db = open_db(bot.state)
    # a real resolution (status.anthropic.com, training corpus): the company states its own span
    text = ("From 8:58:47 UTC to 8:59:01 UTC, we had a partial outage that returned 500s for some set of requests. "
            "The outage has since resolved.")
    posted = datetime(2023, 4, 30, 9, 53, tzinfo=timezone.utc)
    store_posts(db, bot, bot.source("claude"), [Post("claude", "u1", "Claude", text, posted, thread_key="m2fy7ttnc5lt",
                status="resolved", title="Partial outage causing 500s", components=("API",),
                url="https://status.anthropic.com/incidents/m2fy7ttnc5lt")], now=posted)
    listing = run_bot("incidents", "--json", "--config", str(config))
    assert listing.returncode == 0, listing.stderr
    (record,) = [json.loads(line) for line in listing.stdout.splitlines()]
    assert record["service"] == "Claude" and record["kind"] == "incident" and record["status"] == "resolved"
    assert record["title"] == "Partial outage causing 500s" and record["components"] == ["API"]
    assert record["started_at"] == "2023-04-30T08:58:47Z" and record["started_from"] == "text"
    assert record["resolved_at"] == "2023-04-30T08:59:01Z" and record["resolved_from"] == "text"
    assert record["first_word_at"] == "2023-04-30T09:53:00Z"
    assert record["duration_seconds"] == 14
    (statement,) = record["statements"]
    assert statement["kind"] == "resolved" and statement["text"] == text
    assert statement["url"].endswith("/m2fy7ttnc5lt")


def test_announce_threshold_is_bounded_and_used_by_classify(tmp_path):
    for bad in ('"high"', "1.5", "-0.1", "true"):
        config = tmp_path / "bad.toml"
        config.write_text(f"[bot]\nannounce_threshold = {bad}\n")
        result = run_bot("status", "--config", str(config))
        assert result.returncode == 2 and "announce_threshold" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    config = tmp_path / "strict.toml"
    config.write_text(f'[bot]\nstate = "{tmp_path / "state.db"}"\nannounce_threshold = 1.0\n')
    line = json.dumps({"text": "We're aware that some people can't send messages and are working on a fix.", "kind": "x"})
    strict = subprocess.run([sys.executable, str(ROOT / "bot.py"), "classify", "--config", str(config)], input=line,
                            capture_output=True, text=True, timeout=60)
    loose = subprocess.run([sys.executable, str(ROOT / "bot.py"), "classify", "--threshold", "0"], input=line,
                           capture_output=True, text=True, timeout=60)
    assert json.loads(strict.stdout)["announce"] is False  # below a threshold of 1.0: kept as unsure
    assert json.loads(loose.stdout)["announce"] is True
    assert json.loads(strict.stdout)["kind"] == json.loads(loose.stdout)["kind"] == "acknowledged"
