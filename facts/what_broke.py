"""What broke, by the company's own naming: an incident's components (Statuspage components and affected
components, Google Cloud products, AWS services) and its title, in Hindi through data/glossary.toml and in English
as the company wrote them. Plain data in, plain strings out (no database; the glossary file is read once).

``parts(components, title, service)`` → the affected parts as (Hindi, English) pairs; ``phrase`` joins them
("एक्शंस और एपीआई रिक्वेस्ट" / "Actions and API Requests"); ``informative_title`` drops titles that say nothing
("Incident on 2019-05-29 02:11 UTC"). A name the glossary does not know is kept in English, quoted (“Eventarc”).
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

GLOSSARY_PATH = Path(__file__).resolve().parent.parent / "data" / "glossary.toml"
VENDOR_PREFIXES = ("google cloud ", "google ", "amazon ", "aws ", "microsoft ", "azure ")
MAX_PARTS = 6  # more than this: "A, B, C, D और 3 अन्य सेवाओं" (the first four and how many more)
_REGION = re.compile(r"\s*\([^()]*\)\s*$")  # "(N. Virginia)", "(us-central1)", "(VPC)"
_EMPTY_TITLE = re.compile(r"^(?:incident on \d{4}-\d\d-\d\d[\d: ]*(?:utc)?|incident|outage|issue|status|site event)\.?$",
                          re.IGNORECASE)


@dataclass(frozen=True)
class Glossary:
    products: dict[str, str]  # lower-cased English name -> Hindi
    words: dict[str, str]
    skip_names: frozenset[str]
    skip: re.Pattern[str] | None
    in_titles: re.Pattern[str] | None  # the products, longest first, word-bounded

    def lookup(self, name: str) -> str | None:
        key = name.strip().lower()
        return self.products.get(key) or self.words.get(key)


@lru_cache(maxsize=2)
def load_glossary(path: str | None = None) -> Glossary:
    """Read data/glossary.toml (cached). Raises ValueError naming the file and the bad entry."""
    where = Path(path) if path else GLOSSARY_PATH
    raw: dict[str, Any] = tomllib.loads(where.read_text(encoding="utf-8"))
    tables = {}
    for section in ("products", "words"):
        table = raw.get(section, {})
        for key, value in table.items():
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{where}: [{section}] {key!r}: the Hindi must be a non-empty string")
        tables[section] = {k.strip().lower(): v.strip() for k, v in table.items()}
    skip = raw.get("skip", {})
    try:
        skip_re = re.compile("|".join(f"(?:{p})" for p in skip.get("patterns", [])), re.IGNORECASE) if skip.get(
            "patterns") else None
    except re.error as err:
        raise ValueError(f"{where}: [skip] patterns: {err}") from None
    names = sorted(tables["products"], key=len, reverse=True)
    in_titles = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE) if names else None
    return Glossary(tables["products"], tables["words"], frozenset(n.lower() for n in skip.get("names", [])), skip_re,
                    in_titles)


def _hindi(name: str, glossary: Glossary) -> str | None:
    """The Hindi of one component name, trying it whole, without its bracketed region, without a vendor prefix."""
    bare = _REGION.sub("", name).strip()
    for candidate in (name, bare):
        found = glossary.lookup(candidate)
        if found:
            return found
        low = candidate.lower()
        for prefix in VENDOR_PREFIXES:
            if low.startswith(prefix):
                found = glossary.lookup(candidate[len(prefix):])
                if found:
                    return found
    return None


def _skipped(name: str, service: dict[str, str] | None, glossary: Glossary) -> bool:
    low = name.strip().lower()
    if not low or low in glossary.skip_names:
        return True
    if service and low in {service.get("name", "").lower(), service.get("hi", "").lower(), service.get("id", "")}:
        return True
    return bool(glossary.skip and glossary.skip.fullmatch(name.strip()))


def component_parts(components: list[str], service: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(Hindi, English) for each component that names a part; a comma list is read item by item; an unknown name
    is quoted in English in the Hindi. Duplicates (by Hindi) are dropped, order kept."""
    glossary = load_glossary()
    out: dict[str, str] = {}
    for name in components:
        if not isinstance(name, str) or _skipped(name, service, glossary):
            continue
        items = [i.strip() for i in name.split(",")] if "," in name else [name.strip()]
        translated = [_hindi(i, glossary) for i in items]
        if len(items) > 1 and all(translated):
            for item, hindi in zip(items, translated, strict=True):
                out.setdefault(hindi or item, item)
            continue
        hindi = _hindi(name, glossary)
        out.setdefault(hindi or f"“{_REGION.sub('', name).strip() or name.strip()}”", name.strip())
    return list(out.items())


def title_parts(title: str, service: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """The glossary's products named in an incident title or a statement (the company named them), in order."""
    glossary = load_glossary()
    if not title or glossary.in_titles is None:
        return []
    out: dict[str, str] = {}
    for match in glossary.in_titles.finditer(title):
        if _skipped(match.group(0), service, glossary):
            continue
        hindi = glossary.lookup(match.group(0))
        if hindi:
            out.setdefault(hindi, match.group(0))
    return list(out.items())


def informative_title(title: str | None) -> str:
    """The title when it says something ("Elevated errors on Claude.ai"); "" for "Incident on 2019-05-29 02:11 UTC"."""
    text = " ".join((title or "").split())
    return "" if not text or _EMPTY_TITLE.match(text) else text


def components_of(value: Any) -> list[str]:
    """A component list from a post's JSON column, a list, or nothing."""
    if isinstance(value, str):
        try:
            value = json.loads(value or "[]")
        except ValueError:
            return []
    return [v for v in value if isinstance(v, str) and v.strip()] if isinstance(value, list | tuple) else []


def parts(components: list[str], title: str | None, service: dict[str, str] | None = None,
          text: str = "") -> list[tuple[str, str]]:
    """What broke: the components when they name a part, else the products the title names, else the products the
    statement itself names ("problems starting runs for Actions workflows"), else nothing."""
    return (component_parts(components, service) or title_parts(informative_title(title), service)
            or title_parts(text, service)[:MAX_PARTS])


def phrase(found: list[tuple[str, str]], lang: str) -> str:
    """"एक्शंस और एपीआई रिक्वेस्ट" / "Actions and API Requests"; beyond MAX_PARTS: "…, D और 3 अन्य सेवाओं" (oblique:
    the phrase is always followed by "में")."""
    hi = lang.startswith("hi")
    names = [h if hi else e for h, e in found]
    if len(names) > MAX_PARTS:
        rest = len(names) - 4
        names = names[:4] + [f"{rest} अन्य सेवाओं" if hi else f"{rest} other services"]
    if len(names) <= 1:
        return "".join(names)
    word = " और " if hi else " and "
    return ", ".join(names[:-1]) + word + names[-1]
