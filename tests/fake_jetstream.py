"""A fake Jetstream on 127.0.0.1 (the ``websockets`` threading server): ``/subscribe`` with ``wantedDids``,
``wantedCollections`` and ``cursor`` (replay of every logged event with ``time_us >= cursor``, then live events),
Jetstream's JSON message shapes, and switches to cut every connection and to refuse new ones (an outage)."""

from __future__ import annotations

import json
import socket
import threading
import time
from itertools import count
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.sync.server import serve

_rkeys = count(1)


class FakeJetstream:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.lock = threading.RLock()
        self.clients: list[tuple[Any, set[str], set[str]]] = []
        self.connects: list[dict[str, list[str]]] = []  # each connection's query
        self.refusing = False
        self.emitted_at: dict[str, float] = {}  # rkey → time.monotonic() of emission
        self.server = serve(self._handler, "127.0.0.1", 0, compression=None, process_request=self._gate)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.server.socket.getsockname()[1])

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/subscribe"

    def _gate(self, connection: Any, request: Any) -> Any:
        if self.refusing:
            return connection.respond(503, "jetstream is down\n")
        return None

    def _handler(self, ws: Any) -> None:
        query = parse_qs(urlsplit(ws.request.path).query)
        dids = set(query.get("wantedDids", []))
        collections = set(query.get("wantedCollections", []))
        cursor = int(query["cursor"][0]) if query.get("cursor") else None
        with self.lock:
            self.connects.append(query)
            if cursor is not None:
                for event in self.events:
                    if event["time_us"] >= cursor and self._wanted(event, dids, collections):
                        ws.send(json.dumps(event))
            self.clients.append((ws, dids, collections))
        try:
            for _ in ws:  # Jetstream ignores what clients send (options updates): keep reading until closed
                pass
        except Exception:
            pass
        finally:
            with self.lock:
                self.clients = [c for c in self.clients if c[0] is not ws]

    @staticmethod
    def _wanted(event: dict[str, Any], dids: set[str], collections: set[str]) -> bool:
        if dids and event["did"] not in dids:
            return False
        commit = event.get("commit")
        return not (collections and commit and commit.get("collection") not in collections)

    def emit(self, did: str, text: str = "", *, operation: str = "create", rkey: str = "",
             reply_to: str = "", root: str = "", collection: str = "app.bsky.feed.post") -> dict[str, Any]:
        """Log one commit event and send it to every matching connection; returns the event."""
        rkey = rkey or f"3lfake{next(_rkeys):06d}"
        commit: dict[str, Any] = {"rev": f"rev{rkey}", "operation": operation, "collection": collection, "rkey": rkey}
        if operation != "delete":
            record: dict[str, Any] = {"$type": collection, "text": text, "langs": ["en"],
                                      "createdAt": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())}
            if reply_to:
                record["reply"] = {"root": {"uri": root or reply_to, "cid": "bafyroot"},
                                   "parent": {"uri": reply_to, "cid": "bafyparent"}}
            commit.update(record=record, cid=f"bafy{rkey}")
        with self.lock:
            last = self.events[-1]["time_us"] if self.events else 0
            event = {"did": did, "time_us": max(time.time_ns() // 1000, last + 1), "kind": "commit", "commit": commit}
            self.events.append(event)
            self.emitted_at[rkey] = time.monotonic()
            for ws, dids, collections in list(self.clients):
                if self._wanted(event, dids, collections):
                    try:
                        ws.send(json.dumps(event))
                    except Exception:
                        pass
        return event

    def drop(self) -> int:
        """Cut every connection at once (no close frame), as a crashed server would; how many were cut."""
        with self.lock:
            clients, self.clients = list(self.clients), []
        for ws, _, _ in clients:
            try:
                ws.socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        return len(clients)

    def stop(self) -> None:
        self.drop()
        self.server.shutdown()
