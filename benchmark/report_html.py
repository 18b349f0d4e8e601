"""``report.html``: one self-contained page (inline CSS, JS, data and SVG; nothing fetched).

Sections:

1. the leaderboard (headline F1 with intervals, char-boundary F1, status); under
   a model that predicts relations, its relation F1, and under an LLM adapter
   its parse failures, unalignable strings and failed windows;
2. the article, right to left, with the gold or any model's entities
   highlighted (a switch: gold / each scored model). Nested spans are drawn as
   nested boxes with the type tag at their end; crossing predicted spans are
   split at the crossing and marked as continued. A legend gives each type's
   colour. In a model's view, spans that are not an exact (strict, word)
   match of a gold span of the same view are drawn dashed;
3. per-type F1 of every model side by side (inline SVG bars with bootstrap
   interval whiskers), in the leaderboard view;
4. a confusion matrix per model (gold type × predicted type, with a *missed*
   column and a *spurious* row) of the headline setting (strict, word, flat);
   off-diagonal cells come from pairs of overlapping spans with different types;
5. the error list, filterable by model, kind and layer;
6. models not scored (with reasons), diagnostics, provenance.

The template is ``benchmark/templates/report.html`` with ``report.css`` and
``report.js`` inlined into it; the data is one JSON object in a
``<script type="application/json">`` element, written by
:func:`arabench.benchmark.escape.json_for_html` (any string in the data survives).
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arabench.annotations.files import atomic_write_text
from arabench.annotations.schema import default_schema
from arabench.benchmark.escape import json_for_html
from arabench.benchmark.report_text import status_text
from arabench.benchmark.results import SCORED_STATUSES
from arabench.eval.modes import HEADLINE

if TYPE_CHECKING:
    from arabench.benchmark.results import Results

__all__ = ["render_html", "write_html", "type_colors", "f1_chart_svg", "confusion_matrix"]

TEMPLATES = Path(__file__).with_name("templates")

#: Distinct colours (colour-blind aware first, then more), assigned to types in schema order.
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#393b79",
    "#ad494a",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
    "#3182bd",
    "#e6550d",
    "#31a354",
    "#756bb1",
    "#636363",
)
MODEL_PALETTE = ("#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#2c7a7b", "#975a16", "#4a5568")


def type_colors(extra: list[str] | tuple[str, ...] = ()) -> dict[str, str]:
    """A stable colour for every schema type and view label (view labels get their main type's colour)."""
    schema = default_schema()
    colors = {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(schema.entity_types)}
    for view in schema.views.values():
        for t, label in view.mapping.items():
            if label is not None and label not in colors:
                colors[label] = colors[t]
    colors.setdefault("MISC", "#5f6b7a")
    colors["MISC"] = "#5f6b7a"
    for i, label in enumerate(sorted(set(extra) - set(colors))):
        colors[label] = PALETTE[(i + 7) % len(PALETTE)]
    return colors


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def f1_chart_svg(results: Results) -> str:
    """Per-type headline F1 of every scored model in the leaderboard view, with interval whiskers."""
    view = results.leaderboard_view
    models = [m for m in results.models if m.status in SCORED_STATUSES and view in m.scores]
    types: list[str] = []
    for m in models:
        for t, row in m.setting(view)["per_type"].items():
            if row["support"] > 0 and t not in types:
                types.append(t)
    order = [*list(default_schema().entity_types), "PER", "PERS", "LOC", "ORG", "MISC"]
    types.sort(key=lambda t: (order.index(t) if t in order else len(order), t))
    if not models or not types:
        return '<p class="muted">No per-type scores to chart.</p>'
    # Narrow enough to stay legible when report.css scales it down to a phone's width (max-width: 100%).
    bar, gap, label_w, plot_w = 12, 10, 96, 420
    group = bar * len(models) + gap
    width = label_w + plot_w + 40
    legend, x, row = [], label_w, 0  # the model legend wraps onto as many rows as it needs
    for j, m in enumerate(models):
        step = 24 + 7 * len(m.name)
        if x > label_w and x + step > width:
            x, row = label_w, row + 1
        legend.append((j, m, x, 6 + 16 * row))
        x += step
    top = 28 + 16 * row
    height = top + group * len(types) + 34
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="per-type F1 with 95% intervals" direction="ltr">'
    ]
    for k in range(6):
        x = label_w + plot_w * k / 5
        out.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 30}" class="grid"/>')
        out.append(f'<text x="{x:.1f}" y="{height - 14}" class="axis" text-anchor="middle">{k / 5:.1f}</text>')
    for i, t in enumerate(types):
        y0 = top + i * group
        out.append(
            f'<text x="{label_w - 8}" y="{y0 + bar * len(models) / 2 + 4:.1f}" class="tlabel" '
            f'text-anchor="end">{_esc(t)}</text>'
        )
        for j, m in enumerate(models):
            row = m.setting(view)["per_type"].get(t)
            color = MODEL_PALETTE[j % len(MODEL_PALETTE)]
            y = y0 + j * bar
            if row is None or row["f1"] is None:
                out.append(f'<text x="{label_w + 4}" y="{y + bar - 3}" class="axis">n/a</text>')
                continue
            w = plot_w * row["f1"]
            title = f"{m.name} · {t}: F1 {row['f1']:.4f}"
            ci = (row.get("ci") or {}).get("f1")
            if ci:
                title += f" [{ci[0]:.4f}, {ci[1]:.4f}]"
            out.append(
                f'<rect x="{label_w}" y="{y + 1}" width="{w:.2f}" height="{bar - 2}" fill="{color}" class="bar">'
                f"<title>{_esc(title)}</title></rect>"
            )
            if ci:
                x1, x2, yc = label_w + plot_w * ci[0], label_w + plot_w * ci[1], y + bar / 2
                out.append(
                    f'<path d="M{x1:.2f},{yc:.1f}H{x2:.2f}M{x1:.2f},{yc - 3:.1f}V{yc + 3:.1f}'
                    f'M{x2:.2f},{yc - 3:.1f}V{yc + 3:.1f}" class="whisker"/>'
                )
    for j, m, x, y in legend:
        color = MODEL_PALETTE[j % len(MODEL_PALETTE)]
        out.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{x + 14}" y="{y + 9}" class="axis">{_esc(m.name)}</text>')
    out.append("</svg>")
    return "".join(out)


def confusion_matrix(
    results: Results, model: str, view: str, *, error_cells: Mapping[tuple[str, str], int] | None = None
) -> dict[str, Any]:
    """Gold type × predicted type counts of the headline setting (flat layer), with missed and spurious.

    Diagonal: strict word-boundary true positives, plus same-type boundary
    errors (pairs with overlapping ranges). Off-diagonal: pairs of overlapping
    spans with different types (``wrong_type`` and ``wrong_type_and_boundary``).
    ``error_cells``: the model's error records in ``view`` already tallied by
    :func:`_error_cells` (the report reads the records once for every model and view).
    """
    m = results.model(model)
    setting = m.setting(view)
    gold_types = [t for t, r in setting["per_type"].items() if r["support"] > 0]
    pred_types = [t for t, r in setting["per_type"].items() if r["tp"] + r["fp"] > 0]
    cells: Counter = Counter()
    for t, r in setting["per_type"].items():
        if r["tp"]:
            cells[(t, t)] += r["tp"]
    if error_cells is None:
        error_cells = Counter()
        for e in results.errors.get(model, {}).get(view, []):
            _error_cells(e, error_cells)
    cells.update(error_cells)
    rows = sorted(set(gold_types) | {g for g, _ in cells if g != "spurious"})
    cols = sorted(set(pred_types) | {p for _, p in cells if p != "missed"})
    return {
        "rows": [*rows, "spurious"],
        "cols": [*cols, "missed"],
        "cells": [[cells.get((r, c), 0) for c in [*cols, "missed"]] for r in [*rows, "spurious"]],
    }


def _error_cells(record: Mapping[str, Any], cells: Counter) -> None:
    """Add one error record to confusion-matrix cells: (gold type, predicted type, ``missed`` or ``spurious``)."""
    if record["layer"] != HEADLINE.layer:
        return
    g, p = record["gold"], record["pred"]
    if g is not None and p is not None:
        cells[(g["type"], p["type"])] += 1
    elif g is not None:
        cells[(g["type"], "missed")] += 1
    elif p is not None:
        cells[("spurious", p["type"])] += 1


def _matrix_html(matrix: dict[str, Any]) -> str:
    peak = max([max(r) for r in matrix["cells"]] + [1])
    out = ['<table class="cm"><thead><tr><th class="corner">gold ↓ / predicted →</th>']
    out += [f"<th>{_esc(c)}</th>" for c in matrix["cols"]]
    out.append("</tr></thead><tbody>")
    for r, row in zip(matrix["rows"], matrix["cells"], strict=True):
        out.append(f"<tr><th>{_esc(r)}</th>")
        for c, value in zip(matrix["cols"], row, strict=True):
            kind = "diag" if r == c else ("err" if value else "")
            alpha = 0.12 + 0.6 * value / peak if value else 0
            style = f' style="--a:{alpha:.3f}"' if value else ""
            shown = "" if not value else (str(int(value)) if float(value).is_integer() else str(value))
            out.append(f'<td class="{kind}"{style}>{shown}</td>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


#: Characters of document text the page embeds at most, over all documents (the article view).
ARTICLE_CHARS = 200_000
#: Error records the page embeds at most per model and kind (every record is in ``errors.jsonl.gz``).
ERRORS_PER_KIND = 100


def _shown(results: Results) -> list[int]:
    """Characters of each document the page shows: documents in order until :data:`ARTICLE_CHARS` are used."""
    left = ARTICLE_CHARS
    shown = []
    for d in results.documents:
        if left <= 0:
            break
        shown.append(min(len(d.text), left))
        left -= shown[-1]
    return shown


def _spans_within(spans: Any, n: int) -> list[list[Any]]:
    return [[s.start, s.end, s.label] for s in spans if s.end <= n]


def _capped_errors(
    results: Results,
) -> tuple[list[dict[str, Any]], dict[str, dict[str, int]], dict[tuple[str, str], Counter]]:
    """What the page shows of the error records, from one pass over them.

    Returns the first :data:`ERRORS_PER_KIND` records of each model and kind, the totals (model -> kind -> n)
    and the confusion-matrix cells of every model and view (:func:`_error_cells`).
    """
    kept, totals = [], {}
    cells: dict[tuple[str, str], Counter] = {}
    for m in results.models:
        by_kind: dict[str, int] = {}
        for view, records_of_view in results.errors.get(m.name, {}).items():
            view_cells = cells.setdefault((m.name, view), Counter())
            for record in records_of_view:
                kind = record["kind"]
                by_kind[kind] = by_kind.get(kind, 0) + 1
                if by_kind[kind] <= ERRORS_PER_KIND:
                    kept.append({"model": m.name, **record})
                _error_cells(record, view_cells)
        if by_kind:
            totals[m.name] = by_kind
    return kept, totals, cells


def _bounds_html(data: dict[str, Any]) -> str:
    """The sentence saying what the page holds and what it leaves out (and where that is)."""
    bounds = data["bounds"]
    parts = [
        f"This page embeds the text of {bounds['documents_shown']} of {bounds['documents']} document(s) "
        f"({bounds['chars_shown']:,} of {bounds['chars']:,} characters; at most {ARTICLE_CHARS:,}) with their spans"
    ]
    if bounds["chars_shown"] < bounds["chars"]:
        parts.append("the rest of the text is scored but not shown here (it is in the corpus file)")
    left_out = sum(bounds["errors"].values()) - bounds["errors_shown"]
    parts.append(
        f"{bounds['errors_shown']:,} of {sum(bounds['errors'].values()):,} error records (the first "
        f"{ERRORS_PER_KIND} per model and kind"
        + (f"; {left_out:,} left out" if left_out else "")
        + "; every record is in errors.jsonl.gz)"
    )
    return _esc("; ".join(parts) + ".")


def _data_and_cells(results: Results) -> tuple[dict[str, Any], dict[tuple[str, str], Counter]]:
    """The data the page embeds, and the confusion-matrix cells of every model and view (one pass of records)."""
    view = results.leaderboard_view
    shown = _shown(results)
    documents = results.documents[: len(shown)]
    docs = [{"id": d.id, "text": d.text[:n]} for d, n in zip(documents, shown, strict=True)]
    gold = {"native": [_spans_within(d.spans, n) for d, n in zip(documents, shown, strict=True)]}
    models = []
    for m in results.models:
        if m.status not in SCORED_STATUSES:
            continue
        preds = results.predictions.get(m.name, [])
        models.append(
            {
                "name": m.name,
                "view": m.view,
                "spans": [_spans_within(p.spans, n) for p, n in zip(preds, shown, strict=False)],
            }
        )
        if m.view and m.view not in gold and results.gold_view is not None:
            from arabench.annotations.schema import default_schema

            schema = default_schema()
            target = schema.views.get(m.view)
            if target is not None:
                mapping = results.gold_view.coarsening_to(target) or {}
                gold[m.view] = [
                    [[s.start, s.end, mapping[s.label]] for s in d.spans if mapping.get(s.label) and s.end <= n]
                    for d, n in zip(documents, shown, strict=True)
                ]
    if results.gold_view is not None and results.gold_view.name != "native":
        gold = {results.gold_view.name: gold["native"], **{k: v for k, v in gold.items() if k != "native"}}
    errors, totals, cells = _capped_errors(results)
    data = {
        "view": view,
        "gold_view": None if results.gold_view is None else results.gold_view.name,
        "documents": docs,
        "gold": gold,
        "models": models,
        "errors": errors,
        "bounds": {
            "documents_shown": len(docs),
            "documents": len(results.documents),
            "chars_shown": sum(shown),
            "chars": sum(len(d.text) for d in results.documents),
            "errors_shown": len(errors),
            "errors": {f"{model}/{kind}": n for model, kinds in totals.items() for kind, n in kinds.items()},
        },
    }
    return data, cells


def render_html(results: Results) -> str:
    """The complete ``report.html`` text."""
    from arabench.benchmark.report_text import (
        entities_text,
        extra_figures,
        fmt,
        fmt_ci,
        llm_text,
        relations_text,
    )

    template = (TEMPLATES / "report.html").read_text(encoding="utf-8")
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    js = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    data, error_cells = _data_and_cells(results)
    labels = sorted(
        {s[2] for docs in data["gold"].values() for d in docs for s in d}
        | {s[2] for m in data["models"] for d in m["spans"] for s in d}
    )
    colors = type_colors(labels)
    data["colors"] = {k: colors[k] for k in labels}
    settings = results.settings
    corpus = results.corpus

    board = []
    for rank, row in enumerate(r for r in results.leaderboard() if r.status in SCORED_STATUSES):
        flag = ' <span class="flag" title="not scorable in the leaderboard view">⚑</span>' if row.flagged else ""
        if row.status == "partial":  # incomplete predictions: said on the leaderboard itself
            shown = _esc(status_text(row.status, row.failed_fraction))
            flag += f' <span class="flag" title="{_esc(row.reason or "")}">{shown}</span>'

        board.append(
            # data-label: the column names the narrow layout (report.css) writes before each cell
            f"<tr><td class='rank'>{rank + 1}</td><td class='model'><code>{_esc(row.model)}</code></td>"
            f"<td data-label='view'>{_esc(row.view)}{flag}</td>"
            f"<td data-label='P'>{fmt(row.precision)}</td><td data-label='R'>{fmt(row.recall)}</td>"
            f"<td class='f1' data-label='F1 (word)'><b>{fmt(row.f1)}</b></td>"
            f"<td class='ci'>{fmt_ci(row.f1_ci)}</td><td data-label='F1 (char)'>{fmt(row.char_f1)}</td>"
            f"<td class='ci'>{fmt_ci(row.char_f1_ci)}</td></tr>"
        )
        extra = extra_figures(results.model(row.model), str(row.view))
        notes = [f"relations F1 (strict / boundaries, word) {relations_text(extra)}"] * ("relations" in extra)
        notes += [f"entity layer (strict, word) {entities_text(extra)}"] * ("entities" in extra)
        notes += [f"LLM: {llm_text(extra)}"] * ("llm" in extra)
        if notes:
            board.append(f'<tr class="sub"><td></td><td colspan="8" class="muted">{_esc(" · ".join(notes))}</td></tr>')
    if not board:
        board.append('<tr><td colspan="9" class="muted">No model was scored.</td></tr>')
    skipped = [
        f"<tr><td><code>{_esc(m.name)}</code></td><td>{_esc(m.status)}</td><td>{_esc(m.reason or '')}</td></tr>"
        for m in results.models
        if m.status not in SCORED_STATUSES
    ]
    head = settings["headline"]
    diagnostics = []
    for m in results.models:
        if m.status in SCORED_STATUSES:
            items = ", ".join(f"<code>{_esc(k)}</code>: {_esc(v)}" for k, v in m.diagnostics.items()) or "none"
            view, _ = results.scored_view(m)
            if view is not None:  # what the headline setting left out or had to do, as summary.md shows it
                setting = m.setting(view, head["mode"], head["boundary"], head["layer"])
                for title, counts in (("gold not scored", "out_of_scope"), ("scorer notes", "notes")):
                    if setting.get(counts):
                        listed = ", ".join(f"<code>{_esc(k)}</code>: {_esc(v)}" for k, v in setting[counts].items())
                        items += f"<br>{_esc(title)} ({_esc(view)}): {listed}"
            prov = _esc(json.dumps(m.provenance, ensure_ascii=False, sort_keys=True))
            diagnostics.append(
                f"<tr><td><code>{_esc(m.name)}</code></td><td>{items}</td>"
                f"<td><details><summary>provenance</summary><pre>{prov}</pre></details></td></tr>"
            )
    matrices = []
    for m in results.models:
        view, _ = results.scored_view(m)
        if view is None:
            continue
        table = _matrix_html(confusion_matrix(results, m.name, view, error_cells=error_cells.get((m.name, view))))
        matrices.append(
            f'<div class="cmwrap" data-model="{_esc(m.name)}"><h3><code>{_esc(m.name)}</code> '
            f'<span class="muted">({_esc(view)})</span></h3>{table}</div>'
        )
    payload = json_for_html(data)
    boot = settings["bootstrap"]
    replacements = {
        "__CSS__": css,
        "__JS__": js,
        "__DATA__": payload,
        "__TITLE__": _esc(f"arabench report — {Path(str(corpus['path'])).name}"),
        "__CORPUS__": _esc(
            f"{corpus['path']} · {corpus['format']} · {len(corpus['documents'])} document(s) · "
            f"{corpus['n_units']} {corpus['unit']} units · sha256 {corpus['sha256'][:16]}…"
            + (
                f" · {corpus['gold_repairs']} ill-formed gold tag(s) read with the conlleval rules"
                if corpus.get("gold_repairs")
                else ""
            )
        ),
        "__SETTINGS__": _esc(
            f"leaderboard view {settings['leaderboard_view']} · headline {head['mode']} / {head['boundary']} "
            f"boundaries / {head['layer']} layer · {int(boot['confidence'] * 100)}% bootstrap intervals, "
            f"{boot['n_resamples']} resamples, seed {settings['seed']} · arabench {results.arabench['version']}"
        ),
        "__CREATED__": _esc(results.created),
        "__BOUNDS__": _bounds_html(data),
        "__LEADERBOARD__": "".join(board),
        "__CHART__": f1_chart_svg(results),
        "__MATRICES__": "".join(matrices) or '<p class="muted">No model was scored.</p>',
        "__SKIPPED__": "".join(skipped) or '<tr><td colspan="3" class="muted">Every model was scored.</td></tr>',
        "__DIAGNOSTICS__": "".join(diagnostics) or '<tr><td colspan="3" class="muted">none</td></tr>',
    }
    # One pass, so that text inside the data (an article mentioning "__CSS__") is never substituted.
    return re.sub(r"__[A-Z]+__", lambda m: replacements.get(m.group(0), m.group(0)), template)


def write_html(results: Results, path: str | Path) -> Path:
    """Write ``report.html`` atomically."""
    return atomic_write_text(path, render_html(results))
