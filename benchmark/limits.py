"""Refuse, before any model runs, a corpus too large for the machine's memory (with the limit and the fix).

Scoring one long document needs memory in proportion to its text: the words, the
predictions, the span sets of every setting, the token view. Measured with
``tests/benchmarks/bench_grid.py`` (``run -m rules -m oracle`` on one document built
from a real corpus), the peak grows by about 100 MB per MB of UTF-8 text over a base of
about 150 MB. :func:`check_memory` estimates the peak of a run from the sizes of the
corpus (:data:`BASE_MB` + :data:`PER_MB_LARGEST` per MB of the largest document +
:data:`PER_MB_TOTAL` per MB of all text, a margin over the measured rate) and refuses
when it exceeds the limit: ``$ARABENCH_MEMORY_LIMIT`` (megabytes; ``0`` turns the check
off) or else the memory the system reports available. :func:`check_file` applies the
same rule to a corpus file's size before it is read.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from arabench.annotations.errors import BenchmarkError

__all__ = ["BASE_MB", "PER_MB_LARGEST", "PER_MB_TOTAL", "available_mb", "check_file", "check_memory", "estimate_mb"]

#: Peak memory of a run on an empty corpus (interpreter, libraries, schema), in MB.
BASE_MB = 200
#: MB of peak memory per MB of UTF-8 text of the largest document (one document is processed whole).
PER_MB_LARGEST = 80
#: MB of peak memory per MB of UTF-8 text of the whole corpus (scores, predictions, records of every document).
PER_MB_TOTAL = 70
#: Reading alone: MB of peak memory per MB of a corpus file (checked before the file is read).
PER_MB_READ = 40

_MB = 1 << 20


def available_mb() -> float | None:
    """The limit in MB: ``$ARABENCH_MEMORY_LIMIT``, else the memory available now, else ``None`` (no check)."""
    configured = os.environ.get("ARABENCH_MEMORY_LIMIT")
    if configured is not None and configured.strip():
        try:
            value = float(configured)
        except ValueError:
            value = -1.0
        if not value >= 0 or value == float("inf"):
            raise BenchmarkError(
                "ARABENCH_MEMORY_LIMIT must be a number of megabytes",
                field="ARABENCH_MEMORY_LIMIT",
                value=configured[:40],
                fix="set it to e.g. 8000 (MB), or 0 to turn the memory check off",
            )
        return None if value == 0 else value
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def estimate_mb(document_bytes: Sequence[int]) -> float:
    """Estimated peak memory (MB) of a run on documents of these UTF-8 sizes (bytes)."""
    if not document_bytes:
        return float(BASE_MB)
    return BASE_MB + PER_MB_LARGEST * max(document_bytes) / _MB + PER_MB_TOTAL * sum(document_bytes) / _MB


def _refuse(what: str, need: float, limit: float, file: str | None, fix: str) -> BenchmarkError:
    return BenchmarkError(
        f"{what}: a run would need about {need:,.0f} MB of memory, more than the {limit:,.0f} MB available "
        "(nothing was run)",
        file=file,
        field="corpus",
        value=f"{need:,.0f} MB needed",
        fix=fix,
    )


def check_memory(texts: Sequence[str], ids: Sequence[str], *, source: str | None = None) -> None:
    """Refuse (before any model runs) a corpus whose estimated peak exceeds :func:`available_mb`.

    Raises:
        BenchmarkError: Naming the largest document, its size, the estimate, the limit and the fix.
    """
    limit = available_mb()
    if limit is None:
        return
    sizes = [len(t.encode("utf-8")) if not t.isascii() else len(t) for t in texts]
    need = estimate_mb(sizes)
    if need <= limit:
        return
    k = max(range(len(sizes)), key=sizes.__getitem__)
    largest = sizes[k] / _MB
    fits = (limit - BASE_MB) / (PER_MB_LARGEST + PER_MB_TOTAL)
    split = (
        f"split the text into documents of at most about {fits:,.1f} MB (e.g. one per article, -DOCSTART- lines "
        "in CoNLL)"
        if fits >= 0.1
        else "free memory (the limit is below what a run needs at all)"
    )
    raise _refuse(
        f"corpus too large for this machine: its largest document {ids[k]!r} has {largest:,.1f} MB of text "
        f"({sum(sizes) / _MB:,.1f} MB in {len(sizes)} document(s))",
        need,
        limit,
        source,
        f"{split}, run on a machine with more memory, or set ARABENCH_MEMORY_LIMIT (MB) if you know it fits",
    )


def check_file(path: str | Path) -> None:
    """Refuse, before reading it, a corpus file so large that reading it alone would exceed :func:`available_mb`."""
    path = Path(path)
    if not path.is_file():
        return
    limit = available_mb()
    if limit is None:
        return
    size = path.stat().st_size / _MB
    need = BASE_MB + PER_MB_READ * size
    if need > limit:
        raise _refuse(
            f"corpus file too large for this machine ({size:,.1f} MB)",
            need,
            limit,
            str(path),
            "split it into smaller corpus files, run on a machine with more memory, "
            "or set ARABENCH_MEMORY_LIMIT (MB) if you know it fits",
        )
