"""Official accounts through bot.py: X without a token, and the X read budget, against a local fake X API."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from itertools import count

from pollhelpers import incidents_document, load_incident, recent_start, revealed, run_bot, shifted, write_config

PATH = "/api/v2/incidents.json"


def test_x_source_without_token_is_skipped_with_one_notice_and_others_still_poll(server, tmp_path):
    live = shifted(load_incident("w7wlzstc8wss"), recent_start(1))
    server.route(PATH, incidents_document(revealed(live, 1)))
    config = write_config(tmp_path, [
        {"id": "xsupport", "kind": "x", "handle": "TwitterSupport", "service": "X", "api_base": server.url},
        {"id": "github", "kind": "statuspage", "service": "GitHub", "url": server.url},
    ])
    env = {"X_BEARER_TOKEN": ""}
    result = run_bot("poll", "--once", "--config", str(config), env=env)
    assert result.returncode == 0, result.stderr
    notices = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(notices) == 1 and '"xsupport"' in notices[0] and "X_BEARER_TOKEN" in notices[0]
    assert "── [desk]" in result.stdout  # the status page was still polled and announced
    assert not [r for r in server.requests if r.path.startswith("/2/")]  # X was never called


def fake_x_api(server, per_poll: int):  # type: ignore[no-untyped-def]
    """/2/users/by/username/… and /2/users/:id/tweets: each timeline call returns up to max_results new posts."""
    ids = count(1_000_000)
    start = datetime.now(timezone.utc) - timedelta(hours=2)

    def user(_request):  # type: ignore[no-untyped-def]
        return 200, {"Content-Type": "application/json"}, json.dumps(
            {"data": {"id": "783214", "name": "Support", "username": "Support"}}).encode()

    def tweets(request):  # type: ignore[no-untyped-def]
        wanted = int(request.query.get("max_results", ["10"])[0])
        batch = []
        for _ in range(min(per_poll, wanted)):
            tid = next(ids)
            batch.append({
                "id": str(tid), "text": f"We're aware some people are having trouble loading posts ({tid}).",
                "created_at": (start + timedelta(seconds=tid - 1_000_000)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "conversation_id": str(tid), "lang": "en", "edit_history_tweet_ids": [str(tid)],
            })
        batch.reverse()
        meta = {"result_count": len(batch)}
        if batch:
            meta.update(newest_id=batch[0]["id"], oldest_id=batch[-1]["id"])
        return 200, {"Content-Type": "application/json"}, json.dumps({"data": batch, "meta": meta} if batch else {"meta": meta}).encode()

    server.route("/2/users/by/username/Support", handler=user)
    server.route("/2/users/783214/tweets", handler=tweets)


def test_x_budget_stops_reading_at_the_budget_and_status_reports_it(server, tmp_path):
    fake_x_api(server, per_poll=6)
    config = write_config(
        tmp_path,
        [{"id": "xsupport", "kind": "x", "handle": "Support", "service": "X", "api_base": server.url, "every": "1s",
          "backfill": "all"}],
        bot={"x_monthly_reads": 15},
    )
    env = {"X_BEARER_TOKEN": "test-bearer-token-value"}
    outputs = []
    for _ in range(4):
        result = run_bot("poll", "--once", "--source", "xsupport", "--config", str(config), env=env)
        outputs.append(result)
        # the next run must not be held back by a backoff: clear it as an operator's clock would
        db = sqlite3.connect(tmp_path / "state.db")
        db.execute("update sources set next_due_at = null, failures = 0")
        db.commit()
        db.close()
    status = json.loads(run_bot("status", "--json", "--config", str(config), env=env).stdout)
    budget = status["x_budget"]
    assert budget["budget"] == 15
    assert 10 <= budget["used"] <= 15  # reading went up to the budget and never past it
    assert any("budget" in r.stderr for r in outputs[1:]), [r.stderr for r in outputs]
    calls = [r for r in server.requests if r.path.endswith("/tweets")]
    assert [int(r.query["max_results"][0]) for r in calls] == [15, 9]  # never more than the budget left
    text = run_bot("status", "--config", str(config), env=env).stdout
    assert f"X READS {budget['month']}: {budget['used']} / 15" in text
