"""A model's predictions written out: on any corpus arabench reads, or on raw text, in every format it reads.

:func:`predict` is what ``arabench predict`` does::

    from arabench.benchmark.predicting import predict
    report = predict("rules", out="pred/", format="brat")                  # the packaged gold
    report = predict("rules", "texts/", out="tasks.json", format="labelstudio")   # raw texts: pre-annotations

**Source.** Any corpus of the format registry (:mod:`arabench.annotations.formats`: BRAT,
JSONL, CoNLL, Label Studio, datasets; default the packaged gold), or raw text:
a ``.txt`` file with no ``.ann`` beside it that does not read as CoNLL, or a
directory of such ``.txt`` files (format ``text``; document ids are the file
names without ``.txt``; the text is read exactly, UTF-8, never normalized).

**Predictions** come through the run's predictions cache
(:func:`arabench.benchmark.runner.model_predictions`): a text ``arabench run``
predicted is not predicted again, and the other way round.

**View.** The labels are the model's own (its view), or, with ``view=``, the
labels of a registered view the model's view coarsens into (``conll4`` for
every model); spans whose label the view leaves out are dropped and counted
in the report, never silently.

**Formats.** ``brat`` (a directory), ``jsonl``, ``conll`` (on the source's
own tokens when the source is CoNLL, else on arabench's words; the flat layer:
spans that share a word with an earlier one are left out and counted),
``labelstudio`` (``predictions`` with ``model_version``, and
``labeling_config.xml`` beside, offering the labels of the view written) and
``hf`` (a ``datasets`` directory). Every output reads back as predictions
(``arabench score --pred``, ``file:`` in ``arabench run``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from arabench.annotations.errors import AnnotationError, BenchmarkError, ConversionError, ModelError
from arabench.annotations.schema import Schema, View, default_schema
from arabench.annotations.spans import Document, Span, outermost
from arabench.benchmark.predicted import prediction_documents

if TYPE_CHECKING:
    from arabench.benchmark.corpus_io import Corpus

__all__ = [
    "TEXT_FORMAT",
    "MAX_TEXT_BYTES",
    "PredictReport",
    "predict",
    "prediction_documents",
    "write_prediction_documents",
    "read_texts",
    "is_raw_text",
]

#: The source format name of raw text (a ``.txt`` file or a directory of them).
TEXT_FORMAT = "text"
#: Largest raw text file read (bytes).
MAX_TEXT_BYTES = 64 * 1024 * 1024
#: Largest number of raw text files read from one directory.
MAX_TEXT_FILES = 100_000


@dataclass
class PredictReport:
    """What :func:`predict` did.

    Attributes:
        model: The model name.
        source: The source path (``None``: the packaged gold).
        source_format: Its format (``text`` for raw text).
        out: The path written.
        format: The format written.
        model_view: The model's view.
        view: The view of the labels written.
        documents: Documents written.
        spans: Spans written.
        relations: Relations written.
        loaded: True if the model was loaded (False: every prediction came from the cache).
        dropped: Per model label, spans the view leaves out (not written).
        not_kept: What the format could not hold, in words.
        diagnostics: The model's diagnostics, summed over the texts.
    """

    model: str
    source: str | None
    source_format: str
    out: str
    format: str
    model_view: str
    view: str
    documents: int
    spans: int
    relations: int
    loaded: bool
    dropped: dict[str, int] = field(default_factory=dict)
    not_kept: list[str] = field(default_factory=list)
    diagnostics: dict[str, int | float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The report as printed by ``arabench predict``."""
        source = self.source or "the packaged gold"
        out = [
            f"{self.model} on {source} ({self.source_format}) -> {self.out} ({self.format})",
            f"labels: view {self.view}" + ("" if self.view == self.model_view else f" (from {self.model_view})"),
            f"written: {self.documents} document(s), {self.spans} spans, {self.relations} relations",
            "predictions: " + ("predicted by the model" if self.loaded else "all from the predictions cache"),
        ]
        if self.dropped:
            left = ", ".join(f"{k} {v}" for k, v in sorted(self.dropped.items()))
            out.append(f"not in view {self.view}: {left} span(s), not written")
        out += [f"not kept: {line}" for line in self.not_kept]
        if self.diagnostics:
            out.append("diagnostics: " + ", ".join(f"{k} {v:g}" for k, v in self.diagnostics.items()))
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


# --------------------------------------------------------------------------- raw text


def is_raw_text(path: Path) -> bool:
    """True for a ``.txt`` file without ``.ann`` that does not read as CoNLL, or a directory of ``.txt`` only."""
    from arabench.annotations.formats import infer_format

    if path.is_file():
        if path.suffix.lower() != ".txt" or path.with_suffix(".ann").exists():
            return False
        try:
            return infer_format(path) != "conll"
        except BenchmarkError:
            return True  # neither BRAT nor CoNLL: a plain text
    if path.is_dir():
        children = [c for c in path.iterdir() if c.is_file() and not c.name.startswith(".")]
        return any(c.suffix == ".txt" for c in children) and not any(c.suffix == ".ann" for c in children)
    return False


def read_texts(path: str | os.PathLike[str]) -> list[Document]:
    """Raw texts as documents without annotations: a ``.txt`` file, or every ``*.txt`` of a directory, by name.

    The text is the file's exact content (UTF-8); a byte-order mark is refused
    (it would shift every offset), as are files larger than :data:`MAX_TEXT_BYTES`.

    Raises:
        AnnotationError: For a missing path, a directory without ``.txt`` files, or a file that is not UTF-8.
    """
    root = Path(path)
    if root.exists():
        from arabench.annotations.files import check_input

        check_input(root, error=AnnotationError)  # a FIFO or a device is refused, not read without end
    if root.is_dir():
        files = sorted(p for p in root.iterdir() if p.suffix == ".txt" and p.is_file() and not p.name.startswith("."))
        if not files:
            raise AnnotationError("no .txt files in the directory", file=root, fix="give a directory of .txt files")
        if len(files) > MAX_TEXT_FILES:
            raise AnnotationError(
                f"more than {MAX_TEXT_FILES} .txt files", file=root, fix="split the texts over several directories"
            )
    elif root.is_file():
        files = [root]
    else:
        raise AnnotationError("path does not exist", file=root, fix="check the path")
    documents = []
    for file in files:
        size = file.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise AnnotationError(
                f"text file larger than {MAX_TEXT_BYTES // 2**20} MiB", file=file, fix="split it into several files"
            )
        data = file.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise AnnotationError(
                f"not UTF-8 at byte offset {exc.start}", file=file, fix="save the text as UTF-8"
            ) from None
        if text.startswith("\ufeff"):
            raise AnnotationError(
                "the text starts with a byte-order mark, which would shift every offset by one",
                file=file,
                fix="save the file as UTF-8 without BOM",
            )
        documents.append(Document(file.stem, text))
    return documents


def _text_corpus(path: Path, schema: Schema) -> Corpus:
    from arabench.benchmark.corpus_io import _make_corpus, corpus_sha256

    documents = read_texts(path)
    if path.is_dir():
        base, files = path, [f"{d.id}.txt" for d in documents]
    else:
        base, files = path.parent, [path.name]
    return _make_corpus(
        path.resolve(), TEXT_FORMAT, documents, schema.view("native"), corpus_sha256(base, files), files
    )


# --------------------------------------------------------------------------- documents


def _tokens_of_conll(path: Path, scheme: str) -> list[list[list[tuple[int, int]]]]:
    """Per document, per sentence, the token offsets in the text :func:`read_conll` rebuilds (no ``text_from``)."""
    from arabench.annotations.conll import read_conll_sentences

    by_doc: dict[int, list[list[tuple[int, int]]]] = {}
    positions: dict[int, int] = {}
    for sentence in read_conll_sentences(path, scheme=scheme):
        if not sentence.tokens:
            continue
        sentences = by_doc.setdefault(sentence.document, [])
        pos = positions.get(sentence.document, 0)
        if sentences:
            pos += 1  # the newline between sentences
        offsets = []
        for i, token in enumerate(sentence.tokens):
            if i:
                pos += 1
            offsets.append((pos, pos + len(token)))
            pos += len(token)
        positions[sentence.document] = pos
        sentences.append(offsets)
    return [by_doc[k] for k in sorted(by_doc)]


def _flat_on_tokens(spans: Sequence[Span], tokens: Sequence[tuple[int, int]]) -> tuple[list[Span], int]:
    """The outermost spans a CoNLL file can tag on ``tokens``: those sharing a token with an earlier one left out."""
    from bisect import bisect_left, bisect_right

    starts = [s for s, _ in tokens]
    ends = [e for _, e in tokens]
    kept: list[Span] = []
    reach = 0
    left_out = 0
    for span in outermost(spans):
        first, last = bisect_right(ends, span.start), bisect_left(starts, span.end)
        if first >= last or first < reach:
            left_out += 1
            continue
        kept.append(span)
        reach = last
    return kept, left_out


def _conll_text(
    documents: Sequence[Document], tokens: Sequence[Sequence[Sequence[tuple[int, int]]]]
) -> tuple[str, int]:
    """CoNLL lines over the given tokens (per document, per sentence); returns the text and the spans left out."""
    from arabench.annotations.conll import DOCSTART, spans_to_bio

    lines: list[str] = []
    left_out = 0
    for document, sentences in zip(documents, tokens, strict=True):
        flat_tokens = [t for sentence in sentences for t in sentence]
        kept, skipped = _flat_on_tokens(list(document.entities.values()), flat_tokens)
        left_out += skipped
        tags = iter(spans_to_bio(kept, flat_tokens))
        lines += [f"{DOCSTART}\tO", f"# id = {' '.join(document.id.split())}", ""]
        for sentence in sentences:
            lines += [f"{document.text[s:e]}\t{next(tags)}" for s, e in sentence]
            lines.append("")
    return "\n".join(lines) + ("\n" if lines else ""), left_out


def write_prediction_documents(
    documents: Sequence[Document],
    out: str | os.PathLike[str],
    *,
    format: str,
    view: View,
    schema: Schema | None = None,
    model_version: str | None = None,
    conll_tokens: Sequence[Sequence[Sequence[tuple[int, int]]]] | None = None,
) -> list[str]:
    """Write prediction documents in a registry format; returns what the format could not hold, in words.

    Args:
        documents: From :func:`prediction_documents`.
        out: The destination (a directory for ``brat`` and ``hf``).
        format: A format name of :data:`arabench.annotations.formats.FORMATS`.
        view: The view of the labels (the ``datasets`` tag set and the Label Studio configuration).
        schema: The schema (default: the packaged one).
        model_version: Label Studio ``model_version``.
        conll_tokens: ``conll``: the tokens to tag (per document, per sentence); default arabench's words.
    """
    from arabench.annotations.files import atomic_write_text
    from arabench.annotations.formats import get_format

    schema = schema or default_schema()
    fmt = get_format(format)
    out = Path(out)
    if fmt.name == "brat":
        from arabench.annotations.brat import write_brat

        out.mkdir(parents=True, exist_ok=True)
        for document in documents:
            write_brat(document, out)
        return []
    if fmt.name == "jsonl":
        from arabench.annotations.jsonl import write_jsonl

        write_jsonl(documents, out)
        return []
    if fmt.name == "labelstudio":
        from arabench.annotations.labelstudio import write_labelstudio

        write_labelstudio(
            documents,
            out,
            predictions=True,
            model_version=model_version,
            config=True,
            schema=schema,
            view=None if view.name == "native" else view.name,
        )
        return []
    if fmt.name == "hf":
        from arabench.annotations.hf_datasets import write_hf

        types = [t for t in schema.entity_types] if view.name == "native" else sorted(view.labels)
        write_hf(documents, out, types=types)
        return []
    if fmt.name == "conll":
        from arabench.annotations.tokenize import sentence_ranges, word_offsets

        if conll_tokens is None:
            conll_tokens = []
            for document in documents:
                words = word_offsets(document.text)
                sentences: list[list[tuple[int, int]]] = []
                for start, end in sentence_ranges(document.text) or [(0, len(document.text))]:
                    inside = [w for w in words if start <= w[0] < end]
                    if inside:
                        sentences.append(inside)
                conll_tokens.append(sentences)
        text, left_out = _conll_text(documents, conll_tokens)
        atomic_write_text(out, text)
        notes = []
        nested = sum(len(d.entities) for d in documents) - sum(len(outermost(d.entities.values())) for d in documents)
        if nested:
            notes.append(f"CoNLL keeps the flat layer: {nested} nested spans are not in this file")
        if left_out:
            notes.append(f"{left_out} spans share a token with an earlier span (or cover none) and are not tagged")
        relations = sum(len(d.relations) for d in documents)
        if relations:
            notes.append(f"CoNLL holds no relations: {relations} relations are not in this file")
        return notes
    raise ConversionError("format cannot be written", field="format", value=format)  # pragma: no cover


# --------------------------------------------------------------------------- predict


def _safe_destination(out: Path, fmt_name: str, overwrite: bool) -> None:
    if out.is_symlink():
        raise BenchmarkError(
            "the destination is a symbolic link, which is never followed on write",
            file=out,
            field="out",
            fix="give a plain path",
        )
    if not out.exists():
        return
    non_empty = any(out.iterdir()) if out.is_dir() else out.stat().st_size > 0
    if non_empty and not overwrite:
        raise BenchmarkError(
            "destination exists and is not empty",
            file=out,
            field="out",
            fix="choose another destination, or pass overwrite=True (--overwrite) to replace it",
        )
    if out.is_dir() != (fmt_name in ("brat", "hf")):
        kind = "a directory" if out.is_dir() else "a file"
        raise BenchmarkError(
            f"destination is {kind}, which {fmt_name} does not write",
            file=out,
            field="out",
            fix="give a directory for brat and hf, a file for jsonl, conll and labelstudio",
        )


def _clear(out: Path, fmt_name: str) -> None:
    """Empty a destination replaced with ``overwrite``.

    A file is removed; of a BRAT directory only its ``.txt``/``.ann`` files (a manifest or anything else in
    it stays); a saved dataset is removed, never another directory.
    """
    import shutil

    if not out.is_dir():
        out.unlink()
    elif fmt_name == "brat":
        for child in out.iterdir():
            if child.is_file() and child.suffix in (".txt", ".ann"):
                child.unlink()
    elif (out / "dataset_dict.json").is_file() or (out / "dataset_info.json").is_file():
        shutil.rmtree(out)
    else:
        raise BenchmarkError(
            "refusing to replace a directory that is not a saved dataset",
            file=out,
            field="out",
            fix="choose an empty or new directory",
        )


def predict(
    model: str,
    source: str | os.PathLike[str] | None = None,
    *,
    out: str | os.PathLike[str],
    format: str | None = None,
    source_format: str | None = None,
    view: str | None = None,
    corpus_view: str | None = None,
    scheme: str = "BIO2",
    cache: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    model_options: Mapping[str, object] | None = None,
    model_version: str | None = None,
    overwrite: bool = False,
    schema: Schema | None = None,
    progress: bool = False,
) -> PredictReport:
    """Run one registered model on a corpus or raw text and write its predictions.

    Args:
        model: A registry name (``rules``, ``crf``, ``hf:...``, a card, ``file:...``).
        source: A corpus in any registry format, a ``.txt`` file or a directory of them
            (default: the packaged gold).
        out: The destination.
        format: The format written (default: guessed from ``out``'s suffix; a directory is ``brat``).
        source_format: The source's format (``text`` for raw text; default guessed).
        view: Write labels in this registered view (default: the model's own).
        corpus_view: The view of a CoNLL / Label Studio / datasets source's tags (default inferred).
        scheme: A CoNLL source's tagging scheme.
        cache: Read the predictions cache (``False``: read nothing, overwrite the entries recomputed).
        cache_dir: The cache directory (default ``$ARABENCH_CACHE`` or ``~/.cache/arabench``).
        model_options: Options of the model (checked by its adapter).
        model_version: Label Studio ``model_version`` (default: the model name and its revision).
        overwrite: Replace a destination that exists and is not empty.
        schema: The schema (default: the packaged one).
        progress: Show a progress bar on stderr.

    Raises:
        BenchmarkError: For a bad source, destination, format or view, or a model that cannot run
            (nothing is written then).
    """
    from arabench.annotations.formats import FORMATS, get_format, infer_format
    from arabench.benchmark.corpus_io import load_corpus
    from arabench.benchmark.runner import model_predictions

    schema = schema or default_schema()
    out_path = Path(out)
    if format is None:
        format = "brat" if (out_path.is_dir() or not out_path.suffix) else infer_format(out_path, for_writing=True)
    fmt = get_format(format)
    if view is not None:
        schema.view(view)
    _safe_destination(out_path, fmt.name, overwrite)
    source_path = None if source is None else Path(source)
    if source_path is not None and out_path.exists():
        inside = source_path.resolve() == out_path.resolve() or out_path.resolve() in source_path.resolve().parents
        if inside:
            raise BenchmarkError(
                "the source is inside the destination, which predict replaces",
                file=source_path,
                field="out",
                value=str(out_path),
                fix="write the predictions to a new path",
            )
    if source_path is not None and source_format is None and is_raw_text(source_path):
        source_format = TEXT_FORMAT
    if source_format is not None and source_format != TEXT_FORMAT and source_format not in FORMATS:
        get_format(source_format)  # the registry's error, with "did you mean"
    if source_format == TEXT_FORMAT:
        assert source_path is not None
        corpus = _text_corpus(source_path, schema)
    else:
        corpus = load_corpus(source_path, view=corpus_view, schema=schema, format=source_format)
    options = dict(model_options or {})
    got = model_predictions(
        model,
        corpus,
        cache=cache,
        cache_dir=None if cache_dir is None else Path(cache_dir),
        options=options,
        schema=schema,
        progress=progress,
    )
    if got.status != "scored" or got.predictions is None or got.view is None:
        raise ModelError(
            f"model {model!r} could not predict: {got.reason}",
            field="model",
            value=model,
            fix="see `arabench models` for what it needs",
        )
    target = got.view if view is None else schema.view(view)
    mapping = None
    if target.name != got.view.name:
        mapping = got.view.coarsening_to(target)
        if mapping is None:
            fits = [n for n, v in schema.views.items() if got.view.coarsening_to(v) is not None]
            raise BenchmarkError(
                f"the model's view {got.view.name!r} does not coarsen into view {target.name!r}",
                field="view",
                value=target.name,
                fix=f"use one of {', '.join(fits)}, or leave --view out for the model's own labels",
            )
    documents, dropped = prediction_documents(corpus.documents, got.predictions, mapping=mapping)
    tokens = None
    if fmt.name == "conll" and corpus.format == "conll":
        tokens = _tokens_of_conll(corpus.path, scheme)
    provenance = got.provenance or {}
    revision = provenance.get("revision")
    version = model_version or (f"{model}@{revision}" if revision else model)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if out_path.exists() and overwrite:
        _clear(out_path, fmt.name)
    not_kept = write_prediction_documents(
        documents, out_path, format=fmt.name, view=target, schema=schema, model_version=version, conll_tokens=tokens
    )
    from arabench.benchmark.runner import _sum_diagnostics

    return PredictReport(
        model=model,
        source=None if source is None else str(source),
        source_format=corpus.format,
        out=str(out_path),
        format=fmt.name,
        model_view=got.view.name,
        view=target.name,
        documents=len(documents),
        spans=sum(len(d.entities) for d in documents),
        relations=sum(len(d.relations) for d in documents),
        loaded=got.loaded,
        dropped=dict(sorted(dropped.items())),
        not_kept=not_kept,
        diagnostics=_sum_diagnostics(got.predictions),
    )
