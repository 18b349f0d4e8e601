"""Hypothesis properties of the span scorer, in every mode, boundary and layer."""

from __future__ import annotations

import itertools
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from arabench.annotations.spans import Span, outermost
from arabench.eval.counts import Counts
from arabench.eval.modes import MODES
from arabench.eval.spans import match_spans, score_spans
from arabench.eval.tokens import score_token_view

ALPHABET = "وبالقاهرة سمير "
LABELS = ("A", "B", "C")


@st.composite
def documents(draw, max_spans: int = 6):
    text = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=30))
    n = len(text)

    def spans():
        return st.lists(
            st.builds(
                lambda a, length, label: Span(a, min(n, a + length), label),
                st.integers(0, n - 1),
                st.integers(1, 8),
                st.sampled_from(LABELS),
            ),
            max_size=max_spans,
        )

    return text, draw(spans()), draw(spans())


corpora = st.lists(documents(), min_size=1, max_size=5)
settings_ = settings(max_examples=60, deadline=None)
options = st.tuples(
    st.sampled_from(list(MODES)), st.sampled_from(["char", "word"]), st.sampled_from(["nested", "flat"])
)


def _score(corpus, mode, boundary, layer, *, use_pred=True):
    texts = [t for t, _, _ in corpus]
    gold = [g for _, g, _ in corpus]
    pred = [p for _, _, p in corpus] if use_pred else gold
    return score_spans(gold, pred, mode=mode, boundary=boundary, layer=layer, texts=texts)


@settings_
@given(corpora, options)
def test_perfect_prediction_scores_one(corpus, option) -> None:
    scores = _score(corpus, *option, use_pred=False)
    micro = scores.micro
    if micro.support:
        assert (micro.precision, micro.recall, micro.f1) == (1.0, 1.0, 1.0)
        assert scores.macro.f1 == 1.0
    else:
        assert micro.f1 is None
    assert scores.errors == ()


@settings_
@given(corpora, options, st.randoms(use_true_random=False))
def test_document_order_does_not_matter(corpus, option, rnd) -> None:
    shuffled = list(corpus)
    rnd.shuffle(shuffled)
    assert _score(corpus, *option).per_type == _score(shuffled, *option).per_type


@settings_
@given(corpora, options)
def test_duplicating_documents_keeps_scores(corpus, option) -> None:
    once, twice = _score(corpus, *option), _score(corpus + corpus, *option)
    for t, c in once.per_type.items():
        d = twice.per_type[t]
        assert (d.tp, d.fp, d.fn) == (2 * c.tp, 2 * c.fp, 2 * c.fn)
        assert (d.precision, d.recall, d.f1) == (c.precision, c.recall, c.f1)
    assert once.macro == twice.macro


@settings_
@given(corpora, options)
def test_counts_add_up(corpus, option) -> None:
    scores = _score(corpus, *option)
    assert Counts.total(scores.per_type.values()) == scores.micro
    summed = scores.unit_counts.sum(axis=0)
    for i, t in enumerate(scores.types):
        assert tuple(summed[i]) == (scores.per_type[t].tp, scores.per_type[t].fp, scores.per_type[t].fn)
    for c in scores.per_type.values():
        assert c.tp >= 0 and c.fp >= 0 and c.fn >= 0
        assert (2 * c.tp) == int(2 * c.tp)  # multiples of 0.5
    _mode, boundary, layer = option
    if boundary == "char":
        pick = outermost if layer == "flat" else lambda s: sorted(set(s))
        assert scores.micro.support == sum(len(pick(g)) for _, g, _ in corpus)
        assert scores.micro.predicted == sum(len(pick(p)) for _, _, p in corpus)


@settings_
@given(corpora, options)
def test_every_imperfect_span_is_in_exactly_one_error_record(corpus, option) -> None:
    scores = _score(corpus, *option)
    gold_seen: set = set()
    pred_seen: set = set()
    for e in scores.errors:
        assert e.credit < 1
        if e.gold is not None:
            assert (e.doc_index, e.gold) not in gold_seen
            gold_seen.add((e.doc_index, e.gold))
        if e.pred is not None:
            assert (e.doc_index, e.pred) not in pred_seen
            pred_seen.add((e.doc_index, e.pred))
        assert (e.kind == "missed") == (e.pred is None)
        assert (e.kind == "spurious") == (e.gold is None)
    # the records account for every lost unit of credit, no more, no less
    assert sum(1 - e.credit for e in scores.errors if e.gold is not None) == scores.micro.fn
    assert sum(1 - e.credit for e in scores.errors if e.pred is not None) == scores.micro.fp


def _brute_force_best(gold, pred, mode) -> float:
    mm = MODES[mode]
    best = 0.0
    for k in range(min(len(gold), len(pred)) + 1):
        for gs in itertools.combinations(range(len(gold)), k):
            for ps in itertools.permutations(range(len(pred)), k):
                total = 0.0
                for a, b in zip(gs, ps, strict=True):
                    g, p = gold[a], pred[b]
                    total += mm.credit(g.range == p.range, g.overlaps(p), g.label == p.label)
                best = max(best, total)
    return best


@settings(max_examples=150, deadline=None)
@given(documents(max_spans=4), st.sampled_from(list(MODES)))
def test_matching_is_optimal(doc, mode) -> None:
    _, gold, pred = doc
    gold, pred = sorted(set(gold)), sorted(set(pred))
    pairs = match_spans(gold, pred, mode=mode)
    assert len({a for a, _, _ in pairs}) == len(pairs) == len({b for _, b, _ in pairs})
    assert math.isclose(sum(c for _, _, c in pairs), _brute_force_best(gold, pred, mode))


@settings_
@given(corpora, st.sampled_from(["conlleval", "iob2"]))
def test_token_view_of_a_perfect_prediction_scores_one(corpus, scheme) -> None:
    texts = [t for t, _, _ in corpus]
    gold = [g for _, g, _ in corpus]
    scores = score_token_view(gold, gold, texts=texts, scheme=scheme)
    assert scores.micro.fp == 0 and scores.micro.fn == 0


@settings(max_examples=200, deadline=None)
@given(documents(max_spans=8))
def test_internal_outermost_equals_the_shared_one(doc) -> None:
    from arabench.eval.spans import _outermost

    _, gold, _ = doc
    tuples = sorted({(s.start, s.end, s.label) for s in gold})
    assert [Span(*t) for t in _outermost(tuples)] == outermost(gold)


SNAP_ALPHABET = "وبالقاهرة \u064e\u0640\n\t،.!«»-$+ab1"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=SNAP_ALPHABET, max_size=25), st.integers(0, 27), st.integers(1, 10))
def test_local_word_snapping_equals_the_word_index(text, start, length) -> None:
    from arabench.annotations.tokenize import WordIndex, snap_range

    assert snap_range(text, start, start + length) == WordIndex.of(text).snap(start, start + length)


def test_fractional_credits_add_up_in_matching_order() -> None:
    from arabench.eval.modes import MatchMode

    tenth = MatchMode("tenth", "overlap", False, 0.1)
    gold = [[Span(0, 5, "A"), Span(10, 15, "A"), Span(20, 25, "A"), Span(30, 35, "A")]]
    pred = [[Span(0, 4, "A"), Span(10, 15, "A"), Span(20, 24, "A")]]
    counts = score_spans(gold, pred, mode=tenth).per_type["A"]
    tp = fn = fp = 0.0
    for credit in (0.1, 1.0, 0.1):  # the pairs in document order, then the missed span
        tp += credit
        if credit < 1:
            fn += 1 - credit
            fp += 1 - credit
    fn += 1
    assert (counts.tp, counts.fn, counts.fp) == (tp, fn, fp)
    assert tp != 1.0 + (0.1 + 0.1)  # the order of the additions shows in the last bit


def test_scoring_restores_the_garbage_collector_state() -> None:
    import gc

    import pytest

    from arabench.annotations.errors import ScoringError

    was_enabled = gc.isenabled()
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            score_spans([[Span(0, 3, "A")]], [[Span(0, 2, "A")]], texts=["abc"])
            assert gc.isenabled() is enabled
            with pytest.raises(ScoringError):
                score_spans([["not a span"]], [[]])
            assert gc.isenabled() is enabled
    finally:
        (gc.enable if was_enabled else gc.disable)()
