"""Logging: one line per event, human-readable or JSON, with secrets masked wherever they appear.

What is masked: the values of token-like environment variables (``*_TOKEN``, ``*_SECRET``, ``*_WEBHOOK_URL``,
``*_KEY``, …) and of secrets a channel registers (``register_secret``), and the secret *parts* of those values and
of any URL in the text: a Slack webhook's path after ``/services/`` (a server that echoes the request path puts it
in an error body), a Telegram bot token after ``/bot``, ``xox…-`` Slack tokens. ``mask`` is applied to every log
line, to channel errors stored in the outbox and to what ``bot.py status`` shows.

``emit`` writes an operator line (a source failure, a config error) to stderr: plain in text mode, one JSON object
in ``--log-format json``, so every stderr line of a JSON run parses as JSON.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
import time
from typing import Any
from urllib.parse import unquote, urlsplit

SECRET_VARIABLES = ("X_BEARER_TOKEN", "TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL")
SECRET_SUFFIXES = ("_TOKEN", "_SECRET", "_WEBHOOK_URL", "_WEBHOOK", "_KEY", "_PASSWORD")
MASK = "***"
MIN_SECRET = 6  # shorter values are not worth masking (and would mask ordinary words)

# secret parts recognised by shape, whatever variable (or none) they came from
_PATTERNS = (
    re.compile(r"(/services/)[^\s\"'<>?#]+"),  # Slack incoming webhook: /services/T…/B…/secret
    re.compile(r"(/bot)\d+:[A-Za-z0-9_-]+"),  # Telegram Bot API: /bot<id>:<secret>/method
    re.compile(r"()\b\d{5,}:[A-Za-z0-9_-]{30,}"),  # a bare Telegram bot token
    re.compile(r"()\bxox[abposre]-[A-Za-z0-9-]{6,}"),  # Slack tokens
    re.compile(r"()\bxapp-[A-Za-z0-9-]{6,}"),
)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # never into a log line (a terminal)
_registered: set[str] = set()
_lock = threading.Lock()
_format = "text"


def register_secret(value: str | None) -> None:
    """A secret this process holds (a channel's token or webhook URL, whatever its variable is called)."""
    if value and len(value.strip()) >= MIN_SECRET:
        with _lock:
            _registered.add(value.strip())


def _parts(value: str) -> list[str]:
    """The value and its secret parts: for a URL its path (and query), the path after ``/services/`` or ``/bot``,
    and its last path segment; percent-decoded forms too."""
    found = [value]
    if "://" in value:
        try:
            split = urlsplit(value)
        except ValueError:
            split = None
        if split is not None:
            path = split.path.rstrip("/")
            found += [path, split.query]
            for marker in ("/services/", "/bot"):
                if marker in path:
                    found.append(path.split(marker, 1)[1])
            segments = [s for s in path.split("/") if s]
            if segments:
                found.append(segments[-1])
    found += [unquote(v) for v in found]
    return [v for v in found if v and len(v) >= MIN_SECRET]


def secret_values() -> list[str]:
    """Values of token-like environment variables and registered secrets, with their secret parts, longest first."""
    values: set[str] = set()
    for name, value in os.environ.items():
        value = value.strip()
        if (name in SECRET_VARIABLES or name.upper().endswith(SECRET_SUFFIXES)) and len(value) >= MIN_SECRET:
            values.update(_parts(value))
    with _lock:
        for value in _registered:
            values.update(_parts(value))
    return sorted(values, key=len, reverse=True)


def mask(text: Any) -> str:
    """The text with every known secret (and secret part) replaced by ``***``."""
    text = "" if text is None else str(text)
    for value in secret_values():
        if value in text:
            text = text.replace(value, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


class MaskingFormatter(logging.Formatter):
    def __init__(self, as_json: bool) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%SZ")
        self.converter = time.gmtime
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info:
            error = record.exc_info[1]
            if getattr(error, "one_line", False):  # an operator's problem (StateError): its line, not a traceback
                message += f" | {error}"
            else:
                message += " | " + " ".join(self.formatException(record.exc_info).split())
        message = _CONTROL.sub("", mask(" ".join(message.split())))
        if self.as_json:
            return json.dumps(
                {"time": self.formatTime(record, self.datefmt), "level": record.levelname.lower(),
                 "logger": record.name, "message": message},
                ensure_ascii=False,
            )
        return f"{self.formatTime(record, self.datefmt)} {record.levelname} {record.name}: {message}"


def log_format() -> str:
    """The format chosen by ``setup_logging``: "text" or "json"."""
    return _format


def emit(message: str, level: str = "error", logger: str = "pushti") -> None:
    """One operator line on stderr (masked, on one line): as it is in text mode, a JSON object in json mode."""
    line = _CONTROL.sub("", mask(" ".join(str(message).split())))
    if _format == "json":
        line = json.dumps(
            {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "level": level, "logger": logger,
             "message": line},
            ensure_ascii=False,
        )
    stream = sys.stderr
    stream.write(line + "\n")
    stream.flush()


def _uncaught(kind: type[BaseException], value: BaseException, tb: Any) -> None:
    if issubclass(kind, KeyboardInterrupt):
        emit("interrupted", "warning")
        return
    logging.getLogger("pushti").critical("unexpected error: %s: %s", kind.__name__, value, exc_info=(kind, value, tb))


def _uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    logging.getLogger("pushti").critical(
        "unexpected error in thread %s: %s: %s", getattr(args.thread, "name", "?"), args.exc_type.__name__,
        args.exc_value, exc_info=(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback),
    )


def setup_logging(log_format: str = "text", level: int = logging.INFO) -> None:
    """Log to stderr in the chosen format; in json mode uncaught errors and warnings are JSON lines too."""
    global _format
    _format = "json" if log_format == "json" else "text"
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(MaskingFormatter(_format == "json"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "urllib3", "tweepy", "slack_sdk"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.captureWarnings(True)
    if _format == "json":
        sys.excepthook = _uncaught
        threading.excepthook = _uncaught_in_thread
