"""The predictions cache: a model's predictions, keyed by what produced them.

Layout under the cache root (``$ARABENCH_CACHE``, else ``~/.cache/arabench``)::

    predictions/<model key>/<text sha256>.json   one Prediction per text
    models/<name key>.json                       what a model name resolved to last time

**Prediction entries.** The *model key* is the sha256 of the canonical JSON of
the model's :meth:`~models.base.NERModel.provenance` (id, revision, label map,
adapter version, view, ...) together with the sha256 of the adapter's source
file (of every file of its subpackage, for ``arabench.models.llm``), so editing an
adapter invalidates its entries even when its author forgot to bump
``adapter_version``. The text key is the sha256 of the UTF-8 text. An
entry stores the prediction, the two keys, and a sha256 checksum of the
canonical JSON of its payload.

**Name index.** To re-score a run without loading any model (loading a
transformer takes seconds, and may not be possible offline), the harness also
records, per *name key*, the provenance a model name resolved to. The name key
is the sha256 of the model name, the options it was created with (gold
documents by their text, spans and relations), the arabench version, the
adapter's source hash and the *content* (sha256 of every file, never size and
mtime alone) of a local path named in the model name (``hf:/path/to/model``,
``file:preds.jsonl``; a name whose whole argument is an existing path is that
path even when it holds ``@``), or, for a hub model, the refs of its
repository in the local Hugging Face cache (so a newly downloaded snapshot is
noticed). If the name index and an entry for every text exist, the model is
not constructed at all.

**Corruption.** An entry that is not valid JSON, has the wrong shape, or whose
checksum does not match is reported with a :class:`CacheWarning` naming the file,
ignored, and recomputed (the fresh entry replaces it); so is an entry that
would be refused as a predictions file: spans without integer offsets ``0 <=
start < end <= len(text)``, labels outside the model's view (when the caller
passes them), diagnostics that are not numbers. A path in the cache that is
not a regular file (a FIFO, a device) is skipped with a warning, never opened
for reading. All writes are atomic (:mod:`arabench.annotations.files`), so an
interrupted run leaves no half-written entry.

**Unwritable cache.** A cache that cannot be written (read-only, full, a file
where a directory should be) is one :class:`CacheWarning`; the model runs
uncached and is scored as usual.

**Incomplete predictions.** A prediction whose diagnostics report
``failed_windows`` (an LLM window that got no answer: connection errors,
timeouts, HTTP errors) is never stored, and such an entry left by an older
version is discarded, so a model that could not run is asked again next time.

**Refresh.** ``PredictionCache(refresh=True)`` (a ``--no-cache`` run) reads
nothing and writes what it computes, so no stale entry survives it; a cache
that cannot be written is then only a warning, as always.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import warnings
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from arabench.annotations.files import canonical_json, canonical_sha256, default_cache_dir, text_sha256
from arabench.annotations.spans import Document, Relation, Span
from arabench.benchmark.atomic import atomic_write_json

__all__ = [
    "CACHE_VERSION",
    "CacheWarning",
    "PredictionCache",
    "prediction_to_json",
    "prediction_from_json",
    "fingerprint",
    "incomplete",
    "path_digest",
    "local_path",
]

#: Bumped when the entry format changes; older entries are then ignored.
CACHE_VERSION = 2


class CacheWarning(UserWarning):
    """A cache entry was corrupted or unreadable and is being recomputed."""


def _span_json(span: Span) -> list[object]:
    return [span.start, span.end, span.label]


def _span_from(value: Any) -> Span:
    start, end, label = value
    if type(start) is not int or type(end) is not int or not isinstance(label, str) or not label:
        raise ValueError(f"not a [start, end, label] span with integer offsets and a label: {value!r}")
    return Span(start, end, label)


def prediction_to_json(prediction: Any) -> dict[str, object]:
    """A :class:`~models.base.Prediction` as plain JSON data (spans as ``[start, end, label]``)."""
    return {
        "spans": [_span_json(s) for s in prediction.spans],
        "relations": [[r.label, _span_json(r.arg1), _span_json(r.arg2)] for r in prediction.relations],
        "diagnostics": {str(k): prediction.diagnostics[k] for k in sorted(prediction.diagnostics)},
        **(
            {"clusters": [[_span_json(s) for s in group] for group in prediction.clusters]}
            if prediction.clusters
            else {}
        ),
    }


def prediction_from_json(data: Mapping[str, Any]) -> Any:
    """Inverse of :func:`prediction_to_json`."""
    from arabench.models.base import Prediction

    spans = tuple(_span_from(s) for s in data["spans"])
    for r in data["relations"]:
        if not isinstance(r, list) or len(r) != 3 or not isinstance(r[0], str) or not r[0]:
            raise ValueError(f"not a [label, span, span] relation: {r!r}")
    relations = tuple(Relation(r[0], _span_from(r[1]), _span_from(r[2])) for r in data["relations"])
    if not isinstance(data["diagnostics"], Mapping):
        raise ValueError("diagnostics is not a mapping")
    diagnostics = {str(k): v for k, v in data["diagnostics"].items()}
    groups = data.get("clusters", [])
    if not isinstance(groups, list) or not all(isinstance(g, list) for g in groups):
        raise ValueError("clusters is not a list of span lists")
    clusters = tuple(tuple(_span_from(s) for s in group) for group in groups)
    return Prediction(spans=spans, relations=relations, diagnostics=diagnostics, clusters=clusters)


def fingerprint(value: object) -> object:
    """A JSON-able fingerprint of a model option, or raise ``TypeError`` if it has none.

    Documents are fingerprinted by their id, text hash, spans and relations,
    paths by their string; plain JSON values stand for themselves.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Document):
        return {
            "id": value.id,
            "text": text_sha256(value.text),
            "spans": [_span_json(s) for s in value.spans],
            "relations": sorted([r.label, _span_json(r.arg1), _span_json(r.arg2)] for r in value.relations.values()),
            "clusters": [list(group) for group in value.clusters],
        }
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): fingerprint(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [fingerprint(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((fingerprint(v) for v in value), key=repr)
    raise TypeError(f"no fingerprint for {type(value).__name__}")


def path_digest(path: Path) -> str:
    """sha256 of the content of a file, or of every regular file under a directory (relative names included).

    Content, not size and mtime: a replacement file with the same size and
    mtime is a different digest. Non-regular files (FIFOs, sockets) are left
    out, so a digest never blocks on one.
    """
    digest = hashlib.sha256()
    if path.is_dir():
        files = sorted((p for p in path.rglob("*") if p.is_file()), key=lambda p: p.relative_to(path).as_posix())
        names = [p.relative_to(path).as_posix() for p in files]
    else:
        files = [path] if path.is_file() else []
        names = [path.name] * len(files)
    for name, file in zip(names, files, strict=True):
        encoded = name.encode("utf-8", "surrogateescape")
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
        digest.update(file.stat().st_size.to_bytes(8, "big"))
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def local_path(name: str) -> Path | None:
    """The existing local path a model name names (``file:a@b.jsonl``, ``hf:/dir@rev``), or ``None``.

    The whole argument is tried first, so a path holding ``@`` is not split as
    ``path@revision``; failing that, the part before the last ``@``.
    """
    _, _, arg = name.partition(":")
    if not arg:
        return None
    for candidate in (arg, arg.rpartition("@")[0]):
        if candidate and Path(candidate).expanduser().exists():
            return Path(candidate).expanduser()
    return None


def hub_refs(hub_id: str) -> dict[str, str] | None:
    """The refs (branch or tag -> commit) of a model repository in the local Hugging Face cache, if any."""
    env = os.environ.get("HF_HUB_CACHE")
    if env:
        root = Path(env)
    else:
        home = os.environ.get("HF_HOME")
        root = (Path(home) if home else Path("~/.cache/huggingface").expanduser()) / "hub"
    refs = root / ("models--" + hub_id.replace("/", "--")) / "refs"
    if not refs.is_dir():
        return None
    try:
        return {
            p.relative_to(refs).as_posix(): p.read_text(encoding="utf-8").strip()
            for p in sorted(refs.rglob("*"))
            if p.is_file()
        }
    except OSError:
        return None


def incomplete(prediction: Any) -> bool:
    """Whether a prediction reports failed windows (it must not be cached: see the module docstring)."""
    return bool(prediction.diagnostics.get("failed_windows"))


class PredictionCache:
    """Predictions on disk, keyed by model provenance and text hash.

    Args:
        root: The cache directory (created on first write).
        refresh: Read nothing, write every prediction computed (see the module docstring).
    """

    def __init__(self, root: str | Path | None = None, *, refresh: bool = False) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()
        self.refresh = refresh
        self.writable = True
        self.hits = 0
        self.misses = 0
        self.corrupted: list[Path] = []

    # ----------------------------------------------------------------- keys
    @staticmethod
    def model_key(provenance: Mapping[str, object], *, code_hash: str | None = None) -> str:
        """The directory key of a model: sha256 of its provenance and adapter source hash."""
        return canonical_sha256({"provenance": dict(provenance), "code": code_hash, "cache_version": CACHE_VERSION})

    @staticmethod
    def name_key(
        name: str, options: Mapping[str, object], *, code_hash: str | None = None, hub_id: str | None = None
    ) -> str | None:
        """The name-index key of a model name and its options, or ``None`` if an option cannot be fingerprinted.

        ``hub_id`` (a Hugging Face repository id) adds the local hub cache's
        refs of that repository, so a new snapshot downloaded under the same
        name is noticed.
        """
        from arabench.benchmark.version import __version__

        try:
            opts = fingerprint(dict(options))
        except TypeError:
            return None
        path = local_path(name)
        try:
            local = None if path is None else [str(path), path_digest(path)]
        except OSError:
            return None  # unreadable: no name index, the model is constructed and keyed by its provenance
        return canonical_sha256(
            {
                "name": name,
                "options": opts,
                "arabench": __version__,
                "code": code_hash,
                "local": local,
                "hub_refs": hub_refs(hub_id) if hub_id else None,
                "cache_version": CACHE_VERSION,
            }
        )

    def _entry_path(self, model_key: str, text_hash: str) -> Path:
        return self.root / "predictions" / model_key / f"{text_hash}.json"

    def _index_path(self, name_key: str) -> Path:
        return self.root / "models" / f"{name_key}.json"

    # ---------------------------------------------------------- read/write
    def _read_checked(self, path: Path, kind: str) -> dict[str, Any] | None:
        try:
            raw = _read_regular(path)
        except (FileNotFoundError, NotADirectoryError):  # absent (a file where a directory should be: absent too)
            return None
        except OSError as exc:
            self._warn(path, f"cannot be read ({exc})")
            return None
        try:
            data = json.loads(raw.decode("utf-8"))
            payload = data["payload"]
            checksum = data["checksum"]
            if data.get("cache_version") != CACHE_VERSION or data.get("kind") != kind:
                return None
        except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            self._warn(path, f"is not a valid cache entry ({type(exc).__name__}: {exc})")
            return None
        try:
            digest = canonical_sha256(payload)
        except UnicodeEncodeError:  # "\ud800" escaped in the JSON: text no output can hold
            self._warn(path, "holds text that is not valid Unicode (a lone surrogate)")
            return None
        if digest != checksum:
            self._warn(path, "fails its checksum (the file was modified or truncated)")
            return None
        return payload

    def _warn(self, path: Path, what: str) -> None:
        self.corrupted.append(path)
        warnings.warn(f"corrupted cache entry {path} {what}; ignoring it and recomputing", CacheWarning, stacklevel=4)

    def _write(self, path: Path, kind: str, payload: Mapping[str, object]) -> None:
        try:
            payload = json.loads(canonical_json(payload))
        except UnicodeEncodeError:  # a lone surrogate from a model's answer: not stored, never a poisoned entry
            warnings.warn(
                f"not caching {path.name}: it holds text that is not valid Unicode (a lone surrogate)",
                CacheWarning,
                stacklevel=3,
            )
            return
        entry = {
            "cache_version": CACHE_VERSION,
            "kind": kind,
            "checksum": canonical_sha256(payload),
            "payload": payload,
        }
        if not self.writable:
            return
        try:
            atomic_write_json(path, entry, indent=None, durable=False)  # no fsync: a lost entry is recomputed
        except OSError as exc:  # read-only, full, or a non-directory in the way: warn once, run uncached
            self.writable = False
            warnings.warn(
                f"the predictions cache {self.root} cannot be written ({exc}); models run uncached "
                "(fix: free space or make it writable, or set ARABENCH_CACHE to another directory)",
                CacheWarning,
                stacklevel=3,
            )

    def get(self, model_key: str, text: str, *, labels: Collection[str] | None = None) -> Any | None:
        """The cached prediction of ``text`` under ``model_key``, or ``None`` (missing or corrupted).

        With ``labels`` (the model's view), an entry holding another label is corrupted too.
        """
        if self.refresh:
            self.misses += 1
            return None
        text_hash = text_sha256(text)
        path = self._entry_path(model_key, text_hash)
        payload = self._read_checked(path, "prediction")
        if payload is None or payload.get("text_sha256") != text_hash:
            if payload is not None:
                self._warn(path, "belongs to another text")
            self.misses += 1
            return None
        try:
            prediction = prediction_from_json(payload["prediction"])
        except (KeyError, TypeError, ValueError) as exc:
            self._warn(path, f"holds a malformed prediction ({exc})")
            self.misses += 1
            return None
        problem = _prediction_problem(prediction, text, labels)
        if problem is not None:
            self._warn(path, problem)
            self.misses += 1
            return None
        if incomplete(prediction):
            self._warn(path, "holds a partial prediction (failed windows)")
            self.misses += 1
            return None
        self.hits += 1
        return prediction

    def put(self, model_key: str, text: str, prediction: Any) -> None:
        """Store ``prediction`` for ``text`` under ``model_key`` (atomic); an incomplete one is not stored."""
        if incomplete(prediction):
            return
        text_hash = text_sha256(text)
        self._write(
            self._entry_path(model_key, text_hash),
            "prediction",
            {"model_key": model_key, "text_sha256": text_hash, "prediction": prediction_to_json(prediction)},
        )

    def get_many(
        self, model_key: str, texts: Sequence[str], *, labels: Collection[str] | None = None
    ) -> list[Any | None]:
        """:meth:`get` for every text, in order."""
        return [self.get(model_key, t, labels=labels) for t in texts]

    def lookup_name(self, name_key: str | None) -> dict[str, Any] | None:
        """What a model name resolved to last time: ``{"provenance", "model_key", "info"}`` or ``None``."""
        if name_key is None or self.refresh:
            return None
        payload = self._read_checked(self._index_path(name_key), "model")
        if payload is None:
            return None
        if not isinstance(payload.get("provenance"), dict) or not isinstance(payload.get("model_key"), str):
            self._warn(self._index_path(name_key), "has the wrong shape")
            return None
        return payload

    def remember_name(
        self, name_key: str | None, *, provenance: Mapping[str, object], model_key: str, info: Mapping[str, object]
    ) -> None:
        """Record that a model name resolved to ``provenance`` (and the model's view/labels in ``info``)."""
        if name_key is None:
            return
        self._write(
            self._index_path(name_key),
            "model",
            {"provenance": dict(provenance), "model_key": model_key, "info": dict(info)},
        )


def _read_regular(path: Path) -> bytes:
    """The bytes of ``path``, refusing (``OSError``) anything but a regular file without blocking on it."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(f"not a regular file (mode {stat.filemode(mode)}); skipping it")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(fd)


def _prediction_problem(prediction: Any, text: str, labels: frozenset[str] | None) -> str | None:
    """What would make ``prediction`` refused as a predictions file for ``text`` (``None`` when it is sound)."""
    members = [s for group in prediction.clusters for s in group]
    if not set(members) <= set(prediction.spans):
        return "holds a cluster member that is not one of its spans"
    for span in [*prediction.spans, *(s for r in prediction.relations for s in (r.arg1, r.arg2))]:
        if not 0 <= span.start < span.end <= len(text):
            return f"holds a span beyond the text of length {len(text)} ({span})"
        if labels is not None and span.label not in labels:
            return f"holds a label outside the model's view ({span.label!r})"
    for key, value in prediction.diagnostics.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"holds a diagnostic that is not a number ({key!r}: {value!r})"
    return None
