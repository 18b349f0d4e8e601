"""The matcher's state and shared helpers: one text's words, candidate spans, look-ups, numbers.

A :class:`Cand` is a candidate span of one rule over words ``[first, last)``;
the rule families (:mod:`~models.rules.numbers`, :mod:`~models.rules.dates`,
:mod:`~models.rules.places`, :mod:`~models.rules.people`,
:mod:`~models.rules.norp`) add candidates with :meth:`MatcherBase.emit`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from arabench.models.rules import vocab as v
from arabench.models.rules.catalog import RULES
from arabench.models.rules.gazetteers import Entry, data
from arabench.models.rules.text import text_words

__all__ = ["Cand", "MatcherBase"]


@dataclass(frozen=True)
class Cand:
    """A candidate span of one rule: raw offsets, label, rule, word range ``[first, last)``."""

    start: int
    end: int
    label: str
    rule: str
    first: int  # word index range [first, last)
    last: int


class MatcherBase:
    """One text's words and candidates, and the helpers every rule family uses."""

    def __init__(self, text: str, enabled: frozenset[str]) -> None:
        self.text = text
        self.data = data()
        self.enabled = enabled
        self.w = text_words(text)
        self.norms = [w.norm for w in self.w]
        self.out: list[Cand] = []
        self.date_words: set[int] = set()  # word indices inside DATE/TIME spans (filled by dates())
        self.place_at: dict[int, tuple[int, int, Entry]] = {}  # gazetteer hits by first word

    # -- helpers ---------------------------------------------------------
    def emit(self, rule: str, first: int, last: int, start: int | None = None) -> Cand | None:
        """Record a candidate span over words ``[first, last)`` (from ``start`` if proclitics are cut off)."""
        if rule not in self.enabled or first >= last:
            return None
        cand = Cand(self.w[first].start if start is None else start, self.w[last - 1].end, RULES[rule][0], rule,
                     first, last)  # fmt: skip
        self.out.append(cand)
        return cand

    def lookup(self, i: int, table: Mapping[tuple[str, ...], Any], longest: int) -> tuple[int, int, Any] | None:
        """Longest table entry starting at word ``i`` (proclitics allowed): ``(raw start, end word index, value)``."""
        if i >= len(self.w):
            return None
        best = None
        for start, stem in self.w[i].stems():
            for n in range(min(longest, len(self.w) - i), 0, -1):
                value = table.get((stem, *self.norms[i + 1 : i + n]))
                if value is not None:
                    if best is None or n > best[1] - i:
                        best = (start, i + n, value)
                    break
        return best

    def number_at(self, i: int) -> tuple[int, float | None] | None:
        """A number starting at word ``i`` (digits [+ scale word] or number words): ``(end index, value)``."""
        if i >= len(self.w):
            return None
        value = self.w[i].number
        if value is not None:
            j = i + 1
            if j < len(self.w) and self.norms[j] in v.NUMBER_SCALE:
                j += 1
            return j, value
        j = i
        while j < len(self.w):
            norm = self.norms[j]
            if j == i and norm not in v.NUMBER:
                norm = next((stem for _, stem in self.w[i].stems()[1:] if stem in v.NUMBER), norm)  # «بإحدى عشرة»
            if norm in v.NUMBER or (j > i and norm.startswith("و") and norm[1:] in v.NUMBER):
                j += 1
                continue
            break
        if j == i or (j == i + 1 and self._number_word(i) in v.WEAK):
            return None
        return j, None

    def _number_word(self, i: int) -> str:
        """Word ``i`` as a number word, without its proclitics («بإحدى» → «احدى»), or as it is."""
        return next((stem for _, stem in self.w[i].stems() if stem in v.NUMBER), self.norms[i])

    def _number_start(self, i: int) -> int:
        """Raw start of the number in word ``i``: after proclitics for a number word («بثلاثة» → «ثلاثة»)."""
        return next((start for start, stem in self.w[i].stems() if stem in v.NUMBER), self.w[i].start)

    def _stem_in(self, i: int, words: Iterable[str]) -> int | None:
        """Raw start of word ``i``'s reading (with or without proclitics) that is in ``words``."""
        if i < 0 or i >= len(self.w):
            return None
        if not isinstance(words, (set, frozenset)):
            words = set(words)
        for start, stem in self.w[i].stems():
            if stem in words:
                return start
        return None

    def covered(self, labels: Iterable[str] | None = None) -> list[bool]:
        """Per word: inside a candidate so far (with one of ``labels``, if given); one pass over the candidates."""
        wanted = None if labels is None else set(labels)
        depth = [0] * (len(self.w) + 1)
        for c in self.out:
            if wanted is None or c.label in wanted:
                depth[c.first] += 1
                depth[c.last] -= 1
        inside, running = [], 0
        for k in range(len(self.w)):
            running += depth[k]
            inside.append(running > 0)
        return inside

    def _noun_start(self, i: int) -> int:
        for start, stem in self.w[i].stems():
            if stem in v.YEAR_NOUNS:
                return start
        return self.w[i].start
