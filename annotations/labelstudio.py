"""Label Studio JSON: import and export of the "Named Entity Recognition" + "Relations" templates.

A Label Studio export is a JSON list of tasks::

    [{"id": 1,
      "data": {"text": "...", "doc_id": "doc-1"},
      "meta": {...},
      "annotations": [{"result": [
          {"id": "T1", "from_name": "label", "to_name": "text", "type": "labels",
           "value": {"start": 0, "end": 4, "text": "...", "labels": ["PERS"]}},
          {"id": "R1", "type": "relation", "from_id": "T1", "to_id": "T2",
           "direction": "right", "labels": ["HAS_ROLE"]}]}]}]

Rules:

* Offsets in Label Studio are JavaScript string offsets (UTF-16 code units):
  an Arabic letter is one unit, an emoji or other astral character two. They
  are converted to and from Python character offsets; an offset inside a
  surrogate pair is an error.
* ``value.text``, when present, must equal the slice of the text.
* Every ``labels`` region and every ``relation`` is kept; other result kinds
  (choices, text areas, ratings) are kept verbatim in
  ``metadata["labelstudio_results"]`` and written back.
* Ids: region ids are kept when they look like BRAT ids (``T1``...), else
  the entities are numbered ``T1``, ``T2``... in order and the original ids
  kept in ``metadata["labelstudio_ids"]``, so that an export restores them.
  Relations (which have no id in Label Studio) are numbered ``R1``... unless
  they carry an ``id`` (arabench writes one). ``direction`` ``right`` means
  ``from`` is the first argument, ``left`` means ``to`` is; ``bi`` reads as
  ``right`` and is remembered in ``metadata["labelstudio_bidirectional"]``.
* The entity layer (coreference clusters, BRAT's ``Equiv`` lines) is written as
  relations labelled ``Equiv`` (:data:`arabench.annotations.spans.EQUIV`, never a
  schema relation type) with ``direction`` ``bi`` and no id, from a cluster's
  first mention to each other mention, so annotators see and edit clusters
  with Label Studio's own relation tool (add ``<Relation value="Equiv"/>`` to
  the labelling config). On reading, every ``Equiv`` relation joins its two
  regions, whatever the shape drawn (star or chain); a cluster lists its
  mentions in the order they first occur in those relations.
* A task with several annotations needs an explicit ``annotation_index``;
  arabench never silently takes the first.
* The document id is ``data.doc_id`` if present, else the task id.
"""

from __future__ import annotations

import json
import os
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from arabench.annotations.errors import AnnotationError, ConversionError
from arabench.annotations.files import atomic_write_text
from arabench.annotations.jsonl import DuplicateKeyError, find_lone_surrogate, reject_duplicate_keys
from arabench.annotations.schema import Schema
from arabench.annotations.spans import EQUIV, Document, Relation, Span

__all__ = [
    "IDS_KEY",
    "OTHER_RESULTS_KEY",
    "BIDIRECTIONAL_KEY",
    "META_KEY",
    "utf16_offset",
    "char_offset",
    "parse_labelstudio",
    "read_labelstudio",
    "documents_to_labelstudio",
    "write_labelstudio",
]

#: Metadata key: arabench id -> original Label Studio result id.
IDS_KEY = "labelstudio_ids"
#: Metadata key: result items that are neither regions nor relations, verbatim.
OTHER_RESULTS_KEY = "labelstudio_results"
#: Metadata key: ids of relations that were bidirectional in Label Studio.
BIDIRECTIONAL_KEY = "labelstudio_bidirectional"
#: Metadata key: a task ``meta`` that is not a JSON object, verbatim.
META_KEY = "labelstudio_meta"

_ENTITY_ID = re.compile(r"T[1-9][0-9]*")
_RELATION_ID = re.compile(r"R[1-9][0-9]*")


# --------------------------------------------------------------------------- UTF-16 offsets


def _utf16_table(text: str) -> list[int] | None:
    """Cumulative UTF-16 length before each character, or ``None`` if the text has no astral character."""
    if len(text.encode("utf-16-le")) == 2 * len(text):
        return None
    table = [0]
    total = 0
    for ch in text:
        total += 2 if ord(ch) > 0xFFFF else 1
        table.append(total)
    return table


def utf16_offset(text: str, offset: int) -> int:
    """Convert a Python character offset into ``text`` to a UTF-16 (JavaScript) offset."""
    return len(text[:offset].encode("utf-16-le")) // 2


def char_offset(text: str, offset: int) -> int:
    """Convert a UTF-16 (JavaScript) offset into ``text`` to a Python character offset.

    Raises:
        ConversionError: If the offset is out of range or inside a surrogate pair.
    """
    table = _utf16_table(text)
    return _to_char(table, offset, len(text))


def _to_char(table: list[int] | None, offset: int, length: int) -> int:
    if table is None:
        if 0 <= offset <= length:
            return offset
        raise ConversionError("offset out of range", field="offset", value=offset, fix=f"use 0..{length}")
    index = bisect_left(table, offset)
    if index >= len(table) or table[index] != offset:
        if 0 <= offset <= table[-1]:
            raise ConversionError(
                "UTF-16 offset falls inside a surrogate pair (an astral character such as an emoji)",
                field="offset",
                value=offset,
                fix="use offsets at character boundaries",
            )
        raise ConversionError("offset out of range", field="offset", value=offset, fix=f"use 0..{table[-1]}")
    return index


def _to_utf16(table: list[int] | None, offset: int) -> int:
    return offset if table is None else table[offset]


# --------------------------------------------------------------------------- reading


def _load(source: str | os.PathLike[str] | Sequence[Mapping[str, object]]) -> tuple[object, str | None]:
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            return json.loads(path.read_text(encoding="utf-8-sig"), object_pairs_hook=reject_duplicate_keys), str(path)
        except DuplicateKeyError as exc:
            raise AnnotationError(
                "duplicate key in a JSON object (JSON readers keep only the last value, losing the others)",
                file=path,
                field=str(exc.args[0]),
                value=exc.args[0],
                fix="give each key once per object (merge the two values)",
            ) from None
        except OSError as exc:
            raise AnnotationError(
                f"cannot read Label Studio file: {exc.strerror or exc}", file=path, fix="check the path"
            ) from exc
        except UnicodeDecodeError as exc:
            raise AnnotationError(
                f"not UTF-8 at byte offset {exc.start}", file=path, fix="re-export the file from Label Studio"
            ) from exc
        except json.JSONDecodeError as exc:
            raise AnnotationError(
                f"not valid JSON: {exc.msg}",
                file=path,
                line=exc.lineno,
                fix="export the project as JSON from Label Studio",
            ) from exc
        except RecursionError:
            raise AnnotationError(
                "JSON nested too deeply to be a Label Studio export",
                file=path,
                fix="export the project as JSON from Label Studio",
            ) from None
        except ValueError as exc:  # e.g. an integer of thousands of digits
            raise AnnotationError(
                f"not a readable JSON value: {exc}", file=path, fix="export the project as JSON from Label Studio"
            ) from None
    return source, None


def _check_strings(tasks: object, file: str | None) -> None:
    found = find_lone_surrogate(tasks)
    if found is not None:
        raise AnnotationError(
            "string holds a lone surrogate (half of a UTF-16 pair), which no file can store and no offset can count",
            file=file,
            field=f"tasks{found[0]}" if found[0].startswith("[") else found[0],
            value=found[1],
            fix="remove it, or give the full surrogate pair",
        )


def read_labelstudio(
    source: str | os.PathLike[str] | Sequence[Mapping[str, object]],
    *,
    predictions: bool = False,
    annotation_index: int | None = None,
    text_key: str = "text",
    schema: Schema | None = None,
) -> list[Document]:
    """Read a Label Studio JSON export (a file, or the already-parsed list of tasks).

    Args:
        source: A ``.json`` file path, or the list of task dicts.
        predictions: Read each task's ``predictions`` instead of its ``annotations``.
        annotation_index: Which annotation (or prediction) to read when a
            task has several; required then, an error otherwise.
        text_key: The key of the text in each task's ``data``.
        schema: If given, entity and relation labels must be schema types.

    Returns:
        One document per task, in file order.

    Raises:
        AnnotationError: For anything malformed; the message names the file,
            the task (``tasks[i]``), the result and the fix.
    """
    data, file = _load(source)
    return parse_labelstudio(
        data,
        file=file,
        predictions=predictions,
        annotation_index=annotation_index,
        text_key=text_key,
        schema=schema,
    )


def parse_labelstudio(
    tasks: object,
    *,
    file: str | None = None,
    predictions: bool = False,
    annotation_index: int | None = None,
    text_key: str = "text",
    schema: Schema | None = None,
) -> list[Document]:
    """Turn parsed Label Studio JSON (a list of tasks) into documents; see :func:`read_labelstudio`."""
    if isinstance(tasks, Mapping):
        tasks = [tasks]
    _check_strings(tasks, file)
    if not isinstance(tasks, list):
        raise AnnotationError(
            "a Label Studio export must be a JSON list of tasks",
            file=file,
            value=type(tasks).__name__,
            fix="export the project as JSON (not JSON-MIN or CSV)",
        )
    documents = []
    seen: dict[str, int] = {}
    for i, task in enumerate(tasks):
        document = _parse_task(task, i, file, predictions, annotation_index, text_key, schema)
        if document.id in seen:
            raise AnnotationError(
                f"tasks[{seen[document.id]}] and tasks[{i}] have the same document id",
                file=file,
                field=f"tasks[{i}].id",
                value=document.id,
                fix="give every task a distinct data.doc_id",
            )
        seen[document.id] = i
        documents.append(document)
    return documents


def _parse_task(
    task: object,
    i: int,
    file: str | None,
    predictions: bool,
    annotation_index: int | None,
    text_key: str,
    schema: Schema | None,
) -> Document:
    where = f"tasks[{i}]"

    def fail(message: str, field: str, value: object, fix: str) -> AnnotationError:
        return AnnotationError(message, file=file, field=field, value=value, fix=fix)

    if not isinstance(task, Mapping):
        raise fail("a task must be a JSON object", where, type(task).__name__, "export the project as JSON")
    data = task.get("data")
    if not isinstance(data, Mapping) or not isinstance(data.get(text_key), str):
        raise fail(
            f"task has no text in data.{text_key}",
            f"{where}.data.{text_key}",
            None if not isinstance(data, Mapping) else data.get(text_key),
            "use the NER template (<Text name='text' value='$text'/>) or pass the right text key",
        )
    text: str = data[text_key]
    doc_id = data.get("doc_id", task.get("id", i + 1))
    if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)) or doc_id == "":
        field = f"{where}.data.doc_id" if "doc_id" in data else f"{where}.id"
        raise fail(
            "a document id must be a non-empty string or an integer",
            field,
            doc_id,
            "give the task a string data.doc_id (an object or list would be turned into an unreadable id)",
        )
    doc_id = str(doc_id)
    kind = "predictions" if predictions else "annotations"
    runs = task.get(kind)
    if not isinstance(runs, list) or not runs:
        other = "annotations" if predictions else "predictions"
        hint = f"; it has {other}: read those instead" if task.get(other) else ""
        raise fail(
            f"task has no {kind}{hint}",
            f"{where}.{kind}",
            runs,
            f"annotate the task, remove it, or read {other}"
            if hint
            else "annotate the task in Label Studio or remove it",
        )
    if annotation_index is None:
        if len(runs) > 1:
            raise fail(
                f"task has {len(runs)} {kind}; which one to read is not guessed",
                f"{where}.{kind}",
                len(runs),
                f"pass annotation_index (0..{len(runs) - 1}), or --annotation-index on the command line",
            )
        chosen = runs[0]
        where_run = f"{where}.{kind}[0]"
    else:
        if not 0 <= annotation_index < len(runs):
            raise fail(
                f"annotation_index out of range: task has {len(runs)} {kind}",
                "annotation_index",
                annotation_index,
                f"use 0..{len(runs) - 1}",
            )
        chosen = runs[annotation_index]
        where_run = f"{where}.{kind}[{annotation_index}]"
    result = chosen.get("result") if isinstance(chosen, Mapping) else None
    if not isinstance(result, list):
        raise fail("annotation has no result list", f"{where_run}.result", result, "export the project as JSON")

    table = _utf16_table(text)
    regions: list[tuple[str, Span]] = []
    relations: list[tuple[str | None, Mapping[str, object], str]] = []
    equivs: list[tuple[Mapping[str, object], str]] = []
    others: list[object] = []
    for j, item in enumerate(result):
        at = f"{where_run}.result[{j}]"
        if not isinstance(item, Mapping):
            raise fail("a result must be a JSON object", at, item, "export the project as JSON")
        kind_j = item.get("type")
        if kind_j == "labels":
            regions.append(_parse_region(item, at, text, table, fail, schema, file))
        elif kind_j == "relation" and item.get("labels") == [EQUIV]:
            equivs.append((item, at))
        elif kind_j == "relation":
            relations.append((item.get("id") if isinstance(item.get("id"), str) else None, item, at))
        else:
            others.append(dict(item))

    ls_ids = [rid for rid, _ in regions]
    if len(set(ls_ids)) != len(ls_ids):
        dup = next(x for x in ls_ids if ls_ids.count(x) > 1)
        raise fail("two regions share a result id", f"{where_run}.result", dup, "give every region a distinct id")
    keep_ids = all(_ENTITY_ID.fullmatch(rid) for rid in ls_ids)
    entities: dict[str, Span] = {}
    by_ls_id: dict[str, Span] = {}
    id_map: dict[str, str] = {}
    for n, (rid, span) in enumerate(regions, start=1):
        ident = rid if keep_ids else f"T{n}"
        if not keep_ids:
            id_map[ident] = rid
        entities[ident] = span
        by_ls_id[rid] = span

    rel_ids = [rid for rid, _, _ in relations]
    keep_rel_ids = all(rid is not None and _RELATION_ID.fullmatch(rid) for rid in rel_ids) and len(set(rel_ids)) == len(
        rel_ids
    )
    out_relations: dict[str, Relation] = {}
    bidirectional: list[str] = []
    for n, (rid, item, at) in enumerate(relations, start=1):
        ident = rid if keep_rel_ids and rid is not None else f"R{n}"
        if rid is not None and ident != rid:
            id_map[ident] = rid
        ends = [by_ls_id[ref] for ref in _ends(item, at, by_ls_id, fail, "relation")]
        labels = item.get("labels")
        if not isinstance(labels, list) or len(labels) != 1 or not isinstance(labels[0], str):
            raise fail(
                "a relation needs exactly one label",
                f"{at}.labels",
                labels,
                "choose one relation label in Label Studio (<Relations> with <Relation value=.../>)",
            )
        if schema is not None:
            schema.check_relation_type(labels[0], file=file)
        direction = item.get("direction", "right")
        if direction == "left":
            ends.reverse()
        elif direction == "bi":
            bidirectional.append(ident)
        elif direction != "right":
            raise fail("unknown relation direction", f"{at}.direction", direction, "use right, left or bi")
        out_relations[ident] = Relation(labels[0], ends[0], ends[1])

    ident_of = {rid: ident for ident, rid in ((i, id_map.get(i, i)) for i in entities)}
    groups: list[list[str]] = []
    member: dict[str, list[str]] = {}
    for item, at in equivs:
        ends = [ident_of[ref] for ref in _ends(item, at, by_ls_id, fail, "Equiv relation")]
        a, b = (member.get(end) for end in ends)
        if a is None and b is None:
            group = list(dict.fromkeys(ends))
            groups.append(group)
        elif a is not None and b is not None and a is not b:
            a.extend(b)
            groups.remove(b)
            group = a
        else:
            group = a if a is not None else b  # type: ignore[assignment]
            group.extend(end for end in ends if end not in group)
        for ident in group:
            member[ident] = group
    clusters = tuple(tuple(group) for group in groups)

    metadata: dict[str, object] = {}
    meta = task.get("meta")
    if isinstance(meta, Mapping):
        metadata.update(meta)
    elif meta not in (None, {}):
        metadata[META_KEY] = meta
    if id_map:
        metadata[IDS_KEY] = id_map
    if others:
        metadata[OTHER_RESULTS_KEY] = others
    if bidirectional:
        metadata[BIDIRECTIONAL_KEY] = bidirectional
    return Document(doc_id, text, entities, out_relations, metadata, clusters)


def _ends(
    item: Mapping[str, object],
    at: str,
    regions: Mapping[str, Span],
    fail: Callable[[str, str, object, str], AnnotationError],
    what: str,
) -> list[str]:
    """The ``from_id`` and ``to_id`` of a relation item, each a region of the annotation."""
    ends = []
    for key in ("from_id", "to_id"):
        ref = item.get(key)
        if ref not in regions:
            raise fail(
                f"{what} refers to no region of this annotation",
                f"{at}.{key}",
                ref,
                "link two labelled regions of the same annotation",
            )
        ends.append(str(ref))
    return ends


def _parse_region(
    item: Mapping[str, object],
    at: str,
    text: str,
    table: list[int] | None,
    fail: Callable[[str, str, object, str], AnnotationError],
    schema: Schema | None,
    file: str | None,
) -> tuple[str, Span]:
    rid = item.get("id")
    if not isinstance(rid, str) or not rid:
        raise fail("a region needs a string id", f"{at}.id", rid, "export the project as JSON from Label Studio")
    value = item.get("value")
    if not isinstance(value, Mapping):
        raise fail("a region needs a value object", f"{at}.value", value, "export the project as JSON")
    start, end = value.get("start"), value.get("end")
    if type(start) is not int or type(end) is not int:
        raise fail(
            "region offsets must be integers",
            f"{at}.value.start/end",
            (start, end),
            "use the NER template on plain text (HyperText regions have XPath offsets)",
        )
    try:
        c_start = _to_char(table, start, len(text))
        c_end = _to_char(table, end, len(text))
    except ConversionError as exc:
        raise fail(exc.message, f"{at}.value.start/end", (start, end), exc.fix or "") from None
    if c_start >= c_end:
        raise fail("region must have start < end", f"{at}.value.start/end", (start, end), "remove the empty region")
    labels = value.get("labels")
    if not isinstance(labels, list) or len(labels) != 1 or not isinstance(labels[0], str):
        raise fail(
            "a region needs exactly one label",
            f"{at}.value.labels",
            labels,
            "give the region one label (add a second region for a second type)",
        )
    if schema is not None:
        schema.check_entity_type(labels[0], file=file)
    covered = text[c_start:c_end]
    if "text" in value and value["text"] != covered:
        raise fail(
            f"region text differs from the task text at {c_start}:{c_end} (task text there: {covered!r})",
            f"{at}.value.text",
            value["text"],
            "re-export from Label Studio; if the task text was edited, re-annotate the task",
        )
    return rid, Span(c_start, c_end, labels[0])


# --------------------------------------------------------------------------- writing


def documents_to_labelstudio(
    documents: Iterable[Document],
    *,
    predictions: bool = False,
    from_name: str = "label",
    to_name: str = "text",
    text_key: str = "text",
    model_version: str | None = None,
) -> list[dict[str, object]]:
    """Turn documents into Label Studio tasks (one task per document).

    Args:
        documents: The documents.
        predictions: Write the spans as ``predictions`` (pre-annotations)
            instead of ``annotations``.
        from_name: The name of the ``<Labels>`` control in the labelling config.
        to_name: The name of the ``<Text>`` object.
        text_key: The key of the text in ``data``.
        model_version: Written on predictions when given.

    Raises:
        ConversionError: If a relation argument is not one of the document's entities.
    """
    tasks = []
    for n, document in enumerate(documents, start=1):
        text = document.text
        table = _utf16_table(text)
        metadata = dict(document.metadata)
        id_map = dict(metadata.pop(IDS_KEY, None) or {})
        others = list(metadata.pop(OTHER_RESULTS_KEY, None) or [])
        bidirectional = set(metadata.pop(BIDIRECTIONAL_KEY, None) or [])
        odd_meta = metadata.pop(META_KEY, None)
        result: list[dict[str, object]] = []
        arg_ids = document.relation_arg_ids()
        for ident, span in document.entities.items():
            rid = str(id_map.get(ident, ident))
            result.append(
                {
                    "id": rid,
                    "from_name": from_name,
                    "to_name": to_name,
                    "type": "labels",
                    "value": {
                        "start": _to_utf16(table, span.start),
                        "end": _to_utf16(table, span.end),
                        "text": text[span.start : span.end],
                        "labels": [span.label],
                    },
                }
            )
        for ident, relation in document.relations.items():
            ends = [str(id_map.get(arg_id, arg_id)) for arg_id in arg_ids[ident]]
            item: dict[str, object] = {
                "id": str(id_map.get(ident, ident)),
                "type": "relation",
                "from_id": ends[0],
                "to_id": ends[1],
                "direction": "bi" if ident in bidirectional else "right",
                "labels": [relation.label],
            }
            result.append(item)
        for group in document.clusters:
            first = str(id_map.get(group[0], group[0]))
            for other in group[1:]:
                result.append(
                    {
                        "type": "relation",
                        "from_id": first,
                        "to_id": str(id_map.get(other, other)),
                        "direction": "bi",
                        "labels": [EQUIV],
                    }
                )
        result.extend(others)
        run: dict[str, object] = {"result": result}
        if predictions and model_version is not None:
            run["model_version"] = model_version
        task: dict[str, object] = {"id": n, "data": {text_key: text, "doc_id": document.id}}
        if metadata:
            if odd_meta is not None:  # a non-mapping meta beside other metadata: keep both, under its key
                metadata[META_KEY] = odd_meta
            task["meta"] = metadata
        elif odd_meta is not None:
            task["meta"] = odd_meta
        task["predictions" if predictions else "annotations"] = [run]
        tasks.append(task)
    return tasks


def write_labelstudio(
    documents: Iterable[Document],
    path: str | os.PathLike[str],
    *,
    predictions: bool = False,
    from_name: str = "label",
    to_name: str = "text",
    text_key: str = "text",
) -> Path:
    """Write documents as a Label Studio JSON import/export file and return its path.

    Raises:
        ConversionError: As :func:`documents_to_labelstudio`, or if metadata
            is not JSON-serializable.
    """
    tasks = documents_to_labelstudio(
        documents, predictions=predictions, from_name=from_name, to_name=to_name, text_key=text_key
    )
    try:
        content = json.dumps(tasks, ensure_ascii=False, indent=1)
    except (TypeError, ValueError) as exc:
        raise ConversionError(
            f"cannot write Label Studio JSON ({exc})",
            field="metadata",
            fix="keep only JSON values (strings, numbers, lists, objects) in document metadata",
        ) from exc
    path = Path(path)
    atomic_write_text(path, content + "\n")  # replaces a link, never writes through it
    return path
