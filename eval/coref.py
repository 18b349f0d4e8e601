"""Coreference metrics: MUC, B³, CEAF-e and their average, as the CoNLL-2012 reference scorer defines them.

Each metric compares a *key* partition (gold entities, each a collection of
mentions) with a *response* partition (predicted entities). Mentions are any
hashable values; :func:`score_entity_layers` builds them from spans with the
relation scorer's mention key (range, plus type under ``strict``; widened to
whole words under ``word``), so a response mention is a key mention exactly
when that key is equal. Mentions on one side only ("twinless") are handled as
in the reference scorer v8 (Pradhan et al., 2014, "Scoring coreference
partitions of predicted mentions"):

* **MUC** (Vilain et al., 1995): recall = Σ_K (|K| − |p(K)|) / Σ_K (|K| − 1),
  where p(K) is the partition of K by the response entities, a key mention the
  response does not have being a part of its own; precision swaps key and
  response. Singleton entities add nothing to either side (they have no link).
* **B³** (Bagga and Baldwin, 1998): recall = Σ_K Σ_R |K∩R|² / |K| divided by
  the number of key mentions; precision = Σ_R Σ_K |K∩R|² / |R| divided by the
  number of response mentions. A twinless mention contributes 0 to its
  side's numerator and 1 to its denominator.
* **CEAF-e** (Luo, 2005): φ4(K, R) = 2|K∩R| / (|K| + |R|); the one-to-one
  alignment of key and response entities that maximizes Σφ4 (Kuhn-Munkres,
  :func:`scipy.optimize.linear_sum_assignment`) gives recall = Σφ4 / #key
  entities and precision = Σφ4 / #response entities.
* **CoNLL** = the unweighted mean of the three F1s (the CoNLL-2011/2012 score).

Documents are aggregated as the reference scorer does: numerators and
denominators are summed over documents, then divided (never an average of
per-document scores).

**Singletons.** The arabench gold makes every mention an entity (a mention in
no cluster is a singleton, guidelines §14), so ``singletons=True`` (the
default) scores every entity, singletons included; then B³ and CEAF-e credit a
system for leaving a singleton alone, and MUC, which cannot see singletons,
does not. ``singletons=False`` removes the entities of one mention from the
key *and* the response before scoring, which is the CoNLL-2012 shared-task
setting (OntoNotes annotates no singletons) and what ports such as e2e-coref's
``metrics.py`` compute.

**Duplicates.** A mention given twice in the response (twice in one entity, or
in two entities) is kept once, in the first entity that has it, as the
reference scorer de-duplicates; how many were dropped is in ``notes``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from scipy.optimize import linear_sum_assignment

from arabench.annotations.errors import ScoringError
from arabench.annotations.spans import Span
from arabench.eval.counts import f1_of
from arabench.eval.modes import check_boundary, check_documents
from arabench.eval.relations import RELATION_MODES, mention_key
from arabench.eval.spans import words_index

__all__ = [
    "CorefMetric",
    "CorefScores",
    "COREF_METRICS",
    "muc",
    "b_cubed",
    "ceaf_e",
    "score_coref",
    "score_entity_layers",
]

#: The metrics :func:`score_coref` computes, in report order.
COREF_METRICS: tuple[str, ...] = ("muc", "b_cubed", "ceaf_e")

Partition = Sequence[Collection[Hashable]]


@dataclass(frozen=True, slots=True)
class CorefMetric:
    """The recall and precision fractions of one coreference metric (summable over documents).

    Args:
        recall_num: Recall numerator.
        recall_den: Recall denominator.
        precision_num: Precision numerator.
        precision_den: Precision denominator.
    """

    recall_num: float = 0.0
    recall_den: float = 0.0
    precision_num: float = 0.0
    precision_den: float = 0.0

    def __add__(self, other: CorefMetric) -> CorefMetric:
        if not isinstance(other, CorefMetric):
            return NotImplemented
        return CorefMetric(
            self.recall_num + other.recall_num,
            self.recall_den + other.recall_den,
            self.precision_num + other.precision_num,
            self.precision_den + other.precision_den,
        )

    @property
    def recall(self) -> float | None:
        """Recall, ``None`` when the key has nothing this metric can count."""
        return self.recall_num / self.recall_den if self.recall_den else None

    @property
    def precision(self) -> float | None:
        """Precision, ``None`` when the response has nothing this metric can count."""
        return self.precision_num / self.precision_den if self.precision_den else None

    @property
    def f1(self) -> float | None:
        """F1 with the zero-division convention of :func:`arabench.eval.counts.f1_of`."""
        return f1_of(self.precision, self.recall)

    def as_dict(self) -> dict[str, float | None]:
        """Recall, precision, F1 and the four fractions' parts."""
        return {
            "recall": self.recall,
            "precision": self.precision,
            "f1": self.f1,
            "recall_num": self.recall_num,
            "recall_den": self.recall_den,
            "precision_num": self.precision_num,
            "precision_den": self.precision_den,
        }


@dataclass(frozen=True)
class CorefScores:
    """MUC, B³ and CEAF-e over a corpus, and their CoNLL average.

    Attributes:
        muc: The MUC fractions.
        b_cubed: The B³ fractions.
        ceaf_e: The CEAF-e fractions.
        singletons: Whether singleton entities were scored.
        notes: Counts of what was adjusted: ``response_duplicate_mentions``,
            ``key_duplicate_mentions``, and the mention and entity counts
            ``key_mentions``, ``response_mentions``, ``common_mentions``,
            ``key_entities``, ``response_entities`` (after singleton removal).
    """

    muc: CorefMetric = CorefMetric()
    b_cubed: CorefMetric = CorefMetric()
    ceaf_e: CorefMetric = CorefMetric()
    singletons: bool = True
    notes: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "notes", MappingProxyType(dict(self.notes)))

    @property
    def conll_f1(self) -> float | None:
        """The CoNLL-2012 score: the mean of the MUC, B³ and CEAF-e F1s (``None`` if one is undefined)."""
        values = [self.muc.f1, self.b_cubed.f1, self.ceaf_e.f1]
        if any(v is None for v in values):
            return None
        return sum(values) / 3  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready tree: each metric's scores and fractions, the CoNLL F1, singletons, notes."""
        return {
            **{name: getattr(self, name).as_dict() for name in COREF_METRICS},
            "conll_f1": self.conll_f1,
            "singletons": self.singletons,
            "notes": dict(self.notes),
        }


def _clean(partition: Partition, notes: Counter, side: str) -> list[frozenset]:
    """Entities as sets, each mention kept in the first entity that has it; empty entities dropped."""
    seen: set = set()
    result = []
    for entity in partition:
        kept = []
        for mention in entity:
            if mention in seen:
                notes[f"{side}_duplicate_mentions"] += 1
                continue
            seen.add(mention)
            kept.append(mention)
        if kept:
            result.append(frozenset(kept))
    return result


def _muc_side(key: list[frozenset], response: list[frozenset]) -> tuple[float, float]:
    owner = {m: n for n, entity in enumerate(response) for m in entity}
    numerator = denominator = 0.0
    for entity in key:
        parts = {owner.get(m, ("alone", m)) for m in entity}
        numerator += len(entity) - len(parts)
        denominator += len(entity) - 1
    return numerator, denominator


def _both_ways(side, key: Partition, response: Partition) -> CorefMetric:
    """A metric whose precision is its recall with key and response swapped (MUC, B³)."""
    notes: Counter = Counter()
    k, r = _clean(key, notes, "key"), _clean(response, notes, "response")
    return CorefMetric(*side(k, r), *side(r, k))


def muc(key: Partition, response: Partition) -> CorefMetric:
    """MUC of one document (see the module docstring); mentions are de-duplicated first."""
    return _both_ways(_muc_side, key, response)


def _b_cubed_side(key: list[frozenset], response: list[frozenset]) -> tuple[float, float]:
    owner = {m: n for n, entity in enumerate(response) for m in entity}
    numerator = 0.0
    for entity in key:
        overlaps = Counter(owner[m] for m in entity if m in owner)
        numerator += sum(c * c for c in overlaps.values()) / len(entity)
    return numerator, float(sum(len(entity) for entity in key))


def b_cubed(key: Partition, response: Partition) -> CorefMetric:
    """B³ of one document (see the module docstring); mentions are de-duplicated first."""
    return _both_ways(_b_cubed_side, key, response)


def ceaf_e(key: Partition, response: Partition) -> CorefMetric:
    """CEAF-e (entity-based CEAF, φ4 similarity) of one document; mentions are de-duplicated first."""
    notes: Counter = Counter()
    k, r = _clean(key, notes, "key"), _clean(response, notes, "response")
    similarity = 0.0
    if k and r:
        phi = np.array([[2 * len(a & b) / (len(a) + len(b)) for b in r] for a in k])
        rows, cols = linear_sum_assignment(phi, maximize=True)
        similarity = float(phi[rows, cols].sum())
    return CorefMetric(similarity, float(len(k)), similarity, float(len(r)))


def score_coref(
    key: Sequence[Partition],
    response: Sequence[Partition],
    *,
    singletons: bool = True,
) -> CorefScores:
    """Score predicted entity partitions against gold ones, document by document, and sum.

    Args:
        key: Per document, the gold entities (each a collection of hashable mentions).
        response: Per document, the predicted entities.
        singletons: Score entities of one mention (default); ``False`` removes
            them from both sides first (the CoNLL-2012 setting).

    Returns:
        The :class:`CorefScores`.

    Raises:
        ScoringError: If the two sides do not have the same number of documents.
    """
    check_documents(key, response, units=None, items="entities")
    notes: Counter = Counter()
    totals = {name: CorefMetric() for name in COREF_METRICS}
    metrics = {"muc": muc, "b_cubed": b_cubed, "ceaf_e": ceaf_e}
    for key_doc, response_doc in zip(key, response, strict=True):
        k = _clean(key_doc, notes, "key")
        r = _clean(response_doc, notes, "response")
        if not singletons:
            k = [entity for entity in k if len(entity) > 1]
            r = [entity for entity in r if len(entity) > 1]
        key_mentions = set().union(*k) if k else set()
        response_mentions = set().union(*r) if r else set()
        notes["key_mentions"] += len(key_mentions)
        notes["response_mentions"] += len(response_mentions)
        notes["common_mentions"] += len(key_mentions & response_mentions)
        notes["key_entities"] += len(k)
        notes["response_entities"] += len(r)
        for name, metric in metrics.items():
            totals[name] = totals[name] + metric(k, r)
    return CorefScores(singletons=singletons, notes={k: v for k, v in sorted(notes.items()) if v}, **totals)


def score_entity_layers(
    gold: Sequence[Sequence[Sequence[Span]]],
    pred: Sequence[Sequence[Sequence[Span]]],
    *,
    mode: str = "strict",
    boundary: str = "char",
    texts: Sequence[str] | None = None,
    singletons: bool = True,
    words: Sequence[Sequence[tuple[int, int]] | None] | None = None,
) -> CorefScores:
    """Score predicted entity layers (clusters of spans) against gold ones.

    Mentions are identified by the relation scorer's key
    (:func:`arabench.eval.relations.mention_key`): the character range, plus the type
    under ``strict``; with ``boundary="word"`` both sides are widened to
    whole words first. Each side must list every one of its mentions in
    exactly one entity, singletons included
    (:meth:`arabench.annotations.spans.Document.span_clusters`).

    Args:
        gold: Per document, the gold entities as lists of spans.
        pred: Per document, the predicted entities.
        mode: ``strict`` (range and type) or ``boundaries`` (range only).
        boundary: ``char`` or ``word`` (needs ``texts``).
        texts: The document texts (for ``word``).
        singletons: See :func:`score_coref`.
        words: Per document, its own tokens for ``word`` boundaries (a CoNLL corpus's), or ``None``
            (:func:`arabench.eval.spans.words_index`).

    Raises:
        ScoringError: On an unknown mode or boundary, mismatched lengths, or
            ``word`` without texts.
    """
    if mode not in RELATION_MODES:
        raise ScoringError("unknown mode", field="mode", value=mode, fix=f"use one of {', '.join(RELATION_MODES)}")
    check_boundary(boundary)
    n_docs = check_documents(gold, pred, units=None, items="entities")
    if boundary == "word" and (texts is None or len(texts) != n_docs):
        raise ScoringError(
            "word boundaries need one text per document",
            field="texts",
            value=None if texts is None else len(texts),
            fix="pass texts=... or use boundary='char'",
        )
    typed = mode == "strict"
    key, response = [], []
    for d in range(n_docs):
        index = (
            words_index(texts[d], None if words is None else words[d], doc=d)  # type: ignore[index]
            if boundary == "word"
            else None
        )
        key.append([[mention_key(s, index, typed) for s in entity] for entity in gold[d]])
        response.append([[mention_key(s, index, typed) for s in entity] for entity in pred[d]])
    return score_coref(key, response, singletons=singletons)
