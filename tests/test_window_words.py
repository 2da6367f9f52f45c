"""facts.window_words: the window a planned-work notice states ahead in its words. The texts are GitHub's own notices
as the Statuspage tracker gives them (shared/data/statuspage_github_incidents/<id>.json, the one update's body as
plain text); each expected window is worked out by hand from the notice's stamp (UTC) and the zone it names
(PST = UTC−8 in those winters)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from facts.window_words import stated_window

UTC = timezone.utc


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(("document", "text", "window"), [
    # posted 11:14 AM PST on 24 January: tonight 10:00-10:20 PM PST = 06:00-06:20 UTC on 25 January
    ("4gprpgmtct75", "2011-01-24 19:14:00 - We will be having scheduled maintenance tonight from 22:00 - 22:20 PST "
     "during which github.com may be unavailable for a short period of time. GitHub Pages and GitHub Jobs will be "
     "unaffected.", ("2011-01-25 06:00", "2011-01-25 06:20")),
    # posted 9:31 PM PST on 2 March (05:31 UTC on 3 March): 10:00 PM PST that night = 06:00 UTC, no end stated
    ("kqnm0hbg8yg6", "2010-03-03 05:31:00 - Maintenance starting at 22:00 PST for hardware checks on a misbehaving "
     "file server. Some repositories will be unavailable for a few minutes.", ("2010-03-03 06:00", None)),
    # posted 6:04 PM PST on 12 February: tonight 10:00 PM PST = 06:00 UTC on 13 February
    ("5cxd0xhnhsnt", "2010-02-13 02:04:00 - Scheduled maintenance tonight starting at 22:00 PST with 20 minute "
     "rolling unavailability windows of certain file system partitions.", ("2010-02-13 06:00", None)),
    # posted 10:00 PM PST on 6 February, "tonight at 10PM Pacific": the notice's own time
    ("rcwk6twq397d", "2010-02-07 06:00:00 - Scheduled maintenance tonight at 10PM Pacific. No downtime expected.",
     ("2010-02-07 06:00", None)),
    # posted 10:28 PM PST on 14 February, "has begun … from now until 3:00 AM PST" = 11:00 UTC on 15 February
    ("zxng2w1wbl7m", "2010-02-15 06:28:00 - Scheduled maintenance for file server partition resizing has begun. A "
     "small percentage of repositories will be unavailable for 10-20 minutes at a time from now until 3:00 AM PST.",
     ("2010-02-15 06:28", "2010-02-15 11:00")),
    # posted 6:02 PM PST on 11 December, "tonight from 18:00 - 20:00 PST": 02:00-04:00 UTC on 12 December (the
    # notice came two minutes into its window); the timeline's later items do not move it
    ("6n0qb9qp5vr0", "2011-12-12 02:02:00 - We'll be performing scheduled maintenance tonight from 18:00 - 20:00 PST "
     "to double the RAM in our MySQL and Redis servers.\n2011-12-12 02:29:00 - We're restarting MySQL now. HTTP and "
     "Git access will be down for a few minutes.\n2011-12-12 03:12:00 - Maintenance is done!",
     ("2011-12-12 02:00", "2011-12-12 04:00")),
])
def test_githubs_notices_give_their_window(document: str, text: str, window: tuple[str, str | None]) -> None:
    last_stamp = text.splitlines()[-1][:19]  # the tracker dates a timeline by its last item
    span = stated_window(text, at(last_stamp))
    assert (span.start, span.end) == (at(window[0]), at(window[1]) if window[1] else None), document


def test_a_dated_window_across_midnight_ends_the_next_day() -> None:
    span = stated_window("We will perform maintenance on Saturday 4 May from 11:30 PM to 1:30 AM UTC.",
                         at("2024-05-01 09:00"))
    assert (span.start, span.end) == (at("2024-05-04 23:30"), at("2024-05-05 01:30"))


def test_an_end_word_gives_an_end_alone() -> None:
    assert stated_window("Maintenance will be completed by 15:30 UTC.", at("2024-05-01 09:00")).end == \
        at("2024-05-01 15:30")
    assert stated_window("We expect to be back at 14:00 UTC.", at("2024-05-01 09:00")).start is None


@pytest.mark.parametrize("text", [
    "Site's going down for scheduled maintenance in one hour.",  # no clock
    "Maintenance at 10 tonight.",  # morning or evening: not guessed
    "Maintenance starting at 22:00 for the file servers.",  # no zone anywhere
    "Maintenance starting at 22:00 PST on June 30, 2031.",  # years ahead
    "",
])
def test_no_window_is_guessed(text: str) -> None:
    span = stated_window(text, at("2024-05-01 09:00"))
    assert (span.start, span.end) == (None, None)


@pytest.mark.parametrize("text", ["\x00" * 50, "9" * 30_000, "at 99:99 PST until 25:61 UTC", "from 12:00 - 11:00 UTC"])
def test_bad_input_gives_a_span_and_never_raises(text: str) -> None:
    span = stated_window(text, at("2024-05-01 09:00"))
    assert span.start is None or span.end is None or span.start < span.end
