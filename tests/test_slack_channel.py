"""The Slack channel against the fake Web API and webhook: threads, updates, limits, 429, errors."""

from __future__ import annotations

import time

import pytest
from fake_slack import FakeSlack

from channels import ChannelError
from channels.slack import SlackChannel
from config import BotConfig, ChannelConfig
from render import RenderedMessage

TOKEN = "xoxb-test-token"


@pytest.fixture
def fake():
    server = FakeSlack(TOKEN)
    yield server
    server.stop()


def make(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, **options) -> SlackChannel:
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    config = ChannelConfig(id="team", kind="slack", options={"channel": "C0PUSHTI", "api_base": fake.api_base, "timeout": 3, **options})
    return SlackChannel(config, BotConfig(path="<test>"))


BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*GitHub*: problem acknowledged"}}]


def test_missing_token(monkeypatch):
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    with pytest.raises(ChannelError) as caught:
        SlackChannel(ChannelConfig(id="team", kind="slack", options={"channel": "C1"}), BotConfig(path="<test>"))
    assert str(caught.value) == 'slack channel "team" needs SLACK_BOT_TOKEN in the environment'


def test_post_in_thread_and_update_root(fake, monkeypatch):
    channel = make(fake, monkeypatch)
    root = channel.send(RenderedMessage(parts=["*GitHub*: problem acknowledged"], blocks=BLOCKS))
    reply = channel.send(RenderedMessage(parts=["update"]), reply_to=root)
    assert [m.ts for m in fake.roots()] == [root]
    assert [m.ts for m in fake.replies(root)] == [reply]
    assert fake.roots()[0].blocks == BLOCKS and fake.roots()[0].unfurl_links is False
    channel.edit(root, RenderedMessage(parts=["x"], card="✅ GitHub: resolved after 8 h 35 min"))
    channel.edit(root, RenderedMessage(parts=["x"], card="✅ GitHub: resolved after 8 h 35 min"))  # idempotent
    assert fake.roots()[0].current == "✅ GitHub: resolved after 8 h 35 min"


def test_missing_root_and_permanent_errors(fake, monkeypatch):
    channel = make(fake, monkeypatch)
    root = channel.send(RenderedMessage(parts=["root"]))
    fake.delete(root)
    with pytest.raises(ChannelError) as caught:
        channel.edit(root, RenderedMessage(parts=["x"], card="resolved"))
    assert caught.value.missing_target and "message_not_found" in str(caught.value)
    with pytest.raises(ChannelError) as caught:
        channel.send(RenderedMessage(parts=["reply"]), reply_to=root)
    assert caught.value.missing_target
    unknown = make(fake, monkeypatch, channel="C0NOPE")
    with pytest.raises(ChannelError) as caught:
        unknown.send(RenderedMessage(parts=["hello"]))
    assert caught.value.permanent and "channel_not_found" in str(caught.value)
    with pytest.raises(ChannelError) as caught:
        channel.send(RenderedMessage(parts=["x" * 40_001]))
    assert caught.value.permanent and "too long" in str(caught.value)
    with pytest.raises(ChannelError) as caught:  # the server's own limit on section text
        channel.send(RenderedMessage(parts=["x"], blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "y" * 3001}}]))
    assert caught.value.permanent and "invalid_blocks" in str(caught.value)


def test_rate_limit_gives_retry_after_without_sleeping(fake, monkeypatch):
    channel = make(fake, monkeypatch)
    fake.storm = [30]
    started = time.monotonic()
    with pytest.raises(ChannelError) as caught:
        channel.send(RenderedMessage(parts=["hello"]))
    assert time.monotonic() - started < 2  # slack-sdk's retry handlers do not sleep inside the call
    assert caught.value.retry_after == 30 and not caught.value.permanent
    assert channel.send(RenderedMessage(parts=["hello"]))


@pytest.mark.parametrize("mode", ["502", "refuse"])
def test_down_is_retryable_and_never_shows_the_token(fake, monkeypatch, mode):
    channel = make(fake, monkeypatch)
    fake.go_down(mode)
    with pytest.raises(ChannelError) as caught:
        channel.send(RenderedMessage(parts=["hello"]))
    assert not caught.value.permanent and TOKEN not in str(caught.value)
    fake.come_up()
    assert channel.send(RenderedMessage(parts=["hello"]))


def test_bad_token_is_permanent(fake, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-wrong-one")
    channel = SlackChannel(ChannelConfig(id="team", kind="slack", options={"channel": "C0PUSHTI", "api_base": fake.api_base}),
                           BotConfig(path="<test>"))
    with pytest.raises(ChannelError) as caught:
        channel.send(RenderedMessage(parts=["hello"]))
    assert caught.value.permanent and "invalid_auth" in str(caught.value) and "wrong-one" not in str(caught.value)


def test_webhook_mode_posts_without_threads_or_edits(fake, monkeypatch):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", fake.webhook_url)
    channel = SlackChannel(ChannelConfig(id="hook", kind="slack", options={"webhook_env": "SLACK_WEBHOOK_URL"}),
                           BotConfig(path="<test>"))
    assert not channel.can_thread and not channel.can_edit
    assert channel.send(RenderedMessage(parts=["hello"], blocks=BLOCKS)) == ""
    assert fake.webhook_posts == [{"text": "hello", "blocks": BLOCKS}]
    fake.storm = [4]
    with pytest.raises(ChannelError) as caught:
        channel.send(RenderedMessage(parts=["hello"]))
    assert caught.value.retry_after == 4
    with pytest.raises(ChannelError) as caught:
        channel.edit("", RenderedMessage(parts=["x"], card="y"))
    assert caught.value.permanent
    monkeypatch.setenv("SLACK_WEBHOOK_URL", fake.url + "/services/T0001/B0001/revoked")
    revoked = SlackChannel(ChannelConfig(id="hook", kind="slack", options={"webhook_env": "SLACK_WEBHOOK_URL"}),
                           BotConfig(path="<test>"))
    with pytest.raises(ChannelError) as caught:
        revoked.send(RenderedMessage(parts=["hello"]))
    assert caught.value.permanent and "404" in str(caught.value) and "revoked" not in str(caught.value)
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    with pytest.raises(ChannelError) as caught:
        SlackChannel(ChannelConfig(id="hook", kind="slack", options={"webhook_env": "SLACK_WEBHOOK_URL"}), BotConfig(path="<test>"))
    assert "SLACK_WEBHOOK_URL" in str(caught.value)
