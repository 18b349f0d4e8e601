"""Scoring under a label view: gold is projected into the view, predictions already live in it.

A model labelled in the ``conll4`` view (PER, LOC, ORG, MISC) is scored
against the gold projected with :func:`project_gold`: GPE, LOC and FAC become
LOC, types the view ignores (DATE, OCC, ...) are not scored. Gold mentions
whose type the view ignores are counted per type in ``SpanScores.out_of_scope``
under the key ``"<type> (not in view <name>)"``, so nothing disappears from
the report. :func:`project_gold` is the one projection of schema-typed spans
into a view: :func:`score_spans_in_view` (the Python API's one-call scorer),
``arabench score`` (:mod:`arabench.benchmark.score_files`, for gold and for
predictions in schema types) and the harness (:mod:`arabench.benchmark.runner`,
also for gold in a coarser view) all use it. The views themselves come from the
one registry (:func:`arabench.annotations.schema.registered_views`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from arabench.annotations.schema import View
from arabench.annotations.spans import Relation, Span
from arabench.eval.spans import SpanScores, score_spans

__all__ = ["GoldInView", "project_gold", "relabel_spans", "relabel_relations", "score_spans_in_view"]


def relabel_spans(spans: Iterable[Span], mapping: Mapping[str, str | None]) -> list[Span]:
    """Relabel spans with ``mapping``, leaving out those whose label maps to ``None`` or is not in it."""
    out = []
    for span in spans:
        label = mapping.get(span.label)
        if label is not None:
            out.append(span if label == span.label else span.with_label(label))
    return out


def relabel_relations(relations: Iterable[Relation], mapping: Mapping[str, str | None]) -> list[Relation]:
    """Relabel the arguments of relations with ``mapping``, leaving out relations with an argument it leaves out."""
    out = []
    for rel in relations:
        a1, a2 = mapping.get(rel.arg1.label), mapping.get(rel.arg2.label)
        if a1 is None or a2 is None:
            continue
        out.append(Relation(rel.label, rel.arg1.with_label(a1), rel.arg2.with_label(a2)))
    return out


@dataclass(frozen=True)
class GoldInView:
    """Gold projected into a view, with what the view leaves out counted.

    Attributes:
        view: The view projected into.
        spans: The projected spans, per document.
        relations: The projected relations, per document (relations with an
            argument the view leaves out are not kept).
        left_out: Gold spans the view leaves out, per gold label, sorted.
        relations_left_out: Gold relations left out, per relation type, sorted.
        clusters: The projected entity layer, per document: each gold entity's
            mentions in the view (mentions the view leaves out are dropped, and
            an entity left with none with them); empty when not projected.
    """

    view: View
    spans: list[list[Span]]
    relations: list[list[Relation]] = field(default_factory=list)
    left_out: dict[str, int] = field(default_factory=dict)
    relations_left_out: dict[str, int] = field(default_factory=dict)
    clusters: list[list[list[Span]]] = field(default_factory=list)

    def out_of_scope(self) -> dict[str, int]:
        """``left_out`` keyed the way reports show it: ``"<type> (not in view <name>)"``."""
        return {f"{label} (not in view {self.view.name})": n for label, n in self.left_out.items()}

    def relations_out_of_scope(self) -> dict[str, int]:
        """``relations_left_out`` keyed ``"<type> (argument not in view <name>)"``."""
        return {f"{label} (argument not in view {self.view.name})": n for label, n in self.relations_left_out.items()}


def project_gold(
    gold: Sequence[Sequence[Span]],
    view: View,
    *,
    gold_view: View | None = None,
    relations: Sequence[Sequence[Relation]] | None = None,
    clusters: Sequence[Sequence[Sequence[Span]]] | None = None,
) -> GoldInView:
    """Project gold spans (and relations, and the entity layer) into ``view``.

    Args:
        gold: Gold spans per document.
        view: The view to project into.
        gold_view: The view the gold labels are in; ``None`` for schema types
            (then a type the schema does not know is an error).
        relations: Gold relations per document, or ``None``.
        clusters: The gold entity layer per document (every mention in one
            list, :meth:`arabench.annotations.spans.Document.span_clusters`), or ``None``.

    Raises:
        SchemaError: If ``gold_view`` is None and a gold label is not a schema type,
            or ``gold_view`` does not coarsen into ``view``.
    """
    if gold_view is None:
        for spans in gold:
            for span in spans:
                view.label_of(span.label)  # raises, naming the type and the view's types
        mapping: Mapping[str, str | None] = view.mapping
    else:
        coarsening = gold_view.coarsening_to(view)
        if coarsening is None:
            from arabench.annotations.errors import SchemaError

            raise SchemaError(
                f"the gold view {gold_view.name!r} does not coarsen into view {view.name!r}",
                field="view",
                value=view.name,
                fix="score in a view the gold's labels coarsen into",
            )
        mapping = coarsening
    left_out: Counter[str] = Counter(s.label for spans in gold for s in spans if mapping.get(s.label) is None)
    projected_relations: list[list[Relation]] = []
    relations_left_out: Counter[str] = Counter()
    for rels in relations or ():
        kept = relabel_relations(rels, mapping)
        projected_relations.append(kept)
        if len(kept) != len(rels):
            relations_left_out.update(
                r.label for r in rels if mapping.get(r.arg1.label) is None or mapping.get(r.arg2.label) is None
            )
    return GoldInView(
        view=view,
        spans=[relabel_spans(spans, mapping) for spans in gold],
        relations=projected_relations,
        left_out=dict(sorted(left_out.items())),
        relations_left_out=dict(sorted(relations_left_out.items())),
        clusters=[[kept for entity in doc if (kept := relabel_spans(entity, mapping))] for doc in clusters or ()],
    )


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
        **options: Keyword options of :func:`arabench.eval.spans.score_spans`
            (``mode``, ``boundary``, ``layer``, ``texts``, ``units``, ``labels``).

    Returns:
        The :class:`arabench.eval.spans.SpanScores`; its ``out_of_scope`` also counts
        gold spans whose type the view ignores, and its ``notes`` count
        predictions whose label is not a label of the view
        (``pred_labels_not_in_view``; they are scored as false positives).
    """
    projected = project_gold(gold, view)
    scores = score_spans(projected.spans, pred, **options)
    outside = sum(1 for spans in pred for s in spans if s.label not in view.labels)
    if not projected.left_out and not outside:
        return scores
    merged = dict(scores.out_of_scope)
    merged.update(projected.out_of_scope())
    notes = dict(scores.notes)
    if outside:
        notes["pred_labels_not_in_view"] = outside
    return replace(scores, out_of_scope=merged, notes=dict(sorted(notes.items())))
