"""The lexicon: word lists and patterns of data/lexicon.toml, compiled; text normalisation, script-based language,
symptom tags, and which lexicon signals a text hits (features for the learned model, and the old rules' words)."""

from __future__ import annotations

import html
import re
import re._compiler as _sre_compiler
import re._parser as _sre_parser
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
    # the English scanner regrouped and its form for ASCII texts (_symptoms), built here: looking them up in an
    # lru_cache by the scanner would hash its whole compiled code on every call
    en_scanners: tuple[re.Pattern[str] | None, re.Pattern[str] | None] = (None, None)


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
    Hindi patterns only run on text that has Devanagari in it. ``en_any``: the English patterns regrouped by
    their first character (``_by_first_char``), and ``en_ascii`` the same after one ASCII non-word character
    instead of behind ``(?<!\\w)`` (``_after_ascii_non_word``), both built when ``hit`` is first called, for
    ``hit``: whether they match anywhere, not where."""

    __slots__ = ("en", "hi", "en_any", "en_ascii", "en_first")

    def __init__(self, en: list[str], hi: list[str]) -> None:
        self.en = (
            re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{_lower_pattern(p)})" for p in en) + r")(?!\w)") if en else None
        )
        self.hi = re.compile("|".join(f"(?:{_lower_pattern(p)})" for p in hi)) if hi else None
        self.en_any: re.Pattern[str] | None = None
        self.en_ascii: re.Pattern[str] | None = None
        self.en_first: frozenset[str] | None = None

    def hit(self, text: str, devanagari: bool) -> bool:
        """``bool(self.search(text, devanagari))`` in less time. ``en`` can only match where ``(?<!\\w)`` holds:
        at 0 or after a non-word character, which in an ASCII text (most statements) is one of a fixed set. So
        there ``en_ascii`` (that character, consumed, then the alternatives; its search skips to such characters
        at C speed instead of testing the lookbehind at every position) and one ``match`` at 0 (only if the text
        starts with a character an alternative can start with, ``en_first``) together look at exactly the places
        ``en_any`` does; other texts use ``en_any``. ``lexicon_hits``: about 0.7 of
        ``en_any`` alone on the corpus, itself about 0.6 of ``en``."""
        if self.en is not None:
            if self.en_any is None:
                self.en_any, self.en_ascii, self.en_first = _fast_forms(self.en)
            if self.en_ascii is not None and text.isascii():
                if self.en_ascii.search(text) is not None:
                    return True
                if (self.en_first is None or text[:1] in self.en_first) and self.en_any.match(text) is not None:
                    return True
            elif self.en_any.search(text) is not None:
                return True
        return devanagari and self.hi is not None and self.hi.search(text) is not None

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


class _NotLiteral(Exception):
    """An alternative that does not start with a literal character (kept as it is)."""


def _first_chars(items: list[Any], depth: int = 0) -> list[tuple[int, list[Any]]]:
    """An alternative (a parsed sequence) as alternatives that each start with one literal character: (character,
    the rest), in the order the regex engine tries them. A leading group of alternatives is distributed over what
    follows it ((?:a|b)R is aR|bR), a leading optional part too (X?R is XR|R, greedy: X first), a leading class of
    plain characters split ([ab]R is aR|bR, at most one of them matches a character), and a leading lookbehind
    moves behind the first character ((?<!y)cR is c(?<!yc)R): the same matches, alternative by alternative."""
    if depth > 4 or not items:
        raise _NotLiteral
    (op, av), rest = items[0], list(items[1:])
    if op is _sre_parser.LITERAL:
        return [(av, rest)]
    if op is _sre_parser.IN and all(member is _sre_parser.LITERAL for member, _ in av):
        return [(char, rest) for _, char in av]
    if op is _sre_parser.BRANCH:
        return [split for branch in av[1] for split in _first_chars(list(branch.data) + rest, depth + 1)]
    if op is _sre_parser.MAX_REPEAT and av[0] == 0 and av[1] == 1:
        return _first_chars(list(av[2].data) + rest, depth + 1) + _first_chars(rest, depth + 1)
    if op in (_sre_parser.ASSERT, _sre_parser.ASSERT_NOT) and av[0] == -1:
        behind = av[1]
        return [(char, [(op, (-1, _sre_parser.SubPattern(behind.state, [*behind.data, (_sre_parser.LITERAL, char)]))),
                        *after]) for char, after in _first_chars(rest, depth + 1)]
    raise _NotLiteral


def _regrouped(pattern: re.Pattern[str]) -> Any:
    """Python's parse of ``pattern`` (a signal's ``(?<!\\w)(?:…)(?!\\w)``) with its alternatives grouped by their
    first character (see ``_by_first_char``), or None when it is not of that shape."""
    parsed = _sre_parser.parse(pattern.pattern)
    data = list(parsed.data)
    if len(data) < 3 or data[0][0] is not _sre_parser.ASSERT_NOT or data[-1][0] is not _sre_parser.ASSERT_NOT:
        return None
    middle = data[1:-1]
    if len(middle) == 1 and middle[0][0] is _sre_parser.BRANCH:
        alternatives = [list(branch.data) for branch in middle[0][1][1]]
    else:
        alternatives = [middle]
    groups: dict[int, list[list[Any]]] = {}
    others: list[list[Any]] = []
    for alternative in alternatives:
        try:
            for char, rest in _first_chars(alternative):
                groups.setdefault(char, []).append(rest)
        except _NotLiteral:
            others.append(alternative)
    state = parsed.state

    def sub(items: list[Any]) -> Any:
        return _sre_parser.SubPattern(state, items)

    branches = [
        sub([(_sre_parser.LITERAL, char), *(rests[0] if len(rests) == 1 else
                                              [(_sre_parser.BRANCH, (None, [sub(r) for r in rests]))])])
        for char, rests in groups.items()
    ] + [sub(alternative) for alternative in others]
    return sub([data[0], (_sre_parser.BRANCH, (None, branches)), data[-1]])


def _parsed_regrouped(pattern: re.Pattern[str]) -> Any:
    """``_regrouped``, or None when it fails on anything unexpected (the faster forms are optional)."""
    try:
        return _regrouped(pattern)
    except Exception:  # noqa: BLE001 - a faster form is optional; the pattern itself is always right
        return None


def _by_first_char(regrouped: Any, pattern: re.Pattern[str]) -> re.Pattern[str]:
    """A pattern that matches somewhere in a text exactly when ``pattern`` (a signal's ``(?<!\\w)(?:…)(?!\\w)``)
    does, with its alternatives grouped by their first character (``regrouped``: ``_parsed_regrouped(pattern)``):
    at each word start the regex engine then tries the one group that can match instead of every alternative (a
    signal has up to 100). Matches may differ in where they start and end (the alternatives' order changes), never
    in whether there is one, at any position. Anything unexpected keeps ``pattern`` itself."""
    try:
        return pattern if regrouped is None else _sre_compiler.compile(regrouped)
    except Exception:  # noqa: BLE001 - a faster form is optional; the pattern itself is always right
        return pattern


def _fast_forms(pattern: re.Pattern[str]) -> tuple[re.Pattern[str], re.Pattern[str] | None, frozenset[str] | None]:
    """A signal's ``(en_any, en_ascii, en_first)`` (see ``_Signal.hit``), all from one parse of its pattern."""
    regrouped = _parsed_regrouped(pattern)
    return _by_first_char(regrouped, pattern), _after_ascii_non_word(regrouped), _first_literals(regrouped)


# Every ASCII character that is not a word character to the regex engine itself (its \w, Unicode or not, agrees
# with str on ASCII): in an ASCII text, "(?<!\w)" holds at p > 0 exactly when text[p - 1] is one of them.
_ASCII_NON_WORD = tuple(code for code in range(128) if re.match(r"\w", chr(code)) is None)
_NOT_WORD_BEHIND = list(_sre_parser.parse(r"\w").data)  # what "(?<!\w)" looks behind for


def _after_ascii_non_word(regrouped: Any) -> re.Pattern[str] | None:
    """For ASCII texts: a signal's pattern (``regrouped``, see ``_by_first_char``) with its leading ``(?<!\\w)``
    replaced by one consumed character of ``_ASCII_NON_WORD``. It matches at q exactly when the pattern matches at
    q + 1 > 0 (lookbehinds inside still see the whole text), so with ``match`` at 0 it covers every place the
    pattern can match. Why: the lookbehind leaves the engine no prefix to skip to and costs a sub-match at every position of
    the text (~2.4 µs a search on a 180-character statement); a class of literal characters is a bitmap the
    search scans for in C. None (use the pattern as it is) for any other shape."""
    try:
        return _with_ascii_non_word_head(regrouped)
    except Exception:  # noqa: BLE001 - a faster form is optional; the pattern itself is always right
        return None


def _with_ascii_non_word_head(regrouped: Any) -> re.Pattern[str] | None:
    """``regrouped`` (a parse that starts with ``(?<!\\w)``) compiled with one consumed ``_ASCII_NON_WORD``
    character in place of that lookbehind; None if it does not start so or has a flag other than Unicode."""
    if regrouped is None or regrouped.state.flags != re.UNICODE:
        return None
    (op, av), *rest = regrouped.data
    if op is not _sre_parser.ASSERT_NOT or av[0] != -1 or list(av[1].data) != _NOT_WORD_BEHIND:
        return None
    non_word = (_sre_parser.IN, [(_sre_parser.LITERAL, code) for code in _ASCII_NON_WORD])
    return _sre_compiler.compile(_sre_parser.SubPattern(regrouped.state, [non_word, *rest]))


def _first_literals(regrouped: Any) -> frozenset[str] | None:
    """The characters a match of the regrouped pattern can start with (each group's literal), or None when an
    alternative does not start with a literal (then any character can start one): ``hit`` only matches at 0 a text
    that starts with one of them."""
    try:
        if regrouped is None or regrouped.data[1][0] is not _sre_parser.BRANCH:
            return None
        firsts = [branch.data[0] if branch.data else (None, None) for branch in regrouped.data[1][1][1]]
        if any(op is not _sre_parser.LITERAL for op, _ in firsts):
            return None
        return frozenset(chr(char) for _, char in firsts)
    except Exception:  # noqa: BLE001 - without it the match at 0 is always tried
        return None


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
    en = scanners["en"]
    en_scanners = (None, None) if en is None else (_scanner_by_first_char(en), _scanner_after_ascii_non_word(en))
    return _Lexicon(signals=signals, symptoms=symptoms, phrases=phrases, scanners=scanners, en_scanners=en_scanners)


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
    return " ".join(text.split()).lower()  # every run of whitespace (re's \s is str.isspace) as one space


def detect_language(text: str) -> str:
    """Script-based: "hi" (mostly Devanagari), "en" (Latin), "mixed", or "" (no letters / another script)."""
    body = _URL.sub(" ", text) if ("http" in text or "www." in text) else text  # what a link needs
    if "@" in body or "#" in body:
        body = _HANDLE.sub(" ", body)
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


def _scanner_regrouped(scanner: re.Pattern[str]) -> Any:
    """Python's parse of the English symptom scanner with its alternatives grouped by their first character and
    kept in their order within a group, each in its tag's named group (the first character left outside it). At
    any position only the alternatives that start with the character there can match, in the scanner's own order,
    so every match picks the same alternative, ends at the same place and names the same tag (``lastgroup``); only
    a group's span starts one character later, and nothing reads it. None for anything unexpected; _NotLiteral
    when an alternative does not start with a literal character."""
    parsed = _sre_parser.parse(scanner.pattern)
    data = list(parsed.data)
    if len(data) != 3 or data[0][0] is not _sre_parser.ASSERT_NOT or data[1][0] is not _sre_parser.BRANCH:
        return None
    state = parsed.state
    groups: dict[int, list[Any]] = {}
    for tag_branch in data[1][1][1]:  # (?P<tag>…) each
        if len(tag_branch.data) != 1 or tag_branch.data[0][0] is not _sre_parser.SUBPATTERN:
            return None
        group, add_flags, del_flags, sub = tag_branch.data[0][1]
        if add_flags or del_flags:
            return None
        body = list(sub.data)
        alternatives = ([list(b.data) for b in body[0][1][1]] if len(body) == 1 and body[0][0] is _sre_parser.BRANCH
                        else [body])
        for alternative in alternatives:
            for char, rest in _first_chars(alternative):
                tagged = (_sre_parser.SUBPATTERN, (group, 0, 0, _sre_parser.SubPattern(state, rest)))
                groups.setdefault(char, []).append(tagged)
    branches = [
        _sre_parser.SubPattern(state, [(_sre_parser.LITERAL, char), *(
            tagged if len(tagged) == 1 else
            [(_sre_parser.BRANCH, (None, [_sre_parser.SubPattern(state, [t]) for t in tagged]))])])
        for char, tagged in groups.items()
    ]
    return _sre_parser.SubPattern(state, [data[0], (_sre_parser.BRANCH, (None, branches)), data[-1]])


@lru_cache(maxsize=8)
def _scanner_by_first_char(scanner: re.Pattern[str]) -> re.Pattern[str]:
    """The English symptom scanner regrouped (``_scanner_regrouped``), compiled; anything unexpected keeps
    ``scanner`` itself."""
    try:
        regrouped = _scanner_regrouped(scanner)
        return scanner if regrouped is None else _sre_compiler.compile(regrouped)
    except Exception:  # noqa: BLE001 - a faster form is optional; the scanner itself is always right
        return scanner


def _scanner_after_ascii_non_word(scanner: re.Pattern[str]) -> re.Pattern[str] | None:
    """The regrouped English symptom scanner after one consumed ASCII non-word character instead of behind
    ``(?<!\\w)`` (see ``_after_ascii_non_word``), for ``_ascii_tags``; None when there is none."""
    try:
        return _with_ascii_non_word_head(_scanner_regrouped(scanner))
    except Exception:  # noqa: BLE001 - a faster form is optional; the scanner itself is always right
        return None


def _ascii_tags(norm: str, regrouped: re.Pattern[str], fast: re.Pattern[str], found: set[str]) -> bool:
    """The tags ``regrouped.finditer(norm)`` names, for an ASCII text, added to ``found``: the same matches one by
    one. finditer takes, from where the last match ended (``end``), the first position p >= end where one starts;
    there p = 0 or norm[p - 1] is a non-word character, so that is a ``match`` at 0 when p can be 0, else the match
    of ``fast`` from end - 1 (its consumed character is norm[p - 1]; what the alternatives look behind is the whole
    text either way), and at p the same alternatives are tried in the same order, so the match ends where
    finditer's does and names the same tag. False (``found`` untouched) if a match is empty, where finditer's own
    rule for empty matches applies: the caller then uses finditer."""
    tags = []
    match = regrouped.match(norm)
    start = 0 if match is not None else 1
    if match is None:
        match = fast.search(norm)
    while match is not None:
        if match.end() == match.start() + start:
            return False
        tags.append(match.lastgroup)
        match = fast.search(norm, match.end() - 1)
        start = 1
    found.update(tag for tag in tags if tag)
    return True


def _symptoms(norm: str, lex: _Lexicon, devanagari: bool) -> tuple[str, ...]:
    found: set[str] = set()
    for lang, scanner in lex.scanners.items():
        if scanner is None or (lang == "hi" and not devanagari):
            continue
        if lang == "en":
            scanner, fast = lex.en_scanners
            if scanner is None:
                scanner = lex.scanners["en"]
            elif fast is not None and norm.isascii() and _ascii_tags(norm, scanner, fast, found):
                continue
        for match in scanner.finditer(norm):
            if match.lastgroup:
                found.add(match.lastgroup)
    return tuple(tag for tag in SYMPTOMS if tag in found)



def lexicon_hits(norm: str, devanagari: bool, names: tuple[str, ...]) -> tuple[str, ...]:
    """The names of the lexicon signals that match somewhere in ``norm`` (normalised text)."""
    signals = load_lexicon().signals
    return tuple(name for name in names if name in signals and signals[name].hit(norm, devanagari))


def symptoms_of(norm: str, devanagari: bool) -> tuple[str, ...]:
    """Symptom tags the text names (see SYMPTOMS)."""
    return _symptoms(norm, load_lexicon(), devanagari)
