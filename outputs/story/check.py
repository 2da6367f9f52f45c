"""The story's quality gate: every sentence's facts read again from the state database and compared with what the
sentence writes. ``check_story`` returns the problems found (empty: every fact holds), one line each:

- every sentence carries at least one fact, and every string a fact says it shows is in the sentence;
- a statement fact: the post exists, belongs to that incident, has that kind and was made at that time, and the
  time as written is that time in the story's zone (weekday, part of day, clock);
- an incident fact (start, stated start, end, window, duration, status): the stored incident gives that value
  (facts.context.incident_facts, as every message reads it) and the text shows it as the messages do;
- a symptom, a part, a region: the statement's stored tags, components, title or words name it;
- "not said yet" (cause, number of users): no stored statement of the incident gives it;
- no digit in a sentence comes from anywhere but a fact; no scope word the statements never use ("दुनियाभर",
  "worldwide");
- which company said what: all facts of a company's paragraph, and its quotes, belong to that company's incident,
  and each quote is the stored statement verbatim.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import sqlite_utils

from facts.context import closed_unfixed, first_time, incident_facts, maintenance_text_says, service_names
from outputs.story.compose import CAUSE, FIGURE, LONG, count_words, utc_span, works_kind
from outputs.story.model import Fact, Paragraph, Sentence, Story
from posts import parse_time
from render import Times, how_resolved, regions_named, symptom_phrase
from store import row, rows

SCOPE_WORDS = ("दुनियाभर", "दुनिया भर", "पूरी दुनिया", "विश्वभर", "worldwide", "globally", "across the world",
               "around the world", "millions", "लाखों", "करोड़ों")
TIME_FIELDS = ("began", "stated_start", "resolved_at", "first_word_at", "opened_at", "window_start", "window_end",
               "again_since")


class _Reader:
    def __init__(self, db: sqlite_utils.Database, story: Story) -> None:
        self.db = db
        self.lang = story.lang
        self.t = Times(story.timezone)
        self._incidents: dict[int, dict[str, Any] | None] = {}
        self._posts: dict[int, dict[str, Any] | None] = {}

    def incident(self, incident_id: int) -> dict[str, Any] | None:
        if incident_id not in self._incidents:
            found = row(self.db, "select * from incidents where id = ?", (incident_id,))
            self._incidents[incident_id] = incident_facts(found) if found else None
        return self._incidents[incident_id]

    def post(self, post_id: int) -> dict[str, Any] | None:
        if post_id not in self._posts:
            self._posts[post_id] = row(self.db, "select * from posts where id = ?", (post_id,))
        return self._posts[post_id]

    def statements(self, incident_id: int) -> list[dict[str, Any]]:
        return rows(self.db, "select * from posts where incident_id = ? and duplicate_of is null "
                    "and coalesce(kind, '') != 'noise' order by created_at, id", (incident_id,))

    def time_forms(self, moment: datetime, incident: dict[str, Any] | None) -> set[str]:
        """Every way the story may write ``moment`` (all of them formatted by the channel messages' Times)."""
        t, lang = self.t, self.lang
        forms = {t.when(moment, lang, date=d, zone=z) for d in (True, False) for z in (True, False)}
        forms.add(t.clock(moment, lang))
        starts = [incident.get(f) for f in TIME_FIELDS] if incident else []
        for start in [s for s in starts if isinstance(s, datetime)]:
            until = t.until(start, moment, lang)
            forms |= {until, f"{until} {t.zone(lang, moment)}"}
        if lang != "hi":
            forms |= {f"{t.clock(moment, lang)} {t.zone(lang, moment)}", f"{t.when(moment, lang, date=False)} {t.zone(lang, moment)}",
                      f"{t.when(moment, lang)} {t.zone(lang, moment)}"}
        return forms


def _ref(ref: str) -> tuple[str, int, str]:
    """"statement:12" → ("statement", 12, ""); "incident:3.resolved_at" → ("incident", 3, "resolved_at")."""
    found = re.fullmatch(r"(statement|incident):(\d+)(?:\.(\w+))?", ref)
    if not found:
        raise ValueError(f"bad fact reference {ref!r}")
    return found.group(1), int(found.group(2)), found.group(3) or ""


def _said_by(reader: _Reader, incident_id: int) -> str:
    found = row(reader.db, "select * from incidents where id = ?", (incident_id,))
    return found["service"] if found else ""


def _words_of(reader: _Reader, incident_id: int) -> str:
    """Everything the incident's stored statements and title say: text, components, title (lower-cased)."""
    incident = row(reader.db, "select title from incidents where id = ?", (incident_id,)) or {}
    said = [incident.get("title") or ""]
    for post in reader.statements(incident_id):
        said += [post.get("text") or "", post.get("components") or ""]
    return " ".join(said).lower()


def check_fact(reader: _Reader, fact: Fact) -> list[str]:
    """Problems with one fact against the store (empty: it holds)."""
    where, key, field = _ref(fact.ref)
    lang = reader.lang
    problem = []
    if where == "statement":
        post = reader.post(key)
        if post is None:
            return [f"{fact.ref}: no such statement"]
        incident = reader.incident(post["incident_id"]) if post.get("incident_id") else None
        if fact.what in ("said", "first"):
            value = fact.value if isinstance(fact.value, dict) else {}
            if fact.what == "said":
                if parse_time(post["created_at"]) != parse_time(value.get("at")):
                    problem.append(f"{fact.ref}: made at {post['created_at']}, the story says {value.get('at')}")
                if post.get("incident_id") != value.get("incident"):
                    problem.append(f"{fact.ref}: belongs to incident {post.get('incident_id')}, not {value.get('incident')}")
                if (post.get("kind") or "") != value.get("kind"):
                    problem.append(f"{fact.ref}: is a {post.get('kind')!r} statement, not {value.get('kind')!r}")
                for shown in fact.shown:
                    if shown not in reader.time_forms(parse_time(post["created_at"]), incident):
                        problem.append(f"{fact.ref}: time written {shown!r} is not {post['created_at']} in the zone")
            first = reader.statements(post["incident_id"])[:1] if post.get("incident_id") else []
            if (fact.what == "first" or value.get("first")) and (not first or first[0]["id"] != key):
                problem.append(f"{fact.ref}: not the incident's first statement")
            if fact.what == "first" and post.get("kind") != fact.value:
                problem.append(f"{fact.ref}: the first statement is {post.get('kind')!r}, not {fact.value!r}")
        elif fact.what == "symptom":
            tags = json.loads(post.get("symptoms") or "[]")
            if fact.value not in tags:
                problem.append(f"{fact.ref}: symptoms {tags}, not {fact.value!r}")
            if fact.shown and fact.shown[0] != symptom_phrase(fact.value, lang):
                problem.append(f"{fact.ref}: symptom {fact.value!r} written {fact.shown[0]!r}")
        elif fact.what == "part":
            said = _words_of(reader, post["incident_id"])
            for value in fact.value if isinstance(fact.value, list) else [fact.value]:
                name = re.sub(r"\s*\([^()]*\)\s*$", "", str(value)).strip().lower()
                if name not in said:
                    problem.append(f"{fact.ref}: the incident's statements never name {value!r}")
        elif fact.what == "region":
            stored = row(reader.db, "select * from incidents where id = ?", (post["incident_id"],)) or {}
            named = set(regions_named(stored, post))
            for value in fact.value if isinstance(fact.value, list) else [fact.value]:
                if value not in named:
                    problem.append(f"{fact.ref}: the statement and its incident name regions {sorted(named)}, "
                                   f"not {value!r}")
        elif fact.what == "words":
            if fact.value == "cause":
                if not CAUSE.search(post.get("text") or ""):
                    problem.append(f"{fact.ref}: its words give no cause")
            elif fact.value in ("emergency", "unplanned"):
                stored = row(reader.db, "select * from incidents where id = ?", (post["incident_id"],)) or {}
                if works_kind(stored, post) != fact.value:
                    problem.append(f"{fact.ref}: the company does not call the work {fact.value!r}")
            elif fact.value in ("closed_unfixed", "no_updates"):
                said = closed_unfixed(post)
                if not said or (fact.value == "no_updates" and not said["no_updates"]):
                    problem.append(f"{fact.ref}: its words do not say {fact.value!r}")
            elif fact.value in ("nearly_100", "nearly", "residual"):
                if not how_resolved(post)[fact.value]:
                    problem.append(f"{fact.ref}: its words do not say {fact.value!r}")
            elif not maintenance_text_says(incident, post).get(fact.value):
                problem.append(f"{fact.ref}: its words do not say {fact.value!r}")
        else:
            problem.append(f"{fact.ref}: a {fact.what!r} fact cannot refer to a statement")
        return problem
    incident = reader.incident(key)
    if incident is None:
        return [f"{fact.ref}: no such incident"]
    if fact.what == "service":
        if incident["service"] != fact.value:
            problem.append(f"{fact.ref}: the incident is {incident['service']!r}, not {fact.value!r}")
        names = service_names(incident["service"], first_time(incident))
        if fact.shown and fact.shown[0] != names["hi" if lang == "hi" else "name"]:
            problem.append(f"{fact.ref}: {incident['service']!r} written {fact.shown[0]!r}")
    elif fact.what == "time":
        stored = incident.get(field)
        if not isinstance(stored, datetime) or stored != parse_time(fact.value):
            problem.append(f"{fact.ref}: stored {stored}, the story says {fact.value}")
        elif fact.shown and fact.shown[0] not in reader.time_forms(stored, incident):
            problem.append(f"{fact.ref}: {fact.value} written {fact.shown[0]!r}")
    elif fact.what == "window":
        shown = reader.t.window(incident.get("window_start"), incident.get("window_end"), lang)
        if fact.shown and fact.shown[0] != shown:
            problem.append(f"{fact.ref}: the stored window reads {shown!r}, the story {fact.shown[0]!r}")
    elif fact.what == "title":
        if (incident.get("title") or "").strip() != fact.value or (fact.shown and fact.shown[0] != fact.value):
            problem.append(f"{fact.ref}: the incident's title is {incident.get('title')!r}, not {fact.value!r}")
    elif fact.what == "utc":  # the whole span, or (field "again") the span since it came back after a fix
        began, done = incident.get("again_since" if field == "again" else "began"), incident.get("resolved_at")
        if not (isinstance(began, datetime) and isinstance(done, datetime)) or \
                [began, done] != [parse_time(v) for v in fact.value or []]:
            problem.append(f"{fact.ref}: stored {began} – {done}, the story says {fact.value}")
        elif fact.shown and fact.shown[0] != utc_span(began, done, reader.t.tz):
            problem.append(f"{fact.ref}: {fact.value} written {fact.shown[0]!r}")
    elif fact.what in ("duration", "long"):
        stored = incident.get("again_seconds" if field == "again_seconds" else "duration_seconds")
        if fact.what == "duration" and stored != fact.value:
            problem.append(f"{fact.ref}: stored {stored} s, the story says {fact.value} s")
        if fact.what == "long" and (stored is None or stored < LONG):
            problem.append(f"{fact.ref}: {stored} s is not hours")
        if fact.what == "duration" and fact.shown and stored is not None and fact.shown[0] != reader.t.duration(stored, lang):
            problem.append(f"{fact.ref}: {stored} s written {fact.shown[0]!r}")
    elif fact.what == "status":
        if incident.get("status") != fact.value:
            problem.append(f"{fact.ref}: status {incident.get('status')!r}, not {fact.value!r}")
    elif fact.what == "count":
        ids = list(fact.value or [])
        found = [reader.post(i) for i in ids]
        if any(p is None or p.get("incident_id") != key for p in found):
            problem.append(f"{fact.ref}: counted statements of another incident")
        if fact.shown and fact.shown[0] != count_words(len(ids), lang):
            problem.append(f"{fact.ref}: {len(ids)} statements written {fact.shown[0]!r}")
    elif fact.what == "silent":
        pattern = CAUSE if fact.value == "cause" else FIGURE
        for post in reader.statements(key):
            if pattern.search(post.get("text") or ""):
                problem.append(f"{fact.ref}: statement {post['id']} gives the {fact.value}, the story says it is not known")
                break
    else:
        problem.append(f"{fact.ref}: a {fact.what!r} fact cannot refer to an incident")
    return problem


def _incidents_of(reader: _Reader, facts: tuple[Fact, ...]) -> set[int]:
    out = set()
    for fact in facts:
        where, key, _ = _ref(fact.ref)
        if where == "incident":
            out.add(key)
        else:
            post = reader.post(key)
            if post is not None and post.get("incident_id"):
                out.add(post["incident_id"])
    return out


def check_sentence(reader: _Reader, sentence: Sentence) -> list[str]:
    problems = []
    head = sentence.text[:60]
    if not sentence.facts:
        problems.append(f"no fact behind: {sentence.text!r}")
    rest = sentence.text
    for fact in sentence.facts:
        problems += [f"{head!r}: {p}" for p in check_fact(reader, fact)]
        for shown in fact.shown:
            if shown not in sentence.text:
                problems.append(f"{head!r}: {fact.ref} says it shows {shown!r}, the sentence does not")
    for shown in sorted({s for f in sentence.facts for s in f.shown}, key=len, reverse=True):
        rest = rest.replace(shown, " ")
    if re.search(r"\d", rest):
        problems.append(f"a number no fact gives in {sentence.text!r} (left: {rest!r})")
    lowered = sentence.text.lower()
    problems += [f"scope word {w!r} in {sentence.text!r}" for w in SCOPE_WORDS if w in lowered]
    # which company: a sentence naming a company and a statement names the statement's company
    named = {f.value for f in sentence.facts if f.what == "service"}
    for fact in sentence.facts:
        if fact.what == "said" and named:
            post = reader.post(_ref(fact.ref)[1])
            if post and _said_by(reader, post["incident_id"]) not in named:
                problems.append(f"{head!r}: statement {fact.ref} is {_said_by(reader, post['incident_id'])!r}'s, the "
                                f"sentence names {sorted(named)}")
    return problems


def check_paragraph(reader: _Reader, paragraph: Paragraph) -> list[str]:
    """A company's paragraph: one incident's facts and quotes only; the quotes verbatim."""
    problems = []
    incidents = set()
    for sentence in paragraph.sentences:
        incidents |= _incidents_of(reader, sentence.facts)
    for quote in paragraph.quotes:
        post = reader.post(quote.post_id)
        if post is None:
            problems.append(f"quote of statement {quote.post_id}: no such statement")
            continue
        incidents.add(post["incident_id"])
        if (post.get("text") or "") != quote.text:
            problems.append(f"quote of statement {quote.post_id} is not its stored text verbatim")
        if parse_time(post["created_at"]) != quote.created_at:
            problems.append(f"quote of statement {quote.post_id}: dated {quote.created_at}, made {post['created_at']}")
    if len(incidents) > 1:
        problems.append(f"one company's paragraph tells incidents {sorted(incidents)}")
    return problems


def check_story(db: sqlite_utils.Database, story: Story) -> list[str]:
    """Every problem with the story's facts against the store (empty list: the story tells only stored facts)."""
    reader = _Reader(db, story)
    problems = []
    for sentence in story.sentences():
        problems += check_sentence(reader, sentence)
    for paragraph in story.paragraphs:
        problems += check_paragraph(reader, paragraph)
    return problems
