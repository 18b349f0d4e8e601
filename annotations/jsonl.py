r"""Read and write annotations as JSON Lines, one document per line.

Each line is one object::

    {"id": "doc1", "text": "...",
     "entities": [{"id": "T1", "start": 0, "end": 4, "type": "PERS", "text": "..."}],
     "relations": [{"id": "R1", "type": "HAS_ROLE", "arg1": "T1", "arg2": "T2"}],
     "clusters": [["T1", "T5"]],
     "metadata": {...}}

``id``, ``text`` and ``entities`` are required; ``relations``, ``clusters``
and ``metadata`` may be left out (meaning none). ``clusters`` is the entity
layer: each list holds the ids of two or more mentions of one entity (BRAT's
``*\tEquiv`` lines, in order); a mention in no list is a singleton entity.
It is written only when the document has clusters. An entity's ``text`` must equal
``text[start:end]``. The format is lossless against BRAT: ids and order are
kept, and what BRAT needs to write the same ``.ann`` back is in
``metadata["brat"]`` (see :mod:`arabench.annotations.brat`).

Lines are split at ``\n`` only (JSON escapes it inside strings), never at
other Unicode line separators.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from arabench.annotations.errors import ConversionError
from arabench.annotations.files import atomic_write_bytes
from arabench.annotations.problems import WARNING, ParsedDocument, Problem
from arabench.annotations.spans import Document, Relation, Span

__all__ = [
    "find_lone_surrogate",
    "plain_value",
    "DuplicateKeyError",
    "parse_jsonl",
    "reject_duplicate_keys",
    "document_to_dict",
    "format_jsonl",
    "write_jsonl",
]

_DOC_KEYS = {"id", "text", "entities", "relations", "clusters", "metadata"}
_ENTITY_KEYS = ("id", "start", "end", "type", "text")
_RELATION_KEYS = ("id", "type", "arg1", "arg2")
_FORMAT = (
    'one JSON object per line: {"id", "text", "entities": [{"id","start","end","type","text"}], '
    '"relations": [{"id","type","arg1","arg2"}], "clusters": [["T1","T2"]], "metadata": {}}'
)


class DuplicateKeyError(ValueError):
    """A JSON object holds the same key twice (``json.loads`` would keep only the last value)."""


def find_lone_surrogate(value: object, *, skip: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    r"""The first string (key or value) in parsed JSON holding a lone surrogate: ``(field path, string)``.

    JSON's ``\ud800``-style escapes can encode half a surrogate pair; Python
    keeps it, but no file can be written with it (UTF-8 refuses it), so a
    reader reports it where it is instead of a writer failing later.

    Args:
        value: Parsed JSON.
        skip: Top-level keys not to look into (checked elsewhere).
    """
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return path or "(value)", item
        elif isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                if path == "" and key in skip:
                    continue
                where = f"{path}.{key}" if path else str(key)
                if _SURROGATE.search(str(key)):
                    return where, str(key)
                stack.append((where, child))
        elif isinstance(item, list):
            stack += [(f"{path}[{i}]", child) for i, child in reversed(list(enumerate(item)))]
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")


def reject_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """``object_pairs_hook`` for :func:`json.loads` that refuses a key given twice in one object.

    Raises:
        DuplicateKeyError: Naming the key.
    """
    obj: dict[str, object] = {}
    for key, value in pairs:
        if key in obj:
            raise DuplicateKeyError(key)
        obj[key] = value
    return obj


class _DocParser:
    def __init__(self, file: str | None, lineno: int, data: dict) -> None:
        self.file = file
        self.lineno = lineno
        self.data = data
        self.problems: list[Problem] = []
        self.where: dict[str, tuple[int, str]] = {}
        self.first: dict[str, str] = {}
        self.broken: set[str] = set()

    def problem(self, field: str | None, message: str, fix: str, *args: object) -> None:
        value = {"value": args[0]} if args else {}
        self.problems.append(Problem(self.file, self.lineno, field, message, fix, **value))  # type: ignore[arg-type]

    def claim(self, ident: str, field: str) -> bool:
        if ident in self.first:
            self.problem(
                f"{field}.id",
                f"duplicate id (first used at {self.first[ident]})",
                "give every annotation its own id",
                ident,
            )
            self.broken.add(ident)
            return False
        self.first[ident] = field
        return True

    def run(self) -> ParsedDocument | None:
        data = self.data
        for key in data:
            if key not in _DOC_KEYS:
                self.problem(key, "unknown document field", f"move it into 'metadata'; the format is {_FORMAT}", key)
        doc_id = data.get("id")
        text = data.get("text")
        if not isinstance(doc_id, str) or not doc_id:
            self.problem("id", "document id must be a non-empty string", "add an 'id' string", doc_id)
            doc_id = None
        if not isinstance(text, str):
            self.problem("text", "document text must be a string", "add the raw text as 'text'", text)
            text = None
        metadata = data.get("metadata", {})
        if not isinstance(metadata, dict):
            self.problem("metadata", "metadata must be an object", "use a JSON object or leave it out", metadata)
            metadata = {}
        if "entities" not in data:
            self.problem(
                "entities",
                "missing field",
                "add 'entities': [] if the document has no entities (a missing list would silently change scores)",
            )
        entities = self.entities(data.get("entities", []), text)
        relations = self.relations(data.get("relations", []), entities)
        clusters = self.clusters(data.get("clusters", []), entities)
        if doc_id is None or text is None:
            return None
        document = Document(doc_id, text, entities, relations, metadata, tuple(clusters))
        return ParsedDocument(document, self.file or "", None, self.where, self.lineno, self.problems)

    def entities(self, items: object, text: str | None) -> dict[str, Span]:
        result: dict[str, Span] = {}
        if not isinstance(items, list):
            self.problem("entities", "entities must be a list", "use a JSON list of entity objects", items)
            return result
        for i, item in enumerate(items):
            field = f"entities[{i}]"
            if not isinstance(item, dict):
                self.problem(field, "entity must be an object", f"use {{{', '.join(_ENTITY_KEYS)}}}", item)
                continue
            missing = [k for k in _ENTITY_KEYS if k not in item]
            unknown = [k for k in item if k not in _ENTITY_KEYS]
            ident = item.get("id")
            if not isinstance(ident, str) or not ident:
                self.problem(f"{field}.id", "entity id must be a non-empty string", "use ids like T1", ident)
                continue
            fresh = self.claim(ident, field)
            if missing or unknown:
                self.problem(
                    field,
                    f"entity must have exactly the keys {', '.join(_ENTITY_KEYS)}",
                    "add the missing keys and remove the unknown ones",
                    {"missing": missing, "unknown": unknown},
                )
                self.broken.add(ident)
                continue
            label, start, end, column = item["type"], item["start"], item["end"], item["text"]
            ok = True
            if not isinstance(label, str) or not label:
                self.problem(f"{field}.type", "entity type must be a non-empty string", "use a schema type", label)
                ok = False
            for name, value in (("start", start), ("end", end)):
                if type(value) is not int or value < 0:
                    self.problem(
                        f"{field}.{name}",
                        "offset is not a non-negative integer",
                        "use integer character offsets",
                        value,
                    )
                    ok = False
            if ok and text is not None:
                for name, value in (("start", start), ("end", end)):
                    if value > len(text):
                        self.problem(
                            f"{field}.{name}",
                            f"offset is beyond the end of the text ({len(text)} characters)",
                            "offsets count characters (not bytes) of 'text'",
                            value,
                        )
                        ok = False
                if ok and start >= end:
                    self.problem(
                        f"{field}.end",
                        f"span is empty or reversed (start {start} >= end {end})",
                        "use start < end",
                        end,
                    )
                    ok = False
                if ok and column != text[start:end]:
                    self.problem(
                        f"{field}.text",
                        f"entity text differs from the text at {start}-{end} ({text[start:end]!r})",
                        "correct the offsets or the entity text so that it equals text[start:end]",
                        column,
                    )
            if not ok or text is None:
                self.broken.add(ident)
                continue
            if fresh:
                result[ident] = Span(start, end, label)
                self.where[ident] = (self.lineno, f"{field}.")
        return result

    def relations(self, items: object, entities: Mapping[str, Span]) -> dict[str, Relation]:
        result: dict[str, Relation] = {}
        if not isinstance(items, list):
            self.problem("relations", "relations must be a list", "use a JSON list of relation objects", items)
            return result
        for i, item in enumerate(items):
            field = f"relations[{i}]"
            if not isinstance(item, dict):
                self.problem(field, "relation must be an object", f"use {{{', '.join(_RELATION_KEYS)}}}", item)
                continue
            ident = item.get("id")
            if not isinstance(ident, str) or not ident:
                self.problem(f"{field}.id", "relation id must be a non-empty string", "use ids like R1", ident)
                continue
            fresh = self.claim(ident, field)
            missing = [k for k in _RELATION_KEYS if k not in item]
            unknown = [k for k in item if k not in _RELATION_KEYS]
            if missing or unknown:
                self.problem(
                    field,
                    f"relation must have exactly the keys {', '.join(_RELATION_KEYS)}",
                    "add the missing keys and remove the unknown ones",
                    {"missing": missing, "unknown": unknown},
                )
                continue
            label = item["type"]
            if not isinstance(label, str) or not label:
                self.problem(f"{field}.type", "relation type must be a non-empty string", "use a schema type", label)
                continue
            args = []
            for name in ("arg1", "arg2"):
                target = item[name]
                span = entities.get(target) if isinstance(target, str) else None
                if span is None and not (isinstance(target, str) and target in self.broken):
                    self.problem(
                        f"{field}.{name}",
                        "relation argument is not an entity of this document",
                        "use the id of one of the document's entities",
                        target,
                    )
                if span is not None:
                    args.append(span)
            if fresh and len(args) == 2:
                result[ident] = Relation(label, args[0], args[1])
                self.where[ident] = (self.lineno, f"{field}.")
        return result

    def clusters(self, items: object, entities: Mapping[str, Span]) -> list[tuple[str, ...]]:
        result: list[tuple[str, ...]] = []
        if not isinstance(items, list):
            self.problem("clusters", "clusters must be a list", "use a JSON list of lists of entity ids", items)
            return result
        for i, item in enumerate(items):
            field = f"clusters[{i}]"
            if not isinstance(item, list) or not all(isinstance(x, str) for x in item):
                self.problem(field, "a cluster must be a list of entity ids", 'use a list like ["T1", "T5"]', item)
                continue
            for target in item:
                if target not in entities and target not in self.broken:
                    self.problem(
                        field,
                        "cluster names an id that is not an entity of this document",
                        "use the ids of the document's entities",
                        target,
                    )
            self.where[f"*{len(result)}"] = (self.lineno, f"{field}.")
            result.append(tuple(item))
        return result


def parse_jsonl(content: str, *, file: str | Path | None = None) -> tuple[list[ParsedDocument], list[Problem]]:
    """Parse JSON Lines content into documents.

    Never raises for bad content: problems are collected with their 1-based
    line and field (``entities[3].start``).

    Args:
        content: The decoded file content.
        file: The path, for messages.

    Returns:
        The documents that could be parsed (each with its own problems) and
        the problems of lines that did not give a document.
    """
    name = None if file is None else str(file)
    documents: list[ParsedDocument] = []
    problems: list[Problem] = []
    lines = content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for lineno, line in enumerate(lines, 1):
        if line.endswith("\r"):
            line = line[:-1]
        if not line.strip():
            problems.append(
                Problem(name, lineno, None, "blank line", "remove it (one document per line)", severity=WARNING)
            )
            continue
        try:
            data = json.loads(line, object_pairs_hook=reject_duplicate_keys)
        except DuplicateKeyError as exc:
            problems.append(
                Problem(
                    name,
                    lineno,
                    str(exc.args[0]),
                    "duplicate key in a JSON object (JSON readers keep only the last value, losing the others)",
                    "give each key once per object (merge the two values)",
                    exc.args[0],
                )
            )
            continue
        except (ValueError, RecursionError) as exc:
            problems.append(
                Problem(name, lineno, None, f"line is not valid JSON ({exc})", f"write {_FORMAT}", line[:80])
            )
            continue
        if not isinstance(data, dict):
            problems.append(Problem(name, lineno, None, "line is not a JSON object", f"write {_FORMAT}", line[:80]))
            continue
        surrogate = find_lone_surrogate(data, skip=frozenset({"text"}))  # the text's own check reports it there
        if surrogate is not None:
            problems.append(
                Problem(
                    name,
                    lineno,
                    surrogate[0],
                    "string holds a lone surrogate (half of a '\\ud800'-style pair), which no file can store",
                    "remove it, or give the full surrogate pair",
                    surrogate[1],
                )
            )
            continue
        parser = _DocParser(name, lineno, data)
        parsed = parser.run()
        if parsed is None:
            problems.extend(parser.problems)
        else:
            documents.append(parsed)
    return documents, problems


def document_to_dict(document: Document) -> dict[str, object]:
    """The JSON-ready dict of one document (the JSONL line, before encoding).

    Raises:
        ConversionError: If a relation argument is not one of the document's entities.
    """
    arg_ids = document.relation_arg_ids()
    relations = [
        {"id": ident, "type": relation.label, "arg1": arg_ids[ident][0], "arg2": arg_ids[ident][1]}
        for ident, relation in document.relations.items()
    ]
    result: dict[str, object] = {
        "id": document.id,
        "text": document.text,
        "entities": [
            {"id": i, "start": s.start, "end": s.end, "type": s.label, "text": document.text[s.start : s.end]}
            for i, s in document.entities.items()
        ],
        "relations": relations,
    }
    if document.clusters:
        result["clusters"] = [list(group) for group in document.clusters]
    result["metadata"] = plain_value(document.metadata)
    return result


def plain_value(value: object) -> object:
    """Metadata as plain JSON values: mappings with text keys and lists (tuples become lists), recursively."""
    if isinstance(value, Mapping):
        return {str(k): plain_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_value(v) for v in value]
    return value


def format_jsonl(documents: Iterable[Document]) -> str:
    """Encode documents as JSON Lines (UTF-8 text, one LF-terminated line each).

    Raises:
        ConversionError: If a document's metadata is not JSON-serializable.
    """
    out = []
    for document in documents:
        try:
            out.append(json.dumps(document_to_dict(document), ensure_ascii=False) + "\n")
        except (TypeError, ValueError) as exc:
            if isinstance(exc, ConversionError):
                raise
            raise ConversionError(
                f"document {document.id!r} cannot be written as JSON ({exc})",
                field="metadata",
                fix="keep only JSON values (strings, numbers, lists, objects) in the metadata",
            ) from exc
    return "".join(out)


def write_jsonl(documents: Iterable[Document], path: str | Path) -> Path:
    """Write documents to a ``.jsonl`` file (UTF-8, LF line endings) and return its path."""
    path = Path(path)
    content = format_jsonl(documents)
    try:
        data = content.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ConversionError(
            f"documents cannot be encoded as UTF-8 ({exc.reason} at character {exc.start} of the output)",
            field="text",
            value=exc.object[exc.start : exc.end],
            fix="remove the lone surrogate characters",
        ) from exc
    atomic_write_bytes(path, data)  # replaces a link at path, never writes through it
    return path
