r"""Perturbations of Arabic text as Arabic is really written, each with an exact offset map.

A *perturbation* rewrites some words of a text the way real Arabic text varies
(short vowels written or dropped, tatweel, hamza on alef dropped, ``ى``/``ي`` and
``ة``/``ه`` mixed, Eastern or Western digits, Arabic or Latin punctuation,
invisible characters pasted from the web, the conjunction ``و`` split off,
keyboard slips). Every change is an :class:`Edit` of **one** character of the
clean text into zero, one or more characters, so no edit ever straddles a span
boundary and the :class:`OffsetMap` of a text is exact both ways:

* :meth:`OffsetMap.span_to_new` moves a gold span to the perturbed text so that
  it covers the same characters (what an edit added inside a word belongs to that
  word): the gold moves with the text, and ``oracle`` scores 1.0;
* :meth:`OffsetMap.span_to_old` maps a span predicted on the perturbed text back
  to the clean text (what the robustness command compares, CheckList's
  invariance);
* :meth:`OffsetMap.restore` rebuilds the clean text from the perturbed one.

**Selection.** The words (:func:`arabench.annotations.tokenize.word_offsets`) of a
document in the perturbation's *scope* (``entities``: words overlapping a gold
span; ``context``: words overlapping none; ``everywhere``) to which the
perturbation *applies* (``alef_hamza`` applies only to a word holding ``أ إ آ``)
are each chosen with probability ``rate``. The random draws come from
:class:`random.Random` seeded with the seed, the perturbation kind and the
document's position, so the same seed gives the same corpus, and a document's
changes do not depend on the other documents.

**Word identity.** Every kind says whether it keeps a word's identity
(:attr:`Kind.keeps_identity`): a reader (and a robust model) reads the same word
after ``tashkeel_add`` or ``final_ta``; not after ``typo`` (another word) or
``conjunction_split`` (two words).

**CoNLL corpora.** A CoNLL document's text is its tokens joined by spaces and its
sentences by line breaks; no perturbation adds or removes a line break or a
sentence-ending word, so sentences (the scoring units) stay whole. The space
``conjunction_split`` inserts splits one token into two (``والكويت`` ->
``و`` ``الكويت``): a gold span over the token covers both, i.e. ``و`` joins the
entity (``B-`` on ``و``, ``I-`` on the rest, were the text written back as
CoNLL); a span that left the conjunction out still leaves it out.

All offsets are half-open character offsets.
"""

from __future__ import annotations

import random
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from difflib import get_close_matches
from types import MappingProxyType

from arabench.annotations.errors import AnnotationError
from arabench.annotations.spans import Document, Relation, Span
from arabench.annotations.tokenize import ZERO_WIDTH, word_offsets

__all__ = [
    "Edit",
    "OffsetMap",
    "Kind",
    "KINDS",
    "SCOPES",
    "Perturbation",
    "PerturbedDocument",
    "perturb_text",
    "perturb_document",
    "get_kind",
    "KEYBOARD_ROWS",
    "keyboard_neighbours",
]

# --------------------------------------------------------------------------- offset maps


@dataclass(frozen=True, slots=True)
class Edit:
    """The character ``text[start]`` of the clean text replaced by ``new`` (empty: deleted)."""

    start: int
    new: str

    @property
    def end(self) -> int:
        """One past the replaced character."""
        return self.start + 1


class OffsetMap:
    """The exact map between a clean text and its perturbed form, built from one-character edits.

    Args:
        old: The clean text.
        edits: Edits at distinct positions of ``old`` (any order).

    Raises:
        AnnotationError: If two edits replace the same character or an edit lies outside the text.
    """

    def __init__(self, old: str, edits: Sequence[Edit]) -> None:
        ordered = sorted(edits, key=lambda e: e.start)
        for k, edit in enumerate(ordered):
            if not 0 <= edit.start < len(old):
                raise AnnotationError(
                    "an edit lies outside the text", field="start", value=edit.start, fix="edit characters of the text"
                )
            if k and ordered[k - 1].start == edit.start:
                raise AnnotationError(
                    "two edits replace one character", field="start", value=edit.start, fix="merge the two edits"
                )
        self.old = old
        self.edits: tuple[Edit, ...] = tuple(ordered)
        parts: list[str] = []
        self._a: list[int] = []  # old start of each edit
        self._c: list[int] = []  # new start
        self._d: list[int] = []  # new end
        pos = 0
        new_len = 0
        for edit in ordered:
            parts.append(old[pos : edit.start])
            new_len += edit.start - pos
            self._a.append(edit.start)
            self._c.append(new_len)
            parts.append(edit.new)
            new_len += len(edit.new)
            self._d.append(new_len)
            pos = edit.start + 1
        parts.append(old[pos:])
        self.new = "".join(parts)

    def __len__(self) -> int:
        return len(self.edits)

    # old -> new ---------------------------------------------------------

    def start_to_new(self, p: int) -> int:
        """Where a range starting at old offset ``p`` starts in the new text."""
        k = bisect_right(self._a, p) - 1
        if k < 0:
            return p
        if p == self._a[k]:
            return self._c[k]
        return self._d[k] + (p - self._a[k] - 1)

    def end_to_new(self, p: int) -> int:
        """Where a range ending at old offset ``p`` ends in the new text (what an edit added stays inside)."""
        k = bisect_left(self._a, p) - 1  # the last edit starting before p
        if k < 0:
            return p
        return self._d[k] + (p - self._a[k] - 1)

    # new -> old ---------------------------------------------------------

    def start_to_old(self, q: int) -> int:
        """Where a range starting at new offset ``q`` starts in the old text (inside an edit: at its start)."""
        k = bisect_right(self._c, q) - 1
        if k < 0:
            return q
        if q < self._d[k]:
            return self._a[k]
        return self._a[k] + 1 + (q - self._d[k])

    def end_to_old(self, q: int) -> int:
        """Where a range ending at new offset ``q`` ends in the old text (inside an edit: at its end)."""
        k = bisect_right(self._c, q) - 1
        while k >= 0 and self._c[k] == q and self._d[k] > q:
            k -= 1  # an edit starting at q is after the range
        if k < 0:
            return q
        if q <= self._d[k]:
            return self._a[k] + 1
        return self._a[k] + 1 + (q - self._d[k])

    # spans --------------------------------------------------------------

    def span_to_new(self, span: Span) -> Span:
        """The gold span moved to the new text, covering the same characters."""
        return Span(self.start_to_new(span.start), self.end_to_new(span.end), span.label)

    def span_to_old(self, span: Span) -> Span | None:
        """A span of the new text mapped back to the old one (``None`` if it covered only added characters)."""
        start, end = self.start_to_old(span.start), self.end_to_old(span.end)
        return Span(start, end, span.label) if start < end else None

    def restore(self, new: str) -> str:
        """Rebuild the old text from ``new`` by undoing every edit.

        Raises:
            AnnotationError: If ``new`` is not the text these edits made.
        """
        parts: list[str] = []
        pos = 0
        for edit, c, d in zip(self.edits, self._c, self._d, strict=True):
            if new[c:d] != edit.new:
                raise AnnotationError(
                    "the text does not hold this edit", field="text", value=new[c:d], fix="restore the perturbed text"
                )
            parts.append(new[pos:c])
            parts.append(self.old[edit.start])
            pos = d
        parts.append(new[pos:])
        return "".join(parts)


# --------------------------------------------------------------------------- Arabic letters and the keyboard

_ARABIC_LETTER = frozenset(chr(c) for c in range(0x0621, 0x064B) if unicodedata.category(chr(c)) == "Lo")
#: The short vowels and sukun ``tashkeel_add`` writes: fatha, damma, kasra, sukun.
_HARAKAT = ("\u064e", "\u064f", "\u0650", "\u0652")
#: Letters that join the next letter (tatweel may follow them).
_JOINING = frozenset("بتثجحخسشصضطظعغفقكلمنهيئـ")
_HAMZA_ALEF = MappingProxyType({"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627"})
_FINAL_YA = MappingProxyType({"\u0649": "\u064a", "\u064a": "\u0649"})
_FINAL_TA = MappingProxyType({"\u0629": "\u0647", "\u0647": "\u0629"})
_WESTERN = "0123456789"
_EASTERN = "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
_DIGIT_SWAP = MappingProxyType(
    {**dict(zip(_WESTERN, _EASTERN, strict=True)), **dict(zip(_EASTERN, _WESTERN, strict=True))}
)
_PUNCT_SWAP = MappingProxyType(
    {"\u060c": ",", ",": "\u060c", "\u061f": "?", "?": "\u061f", "\u061b": ";", ";": "\u061b"}
)
#: The invisible characters ``invisible`` inserts: the zero-width and bidirectional marks of
#: :data:`arabench.annotations.tokenize.ZERO_WIDTH` (ZWSP, ZWNJ, ZWJ, LRM, RLM, ALM, BOM), sorted.
_INVISIBLE = tuple(sorted(ZERO_WIDTH))
#: The conjunction ``و`` before these starts of the next word is split off (a conjunction for sure:
#: the article, or a preposition with the article).
_CONJUNCTION_BEFORE = ("\u0627\u0644", "\u0628\u0627\u0644", "\u0643\u0627\u0644", "\u0641\u0627\u0644", "\u0644\u0644")

#: The Arabic (101) keyboard, letter keys by row (``None``: the ``لا`` key, two letters, never typed by a slip).
KEYBOARD_ROWS: tuple[tuple[str | None, ...], ...] = (
    tuple("ضصثقفغعهخحجد"),
    tuple("شسيبلاتنمكط"),
    ("ئ", "ء", "ؤ", "ر", None, "ى", "ة", "و", "ز", "ظ"),
)


def _neighbour_table() -> Mapping[str, tuple[str, ...]]:
    """Keys next to each key: left and right on its row, two above and two below (rows staggered right)."""
    table: dict[str, tuple[str, ...]] = {}
    for r, row in enumerate(KEYBOARD_ROWS):
        for c, key in enumerate(row):
            if key is None:
                continue
            places = [(r, c - 1), (r, c + 1), (r - 1, c), (r - 1, c + 1), (r + 1, c - 1), (r + 1, c)]
            found = []
            for rr, cc in places:
                if 0 <= rr < len(KEYBOARD_ROWS) and 0 <= cc < len(KEYBOARD_ROWS[rr]):
                    other = KEYBOARD_ROWS[rr][cc]
                    if other is not None:
                        found.append(other)
            table[key] = tuple(found)
    return MappingProxyType(table)


_NEIGHBOURS = _neighbour_table()


def keyboard_neighbours(letter: str) -> tuple[str, ...]:
    """The letters on the keys next to ``letter``'s key on the Arabic keyboard (empty for other characters)."""
    return _NEIGHBOURS.get(letter, ())


# --------------------------------------------------------------------------- the kinds

#: One word's edits: (text, word start, word end, random source, offsets not to delete) -> edits, or [] if none apply.
EditFunction = Callable[[str, int, int, random.Random, frozenset[int]], list[Edit]]


def _last_letter(text: str, start: int, end: int) -> int | None:
    """The offset of the word's last character that is not a combining mark."""
    for i in range(end - 1, start - 1, -1):
        if unicodedata.category(text[i]) != "Mn":
            return i
    return None


def _tashkeel_add(text: str, start: int, end: int, rng: random.Random, keep: frozenset[int]) -> list[Edit]:
    letters = [
        i
        for i in range(start, end)
        if text[i] in _ARABIC_LETTER
        and text[i] not in "\u0627\u0649"
        and not (i + 1 < len(text) and unicodedata.category(text[i + 1]) == "Mn")
    ]
    if not letters:
        return []
    chosen = [i for i in letters if rng.random() < 0.5] or [rng.choice(letters)]
    return [Edit(i, text[i] + rng.choice(_HARAKAT)) for i in chosen]


def _tashkeel_remove(text: str, start: int, end: int, rng: random.Random, keep: frozenset[int]) -> list[Edit]:
    # never the word's first character (a lone mark is a word: deleting it would delete a word)
    return [
        Edit(i, "")
        for i in range(start + 1, end)
        if ("\u064b" <= text[i] <= "\u0652" or text[i] == "\u0670") and i not in keep
    ]


def _tatweel(text: str, start: int, end: int, rng: random.Random, keep: frozenset[int]) -> list[Edit]:
    places = [i for i in range(start, end - 1) if text[i] in _JOINING and text[i + 1] in _ARABIC_LETTER]
    if not places:
        return []
    i = rng.choice(places)
    return [Edit(i, text[i] + "\u0640" * rng.randint(1, 3))]


def _replace_all(table: Mapping[str, str]) -> EditFunction:
    def edits(text: str, start: int, end: int, rng: random.Random, keep: frozenset[int]) -> list[Edit]:
        return [Edit(i, table[text[i]]) for i in range(start, end) if text[i] in table]

    return edits


def _replace_final(table: Mapping[str, str]) -> EditFunction:
    def edits(text: str, start: int, end: int, rng: random.Random, keep: frozenset[int]) -> list[Edit]:
        i = _last_letter(text, start, end)
        if i is None or i == start or text[i] not in table:
            return []  # a word of one letter (a lone «ه») is not a final form
        return [Edit(i, table[text[i]])]

    return edits


def _invisible(text: str, start: int, end: int, rng: random.Random, keep: frozenset[int]) -> list[Edit]:
    if _PUNCT_SWAP.get(text[start]) is not None or unicodedata.category(text[start])[0] in "PS":
        return []  # punctuation stays as it is (a mark after it would start a word of its own)
    i = rng.randrange(start, end)
    return [Edit(i, text[i] + rng.choice(_INVISIBLE))]


def _conjunction_split(text: str, start: int, end: int, rng: random.Random, keep: frozenset[int]) -> list[Edit]:
    if text[start] != "\u0648" or end - start < 5 or not text.startswith(_CONJUNCTION_BEFORE, start + 1):
        return []
    return [Edit(start, "\u0648 ")]


def _typo(text: str, start: int, end: int, rng: random.Random, keep: frozenset[int]) -> list[Edit]:
    places = [i for i in range(start, end) if keyboard_neighbours(text[i])]
    if end - start < 2 or not places:
        return []
    i = rng.choice(places)
    return [Edit(i, rng.choice(keyboard_neighbours(text[i])))]


@dataclass(frozen=True)
class Kind:
    """A family of perturbations: what it does to one word.

    Attributes:
        name: The name suites use.
        description: One line for the docs and ``--help``.
        keeps_identity: A reader reads the same word after the change.
        edits: The word's edits (empty when the kind does not apply to the word).
    """

    name: str
    description: str
    keeps_identity: bool
    edits: EditFunction


#: Every perturbation kind, by name, in the order of the docs and the default suite.
KINDS: Mapping[str, Kind] = MappingProxyType(
    {
        k.name: k
        for k in (
            Kind(
                "tashkeel_add", "short vowels (fatha, damma, kasra, sukun) written on some letters", True, _tashkeel_add
            ),
            Kind("tashkeel_remove", "the short vowels and tanwin written in the word dropped", True, _tashkeel_remove),
            Kind("tatweel", "one letter stretched with one to three tatweel (kashida)", True, _tatweel),
            Kind(
                "alef_hamza",
                "the hamza forms of alef (أ إ آ) written as bare alef (ا)",
                True,
                _replace_all(_HAMZA_ALEF),
            ),
            Kind("final_ya", "a final ى written ي, or a final ي written ى", True, _replace_final(_FINAL_YA)),
            Kind("final_ta", "a final ة written ه, or a final ه written ة", True, _replace_final(_FINAL_TA)),
            Kind(
                "digits",
                "Western digits written Eastern Arabic (٢٠٢٣), or Eastern ones Western",
                True,
                _replace_all(_DIGIT_SWAP),
            ),
            Kind(
                "punctuation",
                "the Arabic comma, question mark and semicolon (، ؟ ؛) written Latin, or Latin ones Arabic",
                True,
                _replace_all(_PUNCT_SWAP),
            ),
            Kind(
                "invisible",
                "a zero-width or bidirectional mark (ZWSP, ZWNJ, ZWJ, LRM, RLM, ALM, BOM) pasted inside the word",
                True,
                _invisible,
            ),
            Kind(
                "conjunction_split",
                "the conjunction و split off by a space before the article (والكويت -> و الكويت)",
                False,
                _conjunction_split,
            ),
            Kind("typo", "one letter typed with a key next to it on the Arabic keyboard", False, _typo),
        )
    }
)

#: Where a perturbation applies: words overlapping a gold span, words overlapping none, or every word.
SCOPES = ("everywhere", "entities", "context")


def get_kind(name: str, *, field: str = "kind") -> Kind:
    """The kind called ``name``.

    Raises:
        AnnotationError: For an unknown name, with "did you mean" and the list of kinds.
    """
    if name in KINDS:
        return KINDS[name]
    close = get_close_matches(str(name), list(KINDS), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise AnnotationError("unknown perturbation", field=field, value=name, fix=f"{hint}use one of {', '.join(KINDS)}")


@dataclass(frozen=True)
class Perturbation:
    """One perturbation: a kind applied at a rate, with a seed, in a scope.

    Raises:
        AnnotationError: For an unknown kind or scope, or a rate outside ``[0, 1]``.
    """

    kind: str
    rate: float = 0.2
    seed: int = 0
    scope: str = "everywhere"

    def __post_init__(self) -> None:
        get_kind(self.kind)
        if isinstance(self.rate, bool) or not isinstance(self.rate, (int, float)) or not 0.0 <= self.rate <= 1.0:
            raise AnnotationError(
                "the rate of a perturbation must be a number in [0, 1]",
                field="rate",
                value=self.rate,
                fix="give the share of the words in scope to change, e.g. 0.2",
            )
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise AnnotationError("the seed must be an integer", field="seed", value=self.seed, fix="e.g. seed: 13")
        if self.scope not in SCOPES:
            close = get_close_matches(str(self.scope), SCOPES, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise AnnotationError(
                "unknown perturbation scope",
                field="scope",
                value=self.scope,
                fix=f"{hint}use one of {', '.join(SCOPES)}",
            )


def _in_scope(words: Sequence[tuple[int, int]], spans: Sequence[Span], scope: str) -> list[tuple[int, int]]:
    if scope == "everywhere":
        return list(words)
    starts = sorted(s.start for s in spans)
    ranges = sorted((s.start, s.end) for s in spans)
    max_end: list[int] = []
    best = -1
    for _, e in ranges:
        best = max(best, e)
        max_end.append(best)
    out = []
    for ws, we in words:
        k = bisect_left(starts, we) - 1  # spans starting before the word's end
        overlaps = k >= 0 and max_end[k] > ws
        if overlaps == (scope == "entities"):
            out.append((ws, we))
    return out


def perturb_text(text: str, perturbation: Perturbation, *, spans: Sequence[Span] = (), key: object = 0) -> OffsetMap:
    """Perturb one text: the :class:`OffsetMap` to its new form (``.new``).

    Args:
        text: The clean text.
        perturbation: What to do.
        spans: The gold spans (they decide the ``entities``/``context`` scopes; their first
            characters are never deleted, so no span becomes empty).
        key: Names the text among others (its position in a corpus) in the random seed.
    """
    kind = KINDS[perturbation.kind]
    rng = random.Random(f"{perturbation.seed}\0{kind.name}\0{key}")
    keep = frozenset(s.start for s in spans)
    edits: list[Edit] = []
    if perturbation.rate > 0:
        for start, end in _in_scope(word_offsets(text), spans, perturbation.scope):
            if rng.random() >= perturbation.rate:
                continue
            edits += kind.edits(text, start, end, rng, keep)
    return OffsetMap(text, edits)


@dataclass(frozen=True)
class PerturbedDocument:
    """A perturbed document and the offset map from the clean one."""

    document: Document
    offsets: OffsetMap


def perturb_document(document: Document, perturbation: Perturbation, *, key: object = 0) -> PerturbedDocument:
    """Perturb a document's text and move its entities and relations with it (clusters keep their ids)."""
    offsets = perturb_text(document.text, perturbation, spans=list(document.entities.values()), key=key)
    moved = {span: offsets.span_to_new(span) for span in document.entities.values()}
    entities = {ident: moved[span] for ident, span in document.entities.items()}
    relations = {
        ident: Relation(
            r.label, moved.get(r.arg1) or offsets.span_to_new(r.arg1), moved.get(r.arg2) or offsets.span_to_new(r.arg2)
        )
        for ident, r in document.relations.items()
    }
    metadata = {**document.metadata, "perturbation": {"kind": perturbation.kind, "edits": len(offsets)}}
    return PerturbedDocument(
        replace(document, text=offsets.new, entities=entities, relations=relations, metadata=metadata), offsets
    )
