"""Integrity audit: nothing a reader, a model adapter or the harness does may lose a span, a label,
a relation, a document or a piece of text without counting it or raising a clear error.

Each test pins one place that used to lose something silently.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness_fixtures import write_brat_corpus

# ----------------------------------------------------------------------------- harness: views


def test_run_counts_gold_and_predictions_a_coarser_view_leaves_out(tmp_path: Path) -> None:
    """Scored in conll4, the gold OCC and DATE mentions (and the oracle's own OCC/DATE spans) are counted."""
    from benchmark.run import run

    corpus = write_brat_corpus(tmp_path / "gold")
    results = run(models=["oracle"], corpus=corpus, cache=False, bootstrap=0)
    oracle = results.model("oracle")
    expected = {"DATE (not in view conll4)": 1, "OCC (not in view conll4)": 2}
    for layer in ("flat", "nested"):
        setting = oracle.scores["conll4"]["spans"]["strict"]["word"][layer]
        assert setting["out_of_scope"] == expected
        assert setting["notes"] == {"pred_out_of_view:DATE": 1, "pred_out_of_view:OCC": 2}
    tokens = oracle.scores["conll4"]["tokens"]["conlleval"]
    assert tokens["out_of_scope"] == expected
    native = oracle.scores["native"]["spans"]["strict"]["word"]["nested"]
    assert native["out_of_scope"] == {} and native["notes"] == {}
    # Both gold relations have an OCC argument: in conll4 they are out of scope, not silently gone.
    relations = oracle.scores["conll4"]["relations"]["strict"]["word"]
    assert relations["out_of_scope"] == {"HAS_ROLE (argument not in view conll4)": 2}
    assert relations["notes"] == {"pred_relations_out_of_view": 2}


def test_reports_show_out_of_scope_gold_and_scorer_notes(tmp_path: Path) -> None:
    """summary.md and report.html show the headline setting's out_of_scope and notes, not only results.json."""
    from benchmark.run import run

    corpus = write_brat_corpus(tmp_path / "gold")
    out = tmp_path / "out"
    run(models=["oracle"], corpus=corpus, view="conll4", cache=False, bootstrap=0, out=out)
    setting = json.loads((out / "results.json").read_text(encoding="utf-8"))["models"][0]["scores"]["conll4"]
    headline = setting["spans"]["strict"]["word"]["flat"]
    assert headline["out_of_scope"] and headline["notes"]
    summary = (out / "summary.md").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    for key in [*headline["out_of_scope"], *headline["notes"]]:
        assert key in summary, key
        assert key in _html_tables(html), key


def _html_tables(html: str) -> str:
    """The report's HTML outside the embedded data and scripts (what a reader sees without JavaScript)."""
    import re

    return re.sub(r"<script.*?</script>", "", html, flags=re.DOTALL)
