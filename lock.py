"""Single instance: an fcntl lock on a file next to the state database (``state.db.lock``)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class AlreadyRunning(Exception):
    """Another pushti process holds the lock on this state database."""


def _open_lock(state_path: str) -> Any:
    """The lock file, opened for appending; a folder that cannot be made or written is a ``StateError``."""
    from store import StateError

    lock_path = Path(f"{state_path}.lock")
    if Path(state_path).is_dir():
        raise StateError(f"state database {state_path} is a folder, not a file: set [bot] state to a file path "
                         f"(e.g. {Path(state_path) / 'state.db'})")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StateError(f"state database {state_path}: its folder {lock_path.parent} does not exist and cannot be "
                         f"created ({' '.join(str(err).split())}): create it or point [bot] state elsewhere") from None
    try:
        return open(lock_path, "a+")
    except OSError as err:
        what = "is not writable" if isinstance(err, PermissionError) else "cannot be used"
        raise StateError(f"state database {state_path}: the lock file {lock_path} {what} "
                         f"({' '.join(str(err).split())}): make the folder writable by this user or point [bot] "
                         "state elsewhere") from None


@contextmanager
def instance_lock(state_path: str) -> Iterator[None]:
    """Hold the instance lock for the block; ``AlreadyRunning`` when another process holds it, ``StateError``
    (one line) when the lock file cannot be created."""
    handle = _open_lock(state_path)
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise AlreadyRunning(
                f"another pushti is already running on {state_path} (pid {holder}); exiting without polling"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()
