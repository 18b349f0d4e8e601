"""Relation scoring: a predicted relation is correct when its type and its arguments match a gold relation.

Modes:

* ``strict``: relation type, and both arguments' boundaries *and* entity types.
* ``boundaries``: relation type and both arguments' boundaries (argument
  entity types ignored).

Relation types listed in ``symmetric`` ignore argument order. With
``boundary="word"`` argument spans are widened to whole words first.

Relations are sets per document: a duplicate (same key under the mode) is
counted in :attr:`RelationScores.notes` and scored once. Matching is on the
key alone, so it is one-to-one by construction. Counts go to the relation
type (``tp``/``fn`` to the gold relation's type, ``fp`` to the predicted one's);
a relation belongs to the scoring unit containing its first argument's start.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from annotations.errors import ScoringError
from annotations.spans import Relation, Span
from annotations.tokenize import WordIndex, snap_span
from eval.counts import FN, FP, TP, CountTable
from eval.modes import RELATION_MODES, check_boundary, check_documents

__all__ = ["RELATION_MODES", "RelationScores", "score_relations"]


@dataclass(frozen=True, eq=False)
class RelationScores(CountTable):
    """The result of :func:`score_relations` (a :class:`eval.counts.CountTable`).

    Attributes:
        types: Every gold or predicted relation type, sorted (the type axis of
            :attr:`unit_counts`).
        unit_counts: ``(n_units, len(types), 3)`` array of tp, fp, fn.
        unit_docs: The document index of each unit row.
        mode: ``strict`` or ``boundaries``.
        boundary: ``char`` or ``word``.
        notes: ``gold_duplicates``/``pred_duplicates`` (non-zero only).
    """

    mode: str = "strict"
    boundary: str = "char"
    notes: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "notes", MappingProxyType(dict(self.notes)))


def _arg(span: Span, index: WordIndex | None, typed: bool) -> tuple:
    if index is not None:
        span = snap_span(span, index) or span
    return (span.start, span.end, span.label) if typed else (span.start, span.end)


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

    Returns:
        The :class:`RelationScores`.

    Raises:
        ScoringError: On an unknown mode or boundary, mismatched lengths,
            ``word`` without texts, or a relation outside every unit.
    """
    if mode not in RELATION_MODES:
        raise ScoringError(
            "unknown relation mode", field="mode", value=mode, fix=f"use one of {', '.join(RELATION_MODES)}"
        )
    check_boundary(boundary)
    n_docs = check_documents(gold, pred, units=units, items="relations")
    if boundary == "word" and (texts is None or len(texts) != n_docs):
        raise ScoringError(
            "word boundaries need one text per document",
            field="texts",
            value=None if texts is None else len(texts),
            fix="pass texts=... or use boundary='char'",
        )
    typed = mode == "strict"
    sym = frozenset(symmetric)
    notes: Counter = Counter()

    def keys(relations: Sequence[Relation], index: WordIndex | None, side: str) -> dict[tuple, Relation]:
        found: dict[tuple, Relation] = {}
        for r in relations:
            a1, a2 = _arg(r.arg1, index, typed), _arg(r.arg2, index, typed)
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
        index = WordIndex.of(texts[d]) if boundary == "word" else None  # type: ignore[index]
        g, p = keys(gold[d], index, "gold"), keys(pred[d], index, "pred")
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
        types=axis,
        unit_counts=array,
        unit_docs=tuple(unit_docs),
        notes={k: v for k, v in sorted(notes.items()) if v},
    )
