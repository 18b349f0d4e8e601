"""Outputs that do not grow with the corpus beyond what is asked: compact per-unit counts, exact."""

from __future__ import annotations

import numpy as np

from arabench.benchmark.scoring import UNIT_COUNTS_ENCODING, unit_counts_array, unit_counts_json


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


def test_report_embeds_text_and_errors_up_to_its_budget_and_says_so(tmp_path, monkeypatch) -> None:
    import json
    import re

    from harness_fixtures import write_brat_corpus

    from arabench import benchmark
    from arabench.benchmark import report_html
    from arabench.benchmark.report_text import error_records

    corpus = write_brat_corpus(tmp_path / "gold")
    results = benchmark.run(["empty"], corpus=corpus, cache=False, bootstrap=0)
    chars = sum(len(d.text) for d in results.documents)
    every = error_records(results)
    monkeypatch.setattr(report_html, "ARTICLE_CHARS", 30)
    monkeypatch.setattr(report_html, "ERRORS_PER_KIND", 2)
    page = report_html.render_html(results)
    payload = re.search(r'<script type="application/json" id="arabench-data">(.*?)</script>', page, re.S)
    data = json.loads(payload.group(1).replace("<\\/", "</"))
    assert [len(d["text"]) for d in data["documents"]] == [30]
    assert all(s[1] <= 30 for spans in data["gold"].values() for s in spans[0])
    assert len(data["errors"]) == 2 and len(every) > 2  # the empty model: missed spans only
    assert data["bounds"]["errors"] == {"empty/missed": len(every)}
    assert f"30 of {chars:,} characters" in page
    assert f"2 of {len(every):,} error records" in page and "every record is in errors.jsonl" in page
