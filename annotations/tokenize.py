"""The Arabic text facts of arabench, written once: words, sentences, proclitics, ignorable characters, normalization.

Every user imports them from here: CoNLL conversion, word-boundary scoring
(:mod:`arabench.eval.spans`), the token view, the statistics, the rule baseline, the
Hugging Face windows and the LLM alignment.

**Words.**
A *word* is a maximal run of characters that are neither white space nor
punctuation/symbols (Unicode categories ``P*`` and ``S*``); every punctuation or
symbol character is a word of its own. Arabic combining marks (harakat, shadda,
category ``Mn``) and tatweel (``Lm``) stay inside their word, and proclitics
(``و ف ب ل ك``) are never split off: ``وبالكويت`` is one word, as in ANERcorp and
CAMeL Tools' ``simple_word_tokenize``.

**Sentences** (:func:`sentence_ranges`) end after a word in ``ends``
followed by white space, and at line breaks. Two sets exist, for a reason:
:data:`SENTENCE_END_WORDS` (``. ! ? ؟``) is the sentence of scoring units,
CoNLL export and statistics; :data:`CLAUSE_END_WORDS` adds ``؛`` and ``…``, the
places a model window may also be cut (a window is only a piece of text to
pack up to a model's length limit, so more cut points never change what is
scored, while a scoring unit must be a whole sentence).

**Proclitics** (guidelines §2): an optional conjunction (:data:`CONJUNCTIONS`,
``و ف``) then an optional preposition (:data:`PREPOSITIONS`, ``ب ل ك``), written
on the word they prefix; a mention leaves them out. :data:`PROCLITICS` lists
the eleven sequences (longest first), :data:`PROCLITIC_LETTERS` the five letters,
and :func:`is_proclitic_prefix` decides whether a prefix is one.

**Ignorable characters** (:func:`is_ignorable`): combining marks (category
``Mn``: harakat, shadda, superscript alef), tatweel, and (by default) the
zero-width marks :data:`ZERO_WIDTH`. They stay inside their word and are
dropped only for comparison.

**Normalization** (:func:`normalize_with_map`) drops ignorable characters,
unifies the hamza forms of alef (and Persian ``ی ک``) and collapses white space,
keeping the raw offset of every kept character: gold text is never normalized.
:func:`normalize` gives the same string without the map and without collapsing
white space, for the many short words a model compares (one ``str.translate``).

All offsets are half-open character offsets into the raw text.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import regex

from arabench.annotations.spans import Span

__all__ = [
    "WORD_PATTERN",
    "word_offsets",
    "words",
    "WordIndex",
    "snap_span",
    "snap_range",
    "SENTENCE_END_WORDS",
    "CLAUSE_END_WORDS",
    "sentence_ranges",
    "CONJUNCTIONS",
    "PREPOSITIONS",
    "PROCLITICS",
    "PROCLITIC_LETTERS",
    "PROCLITIC_PATTERN",
    "MAX_PROCLITIC_LETTERS",
    "is_proclitic_prefix",
    "TATWEEL",
    "ZERO_WIDTH",
    "is_ignorable",
    "ALEF_FORMS",
    "PERSIAN_LETTERS",
    "normalize_with_map",
    "normalize",
    "NormalizationTable",
]

_PUNCTUATION = r"\p{P}\p{S}"  # punctuation and symbols: each one a word of its own

#: One word: a run of non-space, non-punctuation characters, or one punctuation/symbol character.
WORD_PATTERN = regex.compile(rf"[^\s{_PUNCTUATION}]+|[{_PUNCTUATION}]")


def word_offsets(text: str) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` offsets of every word of ``text``, in order."""
    return [m.span() for m in WORD_PATTERN.finditer(text)]


#: Words that end a sentence when white space (or the end of the text) follows them.
SENTENCE_END_WORDS = frozenset({".", "!", "?", "\u061f"})

#: Sentence ends plus the clause ends ``؛`` and ``…``: where a model window may be cut (see the module docstring).
CLAUSE_END_WORDS = SENTENCE_END_WORDS | {"\u061b", "\u2026"}


def sentence_ranges(
    text: str, *, ends: frozenset[str] = SENTENCE_END_WORDS, offsets: Sequence[tuple[int, int]] | None = None
) -> list[tuple[int, int]]:
    """Split ``text`` into sentences: the one sentence rule of arabench.

    A sentence ends after a word of ``ends`` (by default ``.``, ``!``, ``?``,
    ``؟``; :data:`CLAUSE_END_WORDS` for model windows) that is followed
    by white space or ends the text, and at every line break; so ``3.5`` or
    ``U.N.`` inside a sentence do not end it. Each range runs from its first
    word's start to its last word's end, so the ranges cover every word
    exactly once. A segment without a letter or digit (a lone ``«`` after a
    stop) joins the sentence before it. A text without words has no sentences.
    ``offsets`` are :func:`word_offsets` of ``text`` when the caller has them already.
    """
    if offsets is None:
        offsets = word_offsets(text)
    ranges: list[tuple[int, int]] = []
    start: int | None = None
    for k, (s, e) in enumerate(offsets):
        if start is None:
            start = s
        next_start = offsets[k + 1][0] if k + 1 < len(offsets) else len(text)
        gap = text[e:next_start]
        if "\n" in gap or (text[s:e] in ends and (gap or k + 1 == len(offsets))):
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

    def word_at(self, offset: int) -> int | None:
        """Return the index of the word containing character ``offset``, or ``None`` (white space)."""
        i = bisect_right(self.starts, offset) - 1
        if i >= 0 and offset < self.ends[i]:
            return i
        return None

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


# --------------------------------------------------------------------------- word snapping without an index

#: Character classes of the word rule, read from the character sets of ``WORD_PATTERN``: white space
#: (in no word), punctuation/symbol (a word of its own), anything else (a word character).
_SPACE, _WORD_CHAR, _PUNCT = 1, 2, 3  # all true, for `known(ch) or _char_class(ch)`
_PUNCT_PATTERN = regex.compile(rf"[{_PUNCTUATION}]")
_SPACE_PATTERN = regex.compile(r"\s")
_char_classes: dict[str, int] = {}


def _char_class(ch: str) -> int:
    found = _char_classes.get(ch)
    if found is None:
        if _PUNCT_PATTERN.match(ch):
            found = _PUNCT
        elif _SPACE_PATTERN.match(ch):
            found = _SPACE
        else:
            found = _WORD_CHAR
        _char_classes[ch] = found
    return found


def snap_range(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``WordIndex.of(text).snap(start, end)`` (tested equal), reading only the characters around the range.

    For a few ranges per text (scoring's proclitic check of error records),
    where indexing every word of the text would cost more than the check.
    """
    n = len(text)
    first = start  # the start of the first word ending after ``start``
    if first >= n:
        return None
    known = _char_classes.get
    kind = known(text[first]) or _char_class(text[first])
    if kind == _WORD_CHAR:
        while first > 0 and (known(text[first - 1]) or _char_class(text[first - 1])) == _WORD_CHAR:
            first -= 1
    elif kind == _SPACE:
        first += 1
        while first < n and (known(text[first]) or _char_class(text[first])) == _SPACE:
            first += 1
    if first >= n or first >= end:
        return None
    last = min(end, n) - 1  # the last non-space character before ``end`` (at or after ``first``)
    while (known(text[last]) or _char_class(text[last])) == _SPACE:
        last -= 1
    stop = last + 1
    if (known(text[last]) or _char_class(text[last])) == _WORD_CHAR:
        while stop < n and (known(text[stop]) or _char_class(text[stop])) == _WORD_CHAR:
            stop += 1
    return first, stop


# --------------------------------------------------------------------------- proclitics

#: Conjunctions written on the next word: wa, fa.
CONJUNCTIONS: tuple[str, ...] = ("\u0648", "\u0641")
#: Prepositions written on the next word: bi, li, ka.
PREPOSITIONS: tuple[str, ...] = ("\u0628", "\u0644", "\u0643")
#: Every proclitic sequence (an optional conjunction, then an optional preposition), longest first.
PROCLITICS: tuple[str, ...] = tuple(c + p for c in CONJUNCTIONS for p in PREPOSITIONS) + CONJUNCTIONS + PREPOSITIONS
#: A regular expression (``re`` and ``regex`` syntax) matching one proclitic sequence of :data:`PROCLITICS`.
PROCLITIC_PATTERN = f"(?:[{''.join(CONJUNCTIONS)}][{''.join(PREPOSITIONS)}]?|[{''.join(PREPOSITIONS)}])"
#: The letters proclitics are made of.
PROCLITIC_LETTERS: frozenset[str] = frozenset(CONJUNCTIONS + PREPOSITIONS)
#: At most this many proclitic letters under the ``letters`` rule of :func:`is_proclitic_prefix`.
MAX_PROCLITIC_LETTERS = 3
_PROCLITIC_SET = frozenset(PROCLITICS)


def is_proclitic_prefix(prefix: str, *, rule: str = "sequence") -> bool:
    """Whether the characters ``prefix`` (a word's start before a mention) are proclitics only.

    Args:
        prefix: The raw characters between the word start and the mention start.
        rule: ``"sequence"`` (the guidelines' rule, for aligning a mention to
            a word: ignorable characters dropped, the rest must be one of
            :data:`PROCLITICS`) or ``"letters"`` (scoring's diagnosis of a
            boundary error: 1 to :data:`MAX_PROCLITIC_LETTERS` letters of
            :data:`PROCLITIC_LETTERS` in any order, combining marks and
            tatweel skipped, so ``للمدينة`` against ``المدينة``-style spellings,
            where the article's alef is elided after ``ل``, count as well).

    Returns:
        False for an empty prefix (or one of ignorable characters only).
    """
    if rule == "sequence":
        return "".join(ch for ch in prefix if not is_ignorable(ch)) in _PROCLITIC_SET
    if rule != "letters":
        raise ValueError(f"unknown proclitic rule {rule!r}: use 'sequence' or 'letters'")
    letters = 0
    for ch in prefix:
        if ch in PROCLITIC_LETTERS:
            letters += 1
            if letters > MAX_PROCLITIC_LETTERS:
                return False
        elif not is_ignorable(ch, zero_width=False):
            return False
    return letters > 0


# --------------------------------------------------------------------------- ignorable characters

#: Tatweel (kashida), the letter-stretching character.
TATWEEL = "\u0640"
#: Zero-width marks: ZWSP, ZWNJ, ZWJ, LRM, RLM, the Arabic letter mark, BOM.
ZERO_WIDTH: frozenset[str] = frozenset("\u200b\u200c\u200d\u200e\u200f\u061c\ufeff")


def is_ignorable(ch: str, *, zero_width: bool = True) -> bool:
    """Whether ``ch`` is dropped when words are compared: a combining mark (``Mn``), tatweel, a zero-width mark.

    Args:
        ch: One character.
        zero_width: Count the :data:`ZERO_WIDTH` marks as ignorable. The rule
            baseline and scoring's proclitic diagnosis pass ``False``: they have
            always compared words with zero-width marks kept, and their
            published numbers were measured so.
    """
    return ch == TATWEEL or (zero_width and ch in ZERO_WIDTH) or unicodedata.category(ch) == "Mn"


# --------------------------------------------------------------------------- normalization

#: Hamza forms of alef (and alef wasla) that compare equal to bare alef.
ALEF_FORMS: Mapping[str, str] = MappingProxyType(
    {"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627"}
)
#: Persian letters that compare equal to their Arabic forms (yeh, keheh).
PERSIAN_LETTERS: Mapping[str, str] = MappingProxyType({"\u06cc": "\u064a", "\u06a9": "\u0643"})


def normalize_with_map(
    text: str, *, zero_width: bool = True, persian: bool = True, spaces: bool = True
) -> tuple[str, list[int]]:
    """Normalize ``text`` for comparison and map every kept character to its raw offset.

    Drops :func:`is_ignorable` characters, unifies :data:`ALEF_FORMS` to bare
    alef and (with ``persian``) :data:`PERSIAN_LETTERS`, and (with ``spaces``)
    turns each run of white space into one space. Characters are only
    removed or replaced one for one (no Unicode normalization), so offsets map
    back exactly.

    Args:
        text: The raw text.
        zero_width: Drop the zero-width marks too (see :func:`is_ignorable`).
        persian: Unify Persian yeh and keheh (the LLM alignment does: models
            write them; the rule baseline compares Arabic word lists and does not).
        spaces: Collapse white space (the LLM alignment matches multi-word
            mentions; the rule baseline normalizes single words).

    Returns:
        ``(normalized, offsets)`` with ``len(offsets) == len(normalized)`` and
        ``normalized[i]`` coming from ``text[offsets[i]]``.
    """
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if is_ignorable(ch, zero_width=zero_width):
            continue
        if spaces and ch.isspace():
            if chars and chars[-1] == " ":
                continue
            ch = " "
        ch = ALEF_FORMS.get(ch, ch)
        if persian:
            ch = PERSIAN_LETTERS.get(ch, ch)
        chars.append(ch)
        offsets.append(i)
    return "".join(chars), offsets


#: At most this many characters in one :class:`NormalizationTable` (beyond, a character is mapped at each sight).
_TABLE_LIMIT = 1 << 16


class NormalizationTable(dict[int, str | None]):
    """A ``str.translate`` table doing :func:`normalize_with_map` (``spaces=False``), then ``then``, per character.

    Without ``spaces`` :func:`normalize_with_map` drops or replaces every character
    on its own, so translating through this table gives its string (without the
    map). Each character's value is computed by :func:`normalize_with_map` itself
    (the rule keeps one home), then by ``then`` (a ``str.maketrans`` table, such as
    a model's own folding of digits), on the first sight of the character, and
    kept (at most :data:`_TABLE_LIMIT` characters); ``None`` drops it.

    Args:
        zero_width: As in :func:`normalize_with_map`.
        persian: As in :func:`normalize_with_map`.
        then: A translation applied after the normalization.
    """

    __slots__ = ("options", "then")

    def __init__(
        self, *, zero_width: bool = True, persian: bool = True, then: Mapping[int, str | int | None] | None = None
    ) -> None:
        super().__init__()
        self.options = {"zero_width": zero_width, "persian": persian}
        self.then = dict(then or {})

    def __missing__(self, code: int) -> str | None:
        value = normalize_with_map(chr(code), spaces=False, **self.options)[0].translate(self.then) or None
        if len(self) < _TABLE_LIMIT:
            self[code] = value
        return value


_TABLES = {
    (zero_width, persian): NormalizationTable(zero_width=zero_width, persian=persian)
    for zero_width in (True, False)
    for persian in (True, False)
}


def normalize(text: str, *, zero_width: bool = True, persian: bool = True) -> str:
    """``normalize_with_map(text, zero_width=..., persian=..., spaces=False)[0]``: the string without the map.

    One ``str.translate`` through a :class:`NormalizationTable`, several times
    faster on a short word; for the words a model compares by the thousand. Use
    :func:`normalize_with_map` where offsets are needed or white space collapses.
    """
    return text.translate(_TABLES[zero_width, persian])
