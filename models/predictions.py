"""Predictions of any external system read from a file (``file:<path>``): any registry format.

Use it for a system arabench cannot run itself (an LLM behind a web page, a
service, another toolkit): export its output, then score it like any model.

Formats (``format=`` option, else the guess of the registry of
:mod:`arabench.annotations.formats`, the same guess as every command's):

* ``jsonl`` (``.jsonl``, or a ``.json`` of one object per line): one document per line:
  ``{"id", "text", "entities": [{"start", "end", "type", "text"?}], "relations"?}``.
  An entity's ``id`` may be left out (``P1``, ``P2``... are given) when no
  relation refers to it, and its ``text`` too (then it is not checked).
* ``brat``: a directory of ``X.txt`` + ``X.ann`` pairs, or one pair.
* ``conll`` (``.conll``, ``.tsv``, ``.bio``, ``.iob``, ``.iob2``, a ``.txt`` of
  token/tag lines): tokens and BIO tags (:func:`arabench.annotations.conll.read_conll`).
  The tokens are aligned back to the raw input text: their characters, white
  space aside, must be the text's characters in order.
* ``labelstudio`` (a ``.json`` list of tasks; their ``annotations``) and
  ``hf`` (a ``datasets`` directory): read by their readers.

Checks, like the gold's (every problem listed at once, with file:line, field,
bad value and fix): offsets integers within the text, ``start < end``, the
entity's ``text`` (when given) equal to the slice, no span starting or ending
with white space, relation arguments that exist, and every label a label of
the declared ``view`` (default ``native``). A label outside the view is an
error unless ``label_map`` maps it or ``drop`` lists it (dropped spans are
counted as ``dropped_label:<RAW>``). Spans that cross or repeat are allowed
in predictions (a repeated span is kept once and counted as
``duplicate_spans``).

Matching: :meth:`PredictionsFileModel.predict` finds, for each input text, the
document whose text is *identical*; failing that, the document whose id is
given for that position by the ``ids`` option, provided its text differs
from the input only in white space (offsets are then carried over character
by character, counted as ``realigned_spans``). A text with no document is an
error naming it; it is never predicted empty.

Documents of the file that no input text matches are never ignored without
a word: they are counted as ``documents_not_in_gold`` (summed over a run:
how many of the file's documents the run's texts left unmatched) and a
warning names them (:meth:`PredictionsFileModel.unmatched_documents` lists
them).

Diagnostics (per text): ``dropped_label:<RAW>``, ``duplicate_spans``,
``realigned_spans``, ``dropped_relations`` (a relation whose argument was
dropped), ``repaired_tags`` (CoNLL tags that differ from their canonical
encoding in the declared scheme, read with the conlleval rules: an ``I-``
after ``O`` starts a mention), ``dropped_clusters`` (a coreference cluster left
with fewer than two mentions once dropped labels are gone).

Clusters: a document's entity layer (JSONL ``clusters``, BRAT ``Equiv`` lines,
and whatever the Label Studio and ``datasets`` readers read into
``Document.clusters``) is carried into the prediction (``Prediction.clusters``),
so the harness scores the system's coreference (MUC, B³, CEAF-e,
:mod:`arabench.eval.coref`) next to its mentions and relations.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Sequence, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from arabench.annotations.errors import AnnotationError, LabelMapError, ModelError
from arabench.annotations.formats import FORMATS as REGISTRY
from arabench.annotations.formats import infer_format, parse_documents
from arabench.annotations.problems import Problem, problems_error
from arabench.annotations.schema import default_schema
from arabench.annotations.spans import Document, Relation, Span
from arabench.models.base import Option, Prediction, parse_options
from arabench.models.labelmap import LabelMap, parse_label_map, split_labels

__all__ = ["PredictionsFileModel", "FORMATS", "ADAPTER_VERSION", "load_prediction_documents"]

ADAPTER_VERSION = "1"
FORMATS = tuple(REGISTRY)

log = logging.getLogger("arabench")


@dataclass(frozen=True)
class _Loaded:
    documents: list[Document]
    where: dict[tuple[str, str], tuple[str | None, int | None, str]]  # (doc id, ann id) -> (file, line, prefix)
    conll: bool
    format: str


def load_prediction_documents(path: str | Path, *, fmt: str | None = None, scheme: str = "BIO2") -> _Loaded:
    """Read a predictions file into documents (labels not yet checked).

    Raises:
        AnnotationError: Listing every structural problem of the file.
        ModelError: For an unknown format or a missing path.
    """
    path = Path(path)
    if not path.exists():
        raise ModelError("predictions file not found", file=path, field="path", value=str(path), fix="check the path")
    if fmt is not None and fmt not in FORMATS:
        raise ModelError(
            "unknown predictions format", field="format", value=fmt, fix=f"use one of {', '.join(FORMATS)}"
        )
    name = fmt or infer_format(path, option="format=")
    options = {"scheme": scheme} if name == "conll" else {}  # the scheme only applies to CoNLL
    format_, parsed, problems = parse_documents(path, format=name, **options)
    if not format_.raw_text:
        return _Loaded([d.document for d in parsed], {}, conll=True, format=format_.name)
    where: dict[tuple[str, str], tuple[str | None, int | None, str]] = {}
    for doc in parsed:
        problems += doc.problems
        text = doc.document.text
        for ident, span in doc.document.entities.items():
            line, prefix = doc.where.get(ident, (None, ""))
            where[(doc.document.id, ident)] = (doc.file, line, prefix)
            covered = text[span.start : span.end]
            if covered[:1].isspace() or covered[-1:].isspace():
                problems.append(
                    Problem(
                        doc.file,
                        line,
                        f"{prefix}start",
                        "span starts or ends with white space",
                        "put the offsets on the first and last non-space characters",
                        covered,
                    )
                )
    seen: dict[str, str] = {}
    for doc in parsed:
        if doc.document.id in seen:
            problems.append(
                Problem(
                    doc.file,
                    doc.text_line,
                    "id",
                    "duplicate document id",
                    "give every document its own id",
                    doc.document.id,
                )
            )
        seen[doc.document.id] = doc.file
    if not parsed and not any(p.is_error for p in problems):
        problems.append(Problem(str(path), None, None, "no documents in the predictions file", "write one or more"))
    if any(p.is_error for p in problems):
        raise problems_error(problems, what=f"predictions {path}", file=str(path))
    return _Loaded([d.document for d in parsed], where, conll=False, format=format_.name)


def _infer_view(loaded: _Loaded, label_map: LabelMap, corpus_view: str | None) -> str:
    """The view of a predictions file without ``view=``: its labels (after ``label_map``/``drop``) decide.

    The corpus's view when they are labels of it; ``native`` when they are schema types; else the
    smallest registered view holding them all; ``native`` when none does (the label check then
    names the first stray label's line and ``view=`` as the fix).
    """
    schema = default_schema()
    labels = {
        label_map.mapping.get(s.label, s.label)
        for doc in loaded.documents
        for s in doc.entities.values()
        if s.label not in label_map.drop
    }
    if corpus_view is not None and labels <= schema.view(corpus_view).labels:
        return corpus_view
    if labels <= set(schema.entity_types):
        return "native"
    fits = schema.views_with_labels(labels)
    return fits[0] if fits else "native"  # no view holds them: the label check names each one and view=


def _nonspace(text: str) -> tuple[str, list[int]]:
    positions = [i for i, ch in enumerate(text) if not ch.isspace()]
    return "".join(text[i] for i in positions), positions


class PredictionsFileModel:
    """Predictions read from a file or directory in any registry format (see the module docstring).

    Args:
        path: The file or directory.
        format: A registry format name (default: the registry's guess from the path).
        view: The label view the file's labels live in (default: inferred, :func:`_infer_view`).
        corpus_view: The view of the corpus the run scores on (given by the run), the view
            inferred when the file's labels are labels of it.
        label_map: Raw label -> view label (option string ``"PER=PERS,..."``,
            a YAML/JSON file or a mapping); labels not in it must already be
            view labels or be listed in ``drop``.
        drop: Raw labels to drop (counted).
        labels: The view labels the system can emit (default: every label of
            the view, so gold of every type counts as the system's misses).
        ids: Document ids aligned with the texts given to :meth:`predict`,
            used for texts that have no document with an identical text.
        scheme: The CoNLL tagging scheme (default ``BIO2``).
        name: The registry name (default ``file:<path>``).

    Raises:
        AnnotationError: For a malformed file (every problem listed).
        LabelMapError: For labels neither in the view, the map nor ``drop``.
        ModelError: For a bad option.
    """

    OPTIONS = (
        Option("format", "text", help="the file's format (default: guessed from the path)"),
        Option("view", "text", help="the view its labels are in (default: inferred from them and the corpus)"),
        Option("corpus_view", "text", help="the corpus's view (given by the run)", from_run="corpus_view", user=False),
        Option("label_map", "label_map", help="raw label -> view label: RAW=LABEL,... or a .yaml/.json file"),
        Option("drop", "list", help="raw labels to drop (counted)"),
        Option("labels", "list", help="the view labels the system can emit (default: every label of the view)"),
        Option("ids", "list", help="document ids aligned with the texts, for texts with no identical document"),
        Option("scheme", "text", "BIO2", "the CoNLL tagging scheme"),
        Option("name", "text", help="the registry name", user=False),
    )

    def __init__(
        self,
        path: str | Path,
        *,
        format: str | None = None,
        view: str | None = None,
        corpus_view: str | None = None,
        label_map: Any = None,
        drop: Iterable[str] | str = (),
        labels: Iterable[str] | None = None,
        ids: Sequence[str] | None = None,
        scheme: str = "BIO2",
        name: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.name = name or f"file:{path}"
        drops = split_labels(drop)
        if label_map is None:
            self.label_map = LabelMap({}, frozenset(drops), "option")
        else:
            self.label_map = parse_label_map(label_map, drop=drops)
        loaded = load_prediction_documents(self.path, fmt=format, scheme=scheme)
        if view is None:
            view = _infer_view(loaded, self.label_map, corpus_view)
        self.view = view
        view_def = default_schema().view(view)
        bad_targets = sorted(set(self.label_map.mapping.values()) - view_def.labels)
        if bad_targets:
            raise LabelMapError(
                f"label_map targets labels that are not labels of view {view!r}",
                field="label_map",
                value=bad_targets,
                fix=f"map onto {', '.join(sorted(view_def.labels))}, or pass view= the view they are labels of",
            )
        if labels is None:
            self.labels = frozenset(view_def.labels)
        else:
            self.labels = frozenset(labels)
            unknown = sorted(self.labels - view_def.labels)
            if unknown:
                raise ModelError(
                    f"labels not in view {view!r}",
                    field="labels",
                    value=unknown,
                    fix=f"use labels among {', '.join(sorted(view_def.labels))}",
                )
        self.ids = list(ids) if ids is not None else None
        self.format = loaded.format
        self._conll = loaded.conll
        self._check_labels(loaded, view_def.labels)
        self._docs = loaded.documents
        self._by_id = {d.id: d for d in self._docs}
        self._by_text: dict[str, Document] = {}
        self._by_nonspace: dict[str, list[Document]] = {}
        for doc in self._docs:
            other = self._by_text.get(doc.text)
            if other is not None and sorted(other.entities.values()) != sorted(doc.entities.values()):
                raise AnnotationError(
                    f"documents {other.id!r} and {doc.id!r} have the same text and different predictions",
                    file=self.path,
                    field="id",
                    value=doc.id,
                    fix="keep one prediction per text",
                )
            self._by_text.setdefault(doc.text, doc)
            self._by_nonspace.setdefault(_nonspace(doc.text)[0], []).append(doc)
        self._digest = self._file_digest()
        self._matched: set[str] = set()
        self._unmatched_reported = 0

    def _check_labels(self, loaded: _Loaded, view_labels: frozenset[str]) -> None:
        bad: dict[str, tuple[str | None, int | None, str]] = {}
        for doc in loaded.documents:
            for ident, span in doc.entities.items():
                raw = span.label
                if raw in self.label_map.mapping or raw in self.label_map.drop or raw in view_labels:
                    continue
                bad.setdefault(raw, loaded.where.get((doc.id, ident), (str(self.path), None, "")))
        if bad:
            raw, (file, line, prefix) = next(iter(bad.items()))
            raise LabelMapError(
                f"labels that are not labels of view {self.view!r}: {', '.join(sorted(bad))}",
                file=file,
                line=line,
                field=f"{prefix}type",
                value=raw,
                fix=f"pass view= the view they belong to, or map them with label_map= (onto "
                f"{', '.join(sorted(view_labels))}) or list them in drop=",
            )

    def _file_digest(self) -> str:
        """sha256 of the content of the file, or of every file under the directory (relative names included).

        The content, never size and mtime: a replacement with the same size and
        mtime, or an edit of a path holding ``@``, gives another digest (and so
        another cache key: it is the ``revision`` of :meth:`provenance`).
        """
        digest = hashlib.sha256()
        if self.path.is_dir():
            files = sorted((p for p in self.path.rglob("*") if p.is_file()), key=lambda p: p.as_posix())
        else:
            files = [self.path]
        for file in files:
            name = (file.relative_to(self.path).as_posix() if self.path.is_dir() else file.name).encode(
                "utf-8", "surrogateescape"
            )
            content = file.read_bytes()
            digest.update(len(name).to_bytes(8, "big") + name + len(content).to_bytes(8, "big") + content)
        return digest.hexdigest()

    @classmethod
    def from_spec(cls, arg: str | None, **options: Any) -> PredictionsFileModel:
        """Create from ``file:<path>`` (``arg`` is the path).

        Raises:
            ModelError: Without a path or on an unknown option.
        """
        if not arg:
            raise ModelError("file: needs a path", field="name", value="file:", fix="use file:<path to predictions>")
        options = parse_options(cls.OPTIONS, options, model=f"file:{arg}")
        options.setdefault("name", f"file:{arg}")
        return cls(arg, **options)

    def _find(self, i: int, text: str) -> tuple[Document, bool]:
        """The document for input ``i`` and whether its offsets need realigning."""
        doc = self._by_text.get(text)
        if doc is not None:
            return doc, False
        key = _nonspace(text)[0]
        if self._conll:
            candidates = self._by_nonspace.get(key, [])
            if len(candidates) == 1:
                return candidates[0], True
        if self.ids is not None and i < len(self.ids):
            doc = self._by_id.get(self.ids[i])
            if doc is not None:
                if _nonspace(doc.text)[0] != key:
                    raise ModelError(
                        f"document {doc.id!r} of the predictions has a different text from input text #{i}",
                        file=self.path,
                        field="text",
                        value=doc.id,
                        fix="predict on the identical raw text (only white space may differ)",
                    )
                return doc, True
        preview = text[:40] + ("…" if len(text) > 40 else "")
        known = ", ".join(sorted(self._by_id)[:10]) + (" ..." if len(self._by_id) > 10 else "")
        raise ModelError(
            f"no prediction for input text #{i}" + (f" (id {self.ids[i]!r})" if self.ids and i < len(self.ids) else ""),
            file=self.path,
            field="text",
            value=preview,
            fix=f"add a document with this exact text to the file, or pass ids= (documents in the file: {known})",
        )

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Return the file's spans (and relations) for each text, in raw-text offsets of that text.

        Raises:
            ModelError: For a text that has no document in the file.
        """
        out = []
        for i, text in enumerate(texts):
            doc, realign = self._find(i, text)
            self._matched.add(doc.id)
            diagnostics: Counter[str] = Counter()
            repairs = len(cast(Sized, doc.metadata.get("conll_repairs", ()) or ()))
            if repairs:  # CoNLL tags read with the conlleval rules (an I- after O starts a mention)
                diagnostics["repaired_tags"] += repairs
            mapping: dict[Span, Span] = {}
            carry = self._carrier(doc.text, text) if realign else None
            for span in doc.entities.values():
                label = self.label_map.mapping.get(span.label, span.label)
                if span.label in self.label_map.drop:
                    diagnostics[f"dropped_label:{span.label}"] += 1
                    continue
                start, end = span.start, span.end
                if carry is not None:
                    start, end = carry(start, end)
                    diagnostics["realigned_spans"] += 1
                new = Span(start, end, label)
                if new in mapping.values():
                    diagnostics["duplicate_spans"] += 1
                mapping[span] = new
            relations = []
            for rel in doc.relations.values():
                a1, a2 = mapping.get(rel.arg1), mapping.get(rel.arg2)
                if a1 is None or a2 is None:
                    diagnostics["dropped_relations"] += 1
                    continue
                relations.append(Relation(rel.label, a1, a2))
            clusters = []  # the file's entity layer over the spans kept (a dropped member leaves its cluster)
            taken: set[Span] = set()
            for group in doc.clusters:
                members = tuple(
                    dict.fromkeys(
                        m for i in group if (m := mapping.get(doc.entities[i])) is not None and m not in taken
                    )
                )
                taken.update(members)
                if len(members) > 1:
                    clusters.append(members)
                elif len(group) > 1:
                    diagnostics["dropped_clusters"] += 1
            out.append(
                Prediction(
                    spans=tuple(sorted(set(mapping.values()))),
                    relations=tuple(relations),
                    diagnostics=dict(diagnostics),
                    clusters=tuple(clusters),
                )
            )
        self._report_unmatched(out)
        return out

    def unmatched_documents(self) -> list[str]:
        """Ids of the file's documents that no text given to :meth:`predict` so far matched (file order)."""
        return [d.id for d in self._docs if d.id not in self._matched]

    def _report_unmatched(self, out: list[Prediction]) -> None:
        """Count the file's documents matched by no input text (``documents_not_in_gold``) and warn, naming them.

        The count is carried as a change on the last prediction of each call,
        so that the diagnostics summed over a run give the number of the
        file's documents matched by none of the run's texts.
        """
        unmatched = self.unmatched_documents()
        change = len(unmatched) - self._unmatched_reported
        self._unmatched_reported = len(unmatched)
        if change and out:
            diagnostics = dict(out[-1].diagnostics)
            diagnostics["documents_not_in_gold"] = diagnostics.get("documents_not_in_gold", 0) + change
            out[-1] = Prediction(
                spans=out[-1].spans, relations=out[-1].relations, diagnostics=diagnostics, clusters=out[-1].clusters
            )
        if unmatched:
            shown = ", ".join(repr(i) for i in unmatched[:10]) + (" ..." if len(unmatched) > 10 else "")
            log.warning(
                "%s: %d of the %d documents in %s match no input text so far and are not scored: %s",
                self.name,
                len(unmatched),
                len(self._docs),
                self.path,
                shown,
            )

    @staticmethod
    def _carrier(source: str, target: str) -> Any:
        """Map offsets of ``source`` onto ``target`` through their identical non-space characters."""
        _, src_pos = _nonspace(source)
        _, dst_pos = _nonspace(target)
        rank = {p: k for k, p in enumerate(src_pos)}

        def carry(start: int, end: int) -> tuple[int, int]:
            first = next(rank[p] for p in range(start, end) if p in rank)
            last = next(rank[p] for p in range(end - 1, start - 1, -1) if p in rank)
            return dst_pos[first], dst_pos[last] + 1

        return carry

    def provenance(self) -> dict[str, object]:
        """Identify the predictions: path, format, a digest of the file content, view and label map."""
        return {
            "id": self.name,
            "adapter": "arabench.models.predictions:PredictionsFileModel",
            "adapter_version": ADAPTER_VERSION,
            "revision": self._digest,
            "path": str(self.path),
            "format": self.format,
            "view": self.view,
            "label_map": self.label_map.as_dict(),
            "labels": sorted(self.labels),
        }
