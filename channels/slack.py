"""The Slack channel: a bot token with slack-sdk's WebClient (``chat.postMessage`` in the incident's thread,
``chat.update`` of the root on resolution), or an incoming webhook (no threads, no edits).

slack-sdk's own retry handlers are switched off: the outbox owns retrying and 429 waits.

Every message sent with a bot token carries Slack message ``metadata`` (``event_type`` "pushti_outbox",
``event_payload`` {outbox_id, part}); after a crash between Slack accepting a message and the outbox recording it,
``find_sent`` looks for it in the channel's recent history (``conversations.history`` / ``conversations.replies``
with ``include_all_metadata``), so it is not posted twice. That needs the ``channels:history`` scope
(``groups:history`` in a private channel); without it ``HistoryUnreadable`` is raised and the message is sent again.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

from channels import Channel, ChannelError, HistoryUnreadable, bounded_retry_after
from logsetup import register_secret
from render import RenderedMessage

TEXT_LIMIT = 40_000  # chat.postMessage truncates text past this; we refuse instead
SECTION_LIMIT = 3_000
MAX_BLOCKS = 50
PERMANENT_ERRORS = {
    "channel_not_found", "not_in_channel", "is_archived", "msg_too_long", "no_text", "invalid_blocks",
    "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "missing_scope",
    "restricted_action", "cant_update_message", "edit_window_closed", "invalid_arguments", "too_many_attachments",
    "channel_is_archived", "action_prohibited", "no_service", "invalid_payload", "invalid_token", "posting_to_general_channel_denied",
}
# slack-sdk logs every failed call at ERROR (with the raw body); the ChannelError line already says it
_SDK_LOG = logging.getLogger("pushti.channels.slack_sdk")
_SDK_LOG.setLevel(logging.CRITICAL)
METADATA_EVENT = "pushti_outbox"
HISTORY_LIMIT = 50  # messages read per history call when looking for a message a crash left in doubt
HISTORY_PAGES = 4  # pages followed at most (200 messages since the attempt)
HISTORY_UNREADABLE_ERRORS = {"missing_scope", "not_allowed_token_type", "no_permission", "access_denied",
                             "ekm_access_denied", "method_not_supported_for_channel_type"}
MISSING_TARGET_ERRORS = {"message_not_found", "thread_not_found", "invalid_thread_ts", "cant_update_message"}


def _retry_after(headers: Any, default: float = 30.0, where: str = "slack") -> float:
    """The Retry-After header, in seconds, bounded to [1 s, 15 min]; garbage → ``default`` (one warning)."""
    value = None
    if headers and hasattr(headers, "get"):
        for key in ("Retry-After", "retry-after"):
            value = headers.get(key)
            if value is not None:
                break
    return bounded_retry_after(value, where, default)


def _scrub(text: str, *secrets: str) -> str:
    """The text without the secrets, their parts (a webhook's path after /services/, its last segment) or any
    Slack token."""
    from logsetup import mask, register_secret

    for secret in secrets:
        register_secret(secret)
    return mask(re.sub(r"xox[abposre]-[A-Za-z0-9-]+", "<token>", text))


class SlackChannel(Channel):
    kind = "slack"
    markup = "slack"
    max_chars = SECTION_LIMIT  # one part fits one section block; the fallback text carries it too
    can_thread = True
    can_edit = True

    def __init__(self, config, bot, *, client: Any = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(config, bot)
        self.api_base = str(config.option("api_base") or "").rstrip("/")
        timeout = int(config.option("timeout", 15))
        webhook_env = config.option("webhook_env")
        self._secret = ""
        self.webhook = None
        self.client = None
        if webhook_env:
            url = os.environ.get(str(webhook_env), "").strip()
            if not url:
                raise ChannelError(f"slack channel \"{config.id}\" needs {webhook_env} (the incoming webhook URL) in the environment")
            from slack_sdk.webhook import WebhookClient

            self._secret = url
            register_secret(url)
            self.webhook = client or WebhookClient(url, timeout=timeout, retry_handlers=[], logger=_SDK_LOG)
            self.can_thread = False
            self.can_edit = False
            self.channel = ""
            return
        env_name = str(config.option("token_env") or "SLACK_BOT_TOKEN")
        token = os.environ.get(env_name, "").strip()
        if not token:
            raise ChannelError(f"slack channel \"{config.id}\" needs {env_name} in the environment")
        channel = str(config.option("channel") or "").strip()
        if not channel:
            raise ChannelError(f"slack channel \"{config.id}\" needs channel = <channel id or #name>")
        self.channel = channel
        self._secret = token
        register_secret(token)
        if client is None:
            from slack_sdk import WebClient

            kwargs: dict[str, Any] = {"token": token, "timeout": timeout, "retry_handlers": [], "logger": _SDK_LOG}
            if self.api_base:
                kwargs["base_url"] = self.api_base + "/"
            client = WebClient(**kwargs)
        self.client = client

    def min_interval(self) -> float:
        """Slack: about one message a second per channel (``min_interval`` in the config overrides)."""
        return self.configured_interval(1.0)

    # -- messages -----------------------------------------------------------------------------------------------

    def _payload(self, message: RenderedMessage) -> dict[str, Any]:
        text = message.parts[0] if message.parts else ""
        if not text.strip() and not message.blocks:
            raise ChannelError("slack: message text is empty", permanent=True)
        if len(text) > TEXT_LIMIT:
            raise ChannelError(f"slack: message is too long ({len(text)} > {TEXT_LIMIT} characters)", permanent=True)
        payload: dict[str, Any] = {"text": text}
        if message.blocks:
            if len(message.blocks) > MAX_BLOCKS:
                raise ChannelError(f"slack: {len(message.blocks)} blocks (at most {MAX_BLOCKS})", permanent=True)
            payload["blocks"] = message.blocks
        return payload

    def send(self, message: RenderedMessage, *, reply_to: str | None = None) -> str:
        """Post the message's first part (with its blocks); returns the message ``ts`` ("" for a webhook)."""
        payload = self._payload(message)
        if self.webhook is not None:
            self._webhook_send(payload)
            return ""
        if reply_to:
            payload["thread_ts"] = reply_to
        outbox_id = message.extra.get("outbox_id") if isinstance(message.extra, dict) else None
        if outbox_id is not None:  # so a crash's doubt can be settled from the channel's history
            payload["metadata"] = {"event_type": METADATA_EVENT,
                                   "event_payload": {"outbox_id": int(outbox_id), "part": int(message.extra.get("part", 0))}}
        response = self._api("chat.postMessage", self.client.chat_postMessage, channel=self.channel,
                             unfurl_links=False, unfurl_media=False, **payload)
        ts = response.get("ts")
        if not ts:
            raise ChannelError("slack chat.postMessage: answer without ts", permanent=True)
        return str(ts)

    def edit(self, remote_id: str, message: RenderedMessage) -> None:
        """Replace the root message's text (an identical text is simply accepted again)."""
        if self.webhook is not None:
            raise ChannelError("slack webhook: messages cannot be edited", permanent=True)
        card = message.card or (message.parts[0] if message.parts else "")
        payload = self._payload(RenderedMessage(parts=[card], blocks=message.extra.get("card_blocks")))
        self._api("chat.update", self.client.chat_update, channel=self.channel, ts=remote_id, **payload)

    # -- after a crash ------------------------------------------------------------------------------------------

    @property
    def can_look_back(self) -> bool:
        """Whether a message left in doubt by a crash can be looked for (bot token, not a webhook)."""
        return self.client is not None

    def find_sent(self, outbox_id: int, part: int, *, since: float, threads: tuple[str, ...] = ()) -> str | None:
        """The ts of the message part sent for outbox row ``outbox_id`` since ``since`` (Unix time), found by its
        metadata in the channel's history and in the given threads; None when it is not there (it never arrived).
        ``HistoryUnreadable`` without the history scope; ``ChannelError`` when Slack cannot be asked now."""
        oldest = f"{max(0.0, since):.6f}"
        calls: list[tuple[str, Any, dict[str, Any]]] = [
            ("conversations.history", self.client.conversations_history, {})]
        calls += [("conversations.replies", self.client.conversations_replies, {"ts": ts}) for ts in threads if ts]
        for method, call, extra in calls:
            cursor = ""
            for _ in range(HISTORY_PAGES):  # a busy channel: a few pages back, not its whole history
                response = self._api(method, call, channel=self.channel, oldest=oldest, limit=HISTORY_LIMIT,
                                     include_all_metadata=True, **({"cursor": cursor} if cursor else {}), **extra)
                for item in response.get("messages") or []:
                    metadata = item.get("metadata") if isinstance(item, dict) else None
                    payload = metadata.get("event_payload") if isinstance(metadata, dict) else None
                    if (isinstance(payload, dict) and metadata.get("event_type") == METADATA_EVENT
                            and str(payload.get("outbox_id")) == str(outbox_id)
                            and str(payload.get("part", 0)) == str(part)):
                        return str(item.get("ts"))
                next_page = response.get("response_metadata") or {}
                cursor = str(next_page.get("next_cursor") or "") if isinstance(next_page, dict) else ""
                if not (response.get("has_more") and cursor):
                    break
        return None

    # -- errors -------------------------------------------------------------------------------------------------

    def _api(self, method: str, call: Any, **kwargs: Any) -> Any:
        from slack_sdk.errors import SlackApiError

        try:
            return call(**kwargs)
        except SlackApiError as err:
            raise self._error(method, err.response) from None
        except Exception as err:  # urllib / socket errors: retry later
            raise ChannelError(_scrub(f"slack {method}: network error: {type(err).__name__}: {err}", self._secret)) from None

    def _error(self, method: str, response: Any) -> ChannelError:
        status = int(getattr(response, "status_code", 0) or 0)
        data = getattr(response, "data", None)
        error = str(data.get("error", "")) if isinstance(data, dict) else ""
        headers = getattr(response, "headers", {}) or {}
        text = _scrub(f"slack {method}: {error or 'HTTP ' + str(status)}" + (f" (HTTP {status})" if error and status != 200 else ""), self._secret)
        if error in HISTORY_UNREADABLE_ERRORS and method.startswith("conversations."):
            needed = str(data.get("needed") or "channels:history") if isinstance(data, dict) else "channels:history"
            return HistoryUnreadable(f"{text} (needs the {needed} scope)")
        if status == 429 or error in ("ratelimited", "rate_limited"):
            return ChannelError(text, retry_after=_retry_after(headers, where=f"channel \"{self.config.id}\" slack {method}"))
        if error in MISSING_TARGET_ERRORS:
            return ChannelError(text, missing_target=True, permanent=error == "cant_update_message")
        if error in PERMANENT_ERRORS:
            return ChannelError(text, permanent=True)
        if status >= 500 or not error or error.startswith("Received") or error in ("fatal_error", "internal_error", "service_unavailable", "request_timeout"):
            return ChannelError(text)
        return ChannelError(text, permanent=True)

    def _webhook_send(self, payload: dict[str, Any]) -> None:
        try:
            response = self.webhook.send(**payload)
        except Exception as err:
            raise ChannelError(_scrub(f"slack webhook: network error: {type(err).__name__}: {err}", self._secret)) from None
        status, body = int(response.status_code), str(response.body or "").strip()
        if status == 200:
            return
        text = _scrub(f"slack webhook: HTTP {status} {body[:80]}".rstrip(), self._secret)
        if status == 429:
            raise ChannelError(text, retry_after=_retry_after(response.headers, where=f"channel \"{self.config.id}\" slack webhook"))
        if status >= 500:
            raise ChannelError(text)
        raise ChannelError(text, permanent=True)
