"""Robustness of models to the way Arabic is really written: suites of perturbations, scored with exact gold.

:func:`robustness` scores each model on the clean corpus and on every perturbed
copy of it (:mod:`arabench.annotations.perturb`: the gold moves with the text
through an exact offset map) and reports per perturbation:

* the F1 of the headline setting (strict, word boundaries, flat layer, micro)
  in the model's scoring view (its own view when the gold projects into it,
  as ``arabench run`` scores it first);
* its **change** from the clean F1, with the percentile interval of a **paired
  bootstrap** over the shared scoring units (:func:`arabench.eval.stats.paired_bootstrap`:
  clean and perturbed counts of a unit are resampled together; the units of a
  perturbed corpus are the clean ones moved through the offset map, so they are
  the same sentences);
* the **invariance rate** (CheckList's INV test): among the units the
  perturbation changed, the share whose predictions, mapped back to the clean
  text through the offset map, are exactly the clean predictions (same
  character ranges, same labels). A model that reads ``الكويت`` and ``الكويـــت``
  alike scores 1.0 whatever the gold says.

A *suite* is a YAML file (:func:`load_suite`, format in ``docs/robustness.md``):
perturbations with a kind, rate, seed, scope, an optional name and optional
thresholds ``max_drop`` (largest allowed F1 drop, clean minus perturbed) and
``min_invariance``. A result that breaks a threshold is a *failure*: the
command exits 1 and names the model, the perturbation, the value and the
threshold. :func:`default_suite_path` is the packaged suite.
"""

from __future__ import annotations

import html
import math
import unicodedata
from bisect import bisect_right
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from arabench.annotations.errors import BenchmarkError, ScoringError
from arabench.annotations.perturb import KINDS, OffsetMap, Perturbation, get_kind, perturb_document
from arabench.annotations.schema import Schema, default_schema
from arabench.annotations.spans import Span
from arabench.benchmark.corpus_io import Corpus
from arabench.eval.modes import HEADLINE

__all__ = [
    "MAX_SUITE_BYTES",
    "MAX_SUITE_ENTRIES",
    "SuiteEntry",
    "Suite",
    "default_suite_path",
    "load_suite",
    "parse_suite",
    "PerturbedCorpus",
    "perturb_corpus",
    "PerturbationScore",
    "ModelRobustness",
    "RobustnessResult",
    "robustness",
    "write_robustness",
]

#: A suite file larger than this is refused before it is parsed.
MAX_SUITE_BYTES = 64 * 1024
#: At most this many perturbations in one suite.
MAX_SUITE_ENTRIES = 64
#: Changed units shown per perturbation and model in the reports.
EXAMPLES = 3

_ENTRY_KEYS = ("kind", "name", "rate", "seed", "scope", "max_drop", "min_invariance")
_TOP_KEYS = ("name", "description", "defaults", "perturbations")
_DEFAULT_KEYS = ("rate", "seed", "scope", "max_drop", "min_invariance")


# --------------------------------------------------------------------------- suites


@dataclass(frozen=True)
class SuiteEntry:
    """One perturbation of a suite, with its thresholds."""

    name: str
    perturbation: Perturbation
    max_drop: float | None = None
    min_invariance: float | None = None


@dataclass(frozen=True)
class Suite:
    """A named list of perturbations (see the module docstring)."""

    name: str
    entries: tuple[SuiteEntry, ...]
    source: str | None = None
    description: str = ""


def default_suite_path() -> Path:
    """The packaged default suite (``benchmark/suites/default.yaml``)."""
    return Path(__file__).with_name("suites") / "default.yaml"


def _unknown_key(key: object, known: Sequence[str], *, file: str | None, where: str) -> BenchmarkError:
    close = get_close_matches(str(key), list(known), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return BenchmarkError(
        f"unknown key in {where}", file=file, field=str(key)[:80], fix=f"{hint}use {', '.join(known)}"
    )


def _number(value: object, *, file: str | None, field: str, low: float, high: float, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        shown = value if isinstance(value, (int, float, str)) and len(str(value)) <= 80 else type(value).__name__
        raise BenchmarkError(
            f"{what} must be a number in [{low:g}, {high:g}]",
            file=file,
            field=field,
            value=shown,
            fix=f"e.g. {field.rsplit('.', 1)[-1]}: 0.2",
        )
    return float(value)


def load_suite(path: str | Path) -> Suite:
    """Read a suite file (YAML, at most :data:`MAX_SUITE_BYTES`, safe loader: no tags run code).

    Raises:
        BenchmarkError: For a missing, huge or malformed file, an unknown key or kind (with "did you mean"),
            a rate or threshold out of range, or two perturbations with one name; naming the file and field.
    """
    import yaml

    from arabench.annotations.errors import yaml_error
    from arabench.annotations.files import read_yaml_text

    path = Path(path).expanduser()
    # the one bounded YAML reader of the project: size, regular file, depth, aliases and tags checked first
    try:
        text = read_yaml_text(path, what="robustness suite", limit=MAX_SUITE_BYTES)
        parsed = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise yaml_error(exc, what="robustness suite", file=path) from None
    return parse_suite(parsed, file=str(path))


def parse_suite(data: object, *, file: str | None = None) -> Suite:
    """Check a parsed suite (see :func:`load_suite`)."""
    if not isinstance(data, Mapping):
        raise BenchmarkError(
            "a suite must be a mapping with a 'perturbations' list",
            file=file,
            value=type(data).__name__,
            fix="write 'perturbations:' followed by '- kind: ...' items",
        )
    for key in data:
        if key not in _TOP_KEYS:
            raise _unknown_key(key, _TOP_KEYS, file=file, where="the suite")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        raise BenchmarkError(
            "'defaults' must be a mapping", file=file, field="defaults", fix="e.g. defaults: {rate: 0.2}"
        )
    for key in defaults:
        if key not in _DEFAULT_KEYS:
            raise _unknown_key(key, _DEFAULT_KEYS, file=file, where="the suite's defaults")
    items = data.get("perturbations")
    if not isinstance(items, list) or not items:
        raise BenchmarkError(
            "the suite lists no perturbation",
            file=file,
            field="perturbations",
            fix=f"list one or more of {', '.join(KINDS)}",
        )
    if len(items) > MAX_SUITE_ENTRIES:
        raise BenchmarkError(
            f"the suite lists more than {MAX_SUITE_ENTRIES} perturbations",
            file=file,
            field="perturbations",
            value=len(items),
            fix="split it into several suites",
        )
    entries: list[SuiteEntry] = []
    names: set[str] = set()
    for n, raw in enumerate(items):
        where = f"perturbations[{n}]"
        if isinstance(raw, str):
            raw = {"kind": raw}
        if not isinstance(raw, Mapping):
            raise BenchmarkError("a perturbation must be a mapping", file=file, field=where, fix="e.g. - kind: tatweel")
        for key in raw:
            if key not in _ENTRY_KEYS:
                raise _unknown_key(key, _ENTRY_KEYS, file=file, where=f"{where}")
        item = {**defaults, **raw}
        kind = item.get("kind")
        if not isinstance(kind, str):
            raise BenchmarkError(
                "a perturbation needs a kind", file=file, field=f"{where}.kind", fix=f"use one of {', '.join(KINDS)}"
            )
        try:
            get_kind(kind, field=f"{where}.kind")
        except BenchmarkError as exc:
            raise BenchmarkError(exc.message, file=file, field=exc.field, value=kind[:80], fix=exc.fix) from None
        rate = _number(item.get("rate", 0.2), file=file, field=f"{where}.rate", low=0, high=1, what="the rate")
        seed = item.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
            raise BenchmarkError(
                "the seed must be a non-negative integer",
                file=file,
                field=f"{where}.seed",
                value=str(seed)[:80],
                fix="e.g. seed: 13",
            )
        scope = item.get("scope", "everywhere")
        try:
            perturbation = Perturbation(kind, rate=rate, seed=seed, scope=scope)
        except BenchmarkError as exc:
            raise BenchmarkError(
                exc.message, file=file, field=f"{where}.{exc.field}", value=str(scope)[:80], fix=exc.fix
            ) from None
        name = raw.get("name", kind if scope == "everywhere" else f"{kind}@{scope}")
        if not isinstance(name, str) or not name or len(name) > 80 or not name.isprintable():
            raise BenchmarkError(
                "a perturbation name must be a printable string of 1 to 80 characters",
                file=file,
                field=f"{where}.name",
                value=str(name)[:80],
                fix="e.g. name: typo_in_entities",
            )
        if name in names:
            raise BenchmarkError(
                "two perturbations have the same name",
                file=file,
                field=f"{where}.name",
                value=name,
                fix="give one of them another 'name:'",
            )
        names.add(name)
        max_drop = item.get("max_drop")
        if max_drop is not None:
            max_drop = _number(max_drop, file=file, field=f"{where}.max_drop", low=0, high=1, what="max_drop")
        min_invariance = item.get("min_invariance")
        if min_invariance is not None:
            min_invariance = _number(
                min_invariance, file=file, field=f"{where}.min_invariance", low=0, high=1, what="min_invariance"
            )
        entries.append(SuiteEntry(name, perturbation, max_drop, min_invariance))
    name = data.get("name", Path(file).stem if file else "suite")
    description = data.get("description", "")
    return Suite(str(name)[:80], tuple(entries), file, str(description)[:500])


# --------------------------------------------------------------------------- perturbed corpora


@dataclass(frozen=True)
class PerturbedCorpus:
    """A corpus perturbed by one suite entry: the corpus (same units, moved) and each document's offset map."""

    entry: SuiteEntry
    corpus: Corpus
    maps: tuple[OffsetMap, ...]

    @property
    def n_edits(self) -> int:
        """The number of characters changed over all documents."""
        return sum(len(m) for m in self.maps)


def perturb_corpus(corpus: Corpus, entry: SuiteEntry) -> PerturbedCorpus:
    """Perturb every document of ``corpus``; the scoring units are the clean ones moved through the offset maps."""
    documents = []
    maps = []
    units = []
    for k, doc in enumerate(corpus.documents):
        perturbed = perturb_document(doc, entry.perturbation, key=k)
        documents.append(perturbed.document)
        maps.append(perturbed.offsets)
        om = perturbed.offsets
        units.append(tuple((om.start_to_new(s), om.end_to_new(e)) for s, e in corpus.units[k]))
    moved = replace(corpus, documents=tuple(documents), units=tuple(units))
    return PerturbedCorpus(entry, moved, tuple(maps))


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PerturbationScore:
    """One model under one perturbation.

    Attributes:
        name: The suite entry's name.
        kind, rate, seed, scope: The perturbation.
        keeps_identity: Whether the kind keeps a word's identity.
        edits: Characters changed in the corpus.
        units_perturbed: Scoring units with at least one change.
        f1: Perturbed F1 (``None`` if undefined).
        change: Perturbed minus clean F1.
        ci: Paired-bootstrap interval of the change (``None`` without resamples).
        p_value: One-sided p-value of "perturbed is better" (paired bootstrap).
        invariance: Share of the perturbed units whose predictions did not change (``None`` if no unit changed).
        invariant_units: Their number.
        examples: A few changed units (clean and perturbed text, predictions on both).
        failures: The thresholds broken, as messages.
    """

    name: str
    kind: str
    rate: float
    seed: int
    scope: str
    keeps_identity: bool
    edits: int
    units_perturbed: int
    f1: float | None
    change: float | None
    ci: tuple[float | None, float | None] | None
    p_value: float | None
    invariance: float | None
    invariant_units: int
    examples: tuple[dict[str, Any], ...] = ()
    failures: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelRobustness:
    """One model over a suite: its clean F1 and one :class:`PerturbationScore` per entry (or why it failed)."""

    model: str
    status: str
    reason: str | None = None
    view: str | None = None
    clean_f1: float | None = None
    perturbations: tuple[PerturbationScore, ...] = ()


@dataclass(frozen=True)
class RobustnessResult:
    """The result of :func:`robustness`."""

    corpus: str
    corpus_sha256: str
    unit: str
    n_units: int
    suite: Suite
    n_resamples: int
    seed: int
    models: tuple[ModelRobustness, ...]
    setting: Mapping[str, str] = field(default_factory=dict)

    @property
    def failures(self) -> list[str]:
        """Every broken threshold and failed model, as messages."""
        out = [f"model {m.model!r} failed: {m.reason}" for m in self.models if m.status != "scored"]
        return out + [msg for m in self.models for p in m.perturbations for msg in p.failures]

    @property
    def exit_status(self) -> int:
        """0 when every model ran and held every threshold, else 1."""
        return 1 if self.failures else 0

    def to_json(self) -> dict[str, Any]:
        """The JSON tree of ``results.json``."""
        return {
            "kind": "arabench-robustness",
            "corpus": {"path": self.corpus, "sha256": self.corpus_sha256, "unit": self.unit, "n_units": self.n_units},
            "suite": {
                "name": self.suite.name,
                "source": self.suite.source,
                "description": self.suite.description,
                "perturbations": [
                    {
                        "name": e.name,
                        **asdict(e.perturbation),
                        "keeps_identity": KINDS[e.perturbation.kind].keeps_identity,
                        "max_drop": e.max_drop,
                        "min_invariance": e.min_invariance,
                    }
                    for e in self.suite.entries
                ],
            },
            "setting": dict(self.setting),
            "bootstrap": {"n_resamples": self.n_resamples, "seed": self.seed, "method": "paired_bootstrap"},
            "models": [
                {
                    "model": m.model,
                    "status": m.status,
                    "reason": m.reason,
                    "view": m.view,
                    "clean_f1": m.clean_f1,
                    "perturbations": [
                        {**asdict(p), "ci": None if p.ci is None else list(p.ci)} for p in m.perturbations
                    ],
                }
                for m in self.models
            ],
            "failures": self.failures,
        }


# --------------------------------------------------------------------------- scoring


def _model_view(instance: Any) -> Any:
    from arabench.benchmark.runner import resolve_view  # models.cards's, as the runner resolves it

    return resolve_view(instance.view, schema=default_schema())


def _scores(
    corpus: Corpus,
    pred_spans: Sequence[Sequence[Span]],
    view: Any,
    mapping: Mapping[str, str | None],
    labels: frozenset[str],
    types: Sequence[str],
) -> Any:
    from arabench.eval.spans import score_spans
    from arabench.eval.views import project_gold, relabel_spans

    gold = project_gold([d.spans for d in corpus.documents], view, gold_view=corpus.view)
    return score_spans(
        gold.spans,
        [relabel_spans(p, mapping) for p in pred_spans],
        mode=HEADLINE.mode,
        boundary=HEADLINE.boundary,
        layer=HEADLINE.layer,
        texts=corpus.texts,
        units=[list(u) for u in corpus.units],
        labels=labels,
        types=types,
        errors=False,
    )


def _unit_of(starts: Sequence[int], offset: int) -> int:
    return max(bisect_right(starts, offset) - 1, 0)


def _by_unit(spans: Sequence[Span], starts: Sequence[int], n: int) -> list[set[tuple[int, int, str]]]:
    out: list[set[tuple[int, int, str]]] = [set() for _ in range(n)]
    for s in spans:
        out[_unit_of(starts, s.start)].add((s.start, s.end, s.label))
    return out


def _shown_spans(text: str, spans: Collection[tuple[int, int, str]]) -> list[dict[str, Any]]:
    return [{"start": s, "end": e, "label": label, "text": text[s:e]} for s, e, label in sorted(spans)]


def _invariance(
    clean: Corpus,
    perturbed: PerturbedCorpus,
    clean_preds: Sequence[Sequence[Span]],
    pert_preds: Sequence[Sequence[Span]],
) -> tuple[int, int, list[dict[str, Any]]]:
    """(units changed by the perturbation, those whose mapped-back predictions equal the clean ones, examples)."""
    changed = invariant = 0
    examples: list[dict[str, Any]] = []
    for d, (doc, om) in enumerate(zip(clean.documents, perturbed.maps, strict=True)):
        units = clean.units[d]
        starts = [s for s, _ in units]
        edited = {_unit_of(starts, e.start) for e in om.edits}
        if not edited:
            continue
        before = _by_unit(clean_preds[d], starts, len(units))
        mapped = [m for m in (om.span_to_old(s) for s in pert_preds[d]) if m is not None]
        after = _by_unit(mapped, starts, len(units))
        new_units = perturbed.corpus.units[d]
        new_starts = [s for s, _ in new_units]
        raw_after = _by_unit(pert_preds[d], new_starts, len(new_units))
        for u in sorted(edited):
            changed += 1
            if before[u] == after[u]:
                invariant += 1
            elif len(examples) < EXAMPLES:
                (us, ue), (ns, ne) = units[u], new_units[u]
                examples.append(
                    {
                        "document": doc.id,
                        "unit": u,
                        "clean": {
                            "text": doc.text[us:ue],
                            "offset": us,
                            "predictions": _shown_spans(doc.text, before[u]),
                        },
                        "perturbed": {
                            "text": om.new[ns:ne],
                            "offset": ns,
                            "predictions": _shown_spans(om.new, raw_after[u]),
                            "edits": [
                                [om.start_to_new(e.start), om.end_to_new(e.end)] for e in om.edits if us <= e.start < ue
                            ],
                        },
                    }
                )
    return changed, invariant, examples


def _threshold_failures(model: str, entry: SuiteEntry, change: float | None, invariance: float | None) -> list[str]:
    out = []
    if entry.max_drop is not None and change is not None and -change > entry.max_drop + 1e-12:
        out.append(
            f"model {model!r}, perturbation {entry.name!r}: F1 drop {-change:.4f} exceeds max_drop {entry.max_drop:g}"
        )
    if entry.min_invariance is not None and invariance is not None and invariance < entry.min_invariance - 1e-12:
        out.append(
            f"model {model!r}, perturbation {entry.name!r}: invariance {invariance:.4f} is below min_invariance "
            f"{entry.min_invariance:g}"
        )
    return out


def _score_model(
    name: str,
    instance: Any,
    clean: Corpus,
    perturbed: Sequence[PerturbedCorpus],
    *,
    n_resamples: int,
    seed: int,
    schema: Schema,
) -> ModelRobustness:
    from arabench.benchmark.runner import predict_checked, target_views
    from arabench.eval.stats import paired_bootstrap
    from arabench.eval.views import project_gold

    model_view = _model_view(instance)
    targets = target_views(model_view, clean.view, schema)
    if not targets:
        return ModelRobustness(
            name, "failed", f"the model's view {model_view.name!r} and the corpus's view {clean.view.name!r} share none"
        )
    view, mapping, _how = targets[0]
    labels = frozenset(label for lb in instance.labels if (label := mapping.get(lb)) is not None)
    gold = project_gold([d.spans for d in clean.documents], view, gold_view=clean.view)
    types = sorted(labels | {s.label for spans in gold.spans for s in spans})
    clean_preds = [p.spans for p in predict_checked(instance, clean.texts, name, model_view)]
    clean_scores = _scores(clean, clean_preds, view, mapping, labels, types)
    clean_f1 = clean_scores.micro.f1
    rows = []
    for pc in perturbed:
        entry = pc.entry
        preds = [p.spans for p in predict_checked(instance, pc.corpus.texts, name, model_view)]
        scores = _scores(pc.corpus, preds, view, mapping, labels, types)
        f1 = scores.micro.f1
        change = None if f1 is None or clean_f1 is None else f1 - clean_f1
        ci = p_value = None
        if n_resamples > 0 and change is not None:
            try:
                paired = paired_bootstrap(clean_scores, scores, n_resamples=n_resamples, seed=seed)
            except ScoringError:
                paired = None
            if paired is not None:
                ci, p_value, change = (paired.ci_low, paired.ci_high), paired.p_value, paired.diff
        changed, invariant, examples = _invariance(clean, pc, clean_preds, preds)
        invariance = invariant / changed if changed else None
        rows.append(
            PerturbationScore(
                name=entry.name,
                kind=entry.perturbation.kind,
                rate=entry.perturbation.rate,
                seed=entry.perturbation.seed,
                scope=entry.perturbation.scope,
                keeps_identity=KINDS[entry.perturbation.kind].keeps_identity,
                edits=pc.n_edits,
                units_perturbed=changed,
                f1=f1,
                change=change,
                ci=ci,
                p_value=p_value,
                invariance=invariance,
                invariant_units=invariant,
                examples=tuple(examples),
                failures=tuple(_threshold_failures(name, entry, change, invariance)),
            )
        )
    return ModelRobustness(name, "scored", None, view.name, clean_f1, tuple(rows))


def robustness(
    models: Sequence[str | Any],
    *,
    corpus: Corpus,
    suite: Suite,
    n_resamples: int = 1000,
    seed: int = 0,
    model_options: Mapping[str, Mapping[str, object]] | None = None,
) -> RobustnessResult:
    """Score ``models`` on ``corpus`` and on each perturbation of ``suite`` (see the module docstring).

    Args:
        models: Registry names (``rules``, ``crf``, ``hf:/path``, ...) or model instances.
        corpus: The clean gold corpus (:func:`arabench.benchmark.corpus_io.load_corpus`).
        suite: The perturbations (:func:`load_suite`).
        n_resamples: Paired-bootstrap resamples (0: no intervals).
        seed: Bootstrap seed.
        model_options: Per model name, the options of its adapter. The ``oracle`` gets the clean and every
            perturbed corpus's documents as its gold.

    Returns:
        The typed result; :attr:`RobustnessResult.failures` lists the thresholds broken.

    Raises:
        BenchmarkError: For a negative ``n_resamples`` or ``seed``.
    """
    from arabench.models.registry import create_model

    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or not 0 <= n_resamples <= 100_000:
        raise BenchmarkError(
            "--bootstrap must be an integer in [0, 100000]", field="bootstrap", value=n_resamples, fix="e.g. 1000"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise BenchmarkError("--seed must be a non-negative integer", field="seed", value=seed, fix="e.g. 0")
    from arabench.models.registry import get_info

    for model in models:
        if isinstance(model, str):
            get_info(model)  # an unknown name: the registry's error (with "did you mean") before anything runs
    schema = default_schema()
    perturbed = [perturb_corpus(corpus, entry) for entry in suite.entries]
    results = []
    for model in models:
        name = model if isinstance(model, str) else str(getattr(model, "name", type(model).__name__))
        try:
            if isinstance(model, str):
                options = dict((model_options or {}).get(name, {}))
                if name == "oracle" and "gold" not in options:
                    options["gold"] = [d for c in [corpus, *(p.corpus for p in perturbed)] for d in c.documents]
                    if corpus.view.name != "native":
                        options.setdefault("view", corpus.view.name)
                        options.setdefault("gold_view", corpus.view.name)
                instance = create_model(name, **options)
            else:
                instance = model
            results.append(
                _score_model(name, instance, corpus, perturbed, n_resamples=n_resamples, seed=seed, schema=schema)
            )
        except BenchmarkError as exc:
            results.append(ModelRobustness(name, "failed", str(exc)))
        except Exception as exc:  # a model that crashes fails alone; the others are still scored
            results.append(ModelRobustness(name, "failed", f"{type(exc).__name__}: {exc}"))
    return RobustnessResult(
        corpus=str(corpus.path),
        corpus_sha256=corpus.sha256,
        unit=corpus.unit,
        n_units=corpus.n_units,
        suite=suite,
        n_resamples=n_resamples,
        seed=seed,
        models=tuple(results),
        setting={"mode": HEADLINE.mode, "boundary": HEADLINE.boundary, "layer": HEADLINE.layer, "average": "micro"},
    )


# --------------------------------------------------------------------------- writing


def _fmt(value: float | None, digits: int = 4, sign: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def _ci_text(ci: tuple[float | None, float | None] | None) -> str:
    if ci is None:
        return ""
    return f" [{_fmt(ci[0], sign=True)}, {_fmt(ci[1], sign=True)}]"


def _invariance_text(p: PerturbationScore) -> str:
    if p.invariance is None:
        return "n/a (no unit changed)"
    return f"{p.invariance:.4f} ({p.invariant_units}/{p.units_perturbed})"


def summary_markdown(result: RobustnessResult) -> str:
    """``summary.md``: per model, a table of the perturbations (F1, change with interval, invariance, thresholds)."""
    from arabench.benchmark.escape import md_text

    lines = [
        f"# Robustness: suite {md_text(result.suite.name)}",
        "",
        f"Corpus `{md_text(result.corpus)}` ({result.n_units} {result.unit} units; "
        f"sha256 {result.corpus_sha256[:12]}). "
        f"F1: {result.setting.get('mode')}, {result.setting.get('boundary')} boundaries, "
        f"{result.setting.get('layer')} layer, micro. Change: perturbed minus clean F1, with the 95% paired-bootstrap "
        f"interval over the shared units ({result.n_resamples} resamples, seed {result.seed}). Invariance: the share "
        "of the changed units whose predictions, mapped back to the clean text, did not change.",
        "",
    ]
    for m in result.models:
        lines.append(f"## {md_text(m.model)}")
        lines.append("")
        if m.status != "scored":
            lines += [f"failed: {md_text(m.reason)}", ""]
            continue
        lines.append(f"View {md_text(m.view)}; clean F1 {_fmt(m.clean_f1)}.")
        lines.append("")
        lines.append(
            "| perturbation | keeps identity | rate | edits | F1 | change [95% CI] | invariance | thresholds |"
        )
        lines.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for p in m.perturbations:
            status = "FAILED: " + "; ".join(md_text(f) for f in p.failures) if p.failures else "ok"
            lines.append(
                f"| {md_text(p.name)} | {'yes' if p.keeps_identity else 'no'} | {p.rate:g} | {p.edits} | "
                f"{_fmt(p.f1)} | "
                f"{_fmt(p.change, sign=True)}{_ci_text(p.ci)} | {_invariance_text(p)} | {status} |"
            )
        lines.append("")
    failures = result.failures
    lines.append("## Thresholds")
    lines.append("")
    lines += [f"- {md_text(f)}" for f in failures] if failures else ["Every threshold of the suite holds."]
    lines.append("")
    return "\n".join(lines)


def _chart_svg(result: RobustnessResult) -> str:
    """Horizontal bars of the F1 change per model and perturbation, with interval whiskers and a zero line."""
    rows = [(m, p) for m in result.models if m.status == "scored" for p in m.perturbations if p.change is not None]
    if not rows:
        return ""
    values = [p.change or 0.0 for _, p in rows] + [c for _, p in rows if p.ci for c in p.ci if c is not None]
    span = max(0.01, max(abs(v) for v in values))
    left, width, row_h = 290, 420, 18
    height = row_h * len(rows) + 40
    zero = left + width / 2

    def x(v: float) -> float:
        return zero + v / span * (width / 2)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 80}" height="{height}" role="img" '
        'aria-label="F1 change per perturbation with 95% paired-bootstrap intervals" '
        'font-family="sans-serif" font-size="12">',
        f'<line x1="{zero}" y1="10" x2="{zero}" y2="{height - 20}" stroke="#444"/>',
        f'<text x="{x(-span)}" y="{height - 5}" text-anchor="start">{-span:+.3f}</text>',
        f'<text x="{zero}" y="{height - 5}" text-anchor="middle">0</text>',
        f'<text x="{x(span)}" y="{height - 5}" text-anchor="end">{span:+.3f}</text>',
    ]
    for k, (m, p) in enumerate(rows):
        y = 12 + k * row_h
        change = p.change or 0.0
        colour = "#c0392b" if change < 0 else "#2e86c1"
        x0, x1 = sorted((zero, x(change)))
        label = html.escape(f"{m.model} · {p.name}")
        parts.append(f'<text x="{left - 6}" y="{y + 11}" text-anchor="end">{label}</text>')
        parts.append(
            f'<rect x="{x0:.1f}" y="{y + 2}" width="{max(x1 - x0, 1):.1f}" height="{row_h - 6}" '
            f'fill="{colour}" opacity="0.75"/>'
        )
        if p.ci and p.ci[0] is not None and p.ci[1] is not None:
            a, b = x(p.ci[0]), x(p.ci[1])
            mid = y + row_h / 2 - 1
            parts.append(f'<line x1="{a:.1f}" y1="{mid}" x2="{b:.1f}" y2="{mid}" stroke="#222"/>')
            parts.append(f'<line x1="{a:.1f}" y1="{mid - 4}" x2="{a:.1f}" y2="{mid + 4}" stroke="#222"/>')
            parts.append(f'<line x1="{b:.1f}" y1="{mid - 4}" x2="{b:.1f}" y2="{mid + 4}" stroke="#222"/>')
        parts.append(f'<text x="{left + width + 6}" y="{y + 11}">{html.escape(_fmt(change, sign=True))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _visible(ch: str) -> str:
    if unicodedata.category(ch) in ("Cf", "Cc"):
        return f'<span class="inv">U+{ord(ch):04X}</span>'
    return html.escape(ch)


def _marked(text: str, spans: Sequence[dict[str, Any]], edits: Sequence[Sequence[int]], offset: int) -> str:
    """The unit's text with predicted spans highlighted and edited characters underlined (inserted invisibles shown)."""
    starts: dict[int, list[str]] = {}
    ends: dict[int, int] = {}
    for s in spans:
        starts.setdefault(s["start"] - offset, []).append(s["label"])
        ends[s["end"] - offset] = ends.get(s["end"] - offset, 0) + 1
    edited = {i - offset for a, b in edits for i in range(a, b)}
    out = []
    for i, ch in enumerate(text):
        for _ in range(ends.pop(i, 0)):
            out.append("</mark>")
        for label in starts.get(i, []):
            out.append(f'<mark title="{html.escape(label)}">')
        out.append(f"<u>{_visible(ch)}</u>" if i in edited else _visible(ch))
    for _ in range(sum(ends.values())):
        out.append("</mark>")
    labels = [f'<span class="lab">{html.escape(s["label"])}: <bdi>{html.escape(s["text"])}</bdi></span>' for s in spans]
    return "".join(out) + ('<div class="labs" dir="ltr">' + " ".join(labels) + "</div>" if labels else "")


_CSS = """
body{font-family:sans-serif;margin:24px;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
.fail{color:#b00;font-weight:bold}.ok{color:#070}
.ar{direction:rtl;text-align:right;font-size:17px;line-height:1.9;
font-family:'Noto Naskh Arabic','Amiri','DejaVu Sans',serif}
mark{background:#ffe08a;border-radius:3px;padding:0 2px}u{text-decoration:underline 2px #c0392b}
.inv{font-size:10px;background:#eee;border:1px solid #999;font-family:monospace;direction:ltr;unicode-bidi:isolate}
.labs{font-size:12px;color:#555;text-align:left}.lab{margin-right:10px}
"""


def report_html(result: RobustnessResult) -> str:
    """``report.html``: a self-contained page: the tables, a chart of the changes, changed units in Arabic (RTL)."""
    esc = html.escape
    body = [
        f"<h1>Robustness: suite {esc(result.suite.name)}</h1>",
        f"<p>Corpus <code>{esc(result.corpus)}</code> ({result.n_units} {esc(result.unit)} units). F1 in the headline "
        f"setting ({esc(result.setting.get('mode', ''))}, {esc(result.setting.get('boundary', ''))} boundaries, "
        f"{esc(result.setting.get('layer', ''))} layer, micro). <b>Change</b>: perturbed minus clean F1 with its 95% "
        f"paired-bootstrap interval over the shared units ({result.n_resamples} resamples, seed {result.seed}). "
        "<b>Invariance</b>: the share of the units a perturbation changed whose predictions, mapped back to the "
        "clean text, stayed exactly the same.</p>",
    ]
    failures = result.failures
    if failures:
        body.append(
            '<p class="fail">Thresholds broken:</p><ul>' + "".join(f"<li>{esc(f)}</li>" for f in failures) + "</ul>"
        )
    else:
        body.append('<p class="ok">Every threshold of the suite holds.</p>')
    body.append("<h2>Change of F1 per perturbation</h2>" + _chart_svg(result))
    for m in result.models:
        body.append(f"<h2>{esc(m.model)}</h2>")
        if m.status != "scored":
            body.append(f'<p class="fail">failed: {esc(m.reason or "")}</p>')
            continue
        body.append(f"<p>View {esc(m.view or '')}; clean F1 {_fmt(m.clean_f1)}.</p>")
        body.append(
            "<table><tr><th>perturbation</th><th>keeps identity</th><th>rate</th><th>scope</th><th>edits</th>"
            "<th>F1</th><th>change [95% CI]</th><th>invariance</th><th>thresholds</th></tr>"
        )
        for p in m.perturbations:
            status = (
                '<span class="fail">' + esc("; ".join(p.failures)) + "</span>"
                if p.failures
                else '<span class="ok">ok</span>'
            )
            body.append(
                f"<tr><td>{esc(p.name)}</td><td>{'yes' if p.keeps_identity else 'no'}</td><td class=num>{p.rate:g}</td>"
                f"<td>{esc(p.scope)}</td><td class=num>{p.edits}</td><td class=num>{_fmt(p.f1)}</td>"
                f"<td class=num>{esc(_fmt(p.change, sign=True) + _ci_text(p.ci))}</td>"
                f"<td class=num>{esc(_invariance_text(p))}</td><td>{status}</td></tr>"
            )
        body.append("</table>")
        for p in m.perturbations:
            if not p.examples:
                continue
            body.append(f"<h3>{esc(m.model)} · {esc(p.name)}: units whose predictions changed</h3>")
            body.append("<table><tr><th>clean</th><th>perturbed (changed characters underlined)</th></tr>")
            for ex in p.examples:
                c, q = ex["clean"], ex["perturbed"]
                cell = '<td class="ar" dir="rtl" lang="ar">'
                body.append(
                    f"<tr>{cell}{_marked(c['text'], c['predictions'], [], c['offset'])}</td>"
                    f"{cell}{_marked(q['text'], q['predictions'], q['edits'], q['offset'])}</td></tr>"
                )
            body.append("</table>")
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>arabench robustness: {esc(result.suite.name)}</title><style>{_CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def write_robustness(result: RobustnessResult, out: str | Path) -> dict[str, Path]:
    """Write ``results.json``, ``summary.md`` and ``report.html`` into ``out`` as a unit (under its lock).

    Raises:
        BenchmarkError: For an ``out`` that cannot be written (:func:`arabench.benchmark.outdir.check_output_dir`).
    """
    from arabench.annotations.files import atomic_write_text
    from arabench.benchmark.atomic import dump_json
    from arabench.benchmark.outdir import check_output_dir, write_results_directory

    out = check_output_dir(out)

    def fill(tmp: Path) -> dict[str, Path]:
        return {
            "results": atomic_write_text(tmp / "results.json", dump_json(result.to_json())),
            "summary": atomic_write_text(tmp / "summary.md", summary_markdown(result)),
            "report": atomic_write_text(tmp / "report.html", report_html(result)),
        }

    return write_results_directory(out, fill)
