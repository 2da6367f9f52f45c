"""AwsTracker: golden tests on the real legacy data.json sample, the documented RSS shape, HTTP behaviour."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

import pytest

from config import SourceConfig
from trackers import TrackerError
from trackers.aws import AwsTracker, parse_data_json, parse_rss

SAMPLE = "aws/aws_health_dashboard_archive_sample.json"
RSS = "aws/ec2-us-east-1_documented_schema.rss"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def posts(data_dir):
    data = json.loads((data_dir / SAMPLE).read_text(encoding="utf-8"))
    return parse_data_json(data, source_id="aws", service="AWS")


def thread(posts, prefix):
    return [p for p in posts if p.thread_key.startswith(prefix)]


def test_golden_sample_counts_events_and_updates(posts, data_dir):
    data = json.loads((data_dir / SAMPLE).read_text(encoding="utf-8"))
    assert len({p.thread_key for p in posts}) == 22 == len(data["archive"])
    assert len(posts) == 102 == sum(e["description"].count("<div>") for e in data["archive"])
    assert len({p.native_id for p in posts}) == 102
    assert all(p.created_at.tzinfo == timezone.utc for p in posts)


def test_golden_resolutions_from_resolved_prefix(posts):
    by_event = defaultdict(list)
    for post in posts:
        by_event[post.thread_key].append(post)
    assert len(by_event) == 22
    for updates in by_event.values():
        assert updates[0].status in ("investigating", "resolved")
        assert "resolved" in {p.status for p in updates}
        assert all(not p.title.startswith("[RESOLVED]") for p in updates)
    counts = Counter(p.status for p in posts)
    assert counts == {"update": 58, "resolved": 22, "investigating": 21, "postmortem": 1}
    single = thread(posts, "internetconnectivity-us-east-2")
    assert [p.status for p in single] == ["resolved"]


def test_golden_epoch_string_dates_anchor_the_first_update(posts, data_dir):
    data = json.loads((data_dir / SAMPLE).read_text(encoding="utf-8"))
    for event in data["archive"]:
        first = thread(posts, f"{event['service']}_{event['date']}")[0]
        start = datetime.fromtimestamp(int(event["date"]), tz=timezone.utc)
        assert abs(first.created_at - start) < timedelta(minutes=1), event["service"]


def test_golden_pdt_and_pst_conversion(posts):
    ec2 = thread(posts, "ec2-eu-central-1")  # " 5:29 AM PDT" on 13 Jul 2021
    assert ec2[0].created_at == utc(2021, 7, 13, 12, 29)
    assert ec2[-1].created_at == utc(2021, 7, 13, 14, 24)
    sa = thread(posts, "internetconnectivity-sa-east-1")  # " 5:36 PM PST" on 8 Nov = 01:36 UTC on 9 Nov
    assert [p.created_at for p in sa] == [utc(2021, 11, 9, 1, 36), utc(2021, 11, 9, 1, 51)]
    events = thread(posts, "events-af-south-1")  # "Nov 23, 12:04 AM PST" carries its own date
    assert [p.created_at for p in events][-2:] == [utc(2021, 11, 23, 8, 4), utc(2021, 11, 23, 9, 59)]
    assert events[-1].status == "resolved"


def test_golden_japanese_bilingual_updates_and_post_event_summary(posts):
    dx = thread(posts, "directconnect-ap-northeast-1")
    assert len(dx) == 8
    assert all(p.language == "ja" for p in dx)
    assert "日本時間" in dx[0].text and "we began to experience network connectivity issues" in dx[0].text
    assert dx[0].title == "ネットワーク接続性 | Network Connectivity"
    assert [p.status for p in dx[-2:]] == ["resolved", "postmortem"]
    assert dx[-1].created_at == utc(2021, 9, 7, 3, 25)  # "Sep 6,  8:25 PM PDT"
    assert "https://aws.amazon.com/message/17908" in dx[-1].text
    assert dx[0].impact == "critical"  # status "3": service disruption
    assert dx[0].components == ("AWS Direct Connect (Tokyo)",)
    assert {p.language for p in posts if not p.thread_key.startswith("directconnect")} == {"en"}


def test_korean_update_and_year_rollover_documented_schema():
    event = {
        "service_name": "Amazon Elastic Compute Cloud (Seoul)", "service": "ec2-ap-northeast-2",
        "summary": "[RESOLVED] 네트워크 연결 | Network Connectivity", "date": "1672520400", "status": "2",
        "details": "",
        "description": (
            '<div><span class="yellowfg">12:00 PM PST</span>&nbsp;네트워크 연결 문제를 조사하고 있습니다. | '
            "We are investigating network connectivity issues.</div>"
            '<div><span class="yellowfg">Jan 1,  2:10 AM PST</span>&nbsp;문제가 해결되었습니다. | '
            "The issue has been resolved and the service is operating normally.</div>"
        ),
    }
    event["date"] = str(int(datetime(2022, 12, 31, 20, 0, tzinfo=timezone.utc).timestamp()))
    posts = parse_data_json({"current": [], "archive": [event]}, source_id="aws", service="AWS")
    assert [p.language for p in posts] == ["ko", "ko"]
    assert [p.created_at for p in posts] == [utc(2022, 12, 31, 20, 0), utc(2023, 1, 1, 10, 10)]
    assert [p.status for p in posts] == ["investigating", "resolved"]
    assert posts[0].impact == "major"


def test_rss_documented_schema(data_dir):
    posts = parse_rss((data_dir / RSS).read_bytes(), source_id="aws", service="AWS")
    assert len(posts) == 5
    assert [(p.thread_key, p.status) for p in posts] == [
        ("ec2-us-east-1_1631032260", "investigating"),
        ("ec2-us-east-1_1631032260", "resolved"),
        ("ec2-us-east-1_1640176500", "investigating"),
        ("ec2-us-east-1_1640176500", "update"),
        ("ec2-us-east-1_1640176500", "resolved"),
    ]
    assert posts[2].created_at == utc(2021, 12, 22, 12, 35)  # 04:35 PST
    assert posts[0].created_at == utc(2021, 9, 7, 16, 31)  # 09:31 PDT
    assert posts[-1].native_id == "http://status.aws.amazon.com/#ec2-us-east-1_1640218920"
    assert posts[-1].title == "API Error Rates" and posts[-1].raw_status == "Service is operating normally"
    assert posts[3].impact == "major"  # performance issues
    assert posts[0].components == ("Amazon Elastic Compute Cloud (N. Virginia)",)


@pytest.mark.parametrize("path,content_type", [(SAMPLE, "text/plain"), (RSS, "application/octet-stream")])
def test_poll_sniffs_shape_through_local_server(server, data_dir, path, content_type):
    server.route("/feed", (data_dir / path).read_bytes(), etag=True, headers={"Content-Type": content_type})
    tracker = AwsTracker(SourceConfig(id="aws", kind="aws", service="AWS", url=server.url + "/feed"))
    first = tracker.poll({})
    assert len(first.posts) == (102 if path == SAMPLE else 5)
    second = tracker.poll(first.cursor)
    assert second.not_modified and second.posts == []


def test_utf16_json_body(server):
    body = json.dumps({"current": [], "archive": []}).encode("utf-16")
    server.route("/data.json", body)
    result = AwsTracker(SourceConfig(id="aws", kind="aws", service="AWS", url=server.url + "/data.json")).poll({})
    assert result.posts == [] and not result.not_modified


def test_errors_are_one_line(server):
    server.route("/rss/ec2.rss", "down", status=500)
    url = server.url + "/rss/ec2.rss"
    with pytest.raises(TrackerError) as err:
        AwsTracker(SourceConfig(id="aws", kind="aws", service="AWS", url=url)).poll({})
    assert str(err.value) == f"HTTP 500 from {url}"
    server.route("/rss/ec2.rss", "plain words, not a document")
    with pytest.raises(TrackerError) as err:
        AwsTracker(SourceConfig(id="aws", kind="aws", service="AWS", url=url)).poll({})
    assert url in str(err.value)
