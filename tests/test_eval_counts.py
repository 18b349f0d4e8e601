from __future__ import annotations

import numpy as np
import pytest

from arabench.eval.counts import Average, Counts, CountTable, counts_by_type, f1_of, macro_average, weighted_average


@pytest.mark.parametrize(
    ("tp", "fp", "fn", "precision", "recall", "f1"),
    [
        (0, 0, 0, None, None, None),  # nothing to score: no score, not 0 or 1
        (0, 2, 0, 0.0, None, 0.0),  # predictions but no gold
        (0, 0, 3, None, 0.0, 0.0),  # gold but no predictions
        (0, 1, 1, 0.0, 0.0, 0.0),
        (1, 1, 0, 0.5, 1.0, 2 * 0.5 * 1.0 / 1.5),
        (3, 1, 2, 0.75, 0.6, 2 * 0.75 * 0.6 / (0.75 + 0.6)),
        (0.5, 0.5, 0.5, 0.5, 0.5, 0.5),  # a partial match alone
        (5, 0, 0, 1.0, 1.0, 1.0),
    ],
)
def test_derived_scores_and_zero_division(tp, fp, fn, precision, recall, f1) -> None:
    c = Counts(tp, fp, fn)
    assert c.precision == precision
    assert c.recall == recall
    assert c.f1 == f1
    assert c.support == tp + fn
    assert c.predicted == tp + fp
    assert c.as_dict()["f1"] == f1


def test_counts_add_and_sum() -> None:
    a, b = Counts(1, 2, 3), Counts(0.5, 0.5, 1)
    assert a + b == Counts(1.5, 2.5, 4)
    assert sum([a, b]) == Counts(1.5, 2.5, 4)
    assert Counts.total([a, b, a]) == Counts(2.5, 4.5, 7)
    assert Counts.total([]) == Counts()


def test_f1_of_matches_the_textbook_formula_bit_for_bit() -> None:
    assert f1_of(1 / 3, 2 / 7) == 2 * (1 / 3) * (2 / 7) / (1 / 3 + 2 / 7)
    assert f1_of(0.0, 0.0) == 0.0
    assert f1_of(None, 0.0) == 0.0
    assert f1_of(None, None) is None


def test_macro_ignores_types_without_gold_and_counts_undefined_precision_as_zero() -> None:
    per_type = {
        "A": Counts(1, 0, 1),  # P 1, R .5
        "B": Counts(0, 0, 2),  # P undefined -> 0, R 0
        "C": Counts(0, 3, 0),  # no gold: left out of macro
    }
    macro = macro_average(per_type)
    assert macro == Average((1.0 + 0.0) / 2, (0.5 + 0.0) / 2, (f1_of(1.0, 0.5) + 0.0) / 2)
    weighted = weighted_average(per_type)
    assert weighted.recall == (0.5 * 2 + 0.0 * 2) / 4
    assert weighted.precision == (1.0 * 2) / 4
    assert macro_average({"C": Counts(0, 3, 0)}) == Average(None, None, None)
    assert weighted_average({}) == Average(None, None, None)


def test_count_table_recomputes_everything_from_unit_rows() -> None:
    rows = np.array([[[1, 0, 1], [0, 1, 0]], [[2, 1, 0], [0.5, 0.5, 0.5]]], dtype=float)
    table = CountTable(types=("A", "B"), unit_counts=rows, unit_docs=(0, 0))
    assert table.per_type == {"A": Counts(3, 1, 1), "B": Counts(0.5, 1.5, 0.5)}
    assert table.micro == Counts(3.5, 2.5, 1.5)
    assert counts_by_type(table.types, rows[[1, 1]]) == {"A": Counts(4, 2, 0), "B": Counts(1, 1, 1)}
    assert table.unit_totals().tolist() == [[1, 1, 1], [2.5, 1.5, 0.5]]
    with pytest.raises(ValueError, match="expected"):
        CountTable(types=("A",), unit_counts=rows, unit_docs=(0, 0))
