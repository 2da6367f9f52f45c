"""Hostile input from sources (issue 13): one entry dated 0001-01-01, 9999-12-31 or ``not-a-date`` never fails its
source — that entry is skipped with one warning naming it (logger ``pushti.trackers``), the others are stored —
in every tracker; Statuspage edits are told as edits and update ids shared by two incidents are both kept; a date
in a later year is never shown without its year."""

from __future__ import annotations

import copy
import email.utils
import json
import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pollhelpers import incidents_document, load_incident, recent_start, revealed, run_bot, shifted, write_config

from config import SourceConfig
from facts.stated_times import labelled_window, stated_span, timeline_span
from posts import parse_post_time, parse_time, trusted_time
from timefmt import TimeFormatter, day_month, needs_year, when_en, when_hi
from trackers.aws import parse_data_json, parse_rss
from trackers.azure import parse_items
from trackers.bluesky import BlueskyTracker
from trackers.feed import parse_feed
from trackers.gcp import parse_incidents
from trackers.incidentio import feed_posts, widget_posts
from trackers.instatus import summary_posts
from trackers.mastodon import MastodonTracker
from trackers.slack_status import parse_document
from trackers.statuspage import parse_statuspage_document
from trackers.x import XTracker

BAD = ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59-05:00", "9999-12-31T23:59:59Z", "not-a-date",
       "0001-01-01T00:00:00+05:30", "1989-12-31T23:59:59Z"]
GOOD = "2024-04-09T18:32:24Z"
NOW = datetime.now(UTC)
SOCIAL = Path(__file__).resolve().parent / "data" / "social"


def skipped(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "pushti.trackers" and r.levelno == logging.WARNING]


def rfc2822(value: str) -> str:
    """The value as an RSS feed writes it (RFC 2822); as is when it is not a date, or in year 1 (RFC 2822 reads
    "0001" as 2001: some feeds write ISO 8601 instead, which is read as written)."""
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return email.utils.format_datetime(when) if when.year > 1 else value


# ---------------------------------------------------------------------------------------------------------------
# the helpers


@pytest.mark.parametrize("value", BAD + ["", "2099-01-01T00:00:00Z", " ", "2024-13-01T00:00:00Z"])
def test_parse_post_time_refuses_with_a_value_error_only(value: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_post_time(value)
    assert "\n" not in str(caught.value)


def test_parse_time_never_raises_overflow_and_trusted_time_bounds() -> None:
    for value in ("0001-01-01T00:00:00+05:30", "9999-12-31T23:59:59-05:00"):
        with pytest.raises(ValueError, match="out of range"):
            parse_time(value)
    assert parse_post_time(GOOD) == datetime(2024, 4, 9, 18, 32, 24, tzinfo=UTC)
    assert trusted_time(NOW + timedelta(hours=23)) > NOW  # a skewed clock: a day of slack
    with pytest.raises(ValueError, match="in the future"):
        trusted_time(NOW + timedelta(days=2))
    with pytest.raises(ValueError, match="before 1990"):
        trusted_time(datetime(1989, 12, 31, tzinfo=UTC))


def test_stated_times_in_text_far_from_the_post_are_ignored() -> None:
    posted = datetime(2024, 4, 9, 18, 0, tzinfo=UTC)
    for text in ("Starting at 16:15 UTC on 31 December 9999 customers saw errors; resolved at 17:00 UTC on 1 Jan 0001.",
                 "Start Date: December 31, 9999 at 16:00 UTC End Date: January 1, 0001 at 02:00 UTC",
                 "Between 16:15 UTC on 9 April 2099 and 17:00 UTC on 9 April 2099 customers saw errors.",
                 "Mitigated at 9999-12-31 23:59:59."):
        span = stated_span(text, posted)
        assert span.start is None and span.end is None, text
        window = labelled_window(text, posted)
        assert window.start is None and window.end is None, text
        timeline_span(text, posted_at=posted)  # never raises


# ---------------------------------------------------------------------------------------------------------------
# every tracker: one bad entry is skipped with one warning naming it, the others are read


def sp_update(update_id: str, when: str, body: str = "We are investigating.") -> dict[str, Any]:
    return {"id": update_id, "status": "investigating", "body": body, "created_at": when, "display_at": when}


def sp_incident(incident_id: str, *updates: dict[str, Any]) -> dict[str, Any]:
    return {"id": incident_id, "name": f"Incident {incident_id}", "status": "investigating", "impact": "minor",
            "shortlink": f"https://stspg.io/{incident_id}", "incident_updates": list(updates)}


@pytest.mark.parametrize("bad", BAD)
def test_statuspage(bad: str, caplog: pytest.LogCaptureFixture) -> None:
    source = SourceConfig(id="sp", kind="statuspage", service="Example", url="https://status.example.com")
    doc = {"incidents": [sp_incident("good1", sp_update("u1", GOOD)), sp_incident("bad1", sp_update("ubad", bad)),
                         "not an incident", sp_incident("mixed", sp_update("u2", bad), sp_update("u3", GOOD))]}
    posts = parse_statuspage_document(doc, source)
    assert sorted(p.native_id for p in posts) == ["u1", "u3"]
    assert any("ubad of incident bad1" in m for m in skipped(caplog))
    assert any("u2 of incident mixed" in m for m in skipped(caplog))


@pytest.mark.parametrize("bad", BAD)
def test_feed_plain_and_statuspage_history(bad: str, caplog: pytest.LogCaptureFixture) -> None:
    source = SourceConfig(id="feed", kind="feed", service="Example", url="https://example.com/feed.rss")
    items = "".join(
        f"<item><title>{guid}</title><guid>{guid}</guid><pubDate>{when}</pubDate><description>Text of {guid}"
        f"</description></item>" for guid, when in (("good-entry", rfc2822(GOOD)), ("bad-entry", rfc2822(bad))))
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>'.encode()
    posts = parse_feed(body, source)
    assert [p.native_id.split("#")[0] for p in posts] == ["good-entry"]
    assert any("bad-entry" in m for m in skipped(caplog))


@pytest.mark.parametrize("bad", BAD + ["2099-05-05T10:00:00Z"])
def test_statuspage_history_feed_entry(bad: str, caplog: pytest.LogCaptureFixture) -> None:
    from html import escape

    source = SourceConfig(id="feed", kind="feed", service="Example", url="https://status.example.com/history.atom")
    markup = ("<p><small>May 5, 10:00 UTC</small><br><strong>Update</strong> - second</p>"
              "<p><small>May 5, 09:00 UTC</small><br><strong>Investigating</strong> - first</p>")
    entries = "".join(
        f'<entry><id>tag:{key}</id><link href="https://status.example.com/incidents/{key}"/><title>{key}</title>'
        f'<updated>{when}</updated><content type="html">{escape(markup)}</content></entry>'
        for key, when in (("good", "2024-05-05T10:00:00Z"), ("bad", bad)))
    body = f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>S</title>{entries}</feed>'
    posts = parse_feed(body.encode(), source)
    assert {p.thread_key for p in posts} == {"good"} and len(posts) == 2
    assert any("bad" in m for m in skipped(caplog))
    year_shown = "<p><small>Dec 31, 9999 - 10:00 UTC</small><br><strong>Update</strong> - far</p>"
    far = body.replace(escape(markup), escape(year_shown + markup), 1)
    kept = parse_feed(far.encode(), source)
    assert "far" not in {p.text for p in kept} and {p.text for p in kept if p.thread_key == "good"} == {"first", "second"}


@pytest.mark.parametrize("bad", BAD)
def test_gcp(bad: str, caplog: pytest.LogCaptureFixture) -> None:
    doc = [{"id": "good", "begin": GOOD, "updates": [{"when": GOOD, "status": "SERVICE_OUTAGE", "text": "Down."}]},
           {"id": "bad", "begin": bad, "end": bad,
            "updates": [{"when": bad, "status": "SERVICE_OUTAGE", "text": "Bad."},
                        {"when": GOOD, "status": "AVAILABLE", "text": "Fixed."}]},
           {"id": "broken", "updates": "not a list"}]
    posts = parse_incidents(doc, source_id="gcp", service="Google Cloud")
    assert sorted((p.thread_key, p.text) for p in posts) == [("bad", "Fixed."), ("good", "Down.")]
    assert all(p.starts_at is None or p.starts_at.year == 2024 for p in posts)
    assert any("of incident bad" in m for m in skipped(caplog))


@pytest.mark.parametrize("bad", BAD)
def test_aws_rss_and_data_json(bad: str, caplog: pytest.LogCaptureFixture) -> None:
    items = "".join(
        f"<item><title>Informational message: {guid}</title><guid>https://status.aws.amazon.com/#ec2_{n}</guid>"
        f"<pubDate>{when}</pubDate><description>Text of {guid}</description></item>"
        for n, (guid, when) in enumerate((("good", rfc2822(GOOD)), ("bad", rfc2822(bad))), 1712680000))
    body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Amazon EC2 Service Status</title>{items}'
            f"</channel></rss>").encode()
    assert [p.title for p in parse_rss(body, source_id="aws", service="AWS")] == ["good"]
    assert any("ec2_1712680001" in m for m in skipped(caplog))
    caplog.clear()
    events = [{"service": "ec2", "date": "1712680000", "summary": "Good", "description": "<div>Fine.</div>"},
              {"service": "ec2", "date": "253402300799", "summary": "Far", "description": "<div>Far.</div>"},
              {"service": "ec2", "date": bad, "summary": "Bad", "description": "<div>Bad.</div>"}]
    posts = parse_data_json({"current": events, "archive": []}, source_id="aws", service="AWS")
    assert [p.title for p in posts] == ["Good"]
    assert any("ec2_253402300799" in m for m in skipped(caplog))


@pytest.mark.parametrize("bad", BAD)
def test_azure_bad_item_gives_no_post_but_stays_listed(bad: str, caplog: pytest.LogCaptureFixture) -> None:
    items = "".join(
        f"<item><title>{title}</title><guid>{guid}</guid><pubDate>{when}</pubDate>"
        f"<description>Impact. Tracking ID: {guid}</description></item>"
        for guid, title, when in (("VSG1-B90", "Good", rfc2822(GOOD)), ("KTY1-HW8", "Bad", rfc2822(bad))))
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Azure</title>{items}</channel></rss>'.encode()
    posts, table = parse_items(body, source_id="azure", service="Azure", page="https://azure.status.microsoft/",
                               known={})
    assert [p.thread_key for p in posts] == ["VSG1-B90"]
    assert any("KTY1-HW8" in m for m in skipped(caplog))
    assert set(table) == {"VSG1-B90", "KTY1-HW8"}  # listed: not gone


@pytest.mark.parametrize("bad", BAD)
def test_incidentio_widget_and_history(bad: str, caplog: pytest.LogCaptureFixture) -> None:
    doc = {"ongoing_incidents": [
        {"id": "01GOOD", "name": "Good", "status": "investigating", "last_update_at": GOOD},
        {"id": "01BAD", "name": "Bad", "status": "investigating", "last_update_at": bad},
        {"id": "01WRONG", "name": ["not", "text"], "status": 7, "last_update_at": {"a": 1}},
    ], "in_progress_maintenances": [], "scheduled_maintenances": []}
    posts, table = widget_posts(doc, source_id="openai", service="OpenAI", page="https://status.openai.com")
    assert [p.thread_key for p in posts] == ["01GOOD"]
    assert set(table) == {"01GOOD", "01BAD", "01WRONG"}  # listed: not gone
    assert any("01BAD" in m for m in skipped(caplog)) and any("01WRONG" in m for m in skipped(caplog))
    caplog.clear()
    entries = "".join(
        f"<entry><id>https://status.openai.com/incidents/{key}</id><title>{key}</title>"
        f'<link href="https://status.openai.com/incidents/{key}"/><updated>{when}</updated>'
        f"<content>Resolved - fixed.</content></entry>" for key, when in (("01GOOD", GOOD), ("01BAD", bad)))
    atom = f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>{entries}</feed>'
    assert [p.thread_key for p in feed_posts(atom.encode(), source_id="o", service="O", page="https://s.example")] \
        == ["01GOOD"]


@pytest.mark.parametrize("bad", BAD)
def test_instatus(bad: str, caplog: pytest.LogCaptureFixture) -> None:
    doc = {"page": {"name": "x"}, "activeIncidents": [
        {"id": "good", "name": "Good", "status": "INVESTIGATING", "started": GOOD},
        {"id": "bad", "name": "Bad", "status": "INVESTIGATING", "started": bad},
    ], "activeMaintenances": [{"id": "maint", "name": "M", "status": "NOTSTARTEDYET", "start": GOOD, "duration": "1e400",
                               "end": bad}]}
    posts, table = summary_posts(doc, source_id="i", service="I", page="https://s.example", known={})
    assert sorted(p.thread_key for p in posts) == ["good", "maint"]
    maint = next(p for p in posts if p.thread_key == "maint")
    assert maint.starts_at == parse_time(GOOD) and maint.ends_at is None  # a bad stated end (or length) is ignored
    assert set(table) == {"good", "bad", "maint"}
    assert any(": skipping entry bad:" in m for m in skipped(caplog))


@pytest.mark.parametrize("bad", BAD)
def test_slack_status(bad: str, caplog: pytest.LogCaptureFixture) -> None:
    doc = {"active_incidents": [
        {"id": 1, "title": "Good", "status": "active", "type": "incident",
         "notes": [{"date_created": GOOD, "body": "Looking."}, {"date_created": bad, "body": "Bad note."}]},
        {"id": 2, "title": "No notes, bad date", "status": "active", "type": "incident", "date_created": bad},
    ]}
    posts = parse_document(doc, source_id="slack", service="Slack")
    assert [p.text for p in posts] == ["Looking."]
    messages = skipped(caplog)
    assert any("a note of incident 1" in m for m in messages) and any("skipping entry 2:" in m for m in messages)


@pytest.mark.parametrize("bad", BAD)
def test_bluesky(bad: str, server: Any, caplog: pytest.LogCaptureFixture) -> None:
    did = "did:plc:z72i7hdynmk6r22z27h6tvur"

    def view(rkey: str, created: str, indexed: str) -> dict[str, Any]:
        return {"post": {"uri": f"at://{did}/app.bsky.feed.post/{rkey}", "author": {"did": did, "handle": "bsky.app"},
                         "record": {"text": f"Post {rkey}: feeds are slow, we are investigating.", "createdAt": created},
                         "indexedAt": indexed}}

    feed = {"feed": [view("good", GOOD, GOOD), view("bad", bad, bad), view("fallback", bad, GOOD)]}
    server.route("/xrpc/app.bsky.feed.getAuthorFeed", json.dumps(feed))
    source = SourceConfig(id="bluesky", kind="bluesky", service="Bluesky", handle="bsky.app", backfill="all",
                          api_base=server.url, options={"max_pages": 1})
    result = BlueskyTracker(source).poll({})
    assert sorted(p.native_id.rsplit("/", 1)[-1] for p in result.posts) == ["fallback", "good"]
    assert any("app.bsky.feed.post/bad" in m for m in skipped(caplog))
    assert f"at://{did}/app.bsky.feed.post/bad" in result.cursor["seen"]  # not read again


@pytest.mark.parametrize("bad", BAD)
def test_mastodon(bad: str, server: Any, caplog: pytest.LogCaptureFixture) -> None:
    account = json.loads((SOCIAL / "mastodon_account.json").read_text())
    server.route("/api/v1/accounts/lookup", json.dumps(account))
    statuses = [{"id": str(n), "created_at": when, "content": f"<p>Status {n}: we are investigating errors.</p>",
                 "account": {"id": account["id"]}, "url": f"https://social.example/@status/{n}"}
                for n, when in ((113000000000000001, GOOD), (113000000000000002, bad))]
    server.route(f"/api/v1/accounts/{account['id']}/statuses", json.dumps(statuses))
    source = SourceConfig(id="m", kind="mastodon", service="M", handle="status@social.example", backfill="all",
                          api_base=server.url)
    result = MastodonTracker(source).poll({})
    assert [p.native_id for p in result.posts] == ["113000000000000001"]
    assert any("113000000000000002" in m for m in skipped(caplog))
    assert result.cursor["since_id"] == "113000000000000002"  # not read again


@pytest.mark.parametrize("bad", BAD)
def test_x(bad: str, server: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_BEARER_TOKEN", "AAAA-test-token")
    user = json.loads((SOCIAL / "x_user_twittersupport.json").read_text())
    server.route("/2/users/by/username/TwitterSupport", json.dumps(user))
    tweets = [{"id": tweet_id, "text": f"Tweet {tweet_id}", "created_at": when, "conversation_id": tweet_id}
              for tweet_id, when in (("1146600000000000002", bad), ("1146600000000000001", "2024-04-09T18:32:24.000Z"),
                                     ("not-a-number", "2024-04-09T18:32:24.000Z"))]
    meta = {"result_count": 3, "newest_id": "1146600000000000002", "oldest_id": "1146600000000000001"}
    server.route(f"/2/users/{user['data']['id']}/tweets", json.dumps({"data": tweets, "meta": meta}))
    source = SourceConfig(id="x", kind="x", service="Twitter", handle="TwitterSupport", backfill="open",
                          api_base=server.url)
    result = XTracker(source).poll({})
    assert [p.native_id for p in result.posts] == ["1146600000000000001"]
    assert any("1146600000000000002" in m for m in skipped(caplog))
    assert result.cursor["since_id"] == "1146600000000000002"


# ---------------------------------------------------------------------------------------------------------------
# end to end: bot.py poll --once


def test_statuspage_with_impossible_dates_polls_ok_and_stores_the_rest(server: Any, tmp_path: Path) -> None:
    live = shifted(load_incident("w7wlzstc8wss"), recent_start(2))
    hostile = [sp_incident(f"bad{n}", sp_update(f"upd{n}", value)) for n, value in enumerate(BAD)]
    server.route("/api/v2/incidents.json", json.dumps({"incidents": [revealed(live, 1), *hostile]}))
    config = write_config(tmp_path, [{"id": "github", "kind": "statuspage", "service": "GitHub", "url": server.url}])
    result = run_bot("poll", "--once", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout and "out of range" not in result.stderr
    for n in range(len(BAD)):  # one warning line naming each skipped update
        assert sum(f"skipping entry upd{n} of incident bad{n}:" in line for line in result.stderr.splitlines()) == 1
    assert result.stdout.count("── [desk]") == 1  # the good open incident, announced
    route_again = run_bot("poll", "--once", "--all", "--config", str(config))  # and again: never fails the source
    assert route_again.returncode == 0 and "Traceback" not in route_again.stderr
    db = sqlite3.connect(tmp_path / "state.db")
    assert db.execute("select count(*) from posts").fetchone()[0] == 1
    assert db.execute("select failures, last_error from sources").fetchone() == (0, None)


def _recent(minutes: int) -> str:
    return (NOW - timedelta(minutes=minutes)).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def hostile_documents(server: Any) -> dict[str, tuple[dict[str, Any], str, bytes, int]]:
    """kind → (source, path, a document with one good entry and one per bad date, good posts in it)."""
    rss_items = "".join(
        f"<item><title>Entry {n}</title><guid>entry-{n}</guid><pubDate>{rfc2822(when)}</pubDate>"
        f"<description>We are investigating errors ({n}).</description></item>"
        for n, when in enumerate([_recent(30), *BAD]))
    gcp = [{"id": f"inc{n}", "begin": when, "external_desc": "Errors", "status_impact": "SERVICE_OUTAGE",
            "updates": [{"when": when, "status": "SERVICE_OUTAGE", "text": f"We are investigating errors ({n})."}]}
           for n, when in enumerate([_recent(30), *BAD])]
    widget = {"ongoing_incidents": [
        {"id": f"01INC{n}", "name": f"Errors {n}", "status": "investigating", "last_update_at": when,
         "last_update_message": "We are investigating errors."} for n, when in enumerate([_recent(30), *BAD])],
        "in_progress_maintenances": [], "scheduled_maintenances": []}
    return {
        "feed": ({"id": "feed", "kind": "feed", "service": "Example", "url": server.url + "/feed.rss"}, "/feed.rss",
                 f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{rss_items}</channel></rss>'.encode(),
                 1),
        "gcp": ({"id": "gcp", "kind": "gcp", "service": "Google Cloud", "url": server.url + "/incidents.json"},
                "/incidents.json", json.dumps(gcp).encode(), 1),
        "incidentio": ({"id": "openai", "kind": "incidentio", "service": "OpenAI", "url": server.url},
                       "/proxy/" + server.url.split("://", 1)[1], json.dumps(widget).encode(), 1),
    }


@pytest.mark.parametrize("kind", ["feed", "gcp", "incidentio"])
def test_other_sources_with_impossible_dates_poll_ok(kind: str, server: Any, tmp_path: Path) -> None:
    source, path, document, good = hostile_documents(server)[kind]
    server.route(path, document)
    config = write_config(tmp_path, [source])
    result = run_bot("poll", "--once", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout and "out of range" not in result.stderr
    assert "skipping entry" in result.stderr
    db = sqlite3.connect(tmp_path / "state.db")
    assert db.execute("select count(*) from posts").fetchone()[0] == good
    assert db.execute("select failures, last_error from sources").fetchone() == (0, None)


def test_a_later_year_is_never_shown_without_it() -> None:
    tz = "Asia/Kolkata"
    far = datetime(2099, 3, 5, 10, 0, tzinfo=UTC)
    assert needs_year(far, tz) and "2099" in day_month(far, tz, "hi") and "2099" in day_month(far, tz, "en")
    assert "2099" in when_hi(far, tz, date=False) and "2099" in when_en(far, tz, date=False)
    assert "2099" in TimeFormatter(tz).when(far, "hi", date=False)
    seed = datetime(2019, 7, 3, 15, 5, tzinfo=UTC)  # a past story keeps its newsroom form
    assert when_hi(seed, tz, zone=True) == "बुधवार रात 8:35 बजे (3 जुलाई, भारतीय समय)"
    # with the message's time as reference, any other year is shown
    reference = datetime(2026, 12, 31, 10, 0, tzinfo=UTC)
    next_year = datetime(2027, 1, 2, 8, 0, tzinfo=UTC)
    assert TimeFormatter(tz, reference).when(next_year, "en") == "Saturday 2 January 2027, 1:30 PM"
    assert "2019" in TimeFormatter(tz, reference).when(seed, "hi")
    assert "2026" not in TimeFormatter(tz, reference).when(reference, "en")
    # a UTC date beside the local time gets it too
    late = datetime(2099, 12, 31, 20, 0, tzinfo=UTC)
    assert "31 December 2099" in when_en(late, tz)


# ---------------------------------------------------------------------------------------------------------------
# Statuspage: edits and shared update ids


def statuspage_config(server: Any, tmp_path: Path) -> Path:
    return write_config(tmp_path, [{"id": "github", "kind": "statuspage", "service": "GitHub", "url": server.url}])


def poll(config: Path) -> str:
    result = run_bot("poll", "--once", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_an_edited_update_is_told_once_as_an_edit(server: Any, tmp_path: Path) -> None:
    live = shifted(load_incident("w7wlzstc8wss"), recent_start(2))
    shown = revealed(live, 2)
    route = server.route("/api/v2/incidents.json", incidents_document(shown))
    config = statuspage_config(server, tmp_path)
    assert poll(config).count("── [desk]") == 1  # baseline: the open incident, once
    assert "── [desk]" not in poll(config)
    edited = copy.deepcopy(shown)
    edited["incident_updates"][-1]["body"] = "We are investigating reports of degraded performance for Actions (edited)."
    route.body = incidents_document(edited)
    out = poll(config)
    assert out.count("── [desk]") == 1 and "(edited)" in out
    assert "the company edited its statement" in out or "कंपनी ने अपना बयान बदला" in out  # told as an edit
    assert "still working on it" not in out and "काम जारी" not in out
    assert "── [desk]" not in poll(config)  # told once
    db = sqlite3.connect(tmp_path / "state.db")
    rows = db.execute("select native_id, raw_status from posts where native_id like '%#edit-%'").fetchall()
    assert len(rows) == 1 and rows[0][1].endswith(", edited")
    assert db.execute("select status from incidents").fetchall() == [("open",)]  # an edit never reopens or closes


def test_an_update_id_in_two_incidents_keeps_both_and_nothing_is_told_twice(server: Any, tmp_path: Path) -> None:
    start = (NOW - timedelta(hours=1)).replace(microsecond=0)
    first = sp_incident("inc-a", sp_update("shared", (start).isoformat().replace("+00:00", "Z"),
                                           "Git operations are failing for some users."))
    route = server.route("/api/v2/incidents.json", incidents_document(first))
    config = statuspage_config(server, tmp_path)
    poll(config)  # stored as it always was: the bare update id
    second = sp_incident("inc-b", sp_update("shared", (start + timedelta(minutes=20)).isoformat().replace("+00:00", "Z"),
                                            "Webhooks are delayed."))
    second["components"] = [{"name": "Webhooks"}]
    route.body = incidents_document(second, first)
    out = poll(config)
    assert "Webhooks are delayed." in out and "Git operations are failing" not in out
    db = sqlite3.connect(tmp_path / "state.db")
    assert sorted(r[0] for r in db.execute("select native_id from posts")) == ["inc-b/shared", "shared"]
    assert "── [desk]" not in poll(config)
    route.body = incidents_document(second)  # the older incident scrolls off the page: its id is free again
    assert "── [desk]" not in poll(config)  # the later one is not told again under the bare id
    resync = run_bot("resync", "--config", str(config), "--dry-run")
    assert resync.returncode == 0 and "Traceback" not in resync.stderr
