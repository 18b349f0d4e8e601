"""A model's predictions as documents: what ``arabench predict`` and ``run --save-predictions`` write.

Pure (no I/O, no model code), so that the results writer and :mod:`arabench.benchmark.predicting` share it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from arabench.annotations.spans import Document, Relation, Span
from arabench.eval.views import relabel_relations, relabel_spans
from arabench.models.base import Prediction

__all__ = ["prediction_documents", "prediction_file_name"]


def prediction_documents(
    documents: Sequence[Document],
    predictions: Sequence[Prediction],
    *,
    mapping: Mapping[str, str | None] | None = None,
) -> tuple[list[Document], Counter[str]]:
    """One document per prediction: the source's id and text, the predicted spans as ``T1``... and relations.

    Args:
        documents: The source documents (ids and texts), in order.
        predictions: One prediction per document.
        mapping: Model label -> view label (``None`` drops); ``None`` keeps the model's labels.

    Returns:
        The documents, and per model label the spans dropped by ``mapping``.
    """
    dropped: Counter[str] = Counter()
    out = []
    for document, prediction in zip(documents, predictions, strict=True):
        spans: Sequence[Span] = prediction.spans
        relations: Sequence[Relation] = prediction.relations
        if mapping is not None:
            dropped.update(s.label for s in spans if mapping.get(s.label) is None)
            spans = relabel_spans(spans, mapping)
            relations = relabel_relations(relations, mapping)
        ordered = list(dict.fromkeys(sorted([*spans, *(a for r in relations for a in (r.arg1, r.arg2))])))
        entities = {f"T{n}": span for n, span in enumerate(ordered, start=1)}
        relation_map = {f"R{n}": r for n, r in enumerate(dict.fromkeys(relations), start=1)}
        out.append(Document(document.id, document.text, entities, relation_map))
    return out, dropped


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def prediction_file_name(model: str, taken: set[str]) -> str:
    """A file name for a model's predictions: its name with every other character as ``_``, made unique."""
    base = _UNSAFE.sub("_", model).strip("._") or "model"
    name, n = base, 1
    while name.casefold() in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name.casefold())
    return name
