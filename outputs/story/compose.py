"""The story in one language, sentence by sentence, from the plain data outputs/story/gather.py read.

Each sentence is one macro of templates/story/sentences.j2 filled with values this module formats and records as
facts (model.Fact: where the value came from, how the sentence writes it). Times, durations and the company's
own start and end are the incident's facts as facts.context gives them (``began``, ``stated_start``,
``resolved_at``, ``duration_seconds``), shown by render.Times as every channel message shows them; what broke and
the symptoms are render's readings of the statements (``affected_parts``, ``regions_named``, the symptom tags).

What the story never says: a scope the statements do not give ("दुनियाभर में"), a cause, a number of affected
users, words the company did not write. The closing line says what is not known yet.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

import timefmt
from facts.context import maintenance_text_says, said_over, unplanned_maintenance
from facts.what_broke import phrase
from outputs.story.model import Fact, Paragraph, Quote, Sentence, Story
from posts import iso_utc
from render import (
    GENERIC_SYMPTOMS,
    TEMPLATES,
    Times,
    _plural,
    _specific,
    affected_parts,
    all_of,
    how_resolved,
    join_and,
    medium,
    possessive,
    regions_named,
    symptom_phrase,
    trouble,
    trouble_head,
    undone_words,
)
from trackers.registry import HANDLE_KINDS

LONG = 2 * 3600  # every incident at least this long: the headline says "घंटों" / "for hours"
OUTAGE_SAID = ("acknowledged", "update", "recovering", "resolved")
# what the closing line must not claim is unknown when a statement gives it
CAUSE = re.compile(r"\b(?:caused by|due to|because of|as a result of|triggered by|root cause\s*(?::|\*\*|\n)|(?:the |a )?(?:root )?cause "
                   r"(?:of (?:the|this) (?:\w+ ){0,2})?(?:was|is|has been found to be)\b)"
                   # a cause as the subject of "caused" ("This caused the API to fail", "a Distributed Denial of
                   # Service (DDoS) caused routing failures") — not "what caused", "the issue that caused"
                   r"|(?<!\bwhat )(?<!\bwhat has )(?<!\bwhat may have )(?<!\bissue that )(?<!\bproblem that )"
                   r"\bcaused\s+(?!by\b)(?:the\s+|our\s+|an?\s+|some\s+)?\w+"
                   # or as what failed ("Internal networking infrastructure failed, affecting Group Chat.")
                   r"|\bfailed,?\s+(?:affecting|causing|impacting)\b",
                   re.IGNORECASE)  # a cause stated — not "we have identified the cause of the issue"
EMERGENCY = re.compile(r"\b(?:emergency|urgent)\b", re.IGNORECASE)  # of the unplanned: work the company calls urgent
# how the story names planned work: the headline's word, its short form, the English
WORKS = {
    "planned": {"kind": "planned", "hi": "पहले से तय रखरखाव", "hi_short": "तय रखरखाव", "en": "planned maintenance"},
    "emergency": {"kind": "emergency", "hi": "आपात रखरखाव", "hi_short": "आपात रखरखाव", "en": "emergency maintenance"},
    "unplanned": {"kind": "unplanned", "hi": "अनियोजित रखरखाव", "hi_short": "अनियोजित रखरखाव",
                  "en": "unplanned maintenance"},
    "mixed": {"kind": "mixed", "hi": "रखरखाव", "hi_short": "रखरखाव", "en": "maintenance"},
}
COUNT_WORDS = {"hi": ("एक", "दो", "तीन", "चार", "पांच", "छह", "सात", "आठ", "नौ"),
               "en": ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")}
# how many were affected, as a number ("5% of users") or as everyone ("impacting all users on all plans of ChatGPT")
FIGURE = re.compile(r"\b\d[\d,.]*\s*(?:%|percent|per cent)?\s*(?:of\s+(?:our\s+|all\s+)?)?(?:users|customers|accounts|"
                    r"people|subscribers|requests)\b|\b(?:impact|affect)(?:s|ed|ing)?\s+all\s+(?:of\s+)?(?:our\s+)?"
                    r"(?:users|customers|accounts|subscribers|user tiers)\b"
                    # everyone, said of the outage ("The Emma application is currently down for all users.")
                    r"|\b(?:down|unavailable|inaccessible|unreachable|offline)\s+for\s+all\s+(?:of\s+)?(?:our\s+)?"
                    r"(?:users|customers|accounts|subscribers)\b", re.IGNORECASE)


def count_words(number: int, lang: str) -> str:
    """A count in running text as Hindi and English desks write it: one to nine in words ("एक अपडेट", "three
    updates"), 10 and more in digits."""
    words = COUNT_WORDS["hi" if lang == "hi" else "en"]
    return words[number - 1] if 1 <= number <= len(words) else str(number)


def works_kind(incident: dict[str, Any], statement: dict[str, Any] | None) -> str:
    """planned | emergency | unplanned: how the company itself names a maintenance (facts.context's reading of
    "unplanned", "emergency" in its title or words; "emergency" / "urgent" told as आपात)."""
    if not unplanned_maintenance(incident, statement):
        return "planned"
    said = " ".join(str(x.get("title") or "") + " " + str(x.get("text") or "") for x in (incident, statement or {}))
    return "emergency" if EMERGENCY.search(said) else "unplanned"


def place(source_kind: str, lang: str) -> str:
    """Where the statement was made, as the story says it: render.medium, except that a status page's feed is
    the status page ("अपने स्टेटस पेज पर", not "अपने स्टेटस फीड में": a desk quotes the page, not its feed)."""
    return medium("statuspage" if source_kind == "feed" else source_kind, lang)


def utc_span(start: datetime, end: datetime, tz: str) -> str:
    """A span's ends in UTC beside the local ones, as every English time gives UTC: "(15:05 UTC – 23:50 UTC, 3
    July)", "(15:30 UTC – 00:00 UTC, 4 July)"; "" when the zone is UTC itself."""
    if tz == "UTC":
        return ""
    a, b = timefmt.local(start, "UTC"), timefmt.local(end, "UTC")
    finish = f"{b:%H:%M} UTC"
    # the end's date, wherever it could be misread — not again when the start just gave that same date ("(22:46
    # UTC, 18 December – 23:03 UTC)", Character.AI, 18 December 2023, not "… – 23:03 UTC, 18 December")
    start_dated = a.date() != timefmt.local(start, tz).date()
    if b.date() != a.date() or (b.date() != timefmt.local(end, tz).date() and not start_dated):
        finish += ", " + timefmt.day_month(b, "UTC", "en")
    return f"({timefmt.utc_en(start, tz)} – {finish})"


_TITLE_FILLER = re.compile(r"\d{4}-\w+-\d{1,2}|\([A-Z]{2,4}\)|\b(?:resolved|minor|major|service|incident|issue|outage|"
                           r"maintenance|on|at|utc)\b|[\d:.\-]+", re.IGNORECASE)


def told_title(incident: dict[str, Any]) -> str:
    """The incident's title when it tells what broke ("Analytics", "Tel Aviv (TLV1) Data Center Unavailable"): the
    lede quotes it when no statement names a symptom or a part; "" for titles that only date the incident
    ("Incident on 2019-03-12 14:27 UTC", "2020-June-04 (PST) Service Incident")."""
    from facts.what_broke import informative_title

    title = informative_title(incident.get("title"))
    return title if len(title) <= 120 and re.search(r"\w", _TITLE_FILLER.sub(" ", title)) else ""


def said_regions(incident: dict[str, Any], statement: dict[str, Any]) -> list[str]:
    """The regions a sentence about one statement may name: those of the statement's own words and components and
    of the incident's title — not the components the incident gathered from later statements (Google Cloud's
    first BigQuery update said "multiple regions"; the 29 it listed came hours later)."""
    return regions_named({key: value for key, value in incident.items() if key != "components"}, statement)


@lru_cache(maxsize=1)
def _macros() -> Any:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined, autoescape=False,
                      trim_blocks=True, lstrip_blocks=True)
    return env.get_template("story/sentences.j2").module


def _say(macro: str, lang: str, facts: list[Fact], **pieces: Any) -> Sentence:
    if "name" in pieces:
        pieces["name_s"] = possessive(str(pieces["name"]))
    text = " ".join(str(getattr(_macros(), macro)(lang, pieces)).split())
    return Sentence(text, _as_written(text, facts))


def _as_written(text: str, facts: list[Fact]) -> tuple[Fact, ...]:
    """What the sentence writes of the symptoms, parts and regions it was given (render's phrases name a generic
    symptom only when nothing else is named, and beyond a few parts or regions only how many more there are: "… और
    15 अन्य सेवाओं", "4 क्षेत्रों में"): the facts whose words are not in the sentence keep their value and lose
    their shown words; those only counted become one fact listing them with the number written."""
    out: list[Fact] = []
    counted: dict[tuple[str, str], list[Any]] = {}
    for fact in facts:
        if fact.what in ("symptom", "part", "region") and fact.shown and fact.shown[0] not in text:
            fact = Fact(fact.what, fact.ref, fact.value, ())
            if fact.what != "symptom":
                counted.setdefault((fact.what, fact.ref), []).append(fact.value)
        out.append(fact)
    for (what, ref), values in counted.items():
        number = str(len(values))
        if re.search(rf"(?<![\d:.]){number}(?![\d:])", text):
            out.append(Fact(what, ref, values, (number,)))
    return tuple(out)


class _Writer:
    """Builds the sentences of one story in one language."""

    def __init__(self, data: dict[str, Any], lang: str) -> None:
        self.lang = lang
        self.hi = lang == "hi"
        self.tz = data["timezone"]
        self.t = Times(self.tz)
        self.members = data["members"]

    # ------------------------------------------------------------ facts

    def name(self, member: dict[str, Any]) -> str:
        return member["service"]["hi" if self.hi else "name"]

    def f_service(self, member: dict[str, Any]) -> Fact:
        incident = member["incident"]
        return Fact("service", f"incident:{incident['id']}.service", incident["service"], (self.name(member),))

    def f_said(self, statement: dict[str, Any], shown: str) -> Fact:
        return Fact("said", f"statement:{statement['id']}",
                    {"at": iso_utc(statement["created_at"]), "incident": statement["incident_id"],
                     "kind": statement.get("kind") or ""}, (shown,) if shown else ())

    def f_time(self, member: dict[str, Any], field: str, moment: datetime, shown: str) -> Fact:
        return Fact("time", f"incident:{member['incident']['id']}.{field}", iso_utc(moment), (shown,))

    def when(self, moment: datetime, *, date: bool = True, zone: bool = False) -> str:
        return self.t.when(moment, self.lang, date=date, zone=zone or not self.hi)

    def names(self, members: list[dict[str, Any]]) -> tuple[str, list[Fact]]:
        seen: dict[str, dict[str, Any]] = {}
        for member in members:
            seen.setdefault(self.name(member), member)
        return join_and(list(seen), self.lang), [self.f_service(m) for m in seen.values()]

    # ------------------------------------------------------------ readings of one incident

    @staticmethod
    def outage(member: dict[str, Any]) -> bool:
        return member["incident"].get("kind") != "maintenance"

    @staticmethod
    def fixed(member: dict[str, Any]) -> bool:
        incident = member["incident"]
        return (incident.get("status") == "resolved" and not incident.get("unlisted")
                and not incident.get("closed_unfixed"))  # closed on the page, not said to be fixed (facts.context)

    @staticmethod
    def resolution(member: dict[str, Any]) -> dict[str, Any] | None:
        """The statement that resolved the incident: its first "resolved" since it last came back (incidents.py
        keeps the first resolution's time; a later "Resolved" is an update). DatoCMS, 8-9 October 2024: the fix of
        Wednesday 16:48 UTC, not Heroku's post-mortem posted under "Resolved" on 23 October."""
        if member["incident"].get("status") != "resolved":
            return None
        said = [s for s in member["statements"] if s.get("kind") == "resolved"]
        again = member["incident"].get("again_since")
        if again is not None:
            said = [s for s in said if s["created_at"] >= again] or said
        return said[0] if said else member["statements"][-1]

    @staticmethod
    def came_back(member: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """A problem that came back after the company said it was resolved: (the first resolution before it came
        back, the statement it came back with), else None."""
        again = member["incident"].get("again_since")
        if again is None:
            return None
        before = [s for s in member["statements"] if s.get("kind") == "resolved" and s["created_at"] < again]
        back = [s for s in member["statements"] if s["created_at"] >= again]
        return (before[0], back[0]) if before and back else None

    @staticmethod
    def last_word(member: dict[str, Any]) -> dict[str, Any]:
        """The incident's latest statement on its course: a post-incident report, however late, is about the
        incident, not a word of where it stands (facts.gather reads a close the same way)."""
        said = [s for s in member["statements"] if s.get("kind") != "report"]
        return said[-1] if said else member["statements"][-1]

    @staticmethod
    def first_outage(member: dict[str, Any]) -> dict[str, Any]:
        said = [s for s in member["statements"] if s.get("kind") in OUTAGE_SAID]
        return said[0] if said else member["statements"][0]

    def symptoms(self, statements: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
        """The symptom tags the statements give, each with the first statement that gives it."""
        found: dict[str, dict[str, Any]] = {}
        for statement in statements:
            for tag in _specific(statement.get("symptoms") or []):
                found.setdefault(tag, statement)
        return list(found.items())

    def f_symptoms(self, tags: list[tuple[str, dict[str, Any]]]) -> list[Fact]:
        return [Fact("symptom", f"statement:{s['id']}", tag, (symptom_phrase(tag, self.lang),)) for tag, s in tags]

    def f_parts(self, member: dict[str, Any], statement: dict[str, Any], parts: list[tuple[str, str]],
                regions: list[str]) -> list[Fact]:
        from facts import where

        facts = []
        for hindi, english in parts:
            shown = hindi if self.hi else (where.without_region(english) if regions else english)
            facts.append(Fact("part", f"statement:{statement['id']}", english, (shown,)))
        facts += [Fact("region", f"statement:{statement['id']}", code, (code,)) for code in regions]
        return facts

    # ------------------------------------------------------------ the story's parts

    def headline(self) -> Sentence:
        outage = [m for m in self.members if self.outage(m)]
        shown = outage or self.members
        names, facts = self.names(shown)
        pieces: dict[str, Any] = {"names": names, "plural": len({self.name(m) for m in shown}) > 1,
                                  "maintenance_only": not outage, "reverted": False, "resolved": False, "some_resolved": False,
                                  "nearly": False, "down": False, "span": "", "open_names": "", "open_plural": False,
                                  "works": WORKS["planned"], "closed": False}
        if not outage:
            kinds = [(m, works_kind(m["incident"], m["statements"][0])) for m in shown]
            pieces["works"] = WORKS[kinds[0][1] if len({k for _, k in kinds}) == 1 else "mixed"]
            facts += [Fact("words", f"statement:{m['statements'][0]['id']}", kind) for m, kind in kinds
                      if kind != "planned"]
            pieces["resolved"] = all(m["incident"].get("status") == "resolved" for m in shown)
            reverted = [m["statements"][-1] for m in shown if m["incident"].get("status") == "resolved"
                        and maintenance_text_says(m["incident"], m["statements"][-1])["reverted"]]
            pieces["reverted"] = len(shown) == 1 and bool(reverted)
            if pieces["reverted"]:
                facts.append(Fact("words", f"statement:{reverted[0]['id']}", "reverted"))
            facts += [Fact("status", f"incident:{m['incident']['id']}.status", m["incident"].get("status"))
                      for m in shown]
            return _say("headline", self.lang, facts, **pieces)
        fixed = [m for m in outage if self.fixed(m)]
        facts += [Fact("status", f"incident:{m['incident']['id']}.status", m["incident"].get("status"))
                  for m in outage]
        tags = [self.symptoms([s for s in m["statements"] if s.get("kind") in OUTAGE_SAID]) for m in outage]
        # "ठप" / "down" says the company's whole service was down: not when its statements name the parts that were
        # (Google Cloud, 31 March 2022: "Cloud Monitoring Metrics may be unavailable … for Cloud Pub/Sub" is not
        # "गूगल क्लाउड ठप रहा"); the lede and the paragraphs name those parts
        whole = not any(affected_parts(m["incident"], self.first_outage(m), m["service"]) for m in outage)
        if whole and all(t and [tag for tag, _ in t] == ["outage"] for t in tags):
            pieces["down"] = True
            facts += [Fact("symptom", f"statement:{t[0][1]['id']}", "outage") for t in tags]
        if len(fixed) == len(outage):
            pieces["resolved"] = True
            for member in outage:
                said = self.resolution(member)
                how = how_resolved(said)
                if said and (how["nearly_100"] or how["nearly"]):
                    pieces["nearly"] = True
                    facts.append(Fact("words", f"statement:{said['id']}", "nearly_100" if how["nearly_100"] else "nearly"))
            lasted = [(m, m["incident"].get("duration_seconds")) for m in outage]
            if all(seconds is not None and m["incident"].get("began") for m, seconds in lasted):
                if len(outage) == 1 and self.came_back(outage[0]):
                    pass  # it came back after a fix: one span would count the hours it was resolved as trouble
                elif len(outage) == 1:
                    member, seconds = lasted[0]
                    words = self.t.duration(seconds, self.lang)
                    pieces["span"] = ("लगभग " if self.hi else "about ") + words
                    facts.append(Fact("duration", f"incident:{member['incident']['id']}.duration_seconds", seconds,
                                      (words,)))
                elif all(seconds >= LONG for _, seconds in lasted):
                    pieces["span"] = "घंटों" if self.hi else "hours"
                    facts += [Fact("long", f"incident:{m['incident']['id']}.duration_seconds", s) for m, s in lasted]
        elif all(self.fixed(m) or m["incident"].get("closed_unfixed") for m in outage) and not fixed:
            # every one closed on its page without saying it was fixed (Google Cloud's BigQuery, 25 May 2022:
            # "… continues to work on mitigation"): not "कंपनी ने मानी परेशानी", as if it were still open
            pieces["closed"] = True
            facts += [Fact("words", f"statement:{self.last_word(m)['id']}", "closed_unfixed") for m in outage]
        elif fixed:
            pieces["some_resolved"] = True
            open_ones = [m for m in outage if not self.fixed(m)]
            pieces["open_names"], more = self.names(open_ones)
            pieces["open_plural"] = len(open_ones) > 1
            facts += more
        return _say("headline", self.lang, facts, **pieces)

    def lede(self) -> Paragraph:
        paragraph = Paragraph()
        outage = [m for m in self.members if self.outage(m)]
        if not outage:
            return paragraph
        several = len({self.name(m) for m in outage}) > 1
        everything_fixed = all(self.fixed(m) for m in outage)
        # what users could not do, as the statements say it
        tagged = [(m, [(tag, s) for tag, s in self.symptoms([x for x in m["statements"] if x.get("kind") in OUTAGE_SAID])
                       if tag not in GENERIC_SYMPTOMS]) for m in outage]
        tagged = [(m, tags) for m, tags in tagged if tags]
        told_ids: set[int] = set()  # the incidents whose trouble the lede's first sentence tells
        if tagged:
            told_ids = {m["incident"]["id"] for m, _ in tagged}
            names, facts = self.names([m for m, _ in tagged])
            union: dict[str, dict[str, Any]] = {}
            for _, tags in tagged:
                for tag, statement in tags:
                    union.setdefault(tag, statement)
            phrases = [symptom_phrase(tag, self.lang) for tag in union]
            facts += self.f_symptoms(list(union.items()))
            paragraph.add(_say("lede_trouble", self.lang, facts, names=names, symptoms=join_and(phrases, self.lang),
                               plural=len({self.name(m) for m, _ in tagged}) > 1, past=everything_fixed))
        elif not several:
            member = outage[0]
            first = self.first_outage(member)
            parts = affected_parts(member["incident"], first, member["service"])
            if parts:
                regions = regions_named(member["incident"], first)
                # beyond a few parts, how many more, as the paragraph names them (Emma, 3 July 2018: 13 "Web
                # Application - …" components are "… और 9 अन्य सेवाओं", not all thirteen in the lede)
                shown = phrase(parts, self.lang)
                facts = [self.f_service(member)] + self.f_parts(member, first, parts, [])
                # English agreement as render.trouble gives it: "Notifications were affected" (GitHub, 23
                # September 2019), as the paragraph's "Notifications are slow"
                paragraph.add(_say("lede_parts", self.lang, facts, name=self.name(member), parts=shown,
                                   many=len(parts) > 1 or _plural(parts[0][1]), past=everything_fixed))
                told_ids = {member["incident"]["id"]}
                del regions
        # since when: the company's own start where it gave one, else its first word
        earliest = min(outage, key=lambda m: m["incident"].get("began") or self.first_outage(m)["created_at"])
        incident = earliest["incident"]
        stated = incident.get("stated_start")
        if stated is not None:
            shown = self.when(stated, zone=True)
            paragraph.add(_say("lede_start", self.lang, [self.f_service(earliest),
                                                         self.f_time(earliest, "stated_start", stated, shown)],
                               name=self.name(earliest), when=shown, stated=True, several=several, medium="",
                               # after a sentence on another company's trouble: its own service's start (OpenAI's
                               # "started June 4th at 2:15p GMT" is not when Anthropic's page loads failed)
                               told=incident["id"] in told_ids, title=""))
        else:
            first = self.first_outage(earliest)
            if first.get("kind") != "resolved":  # a lone resolution: the lede says only that it is fixed
                shown = self.when(first["created_at"], zone=True)
                facts = [self.f_service(earliest), self.f_said(first, shown)]
                title = "" if paragraph.sentences or several else told_title(incident)
                if title:
                    facts.append(Fact("title", f"incident:{incident['id']}.title", title, (title,)))
                paragraph.add(_say("lede_start", self.lang, facts,
                                   name=self.name(earliest), when=shown, stated=False, several=several,
                                   medium=place(first.get("source_kind") or "", self.lang),
                                   # "इसकी" / "say so" only of the trouble the sentence before told of its company:
                                   # OpenAI did not report Anthropic's failing page loads (4 June 2024)
                                   told=incident["id"] in told_ids, title=title))
        told_start = bool(paragraph.sentences) and any(f.what in ("said", "time") for f in paragraph.sentences[-1].facts)
        # where it stands
        if everything_fixed:
            said = [self.resolution(m) for m in outage]
            latest = max((s for s in said if s), key=lambda s: s["created_at"])
            shown = self.when(latest["created_at"], zone=not told_start)
            nearly = [s for s in said if s and (how_resolved(s)["nearly_100"] or how_resolved(s)["nearly"])]
            facts = [self.f_said(latest, shown)] + [
                Fact("status", f"incident:{m['incident']['id']}.status", "resolved") for m in outage]
            facts += [Fact("words", f"statement:{s['id']}", "nearly_100" if how_resolved(s)["nearly_100"] else "nearly")
                      for s in nearly]
            count = len({self.name(m) for m in outage})
            lead = not paragraph.sentences and not several  # the lede's first sentence: it names the company
            if lead:
                facts.append(self.f_service(outage[0]))
            paragraph.add(_say("lede_end", self.lang, facts, when=shown, several=several, nearly=bool(nearly),
                               all=all_of(count, self.lang) if count > 1 else "", lead=lead, name=self.name(outage[0])))
        else:
            open_ones = [m for m in outage if not self.fixed(m)]
            latest = max((self.last_word(m) for m in self.members), key=lambda s: s["created_at"])
            shown = self.when(latest["created_at"])
            names, facts = self.names(open_ones)
            facts += [self.f_said(latest, shown)]
            facts += [Fact("status", f"incident:{m['incident']['id']}.status", m["incident"].get("status"))
                      for m in open_ones]
            if latest["id"] != self.first_outage(earliest)["id"]:  # else the start's sentence gave its time already
                paragraph.add(_say("lede_open", self.lang, facts, when=shown, names=names))
        return paragraph

    def company(self, member: dict[str, Any]) -> Paragraph:
        if not self.outage(member):
            return self.maintenance(member)
        paragraph = Paragraph()
        incident = member["incident"]
        statements = member["statements"]
        name = self.name(member)
        first = self.first_outage(member)
        res = self.resolution(member) if self.fixed(member) else None
        latest = self.last_word(member)  # its latest word on where it stands (a report left out)
        told_first = False
        if first.get("kind") != "resolved":
            over = said_over(first)
            symptoms = first.get("symptoms") or []
            parts = affected_parts(incident, first, member["service"])
            regions = said_regions(incident, first)
            shown = self.when(first["created_at"])
            facts = [self.f_service(member), self.f_said(first, shown)]
            facts += self.f_symptoms([(tag, first) for tag in _specific(symptoms)])
            specific = [s for s in _specific(symptoms) if s not in GENERIC_SYMPTOMS]
            if not specific:
                facts += self.f_parts(member, first, parts, regions)
            else:
                facts += [Fact("region", f"statement:{first['id']}", code, (code,)) for code in regions]
            paragraph.add(_say("ack", self.lang, facts, name=name, when=shown,
                               medium=place(first.get("source_kind") or "", self.lang),
                               trouble=trouble(symptoms, self.lang, parts, regions, past=over is not None)))
            told_first = True
        # the updates in between, counted; a problem that came back after a fix is told in two parts (DatoCMS, 8-9
        # October 2024: fixed at 4:29 AM IST, "Heroku is having the same problem again" at 6:40 PM, fixed at 10:18 PM)
        back = self.came_back(member) if res is not None and told_first else None
        stops = [(first, back[0]), (back[1], res)] if back else [(first, res)]
        for number, (since, until) in enumerate(stops):
            between = [s for s in statements if s.get("kind") in ("update", "recovering", "acknowledged")
                       and s["created_at"] >= since["created_at"] and s["id"] != since["id"]
                       and (until is None or s["created_at"] <= until["created_at"])]
            if between and told_first:
                count = count_words(len(between), self.lang)
                paragraph.add(_say("updates", self.lang, [Fact("count", f"incident:{incident['id']}.statements",
                                                               [s["id"] for s in between], (count,))],
                                   count=count, one=len(between) == 1))
            if back and number == 0:
                fixed, returned = back
                fixed_when = self.when(fixed["created_at"], date=not self.t.same_day(first["created_at"],
                                                                                     fixed["created_at"]))
                back_when = self.when(returned["created_at"], date=not self.t.same_day(fixed["created_at"],
                                                                                       returned["created_at"]))
                paragraph.add(_say("came_back", self.lang, [self.f_said(fixed, fixed_when),
                                                            self.f_said(returned, back_when)],
                                   fixed_when=fixed_when, when=back_when))
        if res is not None:
            since = back[1] if back else first
            same = self.t.same_day(since["created_at"], res["created_at"]) and told_first
            shown = self.when(res["created_at"], date=not same)
            how = how_resolved(res)
            symptoms = list(dict.fromkeys((first.get("symptoms") or []) + (res.get("symptoms") or [])))
            parts = affected_parts(incident, res, member["service"])
            regions = regions_named(incident, res)
            head = trouble_head(symptoms, self.lang, parts, regions)
            facts = [self.f_said(res, shown)] + ([self.f_service(member)] if not told_first else [])
            if how["nearly_100"] or how["nearly"]:
                facts.append(Fact("words", f"statement:{res['id']}", "nearly_100" if how["nearly_100"] else "nearly",
                                  ("100",) if how["nearly_100"] else ()))
                broke = ""
            else:
                broke = ("समस्या" if head == "सेवा में दिक्कत" else head) if self.hi else head
                specific = [s for s in _specific(symptoms) if s not in GENERIC_SYMPTOMS]
                if broke not in ("समस्या", "problem"):
                    holders = [s for s in (first, res) if set(_specific(s.get("symptoms") or [])) & set(_specific(symptoms))]
                    for tag in _specific(symptoms):
                        holder = next((s for s in holders if tag in (s.get("symptoms") or [])), res)
                        facts.append(Fact("symptom", f"statement:{holder['id']}", tag,
                                          (symptom_phrase(tag, self.lang),) if specific and tag in specific else ()))
                    if not specific:
                        facts += self.f_parts(member, res, parts, regions)
                    else:
                        facts += [Fact("region", f"statement:{res['id']}", c, (c,)) for c in regions]
            if how["residual"]:
                facts.append(Fact("words", f"statement:{res['id']}", "residual"))
            paragraph.add(_say("resolved", self.lang, facts, first=not told_first, name=name, when=shown,
                               medium=place(res.get("source_kind") or "", self.lang), broke=broke,
                               nearly_100=how["nearly_100"], nearly=how["nearly"], residual=how["residual"],
                               again=bool(back)))
            began, lasted, done = incident.get("began"), incident.get("duration_seconds"), incident.get("resolved_at")
            if back and incident.get("again_seconds") is not None and done:
                # how long it lasted since it came back (the channel messages' span), not from the first start
                again, lasted = incident["again_since"], incident["again_seconds"]
                if self.hi:
                    start, finish = self.when(again, date=False), self.t.until(again, done, "hi")
                else:
                    start = self.t.when(again, "en", date=False)
                    calendar = timefmt.local(again, self.tz).date() == timefmt.local(done, self.tz).date()
                    finish = (self.t.clock(done, "en") if calendar else self.t.when(done, "en", date=False)) \
                        + " " + self.t.zone("en", done)
                words = self.t.duration(lasted, self.lang)
                facts = [self.f_time(member, "again_since", again, start),
                         self.f_time(member, "resolved_at", done, finish),
                         Fact("duration", f"incident:{incident['id']}.again_seconds", lasted, (words,))]
                utc = "" if self.hi else utc_span(again, done, self.tz)
                if utc:
                    facts.append(Fact("utc", f"incident:{incident['id']}.again", [iso_utc(again), iso_utc(done)], (utc,)))
                paragraph.add(_say("span_again", self.lang, facts, start=start, end=finish, duration=words, utc=utc))
            elif began and lasted is not None and done:
                stated = incident.get("started_from") in ("field", "text") and began != incident.get("first_word_at")
                # days apart: each end with its date ("बुधवार सुबह 6:19 बजे (8 जून) से सोमवार देर रात 1:17 बजे (14
                # जून) तक"), else "… से सोमवार …" leaves the reader to find which Monday (Google Cloud, June 2022)
                dated = (timefmt.local(done, self.tz).date() - timefmt.local(began, self.tz).date()).days > 1
                if self.hi:
                    start = self.when(began, date=dated)
                    finish = self.when(done, date=True) if dated else self.t.until(began, done, "hi")
                else:  # "Wednesday, 8:35 PM to Thursday, 5:20 AM IST"
                    start = self.t.when(began, "en", date=dated)
                    calendar = timefmt.local(began, self.tz).date() == timefmt.local(done, self.tz).date()
                    finish = (self.t.clock(done, "en") if calendar else self.t.when(done, "en", date=dated)) \
                        + " " + self.t.zone("en", done)
                words = self.t.duration(lasted, self.lang)
                facts = [self.f_time(member, "began", began, start), self.f_time(member, "resolved_at", done, finish),
                         Fact("duration", f"incident:{incident['id']}.duration_seconds", lasted, (words,))]
                utc = "" if self.hi else utc_span(began, done, self.tz)
                if utc:
                    facts.append(Fact("utc", f"incident:{incident['id']}.span", [iso_utc(began), iso_utc(done)], (utc,)))
                if not stated:
                    facts.append(Fact("said", f"statement:{first['id']}", {
                        "at": iso_utc(first["created_at"]), "incident": incident["id"], "kind": first.get("kind") or "",
                        "first": True}))
                paragraph.add(_say("span", self.lang, facts, stated=stated, start=start, end=finish, duration=words,
                                   utc=utc))
            elif not told_first:
                paragraph.add(_say("not_told_before", self.lang, [Fact("first", f"statement:{res['id']}", "resolved")]))
        elif incident.get("closed_unfixed"):
            last = latest
            shown = self.when(last["created_at"])
            facts = [self.f_service(member), self.f_said(last, shown), Fact("words", f"statement:{last['id']}",
                                                                            "closed_unfixed")]
            if incident["closed_unfixed"].get("no_updates"):
                facts.append(Fact("words", f"statement:{last['id']}", "no_updates"))
            paragraph.add(_say("closed_unfixed", self.lang, facts, name=name, when=shown,
                               no_updates=bool(incident["closed_unfixed"].get("no_updates")),
                               merged=bool(incident["closed_unfixed"].get("merged"))))
        elif incident.get("unlisted"):
            last = statements[-1]
            shown = self.when(last["created_at"])
            paragraph.add(_say("unlisted", self.lang, [self.f_service(member), self.f_said(last, shown)],
                               name=name, when=shown))
        elif latest["id"] != first["id"]:  # its latest word does not say fixed (the lede says who is open)
            last = latest
            shown = self.when(last["created_at"], date=not self.t.same_day(first["created_at"], last["created_at"]))
            paragraph.add(_say("still_open", self.lang, [self.f_said(last, shown),
                                                         Fact("status", f"incident:{incident['id']}.status",
                                                              incident.get("status"))], when=shown))
        reports = [s for s in statements if s.get("kind") == "report"]
        if reports:
            shown = [self.when(r["created_at"]) for r in reports]
            facts = [self.f_said(r, w) for r, w in zip(reports, shown, strict=True)]
            cause = [r for r in reports if CAUSE.search(r.get("text") or "")]
            facts += [Fact("words", f"statement:{r['id']}", "cause") for r in cause[:1]]
            paragraph.add(_say("report", self.lang, facts, when=join_and(shown, self.lang), cause=bool(cause)))
        quoted = [first] + ([back[1]] if back else []) + ([res] if res is not None and res["id"] != first["id"] else [])
        if res is not None:  # its latest word after the fix, when it says more than the fix did (told by its date)
            later = [s for s in statements if s.get("kind") == "resolved" and s["created_at"] > res["created_at"]]
            if later and (later[-1].get("text") or "").strip() != (res.get("text") or "").strip():
                quoted.append(later[-1])
        if res is None and latest["id"] != first["id"]:
            quoted.append(latest)
        paragraph.quotes = [self.quote(member, s) for s in quoted]
        return paragraph

    def maintenance(self, member: dict[str, Any]) -> Paragraph:
        paragraph = Paragraph()
        incident = member["incident"]
        statements = member["statements"]
        first, last = statements[0], statements[-1]
        shown = self.when(first["created_at"])
        window = self.t.window(incident.get("window_start"), incident.get("window_end"), self.lang)
        facts = [self.f_service(member), self.f_said(first, shown)]
        if window:
            facts.append(Fact("window", f"incident:{incident['id']}.window",
                              [iso_utc(x) if x else None for x in (incident.get("window_start"), incident.get("window_end"))],
                              (window,)))
        kind = works_kind(incident, first)
        if kind != "planned":
            facts.append(Fact("words", f"statement:{first['id']}", kind))
        paragraph.add(_say("maintenance", self.lang, facts, name=self.name(member), when=shown, window=window,
                           medium=place(first.get("source_kind") or "", self.lang), works=WORKS[kind]))
        if incident.get("status") == "resolved" and last["id"] != first["id"]:
            when = self.when(last["created_at"], date=not self.t.same_day(first["created_at"], last["created_at"]))
            said = maintenance_text_says(incident, last)
            undone = undone_words(said, self.lang)
            facts = [self.f_said(last, when), Fact("status", f"incident:{incident['id']}.status", "resolved")]
            facts += [Fact("words", f"statement:{last['id']}", key) for key in ("trouble", "reverted", "rescheduled")
                      if said.get(key)]
            paragraph.add(_say("maintenance_done", self.lang, facts, when=when, undone=undone))
        paragraph.quotes = [self.quote(member, s) for s in ([first, last] if last["id"] != first["id"] else [first])]
        return paragraph

    def quote(self, member: dict[str, Any], statement: dict[str, Any]) -> Quote:
        kind = statement.get("source_kind") or ""
        author = (statement.get("author") or "").lstrip("@") if kind in HANDLE_KINDS else ""
        return Quote(post_id=statement["id"], text=statement.get("text") or "", name=member["service"]["name"],
                     handle=author, source_kind=kind, url=statement.get("url") or "",
                     native_id=statement.get("native_id") or "", created_at=statement["created_at"],
                     language=statement.get("language") or "en")

    def closing(self) -> Paragraph:
        paragraph = Paragraph()
        outage = [m for m in self.members if self.outage(m)]
        if not outage:
            return paragraph
        texts = [s.get("text") or "" for m in outage for s in m["statements"]]
        cause = not any(CAUSE.search(t) for t in texts)
        figure = not any(FIGURE.search(t) for t in texts)
        plural = len({self.name(m) for m in outage}) > 1
        if cause or figure:
            facts = [Fact("silent", f"incident:{m['incident']['id']}.statements", key)
                     for m in outage for key, on in (("cause", cause), ("figure", figure)) if on]
            who = ("कंपनियों" if plural else "कंपनी") if self.hi else ("The companies" if plural else "The company")
            paragraph.add(_say("unknown", self.lang, facts, who=who, cause=cause, figure=figure, plural=plural))
        # still open, so more may come (not a close without a fix: that company said no more would)
        open_ones = [m for m in outage if not self.fixed(m) and not m["incident"].get("closed_unfixed")]
        if open_ones:
            paragraph.add(_say("developing", self.lang, [Fact("status", f"incident:{m['incident']['id']}.status",
                                                              m["incident"].get("status")) for m in open_ones],
                               plural=plural))
        return paragraph


def compose(data: dict[str, Any], lang: str) -> Story:
    """The story of ``data`` (outputs.story.gather.story_data) in ``lang`` ("hi" or "en")."""
    if not data["members"]:
        raise KeyError(f"{data['target']}: no statements to tell")
    writer = _Writer(data, lang)
    outage = [m for m in data["members"] if writer.outage(m)]
    return Story(
        lang=lang, timezone=data["timezone"], headline=writer.headline(), lede=writer.lede(),
        paragraphs=[writer.company(m) for m in data["members"]], closing=writer.closing(),
        developing=any(not writer.fixed(m) and not m["incident"].get("closed_unfixed") for m in outage),
        target=data["target"],
    )
