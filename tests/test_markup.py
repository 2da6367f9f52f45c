"""Escaping per markup (feed text can never format, mention or link on its own) and splitting to limits."""

from __future__ import annotations

import re

import pytest

import markup as mk
from markup import ZWSP, escape, is_boundary, link, measure, quote, split, telegram_balanced

HOSTILE = "<script>alert(1)</script> &amp; <!channel> <!here> <@U024BE7LH> *bold* _x_ ~s~ `code`"
UNDERSCORE_URL = "https://status.example.com/incidents/abc_def_ghi?from=a_b&to=c"


def test_telegram_escapes_only_amp_lt_gt():
    out = escape(HOSTILE + ' "quoted"', "telegram")
    assert "<" not in out and ">" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "&amp;amp;" in out  # the feed's literal "&amp;" is shown as written
    assert "*bold* _x_ ~s~ `code`" in out and '"quoted"' in out  # nothing else touched
    assert telegram_balanced(out)


def test_slack_feed_text_cannot_mention_link_or_format():
    out = escape(HOSTILE, "slack")
    assert "<!channel>" not in out and "<!here>" not in out and "<@U" not in out and "<script" not in out
    assert "&lt;!channel&gt;" in out and "&lt;@U024BE7LH&gt;" in out and "&amp;amp;" in out
    for marker in "*_~`":
        for match in re.finditer(re.escape(marker), out):
            i = match.start()
            assert out[i - 1] == ZWSP and out[i + 1] == ZWSP, (marker, out[i - 3 : i + 4])
    assert out.replace(ZWSP, "") == "&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; &lt;!channel&gt; &lt;!here&gt; " \
        "&lt;@U024BE7LH&gt; *bold* _x_ ~s~ `code`"  # the text itself is unchanged


def test_slack_cannot_forge_a_labelled_link():
    out = escape("click <https://evil.example/x|your bank> now", "slack")
    for construct in re.findall(r"<[^<>]*>", out):
        assert "|" not in construct and not construct.startswith(("<!", "<@", "<#"))
    assert "<https://evil.example/x>" in out  # a bare address is shown as itself
    assert "your bank&gt;" in out


def test_url_with_underscores_survives_both_markups():
    text = f"Details: {UNDERSCORE_URL}. Thanks _all_"
    slack = escape(text, "slack")
    assert "<https://status.example.com/incidents/abc_def_ghi?from=a_b&amp;to=c>." in slack
    assert f"{ZWSP}_{ZWSP}all{ZWSP}_{ZWSP}" in slack  # outside the URL the markers are neutral
    telegram = escape(text, "telegram")
    assert "https://status.example.com/incidents/abc_def_ghi?from=a_b&amp;to=c." in telegram
    assert link(UNDERSCORE_URL, "status", "telegram") == (
        '<a href="https://status.example.com/incidents/abc_def_ghi?from=a_b&amp;to=c">status</a>'
    )
    assert link(UNDERSCORE_URL, "a_b", "slack") == (
        f"<https://status.example.com/incidents/abc_def_ghi?from=a_b&amp;to=c|a{ZWSP}_{ZWSP}b>"
    )


def test_links_only_for_http_urls():
    assert link("javascript:alert(1)", "x", "telegram") == "javascript:alert(1)"
    assert link('https://a.example/"><b>', "x", "telegram") == 'https://a.example/"&gt;&lt;b&gt;'  # shown, not linked
    assert link("https://a.example/p|q", "x", "slack") == "<https://a.example/p%7Cq|x>"
    assert link("https://a.example/", "a.example", "plain") == "https://a.example/"


def test_slack_feed_line_starting_with_gt_is_not_a_quote():
    out = escape("> not a quote\nline", "slack")
    assert out.startswith(ZWSP + "&gt;")


def test_quote_per_markup():
    assert quote("a < b\nc", "telegram") == "<blockquote>a &lt; b\nc</blockquote>"
    assert quote("a *b*\nc", "slack") == f"> a {ZWSP}*{ZWSP}b{ZWSP}*{ZWSP}\n> c"
    assert quote("as written", "plain") == "“as written”"


def test_measure_counts_utf16_units():
    assert measure("abc") == 3 and measure("✅") == 1 and measure("🚨") == 2 and measure("कि") == 2


# ---------------------------------------------------------------- splitting

SENTENCE = "We are investigating elevated error rates & delays <for> some_users. "


def long_statement(n: int = 10_000) -> str:
    text = ""
    paragraph = 0
    while len(text) < n:
        paragraph += 1
        text += (SENTENCE * 7).strip() + (" \n\n" if paragraph % 3 == 0 else " ")
    return text[:n]


def visible(html: str) -> str:
    import html as h

    return h.unescape(re.sub(r"<[^<>]*>", "", html))


def test_ten_thousand_characters_in_telegram_split_into_valid_parts():
    statement = long_statement()
    text = "<b>🔴 GitHub: problem acknowledged</b>\nGitHub wrote:\n" + quote(statement, "telegram") + "\n🔗 <a href=\"https://x.example/a_b\">x.example</a>"
    parts = split(text, 4096, "telegram")
    assert len(parts) >= 3
    for part in parts:
        assert measure(part) <= 4096
        assert telegram_balanced(part), part[:80] + " … " + part[-80:]
        assert not re.search(r"&[a-z#0-9]*$", part)  # no entity cut in two
    joined = " ".join(visible(p) for p in parts)
    assert " ".join(joined.split()) == " ".join(visible(text).split())  # nothing lost, nothing added
    assert all(p.count("<blockquote>") == p.count("</blockquote>") for p in parts)
    assert parts[1].startswith("<blockquote>")  # the quote is reopened in the next part


def test_ten_thousand_characters_in_slack_keep_quote_lines_and_entities():
    statement = long_statement().replace("\n\n", " ")  # one long quoted line
    text = "*🔴 GitHub*\n" + quote(statement, "slack")
    parts = split(text, 3000, "slack")
    assert len(parts) >= 4
    for part in parts:
        assert measure(part) <= 3000
        assert not re.search(r"&[a-z#0-9]*$", part)
        assert part.startswith(("*🔴", "> "))  # a part that starts inside the quote is still quoted
    def unquoted(value: str) -> str:
        return " ".join(re.sub(r"(?m)^> ", "", value).split())

    assert unquoted("\n".join(parts)) == unquoted(text)


def test_plain_split_prefers_paragraphs():
    text = "first paragraph " * 10 + "\n\n" + "second paragraph " * 10
    parts = split(text, 200, "plain")
    assert parts == [("first paragraph " * 10).strip(), ("second paragraph " * 10).strip()]


def test_split_never_inside_a_tag_or_slack_link():
    link_html = '<a href="https://example.com/very/long/path_with_underscores">example</a> '
    parts = split(link_html * 200, 500, "telegram")
    for part in parts:
        assert telegram_balanced(part) and measure(part) <= 500
    slack_links = "<https://example.com/very/long/path_with_underscores|example> " * 200
    for part in split(slack_links, 500, "slack"):
        assert part.count("<") == part.count(">") and measure(part) <= 500


HINDI = (
    "भारत समेत दुनियाभर में बुधवार रात को सोशल मीडिया के सबसे लोकप्रिय प्लेटफॉर्म फेसबुक, व्हाट्सएप, इंस्टाग्राम "
    "और ट्विटर पर अचानक आई तकनीकी खामी से सोशल मीडिया घंटों तक सन्नाटे में डूबा रहा। क्षमाप्रार्थी स्त्री "
)


def cut_points(parts: list[str], text: str) -> list[int]:
    """Where in ``text`` each part after the first begins."""
    points, pos = [], 0
    for part in parts[:-1]:
        pos = text.index(part, pos) + len(part)
        while text[pos].isspace():
            pos += 1
        points.append(pos)
    return points


@pytest.mark.parametrize("limit", [7, 11, 23, 50, 97, 301])
def test_devanagari_never_split_inside_a_cluster(limit):
    text = HINDI * 20
    parts = split(text, limit, "plain")
    assert "".join("".join(parts).split()) == "".join(text.split())
    for point in cut_points(parts, text):
        assert is_boundary(text, point), repr(text[point - 2 : point + 2])
    for part in parts:
        assert measure(part) <= limit
        assert not part[-1] == mk.VIRAMA and not re.match(r"[\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963]", part)


def test_devanagari_without_spaces_cuts_between_clusters():
    text = "क्षि" * 600 + "स्त्री" * 400  # conjuncts with virama and vowel signs, no spaces at all
    parts = split(text, 100, "telegram")
    assert "".join(parts) == text
    for point in cut_points(parts, text):
        assert is_boundary(text, point)
        assert text[point - 1] != mk.VIRAMA and not mk._joins(text[point - 1], text[point])


def test_cluster_rule():
    word = "क्षि"  # क ् ष ि
    assert [is_boundary(word, i) for i in range(1, 4)] == [False, False, False]
    assert is_boundary("कक", 1)
    zwj = "क्\u200dष"
    assert not is_boundary(zwj, 2) and not is_boundary(zwj, 3)
    assert not is_boundary("ँकँ", 2)  # a candrabindu stays with its consonant
    assert not is_boundary("❤️", 1)  # an emoji keeps its variation selector
