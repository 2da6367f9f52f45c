"""An incident's facts as plain data (no database handle, no I/O beyond the bundled catalog): the shapes the
gathering step (facts/gather.py) fills from the store and the renderer (render.py, templates/) and the record
(facts/record.py, ``bot.py incidents --json``) read, so the channel messages and the record tell the same facts.

A message context is a plain dict:

- ``incident``: the incident row with its times parsed (``opened_at``, ``started_at``, ``first_word_at``,
  ``resolved_at``, ``window_start`` / ``window_end`` …), ``service_info``, ``components`` named so far, and what
  the messages tell (``began``: the company's stated start, else its first word; ``start_stated``: whether
  ``began`` is a stated start; ``stated_start``: the stated
  start when it lies STATED_GAP or more before the first word, so messages say both; ``duration_seconds`` from
  the minutes shown; after a reopen ``again_since``, when it came back, and ``again_seconds``, how long since);
- ``statement``: the statement the message is about (``created_at`` parsed, ``symptoms`` a list,
  ``source_kind``); ``first_statement``: the incident's first word (kept under the root card's status line);
  ``statements``: all of them in order (a collapsed backlog);
- ``service`` (id, English and Hindi names as they were then), ``change``, ``stage`` / ``stage_again``
  (maintenance), ``reopened_at``, ``event`` (its members as incidents above), ``summary`` (a day or an event).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import timefmt
from posts import iso_utc, parse_time
from trackers.registry import HANDLE_KINDS

DAY_DIGEST = "day:"  # an outbox row's body for the digest of one local day: "day:2019-07-03"
STATED_GAP = 300  # seconds: a stated start this far from the first word is told beside it
TIME_FIELDS = ("opened_at", "resolved_at", "acknowledged_at", "last_statement_at", "started_at", "first_word_at",
               "window_start", "window_end", "reopened_at")


def service_names(name: str, at: Any = None) -> dict[str, str]:
    """Id and names of a service; ``at`` (ISO time or datetime of the statement or incident): the names it had
    then (ट्विटर in 2019, एक्स now)."""
    if isinstance(at, datetime):
        at = at.isoformat()
    try:
        from services import load_catalog

        found = load_catalog().find(name)
    except Exception:
        found = None
    if found is None:
        return {"id": name.lower(), "name": name, "hi": name}
    english, hindi = found.named_at(at or "")
    return {"id": found.id, "name": english, "hi": hindi}


def first_time(incident: dict[str, Any]) -> Any:
    """When the incident was first told (the first word, else when it opened or was resolved)."""
    return incident.get("first_word_at") or incident.get("opened_at") or incident.get("resolved_at")


def moment(value: Any) -> datetime | None:
    """A stored ISO time (or a datetime, or nothing) as an aware datetime."""
    if value is None or isinstance(value, datetime):
        return value
    return parse_time(value) if value else None


def statement_facts(post: dict[str, Any], source_kind: str = "", stage: str = "") -> dict[str, Any]:
    """One stored statement (a row of ``posts``) as plain data: its time parsed, its symptom tags a list, where
    it was made (``source_kind``: x, statuspage, feed …) and, for a maintenance, the stage it recorded."""
    symptoms = post.get("symptoms")
    if isinstance(symptoms, str):
        symptoms = json.loads(symptoms or "[]")
    data = {**post, "created_at": moment(post.get("created_at")), "symptoms": list(symptoms or []),
            "source_kind": source_kind or post.get("source_kind") or ""}
    if stage or "stage" not in data:
        data["stage"] = stage
    return data


def incident_facts(incident: dict[str, Any], components: list[str] | None = None) -> dict[str, Any]:
    """Plain data for one incident row: times parsed, the service's names as they were, what the messages tell
    (``began``, ``stated_start``, ``duration_seconds``: see ``with_began``)."""
    data = {**incident, "kind": incident.get("kind") or "incident"}
    for key in TIME_FIELDS:
        data[key] = moment(incident.get(key))
    if "service_info" not in data:
        data["service_info"] = service_names(incident["service"], first_time(incident))
    if components is not None:
        data["components"] = list(components)
    return with_began(data)


def with_began(data: dict[str, Any]) -> dict[str, Any]:
    """Add ``began`` (stated start, else opened_at), ``stated_start`` (the stated start when it lies at least
    STATED_GAP before the first word: messages then say both) and fill a missing duration. Durations are told
    from the same minutes the message shows (HINDI.md): 9:42–10:07 is 25 min, not 26."""
    data.setdefault("kind", "incident")
    for key in ("window_start", "window_end", "started_at", "started_from", "disagreement", "title"):
        data.setdefault(key, None)
    started = data.get("started_at") if data["kind"] != "maintenance" else None
    first_word = data.get("first_word_at") or data.get("opened_at")
    data["began"] = started or data.get("opened_at")
    stated = None
    if started and first_word and data.get("started_from") in ("field", "text"):
        if (first_word - started).total_seconds() >= STATED_GAP:
            stated = started
    data["stated_start"] = stated
    # whether ``began`` is a start the company stated (a field or its words), not merely its first word: messages
    # tell a first word as "first said so at", never as "began at"
    data["start_stated"] = bool(started) and data.get("started_from") in ("field", "text")
    data.setdefault("first_word_at", None)
    if data.get("first_word_at") is None:
        data["first_word_at"] = first_word
    if data["began"] and data.get("resolved_at") and (data.get("duration_seconds") is not None
                                                       or data["kind"] == "maintenance" or stated is None):
        data["duration_seconds"] = timefmt.shown_seconds(data["began"], data["resolved_at"])
    # a problem that came back after the company said it was resolved (DatoCMS, 8-9 October 2024: resolved at
    # 22:59 UTC, "Heroku is having the same problem again" at 13:10 UTC next day, resolved 16:48 UTC): the
    # thread's messages tell the trouble since it came back (``again_since``) and how long that lasted
    # (``again_seconds``), not one span over the fourteen hours it was resolved
    again = data.get("reopened_at") if data["kind"] != "maintenance" else None
    data["again_since"] = again
    data["again_seconds"] = None
    if again and data.get("resolved_at") and data["resolved_at"] >= again:
        data["again_seconds"] = timefmt.shown_seconds(again, data["resolved_at"])
    return data


def calendar_span(data: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    """When an incident (``incident_facts``) was going on, for the days it is listed under (the site's day pages and
    90-day bars, the day's digest): an outage from the start the messages tell (the company's stated start, else
    its first word: AWS ECS us-east-1, 7 December 2021, "Between 7:31 AM PST on December 7 and 2:20 AM PST on
    December 8", first posted at 3:32 PM PST, began 9:01 PM IST on the 7th) to its end (else its latest word); a
    maintenance over its planned window when it has one (Symantec WSS announced the 9 November 2019 certificate
    maintenance on 11 October), else from its first notice to its completion."""
    if data.get("kind") == "maintenance" and data.get("window_start"):
        start = data["window_start"]
        end = data.get("resolved_at") or data.get("window_end") or start
    else:
        start = data.get("began") or data.get("opened_at") or data.get("resolved_at")
        end = data.get("resolved_at") or data.get("last_statement_at") or start
    if start is None:
        return None, None
    return start, max(start, end or start)


def calendar_spans(data: dict[str, Any]) -> list[tuple[datetime, datetime]]:
    """``calendar_span`` without the days a problem that came back was fixed in between (``first_fixed_at``, set by
    facts.gather.with_first_fix, to ``again_since``): DatoCMS "Problems with projects usage statistics", fixed 9
    February 2023, back on the 14th, is not an incident of 10–13 February."""
    start, end = calendar_span(data)
    if start is None or end is None:
        return []
    fixed, again = data.get("first_fixed_at"), data.get("again_since")
    if fixed and again and start <= fixed < again <= end:
        return [(start, fixed), (again, end)]
    return [(start, end)]


def told(incident: dict[str, Any]) -> dict[str, Any]:
    """What the channel messages tell of an incident's span (from ``incident_facts``): the start they give, the
    end and the duration (ISO times, seconds from the minutes shown). ``bot.py incidents --json`` prints it as
    ``told`` so a reader of the record and of the channel sees the same numbers."""
    facts = incident if "began" in incident else incident_facts(incident)

    def iso(at: datetime | None) -> str | None:
        return iso_utc(at) if at else None

    maintenance = facts["kind"] == "maintenance"
    # closed on the page, not said to be fixed, or a notice that named no problem: no time to a fix
    unfixed = bool(facts.get("closed_unfixed") or facts.get("notice"))
    if facts.get("again_since") and not maintenance:  # back after a resolution: the trouble since it came back
        return {"began_at": iso(facts["again_since"]), "stated_start_at": None,
                "resolved_at": iso(facts.get("resolved_at")),
                "duration_seconds": facts.get("again_seconds") if not unfixed else None}
    return {
        "began_at": iso(facts["began"]) if not maintenance else iso(facts.get("window_start") or facts["began"]),
        "stated_start_at": iso(facts.get("stated_start")),
        "resolved_at": iso(facts.get("resolved_at")),
        "duration_seconds": facts.get("duration_seconds")
        if facts.get("resolved_at") and facts["began"] and not maintenance and not unfixed else None,
    }


# ---------------------------------------------------------------- what the words say beyond the labels


_NEARLY_100 = re.compile(r"\b(?:almost|nearly)\s+(?:at\s+)?100\s?%", re.IGNORECASE)
_NEARLY = re.compile(r"\b(?:almost|nearly|mostly)\s+(?:fully\s+|all\s+|completely\s+)?(?:resolved|recovered|restored|back)\b",
                     re.IGNORECASE)
_RESIDUAL = re.compile(r"\bresidual\b|\b(?:some|a few|a small (?:group|number|set) of)\s+(?:people|users|customers)\b"
                       r"[^.]{0,40}\b(?:may|might|could) still\b"
                       # a part the resolution says is still affected (AWS: EC2 eu-central-1, 13 July 2021, "A small
                       # number of remaining instances … require additional attention"; ELB us-east-1, 6 August 2021,
                       # "We are continuing to experience delays in the propagation of CloudWatch metrics"; Pinpoint
                       # us-east-1, 14 January 2022, "These delays will continue while we work … through the backlog")
                       r"|\bremaining\s+(?:affected\s+|impacted\s+|impaired\s+)?(?:instances|resources|customers|users)\b"
                       r"|\b(?:are\s+continuing|continue)\s+to\s+(?:experience|see)\s+(?:some\s+)?"
                       r"(?:delays|errors|issues|elevated|increased)\b|\bdelays\s+will\s+continue\b", re.IGNORECASE)


def how_resolved(statement: dict[str, Any] | None) -> dict[str, bool]:
    """What the resolving words claim: ``nearly_100`` ("almost at 100% resolved", the seed's @TwitterSupport),
    ``nearly`` ("mostly recovered"), ``residual`` (some people may still see problems). A desk prints exactly that
    much, not "services restored"."""
    text = (statement or {}).get("text") or ""
    return {"nearly_100": bool(_NEARLY_100.search(text)), "nearly": bool(_NEARLY.search(text)),
            "residual": bool(_RESIDUAL.search(text))}


_STILL_WORKING = re.compile(
    r"\b(?:is|are)\s+(?:still\s+|actively\s+)?(?:working\s+on|investigating|looking\s+into)\b"
    # Emma tcppnkdjxjr9 (6 April 2018), its one statement marked resolved: "We are seeing increased load on the
    # database … we are working to mitigate any impact."
    r"|\b(?:is|are)\s+(?:still\s+|actively\s+)?working\s+to\s+(?:mitigate|resolve|fix|address|restore)\b"
    r"|\bcontinu\w*\s+to\s+(?:work|investigate)\b|\bwhile\s+we(?:\s+are|'re|\u2019re)\s+working\b", re.IGNORECASE)
_NO_MORE_UPDATES = re.compile(r"\bno\s+(?:further|more|additional)\s+updates?\b"
                              r"|\bwill\s+no\s+longer\s+(?:be\s+)?(?:update|provide|post)", re.IGNORECASE)
_UNTIL_FIXED = re.compile(r"\b(?:until|once|when|before)\s+(?:this|the)\s+(?:issue|problem|incident)\s+(?:is|has been)\s+\w+",
                          re.IGNORECASE)
_MERGED = re.compile(r"\b(?:is\s+being|has\s+been|was|been)\s+merged\s+(?:with|into)\s+(?:an?\s+|the\s+)?"
                     r"(?:existing|other|another|earlier|ongoing|new|parent|single)?\s*(?:incident|issue|event)",
                     re.IGNORECASE)
_SAYS_FIXED = re.compile(  # any word of a fix left once "until this issue is resolved" is taken out: not "unfixed"
    r"\b(?:resolved|fixed|mitigated|restored|recovered|operational|normal(?:ly)?|back\s+(?:up|online)"
    r"|(?:deployed|applied|rolled\s+out|implemented)\s+a\s+fix|fix\s+(?:has\s+been|was)\s+\w+"
    r"|no\s+longer\s+(?:seeing|experiencing|affected|impacted|occurring))\b", re.IGNORECASE)


def closed_unfixed(statement: dict[str, Any] | None) -> dict[str, bool] | None:
    """A resolving statement whose words say the work goes on and say nothing is fixed (Google Cloud, status
    AVAILABLE: "our Engineering Team is working on it … No further updates will be provided here"), or that the
    incident was merged into another one ("This incident is being merged with an existing incident. All future
    updates will be provided there"): the company closed the incident on its page without saying it was fixed.
    ``{"no_updates": …}`` (it said updates stop there; with ``"merged": True`` when it moved them to another
    incident), else None.
    "until this issue is resolved" is not a claim that it is."""
    if not statement or statement.get("kind") not in ("resolved", None):
        return None
    text = _UNTIL_FIXED.sub(" ", str(statement.get("text") or ""))
    if _SAYS_FIXED.search(text):
        return None
    if _MERGED.search(text):
        return {"no_updates": False, "merged": True}
    if not _STILL_WORKING.search(text):
        return None
    lines = [line for line in text.splitlines() if line.strip()]
    # a timeline's latest word is its last line ("06:29 - Resolved."): a fix there stands; a closing line that says
    # the work goes on ("We thank you for your patience while we're working on resolving the issue.") is no fix
    if len(lines) > 1 and not _STILL_WORKING.search(lines[-1]):
        from understanding.lexicon import load_lexicon, normalise

        if load_lexicon().signals["resolved"].search(normalise(lines[-1][-400:]), False):
            return None
    return {"no_updates": bool(_NO_MORE_UPDATES.search(text))}


def with_closing(incident: dict[str, Any], last: dict[str, Any] | None,
                 said: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Mark a resolved incident by the words of its last statement (``last``, the resolving one): ``closed_unfixed``
    (closed on the page, not said to be fixed: no duration is told, it would read as the time to a fix) and
    ``nearly`` ("almost at 100% resolved": told "almost fully fixed", not "fixed"); with ``said`` (its statements
    up to ``last``, no noise) also ``notice``: statements that name no problem, closed (``closed_notice``) — not a
    fix, and no duration, since nothing was down."""
    resolved = incident.get("status") == "resolved" and incident.get("kind", "incident") != "maintenance" and last
    unfixed = closed_unfixed(last) if resolved else None
    how = how_resolved(last) if resolved else {}
    incident["closed_unfixed"] = unfixed
    incident["nearly"] = bool(how.get("nearly_100") or how.get("nearly"))
    incident["notice"] = bool(resolved and not unfixed and said and closed_notice(said))
    if unfixed or incident["notice"]:
        incident["duration_seconds"] = None
    return incident


_NAMES_TROUBLE = re.compile(  # words that name a problem with the service
    r"\b(?:investigat\w*|issues?|problems?|fail\w*|impact\w*|affected|degrad\w*|outages?|unavailab\w*|inaccessible"
    r"|down(?:time)?|disrupt\w*|interrupt\w*|latenc\w*|slow\w*|delay\w*|error\s+rates?|an\s+error|broken|bugs?"
    r"|prevent\w*|backlogs?|lost|loss|(?:increased|heavy|high)\s+load"  # GitHub 2012-08-29 "a queue backlog after
    # we lost a cache server", 2019-03-05 "An error prevented pages … from loading"; Emma "increased load on the database"
    r"|(?:elevated|increased|intermittent|higher)\s+(?:rates?\s+of\s+)?errors"
    r"|not\s+(?:working|accessible|available|loading|responding)"
    # OpenAI wjwrlkrbvg5b (impact none): "Some customers cannot reach support services."
    r"|(?:cannot|can['’]t|can\s+not|unable\s+to)\s+(?:reach|access|connect|contact|message|log\s*in|sign\s*in|load|open"
    r"|use|send|upload|download|create|see|view|get)\w*)\b", re.IGNORECASE)


def closed_notice(statements: list[dict[str, Any]]) -> bool:
    """A resolved incident whose statements (``statements``, as ``statement_facts`` gives them, up to the resolving
    one) name no problem: none was an
    acknowledgement, update or recovery (only resolutions or reports), none carries a symptom tag, and no words
    name trouble ("issue", "outage", "error rates", "not working" …) or a fix ("resolved", "restored", "back
    online" …) — a notice the company posted and closed (DatoCMS "Rollbar security notice", 18 September 2023:
    Rollbar's security incident, tokens rotated). Its close is told as the notice closed, not as service restored.
    Only a status page's or feed's statements: a social post is too short to tell a notice from a terse "We're back"."""
    said = [s for s in statements if s and s.get("kind") != "noise"]
    if not said or any(s.get("kind") not in ("resolved", "report") for s in said):
        return False
    if any(s.get("source_kind") in HANDLE_KINDS for s in said):  # a post ("We're back!") says too little to tell
        return False
    if any(s.get("symptoms") for s in said):  # statement_facts: the tags as a list
        return False
    texts = [str(s.get("text") or "") for s in said]
    return not any(_NAMES_TROUBLE.search(t) or _SAYS_FIXED.search(t) for t in texts)


def open_notice(incident: dict[str, Any] | None, statement: dict[str, Any] | None) -> bool:
    """An incident opened by a statement that names no problem: a status page's or feed's statement in English, no
    symptom tag, no words of trouble or of a fix in it or in the title, and the page rated the impact "none" (or
    did not rate it) — a notice, not an outage (Fastly mjtrykb6rg3g, 16 March 2020, impact none, labelled
    Monitoring: "A COVID-19 Business Continuity Update From Fastly <link> Questions can be directed to
    support@fastly.com"). Its first message tells a notice, not "problem acknowledged"."""
    if not statement or statement.get("source_kind") in HANDLE_KINDS or statement.get("language") != "en":
        return False
    if (statement.get("impact") or (incident or {}).get("impact") or "none") != "none" or statement.get("symptoms"):
        return False
    texts = [str(statement.get("text") or ""), str((incident or {}).get("title") or "")]
    return not any(_NAMES_TROUBLE.search(t) or _SAYS_FIXED.search(t) or _BEING_FIXED.search(t) for t in texts)


# words of a problem being reported or worked on, beyond _NAMES_TROUBLE (which leaves a bare "errors" out: DatoCMS's
# Rollbar notice speaks of "stacktraces of errors collected"): GitHub 1q6t7dl05p50, impact none, "We have received
# reports of errors on Pull Requests and are working on a fix."
_BEING_FIXED = re.compile(
    r"\b(?:reports?\s+of|working\s+on\s+(?:a\s+)?(?:fix|resolution|mitigation)|errors?\s+(?:on|in|with|when|for)\s)",
    re.IGNORECASE)


def said_over(statement: dict[str, Any] | None) -> dict[str, datetime | None] | None:
    """When a statement's own words place the trouble wholly before it was made — a stated end not after the
    statement and words saying it is back ("was not accessible between 8:47am - 9:28am PST … the website is now
    accessible") — the span it states ({"start", "end"}, UTC); else None. Such a statement is told in the past."""
    from facts.stated_times import stated_back

    at = moment((statement or {}).get("created_at"))
    span = stated_back((statement or {}).get("text") or "", at) if at is not None else None
    return {"start": span.start, "end": span.end} if span else None


_REVERTED = re.compile(r"\b(?:revert(?:ed|ing)?|roll(?:ed|ing)?\s+back|rolled-back|rollback|backed\s+out|undone)\b",
                       re.IGNORECASE)
_RESCHEDULED = re.compile(r"\b(?:reschedul\w*|postpon\w*|cancel(?:l?ed|ling)?|called off|at a later date|"
                          r"(?:to|for) a (?:future|later) date)\b", re.IGNORECASE)
_TROUBLE = re.compile(r"\b(?:investigat\w*|issue|problem|fail\w*|impacted|degrad\w*|outage)\b", re.IGNORECASE)
ONGOING_KINDS = ("acknowledged", "update", "recovering")


_FIX_WORDS = re.compile(
    r"\b(?:fix\w*|mitigat\w*|deploy\w*|implement\w*|appl(?:ied|ying)|resolv\w*|restor\w*|recover\w*|rolled?\s+back"
    r"|roll(?:ing)?\s*back|revert\w*|address(?:ed|ing)|correct(?:ed|ion)|patch\w*|workaround|remed\w*|repair\w*"
    r"|improv\w*|back\s+(?:online|up|to\s+normal)|operational|normal|stabili[sz]\w*|caught\s+up|fail(?:ed)?\s*over|reboot\w*"
    r"|restart\w*|chang(?:e|es|ed)\s+(?:has|have|was|were)\s+been|made\s+(?:a\s+)?changes?)\b",
    re.IGNORECASE,
)


_FORECAST_CLAUSE = re.compile(
    r"\b(?:as soon as|once|until|when|if|after)\b[^.!?]*|\bwill\s+(?:post|provide|share|send|update)\b[^.!?]*",
    re.IGNORECASE)


def monitoring_without_fix(statement: dict[str, Any] | None) -> bool:
    """A monitoring statement whose words name no fix, no recovery and no change — the company only watches
    (DigitalOcean, S3/RDS access 22 Oct 2019: "the cause … is outside of our network. We have reached out to the
    relevant third parties … and will continue to monitor the situation closely"): told as monitoring, not as "a
    fix has been applied"."""
    text = (statement or {}).get("text") or ""
    said = _FORECAST_CLAUSE.sub(" ", text)  # "… as soon as the issue is fully resolved" names no fix made
    return bool(text.strip()) and not _FIX_WORDS.search(said)


_RECOVERY_BEGUN = re.compile(
    r"\b(?:(?:started|starting|begun|beginning|began)\s+(?:to\s+)?(?:see(?:ing)?\s+)?(?:signs?\s+of\s+)?recover\w*"
    r"|seeing\s+(?:some\s+|signs?\s+of\s+|initial\s+|early\s+|a\s+|partial\s+)?(?:recovery|improvements?)"
    r"|(?:partially|partly)\s+(?:restored|recovered|back)|partial\s+(?:recovery|restoration)"
    r"|(?:continues?|continuing)\s+to\s+recover|(?:gradually|slowly)\s+(?:recovering|restoring|coming\s+back)"
    r"|(?:is|are)\s+(?:now\s+)?recovering|recovery\s+is\s+(?:under\s*way|in\s+progress))\b",
    re.IGNORECASE)
_NEGATED = re.compile(r"\b(?:not|no|yet\s+to)\s+(?:\w+\s+){0,2}$|n't\s+(?:\w+\s+){0,2}$", re.IGNORECASE)


def recovery_begun(statement: dict[str, Any] | None) -> bool:
    """An update whose words say service has started to come back, not yet fully (Google Cloud australia-southeast2,
    24 August 2021: "We have started seeing recovery with our services"; Sauce Labs, 30 August 2020: "Real Device
    availability continues to recover with over 90% of devices now available"): told as partly restored, recovery
    under way, not as "still working on it". Not when negated ("not yet seeing recovery") or only forecast ("an
    update once we see recovery")."""
    said = _FORECAST_CLAUSE.sub(" ", (statement or {}).get("text") or "")
    return any(not _NEGATED.search(said[max(0, m.start() - 40):m.start()]) for m in _RECOVERY_BEGUN.finditer(said))


_UNPLANNED = re.compile(r"\b(?:unplanned|unscheduled|emergency|urgent)\b", re.IGNORECASE)


def unplanned_maintenance(incident: dict[str, Any] | None, statement: dict[str, Any] | None) -> bool:
    """A maintenance the company itself calls unplanned or emergency work (Symantec WSS "Unplanned Reporting
    Infrastructure Maintenance", Sauce Labs "emergency … maintenance"): told as such, not as work announced ahead."""
    if (incident or {}).get("kind") != "maintenance":
        return False
    said = " ".join(str(x.get(key) or "") for x in (incident or {}, statement or {}) for key in ("title", "text"))
    return bool(_UNPLANNED.search(said))


def maintenance_verifying(incident: dict[str, Any] | None, statement: dict[str, Any] | None) -> bool:
    """A maintenance statement labelled Verifying: by Statuspage's definition the work is done and is being checked
    (DatoCMS, 14 October 2025: "Maintenance completed. We are monitoring the system."). The stage stays
    ``in_progress`` (the maintenance is not closed), but it is not told as work started or still under way."""
    return (incident or {}).get("kind") == "maintenance" and (statement or {}).get("status") == "verifying"


def maintenance_text_says(incident: dict[str, Any] | None, statement: dict[str, Any] | None) -> dict[str, bool]:
    """A maintenance marked completed whose own words say otherwise (DigitalOcean's LON1 "Completed": "a hardware
    issue … has impacted this maintenance … reverted the maintenance changes … will reschedule"): which of
    ``reverted``, ``rescheduled``, ``trouble`` the words say, and ``ongoing`` when the incident recorded that the
    text reads as work still going on. All false when they agree (or the statement is not a completion)."""
    none = {"reverted": False, "rescheduled": False, "trouble": False, "ongoing": False}
    if not statement or (incident or {}).get("kind") != "maintenance":
        return none
    text = statement.get("text") or ""
    said = (incident or {}).get("disagreement") or ""
    ongoing = bool(re.match(r"status completed; text reads (acknowledged|update|recovering)", said))
    found = {"reverted": bool(_REVERTED.search(text)), "rescheduled": bool(_RESCHEDULED.search(text)),
             "trouble": bool(_TROUBLE.search(text)), "ongoing": ongoing}
    if not (found["reverted"] or found["rescheduled"] or ongoing):
        return none
    return found


# the company's own word that the work will not touch the service: Zoom fqh2pg4ds913 "Announcing Updated IP Address
# Ranges (No Operational Impact)", ClickFunnels h74l75562pmy "we expect it to have no effect on the performance of the
# App, Funnel Pages, or the overall experience of our users"
_NO_EFFECT = re.compile(
    r"\bno\s+(?:operational\s+|service\s+|customer\s+|user\s+|expected\s+)?(?:impact|downtime|interruption|disruption)\b"
    r"|\bexpect(?:s|ed)?\s+(?:it\s+|this\s+)?to\s+have\s+no\s+(?:effect|impact)\b"
    r"|\bnot\s+expected\s+to\s+(?:have|cause)\s+any\s+(?:impact|effect|downtime|interruption|disruption)\b",
    re.IGNORECASE,
)


def maintenance_without_effect(incident: dict[str, Any] | None, *statements: dict[str, Any] | None) -> bool:
    """A maintenance whose title or ``statements`` (its first one, the one told) say it will not affect the service:
    its "started" message does not add that the service may be affected while it lasts."""
    if (incident or {}).get("kind") != "maintenance":
        return False
    texts = [str((incident or {}).get("title") or "")] + [str((s or {}).get("text") or "") for s in statements]
    return any(_NO_EFFECT.search(text) for text in texts)


_NAMED_AFTER = re.compile(
    r"\b(?i:issues?|problems?|errors?|outages?|degradation|disruption|latency|trouble|delays?)\s+(?i:with|for|on|"
    r"affecting|impacting)\s+(?i:our\s+|the\s+)?"
    r"(?P<name>[A-Z][\w.+-]*(?:\s+[A-Z][\w.+-]*){0,2}(?:\s+and\s+[A-Z][\w.+-]*(?:\s+[A-Z][\w.+-]*){0,2})?)"
)
_NOT_A_NAME = {"the", "our", "some", "all", "this", "a", "an", "we", "us", "customers", "users", "region", "regions"}


def products_named(texts: list[str], known: set[str] | None = None) -> list[str]:
    """Products a title or statement names that the glossary does not know ("Issues with NYC3 Spaces." →
    "Spaces"): capitalised words right after "issue(s) with / in / affecting", region codes and the service's own
    names (``known``, lower-cased) left out; "Image and Moderation APIs" stays one name. Not after "in" (a place:
    "Errors in Bogota"). Only asked when nothing else names what broke."""
    from facts.where import regions as region_codes

    known = known or set()
    for text in texts:
        for match in _NAMED_AFTER.finditer(text or ""):
            words = [w.rstrip(".,;:") for w in match.group("name").split()]
            words = [w for w in words if w and not region_codes([], w) and w.lower() not in _NOT_A_NAME]
            name = " ".join(words)
            if name and name.lower() not in known and len(name) > 2:
                return [name]
    return []
