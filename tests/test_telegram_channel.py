"""The Telegram channel against the fake Bot API: sends, replies, edits, limits, errors without the token."""

from __future__ import annotations

import httpx
import pytest
from fake_telegram import FakeTelegram

from channels import ChannelError
from channels.telegram import TelegramChannel
from config import BotConfig, ChannelConfig
from render import RenderedMessage

TOKEN = "123456:TEST-token"
CHAT = "-1001234"


@pytest.fixture
def fake():
    server = FakeTelegram(TOKEN)
    yield server
    server.stop()


def make(fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch, **options) -> TelegramChannel:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    config = ChannelConfig(id="desk", kind="telegram", options={"chat": CHAT, "api_base": fake.url, "timeout": 3, **options})
    return TelegramChannel(config, BotConfig(path="<test>"))


def msg(text: str, card: str = "") -> RenderedMessage:
    return RenderedMessage(parts=[text], card=card)


def test_missing_token_is_one_line_naming_the_variable(monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    config = ChannelConfig(id="desk", kind="telegram", options={"chat": CHAT})
    with pytest.raises(ChannelError) as caught:
        TelegramChannel(config, BotConfig(path="<test>"))
    assert str(caught.value) == 'telegram channel "desk" needs TELEGRAM_BOT_TOKEN in the environment'
    monkeypatch.setenv("MY_TOKEN", TOKEN)
    channel = TelegramChannel(ChannelConfig(id="desk", kind="telegram", options={"chat": CHAT, "token_env": "MY_TOKEN"}),
                              BotConfig(path="<test>"))
    assert channel.chat == -1001234


def test_send_reply_and_edit_with_real_shapes(fake, monkeypatch):
    channel = make(fake, monkeypatch, message_thread_id=7)
    root = channel.send(msg("<b>GitHub</b>: problem &amp; more"))
    reply = channel.send(msg("update <i>one</i>"), reply_to=root)
    messages = fake.sent(CHAT)
    assert [m.message_id for m in messages] == [int(root), int(reply)]
    assert messages[0].parse_mode == "HTML" and messages[0].link_preview_disabled and messages[0].thread_id == 7
    assert messages[1].reply_to == int(root)
    payload, status = fake.method_calls("sendMessage")[1]
    assert status == 200 and payload["reply_parameters"] == {"message_id": int(root), "allow_sending_without_reply": True}

    channel.edit(root, msg("ignored", card="✅ <b>GitHub</b>: resolved after 8 h 35 min"))
    assert messages[0].edits == ["✅ <b>GitHub</b>: resolved after 8 h 35 min"]
    channel.edit(root, msg("ignored", card="✅ <b>GitHub</b>: resolved after 8 h 35 min"))  # not modified: success
    assert [s for _, s in fake.method_calls("editMessageText")] == [200, 400]
    assert len(messages[0].edits) == 1


def test_missing_targets(fake, monkeypatch):
    channel = make(fake, monkeypatch)
    root = channel.send(msg("root"))
    fake.delete(CHAT, int(root))
    with pytest.raises(ChannelError) as caught:
        channel.edit(root, msg("", card="resolved"))
    assert caught.value.missing_target and "message to edit not found" in str(caught.value)
    again = channel.send(msg("reply to a deleted root"), reply_to=root)  # allow_sending_without_reply
    assert fake.sent(CHAT)[-1].message_id == int(again) and fake.sent(CHAT)[-1].reply_to is None
    assert channel.reply_missing  # the outbox makes this message the thread's new root
    channel.send(msg("a real reply"), reply_to=again)
    assert not channel.reply_missing and fake.sent(CHAT)[-1].reply_to == int(again)


def test_too_long_is_permanent_and_counted_after_entities(fake, monkeypatch):
    channel = make(fake, monkeypatch)
    fits = "<b>" + "&amp;" * 4096 + "</b>"  # 4,096 visible characters
    channel.send(msg(fits))
    with pytest.raises(ChannelError) as caught:
        channel.send(msg("x" * 4097))
    assert caught.value.permanent and "too long" in str(caught.value)
    # the fake refuses it as the real API does, for clients that do not check first
    answer = httpx.post(f"{fake.url}/bot{TOKEN}/sendMessage", json={"chat_id": CHAT, "text": "x" * 4097}).json()
    assert answer == {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}


def test_flood_control_gives_retry_after(fake, monkeypatch):
    channel = make(fake, monkeypatch)
    fake.storm = [7]
    with pytest.raises(ChannelError) as caught:
        channel.send(msg("hello"))
    assert caught.value.retry_after == 7 and not caught.value.permanent
    assert channel.send(msg("hello"))  # the storm is over


@pytest.mark.parametrize("mode", ["502", "refuse"])
def test_down_is_retryable_and_never_shows_the_token(fake, monkeypatch, mode):
    channel = make(fake, monkeypatch)
    fake.go_down(mode)
    with pytest.raises(ChannelError) as caught:
        channel.send(msg("hello"))
    assert not caught.value.permanent and caught.value.retry_after is None
    assert TOKEN not in str(caught.value) and "TEST-token" not in str(caught.value)
    fake.come_up()
    assert channel.send(msg("hello"))


def test_bad_token_and_unknown_chat_are_permanent(fake, monkeypatch):
    fake.chats = {CHAT}
    channel = make(fake, monkeypatch, chat="-999")
    with pytest.raises(ChannelError) as caught:
        channel.send(msg("hello"))
    assert caught.value.permanent and "chat not found" in str(caught.value)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "999:wrong")
    wrong = TelegramChannel(ChannelConfig(id="desk", kind="telegram", options={"chat": CHAT, "api_base": fake.url}),
                            BotConfig(path="<test>"))
    with pytest.raises(ChannelError) as caught:
        wrong.send(msg("hello"))
    assert caught.value.permanent and "401" in str(caught.value) and "wrong" not in str(caught.value)


def test_unparseable_html_is_sent_once_as_plain_text(fake, monkeypatch):
    channel = make(fake, monkeypatch)
    channel.send(msg("<b>broken <i>nesting</b> a &lt; b"))
    sent = fake.sent(CHAT)
    assert len(sent) == 1 and sent[0].parse_mode is None and sent[0].text == "broken nesting a < b"
    strict = make(fake, monkeypatch, plain_fallback=False)
    with pytest.raises(ChannelError) as caught:
        strict.send(msg("<blink>x</blink>"))
    assert caught.value.permanent and "can't parse entities" in str(caught.value)


def test_pacing_per_chat_kind(fake, monkeypatch):
    group = make(fake, monkeypatch)
    assert group.min_interval() == 1.0 and group.rate_window() == (20, 60.0)
    private = make(fake, monkeypatch, chat=42)
    assert private.rate_window() is None
    named = make(fake, monkeypatch, chat="@pushti_alerts", min_interval=0.05, per_minute=0)
    assert named.min_interval() == 0.05 and named.rate_window() is None
