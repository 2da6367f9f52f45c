"""One GET straight through a client's own httpcore connection pool, without httpx's request/response models.

``trackers.http.fetch`` uses this for its own ``Client`` (``make_client``): the same pool, connections, keep-alive,
proxies (the transport httpx would pick for the URL), TLS settings, per-operation timeouts and deadline-bounded
network backend as ``client.send`` — only the per-request Python layers above the pool are skipped (URL merging,
header merging, auth and cookie handling, event hooks, the ``httpx.Request`` / ``httpx.Response`` objects). Measured
on 127.0.0.1 against a server that answers 304: about 200 µs per conditional GET instead of 460 µs.

What the caller keeps doing itself, as it does on the httpx path: redirects (one hop at a time, each target judged by
``redirect_refusal``; the next URL is worked out here exactly as httpx does), the total deadline, the size cap.
Differences from ``client.send``: no cookies are stored or sent (nothing pushti reads needs them). Anything this
module cannot route (a client of another kind, a custom or mock transport, a closed client) returns None from
``route`` and the caller takes the httpx path.

Errors are httpcore's own exceptions (``HTTPCORE_ERRORS``; the same class names httpx maps them to) and
``httpx.InvalidURL`` / ``httpx.RemoteProtocolError`` for an unusable URL or Location.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

HTTPCORE_ERRORS: tuple[type[Exception], ...] = (
    httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError, httpcore.ProxyError,
    httpcore.UnsupportedProtocol,
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})  # httpx's Response.has_redirect_location
_CACHE_LIMIT = 4096  # parsed URLs kept per client (source URLs and the redirect targets they were sent to)


@dataclass(frozen=True)
class Target:
    """A parsed URL, ready for httpcore: what httpx's transport builds for every request."""

    url: httpx.URL
    core_url: httpcore.URL
    host_header: bytes
    pool: Any  # the httpcore pool (or proxy pool) of the transport httpx would use for this URL


def route(client: httpx.Client, url: str) -> Target | None:
    """Where a GET of ``url`` goes in ``client``'s pools; None when only ``client.send`` can take it. Raises
    ``httpx.InvalidURL`` for a URL httpx would refuse."""
    if client.is_closed:
        return None  # client.send says why ("the client has been closed")
    cache: dict[str, Target | None] | None = getattr(client, "_pushti_targets", None)
    if cache is None:
        cache = {}
        client._pushti_targets = cache  # type: ignore[attr-defined]
    found = cache.get(url)
    if found is not None:
        return found
    parsed = httpx.URL(url)
    pick = getattr(client, "_transport_for_url", None)  # httpx's own choice (HTTP_PROXY, NO_PROXY …); private API:
    if pick is None:  # an httpx without it takes httpx's path (tests/test_poll_overhead.py notices)
        return None
    transport = pick(parsed)
    pool = getattr(transport, "_pool", None) if type(transport) is httpx.HTTPTransport else None
    if pool is None or not hasattr(pool, "handle_request"):
        return None
    target = Target(
        parsed,
        httpcore.URL(scheme=parsed.raw_scheme, host=parsed.raw_host, port=parsed.port, target=parsed.raw_path),
        parsed.netloc,
        pool,
    )
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[url] = target
    return target


def request_headers(client: httpx.Client, target: Target, extra: dict[str, str]) -> list[tuple[bytes, bytes]]:
    """The headers ``client.send`` would send (Host first, the client's defaults, ``extra`` replacing or added)."""
    headers = [(b"Host", target.host_header)] if target.host_header else []
    extra_raw = {name.lower().encode("latin-1"): (name.encode("latin-1"), value.encode("latin-1"))
                 for name, value in extra.items()}
    for name, value in client.headers.raw:
        replaced = extra_raw.pop(name.lower(), None)
        headers.append((name, replaced[1]) if replaced else (name, value))
    headers.extend(extra_raw.values())
    return headers


def send(client: httpx.Client, target: Target, headers: list[tuple[bytes, bytes]]) -> httpcore.Response:
    """GET through the pool; the response is streamed (read or close it: either hands the connection back)."""
    request = httpcore.Request(b"GET", target.core_url, headers=headers,
                               extensions={"timeout": client.timeout.as_dict()})
    return target.pool.handle_request(request)


def header(response: httpcore.Response, name: bytes) -> str:
    """The first value of header ``name`` (lower case), '' when absent."""
    for key, value in response.headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def header_dict(response: httpcore.Response) -> dict[str, str]:
    """The response headers as ``dict(httpx.Headers)`` gives them: lower-case names, repeated ones joined by ', '."""
    found: dict[str, str] = {}
    for key, value in response.headers:
        name, text = key.decode("latin-1").lower(), value.decode("latin-1")
        found[name] = f"{found[name]}, {text}" if name in found else text
    return found


def redirect_location(response: httpcore.Response) -> str | None:
    """The Location of a redirect response (301, 302, 303, 307, 308 with a Location), else None."""
    if response.status not in REDIRECT_STATUSES:
        return None
    return header(response, b"location") or None


def redirect_target(current: httpx.URL, location: str) -> httpx.URL:
    """The URL a redirect sends ``current`` to, worked out as httpx's ``Client._redirect_url`` does."""
    try:
        url = httpx.URL(location)
    except httpx.InvalidURL as err:
        raise httpx.RemoteProtocolError(f"Invalid URL in location header: {err}.") from None
    if url.scheme and not url.host:  # "absolute" form without a host
        url = url.copy_with(host=current.host)
    if url.is_relative_url:
        url = current.join(url)
    if current.fragment and not url.fragment:
        url = url.copy_with(fragment=current.fragment)
    return url


class _Body(httpx.SyncByteStream):
    """An httpcore response body as an httpx stream (so httpx decodes gzip / deflate / br as on its own path)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


def as_httpx(response: httpcore.Response) -> httpx.Response:
    """The response (headers read, body not yet) as an ``httpx.Response`` whose ``iter_bytes`` decodes the body."""
    return httpx.Response(status_code=response.status, headers=response.headers, stream=_Body(response.stream),
                          extensions=response.extensions)
