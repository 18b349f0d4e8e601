"""Files every layer writes or keys by: atomic writes, canonical hashes, path fingerprints, the cache root.

This is the lowest layer's file toolkit, so that models (the LLM response
cache) and the harness (results, reports, the predictions cache) share one
definition without ``models`` importing ``benchmark``.

* :func:`atomic_write_bytes` / :func:`atomic_write_text`: a reader sees the old
  file or the new one, never half of one. The content is written to a
  temporary file in the *same directory*, flushed and fsynced, then moved over
  the target with :func:`os.replace`, which is atomic on POSIX and Windows. If
  anything fails before the replace (an exception while producing the content,
  a full disk, a kill), the temporary file is removed and the old target is
  left untouched.
* :func:`canonical_json` / :func:`canonical_sha256`: sorted keys, no spaces,
  UTF-8; sets are sorted, paths are strings. The key material of every cache.
* :func:`text_sha256`: the sha256 of a text's UTF-8 bytes.
* :func:`path_fingerprint`: relative name, size and mtime of a file or of every
  file under a directory.
* :func:`default_cache_dir`: ``$ARABENCH_CACHE``, else ``~/.cache/arabench``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "canonical_json",
    "canonical_sha256",
    "default_cache_dir",
    "path_fingerprint",
    "text_sha256",
]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | Path, data: bytes, *, durable: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically and return the path.

    The parent directory is created if needed. ``durable=False`` skips the
    ``fsync`` (still atomic against an interrupted process, not against a power
    loss): for cache entries, which are recomputed when lost.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; results are ordinary files
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    r"""Write ``text`` as UTF-8 (``\\n`` line ends, no translation) atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def default_cache_dir() -> Path:
    """``$ARABENCH_CACHE`` if set, else ``~/.cache/arabench``."""
    env = os.environ.get("ARABENCH_CACHE")
    if env:
        return Path(env).expanduser()
    return Path("~/.cache/arabench").expanduser()


def text_sha256(text: str) -> str:
    """The sha256 hex digest of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _json_default(value: object) -> object:
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (tuple, list)):
        return list(value)
    raise TypeError(f"not JSON-serializable: {type(value).__name__}")


def canonical_json(data: object) -> bytes:
    """The canonical JSON of ``data`` as UTF-8: sorted keys, no spaces, sets sorted, paths as strings."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default).encode(
        "utf-8"
    )


def canonical_sha256(data: object) -> str:
    """sha256 of the canonical JSON (sorted keys, no spaces) of ``data``."""
    return hashlib.sha256(canonical_json(data)).hexdigest()


def path_fingerprint(path: Path) -> list[list[object]]:
    """Relative name, size and mtime (ns) of ``path`` or of every file under it, sorted."""
    if path.is_file():
        stat = path.stat()
        return [[path.name, stat.st_size, stat.st_mtime_ns]]
    rows: list[list[object]] = []
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        stat = file.stat()
        rows.append([file.relative_to(path).as_posix(), stat.st_size, stat.st_mtime_ns])
    return rows
