"""Inline SVG drawings for the pages (no script, no chart library): an incident's timeline, an event's rows of
incidents, and a service's 90-day bar. Everything from outside goes through ``markupsafe.escape``; the drawings
scale to the page width (viewBox) so they fit a phone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from markupsafe import Markup, escape

COLOURS = {"none": "#3fa34d", "maintenance": "#3b82f6", "unknown": "#d4a106", "minor": "#f59e0b",
           "major": "#ea580c", "critical": "#c81e1e"}
KIND_COLOURS = {"acknowledged": "#c81e1e", "update": "#f59e0b", "recovering": "#d4a106", "resolved": "#3fa34d",
                "maintenance": "#3b82f6", "report": "#6b7280"}
WIDTH = 360  # user units ≈ CSS pixels on a phone, so labels stay readable at 375 px


def _x(at: datetime, start: datetime, span: float, left: float, right: float) -> float:
    share = (at - start).total_seconds() / span if span > 0 else 0.5
    return round(left + max(0.0, min(1.0, share)) * (right - left), 1)


def timeline(began: datetime | None, ended: datetime | None, points: list[dict[str, Any]], label: str) -> Markup:
    """One incident: a bar from its start to its end (or its last word while open) and a dot per statement
    (``points``: {"at", "kind", "title", "anchor"}), each dot linking to the statement below."""
    times = [p["at"] for p in points if p.get("at")] + [t for t in (began, ended) if t]
    if not times:
        return Markup("")
    start, end = min(times), max(times)
    span = (end - start).total_seconds()
    left, right = 12.0, WIDTH - 12.0
    parts = [f'<svg class="timeline" viewBox="0 0 {WIDTH} 44" role="img" aria-label="{escape(label)}" '
             'xmlns="http://www.w3.org/2000/svg">', f"<title>{escape(label)}</title>"]
    bar_start = _x(began or start, start, span, left, right)
    bar_end = _x(ended or end, start, span, left, right)
    colour = "#c81e1e" if ended is None else "#9ca3af"
    parts.append(f'<rect x="{bar_start}" y="18" width="{max(2.0, round(bar_end - bar_start, 1))}" height="8" '
                 f'rx="4" fill="{colour}" opacity="0.45"/>')
    for point in points:
        if not point.get("at"):
            continue
        x = _x(point["at"], start, span, left, right)
        fill = KIND_COLOURS.get(point.get("kind") or "", "#6b7280")
        parts.append(f'<a href="#{escape(point["anchor"])}"><circle cx="{x}" cy="22" r="6" fill="{fill}" '
                     f'stroke="#fff" stroke-width="2"><title>{escape(point["title"])}</title></circle></a>')
    parts.append("</svg>")
    return Markup("".join(parts))


def rows(items: list[dict[str, Any]], label: str) -> Markup:
    """An event: one row per incident ({"began", "ended", "name", "href", "title"}), on one shared time axis."""
    times = [t for i in items for t in (i.get("began"), i.get("ended")) if t]
    if not times:
        return Markup("")
    start, end = min(times), max(times)
    span = (end - start).total_seconds()
    left, right, step = 12.0, WIDTH - 12.0, 34
    height = step * len(items) + 6
    parts = [f'<svg class="timeline" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(label)}" '
             'xmlns="http://www.w3.org/2000/svg">', f"<title>{escape(label)}</title>"]
    for n, item in enumerate(items):
        y = n * step + 4
        a = _x(item.get("began") or start, start, span, left, right)
        b = _x(item.get("ended") or end, start, span, left, right)
        colour = "#c81e1e" if item.get("ended") is None else "#ea580c"
        parts.append(f'<a href="{escape(item["href"])}"><text x="{left}" y="{y + 11}" font-size="13" '
                     f'fill="#111">{escape(item["name"])}</text><rect x="{a}" y="{y + 16}" '
                     f'width="{max(3.0, round(b - a, 1))}" height="10" rx="3" fill="{colour}">'
                     f'<title>{escape(item["title"])}</title></rect></a>')
    parts.append("</svg>")
    return Markup("".join(parts))


def day_bar(days: list[dict[str, Any]], label: str, href: Any, titles: Any) -> Markup:
    """90 days, oldest first ({"day", "severity", "incidents"}): a bar each, coloured by the day's worst incident;
    a day with incidents links to its day page (``href(day)``); ``titles(day)`` is its tooltip."""
    width = 3 * len(days)
    parts = [f'<svg class="days" viewBox="0 0 {width} 24" preserveAspectRatio="none" role="img" '
             f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">', f"<title>{escape(label)}</title>"]
    for n, day in enumerate(days):
        rect = (f'<rect x="{3 * n}" y="0" width="2.4" height="24" fill="{COLOURS[day["severity"]]}">'
                f'<title>{escape(titles(day))}</title></rect>')
        parts.append(f'<a href="{escape(href(day))}">{rect}</a>' if day["incidents"] else rect)
    parts.append("</svg>")
    return Markup("".join(parts))
