"""Deterministic training of the CRF baseline, and the cache of trained models.

The model is never committed: it is trained from the packaged ANERcorp train
split (``models/crf/data/anercorp_train.conll.gz``, CC BY-SA 4.0, see the
README next to it) or from a CoNLL file the user gives, and cached under
``<cache root>/crf/<key>/model.crfsuite`` (cache root: ``$ARABENCH_CACHE``,
else ``~/.cache/arabench``). The key is the sha256 of everything that decides
the model (:func:`model_inputs`): the training data's sha256, the feature
extractor's version and source hash, the CLDR gazetteer's digest (Babel), the
algorithm, its parameters and seed, the trainer version and the python-crfsuite
version. Training is deterministic: CRFsuite's passive-aggressive trainer
shuffles the sentences with the C library's ``rand``, which is seeded with
:data:`SEED` right before training, so two builds give the same model bytes.

Build it explicitly (prints the key, the path and the time)::

    python -m arabench.models.crf.train [--data FILE.conll[.gz]] [--cache-dir DIR] [--force]

``arabench run -m crf`` builds it on first use (and says so on the log).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from arabench.annotations.conll import ConllSentence, parse_conll
from arabench.annotations.errors import AnnotationError, ModelError, ModelUnavailableError
from arabench.annotations.files import atomic_write_text, default_cache_dir
from arabench.models.crf.features import FEATURE_VERSION, feature_code_sha256, gazetteer, sentence_features

__all__ = [
    "ALGORITHM",
    "DEFAULT_DATA",
    "LABELS",
    "PARAMS",
    "SEED",
    "TRAINER_VERSION",
    "BuiltModel",
    "TrainingData",
    "build_model",
    "crfsuite_version",
    "load_crfsuite",
    "main",
    "model_inputs",
    "model_key",
    "read_training_data",
    "train_model",
]

log = logging.getLogger("arabench")

#: Bumped whenever the training procedure changes.
TRAINER_VERSION = "1"
#: The packaged training data: the ANERcorp train split (CAMeL Lab), gzip-compressed.
DEFAULT_DATA = Path(__file__).with_name("data") / "anercorp_train.conll.gz"
#: The entity types of ANERcorp (the ``anercorp`` view); a training file must use only these.
LABELS = ("PERS", "LOC", "ORG", "MISC")
#: CRFsuite's training algorithm: passive-aggressive (PA-I), averaged weights.
ALGORITHM = "pa"
#: CRFsuite parameters (chosen on held-out tenths of the train split's sentences; see docs/crf.md).
PARAMS: Mapping[str, Any] = {
    "type": 1,
    "c": 1.0,
    "error_sensitive": True,
    "averaging": True,
    "max_iterations": 20,
    "epsilon": 0.0,
    "feature.possible_transitions": False,
    "feature.possible_states": False,
    "feature.minfreq": 0.0,
}
#: The seed of the C library's ``rand``, which CRFsuite uses to shuffle the sentences before each pass.
SEED = 1
INSTALL_HINT = "pip install python-crfsuite (a core dependency of arabench: reinstall arabench)"


def load_crfsuite() -> Any:
    """Import and return ``pycrfsuite``, or raise :class:`ModelUnavailableError` naming the package to install."""
    try:
        import pycrfsuite
    except ImportError:
        raise ModelUnavailableError(
            "python-crfsuite is not installed", field="model", value="crf", fix=INSTALL_HINT
        ) from None
    return pycrfsuite


def crfsuite_version() -> str:
    """The installed python-crfsuite version (part of the model key)."""
    from importlib.metadata import PackageNotFoundError, version

    load_crfsuite()
    try:
        return version("python-crfsuite")
    except PackageNotFoundError:  # importable but not installed as a distribution
        return "unknown"


@dataclass(frozen=True)
class TrainingData:
    """Sentences to train on, with what identifies them.

    Attributes:
        sentences: The CoNLL sentences, in file order.
        sha256: sha256 of the (uncompressed) UTF-8 content.
        source: The file name (the packaged file's name, or the path given).
    """

    sentences: tuple[ConllSentence, ...]
    sha256: str
    source: str

    @property
    def tokens(self) -> int:
        """Number of tokens."""
        return sum(len(s.tokens) for s in self.sentences)

    def describe(self) -> dict[str, object]:
        """JSON-serializable summary for provenance."""
        packaged = self.source == DEFAULT_DATA.name
        return {
            "file": self.source,
            "sha256": self.sha256,
            "sentences": len(self.sentences),
            "tokens": self.tokens,
            "corpus": "ANERcorp train split (CAMeL Lab; Benajiba et al. 2007, Obeid et al. 2020), CC BY-SA 4.0"
            if packaged
            else "user-provided CoNLL file",
        }


def read_training_data(path: str | os.PathLike[str] | None = None) -> TrainingData:
    """Read a CoNLL training file (``.gz`` is decompressed); default: the packaged ANERcorp train split.

    Raises:
        AnnotationError: If the file cannot be read, is not UTF-8, is malformed,
            or uses a type other than ``PERS LOC ORG MISC`` (naming file, line and fix).
    """
    chosen = Path(path).expanduser().resolve() if path is not None else DEFAULT_DATA
    try:
        stat = chosen.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = (0, 0)  # _read reports the error
    return _read(str(chosen), stamp)


@lru_cache(maxsize=4)
def _read(path: str, stamp: tuple[int, int]) -> TrainingData:
    """Read and parse once per file version (``stamp``: modification time and size)."""
    file = Path(path)
    try:
        data = file.read_bytes()
        if file.suffix == ".gz":
            data = gzip.decompress(data)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise AnnotationError(
            f"cannot read the CRF training data: {exc}",
            file=file,
            fix="give a CoNLL file (token<TAB>tag, BIO2), optionally gzip-compressed",
        ) from exc
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AnnotationError(f"not UTF-8 at byte offset {exc.start}", file=file, fix="re-save it as UTF-8") from exc
    sentences = parse_conll(content, file=str(file), labels=LABELS)
    sentences = [s for s in sentences if s.tokens]
    if not sentences:
        raise AnnotationError("the CRF training data holds no sentence", file=file, fix="give a non-empty CoNLL file")
    name = file.name if file == DEFAULT_DATA else str(file)
    return TrainingData(tuple(sentences), hashlib.sha256(data).hexdigest(), name)


def _gazetteer_digest() -> str:
    digest = hashlib.sha256()
    for key, kind in sorted(gazetteer().items()):
        digest.update(f"{' '.join(key)}\t{kind}\n".encode())
    return digest.hexdigest()


def _check_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    merged = dict(PARAMS)
    if params:
        unknown = sorted(set(params) - set(PARAMS))
        if unknown:
            raise ModelError(
                "unknown CRF training parameter",
                field="params",
                value=unknown,
                fix=f"use CRFsuite's passive-aggressive parameters: {', '.join(PARAMS)}",
            )
        merged.update(params)
    return dict(sorted(merged.items()))


def model_inputs(data: TrainingData, params: Mapping[str, Any] | None = None) -> dict[str, object]:
    """Everything that decides the trained model (hashed into :func:`model_key`)."""
    return {
        "trainer_version": TRAINER_VERSION,
        "data_sha256": data.sha256,
        "feature_version": FEATURE_VERSION,
        "feature_code_sha256": feature_code_sha256(),
        "gazetteer_sha256": _gazetteer_digest(),
        "algorithm": ALGORITHM,
        "params": _check_params(params),
        "seed": SEED,
        "crfsuite": crfsuite_version(),
    }


def model_key(inputs: Mapping[str, object]) -> str:
    """The cache key: sha256 of the canonical JSON of :func:`model_inputs` (first 24 hex digits)."""
    canonical = json.dumps(dict(inputs), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]


def train_model(
    sentences: Sequence[ConllSentence], path: str | os.PathLike[str], *, params: Mapping[str, Any] | None = None
) -> None:
    """Train a CRF on ``sentences`` (in their order) and write it to ``path`` (deterministic)."""
    pycrfsuite = load_crfsuite()
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.select(ALGORITHM, "crf1d")
    trainer.set_params(_check_params(params))
    for sentence in sentences:
        trainer.append(sentence_features(sentence.tokens), list(sentence.tags))
    _seed_c_rand(SEED)
    trainer.train(str(path))


def _seed_c_rand(seed: int) -> None:
    """Seed the C library's ``rand`` (CRFsuite shuffles the training sentences with it before each pass).

    Without this, two trainings in one process would see different shuffles (the
    generator's state carries over) and give different models.
    """
    import ctypes

    try:
        libc = ctypes.CDLL("ucrtbase") if sys.platform == "win32" else ctypes.CDLL(None)
        srand = libc.srand
    except (OSError, AttributeError) as exc:
        raise ModelUnavailableError(
            f"cannot seed the C library's random generator for a deterministic CRF build: {exc}",
            field="model",
            value="crf",
            fix="report your platform; the crf baseline needs srand() from the C library",
        ) from exc
    srand.argtypes = [ctypes.c_uint]
    srand(seed)


@dataclass(frozen=True)
class BuiltModel:
    """A trained model in the cache.

    Attributes:
        path: The model file.
        key: Its cache key.
        inputs: What decided it (:func:`model_inputs`).
        data: The training data summary.
        trained: Whether this call trained it (``False``: found in the cache).
        seconds: Training time of this call (0 when found in the cache).
    """

    path: Path
    key: str
    inputs: Mapping[str, object]
    data: Mapping[str, object]
    trained: bool
    seconds: float


def build_model(
    *,
    data: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    params: Mapping[str, Any] | None = None,
    force: bool = False,
) -> BuiltModel:
    """Return the cached model for ``data`` and ``params``, training it first if it is not cached.

    Args:
        data: A CoNLL training file (default: the packaged ANERcorp train split).
        cache_dir: The cache root (default :func:`arabench.annotations.files.default_cache_dir`); the model goes to
            ``<root>/crf/<key>/``.
        params: CRFsuite parameters overriding :data:`PARAMS`.
        force: Train again even if the model is cached.

    Raises:
        AnnotationError: On unreadable or malformed training data.
        ModelError: On an unknown parameter, or a cache directory that cannot be written.
        ModelUnavailableError: If python-crfsuite is not installed.
    """
    training = read_training_data(data)
    inputs = model_inputs(training, params)
    key = model_key(inputs)
    directory = (Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()) / "crf" / key
    path = directory / "model.crfsuite"
    summary = training.describe()
    if path.is_file() and not force:
        return BuiltModel(path, key, inputs, summary, False, 0.0)
    log.warning(
        "crf: no trained model in the cache (key %s): training on %s (%d sentences, %d tokens); "
        "this happens once and takes under a minute",
        key,
        training.source,
        len(training.sentences),
        training.tokens,
    )
    started = time.perf_counter()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=directory, prefix=".train-") as tmp:
            partial = Path(tmp) / "model.crfsuite"
            train_model(training.sentences, partial, params=inputs["params"])  # type: ignore[arg-type]
            meta = {"key": key, "inputs": inputs, "data": summary}
            atomic_write_text(directory / "inputs.json", json.dumps(meta, indent=1, ensure_ascii=False))
            os.replace(partial, path)
    except OSError as exc:
        raise ModelError(
            f"cannot write the CRF model cache: {exc}",
            field="cache_dir",
            value=str(directory),
            fix="set ARABENCH_CACHE to a writable directory",
        ) from exc
    seconds = time.perf_counter() - started
    log.warning("crf: trained in %.1f s; cached at %s", seconds, path)
    return BuiltModel(path, key, inputs, summary, True, seconds)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m arabench.models.crf.train``: build (or find) the cached model and print where it is."""
    parser = argparse.ArgumentParser(prog="python -m arabench.models.crf.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="CoNLL training file, token<TAB>tag, BIO2 (default: packaged ANERcorp train)")
    parser.add_argument("--cache-dir", help="cache root (default: $ARABENCH_CACHE or ~/.cache/arabench)")
    parser.add_argument("--force", action="store_true", help="train again even if the model is cached")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        built = build_model(data=args.data, cache_dir=args.cache_dir, force=args.force)
    except (AnnotationError, ModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    state = f"trained in {built.seconds:.1f} s" if built.trained else "found in the cache"
    print(f"crf model {built.key}: {state}")
    print(f"  path: {built.path}")
    print(f"  data: {built.data['file']} ({built.data['sentences']} sentences, {built.data['tokens']} tokens)")
    print(f"  params: {json.dumps(built.inputs['params'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
