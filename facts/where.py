"""Where it broke: the regions / data centres a company names for an incident, kept in Latin script as the
company writes them ("us-east-1", "us-central1", "LON1", "NYC3", "Tel Aviv (TLV1)"), from plain data (no I/O).

Read, in order, from the components (Google Cloud locations "Iowa (us-central1)", bare region codes, AWS services
"Amazon DynamoDB (N. Virginia)"), then from the incident title and the statement's words ("in the EU-WEST-1
Region", "Spaces in our NYC3 region"). A place without a code ("North America Regions", "Global") is not a region.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# AWS region codes and the names its status page puts in brackets ("Amazon DynamoDB (N. Virginia)")
AWS_REGIONS = {
    "n. virginia": "us-east-1", "ohio": "us-east-2", "n. california": "us-west-1", "oregon": "us-west-2",
    "ireland": "eu-west-1", "london": "eu-west-2", "paris": "eu-west-3", "frankfurt": "eu-central-1",
    "milan": "eu-south-1", "stockholm": "eu-north-1", "mumbai": "ap-south-1", "hyderabad": "ap-south-2",
    "singapore": "ap-southeast-1", "sydney": "ap-southeast-2", "jakarta": "ap-southeast-3",
    "tokyo": "ap-northeast-1", "seoul": "ap-northeast-2", "osaka": "ap-northeast-3", "hong kong": "ap-east-1",
    "central": "ca-central-1", "canada": "ca-central-1", "sao paulo": "sa-east-1", "são paulo": "sa-east-1",
    "bahrain": "me-south-1", "uae": "me-central-1", "cape town": "af-south-1", "govcloud (us-west)": "us-gov-west-1",
    "govcloud (us-east)": "us-gov-east-1",
}
_AWS_CODE = re.compile(r"(?<![\w-])(?:us|eu|ap|sa|ca|me|af|il|mx|us-gov)-(?:east|west|north|south|central|"
                       r"northeast|southeast|northwest|southwest)-\d(?![\w-])", re.IGNORECASE)
_GCP_CODE = re.compile(r"(?<![\w-])(?:us|europe|asia|australia|northamerica|southamerica|me|africa)-"
                       r"[a-z]+\d{1,2}(?:-[a-z])?(?![\w-])")
_DO_CODE = re.compile(r"(?<![\w-])(?:NYC|SFO|AMS|SGP|LON|FRA|TOR|BLR|SYD|ATL|RIC)\d(?![\w-])", re.IGNORECASE)
# a data centre / site: "Tel Aviv (TLV1)", "the Tel Aviv Data Center (TLV1)", "Washington DC (IAD2)"; or a bare
# "<code> data center" ("the TLV1 data center"). Told as "Tel Aviv (TLV1)", the company's own spelling.
_SITE = re.compile(r"\b(?P<city>[A-Z][a-z]+(?:[ ][A-Z][A-Za-z.]+){0,3}?)\s+(?:(?i:data\s*cent(?:er|re))\s+)?"
                   r"\((?P<code>[A-Z]{3}\d{1,2})\)")
_SITE_CODE = re.compile(r"\b(?P<code>[A-Z]{3}\d{1,2})\s+(?i:data\s*cent(?:er|re))\b")
_NOT_CITY = {"the", "our", "a", "an", "in", "at", "resolved", "investigating", "monitoring", "update", "identified",
             "network", "maintenance", "scheduled", "completed", "customers", "all"}
_BRACKET = re.compile(r"\(([^()]+)\)\s*$")
MAX_REGIONS = 6


def _sites(text: str) -> tuple[list[tuple[int, str]], str]:
    """Data centres a text names ("Tel Aviv (TLV1)", "TLV1" from "the TLV1 data center") with their positions,
    and the text with them blanked out (so "LON1" in "London (LON1)" is not read twice)."""
    found: list[tuple[int, str]] = []
    for match in _SITE.finditer(text):
        words = match.group("city").split()
        while words and words[0].lower() in _NOT_CITY:
            words.pop(0)
        if words:
            found.append((match.start(), f"{' '.join(words)} ({match.group('code')})"))
            text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end():]
    for match in _SITE_CODE.finditer(text):
        found.append((match.start(), match.group("code")))
        text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end():]
    return found, text


def is_site(name: str) -> bool:
    """Whether a place ``regions`` found is a data centre ("Tel Aviv (TLV1)"), not a cloud region ("us-east-1")."""
    return bool(re.fullmatch(r".+ \([A-Z]{3}\d{1,2}\)|[A-Z]{3}\d{1,2}", name)) and not _DO_CODE.fullmatch(name)


def _codes(text: str) -> list[str]:
    """Region codes in a text, in order: data centres as the company names them ("Tel Aviv (TLV1)"), AWS and GCP
    codes lower-cased, DigitalOcean's upper-cased."""
    found, text = _sites(text or "")
    for pattern, fix in ((_AWS_CODE, str.lower), (_GCP_CODE, str.lower), (_DO_CODE, str.upper)):
        found += [(m.start(), fix(m.group(0))) for m in pattern.finditer(text or "")]
    return [code for _, code in sorted(found)]


def _of_component(name: str) -> str:
    """The region a component names: "Iowa (us-central1)" → us-central1, "AWS Lambda (Ireland)" → eu-west-1."""
    codes = _codes(name)
    if codes:
        return codes[0]
    bracket = _BRACKET.search(name.strip())
    return AWS_REGIONS.get(bracket.group(1).strip().lower(), "") if bracket else ""


def regions(components: Iterable[str], title: str = "", text: str = "") -> list[str]:
    """The regions the company named, first named first, without repeats: from the components, else the title,
    else the statement's words."""
    out: dict[str, None] = {}
    for name in components or ():
        if isinstance(name, str):
            code = _of_component(name)
            if code:
                out.setdefault(code, None)
    if not out:
        for code in _codes(title or "") or _codes((text or "")[:4000]):
            out.setdefault(code, None)
    return list(out)


def without_region(name: str) -> str:
    """A component's name without the bracketed region it carries ("Amazon DynamoDB (N. Virginia)" → "Amazon
    DynamoDB"); other brackets ("Virtual Private Cloud (VPC)") stay."""
    bracket = _BRACKET.search(name)
    if bracket and (_codes(bracket.group(1)) or bracket.group(1).strip().lower() in AWS_REGIONS):
        return name[: bracket.start()].rstrip()
    return name


def phrase(found: list[str], lang: str, *, short: bool = False) -> str:
    """"us-central1" / "asia-east1, asia-northeast2 और asia-south1"; ``short`` (a headline): three or more are
    counted ("6 क्षेत्रों" / "6 regions"). Beyond MAX_REGIONS the first four and how many more."""
    hi = lang.startswith("hi")
    if not found:
        return ""
    if short and len(found) >= 3:
        return f"{len(found)} क्षेत्रों" if hi else f"{len(found)} regions"
    names = list(found)
    if len(names) > MAX_REGIONS:
        rest = len(names) - 4
        names = names[:4] + [f"{rest} अन्य" if hi else f"{rest} others"]
    word = " और " if hi else " and "
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + word + names[-1]
