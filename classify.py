"""Statement understanding: a Post → one of KINDS with calibrated probabilities, symptom tags and language.

The learned model (understanding/model.py, trained by bench/train_classifier.py on real labelled statements)
decides from the words and the context. A few documented hard overrides sit on top of it:
  1. a structured status (Statuspage, GCP AVAILABLE, AWS [RESOLVED] …) decides the lifecycle kind (an open status:
     the first statement of its thread acknowledges, a later one updates or tells of recovery); the model's
     reading of the text is kept beside it (``text_kind``) and a disagreement is recorded, not hidden — except that
     text read as planned work under an incident label is maintenance (model p >= 0.8, or >= 0.5 with a first
     line that announces planned work);
  2. a statement its source marks as planned work (Post.incident_kind == "maintenance") is maintenance;
  3. a text with no letters is noise (on a status page: an update, since a status page only speaks of incidents);
  4. a text that opens as a post-incident report ("# Incident Report", "Root cause analysis", "Postmortem", or a
     "Summary" heading with a "Root Cause" section) is a report, also under a "resolved" label (a retrospective is
     never a new outage nor a second resolution); under an in-progress label only with the "Root Cause" heading
     itself (Google Cloud's updates open with "Summary:" and may say "narrowing down the root cause");
  5. a text read as a resolution that speaks of planned work and of no problem ("The scheduled maintenance has been
     completed.") is a maintenance completion, never the end of an outage;
  6. with no status, a statement under a title that names planned work and no trouble ("Scheduled database
     upgrade", not "Connectivity Impacted During Network Maintenance", not "Unscheduled Maintenance") is maintenance:
     the title names the incident where its updates' words ("Start", "All systems are back to normal") cannot;
  6a. off a status page, a text that hits none of the lexicon's problem or lifecycle signals is noise (the model
     was trained mostly on status pages, where every text is about an incident), unless it says people are able
     to do something again ("Users should once again be able to sign-in …": a resolution);
  7. Hindi text: the model saw one Hindi statement in training, so the lexicon's Hindi rules name its kind;
  8. only the first 4,000 characters are read, so any input costs bounded time.
``announce`` says whether the bot would tell a channel: on social accounts a statement whose outage probability is
below the threshold is kept as *unsure* and told only when a later statement confirms it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import posts
from understanding.features import (
    MAX_CHARS,
    Context,
    Reading,
    read,
    text_features,
    title_names_planned_work,
    with_context,
)
from understanding.lexicon import (
    SOCIAL_SOURCE_KINDS,
    STATUS_SOURCE_KINDS,
    SYMPTOMS,
    detect_language,
    load_lexicon,
    normalise,
    symptom_phrase,
    symptoms_of,
)
from understanding.model import Model, load_model
from understanding.rules import rule_kind

__all__ = ["KINDS", "OUTAGE_KINDS", "SYMPTOMS", "Statement", "classify", "classify_text", "detect_language",
           "load_lexicon", "symptom_phrase", "DEFAULT_THRESHOLD", "maintenance_stage"]

KINDS = ("acknowledged", "update", "recovering", "resolved", "maintenance", "report", "noise")
OUTAGE_KINDS = ("acknowledged", "update", "recovering", "resolved")  # the kinds that tell of an outage
DEFAULT_THRESHOLD = 0.7  # social posts: outage probability needed to announce (bench/classify_eval.py)

# Structured status → lifecycle kind (Statuspage's vocabulary, which the other status trackers map onto).
STATUS_KINDS = {
    "investigating": "acknowledged",
    "identified": "update",
    "update": "update",
    "monitoring": "recovering",
    "resolved": "resolved",
    "postmortem": "report",
    "scheduled": "maintenance",
    "in_progress": "maintenance",
    "verifying": "maintenance",
    "completed": "maintenance",
}
# How far apart two readings must be to count as a disagreement: the lifecycle stage each kind means.
_STAGE = {"acknowledged": "open", "update": "open", "recovering": "recovering", "resolved": "closed",
          "maintenance": "maintenance", "report": "report", "noise": "noise"}


# Lexicon signals that speak of a problem or its course; a social post with none of them is not an outage statement.
_OUTAGE_SIGNALS = {"resolved", "retrospective", "update", "recovering", "partial", "acknowledged", "problem",
                   "service_wide", "report"}
# off a status page, words that people can again do what they could not speak of the problem's course although they
# name no problem: Xbox Support's resolution of 25 February 2021, "Users should once again be able to sign-in,
# complete purchases, and join chat sessions." (rule 6a would make it noise and leave the outage open)
_ABLE_AGAIN = re.compile(r"\b(?:should|can|are) (?:now )?(?:once )?again (?:be )?able to\b")
_REPORT_OPENING = re.compile(
    r"^\W{0,6}(?:(?:mini |full |preliminary |final |post[- ]?)?incident (?:report|review|summary)|root cause analysis|"
    r"rca\b|post[- ]?mortem|post-event summary)"
)

_ROOT_CAUSE_HEADING = re.compile(r"(?im)^[ \t*#_]*root[ \t]+cause(?:[ \t]+analysis)?[ \t*#_]*(?::|$)")
_OPEN_STATUS_KINDS = ("acknowledged", "update", "recovering")


@dataclass(frozen=True)
class Statement:
    kind: str  # one of KINDS: what the bot does with the statement (status wins for the lifecycle)
    confidence: float  # 0..1: the probability of ``kind`` (a structured status: 0.95 / 0.99)
    reason: str  # what decided: "status:resolved", "model:resolved", "source:maintenance", "empty"
    symptoms: tuple[str, ...]  # tags from SYMPTOMS
    language: str  # "en", "hi", "mixed", or "" (unknown)
    probabilities: dict[str, float] = field(default_factory=dict)  # the model's reading of the text
    text_kind: str = ""  # the model's kind for the text alone ("" when not read)
    disagreement: str = ""  # "status resolved; text reads recovering (0.81)" when status and text differ
    announce: bool = True  # whether a channel is told (False: noise, or an unsure social post)
    stage: str = ""  # maintenance: scheduled | in_progress | completed


def post_text(post: posts.Post) -> str:
    """The text of a Post that is classified: its text, or its title when the text is empty."""
    return post.title if post.title and not post.text.strip() else post.text


def prepared_text(text: str) -> str:
    """The text exactly as classify_text reads it (bounded, NULs blanked): the key of a precomputed Reading."""
    text = text if isinstance(text, str) else ""
    return text[: 2 * MAX_CHARS].replace("\x00", " ")


@dataclass(frozen=True)
class Prepared:
    """All classify needs of a text that does not depend on its context: the lexicon's reading, the symptoms it
    names and the features of its words."""

    reading: Reading
    symptoms: tuple[str, ...]
    words_features: tuple[str, ...]


def prepare(text: str) -> Prepared:
    """Read ``prepared_text(text)`` once: what classify_text computes from the words alone."""
    reading = read(text)
    symptoms = symptoms_of(reading.norm, reading.devanagari) if reading.norm else ()
    return Prepared(reading, symptoms, tuple(text_features(reading.norm, reading.hits)))


def pre_read(post_list: list[posts.Post]) -> dict[str, Prepared]:
    """``prepare`` for every post's text, keyed by its prepared text: computed where the posts were parsed (a
    fetcher process on another core) and handed to classify, which then does not read them again."""
    readings: dict[str, Prepared] = {}
    for post in post_list:
        text = prepared_text(post_text(post))
        if text not in readings:
            readings[text] = prepare(text)
    return readings


def classify(
    post: posts.Post,
    source_kind: str = "",
    *,
    position: str = "",
    gap_seconds: float | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    readings: dict[str, Prepared] | None = None,
) -> Statement:
    """Classify a tracker's Post (status, reply flags and maintenance mark are taken from it). ``readings``:
    pre_read's output for a batch that holds this post (optional; the same result, less work here)."""
    text = post_text(post)
    return classify_text(
        text,
        prepared=readings.get(prepared_text(text)) if readings else None,
        status=post.status,
        source_kind=source_kind,
        is_reply=post.is_reply,
        is_self_reply=post.is_self_reply,
        maintenance=post.incident_kind == "maintenance",
        title=post.title,
        position=position,
        gap_seconds=gap_seconds,
        threshold=threshold,
    )


def source_group(source_kind: str) -> str:
    kind = source_kind.strip().lower()
    if kind in STATUS_SOURCE_KINDS:
        return "status"
    if kind in SOCIAL_SOURCE_KINDS:
        return "social"
    return ""


def classify_text(
    text: str,
    *,
    status: str = "",
    source_kind: str = "",
    service: str = "",
    is_reply: bool = False,
    is_self_reply: bool = False,
    maintenance: bool = False,
    title: str = "",
    position: str = "",
    gap_seconds: float | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    model: Model | None = None,
    prepared: Prepared | None = None,
) -> Statement:
    """Classify one statement's text in its context. Never raises on any text (empty, huge, binary). ``prepared``:
    ``prepare(prepared_text(text))`` when it was computed already (pre_read)."""
    text = prepared_text(text)
    group = source_group(source_kind)
    if prepared is None:
        prepared = prepare(text)  # the same reading the model was trained on
    reading, symptoms = prepared.reading, prepared.symptoms
    language, norm, dev = reading.language, reading.norm, reading.devanagari
    label = status.strip().lower()
    status_kind = STATUS_KINDS.get(label, "")

    if not any(ch.isalpha() for ch in norm):
        kind = status_kind or ("maintenance" if maintenance else "update" if group == "status" else "noise")
        return Statement(kind, 0.95 if status_kind else 0.6, f"status:{label}" if status_kind else "empty", (),
                         language, announce=kind != "noise", stage=_stage(kind, label, norm))

    context = Context(source=group, is_reply=is_reply, is_self_reply=is_self_reply, position=position,
                      gap_seconds=gap_seconds, title=title if isinstance(title, str) else "")
    model = model or load_model()
    probabilities = model.probabilities(with_context(prepared.words_features, context))
    text_kind = model.kind_of(probabilities)
    hindi_ruled = False
    if language == "hi":
        # the model saw almost no Hindi (one statement): the lexicon's Hindi rules name the lifecycle kind
        ruled, _, _ = rule_kind(norm, True, is_reply=is_reply, is_self_reply=is_self_reply, social=group == "social")
        if ruled != "noise":
            text_kind, hindi_ruled = ruled, True
    elif group != "status" and text_kind in OUTAGE_KINDS and not set(reading.hits) & _OUTAGE_SIGNALS \
            and not _ABLE_AGAIN.search(norm):
        text_kind = "noise"  # off a status page, no word of a problem or its course: not an outage statement
    outage = sum(probabilities.get(k, 0.0) for k in OUTAGE_KINDS)

    # a "Summary" opening with a root cause is a report; under an in-progress label (Google Cloud's own updates open
    # with "Summary:" too: "… is narrowing down the root cause and continues to investigate") only with a "Root Cause"
    # section heading, as its reports have
    report_like = bool(_REPORT_OPENING.match(norm)) or (
        norm.lstrip("*# ").startswith("summary") and "root cause" in norm
        and (status_kind not in _OPEN_STATUS_KINDS or _ROOT_CAUSE_HEADING.search(text) is not None))
    if report_like and status_kind in ("resolved", "update", "report"):
        # a post-incident report posted under a "resolved" label (Google Cloud) is a report, not a second fix
        kind, confidence, reason = "report", max(0.9, probabilities.get("report", 0.0)), f"text:report-opening:{label}"
    elif status_kind and status_kind in OUTAGE_KINDS and _planned_under_incident_label(text, probabilities, dev):
        # an incident label on planned work (imported histories, pages that post maintenance as incidents)
        kind, confidence, reason = "maintenance", probabilities["maintenance"], f"model:maintenance:status-{label}"
    elif status_kind:
        kind = _open_kind(status_kind, position, text_kind, probabilities)
        confidence = 0.99 if kind == "resolved" else 0.95
        reason = f"status:{label}"
    elif maintenance:
        kind, confidence, reason = "maintenance", 0.95, "source:maintenance"
    elif report_like:
        kind, confidence, reason = "report", max(0.9, probabilities.get("report", 0.0)), "text:report-opening"
    else:
        kind, confidence, reason = text_kind, probabilities[text_kind], f"{'rules' if hindi_ruled else 'model'}:{text_kind}"
        if kind == "noise" and group == "status":
            # a status page only speaks of incidents: its least likely-noise reading is an update
            kind = max(OUTAGE_KINDS, key=probabilities.__getitem__)
            confidence, reason = probabilities[kind], f"model:{kind}:status-source"
    if kind == "resolved" and not status_kind and _planned_work_done(norm, dev):
        kind, reason = "maintenance", "text:maintenance-completed"
    if kind in OUTAGE_KINDS and not status_kind and title_names_planned_work(context.title):
        # no status, but the incident's own title names planned work ("Scheduled database upgrade": "Start",
        # "All systems are back to normal")
        kind, confidence, reason = "maintenance", max(confidence, probabilities.get("maintenance", 0.0)), "title:planned-work"
    if maintenance and kind in OUTAGE_KINDS:
        kind = "maintenance"  # planned work is never an outage, whatever its label
    disagreement = ""
    decided_by_label = reason.startswith(("status:", "source:"))
    if decided_by_label and _STAGE[text_kind] != _STAGE[kind] and probabilities[text_kind] >= 0.6:
        disagreement = f"{'status ' + label if status_kind else 'source maintenance'}; text reads {text_kind} " \
                       f"({probabilities[text_kind]:.2f})"
    announce = kind != "noise"
    if announce and group == "social" and not status_kind and not hindi_ruled:
        announce = (outage if kind in OUTAGE_KINDS else probabilities.get(kind, 0.0)) >= threshold
    return Statement(
        kind, round(confidence, 4), reason, symptoms if kind != "noise" else (), language,
        {k: round(v, 4) for k, v in probabilities.items()}, text_kind, disagreement, announce,
        _stage(kind, label, norm),
    )


def _open_kind(status_kind: str, position: str, text_kind: str, probabilities: dict[str, float]) -> str:
    """An open status names the stage (still open), not the statement: pages repeat "investigating" on every
    progress post (GitHub, Emma). As the corpus labels them: the thread's first statement acknowledges, a later one
    updates — or tells of recovery when its words say so (p >= 0.6). Other statuses are kept as they are."""
    if status_kind not in ("acknowledged", "update") or not position:
        return status_kind
    if position == "first":
        return "acknowledged"
    return "recovering" if text_kind == "recovering" and probabilities[text_kind] >= 0.6 else "update"


def _planned_under_incident_label(text: str, probabilities: dict[str, float], dev: bool) -> bool:
    """Planned work posted under an incident label (GitHub's imported 2010-2018 notices: "Scheduled maintenance
    tonight starting at 22:00 PST …"): the model reads maintenance with p >= 0.8, or with p >= 0.5 when the first
    line itself announces planned work. Unscheduled or emergency maintenance is downtime, not planned work."""
    p = probabilities.get("maintenance", 0.0)
    if p >= 0.8:
        return True
    if p < 0.5:  # most statements: nothing to read
        return False
    first = normalise(text.strip().split("\n", 1)[0])
    if "unscheduled" in first or "emergency" in first:
        return False
    return bool(load_lexicon().signals["maintenance"].search(first, dev))


def _planned_work_done(norm: str, dev: bool) -> bool:
    signals = load_lexicon().signals
    return bool(signals["maintenance"].search(norm, dev)) and not signals["problem"].search(norm, dev)


def _stage(kind: str, label: str, norm: str) -> str:
    return maintenance_stage(label, norm) if kind == "maintenance" else ""


def maintenance_stage(label: str, norm: str) -> str:
    """scheduled | in_progress | completed: from the status label, else from the words (normalised text)."""
    if label in ("scheduled", "in_progress", "completed"):
        return label
    if label == "verifying":
        return "in_progress"
    signals = load_lexicon().signals
    if signals["resolved"].search(norm, False):
        return "completed"
    if any(word in norm for word in ("in progress", "underway", "has begun", "have begun", "has started",
                                     "have started", "is now being", "are now performing", "currently performing")):
        return "in_progress"
    return "scheduled"
