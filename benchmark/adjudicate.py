r"""Adjudication aid: two annotation passes become one document set to review, without editing offsets by hand.

:func:`adjudicate` merges pass A and pass B of the same texts into one
document per text:

* **agreed** annotations stand: a mention both passes hold (same range and
  type), a relation both hold (same type and argument mentions), an entity
  (coreference cluster) both hold with the same mentions;
* every **disagreement** of :func:`arabench.benchmark.agreement.disagreements`
  and :func:`~arabench.benchmark.agreement.cluster_disagreements` (strict,
  character offsets) is written with both candidates: A's and B's mention (or
  relation) are both in the document, each with a BRAT annotator note
  (``#<n>\tAnnotatorNotes <id>\tarabench review: ...``) naming the
  disagreement, its kind and the other candidate's id. A mention only one
  pass holds gets a note too. A disputed entity layer is written as A has it,
  with a note on the first mention involved saying how B groups the mentions.

The adjudicator opens the directory in BRAT, deletes the candidate that
loses (BRAT deletes its note with it) or deletes the note to keep an
annotation, and fixes the ``Equiv`` lines the coreference notes name. Until
every note is resolved the BRAT reader refuses the directory (an error per
note), so an unreviewed merge is never scored. The same documents are written
as JSON Lines, each with the list of its review items in ``metadata.review``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from arabench.annotations.brat import BRAT_METADATA_KEY, REVIEW_NOTE, write_brat, write_brat_conf
from arabench.annotations.errors import ConversionError
from arabench.annotations.jsonl import write_jsonl
from arabench.annotations.schema import Schema, default_schema
from arabench.annotations.spans import Document, Relation, Span
from arabench.benchmark.agreement import _pair, cluster_disagreements, disagreements

__all__ = ["ReviewItem", "Adjudication", "adjudicate", "adjudicate_paths", "JSONL_NAME"]

#: The JSON Lines file written beside the BRAT files.
JSONL_NAME = "adjudication.jsonl"


@dataclass(frozen=True)
class ReviewItem:
    """One disagreement to review, as written in the output.

    Attributes:
        document: The document id.
        level: ``mention``, ``relation`` or ``coreference``.
        kind: The disagreement's kind (see :class:`arabench.benchmark.agreement.Disagreement`).
        a: The ids (in the output) of A's candidates; empty when A has none.
        b: The ids of B's candidates.
        note: The note's text.
    """

    document: str
    level: str
    kind: str
    a: tuple[str, ...]
    b: tuple[str, ...]
    note: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"level": self.level, "kind": self.kind, "a": list(self.a), "b": list(self.b), "note": self.note}


@dataclass
class Adjudication:
    """The merged documents and what was agreed and left to review.

    Attributes:
        documents: One merged document per text (sorted by id).
        review: Every review item, per document in order.
        agreed: Counts of agreed ``mentions``, ``relations`` and ``entities`` (clusters of two or more).
        written: The files written (empty until :func:`adjudicate_paths` writes).
    """

    documents: list[Document]
    review: list[ReviewItem]
    agreed: dict[str, int]
    written: list[Path] = field(default_factory=list)


def _key(span: Span) -> tuple[int, int, str]:
    return (span.start, span.end, span.label)


def _show(span: Span, text: str, ident: str) -> str:
    return f"{ident} {span.label} {span.start}-{span.end} «{text[span.start : span.end]}»"


def _merge(x: Document, y: Document, symmetric: frozenset[str]) -> tuple[Document, list[ReviewItem], dict[str, int]]:
    text = x.text
    keys_a = {_key(s) for s in x.entities.values()}
    keys_b = {_key(s) for s in y.entities.values()}
    spans = sorted({*x.entities.values(), *y.entities.values()}, key=lambda s: (s.start, -s.end, s.label))
    ids = {_key(s): f"T{n}" for n, s in enumerate(spans, start=1)}
    entities = {ids[_key(s)]: s for s in spans}

    def rel_key(r: Relation) -> tuple[object, ...]:
        args = sorted((_key(r.arg1), _key(r.arg2))) if r.label in symmetric else [_key(r.arg1), _key(r.arg2)]
        return (r.label, *args)

    rels_a = {rel_key(r): r for r in x.relations.values()}
    rels_b = {rel_key(r): r for r in y.relations.values()}
    ordered = [*rels_a, *(k for k in rels_b if k not in rels_a)]
    rel_ids = {k: f"R{n}" for n, k in enumerate(ordered, start=1)}
    relations = {rel_ids[k]: rels_a.get(k) or rels_b[k] for k in ordered}

    def side_clusters(doc: Document) -> list[frozenset[tuple[int, int, str]]]:
        return [frozenset(_key(doc.entities[i]) for i in group) for group in doc.clusters]

    clusters_b = set(side_clusters(y))
    clusters = [tuple(sorted((ids[k] for k in c), key=lambda i: int(i[1:]))) for c in side_clusters(x)]
    agreed_clusters = sum(1 for c in side_clusters(x) if c in clusters_b)

    items: list[ReviewItem] = []
    notes: list[tuple[str, str]] = []  # (target id, note)

    def mention_ids(item: dict[str, Any] | None) -> tuple[str, ...]:
        if item is None:
            return ()
        return (ids[(item["start"], item["end"], item["type"])],)

    def relation_id(item: dict[str, Any] | None) -> tuple[str, ...]:
        if item is None:
            return ()
        a1, a2 = item["arg1"], item["arg2"]
        k1, k2 = (a1["start"], a1["end"], a1["type"]), (a2["start"], a2["end"], a2["type"])
        args = sorted((k1, k2)) if item["type"] in symmetric else [k1, k2]
        key = (item["type"], *args)
        return (rel_ids[key],)

    def describe_relation(ident: str) -> str:
        r = relations[ident]
        return f"{ident} {r.label}({ids[_key(r.arg1)]}, {ids[_key(r.arg2)]})"

    for d in disagreements(x, y, symmetric=sorted(symmetric)):
        if d.level == "entity relation":
            continue  # follows from the mention-level items and the entity layer
        if d.level == "mention":
            a_ids, b_ids = mention_ids(d.a), mention_ids(d.b)
            shown_a = _show(entities[a_ids[0]], text, a_ids[0]) if a_ids else "nothing"
            shown_b = _show(entities[b_ids[0]], text, b_ids[0]) if b_ids else "nothing"
        else:
            a_ids, b_ids = relation_id(d.a), relation_id(d.b)
            shown_a = describe_relation(a_ids[0]) if a_ids else "nothing"
            shown_b = describe_relation(b_ids[0]) if b_ids else "nothing"
        note = f"{REVIEW_NOTE} {d.level} {d.kind}: A has {shown_a}; B has {shown_b}"
        note += "; keep one, delete the other" if a_ids and b_ids else "; keep it or delete it"
        items.append(ReviewItem(x.id, d.level, d.kind, a_ids, b_ids, note))
        notes += [(ident, note) for ident in (*a_ids, *b_ids)]

    def group(mentions: list[dict[str, Any]]) -> str:
        return " ".join(ids[(m["start"], m["end"], m["type"])] for m in mentions) or "(alone)"

    for d in cluster_disagreements(x, y):
        assert d.a is not None and d.b is not None
        if d.kind == "moved":
            target = ids[(d.a["mention"]["start"], d.a["mention"]["end"], d.a["mention"]["type"])]
            said = f"{target} is with {group(d.a['entity'])} in A, with {group(d.b['entity'])} in B"
        elif d.kind == "split":
            target = group(d.a["mentions"]).split(" ")[0]
            said = f"A has one entity {group(d.a['mentions'])}; B splits it into " + " | ".join(
                group(e) for e in d.b["entities"]
            )
        else:
            target = group(d.b["mentions"]).split(" ")[0]
            said = f"B has one entity {group(d.b['mentions'])}; A has " + " | ".join(group(e) for e in d.a["entities"])
        note = f"{REVIEW_NOTE} coreference {d.kind}: {said}; the Equiv lines are A's: fix them if B is right"
        items.append(ReviewItem(x.id, "coreference", d.kind, (target,), (), note))
        notes.append((target, note))
    # a mention only B holds that B puts in an entity: say which, since the Equiv lines are A's
    for cluster in side_clusters(y):
        for k in sorted(cluster - keys_a):
            others = " ".join(ids[o] for o in sorted(cluster - {k}))
            note = f"{REVIEW_NOTE} coreference only B: B puts {ids[k]} in one entity with {others}"
            items.append(ReviewItem(x.id, "coreference", "only B", (), (ids[k],), note))
            notes.append((ids[k], note))

    extra = [f"#{n}\tAnnotatorNotes {target}\t{note}" for n, (target, note) in enumerate(notes, start=1)]
    metadata: dict[str, Any] = {"review": [item.as_dict() for item in items]}
    if extra:
        metadata[BRAT_METADATA_KEY] = {"extra": extra}
    merged = Document(x.id, text, entities, relations, metadata, clusters=tuple(c for c in clusters if len(c) > 1))
    agreed = {
        "mentions": len(keys_a & keys_b),
        "relations": len(rels_a.keys() & rels_b.keys()),
        "entities": agreed_clusters,
    }
    return merged, items, agreed


def adjudicate(
    a: Sequence[Document], b: Sequence[Document], *, schema: Schema | None = None, names: tuple[str, str] = ("A", "B")
) -> Adjudication:
    """Merge pass ``a`` and pass ``b`` (same document ids and texts) into documents to review.

    Raises:
        ScoringError: If a document is in one pass only, or its texts differ.
    """
    schema = schema or default_schema()
    symmetric = frozenset(name for name, spec in schema.relation_types.items() if spec.symmetric)
    documents, review = [], []
    agreed = {"mentions": 0, "relations": 0, "entities": 0}
    for x, y in _pair(a, b, *names):
        merged, items, counts = _merge(x, y, symmetric)
        documents.append(merged)
        review += items
        for k, v in counts.items():
            agreed[k] += v
    return Adjudication(documents, review, agreed)


def adjudicate_paths(
    a: str | Path, b: str | Path, out: str | Path, *, schema: Schema | None = None, check_types: bool = True
) -> Adjudication:
    """Read two passes (each must validate), merge them and write ``out`` (a new or empty directory).

    ``out`` gets the BRAT files with their notes, ``annotation.conf`` and
    ``visual.conf``, and :data:`JSONL_NAME` (the same documents, review items in
    ``metadata.review``).

    Raises:
        AnnotationError: If a pass is invalid.
        ScoringError: If their documents or texts differ.
        ConversionError: If ``out`` exists and is not an empty directory.
    """
    from arabench.annotations.corpus import read_corpus

    out = Path(out)
    if out.is_symlink() or (out.exists() and (not out.is_dir() or any(out.iterdir()))):
        raise ConversionError(
            "the output exists and is not an empty directory",
            file=out,
            field="out",
            fix="give a new directory (adjudication never overwrites a pass or a gold)",
        )
    docs_a = [_plain(d) for d in read_corpus(a, schema=schema, check_types=check_types)]
    docs_b = [_plain(d) for d in read_corpus(b, schema=schema, check_types=check_types)]
    result = adjudicate(docs_a, docs_b, schema=schema, names=(str(a), str(b)))
    out.mkdir(parents=True, exist_ok=True)
    for document in result.documents:
        result.written += list(write_brat(document, out))
    result.written += list(write_brat_conf(out, schema))
    result.written.append(write_jsonl(result.documents, out / JSONL_NAME))
    return result


def _plain(document: Document) -> Document:
    """The document without BRAT layout metadata (notes and attributes of a pass are not carried into the merge)."""
    return replace(document, metadata={k: v for k, v in document.metadata.items() if k != BRAT_METADATA_KEY})
