"""The user's cache folder: compiled templates and parsed HCL, reused across runs and clients.

Everything stored here is keyed by the content it was computed from (plus the versions of the code
that computed it), so a stale entry can never be used: it is simply not found. Deleting the folder
at any time is safe; it only makes the next run slower. ``ORGSCAFFOLD_CACHE_DIR`` chooses another
folder, or disables the cache when set to ``off``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

CACHE_ENV = "ORGSCAFFOLD_CACHE_DIR"


def cache_dir(kind: str) -> Path | None:
    """The folder for one kind of cached data (created on demand), or None when caching is off."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None and configured.strip().lower() in {"off", "0", "false", "no"}:
        return None
    if configured:
        root = Path(configured).expanduser()
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        root = (Path(xdg) if xdg else Path.home() / ".cache") / "orgscaffold"
    folder = root / kind
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a read-only home is no reason to fail: run uncached
    return folder


def write_atomically(path: Path, data: bytes) -> None:
    """Write a cache entry so that a concurrent reader sees the old file, the new one, or none."""
    try:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError:
        return  # a read-only cache only costs speed
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        temporary.replace(path)
    except OSError:
        temporary.unlink(missing_ok=True)  # a full disk only costs speed
