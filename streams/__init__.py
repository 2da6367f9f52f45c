"""Push ingestion: statements that arrive by themselves instead of being polled for.

* ``jetstream``: Bluesky through Jetstream, one WebSocket for every watched account, replay by cursor.
* ``mastodon_sse``: Mastodon's streaming API (``user`` or ``list`` stream of an account that follows the
  official accounts), catch-up through the REST timeline after every (re)connect.
* ``webhooks``: the Statuspage webhook receiver (``POST /hooks/<source-id>/<secret>``).
* ``hub``: the queue between those threads and the daemon's one writer, each stream's state, and the rule that
  turns a silent stream's sources back to polling at their interval.
* ``convert``: pushed events → the very ``Post`` objects the trackers build (same ids, so stream and poll
  deduplicate each other).
* ``settings``: the configuration keys of all this, checked at load.

Statements from every stream go through ``pipeline.apply_result`` — the poll's own store / classify / link /
outbox path — in the daemon's writer thread.
"""
