"""Relation scoring: a predicted relation is correct when its type and its arguments match a gold relation.

Levels (:data:`RELATION_LEVELS`):

* ``mention``: the arguments are mentions; a predicted relation is right when
  its two argument spans match the gold relation's two spans.
* ``entity`` (the headline, as in ACE's entity-level relations and DocRED):
  the arguments are *entities* (clusters of coreferent mentions, guidelines
  §14); a predicted relation is right when its type and the gold entities of
  its two arguments match a gold relation's, whichever mentions either side
  named. Gold relations are collapsed to one per (type, entity, entity).

  A predicted mention is mapped to a gold entity through the mention key of
  the mode (:func:`mention_key`: the same range, and under ``strict`` the same
  type; widened to whole words under ``boundary="word"``): it takes the entity
  of the gold mention with that key. A predicted mention that matches no gold
  mention (*unmatched*) stands for an entity that is not in the gold, so every
  relation naming it is a false positive; unmatched mentions are grouped into
  such spurious entities by the system's own clusters when it predicts some,
  and otherwise by their covered string (and type, under ``strict``), so that
  one wrong relation repeated between occurrences of the same two strings
  counts as one false positive, as it would for the same gold entity. Matched
  mentions always take their gold entity, even when the system's clusters
  group them differently: a system's coreference is scored by
  :mod:`arabench.eval.coref`, not twice. ``notes`` counts ``pred_unmatched_arguments``
  (relation arguments that matched no gold mention) and, at both levels,
  ``gold_duplicates``/``pred_duplicates`` (relations that collapsed into one
  already counted).

Modes:

* ``strict``: relation type, and both arguments' boundaries *and* entity types.
* ``boundaries``: relation type and both arguments' boundaries (argument
  entity types ignored).

Relation types listed in ``symmetric`` ignore argument order. With
``boundary="word"`` argument spans are widened to whole words first.

Relations are sets per document: a duplicate (same key under the mode and
level) is counted in :attr:`RelationScores.notes` and scored once. Matching
is on the key alone, so it is one-to-one by construction. Counts go to the
relation type (``tp``/``fn`` to the gold relation's type, ``fp`` to the
predicted one's); a relation belongs to the scoring unit containing its first
argument's start (at the entity level: the first argument of the first
relation, in the order given, that has its key), so bootstrap intervals
resample sentences also for entity-level relations.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from arabench.annotations.errors import ScoringError
from arabench.annotations.spans import Relation, Span
from arabench.annotations.tokenize import WordIndex, snap_span
from arabench.eval.counts import FN, FP, TP, CountTable
from arabench.eval.modes import RELATION_LEVELS, RELATION_MODES, check_boundary, check_documents
from arabench.eval.spans import words_index

__all__ = ["RELATION_MODES", "RELATION_LEVELS", "RelationScores", "score_relations", "mention_key"]


@dataclass(frozen=True, eq=False)
class RelationScores(CountTable):
    """The result of :func:`score_relations` (a :class:`arabench.eval.counts.CountTable`).

    Attributes:
        types: Every gold or predicted relation type, sorted (the type axis of
            :attr:`unit_counts`).
        unit_counts: ``(n_units, len(types), 3)`` array of tp, fp, fn.
        unit_docs: The document index of each unit row.
        mode: ``strict`` or ``boundaries``.
        boundary: ``char`` or ``word``.
        level: ``mention`` or ``entity``.
        notes: ``gold_duplicates``/``pred_duplicates`` and, at the entity
            level, ``pred_unmatched_arguments`` (non-zero only).
    """

    mode: str = "strict"
    boundary: str = "char"
    level: str = "mention"
    notes: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "notes", MappingProxyType(dict(self.notes)))


def mention_key(span: Span, index: WordIndex | None, typed: bool) -> tuple:
    """The key two mentions must share to match: ``(start, end[, label])``.

    Args:
        span: The mention.
        index: The text's word index to widen the span to whole words
            (``boundary="word"``), or ``None`` for character offsets.
        typed: Include the label (``strict``).
    """
    if index is not None:
        span = snap_span(span, index) or span
    return (span.start, span.end, span.label) if typed else (span.start, span.end)


def _entity_maps(
    clusters: Sequence[Sequence[Span]], index: WordIndex | None, typed: bool
) -> dict[tuple, tuple[str, int]]:
    found: dict[tuple, tuple[str, int]] = {}
    for n, entity in enumerate(clusters):
        for span in entity:
            found.setdefault(mention_key(span, index, typed), ("gold", n))
    return found


def score_relations(
    gold: Sequence[Sequence[Relation]],
    pred: Sequence[Sequence[Relation]],
    *,
    mode: str = "strict",
    symmetric: Collection[str] = (),
    boundary: str = "char",
    texts: Sequence[str] | None = None,
    units: Sequence[Sequence[tuple[int, int]]] | None = None,
    types: Collection[str] = (),
    level: str = "mention",
    gold_clusters: Sequence[Sequence[Sequence[Span]]] | None = None,
    pred_clusters: Sequence[Sequence[Sequence[Span]] | None] | None = None,
    words: Sequence[Sequence[tuple[int, int]] | None] | None = None,
) -> RelationScores:
    """Score predicted relations against gold relations, document by document.

    Args:
        gold: Gold relations of each document.
        pred: Predicted relations of each document.
        mode: ``strict`` (argument boundaries and types) or ``boundaries``
            (argument boundaries only); the relation type must always agree.
        symmetric: Relation types whose argument order is ignored.
        boundary: ``char`` or ``word`` (needs ``texts``).
        texts: The document texts (for ``word``).
        units: Per document, scoring-unit character ranges (default: one per document).
        types: Relation types to put on the type axis even if absent.
        level: ``mention`` (default) or ``entity`` (see the module docstring).
        gold_clusters: For ``entity``: per document, the gold entity layer as
            lists of spans, every gold mention in exactly one list
            (:meth:`arabench.annotations.spans.Document.span_clusters`).
        pred_clusters: For ``entity``: per document, the predicted entities
            (lists of spans), or ``None`` (for all documents or one) when
            the system predicts no clusters.
        words: Per document, its own tokens for ``word`` boundaries (a CoNLL corpus's), or ``None``
            (:func:`arabench.eval.spans.words_index`).

    Returns:
        The :class:`RelationScores`.

    Raises:
        ScoringError: On an unknown mode, level or boundary, mismatched
            lengths, ``word`` or ``entity`` without texts, ``entity`` without
            gold clusters or with a gold argument in none of them, or a
            relation outside every unit.
    """
    if mode not in RELATION_MODES:
        raise ScoringError(
            "unknown relation mode", field="mode", value=mode, fix=f"use one of {', '.join(RELATION_MODES)}"
        )
    if level not in RELATION_LEVELS:
        raise ScoringError(
            "unknown relation level", field="level", value=level, fix=f"use one of {', '.join(RELATION_LEVELS)}"
        )
    check_boundary(boundary)
    n_docs = check_documents(gold, pred, units=units, items="relations")
    if (boundary == "word" or level == "entity") and (texts is None or len(texts) != n_docs):
        raise ScoringError(
            f"{'word boundaries' if boundary == 'word' else 'entity-level relations'} need one text per document",
            field="texts",
            value=None if texts is None else len(texts),
            fix="pass texts=... (one per document)",
        )
    if level == "entity":
        if gold_clusters is None or len(gold_clusters) != n_docs:
            raise ScoringError(
                "entity-level relations need the gold entity layer of every document",
                field="gold_clusters",
                value=None if gold_clusters is None else len(gold_clusters),
                fix="pass gold_clusters=[doc.span_clusters() for doc in gold documents], or level='mention'",
            )
        if pred_clusters is not None and len(pred_clusters) != n_docs:
            raise ScoringError(
                "pred_clusters must have one entry per document",
                field="pred_clusters",
                value=len(pred_clusters),
                fix=f"pass {n_docs} entries (None for a document without predicted clusters)",
            )
    typed = mode == "strict"
    sym = frozenset(symmetric)
    notes: Counter = Counter()

    def keys(
        relations: Sequence[Relation], index: WordIndex | None, side: str, arg: Callable[[Span], tuple] | None = None
    ) -> dict[tuple, Relation]:
        found: dict[tuple, Relation] = {}
        for r in relations:
            if arg is None:
                a1, a2 = mention_key(r.arg1, index, typed), mention_key(r.arg2, index, typed)
            else:
                a1, a2 = arg(r.arg1), arg(r.arg2)
            if r.label in sym and a2 < a1:
                a1, a2 = a2, a1
            key = (r.label, a1, a2)
            if key in found:
                notes[f"{side}_duplicates"] += 1
            else:
                found[key] = r
        return found

    docs = []
    type_set: set[str] = set(types)
    for d in range(n_docs):
        index: WordIndex | None = None
        if boundary == "word":
            assert texts is not None  # checked above: word boundaries need texts
            index = words_index(texts[d], None if words is None else words[d], doc=d)
        if level == "mention":
            g, p = keys(gold[d], index, "gold"), keys(pred[d], index, "pred")
        else:
            assert texts is not None and gold_clusters is not None  # checked above for level="entity"
            g, p = _entity_keys(
                d,
                gold[d],
                pred[d],
                texts[d],
                index,
                typed,
                gold_clusters[d],
                pred_clusters,
                keys,
                notes,
            )
        docs.append((g, p))
        type_set.update(k[0] for k in g)
        type_set.update(k[0] for k in p)
    axis = tuple(sorted(type_set))
    ti = {t: i for i, t in enumerate(axis)}
    unit_docs: list[int] = []
    for d in range(n_docs):
        unit_docs.extend([d] * (1 if units is None else len(units[d])))
    array = np.zeros((len(unit_docs), len(axis), 3))
    base = 0
    for d, (g, p) in enumerate(docs):
        doc_units = None if units is None else list(units[d])
        starts = None if doc_units is None else [s for s, _ in doc_units]

        def row(r: Relation, base: int = base, starts=starts, doc_units=doc_units, d: int = d) -> int:
            if starts is None:
                return base
            k = bisect_right(starts, r.arg1.start) - 1
            if k < 0 or r.arg1.start >= doc_units[k][1]:
                raise ScoringError(
                    f"document {d}: relation's first argument starts outside every scoring unit",
                    field="units",
                    value=r,
                    fix="make the units cover every character where a span can start",
                )
            return base + k

        for key, r in g.items():
            array[row(r), ti[key[0]], TP if key in p else FN] += 1
        for key, r in p.items():
            if key not in g:
                array[row(r), ti[key[0]], FP] += 1
        base += 1 if starts is None else len(starts)
    return RelationScores(
        mode=mode,
        boundary=boundary,
        level=level,
        types=axis,
        unit_counts=array,
        unit_docs=tuple(unit_docs),
        notes={k: v for k, v in sorted(notes.items()) if v},
    )


def _entity_keys(
    d: int,
    gold: Sequence[Relation],
    pred: Sequence[Relation],
    text: str,
    index: WordIndex | None,
    typed: bool,
    gold_clusters: Sequence[Sequence[Span]],
    pred_clusters: Sequence[Sequence[Sequence[Span]] | None] | None,
    keys: Callable[..., dict[tuple, Relation]],
    notes: Counter,
) -> tuple[dict[tuple, Relation], dict[tuple, Relation]]:
    """Gold and predicted relations of one document keyed by (type, entity, entity)."""
    entity_of = _entity_maps(gold_clusters, index, typed)
    own = None if pred_clusters is None else pred_clusters[d]
    pred_entity = {} if own is None else {mention_key(s, index, typed): n for n, e in enumerate(own) for s in e}

    def gold_arg(span: Span) -> tuple:
        key = mention_key(span, index, typed)
        if key not in entity_of:
            raise ScoringError(
                f"document {d}: a gold relation argument is in none of the gold clusters",
                field="gold_clusters",
                value=span,
                fix="pass every gold mention in exactly one cluster (Document.span_clusters())",
            )
        return entity_of[key]

    def pred_arg(span: Span) -> tuple:
        key = mention_key(span, index, typed)
        if key in entity_of:
            return entity_of[key]
        notes["pred_unmatched_arguments"] += 1
        if key in pred_entity:
            return ("pred", pred_entity[key])
        snapped = key[:2]
        return ("string", text[snapped[0] : snapped[1]], *key[2:])

    return keys(gold, index, "gold", gold_arg), keys(pred, index, "pred", pred_arg)
