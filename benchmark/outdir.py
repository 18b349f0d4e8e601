"""A results directory written as a unit, by one run at a time.

**Checked first.** :func:`check_output_dir` refuses, before any model runs, an
``--out`` that names an existing file, a directory that cannot be written (or
whose parent cannot be), and a non-empty directory that is not a results
directory (it holds no ``results.json``), since it is replaced as a whole.

**One run at a time.** :class:`OutputLock` holds an exclusive ``flock`` on
the sibling file ``.<name>.lock`` (it records the holder's pid) from before the
first model runs until the directory is in place. A second run into the same
``--out`` waits a bounded time, then refuses with a message naming the pid
holding it. The kernel releases a ``flock`` when its process dies, so the lock
of a killed run (its pid dead) is simply taken over.

**Written as a unit.** :func:`replace_directory` writes every file into a
temporary sibling ``.<name>.new-<pid>``, then swaps it with the old directory
in one ``renameat2(RENAME_EXCHANGE)`` (Linux; elsewhere the old directory is
first renamed aside to ``.<name>.old-<pid>``) and removes the old one. A kill,
a full disk or an exception at any point leaves the old directory or the new
one at ``out``, never a mix; the next run under the lock removes the
leftovers (and puts an old directory renamed aside back when ``out`` is
missing).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from arabench.annotations.errors import BenchmarkError

__all__ = ["LOCK_WAIT", "OutputLock", "check_output_dir", "output_lock", "replace_directory"]

#: Seconds a run waits for another run's lock on the same ``--out`` before refusing.
LOCK_WAIT = 5.0
#: The file whose presence marks a directory as a results directory (one that may be replaced).
MARKER = "results.json"

T = TypeVar("T")


def _lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


def _sibling(out: Path, kind: str) -> Path:
    return out.parent / f".{out.name}.{kind}-{os.getpid()}"


def check_output_dir(out: str | Path) -> Path:
    """Refuse an ``--out`` that cannot be written as a results directory; return it as an absolute path.

    Creates the missing parent directories.

    Raises:
        BenchmarkError: For an existing file, an unwritable directory or parent, or a non-empty
            directory without ``results.json`` (naming the path and the fix).
    """
    out = Path(os.path.abspath(Path(out).expanduser()))
    if out.parent == out:
        raise BenchmarkError(
            "cannot write results into the root directory", field="out", value=str(out), fix="pass e.g. ./results"
        )
    if out.exists() and not out.is_dir():
        raise BenchmarkError(
            "--out names an existing file, not a directory",
            file=out,
            field="out",
            value=str(out),
            fix="pass a directory path (it is created), or move the file away",
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BenchmarkError(
            f"cannot create the parent directory of --out ({exc.strerror or exc})",
            file=out.parent,
            field="out",
            value=str(out),
            fix="choose an --out whose parent directory can be created and written",
        ) from None
    for where, what in ((out.parent, "the parent directory of --out"), (out, "--out")):
        if where.is_dir() and not os.access(where, os.W_OK | os.X_OK):
            raise BenchmarkError(
                f"{what} is read-only",
                file=where,
                field="out",
                value=str(out),
                fix="make it writable or choose another --out",
            )
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise BenchmarkError(
            f"--out is a non-empty directory that is not a results directory (no {MARKER}); "
            "it would be replaced as a whole",
            file=out,
            field="out",
            value=str(out),
            fix="choose a new or empty directory, or one written by arabench run",
        )
    return out


def _pid_of(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip() or "?"
    except (OSError, UnicodeDecodeError):
        return "?"


class OutputLock:
    """An exclusive lock on a results directory (see the module docstring).

    Args:
        out: The results directory.
        wait: Seconds to wait for another run's lock before refusing.
    """

    def __init__(self, out: Path, *, wait: float = LOCK_WAIT) -> None:
        self.out = out
        self.path = _lock_path(out)
        self.wait = wait
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, waiting up to ``wait`` seconds.

        Raises:
            BenchmarkError: If another live run holds it after the wait, or the lock file cannot be created.
        """
        deadline = time.monotonic() + max(0.0, self.wait)
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
            except OSError as exc:
                raise BenchmarkError(
                    f"cannot create the lock file of --out ({exc.strerror or exc})",
                    file=self.path,
                    field="out",
                    value=str(self.out),
                    fix="make the parent directory of --out writable or choose another --out",
                ) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                if time.monotonic() >= deadline:
                    raise BenchmarkError(
                        f"another arabench run (pid {_pid_of(self.path)}) is writing this results directory",
                        file=self.out,
                        field="out",
                        value=str(self.out),
                        fix=f"wait for it to finish, or choose another --out (waited {self.wait:g} s)",
                    ) from None
                time.sleep(0.05)
                continue
            try:  # the holder before us may have removed the file after we opened it: lock the file at the path
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            self._fd = fd
            _clean_leftovers(self.out)
            return

    def release(self) -> None:
        """Remove the lock file and release the lock (idempotent)."""
        if self._fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


@contextlib.contextmanager
def output_lock(out: Path, *, wait: float = LOCK_WAIT) -> Iterator[OutputLock]:
    """:class:`OutputLock` as a context manager."""
    lock = OutputLock(out, wait=wait)
    with lock:
        yield lock


def _clean_leftovers(out: Path) -> None:
    """Under the lock: remove what a killed run left next to ``out``; restore an old directory set aside."""
    pattern = re.compile(rf"^\.{re.escape(out.name)}\.(new|old)-\d+$")
    leftovers = sorted(p for p in out.parent.iterdir() if pattern.match(p.name))
    for path in leftovers:
        if path.name.rsplit(".", 1)[1].startswith("old") and not out.exists():
            os.rename(path, out)  # killed between the two renames of the fallback: the old directory comes back
        else:
            shutil.rmtree(path, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with ``renameat2(RENAME_EXCHANGE)``; ``False`` where it is not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def replace_directory(out: Path, fill: Callable[[Path], T]) -> T:
    """Write a directory as a unit: ``fill(tmp)`` writes into a fresh sibling, which then replaces ``out``.

    Returns:
        What ``fill`` returned (paths inside the temporary directory are *not* translated).

    Raises:
        BaseException: Whatever ``fill`` or the file system raised; ``out`` is then untouched.
    """
    new = _sibling(out, "new")
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir(parents=True)
    try:
        result = fill(new)
        _fsync_dir(new)
        if not out.exists():
            os.rename(new, out)
        elif _exchange(new, out):
            shutil.rmtree(new, ignore_errors=True)  # now the old directory
        else:
            old = _sibling(out, "old")
            os.rename(out, old)
            os.rename(new, out)
            shutil.rmtree(old, ignore_errors=True)
        _fsync_dir(out.parent)
    except BaseException:
        old = _sibling(out, "old")
        if not out.exists() and old.exists():
            os.rename(old, out)  # failed between the two renames of the fallback: the old directory stays
        shutil.rmtree(new, ignore_errors=True)
        raise
    return result


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
