"""A results directory written as a unit, by one run at a time.

**Checked first.** :func:`check_output_dir` refuses, before any model runs, an
``--out`` that names an existing file, a symbolic link (replacing the link
would leave the directory it points to stale), a directory that cannot be
written (or whose parent cannot be), and a non-empty directory that is not a
results directory (it holds no ``results.json``), since it is replaced as a
whole.

**One run at a time.** :class:`OutputLock` holds an exclusive lock (the
`filelock <https://py-filelock.readthedocs.io>`_ library's ``FileLock``: an
``flock`` on a file opened with ``O_NOFOLLOW | O_NONBLOCK``) on the sibling
file ``.<name>.lock`` from before the first model runs until the directory is
in place; the holder writes its pid into it. A second run into the same
``--out`` waits a bounded time, then refuses with a message naming the pid
holding it. The kernel releases an ``flock`` when its process dies, so the lock
of a killed run (its pid dead) is simply taken over. A lock path that is a
symbolic link, a FIFO, a directory or anything but a regular file is refused
with a clear error: arabench never writes through a link it did not make and
never truncates a file that is not its own lock.

**Written as a unit.** :func:`replace_directory` writes every file into a
temporary sibling ``.<name>.new-<pid>``, renames the old directory aside to
``.<name>.old-<pid>``, renames the new one into place (two :func:`os.rename`,
each atomic) and removes the old one. A kill, a full disk or an exception at
any point leaves the old directory or the new one at ``out``, never a mix: a
failure between the two renames puts the old directory back at once, and a
kill there leaves it aside, where the next run's lock puts it back before
anything else (and removes every other leftover).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from filelock import FileLock, Timeout

from arabench.annotations.errors import BenchmarkError

__all__ = ["LOCK_WAIT", "OutputLock", "check_output_dir", "output_lock", "replace_directory", "write_results_directory"]

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
    if out.is_symlink():
        raise BenchmarkError(
            "--out is a symbolic link; the results directory is replaced as a whole, which would replace the link "
            "and leave the directory it points to stale",
            file=out,
            field="out",
            value=str(out),
            fix=f"pass the directory itself: --out {os.path.realpath(out)}",
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
    """The pid recorded in a lock file (``?`` when unreadable); never follows a link nor blocks on a FIFO."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return "?"
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return "?"
        text = os.read(fd, 32).decode("ascii", "replace").strip()
    except OSError:
        return "?"
    finally:
        os.close(fd)
    return text if text.isdigit() else "?"


class _NotALockFile(Exception):
    """The lock path opened to something other than a regular file (raised inside filelock's callback)."""


def _kind(mode: int, links: int = 1) -> str:
    if stat.S_ISREG(mode) and links > 1:
        return "a hard link of another file (writing the pid would overwrite it)"
    for test, name in (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "not a regular file"


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
        self._lock: FileLock | None = None
        self._identity: tuple[int, int] | None = None

    def _refuse_kind(self, kind: str) -> BenchmarkError:
        return BenchmarkError(
            f"the lock file of --out is {kind}; arabench writes only a regular file of its own there",
            file=self.path,
            field="out",
            value=str(self.out),
            fix=f"remove {self.path} (arabench creates it) or choose another --out",
        )

    def _on_acquired(self, fd: int) -> None:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
            raise _NotALockFile(_kind(info.st_mode, info.st_nlink))
        os.ftruncate(fd, 0)  # our own lock file (a regular file opened without following a link), now locked
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._identity = (info.st_dev, info.st_ino)

    def acquire(self) -> None:
        """Take the lock, waiting up to ``wait`` seconds.

        Raises:
            BenchmarkError: If another live run holds it after the wait, the lock path is not a regular file
                (a symbolic link, a FIFO, a directory...), or the lock file cannot be created.
        """
        try:
            found = os.lstat(self.path)
            mode, links = found.st_mode, found.st_nlink
        except OSError:  # missing (the usual case) or unreachable: the open below says which
            mode, links = stat.S_IFREG, 1
        if not stat.S_ISREG(mode) or links > 1:  # refused before opening: filelock would wait on it until the timeout
            raise self._refuse_kind(_kind(mode, links))
        lock = FileLock(
            self.path, timeout=max(0.0, self.wait), mode=0o644, fallback_to_soft=False, on_acquired=self._on_acquired
        )
        try:
            lock.acquire()
        except Timeout:
            raise BenchmarkError(
                f"another arabench run (pid {_pid_of(self.path)}) is writing this results directory",
                file=self.out,
                field="out",
                value=str(self.out),
                fix=f"wait for it to finish, or choose another --out (waited {self.wait:g} s)",
            ) from None
        except _NotALockFile as exc:
            raise self._refuse_kind(str(exc)) from None
        except OSError as exc:
            try:
                mode = os.lstat(self.path).st_mode
            except OSError:
                mode = stat.S_IFREG
            if not stat.S_ISREG(mode):  # replaced between the check and the open (O_NOFOLLOW refused the link)
                raise self._refuse_kind(_kind(mode)) from None
            reason = exc.strerror or str(exc)
            if not self.path.parent.is_dir():
                reason = os.strerror(errno.ENOTDIR)
            raise BenchmarkError(
                f"cannot create the lock file of --out ({reason})",
                file=self.path,
                field="out",
                value=str(self.out),
                fix="make the parent directory of --out writable or choose another --out",
            ) from None
        self._lock = lock
        _clean_leftovers(self.out)

    def release(self) -> None:
        """Remove the lock file (while still holding it, and only if it is still ours) and release (idempotent).

        A run waiting on the removed file finds it unlinked once it gets the lock and opens the path again
        (filelock checks the link count), so removing the file never lets two runs hold the lock.
        """
        if self._lock is None:
            return
        lock, self._lock = self._lock, None
        try:
            info = os.lstat(self.path)
            if self._identity == (info.st_dev, info.st_ino):
                os.unlink(self.path)
        except FileNotFoundError:
            pass
        finally:
            lock.release()

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
        aside = path.name.rsplit(".", 1)[1].startswith("old")
        if aside and not os.path.lexists(out) and path.is_dir() and not path.is_symlink():
            os.rename(path, out)  # killed between the two renames: the old directory comes back
        else:
            _remove_own(path)


def replace_directory(out: Path, fill: Callable[[Path], T]) -> T:
    """Write a directory as a unit: ``fill(tmp)`` writes into a fresh sibling, which then replaces ``out``.

    Returns:
        What ``fill`` returned (paths inside the temporary directory are *not* translated).

    Raises:
        BaseException: Whatever ``fill`` or the file system raised; ``out`` is then untouched.
    """
    new = _sibling(out, "new")
    old = _sibling(out, "old")
    _remove_own(new)
    new.mkdir(parents=True)
    try:
        result = fill(new)
        _fsync_dir(new)
        if os.path.lexists(out):
            os.rename(out, old)
        os.rename(new, out)
        _remove_own(old)
        _fsync_dir(out.parent)
    except BaseException:
        if not os.path.lexists(out) and os.path.lexists(old):
            os.rename(old, out)  # failed between the two renames: the old directory stays
        _remove_own(new)
        raise
    return result


def write_results_directory(
    out: Path, fill: Callable[[Path], dict[str, Path]], *, lock: OutputLock | None = None
) -> dict[str, Path]:
    """Write the results directory ``out`` as a unit, under its lock (taken here unless ``lock`` is held).

    ``fill(tmp)`` writes the files into the temporary sibling and returns them by kind; they are returned
    at their place inside ``out``.

    Raises:
        BenchmarkError: For a write that failed (``out`` is then left as it was), or the lock's errors.
    """

    def translated(tmp: Path) -> dict[str, Path]:
        return {kind: out / path.relative_to(tmp) for kind, path in fill(tmp).items()}

    held = lock if lock is not None else OutputLock(out)
    try:
        if lock is None:
            held.acquire()
        try:
            return replace_directory(out, translated)
        except OSError as exc:
            raise BenchmarkError(
                f"cannot write the results ({exc.strerror or exc}); the directory was left as it was",
                file=out,
                field="out",
                value=str(out),
                fix="free disk space or choose another --out",
            ) from None
    finally:
        if lock is None:
            held.release()


def _remove_own(path: Path) -> None:
    """Remove a temporary sibling arabench made; a link planted there is unlinked, never followed."""
    if path.is_symlink() or (os.path.lexists(path) and not path.is_dir()):
        path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
