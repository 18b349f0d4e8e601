"""Check an annotation corpus and report every problem, never only the first.

:func:`validate` reads a BRAT directory, one ``.txt``/``.ann`` pair or a
``.jsonl`` file and returns a :class:`ValidationReport` listing each
:class:`~annotations.problems.Problem` with its file, 1-based line, field, bad
value and fix. It never raises for bad input (only for a bad ``schema``
argument). The checks, in the order a file meets them:

* files: unreadable, not UTF-8 (with the byte offset), BOM, CRLF line ends,
  text not in NFC (first offset that differs), ``.txt`` without ``.ann`` and
  ``.ann`` without ``.txt``, ``.txt``/``.ann`` files in sub-directories (only
  the top level is read), no documents at all, duplicate document ids;
* lines (:mod:`arabench.annotations.brat`, :mod:`arabench.annotations.jsonl`): malformed line
  (with the format), offsets not integers, beyond the text, ``start >= end``,
  text column not equal to the text slice (both shown), discontinuous BRAT
  entities, dangling references, duplicate ids;
* annotations (:func:`check_document`): span starting or ending with white
  space, the span rules of the guidelines that can be checked mechanically
  (:func:`check_span_rules`: punctuation or a quote mark at an edge, a first
  word still holding its proclitics), unknown entity or relation type (with "did you mean"), relation
  argument of a type the schema does not allow (allowed types named),
  the same span (range and type) twice, the same relation twice, crossing
  spans (overlapping without nesting; both ids named);
* the entity layer (:func:`check_entity_layer`, guidelines §14): a cluster
  naming an id that is not an entity, an id in two clusters or twice in one,
  a cluster of fewer than two mentions, a mention clustered with a mention
  nested in it, mentions of incompatible types in one entity (the types must
  be equal, except that an entity with a GPE mention may hold NORP mentions,
  :data:`STANDS_FOR`), a value type (:data:`UNCLUSTERED_TYPES`) in a cluster,
  a relation between two mentions of one entity, the same two entities related
  both ways by a containment type (:data:`ACYCLIC_RELATIONS`); and, as
  warnings, the same two entities related by two types the guidelines exclude
  together (:data:`EXCLUSIVE_RELATIONS`);
* the manifest (:func:`check_manifest`): a BRAT directory holding a
  ``manifest.yaml`` (the packaged gold does) must list every document with
  the required fields, and each text's sha256, character, byte and line
  counts must be those of the file.

Text not in NFC is an error for the packaged gold (its offsets are defined on
NFC text) and a warning, with its position, for any other corpus: nothing is
normalized silently, and a corpus converted losslessly stays readable.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import regex

from arabench.annotations.brat import parse_ann
from arabench.annotations.coref_types import STANDS_FOR, UNCLUSTERED_TYPES
from arabench.annotations.errors import SchemaError
from arabench.annotations.jsonl import parse_jsonl
from arabench.annotations.problems import ParsedDocument, Problem
from arabench.annotations.schema import Schema, default_schema
from arabench.annotations.spans import Document
from arabench.annotations.tokenize import PROCLITICS, WordIndex, is_ignorable

__all__ = [
    "ValidationReport",
    "validate",
    "check_document",
    "check_span_rules",
    "EDGE_PUNCTUATION_ALLOWED",
    "check_entity_layer",
    "entity_type",
    "check_text",
    "decode_file",
    "discover",
    "STANDS_FOR",
    "UNCLUSTERED_TYPES",
    "ACYCLIC_RELATIONS",
    "EXCLUSIVE_RELATIONS",
    "MANIFEST",
    "MANIFEST_FIELDS",
    "MANIFEST_RECOMMENDED",
    "check_manifest",
]

#: Relation types that cannot hold both ways between two entities (containment).
ACYCLIC_RELATIONS: frozenset[str] = frozenset({"PART_OF", "MEMBER_OF", "LOCATED_IN"})
#: Pairs of relation types the guidelines do not give the same two entities (§5, §11).
EXCLUSIVE_RELATIONS: tuple[frozenset[str], ...] = (
    frozenset({"HEADS", "EMPLOYED_BY"}),
    frozenset({"PART_OF", "AFFILIATED_WITH"}),
    frozenset({"PART_OF", "MEMBER_OF"}),
)


#: Punctuation a span may end with: the percent signs of a PERCENT («5%», guidelines §9).
EDGE_PUNCTUATION_ALLOWED: frozenset[str] = frozenset({"%", "\u066a"})
#: A word starting with the preposition ``ل`` of ``لل`` (after an optional conjunction): ``للجامعة``, ``وللبنك``.
_LAM_LAM = regex.compile(r"^[\u0648\u0641]?\u0644\u0644")
#: The article.
_ARTICLE = "\u0627\u0644"
_PUNCT = regex.compile(r"\p{P}")


def entity_type(labels: Iterable[str]) -> str | None:
    """The type of an entity whose mentions have ``labels``, or None if they are incompatible.

    All labels equal gives that label; labels that are the same type plus
    mentions that stand for it (:data:`STANDS_FOR`, e.g. NORP in a GPE
    entity) give that type; anything else is incompatible.
    """
    kinds = set(labels)
    if len(kinds) == 1:
        return next(iter(kinds))
    heads = {kind for kind in kinds if kind not in STANDS_FOR or STANDS_FOR[kind] not in kinds}
    if len(heads) == 1 and all(STANDS_FOR.get(kind) in heads for kind in kinds - heads):
        return next(iter(heads))
    return None


#: The manifest file of a BRAT directory.
MANIFEST = "manifest.yaml"
#: Fields every manifest entry must give (an error when missing).
MANIFEST_FIELDS = ("id", "text", "annotation", "sha256")
#: Fields a manifest entry should give (a warning when missing): the provenance a reader of the results needs.
MANIFEST_RECOMMENDED = ("language", "genre", "source", "licence", "characters")


@dataclass
class ValidationReport:
    """Everything :func:`validate` found.

    Attributes:
        path: The path validated.
        problems: Every problem (errors and warnings), in file order.
        documents: The documents that parsed with no error, sorted by id.
        document_count: How many documents were found (with or without errors).
    """

    path: str
    problems: list[Problem] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    document_count: int = 0

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity ``error``."""
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        """The problems of severity ``warning``."""
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        """True if there is no error (warnings allowed)."""
        return not self.errors

    def summary(self) -> str:
        """One line: documents, errors, warnings."""
        e, w = len(self.errors), len(self.warnings)
        return (
            f"{self.path}: {self.document_count} document(s), {len(self.documents)} valid; {e} error(s), {w} warning(s)"
        )


def decode_file(path: Path) -> tuple[str | None, list[Problem]]:
    """Read a file as UTF-8 exactly (no newline translation).

    Returns:
        The text (``None`` if it cannot be read or decoded) and the problems.
    """
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [
            Problem(name, None, None, f"cannot read file ({exc.strerror or exc})", "check the path and permissions")
        ]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [
            Problem(
                name,
                line,
                None,
                f"not valid UTF-8 at byte offset {exc.start} ({exc.reason})",
                "re-save the file as UTF-8",
                data[exc.start : exc.end],
            )
        ]


def check_text(
    text: str, *, file: str, line: int | None = None, field: str | None = None, nfc: str = "warning"
) -> list[Problem]:
    """Check a document text: BOM, CRLF line ends, NFC.

    Args:
        text: The raw text.
        file: The file it comes from.
        line: The line holding the whole text (JSONL); ``None`` if the text
            is a file of its own, then lines are counted in ``text``.
        field: The field holding the text (JSONL ``"text"``).
        nfc: The severity of text not in NFC (``"error"`` for the packaged gold, else ``"warning"``).
    """
    problems = []

    def where(offset: int) -> int:
        return line if line is not None else text.count("\n", 0, offset) + 1

    if text.startswith("\ufeff"):
        problems.append(
            Problem(
                file, where(0), field, "text starts with a byte-order mark (BOM)", "save the text as UTF-8 without BOM"
            )
        )
    crlf = text.find("\r\n")
    if crlf >= 0:
        problems.append(
            Problem(
                file,
                where(crlf),
                field,
                f"CRLF line ending at character offset {crlf} ({text.count(chr(13) + chr(10))} in all)",
                "save the text with LF line endings (and re-annotate or shift the offsets)",
            )
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        problems.append(
            Problem(
                file,
                where(exc.start),
                field,
                f"text holds a lone surrogate at character offset {exc.start}",
                "remove it (JSON '\\ud800'-style escapes must come in valid pairs)",
                exc.object[exc.start : exc.end],
            )
        )
    if not unicodedata.is_normalized("NFC", text):
        nfc = unicodedata.normalize("NFC", text)
        first = next((i for i, (a, b) in enumerate(zip(text, nfc, strict=False)) if a != b), min(len(text), len(nfc)))
        problems.append(
            Problem(
                file,
                where(first),
                field,
                f"text is not in Unicode NFC; first difference at character offset {first} "
                f"(NFC has {nfc[first : first + 2]!r})",
                "normalize the text to NFC before annotating (offsets change, so annotate after normalizing)",
                text[first : first + 2],
                severity="error" if nfc == "error" else "warning",
            )
        )
    return problems


def check_document(
    parsed: ParsedDocument, *, schema: Schema | None = None, check_types: bool = True, span_rules: bool = True
) -> list[Problem]:
    """Check the annotations of one parsed document against its text and the schema.

    Args:
        parsed: A document from :func:`arabench.annotations.brat.parse_ann` or
            :func:`arabench.annotations.jsonl.parse_jsonl`.
        schema: The schema (default: :func:`arabench.annotations.schema.default_schema`).
        check_types: Check entity and relation types against the schema
            (turn off for predictions labelled in another view).
        span_rules: Check the guidelines' span rules (:func:`check_span_rules`);
            off for formats of whole tokens (CoNLL), which cannot cut a proclitic off.

    Returns:
        Every problem found, in the order of the annotations.
    """
    schema = schema or default_schema()
    doc = parsed.document
    text = doc.text

    def problem(ident: str, name: str, message: str, fix: str, *value: object) -> Problem:
        line, prefix = parsed.where.get(ident, (None, ""))
        kwargs = {"value": value[0]} if value else {}
        return Problem(parsed.file, line, f"{prefix}{name}", message, fix, **kwargs)  # type: ignore[arg-type]

    problems: list[Problem] = []
    seen: dict[tuple[int, int, str], str] = {}
    for ident, span in doc.entities.items():
        covered = text[span.start : span.end]
        if covered[:1].isspace() or covered[-1:].isspace():
            problems.append(
                problem(
                    ident,
                    "start" if covered[:1].isspace() else "end",
                    "span starts or ends with white space",
                    "move the offsets onto the first and last non-space characters",
                    covered,
                )
            )
        if check_types:
            try:
                schema.check_entity_type(span.label)
            except SchemaError as exc:
                problems.append(problem(ident, "type", exc.message, exc.fix or "", span.label))
        key = (span.start, span.end, span.label)
        if key in seen:
            problems.append(
                problem(
                    ident,
                    "id",
                    f"same span and type as {seen[key]} ({span.label} {span.start}-{span.end})",
                    f"delete one of {seen[key]} and {ident} (and point its relations at the other)",
                    ident,
                )
            )
        else:
            seen[key] = ident
    if span_rules:
        problems.extend(check_span_rules(parsed))
    problems.extend(_crossing(parsed))
    relation_seen: dict[tuple[str, object, object], str] = {}
    for ident, relation in doc.relations.items():
        if check_types:
            rtype = schema.relation_types.get(relation.label)
            if rtype is None:
                try:
                    schema.check_relation_type(relation.label)
                except SchemaError as exc:
                    problems.append(problem(ident, "type", exc.message, exc.fix or "", relation.label))
            else:
                t1, t2 = relation.arg1.label, relation.arg2.label
                if t1 in schema.entity_types and t2 in schema.entity_types and not rtype.allows(t1, t2):
                    bad = "arg1" if t1 not in rtype.arg1 else "arg2"
                    problems.append(
                        problem(
                            ident,
                            bad,
                            f"{relation.label} does not allow arguments of types ({t1}, {t2})",
                            f"{relation.label} takes arg1 of type {' or '.join(sorted(rtype.arg1))} and arg2 of type "
                            f"{' or '.join(sorted(rtype.arg2))}; change the relation type or its arguments",
                            t1 if bad == "arg1" else t2,
                        )
                    )
        rkey = (relation.label, relation.arg1, relation.arg2)
        if rkey in relation_seen:
            problems.append(
                problem(
                    ident,
                    "id",
                    f"same relation (type and arguments) as {relation_seen[rkey]}",
                    f"delete one of {relation_seen[rkey]} and {ident}",
                    ident,
                )
            )
        else:
            relation_seen[rkey] = ident
    problems.extend(check_entity_layer(parsed, check_types=check_types))
    return problems


def check_span_rules(parsed: ParsedDocument) -> list[Problem]:
    """The span rules of the guidelines (§1-§3) that can be checked from the document alone.

    * a span starts or ends with punctuation, a quote mark or a bracket (§1,
      §3; a PERCENT may end with its sign, :data:`EDGE_PUNCTUATION_ALLOWED`);
    * a span starts at a word's start and that word begins with the preposition
      ``ل`` of ``لل`` («للجامعة»: the span starts at the second ``ل``);
    * a span starts at a word's start with proclitics
      (:data:`arabench.annotations.tokenize.PROCLITICS`) before a word the
      document shows without them: a word with the article that stands alone
      elsewhere in the text («والعراق» where «العراق» is a word of the text), or
      the first word of another mention of the same type («ومصر» beside the GPE
      «مصر»).

    Letters that only look like proclitics (``كاليفورنيا``, ``وكالة``, ``بالتيمور``)
    are not taken for them, because nothing in the text shows the rest as a word
    of its own; a proclitic on a name the document never writes without it
    («بالقاهرة» alone) needs a lexicon and stays the annotator's to see.

    Returns:
        One error per span and rule, naming the offsets to use instead.
    """
    doc = parsed.document
    text = doc.text
    index = WordIndex.of(text)
    problems: list[Problem] = []

    def problem(ident: str, name: str, message: str, fix: str, value: object) -> None:
        line, prefix = parsed.where.get(ident, (None, ""))
        problems.append(Problem(parsed.file, line, f"{prefix}{name}", message, fix, value))

    def bare(raw: str) -> str:
        return "".join(ch for ch in raw if not is_ignorable(ch))

    def first_word(span_start: int, span_end: int) -> str | None:
        """The raw first word of a span that starts at a word start, else None."""
        k = index.word_at(span_start)
        if k is None or index.starts[k] != span_start:
            return None
        return text[span_start : min(index.ends[k], span_end)]

    def raw_length(raw: str, letters: int) -> int:
        """How many raw characters hold the first ``letters`` non-ignorable ones (combining marks included)."""
        seen = 0
        for n, ch in enumerate(raw):
            if not is_ignorable(ch):
                if seen == letters:
                    return n
                seen += 1
        return len(raw)

    words_of_text = {bare(text[s:e]) for s, e in zip(index.starts, index.ends, strict=True)}
    starts_of: dict[str, set[str]] = {}
    for span in doc.entities.values():
        raw = first_word(span.start, span.end)
        if raw:
            starts_of.setdefault(span.label, set()).add(bare(raw))
    for ident, span in doc.entities.items():
        covered = text[span.start : span.end]
        if not covered or covered[0].isspace() or covered[-1].isspace():
            continue  # reported as white space (or as bad offsets)
        if _PUNCT.match(covered[0]):
            problem(
                ident,
                "start",
                f"span starts with punctuation {covered[0]!r} (a quote mark, bracket or other sign is outside "
                "the span, guidelines §1, §3)",
                f"start the span after it (offset {span.start + 1})",
                covered,
            )
        if _PUNCT.match(covered[-1]) and covered[-1] not in EDGE_PUNCTUATION_ALLOWED:
            problem(
                ident,
                "end",
                f"span ends with punctuation {covered[-1]!r} (a closing quote mark, bracket or full stop is outside "
                "the span, guidelines §1, §3)",
                f"end the span before it (offset {span.end - 1})",
                covered,
            )
        raw = first_word(span.start, span.end)
        if not raw:
            continue
        word = bare(raw)
        lam = _LAM_LAM.match(word)
        if lam:
            clitic = word[: len(lam.group()) - 1]
            problem(
                ident,
                "start",
                f"span starts with the proclitic {clitic!r} of {word!r}: after the preposition ل the article's "
                "alef is dropped, and the span starts at the second ل (guidelines §2)",
                f"start the span after the proclitic, at offset {span.start + raw_length(raw, len(clitic))}",
                covered,
            )
            continue
        for clitic in PROCLITICS:  # longest first
            rest = word[len(clitic) :]
            if not word.startswith(clitic) or len(rest) < 2:
                continue
            if rest.startswith(_ARTICLE) and rest in words_of_text:
                evidence = f"the text writes {rest!r} as a word of its own"
            elif rest in starts_of.get(span.label, ()):
                evidence = f"{rest!r} is a {span.label} mention of this document without it"
            else:
                continue
            problem(
                ident,
                "start",
                f"span starts with the proclitic {clitic!r} of {word!r}, and {evidence}: a span excludes "
                "attached proclitics (guidelines §2)",
                f"start the span after the proclitic, at offset {span.start + raw_length(raw, len(clitic))}",
                covered,
            )
            break
    return problems


def check_entity_layer(parsed: ParsedDocument, *, check_types: bool = True) -> list[Problem]:
    """Check a document's entity layer (clusters) and its relations at the entity level.

    Args:
        parsed: A parsed document.
        check_types: Also check type compatibility, value types and the
            relation-type rules (off for predictions in another label view).

    Returns:
        The problems found (see the module docstring for the list).
    """
    doc = parsed.document
    problems: list[Problem] = []

    def where(n: int) -> tuple[int | None, str]:
        line, prefix = parsed.where.get(f"*{n}", (None, ""))
        return line, prefix.rstrip(".") or "Equiv"

    def add(n: int, message: str, fix: str, *value: object, severity: str = "error") -> None:
        line, field_name = where(n)
        kwargs = {"value": value[0]} if value else {}
        problems.append(Problem(parsed.file, line, field_name, message, fix, severity=severity, **kwargs))  # type: ignore[arg-type]

    owner: dict[str, int] = {}
    for n, group in enumerate(doc.clusters):
        known = []
        for ident in group:
            if ident not in doc.entities:
                add(n, f"cluster names {ident}, which is not an entity", "list only ids of entity (T) lines", ident)
            elif ident in owner and owner[ident] == n:
                add(n, f"{ident} is listed twice in one cluster", "list each mention once", ident)
            elif ident in owner:
                add(
                    n,
                    f"{ident} is already in cluster {owner[ident] + 1}: a mention belongs to one entity",
                    "merge the two clusters into one line, or take the mention out of one",
                    ident,
                )
            else:
                owner[ident] = n
                known.append(ident)
        if len(set(group)) < 2:
            add(
                n,
                "a cluster needs two or more mentions",
                "remove it: a mention in no cluster is already an entity of its own",
                list(group),
            )
        spans = [(ident, doc.entities[ident]) for ident in known]
        for i, (a, span_a) in enumerate(spans):
            for b, span_b in spans[i + 1 :]:
                if span_a.contains(span_b) or span_b.contains(span_a):
                    add(
                        n,
                        f"{a} and {b} are nested, and a mention never denotes the entity of the mention around it",
                        "split the cluster (guidelines §14.2 item 3)",
                        [a, b],
                    )
        if not check_types or not known:
            continue
        labels = [doc.entities[ident].label for ident in known]
        values = sorted({label for label in labels if label in UNCLUSTERED_TYPES})
        if values:
            add(
                n,
                f"value type(s) {', '.join(values)} in a cluster: values are never clustered",
                "take the value mentions out of the cluster (guidelines §14.2 item 7)",
                values,
            )
        elif entity_type(labels) is None:
            add(
                n,
                f"mentions of incompatible types in one entity ({', '.join(sorted(set(labels)))})",
                "an entity's mentions share one type; only NORP mentions may join a GPE entity "
                "(guidelines §14.3-14.4): split the cluster",
                sorted(set(labels)),
            )
    if any(problem.is_error for problem in problems):
        return problems
    index = doc.entity_index()
    try:
        arg_ids = doc.relation_arg_ids()
    except ValueError:
        return problems  # a dangling argument is reported by the reader
    by_pair: dict[tuple[int, int], dict[str, str]] = {}
    for ident, (a1, a2) in arg_ids.items():
        label = doc.relations[ident].label
        e1, e2 = index[a1], index[a2]
        line, prefix = parsed.where.get(ident, (None, ""))
        if e1 == e2:
            problems.append(
                Problem(
                    parsed.file,
                    line,
                    f"{prefix}arg2",
                    f"relation {ident} links two mentions of one entity ({a1} and {a2})",
                    "a relation is between two different entities: fix the relation or the cluster",
                    a2,
                )
            )
            continue
        by_pair.setdefault((e1, e2), {}).setdefault(label, ident)
    if not check_types:
        return problems
    for (e1, e2), labels_ in by_pair.items():
        for label, ident in labels_.items():
            line, prefix = parsed.where.get(ident, (None, ""))
            back = by_pair.get((e2, e1), {}).get(label)
            if label in ACYCLIC_RELATIONS and back is not None and e1 < e2:
                problems.append(
                    Problem(
                        parsed.file,
                        line,
                        f"{prefix}type",
                        f"{label} holds both ways between the same two entities ({ident} and {back})",
                        f"{label} is a containment: keep the direction the text states and delete the other",
                        label,
                    )
                )
        for pair in EXCLUSIVE_RELATIONS:
            if pair <= labels_.keys():
                ids = sorted(labels_[label] for label in pair)
                line, prefix = parsed.where.get(ids[-1], (None, ""))
                problems.append(
                    Problem(
                        parsed.file,
                        line,
                        f"{prefix}type",
                        f"the same two entities are related by both {' and '.join(sorted(pair))} ({', '.join(ids)})",
                        "the guidelines give one of them (head of an ORG: HEADS, not EMPLOYED_BY; a sub-unit: "
                        "PART_OF, not MEMBER_OF or AFFILIATED_WITH); delete the other if the text does not state both",
                        sorted(pair),
                        severity="warning",
                    )
                )
    return problems


def _crossing(parsed: ParsedDocument) -> Iterable[Problem]:
    items = sorted(parsed.document.entities.items(), key=lambda kv: (kv[1].start, -kv[1].end))
    n = len(items)
    for i, (ident, span) in enumerate(items):
        for j in range(i + 1, n):  # by index: a slice of the tail per entity made this quadratic in the document
            other_id, other = items[j]
            if other.start >= span.end:
                break
            if other.end > span.end:
                a, b = sorted((ident, other_id), key=lambda k: parsed.where.get(k, (0, ""))[0] or 0)
                line, prefix = parsed.where.get(b, (None, ""))
                yield Problem(
                    parsed.file,
                    line,
                    f"{prefix}start",
                    f"span {b} ({parsed.document.entities[b].start}-{parsed.document.entities[b].end}) crosses span "
                    f"{a} ({parsed.document.entities[a].start}-{parsed.document.entities[a].end}): they overlap "
                    "without one containing the other",
                    f"make {a} and {b} nested or disjoint",
                    b,
                )


def discover(path: Path) -> tuple[list[tuple[str, Path | None, Path | None]], list[Path], list[Problem]]:
    """Find the documents under ``path``.

    Returns:
        ``(pairs, jsonl_files, problems)``: BRAT documents as ``(stem, txt,
        ann)`` with a ``None`` for a missing half, sorted by stem; JSONL files;
        and problems with the path itself.
    """
    name = str(path)
    if not path.exists():
        return (
            [],
            [],
            [
                Problem(
                    name, None, None, "path does not exist", "give a BRAT directory, a .ann/.txt file or a .jsonl file"
                )
            ],
        )
    if path.is_dir():
        txt: dict[str, Path] = {}
        ann: dict[str, Path] = {}
        for child in sorted(path.iterdir()):
            if child.is_file() and child.suffix == ".txt":
                txt[child.stem] = child
            elif child.is_file() and child.suffix == ".ann":
                ann[child.stem] = child
        stems = sorted(set(txt) | set(ann))
        problems = []
        for child in sorted(path.iterdir()):
            # Only the top level is read: documents further down must not be skipped without a word.
            nested = (
                [p for p in child.rglob("*") if p.suffix in (".txt", ".ann") and p.is_file()] if child.is_dir() else []
            )
            if nested:
                problems.append(
                    Problem(
                        str(child),
                        None,
                        None,
                        f"sub-directory holds {len(nested)} .txt/.ann file(s) that are not read "
                        "(only the top level of a BRAT directory is)",
                        "move the documents to the top level, or read that directory on its own",
                        child.name,
                    )
                )
        if not stems:
            problems.append(
                Problem(name, None, None, "no .txt/.ann documents in this directory", "add X.txt and X.ann pairs")
            )
        return [(s, txt.get(s), ann.get(s)) for s in stems], [], problems
    suffix = path.suffix
    if suffix == ".jsonl":
        return [], [path], []
    if suffix in (".ann", ".txt"):
        txt_path, ann_path = path.with_suffix(".txt"), path.with_suffix(".ann")
        return [(path.stem, txt_path if txt_path.is_file() else None, ann_path if ann_path.is_file() else None)], [], []
    return (
        [],
        [],
        [
            Problem(
                name,
                None,
                None,
                "unsupported annotation file",
                "give a BRAT directory, a .ann or .txt file, or a .jsonl file (convert others with `arabench convert`)",
                suffix,
            )
        ],
    )


def _parse_pair(stem: str, txt: Path | None, ann: Path | None) -> tuple[ParsedDocument | None, list[Problem]]:
    if txt is None:
        assert ann is not None
        return None, [
            Problem(
                str(ann),
                None,
                None,
                f"annotation file has no text file {stem}.txt",
                f"add {stem}.txt (the text the offsets count into) or remove {ann.name}",
            )
        ]
    if ann is None:
        return None, [
            Problem(
                str(txt),
                None,
                None,
                f"text file has no annotation file {stem}.ann",
                f"add an empty {stem}.ann if the document has no entities",
            )
        ]
    text, problems = decode_file(txt)
    content, ann_problems = decode_file(ann)
    problems += ann_problems
    if text is None or content is None:
        return None, problems
    problems += check_text(text, file=str(txt))
    parsed = parse_ann(content, text, doc_id=stem, file=ann)
    parsed.text_file = str(txt)
    parsed.problems[:0] = problems
    return parsed, []


def validate(
    path: str | Path, *, schema: Schema | None = None, check_types: bool = True, format: str | None = None
) -> ValidationReport:
    """Validate a BRAT directory, a ``.txt``/``.ann`` pair or a ``.jsonl`` file.

    Args:
        path: What to validate.
        schema: The schema (default: :func:`arabench.annotations.schema.default_schema`).
        check_types: Check entity and relation types against the schema.
        format: ``"jsonl"`` reads a file as JSON Lines whatever its suffix
            (:mod:`arabench.annotations.formats` tells a ``.json`` of JSON Lines by its content).

    Returns:
        The report: every problem, and the documents without errors (sorted by id).
    """
    schema = schema or default_schema()
    path = Path(path)
    report = ValidationReport(str(path))
    pairs, jsonl_files, problems = discover(path)
    if format == "jsonl" and path.is_file():
        pairs, jsonl_files, problems = [], [path], []
    report.problems += problems

    def finish(parsed: ParsedDocument) -> list[Problem]:
        parsed.problems += check_document(parsed, schema=schema, check_types=check_types)
        parsed.problems.sort(key=lambda p: (p.file != parsed.text_file, p.line or 0))
        if parsed.ok:
            report.documents.append(parsed.document)
        return parsed.problems

    for stem, txt, ann in pairs:
        report.document_count += 1
        parsed, problems = _parse_pair(stem, txt, ann)
        report.problems += problems if parsed is None else finish(parsed)
    for file in jsonl_files:
        report.problems += _validate_jsonl(file, report, finish)
    if path.is_dir() and (path / MANIFEST).is_file():
        report.problems += check_manifest(path / MANIFEST)
    if _is_packaged_gold(path):  # the gold's offsets are defined on NFC text: there it is an error
        report.problems = [
            replace(p, severity="error") if p.message.startswith("text is not in Unicode NFC") else p
            for p in report.problems
        ]
    report.documents.sort(key=lambda d: d.id)
    return report


def _is_packaged_gold(path: Path) -> bool:
    gold = Path(__file__).resolve().parent / "gold"
    try:
        resolved = path.resolve()
    except OSError:
        return False
    return resolved == gold or resolved.parent == gold


def check_manifest(manifest: str | Path) -> list[Problem]:
    """Check a corpus manifest against the files beside it.

    Every entry must give :data:`MANIFEST_FIELDS` (and should give :data:`MANIFEST_RECOMMENDED`: a
    warning); its ``text`` and ``annotation`` files must exist; the
    text's sha256, ``characters``, ``bytes_utf8`` and ``lines`` (when given) must be the file's; every ``.txt``
    of the directory must have an entry, and no id may be listed twice.

    Returns:
        The problems, naming the manifest, the entry's line and field, the bad value and the fix.
    """
    import yaml

    manifest = Path(manifest)
    name = str(manifest)
    try:
        root = yaml.compose(manifest.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return [Problem(name, None, None, f"cannot read the manifest: {exc}", "fix the YAML syntax")]
    entries = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return [Problem(name, 1, "documents", "the manifest has no 'documents' list", "list one entry per document")]
    lines: list[int | None] = [None] * len(entries)
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "documents" and isinstance(value, yaml.SequenceNode):
                lines = [item.start_mark.line + 1 for item in value.value] + lines[len(value.value) :]
    problems: list[Problem] = []
    seen: dict[str, int | None] = {}
    listed: set[str] = set()
    for entry, line in zip(entries, lines, strict=False):
        if not isinstance(entry, dict):
            problems.append(Problem(name, line, "documents", "an entry is not a mapping", "write KEY: VALUE fields"))
            continue
        missing = [f for f in (*MANIFEST_FIELDS, *MANIFEST_RECOMMENDED) if entry.get(f) in (None, "")]
        for field_name in missing:
            required = field_name in MANIFEST_FIELDS
            problems.append(
                Problem(
                    name,
                    line,
                    field_name,
                    f"manifest entry misses a {'required' if required else 'recommended'} field",
                    f"add {field_name}",
                    severity="error" if required else "warning",
                )
            )
        doc_id = str(entry.get("id"))
        if doc_id in seen:
            problems.append(
                Problem(
                    name, line, "id", f"document listed twice (first on line {seen[doc_id]})", "list it once", doc_id
                )
            )
        seen[doc_id] = line
        for key in ("text", "annotation"):
            if isinstance(entry.get(key), str) and not (manifest.parent / entry[key]).is_file():
                problems.append(
                    Problem(name, line, key, "the file named is not in the directory", "fix the name", entry[key])
                )
        text_name = entry.get("text")
        if not isinstance(text_name, str) or not (manifest.parent / text_name).is_file():
            continue
        listed.add(text_name)
        raw = (manifest.parent / text_name).read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if "sha256" not in missing and entry["sha256"] != digest:
            problems.append(
                Problem(
                    name,
                    line,
                    "sha256",
                    f"sha256 is not the one of {text_name} ({digest})",
                    "the text changed since the manifest was written: restore the text, or record its new hash",
                    entry["sha256"],
                )
            )
        text = raw.decode("utf-8", errors="replace")
        facts = {"characters": len(text), "bytes_utf8": len(raw), "lines": text.count("\n") + 1}
        for key, actual in facts.items():
            if key in entry and entry[key] is not None and entry[key] != actual:
                problems.append(
                    Problem(
                        name,
                        line,
                        key,
                        f"{key} is not the one of {text_name} ({actual})",
                        f"write {actual}",
                        entry[key],
                    )
                )
    for txt in sorted(manifest.parent.glob("*.txt")):
        if txt.name not in listed:
            problems.append(
                Problem(name, None, "documents", "a text of the directory has no manifest entry", "add it", txt.name)
            )
    return problems


def _validate_jsonl(
    file: Path, report: ValidationReport, finish: Callable[[ParsedDocument], list[Problem]]
) -> list[Problem]:
    content, problems = decode_file(file)
    if content is None:
        return problems
    if content.startswith("\ufeff"):
        problems.append(
            Problem(str(file), 1, None, "file starts with a byte-order mark (BOM)", "save it as UTF-8 without BOM")
        )
        content = content[1:]
    docs, line_problems = parse_jsonl(content, file=file)
    problems += line_problems
    report.document_count += len(docs) + sum(1 for p in line_problems if p.is_error)
    if not docs and not any(p.is_error for p in line_problems):
        problems.append(Problem(str(file), None, None, "no documents in this file", "write one JSON document per line"))
    seen: dict[str, int] = {}
    for doc in docs:
        doc_id = doc.document.id
        if doc_id in seen:
            doc.problems.append(
                Problem(
                    str(file),
                    doc.text_line,
                    "id",
                    f"duplicate document id (first on line {seen[doc_id]})",
                    "give every document its own id",
                    doc_id,
                )
            )
        else:
            seen[doc_id] = doc.text_line or 0
        doc.problems[:0] = check_text(doc.document.text, file=str(file), line=doc.text_line, field="text")
        problems += finish(doc)
    problems.sort(key=lambda p: p.line or 0)
    return problems
