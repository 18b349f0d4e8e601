"""Output wording: skipped models one line each with their shared fix once; a repeated run keeps its source."""

from __future__ import annotations

import contextlib
import io
from dataclasses import replace
from pathlib import Path

from arabench.benchmark.cli import main
from arabench.benchmark.commands.run import _print_leaderboard, split_reason
from arabench.benchmark.results import ModelResult
from arabench.benchmark.runner import run

HUB = (
    "not available here: not in the local Hugging Face cache at revision {rev} and the hub is offline "
    "(HF_HUB_OFFLINE=1): download it once with network access and HF_HUB_OFFLINE unset (`hf download {repo} "
    "--revision {rev}`; later runs work offline with HF_HUB_OFFLINE=1), or pass a local directory (hf:/path/to/model)"
)


def test_split_reason_keeps_what_happened_and_makes_the_fix_shared() -> None:
    what, fix = split_reason(HUB.format(rev="1e8669667dc99b989defa2bb336c866dff546528", repo="CAMeL-Lab/x"))
    assert what == (
        "not in the local Hugging Face cache at revision 1e8669667dc9… and the hub is offline (HF_HUB_OFFLINE=1)"
    )
    assert fix is not None and "hf download REPO --revision REVISION" in fix and "CAMeL-Lab" not in fix
    assert split_reason("no colon here") == ("no colon here", None)


def test_skipped_models_are_one_line_each_and_the_fix_is_said_once(tmp_path: Path) -> None:
    results = run(["empty"], bootstrap=0, cache=False, cache_dir=tmp_path / "c")
    skipped = [
        ModelResult(name=f"card-{n}", status="skipped", reason=HUB.format(rev=f"{n}" * 40, repo=f"org/m{n}"))
        for n in range(1, 9)
    ]
    results = replace(results, models=[*results.models, *skipped])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        _print_leaderboard(results, str(tmp_path), corpus=None)
    lines = out.getvalue().splitlines()
    assert sum(1 for line in lines if "skipped:" in line) == 8
    assert all(len([x for x in lines if f"card-{n} " in x]) == 1 for n in range(1, 9))
    assert out.getvalue().count("download it once") == 1
    assert "fix for the 8 skipped models" in out.getvalue()


def test_a_run_repeated_from_its_results_does_not_write_over_them(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ARABENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    quiet = contextlib.redirect_stdout(io.StringIO())
    with quiet, contextlib.redirect_stderr(io.StringIO()):
        assert main(["run", "-m", "empty", "--bootstrap", "0", "-q", "--out", str(tmp_path / "first")]) == 0
    before = (tmp_path / "first" / "results.json").read_bytes()
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        assert main(["run", "--config", str(tmp_path / "first" / "results.json"), "-q"]) == 2
    assert "would write over the results it is repeated from" in err.getvalue() and "--out DIR" in err.getvalue()
    assert (tmp_path / "first" / "results.json").read_bytes() == before
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        again = ["run", "--config", str(tmp_path / "first" / "results.json"), "-q", "--out", str(tmp_path / "again")]
        assert main(again) == 0
    assert (tmp_path / "again" / "results.json").is_file()
