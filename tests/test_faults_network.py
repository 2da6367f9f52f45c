"""Hostile sources on the network (issue 13): Retry-After values of every form and size, a server that trickles one
byte a second, redirects from a public address to a private one, shutdown while fetches are blocked.

In-process tests of ``trackers.http`` and the poll cycle; ``test_faults_net_e2e`` runs the same cases through
``bot.py``. Helpers here (``TrickleServer``, ``proxy_env``) are shared with it.
"""

from __future__ import annotations

import logging
import math
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from trackers import MAX_RETRY_AFTER, MIN_RETRY_AFTER, TrackerError, clamp_retry_after
from trackers.http import (
    DEFAULT_DEADLINE,
    abort_client,
    deadline_from_env,
    fetch,
    is_private_address,
    is_private_host,
    make_client,
    parse_wait,
    poll_deadline,
    redirect_refusal,
    retry_after_seconds,
)

PUBLIC_IP = "93.184.216.34"  # a global address; tests reach it only through the local server acting as a proxy


class TrickleServer:
    """A TCP server on 127.0.0.1 that reads a request, then sends its answer one byte every ``interval`` seconds:
    ``mode="headers"`` trickles an endless header, ``mode="body"`` sends headers at once and trickles the body."""

    def __init__(self, mode: str = "headers", interval: float = 0.25) -> None:
        self.mode = mode
        self.interval = interval
        self.stopped = threading.Event()
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(5)
            request = b""
            while b"\r\n\r\n" not in request and len(request) < 65536:
                part = conn.recv(4096)
                if not part:
                    return
                request += part
            if self.mode == "body":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
                head = b""
            else:
                head = b"HTTP/1.1 200 OK\r\nX-Slow: "
            conn.sendall(head)
            while not self.stopped.wait(self.interval):
                conn.sendall(b"a")
        except OSError:
            pass
        finally:
            conn.close()

    def stop(self) -> None:
        self.stopped.set()
        self.listener.close()


@pytest.fixture
def trickle() -> Any:
    servers: list[TrickleServer] = []

    def start(mode: str = "headers", interval: float = 0.25) -> TrickleServer:
        servers.append(TrickleServer(mode, interval))
        return servers[-1]

    yield start
    for srv in servers:
        srv.stop()


def proxy_env(proxy_url: str) -> dict[str, str]:
    """Environment that sends every plain-HTTP request through ``proxy_url`` (the local server), so a source can be
    configured at a public address without any traffic leaving the machine."""
    return {"HTTP_PROXY": proxy_url, "http_proxy": proxy_url, "NO_PROXY": "", "no_proxy": ""}


# --- Retry-After: every form, every size --------------------------------------------------------------------------

NOW = 1_800_000_000.0  # a fixed "now" for parse_wait


@pytest.mark.parametrize(
    ("value", "epoch", "expected"),
    [
        ("120", False, 120.0),
        (" 7 ", False, 7.0),
        ("2.5", False, 2.5),
        ("0", False, 0.0),
        ("-30", False, -30.0),
        ("99999999999999999999", False, 1e20),
        (str(int(NOW) + 600), True, 600.0),  # X: x-rate-limit-reset is a Unix time
        ("90", True, 90.0),  # RateLimit-Reset: seconds to wait
        (format_datetime(datetime.fromtimestamp(NOW + 300, tz=UTC), usegmt=True), False, 300.0),
        ("2027-01-15T08:00:30Z", True, 1_800_000_030.0 - NOW),  # ISO (2027-01-15T08:00:30Z == NOW + 30)
    ],
)
def test_parse_wait_reads_every_documented_form(value: str, epoch: bool, expected: float) -> None:
    assert parse_wait(value, epoch=epoch, now=NOW) == pytest.approx(expected)


@pytest.mark.parametrize("value", ["garbage", "inf", "nan", "-inf", "1e400", "0x10", "", "9" * 300, "Wed, 99 Foo",
                                   "10 seconds", "\x1b[2J"])
def test_parse_wait_gives_none_for_garbage_and_never_raises(value: str) -> None:
    assert parse_wait(value, now=NOW) is None
    assert parse_wait(value, epoch=True, now=NOW) is None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "120"}, 120.0),
        ({"Retry-After": "0"}, MIN_RETRY_AFTER),
        ({"Retry-After": "-5"}, MIN_RETRY_AFTER),
        ({"Retry-After": "99999999999999999999"}, MAX_RETRY_AFTER),
        ({"Retry-After": "9" * 190}, MAX_RETRY_AFTER),  # a float of 1e190: clamped, not an overflow
        ({"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}, MAX_RETRY_AFTER),  # 73 years: one hour
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, MIN_RETRY_AFTER),  # in the past: a second
        ({"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"}, MAX_RETRY_AFTER),
        ({"X-Rate-Limit-Reset": "99999999999999999999"}, MAX_RETRY_AFTER),
        ({"X-RateLimit-Reset": "2099-01-01T00:00:00Z"}, MAX_RETRY_AFTER),
        ({"RateLimit-Reset": "45"}, 45.0),
        ({"Retry-After": "garbage", "RateLimit-Reset": "45"}, 45.0),  # a bad header does not hide a good one
    ],
)
def test_retry_after_is_clamped_to_a_second_and_an_hour(headers: dict[str, str], expected: float) -> None:
    assert retry_after_seconds(httpx.Headers(headers)) == pytest.approx(expected)


def test_retry_after_relative_forms_count_from_now() -> None:
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=600), usegmt=True)
    assert retry_after_seconds(httpx.Headers({"Retry-After": soon})) == pytest.approx(600, abs=3)
    epoch = str(int(time.time()) + 900)
    assert retry_after_seconds(httpx.Headers({"x-rate-limit-reset": epoch})) == pytest.approx(900, abs=3)


@pytest.mark.parametrize("value", ["garbage", "inf", "nan", "1e400", "Wed, 99 Foo 2099"])
def test_garbage_retry_after_is_ignored_with_one_warning_line(value: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="pushti.http"):
        assert retry_after_seconds(httpx.Headers({"Retry-After": value}), where="http://x.test/feed") is None
    records = [r for r in caplog.records if r.name == "pushti.http"]
    assert len(records) == 1 and records[0].levelno == logging.WARNING
    message = records[0].getMessage()
    assert "retry-after" in message and "http://x.test/feed" in message and "\n" not in message
    assert records[0].exc_info is None


@pytest.mark.parametrize("given", [1e300, math.inf, -math.inf, 10**400, -(10**400), 1e-9, 0, -1])
def test_tracker_error_never_holds_a_monster_wait(given: float) -> None:
    wait = TrackerError("x", retry_after=given).retry_after
    assert wait is not None and math.isfinite(wait) and MIN_RETRY_AFTER <= wait <= MAX_RETRY_AFTER


@pytest.mark.parametrize("given", [None, math.nan, "soon", [1]])
def test_tracker_error_drops_a_wait_that_is_not_a_number(given: Any) -> None:
    assert TrackerError("x", retry_after=given).retry_after is None
    assert clamp_retry_after(given) is None


@pytest.mark.parametrize("value", ["99999999999999999999", "Wed, 21 Oct 2099 07:28:00 GMT", "garbage", "nan"])
def test_a_429_with_a_hostile_retry_after_is_one_line_and_a_bounded_wait(server: Any, value: str) -> None:
    server.route("/feed", "slow down", status=429, headers={"Retry-After": value})
    with make_client() as client, pytest.raises(TrackerError) as caught:
        fetch(client, server.url + "/feed")
    assert "HTTP 429" in str(caught.value) and "\n" not in str(caught.value)
    wait = caught.value.retry_after
    assert wait is None or MIN_RETRY_AFTER <= wait <= MAX_RETRY_AFTER


def test_deadline_from_the_environment_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUSHTI_FETCH_DEADLINE", "2.5")
    assert deadline_from_env() == 2.5
    for bad in ("abc", "inf", "nan", "-1", "0", "1e9"):
        monkeypatch.setenv("PUSHTI_FETCH_DEADLINE", bad)
        assert deadline_from_env() == DEFAULT_DEADLINE
    monkeypatch.delenv("PUSHTI_FETCH_DEADLINE")
    assert deadline_from_env() == DEFAULT_DEADLINE


# --- the total deadline ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["headers", "body"])
def test_a_trickling_server_is_cut_off_at_the_deadline(trickle: Any, mode: str) -> None:
    srv = trickle(mode)
    with make_client(timeout=15.0, deadline=1.5) as client:
        started = time.monotonic()
        with pytest.raises(TrackerError) as caught:
            fetch(client, srv.url + "/feed")
        elapsed = time.monotonic() - started
    assert elapsed < 10  # the per-read timeout (15 s) never expires: only the deadline ends this
    assert "took longer than 1.5 s (deadline)" in str(caught.value)
    assert srv.url in str(caught.value)


def test_a_deadline_passed_to_fetch_overrides_the_clients(trickle: Any) -> None:
    srv = trickle("headers")
    with make_client(deadline=60) as client, pytest.raises(TrackerError, match=r"longer than 1 s \(deadline\)"):
        fetch(client, srv.url + "/feed", deadline=1.0)


def test_a_poll_deadline_bounds_several_fetches_as_a_whole(trickle: Any, server: Any) -> None:
    srv = trickle("headers")
    server.route("/fast", "ok")
    with make_client(deadline=60) as client:
        started = time.monotonic()
        with poll_deadline(1.5):
            with pytest.raises(TrackerError, match=r"the poll took longer than 1.5 s \(deadline\)"):
                fetch(client, srv.url + "/feed")  # a tracker's first document…
            with pytest.raises(TrackerError, match="the poll took longer"):
                fetch(client, srv.url + "/fallback")  # …and its fallback: no new 60 s
        assert time.monotonic() - started < 8
        assert fetch(client, server.url + "/fast").body == b"ok"  # outside the block: the client's deadline again
        with poll_deadline(60), pytest.raises(TrackerError, match=r"took longer than 1 s \(deadline\)"):
            fetch(client, srv.url + "/feed", deadline=1.0)  # a fetch's own deadline still ends it first


def test_a_plain_httpx_client_still_has_its_body_bounded(trickle: Any) -> None:
    srv = trickle("body", interval=0.05)
    with httpx.Client(timeout=15) as client, pytest.raises(TrackerError, match="deadline"):
        fetch(client, srv.url + "/feed", deadline=1.0)


def test_a_fast_server_is_unaffected_by_the_deadline(server: Any) -> None:
    server.route("/feed", "x" * 200_000)
    with make_client(deadline=5) as client:
        for _ in range(3):  # pooled connections keep working across fetches
            assert len(fetch(client, server.url + "/feed").body) == 200_000


def test_abort_makes_blocked_fetches_fail_at_once(trickle: Any) -> None:
    srv = trickle("headers")
    client = make_client(deadline=60)
    errors: list[str] = []

    def work() -> None:
        try:
            fetch(client, srv.url + "/feed")
        except TrackerError as err:
            errors.append(str(err))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while srv.connections < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    abort_client(client)
    for thread in threads:
        thread.join(timeout=10)
    assert not any(t.is_alive() for t in threads)
    assert len(errors) == 3 and all("shutting down" in e for e in errors), errors
    with pytest.raises(TrackerError):  # and no new fetch starts
        fetch(client, srv.url + "/feed")
    client.close()


# --- redirects ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2", "10.0.0.1", "172.16.5.4", "192.168.1.1",
                                     "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fc00::1",
                                     "::ffff:127.0.0.1", "::ffff:10.0.0.1", "224.0.0.1", "192.0.2.1"])
def test_non_global_addresses_are_private(address: str) -> None:
    assert is_private_address(address)
    assert is_private_host(address, resolve=lambda host: pytest.fail("a literal address is not resolved"))


@pytest.mark.parametrize("address", [PUBLIC_IP, "1.1.1.1", "2606:4700:4700::1111"])
def test_global_addresses_are_public(address: str) -> None:
    assert not is_private_address(address)
    assert not is_private_host(address)


@pytest.mark.parametrize("host", ["2130706433", "127.1", "0x7f000001", "LOCALHOST."])
def test_other_spellings_of_loopback_are_private(host: str) -> None:
    assert is_private_host(host)  # numeric forms are read by getaddrinfo itself: no DNS involved


def test_names_are_judged_by_what_they_resolve_to() -> None:
    assert is_private_host("localhost", resolve=lambda host: pytest.fail("localhost needs no lookup"))
    assert is_private_host("api.localhost.", resolve=lambda host: [])
    assert is_private_host("intranet.example", resolve=lambda host: [PUBLIC_IP, "10.1.2.3"])
    assert not is_private_host("status.example", resolve=lambda host: [PUBLIC_IP])
    assert not is_private_host("nowhere.example", resolve=lambda host: [])  # unknown: judged public (stricter)


def test_redirect_decision() -> None:
    public = f"http://{PUBLIC_IP}/api/v2/incidents.json"
    assert "refused a redirect" in redirect_refusal(public, "http://127.0.0.1:8080/admin")
    assert "refused a redirect" in redirect_refusal(public, "http://169.254.169.254/latest/meta-data/")
    assert "refused a redirect" in redirect_refusal(public, "http://[::1]/")
    assert "refused a redirect" in redirect_refusal(public, "http://localhost/")
    assert redirect_refusal(public, "https://1.1.1.1/elsewhere") == ""
    assert redirect_refusal("http://127.0.0.1:9/a", "http://127.0.0.1:9/b") == ""  # a local source stays local
    assert redirect_refusal("http://localhost:9/a", "http://10.0.0.7/b") == ""
    assert redirect_refusal("http://intranet.example/a", "http://10.0.0.7/b",
                            resolve=lambda host: ["10.0.0.5"] if host == "intranet.example" else []) == ""
    assert "\n" not in redirect_refusal(public, "http://10.0.0.1/" + "x" * 5000)


def test_a_local_source_may_redirect_locally(server: Any) -> None:
    server.route("/old", status=301, headers={"Location": "/new"})
    server.route("/hop", status=302, headers={"Location": server.url + "/old"})
    server.route("/new", "moved here")
    port = server.url.rsplit(":", 1)[1]
    with make_client() as client:
        assert fetch(client, server.url + "/hop").body == b"moved here"
        assert fetch(client, f"http://localhost:{port}/old").body == b"moved here"


def test_a_public_source_redirected_to_a_private_address_is_refused(server: Any, monkeypatch: pytest.MonkeyPatch
                                                                     ) -> None:
    for key, value in proxy_env(server.url).items():  # the local server answers for the public address
        monkeypatch.setenv(key, value)
    secret = server.route("/secret", "internal admin page")
    server.route("/feed", status=302, headers={"Location": server.url + "/secret"})
    server.route("/meta", status=307, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    server.route("/ok", status=302, headers={"Location": "http://1.1.1.1/elsewhere"})
    server.route("/elsewhere", "public content")
    with make_client() as client:
        with pytest.raises(TrackerError) as caught:
            fetch(client, f"http://{PUBLIC_IP}/feed")
        assert str(caught.value).startswith(f"refused a redirect from http://{PUBLIC_IP}/feed to {server.url}/secret")
        with pytest.raises(TrackerError, match="refused a redirect"):
            fetch(client, f"http://{PUBLIC_IP}/meta")
        assert fetch(client, f"http://{PUBLIC_IP}/ok").body == b"public content"  # public to public: followed
    assert secret is not None and server.hits("/secret") == []


def test_unusable_urls_and_locations_are_one_line(server: Any) -> None:
    server.route("/bad-location", status=302, headers={"Location": "http://[::1"})
    server.route("/file", status=302, headers={"Location": "file:///etc/passwd"})
    with make_client() as client:
        for url in ("http://[::1", server.url + "/bad-location", server.url + "/file"):
            with pytest.raises(TrackerError) as caught:
                fetch(client, url)
            assert str(caught.value).startswith(("cannot fetch", "refused")) and "\n" not in str(caught.value)


def test_a_redirect_loop_ends_with_one_line(server: Any) -> None:
    server.route("/loop", status=302, headers={"Location": "/loop"})
    with make_client() as client, pytest.raises(TrackerError, match="more than 10 redirects"):
        fetch(client, server.url + "/loop")


# --- X (tweepy, requests): its rate-limit headers go through the same reader -----------------------------------------


@pytest.mark.parametrize(("reset", "expected"), [("99999999999999999999", MAX_RETRY_AFTER), ("4102444800", MAX_RETRY_AFTER),
                                                  ("1", MIN_RETRY_AFTER), ("garbage", None), ("nan", None)])
def test_an_x_429_with_a_hostile_reset_is_bounded(reset: str, expected: float | None,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import responses

    from config import SourceConfig
    from trackers.x import XTracker

    monkeypatch.setenv("X_BEARER_TOKEN", "AAAA-faults-token-1234")
    source = SourceConfig(id="xs", kind="x", service="X", handle="TwitterSupport", backfill="open")
    with responses.RequestsMock() as mock:
        mock.get("https://api.twitter.com/2/users/17874544/tweets", status=429,
                 headers={"x-rate-limit-reset": reset, "x-rate-limit-remaining": "0"},
                 json={"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank",
                       "status": 429})
        with pytest.raises(TrackerError) as caught:
            XTracker(source).poll({"user": "twittersupport", "user_id": "17874544", "since_id": "1"})
    assert caught.value.retry_after == (pytest.approx(expected, abs=2) if expected is not None else None)
    assert "429" in str(caught.value) and "\n" not in str(caught.value)


# --- the daemon's fetch workers -------------------------------------------------------------------------------------


def test_fetch_pool_workers_never_hold_the_process() -> None:
    from daemon import FetchPool

    pool = FetchPool(2, name="faults")
    release = threading.Event()
    done: list[int] = []
    pool.submit(release.wait)  # blocked, like a fetch stuck in a read
    pool.submit(lambda: done.append(1))
    pool.submit(lambda: 1 / 0)  # a job that raises does not cost a worker
    pool.submit(lambda: done.append(2))
    deadline = time.monotonic() + 5
    while len(done) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert done == [1, 2]
    assert all(t.daemon for t in pool.threads)  # not joined at interpreter exit
    assert not pool.wait_idle(0.2)
    pool.shutdown()
    release.set()
    assert pool.wait_idle(5)


# --- TLS: the deadline backend wraps the encrypted stream too -------------------------------------------------------


def _self_signed(tmp_path: Any) -> tuple[str, str]:
    import shutil
    import subprocess

    if not shutil.which("openssl"):
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=30)
    return cert, key


@pytest.mark.parametrize("trickling", [False, True])
def test_https_works_and_is_bounded_by_the_deadline(tmp_path: Any, trickling: bool) -> None:
    import ssl
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from trackers.http import Client

    cert, key = _self_signed(tmp_path)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if trickling:  # headers one byte at a time: only the per-operation bound can end this
                try:
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                    for _ in range(40):
                        self.wfile.write(b"a")
                        self.wfile.flush()
                        time.sleep(0.25)
                except OSError:  # the client gave up
                    pass
                return
            self.send_response(200)
            self.send_header("Content-Length", "9")
            self.end_headers()
            self.wfile.write(b"encrypted")

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    httpd.socket = server_ctx.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    url = f"https://127.0.0.1:{httpd.server_address[1]}/feed"
    try:
        with Client(fetch_deadline=1.5, verify=ssl.create_default_context(cafile=cert), timeout=15) as client:
            if trickling:
                started = time.monotonic()
                with pytest.raises(TrackerError, match=r"longer than 1.5 s \(deadline\)"):
                    fetch(client, url)
                assert time.monotonic() - started < 8
            else:
                assert fetch(client, url).body == b"encrypted"
                assert fetch(client, url).body == b"encrypted"  # over the pooled TLS connection
    finally:
        httpd.shutdown()
        httpd.server_close()
