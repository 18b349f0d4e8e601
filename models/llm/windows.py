"""Windows: a text split into pieces of raw offsets, each sent to the LLM on its own.

**Windows.** A text is split into paragraphs at line breaks; consecutive
paragraphs are packed into windows of at most ``max_window_chars`` characters
(default 1500); a longer paragraph is split at the sentence ends of
:func:`arabench.annotations.tokenize.sentence_ranges` with ``ends=CLAUSE_END_WORDS``
(``. ! ? ؟`` and the clause ends ``؛ …``, followed by white space), a longer
sentence between words. Nothing is truncated: every non-space
character is in exactly one window (a single word longer than the limit is a
window of its own, counted ``oversized_windows``).
"""

from __future__ import annotations

import re

from arabench.annotations.errors import ModelError
from arabench.annotations.tokenize import CLAUSE_END_WORDS, sentence_ranges

__all__ = ["split_windows"]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _pieces(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Split one paragraph into pieces of at most ``limit`` chars: at sentence or clause ends, then between words."""
    if end - start <= limit:
        return [(start, end)]
    # A window is only a piece of text packed up to a length limit, so it may also be cut at clause ends.
    sentences = [(start + s, start + e) for s, e in sentence_ranges(text[start:end], ends=CLAUSE_END_WORDS)]
    out: list[tuple[int, int]] = []
    for s, e in sentences:
        if e <= s:
            continue
        if e - s <= limit:
            out.append((s, e))
            continue
        words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[s:e])]
        for ws, we in words:
            out.append((s + ws, s + we))
    return out


def split_windows(text: str, *, max_chars: int = 1500) -> list[tuple[int, int]]:
    """Split ``text`` into windows ``(start, end)`` of raw offsets (see the module docstring).

    Paragraphs (lines) are packed together up to ``max_chars``; a longer paragraph
    is split after sentence ends, a longer sentence between words. Windows never
    start or end with white space, and every non-space character of ``text`` is
    in exactly one window. A window is longer than ``max_chars`` only when it is
    a single word longer than that.
    """
    if max_chars < 1:
        raise ModelError(
            "max_window_chars must be positive", field="max_window_chars", value=max_chars, fix="e.g. 1500"
        )
    units: list[tuple[int, int]] = []
    for m in re.finditer(r"[^\n]+", text):
        s, e = _trim(text, m.start(), m.end())
        if e > s:
            units.extend(_pieces(text, s, e, max_chars))
    windows: list[tuple[int, int]] = []
    for s, e in units:
        if windows and e - windows[-1][0] <= max_chars:
            windows[-1] = (windows[-1][0], e)
        else:
            windows.append((s, e))
    return windows
