"""The old hand-written rules (lexicon only): kept as the baseline the learned model is compared with in
bench/classify_eval.py, and as the source of the documented hard overrides in classify.py."""

from __future__ import annotations

from typing import NamedTuple

from understanding.lexicon import _LEADING_MENTION, _Lexicon, _Signal, load_lexicon


class _Found(NamedTuple):
    kind: str
    confidence: float
    reason: str
    symptoms: tuple[str, ...]
    language: str


def rule_kind(norm: str, devanagari: bool, *, is_reply: bool = False, is_self_reply: bool = False, social: bool = False,
              readable: bool = True) -> tuple[str, float, str]:
    """(kind, confidence, reason) from the old rules, on normalised text."""
    found = _from_text(norm, load_lexicon(), devanagari, is_reply=is_reply, is_self_reply=is_self_reply,
                       social=social, readable=readable)
    return found.kind, found.confidence, found.reason

def _spans(signal: _Signal, text: str, devanagari: bool) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in signal.finditer(text, devanagari) if m.end() > m.start()]


def _outside(found: list[tuple[int, int, str]], blocked: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Matches not overlapping any blocked span."""
    if not blocked:
        return found
    return [f for f in found if not any(b[0] < f[1] and f[0] < b[1] for b in blocked)]


def _quote(match: str) -> str:
    match = match.strip()
    return "'" + (match if len(match) <= 60 else match[:57] + "...") + "'"


def _from_text(
    norm: str, lex: _Lexicon, dev: bool, *, is_reply: bool, is_self_reply: bool, social: bool, readable: bool
) -> _Found:
    """Kind, confidence and reason from the text (symptoms and language are filled in by the caller)."""
    sig = lex.signals
    directed = not is_self_reply and (is_reply or bool(_LEADING_MENTION.match(norm)))
    body = _LEADING_MENTION.sub("", norm) if directed else norm
    if not body:
        return _Found("noise", 0.6, "noise:empty", (), "")

    # a reply to one customer is care unless it speaks of a problem many users share
    if directed and not sig["service_wide"].search(body, dev):
        care = sig["customer_care"].search(body, dev) or sig["care_hint"].search(body, dev)
        why = f"noise:reply-to-customer:{_quote(care.group(0))}" if care else "noise:reply-to-customer"
        return _Found("noise", 0.9 if care else 0.8, why, (), "")

    resolved = _spans(sig["resolved"], body, dev)
    if resolved:
        resolved = _outside(resolved, _spans(sig["negated"], body, dev))
    retro = _spans(sig["retrospective"], body, dev)
    update = _spans(sig["update"], body, dev)
    ack = _spans(sig["acknowledged"], body, dev)
    recovering = _spans(sig["recovering"], body, dev)
    partial = _spans(sig["partial"], body, dev)
    if resolved or retro:
        # once over, talk of the cause, apologies and follow-up work do not make it ongoing again
        after = _spans(sig["aftermath"], body, dev)
        update, ack = _outside(update, after), _outside(ack, after)
        first_close = min(s[0] for s in resolved + retro)
        recovering = [s for s in recovering if s[0] < first_close]
        report = _outside(_spans(sig["report"], body, dev), after)
        if report:
            return _Found("resolved", 0.85, f"text:resolved:report:{_quote(report[0][2])}", (), "")
    # partial recovery stays ongoing wherever it stands; only a completion said after it closes
    update = update + partial
    if retro:  # progress told inside a look back is past, not ongoing
        update, ack, recovering = _outside(update, retro), _outside(ack, retro), _outside(recovering, retro)
    ongoing = update + ack + recovering
    lifecycle = bool(resolved or retro or ongoing)

    # -- noise: one-to-one customer care, product news, nothing about a problem
    problem = sig["problem"].search(body, dev)
    if not (resolved or retro) and not ((ack or update) and problem):
        # care is recognised by its markers (greeting, DM, account details, a question to the reader,
        # a sign-off); softer hints ("let us know", "please try") only where no outage word is said
        care = sig["customer_care"].search(body, dev) or (None if problem else sig["care_hint"].search(body, dev))
        if care and not sig["service_wide"].search(body, dev):
            return _Found("noise", 0.85, f"noise:customer-care:{_quote(care.group(0))}", (), "")
    if not lifecycle:
        market = None if problem else sig["marketing"].search(body, dev)
        if market:
            return _Found("noise", 0.85, f"noise:marketing:{_quote(market.group(0))}", (), "")
        if problem:
            return _Found("acknowledged", 0.5, f"text:acknowledged:problem:{_quote(problem.group(0))}", (), "")
        if social or not readable:
            # a support account's chat, or a script the lexicon does not read: no sign of an outage
            return _Found("noise", 0.7, "noise:no-outage-signal", (), "")
        # an official text of unknown source with no care marker: a terse ops statement, not care
        return _Found("update", 0.3, "text:update:no-care-marker", (), "")

    # -- lifecycle: the latest thing the statement says decides
    closing = resolved + retro
    last_close = max(closing, key=lambda s: s[0]) if closing else None
    last_open = max(ongoing, key=lambda s: s[0]) if ongoing else None
    if last_close and (last_open is None or last_close[0] >= last_open[0]):
        source = "resolved" if last_close in resolved else "retrospective"
        confidence = 0.9 if last_open is None else 0.75
        return _Found("resolved", confidence, f"text:resolved:{source}:{_quote(last_close[2])}", (), "")
    assert last_open is not None
    confidence = 0.7 if last_close else 0.8
    if update or recovering:
        last_update = max(update + recovering, key=lambda s: s[0])
        return _Found("update", confidence, f"text:update:{_quote(last_update[2])}", (), "")
    return _Found("acknowledged", confidence, f"text:acknowledged:{_quote(last_open[2])}", (), "")
