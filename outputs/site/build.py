"""Building the site: every page and feed is rendered to bytes from the state database (outputs.site.model and
.messages), then written only where its bytes changed (outputs.site.write). ``build_site`` is ``bot.py site``;
``SiteRefresher`` is what ``bot.py run`` calls after a poll when ``[bot] site_dir`` is set.

Layout under the output folder::

    index.html                      open incidents, the last days, a 90-day bar per service
    feed.xml, feed.<lang>.xml       Atom: every language / one language, the newest FEED_ENTRIES messages
    services/<id>/index.html        a service's history and figures; services/<id>/feed[.<lang>].xml
    incidents/<id>.html             an incident: summary, timeline, every statement
    events/<id>.html                several services at once
    events/<id>.story.html          the event's news-story draft (outputs/story), Hindi and English
    incidents/<id>.story.html       the story of a major or critical incident on its own (outputs/story/subject.py)
    days/<YYYY-MM-DD>.html          a day's digest
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import sqlite_utils
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

import timefmt
from outputs.site import atom, stories, svg
from outputs.site.messages import Messages, stamp_of
from outputs.site.model import SiteData, day_bar, day_bounds, load, service_figures
from outputs.site.write import write_if_changed
from render import TEMPLATES, join_and, kind_label

log = logging.getLogger("pushti.site")
FEED_ENTRIES = 50  # newest messages per feed
RECENT_DAYS = 7  # "the last days" on the index
BAR_DAYS = 90
LEGEND = (("none", "कोई दिक्कत नहीं", "no incident"), ("maintenance", "रखरखाव", "maintenance"),
          ("unknown", "दिक्कत, असर नहीं बताया", "incident, impact not given"), ("minor", "कम असर", "minor"),
          ("major", "बड़ा असर", "major"), ("critical", "गंभीर असर", "critical"))


def web_link(url: Any) -> str:
    """A link to the company's original only when it is an http(s) address (never ``javascript:`` or ``data:``)."""
    url = str(url or "").strip()
    return url if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc else ""


class SiteError(Exception):
    """The site cannot be built where asked (a file where a folder should be, no permission)."""


@dataclass
class SiteSettings:
    out: Path
    timezone: str = "Asia/Kolkata"
    languages: tuple[str, ...] = ("hi", "en")
    url: str = ""  # [bot] site_url: where the site is published (absolute feed links, the tag: authority)
    services: list[str] = field(default_factory=list)  # configured services: shown even with no incident yet

    def __post_init__(self) -> None:
        self.url = self.url.rstrip("/")


@dataclass
class BuildReport:
    pages: int = 0
    written: int = 0
    seconds: float = 0.0
    written_paths: list[str] = field(default_factory=list)


def settings_for(bot: Any, out: str | Path | None = None) -> SiteSettings:
    """Settings from the bot's config; ``out`` overrides ``[bot] site_dir``."""
    where = out if out is not None else bot.options.get("site_dir")
    if not where or not isinstance(where, (str, Path)):
        raise SiteError(f"{bot.path}: [bot] site_dir must be a folder name (or give --out)")
    url = bot.options.get("site_url") or ""
    if not isinstance(url, str) or (url and urlsplit(url).scheme not in ("http", "https")):
        raise SiteError(f"{bot.path}: [bot] site_url must be an http(s) URL, got {url!r}")
    return SiteSettings(out=Path(where), timezone=bot.timezone, languages=tuple(bot.languages), url=url.rstrip("/"),
                        services=list(dict.fromkeys(s.service for s in bot.sources)))


_env: Environment | None = None


def environment() -> Environment:
    global _env
    if _env is None:
        _env = Environment(loader=FileSystemLoader(str(TEMPLATES / "site")), undefined=StrictUndefined, auto_reload=False,
                           autoescape=select_autoescape(["j2", "html"], default=True), trim_blocks=True,
                           lstrip_blocks=True)
    return _env


class Site:
    """One build's pages: path → bytes."""

    def __init__(self, db: sqlite_utils.Database, settings: SiteSettings, messages: Messages, today: date) -> None:
        self.db = db
        self.settings = settings
        self.tz = settings.timezone
        self.langs = settings.languages
        self.messages = messages
        self.data: SiteData = load(db, self.tz, today, settings.services)
        self.pages: dict[str, bytes] = {}
        self.times: dict[tuple[str, datetime], str] = {}
        self.rows: dict[int, dict[str, Any]] = {}
        self.days_of: dict[int, list[date]] = {}
        for day, ids in sorted(self.data.days.items()):
            for incident_id in ids:
                self.days_of.setdefault(incident_id, []).append(day)
        authority = urlsplit(settings.url).hostname if settings.url else None
        self.authority = authority or "pushti.invalid"
        # the stories with something to tell, and where each incident's story is (pages link to them)
        self.stories: list[tuple[stories.Subject, stories.Rendered]] = []
        for subject in stories.subjects(self.data):
            rendered = stories.render(db, subject, self.langs, self.tz, messages)
            if rendered is not None:
                self.stories.append((subject, rendered))
        self.story_of = {subject.target: {"path": subject.path, "developing": rendered.developing}
                         for subject, rendered in self.stories}  # "event:1" / "incident:12" → where, developing

    # ------------------------------------------------------------ words both languages share

    def say(self, hi: str, en: str) -> str:
        return " · ".join(hi if lang == "hi" else en for lang in self.langs)

    def when_hi(self, at: datetime | None) -> str:
        if at is None:
            return "—"
        if ("hi", at) not in self.times:  # the same moments recur on many pages: format each once
            self.times["hi", at] = timefmt.when_hi(at, self.tz, zone=True)
        return self.times["hi", at]

    def when_en(self, at: datetime | None) -> str:
        if at is None:
            return "—"
        if ("en", at) not in self.times:
            self.times["en", at] = timefmt.when_en(at, self.tz)
        return self.times["en", at]

    def stamp(self, at: datetime | None) -> str:
        if at is None:
            return "—"
        return " · ".join(self.when_hi(at) if lang == "hi" else self.when_en(at) for lang in self.langs)

    def lasted(self, seconds: int | None, since: tuple[str, str] | None = None) -> str:
        """A duration in every language; ``since`` (Hindi, English) says from when, after each language's own."""
        if seconds is None:
            return "—"
        return " · ".join(timefmt.duration(seconds, lang) + (f" {since[0 if lang == 'hi' else 1]}" if since else "")
                          for lang in self.langs)

    def label(self, statement: dict[str, Any], statements: list[dict[str, Any]] | None = None) -> str:
        """The statement's kind in every language; given its incident's ``statements``, a maintenance's later word
        before the work that changes nothing is a reminder, as a collapsed backlog labels it (render.kind_label)."""
        stage = statement.get("stage") or ""
        return self.say(*(kind_label(statement.get("kind") or "", stage, lang, statement, statements=statements)
                          for lang in ("hi", "en")))

    def row(self, statement: dict[str, Any], statements: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """A statement as the pages print it, its times and label formatted once (incident and event pages)."""
        found = self.rows.get(statement["id"])
        if found is None:
            at = statement["created_at"]
            found = {**statement, "iso": atom.rfc3339(at) if at else "", "when_hi": self.when_hi(at),
                     "when_en": self.when_en(at), "utc": at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
                     if at else "—", "label": self.label(statement, statements), "web": web_link(statement.get("url"))}
            self.rows[statement["id"]] = found
        return found

    def story_label(self, developing: bool) -> str:
        return self.say("खबर (अपडेट जारी)", "Story (developing)") if developing else self.say("खबर", "Story")

    def names(self, services: list[dict[str, str]]) -> str:
        return " · ".join(join_and([s["hi" if lang == "hi" else "name"] for s in services], lang) for lang in self.langs)

    def common(self, root: str, title: str, feed_base: str | None = None) -> dict[str, Any]:
        return {
            "root": root, "feed_base": root if feed_base is None else feed_base, "page_title": title,
            "languages": self.langs, "say": self.say, "stamp": self.stamp, "lasted": self.lasted, "label": self.label,
            "when_hi": self.when_hi, "when_en": self.when_en, "iso": atom.rfc3339, "web": web_link,
            "original": self.say("मूल बयान", "Original"),
            "zone_hi": timefmt.zone_label(self.tz, "hi"), "zone_en": timefmt.zone_label(self.tz, "en"),
            "utc": lambda at: at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if at else "—",
            "story_of": self.story_of, "story_label": self.story_label,
        }

    def page(self, path: str, template: str, depends: tuple[Any, ...] | None = None, **values: Any) -> None:
        html = environment().get_template(template).render(**values).encode("utf-8")
        self.pages[path] = html
        if depends is not None:  # kept for the next build while what the page shows stays the same (``reuse``)
            self.messages.memo["page", path, depends] = html

    def reuse(self, path: str, depends: tuple[Any, ...]) -> bool:
        """Whether the page was kept as rendered for the same ``depends`` (what it shows): then it is used."""
        found = self.messages.memo.get(("page", path, depends))
        if found is not None:
            self.pages[path] = found
        return found is not None

    # ------------------------------------------------------------ pages

    def build(self) -> dict[str, bytes]:
        """Every page and feed (a page whose inputs are unchanged since the last build with these ``messages`` is
        taken as it was rendered then)."""
        self.ordered_days = sorted(self.data.days)
        self.day_index = {day: n for n, day in enumerate(self.ordered_days)}
        jobs: list[tuple[str, Any]] = [("incident", i) for i in self.data.incidents]
        jobs += [("event", e) for e in self.data.events] + [("day", d) for d in self.ordered_days]
        jobs += [("story", n) for n in range(len(self.stories))]
        self.run_jobs(jobs)
        for service in self.data.services.values():
            self.service_page(service)
        self.index_page()
        self.feeds()
        return self.pages

    def run_jobs(self, jobs: list[tuple[str, Any]]) -> None:
        for kind, key in jobs:
            if kind == "incident":
                self.incident_page(self.data.incidents[key])
            elif kind == "event":
                self.event_page(self.data.events[key])
            elif kind == "story":
                self.story_page(*self.stories[key])
            else:
                self.day_page(key)

    def _bar(self, service: Any, root: str) -> Any:
        days = day_bar(service, self.data, BAR_DAYS)
        label = self.say(f"{service.names['hi']}: पिछले {BAR_DAYS} दिन", f"{service.names['name']}: the last {BAR_DAYS} days")

        def title(day: dict[str, Any]) -> str:
            count = len(day["incidents"])
            word = self.say(f"{count} बार दिक्कत" if count else "कोई दिक्कत नहीं", f"{count} incident(s)" if count else "no incident")
            return f"{day['day'].isoformat()}: {word}"

        return svg.day_bar(days, label, lambda d: f"{root}days/{d['day'].isoformat()}.html", title)

    def index_page(self) -> None:
        today = self.data.today
        since, _ = day_bounds(today - timedelta(days=RECENT_DAYS - 1), self.tz)
        recent = [i for i in self.data.incidents.values()
                  if (i["resolved_at"] or i["last_statement_at"] or i["opened_at"] or since) >= since]
        events = [{**e, "names": self.names(e["services"])} for e in self.data.events.values()
                  if (e["ended_at"] or e["started_at"] or since) >= since]
        services = sorted(self.data.services.values(), key=lambda s: s.names["name"].lower())
        for service in services:
            service.bar = self._bar(service, "")  # type: ignore[attr-defined]
        start, _ = day_bounds(today, self.tz)
        self.page("index.html", "index.html.j2", **self.common("", self.say("पुष्टि: आधिकारिक बयान", "pushti: official statements")),
                  today_text=self.say("आज " + timefmt.day_month(start, self.tz, "hi", year=True),
                                      "Today " + timefmt.day_month(start, self.tz, "en", year=True)),
                  open_incidents=sorted(self.data.open_incidents(), key=self._began, reverse=True),
                  recent_incidents=sorted(recent, key=self._began, reverse=True), recent_events=events,
                  recent_days=RECENT_DAYS, services=services, colours=svg.COLOURS,
                  legend=[(key, self.say(hi, en)) for key, hi, en in LEGEND])

    @staticmethod
    def _began(incident: dict[str, Any]) -> datetime:
        return incident["began"] or incident["opened_at"] or incident["resolved_at"] or datetime.min.replace(
            tzinfo=timezone.utc)

    def service_page(self, service: Any) -> None:
        root = "../../"
        title = self.say(service.names["hi"], service.names["name"])
        self.page(f"services/{service.slug}/index.html", "service.html.j2", **self.common(root, title, ""),
                  service=service, bar=self._bar(service, root), figures=service_figures(service),
                  history=sorted(service.incidents, key=self._began, reverse=True))

    def incident_page(self, incident: dict[str, Any]) -> None:
        event = self.data.events.get(incident.get("event_id") or -1)
        path = f"incidents/{incident['id']}.html"
        stamp = (stamp_of(incident), self._event_stamp(event), tuple(self.days_of.get(incident["id"], [])))
        if self.reuse(path, stamp):
            return
        statements = incident["statements"]
        points = [{"at": s["created_at"], "kind": s.get("kind"), "anchor": f"s-{s['id']}",
                   "title": f"{self.when_en(s['created_at'])}: {self.label(s, statements)}"} for s in statements]
        name = self.say(incident["names"]["hi"], incident["names"]["name"])
        ended = incident["resolved_at"] if incident["status"] == "resolved" else None
        drawing = svg.timeline(incident["began"], ended, points, name)
        days = self.days_of.get(incident["id"], [])
        self.page(path, "incident.html.j2", stamp,
                  **self.common("../", f"{name}: {incident.get('title') or ''}".rstrip(": ")),
                  incident=incident, statements=[self.row(s, statements) for s in statements], drawing=drawing,
                  event={**event, "names": self.names(event["services"])} if event else None,
                  day_links=[d.isoformat() for d in days][:BAR_DAYS],
                  summaries=[(lang, self.messages.summary(incident, lang)) for lang in self.langs])

    def _event_stamp(self, event: dict[str, Any] | None) -> tuple[Any, ...]:
        if event is None:
            return ()
        members = tuple(stamp_of(self.data.incidents[i["id"]]) for i in event["incidents"] if i["id"] in self.data.incidents)
        return (event["id"], event.get("updated_at"), event.get("status"), members)

    def event_page(self, event: dict[str, Any]) -> None:
        path, stamp = f"events/{event['id']}.html", self._event_stamp(event)
        if self.reuse(path, stamp):
            return
        members = [self.data.incidents[i["id"]] for i in event["incidents"] if i["id"] in self.data.incidents]
        items = [{"began": m["began"], "ended": m["resolved_at"] if m["status"] == "resolved" else None,
                  "name": self.say(m["names"]["hi"], m["names"]["name"]), "href": f"../incidents/{m['id']}.html",
                  "title": self.lasted(m["told"]["duration_seconds"])} for m in members]
        names = self.names(event["services"])
        statements = sorted(
            ({**self.row(s, m["statements"]), "service_name": self.say(m["names"]["hi"], m["names"]["name"])}
             for m in members for s in m["statements"]), key=lambda s: (s["created_at"], s["id"]))
        self.page(path, "event.html.j2", stamp, **self.common("../", names),
                  event={**event, "names": names}, members=members, statements=statements,
                  drawing=svg.rows(items, names), summaries=[(lang, self.messages.event(event, lang)) for lang in self.langs])

    def story_page(self, subject: stories.Subject, rendered: stories.Rendered) -> None:
        """The story in every language, one article each, under a link back to the event's or incident's page."""
        if self.reuse(subject.path, subject.stamp()):
            return
        if subject.event is not None:
            back = self.say("घटना का पूरा ब्योरा", "The event in full")
        else:
            back = self.say("घटना का पूरा ब्योरा", "The incident in full")
        headline = rendered.headline.get(self.langs[0]) or next(iter(rendered.headline.values()))
        self.page(subject.path, "story.html.j2", subject.stamp(), **self.common("../", headline),
                  back_href=subject.page.split("/", 1)[1], back=back, developing=rendered.developing,
                  articles=[(lang, Markup(rendered.html[lang])) for lang in self.langs if lang in rendered.html])

    def day_page(self, day: date) -> None:
        start, _ = day_bounds(day, self.tz)
        incidents = [self.data.incidents[i] for i in self.data.days[day]]
        events = [self.data.events[e] for e in sorted({i["event_id"] for i in incidents if i.get("event_id")})
                  if e in self.data.events]
        ordered = self.ordered_days
        at = self.day_index[day]
        previous = ordered[at - 1].isoformat() if at > 0 else ""
        following = ordered[at + 1].isoformat() if at + 1 < len(ordered) else ""
        path = f"days/{day.isoformat()}.html"
        stamp = (tuple(stamp_of(i) for i in incidents), tuple(self._event_stamp(e) for e in events), previous, following)
        if self.reuse(path, stamp):
            return
        self.page(path, "day.html.j2", stamp,
                  **self.common("../", day.isoformat()),
                  day_text=self.say(timefmt.day_month(start, self.tz, "hi", year=True),
                                    timefmt.day_month(start, self.tz, "en", year=True)),
                  incidents=incidents, previous=previous, following=following,
                  summaries=[(lang, self.messages.day(start, incidents, events, lang)) for lang in self.langs])

    # ------------------------------------------------------------ feeds

    def _entries(self, incidents: list[dict[str, Any]], lang: str, prefix: str) -> list[atom.Entry]:
        """The newest FEED_ENTRIES messages of these incidents in one language ("" = every language, in order).
        A statement the company edited is one entry: its id stays, its text and ``updated`` are the latest."""
        latest: dict[tuple[int, str], tuple[dict[str, Any], dict[str, Any], datetime, datetime]] = {}
        for incident in incidents:
            for statement in incident["statements"]:
                key = (incident["id"], statement["key"])
                if key in latest:  # an edit: updated when the bot saw the new words (its created_at is the original's)
                    _, _, published, _ = latest[key]
                    seen = max(statement["seen"] or statement["created_at"], statement["created_at"])
                    latest[key] = (incident, statement, published, seen)
                else:  # first said: published and updated when the company said it, not when the bot first read it
                    latest[key] = (incident, statement, statement["created_at"], statement["created_at"])
        newest = sorted(latest.items(), key=lambda kv: (kv[1][3], kv[1][1]["id"]), reverse=True)[:FEED_ENTRIES]
        entries = []
        for (incident_id, key), (incident, statement, published, updated) in newest:
            langs = self.langs if not lang else (lang,)
            texts = [self.messages.statement(incident, statement, each) for each in langs]
            link = f"{prefix}incidents/{incident_id}.html#s-{statement['id']}"
            entries.append(atom.Entry(
                id=atom.tag_uri(self.authority, "incident", str(incident_id), *key.split("/", 1)),
                title=" · ".join(t.split("\n", 1)[0] for t in texts), content="\n\n".join(texts),
                published=published, updated=updated, link=self._absolute(link, prefix),
                original=statement.get("url") or "", service=incident["names"]["name"]))
        return entries

    def _story_entries(self, lang: str, prefix: str) -> list[atom.Entry]:
        """One entry per story: its id is the event's or incident's and "story", so a story told again after a
        new statement keeps its entry and moves ``updated``; the text is the story in the feed's language(s)."""
        entries = []
        for subject, rendered in self.stories:
            langs = [each for each in (self.langs if not lang else (lang,)) if each in rendered.text]
            if not langs or rendered.published is None or rendered.updated is None:
                continue
            names = join_and([m["names"]["name"] for m in subject.members], "en")
            entries.append(atom.Entry(
                id=atom.tag_uri(self.authority, subject.kind, str(subject.id), "story"),
                title=" · ".join(rendered.headline[each] for each in langs),
                content="\n\n".join(rendered.text[each].strip() for each in langs),
                published=rendered.published, updated=rendered.updated,
                link=self._absolute(f"{prefix}{subject.path}", prefix), original="", service=names))
        return entries

    def _absolute(self, link: str, prefix: str) -> str:
        if not self.settings.url:
            return link
        return f"{self.settings.url}/{link[len(prefix):]}" if link.startswith(prefix) else link

    def feeds(self) -> None:
        fallback = datetime.combine(self.data.today, datetime.min.time(), tzinfo=ZoneInfo(self.tz))
        scopes: list[tuple[str, str, list[dict[str, Any]], str]] = [
            ("", self.say("पुष्टि: सभी सेवाएं", "pushti: every service"), list(self.data.incidents.values()), "")]
        for service in self.data.services.values():
            scopes.append((f"services/{service.slug}/", self.say(service.names["hi"], service.names["name"]),
                           service.incidents, "../../"))
        for folder, title, incidents, prefix in scopes:
            for lang in ("", *self.langs):
                name = f"feed.{lang}.xml" if lang else "feed.xml"
                self_href = f"{self.settings.url}/{folder}{name}" if self.settings.url else ""
                alternate = self._absolute(f"{prefix}{folder}index.html", prefix) if folder else \
                    (f"{self.settings.url}/index.html" if self.settings.url else "index.html")
                if folder and not self.settings.url:
                    alternate = "index.html"
                scope = folder.strip("/").split("/")[-1] if folder else "all"
                entries = self._entries(incidents, lang, prefix)
                if not folder:  # the feeds of everything carry the stories too, newest first
                    entries = sorted(entries + self._story_entries(lang, prefix), key=lambda e: e.updated,
                                     reverse=True)[:FEED_ENTRIES]
                self.pages[f"{folder}{name}"] = atom.feed(
                    feed_id=atom.tag_uri(self.authority, "feed", scope, lang or "all"), title=title,
                    lang=lang or self.langs[0], entries=entries, alternate=alternate,
                    self_href=self_href, fallback_updated=fallback)


MANIFEST = ".pushti-site.json"  # the files the last build wrote: the only ones a later build may remove


def _remove_stale(out: Path, pages: dict[str, bytes]) -> None:
    """Remove the files an earlier build wrote that this one no longer makes (an incident merged away); files
    someone else put in the folder (a CNAME, a robots.txt) are never in the manifest, so never touched."""
    try:
        before = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    root = out.resolve()
    for name in before if isinstance(before, list) else []:
        if not isinstance(name, str) or name in pages:
            continue
        path = (out / name).resolve()
        if root in path.parents and path.is_file():
            path.unlink()


def write_pages(out: Path, pages: dict[str, bytes]) -> list[str]:
    """Write what changed, remove what an earlier build made and this one did not; the paths written."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise SiteError(f"cannot make the site folder {out}: {err.strerror or err}") from None
    if not out.is_dir():
        raise SiteError(f"{out} is not a folder")
    written = []
    for path, data in pages.items():
        try:
            if write_if_changed(out / path, data):
                written.append(path)
        except OSError as err:
            raise SiteError(f"cannot write {out / path}: {err.strerror or err}") from None
    try:
        _remove_stale(out, pages)
        write_if_changed(out / MANIFEST, json.dumps(sorted(pages), indent=0).encode("utf-8"))
    except OSError as err:
        raise SiteError(f"cannot update {out / MANIFEST}: {err.strerror or err}") from None
    return written


def build_site(db: sqlite_utils.Database, settings: SiteSettings, *, today: date | None = None,
               messages: Messages | None = None) -> BuildReport:
    """Render every page and feed and write the ones that changed. ``messages`` kept from an earlier build (the
    daemon's refresher keeps them) spare re-rendering what did not change."""
    started = time.perf_counter()
    today = today or datetime.now(ZoneInfo(settings.timezone)).date()
    pages = Site(db, settings, messages or Messages(db, settings.timezone), today).build()
    written = write_pages(settings.out, pages)
    return BuildReport(pages=len(pages), written=len(written), seconds=time.perf_counter() - started,
                       written_paths=written)


class SiteRefresher:
    """For the daemon: after a poll, rebuild when the store changed (or the day turned), write what changed. A
    failure is logged once per distinct error and never stops the daemon."""

    def __init__(self, settings: SiteSettings) -> None:
        self.settings = settings
        self.fingerprint: tuple[Any, ...] | None = None
        self.messages: Messages | None = None
        self.last_error = ""

    def refresh(self, db: sqlite_utils.Database) -> BuildReport | None:
        today = datetime.now(ZoneInfo(self.settings.timezone)).date()
        mark = db.execute("select (select max(id) from posts), (select count(*) from posts), "
                          "(select max(updated_at) from incidents), (select count(*) from incidents), "
                          "(select max(updated_at) from events)").fetchone()
        fingerprint = (today, *mark)
        if fingerprint == self.fingerprint:
            return None
        if self.messages is None or self.messages.db is not db:
            self.messages = Messages(db, self.settings.timezone)
        if len(self.messages.memo) > 200_000:  # bounded: a long-running daemon never grows without end
            self.messages.memo.clear()
        try:
            report = build_site(db, self.settings, today=today, messages=self.messages)
        except Exception as err:  # the site never stops the bot: one line per distinct error, tried again later
            said = str(err) if isinstance(err, SiteError) else f"could not build the site: {type(err).__name__}: {err}"
            if said != self.last_error:
                log.warning("site: %s", said, exc_info=not isinstance(err, SiteError))
                self.last_error = said
            return None
        self.fingerprint, self.last_error = fingerprint, ""
        if report.written:
            log.info("site: %d of %d page(s) changed, written to %s", report.written, report.pages, self.settings.out)
        return report


def site_refresher(bot: Any) -> SiteRefresher | None:
    """The daemon's refresher when ``[bot] site_dir`` is set (None otherwise, or with one warning when the site
    settings are unusable: the bot runs on without the site)."""
    if not bot.options.get("site_dir"):
        return None
    try:
        return SiteRefresher(settings_for(bot))
    except SiteError as err:
        log.warning("site: %s; the site is not refreshed", err)
        return None
