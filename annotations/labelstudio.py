r"""Label Studio JSON: import and export of the "Named Entity Recognition" + "Relations" templates.

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

* Offsets are **code points** (Python ``str`` indices): Label Studio's text
  tags count a region's ``start``/``end`` over ``[...text]``, the JavaScript
  iteration of a string by code points (``domManager.ts`` of its editor; its
  end-to-end test ``ner/emoji.cy.ts`` checks a region after an emoji). An
  emoji is one unit, a combining mark one, a zero-width joiner one; a Python
  offset is written as it is and read as it is.
* ``value.text``, when present, must equal the slice of the text; Label Studio
  shows a line break inside a region as the two characters ``\n``, which is
  accepted for a line break.
* Every ``labels`` region and every ``relation`` is kept; other result kinds
  (choices, text areas, ratings) are kept verbatim in
  ``metadata["labelstudio_results"]`` and written back.
* Ids are stable: a region's id is its entity id (``T1``...) and stays so
  through Label Studio, so a task edited there reads back with the ids it had.
  A region drawn in Label Studio (a random id) gets the next free ``T`` number,
  in the order of the result list, and its Label Studio id is kept in
  ``metadata["labelstudio_ids"]`` so that an export restores it. Entities are
  ordered by their ``T`` number, new ones last, so that one edit in Label
  Studio is one line of the ``.ann``. Relations (Label Studio drops their id)
  are numbered the same way. ``direction`` ``right`` means ``from`` is the
  first argument, ``left`` means ``to`` is; ``bi`` reads as ``right`` and is
  remembered in ``metadata["labelstudio_bidirectional"]``.
* The entity layer (coreference clusters, BRAT's ``Equiv`` lines) is written as
  relations labelled ``Equiv`` (:data:`arabench.annotations.spans.EQUIV`, never a
  schema relation type) with ``direction`` ``bi`` and no id, from a cluster's
  first mention to each other mention, so annotators see and edit clusters
  with Label Studio's own relation tool (:func:`labeling_config` declares it).
  On reading, every ``Equiv`` relation joins its two regions, whatever the
  shape drawn (star or chain); a cluster lists its mentions in the order they
  first occur in those relations.
* A document without annotations (a raw text) is written as a task without
  ``annotations``, so that Label Studio serves it to annotators; reading a
  task that was never annotated is an error, never an empty document.
* Which annotation of a task is read: the only one; or the one of an
  annotator (``annotator=``: the ``completed_by`` user id or e-mail address,
  in whichever form the export writes it); or ``annotation_index`` (the
  position, which follows creation time in Label Studio, so it can mix
  annotators). Several annotations without a choice are an error, never the
  first silently. Cancelled (skipped) annotations are not annotations.
* Pre-annotations are ``predictions`` with ``model_version`` (and a ``score``
  when one is known); on reading, predictions written as objects are read, and
  predictions listed by id only (Label Studio's export of some versions) are
  looked up in the annotations that were made from them, else refused with
  what to do.
* The document id is ``data.doc_id`` if present, else the task id.

:func:`labeling_config` writes the labelling configuration for a schema or
one of its views: right to left, every label and relation, and ``Equiv``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

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
    "PREDICTION_KEY",
    "SCORES_KEY",
    "CONFIG_NAME",
    "labeling_config",
    "annotators",
    "only_predictions",
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
#: Metadata key: ``model_version`` and ``score`` of the prediction read (or to write).
PREDICTION_KEY = "labelstudio_prediction"
#: Metadata key: entity id -> confidence in [0, 1], written as each region's ``score``.
SCORES_KEY = "labelstudio_scores"
#: The file name of the labelling configuration written beside exported tasks.
CONFIG_NAME = "labeling_config.xml"

_ENTITY_ID = re.compile(r"T([1-9][0-9]*)")
_RELATION_ID = re.compile(r"R([1-9][0-9]*)")
_LINE_BREAK = re.compile(r"[\n\r]")
#: Largest export read (bytes): a Label Studio export of a large project is tens of MB.
MAX_EXPORT_BYTES = 512 * 1024 * 1024


# --------------------------------------------------------------------------- labelling configuration

#: Region colours, one per label in order (distinct on a white page; the text stays readable over them).
_COLOURS = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45", "#fabed4",
    "#469990", "#dcbeff", "#9a6324", "#fffac8", "#800000", "#aaffc3", "#808000", "#ffd8b1", "#000075",
    "#a9a9a9", "#ffe119", "#00bfff", "#ff7f50", "#7fffd4", "#d2691e",
)  # fmt: skip


def labeling_config(
    schema: Schema | None = None,
    *,
    view: str | None = None,
    from_name: str = "label",
    to_name: str = "text",
    text_key: str = "text",
) -> str:
    """The Label Studio labelling configuration (XML) for the schema or one of its views.

    Right to left (``<View style="direction: rtl">``), every entity label of
    the schema (or of ``view``) as a ``<Label>`` with its definition as hint,
    every relation type and ``Equiv`` (coreference, :data:`EQUIV`) as a
    ``<Relation>``. Names match :func:`documents_to_labelstudio`'s defaults.

    Raises:
        SchemaError: For an unknown view (with "did you mean").
    """
    from arabench.annotations.schema import default_schema

    schema = schema or default_schema()
    if view is None or view == "native":
        labels = [(name, spec.definition) for name, spec in schema.entity_types.items()]
    else:
        chosen = schema.view(view)
        order = [label for t in schema.entity_types if (label := chosen.mapping.get(t)) is not None]
        names = list(dict.fromkeys([*order, *sorted(chosen.extra_labels)]))
        labels = [(name, ", ".join(t for t, v in chosen.mapping.items() if v == name)) for name in names]
    lines = [
        f"<!-- arabench labelling configuration: {'schema' if view in (None, 'native') else 'view ' + view}; "
        "regions are code-point offsets into data.text -->",
        '<View style="direction: rtl">',
        f"  <Labels name={quoteattr(from_name)} toName={quoteattr(to_name)}>",
    ]
    for n, (name, hint) in enumerate(labels):
        colour = _COLOURS[n % len(_COLOURS)]
        lines.append(f"    <Label value={quoteattr(name)} background={quoteattr(colour)} hint={quoteattr(hint)}/>")
    lines += ["  </Labels>", "  <Relations>"]
    for name, spec in schema.relation_types.items():
        lines.append(f"    <Relation value={quoteattr(name)} hint={quoteattr(spec.definition)}/>")
    lines.append(f'    <Relation value="{EQUIV}" hint="coreference: the two mentions denote one entity"/>')
    lines += [
        "  </Relations>",
        f'  <Text name={quoteattr(to_name)} value={quoteattr("$" + text_key)} granularity="symbol"/>',
        "</View>",
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- reading


def _load(source: str | os.PathLike[str] | Sequence[Mapping[str, object]]) -> tuple[object, str | None]:
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            if path.stat().st_size > MAX_EXPORT_BYTES:
                raise AnnotationError(
                    f"file larger than {MAX_EXPORT_BYTES // 2**20} MiB",
                    file=path,
                    fix="export the project in parts (filter the tasks in Label Studio)",
                )
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


def _annotator_names(run: Mapping[str, object]) -> list[str]:
    """The names an annotation's author answers to: the user id, and the e-mail address when exported."""
    who = run.get("completed_by")
    names: list[str] = []
    if isinstance(who, Mapping):
        for key in ("email", "id"):
            value = who.get(key)
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                names.append(str(value))
    elif isinstance(who, (str, int)) and not isinstance(who, bool):
        names.append(str(who))
    return names


def _annotator_key(run: Mapping[str, object]) -> str | None:
    names = _annotator_names(run)
    return names[0] if names else None


def _matches(run: Mapping[str, object], annotator: str) -> bool:
    wanted = annotator.strip().casefold()
    return any(name.casefold() == wanted for name in _annotator_names(run))


def _live(runs: list[object]) -> list[tuple[int, object]]:
    """The annotations that count, with their position: cancelled (skipped) ones are left out."""
    return [(n, r) for n, r in enumerate(runs) if not (isinstance(r, Mapping) and r.get("was_cancelled") is True)]


def annotators(source: str | os.PathLike[str] | Sequence[Mapping[str, object]]) -> list[str]:
    """Every annotator of a Label Studio export (e-mail address when exported, else user id), sorted (ids by number).

    Use each as ``annotator=`` to read that annotator's pass.
    """
    data, file = _load(source)
    tasks = [data] if isinstance(data, Mapping) else data
    if not isinstance(tasks, list):
        raise AnnotationError(
            "a Label Studio export must be a JSON list of tasks", file=file, value=type(tasks).__name__
        )
    found: set[str] = set()
    for task in tasks:
        runs = task.get("annotations") if isinstance(task, Mapping) else None
        for _, run in _live(runs if isinstance(runs, list) else []):
            key = _annotator_key(run) if isinstance(run, Mapping) else None
            if key is not None:
                found.add(key)
    return sorted(found, key=lambda who: (not who.isdigit(), int(who) if who.isdigit() else 0, who))


def only_predictions(source: str | os.PathLike[str] | Sequence[Mapping[str, object]]) -> bool:
    """True if every task has ``predictions`` and none has an annotation (pre-annotations, never annotated)."""
    data, _ = _load(source)
    tasks = [data] if isinstance(data, Mapping) else data
    if not isinstance(tasks, list) or not tasks:
        return False
    return all(isinstance(t, Mapping) and t.get("predictions") and not t.get("annotations") for t in tasks)


def read_labelstudio(
    source: str | os.PathLike[str] | Sequence[Mapping[str, object]],
    *,
    predictions: bool = False,
    annotation_index: int | None = None,
    annotator: str | int | None = None,
    text_key: str = "text",
    schema: Schema | None = None,
) -> list[Document]:
    """Read a Label Studio JSON export (a file, or the already-parsed list of tasks).

    Args:
        source: A ``.json`` file path, or the list of task dicts.
        predictions: Read each task's ``predictions`` instead of its ``annotations``.
        annotation_index: Which annotation (or prediction) to read by position when a task has several.
        annotator: Read the annotation of this annotator (``completed_by``: user id or e-mail address).
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
        annotator=annotator,
        text_key=text_key,
        schema=schema,
    )


def parse_labelstudio(
    tasks: object,
    *,
    file: str | None = None,
    predictions: bool = False,
    annotation_index: int | None = None,
    annotator: str | int | None = None,
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
    if annotation_index is not None and annotator is not None:
        raise AnnotationError(
            "give annotation_index or annotator, not both",
            file=file,
            field="annotator",
            value=annotator,
            fix="choose the annotation by its annotator (--annotator) alone",
        )
    if predictions and annotator is not None:
        raise AnnotationError(
            "predictions have no annotator",
            file=file,
            field="annotator",
            value=annotator,
            fix="leave out annotator (--annotator) when reading predictions; pick one by annotation_index",
        )
    documents = []
    seen: dict[str, int] = {}
    for i, task in enumerate(tasks):
        document = _parse_task(
            task,
            i,
            file,
            predictions,
            annotation_index,
            None if annotator is None else str(annotator),
            text_key,
            schema,
        )
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


_Fail = Callable[[str, str, object, str], AnnotationError]


def _choose(
    task: Mapping[str, object],
    where: str,
    predictions: bool,
    annotation_index: int | None,
    annotator: str | None,
    fail: _Fail,
) -> tuple[Mapping[str, object], str]:
    """The annotation (or prediction) to read and where it is, e.g. ``tasks[3].annotations[1]``."""
    kind = "predictions" if predictions else "annotations"
    runs = task.get(kind)
    if not isinstance(runs, list) or not runs:
        other = "annotations" if predictions else "predictions"
        hint = f"; it has {other}: read those instead" if task.get(other) else ""
        if hint:
            fix = f"annotate the task, remove it, or read {other}"
        elif predictions:
            fix = "pre-annotate the task (arabench predict ... --to labelstudio) or remove it"
        else:
            fix = "annotate the task in Label Studio (it was never annotated) or remove it"
        raise fail(f"task has no {kind}{hint}", f"{where}.{kind}", runs, fix)
    if predictions and any(type(run) is int for run in runs):
        return _prediction_by_id(task, runs, where, annotation_index, fail)
    live = _live(runs) if not predictions else list(enumerate(runs))
    if not live:
        raise fail(
            f"every one of the task's {len(runs)} annotations was cancelled (skipped)",
            f"{where}.{kind}",
            len(runs),
            "annotate the task in Label Studio or remove it",
        )
    chosen: object  # checked to be a JSON object below
    if annotator is not None:
        mine = [(n, r) for n, r in live if isinstance(r, Mapping) and _matches(r, annotator)]
        if len(mine) != 1:
            present = sorted({k for _, r in live if isinstance(r, Mapping) and (k := _annotator_key(r)) is not None})
            what = "no annotation" if not mine else f"{len(mine)} annotations"
            raise fail(
                f"task has {what} by this annotator (its annotators: {', '.join(present) or 'none recorded'})",
                f"{where}.{kind}[].completed_by",
                annotator,
                "give an annotator of every task (user id or e-mail address), or remove the tasks they did not annotate"
                if not mine
                else "keep one annotation per annotator and task in Label Studio",
            )
        n, chosen = mine[0]
    elif annotation_index is not None:
        if not 0 <= annotation_index < len(runs):
            raise fail(
                f"annotation_index out of range: task has {len(runs)} {kind}",
                "annotation_index",
                annotation_index,
                f"use 0..{len(runs) - 1}",
            )
        n, chosen = annotation_index, runs[annotation_index]
    else:
        if len(live) > 1:
            names = sorted({k for _, r in live if isinstance(r, Mapping) and (k := _annotator_key(r)) is not None})
            by = f" by {', '.join(names)}" if names else ""
            raise fail(
                f"task has {len(live)} {kind}{by}; which one to read is not guessed",
                f"{where}.{kind}",
                len(live),
                "choose the annotator with --annotator (annotator=, the completed_by user id or e-mail; "
                "convert, validate and agree take it), or the position with --annotation-index "
                f"(annotation_index=, 0..{len(runs) - 1})"
                if not predictions
                else f"pass annotation_index (0..{len(runs) - 1}), or --annotation-index on the command line",
            )
        n, chosen = live[0]
    if not isinstance(chosen, Mapping):
        raise fail("an annotation must be a JSON object", f"{where}.{kind}[{n}]", chosen, "export the project as JSON")
    return chosen, f"{where}.{kind}[{n}]"


def _prediction_by_id(
    task: Mapping[str, object],
    runs: list[object],
    where: str,
    annotation_index: int | None,
    fail: _Fail,
) -> tuple[Mapping[str, object], str]:
    """A prediction listed by id: the object an annotation of the task was made from, else a clear refusal."""
    if annotation_index is None and len(runs) > 1:
        raise fail(
            f"task has {len(runs)} predictions; which one to read is not guessed",
            f"{where}.predictions",
            len(runs),
            f"pass annotation_index (0..{len(runs) - 1}), or --annotation-index on the command line",
        )
    n = 0 if annotation_index is None else annotation_index
    if not 0 <= n < len(runs):
        raise fail(
            f"annotation_index out of range: task has {len(runs)} predictions",
            "annotation_index",
            n,
            f"use 0..{len(runs) - 1}",
        )
    ident = runs[n]
    annotations = task.get("annotations")
    for run in annotations if isinstance(annotations, list) else []:
        made_from = run.get("prediction") if isinstance(run, Mapping) else None
        if (
            isinstance(made_from, Mapping)
            and made_from.get("id") == ident
            and isinstance(made_from.get("result"), list)
        ):
            return made_from, f"{where}.annotations[].prediction"
    raise fail(
        "the task lists its predictions by id only; their regions are not in this export",
        f"{where}.predictions[{n}]",
        ident,
        "read the predictions from the tasks you imported (the file arabench wrote), or export the project through "
        "the API (GET /api/projects/<id>/export?exportType=JSON&download_all_tasks=true), which writes them whole",
    )


def _parse_task(
    task: object,
    i: int,
    file: str | None,
    predictions: bool,
    annotation_index: int | None,
    annotator: str | None,
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
    chosen, where_run = _choose(task, where, predictions, annotation_index, annotator, fail)
    result = chosen.get("result")
    if not isinstance(result, list):
        raise fail("annotation has no result list", f"{where_run}.result", result, "export the project as JSON")

    regions: list[tuple[str, Span, float | None]] = []
    relations: list[tuple[str | None, Mapping[str, object], str]] = []
    equivs: list[tuple[Mapping[str, object], str]] = []
    others: list[object] = []
    for j, item in enumerate(result):
        at = f"{where_run}.result[{j}]"
        if not isinstance(item, Mapping):
            raise fail("a result must be a JSON object", at, item, "export the project as JSON")
        kind_j = item.get("type")
        if kind_j == "labels":
            regions.append(_parse_region(item, at, text, fail, schema, file))
        elif kind_j == "relation" and item.get("labels") == [EQUIV]:
            equivs.append((item, at))
        elif kind_j == "relation":
            relations.append((item.get("id") if isinstance(item.get("id"), str) else None, item, at))
        else:
            others.append(dict(item))

    ls_ids = [rid for rid, _, _ in regions]
    if len(set(ls_ids)) != len(ls_ids):
        dup = next(x for x in ls_ids if ls_ids.count(x) > 1)
        raise fail("two regions share a result id", f"{where_run}.result", dup, "give every region a distinct id")
    region_ids = _stable_ids(ls_ids, _ENTITY_ID, "T")
    by_ls_id = {rid: span for rid, span, _ in regions}
    score_of = {rid: score for rid, _, score in regions if score is not None}
    entities: dict[str, Span] = {}
    id_map: dict[str, str] = {}
    scores: dict[str, float] = {}
    for ident, rid in region_ids:
        if ident != rid:
            id_map[ident] = rid
        entities[ident] = by_ls_id[rid]
        if rid in score_of:
            scores[ident] = score_of[rid]

    # a relation without an id is keyed by its position (a key no id can take)
    keys = [rid if rid is not None else f"\0{n}" for n, (rid, _, _) in enumerate(relations)]
    position = {key: n for n, key in enumerate(keys)}
    out_relations: dict[str, Relation] = {}
    bidirectional: list[str] = []
    for ident, key in _stable_ids(keys, _RELATION_ID, "R"):
        rel_id, item, at = relations[position[key]]
        if rel_id is not None and ident != rel_id:
            id_map[ident] = rel_id
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

    ident_of = {rid: ident for ident, rid in region_ids}
    groups: list[list[str]] = []
    member: dict[str, list[str]] = {}
    for item, at in equivs:
        end_ids = [ident_of[ref] for ref in _ends(item, at, by_ls_id, fail, "Equiv relation")]
        a, b = (member.get(end) for end in end_ids)
        if a is None and b is None:
            group = list(dict.fromkeys(end_ids))
            groups.append(group)
        elif a is not None and b is not None and a is not b:
            a.extend(b)
            groups.remove(b)
            group = a
        else:
            found = a if a is not None else b
            assert found is not None  # the first branch took a and b both None
            group = found
            group.extend(end for end in end_ids if end not in group)
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
    if predictions:
        about = {k: chosen[k] for k in ("model_version", "score") if chosen.get(k) is not None}
        if about:
            metadata[PREDICTION_KEY] = about
        if scores:
            metadata[SCORES_KEY] = scores
    return Document(doc_id, text, entities, out_relations, metadata, clusters)


def _stable_ids(given: Sequence[str], pattern: re.Pattern[str], prefix: str) -> list[tuple[str, str]]:
    """``(arabench id, given id)`` pairs, in the order the document keeps.

    Ids of the form ``T<n>`` (``R<n>``) are kept, ordered by number; the
    others are numbered after the largest, in the order given (a region drawn
    in Label Studio comes last).
    """
    kept = sorted(((int(m.group(1)), g) for g in given if (m := pattern.fullmatch(g))), key=lambda x: x[0])
    used = {n for n, _ in kept}
    nxt = max(used, default=0)
    out = [(f"{prefix}{n}", g) for n, g in kept]
    for g in given:
        if pattern.fullmatch(g):
            continue
        nxt += 1
        while nxt in used:
            nxt += 1
        out.append((f"{prefix}{nxt}", g))
    return out


def _ends(
    item: Mapping[str, object],
    at: str,
    regions: Mapping[str, Span],
    fail: _Fail,
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
    fail: _Fail,
    schema: Schema | None,
    file: str | None,
) -> tuple[str, Span, float | None]:
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
    if not (0 <= start <= len(text) and 0 <= end <= len(text)):
        raise fail(
            "offset out of range",
            f"{at}.value.start/end",
            (start, end),
            f"use 0..{len(text)} (code points, as Label Studio counts them)",
        )
    if start >= end:
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
    covered = text[start:end]
    if "text" in value and value["text"] != covered and value["text"] != _LINE_BREAK.sub(r"\\n", covered):
        raise fail(
            f"region text differs from the task text at {start}:{end} (task text there: {covered!r})",
            f"{at}.value.text",
            value["text"],
            "re-export from Label Studio; if the task text was edited, re-annotate the task",
        )
    score = item.get("score")
    if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
        raise fail("a region score must be a number", f"{at}.score", score, "give a confidence in [0, 1] or none")
    return rid, Span(start, end, labels[0]), None if score is None else float(score)


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

    Offsets are written as they are (code points, see the module docstring).
    A document with no entity, relation or cluster is a raw text: its task has
    no ``annotations`` (Label Studio serves it to annotators); with
    ``predictions`` it gets an empty prediction.

    Args:
        documents: The documents.
        predictions: Write the spans as ``predictions`` (pre-annotations)
            instead of ``annotations``.
        from_name: The name of the ``<Labels>`` control in the labelling config.
        to_name: The name of the ``<Text>`` object.
        text_key: The key of the text in ``data``.
        model_version: The ``model_version`` of predictions (default: the
            document's ``labelstudio_prediction`` metadata, else ``"arabench"``).

    Raises:
        ConversionError: If a relation argument is not one of the document's entities.
    """
    tasks = []
    for n, document in enumerate(documents, start=1):
        text = document.text
        metadata: dict[str, Any] = dict(document.metadata)  # the keys below hold what read_labelstudio stored
        id_map = dict(metadata.pop(IDS_KEY, None) or {})
        others = list(metadata.pop(OTHER_RESULTS_KEY, None) or [])
        bidirectional = set(metadata.pop(BIDIRECTIONAL_KEY, None) or [])
        about = dict(metadata.pop(PREDICTION_KEY, None) or {})
        scores = dict(metadata.pop(SCORES_KEY, None) or {})
        odd_meta = metadata.pop(META_KEY, None)
        result: list[dict[str, object]] = []
        arg_ids = document.relation_arg_ids()
        for ident, span in document.entities.items():
            item: dict[str, object] = {
                "id": str(id_map.get(ident, ident)),
                "from_name": from_name,
                "to_name": to_name,
                "type": "labels",
                "value": {
                    "start": span.start,
                    "end": span.end,
                    "text": text[span.start : span.end],
                    "labels": [span.label],
                },
            }
            if predictions and ident in scores:
                item["score"] = scores[ident]
            result.append(item)
        for ident, relation in document.relations.items():
            ends = [str(id_map.get(arg_id, arg_id)) for arg_id in arg_ids[ident]]
            result.append(
                {
                    "id": str(id_map.get(ident, ident)),
                    "type": "relation",
                    "from_id": ends[0],
                    "to_id": ends[1],
                    "direction": "bi" if ident in bidirectional else "right",
                    "labels": [relation.label],
                }
            )
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
        task: dict[str, object] = {"id": n, "data": {text_key: text, "doc_id": document.id}}
        if metadata:
            if odd_meta is not None:  # a non-mapping meta beside other metadata: keep both, under its key
                metadata[META_KEY] = odd_meta
            task["meta"] = metadata
        elif odd_meta is not None:
            task["meta"] = odd_meta
        if predictions:
            run: dict[str, object] = {"model_version": model_version or str(about.get("model_version") or "arabench")}
            if isinstance(about.get("score"), (int, float)) and not isinstance(about.get("score"), bool):
                run["score"] = about["score"]
            run["result"] = result
            task["predictions"] = [run]
        elif result:
            task["annotations"] = [{"result": result}]
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
    model_version: str | None = None,
    config: bool = False,
    schema: Schema | None = None,
    view: str | None = None,
) -> Path:
    """Write documents as a Label Studio JSON import/export file and return its path.

    Args:
        documents: The documents.
        path: The ``.json`` file to write.
        predictions: Write ``predictions`` (pre-annotations) instead of ``annotations``.
        from_name: The name of the ``<Labels>`` control.
        to_name: The name of the ``<Text>`` object.
        text_key: The key of the text in ``data``.
        model_version: The ``model_version`` of predictions.
        schema: The schema of the labelling configuration (default: the packaged one).
        view: Its view (default: the schema's own types).
        config: Also write the labelling configuration (:func:`labeling_config`,
            of ``schema`` or its ``view``) as :data:`CONFIG_NAME` beside the file.

    Raises:
        ConversionError: As :func:`documents_to_labelstudio`, or if metadata
            is not JSON-serializable.
    """
    tasks = documents_to_labelstudio(
        documents,
        predictions=predictions,
        from_name=from_name,
        to_name=to_name,
        text_key=text_key,
        model_version=model_version,
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
    if config:
        xml = labeling_config(schema, view=view, from_name=from_name, to_name=to_name, text_key=text_key)
        atomic_write_text(path.parent / CONFIG_NAME, xml)
    return path
