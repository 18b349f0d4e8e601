"""The results of a run, as typed objects and as the versioned ``results.json``.

``results.json`` (``schema_version`` 1), keys in this order::

    {"schema_version": 1,
     "created": "2026-01-01T00:00:00Z",      # the ONLY field that differs between two identical runs
     "arabench": {"version", "git_commit"},   # git_commit: null outside a git checkout
     "corpus": {"path", "format", "view", "sha256", "files", "unit", "n_units",
                "documents": [{"id", "chars", "entities", "relations", "units": [[start, end], ...]}],
                "gold_mentions": {TYPE: n}},
     "settings": {"seed", "bootstrap": {"n_resamples", "confidence", "method"},
                  "leaderboard_view", "view_requested", "headline": {"mode", "boundary", "layer"},
                  "modes", "boundaries", "layers",
                  "configuration"},               # arabench run: the resolved run configuration (benchmark.config)
     "environment": {"python", "implementation", "platform", "machine", "cpu_count",
                     "libraries": {NAME: version or null}},
     "models": [{"name", "status", "reason", "explicit", "view", "labels",
                 "provenance", "diagnostics", "scores": {VIEW: VIEW_TREE}}]}

``status`` is ``scored``, ``partial`` (scored, but some LLM windows got no
answer: ``reason`` gives how many and the share, ``diagnostics`` the counts),
``skipped`` (a default-suite model that cannot run here; ``reason`` says why)
or ``failed`` (``reason`` holds the error).
``VIEW_TREE`` is described in :mod:`arabench.benchmark.scoring`. Floats are written with
Python's exact ``repr``; undefined scores are ``null``. Two runs on the same
inputs (same corpus bytes, models, seed, machine and arabench commit) give
byte-identical files apart from ``created``.

The other files of a results directory (:func:`arabench.benchmark.writing.write_results`):
``summary.md`` (leaderboard and per-type tables), ``per_type.csv`` (one row per
model × view × mode × boundary × layer × type), ``errors.jsonl.gz`` (one error
record per line) and ``report.html`` (self-contained report).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arabench.annotations.errors import BenchmarkError
from arabench.annotations.schema import View
from arabench.annotations.spans import Document
from arabench.eval.modes import HEADLINE

__all__ = [
    "RESULTS_SCHEMA_VERSION",
    "ModelResult",
    "LeaderboardRow",
    "Results",
    "load_results",
    "TIMESTAMP_FIELD",
    "SCORED_STATUSES",
]

RESULTS_SCHEMA_VERSION = 1
#: The one field that differs between two runs on the same inputs.
TIMESTAMP_FIELD = "created"
#: Statuses that carry scores: ``partial`` is scored from incomplete predictions (some windows failed).
SCORED_STATUSES = ("scored", "partial")


@dataclass
class ModelResult:
    """One model's outcome.

    Attributes:
        name: The model name as given.
        status: ``scored``, ``partial``, ``skipped`` or ``failed``.
        reason: Why it is partial, skipped or failed (``None`` when scored).
        explicit: Whether the user named it (its failure makes the exit status 1).
        view: Its own label view.
        labels: The labels it can emit, in its view.
        provenance: What identifies its predictions (id, revision, label map, ...).
        diagnostics: Every diagnostic counter, summed over documents.
        scores: Per view name, the scores tree (:mod:`arabench.benchmark.scoring`).
    """

    name: str
    status: str
    reason: str | None = None
    explicit: bool = False
    view: str | None = None
    labels: list[str] = field(default_factory=list)
    provenance: Mapping[str, object] | None = None
    diagnostics: Mapping[str, int | float] = field(default_factory=dict)
    scores: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The model's entry of ``results.json``."""
        return {
            "name": self.name,
            "status": self.status,
            "reason": self.reason,
            "explicit": self.explicit,
            "view": self.view,
            "labels": list(self.labels),
            "provenance": None if self.provenance is None else dict(self.provenance),
            "diagnostics": dict(self.diagnostics),
            "scores": dict(self.scores),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ModelResult:
        """Inverse of :meth:`to_json`."""
        return cls(
            name=data["name"],
            status=data["status"],
            reason=data.get("reason"),
            explicit=bool(data.get("explicit", False)),
            view=data.get("view"),
            labels=list(data.get("labels", [])),
            provenance=data.get("provenance"),
            diagnostics=dict(data.get("diagnostics", {})),
            scores=dict(data.get("scores", {})),
        )

    @property
    def failed_fraction(self) -> float | None:
        """The share of windows that failed (``failed_windows / windows``), ``None`` when none failed."""
        failed = self.diagnostics.get("failed_windows", 0)
        windows = self.diagnostics.get("windows", 0)
        if not failed:
            return None
        return failed / windows if windows else 1.0

    def setting(
        self, view: str, mode: str = HEADLINE.mode, boundary: str = HEADLINE.boundary, layer: str = HEADLINE.layer
    ) -> dict[str, Any]:
        """The scores of one setting in one view (default: the headline setting).

        Raises:
            BenchmarkError: If the model was not scored in that view or setting.
        """
        try:
            return self.scores[view]["spans"][mode][boundary][layer]
        except KeyError:
            raise BenchmarkError(
                f"model {self.name!r} has no scores for this setting",
                field="view/mode/boundary/layer",
                value=(view, mode, boundary, layer),
                fix=f"use one of the views it was scored in: {', '.join(self.scores) or '(none)'}",
            ) from None


@dataclass(frozen=True)
class LeaderboardRow:
    """One line of the leaderboard.

    Attributes:
        model: The model name.
        status: ``scored``, ``partial``, ``skipped`` or ``failed``.
        view: The view the figures are in (``None`` if not scored).
        flagged: True when the model could not be scored in the leaderboard view
            and is shown in ``view`` instead.
        precision: Headline micro precision (strict, word, flat).
        recall: Headline micro recall.
        f1: Headline micro F1.
        f1_ci: Its bootstrap interval.
        char_f1: Micro F1 with strict character boundaries (flat layer).
        char_f1_ci: Its interval.
        reason: Why a model is partial, skipped or failed.
        failed_fraction: For a ``partial`` model, the share of windows that failed.
    """

    model: str
    status: str
    view: str | None
    flagged: bool
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    f1_ci: tuple[float, float] | None = None
    char_f1: float | None = None
    char_f1_ci: tuple[float, float] | None = None
    reason: str | None = None
    failed_fraction: float | None = None


def _ci_tuple(ci: Any, measure: str = "f1") -> tuple[float, float] | None:
    if not ci or ci.get(measure) is None:
        return None
    low, high = ci[measure]
    return (low, high)


@dataclass
class Results:
    """Everything a run produced.

    ``documents``, ``predictions``, ``errors`` and ``gold_view`` are kept in
    memory for the reports; they are not part of ``results.json`` (errors go
    to ``errors.jsonl.gz``) and are empty for results read back with
    :func:`load_results`.
    """

    schema_version: int
    created: str
    arabench: Mapping[str, object]
    corpus: Mapping[str, Any]
    settings: Mapping[str, Any]
    environment: Mapping[str, Any]
    models: list[ModelResult]
    errors: Mapping[str, Mapping[str, Sequence[dict[str, Any]]]] = field(default_factory=dict)
    predictions: Mapping[str, list[Any]] = field(default_factory=dict)
    documents: Sequence[Document] = ()
    gold_view: View | None = None

    # ---------------------------------------------------------------- access
    @property
    def leaderboard_view(self) -> str:
        """The view of the leaderboard."""
        return str(self.settings["leaderboard_view"])

    @property
    def exit_status(self) -> int:
        """1 if a model the user named explicitly was not fully scored (failed, skipped or partial), else 0."""
        return 1 if any(m.explicit and m.status != "scored" for m in self.models) else 0

    def model(self, name: str) -> ModelResult:
        """The result of the model called ``name``.

        Raises:
            BenchmarkError: If no model of that name is in the results.
        """
        for m in self.models:
            if m.name == name:
                return m
        raise BenchmarkError(
            "no such model in the results",
            field="model",
            value=name,
            fix=f"use one of {', '.join(m.name for m in self.models)}",
        )

    def scored_view(self, model: ModelResult) -> tuple[str | None, bool]:
        """The view a model is shown in on the leaderboard, and whether it is flagged (not the leaderboard view)."""
        if model.status not in SCORED_STATUSES:
            return None, False
        if self.leaderboard_view in model.scores:
            return self.leaderboard_view, False
        if "conll4" in model.scores:
            return "conll4", True
        if model.view in model.scores:
            return model.view, True
        # Not scorable in its own view (the gold does not coarsen into it): the first view it was scored in.
        return (next(iter(model.scores)), True) if model.scores else (None, False)

    def leaderboard(self) -> list[LeaderboardRow]:
        """Scored and partial models by headline F1 (best first; ties by name), then failed and skipped ones."""
        rows = []
        for m in self.models:
            view, flagged = self.scored_view(m)
            if view is None:
                rows.append(LeaderboardRow(m.name, m.status, None, False, reason=m.reason))
                continue
            head = m.setting(view)["micro"]
            char = m.setting(view, boundary="char")["micro"]
            rows.append(
                LeaderboardRow(
                    m.name,
                    m.status,
                    view,
                    flagged,
                    precision=head["precision"],
                    recall=head["recall"],
                    f1=head["f1"],
                    f1_ci=_ci_tuple(head.get("ci")),
                    char_f1=char["f1"],
                    char_f1_ci=_ci_tuple(char.get("ci")),
                    reason=m.reason,
                    failed_fraction=m.failed_fraction,
                )
            )
        order = {"scored": 0, "partial": 0, "failed": 1, "skipped": 2}
        return sorted(rows, key=lambda r: (order.get(r.status, 3), -(r.f1 if r.f1 is not None else -1.0), r.model))

    # ---------------------------------------------------------------- JSON
    def to_json(self) -> dict[str, Any]:
        """The ``results.json`` tree (see the module docstring)."""
        return {
            "schema_version": self.schema_version,
            TIMESTAMP_FIELD: self.created,
            "arabench": dict(self.arabench),
            "corpus": dict(self.corpus),
            "settings": dict(self.settings),
            "environment": dict(self.environment),
            "models": [m.to_json() for m in self.models],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, source: str | Path | None = None) -> Results:
        """Read a ``results.json`` tree.

        Raises:
            BenchmarkError: If the schema version is not one this arabench reads.
        """
        version = data.get("schema_version") if isinstance(data, Mapping) else None
        if version != RESULTS_SCHEMA_VERSION:
            raise BenchmarkError(
                "unsupported results schema version",
                file=source,
                field="schema_version",
                value=version,
                fix=f"re-run arabench run with this version (reads schema_version {RESULTS_SCHEMA_VERSION})",
            )
        return cls(
            schema_version=version,
            created=data[TIMESTAMP_FIELD],
            arabench=data["arabench"],
            corpus=data["corpus"],
            settings=data["settings"],
            environment=data["environment"],
            models=[ModelResult.from_json(m) for m in data["models"]],
        )


def load_results(path: str | Path) -> Results:
    """Read ``results.json`` (or a results directory holding one).

    Raises:
        BenchmarkError: If the file is missing, not JSON, or of another schema version.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "results.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BenchmarkError(
            "results file not found", file=path, fix="pass a results directory or results.json written by arabench run"
        ) from None
    except ValueError as exc:
        raise BenchmarkError(f"results file is not valid JSON: {exc}", file=path, fix="re-run arabench run") from None
    return Results.from_json(data, source=path)
