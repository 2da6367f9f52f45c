"""Times in the channel zone (Hindi part of day + "बजे", English with UTC) and durations in words."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from timefmt import (
    TimeFormatter,
    clock_hi,
    duration_en,
    duration_hi,
    part_of_day_hi,
    utc_en,
    when,
    when_en,
    when_hi,
)

IST = "Asia/Kolkata"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def test_seed_story_times():
    start = at("2019-07-03T15:05:00")  # the trouble began on Wednesday night in India
    assert when_hi(start, IST, zone=True) == "बुधवार रात 8:35 बजे (3 जुलाई, भारतीय समय)"
    assert when_en(start, IST) == "Wednesday 3 July, 8:35 PM IST (15:05 UTC)"
    end = at("2019-07-03T23:35:00")  # Facebook's all-clear: Thursday after 5 AM IST
    assert when_hi(end, IST, date=False) == "गुरुवार सुबह 5:05 बजे"


def test_ist_date_line_20_utc_is_the_next_day():
    moment = at("2019-07-03T20:00:00")
    assert when_hi(moment, IST) == "बुधवार देर रात 1:30 बजे (4 जुलाई)"  # HINDI.md: the night's weekday, the calendar date
    assert when_en(moment, IST) == "Thursday 4 July, 1:30 AM IST (20:00 UTC, 3 July)"
    assert utc_en(moment, IST) == "20:00 UTC, 3 July"
    assert utc_en(at("2019-07-03T10:00:00"), IST) == "10:00 UTC"  # same date: no date repeated
    # and just before the line it is still Wednesday
    assert when_hi(at("2019-07-03T18:29:00"), IST, date=False) == "बुधवार रात 11:59 बजे"


@pytest.mark.parametrize(
    ("hour", "word"),
    [(0, "देर रात"), (3, "देर रात"), (4, "तड़के"), (5, "सुबह"), (11, "सुबह"), (12, "दोपहर"), (15, "दोपहर"), (16, "शाम"), (19, "शाम"),
     (20, "रात"), (23, "रात")],
)
def test_part_of_day_boundaries(hour, word):
    assert part_of_day_hi(hour) == word


def test_clock_on_the_hour_and_noon_and_midnight():
    assert clock_hi(at("2019-07-03T23:30:00"), IST) == "5"  # 05:00 IST
    assert when_hi(at("2019-07-04T06:30:00"), IST, date=False) == "गुरुवार दोपहर 12 बजे"
    assert when_hi(at("2019-07-03T18:30:00"), IST, date=False) == "बुधवार देर रात 12 बजे"  # midnight: the night before
    assert when_hi(at("2019-07-03T13:15:00"), IST, date=False) == "बुधवार शाम 6:45 बजे"


def test_other_zones_name_themselves_and_utc_channel_does_not_repeat_utc():
    moment = at("2019-07-03T15:05:00")
    assert when_en(moment, "America/New_York") == "Wednesday 3 July, 11:05 AM EDT (15:05 UTC)"
    assert when_hi(moment, "America/New_York", zone=True) == "बुधवार सुबह 11:05 बजे (3 जुलाई, EDT समय)"
    assert when_en(moment, "UTC") == "Wednesday 3 July, 3:05 PM UTC"
    assert when(moment, IST, "en", zone=False) == "Wednesday 3 July, 8:35 PM"


@pytest.mark.parametrize(
    ("seconds", "hi", "en"),
    [
        (8 * 3600 + 35 * 60, "8 घंटे 35 मिनट", "8 h 35 min"),
        (3600, "1 घंटा", "1 h"),
        (3600 + 60, "1 घंटा 1 मिनट", "1 h 1 min"),
        (40 * 60, "40 मिनट", "40 min"),
        (26 * 3600 + 5 * 60, "1 दिन 2 घंटे", "1 day 2 h"),  # over a day: days and hours
        (2 * 86400, "2 दिन", "2 days"),
        (24 * 3600 + 26 * 60, "1 दिन 26 मिनट", "1 day 26 min"),  # no hours to carry the day: not "लगभग 1 दिन"
        (3 * 86400 + 3600, "3 दिन 1 घंटा", "3 days 1 h"),
        # beyond a day the hours are rounded, not cut (Google Cloud o44ZUgX95KF11F7cqd5v: 18:45 to 20:39 PST next
        # day, "Duration: 1 day, 1 hours, 54 minutes" by its report, is "1 दिन 2 घंटे", not "1 दिन 1 घंटा")
        (25 * 3600 + 54 * 60, "1 दिन 2 घंटे", "1 day 2 h"),
        ((5 * 24 + 18) * 3600 + 58 * 60, "5 दिन 19 घंटे", "5 days 19 h"),
        (47 * 3600 + 40 * 60, "2 दिन", "2 days"),
        (59 * 60 + 40, "1 घंटा", "1 h"),  # rounded to the minute
        (10, "एक मिनट से कम", "under a minute"),
    ],
)
def test_durations_in_words(seconds, hi, en):
    assert duration_hi(seconds) == hi
    assert duration_en(seconds) == en
    assert duration_hi(timedelta(seconds=seconds)) == hi


def test_formatter_bound_to_a_zone():
    t = TimeFormatter(IST)
    start, end = at("2019-07-03T15:05:00"), at("2019-07-03T23:50:00")
    assert t.between(start, end, "hi") == "8 घंटे 45 मिनट"
    assert t.between(None, end, "en") == ""
    assert t.when(None, "hi") == "?"
    assert t.day(start, "hi") == "बुधवार, 3 जुलाई 2019"
    assert not t.same_day(start, end)  # 8:35 PM Wednesday and 5:20 AM Thursday in IST
    assert TimeFormatter("UTC").same_day(start, end)
