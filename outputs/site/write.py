"""Writing the site's files: a page is written only when its bytes changed, through a temporary file in the same
folder and ``os.replace``, so a reader (a web server, a browser) sees the old page or the new one, never half."""

from __future__ import annotations

import os
from pathlib import Path


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically unless the file already holds exactly it; whether it was written."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()
    return True
