"""Coreference metrics against the reference scorer's documented cases (CoNLL-2012 scorer v8).

Cases A1-A6 are the scorer's test cases on the key ``{a} {bc} {def}`` (its
``test/TestCases.README`` and ``CorefMetricTestConfig.pm``, with the exact
fractions of its README); ``B`` in A5/A6 is a mention distinct from ``b``.
The P14 case is the worked example of Pradhan et al. (2014), "Scoring
coreference partitions of predicted mentions", Figure 1 (MUC R = P = 0.4,
B³ R = 0.42, P = 0.50, CEAF-e R = 0.65, P = 0.43), recomputed here as exact
fractions from the definitions. No Python port of the reference scorer is in
the package registry this project uses (``coval``/``corefud``/``scorch`` are
not; ``coreference-eval`` ports e2e-coref's metrics, which drop response
singletons, i.e. our ``singletons=False``), so these hand-checked fractions
are the oracle.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arabench.annotations.errors import ScoringError
from arabench.annotations.spans import Span
from arabench.eval.coref import b_cubed, ceaf_e, muc, score_coref, score_entity_layers

KEY_A = [["a"], ["b", "c"], ["d", "e", "f"]]


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r)


# (case, response, {metric: (recall, precision)})
REFERENCE_CASES = [
    ("A1", [["a"], ["b", "c"], ["d", "e", "f"]], {"muc": (1, 1), "b_cubed": (1, 1), "ceaf_e": (1, 1)}),
    (
        "A2",
        [["a"], ["d", "e"]],
        {"muc": (1 / 3, 1), "b_cubed": (7 / 18, 1), "ceaf_e": (0.6, 0.9)},
    ),
    (
        "A3",
        [["a"], ["b", "c", "x"], ["d", "e", "f", "y"], ["z"]],
        {
            "muc": (1, 3 / 5),
            "b_cubed": (1, (4 + 7 / 12) / 9),
            "ceaf_e": ((1 + 4 / 5 + 6 / 7) / 3, (1 + 4 / 5 + 6 / 7) / 4),
        },
    ),
    (
        "A4",
        [["a"], ["b", "c", "x"], ["d", "y"], ["z"]],
        {
            "muc": (1 / 3, 1 / 3),
            "b_cubed": ((3 + 1 / 3) / 6, (1 + 4 / 3 + 1 / 2) / 7),
            "ceaf_e": ((1 + 4 / 5 + 2 / 5) / 3, (1 + 4 / 5 + 2 / 5) / 4),
        },
    ),
    (
        "A5",
        [["a"], ["b", "c", "x", "B"], ["d", "y"], ["z"]],
        {
            "muc": (1 / 3, 1 / 4),
            "b_cubed": ((3 + 1 / 3) / 6, 2.5 / 8),
            "ceaf_e": ((1 + 4 / 6 + 2 / 5) / 3, (1 + 4 / 6 + 2 / 5) / 4),
        },
    ),
    (
        "A6",
        [["a"], ["b", "c", "x"], ["d", "y"], ["B", "z"]],
        {
            "muc": (1 / 3, 1 / 4),
            "b_cubed": ((10 / 3) / 6, (1 + 4 / 3 + 1 / 2) / 8),
            "ceaf_e": ((1 + 4 / 5 + 2 / 5) / 3, (1 + 4 / 5 + 2 / 5) / 4),
        },
    ),
    (
        "P14",
        [["a", "b"], ["c", "d"], ["f", "g", "h", "i"]],
        {
            "muc": (2 / 5, 2 / 5),
            "b_cubed": ((4 / 3 + 1 / 3 + 1 / 4 + 1) / 7, 4 / 8),
            "ceaf_e": (1.3 / 2, 1.3 / 3),
        },
    ),
]
KEYS = {"P14": [["a", "b", "c"], ["d", "e", "f", "g"]]}


@pytest.mark.parametrize(("case", "response", "expected"), REFERENCE_CASES, ids=[c[0] for c in REFERENCE_CASES])
def test_reference_cases(case: str, response: list[list[str]], expected: dict[str, tuple[float, float]]) -> None:
    key = KEYS.get(case, KEY_A)
    for name, metric in (("muc", muc), ("b_cubed", b_cubed), ("ceaf_e", ceaf_e)):
        got = metric(key, response)
        recall, precision = expected[name]
        assert got.recall == pytest.approx(recall, abs=1e-12), (case, name)
        assert got.precision == pytest.approx(precision, abs=1e-12), (case, name)
        assert got.f1 == pytest.approx(_f1(precision, recall), abs=1e-12), (case, name)


def test_pradhan_2014_rounded_figures() -> None:
    """The two-decimal figures printed in the paper."""
    key, response = KEYS["P14"], REFERENCE_CASES[-1][1]
    scores = score_coref([key], [response])
    assert round(scores.muc.recall, 2) == 0.40 and round(scores.muc.precision, 2) == 0.40
    assert round(scores.b_cubed.recall, 2) == 0.42 and round(scores.b_cubed.precision, 2) == 0.50
    assert round(scores.ceaf_e.recall, 2) == 0.65 and round(scores.ceaf_e.precision, 2) == 0.43


def test_conll_is_the_mean_of_the_three_f1s() -> None:
    scores = score_coref([KEY_A], [REFERENCE_CASES[3][1]])
    assert scores.conll_f1 == pytest.approx((scores.muc.f1 + scores.b_cubed.f1 + scores.ceaf_e.f1) / 3)


def test_documents_sum_numerators_and_denominators() -> None:
    """Corpus scores add each document's fractions (as the reference scorer does), not average scores."""
    a2, a3 = REFERENCE_CASES[1][1], REFERENCE_CASES[2][1]
    both = score_coref([KEY_A, KEY_A], [a2, a3])
    one, two = muc(KEY_A, a2), muc(KEY_A, a3)
    assert both.muc.recall_num == one.recall_num + two.recall_num
    assert both.muc.precision == pytest.approx(
        (one.precision_num + two.precision_num) / (one.precision_den + two.precision_den)
    )


def test_singletons_false_drops_one_mention_entities_on_both_sides() -> None:
    """A10-like: all-singleton response. With singletons, B³/CEAF-e credit them; without, nothing is left."""
    response = [["a"], ["b"], ["c"], ["d"], ["e"], ["f"]]
    with_s = score_coref([KEY_A], [response])
    assert with_s.muc.recall == 0 and with_s.muc.precision is None
    assert with_s.b_cubed.recall == pytest.approx(3 / 6) and with_s.b_cubed.precision == 1
    without = score_coref([KEY_A], [response], singletons=False)
    assert without.b_cubed.precision is None and without.b_cubed.recall == 0
    assert without.notes["key_entities"] == 2 and "response_entities" not in without.notes
    # The key's singleton {a} no longer counts either.
    assert score_coref([KEY_A], [KEY_A], singletons=False).b_cubed.recall_den == 5


def test_duplicate_response_mentions_are_kept_once() -> None:
    """TC7/TC8 of the reference README: a duplicated mention is de-duplicated (kept in its first entity)."""
    dup = [["a"], ["b", "c", "x", "b"], ["d", "y"], ["z"]]
    scores = score_coref([KEY_A], [dup])
    assert scores.notes["response_duplicate_mentions"] == 1
    assert scores.ceaf_e.recall == pytest.approx(2.2 / 3) and scores.ceaf_e.precision == pytest.approx(0.55)


partitions = st.lists(st.integers(0, 4), min_size=1, max_size=9).map(
    lambda owners: [[m for m, o in enumerate(owners) if o == k] for k in sorted(set(owners))]
)


@given(partitions)
def test_identical_partitions_score_one(key: list[list[int]]) -> None:
    scores = score_coref([key], [key])
    assert scores.b_cubed.f1 == 1 and scores.ceaf_e.f1 == 1
    assert scores.muc.f1 in (1, None)  # None only when every entity is a singleton (MUC sees no link)


@given(partitions, partitions)
def test_metrics_are_symmetric_in_recall_and_precision(key: list[list[int]], response: list[list[int]]) -> None:
    forward, backward = score_coref([key], [response]), score_coref([response], [key])
    for name in ("muc", "b_cubed", "ceaf_e"):
        assert getattr(forward, name).recall == pytest.approx(getattr(backward, name).precision)
        for value in (getattr(forward, name).recall, getattr(forward, name).precision):
            assert value is None or 0 <= value <= 1 + 1e-12


def test_score_entity_layers_matches_mentions_by_mode_and_boundary() -> None:
    text = "قال محفوظ إن بالقاهرة مصر ثم محفوظ"
    gold = [[[Span(4, 9, "PERS"), Span(29, 34, "PERS")], [Span(14, 21, "GPE")], [Span(22, 25, "GPE")]]]
    pred = [[[Span(4, 9, "PERS"), Span(29, 34, "PERS")], [Span(13, 21, "GPE")], [Span(22, 25, "LOC")]]]
    strict = score_entity_layers(gold, pred, texts=[text])
    assert strict.notes["common_mentions"] == 2  # «بالقاهرة» range differs, «مصر» type differs
    word = score_entity_layers(gold, pred, mode="boundaries", boundary="word", texts=[text])
    assert word.b_cubed.f1 == 1 and word.ceaf_e.f1 == 1 and word.muc.f1 == 1


def test_score_entity_layers_errors_name_the_fix() -> None:
    with pytest.raises(ScoringError, match="word boundaries need one text per document"):
        score_entity_layers([[]], [[]], boundary="word")
    with pytest.raises(ScoringError, match="unknown mode"):
        score_entity_layers([[]], [[]], mode="partial")
    with pytest.raises(ScoringError, match="same number of documents"):
        score_coref([KEY_A], [])
