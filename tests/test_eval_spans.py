from __future__ import annotations

import numpy as np
import pytest

from arabench.annotations.errors import ScoringError
from arabench.annotations.spans import Span
from arabench.eval.modes import MODES, MatchMode, get_mode
from arabench.eval.spans import is_proclitic_only, match_spans, score_spans

TEXT = "زار وزير الخارجية المصري بيروت، ثم التقى في القاهرة وبالقاهرة ممثلي شركة النفط."


def at(word: str, label: str, *, occurrence: int = 0, skip: int = 0) -> Span:
    """The span of ``word`` in TEXT (the n-th occurrence), minus ``skip`` leading characters."""
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(word, start + 1)
    return Span(start + skip, start + len(word), label)


# --------------------------------------------------------------------------- modes

# gold A[0,10) B[20,30); predictions exercise each relation a pair can have
CASES = {
    "exact same type": ([Span(0, 10, "A")], [Span(0, 10, "A")]),
    "exact other type": ([Span(0, 10, "A")], [Span(0, 10, "B")]),
    "overlap same type": ([Span(0, 10, "A")], [Span(2, 10, "A")]),
    "overlap other type": ([Span(0, 10, "A")], [Span(2, 12, "B")]),
    "disjoint": ([Span(0, 10, "A")], [Span(20, 30, "A")]),
}

EXPECTED = {  # mode -> case -> (tp, fp, fn)
    "strict": {
        "exact same type": (1, 0, 0),
        "exact other type": (0, 1, 1),
        "overlap same type": (0, 1, 1),
        "overlap other type": (0, 1, 1),
        "disjoint": (0, 1, 1),
    },
    "exact": {
        "exact same type": (1, 0, 0),
        "exact other type": (1, 0, 0),
        "overlap same type": (0, 1, 1),
        "overlap other type": (0, 1, 1),
        "disjoint": (0, 1, 1),
    },
    "partial": {
        "exact same type": (1, 0, 0),
        "exact other type": (1, 0, 0),
        "overlap same type": (0.5, 0.5, 0.5),
        "overlap other type": (0.5, 0.5, 0.5),
        "disjoint": (0, 1, 1),
    },
    "type": {
        "exact same type": (1, 0, 0),
        "exact other type": (0, 1, 1),
        "overlap same type": (1, 0, 0),
        "overlap other type": (0, 1, 1),
        "disjoint": (0, 1, 1),
    },
}


@pytest.mark.parametrize("mode", list(EXPECTED))
@pytest.mark.parametrize("case", list(CASES))
def test_mode_table(mode: str, case: str) -> None:
    gold, pred = CASES[case]
    micro = score_spans([gold], [pred], mode=mode).micro
    assert (micro.tp, micro.fp, micro.fn) == EXPECTED[mode][case]


@pytest.mark.parametrize(
    ("case", "kinds"),
    [
        ("exact same type", []),
        ("exact other type", ["wrong_type"]),
        ("overlap same type", ["boundary"]),
        ("overlap other type", ["wrong_type_and_boundary"]),
        ("disjoint", ["missed", "spurious"]),
    ],
)
def test_error_kinds_in_strict_mode(case: str, kinds: list[str]) -> None:
    gold, pred = CASES[case]
    errors = score_spans([gold], [pred]).errors
    assert sorted(e.kind for e in errors) == kinds
    for e in errors:
        assert (e.gold is None) == (e.kind == "spurious")
        assert (e.pred is None) == (e.kind == "missed")


def test_partial_credit_pairs_are_recorded_with_their_credit() -> None:
    gold, pred = CASES["overlap same type"]
    (error,) = score_spans([gold], [pred], mode="partial").errors
    assert (error.kind, error.credit) == ("boundary", 0.5)


def test_per_type_attribution_of_a_cross_type_pair() -> None:
    """tp and fn go to the gold label, fp to the predicted label, so per-type counts sum to micro."""
    scores = score_spans([[Span(0, 10, "A")]], [[Span(2, 10, "B")]], mode="partial")
    assert scores.per_type["A"].tp == 0.5 and scores.per_type["A"].fn == 0.5
    assert scores.per_type["B"].fp == 0.5 and scores.per_type["B"].tp == 0


def test_get_mode_suggests_the_closest_name() -> None:
    with pytest.raises(ScoringError, match="did you mean 'strict'"):
        get_mode("strikt")
    assert get_mode(MODES["type"]) is MODES["type"]
    custom = MatchMode("lenient", "overlap", False, 1.0)
    assert score_spans([[Span(0, 4, "A")]], [[Span(2, 6, "B")]], mode=custom).micro.tp == 1


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("boundary", "token", "unknown boundary"),
        ("layer", "outer", "unknown layer"),
        ("mode", "loose", "unknown mode"),
    ],
)
def test_unknown_options_are_errors(option: str, value: str, message: str) -> None:
    with pytest.raises(ScoringError, match=message):
        score_spans([[]], [[]], **{option: value})


def test_input_shape_errors() -> None:
    with pytest.raises(ScoringError, match="same number of documents"):
        score_spans([[]], [])
    with pytest.raises(ScoringError, match="word boundaries need the document texts"):
        score_spans([[]], [[]], boundary="word")
    with pytest.raises(ScoringError, match="Span objects"):
        score_spans([[(0, 3, "A")]], [[]])


# --------------------------------------------------------------------------- one-to-one matching


def test_matching_prefers_the_same_type_partner_inside_nested_gold() -> None:
    outer, inner = Span(0, 20, "ORG"), Span(10, 20, "GPE")
    # in type mode the GPE prediction overlaps both; it must take GPE, not consume ORG
    scores = score_spans([[outer, inner]], [[Span(12, 20, "GPE")]], mode="type")
    assert scores.per_type["GPE"].tp == 1
    assert scores.per_type["ORG"].fn == 1
    assert [e.kind for e in scores.errors] == ["missed"]


def test_matching_maximises_total_credit() -> None:
    # p1 overlaps g1 and g2, p2 overlaps only g1: greedy p1->g1 would leave p2 unmatched
    g1, g2 = Span(0, 10, "A"), Span(8, 20, "A")
    p1, p2 = Span(5, 15, "A"), Span(0, 4, "A")
    pairs = match_spans([g1, g2], [p1, p2], mode="type")
    assert sorted((a, b) for a, b, _ in pairs) == [(0, 1), (1, 0)]


def test_matching_prefers_larger_overlap_on_ties() -> None:
    gold = [Span(0, 10, "A")]
    pred = [Span(0, 3, "A"), Span(1, 9, "A")]
    ((g, p, credit),) = match_spans(gold, pred, mode="type")
    assert (g, p, credit) == (0, 1, 1.0)


def test_exact_mode_with_same_range_two_labels() -> None:
    gold = [Span(0, 5, "A"), Span(0, 5, "B")]
    pred = [Span(0, 5, "B"), Span(0, 5, "C")]
    scores = score_spans([gold], [pred], mode="exact")
    assert scores.micro.tp == 2
    assert scores.per_type["B"].tp == 1  # the same-label pair is taken first
    strict = score_spans([gold], [pred], mode="strict")
    assert (strict.micro.tp, strict.micro.fp, strict.micro.fn) == (1, 1, 1)
    assert [e.kind for e in strict.errors] == ["wrong_type"]


def test_large_overlap_cluster_is_solved() -> None:
    gold = [Span(i, i + 3, "A") for i in range(0, 60, 2)]
    pred = [Span(i + 1, i + 4, "A") for i in range(0, 60, 2)]
    scores = score_spans([gold], [pred], mode="type")
    assert scores.micro.tp == len(gold)


# --------------------------------------------------------------------------- boundaries and proclitics


def test_word_boundaries_forgive_proclitic_and_partial_words() -> None:
    gold = [at("وبالقاهرة", "GPE")]
    pred = [at("وبالقاهرة", "GPE", skip=3)]  # "القاهرة" without wa+bi
    char = score_spans([gold], [pred], texts=[TEXT])
    word = score_spans([gold], [pred], texts=[TEXT], boundary="word")
    assert char.micro.tp == 0 and word.micro.tp == 1
    (error,) = char.errors
    assert error.kind == "boundary" and error.proclitic_only is True


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        (at("وبالقاهرة", "GPE"), at("وبالقاهرة", "GPE", skip=2), True),  # و ب
        (at("وبالقاهرة", "GPE"), at("وبالقاهرة", "GPE", skip=1), True),  # و
        (at("الخارجية", "ORG"), at("الخارجية", "ORG", skip=2), True),  # inside one word: same after snapping
        (Span(4, 24, "ORG"), at("الخارجية", "ORG"), False),  # a whole word more
        (at("المصري", "NORP"), Span(at("المصري", "NORP").start, at("المصري", "NORP").end - 1, "NORP"), True),
    ],
)
def test_proclitic_only(gold: Span, pred: Span, expected: bool) -> None:
    assert is_proclitic_only(gold, pred, TEXT) is expected


def test_proclitic_only_is_none_without_texts() -> None:
    (error,) = score_spans([[Span(0, 5, "A")]], [[Span(1, 5, "A")]]).errors
    assert error.proclitic_only is None


def test_unsnappable_spans_are_kept_and_counted() -> None:
    space = TEXT.index(" ")
    scores = score_spans([[]], [[Span(space, space + 1, "A")]], texts=[TEXT], boundary="word")
    assert scores.notes == {"pred_unsnappable": 1}
    assert scores.micro.fp == 1


def test_duplicates_are_scored_once_and_counted() -> None:
    span = at("بيروت", "GPE")
    scores = score_spans([[span, span]], [[span, span, span]])
    assert (scores.micro.tp, scores.micro.fp, scores.micro.fn) == (1, 0, 0)
    assert scores.notes == {"gold_duplicates": 1, "pred_duplicates": 2}


def test_snapping_can_create_duplicates_which_are_counted() -> None:
    word = at("وبالقاهرة", "GPE")
    scores = score_spans([[word]], [[word, at("وبالقاهرة", "GPE", skip=3)]], texts=[TEXT], boundary="word")
    assert scores.notes == {"pred_duplicates": 1}
    assert (scores.micro.tp, scores.micro.fp) == (1, 0)


# --------------------------------------------------------------------------- layers, scope, units


def test_flat_layer_scores_outermost_spans_only() -> None:
    org = Span(4, 24, "ORG")  # وزير الخارجية المصري
    inner = at("الخارجية", "ORG")
    gold = [org, inner]
    pred = [org]
    assert score_spans([gold], [pred], layer="flat").micro.fn == 0
    assert score_spans([gold], [pred], layer="nested").micro.fn == 1


def test_labels_put_other_gold_out_of_scope_but_keep_all_predictions() -> None:
    gold = [at("بيروت", "GPE"), at("النفط", "PRODUCT")]
    pred = [at("بيروت", "GPE"), at("النفط", "PRODUCT"), at("شركة", "ORG")]
    scores = score_spans([gold], [pred], labels={"GPE", "ORG"})
    assert scores.out_of_scope == {"PRODUCT": 1}
    assert scores.per_type["PRODUCT"].fp == 1  # never dropped
    assert scores.per_type["ORG"].fp == 1
    assert scores.per_type["GPE"].tp == 1
    assert scores.micro.fn == 0


def test_units_split_counts_by_sentence() -> None:
    cut = TEXT.index("ثم")
    units = [[(0, cut), (cut, len(TEXT))]]
    gold = [at("بيروت", "GPE"), at("القاهرة", "GPE")]
    pred = [at("بيروت", "GPE"), at("شركة", "ORG")]
    scores = score_spans([gold], [pred], units=units)
    assert scores.unit_docs == (0, 0)
    assert scores.types == ("GPE", "ORG")
    expected = np.array([[[1, 0, 0], [0, 0, 0]], [[0, 0, 1], [0, 1, 0]]], dtype=float)
    assert np.array_equal(scores.unit_counts, expected)


def test_units_must_cover_span_starts() -> None:
    with pytest.raises(ScoringError, match="outside every scoring unit"):
        score_spans([[Span(5, 8, "A")]], [[]], units=[[(0, 4)]])
    with pytest.raises(ScoringError, match="sorted, non-overlapping"):
        score_spans([[]], [[]], units=[[(5, 9), (0, 4)]])


def test_types_option_fixes_the_axis() -> None:
    scores = score_spans([[Span(0, 3, "B")]], [[]], types=["A", "C"])
    assert scores.types == ("A", "B", "C")
    assert scores.unit_counts.shape == (1, 3, 3)


def test_empty_corpus() -> None:
    scores = score_spans([], [])
    assert scores.types == () and scores.micro.f1 is None and scores.macro.f1 is None
