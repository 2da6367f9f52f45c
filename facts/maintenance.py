"""What a maintenance's own statements say beyond its stage: downtime the company says the work needs (DatoCMS
"[DOWNTIME REQUIRED]", "will be completely unavailable"; Symantec WSS "There will be a brief outage during the
maintenance window")."""

from __future__ import annotations

import re
from typing import Any

_NEGATED = re.compile(r"\b(?:not|no|never)\s+(?:\w+\s+){0,2}$|n't\s+(?:\w+\s+){0,2}$", re.IGNORECASE)


def _said(pattern: re.Pattern[str], text: str) -> bool:
    """Whether ``text`` says ``pattern`` without a "not" / "no" just before it."""
    return any(not _NEGATED.search(text[max(0, m.start() - 30):m.start()]) for m in pattern.finditer(text))


# downtime the company says the work needs: DatoCMS "[DOWNTIME REQUIRED]", "Downtime is expected.", "will be
# completely unavailable", "we expect all our APIs to be unavailable for around 15 minutes"; not "may be
# unavailable", "This should not cause any downtime", "No downtime expected"
_DOWN = re.compile(
    r"\bdowntime\s+(?:is\s+)?(?:required|expected)\b|\bexpected\s+downtime\b"
    r"|\bwill\s+be\s+(?:completely\s+|fully\s+|totally\s+|temporarily\s+)?(?:unavailable|offline|inaccessible)\b"
    r"|\bwill\s+not\s+be\s+(?:available|accessible|reachable)\b"
    r"|\bexpect\w*\s+[^.]{0,40}?\bto\s+be\s+(?:completely\s+|fully\s+)?unavailable\b",
    re.IGNORECASE)
# a brief outage inside a longer window: Symantec WSS "There will be a brief outage during the maintenance window"
_BRIEF = re.compile(r"\bthere\s+will\s+be\s+(?:a\s+)?(?:brief|short)\s+(?:service\s+)?(?:outage|downtime|interruption)\b",
                    re.IGNORECASE)


def maintenance_downtime(incident: dict[str, Any] | None, *statements: dict[str, Any] | None) -> str:
    """What the title or ``statements`` (its first one, the one told) say the service will do during the work:
    "brief" (a brief outage within the window), "down" (unavailable during it), "" when they do not say it will."""
    if (incident or {}).get("kind") != "maintenance":
        return ""
    texts = [str((incident or {}).get("title") or "")] + [str((s or {}).get("text") or "") for s in statements]
    if any(_said(_BRIEF, text) for text in texts):
        return "brief"
    return "down" if any(_said(_DOWN, text) for text in texts) else ""
