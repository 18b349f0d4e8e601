"""Counts of true positives, false positives and false negatives, and the scores derived from them.

Scores are never stored: a :class:`Counts` holds ``tp``, ``fp`` and ``fn`` and
derives precision, recall and F1 on demand, so merging two results is adding
their counts (never averaging their scores).

Counts are floats because the ``partial`` match mode gives half credit; every
count is an exact multiple of 0.5, which floats represent exactly.

Zero-division convention (the same for every mode, documented in the README):

* ``precision = tp / (tp + fp)``; ``None`` (undefined) when ``tp + fp == 0``
  (nothing was predicted).
* ``recall = tp / (tp + fn)``; ``None`` when ``tp + fn == 0`` (no gold mention).
* ``f1 = 2 * P * R / (P + R)`` when both are defined (``0.0`` when ``P + R == 0``);
  ``0.0`` when exactly one of them is defined (then ``tp == 0``: predictions
  without gold, or gold without predictions, is a failure, not "no score");
  ``None`` when both are undefined (no gold and no prediction: nothing to score).

The formula ``2 * P * R / (P + R)`` is computed from the two rounded floats, as
seqeval, conlleval and nervaluate compute it, so per-type and micro figures
agree with them to the last bit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

__all__ = [
    "Counts",
    "Average",
    "CountTable",
    "counts_by_type",
    "f1_of",
    "macro_average",
    "weighted_average",
    "TP",
    "FP",
    "FN",
]

#: Index of tp, fp and fn in the last axis of every ``unit_counts`` array.
TP, FP, FN = 0, 1, 2


def f1_of(precision: float | None, recall: float | None) -> float | None:
    """Return the F1 of a precision and a recall, with the zero-division convention above."""
    if precision is None and recall is None:
        return None
    if precision is None or recall is None:
        return 0.0
    denominator = precision + recall
    if denominator == 0:
        return 0.0
    return 2 * precision * recall / denominator


@dataclass(frozen=True, slots=True)
class Counts:
    """True positives, false positives and false negatives of one type (or of all).

    Args:
        tp: Matched credit (1 per full match, 0.5 per partial match).
        fp: Predicted mass that is not matched (``predictions - tp``).
        fn: Gold mass that is not matched (``gold mentions - tp``).
    """

    tp: float = 0.0
    fp: float = 0.0
    fn: float = 0.0

    def __add__(self, other: Counts) -> Counts:
        if not isinstance(other, Counts):
            return NotImplemented
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def __radd__(self, other: object) -> Counts:
        if other == 0:  # lets sum() start from 0
            return self
        return NotImplemented

    @classmethod
    def total(cls, counts: Iterable[Counts]) -> Counts:
        """Return the sum of ``counts`` (``Counts()`` for none)."""
        tp = fp = fn = 0.0
        for c in counts:
            tp += c.tp
            fp += c.fp
            fn += c.fn
        return cls(tp, fp, fn)

    @property
    def support(self) -> float:
        """Number of gold mentions: ``tp + fn``."""
        return self.tp + self.fn

    @property
    def predicted(self) -> float:
        """Number of predicted mentions: ``tp + fp``."""
        return self.tp + self.fp

    @property
    def precision(self) -> float | None:
        """``tp / (tp + fp)``, or ``None`` when nothing was predicted."""
        denominator = self.tp + self.fp
        return None if denominator == 0 else self.tp / denominator

    @property
    def recall(self) -> float | None:
        """``tp / (tp + fn)``, or ``None`` when there is no gold mention."""
        denominator = self.tp + self.fn
        return None if denominator == 0 else self.tp / denominator

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall (see the module docstring for zero division)."""
        return f1_of(self.precision, self.recall)

    def as_dict(self) -> dict[str, float | None]:
        """Return ``tp``, ``fp``, ``fn``, ``support``, ``precision``, ``recall``, ``f1`` as a dict."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "support": self.support,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass(frozen=True, slots=True)
class Average:
    """An average of per-type scores (macro or support-weighted).

    Each field is ``None`` when no type has gold support.
    """

    precision: float | None
    recall: float | None
    f1: float | None

    def as_dict(self) -> dict[str, float | None]:
        """Return ``precision``, ``recall``, ``f1`` as a dict."""
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}


def _zero(value: float | None) -> float:
    return 0.0 if value is None else value


def macro_average(per_type: Mapping[str, Counts]) -> Average:
    """Unweighted mean of per-type P, R and F1 over the types with gold support > 0.

    Types with no gold mention (only predicted) are left out: their recall is
    undefined and they say nothing about the gold label set. A supported type
    with no prediction has undefined precision, which counts as 0 here (as
    scikit-learn's ``zero_division=0``). Means are computed with
    :func:`math.fsum` (correctly rounded), then divided once.
    """
    supported = [c for c in per_type.values() if c.support > 0]
    if not supported:
        return Average(None, None, None)
    n = len(supported)
    return Average(
        math.fsum(_zero(c.precision) for c in supported) / n,
        math.fsum(_zero(c.recall) for c in supported) / n,
        math.fsum(_zero(c.f1) for c in supported) / n,
    )


def weighted_average(per_type: Mapping[str, Counts]) -> Average:
    """Mean of per-type P, R and F1 weighted by gold support (types without support weigh 0).

    Undefined precision counts as 0, as in :func:`macro_average`.
    """
    supported = [c for c in per_type.values() if c.support > 0]
    if not supported:
        return Average(None, None, None)
    total = math.fsum(c.support for c in supported)
    return Average(
        math.fsum(_zero(c.precision) * c.support for c in supported) / total,
        math.fsum(_zero(c.recall) * c.support for c in supported) / total,
        math.fsum(_zero(c.f1) * c.support for c in supported) / total,
    )


@dataclass(frozen=True, eq=False)
class CountTable:
    """Per-unit, per-type tp/fp/fn counts: the common core of every scoring result.

    Bootstrap and paired tests resample the rows of :attr:`unit_counts`; every
    figure (per type, micro, macro, weighted) is recomputed from the summed rows.

    Attributes:
        types: The scored labels, sorted: the order of the type axis.
        unit_counts: ``float64`` array of shape ``(n_units, len(types), 3)``
            holding tp, fp, fn (indices :data:`TP`, :data:`FP`, :data:`FN`).
        unit_docs: The document index of each unit row.
    """

    types: tuple[str, ...]
    unit_counts: np.ndarray
    unit_docs: tuple[int, ...]

    def __post_init__(self) -> None:
        if self.unit_counts.shape != (len(self.unit_docs), len(self.types), 3):
            raise ValueError(
                f"unit_counts has shape {self.unit_counts.shape}, "
                f"expected ({len(self.unit_docs)}, {len(self.types)}, 3)"
            )
        object.__setattr__(self, "_per_type", MappingProxyType(counts_by_type(self.types, self.unit_counts)))

    @property
    def per_type(self) -> Mapping[str, Counts]:
        """Counts of every scored label, in :attr:`types` order."""
        return self._per_type  # type: ignore[attr-defined]

    @property
    def micro(self) -> Counts:
        """Counts summed over types."""
        return Counts.total(self.per_type.values())

    @property
    def macro(self) -> Average:
        """Unweighted mean over gold types with support (:func:`macro_average`)."""
        return macro_average(self.per_type)

    @property
    def weighted(self) -> Average:
        """Support-weighted mean (:func:`weighted_average`)."""
        return weighted_average(self.per_type)

    def unit_totals(self) -> np.ndarray:
        """Return the ``(n_units, 3)`` array of tp, fp, fn per unit, summed over types."""
        return self.unit_counts.sum(axis=1)


def counts_by_type(types: Sequence[str], unit_counts: np.ndarray) -> dict[str, Counts]:
    """Sum a ``(n_units, n_types, 3)`` array over units into ``{type: Counts}``.

    Bootstrap code calls this on resampled rows (``unit_counts[indices]``).
    """
    totals = unit_counts.sum(axis=0) if len(unit_counts) else np.zeros((len(types), 3))
    return {t: Counts(float(row[TP]), float(row[FP]), float(row[FN])) for t, row in zip(types, totals, strict=True)}
