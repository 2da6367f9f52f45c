"""The "discord" and "markdown" flavours of markup.py: feed text escaped so no construct survives, undone exactly
by ``markdown_to_plain``, split without cutting an escape, a bold run or a quote; status marks."""

from __future__ import annotations

import random
import re

import pytest

import markup as mk

SPECIAL = "\\`*_~|[]<>#-+=.)(@:! \n1everyonehrab/"


def unescaped_specials(text: str) -> list[str]:
    """Construct characters not preceded by an escaping backslash (URLs left whole are skipped by the caller)."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in "`*_~|[]<>#":
            out.append(text[i])
        i += 1
    return out


@pytest.mark.parametrize("flavour", mk.MARKDOWNS)
def test_escaped_feed_text_has_no_live_construct_and_reads_as_itself(flavour):
    rng = random.Random(15)
    for _ in range(2000):
        text = "".join(rng.choice(SPECIAL) for _ in range(rng.randint(1, 40)))
        escaped = mk.escape(text, flavour)
        assert unescaped_specials(escaped) == [], (text, escaped)
        assert not re.search(r"@(everyone|here)", escaped, re.IGNORECASE)
        assert not re.search(r"(?m)^[ \t]*(?:[-+=]|\d*[.)])", escaped)  # no list item, heading underline or numbered line
        assert mk.markdown_to_plain(escaped) == re.sub(r"@(?=everyone|here)", "@\u200b", text, flags=re.IGNORECASE)


def test_urls_stay_whole_and_masked_links_do_not_form():
    escaped = mk.escape("see https://www.githubstatus.com/incidents/a_b*c and [x](https://evil.example)", "discord")
    assert "https://www.githubstatus.com/incidents/a_b*c" in escaped
    assert "\\[x\\](https://evil.example)" in escaped
    assert mk.link("https://example.com/a_(b)", "example.com/a_(b)", "discord") == "https://example.com/a_(b)"
    assert mk.link("https://example.com/a(b)", "example.com", "markdown") == "[example.com](https://example.com/a%28b%29)"
    assert mk.link("javascript:alert(1)", "x", "markdown") == "javascript:alert(1)"


@pytest.mark.parametrize("flavour", mk.MARKDOWNS)
def test_splitting_never_cuts_an_escape_a_bold_run_or_a_quote(flavour):
    rng = random.Random(4)
    statement = " ".join("".join(rng.choice("ab*_\\[]<>@ ") for _ in range(8)) for _ in range(400))
    text = mk.bold(mk.escape("🔴 GitHub: trouble", flavour), flavour) + "\n" + mk.quote(statement, flavour)
    parts = mk.split(text, 300, flavour)
    assert len(parts) > 5
    for part in parts:
        assert mk.measure(part) <= 300
        assert not re.search(r"(?<!\\)(?:\\\\)*\\$", part)  # no dangling backslash at the end
        assert part.count("**") % 2 == 0
    assert all(line.startswith("> ") for part in parts[1:] for line in part.split("\n"))  # the quote goes on
    joined = " ".join(mk.markdown_to_plain(p).replace("> ", "").replace("\n", " ") for p in parts)
    assert " ".join(joined.split()).endswith(" ".join(statement.split()[-3:]))


def test_status_marks_and_colours():
    assert mk.status_mark("**🔴 GitHub: trouble**") == "🔴"
    assert mk.status_mark("**✅ GitHub: resolved**\nmore") == "✅"
    assert mk.status_mark("> **⚠️ notice**") == "⚠️"
    assert mk.status_mark("**🛠 GitHub: maintenance**") == "🛠"
    assert mk.status_mark("plain words") == ""
    assert len(set(mk.STATUS_COLOURS.values())) >= 9
