"""Times and durations in words for messages: a moment in the channel's zone with weekday and part of day
(Babel ``hi`` / ``en`` names, tzdata zones), UTC beside it in English, and spans like "8 घंटे 35 मिनट" / "8 h 35 min".

Years: a date is shown with its year when it is not in the year of the message (``needs_year``): "3 जुलाई" in a
message about July, "5 जनवरी 2027" / "5 January 2027" for a window in the next year. The message's time is the
formatter's ``reference`` when it has one; without one, now — and then only a later year than now's gets the
year written out (a replayed 2019 story reads as it was written in 2019), so a date in 2099 is never shown without
its year. A date is shown (with its year) even where the text would leave it out when its year needs saying.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

INDIA_ZONES = ("Asia/Kolkata", "Asia/Calcutta")

# Hindi newsroom split of the day (see the project's Hindi style notes): start hour -> word
_PARTS_HI = ((4, "सुबह"), (12, "दोपहर"), (16, "शाम"), (20, "रात"))


def local(moment: datetime, tz: str) -> datetime:
    """The same instant in the zone ``tz`` (naive values are taken to be UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(ZoneInfo(tz))


def part_of_day_hi(hour: int) -> str:
    """देर रात 00–03, तड़के 04, सुबह 05–11, दोपहर 12–15, शाम 16–19, रात 20–23 (the project's Hindi style notes:
    the small hours are told as the night before, "सोमवार देर रात 1:17 बजे", never "मंगलवार रात 1:17 बजे")."""
    if hour < 4:
        return "देर रात"
    if hour < 5:
        return "तड़के"
    word = "रात"
    for start, name in _PARTS_HI:
        if hour >= start:
            word = name
    return word


def night_day(moment: datetime, tz: str) -> datetime:
    """The moment in the zone, moved back a day in the small hours (00–03): the day a Hindi reader names."""
    here = local(moment, tz)
    return here - timedelta(days=1) if here.hour < 4 else here


def _babel_locale(lang: str) -> str:
    return "hi" if lang.startswith("hi") else "en"


@lru_cache(maxsize=4096)
def _date_words(day: date, pattern: str, locale: str) -> str:
    """A date-only Babel pattern, once per day, pattern and locale (a site build names thousands of moments)."""
    return format_date(day, pattern, locale=locale)


def weekday(moment: datetime, tz: str, lang: str) -> str:
    """Weekday name in the zone: "बुधवार" / "Wednesday"."""
    return _date_words(local(moment, tz).date(), "EEEE", _babel_locale(lang))


def needs_year(moment: datetime, tz: str, reference: datetime | None = None) -> bool:
    """True when the date of ``moment`` (in the zone) must carry its year: it is not in the year of ``reference``
    (the message's time); without a reference, when it is in a later year than now."""
    year = local(moment, tz).year
    if reference is not None:
        return year != local(reference, tz).year
    return year > local(datetime.now(timezone.utc), tz).year


def day_month(moment: datetime, tz: str, lang: str, *, year: bool | None = None,
              reference: datetime | None = None) -> str:
    """"3 जुलाई" / "3 July"; with the year ("3 जुलाई 2019") when asked, and (``year`` None) when ``needs_year``."""
    if year is None:
        year = needs_year(moment, tz, reference)
    pattern = "d MMMM y" if year else "d MMMM"
    return _date_words(local(moment, tz).date(), pattern, _babel_locale(lang))


def zone_label(tz: str, lang: str, moment: datetime | None = None) -> str:
    """How a message names the zone: "भारतीय समय" / "IST" for India, else the zone's abbreviation."""
    if tz in INDIA_ZONES:
        return "भारतीय समय" if lang.startswith("hi") else "IST"
    abbreviation = local(moment or datetime.now(timezone.utc), tz).tzname() or tz
    return abbreviation if not lang.startswith("hi") else f"{abbreviation} समय"


def clock_hi(moment: datetime, tz: str) -> str:
    """Twelve-hour clock as Hindi text uses it before "बजे": "8:35", "5" (on the hour)."""
    here = local(moment, tz)
    hour = here.hour % 12 or 12
    return f"{hour}" if here.minute == 0 else f"{hour}:{here.minute:02d}"


def when_hi(moment: datetime, tz: str, *, date: bool = True, zone: bool = False,
            reference: datetime | None = None) -> str:
    """"बुधवार रात 8:35 बजे (3 जुलाई, भारतीय समय)"; without date/zone: "बुधवार रात 8:35 बजे" (the date stays
    when its year must be said); the small hours: "बुधवार देर रात 1:30 बजे (4 जुलाई)"."""
    here = local(moment, tz)  # the weekday is the night's ("बुधवार देर रात 1:30 बजे (4 जुलाई)"), the date the calendar's
    text = f"{weekday(night_day(moment, tz), tz, 'hi')} {part_of_day_hi(here.hour)} {clock_hi(moment, tz)} बजे"
    extra = []
    if date or needs_year(moment, tz, reference):
        extra.append(day_month(moment, tz, "hi", reference=reference))
    if zone:
        extra.append(zone_label(tz, "hi", moment))
    return f"{text} ({', '.join(extra)})" if extra else text


def clock_en(moment: datetime, tz: str) -> str:
    """"8:35 PM" (Babel, English)."""
    here = local(moment, tz)
    key = (here.hour, here.minute)
    if key not in _CLOCKS_EN:  # at most 1,440: the text depends on the hour and minute alone
        _CLOCKS_EN[key] = format_datetime(here, "h:mm a", locale="en")
    return _CLOCKS_EN[key]


_CLOCKS_EN: dict[tuple[int, int], str] = {}


def utc_en(moment: datetime, tz: str, reference: datetime | None = None) -> str:
    """UTC as the English text gives it beside the local time: "15:05 UTC", with the date when it differs."""
    here = local(moment, tz)
    there = local(moment, "UTC")
    text = f"{there:%H:%M} UTC"
    if there.date() != here.date():
        text += ", " + day_month(there, "UTC", "en", reference=reference)
    return text


def when_en(moment: datetime, tz: str, *, date: bool = True, zone: bool = True, utc: bool = True,
            reference: datetime | None = None) -> str:
    """"Wednesday 3 July, 8:35 PM IST (15:05 UTC)"; shorter forms without date / zone / UTC (the date stays when
    its year must be said)."""
    shown = date or needs_year(moment, tz, reference)
    head = weekday(moment, tz, "en") + (" " + day_month(moment, tz, "en", reference=reference) if shown else "")
    text = f"{head}, {clock_en(moment, tz)}"
    if zone:
        text += f" {zone_label(tz, 'en', moment)}"
        if utc and tz != "UTC":
            text += f" ({utc_en(moment, tz, reference)})"
    return text


def when(moment: datetime, tz: str, lang: str, *, date: bool = True, zone: bool = False,
         reference: datetime | None = None) -> str:
    """The moment for one language: Hindi with part of day and "बजे"; English with zone and UTC when ``zone``."""
    if lang.startswith("hi"):
        return when_hi(moment, tz, date=date, zone=zone, reference=reference)
    return when_en(moment, tz, date=date, zone=zone, utc=zone, reference=reference)


def _split(seconds: float) -> tuple[int, int, int]:
    """Days, hours, minutes to show. Beyond a day with hours to carry them the minutes are not shown, so the hours
    are rounded, not cut: 1 day 1 h 54 min is "1 day 2 h" (a reader subtracting the times shown gets nearer that
    than "1 day 1 h"); 24 h 26 min keeps its minutes ("1 day 26 min")."""
    minutes = int(round(max(0.0, seconds) / 60.0))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days and hours:
        hours, minutes = hours + (1 if minutes >= 30 else 0), 0
        if hours == 24:
            days, hours = days + 1, 0
    return days, hours, minutes


def duration_hi(seconds: float | timedelta) -> str:
    """"8 घंटे 35 मिनट", "1 घंटा", "40 मिनट", "1 दिन 2 घंटे" (beyond a day the hours are rounded and the minutes
    dropped, unless there are no hours to carry them: 24 h 26 min is "1 दिन 26 मिनट", not "1 दिन")."""
    if isinstance(seconds, timedelta):
        seconds = seconds.total_seconds()
    if seconds < 30:
        return "एक मिनट से कम"
    days, hours, minutes = _split(seconds)
    words = []
    if days:
        words.append(f"{days} दिन")
    if hours:
        words.append(f"{hours} {'घंटा' if hours == 1 else 'घंटे'}")
    if minutes and (not days or not hours):
        words.append(f"{minutes} मिनट")
    return " ".join(words)


def duration_en(seconds: float | timedelta) -> str:
    """"8 h 35 min", "1 h", "40 min", "1 day 2 h", "3 days", "1 day 26 min"."""
    if isinstance(seconds, timedelta):
        seconds = seconds.total_seconds()
    if seconds < 30:
        return "under a minute"
    days, hours, minutes = _split(seconds)
    words = []
    if days:
        words.append(f"{days} {'day' if days == 1 else 'days'}")
    if hours:
        words.append(f"{hours} h")
    if minutes and (not days or not hours):
        words.append(f"{minutes} min")
    return " ".join(words)


def shown_seconds(start: datetime, end: datetime) -> int:
    """Seconds between two moments as the messages show them (to the minute): 9:42:10 → 10:07:55 is 25 min."""
    start_minute = start - timedelta(seconds=start.second, microseconds=start.microsecond)
    end_minute = end - timedelta(seconds=end.second, microseconds=end.microsecond)
    return max(0, int((end_minute - start_minute).total_seconds()))


def duration(seconds: float | timedelta, lang: str) -> str:
    return duration_hi(seconds) if lang.startswith("hi") else duration_en(seconds)


def about(seconds: float | timedelta, lang: str) -> str:
    """A rounded duration as messages tell it: "लगभग 40 मिनट" / "about 40 min"; under half a minute "एक मिनट से कम
    समय" / "under a minute", never "about under a minute" (GitHub zh62rt7542f6, 5 November 2010: Pages down at
    19:09:03, back at 19:09:39)."""
    if (seconds.total_seconds() if isinstance(seconds, timedelta) else seconds) < 30:
        return "एक मिनट से कम समय" if lang.startswith("hi") else duration_en(seconds)
    return f"लगभग {duration_hi(seconds)}" if lang.startswith("hi") else f"about {duration_en(seconds)}"


class TimeFormatter:
    """The functions above bound to one channel zone, for templates: ``t.when(x, lang)``, ``t.duration(s, lang)``."""

    def __init__(self, tz: str, reference: datetime | None = None) -> None:
        self.tz = tz
        self.reference = reference  # the message's time: dates in another year show it (None: now, later years)

    def when(self, moment: datetime | None, lang: str, *, date: bool = True, zone: bool = False) -> str:
        if moment is None:
            return "?"
        return when(moment, self.tz, lang, date=date, zone=zone, reference=self.reference)

    def duration(self, seconds: float | timedelta | None, lang: str) -> str:
        return "" if seconds is None else duration(seconds, lang)

    def between(self, start: datetime | None, end: datetime | None, lang: str) -> str:
        if start is None or end is None:
            return ""
        return duration(shown_seconds(start, end), lang)

    def about(self, seconds: float | timedelta | None, lang: str) -> str:
        return "" if seconds is None else about(seconds, lang)

    def about_between(self, start: datetime | None, end: datetime | None, lang: str) -> str:
        if start is None or end is None:
            return ""
        return about(shown_seconds(start, end), lang)

    def day(self, moment: datetime, lang: str, *, year: bool = True) -> str:
        shown = year or needs_year(moment, self.tz, self.reference)
        return f"{weekday(moment, self.tz, lang)}, {day_month(moment, self.tz, lang, year=shown)}"

    def utc(self, moment: datetime | None) -> str:
        return "" if moment is None else utc_en(moment, self.tz, self.reference)

    def zone(self, lang: str, moment: datetime | None = None) -> str:
        return zone_label(self.tz, lang, moment)

    def same_day(self, a: datetime, b: datetime) -> bool:
        return local(a, self.tz).date() == local(b, self.tz).date()
