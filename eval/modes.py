"""Match modes, boundary conventions and layers: data read by the one matcher in :mod:`arabench.eval.spans`.

A :class:`MatchMode` says when a predicted span may be paired with a gold span
and how much credit the pair earns:

==========  ===================  ===========  =====================================
mode        boundaries           type         credit
==========  ===================  ===========  =====================================
``strict``  exact range          must agree   1
``exact``   exact range          ignored      1
``partial`` exact range/overlap  ignored      1 for the exact range, 0.5 for overlap
``type``    any overlap          must agree   1
==========  ===================  ===========  =====================================

``partial`` is SemEval-2013 task 9.1's partial match (nervaluate's ``partial``);
``type`` is nervaluate's ``ent_type``.

Boundaries (:data:`BOUNDARIES`): ``char`` compares raw character offsets;
``word`` first widens gold and predicted spans to whole words of
:mod:`arabench.annotations.tokenize` (so ``بالكويت`` and ``الكويت`` agree).

Layers (:data:`LAYERS`): ``flat`` scores the outermost spans only
(:func:`arabench.annotations.spans.outermost`); ``nested`` scores every span.

**The scoring grid** is declared here and nowhere else: :data:`MODES` ×
:data:`BOUNDARIES` × :data:`LAYERS` (in that order, which is the order of
``results.json``) for spans (:func:`span_grid`), :data:`RELATION_MODES` ×
:data:`BOUNDARIES` for relations (:func:`relation_grid`, at one of the
:data:`RELATION_LEVELS`), and the
:data:`HEADLINE` setting. Agreement names its entity matches after the
relation modes (:data:`ENTITY_MATCHES`). The harness, ``arabench score``,
``arabench compare`` and agreement read these.
"""

from __future__ import annotations

from collections.abc import Iterator, Sized
from dataclasses import dataclass
from typing import Literal, NamedTuple

from arabench.annotations.errors import ScoringError

__all__ = [
    "MatchMode",
    "MODES",
    "BOUNDARIES",
    "LAYERS",
    "RELATION_MODES",
    "RELATION_LEVELS",
    "ENTITY_MATCHES",
    "Setting",
    "HEADLINE",
    "span_grid",
    "relation_grid",
    "get_mode",
    "check_boundary",
    "check_layer",
]

BoundaryRule = Literal["exact", "overlap"]


@dataclass(frozen=True)
class MatchMode:
    """How a gold and a predicted span are paired and credited.

    Args:
        name: The mode's name.
        boundary_rule: ``"exact"``: ranges must be equal; ``"overlap"``: ranges
            must share at least one character.
        type_rule: True if the labels must be equal.
        partial_credit: Credit of an overlapping pair whose ranges differ
            (1.0 when the mode does not distinguish; 0.5 for ``partial``).
    """

    name: str
    boundary_rule: BoundaryRule
    type_rule: bool
    partial_credit: float = 1.0

    def credit(self, same_range: bool, overlap: bool, same_type: bool) -> float:
        """Credit a pair earns under this mode (0.0 when it may not be paired)."""
        if self.type_rule and not same_type:
            return 0.0
        if same_range:
            return 1.0
        if self.boundary_rule == "overlap" and overlap:
            return self.partial_credit
        return 0.0


#: Every match mode by name.
MODES: dict[str, MatchMode] = {
    "strict": MatchMode("strict", "exact", True),
    "exact": MatchMode("exact", "exact", False),
    "partial": MatchMode("partial", "overlap", False, 0.5),
    "type": MatchMode("type", "overlap", True),
}

#: Boundary conventions.
BOUNDARIES: tuple[str, ...] = ("char", "word")

#: Span layers.
LAYERS: tuple[str, ...] = ("flat", "nested")

#: Relation match modes (:func:`arabench.eval.relations.score_relations`): ``strict`` also
#: compares the argument types, ``boundaries`` only the argument ranges.
RELATION_MODES: tuple[str, ...] = ("strict", "boundaries")

#: Relation levels (:mod:`arabench.eval.relations`): what a relation's arguments are. The
#: first, ``entity`` (clusters of coreferent mentions), is the headline.
RELATION_LEVELS: tuple[str, ...] = ("entity", "mention")

#: Entity matches named like the relation modes (agreement) -> the :data:`MODES` mode scoring them.
ENTITY_MATCHES: dict[str, str] = {"strict": "strict", "boundaries": "exact"}


class Setting(NamedTuple):
    """One cell of the span grid."""

    mode: str
    boundary: str
    layer: str


#: The headline setting: strict match, word boundaries, flat layer.
HEADLINE = Setting("strict", "word", "flat")


def span_grid() -> Iterator[Setting]:
    """Every span setting: :data:`MODES` × :data:`BOUNDARIES` × :data:`LAYERS`, in that order."""
    for mode in MODES:
        for boundary in BOUNDARIES:
            for layer in LAYERS:
                yield Setting(mode, boundary, layer)


def relation_grid() -> Iterator[tuple[str, str]]:
    """Every relation setting: :data:`RELATION_MODES` × :data:`BOUNDARIES`, in that order."""
    for mode in RELATION_MODES:
        for boundary in BOUNDARIES:
            yield mode, boundary


def _unknown(kind: str, value: object, known: tuple[str, ...] | list[str]) -> ScoringError:
    from difflib import get_close_matches

    close = get_close_matches(str(value), list(known), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return ScoringError(f"unknown {kind}", field=kind, value=value, fix=f"{hint}use one of {', '.join(known)}")


def get_mode(mode: str | MatchMode) -> MatchMode:
    """Return the :class:`MatchMode` called ``mode`` (a ``MatchMode`` is returned as is).

    Raises:
        ScoringError: If no mode has that name (the message suggests the closest).
    """
    if isinstance(mode, MatchMode):
        return mode
    try:
        return MODES[mode]
    except (KeyError, TypeError):
        raise _unknown("mode", mode, list(MODES)) from None


def check_boundary(boundary: str) -> str:
    """Return ``boundary`` if it is a known boundary convention, else raise :class:`ScoringError`."""
    if boundary not in BOUNDARIES:
        raise _unknown("boundary", boundary, BOUNDARIES)
    return boundary


def check_layer(layer: str) -> str:
    """Return ``layer`` if it is a known layer, else raise :class:`ScoringError`."""
    if layer not in LAYERS:
        raise _unknown("layer", layer, LAYERS)
    return layer


def check_documents(gold: Sized, pred: Sized, *, units: Sized | None, items: str) -> int:
    """Check that predictions (and units, when given) come one per gold document; return the count.

    Args:
        gold: One entry per gold document.
        pred: One entry per document, predicted.
        units: Scoring units per document, or ``None``.
        items: What one entry holds (``"spans"``, ``"relations"``), for the message.

    Raises:
        ScoringError: Naming the field, the bad length and the fix.
    """
    n_docs = len(gold)
    if len(pred) != n_docs:
        raise ScoringError(
            "gold and predictions must have the same number of documents",
            field="pred",
            value=len(pred),
            fix=f"pass one list of predicted {items} per gold document ({n_docs})",
        )
    if units is not None and len(units) != n_docs:
        raise ScoringError(
            "units must have one entry per document",
            field="units",
            value=len(units),
            fix=f"pass {n_docs} lists of (start, end) ranges",
        )
    return n_docs
