"""A read-only or full cache is one warning; the model runs uncached and is scored.

Before: an ``OSError`` from writing a cache entry failed the model.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from run_models import CityModel, registered, write_corpus

from arabench import benchmark
from arabench.benchmark.cache import CacheWarning


def run_city(gold: Path, cache: Path) -> benchmark.Results:
    with registered():
        return benchmark.run(["trust-city"], corpus=gold, cache_dir=cache, bootstrap=0)


def test_a_cache_below_a_file_is_a_warning_and_the_model_is_scored(tmp_path: Path) -> None:
    gold = write_corpus(tmp_path / "gold.jsonl")
    reference = run_city(gold, tmp_path / "good")
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache should be", encoding="utf-8")
    with pytest.warns(CacheWarning, match=r"cannot be written .*; models run uncached") as caught:
        result = run_city(gold, blocker / "cache")
    assert len([w for w in caught if "cannot be written" in str(w.message)]) == 1  # once, not once per text
    assert (result.models[0].status, result.exit_status) == ("scored", 0)
    assert result.to_json()["models"] == reference.to_json()["models"]


def test_a_full_cache_is_a_warning_and_the_model_is_scored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gold = write_corpus(tmp_path / "gold.jsonl")
    reference = run_city(gold, tmp_path / "good")

    def full(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), dst)

    real_replace = os.replace
    monkeypatch.setattr(
        os, "replace", lambda src, dst: full(src, dst) if "/full/" in str(dst) else real_replace(src, dst)
    )
    with pytest.warns(CacheWarning, match="No space left on device"):
        result = run_city(gold, tmp_path / "full")
    assert (result.models[0].status, result.exit_status) == ("scored", 0)
    assert result.to_json()["models"] == reference.to_json()["models"]
    assert not [p for p in (tmp_path / "full").rglob("*") if p.is_file()]  # no temporary file left behind


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_cache_is_a_warning_and_the_model_is_scored(tmp_path: Path) -> None:
    gold = write_corpus(tmp_path / "gold.jsonl")
    reference = run_city(gold, tmp_path / "good")
    cache = tmp_path / "ro"
    cache.mkdir()
    cache.chmod(0o555)
    try:
        with pytest.warns(CacheWarning, match="cannot be written"):
            result = run_city(gold, cache)
    finally:
        cache.chmod(0o755)
    assert (result.models[0].status, CityModel.predicted) == ("scored", 10)
    assert result.to_json()["models"] == reference.to_json()["models"]
