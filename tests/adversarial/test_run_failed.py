"""A model that raised is ``failed``: exit status 1 when named with -m, and none of its predictions is cached.

Before: the texts it predicted before raising (a whole batch) were cached, so a
later run mixed them with a fixed model's predictions.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from run_models import FailingModel, cache_files, registered, write_corpus

from arabench.benchmark.cli import main


def test_a_failing_model_named_with_m_exits_1_is_failed_and_caches_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = write_corpus(tmp_path / "gold.jsonl")
    monkeypatch.setenv("ARABENCH_CACHE", str(tmp_path / "cache"))
    argv = ["run", "-m", "trust-failing", "-m", "trust-city", "--corpus", str(gold), "--bootstrap", "0"]
    with registered():
        status = main([*argv, "--out", str(tmp_path / "out")])
        assert FailingModel.predicted == 8  # the first batch was predicted before the failure
    out, err = capsys.readouterr()
    assert status == 1
    assert "trust-failing                            failed: ConnectionError: the model's server went away" in out
    assert "arabench run: model 'trust-failing' failed: ConnectionError: the model's server went away" in err
    models = {m["name"]: m for m in json.loads((tmp_path / "out" / "results.json").read_text("utf-8"))["models"]}
    assert (models["trust-failing"]["status"], models["trust-failing"]["scores"]) == ("failed", {})
    assert models["trust-city"]["status"] == "scored"
    cached = cache_files(tmp_path / "cache")
    assert len(cached) == 11  # trust-city: 10 texts and its name index; trust-failing: nothing
    assert all("trust-failing" not in p.read_text("utf-8") for p in cached)
    summary = (tmp_path / "out" / "summary.md").read_text("utf-8")
    assert "| `trust-failing` | failed | ConnectionError: the model's server went away |" in summary
