"""Scoring under a label view: gold is projected into the view, predictions already live in it.

A model labelled in the ``conll4`` view (PER, LOC, ORG, MISC) is scored
against the gold projected with :meth:`annotations.schema.View.project`: GPE,
LOC and FAC become LOC, types the view ignores (DATE, OCC, ...) are not
scored. Gold mentions whose type the view ignores are counted per schema type
in ``SpanScores.out_of_scope`` under the key ``"<type> (not in view <name>)"``,
so nothing disappears from the report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from annotations.schema import View
from annotations.spans import Span
from eval.spans import SpanScores, score_spans

__all__ = ["project_gold", "score_spans_in_view"]


def project_gold(gold: Sequence[Sequence[Span]], view: View) -> tuple[list[list[Span]], dict[str, int]]:
    """Relabel gold spans into ``view``.

    Returns:
        The projected spans per document, and the number of gold spans of each
        schema type the view ignores.
    """
    ignored = view.ignored_types()
    dropped: Counter = Counter()
    projected = []
    for spans in gold:
        for s in spans:
            if s.label in ignored:
                dropped[s.label] += 1
        projected.append(view.project(spans))
    return projected, dict(sorted(dropped.items()))


def score_spans_in_view(
    gold: Sequence[Sequence[Span]],
    pred: Sequence[Sequence[Span]],
    *,
    view: View,
    **options: Any,
) -> SpanScores:
    """Score ``pred`` (labelled in ``view``) against ``gold`` (schema types) projected into ``view``.

    Args:
        gold: Gold spans with schema types.
        pred: Predicted spans with ``view`` labels.
        view: The label view.
        **options: Keyword options of :func:`eval.spans.score_spans`
            (``mode``, ``boundary``, ``layer``, ``texts``, ``units``, ``labels``).

    Returns:
        The :class:`eval.spans.SpanScores`; its ``out_of_scope`` also counts
        gold spans whose type the view ignores, and its ``notes`` count
        predictions whose label is not a label of the view
        (``pred_labels_not_in_view``; they are scored as false positives).
    """
    projected, dropped = project_gold(gold, view)
    scores = score_spans(projected, pred, **options)
    outside = sum(1 for spans in pred for s in spans if s.label not in view.labels)
    if not dropped and not outside:
        return scores
    merged = dict(scores.out_of_scope)
    for label, n in dropped.items():
        merged[f"{label} (not in view {view.name})"] = n
    notes = dict(scores.notes)
    if outside:
        notes["pred_labels_not_in_view"] = outside
    return replace(scores, out_of_scope=merged, notes=dict(sorted(notes.items())))
