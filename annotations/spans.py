"""The span, relation and document types every part of arabench shares.

A :class:`Span` is a labelled, half-open character range ``[start, end)`` into
the *raw* text of a document, like spaCy's ``Span.start_char``/``end_char``.
The text is never normalized; the covered string is always ``text[start:end]``.
A model that needs normalized or pre-split input keeps an offset map back to
the raw text and reports spans in raw offsets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from arabench.annotations.errors import AnnotationError, ConversionError

__all__ = ["Span", "Relation", "Document", "first_duplicate_id", "outermost"]

#: The relation label that marks coreference (BRAT's ``*\tEquiv T1 T2 ...``); never a schema relation type.
EQUIV = "Equiv"


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A labelled half-open character range ``[start, end)`` into raw text.

    Spans order by ``(start, end, label)`` and are hashable, so sets of spans
    compare directly.

    Args:
        start: Offset of the first character (0-based, inclusive).
        end: Offset one past the last character (exclusive); ``end > start``.
        label: The entity type, e.g. ``"PERS"``.

    Raises:
        AnnotationError: If the offsets are not integers with ``0 <= start < end``.
    """

    start: int
    end: int
    label: str

    def __post_init__(self) -> None:
        if type(self.start) is not int or type(self.end) is not int:
            raise AnnotationError(
                "span offsets must be integers",
                field="start/end",
                value=(self.start, self.end),
                fix="pass int character offsets",
            )
        if not 0 <= self.start < self.end:
            raise AnnotationError(
                "span offsets must satisfy 0 <= start < end",
                field="start/end",
                value=(self.start, self.end),
                fix="use half-open character offsets of a non-empty range",
            )

    def text_in(self, text: str) -> str:
        """Return the covered string ``text[start:end]``."""
        return text[self.start : self.end]

    def with_label(self, label: str) -> Span:
        """Return the same range with another label."""
        return Span(self.start, self.end, label)

    def overlaps(self, other: Span) -> bool:
        """True if the two ranges share at least one character."""
        return self.start < other.end and other.start < self.end

    def contains(self, other: Span) -> bool:
        """True if ``other``'s range lies within this one (equal ranges included)."""
        return self.start <= other.start and other.end <= self.end

    def crosses(self, other: Span) -> bool:
        """True if the ranges overlap without one containing the other."""
        return self.overlaps(other) and not self.contains(other) and not other.contains(self)

    @property
    def range(self) -> tuple[int, int]:
        """The ``(start, end)`` pair without the label."""
        return (self.start, self.end)


@dataclass(frozen=True, slots=True, order=True)
class Relation:
    """A directed, typed relation between two entity spans.

    Args:
        label: The relation type, e.g. ``"HAS_ROLE"``.
        arg1: The first argument (the subject).
        arg2: The second argument (the object).
    """

    label: str
    arg1: Span
    arg2: Span


def _frozen(mapping: Mapping[str, object] | None) -> Mapping[str, object]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, eq=True)
class Document:
    r"""One text with its entity mentions, its entity layer and its relations.

    ``entities`` and ``relations`` map annotation ids (BRAT's ``T1``, ``R1``)
    to values, in file order, so that formats with ids round-trip exactly.
    ``entities`` holds *mentions*; the *entity layer* groups them: ``clusters``
    lists the groups of two or more coreferent mentions (by id, as written:
    BRAT's ``*\tEquiv T1 T2 ...`` lines), and every mention in no cluster is
    an entity of its own (a singleton). :meth:`entity_groups` gives the full
    partition.

    Args:
        id: The document id (the BRAT file stem).
        text: The raw text, exactly as stored on disk.
        entities: Entity id to span, in order.
        relations: Relation id to relation, in order; arguments are spans
            that also appear in ``entities``.
        metadata: Free-form document metadata (source, date, licence, ...).
        clusters: Groups of entity ids that denote one entity, in order; a
            mention in no group is a singleton. Checked by
            :func:`arabench.annotations.validate.validate` (every id an entity, each id
            in at most one group, two or more ids per group).
    """

    id: str
    text: str
    entities: Mapping[str, Span] = field(default_factory=dict)
    relations: Mapping[str, Relation] = field(default_factory=dict)
    metadata: Mapping[str, object] = field(default_factory=dict, compare=False)
    clusters: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "entities", _frozen(self.entities))
        object.__setattr__(self, "relations", _frozen(self.relations))
        object.__setattr__(self, "metadata", _frozen(self.metadata))
        object.__setattr__(self, "clusters", tuple(tuple(group) for group in self.clusters))

    __hash__ = None  # type: ignore[assignment]

    @property
    def spans(self) -> list[Span]:
        """All entity spans (nested ones included), sorted."""
        return sorted(self.entities.values())

    @property
    def flat_spans(self) -> list[Span]:
        """The outermost spans only (the flat layer), sorted."""
        return outermost(self.entities.values())

    def relation_arg_ids(self) -> dict[str, tuple[str, str]]:
        """Map every relation id to the entity ids of its two arguments, in order.

        An argument refers to the first entity (in file order) equal to it,
        which is how every id-based format (BRAT, JSONL, Label Studio,
        datasets) writes relations.

        Raises:
            ConversionError: If an argument is not one of the document's entities.
        """
        span_ids: dict[Span, str] = {}
        for ident, span in self.entities.items():
            span_ids.setdefault(span, ident)
        result: dict[str, tuple[str, str]] = {}
        for ident, relation in self.relations.items():
            for arg in (relation.arg1, relation.arg2):
                if arg not in span_ids:
                    raise ConversionError(
                        f"relation argument {arg} is not an entity of document {self.id!r}",
                        field=f"relations.{ident}",
                        value=arg,
                        fix="add the span to the document's entities",
                    )
            result[ident] = (span_ids[relation.arg1], span_ids[relation.arg2])
        return result

    def entity_groups(self) -> list[tuple[str, ...]]:
        """The entity layer as a partition of the mention ids, singletons included.

        Each group lists its ids in the order given (a cluster) or is one id
        (a mention in no cluster); groups are ordered by the position of their
        first mention in :attr:`entities`.

        Raises:
            AnnotationError: If a cluster names an id that is not an entity,
                or an id is in two clusters (validation reports both first).
        """
        order = {ident: n for n, ident in enumerate(self.entities)}
        seen: dict[str, int] = {}
        groups: list[tuple[str, ...]] = []
        for n, group in enumerate(self.clusters):
            for ident in group:
                if ident not in order:
                    raise AnnotationError(
                        f"cluster {n + 1} of document {self.id!r} names an id that is not an entity",
                        field=f"clusters[{n}]",
                        value=ident,
                        fix="list only ids of the document's entities",
                    )
                if ident in seen:
                    raise AnnotationError(
                        f"entity {ident} of document {self.id!r} is in two clusters ({seen[ident] + 1} and {n + 1})",
                        field=f"clusters[{n}]",
                        value=ident,
                        fix="merge the two clusters into one: a mention belongs to one entity",
                    )
                seen[ident] = n
            groups.append(tuple(group))
        groups.extend((ident,) for ident in self.entities if ident not in seen)
        return sorted(groups, key=lambda g: min((order[i] for i in g), default=len(order)))

    def entity_index(self) -> dict[str, int]:
        """Map every mention id to the index of its entity in :meth:`entity_groups`."""
        return {ident: n for n, group in enumerate(self.entity_groups()) for ident in group}

    def entity_relations(self) -> dict[tuple[str, int, int], list[str]]:
        """Relations collapsed to entities: ``(type, arg1 entity, arg2 entity)`` -> the relation ids stating it.

        Entities are indices into :meth:`entity_groups`; ids are in file order.
        """
        index = self.entity_index()
        result: dict[tuple[str, int, int], list[str]] = {}
        for ident, (a1, a2) in self.relation_arg_ids().items():
            result.setdefault((self.relations[ident].label, index[a1], index[a2]), []).append(ident)
        return result

    def span_clusters(self) -> list[list[Span]]:
        """The entity layer as lists of spans (every mention in exactly one list, singletons included)."""
        return [[self.entities[ident] for ident in group] for group in self.entity_groups()]

    def entity_id(self, span: Span) -> str:
        """Return the id of the first entity equal to ``span``.

        Raises:
            AnnotationError: If no entity of this document equals ``span``.
        """
        for key, value in self.entities.items():
            if value == span:
                return key
        raise AnnotationError(
            f"document {self.id!r} has no entity {span}",
            fix="add the span to the document's entities first",
        )


def outermost(spans: Iterable[Span]) -> list[Span]:
    """Return the spans not strictly contained in another span, sorted.

    Two spans with the same range and different labels are both kept; crossing
    spans (partial overlaps) are both kept too, since neither contains the other.
    """
    ordered = sorted(set(spans), key=lambda s: (s.start, -s.end, s.label))
    result: list[Span] = []
    max_end = -1
    cover: tuple[int, int] | None = None
    for span in ordered:
        if cover is not None and span.range == cover:
            result.append(span)
            continue
        if span.end <= max_end:
            continue  # strictly inside an earlier (longer or same-start) span
        result.append(span)
        max_end = span.end
        cover = span.range
    return sorted(result)


def first_duplicate_id(ids: Iterable[str]) -> str | None:
    """The first id given a second time, or ``None`` (one pass): the one duplicate-id check of document sets."""
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            return ident
        seen.add(ident)
    return None
