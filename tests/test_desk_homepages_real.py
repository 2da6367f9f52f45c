"""Real incidents of Statuspage home pages (bbsetup/public-bugbounty-data, January–February 2021) read as a news
desk would: each served locally as a Statuspage ``incidents.json`` (tests/data/training_real, converted faithfully
from the rendered page: see its README), read through ``bot.py poll --once`` and ``bot.py incidents --json``
(backfill all, a Hindi + English console channel). The facts asserted are read from the source pages, not from the
bot's output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pollhelpers import DESK_CHANNEL, run_bot, write_config

DATA = Path(__file__).parent / "data" / "training_real"
SERVICES = {"korbit": "Korbit", "karte": "KARTE", "circleci": "CircleCI", "scalepoint": "Scalepoint Technologies",
            "zoom": "Zoom", "clickfunnels": "ClickFunnels"}


def poll_page(server: Any, tmp_path: Path, name: str) -> tuple[Any, dict[str, Any]]:
    """Serve ``name`` (one incident) as a Statuspage page's incidents.json, poll it once with backfill all: (the
    completed poll, the one incident ``bot.py incidents --json`` lists)."""
    server.route("/api/v2/incidents.json", (DATA / f"{name}.json").read_bytes(),
                 headers={"Content-Type": "application/json"})
    source = {"id": "page", "kind": "statuspage", "service": SERVICES[name.split("_")[0]], "url": server.url,
              "backfill": "all"}
    config = write_config(tmp_path, [source], channels=[DESK_CHANNEL])
    poll = run_bot("poll", "--once", "--config", str(config))
    assert poll.returncode == 0, poll.stderr
    (record,) = [json.loads(line) for line in run_bot("incidents", "--json", "--config", str(config)).stdout.splitlines()]
    return poll, record


def test_an_outage_rated_maintenance_under_incident_labels_is_not_planned_work(server: Any, tmp_path: Path) -> None:
    """Korbit j78fygjskb8q ("APP 사용 권장 안내", 11 January 2021, impact class ``maintenance``): labelled
    Investigating at 14:14 KST (05:14 UTC, 10:44 AM IST) "현재 사용자 접속이 일시적으로 급증해 코빗 웹사이트 이용이
    어려운 상황입니다" (a sudden surge of users makes the website hard to use; use the app), then Investigating,
    Identified, Monitoring, Resolved at 21:05 KST (12:05 UTC, 5:35 PM IST). No window, no maintenance label. The
    channel said five times "🛠 Korbit: नियोजित रखरखाव (मेंटेनेंस) की सूचना … यह पहले से तय काम है, अचानक आई
    खराबी (आउटेज) नहीं" / "planned maintenance scheduled … not an unexpected outage", and at the end "planned
    maintenance completed". By Korbit's own labels and words it was an unplanned problem, resolved."""
    poll, record = poll_page(server, tmp_path, "korbit_j78fygjskb8q")
    assert record["kind"] == "incident"
    assert "नियोजित रखरखाव" not in poll.stdout and "planned maintenance" not in poll.stdout
    assert "not an unexpected outage" not in poll.stdout
    assert (record["status"], record["resolved_at"]) == ("resolved", "2021-01-11T12:05:00Z")
    assert "✅ Korbit:" in poll.stdout


def test_words_in_japanese_are_not_quoted_as_english(server: Any, tmp_path: Path) -> None:
    """KARTE vrd496twg47l ("管理画面で障害が発生しています", 18 January 2021, JST): all three updates are in Japanese
    ("管理画面にログインしようとするとエラーになる事象が発生しております。", "本件、解消確認しました。"). Each Hindi message
    said "KARTE ने लिखा (अंग्रेज़ी में):" (KARTE wrote, in English) before the Japanese words."""
    poll, record = poll_page(server, tmp_path, "karte_vrd496twg47l")
    assert "(अंग्रेज़ी में)" not in poll.stdout
    assert "KARTE ने लिखा:\n“管理画面で障害が発生しています。" in poll.stdout
    assert (record["started_at"], record["resolved_at"]) == ("2021-01-18T08:04:00Z", "2021-01-18T09:00:00Z")

