r"""Read and write BRAT standoff annotations (``X.txt`` + ``X.ann``).

What each line kind becomes:

* ``T1\tTYPE START END\tTEXT``: an entity, a :class:`~annotations.spans.Span`.
  Discontinuous entities (``START END;START END``) cannot be represented by
  a span and are reported as an error; the first fragment is never taken
  silently.
* ``R1\tTYPE Arg1:T1 Arg2:T2``: a :class:`~annotations.spans.Relation`.
* ``*\tEquiv T1 T2 ...``: one cluster of the entity layer
  (:attr:`~annotations.spans.Document.clusters`): the listed mentions denote
  one entity; a mention in no ``Equiv`` line is a singleton entity.
* ``#`` annotator notes (a note starting with :data:`REVIEW_NOTE`, left by
  ``arabench adjudicate``, is an error until resolved), ``A``/``M`` attributes, ``N`` normalizations and
  equivalences of another type than ``Equiv`` are kept verbatim in
  ``document.metadata["brat"]`` so the file round-trips byte for byte
  (BRAT -> JSONL -> BRAT too); they are not scored, and the parser says so
  with a warning. ``E`` events are an error: the benchmark has no events.

The layout of the file (the order of the lines of each kind, a trailing tab
after a relation, the final newline) is recorded in the same metadata entry
when it differs from what :func:`format_ann` writes by default, so
:func:`format_ann` gives back the identical ``.ann``.

This module parses and formats strings; :func:`arabench.annotations.corpus.read_corpus`
reads files and runs every check of :mod:`arabench.annotations.validate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from arabench.annotations.coref_types import coreferable_groups
from arabench.annotations.errors import ConversionError
from arabench.annotations.files import atomic_write_bytes
from arabench.annotations.problems import ERROR, WARNING, ParsedDocument, Problem
from arabench.annotations.schema import Schema, default_schema
from arabench.annotations.spans import EQUIV, Document, Relation, Span

__all__ = [
    "BRAT_METADATA_KEY",
    "REVIEW_NOTE",
    "ANNOTATION_CONF",
    "VISUAL_CONF",
    "parse_ann",
    "format_ann",
    "write_brat",
    "annotation_conf",
    "visual_conf",
    "write_brat_conf",
]

#: The document-metadata key holding what BRAT needs to round-trip.
BRAT_METADATA_KEY = "brat"
#: How an annotator note written by ``arabench adjudicate`` starts: the reader refuses it until it is resolved.
REVIEW_NOTE = "arabench review:"

_ENTITY_FORMAT = "'T<n>\\tTYPE START END\\tTEXT' (tab-separated; START END are character offsets into the .txt)"
_RELATION_FORMAT = "'R<n>\\tTYPE Arg1:T<i> Arg2:T<j>' (tab-separated)"
_EQUIV_FORMAT = "'*\\tEquiv T<i> T<j> ...' (a tab after '*', then ids separated by single spaces)"
_KINDS = (
    "a BRAT line starts with its id: T (entity), R (relation), # (note), A or M (attribute), "
    "N (normalization), * (equivalence) or E (event)"
)


def _equiv_ids(line: str) -> list[str] | None:
    r"""The ids of a well-formed ``*\tEquiv ID ID ...`` line (two or more), else None."""
    parts = line.split("\t")
    if len(parts) != 2 or parts[0] != "*":
        return None
    fields = parts[1].split(" ")
    if fields[0] != EQUIV or len(fields) < 3 or not all(fields[1:]):
        return None
    return fields[1:]


def _is_offset(token: str) -> bool:
    return token.isascii() and token.isdigit()


class _Parser:
    def __init__(self, ann: str, text: str, doc_id: str, file: str | None) -> None:
        self.ann = ann
        self.text = text
        self.doc_id = doc_id
        self.file = file
        self.problems: list[Problem] = []
        self.entities: dict[str, Span] = {}
        self.broken: set[str] = set()  # ids whose line was reported; do not cascade
        self.first_line: dict[str, int] = {}
        self.where: dict[str, tuple[int, str]] = {}
        self.layout: list[str] = []
        self.extra: list[str] = []
        self.relation_lines: list[tuple[int, str, list[str]]] = []
        self.references: list[tuple[int, str, str]] = []  # (line, field, id) to check once all ids are known
        self.relation_tab: list[str] = []
        self.cluster_lines: list[tuple[int, list[str]]] = []

    def problem(self, line: int | None, field: str | None, message: str, fix: str, *args: object, **kw: object) -> None:
        value = {"value": args[0]} if args else {}
        severity = kw.get("severity", ERROR)
        self.problems.append(Problem(self.file, line, field, message, fix, severity=severity, **value))  # type: ignore[arg-type]

    def claim_id(self, ident: str, lineno: int) -> bool:
        if ident in self.first_line:
            self.problem(
                lineno,
                "id",
                f"duplicate id (first used on line {self.first_line[ident]})",
                "give every annotation its own id",
                ident,
            )
            self.broken.add(ident)
            return False
        self.first_line[ident] = lineno
        return True

    def run(self) -> ParsedDocument:
        ann = self.ann
        if ann.startswith("\ufeff"):
            self.problem(1, None, "file starts with a byte-order mark (BOM)", "save the file as UTF-8 without BOM")
            ann = ann[1:]
        final_newline = ann.endswith("\n")
        lines = ann.split("\n")
        if final_newline:
            lines.pop()
        elif lines == [""]:
            lines = []
        crlf = [i for i, raw in enumerate(lines, 1) if raw.endswith("\r")]
        if crlf:
            self.problem(
                crlf[0],
                None,
                f"CRLF line ending ({len(crlf)} line(s) end with '\\r\\n')",
                "save the file with LF line endings",
            )
        for lineno, raw in enumerate(lines, 1):
            line = raw[:-1] if raw.endswith("\r") else raw
            self.line(lineno, line)
        relations = self.resolve_relations()
        clusters = self.resolve_clusters()
        self.check_references()
        metadata: dict[str, object] = {}
        layout = "".join(self.layout)
        default_layout = "T" * len(self.entities) + "R" * len(relations) + "*" * len(clusters)
        brat: dict[str, object] = {}
        if layout != default_layout or self.extra:
            brat["layout"] = layout
        if self.extra:
            brat["extra"] = list(self.extra)
        if not final_newline and lines:
            brat["final_newline"] = False
        if self.relation_tab:
            brat["relation_tab"] = list(self.relation_tab)
        if brat:
            metadata[BRAT_METADATA_KEY] = brat
        document = Document(self.doc_id, self.text, self.entities, relations, metadata, clusters)
        return ParsedDocument(document, self.file or "", None, self.where, problems=self.problems)

    def line(self, lineno: int, line: str) -> None:
        kind = line[:1]
        if kind == "T":
            self.layout.append("T")
            self.entity(lineno, line)
        elif kind == "R":
            self.layout.append("R")
            parts = line.split("\t", 2)
            self.relation_lines.append((lineno, line, parts))
        elif _equiv_ids(line) is not None:
            self.layout.append("*")
            self.cluster_lines.append((lineno, _equiv_ids(line) or []))
        else:
            self.layout.append("x")
            self.extra.append(line)
            self.other(lineno, line, kind)

    def entity(self, lineno: int, line: str) -> None:
        parts = line.split("\t", 2)
        ident = parts[0]
        if len(parts) != 3 or not ident[1:] or " " in ident:
            self.problem(lineno, None, f"malformed entity line; the format is {_ENTITY_FORMAT}", "rewrite it", line)
            if ident and " " not in ident:
                self.broken.add(ident)
            return
        fresh = self.claim_id(ident, lineno)
        middle, column = parts[1], parts[2]
        tokens = middle.split(" ")
        if ";" in middle:
            self.problem(
                lineno,
                "offsets",
                "discontinuous entity (several fragments) cannot be represented by a span",
                "annotate each fragment as its own entity, or one continuous range",
                middle,
            )
            self.broken.add(ident)
            return
        if len(tokens) != 3 or not tokens[0]:
            self.problem(lineno, None, f"malformed entity line; the format is {_ENTITY_FORMAT}", "rewrite it", line)
            self.broken.add(ident)
            return
        label, start_s, end_s = tokens
        ok = True
        for name, token in (("start", start_s), ("end", end_s)):
            if not _is_offset(token):
                self.problem(
                    lineno, name, "offset is not a non-negative integer", "write character offsets as digits", token
                )
                ok = False
        if not ok:
            self.broken.add(ident)
            return
        size = len(self.text)
        # Python refuses int() of very long digit strings; any such offset is out of range anyway.
        start = int(start_s) if len(start_s) <= 20 else size + 1
        end = int(end_s) if len(end_s) <= 20 else size + 1
        for name, value, token in (("start", start, start_s), ("end", end, end_s)):
            if value > size:
                self.problem(
                    lineno,
                    name,
                    f"offset is beyond the end of the text ({size} characters)",
                    "offsets count characters (not bytes) of the .txt file; check that the .txt is the one annotated",
                    value if len(token) <= 20 else token,
                )
                ok = False
        if ok and start >= end:
            self.problem(
                lineno, "end", f"span is empty or reversed (start {start} >= end {end})", "use start < end", end
            )
            ok = False
        if not ok:
            self.broken.add(ident)
            return
        covered = self.text[start:end]
        if "\n" in covered or "\r" in covered:
            self.problem(
                lineno,
                "offsets",
                f"span {start}-{end} covers a line break, which a BRAT text column cannot hold",
                "split it into one entity per line",
                covered,
            )
        elif column != covered:
            self.problem(
                lineno,
                "text",
                f"text column differs from the text at {start}-{end} ({covered!r})",
                "correct the offsets or the text column so that the column equals text[start:end]",
                column,
            )
        if fresh:
            self.entities[ident] = Span(start, end, label)
            self.where[ident] = (lineno, "")

    def resolve_clusters(self) -> tuple[tuple[str, ...], ...]:
        for n, (lineno, ids) in enumerate(self.cluster_lines):
            self.where[f"*{n}"] = (lineno, "")
            for target in ids:
                self.references.append((lineno, "target", target))
        return tuple(tuple(ids) for _, ids in self.cluster_lines)

    def resolve_relations(self) -> dict[str, Relation]:
        relations: dict[str, Relation] = {}
        for lineno, line, parts in self.relation_lines:
            ident = parts[0]
            tokens = parts[1].split(" ") if len(parts) > 1 else []
            tail = parts[2] if len(parts) == 3 else None
            well_formed = (
                ident[1:]
                and " " not in ident
                and len(tokens) == 3
                and tokens[0]
                and tokens[1].startswith("Arg1:")
                and tokens[2].startswith("Arg2:")
                and tail in (None, "")
            )
            if not well_formed:
                self.problem(
                    lineno, None, f"malformed relation line; the format is {_RELATION_FORMAT}", "rewrite it", line
                )
                if ident and " " not in ident:
                    self.claim_id(ident, lineno)
                continue
            fresh = self.claim_id(ident, lineno)
            args: list[Span] = []
            for name, token in (("arg1", tokens[1]), ("arg2", tokens[2])):
                target = token[5:]
                span = self.entities.get(target)
                if span is None and target not in self.broken:
                    self.problem(
                        lineno,
                        name,
                        "relation argument is not an entity of this document",
                        "use the id of an entity (a T line) of this file",
                        target,
                    )
                if span is not None:
                    args.append(span)
            if tail == "":
                self.relation_tab.append(ident)
            if fresh and len(args) == 2:
                relations[ident] = Relation(tokens[0], args[0], args[1])
                self.where[ident] = (lineno, "")
        return relations

    def other(self, lineno: int, line: str, kind: str) -> None:
        if not line:
            return  # a blank line is kept in the layout and written back
        parts = line.split("\t")
        ident = parts[0]
        if kind == "#":
            if len(parts) < 2 or len(parts[1].split(" ")) != 2 or not parts[1].split(" ")[0]:
                self.problem(
                    lineno,
                    None,
                    "malformed note line; the format is '#<n>\\tAnnotatorNotes ID\\tNOTE'",
                    "rewrite it",
                    line,
                )
                return
            self.claim_id(ident, lineno)
            self.references.append((lineno, "target", parts[1].split(" ")[1]))
            if len(parts) > 2 and parts[2].startswith(REVIEW_NOTE):
                self.problem(
                    lineno,
                    "note",
                    f"unresolved adjudication note on {parts[1].split(' ')[1]} (written by arabench adjudicate)",
                    "decide: delete the annotation that loses (the note goes with it) or, to keep the annotation, "
                    "delete the note",
                    parts[2][:200],
                )
        elif kind in ("A", "M"):
            fields = parts[1].split(" ") if len(parts) == 2 else []
            if len(fields) not in (2, 3) or not fields[0]:
                self.problem(
                    lineno,
                    None,
                    "malformed attribute line; the format is 'A<n>\\tNAME ID' or 'A<n>\\tNAME ID VALUE'",
                    "rewrite it",
                    line,
                )
                return
            self.claim_id(ident, lineno)
            self.references.append((lineno, "target", fields[1]))
            self.problem(
                lineno,
                None,
                f"attribute {fields[0]!r} is kept in the document metadata but not scored",
                "nothing to do if that is intended; scores ignore BRAT attributes",
                severity=WARNING,
            )
        elif kind == "N":
            fields = parts[1].split(" ") if len(parts) in (2, 3) else []
            if len(fields) != 3:
                self.problem(
                    lineno,
                    None,
                    "malformed normalization line; the format is 'N<n>\\tReference ID DB:KEY\\tTEXT'",
                    "rewrite it",
                    line,
                )
                return
            self.claim_id(ident, lineno)
            self.references.append((lineno, "target", fields[1]))
            self.problem(
                lineno,
                None,
                "normalization is kept in the document metadata but not scored",
                "nothing to do if that is intended; scores ignore BRAT normalizations",
                severity=WARNING,
            )
        elif kind == "*":
            fields = parts[1].split(" ") if len(parts) == 2 else []
            if ident != "*" or len(fields) < 3:
                self.problem(
                    lineno,
                    None,
                    f"malformed equivalence line; the format is {_EQUIV_FORMAT}",
                    "rewrite it",
                    line,
                )
                return
            for target in fields[1:]:
                self.references.append((lineno, "target", target))
            self.problem(
                lineno,
                None,
                f"equivalence type {fields[0]!r} is kept in the document metadata but not scored",
                f"write '{EQUIV}' to make it part of the entity layer (coreference); other types are ignored",
                severity=WARNING,
            )
        elif kind == "E":
            if ident[1:] and " " not in ident:
                self.claim_id(ident, lineno)
            self.problem(
                lineno,
                None,
                "BRAT events are not part of the benchmark schema",
                "remove the event and its trigger, or express it as entities and relations",
                line,
            )
        else:
            self.problem(lineno, "id", f"unknown line kind; {_KINDS}", "fix or remove the line", line)

    def check_references(self) -> None:
        for lineno, field, target in self.references:
            if target not in self.first_line and target not in self.broken:
                self.problem(
                    lineno,
                    field,
                    "refers to an id that no line of this file defines",
                    "use the id of an annotation of this file",
                    target,
                )


def parse_ann(ann: str, text: str, *, doc_id: str, file: str | Path | None = None) -> ParsedDocument:
    """Parse the content of a BRAT ``.ann`` file against its text.

    Never raises for bad content: every problem is collected in the result's
    ``problems`` (with 1-based line numbers), and the document holds every
    annotation that could be parsed.

    Args:
        ann: The ``.ann`` content, decoded.
        text: The document text (the ``.txt`` content, exactly).
        doc_id: The document id (the file stem).
        file: The ``.ann`` path, for messages.

    Returns:
        The parsed document, where each annotation is, and the problems.
    """
    return _Parser(ann, text, doc_id, None if file is None else str(file)).run()


def format_ann(document: Document) -> str:
    r"""Write a document's annotations as BRAT standoff.

    Entities are written in ``document.entities`` order, then relations in
    ``document.relations`` order, then one ``*\tEquiv`` line per cluster,
    unless ``document.metadata["brat"]`` holds the layout of the file the
    document was read from: then the lines come back in their original order
    with the notes, attributes and other kept lines, so a read-then-written
    file is identical byte for byte. Annotations added after
    reading are appended.

    Raises:
        ConversionError: If an id is not a BRAT id, a relation argument is not
            one of the document's entities, or a span covers a line break.
    """
    text = document.text
    brat = document.metadata.get(BRAT_METADATA_KEY) or {}
    if not isinstance(brat, Mapping):
        raise ConversionError(
            "BRAT metadata must be a mapping",
            field=f"metadata.{BRAT_METADATA_KEY}",
            value=brat,
            fix="remove it or restore the value the reader stored",
        )
    arg_ids = document.relation_arg_ids()
    relation_tab = set(brat.get("relation_tab") or ())

    def entity_line(ident: str, span: Span) -> str:
        _check_id(ident, "T", document.id)
        covered = text[span.start : span.end]
        if span.end > len(text) or "\n" in covered or "\r" in covered:
            raise ConversionError(
                "span cannot be written as a BRAT text column (beyond the text or across a line break)",
                field=f"entities.{ident}",
                value=(span.start, span.end, covered),
                fix="split the span at the line break",
            )
        return f"{ident}\t{span.label} {span.start} {span.end}\t{covered}"

    def relation_line(ident: str, relation: Relation) -> str:
        _check_id(ident, "R", document.id)
        ids = arg_ids[ident]
        tab = "\t" if ident in relation_tab else ""
        return f"{ident}\t{relation.label} Arg1:{ids[0]} Arg2:{ids[1]}{tab}"

    def cluster_line(group: tuple[str, ...]) -> str:
        for ident in group:
            if ident not in document.entities:
                raise ConversionError(
                    f"a cluster of document {document.id!r} names an id that is not an entity",
                    field="clusters",
                    value=ident,
                    fix="list only ids of the document's entities",
                )
        return f"*\t{EQUIV} {' '.join(group)}"

    entities = iter(document.entities.items())
    relations = iter(document.relations.items())
    clusters = iter(document.clusters)
    extra = iter(brat.get("extra") or ())
    out: list[str] = []
    for kind in brat.get("layout", ""):
        if kind == "T":
            item = next(entities, None)
            if item is not None:
                out.append(entity_line(*item))
        elif kind == "R":
            relation_item = next(relations, None)
            if relation_item is not None:
                out.append(relation_line(*relation_item))
        elif kind == "*":
            group = next(clusters, None)
            if group is not None:
                out.append(cluster_line(group))
        else:
            line = next(extra, None)
            if line is not None:
                out.append(str(line))
    out.extend(entity_line(*item) for item in entities)
    out.extend(relation_line(*item) for item in relations)
    out.extend(cluster_line(group) for group in clusters)
    out.extend(str(line) for line in extra)
    if not out:
        return ""
    return "\n".join(out) + ("\n" if brat.get("final_newline", True) else "")


def _check_id(ident: str, kind: str, doc_id: str) -> None:
    if not ident.startswith(kind) or len(ident) < 2 or any(c.isspace() for c in ident):
        raise ConversionError(
            f"id cannot be written to BRAT in document {doc_id!r}",
            field="id",
            value=ident,
            fix=f"use ids like {kind}1, {kind}2, ... (no white space)",
        )


#: The longest document id (UTF-8 bytes) that makes a file name with ``.ann`` on common file systems (255 bytes).
MAX_ID_BYTES = 250


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def write_brat(document: Document, directory: str | Path) -> tuple[Path, Path]:
    """Write ``<id>.txt`` (the text, byte for byte) and ``<id>.ann`` into ``directory``.

    Returns:
        The paths of the ``.txt`` and ``.ann`` files written.

    Raises:
        ConversionError: As :func:`format_ann`, or if the document id cannot be a file name.
    """
    if not document.id or "/" in document.id or "\\" in document.id or document.id in (".", ".."):
        raise ConversionError(
            "document id cannot be used as a BRAT file name",
            field="id",
            value=document.id,
            fix="use an id without path separators",
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in document.id) or not _encodable(document.id):
        raise ConversionError(
            "document id cannot be used as a BRAT file name: it holds a control character (NUL, newline...) "
            "or a lone surrogate",
            field="id",
            value=document.id,
            fix="use an id of printable characters",
        )
    if len(document.id.encode("utf-8")) > MAX_ID_BYTES:
        raise ConversionError(
            f"document id cannot be used as a BRAT file name: {len(document.id.encode('utf-8'))} bytes in UTF-8, "
            f"file names hold at most 255 (with .ann)",
            field="id",
            value=document.id[:40] + "…",
            fix=f"use an id of at most {MAX_ID_BYTES} bytes (e.g. a short name plus a hash)",
        )
    ann = format_ann(document)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    txt_path = directory / f"{document.id}.txt"
    ann_path = directory / f"{document.id}.ann"
    try:
        text_bytes, ann_bytes = document.text.encode("utf-8"), ann.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ConversionError(
            f"document {document.id!r} cannot be encoded as UTF-8 ({exc.reason} at character {exc.start})",
            field="text",
            value=exc.object[exc.start : exc.end],
            fix="remove the lone surrogate characters",
        ) from exc
    atomic_write_bytes(txt_path, text_bytes)  # replaces a link, never writes through it
    atomic_write_bytes(ann_path, ann_bytes)
    return txt_path, ann_path


#: File names of BRAT's configuration, written beside the ``.txt``/``.ann`` files of a collection.
ANNOTATION_CONF = "annotation.conf"
VISUAL_CONF = "visual.conf"


def annotation_conf(schema: Schema | None = None) -> str:
    """BRAT's ``annotation.conf`` for the schema: its entity types and relation types.

    Put the result next to the ``.txt`` files of a BRAT collection (``arabench
    convert --to brat`` does, and the packaged gold ships it) so that annotators
    can only choose schema types and allowed relation arguments. Overlaps of
    any kind are allowed (``<OVERLAP> ... <ANY>``) so that nested mentions can
    be drawn; crossing spans, which the benchmark does not accept, are then
    reported by ``arabench validate``. ``Equiv`` is BRAT's symmetric-transitive
    equivalence, the entity layer (guidelines §14): one ``Equiv`` line per group
    of :func:`arabench.annotations.coref_types.coreferable_groups` (BRAT takes every line of a relation type as
    one more allowed argument pair), so value types (DATE, CARDINAL, ...) and
    mentions of incompatible types cannot be joined, exactly as ``validate``
    refuses them.

    Args:
        schema: The schema (default: the packaged schema).
    """
    schema = schema or default_schema()
    order = list(schema.entity_types)

    def types(names: frozenset[str] | tuple[str, ...]) -> str:
        return "|".join(sorted(names, key=order.index))

    lines = [
        f"# BRAT annotation configuration generated from {Path(schema.path).name} (schema version {schema.version}).",
        "# Written by arabench.annotations.brat.annotation_conf(): regenerate it rather than edit it.",
        "[entities]",
        *order,
        "",
        "[relations]",
        "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
        *(
            f"{EQUIV}\tArg1:{types(group)}, Arg2:{types(group)}, <REL-TYPE>:symmetric-transitive"
            for group in coreferable_groups(schema)
        ),
        *(f"{name}\tArg1:{types(rel.arg1)}, Arg2:{types(rel.arg2)}" for name, rel in schema.relation_types.items()),
        "",
        "[events]",
        "",
        "[attributes]",
    ]
    return "\n".join(lines) + "\n"


def visual_conf(schema: Schema | None = None) -> str:
    """BRAT's ``visual.conf`` for the schema: labels, and the text drawn right to left.

    ``[options] Text direction:rtl`` is what makes BRAT lay Arabic out right to
    left (without it sentence-final punctuation lands on the wrong side and
    spans holding digits are boxed partly). Even so BRAT draws some boxes in the
    wrong place (nested spans and spans that start after a stripped proclitic):
    check offsets with ``arabench validate``, never by eye in BRAT.

    Args:
        schema: The schema (default: the packaged schema).
    """
    schema = schema or default_schema()
    lines = [
        f"# BRAT visual configuration generated from {Path(schema.path).name} (schema version {schema.version}).",
        "# Written by arabench.annotations.brat.visual_conf(): regenerate it rather than edit it.",
        "[labels]",
        *(f"{name} | {name}" for name in schema.entity_types),
        *(f"{name} | {name}" for name in schema.relation_types),
        f"{EQUIV} | {EQUIV}",
        "",
        "[drawing]",
        "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken",
        "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5",
        f"{EQUIV}\tdashArray:3-3, arrowHead:none",
        "",
        "[options]",
        "Arcs bundle:none",
        "Text direction:rtl",
    ]
    return "\n".join(lines) + "\n"


def write_brat_conf(directory: str | Path, schema: Schema | None = None) -> tuple[Path, Path]:
    """Write ``annotation.conf`` and ``visual.conf`` for the schema into ``directory``.

    Returns:
        The paths written.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in ((ANNOTATION_CONF, annotation_conf(schema)), (VISUAL_CONF, visual_conf(schema))):
        target = directory / name
        if target.is_symlink():
            raise ConversionError(
                "refusing to write BRAT configuration through a symbolic link",
                file=target,
                fix="remove the link (arabench never follows a link on write)",
            )
        target.write_text(content, encoding="utf-8", newline="\n")
        written.append(target)
    return written[0], written[1]
