"""X (Twitter) tracker: reads official accounts' posts through tweepy.Client (API v2), within a read budget.

Two modes, and what each costs (X bills pay-per-use per *post read*: every post the API returns, including
replies to customers that this tracker then drops; requests themselves are not billed but are rate limited):

* **Timeline mode** (``handle = "TwitterSupport"``): one ``GET /2/users/by/username/:handle`` the first time
  (kept in the cursor, never repeated), then one ``GET /2/users/:id/tweets?since_id=…`` per poll per
  account (more only when over 100 new posts arrived since the last poll). Cost per poll = the new posts of
  that account; a quiet account costs 0 reads. Retweets are excluded in the request (not paid for).
* **Search mode** (``handles = ["Meta", "WhatsApp", "instagram"]``): one ``GET /2/tweets/search/recent``
  with ``(from:Meta OR from:WhatsApp OR from:instagram) -is:retweet`` per poll for *all* the accounts: N
  times fewer requests (and no user lookups), the same post reads. Limits: recent search covers the last
  7 days only, and the query must fit in 512 characters (about 25 handles). Each post's service comes from
  the ``services = {WhatsApp = "WhatsApp"}`` option, else the source's ``service``.

First poll (no ``since_id`` yet), by ``backfill``: ``"none"`` reads nothing (0 reads) and takes posts
made from then on (``start_time``); ``"open"`` reads one page of the newest posts (``page_size`` option,
default 20); an interval (``"7d"``) reads back that far only (``start_time``, so nothing older is paid for);
``"all"`` reads as far as the API reaches (3,200 posts on a timeline, 7 days in search), page by page.
Every poll stops paging after ``max_pages`` pages (default 10; 32 for ``"all"``).

Read budget: the poll cycle sets ``tracker.read_budget`` (post reads left this UTC month; None = no
limit). A request never asks for more posts than the budget has left (``max_results`` ≤ budget); since
the API will not take ``max_results`` below 5 (timeline) or 10 (search), a budget below that minimum reads
nothing: the poll raises ``TrackerError("X monthly read budget reached …")`` like a budget of 0, so the
bot stops reading X with one clear line until the month turns. ``PollResult.reads`` is the number of posts
the API returned (what X bills). The one-time user lookup is not a post read and is not counted.
"""

from __future__ import annotations

import html
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import tweepy

from config import SourceConfig, parse_interval
from posts import Post, iso_utc, parse_time
from trackers import PollResult, SkipSource, Tracker, TrackerError
from trackers.http import retry_after_seconds
from trackers.textutil import ENTRY_ERRORS, post_time, skip_entry

TWEEPY_HOST = "https://api.twitter.com"  # hard-wired in tweepy.BaseClient.request
TWEET_FIELDS = ["created_at", "conversation_id", "in_reply_to_user_id", "referenced_tweets", "lang", "note_tweet"]
TIMELINE_MIN_RESULTS = 5
SEARCH_MIN_RESULTS = 10
MAX_RESULTS = 100
SEARCH_QUERY_MAX = 512
SEARCH_WINDOW = timedelta(days=7) - timedelta(minutes=10)  # recent search reaches 7 days back; keep a margin
DEFAULT_PAGE_SIZE = 20
DEFAULT_MAX_PAGES = 10
ALL_MAX_PAGES = 32  # 3,200 posts: as far back as a user timeline reaches
NO_LANGUAGE = {"und", "zxx"}  # X's "undetermined" / "no linguistic content"; q* codes are X-specific too


class _ApiSession(requests.Session):
    """A requests Session that sends tweepy's calls to another API root and never waits forever."""

    def __init__(self, api_base: str, timeout: float) -> None:
        super().__init__()
        self.api_base = api_base.rstrip("/")
        self.timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if self.api_base and isinstance(url, str) and url.startswith(TWEEPY_HOST):
            url = self.api_base + url[len(TWEEPY_HOST) :]
        kwargs.setdefault("timeout", self.timeout)
        response = super().request(method, url, *args, **kwargs)
        _readable_reset(response)
        return response


def _readable_reset(response: requests.Response) -> None:
    """tweepy reads x-rate-limit-reset with int() (a ValueError, "tracker crashed", on anything else): a value that is
    not a plain Unix time becomes one from the clamped wait it gives, or is dropped with one warning line."""
    value = response.headers.get("x-rate-limit-reset")
    if value is None or (value.strip().isascii() and value.strip().isdigit() and len(value.strip()) <= 12):
        return
    wait = retry_after_seconds({"x-rate-limit-reset": value}, where="the X API")
    if wait is None:
        del response.headers["x-rate-limit-reset"]
    else:
        response.headers["x-rate-limit-reset"] = str(int(time.time() + wait))


class XTracker(Tracker):
    """Posts by one X account (``handle``) or several (``handles`` option, one recent-search query)."""

    kind = "x"

    def __init__(self, source: SourceConfig, *, http: Any = None) -> None:
        super().__init__(source, http=http)
        self.read_budget: int | None = None  # post reads left this UTC month; set by the poll cycle
        self.token_env = str(source.option("token_env", "X_BEARER_TOKEN"))
        self._token = ""
        self._client: tweepy.Client | None = None
        self.config_error = ""
        self.handles: list[str] = []
        handles = source.option("handles")
        if handles is not None:
            if not isinstance(handles, list) or not all(isinstance(h, str) and h.strip() for h in handles):
                self.config_error = f"handles must be a list of X account names, got {handles!r}"
            else:
                self.handles = [h.strip().lstrip("@") for h in handles]
                if source.handle and source.handle.lower() not in {n.lower() for n in self.handles}:
                    self.handles.insert(0, source.handle)
        services = source.option("services", {}) or {}
        self.services = {str(k).lstrip("@").lower(): str(v) for k, v in dict(services).items()}

    # --- client and errors -------------------------------------------------------------------------------

    def client(self) -> tweepy.Client:
        if self._client is None:
            token = os.environ.get(self.token_env, "").strip()
            if not token:
                raise SkipSource(f"source needs {self.token_env} in the environment; skipped")
            self._token = token
            # plain JSON back (return_type=dict): tweepy's own Tweet objects parse created_at with strptime, and one
            # post with a date it cannot read would fail the whole page; ours skip that post only
            client = tweepy.Client(bearer_token=token, wait_on_rate_limit=False, return_type=dict)
            client.session = _ApiSession(self.source.api_base, float(self.source.option("timeout", 15.0)))
            self._client = client
        return self._client

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        """Turn tweepy/requests failures into one-line TrackerErrors (never containing the token)."""
        try:
            yield
        except tweepy.TooManyRequests as err:
            wait = retry_after_seconds(err.response.headers)
            capped = "usage" in " ".join(err.api_messages + [str(e.get("title", "")) for e in err.api_errors]).lower()
            label = "X usage cap reached (429)" if capped else "X rate limit reached (429)"
            hint = f"; retry after {wait:.0f} s" if wait is not None else ""
            raise TrackerError(self._clean(f"{label} reading {what}{hint}"), retry_after=wait) from None
        except tweepy.Unauthorized:
            raise TrackerError(
                f"X rejected the bearer token (401 Unauthorized): check {self.token_env}"
            ) from None
        except tweepy.Forbidden as err:
            raise TrackerError(
                self._clean(f"X refused {what} (403 Forbidden: {_api_message(err)}): check {self.token_env} "
                            "and the app's API access")
            ) from None
        except tweepy.NotFound as err:
            raise TrackerError(self._clean(f"X found no {what} (404: {_api_message(err)})")) from None
        except tweepy.TwitterServerError as err:
            raise TrackerError(f"X server error (HTTP {err.response.status_code}) reading {what}") from None
        except tweepy.HTTPException as err:
            raise TrackerError(
                self._clean(f"X API error (HTTP {err.response.status_code}: {_api_message(err)}) reading {what}")
            ) from None
        except requests.Timeout:
            raise TrackerError(f"timed out reading {what} from the X API") from None
        except requests.RequestException as err:
            raise TrackerError(self._clean(f"cannot reach the X API for {what}: {type(err).__name__}")) from None
        except tweepy.TweepyException as err:
            raise TrackerError(self._clean(f"X client error reading {what}: {err}")) from None

    def _clean(self, message: str) -> str:
        return message.replace(self._token, "***") if self._token else message

    # --- budget ------------------------------------------------------------------------------------------

    def _check_budget(self, minimum: int) -> None:
        left = self.read_budget
        if left is None or left >= minimum:
            return
        # look again in an hour at most (a raised budget takes effect), at the month's turn at the latest
        wait = min(3600.0, (_next_month(datetime.now(UTC)) - datetime.now(UTC)).total_seconds())
        if left <= 0:
            raise TrackerError(
                f"X monthly read budget reached ({max(0, left)} reads left); not reading until next month",
                retry_after=wait,
            )
        raise TrackerError(
            f"X monthly read budget reached ({left} reads left, fewer than the {minimum} one request may "
            "return); not reading until next month",
            retry_after=wait,
        )

    def _page_size(self, wanted: int, minimum: int, read: int) -> int:
        """max_results for the next request, or 0 when the budget left cannot cover the API's minimum."""
        size = max(minimum, min(MAX_RESULTS, wanted))
        if self.read_budget is not None:
            left = self.read_budget - read
            if left < minimum:
                return 0
            size = min(size, left)
        return size

    # --- polling -----------------------------------------------------------------------------------------

    def poll(self, cursor: dict[str, Any]) -> PollResult:
        if self.config_error:
            raise TrackerError(self.config_error)
        minimum = SEARCH_MIN_RESULTS if self.handles else TIMELINE_MIN_RESULTS
        self._check_budget(minimum)
        client = self.client()
        if self.handles:
            return self._poll_search(client, dict(cursor), minimum)
        return self._poll_timeline(client, dict(cursor), minimum)

    def _first_run_plan(self, cursor: dict[str, Any], window: timedelta | None) -> tuple[dict[str, Any], int, int]:
        """(extra request params, page size, max pages) for this poll, from the cursor and the backfill."""
        max_pages = int(self.source.option("max_pages", DEFAULT_MAX_PAGES))
        if cursor.get("since_id"):
            return {"since_id": cursor["since_id"]}, MAX_RESULTS, max_pages
        if cursor.get("start_time"):
            return {"start_time": parse_time(cursor["start_time"])}, MAX_RESULTS, max_pages
        backfill = self.source.backfill
        now = datetime.now(UTC)
        if backfill == "open":
            return {}, int(self.source.option("page_size", DEFAULT_PAGE_SIZE)), 1
        if backfill == "all":
            params = {"start_time": now - window} if window else {}
            return params, MAX_RESULTS, int(self.source.option("max_pages", ALL_MAX_PAGES))
        start = now - timedelta(seconds=parse_interval(backfill))
        if window and start < now - window:
            start = now - window
        return {"start_time": start}, MAX_RESULTS, max_pages

    def _read_pages(
        self, call: Any, what: str, params: dict[str, Any], page_size: int, max_pages: int, minimum: int,
        token_param: str,
    ) -> tuple[list[dict[str, Any]], dict[str, str], int, list[str], str]:
        """Page through ``call``; returns (raw tweets, author id → username, reads, notes, newest id)."""
        tweets: list[dict[str, Any]] = []
        users: dict[str, str] = {}
        reads = 0
        notes: list[str] = []
        newest = ""
        token = None
        for page in range(max_pages):
            size = self._page_size(page_size, minimum, reads)
            if size == 0:
                notes.append(f"X read budget left ({(self.read_budget or 0) - reads}) is below one request's "
                             f"minimum of {minimum}; stopped after {page} page(s)")
                break
            request = dict(params, max_results=size)
            if token:
                request[token_param] = token
            with self._errors(what):
                response = call(**request)
            response = response if isinstance(response, dict) else {}
            data = response.get("data") or []
            data = data if isinstance(data, list) else []
            reads += len(data)
            tweets.extend(t for t in data if isinstance(t, dict))
            includes = response.get("includes") if isinstance(response.get("includes"), dict) else {}
            for user in includes.get("users") or []:
                if isinstance(user, dict) and user.get("id") and user.get("username"):
                    users[str(user["id"])] = str(user["username"])
            meta = response.get("meta") if isinstance(response.get("meta"), dict) else {}
            if meta.get("newest_id") and (not newest or int(meta["newest_id"]) > int(newest)):
                newest = str(meta["newest_id"])
            token = meta.get("next_token")
            if not token:
                break
        else:
            if token and "since_id" in params:
                notes.append(f"more than {max_pages} pages of new posts on {what}; older new posts skipped")
        tweets = [t for t in tweets if isinstance(t, dict) and str(t.get("id", "")).isdigit()]  # ids are numbers
        for tweet in tweets:
            if not newest or int(tweet["id"]) > int(newest):
                newest = str(tweet["id"])
        return tweets, users, reads, notes, newest

    def _poll_timeline(self, client: tweepy.Client, cursor: dict[str, Any], minimum: int) -> PollResult:
        handle = self.source.handle
        if cursor.get("user") != handle.lower() or not cursor.get("user_id"):
            with self._errors(f"the account @{handle}"):
                response = client.get_user(username=handle)
            response = response if isinstance(response, dict) else {}
            account = response.get("data")
            if not isinstance(account, dict) or not account.get("id"):
                raise TrackerError(self._clean(f"X has no account @{handle} ({_errors_text(response.get('errors'))})"))
            cursor = {"user": handle.lower(), "user_id": str(account["id"])}
        user_id = cursor["user_id"]
        if not cursor.get("since_id") and not cursor.get("start_time") and self.source.backfill == "none":
            cursor["start_time"] = iso_utc(datetime.now(UTC))
            return PollResult([], cursor, notes=["backfill \"none\": no past posts read; reading new posts from now"])
        params, page_size, max_pages = self._first_run_plan(cursor, None)
        params.update(tweet_fields=TWEET_FIELDS, exclude=["retweets"])
        tweets, _, reads, notes, newest = self._read_pages(
            lambda **kw: client.get_users_tweets(user_id, **kw), f"@{handle}'s posts", params, page_size,
            max_pages, minimum, "pagination_token",
        )
        keep_replies = bool(self.source.option("keep_replies", False))
        posts = []
        for tweet in tweets:
            post = self._entry(tweet, handle, user_id, self.source.service)
            if post is None:
                continue
            if post.is_reply and not post.is_self_reply and not keep_replies:
                continue
            posts.append(post)
        if newest:
            cursor["since_id"] = _max_id(cursor.get("since_id", ""), newest)
            cursor.pop("start_time", None)
        posts.sort(key=lambda p: (p.created_at, int(p.native_id)))
        return PollResult(posts, cursor, reads=reads, notes=notes)

    def search_query(self) -> str:
        return "(" + " OR ".join(f"from:{h}" for h in self.handles) + ") -is:retweet"

    def _poll_search(self, client: tweepy.Client, cursor: dict[str, Any], minimum: int) -> PollResult:
        query = self.search_query()
        if len(query) > SEARCH_QUERY_MAX:
            raise TrackerError(
                f"X search query for {len(self.handles)} handles is {len(query)} characters, over the "
                f"{SEARCH_QUERY_MAX} allowed: split the handles over two sources"
            )
        now = datetime.now(UTC)
        plan_cursor = dict(cursor)
        if cursor.get("since_id") and cursor.get("since_time"):
            if parse_time(cursor["since_time"]) < now - SEARCH_WINDOW:
                # recent search rejects a since_id older than 7 days; every post of the window is newer
                plan_cursor.pop("since_id")
                plan_cursor["start_time"] = iso_utc(now - SEARCH_WINDOW)
        if not cursor.get("since_id") and not cursor.get("start_time") and self.source.backfill == "none":
            cursor["start_time"] = iso_utc(now)
            return PollResult([], cursor, notes=["backfill \"none\": no past posts read; reading new posts from now"])
        params, page_size, max_pages = self._first_run_plan(plan_cursor, SEARCH_WINDOW)
        if "start_time" in params and params["start_time"] < now - SEARCH_WINDOW:
            params["start_time"] = now - SEARCH_WINDOW
        params.update(
            query=query, tweet_fields=TWEET_FIELDS + ["author_id"], expansions=["author_id"], user_fields=["username"]
        )
        tweets, users, reads, notes, newest = self._read_pages(
            client.search_recent_tweets, "the search " + query, params, page_size, max_pages, minimum, "next_token"
        )
        wanted = {h.lower(): h for h in self.handles}
        keep_replies = bool(self.source.option("keep_replies", False))
        posts = []
        newest_time = None
        for tweet in tweets:
            author_id = str(tweet.get("author_id", ""))
            username = users.get(author_id, "")
            if username.lower() not in wanted:
                continue  # not one of ours (cannot happen with from:, but never trust a query)
            service = self.services.get(username.lower(), self.source.service)
            post = self._entry(tweet, username, author_id, service)
            if post is None:
                continue
            if str(tweet["id"]) == newest:
                newest_time = post.created_at
            if post.is_reply and not post.is_self_reply and not keep_replies:
                continue
            posts.append(post)
        if newest:
            cursor["since_id"] = _max_id(cursor.get("since_id", ""), newest)
            if cursor["since_id"] == newest:
                cursor["since_time"] = iso_utc(newest_time or now)
            cursor.pop("start_time", None)
        cursor["query"] = query
        posts.sort(key=lambda p: (p.created_at, int(p.native_id)))
        return PollResult(posts, cursor, reads=reads, notes=notes)

    def _entry(self, tweet: dict[str, Any], username: str, user_id: str, service: str) -> Post | None:
        """``_post``, or None (one warning naming the post) when the post cannot be read (an impossible date)."""
        try:
            return self._post(tweet, username, user_id, service)
        except ENTRY_ERRORS as err:
            skip_entry(f"X @{username}", tweet.get("id") if isinstance(tweet, dict) else "?", err)
            return None

    def _post(self, tweet: dict[str, Any], username: str, user_id: str, service: str) -> Post:
        tweet_id = str(tweet["id"])
        note = tweet.get("note_tweet") or {}
        text = html.unescape(note.get("text") or tweet.get("text") or "")
        replied_to = [r for r in tweet.get("referenced_tweets") or [] if r.get("type") == "replied_to"]
        in_reply_to = str(tweet.get("in_reply_to_user_id") or "")
        is_reply = bool(replied_to or in_reply_to)
        lang = str(tweet.get("lang") or "")
        if lang in NO_LANGUAGE or (len(lang) == 3 and lang.startswith("q")):
            lang = ""
        created = tweet.get("created_at")
        return Post(
            source_id=self.source.id,
            native_id=tweet_id,
            service=service,
            text=text,
            created_at=post_time(str(created)) if created else datetime.now(UTC),
            url=f"https://x.com/{username}/status/{tweet_id}",
            author=username,
            language=lang,
            thread_key=str(tweet.get("conversation_id") or tweet_id),
            is_reply=is_reply,
            is_self_reply=is_reply and in_reply_to == str(user_id),
        )


def _next_month(now: datetime) -> datetime:
    """Midnight UTC at the start of the month after ``now``."""
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


def _max_id(a: str, b: str) -> str:
    if not a:
        return b
    if not b:
        return a
    return a if int(a) >= int(b) else b


def _api_message(err: tweepy.HTTPException) -> str:
    text = "; ".join(m for m in err.api_messages if m) or (err.response.reason or "")
    return " ".join(text.split())[:200]


def _errors_text(errors: list[dict[str, Any]] | None) -> str:
    parts = [str(e.get("detail") or e.get("title") or e) for e in errors or []]
    return " ".join("; ".join(parts).split())[:200] or "no data"
