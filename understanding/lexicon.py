"""The lexicon: word lists and patterns of data/lexicon.toml, compiled; text normalisation, script-based language,
symptom tags, and which lexicon signals a text hits (features for the learned model, and the old rules' words)."""

from __future__ import annotations

import html
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

LEXICON_PATH = Path(__file__).resolve().parent.parent / "data" / "lexicon.toml"
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
class _Lexicon:
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
    return _Lexicon(signals=signals, symptoms=symptoms, phrases=phrases, scanners=scanners)


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



def lexicon_hits(norm: str, devanagari: bool, names: tuple[str, ...]) -> tuple[str, ...]:
    """The names of the lexicon signals that match somewhere in ``norm`` (normalised text)."""
    signals = load_lexicon().signals
    return tuple(name for name in names if name in signals and signals[name].search(norm, devanagari))


def symptoms_of(norm: str, devanagari: bool) -> tuple[str, ...]:
    """Symptom tags the text names (see SYMPTOMS)."""
    return _symptoms(norm, load_lexicon(), devanagari)
