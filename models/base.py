"""The one interface every NER system is adapted to.

An adapter turns raw texts into :class:`Prediction`s: character spans over the
*raw* text (``text[span.start:span.end]`` is the mention), labelled in the label
space of the adapter's :attr:`NERModel.view` (a label view of the schema:
``native`` for the schema's 21 types, ``conll4`` or ``anercorp`` for coarser tag
sets). Nothing is silent: labels that could not be mapped, text that could not
be covered, spans that could not be aligned are counted in
:attr:`Prediction.diagnostics`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol, runtime_checkable

from arabench.annotations.spans import Relation, Span

__all__ = ["NERModel", "Prediction"]


@dataclass(frozen=True)
class Prediction:
    """What a model says about one text.

    Args:
        spans: Predicted entity spans in raw-text offsets, labelled in the
            model's view.
        relations: Predicted relations between predicted spans (most
            adapters predict none).
        diagnostics: Counters of everything the adapter had to do that could
            change a score, e.g. ``{"dropped_label:MISC": 3, "windows": 4}``.
            Keys are stable strings; the harness reports every one of them.
        clusters: The predicted entity layer: groups of two or more predicted
            spans (members of ``spans``) that denote one entity; a span in no
            group is an entity of its own. Empty when the model predicts no
            coreference (then its entity layer is not scored).
    """

    spans: tuple[Span, ...] = ()
    relations: tuple[Relation, ...] = ()
    diagnostics: Mapping[str, int] = field(default_factory=dict)
    clusters: tuple[tuple[Span, ...], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "spans", tuple(sorted(self.spans)))
        object.__setattr__(self, "relations", tuple(self.relations))
        object.__setattr__(self, "clusters", tuple(tuple(sorted(group)) for group in self.clusters))
        object.__setattr__(self, "diagnostics", MappingProxyType(dict(self.diagnostics)))


@runtime_checkable
class NERModel(Protocol):
    """An NER system adapted to arabench.

    Attributes:
        name: The registry name the model was created from (e.g. ``"rules"``,
            ``"hf:CAMeL-Lab/bert-base-arabic-camelbert-msa-ner"``).
        view: The name of the label view its labels live in: a schema view
            (``"native"``, ``"conll4"``, ``"anercorp"``) or a view defined by a
            packaged model card; :func:`arabench.models.cards.resolve_view` turns it
            into the :class:`~annotations.schema.View`.
        labels: The view labels it can emit. Gold mentions of other labels
            are reported apart, not counted as its misses.
    """

    name: str
    view: str
    labels: frozenset[str]

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Return one :class:`Prediction` per text, in order."""
        ...

    def provenance(self) -> Mapping[str, object]:
        """Return what identifies this model's predictions for caching and results.

        At least ``{"id": ..., "revision": ..., "adapter_version": ...,
        "label_map": ...}``; values must be JSON-serializable.
        """
        ...
