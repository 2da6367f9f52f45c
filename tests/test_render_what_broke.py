"""What broke, in Hindi and English (issue 12): components and titles through data/glossary.toml, symptom tags only
with evidence, headlines that name the affected part. Real documents: GitHub incidents (tests/data/statuspage,
tests/data/e2e), Google Cloud's sample, DigitalOcean's feed, and the seed story's @facebook acknowledgement."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from golden_cases import FACEBOOK_ACK, TZ, incident, statement
from golden_cases import case as golden_case

from classify import classify_text
from config import parse_config
from facts import what_broke
from pipeline import store_posts
from render import _service, message_context, render, trouble
from store import open_db, rows
from trackers.feed import parse_feed
from trackers.gcp import parse_incidents
from trackers.statuspage import parse_statuspage_document

DATA = Path(__file__).resolve().parent / "data"
GCP = json.loads((DATA / "gcp" / "gcp_status_incidents_sample.json").read_text())


def _text(kind: str, context: dict, languages: tuple[str, ...] = ("hi", "en")) -> str:
    return render(kind, context, markup="plain", languages=languages, max_chars=100_000).parts[0]


def _split(text: str) -> tuple[str, str]:
    """(Hindi half, English half) of a hi+en message."""
    at = text.index("\n🔴 ", 1) if "\n🔴 " in text[1:] else len(text)
    return text[:at], text[at:]


def _ack(service: str, post, *, title: str = "", symptoms: tuple[str, ...] | None = None) -> dict:
    said = statement(post.text, post.created_at.isoformat(), url=post.url, author=post.author,
                     source_kind="statuspage",
                     symptoms=symptoms if symptoms is not None else classify_text(post.text).symptoms)
    said["components"] = json.dumps(list(post.components))
    return {"kind": "acknowledged", "timezone": TZ, "body": "", "change": "acknowledged", "service": _service(service),
            "incident": incident(service, post.created_at.isoformat(), title=title), "statement": said}


def _github(path: Path):
    from config import SourceConfig

    source = SourceConfig(id="githubstatus", kind="statuspage", service="GitHub", url="https://www.githubstatus.com")
    return parse_statuspage_document(json.loads(path.read_text()), source, where=str(path))


# ---------------------------------------------------------------- glossary


def test_glossary_words_in_devanagari():
    found = what_broke.component_parts(["Actions", "API Requests", "Pull Requests", "Git Operations", "Webhooks",
                                        "Issues", "Google Compute Engine", "Google Cloud SQL",
                                        "Amazon Elastic Compute Cloud (N. Virginia)"])
    assert [h for h, _ in found] == ["एक्शंस", "एपीआई रिक्वेस्ट", "पुल रिक्वेस्ट", "गिट ऑपरेशंस", "वेबहुक्स",
                                     "इश्यूज़", "कंप्यूट इंजन", "क्लाउड एसक्यूएल", "ईसी2 (EC2)"]
    assert found[-1][1] == "Amazon Elastic Compute Cloud (N. Virginia)"  # English keeps the company's name


def test_glossary_reads_comma_lists_skips_junk_and_quotes_what_it_does_not_know():
    github = _service("GitHub")
    found = what_broke.component_parts(
        ["Issues, PRs, Dashboard, Projects", "Visit www.githubstatus.com for more information", "GitHub"], github)
    assert what_broke.phrase(found, "hi") == "इश्यूज़, पुल रिक्वेस्ट, डैशबोर्ड और प्रोजेक्ट्स"
    gcp = what_broke.component_parts(["Eventarc", "Iowa (us-central1)", "Montréal (northamerica-northeast1)", "Global"])
    assert gcp == [("“Eventarc”", "Eventarc")]
    many = [(str(i), str(i)) for i in range(7)]
    assert what_broke.phrase(many, "hi") == "0, 1, 2, 3 और 3 अन्य सेवाओं"
    assert what_broke.phrase(many, "en") == "0, 1, 2, 3 and 3 other services"


def test_titles_that_say_nothing_are_not_shown_and_products_in_titles_are_found():
    assert what_broke.informative_title("Incident on 2019-05-29 02:11 UTC") == ""
    assert what_broke.informative_title("Incident on 2010-11-14 20:15:52 UTC") == ""
    title = "Global: Issues with Cloud SQL for MySQL instance migration to 5.7 when source databases have gtid_mode set to ON."
    assert what_broke.title_parts(title) == [("क्लाउड एसक्यूएल", "Cloud SQL")]  # not "Issues" (GitHub Issues)


# ---------------------------------------------------------------- symptom tags need evidence


def _gcp_updates(incident_id: str) -> list[str]:
    found = next(i for i in GCP if i["id"] == incident_id)
    return [u["text"] for u in found["updates"]]


def test_cloud_sql_migration_is_not_messaging_or_payments():
    """GCP aCXLk4u6GJoLn9PqSMm1: "Database Migration Service (DMS) users … insert/update/delete transactions"."""
    texts = _gcp_updates("aCXLk4u6GJoLn9PqSMm1")
    assert any("(DMS)" in t and "transactions" in t for t in texts)
    for text in texts:
        tags = classify_text(text).symptoms
        assert not {"messaging", "payments", "media_upload"} & set(tags), (tags, text[:120])


def test_kubernetes_configuration_files_expiring_is_not_photos_and_videos():
    """DigitalOcean 2019-10-07: "Kubernetes configuration files expiring prematurely in version 1.15-4"."""
    from config import SourceConfig

    source = SourceConfig(id="do", kind="feed", service="DigitalOcean", url="https://status.digitalocean.com/history.atom")
    posts = [p for p in parse_feed((DATA / "feeds" / "digitalocean_history_2019-10-30.atom").read_bytes(), source,
                                   now=None) if "Kubernetes configuration files" in p.text]
    assert posts
    for post in posts:
        assert not {"media_upload", "messaging", "payments"} & set(classify_text(post.text).symptoms), post.text[:120]
    context = _ack("DigitalOcean", posts[0], title=posts[0].title)
    hindi, english = _split(_text("acknowledged", context))
    assert "तस्वीरें" not in hindi and "photos" not in english
    assert "कुबेरनेट्स में दिक्कत" in hindi.splitlines()[0]  # the product its title names
    assert "Kubernetes is affected" in english


def test_similar_words_do_not_tag_without_a_specific_phrase():
    for text in ("The certificate expiry caused API calls to fail", "Config data migration is delayed",
                 "Error messages are shown in the dashboard", "Data transfers between regions are slow",
                 "We are investigating a partial outage"):
        tags = set(classify_text(text).symptoms)
        assert not {"messaging", "payments", "media_upload", "outage"} & tags, (text, tags)
    assert "messaging" in classify_text("We are investigating reports that some users are unable to send messages.").symptoms
    assert "payments" in classify_text("We are investigating payments failing for some customers.").symptoms
    assert "media_upload" in classify_text("We are investigating reports that users cannot upload images.").symptoms


# ---------------------------------------------------------------- messages


def test_seed_story_facebook_still_names_photos_and_videos():
    assert "media_upload" in classify_text(FACEBOOK_ACK).symptoms  # the evidence: "uploading or sending images"
    hindi, english = _split(_text("acknowledged", golden_case("acknowledged")))
    assert hindi.splitlines()[0] == "🔴 फेसबुक: तस्वीरें और वीडियो भेजने या अपलोड करने में दिक्कत, कंपनी ने माना"
    assert "माना कि उपयोगकर्ताओं को तस्वीरें और वीडियो भेजने या अपलोड करने में दिक्कत आ रही है।" in hindi
    assert "users are having trouble sending or uploading photos and videos" in english


def test_github_components_name_the_part_in_both_languages():
    """GitHub z1cmf72my3jf (2010-11-14): affected components Issues/PRs/Dashboard/Projects, GitHub Pages, Git Operations."""
    (post,) = _github(DATA / "statuspage" / "github_incidents" / "z1cmf72my3jf.json")
    context = _ack("GitHub", post, title="Incident on 2010-11-14 20:15:52 UTC", symptoms=())
    hindi, english = _split(_text("acknowledged", context))
    assert hindi.splitlines()[0] == ("🔴 गिटहब: इश्यूज़, पुल रिक्वेस्ट, डैशबोर्ड, प्रोजेक्ट्स, गिटहब पेजेज़ और गिट "
                                     "ऑपरेशंस में दिक्कत, कंपनी ने माना")
    assert "उसकी सेवा में दिक्कत है" not in hindi
    assert "Issues, PRs, Dashboard, Projects, GitHub Pages and Git Operations are affected" in english
    assert "Incident on 2010" not in english and "शीर्षक" not in hindi  # a title that says nothing is not shown


def test_github_two_components_and_slow_service():
    post = _github(DATA / "statuspage" / "github_incidents" / "z1cmf72my3jf.json")[0]
    context = _ack("GitHub", post, symptoms=("performance",))
    context["statement"]["components"] = json.dumps(["Actions", "API Requests"])
    hindi, english = _split(_text("acknowledged", context))
    assert hindi.splitlines()[0] == "🔴 गिटहब: एक्शंस और एपीआई रिक्वेस्ट में धीमेपन की दिक्कत, कंपनी ने माना"
    assert "माना कि एक्शंस और एपीआई रिक्वेस्ट में धीमेपन की दिक्कत आ रही है।" in hindi
    assert "that Actions and API Requests are slow." in english
    context["statement"]["symptoms"] = []
    hindi, english = _split(_text("acknowledged", context))
    assert "माना कि एक्शंस और एपीआई रिक्वेस्ट में दिक्कत आ रही है।" in hindi
    assert "that Actions and API Requests are affected." in english


def test_github_actions_workflows_named_in_the_statement():
    """GitHub w7wlzstc8wss (2019-11-20): "We are investigating problems starting runs for Actions workflows."
    (its only component is "Visit www.githubstatus.com for more information")."""
    post = min(_github(DATA / "e2e" / "w7wlzstc8wss.json"), key=lambda p: p.created_at)
    assert "Actions workflows" in post.text
    context = _ack("GitHub", post, title="Incident on 2019-11-20 01:19 UTC")
    hindi, english = _split(_text("acknowledged", context))
    assert hindi.splitlines()[0] == "🔴 गिटहब: एक्शंस वर्कफ़्लो में दिक्कत, कंपनी ने माना"
    assert "Actions workflows are affected" in english


def test_gcp_title_and_products_in_hindi():
    """Google Cloud aCXLk4u6GJoLn9PqSMm1: product Google Cloud SQL; the title is quoted in the Hindi too."""
    posts = [p for p in parse_incidents(GCP, source_id="gcp", service="Google Cloud") if p.thread_key == "aCXLk4u6GJoLn9PqSMm1"]
    first = posts[0]
    context = _ack("Google Cloud", first, title=first.title)
    hindi, english = _split(_text("acknowledged", context))
    assert hindi.splitlines()[0] == "🔴 गूगल क्लाउड: क्लाउड एसक्यूएल में दिक्कत, कंपनी ने माना"
    assert "माना कि क्लाउड एसक्यूएल में दिक्कत आ रही है।" in hindi
    assert f"कंपनी का शीर्षक: “{first.title}”" in hindi
    assert "मैसेज" not in hindi and "भुगतान" not in hindi
    assert "Google Cloud SQL is affected" in english and f"Incident: {first.title}" in english


def test_english_does_not_invent_reports():
    assert trouble(["performance"], "en") == "it is investigating slow service"
    assert "reports of" not in trouble(["login", "outage", "performance"], "en")
    assert trouble([], "hi") == "उसकी सेवा में दिक्कत है"  # nothing known: the old sentence


def test_components_reach_the_message_through_the_store():
    """A real GitHub incident through pipeline.store_posts: message_context carries the components it named."""
    bot = parse_config({"bot": {"state": ":memory:"}, "source": [{"id": "githubstatus", "kind": "statuspage",
                        "service": "GitHub", "url": "https://www.githubstatus.com", "backfill": "all"}],
                        "channel": [{"id": "desk", "kind": "console"}]}, "<test>")
    db = open_db(":memory:")
    posts = _github(DATA / "statuspage" / "github_incidents" / "z1cmf72my3jf.json")
    store_posts(db, bot, bot.source("githubstatus"), posts, now=max(p.created_at for p in posts) + timedelta(minutes=1))
    (found,) = rows(db, "select id from incidents")
    context = message_context(db, {"message_kind": "acknowledged", "incident_id": found["id"], "change_id": None}, TZ)
    assert "Git Operations" in context["incident"]["components"]
    assert "गिट ऑपरेशंस" in _text("acknowledged", context)


def test_what_google_says_was_not_affected_is_not_named():
    """Google Cloud e383eLoLFGdSMeUQo7Ch lists "Google BigQuery" as its affected product; its update of 9 June 2022
    23:08 UTC says "*Note 'This is not a problem with BigQuery, only Google Analytics BigQuery export is affected'".
    What broke is the export, in Google's words (quoted: the glossary does not know it), not बिगक्वेरी."""
    (found,) = [i for i in GCP if i["id"] == "e383eLoLFGdSMeUQo7Ch"]
    texts = [u["text"] for u in found["updates"]]
    said = what_broke.said_unaffected(texts)
    assert said == {"not_affected": ["BigQuery"], "only_affected": ["Google Analytics BigQuery export"]}
    components = [p["title"] for p in found["affected_products"]]
    assert components == ["Google BigQuery"]
    assert what_broke.parts(components, found["external_desc"], None, texts[0], said) == [
        ("“Google Analytics BigQuery export”", "Google Analytics BigQuery export")]
    # before that note (its first updates), the listed product stands
    first = what_broke.said_unaffected([u["text"] for u in found["updates"] if u["created"] < "2022-06-09T23"])
    assert what_broke.parts(components, found["external_desc"], None, texts[0], first) == [("बिगक्वेरी", "Google BigQuery")]


def test_a_product_said_to_be_unaffected_is_not_named_from_the_statement():
    """OpenAI, "ChatGPT Severe Degradation" (status.openai.com incident zv4rq28nrr7s, 3 August 2023; shared/data/
    training/updates.jsonl), verbatim: the statement names ChatGPT and the API, and says the API is unaffected."""
    text = ("We are mitigating an unusually large spike in traffic that is causing connectivity problems across all of "
            "ChatGPT.\n\nThe API is unaffected.")
    said = what_broke.said_unaffected([text])
    assert said == {"not_affected": ["API"], "only_affected": []}
    assert what_broke.parts([], "", None, text) == [("चैटजीपीटी", "ChatGPT"), ("एपीआई", "API")]  # without reading it
    assert what_broke.parts([], "", None, text, said) == [("चैटजीपीटी", "ChatGPT")]


def test_a_part_read_out_of_the_words_gives_way_to_the_symptom():
    """The demo's WhatsApp post ("trouble sending images, videos and voice messages"): no components, no title, so
    a part found in its words is not the source's own part and the headline tells the symptom alone; a component
    (AWS "AWS Directory Service (Sydney)") is named next to the symptom."""
    from render import parts_listed, trouble_head

    post = {"text": "We're aware that some people are having trouble sending images, videos and voice messages on "
                    "WhatsApp.", "components": "[]"}
    assert not parts_listed({"title": ""}, post, None)
    voice = [("वॉइस मैसेज", "voice messages")]
    assert trouble_head(["media_upload"], "hi", voice, listed=False) == trouble_head(["media_upload"], "hi")
    aws = {"title": "Increased Authentication Error Rates", "components": ["AWS Directory Service (Sydney)"]}
    assert parts_listed(aws, {"text": "authentication errors", "components": "[]"}, None)
    parts = what_broke.component_parts(aws["components"])
    assert trouble_head(["login"], "hi", parts, ["ap-southeast-2"], listed=True) == \
        "ap-southeast-2 में डायरेक्टरी सर्विस में लॉग इन करने में दिक्कत"
