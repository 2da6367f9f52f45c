"""What broke, by the company's own naming: an incident's components (Statuspage components and affected
components, Google Cloud products, AWS services) and its title, in Hindi through data/glossary.toml and in English
as the company wrote them. Plain data in, plain strings out (no database; the glossary file is read once).

``parts(components, title, service)`` → the affected parts as (Hindi, English) pairs; ``phrase`` joins them
("एक्शंस और एपीआई रिक्वेस्ट" / "Actions and API Requests"); ``informative_title`` drops titles that say nothing
("Incident on 2019-05-29 02:11 UTC"); ``opening_title`` the title an incident had while open, not the closing
sentence a page put there at the close. A name the glossary does not know is kept in English, quoted (“Eventarc”).
``said_unaffected(texts)`` reads what the company says was *not* affected ("This is not a problem with BigQuery,
only Google Analytics BigQuery export is affected"): ``parts`` never names a denied product and names the one it
says is affected instead.
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

_WORD = r"[A-Z][\w/+&-]*(?:\.[\w/+&-]+)*"  # "BigQuery", "Pub/Sub", "Node.js"; not a sentence's full stop
_NAME = _WORD + r"(?:[ \t]+" + _WORD + r"){0,3}"  # a product as prose names it: capitalised words on one line
_NOT_AFFECTED = re.compile(  # "This is not a problem with BigQuery", "Cloud SQL is not affected", "The API is unaffected"
    r"\b(?i:this|it|the\s+(?:issue|problem|incident))\s+(?i:is|was)\s+not\s+(?i:an?\s+)?"
    r"(?i:problem|issue|outage|incident)\s+(?i:with|in|of|affecting)\s+(?i:the\s+)?(?P<name>" + _NAME + r")"
    r"|(?P<subject>" + _NAME + r")\s+(?i:is|are|was|were|has|have)\s+"
    r"(?i:not\s+(?:been\s+)?(?:affected|impacted)|unaffected|unimpacted)\b"
    # "Our APIs do not seem to be affected" (DatoCMS, 3 February 2025)
    r"|(?P<seeming>" + _NAME + r")\s+(?i:do|does|did)\s+not\s+(?i:seem|appear)\s+to\s+(?i:be|have\s+been)\s+"
    r"(?i:affected|impacted)\b")
_ARTICLE = re.compile(r"^(?:the|our)\s+", re.IGNORECASE)  # "The API is unaffected": the product is "API"
# the names listed before a denied subject: "… including the API and ChatGPT were unaffected" (the API as well)
_LISTED_BEFORE = re.compile(r"(?:(?:(?i:the|our)[ \t]+)?" + _NAME + r"(?:[ \t]*,[ \t]*(?i:and[ \t]+)?|[ \t]+(?i:and)[ \t]+))+$")
_ONLY_AFFECTED = re.compile(  # "only Google Analytics BigQuery export is affected"
    r"\b(?i:only)\s+(?i:the\s+)?(?P<name>" + _NAME + r"(?:[ \t]+[a-z][\w-]*){0,2}?)\s+(?i:is|are|was|were)\s+"
    r"(?i:affected|impacted)\b")


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


_LINK = re.compile(r"https?://\S+|www\.\S+")


def title_parts(title: str, service: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """The glossary's products named in an incident title or a statement (the company named them), in order."""
    glossary = load_glossary()
    if not title or glossary.in_titles is None:
        return []
    if "http" in title or "www." in title:  # a link's words are an address, not a product named (Agorapulse 2021:
        title = _LINK.sub(" ", title)  # "…/status/dashboard/" was "डैशबोर्ड में धीमेपन की दिक्कत")
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


_SUMMARY_LINE = re.compile(r"\A\s*Summary:[ \t]*(?P<line>\S[^\n]*)")  # "Summary: Hung tasks in Cloud Filestore …"


def opening_title(title: str | None, texts: list[str]) -> str:
    """The incident's title as it stood while the incident was open. A title that is the words of one of its own later
    statements (``texts``, oldest first) is the closing sentence the page put in its headline at the close (Google
    Cloud's ``external_desc``: "This issue is believed to be affecting a very small number of projects …", "This
    incident is being merged with an existing incident …"; the document keeps no earlier one): the ``Summary:`` line
    of the latest statement before it ("Europe : Eventarc GCS trigger mutations failing sporadically in Europe"),
    else "" (no title). Any other title is kept."""
    said = " ".join((title or "").split())
    if not said:
        return title or ""
    for index in range(len(texts) - 1, 0, -1):
        if " ".join((texts[index] or "").split()) != said or _SUMMARY_LINE.match(texts[index] or ""):
            continue
        for earlier in reversed(texts[:index]):
            summary = _SUMMARY_LINE.match(earlier or "")
            if summary:
                return summary.group("line").strip()
        return ""
    return title or ""


def components_of(value: Any) -> list[str]:
    """A component list from a post's JSON column, a list, or nothing."""
    if isinstance(value, str):
        try:
            value = json.loads(value or "[]")
        except ValueError:
            return []
    return [v for v in value if isinstance(v, str) and v.strip()] if isinstance(value, list | tuple) else []


def said_unaffected(texts: list[str]) -> dict[str, list[str]]:
    """What the company's words say of the parts: ``not_affected``, the products it says were not affected ("This
    is not a problem with BigQuery" → "BigQuery"), and ``only_affected``, the one it names instead ("only Google
    Analytics BigQuery export is affected"); each first seen first, once."""
    denied: dict[str, None] = {}
    only: dict[str, None] = {}
    for text in texts:
        for match in _NOT_AFFECTED.finditer(text or ""):
            if match.group("subject") or match.group("seeming"):
                listed = _LISTED_BEFORE.search(text[max(0, match.start() - 200):match.start()])
                for name in re.findall(_NAME, listed.group(0) if listed else ""):
                    denied.setdefault(name.strip(), None)
            said = match.group("name") or match.group("subject") or match.group("seeming")
            denied.setdefault(_ARTICLE.sub("", said.strip()), None)
        for match in _ONLY_AFFECTED.finditer(text or ""):
            only.setdefault(match.group("name").strip(), None)
    return {"not_affected": list(denied), "only_affected": list(only)}


# symptom tags that name a part of the service, and the names under which the company may say that part was not
# affected: a symptom the company denies is not told as what broke
_SYMPTOM_PARTS = {"api": re.compile(r"(?:all\s+)?(?:(?:public|rest|graphql|content\s+delivery)\s+)?apis?", re.IGNORECASE)}


def symptoms_not_denied(symptoms: list[str], not_affected: list[str]) -> list[str]:
    """``symptoms`` without those naming a part the company says was not affected (``said_unaffected``): DatoCMS,
    3 February 2025, "login page … not working … Our APIs do not seem to be affected" was told as "उपयोगकर्ताओं को
    लॉग इन करने में और एपीआई में दिक्कत आ रही है" / "trouble logging in and using the API"."""
    names = [_bare(n) for n in not_affected]
    return [s for s in symptoms
            if not (s in _SYMPTOM_PARTS and any(_SYMPTOM_PARTS[s].fullmatch(n) for n in names))]


def _bare(name: str) -> str:
    """A name compared as a product: lower case, without a bracketed region or a vendor prefix."""
    low = _REGION.sub("", name).strip().lower()
    for prefix in VENDOR_PREFIXES:
        if low.startswith(prefix):
            return low[len(prefix):]
    return low


def _denied(found: list[tuple[str, str]], not_affected: list[str]) -> list[tuple[str, str]]:
    """``found`` without the parts the company says were not affected (by English name or by its Hindi)."""
    if not not_affected:
        return found
    glossary = load_glossary()
    names = {_bare(n) for n in not_affected}
    hindi = {h for h in (_hindi(n, glossary) for n in not_affected) if h}
    return [(h, e) for h, e in found if _bare(e) not in names and h not in hindi]


def parts(components: list[str], title: str | None, service: dict[str, str] | None = None,
          text: str = "", said: dict[str, list[str]] | None = None) -> list[tuple[str, str]]:
    """What broke: the components when they name a part, else the products the title names, else the products the
    statement itself names ("problems starting runs for Actions workflows"), else nothing. ``said``
    (``said_unaffected``): a product the company says was not affected is never named; when that leaves none of
    the components or title products, the part it says is affected instead is named (quoted when unknown)."""
    said = said or {}
    not_affected = said.get("not_affected") or []
    dropped = False
    readings = (lambda: component_parts(components, service), lambda: title_parts(informative_title(title), service),
                lambda: title_parts(text, service)[:MAX_PARTS])
    for read in readings:  # in order, each read only when the one before named nothing
        found = read()
        kept = _denied(found, not_affected)
        if kept:
            return kept
        dropped = dropped or bool(found)
        if dropped and said.get("only_affected"):
            return component_parts(said["only_affected"], service)
    return []


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
