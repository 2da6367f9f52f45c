"""The story pages of the history site and their Atom entries (issue 16 in the site): the demo's event told as a
story page built by ``bot.py site`` (headline, each company's paragraph with its IST time, the statements as text,
no script anywhere, links crawl), one feed entry per story in the feeds of everything, a developing major incident
polled from a Statuspage served on 127.0.0.1 (marked developing, its hostile words as text, an edit moving the
entry's ``updated`` and not adding one), and the daemon's refresher reusing a story that did not change."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pollhelpers import incidents_document, load_incident, revealed, run_bot, shifted
from sitehelpers import demo_database
from test_site import ATOM, HOSTILE, broken_links, check_atom, site_config

STORY_ID = "tag:pushti.invalid,2026:event/1/story"


class Article(HTMLParser):
    """A story page's articles: per language its headline, paragraphs (class → text) and quotes (text, links)."""

    def __init__(self) -> None:
        super().__init__()
        self.articles: dict[str, dict] = {}
        self.meta = ""
        self._lang = ""
        self._open: list[str] = []  # the element whose text is being collected: h1 | p.<class> | blockquote
        self._in_meta = False
        self.tags: dict[str, int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        values = dict(attrs)
        if tag == "article":
            self._lang = values.get("lang") or ""
            self.articles[self._lang] = {"h1": "", "paragraphs": [], "quotes": [], "data": values.get("data-story")}
        elif tag == "p" and not self._lang and "meta" in (values.get("class") or ""):
            self._in_meta = True
        if not self._lang:
            return
        article = self.articles[self._lang]
        if tag == "h1":
            self._open.append("h1")
        elif tag == "blockquote":
            article["quotes"].append({"text": "", "links": []})
            self._open.append("blockquote")
        elif tag == "p" and "blockquote" not in self._open:
            article["paragraphs"].append([values.get("class") or "", ""])
            self._open.append("p")
        elif tag == "a" and "blockquote" in self._open:
            article["quotes"][-1]["links"].append(values.get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._lang = ""
        elif tag == "p" and self._in_meta:
            self._in_meta = False
        elif self._open and tag == self._open[-1]:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._in_meta:
            self.meta += data
        if not self._lang or not self._open:
            return
        article = self.articles[self._lang]
        where = self._open[-1] if "blockquote" not in self._open else "blockquote"
        if where == "h1":
            article["h1"] += data
        elif where == "blockquote":
            article["quotes"][-1]["text"] += data
        else:
            article["paragraphs"][-1][1] += data


def parse(path: Path) -> Article:
    parsed = Article()
    parsed.feed(path.read_text(encoding="utf-8"))
    return parsed


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    """The demo's site (``bot.py site``) and the demo's statements as stored (service, author, text, created_at)."""
    folder = tmp_path_factory.mktemp("story-site")
    bot, db = demo_database(folder)
    statements = [
        dict(zip(("service", "author", "text", "url", "created_at"), r, strict=True)) for r in db.execute(
            "select p.service, p.author, p.text, p.url, p.created_at from posts p join incidents i "
            "on i.id = p.incident_id where i.event_id = 1 order by p.created_at, p.id").fetchall()]
    db.conn.close()
    config = folder / "pushti.toml"
    config.write_text(f'[bot]\nstate = {json.dumps(str(bot.state))}\nlanguages = ["hi", "en"]\n', encoding="utf-8")
    result = run_bot("site", "--config", str(config), "--out", str(folder / "site"), "--today", "2019-07-10")
    assert result.returncode == 0, result.stderr
    return folder / "site", statements


def test_the_demo_event_has_a_story_page_in_hindi_and_english(demo: tuple[Path, list[dict]]) -> None:
    site, statements = demo
    page = parse(site / "events" / "1.story.html")
    assert set(page.articles) == {"hi", "en"} and page.tags.get("script", 0) == 0
    hi, en = page.articles["hi"], page.articles["en"]
    assert hi["data"] == en["data"] == "event:1"
    assert hi["h1"] == "फेसबुक, व्हाट्सएप, इंस्टाग्राम और ट्विटर पर घंटों दिक्कत रही; कंपनियों के मुताबिक अब समस्या लगभग दूर"
    assert en["h1"].startswith("Facebook, WhatsApp, Instagram and Twitter disrupted for hours")
    # a paragraph per company, in the order each first spoke, with its first statement's time in IST
    companies = [text for cls, text in hi["paragraphs"] if not cls]
    firsts = [("फेसबुक ने बुधवार रात 8:35 बजे (3 जुलाई)", "Facebook said in a tweet on Wednesday 3 July, 8:35 PM IST"),
              ("व्हाट्सएप ने बुधवार रात 8:50 बजे (3 जुलाई)", "WhatsApp said in a tweet on Wednesday 3 July, 8:50 PM IST"),
              ("इंस्टाग्राम ने बुधवार रात 9 बजे (3 जुलाई)", "Instagram said in a tweet on Wednesday 3 July, 9:00 PM IST"),
              ("ट्विटर ने बुधवार रात 9:45 बजे (3 जुलाई)", "Twitter said in a tweet on Wednesday 3 July, 9:45 PM IST")]
    assert [p.startswith(first) for p, (first, _) in zip(companies, firsts, strict=True)] == [True] * 4
    english = [text for cls, text in en["paragraphs"] if not cls]
    assert [p.startswith(first) for p, (_, first) in zip(english, firsts, strict=True)] == [True] * 4
    assert "गुरुवार तड़के 4:54 बजे (4 जुलाई)" in companies[3] and "लगभग 7 घंटे 9 मिनट" in companies[3]
    assert "Thursday 4 July, 4:54 AM IST (23:24 UTC, 3 July)" in english[3]
    # every statement of the event quoted as text, verbatim, under its company's paragraph (companies in the order
    # each first spoke, then time), with a link to the original and no platform embed
    order = list(dict.fromkeys(s["service"] for s in statements))
    statements = sorted(statements, key=lambda s: (order.index(s["service"]), s["created_at"]))
    stored = [s["text"].strip() for s in statements]
    for article in (hi, en):
        assert [q["text"].split("\u2014 ")[0].strip() for q in article["quotes"]] == stored
        assert [q["links"] for q in article["quotes"]] == [[s["url"]] for s in statements]
        assert all(f"(@{s['author'].lstrip('@')})" in q["text"] for q, s in zip(article["quotes"], statements, strict=True))
    assert "twitter-tweet" not in (site / "events" / "1.story.html").read_text(encoding="utf-8")
    closing = [text for cls, text in hi["paragraphs"] if cls == "unknown"]
    assert closing == ["कंपनियों ने अभी तक यह नहीं बताया है कि दिक्कत किस वजह से हुई और कितने उपयोगकर्ता प्रभावित हुए।"]
    assert "अपडेट जारी" not in page.meta and "Developing" not in page.meta  # all four resolved: not developing


def test_story_links_no_script_anywhere_and_every_internal_link_resolves(demo: tuple[Path, list[dict]]) -> None:
    site, _ = demo
    for name in ("index.html", "events/1.html", *(f"incidents/{n}.html" for n in range(1, 5))):
        assert 'href="' in (text := (site / name).read_text(encoding="utf-8"))
        assert re.search(r'href="(\.\./)?events/1\.story\.html">📰 खबर · Story<', text), name
    # the members are told in the event's story, not in stories of their own
    assert not list((site / "incidents").glob("*.story.html"))
    pages = list(site.rglob("*.html"))
    assert len(pages) > 10
    assert [p.name for p in pages if "<script" in p.read_text(encoding="utf-8").lower()] == []
    assert not broken_links(site)


def test_the_feeds_of_everything_carry_one_entry_per_story(demo: tuple[Path, list[dict]]) -> None:
    site, _ = demo
    for name, headline in (("feed.xml", "फेसबुक, व्हाट्सएप"), ("feed.hi.xml", "फेसबुक, व्हाट्सएप"),
                           ("feed.en.xml", "Facebook, WhatsApp, Instagram and Twitter disrupted")):
        entries = check_atom(site / name)
        assert len(entries) == 9  # eight statements' messages and the story
        story = [e for e in entries if e.findtext(f"{ATOM}id") == STORY_ID]
        assert len(story) == 1
        entry = story[0]
        assert (entry.findtext(f"{ATOM}title") or "").startswith(headline)
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href") == "events/1.story.html"
        assert entry.findtext(f"{ATOM}published") == "2019-07-03T15:05:00Z"  # @facebook's first word
        assert entry.findtext(f"{ATOM}updated") == "2019-07-04T00:00:00Z"  # Instagram's fix, the last word
        content = entry.findtext(f"{ATOM}content") or ""
        assert "— Twitter (@TwitterSupport) July 3, 2019" in content  # the text form of the quotes
    assert "Facebook said in a tweet" not in (check_atom(site / "feed.hi.xml")[0].findtext(f"{ATOM}content") or "")
    for feed in (site / "services").rglob("feed*.xml"):  # a service's feed has its own messages only
        assert STORY_ID not in feed.read_text(encoding="utf-8")


def test_a_developing_major_incident_gets_a_story_its_edit_keeps_the_entry(server, tmp_path: Path) -> None:
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=3)
    incident = shifted(load_incident("42hkbtl63nmn"), start)
    incident["impact"] = "major"  # as its company rated it: a story of its own
    config = site_config(tmp_path, [{"id": "github", "kind": "statuspage", "service": "GitHub", "url": server.url}],
                         site_dir=str(tmp_path / "site"))
    route = server.route("/api/v2/incidents.json", incidents_document(revealed(incident, 2)))
    assert run_bot("poll", "--once", "--config", str(config)).returncode == 0
    site = tmp_path / "site"
    stories = list((site / "incidents").glob("*.story.html"))
    assert len(stories) == 1
    page = parse(stories[0])
    assert "अपडेट जारी" in page.meta and "Developing story" in page.meta  # still open
    assert [cls for cls, _ in page.articles["en"]["paragraphs"]][0] == "developing"
    incident_page = stories[0].with_name(stories[0].name.replace(".story", ""))
    assert "📰 खबर (अपडेट जारी) · Story (developing)" in incident_page.read_text(encoding="utf-8")
    before = {e.findtext(f"{ATOM}id"): e for e in check_atom(site / "feed.en.xml")}
    story_id = next(i for i in before if i.endswith("/story"))

    edited = revealed(incident, 2)
    first = min(edited["incident_updates"], key=lambda u: u["display_at"])
    first["body"] = "Currently investigating a queue backlog affecting Pages builds."  # the company edits its words
    route.body = incidents_document(edited)
    assert run_bot("poll", "--once", "--config", str(config)).returncode == 0
    after = {e.findtext(f"{ATOM}id"): e for e in check_atom(site / "feed.en.xml")}
    assert set(after) == set(before)  # an edit is no new entry, for the statement's message nor for the story
    assert after[story_id].findtext(f"{ATOM}updated") > before[story_id].findtext(f"{ATOM}updated")
    assert after[story_id].findtext(f"{ATOM}published") == before[story_id].findtext(f"{ATOM}published")

    third = revealed(incident, 3)
    latest = max(third["incident_updates"], key=lambda u: u["display_at"])
    latest["body"] = html.escape(HOSTILE, quote=False)  # a Statuspage body is HTML: these are the words a reader saw
    route.body = incidents_document(third)
    assert run_bot("poll", "--once", "--config", str(config)).returncode == 0
    entries = check_atom(site / "feed.en.xml")
    assert [e.findtext(f"{ATOM}id") for e in entries].count(story_id) == 1  # the story told again: the same entry
    story_entry = next(e for e in entries if e.findtext(f"{ATOM}id") == story_id)
    assert HOSTILE in (story_entry.findtext(f"{ATOM}content") or "")  # the text as said, escaped by the XML writer
    text = stories[0].read_text(encoding="utf-8")
    assert "<b>bold" not in text and "<script" not in text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; and &lt;b&gt;bold&lt;/b&gt;" in text
    assert HOSTILE in [q["text"].split("\u2014")[0].strip() for q in parse(stories[0]).articles["en"]["quotes"]]

    route.body = incidents_document(incident)  # every update: resolved
    assert run_bot("poll", "--once", "--config", str(config)).returncode == 0
    page = parse(stories[0])
    assert "Developing" not in page.meta and "developing" not in [c for c, _ in page.articles["en"]["paragraphs"]]
    final = [e.findtext(f"{ATOM}id") for e in check_atom(site / "feed.en.xml")]
    assert final.count(story_id) == 1
    assert not broken_links(site)


def test_the_refresher_keeps_a_story_that_did_not_change_and_rewrites_one_that_did(tmp_path: Path) -> None:
    from outputs.site import SiteRefresher
    from outputs.site.build import SiteSettings
    from pipeline import store_posts
    from posts import Post

    bot, db = demo_database(tmp_path)
    refresher = SiteRefresher(SiteSettings(out=tmp_path / "site"))
    assert refresher.refresh(db) is not None and (tmp_path / "site" / "events" / "1.story.html").is_file()
    kept = {key: value for key, value in refresher.messages.memo.items() if key[0] == "story"}
    assert len(kept) == 1 and refresher.refresh(db) is None  # nothing changed: nothing rebuilt

    # a statement elsewhere (Facebook, a week later: not part of the event) leaves the story as it was
    at = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=5)
    post = Post(source_id="facebook", native_id="fb-later", service="Facebook", created_at=at, author="facebook",
                text="We're aware that some people are having trouble sending photos on Facebook. We're working on "
                     "a fix.", url="https://twitter.com/facebook", language="en", thread_key="fb-later")
    store_posts(db, bot, bot.source("facebook"), [post], now=at + timedelta(minutes=1))
    report = refresher.refresh(db)
    assert report is not None and report.written
    assert not any("story" in p for p in report.written_paths)
    assert [v for k, v in refresher.messages.memo.items() if k[0] == "story" and k in kept][0] is next(
        iter(kept.values()))  # the very same rendered story: not composed again

    # a new word from a member of the event: the story page (and its feed entry) are written again
    late = datetime(2019, 7, 4, 1, 0, tzinfo=timezone.utc)
    more = Post(source_id="twittersupport", native_id="tw-more", service="Twitter", created_at=late, author="TwitterSupport",
                text="Everything is back to normal now. Thanks for your patience!", url="https://twitter.com/TwitterSupport",
                language="en", thread_key="tw-2019-07-03", is_reply=True, is_self_reply=True)
    store_posts(db, bot, bot.source("twittersupport"), [more], now=late + timedelta(minutes=1))
    joined = db.execute("select i.event_id from posts p join incidents i on i.id = p.incident_id "
                        "where p.native_id = 'tw-more'").fetchone()
    assert joined == (1,)  # the same thread: Twitter's incident, a member of the event
    report = refresher.refresh(db)
    assert report is not None
    assert "events/1.story.html" in report.written_paths and "feed.xml" in report.written_paths
    assert "Everything is back to normal now." in (tmp_path / "site" / "events" / "1.story.html").read_text()


def test_which_incidents_are_told_in_a_story_and_in_whose() -> None:
    from outputs.story.subject import story_target, story_worthy

    lone = {"id": 7, "event_id": None, "kind": "incident"}
    assert [story_worthy({**lone, "impact": impact}) for impact in ("none", "minor", None, "major", "critical")] == [
        False, False, False, True, True]
    assert story_worthy({**lone, "impact": "minor", "event_id": 3})  # a member of an event: the event's story
    assert not story_worthy({**lone, "impact": "critical", "kind": "maintenance"})
    assert story_target({**lone, "event_id": 3}) == "event:3" and story_target(lone) == "incident:7"
