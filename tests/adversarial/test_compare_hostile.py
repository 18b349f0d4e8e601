"""``arabench compare`` on tampered or hostile input: clear errors naming the field, never a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from harness_fixtures import write_brat_corpus

from arabench import benchmark
from arabench.benchmark.cli import main as cli


@pytest.fixture(scope="module")
def results_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("compare")
    corpus = write_brat_corpus(root / "gold")
    benchmark.run(["rules", "empty"], corpus=corpus, out=root / "out", cache=False, bootstrap=20, progress=False)
    return root / "out" / "results.json"


def _tampered(results_json: Path, tmp_path: Path, edit) -> Path:
    data = json.loads(results_json.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _compare(path: Path, *extra: str) -> list[str]:
    return ["compare", str(path), "--model-a", "empty", "--model-b", "rules", "--resamples", "20", *extra]


def _first_setting(data: dict) -> dict:
    return data["models"][0]["scores"]["native"]["spans"]["strict"]["word"]["flat"]


FIX = "fix: pass a results.json written by arabench run, unedited (re-run arabench run to get one)"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d.pop("corpus"), "field 'corpus': results file is malformed: a required key is missing"),
        (
            lambda d: d["corpus"].__setitem__("n_units", 999),
            "field 'corpus.n_units': results file is malformed: corpus.n_units (999) is not the number of units of "
            "its documents (4) (got 999)",
        ),
        (
            lambda d: d["corpus"]["documents"][0].__setitem__("units", 7),
            "field 'corpus.documents[0].units': results file is malformed: a document has no unit list (got 7)",
        ),
        (
            lambda d: _first_setting(d)["unit_counts"].update(rows=[[99, 0, 1, 0, 0]], data=None),
            "field 'models[rules].unit_counts.rows[0]': results file is malformed: a unit_counts row is not "
            "[unit, type index, tp, fp, fn] in range (got [99, 0, 1, 0, 0])",
        ),
        (
            lambda d: _first_setting(d)["unit_counts"].__setitem__("data", "bm90IHpsaWI="),
            "field 'models[rules].unit_counts.data': results file is malformed: the per-unit counts cannot be "
            "decoded (Error -3 while decompressing data: incorrect header check) (got None)",
        ),
        (
            lambda d: _first_setting(d)["micro"].__setitem__("tp", _first_setting(d)["micro"]["tp"] + 5),
            "field 'models[rules].micro': results file is malformed: the per-unit counts sum to tp/fp/fn",
        ),
        (
            lambda d: _first_setting(d)["unit_counts"].__setitem__("n_units", 10**12),
            "field 'models[rules].unit_counts.n_units': results file is malformed: unit_counts.n_units must equal "
            "corpus.n_units (4) (got 1000000000000)",
        ),
    ],
)
def test_tampered_results_are_refused(
    results_json: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], edit, expected: str
) -> None:
    path = _tampered(results_json, tmp_path, edit)
    assert cli(_compare(path)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"arabench compare: error: {path}: {expected}"), captured.err
    assert captured.err.rstrip().endswith(FIX)


@pytest.mark.parametrize("resamples", ["-5", "0", "2000000"])
def test_resamples_out_of_range(results_json: Path, capsys: pytest.CaptureFixture[str], resamples: str) -> None:
    argv = ["compare", str(results_json), "--model-a", "empty", "--model-b", "rules", "--resamples", resamples]
    assert cli(argv) == 2
    assert capsys.readouterr().err == (
        "arabench compare: error: field 'n_resamples (--resamples)': the number of resamples must be a whole number "
        f"from 1 to 1000000 (got {int(resamples)}); fix: use a positive count, e.g. the default 10000\n"
    )


def test_markdown_to_a_directory_is_refused_before_comparing(
    results_json: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(_compare(results_json, "--markdown", str(tmp_path))) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # refused before the comparison ran
    assert captured.err == (
        f"arabench compare: error: {tmp_path}: field '--markdown': cannot write the Markdown file: it is a directory; "
        "fix: give a writable file path in an existing directory\n"
    )


def test_markdown_into_a_missing_directory(results_json: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "nowhere" / "c.md"
    assert cli(_compare(results_json, "--markdown", str(target))) == 2
    assert f"its directory {target.parent} does not exist" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_markdown_into_a_read_only_directory(results_json: Path, tmp_path: Path, capsys) -> None:
    locked = tmp_path / "ro"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert cli(_compare(results_json, "--markdown", str(locked / "c.md"))) == 2
        assert "cannot write the Markdown file: it is not writable" in capsys.readouterr().err
    finally:
        locked.chmod(0o700)


def test_markdown_write_failure_is_a_clear_error(results_json: Path, capsys) -> None:
    """/proc accepts the access check but refuses the file: the OSError becomes the same clear error."""
    target = Path("/proc/arabench-compare.md")
    if not Path("/proc").is_dir():
        pytest.skip("no /proc")
    assert cli(_compare(results_json, "--markdown", str(target))) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"arabench compare: error: {target}: field '--markdown': cannot write the Markdown file")


def test_untampered_results_compare(results_json: Path, capsys) -> None:
    assert cli(_compare(results_json)) == 0
    assert "(micro)" in capsys.readouterr().out
