"""One leaderboard over many results: models × corpora, with intervals and honest ranks.

:func:`leaderboard` reads any number of results directories (``results.json``, read and checked by the
reader of :mod:`arabench.benchmark.compare`, so a tampered or inconsistent file is the same clear error
there and here), of any corpora and views, and merges them into one table. Nothing is re-scored: every
figure comes from the results files alone, and the same files give byte-identical output in every format.

* **Corpora.** Results of the same corpus (same sha256) are merged: their models share one column,
  provided the scoring units agree (else an error). A model name found twice on one corpus must carry the
  same headline counts (a repeated run), else it is an error naming both files.
* **Cells.** In each corpus, the headline setting (strict, word boundaries, flat layer; ``mode``,
  ``boundary``, ``layer`` change it) in the corpus's view: ``view=`` if given, else the first of
  :data:`arabench.benchmark.runner.VIEW_ORDER` in which every scored model of that corpus was scored,
  else the view in which most were. A cell holds micro F1, precision, recall, the bootstrap interval of
  F1 recorded by the run (``None`` after ``--bootstrap 0``) and the per-type figures.
* **Ranks.** Within a corpus, every pair of models is compared on micro F1 over the corpus's shared
  scoring units with a paired test of :mod:`arabench.eval.stats`: approximate randomization
  (``test="randomization"``, two-sided, the default) or the paired bootstrap (``test="bootstrap"``:
  twice the one-sided p-value of "the higher is not better", capped at 1). The p-values of one corpus
  (one family: its ``k (k - 1) / 2`` pairs) are adjusted by Holm's step-down method
  (:func:`arabench.eval.stats.holm`); a difference is significant when its adjusted p-value is below
  ``alpha``. A model's **rank range** is ``1 + (models significantly better)`` to
  ``n - (models significantly worse)``: two models tied, or not told apart, share ranks. Its
  **group letters** (a compact letter display over the models sorted by F1) give every maximal run of
  models no two of which differ significantly a letter: models that share a letter are not
  significantly different.
* **Averages.** For each view shared by two or more corpora, the unweighted mean of a model's micro F1
  over those corpora (only for a model scored in all of them): a macro average over corpora where the
  views agree. Corpora in different views are never averaged together.

Outputs of :class:`Leaderboard`: :meth:`~Leaderboard.to_text` (terminal), :meth:`~Leaderboard.to_markdown`
(paper-ready, with the test and correction in the caption), :meth:`~Leaderboard.to_csv` (one row per
model, corpus and figure), :meth:`~Leaderboard.to_latex` (booktabs), :meth:`~Leaderboard.to_json` and
:meth:`~Leaderboard.to_html` (one self-contained page: sortable columns, per-type drill-down, intervals
drawn; no external asset).
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from arabench.annotations.errors import BenchmarkError, ScoringError
from arabench.benchmark.escape import csv_cell, json_for_html, md_code, md_text, terminal
from arabench.benchmark.results import SCORED_STATUSES, Results
from arabench.eval.modes import HEADLINE

__all__ = [
    "TESTS",
    "DEFAULT_ALPHA",
    "DEFAULT_RESAMPLES",
    "Cell",
    "CorpusColumn",
    "Average",
    "Leaderboard",
    "leaderboard",
]

#: The paired tests a leaderboard can rank with.
TESTS = ("randomization", "bootstrap")
DEFAULT_ALPHA = 0.05
DEFAULT_RESAMPLES = 10_000
#: Most results directories one leaderboard reads (each is checked and held in memory).
MAX_RESULTS = 200
_TEST_NAMES = {
    "randomization": "approximate randomization (two-sided)",
    "bootstrap": "paired bootstrap (two-sided: twice the one-sided p-value)",
}


@dataclass(frozen=True)
class Cell:
    """One model on one corpus.

    Attributes:
        model: The model name.
        corpus: The corpus column's name.
        status: ``scored``/``partial`` (ranked), a run status (``failed``, ``skipped``), or
            ``not in view`` (scored, but not in the corpus's view).
        view: The view of the figures (``None`` when not ranked).
        f1: Micro F1 (``None`` when undefined or not ranked); likewise ``precision``, ``recall``.
        ci: The bootstrap interval of F1 recorded by the run, or ``None``.
        per_type: Type -> ``{"f1", "precision", "recall", "support", "ci"}``.
        rank: ``(best, worst)`` rank range, or ``None``.
        group: The group letters (``""`` when not ranked).
        reason: Why a model is not ranked.
    """

    model: str
    corpus: str
    status: str
    view: str | None = None
    f1: float | None = None
    precision: float | None = None
    recall: float | None = None
    ci: tuple[float, float] | None = None
    per_type: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    rank: tuple[int, int] | None = None
    group: str = ""
    reason: str | None = None

    @property
    def ranked(self) -> bool:
        """True when the model is in the corpus's ranking."""
        return self.rank is not None


@dataclass(frozen=True)
class PairTest:
    """One paired test within a corpus: ``better`` against ``worse`` (by F1; ties by name)."""

    better: str
    worse: str
    diff: float
    p: float | None
    p_holm: float | None
    significant: bool


@dataclass(frozen=True)
class CorpusColumn:
    """One corpus: its results, view and the tests between its models."""

    name: str
    sha256: str
    path: str
    view: str
    unit: str
    n_units: int
    sources: tuple[str, ...]
    tests: tuple[PairTest, ...]


@dataclass(frozen=True)
class Average:
    """The mean micro F1 of each model over the corpora of one view."""

    view: str
    corpora: tuple[str, ...]
    f1: Mapping[str, float | None]

    @property
    def name(self) -> str:
        """The column name, ``mean (VIEW)``."""
        return f"mean ({self.view})"


@dataclass(frozen=True)
class Leaderboard:
    """The merged table (see the module docstring); every output is a function of it alone."""

    models: tuple[str, ...]
    corpora: tuple[CorpusColumn, ...]
    cells: Mapping[tuple[str, str], Cell]
    averages: tuple[Average, ...]
    test: str
    correction: str
    alpha: float
    n_resamples: int
    seed: int
    mode: str
    boundary: str
    layer: str

    def cell(self, model: str, corpus: str) -> Cell | None:
        """The cell of a model on a corpus (``None`` when the model was not run on it)."""
        return self.cells.get((model, corpus))

    # ------------------------------------------------------------------ words
    def method(self) -> str:
        """One sentence: the setting, the test, the correction and what ranks and letters mean."""
        return (
            f"Micro F1 ({self.mode} match, {self.boundary} boundaries, {self.layer} layer) with its bootstrap "
            f"95% interval from the run. Ranks: {_TEST_NAMES[self.test]} on micro F1 over each corpus's shared "
            f"scoring units ({self.n_resamples} resamples, seed {self.seed}), p-values of all pairs of a corpus "
            f"corrected by {self.correction} (family-wise alpha {self.alpha:g}); a rank range spans the ranks a "
            "model can hold given the significant differences, and models sharing a letter do not differ "
            "significantly."
        )

    def _columns(self) -> list[str]:
        return [c.name for c in self.corpora] + [a.name for a in self.averages]

    def _types(self, corpus: str) -> list[str]:
        found: set[str] = set()
        for model in self.models:
            cell = self.cell(model, corpus)
            if cell is not None and cell.ranked:
                found.update(t for t, row in cell.per_type.items() if row.get("support"))
        return sorted(found)

    # ------------------------------------------------------------------ outputs
    def to_json(self) -> str:
        """The whole table as JSON (sorted keys, no timestamp: the same input gives the same bytes)."""
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    def as_dict(self) -> dict[str, Any]:
        """The table as JSON data."""
        return {
            "schema_version": 1,
            "setting": {"mode": self.mode, "boundary": self.boundary, "layer": self.layer, "figure": "micro F1"},
            "test": {
                "name": self.test,
                "description": _TEST_NAMES[self.test],
                "n_resamples": self.n_resamples,
                "seed": self.seed,
                "correction": self.correction,
                "alpha": self.alpha,
                "family": "the pairs of models of one corpus",
            },
            "models": list(self.models),
            "corpora": [
                {
                    "name": c.name,
                    "sha256": c.sha256,
                    "path": c.path,
                    "view": c.view,
                    "unit": c.unit,
                    "n_units": c.n_units,
                    "sources": list(c.sources),
                    "tests": [
                        {
                            "better": t.better,
                            "worse": t.worse,
                            "diff": t.diff,
                            "p": t.p,
                            "p_holm": t.p_holm,
                            "significant": t.significant,
                        }
                        for t in c.tests
                    ],
                }
                for c in self.corpora
            ],
            "cells": [
                {
                    "model": cell.model,
                    "corpus": cell.corpus,
                    "status": cell.status,
                    "view": cell.view,
                    "f1": cell.f1,
                    "precision": cell.precision,
                    "recall": cell.recall,
                    "ci": None if cell.ci is None else list(cell.ci),
                    "rank": None if cell.rank is None else list(cell.rank),
                    "group": cell.group,
                    "reason": cell.reason,
                    "per_type": {t: dict(row) for t, row in sorted(cell.per_type.items())},
                }
                for model in self.models
                for c in self.corpora
                if (cell := self.cell(model, c.name)) is not None
            ],
            "averages": [
                {"view": a.view, "corpora": list(a.corpora), "f1": {m: a.f1.get(m) for m in self.models}}
                for a in self.averages
            ],
        }

    def _cell_text(self, cell: Cell | None, *, markup: str) -> str:
        if cell is None:
            return "–"
        if not cell.ranked:
            return "n/a" if cell.status == "not in view" else cell.status
        ci = "" if cell.ci is None else f" [{_f(cell.ci[0])}, {_f(cell.ci[1])}]"
        rank = _rank_text(cell.rank)
        if markup == "latex":
            ci = "" if cell.ci is None else f" {{\\scriptsize [{_f(cell.ci[0])}, {_f(cell.ci[1])}]}}"
            return f"{_f(cell.f1)}{ci} ({rank}) \\textsuperscript{{{cell.group}}}"
        return f"{_f(cell.f1)}{ci} #{rank} {cell.group}"

    def _rows(self, *, markup: str, per_type: bool) -> tuple[list[str], list[list[str]]]:
        header = ["model"]
        for c in self.corpora:
            header.append(f"{c.name} ({c.view})")
            if per_type:
                header += [f"{c.name}: {t}" for t in self._types(c.name)]
        header += [a.name for a in self.averages]
        rows = []
        for model in self.models:
            row = [model]
            for c in self.corpora:
                cell = self.cell(model, c.name)
                row.append(self._cell_text(cell, markup=markup))
                if per_type:
                    for t in self._types(c.name):
                        found = None if cell is None or not cell.ranked else cell.per_type.get(t)
                        row.append("–" if found is None else _f(found.get("f1")))
            row += [_f(a.f1.get(model)) for a in self.averages]
            rows.append(row)
        return header, rows

    def to_text(self, *, per_type: bool = False) -> str:
        """A plain table for the terminal, then the method and the reasons of unranked cells."""
        header, rows = self._rows(markup="text", per_type=per_type)
        header = [terminal(h) for h in header]
        rows = [[terminal(x) for x in row] for row in rows]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(x.ljust(w) for x, w in zip(row, widths, strict=True)).rstrip() for row in rows]
        lines += ["", *_wrap(self.method())]
        lines += [f"  {terminal(n)}" for n in self._notes()]
        return "\n".join(lines) + "\n"

    def _notes(self) -> list[str]:
        notes = []
        for c in self.corpora:
            for model in self.models:
                cell = self.cell(model, c.name)
                if cell is not None and not cell.ranked:
                    notes.append(f"{model} on {c.name}: {cell.status}: {cell.reason}")
        return notes

    def to_markdown(self, *, per_type: bool = False) -> str:
        """A Markdown table with its caption (the method), ready for a paper's appendix or a README."""
        header, rows = self._rows(markup="markdown", per_type=per_type)
        lines = [
            "| " + " | ".join(md_text(h) for h in header) + " |",
            "| --- |" + " ---: |" * (len(header) - 1),
        ]
        for row in rows:
            lines.append("| " + " | ".join([md_code(row[0]), *(md_text(x) for x in row[1:])]) + " |")
        lines += ["", md_text(self.method())]
        notes = self._notes()
        if notes:
            lines += [""] + [f"- {md_text(n)}" for n in notes]
        return "\n".join(lines) + "\n"

    def to_csv(self, *, per_type: bool = True) -> str:
        """One row per model, corpus (or average) and figure: ``micro`` and, with ``per_type``, each type."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            ["model", "corpus", "view", "figure", "status", "f1", "ci_low", "ci_high", "precision", "recall",
             "support", "rank_best", "rank_worst", "group", "test", "correction"]
        )  # fmt: skip
        for model in self.models:
            for c in self.corpora:
                cell = self.cell(model, c.name)
                if cell is None:
                    continue
                rank = cell.rank or (None, None)
                ci = cell.ci or (None, None)
                base = [model, c.name, cell.view or c.view]
                writer.writerow(
                    [csv_cell(x) for x in [*base, "micro", cell.status, cell.f1, ci[0], ci[1], cell.precision,
                                           cell.recall, None, rank[0], rank[1], cell.group, self.test,
                                           self.correction]]
                )  # fmt: skip
                if per_type and cell.ranked:
                    for t, row in sorted(cell.per_type.items()):
                        tci = row.get("ci") or (None, None)
                        writer.writerow(
                            [csv_cell(x) for x in [*base, t, cell.status, row.get("f1"), tci[0], tci[1],
                                                   row.get("precision"), row.get("recall"), row.get("support"),
                                                   None, None, None, None, None]]
                        )  # fmt: skip
            for a in self.averages:
                writer.writerow(
                    [csv_cell(x) for x in [model, a.name, a.view, "micro", "mean", a.f1.get(model), None, None,
                                           None, None, None, None, None, None, None, None]]
                )  # fmt: skip
        return out.getvalue()

    def to_latex(self, *, per_type: bool = False) -> str:
        """A booktabs ``table`` with the method as its caption."""
        header, rows = self._rows(markup="latex", per_type=per_type)
        lines = [
            "% arabench leaderboard; needs \\usepackage{booktabs}",
            "\\begin{table}[t]",
            "\\centering",
            "\\small",
            "\\begin{tabular}{l" + "r" * (len(header) - 1) + "}",
            "\\toprule",
            " & ".join(_latex(h) for h in header) + " \\\\",
            "\\midrule",
        ]
        for row in rows:
            cells = [_latex(row[0])] + [_latex_cell(x) for x in row[1:]]
            lines.append(" & ".join(cells) + " \\\\")
        lines += [
            "\\bottomrule",
            "\\end{tabular}",
            "\\caption{" + _latex(self.method()) + "}",
            "\\end{table}",
        ]
        return "\n".join(lines) + "\n"

    def to_html(self) -> str:
        """One self-contained page: sortable table, intervals drawn, per-type drill-down; no external asset."""
        data = json_for_html(self.as_dict())
        head = "".join(
            f'<th data-col="{k}" scope="col">{html.escape(name)}</th>'
            for k, name in enumerate(
                ["model", *(f"{c.name} ({c.view})" for c in self.corpora), *(a.name for a in self.averages)]
            )
        )
        body = []
        for model in self.models:
            tds = [f'<th scope="row" data-v="{html.escape(model)}">{html.escape(model)}</th>']
            for c in self.corpora:
                tds.append(self._html_cell(self.cell(model, c.name)))
            for a in self.averages:
                value = a.f1.get(model)
                tds.append(f'<td data-v="{_sortable(value)}">{_f(value)}</td>')
            body.append("<tr>" + "".join(tds) + "</tr>")
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self._notes())
        return _PAGE.format(
            head=head,
            body="\n".join(body),
            method=html.escape(self.method()),
            notes=f"<ul>{notes}</ul>" if notes else "",
            data=data,
        )

    def _html_cell(self, cell: Cell | None) -> str:
        if cell is None:
            return '<td data-v="-1">–</td>'
        if not cell.ranked:
            return f'<td data-v="-1" title="{html.escape(cell.reason or "")}">{html.escape(cell.status)}</td>'
        rank = _rank_text(cell.rank)
        bar = _bar(cell.f1, cell.ci)
        types = "".join(
            f"<tr><td>{html.escape(t)}</td><td>{_f(row.get('f1'))}</td><td>{_bar(row.get('f1'), row.get('ci'))}</td>"
            f"<td>{row.get('support', '')}</td></tr>"
            for t, row in sorted(cell.per_type.items())
            if row.get("support")
        )
        ci = "" if cell.ci is None else f" [{_f(cell.ci[0])}, {_f(cell.ci[1])}]"
        return (
            f'<td data-v="{_sortable(cell.f1)}"><b>{_f(cell.f1)}</b>{ci} <span class="rk">#{rank} '
            f"{html.escape(cell.group)}</span>{bar}"
            f"<details><summary>per type</summary><table class=types><tr><th>type</th><th>F1</th><th></th>"
            f"<th>support</th></tr>{types}</table></details></td>"
        )


# ----------------------------------------------------------------------------- formatting helpers


def _rank_text(rank: tuple[int, int] | None) -> str:
    if rank is None:
        return "–"
    return f"{rank[0]}" if rank[0] == rank[1] else f"{rank[0]}–{rank[1]}"


def _f(value: float | None) -> str:
    return "–" if value is None else f"{value:.4f}"


def _sortable(value: float | None) -> str:
    return "-1" if value is None else repr(float(value))


def _wrap(text: str, width: int = 110) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width=width)


_LATEX_SPECIAL = {
    "\\": "\\textbackslash{}",
    "&": "\\&",
    "%": "\\%",
    "$": "\\$",
    "#": "\\#",
    "_": "\\_",
    "{": "\\{",
    "}": "\\}",
    "~": "\\textasciitilde{}",
    "^": "\\textasciicircum{}",
}


def _latex(value: object) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in terminal(str(value).replace("\n", " ")))


def _latex_cell(value: str) -> str:
    """A cell already made of figures and LaTeX by :meth:`Leaderboard._cell_text` (or a plain status to escape)."""
    return value if "\\" in value else _latex(value)


def _bar(f1: float | None, ci: Sequence[float] | None) -> str:
    """An inline SVG: the interval as a line, the point as a dot, on a 0..1 scale."""
    if f1 is None:
        return ""
    width = 120

    def x(v: float) -> float:
        return round(2 + max(0.0, min(1.0, v)) * (width - 4), 1)

    line = "" if not ci else f'<line x1="{x(ci[0])}" x2="{x(ci[1])}" y1="6" y2="6" stroke="#555" stroke-width="2"/>'
    return (
        f'<svg class="ci" width="{width}" height="12" role="img" aria-label="F1 {_f(f1)}">'
        f'<line x1="2" x2="{width - 2}" y1="6" y2="6" stroke="#ddd"/>{line}'
        f'<circle cx="{x(f1)}" cy="6" r="3" fill="#1f5fa8"/></svg>'
    )


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; \
script-src 'unsafe-inline'">
<title>arabench leaderboard</title>
<style>
body{{font-family:system-ui,sans-serif;margin:1.5em;color:#222}}
table.lb{{border-collapse:collapse}} .lb th,.lb td{{border-bottom:1px solid #ddd;padding:.35em .6em;\
vertical-align:top;text-align:right}}
.lb th[scope=row]{{text-align:left}} .lb thead th{{cursor:pointer;user-select:none;background:#f4f4f4}}
.lb thead th:after{{content:" \\2195";color:#999}} .rk{{color:#555;font-size:.85em}} svg.ci{{display:block}}
table.types td,table.types th{{border:none;padding:0 .4em;font-size:.85em}} details summary{{font-size:.8em;\
color:#1f5fa8;cursor:pointer}}
p.method{{max-width:60em;font-size:.9em;color:#444}}
</style></head><body>
<h1>arabench leaderboard</h1>
<table class="lb" id="lb"><thead><tr>{head}</tr></thead><tbody>
{body}
</tbody></table>
<p class="method">{method}</p>
{notes}
<script type="application/json" id="leaderboard-data">{data}</script>
<script>
(function(){{
  var table=document.getElementById("lb"),dir={{}};
  table.querySelectorAll("thead th").forEach(function(th){{
    th.addEventListener("click",function(){{
      var k=+th.dataset.col,body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
      dir[k]=-(dir[k]||(k?1:-1));
      rows.sort(function(a,b){{
        var x=a.cells[k].dataset.v,y=b.cells[k].dataset.v;
        if(k===0)return dir[k]*x.localeCompare(y);
        return dir[k]*(parseFloat(y)-parseFloat(x));
      }});
      rows.forEach(function(r){{body.appendChild(r);}});
    }});
  }});
}})();
</script>
</body></html>
"""


# ----------------------------------------------------------------------------- building


@dataclass
class _Source:
    path: str
    results: Results


def _read(paths: Sequence[str | Path]) -> list[_Source]:
    from arabench.benchmark.compare import read_results

    if not paths:
        raise BenchmarkError(
            "no results to put on a leaderboard", field="RESULTS", fix="pass one or more results directories"
        )
    if len(paths) > MAX_RESULTS:
        raise BenchmarkError(
            f"too many results ({len(paths)}; at most {MAX_RESULTS})",
            field="RESULTS",
            value=len(paths),
            fix="merge fewer results at a time",
        )
    seen: dict[Path, str] = {}
    out = []
    for path in paths:
        resolved = Path(path).expanduser().resolve()
        resolved = resolved if resolved.name != "results.json" else resolved.parent
        if resolved in seen:
            raise BenchmarkError(
                "the same results are given twice",
                file=str(path),
                field="RESULTS",
                value=seen[resolved],
                fix="give each results directory once",
            )
        seen[resolved] = str(path)
        out.append(_Source(str(path), read_results(path)))
    return out


def _corpus_name(path: str) -> str:
    name = Path(path.rstrip("/")).name or path
    for suffix in (".conll", ".jsonl", ".json", ".parquet", ".txt", ".tsv"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def _choose_view(models: Sequence[Any], view: str | None) -> str:
    from arabench.benchmark.runner import VIEW_ORDER

    if view is not None:
        return view
    views = sorted(
        {v for m in models for v in m.scores},
        key=lambda v: (v not in VIEW_ORDER, VIEW_ORDER.index(v) if v in VIEW_ORDER else 0, v),
    )
    for candidate in views:
        if all(candidate in m.scores for m in models):
            return candidate
    if not views:
        return "native"
    return max(views, key=lambda v: (sum(v in m.scores for m in models), -views.index(v)))


def _pair_p(
    a: np.ndarray, b: np.ndarray, types: tuple[str, ...], *, test: str, n_resamples: int, seed: int
) -> float | None:
    from arabench.eval.stats import approximate_randomization, paired_bootstrap

    try:
        if test == "randomization":
            return approximate_randomization(
                a, b, metric="micro_f1", n_trials=n_resamples, seed=seed, types=types
            ).p_value
        result = paired_bootstrap(a, b, metric="micro_f1", n_resamples=n_resamples, seed=seed, types=types)
    except ScoringError:  # micro F1 undefined for one of them: no test, never a difference
        return None
    return min(1.0, 2 * result.p_value)


def _letters(order: Sequence[str], significant: set[frozenset[str]]) -> dict[str, str]:
    """Compact letter display over models sorted best first: a letter per maximal run of non-different models."""
    runs: list[tuple[int, int]] = []
    for i in range(len(order)):
        j = i
        while j + 1 < len(order) and all(
            frozenset((order[k], order[j + 1])) not in significant for k in range(i, j + 1)
        ):
            j += 1
        if not any(s <= i and j <= e for s, e in runs):
            runs.append((i, j))
    names = [_letter(n) for n in range(len(runs))]
    return {m: "".join(names[r] for r, (s, e) in enumerate(runs) if s <= k <= e) for k, m in enumerate(order)}


def _letter(n: int) -> str:
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(ord("a") + r) + out
    return out


def _per_type(setting: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for t, row in (setting.get("per_type") or {}).items():
        ci = (row.get("ci") or {}).get("f1")
        out[str(t)] = {
            "f1": row.get("f1"),
            "precision": row.get("precision"),
            "recall": row.get("recall"),
            "support": row.get("support"),
            "ci": None if ci is None else [ci[0], ci[1]],
        }
    return out


def leaderboard(
    results: Sequence[str | Path],
    *,
    view: str | None = None,
    test: str = "randomization",
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    alpha: float = DEFAULT_ALPHA,
    mode: str = HEADLINE.mode,
    boundary: str = HEADLINE.boundary,
    layer: str = HEADLINE.layer,
) -> Leaderboard:
    """Merge results directories into one leaderboard (see the module docstring).

    Args:
        results: Results directories or ``results.json`` files, of any corpora and views.
        view: The view of every corpus (default: chosen per corpus).
        test: ``randomization`` or ``bootstrap`` (:data:`TESTS`).
        n_resamples: Trials of the randomization test, or resamples of the bootstrap (1..1000000).
        seed: Seed of the tests.
        alpha: Family-wise significance level of each corpus's Holm-corrected tests (0 < alpha < 1).
        mode: Match mode of the figures (default: the headline).
        boundary: Boundary convention (default: the headline).
        layer: Layer (default: the headline).

    Raises:
        BenchmarkError: A results file that cannot be read or fails the checks of
            :func:`arabench.benchmark.compare.read_results`; a bad option; results of one corpus with
            different scoring units; a model given twice on one corpus with different counts.
    """
    from arabench.benchmark.compare import MAX_RESAMPLES, aligned_counts
    from arabench.eval.stats import holm

    if test not in TESTS:
        raise BenchmarkError("unknown test", field="test", value=test, fix=f"use one of {', '.join(TESTS)}")
    if type(n_resamples) is not int or not 1 <= n_resamples <= MAX_RESAMPLES:
        raise BenchmarkError(
            f"the number of resamples must be a whole number from 1 to {MAX_RESAMPLES}",
            field="n_resamples (--resamples)",
            value=n_resamples,
            fix=f"e.g. the default {DEFAULT_RESAMPLES}",
        )
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise BenchmarkError("alpha must be a number between 0 and 1", field="alpha", value=alpha, fix="e.g. 0.05")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise BenchmarkError("the seed must be an integer from 0 to 2**63 - 1", field="seed", value=seed, fix="e.g. 0")
    sources = _read(results)
    # Group by corpus (sha256), in the order first given.
    groups: dict[str, list[_Source]] = {}
    for source in sources:
        groups.setdefault(str(source.results.corpus["sha256"]), []).append(source)
    names: dict[str, str] = {}
    for sha, group in groups.items():
        base = _corpus_name(str(group[0].results.corpus.get("path", "corpus")))
        names[sha] = base if base not in names.values() else f"{base}-{sha[:8]}"
    cells: dict[tuple[str, str], Cell] = {}
    columns = []
    all_models: list[str] = []
    for sha, group in groups.items():
        name = names[sha]
        first = group[0]
        units = [d["units"] for d in first.results.corpus["documents"]]
        models: dict[str, tuple[Any, _Source]] = {}
        for source in group:
            if [d["units"] for d in source.results.corpus["documents"]] != units:
                raise BenchmarkError(
                    f"two results of corpus {name!r} use different scoring units",
                    file=source.path,
                    field="corpus.documents.units",
                    value=(first.results.corpus["n_units"], source.results.corpus["n_units"]),
                    fix=f"re-run one of {first.path} and {source.path} with the same --units and arabench version",
                )
            for model in source.results.models:
                if model.name in models:
                    earlier, where = models[model.name]
                    if _headline(earlier, mode, boundary, layer) != _headline(model, mode, boundary, layer):
                        raise BenchmarkError(
                            f"model {model.name!r} is in two results of corpus {name!r} with different scores",
                            file=source.path,
                            field="models",
                            value=model.name,
                            fix=f"leave out {where.path} or {source.path}, or run the other model under another name",
                        )
                    continue
                models[model.name] = (model, source)
                if model.name not in all_models:
                    all_models.append(model.name)
        scored = [m for m, _ in models.values() if m.status in SCORED_STATUSES]
        chosen = _choose_view(scored, view)
        ranked: dict[str, tuple[Any, _Source, dict[str, Any]]] = {}
        for model_name, (model, source) in models.items():
            if model.status not in SCORED_STATUSES:
                cells[(model_name, name)] = Cell(model_name, name, model.status, reason=model.reason)
                continue
            if chosen not in model.scores:
                cells[(model_name, name)] = Cell(
                    model_name,
                    name,
                    "not in view",
                    reason=f"not scored in view {chosen!r} (scored in {', '.join(model.scores)})",
                )
                continue
            ranked[model_name] = (model, source, model.setting(chosen, mode, boundary, layer))
        n_units = int(first.results.corpus["n_units"])
        counts: dict[str, tuple[dict[str, Any], str]] = {m: (s, src.path) for m, (_, src, s) in ranked.items()}
        f1 = {m: s["micro"].get("f1") for m, (_, _, s) in ranked.items()}
        order = sorted(ranked, key=lambda m: (-(f1[m] if f1[m] is not None else -1.0), m))
        pairs = list(combinations(order, 2))
        raw: list[float | None] = []
        diffs: list[float] = []
        for better, worse in pairs:
            types, a, b = aligned_counts(
                counts[worse][0], counts[better][0], n_units, (counts[worse][1], counts[better][1]), (worse, better)
            )
            if mode == "partial":
                a, b = a * 2, b * 2
            raw.append(_pair_p(a, b, types, test=test, n_resamples=n_resamples, seed=seed))
            diffs.append((f1[better] or 0.0) - (f1[worse] or 0.0))
        defined = [p for p in raw if p is not None]
        adjusted_defined = iter(holm(defined))
        adjusted = [None if p is None else next(adjusted_defined) for p in raw]
        tests = []
        significant: set[frozenset[str]] = set()
        for (better, worse), diff, p, q in zip(pairs, diffs, raw, adjusted, strict=True):
            sig = q is not None and q < alpha and diff > 0
            if sig:
                significant.add(frozenset((better, worse)))
            tests.append(PairTest(better, worse, diff, p, q, sig))
        letters = _letters(order, significant)
        for model_name in order:
            model, source, setting = ranked[model_name]
            differs = [other for other in order if frozenset((model_name, other)) in significant]
            above = sum(1 for other in differs if (f1[other] or 0.0) > (f1[model_name] or 0.0))
            below = len(differs) - above
            micro = setting["micro"]
            ci = (micro.get("ci") or {}).get("f1")
            cells[(model_name, name)] = Cell(
                model_name,
                name,
                model.status,
                view=chosen,
                f1=micro.get("f1"),
                precision=micro.get("precision"),
                recall=micro.get("recall"),
                ci=None if ci is None else (ci[0], ci[1]),
                per_type=_per_type(setting),
                rank=(1 + above, len(order) - below),
                group=letters[model_name],
                reason=None if model.status == "scored" else model.reason,
            )
        columns.append(
            CorpusColumn(
                name=name,
                sha256=sha,
                path=str(first.results.corpus.get("path", "")),
                view=chosen,
                unit=str(first.results.corpus["unit"]),
                n_units=n_units,
                sources=tuple(s.path for s in group),
                tests=tuple(tests),
            )
        )
    averages = []
    by_view: dict[str, list[str]] = {}
    for column in columns:
        by_view.setdefault(column.view, []).append(column.name)
    for view_name, corpora in by_view.items():
        if len(corpora) < 2:
            continue
        means: dict[str, float | None] = {}
        for model_name in all_models:
            values = [cells.get((model_name, c)) for c in corpora]
            ok = [c.f1 for c in values if c is not None and c.ranked and c.f1 is not None]
            means[model_name] = math.fsum(ok) / len(ok) if len(ok) == len(corpora) else None
        averages.append(Average(view_name, tuple(corpora), means))

    def key(model_name: str) -> tuple[Any, ...]:
        firsts = [a.f1.get(model_name) for a in averages] + [
            c.f1 for column in columns if (c := cells.get((model_name, column.name))) is not None and c.ranked
        ]
        best = next((v for v in firsts if v is not None), None)
        return (best is None, -(best or 0.0), model_name)

    return Leaderboard(
        models=tuple(sorted(all_models, key=key)),
        corpora=tuple(columns),
        cells=cells,
        averages=tuple(averages),
        test=test,
        correction="Holm",
        alpha=float(alpha),
        n_resamples=n_resamples,
        seed=seed,
        mode=mode,
        boundary=boundary,
        layer=layer,
    )


def _headline(model: Any, mode: str, boundary: str, layer: str) -> object:
    """What two copies of one model must agree on: status and the counts of every view of the setting."""
    try:
        return (
            model.status,
            {
                v: json.dumps(model.setting(v, mode, boundary, layer).get("unit_counts"), sort_keys=True)
                for v in model.scores
            },
        )
    except BenchmarkError:
        return (model.status, None)
