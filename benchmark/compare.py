"""Comparing two models: per-type differences of F1 with paired tests, from results files alone.

``compare(a, b)`` reads the per-unit counts stored in ``results.json``
(:mod:`arabench.benchmark.scoring`), so nothing is re-scored. For each type with gold
mentions, and for micro and macro F1, it reports ``F1(B) - F1(A)`` with:

* a paired bootstrap (:func:`arabench.eval.stats.paired_bootstrap`): the 95% percentile
  interval of the difference and Berg-Kirkpatrick et al.'s one-sided p-value
  of H0 "B is not better than A";
* approximate randomization (:func:`arabench.eval.stats.approximate_randomization`):
  the two-sided p-value ``(r + 1) / (n + 1)``.

Both results must come from the same corpus (same sha256) with the same
scoring units; otherwise the comparison is refused with an error saying so.
A results file is checked before use: a missing corpus, a unit count that
is not the number of the documents' units, a per-unit count row out of range,
or per-unit counts that do not sum to the stored micro counts (an edited
file) are errors naming the field; ``n_resamples`` must be 1..1000000.
The setting defaults to the headline (strict, word boundaries, flat layer) in
a view both models were scored in (A's leaderboard view if possible, else
``conll4``, else any shared view).
"""

from __future__ import annotations

import binascii
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from arabench.annotations.errors import BenchmarkError, ScoringError
from arabench.benchmark.escape import md_code, md_text, terminal
from arabench.benchmark.report_text import fmt
from arabench.benchmark.results import ModelResult, Results, load_results
from arabench.benchmark.scoring import unit_counts_array
from arabench.eval.modes import HEADLINE

__all__ = ["ComparisonRow", "Comparison", "compare", "DEFAULT_RESAMPLES", "read_results", "aligned_counts"]

DEFAULT_RESAMPLES = 10_000


@dataclass(frozen=True)
class ComparisonRow:
    """One compared figure.

    Attributes:
        figure: A type name, ``"(micro)"`` or ``"(macro)"``.
        support: Gold mentions of the type (total for the averages).
        a: A's F1 (``None`` if undefined).
        b: B's F1.
        diff: ``b - a``.
        ci_low: Low end of the paired-bootstrap interval of ``diff``.
        ci_high: High end.
        p_bootstrap: One-sided paired-bootstrap p-value (H1: B better).
        p_randomization: Two-sided approximate-randomization p-value.
    """

    figure: str
    support: float
    a: float | None
    b: float | None
    diff: float | None
    ci_low: float | None
    ci_high: float | None
    p_bootstrap: float | None
    p_randomization: float | None


@dataclass(frozen=True)
class Comparison:
    """The comparison of model B against model A."""

    model_a: str
    model_b: str
    source_a: str
    source_b: str
    view: str
    mode: str
    boundary: str
    layer: str
    corpus_sha256: str
    n_units: int
    n_resamples: int
    seed: int
    rows: tuple[ComparisonRow, ...]

    def to_markdown(self) -> str:
        """The comparison as a Markdown document."""
        lines = [
            f"# {md_code(self.model_b, table=False)} vs {md_code(self.model_a, table=False)}",
            "",
            f"F1 difference B − A; view {md_text(self.view)}, {md_text(self.mode)} match, {md_text(self.boundary)} "
            f"boundaries, {md_text(self.layer)} layer; {self.n_units} scoring units; corpus sha256 "
            f"{md_code(self.corpus_sha256[:16] + '…', table=False)}.",
            f"Paired bootstrap ({self.n_resamples} resamples, seed {self.seed}): 95% interval of the difference and "
            "one-sided p-value (H1: B better); approximate randomization: two-sided p-value.",
            "",
            "| figure | support | F1 A | F1 B | B − A | 95% CI | p (bootstrap) | p (AR) |",
            "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
        ]
        for r in self.rows:
            ci = "" if r.ci_low is None or r.ci_high is None else f"[{r.ci_low:+.4f}, {r.ci_high:+.4f}]"
            diff = "–" if r.diff is None else f"{r.diff:+.4f}"
            support = str(int(r.support)) if float(r.support).is_integer() else str(r.support)
            lines.append(
                f"| {md_text(r.figure)} | {support} | {fmt(r.a)} | {fmt(r.b)} | {diff} | {ci} | "
                f"{fmt(r.p_bootstrap)} | {fmt(r.p_randomization)} |"
            )
        lines.append("")
        return "\n".join(lines)

    def verdict(self) -> str:
        """One sentence: which model is better on micro F1, by how much, with its interval and p-values."""
        micro = next((r for r in self.rows if r.figure == "(micro)"), None)
        if micro is None or micro.diff is None or micro.a is None or micro.b is None:
            return "micro F1 is undefined for one of the models: no verdict"
        if micro.diff == 0:
            return f"A and B have the same micro F1 ({fmt(micro.a)})"
        better, worse = ("B", "A") if micro.diff > 0 else ("A", "B")
        names = {"A": self.model_a, "B": self.model_b}
        ci = "" if micro.ci_low is None or micro.ci_high is None else f"[{micro.ci_low:+.4f}, {micro.ci_high:+.4f}]"
        significant = micro.p_randomization is not None and micro.p_randomization < 0.05
        if not significant:  # a difference the test cannot tell from chance is not "better"
            return (
                f"no significant difference at 0.05 between A ({self.model_a}) and B ({self.model_b}): "
                f"B − A = {micro.diff:+.4f} micro F1 (95% CI {ci}, p AR {fmt(micro.p_randomization)})"
            )
        return (
            f"{better} ({names[better]}) is better than {worse} ({names[worse]}) by {abs(micro.diff):.4f} micro F1 "
            f"(B − A = {micro.diff:+.4f}, 95% CI {ci}); significant at 0.05 (p AR {fmt(micro.p_randomization)})"
        )

    def to_text(self) -> str:
        """The comparison as a plain table for the terminal: A before B, a verdict and a legend of the p-values."""
        head = (
            f"A = {terminal(self.model_a)} ({terminal(self.source_a)})\nB = {terminal(self.model_b)} "
            f"({terminal(self.source_b)})\nview {terminal(self.view)}, {self.mode}/{self.boundary}/{self.layer}, "
            f"{self.n_units} units, "
            f"{self.n_resamples} resamples, seed {self.seed}\n"
        )
        cols = (
            f"{'figure':<12} {'support':>7} {'F1 A':>7} {'F1 B':>7} {'B-A':>8} {'95% CI':>19} {'p boot':>7} {'p AR':>7}"
        )
        lines = [head, cols, "-" * len(cols)]
        for r in self.rows:
            ci = "" if r.ci_low is None or r.ci_high is None else f"[{r.ci_low:+.4f}, {r.ci_high:+.4f}]"
            diff = "–" if r.diff is None else f"{r.diff:+.4f}"
            lines.append(
                f"{terminal(r.figure):<12} {r.support:>7g} {fmt(r.a):>7} {fmt(r.b):>7} {diff:>8} {ci:>19} "
                f"{fmt(r.p_bootstrap):>7} {fmt(r.p_randomization):>7}"
            )
        lines += ["", self.verdict(), "", *LEGEND]
        return "\n".join(lines) + "\n"


#: Upper bounds that keep a tampered or hostile results file from exhausting memory or time.
MAX_RESAMPLES = 1_000_000
MAX_UNITS = 10_000_000
MAX_TYPES = 10_000
#: The most (unit, type) cells of one count array (24 bytes each in memory).
MAX_CELLS = 20_000_000


def _malformed(source: str, what: str, field: str, value: object) -> BenchmarkError:
    return BenchmarkError(
        f"results file is malformed: {what}",
        file=source,
        field=field,
        value=value,
        fix="pass a results.json written by arabench run, unedited (re-run arabench run to get one)",
    )


def _load(source: str | Path) -> Results:
    """:func:`load_results`, with every malformation (missing keys, wrong types, deep nesting) a clear error."""
    try:
        results = load_results(source)
    except BenchmarkError:
        raise
    except KeyError as exc:
        raise _malformed(str(source), "a required key is missing", str(exc.args[0]), None) from None
    except RecursionError:
        raise _malformed(str(source), "JSON nested too deeply", "(document)", None) from None
    except OSError as exc:
        raise BenchmarkError(
            f"cannot read the results file: {exc.strerror or exc}", file=source, fix="check the path"
        ) from None
    except (TypeError, AttributeError, ValueError) as exc:
        raise _malformed(str(source), f"{type(exc).__name__}: {exc}", "(document)", None) from None
    _check_corpus(results, str(source))
    return results


def _check_corpus(results: Results, source: str) -> None:
    corpus = results.corpus
    if not isinstance(corpus, dict):
        raise _malformed(source, "it records no corpus", "corpus", type(corpus).__name__)
    for key, kind in (("sha256", str), ("unit", str), ("n_units", int), ("documents", list)):
        if not isinstance(corpus.get(key), kind) or isinstance(corpus.get(key), bool):
            raise _malformed(source, f"corpus.{key} must be a {kind.__name__}", f"corpus.{key}", corpus.get(key))
    units = 0
    for i, document in enumerate(corpus["documents"]):
        found = document.get("units") if isinstance(document, dict) else None
        if not isinstance(found, list):
            raise _malformed(source, "a document has no unit list", f"corpus.documents[{i}].units", found)
        units += len(found)
    if not 0 <= corpus["n_units"] <= MAX_UNITS or units != corpus["n_units"]:
        raise _malformed(
            source,
            f"corpus.n_units ({corpus['n_units']}) is not the number of units of its documents ({units})",
            "corpus.n_units",
            corpus["n_units"],
        )
    if not isinstance(results.models, list) or not all(isinstance(m.scores, dict) for m in results.models):
        raise _malformed(source, "models must be a list of model results", "models", None)


def _counts(setting: dict[str, Any], n_units: int, source: str, model: str) -> tuple[tuple[str, ...], np.ndarray]:
    """The per-unit counts of a setting, checked: shape, indices, and sums equal to the stored micro counts."""
    field = f"models[{model}].unit_counts"
    data = setting.get("unit_counts") if isinstance(setting, dict) else None
    if not isinstance(data, dict):
        raise _malformed(source, "the setting has no per-unit counts", field, None)
    types, rows, count = data.get("types"), data.get("rows"), data.get("n_units")
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types) or len(types) > MAX_TYPES:
        raise _malformed(source, "unit_counts.types must be a list of type names", f"{field}.types", types)
    if type(count) is not int or count != n_units:
        wanted = f"unit_counts.n_units must equal corpus.n_units ({n_units})"
        raise _malformed(source, wanted, f"{field}.n_units", count)
    if len(set(types)) != len(types):
        raise _malformed(source, "unit_counts.types names a type twice", f"{field}.types", types)
    if n_units * max(1, len(types)) > MAX_CELLS:
        raise _malformed(
            source,
            f"{n_units} units x {len(types)} types is more than the {MAX_CELLS} cells read",
            f"{field}.types",
            None,
        )
    per_type = setting.get("per_type")
    if not isinstance(per_type, dict) or sorted(per_type) != sorted(types):
        shown = sorted(per_type) if isinstance(per_type, dict) else type(per_type).__name__
        raise _malformed(
            source,
            f"unit_counts.types {types} are not the types of per_type {shown} (renamed?)",
            f"{field}.types",
            None,
        )
    if rows is None:
        array = _decoded(data, source, field)
    elif not isinstance(rows, list):
        raise _malformed(source, "unit_counts.rows must be a list", f"{field}.rows", type(rows).__name__)
    else:
        array = _legacy_rows(rows, n_units, len(types), source, field)
    micro = setting.get("micro")
    stored = [micro.get(k) for k in ("tp", "fp", "fn")] if isinstance(micro, dict) else None
    totals = array.sum(axis=(0, 1)).tolist()
    if (
        stored is None
        or not all(isinstance(x, (int, float)) for x in stored)
        or not np.allclose(totals, stored, rtol=0, atol=1e-6)
    ):
        raise _malformed(
            source,
            f"the per-unit counts sum to tp/fp/fn {totals}, the stored micro counts are {stored} (edited?)",
            f"models[{model}].micro",
            stored,
        )
    sums = array.sum(axis=0)
    for k, name in enumerate(types):
        row = per_type[name]
        stored_row = [row.get(m) for m in ("tp", "fp", "fn")] if isinstance(row, dict) else None
        if (
            stored_row is None
            or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in stored_row)
            or not np.allclose(sums[k], np.array(stored_row, dtype=np.float64), rtol=0, atol=1e-6)
        ):
            raise _malformed(
                source,
                f"the per-unit counts of type {name!r} sum to tp/fp/fn {sums[k].tolist()}, its per_type counts are "
                f"{stored_row} (types renamed, reordered or replaced?)",
                f"models[{model}].per_type.{name}",
                stored_row,
            )
    return tuple(types), array


#: The longest encoded ``unit_counts.data`` read (base64 characters): a corpus of millions of units fits.
MAX_ENCODED = 64 * 1024 * 1024


def _decoded(data: dict[str, Any], source: str, field: str) -> np.ndarray:
    """The compact (zlib/base64) per-unit counts, decoded by :func:`unit_counts_array` and checked."""
    encoded = data.get("data")
    if not isinstance(encoded, str) or len(encoded) > MAX_ENCODED:
        shown = type(encoded).__name__ if not isinstance(encoded, str) else f"{len(encoded)} characters"
        raise _malformed(source, "unit_counts.data must be the encoded counts", f"{field}.data", shown)
    try:
        _, array = unit_counts_array(data)
    except (ValueError, TypeError, KeyError, IndexError, zlib.error, binascii.Error) as exc:
        raise _malformed(source, f"the per-unit counts cannot be decoded ({exc})", f"{field}.data", None) from None
    if not np.isfinite(array).all() or (array < 0).any():
        raise _malformed(source, "the per-unit counts hold negative or non-finite values", f"{field}.data", None)
    return array


def _legacy_rows(rows: list[Any], n_units: int, n_types: int, source: str, field: str) -> np.ndarray:
    """The ``rows`` lists of earlier results (``[unit, type index, tp, fp, fn]``), checked."""
    array = np.zeros((n_units, n_types, 3), dtype=np.float64)
    for k, row in enumerate(rows):
        ok = (
            isinstance(row, list)
            and len(row) == 5
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in row)
            and type(row[0]) is int
            and type(row[1]) is int
            and 0 <= row[0] < n_units
            and 0 <= row[1] < n_types
            and all(np.isfinite(x) and x >= 0 for x in row[2:])
        )
        if not ok:
            raise _malformed(
                source, "a unit_counts row is not [unit, type index, tp, fp, fn] in range", f"{field}.rows[{k}]", row
            )
        array[row[0], row[1]] += row[2:]
    return array


#: What the columns of the terminal table mean.
LEGEND = (
    "B-A     F1 of B minus F1 of A (negative: A is better); 95% CI: paired-bootstrap percentile interval of B-A",
    "p boot  paired bootstrap, one-sided: H0 'B is not better than A' (small p: B better; near 1: B not better,",
    "        which includes A better)",
    "p AR    approximate randomization, two-sided: H0 'no difference between A and B' (small p: they differ)",
)


def _pick(results: Results, name: str | None, source: str, side: str) -> ModelResult:
    if name is not None:
        model = results.model(name)
        if model.status != "scored":
            raise ScoringError(
                f"model {name!r} was not scored in {source} ({model.status}: {model.reason})",
                field=f"model_{side}",
                value=name,
                fix="compare scored models",
            )
        return model
    scored = [m for m in results.models if m.status == "scored"]
    if len(scored) != 1:
        raise ScoringError(
            f"{source} holds {len(scored)} scored models; say which to compare",
            field=f"model_{side}",
            value=None,
            fix=f"pass --model-{side} with one of: {', '.join(m.name for m in scored) or '(none)'}",
        )
    return scored[0]


def _check_same_corpus(a: Results, b: Results, source_a: str, source_b: str) -> None:
    sha_a, sha_b = a.corpus["sha256"], b.corpus["sha256"]
    if sha_a != sha_b:
        raise ScoringError(
            f"the two results are on different corpora: {source_a} has sha256 {sha_a[:16]}…, "
            f"{source_b} has {sha_b[:16]}…",
            field="corpus.sha256",
            value=(sha_a, sha_b),
            fix="compare results of runs on the same gold corpus",
        )
    units_a = (a.corpus["unit"], [d["units"] for d in a.corpus["documents"]])
    units_b = (b.corpus["unit"], [d["units"] for d in b.corpus["documents"]])
    if units_a != units_b:
        raise ScoringError(
            "the two results use different scoring units on the same corpus",
            field="corpus.documents.units",
            value=(a.corpus["n_units"], b.corpus["n_units"]),
            fix="re-run both with the same arabench version so the sentence units agree",
        )


def _choose_view(a: Results, ma: ModelResult, mb: ModelResult, view: str | None) -> str:
    shared = [v for v in ma.scores if v in mb.scores]
    if view is not None:
        if view not in shared:
            raise ScoringError(
                "both models must be scored in the requested view",
                field="view",
                value=view,
                fix=f"use one of: {', '.join(shared) or '(no shared view)'}",
            )
        return view
    for candidate in (a.leaderboard_view, "conll4", *shared):
        if candidate in shared:
            return candidate
    raise ScoringError(
        f"models {ma.name!r} and {mb.name!r} share no view",
        field="view",
        value=(list(ma.scores), list(mb.scores)),
        fix="compare models whose label views coarsen into a common view",
    )


def _aligned(
    setting_a: dict[str, Any], setting_b: dict[str, Any], n_units: int, sources: tuple[str, str], names: tuple[str, str]
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    types_a, array_a = _counts(setting_a, n_units, sources[0], names[0])
    types_b, array_b = _counts(setting_b, n_units, sources[1], names[1])
    if array_a.shape[0] != array_b.shape[0]:
        raise ScoringError(
            "the two count arrays have different numbers of units",
            field="unit_counts.n_units",
            value=(array_a.shape[0], array_b.shape[0]),
            fix="compare results of runs on the same corpus and units",
        )
    types = tuple(sorted(set(types_a) | set(types_b)))
    out = []
    for src_types, src in ((types_a, array_a), (types_b, array_b)):
        full = np.zeros((src.shape[0], len(types), 3))
        for k, t in enumerate(src_types):
            full[:, types.index(t)] = src[:, k]
        out.append(full)
    return types, out[0], out[1]


def compare(
    a: str | Path | Results,
    b: str | Path | Results | None = None,
    *,
    model_a: str | None = None,
    model_b: str | None = None,
    view: str | None = None,
    mode: str = HEADLINE.mode,
    boundary: str = HEADLINE.boundary,
    layer: str = HEADLINE.layer,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> Comparison:
    """Compare model B against model A on per-type F1 with paired tests.

    Args:
        a: Results of A (a results directory, ``results.json`` or :class:`Results`).
        b: Results of B; ``None`` compares two models of ``a``.
        model_a: A's model name (needed when its results hold several scored models).
        model_b: B's model name.
        view: The view to compare in (default: see the module docstring).
        mode: Match mode (default the headline ``strict``).
        boundary: ``char`` or ``word`` (default ``word``).
        layer: ``flat`` or ``nested`` (default ``flat``).
        n_resamples: Resamples of the paired bootstrap and trials of the randomization test.
        seed: Seed of both.

    Raises:
        ScoringError: If the results are on different corpora or units, a model
            is missing or not scored, or the models share no view.
        BenchmarkError: If a results file cannot be read.
    """
    from arabench.eval.stats import approximate_randomization, paired_bootstrap

    if type(n_resamples) is not int or not 1 <= n_resamples <= MAX_RESAMPLES:
        raise ScoringError(
            "the number of resamples must be a whole number from 1 to 1000000",
            field="n_resamples (--resamples)",
            value=n_resamples,
            fix=f"use a positive count, e.g. the default {DEFAULT_RESAMPLES}",
        )
    source_a = str(a) if not isinstance(a, Results) else "results A"
    res_a = a if isinstance(a, Results) else _load(a)
    if b is None:
        res_b, source_b = res_a, source_a
    else:
        source_b = str(b) if not isinstance(b, Results) else "results B"
        res_b = b if isinstance(b, Results) else _load(b)
    _check_same_corpus(res_a, res_b, source_a, source_b)
    ma = _pick(res_a, model_a, source_a, "a")
    mb = _pick(res_b, model_b, source_b, "b")
    chosen = _choose_view(res_a, ma, mb, view)
    setting_a = ma.setting(chosen, mode, boundary, layer)
    setting_b = mb.setting(chosen, mode, boundary, layer)
    types, array_a, array_b = _aligned(
        setting_a, setting_b, int(res_a.corpus["n_units"]), (source_a, source_b), (ma.name, mb.name)
    )
    if mode == "partial":  # half credits: doubling leaves every ratio unchanged (see benchmark.scoring)
        array_a, array_b = array_a * 2, array_b * 2
    support = array_a.sum(axis=0)[:, 0] + array_a.sum(axis=0)[:, 2]
    figures: list[tuple[str, str, str | None, float]] = [
        (t, "f1", t, float(support[k]) / (2 if mode == "partial" else 1)) for k, t in enumerate(types) if support[k] > 0
    ]
    total = float(support.sum()) / (2 if mode == "partial" else 1)
    figures += [("(micro)", "micro_f1", None, total), ("(macro)", "macro_f1", None, total)]
    rows = []
    for label, metric, type_name, sup in figures:
        try:
            boot = paired_bootstrap(
                array_a, array_b, metric=metric, type=type_name, n_resamples=n_resamples, seed=seed, types=types
            )
            ar = approximate_randomization(
                array_a, array_b, metric=metric, type=type_name, n_trials=n_resamples, seed=seed, types=types
            )
        except ScoringError:
            rows.append(ComparisonRow(label, sup, None, None, None, None, None, None, None))
            continue
        rows.append(
            ComparisonRow(label, sup, boot.a, boot.b, boot.diff, boot.ci_low, boot.ci_high, boot.p_value, ar.p_value)
        )
    return Comparison(
        model_a=ma.name,
        model_b=mb.name,
        source_a=source_a,
        source_b=source_b,
        view=chosen,
        mode=mode,
        boundary=boundary,
        layer=layer,
        corpus_sha256=str(res_a.corpus["sha256"]),
        n_units=int(array_a.shape[0]),
        n_resamples=n_resamples,
        seed=seed,
        rows=tuple(rows),
    )


#: The checked results reader and per-unit counts of two models, for every command that reads results files
#: (``compare``, ``leaderboard``): one reader, one set of checks.
read_results = _load
aligned_counts = _aligned
