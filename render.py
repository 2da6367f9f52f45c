"""Render: turns plain data into the text a channel sends (Jinja2 templates, per language and markup).

Rendering never reads the store: facts/gather.py gathers an incident's facts once into the plain context that
facts/context.py describes (``message_context`` here is a thin wrapper over it, kept for outbox.py); ``render`` fills the templates of one message kind for
one markup (telegram / slack / discord / markdown / plain), every language in the order asked, and splits the result to the
channel's limit. Anything a template prints with ``{{ … }}`` is escaped for the markup unless a helper made it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

import markup as mk
import timefmt
from facts import what_broke, where
from facts.context import (  # noqa: F401  (DAY_DIGEST, STATED_GAP, with_began, how_resolved re-exported)
    DAY_DIGEST,
    STATED_GAP,
    closed_unfixed,
    how_resolved,
    maintenance_text_says,
    maintenance_verifying,
    maintenance_without_effect,
    monitoring_without_fix,
    open_notice,
    products_named,
    recovery_begun,
    said_over,
    service_names,
    unplanned_maintenance,
    with_began,
)
from facts.maintenance import maintenance_downtime, notice_again, window_change, window_told
from facts.stated_times import names_a_time, says_fixed_now, stated_length
from trackers.registry import HANDLE_KINDS

TEMPLATES = Path(__file__).resolve().parent / "templates"
MESSAGE_KINDS = ("acknowledged", "update", "resolved", "maintenance", "report", "event", "digest", "notice")


@dataclass
class RenderedMessage:
    parts: list[str]  # one or more messages, each within the channel's limit
    card: str = ""  # the root message's new text when an incident is resolved (edit)
    blocks: list[dict[str, Any]] | None = None  # Slack: Block Kit for parts[0] (extra["part_blocks"]: every part)
    extra: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- names and phrases


def _service(name: str, at: str | None = None) -> dict[str, str]:
    """Id and names of a service as they were at ``at`` (facts.context.service_names)."""
    return service_names(name, at)


def join_and(items: list[str], lang: str) -> str:
    """"फेसबुक, व्हाट्सएप और इंस्टाग्राम" / "Facebook, WhatsApp and Instagram" (no comma before the last)."""
    items = [i for i in items if i]
    word = " और " if lang.startswith("hi") else " and "
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + word + items[-1]


def possessive(name: str, mark: str = "'") -> str:
    """The English possessive of a name: "GitHub's", "Amazon Web Services'" (a name ending in s takes only the
    apostrophe ``mark``)."""
    return f"{name}{mark}" if name.endswith("s") else f"{name}{mark}s"


def all_of(count: int, lang: str) -> str:
    """"दोनों" / "तीनों" / "चारों" / "सभी"; "both" / "all three" / "all four" / "all"."""
    if lang.startswith("hi"):
        return {2: "दोनों", 3: "तीनों", 4: "चारों", 5: "पांचों"}.get(count, "सभी")
    return {2: "both", 3: "all three", 4: "all four", 5: "all five"}.get(count, "all")


def symptom_phrase(tag: str, lang: str) -> str:
    try:
        from classify import symptom_phrase as phrase

        return phrase(tag, lang)
    except Exception:  # an unknown tag, or the lexicon unavailable: say the tag plainly
        return tag.replace("_", " ")


GENERIC_SYMPTOMS = ("performance", "outage", "api")  # how, or a word every page uses: a named part says more


def _specific(symptoms: list[str]) -> list[str]:
    """The tags worth naming: "outage" only when it is the only one (next to a specific one, as from a "#…down"
    hashtag, it would overstate)."""
    symptoms = list(symptoms or [])
    return [s for s in symptoms if s != "outage"] if len(symptoms) > 1 else symptoms


_SINGULAR_S = ("kubernetes", "dns", "status", "analytics", "sms", "ecs", "aws", "news")


def _plural(name: str) -> bool:
    """"Git Operations are", "Kubernetes is" (English agreement for one named part)."""
    last = name.rstrip(")").split()[-1].lower() if name.split() else ""
    return last.endswith("s") and not last.endswith("ss") and last not in _SINGULAR_S


def _part_names(parts: list[tuple[str, str]], lang: str, regions: list[str] | None) -> str:
    """The parts as the sentence names them: "एक्शंस और एपीआई रिक्वेस्ट"; one name the glossary does not know is
    quoted in English as the company's service: "“Cloud Data Fusion” की सेवा"; in English a bracketed region the
    sentence names anyway is dropped ("Amazon DynamoDB (N. Virginia)" → "Amazon DynamoDB" … "in us-east-1")."""
    if lang.startswith("hi"):
        name = what_broke.phrase(parts, lang)
        if len(parts) == 1 and name.startswith("“") and name.endswith("”"):
            return f"{name} की सेवा"
        return name
    if regions:
        parts = [(h, where.without_region(e)) for h, e in parts]
    return what_broke.phrase(parts, lang)


def _where_hi(regions: list[str] | None, *, short: bool) -> str:
    """"us-central1 में" (a headline), "us-central1 क्षेत्र में" / "asia-east1 और asia-south1 क्षेत्रों में"."""
    if not regions:
        return ""
    named = where.phrase(regions, "hi", short=short)
    if all(where.is_site(r) for r in regions) and len(regions) < 3:  # data centres: "Tel Aviv (TLV1) डेटा सेंटर में"
        return f"{named} डेटा सेंटर में "
    if short:
        return f"{named} में "
    if any(where.is_site(r) for r in regions):
        return f"{named} में "
    return f"{named} {'क्षेत्र' if len(regions) == 1 else 'क्षेत्रों'} में "


def _where_en(regions: list[str] | None, *, short: bool) -> str:
    return f" in {where.phrase(regions, 'en', short=short)}" if regions else ""


def where_head(regions: list[str] | None, lang: str) -> str:
    """Where, as a headline says it before "समस्या दूर" / after "resolved": "Johannesburg (JNB2) डेटा सेंटर में " /
    " in Johannesburg (JNB2)"; empty when the company named no place."""
    return _where_hi(regions, short=True) if lang.startswith("hi") else _where_en(regions, short=True)


def trouble(symptoms: list[str], lang: str, parts: list[tuple[str, str]] | None = None,
            regions: list[str] | None = None, past: bool = False) -> str:
    """What is wrong, as the acknowledgement sentence says it, from what the company said: the symptom tags its
    words support; else the parts it named (components, products in the title: ``parts`` from
    ``affected_parts``), with "slow" when its words say so; else a slow service or an outage; else a problem.
    ``regions`` (facts.where) say where; ``past``: the company's words put the trouble wholly before the
    statement ("दिक्कत रही" / "was affected"), else the present ("दिक्कत आ रही है" / "is affected")."""
    symptoms = _specific(symptoms)
    specific = [s for s in symptoms if s not in GENERIC_SYMPTOMS]
    hi = lang.startswith("hi")
    place_hi, place_en = _where_hi(regions, short=False), _where_en(regions, short=False)
    if parts and not specific:
        name = _part_names(parts, lang, regions)
        slow = "performance" in symptoms
        if hi:
            return f"{place_hi}{name} में {'धीमेपन की ' if slow else ''}दिक्कत {'रही' if past else 'आ रही है'}"
        many = len(parts) > 1 or _plural(parts[0][1])
        verb = ("were" if many else "was") if past else ("are" if many else "is")
        return f"{name} {verb} {'slow' if slow else 'affected'}{place_en}"
    if hi:
        if not symptoms:
            if regions:
                return f"{place_hi}उसकी सेवा में दिक्कत {'रही' if past else 'है'}"
            return "उसकी सेवा में दिक्कत रही" if past else "उसकी सेवा में दिक्कत है"
        said = join_and([symptom_phrase(s, "hi") for s in symptoms], "hi")
        return f"{place_hi}उपयोगकर्ताओं को {said} दिक्कत {'आई' if past else 'आ रही है'}"
    phrases = [symptom_phrase(s, "en") for s in symptoms]
    doing = [p for p in phrases if p.split(" ")[0].endswith("ing")]
    other = [p for p in phrases if p not in doing]
    said = []
    if doing:
        said.append(("users had trouble " if past else "users are having trouble ") + join_and(doing, "en") + place_en)
    if other:  # "slow service", "a full outage": what the company is looking into, not "reports of"
        if past:
            said.append(("there was " if not doing else "there was also ") + join_and(other, "en") + place_en)
        else:
            said.append(("it is investigating " if not doing else "it is also investigating ") + join_and(other, "en")
                        + place_en)
    if said:
        return "; ".join(said)
    return ("there was a problem with its service" if past else "there is a problem with its service") + place_en


# a symptom a named part already is: "Sign in" is the login, not a place where logging in fails
_PART_IS_SYMPTOM = {"login": frozenset({"login", "log in", "log-in", "sign in", "sign-in", "signin", "sign on"})}


def _not_the_part(symptoms: list[str], parts: list[tuple[str, str]]) -> list[str]:
    """``symptoms`` without those a part names itself: Zoom x51v9gpg8xb6, part "Sign in" (साइन इन) and symptom login
    was "साइन इन में लॉग इन करने में दिक्कत"; now "साइन इन में दिक्कत"."""
    names = {english.strip().lower() for _, english in parts}
    return [s for s in symptoms if not names & _PART_IS_SYMPTOM.get(s, frozenset())]


def trouble_head(symptoms: list[str], lang: str, parts: list[tuple[str, str]] | None = None,
                 regions: list[str] | None = None, past: bool = False, listed: bool = False) -> str:
    """The headline's "what": "तस्वीरें और वीडियो भेजने या अपलोड करने में दिक्कत", "us-central1 में एक्शंस और
    एपीआई रिक्वेस्ट में दिक्कत", "सेवा में दिक्कत" / "problem with Actions and API Requests in us-central1",
    "problem"; ``past``: "… में दिक्कत रही" / "… was over before it was announced". ``listed`` (``parts_listed``):
    the parts are the source's own components or title products, named next to the symptom ("ap-southeast-2 में
    डायरेक्टरी सर्विस में लॉग इन करने में दिक्कत" / "problem with AWS Directory Service in ap-southeast-2"); parts
    read out of a post's words give way to the symptom they came with ("voice messages": "…भेजने में दिक्कत")."""
    symptoms = _specific(symptoms)
    if parts and listed:
        symptoms = _not_the_part(symptoms, parts)
    specific = [s for s in symptoms if s not in GENERIC_SYMPTOMS]
    hi = lang.startswith("hi")
    place_hi, place_en = _where_hi(regions, short=True), _where_en(regions, short=True)
    tail_hi = " रही" if past else ""
    if parts and (listed or not specific):
        name = _part_names(parts, lang, regions)
        if hi:
            what = f"{join_and([symptom_phrase(s, 'hi') for s in symptoms], 'hi')} " if specific else (
                "धीमेपन की " if "performance" in symptoms else "")
            return f"{place_hi}{name} में {what}दिक्कत{tail_hi}"
        return f"problem with {name}{place_en}"
    if hi:
        if symptoms:
            return f"{place_hi}{join_and([symptom_phrase(s, 'hi') for s in symptoms], 'hi')} दिक्कत{tail_hi}"
        return f"{place_hi}दिक्कत{tail_hi}" if regions else f"सेवा में दिक्कत{tail_hi}"
    if symptoms:  # what the Hindi says: "problem logging in", "slowness"
        return f"{_symptoms_en(symptoms)}{place_en}"
    return f"problem{place_en}"


def _symptoms_en(symptoms: list[str]) -> str:
    """The English headline's "what" for symptoms alone, as the Hindi names them: "problem logging in and sending
    messages", "slowness", "full outage", "problem using the API and slowness"."""
    doing = [symptom_phrase(s, "en") for s in symptoms if s not in ("performance", "outage")]
    how = [{"performance": "slowness", "outage": "full outage"}[s] for s in symptoms if s in ("performance", "outage")]
    return join_and(([f"problem {join_and(doing, 'en')}"] if doing else []) + how, "en")


def affected_parts(incident: dict[str, Any] | None, statement: dict[str, Any] | None,
                   service: dict[str, str] | None) -> list[tuple[str, str]]:
    """What broke as the company named it: the statement's components, else the incident's, else the products its
    title names, else those the statement names, else a product the glossary does not know that the title or the
    statement names after "issue with …" (quoted in English in the Hindi: “Spaces”); (Hindi, English) pairs
    through data/glossary.toml. A product the incident's statements say was not affected (``not_affected`` /
    ``only_affected``, gathered by facts.gather) is never named (what_broke.parts)."""
    incident = incident or {}
    components, said = _listed_and_denied(incident, statement)
    text = (statement or {}).get("text") or ""
    found = what_broke.parts(components, incident.get("title"), service, text, said)
    if found:
        return found
    known = {v.lower() for v in (service or {}).values() if v}
    known |= {n.lower() for n in said["not_affected"]}
    named = products_named([what_broke.informative_title(incident.get("title")), text[:2000]], known)
    return what_broke.component_parts(named, service)  # the glossary's Hindi ("Actions" → एक्शंस), else quoted


def parts_listed(incident: dict[str, Any] | None, statement: dict[str, Any] | None,
                 service: dict[str, str] | None) -> bool:
    """Whether ``affected_parts`` names the source's own parts: the statement's or the incident's components (AWS
    "AWS Directory Service (Sydney)", Statuspage components) or products the incident's title names, not parts read
    out of the statement's words."""
    incident = incident or {}
    components, said = _listed_and_denied(incident, statement)
    return bool(what_broke.parts(components, incident.get("title"), service, "", said))


def _listed_and_denied(incident: dict[str, Any], statement: dict[str, Any] | None) -> tuple[list[str], dict[str, list[str]]]:
    """What ``affected_parts`` and ``parts_listed`` read: the statement's components, else the incident's; and what
    the incident's statements say was not affected (facts.gather) and what instead."""
    components = what_broke.components_of((statement or {}).get("components")) or what_broke.components_of(
        incident.get("components"))
    said = {"not_affected": incident.get("not_affected") or [], "only_affected": incident.get("only_affected") or []}
    return components, said


def regions_named(incident: dict[str, Any] | None, statement: dict[str, Any] | None) -> list[str]:
    """Where it broke, as the company named it (facts.where): region codes in Latin script."""
    components = what_broke.components_of((statement or {}).get("components")) + what_broke.components_of(
        (incident or {}).get("components"))
    return where.regions(components, (incident or {}).get("title") or "", (statement or {}).get("text") or "")


def undone_words(text_says: dict[str, bool], lang: str) -> str:
    """What a maintenance's "Completed" statement says in its own words (facts.context.maintenance_text_says):
    "रखरखाव के दौरान दिक्कत आई, किए गए बदलाव वापस ले लिए गए (revert) और …" / "a problem hit the maintenance, …"."""
    hi = lang.startswith("hi")
    said = []
    if text_says.get("trouble"):
        said.append("रखरखाव के दौरान दिक्कत आई" if hi else "a problem hit the maintenance")
    if text_says.get("reverted"):
        said.append("किए गए बदलाव वापस ले लिए गए (revert)" if hi else "the changes were reverted")
    if text_says.get("rescheduled"):
        said.append("यह काम अब किसी और तारीख को किया जाएगा" if hi else "the work will be done on another date")
    if text_says.get("ongoing") and not (text_says.get("reverted") or text_says.get("rescheduled")):
        said.append("काम अभी जारी है" if hi else "the work is still going on")
    return join_and(said, lang)


DOWNTIME_WORDS = {
    "down": ("कंपनी के मुताबिक इस दौरान सेवा उपलब्ध नहीं रहेगी", "the service will be unavailable"),
    "brief": ("कंपनी के मुताबिक इस दौरान सेवा कुछ देर के लिए बंद रहेगी", "the service will be briefly unavailable"),
}


def downtime_words(downtime: str, lang: str) -> str:
    """The downtime a maintenance's words say it needs (facts.maintenance.maintenance_downtime: "down", "brief"), in
    our words: "कंपनी के मुताबिक इस दौरान सेवा उपलब्ध नहीं रहेगी" / "the service will be unavailable"; "" for none."""
    pair = DOWNTIME_WORDS.get(downtime)
    return pair[0 if lang.startswith("hi") else 1] if pair else ""


_SERVICES = re.compile(r"\b(?:services|apps|products)\b", re.IGNORECASE)


def services_word(incident: dict[str, Any] | None, statements: list[dict[str, Any] | None],
                  service: dict[str, str] | None) -> str:
    """"सेवा" for one affected service or part, "सेवाएं" for several (number agreement in "… बहाल"): the most
    parts any of ``statements`` (the resolving one, the first) names, or several when their words speak of
    "services" or "apps" ("issues affecting a number of services", "files on our apps")."""
    count = max([len(affected_parts(incident, s, service)) for s in statements if s] or [0])
    if any(s and _SERVICES.search(s.get("text") or "") for s in statements):
        count = max(count, 2)
    return "सेवाएं" if count > 1 else "सेवा"


def shown_title(incident: dict[str, Any] | None) -> str:
    """The incident's title when it says something (not "Incident on 2019-05-29 02:11 UTC"), as it stood while the
    incident was open (``title_shown``, facts.gather: not Google Cloud's closing sentence)."""
    incident = incident or {}
    return what_broke.informative_title(incident["title_shown"] if "title_shown" in incident else incident.get("title"))


def to_customer(statement: dict[str, Any] | None) -> bool:
    """A social post that replies to someone else (a customer: kept only with ``keep_replies``), not to the
    account's own thread: what it says is said to one customer, not to all users."""
    statement = statement or {}
    return statement.get("source_kind") in HANDLE_KINDS and bool(statement.get("is_reply")) \
        and not statement.get("is_self_reply")


def medium(source_kind: str, lang: str, statement: dict[str, Any] | None = None) -> str:
    """Where the statement was made: "ट्वीट कर" / "अपने स्टेटस पेज पर"; "in a tweet" / "on its status page";
    given the statement, a reply to a customer: "एक ग्राहक को दिए जवाब में" / "in a reply to a customer"."""
    hi = lang.startswith("hi")
    if to_customer(statement):
        return "एक ग्राहक को दिए जवाब में" if hi else "in a reply to a customer"
    if source_kind == "x":
        return "ट्वीट कर" if hi else "in a tweet"
    if source_kind == "bluesky":
        return "ब्लूस्काई पर पोस्ट कर" if hi else "on Bluesky"
    if source_kind == "mastodon":
        return "मास्टोडन पर पोस्ट कर" if hi else "on Mastodon"
    if source_kind == "feed":
        return "अपने स्टेटस फीड में" if hi else "in its status feed"
    return "अपने स्टेटस पेज पर" if hi else "on its status page"


def speaker(service: dict[str, str], statement: dict[str, Any] | None, lang: str) -> str:
    """"फेसबुक (@facebook)" / "Facebook (@facebook)": who wrote the quoted words."""
    name = service["hi"] if lang.startswith("hi") else service["name"]
    author = (statement or {}).get("author") or ""
    if author and (statement or {}).get("source_kind") in HANDLE_KINDS:
        handle = author if author.startswith("@") else "@" + author
        if handle.lower().lstrip("@") == name.lower():
            return name
        if "(" in name:  # "एक्स (ट्विटर) के @TwitterSupport", not two pairs of brackets
            return f"{name} के {handle}" if lang.startswith("hi") else f"{possessive(name, '’')} {handle}"
        return f"{name} ({handle})"
    return name


def language_note(statement: dict[str, Any] | None, lang: str) -> str:
    said = (statement or {}).get("language") or ""
    if lang.startswith("hi"):
        return " (अंग्रेज़ी में)" if said == "en" else ""
    return " (in Hindi)" if said == "hi" else ""


IMPACT_WORDS = {"minor": ("कम", "minor"), "major": ("बड़ा", "major"), "critical": ("गंभीर", "critical")}


def impact_word(impact: str | None, lang: str) -> str:
    pair = IMPACT_WORDS.get(impact or "")
    return "" if pair is None else pair[0 if lang.startswith("hi") else 1]


def _display_url(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url).rstrip("/")


KIND_LABELS = {  # how a collapsed backlog labels each statement: (Hindi, English)
    "acknowledged": ("दिक्कत मानी", "acknowledged"),
    "update": ("अपडेट, काम जारी", "update, still working"),
    "recovering": ("सुधार लागू, निगरानी जारी", "fix applied, monitoring"),
    "resolved": ("समस्या दूर", "resolved"),
    "report": ("विस्तृत रिपोर्ट", "post-incident report"),
    "maintenance": ("नियोजित रखरखाव", "planned maintenance"),
}
STAGE_LABELS = {
    "scheduled": ("नियोजित रखरखाव की सूचना", "maintenance scheduled"),
    "in_progress": ("रखरखाव जारी", "maintenance in progress"),
    "completed": ("रखरखाव पूरा", "maintenance completed"),
}


def symptoms_named(*statements: dict[str, Any] | None) -> list[str]:
    """The symptom tags these statements name, each once, in order (what broke, as the messages' headlines say it:
    the incident's first statement and the latest)."""
    return list(dict.fromkeys(tag for statement in statements if statement for tag in statement.get("symptoms") or ()))


MAINTENANCE_NAMES = {  # (unplanned): (Hindi, English) — what the maintenance and card messages call the work
    False: ("नियोजित रखरखाव (मेंटेनेंस)", "planned maintenance"),
    True: ("अनियोजित (आपात) रखरखाव (मेंटेनेंस)", "unplanned (emergency) maintenance"),
}


def maintenance_name(unplanned: bool, lang: str) -> str:
    """"नियोजित रखरखाव (मेंटेनेंस)" / "planned maintenance", or the unplanned (emergency) pair when the company
    calls it so (facts.context.unplanned_maintenance)."""
    hi, en = MAINTENANCE_NAMES[bool(unplanned)]
    return hi if lang.startswith("hi") else en


RECOVERY_LABEL = ("सेवा बहाल होने लगी, काम जारी", "partly restored, still working")  # an update saying recovery began
UNPLANNED_NOTICE_LABEL = ("अनियोजित रखरखाव की सूचना", "unplanned maintenance announced")
VERIFYING_LABEL = ("रखरखाव पूरा, जाँच जारी", "maintenance done, being verified")  # Statuspage's Verifying
# a statement whose words say the window changed (facts.maintenance.window_change)
WINDOW_CHANGE_LABELS = {"extended": ("रखरखाव का समय बढ़ा", "maintenance extended"),
                        "postponed": ("रखरखाव टला", "maintenance postponed"),
                        "moved": ("रखरखाव का समय बदला", "maintenance moved")}
# a later word before the work that changes nothing (facts.maintenance.notice_again): not a second announcement
NOTICE_AGAIN_LABELS = {"reminder": ("रखरखाव की याद दिलाई", "maintenance reminder"),
                       "update": ("रखरखाव पर नई जानकारी", "maintenance update")}


def kind_label(kind: str, stage: str, lang: str, statement: dict[str, Any] | None = None,
               unplanned: bool = False, statements: list[dict[str, Any]] | None = None) -> str:
    """A statement's real kind as a short label: "सुधार लागू, निगरानी जारी" / "fix applied, monitoring"; given the
    statement, an update whose words say recovery has begun (facts.context.recovery_begun) is "partly restored". The
    notice of a maintenance the company calls unplanned (facts.context.unplanned_maintenance) is not "नियोजित"; one
    whose words say the window was extended, postponed or moved says so; given the incident's ``statements``, a later
    one before the work that changes nothing is a reminder or an update, not a second notice."""
    pair = STAGE_LABELS.get(stage) if kind == "maintenance" else None
    if kind == "maintenance" and stage == "scheduled" and unplanned:
        pair = UNPLANNED_NOTICE_LABEL
    if kind == "maintenance" and stage == "scheduled" and statements:
        pair = NOTICE_AGAIN_LABELS.get(notice_again({"kind": kind}, statement, statements, stage), pair)
    if kind == "maintenance" and stage in ("scheduled", "in_progress"):
        pair = WINDOW_CHANGE_LABELS.get(window_change({"kind": kind}, {**(statement or {}), "stage": stage}).get(
            "how", ""), pair)
    if kind == "maintenance" and stage == "in_progress" and (statement or {}).get("status") == "verifying":
        pair = VERIFYING_LABEL
    if kind == "update" and recovery_begun(statement) and not says_fixed_now((statement or {}).get("text") or ""):
        pair = RECOVERY_LABEL
    pair = pair or KIND_LABELS.get(kind) or ("बयान", "statement")
    return pair[0 if lang.startswith("hi") else 1]


class MarkupHelpers:
    """What templates call to produce markup; results are ``Markup`` so they are not escaped again."""

    def __init__(self, markup: str) -> None:
        self.markup = markup

    def esc(self, text: Any) -> Markup:
        return Markup(mk.escape("" if text is None else str(text), self.markup))

    def b(self, text: Any) -> Markup:
        return Markup(mk.bold(mk.escape(str(text), self.markup), self.markup))

    def q(self, text: Any) -> Markup:
        return Markup(mk.quote(str(text or ""), self.markup))

    def link(self, url: str) -> Markup:
        return Markup(mk.link(url, _display_url(url), self.markup)) if url else Markup("")


# ---------------------------------------------------------------- what the statement claims


TEXT_SAYS_ONGOING = ("acknowledged", "update", "recovering")


def _last_line_says_resolved(statement: dict[str, Any] | None) -> bool:
    lines = [line for line in ((statement or {}).get("text") or "").splitlines() if line.strip()]
    if len(lines) < 2:
        return False  # one sentence is read whole by the model; only a timeline's last line is its latest word
    from understanding.lexicon import load_lexicon, normalise

    return bool(load_lexicon().signals["resolved"].search(normalise(lines[-1][-400:]), False))


def resolved_but_text_says(incident: dict[str, Any] | None, statement: dict[str, Any] | None) -> str:
    """When the company's status says resolved but the words of its resolving statement say work goes on, the
    kind the words read as (acknowledged | update | recovering); else "". From the incident's recorded
    disagreement ("status resolved; text reads recovering (0.81)") and the statement's own reading."""
    said = (incident or {}).get("disagreement") or ""
    found = re.match(r"status resolved; text reads (\w+)", said)
    text_kind = (statement or {}).get("text_kind") or ""
    if not found or found.group(1) not in TEXT_SAYS_ONGOING:
        return ""
    if statement and (statement.get("kind") != "resolved" or (text_kind and text_kind not in TEXT_SAYS_ONGOING)):
        return ""
    if _last_line_says_resolved(statement):
        return ""  # a timeline or long text whose last word is a resolution: the status and the words agree
    if said_over(statement):
        return ""  # words stating when the trouble ended, before they were posted (OpenAI w20mcckg1748, 10 April
        # 2024: "… We are continuing to investigate the factors which led to this incident. This outage started at
        # ~11:00am and ended at 1:43pm PST."): over by its own words; what goes on is the look into its causes
    return text_kind or found.group(1)


# ---------------------------------------------------------------- gathering (thin wrappers: facts/gather.py reads)


def message_context(db: Any, outbox_row: dict[str, Any], timezone: str) -> dict[str, Any]:
    """Plain data for one outbox row (facts.gather.message_facts: the only step that reads the store)."""
    from facts.gather import message_facts

    return message_facts(db, outbox_row, timezone)


def incident_context(db: Any, incident_id: int, kind: str, timezone: str) -> dict[str, Any]:
    """Context for an incident rendered outside the outbox (``preview``): its latest statement decides."""
    from facts.gather import gather

    return gather(db, incident_id, kind=kind, timezone=timezone)


def summary_context(db: Any, timezone: str, *, day: date | None = None, event_id: int | None = None) -> dict[str, Any]:
    """A summary (rendered by the ``digest`` template): every incident of one local day, or of one event."""
    from facts.gather import summary_facts

    return summary_facts(db, timezone, day=day, event_id=event_id)


# ---------------------------------------------------------------- rendering

_envs: dict[str, Environment] = {}


def environment(markup: str = "plain") -> Environment:
    """One Jinja2 environment per markup: every ``{{ value }}`` that is not ``Markup`` is escaped for it."""
    if markup not in mk.MARKUPS:
        raise ValueError(f"unknown markup {markup!r} (known: {', '.join(mk.MARKUPS)})")
    if markup not in _envs:

        def finalize(value: Any) -> Any:
            if isinstance(value, Markup):
                return value
            return mk.escape("" if value is None else str(value), markup)

        env = Environment(
            loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=False, autoescape=False, finalize=finalize,
        )
        env.globals.update(
            join_and=join_and, all_of=all_of, possessive=possessive, trouble=trouble, medium=medium,
            to_customer=to_customer, speaker=speaker,
            language_note=language_note, impact_word=impact_word, symptom_phrase=symptom_phrase, kind_label=kind_label,
            trouble_head=trouble_head, affected_parts=affected_parts, parts_listed=parts_listed, shown_title=shown_title,
            clip=clip, regions_named=regions_named, where_head=where_head, says_fixed_now=says_fixed_now,
            stated_length=stated_length, said_over=said_over, names_a_time=names_a_time,
            services_word=services_word,
            maintenance_text_says=maintenance_text_says, undone_words=undone_words,
            unplanned_maintenance=unplanned_maintenance, maintenance_without_effect=maintenance_without_effect,
            maintenance_name=maintenance_name, symptoms_named=symptoms_named, maintenance_verifying=maintenance_verifying,
            maintenance_downtime=maintenance_downtime, downtime_words=downtime_words, window_change=window_change,
            window_told=window_told, notice_again=notice_again,
            monitoring_without_fix=monitoring_without_fix, recovery_begun=recovery_begun, open_notice=open_notice,
        )
        _envs[markup] = env
    return _envs[markup]


def _tidy(text: str) -> str:
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _normalised(context: dict[str, Any]) -> dict[str, Any]:
    """The context with every incident in it carrying ``began`` / ``stated_start`` (contexts built by hand, as in
    tests, may leave them out)."""
    context = dict(context)

    def fix(incident: dict[str, Any]) -> dict[str, Any]:
        return incident if "began" in incident else with_began(dict(incident))

    if context.get("incident"):
        context["incident"] = fix(context["incident"])
    if context.get("event"):
        context["event"] = {**context["event"], "incidents": [fix(i) for i in context["event"].get("incidents", [])]}
    if context.get("summary"):
        context["summary"] = {**context["summary"], "incidents": [fix(i) for i in context["summary"]["incidents"]]}
    return context


class Times(timefmt.TimeFormatter):
    """The channel zone's formatter, with the short forms the newer templates need. Hindi times follow
    ../shared/HINDI.md for the small hours: 00:00–03:59 is "<previous weekday> देर रात 1:17 बजे" and 04:00–04:59
    "<weekday> तड़के 4:54 बजे" (the date in brackets stays the calendar date); a day is the night's day."""

    def when(self, moment: datetime | None, lang: str, *, date: bool = True, zone: bool = False) -> str:
        if moment is None or not lang.startswith("hi"):
            return super().when(moment, lang, date=date, zone=zone)
        text = self._moment_hi(moment, weekday=True, part=None)
        extra = []
        if date or timefmt.needs_year(moment, self.tz, self.reference):  # a far date never loses its year
            extra.append(timefmt.day_month(moment, self.tz, "hi", reference=self.reference))
        if zone:
            extra.append(timefmt.zone_label(self.tz, "hi", moment))
        return f"{text} ({', '.join(extra)})" if extra else text

    def same_day(self, a: datetime, b: datetime) -> bool:
        """Same day as a reader counts it: the small hours belong to the evening before."""
        return self._night_day(a).date() == self._night_day(b).date()

    def same_date(self, a: datetime, b: datetime) -> bool:
        """Same calendar date in the channel's zone: where English prints a bare clock ("began at 9:00 PM") after a
        moment on another date, the reader takes it for that date; the small hours are not the evening before in
        English ("on Friday 1 April, 12:10 AM … began on Thursday 31 March, 9:00 PM", not "began at 9:00 PM")."""
        return timefmt.local(a, self.tz).date() == timefmt.local(b, self.tz).date()

    def week_apart(self, start: datetime | None, end: datetime | None) -> bool:
        """A span whose ends lie a week or more apart by the calendar in the channel's zone: its weekdays no longer
        tell its days ("बुधवार दोपहर 12:30 बजे से बुधवार शाम 6:10 बजे तक" for 7 days 6 h), so a span so long is
        dated at both ends."""
        if start is None or end is None:
            return False
        return (timefmt.local(end, self.tz).date() - timefmt.local(start, self.tz).date()).days >= 7

    def until(self, start: datetime | None, end: datetime | None, lang: str) -> str:
        """The end of a span as it follows its start: the weekday only when the day changed, and in Hindi the part
        of day only when it changed too (HINDI.md: "सोमवार रात 9:42 बजे से 10:07 बजे तक", "… से देर रात 1:17 बजे
        तक"). English names no weekday twice either: a start in the small hours and an end later that morning are
        one calendar day ("Tuesday, 2:55 AM – 7:08 AM", where Hindi says "सोमवार देर रात 2:55 बजे से मंगलवार सुबह
        7:08 बजे तक")."""
        if start is not None and end is not None and (
                self.same_day(start, end) or (not lang.startswith("hi") and self.same_date(start, end))):
            if lang.startswith("hi"):
                return self._moment_hi(end, weekday=False, part=_part_hi(timefmt.local(start, self.tz).hour))
            return self.clock(end, lang)
        return self.when(end, lang, date=False)

    def clock(self, moment: datetime | None, lang: str) -> str:
        """Part of day and clock without the weekday: "सुबह 4 बजे" / "4:00 AM"."""
        if moment is None:
            return "?"
        if lang.startswith("hi"):
            here = timefmt.local(moment, self.tz)
            return f"{_part_hi(here.hour)} {timefmt.clock_hi(moment, self.tz)} बजे"
        return timefmt.clock_en(moment, self.tz)

    def window(self, start: datetime | None, end: datetime | None, lang: str) -> str:
        """A planned window in the channel's zone.

        Hindi (the night after midnight belongs to the evening before, as ../shared/HINDI.md asks):
        "मंगलवार दोपहर 1:30 बजे से 2 बजे तक (22 सितंबर, भारतीय समय)". English: "from Tuesday 22 September,
        1:30 PM to 2:00 PM IST (08:00–08:30 UTC)". Only a start or only an end: "… से" / "from …"; neither: "".
        """
        if start is None and end is None:
            return ""
        hi = lang.startswith("hi")
        if hi:
            return self._window_hi(start, end)
        return self._window_en(start, end)

    def _night_day(self, moment: datetime) -> datetime:
        return timefmt.night_day(moment, self.tz)

    def _moment_hi(self, moment: datetime, *, weekday: bool, part: str | None) -> str:
        here = timefmt.local(moment, self.tz)
        word = _part_hi(here.hour)
        text = f"{word} {timefmt.clock_hi(moment, self.tz)} बजे" if word != part else f"{timefmt.clock_hi(moment, self.tz)} बजे"
        if weekday:
            text = f"{timefmt.weekday(self._night_day(moment), self.tz, 'hi')} {text}"
        return text

    def _window_hi(self, start: datetime | None, end: datetime | None) -> str:
        zone = timefmt.zone_label(self.tz, "hi", start or end)
        days = sorted({timefmt.local(m, self.tz).date() for m in (start, end) if m is not None})
        if len(days) == 2 and (days[0].month, days[0].year) == (days[1].month, days[1].year):
            dates = f"{days[0].day}–{timefmt.day_month(end, self.tz, 'hi')}"  # type: ignore[arg-type]
        else:
            dates = " – ".join(timefmt.day_month(datetime.combine(d, time(12), tzinfo=ZoneInfo(self.tz)), self.tz, "hi")
                               for d in days)
        tail = f" ({dates}, {zone})"
        if start is None:
            return f"{self._moment_hi(end, weekday=True, part=None)} तक{tail}"  # type: ignore[arg-type]
        text = self._moment_hi(start, weekday=True, part=None)
        if end is None:
            return f"{text} से{tail}"
        same_night = self._night_day(start).date() == self._night_day(end).date()
        start_part = _part_hi(timefmt.local(start, self.tz).hour)
        end_text = self._moment_hi(end, weekday=not same_night, part=start_part if same_night else None)
        return f"{text} से {end_text} तक{tail}"

    def _window_en(self, start: datetime | None, end: datetime | None) -> str:
        if start is None:
            assert end is not None
            return f"until {timefmt.when_en(end, self.tz, zone=True)}"
        if end is None:
            return f"from {timefmt.when_en(start, self.tz, zone=True)}"
        begin = timefmt.when_en(start, self.tz, zone=False)
        if self.same_date(start, end):  # English: 1:30 AM after a Saturday date is Saturday's (same_date)
            finish = timefmt.clock_en(end, self.tz)
        else:
            finish = timefmt.when_en(end, self.tz, zone=False)
        text = f"from {begin} to {finish} {timefmt.zone_label(self.tz, 'en', end)}"
        if self.tz == "UTC":
            return text
        a, b = timefmt.local(start, "UTC"), timefmt.local(end, "UTC")
        day = "d MMMM"
        if a.date() == b.date() == timefmt.local(start, self.tz).date():
            return f"{text} ({a:%H:%M}–{b:%H:%M} UTC)"
        if a.date() == b.date():  # one UTC date, not the local one: named once, as a moment names it
            return f"{text} ({a:%H:%M}–{b:%H:%M} UTC, {format_datetime(a, day, locale='en')})"
        return (f"{text} ({a:%H:%M} UTC {format_datetime(a, day, locale='en')} – "
                f"{b:%H:%M} UTC {format_datetime(b, day, locale='en')})")


def _part_hi(hour: int) -> str:
    """Part of day as ../shared/HINDI.md splits it, the small hours included: देर रात 00–03, तड़के 04."""
    return timefmt.part_of_day_hi(hour)


def _fill(name: str, context: dict[str, Any], markup: str, languages: tuple[str, ...]) -> str:
    values: dict[str, Any] = {
        "statement": None, "event": None, "incident": None, "service": None, "statements": [], "summary": None,
        "change": context.get("kind", ""), "body": "", "timezone": "Asia/Kolkata", "stage": "", "stage_again": False,
        "first_statement": None, "reopened_at": None, "quote_limit": None,
    }
    values.update(_normalised(context))
    values.update(
        languages=tuple(languages), markup=markup, m=MarkupHelpers(markup), t=Times(values["timezone"]),
    )
    values["said_ongoing"] = resolved_but_text_says(values["incident"], values["statement"])
    values["how"] = how_resolved(values["statement"])
    return _tidy(environment(markup).get_template(name).render(**values))


def edits_root(kind: str, context: dict[str, Any]) -> bool:
    """Whether this message turns the thread's root into a status card: a resolution, the completion of a
    maintenance, or a reopen (the card goes back to ongoing). Never a report or a plain update."""
    if not context.get("incident"):
        return False
    if kind == "update":
        return context.get("change") == "reopened"
    return kind == "resolved" or (kind == "maintenance" and context.get("stage") == "completed")


def clip(text: Any, limit: int | None) -> str:
    """The first ``limit`` characters of a quoted statement, cut at a space, with " …" (None: all of it)."""
    text = str(text or "")
    if limit is None or len(text) <= limit:
        return text
    cut = text[: max(0, limit)]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + " …"


def render_card(context: dict[str, Any], *, markup: str, languages: tuple[str, ...], max_chars: int) -> str:
    """The root's card (card.j2) within ``max_chars``: the quoted first statement is clipped, in every language
    alike, until the whole card fits; only a card that still does not fit is cut."""
    card = _fill("card.j2", context, markup, languages)
    first = context.get("first_statement")
    limit = len(str(first.get("text") or "")) if first else 0
    for _ in range(8):
        over = mk.measure(card) - max_chars
        if over <= 0 or limit <= 0:
            break
        limit = max(0, limit - over // max(1, len(languages)) - 40)
        card = _fill("card.j2", {**context, "quote_limit": limit}, markup, languages)
    if mk.measure(card) > max_chars:
        card = mk.split(card, max_chars, markup)[0]
    return card


def render_text(kind: str, context: dict[str, Any], *, markup: str, languages: tuple[str, ...]) -> str:
    """A message kind's whole text, unsplit and without the root's card (pages and feeds: no channel limit)."""
    if kind not in MESSAGE_KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    return _fill(f"{kind}.j2", context, markup, languages)


def render(kind: str, context: dict[str, Any], *, markup: str, languages: tuple[str, ...], max_chars: int) -> RenderedMessage:
    """Render a message kind for one channel flavour; split into parts of at most ``max_chars``."""
    if kind not in MESSAGE_KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    text = _fill(f"{kind}.j2", context, markup, languages)
    card = render_card(context, markup=markup, languages=languages, max_chars=max_chars) if edits_root(kind, context) else ""
    parts = mk.split(text, max_chars, markup)
    message = RenderedMessage(parts=parts, card=card)
    if markup == "slack":
        per_part = [mk.slack_blocks(p) for p in parts]
        if all(len(b) <= mk.SLACK_MAX_BLOCKS for b in per_part):
            message.blocks = per_part[0]
            message.extra["part_blocks"] = per_part
        if card:
            message.extra["card_blocks"] = mk.slack_blocks(card)
    if markup == "discord":  # every part's embed takes the message's status colour, not only the first
        message.extra["status_mark"] = mk.status_mark(text)
    return message


# ---------------------------------------------------------------- preview


def preview(db: Any, bot: Any, incident_id: int, channel_id: str | None = None) -> str:
    """What each configured channel (or one) would be sent for the incident's latest change, without sending."""
    from channels.registry import channel_class
    from facts.gather import message_facts, preview_kind

    channels = [c for c in bot.channels if channel_id in (None, c.id)]
    if channel_id and not channels:
        raise KeyError(f"no channel with id {channel_id}")
    out = []
    for channel in channels:
        cls = channel_class(channel.kind)
        kind, change_id = preview_kind(db, incident_id, channel.id)  # KeyError: no such incident
        context = message_facts(
            db, {"message_kind": kind, "incident_id": incident_id, "change_id": change_id}, channel.timezone
        )
        message = render(kind, context, markup=cls.markup, languages=channel.languages, max_chars=cls.max_chars)
        langs = "+".join(channel.languages)
        out.append(f"── preview [{channel.id}] {channel.kind} · {cls.markup} · {langs} · {kind} " + "─" * 12)
        for number, part in enumerate(message.parts, 1):
            if len(message.parts) > 1:
                out.append(f"── part {number}/{len(message.parts)} ({mk.measure(part)} of {cls.max_chars} characters)")
            out.append(part)
        if message.card:
            out.append("── the first message becomes:")
            out.append(message.card)
        out.append("")
    return "\n".join(out)
