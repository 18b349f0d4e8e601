"""Bootstrap confidence intervals and paired significance tests for span scores.

Input contract
--------------
Every function here reads a *unit count array* ``counts`` of shape
``(n_units, n_types, 3)``: for each scoring unit (a sentence, or a document)
and each entity type, the integer counts ``(tp, fp, fn)``, in the type order of
``SpanScores.types`` (see :mod:`arabench.eval.spans`). Nothing else is needed, because
every figure reported is a function of the summed counts. A score table
(:class:`arabench.eval.counts.CountTable`, e.g. ``SpanScores`` or ``RelationScores``)
can be passed instead: its ``unit_counts`` and ``types`` are used, and two
systems' tables are aligned on the union of their types.

Figures
-------
The figures follow :class:`arabench.eval.counts.Counts` exactly: precision
``tp / (tp + fp)``, recall ``tp / (tp + fn)``, F1 ``2 P R / (P + R)``;
precision (recall) is undefined when nothing was predicted (no gold mention);
F1 is 0 when exactly one of them is undefined and undefined when both are.
Undefined is ``NaN`` inside arrays and ``None`` in result objects, never a
silent 0. Counts may be floats (the ``partial`` mode gives half credit).
Point estimates are computed by :class:`~eval.counts.Counts`,
:func:`~eval.counts.macro_average` and :func:`~eval.counts.weighted_average`
themselves, so they equal the scorer's figures to the last bit; resamples use
the vectorised :func:`figures`, which agrees with them to rounding.

* per type: precision, recall and F1 of the type's total counts;
* ``micro_*``: the figure of the counts summed over all types;
* ``macro_*``: the unweighted mean over the types with gold support
  (``tp + fn > 0``) *in the sample at hand*. A type with no gold mention in a
  (re)sample has no defined recall and is left out of that sample's mean, so
  the number of averaged types can vary between resamples; its false positives
  still count in the micro figures. A supported type with no prediction has an
  undefined precision, which enters the macro/weighted precision as 0 (as in
  :func:`arabench.eval.counts.macro_average`); its F1 is 0 anyway.
  With no supported type at all the macro figures are undefined.
* ``weighted_*``: the mean over the same types weighted by gold support
  (``weighted_recall`` equals ``micro_recall`` mathematically, up to rounding).

What is resampled
-----------------
Units are resampled with replacement (the nonparametric bootstrap of Efron &
Tibshirani 1993): a resample draws ``n_units`` unit indices uniformly, and its
counts are the sums of the drawn units' counts. The unit is the sampling unit:
resampling sentences assumes that sentences are independent draws, which is
optimistic for sentences of one article (they share topic, entities and
style), so the intervals are likely too narrow. With one
document the unit is necessarily the sentence; with many documents,
resampling documents is the safer choice (sum a score table's rows per
``unit_docs`` entry before calling). The draws come from ``numpy.random.Generator``
(PCG64) seeded with ``seed``; :func:`resample_indices` returns exactly the
indices :func:`bootstrap` and :func:`paired_bootstrap` use, so every number can
be recomputed by hand.

Intervals
---------
``method="percentile"``: the ``(1 - confidence) / 2`` and
``(1 + confidence) / 2`` quantiles of the resampled figure (numpy's default
linear interpolation). ``method="bca"``: the bias-corrected and accelerated
percentile interval (Efron 1987), with the bias correction taken from the
share of resamples below the point estimate (ties count one half) and the
acceleration from the leave-one-unit-out jackknife (with fewer than two
defined jackknife values, as with one unit, the percentile levels are used). Both intervals lie inside
the range of the resampled values, so P/R/F1 bounds stay within [0, 1].
Resamples in which a figure is undefined are left out of that figure's
quantiles and counted in ``n_undefined``.

Paired tests (system B against system A on the same gold and units)
------------------------------------------------------------------
The statistic is ``delta = metric(B) - metric(A)``.

* :func:`paired_bootstrap` (Koehn 2004; Berg-Kirkpatrick, Burkett & Klein
  2012): both systems are resampled with the same unit indices. The interval
  is the percentile interval of the resampled ``delta*``. The p-value is
  Berg-Kirkpatrick et al.'s one-sided test of H0 "B is not better than A"
  against H1 "B is better", with the bootstrap distribution shifted to the
  null: ``p = #{delta*_i >= 2 delta} / n`` (a resampled difference at least
  ``delta`` above the observed one). Ties count as extreme (so identical
  systems get ``p = 1``); ``p = 0`` means ``p < 1 / n_resamples``.
* :func:`approximate_randomization` (Noreen 1989; Riezler & Maxwell 2005):
  each trial swaps every unit's counts between the two systems independently
  with probability 1/2. The p-value is two-sided:
  ``p = (r + 1) / (n + 1)`` with ``r = #{|delta*_i| >= |delta|}`` (a relative
  tolerance of 1e-12 makes float-rounding ties count as extreme), so it is
  never 0 and is 1 for identical systems. There is no interval (``None``).

Trials in which ``delta*`` is undefined are left out and counted in
``n_undefined``; a comparison whose observed ``delta`` is undefined is an
error.

References: B. Efron, "Better bootstrap confidence intervals", JASA 82 (1987);
B. Efron & R. Tibshirani, *An Introduction to the Bootstrap* (1993);
E. W. Noreen, *Computer-Intensive Methods for Testing Hypotheses* (1989);
P. Koehn, "Statistical significance tests for machine translation
evaluation", EMNLP 2004; S. Riezler & J. T. Maxwell, "On some pitfalls in
automatic evaluation and significance testing for MT", ACL workshop 2005;
T. Berg-Kirkpatrick, D. Burkett & D. Klein, "An empirical investigation of
statistical significance in NLP", EMNLP 2012.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from arabench.annotations.errors import ScoringError
from arabench.eval.counts import Counts, CountTable, macro_average, weighted_average

__all__ = [
    "MEASURES",
    "AVERAGES",
    "OVERALL",
    "METHODS",
    "Interval",
    "BootstrapResult",
    "PairedResult",
    "figures",
    "resample_indices",
    "bootstrap",
    "bootstrap_many",
    "paired_bootstrap",
    "approximate_randomization",
    "holm",
]

MEASURES = ("precision", "recall", "f1")
AVERAGES = ("micro", "macro", "weighted")
OVERALL = tuple(f"{average}_{measure}" for average in AVERAGES for measure in MEASURES)
METHODS = ("percentile", "bca")

# Resamples are processed in chunks of about this many (resample, unit) cells,
# so memory stays flat (~16 MB of indices) however many units there are.
_CHUNK_CELLS = 1 << 21
_TIE_RTOL = 1e-12


# --------------------------------------------------------------------------- figures


def figures(totals: np.ndarray) -> dict[str, np.ndarray]:
    """Compute every figure from summed counts, vectorised over leading axes.

    Args:
        totals: Array of shape ``(..., n_types, 3)`` of summed ``(tp, fp, fn)``.

    Returns:
        ``"precision"``, ``"recall"``, ``"f1"`` of shape ``(..., n_types)``
        and each name of :data:`OVERALL` of shape ``(...)``; undefined is NaN.
    """
    totals = np.asarray(totals, dtype=np.float64)
    tp, fp, fn = totals[..., 0], totals[..., 1], totals[..., 2]
    out = {}
    out["precision"], out["recall"], out["f1"] = _prf(tp, fp, fn)
    micro = _prf(tp.sum(-1), fp.sum(-1), fn.sum(-1))
    support = tp + fn
    has = support > 0
    n_has = has.sum(-1)
    total_support = support.sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        for k, measure in enumerate(MEASURES):
            per_type = np.where(has, np.nan_to_num(out[measure], nan=0.0), 0.0)
            out[f"micro_{measure}"] = micro[k]
            out[f"macro_{measure}"] = np.where(n_has > 0, per_type.sum(-1) / n_has, np.nan)
            out[f"weighted_{measure}"] = np.where(
                total_support > 0, (per_type * support).sum(-1) / total_support, np.nan
            )
    return out


def _prf(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
        recall = np.where(tp + fn > 0, tp / (tp + fn), np.nan)
        p0, r0 = np.nan_to_num(precision, nan=0.0), np.nan_to_num(recall, nan=0.0)
        harmonic = np.where(p0 + r0 > 0, 2 * p0 * r0 / (p0 + r0), 0.0)
    # Counts.f1: undefined only when both P and R are; 0 when exactly one is.
    f1 = np.where(np.isnan(precision) & np.isnan(recall), np.nan, harmonic)
    return precision, recall, f1


def _point(total: np.ndarray) -> dict[str, np.ndarray]:
    """Figures of one summed ``(n_types, 3)`` total, computed by :mod:`arabench.eval.counts` (exact)."""
    per_type = {str(k): Counts(*map(float, row)) for k, row in enumerate(total)}
    micro = Counts.total(per_type.values())
    out = {m: np.array([_nan(getattr(c, m)) for c in per_type.values()], dtype=np.float64) for m in MEASURES}
    for average, values in (
        ("micro", micro),
        ("macro", macro_average(per_type)),
        ("weighted", weighted_average(per_type)),
    ):
        for m in MEASURES:
            out[f"{average}_{m}"] = np.float64(_nan(getattr(values, m)))
    return out


def _nan(value: float | None) -> float:
    return math.nan if value is None else value


def _select(figs: Mapping[str, np.ndarray], metric: str, type_index: int | None) -> np.ndarray:
    if type_index is None:
        return figs[metric]
    return figs[metric][..., type_index]


# --------------------------------------------------------------------------- validation


def _check_counts(counts: object, *, field: str = "counts") -> np.ndarray:
    array = np.asarray(counts)
    if array.ndim != 3 or array.shape[2] != 3 or array.shape[0] == 0:
        raise ScoringError(
            "a unit count array must have shape (n_units >= 1, n_types, 3)",
            field=field,
            value=array.shape,
            fix="pass SpanScores.unit_counts: one (tp, fp, fn) row per unit and type",
        )
    if array.dtype.kind not in "iubf" or (array.dtype.kind == "f" and not np.all(np.isfinite(array))):
        raise ScoringError(
            "unit counts must be finite numbers",
            field=field,
            value=str(array.dtype),
            fix="pass (tp, fp, fn) counts (integers, or multiples of 0.5 from the partial mode)",
        )
    if np.any(array < 0):
        raise ScoringError(
            "unit counts must be non-negative",
            field=field,
            value=int(array.min()),
            fix="pass (tp, fp, fn) counts, which are never negative",
        )
    return array.astype(np.float64)


def _unpack(
    counts: object, types: Sequence[str] | None, *, field: str
) -> tuple[np.ndarray, tuple[str, ...] | None, tuple[int, ...] | None]:
    """Return the checked array, its type names and unit documents (None for a bare array)."""
    if isinstance(counts, CountTable):
        if types is not None and tuple(types) != tuple(counts.types):
            raise ScoringError(
                "types differ from the score table's own types",
                field="types",
                value=tuple(types),
                fix="leave types out when passing a score table; its types are used",
            )
        return _check_counts(counts.unit_counts, field=field), tuple(counts.types), tuple(counts.unit_docs)
    return _check_counts(counts, field=field), None if types is None else tuple(types), None


def _widen(counts: np.ndarray, types: tuple[str, ...], union: tuple[str, ...]) -> np.ndarray:
    out = np.zeros((counts.shape[0], len(union), 3))
    out[:, [union.index(t) for t in types]] = counts
    return out


def _check_pair(
    a_counts: object, b_counts: object, types: Sequence[str] | None
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...] | None]:
    """Check two systems' counts; two score tables are aligned on the union of their types."""
    a, a_types, a_docs = _unpack(a_counts, None, field="a_counts")
    b, b_types, b_docs = _unpack(b_counts, None, field="b_counts")
    if (a_docs is None) != (b_docs is None):
        raise ScoringError(
            "pass two score tables or two count arrays, not one of each",
            field="b_counts",
            value=type(b_counts).__name__,
            fix="pass both SpanScores (or both .unit_counts arrays with the same type order)",
        )
    if a_docs is not None:
        if types is not None:
            raise ScoringError(
                "types cannot be given with score tables", field="types", value=tuple(types), fix="leave types out"
            )
        if a_docs != b_docs:
            raise ScoringError(
                f"the two score tables have different scoring units: a has {len(a_docs)}, b has {len(b_docs)}",
                field="b_counts",
                value=len(b_docs),
                fix="score both systems on the same gold documents with the same units",
            )
        # A type only one system predicted is a zero column for the other: no figure changes.
        types = tuple(sorted(set(a_types) | set(b_types)))  # type: ignore[arg-type]
        a, b = _widen(a, a_types, types), _widen(b, b_types, types)  # type: ignore[arg-type]
    if a.shape != b.shape:
        raise ScoringError(
            f"the two systems' count arrays differ in shape: a {a.shape}, b {b.shape}",
            field="b_counts",
            value=b.shape,
            fix="score both systems against the same gold with the same units and the same type order",
        )
    return a, b, None if types is None else tuple(types)


def _check_common(*, n_resamples: int, confidence: float | None = None, field: str = "n_resamples") -> None:
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer) or n_resamples < 1:
        raise ScoringError("must be a positive integer", field=field, value=n_resamples, fix="use e.g. 10000")
    if confidence is not None and not 0 < confidence < 1:
        raise ScoringError(
            "confidence must lie strictly between 0 and 1", field="confidence", value=confidence, fix="use e.g. 0.95"
        )


def _resolve_metric(metric: str, type: int | str | None, types: Sequence[str] | None, n_types: int) -> int | None:
    """Check ``metric``/``type`` and return the type index (None for overall)."""
    if type is None:
        if metric not in OVERALL:
            raise ScoringError(
                "unknown overall metric",
                field="metric",
                value=metric,
                fix=f"use one of {', '.join(OVERALL)}, or one of {', '.join(MEASURES)} with type=...",
            )
        return None
    if metric not in MEASURES:
        raise ScoringError(
            "a per-type metric must be a measure",
            field="metric",
            value=metric,
            fix=f"use one of {', '.join(MEASURES)} with type=..., or type=None for {', '.join(OVERALL)}",
        )
    names = _type_names(types, n_types)
    if isinstance(type, str):
        if type not in names:
            raise ScoringError("unknown type", field="type", value=type, fix=f"use one of {', '.join(names)}")
        return names.index(type)
    if isinstance(type, bool) or not isinstance(type, int | np.integer) or not 0 <= type < n_types:
        raise ScoringError(
            "a type index must be an integer in range", field="type", value=type, fix=f"use 0..{n_types - 1}"
        )
    return int(type)


def _type_names(types: Sequence[str] | None, n_types: int) -> tuple[str, ...]:
    if types is None:
        return tuple(str(i) for i in range(n_types))
    names = tuple(types)
    if len(names) != n_types or len(set(names)) != len(names):
        raise ScoringError(
            f"types must name each of the {n_types} types once, in the count array's order",
            field="types",
            value=names,
            fix="pass SpanScores.types",
        )
    return names


# --------------------------------------------------------------------------- resampling


def _chunk_size(n_units: int) -> int:
    return max(1, _CHUNK_CELLS // n_units)


def resample_indices(n_units: int, *, n_resamples: int, seed: int) -> Iterator[np.ndarray]:
    """Yield the bootstrap unit indices, in chunks of resamples.

    Concatenated along axis 0 the chunks form the ``(n_resamples, n_units)``
    index matrix that :func:`bootstrap` and :func:`paired_bootstrap` use for
    the same ``n_units`` and ``seed``.

    Args:
        n_units: Number of units in the sample.
        n_resamples: Number of resamples.
        seed: Seed of the PCG64 generator.

    Yields:
        Integer arrays of shape ``(chunk, n_units)``, values in ``[0, n_units)``.
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    chunk = _chunk_size(n_units)
    for start in range(0, n_resamples, chunk):
        yield rng.integers(0, n_units, size=(min(chunk, n_resamples - start), n_units))


def _resampled_totals(flat: np.ndarray, *, n_resamples: int, seed: int) -> Iterator[np.ndarray]:
    """Yield per-resample sums of ``flat`` (n_units, k) rows, chunk by chunk."""
    n_units = flat.shape[0]
    for idx in resample_indices(n_units, n_resamples=n_resamples, seed=seed):
        rows = idx.shape[0]
        offsets = (np.arange(rows) * n_units)[:, None]
        weights = np.bincount((idx + offsets).ravel(), minlength=rows * n_units).reshape(rows, n_units)
        yield weights.astype(np.float64) @ flat


def _quantile_interval(values: np.ndarray, levels: tuple[float, float]) -> tuple[float | None, float | None, int]:
    defined = values[~np.isnan(values)]
    n_undefined = int(values.size - defined.size)
    if defined.size == 0:
        return None, None, n_undefined
    low, high = np.quantile(defined, levels)
    return float(low), float(high), n_undefined


def _bca_levels(
    replicates: np.ndarray, estimate: float, jackknife: np.ndarray, confidence: float
) -> tuple[float, float] | None:
    """BCa quantile levels (Efron 1987), or None if undefined."""
    defined = replicates[~np.isnan(replicates)]
    jack = jackknife[~np.isnan(jackknife)]
    if defined.size == 0 or jack.size < 2:
        return None
    share = (np.sum(defined < estimate) + 0.5 * np.sum(defined == estimate)) / defined.size
    normal = NormalDist()
    if share <= 0.0 or share >= 1.0:
        z0 = -math.inf if share <= 0.0 else math.inf
    else:
        z0 = normal.inv_cdf(float(share))
    d = jack.mean() - jack
    denominator = 6.0 * float(np.sum(d**2)) ** 1.5
    accel = float(np.sum(d**3)) / denominator if denominator > 0 else 0.0
    levels = []
    for alpha in ((1 - confidence) / 2, (1 + confidence) / 2):
        if math.isinf(z0):
            levels.append(0.0 if z0 < 0 else 1.0)
            continue
        z = z0 + normal.inv_cdf(alpha)
        levels.append(min(1.0, max(0.0, normal.cdf(z0 + z / (1 - accel * z)))))
    return levels[0], levels[1]


# --------------------------------------------------------------------------- bootstrap


@dataclass(frozen=True)
class Interval:
    """A point estimate with its confidence interval.

    Attributes:
        estimate: The figure on the full sample; None if undefined.
        low: Lower bound; None if the figure is undefined in every resample.
        high: Upper bound; None likewise.
        n_undefined: Resamples in which the figure was undefined (left out).
    """

    estimate: float | None
    low: float | None
    high: float | None
    n_undefined: int


@dataclass(frozen=True)
class BootstrapResult:
    """Bootstrap intervals for every per-type and overall figure.

    Attributes:
        types: Type names, in the count array's order.
        per_type: ``per_type[type][measure]`` for each measure of :data:`MEASURES`.
        overall: ``overall[name]`` for each name of :data:`OVERALL`.
        confidence: Nominal coverage, e.g. 0.95.
        method: ``"percentile"`` or ``"bca"``.
        n_resamples: Number of resamples.
        n_units: Number of units resampled.
        seed: Seed of the PCG64 generator.
    """

    types: tuple[str, ...]
    per_type: Mapping[str, Mapping[str, Interval]]
    overall: Mapping[str, Interval]
    confidence: float
    method: str
    n_resamples: int
    n_units: int
    seed: int

    def get(self, metric: str, type: str | None = None) -> Interval:
        """Return the interval of one figure (``type=None``: an overall figure)."""
        if type is None:
            if metric not in self.overall:
                raise ScoringError("unknown overall metric", field="metric", value=metric, fix=f"use {OVERALL}")
            return self.overall[metric]
        if type not in self.per_type:
            raise ScoringError("unknown type", field="type", value=type, fix=f"use one of {', '.join(self.types)}")
        if metric not in MEASURES:
            raise ScoringError("unknown measure", field="metric", value=metric, fix=f"use one of {MEASURES}")
        return self.per_type[type][metric]


def bootstrap(
    unit_counts: np.ndarray | CountTable,
    *,
    n_resamples: int = 10_000,
    seed: int = 0,
    confidence: float = 0.95,
    method: str = "percentile",
    types: Sequence[str] | None = None,
) -> BootstrapResult:
    """Bootstrap confidence intervals for all per-type and overall figures.

    Args:
        unit_counts: ``(n_units, n_types, 3)`` ``(tp, fp, fn)`` counts, or a
            score table (:class:`~eval.counts.CountTable`, e.g. ``SpanScores``),
            whose ``unit_counts`` and ``types`` are used.
        n_resamples: Number of resamples of the units (with replacement).
        seed: Seed of the PCG64 generator (same seed, same result).
        confidence: Nominal coverage of each interval.
        method: ``"percentile"`` or ``"bca"`` (see the module docstring).
        types: Type names in the array's order (default ``"0"``, ``"1"``, ...;
            taken from the table when a score table is given).

    Returns:
        The point estimate and interval of every figure.

    Raises:
        ScoringError: On a malformed count array or option.
    """
    counts, types, _ = _unpack(unit_counts, types, field="unit_counts")
    _check_common(n_resamples=n_resamples, confidence=confidence)
    if method not in METHODS:
        raise ScoringError("unknown interval method", field="method", value=method, fix=f"use one of {METHODS}")
    n_units, n_types, _ = counts.shape
    names = _type_names(types, n_types)
    replicates: dict[str, list[np.ndarray]] = {name: [] for name in _point(counts.sum(0))}
    for chunk in _resampled_totals(counts.reshape(n_units, -1), n_resamples=n_resamples, seed=seed):
        for name, values in figures(chunk.reshape(-1, n_types, 3)).items():
            replicates[name].append(values)
    return _result(counts, names, replicates, method, confidence, n_resamples, seed)


def bootstrap_many(
    tables: Sequence[tuple[np.ndarray, Sequence[str]]],
    *,
    n_resamples: int = 10_000,
    seed: int = 0,
    confidence: float = 0.95,
) -> list[BootstrapResult]:
    """:func:`bootstrap` (percentile) of several count arrays of the same units, from one pass of resamples.

    Each result equals ``bootstrap(counts, types=types, ...)`` exactly: the
    resampled units are the same for the same number of units and seed, and
    the resampled totals of whole counts are exact in ``float64`` however the
    sums are grouped. The resample weights are drawn and counted once for all
    the arrays (one matrix product per chunk instead of one per array); arrays
    with counts that are not whole, or of another number of units, are
    bootstrapped one by one.

    Args:
        tables: ``(unit_counts, types)`` pairs, as for :func:`bootstrap`.
        n_resamples: Number of resamples of the units.
        seed: Seed of the PCG64 generator.
        confidence: Nominal coverage of each interval.

    Returns:
        One :class:`BootstrapResult` per table, in order.
    """
    _check_common(n_resamples=n_resamples, confidence=confidence)
    unpacked = [_unpack(counts, types, field="unit_counts")[:2] for counts, types in tables]
    results: list[BootstrapResult | None] = [None] * len(unpacked)
    groups: dict[int, list[int]] = {}
    for i, (counts, _) in enumerate(unpacked):
        if counts.shape[0] and counts.size and np.array_equal(counts, np.round(counts)):
            groups.setdefault(counts.shape[0], []).append(i)
        else:
            results[i] = bootstrap(
                counts, n_resamples=n_resamples, seed=seed, confidence=confidence, types=unpacked[i][1]
            )
    for n_units, members in groups.items():
        flats = [unpacked[i][0].reshape(n_units, -1) for i in members]
        widths = np.cumsum([0] + [f.shape[1] for f in flats])
        joined = np.ascontiguousarray(np.concatenate(flats, axis=1))
        names = [_type_names(unpacked[i][1], unpacked[i][0].shape[1]) for i in members]
        replicates: list[dict[str, list[np.ndarray]]] = [
            {name: [] for name in _point(unpacked[i][0].sum(0))} for i in members
        ]
        for chunk in _resampled_totals(joined, n_resamples=n_resamples, seed=seed):
            for k, i in enumerate(members):
                n_types = unpacked[i][0].shape[1]
                part = chunk[:, widths[k] : widths[k + 1]]
                for name, values in figures(part.reshape(-1, n_types, 3)).items():
                    replicates[k][name].append(values)
        for k, i in enumerate(members):
            results[i] = _result(unpacked[i][0], names[k], replicates[k], "percentile", confidence, n_resamples, seed)
    return results  # type: ignore[return-value]


def _result(
    counts: np.ndarray,
    names: tuple[str, ...],
    replicates: dict[str, list[np.ndarray]],
    method: str,
    confidence: float,
    n_resamples: int,
    seed: int,
) -> BootstrapResult:
    """The intervals of a bootstrap from its resampled figures (chunks of replicates per figure)."""
    n_units, n_types, _ = counts.shape
    total = counts.sum(0)
    point = _point(total)
    approx = figures(total)
    stacked = {name: np.concatenate(parts) for name, parts in replicates.items()}
    jackknife = figures(total[None] - counts) if method == "bca" else None

    def interval(name: str, k: int | None) -> Interval:
        estimate = float(_select(point, name, k))
        values = _select(stacked, name, k)
        # the vectorised estimate, for comparisons with the (vectorised) resamples
        reference = float(_select(approx, name, k))
        levels = ((1 - confidence) / 2, (1 + confidence) / 2)
        if math.isnan(estimate):
            return Interval(None, *_quantile_interval(values, levels))
        if jackknife is not None:
            bca = _bca_levels(values, reference, _select(jackknife, name, k), confidence)
            if bca is not None:
                levels = bca
        return Interval(estimate, *_quantile_interval(values, levels))

    per_type = {names[k]: {m: interval(m, k) for m in MEASURES} for k in range(n_types)}
    overall = {name: interval(name, None) for name in OVERALL}
    return BootstrapResult(
        types=names,
        per_type=per_type,
        overall=overall,
        confidence=confidence,
        method=method,
        n_resamples=n_resamples,
        n_units=n_units,
        seed=seed,
    )


# --------------------------------------------------------------------------- paired tests


@dataclass(frozen=True)
class PairedResult:
    """Comparison of system B against system A on one figure.

    Attributes:
        metric: The figure compared (e.g. ``"micro_f1"``, or ``"f1"`` per type).
        type: The type compared, or None for an overall figure.
        a: The figure of system A on the full sample.
        b: The figure of system B on the full sample.
        diff: ``b - a``.
        ci_low: Lower bound of the interval of ``b - a`` (None for randomization).
        ci_high: Upper bound likewise.
        p_value: See the module docstring for each method's definition.
        n_resamples: Number of resamples or randomization trials.
        method: ``"paired_bootstrap"`` or ``"approximate_randomization"``.
        seed: Seed of the PCG64 generator.
        n_undefined: Trials in which the difference was undefined (left out).
    """

    metric: str
    type: str | int | None
    a: float
    b: float
    diff: float
    ci_low: float | None
    ci_high: float | None
    p_value: float
    n_resamples: int
    method: str
    seed: int
    n_undefined: int = 0


def _observed(
    a: np.ndarray, b: np.ndarray, metric: str, type: int | str | None, types: Sequence[str] | None
) -> tuple[int | None, float, float]:
    k = _resolve_metric(metric, type, types, a.shape[1])
    value_a = float(_select(_point(a.sum(0)), metric, k))
    value_b = float(_select(_point(b.sum(0)), metric, k))
    if math.isnan(value_a) or math.isnan(value_b):
        which = "A" if math.isnan(value_a) else "B"
        raise ScoringError(
            f"the metric is undefined for system {which} on this sample, so the systems cannot be compared on it",
            field="metric",
            value=metric if type is None else f"{metric} of type {type}",
            fix="compare on a metric defined for both systems (F1 is defined whenever there is gold or a prediction)",
        )
    return k, value_a, value_b


def paired_bootstrap(
    a_counts: np.ndarray | CountTable,
    b_counts: np.ndarray | CountTable,
    *,
    metric: str = "micro_f1",
    type: int | str | None = None,
    n_resamples: int = 10_000,
    seed: int = 0,
    confidence: float = 0.95,
    types: Sequence[str] | None = None,
) -> PairedResult:
    """Paired bootstrap of ``metric(B) - metric(A)`` (Berg-Kirkpatrick et al. 2012).

    Args:
        a_counts: System A's ``(n_units, n_types, 3)`` counts, or its score
            table (:class:`~eval.counts.CountTable`, e.g. ``SpanScores``).
        b_counts: System B's, on the same gold and units: an array with the
            same type order, or a score table (two tables are aligned on the
            union of their types; a type one system never saw is zeros).
        metric: One of :data:`OVERALL`, or of :data:`MEASURES` with ``type``.
        type: A type name (needs ``types``) or index; None for an overall figure.
        n_resamples: Number of resamples.
        seed: Seed of the PCG64 generator.
        confidence: Coverage of the percentile interval of the difference.
        types: Type names in the array's order.

    Returns:
        The difference, its percentile interval and the one-sided p-value of
        H0 "B is not better than A".

    Raises:
        ScoringError: On mismatched arrays, a bad option or an undefined metric.
    """
    a, b, types = _check_pair(a_counts, b_counts, types)
    _check_common(n_resamples=n_resamples, confidence=confidence)
    k, value_a, value_b = _observed(a, b, metric, type, types)
    diff = value_b - value_a
    n_units, n_types, _ = a.shape
    flat = np.concatenate([a.reshape(n_units, -1), b.reshape(n_units, -1)], axis=1)
    deltas = []
    for chunk in _resampled_totals(flat, n_resamples=n_resamples, seed=seed):
        both = chunk.reshape(-1, 2, n_types, 3)
        deltas.append(_select(figures(both[:, 1]), metric, k) - _select(figures(both[:, 0]), metric, k))
    delta = np.concatenate(deltas)
    low, high, n_undefined = _quantile_interval(delta, ((1 - confidence) / 2, (1 + confidence) / 2))
    defined = delta[~np.isnan(delta)]
    p_value = float(np.mean(defined >= 2 * diff - _TIE_RTOL * abs(diff))) if defined.size else 1.0
    return PairedResult(
        metric=metric,
        type=type,
        a=value_a,
        b=value_b,
        diff=diff,
        ci_low=low,
        ci_high=high,
        p_value=p_value,
        n_resamples=n_resamples,
        method="paired_bootstrap",
        seed=seed,
        n_undefined=n_undefined,
    )


def approximate_randomization(
    a_counts: np.ndarray | CountTable,
    b_counts: np.ndarray | CountTable,
    *,
    metric: str = "micro_f1",
    type: int | str | None = None,
    n_trials: int = 10_000,
    seed: int = 0,
    types: Sequence[str] | None = None,
) -> PairedResult:
    """Two-sided approximate randomization test of ``metric(B) - metric(A)``.

    Args:
        a_counts: System A's ``(n_units, n_types, 3)`` counts, or its score
            table (:class:`~eval.counts.CountTable`, e.g. ``SpanScores``).
        b_counts: System B's, on the same gold and units: an array with the
            same type order, or a score table (two tables are aligned on the
            union of their types; a type one system never saw is zeros).
        metric: One of :data:`OVERALL`, or of :data:`MEASURES` with ``type``.
        type: A type name (needs ``types``) or index; None for an overall figure.
        n_trials: Number of random swaps.
        seed: Seed of the PCG64 generator.
        types: Type names in the array's order.

    Returns:
        The difference and the p-value ``(r + 1) / (n + 1)``; no interval.

    Raises:
        ScoringError: On mismatched arrays, a bad option or an undefined metric.
    """
    a, b, types = _check_pair(a_counts, b_counts, types)
    _check_common(n_resamples=n_trials, field="n_trials")
    k, value_a, value_b = _observed(a, b, metric, type, types)
    diff = value_b - value_a
    n_units, n_types, _ = a.shape
    total_a, total_b = a.sum(0).ravel(), b.sum(0).ravel()
    change = (b - a).reshape(n_units, -1)
    rng = np.random.Generator(np.random.PCG64(seed))
    chunk = _chunk_size(n_units)
    extreme = defined = 0
    threshold = abs(diff) * (1 - _TIE_RTOL)
    for start in range(0, n_trials, chunk):
        swaps = rng.integers(0, 2, size=(min(chunk, n_trials - start), n_units)).astype(np.float64)
        moved = swaps @ change  # A takes B's counts on swapped units, and B takes A's
        fig_a = _select(figures((total_a + moved).reshape(-1, n_types, 3)), metric, k)
        fig_b = _select(figures((total_b - moved).reshape(-1, n_types, 3)), metric, k)
        delta = fig_b - fig_a
        ok = ~np.isnan(delta)
        defined += int(ok.sum())
        extreme += int(np.sum(np.abs(delta[ok]) >= threshold))
    return PairedResult(
        metric=metric,
        type=type,
        a=value_a,
        b=value_b,
        diff=diff,
        ci_low=None,
        ci_high=None,
        p_value=(extreme + 1) / (defined + 1),
        n_resamples=n_trials,
        method="approximate_randomization",
        seed=seed,
        n_undefined=n_trials - defined,
    )


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment of a family of p-values (Holm 1979), in the input order.

    Sort the ``m`` p-values increasingly, multiply the ``i``-th (from 0) by ``m - i``, make the sequence
    non-decreasing (each adjusted value is the largest so far) and cap it at 1. Rejecting where the
    adjusted value is at most ``alpha`` controls the family-wise error rate at ``alpha`` under any
    dependence between the tests.

    Raises:
        ScoringError: If a p-value is not a number in [0, 1].
    """
    values = [float(p) for p in p_values]
    for n, p in enumerate(values):
        if not 0 <= p <= 1:  # also refuses NaN
            raise ScoringError(
                "a p-value must be a number from 0 to 1", field=f"p_values[{n}]", value=p, fix="pass p-values"
            )
    m = len(values)
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(sorted(range(m), key=lambda i: (values[i], i))):
        running = max(running, min(1.0, (m - rank) * values[index]))
        adjusted[index] = running
    return adjusted
