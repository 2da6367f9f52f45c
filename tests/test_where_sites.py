"""Data centres as "where" (facts.where): Symantec WSS names its sites "Tel Aviv (TLV1)", "the Tel Aviv Data Center
(TLV1)", "Denver (DEN3) data center" (shared/data/feeds/symantec_wss_history_2019-12-10.atom); a local fault is
told with its place, not as the whole service down."""

from __future__ import annotations

import re
from pathlib import Path

from facts.where import is_site, regions
from render import trouble_head, where_head

FEED = Path(__file__).parent / "data" / "real_incidents"


def test_every_symantec_site_title_names_its_data_centre():
    titles = []
    for path in FEED.glob("feed_symantec_*.atom"):
        titles += re.findall(r"<title>([^<]*\(\w+\)[^<]*)</title>", path.read_text(encoding="utf-8"))
    assert len(titles) >= 4
    for title in titles:
        (found,) = regions([], title)
        code = re.search(r"\((\w+)\)", title).group(1)  # type: ignore[union-attr]
        assert found.endswith(f"({code})") and is_site(found), title
    assert regions([], "Network Maintenance in Washington DC (IAD2) Data Center November 1, 2019") == [
        "Washington DC (IAD2)"]


def test_the_words_name_the_site_when_the_title_does_not():
    text = ("On November 06, 2019, 07:53 UTC customers connecting to the Tel Aviv Data Center (TLV1) may experience "
            "disconnects from the service.")
    assert regions([], "", text) == ["Tel Aviv (TLV1)"]
    assert regions([], "", "Customer connections to the DEN3 data center may be degraded") == ["DEN3"]
    # cloud regions stay regions; a DigitalOcean code is not read twice from "London (LON1)"
    assert regions(["Iowa (us-central1)"]) == ["us-central1"] and not is_site("us-central1") and not is_site("NYC3")
    assert regions([], "Network issue in London (LON1)") == ["London (LON1)"]


def test_headlines_say_where():
    assert trouble_head([], "hi", regions=["Tel Aviv (TLV1)"]) == "Tel Aviv (TLV1) डेटा सेंटर में दिक्कत"
    assert trouble_head([], "en", regions=["Tel Aviv (TLV1)"]) == "problem in Tel Aviv (TLV1)"
    assert where_head(["Johannesburg (JNB2)"], "hi") == "Johannesburg (JNB2) डेटा सेंटर में "
    assert where_head(["us-east-1"], "hi") == "us-east-1 में " and where_head([], "en") == ""
