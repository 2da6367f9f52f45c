"""The seed story as a demo: replays the 3 July 2019 Facebook / WhatsApp / Instagram / Twitter outage through the
whole pipeline (temporary state database, console channel, Hindi + English; no network, no tokens).

Statements marked "verbatim" are quoted in the seed news story; the others are illustrative, written in the
same style (the story reports them in Hindi only, or says only that the account acknowledged the problem).
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TextIO

from posts import Post


@dataclass(frozen=True)
class Scene:
    source: str  # config source id
    native_id: str
    at: str  # UTC
    text: str
    verbatim: bool
    thread: str = ""
    is_self_reply: bool = False


SOURCES = (
    {"id": "facebook", "kind": "x", "service": "Facebook", "handle": "facebook", "backfill": "all"},
    {"id": "whatsapp", "kind": "x", "service": "WhatsApp", "handle": "WhatsApp", "backfill": "all"},
    {"id": "instagram", "kind": "x", "service": "Instagram", "handle": "instagram", "backfill": "all"},
    {"id": "twittersupport", "kind": "x", "service": "Twitter", "handle": "TwitterSupport", "backfill": "all"},
)

# Times: the story has the trouble from about 8:30 PM IST on Wednesday (15:00 UTC), Twitter fine until about
# 9:30 PM IST, @TwitterSupport's "almost at 100% resolved" early on Thursday, and Facebook's all-clear on
# Thursday after 5 AM IST.
SCENES = (
    Scene(
        "facebook", "fb-ack", "2019-07-03T15:05:00Z",
        "We’re aware that some people are having trouble uploading or sending images, videos and other files on our "
        "apps. We're sorry for the trouble and are working to get things back to normal as quickly as possible. "
        "#facebookdown",
        verbatim=True, thread="fb-2019-07-03",
    ),
    Scene(
        "whatsapp", "wa-ack", "2019-07-03T15:20:00Z",
        "We're aware that some people are having trouble sending images, videos and voice messages on WhatsApp. "
        "We're working to get things back to normal as quickly as possible.",
        verbatim=False, thread="wa-2019-07-03",
    ),
    Scene(
        "instagram", "ig-ack", "2019-07-03T15:30:00Z",
        "We're aware that some people are having trouble uploading or sending photos and videos on Instagram. "
        "We're sorry for the trouble and are working to get things back to normal as quickly as possible.",
        verbatim=False, thread="ig-2019-07-03",
    ),
    Scene(
        "twittersupport", "tw-ack", "2019-07-03T16:15:00Z",
        "Some of you may be having trouble with Direct Messages and notifications. We're aware of the issue and "
        "are working on a fix.",
        verbatim=False, thread="tw-2019-07-03",
    ),
    Scene(
        "twittersupport", "tw-resolved", "2019-07-03T23:24:59Z",
        "We're almost at 100% resolved. There may be some residual effects for a small group of people, but overall "
        "your DMs should be working properly now. We appreciate your patience!",
        verbatim=True, thread="tw-2019-07-03", is_self_reply=True,
    ),
    Scene(
        "facebook", "fb-resolved", "2019-07-03T23:50:00Z",
        "Earlier today, some people had trouble uploading or sending images, videos and other files on our apps. "
        "The issue has now been resolved. We're sorry for the trouble.",
        verbatim=False, thread="fb-2019-07-03", is_self_reply=True,
    ),
    Scene(
        "whatsapp", "wa-resolved", "2019-07-03T23:55:00Z",
        "Earlier today, some people had trouble sending images, videos and voice messages on WhatsApp. The issue has "
        "now been resolved. We're sorry for the trouble.",
        verbatim=False, thread="wa-2019-07-03", is_self_reply=True,
    ),
    Scene(
        "instagram", "ig-resolved", "2019-07-04T00:00:00Z",
        "Earlier today, some people had trouble uploading or sending photos and videos on Instagram. The issue has "
        "now been resolved. We're sorry for the trouble.",
        verbatim=False, thread="ig-2019-07-03", is_self_reply=True,
    ),
)


def _at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def demo_config(state: Path, languages: tuple[str, ...] = ("hi", "en")):  # type: ignore[no-untyped-def]
    from config import parse_config

    raw = {
        "bot": {"state": str(state), "timezone": "Asia/Kolkata", "languages": list(languages)},
        "source": [dict(s) for s in SOURCES],
        "channel": [{"id": "desk", "kind": "console"}],
    }
    return parse_config(raw, "<demo>")


def scene_post(scene: Scene, bot) -> Post:  # type: ignore[no-untyped-def]
    source = bot.source(scene.source)
    return Post(
        source_id=source.id,
        native_id=scene.native_id,
        service=source.service,
        text=scene.text,
        created_at=_at(scene.at),
        url=f"https://twitter.com/{source.handle}",
        author=source.handle,
        language="en",
        thread_key=scene.thread,
        is_reply=scene.is_self_reply,
        is_self_reply=scene.is_self_reply,
    )


def run_demo(out: TextIO | None = None, languages: tuple[str, ...] = ("hi", "en")) -> int:
    """Replay the story; print every message the console channel sends, then the event summary."""
    from channels.console import ConsoleChannel
    from outbox import deliver
    from outputs.story import write_story
    from pipeline import store_posts
    from render import render, summary_context
    from store import open_db, rows
    from timefmt import when_en, when_hi

    out = out or sys.stdout
    with tempfile.TemporaryDirectory(prefix="pushti-demo-") as tmp:
        bot = demo_config(Path(tmp) / "state.db", languages)
        db = open_db(bot.state)
        channel = ConsoleChannel(bot.channel("desk"), bot, stream=out)
        out.write("pushti demo: 3 जुलाई 2019 / 3 July 2019 — Facebook, WhatsApp, Instagram, Twitter\n")
        out.write("(state in a temporary database; console channel; no network)\n\n")
        for number, scene in enumerate(SCENES, 1):
            source = bot.source(scene.source)
            when = _at(scene.at)
            origin = "verbatim, quoted in the seed story" if scene.verbatim else "illustrative statement, same style"
            out.write(
                f"▶ {number}/{len(SCENES)} @{source.handle} — {when_hi(when, 'Asia/Kolkata', zone=True)} / "
                f"{when_en(when, 'Asia/Kolkata')} — {origin}\n\n"
            )
            outcome = store_posts(db, bot, source, [scene_post(scene, bot)], now=when + timedelta(minutes=2))
            if outcome.status not in ("ok", "unchanged"):
                out.write(f"could not store the statement: {outcome.message}\n")
                return 1
            report = deliver(db, bot, {"desk": channel}, sleep=lambda _s: None)
            if report.failed:
                out.write("\n".join(report.errors) + "\n")
                return 1
        events = rows(db, "select id from events order by started_at")
        out.write("═" * 20 + " सार / Summary " + "═" * 20 + "\n")
        for event in events:
            context = summary_context(db, bot.timezone, event_id=event["id"])
            message = render("digest", context, markup="plain", languages=bot.languages, max_chars=100_000)
            out.write("\n\n".join(message.parts) + "\n")
        for event in events:  # the desk's draft story of the night, from the statements alone (outputs/story)
            out.write("\n" + "═" * 20 + " खबर का मसौदा / Story draft (bot.py story --event) " + "═" * 20 + "\n\n")
            for lang in languages:
                out.write(write_story(db, event["id"], event=True, lang=lang, fmt="text", timezone=bot.timezone) + "\n")
        db.conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(run_demo())
