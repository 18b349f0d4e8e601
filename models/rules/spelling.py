"""Spelling variants the rules read alike: the text the matcher sees, with an exact offset map back to the raw text.

The rules compare words after :func:`arabench.models.rules.text.normalize`
(short vowels and tatweel dropped, hamza forms of alef as bare alef), which
keeps offsets. Two more variations of real Arabic text change letters the
rules' word lists spell one way; :func:`canonical_text` undoes them before the
matcher runs:

* **zero-width and bidirectional marks** (:data:`arabench.annotations.tokenize.ZERO_WIDTH`:
  ZWSP, ZWNJ, ZWJ, LRM, RLM, ALM, BOM) pasted into words are deleted, so that
  ``مصر<ZWNJ>`` is ``مصر`` and a year ``2023<LRM>`` a number;
* **final ى/ي and ة/ه**: a word the rules do not know (no reading of it, with
  or without proclitics, is a word of their lists, gazetteers or CLDR data:
  :func:`lexicon`) whose last letter swapped (``ى``↔``ي``, ``ة``↔``ه``) is a
  word they know is read with the swapped letter (``القاهره`` -> ``القاهرة``,
  ``المصرى`` -> ``المصري``). A word known as written is never changed, so
  ``على`` stays a preposition and ``علي`` a name: the swap only resolves a
  spelling the lists do not hold, never an ambiguity.

The map is an :class:`arabench.annotations.perturb.OffsetMap` (one-character
edits), so every span the matcher finds maps back to the raw text exactly.
"""

from __future__ import annotations

from functools import lru_cache

from arabench.annotations.perturb import Edit, OffsetMap
from arabench.annotations.tokenize import ZERO_WIDTH
from arabench.models.rules.gazetteers import data
from arabench.models.rules.lists import word_lists
from arabench.models.rules.text import normalize, text_words, word_strings

__all__ = ["FINAL_VARIANTS", "canonical_text", "lexicon"]

#: The final letters read alike: alef maqsura and yeh, teh marbuta and heh.
FINAL_VARIANTS = {"\u0649": "\u064a", "\u064a": "\u0649", "\u0629": "\u0647", "\u0647": "\u0629"}


@lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    """Every normalized word the rules look up: word lists, gazetteer names, months, relative dates, CLDR words."""
    known: set[str] = set()
    for wl in word_lists().values():
        for entry in wl.words:
            known.update(normalize(w) for w in word_strings(entry))
    d = data()
    for table in (d.names, d.months, d.relative):
        for key in table:
            known.update(key)
    known |= d.weekdays | d.currencies | d.languages | set(d.nisba)
    return frozenset(w for w in known if w)


def _known(stems: tuple[tuple[int, str], ...], words: frozenset[str]) -> bool:
    return any(stem in words for _, stem in stems)


def canonical_text(text: str) -> OffsetMap:
    """The text the matcher reads (``.new``) and its map to ``text`` (see the module docstring)."""
    marks = [Edit(i, "") for i, ch in enumerate(text) if ch in ZERO_WIDTH]
    unmarked = OffsetMap(text, marks) if marks else None
    clean = text if unmarked is None else unmarked.new
    words = lexicon()
    swaps: list[Edit] = []
    for w in text_words(clean):
        if not w.norm or w.norm[-1] not in FINAL_VARIANTS or _known(w.stems(), words):
            continue
        other = FINAL_VARIANTS[w.norm[-1]]
        if any(stem[:-1] + other in words for _, stem in w.stems() if stem):
            at = w.start + w.keep[-1]
            raw = at if unmarked is None else unmarked.start_to_old(at)
            swaps.append(Edit(raw, other))
    return OffsetMap(text, marks + swaps)
