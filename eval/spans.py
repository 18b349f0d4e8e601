"""Span-level scoring: one matcher for every match mode, boundary convention and layer.

Pipeline, per document, in this order:

1. **Scope.** With ``labels`` (what the model can emit), gold spans of other
   labels are taken out and counted in :attr:`SpanScores.out_of_scope`.
   Predictions are never taken out: a prediction of a label the gold does not
   use is a false positive of that label.
2. **Boundaries.** With ``boundary="word"`` gold and predicted spans are widened
   to whole words (:func:`annotations.tokenize.snap_span`). A span that covers
   no word (only white space) is kept as it is and counted in
   :attr:`SpanScores.notes` (``gold_unsnappable``/``pred_unsnappable``).
3. **Duplicates.** Spans are sets: a second span with the same range and label
   (as given, or after word snapping) is counted in :attr:`SpanScores.notes`
   (``gold_duplicates``/``pred_duplicates``) and scored once.
4. **Layer.** ``flat`` keeps the outermost spans (:func:`annotations.spans.outermost`);
   ``nested`` keeps all.
5. **Matching** (one-to-one): see below.

Matching rule (one-to-one, optimal, deterministic). A gold span ``g`` and a
prediction ``p`` *may* be paired when the mode gives the pair credit > 0
(:meth:`eval.modes.MatchMode.credit`). Among all one-to-one pairings the
matcher picks one that maximises, in this order of priority:

1. the total credit (so the true-positive count is the largest possible),
2. the number of pairs whose labels agree,
3. the total number of overlapping characters,

and breaks remaining ties deterministically (scipy's ``linear_sum_assignment``
over the spans in sorted ``(start, end, label)`` order). Only spans connected
by a chain of overlaps can compete, so the assignment is solved per overlap
cluster, and a cluster where no span has a choice needs no solver.

nervaluate (1.2.1) instead pairs greedily, prediction by prediction in input
order, with the first overlapping gold span not yet used, so a wrong
prediction can consume a gold span that a later prediction matches exactly:
with gold ``ORG[0,20)`` containing ``GPE[10,20)`` and predictions
``PERS[0,10)`` then ``ORG[0,20)``, nervaluate's ``strict`` and ``ent_type``
pair ``PERS`` with ``ORG`` and ``ORG`` with ``GPE`` (0 correct); this matcher
pairs ``ORG`` with ``ORG`` (1 true positive), leaves ``GPE`` missed and
``PERS`` spurious. Its total credit is never lower than nervaluate's.

Credit attribution: a pair with credit ``c`` adds ``c`` to the gold label's
``tp``, ``1 - c`` to the gold label's ``fn`` and ``1 - c`` to the predicted
label's ``fp``. An unpaired gold span adds 1 to ``fn`` of its label, an
unpaired prediction 1 to ``fp`` of its label. So ``tp + fn`` of a label is its
gold count and ``micro.tp + micro.fp`` the number of predictions, in every mode.

Error records (:class:`MatchError`): every gold or predicted span that did not
earn full credit appears in exactly one record. Pairs with credit < 1 are
recorded as ``boundary`` (or ``wrong_type_and_boundary`` when labels differ).
The spans left unpaired are paired a second time for diagnosis only, by the
same optimal rule over *any* overlap (same range first, then same label, then
larger overlap): a pair with equal ranges is ``wrong_type``, otherwise
``boundary`` (labels agree) or ``wrong_type_and_boundary``. Gold spans still
alone are ``missed``, predictions still alone ``spurious``.

Scoring units: ``units`` splits each document into scoring units (sentences,
as character ranges) for the bootstrap. A span belongs to the unit containing
its start (after snapping); a pair's ``tp`` and ``fn`` go to the gold span's
unit and its ``fp`` to the prediction's unit.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from types import MappingProxyType
from typing import Literal

import numpy as np

from annotations.errors import ScoringError
from annotations.spans import Span
from annotations.tokenize import WordIndex
from eval.counts import FN, FP, TP, CountTable
from eval.modes import MatchMode, check_boundary, check_layer, get_mode

__all__ = [
    "ErrorKind",
    "MatchError",
    "SpanScores",
    "score_spans",
    "match_spans",
    "is_proclitic_only",
    "PROCLITICS",
    "TP",
    "FP",
    "FN",
]

ErrorKind = Literal["missed", "spurious", "wrong_type", "boundary", "wrong_type_and_boundary"]

#: Arabic proclitic letters that may prefix a word: wa, fa, bi, li, ka.
PROCLITICS = frozenset("وفبلك")


@dataclass(frozen=True, slots=True)
class MatchError:
    """One gold or predicted span (or a pair) that did not earn full credit.

    Spans are given as scored: widened to whole words with ``boundary="word"``.

    Args:
        kind: ``missed`` (gold, nothing overlaps), ``spurious`` (prediction,
            nothing overlaps), ``wrong_type`` (same range, other label),
            ``boundary`` (same label, other range), ``wrong_type_and_boundary``.
        gold: The gold span (``None`` for ``spurious``).
        pred: The predicted span (``None`` for ``missed``).
        doc_index: Index of the document in the scored sequence.
        detail: One human-readable line.
        credit: Credit the pair earned under the mode (0.5 for a ``partial``
            overlap, otherwise 0).
        proclitic_only: For boundary errors: True if the ranges differ only
            by leading proclitic letters (و ف ب ل ك) or are equal once widened
            to whole words; ``None`` when no text was given or the kind is not
            a boundary error.
    """

    kind: ErrorKind
    gold: Span | None
    pred: Span | None
    doc_index: int
    detail: str
    credit: float = 0.0
    proclitic_only: bool | None = None


@dataclass(frozen=True, eq=False)
class SpanScores(CountTable):
    """The result of :func:`score_spans` (a :class:`eval.counts.CountTable`).

    Attributes:
        types: Every scored label (gold in scope or predicted), sorted; the
            order of the type axis of :attr:`unit_counts`.
        unit_counts: ``float64`` array of shape ``(n_units, len(types), 3)``:
            tp, fp, fn (see :data:`TP`, :data:`FP`, :data:`FN`) per scoring
            unit and type. Units are in document order, then unit order.
            Every other figure is recomputable from it exactly.
        unit_docs: The document index of each unit row.
        mode: Match mode name.
        boundary: ``char`` or ``word``.
        layer: ``nested`` or ``flat``.
        errors: Every mismatch, classified (see the module docstring).
        out_of_scope: Gold spans left out because the model cannot emit their
            label, per label.
        notes: Counters of what the scorer had to do that could change a
            score: ``gold_duplicates``, ``pred_duplicates``,
            ``gold_unsnappable``, ``pred_unsnappable`` (only non-zero keys).
    """

    mode: str = "strict"
    boundary: str = "char"
    layer: str = "nested"
    errors: tuple[MatchError, ...] = ()
    out_of_scope: Mapping[str, int] = field(default_factory=dict)
    notes: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "out_of_scope", MappingProxyType(dict(self.out_of_scope)))
        object.__setattr__(self, "notes", MappingProxyType(dict(self.notes)))


# --------------------------------------------------------------------------- matching
#
# Internally a span is the tuple ``(start, end, label)``: tuples hash and
# compare in C, which makes the scorer several times faster than with Span
# objects. Span objects are built only for error records.

_T = tuple  # (start, end, label)


def _overlap(a: _T, b: _T) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _solve(gold: Sequence[_T], pred: Sequence[_T], key: Callable) -> list[tuple[int, int, float]]:
    """Optimal one-to-one pairing of ``gold`` and ``pred`` (tuples).

    ``key(g, p)`` returns ``None`` if the pair is not allowed, else a tuple
    ``(credit, same_label, overlap_chars)``; the pairing maximises the sum of
    credits, then of same_label, then of overlap. Returns ``(gi, pi, credit)``.
    """
    if not gold or not pred:
        return []
    # Sweep the union of intervals into overlap clusters.
    items = sorted([(s[0], s[1], 0, i) for i, s in enumerate(gold)] + [(s[0], s[1], 1, i) for i, s in enumerate(pred)])
    pairs: list[tuple[int, int, float]] = []
    cluster: list[tuple[int, int, int, int]] = []
    cluster_end = -1
    for item in items:
        if cluster and item[0] >= cluster_end:
            _solve_cluster(cluster, gold, pred, key, pairs)
            cluster = []
            cluster_end = -1
        cluster.append(item)
        if item[1] > cluster_end:
            cluster_end = item[1]
    if cluster:
        _solve_cluster(cluster, gold, pred, key, pairs)
    return pairs


def _solve_cluster(
    cluster: list[tuple[int, int, int, int]],
    gold: Sequence[_T],
    pred: Sequence[_T],
    key: Callable,
    pairs: list[tuple[int, int, float]],
) -> None:
    gi = [i for _, _, side, i in cluster if side == 0]
    pi = [i for _, _, side, i in cluster if side == 1]
    if not gi or not pi:
        return
    if len(gi) == 1 and len(pi) == 1:
        k = key(gold[gi[0]], pred[pi[0]])
        if k is not None:
            pairs.append((gi[0], pi[0], k[0]))
        return
    keys = {}
    for a in gi:
        for b in pi:
            k = key(gold[a], pred[b])
            if k is not None:
                keys[a, b] = k
    if not keys:
        return
    # If every span has at most one allowed partner, the pairing is forced.
    ga = Counter(a for a, _ in keys)
    pb = Counter(b for _, b in keys)
    if max(ga.values()) == 1 and max(pb.values()) == 1:
        pairs.extend((a, b, k[0]) for (a, b), k in keys.items())
        return
    from scipy.optimize import linear_sum_assignment

    # Lexicographic objective as one integer weight: any gain of 0.5 credit
    # outweighs every possible same-label and overlap total, and any gain of
    # one same-label pair outweighs every possible overlap total.
    n = min(len(gi), len(pi))
    length = max(e for _, e, _, _ in cluster) - min(s for s, _, _, _ in cluster)
    m2 = n * length + 1
    m1 = (n + 1) * m2
    weights = np.zeros((len(gi), len(pi)))
    row = {a: r for r, a in enumerate(gi)}
    col = {b: c for c, b in enumerate(pi)}
    for (a, b), (credit, same, ov) in keys.items():
        weights[row[a], col[b]] = round(2 * credit) * m1 + int(same) * m2 + ov
    rows, cols = linear_sum_assignment(weights, maximize=True)
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        a, b = gi[r], pi[c]
        if (a, b) in keys:
            pairs.append((a, b, keys[a, b][0]))


def _match(gold: Sequence[_T], pred: Sequence[_T], mm: MatchMode) -> list[tuple[int, int, float]]:
    if mm.boundary_rule == "exact" and mm.type_rule:
        if len(pred) < 2:
            return [(i, 0, 1.0) for i, g in enumerate(gold) if pred and g == pred[0]]
        where = {s: i for i, s in enumerate(pred)}
        return [(i, where[s], 1.0) for i, s in enumerate(gold) if s in where]

    credit_of = mm.credit

    def key(g: _T, p: _T) -> tuple[float, bool, int] | None:
        ov = min(g[1], p[1]) - max(g[0], p[0])
        if ov <= 0:
            return None
        same = g[2] == p[2]
        credit = credit_of(g[0] == p[0] and g[1] == p[1], True, same)
        if credit == 0:
            return None
        return (credit, same, ov)

    return _solve(gold, pred, key)


def match_spans(
    gold: Sequence[Span], pred: Sequence[Span], *, mode: str | MatchMode = "strict"
) -> list[tuple[int, int, float]]:
    """Pair the spans of one document under ``mode`` (see the module docstring for the rule).

    Args:
        gold: Gold spans (distinct).
        pred: Predicted spans (distinct).
        mode: Match mode name or :class:`eval.modes.MatchMode`.

    Returns:
        ``(gold index, pred index, credit)`` for every pair with credit > 0.
    """
    return _match([(s.start, s.end, s.label) for s in gold], [(s.start, s.end, s.label) for s in pred], get_mode(mode))


def _diagnosis_key(g: _T, p: _T) -> tuple[float, bool, int] | None:
    ov = _overlap(g, p)
    if ov == 0:
        return None
    return (1.0 if g[:2] == p[:2] else 0.5, g[2] == p[2], ov)


def is_proclitic_only(gold: Span, pred: Span, text: str, *, index: WordIndex | None = None) -> bool:
    """True if two overlapping ranges differ only by leading proclitics, or snap to the same words.

    The longer range must end where the shorter one ends and begin at most
    three proclitic letters (و ف ب ل ك, with any combining marks after them)
    earlier, inside the same word; ``للمدينة`` against ``لمدينة``/``المدينة``
    -style splits are covered because the extra prefix is made of ``ل``.
    Pass ``index`` (the text's :class:`annotations.tokenize.WordIndex`) to
    avoid re-tokenizing the text.
    """
    if gold.end == pred.end and gold.start != pred.start:
        lo, hi = sorted((gold.start, pred.start))
        prefix = text[lo:hi]
        letters = [ch for ch in prefix if not _is_mark(ch)]
        if 0 < len(letters) <= 3 and all(ch in PROCLITICS for ch in letters):
            return True
    index = index or WordIndex.of(text)
    return index.snap(*gold.range) == index.snap(*pred.range) and gold.range != pred.range


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) == "Mn" or ch == "\u0640"


# --------------------------------------------------------------------------- scoring


def _unit_starts(doc_units: Sequence[tuple[int, int]], doc_index: int) -> list[int]:
    starts = []
    previous_end = 0
    for n, (start, end) in enumerate(doc_units):
        if not (isinstance(start, int) and isinstance(end, int)) or start > end or start < previous_end:
            raise ScoringError(
                "scoring units must be sorted, non-overlapping (start, end) character ranges",
                field=f"units[{doc_index}][{n}]",
                value=(start, end),
                fix="pass each document's sentences as increasing half-open ranges",
            )
        starts.append(start)
        previous_end = end
    return starts


_as_tuple = attrgetter("start", "end", "label")


def _outermost(spans: list[_T]) -> list[_T]:
    """:func:`annotations.spans.outermost` on sorted distinct tuples (same rule, tested equal)."""
    for i in range(1, len(spans)):
        if spans[i][0] < spans[i - 1][1]:
            break
    else:
        return spans  # no two spans overlap: all are outermost
    ordered = sorted(spans, key=lambda s: (s[0], -s[1], s[2]))
    result: list[_T] = []
    max_end = -1
    cover: tuple[int, int] | None = None
    for span in ordered:
        if cover is not None and span[:2] == cover:
            result.append(span)
            continue
        if span[1] <= max_end:
            continue
        result.append(span)
        max_end = span[1]
        cover = span[:2]
    return sorted(result)


def _prepare(
    spans: Sequence[Span],
    *,
    side: str,
    index: WordIndex | None,
    layer: str,
    notes: Counter,
) -> list[_T]:
    try:
        if index is None:
            result = list(map(_as_tuple, spans))
        else:
            result = []
            for span in spans:
                snapped = index.snap(span.start, span.end)
                if snapped is None:
                    notes[f"{side}_unsnappable"] += 1
                    result.append((span.start, span.end, span.label))
                else:
                    result.append((snapped[0], snapped[1], span.label))
    except AttributeError:
        bad = next(s for s in spans if not isinstance(s, Span))
        raise ScoringError(
            f"{side} spans must be annotations.spans.Span objects",
            field=side,
            value=bad,
            fix="convert offsets to Span(start, end, label)",
        ) from None
    unique = sorted(set(result))
    if len(unique) != len(result):
        notes[f"{side}_duplicates"] += len(result) - len(unique)
    return _outermost(unique) if layer == "flat" else unique


def score_spans(
    gold: Sequence[Sequence[Span]],
    pred: Sequence[Sequence[Span]],
    *,
    mode: str | MatchMode = "strict",
    boundary: str = "char",
    layer: str = "nested",
    texts: Sequence[str] | None = None,
    units: Sequence[Sequence[tuple[int, int]]] | None = None,
    labels: Collection[str] | None = None,
    types: Collection[str] = (),
    errors: bool = True,
) -> SpanScores:
    """Score predicted spans against gold spans, document by document.

    Args:
        gold: Gold spans of each document.
        pred: Predicted spans of each document (same number of documents).
        mode: ``strict``, ``exact``, ``partial`` or ``type`` (:mod:`eval.modes`).
        boundary: ``char`` (raw offsets) or ``word`` (widen to whole words;
            needs ``texts``).
        layer: ``nested`` (all spans) or ``flat`` (outermost spans only).
        texts: The document texts (needed for ``word``; used for
            :attr:`MatchError.proclitic_only`).
        units: Per document, the character ranges of its scoring units
            (sentences). Default: one unit per document.
        labels: The labels the model can emit; gold spans of other labels are
            reported in :attr:`SpanScores.out_of_scope` instead of counted.
            ``None``: every gold label is in scope.
        types: Labels to put on the type axis even if no gold or predicted
            span has them (e.g. the union over systems, so that two results
            have the same axis for a paired test).
        errors: Build :attr:`SpanScores.errors` (set False to skip the work).

    Returns:
        The :class:`SpanScores`.

    Raises:
        ScoringError: On mismatched lengths, an unknown mode/boundary/layer,
            ``word`` without texts, bad units or a span outside every unit.
    """
    mm = get_mode(mode)
    check_boundary(boundary)
    check_layer(layer)
    n_docs = len(gold)
    if len(pred) != n_docs:
        raise ScoringError(
            "gold and predictions must have the same number of documents",
            field="pred",
            value=len(pred),
            fix=f"pass one list of predicted spans per gold document ({n_docs})",
        )
    if texts is not None and len(texts) != n_docs:
        raise ScoringError(
            "texts must have one entry per document",
            field="texts",
            value=len(texts),
            fix=f"pass {n_docs} texts",
        )
    if boundary == "word" and texts is None:
        raise ScoringError(
            "word boundaries need the document texts",
            field="texts",
            value=None,
            fix="pass texts=... or use boundary='char'",
        )
    if units is not None and len(units) != n_docs:
        raise ScoringError(
            "units must have one entry per document",
            field="units",
            value=len(units),
            fix=f"pass {n_docs} lists of (start, end) ranges",
        )
    scope = None if labels is None else frozenset(labels)

    notes: Counter = Counter()
    out_of_scope: Counter = Counter()
    prepared: list[tuple[list[_T], list[_T]]] = []
    indexes: dict[int, WordIndex] = {}
    type_set: set[str] = set(types)
    for d in range(n_docs):
        doc_gold = gold[d]
        if scope is not None:
            kept = []
            for s in doc_gold:
                if s.label in scope:
                    kept.append(s)
                else:
                    out_of_scope[s.label] += 1
            doc_gold = kept
        index = None
        if boundary == "word":
            index = indexes[d] = WordIndex.of(texts[d])  # type: ignore[index]
        g = _prepare(doc_gold, side="gold", index=index, layer=layer, notes=notes)
        p = _prepare(pred[d], side="pred", index=index, layer=layer, notes=notes)
        prepared.append((g, p))
        type_set.update([s[2] for s in g])
        type_set.update([s[2] for s in p])

    axis = tuple(sorted(type_set))
    type_index = {t: i for i, t in enumerate(axis)}
    n_types = len(axis)
    unit_docs: list[int] = []
    unit_starts: list[list[int] | None] = []
    for d in range(n_docs):
        if units is None:
            unit_starts.append(None)
            unit_docs.append(d)
        else:
            starts = _unit_starts(units[d], d)
            unit_starts.append(starts)
            unit_docs.extend([d] * len(starts))
    flat = [0.0] * (len(unit_docs) * n_types * 3)
    records: list[MatchError] = []

    row_base = 0
    for d, (g, p) in enumerate(prepared):
        starts = unit_starts[d]
        if starts is None:
            g_rows = _Constant(row_base)
            p_rows = g_rows
            row_base += 1
        else:
            g_rows = [_unit_row(s, starts, units[d], d, row_base) for s in g]  # type: ignore[index]
            p_rows = [_unit_row(s, starts, units[d], d, row_base) for s in p]  # type: ignore[index]
            row_base += len(starts)
        if g == p:  # a perfect document (or an empty one): every span is a true positive
            for i, s in enumerate(g):
                flat[(g_rows[i] * n_types + type_index[s[2]]) * 3 + TP] += 1.0
            continue
        pairs = _match(g, p, mm)
        if len(pairs) == len(g) == len(p) and all(c == 1.0 for _, _, c in pairs):
            for gi, _, _ in pairs:
                flat[(g_rows[gi] * n_types + type_index[g[gi][2]]) * 3 + TP] += 1.0
            continue
        gold_done = [False] * len(g)
        pred_done = [False] * len(p)
        for gi, pi, credit in pairs:
            gs, ps = g[gi], p[pi]
            gold_done[gi] = pred_done[pi] = True
            gbase = (g_rows[gi] * n_types + type_index[gs[2]]) * 3
            flat[gbase + TP] += credit
            if credit < 1:
                flat[gbase + FN] += 1 - credit
                flat[(p_rows[pi] * n_types + type_index[ps[2]]) * 3 + FP] += 1 - credit
                if errors:
                    records.append(_pair_error(gs, ps, d, credit, texts, indexes))
        left_gold = [i for i, done in enumerate(gold_done) if not done]
        left_pred = [i for i, done in enumerate(pred_done) if not done]
        for i in left_gold:
            flat[(g_rows[i] * n_types + type_index[g[i][2]]) * 3 + FN] += 1
        for i in left_pred:
            flat[(p_rows[i] * n_types + type_index[p[i][2]]) * 3 + FP] += 1
        if errors and (left_gold or left_pred):
            lg = [g[i] for i in left_gold]
            lp = [p[i] for i in left_pred]
            diag = _solve(lg, lp, _diagnosis_key)
            paired_g = {a for a, _, _ in diag}
            paired_p = {b for _, b, _ in diag}
            for a, b, _ in diag:
                records.append(_pair_error(lg[a], lp[b], d, 0.0, texts, indexes))
            for a, s in enumerate(lg):
                if a not in paired_g:
                    span = Span(*s)
                    records.append(MatchError("missed", span, None, d, f"gold {_show(span, texts, d)} not predicted"))
            for b, s in enumerate(lp):
                if b not in paired_p:
                    span = Span(*s)
                    records.append(
                        MatchError("spurious", None, span, d, f"predicted {_show(span, texts, d)} not in gold")
                    )

    array = np.array(flat, dtype=np.float64).reshape(len(unit_docs), n_types, 3)
    records.sort(key=_error_order)
    return SpanScores(
        types=axis,
        unit_counts=array,
        unit_docs=tuple(unit_docs),
        mode=mm.name,
        boundary=boundary,
        layer=layer,
        errors=tuple(records),
        out_of_scope=dict(sorted(out_of_scope.items())),
        notes={k: v for k, v in sorted(notes.items()) if v},
    )


class _Constant:
    """A sequence whose every item is the same row (one unit per document)."""

    __slots__ = ("row",)

    def __init__(self, row: int) -> None:
        self.row = row

    def __getitem__(self, _: int) -> int:
        return self.row


def _unit_row(span: _T, starts: list[int], doc_units: Sequence[tuple[int, int]], d: int, base: int) -> int:
    k = bisect_right(starts, span[0]) - 1
    if k < 0 or span[0] >= doc_units[k][1]:
        raise ScoringError(
            f"document {d}: span starts outside every scoring unit",
            field="units",
            value=Span(*span),
            fix="make the units cover every character where a span can start",
        )
    return base + k


def _error_order(e: MatchError) -> tuple[int, int, int]:
    span = e.gold if e.gold is not None else e.pred
    return (e.doc_index, span.start, span.end)  # type: ignore[union-attr]


def _show(span: Span, texts: Sequence[str] | None, d: int) -> str:
    where = f"{span.label}[{span.start},{span.end})"
    if texts is not None:
        where += f" {span.text_in(texts[d])!r}"
    return where


def _pair_error(
    g: _T, p: _T, d: int, credit: float, texts: Sequence[str] | None, indexes: dict[int, WordIndex]
) -> MatchError:
    gs, ps = Span(*g), Span(*p)
    same_range = g[:2] == p[:2]
    same_type = g[2] == p[2]
    if same_range:
        kind: ErrorKind = "wrong_type"
    elif same_type:
        kind = "boundary"
    else:
        kind = "wrong_type_and_boundary"
    proclitic = None
    if not same_range and texts is not None:
        if d not in indexes:
            indexes[d] = WordIndex.of(texts[d])
        proclitic = is_proclitic_only(gs, ps, texts[d], index=indexes[d])
    detail = f"gold {_show(gs, texts, d)} predicted as {_show(ps, texts, d)}"
    return MatchError(kind, gs, ps, d, detail, credit, proclitic)
