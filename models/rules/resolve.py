"""Resolution of candidate spans: nested spans kept, duplicates and crossing spans dropped by priority."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from arabench.models.rules.base import Cand
from arabench.models.rules.catalog import PRIORITY

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
    for group in _overlapping_groups(best.values()):
        # only spans that overlap can cross: priority decides inside each group of overlapping spans
        group_kept: list[Cand] = []
        for c in sorted(group, key=lambda c: (PRIORITY[c.rule], c.start, -c.end)):
            if any(_cross(k, c) for k in group_kept):
                dropped += 1
                continue
            group_kept.append(c)
        kept.extend(group_kept)
    return sorted(kept, key=lambda c: (c.start, c.end, c.label)), dropped, len(relabelled)


def _cross(a: Cand, b: Cand) -> bool:
    """True if ``a`` and ``b`` overlap and neither contains the other."""
    return (
        a.start < b.end
        and b.start < a.end
        and not (a.start <= b.start and b.end <= a.end)
        and not (b.start <= a.start and a.end <= b.end)
    )


def _overlapping_groups(cands: Iterable[Cand]) -> Iterator[list[Cand]]:
    """Sweep over the spans sorted by start: groups of spans linked by overlaps (a span in no group crosses none)."""
    group: list[Cand] = []
    reach = -1
    for c in sorted(cands, key=lambda c: (c.start, -c.end)):
        if group and c.start >= reach:
            yield group
            group = []
        group.append(c)
        reach = max(reach, c.end) if len(group) > 1 else c.end
    if group:
        yield group
