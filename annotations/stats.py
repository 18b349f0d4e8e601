"""Describe an annotation corpus: sizes, mentions, nesting, relations, surface forms.

Definitions (the numbers :func:`corpus_stats` reports):

* **tokens**: words of :func:`arabench.annotations.tokenize.words`; every punctuation or
  symbol character is a token of its own, as in the CoNLL export.
* **sentences**: :func:`arabench.annotations.tokenize.sentence_ranges`, the one
  sentence rule of arabench (also the bootstrap's units and the CoNLL
  export's sentences): a sentence ends after ``.``, ``!``, ``?`` or ``؟``
  followed by white space or the end of the text (so ``3.5`` and ``U.S.A``
  stay whole), and at every line break. Unlike the exporter, a break inside
  a span is not moved: statistics do not depend on the annotations.
  A corpus that comes with its own tokens and sentences (a CoNLL file, a
  token table) is counted on *them* (``own_counts``): ANERcorp's sentences
  are its blank-line blocks, a parquet's its rows.
* **nested mention**: a mention that lies inside another mention with a
  different range (the flat layer, :func:`arabench.annotations.spans.outermost`, leaves
  it out); an **outermost** mention is any other one. Two mentions with the
  same range are both outermost; crossing mentions are both outermost.
* **depth** of a mention: 1 plus the number of distinct ranges that contain
  it and differ from its own; outermost mentions have depth 1.
* **surface forms**: distinct covered strings ``text[start:end]`` per type,
  exactly as written (no normalization).
* **entities** (the entity layer, guidelines §14): every cluster of
  coreferent mentions is one entity and every mention in no cluster is a
  singleton entity, so ``entities = clusters + singletons`` per type. An
  entity's type is its mentions' type (a GPE entity may hold NORP mentions:
  :func:`arabench.annotations.validate.entity_type`). **clusters** are the entities of
  two or more mentions; **clustered mentions** the mentions they hold.
* **entity relations**: relations collapsed to one per (type, entity of
  arg1, entity of arg2), the unit of entity-level relation scoring.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from arabench.annotations.spans import Document, Span
from arabench.annotations.tokenize import sentence_ranges, words
from arabench.annotations.validate import entity_type

__all__ = ["CorpusStats", "corpus_stats", "sentence_count", "mention_depths"]


def sentence_count(text: str) -> int:
    """The number of sentences of ``text`` (``arabench.annotations.tokenize.sentence_ranges``)."""
    return len(sentence_ranges(text))


def mention_depths(spans: Iterable[Span]) -> list[int]:
    """The nesting depth of each span, in the order given (1 = not inside another range)."""
    spans = list(spans)
    ranges = sorted({s.range for s in spans})
    depths = []
    for span in spans:
        depth = 1
        for start, end in ranges:
            if start > span.start:
                break
            if end >= span.end and (start, end) != span.range:
                depth += 1
        depths.append(depth)
    return depths


@dataclass(frozen=True)
class CorpusStats:
    """Counts describing a corpus. Per-type mappings are sorted by type name.

    Attributes:
        documents: Number of documents.
        characters: Characters of all texts.
        tokens: Words (see the module docstring).
        sentences: Sentences (see the module docstring).
        mentions: Entity mentions per type (nested ones included).
        outermost: Outermost mentions per type (the flat layer).
        nested: Nested mentions per type.
        depths: Number of mentions at each nesting depth (1 = outermost).
        relations: Relations per type.
        surface_forms: Distinct surface forms per type.
        entities: Entities per entity type (clusters and singletons).
        clusters: Entities of two or more mentions, per entity type.
        clustered_mentions: Mentions inside clusters, per entity type.
        cluster_sizes: Number of entities of each size (mentions per entity).
        entity_relations: Relations per type after collapsing to entity pairs.
    """

    documents: int
    characters: int
    tokens: int
    sentences: int
    mentions: Mapping[str, int] = field(default_factory=dict)
    outermost: Mapping[str, int] = field(default_factory=dict)
    nested: Mapping[str, int] = field(default_factory=dict)
    depths: Mapping[int, int] = field(default_factory=dict)
    relations: Mapping[str, int] = field(default_factory=dict)
    surface_forms: Mapping[str, int] = field(default_factory=dict)
    entities: Mapping[str, int] = field(default_factory=dict)
    clusters: Mapping[str, int] = field(default_factory=dict)
    clustered_mentions: Mapping[str, int] = field(default_factory=dict)
    cluster_sizes: Mapping[int, int] = field(default_factory=dict)
    entity_relations: Mapping[str, int] = field(default_factory=dict)

    @property
    def total_entities(self) -> int:
        """All entities (clusters and singletons)."""
        return sum(self.entities.values())

    @property
    def total_clusters(self) -> int:
        """All entities of two or more mentions."""
        return sum(self.clusters.values())

    @property
    def total_entity_relations(self) -> int:
        """All relations after collapsing to entity pairs."""
        return sum(self.entity_relations.values())

    @property
    def total_mentions(self) -> int:
        """All mentions."""
        return sum(self.mentions.values())

    @property
    def total_outermost(self) -> int:
        """All outermost mentions."""
        return sum(self.outermost.values())

    @property
    def total_nested(self) -> int:
        """All nested mentions."""
        return sum(self.nested.values())

    @property
    def max_depth(self) -> int:
        """The deepest nesting (0 for a corpus without mentions)."""
        return max(self.depths, default=0)

    @property
    def total_relations(self) -> int:
        """All relations."""
        return sum(self.relations.values())

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict of every count (depth keys as strings)."""
        return {
            "documents": self.documents,
            "characters": self.characters,
            "tokens": self.tokens,
            "sentences": self.sentences,
            "mentions": dict(self.mentions),
            "outermost": dict(self.outermost),
            "nested": dict(self.nested),
            "depths": {str(k): v for k, v in self.depths.items()},
            "max_depth": self.max_depth,
            "relations": dict(self.relations),
            "surface_forms": dict(self.surface_forms),
            "entities": dict(self.entities),
            "clusters": dict(self.clusters),
            "clustered_mentions": dict(self.clustered_mentions),
            "cluster_sizes": {str(k): v for k, v in self.cluster_sizes.items()},
            "entity_relations": dict(self.entity_relations),
            "totals": {
                "mentions": self.total_mentions,
                "outermost": self.total_outermost,
                "nested": self.total_nested,
                "relations": self.total_relations,
                "entities": self.total_entities,
                "clusters": self.total_clusters,
                "entity_relations": self.total_entity_relations,
            },
        }


def corpus_stats(documents: Iterable[Document], *, own_counts: Sequence[tuple[int, int]] | None = None) -> CorpusStats:
    """Count what a corpus holds (see the module docstring for each definition).

    ``own_counts``: per document, the number of its own tokens and sentences (a CoNLL file's), counted
    instead of the words and sentences of arabench's rules.
    """
    n_docs = characters = tokens = sentences = 0
    mentions: Counter[str] = Counter()
    outer: Counter[str] = Counter()
    nested: Counter[str] = Counter()
    depths: Counter[int] = Counter()
    relations: Counter[str] = Counter()
    forms: dict[str, set[str]] = {}
    entities: Counter[str] = Counter()
    clusters: Counter[str] = Counter()
    clustered: Counter[str] = Counter()
    sizes: Counter[int] = Counter()
    entity_relations: Counter[str] = Counter()
    for doc in documents:
        n_docs += 1
        characters += len(doc.text)
        if own_counts is not None:
            tokens += own_counts[n_docs - 1][0]
            sentences += own_counts[n_docs - 1][1]
        else:
            tokens += len(words(doc.text))
            sentences += sentence_count(doc.text)
        spans = list(doc.entities.values())
        for span, depth in zip(spans, mention_depths(spans), strict=True):
            mentions[span.label] += 1
            depths[depth] += 1
            (outer if depth == 1 else nested)[span.label] += 1
            forms.setdefault(span.label, set()).add(doc.text[span.start : span.end])
        relations.update(r.label for r in doc.relations.values())
        groups = doc.entity_groups()
        for group in groups:
            labels = [doc.entities[ident].label for ident in group]
            kind = entity_type(labels) or "/".join(sorted(set(labels)))
            entities[kind] += 1
            sizes[len(group)] += 1
            if len(group) > 1:
                clusters[kind] += 1
                clustered[kind] += len(group)
        entity_relations.update(label for label, _, _ in doc.entity_relations())
    return CorpusStats(
        documents=n_docs,
        characters=characters,
        tokens=tokens,
        sentences=sentences,
        mentions=dict(sorted(mentions.items())),
        outermost=dict(sorted(outer.items())),
        nested=dict(sorted(nested.items())),
        depths=dict(sorted(depths.items())),
        relations=dict(sorted(relations.items())),
        surface_forms={k: len(v) for k, v in sorted(forms.items())},
        entities=dict(sorted(entities.items())),
        clusters=dict(sorted(clusters.items())),
        clustered_mentions=dict(sorted(clustered.items())),
        cluster_sizes=dict(sorted(sizes.items())),
        entity_relations=dict(sorted(entity_relations.items())),
    )
