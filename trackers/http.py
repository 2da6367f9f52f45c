"""HTTP fetching for trackers: timeouts, a size cap, conditional requests with a cursor, one-line errors.

Trackers call ``fetch`` (or ``fetch_if_changed``) and get bytes (or "not modified"); every failure becomes a
``TrackerError``.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from trackers import Tracker, TrackerError

if TYPE_CHECKING:
    from config import SourceConfig

USER_AGENT = "pushti/0.1 (+outage statements bot)"
DEFAULT_TIMEOUT = 15.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


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


def make_client(timeout: float = DEFAULT_TIMEOUT) -> httpx.Client:
    """One shared client (connection pooling); thread-safe for concurrent fetches."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout),
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
    )


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


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """Seconds to wait from Retry-After (seconds or HTTP date) or an X-RateLimit-Reset epoch/ISO time."""
    value = headers.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(value) if value else None
            if parsed is not None:
                return max(0.0, parsed.timestamp() - time.time())
    for name in ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset"):
        value = headers.get(name)
        if value:
            try:
                number = float(value)  # an absolute Unix time, or (small values) seconds to wait
                return max(0.0, number - time.time()) if number > 1e9 else max(0.0, number)
            except ValueError:
                try:
                    from posts import parse_time

                    return max(0.0, parse_time(value).timestamp() - time.time())
                except ValueError:
                    pass
    return None


def fetch(
    client: httpx.Client,
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    max_bytes: int = DEFAULT_MAX_BYTES,
    accept: str = "*/*",
    params: dict[str, str] | None = None,
) -> FetchResult:
    """GET ``url``; 304 returns an empty body; any other non-2xx, timeout or oversize raises TrackerError."""
    headers = {"Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with client.stream("GET", url, headers=headers, params=params) as response:
            if response.status_code == 304:
                return FetchResult(304, b"", etag, last_modified, dict(response.headers))
            if response.status_code == 429:
                wait = retry_after_seconds(response.headers)
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
    except httpx.TimeoutException:
        raise TrackerError(f"timed out fetching {url}") from None
    except httpx.HTTPError as err:
        raise TrackerError(f"cannot fetch {url}: {type(err).__name__}: {err}") from None


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
