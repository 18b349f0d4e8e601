"""Alignment: answer strings back to raw character spans; relations between them.

**Alignment** (:func:`align_entities`), per window, of each entity string:

1. Quote marks and brackets around the string are removed. A string that starts
   with proclitics followed by the article (``وبالقاهرة``, ``للجامعة``) loses the
   proclitics (``القاهرة``, ``لجامعة``), as the guidelines say; so does a string
   whose rest stands alone elsewhere in the text (``ومصر`` when ``مصر`` occurs as
   a word: a letter that may belong to the name, as in ``واشنطن``, is otherwise
   kept). Counted ``stripped_proclitics``; the unstripped string is tried when
   the stripped one is not found.
2. Exact substring search in the raw window. An occurrence counts only if it
   starts at a word start or right after the word's proclitics (``و ف ب ل ك`` and
   their combinations ``وب فل ...``), and ends at a word end (trailing
   diacritics or tatweel of that word are absorbed). So ``مصر`` never labels the
   inside of ``المصرية``, and ``القاهرة`` labels the ``القاهرة`` of ``بالقاهرة``
   (the span starts after ``ب``, as the guidelines want).
3. For a string starting with ``ال`` that has no such occurrence, the ``لل``
   spelling is tried: ``لجامعة العربية`` right after a preposition ``ل``.
4. If there is still none, the same search runs on a normalized copy of the
   window (tatweel, diacritics and zero-width marks removed, ``أ إ آ ٱ`` → ``ا``,
   Persian ``ی ک`` → ``ي ك``, white-space runs → one space) and each match is
   mapped back to raw offsets through the offset map (``normalized_matches``).
5. If the entity has an ``occurrence`` (1-based, counted among the occurrences
   of steps 2-4, in text order: :func:`find_mentions`) within range, only that
   occurrence is labelled; otherwise **every** occurrence is (an LLM lists a
   repeated name once; each mention in the gold is separate). An occurrence
   index out of range labels every occurrence and is counted
   (``occurrence_out_of_range``).
6. Without an ``occurrence``, an occurrence lying strictly inside an occurrence
   of another answer entity of the *same* type is that entity's part, not a
   mention (the surname ``الخطيب`` inside ``سامي الخطيب``), and is skipped
   (``skipped_inner_occurrences``), unless no other occurrence is left. Nested
   mentions of another type (the ORG inside an OCC) are kept.
7. A string with no occurrence is counted ``unalignable`` and listed in
   :attr:`~models.llm.adapters.LLMExtractor.samples`; it is never dropped silently.

``tests/benchmarks/bench_llm_alignment.py`` measures what this rule costs a perfect LLM
on the gold (F1 of the gold mentions sent back as strings).

**Relations** are entity pairs: each argument refers to an answer entity (by id
or, tolerated, by text), and a relation holds between the *entities* those
strings name, not between particular occurrences. Relations are scored at the
entity level (:func:`arabench.eval.relations.score_relations`, ``level="entity"``): a
predicted mention takes the gold entity of the gold mention it matches, so any
occurrence of the string stands for the entity equally well, and which one is
linked does not change the score. The relation is emitted once, between a
*representative* mention of each argument: its first aligned span in text
order (deterministic, and independent of where the other argument is; when both
arguments' first spans are one span, the first pair of distinct spans in text
order). There is no occurrence guessing and no distance limit: a relation whose
two arguments aligned is never dropped, however far apart they are. (At the
mention level the representative is a convention, not a claim about which
occurrence the text relates.)

A relation whose argument did not resolve or align is counted
``unalignable_relations``; one whose two arguments aligned only to the same
single span ``self_relations``; an unknown relation type
``unknown_relation_type`` (not emitted); argument types the schema does not
allow for the relation type are kept (the scorer judges them) and counted
``relation_arg_mismatch``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from arabench.annotations.schema import Schema, default_schema
from arabench.annotations.spans import Relation, Span
from arabench.annotations.tokenize import (
    CONJUNCTIONS,
    PROCLITIC_PATTERN,
    WordIndex,
    is_ignorable,
    is_proclitic_prefix,
    normalize_with_map,
)
from arabench.models.llm.parsing import AnswerEntity, AnswerRelation

__all__ = ["Alignment", "align_entities", "align_relations", "find_mentions"]

_QUOTES = "«»\"'“”‘’„()[]{}<>‹›"
#: Proclitics before the article (``وبالقاهرة``), or before the لل spelling of ``ل`` + article (``للجامعة``).
_BEFORE_ARTICLE = re.compile(rf"^(?:({PROCLITIC_PATTERN})(?=ال.)|([{''.join(CONJUNCTIONS)}]?ل)(?=ل[^ا]))")
#: A leading proclitic followed by at least two word characters (``ومصر``).
_LEADING_PROCLITIC = re.compile(rf"^({PROCLITIC_PATTERN})(?=\w{{2}})")


def _normalize(text: str) -> str:
    return normalize_with_map(unicodedata.normalize("NFC", text))[0].strip()


@dataclass
class _Words:
    """Word boundaries of a window, for the occurrence rule."""

    text: str
    index: WordIndex

    def word_at(self, offset: int) -> int | None:
        from bisect import bisect_right

        i = bisect_right(self.index.starts, offset) - 1
        if i >= 0 and offset < self.index.ends[i]:
            return i
        return None

    def accept(self, start: int, end: int) -> tuple[int, int] | None:
        """Whether ``[start, end)`` starts at a word start (or after its proclitics) and ends at a word end."""
        if start >= end:
            return None
        first = self.word_at(start)
        last = self.word_at(end - 1)
        if first is None or last is None:
            return None
        prefix = self.text[self.index.starts[first] : start]
        if any(not is_ignorable(c) for c in prefix) and not is_proclitic_prefix(prefix):
            return None
        word_end = self.index.ends[last]
        if any(not is_ignorable(c) for c in self.text[end:word_end]):
            return None
        return start, word_end


def _strip_mention(text: str) -> tuple[str, str | None]:
    """Remove quote marks around a mention, and proclitics before the article (guidelines §2).

    Returns:
        ``(mention, without_proclitics)``; the second is ``None`` when there was
        no proclitic to strip (``وبالقاهرة`` -> ``القاهرة``, ``للجامعة`` -> ``لجامعة``).
    """
    text = unicodedata.normalize("NFC", text).strip().strip(_QUOTES + " \t\n.,،؛:").strip()
    m = _BEFORE_ARTICLE.match(text)
    if m:
        return text, text[m.end() :]
    return text, None


def _occurrences(window: _Words, needle: str) -> tuple[list[tuple[int, int]], bool]:
    """Accepted occurrences of ``needle`` in the window: exact, then the لل spelling, then normalized."""
    text = window.text
    found: list[tuple[int, int]] = []
    start = text.find(needle)
    while start != -1:
        got = window.accept(start, start + len(needle))
        if got is not None:
            found.append(got)
        start = text.find(needle, start + 1)
    if not found and needle.startswith("ال") and len(needle) > 2:
        short = needle[1:]  # ل + word: the article's alif dropped after the preposition ل
        start = text.find(short)
        while start != -1:
            if start > 0 and text[start - 1] == "ل":
                got = window.accept(start, start + len(short))
                if got is not None:
                    found.append(got)
            start = text.find(short, start + 1)
    if found:
        return sorted(set(found)), False
    norm_needle = _normalize(needle)
    if not norm_needle:
        return [], False
    norm, offsets = _normalized_window(text)
    start = norm.find(norm_needle)
    while start != -1:
        raw_start = offsets[start]
        raw_end = offsets[start + len(norm_needle) - 1] + 1
        got = window.accept(raw_start, raw_end)
        if got is not None:
            found.append(got)
        start = norm.find(norm_needle, start + 1)
    return sorted(set(found)), bool(found)


def find_mentions(text: str, mention: str, *, window: tuple[int, int] | None = None) -> list[tuple[int, int]]:
    """Where a mention string occurs in ``text[window]`` under the alignment rule, in raw offsets of ``text``.

    These are the occurrences an answer's ``occurrence`` index counts (1-based,
    in this order): whole words, or words behind proclitics; exact first, then
    the ``لل`` spelling, then normalized.
    """
    start, end = window if window is not None else (0, len(text))
    words = _Words(text[start:end], WordIndex.of(text[start:end]))
    mention, stripped = _strip_mention(mention)
    found = _occurrences(words, stripped)[0] if stripped else []
    if not found and mention:
        found = _occurrences(words, mention)[0]
    return [(start + s, start + e) for s, e in found]


@lru_cache(maxsize=64)
def _normalized_window(text: str) -> tuple[str, list[int]]:
    return normalize_with_map(text)


@dataclass
class Alignment:
    """The aligned spans of one window's answer.

    Attributes:
        spans: Every emitted span (raw offsets of the whole text).
        by_entity: For each answer entity (by position), its spans (empty when
            not aligned or not emitted).
        counts: Diagnostics counters.
        unaligned: The strings that were not found (for samples).
    """

    spans: list[Span] = field(default_factory=list)
    by_entity: list[list[Span]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    unaligned: list[str] = field(default_factory=list)


def align_entities(
    text: str,
    entities: Sequence[AnswerEntity],
    *,
    window: tuple[int, int] | None = None,
    labels: Iterable[str] | None = None,
    label_map: Mapping[str, str | None] | None = None,
    schema: Schema | None = None,
) -> Alignment:
    """Locate answer entities in ``text[window]`` and return spans in raw offsets of ``text``.

    Args:
        text: The whole raw text.
        entities: The answer's entities.
        window: The ``(start, end)`` of the window the answer is about (default: all of ``text``).
        labels: The types to emit (default: every schema type); other schema
            types are counted ``dropped_label:<T>``.
        label_map: Raw answer type -> schema type (or ``None`` to drop, counted),
            applied before the schema check; exact keys, then upper-cased keys.
        schema: The schema (default: the packaged one).

    Returns:
        The :class:`Alignment` (see the module docstring for the rule).
    """
    schema = schema or default_schema()
    start, end = window if window is not None else (0, len(text))
    words = _Words(text[start:end], WordIndex.of(text[start:end]))
    whole: list[_Words] = []  # the whole text's words, built when a proclitic needs attesting
    allowed = set(schema.entity_types) if labels is None else set(labels)
    upper_map = {k.upper(): v for k, v in (label_map or {}).items()}
    result = Alignment()
    # First pass: each entity's type and accepted occurrences (window offsets).
    located: list[tuple[str, list[tuple[int, int]]] | None] = []
    for entity in entities:
        kind = entity.type
        if label_map is not None and (kind in label_map or kind.upper() in upper_map):
            mapped = label_map[kind] if kind in label_map else upper_map[kind.upper()]
            if mapped is None:
                result.counts[f"dropped_label:{entity.type}"] += 1
                located.append(None)
                continue
            kind = mapped
        if kind not in schema.entity_types and kind.upper() in schema.entity_types:
            kind = kind.upper()
        if kind not in schema.entity_types:
            result.counts[f"unknown_type:{entity.type}"] += 1
            located.append(None)
            continue
        if kind not in allowed:
            result.counts[f"dropped_label:{kind}"] += 1
            located.append(None)
            continue
        mention, stripped = _strip_mention(entity.text)
        if not mention:
            result.counts["malformed_entities"] += 1
            located.append(None)
            continue
        if stripped is None:
            stripped = _attested_remainder(mention, text, whole)
        found, normalized = _occurrences(words, stripped) if stripped else ([], False)
        if found:
            result.counts["stripped_proclitics"] += 1
        else:
            found, normalized = _occurrences(words, mention)
        if not found:
            result.counts["unalignable"] += 1
            result.unaligned.append(entity.text)
            located.append(None)
            continue
        if normalized:
            result.counts["normalized_matches"] += 1
        if entity.occurrence is not None:
            if 1 <= entity.occurrence <= len(found):
                found = [found[entity.occurrence - 1]]
            else:
                result.counts["occurrence_out_of_range"] += 1
        located.append((kind, found))
    # Second pass: an occurrence strictly inside another entity's occurrence of the same type is
    # that entity's part (a surname inside the full name), not a mention; unless it is the only one.
    by_type: dict[str, list[tuple[int, int, int]]] = {}
    for i, item in enumerate(located):
        if item is not None:
            by_type.setdefault(item[0], []).extend((i, s, e) for s, e in item[1])
    seen: set[Span] = set()
    for i, (entity, item) in enumerate(zip(entities, located, strict=True)):
        spans: list[Span] = []
        result.by_entity.append(spans)
        if item is None:
            continue
        kind, found = item
        if entity.occurrence is None and len(found) > 1:
            outer = [
                (s, e)
                for s, e in found
                if not any(j != i and os_ <= s and e <= oe and (os_, oe) != (s, e) for j, os_, oe in by_type[kind])
            ]
            if outer and len(outer) < len(found):
                result.counts["skipped_inner_occurrences"] += len(found) - len(outer)
                found = outer
        for s, e in found:
            span = Span(start + s, start + e, kind)
            spans.append(span)
            if span in seen:
                result.counts["duplicate_spans"] += 1
                continue
            seen.add(span)
            result.spans.append(span)
    return result


def answer_clusters(alignment: Alignment, taken: set[Span] | None = None) -> list[tuple[Span, ...]]:
    """The clusters an answer implies: the mentions aligned for one answer entity denote one entity.

    Each answer entity found at two or more places gives one cluster of those spans; a span already in an
    earlier cluster (of this answer, or in ``taken``, which is updated) stays there, so every mention is in
    at most one cluster.
    """
    taken = set() if taken is None else taken
    clusters = []
    for spans in alignment.by_entity:
        members = tuple(dict.fromkeys(s for s in spans if s not in taken))
        if len(members) > 1:
            clusters.append(members)
            taken.update(members)
    return clusters


def _attested_remainder(mention: str, text: str, cache: list[_Words]) -> str | None:
    """The mention without a leading proclitic, if that remainder is a whole word sequence elsewhere in the text.

    ``ومصر`` -> ``مصر`` when ``مصر`` also stands alone in the text; ``واشنطن`` is
    kept (``اشنطن`` never stands alone). Proclitics before the article are
    handled by :func:`_strip_mention`.
    """
    m = _LEADING_PROCLITIC.match(mention)
    if not m:
        return None
    remainder = mention[m.end() :]
    if not cache:
        cache.append(_Words(text, WordIndex.of(text)))
    words = cache[0]
    position = text.find(remainder)
    while position != -1:
        first = words.word_at(position)
        standalone = first is not None and words.index.starts[first] == position
        if standalone and words.accept(position, position + len(remainder)) is not None:
            return remainder
        position = text.find(remainder, position + 1)
    return None


def _representatives(first: Sequence[Span], second: Sequence[Span]) -> tuple[Span, Span] | None:
    """The representative mentions of a relation's two arguments (see the module docstring).

    Each argument's first span in text order; when those are one span, the
    first pair of distinct spans in text order. ``None`` if there is no such pair.
    """
    for a in sorted(first):
        for b in sorted(second):
            if a != b:
                return a, b
    return None


def align_relations(
    relations: Sequence[AnswerRelation],
    entities: Sequence[AnswerEntity],
    aligned: Alignment,
    *,
    schema: Schema | None = None,
) -> tuple[list[Relation], Counter[str]]:
    """Turn answer relations into relations between aligned spans (see the module docstring).

    Returns:
        The relations and the diagnostics counters.
    """
    schema = schema or default_schema()
    counts: Counter[str] = Counter()
    by_id: dict[str, int] = {}
    by_text: dict[str, int] = {}
    id_count: Counter[str] = Counter()
    text_count: Counter[str] = Counter()
    for i, entity in enumerate(entities):
        if entity.id is not None:
            by_id.setdefault(entity.id, i)
            id_count[entity.id] += 1
        by_text.setdefault(entity.text.strip(), i)
        by_text.setdefault(_normalize(entity.text), i)
        text_count[entity.text.strip()] += 1
    out: list[Relation] = []
    seen: set[Relation] = set()
    for rel in relations:
        kind = rel.type if rel.type in schema.relation_types else rel.type.upper()
        if kind not in schema.relation_types:
            counts["unknown_relation_type"] += 1
            continue
        refs = []
        for ref in (rel.arg1, rel.arg2):
            index = by_id.get(ref)
            ambiguous = id_count[ref] > 1
            if index is None:
                index = by_text.get(ref)
                ambiguous = text_count[ref] > 1
            if index is None:
                index = by_text.get(_normalize(ref))
            if ambiguous:  # two answer entities share this id (or text): the first one is taken
                counts["ambiguous_relation_args"] += 1
            refs.append(index)
        if refs[0] is None or refs[1] is None:
            counts["unalignable_relations"] += 1
            continue
        pair = _representatives(aligned.by_entity[refs[0]], aligned.by_entity[refs[1]])
        if pair is None:
            if aligned.by_entity[refs[0]] and aligned.by_entity[refs[0]] == aligned.by_entity[refs[1]]:
                counts["self_relations"] += 1
            else:
                counts["unalignable_relations"] += 1
            continue
        relation = Relation(kind, pair[0], pair[1])
        if relation in seen:
            counts["duplicate_relations"] += 1
            continue
        seen.add(relation)
        if not schema.relation_types[kind].allows(pair[0].label, pair[1].label):
            counts["relation_arg_mismatch"] += 1
        out.append(relation)
    return out, counts
