"""Cohen's kappa: hand-computed cases, sklearn.metrics.cohen_kappa_score as the oracle, the token projection."""

from __future__ import annotations

import math
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arabench.annotations.errors import ScoringError
from arabench.annotations.spans import Span
from arabench.eval.kappa import cohen_kappa, token_kappa

sklearn_metrics = pytest.importorskip("sklearn.metrics")


@pytest.mark.parametrize(
    ("a", "b", "observed", "expected", "kappa"),
    [
        # p_o 3/4; p_e (2*1 + 2*3)/16 = 1/2; kappa (3/4 - 1/2) / (1/2)
        ("AABB", "ABBB", 0.75, 0.5, 0.5),
        ("ABAB", "ABAB", 1.0, 0.5, 1.0),
        # complete disagreement on balanced labels: p_o 0, p_e 1/2
        ("AB", "BA", 0.0, 0.5, -1.0),
        # Cohen's textbook 2x2: yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> p_o 0.7, p_e 0.5
        ("Y" * 25 + "N" * 25, "Y" * 20 + "N" * 5 + "Y" * 10 + "N" * 15, 0.7, 0.5, 0.4),
        # three labels: p_o 5/6; p_e (2*2 + 2*1 + 2*3)/36 = 1/3; kappa (5/6 - 1/3) / (2/3)
        ("AABBCC", "AACBCC", 5 / 6, 1 / 3, 0.75),
    ],
)
def test_hand_computed(a: str, b: str, observed: float, expected: float, kappa: float) -> None:
    found = cohen_kappa(list(a), list(b))
    assert found.n == len(a) and found.agreed == sum(x == y for x, y in zip(a, b, strict=True))
    assert found.observed == pytest.approx(observed) and found.expected == pytest.approx(expected)
    assert found.kappa == pytest.approx(kappa)


@pytest.mark.parametrize(("a", "b"), [("", ""), ("AAA", "AAA")])
def test_undefined_when_chance_agreement_is_total(a: str, b: str) -> None:
    assert cohen_kappa(list(a), list(b)).kappa is None


def test_lengths_must_match() -> None:
    with pytest.raises(
        ScoringError, match=r"field 'labels': the two label sequences differ in length \(got \(2, 1\)\)"
    ):
        cohen_kappa(["A", "B"], ["A"])


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 60).flatmap(
        lambda n: st.tuples(
            st.lists(st.sampled_from(["O", "B-PERS", "I-PERS", "B-GPE"]), min_size=n, max_size=n),
            st.lists(st.sampled_from(["O", "B-PERS", "I-PERS", "B-ORG"]), min_size=n, max_size=n),
        )
    )
)
def test_equals_sklearn(pair: tuple[list[str], list[str]]) -> None:
    a, b = pair
    found = cohen_kappa(a, b).kappa
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        oracle = sklearn_metrics.cohen_kappa_score(a, b)
    if found is None:
        assert math.isnan(oracle) or oracle == pytest.approx(1.0) or oracle == pytest.approx(0.0)
        assert len(set(a) | set(b)) == 1
    else:
        assert found == pytest.approx(oracle, abs=1e-12)
    assert cohen_kappa(b, a).kappa == found  # symmetric


def test_token_kappa_by_hand() -> None:
    text = "زار محمد مصر"
    a = [Span(4, 8, "PERS"), Span(9, 12, "GPE")]
    b = [Span(4, 8, "PERS")]
    found = token_kappa([text], [a], [b])
    # words O B-PERS B-GPE against O B-PERS O: p_o 2/3, p_e (1*2 + 1*1)/9 = 1/3 -> 1/2
    assert found.all.kappa == pytest.approx(0.5) and found.all.n == 3
    # the two words either tagged: B-PERS B-GPE against B-PERS O: p_o 1/2, p_e 1/4 -> 1/3
    assert found.tagged.kappa == pytest.approx(1 / 3) and found.tagged.n == 2
    assert found.notes == {}


def test_token_kappa_projects_the_flat_layer_and_counts_what_it_cannot_encode() -> None:
    text = "زار محمد مصر"
    nested = [Span(4, 12, "ORG"), Span(9, 12, "GPE")]  # the nested GPE is not a word tag of its own
    crossing = [Span(4, 8, "PERS"), Span(4, 12, "ORG"), Span(0, 8, "X")]
    found = token_kappa([text], [nested], [crossing])
    assert found.all.n == 3 and found.notes == {"b_conflicts": 1}
    with pytest.raises(ScoringError, match="texts and annotation sets differ in length"):
        token_kappa([text], [nested], [])
