"""Markup per channel flavour ("telegram" HTML, "slack" mrkdwn, "discord" Discord Markdown, "markdown" CommonMark
for Apprise targets, "plain" console): escaping text that comes from a feed, the few constructs templates use (bold,
quote, link), and splitting a message to a length limit.

Splitting prefers paragraph boundaries, then line ends, then spaces; it never cuts inside a tag, an entity, a
Slack ``<…>`` construct or a grapheme cluster (a Devanagari consonant keeps its vowel signs and virama), and it
closes Telegram tags at the end of a part and reopens them at the start of the next.

Slack: feed text has ``& < >`` escaped (so it can never write ``<!channel>``, ``<!here>``, ``<@U…>`` or a
``<url|label>`` link), and each ``* _ ~ ` `` gets a zero-width space (U+200B) on both sides, so it no longer
touches a word and Slack does not read it as a formatting marker. A bare URL in feed text is wrapped as
``<url>`` (shown as itself, underscores intact). A line starting with ``>`` is kept from becoming a quote the same
way.

Discord and CommonMark ("discord", "markdown"): in feed text every character that could start a construct gets a
backslash (``\\ * _ ~ ` | [ ] < > #``, and ``- + =`` or ``1.`` at the start of a line), so a statement can never
write a masked link ``[label](url)``, a mention ``<@123>`` / ``<@&123>`` / ``<#123>``, a timestamp, a spoiler, a
heading or a quote; ``@everyone`` and ``@here`` get a zero-width space after the ``@`` (Discord's own advice), so
they do not even look like a mention. A bare URL is kept as it is (shown as itself). Our own links: Discord shows
the address itself (no masked link at all); CommonMark writes ``[label](url)``.
"""

from __future__ import annotations

import html
import re
import unicodedata

MARKUPS = ("telegram", "slack", "discord", "markdown", "plain")
MARKDOWNS = ("discord", "markdown")
ZWSP = "\u200b"
ZWJ, ZWNJ = "\u200d", "\u200c"
VIRAMA = "\u094d"
TELEGRAM_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre",
    "blockquote", "tg-emoji",
}
SLACK_SECTION_CHARS = 3000
SLACK_MAX_BLOCKS = 50

_SLACK_MARKERS = re.compile(r"[*_~`]")
_URL = re.compile(r"https?://[^\s<>|\"'\u200b]+")
_URL_TRAILING = ".,;:!?)]}\u2019\u201d'\""
_TG_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?>")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_SLACK_ANGLE = re.compile(r"<[^<>\n]*>")
_SLACK_BOLD = re.compile(r"\*[^*\n\u200b]{1,300}\*")
_MD_SPECIAL = re.compile(r"[\\`*_~|\[\]<>#]")
_MD_LINE_START = re.compile(r"(?m)^([ \t]*\d{0,9})([-+=.)])")
_MD_MENTION = re.compile(r"@(everyone|here)\b", re.IGNORECASE)
_MD_ESCAPED = re.compile(r"\\[^0-9A-Za-z\s]")
_MD_BOLD = re.compile(r"\*\*(?:[^*\n\\]|\\[^\n]){1,600}?\*\*")
_MD_LINK = re.compile(r"\[(?:[^\[\]\n\\]|\\[^\n]){0,300}\]\(https?://[^\s()]{1,2000}\)")


def measure(text: str) -> int:
    """Length as the chat services count it (UTF-16 code units: an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


# ---------------------------------------------------------------- escaping


def _url_end(url: str) -> str:
    while url and url[-1] in _URL_TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _slack_words(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SLACK_MARKERS.sub(lambda m: ZWSP + m.group(0) + ZWSP, text)


def escape_slack(text: str) -> str:
    """Feed text as inert Slack mrkdwn (see the module docstring)."""
    out: list[str] = []
    pos = 0
    for match in _URL.finditer(text):
        url = _url_end(match.group(0))
        if len(url) <= len("https://"):
            continue
        out.append(_slack_words(text[pos : match.start()]))
        out.append("<" + url.replace("&", "&amp;") + ">")
        pos = match.start() + len(url)
    out.append(_slack_words(text[pos:]))
    result = "".join(out)
    # a feed line that starts with ">" must not become a quote
    return re.sub(r"(?m)^(\s*)&gt;", lambda m: m.group(1) + ZWSP + "&gt;", result)


def _md_words(text: str) -> str:
    text = _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), text)
    return _MD_MENTION.sub(lambda m: "@" + ZWSP + m.group(1), text)


def escape_markdown(text: str) -> str:
    """Feed text as inert Discord Markdown / CommonMark (see the module docstring)."""
    out: list[str] = []
    pos = 0
    for match in _URL.finditer(text):
        url = _url_end(match.group(0))
        if len(url) <= len("https://") or "\\" in url or "`" in url:
            continue
        out.append(_md_words(text[pos : match.start()]))
        out.append(url)
        pos = match.start() + len(url)
    out.append(_md_words(text[pos:]))
    # a line that starts like a list item, a setext heading's underline or an ordered list stays text
    return _MD_LINE_START.sub(
        lambda m: m.group(0) if m.group(2) in "-+=" and m.group(1).strip() else m.group(1) + "\\" + m.group(2),
        "".join(out))


def escape(text: str, markup: str) -> str:
    """Escape untrusted text (a statement, a name, a title) for the markup."""
    text = str(text)
    if markup == "telegram":
        return html.escape(text, quote=False)
    if markup == "slack":
        return escape_slack(text)
    if markup in MARKDOWNS:
        return escape_markdown(text)
    return text


def bold(text: str, markup: str) -> str:
    """Bold an *already escaped* run of text."""
    if markup == "telegram":
        return f"<b>{text}</b>"
    if markup == "slack":
        return f"*{text}*"
    if markup in MARKDOWNS:
        return f"**{text}**"
    return text


def quote(text: str, markup: str) -> str:
    """A statement quoted verbatim (raw text in, markup out)."""
    text = text.strip("\n")
    if markup == "telegram":
        return f"<blockquote>{escape(text, markup)}</blockquote>"
    if markup == "slack":
        return "\n".join("> " + line for line in escape(text, markup).split("\n"))
    if markup in MARKDOWNS:  # an empty line keeps the quote going (a trailing space would be trimmed)
        return "\n".join("> " + (line if line.strip() else ZWSP) for line in escape(text, markup).split("\n"))
    return f"“{text}”"


def safe_url(url: str) -> str:
    """The URL if it is an http(s) URL without spaces, else ""."""
    url = (url or "").strip()
    return url if re.match(r"^https?://[^\s<>\"]+$", url) else ""


def link(url: str, label: str, markup: str) -> str:
    """A link to ``url`` showing ``label`` (raw text); a URL that is not plain http(s) is shown, not linked."""
    target = safe_url(url)
    if not target:
        return escape(url or label, markup)
    if markup == "telegram":
        return f'<a href="{html.escape(target, quote=True)}">{escape(label, markup)}</a>'
    if markup == "slack":
        target = target.replace("&", "&amp;").replace("|", "%7C")
        label_text = _slack_words(label).replace("|", "\u2223")
        return f"<{target}|{label_text}>"
    if markup == "markdown":
        target = target.replace("(", "%28").replace(")", "%29")
        return f"[{escape_markdown(label)}]({target})"
    return target  # plain text and Discord: the address itself


# ---------------------------------------------------------------- clusters


def _joins(before: str, after: str) -> bool:
    """True when a split between these two characters would cut a grapheme cluster."""
    if before == "\r" and after == "\n":
        return True
    if before in (ZWJ, ZWNJ) or after in (ZWJ, ZWNJ):
        return True
    if before == VIRAMA:
        return True
    code = ord(after)
    if 0x0900 <= code <= 0x0903 or 0x093A <= code <= 0x094F or 0x0951 <= code <= 0x0957 or 0x0962 <= code <= 0x0963:
        return True
    return unicodedata.category(after).startswith("M")  # any other combining mark (and emoji variation selectors)


def is_boundary(text: str, index: int) -> bool:
    """May ``text`` be cut before ``text[index]`` without splitting a grapheme cluster?"""
    if index <= 0 or index >= len(text):
        return True
    return not _joins(text[index - 1], text[index])


# ---------------------------------------------------------------- splitting


def _atoms(text: str, markup: str) -> list[str]:
    """Indivisible pieces: tags, entities, Slack ``<…>`` and our ``*bold*`` runs, grapheme clusters."""
    atoms: list[str] = []
    i, n = 0, len(text)
    rich = markup in ("telegram", "slack")
    while i < n:
        ch = text[i]
        match = None
        if rich and ch == "&":
            match = _ENTITY.match(text, i)
        elif markup == "telegram" and ch == "<":
            match = _TG_TAG.match(text, i)
        elif markup == "slack" and ch == "<":
            match = _SLACK_ANGLE.match(text, i)
        elif markup == "slack" and ch == "*" and (i == 0 or text[i - 1] != ZWSP):
            match = _SLACK_BOLD.match(text, i)
        elif markup in MARKDOWNS and ch == "\\":
            match = _MD_ESCAPED.match(text, i)
        elif markup in MARKDOWNS and ch == "*":
            match = _MD_BOLD.match(text, i)
        elif markup == "markdown" and ch == "[":
            match = _MD_LINK.match(text, i)
        if match:
            atoms.append(match.group(0))
            i = match.end()
            continue
        j = i + 1
        while j < n and _joins(text[j - 1], text[j]) and not (rich and text[j] in "<&"):
            j += 1
        atoms.append(text[i:j])
        i = j
    return atoms


def _tag(atom: str) -> tuple[str, bool] | None:
    """(name, is_closing) for a Telegram tag atom, else None."""
    if not atom.startswith("<"):
        return None
    match = _TG_TAG.fullmatch(atom)
    if not match:
        return None
    return match.group(1).lower(), atom.startswith("</")


def _level(atoms: list[str], k: int, markup: str) -> int:
    """How good a cut before atoms[k] is: 3 paragraph, 2 line, 1 space, 0 cluster, -1 never."""
    before, after = atoms[k - 1], atoms[k]
    if markup == "telegram":
        tag_before, tag_after = _tag(before), _tag(after)
        if tag_before and not tag_before[1]:
            return -1  # right after an opening tag: would leave an empty element
        if tag_after and tag_after[1]:
            return -1  # right before a closing tag
    if before == "\n":
        return 3 if k >= 2 and atoms[k - 2] == "\n" else 2
    if before.isspace():
        return 1
    if after.isspace():
        return 1
    return 0


def _closers(stack: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _line_prefix(atoms: list[str], k: int, markup: str) -> str:
    """Slack and Markdown quotes are per line: a part that starts mid-line inside a quote starts with "> " again."""
    if markup not in ("slack", *MARKDOWNS):
        return ""
    j = k - 1
    while j >= 0 and atoms[j] != "\n":
        j -= 1
    return "> " if atoms[j + 1 : j + 3] == [">", " "] else ""


def split(text: str, max_chars: int, markup: str = "plain") -> list[str]:
    """Cut ``text`` into parts of at most ``max_chars`` (see the module docstring). Never returns an empty list."""
    text = text.strip()
    if measure(text) <= max_chars:
        return [text]
    atoms = _atoms(text, markup)
    sizes = [measure(a) for a in atoms]
    parts: list[str] = []
    start = 0
    stack: list[tuple[str, str]] = []  # open Telegram tags: (name, opening tag text)
    prefix = ""
    n = len(atoms)
    while start < n:
        while start < n and atoms[start].isspace():
            start += 1
        if start >= n:
            break
        opening = "".join(tag for _, tag in stack)
        head = prefix + opening
        length = measure(head)
        current = list(stack)
        candidates: list[tuple[int, int, int, list[tuple[str, str]]]] = []  # (level, k, filled, stack)
        k = start
        end = None
        while k < n:
            tag = _tag(atoms[k]) if markup == "telegram" else None
            nxt = list(current)
            if tag:
                name, closing = tag
                if closing:
                    for idx in range(len(nxt) - 1, -1, -1):
                        if nxt[idx][0] == name:
                            del nxt[idx]
                            break
                elif name in TELEGRAM_TAGS:
                    nxt.append((name, atoms[k]))
            total = length + sizes[k] + measure(_closers(nxt))
            if total > max_chars and k > start:
                break
            length += sizes[k]
            current = nxt
            k += 1
            if k == n:
                end = n
                break
            level = _level(atoms, k, markup)
            if level >= 0:
                candidates.append((level, k, length, list(current)))
        if end is None:
            chosen = None
            for level in (3, 2, 1, 0):
                good = [c for c in candidates if c[0] == level and c[2] >= max_chars * 0.5]
                if good:
                    chosen = good[-1]
                    break
            if chosen is None and candidates:
                chosen = max(candidates, key=lambda c: (c[0] > 0, c[1]))
            if chosen is None:
                chosen = (0, k, length, current)  # a single atom larger than the limit: cannot do better
            _, end, _, current = chosen
        body = atoms[start:end]
        while body and body[-1].isspace():
            body.pop()
        parts.append(head + "".join(body) + _closers(current))
        prefix = _line_prefix(atoms, end, markup) if end < n and atoms[end - 1] != "\n" else ""
        stack = current
        start = end
    return parts or [""]


def telegram_balanced(text: str) -> bool:
    """Every tag is an allowed Telegram tag and tags nest and close properly."""
    stack: list[str] = []
    for match in re.finditer(r"<[^<>]*>", text):
        tag = _TG_TAG.fullmatch(match.group(0))
        if not tag or tag.group(1).lower() not in TELEGRAM_TAGS:
            return False
        name = tag.group(1).lower()
        if match.group(0).startswith("</"):
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack and "<" not in re.sub(r"<[^<>]*>", "", text)


def slack_blocks(text: str) -> list[dict[str, object]]:
    """Block Kit section blocks for one message (each ≤ 3,000 characters; ``verbatim``: no auto-linking)."""
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": section, "verbatim": True}}
        for section in split(text, SLACK_SECTION_CHARS, "slack")
        if section
    ]


# ---------------------------------------------------------------- Markdown helpers (Discord embeds, Apprise)

STATUS_COLOURS = {  # the status mark a message's first line opens with → an embed's colour (Discord)
    "🔴": 0xE74C3C,  # acknowledged, back again
    "🟠": 0xE67E22,  # update, still working
    "🟡": 0xF1C40F,  # fix applied, monitoring
    "🟢": 0x2ECC71,  # acknowledged after it was fixed
    "✅": 0x2ECC71,  # resolved, maintenance completed
    "🛠": 0x3498DB,  # planned maintenance
    "📄": 0x95A5A6,  # post-incident report
    "🌐": 0x9B59B6,  # several services at once
    "⚠️": 0xF39C12,  # a notice, a completion that is not one
    "⚪": 0xBDC3C7,  # no longer listed
    "📋": 0x607D8B,  # digest
    "✏️": 0x95A5A6,  # the company edited its statement
}
NEUTRAL_COLOUR = 0x607D8B
_LEADING_MARKUP = re.compile(r"^[\s*_>\u200b]*")


def status_mark(text: str) -> str:
    """The status mark (🔴, ✅, 🛠 …) the text's first line opens with, "" when it opens with none."""
    head = _LEADING_MARKUP.sub("", text, count=1)[:3]
    for mark in sorted(STATUS_COLOURS, key=len, reverse=True):
        if head.startswith(mark) or (mark.endswith("\ufe0f") and head.startswith(mark[:-1])):
            return mark
    return ""


def markdown_to_plain(text: str) -> str:
    """A message of the "discord" / "markdown" flavour as plain text: our bold markers dropped, our links shown as
    their address, escapes undone (the text a plain-text target is sent)."""
    text = _MD_BOLD.sub(lambda m: m.group(0)[2:-2], text)
    text = _MD_LINK.sub(lambda m: m.group(0)[m.group(0).rindex("](") + 2 : -1].replace("%28", "(").replace("%29", ")"),
                        text)
    text = _MD_ESCAPED.sub(lambda m: m.group(0)[1], text)
    return re.sub(r"(?m)^> \u200b$", ">", text)
