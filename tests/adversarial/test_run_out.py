"""``--out`` and ``--seed`` are checked before any model runs; a busy ``--out`` is refused, never interleaved.

Before: ``--out`` naming a file or a read-only directory and ``--seed -1`` ended
in a traceback after every model had run; two runs into one ``--out`` mixed
their files.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from run_models import FILES, ROOT, CityModel, registered, subprocess_env, write_corpus

from arabench import benchmark
from arabench.annotations.errors import BenchmarkError
from arabench.benchmark.cli import main
from arabench.benchmark.outdir import OutputLock


@pytest.fixture
def gold(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "gold.jsonl")


def cli(tmp_path: Path, gold: Path, *args: str) -> int:
    with registered():
        return main(["run", "-m", "trust-city", "--corpus", str(gold), "--bootstrap", "0", "-q", *args])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "-1"], "field 'seed': the seed must be an integer from 0 to 2**63 - 1 (got -1); fix: e.g. 0"),
        (["--out", "{file}"], "field 'out': --out names an existing file, not a directory"),
        (["--out", "{file}/sub"], "field 'out': cannot create the parent directory of --out"),
        (["--out", "{busy}"], "field 'out': --out is a non-empty directory that is not a results directory"),
    ],
)
def test_bad_out_and_seed_are_clear_errors_before_any_model_runs(
    tmp_path: Path, gold: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    (tmp_path / "file").write_text("keep me", encoding="utf-8")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine", encoding="utf-8")
    args = [a.format(file=tmp_path / "file", busy=tmp_path / "busy") for a in args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "out")]
    CityModel.predicted = 0
    assert cli(tmp_path, gold, *args) == 2
    assert message in capsys.readouterr().err
    assert CityModel.predicted == 0
    assert (tmp_path / "file").read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy", "file", "gold.jsonl"]  # nothing written


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_out_is_a_clear_error_before_any_model_runs(
    tmp_path: Path, gold: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro").chmod(0o555)
    CityModel.predicted = 0
    try:
        assert cli(tmp_path, gold, "--out", str(tmp_path / "ro" / "out")) == 2
    finally:
        (tmp_path / "ro").chmod(0o755)
    assert "the parent directory of --out is read-only" in capsys.readouterr().err
    assert CityModel.predicted == 0


def test_a_busy_out_is_refused_with_the_pid_holding_it(tmp_path: Path, gold: Path) -> None:
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out)], env=subprocess_env(), cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        CityModel.predicted = 0
        start = time.monotonic()
        with registered(), pytest.raises(BenchmarkError) as caught:
            benchmark.run(["trust-city"], corpus=gold, out=out, bootstrap=0, lock_wait=0.5)
        waited = time.monotonic() - start
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert f"another arabench run (pid {holder.pid}) is writing this results directory" in str(caught.value)
    assert "fix: wait for it to finish, or choose another --out (waited 0.5 s)" in str(caught.value)
    assert 0.5 <= waited < 10 and CityModel.predicted == 0 and not out.exists()
    # The holder was killed: the kernel dropped its lock, the next run takes it over.
    with registered():
        benchmark.run(["trust-city"], corpus=gold, out=out, bootstrap=0, lock_wait=0.5)
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold.jsonl", "out"]  # no lock, no temporary left


def test_a_stale_lock_file_of_a_dead_pid_is_taken_over(tmp_path: Path, gold: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=30)
    out = tmp_path / "out"
    (tmp_path / ".out.lock").write_text(f"{dead.pid}\n", encoding="utf-8")
    with registered():
        benchmark.run(["trust-city"], corpus=gold, out=out, bootstrap=0, lock_wait=0)
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert not (tmp_path / ".out.lock").exists()


def test_two_locks_on_one_out_in_one_process_exclude_each_other(tmp_path: Path) -> None:
    with OutputLock(tmp_path / "out", wait=0):
        with pytest.raises(BenchmarkError, match=rf"another arabench run \(pid {os.getpid()}\)"):
            OutputLock(tmp_path / "out", wait=0.1).acquire()


HOLD = """
import sys, time
from pathlib import Path
from arabench.benchmark.outdir import OutputLock
lock = OutputLock(Path(sys.argv[1]), wait=0)
lock.acquire()
print("locked", flush=True)
time.sleep(120)
"""
