"""The history site, the day digest and the Atom feeds built from real documents, read as a news desk would next to
the channel messages: each document served locally (a Statuspage incidents.json of tests/data/training_real, a
history feed of tests/data/real_incidents, one event of the AWS archive sample), polled once with backfill all and
a Hindi + English console channel, then ``bot.py digest --day`` and ``bot.py site``. The facts asserted are read from
the source documents, in IST (Asia/Kolkata), not from the bot's output."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pollhelpers import DESK_CHANNEL, run_bot, write_config
from test_desk_training_real import DATA, SERVICES


def poll_config(server: Any, tmp_path: Path, path: str, body: bytes, content_type: str,
                source: dict[str, Any]) -> Path:
    """Serve ``body`` at ``path``, poll ``source`` (its url the served path or, for a Statuspage page, the server's
    root) once with backfill all and a Hindi + English console channel: the config written."""
    server.route(path, body, headers={"Content-Type": content_type})
    url = server.url if source["kind"] == "statuspage" else server.url + path
    config = write_config(tmp_path, [{**source, "url": url, "backfill": "all"}], channels=[DESK_CHANNEL],
                          bot={"timezone": "Asia/Kolkata"})
    poll = run_bot("poll", "--once", "--config", str(config))
    assert poll.returncode == 0, poll.stderr
    return config


def training_page(server: Any, tmp_path: Path, name: str) -> Path:
    """One incident of tests/data/training_real served as a Statuspage incidents.json and polled: the config."""
    return poll_config(server, tmp_path, "/api/v2/incidents.json", (DATA / f"{name}.json").read_bytes(),
                       "application/json", {"id": "page", "kind": "statuspage", "service": SERVICES[name.split("_")[0]]})


def digest(config: Path, day: str) -> str:
    done = run_bot("digest", "--day", day, "--config", str(config))
    assert done.returncode == 0, done.stderr
    return done.stdout


def site(config: Path, tmp_path: Path, today: str) -> Path:
    out = tmp_path / "site"
    done = run_bot("site", "--config", str(config), "--out", str(out), "--today", today)
    assert done.returncode == 0, done.stderr
    return out


def record(config: Path) -> dict[str, Any]:
    (found,) = [json.loads(line) for line in run_bot("incidents", "--json", "--config", str(config)).stdout.splitlines()]
    return found


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_closed_notice_is_not_a_fix_in_the_day_digest(server: Any, tmp_path: Path) -> None:
    """DatoCMS "Rollbar security notice": one statement, Resolved on 18 September 2023 09:54 UTC (3:24 PM IST),
    about Rollbar's security incident; it names no outage. The channel says "⚪ DatoCMS: कंपनी ने मामला बंद किया" / "the
    company closed the notice". The day's digest (and the day page built from it) said "सोमवार दोपहर 3:24 बजे समस्या
    दूर (शुरुआत का समय पता नहीं)" / "resolved Monday, 3:24 PM (09:54 UTC); start not known"."""
    config = training_page(server, tmp_path, "datocms_2023-09-18-rollbar-security-notice")
    assert record(config)["notice"] is True
    said = digest(config, "2023-09-18")
    assert "समस्या दूर" not in said and "resolved" not in said
    assert "• DatoCMS: सोमवार दोपहर 3:24 बजे स्टेटस पेज पर सूचना देकर मामला बंद (किसी दिक्कत या खराबी की बात नहीं)" in said
    assert "• DatoCMS: a notice posted and closed Monday, 3:24 PM (09:54 UTC); it named no problem with the service" \
        in said
    day = text_of((site(config, tmp_path, "2023-09-20") / "days" / "2023-09-18.html").read_text(encoding="utf-8"))
    assert "start not known" not in day and "a notice posted and closed Monday, 3:24 PM (09:54 UTC)" in day
