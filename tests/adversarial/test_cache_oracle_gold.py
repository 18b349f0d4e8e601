"""Stale oracle: its cached predictions follow the gold's spans, not only its document ids.

Before: the oracle's cache key held the gold document ids, so after a gold
correction it scored below 1.0 until ``--no-cache``, and across two corpora that
share a document id and text it echoed the other corpus's spans.
"""

from __future__ import annotations

from pathlib import Path

from run_models import write_corpus

from arabench import benchmark


def micro(results: benchmark.Results, model: str = "oracle") -> dict[str, object]:
    return results.model(model).setting(results.leaderboard_view)["micro"]


def run_oracle(corpus: Path, cache_dir: Path, **kwargs: object) -> benchmark.Results:
    return benchmark.run(["oracle"], corpus=corpus, cache_dir=cache_dir, bootstrap=0, **kwargs)


def test_a_corrected_gold_is_echoed_at_once(tmp_path: Path) -> None:
    gold = write_corpus(tmp_path / "gold.jsonl")
    first = run_oracle(gold, tmp_path / "cache")
    write_corpus(gold, drop_last_entity=True)  # an annotator removes a mention of d00
    cached = run_oracle(gold, tmp_path / "cache")
    fresh = run_oracle(gold, tmp_path / "cache", cache=False)
    assert micro(first)["tp"] == micro(cached)["tp"] + 1
    assert (micro(cached)["f1"], micro(cached)["fp"], micro(cached)["fn"]) == (1.0, 0, 0)
    assert cached.to_json()["models"] == fresh.to_json()["models"]


def test_two_corpora_sharing_a_document_id_and_text_do_not_share_predictions(tmp_path: Path) -> None:
    full = write_corpus(tmp_path / "a" / "gold.jsonl")
    trimmed = write_corpus(tmp_path / "b" / "gold.jsonl", drop_last_entity=True)
    for corpus in (full, trimmed, full):
        result = run_oracle(corpus, tmp_path / "cache")
        assert (micro(result)["f1"], micro(result)["fp"], micro(result)["fn"]) == (1.0, 0, 0), corpus
    a, b = (
        result.model("oracle").provenance
        for result in (run_oracle(full, tmp_path / "c"), run_oracle(trimmed, tmp_path / "c"))
    )
    assert a["gold_ids"] == b["gold_ids"] and a["gold_sha256"] != b["gold_sha256"]
