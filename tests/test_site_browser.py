"""The history site in a real browser: headless Chromium (Debian's ``chromium`` package; .ci/run installs it when it
is absent) loads the index, a service page and an incident page from file:// URLs built by ``bot.py site`` from the
demo's database. The DOM it builds (``--dump-dom``) must carry the facts, hostile statement text must stay text,
and no page may be wider than a 375 px phone screen. Screenshots of the three pages are written to the test's
temporary folder and their paths printed (``pytest -s`` or the junit ``screenshot`` properties show them)."""

from __future__ import annotations

import json
import struct
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pollhelpers import run_bot
from sitehelpers import CHROMIUM, demo_database, dump_dom, screenshot

from posts import Post

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs Debian's "
                                                         "package with apt-get when it can)")

HOSTILE = ("We're aware that some people are having trouble <script>alert('pwned')</script> sending <b>photos</b> "
           "& videos on Facebook. We're working to get things back to normal.")
PROBE = """<!doctype html><html><body style="margin:0">
<iframe id="page" src="%s" style="width:375px;height:800px;border:0"></iframe>
<script>
window.addEventListener('load', function () {
  var frame = document.getElementById('page');
  var doc = frame.contentDocument, view = frame.contentWindow, wide = [];
  doc.querySelectorAll('body *').forEach(function (el) {
    var box = el.getBoundingClientRect();
    var spills = el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1;  // text running out of its box
    if ((box.width > 0 && box.right > view.innerWidth + 1) || spills) { wide.push(el.tagName + '.' + el.className); }
  });
  var out = document.createElement('pre');
  out.textContent = JSON.stringify({scroll: doc.documentElement.scrollWidth, inner: view.innerWidth,
                                    wide: wide.slice(0, 10)});
  document.body.appendChild(out);
});
</script></body></html>"""


class Dom(HTMLParser):
    """Elements by tag, and the text inside each <blockquote>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.quotes: list[str] = []
        self._in_quote = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == "blockquote":
            self._in_quote = True
            self.quotes.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "blockquote":
            self._in_quote = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_quote:
            self.quotes[-1] += data


def dom_of(url: str) -> Dom:
    parsed = Dom()
    parsed.feed(dump_dom(url))
    return parsed


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's database plus one hostile statement from @facebook a week later, built by ``bot.py site``."""
    from pipeline import store_posts

    folder = tmp_path_factory.mktemp("browser")
    bot, db = demo_database(folder)
    at = datetime(2019, 7, 10, 9, 0, tzinfo=timezone.utc)
    post = Post(source_id="facebook", native_id="fb-hostile", service="Facebook", text=HOSTILE, created_at=at,
                url="https://twitter.com/facebook", author="facebook", language="en", thread_key="fb-2019-07-10")
    store_posts(db, bot, bot.source("facebook"), [post], now=at + timedelta(minutes=2))
    found = db.execute("select incident_id from posts where native_id = 'fb-hostile'").fetchone()
    assert found and found[0], "the hostile statement opened no incident"
    db.conn.close()
    config = folder / "pushti.toml"
    config.write_text(f'[bot]\nstate = {json.dumps(str(bot.state))}\nlanguages = ["hi", "en"]\n', encoding="utf-8")
    result = run_bot("site", "--config", str(config), "--out", str(folder / "site"), "--today", "2019-07-10")
    assert result.returncode == 0, result.stderr
    (folder / "site" / "hostile.txt").write_text(str(found[0]))
    return folder / "site"


def twitter_incident(site: Path) -> Path:
    return next(p for p in (site / "incidents").glob("*.html") if "twitter.com/TwitterSupport" in p.read_text())


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_three_pages_in_chromium_carry_the_facts_and_are_screenshotted(site: Path, tmp_path: Path,
                                                                      record_property) -> None:
    index = dom_of((site / "index.html").as_uri())
    text = " ".join(index.text)
    assert "आउटेज पर कंपनियों के आधिकारिक बयान" in text and "Official outage statements" in text
    assert "फेसबुक · Facebook" in text and "ट्विटर · Twitter" in text  # its name in 2019
    assert index.tags.get("svg", 0) == 4 and index.tags.get("script", 0) == 0

    service = dom_of((site / "services" / "x" / "index.html").as_uri())
    text = " ".join(service.text)
    assert "Time to resolve" in text and "7 घंटे 9 मिनट · 7 h 9 min" in text

    page = twitter_incident(site)
    incident = dom_of(page.as_uri())
    text = " ".join(incident.text)
    assert "ट्विटर · Twitter" in text
    assert "Wednesday 3 July, 9:45 PM IST (16:15 UTC)" in text and "2019-07-03 23:24 UTC" in text
    assert "7 घंटे 9 मिनट · 7 h 9 min" in text
    assert incident.quotes[-1].startswith("We're almost at 100% resolved.")

    shots = tmp_path / "screenshots"
    shots.mkdir()
    for name, path in (("index", site / "index.html"), ("service", site / "services" / "x" / "index.html"),
                       ("incident", page)):
        shot = screenshot(path.as_uri(), shots / f"{name}.png")
        assert png_size(shot) == (375, 800)
        record_property(f"screenshot_{name}", str(shot))
        print(f"screenshot of the {name} page: {shot}")


def test_the_event_story_page_in_chromium(site: Path) -> None:
    story = dom_of((site / "events" / "1.story.html").as_uri())
    text = " ".join(story.text)
    assert "फेसबुक, व्हाट्सएप, इंस्टाग्राम और ट्विटर पर घंटों दिक्कत रही" in text
    assert "Twitter said in a tweet on Wednesday 3 July, 9:45 PM IST (16:15 UTC)" in text
    assert story.tags.get("article", 0) == 2 and story.tags.get("script", 0) == 0
    assert any(q.startswith("We're almost at 100% resolved.") for q in story.quotes)  # the words, as text


def test_a_hostile_statement_is_shown_as_text(site: Path) -> None:
    incident_id = (site / "hostile.txt").read_text()
    dom = dom_of((site / "incidents" / f"{incident_id}.html").as_uri())
    assert dom.tags.get("script", 0) == 0 and dom.tags.get("b", 0) == 0  # nothing the company wrote became markup
    assert HOSTILE in dom.quotes  # the words, verbatim, as text
    assert any("<script>alert('pwned')</script>" in t for t in dom.text)


def test_no_page_is_wider_than_a_phone(site: Path, tmp_path: Path) -> None:
    hostile = (site / "hostile.txt").read_text()
    pages = [site / "index.html", site / "services" / "x" / "index.html", twitter_incident(site),
             site / "incidents" / f"{hostile}.html", site / "events" / "1.html", site / "days" / "2019-07-03.html",
             site / "services" / "facebook" / "index.html", site / "events" / "1.story.html"]
    for page in pages:
        measured = measure(site, page)
        assert measured["inner"] == 375, measured
        assert measured["scroll"] <= 375 and not measured["wide"], f"{page.relative_to(site)} overflows: {measured}"


def test_the_width_probe_catches_a_page_that_overflows(site: Path) -> None:
    wide = site / "_wide.html"
    wide.write_text('<!doctype html><html><body><p style="white-space:nowrap">' + "overflowing words " * 40 +
                    "</p></body></html>", encoding="utf-8")
    try:
        measured = measure(site, wide)
    finally:
        wide.unlink()
    assert measured["scroll"] > 375 and measured["wide"] == ["P."]  # the paragraph whose words run out


def measure(site: Path, page: Path) -> dict:
    """The page's layout in a 375 px viewport: its scroll width, the viewport width, the elements sticking out."""
    # a test-only page in the site's folder holds the page in a 375 px frame and measures its layout (headless
    # Chromium's own window is at least 500 px wide; the site's pages carry no script)
    probe = site / "_probe.html"
    probe.write_text(PROBE % page.relative_to(site).as_posix(), encoding="utf-8")
    try:
        dom = Dom()
        dom.feed(dump_dom(probe.as_uri(), "--allow-file-access-from-files"))
    finally:
        probe.unlink()
    found = [t for t in dom.text if t.startswith('{"scroll"')]
    assert found, f"{page}: the probe did not run"
    return json.loads(found[0])
