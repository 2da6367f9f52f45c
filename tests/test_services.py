"""The services catalog: loads, validates, lookups by id/name/alias/Hindi name, owner grouping."""

from __future__ import annotations

import pytest

import services
from services import Catalog, Service, ServiceSource, load_catalog, validate_catalog


def test_catalog_loads_and_validates_clean() -> None:
    catalog = load_catalog()
    assert validate_catalog(catalog) == []
    assert len(catalog.services) >= 60
    assert load_catalog() is catalog  # cached


def test_meta_and_x_are_there_and_grouped_by_owner() -> None:
    catalog = load_catalog()
    for sid in ("facebook", "whatsapp", "instagram"):
        assert catalog.get(sid).owner == "Meta"
    assert {s.id for s in catalog.by_owner("meta")} >= {"facebook", "whatsapp", "instagram"}
    x = catalog.get("x")
    assert x.owner != "Meta"
    assert any(src.kind == "x" and src.handle == "Support" for src in x.sources)
    with pytest.raises(KeyError):
        catalog.get("no-such-service")


def test_find_by_id_name_alias_and_hindi_name() -> None:
    catalog = load_catalog()
    assert catalog.find("github").id == "github"
    assert catalog.find("GitHub").id == "github"
    assert catalog.find("Twitter").id == "x"
    assert catalog.find("@twitter").id == "x"
    assert catalog.find("ChatGPT").id == "openai"
    assert catalog.find("  google   cloud platform ").id == "google_cloud"
    assert catalog.find("फेसबुक").id == "facebook"
    assert catalog.find("व्हाट्सएप").id == "whatsapp"
    assert catalog.find("यूपीआई").id == "upi"
    assert catalog.find("nothing like this") is None
    assert catalog.find("") is None


def test_hindi_names_follow_the_style_guide() -> None:
    catalog = load_catalog()
    expected = {
        "facebook": "फेसबुक",
        "whatsapp": "व्हाट्सएप",
        "instagram": "इंस्टाग्राम",
        "github": "गिटहब",
        "discord": "डिस्कॉर्ड",
        "slack": "स्लैक",
        "zoom": "ज़ूम",
        "cloudflare": "क्लाउडफ्लेयर",
        "paytm": "पेटीएम",
        "phonepe": "फोनपे",
        "google_pay": "गूगल पे",
        "irctc": "आईआरसीटीसी",
        "jio": "जियो",
        "airtel": "एयरटेल",
        "bsnl": "बीएसएनएल",
        "zomato": "ज़ोमैटो",
        "swiggy": "स्विगी",
        "flipkart": "फ्लिपकार्ट",
        "youtube": "यूट्यूब",
        "gmail": "जीमेल",
        "aws": "एडब्ल्यूएस",
        "azure": "एज़्योर",
    }
    for sid, hi in expected.items():
        assert catalog.get(sid).hi == hi
    assert catalog.hindi_name("WhatsApp") == "व्हाट्सएप"
    assert catalog.hindi_name("Unknown Service") == "Unknown Service"


def test_search() -> None:
    catalog = load_catalog()
    assert {s.id for s in catalog.search("atlassian")} >= {"atlassian", "bitbucket"}
    assert "github" in {s.id for s in catalog.search("githubstatus")}
    assert "upi" in {s.id for s in catalog.search("npci")}
    assert {s.id for s in catalog.search("telecom")} >= {"jio", "airtel", "vi", "bsnl"}
    assert catalog.search("zzzz-nothing") == []


def test_known_sources_and_kinds() -> None:
    catalog = load_catalog()
    urls = {(src.kind, src.url) for s in catalog.services for src in s.sources if src.url}
    assert ("statuspage", "https://www.githubstatus.com") in urls
    assert ("gcp", "https://status.cloud.google.com/incidents.json") in urls
    assert ("incidentio", "https://status.openai.com") in urls
    assert ("aws", "https://status.aws.amazon.com/rss/all.rss") in urls
    for service in catalog.services:
        for src in service.sources:
            assert src.kind in services.SOURCE_KINDS
            assert bool(src.url) != bool(src.handle)


def test_validate_reports_each_problem() -> None:
    bad = Catalog(
        [
            Service("Bad Id", "Bad", "Bad", "", (), "x", (ServiceSource("gopher", url="gopher://x"),)),
            Service(
                "dup", "Dup", "डुप", "O", (), "c", (ServiceSource("statuspage", url="http://insecure.example.com"),)
            ),
            Service("dup", "Dup2", "डुप2", "O", (), "c", (ServiceSource("x", handle="not a handle!"),)),
            Service("other", "Other", "अन्य", "O", ("Dup",), "c", ()),
        ]
    )
    problems = validate_catalog(bad)
    text = "\n".join(problems)
    assert "id must be" in text
    assert "missing owner" in text
    assert "no Devanagari" in text
    assert "unknown kind" in text
    assert "url must be https" in text
    assert "duplicate id" in text
    assert "bad handle" in text
    assert "also belongs to" in text


def test_load_catalog_rejects_an_invalid_file(tmp_path) -> None:
    path = tmp_path / "services.toml"
    path.write_text('[[service]]\nid = "a"\nname = "A"\nhi = "A"\nowner = "O"\ncategory = "c"\n', encoding="utf-8")
    with pytest.raises(services.CatalogError, match="Devanagari"):
        load_catalog(path)
    with pytest.raises(services.CatalogError, match="not found"):
        load_catalog(tmp_path / "missing.toml")


def test_a_service_is_named_as_it_was_when_it_spoke() -> None:
    from services import load_catalog

    x = load_catalog().find("twitter")
    assert x is not None and x.id == "x"
    assert x.named_at("2019-07-03T23:24:00Z") == ("Twitter", "ट्विटर")  # the seed story's night
    assert x.named_at("2023-07-24T00:00:00Z") == ("X (Twitter)", "एक्स (ट्विटर)")  # renamed that day
    assert x.named_at("") == ("X (Twitter)", "एक्स (ट्विटर)")
