"""Feed tracker: real Statuspage history feeds split into updates (with their quirks), plain feeds, polling."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import feedparser
import pytest

from config import SourceConfig
from posts import STATUSES
from trackers import TrackerError, tracker_for
from trackers.feed import FeedTracker, parse_feed
from trackers.http import make_client
from trackers.statuspage_html import (
    is_statuspage_entry,
    normalise_status,
    split_statuspage_entry,
    zone_for_label,
)

FEEDS = Path(__file__).resolve().parent / "data" / "feeds"
ALL_FEEDS = sorted(FEEDS.iterdir())
NOW = datetime(2024, 1, 1, tzinfo=UTC)


def source(url: str = "https://status.example.com/history.atom", **options) -> SourceConfig:
    return SourceConfig(id="feed", kind="feed", service="Example", url=url, options=options)


def posts_of(name: str, **options):
    return parse_feed((FEEDS / name).read_bytes(), source(**options), now=NOW)


def block(when: str, label: str, text: str) -> str:
    return f"<p><small>{when}</small><br><strong>{label}</strong> - {text}</p>"


# --- every real feed --------------------------------------------------------------------------------------------


def test_all_six_feeds_are_here() -> None:
    assert len(ALL_FEEDS) == 6


@pytest.mark.parametrize("path", ALL_FEEDS, ids=lambda p: p.name)
def test_every_real_feed_splits_into_one_post_per_dated_update(path: Path) -> None:
    raw = path.read_bytes()
    posts = parse_feed(raw, source(), now=NOW)
    # Each update in these documents opens with an (escaped) <small>; every one becomes exactly one Post.
    assert len(posts) == raw.count(b"&lt;small&gt;") > 0
    assert len({p.native_id for p in posts}) == len(posts)
    entries = feedparser.parse(raw).entries
    assert {p.thread_key for p in posts} == {re.search(r"/incidents/(\w+)", e.link).group(1) for e in entries}
    by_thread = defaultdict(list)
    for post in posts:
        assert post.status in STATUSES and post.status == normalise_status(post.raw_status)
        assert post.created_at.tzinfo is not None and post.created_at.second == 0
        assert post.text and "<" not in post.text and "\r" not in post.text
        assert post.url.endswith("/incidents/" + post.thread_key) and post.language == "en" and post.author
        assert post.native_id.startswith(f"{post.thread_key}@")
        by_thread[post.thread_key].append(post)
    for thread in by_thread.values():  # newest first, as the document shows them
        times = [p.created_at for p in thread]
        assert times == sorted(times, reverse=True)
    # Stable across polls: the same document gives the same ids.
    assert [p.native_id for p in parse_feed(raw, source(), now=NOW + timedelta(days=3))] == [p.native_id for p in posts]


@pytest.mark.parametrize("path", ALL_FEEDS, ids=lambda p: p.name)
def test_newest_update_is_the_entry_published_time(path: Path) -> None:
    """The strongest check on dates, years and zones: Statuspage publishes an entry at its newest update.

    Two real exceptions: a postmortem added two days after the incident was published (Parse), and a
    scheduled maintenance whose <published> is its future start (Symantec).
    """
    raw = path.read_bytes()
    posts = parse_feed(raw, source(), now=NOW)
    exceptions = {"p9hy357zjvb3", "nrbj1tnt6445"}
    checked = 0
    for entry in feedparser.parse(raw).entries:
        thread = re.search(r"/incidents/(\w+)", entry.link).group(1)
        newest = next(p for p in posts if p.thread_key == thread)
        published = datetime(*entry.published_parsed[:5], tzinfo=UTC)
        if thread in exceptions:
            assert newest.created_at != published
        else:
            assert newest.created_at == published, thread
            checked += 1
    assert checked >= 16


# --- quirks -------------------------------------------------------------------------------------------------------


def test_github_feed_first_entry() -> None:
    posts = [p for p in posts_of("githubstatus_history_2019-11-22.atom") if p.thread_key == "w7wlzstc8wss"]
    assert [(p.created_at.strftime("%m-%d %H:%M"), p.raw_status) for p in posts] == [
        ("11-20 03:25", "Resolved"), ("11-20 02:50", "Update"), ("11-20 02:20", "Update"),
        ("11-20 01:52", "Update"), ("11-20 01:19", "Investigating"),
    ]
    assert posts[0].native_id == "w7wlzstc8wss@2019-11-20T03:25Z#resolved"
    assert posts[0].title == "Incident on 2019-11-20 01:19 UTC" and posts[0].author == "GitHub"
    assert posts[0].url == "https://www.githubstatus.com/incidents/w7wlzstc8wss"
    assert posts[1].text == "Error rates for Actions runs are improving. We are monitoring the recovery."


def test_year_is_inferred_backwards_across_december_to_january() -> None:
    markup = (block("Jan <var>2</var>, <var>01:00</var> UTC", "Resolved", "Fixed.")
              + block("Dec <var>31</var>, <var>23:10</var> UTC", "Identified", "Found it.")
              + block("Dec <var>30</var>, <var>10:00</var> UTC", "Investigating", "Looking."))
    updates = split_statuspage_entry(markup, datetime(2020, 1, 2, 1, 0, 30, tzinfo=UTC))
    assert [u.created_at for u in updates] == [
        datetime(2020, 1, 2, 1, 0, tzinfo=UTC),
        datetime(2019, 12, 31, 23, 10, tzinfo=UTC),
        datetime(2019, 12, 30, 10, 0, tzinfo=UTC),
    ]


def test_year_of_the_newest_update_is_the_one_nearest_the_entry_time() -> None:
    markup = block("Dec 31, 23:50 UTC", "Resolved", "Fixed.")
    (update,) = split_statuspage_entry(markup, datetime(2021, 1, 1, 0, 5, tzinfo=UTC))
    assert update.created_at == datetime(2020, 12, 31, 23, 50, tzinfo=UTC)
    markup = block("Jan 1, 00:10 UTC", "Resolved", "Fixed.")
    (update,) = split_statuspage_entry(markup, datetime(2020, 12, 31, 23, 55, tzinfo=UTC))
    assert update.created_at == datetime(2021, 1, 1, 0, 10, tzinfo=UTC)


def test_a_year_and_more_back_and_updates_older_than_a_year() -> None:
    markup = (block("Mar 1, 10:00 UTC", "Resolved", "Done.")
              + block("Mar 5, 10:00 UTC", "Scheduled", "Planned a year ahead."))
    updates = split_statuspage_entry(markup, datetime(2020, 3, 1, 10, 0, tzinfo=UTC))
    assert [u.created_at.year for u in updates] == [2020, 2019]


def test_years_across_new_year_in_real_feeds() -> None:
    parse = {p.thread_key: p for p in reversed(posts_of("parse_status_history_2014-01-09.rss"))}  # newest
    assert parse["lzf7mjchpy20"].created_at == datetime(2014, 1, 1, 17, 9, tzinfo=UTC)
    assert parse["x7yb1mmd4721"].created_at == datetime(2013, 12, 29, 20, 20, tzinfo=UTC)
    do = [p for p in posts_of("digitalocean_history_2020-01-05.rss")]
    assert {p.created_at.year for p in do} == {2019, 2020}
    assert do[0].created_at == datetime(2020, 1, 5, 3, 38, tzinfo=UTC)  # "Jan <var> 5</var>": padded day


def test_update_added_after_the_entry_was_published() -> None:
    # Parse: incident published Dec 24 (resolved), postmortem added Dec 26, shown first.
    posts = [p for p in posts_of("parse_status_history_2014-01-09.rss") if p.thread_key == "p9hy357zjvb3"]
    assert [(p.status, p.created_at) for p in posts] == [
        ("postmortem", datetime(2013, 12, 26, 18, 22, tzinfo=UTC)),
        ("resolved", datetime(2013, 12, 24, 19, 21, tzinfo=UTC)),
        ("investigating", datetime(2013, 12, 24, 16, 58, tzinfo=UTC)),
    ]


def test_parse_2013_rss_no_var_tags_cr_and_markdown_postmortem() -> None:
    raw = (FEEDS / "parse_status_history_2014-01-09.rss").read_bytes()
    assert b"&lt;var" not in raw and b"\r&lt;br /&gt;" in raw
    postmortem = next(p for p in posts_of("parse_status_history_2014-01-09.rss") if p.status == "postmortem")
    lines = postmortem.text.splitlines()
    assert lines[:3] == [
        "# Summary of the December 24 Parse Service Disruption",
        "",
        "We would like to share some more details about what happened during the December 24 service disruption. "
        "We are working hard to improve reliability and would like to relay information about the nature of this "
        "service disruption, our efforts to restore functionality, and the steps we are taking to prevent this sort "
        "of issue from happening again.",
    ]
    assert "* Rearchitecting our client discovery process so it systematically catches any long delay during the process" in lines
    assert lines[-1].endswith("[Help & Community](https://parse.com/help) portal.")
    assert postmortem.raw_status == "Postmortem" and "\r" not in postmortem.text


def test_pst_label_on_a_summer_date_is_pacific_daylight_time() -> None:
    # Parse (2013) prints "PST" all year; the item's pubDate is "Tue, 27 Aug 2013 14:16:40 -0700", so the
    # label means Pacific local time (PDT in August), not a fixed UTC-8.
    parse = posts_of("parse_status_history_2014-01-09.rss")
    aug27 = [p for p in parse if p.created_at.date() == datetime(2013, 8, 27).date()]
    assert [p.created_at for p in aug27] == [
        datetime(2013, 8, 27, 21, 16, tzinfo=UTC), datetime(2013, 8, 27, 20, 27, tzinfo=UTC),
    ]
    dec = next(p for p in parse if p.thread_key == "x7yb1mmd4721")  # "Dec 29, 12:20 PST": UTC-8
    assert dec.created_at == datetime(2013, 12, 29, 20, 20, tzinfo=UTC)


def test_pst_and_pdt_labels_in_one_feed() -> None:
    sauce = posts_of("saucelabs_us_west_history_2020-11-15.atom")
    first = {p.thread_key: p for p in reversed(sauce)}  # newest update per incident
    assert first["08fk1fzrw8p8"].created_at == datetime(2020, 11, 14, 22, 7, tzinfo=UTC)  # "Nov 14, 14:07 PST"
    oct24 = [p for p in sauce if p.created_at.date() == datetime(2020, 10, 24).date()]
    assert oct24[0].created_at == datetime(2020, 10, 24, 17, 59, tzinfo=UTC)  # "Oct 24, 10:59 PDT"


def test_zone_labels() -> None:
    summer = datetime(2020, 7, 1, 12, 0)
    assert zone_for_label("PST").utcoffset(summer) == timedelta(hours=-7)
    assert zone_for_label("PDT").utcoffset(datetime(2020, 1, 1)) == timedelta(hours=-8)
    assert zone_for_label("UTC").utcoffset(summer) == timedelta(0)
    assert zone_for_label("+05:30").utcoffset(summer) == timedelta(hours=5, minutes=30)
    assert zone_for_label("XYZ", timezone(timedelta(hours=2))).utcoffset(summer) == timedelta(hours=2)
    # A configured zone wins over the label.
    (update,) = split_statuspage_entry(block("Jul 1, 12:00 PST", "Resolved", "ok"),
                                       datetime(2020, 7, 1, tzinfo=UTC), zone="Etc/GMT+8")
    assert update.created_at == datetime(2020, 7, 1, 20, 0, tzinfo=UTC)


def test_symantec_headings_are_not_statuses() -> None:
    posts = posts_of("symantec_wss_history_2019-12-10.atom")
    assert not {p.raw_status for p in posts} & {"Impact", "Required Action", "Schedule"}
    tlv = [p for p in posts if p.thread_key == "nrbj1tnt6445"]
    assert len(tlv) == 1 and tlv[0].status == "scheduled"
    assert tlv[0].created_at == datetime(2019, 12, 9, 19, 40, tzinfo=UTC)  # <published> is the future start
    assert "Impact\nThere may be a brief outage during the maintenance window." in tlv[0].text
    assert "Required Action\nIPSec connected customers" in tlv[0].text
    assert "THIS IS A SCHEDULED EVENT" not in tlv[0].text
    maa = [p for p in posts if p.thread_key == "p27y2b9t7rdy"]
    assert [(p.raw_status, p.status) for p in maa] == [
        ("Completed", "completed"), ("In progress", "in_progress"), ("Scheduled", "scheduled"),
    ]


def test_digitalocean_rss_apos_quoting() -> None:
    raw = (FEEDS / "digitalocean_history_2020-01-05.rss").read_bytes()
    assert b"data-var=&apos;date&apos;" in raw
    posts = posts_of("digitalocean_history_2020-01-05.rss")
    assert posts[0].native_id == "tp6yg4h8bfp5@2020-01-05T03:38Z#resolved"
    assert posts[0].author == "DigitalOcean Status"
    assert not any("data-var" in p.text or "apos" in p.text for p in posts)


def test_same_minute_same_label_gets_a_stable_disambiguator() -> None:
    older = block("May 5, 10:00 UTC", "Update", "first") + block("May 5, 09:00 UTC", "Investigating", "x")
    newer = block("May 5, 10:00 UTC", "Update", "second") + older
    entry = '<entry><id>e1</id><link href="https://s.test/incidents/abc"/><title>T</title>' \
            '<updated>2020-05-05T10:00:00Z</updated><content type="html">{}</content></entry>'

    def feed(markup: str) -> bytes:
        from html import escape
        return (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>S</title>'
                f'{entry.format(escape(markup))}</feed>').encode()

    ids_before = {p.native_id: p.text for p in parse_feed(feed(older), source(), now=NOW)}
    ids_after = {p.native_id: p.text for p in parse_feed(feed(newer), source(), now=NOW)}
    assert ids_before.items() <= ids_after.items()
    assert ids_after["abc@2020-05-05T10:00Z#update~2"] == "second"


def test_status_labels() -> None:
    assert normalise_status("In progress") == "in_progress"
    assert normalise_status("Update") == "update"
    assert normalise_status("Post-mortem") == "postmortem"
    assert normalise_status("Impact") == ""
    assert is_statuspage_entry(block("Nov 20, 03:25 UTC", "Resolved", "x"))
    assert not is_statuspage_entry("<p><strong>Impact</strong><br>None.</p>")
    assert not is_statuspage_entry("<p><small>fine print</small><br><strong>Note</strong> - x</p>")


# --- plain feeds ----------------------------------------------------------------------------------------------------

PLAIN_RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Example Blog</title><link>https://blog.example.com</link>
<language>en-gb</language>
<item><title>Login problems</title><guid>https://blog.example.com/p/1</guid>
<link>https://blog.example.com/p/1</link><pubDate>Wed, 03 Jul 2019 15:05:00 +0000</pubDate>
<description>&lt;p&gt;Some users &lt;b&gt;cannot&lt;/b&gt; log in &amp;amp; post.&lt;/p&gt;&lt;p&gt;We are on it.&lt;/p&gt;</description>
</item>
<item><title>Title only</title><guid>tag:example,1</guid></item>
</channel></rss>"""


def test_plain_feed_one_post_per_entry() -> None:
    posts = parse_feed(PLAIN_RSS.encode(), source(), now=NOW)
    assert len(posts) == 2
    first, second = posts
    assert first.text == "Some users cannot log in & post.\n\nWe are on it."
    assert first.thread_key == "https://blog.example.com/p/1" and first.title == "Login problems"
    assert first.native_id == f"https://blog.example.com/p/1#{first.revision}"
    assert first.created_at == datetime(2019, 7, 3, 15, 5, tzinfo=UTC)
    assert first.status == "" and first.language == "en" and first.author == "Example Blog"
    assert second.text == "Title only" and second.created_at == NOW and second.native_id.startswith("tag:example,1#")


def test_entry_edited_in_place_is_a_new_post_in_the_same_thread() -> None:
    edited = PLAIN_RSS.replace("We are on it.", "Fixed now.")
    before = parse_feed(PLAIN_RSS.encode(), source(), now=NOW)[0]
    after = parse_feed(edited.encode(), source(), now=NOW)[0]
    assert after.thread_key == before.thread_key and after.native_id != before.native_id
    again = parse_feed(PLAIN_RSS.encode(), source(), now=NOW + timedelta(hours=1))[0]
    assert again.native_id == before.native_id


@pytest.mark.parametrize(
    "body, words",
    [
        (b"<!DOCTYPE html><html><head><title>Status</title></head><body><p>hi</p></body></html>", "got an HTML page"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a</b></item>', "malformed XML"),
        (b'{"incidents": []}', "malformed XML"),
        (b"", "not an RSS/Atom feed"),
    ],
)
def test_not_a_feed(body: bytes, words: str) -> None:
    with pytest.raises(TrackerError) as err:
        parse_feed(body, source("https://x.test/feed"))
    message = str(err.value)
    assert message.startswith("https://x.test/feed is not an RSS/Atom feed: ") and words in message
    assert "\n" not in message


def test_undefined_entity_is_tolerated() -> None:
    body = PLAIN_RSS.replace("We are on it.", "We are&nbsp;on it.").encode()
    assert feedparser.parse(body).bozo
    assert len(parse_feed(body, source(), now=NOW)) == 2


def test_empty_feed_is_fine() -> None:
    assert parse_feed(b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
                      source()) == []


# --- polling ------------------------------------------------------------------------------------------------------


def test_registry_builds_this_tracker() -> None:
    tracker = tracker_for(source())
    assert isinstance(tracker, FeedTracker) and tracker.kind == "feed"


def test_poll_etag_then_304(server) -> None:
    server.route("/history.atom", (FEEDS / "githubstatus_history_2019-11-22.atom").read_bytes(), etag=True)
    tracker = FeedTracker(source(f"{server.url}/history.atom"), http=make_client())
    first = tracker.poll({})
    assert len(first.posts) == 100 and first.cursor["etag"]
    second = tracker.poll(first.cursor)
    assert second.not_modified and second.posts == []
    assert server.hits("/history.atom")[1].headers["if-none-match"] == first.cursor["etag"]


def test_poll_content_hash_and_change(server) -> None:
    route = server.route("/feed.rss", PLAIN_RSS)
    tracker = FeedTracker(source(f"{server.url}/feed.rss"), http=make_client())
    first = tracker.poll({})
    second = tracker.poll(first.cursor)
    assert len(first.posts) == 2 and second.not_modified and second.posts == []
    route.body = PLAIN_RSS.replace("We are on it.", "Fixed now.").encode()
    third = tracker.poll(second.cursor)
    assert not third.not_modified and len(third.posts) == 2
    assert third.posts[0].native_id != first.posts[0].native_id


def test_poll_errors(server) -> None:
    server.route("/broken", b"<rss><channel><item><title>a</b>")
    server.route("/down", b"", status=503)
    with pytest.raises(TrackerError, match=r"is not an RSS/Atom feed: malformed XML"):
        FeedTracker(source(f"{server.url}/broken"), http=make_client()).poll({})
    with pytest.raises(TrackerError) as err:
        FeedTracker(source(f"{server.url}/down"), http=make_client()).poll({})
    assert str(err.value) == f"HTTP 503 from {server.url}/down"
