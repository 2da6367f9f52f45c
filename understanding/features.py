"""Features of one statement for the learned classifier: words, word pairs, the last sentence's words, lexicon hits,
and context (source kind, reply flags, position in its thread, time since the previous statement, the words of the
incident's title).

The same function feeds training (bench/train_classifier.py) and run time (understanding.model), so the two can
never drift apart. Pure functions, no I/O. The text is bounded (MAX_CHARS) so any input costs bounded time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from understanding.lexicon import _URL, detect_language, lexicon_hits, normalise

MAX_CHARS = 4000  # statements are short; the first 4,000 characters decide (a 1 MB text costs no more)

# Lexicon signals used as features (their words live in data/lexicon.toml).
LEXICON_SIGNALS = (
    "resolved",
    "negated",
    "retrospective",
    "report",
    "update",
    "recovering",
    "partial",
    "acknowledged",
    "problem",
    "service_wide",
    "customer_care",
    "care_hint",
    "marketing",
    "maintenance",
)

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|[\u0900-\u0963\u0966-\u097f]+|\d+")
_SENTENCE_END = re.compile(r"[.!?।]\s+(?=\S)")
_HANDLE = re.compile(r"(?<![\w@])@\w+")
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\s*(?:am|pm)?\b|\b\d{1,2}\s*(?:am|pm)\b")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b")
_PERCENT = re.compile(r"\b\d+(?:\.\d+)?\s*%")
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")
_MARKDOWN = re.compile(r"[#*_`>|]+")


@dataclass(frozen=True)
class Context:
    """What is known about a statement besides its words. Unknown is "" / None (the model was trained with
    unknowns too, so leaving a field empty is always allowed)."""

    source: str = ""  # "status" (a status page or feed), "social" (x, bluesky, mastodon), "" unknown
    is_reply: bool = False  # a reply to another account's post
    is_self_reply: bool = False  # a reply to the same account's own post (a self-thread)
    position: str = ""  # "first" (the first statement of its thread/incident), "later", "" unknown
    gap_seconds: float | None = None  # time since the previous statement of the same thread
    title: str = ""  # the incident's title as its source names it (Statuspage incident name, feed entry title)


def canonical(norm: str) -> str:
    """Normalised text with the variable parts (links, handles, clock times, dates, numbers) as placeholders."""
    norm = norm[:MAX_CHARS]
    # each pattern runs only on text that has what any match of it needs (a link "http" or "www.", a clock time
    # ":" or am/pm, a date "-" or "/", a percentage "%"): the same text, fewer scans
    if "http" in norm or "www." in norm:
        norm = _URL.sub(" zurl ", norm)
    if "@" in norm:
        norm = _HANDLE.sub(" zhandle ", norm)
    if _has_digit(norm):
        if ":" in norm or "am" in norm or "pm" in norm:
            norm = _TIME.sub(" ztime ", norm)
        if "-" in norm or "/" in norm:
            norm = _DATE.sub(" zdate ", norm)
        if "%" in norm:
            norm = _PERCENT.sub(" zpercent ", norm)
        norm = _NUMBER.sub(" znum ", norm)
    return _MARKDOWN.sub(" ", norm)


def _has_digit(text: str) -> bool:
    """Whether a character of ``text`` is a digit (str.isdigit, Unicode digits too): ASCII text, the common case,
    by ten substring scans in C instead of a Python test per character."""
    if text.isascii():
        return any(digit in text for digit in "0123456789")
    return any(map(str.isdigit, text))


def _gap_bucket(seconds: float | None) -> str:
    if seconds is None or seconds != seconds or seconds < 0:
        return ""
    for limit, name in ((600, "10m"), (3600, "1h"), (4 * 3600, "4h"), (24 * 3600, "1d")):
        if seconds < limit:
            return name
    return "long"


def text_features(norm: str, lexicon_hits: tuple[str, ...]) -> list[str]:
    """Features of the words alone (``norm``: classify.normalise output)."""
    text = canonical(norm)
    words = _WORD.findall(text)
    feats = ["bias"]
    if not words:
        feats.append("empty")
    feats.extend("w:" + w for w in words)
    feats.extend(f"b:{a}_{b}" for a, b in zip(words, words[1:], strict=False))
    if words:
        feats.append("first:" + words[0])
        if len(words) > 1:
            feats.append(f"first2:{words[0]}_{words[1]}")
    sentences = _SENTENCE_END.split(text.strip())
    if len(sentences) > 1:
        last = _WORD.findall(sentences[-1])
        feats.extend("l:" + w for w in last)
        feats.extend(f"lb:{a}_{b}" for a, b in zip(last, last[1:], strict=False))
    n = len(words)
    feats.append("len:" + ("1-3" if n <= 3 else "4-10" if n <= 10 else "11-40" if n <= 40 else "41-150" if n <= 150 else "150+"))
    feats.extend("lex:" + hit for hit in lexicon_hits)
    return feats


TITLE_CHARS = 300  # a title is a line; longer is not a title
# What a title names: planned work, or trouble. Cues shared by every page, so they carry to pages never seen.
_TITLE_PLANNED = re.compile(r"\b(?:maintenance|planned|scheduled|upgrad\w*|migrat\w*|capacity expansion)\b")
_TITLE_TROUBLE = re.compile(
    r"\b(?:issues?|outages?|degrad\w*|impacted|impacting|errors?|down|delay\w*|fail\w*|problems?|disruptions?|"
    r"incident|latenc\w*|elevated|investigating|unscheduled|emergency|connectivity|slow\w*)\b"
)


def title_features(title: str) -> tuple[str, ...]:
    """Words and word pairs of an incident's title ("Scheduled database upgrade": t:scheduled, t:database …,
    tb:scheduled_database …). A title names the incident, not a stage of it, so it tells planned work from an
    outage where an update's own words ("Start", "Completed") cannot. Only its first TITLE_CHARS are read (and
    cached: a statement's title is read again for each statement of the incident)."""
    return _title_features(title[:TITLE_CHARS]) if title else ()


@lru_cache(maxsize=4096)
def _title_features(title: str) -> tuple[str, ...]:
    if not title.strip():
        return ()
    norm = canonical(normalise(title))
    words = _WORD.findall(norm)
    pairs = [f"tb:{a}_{b}" for a, b in zip(words, words[1:], strict=False)]
    planned, trouble = bool(_TITLE_PLANNED.search(norm)), bool(_TITLE_TROUBLE.search(norm))
    cues = ["tcue:planned"] * planned + ["tcue:trouble"] * trouble + ["tcue:planned-only"] * (planned and not trouble)
    return tuple(dict.fromkeys(["t:" + w for w in words] + pairs + cues))


def title_names_planned_work(title: str) -> bool:
    """A title that names planned work and no trouble ("Scheduled database maintenance", "Capacity Expansion: MSP";
    not "Droplet Connectivity Impacted During LON1 Network Maintenance", not "Unscheduled Maintenance")."""
    return "tcue:planned-only" in title_features(title)


def context_features(context: Context) -> list[str]:
    feats = ["src:" + (context.source or "unknown")]
    feats.extend(title_features(context.title))
    if context.is_self_reply:
        feats.append("selfreply")
    elif context.is_reply:
        feats.append("reply")
    if context.position:
        feats.append("pos:" + context.position)
        gap = _gap_bucket(context.gap_seconds) if context.position == "later" else ""
        if gap:
            feats.append("gap:" + gap)
    return feats


def features(norm: str, lexicon_hits: tuple[str, ...], context: Context) -> list[str]:
    """All features of one statement, de-duplicated (binary presence)."""
    return with_context(text_features(norm, lexicon_hits), context)


SOCIAL_COPY = ("w:", "lex:", "l:", "first:")  # the word features social posts also get a copy of (see with_context)


def with_context(words_features: list[str] | tuple[str, ...], context: Context) -> list[str]:
    """``features`` when the text's own features (text_features) were computed already. A social post's words are
    also given as social-only copies ("s|w:back"), so the model can learn where support accounts use words unlike
    status pages ("back to normal … monitoring" closes on X, is still recovery on a status page) while both domains
    share the plain features (feature augmentation for domain adaptation, Daumé III 2007)."""
    feats = [*words_features, *context_features(context)]
    if context.source == "social":
        feats.extend("s|" + f for f in words_features if f.startswith(SOCIAL_COPY))
    return list(dict.fromkeys(feats))


@dataclass(frozen=True)
class Reading:
    """What the lexicon reads in a raw statement: its script-based language, normalised text, whether Devanagari
    patterns apply, and the lexicon signals it hits. One reading serves the features and classify's overrides."""

    language: str
    norm: str
    devanagari: bool
    hits: tuple[str, ...]


def read(text: str) -> Reading:
    """Read a raw statement text (HTML or plain); only the first 2 × MAX_CHARS characters count."""
    text = text[: MAX_CHARS * 2]
    language = detect_language(text)
    norm = normalise(text)
    devanagari = language in ("hi", "mixed")
    return Reading(language, norm, devanagari, lexicon_hits(norm, devanagari, LEXICON_SIGNALS))


def featurize(text: str, context: Context) -> list[str]:
    """Features of a raw statement text in its context: what training calls (run time reads once, then features)."""
    reading = read(text)
    return features(reading.norm, reading.hits, context)
