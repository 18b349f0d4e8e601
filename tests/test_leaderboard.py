"""``arabench leaderboard``: many results, one table, honest ranks (Holm-corrected paired tests), every format."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from arabench.annotations.errors import BenchmarkError
from arabench.annotations.spans import Span
from arabench.benchmark.cli import main
from arabench.benchmark.leaderboard import leaderboard
from arabench.benchmark.runner import run
from arabench.eval.stats import holm
from arabench.models.base import Prediction

NAMES = ("أحمد", "سعيد", "ليلى", "مريم", "خالد")


def _corpus(path: Path, sentences: int, offset: int = 0) -> Path:
    """Sentences "NAME ذهب ." with one PER mention each."""
    lines = []
    for n in range(sentences):
        lines += [f"{NAMES[(n + offset) % len(NAMES)]}\tB-PER", "ذهب\tO", ".\tO", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


class _Model:
    """Predicts PER on the name of the sentences whose index is in ``hits`` (the others: nothing)."""

    view = "conll4"
    labels = frozenset({"PER"})

    def __init__(self, name: str, hits: set[int]) -> None:
        self.name = name
        self.hits = hits

    def predict(self, texts: list[str]) -> list[Prediction]:
        out = []
        for text in texts:
            spans = []
            start = 0
            for n, line in enumerate(text.split("\n")):
                if n in self.hits:
                    spans.append(Span(start, start + line.index(" "), "PER"))
                start += len(line) + 1
            out.append(Prediction(spans=tuple(spans)))
        return out

    def provenance(self) -> dict[str, object]:
        return {"id": self.name, "revision": str(sorted(self.hits)), "adapter_version": "1", "label_map": None}


N = 120
BEST = _Model("best", set(range(N)))  # every mention
TIED_A = _Model("tied-a", set(range(0, N, 2)))  # half of them
TIED_B = _Model("tied-b", set(range(1, N, 2)))  # the other half: the same F1, different sentences


@pytest.fixture(scope="module")
def four_results(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two corpora x two runs: (best, tied-a) then (tied-b) on each."""
    root = tmp_path_factory.mktemp("leaderboard")
    out = []
    for corpus_name, offset in (("news", 0), ("wiki", 2)):
        corpus = _corpus(root / f"{corpus_name}.conll", N, offset)
        for run_name, models in (("run1", [BEST, TIED_A]), ("run2", [TIED_B])):
            target = root / f"{corpus_name}-{run_name}"
            run(models, corpus=str(corpus), out=target, bootstrap=200, cache=False, cache_dir=root / "cache")
            out.append(target)
    return out


def test_holm_adjusts_as_by_hand() -> None:
    # sorted 0.005 (x4), 0.01 (x3), 0.03 (x2), 0.04 (x1, raised to the running maximum)
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.9]) == [1.0, 1.0]
    assert holm([]) == []
    with pytest.raises(Exception, match="p-value must be a number from 0 to 1"):
        holm([float("nan")])


def test_four_results_give_one_table_with_known_ranks_and_groups(four_results: list[Path]) -> None:
    board = leaderboard(four_results, n_resamples=2000)
    assert [c.name for c in board.corpora] == ["news", "wiki"]
    assert [c.sources for c in board.corpora] == [tuple(map(str, four_results[:2])), tuple(map(str, four_results[2:]))]
    assert board.models == ("best", "tied-a", "tied-b")
    for corpus in ("news", "wiki"):
        best, a, b = (board.cell(m, corpus) for m in board.models)
        assert best.f1 == 1.0 and a.f1 == b.f1 == pytest.approx(2 / 3)
        assert best.rank == (1, 1) and best.group == "a"
        assert a.rank == b.rank == (2, 3) and a.group == b.group == "b"  # tied: one group, a shared rank range
        tests = {(t.better, t.worse): t for t in next(c for c in board.corpora if c.name == corpus).tests}
        assert tests[("best", "tied-a")].significant and tests[("best", "tied-b")].significant
        assert not tests[("tied-a", "tied-b")].significant
        assert tests[("best", "tied-a")].p_holm >= tests[("best", "tied-a")].p  # corrected, never smaller
    (mean,) = board.averages
    assert mean.view == "conll4" and mean.corpora == ("news", "wiki") and mean.f1["best"] == 1.0
    text = board.to_text()
    assert "approximate randomization" in text and "Holm" in text


def test_every_output_is_deterministic_and_from_the_files_alone(four_results: list[Path], tmp_path: Path) -> None:
    first = leaderboard(four_results, n_resamples=500)
    again = leaderboard([str(p) for p in four_results], n_resamples=500)  # the same input, read again
    for method in ("to_text", "to_markdown", "to_csv", "to_latex", "to_json", "to_html"):
        assert getattr(first, method)() == getattr(again, method)(), method
    data = json.loads(first.to_json())
    assert data["test"]["correction"] == "Holm" and data["test"]["name"] == "randomization"
    page = first.to_html()
    assert "<svg" in page and "<details>" in page and 'addEventListener("click"' in page
    assert "http://" not in page and "https://" not in page and "src=" not in page  # no external asset
    latex = first.to_latex(per_type=True)
    assert "\\toprule" in latex and "tied-a" in latex
    rows = first.to_csv().splitlines()
    assert rows[0].startswith("model,corpus,view,figure") and any(
        r.startswith("tied-b,wiki,conll4,micro") for r in rows
    )
    markdown = first.to_markdown()
    assert markdown.splitlines()[1].startswith("| --- |") and "Holm" in markdown


def test_the_bootstrap_test_gives_the_same_groups_here(four_results: list[Path]) -> None:
    board = leaderboard(four_results, test="bootstrap", n_resamples=1000)
    assert [board.cell(m, "news").group for m in board.models] == ["a", "b", "b"]
    assert "paired bootstrap" in board.method()


def test_the_command_prints_and_writes(four_results: list[Path], tmp_path: Path) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["leaderboard", *map(str, four_results), "--resamples", "300", "--as", "markdown"]) == 0
    assert "| `best` |" in out.getvalue()
    target = tmp_path / "board.html"
    with contextlib.redirect_stdout(io.StringIO()):
        assert (
            main(["leaderboard", *map(str, four_results), "--resamples", "300", "--as", "html", "-o", str(target)]) == 0
        )
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["leaderboard", str(four_results[0]), "-o", str(four_results[0] / "results.json")]) == 2
    assert "would overwrite one of the results it reads" in err.getvalue()


def _tampered(source: Path, target: Path, edit) -> Path:
    target.mkdir()
    data = json.loads((source / "results.json").read_text(encoding="utf-8"))
    edit(data)
    (target / "results.json").write_text(json.dumps(data), encoding="utf-8")
    return target


def _set_micro_tp(data: dict) -> None:
    data["models"][0]["scores"]["conll4"]["spans"]["strict"]["word"]["flat"]["micro"]["tp"] += 1


def _drop_units(data: dict) -> None:
    del data["corpus"]["documents"][0]["units"]


def _other_units(data: dict) -> None:
    units = data["corpus"]["documents"][0]["units"]
    units[0:2] = [[units[0][0], units[1][1]]]
    data["corpus"]["n_units"] -= 1


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_set_micro_tp, "the per-unit counts sum to"),
        (_drop_units, "a document has no unit list"),
        (_other_units, "use different scoring units"),
    ],
)
def test_hostile_results_are_clear_errors(four_results: list[Path], tmp_path: Path, edit, message: str) -> None:
    bad = _tampered(four_results[0], tmp_path / "bad", edit)
    with pytest.raises(BenchmarkError, match=message):
        leaderboard([four_results[1], bad], n_resamples=100)


def test_one_model_twice_with_other_scores_is_refused(four_results: list[Path], tmp_path: Path) -> None:
    def rename(data: dict) -> None:
        data["models"][0]["name"] = "tied-a"  # "best" under the name of another model of the corpus

    bad = _tampered(four_results[0], tmp_path / "renamed", rename)
    with pytest.raises(BenchmarkError, match="'tied-a' is in two results of corpus 'news' with different scores"):
        leaderboard([four_results[0], bad], n_resamples=100)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"test": "t-test"}, "unknown test"),
        ({"n_resamples": 0}, "number of resamples"),
        ({"alpha": 1.5}, "alpha must be a number between 0 and 1"),
        ({"seed": -1}, "seed must be an integer"),
    ],
)
def test_bad_options_are_refused(four_results: list[Path], options: dict, message: str) -> None:
    with pytest.raises(BenchmarkError, match=message):
        leaderboard(four_results[:1], **options)


def test_no_results_and_a_missing_directory_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BenchmarkError, match="no results"):
        leaderboard([])
    with pytest.raises(BenchmarkError, match=r"cannot read the results file|not found|No such"):
        leaderboard([tmp_path / "nothing"])


def test_run_with_several_corpora_prints_the_combined_table(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ARABENCH_CACHE", str(tmp_path / "cache"))
    news, wiki = _corpus(tmp_path / "news.conll", 30), _corpus(tmp_path / "wiki.conll", 30, 1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        argv = ["run", "-m", "oracle", "-m", "empty", "--corpus", str(news), "--corpus", str(wiki)]
        assert main([*argv, "--out", str(tmp_path / "out"), "--bootstrap", "50"]) == 0
    text = out.getvalue()
    assert "combined leaderboard" in text
    table = text[text.index("combined leaderboard") :]
    assert "news (conll4)" in table and "wiki (conll4)" in table and "mean (conll4)" in table
    assert "oracle  1.0000" in table
