"""``arabench compare``: paired tests from results files alone, equal to eval.stats on the scorer's arrays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from harness_fixtures import write_brat_corpus

from arabench import benchmark
from arabench.annotations.corpus import read_corpus
from arabench.annotations.errors import BenchmarkError, ScoringError
from arabench.benchmark.compare import compare
from arabench.benchmark.corpus_io import load_corpus
from arabench.eval.spans import score_spans
from arabench.eval.stats import approximate_randomization, paired_bootstrap
from arabench.models.registry import create_model


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("compare")
    corpus = write_brat_corpus(root / "gold")
    out = {"corpus": corpus}
    for name, models in (("both", ["empty", "rules"]), ("rules", ["rules"]), ("oracle", ["oracle"])):
        benchmark.run(models, corpus=corpus, out=root / name, cache=False, bootstrap=0)
        out[name] = root / name
    other = write_brat_corpus(root / "other")
    (other / "doc1.txt").write_text((other / "doc1.txt").read_text(encoding="utf-8") + " ", encoding="utf-8")
    benchmark.run(["rules"], corpus=other, out=root / "other-run", cache=False, bootstrap=0)
    out["other"] = root / "other-run"
    return out


def _arrays(corpus_path: Path, names: list[str]) -> tuple[tuple[str, ...], list[np.ndarray]]:
    corpus = load_corpus(corpus_path)
    gold = [d.spans for d in corpus.documents]
    scores = []
    for name in names:
        options = {"gold": read_corpus(corpus_path)} if name == "oracle" else {}
        model = create_model(name, **options)
        pred = [p.spans for p in model.predict(corpus.texts)]
        scores.append(
            score_spans(
                gold,
                pred,
                mode="strict",
                boundary="word",
                layer="flat",
                texts=corpus.texts,
                units=[list(u) for u in corpus.units],
                labels=model.labels,
            )
        )
    types = tuple(sorted(set().union(*(s.types for s in scores))))
    arrays = []
    for s in scores:
        full = np.zeros((s.unit_counts.shape[0], len(types), 3))
        for k, t in enumerate(s.types):
            full[:, types.index(t)] = s.unit_counts[:, k]
        arrays.append(full)
    return types, arrays


def test_two_models_of_one_results_file_match_eval_stats(runs: dict[str, Path]) -> None:
    result = compare(runs["both"], model_a="empty", model_b="rules", n_resamples=500, seed=3)
    assert (result.model_a, result.model_b, result.view) == ("empty", "rules", "native")
    types, (a, b) = _arrays(runs["corpus"], ["empty", "rules"])
    rows = {r.figure: r for r in result.rows}
    supported = [t for k, t in enumerate(types) if a[:, k, 0].sum() + a[:, k, 2].sum() > 0]
    assert list(rows) == [*supported, "(micro)", "(macro)"]
    for figure, row in rows.items():
        metric, type_name = ("f1", figure) if not figure.startswith("(") else (f"{figure[1:-1]}_f1", None)
        try:
            boot = paired_bootstrap(a, b, metric=metric, type=type_name, n_resamples=500, seed=3, types=types)
        except ScoringError:  # e.g. a type rules cannot emit: out of its scope, so no F1 for it
            assert row.diff is None and row.p_bootstrap is None and row.p_randomization is None
            continue
        ar = approximate_randomization(a, b, metric=metric, type=type_name, n_trials=500, seed=3, types=types)
        assert (row.a, row.b, row.diff) == (boot.a, boot.b, boot.diff)
        assert (row.ci_low, row.ci_high, row.p_bootstrap) == (boot.ci_low, boot.ci_high, boot.p_value)
        assert row.p_randomization == ar.p_value
    assert rows["(micro)"].a == 0.0 and rows["(micro)"].b > 0
    assert any(r.diff is None for r in rows.values()) and any(r.diff is not None for r in rows.values())


def test_two_results_directories(runs: dict[str, Path]) -> None:
    result = compare(runs["rules"], runs["oracle"], n_resamples=200)
    micro = next(r for r in result.rows if r.figure == "(micro)")
    assert micro.b == 1.0 and micro.diff == 1.0 - micro.a
    assert "| figure | support |" in result.to_markdown()
    assert "(micro)" in result.to_text()


def test_different_corpora_are_refused(runs: dict[str, Path]) -> None:
    with pytest.raises(ScoringError, match="different corpora"):
        compare(runs["rules"], runs["other"])


def test_model_must_be_named_when_several(runs: dict[str, Path]) -> None:
    with pytest.raises(ScoringError, match=r"holds 2 scored models.*empty, rules"):
        compare(runs["both"], runs["rules"])
    with pytest.raises(BenchmarkError, match="no such model"):
        compare(runs["both"], model_a="nope", model_b="rules")


def test_cli_compare_writes_markdown(runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from arabench.benchmark.cli import main

    md = tmp_path / "cmp.md"
    status = main(
        [
            "compare",
            str(runs["both"]),
            "--model-a",
            "empty",
            "--model-b",
            "rules",
            "--resamples",
            "100",
            "--markdown",
            str(md),
        ]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "B = rules" in printed and "(micro)" in printed
    assert md.read_text(encoding="utf-8").startswith("# `rules` vs `empty`")
    assert main(["compare", str(runs["rules"]), str(runs["other"])]) == 2


def _comparison(diff: float | None, p_ar: float | None):
    from arabench.benchmark.compare import Comparison, ComparisonRow

    a = 0.5
    row = ComparisonRow("(micro)", 10, a, None if diff is None else a + diff, diff, -0.01, 0.02, 0.9, p_ar)
    return Comparison("ma", "mb", "ra", "rb", "native", "strict", "word", "flat", "0" * 64, 3, 100, 0, (row,))


@pytest.mark.parametrize(
    ("diff", "p_ar", "expected"),
    [
        (
            -0.0078,
            0.5,
            "no significant difference at 0.05 between A (ma) and B (mb): B − A = -0.0078 micro F1 "
            "(95% CI [-0.0100, +0.0200], p AR 0.5000)",
        ),
        (
            0.1,
            0.001,
            "B (mb) is better than A (ma) by 0.1000 micro F1 (B − A = +0.1000, 95% CI [-0.0100, +0.0200]); "
            "significant at 0.05",
        ),
        (0.0, 1.0, "A and B have the same micro F1"),
        (None, None, "micro F1 is undefined"),
    ],
)
def test_verdict_says_which_model_is_better(diff, p_ar, expected) -> None:
    verdict = _comparison(diff, p_ar).verdict()
    assert verdict.startswith(expected)
    if p_ar is not None and p_ar >= 0.05:
        assert "better" not in verdict  # a difference that is not significant is never called better


def test_terminal_table_puts_a_before_b_and_explains_the_p_values() -> None:
    text = _comparison(-0.0078, 0.5).to_text()
    assert text.index("A = ma") < text.index("B = mb")
    assert "H0 'B is not better than A'" in text and "H0 'no difference between A and B'" in text
    assert text.index("(micro)") < text.index("no significant difference at 0.05")
