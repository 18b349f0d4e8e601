"""Convert annotations between formats, through one :class:`~annotations.spans.Document` model.

Formats (the registry is data, :data:`FORMATS`):

=============  ============================================  ===================================
name           what                                          holds
=============  ============================================  ===================================
``brat``       a directory of ``X.txt`` + ``X.ann``, or one  every span and relation; document
               ``.ann`` (``.txt``) file of a pair            metadata other than BRAT's own is
                                                             not written
``jsonl``      ``.jsonl``: one document per line             everything
``conll``      ``.conll``/``.txt``/``.tsv``/``.iob``/``.bio``  the flat layer as BIO2 over words;
               token TAB tag (:mod:`annotations.conll`)      no nested spans, no relations, no
                                                             raw white space, no metadata
``labelstudio``  ``.json``: a Label Studio task list         everything (metadata as task meta)
``hf``         a directory written by ``save_to_disk``       everything
               (``dataset_dict.json``)
=============  ============================================  ===================================

:func:`convert` reads the source, writes the destination and returns a
:class:`ConversionReport` with the counts read and written and, in words,
what the destination format cannot hold. Nothing is dropped silently, and an
existing non-empty destination is never overwritten unless asked.
"""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from annotations.errors import AnnotationError, ConversionError
from annotations.spans import Document

__all__ = [
    "Format",
    "FORMATS",
    "get_format",
    "infer_format",
    "read_documents",
    "write_documents",
    "ConversionReport",
    "convert",
    "format_table",
]


@dataclass(frozen=True)
class Format:
    """One annotation format of the registry.

    Attributes:
        name: The format's name (``--from`` / ``--to``).
        description: One line for ``arabench convert --help``.
        reader: ``"module:function"`` reading a path (lazily imported).
        writer: ``"module:function"`` writing documents to a path.
        suffixes: File suffixes that select this format (empty for directories).
        directory: True if the format is a directory.
        read_options: Option names the reader accepts.
        write_options: Option names the writer accepts.
    """

    name: str
    description: str
    reader: str
    writer: str
    suffixes: tuple[str, ...] = ()
    directory: bool = False
    read_options: frozenset[str] = frozenset()
    write_options: frozenset[str] = frozenset()


#: The formats ``arabench convert`` knows, by name.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "brat",
            "BRAT standoff: a directory of X.txt + X.ann pairs (or one .ann file)",
            "annotations.convert:_read_brat",
            "annotations.convert:_write_brat",
            (".ann",),
            directory=True,
        ),
        Format(
            "jsonl",
            "JSON Lines, one document per line (id, text, entities, relations, metadata)",
            "annotations.convert:_read_jsonl",
            "annotations.convert:_write_jsonl",
            (".jsonl",),
        ),
        Format(
            "conll",
            "CoNLL token<TAB>tag, BIO2 over words, blank line between sentences (flat layer only)",
            "annotations.convert:_read_conll",
            "annotations.convert:_write_conll",
            (".conll", ".txt", ".tsv", ".iob", ".bio"),
            read_options=frozenset({"scheme", "text_from"}),
            write_options=frozenset({"sentence_split", "comments"}),
        ),
        Format(
            "labelstudio",
            "Label Studio JSON export (NER + Relations templates); offsets in UTF-16 units",
            "annotations.convert:_read_labelstudio",
            "annotations.convert:_write_labelstudio",
            (".json",),
            read_options=frozenset({"annotation_index", "predictions"}),
            write_options=frozenset({"predictions"}),
        ),
        Format(
            "hf",
            "Hugging Face datasets directory (save_to_disk): tokens, ner_tags, entities, relations",
            "annotations.convert:_read_hf",
            "annotations.convert:_write_hf",
            directory=True,
            read_options=frozenset({"split"}),
            write_options=frozenset({"split", "types"}),
        ),
    )
}


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


def infer_format(path: str | os.PathLike[str], *, for_writing: bool = False) -> str:
    """Guess the format of ``path`` from what is there, else from its suffix.

    Existing directories: ``hf`` if they hold ``dataset_dict.json`` (or
    ``dataset_info.json``), ``brat`` if they hold ``.ann`` files. Files: by
    suffix; a ``.txt`` with a sibling ``.ann`` is ``brat`` when reading, any
    other ``.txt`` is CoNLL.

    Raises:
        ConversionError: If the format cannot be told (pass it explicitly).
    """
    path = Path(path)
    names = ", ".join(FORMATS)
    if path.is_dir():
        if (path / "dataset_dict.json").is_file() or (path / "dataset_info.json").is_file():
            return "hf"
        if any(path.glob("*.ann")):
            return "brat"
        if for_writing and not any(path.iterdir()):
            raise ConversionError(
                "cannot tell the format of an empty directory",
                file=path,
                field="format",
                fix="pass --to brat or --to hf",
            )
        raise ConversionError(
            "cannot tell the format of this directory (no .ann files, no dataset_dict.json)",
            file=path,
            field="format",
            fix=f"pass the format explicitly (one of {names})",
        )
    suffix = path.suffix.lower()
    if suffix == ".txt" and not for_writing and path.with_suffix(".ann").is_file():
        return "brat"
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
        fix=f"pass the format explicitly (one of {names})",
    )


def _load(target: str) -> Callable[..., Any]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _check_options(fmt: Format, options: Mapping[str, object], allowed: frozenset[str], role: str) -> None:
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


def read_documents(
    path: str | os.PathLike[str], *, format: str | None = None, **options: object
) -> tuple[list[Document], list[str]]:
    """Read documents from any registered format.

    Args:
        path: The source path.
        format: The format name (inferred from ``path`` if left out).
        **options: Reader options (``scheme``, ``text_from``,
            ``annotation_index``, ``predictions``, ``split``); an option the
            format does not take is an error, ``None`` means unset.

    Returns:
        The documents and notes on what reading did (repairs, warnings).
    """
    fmt = get_format(format or infer_format(path))
    _check_options(fmt, options, fmt.read_options, "reading")
    result: _Read = _load(fmt.reader)(Path(path), **{k: v for k, v in options.items() if v is not None})
    return result.documents, result.notes


def write_documents(
    documents: Sequence[Document], path: str | os.PathLike[str], *, format: str, **options: object
) -> list[str]:
    """Write documents in a registered format; returns what the format could not hold, in words."""
    fmt = get_format(format)
    _check_options(fmt, options, fmt.write_options, "writing")
    return _load(fmt.writer)(documents, Path(path), **{k: v for k, v in options.items() if v is not None})


# --------------------------------------------------------------------------- readers


def _validated(path: Path) -> _Read:
    from annotations.problems import problems_error
    from annotations.validate import validate

    report = validate(path, check_types=False)
    if not report.ok:
        raise problems_error(report.problems, what=f"corpus {path}", file=None)
    return _Read(report.documents, [str(p) for p in report.warnings])


def _read_brat(path: Path) -> _Read:
    return _validated(path)


def _read_jsonl(path: Path) -> _Read:
    return _validated(path)


def _read_conll(path: Path, *, scheme: str = "BIO2", text_from: str | os.PathLike[str] | None = None) -> _Read:
    from annotations.conll import read_conll

    notes = []
    if text_from is None:
        documents = read_conll(path, scheme=scheme)
        notes.append("the text is rebuilt from the tokens (single spaces, one sentence per line)")
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
            notes.append(
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
    from annotations.conll import read_conll_sentences

    extra = sum(1 for sentence in read_conll_sentences(path, scheme=scheme) for columns in sentence.extra if columns)
    if extra:
        notes.append(
            f"{extra} tokens have columns between the token and the tag (e.g. POS); only tokens and tags "
            "are read, so those columns are not in the output"
        )
    repairs = sum(len(d.metadata.get("conll_repairs", ())) for d in documents)
    if repairs:
        notes.insert(
            0,
            f"{repairs} tags were not well-formed {scheme} and were read with the conlleval rules "
            "(listed in each document's metadata 'conll_repairs')",
        )
    return _Read(documents, notes)


def _read_labelstudio(path: Path, *, annotation_index: int | None = None, predictions: bool = False) -> _Read:
    from annotations.labelstudio import read_labelstudio

    return _Read(read_labelstudio(path, annotation_index=annotation_index, predictions=predictions))


def _read_hf(path: Path, *, split: str | None = None) -> _Read:
    from annotations.hf_datasets import read_hf

    return _Read(read_hf(path, split=split))


# --------------------------------------------------------------------------- writers


def _write_brat(documents: Sequence[Document], path: Path) -> list[str]:
    from annotations.brat import BRAT_METADATA_KEY, write_brat

    if path.suffix.lower() in (".ann", ".txt"):
        if len(documents) != 1:
            raise ConversionError(
                f"a .ann destination holds one document, the source has {len(documents)}",
                file=path,
                fix="give a directory as the destination",
            )
        if path.stem != documents[0].id:
            documents = [_renamed(documents[0], path.stem)]
        path = path.parent
    ids = [d.id for d in documents]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise ConversionError(
            "two documents have the same id (BRAT file names)", field="id", value=dup, fix="give documents distinct ids"
        )
    for document in documents:
        write_brat(document, path)
    with_meta = sum(1 for d in documents if any(k != BRAT_METADATA_KEY for k in d.metadata))
    if with_meta:
        return [f"BRAT files hold no document metadata: the metadata of {with_meta} document(s) is not written"]
    return []


def _renamed(document: Document, new_id: str) -> Document:
    return Document(new_id, document.text, document.entities, document.relations, document.metadata)


def _write_jsonl(documents: Sequence[Document], path: Path) -> list[str]:
    from annotations.jsonl import write_jsonl

    write_jsonl(documents, path)
    return []


def _write_conll(
    documents: Sequence[Document], path: Path, *, sentence_split: bool = True, comments: bool = True
) -> list[str]:
    from annotations.conll import write_conll

    report = write_conll(documents, path, sentence_split=sentence_split, comments=comments)
    notes = report.losses()
    notes.append("CoNLL holds tokens, not the raw text: read it back with text_from (--text-from) to align")
    with_meta = sum(1 for d in documents if any(not str(k).startswith("conll_") for k in d.metadata))
    if with_meta:
        notes.append(f"CoNLL holds no document metadata: the metadata of {with_meta} document(s) is not written")
    return notes


def _write_labelstudio(documents: Sequence[Document], path: Path, *, predictions: bool = False) -> list[str]:
    from annotations.labelstudio import write_labelstudio

    write_labelstudio(documents, path, predictions=predictions)
    return []


def _write_hf(
    documents: Sequence[Document], path: Path, *, split: str = "test", types: Sequence[str] | None = None
) -> list[str]:
    from annotations.hf_datasets import write_hf

    write_hf(documents, path, split=split, types=types)
    return []


# --------------------------------------------------------------------------- convert


@dataclass
class ConversionReport:
    """What :func:`convert` read, wrote and could not keep.

    Attributes:
        src: The source path.
        dst: The destination path.
        src_format: The source format name.
        dst_format: The destination format name.
        documents: Documents converted.
        spans_read: Entity spans read (nested included).
        relations_read: Relations read.
        spans_written: Spans in the destination (the flat layer for CoNLL).
        relations_written: Relations in the destination.
        not_kept: What the destination format cannot hold, in words (empty when lossless).
        notes: What reading did (repairs, rebuilt text, validator warnings).
    """

    src: str
    dst: str
    src_format: str
    dst_format: str
    documents: int
    spans_read: int
    relations_read: int
    spans_written: int
    relations_written: int
    not_kept: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def lossless(self) -> bool:
        """True if every span and relation read was written."""
        return not self.not_kept and (self.spans_written, self.relations_written) == (
            self.spans_read,
            self.relations_read,
        )

    def lines(self) -> list[str]:
        """The report as printed by ``arabench convert``."""
        out = [
            f"{self.src} ({self.src_format}) -> {self.dst} ({self.dst_format})",
            f"read:    {self.documents} document(s), {self.spans_read} spans, {self.relations_read} relations",
            f"written: {self.documents} document(s), {self.spans_written} spans, {self.relations_written} relations",
        ]
        out += [f"not kept: {line}" for line in self.not_kept]
        out += [f"note: {line}" for line in self.notes]
        if self.lossless:
            out.append("lossless: every span and relation was written")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _check_destination(dst: Path, src: Path, overwrite: bool, dst_format: Format) -> None:
    if dst.resolve() == src.resolve():
        raise ConversionError("source and destination are the same path", file=dst, fix="write to another path")
    if dst_format.name == "brat" and dst.suffix.lower() in (".ann", ".txt"):
        for pair in (dst.with_suffix(".txt"), dst.with_suffix(".ann")):
            if pair.is_file() and pair.stat().st_size > 0 and not overwrite:
                raise ConversionError(
                    "destination exists and is not empty",
                    file=pair,
                    fix="choose another destination, or pass overwrite=True (--overwrite) to replace it",
                )
        return
    if not dst.exists():
        return
    non_empty = any(dst.iterdir()) if dst.is_dir() else dst.stat().st_size > 0
    if not non_empty:
        return
    if not overwrite:
        raise ConversionError(
            "destination exists and is not empty",
            file=dst,
            fix="choose another destination, or pass overwrite=True (--overwrite) to replace it",
        )
    if dst.is_dir():
        if dst_format.name == "hf":
            if not ((dst / "dataset_dict.json").is_file() or (dst / "dataset_info.json").is_file()):
                raise ConversionError(
                    "refusing to replace a directory that is not a saved dataset",
                    file=dst,
                    fix="choose an empty or new directory",
                )
            shutil.rmtree(dst)
        elif dst_format.name == "brat":
            for old in [*dst.glob("*.ann"), *dst.glob("*.txt")]:
                old.unlink()
        else:
            raise ConversionError(
                f"destination is a directory but {dst_format.name} writes a file",
                file=dst,
                fix="give a file path",
            )


def convert(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    src_format: str | None = None,
    dst_format: str | None = None,
    overwrite: bool = False,
    scheme: str | None = None,
    text_from: str | os.PathLike[str] | None = None,
    annotation_index: int | None = None,
    predictions: bool | None = None,
    split: str | None = None,
    types: Sequence[str] | None = None,
    sentence_split: bool | None = None,
    comments: bool | None = None,
) -> ConversionReport:
    """Convert an annotation corpus from one format to another.

    Args:
        src: The source path.
        dst: The destination path.
        src_format: The source format (inferred from ``src`` if left out).
        dst_format: The destination format (inferred from ``dst`` if left out).
        overwrite: Replace a non-empty destination (for BRAT its ``.txt``/``.ann``
            files, for ``hf`` the saved dataset).
        scheme: CoNLL source: the tagging scheme (default ``BIO2``).
        text_from: CoNLL source: a corpus (any format) whose texts, by
            document id, the tokens are aligned to.
        annotation_index: Label Studio source: which annotation of each task.
        predictions: Label Studio: read / write ``predictions`` instead of ``annotations``.
        split: ``hf``: the split to read, or the name of the split written (default ``test``).
        types: ``hf`` destination: the entity types of the ``ner_tags`` labels
            (default: the schema's).
        sentence_split: CoNLL destination: split sentences (default True).
        comments: CoNLL destination: write ``# id = ...`` comment lines (default True).

    Returns:
        The report: counts read and written, what the destination cannot hold.

    Raises:
        ConversionError: For an unknown format, an option the formats do not
            take, or an existing non-empty destination without ``overwrite``.
        AnnotationError: If the source does not read cleanly.
    """
    src_path, dst_path = Path(src), Path(dst)
    source = get_format(src_format or infer_format(src_path))
    target = get_format(dst_format or infer_format(dst_path, for_writing=True))
    read_opts = {"scheme": scheme, "text_from": text_from, "annotation_index": annotation_index}
    write_opts: dict[str, object] = {"types": types, "sentence_split": sentence_split, "comments": comments}
    # options that apply to reading or writing, whichever side has the format
    for key, value, name in (("predictions", predictions, "labelstudio"), ("split", split, "hf")):
        if value is None:
            continue
        if target.name == name:
            write_opts[key] = value
        if source.name == name or target.name != name:
            read_opts[key] = value
    _check_options(source, read_opts, source.read_options, "reading")
    _check_options(target, write_opts, target.write_options, "writing")
    _check_destination(dst_path, src_path, overwrite, target)
    documents, notes = read_documents(src_path, format=source.name, **read_opts)
    not_kept = write_documents(documents, dst_path, format=target.name, **write_opts)
    spans = sum(len(d.entities) for d in documents)
    relations = sum(len(d.relations) for d in documents)
    if target.name == "conll":
        written_spans, written_relations = sum(len(d.flat_spans) for d in documents), 0
    else:
        written_spans, written_relations = spans, relations
    return ConversionReport(
        src=str(src_path),
        dst=str(dst_path),
        src_format=source.name,
        dst_format=target.name,
        documents=len(documents),
        spans_read=spans,
        relations_read=relations,
        spans_written=written_spans,
        relations_written=written_relations,
        not_kept=not_kept,
        notes=notes,
    )


def format_table() -> str:
    """The formats as lines ``name  description`` (for ``--help``)."""
    width = max(len(n) for n in FORMATS)
    return "\n".join(f"  {f.name:<{width}}  {f.description}" for f in FORMATS.values())
