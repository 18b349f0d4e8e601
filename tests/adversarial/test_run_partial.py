"""A partially failed model is ``partial`` with the share of failed windows, on every leaderboard.

Before: a model some of whose windows got no answer was listed as scored; only
its diagnostics said so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from run_models import PartialModel, registered, write_corpus

from arabench.benchmark.cli import main

SHARE = "partial (23.1% windows failed)"  # 3 of 13 windows: the three texts holding باريس have 2, one failed


def test_a_partial_model_is_shown_partial_everywhere_and_its_failed_texts_are_asked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = write_corpus(tmp_path / "gold.jsonl")
    monkeypatch.setenv("ARABENCH_CACHE", str(tmp_path / "cache"))
    argv = ["run", "-m", "trust-partial", "-m", "oracle", "--corpus", str(gold), "--bootstrap", "0"]
    with registered():
        status = main([*argv, "--out", str(tmp_path / "out")])
        out, err = capsys.readouterr()
        assert status == 1
        line = next(x for x in out.splitlines() if "trust-partial" in x)
        assert "F1 0.8421" in line and line.endswith(SHARE.upper())
        assert "arabench run: model 'trust-partial' partial: 3 of 13 windows failed (23.1%)" in err
        (model,) = [
            m
            for m in json.loads((tmp_path / "out" / "results.json").read_text("utf-8"))["models"]
            if m["explicit"] and m["name"] == "trust-partial"
        ]
        assert model["status"] == "partial"
        assert model["reason"].startswith("3 of 13 windows failed (23.1%); their text was predicted empty")
        assert model["diagnostics"] == {"failed_windows": 3, "windows": 13}
        summary = (tmp_path / "out" / "summary.md").read_text("utf-8")
        assert f"| 2 | `trust-partial` | {SHARE} | native | 1.0000 | 0.7273 | **0.8421** |" in summary
        report = (tmp_path / "out" / "report.html").read_text("utf-8")
        assert '<span class="flag" title="3 of 13 windows failed (23.1%);' in report and f">{SHARE}</span>" in report
        PartialModel.predicted = 0
        main([*argv, "--out", str(tmp_path / "again"), "-q"])
        assert PartialModel.predicted == 3  # only the texts with a failed window were asked again
