"""What an unchanged poll does NOT do (issue 14): no httpx Request/Response per GET on the shared client (its
httpcore pool directly, every hardening check still on the way), no more fetches in flight than the network needs,
no classifier weights loaded by a cron run that classifies nothing. Behaviour only: timings are in bench/."""

from __future__ import annotations

import gzip
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from pollhelpers import ROOT, incidents_document, load_incident, recent_start, shifted, write_config

from config import SourceConfig
from pipeline import _InFlight, fetch_each
from tests.test_faults_network import PUBLIC_IP, proxy_env
from trackers import TrackerError
from trackers.feed import FeedTracker
from trackers.http import fetch, make_client

FEED = (ROOT / "tests" / "data" / "feeds" / "githubstatus_history_2019-11-22.atom").read_bytes()


@pytest.fixture
def no_httpx_send(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx's own send path fails loudly: whatever still works goes through trackers.pooled."""

    def refuse(self: httpx.Client, *args: Any, **kwargs: Any) -> httpx.Response:
        raise AssertionError("httpx.Client.send was used")

    monkeypatch.setattr(httpx.Client, "send", refuse)


def test_the_refusal_is_real(server: Any, no_httpx_send: None) -> None:
    server.route("/x", "x")
    with httpx.Client() as plain, pytest.raises(AssertionError, match="httpx.Client.send was used"):
        fetch(plain, server.url + "/x")  # a client of another kind still takes httpx's path


def test_a_conditional_poll_goes_straight_to_the_pool(server: Any, no_httpx_send: None) -> None:
    server.route("/history.atom", FEED, etag=True, headers={"Content-Type": "application/atom+xml"})
    source = SourceConfig(id="gh", kind="feed", service="GitHub", url=server.url + "/history.atom")
    with make_client() as client:
        first = FeedTracker(source, http=client).poll({})
        second = FeedTracker(source, http=client).poll(first.cursor)
    assert first.posts and not first.not_modified
    assert second.not_modified and second.posts == [] and second.cursor == first.cursor
    hits = server.hits("/history.atom")
    assert hits[1].headers["if-none-match"] == first.cursor["etag"]
    assert hits[1].headers["user-agent"].startswith("pushti/") and hits[1].headers["host"] == server.url[7:]
    assert "cookie" not in hits[1].headers


def test_the_pooled_path_keeps_every_bound(server: Any, no_httpx_send: None) -> None:
    server.route("/big", b"x" * 5000)
    server.route("/gz", gzip.compress(b"a" * 4000), headers={"Content-Encoding": "gzip"})
    server.route("/loop", status=302, headers={"Location": "/loop"})
    server.route("/file", status=302, headers={"Location": "file:///etc/passwd"})
    server.route("/hop", status=301, headers={"Location": "/gz"})
    server.route("/slow", "late", delay=1.5)
    server.route("/limited", "slow down", status=429, headers={"Retry-After": "99999999999999999999"})
    with make_client() as client:
        with pytest.raises(TrackerError, match="5,000 bytes, over the 1,000-byte cap"):
            fetch(client, server.url + "/big", max_bytes=1000)
        assert fetch(client, server.url + "/gz").body == b"a" * 4000  # decoded as httpx decodes it
        with pytest.raises(TrackerError, match="over the 1,000-byte cap"):
            fetch(client, server.url + "/gz", max_bytes=1000)  # the cap counts decoded bytes
        assert fetch(client, server.url + "/hop").body == b"a" * 4000
        with pytest.raises(TrackerError, match="more than 10 redirects"):
            fetch(client, server.url + "/loop")
        with pytest.raises(TrackerError, match="^cannot fetch"):
            fetch(client, server.url + "/file")
        with pytest.raises(TrackerError, match="took longer than 0.5 s"):
            fetch(client, server.url + "/slow", deadline=0.5)
        with pytest.raises(TrackerError) as limited:
            fetch(client, server.url + "/limited")
        assert limited.value.retry_after == 3600.0
        with pytest.raises(TrackerError, match="not a usable URL"):
            fetch(client, "http://[::1")


def test_a_redirect_to_a_private_address_is_refused_on_the_pooled_path(server: Any, no_httpx_send: None,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in proxy_env(server.url).items():  # through the proxy httpx would pick for the URL
        monkeypatch.setenv(key, value)
    server.route("/feed", status=302, headers={"Location": server.url + "/secret"})
    server.route("/secret", "internal admin page")
    with make_client() as client, pytest.raises(TrackerError, match=f"refused a redirect from http://{PUBLIC_IP}/feed"):
        fetch(client, f"http://{PUBLIC_IP}/feed")
    assert server.hits("/secret") == [] and len(server.hits("/feed")) == 1


def test_abort_cuts_a_pooled_fetch_short(server: Any) -> None:
    server.route("/stuck", "never in time", delay=5)
    client = make_client()
    errors: list[str] = []

    def run() -> None:
        try:
            fetch(client, server.url + "/stuck")
        except TrackerError as err:
            errors.append(str(err))

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(0.3)
    client.abort()
    worker.join(timeout=3)
    assert not worker.is_alive() and errors and "shutting down" in errors[0]
    client.close()


# --- how many fetches at once -------------------------------------------------------------------------------------


def test_fetches_in_flight_follow_how_long_the_network_makes_them_wait() -> None:
    pace = _InFlight(32)
    assert pace.limit == 4  # before anything is known
    for _ in range(40):
        pace.record(wall=0.0006, cpu=0.0004)  # answers at once: more threads would only fight for the lock
    assert pace.limit == 4
    for _ in range(40):
        pace.record(wall=0.250, cpu=0.001)  # a far server: fill the wait
    assert pace.limit == 32
    for _ in range(4):
        pace.record(wall=0.0005, cpu=0.0004)  # a few near sources among far ones do not hold them back
    assert pace.limit == 32
    for _ in range(20):
        pace.record(wall=0.009, cpu=0.001)  # nearer answers: as many as their wait needs
    assert pace.limit == 9
    assert _InFlight(2).limit == 2


def test_a_slow_network_gets_every_worker_and_never_more(server: Any) -> None:
    active, peak, lock = [0], [0], threading.Lock()

    def slow(request: Any) -> tuple[int, dict[str, str], bytes]:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.25)
        with lock:
            active[0] -= 1
        return 304, {}, b""

    server.route("/feed.atom", handler=slow)
    sources = [SourceConfig(id=f"s{i}", kind="feed", service=f"S{i}", url=server.url + "/feed.atom")
               for i in range(28)]
    cursors = {s.id: {"etag": '"v1"'} for s in sources}
    with make_client() as client:
        results = {source.id: result for source, result in fetch_each(sources, cursors, {}, client, workers=8)}
    assert sorted(results) == sorted(s.id for s in sources)
    assert all(not isinstance(r, TrackerError) and r.not_modified for r in results.values())
    assert peak[0] == 8  # started at 4, grew to the workers allowed, never beyond


# --- bot.py poll --once: no weights loaded when nothing is classified ------------------------------------------------

PATH = "/api/v2/incidents.json"
PROBE = """
import atexit, runpy, sys
from understanding import model
atexit.register(lambda: print("weights loaded:", model.load_model.cache_info().currsize, file=sys.stderr))
sys.argv = ["bot.py", *sys.argv[1:]]
runpy.run_path("bot.py", run_name="__main__")
"""


def _poll(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", PROBE, "poll", "--once", "--config", str(config)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_an_unchanged_cron_poll_loads_no_weights(server: Any, tmp_path: Path) -> None:
    server.route(PATH, incidents_document(shifted(load_incident("nf4gcjtcsqdb"), recent_start(30))), etag=True)
    config = write_config(tmp_path, [{"id": "github", "kind": "statuspage", "service": "GitHub", "url": server.url}])
    first, again = _poll(config), _poll(config)
    assert first.returncode == 0 and "weights loaded: 1" in first.stderr  # statements to classify
    assert again.returncode == 0 and "weights loaded: 0" in again.stderr, again.stderr  # all 304
    assert server.hits(PATH)[-1].headers.get("if-none-match")


def test_a_broken_model_met_mid_poll_is_one_line_and_exit_2(server: Any, tmp_path: Path) -> None:
    server.route(PATH, incidents_document(shifted(load_incident("nf4gcjtcsqdb"), recent_start(30))), etag=True)
    config = write_config(tmp_path, [{"id": "github", "kind": "statuspage", "service": "GitHub", "url": server.url}])
    broken = tmp_path / "classifier.json.gz"
    broken.write_bytes(gzip.compress(b'{"classes": ["a"], "intercept": [0.0, 1.0], "weights": {}}'))
    probe = PROBE.replace("from understanding import model\n",
                          f"from understanding import model\nmodel.MODEL_PATH = model.Path({str(broken)!r})\n")
    result = subprocess.run([sys.executable, "-c", probe, "poll", "--once", "--config", str(config)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if "model error" in line]
    assert len(lines) == 1 and "weight rows do not match" in lines[0] and "Traceback" not in result.stderr
