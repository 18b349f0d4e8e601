"""Resolution of candidate spans: nested spans kept, duplicates and crossing spans dropped by priority."""

from __future__ import annotations

from collections.abc import Sequence

from models.rules.base import Cand
from models.rules.catalog import PRIORITY

__all__ = ["resolve"]


def resolve(cands: Sequence[Cand]) -> tuple[list[Cand], int, int]:
    """Keep nested spans, drop duplicates and spans that cross a higher-priority span.

    Returns:
        ``(kept, crossing_dropped, same_range_dropped)``: the second counts spans
        removed for crossing a higher-priority span, the third spans removed
        because a higher-priority rule gave the same range another label.
    """
    best: dict[tuple[int, int], Cand] = {}
    relabelled: set[tuple[int, int, str]] = set()
    for c in sorted(cands, key=lambda c: PRIORITY[c.rule]):
        key = (c.start, c.end)
        if key in best:
            if best[key].label != c.label:  # the earlier (higher-priority) rule's label wins
                relabelled.add((c.start, c.end, c.label))
            continue
        best[key] = c
    kept: list[Cand] = []
    dropped = 0
    for c in sorted(best.values(), key=lambda c: (PRIORITY[c.rule], c.start, -c.end)):
        if any(k.start < c.end and c.start < k.end and not (k.start <= c.start and c.end <= k.end)
               and not (c.start <= k.start and k.end <= c.end) for k in kept):  # fmt: skip
            dropped += 1
            continue
        kept.append(c)
    return sorted(kept, key=lambda c: (c.start, c.end, c.label)), dropped, len(relabelled)
