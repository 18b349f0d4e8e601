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

from arabench.annotations.errors import CacheError
from arabench.annotations.files import atomic_write_bytes, canonical_json, canonical_sha256, default_cache_dir

__all__ = ["ResponseCache"]

log = logging.getLogger("arabench")


class ResponseCache:
    """LLM answers on disk: ``<root>/llm/<key[:2]>/<key>.json``, written atomically.

    An entry is ``{"key", "content", "finish_reason"}`` and, when the server
    reported it, ``"usage"``: the key it is stored under, the answer (a string,
    or null for an empty answer), the finish reason (a string or null) and the
    tokens it cost (``{"prompt_tokens", "completion_tokens"}``, whole numbers).
    Each answer is written (atomically) as soon as it arrives, so an
    interrupted run keeps every answer it received. Only answers that were received in full are
    stored (a failed window is never cached). An entry that cannot be read,
    is not exactly that shape (a hand-edited or foreign file) or is stored
    under another key is discarded with a warning and counted in
    :attr:`discarded`; the answer is then requested again and the entry
    rewritten. A stored answer is parsed and aligned like a fresh one, so its
    labels and strings are validated on every use.

    Args:
        root: The cache root (default: the harness's, ``$ARABENCH_CACHE`` or ``~/.cache/arabench``).
        refresh: Never read entries, only write them (a ``--no-cache`` run
            overwrites what it recomputes, so no stale entry survives it).

    Attributes:
        discarded: Entries discarded so far.
    """

    FIELDS = frozenset({"key", "content", "finish_reason"})
    #: Fields an entry may hold besides :attr:`FIELDS`.
    OPTIONAL = frozenset({"usage"})

    def __init__(self, root: str | Path | None = None, *, refresh: bool = False) -> None:
        self.root = (Path(root).expanduser() if root is not None else default_cache_dir()) / "llm"
        self.refresh = refresh
        self.discarded = 0

    @staticmethod
    def key(data: Mapping[str, object]) -> str:
        """The sha256 of the canonical JSON of ``data``."""
        return canonical_sha256(dict(data))

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored answer (``{"content", "finish_reason"}``) or ``None``; an invalid entry is discarded."""
        if self.refresh:
            return None
        path = self._path(key)
        try:
            data = json.loads(path.read_bytes().decode("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            self._discard(path, f"cannot be read ({type(exc).__name__})")
            return None
        if not isinstance(data, dict) or not self.FIELDS <= set(data) <= self.FIELDS | self.OPTIONAL:
            self._discard(path, "does not have the fields key, content and finish_reason")
            return None
        if data["key"] != key:
            self._discard(path, "is stored under another key")
            return None
        if not isinstance(data["content"], (str, type(None))) or not isinstance(
            data["finish_reason"], (str, type(None))
        ):
            self._discard(path, "holds a content or finish_reason that is not a string or null")
            return None
        usage = data.get("usage")
        if "usage" in data and not (
            isinstance(usage, dict)
            and set(usage) == {"prompt_tokens", "completion_tokens"}
            and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in usage.values())
        ):
            self._discard(path, "holds a usage that is not two whole token counts")
            return None
        return data

    def _discard(self, path: Path, why: str) -> None:
        self.discarded += 1
        log.warning("discarding LLM cache entry %s: it %s; the answer is requested again", path, why)
        return None

    def put(
        self, key: str, content: str | None, finish_reason: str | None, *, usage: Mapping[str, int] | None = None
    ) -> None:
        """Store an answer (atomic write), with the tokens it cost when the server said."""
        entry: dict[str, object] = {"key": key, "content": content, "finish_reason": finish_reason}
        if usage is not None:
            entry["usage"] = {"prompt_tokens": usage["prompt_tokens"], "completion_tokens": usage["completion_tokens"]}
        try:
            data = canonical_json(entry)
        except UnicodeEncodeError:  # a lone surrogate ("\ud800" in the server's JSON): stored as a JSON escape
            data = json.dumps(entry, sort_keys=True, ensure_ascii=True, separators=(",", ":")).encode("ascii")
        try:
            atomic_write_bytes(self._path(key), data, durable=False)  # atomic, but no fsync: a lost entry is recomputed
        except OSError as exc:
            raise CacheError(
                f"cannot write the LLM response cache: {exc}",
                file=self._path(key),
                fix="set ARABENCH_CACHE to a writable directory or pass cache=False",
            ) from exc
