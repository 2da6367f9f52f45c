"""``html_to_text``'s fast path (``trackers.html_text._feed_simple``, a tokeniser for plain markup) gives
exactly the text of the ``html.parser`` path it skips: on every real body and feed field in ``tests/data`` and
on a few thousand seeded hostile fragments (stray "<" and "&", unterminated entities and tags, comments,
scripts, odd attribute quoting, CR/LF, NUL), with every combination of ``newlines``, ``bullets`` and
``links``."""

from __future__ import annotations

import itertools
import json
import random
import warnings
from pathlib import Path

import pytest

from trackers import html_text
from trackers.html_text import _html_to_text

DATA = Path(__file__).parent / "data"
OPTIONS = list(itertools.product((False, True), repeat=3))  # (newlines, bullets, links)


def _strings(value: object, keys: set[str]) -> list[str]:
    """Every string under one of ``keys`` anywhere in a JSON document."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and key in keys:
                found.append(item)
            else:
                found += _strings(item, keys)
    elif isinstance(value, list):
        for item in value:
            found += _strings(item, keys)
    return found


def real_markup() -> list[str]:
    """Status-API bodies and texts, social post HTML, and the raw HTML of every feed entry's fields."""
    import feedparser

    keys = {"body", "content", "text", "description", "details", "summary", "title", "name", "external_desc"}
    found: list[str] = []
    for path in sorted(DATA.rglob("*.json")):
        try:
            found += _strings(json.loads(path.read_text(encoding="utf-8")), keys)
        except (UnicodeDecodeError, ValueError):
            continue
    feeds = [p for p in sorted(DATA.rglob("*")) if p.suffix in (".atom", ".rss", ".xml")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in feeds:
            parsed = feedparser.parse(path.read_bytes(), sanitize_html=False, resolve_relative_uris=False)
            for entry in parsed.entries:
                found += [c.get("value") or "" for c in entry.get("content") or []]
                found += [entry[k] for k in ("title", "summary") if isinstance(entry.get(k), str)]
    return sorted({s for s in found if s})


_TAGS = ["p", "div", "br", "li", "ul", "ol", "a", "A", "pre", "PRE", "b", "strong", "var", "small", "span", "hr",
         "h1", "img", "script", "style", "title", "template", "head", "textarea", "o:p", "x-y", "Br", "LI"]
_ATTRS = ['href="https://x.example/a?b=1&amp;c=2"', "href='&#39;q&#x27'", "href=https://x.example/", "href=x/",
          'HREF="https://y.example"', 'href=""', "href", 'href = "z"', "href= https://z.example/", 'href=="z"',
          'title="a>b"', "title='it\"s'", 'data-var="date"', "class=x", 'a="1"b="2"', "href=&amp",
          'href="&notin;&not"', "href=`x`", "\vhref=v"]
_TEXT = ["a", "b c", " ", "  ", "\n", "\r\n", "\r", "\t", "\x00", "\xa0", "\x0b", "é", ";", "#", "'", '"', "=", ">",
         "/", "-", "x.example", "https://x.example/a", "@me", "#tag", "…", "details", "Investigating."]
_ENTITIES = ["&", "&amp", "&amp;", "&AMP;", "&#39;", "&#39", "&#x27", "&#x27;", "&#X27;", "&nbsp", "&nbsp;", "&notin;",
             "&not", "&notit;", "&#", "&#x", "&#0;", "&#1114112;", "&lt;", "&gt", "&;", "&ampx", "&#65", "&#xZZ;", "&a"]
_ODD = ["<", "<>", "< ", "<3", "<=", "<<", "<\x00", "</>", "</ p>", "<!-- c -->", "<!--x--!>", "<!-->", "<!---->",
        "<!DOCTYPE html>", "<![CDATA[x<b>]]>", "<?pi?>", "<!x>", "<!", "<?", "</", "<p", "</p", '<a href="x',
        "<p / >", "<br / >", "<p\v>", "<p\x00>", "<br\x00/>", '<a href=x/y"/>', "<p\tid='1'\n>", "<p id='1'/ >",
        "</p id=x>", "<P CLASS=X>", "</script>"]


def _tag(rng: random.Random) -> str:
    name = rng.choice(_TAGS)
    shape = rng.random()
    if shape < 0.35:
        return f"</{name}{rng.choice(['', '', ' ', chr(10), '  '])}>"
    attrs = "".join(rng.choice([" ", "\n", "\t", "  "]) + rng.choice(_ATTRS) for _ in range(rng.choice([0, 0, 1, 2])))
    end = rng.choice([">", ">", "/>", " />", " >", "\n>"])
    return f"<{name}{attrs}{end}"


def hostile(rng: random.Random) -> str:
    """A fragment of mostly plain markup with the odd trap in it; about a third pass the fast path."""
    odd = rng.random() < 0.5
    pieces = []
    for _ in range(rng.randint(1, 24)):
        roll = rng.random()
        if roll < 0.3:
            pieces.append(_tag(rng))
        elif roll < 0.35:  # a whole link, so that its address (attribute unescaping) shows with links=True
            pieces.append(f"<a {rng.choice(_ATTRS)}>{rng.choice(_TEXT + _ENTITIES)}</a>")
        elif roll < 0.65:
            pieces.append(rng.choice(_TEXT))
        elif roll < 0.9:
            pieces.append(rng.choice(_ENTITIES))
        elif odd:
            pieces.append(rng.choice(_ODD))
        else:
            pieces.append(rng.choice(["<", "< ", "<3", "<=", "\n<", " \r\n<"]))
    return "".join(pieces)


def _check(markup: str) -> None:
    for newlines, bullets, links in OPTIONS:
        fast = _html_to_text(markup, newlines, bullets, links, fast=True)
        reference = _html_to_text(markup, newlines, bullets, links, fast=False)
        assert fast == reference, (markup, newlines, bullets, links)


def test_real_markup_identical() -> None:
    markup = real_markup()
    assert len(markup) > 800
    assert sum("<" in m for m in markup) > 100
    for one in markup:
        _check(one)


@pytest.mark.parametrize("seed", range(4))
def test_hostile_markup_identical(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    simple = 0
    feed_simple = html_text._feed_simple

    def counting(collector: html_text._TextCollector, markup: str) -> bool:
        nonlocal simple
        done = feed_simple(collector, markup)
        simple += done
        return done

    monkeypatch.setattr(html_text, "_feed_simple", counting)
    rng = random.Random(seed)
    cases = 1000
    for _ in range(cases):
        _check(hostile(rng))
    assert simple > cases * len(OPTIONS) // 4  # the fast path itself is what gets compared, often enough


def test_fast_path_taken_for_plain_markup(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    monkeypatch.setattr(html_text._ParsingCollector, "feed", lambda self, markup: parsed.append(markup))
    markup = '<p>a &amp; b</p><ul><li><a href="https://y.example/">details</a></li></ul>< 5'
    assert html_text.html_to_text(markup, bullets=True, links=True) == "a & b\n\n- details (https://y.example/)\n< 5"
    assert html_text.html_to_text("plain\r\ntext &notin; here", newlines=True) == "plain\ntext ∉ here"
    assert parsed == []
    assert html_text.html_to_text("a<!-- b -->c") == ""  # (html.parser stubbed out: nothing collected)
    assert parsed == ["a<!-- b -->c"]
