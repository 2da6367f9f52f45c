"""Statuspage JSON tracker: parsing real API documents, and polling through the real fetch (local server)."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest

from config import SourceConfig
from posts import STATUSES
from trackers import TrackerError, tracker_for
from trackers.html_text import html_to_text
from trackers.http import make_client
from trackers.statuspage import (
    StatuspageTracker,
    incidents_url,
    parse_statuspage_bytes,
    parse_statuspage_document,
)

DATA = Path(__file__).resolve().parent / "data" / "statuspage"
INCIDENTS = sorted((DATA / "github_incidents").glob("*.json"))
SUMMARY = DATA / "summary" / "anthropic_claude_status_summary_2026-10-07.json"


def source(url: str = "https://www.githubstatus.com", **kw) -> SourceConfig:
    return SourceConfig(id="githubstatus", kind="statuspage", service="GitHub", url=url, **kw)


def load(incident_id: str) -> dict:
    return json.loads((DATA / "github_incidents" / f"{incident_id}.json").read_text(encoding="utf-8"))


def incidents_doc(*ids: str) -> dict:
    docs = [load(i) for i in ids]
    return {"page": docs[0]["page"], "incidents": [d["incident"] for d in docs]}


# --- parsing real documents -------------------------------------------------------------------------------------


def test_copied_sample_is_what_the_tests_claim() -> None:
    years = [json.loads(p.read_text())["incident"]["created_at"][:4] for p in INCIDENTS]
    assert len(INCIDENTS) == 31 and years.count("2019") == 25


@pytest.mark.parametrize("path", INCIDENTS, ids=lambda p: p.stem)
def test_every_real_incident_parses_one_post_per_update(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    incident = doc["incident"]
    posts = parse_statuspage_document(doc, source())
    assert [p.native_id for p in posts] == [u["id"] for u in incident["incident_updates"]]
    for post, update in zip(posts, incident["incident_updates"], strict=True):
        assert post.thread_key == incident["id"]
        assert post.title == incident["name"]
        assert post.impact == incident["impact"]
        assert post.url == incident["shortlink"]
        assert post.author == "GitHub" and post.service == "GitHub" and post.language == ""  # read from its words
        assert post.status in STATUSES and post.status == update["status"] == post.raw_status
        assert post.created_at.tzinfo is not None and post.created_at.utcoffset().total_seconds() == 0
        stamps = re.findall(r"<strong>\s*(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})", update["body"])
        if "<li>" in update["body"] and len(stamps) > 1 and stamps[-1] > stamps[0]:
            # an imported timeline was written at its last stamp (display_at is its first)
            assert post.created_at.strftime("%Y-%m-%d %H:%M:%S") == stamps[-1]
        else:
            assert post.created_at.isoformat()[:19] == update["display_at"][:19]
        assert "<" not in post.text and "&amp;" not in post.text and "\\r" not in post.text
        assert post.text.strip() == post.text and post.text


def test_display_at_wins_over_created_at() -> None:
    # Imported in 2018, displayed as 2011 (its timeline's first stamp, 03:06): the statement's time is the
    # timeline's last stamp, when the company wrote "fully resolved" — never the 2018 import time.
    (post,) = parse_statuspage_document(load("01sqkcp7z62r"), source())
    assert post.created_at == datetime(2011, 7, 28, 5, 43, tzinfo=UTC)


def test_html_body_becomes_lines_of_plain_text() -> None:
    (post,) = parse_statuspage_document(load("01sqkcp7z62r"), source())
    assert post.text == (
        "2011-07-28 03:06:00 - One of our file servers failed over and we had a brief hiccup in availability. "
        "Continuing to investigate.\n2011-07-28 05:43:00 - Our fileserver issues have been fully resolved!"
    )
    assert post.components == ("Git Operations",)


def test_links_keep_their_words_and_literal_crlf_is_a_line_break() -> None:
    (post,) = parse_statuspage_document(load("jlx4smw4tqfv"), source())
    assert "The backlog has been processed and we're back to realtime." in post.text
    assert "href" not in post.text
    (post,) = parse_statuspage_document(load("765rrcfccw77"), source())
    assert post.text.splitlines()[:3] == [
        "2011-06-09 02:35:00 - The site will be down for maintenance in 30 minutes:",
        "",
        "https://github.com/blog/872-scheduled-maintenance-tomorrow-20-00-pst",
    ]


def test_plain_text_body_keeps_its_newlines() -> None:
    (post,) = parse_statuspage_document(load("chq6jdw9x8t5"), source())
    assert post.text.splitlines() == [
        "2019-05-07 10:35 UTC - Due to a network hardware failure, some users are experiencing errors trying to "
        "access github.com.",
        "2019-05-07 11:23 UTC - This incident has been resolved.",
    ]


def test_updates_that_were_also_tweeted_parse_like_any_other() -> None:
    posts = parse_statuspage_document(load("2fvfs7gwr96z"), source())
    assert [p.status for p in posts] == ["resolved", "investigating", "investigating", "investigating"]
    assert posts[-1].text == "We're noticing an increased rate of errors and are investigating"
    assert posts[0].components == ("Issues, PRs, Projects",)


def test_incidents_json_with_several_resolved_incidents() -> None:
    doc = incidents_doc("rgy28jwprr1c", "2fvfs7gwr96z", "lwlvwcrv7dsr")
    posts = parse_statuspage_document(doc, source())
    assert len(posts) == 4 + 4 + 1
    assert [p.status for p in posts if p.status == "resolved"] == ["resolved"] * 3
    assert [p.status for p in posts[:4]] == ["resolved", "monitoring", "identified", "investigating"]
    assert {p.thread_key for p in posts} == {"rgy28jwprr1c", "2fvfs7gwr96z", "lwlvwcrv7dsr"}


def test_summary_json_with_an_open_incident() -> None:
    doc = json.loads(SUMMARY.read_text(encoding="utf-8"))
    posts = parse_statuspage_document(doc, source("https://status.claude.com"))
    assert len(posts) == 4
    assert posts[0].status == "monitoring" and posts[0].thread_key == "978mjkgw6mh7"
    assert posts[0].author == "Claude" and posts[0].impact == "major"
    assert posts[0].url == "https://stspg.io/sjkw7njwf0mt"
    assert posts[0].components == ("Claude Console (platform.claude.com)",)
    assert posts[0].text.startswith("We've mitigated the errors loading usage data")


def test_scheduled_maintenances_are_read_too() -> None:
    incident = load("lwlvwcrv7dsr")["incident"]
    doc = {"page": {"name": "GitHub"}, "scheduled_maintenances": [incident]}
    assert [p.native_id for p in parse_statuspage_document(doc, source())] == [
        u["id"] for u in incident["incident_updates"]
    ]


def test_fallbacks_for_link_and_components() -> None:
    doc = copy.deepcopy(load("2fvfs7gwr96z"))
    incident = doc["incident"]
    incident["shortlink"] = None
    incident["components"] = [{"name": "Git Operations"}, {"name": "API Requests"}]
    for update in incident["incident_updates"]:
        update["affected_components"] = None
        update["display_at"] = None
    posts = parse_statuspage_document(doc, source("https://status.example.com"))
    assert posts[0].url == "https://status.example.com/incidents/2fvfs7gwr96z"
    assert posts[0].components == ("Git Operations", "API Requests")
    assert posts[0].created_at == datetime(2019, 11, 18, 8, 8, 30, 174000, tzinfo=UTC)  # created_at


@pytest.mark.parametrize(
    "doc, words",
    [
        ([1, 2], "top level is list"),
        ({"page": {}, "status": {}}, "no incidents"),
        ({"incidents": {"id": "x"}}, "'incidents' is not a list"),
        ({"incidents": ["x"]}, "not an object"),
        ({"incidents": [{"name": "no id"}]}, "without an id"),
    ],
)
def test_unexpected_shape_is_a_one_line_error_naming_the_url(doc: object, words: str) -> None:
    url = "https://status.example.com/api/v2/incidents.json"
    with pytest.raises(TrackerError) as err:
        parse_statuspage_document(doc, source(), where=url)
    assert url in str(err.value) and words in str(err.value) and "\n" not in str(err.value)


def test_malformed_json_is_an_error_naming_the_url() -> None:
    with pytest.raises(TrackerError, match=r"^https://x\.test/api did not return JSON: "):
        parse_statuspage_bytes(b'{"incidents": [', source(), where="https://x.test/api")


def test_html_to_text_rules() -> None:
    assert html_to_text("<p>a &amp; b</p><p>c&nbsp;d</p>") == "a & b\n\nc d"
    assert html_to_text("x<br>y<br/><br />z") == "x\ny\n\nz"
    assert html_to_text("<ul>\n<li>one</li>\n<li>two</li>\n</ul>") == "one\ntwo"
    assert html_to_text("plain\n  text\r\nhere", newlines=True) == "plain\ntext\nhere"
    assert html_to_text("plain\n  text", newlines=False) == "plain text"
    assert html_to_text("<script>x()</script>ok") == "ok"


def test_incidents_url() -> None:
    assert incidents_url(source()) == "https://www.githubstatus.com/api/v2/incidents.json"
    assert incidents_url(source(api_base="https://api.example.com/")) == "https://api.example.com/api/v2/incidents.json"
    assert incidents_url(source(api_base="https://x.test/api/v2")) == "https://x.test/api/v2/incidents.json"


# --- polling through the real fetch ----------------------------------------------------------------------------

PATH = "/api/v2/incidents.json"


def body(*ids: str) -> bytes:
    return json.dumps(incidents_doc(*ids)).encode()


def test_registry_builds_this_tracker() -> None:
    tracker = tracker_for(source())
    assert isinstance(tracker, StatuspageTracker) and tracker.kind == "statuspage" and tracker.http is not None


def test_etag_gives_304_on_the_second_poll(server) -> None:
    server.route(PATH, body("rgy28jwprr1c"), etag=True, headers={"Content-Type": "application/json"})
    tracker = StatuspageTracker(source(server.url), http=make_client())
    first = tracker.poll({})
    assert len(first.posts) == 4 and not first.not_modified
    assert first.cursor["etag"].startswith('"') and len(first.cursor["sha256"]) == 64
    second = tracker.poll(first.cursor)
    assert second.not_modified and second.posts == [] and second.cursor == first.cursor
    hits = server.hits(PATH)
    assert len(hits) == 2 and "if-none-match" not in hits[0].headers
    assert hits[1].headers["if-none-match"] == first.cursor["etag"]


def test_last_modified_is_sent_back(server) -> None:
    stamp = format_datetime(datetime(2019, 11, 22, 8, 10, tzinfo=UTC), usegmt=True)
    payload = body("2fvfs7gwr96z")

    def handler(request):
        if request.headers.get("if-modified-since") == stamp:
            return 304, {}, b""
        return 200, {"Last-Modified": stamp}, payload

    server.route(PATH, handler=handler)
    tracker = StatuspageTracker(source(server.url), http=make_client())
    first = tracker.poll({})
    assert first.cursor["last_modified"] == stamp and first.cursor["etag"] == ""
    second = tracker.poll(first.cursor)
    assert second.not_modified and second.posts == []
    assert server.hits(PATH)[1].headers["if-modified-since"] == stamp


def test_content_hash_when_the_server_sends_no_validators(server) -> None:
    route = server.route(PATH, body("2fvfs7gwr96z"))
    tracker = StatuspageTracker(source(server.url), http=make_client())
    first = tracker.poll({})
    assert len(first.posts) == 4 and first.cursor["etag"] == "" and first.cursor["last_modified"] == ""
    second = tracker.poll(first.cursor)
    assert second.not_modified and second.posts == []
    route.body = body("2fvfs7gwr96z", "lwlvwcrv7dsr")  # a new incident appears
    third = tracker.poll(second.cursor)
    assert not third.not_modified and len(third.posts) == 5 and third.cursor["sha256"] != first.cursor["sha256"]
    assert len(server.hits(PATH)) == 3


def test_api_base_replaces_the_page_url(server) -> None:
    server.route(PATH, body("lwlvwcrv7dsr"))
    tracker = StatuspageTracker(source("https://www.githubstatus.com", api_base=server.url), http=make_client())
    (post,) = tracker.poll({}).posts
    assert post.thread_key == "lwlvwcrv7dsr" and len(server.hits(PATH)) == 1


def test_http_500_is_one_line_naming_the_url(server) -> None:
    server.route(PATH, b"oops", status=500)
    with pytest.raises(TrackerError) as err:
        StatuspageTracker(source(server.url), http=make_client()).poll({})
    assert str(err.value) == f"HTTP 500 from {server.url}{PATH}"


def test_malformed_json_from_the_server(server) -> None:
    server.route(PATH, b"<html>maintenance</html>")
    with pytest.raises(TrackerError, match=r"did not return JSON") as err:
        StatuspageTracker(source(server.url), http=make_client()).poll({})
    assert f"{server.url}{PATH}" in str(err.value)


def test_slow_server_times_out(server) -> None:
    server.route(PATH, body("lwlvwcrv7dsr"), delay=1.0)
    with pytest.raises(TrackerError, match="timed out"):
        StatuspageTracker(source(server.url), http=make_client(timeout=0.2)).poll({})


def test_oversized_body_is_refused(server) -> None:
    server.route(PATH, b" " * (20 * 1024 * 1024))
    with pytest.raises(TrackerError, match="byte cap") as err:
        StatuspageTracker(source(server.url), http=make_client()).poll({})
    assert "20,971,520 bytes" in str(err.value)
