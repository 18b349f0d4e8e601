"""Scoring one model in one view: every setting, bootstrap intervals, token view, relations, errors.

The JSON tree of one view (``results.json`` → ``models[i].scores[VIEW]``)::

    {"view", "coarsened_from", "label_map", "labels",
     "spans": {MODE: {BOUNDARY: {LAYER: SETTING}}},
     "tokens": {"conlleval": TOKENS, "strict_iob2": TOKENS},
     "relation_level": "entity" | "mention",
     "relations": {MODE: {BOUNDARY: SETTING}} or null when the model predicts none,
     "entities": {MODE: {BOUNDARY: COREF}} or null when the model predicts no clusters}

    COREF = {"muc", "b_cubed", "ceaf_e": {"precision", "recall", "f1", ...fractions},
             "conll_f1", "singletons", "notes"}   (arabench.eval.coref.CorefScores.as_dict)

    SETTING = {"per_type": {TYPE: FIGURES}, "micro": FIGURES,
               "macro": {"precision", "recall", "f1", "ci"}, "weighted": {...},
               "out_of_scope": {LABEL: n}, "notes": {...},
               "unit_counts": {"types": [...], "rows": [[unit, type index, tp, fp, fn], ...]}}
    FIGURES = {"tp", "fp", "fn", "support", "precision", "recall", "f1",
               "ci": {"precision": [low, high], "recall": [...], "f1": [...]}}

``label_map`` is ``null`` in the model's own view, else how its labels were
brought into the view: ``{"how": "coarsening" | "renaming", "map": {model label: view label or null}}``.
Undefined figures are ``null`` (see :mod:`arabench.eval.counts`). Intervals are
percentile bootstrap intervals over the scoring units (:func:`arabench.eval.stats.bootstrap`);
``ci`` is ``null`` when ``--bootstrap 0``. ``unit_counts`` lists only the
non-zero rows, which is enough to rebuild the full ``(n_units, n_types, 3)``
array for paired tests (:mod:`arabench.benchmark.compare`). In ``partial`` mode counts
are multiples of 0.5; the bootstrap resamples the doubled counts, which leaves
every precision, recall and F1 unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import islice
from typing import Any

import numpy as np

from arabench.annotations.schema import default_schema
from arabench.annotations.spans import Relation, Span
from arabench.benchmark.atomic import dump_json
from arabench.benchmark.corpus_io import Corpus
from arabench.benchmark.error_log import ErrorLog
from arabench.eval.modes import HEADLINE, relation_grid, span_grid
from arabench.eval.views import GoldInView

__all__ = ["score_view", "setting_json", "unit_counts_json", "unit_counts_array", "CONTEXT_CHARS"]

#: Characters of context on each side of an error record.
CONTEXT_CHARS = 40


def _num(value: float) -> int | float:
    value = float(value)
    return int(value) if value.is_integer() else value


def _figures(counts: Any) -> dict[str, Any]:
    return {
        "tp": _num(counts.tp),
        "fp": _num(counts.fp),
        "fn": _num(counts.fn),
        "support": _num(counts.support),
        "precision": counts.precision,
        "recall": counts.recall,
        "f1": counts.f1,
    }


def _ci(interval: Any) -> list[float | None] | None:
    if interval is None or interval.low is None:
        return None
    return [float(interval.low), float(interval.high)]


#: How :func:`unit_counts_json` stores the non-zero cells (named in the JSON, so a reader can tell).
UNIT_COUNTS_ENCODING = "zlib-base64 columns: unit delta, type, 2*tp, 2*fp, 2*fn (unsigned, width in dtype)"
_WIDTHS = ("u1", "<u2", "<u4", "<u8")


def unit_counts_json(types: Sequence[str], array: np.ndarray) -> dict[str, Any]:
    """The non-zero ``(unit, type)`` cells of a ``(n_units, n_types, 3)`` array, exact and compact.

    The cells, in unit then type order, as five columns: the unit minus the
    previous cell's unit, the type, and tp, fp, fn doubled (counts are whole or
    halves, so doubled they are integers), all non-negative; the columns one
    after another in the narrowest unsigned integer type that holds them
    (``dtype``), zlib-compressed, base64 (:data:`UNIT_COUNTS_ENCODING`). A
    500k-token corpus takes a few kilobytes per setting instead of megabytes of
    ``[unit, type, tp, fp, fn]`` lists; :func:`unit_counts_array` reads both.
    """
    import base64
    import zlib

    columns = np.zeros((5, 0), dtype=np.int64)
    if array.size:
        nonzero = np.argwhere(array.sum(axis=2) != 0)
        doubled = array[nonzero[:, 0], nonzero[:, 1]] * 2
        if not np.array_equal(doubled, np.round(doubled)) or (doubled < 0).any():
            raise ValueError("unit counts must be non-negative whole or half counts")
        columns = np.empty((5, len(nonzero)), dtype=np.int64)
        columns[0] = np.diff(nonzero[:, 0], prepend=0)
        columns[1] = nonzero[:, 1]
        columns[2:] = np.round(doubled).T
    top = int(columns.max()) if columns.size else 0
    dtype = next(w for w in _WIDTHS if top <= np.iinfo(np.dtype(w)).max)
    data = base64.b64encode(zlib.compress(columns.astype(dtype).tobytes(), 6)).decode("ascii")
    return {
        "types": list(types),
        "n_units": int(array.shape[0]),
        "encoding": UNIT_COUNTS_ENCODING,
        "dtype": dtype,
        "data": data,
    }


def unit_counts_array(data: Mapping[str, Any]) -> tuple[tuple[str, ...], np.ndarray]:
    """Inverse of :func:`unit_counts_json` (also reads the ``rows`` lists of earlier results): types, dense array."""
    import base64
    import zlib

    types = tuple(data["types"])
    array = np.zeros((int(data["n_units"]), len(types), 3), dtype=np.float64)
    if "rows" in data:
        for u, t, tp, fp, fn in data["rows"]:
            array[u, t] = (tp, fp, fn)
        return types, array
    if data.get("encoding") != UNIT_COUNTS_ENCODING or data.get("dtype") not in _WIDTHS:
        raise ValueError(f"unknown unit counts encoding {data.get('encoding')!r} ({data.get('dtype')!r})")
    width = np.dtype(data["dtype"]).itemsize
    most = 5 * width * array.shape[0] * max(1, len(types))  # five columns of at most one cell per (unit, type)
    inflate = zlib.decompressobj()
    raw_bytes = inflate.decompress(base64.b64decode(data["data"], validate=True), most)
    if inflate.unconsumed_tail or not inflate.eof:
        raise ValueError(f"the encoded counts inflate past {most} bytes, the most {array.shape[0]} units can hold")
    raw = np.frombuffer(raw_bytes, dtype=data["dtype"])
    columns = raw.astype(np.int64).reshape(5, -1)
    units = np.cumsum(columns[0])
    array[units, columns[1]] = columns[2:].T / 2
    return types, array


_BOOTSTRAP_MEMO: dict[tuple[object, ...], Any] = {}
_MEMO_SIZE = 512


def _bootstrap(counts: np.ndarray, types: tuple[str, ...], n_resamples: int, seed: int, confidence: float) -> Any:
    """:func:`arabench.eval.stats.bootstrap`, memoized on the exact count array (settings often share one)."""
    from arabench.eval.stats import bootstrap

    key = (counts.shape, counts.tobytes(), types, n_resamples, seed, confidence)
    found = _BOOTSTRAP_MEMO.get(key)
    if found is None:
        found = bootstrap(counts, n_resamples=n_resamples, seed=seed, confidence=confidence, types=types)
        if len(_BOOTSTRAP_MEMO) >= _MEMO_SIZE:
            _BOOTSTRAP_MEMO.clear()
        _BOOTSTRAP_MEMO[key] = found
    return found


def _counts_of(scores: Any, half_counts: bool) -> np.ndarray:
    return np.ascontiguousarray(scores.unit_counts * 2 if half_counts else scores.unit_counts, dtype=np.float64)


def prefetch_bootstraps(
    settings: Sequence[tuple[Any, bool]], *, n_resamples: int, seed: int, confidence: float
) -> None:
    """Bootstrap many scored settings ``(scores, half_counts)`` at once (one pass of resamples), into the memo.

    :func:`setting_json` then finds each interval in the memo: the numbers are
    those of one :func:`arabench.eval.stats.bootstrap` per setting
    (:func:`arabench.eval.stats.bootstrap_many` is exact), computed in one pass.
    """
    from arabench.eval.stats import bootstrap_many

    if n_resamples <= 0:
        return
    todo: dict[tuple[object, ...], tuple[np.ndarray, tuple[str, ...]]] = {}
    for scores, half_counts in settings:
        types = tuple(scores.types)
        if not types:
            continue
        counts = _counts_of(scores, half_counts)
        key = (counts.shape, counts.tobytes(), types, n_resamples, seed, confidence)
        if key not in _BOOTSTRAP_MEMO:
            todo[key] = (counts, types)
    if not todo:
        return
    found = bootstrap_many(list(todo.values()), n_resamples=n_resamples, seed=seed, confidence=confidence)
    if len(_BOOTSTRAP_MEMO) + len(todo) > _MEMO_SIZE:
        _BOOTSTRAP_MEMO.clear()
    _BOOTSTRAP_MEMO.update(zip(todo, found, strict=True))


def setting_json(scores: Any, *, n_resamples: int, seed: int, confidence: float, half_counts: bool) -> dict[str, Any]:
    """One scored setting (:class:`arabench.eval.spans.SpanScores` or relation scores) as a JSON tree with intervals."""
    types = tuple(scores.types)
    boot = None
    if n_resamples > 0 and types:
        counts = _counts_of(scores, half_counts)
        boot = _bootstrap(counts, types, n_resamples, seed, confidence)
    per_type = {}
    for t in types:
        row = _figures(scores.per_type[t])
        row["ci"] = None if boot is None else {m: _ci(boot.per_type[t][m]) for m in ("precision", "recall", "f1")}
        per_type[t] = row
    micro = _figures(scores.micro)
    micro["ci"] = None if boot is None else {m: _ci(boot.overall[f"micro_{m}"]) for m in ("precision", "recall", "f1")}
    out: dict[str, Any] = {"per_type": per_type, "micro": micro}
    for average in ("macro", "weighted"):
        avg = getattr(scores, average)
        out[average] = {
            "precision": avg.precision,
            "recall": avg.recall,
            "f1": avg.f1,
            "ci": None
            if boot is None
            else {m: _ci(boot.overall[f"{average}_{m}"]) for m in ("precision", "recall", "f1")},
        }
    out["out_of_scope"] = {k: int(v) for k, v in sorted(getattr(scores, "out_of_scope", {}).items())}
    out["notes"] = {k: int(v) for k, v in sorted(getattr(scores, "notes", {}).items())}
    out["unit_counts"] = unit_counts_json(types, scores.unit_counts)
    return out


def _span_json(span: Span | None, text: str) -> dict[str, Any] | None:
    if span is None:
        return None
    return {"start": span.start, "end": span.end, "type": span.label, "text": text[span.start : span.end]}


def _error_json(error: Any, corpus: Corpus, *, view: str, layer: str) -> dict[str, Any]:
    doc = corpus.documents[error.doc_index]
    spans = [s for s in (error.gold, error.pred) if s is not None]
    lo = max(0, min(s.start for s in spans) - CONTEXT_CHARS)
    hi = min(len(doc.text), max(s.end for s in spans) + CONTEXT_CHARS)
    return {
        "view": view,
        "mode": HEADLINE.mode,
        "boundary": HEADLINE.boundary,
        "layer": layer,
        "kind": error.kind,
        "doc_id": doc.id,
        "gold": _span_json(error.gold, doc.text),
        "pred": _span_json(error.pred, doc.text),
        "proclitic_only": error.proclitic_only,
        "context": {"start": lo, "end": hi, "text": doc.text[lo:hi]},
        "detail": error.detail,
    }


def _record_head(view: str, layer: str) -> str:
    """The start of an error record's one-line JSON (:func:`_error_json`): its keys up to ``layer``."""
    head = {"view": view, "mode": HEADLINE.mode, "boundary": HEADLINE.boundary, "layer": layer}
    return dump_json(head, indent=None)[:-1] + ","


def _log_again(errors: ErrorLog, first: int, n: int, view: str, layer: str, other: str) -> None:
    """Log records ``first .. first + n`` of ``errors`` (of ``layer``) again as the records of layer ``other``.

    Exactly what :func:`_error_json` makes of the same errors in ``other``: only the ``layer`` value differs.
    """
    old, new = _record_head(view, layer), _record_head(view, other)
    for line in islice(errors.lines(), first, first + n):
        if not line.startswith(old):
            raise ValueError(f"an error record does not start with {old!r}")
        errors.append_line(new + line[len(old) :])


def score_view(
    corpus: Corpus,
    gold: GoldInView,
    pred_spans: Sequence[Sequence[Span]],
    *,
    pred_relations: Sequence[Sequence[Relation]],
    labels: frozenset[str],
    coarsened_from: str | None,
    n_resamples: int,
    label_map: Mapping[str, object] | None = None,
    seed: int,
    confidence: float = 0.95,
    pred_out_of_view: Mapping[str, int] | None = None,
    pred_relations_out_of_view: int = 0,
    relation_level: str = "entity",
    pred_clusters: Sequence[Sequence[Sequence[Span]]] | None = None,
) -> tuple[dict[str, Any], ErrorLog]:
    """Score one model in one view: the gold projected into it, predictions already in its labels.

    Relations are scored at ``relation_level``: ``entity`` (the headline; a
    relation is right when its type and its arguments' gold entities match,
    the gold entity layer being ``gold.clusters``; predictions carry no
    clusters, so unmatched mentions group by their string, see
    :mod:`arabench.eval.relations`) or ``mention``.

    What the projection into the view left out is counted, never silently gone:
    the gold mentions it leaves out (:meth:`arabench.eval.views.GoldInView.out_of_scope`) are
    added to every span and token setting's ``out_of_scope``, ``pred_out_of_view``
    (``"pred_out_of_view:<label>"`` -> n) to their ``notes``; gold relations with an
    argument the view leaves out to every relation setting's ``out_of_scope``, and
    ``pred_relations_out_of_view`` to their ``notes``.

    ``pred_clusters`` (per document, the model's clusters of predicted spans, in the view's labels; ``None``
    when the model predicts no entity layer) scores the system's coreference: the response is every
    predicted span, in its cluster or alone; the key is the gold entity layer in the view, without the
    gold mentions of labels the model cannot emit (as for spans); MUC, B³, CEAF-e and their CoNLL mean
    (:func:`arabench.eval.coref.score_entity_layers`, singletons scored) in each relation mode (``strict``:
    range and type; ``boundaries``: range) and boundary. The clusters also give the entities of predicted
    relation arguments that match no gold mention (entity-level relations).

    Returns:
        The view's JSON tree (module docstring) and the error records of the
        headline mode and boundary (strict, word), flat layer then nested layer
        (kept compressed: :class:`arabench.benchmark.error_log.ErrorLog`).
    """
    from arabench.eval.spans import score_span_grid
    from arabench.eval.tokens import score_token_views

    texts = corpus.texts
    units = [list(u) for u in corpus.units]
    words = corpus.word_offsets  # a CoNLL corpus's own tokens (None: arabench's words)
    view, gold_spans, gold_relations = gold.view, gold.spans, gold.relations
    out_of_view, relations_out_of_view = gold.out_of_scope(), gold.relations_out_of_scope()
    grid = list(span_grid())
    headline = [s for s in grid if (s[0], s[1]) == (HEADLINE.mode, HEADLINE.boundary)]
    # Every setting from one pass (the shared work done once), then every interval from one pass of resamples.
    scored = score_span_grid(
        gold_spans, pred_spans, grid, texts=texts, units=units, labels=labels, errors=headline, words=words
    )
    schemes = [scheme for _, scheme in _TOKEN_SETTINGS]
    token_scores = score_token_views(
        gold_spans, pred_spans, texts=texts, schemes=schemes, units=units, labels=labels, words=words
    )
    prefetch_bootstraps(
        [(scores, setting[0] == "partial") for setting, scores in scored.items()]
        + [(scores, False) for scores in token_scores.values()],
        n_resamples=n_resamples,
        seed=seed,
        confidence=confidence,
    )
    spans: dict[str, Any] = {}
    errors = ErrorLog()
    logged: dict[int, tuple[tuple[object, ...], str, int]] = {}  # id(errors) -> (errors, layer, first record)
    for (mode, boundary, layer), scores in scored.items():
        spans.setdefault(mode, {}).setdefault(boundary, {})[layer] = _with_out_of_view(
            setting_json(
                scores, n_resamples=n_resamples, seed=seed, confidence=confidence, half_counts=mode == "partial"
            ),
            out_of_view,
            pred_out_of_view,
        )
        if (mode, boundary, layer) in headline:
            same = logged.get(id(scores.errors))
            if same is not None and same[0] is scores.errors:  # the other layer's very errors (no span nests)
                _log_again(errors, same[2], len(scores.errors), view.name, same[1], layer)
                continue
            logged[id(scores.errors)] = (scores.errors, layer, len(errors))
            for e in scores.errors:
                errors.append(_error_json(e, corpus, view=view.name, layer=layer))
    del scored, logged
    tokens = {
        key: _with_out_of_view(
            setting_json(
                token_scores[scheme], n_resamples=n_resamples, seed=seed, confidence=confidence, half_counts=False
            ),
            out_of_view,
            pred_out_of_view,
        )
        for key, scheme in _TOKEN_SETTINGS
    }
    tree: dict[str, Any] = {
        "view": view.name,
        "coarsened_from": coarsened_from,
        "label_map": None if label_map is None else dict(label_map),
        "labels": sorted(labels),
        "spans": spans,
        "tokens": tokens,
        "relation_level": relation_level,
        "relations": None,
        "entities": None,
    }
    response = None if pred_clusters is None else _partitions(pred_spans, pred_clusters)
    if response is not None:
        key = [[[s for s in entity if s.label in labels] for entity in doc] for doc in gold.clusters]
        tree["entities"] = _entity_layers([[e for e in doc if e] for doc in key], response, texts=texts, words=words)
    if any(pred_relations) or pred_relations_out_of_view:
        relation_notes = {"pred_relations_out_of_view": pred_relations_out_of_view}
        tree["relations"] = {
            mode: {
                boundary: _with_out_of_view(setting, relations_out_of_view, relation_notes)
                for boundary, setting in by_boundary.items()
            }
            for mode, by_boundary in _relations(
                gold_relations,
                pred_relations,
                texts=texts,
                units=units,
                words=words,
                level=relation_level,
                clusters=gold.clusters,
                pred_clusters=response,
                n_resamples=n_resamples,
                seed=seed,
                confidence=confidence,
            ).items()
        }
    return tree, errors


def _with_out_of_view(
    setting: dict[str, Any], out_of_scope: Mapping[str, int] | None, notes: Mapping[str, int] | None
) -> dict[str, Any]:
    """Add what the view left out to a setting's ``out_of_scope`` (gold) and ``notes`` (predictions)."""
    if out_of_scope:
        merged = dict(setting["out_of_scope"])
        for key, n in out_of_scope.items():
            if n:
                merged[key] = merged.get(key, 0) + int(n)
        setting["out_of_scope"] = dict(sorted(merged.items()))
    if notes:
        merged = dict(setting["notes"])
        for key, n in notes.items():
            if n:
                merged[key] = merged.get(key, 0) + int(n)
        setting["notes"] = dict(sorted(merged.items()))
    return setting


def _relations(
    gold: Sequence[Sequence[Relation]],
    pred: Sequence[Sequence[Relation]],
    *,
    texts: Sequence[str],
    units: Sequence[Sequence[tuple[int, int]]],
    words: Sequence[Sequence[tuple[int, int]] | None],
    level: str,
    clusters: Sequence[Sequence[Sequence[Span]]],
    pred_clusters: Sequence[Sequence[Sequence[Span]]] | None,
    n_resamples: int,
    seed: int,
    confidence: float,
) -> dict[str, Any]:
    from arabench.eval.relations import score_relations

    symmetric = [name for name, r in default_schema().relation_types.items() if r.symmetric]
    out: dict[str, Any] = {}
    for mode, boundary in relation_grid():
        scores = score_relations(
            gold,
            pred,
            mode=mode,
            symmetric=symmetric,
            boundary=boundary,
            texts=texts,
            units=units,
            words=words,
            level=level,
            gold_clusters=clusters if level == "entity" else None,
            pred_clusters=pred_clusters if level == "entity" else None,
        )
        out.setdefault(mode, {})[boundary] = setting_json(
            scores, n_resamples=n_resamples, seed=seed, confidence=confidence, half_counts=False
        )
    return out


#: The token view's settings: key in ``results.json`` -> scheme of :func:`arabench.eval.tokens.score_token_view`.
_TOKEN_SETTINGS = (("conlleval", "conlleval"), ("strict_iob2", "iob2"))


def _partitions(
    spans: Sequence[Sequence[Span]], clusters: Sequence[Sequence[Sequence[Span]]]
) -> list[list[list[Span]]]:
    """Per document, every predicted span in exactly one entity: its cluster (members kept in the view), or alone."""
    out = []
    for doc_spans, doc_clusters in zip(spans, clusters, strict=True):
        present = set(doc_spans)
        entities = [[s for s in group if s in present] for group in doc_clusters]
        entities = [e for e in entities if e]
        grouped = {s for e in entities for s in e}
        entities += [[s] for s in sorted(present - grouped)]
        out.append(entities)
    return out


def _entity_layers(
    key: Sequence[Sequence[Sequence[Span]]],
    response: Sequence[Sequence[Sequence[Span]]],
    *,
    texts: Sequence[str],
    words: Sequence[Sequence[tuple[int, int]] | None],
) -> dict[str, Any]:
    """The system's coreference in every relation mode and boundary (:func:`arabench.eval.coref.score_entity_layers`).

    Returns:
        ``{mode: {boundary: CorefScores.as_dict()}}``.
    """
    from arabench.eval.coref import score_entity_layers
    from arabench.eval.modes import relation_grid

    out: dict[str, Any] = {}
    for mode, boundary in relation_grid():
        scores = score_entity_layers(key, response, mode=mode, boundary=boundary, texts=texts, words=words)
        out.setdefault(mode, {})[boundary] = scores.as_dict()
    return out
