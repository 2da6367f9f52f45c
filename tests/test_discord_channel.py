"""The Discord channel end to end through ``bot.py poll --once`` against a fake Discord webhook API on 127.0.0.1
(a real GitHub incident replayed from its Statuspage document): a forum post per incident with replies and its
first message edited on resolution, the plain channel and ``thread_id`` modes, 429 pacing without loss or
duplicates, hostile statement text that never pings or links; and the channel's own rules, in process."""

from __future__ import annotations

import re
import sqlite3

import pytest
from fake_discord import FakeDiscord
from pollhelpers import incidents_document, load_incident, recent_start, revealed, run_bot, shifted, write_config

import markup as mk

PATH = "/api/v2/incidents.json"
TG_TOKEN = "unused"
SLACK_TOKEN = "unused"
HOSTILE = ("@everyone @here look <@123456789012345678> and <@&987654321098765432> in <#111111111111111111> "
           "[click here](http://evil.example/steal) ||spoiler|| # Heading\n> fake quote\n- list")
MASKED_LINK = re.compile(r"(?<!\\)\[[^\]\n]*(?<!\\)\]\(")


@pytest.fixture
def discord():  # type: ignore[no-untyped-def]
    fake = FakeDiscord()
    yield fake
    fake.stop()


@pytest.fixture
def forum():  # type: ignore[no-untyped-def]
    fake = FakeDiscord(forum=True)
    yield fake
    fake.stop()


def source(server) -> dict:  # type: ignore[no-untyped-def]
    return {"id": "github", "kind": "statuspage", "service": "GitHub", "url": server.url}


def channel(**extra) -> dict:  # type: ignore[no-untyped-def]
    return {"id": "ops", "kind": "discord", "webhook_env": "OPS_DISCORD_WEBHOOK", "min_interval": 0.02,
            "per_minute": 0, "languages": ["en"], **extra}


def poll(config, fake: FakeDiscord):  # type: ignore[no-untyped-def]
    result = run_bot("poll", "--once", "--config", str(config), env={"OPS_DISCORD_WEBHOOK": fake.url})
    assert result.returncode == 0, result.stderr
    assert fake.token not in result.stderr + result.stdout
    return result


def live_incident():  # type: ignore[no-untyped-def]
    live = shifted(load_incident("w7wlzstc8wss"), recent_start(3))
    return live, sorted(live["incident_updates"], key=lambda u: u["display_at"])


def words(text: str) -> str:
    return " ".join(mk.markdown_to_plain(text).split())


def replay(server, tmp_path, fake: FakeDiscord, **extra):  # type: ignore[no-untyped-def]
    """The incident revealed one statement per poll; returns its updates."""
    live, updates = live_incident()
    route = server.route(PATH, incidents_document())
    config = write_config(tmp_path, [source(server)], [channel(**extra)])
    poll(config, fake)  # baseline: quiet
    assert fake.messages == []
    for count in range(1, len(updates) + 1):
        route.body = incidents_document(revealed(live, count))
        poll(config, fake)
        assert len(fake.messages) == count
    return updates


def assert_every_request_is_safe(fake: FakeDiscord) -> None:
    for call in fake.calls:
        assert call.body["allowed_mentions"] == {"parse": []}
        assert "content" not in call.body  # the text is in the embed: nothing in a message can ping
        if call.method == "POST":
            assert call.query["wait"] == ["true"]


def test_forum_post_per_incident_replies_in_it_and_its_first_message_edited(server, tmp_path, forum):
    updates = replay(server, tmp_path, forum, thread_name="{title}")
    assert len(forum.threads) == 1
    thread_id, name = next(iter(forum.threads.items()))
    assert name.startswith("🔴 GitHub") and len(name) <= 100 and "*" not in name
    posts = forum.in_thread(thread_id)
    assert len(posts) == len(updates) and posts[0].id == thread_id  # the post's first message is the root
    for message, update in zip(posts, updates, strict=True):
        assert words(update["body"])[:60] in words(message.payload["embeds"][0]["description"])
    posts_made = [c for c in forum.calls if c.method == "POST" and c.status == 200]
    assert "thread_name" in posts_made[0].body and "thread_id" not in posts_made[0].query
    assert all(c.query["thread_id"] == [thread_id] and "thread_name" not in c.body for c in posts_made[1:])
    root = posts[0]
    assert len(root.edits) == 1 and words(root.description).startswith("✅ GitHub")
    assert words(updates[0]["body"])[:60] in words(root.description)  # the card keeps the first statement
    patch = [c for c in forum.calls if c.method == "PATCH"]
    assert [(c.path.rsplit("/", 1)[1], c.query["thread_id"], c.status) for c in patch] == [(root.id, [thread_id], 200)]
    colours = [m.payload["embeds"][0]["color"] for m in posts]
    assert colours[0] == mk.STATUS_COLOURS["🔴"] and colours[-1] == mk.STATUS_COLOURS["✅"]
    assert root.edits[0]["embeds"][0]["color"] == mk.STATUS_COLOURS["✅"]
    assert_every_request_is_safe(forum)
    db = sqlite3.connect(tmp_path / "state.db")
    assert db.execute("select root_remote_id from channel_threads").fetchall() == [(f"{thread_id}/{root.id}",)]
    assert db.execute("select count(*) from outbox where status != 'sent'").fetchone()[0] == 0


def test_plain_channel_posts_each_statement_and_edits_the_first(server, tmp_path, discord):
    updates = replay(server, tmp_path, discord)
    sent = discord.in_channel()
    assert len(sent) == len(updates) and discord.threads == {}
    assert all("thread_id" not in c.query and "thread_name" not in c.body for c in discord.calls)
    assert len(sent[0].edits) == 1 and words(sent[0].description).startswith("✅ GitHub")
    assert all(not m.edits for m in sent[1:])
    assert_every_request_is_safe(discord)


def test_thread_id_puts_everything_in_that_thread_and_edits_there(server, tmp_path, discord):
    discord.threads["1250000000000000009"] = "status"
    updates = replay(server, tmp_path, discord, thread_id="1250000000000000009")
    sent = discord.in_thread("1250000000000000009")
    assert len(sent) == len(updates) and discord.in_channel() == []
    assert [c.query["thread_id"] for c in discord.calls if c.method == "PATCH"] == [["1250000000000000009"]]
    assert len(sent[0].edits) == 1


def test_a_429_pauses_then_everything_arrives_once(server, tmp_path, forum):
    live, updates = live_incident()
    route = server.route(PATH, incidents_document())
    config = write_config(tmp_path, [source(server)], [channel(thread_name="{title}")])
    poll(config, forum)
    forum.storm = [1.2, 1.0]  # two 429 answers in a row, retry_after in seconds (float), as Discord sends them
    route.body = incidents_document(revealed(live, len(updates)))
    result = poll(config, forum)
    assert forum.statuses("POST").count(429) == 2
    posts = forum.in_thread(next(iter(forum.threads)))
    descriptions = [m.payload["embeds"][0]["description"] for m in posts]
    assert len(descriptions) == len(set(descriptions)) == len(updates)  # nothing lost, nothing twice
    assert len(posts[0].edits) == 1
    assert "kept for the next run" not in result.stderr  # the pauses were waited for within the run
    db = sqlite3.connect(tmp_path / "state.db")
    assert db.execute("select count(*) from outbox where status != 'sent'").fetchone()[0] == 0


def test_hostile_statement_text_never_pings_or_links(server, tmp_path, forum):
    live, updates = live_incident()
    first = min(live["incident_updates"], key=lambda u: u["display_at"])
    first["body"] = HOSTILE
    route = server.route(PATH, incidents_document())
    config = write_config(tmp_path, [source(server)], [channel(thread_name="{title}")])
    poll(config, forum)
    route.body = incidents_document(revealed(live, 1))
    poll(config, forum)
    [call] = [c for c in forum.calls if c.method == "POST"]
    assert call.body["allowed_mentions"] == {"parse": []}
    text = call.body["embeds"][0]["description"]
    assert "@\u200beveryone" in text and "@\u200bhere" in text
    assert not re.search(r"@(everyone|here)", text)
    assert "\\<@123456789012345678\\>" in text and "\\<@&987654321098765432\\>" in text and "\\<\\#1111" in text
    assert not re.search(r"(?<!\\)<[@#]", text)  # no mention, role or channel syntax survives
    assert "\\[click here\\](http://evil.example/steal)" in text and not MASKED_LINK.search(text)
    assert "\\|\\|spoiler\\|\\|" in text and "\\# Heading" in text
    # and the statement still reads as itself once the escapes are undone
    assert "[click here](http://evil.example/steal) ||spoiler||" in mk.markdown_to_plain(text)
    assert call.body["thread_name"].startswith("🔴 GitHub") and "evil" not in call.body["thread_name"]


def test_bad_discord_settings_are_one_line_exit_2(tmp_path, server):
    for extra, said in (
        ({"thread_id": "12ab"}, "thread_id must be a Discord thread id"),
        ({"thread_name": "x" * 101}, "thread_name must be text of 1 to 100 characters"),
        ({"thread_name": "{service}"}, "the only placeholder is {title}"),
        ({"thread_id": 5, "thread_name": "{title}"}, "not both"),
        ({"webhook_env": "https://discord.com/api/webhooks/1/x"}, "webhook_env must name an environment variable"),
    ):
        config = write_config(tmp_path, [source(server)], [channel(**extra)])
        result = run_bot("status", "--config", str(config))
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and said in lines[0] and "Traceback" not in result.stderr


def test_missing_or_wrong_webhook_keeps_messages_queued(server, tmp_path, discord):
    live, updates = live_incident()
    route = server.route(PATH, incidents_document())
    config = write_config(tmp_path, [source(server)], [channel()])
    poll(config, discord)
    route.body = incidents_document(revealed(live, 2))
    result = run_bot("poll", "--once", "--config", str(config), env={"OPS_DISCORD_WEBHOOK": ""})
    assert 'discord channel "ops" needs OPS_DISCORD_WEBHOOK' in result.stderr
    wrong = "https://example.com/hooks/123/secret-token-value"
    result = run_bot("deliver", "--config", str(config), env={"OPS_DISCORD_WEBHOOK": wrong})
    assert "is not a Discord webhook URL" in result.stderr and "secret-token-value" not in result.stderr
    assert discord.messages == []
    again = run_bot("deliver", "--config", str(config), env={"OPS_DISCORD_WEBHOOK": discord.url})
    assert "sent 2, failed 0, waiting 0" in again.stdout, again.stderr
    assert len(discord.in_channel()) == 2


# -- in process: the channel's own rules ---------------------------------------------------------------------------


def make_channel(fake: FakeDiscord, monkeypatch, clear: bool = True, **options):  # type: ignore[no-untyped-def]
    from channels.discord import DiscordChannel, _ready
    from config import BotConfig, ChannelConfig

    if clear:
        _ready.clear()
    monkeypatch.setenv("OPS_DISCORD_WEBHOOK", fake.url)
    config = ChannelConfig(id="ops", kind="discord", options={"webhook_env": "OPS_DISCORD_WEBHOOK", **options})
    return DiscordChannel(config, BotConfig(path="<test>"))


def test_an_empty_bucket_holds_the_next_request_without_sending(discord, monkeypatch):
    from channels import ChannelError
    from render import RenderedMessage

    hook = make_channel(discord, monkeypatch)
    discord.empty_bucket = 1  # the answer says X-RateLimit-Remaining: 0, X-RateLimit-Reset-After: 1.5
    hook.send(RenderedMessage(parts=["**🔴 GitHub: trouble**\nfirst"]))
    with pytest.raises(ChannelError) as caught:
        hook.send(RenderedMessage(parts=["**🟠 GitHub: update**\nsecond"]))
    assert caught.value.retry_after is not None and 1.0 <= caught.value.retry_after <= 1.5
    assert len(discord.calls) == 1  # nothing was sent while the bucket was empty
    other = make_channel(discord, monkeypatch, clear=False)  # the hold is per webhook, not per channel entry
    with pytest.raises(ChannelError):
        other.send(RenderedMessage(parts=["**🟠 GitHub: update**\nsecond"]))
    assert len(discord.calls) == 1


def test_a_429_answer_is_read_from_the_json_body_and_bounded(discord, monkeypatch):
    from channels import ChannelError
    from render import RenderedMessage

    hook = make_channel(discord, monkeypatch)
    discord.storm = [2.5]
    with pytest.raises(ChannelError) as caught:
        hook.send(RenderedMessage(parts=["**🔴 x**"]))
    assert caught.value.retry_after == 2.5 and not caught.value.permanent
    assert "429" in str(caught.value) and discord.token not in str(caught.value)
    discord.storm = [86400.0]
    from channels.discord import _ready

    _ready.clear()
    with pytest.raises(ChannelError) as caught:
        hook.send(RenderedMessage(parts=["**🔴 x**"]))
    assert caught.value.retry_after == 900.0  # a day is clamped to 15 min


def test_errors_say_what_to_do_and_never_the_token(discord, forum, monkeypatch):
    from channels import ChannelError
    from render import RenderedMessage

    message = RenderedMessage(parts=["**🔴 GitHub**\ntext"])
    discord.deleted_webhook = True
    with pytest.raises(ChannelError) as caught:
        make_channel(discord, monkeypatch).send(message)
    assert caught.value.permanent and "10015" in str(caught.value) and "make a new one" in str(caught.value)
    assert discord.token not in str(caught.value)
    with pytest.raises(ChannelError) as caught:  # a forum without thread_name
        make_channel(forum, monkeypatch).send(message)
    assert caught.value.permanent and "set thread_name" in str(caught.value)
    with pytest.raises(ChannelError) as caught:
        make_channel(forum, monkeypatch, thread_id="1299999999999999999").send(message)
    assert caught.value.permanent and "thread_id 1299999999999999999 not found" in str(caught.value)
    hook = make_channel(forum, monkeypatch, thread_name="{title}")
    root = hook.send(message)
    forum.delete_thread(root.split("/")[0])
    with pytest.raises(ChannelError) as caught:  # the post was deleted: the outbox posts anew
        hook.send(message, reply_to=root)
    assert caught.value.missing_target and not caught.value.permanent
    with pytest.raises(ChannelError) as caught:
        hook.edit(root, message)
    assert caught.value.missing_target
    with pytest.raises(ChannelError) as caught:
        hook.send(RenderedMessage(parts=["x" * 4097]))
    assert caught.value.permanent and "too long" in str(caught.value)


def test_long_messages_split_into_embeds_within_the_limits(server, tmp_path, forum):
    live, updates = live_incident()
    first = min(live["incident_updates"], key=lambda u: u["display_at"])
    first["body"] = "\n\n".join(f"Paragraph {n}: *stars* _under_ [x](http://e) " + "काम जारी है। " * 40
                                for n in range(20))
    route = server.route(PATH, incidents_document())
    config = write_config(tmp_path, [source(server)], [channel(thread_name="{title}", languages=["hi", "en"])])
    poll(config, forum)
    route.body = incidents_document(revealed(live, 1))
    poll(config, forum)
    posts = forum.in_thread(next(iter(forum.threads)))
    assert len(posts) >= 3  # one message in several embeds, the later parts in the post's thread
    for post in posts:
        text = post.payload["embeds"][0]["description"]
        assert mk.measure(text) <= 4096 and not MASKED_LINK.search(text)
        assert post.payload["embeds"][0]["color"] == mk.STATUS_COLOURS["🔴"]
        assert not re.search(r"(?<!\\)(\\\\)*\\$", text)  # no part ends on a dangling escape
    joined = "\n".join(mk.markdown_to_plain(p.payload["embeds"][0]["description"]) for p in posts)
    assert joined.count("Paragraph") == 2 * 20  # every paragraph, in both languages
