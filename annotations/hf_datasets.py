"""Hugging Face ``datasets`` export and import (``DatasetDict``, ``save_to_disk`` / ``load_from_disk``).

One row per document, with columns:

==================  ==========================================================
``id``              the document id
``text``            the raw text
``tokens``          the words of :func:`arabench.annotations.tokenize.word_offsets`
``ner_tags``        ``ClassLabel`` BIO2 tags of the flat layer (outermost
                    spans), one per token, as in :mod:`arabench.annotations.conll`
``token_offsets``   ``[start, end]`` character offsets of every token
``entities``        EVERY span, nested ones included: ``{id, start, end, type}``
``relations``       ``{id, type, arg1, arg2}`` (entity ids)
``clusters``        the entity layer: lists of the entity ids of two or more
                    coreferent mentions (BRAT's ``Equiv`` lines); a mention
                    in no list is a singleton. Optional on reading (a
                    dataset written before it existed has no clusters)
``metadata``        the document metadata as a JSON string
==================  ==========================================================

The ``ner_tags`` label list is the same for every corpus: ``O``, then
``B-T``, ``I-T`` for each entity type ``T`` of the schema, in schema order
(:func:`ner_label_names`), so label ids are shared. ``datasets`` is imported
lazily, inside the functions. Nothing is lost: a span type outside the label
list, or two flat spans sharing a token, is an error (``ner_tags`` could not
hold it), not a silent choice.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arabench.annotations.conll import spans_to_bio
from arabench.annotations.errors import AnnotationError, ConversionError
from arabench.annotations.jsonl import plain_value
from arabench.annotations.schema import Schema, default_schema
from arabench.annotations.spans import Document, Relation, Span
from arabench.annotations.tokenize import word_offsets

if TYPE_CHECKING:  # pragma: no cover
    from datasets import Dataset, DatasetDict, Features

__all__ = [
    "DEFAULT_SPLIT",
    "ner_label_names",
    "features",
    "to_dataset_dict",
    "from_dataset_dict",
    "write_hf",
    "read_hf",
    "is_hf_dataset_dir",
    "HUB_PREFIX",
    "read_token_dataset",
    "is_token_table",
]

#: ``--corpus hf-dataset:<id>[:config][@split]`` names a dataset of the Hugging Face hub (or a local file/directory).
HUB_PREFIX = "hf-dataset:"

DEFAULT_SPLIT = "test"


def ner_label_names(*, schema: Schema | None = None, types: Sequence[str] | None = None) -> list[str]:
    """The ``ner_tags`` class names: ``O``, then ``B-T``, ``I-T`` for every type in order.

    Args:
        schema: Take the types from this schema (default: the packaged schema).
        types: Use these types instead (e.g. ``["PER", "LOC", "ORG", "MISC"]``
            for an ANERcorp-labelled corpus).
    """
    names = list(types) if types is not None else list((schema or default_schema()).entity_types)
    return ["O"] + [f"{prefix}-{t}" for t in names for prefix in ("B", "I")]


def features(*, schema: Schema | None = None, types: Sequence[str] | None = None) -> Features:
    """The ``datasets.Features`` of the columns (see the module docstring)."""
    from datasets import ClassLabel, Features, Value

    list_of = _list_type()
    return Features(
        {
            "id": Value("string"),
            "text": Value("string"),
            "tokens": list_of(Value("string")),
            "ner_tags": list_of(ClassLabel(names=ner_label_names(schema=schema, types=types))),
            "token_offsets": list_of(list_of(Value("int32"), length=2)),
            "entities": list_of(
                {"id": Value("string"), "start": Value("int32"), "end": Value("int32"), "type": Value("string")}
            ),
            "relations": list_of(
                {"id": Value("string"), "type": Value("string"), "arg1": Value("string"), "arg2": Value("string")}
            ),
            "clusters": list_of(list_of(Value("string"))),
            "metadata": Value("string"),
        }
    )


def _list_type() -> Any:
    try:
        from datasets import List  # datasets >= 4
    except ImportError:  # pragma: no cover - older datasets
        from datasets import Sequence as List
    return List


def _row(document: Document, label_ids: Mapping[str, int]) -> dict[str, object]:
    offsets = word_offsets(document.text)
    flat = document.flat_spans
    for span in flat:
        if "B-" + span.label not in label_ids:
            raise ConversionError(
                f"document {document.id!r}: entity type has no class in ner_tags",
                field="type",
                value=span.label,
                fix="relabel to the schema's types, or pass types= (--types) listing the corpus's types",
            )
    try:
        tags = spans_to_bio(flat, offsets)
    except ConversionError as exc:
        raise ConversionError(
            f"document {document.id!r}: {exc.message}", field=exc.field, value=exc.value, fix=exc.fix
        ) from None
    arg_ids = document.relation_arg_ids()
    relations = [
        {"id": ident, "type": relation.label, "arg1": arg_ids[ident][0], "arg2": arg_ids[ident][1]}
        for ident, relation in document.relations.items()
    ]
    try:
        metadata = json.dumps(plain_value(document.metadata), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise ConversionError(
            f"document {document.id!r}: metadata is not JSON-serializable ({exc})",
            field="metadata",
            fix="keep only JSON values (strings, numbers, lists, objects) in the metadata",
        ) from exc
    return {
        "id": document.id,
        "text": document.text,
        "tokens": [document.text[s:e] for s, e in offsets],
        "ner_tags": [label_ids[t] for t in tags],
        "token_offsets": [[s, e] for s, e in offsets],
        "entities": [
            {"id": ident, "start": s.start, "end": s.end, "type": s.label} for ident, s in document.entities.items()
        ],
        "relations": relations,
        "clusters": [list(group) for group in document.clusters],
        "metadata": metadata,
    }


def to_dataset_dict(
    documents: Iterable[Document] | Mapping[str, Iterable[Document]],
    *,
    split: str = DEFAULT_SPLIT,
    schema: Schema | None = None,
    types: Sequence[str] | None = None,
) -> DatasetDict:
    """Build a ``DatasetDict`` from documents.

    Args:
        documents: The documents (one split named ``split``), or a mapping
            split name -> documents.
        split: The split name when ``documents`` is not a mapping.
        schema: The schema whose types make the ``ner_tags`` labels.
        types: Use these types for the ``ner_tags`` labels instead.

    Raises:
        ConversionError: If a flat span has a type outside the labels, two
            flat spans share a token, or metadata is not JSON-serializable.
    """
    from datasets import Dataset, DatasetDict

    splits = dict(documents) if isinstance(documents, Mapping) else {split: documents}
    feats = features(schema=schema, types=types)
    label_ids = {name: i for i, name in enumerate(feats["ner_tags"].feature.names)}
    out = {}
    for name, docs in splits.items():
        rows = [_row(d, label_ids) for d in docs]
        columns = {key: [row[key] for row in rows] for key in feats}
        out[name] = Dataset.from_dict(columns, features=feats)
    return DatasetDict(out)


def _records(value: object) -> list[Mapping[str, Any]]:
    """Rows of a list-of-struct column (datasets>=4 gives a list of dicts, older a dict of lists)."""
    if isinstance(value, Mapping):
        keys = list(value)
        return [dict(zip(keys, items, strict=True)) for items in zip(*(value[k] for k in keys), strict=True)]
    return list(value or [])  # type: ignore[arg-type]


def from_dataset_dict(dataset: DatasetDict | Dataset, *, split: str | None = None) -> list[Document]:
    """Read documents back from a ``DatasetDict`` (or one ``Dataset``) made by :func:`to_dataset_dict`.

    Args:
        dataset: The dataset dict, or a single split.
        split: The split to read; may be left out when there is only one.

    Raises:
        AnnotationError: If the split is missing or ambiguous, a column is
            missing, a relation refers to an unknown entity id, or ``ner_tags``
            disagree with the entities (the dataset was edited inconsistently).
    """
    table, split = _one_split(dataset, split, None, how="pass split= (--split) with one of ")
    missing = [c for c in ("id", "text", "entities", "relations", "metadata") if c not in table.column_names]
    if missing:
        raise AnnotationError(
            "the dataset lacks arabench columns",
            field="columns",
            value=missing,
            fix="write the dataset with arabench convert (or annotations.hf_datasets.to_dataset_dict)",
        )
    tag_names = _tag_names(table.features.get("ner_tags"))
    documents = []
    seen: dict[str, str] = {}
    for i, row in enumerate(table):
        where = f"{split or 'dataset'}[{i}]"
        try:
            documents.append(_row_document(row, where, seen, tag_names))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            if isinstance(exc, AnnotationError):
                raise
            raise AnnotationError(
                f"the row does not have arabench's column types ({type(exc).__name__}: {exc})",
                field=where,
                fix="write the dataset with arabench convert (or annotations.hf_datasets.to_dataset_dict)",
            ) from None
    return documents


def _tag_names(feature: object) -> list[str] | None:
    """The class names of a ``Sequence(ClassLabel)`` ``ner_tags`` feature; ``None`` without the column."""
    if feature is None:
        return None
    names = getattr(getattr(feature, "feature", None), "names", None)
    if not isinstance(names, list):
        raise AnnotationError(
            "ner_tags is not a sequence of ClassLabel tags, so its tag names are unknown",
            field="features.ner_tags",
            value=repr(feature)[:120],
            fix="store ner_tags as Sequence(ClassLabel(names=...)) (as arabench convert does), or drop the column",
        )
    return names


def _check_row_types(row: Mapping[str, Any], where: str) -> None:
    ident, text = row["id"], row["text"]
    if isinstance(ident, bool) or not isinstance(ident, (str, int)) or ident == "":
        raise AnnotationError(
            "a document id must be a non-empty string or an integer",
            field=f"{where}.id",
            value=ident,
            fix="give every row a string id",
        )
    if not isinstance(text, str):
        raise AnnotationError(
            "a document text must be a string", field=f"{where}.text", value=text, fix="store the raw text"
        )
    for column, keys, ints in (
        ("entities", ("id", "type"), ("start", "end")),
        ("relations", ("id", "type", "arg1", "arg2"), ()),
    ):
        for record in _records(row[column]):
            for key in keys:
                if not isinstance(record.get(key), str) or not record.get(key):
                    raise AnnotationError(
                        f"{column} {key} must be a non-empty string",
                        field=f"{where}.{column}.{key}",
                        value=record.get(key),
                        fix="write the dataset with arabench convert",
                    )
            for key in ints:
                if isinstance(record.get(key), bool) or not isinstance(record.get(key), int):
                    raise AnnotationError(
                        f"{column} {key} must be an integer offset",
                        field=f"{where}.{column}.{record.get('id')}.{key}",
                        value=record.get(key),
                        fix="store integer character offsets",
                    )
    metadata = row["metadata"]
    if metadata is not None and not isinstance(metadata, str):
        raise AnnotationError(
            "metadata must be a JSON object string",
            field=f"{where}.metadata",
            value=metadata,
            fix="store the metadata as a JSON object string",
        )


def _row_document(row: Mapping[str, Any], where: str, seen: dict[str, str], tag_names: list[str] | None) -> Document:
    _check_row_types(row, where)
    text = row["text"]
    if str(row["id"]) in seen:
        raise AnnotationError(
            f"duplicate document id (first in {seen[str(row['id'])]})",
            field=f"{where}.id",
            value=str(row["id"]),
            fix="give every row its own document id",
        )
    seen[str(row["id"])] = where
    entities: dict[str, Span] = {}
    for entity in _records(row["entities"]):
        if entity["id"] in entities:
            raise AnnotationError(
                "duplicate entity id in one row (the second would silently replace the first)",
                field=f"{where}.entities.{entity['id']}",
                value=entity["id"],
                fix="give every entity of a row its own id",
            )
        try:
            entities[entity["id"]] = Span(int(entity["start"]), int(entity["end"]), entity["type"])
        except AnnotationError as exc:
            raise AnnotationError(
                exc.message, field=f"{where}.entities.{entity['id']}", value=exc.value, fix=exc.fix
            ) from None
        if entities[entity["id"]].end > len(text):
            raise AnnotationError(
                "entity ends beyond the text",
                field=f"{where}.entities.{entity['id']}",
                value=(entity["start"], entity["end"]),
                fix=f"use offsets within 0..{len(text)}",
            )
    relations: dict[str, Relation] = {}
    for relation in _records(row["relations"]):
        if relation["id"] in relations:
            raise AnnotationError(
                "duplicate relation id in one row (the second would silently replace the first)",
                field=f"{where}.relations.{relation['id']}",
                value=relation["id"],
                fix="give every relation of a row its own id",
            )
        args = []
        for key in ("arg1", "arg2"):
            if relation[key] not in entities:
                raise AnnotationError(
                    "relation argument is not an entity id of this document",
                    field=f"{where}.relations.{relation['id']}.{key}",
                    value=relation[key],
                    fix="use the id of an entity of the same row",
                )
            args.append(entities[relation[key]])
        relations[relation["id"]] = Relation(relation["type"], args[0], args[1])
    clusters = tuple(tuple(group) for group in (row.get("clusters") or []))
    for n, group in enumerate(clusters):
        for ident in group:
            if ident not in entities:
                raise AnnotationError(
                    "cluster names an id that is not an entity of this document",
                    field=f"{where}.clusters[{n}]",
                    value=ident,
                    fix="use the ids of entities of the same row",
                )
    try:
        metadata = json.loads(row["metadata"]) if row["metadata"] else {}
    except (json.JSONDecodeError, RecursionError) as exc:
        raise AnnotationError(
            f"metadata is not JSON ({getattr(exc, 'msg', exc)})",
            field=f"{where}.metadata",
            fix="store a JSON object string",
        ) from None
    if not isinstance(metadata, dict):
        raise AnnotationError(
            "metadata is not a JSON object",
            field=f"{where}.metadata",
            value=row["metadata"][:80],
            fix="store a JSON object string",
        )
    document = Document(str(row["id"]), text, entities, relations, metadata, clusters)
    if tag_names is not None and "ner_tags" in row:
        tags = row["ner_tags"]
        if not isinstance(tags, list) or not all(type(t) is int and 0 <= t < len(tag_names) for t in tags):
            raise AnnotationError(
                "ner_tags must be a list of tag indices",
                field=f"{where}.ner_tags",
                value=tags if not isinstance(tags, list) else tags[:10],
                fix=f"use indices 0..{len(tag_names) - 1} of the ClassLabel names",
            )
        _check_tags(document, [tag_names[t] for t in tags], where)
    return document


def _check_tags(document: Document, tags: list[str], where: str) -> None:
    try:
        expected = spans_to_bio(document.flat_spans, word_offsets(document.text))
    except ConversionError as exc:
        raise AnnotationError(exc.message, field=f"{where}.entities", value=exc.value, fix=exc.fix) from None
    if tags != expected:
        at = next(
            (i for i, (a, b) in enumerate(zip(tags, expected, strict=False)) if a != b), min(len(tags), len(expected))
        )
        raise AnnotationError(
            f"ner_tags disagree with the entities at token {at} ({len(tags)} tags, {len(expected)} tokens)",
            field=f"{where}.ner_tags",
            value=tags[at] if at < len(tags) else None,
            fix=f"expected {expected[at] if at < len(expected) else 'no tag'}: regenerate ner_tags from the entities",
        )


def is_hf_dataset_dir(path: str | os.PathLike[str]) -> bool:
    """True if ``path`` is a directory written by ``DatasetDict.save_to_disk``."""
    return (Path(path) / "dataset_dict.json").is_file()


def write_hf(
    documents: Iterable[Document] | Mapping[str, Iterable[Document]],
    path: str | os.PathLike[str],
    *,
    split: str = DEFAULT_SPLIT,
    schema: Schema | None = None,
    types: Sequence[str] | None = None,
) -> Path:
    """Build the ``DatasetDict`` (:func:`to_dataset_dict`) and ``save_to_disk`` it at ``path``."""
    from datasets.utils import are_progress_bars_disabled, disable_progress_bars, enable_progress_bars

    dataset = to_dataset_dict(documents, split=split, schema=schema, types=types)
    path = Path(path)
    quiet = are_progress_bars_disabled()
    disable_progress_bars()  # a progress bar per save would clutter the conversion report
    try:
        dataset.save_to_disk(str(path))
    finally:
        if not quiet:
            enable_progress_bars()
    return path


def read_hf(path: str | os.PathLike[str], *, split: str | None = None) -> list[Document]:
    """``load_from_disk`` a dataset written by :func:`write_hf` and read its documents.

    Raises:
        AnnotationError: If ``path`` is not a saved dataset, or as :func:`from_dataset_dict`.
    """
    from datasets import load_from_disk

    path = Path(path)
    if not path.is_dir() or not (is_hf_dataset_dir(path) or (path / "dataset_info.json").is_file()):
        raise AnnotationError(
            "not a directory written by datasets' save_to_disk (no dataset_dict.json or dataset_info.json)",
            file=path,
            fix="pass the directory given to save_to_disk",
        )
    try:
        dataset = load_from_disk(str(path))
    except Exception as exc:  # datasets fails in many ways on a damaged directory: each is the user's to mend
        raise AnnotationError(
            f"cannot load the dataset ({type(exc).__name__}: {exc})", file=path, fix="re-save it with save_to_disk"
        ) from None
    if is_token_table(dataset):  # a token-classification dataset (tokens + ner_tags), not an arabench export
        return _token_documents(dataset, split=split, name=path.name, where=path)
    return from_dataset_dict(dataset, split=split)


# --------------------------------------------------------------------------- token-classification datasets


def _one_split(dataset: Any, split: str | None, where: object, *, how: str) -> tuple[Any, str | None]:
    """The split to read of a ``DatasetDict`` (the only one when ``split`` is None), or ``dataset`` itself."""
    from datasets import DatasetDict

    if not isinstance(dataset, DatasetDict):
        return dataset, split
    names = list(dataset)
    if split is None:
        if len(names) != 1:
            raise AnnotationError(
                f"the dataset has {len(names)} splits; which one to read is not guessed",
                file=None if where is None else str(where),
                field="split",
                value=names,
                fix=how + ", ".join(names),
            )
        split = names[0]
    if split not in dataset:
        raise AnnotationError(
            "no such split",
            file=None if where is None else str(where),
            field="split",
            value=split,
            fix=f"use one of {', '.join(names) or '(none)'}",
        )
    return dataset[split], split


def is_token_table(dataset: Any) -> bool:
    """True if ``dataset`` (a split or a dict of splits) has ``tokens`` and ``ner_tags``, no arabench ``entities``."""
    from datasets import DatasetDict

    tables = list(dataset.values()) if isinstance(dataset, DatasetDict) else [dataset]
    return bool(tables) and all(
        "tokens" in t.column_names and "ner_tags" in t.column_names and "entities" not in t.column_names for t in tables
    )


def _token_documents(dataset: Any, *, split: str | None, name: str, where: object) -> list[Document]:
    """One document of a token-classification split: one sentence (line) per row, tokens joined by spaces.

    Tag names come from the ``ner_tags`` ``ClassLabel`` feature (or are the strings stored); the tags are
    read as BIO2 by the CoNLL reader (its repairs are recorded as for a CoNLL file).
    """
    from arabench.annotations.conll import read_conll

    table, split = _one_split(dataset, split, where, how="name one after @ (hf-dataset:<id>@SPLIT): ")
    feature = table.features["ner_tags"]
    inner = getattr(feature, "feature", None)
    names = getattr(inner, "names", None)
    lines: list[str] = []
    for i, row in enumerate(table):
        tokens, tags = row["tokens"], row["ner_tags"]
        if len(tokens) != len(tags):
            raise AnnotationError(
                f"row {i} has {len(tokens)} tokens and {len(tags)} tags",
                file=str(where),
                field=f"{split or 'dataset'}[{i}].ner_tags",
                fix="give one tag per token",
            )
        for j, (token, tag) in enumerate(zip(tokens, tags, strict=True)):
            if isinstance(tag, int):
                if names is None:
                    raise AnnotationError(
                        "ner_tags are integers but the dataset has no ClassLabel feature naming them",
                        file=str(where),
                        field="features.ner_tags",
                        value=tag,
                        fix="cast the column to Sequence(ClassLabel(names=[...])) or store the tag strings",
                    )
                tag = names[tag]
            if not token or any(c.isspace() for c in token):
                raise AnnotationError(
                    "a token is empty or holds white space",
                    file=str(where),
                    field=f"{split or 'dataset'}[{i}].tokens[{j}]",
                    value=token,
                    fix="split the token at its white space",
                )
            lines.append(f"{token}\t{tag}")
        lines.append("")
    if not any(lines):
        return []
    doc_id = f"{name}@{split}" if split else name
    return read_conll("\n".join(lines) + "\n", doc_id=doc_id)


def read_token_dataset(source: str, *, split: str | None = None) -> list[Document]:
    """Read a ``datasets`` corpus of ``tokens`` and ``ner_tags``: a hub id, a saved directory, parquet or JSON files.

    Args:
        source: ``hf-dataset:<id>[:config][@split]`` (a hub dataset, or a local path after the prefix),
            a directory written by ``save_to_disk``, or a ``.parquet``/``.json``/``.jsonl`` file.
        split: The split (default: the one after ``@``, or the only one).

    Raises:
        AnnotationError: If the dataset cannot be loaded (offline and not cached: at once, with the fix),
            lacks the columns, or the split is missing or ambiguous.
    """
    spec = source[len(HUB_PREFIX) :] if source.startswith(HUB_PREFIX) else source
    if "@" in spec and not Path(spec).exists():
        spec, _, at = spec.rpartition("@")
        split = split or at or None
    path = Path(spec).expanduser()
    from datasets import load_dataset
    from datasets.utils.logging import disable_progress_bar

    disable_progress_bar()
    if path.is_dir():
        return read_hf(path, split=split)
    if path.is_file():
        kind = {".parquet": "parquet", ".json": "json", ".jsonl": "json"}.get(path.suffix.lower())
        if kind is None:
            raise AnnotationError(
                "not a datasets file", file=path, fix="use a .parquet, .json or .jsonl file, or a saved directory"
            )
        try:
            dataset = load_dataset(kind, data_files=str(path), split="train")
        except Exception as exc:  # datasets raises many kinds for an unreadable file
            raise AnnotationError(f"cannot load the dataset: {exc}", file=path, fix="check the file") from exc
        return _checked_tokens(dataset, split=None, name=path.name, where=path)
    if not source.startswith(HUB_PREFIX):
        raise AnnotationError("corpus not found", file=path, fix=f"pass an existing path, or {HUB_PREFIX}<hub id>")
    repo, _, config = spec.partition(":")
    offline = os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")
    try:
        dataset = load_dataset(repo, config or None, split=split)
    except Exception as exc:  # offline, missing, gated: datasets raises many kinds
        how = "with network access and HF_HUB_OFFLINE unset" if offline else "with network access"
        raise AnnotationError(
            f"cannot load the hub dataset {repo!r}"
            + (" (the hub is offline: HF_HUB_OFFLINE=1, and it is not in the local cache)" if offline else "")
            + f": {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
            field="corpus",
            value=source,
            fix=f"load it once {how} (datasets.load_dataset({repo!r}"
            + (f", {config!r}" if config else "")
            + ") fills the local cache), or save it with save_to_disk and pass the directory",
        ) from None
    return _checked_tokens(dataset, split=split, name=repo, where=source)


def _checked_tokens(dataset: Any, *, split: str | None, name: str, where: object) -> list[Document]:
    if not is_token_table(dataset):
        raise AnnotationError(
            "the dataset has no 'tokens' and 'ner_tags' columns",
            file=str(where),
            field="columns",
            fix="use a token-classification dataset (tokens, ner_tags), or an arabench export",
        )
    return _token_documents(dataset, split=split, name=name, where=where)
