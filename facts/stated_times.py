"""The times a company states in its own words: when an incident began and ended by its own account.

Owns reading clock times, ranges, dates and zones out of one statement (`stated_span`), out of GitHub's
imported 2010-2018 timelines (`timeline_span`), and folding the spans of an incident's statements into
one (`merge_spans`). Pure functions: no I/O, no database, no clock; every result is UTC.

Rules (what a reader of the result can rely on):
- Only the first 20,000 characters are read; anything else (empty, binary, other scripts) gives an empty span.
- A clock is "3:30 PM", "15:30", "8:47am", "2pm", "8:58:47", "5.28pm", "2:15p" (a lone a/p only right after
  "h:mm", not after a space or on an hour alone); a bare "4:00" with no am/pm in a text
  that never uses a 24-hour clock is read as whichever of 4:00/16:00 fits the statement's time best.
- Zones: UTC/GMT/Z, PDT/PST/PT/Pacific (Time)/US/Pacific, EDT/EST/ET/Eastern, CDT/CST/CT/Central, IST
  (+05:30), CET/CEST, JST, KST. PST/PDT, EST/EDT, CET/CEST name the region's local clock: the offset
  comes from the date (status pages write "PST" in summer), not from the letters. A zone stated once for
  a range applies to both ends; else the text's "All times US/Pacific" line, else the nearest zone
  stated earlier in the same text, else ``zone_hint``; else the time is not used (``rejected`` says so).
- Dates: "2022-01-05", "Jan 5, 2022", "January 5", "5 January", "the 29th of September"; a date written
  right before or after the clock belongs to it, else the nearest date earlier in the text (≤ 300 chars).
  A date without a year takes the year that puts it nearest before the statement (Dec→Jan included).
- A clock without a date is put on the day that puts it nearest before the statement (an end may lie at
  most 3 hours after it); a range's start is the latest such time not after its end (so "11:50 PM to
  1:10 AM" ends the next day).
- Contradictions: a time without a date more than 1 day from the statement, a dated time more than 60
  days from it, or a start or end more than 24 h after it, is not used; an end before the start drops both.
  ``rejected`` says why (empty when nothing found was dropped).
- Forecasts ("expected to be resolved by", "we will provide an update by") are not stated times.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

MAX_CHARS = 20_000
UTC = timezone.utc
_PACIFIC = ZoneInfo("America/Los_Angeles")
_EASTERN = ZoneInfo("America/New_York")
_CENTRAL = ZoneInfo("America/Chicago")
_CET = ZoneInfo("Europe/Berlin")
_FIXED = {"IST": timezone(timedelta(hours=5, minutes=30)), "JST": timezone(timedelta(hours=9)),
          "KST": timezone(timedelta(hours=9))}
ZONES: dict[str, tzinfo] = {
    "UTC": UTC, "GMT": UTC, "Z": UTC, "COORDINATED UNIVERSAL TIME": UTC,
    "PT": _PACIFIC, "PDT": _PACIFIC, "PST": _PACIFIC, "PACIFIC": _PACIFIC, "PACIFIC TIME": _PACIFIC,
    "US/PACIFIC": _PACIFIC, "ET": _EASTERN, "EDT": _EASTERN, "EST": _EASTERN, "EASTERN": _EASTERN,
    "EASTERN TIME": _EASTERN, "CT": _CENTRAL, "CDT": _CENTRAL, "CST": _CENTRAL, "CENTRAL": _CENTRAL,
    "CENTRAL TIME": _CENTRAL, "CET": _CET, "CEST": _CET, **_FIXED,
}
MONTHS = {name: i + 1 for i, names in enumerate([
    "jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july", "aug august",
    "sep sept september", "oct october", "nov november", "dec december"]) for name in names.split()}

END_SLACK = timedelta(hours=3)  # an end may be stated a little after the statement's own time
START_SLACK = timedelta(minutes=15)
UNDATED_LIMIT = timedelta(days=1)
DATED_LIMIT = timedelta(days=60)
FUTURE_LIMIT = timedelta(hours=24)
CONTEXT_DATE_CHARS = 300

_CLOCK = re.compile(
    r"(?<![\w:.,/$])(?P<h>\d{1,2})(?:(?P<sep>[:.])(?P<m>\d{2})(?::(?P<s>\d{2}))?)?"
    r"(?:\s?(?P<ap>[aApP])\.?[mM]\.?(?![A-Za-z])|(?P<ap1>[aApP])(?![\w:]))?(?![\d:])"
)  # "2:15p GMT" (OpenAI, 4 June 2024): a lone a/p right at a minutes clock, never after a space ("at 2:15 a fix")
_ZONE = re.compile(
    r"(?:Z\b|\s{0,3}\(?\s?(?P<z>US/Pacific|(?i:pacific|eastern|central)(?:\s+(?i:time))?|Coordinated Universal Time"
    r"|(?i:utc|gmt)|PDT|PST|PT|EDT|EST|ET|CDT|CST|CT|CEST|CET|IST|JST|KST)\b\)?)"
)
_MON = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
        r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_DATE = re.compile(
    r"(?<![\d/-])(?P<y1>(?:19|20)\d\d)[-/](?P<m1>\d{1,2})[-/](?P<d1>\d{1,2})(?![\d/])"
    rf"|\b(?P<m2>{_MON})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:])(?:\s?,?\s?(?P<y2>(?:19|20)\d\d)(?![\d:]))?"
    rf"|(?<![\d:.])(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m3>{_MON})(?![a-z])\.?"
    r"(?:\s?,?\s?(?P<y3>(?:19|20)\d\d)(?![\d:]))?"
)
_DIGIT = re.compile(r"\d")  # as _CLOCK and _DATE match a digit (Unicode digits too)
_DATE_BEFORE_GAP = re.compile(r"[\s,]*(?:(?:-|@|at)[\s,]*)?")
_DATE_AFTER_GAP = re.compile(
    r"[\s,(]*(?:on\s+)?(?:the\s+)?(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?(?:the\s+)?", re.IGNORECASE
)
_RANGE_GAP = re.compile(  # "between 08:56 UTC, and 09:14 UTC": a comma before the word too
    r"\s*,?\s*(?:(?:yesterday|today|tonight)\s*)?(?:-|~|to|and|until|till|through(?: to)?|thru)\s*"
    r"(?:(?:approximately|about|around|roughly|~)\s*)?", re.IGNORECASE
)
_RANGE_WORD_GAP = re.compile(r"\s*(?:(?:yesterday|today|tonight)\s*)?-\s*", re.IGNORECASE)
_RANGE_TO_GAP = re.compile(
    r"\s*(?:(?:yesterday|today|tonight)\s*)?(?:to|until|till|through(?: to)?|thru)\s+"
    r"(?:(?:approximately|about|around|roughly|~)\s*)?", re.IGNORECASE
)
_RANGE_OPEN = re.compile(r"\b(?:from|between)\s*(?:(?:approximately|about|around|roughly|~)\s*)?$")
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_FILLER = rf"(?:[\s:*,~]+(?:at|around|approximately|about|roughly|from|on|in|was|of|is|{_WEEKDAY}))*[\s:*,~]*$"
_START_CUE = re.compile(
    r"(?:\bbeginning|\bbegan|\bbegun|\bstarting|\bstarted|\bsince|\bstart(?:\s*time)?|\bimpact start time"
    r"|\bincident start|\bfrom)" + _FILLER
)
# "The queue of webhooks went back to normal at 13:30 UTC" (DatoCMS, 2 October 2024): an end as much as "resolved at"
_RESOLVED_WORD = r"(?:resolved|mitigated|recovered|restored|fixed|ended|subsided|back to normal|returned to normal)"
_END_CUE = re.compile(
    rf"(?:\b{_RESOLVED_WORD}\b[^.;!?\n]{{0,60}}?\b(?:as of|by|at|around|on)|\buntil|\btill|\bend(?:ed)?\s*time"
    rf"|\b(?:was|were|has been|have been|had been)\s+(?:fully\s+)?{_RESOLVED_WORD}(?=\s*$)"  # "was resolved June 4th at …"
    r"(?:\s+was)?|\bincident end|\bend\s*:)" + _FILLER
)
_AS_OF = re.compile(rf"\bas of[\s~]*(?:approximately|about|around|roughly)?\s*(?:{_WEEKDAY}[\s,]*)?$")
_AT_BY = re.compile(r"(?:^|\b(?:at|by))[\s,]*$")
_ON_OPENING = re.compile(r"(?:^|[.!?\n]\s*)(?:on|at)[\s,]*$", re.IGNORECASE)  # "On November 06, 2019, 07:53 UTC customers …"
_RESOLVED_AFTER = re.compile(
    rf"\b(?:was|were|has been|have been|had been|is|are)\s+(?:now\s+)?(?:fully\s+)?{_RESOLVED_WORD}\b"
    r"|\bhad (?:fully )?recovered\b|\bfully recovered\b"
    r"|\b(?:has|have)\s+(?:now\s+)?(?:fully\s+)?(?:resolved|subsided)\b"  # "the elevated errors … have resolved"
    # AWS EC2 us-east-1, 1 April 2022: "by 12:50 AM PDT, ENI attachment times had returned to normal levels"
    r"|\b(?:had|have|has)\s+(?:fully\s+)?returned\s+to\s+normal\b"
    # DatoCMS, 18 November 2025: "As of 14:42 UTC (15:42 CEST/06:42 PST), Cloudflare believes the issue to be resolved"
    rf"|\b(?:believes?|believed|considers?|considered|confirm(?:s|ed)?)\s+(?:\w+\s+){{0,3}}to\s+be\s+(?:fully\s+)?"
    rf"{_RESOLVED_WORD}\b"
)
_FIX_FIRST = re.compile(  # "As of 4:21p pacific we finished deploying the fix and the elevated errors … have now resolved"
    r"^(?:(?!issue|problem|experienc|error|outage|degrad|unavailable|fail|latenc|disrupt).)*?"
    r"(?:resol|\bfix|mitigat|recover|restor|roll(?:ing|ed)?\s+back)"
)
_PROBLEM = re.compile(r"issue|problem|report|experienc|error|outage|degrad|unavailable|fail|latenc|disrupt")
# "we will provide an update by …", not "our CDN provider noted … between Aug 24, 2020 - 23:10 UTC and …" (DatoCMS,
# 25 August 2020: the range was skipped as a forecast)
_FORECAST = re.compile(r"\b(?:expect|will|eta|estimat|anticipat|should|plan|next update|provid(?:e|ing)\b)")
_RESTATED = re.compile(r"\s*[/(]\s*\d")  # the same range again in another zone
_SENTENCE_END = re.compile(r"[!?\n|]|\.\s")
_ALL_TIMES = re.compile(r"(?i:all times?(?: are)?(?: in)?)\s+(?P<z>[A-Za-z/ ]{1,26}?)\s*(?:\)|\.|$|\n)", re.M)


@dataclass(frozen=True)
class StatedSpan:
    """A span as the company states it: UTC start/end (None = not stated or not used), the exact evidence,
    and why a time that was found was not used ("" when none was dropped)."""

    start: datetime | None = None
    end: datetime | None = None
    start_text: str = ""
    end_text: str = ""
    rejected: str = ""


@dataclass
class _Tok:
    """One clock mention with what belongs to it (its date, its zone) and where it sits in the text."""

    start: int
    end: int
    full_start: int
    full_end: int
    hour: int
    minute: int
    second: int
    ap: str
    lead_zero: bool
    zone: str = ""
    day: tuple[int | None, int, int] | None = None  # (year or None, month, day)
    attached: bool = False  # the date is written right at the clock (not borrowed from earlier text)
    loose: bool = False  # the date was borrowed from an earlier sentence (dropped if it does not fit)
    text: str = ""


# ---------------------------------------------------------------- scanning


def _clean(text: object) -> str:
    if not isinstance(text, str):
        return ""
    text = text[:MAX_CHARS].replace("\u00a0", " ").replace("\u2013", "-").replace("\u2014", "-")
    text = text.replace("\u2212", "-").replace("\u202f", " ")
    text = _ISO_OFFSET.sub(_iso_in_utc, text)
    return re.sub(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d)", r"\1 \2", text)


# an ISO time with its offset ("2021-11-23T21:30:00+00:00", DatoCMS 24 November 2021; "…T08:15Z"): read as the UTC
# time it names, written as "2021-11-23 21:30:00 UTC"
_ISO_OFFSET = re.compile(r"\b(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?)(?:\.\d{1,6})?(Z|[+-]\d\d:?\d\d)(?![\w:])")


def _iso_in_utc(match: re.Match[str]) -> str:
    offset = "+00:00" if match[2] == "Z" else match[2]
    try:
        moment = datetime.fromisoformat(match[1] + offset).astimezone(UTC)
    except ValueError:
        return match[0]
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _date_of(match: re.Match[str]) -> tuple[int | None, int, int] | None:
    if match["y1"]:
        year, month, day = int(match["y1"]), int(match["m1"]), int(match["d1"])
    else:
        name = (match["m2"] or match["m3"] or "").lower().rstrip(".")
        month = MONTHS.get(name, MONTHS.get(name[:3], 0))
        day = int(match["d2"] or match["d3"])
        year_text = match["y2"] or match["y3"]
        year = int(year_text) if year_text else None
    try:
        date(year or 2000, month, day)
    except ValueError:
        return None
    return (year, month, day)


def _clock(match: re.Match[str]) -> _Tok | None:
    hour, minute = int(match["h"]), int(match["m"] or 0)
    ap = (match["ap"] or match["ap1"] or "").lower()
    if not (match["sep"] == ":" and match["m"]) and (not ap or match["ap1"]):
        return None  # "2p" or "5a" alone (a list item, a version) is not read as a time
    if ap == "p" and 12 < hour <= 23 and match["sep"] == ":":
        ap = ""  # "22:54 pm": a 24-hour clock with a redundant pm is still 22:54
    if hour > 23 or minute > 59 or (ap and hour > 12):
        return None
    return _Tok(match.start(), match.end(), match.start(), match.end(), hour, minute, int(match["s"] or 0), ap,
                len(match["h"]) == 2 and match["h"][0] == "0")


def _zone_key(raw: str) -> str:
    key = " ".join(raw.upper().split())
    return key if key in ZONES else ""


def _scan(text: str) -> list[_Tok]:
    if _DIGIT.search(text) is None:
        return []  # every clock time (and every date) has a digit: no need to run the patterns
    dates = [(m.start(), m.end(), d) for m in _DATE.finditer(text) if (d := _date_of(m))]
    toks: list[_Tok] = []
    for match in _CLOCK.finditer(text):
        tok = _clock(match)
        if tok is None or any(s <= tok.start < e for s, e, _ in dates):
            continue
        zone = _ZONE.match(text, tok.end)
        if zone:
            tok.zone = "Z" if zone.group(0) == "Z" else _zone_key(zone["z"] or "")
            tok.full_end = zone.end()
        _attach_date(text, tok, dates)
        tok.text = text[tok.full_start:tok.full_end].strip()
        toks.append(tok)
    return toks


def _attach_date(text: str, tok: _Tok, dates: list[tuple[int, int, tuple[int | None, int, int]]]) -> None:
    before = [d for d in dates if d[1] <= tok.start]
    if before and _DATE_BEFORE_GAP.fullmatch(text, before[-1][1], tok.start):
        tok.full_start, tok.day, tok.attached = before[-1][0], before[-1][2], True
        return
    after = [d for d in dates if d[0] >= tok.full_end]
    if after and after[0][0] - tok.full_end <= 30 and _DATE_AFTER_GAP.fullmatch(text, tok.full_end, after[0][0]):
        tok.full_end, tok.day, tok.attached = after[0][1], after[0][2], True
        return
    if before and tok.start - before[-1][1] <= CONTEXT_DATE_CHARS:
        tok.day = before[-1][2]
        tok.loose = _SENTENCE_END.search(text, before[-1][1], tok.start) is not None


# ---------------------------------------------------------------- placing a clock in time


def _hours(tok: _Tok, ambiguous: bool) -> list[int]:
    if tok.ap:
        return [tok.hour % 12 + (12 if tok.ap == "p" else 0)]
    if ambiguous and 1 <= tok.hour <= 12:
        return [tok.hour % 12, tok.hour % 12 + 12]
    return [tok.hour]


def _candidates(tok: _Tok, anchor: datetime, ambiguous: bool) -> list[datetime]:
    zone = ZONES[tok.zone]
    local = anchor.astimezone(zone).date()
    if tok.day is None:
        days = [local + timedelta(days=n) for n in (-1, 0, 1)]
    else:
        year, month, day = tok.day
        years = [year] if year else [local.year - 1, local.year, local.year + 1]
        days = []
        for y in years:
            try:
                days.append(date(y, month, day))
            except ValueError:
                continue
    out = []
    for d in days:
        for hour in _hours(tok, ambiguous):
            naive = datetime(d.year, d.month, d.day, hour, tok.minute, tok.second)
            out.append(naive.replace(tzinfo=zone).astimezone(UTC))
    return sorted(out)


def _nearest(cands: list[datetime], target: datetime, latest: datetime) -> datetime | None:
    ok = [c for c in cands if c <= latest]
    return min(ok, key=lambda c: abs(c - target)) if ok else None


# ---------------------------------------------------------------- roles: range, start, end


@dataclass
class _Found:
    starts: list[tuple[datetime, str]]
    ends: list[tuple[datetime, str]]
    rejected: list[str]


def _prefix(text: str, tok: _Tok) -> str:
    window = text[max(0, tok.full_start - 90):tok.full_start]
    cut = list(_SENTENCE_END.finditer(window))
    return (window[cut[-1].end():] if cut else window).lower()


def _suffix(text: str, tok: _Tok) -> str:
    window = text[tok.full_end:tok.full_end + 90]
    cut = _SENTENCE_END.search(window)
    return (window[:cut.start()] if cut else window).lower()


def _is_range(text: str, a: _Tok, b: _Tok) -> bool:
    if b.full_start - a.full_end > 40 or b.full_start < a.full_end:
        return False
    if _RANGE_WORD_GAP.fullmatch(text, a.full_end, b.full_start):
        return True
    if _RANGE_TO_GAP.fullmatch(text, a.full_end, b.full_start):
        return True
    return bool(_RANGE_GAP.fullmatch(text, a.full_end, b.full_start) and _RANGE_OPEN.search(_prefix(text, a)))


def _share_meridiem(a: _Tok, b: _Tok) -> None:
    """"5:48 - 6:26pm": the start takes the end's am/pm (or the other one when that would cross midnight)."""
    for bare, said in ((a, b), (b, a)):
        if bare.ap or not said.ap or bare.hour > 12 or bare.lead_zero:
            continue
        bare.ap = said.ap
        first, second = (bare, said) if bare is a else (said, bare)
        minutes = [(t.hour % 12 + (12 if t.ap == "p" else 0)) * 60 + t.minute for t in (first, second)]
        if minutes[0] > minutes[1]:
            bare.ap = "a" if bare.ap == "p" else "p"


def _zone_for(tok: _Tok, doc_zone: str, hint: str, toks: list[_Tok]) -> str:
    if tok.zone:
        return tok.zone
    if doc_zone:
        return doc_zone
    earlier = [t.zone for t in toks if t.zone and t.start < tok.start]
    if earlier:
        return earlier[-1]
    later = {t.zone for t in toks if t.zone}
    if len(later) == 1:  # the text names one zone, after this time: "starting at 9:49 AM … by 9:59 AM PST"
        return later.pop()
    return _zone_key(hint)


def _check(when: datetime, posted: datetime, dated: bool, role: str, evidence: str) -> str:
    limit = DATED_LIMIT if dated else UNDATED_LIMIT
    if abs(when - posted) > limit:
        days = abs(when - posted).total_seconds() / 86400
        return f"{role} {evidence!r} is {days:.1f} days from the statement (limit {limit.days} d)"
    if when - posted > FUTURE_LIMIT:
        return f"{role} {evidence!r} is more than 24 h after the statement"
    return ""


def _place_range(a: _Tok, b: _Tok, posted: datetime, amb: tuple[bool, bool]) -> tuple[datetime, datetime] | None:
    if a.attached and a.day and not (b.day and b.attached):
        start = _nearest(_candidates(a, posted, amb[0]), posted, posted + FUTURE_LIMIT)
        if start is None:
            return None
        later = [c for c in _candidates(b, start, amb[1]) if c >= start]
        return (start, later[0]) if later else None
    end = _nearest(_candidates(b, posted, amb[1]), posted, posted + END_SLACK)
    if end is None:
        return None
    earlier = [c for c in _candidates(a, end, amb[0]) if c <= end]
    return (earlier[-1], end) if earlier else None


def _ambiguous(tok: _Tok, uses_24h: bool) -> bool:
    return not (tok.ap or uses_24h or tok.lead_zero or tok.zone in ("UTC", "GMT", "Z") or tok.hour > 12)


def _read(text: str, posted: datetime, hint: str) -> _Found:
    found = _Found([], [], [])
    toks = _scan(text)
    if not toks:
        return found
    uses_24h = any(t.hour > 12 or t.lead_zero for t in toks if not t.ap)
    all_times = _ALL_TIMES.search(text)
    doc_zone = _zone_key(all_times["z"]) if all_times else ""
    i, restated = 0, False
    while i < len(toks):
        tok = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        prefix = _prefix(text, tok)
        forecast = bool(_FORECAST.search(prefix))
        if nxt is not None and _is_range(text, tok, nxt):
            if not forecast and not restated:
                _read_range(tok, nxt, posted, hint, toks, doc_zone, uses_24h, found)
            restated = _RESTATED.match(text, nxt.full_end) is not None
            i += 2
            continue
        restated = False
        i += 1
        if forecast:
            continue
        role = _role(text, tok, prefix)
        if role:
            _read_single(tok, role, posted, hint, toks, doc_zone, uses_24h, found)
    return found


def _role(text: str, tok: _Tok, prefix: str) -> str:
    suffix = _suffix(text, tok)
    if _END_CUE.search(prefix):
        return "end"
    if _AS_OF.search(prefix) and (re.search(_RESOLVED_WORD, prefix) or _RESOLVED_AFTER.search(suffix)):
        return "end"
    if _AT_BY.search(prefix) and _RESOLVED_AFTER.search(suffix):
        return "end"
    if _START_CUE.search(prefix):
        return "start"
    if _AS_OF.search(prefix) and _PROBLEM.search(prefix + " " + suffix) and not _FIX_FIRST.search(suffix):
        return "start"  # "As of 3:14p pacific we're experiencing a high error rate"; not a fix stated as of a time
    if tok.day is not None and _ON_OPENING.search(prefix) and _PROBLEM.search(suffix):
        return "start"  # a dated time opening a sentence about the problem: when it began
    return ""


def _read_range(a: _Tok, b: _Tok, posted: datetime, hint: str, toks: list[_Tok], doc_zone: str,
                uses_24h: bool, found: _Found) -> None:
    _share_meridiem(a, b)
    za = a.zone or b.zone or _zone_for(a, doc_zone, hint, toks)
    zb = b.zone or a.zone or _zone_for(b, doc_zone, hint, toks)
    if not za or not zb:
        found.rejected.append(f"no time zone stated for {a.text!r} - {b.text!r}")
        return
    a, b = replace(a, zone=za), replace(b, zone=zb)
    amb = (_ambiguous(a, uses_24h), _ambiguous(b, uses_24h))
    placed = _place_range(a, b, posted, amb)
    dated = a.day is not None or b.day is not None
    borrowed = dated and (a.loose or b.loose) and not (a.attached or b.attached)
    if borrowed and (placed is None or _check(placed[1], posted, True, "end", b.text)):
        a, b, dated = replace(a, day=None), replace(b, day=None), False  # the earlier date was about something else
        placed = _place_range(a, b, posted, amb)
    if placed is None:
        found.rejected.append(f"could not place {a.text!r} - {b.text!r}")
        return
    why = _check(placed[1], posted, dated, "end", b.text)
    if not why and dated:
        why = _check(placed[0], posted, dated, "start", a.text)
    if why:
        found.rejected.append(why)
        return
    found.starts.append((placed[0], a.text))
    found.ends.append((placed[1], b.text))


def _read_single(tok: _Tok, role: str, posted: datetime, hint: str, toks: list[_Tok], doc_zone: str,
                 uses_24h: bool, found: _Found) -> None:
    zone = _zone_for(tok, doc_zone, hint, toks)
    if not zone:
        found.rejected.append(f"no time zone stated for {role} {tok.text!r}")
        return
    tok = replace(tok, zone=zone)
    latest = posted + (END_SLACK if role == "end" else START_SLACK)
    if tok.day is not None:
        latest = posted + FUTURE_LIMIT
    when = _nearest(_candidates(tok, posted, _ambiguous(tok, uses_24h)), posted, latest)
    if tok.loose and (when is None or _check(when, posted, True, role, tok.text)):
        tok = replace(tok, day=None)  # the earlier date was about something else
        latest = posted + (END_SLACK if role == "end" else START_SLACK)
        when = _nearest(_candidates(tok, posted, _ambiguous(tok, uses_24h)), posted, latest)
    if when is None:
        limit = "more than 24 h" if tok.day is not None else "more than 3 h" if role == "end" else ""
        found.rejected.append(f"{role} {tok.text!r} is {limit} after the statement".replace("is  after", "is after"))
        return
    why = _check(when, posted, tok.day is not None, role, tok.text)
    if why:
        found.rejected.append(why)
    else:
        (found.starts if role == "start" else found.ends).append((when, tok.text))


def _as_utc(posted: datetime) -> datetime:
    return posted.replace(tzinfo=UTC) if posted.tzinfo is None else posted.astimezone(UTC)


def stated_span(text: str, posted_at: datetime, *, zone_hint: str = "") -> StatedSpan:
    """The start and end the text states, placed relative to ``posted_at`` (when the statement was made).

    ``zone_hint`` (e.g. "UTC", "US/Pacific") is used for clock times when the text names no zone anywhere.
    Never raises on odd text; see the module docstring for the rules."""
    try:
        posted = _as_utc(posted_at)
        found = _read(_clean(text), posted, zone_hint)
    except (ValueError, OverflowError, TypeError, AttributeError):
        return StatedSpan(rejected="unreadable statement")
    start = min(found.starts, default=None)
    end = max(found.ends, default=None)
    rejected = list(dict.fromkeys(found.rejected))
    if start and end and end[0] < start[0]:
        rejected.append(f"end {end[1]!r} is before start {start[1]!r}")
        start = end = None
    return StatedSpan(start[0] if start else None, end[0] if end else None, start[1] if start else "",
                      end[1] if end else "", "; ".join(rejected))


_DATED = re.compile(r"\d{4}-\d{2}|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|\d\s*(?:st|nd|rd|th)\b"
                    r"|\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*day\b|\byesterday\b|\btoday\b", re.IGNORECASE)


def _once(found: list[tuple[datetime, str]]) -> list[tuple[datetime, str]]:
    """Stated times with a later undated repeat of the same clock left out (OpenAI's report on fk0tcbydtybr: "On
    October 19, 2023, from 4:46pm to 9:15pm PT, …" and further on "the issue was only fully mitigated by 9:15pm." —
    one end, though the bare "9:15pm" alone would be read on the report's own day)."""
    kept: list[tuple[datetime, str]] = []
    for moment, words in found:
        if not _DATED.search(words) and any((moment.hour, moment.minute) == (m.hour, m.minute) for m, _ in kept):
            continue
        kept.append((moment, words))
    return kept


def single_span(text: str, posted_at: datetime) -> StatedSpan:
    """``stated_span`` when the text states one start and one end only (one range, or one start and one end;
    Anthropic's report on shhpbrjb160c: "claude.ai was down from 13:33PST - 13:52PST due to a database migration
    issue"); else an empty span. A text of two outages (OpenAI's report of 11 June 2024: "By 4:10 AM PDT, service
    was fully restored. A second phase of the outage began … at 7:14 AM PDT") states several, and their earliest
    start and latest end would make one span of both."""
    try:
        posted = _as_utc(posted_at)
        found = _read(_clean(text), posted, "")
    except (ValueError, OverflowError, TypeError, AttributeError):
        return StatedSpan(rejected="unreadable statement")
    starts, ends = _once(found.starts), _once(found.ends)
    if len(starts) != 1 or len(ends) != 1:
        return StatedSpan(rejected=f"{len(starts)} starts and {len(ends)} ends stated")
    (start, start_text), (end, end_text) = starts[0], ends[0]
    if end < start:
        return StatedSpan(rejected=f"end {end_text!r} is before start {start_text!r}")
    return StatedSpan(start, end, start_text, end_text)


def single_start(text: str, posted_at: datetime) -> datetime | None:
    """The start a text states when it states one start and no end (OpenAI's report on tljwlz08w539, 26 January
    2023: "At 4:53pm Pacific on 2023-01-25 we had a major outage on one of our GPU clusters … Capacity was fully
    stabilized in approximately four hours."), UTC; else None. A text stating several starts, or an end as well,
    is ``single_span``'s to read or to refuse."""
    try:
        found = _read(_clean(text), _as_utc(posted_at), "")
    except (ValueError, OverflowError, TypeError, AttributeError):
        return None
    if len(found.starts) != 1 or found.ends:
        return None
    return found.starts[0][0]


# ---------------------------------------------------------------- GitHub's imported timelines

_TAG_BREAK = re.compile(r"<\s*(?:/?li|br\s*/?|/?p|/?ul)\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]{0,200}>")
_LINE = re.compile(
    r"\s*(?:(?P<date>\d{4}-\d\d-\d\d)[ T])?(?P<h>\d{1,2}):(?P<m>\d\d)(?::(?P<s>\d\d))?(?:\s*UTC)?\s*[-:]\s+(?P<body>.*)"
)
_BACK_STRONG = re.compile(
    r"operating normally|all systems (?:go|normal|operational)|all is well|back to normal|everything(?: is)? back"
    r"|systems reporting at 100%", re.IGNORECASE
)
_BACK = re.compile(
    r"\b(?:resolved|restored|recovered|fixed|mitigated|completed?|back (?:online|up)|(?:is|are|'s) back"
    r"|working (?:again|normally)|available again|(?:now|again) (?:available|accessible)|accessible again"
    r"|back in service|returned to normal|returning to normal|up and running|(?:is|are) (?:now )?(?:available|operational)"
    r"|solved|cleared up|(?:should be|is|are) (?:working|accessible) again|we'?re back|stabilized|caught up"
    r"|operating again|functioning|looks good|should be fine|systems (?:are )?normal|back and running|subsided"
    r"|successful|available now)\b", re.IGNORECASE
)
_NOT_BACK = re.compile(
    r"investigat|continu(?:e|ing) to|\bstill\b|ongoing|partial|will be|scheduled|starting|not yet|recovering"
    r"|stabiliz|\bun(?:available|reachable)\b|\bnot\b", re.IGNORECASE
)


def stated_back(text: str, posted_at: datetime, *, back: bool | None = None) -> StatedSpan | None:
    """The span a statement states when its own words put the trouble wholly before it: words saying the service
    is back and a stated end not after the statement ("As of 08:15 UTC connectivity has been restored"); else
    None. ``back``: ``says_back(text)`` when the caller has it already."""
    if not text:
        return None
    if not (says_back(text) if back is None else back):
        return told_over(text, posted_at)
    span = stated_span(text, posted_at)
    if span.end is None or span.end > _as_utc(posted_at):
        return None
    return span


# a problem told in the past tense ("there was an high increase of latency", "users experienced errors") and words
# of a problem still going on or still worked on
_WAS_TROUBLE = re.compile(
    r"\bthere\s+(?:was|were)\b|\b(?:was|were)\s+(?:\w+\s+)?(?:unavailable|unreachable|down|degraded|slow|slower|delayed"
    r"|impacted|affected|failing|returning|experiencing|seeing)\b|\b(?:experienced|saw|observed|noticed|took)\b",
    re.IGNORECASE,
)
_GOING_ON = re.compile(
    r"\b(?:still|ongoing|currently|continu\w*|investigat\w*|monitor\w*|working|(?:is|are)\s+(?:seeing|experiencing|being))\b",
    re.IGNORECASE,
)


_FIX_MADE = re.compile(r"\b(?:have|has)\s+(?:now\s+)?(?:implemented|deployed|applied|rolled\s+out)\s+(?:a\s+|the\s+)?"
                       r"(?:fix|mitigation)\b", re.IGNORECASE)
_WATCHING = re.compile(r"\b(?:(?:are|is|will\s+be)\s+(?:now\s+)?|(?:will\s+)?continu\w*\s+to\s+)monitor\w*\b[^.!?]*",
                       re.IGNORECASE)


def told_over(text: str, posted_at: datetime) -> StatedSpan | None:
    """The span of a statement that tells, in the past tense and with no word of the problem going on, a trouble
    between a stated start and a stated end not after it ("Between 2021-11-23T21:30:00+00:00 and
    2021-11-23T23:20:00+00:00 there was an high increase of latency in the queue that process build triggers and
    webhooks.", DatoCMS 24 November 2021, labelled Investigating): over when told, as much as words saying the
    service is back. One start and one end only (``single_span``); else None."""
    cleaned = _clean(text)
    if _FIX_MADE.search(cleaned):  # watching a fix made is not the problem going on (OpenAI vy3rjsn7pp5j, 14 March
        cleaned = _WATCHING.sub(" ", cleaned)  # 2024: "Between 3:35AM – 4:50AM PST we observed elevated error rates
        # … We have implemented a fix and are monitoring.")
    if not _WAS_TROUBLE.search(cleaned) or _GOING_ON.search(cleaned):
        return None
    span = single_span(text, posted_at)
    if span.start is None or span.end is None or span.end > _as_utc(posted_at):
        return None
    return span


_DURATION = re.compile(
    r"\b(?:for\s+(?:a\s+(?:period|duration|total)\s+of\s+)?(?:(?:about|approximately|around|roughly|up\s+to|nearly)\s+)?"
    r"|lasted\s+(?:for\s+)?(?:about\s+|approximately\s+|around\s+)?)"
    r"(?P<n>\d{1,3}|an?|one|two|three|four|five|ten|fifteen|twenty|thirty|forty-five)\s+"
    r"(?P<unit>minutes?|mins?|hours?|hrs?)\b(?!\s+(?:ago|from now|later|before|after|of\s+(?:work|maintenance)))",
    re.IGNORECASE,
)
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10, "fifteen": 15,
                 "twenty": 20, "thirty": 30, "forty-five": 45}
MAX_STATED_DURATION = 7 * 24 * 3600


_HEDGED = re.compile(r"\b(?:about|approximately|around|roughly|nearly|up\s+to)\s", re.IGNORECASE)


_TIME_OF_DAY = re.compile(r"(?<![\d.:])\d{1,2}(?::\d{2}(?!\d)|\s?[aApP]\.?[mM]\b)")  # "14:00", "1:00 am", "9 PM"


def names_a_time(*texts: str) -> bool:
    """Whether any of ``texts`` gives a clock time ("14:00", "1:00 am", "9 PM") or a calendar date ("Jan 23", "10
    February 2021"): a maintenance notice without a window in its fields tells the reader to look there only then
    (Zoom fqh2pg4ds913, ClickFunnels h74l75562pmy, 2021: neither title nor words name a time)."""
    return any(_TIME_OF_DAY.search(text or "") or _DATE.search(text or "") for text in texts)


def stated_length(text: str) -> tuple[int, bool] | None:
    """How long the trouble lasted, in seconds, when a statement says so without clock times ("Some apps
    experienced degraded performance … for a period of 30 minutes"), and whether the company hedged it ("for a
    period of about five hours": told as "करीब 5 घंटे" / "about 5 h"): the first such phrase in the first MAX_CHARS
    characters, bounded to a week; None when there is none. "a period" alone, "30 minutes ago", "an update in 30
    minutes" (a forecast) are not durations."""
    cleaned = _clean(text)
    for match in _DURATION.finditer(cleaned):
        if _FORECAST.search(cleaned[max(0, match.start() - 40): match.start()].lower()):
            continue
        raw = match.group("n").lower()
        count = int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw, 0)
        seconds = count * (3600 if match.group("unit").lower().startswith("h") else 60)
        if 0 < seconds <= MAX_STATED_DURATION:
            return seconds, bool(_HEDGED.search(match.group(0)))
    return None


_FIXED_NOW = re.compile(
    r"\b(?:is|are)\s+now\s+fully\s+(?:operational|restored|recovered|functional)\b"
    r"|\b(?:has|have)\s+(?:now\s+)?been\s+fully\s+(?:restored|recovered)\b"
    r"|\b(?:underlying\s+)?(?:issue|incident|problem)\s+(?:is|has been)\s+(?:now\s+)?(?:fully\s+)?(?:resolved|closed)\b"
    r"|\b(?:has|have)\s+(?:now\s+)?(?:fully\s+)?resolved\s+the\s+(?:underlying\s+)?(?:issues?|problems?|incident)\b",
    re.IGNORECASE,
)


_FIXED_LATER = re.compile(r"\b(?:as soon as|once|until|when|after|before|if)\s+(?:\S+\s+){0,3}$", re.IGNORECASE)


def says_fixed_now(text: str, *, back: bool | None = None) -> bool:
    """Whether a statement's words say, as of when it was made, that the trouble is over — fully back and resolved
    ("Denver (DEN3) is now fully operational. We have confirmed the underlying issue is resolved."; Anthropic,
    6 August 2024: "… This lasted from 8:27 PST through to 8:36 PST. Service has now been fully restored.") — whatever
    its status label ("Update", "Investigating"). Both are needed: a place back and the issue resolved, or "now
    fully operational" / "has been fully restored".
    A resolution promised for later ("will post an update as soon as the issue has been fully resolved") or a
    company that still watches ("continues to monitor", "will continue to watch the situation") is not over.
    ``back``: ``says_back(text)`` when the caller has it already."""
    if not text or not (says_back(text) if back is None else back):
        return False
    if re.search(r"\b(?:partial|partially|some customers|most customers|continu(?:e|es|ing) to (?:monitor|watch)"
                 r"|monitoring)\b", text, re.IGNORECASE):
        return False
    return any(not _FIXED_LATER.search(text[max(0, m.start() - 40):m.start()]) for m in _FIXED_NOW.finditer(text))


def says_back(line: str) -> bool:
    """Whether a timeline item says the service is back ("Everything operating normally.", "Pages is back.");
    one sentence saying so is enough ("All repos are back online. We will be investigating root cause")."""
    if _BACK_STRONG.search(line):
        return True
    return any(_BACK.search(part) and not _NOT_BACK.search(part) for part in re.split(r"[.!;]\s+|,\s+(?:but|and)\s+", line))


def _timeline_items(text: str, posted_at: datetime | None) -> list[tuple[datetime, str, str]]:
    plain = html.unescape(_TAG.sub("", _TAG_BREAK.sub("\n", _clean(text).replace("\\r\\n", "\n"))))
    items: list[tuple[datetime, str, str]] = []
    day = _as_utc(posted_at).date() if posted_at else None
    for line in plain.splitlines():
        match = _LINE.fullmatch(line.strip())
        if not match:
            continue
        if match["date"]:
            day = date.fromisoformat(match["date"])
        if day is None:
            continue
        when = datetime(day.year, day.month, day.day, int(match["h"]), int(match["m"]), int(match["s"] or 0),
                        tzinfo=UTC)
        if not match["date"] and items and when < items[-1][0]:
            when += timedelta(days=1)
            day = when.date()
        items.append((when, match["body"].strip(), line.strip()))
    return items


def timeline_span(text: str, *, posted_at: datetime | None = None) -> StatedSpan:
    """Span of a GitHub 2010-2018 imported timeline: one update whose body lists items
    "2018-10-22 23:03:57 - Everything operating normally." (or ``<li><strong>stamp</strong> - …</li>``).

    The stamps are UTC: each incident's ``created_at`` ("2014-07-26T19:39:44.000Z") equals its first stamp.
    start = the first item; end = the last item when it says the service is back, else None (``rejected``
    says why); neither when the first item states how long a trouble already over lasted. Items with a bare
    "15:14 - …" take their date from ``posted_at`` (the incident's created_at), rolling past midnight; without
    ``posted_at`` they are skipped."""
    try:
        items = _timeline_items(text, posted_at)
    except (ValueError, OverflowError, TypeError, AttributeError):
        return StatedSpan(rejected="unreadable timeline")
    if not items:
        return StatedSpan()
    first, last = items[0], items[-1]
    if len(items) < 2:
        return StatedSpan(first[0], None, first[2], "", "the timeline has one item")
    if stated_length(first[1]) is not None:
        # the first item tells a trouble already over and how long it lasted (gb88fzdxsgh7, 3 August 2012: "A small
        # percentage of repositories were unavailable for approximately 10 minutes starting at 12:40pm …", then "All
        # systems go." 15 seconds later): its stamp is when that was told, not when the trouble began
        return StatedSpan(rejected=f"the first item tells a trouble already over: {first[2]!r}")
    if not says_back(last[1]):
        return StatedSpan(first[0], None, first[2], "", f"the last item does not say it is back: {last[2]!r}")
    if last[0] < first[0]:
        return StatedSpan(rejected=f"the last item {last[2]!r} is before the first")
    return StatedSpan(first[0], last[0], first[2], last[2], "")


# ---------------------------------------------------------------- an incident's statements together


def merge_spans(spans: Iterable[StatedSpan]) -> StatedSpan:
    """One span for an incident from the spans of its statements, oldest first. The latest statement that
    states both ends wins (a resolution's "Between …", a report's "Incident Start/End" correct what came
    before); else the earliest stated start and the latest stated end; an end before the start is dropped."""
    spans = list(spans)
    complete = [s for s in spans if s.start and s.end]
    if complete:
        return complete[-1]
    starts = [(s.start, s.start_text) for s in spans if s.start]
    ends = [(s.end, s.end_text) for s in spans if s.end]
    rejected = [s.rejected for s in spans if s.rejected]
    start = min(starts, default=None, key=lambda p: p[0])
    end = max(ends, default=None, key=lambda p: p[0])
    if start and end and end[0] < start[0]:
        rejected.append(f"end {end[1]!r} is before start {start[1]!r}")
        end = None
    return StatedSpan(start[0] if start else None, end[0] if end else None, start[1] if start else "",
                      end[1] if end else "", "; ".join(dict.fromkeys(rejected)))


# ---------------------------------------------------------------- a maintenance notice's labelled window

_LABELLED = re.compile(
    r"\b(?P<role>start|end)(?:\s+(?:date|time))?\s*:\s*(?P<month>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?"
    r"\s+(?P<year>\d{4}),?\s+(?:at\s+)?(?P<h>\d{1,2}):(?P<m>\d\d)\s*(?P<ampm>[ap]\.?m\.?)?\s*(?P<zone>[A-Za-z/ ]{1,20}?)?"
    r"(?=\s*(?:$|[.;,)\n<•]|\s(?:end|start)\b))",
    re.IGNORECASE,
)


def labelled_window(text: str, posted_at: datetime) -> StatedSpan:
    """A maintenance notice's labelled window ("Start Date: December 10, 2019 at 16:00 UTC … End Date: …"): planned
    work is announced ahead, so the window may lie up to 60 days after the notice (never before it by more than a
    day). Full dates and a zone are required; anything else gives an empty span."""
    try:
        posted = _as_utc(posted_at)
        found: dict[str, tuple[datetime, str]] = {}
        for match in _LABELLED.finditer(_clean(text)[:MAX_CHARS]):
            month = MONTHS.get(match["month"].lower())
            zone = ZONES.get(" ".join((match["zone"] or "").upper().split()))
            if month is None or zone is None:
                continue
            hour = int(match["h"]) % 12 + (12 if (match["ampm"] or "").lower().startswith("p") else 0) \
                if match["ampm"] else int(match["h"])
            local_time = datetime(int(match["year"]), month, int(match["day"]), hour, int(match["m"]), tzinfo=zone)
            when = local_time.astimezone(UTC)
            if not (posted - UNDATED_LIMIT <= when <= posted + DATED_LIMIT):
                continue
            found.setdefault(match["role"].lower(), (when, match.group(0).strip()))
    except (ValueError, OverflowError, TypeError):
        return StatedSpan(rejected="unreadable window")
    start, end = found.get("start"), found.get("end")
    if start and end and end[0] < start[0]:
        return StatedSpan(rejected=f"end {end[1]!r} is before start {start[1]!r}")
    return StatedSpan(start[0] if start else None, end[0] if end else None, start[1] if start else "",
                      end[1] if end else "")


# ---------------------------------------------------------------- a post-incident report's labelled span

_REPORT_FIELD = re.compile(
    r"\bincident\s+(?P<role>start|end)\s*:\s*\**\s*(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]{3,9})\.?,?\s+(?P<year>\d{4}),?"
    r"\s+(?:at\s+)?(?P<h>\d{1,2}):(?P<m>\d\d)(?![\d:])\s*(?P<zone>US/Pacific|UTC|GMT|PDT|PST|PT)?",
    re.IGNORECASE,
)
_REPORT_DURATION = re.compile(r"\bduration\s*:\s*\**\s*(?P<body>[^\n]{1,80})", re.IGNORECASE)
_DURATION_PART = re.compile(r"(?P<n>\d+)\s*(?P<unit>day|hour|hr|minute|min)s?\b", re.IGNORECASE)
_DURATION_SECONDS = {"day": 86400, "hour": 3600, "hr": 3600, "minute": 60, "min": 60}


def report_window(text: str, posted_at: datetime) -> StatedSpan:
    """The span a post-incident report states in labelled lines, as Google Cloud's reports do: "(All Times
    US/Pacific) **Incident Start:** 22 September 2021 00:00 **Incident End:** 29 September 2021 05:40 **Duration:**
    7 days, 5 hours, 40 minutes". Both ends are needed, each a full date with a 24-hour clock, in a zone written
    at it or on the "All times …" line; the end not after the report, the start before the end and within
    DATED_LIMIT of the report. A "Duration" line, when there is one, must agree with the span to the minute (a
    report whose wall-clock times run across a change of daylight saving time, or carry a slip of the year, is
    not taken). Anything else gives an empty span."""
    try:
        posted = _as_utc(posted_at)
        clean = _clean(text)[:MAX_CHARS]
        all_times = _ALL_TIMES.search(clean)
        doc_zone = _zone_key(all_times["z"]) if all_times else ""
        found: dict[str, tuple[datetime, str]] = {}
        for match in _REPORT_FIELD.finditer(clean):
            month = MONTHS.get(match["month"].lower(), MONTHS.get(match["month"].lower()[:3]))
            zone = ZONES.get(_zone_key(match["zone"] or "") or doc_zone)
            if month is None or zone is None or int(match["h"]) > 23:
                continue
            local = datetime(int(match["year"]), month, int(match["day"]), int(match["h"]), int(match["m"]))
            found.setdefault(match["role"].lower(), (local.replace(tzinfo=zone).astimezone(UTC),
                                                     match.group(0).strip()))
    except (ValueError, OverflowError, TypeError):
        return StatedSpan(rejected="unreadable report window")
    start, end = found.get("start"), found.get("end")
    if start is None or end is None:
        return StatedSpan()
    if not start[0] < end[0] <= posted or posted - start[0] > DATED_LIMIT:
        return StatedSpan(rejected=f"report window {start[1]!r} - {end[1]!r} does not fit the report's time")
    duration = _REPORT_DURATION.search(clean)
    if duration:
        parts = _DURATION_PART.findall(duration["body"])
        seconds = sum(int(n) * _DURATION_SECONDS[unit.lower()] for n, unit in parts)
        if parts and abs((end[0] - start[0]).total_seconds() - seconds) >= 60:
            return StatedSpan(rejected=f"report window {start[1]!r} - {end[1]!r} disagrees with its duration "
                                       f"{duration['body'].strip()!r}")
    return StatedSpan(start[0], end[0], start[1], end[1])
