"""``compare`` refuses a results.json that is internally inconsistent, whatever was edited.

Before: it checked the micro totals but not ``unit_counts.types``: renaming,
rotating or replacing the types gave exit 0 with figures attributed to the
wrong types. ``compare --markdown results/results.json`` replaced the results
with Markdown, exit 0.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from harness_fixtures import write_brat_corpus

from arabench import benchmark
from arabench.benchmark.cli import main as cli

FIX = "fix: pass a results.json written by arabench run, unedited (re-run arabench run to get one)"


@pytest.fixture(scope="module")
def results_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tampered")
    corpus = write_brat_corpus(root / "gold")
    benchmark.run(["rules", "empty"], corpus=corpus, out=root / "out", cache=False, bootstrap=0, progress=False)
    return root / "out" / "results.json"


def _setting(data: dict) -> dict:
    model = next(m for m in data["models"] if m["name"] == "rules")
    return model["scores"]["native"]["spans"]["strict"]["word"]["flat"]


def _types(data: dict) -> list[str]:
    return _setting(data)["unit_counts"]["types"]


def _rotate(data: dict) -> None:
    types = _types(data)
    types[:] = types[1:] + types[:1]  # per_type unchanged: only the columns' attribution moves


def _rename(data: dict) -> None:
    _types(data)[0] = "PERSON"


def _replace(data: dict) -> None:
    types = _types(data)
    types[0], types[1] = types[1], types[0]


def _duplicate(data: dict) -> None:
    types = _types(data)
    types[1] = types[0]


def _per_type_count(data: dict) -> None:
    setting = _setting(data)
    first = setting["unit_counts"]["types"][0]
    setting["per_type"][first]["tp"] += 1


CASES: list[tuple[str, Callable[[dict], None], str]] = [
    ("rotated", _rotate, "field 'models[rules].per_type.{t1}': results file is malformed: the per-unit counts of "
     "type '{t1}' sum to"),
    ("renamed", _rename, "field 'models[rules].unit_counts.types': results file is malformed: unit_counts.types "
     "['PERSON', '{t1}',"),
    ("swapped", _replace, "field 'models[rules].per_type.{t1}': results file is malformed: the per-unit counts of "
     "type '{t1}' sum to"),
    ("duplicated", _duplicate, "field 'models[rules].unit_counts.types': results file is malformed: unit_counts.types "
     "names a type twice"),
    ("per-type count", _per_type_count, "field 'models[rules].per_type.{t0}': results file is malformed: the per-unit "
     "counts of type '{t0}' sum to"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "edit", "expected"), CASES, ids=[c[0] for c in CASES])
def test_inconsistent_results_are_refused(
    results_json: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, edit, expected: str
) -> None:
    data = json.loads(results_json.read_text(encoding="utf-8"))
    types = list(_types(data))
    assert len(types) >= 2 and len(set(types)) == len(types)
    edit(data)
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert cli(["compare", str(path), "--model-a", "empty", "--model-b", "rules", "--resamples", "20"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"arabench compare: error: {path}: "), captured.err
    assert expected.format(t0=types[0], t1=types[1]) in captured.err, captured.err
    assert captured.err.rstrip().endswith(FIX)


def test_the_untampered_file_still_compares_with_the_right_support(
    results_json: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(results_json.read_text(encoding="utf-8"))
    per_type = _setting(data)["per_type"]
    assert cli(["compare", str(results_json), "--model-a", "empty", "--model-b", "rules", "--resamples", "20"]) == 0
    out = capsys.readouterr().out
    for name, row in per_type.items():
        support = row["tp"] + row["fn"]
        if support:
            assert any(line.split()[:2] == [name, f"{support:g}"] for line in out.splitlines()), (name, out)


@pytest.mark.parametrize("given", ["file", "directory", "hard link"])
def test_compare_markdown_onto_its_own_results_is_refused(
    results_json: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], given: str
) -> None:
    copy = tmp_path / "results"
    copy.mkdir()
    (copy / "results.json").write_bytes(results_json.read_bytes())
    before = (copy / "results.json").read_bytes()
    source = copy if given == "directory" else copy / "results.json"
    target = copy / "results.json"
    if given == "hard link":
        target = tmp_path / "link.md"
        os.link(copy / "results.json", target)
    argv = ["compare", str(source), "--model-a", "empty", "--model-b", "rules", "--resamples", "20"]
    assert cli([*argv, "--markdown", str(target)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"arabench compare: error: {target}: field '--markdown': --markdown would overwrite RESULTS_A, an input of "
        f"the same command{' (a hard link of it)' if given == 'hard link' else ''} (got '{copy / 'results.json'}'); "
        "fix: write --markdown somewhere else\n"
    )
    assert (copy / "results.json").read_bytes() == before


def test_run_out_holding_its_own_corpus_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results"
    corpus = write_brat_corpus(out / "gold")
    (out / "results.json").write_text("{}", encoding="utf-8")  # a results directory, replaced as a whole
    before = sorted(p.name for p in corpus.iterdir())
    assert cli(["run", "-m", "empty", "--corpus", str(corpus), "--out", str(out), "-q", "--bootstrap", "0"]) == 2
    assert capsys.readouterr().err == (
        f"arabench run: error: {out}: field '--out': --out would overwrite --corpus {corpus}, an input of the same "
        f"command (it is inside it) (got '{corpus}'); fix: write --out somewhere else\n"
    )
    assert sorted(p.name for p in corpus.iterdir()) == before


def test_convert_onto_a_hard_link_of_its_source_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "a.jsonl"
    src.write_text('{"id": "d", "text": "abc", "entities": []}\n', encoding="utf-8")
    os.link(src, tmp_path / "b.jsonl")
    assert cli(["convert", str(src), str(tmp_path / "b.jsonl"), "--overwrite"]) == 2
    assert "field 'destination': destination would overwrite the source, an input of the same command" in (
        capsys.readouterr().err
    )
    assert src.read_text(encoding="utf-8") == '{"id": "d", "text": "abc", "entities": []}\n'
