"""Plain-text reports of a run: ``summary.md``, ``per_type.csv`` and ``errors.jsonl.gz``.

* ``summary.md``: the leaderboard (headline: strict, word-boundary, flat-layer
  micro F1 with its 95% bootstrap interval; also strict character-boundary F1),
  the skipped and failed models with their reasons, then per scored model the
  per-type table (tp, fp, fn, P, R, F1) of the headline setting in its
  leaderboard view, its out-of-scope gold mentions and its diagnostics.
  When a model predicts relations, the leaderboard gets a column with its
  relation F1 (strict / boundaries, word boundaries) and its section a
  relation table; when an LLM adapter is scored, a column with its parse
  failures, unalignable strings and failed windows (:func:`extra_figures`).
* ``per_type.csv``: one row per model × view × mode × boundary × layer × type,
  plus rows ``type = "<micro>"``, ``"<macro>"`` and ``"<weighted>"``. Empty cells
  are undefined figures; numbers are exact ``repr`` floats; a text cell that a
  spreadsheet would run as a formula (starting with ``= + - @``, tab or carriage
  return) gets a leading ``'`` (:func:`arabench.benchmark.escape.csv_cell`).

Every user-controlled string in ``summary.md`` (model names, types, views,
document ids, reasons, diagnostic keys) goes through
:func:`arabench.benchmark.escape.md_code` or :func:`arabench.benchmark.escape.md_text`, so none
can close a code span, add a table cell, start a heading or carry live HTML.
* ``errors.jsonl.gz``: gzip-compressed JSON lines (read it with ``zcat``, ``gzip.open(path, "rt")``
  or :func:`read_errors`, one record at a time), one JSON object per line for every error of the strict,
  word-boundary setting, on the flat layer and the nested layer (``layer``
  says which; the flat errors are those behind the headline figure), in every
  view each model was scored in: ``model``, ``view``, ``mode``, ``boundary``,
  ``layer``, ``kind`` (missed, spurious, wrong_type, boundary,
  wrong_type_and_boundary), ``doc_id``, ``gold`` and ``pred``
  (``{"start", "end", "type", "text"}`` or null), ``proclitic_only``,
  ``context`` (``{"start", "end", "text"}``: 40 characters on each side), ``detail``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arabench.annotations.files import atomic_write_text
from arabench.benchmark.atomic import dump_json
from arabench.benchmark.error_log import ErrorLog
from arabench.benchmark.escape import csv_cell, md_code, md_text
from arabench.benchmark.results import SCORED_STATUSES
from arabench.eval.modes import HEADLINE

if TYPE_CHECKING:
    from arabench.benchmark.results import Results

__all__ = [
    "render_summary",
    "write_summary",
    "write_per_type",
    "write_errors",
    "read_errors",
    "error_records",
    "iter_error_records",
    "fmt",
    "fmt_ci",
    "extra_figures",
    "relations_text",
    "entities_text",
    "llm_text",
]


def status_text(status: str, failed_fraction: float | None) -> str:
    """A leaderboard status: ``partial`` carries the share of failed windows (``partial (25.0% windows failed)``)."""
    if status == "partial" and failed_fraction is not None:
        return f"partial ({failed_fraction:.1%} windows failed)"
    return status


def fmt(value: float | None, digits: int = 4) -> str:
    """A score for people: ``0.8123``, or ``–`` when undefined."""
    return "–" if value is None else f"{value:.{digits}f}"


def fmt_ci(ci: Any, digits: int = 4) -> str:
    """An interval ``[low, high]`` for people, or an empty string."""
    if not ci or ci[0] is None:
        return ""
    return f"[{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]"


#: Adapters (``provenance["adapter"]``) whose extraction counts are shown next to their scores.
LLM_ADAPTERS = ("llm", "llm-hf")


def extra_figures(model: Any, view: str) -> dict[str, Any]:
    """Figures shown next to a model's entity scores in the leaderboards.

    Returns:
        ``{"relations": {"strict": f1, "boundaries": f1}}`` (micro F1, word
        boundaries) when the model was scored on relations in ``view``, and for
        LLM adapters ``{"llm": {"windows", "failed_windows", "parse_failures",
        "empty_answers", "unalignable", "unalignable_relations", the token
        counts and, when prices were given, the cost}}`` (summed diagnostics).
    """
    out: dict[str, Any] = {}
    tree = (model.scores.get(view) or {}).get("relations")
    if tree:
        out["relations"] = {mode: tree[mode][HEADLINE.boundary]["micro"]["f1"] for mode in tree}
    entities = (model.scores.get(view) or {}).get("entities")
    if entities:  # the system's coreference: strict mentions, word boundaries
        found = entities["strict"][HEADLINE.boundary]
        out["entities"] = {m: found[m]["f1"] for m in ("muc", "b_cubed", "ceaf_e")} | {"conll": found["conll_f1"]}
    if (model.provenance or {}).get("adapter") in LLM_ADAPTERS:
        keys = ("windows", "failed_windows", "parse_failures", "empty_answers", "unalignable", "unalignable_relations")
        out["llm"] = {k: model.diagnostics.get(k, 0) for k in keys}
        tokens = ("prompt_tokens", "completion_tokens", "prompt_tokens_estimated", "completion_tokens_estimated")
        out["llm"].update({k: model.diagnostics[k] for k in (*tokens, "cost") if k in model.diagnostics})
    return out


def relations_text(extra: dict[str, Any]) -> str:
    """``0.7500 / 0.5000`` (strict / boundaries relation F1), or ``–``."""
    rel = extra.get("relations")
    if not rel:
        return "–"
    return f"{fmt(rel.get('strict'))} / {fmt(rel.get('boundaries'))}"


def entities_text(extra: dict[str, Any]) -> str:
    """``MUC 0.5000 · B³ 0.8000 · CEAF-e 0.7000 · CoNLL 0.6667`` (the entity layer, strict, word), or ``–``."""
    found = extra.get("entities")
    if not found:
        return "–"
    return (
        f"MUC {fmt(found['muc'])} · B³ {fmt(found['b_cubed'])} · CEAF-e {fmt(found['ceaf_e'])} · "
        f"CoNLL {fmt(found['conll'])}"
    )


def llm_text(extra: dict[str, Any]) -> str:
    """``parse failures 1 of 6 windows · unalignable 2 (+1 relations) · failed windows 1``, or ``–``."""
    llm = extra.get("llm")
    if not llm:
        return "–"
    failures = llm["parse_failures"] + llm["empty_answers"]
    text = f"parse failures {_count(failures)} of {_count(llm['windows'])} windows"
    text += f" · unalignable {_count(llm['unalignable'])}"
    if llm["unalignable_relations"]:
        text += f" (+{_count(llm['unalignable_relations'])} relations)"
    if llm["failed_windows"]:
        text += f" · failed windows {_count(llm['failed_windows'])}"
    return text + tokens_text(llm)


def tokens_text(llm: dict[str, Any]) -> str:
    """`` · tokens in 1,200 / out 300 (estimated: in 40 / out 10) · cost 0.0012``, or ``""`` with no token count."""
    measured = (llm.get("prompt_tokens", 0), llm.get("completion_tokens", 0))
    estimated = (llm.get("prompt_tokens_estimated", 0), llm.get("completion_tokens_estimated", 0))
    text = ""
    if any(measured):
        text += f" · tokens in {measured[0]:,.0f} / out {measured[1]:,.0f}"
    if any(estimated):
        text += f" · {'+ ' if any(measured) else ''}estimated tokens in {estimated[0]:,.0f} / out {estimated[1]:,.0f}"
    if "cost" in llm:
        text += f" · cost {llm['cost']:.4f}{' (incl. estimated tokens)' if any(estimated) else ''}"
    return text


def _count(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def render_summary(results: Results) -> str:
    """The Markdown text of ``summary.md``."""
    s = results.settings
    corpus = results.corpus
    head = s["headline"]
    boot = s["bootstrap"]
    lines = [
        "# arabench results",
        "",
        f"Corpus: {md_code(corpus['path'], table=False)} ({md_text(corpus['format'])}, "
        f"{len(corpus['documents'])} document(s), "
        f"{md_text(corpus['n_units'])} scoring units ({md_text(corpus['unit'])}s), "
        f"sha256 {md_code(str(corpus['sha256'])[:16] + '…', table=False)}).",
        f"Leaderboard view: **{md_text(s['leaderboard_view'])}**. Headline: {head['mode']} match, {head['boundary']} "
        f"boundaries, {head['layer']} layer, micro F1; intervals: {int(boot['confidence'] * 100)}% percentile "
        f"bootstrap over {corpus['unit']}s, {boot['n_resamples']} resamples, seed {s['seed']}.",
    ]
    if corpus.get("gold_repairs"):
        lines.append(
            f"{corpus['gold_repairs']} gold tag(s) were not well-formed and were read with the conlleval rules "
            "(an I- without B- starts a mention; listed in each document's metadata 'conll_repairs')."
        )
    lines += [
        "",
        "## Leaderboard",
        "",
        "| # | model | status | view | P | R | F1 (word) | 95% CI | F1 (char) | 95% CI |",
        "| ---: | --- | --- | --- | ---: | ---: | ---: | --- | ---: | --- |",
    ]
    extras = {
        row.model: extra_figures(results.model(row.model), str(row.view))
        for row in results.leaderboard()
        if row.status in SCORED_STATUSES
    }
    with_relations = any("relations" in e for e in extras.values())
    with_llm = any("llm" in e for e in extras.values())
    with_entities = any("entities" in e for e in extras.values())
    if with_relations or with_llm or with_entities:
        level = results.settings.get("relation_level", "mention")
        lines[-2] += f" relations F1, {level} level (strict / boundaries) |" * with_relations
        lines[-2] += " entity layer (coreference F1) |" * with_entities
        lines[-2] += " LLM extraction |" * with_llm
        lines[-1] += " --- |" * (with_relations + with_entities + with_llm)
    rank = 0
    for row in results.leaderboard():
        if row.status not in SCORED_STATUSES:
            continue
        rank += 1
        view = f"{md_text(row.view)} ⚑" if row.flagged else md_text(row.view)
        extra = extras[row.model]
        lines.append(
            f"| {rank} | {md_code(row.model)} | {md_text(status_text(row.status, row.failed_fraction))} "
            f"| {view} | {fmt(row.precision)} | {fmt(row.recall)} | "
            f"**{fmt(row.f1)}** | {fmt_ci(row.f1_ci)} | {fmt(row.char_f1)} | {fmt_ci(row.char_f1_ci)} |"
            + f" {md_text(relations_text(extra))} |" * with_relations
            + f" {md_text(entities_text(extra))} |" * with_entities
            + f" {md_text(llm_text(extra))} |" * with_llm
        )
    if rank == 0:
        lines.append("| – | (no model was scored) | | | | | | | | |")
    if any(r.flagged for r in results.leaderboard()):
        lines += [
            "",
            f"⚑ cannot be scored in the {md_code(s['leaderboard_view'], table=False)} view; shown in the view named.",
        ]
    partial = [m for m in results.models if m.status == "partial"]
    if partial:
        lines += ["", "Partial models were scored from incomplete predictions (figures are lower bounds):"]
        lines += [f"- {md_code(m.name, table=False)}: {md_text(m.reason or '')}" for m in partial]
    others = [m for m in results.models if m.status not in SCORED_STATUSES]
    if others:
        lines += ["", "## Not scored", "", "| model | status | reason |", "| --- | --- | --- |"]
        for m in others:
            lines.append(f"| {md_code(m.name)} | {md_text(m.status)} | {md_text(m.reason or '')} |")
    for m in results.models:
        if m.status not in SCORED_STATUSES:
            continue
        view, _ = results.scored_view(m)
        assert view is not None
        setting = m.setting(view, head["mode"], head["boundary"], head["layer"])
        lines += [
            "",
            f"## {md_code(m.name, table=False)} — view {md_text(view)}",
            "",
            f"Scored in views: {', '.join(md_text(v) for v in m.scores)} (its own view: {md_text(m.view)}).",
            "",
            "| type | tp | fp | fn | support | P | R | F1 | F1 95% CI |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for t, row in setting["per_type"].items():
            ci = (row.get("ci") or {}).get("f1")
            lines.append(
                f"| {md_text(t)} | {_count(row['tp'])} | {_count(row['fp'])} | {_count(row['fn'])} "
                f"| {_count(row['support'])} "
                f"| {fmt(row['precision'])} | {fmt(row['recall'])} | {fmt(row['f1'])} | {fmt_ci(ci)} |"
            )
        micro = setting["micro"]
        lines.append(
            f"| **micro** | {_count(micro['tp'])} | {_count(micro['fp'])} | {_count(micro['fn'])} "
            f"| {_count(micro['support'])} | {fmt(micro['precision'])} | {fmt(micro['recall'])} "
            f"| **{fmt(micro['f1'])}** | {fmt_ci((micro.get('ci') or {}).get('f1'))} |"
        )
        for average in ("macro", "weighted"):
            avg = setting[average]
            lines.append(
                f"| {average} | | | | | {fmt(avg['precision'])} | {fmt(avg['recall'])} | {fmt(avg['f1'])} "
                f"| {fmt_ci((avg.get('ci') or {}).get('f1'))} |"
            )
        if setting["out_of_scope"]:
            oos = ", ".join(f"{md_text(k)}: {md_text(v)}" for k, v in setting["out_of_scope"].items())
            lines += [
                "",
                f"Gold mentions not scored (labels it cannot emit, types the view leaves out; not counted as misses): "
                f"{oos}.",
            ]
        if setting.get("notes"):
            notes = ", ".join(f"{md_code(k, table=False)}: {md_text(_count(v))}" for k, v in setting["notes"].items())
            lines += ["", f"Scorer notes: {notes}."]
        relations = (m.scores.get(view) or {}).get("relations")
        if relations:
            lines += [
                "",
                "Relations (word boundaries):",
                "",
                "| mode | tp | fp | fn | P | R | F1 |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
            for mode, by_boundary in relations.items():
                r = by_boundary[HEADLINE.boundary]["micro"]
                lines.append(
                    f"| {md_text(mode)} | {_count(r['tp'])} | {_count(r['fp'])} | {_count(r['fn'])} "
                    f"| {fmt(r['precision'])} | {fmt(r['recall'])} | {fmt(r['f1'])} |"
                )
        if m.diagnostics:
            diag = ", ".join(f"{md_code(k, table=False)}: {md_text(_count(v))}" for k, v in m.diagnostics.items())
            lines += ["", f"Diagnostics (summed over documents): {diag}."]
    lines.append("")
    return "\n".join(lines)


def write_summary(results: Results, path: str | Path) -> Path:
    """Write ``summary.md`` atomically."""
    return atomic_write_text(path, render_summary(results))


PER_TYPE_COLUMNS = (
    "model",
    "view",
    "mode",
    "boundary",
    "layer",
    "type",
    "tp",
    "fp",
    "fn",
    "support",
    "precision",
    "recall",
    "f1",
    "precision_low",
    "precision_high",
    "recall_low",
    "recall_high",
    "f1_low",
    "f1_high",
)


def _cell(value: Any) -> str:
    return csv_cell(value)


def _ci_cells(row: dict[str, Any]) -> list[str]:
    cells = []
    ci = row.get("ci") or {}
    for measure in ("precision", "recall", "f1"):
        pair = ci.get(measure)
        cells += ["", ""] if pair is None else [_cell(pair[0]), _cell(pair[1])]
    return cells


def write_per_type(results: Results, path: str | Path) -> Path:
    """Write ``per_type.csv`` atomically (see the module docstring)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(PER_TYPE_COLUMNS)
    for m in results.models:
        for view, tree in m.scores.items():
            for mode, by_boundary in tree["spans"].items():
                for boundary, by_layer in by_boundary.items():
                    for layer, setting in by_layer.items():
                        key = [_cell(k) for k in (m.name, view, mode, boundary, layer)]
                        for t, row in setting["per_type"].items():
                            writer.writerow(
                                key
                                + [_cell(t)]
                                + [_cell(row[k]) for k in ("tp", "fp", "fn", "support", "precision", "recall", "f1")]
                                + _ci_cells(row)
                            )
                        micro = setting["micro"]
                        writer.writerow(
                            key
                            + ["<micro>"]
                            + [_cell(micro[k]) for k in ("tp", "fp", "fn", "support", "precision", "recall", "f1")]
                            + _ci_cells(micro)
                        )
                        for average in ("macro", "weighted"):
                            avg = setting[average]
                            writer.writerow(
                                key
                                + [f"<{average}>", "", "", "", ""]
                                + [_cell(avg[k]) for k in ("precision", "recall", "f1")]
                                + _ci_cells(avg)
                            )
    return atomic_write_text(path, buffer.getvalue())


def error_records(results: Results) -> list[dict[str, Any]]:
    """Every error record, each with its ``model``, in model then view order."""
    return list(iter_error_records(results))


def iter_error_records(results: Results) -> Iterator[dict[str, Any]]:
    """:func:`error_records` one at a time (no list of every record)."""
    for m in results.models:
        for records_of_view in results.errors.get(m.name, {}).values():
            for record in records_of_view:
                yield {"model": m.name, **record}


def _error_lines(results: Results) -> Iterator[str]:
    """The lines of ``errors.jsonl.gz``: each record as one-line JSON with its ``model`` first."""
    for m in results.models:
        head = '{"model":' + dump_json(m.name, indent=None) + ","
        for records_of_view in results.errors.get(m.name, {}).values():
            lines = records_of_view.lines() if isinstance(records_of_view, ErrorLog) else None
            if lines is None:
                lines = (dump_json(r, indent=None) for r in records_of_view)
            for line in lines:
                yield (head + line[1:] if line != "{}" else head[:-1] + "}") + "\n"


def write_errors(results: Results, path: str | Path) -> Path:
    """Write ``errors.jsonl.gz`` (see the module docstring), streaming: no record list is built.

    The gzip member has no file name and a zero time stamp, so the same run gives the same bytes.
    """
    path = Path(path)
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as out:
        batch: list[str] = []
        for line in _error_lines(results):
            batch.append(line)
            if len(batch) >= 4096:
                out.write("".join(batch).encode("utf-8"))
                batch = []
        out.write("".join(batch).encode("utf-8"))
    return path


def read_errors(path: str | Path) -> Iterator[dict[str, Any]]:
    """The records of an ``errors.jsonl.gz`` (or of a plain ``errors.jsonl`` of earlier runs), one at a time."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)
