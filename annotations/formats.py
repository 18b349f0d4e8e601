"""The one format registry: which format a path is in, how to read it, how to write it, what it holds.

Every place that turns a path into documents asks this module (``arabench
validate``, ``convert``, ``stats``, ``score``, ``run --corpus`` and ``file:``
predictions), so a path means the same thing everywhere. A format named
explicitly (``--from``, ``--format``, ``format=``) overrides the guess.

=============  ==============================================  =====================================
name           what                                            holds
=============  ==============================================  =====================================
``brat``       a directory of ``X.txt`` + ``X.ann``, or one    every span and relation; no document
               pair (the path of either file)                  metadata other than BRAT's own
``jsonl``      one JSON document per line (``.jsonl``, or a    everything
               ``.json`` holding one object per line)
``conll``      token TAB tag (``.conll``, ``.tsv``, ``.iob``,  the flat layer over whole words, in
               ``.bio``, ...; a ``.txt`` whose lines are       one of the schemes of
               token/tag lines); :mod:`arabench.annotations.conll`      :data:`arabench.annotations.conll.SCHEMES`;
                                                               no nested spans, relations, raw white
                                                               space or metadata
``labelstudio``  a Label Studio JSON export: a ``.json``       everything (metadata as task meta)
               whose top level is a list of tasks
``hf``         a directory written by ``save_to_disk``         everything
               (``dataset_dict.json`` or ``dataset_info.json``)
``xmi``        UIMA CAS XMI for INCEpTION: a directory of      every span, relation and the entity
               ``X.xmi`` and ``TypeSystem.xml``;               layer; ids renumbered, no metadata
               :mod:`arabench.annotations.cas`
=============  ==============================================  =====================================

**Guess rule** (:func:`infer_format`), for a path that exists: a directory is
``hf`` if it holds ``dataset_dict.json`` or ``dataset_info.json``, ``brat``
if it holds ``.txt``/``.ann`` files, ``xmi`` if it holds ``.xmi`` files; a ``.ann`` file is ``brat``; a ``.txt``
file is ``brat`` when its ``.ann`` lies beside it, ``conll`` when its first
lines are token/tag lines, and an error otherwise; a ``.json`` file is
``labelstudio`` when its top level is a list (or one object with ``data``,
a single task), ``jsonl`` when it holds one JSON object per line; the other
suffixes name their format. A destination that does not exist yet is told
by its suffix (``.txt`` is CoNLL, ``.json`` Label Studio); a new directory
needs the format named. Whatever cannot be told is an error naming the path,
what was seen and how to name the format.

**Reading.** :func:`read_documents` reads any format (BRAT and JSONL are
validated, without type checks); :func:`check_path` runs every gold check on
any format and returns a :class:`~annotations.validate.ValidationReport`;
:func:`parse_documents` parses predictions (no gold-only checks: a system may
emit duplicate or crossing spans). :func:`source_files` names the files a
reader consumes (the corpus hash covers exactly those).
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable, Mapping, Sequence, Sized
from dataclasses import dataclass, field, replace
from difflib import get_close_matches
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from arabench.annotations.errors import AnnotationError, BenchmarkError, ConversionError
from arabench.annotations.problems import ParsedDocument, Problem, problems_error
from arabench.annotations.spans import Document, first_duplicate_id

if TYPE_CHECKING:
    from arabench.annotations.schema import Schema
    from arabench.annotations.validate import ValidationReport

__all__ = [
    "Format",
    "FORMATS",
    "get_format",
    "infer_format",
    "read_documents",
    "write_documents",
    "check_path",
    "check_document_read",
    "parse_documents",
    "source_files",
    "format_table",
]


@dataclass(frozen=True)
class Format:
    """One annotation format of the registry.

    Attributes:
        name: The format's name (``--from`` / ``--to`` / ``--format`` / ``format=``).
        description: One line for ``--help``.
        holds: What the format can hold.
        cannot_hold: What it cannot hold (empty when it holds everything).
        reader: ``"module:function"`` reading a path (lazily imported).
        writer: ``"module:function"`` writing documents to a path.
        suffixes: File suffixes that select this format (empty for directories).
        directory: True if the format is a directory.
        raw_text: True if it stores the raw text (CoNLL rebuilds it from tokens).
        native_labels: True if its labels are schema types (checked as gold);
            otherwise they may be any view's, inferred from the tag set.
        read_options: Option names the reader accepts.
        write_options: Option names the writer accepts.
    """

    name: str
    description: str
    holds: str
    cannot_hold: str
    reader: str
    writer: str
    suffixes: tuple[str, ...] = ()
    directory: bool = False
    raw_text: bool = True
    native_labels: bool = False
    read_options: frozenset[str] = frozenset()
    write_options: frozenset[str] = frozenset()


#: The formats, by name.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "brat",
            "BRAT standoff: a directory of X.txt + X.ann pairs (or one .ann file)",
            "every span (nested included), relation and the entity layer (Equiv lines)",
            "document metadata other than BRAT's own",
            "arabench.annotations.formats:_read_validated",
            "arabench.annotations.formats:_write_brat",
            (".ann",),
            directory=True,
            native_labels=True,
        ),
        Format(
            "jsonl",
            "JSON Lines, one document per line (id, text, entities, relations, clusters, metadata)",
            "everything",
            "",
            "arabench.annotations.formats:_read_validated",
            "arabench.annotations.formats:_write_jsonl",
            (".jsonl",),
            native_labels=True,
        ),
        Format(
            "conll",
            "CoNLL token<TAB>tag, BIO2 over words, blank line between sentences (flat layer only)",
            "the flat layer over whole words, in one tagging scheme (annotations.conll.SCHEMES, --scheme)",
            "nested spans, relations, the entity layer (coreference), the raw text's white space, document metadata",
            "arabench.annotations.formats:_read_conll",
            "arabench.annotations.formats:_write_conll",
            (".conll", ".conll2003", ".txt", ".tsv", ".iob", ".iob2", ".bio", ".bioes"),
            raw_text=False,
            read_options=frozenset({"scheme", "text_from"}),
            write_options=frozenset({"sentence_split", "comments"}),
        ),
        Format(
            "labelstudio",
            "Label Studio JSON tasks/export (NER + Relations); code-point offsets; labeling_config.xml beside",
            "everything (metadata as task meta)",
            "",
            "arabench.annotations.formats:_read_labelstudio",
            "arabench.annotations.formats:_write_labelstudio",
            (".json",),
            read_options=frozenset({"annotation_index", "annotator", "predictions"}),
            write_options=frozenset({"predictions", "model_version", "view"}),
        ),
        Format(
            "hf",
            "Hugging Face datasets directory (save_to_disk): tokens, ner_tags, entities, relations, clusters",
            "everything",
            "",
            "arabench.annotations.formats:_read_hf",
            "arabench.annotations.formats:_write_hf",
            directory=True,
            read_options=frozenset({"split"}),
            write_options=frozenset({"split", "types"}),
        ),
        Format(
            "xmi",
            "UIMA CAS XMI (XML 1.0) for INCEpTION: a directory of X.xmi + TypeSystem.xml (dkpro-cassis, "
            "pip install 'arabench[inception]')",
            "every span (nested included), relation (custom layer webanno.custom.EntityRelation) and the entity "
            "layer (INCEpTION's coreference chains)",
            "document metadata other than the id (the file name); ids are renumbered in text order",
            "arabench.annotations.formats:_read_xmi",
            "arabench.annotations.formats:_write_xmi",
            (".xmi",),
            directory=True,
            native_labels=True,
        ),
    )
}

_HF_MARKERS = ("dataset_dict.json", "dataset_info.json")
_BRAT_SUFFIXES = (".txt", ".ann")
#: A CoNLL tag: ``O``, or a scheme prefix and a type (either order); compiled when first sniffed (``regex`` is slow
#: to import).
_TAG = r"O|[BIESLU][-_]\S+|\S+[-_][BIESLU]"
_SNIFF_LINES = 50


def get_format(name: str) -> Format:
    """Return the registered format ``name``.

    Raises:
        ConversionError: For an unknown name, with "did you mean" and the list.
    """
    try:
        return FORMATS[name]
    except KeyError:
        close = get_close_matches(name.lower(), list(FORMATS), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ConversionError(
            "unknown format", field="format", value=name, fix=f"{hint}use one of {', '.join(FORMATS)}"
        ) from None


def _name_it(option: str | None) -> str:
    names = ", ".join(FORMATS)
    if option is None:
        return f"convert it first with `arabench convert PATH OUT.jsonl --from FORMAT` (FORMAT one of {names})"
    return f"name the format with {option} (one of {names})"


def _is_hf_dir(path: Path) -> bool:
    return any((path / marker).is_file() for marker in _HF_MARKERS)


def _head(path: Path, n: int = _SNIFF_LINES) -> list[str]:
    """The first ``n`` lines of a text file (decoding errors replaced: this only sniffs)."""
    lines: list[str] = []
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        for line in handle:
            lines.append(line.rstrip("\r\n"))
            if len(lines) >= n:
                break
    return lines


def _looks_like_conll(lines: Sequence[str]) -> tuple[bool, str | None]:
    """True if every content line of ``lines`` is ``token [columns] tag``; else the first line that is not."""
    import regex

    tag = regex.compile(_TAG)  # regex caches compiled patterns
    tab = any("\t" in line for line in lines)
    seen = False
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.startswith("-DOCSTART-"):
            continue
        fields = line.split("\t") if tab else line.split()
        if len(fields) < 2 or not tag.fullmatch(fields[-1].strip()):
            return False, line
        seen = True
    return seen, None


def _sniff_json(path: Path, option: str | None) -> str:
    """``labelstudio`` for a list of tasks (or one task), ``jsonl`` for one object per line."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            if handle.read(4096).lstrip().startswith("["):
                return "labelstudio"  # a list of tasks: no need to parse a large export twice
        body = path.read_text(encoding="utf-8-sig").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConversionError(
            f"cannot read the file to tell its format ({exc})", file=path, field="format", fix="check the path"
        ) from exc
    if body.startswith("{"):
        try:
            whole = json.loads(body)
        except ValueError:
            whole = None
        if isinstance(whole, dict):
            if "data" in whole:
                return "labelstudio"
            if "text" in whole:
                return "jsonl"
        else:
            try:
                first = json.loads(body.split("\n", 1)[0])
            except ValueError:
                first = None
            if isinstance(first, dict):
                return "jsonl"
    seen = body[:40] + ("..." if len(body) > 40 else "") if body else "an empty file"
    raise ConversionError(
        "cannot tell the format of this .json file: it is neither a list of Label Studio tasks "
        "nor one JSON document per line",
        file=path,
        field="format",
        value=seen,
        fix=_name_it(option),
    )


def infer_format(path: str | os.PathLike[str], *, for_writing: bool = False, option: str | None = "--from") -> str:
    """Guess the format of ``path`` (the rule is in the module docstring).

    Args:
        path: The path to read (or, with ``for_writing``, to write).
        for_writing: Guess the format of a destination (it may not exist yet).
        option: How the caller's user names a format (``"--from"``,
            ``"--format"``, ``"format="``), for the error's fix; ``None`` when
            there is no such option.

    Raises:
        ConversionError: If the format cannot be told: the message names the
            path, what was seen and how to name the format.
    """
    path = Path(path)
    if not for_writing and path.exists():
        from arabench.annotations.files import check_input

        check_input(path, error=ConversionError)  # sniffing a FIFO would wait for a writer
    if path.is_dir():
        if _is_hf_dir(path):
            return "hf"
        if any(child.suffix in _BRAT_SUFFIXES and child.is_file() for child in path.iterdir()):
            return "brat"
        if any(child.suffix == ".xmi" and child.is_file() for child in path.iterdir()):
            return "xmi"
        children = sorted(child.name for child in path.iterdir())
        if for_writing and not children:
            raise ConversionError(
                "cannot tell the format of an empty directory",
                file=path,
                field="format",
                fix="pass --to brat or --to hf",
            )
        more = ", ..." if len(children) > 5 else ""
        seen = f"it holds {', '.join(children[:5])}{more}" if children else "it is empty"
        raise ConversionError(
            f"cannot tell the format of this directory: no .txt/.ann files (BRAT) and no dataset_dict.json "
            f"(datasets); {seen}",
            file=path,
            field="format",
            fix="give a BRAT directory, a directory written by save_to_disk, or the path of a file inside",
        )
    suffix = path.suffix.lower()
    if suffix == ".txt" and not for_writing and path.is_file():
        if path.with_suffix(".ann").is_file():
            return "brat"
        conll, first_other = _looks_like_conll(_head(path))
        if conll:
            return "conll"
        seen = f"line {first_other[:40]!r} is not 'token TAB tag'" if first_other is not None else "it is empty"
        raise ConversionError(
            f"cannot tell the format of this .txt file: there is no {path.with_suffix('.ann').name} beside it "
            f"(BRAT), and it does not read as CoNLL ({seen})",
            file=path,
            field="format",
            fix=f"add {path.with_suffix('.ann').name} (empty if the document has no entities), or {_name_it(option)}",
        )
    if suffix == ".json" and not for_writing and path.is_file():
        return _sniff_json(path, option)
    for fmt in FORMATS.values():
        if suffix in fmt.suffixes:
            return fmt.name
    if not suffix and for_writing:
        raise ConversionError(
            "cannot tell the format of a destination without a suffix",
            file=path,
            field="format",
            fix="pass --to brat or --to hf for a directory, or use a suffix (.jsonl, .conll, .json)",
        )
    raise ConversionError(
        "cannot tell the format from the file name",
        file=path,
        field="format",
        value=suffix or path.name,
        fix=_name_it(option),
    )


def _load(target: str) -> Callable[..., Any]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def check_options(fmt: Format, options: Mapping[str, object], allowed: frozenset[str], role: str) -> None:
    """Raise :class:`ConversionError` for an option (not ``None``) that ``fmt`` does not take when ``role``."""
    for key, value in options.items():
        if value is not None and key not in allowed:
            what = ", ".join(sorted(allowed)) or "no options"
            raise ConversionError(
                f"option does not apply when {role} {fmt.name}",
                field=key,
                value=value,
                fix=f"leave it out ({fmt.name} takes {what})",
            )


@dataclass
class _Read:
    documents: list[Document]
    notes: list[str] = field(default_factory=list)


def _resolve(path: str | os.PathLike[str], format: str | None, option: str | None) -> tuple[Path, Format]:
    path = Path(path)
    if not path.exists():
        raise AnnotationError("path does not exist", file=path, field="path", fix="check the path")
    from arabench.annotations.files import check_input

    check_input(path, error=AnnotationError)  # a FIFO or a device is refused, not read without end
    fmt = get_format(format or infer_format(path, option=option))
    if fmt.name == "brat" and path.is_file() and path.suffix.lower() not in _BRAT_SUFFIXES:
        raise ConversionError(
            "a BRAT corpus is a directory or a .txt/.ann pair", file=path, field="format", value=path.suffix
        )
    return path, fmt


def read_documents(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    option: str | None = "--from",
    notes: bool = True,
    **options: object,
) -> tuple[list[Document], list[str]]:
    """Read documents from any registered format.

    Args:
        path: The source path.
        format: The format name (guessed from ``path`` if left out).
        option: How the user names a format, for the guess's error (see :func:`infer_format`).
        notes: Gather the notes (``False`` spares CoNLL a second pass over the file, for its extra columns).
        **options: Reader options (``scheme``, ``text_from``,
            ``annotation_index``, ``predictions``, ``split``); an option the
            format does not take is an error, ``None`` means unset.

    Returns:
        The documents and notes on what reading did (repairs, warnings).
    """
    path, fmt = _resolve(path, format, option)
    check_options(fmt, options, fmt.read_options, "reading")
    given = {k: v for k, v in options.items() if v is not None}
    result: _Read = _load(fmt.reader)(path, **given, format=fmt.name, notes=notes)
    return result.documents, result.notes


def write_documents(
    documents: Sequence[Document], path: str | os.PathLike[str], *, format: str, **options: object
) -> list[str]:
    """Write documents in a registered format; returns what the format could not hold, in words."""
    fmt = get_format(format)
    check_options(fmt, options, fmt.write_options, "writing")
    return _load(fmt.writer)(documents, Path(path), **{k: v for k, v in options.items() if v is not None})


def _as_problems(exc: BenchmarkError) -> list[Problem]:
    found = getattr(exc, "problems", None)
    if found:
        return list(found)
    kwargs = {"value": exc.value} if exc.has_value else {}
    return [Problem(exc.file, exc.line, exc.field, exc.message, exc.fix, **kwargs)]  # type: ignore[arg-type]


def check_path(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    schema: Schema | None = None,
    check_types: bool = True,
    option: str | None = "--format",
    **options: object,
) -> ValidationReport:
    """Run every gold check on a corpus in any format; never raises for bad content.

    BRAT and JSONL are checked line by line by :func:`arabench.annotations.validate.validate`.
    The other formats are read by their reader (a reader error becomes a
    problem), then each document gets the document checks of
    :func:`arabench.annotations.validate.check_document` (and, for formats that store
    the raw text, :func:`arabench.annotations.validate.check_text`).

    Args:
        path: The corpus.
        format: Its format (guessed when ``None``).
        schema: The schema (default: the packaged one).
        check_types: Check entity and relation types against the schema.
        option: How the user names a format (for the guess's error).
        **options: Reader options of the format.

    Returns:
        A :class:`arabench.annotations.validate.ValidationReport`.

    Raises:
        ConversionError: If the format cannot be told, or an option does not apply.
    """
    from arabench.annotations.validate import ValidationReport, validate

    if not Path(path).exists():
        return ValidationReport(str(path), [Problem(str(path), None, None, "path does not exist", "check the path")])
    path, fmt = _resolve(path, format, option)
    if fmt.name in ("brat", "jsonl"):
        check_options(fmt, options, fmt.read_options, "reading")
        return validate(path, schema=schema, check_types=check_types, format=fmt.name)
    report = ValidationReport(str(path))
    reader_options: dict[str, Any] = options
    try:
        documents, notes = read_documents(path, format=fmt.name, **reader_options)
    except (AnnotationError, ConversionError) as exc:
        report.problems += _as_problems(exc)
        return report
    report.problems += [Problem(str(path), None, None, note, severity="warning") for note in notes]
    report.document_count = len(documents)
    for i, document in enumerate(documents):
        parsed = check_document_read(
            document,
            file=str(path),
            raw_text=fmt.raw_text,
            schema=schema,
            check_types=check_types,
            where=f"tasks[{i}]" if fmt.name == "labelstudio" else None,  # one document per task, in file order
        )
        report.problems += parsed.problems
        if parsed.ok:
            report.documents.append(document)
    return report


def check_document_read(
    document: Document,
    *,
    file: str,
    raw_text: bool = True,
    schema: Schema | None = None,
    check_types: bool | str = True,
    where: str | None = None,
) -> ParsedDocument:
    """Every gold check on one document a reader returned; the problems are in the result's ``problems``.

    Fields are named ``<where>.text`` and ``<where>/<annotation id>.<field>``.

    Args:
        document: The document.
        file: The file it was read from (named in the problems).
        raw_text: The format stores the raw text (BOM, CRLF, NFC, lone surrogates are checked).
        schema: The schema (default: the packaged one).
        check_types: ``True``: types must be schema types; ``False``: not
            checked; ``"views"``: an entity type must be a schema type or a
            label of one of the schema's views, a relation type a schema
            type (the argument types are not checked: a corpus in another
            view reads back with ``arabench validate --no-type-check``).
        where: Where the document is in its file (default: its id), e.g.
            ``tasks[3]`` for a Label Studio task.
    """
    from arabench.annotations.schema import default_schema
    from arabench.annotations.validate import check_document, check_text

    schema = schema or default_schema()
    at = document.id if where is None else where
    prefixes = {ident: (None, f"{at}/{ident}.") for ident in (*document.entities, *document.relations)}
    parsed = ParsedDocument(document, file, None, prefixes)  # type: ignore[arg-type]
    if raw_text:
        parsed.problems += check_text(document.text, file=file, field=f"{at}.text")
    if check_types != "views":
        parsed.problems += check_document(parsed, schema=schema, check_types=bool(check_types), span_rules=raw_text)
        return parsed
    parsed.problems += check_document(parsed, schema=schema, check_types=False, span_rules=raw_text)
    known = set(schema.entity_types).union(*(v.labels for v in schema.views.values()))
    for ident, span in document.entities.items():
        if span.label not in known:
            parsed.problems.append(
                Problem(
                    file,
                    None,
                    f"{at}/{ident}.type",
                    "unknown entity type: neither a schema type nor a label of any view",
                    f"use one of the schema's types ({', '.join(schema.entity_types)}) or a view's labels",
                    span.label,
                )
            )
    for ident, relation in document.relations.items():
        if relation.label not in schema.relation_types:
            parsed.problems.append(
                Problem(
                    file,
                    None,
                    f"{at}/{ident}.type",
                    "unknown relation type",
                    f"use one of {', '.join(schema.relation_types)}",
                    relation.label,
                )
            )
    return parsed


def _read_validated(path: Path, *, format: str, notes: bool = True) -> _Read:
    """BRAT and JSONL: every check but the type checks (a converted corpus may be in another view)."""
    report = check_path(path, format=format, check_types=False)
    if not report.ok:
        raise problems_error(report.problems, what=f"corpus {path}", file=None)
    return _Read(report.documents, [str(p) for p in report.warnings])


def _read_conll(
    path: Path,
    *,
    scheme: str = "BIO2",
    text_from: str | os.PathLike[str] | None = None,
    format: str = "conll",
    notes: bool = True,
) -> _Read:
    from arabench.annotations.conll import read_conll, read_conll_sentences

    said: list[str] = []
    if text_from is None:
        documents = read_conll(path, scheme=scheme)
        said.append("the text is rebuilt from the tokens (single spaces, one sentence per line)")
    else:
        originals, _ = read_documents(text_from)
        texts = {d.id: d.text for d in originals}
        ids = [d.id for d in read_conll(path, scheme=scheme)]
        if all(i in texts for i in ids):
            documents = read_conll(path, scheme=scheme, text={i: texts[i] for i in ids})
        elif len(ids) == len(originals):
            # No ids in common (e.g. a system's CoNLL without "# id =" lines): pair by order.
            # Safe: every token must still be found in its text, else the read fails.
            by_order = {i: d.text for i, d in zip(ids, originals, strict=True)}
            aligned = read_conll(path, scheme=scheme, text=by_order)
            documents = [
                Document(o.id, d.text, d.entities, d.relations, d.metadata)
                for d, o in zip(aligned, originals, strict=True)
            ]
            said.append(
                f"the CoNLL document ids ({', '.join(ids[:3])}{', ...' if len(ids) > 3 else ''}) are not "
                f"in {text_from}: documents were paired with its texts in order (every token checked)"
            )
        else:
            missing = [i for i in ids if i not in texts]
            raise AnnotationError(
                f"{len(missing)} CoNLL document(s) have no text in {text_from}, and the counts differ "
                f"({len(ids)} against {len(originals)}), so they cannot be paired in order",
                file=path,
                field="id",
                value=missing[:5],
                fix="add '# id = <document id>' after each -DOCSTART- line, matching the ids of the text corpus",
            )
    if not notes:
        return _Read(documents)
    extra = sum(1 for sentence in read_conll_sentences(path, scheme=scheme) for columns in sentence.extra if columns)
    if extra:
        said.append(
            f"{extra} tokens have columns between the token and the tag (e.g. POS); only tokens and tags "
            "are read, so those columns are not in the output"
        )
    repairs = sum(len(cast(Sized, d.metadata.get("conll_repairs", ()))) for d in documents)
    if repairs:
        said.insert(
            0,
            f"{repairs} tags were not well-formed {scheme} and were read with the conlleval rules "
            "(listed in each document's metadata 'conll_repairs')",
        )
    return _Read(documents, said)


def _read_labelstudio(
    path: Path,
    *,
    annotation_index: int | None = None,
    annotator: str | None = None,
    predictions: bool = False,
    **_: object,
) -> _Read:
    from arabench.annotations.labelstudio import read_labelstudio

    return _Read(
        read_labelstudio(path, annotation_index=annotation_index, annotator=annotator, predictions=predictions)
    )


def _read_xmi(path: Path, **_: object) -> _Read:
    from arabench.annotations.cas import read_xmi

    return _Read(read_xmi(path))


def _read_hf(path: Path, *, split: str | None = None, **_: object) -> _Read:
    from arabench.annotations.hf_datasets import read_hf

    return _Read(read_hf(path, split=split))


# --------------------------------------------------------------------------- predictions


def _complete_entities(content: str) -> str:
    """Fill what predictions may leave out, line by line (so line numbers stay).

    An entity without ``id`` gets ``P1``, ``P2``...; an entity without ``text``
    gets the slice its offsets cover (when they are valid; otherwise the
    reader reports the offsets).
    """
    from arabench.annotations.jsonl import reject_duplicate_keys

    lines = content.split("\n")
    for n, line in enumerate(lines):
        try:
            data = json.loads(line, object_pairs_hook=reject_duplicate_keys)
        except ValueError:
            continue  # parse_jsonl reports it (a duplicate key too: rewriting the line would hide it)
        entities = data.get("entities") if isinstance(data, dict) else None
        if not isinstance(entities, list):
            continue
        text = data.get("text")
        used = {e.get("id") for e in entities if isinstance(e, dict)}
        changed = False
        k = 0
        for entity in entities:
            if not isinstance(entity, dict):
                continue
            if "id" not in entity:
                k += 1
                while f"P{k}" in used:
                    k += 1
                entity["id"] = f"P{k}"
                changed = True
            start, end = entity.get("start"), entity.get("end")
            if (
                "text" not in entity
                and isinstance(text, str)
                and type(start) is int
                and type(end) is int
                and 0 <= start < end <= len(text)
            ):
                entity["text"] = text[start:end]
                changed = True
        if changed:
            lines[n] = json.dumps(data, ensure_ascii=False)
    return "\n".join(lines)


def parse_documents(
    path: str | os.PathLike[str], *, format: str | None = None, option: str | None = "format=", **options: object
) -> tuple[Format, list[ParsedDocument], list[Problem]]:
    """Parse predictions in any format, without the gold-only checks.

    BRAT and JSONL are parsed line by line (a JSONL entity may leave out its
    ``id``, given as ``P1``, ``P2``..., and its ``text``); the other formats
    are read by their reader. A Label Studio file whose tasks hold predictions
    and no annotation at all (``arabench predict``'s output) is read as its
    predictions. Nothing is checked against the schema, and
    spans may repeat or cross (the scorer counts them).

    Returns:
        The format, the parsed documents (with where each annotation came
        from, for BRAT and JSONL) and every problem found.

    Raises:
        ConversionError: If the format cannot be told, or an option does not apply.
        AnnotationError: If a CoNLL, Label Studio or datasets reader fails.
    """
    from arabench.annotations.brat import parse_ann
    from arabench.annotations.jsonl import parse_jsonl
    from arabench.annotations.validate import decode_file, discover

    path, fmt = _resolve(path, format, option)
    problems: list[Problem] = []
    parsed: list[ParsedDocument] = []
    if fmt.name == "jsonl":
        check_options(fmt, options, fmt.read_options, "reading")
        content, problems = decode_file(path)
        if content is not None:
            docs, line_problems = parse_jsonl(_complete_entities(content.removeprefix("\ufeff")), file=path)
            parsed += docs
            problems += line_problems
        return fmt, parsed, problems
    if fmt.name == "brat":
        check_options(fmt, options, fmt.read_options, "reading")
        pairs, _, problems = discover(path)
        for stem, txt, ann in pairs:
            if txt is None or ann is None:
                missing = f"{stem}.txt" if txt is None else f"{stem}.ann"
                problems.append(
                    Problem(
                        str(txt or ann),
                        None,
                        "file",
                        "prediction document is missing a file",
                        "give every prediction document both its .txt and its .ann",
                        missing,
                    )
                )
                continue
            text, p1 = decode_file(txt)
            content, p2 = decode_file(ann)
            problems += p1 + p2
            if text is not None and content is not None:
                doc = parse_ann(content, text, doc_id=stem, file=ann)
                doc.text_file = str(txt)
                parsed.append(doc)
        return fmt, parsed, problems
    if fmt.name == "labelstudio" and options.get("predictions") is None:
        from arabench.annotations.labelstudio import only_predictions

        # pre-annotations (``arabench predict --to labelstudio``): tasks with predictions and no annotation
        options = {**options, "predictions": True} if only_predictions(path) else options
    reader_options: dict[str, Any] = options
    documents, _ = read_documents(path, format=fmt.name, notes=False, **reader_options)
    return fmt, [ParsedDocument(d, str(path), None, {}) for d in documents], problems


def source_files(path: str | os.PathLike[str], *, format: str) -> tuple[Path, list[str]]:
    """The files the reader of ``format`` consumes at ``path``: a root and names relative to it, sorted.

    BRAT directory: its ``.txt``/``.ann`` files (sub-directories included);
    a BRAT pair: both files; a datasets directory: every file in it; any
    other format: the one file.
    """
    path = Path(path)
    if path.is_dir():
        wanted = _BRAT_SUFFIXES if format == "brat" else None
        names = [
            p.relative_to(path).as_posix()
            for p in path.rglob("*")
            if p.is_file() and (wanted is None or p.suffix in wanted)
        ]
        return path, sorted(names)
    if format == "brat":
        return path.parent, sorted([path.with_suffix(".ann").name, path.with_suffix(".txt").name])
    return path.parent, [path.name]


# --------------------------------------------------------------------------- writers


def _write_brat(documents: Sequence[Document], path: Path) -> list[str]:
    from arabench.annotations.brat import BRAT_METADATA_KEY, write_brat, write_brat_conf

    if path.suffix.lower() in _BRAT_SUFFIXES:
        if len(documents) != 1:
            raise ConversionError(
                f"a .ann destination holds one document, the source has {len(documents)}",
                file=path,
                fix="give a directory as the destination",
            )
        if path.stem != documents[0].id:
            documents = [_renamed(documents[0], path.stem)]
        path = path.parent
    dup = first_duplicate_id(d.id for d in documents)
    if dup is not None:
        raise ConversionError(
            "two documents have the same id (BRAT file names)", field="id", value=dup, fix="give documents distinct ids"
        )
    for document in documents:
        write_brat(document, path)
    write_brat_conf(path)  # BRAT's annotation.conf and visual.conf (RTL), so the collection opens as the schema says
    with_meta = sum(1 for d in documents if any(k != BRAT_METADATA_KEY for k in d.metadata))
    if with_meta:
        return [f"BRAT files hold no document metadata: the metadata of {with_meta} document(s) is not written"]
    return []


def _renamed(document: Document, new_id: str) -> Document:
    return replace(document, id=new_id)


def _write_jsonl(documents: Sequence[Document], path: Path) -> list[str]:
    from arabench.annotations.jsonl import write_jsonl

    write_jsonl(documents, path)
    return []


def _write_conll(
    documents: Sequence[Document], path: Path, *, sentence_split: bool = True, comments: bool = True
) -> list[str]:
    from arabench.annotations.conll import write_conll

    report = write_conll(documents, path, sentence_split=sentence_split, comments=comments)
    notes = report.losses()
    notes.append("CoNLL holds tokens, not the raw text: read it back with text_from (--text-from) to align")
    with_meta = sum(1 for d in documents if any(not str(k).startswith("conll_") for k in d.metadata))
    if with_meta:
        notes.append(f"CoNLL holds no document metadata: the metadata of {with_meta} document(s) is not written")
    return notes


def _write_labelstudio(
    documents: Sequence[Document],
    path: Path,
    *,
    predictions: bool = False,
    model_version: str | None = None,
    view: str | None = None,
) -> list[str]:
    """The tasks, and the labelling configuration (of the schema, or of ``view``) beside them."""
    from arabench.annotations.labelstudio import write_labelstudio

    write_labelstudio(documents, path, predictions=predictions, model_version=model_version, config=True, view=view)
    return []


def _write_xmi(documents: Sequence[Document], path: Path) -> list[str]:
    from arabench.annotations.cas import write_xmi

    write_xmi(documents, path)
    with_meta = sum(1 for d in documents if d.metadata)
    notes = ["UIMA CAS XMI keeps no ids: mentions and relations are renumbered in text order when read back"]
    if with_meta:
        notes.append(
            f"UIMA CAS XMI holds no document metadata here: the metadata of {with_meta} document(s) is not written"
        )
    return notes


def _write_hf(
    documents: Sequence[Document], path: Path, *, split: str = "test", types: Sequence[str] | None = None
) -> list[str]:
    from arabench.annotations.hf_datasets import write_hf

    write_hf(documents, path, split=split, types=types)
    return []


def format_table() -> str:
    """The formats as lines ``name  description``, then what each holds and cannot hold (for ``--help``)."""
    width = max(len(n) for n in FORMATS)
    lines = []
    for f in FORMATS.values():
        lines.append(f"  {f.name:<{width}}  {f.description}")
        lines.append(f"  {'':<{width}}    holds: {f.holds}")
        if f.cannot_hold:
            lines.append(f"  {'':<{width}}    not:   {f.cannot_hold}")
    return "\n".join(lines)
