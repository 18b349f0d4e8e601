"""The LLM response cache.

**Cache.** Answers are stored under ``<cache root>/llm/`` (the harness's cache
root: ``$ARABENCH_CACHE`` or ``~/.cache/arabench``) keyed by the sha256 of the
backend, the base URL or model fingerprint, the prompt's name, version and
sha256, the decoding parameters and the window's messages; a re-run sends no
request. Temperature 0 and a fixed seed make answers as repeatable as the
server allows.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from annotations.errors import CacheError
from annotations.files import atomic_write_bytes, canonical_json, canonical_sha256, default_cache_dir

__all__ = ["ResponseCache"]

log = logging.getLogger("arabench")


class ResponseCache:
    """LLM answers on disk: ``<root>/llm/<key[:2]>/<key>.json``, written atomically.

    Args:
        root: The cache root (default: the harness's, ``$ARABENCH_CACHE`` or ``~/.cache/arabench``).
    """

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = (Path(root).expanduser() if root is not None else default_cache_dir()) / "llm"

    @staticmethod
    def key(data: Mapping[str, object]) -> str:
        """The sha256 of the canonical JSON of ``data``."""
        return canonical_sha256(dict(data))

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored answer (``{"content", "finish_reason"}``) or ``None``; a corrupted entry is ignored."""
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable LLM cache entry %s (%s)", path, exc)
            return None
        if (
            not isinstance(data, dict)
            or data.get("key") != key
            or not isinstance(data.get("content"), (str, type(None)))
        ):
            log.warning("ignoring malformed LLM cache entry %s", path)
            return None
        return data

    def put(self, key: str, content: str | None, finish_reason: str | None) -> None:
        """Store an answer (atomic write)."""
        try:
            atomic_write_bytes(
                self._path(key),
                canonical_json({"key": key, "content": content, "finish_reason": finish_reason}),
                durable=False,  # atomic, but no fsync: a lost entry is recomputed
            )
        except OSError as exc:
            raise CacheError(
                f"cannot write the LLM response cache: {exc}",
                file=self._path(key),
                fix="set ARABENCH_CACHE to a writable directory or pass cache=False",
            ) from exc
