"""Signal.hit on ASCII texts searches ``en_ascii`` (one consumed ASCII non-word character, then the regrouped
alternatives) and matches ``en_any`` at 0, instead of searching behind ``(?<!\\w)``: it must say "found" exactly
when the unfiltered pattern (``Signal.search``) finds a match, on every text; symptoms_of, which walks the matches
of the symptom scanner the same way on ASCII texts, must name the tags the plain scanner's finditer names.
Checked on the repo's own statements (and their suffixes from word starts), on those texts with punctuation,
digits, Unicode letters, marks and Devanagari put around their words, and on texts generated from every
alternative of the lexicon, embedded in contexts with and without word characters around them: each alternative
must still be found."""

from __future__ import annotations

import csv
import json
import random
import re
import re._parser as sre_parser
import tomllib
from pathlib import Path

import pytest

from understanding.features import read
from understanding.lexicon import (
    _ASCII_NON_WORD,
    LEXICON_PATH,
    SYMPTOMS,
    _lower_pattern,
    lexicon_hits,
    load_lexicon,
    symptoms_of,
)

DATA = Path(__file__).resolve().parent / "data"


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [text for item in value for text in _strings(item)] if isinstance(value, list) else []


def _texts() -> list[str]:
    """Statements of every kind the repo keeps: the string fields of its JSON documents (Statuspage, GCP, AWS,
    social, real incidents …), the entries of its feeds, the hand-labelled posts and the rendered golden texts
    (English and Hindi)."""
    texts: list[str] = []
    for path in sorted((DATA / "classify").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            texts += [row["text"] for row in csv.DictReader(fh) if row.get("text")]
    for path in sorted(DATA.rglob("*.json")):
        texts += [text for text in _strings(json.loads(path.read_text(encoding="utf-8"))) if len(text) >= 20]
    for path in sorted((DATA / "feeds").glob("*")):
        body = path.read_text(encoding="utf-8", errors="replace")
        texts += re.findall(r"<(?:title|summary|description|content)[^>]*>(.*?)</", body, re.S)
    for path in sorted((DATA / "golden").glob("*.txt")):
        texts += [line for line in path.read_text(encoding="utf-8").splitlines() if len(line) >= 10]
    return sorted({read(text).norm[:400] for text in texts if text.strip()})


AROUND = [" ", ".", ",", "-", "/", "(", ")", "'", '"', ":", "!", "?", "#", "%", "_", "1", "é", "…", "क", "ा",
          "\u200c", "\u00a0", "\t", "x", "—", "😀", "$", "^", "*", "\x00"]


def _reference_symptoms(text: str, devanagari: bool) -> tuple[str, ...]:
    """symptoms_of as the plain scanners (neither regrouped nor for ASCII) say it."""
    found = set()
    for lang, scanner in load_lexicon().scanners.items():
        if scanner is not None and (lang == "en" or devanagari):
            found.update(match.lastgroup for match in scanner.finditer(text) if match.lastgroup)
    return tuple(tag for tag in SYMPTOMS if tag in found)


def _assert_same(text: str) -> None:
    lex = load_lexicon()
    for dev in (False, True):
        expected = tuple(name for name, signal in lex.signals.items() if signal.search(text, dev))
        assert lexicon_hits(text, dev, tuple(lex.signals)) == expected, (dev, text)
        assert symptoms_of(text, dev) == _reference_symptoms(text, dev), (dev, text)
    for tag, signal in lex.symptoms.items():
        assert signal.hit(text, False) == bool(signal.search(text, False)), (tag, text)


def test_the_ascii_non_word_characters_are_where_the_lookbehind_holds() -> None:
    after = re.compile(r"(?<!\w)x")
    for code in range(128):
        assert (code in _ASCII_NON_WORD) == (after.match(chr(code) + "x", 1) is not None), code


def test_every_signal_has_its_fast_form() -> None:
    lex = load_lexicon()
    for name, signal in [*lex.signals.items(), *lex.symptoms.items()]:
        signal.hit("", False)
        assert signal.en_ascii is not None and signal.en_any is not None, name  # else nothing here is tested


def test_hits_are_those_of_the_unfiltered_patterns_on_real_texts_and_their_suffixes() -> None:
    texts = _texts()
    assert len(texts) > 300
    assert sum(text.isascii() for text in texts) > 200 and sum(not text.isascii() for text in texts) > 5
    for number, text in enumerate(texts):
        _assert_same(text)
        starts = [match.start() for match in re.finditer(r"(?<!\w)", text) if match.start()]
        for start in starts[number % 6 :: 6]:  # a sixth of the word starts of each text, all of some
            _assert_same(text[start:])


def test_hits_are_those_of_the_unfiltered_patterns_with_anything_around_words() -> None:
    rng = random.Random(5)
    for text in _texts()[::3]:
        words = text.split(" ")
        for _ in range(2):
            out = [rng.choice(AROUND) + w if rng.random() < 0.15 else w + rng.choice(AROUND) if rng.random() < 0.2
                   else w for w in words]
            _assert_same(rng.choice([" ", " ", ". ", "-", "/", "…", "क "]).join(out))


_CATEGORY = {sre_parser.CATEGORY_WORD: r"\w", sre_parser.CATEGORY_NOT_WORD: r"\W",
             sre_parser.CATEGORY_DIGIT: r"\d", sre_parser.CATEGORY_NOT_DIGIT: r"\D",
             sre_parser.CATEGORY_SPACE: r"\s", sre_parser.CATEGORY_NOT_SPACE: r"\S"}
_POOL = "abcdefghijklmnopqrstuvwxyz0123456789 .,-/'!?%#:;()é…_"


def _in_class(char: str, items: list) -> bool:
    negate = any(op is sre_parser.NEGATE for op, _ in items)
    hit = any(
        (op is sre_parser.LITERAL and char == chr(av))
        or (op is sre_parser.RANGE and av[0] <= ord(char) <= av[1])
        or (op is sre_parser.CATEGORY and re.match(_CATEGORY[av], char) is not None)
        for op, av in items
    )
    return hit != negate


def _generate(items: list, rng: random.Random) -> str:
    """A text the parsed alternative may match (assertions are not written, so not every one does)."""
    out = []
    for op, av in items:
        if op is sre_parser.LITERAL:
            out.append(chr(av))
        elif op is sre_parser.NOT_LITERAL:
            out.append(rng.choice([c for c in _POOL if ord(c) != av]))
        elif op is sre_parser.ANY:
            out.append(rng.choice(_POOL))
        elif op is sre_parser.IN:
            out.append(rng.choice([c for c in _POOL if _in_class(c, av)] or [""]))
        elif op is sre_parser.BRANCH:
            out.append(_generate(list(rng.choice(av[1]).data), rng))
        elif op is sre_parser.SUBPATTERN:
            out.append(_generate(list(av[3].data), rng))
        elif op in (sre_parser.MAX_REPEAT, sre_parser.MIN_REPEAT):
            low, high, sub = av
            out.extend(_generate(list(sub.data), rng) for _ in range(rng.randint(low, min(high, low + 3))))
    return "".join(out)


LEFT = ["", " ", "x", "the ", ".", ". ", "(", "-", "é", "क", "ा", "1", "_", "'", "…", "status: "]
RIGHT = ["", " ", ".", "x", "s", "é", "!", " now.", "1", "_", "क", "…", "-", "'s"]


@pytest.mark.parametrize("section", ["signals", "symptoms"])
def test_every_alternative_is_still_found_in_any_context(section: str) -> None:
    raw = tomllib.loads(LEXICON_PATH.read_text(encoding="utf-8"))
    lex = load_lexicon()
    rng = random.Random(11)
    for name, entry in raw[section].items():
        signal = (lex.signals if section == "signals" else lex.symptoms)[name]
        for pattern in entry.get("en", []):
            lowered = _lower_pattern(pattern)
            alone = re.compile(r"(?<!\w)(?:" + lowered + r")(?!\w)")
            found = 0
            for _ in range(40):
                sample = _generate(list(sre_parser.parse(lowered).data), rng)
                for left in LEFT:
                    for right in RIGHT:
                        text = left + sample + right
                        for dev in (False, True):
                            assert signal.hit(text, dev) == bool(signal.search(text, dev)), (name, pattern, text)
                        if section == "symptoms":
                            assert symptoms_of(text, False) == _reference_symptoms(text, False), (name, text)
                        if alone.search(text):
                            found += 1
                            assert signal.hit(text, False), (name, pattern, text)
                if found >= 20:
                    break
            assert found, (name, pattern)  # the alternative itself was written and found at least once


def test_symptom_matches_that_end_in_a_non_word_character(tmp_path) -> None:
    # the next match may then start right where one ends: walked from end - 1, it must still be found
    from understanding.lexicon import _symptoms

    lexicon = tmp_path / "lexicon.toml"
    lexicon.write_text(
        '[symptoms.login]\nen = ["log in\\\\.", "otp", "(?<=\\\\.)sso"]\n'
        '[symptoms.api]\nen = ["\\\\.api", "api-", "-rest"]\n'
        '[symptoms.outage]\nen = ["down!", "#\\\\w+down", "offline"]\n'
        '[symptoms.performance]\nen = ["slow-", "-slow", "lag"]\n',
        encoding="utf-8",
    )
    lex = load_lexicon(str(lexicon))
    assert lex.en_scanners[1] is not None
    for text in ["log in.otp", "log in..api", "down!down!", "slow--slow", "slow-lag", "api--rest", "log in.sso",
                 "offline down!", "x offline", "#sitedown!otp", "api-.api", "down!-slow", "log in.", "", "-", "otp"]:
        found = set()
        for scanner in lex.scanners.values():
            if scanner is not None:
                found.update(match.lastgroup for match in scanner.finditer(text) if match.lastgroup)
        assert _symptoms(text, lex, False) == tuple(tag for tag in SYMPTOMS if tag in found), text
