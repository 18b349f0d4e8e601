"""``file:`` predictions for documents that are not in the gold are counted and named, never ignored without a word."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from harness_fixtures import DOC1, DOC2, write_brat_corpus

from arabench import benchmark
from arabench.models.predictions import PredictionsFileModel


def _write(path: Path, docs: list[tuple[str, str]]) -> Path:
    path.write_text(
        "".join(json.dumps({"id": i, "text": t, "entities": []}, ensure_ascii=False) + "\n" for i, t in docs),
        encoding="utf-8",
    )
    return path


def test_run_counts_and_names_documents_not_in_the_gold(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    corpus = write_brat_corpus(tmp_path / "gold")
    preds = _write(tmp_path / "p.jsonl", [("doc1", DOC1), ("stray", "نص لا يوجد في المرجع"), ("doc2", DOC2)])
    name = f"file:{preds}"
    with caplog.at_level(logging.WARNING, logger="arabench"):
        results = benchmark.run([name], corpus=corpus, cache=False, bootstrap=0, progress=False)
    model = results.model(name)
    assert model.status == "scored"
    assert model.diagnostics["documents_not_in_gold"] == 1
    warnings = [r.getMessage() for r in caplog.records if "match no input text" in r.getMessage()]
    said = f"{name}: 1 of the 3 documents in {preds} match no input text so far and are not scored: 'stray'"
    assert warnings == [said]


def test_counts_add_up_over_several_predict_calls(tmp_path: Path) -> None:
    preds = _write(tmp_path / "p.jsonl", [("a", "نص أول"), ("b", "نص ثان"), ("c", "نص ثالث")])
    model = PredictionsFileModel(preds)
    first = model.predict(["نص أول"])
    second = model.predict(["نص ثالث"])
    total = sum(p.diagnostics.get("documents_not_in_gold", 0) for p in [*first, *second])
    assert total == 1 and model.unmatched_documents() == ["b"]


def test_no_count_when_every_document_is_used(tmp_path: Path) -> None:
    preds = _write(tmp_path / "p.jsonl", [("a", "نص أول")])
    (prediction,) = PredictionsFileModel(preds).predict(["نص أول"])
    assert "documents_not_in_gold" not in prediction.diagnostics
