"""The services catalog (data/services.toml): names in English and Hindi, owners, official sources.

Read-only plain data; ``load_catalog()`` validates every entry and caches the bundled catalog.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from trackers.registry import HANDLE_KINDS, SOURCE_KINDS

CATALOG_PATH = Path(__file__).resolve().parent / "data" / "services.toml"
ID_PATTERN = re.compile(r"^[a-z0-9_-]+$")
URL_PATTERN = re.compile(r"^https://[a-z0-9.-]+\.[a-z]{2,}(?::\d+)?(?:/[^\s]*)?$", re.IGNORECASE)
HANDLE_PATTERNS = {
    "x": re.compile(r"^[A-Za-z0-9_]{1,15}$"),
    "bluesky": re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$"),  # a domain handle
    "mastodon": re.compile(r"^[A-Za-z0-9_]{1,30}@(?:[a-z0-9-]+\.)+[a-z]{2,}$"),  # user@instance
}
DEVANAGARI = re.compile(r"[\u0900-\u097F]")


class CatalogError(Exception):
    """The catalog cannot be used; the message names the file and every problem."""


@dataclass(frozen=True)
class ServiceSource:
    kind: str
    url: str = ""
    handle: str = ""


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    hi: str
    owner: str
    aliases: tuple[str, ...]
    category: str
    sources: tuple[ServiceSource, ...]
    former: tuple[tuple[str, str, str], ...] = ()  # (English name, Hindi name, ISO date it ended), oldest first

    def named_at(self, moment: str) -> tuple[str, str]:
        """(English, Hindi) name as it was on ``moment`` (ISO 8601): "Twitter"/"ट्विटर" in 2019, "X (Twitter)" now."""
        for name, hi, until in self.former:
            if moment and moment[:10] < until:
                return name, hi
        return self.name, self.hi

    def names(self) -> tuple[str, ...]:
        """Every name the service goes by: id, English name, Hindi name, aliases, former names."""
        return (self.id, self.name, self.hi, *self.aliases, *(n for f in self.former for n in f[:2]))


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


class Catalog:
    """All services, with lookups by id, name, alias or Hindi name."""

    def __init__(self, services: tuple[Service, ...] | list[Service], path: str = "") -> None:
        self.services: tuple[Service, ...] = tuple(services)
        self.path = path
        self._by_id = {s.id: s for s in self.services}
        self._by_name: dict[str, Service] = {}
        for service in self.services:  # ids and names first, so an alias never hides a name
            for name in (service.id, service.name, service.hi):
                self._by_name.setdefault(_key(name), service)
        for service in self.services:
            for alias in service.aliases:
                self._by_name.setdefault(_key(alias), service)

    def __len__(self) -> int:
        return len(self.services)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.services)

    def get(self, service_id: str) -> Service:
        """The service with this id; KeyError if unknown."""
        return self._by_id[service_id]

    def find(self, name: str) -> Service | None:
        """The service called ``name`` (id, English name, alias or Hindi name; case-insensitive)."""
        if not name:
            return None
        key = _key(name.lstrip("@"))
        return self._by_name.get(key)

    def search(self, word: str) -> list[Service]:
        """Services where ``word`` occurs in id, names, aliases, category, handles or URLs."""
        needle = _key(word)
        if not needle:
            return list(self.services)
        found = []
        for service in self.services:
            hay = [*service.names(), service.category, service.owner]
            hay += [src.url for src in service.sources] + [src.handle for src in service.sources]
            if any(needle in _key(h) for h in hay if h):
                found.append(service)
        return found

    def by_owner(self, owner: str) -> list[Service]:
        """Services of one owner company (case-insensitive), e.g. "Meta"."""
        key = _key(owner)
        return [s for s in self.services if _key(s.owner) == key]

    def hindi_name(self, name: str) -> str:
        """Hindi name for a service name or id; the given name itself when the service is unknown."""
        service = self.find(name)
        return service.hi if service else name


def _service_from(entry: dict[str, Any]) -> Service:
    sources = []
    for src in entry.get("source", []) or []:
        if not isinstance(src, dict):
            continue
        sources.append(
            ServiceSource(
                kind=str(src.get("kind", "")),
                url=str(src.get("url", "")),
                handle=str(src.get("handle", "")).lstrip("@"),
            )
        )
    aliases = entry.get("aliases", [])
    return Service(
        id=str(entry.get("id", "")),
        name=str(entry.get("name", "")),
        hi=str(entry.get("hi", "")),
        owner=str(entry.get("owner", "")),
        aliases=tuple(str(a) for a in aliases) if isinstance(aliases, list) else (),
        category=str(entry.get("category", "")),
        sources=tuple(sources),
        former=tuple(
            (str(f.get("name", "")), str(f.get("hi", "")), str(f.get("until", "")))
            for f in entry.get("former", []) or [] if isinstance(f, dict) and f.get("name") and f.get("until")
        ),
    )


def validate_catalog(catalog: Catalog) -> list[str]:
    """Problems with the catalog, one line each (empty list: fine)."""
    problems: list[str] = []
    seen_ids: set[str] = set()
    names: dict[str, str] = {}
    for index, service in enumerate(catalog.services):
        where = f"service #{index + 1} id={service.id!r}"
        if not ID_PATTERN.match(service.id):
            problems.append(f"{where}: id must be a-z 0-9 _ -")
        if service.id in seen_ids:
            problems.append(f"{where}: duplicate id")
        seen_ids.add(service.id)
        for field in ("name", "hi", "owner", "category"):
            if not getattr(service, field).strip():
                problems.append(f"{where}: missing {field}")
        if service.hi and not DEVANAGARI.search(service.hi):
            problems.append(f"{where}: hi {service.hi!r} has no Devanagari")
        for name in service.names():
            key = _key(name)
            other = names.get(key)
            if other and other != service.id:
                problems.append(f"{where}: name or alias {name!r} also belongs to {other!r}")
            names.setdefault(key, service.id)
        for number, src in enumerate(service.sources, start=1):
            swhere = f"{where} source #{number} ({src.kind or 'no kind'})"
            if src.kind not in SOURCE_KINDS:
                problems.append(f"{swhere}: unknown kind (known: {', '.join(SOURCE_KINDS)})")
                continue
            if src.kind in HANDLE_KINDS:
                if not HANDLE_PATTERNS[src.kind].match(src.handle):
                    problems.append(f"{swhere}: bad handle {src.handle!r}")
                if src.url:
                    problems.append(f"{swhere}: a {src.kind} source takes a handle, not a url")
            else:
                if not URL_PATTERN.match(src.url):
                    problems.append(f"{swhere}: url must be https://…, got {src.url!r}")
                if src.handle:
                    problems.append(f"{swhere}: a {src.kind} source takes a url, not a handle")
    return problems


def read_catalog(path: str | Path) -> Catalog:
    """Parse a catalog file without validating it. Raises CatalogError if it is not readable TOML."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as err:
        raise CatalogError(f"{path}: not valid TOML: {err}") from None
    entries = raw.get("service", [])
    if not isinstance(entries, list):
        raise CatalogError(f"{path}: [[service]] entries expected")
    return Catalog([_service_from(e) for e in entries if isinstance(e, dict)], path=str(path))


@lru_cache(maxsize=1)
def _bundled() -> Catalog:
    return _checked(CATALOG_PATH)


def _checked(path: Path) -> Catalog:
    catalog = read_catalog(path)
    problems = validate_catalog(catalog)
    if problems:
        raise CatalogError(f"{path}: {len(problems)} problem(s): " + "; ".join(problems))
    return catalog


def load_catalog(path: str | Path | None = None) -> Catalog:
    """The validated catalog: the bundled data/services.toml (cached) or the file at ``path``."""
    if path is None or Path(path).resolve() == CATALOG_PATH:
        return _bundled()
    return _checked(Path(path))
