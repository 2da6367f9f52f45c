"""Atom feeds (RFC 4287) of the channel messages: one entry per statement's message, per language. An entry's id
is a tag: URI (RFC 4151) made of the incident id and the statement it tells, so a statement the company edits
later keeps its entry and only ``<updated>`` (and the text) change; ``<published>`` is when it was first said.
Built with xml.etree, so every text is escaped by the serializer; characters XML 1.0 forbids are dropped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote

ATOM = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ET.register_namespace("", ATOM)


@dataclass
class Entry:
    id: str
    title: str
    content: str
    published: datetime
    updated: datetime
    link: str  # the incident page, relative to the feed or absolute
    original: str  # the company's own statement
    service: str


def clean(text: str) -> str:
    return _NOT_XML.sub("", text or "")


def rfc3339(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def tag_uri(authority: str, *path: str) -> str:
    """``tag:<authority>,2026:incident/12/github/abc123``: the date is fixed, so ids never change with time."""
    return f"tag:{authority},2026:" + "/".join(quote(p, safe="-._~") for p in path)


def feed(*, feed_id: str, title: str, lang: str, entries: list[Entry], alternate: str, self_href: str,
         fallback_updated: datetime) -> bytes:
    """The feed document; entries newest first (the caller chooses and orders them)."""
    root = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    ET.SubElement(root, f"{{{ATOM}}}id").text = feed_id
    ET.SubElement(root, f"{{{ATOM}}}title").text = clean(title)
    updated = max((e.updated for e in entries), default=fallback_updated)
    ET.SubElement(root, f"{{{ATOM}}}updated").text = rfc3339(updated)
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "pushti"
    ET.SubElement(root, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": alternate})
    if self_href:
        ET.SubElement(root, f"{{{ATOM}}}link", {"rel": "self", "type": "application/atom+xml", "href": self_href})
    ET.SubElement(root, f"{{{ATOM}}}generator").text = "pushti"
    for entry in entries:
        node = ET.SubElement(root, f"{{{ATOM}}}entry")
        ET.SubElement(node, f"{{{ATOM}}}id").text = entry.id
        ET.SubElement(node, f"{{{ATOM}}}title").text = clean(entry.title)
        ET.SubElement(node, f"{{{ATOM}}}published").text = rfc3339(entry.published)
        ET.SubElement(node, f"{{{ATOM}}}updated").text = rfc3339(entry.updated)
        ET.SubElement(node, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": entry.link})
        if entry.original.startswith(("https://", "http://")):
            ET.SubElement(node, f"{{{ATOM}}}link", {"rel": "related", "href": entry.original})
        ET.SubElement(node, f"{{{ATOM}}}category", {"term": clean(entry.service)})
        ET.SubElement(node, f"{{{ATOM}}}content", {"type": "text"}).text = clean(entry.content)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"
