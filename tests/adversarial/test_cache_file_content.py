"""``file:`` predictions are keyed by their content: a path holding ``@``, a same-size same-mtime replacement.

Before: ``file:preds@v1.jsonl`` was split as path ``preds`` at revision ``v1``
(no such path, so its edits went unnoticed), and the name index fingerprinted a
file by size and mtime, so a replacement with both kept was served from the cache.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from run_models import TEXTS, cities, write_corpus

from arabench import benchmark


def write_predictions(path: Path, *, label: str = "GPE", drop_first: bool = False) -> Path:
    lines = []
    for i, text in enumerate(TEXTS):
        spans = cities(text)[1:] if drop_first and i == 0 else cities(text)
        entities = [{"start": s.start, "end": s.end, "type": label} for s in spans]
        lines.append(json.dumps({"id": f"d{i:02d}", "text": text, "entities": entities}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def models_json(results: benchmark.Results) -> list[dict[str, object]]:
    return results.to_json()["models"]


@pytest.fixture
def gold(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "gold.jsonl")


def test_an_edited_predictions_file_whose_path_holds_an_at_sign_is_read_again(tmp_path: Path, gold: Path) -> None:
    preds = write_predictions(tmp_path / "preds@v1.jsonl")
    name = f"file:{preds}"
    first = benchmark.run([name], corpus=gold, cache_dir=tmp_path / "cache", bootstrap=0)
    write_predictions(preds, drop_first=True)
    cached = benchmark.run([name], corpus=gold, cache_dir=tmp_path / "cache", bootstrap=0)
    fresh = benchmark.run([name], corpus=gold, cache_dir=tmp_path / "cache", bootstrap=0, cache=False)
    assert models_json(cached) == models_json(fresh) != models_json(first)
    assert cached.model(name).setting("native")["micro"]["fn"] == 1


def test_a_replacement_with_the_same_size_and_mtime_is_noticed(tmp_path: Path, gold: Path) -> None:
    preds = write_predictions(tmp_path / "preds.jsonl")
    name = f"file:{preds}"
    before = os.stat(preds)
    first = benchmark.run([name], corpus=gold, cache_dir=tmp_path / "cache", bootstrap=0)
    write_predictions(preds, label="LOC")  # GPE -> LOC: the same number of bytes
    os.utime(preds, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(preds)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    cached = benchmark.run([name], corpus=gold, cache_dir=tmp_path / "cache", bootstrap=0)
    fresh = benchmark.run([name], corpus=gold, cache_dir=tmp_path / "cache", bootstrap=0, cache=False)
    assert models_json(cached) == models_json(fresh) != models_json(first)
    assert cached.model(name).setting("native")["micro"]["tp"] == 0  # every span is now a LOC
