"""A reviewed corpus of real incidents (issue 12): each real document goes through its real tracker parser and
``pipeline.store_posts`` (backfill "all", one console channel, Hindi + English, Asia/Kolkata), every queued message
is delivered to that console channel, and the text is checked against a facts file written BY HAND from the
source document (tests/golden/real/<name>.facts.json: start, end, duration, what broke, kind, resolved).

The assertions rest on facts (IST clock times in HINDI.md's forms, durations in words, names, kinds), not on
whole sentences, so they survive wording changes. The full rendered text is also kept in
tests/golden/real/<name>.txt and compared; after reading the diff line by line, regenerate with

    .venv/bin/python tests/test_real_incidents.py --regen [NAME ...]

which prints a unified diff of every golden it changes (nothing is accepted silently: read the diff).

Documents: tests/data/real_incidents/ (one incident per file, copied from ../shared/data; see each facts file's
"source"). A case whose rendering states a wrong fact is a strict xfail naming the wrong fact (WRONG below).
"""

from __future__ import annotations

import difflib
import io
import json
import re
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from channels.console import ConsoleChannel  # noqa: E402
from config import parse_config  # noqa: E402
from facts.context import told  # noqa: E402
from facts.gather import gather  # noqa: E402
from facts.record import incident_record  # noqa: E402
from incidents import incidents_with_statements  # noqa: E402
from outbox import deliver  # noqa: E402
from pipeline import store_posts  # noqa: E402
from store import open_db  # noqa: E402
from trackers.aws import parse_data_json  # noqa: E402
from trackers.feed import parse_feed  # noqa: E402
from trackers.gcp import parse_incidents  # noqa: E402
from trackers.statuspage import parse_statuspage_document  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "real_incidents"
GOLDEN = Path(__file__).resolve().parent / "golden" / "real"
IST = ZoneInfo("Asia/Kolkata")
NAMES = sorted(p.name[: -len(".facts.json")] for p in GOLDEN.glob("*.facts.json"))

# Cases whose rendering states a wrong fact: name -> the wrong fact, precisely (strict xfail of the facts test).
WRONG: dict[str, str] = {
    "emma_gm8jc9315cyk": "what broke: lists the page's affected components ('Web Application - Home', … 'and 15 other "
                         "services') where Emma said the whole application was down for all users; the facts name the "
                         "application, the API and email sending",
    "emma_jrymvd7c2dyz": "what broke: lists the page's affected components ('Web Application - Home', … 'and 13 other "
                         "services') where Emma said the application was down for all users (logging in and navigating)",
}


def facts_of(name: str) -> dict:
    return json.loads((GOLDEN / f"{name}.facts.json").read_text(encoding="utf-8"))


def _document(name: str) -> Path:
    (path,) = [p for p in DATA.iterdir() if p.name.split(".")[0] == name]
    return path


def _tracker(name: str) -> str:
    prefix = name.split("_")[0]
    return {"github": "statuspage", "emma": "statuspage", "gcp": "gcp", "aws": "aws", "feed": "feed"}[prefix]


def _posts(name: str, source) -> list:  # type: ignore[no-untyped-def]
    path = _document(name)
    tracker = _tracker(name)
    if tracker == "statuspage":
        return parse_statuspage_document(json.loads(path.read_text()), source, where=path.name)
    if tracker == "gcp":
        return parse_incidents(json.loads(path.read_text()), source_id=source.id, service=source.service)
    if tracker == "aws":
        return parse_data_json(json.loads(path.read_text()), source_id=source.id, service=source.service)
    body = path.read_bytes()
    updated = re.search(rb"<updated>([^<]+)</updated>", body)
    published = re.search(rb"<pubDate>([^<]+)</pubDate>", body)  # RSS: the channel's date
    now = (datetime.fromisoformat(updated.group(1).decode().replace("Z", "+00:00")) if updated
           else parsedate_to_datetime(published.group(1).decode()) if published else None)
    return parse_feed(body, source, where=path.name, now=now)


def rendered(name: str) -> str:
    """Everything the console channel prints for this document, remote ids numbered in order of appearance."""
    return corpus(name)[0]


def records(name: str) -> list[dict]:
    """The document's incidents as `bot.py incidents --json` prints them (facts.record), after delivery."""
    return corpus(name)[1]


@cache
def corpus(name: str) -> tuple[str, list[dict]]:
    facts = facts_of(name)
    tracker = _tracker(name)
    url = facts.get("url") or "https://status.example.com"
    with tempfile.TemporaryDirectory() as tmp:
        raw = {
            "bot": {"state": str(Path(tmp) / "state.db"), "timezone": "Asia/Kolkata", "storm_threshold": 10_000},
            "source": [{"id": "src", "kind": tracker, "service": facts["service"], "url": url, "backfill": "all"}],
            "channel": [{"id": "desk", "kind": "console", "languages": ["hi", "en"], "timezone": "Asia/Kolkata"}],
        }
        bot = parse_config(raw, "<real incidents>")
        db = open_db(bot.state)
        source = bot.source("src")
        posts = _posts(name, source)
        assert posts, f"{name}: the tracker read no posts"
        store_posts(db, bot, source, posts, now=max(p.created_at for p in posts) + timedelta(minutes=1))
        stream = io.StringIO()
        channel = ConsoleChannel(bot.channels[0], bot, stream=stream)
        report = deliver(db, bot, {"desk": channel}, sleep=lambda _s: None)
        found = [json.loads(json.dumps(incident_record(i, i["statements"]), ensure_ascii=False))
                 for i in incidents_with_statements(db)]
        for record in found:  # what the channel's messages were rendered from, gathered once (facts.gather)
            record["gathered_told"] = told(gather(db, record["id"])["incident"])
    assert report.failed == 0 and report.deferred == 0, report
    text = stream.getvalue()
    ids: dict[str, str] = {}
    return re.sub(r"console-[0-9a-f]{10}", lambda m: ids.setdefault(m.group(0), f"console-#{len(ids) + 1}"), text), found


# ------------------------------------------------------------------ reading the rendered text

def _own_words(text: str) -> str:
    """The bot's own words: the company's quoted statements and links removed."""
    text = re.sub(r"“[^”]*”", "", text, flags=re.S)
    return re.sub(r"https?://\S+", "", text)


def hindi_lines(text: str) -> str:
    return "\n".join(line for line in _own_words(text).splitlines() if re.search(r"[\u0900-\u097F]", line))


def english_lines(text: str) -> str:
    return "\n".join(line for line in _own_words(text).splitlines()
                     if line.strip() and not re.search(r"[\u0900-\u097F]", line) and not line.startswith("── ["))


def utc(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)


def part_of_day_hi(hour: int) -> str:  # ../shared/HINDI.md, Time
    if hour < 4:
        return "देर रात"
    if hour < 5:
        return "तड़के"
    if hour < 12:
        return "सुबह"
    if hour < 16:
        return "दोपहर"
    if hour < 20:
        return "शाम"
    return "रात"


def clock_hi(moment: datetime) -> str:
    """"रात 9:45 बजे", "दोपहर 2 बजे" (HINDI.md)."""
    here = moment.astimezone(IST)
    hour = here.hour % 12 or 12
    clock = f"{hour}" if here.minute == 0 else f"{hour}:{here.minute:02d}"
    return f"{part_of_day_hi(here.hour)} {clock} बजे"


def clock_en(moment: datetime) -> str:
    """"9:45 PM" (minutes always shown in English)."""
    here = moment.astimezone(IST)
    return f"{here.hour % 12 or 12}:{here.minute:02d} {'AM' if here.hour < 12 else 'PM'}"


def duration_words(minutes: int) -> tuple[str, str]:
    """(Hindi, English): "2 घंटे 15 मिनट" / "2 h 15 min"; beyond a day the hours are rounded and the minutes
    dropped ("1 दिन 5 घंटे"), as HINDI.md writes it."""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days and hours:  # 1 day 1 h 54 min is "1 दिन 2 घंटे", not "1 दिन 1 घंटा"
        hours, mins = hours + (1 if mins >= 30 else 0), 0
        if hours == 24:
            days, hours = days + 1, 0
    hi, en = [], []
    if days:
        hi.append(f"{days} दिन")
        en.append(f"{days} {'day' if days == 1 else 'days'}")
    if hours:
        hi.append(f"{hours} {'घंटा' if hours == 1 else 'घंटे'}")
        en.append(f"{hours} h")
    if mins and (not days or not hours):  # "1 दिन 26 मिनट": no hours to carry the day
        hi.append(f"{mins} मिनट")
        en.append(f"{mins} min")
    return " ".join(hi), " ".join(en)


def _shown_minutes(start: datetime, end: datetime) -> int:
    """Minutes between the two clock times as shown (to the minute), as a reader subtracts them."""
    return int((end.replace(second=0, microsecond=0) - start.replace(second=0, microsecond=0)).total_seconds() // 60)


OUTAGE_WORDS = ("🔴", "कंपनी ने माना", "problem acknowledged")
DURATION_HI = re.compile(r"\d+ (?:दिन|घंटे|घंटा|मिनट)(?: \d+ (?:घंटे|घंटा|मिनट))?")
NAMED = (  # where the bot's own English names what broke
    re.compile(r"problem with (.+?) acknowledged"),
    re.compile(r"that users are having trouble ([^.;]+)"),
    re.compile(r"that (.+?) (?:is|are) (?:affected|slow)"),
)
STOP = {"the", "and", "using", "with", "for", "its", "are", "is", "in", "of", "to", "it", "also"}


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) >= 3 and w not in STOP}


def misnamed(english: str, what_broke: list[str]) -> list[str]:
    """Parts the bot's own English says broke that share no word with what the company named."""
    named = _words(" ".join(what_broke))
    wrong = []
    for pattern in NAMED:
        for match in pattern.finditer(english):
            for part in re.split(r",| and |; ", match.group(1)):
                if _words(part) and not _words(part) & named:
                    wrong.append(part.strip())
    return wrong


# ------------------------------------------------------------------ tests

def _case(name: str):  # type: ignore[no-untyped-def]
    marks = [pytest.mark.xfail(strict=True, reason=WRONG[name])] if name in WRONG else []
    return pytest.param(name, marks=marks, id=name)


def test_the_corpus_is_big_and_spread():
    kinds = [(n.split("_")[0], facts_of(n)["kind"]) for n in NAMES]
    assert len(NAMES) >= 30
    count = {p: sum(1 for k, _ in kinds if k == p) for p in ("github", "gcp", "aws", "feed", "emma")}
    assert count["github"] >= 8 and count["gcp"] >= 6 and count["aws"] >= 5 and count["feed"] >= 4 and count["emma"] >= 4
    assert sum(1 for k, kind in kinds if k == "feed" and kind == "maintenance") >= 2


def test_facts_files_are_consistent():
    for name in NAMES:
        facts = facts_of(name)
        assert facts["kind"] in ("incident", "maintenance"), name
        assert facts["source"] and facts["service"] and facts["what_broke"], name
        if facts.get("start_utc") and facts.get("end_utc"):
            assert _shown_minutes(utc(facts["start_utc"]), utc(facts["end_utc"])) == facts["duration_minutes"], name


@pytest.mark.parametrize("name", [_case(n) for n in NAMES])
def test_rendered_messages_state_the_facts(name):
    facts = facts_of(name)
    text = rendered(name)
    hi, en = hindi_lines(text), english_lines(text)
    problems = []
    if facts["kind"] == "maintenance":
        problems += [f"maintenance told as an outage: {w!r}" for w in OUTAGE_WORDS if w in text]
        if "रखरखाव" not in hi or "maintenance" not in en.lower():
            problems.append("maintenance not called maintenance in both languages")
    else:
        if "🛠" in text:
            problems.append("an outage told as planned maintenance (🛠)")
    service_hi = facts.get("service_hi") or facts["service"]
    if service_hi not in hi:
        problems.append(f"service name {service_hi!r} missing from the Hindi part")
    for key in ("start_utc", "end_utc"):
        if not facts.get(key):
            continue
        moment = utc(facts[key])
        if clock_hi(moment) not in hi:
            problems.append(f"{key} {facts[key]}: Hindi {clock_hi(moment)!r} missing")
        if clock_en(moment) not in en:
            problems.append(f"{key} {facts[key]}: English {clock_en(moment)!r} missing")
    problems += [f"what broke: says {p!r}, the company named {facts['what_broke']}"
                 for p in misnamed(en, facts["what_broke"])]
    if facts["kind"] == "maintenance" and facts.get("duration_minutes") is not None:
        # the bot need not give a maintenance's length, but any length it gives must be the real one
        d_hi, _ = duration_words(facts["duration_minutes"])
        problems += [f"maintenance length {d!r}, real {d_hi!r}" for d in DURATION_HI.findall(hi) if d != d_hi]
    elif facts.get("duration_minutes") is not None and facts["resolved"]:
        d_hi, d_en = duration_words(facts["duration_minutes"])
        if not re.search(rf"(?<![\d:]){re.escape(d_hi)}(?! \d)", hi):
            problems.append(f"duration {facts['duration_minutes']} min: Hindi {d_hi!r} missing")
        if not re.search(rf"(?<![\d:]){re.escape(d_en)}(?! \d)", en):
            problems.append(f"duration {facts['duration_minutes']} min: English {d_en!r} missing")
    if facts.get("regions"):  # where it broke, in Latin script as the company wrote it, in both languages
        # the first headline (an acknowledgement, else a resolution told only once it was over)
        hi_head = next((line for line in hi.splitlines() if line.startswith(("🔴", "✅"))), "")
        en_head = next((line for line in en.splitlines() if line.startswith(("🔴", "✅"))), "")
        for region in facts["regions"]:
            if region not in hi or region not in en:
                problems.append(f"region {region!r} missing from the Hindi or the English")
        named = facts["regions"][0] if len(facts["regions"]) < 3 else f"{len(facts['regions'])} "
        if named not in hi_head or named not in en_head:
            problems.append(f"region {named!r} missing from the headlines {hi_head!r} / {en_head!r}")
    if facts.get("text_says") == "reverted":  # a completion whose words say the work was undone
        if "revert" not in hi or "वापस" not in hi or "reverted" not in en:
            problems.append("the company's words (changes reverted) not told beside its 'Completed'")
    if facts.get("stated_minutes"):  # a length stated without clock times ("for a period of 30 minutes")
        d_hi, d_en = duration_words(facts["stated_minutes"])
        if f"{d_hi} तक रही" not in hi or f"lasted {d_en}" not in en:
            problems.append(f"the stated length {d_hi!r} / {d_en!r} not told")
    unstated = [r for r in records(name) if r["kind"] == "incident" and r["started_from"] == "post"]
    if unstated and len(unstated) == len(records(name)):  # no start stated: the first word is not told as one
        if "शुरू हुई" in hi or re.search(r"\bbegan\b", en):
            problems.append("the first statement told as the start, though the company stated none")
        if any(r["status"] == "resolved" for r in unstated) and ("पहली बार" not in hi or "first reported" not in en):
            problems.append("the first statement not told as when the company first reported it")
    if facts.get("closed_unfixed"):  # closed on the page while its words say work goes on: not told as fixed
        if "समस्या दूर," in hi or "बाद समस्या दूर" in hi or "has been resolved" in en or "resolved after" in en:
            problems.append("an incident closed without a stated fix told as resolved")
        if "पुष्टि नहीं" not in hi or "not said to be fixed" not in en:
            problems.append("the close without a stated fix not told as such")
        if DURATION_HI.search(hi) or re.search(r"lasted about", en):
            problems.append("a duration told for an incident not said to be fixed")
    if facts["resolved"]:
        if facts["kind"] == "maintenance":
            if "पूरा" not in hi or "completed" not in en:
                problems.append("completed maintenance not said to be completed")
        elif "समस्या दूर" not in hi or "resolved" not in en:
            problems.append("resolved incident not said to be resolved")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", NAMES)
def test_messages_and_the_incidents_json_record_tell_the_same_span(name):
    """The channel messages and `bot.py incidents --json` come from the same gathered facts: the record's start,
    end and duration are the ones the messages give (clock times in both languages, the duration in words)."""
    text = rendered(name)
    hi, en = hindi_lines(text), english_lines(text)
    for record in records(name):
        told = record["told"]
        assert told == record["gathered_told"], record["id"]  # the record and the messages' gathered facts
        if record["kind"] == "incident":
            assert told["began_at"] == record["started_at"], record["id"]
        assert told["resolved_at"] == record["resolved_at"]
        if record["status"] != "resolved" or record["kind"] != "incident" or told["duration_seconds"] is None:
            continue
        start, end = utc(told["began_at"]), utc(told["resolved_at"])
        for moment in (start, end):
            assert clock_hi(moment) in hi and clock_en(moment) in en, (record["id"], moment)
        minutes = _shown_minutes(start, end)
        assert told["duration_seconds"] == minutes * 60
        assert abs(record["duration_seconds"] - minutes * 60) < 60  # the stored span, to the second
        d_hi, d_en = duration_words(minutes)
        assert re.search(rf"(?<![\d:]){re.escape(d_hi)}(?! \d)", hi), (record["id"], d_hi)
        assert re.search(rf"(?<![\d:]){re.escape(d_en)}(?! \d)", en), (record["id"], d_en)


@pytest.mark.parametrize("name", NAMES)
def test_golden_text(name):
    expected = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
    got = rendered(name)
    if got != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), got.splitlines(True), f"{name}.txt", "rendered"))
        pytest.fail(f"rendering changed; read the diff, then `python tests/test_real_incidents.py --regen {name}`\n{diff}")


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "--regen":
        print(__doc__)
        return 2
    names = argv[1:] or NAMES
    for name in names:
        path = GOLDEN / f"{name}.txt"
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        new = rendered(name)
        if old != new:
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{path.name}", f"b/{path.name}"))
            path.write_text(new, encoding="utf-8")
            print(f"-- wrote {path.relative_to(ROOT)}: read the diff above line by line before committing")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
