"""Logging: one line per event, human-readable or JSON, with secrets from the environment masked."""

from __future__ import annotations

import json
import logging
import os
import sys
import time

SECRET_VARIABLES = ("X_BEARER_TOKEN", "TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL")


def secret_values() -> list[str]:
    """Values of token-like environment variables (long enough to be worth masking)."""
    values = []
    for name, value in os.environ.items():
        if (name in SECRET_VARIABLES or name.endswith(("_TOKEN", "_SECRET", "_WEBHOOK_URL", "_KEY"))) and len(value) >= 6:
            values.append(value)
    return sorted(values, key=len, reverse=True)


def mask(text: str) -> str:
    for value in secret_values():
        text = text.replace(value, "***")
    return text


class MaskingFormatter(logging.Formatter):
    def __init__(self, as_json: bool) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%SZ")
        self.converter = time.gmtime
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info:
            message += " | " + " ".join(self.formatException(record.exc_info).split())
        message = mask(" ".join(message.split()))
        if self.as_json:
            return json.dumps(
                {"time": self.formatTime(record, self.datefmt), "level": record.levelname.lower(),
                 "logger": record.name, "message": message},
                ensure_ascii=False,
            )
        return f"{self.formatTime(record, self.datefmt)} {record.levelname} {record.name}: {message}"


def setup_logging(log_format: str = "text", level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(MaskingFormatter(log_format == "json"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "urllib3", "tweepy", "slack_sdk"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
