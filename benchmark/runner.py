"""One benchmark run: load the gold, get every model's predictions, score them, write the results.

:func:`run` is everything ``arabench run`` does, as one library call::

    from arabench import benchmark
    results = benchmark.run(models=["rules", "oracle"], out="results/")
    for row in results.leaderboard():
        print(row.model, row.view, row.f1, row.f1_ci)

Steps, per model:

1. **Predictions.** If the predictions cache (:mod:`arabench.benchmark.cache`) knows
   what this model name resolved to last time and holds a prediction for
   every text, they are used and the model is *not loaded*. Otherwise the
   registry's cheap :meth:`~models.registry.ModelInfo.available` check runs
   first (a hub model that is not in the local cache is reported at once,
   without trying to download it), then the model is created and predicts
   the texts that the cache lacks.
2. **Views.** A model is scored in its own label view and in every schema
   view its view coarsens into (:meth:`arabench.annotations.schema.View.coarsening_to`),
   so that every model also appears in ``conll4``. The gold is projected into
   each view; predictions are relabelled with the coarsening map.
3. **Scores.** In each view: every match mode (strict, exact, partial, type)
   × boundary (char, word) × layer (flat, nested) with :func:`arabench.eval.spans.score_spans`,
   bootstrap intervals from the per-unit counts (:func:`arabench.eval.stats.bootstrap`),
   the token view (conlleval mode and strict IOB2, :mod:`arabench.eval.tokens`), and
   relations when the model predicts any.

**The leaderboard view** (``view=None``): the first of ``native``,
``conll4``, ``anercorp``, ``fane``, ``ace`` in which every scored model can be scored (``native``
when all models predict the schema's types; ``conll4`` as soon as one model has
a coarser tag set, since every view coarsens into it). If no view is shared
(a model card view that does not coarsen into ``conll4``), ``conll4`` is used
and a model that cannot be scored in it is shown in its own view, flagged.

**Statuses.** ``scored``; ``partial`` (scored, but some windows of an LLM
got no answer: the share is in ``reason`` and on every leaderboard; failed
windows are never cached); ``skipped`` (a default-suite model that cannot run
here: not in the local hub cache, a missing extra); ``failed`` (a model the
user named explicitly that could not be loaded or raised while predicting, or
any model that crashed). :attr:`Results.exit_status` is 1 when a model named
explicitly is not fully scored (failed or partial), else 0.
"""

from __future__ import annotations

import logging
import math
import platform
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arabench.annotations.collector import collection_paused
from arabench.annotations.errors import BenchmarkError, ModelError, ModelUnavailableError
from arabench.annotations.schema import Schema, View, default_schema
from arabench.benchmark.cache import PredictionCache
from arabench.benchmark.corpus_io import Corpus, load_corpus
from arabench.benchmark.outdir import LOCK_WAIT, OutputLock, check_output_dir, output_lock
from arabench.benchmark.results import (
    RESULTS_SCHEMA_VERSION,
    SCORED_STATUSES,
    ModelResult,
    Results,
)
from arabench.benchmark.writing import write_results
from arabench.eval.modes import BOUNDARIES, HEADLINE, LAYERS, MODES, RELATION_LEVELS
from arabench.eval.views import project_gold, relabel_relations, relabel_spans
from arabench.models.base import NERModel, Prediction
from arabench.models.cards import resolve_view
from arabench.models.llm.accounting import cost as token_cost

if TYPE_CHECKING:
    from arabench.models.registry import ModelInfo

__all__ = [
    "VIEW_ORDER",
    "DEFAULT_BOOTSTRAP",
    "run",
    "score_predictions",
    "model_predictions",
]

log = logging.getLogger("arabench")

#: Preference order of the leaderboard view.
VIEW_ORDER = ("native", "conll4", "anercorp", "fane", "ace")
#: The most bootstrap resamples a run draws per figure (as ``compare`` caps its resamples).
MAX_BOOTSTRAP = 1_000_000
#: Default number of bootstrap resamples (see ``tests/benchmarks/bench_harness.py`` for the timing).
DEFAULT_BOOTSTRAP = 1000
CONFIDENCE = 0.95
#: Texts per ``predict`` call: adapters batch within a call; the progress bar advances per call.
PREDICT_BATCH = 8

#: Libraries whose installed versions are recorded (read from package metadata, nothing imported).
LIBRARIES = (
    "numpy",
    "torch",
    "transformers",
    "tokenizers",
    "huggingface_hub",
    "seqeval",
    "regex",
    "babel",
    "pyyaml",
    "tqdm",
    "camel-tools",
    "httpx",
)


# ----------------------------------------------------------------------------- helpers


@dataclass
class _Timer:
    verbose: bool
    steps: list[tuple[str, float]] = field(default_factory=list)

    @contextmanager
    def step(self, what: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            self.steps.append((what, elapsed))
            if self.verbose:
                print(f"arabench: {what}: {elapsed:.3f} s", file=sys.stderr)


def _progress(iterable: Any, *, enabled: bool, desc: str, total: int | None = None) -> Any:
    """A tqdm bar on stderr over ``iterable`` (a manual bar when it is None); ``iterable`` itself when disabled.

    The bar draws only when stderr is a terminal (tqdm's ``disable=None``), so logs and CI output
    are not filled with carriage-return redraws.
    """
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, total=total, file=sys.stderr, leave=False, dynamic_ncols=True, disable=None)


def _git_commit() -> str | None:
    root = Path(__file__).resolve().parent.parent
    if not (root / ".git").exists():
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and commit else None


def _library_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _environment() -> dict[str, object]:
    import os

    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "libraries": _library_versions(),
    }


def _jsonable(value: object) -> object:
    """Make provenance values JSON data (tuples/sets to lists, mappings to dicts)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):  # sorted keys: the same provenance always serializes the same way
        return {str(k): _jsonable(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_jsonable(v) for v in value), key=repr)
    if isinstance(value, Path):
        return str(value)
    return repr(value)


def _adapter_code_hash(target: str | None) -> str | None:
    """sha256 of the source of an adapter ``module:Class`` without importing the module.

    The source is the module's file, or, for a module in a subpackage of
    ``models`` (``arabench.models.llm.adapters``), every file of that subpackage (code
    and data, not ``__pycache__``).
    """
    if not target:
        return None
    import hashlib
    import importlib.util

    module_name = target.partition(":")[0]
    try:
        spec = importlib.util.find_spec(module_name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not Path(spec.origin).is_file():
        return None
    files = [Path(spec.origin)]
    if module_name.count(".") >= 2:  # the adapter's code is its whole subpackage
        files = sorted(p for p in files[0].parent.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _view_json(view: View) -> dict[str, object]:
    return {"name": view.name, "mapping": dict(view.mapping)}


def _view_from_json(data: Mapping[str, Any], schema: Schema) -> View:
    from arabench.annotations.schema import make_view

    name = str(data["name"])
    if name in schema.views and dict(schema.views[name].mapping) == dict(data["mapping"]):
        return schema.views[name]
    return make_view(name, dict(data["mapping"]), entity_types=schema.entity_types)


# ----------------------------------------------------------------------------- predictions


@dataclass
class _Predicted:
    name: str
    explicit: bool
    status: str
    reason: str | None = None
    view: View | None = None
    labels: frozenset[str] = frozenset()
    provenance: dict[str, object] | None = None
    predictions: list[Prediction] | None = None
    loaded: bool = False


def _hub_id(name: str, info: ModelInfo) -> str | None:
    """The Hugging Face repository id behind a card or ``hf:`` name (None for a local directory or another adapter)."""
    if getattr(info, "hub_id", None):
        return str(info.hub_id)
    head, _, arg = name.partition(":")
    if head == "hf" and arg:
        repo = arg.split("@", 1)[0]
        if not Path(repo).expanduser().exists() and repo.count("/") == 1:
            return repo
    return None


def _registry_target(name: str) -> tuple[ModelInfo, str | None]:
    """The registry's info for a name (or None for an unknown name) and its adapter target."""
    from arabench.models.registry import get_info

    info = get_info(name)  # raises ModelError for an unknown name
    return info, info.adapter


def _get_predictions(
    model: str | NERModel,
    *,
    explicit: bool,
    corpus: Corpus,
    cache: PredictionCache | None,
    options: Mapping[str, object],
    schema: Schema,
    progress: bool,
    timer: _Timer,
    requested: str | None = None,
) -> _Predicted:
    texts = corpus.texts
    scorable = _scorable_check(corpus.view, schema, requested)
    if not isinstance(model, str):
        return _predict_with(
            model,
            model.name,
            explicit,
            texts,
            cache,
            None,
            None,
            schema,
            progress,
            timer,
            scorable,
        )
    name = model
    try:
        info, target = _registry_target(name)
    except BenchmarkError as exc:
        return _Predicted(name, explicit, "failed", str(exc))
    code_hash = _adapter_code_hash(target)
    name_key = None
    if cache is not None:
        name_key = PredictionCache.name_key(name, options, code_hash=code_hash, hub_id=_hub_id(name, info))
    if cache is not None:
        with timer.step(f"{name}: cache lookup"):
            known = cache.lookup_name(name_key)
            if known is not None:
                info_json = known.get("info", {})
                try:
                    view = _view_from_json(info_json["view"], schema)
                    labels = frozenset(info_json["labels"])
                except (KeyError, TypeError, BenchmarkError):
                    pass
                else:
                    cached = cache.get_many(known["model_key"], texts, labels=view.labels)
                    if all(p is not None for p in cached):
                        log.info("%s: all %d predictions from the cache, model not loaded", name, len(texts))
                        provenance = dict(_jsonable(known["provenance"]))  # type: ignore[arg-type]
                        refusal = scorable(name, view)
                        if refusal is not None:
                            return _Predicted(name, explicit, "failed", refusal, view, labels, provenance)
                        return _Predicted(name, explicit, "scored", None, view, labels, provenance, list(cached))
    ok, why = info.available()
    if not ok:
        return _Predicted(name, explicit, "failed" if explicit else "skipped", f"not available here: {why}")
    try:
        with timer.step(f"{name}: load"), collection_paused(promote=True):  # imports: nothing to collect
            from arabench.models.registry import create_model

            instance = create_model(name, **dict(options))
    except ModelUnavailableError as exc:
        return _Predicted(name, explicit, "failed" if explicit else "skipped", str(exc))
    except Exception as exc:
        log.debug("loading %s failed", name, exc_info=True)
        return _Predicted(name, explicit, "failed", f"{type(exc).__name__}: {exc}")
    return _predict_with(instance, name, explicit, texts, cache, name_key, code_hash, schema, progress, timer, scorable)


def _predict_with(
    instance: NERModel,
    name: str,
    explicit: bool,
    texts: Sequence[str],
    cache: PredictionCache | None,
    name_key: str | None,
    code_hash: str | None,
    schema: Schema,
    progress: bool,
    timer: _Timer,
    scorable: Callable[[str, View], str | None] | None = None,
) -> _Predicted:
    try:
        view = resolve_view(instance.view, schema=schema)
        labels = frozenset(instance.labels)
        provenance = dict(_jsonable(dict(instance.provenance())))  # type: ignore[arg-type]
    except Exception as exc:
        return _Predicted(name, explicit, "failed", f"{type(exc).__name__}: {exc}")
    refusal = None if scorable is None else scorable(name, view)
    if refusal is not None:  # refused before any prediction runs
        return _Predicted(name, explicit, "failed", refusal, view, labels, provenance)
    model_key = PredictionCache.model_key(provenance, code_hash=code_hash)
    predictions: list[Prediction | None] = [None] * len(texts)
    if cache is not None:
        predictions = cache.get_many(model_key, texts, labels=view.labels)
    todo = [i for i, p in enumerate(predictions) if p is None]
    if isinstance(getattr(instance, "progress", None), bool):  # an adapter's own bar (LLM windows) obeys --quiet
        instance.progress = instance.progress and progress  # type: ignore[attr-defined]
    try:
        with timer.step(f"{name}: predict {len(todo)} of {len(texts)} texts"):
            bar = _progress(None, enabled=progress and bool(todo), desc=f"{name}: predict", total=len(todo))
            got = predict_checked(
                instance, [texts[i] for i in todo], name, view, on_batch=None if bar is None else bar.update
            )
            for i, prediction in zip(todo, got, strict=True):
                predictions[i] = prediction
            if bar is not None:
                bar.close()
    except Exception as exc:
        log.debug("predicting with %s failed", name, exc_info=True)
        return _Predicted(name, explicit, "failed", f"{type(exc).__name__}: {exc}", view, labels, provenance)
    if cache is not None:  # only a model that predicted every text is cached (never part of a failed one)
        for i in todo:
            cache.put(model_key, texts[i], predictions[i])  # put() skips predictions with failed windows
        cache.remember_name(
            name_key,
            provenance=provenance,
            model_key=model_key,
            info={"view": _view_json(view), "labels": sorted(labels)},
        )
    return _Predicted(name, explicit, "scored", None, view, labels, provenance, list(predictions), loaded=True)


def model_predictions(
    model: str | NERModel,
    corpus: Corpus,
    *,
    cache: bool = True,
    cache_dir: str | Path | None = None,
    options: Mapping[str, object] | None = None,
    schema: Schema | None = None,
    progress: bool = False,
) -> _Predicted:
    """One model's predictions on a corpus's texts, through the predictions cache exactly as :func:`run` gets them.

    The model gets the run's values its adapter declares (``from_run``: the oracle its gold, the cache root).
    Returns the outcome: ``status`` (``scored`` when every text was predicted, else ``failed`` with ``reason``),
    the model's ``view``, ``labels``, ``provenance``, ``predictions`` (one per document) and ``loaded`` (False
    when every prediction came from the cache).
    """
    store = PredictionCache(cache_dir, refresh=not cache)
    given = run_values(corpus, cache=cache, cache_dir=store.root, llm_base_url=None)
    return _get_predictions(
        model,
        explicit=True,
        corpus=corpus,
        cache=store,
        options=with_run_values(model, dict(options or {}), given),
        schema=schema or default_schema(),
        progress=progress,
        timer=_Timer(False),
    )


def run_values(
    gold: Corpus, *, cache: bool, cache_dir: str | Path | None, llm_base_url: str | None
) -> dict[str, object]:
    """The values a run gives to options declared ``from_run`` (:data:`arabench.models.base.RUN_VALUES`)."""
    from arabench.annotations.files import default_cache_dir

    return {
        "gold": list(gold.documents),
        "corpus_view": gold.view.name,
        "cache_dir": str(Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()),
        "cache": None if cache else "refresh",
        "llm_base_url": llm_base_url,
    }


def with_run_values(model: str | NERModel, options: dict[str, object], run_values: Mapping[str, object]) -> dict:
    """The options of one model with the run's values added where its adapter declares ``from_run`` (not given).

    The harness names no model: the oracle gets the gold because its ``gold`` option says ``from_run="gold"``.
    """
    if not isinstance(model, str):
        return options
    from arabench.models.registry import model_options

    try:
        declared = model_options(model)
    except BenchmarkError:
        return options  # an unknown name: reported by the prediction step
    for option in declared:
        value = run_values.get(option.from_run or "")
        if value is not None and option.name not in options:
            options[option.name] = value
    return options


def predict_checked(
    instance: NERModel,
    texts: Sequence[str],
    name: str,
    view: View,
    *,
    on_batch: Callable[[int], object] | None = None,
) -> list[Prediction]:
    """The model's predictions for ``texts``, one per text in order, each checked as a run checks it.

    Texts go to ``predict`` in batches of the adapter's ``predict_batch`` (default :data:`PREDICT_BATCH`); an
    adapter that answers many texts at once (the LLMs send the windows of all texts concurrently) says so
    with ``predict_batch = None`` and gets every text in one call. A wrong number of predictions, or a
    prediction that could not be scored honestly, is a :class:`ModelError`. ``on_batch`` is called with the
    size of each batch done (a progress bar's ``update``).
    """
    size = getattr(instance, "predict_batch", PREDICT_BATCH) or max(1, len(texts))
    out: list[Prediction] = []
    for k in range(0, len(texts), size):
        batch = list(texts[k : k + size])
        got = instance.predict(batch)
        if len(got) != len(batch):
            raise ModelError(
                f"model {name!r} returned {len(got)} predictions for {len(batch)} texts",
                field="predict",
                value=len(got),
                fix="return one Prediction per text, in order",
            )
        for text, prediction in zip(batch, got, strict=True):
            _check_prediction(prediction, text, name, view)
        out += got
        if on_batch is not None:
            on_batch(len(batch))
    return out


def _check_prediction(prediction: Prediction, text: str, name: str, view: View) -> None:
    """Refuse what could not be scored honestly.

    Spans beyond the text, labels outside the model's view, a cluster member that is not a predicted span
    or is in two clusters.
    """
    members = [s for group in prediction.clusters for s in group]
    if not set(members) <= set(prediction.spans) or len(set(members)) != len(members):
        raise ModelError(
            f"model {name!r} predicted a cluster whose mentions are not its predicted spans, each in one cluster",
            field="clusters",
            value=next((s for s in members if s not in set(prediction.spans)), None),
            fix="group predicted spans only, each in at most one cluster",
        )
    arguments = [s for r in prediction.relations for s in (r.arg1, r.arg2)]
    for span in [*prediction.spans, *arguments]:
        if span.end > len(text):
            raise ModelError(
                f"model {name!r} predicted a span beyond the end of its text (length {len(text)})",
                field="spans",
                value=span,
                fix="report spans in raw-text character offsets",
            )
        if span.label not in view.labels:
            raise ModelError(
                f"model {name!r} predicted a label outside its view {view.name!r}",
                field="label",
                value=span.label,
                fix=f"map it to one of {', '.join(sorted(view.labels))} in the adapter's label map, or drop it",
            )


# ----------------------------------------------------------------------------- scoring


def target_views(
    model_view: View, gold_view: View, schema: Schema, requested: str | None = None
) -> list[tuple[View, dict[str, str | None], str]]:
    """Views a model is scored in, with its label map into each and how the map was made.

    Its own view first, then every packaged or user view of the registry both its labels and the gold's
    coarsen into (:meth:`View.coarsening_to`; a card's view is a candidate when it is the model's own or
    the ``requested`` leaderboard view). The corpus's own view and the requested view are also reached
    by renaming (:meth:`View.renaming_to`, e.g. anercorp's PERS -> conll4's PER) when no coarsening
    does. Each entry is ``(view, {model label: view label or None}, "own" | "coarsening" | "renaming")``.
    """
    from arabench.annotations.schema import registered_views

    candidates: dict[str, View] = {model_view.name: model_view}
    for name, v in registered_views(("packaged", "user"), provide=False).items():
        candidates.setdefault(name, v)
    if requested is not None and requested not in candidates:
        candidates[requested] = resolve_view(requested, schema=schema)
    out = []
    for view in candidates.values():
        mapping = model_view.coarsening_to(view)
        if mapping is None or gold_view.coarsening_to(view) is None:
            continue
        out.append((view, mapping, "own" if view.name == model_view.name else "coarsening"))
    reached = {v.name for v, _, _ in out}
    wanted = [gold_view] + ([candidates[requested]] if requested is not None and requested in candidates else [])
    for target in wanted:
        if target.name in reached or gold_view.coarsening_to(target) is None:
            continue
        renamed = model_view.renaming_to(target)
        if renamed is not None:
            out.append((target, renamed, "renaming"))
            reached.add(target.name)
    return out


def _scorable_check(gold_view: View, schema: Schema, requested: str | None) -> Callable[[str, View], str | None]:
    """A check run once a model's view is known, before it predicts: why it cannot be scored here, or None."""

    def check(name: str, model_view: View) -> str | None:
        if target_views(model_view, gold_view, schema, requested):
            return None
        return (
            f"cannot be scored on this corpus: its gold view {gold_view.name!r} and the model's view "
            f"{model_view.name!r} reach no common view (by coarsening or by renaming labels); nothing was predicted. "
            f"Fix: if the model's labels are in another view, say so with --model-option {name} view=VIEW "
            "(e.g. view=" + gold_view.name + "), or pass the corpus's view with --corpus-view"
        )

    return check


def score_predictions(
    corpus: Corpus,
    predictions: Sequence[Prediction],
    *,
    model_view: View,
    labels: frozenset[str],
    n_resamples: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    schema: Schema | None = None,
    relation_level: str = "entity",
    requested: str | None = None,
) -> tuple[dict[str, dict[str, Any]], dict[str, Sequence[dict[str, Any]]]]:
    """Score one model's predictions in every view it can be scored in (:func:`target_views`).

    Args:
        corpus: The gold corpus.
        predictions: One prediction per document, labelled in ``model_view``.
        model_view: The model's label view.
        labels: The labels the model can emit (in ``model_view``).
        n_resamples: Bootstrap resamples (0 for none).
        seed: Bootstrap seed.
        schema: The schema (default: the packaged one).
        relation_level: Score relations between ``entity`` clusters (the
            headline) or between ``mention`` spans (:mod:`arabench.eval.relations`).
        requested: The run's leaderboard view, scored by renaming if no coarsening reaches it.

    Returns:
        ``(scores, errors)``: per view name the JSON tree of scores (see
        :mod:`arabench.benchmark.results`), and per view the error records of the
        headline mode and boundary (strict, word) on both layers.
    """
    from arabench.benchmark.scoring import score_view

    schema = schema or default_schema()
    gold_view = corpus.view
    scores: dict[str, dict[str, Any]] = {}
    errors: dict[str, Sequence[dict[str, Any]]] = {}
    documents = corpus.documents
    for view, mapping, how in target_views(model_view, gold_view, schema, requested):
        gold = project_gold(
            [d.spans for d in documents],
            view,
            gold_view=gold_view,
            relations=[list(d.relations.values()) for d in documents],
            clusters=[d.span_clusters() for d in documents],
        )
        pred_spans = [relabel_spans(p.spans, mapping) for p in predictions]
        pred_clusters = None
        if any(p.clusters for p in predictions):  # the entity layer of a model that predicts one
            pred_clusters = [[relabel_spans(group, mapping) for group in p.clusters] for p in predictions]
        pred_relations = [relabel_relations(p.relations, mapping) for p in predictions]
        view_labels = frozenset(mapping[label] for label in labels if mapping.get(label) is not None)
        # What the view leaves out is counted, never silently gone (README "Views").
        pred_out = Counter(
            f"pred_out_of_view:{s.label}" for p in predictions for s in p.spans if mapping.get(s.label) is None
        )
        pred_relations_out = sum(len(p.relations) for p in predictions) - sum(len(r) for r in pred_relations)
        scores[view.name], errors[view.name] = score_view(
            corpus,
            gold,
            pred_spans,
            pred_relations=pred_relations,
            labels=view_labels,
            coarsened_from=None if view.name == model_view.name else model_view.name,
            label_map=None if how == "own" else {"how": how, "map": mapping},
            n_resamples=n_resamples,
            seed=seed,
            pred_out_of_view=dict(pred_out),
            pred_relations_out_of_view=pred_relations_out,
            relation_level=relation_level,
            pred_clusters=pred_clusters,
        )
    return scores, errors


def _sum_diagnostics(predictions: Sequence[Prediction]) -> dict[str, int | float]:
    total: dict[str, int | float] = {}
    for p in predictions:
        for key, value in p.diagnostics.items():
            total[key] = total.get(key, 0) + value
    return {k: total[k] for k in sorted(total)}


def _spans_across_sentences(corpus: Corpus, predictions: Sequence[Prediction]) -> int:
    """Predicted spans that cross a sentence boundary of a corpus scored on its own sentences (0 for others)."""
    if not corpus.own_units:
        return 0
    from bisect import bisect_right

    n = 0
    for units, prediction in zip(corpus.units, predictions, strict=True):
        starts = [start for start, _ in units]
        for span in prediction.spans:
            k = bisect_right(starts, span.start) - 1
            n += k >= 0 and span.end > units[k][1]
    return n


def _completeness(diagnostics: Mapping[str, int | float]) -> tuple[str, str | None]:
    """``("scored", None)``, or ``("partial", why)`` when some windows got no answer (``failed_windows``)."""
    failed = diagnostics.get("failed_windows", 0)
    if not failed:
        return "scored", None
    windows = diagnostics.get("windows", 0)
    share = f"{failed / windows:.1%}" if windows else "an unknown share"
    return "partial", (
        f"{failed:g} of {windows:g} windows failed ({share}); their text was predicted empty, so these "
        "figures are lower bounds (fix: make the model reachable and run again; failed windows are not cached)"
    )


def _choose_view(requested: str | None, scored: Sequence[ModelResult]) -> str:
    if requested is not None:
        return requested
    for name in VIEW_ORDER:
        if all(name in m.scores for m in scored):
            return name
    return "conll4"


# ----------------------------------------------------------------------------- run


def run(
    models: Sequence[str | NERModel] | None = None,
    *,
    corpus: str | Path | Corpus | None = None,
    view: str | None = None,
    corpus_view: str | None = None,
    units: str | None = None,
    out: str | Path | None = None,
    seed: int = 0,
    cache: bool = True,
    cache_dir: str | Path | None = None,
    bootstrap: int = DEFAULT_BOOTSTRAP,
    model_options: Mapping[str, Mapping[str, object]] | None = None,
    progress: bool = False,
    verbose: bool = False,
    schema: Schema | None = None,
    relation_level: str = "entity",
    lock_wait: float = LOCK_WAIT,
    configuration: Mapping[str, object] | None = None,
    llm_base_url: str | None = None,
    save_predictions: bool = False,
) -> Results:
    """Run the benchmark: everything ``arabench run`` does, as one call.

    Args:
        models: Model names (``"rules"``, ``"hf:<dir>"``, ``"file:preds.jsonl"``,
            a card name ...) or model objects; ``None`` runs the default
            suite, in which unavailable models are *skipped* rather than failed.
        corpus: A BRAT directory, ``.ann``, ``.jsonl`` or CoNLL file, or a
            loaded :class:`~benchmark.corpus_io.Corpus` (default: the packaged gold).
        view: The leaderboard view (default: see the module docstring).
        corpus_view: The view of a CoNLL corpus's tags (default: inferred).
        units: ``file`` (default): a CoNLL or token-table corpus is scored on its own sentences and tokens;
            ``split``: re-split by arabench's rules (:func:`arabench.benchmark.corpus_io.load_corpus`).
        out: Write ``results.json``, ``summary.md``, ``per_type.csv``,
            ``errors.jsonl.gz`` and ``report.html`` into this directory.
        seed: The bootstrap seed.
        cache: Read the caches (``False``: read nothing from any cache — predictions, the CRF's trained
            model, LLM answers — and overwrite the entries recomputed).
        cache_dir: The one cache root of the run (default ``$ARABENCH_CACHE`` or ``~/.cache/arabench``):
            predictions, and every adapter option declared ``from_run="cache_dir"`` (the CRF's model, LLM answers).
        bootstrap: Bootstrap resamples per figure (0 disables intervals).
        model_options: Per model name, options passed to ``create_model``, typed by the adapter's
            declaration. Options declared ``from_run`` get the run's value when not given (the
            ``oracle`` its ``gold``, ``file:`` the corpus's view, LLMs ``llm_base_url``).
        progress: Show progress bars on stderr.
        verbose: Log per-step timings on stderr.
        schema: The schema (default: the packaged one).
        relation_level: ``entity`` (default, the headline) or ``mention``:
            what a relation's arguments are when relations are scored.
        lock_wait: Seconds to wait for another run writing the same ``out``
            before refusing (:mod:`arabench.benchmark.outdir`).
        configuration: The resolved run configuration (:mod:`arabench.benchmark.config`), recorded in
            ``settings.configuration`` so that ``arabench run --config results.json`` repeats the run.
        llm_base_url: The chat API's base URL for adapters declaring ``from_run="llm_base_url"``.
        save_predictions: Also write each scored model's predictions into ``out/predictions/`` (JSONL in
            the model's view, :func:`arabench.benchmark.writing.write_results`).

    Returns:
        The :class:`~benchmark.results.Results` (``exit_status`` is 1 if a model
        named explicitly was not fully scored).

    Raises:
        BenchmarkError: For a bad corpus, view, seed or option, an unknown or
            repeated model name, an ``out`` that names a file, cannot be written
            or is busy with another run (no model is run then); a results
            directory that could not be written (the old one is left as it was).
    """
    schema = schema or default_schema()
    timer = _Timer(verbose)
    if view is not None:
        schema.view(view)  # unknown view: error before anything runs
    if relation_level not in RELATION_LEVELS:
        raise BenchmarkError(
            "unknown relation level",
            field="relation_level",
            value=relation_level,
            fix=f"use one of {', '.join(RELATION_LEVELS)}",
        )
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int) or not 0 <= bootstrap <= MAX_BOOTSTRAP:
        raise BenchmarkError(
            f"the bootstrap resamples must be a whole number from 0 to {MAX_BOOTSTRAP}",
            field="bootstrap",
            value=bootstrap,
            fix=f"e.g. the default {DEFAULT_BOOTSTRAP} (0 disables intervals)",
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise BenchmarkError("the seed must be an integer from 0 to 2**63 - 1", field="seed", value=seed, fix="e.g. 0")
    with ExitStack() as stack:
        lock = None
        if out is not None:  # refused before any model runs; held until the directory is in place
            out = check_output_dir(out)
            lock = stack.enter_context(output_lock(out, wait=lock_wait))
        return _run_locked(
            models,
            corpus=corpus,
            view=view,
            corpus_view=corpus_view,
            units=units,
            out=out,
            lock=lock,
            seed=seed,
            cache=cache,
            cache_dir=cache_dir,
            bootstrap=bootstrap,
            model_options=model_options,
            progress=progress,
            timer=timer,
            schema=schema,
            relation_level=relation_level,
            configuration=configuration,
            llm_base_url=llm_base_url,
            save_predictions=save_predictions,
        )


def _run_locked(
    models: Sequence[str | NERModel] | None,
    *,
    corpus: str | Path | Corpus | None,
    view: str | None,
    corpus_view: str | None,
    units: str | None,
    out: Path | None,
    lock: OutputLock | None,
    seed: int,
    cache: bool,
    cache_dir: str | Path | None,
    bootstrap: int,
    model_options: Mapping[str, Mapping[str, object]] | None,
    progress: bool,
    timer: _Timer,
    schema: Schema,
    relation_level: str,
    configuration: Mapping[str, object] | None,
    llm_base_url: str | None,
    save_predictions: bool = False,
) -> Results:
    """:func:`run` once its arguments are checked and ``out`` is locked."""
    from arabench.benchmark.limits import check_file, check_memory

    with timer.step("read corpus"):
        if isinstance(corpus, (str, Path)) and not str(corpus).startswith("hf-dataset:"):
            check_file(corpus)  # too large to read at all: refused before reading
        gold = (
            corpus if isinstance(corpus, Corpus) else load_corpus(corpus, view=corpus_view, schema=schema, units=units)
        )
    # too large to score: refused before any model runs (issue 18: memory grows with the text)
    check_memory(gold.texts, [d.id for d in gold.documents], source=None if gold.path is None else str(gold.path))
    explicit = models is not None
    if models is None:
        from arabench.models.registry import default_suite

        models = default_suite()
    _check_names(models)
    model_options = dict(model_options or {})
    names = [m if isinstance(m, str) else getattr(m, "name", type(m).__name__) for m in models]
    stray = sorted(set(model_options) - set(names))
    if stray:  # options for a model that is not run would be ignored, and the model run with its defaults
        raise ModelError(
            "model_options names a model that is not in the run",
            field="model_options",
            value=stray[0],
            fix=f"key the options by a model name of the run: {', '.join(names)}",
        )
    store = PredictionCache(cache_dir, refresh=not cache)
    given = run_values(gold, cache=cache, cache_dir=store.root, llm_base_url=llm_base_url)
    results: list[ModelResult] = []
    all_errors: dict[str, dict[str, Sequence[dict[str, Any]]]] = {}
    all_predictions: dict[str, list[Prediction]] = {}
    bar = _progress(list(models), enabled=progress, desc="models", total=len(models))
    for model in bar:
        name = model if isinstance(model, str) else model.name
        if progress:
            bar.set_postfix_str(name, refresh=True)
        options = with_run_values(model, dict(model_options.get(name, {})), given)
        got = _get_predictions(
            model,
            explicit=explicit,
            corpus=gold,
            cache=store,
            options=options,
            schema=schema,
            progress=progress,
            timer=timer,
            requested=view,
        )
        if got.status != "scored":
            if not progress or got.status == "failed":
                log.warning("%s %s: %s", name, got.status, got.reason)
            results.append(
                ModelResult(
                    name=name,
                    status=got.status,
                    reason=got.reason,
                    explicit=explicit,
                    view=None if got.view is None else got.view.name,
                    labels=sorted(got.labels),
                    provenance=got.provenance,
                )
            )
            continue
        assert got.predictions is not None and got.view is not None
        with timer.step(f"{name}: score"), collection_paused():  # scoring makes no reference cycles
            scores, errors = score_predictions(
                gold,
                got.predictions,
                model_view=got.view,
                labels=got.labels,
                n_resamples=bootstrap,
                seed=seed,
                schema=schema,
                relation_level=relation_level,
                requested=view,
            )
        if not scores:  # no view holds both the gold and the model's labels: say so, never a crash or a 0
            results.append(
                ModelResult(
                    name=name,
                    status="failed",
                    reason=_scorable_check(gold.view, schema, view)(name, got.view) or "scored in no view",
                    explicit=explicit,
                    view=got.view.name,
                    labels=sorted(got.labels),
                    provenance=got.provenance,
                )
            )
            continue
        all_errors[name] = errors
        all_predictions[name] = got.predictions
        diagnostics = _sum_diagnostics(got.predictions)
        crossing = _spans_across_sentences(gold, got.predictions)
        if crossing:  # counted, never silently scored in the sentence where they start only
            diagnostics["spans_across_sentences"] = crossing
            log.warning("%s: %d predicted spans cross a sentence of the corpus", name, crossing)
        diagnostics.update(token_cost(diagnostics, options))  # only from prices the user gave
        status, reason = _completeness(diagnostics)
        if status == "partial":
            log.warning("%s partial: %s", name, reason)
        results.append(
            ModelResult(
                name=name,
                status=status,
                reason=reason,
                explicit=explicit,
                view=got.view.name,
                labels=sorted(got.labels),
                provenance=got.provenance,
                diagnostics=diagnostics,
                scores=scores,
            )
        )
    scored = [m for m in results if m.status in SCORED_STATUSES]
    leaderboard_view = _choose_view(view, scored)
    created = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    from arabench.benchmark.version import __version__

    outcome = Results(
        schema_version=RESULTS_SCHEMA_VERSION,
        created=created,
        arabench={"version": __version__, "git_commit": _git_commit()},
        corpus=_corpus_json(gold),
        settings={
            "seed": seed,
            "bootstrap": {"n_resamples": bootstrap, "confidence": CONFIDENCE, "method": "percentile"},
            "leaderboard_view": leaderboard_view,
            "view_requested": view,
            "headline": dict(HEADLINE._asdict()),
            "modes": list(MODES),
            "boundaries": list(BOUNDARIES),
            "layers": list(LAYERS),
            "relation_level": relation_level,
            **({} if configuration is None else {"configuration": _jsonable(dict(configuration))}),
        },
        environment=_environment(),
        models=results,
        errors=all_errors,
        predictions=all_predictions,
        documents=list(gold.documents),
        gold_view=gold.view,
    )
    if out is not None:
        with timer.step("write results"), collection_paused():
            write_results(outcome, out, lock=lock, save_predictions=save_predictions)
    if store is not None and store.corrupted:
        log.warning("%d corrupted cache entries were recomputed", len(store.corrupted))
    return outcome


def _check_names(models: Sequence[str | NERModel]) -> None:
    """Refuse unknown or repeated model names, and objects that are not models, before anything runs.

    A typo should not cost a run; an object is spoken to only through :class:`arabench.models.base.NERModel`.
    """
    from arabench.models.registry import get_info

    seen: set[str] = set()
    for model in models:
        if not isinstance(model, (str, NERModel)):
            raise ModelError(
                "not a model name nor an NERModel",
                field="model",
                value=type(model).__name__,
                fix="pass a registry name, or an object with name, view, labels, predict() and provenance() "
                "(models.base.NERModel)",
            )
        name = model if isinstance(model, str) else model.name
        if name in seen:
            raise ModelError(
                "model named twice", field="model", value=name, fix="name each model once (results are keyed by name)"
            )
        seen.add(name)
        if isinstance(model, str):
            get_info(model)  # raises ModelError with "did you mean" for an unknown name


def _corpus_json(gold: Corpus) -> dict[str, object]:
    mentions: dict[str, int] = {}
    for doc in gold.documents:
        for span in doc.entities.values():
            mentions[span.label] = mentions.get(span.label, 0) + 1
    return {
        "path": str(gold.path),
        "format": gold.format,
        "view": gold.view.name,
        "sha256": gold.sha256,
        "files": list(gold.files),
        "unit": gold.unit,
        "units_from": "file" if gold.own_units else "split",
        "n_units": gold.n_units,
        "documents": [
            {
                "id": doc.id,
                "chars": len(doc.text),
                "entities": len(doc.entities),
                "relations": len(doc.relations),
                "units": [list(u) for u in units],
            }
            for doc, units in zip(gold.documents, gold.units, strict=True)
        ],
        "gold_mentions": {k: mentions[k] for k in sorted(mentions)},
        # CoNLL gold tags the conlleval rules read differently from their scheme (an I- after O starts a
        # mention): the spans scored are the ones read, so say how many tags were read that way.
        "gold_repairs": sum(len(doc.metadata.get("conll_repairs", ())) for doc in gold.documents),
    }
