"""A run killed at random points leaves the old results directory or the new one, never a mix.

A subprocess ``arabench run`` (the test's own driver, :func:`run_models.cli`,
with a slow test model and a pause before each results file) is killed with
SIGKILL at a random moment while it predicts or while it writes. ``--out`` must
then hold, byte for byte, the directory of the previous complete run or that of
the new one; and the next run's numbers must equal a ``--no-cache`` run's.
"""

from __future__ import annotations

import json
import random
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from run_models import FILES, ROOT, arabench, subprocess_env, write_corpus

TIMEOUT = 120
STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def snapshot(directory: Path) -> dict[str, bytes] | None:
    """Every file of ``directory`` with its run timestamp and its own path blanked (``None`` when it does not exist).

    The path is blanked because results.json records the run's configuration, ``--out`` included.
    """
    if not directory.exists():
        return None
    own = str(directory).encode()
    return {p.name: STAMP.sub(b"<created>", p.read_bytes()).replace(own, b"<out>") for p in sorted(directory.iterdir())}


def unconfigured(files: dict[str, bytes] | None) -> dict[str, object]:
    """``files`` with results.json parsed and its recorded run configuration left out."""
    assert files is not None
    results = json.loads(files["results.json"])
    results["settings"].pop("configuration", None)
    return {**files, "results.json": results}


def argv(gold: Path, out: Path, seed: int, *extra: str) -> list[str]:
    return [
        "run", "-m", "trust-city", "-m", "oracle", "--corpus", str(gold),
        "--out", str(out), "--seed", str(seed), "--bootstrap", "30", "-q", *extra,
    ]  # fmt: skip


def complete(gold: Path, out: Path, seed: int, cache: Path, *extra: str) -> None:
    done = arabench(*argv(gold, out, seed, *extra), cache=cache, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr


def models(out: Path) -> list[dict[str, object]]:
    return json.loads((out / "results.json").read_text(encoding="utf-8"))["models"]


@pytest.mark.slow
def test_a_run_killed_while_predicting_or_writing_leaves_the_old_or_the_new_directory(tmp_path: Path) -> None:
    gold = write_corpus(tmp_path / "gold.jsonl")
    cache = tmp_path / "cache"
    out = tmp_path / "out"
    complete(gold, out, 1, cache)
    new = tmp_path / "reference"
    complete(gold, new, 2, tmp_path / "reference-cache", "--no-cache")
    expected_new = snapshot(new)
    assert expected_new is not None and sorted(expected_new) == sorted(FILES)
    rng = random.Random()
    seen = []
    # A random moment in each slice of each phase (10 texts at 0.1 s; 5 files after a 0.1 s pause each).
    slices = [("predicting", k * 0.3, (k + 1) * 0.3) for k in range(3)]
    slices += [("writing", low, high) for low, high in ((0.0, 0.2), (0.2, 0.4), (0.4, 0.7))]
    for phase, low, high in slices:
        before = snapshot(out)
        markers = tmp_path / f"markers-{len(seen)}"
        markers.mkdir()
        env = subprocess_env(
            ARABENCH_CACHE=str(cache), TRUST_MARKERS=str(markers), TRUST_PREDICT_SLEEP="0.1", TRUST_WRITE_SLEEP="0.1"
        )
        proc = subprocess.Popen(  # --no-cache: the model predicts every time (and still writes the cache)
            [sys.executable, "-m", "run_models", *argv(gold, out, 2, "--no-cache")],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + TIMEOUT
            while not (markers / phase).exists() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            delay = rng.uniform(low, high)
            time.sleep(delay)
            proc.kill()
        finally:
            proc.wait(timeout=TIMEOUT)
        after = snapshot(out)
        which = "old" if after == before else "new" if after == expected_new else "MIXED"
        seen.append((phase, round(delay, 3), proc.returncode, which))
        assert which != "MIXED", f"killed while {phase} after {delay:.3f} s: {sorted(after or {})}; runs: {seen}"
    complete(gold, out, 2, cache)  # the next run, from whatever the killed runs cached
    # It differs from the --no-cache reference run only in the configuration it records (cache: true).
    assert unconfigured(snapshot(out)) == unconfigured(expected_new), seen
    assert models(out) == models(new)
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out."))
    assert leftovers == [], leftovers


def test_a_disk_that_fills_up_while_writing_leaves_the_old_directory_and_a_clear_error(tmp_path: Path) -> None:
    gold = write_corpus(tmp_path / "gold.jsonl")
    out = tmp_path / "out"
    complete(gold, out, 1, tmp_path / "cache")
    before = snapshot(out)

    def small_disk() -> None:  # files beyond 16 KiB fail with EFBIG, as on a full disk (ENOSPC)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, 16 * 1024))

    done = subprocess.run(
        [sys.executable, "-m", "run_models", *argv(gold, out, 2)],
        env=subprocess_env(ARABENCH_CACHE=str(tmp_path / "cache")),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        preexec_fn=small_disk,
    )
    assert done.returncode == 2, done.stderr
    assert "cannot write the results (File too large); the directory was left as it was" in done.stderr
    assert "fix: free disk space or choose another --out" in done.stderr
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "gold.jsonl", "out"]  # no temporary, no lock


def test_a_failure_between_the_two_renames_keeps_the_old_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from arabench.benchmark import outdir

    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_text("old", encoding="utf-8")
    real_rename = os.rename

    def rename(src: object, dst: object) -> None:
        if ".new-" in str(src):  # the new directory never arrives: killed, or the disk failed
            raise OSError("simulated failure between the two renames")
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError, match="between the two renames"):
        outdir.replace_directory(out, lambda tmp: (tmp / "results.json").write_text("new", encoding="utf-8"))
    monkeypatch.undo()
    assert (out / "results.json").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    # A run killed there leaves out missing and the old directory aside: the next lock puts it back.
    real_rename(out, tmp_path / ".out.old-999999")
    (tmp_path / ".out.new-999999").mkdir()
    with outdir.OutputLock(out, wait=0):
        assert (out / "results.json").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
