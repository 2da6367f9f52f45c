"""What a resolving statement's words say beside its status (facts.context): closed on the page without a stated
fix (Google Cloud 3NTkKG1x382cHtxQGM76, status AVAILABLE), and "almost" fixed (@TwitterSupport, 3 July 2019)."""

from __future__ import annotations

import json
from pathlib import Path

from facts.context import closed_unfixed, how_resolved, recovery_begun, told, with_began, with_closing

DOCUMENT = Path(__file__).resolve().parent / "data" / "real_incidents" / "gcp_3NTkKG1x382cHtxQGM76.json"


def _gcp_updates() -> list[dict]:
    (incident,) = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    return sorted(incident["updates"], key=lambda u: u["created"])


def test_the_google_cloud_close_that_says_work_goes_on_is_not_a_fix():
    first, last = _gcp_updates()
    assert last["status"] == "AVAILABLE"
    assert closed_unfixed({"kind": "resolved", "text": last["text"]}) == {"no_updates": True}
    assert closed_unfixed({"kind": "acknowledged", "text": last["text"]}) is None  # only a close is judged
    assert closed_unfixed({"kind": "resolved", "text": first["text"]}) == {"no_updates": False}


def test_a_close_whose_words_say_fixed_stays_a_fix():
    for text in (
        "The issue with Google Cloud Networking has been resolved for all affected projects as of 03:10 US/Pacific. "
        "We will conduct an internal investigation. No further updates will be provided here.",
        "Our engineers were working on it; the service is now fully operational.",
        "<ul><li>02:15 - We are investigating reports of elevated error rates.</li></ul>\n06:29 - Everything operating "
        "normally.",
        "This incident has been resolved.",
        "We have deployed a fix. We are continuing to work on the root cause analysis.",
    ):
        assert closed_unfixed({"kind": "resolved", "text": text}) is None, text


def test_a_closed_unfixed_incident_tells_no_duration_and_almost_is_marked():
    base = {"id": 1, "kind": "incident", "status": "resolved", "opened_at": None, "first_word_at": None}
    from posts import parse_time

    incident = with_began({**base, "started_at": parse_time("2022-05-09T06:24:00Z"), "started_from": "text",
                           "first_word_at": parse_time("2022-05-09T08:48:00Z"),
                           "resolved_at": parse_time("2022-05-09T08:48:33Z"), "duration_seconds": 8673})
    with_closing(incident, {"kind": "resolved", "text": _gcp_updates()[1]["text"]})
    assert incident["closed_unfixed"] and incident["duration_seconds"] is None
    assert told(incident)["duration_seconds"] is None and told(incident)["began_at"] == "2022-05-09T06:24:00Z"

    twitter = "We're almost at 100% resolved. There may be some residual effects for a small group of people."
    marked = with_closing(dict(base), {"kind": "resolved", "text": twitter})
    assert marked["nearly"] and not marked["closed_unfixed"]
    assert how_resolved({"text": twitter}) == {"nearly_100": True, "nearly": False, "residual": True}


def test_recovery_begun_only_when_the_words_say_it_has():
    """Real updates that say recovery has started (Google Cloud 8DhiwfKvD987f5tJrj1G, 24 August 2021; Sauce Labs
    incident 4974433, 30 August 2020) against negated or forecast recovery."""
    for text in ("We are experiencing an issue with Google Cloud infrastructure components at australia-southeast2. "
                 "We have started seeing recovery with our services.",
                 "US Real Device availability continues to recover with over 90% of devices now available for testing.",
                 "We are seeing some improvements, but the resolution of this issue is very much dependent on "
                 "Level3/CenturyLink."):
        assert recovery_begun({"text": text}), text
    for text in ("We are not yet seeing recovery.", "We will provide an update once we start seeing recovery.",
                 "We are continuing to investigate this issue.", ""):
        assert not recovery_begun({"text": text}), text


def test_only_a_close_naming_no_problem_is_a_closed_notice():
    """facts.context.closed_notice on real words. DatoCMS "Rollbar security notice" (18 September 2023, one update,
    resolved): a notice, nothing broke. Not a notice: a lone resolution that names a problem — GitHub lwlvwcrv7dsr (5
    March 2019, "An error prevented pages on github.com from loading for some users."), GitHub jlx4smw4tqfv (29
    August 2012, "a queue backlog after we lost a cache server"), Emma tcppnkdjxjr9 ("increased load on the
    database") — or a fix, or that had an acknowledgement before it, a symptom tag, or is a social post."""
    from facts.context import closed_notice

    data = Path(__file__).resolve().parent / "data"
    (rollbar,) = json.loads((data / "training_real" / "datocms_2023-09-18-rollbar-security-notice.json").read_text(
        encoding="utf-8"))["incidents"][0]["incident_updates"]
    notice = {"kind": "resolved", "symptoms": [], "text": rollbar["body"], "source_kind": "statuspage"}
    assert closed_notice([notice])
    for text in ("An error prevented pages on github.com from loading for some users.",
                 "We are processing through a queue backlog after we lost a cache server.",
                 "We are seeing increased load on the database due to Heavy calls from an internal service",
                 "This incident has been resolved."):
        assert not closed_notice([{**notice, "text": text}]), text
    assert not closed_notice([{**notice, "kind": "acknowledged"}, notice])
    assert not closed_notice([{**notice, "symptoms": ["login"]}])
    assert not closed_notice([{**notice, "source_kind": "x"}])
    assert not closed_notice([])
