"""Outputs that do not grow with the corpus beyond what is asked: compact per-unit counts, exact."""

from __future__ import annotations

import numpy as np

from benchmark.scoring import UNIT_COUNTS_ENCODING, unit_counts_array, unit_counts_json


def test_unit_counts_round_trip_exactly_with_half_counts() -> None:
    rng = np.random.default_rng(3)
    array = rng.integers(0, 4, (2000, 5, 3)).astype(np.float64) * (rng.random((2000, 5, 1)) < 0.1)
    array[7, 2] = (0.5, 0.5, 1.5)  # partial credit
    data = unit_counts_json(("GPE", "LOC", "ORG", "PERS", "X"), array)
    assert data["encoding"] == UNIT_COUNTS_ENCODING and "rows" not in data
    types, back = unit_counts_array(data)
    assert types == ("GPE", "LOC", "ORG", "PERS", "X") and np.array_equal(back, array)
    rows = [[int(u), int(t), *array[u, t].tolist()] for u, t in np.argwhere(array.sum(axis=2) != 0)]
    assert len(data["data"]) < len(str(rows)) / 4  # far smaller than the lists it replaces


def test_earlier_results_with_row_lists_still_read() -> None:
    earlier = {"types": ["A", "B"], "n_units": 3, "rows": [[0, 1, 1, 0, 0], [2, 0, 0.5, 0.5, 0]]}
    types, array = unit_counts_array(earlier)
    assert types == ("A", "B") and array[0, 1].tolist() == [1, 0, 0] and array[2, 0].tolist() == [0.5, 0.5, 0]
