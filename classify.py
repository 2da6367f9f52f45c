"""Statement understanding: a Post → acknowledged / update / resolved / noise, symptom tags and language.

Rules and word lists live in ``data/lexicon.toml``; this module only compiles and applies them.
"""

from __future__ import annotations

import html
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import posts

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "lexicon.toml"
KINDS = ("acknowledged", "update", "resolved", "noise")
# Source kinds that only ever speak of incidents (never customer care or marketing).
STATUS_SOURCE_KINDS = frozenset({"statuspage", "feed", "gcp", "aws", "azure", "slack", "incidentio", "instatus"})
# Social accounts, where support staff chat all day: there a text needs outage words to be a statement.
SOCIAL_SOURCE_KINDS = frozenset({"x", "bluesky", "mastodon"})
SYMPTOMS = (
    "login",
    "messaging",
    "media_upload",
    "notifications",
    "feed_loading",
    "api",
    "payments",
    "performance",
    "outage",
)

_TAG = re.compile(r"<[^>]+>")
_BLOCK_TAG = re.compile(r"</?(?:p|br|li|div|ul|ol|tr|h\d)\b[^>]*>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"(?<!\w)[@#][\w.]+")
_LEADING_MENTION = re.compile(r"^\s*(?:\.?@\w+\s*)+")
_LATIN = re.compile(r"[A-Za-z]")
_DEVANAGARI = re.compile(r"[\u0900-\u0963\u0966-\u097F]")
_OTHER_LETTER = re.compile(r"[^\W\d_A-Za-z\u0900-\u097F]")


@dataclass(frozen=True)
class Statement:
    kind: str  # "acknowledged" | "update" | "resolved" | "noise"
    confidence: float  # 0..1
    reason: str  # the rule that decided: "status:resolved", "text:resolved:'has been resolved'"
    symptoms: tuple[str, ...]  # tags from SYMPTOMS
    language: str  # "en", "hi", "mixed", or "" (unknown)


@dataclass(frozen=True)
class _Lexicon:
    status: dict[str, str]
    signals: dict[str, _Signal]
    symptoms: dict[str, _Signal]
    phrases: dict[tuple[str, str], str]
    scanners: dict[str, re.Pattern[str] | None]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _lower_pattern(pattern: str) -> str:
    """Lower-case a pattern's literals but not its escapes (\\S stays \\S): text is matched lower-cased,
    which is several times faster than re.IGNORECASE."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        else:
            out.append(pattern[i].lower())
            i += 1
    return _nfc("".join(out))


class _Signal:
    """One list of patterns: English ones (word-bounded) and Hindi ones, compiled apart so that the
    Hindi patterns only run on text that has Devanagari in it."""

    __slots__ = ("en", "hi")

    def __init__(self, en: list[str], hi: list[str]) -> None:
        self.en = (
            re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{_lower_pattern(p)})" for p in en) + r")(?!\w)") if en else None
        )
        self.hi = re.compile("|".join(f"(?:{_lower_pattern(p)})" for p in hi)) if hi else None

    def finditer(self, text: str, devanagari: bool) -> list[re.Match[str]]:
        found = list(self.en.finditer(text)) if self.en else []
        if devanagari and self.hi:
            found.extend(self.hi.finditer(text))
        return found

    def search(self, text: str, devanagari: bool) -> re.Match[str] | None:
        match = self.en.search(text) if self.en else None
        if match is None and devanagari and self.hi:
            match = self.hi.search(text)
        return match


@lru_cache(maxsize=4)
def load_lexicon(path: str | None = None) -> _Lexicon:
    """Read and compile the lexicon (cached). Raises ValueError naming the bad entry."""
    where = Path(path) if path else LEXICON_PATH
    raw: dict[str, Any] = tomllib.loads(where.read_text(encoding="utf-8"))
    status = {str(k): str(v) for k, v in raw.get("status", {}).items()}
    for label, kind in status.items():
        if kind not in KINDS:
            raise ValueError(f"{where}: [status] {label} = {kind!r}: not a statement kind")
    signals: dict[str, _Signal] = {}
    for name, entry in raw.get("signals", {}).items():
        try:
            signals[name] = _Signal(list(entry.get("en", [])), list(entry.get("hi", [])))
        except re.error as err:
            raise ValueError(f"{where}: [signals.{name}]: bad pattern: {err}") from None
    symptoms: dict[str, _Signal] = {}
    phrases: dict[tuple[str, str], str] = {}
    for tag, entry in raw.get("symptoms", {}).items():
        if tag not in SYMPTOMS:
            raise ValueError(f"{where}: [symptoms.{tag}]: unknown tag (known: {', '.join(SYMPTOMS)})")
        try:
            symptoms[tag] = _Signal(list(entry.get("en", [])), list(entry.get("hi", [])))
        except re.error as err:
            raise ValueError(f"{where}: [symptoms.{tag}]: bad pattern: {err}") from None
        phrases[(tag, "en")] = str(entry.get("phrase_en", tag))
        phrases[(tag, "hi")] = _nfc(str(entry.get("phrase_hi", entry.get("phrase_en", tag))))
    entries = raw.get("symptoms", {})
    scanners = {lang: _symptom_scanner(entries, lang) for lang in ("en", "hi")}
    return _Lexicon(status=status, signals=signals, symptoms=symptoms, phrases=phrases, scanners=scanners)


def symptom_phrase(tag: str, lang: str) -> str:
    """How templates name a symptom: symptom_phrase("login", "hi") == "लॉग इन करने में". KeyError if unknown."""
    lex = load_lexicon()
    key = (tag, "hi" if lang.startswith("hi") else "en")
    if key not in lex.phrases:
        raise KeyError(tag)
    return lex.phrases[key]


def normalise(text: str) -> str:
    """Plain, lower-case, single-spaced text: HTML tags dropped, entities decoded, quotes straightened."""
    if "<" in text:
        text = _TAG.sub(" ", _BLOCK_TAG.sub(" . ", text))
    if "&" in text:
        text = html.unescape(text)
    text = _nfc(text.translate(_QUOTES))
    return _SPACE.sub(" ", text).strip().lower()


def detect_language(text: str) -> str:
    """Script-based: "hi" (mostly Devanagari), "en" (Latin), "mixed", or "" (no letters / another script)."""
    body = (
        _HANDLE.sub(" ", _URL.sub(" ", text)) if ("/" in text or "@" in text or "#" in text or "www." in text) else text
    )
    if body.isascii():  # the common case, without counting: Latin letters or none
        return "en" if _LATIN.search(body) else ""
    dev = len(_DEVANAGARI.findall(body))
    lat = len(_LATIN.findall(body))
    other = len(_OTHER_LETTER.findall(body))
    if dev + lat == 0 or other > dev + lat:
        return ""
    share = dev / (dev + lat)
    if share >= 0.7:
        return "hi"
    if share <= 0.05:
        return "en"
    return "mixed"


def _symptom_scanner(entries: dict[str, dict[str, Any]], lang: str) -> re.Pattern[str] | None:
    """One regex for all tags (a named group per tag): one pass over the text instead of one per tag."""
    groups = []
    for tag in SYMPTOMS:
        patterns = [_lower_pattern(p) for p in entries.get(tag, {}).get(lang, [])]
        if patterns:
            groups.append(f"(?P<{tag}>" + "|".join(f"(?:{p})" for p in patterns) + ")")
    if not groups:
        return None
    body = "|".join(groups)
    return re.compile(r"(?<!\w)(?:" + body + r")(?!\w)" if lang == "en" else body)


def _symptoms(norm: str, lex: _Lexicon, devanagari: bool) -> tuple[str, ...]:
    found: set[str] = set()
    for lang, scanner in lex.scanners.items():
        if scanner is None or (lang == "hi" and not devanagari):
            continue
        for match in scanner.finditer(norm):
            if match.lastgroup:
                found.add(match.lastgroup)
    return tuple(tag for tag in SYMPTOMS if tag in found)


def _spans(signal: _Signal, text: str, devanagari: bool) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in signal.finditer(text, devanagari) if m.end() > m.start()]


def _outside(found: list[tuple[int, int, str]], blocked: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Matches not overlapping any blocked span."""
    if not blocked:
        return found
    return [f for f in found if not any(b[0] < f[1] and f[0] < b[1] for b in blocked)]


def _quote(match: str) -> str:
    match = match.strip()
    return "'" + (match if len(match) <= 60 else match[:57] + "...") + "'"


def classify(post: posts.Post, source_kind: str = "") -> Statement:
    """Classify a tracker's Post (status, reply flags and service are taken from it)."""
    text = post.text
    if post.title and not text.strip():
        text = post.title
    return classify_text(
        text,
        status=post.status,
        source_kind=source_kind,
        service=post.service,
        is_reply=post.is_reply,
        is_self_reply=post.is_self_reply,
    )


def classify_text(
    text: str,
    *,
    status: str = "",
    source_kind: str = "",
    service: str = "",
    is_reply: bool = False,
    is_self_reply: bool = False,
) -> Statement:
    """Classify one statement. A known structured ``status`` wins; otherwise the text decides.

    ``source_kind`` (a services.toml source kind): posts of status pages and status feeds are never
    noise — a status page only speaks of incidents — so where their text says nothing clear they are
    an update. Social posts (x, bluesky, mastodon) are noise unless they speak of a problem or its
    lifecycle. A text of unknown source is noise only if it shows customer care (a leading @mention or
    reply, a greeting to a person, a request for a DM or account details, a sign-off) or marketing; a
    terse official text with none of these is a low-confidence update.
    """
    lex = load_lexicon()
    language = detect_language(text)
    norm = normalise(text)
    dev = language in ("hi", "mixed") or "\u0900" <= max(norm, default=" ")
    label = status.strip().lower()
    if label and label in lex.status:
        kind = lex.status[label]
        symptoms = _symptoms(norm, lex, dev)
        return Statement(kind, 0.99 if kind == "resolved" else 0.95, f"status:{label}", symptoms, language)
    kind_of_source = source_kind.strip().lower()
    statement = _from_text(
        norm,
        lex,
        dev,
        is_reply=is_reply,
        is_self_reply=is_self_reply,
        social=kind_of_source in SOCIAL_SOURCE_KINDS,
        readable=language != "",
    )
    if statement.kind == "noise" and kind_of_source in STATUS_SOURCE_KINDS:
        statement = Statement("update", 0.4, f"source:{source_kind}:{statement.reason}", (), "")
    if statement.kind != "noise":
        statement = Statement(
            statement.kind, statement.confidence, statement.reason, _symptoms(norm, lex, dev), language
        )
    else:
        statement = Statement(statement.kind, statement.confidence, statement.reason, (), language)
    return statement


def _from_text(
    norm: str, lex: _Lexicon, dev: bool, *, is_reply: bool, is_self_reply: bool, social: bool, readable: bool
) -> Statement:
    """Kind, confidence and reason from the text (symptoms and language are filled in by the caller)."""
    sig = lex.signals
    directed = not is_self_reply and (is_reply or bool(_LEADING_MENTION.match(norm)))
    body = _LEADING_MENTION.sub("", norm) if directed else norm
    if not body:
        return Statement("noise", 0.6, "noise:empty", (), "")

    # a reply to one customer is care unless it speaks of a problem many users share
    if directed and not sig["service_wide"].search(body, dev):
        care = sig["customer_care"].search(body, dev) or sig["care_hint"].search(body, dev)
        why = f"noise:reply-to-customer:{_quote(care.group(0))}" if care else "noise:reply-to-customer"
        return Statement("noise", 0.9 if care else 0.8, why, (), "")

    resolved = _spans(sig["resolved"], body, dev)
    if resolved:
        resolved = _outside(resolved, _spans(sig["negated"], body, dev))
    retro = _spans(sig["retrospective"], body, dev)
    update = _spans(sig["update"], body, dev)
    ack = _spans(sig["acknowledged"], body, dev)
    recovering = _spans(sig["recovering"], body, dev)
    partial = _spans(sig["partial"], body, dev)
    if resolved or retro:
        # once over, talk of the cause, apologies and follow-up work do not make it ongoing again
        after = _spans(sig["aftermath"], body, dev)
        update, ack = _outside(update, after), _outside(ack, after)
        first_close = min(s[0] for s in resolved + retro)
        recovering = [s for s in recovering if s[0] < first_close]
        report = _outside(_spans(sig["report"], body, dev), after)
        if report:
            return Statement("resolved", 0.85, f"text:resolved:report:{_quote(report[0][2])}", (), "")
    # partial recovery stays ongoing wherever it stands; only a completion said after it closes
    update = update + partial
    if retro:  # progress told inside a look back is past, not ongoing
        update, ack, recovering = _outside(update, retro), _outside(ack, retro), _outside(recovering, retro)
    ongoing = update + ack + recovering
    lifecycle = bool(resolved or retro or ongoing)

    # -- noise: one-to-one customer care, product news, nothing about a problem
    problem = sig["problem"].search(body, dev)
    if not (resolved or retro) and not ((ack or update) and problem):
        # care is recognised by its markers (greeting, DM, account details, a question to the reader,
        # a sign-off); softer hints ("let us know", "please try") only where no outage word is said
        care = sig["customer_care"].search(body, dev) or (None if problem else sig["care_hint"].search(body, dev))
        if care and not sig["service_wide"].search(body, dev):
            return Statement("noise", 0.85, f"noise:customer-care:{_quote(care.group(0))}", (), "")
    if not lifecycle:
        market = None if problem else sig["marketing"].search(body, dev)
        if market:
            return Statement("noise", 0.85, f"noise:marketing:{_quote(market.group(0))}", (), "")
        if problem:
            return Statement("acknowledged", 0.5, f"text:acknowledged:problem:{_quote(problem.group(0))}", (), "")
        if social or not readable:
            # a support account's chat, or a script the lexicon does not read: no sign of an outage
            return Statement("noise", 0.7, "noise:no-outage-signal", (), "")
        # an official text of unknown source with no care marker: a terse ops statement, not care
        return Statement("update", 0.3, "text:update:no-care-marker", (), "")

    # -- lifecycle: the latest thing the statement says decides
    closing = resolved + retro
    last_close = max(closing, key=lambda s: s[0]) if closing else None
    last_open = max(ongoing, key=lambda s: s[0]) if ongoing else None
    if last_close and (last_open is None or last_close[0] >= last_open[0]):
        source = "resolved" if last_close in resolved else "retrospective"
        confidence = 0.9 if last_open is None else 0.75
        return Statement("resolved", confidence, f"text:resolved:{source}:{_quote(last_close[2])}", (), "")
    assert last_open is not None
    confidence = 0.7 if last_close else 0.8
    if update or recovering:
        last_update = max(update + recovering, key=lambda s: s[0])
        return Statement("update", confidence, f"text:update:{_quote(last_update[2])}", (), "")
    return Statement("acknowledged", confidence, f"text:acknowledged:{_quote(last_open[2])}", (), "")
