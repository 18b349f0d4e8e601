"""Where arabench writes a file: never through a link it did not make, never truncating what is not its own.

Before: the lock ``.<out>.lock`` was opened with ``O_CREAT`` and truncated
without ``O_NOFOLLOW`` (a symlink planted under that name made ``arabench run``
overwrite any file the user can write with its pid); ``--out`` given as a
symlink to a results directory replaced the link and left the target stale
plus a stray ``.out.new-<pid>``; a lock that is a FIFO or a directory ended in
a traceback; convert outputs were written with ``write_text``, through a link.
"""

from __future__ import annotations

import ast
import os
import time
from pathlib import Path

import pytest
from run_models import FILES, ROOT, CityModel, registered, write_corpus

from arabench import benchmark
from arabench.annotations.errors import BenchmarkError
from arabench.annotations.formats import read_documents
from arabench.benchmark import outdir
from arabench.benchmark.cli import main
from arabench.benchmark.outdir import OutputLock

VICTIM = "precious data\n"


@pytest.fixture
def gold(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "gold.jsonl")


def run(gold: Path, out: Path, *extra: str) -> int:
    with registered():
        return main(
            ["run", "-m", "trust-city", "--corpus", str(gold), "--out", str(out), "--bootstrap", "0", "-q", *extra]
        )


def plant(kind: str, where: Path, victim: Path) -> None:
    if kind == "symlink":
        where.symlink_to(victim)
    elif kind == "dangling symlink":
        where.symlink_to(victim.parent / "nowhere")
    elif kind == "fifo":
        os.mkfifo(where)
    elif kind == "hard link":
        os.link(victim, where)
    elif kind == "directory":
        where.mkdir()
        (where / "inside").write_text(VICTIM, encoding="utf-8")


@pytest.mark.parametrize(
    ("kind", "named"),
    [
        ("symlink", "a symbolic link"),
        ("dangling symlink", "a symbolic link"),
        ("fifo", "a FIFO"),
        ("directory", "a directory"),
        ("hard link", "a hard link of another file (writing the pid would overwrite it)"),
    ],
)
def test_a_lock_path_that_is_not_a_regular_file_is_refused_and_nothing_is_written_through_it(
    tmp_path: Path, gold: Path, capsys: pytest.CaptureFixture[str], kind: str, named: str
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text(VICTIM, encoding="utf-8")
    plant(kind, tmp_path / ".out.lock", victim)
    CityModel.predicted = 0
    start = time.monotonic()
    assert run(gold, tmp_path / "out") == 2
    assert time.monotonic() - start < 5  # no wait for the lock timeout, no hang on the FIFO
    err = capsys.readouterr().err
    assert f"{tmp_path / '.out.lock'}: field 'out': the lock file of --out is {named}; arabench writes only a " in err
    assert f"fix: remove {tmp_path / '.out.lock'} (arabench creates it) or choose another --out" in err
    assert "Traceback" not in err
    assert CityModel.predicted == 0 and not (tmp_path / "out").exists()
    assert victim.read_text(encoding="utf-8") == VICTIM  # not truncated, no pid written into it
    assert not (tmp_path / "nowhere").exists()  # a dangling link is not followed to create its target


def test_a_link_swapped_in_after_the_check_is_still_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check before opening is a courtesy; ``O_NOFOLLOW`` on the open is what refuses the link."""
    victim = tmp_path / "victim.txt"
    victim.write_text(VICTIM, encoding="utf-8")
    lock = OutputLock(tmp_path / "out", wait=0)
    real_lstat = os.lstat
    raced = []

    def late_link(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if str(path) == str(lock.path) and not raced:  # the check sees nothing; a link appears before the open
            raced.append(path)
            lock.path.symlink_to(victim)
            raise FileNotFoundError(path)
        return real_lstat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(outdir.os, "lstat", late_link)
    with pytest.raises(BenchmarkError, match="the lock file of --out is a symbolic link; arabench writes only"):
        lock.acquire()
    monkeypatch.undo()
    assert raced and victim.read_text(encoding="utf-8") == VICTIM


def test_the_lock_records_the_pid_and_is_removed_after_the_run(tmp_path: Path) -> None:
    with OutputLock(tmp_path / "out", wait=0) as lock:
        assert lock.path.read_text(encoding="utf-8") == f"{os.getpid()}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_out_as_a_symlink_to_a_results_directory_is_refused_and_nothing_goes_stale(
    tmp_path: Path, gold: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = tmp_path / "real"
    assert run(gold, real) == 0
    before = {p.name: p.read_bytes() for p in real.iterdir()}
    (tmp_path / "out").symlink_to(real)
    capsys.readouterr()
    CityModel.predicted = 0
    assert run(gold, tmp_path / "out", "--seed", "3") == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'out'}: field 'out': --out is a symbolic link;" in err
    assert f"fix: pass the directory itself: --out {real}" in err
    assert CityModel.predicted == 0
    assert (tmp_path / "out").is_symlink() and {p.name: p.read_bytes() for p in real.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold.jsonl", "out", "real"]  # no .out.new-<pid>, no lock


def test_a_link_planted_as_the_temporary_directory_is_removed_not_followed(tmp_path: Path, gold: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text(VICTIM, encoding="utf-8")
    (tmp_path / f".out.new-{os.getpid()}").symlink_to(target, target_is_directory=True)
    (tmp_path / ".out.old-999999").symlink_to(target, target_is_directory=True)  # not put back as out: a link
    with registered():
        benchmark.run(["trust-city"], corpus=gold, out=tmp_path / "out", bootstrap=0)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(FILES)
    assert not (tmp_path / "out").is_symlink()
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]
    assert (target / "keep.txt").read_text(encoding="utf-8") == VICTIM
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "gold.jsonl", "out"]


def test_a_read_only_parent_is_refused_before_any_model_runs_also_as_root(
    tmp_path: Path, gold: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root writes into read-only directories, so the permission answer is what the test controls."""
    parent = tmp_path / "ro"
    parent.mkdir()
    real_access = os.access
    monkeypatch.setattr(outdir.os, "access", lambda p, m: False if Path(p) == parent else real_access(p, m))
    CityModel.predicted = 0
    assert run(gold, parent / "out") == 2
    assert f"{parent}: field 'out': the parent directory of --out is read-only" in capsys.readouterr().err
    assert CityModel.predicted == 0 and sorted(parent.iterdir()) == []


def test_a_lock_that_cannot_be_created_is_a_clear_error_also_as_root(tmp_path: Path) -> None:
    """A parent that is a regular file: no user, root included, can create a file under it."""
    (tmp_path / "file").write_text(VICTIM, encoding="utf-8")
    with pytest.raises(BenchmarkError, match=r"cannot create the lock file of --out \(Not a directory\)"):
        OutputLock(tmp_path / "file" / "out", wait=0).acquire()
    assert (tmp_path / "file").read_text(encoding="utf-8") == VICTIM


def test_the_output_directory_code_uses_no_ctypes_and_no_module_level_fcntl() -> None:
    tree = ast.parse((ROOT / "benchmark" / "outdir.py").read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert {"ctypes", "fcntl"}.isdisjoint(imported) and "filelock" in imported


@pytest.mark.parametrize("writer", ["jsonl", "conll", "brat"])
def test_convert_outputs_replace_a_planted_link_instead_of_writing_through_it(
    tmp_path: Path, gold: Path, writer: str
) -> None:
    from arabench.annotations.brat import write_brat
    from arabench.annotations.conll import write_conll
    from arabench.annotations.jsonl import write_jsonl

    documents, _ = read_documents(gold)
    victim = tmp_path / "victim.txt"
    victim.write_text(VICTIM, encoding="utf-8")
    if writer == "brat":
        (tmp_path / "brat").mkdir()
        target = tmp_path / "brat" / f"{documents[0].id}.ann"
        target.symlink_to(victim)
        write_brat(documents[0], tmp_path / "brat")
    else:
        target = tmp_path / f"out.{writer}"
        target.symlink_to(victim)
        (write_jsonl if writer == "jsonl" else write_conll)(documents, target)
    assert victim.read_text(encoding="utf-8") == VICTIM
    assert not target.is_symlink() and target.stat().st_size > 0
