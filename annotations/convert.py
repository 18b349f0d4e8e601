"""Convert annotations between formats, through one :class:`~annotations.spans.Document` model.

The formats, how a path's format is guessed, and what each format can and
cannot hold are the registry of :mod:`arabench.annotations.formats` (``brat``,
``jsonl``, ``conll``, ``labelstudio``, ``hf``).

:func:`convert` reads the source, writes the destination and returns a
:class:`ConversionReport` with the counts read and written and, in words,
what the destination format cannot hold. Nothing is dropped silently, and an
existing non-empty destination is never overwritten unless asked.

Nothing is lost on a failure: the source is read and checked like the gold
(white space at span edges, crossing or duplicate spans, unknown types, BOM,
CRLF, lone surrogates: :func:`arabench.annotations.formats.check_document_read`)
before the destination is touched; the destination is written into a
temporary sibling and swapped into place only after the write succeeded; a
source or ``text_from`` corpus inside the destination is refused.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from arabench.annotations.errors import ConversionError
from arabench.annotations.formats import (
    Format,
    check_options,
    get_format,
    infer_format,
    read_documents,
    write_documents,
)
from arabench.annotations.problems import problems_error
from arabench.annotations.spans import Document

__all__ = ["ConversionReport", "convert"]


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


def _inside(path: Path, parent: Path) -> bool:
    """True if ``path`` is ``parent`` or lies under it (symbolic links resolved)."""
    child, root = path.resolve(), parent.resolve()
    return child == root or root in child.parents


def _destinations(dst: Path, dst_format: Format) -> list[Path]:
    """The paths a conversion replaces: a BRAT pair's two files, else ``dst`` itself."""
    if dst_format.name == "brat" and dst.suffix.lower() in (".ann", ".txt"):
        return [dst.with_suffix(".txt"), dst.with_suffix(".ann")]
    return [dst]


def _check_sources(dst: Path, dst_format: Format, sources: Sequence[tuple[str, str, Path | None]]) -> None:
    """Refuse a source (or ``--text-from`` corpus) that the destination would replace."""
    for field_name, option, source in sources:
        if source is None:
            continue
        for target in _destinations(dst, dst_format):
            if target.exists() and _inside(source, target):
                raise ConversionError(
                    f"the {option} is inside the destination, which the conversion replaces",
                    file=source,
                    field=field_name,
                    value=str(target),
                    fix="write to a destination outside the source (convert to a new path, then move it)",
                )


def _check_destination(dst: Path, src: Path, overwrite: bool, dst_format: Format) -> None:
    if dst.resolve() == src.resolve():
        raise ConversionError("source and destination are the same path", file=dst, fix="write to another path")
    for target in _destinations(dst, dst_format):
        if not target.exists():
            continue
        non_empty = any(target.iterdir()) if target.is_dir() else target.stat().st_size > 0
        if non_empty and not overwrite:
            raise ConversionError(
                "destination exists and is not empty",
                file=target,
                fix="choose another destination, or pass overwrite=True (--overwrite) to replace it",
            )
        if not target.is_dir():
            if target.suffix.lower() in (".ann", ".txt") or not dst_format.directory:
                continue
            raise ConversionError(
                f"destination is a file but {dst_format.name} writes a directory", file=target, fix="give a directory"
            )
        if not non_empty:
            continue
        if dst_format.name == "hf" and not _is_saved_dataset(target):
            raise ConversionError(
                "refusing to replace a directory that is not a saved dataset",
                file=target,
                fix="choose an empty or new directory",
            )
        if not dst_format.directory:
            raise ConversionError(
                f"destination is a directory but {dst_format.name} writes a file",
                file=target,
                fix="give a file path",
            )


def _is_saved_dataset(path: Path) -> bool:
    return (path / "dataset_dict.json").is_file() or (path / "dataset_info.json").is_file()


def _write_staged(dst: Path, dst_format: Format, write: Callable[[Path], list[str]]) -> list[str]:
    """Write into a temporary sibling of ``dst``, then swap it into place: a failed write leaves ``dst`` as it was.

    A BRAT directory keeps its files other than the top-level ``.txt``/``.ann``
    (a ``manifest.yaml``, sub-directories); a saved dataset and a file are
    replaced whole.
    """
    try:
        return _swap_in(dst, dst_format, write)
    except OSError as exc:
        raise ConversionError(
            f"cannot write the destination ({exc.strerror or exc}); it was left as it was",
            file=dst,
            fix="free disk space or fix the permissions of its directory, then convert again",
        ) from None


def _swap_in(dst: Path, dst_format: Format, write: Callable[[Path], list[str]]) -> list[str]:
    parent = dst.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dst.name}.", suffix=".converting", dir=parent))
    try:
        staged = staging / dst.name
        not_kept = write(staged)
        targets = _destinations(dst, dst_format)
        if len(targets) == 2:  # a BRAT pair: two files
            for target in targets:
                os.replace(staging / target.name, target)
            return not_kept
        if dst_format.name == "brat" and dst.is_dir():
            staged.mkdir(exist_ok=True)
            for old in dst.iterdir():
                if old.is_file() and old.suffix in (".txt", ".ann"):
                    continue
                if not (staged / old.name).exists():
                    (shutil.copytree if old.is_dir() else shutil.copy2)(old, staged / old.name)
        if dst.is_dir() and not dst.is_symlink():
            old = staging / ".replaced"
            os.replace(dst, old)
            try:
                os.replace(staged, dst)
            except OSError:
                os.replace(old, dst)
                raise
        else:
            os.replace(staged, dst)
        if dst_format.name == "labelstudio":  # the labelling configuration written beside the tasks
            from arabench.annotations.labelstudio import CONFIG_NAME

            if (staging / CONFIG_NAME).is_file():
                os.replace(staging / CONFIG_NAME, dst.parent / CONFIG_NAME)
        return not_kept
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _validate_read(documents: Sequence[Document], source: Format, src: Path) -> None:
    """Refuse to convert documents that ``arabench validate --no-type-check`` would reject once written."""
    from arabench.annotations.formats import check_document_read

    problems = []
    for i, document in enumerate(documents):
        where = f"tasks[{i}]" if source.name == "labelstudio" else None  # one document per task, in file order
        problems += check_document_read(
            document, file=str(src), raw_text=source.raw_text, check_types="views", where=where
        ).problems
    if any(p.is_error for p in problems):
        raise problems_error(problems, what=f"source {src}", file=None)


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
    annotator: str | None = None,
    predictions: bool | None = None,
    model_version: str | None = None,
    config_view: str | None = None,
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
        annotation_index: Label Studio source: which annotation of each task, by position.
        annotator: Label Studio source: read the annotation of this annotator
            (``completed_by``: user id or e-mail address).
        predictions: Label Studio: read / write ``predictions`` instead of ``annotations``.
        model_version: Label Studio destination: the ``model_version`` of the predictions.
        config_view: Label Studio destination: the view of the labelling configuration
            written beside the tasks (``labeling_config.xml``; default: the schema's types).
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
    read_opts = {
        "scheme": scheme,
        "text_from": text_from,
        "annotation_index": annotation_index,
        "annotator": annotator,
    }
    write_opts: dict[str, object] = {
        "types": types,
        "sentence_split": sentence_split,
        "comments": comments,
        "model_version": model_version,
        "view": config_view,
    }
    # options that apply to reading or writing, whichever side has the format
    for key, value, name in (("predictions", predictions, "labelstudio"), ("split", split, "hf")):
        if value is None:
            continue
        if target.name == name:
            write_opts[key] = value
        if source.name == name or target.name != name:
            read_opts[key] = value
    check_options(source, read_opts, source.read_options, "reading")
    check_options(target, write_opts, target.write_options, "writing")
    _check_destination(dst_path, src_path, overwrite, target)
    text_path = None if text_from is None else Path(text_from)
    _check_sources(dst_path, target, [("src", "source", src_path), ("text_from", "--text-from corpus", text_path)])
    documents, notes = read_documents(src_path, format=source.name, **read_opts)
    _validate_read(documents, source, src_path)
    not_kept = _write_staged(
        dst_path, target, lambda path: write_documents(documents, path, format=target.name, **write_opts)
    )
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
