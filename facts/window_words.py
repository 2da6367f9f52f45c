"""The window a planned-work notice states ahead in its own words, when its source gives no window field.

GitHub's 2010-2011 notices, for one, say only "We will be having scheduled maintenance tonight from 22:00 - 22:20
PST", "Maintenance starting at 22:00 PST", "Scheduled maintenance tonight at 10PM Pacific" or "… from now until
3:00 AM PST". ``stated_span`` (facts.stated_times) reads what already happened and skips forecasts; a notice's
window is a forecast by nature, so it is read here, looking ahead of the notice.

Rules (what a reader of the result can rely on):
- Clocks, zones and dates are read as ``stated_span`` reads them (its scanner); a time with no zone of its own or
  of its range, and none the text states elsewhere, is not used. A bare clock that could be morning or evening
  ("at 10") is not used either: a notice's window is not guessed.
- The first range ("from 22:00 - 22:20 PST", "18:00 to 20:00 UTC") gives the start and the end; else a time after
  a start word ("starting at", "begins at", "tonight at", "from") gives the start, and one after an end word
  ("until", "till", "back by", "completed by", "ending at") the end, also after a start ("starting at 10:00am PDT and
  ending at 12:00pm PDT") ("from now until 3:00 AM PST": the start is the notice itself).
- A clock without a date is put on its next occurrence from an hour before the notice (a notice posted as the
  work starts: "starting now", or a few minutes after the time it names) to a day after it; a dated time may lie
  up to 60 days ahead. An end is the first occurrence after its start, within a day. Anything else: no window.
- A GitHub imported timeline ("2011-01-24 19:14:00 - We will be having …") is read from its first item, at that
  item's stamp.
Pure functions: no I/O, no clock; every result is UTC.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

from facts.stated_times import (
    _ALL_TIMES,
    DATED_LIMIT,
    StatedSpan,
    _ambiguous,
    _as_utc,
    _candidates,
    _is_range,
    _prefix,
    _scan,
    _share_meridiem,
    _timeline_items,
    _Tok,
    _zone_for,
    _zone_key,
)

MAX_CHARS = 5_000  # a notice says its window near the top
BEFORE_NOTICE = timedelta(hours=1)  # "starting now", posted a little after the time it names
UNDATED_AHEAD = timedelta(days=1)  # "tonight", "at 22:00 PST": within a day of the notice
LONGEST_WINDOW = timedelta(days=1)  # an end is the first occurrence of its clock after the start, within a day
_START_WORD = re.compile(
    r"(?:\bstart(?:s|ing)?(?:\s+at)?|\bbegin(?:s|ning)?(?:\s+at)?|\bfrom"
    r"|\b(?:tonight|today|tomorrow|maintenance|window|upgrade|downtime)(?:\s+(?:at|on))?)[\s~:,]*$"
)
_UNTIL_WORD = re.compile(
    r"(?:\buntil|\btill|\bthrough|\bends?(?:\s+at)?|\bending(?:\s+at)?|\bback(?:\s+(?:up|online))?\s+(?:at|by)"
    r"|\b(?:complete|completed|done|finished|over)\s+(?:at|by))[\s~:,]*$"
)
_NOW_UNTIL = re.compile(r"\b(?:from now|now)\b[^.!?\n]{0,20}$")


def stated_window(text: str, posted_at: datetime) -> StatedSpan:
    """The window (start, end) the notice states ahead in its words; an empty span when it states none that can be
    placed (``rejected`` says why when a time was found and not used). Never raises."""
    try:
        return _window(text[:MAX_CHARS] if isinstance(text, str) else "", _as_utc(posted_at))
    except (ValueError, OverflowError, TypeError, KeyError):
        return StatedSpan(rejected="unreadable window")


def _window(text: str, posted: datetime) -> StatedSpan:
    items = _timeline_items(text, posted)
    if items:
        posted, text = items[0][0], items[0][1]
    toks = _scan(text)
    if not toks:
        return StatedSpan()
    uses_24h = any(t.hour > 12 or t.lead_zero for t in toks if not t.ap)
    all_times = _ALL_TIMES.search(text)
    doc_zone = _zone_key(all_times["z"]) if all_times else ""

    def zoned(tok: _Tok, other: _Tok | None = None) -> _Tok | None:
        zone = tok.zone or (other.zone if other is not None else "") or _zone_for(tok, doc_zone, "", toks)
        if not zone:
            return None
        tok.zone = zone
        return None if _ambiguous(tok, uses_24h) and not tok.ap else tok

    for index, tok in enumerate(toks):
        following = toks[index + 1] if index + 1 < len(toks) else None
        if following is not None and _is_range(text, tok, following):
            _share_meridiem(tok, following)
            start_tok, end_tok = zoned(tok, following), zoned(following, tok)
            if start_tok is None or end_tok is None:
                return StatedSpan(rejected=f"no zone or no am/pm for {tok.text!r} - {following.text!r}")
            start = _next(start_tok, posted)
            end = _after(end_tok, start) if start is not None else None
            if start is None or end is None:
                return StatedSpan(rejected=f"{tok.text!r} - {following.text!r} is not within a day of the notice")
            return StatedSpan(start, end, tok.text, following.text)
        prefix = _prefix(text, tok)
        if _UNTIL_WORD.search(prefix):
            end_tok = zoned(tok)
            if end_tok is None:
                return StatedSpan(rejected=f"no zone or no am/pm for {tok.text!r}")
            start = posted if _NOW_UNTIL.search(prefix) else None
            end = _after(end_tok, posted) if start is not None else _next(end_tok, posted)
            return StatedSpan(start, end, "now" if start is not None else "", tok.text) if end else StatedSpan(
                rejected=f"{tok.text!r} is not within a day of the notice")
        if _START_WORD.search(prefix):
            start_tok = zoned(tok)
            if start_tok is None:
                return StatedSpan(rejected=f"no zone or no am/pm for {tok.text!r}")
            start = _next(start_tok, posted)
            if start is None:
                return StatedSpan(rejected=f"{tok.text!r} is not within a day of the notice")
            # "starting at 10:00am PDT and ending at 12:00pm PDT": a later time after an end word ends it
            for later in toks[index + 1:]:
                if _UNTIL_WORD.search(_prefix(text, later)):
                    end_tok = zoned(later, start_tok)
                    end = _after(end_tok, start) if end_tok is not None else None
                    if end is not None:
                        return StatedSpan(start, end, tok.text, later.text)
                    break
            return StatedSpan(start, None, tok.text)
    return StatedSpan()


def _next(tok: _Tok, posted: datetime) -> datetime | None:
    """The first occurrence of ``tok`` from BEFORE_NOTICE before the notice, within a day after it (60 days when
    the text dates it)."""
    latest = posted + (DATED_LIMIT if tok.day is not None else UNDATED_AHEAD)
    found = [when for when in _candidates(tok, posted, False) if posted - BEFORE_NOTICE <= when <= latest]
    return found[0] if found else None


def _after(tok: _Tok, start: datetime) -> datetime | None:
    """The first occurrence of ``tok`` after ``start``, within LONGEST_WINDOW (the anchor moves with the start, so
    "11:30 PM - 1:30 AM" ends the next day, whose date a range's end borrows from its start unless written at it)."""
    if not tok.attached:
        tok = replace(tok, day=None)
    found = [when for when in _candidates(tok, start, False) if start < when <= start + LONGEST_WINDOW]
    return found[0] if found else None
