"""Real incidents of the classifier's held-out training pages (status.myemma.com, status.datocms.com,
status.openai.com, status.anthropic.com) read as a news desk would: each served locally as a Statuspage
``incidents.json`` (tests/data/training_real, converted faithfully: see its README), read through ``bot.py poll
--once`` and ``bot.py incidents --json`` (backfill all, a Hindi + English console channel). The facts asserted are
read from the source documents, not from the bot's output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pollhelpers import DESK_CHANNEL, run_bot, write_config

DATA = Path(__file__).parent / "data" / "training_real"
SERVICES = {"emma": "Emma", "datocms": "DatoCMS", "openai": "OpenAI", "anthropic": "Anthropic"}


def poll_page(server: Any, tmp_path: Path, name: str) -> tuple[Any, dict[str, Any]]:
    """Serve ``name`` (one incident) as a Statuspage page's incidents.json, poll it once with backfill all:
    (the completed poll, the one incident ``bot.py incidents --json`` lists)."""
    server.route("/api/v2/incidents.json", (DATA / f"{name}.json").read_bytes(),
                 headers={"Content-Type": "application/json"})
    source = {"id": "page", "kind": "statuspage", "service": SERVICES[name.split("_")[0]], "url": server.url,
              "backfill": "all"}
    config = write_config(tmp_path, [source], channels=[DESK_CHANNEL])
    poll = run_bot("poll", "--once", "--config", str(config))
    assert poll.returncode == 0, poll.stderr
    (record,) = [json.loads(line) for line in run_bot("incidents", "--json", "--config", str(config)).stdout.splitlines()]
    return poll, record


def test_statuspage_placeholder_is_not_a_component(server: Any, tmp_path: Path) -> None:
    """Emma 3m89ls8svt0r ("Intermittent errors and slowness navigating application", 23 June 2017): every update's
    ``affected_components`` is Statuspage's placeholder ``[{"name": "No components were affected by this
    update."}]``. The channel said "“No components were affected by this update.” की सेवा में धीमेपन की दिक्कत" /
    "No components were affected by this update. is slow". Emma named no part: the application was slow."""
    poll, record = poll_page(server, tmp_path, "emma_3m89ls8svt0r")
    assert "No components were affected" not in poll.stdout
    assert record["components"] == []
    assert record["resolved_at"] == "2017-06-23T21:41:00Z"
    assert record["told"]["duration_seconds"] == (8 * 60 + 33) * 60
