"""Files every layer writes or keys by: atomic writes, canonical hashes, path fingerprints, the cache root.

This is the lowest layer's file toolkit, so that models (the LLM response
cache) and the harness (results, reports, the predictions cache) share one
definition without ``models`` importing ``benchmark``.

* :func:`atomic_write_bytes` / :func:`atomic_write_text`: a reader sees the old
  file or the new one, never half of one. The content is written to a
  temporary file in the *same directory*, flushed and fsynced, then moved over
  the target with :func:`os.replace`, which is atomic on POSIX and Windows. If
  anything fails before the replace (an exception while producing the content,
  a full disk, a kill), the temporary file is removed and the old target is
  left untouched.
* :func:`canonical_json` / :func:`canonical_sha256`: sorted keys, no spaces,
  UTF-8; sets are sorted, paths are strings. The key material of every cache.
* :func:`text_sha256`: the sha256 of a text's UTF-8 bytes.
* :func:`path_fingerprint`: relative name, size and mtime of a file or of every
  file under a directory.
* :func:`default_cache_dir`: ``$ARABENCH_CACHE``, else ``~/.cache/arabench``.
* :func:`read_bounded_bytes` / :func:`read_bounded_text`: the one reader of a
  file a user names (configs, views, cards, results): a regular file of at most
  ``limit`` bytes, refused at once (without reading) when it is a FIFO, a
  device such as ``/dev/zero``, a directory, or larger than the limit.
* :func:`refuse_output_onto_inputs`: no command writes onto one of its own
  inputs (the same path after links, a hard link, or an input inside an output
  directory that is replaced as a whole).
* :func:`read_yaml_text`: the above for YAML, also checked, before anything is
  built from it, for nesting depth, alias expansion (a "billion laughs" file of
  1 KB is refused, not expanded) and ``!!python`` tags.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

import yaml

from arabench.annotations.errors import BenchmarkError

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "canonical_json",
    "canonical_sha256",
    "default_cache_dir",
    "path_fingerprint",
    "check_input",
    "read_bounded_bytes",
    "read_bounded_text",
    "read_yaml_text",
    "refuse_output_onto_inputs",
    "text_sha256",
    "MAX_RESULTS_BYTES",
    "MAX_YAML_BYTES",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
]

#: The largest results.json (or JSON configuration) read (bytes).
MAX_RESULTS_BYTES = 256 * 1024 * 1024
#: The largest configuration, views or model-card file read (bytes).
MAX_YAML_BYTES = 4 * 1024 * 1024
#: The deepest nesting of mappings and sequences in such a file.
MAX_YAML_DEPTH = 64
#: The most nodes such a file may stand for once every alias is expanded.
MAX_YAML_NODES = 200_000


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | Path, data: bytes, *, durable: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically and return the path.

    The parent directory is created if needed. ``durable=False`` skips the
    ``fsync`` (still atomic against an interrupted process, not against a power
    loss): for cache entries, which are recomputed when lost.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; results are ordinary files
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    r"""Write ``text`` as UTF-8 (``\\n`` line ends, no translation) atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def default_cache_dir() -> Path:
    """``$ARABENCH_CACHE`` if set, else ``~/.cache/arabench``."""
    env = os.environ.get("ARABENCH_CACHE")
    if env:
        return Path(env).expanduser()
    return Path("~/.cache/arabench").expanduser()


def text_sha256(text: str) -> str:
    """The sha256 hex digest of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _json_default(value: object) -> object:
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (tuple, list)):
        return list(value)
    raise TypeError(f"not JSON-serializable: {type(value).__name__}")


def canonical_json(data: object) -> bytes:
    """The canonical JSON of ``data`` as UTF-8: sorted keys, no spaces, sets sorted, paths as strings."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default).encode(
        "utf-8"
    )


def canonical_sha256(data: object) -> str:
    """sha256 of the canonical JSON (sorted keys, no spaces) of ``data``."""
    return hashlib.sha256(canonical_json(data)).hexdigest()


def path_fingerprint(path: Path) -> list[list[object]]:
    """Relative name, size and mtime (ns) of ``path`` or of every file under it, sorted."""
    if path.is_file():
        stat = path.stat()
        return [[path.name, stat.st_size, stat.st_mtime_ns]]
    rows: list[list[object]] = []
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        stat = file.stat()
        rows.append([file.relative_to(path).as_posix(), stat.st_size, stat.st_mtime_ns])
    return rows


def _file_kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def check_input(
    path: str | Path, *, what: str = "input", error: type[BenchmarkError] = BenchmarkError, directory: bool = True
) -> Path:
    """``path`` if it is a regular file (or, with ``directory``, a directory) to read; else a clear error.

    Checked with ``stat`` before anything opens the path, so a FIFO is refused at once instead of
    waiting for a writer, and a device (``/dev/zero``) or a socket is refused by its type instead of
    being read without end. A symbolic link is judged by what it points to.

    Raises:
        BenchmarkError: (of class ``error``) naming the file, what it is and the fix.
    """
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise error(f"cannot read the {what}: {exc.strerror or exc}", file=path, fix="check the path") from None
    if stat.S_ISREG(mode) or (directory and stat.S_ISDIR(mode)):
        return path
    kind = "a directory" if stat.S_ISDIR(mode) else _file_kind(mode)
    raise error(
        f"the {what} is {kind}, not a regular file{' or a directory' if directory else ''}",
        file=path,
        fix="pass a regular file" + (" or a directory of files" if directory else ""),
    )


def read_bounded_bytes(
    path: str | Path, *, limit: int, what: str, error: type[BenchmarkError] = BenchmarkError
) -> bytes:
    """The bytes of the regular file ``path``, refused (before reading) past ``limit`` bytes.

    Opened without blocking, so a FIFO is refused at once instead of waiting for a writer; a device
    (``/dev/zero``), a directory or a socket is refused by its type; a file that grows past ``limit``
    while it is read is refused after ``limit + 1`` bytes.

    Raises:
        BenchmarkError: (of class ``error``) naming the file, what it is and the fix.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise error(f"cannot read the {what}: {exc.strerror or exc}", file=path, fix="check the path") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise error(
                f"the {what} is {_file_kind(info.st_mode)}, not a regular file",
                file=path,
                fix="pass a regular file",
            )
        if info.st_size > limit:
            raise error(
                f"the {what} is {info.st_size} bytes, more than the {limit} read",
                file=path,
                fix=f"pass a {what} of at most {limit} bytes",
            )
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise error(
                f"the {what} grew past the {limit} bytes read",
                file=path,
                fix=f"pass a {what} of at most {limit} bytes that does not change while it is read",
            )
        return b"".join(chunks)
    except OSError as exc:
        raise error(f"cannot read the {what}: {exc.strerror or exc}", file=path, fix="check the path") from None
    finally:
        os.close(fd)


def read_bounded_text(
    path: str | Path, *, limit: int, what: str, error: type[BenchmarkError] = BenchmarkError, encoding: str = "utf-8"
) -> str:
    """:func:`read_bounded_bytes` decoded (``utf-8`` by default; ``utf-8-sig`` drops a byte order mark).

    Raises:
        BenchmarkError: (of class ``error``) as :func:`read_bounded_bytes`, or for bytes that are not UTF-8
            (naming the byte offset).
    """
    data = read_bounded_bytes(path, limit=limit, what=what, error=error)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise error(f"{what} is not UTF-8 (byte offset {exc.start})", file=path, fix="save it as UTF-8") from None


def read_yaml_text(
    path: str | Path,
    *,
    what: str,
    error: type[BenchmarkError] = BenchmarkError,
    limit: int = MAX_YAML_BYTES,
    max_depth: int = MAX_YAML_DEPTH,
    max_nodes: int = MAX_YAML_NODES,
) -> str:
    """The text of a YAML file a user names, checked to be safe to build: size, depth, aliases, tags.

    The file is read by :func:`read_bounded_text`, then its event stream (PyYAML's parser, which is not
    recursive) is walked: nesting deeper than ``max_depth`` is refused before any node is built; then the
    composed node graph is measured with every alias expanded (shared nodes are counted each time they
    are used, memoized so the count itself is cheap) and a file standing for more than ``max_nodes``
    nodes is refused; a ``!!python/...`` tag is refused by name. A syntax error is left to the caller
    (a :class:`yaml.YAMLError`), which reports it with its own line and fix.

    Raises:
        BenchmarkError: (of class ``error``) naming the file, the line, the limit and the fix.
        yaml.YAMLError: For YAML that does not parse.
    """
    text = read_bounded_text(path, limit=limit, what=what, error=error)
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        tag = getattr(event, "tag", None)
        if isinstance(tag, str) and (tag.startswith("tag:yaml.org,2002:python/") or tag.startswith("!!python")):
            raise error(
                f"the {what} uses a Python tag; arabench reads YAML as data only",
                file=path,
                line=_line(event.start_mark),
                value=_clip(tag),
                fix="remove the tag and give plain values",
            )
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > max_depth:
                raise error(
                    f"the {what} nests mappings and lists more than {max_depth} levels deep",
                    file=path,
                    line=_line(event.start_mark),
                    fix="flatten it; no arabench file needs that depth",
                )
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    for root in yaml.compose_all(text, Loader=yaml.SafeLoader):
        if root is not None and _expanded_size(root, max_nodes) > max_nodes:
            raise error(
                f"the {what} stands for more than {max_nodes} values once its aliases (*name) are expanded",
                file=path,
                line=_line(root.start_mark),
                fix="write the values out instead of nesting anchors and aliases",
            )
    return text


def _line(mark: object) -> int | None:
    line = getattr(mark, "line", None)
    return line + 1 if isinstance(line, int) else None


def _expanded_size(root: yaml.Node, cap: int) -> int:
    """Nodes ``root`` stands for with every alias expanded (stops counting past ``cap``); iterative, memoized."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if done:
            sizes[id(node)] = min(cap + 1, 1 + sum(sizes.get(id(c), 0) for c in children))
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def _clip(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def _writes_onto(output: Path, source: Path, *, whole: bool) -> str | None:
    """How writing ``output`` would write onto ``source`` (``None``: it would not)."""
    out, src = Path(os.path.realpath(output)), Path(os.path.realpath(source))
    if out == src:
        return ""
    try:
        if os.path.samefile(output, source):
            return " (a hard link of it)"
    except OSError:
        pass
    return " (it is inside it)" if whole and out in src.parents else None


def refuse_output_onto_inputs(
    output: str | Path,
    inputs: Mapping[str, str | Path | None],
    *,
    field: str,
    whole: bool = False,
    error: type[BenchmarkError] = BenchmarkError,
) -> None:
    """Refuse an output path that would write onto an input of the same command, before anything is read or written.

    Args:
        output: The path the command writes.
        inputs: What each input is called (e.g. ``"RESULTS_A"``) and its path (``None`` is skipped).
        field: The option naming ``output`` (e.g. ``"--markdown"``).
        whole: ``output`` is a directory replaced as a whole, so an input anywhere inside it is refused too.
        error: The error class raised.

    Raises:
        BenchmarkError: (of class ``error``) naming the output, the input and the fix.
    """
    for name, source in inputs.items():
        if source is None or not str(source):
            continue
        how = _writes_onto(Path(output), Path(source), whole=whole)
        if how is not None:
            raise error(
                f"{field} would overwrite {name}, an input of the same command{how}",
                file=output,
                field=field,
                value=str(source),
                fix=f"write {field} somewhere else",
            )
