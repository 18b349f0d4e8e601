"""Span-level scoring: one matcher for every match mode, boundary convention and layer.

Per document, in this order: scope (gold labels the model cannot emit are counted out of scope),
boundaries (``word`` widens spans to whole words), duplicates (spans are sets), layer (``flat``
keeps the outermost spans), then one-to-one optimal matching per overlap cluster. The matching
rule, credit attribution, error records, scoring units and how this differs from nervaluate's
greedy pairing are in docs/scoring.md ("Matching rule" and after).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise, repeat
from operator import attrgetter, itemgetter
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

import numpy as np

from arabench.annotations.collector import collection_paused
from arabench.annotations.errors import ScoringError
from arabench.annotations.spans import Span
from arabench.eval.counts import FN, FP, TP, CountTable
from arabench.eval.modes import MatchMode, check_boundary, check_documents, check_layer, get_mode

if TYPE_CHECKING:  # the word rules (and ``regex``) load when words are first needed
    from arabench.annotations.tokenize import WordIndex

#: The word rules this module uses, all from :mod:`arabench.annotations.tokenize` (loaded on first use).
_WORD_RULES = ("WordIndex", "is_proclitic_prefix", "snap_range")


def __getattr__(name: str) -> object:
    """The shared word rules as attributes of this module, imported when first asked for."""
    if name in _WORD_RULES:
        import arabench.annotations.tokenize as tokenize

        return getattr(tokenize, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ErrorKind",
    "MatchError",
    "SpanScores",
    "score_spans",
    "score_span_sets",
    "score_span_arrays",
    "score_span_grid",
    "collection_paused",
    "word_index",
    "words_index",
    "match_spans",
    "is_proclitic_only",
    "TP",
    "FP",
    "FN",
]

ErrorKind = Literal["missed", "spurious", "wrong_type", "boundary", "wrong_type_and_boundary"]


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
    """The result of :func:`score_spans` (a :class:`arabench.eval.counts.CountTable`).

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


def _solve(
    gold: Sequence[_T], pred: Sequence[_T], key: Callable, *, counts_only: bool = False
) -> list[tuple[int, int, float]]:
    """Optimal one-to-one pairing of ``gold`` and ``pred`` (tuples).

    ``key(g, p)`` returns ``None`` if the pair is not allowed, else a tuple
    ``(credit, same_label, overlap_chars)``; the pairing maximises the sum of
    credits, then of same_label, then of overlap. Returns ``(gi, pi, credit)``.
    """
    if not gold or not pred:
        return []
    if len(gold) == 1 and len(pred) == 1:  # one cluster if they overlap, else no pair
        k = key(gold[0], pred[0])
        return [] if k is None else [(0, 0, k[0])]
    # Sweep the union of intervals into overlap clusters.
    items = sorted([(s[0], s[1], 0, i) for i, s in enumerate(gold)] + [(s[0], s[1], 1, i) for i, s in enumerate(pred)])
    pairs: list[tuple[int, int, float]] = []
    cluster: list[tuple[int, int, int, int]] = []
    cluster_end = -1
    for item in items:
        if cluster and item[0] >= cluster_end:
            if len(cluster) == 2:  # the common clusters: one gold span and one prediction, or two of a side
                first, second = cluster
                if first[2] != second[2]:
                    g, p = (first[3], second[3]) if first[2] == 0 else (second[3], first[3])
                    k = key(gold[g], pred[p])
                    if k is not None:
                        pairs.append((g, p, k[0]))
            elif len(cluster) > 2:
                _solve_cluster(cluster, gold, pred, key, pairs, counts_only)
            cluster = []
            cluster_end = -1
        cluster.append(item)
        if item[1] > cluster_end:
            cluster_end = item[1]
    if cluster:
        _solve_cluster(cluster, gold, pred, key, pairs, counts_only)
    return pairs


def _solve_cluster(
    cluster: list[tuple[int, int, int, int]],
    gold: Sequence[_T],
    pred: Sequence[_T],
    key: Callable,
    pairs: list[tuple[int, int, float]],
    counts_only: bool = False,
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
    seen_a: set[int] = set()
    seen_b: set[int] = set()
    for a, b in keys:
        if a in seen_a or b in seen_b:
            break
        seen_a.add(a)
        seen_b.add(b)
    else:
        pairs.extend((a, b, k[0]) for (a, b), k in keys.items())
        return

    # Lexicographic objective as one integer weight: any gain of 0.5 credit
    # outweighs every possible same-label and overlap total, and any gain of
    # one same-label pair outweighs every possible overlap total.
    n = min(len(gi), len(pi))
    length = max(e for _, e, _, _ in cluster) - min(s for s, _, _, _ in cluster)
    m2 = n * length + 1
    m1 = (n + 1) * m2
    if n == 1:
        # One span on a side: the optimum is its best partner; when that weight (as the
        # solver's float) is unique, every optimal assignment, the solver's included, takes it.
        scored = [(float(round(2 * k[0]) * m1 + int(k[1]) * m2 + k[2]), ab) for ab, k in keys.items()]
        best = max(w for w, _ in scored)
        winners = [ab for w, ab in scored if w == best]
        if len(winners) == 1:
            a, b = winners[0]
            pairs.append((a, b, keys[a, b][0]))
            return
    weight_of = {ab: round(2 * k[0]) * m1 + int(k[1]) * m2 + k[2] for ab, k in keys.items()}
    counts = None
    if counts_only:  # what a pairing adds to the counts: its (gold label, predicted label, credit) triples

        def counts(chosen: list[tuple[int, int]]) -> tuple:
            return tuple(sorted((gold[a][2], pred[b][2], keys[a, b][0]) for a, b in chosen))

    unique = _unique_optimum(gi, weight_of, counts)
    if unique is not None:  # every optimal assignment, the solver's included, keeps these pairs
        pairs.extend((a, b, keys[a, b][0]) for a, b in unique)
        return
    from scipy.optimize import linear_sum_assignment

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


def _unique_optimum(
    gi: list[int], weights: Mapping[tuple[int, int], int], counts: Callable | None = None
) -> list[tuple[int, int]] | None:
    """The allowed pairs of the one maximum-weight matching, in ``gi`` order; ``None`` if several tie.

    Enumerates the matchings over the allowed pairs (positive integer weights),
    so only for small clusters (``None`` past 16 pairs). An assignment solver
    fills the rest of its one-to-one assignment with weight-0 pairs, which
    carry no credit and are dropped: when a single matching of allowed pairs
    has the largest total, every optimal assignment keeps exactly its pairs.
    This spares loading the solver for the clusters with one answer. With
    ``counts`` (a matching -> what it adds to the counts), tied matchings that
    add the same counts are one answer too (when only counts are wanted: the
    solver's choice among them changes no count; error records need its choice).
    """
    if len(weights) > 16:
        return None
    options: dict[int, list[int]] = {}
    for a, b in weights:
        options.setdefault(a, []).append(b)
    golds = [a for a in gi if a in options]
    best: list = [-1, 0, [], True]  # total, matchings reaching it, the first one, whether they add the same counts
    chosen: list[tuple[int, int]] = []
    used: set[int] = set()

    def walk(i: int, total: int) -> None:
        if i == len(golds):
            if total > best[0]:
                best[:] = [total, 1, list(chosen), True]
            elif total == best[0]:
                best[1] += 1
                best[3] = best[3] and counts is not None and counts(chosen) == counts(best[2])
            return
        walk(i + 1, total)
        a = golds[i]
        for b in options[a]:
            if b not in used:
                used.add(b)
                chosen.append((a, b))
                walk(i + 1, total + weights[a, b])
                chosen.pop()
                used.discard(b)

    walk(0, 0)
    return best[2] if best[1] == 1 or best[3] else None


def _match(
    gold: Sequence[_T], pred: Sequence[_T], mm: MatchMode, *, counts_only: bool = False
) -> list[tuple[int, int, float]]:
    """Pair ``gold`` and ``pred`` under ``mm``; ``counts_only``: any optimal pairing that gives the same counts."""
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

    return _solve(gold, pred, key, counts_only=counts_only)


def match_spans(
    gold: Sequence[Span], pred: Sequence[Span], *, mode: str | MatchMode = "strict"
) -> list[tuple[int, int, float]]:
    """Pair the spans of one document under ``mode`` (see the module docstring for the rule).

    Args:
        gold: Gold spans (distinct).
        pred: Predicted spans (distinct).
        mode: Match mode name or :class:`arabench.eval.modes.MatchMode`.

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
    Pass ``index`` (the text's :class:`arabench.annotations.tokenize.WordIndex`) to
    avoid re-tokenizing the text.
    """
    from arabench.annotations.tokenize import WordIndex, is_proclitic_prefix

    if gold.end == pred.end and gold.start != pred.start:
        lo, hi = sorted((gold.start, pred.start))
        if is_proclitic_prefix(text[lo:hi], rule="letters"):
            return True
    index = index or WordIndex.of(text)
    return index.snap(*gold.range) == index.snap(*pred.range) and gold.range != pred.range


def _proclitic_only(g: _T, p: _T, text: str, index: WordIndex | None) -> bool:
    """:func:`is_proclitic_only` on two tuples with different ranges (``index``: the text's, if built)."""
    from arabench.annotations.tokenize import is_proclitic_prefix, snap_range

    if g[1] == p[1]:
        lo, hi = (g[0], p[0]) if g[0] < p[0] else (p[0], g[0])
        if is_proclitic_prefix(text[lo:hi], rule="letters"):
            return True
    if index is None:
        return snap_range(text, g[0], g[1]) == snap_range(text, p[0], p[1])
    return index.snap(g[0], g[1]) == index.snap(p[0], p[1])


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
_label_of = itemgetter(2)


def _outermost(spans: list[_T]) -> list[_T]:
    """:func:`arabench.annotations.spans.outermost` on sorted distinct tuples (same rule, tested equal)."""
    for a, b in pairwise(spans):
        if b[0] < a[1]:
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


def _not_spans(spans: Sequence[Span], side: str) -> ScoringError:
    bad = next(s for s in spans if not isinstance(s, Span))
    return ScoringError(
        f"{side} spans must be annotations.spans.Span objects",
        field=side,
        value=bad,
        fix="convert offsets to Span(start, end, label)",
    )


#: Word indexes of recent texts (:func:`word_index`), oldest first, and the characters they cover.
_INDEXES: dict[str, WordIndex] = {}
_INDEXED_CHARS = [0]
#: Texts indexed at most (characters); a longer text is indexed without being kept.
INDEX_CACHE_CHARS = 8_000_000


def word_index(text: str) -> WordIndex:
    """The :class:`arabench.annotations.tokenize.WordIndex` of ``text``, built once and shared by every setting.

    Scoring a corpus in every mode, boundary and layer asks for the index of
    each text once per setting; the indexes of the most recent texts (up to
    :data:`INDEX_CACHE_CHARS` characters in all) are kept, the oldest dropped first.
    """
    from arabench.annotations.tokenize import WordIndex

    index = _INDEXES.get(text)
    if index is not None:
        return index
    index = WordIndex.of(text)
    if len(text) <= INDEX_CACHE_CHARS:
        while _INDEXES and _INDEXED_CHARS[0] + len(text) > INDEX_CACHE_CHARS:
            oldest = next(iter(_INDEXES))
            del _INDEXES[oldest]
            _INDEXED_CHARS[0] -= len(oldest)
        _INDEXES[text] = index
        _INDEXED_CHARS[0] += len(text)
    return index


def words_index(text: str, words: Sequence[tuple[int, int]] | None, *, doc: int = 0) -> WordIndex:
    """The word index of one document: of its own tokens ``words`` when given, else :func:`word_index` of its text.

    ``words`` (a CoNLL file's tokens, :class:`arabench.annotations.conll.TokenLayout`) must be sorted,
    non-overlapping, non-empty ``(start, end)`` ranges within the text.

    Raises:
        ScoringError: Naming the first bad token range.
    """
    if words is None:
        return word_index(text)
    starts, ends = [], []
    last = 0
    for n, (start, end) in enumerate(words):
        if not last <= start < end <= len(text):
            raise ScoringError(
                f"document {doc}: the words must be sorted, non-overlapping, non-empty ranges within the text "
                f"(length {len(text)})",
                field=f"words[{doc}][{n}]",
                value=(start, end),
                fix="pass each token's (start, end) character offsets, in order",
            )
        starts.append(start)
        ends.append(end)
        last = end
    from arabench.annotations.tokenize import WordIndex

    return WordIndex(starts=starts, ends=ends)


def _prepare(spans: Sequence[Span], side: str, index: WordIndex | None, notes: Counter) -> tuple[set[_T], list[_T]]:
    """The distinct spans of one side of one document as tuples (a set, and sorted), snapped to words with ``index``.

    The sorted list is sorted from the input order (spans usually come sorted, which the sort
    finishes in one pass), not from the set's hash order.
    """
    try:
        if index is None:
            result = list(map(_as_tuple, spans))
        else:
            result = []
            snap = index.snap
            for span in spans:
                snapped = snap(span.start, span.end)
                if snapped is None:
                    notes[f"{side}_unsnappable"] += 1
                    result.append((span.start, span.end, span.label))
                else:
                    result.append((snapped[0], snapped[1], span.label))
    except AttributeError:
        raise _not_spans(spans, side) from None
    unique = set(result)
    result.sort()
    if len(unique) != len(result):
        notes[f"{side}_duplicates"] += len(result) - len(unique)
        result = [s for k, s in enumerate(result) if not k or s != result[k - 1]]
    return unique, result


class _Counts:
    """The tp (or fp, or fn) contributions of every span, in the order the matcher makes them.

    Each contribution is a label (the type), a unit row and a weight (1.0 until a fractional
    credit appears, then kept explicitly). :meth:`sums` adds them per (row, type)
    cell with ``np.bincount``, which adds the weights of each cell one by one in this order, so
    every sum is the float the running sums ``cell += weight`` would give.
    """

    __slots__ = ("labels", "rows", "weights")

    def __init__(self) -> None:
        self.labels: list[str] = []
        self.rows: list[int] = []
        self.weights: list[float] | None = None

    def extend(self, spans: Collection[_T], row: int) -> None:
        self.labels.extend(map(_label_of, spans))
        self.rows.extend(repeat(row, len(spans)))
        if self.weights is not None:
            self.weights.extend(repeat(1.0, len(spans)))

    def extend_rows(self, spans: Collection[_T], row_of: Mapping[_T, int]) -> None:
        """Add full-credit contributions, each span in its own unit row."""
        self.labels.extend(map(_label_of, spans))
        self.rows.extend(map(row_of.__getitem__, spans))
        if self.weights is not None:
            self.weights.extend(repeat(1.0, len(spans)))

    def add(self, span: _T, row: int, weight: float = 1.0) -> None:
        self.labels.append(span[2])
        self.rows.append(row)
        if self.weights is None and weight != 1.0:
            self.weights = [1.0] * (len(self.labels) - 1)
        if self.weights is not None:
            self.weights.append(weight)

    def sums(self, type_index: Mapping[str, int], n_types: int, n_cells: int) -> np.ndarray:
        if not self.labels:
            return np.zeros(n_cells)
        types = np.fromiter(map(type_index.__getitem__, self.labels), np.intp, len(self.labels))
        cells = np.array(self.rows, dtype=np.intp) * n_types + types
        weights = None if self.weights is None else np.array(self.weights, dtype=np.float64)
        return np.bincount(cells, weights=weights, minlength=n_cells)


# Records and their spans are made without re-running the dataclass __init__ (each field is set
# through its slot, as __init__ does): the values come from valid spans, and a corpus can have
# a hundred thousand records.
_new_object = object.__new__
_span_fields = tuple(getattr(Span, f).__set__ for f in ("start", "end", "label"))
_error_fields = tuple(
    getattr(MatchError, f).__set__ for f in ("kind", "gold", "pred", "doc_index", "detail", "credit", "proclitic_only")
)


def _span(start: int, end: int, label: str) -> Span:
    """``Span(start, end, label)`` for a range taken from a valid Span (or snapped to words)."""
    span = _new_object(Span)
    set_start, set_end, set_label = _span_fields
    set_start(span, start)
    set_end(span, end)
    set_label(span, label)
    return span


def _error(
    kind: ErrorKind,
    gold: Span | None,
    pred: Span | None,
    doc_index: int,
    detail: str,
    credit: float = 0.0,
    proclitic_only: bool | None = None,
) -> MatchError:
    """``MatchError(...)`` with the same fields."""
    error = _new_object(MatchError)
    set_kind, set_gold, set_pred, set_doc, set_detail, set_credit, set_proclitic = _error_fields
    set_kind(error, kind)
    set_gold(error, gold)
    set_pred(error, pred)
    set_doc(error, doc_index)
    set_detail(error, detail)
    set_credit(error, credit)
    set_proclitic(error, proclitic_only)
    return error


class _Records:
    """Error records of the scored documents and their sort keys ``(doc, start, end)``."""

    __slots__ = ("keys", "records")

    def __init__(self) -> None:
        self.records: list[MatchError] = []
        self.keys: list[tuple[int, int, int]] = []

    def pair(self, g: _T, p: _T, d: int, credit: float, text: str | None, index: WordIndex | None) -> None:
        if g[0] == p[0] and g[1] == p[1]:
            kind: ErrorKind = "wrong_type"
            proclitic = None
        else:
            kind = "boundary" if g[2] == p[2] else "wrong_type_and_boundary"
            proclitic = None if text is None else _proclitic_only(g, p, text, index)
        if text is None:
            detail = f"gold {g[2]}[{g[0]},{g[1]}) predicted as {p[2]}[{p[0]},{p[1]})"
        else:
            detail = (
                f"gold {g[2]}[{g[0]},{g[1]}) {text[g[0] : g[1]]!r} "
                f"predicted as {p[2]}[{p[0]},{p[1]}) {text[p[0] : p[1]]!r}"
            )
        self.records.append(_error(kind, _span(*g), _span(*p), d, detail, credit, proclitic))
        self.keys.append((d, g[0], g[1]))

    def leftovers(self, lg: list[_T], lp: list[_T], d: int, text: str | None, index: WordIndex | None) -> None:
        """Diagnose the spans the matcher left unpaired (sorted lists): see the module docstring."""
        if lg and lp:
            diag = _forced_pairs(lg, lp)
            if diag is None:
                diag = [(a, b) for a, b, _ in _solve(lg, lp, _diagnosis_key)]
            if diag:
                for a, b in diag:
                    self.pair(lg[a], lp[b], d, 0.0, text, index)
                paired_g = {a for a, _ in diag}
                paired_p = {b for _, b in diag}
                lg = [s for a, s in enumerate(lg) if a not in paired_g]
                lp = [s for b, s in enumerate(lp) if b not in paired_p]
        records, keys = self.records, self.keys
        for g in lg:
            shown = "" if text is None else f" {text[g[0] : g[1]]!r}"
            records.append(_error("missed", _span(*g), None, d, f"gold {g[2]}[{g[0]},{g[1]}){shown} not predicted"))
            keys.append((d, g[0], g[1]))
        for p in lp:
            shown = "" if text is None else f" {text[p[0] : p[1]]!r}"
            records.append(
                _error("spurious", None, _span(*p), d, f"predicted {p[2]}[{p[0]},{p[1]}){shown} not in gold")
            )
            keys.append((d, p[0], p[1]))

    def sorted(self) -> tuple[MatchError, ...]:
        """The records by document, then start, then end (stable: ties keep the order made)."""
        order = sorted(range(len(self.keys)), key=self.keys.__getitem__)
        records = self.records
        return tuple([records[i] for i in order])


def _forced_pairs(gold: list[_T], pred: list[_T]) -> list[tuple[int, int]] | None:
    """The overlapping pairs when no span overlaps two others (the pairing any rule must take), else ``None``.

    Pairs are in gold order, the order :func:`_solve` gives them. ``None`` also
    when the lists are too long to compare every pair.
    """
    if len(gold) * len(pred) > 64:
        return None
    pairs = []
    taken = set()
    for a, g in enumerate(gold):
        found = None
        for b, p in enumerate(pred):
            if p[0] < g[1] and g[0] < p[1]:
                if found is not None or b in taken:
                    return None
                found = b
        if found is not None:
            taken.add(found)
            pairs.append((a, found))
    return pairs


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
    words: Sequence[Sequence[tuple[int, int]] | None] | None = None,
) -> SpanScores:
    """Score predicted spans against gold spans, document by document.

    Args:
        gold: Gold spans of each document.
        pred: Predicted spans of each document (same number of documents).
        mode: ``strict``, ``exact``, ``partial`` or ``type`` (:mod:`arabench.eval.modes`).
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
        words: Per document, its own tokens for ``word`` boundaries (a CoNLL corpus's), or ``None`` for the
            words of :func:`arabench.annotations.tokenize.word_offsets` (:func:`words_index`).

    Returns:
        The :class:`SpanScores`.

    Raises:
        ScoringError: On mismatched lengths, an unknown mode/boundary/layer,
            ``word`` without texts, bad units or a span outside every unit.
    """
    mm = get_mode(mode)
    check_boundary(boundary)
    check_layer(layer)
    _check_span_inputs(gold, pred, texts, units, words_needed=boundary == "word")
    scope = None if labels is None else frozenset(labels)
    with collection_paused():
        return _score(gold, pred, mm, boundary, layer, texts, units, scope, types, errors, words=words)


def _check_span_inputs(
    gold: Sequence[Sequence[Span]],
    pred: Sequence[Sequence[Span]],
    texts: Sequence[str] | None,
    units: Sequence[Sequence[tuple[int, int]]] | None,
    *,
    words_needed: bool,
) -> None:
    """The checks :func:`score_spans` and :func:`score_span_grid` share: documents, units and texts agree."""
    n_docs = check_documents(gold, pred, units=units, items="spans")
    if texts is not None and len(texts) != n_docs:
        raise ScoringError(
            "texts must have one entry per document", field="texts", value=len(texts), fix=f"pass {n_docs} texts"
        )
    if words_needed and texts is None:
        raise ScoringError(
            "word boundaries need the document texts",
            field="texts",
            value=None,
            fix="pass texts=... or use boundary='char'",
        )


def score_span_grid(
    gold: Sequence[Sequence[Span]],
    pred: Sequence[Sequence[Span]],
    settings: Iterable[tuple[str, str, str]],
    *,
    texts: Sequence[str] | None = None,
    units: Sequence[Sequence[tuple[int, int]]] | None = None,
    labels: Collection[str] | None = None,
    types: Collection[str] = (),
    errors: Collection[tuple[str, str, str]] = (),
    words: Sequence[Sequence[tuple[int, int]] | None] | None = None,
) -> dict[tuple[str, str, str], SpanScores]:
    """Score many ``(mode, boundary, layer)`` settings of the same spans in one pass.

    The result of each setting is exactly :func:`score_spans` with that setting
    (tested equal); what every setting shares is computed once: the scope, the
    word snapping, the distinct sorted spans of each boundary, the flat layer
    (taken from the nested one) and the unit row of every span. Only the
    matching and counting run once per mode.

    Args:
        settings: The ``(mode, boundary, layer)`` settings to score (e.g.
            :func:`arabench.eval.modes.span_grid`).
        gold: Gold spans of each document (as for :func:`score_spans`).
        pred: Predicted spans of each document.
        texts: The document texts (needed for ``word`` boundaries).
        units: Per document, the character ranges of its scoring units.
        labels: The labels the model can emit (``None``: every gold label is in scope).
        types: Labels to put on the type axis of every setting.
        errors: The settings whose :attr:`SpanScores.errors` are built (the
            others have none).
        words: Per document, its own tokens for ``word`` boundaries, or ``None`` (as for :func:`score_spans`).

    Returns:
        Setting -> scores, in the order of ``settings``.
    """
    wanted = [(get_mode(m), b, layer) for m, b, layer in settings]
    for _, b, layer in wanted:
        check_boundary(b)
        check_layer(layer)
    _check_span_inputs(gold, pred, texts, units, words_needed=any(b == "word" for _, b, _ in wanted))
    scope = None if labels is None else frozenset(labels)
    with_errors = {(get_mode(m).name, b, layer) for m, b, layer in errors}
    out: dict[tuple[str, str, str], SpanScores] = {}
    with collection_paused():
        for boundary in dict.fromkeys(b for _, b, _ in wanted):
            nested = _Prepared(gold, pred, boundary, "nested", texts, units, scope, keep=True, words=words)
            # Without a span inside another (every CoNLL corpus and tagger), the flat layer is the nested one:
            # each mode is counted once and its scores named for both layers.
            counted: dict[tuple[str, bool], SpanScores] = {}
            for layer in dict.fromkeys(layer for _, b, layer in wanted if b == boundary):
                prepared = nested
                if layer == "flat" and _nests(nested):
                    prepared = _Prepared(
                        gold, pred, boundary, "flat", texts, units, scope, keep=True, base=nested, words=words
                    )
                for mm, b, lay in wanted:
                    if (b, lay) == (boundary, layer):
                        key = (mm.name, b, lay)
                        if prepared is not nested:
                            out[key] = _count(prepared, mm, b, lay, types, key in with_errors)
                            continue
                        once = (mm.name, key in with_errors)
                        if once not in counted:
                            counted[once] = _count(nested, mm, b, lay, types, key in with_errors)
                        scores = counted[once]
                        out[key] = replace(scores, layer=lay, unit_counts=scores.unit_counts.copy())
    return {(mm.name, b, layer): out[mm.name, b, layer] for mm, b, layer in wanted}


def _nests(prepared: _Prepared) -> bool:
    """Whether a side of a prepared (nested) document has a span that its flat layer leaves out."""
    for _, g_set, p_set, _, g_sorted, p_sorted, _ in prepared.docs():
        if len(_outermost(g_sorted)) != len(g_set) or len(_outermost(p_sorted)) != len(p_set):
            return True
    return False


def score_span_sets(
    gold: Sequence[set[tuple[int, int, str]]],
    pred: Sequence[set[tuple[int, int, str]]],
    *,
    mode: str | MatchMode = "strict",
    boundary: str = "char",
    layer: str = "nested",
    notes: Mapping[str, int] | None = None,
    disjoint: bool = False,
) -> SpanScores:
    """Count spans already prepared: per document, the set of ``(start, end, label)`` tuples to score.

    The fast path of readers that make spans themselves (``arabench score`` on
    CoNLL files): no :class:`arabench.annotations.spans.Span` objects, no error records,
    no scope. The sets must already be what :func:`score_spans` would score in
    ``boundary`` and ``layer`` (spans decoded from tags are disjoint, so their
    flat and nested layers are the same; over whole-word tokens they are whole
    words); ``boundary`` and ``layer`` only name the setting in the result.
    ``notes`` are carried into the result. ``disjoint``: no two spans of a
    side overlap (spans decoded from tags), so a span equal to one of the other
    side overlaps nothing else and is a full-credit pair in every mode, counted
    without the matcher.
    """
    mm = get_mode(mode)
    check_boundary(boundary)
    check_layer(layer)
    check_documents(gold, pred, units=None, items="span sets")
    with collection_paused():
        scores = _score(gold, pred, mm, boundary, "nested", None, None, None, (), False, ready=True, disjoint=disjoint)
    merged = Counter(scores.notes)
    merged.update(notes or {})
    return SpanScores(
        types=scores.types,
        unit_counts=scores.unit_counts,
        unit_docs=scores.unit_docs,
        mode=scores.mode,
        boundary=boundary,
        layer=layer,
        notes={k: v for k, v in sorted(merged.items()) if v},
    )


def score_span_arrays(
    gold: tuple[np.ndarray, np.ndarray, np.ndarray],
    pred: tuple[np.ndarray, np.ndarray, np.ndarray],
    labels: Sequence[str],
    *,
    modes: Iterable[str],
    boundary: str = "char",
    layer: str = "nested",
    notes: Mapping[str, int] | None = None,
) -> dict[str, SpanScores]:
    """Every mode of :func:`score_span_sets` for one document of disjoint spans held as arrays, from one pass.

    ``gold`` and ``pred`` are ``(starts, ends, label numbers)`` numpy ``int64`` arrays, each side's
    spans disjoint and in order (spans decoded from tags: what the CoNLL fast path of ``arabench
    score`` reads), ``labels[n]`` the label of number ``n``. The same counts as :func:`score_span_sets`
    with ``disjoint=True``: a span whose range is also a span of the other side overlaps nothing
    else, so those pairs are found for every mode at once with array operations (a full-credit pair
    in ``exact`` and ``partial`` whatever the labels; in ``strict`` and ``type`` a pair when the
    labels agree, else a miss and a false alarm); the matcher pairs the spans left, the few that
    overlap without the same range (``partial`` and ``type``). Returns a :class:`SpanScores` per mode.
    """
    wanted = [get_mode(m) for m in dict.fromkeys(modes)]
    check_boundary(boundary)
    check_layer(layer)
    g_start, g_end, g_label = gold
    p_start, p_end, p_label = pred
    for side, (starts, ends) in (("gold", (g_start, g_end)), ("pred", (p_start, p_end))):
        if len(starts) and ((ends <= starts).any() or (starts[1:] < ends[:-1]).any()):
            raise ScoringError(
                f"{side} spans are not disjoint and in order", field=side, fix="use score_span_sets for other spans"
            )
    # The spans of the other side with the same range: at most one (a side's starts are distinct).
    at = np.searchsorted(p_start, g_start)
    at_c = np.minimum(at, max(len(p_start) - 1, 0))
    same = (at < len(p_start)) & (p_start[at_c] == g_start) & (p_end[at_c] == g_end) if len(p_start) else at < 0
    g_same = np.flatnonzero(same)
    p_same = at[g_same]
    agree = g_label[g_same] == p_label[p_same]
    n_types = len(labels)
    present = np.zeros(n_types, dtype=bool)
    present[g_label] = True
    present[p_label] = True
    axis = tuple(sorted(labels[k] for k in np.flatnonzero(present).tolist()))
    column = np.array([axis.index(label) if present[k] else 0 for k, label in enumerate(labels)], dtype=np.intp)
    size = len(axis)

    def sums(numbers: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(column[numbers], weights=weights, minlength=size).astype(np.float64)

    g_paired = np.zeros(len(g_start), dtype=bool)
    p_paired = np.zeros(len(p_start), dtype=bool)
    g_paired[g_same] = True
    p_paired[p_same] = True
    g_rest = np.flatnonzero(~g_paired)
    p_rest = np.flatnonzero(~p_paired)
    rest: tuple[list[_T], list[_T]] | None = None
    out: dict[str, SpanScores] = {}
    for mm in wanted:
        array = np.zeros((1, size, 3), dtype=np.float64)
        if mm.boundary_rule == "exact":  # pairs of the same range only
            pairs = g_same[agree] if mm.type_rule else g_same
            g_left = np.ones(len(g_start), dtype=bool)
            p_left = np.ones(len(p_start), dtype=bool)
            g_left[pairs] = False
            p_left[at[pairs]] = False
            array[0, :, TP] = sums(g_label[pairs])
            array[0, :, FN] = sums(g_label[g_left])
            array[0, :, FP] = sums(p_label[p_left])
        else:
            pairs = g_same[agree] if mm.type_rule else g_same
            array[0, :, TP] = sums(g_label[pairs])
            if mm.type_rule:  # same range, other label: alone together, and no pair
                array[0, :, FN] = sums(g_label[g_same[~agree]])
                array[0, :, FP] = sums(p_label[p_same[~agree]])
            if rest is None:
                rest = (
                    list(zip(g_start[g_rest].tolist(), g_end[g_rest].tolist(), g_label[g_rest].tolist(), strict=True)),
                    list(zip(p_start[p_rest].tolist(), p_end[p_rest].tolist(), p_label[p_rest].tolist(), strict=True)),
                )
            g, p = rest
            # The matcher compares labels by equality: label numbers compare as the labels do.
            tp_n, tp_w, fn_n, fn_w, fp_n, fp_w = [], [], [], [], [], []
            g_done = [False] * len(g)
            p_done = [False] * len(p)
            for gi, pi, credit in _match(g, p, mm, counts_only=True):
                g_done[gi] = p_done[pi] = True
                tp_n.append(g[gi][2])
                tp_w.append(credit)
                if credit < 1:
                    fn_n.append(g[gi][2])
                    fn_w.append(1 - credit)
                    fp_n.append(p[pi][2])
                    fp_w.append(1 - credit)
            fn_n.extend(s[2] for s, done in zip(g, g_done, strict=True) if not done)
            fn_w.extend(1.0 for done in g_done if not done)
            fp_n.extend(s[2] for s, done in zip(p, p_done, strict=True) if not done)
            fp_w.extend(1.0 for done in p_done if not done)
            for slot, numbers, weights in ((TP, tp_n, tp_w), (FN, fn_n, fn_w), (FP, fp_n, fp_w)):
                if numbers:
                    array[0, :, slot] += sums(np.array(numbers, dtype=np.intp), np.array(weights, dtype=np.float64))
        out[mm.name] = SpanScores(
            types=axis,
            unit_counts=array,
            unit_docs=(0,),
            mode=mm.name,
            boundary=boundary,
            layer=layer,
            notes={k: v for k, v in sorted((notes or {}).items()) if v},
        )
    return out


class _Prepared:
    """What every match mode of one boundary and layer shares, computed once (see :func:`score_span_grid`).

    ``docs`` yields, per document, ``(d, g_set, p_set, index, g_sorted, p_sorted, row_of)``: the
    distinct span tuples of each side (scoped, snapped, layered), the same in sorted order, the
    document's word index (``word`` boundaries) and the unit row of every span (``None`` without
    units). Sorted lists come from the spans in input order (usually sorted already, which
    Python's sort finishes in linear time), never from a set's hash order. With ``keep`` the
    documents are kept for the next mode; otherwise they are made while counting (one at a time).
    """

    __slots__ = ("_docs", "_make", "n_units", "notes", "out_of_scope", "texts", "unit_docs", "unit_starts")

    def __init__(
        self,
        gold: Sequence,
        pred: Sequence,
        boundary: str,
        layer: str,
        texts: Sequence[str] | None,
        units: Sequence[Sequence[tuple[int, int]]] | None,
        scope: frozenset[str] | None,
        *,
        ready: bool = False,
        keep: bool = False,
        base: _Prepared | None = None,
        words: Sequence[Sequence[tuple[int, int]] | None] | None = None,
    ) -> None:
        n_docs = len(gold)
        self.texts = texts
        self.notes: Counter = Counter() if base is None else base.notes
        self.out_of_scope: Counter = Counter() if base is None else base.out_of_scope
        flat = layer == "flat"
        word = boundary == "word"
        notes, out_of_scope = self.notes, self.out_of_scope

        def sets() -> Iterator[tuple[int, set[_T], set[_T], WordIndex | None, list[_T] | None, list[_T] | None]]:
            if base is not None:  # the flat layer of an already prepared nested layer
                for d, g_set, p_set, index, g_sorted, p_sorted, _ in base.docs():
                    if g_set == p_set:  # the same outermost spans: layer one side only
                        g_sorted = p_sorted = _outermost(g_sorted)  # type: ignore[arg-type]
                        g_set = p_set = g_set if len(g_sorted) == len(g_set) else set(g_sorted)
                    else:
                        g_kept, p_kept = _outermost(g_sorted), _outermost(p_sorted)  # type: ignore[arg-type]
                        g_set = g_set if len(g_kept) == len(g_set) else set(g_kept)
                        p_set = p_set if len(p_kept) == len(p_set) else set(p_kept)
                        g_sorted, p_sorted = g_kept, p_kept
                    yield d, g_set, p_set, index, g_sorted, p_sorted
                return
            if ready:
                for d in range(n_docs):
                    yield d, gold[d], pred[d], None, None, None  # sorted when a mode needs it
                return
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
                index = (
                    words_index(texts[d], None if words is None else words[d], doc=d)  # type: ignore[index]
                    if word
                    else None
                )
                g_set, g_sorted = _prepare(doc_gold, "gold", index, notes)
                p_set, p_sorted = _prepare(pred[d], "pred", index, notes)
                if flat:
                    if g_set == p_set:  # the same outermost spans: layer one side only
                        g_sorted = p_sorted = _outermost(g_sorted)
                        g_set = p_set = g_set if len(g_sorted) == len(g_set) else set(g_sorted)
                    else:
                        g_kept, p_kept = _outermost(g_sorted), _outermost(p_sorted)
                        g_set = g_set if len(g_kept) == len(g_set) else set(g_kept)
                        p_set = p_set if len(p_kept) == len(p_set) else set(p_kept)
                        g_sorted, p_sorted = g_kept, p_kept
                yield d, g_set, p_set, index, g_sorted, p_sorted

        self._docs: list | None = None
        if units is None:
            self.unit_docs = list(range(n_docs))
            self.unit_starts: list[list[int]] | None = None
            self.n_units = n_docs

            def make() -> Iterator:
                for d, g_set, p_set, index, g_sorted, p_sorted in sets():
                    yield d, g_set, p_set, index, g_sorted, p_sorted, None

            self._make = make
            if keep:
                self._docs = list(make())
            return
        prepared = list(sets())  # every document is checked before the units, as they always were
        if base is not None and base.unit_starts is not None:
            unit_starts = base.unit_starts
        else:
            unit_starts = [_unit_starts(units[d], d) for d in range(n_docs)]
        self.unit_starts = unit_starts
        self.unit_docs = [d for d, starts in enumerate(unit_starts) for _ in starts]
        self.n_units = len(self.unit_docs)
        docs = []
        row = 0  # the first unit row of the document
        for d, g_set, p_set, index, g_sorted, p_sorted in prepared:
            starts = unit_starts[d]
            row_of = _unit_rows(g_sorted, p_sorted, starts, units[d], d, row)  # type: ignore[arg-type]
            docs.append((d, g_set, p_set, index, g_sorted, p_sorted, row_of))
            row += len(starts)
        self._docs = docs
        self._make = lambda: iter(docs)

    def docs(self) -> Iterator:
        return iter(self._docs) if self._docs is not None else self._make()


def _unit_rows(
    g_sorted: list[_T], p_sorted: list[_T], starts: list[int], doc_units: Sequence[tuple[int, int]], d: int, base: int
) -> dict[_T, int]:
    """The unit row of every span of a document (both sides), found for all spans at once with numpy."""
    if not g_sorted and not p_sorted:
        return {}
    starts_array = np.asarray(starts, dtype=np.int64)
    ends_array = np.fromiter((u[1] for u in doc_units), dtype=np.int64, count=len(doc_units))
    row_of: dict[_T, int] = {}
    for side in (g_sorted, p_sorted):
        if not side:
            continue
        where = np.fromiter((s[0] for s in side), dtype=np.int64, count=len(side))
        k = np.searchsorted(starts_array, where, side="right") - 1
        bad = k < 0
        bad |= where >= ends_array[np.maximum(k, 0)] if len(ends_array) else True
        if bad.any():
            _unit_row(side[int(np.argmax(bad))], starts, doc_units, d, base)  # raises, naming the span
        row_of.update(zip(side, (k + base).tolist(), strict=True))
    return row_of


def _score(
    gold: Sequence[Sequence[Span]],
    pred: Sequence[Sequence[Span]],
    mm: MatchMode,
    boundary: str,
    layer: str,
    texts: Sequence[str] | None,
    units: Sequence[Sequence[tuple[int, int]]] | None,
    scope: frozenset[str] | None,
    types: Collection[str],
    errors: bool,
    *,
    ready: bool = False,
    disjoint: bool = False,
    words: Sequence[Sequence[tuple[int, int]] | None] | None = None,
) -> SpanScores:
    """:func:`score_spans` after its arguments are checked (``ready``: sets of tuples, see :func:`score_span_sets`)."""
    prepared = _Prepared(gold, pred, boundary, layer, texts, units, scope, ready=ready, words=words)
    return _count(prepared, mm, boundary, layer, types, errors, disjoint=disjoint)


def _count(
    prepared: _Prepared,
    mm: MatchMode,
    boundary: str,
    layer: str,
    types: Collection[str],
    errors: bool,
    *,
    disjoint: bool = False,
) -> SpanScores:
    """Match and count every document of ``prepared`` under ``mm``."""
    # Strict matching pairs equal tuples only: the pairs are the intersection of the two sets.
    strict = mm.boundary_rule == "exact" and mm.type_rule
    texts = prepared.texts
    type_set: set[str] = set(types)
    tp, fp, fn = _Counts(), _Counts(), _Counts()
    records = _Records()
    tp_labels, tp_rows = tp.labels, tp.rows
    fp_labels, fp_rows = fp.labels, fp.rows
    fn_labels, fn_rows = fn.labels, fn.rows
    unit_starts = prepared.unit_starts
    row = 0  # the first unit row of the document
    for d, g_set, p_set, index, g_sorted, p_sorted, row_of in prepared.docs():
        if g_set == p_set:  # a perfect document (or an empty one): every span is a true positive
            if row_of is None:
                if tp.weights is None:
                    tp_labels.extend(map(_label_of, g_set))
                    tp_rows.extend(repeat(row, len(g_set)))
                else:
                    tp.extend(g_set, row)
            else:
                tp.extend_rows(g_sorted, row_of)
        elif strict:
            common = g_set & p_set
            if errors or row_of is not None:  # in sorted order, without sorting again
                left_gold = [s for s in g_sorted if s not in p_set]
                left_pred = [s for s in p_sorted if s not in g_set]
            else:
                left_gold = g_set - common  # type: ignore[assignment]
                left_pred = p_set - common  # type: ignore[assignment]
            if row_of is None:  # (strict credits are all 1.0: no weights)
                tp_labels.extend(map(_label_of, common))
                tp_rows.extend(repeat(row, len(common)))
                fn_labels.extend(map(_label_of, left_gold))
                fn_rows.extend(repeat(row, len(left_gold)))
                fp_labels.extend(map(_label_of, left_pred))
                fp_rows.extend(repeat(row, len(left_pred)))
            else:
                tp.extend_rows(common, row_of)
                fn.extend_rows(left_gold, row_of)
                fp.extend_rows(left_pred, row_of)
            if errors:
                records.leftovers(left_gold, left_pred, d, None if texts is None else texts[d], index)
        else:
            g, p = g_sorted, p_sorted
            if disjoint and row_of is None:  # an equal span on the other side is alone with it: a full-credit pair
                common = g_set & p_set
                tp_labels.extend(map(_label_of, common))
                tp_rows.extend(repeat(row, len(common)))
                if tp.weights is not None:
                    tp.weights.extend(repeat(1.0, len(common)))
                if common and g is not None:
                    g = [s for s in g if s not in common]
                    p = [s for s in p if s not in common]  # type: ignore[union-attr]
                elif g is None:
                    g, p = sorted(g_set - common), sorted(p_set - common)
            elif g is None:
                g, p = sorted(g_set), sorted(p_set)
            type_set.update(map(_label_of, p))  # type: ignore[arg-type]
            text = None if texts is None else texts[d]
            gold_done = [False] * len(g)  # type: ignore[arg-type]
            pred_done = [False] * len(p)  # type: ignore[arg-type]
            for gi, pi, credit in _match(g, p, mm, counts_only=not errors and row_of is None):  # type: ignore[arg-type]
                gs, ps = g[gi], p[pi]  # type: ignore[index]
                gold_done[gi] = pred_done[pi] = True
                g_row = row if row_of is None else row_of[gs]
                tp.add(gs, g_row, credit)
                if credit < 1:
                    fn.add(gs, g_row, 1 - credit)
                    fp.add(ps, row if row_of is None else row_of[ps], 1 - credit)
                    if errors:
                        records.pair(gs, ps, d, credit, text, index)
            left_gold = [s for s, done in zip(g, gold_done, strict=True) if not done]  # type: ignore[arg-type]
            left_pred = [s for s, done in zip(p, pred_done, strict=True) if not done]  # type: ignore[arg-type]
            if row_of is None:
                fn.extend(left_gold, row)
                fp.extend(left_pred, row)
            else:
                fn.extend_rows(left_gold, row_of)
                fp.extend_rows(left_pred, row_of)
            if errors and (left_gold or left_pred):
                records.leftovers(left_gold, left_pred, d, text, index)
        row += 1 if unit_starts is None else len(unit_starts[d])

    # Every gold span counts as tp or fn of its label and every prediction as fp of its label
    # unless paired with full credit (in strict and type modes, to a gold span of the same label;
    # other modes added their predicted labels above), so the counts name every scored label.
    for counts in (tp, fp, fn):
        type_set.update(counts.labels)
    axis = tuple(sorted(type_set))
    type_index = {t: i for i, t in enumerate(axis)}
    n_types = len(axis)
    n_units = prepared.n_units
    n_cells = n_units * n_types
    array = np.zeros((n_cells, 3), dtype=np.float64)
    array[:, TP] = tp.sums(type_index, n_types, n_cells)
    array[:, FP] = fp.sums(type_index, n_types, n_cells)
    array[:, FN] = fn.sums(type_index, n_types, n_cells)
    return SpanScores(
        types=axis,
        unit_counts=array.reshape(n_units, n_types, 3),
        unit_docs=tuple(prepared.unit_docs),
        mode=mm.name,
        boundary=boundary,
        layer=layer,
        errors=records.sorted(),
        out_of_scope=dict(sorted(prepared.out_of_scope.items())),
        notes={k: v for k, v in sorted(prepared.notes.items()) if v},
    )


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
