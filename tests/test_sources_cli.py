"""bot.py sources search / add / check."""

from __future__ import annotations

from pollhelpers import incidents_document, run_bot, write_config

from config import load_config


def test_search_finds_by_english_and_hindi_name_and_owner():
    result = run_bot("sources", "search", "meta")
    assert result.returncode == 0
    ids = {line.split()[0] for line in result.stdout.splitlines()}
    assert {"facebook", "whatsapp", "instagram"} <= ids
    hindi = run_bot("sources", "search", "व्हाट्सएप")
    assert hindi.stdout.split()[0] == "whatsapp"
    assert run_bot("sources", "search", "no-such-service-anywhere").returncode == 1


def test_add_copies_an_entry_once_into_a_valid_config(tmp_path):
    config = tmp_path / "pushti.toml"
    first = run_bot("sources", "add", "github", "--config", str(config))
    assert first.returncode == 0 and "added github" in first.stdout
    bot = load_config(config)
    github = bot.source("github")
    assert github.kind == "statuspage" and github.url == "https://www.githubstatus.com" and github.service == "GitHub"
    again = run_bot("sources", "add", "github", "--config", str(config))
    assert again.returncode == 0 and "already" in again.stdout
    assert len(load_config(config).sources) == len(bot.sources)
    unknown = run_bot("sources", "add", "nope-nope", "--config", str(config))
    assert unknown.returncode == 2 and "sources search" in unknown.stderr


def test_check_reports_status_entries_and_validators(server, tmp_path):
    server.route("/good/api/v2/incidents.json", incidents_document(), etag=True,
                 headers={"Content-Type": "application/json"})
    server.route("/feed.atom", "<html><body>not a feed</body></html>")
    config = write_config(tmp_path, [
        {"id": "good", "kind": "statuspage", "service": "Good", "url": server.url + "/good"},
        {"id": "bad", "kind": "feed", "service": "Bad", "url": server.url + "/feed.atom"},
    ])
    result = run_bot("sources", "check", "--config", str(config))
    assert result.returncode == 1
    good, bad = result.stdout.splitlines()
    assert good.startswith("✓ good") and "HTTP 200" in good and "statuspage JSON" in good and "ETag" in good
    assert bad.startswith("✗ bad") and "feed" in bad
    only = run_bot("sources", "check", "good", "--config", str(config))
    assert only.returncode == 0 and len(only.stdout.splitlines()) == 1
    assert not (tmp_path / "state.db").exists()  # check changes nothing
