"""HTTP fetching for trackers: timeouts, a total deadline, a size cap, safe redirects, conditional requests with
a cursor, one-line errors.

Trackers call ``fetch`` (or ``fetch_if_changed``) and get bytes (or "not modified"); every failure becomes a
``TrackerError``.

* **Deadline.** ``DEFAULT_TIMEOUT`` bounds each network operation (connect, one read, one write); a fetch as a
  whole (connect, headers, every read of the body, redirects) ends after ``deadline`` seconds (default
  ``DEFAULT_DEADLINE``, or ``PUSHTI_FETCH_DEADLINE`` from the environment), even against a server that trickles
  one byte a second: the client made by ``make_client`` gives every socket operation at most the time left
  (a network backend wrapped around httpcore's), and the body loop checks the clock too. ``poll_deadline``
  bounds several fetches (a tracker's fallback document, its pages) as a whole.
* **Shutdown.** ``Client.abort()`` shuts down every socket the client has open, so fetches blocked in a read
  fail at once (the daemon calls it on SIGTERM).
* **Redirects** are followed here, one hop at a time: a source whose configured URL is on a public address may
  not be sent to a loopback, private, link-local or otherwise non-global address (``redirect_refusal``).
* **Retry-After** and the rate-limit reset headers are read in every documented form and clamped
  (``retry_after_seconds``); garbage is ignored with one warning line.
* **Path.** On the client ``make_client`` returns, a GET goes straight to the client's httpcore pool
  (``trackers.pooled``: no httpx Request/Response objects per request, no cookies); every check above is made the
  same way on that path. Any other client takes httpx's own ``send``.
"""

from __future__ import annotations

import email.utils
import hashlib
import ipaddress
import json
import logging
import math
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpcore
import httpx

from trackers import Tracker, TrackerError, clamp_retry_after, pooled

if TYPE_CHECKING:
    from config import SourceConfig

log = logging.getLogger("pushti.http")

USER_AGENT = "pushti/0.1 (+outage statements bot)"
DEFAULT_TIMEOUT = 15.0  # seconds, per network operation (connect, one read, one write)
DEFAULT_DEADLINE = 30.0  # seconds, per fetch as a whole (connect + headers + body + redirects)
DEADLINE_ENV = "PUSHTI_FETCH_DEADLINE"  # overrides DEFAULT_DEADLINE (seconds, 0 < n <= 3600)
MAX_DEADLINE = 3600.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 10
RESOLVE_TIMEOUT = 3.0  # seconds to wait for a redirect target's (or origin's) address lookup


@dataclass
class FetchResult:
    status: int
    body: bytes
    etag: str = ""
    last_modified: str = ""
    headers: dict[str, str] | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


# --- the total deadline: every socket operation gets at most the time left ---------------------------------------

_local = threading.local()  # .deadline: time.monotonic() by which the current thread's fetch must end


def _bounded(timeout: float | None, expired: type[Exception]) -> float | None:
    """``timeout`` shortened to the time left before this thread's deadline; ``expired`` raised when none is left."""
    deadline = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("deadline reached")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose reads and writes never outlast the current fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, backend: _DeadlineBackend) -> None:
        self._inner = inner
        self._backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._backend.aborted:
            raise httpcore.ReadError("the client is shutting down")
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if self._backend.aborted:
            raise httpcore.WriteError("the client is shutting down")
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._backend.forget(self)
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout))
        self._backend.forget(self)
        return self._backend.track(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)

    def shutdown(self) -> None:
        """Wake any thread blocked on this socket (its read returns at once)."""
        sock = self._inner.get_extra_info("socket")
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend with deadline-bounded streams, all of them tracked so ``abort`` can cut them."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner
        self._streams: set[_DeadlineStream] = set()
        self._lock = threading.Lock()
        self.aborted = False

    def track(self, inner: httpcore.NetworkStream) -> _DeadlineStream:
        stream = _DeadlineStream(inner, self)
        with self._lock:
            self._streams.add(stream)
        if self.aborted:  # aborted while this one was connecting
            stream.shutdown()
        return stream

    def forget(self, stream: _DeadlineStream) -> None:
        with self._lock:
            self._streams.discard(stream)

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        if self.aborted:
            raise httpcore.ConnectError("the client is shutting down")
        return self.track(self._inner.connect_tcp(host, port, _bounded(timeout, httpcore.ConnectTimeout),
                                                  local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> httpcore.NetworkStream:  # pragma: no cover - unused
        return self.track(self._inner.connect_unix_socket(path, _bounded(timeout, httpcore.ConnectTimeout),
                                                          socket_options))

    def sleep(self, seconds: float) -> None:  # pragma: no cover - httpcore retries, unused
        self._inner.sleep(seconds)

    def abort(self) -> None:
        self.aborted = True
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            stream.shutdown()


class Client(httpx.Client):
    """The shared client: connection pooling, a total deadline per fetch (``fetch_deadline``), and ``abort()``."""

    def __init__(self, *, fetch_deadline: float = DEFAULT_DEADLINE, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fetch_deadline = fetch_deadline
        self.backend = _DeadlineBackend(httpcore.SyncBackend())
        for transport in [self._transport, *self._mounts.values()]:  # the proxies' pools too
            pool = getattr(transport, "_pool", None)
            if pool is not None and hasattr(pool, "_network_backend"):
                pool._network_backend = self.backend

    def abort(self) -> None:
        """Cut every fetch in flight short (their reads fail at once) and refuse new ones: for shutdown."""
        self.backend.abort()


@contextmanager
def poll_deadline(seconds: float) -> Iterator[None]:
    """One deadline, ``seconds`` from now, over every fetch this thread makes inside the block, on top of each
    fetch's own: a tracker that reads several documents (a fallback feed, pages) stays within it as a whole."""
    outer, outer_limit = getattr(_local, "deadline", None), getattr(_local, "limit", None)
    ends = time.monotonic() + seconds
    if outer is None or ends < outer:
        _local.deadline, _local.limit = ends, seconds
    try:
        yield
    finally:
        _local.deadline, _local.limit = outer, outer_limit


def deadline_from_env() -> float:
    """``PUSHTI_FETCH_DEADLINE`` (seconds) when set to a sane number, else ``DEFAULT_DEADLINE``."""
    raw = os.environ.get(DEADLINE_ENV, "").strip()
    if not raw:
        return DEFAULT_DEADLINE
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= MAX_DEADLINE):
        log.warning("%s=%r is not a number of seconds in (0, %g]; using %g s", DEADLINE_ENV, raw[:40], MAX_DEADLINE,
                    DEFAULT_DEADLINE)
        return DEFAULT_DEADLINE
    return value


def make_client(timeout: float = DEFAULT_TIMEOUT, *, deadline: float | None = None) -> Client:
    """One shared client (connection pooling); thread-safe for concurrent fetches. ``timeout`` bounds each network
    operation, ``deadline`` (default: ``deadline_from_env()``) each fetch as a whole."""
    return Client(
        fetch_deadline=deadline if deadline is not None else deadline_from_env(),
        timeout=httpx.Timeout(timeout),
        follow_redirects=True,  # for other users of the client; fetch follows redirects itself, checking each
        headers={"User-Agent": USER_AGENT},
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
    )


def abort_client(client: Any) -> None:
    """Make fetches blocked on ``client`` fail now (shutdown); any other client is left alone."""
    if isinstance(client, Client):
        client.abort()


@contextmanager
def using_client(http: httpx.Client | None) -> Iterator[httpx.Client]:
    """``http`` when there is one, else a client of its own for this use, closed afterwards."""
    if http is not None:
        yield http
    else:
        with make_client() as client:
            yield client


class HttpTracker(Tracker):
    """Base of the trackers that read documents over HTTP: the client passed in, else a pooled one of its own."""

    def __init__(self, source: SourceConfig, *, http: Any = None) -> None:
        super().__init__(source, http=http if http is not None else make_client())


# --- Retry-After and rate-limit reset headers --------------------------------------------------------------------

RESET_HEADERS = ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
EPOCH_AFTER = 1e9  # a reset header's number above this is a Unix time (X, GitHub), below it seconds to wait


def parse_wait(value: str, *, epoch: bool = False, now: float | None = None) -> float | None:
    """Seconds to wait from one header value: delta seconds, an HTTP date, an ISO 8601 time, or (``epoch``) a Unix
    time. Unclamped (may be negative or huge); None for anything else. Never raises."""
    text = value.strip()
    if not text or len(text) > 200:
        return None
    now = time.time() if now is None else now
    if _NUMBER.fullmatch(text):
        number = float(text)  # digits only: at worst inf, never an error
        return number - now if epoch and number > EPOCH_AFTER else number
    moment: datetime | None = None
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except (TypeError, ValueError, OverflowError):
            return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.timestamp() - now
    except (OverflowError, ValueError, OSError):
        return None


def retry_after_seconds(headers: Mapping[str, str], *, where: str = "") -> float | None:
    """Seconds to wait, from Retry-After (seconds or HTTP date) or an X-RateLimit-Reset / RateLimit-Reset (Unix time,
    seconds or ISO time); clamped to [1 s, 1 h] (``trackers.MIN_RETRY_AFTER`` … ``MAX_RETRY_AFTER``). A value that
    is none of these is ignored with one warning line naming ``where``. None when no header gives a wait."""
    for name in ("retry-after", *RESET_HEADERS):
        value = headers.get(name)
        if not value:
            continue
        wait = clamp_retry_after(parse_wait(str(value), epoch=name != "retry-after"))
        if wait is not None:
            return wait
        log.warning("ignored an unreadable %s header from %s: %r", name, where or "a source", str(value)[:80])
    return None


# --- redirects: never from a public address to a private one -------------------------------------------------------


def resolve_host(host: str, timeout: float = RESOLVE_TIMEOUT) -> list[str]:
    """The addresses ``host`` resolves to, waiting at most ``timeout`` seconds; [] when unknown."""
    found: list[str] = []

    def lookup() -> None:
        try:
            found.extend(str(info[4][0]) for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError, ValueError):
            pass

    worker = threading.Thread(target=lookup, name="resolve", daemon=True)
    worker.start()
    worker.join(timeout)
    return [] if worker.is_alive() else list(found)


def is_private_address(address: str) -> bool:
    """Whether an IP address is loopback, private, link-local, shared, reserved or otherwise not global."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ip.ipv4_mapped or ip.sixtofour or ip
    return (not ip.is_global or ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast
            or ip.is_reserved or ip.is_unspecified)


def is_private_host(host: str, *, resolve: Callable[[str], list[str]] | None = None) -> bool:
    """Whether ``host`` (a name or a literal IP) is, or resolves to, a non-global address. A name that cannot be
    resolved counts as public (its fetch fails anyway)."""
    host = host.strip().strip("[]").rstrip(".").lower()
    if not host or host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    else:
        return is_private_address(host)
    addresses = (resolve or resolve_host)(host)
    return any(is_private_address(a) for a in addresses)


def redirect_refusal(origin: httpx.URL | str, target: httpx.URL | str, *, origin_private: bool | None = None,
                     resolve: Callable[[str], list[str]] | None = None) -> str:
    """Why a source configured at ``origin`` may not follow a redirect to ``target`` ("" when it may): a public
    origin may not be sent to a loopback, private or link-local address. ``origin_private`` when already known."""
    origin_url, target_url = httpx.URL(str(origin)), httpx.URL(str(target))
    if origin_private is None:
        origin_private = is_private_host(origin_url.host, resolve=resolve)
    if origin_private or not is_private_host(target_url.host, resolve=resolve):
        return ""
    return (f"refused a redirect from {origin_url} to {str(target_url)[:200]}: a public source may not be sent to a "
            "loopback, private or link-local address")


# --- fetching ----------------------------------------------------------------------------------------------------


def fetch(
    client: httpx.Client,
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    max_bytes: int = DEFAULT_MAX_BYTES,
    accept: str = "*/*",
    params: dict[str, str] | None = None,
    deadline: float | None = None,
) -> FetchResult:
    """GET ``url``; 304 returns an empty body; any other non-2xx, timeout, oversize, refused redirect or a fetch
    longer than ``deadline`` seconds (default: the client's ``fetch_deadline``) raises TrackerError."""
    limit = deadline if deadline is not None else float(getattr(client, "fetch_deadline", DEFAULT_DEADLINE))
    headers = {"Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    ends = time.monotonic() + limit
    outer, outer_limit = getattr(_local, "deadline", None), getattr(_local, "limit", None)
    if outer is not None and outer < ends:  # inside poll_deadline, whose end comes first
        ends = outer
        message = f"fetching {url}: the poll took longer than {outer_limit or limit:g} s (deadline); gave up"
    else:
        message = _deadline_message(url, limit)
    _local.deadline = ends
    try:
        target = pooled.route(client, url) if params is None and isinstance(client, Client) else None
        if target is not None:
            return _fetch_pooled(client, target, url, headers, max_bytes, ends, message, (etag, last_modified))
        request = client.build_request("GET", url, headers=headers, params=params)
        origin_private: bool | None = None
        for _hop in range(MAX_REDIRECTS + 1):
            response = client.send(request, stream=True, follow_redirects=False)
            try:
                redirect = response.next_request
                if redirect is None:
                    return _read(response, url, max_bytes, ends, message, (etag, last_modified))
            finally:
                response.close()
            if origin_private is None:
                origin_private = is_private_host(httpx.URL(url).host)
            refusal = redirect_refusal(url, redirect.url, origin_private=origin_private)
            if refusal:
                raise TrackerError(refusal)
            if time.monotonic() >= ends:
                raise TrackerError(message)
            request = redirect
        raise TrackerError(f"more than {MAX_REDIRECTS} redirects from {url}")
    except httpx.InvalidURL as err:
        raise TrackerError(f"cannot fetch {url}: not a usable URL ({err})") from None
    except (httpx.HTTPError, *pooled.HTTPCORE_ERRORS) as err:
        if time.monotonic() >= ends - 0.01:
            raise TrackerError(message) from None
        backend = getattr(client, "backend", None)
        if isinstance(backend, _DeadlineBackend) and backend.aborted:
            raise TrackerError(f"fetching {url} was cut short: shutting down") from None
        if isinstance(err, (httpx.TimeoutException, httpcore.TimeoutException)):
            raise TrackerError(f"timed out fetching {url}") from None
        raise TrackerError(f"cannot fetch {url}: {type(err).__name__}: {err}") from None
    finally:
        _local.deadline = outer


def _fetch_pooled(client: Client, target: pooled.Target, url: str, headers: dict[str, str], max_bytes: int,
                  ends: float, late: str, validators: tuple[str, str]) -> FetchResult:
    """``fetch`` through the client's httpcore pool (``trackers.pooled``): the same hops, checks and reads, without
    httpx's per-request objects; a 304 costs no ``httpx.Response`` at all."""
    origin_private: bool | None = None
    for _hop in range(MAX_REDIRECTS + 1):
        response = pooled.send(client, target, pooled.request_headers(client, target, headers))
        try:
            location = pooled.redirect_location(response)
            if location is None:
                if response.status == 304:
                    response.read()  # the (empty) end of a 304: its connection goes back to the pool
                    return FetchResult(304, b"", validators[0], validators[1], pooled.header_dict(response))
                return _read(pooled.as_httpx(response), url, max_bytes, ends, late, validators)
        finally:
            response.close()
        redirect = pooled.redirect_target(target.url, location)
        if origin_private is None:
            origin_private = is_private_host(httpx.URL(url).host)
        refusal = redirect_refusal(url, redirect, origin_private=origin_private)
        if refusal:
            raise TrackerError(refusal)
        if time.monotonic() >= ends:
            raise TrackerError(late)
        following = pooled.route(client, str(redirect))
        if following is None:  # the client was closed meanwhile (or a transport of another kind is mounted)
            raise TrackerError(f"cannot fetch {str(redirect)[:200]}: the HTTP client is closed")
        target = following
    raise TrackerError(f"more than {MAX_REDIRECTS} redirects from {url}")


def _deadline_message(url: str, limit: float) -> str:
    return f"fetching {url} took longer than {limit:g} s (deadline); gave up"


def _read(response: httpx.Response, url: str, max_bytes: int, ends: float, late: str,
          validators: tuple[str, str]) -> FetchResult:
    """The body of a final (non-redirect) response, within the size cap and the deadline."""
    if response.status_code == 304:
        response.read()  # a 304 has no body: reading its end hands the connection back to the pool (keep-alive)
        return FetchResult(304, b"", validators[0], validators[1], dict(response.headers))
    if response.status_code == 429:
        wait = retry_after_seconds(response.headers, where=url)
        hint = f", retry after {wait:.0f} s" if wait is not None else ""
        raise TrackerError(f"HTTP 429 (rate limited) from {url}{hint}", retry_after=wait)
    if response.status_code >= 400:
        raise TrackerError(f"HTTP {response.status_code} from {url}")
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise TrackerError(f"response from {url} is {int(declared):,} bytes, over the {max_bytes:,}-byte cap")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        if time.monotonic() >= ends:
            raise TrackerError(late)
        size += len(chunk)
        if size > max_bytes:
            raise TrackerError(f"response from {url} is over the {max_bytes:,}-byte cap")
        chunks.append(chunk)
    return FetchResult(
        response.status_code,
        b"".join(chunks),
        response.headers.get("etag", ""),
        response.headers.get("last-modified", ""),
        dict(response.headers),
    )


# Conditional fetching with a cursor: {"etag", "last_modified", "sha256" (hex digest of the last body read)}, each
# key behind an optional prefix so one cursor can follow two documents. Validators are sent back when the server
# gave them (a 304 costs nothing); the hash catches servers that send none, or that change the ETag on every
# response while the body stays the same.


def fetch_if_changed(
    client: httpx.Client, url: str, cursor: dict[str, Any], *, accept: str = "*/*", key_prefix: str = ""
) -> tuple[FetchResult | None, dict[str, Any]]:
    """GET ``url`` conditionally. Returns (result, new cursor); result is None when nothing changed.

    The new cursor is a copy of ``cursor`` (other keys kept) with this fetch's validators and body hash under
    ``key_prefix``; after a 304 it is ``cursor`` unchanged.
    """
    etag_key, modified_key, hash_key = (key_prefix + k for k in ("etag", "last_modified", "sha256"))
    result = fetch(
        client,
        url,
        etag=str(cursor.get(etag_key) or ""),
        last_modified=str(cursor.get(modified_key) or ""),
        accept=accept,
    )
    new_cursor = dict(cursor)
    if result.not_modified:
        return None, new_cursor
    digest = hashlib.sha256(result.body).hexdigest()
    # a cursor written before the hash was the full sha256 kept its first 24 hex digits as "hash"
    legacy = new_cursor.pop(key_prefix + "hash", None)
    new_cursor.update({etag_key: result.etag, modified_key: result.last_modified, hash_key: digest})
    if digest == cursor.get(hash_key) or (legacy and digest[:24] == legacy):
        return None, new_cursor
    return result, new_cursor


def fetch_json(client: httpx.Client, url: str, *, params: dict[str, str] | None = None, api: str = "") -> Any:
    """GET ``url`` as JSON; a body that is not JSON → TrackerError ("<api> answered <url> with …")."""
    result = fetch(client, url, params=params, accept="application/json")
    try:
        return json.loads(result.body)
    except ValueError:
        raise TrackerError(f"{api or 'the server'} answered {url} with something that is not JSON") from None


@contextmanager
def reading(url: str) -> Iterator[None]:
    """Raise a ValueError met while reading the response of ``url`` as TrackerError("unexpected response …")."""
    try:
        yield
    except ValueError as err:
        raise TrackerError(f"unexpected response from {url}: {err}") from None
