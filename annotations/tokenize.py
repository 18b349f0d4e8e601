"""Word tokenization shared by CoNLL conversion, word-boundary scoring and models.

A *word* is a maximal run of characters that are neither white space nor
punctuation/symbols (Unicode categories ``P*`` and ``S*``); every punctuation or
symbol character is a word of its own. Arabic combining marks (harakat, shadda,
category ``Mn``) and tatweel (``Lm``) stay inside their word, and proclitics
(``و ف ب ل ك``) are never split off: ``وبالكويت`` is one word, as in ANERcorp and
CAMeL Tools' ``simple_word_tokenize``.

All offsets are half-open character offsets into the raw text.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

import regex

from annotations.spans import Span

__all__ = ["WORD_PATTERN", "word_offsets", "words", "WordIndex", "snap_span"]

#: One word: a run of non-space, non-punctuation characters, or one punctuation/symbol character.
WORD_PATTERN = regex.compile(r"[^\s\p{P}\p{S}]+|[\p{P}\p{S}]")


def word_offsets(text: str) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` offsets of every word of ``text``, in order."""
    return [m.span() for m in WORD_PATTERN.finditer(text)]


#: Words that end a sentence when white space (or the end of the text) follows them.
SENTENCE_END_WORDS = frozenset({".", "!", "?", "\u061f"})


def sentence_ranges(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentences: the one sentence rule of arabench.

    A sentence ends after a word ``.``, ``!``, ``?`` or ``؟`` that is followed
    by white space or ends the text, and at every line break; so ``3.5`` or
    ``U.N.`` inside a sentence do not end it. Each range runs from its first
    word's start to its last word's end, so the ranges cover every word
    exactly once. A segment without a letter or digit (a lone ``«`` after a
    stop) joins the sentence before it. A text without words has no sentences.
    """
    offsets = word_offsets(text)
    ranges: list[tuple[int, int]] = []
    start: int | None = None
    for k, (s, e) in enumerate(offsets):
        if start is None:
            start = s
        next_start = offsets[k + 1][0] if k + 1 < len(offsets) else len(text)
        gap = text[e:next_start]
        if "\n" in gap or (text[s:e] in SENTENCE_END_WORDS and (gap or k + 1 == len(offsets))):
            ranges.append((start, e))
            start = None
    if start is not None:
        ranges.append((start, offsets[-1][1]))
    # A segment without a letter or digit (a lone «, a run of dots) is no sentence of its own:
    # it joins the sentence before it (or, at the start, the one after it).
    merged: list[tuple[int, int]] = []
    previous_has_letters = True
    for s, e in ranges:
        has_letters = any(c.isalnum() for c in text[s:e])
        if merged and not (has_letters and previous_has_letters):
            merged[-1] = (merged[-1][0], e)
            previous_has_letters = previous_has_letters or has_letters
        else:
            merged.append((s, e))
            previous_has_letters = has_letters
    return merged


def words(text: str) -> list[str]:
    """Return the words of ``text`` (see the module docstring for the rule)."""
    return WORD_PATTERN.findall(text)


@dataclass(frozen=True)
class WordIndex:
    """Word boundaries of one text, for snapping spans to whole words.

    Build it once per text with :meth:`of` and reuse it for every span.
    """

    starts: Sequence[int]
    ends: Sequence[int]

    @classmethod
    def of(cls, text: str) -> WordIndex:
        """Index the words of ``text``."""
        offsets = word_offsets(text)
        return cls(starts=[s for s, _ in offsets], ends=[e for _, e in offsets])

    def __len__(self) -> int:
        return len(self.starts)

    def token_range(self, start: int, end: int) -> tuple[int, int] | None:
        """Return the half-open range of word indices overlapping ``[start, end)``.

        Returns ``None`` if the character range touches no word (only spaces).
        """
        first = bisect_right(self.ends, start)  # first word ending after start
        last = bisect_left(self.starts, end)  # words starting before end
        if first >= last:
            return None
        return first, last

    def snap(self, start: int, end: int) -> tuple[int, int] | None:
        """Widen ``[start, end)`` to the whole words it overlaps.

        A range that starts or ends inside a word is widened to that word's
        boundary, so a span with or without its proclitics (``بالكويت`` against
        ``الكويت``) snaps to the same range. Leading or trailing white space is
        dropped. Returns ``None`` if the range touches no word.
        """
        found = self.token_range(start, end)
        if found is None:
            return None
        first, last = found
        return self.starts[first], self.ends[last - 1]


def snap_span(span: Span, index: WordIndex) -> Span | None:
    """Return ``span`` widened to whole words, or ``None`` if it covers no word."""
    snapped = index.snap(span.start, span.end)
    if snapped is None:
        return None
    if snapped == span.range:
        return span
    return Span(snapped[0], snapped[1], span.label)
