"""The helpers the trackers share: ``trackers.http`` (conditional-fetch cursor, JSON fetch, client use, read
errors) and ``html_text.html_to_text`` with its options."""

from __future__ import annotations

import hashlib

import pytest

from trackers import TrackerError
from trackers.html_text import clean_lines, html_to_text, message_text, normalise_space
from trackers.http import fetch_if_changed, fetch_json, make_client, reading, using_client

BODY = b'{"incidents": []}'


def test_cursor_keys_behind_a_prefix_leave_the_rest_alone(server) -> None:
    server.route("/doc", BODY, etag=True)
    with make_client() as client:
        result, cursor = fetch_if_changed(client, server.url + "/doc", {"mode": "feed", "etag": "other"},
                                          key_prefix="feed_")
        assert result is not None and result.body == BODY
        assert cursor["mode"] == "feed" and cursor["etag"] == "other"
        assert cursor["feed_sha256"] == hashlib.sha256(BODY).hexdigest() and cursor["feed_etag"]
        again, same = fetch_if_changed(client, server.url + "/doc", cursor, key_prefix="feed_")
    assert again is None and same == cursor
    hits = server.hits("/doc")
    assert "if-none-match" not in hits[0].headers and hits[1].headers["if-none-match"] == cursor["feed_etag"]


def test_same_body_without_validators_is_unchanged_and_a_new_body_is_not(server) -> None:
    route = server.route("/doc", BODY)
    with make_client() as client:
        first, cursor = fetch_if_changed(client, server.url + "/doc", {})
        second, cursor2 = fetch_if_changed(client, server.url + "/doc", cursor)
        route.body = BODY + b" "
        third, cursor3 = fetch_if_changed(client, server.url + "/doc", cursor2)
    assert first is not None and second is None and cursor2 == cursor
    assert third is not None and cursor3["sha256"] != cursor["sha256"]


def test_a_cursor_with_the_short_hash_of_earlier_versions_still_matches(server) -> None:
    server.route("/doc", BODY)
    legacy = {"etag": "", "last_modified": "", "hash": hashlib.sha256(BODY).hexdigest()[:24], "open": {}}
    with make_client() as client:
        result, cursor = fetch_if_changed(client, server.url + "/doc", legacy)
    assert result is None and "hash" not in cursor and len(cursor["sha256"]) == 64 and cursor["open"] == {}


def test_fetch_json_and_reading_errors_are_one_line(server) -> None:
    server.route("/ok", BODY)
    server.route("/html", b"<html>maintenance</html>")
    with make_client() as client:
        assert fetch_json(client, server.url + "/ok") == {"incidents": []}
        with pytest.raises(TrackerError, match=r"^Mastodon answered http://\S+/html with something that is not JSON$"):
            fetch_json(client, server.url + "/html", api="Mastodon")
    with pytest.raises(TrackerError, match=r"^unexpected response from https://x\.example/a: no incidents$"):
        with reading("https://x.example/a"):
            raise ValueError("no incidents")


def test_using_client_closes_only_the_client_it_made() -> None:
    with make_client() as given:
        with using_client(given) as client:
            assert client is given
        assert not given.is_closed
    with using_client(None) as own:
        assert not own.is_closed
    assert own.is_closed


@pytest.mark.parametrize(("markup", "options", "text"), [
    ("<ul><li>a</li><li>b</li></ul>", {}, "a\nb"),
    ("<ul><li>a</li><li>b</li></ul>", {"bullets": True}, "- a\n- b"),
    ('<p>see <a href="https://x.example/pm">the report</a></p>', {}, "see the report"),
    ('<p>see <a href="https://x.example/pm">the report</a></p>', {"links": True}, "see the report (https://x.example/pm)"),
    ('<a href="https://x.example/@ops">@ops</a> <a href="https://x.example/tags/a">#a</a>', {"links": True}, "@ops #a"),
    ('<a href="https://x.example/a/very/long">x.example/a/very…</a>', {"links": True}, "x.example/a/very…"),
    ("line one\nline two", {}, "line one line two"),
    ("line one\nline two", {"newlines": True}, "line one\nline two"),
    ("<pre>a\nb</pre>", {}, "a\nb"),
    ("<style>p {}</style><p>a</p>\n\n\n<p>b</p>", {"newlines": True}, "a\n\nb"),
])
def test_html_to_text_options(markup, options, text) -> None:
    assert html_to_text(markup, **options) == text


def test_message_text_and_whitespace_helpers() -> None:
    assert message_text('Fixed:\n<ul><li><a href="https://x.example/i/1">details</a></li></ul>') == (
        "Fixed:\n\n- details (https://x.example/i/1)"
    )
    assert clean_lines("a \xa0 b\r\n\r\n\r\nc  ") == "a b\n\nc"
    assert normalise_space(" a\n\n b ") == "a b"
