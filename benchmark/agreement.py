"""Inter-annotator agreement between two annotation sets of the same texts.

Agreement is pairwise F1 (Hripcsak & Rothschild, 2005): one set (A) is taken
as the reference and the other (B) is scored against it with the benchmark's
own scorer (:mod:`eval`), so the numbers mean exactly what benchmark scores
mean. F1 is symmetric: swapping A and B swaps ``fp`` and ``fn`` and leaves
F1 unchanged. Counts read as: ``tp`` both sets hold the mention, ``fn`` only
A, ``fp`` only B.

Every figure is given for the nested layer (every mention) under

* **entities**: ``strict`` (type and boundaries agree; :data:`arabench.eval.modes.MODES`
  ``strict``) and ``boundaries`` (boundaries agree, type ignored; ``exact``);
* **relations**: ``strict`` (relation type, argument boundaries and argument
  types) and ``boundaries`` (relation type and argument boundaries);

each with ``char`` boundaries (raw character offsets) and ``word`` boundaries
(spans widened to whole words first, so ``بعمان`` and ``عمان`` inside it agree).

The **entity layer** (coreference clusters, guidelines §14) is compared in the
same four settings with MUC, B³, CEAF-e and their CoNLL average
(:func:`arabench.eval.coref.score_entity_layers`; every mention is an entity, singletons
included; a mention of B is a mention of A when the setting's key matches), and
**relations at the entity level** (the headline, :func:`arabench.eval.relations.score_relations`
with ``level="entity"``): a relation of B agrees when its type and the entities
*of A* that its arguments' mentions belong to match a relation of A, whichever
mentions either set named. B's mentions are read through A's entity layer (A
is the reference); a mention of B that A does not have takes B's own cluster.
Entity-level counts are therefore not exactly symmetric when the two entity
layers differ; the coreference metrics say by how much they do.

**Disagreements** (:class:`Disagreement`, :func:`disagreements`) list, for
adjudication, every mention and relation the strictest setting (``strict``,
``char``) does not count as held by both, side by side: a mention of A and the
mention of B it most likely corresponds to (same range, else same type and the
largest overlap) are one line of kind ``type``, ``boundaries`` or
``boundaries+type``; what has no overlapping counterpart is ``only A`` or
``only B``. Relations are paired the same way (arguments overlapping in order,
either order for symmetric types) into ``type``, ``arguments`` or
``type+arguments``, at the mention level and at the entity level (a relation
between entities, each shown with its mentions; B's mentions read through A's
entity layer as above). Every disagreement of any looser setting is among them.

**Coreference disagreements** (level ``coreference``, :func:`cluster_disagreements`) compare the two
entity layers on the mentions both sets hold (same character range; a mention one set lacks is listed
above, a type disagreement too): a mention that left its entity for another one is ``moved`` (A's entity
and B's entity shown, each without it); an entity of A whose mentions B puts into several entities is
``split``; an entity of B that joins mentions of several entities of A is ``merged``. These are what move
MUC, B³ and CEAF-e on the shared mentions, so each such difference comes with at least one line.

**Cohen's kappa on words** (:func:`arabench.eval.kappa.token_kappa`): the flat layer of each set projected
onto one BIO tag per word, kappa over every word and over the words either set tagged; given next to the
F1 figures, as Arabic NER corpora (Wojood) report it.

Documents are paired by id; both sets must hold the same ids and, for each,
the identical text, or a :class:`~annotations.errors.ScoringError` names the
document.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arabench.annotations.errors import ScoringError
from arabench.annotations.schema import Schema, default_schema
from arabench.annotations.spans import Document, Span
from arabench.eval.coref import CorefScores, score_entity_layers
from arabench.eval.kappa import TokenKappa, token_kappa
from arabench.eval.modes import BOUNDARIES, ENTITY_MATCHES, RELATION_MODES, relation_grid
from arabench.eval.relations import RelationScores, score_relations
from arabench.eval.spans import SpanScores, score_spans

__all__ = [
    "ENTITY_MATCHES",
    "RELATION_MATCHES",
    "BOUNDARIES",
    "Agreement",
    "Disagreement",
    "agreement",
    "agreement_of_paths",
    "disagreements",
    "cluster_disagreements",
]

#: Relation matches (the :func:`arabench.eval.relations.score_relations` modes, declared in :mod:`arabench.eval.modes`).
RELATION_MATCHES: tuple[str, ...] = RELATION_MODES


@dataclass(frozen=True)
class Agreement:
    """Agreement of B against A.

    Attributes:
        reference: What A is (a path or a name).
        other: What B is.
        document_ids: The documents compared, sorted.
        entities: ``(match, boundary)`` -> span scores (nested layer), for
            every match of :data:`ENTITY_MATCHES` and boundary of :data:`BOUNDARIES`.
        relations: ``(match, boundary)`` -> relation scores (mention level).
        entity_relations: ``(match, boundary)`` -> relation scores at the entity level.
        coref: ``(match, boundary)`` -> coreference scores of B's entity layer against A's.
        entity_counts: Mentions in A and in B.
        relation_counts: Relations in A and in B.
        cluster_counts: Entities (clusters and singletons) in A and in B.
        disagreements: Every disagreement, per document (:class:`Disagreement`).
        kappa: Cohen's kappa on words (BIO tags of the flat layer), see :mod:`arabench.eval.kappa`.
    """

    reference: str
    other: str
    document_ids: tuple[str, ...]
    entities: Mapping[tuple[str, str], SpanScores]
    relations: Mapping[tuple[str, str], RelationScores]
    entity_counts: tuple[int, int]
    relation_counts: tuple[int, int]
    entity_relations: Mapping[tuple[str, str], RelationScores] = field(default_factory=dict)
    coref: Mapping[tuple[str, str], CorefScores] = field(default_factory=dict)
    cluster_counts: tuple[int, int] = (0, 0)
    disagreements: tuple[Disagreement, ...] = ()
    kappa: TokenKappa | None = None

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict: per setting, overall and per-type counts with P, R, F1."""

        def table(scores: SpanScores | RelationScores) -> dict[str, object]:
            return {
                "overall": scores.micro.as_dict(),
                "macro_f1": scores.macro.f1,
                "per_type": {t: c.as_dict() for t, c in scores.per_type.items()},
                "notes": dict(scores.notes),
            }

        return {
            "reference": self.reference,
            "other": self.other,
            "documents": list(self.document_ids),
            "entity_counts": {"reference": self.entity_counts[0], "other": self.entity_counts[1]},
            "relation_counts": {"reference": self.relation_counts[0], "other": self.relation_counts[1]},
            "entities": {f"{m}/{b}": table(s) for (m, b), s in self.entities.items()},
            "relations": {f"{m}/{b}": table(s) for (m, b), s in self.relations.items()},
            "entity_counts_layer": {"reference": self.cluster_counts[0], "other": self.cluster_counts[1]},
            "entity_relations": {f"{m}/{b}": table(s) for (m, b), s in self.entity_relations.items()},
            "coref": {f"{m}/{b}": s.as_dict() for (m, b), s in self.coref.items()},
            "token_kappa": None if self.kappa is None else self.kappa.as_dict(),
            "disagreements": [d.as_dict() for d in self.disagreements],
        }


#: Kinds of :class:`Disagreement`, in the order they are listed within a document.
LEVELS: tuple[str, ...] = ("mention", "relation", "entity relation", "coreference")


@dataclass(frozen=True)
class Disagreement:
    """One mention or relation the two sets do not share (strict match, character offsets), side by side.

    Attributes:
        document: The document id.
        level: ``"mention"``, ``"relation"`` (mention level), ``"entity relation"`` or ``"coreference"``.
        kind: ``"type"``, ``"boundaries"``, ``"boundaries+type"`` (mentions),
            ``"type"``, ``"arguments"``, ``"type+arguments"`` (relations),
            ``"only A"`` or ``"only B"``; ``"moved"``, ``"split"``, ``"merged"``
            (coreference: for ``moved`` each side is ``{"mention", "entity"}``,
            the mention and the other mentions of its entity; otherwise one
            side is ``{"mentions": [...]}``, one entity, and the other
            ``{"entities": [[...], ...]}``, the several entities it is spread over).
        a: A's item as JSON-ready data (``None`` for ``only B``): a mention is
            ``{"type", "start", "end", "text"}``; a relation is ``{"type",
            "arg1", "arg2"}`` whose arguments are mentions (mention level) or
            ``{"mentions": [...]}`` (entity level).
        b: B's item (``None`` for ``only A``).
    """

    document: str
    level: str
    kind: str
    a: dict[str, Any] | None
    b: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"document": self.document, "level": self.level, "kind": self.kind, "a": self.a, "b": self.b}


def _mention(span: Span, text: str) -> dict[str, Any]:
    return {"type": span.label, "start": span.start, "end": span.end, "text": span.text_in(text)}


def _greedy(left: list[Any], right: list[Any], score: Any) -> tuple[list[tuple[Any, Any]], list[Any], list[Any]]:
    """Pair items of ``left`` and ``right`` greedily by ``score(l, r)`` (``None``: not pairable), best first."""
    candidates = sorted(
        ((sc, i, j) for i, x in enumerate(left) for j, y in enumerate(right) if (sc := score(x, y)) is not None),
        key=lambda c: (tuple(-v for v in c[0]), c[1], c[2]),
    )
    used_l: set[int] = set()
    used_r: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_l and j not in used_r:
            used_l.add(i)
            used_r.add(j)
            pairs.append((i, j))
    pairs.sort()
    return (
        [(left[i], right[j]) for i, j in pairs],
        [x for i, x in enumerate(left) if i not in used_l],
        [y for j, y in enumerate(right) if j not in used_r],
    )


def _overlap(x: Span, y: Span) -> int:
    return max(0, min(x.end, y.end) - max(x.start, y.start))


def _mention_score(x: Span, y: Span) -> tuple[int, ...] | None:
    size = _overlap(x, y)
    return None if not size else (int(x.range == y.range), int(x.label == y.label), size)


def _mention_kind(x: Span, y: Span) -> str:
    if x.range == y.range:
        return "type"
    return "boundaries" if x.label == y.label else "boundaries+type"


#: A relation reduced for pairing: type, the mentions of each argument (one at the mention level), symmetric.
_Rel = tuple[str, tuple[Span, ...], tuple[Span, ...], bool]


def _args_overlap(x: tuple[Span, ...], y: tuple[Span, ...]) -> int:
    return max((_overlap(p, q) for p in x for q in y), default=0)


def _relation_score(x: _Rel, y: _Rel) -> tuple[int, ...] | None:
    orders = [(y[1], y[2])] + ([(y[2], y[1])] if x[3] or y[3] else [])
    best = max(min(_args_overlap(x[1], a1), _args_overlap(x[2], a2)) for a1, a2 in orders)
    return None if not best else (int(x[0] == y[0]), best)


def _relation_kind(x: _Rel, y: _Rel) -> str:
    same_args = {x[1], x[2]} == {y[1], y[2]} if (x[3] or y[3]) else (x[1], x[2]) == (y[1], y[2])
    if x[0] != y[0]:
        return "type" if same_args else "type+arguments"
    return "arguments"


def _relation_item(rel: _Rel, text: str, *, entity: bool) -> dict[str, Any]:
    def arg(spans: tuple[Span, ...]) -> dict[str, Any]:
        return {"mentions": [_mention(s, text) for s in spans]} if entity else _mention(spans[0], text)

    return {"type": rel[0], "arg1": arg(rel[1]), "arg2": arg(rel[2])}


def _rel_key(rel: _Rel) -> tuple[object, ...]:
    args = sorted((rel[1], rel[2])) if rel[3] else [rel[1], rel[2]]
    return (rel[0], *args)


def _entity_relations(doc: Document, through: Document | None, symmetric: frozenset[str]) -> list[_Rel]:
    """``doc``'s relations between entities; with ``through``, a mention that ``through`` has takes its entity."""
    groups = doc.entity_groups()
    index = doc.entity_index()
    if through is not None:
        theirs = {}
        for group in through.entity_groups():
            spans = tuple(sorted(through.entities[i] for i in group))
            for ident in group:
                theirs.setdefault(through.entities[ident], spans)
    found: dict[tuple[object, ...], _Rel] = {}
    for ident, (a1, a2) in doc.relation_arg_ids().items():
        args = []
        for mention in (a1, a2):
            span = doc.entities[mention]
            if through is not None and span in theirs:
                args.append(theirs[span])
            else:
                args.append(tuple(sorted(doc.entities[i] for i in groups[index[mention]])))
        label = doc.relations[ident].label
        rel = (label, args[0], args[1], label in symmetric)
        found.setdefault(_rel_key(rel), rel)
    return list(found.values())


def disagreements(a: Document, b: Document, *, symmetric: Sequence[str] = ()) -> list[Disagreement]:
    """Every mention and relation of one document that A and B do not share, paired side by side.

    Matching is strict at character offsets (see the module docstring); pairs
    come first in document order, then ``only A``, then ``only B``.

    Args:
        a: A's document.
        b: B's document of the same text.
        symmetric: Relation types whose argument order is ignored.
    """
    text = a.text
    sym = frozenset(symmetric)
    out: list[Disagreement] = []
    a_spans, b_spans = set(a.entities.values()), set(b.entities.values())
    pairs, only_a, only_b = _greedy(sorted(a_spans - b_spans), sorted(b_spans - a_spans), _mention_score)
    out += [Disagreement(a.id, "mention", _mention_kind(x, y), _mention(x, text), _mention(y, text)) for x, y in pairs]
    out += [Disagreement(a.id, "mention", "only A", _mention(x, text), None) for x in only_a]
    out += [Disagreement(a.id, "mention", "only B", None, _mention(y, text)) for y in only_b]
    for level, rels_a, rels_b in (
        (
            "relation",
            [(r.label, (r.arg1,), (r.arg2,), r.label in sym) for r in a.relations.values()],
            [(r.label, (r.arg1,), (r.arg2,), r.label in sym) for r in b.relations.values()],
        ),
        ("entity relation", _entity_relations(a, None, sym), _entity_relations(b, a, sym)),
    ):
        keys_a = {_rel_key(r) for r in rels_a}
        keys_b = {_rel_key(r) for r in rels_b}
        left = sorted({_rel_key(r): r for r in rels_a if _rel_key(r) not in keys_b}.values(), key=_rel_key)
        right = sorted({_rel_key(r): r for r in rels_b if _rel_key(r) not in keys_a}.values(), key=_rel_key)
        pairs_r, only_ra, only_rb = _greedy(left, right, _relation_score)
        entity = level == "entity relation"
        out += [
            Disagreement(
                a.id,
                level,
                _relation_kind(x, y),
                _relation_item(x, text, entity=entity),
                _relation_item(y, text, entity=entity),
            )
            for x, y in pairs_r
        ]
        out += [Disagreement(a.id, level, "only A", _relation_item(x, text, entity=entity), None) for x in only_ra]
        out += [Disagreement(a.id, level, "only B", None, _relation_item(y, text, entity=entity)) for y in only_rb]
    return out


def cluster_disagreements(a: Document, b: Document) -> list[Disagreement]:
    """The coreference disagreements of one document: mentions moved, entities split or merged.

    Only mentions both sets hold (same character range) are compared; see the
    module docstring. Listed ``moved``, then ``split``, then ``merged``, each
    in document order.
    """
    text = a.text

    def layer(doc: Document) -> dict[tuple[int, int], frozenset[tuple[int, int]]]:
        found: dict[tuple[int, int], frozenset[tuple[int, int]]] = {}
        for group in doc.entity_groups():
            ranges = frozenset(doc.entities[i].range for i in group)
            for r in ranges:
                found.setdefault(r, ranges)
        return found

    span_a: dict[tuple[int, int], Span] = {}
    for span in sorted(a.entities.values()):
        span_a.setdefault(span.range, span)
    layer_a, layer_b = layer(a), layer(b)
    common = set(layer_a) & set(layer_b)
    entity_a = {r: layer_a[r] & common for r in common}
    entity_b = {r: layer_b[r] & common for r in common}

    def mentions(ranges: Iterable[tuple[int, int]]) -> list[dict[str, Any]]:
        return [_mention(span_a[r], text) for r in sorted(ranges)]

    out: list[Disagreement] = []
    moved = {r for r in common if entity_a[r] & entity_b[r] == {r} and len(entity_a[r]) > 1 and len(entity_b[r]) > 1}
    for r in sorted(moved):
        out.append(
            Disagreement(
                a.id,
                "coreference",
                "moved",
                {"mention": _mention(span_a[r], text), "entity": mentions(entity_a[r] - {r})},
                {"mention": _mention(span_a[r], text), "entity": mentions(entity_b[r] - {r})},
            )
        )
    rest = common - moved
    for kind, mine, theirs in (("split", entity_a, entity_b), ("merged", entity_b, entity_a)):
        seen: set[frozenset[tuple[int, int]]] = set()
        for r in sorted(rest):
            group = mine[r] - moved
            if group in seen:
                continue
            seen.add(group)
            parts = {frozenset(theirs[x] & group) for x in group}
            if len(parts) < 2:
                continue
            whole = {"mentions": mentions(group)}
            pieces = {"entities": [mentions(p) for p in sorted(parts, key=min)]}
            a_item, b_item = (whole, pieces) if kind == "split" else (pieces, whole)
            out.append(Disagreement(a.id, "coreference", kind, a_item, b_item))
    return out


def _pair(a: Sequence[Document], b: Sequence[Document], a_name: str, b_name: str) -> list[tuple[Document, Document]]:
    def index(docs: Sequence[Document], name: str) -> dict[str, Document]:
        found: dict[str, Document] = {}
        for doc in docs:
            if doc.id in found:
                raise ScoringError(
                    "the same document id appears twice",
                    field="id",
                    value=doc.id,
                    fix=f"give each document of {name} its own id",
                )
            found[doc.id] = doc
        return found

    left, right = index(a, a_name), index(b, b_name)
    for name, mine, theirs, other in ((a_name, left, right, b_name), (b_name, right, left, a_name)):
        missing = sorted(set(mine) - set(theirs))
        if missing:
            raise ScoringError(
                f"document {missing[0]!r} of {name} is not in {other}"
                + (f" (nor {len(missing) - 1} more)" if len(missing) > 1 else ""),
                field="id",
                value=missing[0],
                fix="compare two annotation sets of the same documents (same file stems or JSONL ids)",
            )
    pairs = []
    for doc_id in sorted(left):
        x, y = left[doc_id], right[doc_id]
        if x.text != y.text:
            first = next(
                (i for i, (p, q) in enumerate(zip(x.text, y.text, strict=False)) if p != q),
                min(len(x.text), len(y.text)),
            )
            raise ScoringError(
                f"document {doc_id!r} has different texts in {a_name} and {b_name} "
                f"(first difference at character offset {first}: {x.text[first : first + 10]!r} "
                f"against {y.text[first : first + 10]!r}; lengths {len(x.text)} and {len(y.text)})",
                field="text",
                value=doc_id,
                fix="agreement compares annotations of the identical text; annotate the same .txt file",
            )
        pairs.append((x, y))
    return pairs


def agreement(
    a: Sequence[Document],
    b: Sequence[Document],
    *,
    schema: Schema | None = None,
    reference: str = "A",
    other: str = "B",
) -> Agreement:
    """Score annotation set ``b`` against ``a`` (see the module docstring).

    Args:
        a: The reference documents.
        b: The other documents (same ids, identical texts).
        schema: Gives the symmetric relation types (default: the packaged schema).
        reference: A's name in messages.
        other: B's name in messages.

    Raises:
        ScoringError: If a document is in one set only, or its texts differ.
    """
    schema = schema or default_schema()
    pairs = _pair(a, b, reference, other)
    texts = [x.text for x, _ in pairs]
    gold = [list(x.entities.values()) for x, _ in pairs]
    pred = [list(y.entities.values()) for _, y in pairs]
    gold_rel = [list(x.relations.values()) for x, _ in pairs]
    pred_rel = [list(y.relations.values()) for _, y in pairs]
    entity_types = sorted({s.label for d in gold + pred for s in d})
    relation_types = sorted({r.label for d in gold_rel + pred_rel for r in d})
    symmetric = [name for name, spec in schema.relation_types.items() if spec.symmetric]
    entities = {
        (match, boundary): score_spans(
            gold,
            pred,
            mode=ENTITY_MATCHES[match],
            boundary=boundary,
            layer="nested",
            texts=texts,
            types=entity_types,
            errors=False,
        )
        for match, boundary in relation_grid()
    }
    relations = {
        (match, boundary): score_relations(
            gold_rel, pred_rel, mode=match, symmetric=symmetric, boundary=boundary, texts=texts, types=relation_types
        )
        for match, boundary in relation_grid()
    }
    gold_layer = [x.span_clusters() for x, _ in pairs]
    pred_layer = [y.span_clusters() for _, y in pairs]
    entity_relations = {
        (match, boundary): score_relations(
            gold_rel,
            pred_rel,
            mode=match,
            symmetric=symmetric,
            boundary=boundary,
            texts=texts,
            types=relation_types,
            level="entity",
            gold_clusters=gold_layer,
            pred_clusters=pred_layer,
        )
        for match, boundary in relation_grid()
    }
    coref = {
        (match, boundary): score_entity_layers(gold_layer, pred_layer, mode=match, boundary=boundary, texts=texts)
        for match, boundary in relation_grid()
    }
    return Agreement(
        reference=reference,
        other=other,
        document_ids=tuple(x.id for x, _ in pairs),
        entities=entities,
        relations=relations,
        entity_counts=(sum(map(len, gold)), sum(map(len, pred))),
        relation_counts=(sum(map(len, gold_rel)), sum(map(len, pred_rel))),
        entity_relations=entity_relations,
        coref=coref,
        cluster_counts=(sum(map(len, gold_layer)), sum(map(len, pred_layer))),
        disagreements=tuple(
            d for x, y in pairs for d in (*disagreements(x, y, symmetric=symmetric), *cluster_disagreements(x, y))
        ),
        kappa=token_kappa(texts, gold, pred),
    )


def agreement_of_paths(
    a: str | Path, b: str | Path, *, schema: Schema | None = None, check_types: bool = True
) -> Agreement:
    """Read two annotation sets (BRAT directories, ``.ann`` files or ``.jsonl``) and score B against A.

    Both are read with :func:`arabench.annotations.corpus.read_corpus`, so each must validate.

    Raises:
        AnnotationError: If either set is invalid.
        ScoringError: If their documents or texts differ.
    """
    from arabench.annotations.corpus import read_corpus

    docs_a = read_corpus(a, schema=schema, check_types=check_types)
    docs_b = read_corpus(b, schema=schema, check_types=check_types)
    return agreement(docs_a, docs_b, schema=schema, reference=str(a), other=str(b))
