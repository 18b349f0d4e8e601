"""Loading a gold corpus for a run: its documents, its label view, its hash and its scoring units.

The path's format is the registry's guess (:mod:`arabench.annotations.formats`, the
same guess as every command's), or ``format=``.

* BRAT and JSONL (a directory or ``.txt``/``.ann`` pair, a ``.jsonl``) are read
  with :func:`arabench.annotations.corpus.read_corpus`; their labels are schema types
  (view ``native``).
* The other formats (CoNLL, Label Studio, a ``datasets`` directory) are read
  by their registry reader; the view is inferred from the tag set: schema
  types only → ``native``; ``PER`` among the tags → ``conll4``; otherwise
  (ANERcorp's ``PERS``/``LOC``/``ORG``/``MISC``) → ``anercorp``. ``view=``
  overrides the inference. Label Studio and datasets gold also gets the
  document checks of :func:`arabench.annotations.formats.check_path` (types aside).

**Corpus hash.** The sha256 of the bytes of the files the reader consumes
(:func:`arabench.annotations.formats.source_files`: ``*.txt`` and ``*.ann`` of a BRAT
directory, both files of a pair, every file of a datasets directory, or the
one file), concatenated in sorted order of their relative paths. Other files
(a manifest, a README) do not change it.

**Words and scoring units.** A corpus that comes with its own tokens and
sentences (a CoNLL file, a token-table dataset of ``tokens``/``ner_tags``) is
scored on *them* (``units="file"``, the default for such a corpus): the word
boundary snaps spans to the file's tokens, the token view tags the file's
tokens, and the scoring units (what the bootstrap resamples, and the tag
sequences of the token view) are the file's sentences
(:class:`arabench.annotations.conll.TokenLayout`), whatever the number of
documents. So ``run``, ``score`` and seqeval give the same micro F1 on the same
predictions. ``units="split"`` asks for arabench's own rules instead (the words of
:func:`arabench.annotations.tokenize.word_offsets`, which split punctuation off
a token, and the sentence rule below): an explicit choice, never the default
for a corpus that has sentences.

A corpus without its own sentences (BRAT, JSONL, Label Studio, an arabench
``datasets`` export) is split by the sentence rule: after a word ``.``, ``!``,
``?`` or ``؟`` followed by white space, and at every line break (the rule of
the CoNLL exporter, :mod:`arabench.annotations.conll`, and of
:mod:`arabench.annotations.stats`). When such a corpus has more than
:data:`MAX_DOCUMENTS_FOR_SENTENCE_UNITS` documents, the unit is the document
instead (documents are then numerous enough, and sentences of one document are
not independent).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from arabench.annotations.conll import TokenLayout, rebuilt_layout
from arabench.annotations.errors import AnnotationError, SchemaError
from arabench.annotations.hf_datasets import HUB_PREFIX
from arabench.annotations.schema import Schema, View, default_schema
from arabench.annotations.spans import Document
from arabench.annotations.tokenize import sentence_ranges

__all__ = [
    "MAX_DOCUMENTS_FOR_SENTENCE_UNITS",
    "UNIT_CHOICES",
    "Corpus",
    "default_corpus_path",
    "load_corpus",
    "sentence_units",
    "corpus_sha256",
    "infer_view",
]

#: Above this many documents, the bootstrap unit is the document rather than the sentence.
MAX_DOCUMENTS_FOR_SENTENCE_UNITS = 50
#: ``units=``: the corpus's own tokens and sentences when it has them (``file``), or arabench's rules (``split``).
UNIT_CHOICES = ("file", "split")


def default_corpus_path() -> Path:
    """The packaged gold directory (``annotations/gold``)."""
    from arabench import annotations

    return Path(annotations.__file__).resolve().parent / "gold"


@dataclass(frozen=True)
class Corpus:
    """A gold corpus ready for scoring.

    Attributes:
        path: The path it was read from (resolved).
        format: The registry's format name (``"brat"``, ``"jsonl"``, ``"conll"``, ``"labelstudio"``, ``"hf"``).
        documents: The documents, in reader order.
        view: The label view the gold labels are in.
        sha256: The hash of the files read (see the module docstring).
        files: The files read, relative to ``path`` (or the file name).
        unit: ``"sentence"`` (the file's own, or split by the sentence rule) or ``"document"``.
        units: Per document, the ``(start, end)`` character ranges of its units.
        words: Per document, the ``(start, end)`` of its own tokens (the word boundary), or ``None``: the
            words of :func:`arabench.annotations.tokenize.word_offsets`.
        own_units: True when ``units`` and ``words`` are the corpus's own sentences and tokens.
    """

    path: Path
    format: str
    documents: tuple[Document, ...]
    view: View
    sha256: str
    files: tuple[str, ...]
    unit: str
    units: tuple[tuple[tuple[int, int], ...], ...]
    words: tuple[tuple[tuple[int, int], ...] | None, ...] = ()
    own_units: bool = False

    @property
    def word_offsets(self) -> list[tuple[tuple[int, int], ...] | None]:
        """Per document, its own tokens or ``None`` (arabench's words): the ``words=`` of the scorers."""
        return list(self.words) if self.words else [None] * len(self.documents)

    @property
    def texts(self) -> list[str]:
        """The document texts, in order."""
        return [d.text for d in self.documents]

    @property
    def n_units(self) -> int:
        """The total number of scoring units."""
        return sum(len(u) for u in self.units)


def sentence_units(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into scoring units: its sentences (``arabench.annotations.tokenize.sentence_ranges``).

    The first unit starts at offset 0, so that a (predicted) span over leading
    white space has a unit too; a text without words is one unit.
    """
    units = sentence_ranges(text)
    if not units:
        return [(0, len(text))]
    units[0] = (0, units[0][1])
    return units


def corpus_sha256(root: Path, files: Sequence[str]) -> str:
    """sha256 over the bytes of ``files`` (relative to ``root``) in the given order."""
    digest = hashlib.sha256()
    for name in files:
        path = root / name if root.is_dir() else root
        digest.update(path.read_bytes())
    return digest.hexdigest()


def infer_view(labels: set[str], *, schema: Schema | None = None, prefer: str | None = None) -> str:
    """Infer the view of a corpus's tag set (see the module docstring).

    ``prefer`` (the run's ``--view``) is taken when the tags fit it; otherwise schema types only give
    ``native``, else the smallest view whose labels hold every tag (:meth:`Schema.views_with_labels`).

    Raises:
        SchemaError: If the tags fit no view, naming them and the views known.
    """
    schema = schema or default_schema()
    if prefer is not None and prefer in schema.views and labels <= schema.views[prefer].labels:
        return prefer
    if not labels or labels <= set(schema.entity_types):
        return "native"
    fits = schema.views_with_labels(labels)
    if fits:
        return fits[0]
    raise SchemaError(
        "the corpus's tags fit no label view",
        field="labels",
        value=sorted(labels),
        fix=f"define a view with these labels in a views file (--views FILE) and pass --corpus-view NAME; "
        f"known views: {', '.join(f'{n} ({len(v.labels)} labels)' for n, v in schema.views.items())}",
    )


def load_corpus(
    path: str | Path | None = None,
    *,
    view: str | None = None,
    schema: Schema | None = None,
    format: str | None = None,
    prefer: str | None = None,
    units: str | None = None,
) -> Corpus:
    """Read a gold corpus for scoring.

    Args:
        path: A corpus in any registered format; default the packaged gold.
        view: The view of the gold labels of a corpus whose labels are not
            schema types (CoNLL, Label Studio, datasets; inferred when ``None``);
            ignored for BRAT and JSONL, whose labels are schema types.
        schema: The schema (default: the packaged one).
        format: The format (default: the registry's guess from ``path``).
        prefer: The view to infer when the tags fit it (the run's leaderboard view).
        units: ``file`` (default): a CoNLL or token-table corpus is scored on its own tokens and sentences;
            ``split``: on arabench's words and sentence rule (see the module docstring).

    Raises:
        AnnotationError: If the path does not exist, holds no document, or is malformed.
        ConversionError: If the format cannot be told.
        SchemaError: If a label is not in the corpus's view.
    """
    from arabench.annotations.formats import get_format, infer_format, source_files

    schema = schema or default_schema()
    if view is not None:
        schema.view(view)  # an unknown view name: the schema's error, with its suggestion
    units = units or "file"
    if units not in UNIT_CHOICES:
        raise AnnotationError(
            "unknown scoring units", field="units", value=units, fix=f"use one of {', '.join(UNIT_CHOICES)}"
        )
    own = units == "file"
    if isinstance(path, str) and (path.startswith(HUB_PREFIX) or path.lower().endswith(".parquet")):
        return _dataset_corpus(path, view=view, schema=schema, prefer=prefer, own=own)
    root = Path(path if path is not None else default_corpus_path()).expanduser().resolve()
    if not root.exists():
        raise AnnotationError(
            "corpus not found", file=root, fix="pass a BRAT directory, a .jsonl file or a CoNLL file with --corpus"
        )
    from arabench.annotations.files import check_input

    check_input(root, error=AnnotationError)  # a FIFO or a device is refused, not read without end
    fmt = get_format(format or infer_format(root, option=None))
    if fmt.name == "hf" and _is_token_dataset_dir(root):
        return _dataset_corpus(str(root), view=view, schema=schema, prefer=prefer, own=own)
    layouts: list[TokenLayout] | None = None
    if fmt.native_labels:
        from arabench.annotations.corpus import read_corpus

        documents = list(read_corpus(root, format=fmt.name))
        view_name = "native"  # BRAT and JSONL hold schema types; ``view`` applies to the other formats
    else:
        if fmt.raw_text:
            from arabench.annotations.corpus import read_corpus

            documents = list(read_corpus(root, format=fmt.name, check_types=False))
        elif fmt.name == "conll":  # the reader of the registry, with the file's own tokens and sentences
            from arabench.annotations.conll import read_conll_layout

            read = read_conll_layout(root)
            documents = [document for document, _ in read]
            layouts = [layout for _, layout in read] if own else None
        else:
            from arabench.annotations.formats import read_documents

            documents, _ = read_documents(root, format=fmt.name, notes=False)
        labels = {s.label for d in documents for s in d.entities.values()}
        view_name = view or infer_view(labels, schema=schema, prefer=prefer)
    if not documents:
        raise AnnotationError("the corpus holds no document", file=root, fix="check the path")
    base, files = source_files(root, format=fmt.name)
    sha = corpus_sha256(base, files)
    return _make_corpus(root, fmt.name, documents, schema.view(view_name), sha, files, layouts=layouts)


def _is_token_dataset_dir(root: Path) -> bool:
    """True if a ``save_to_disk`` directory holds ``tokens`` and ``ner_tags`` and no arabench ``entities``."""
    import json

    for info in [root / "dataset_info.json", *root.glob("*/dataset_info.json")]:
        if info.is_file():
            try:
                features = json.loads(info.read_text(encoding="utf-8")).get("features") or {}
            except (OSError, ValueError):
                return False
            return "tokens" in features and "ner_tags" in features and "entities" not in features
    return False


def _dataset_corpus(source: str, *, view: str | None, schema: Schema, prefer: str | None, own: bool) -> Corpus:
    """A ``datasets`` corpus of tokens and ``ner_tags`` (a hub id after ``hf-dataset:``, parquet or JSON files)."""
    from arabench.annotations.hf_datasets import read_token_dataset

    documents = read_token_dataset(source)
    if not documents:
        raise AnnotationError("the corpus holds no document", file=source, fix="check the dataset and its split")
    labels = {s.label for d in documents for s in d.entities.values()}
    view_name = view or infer_view(labels, schema=schema, prefer=prefer)
    digest = hashlib.sha256()
    for doc in documents:  # the content read (a hub dataset has no local file of its own to hash)
        digest.update(doc.text.encode())
        for span in sorted(doc.entities.values()):
            digest.update(f"\0{span.start}\0{span.end}\0{span.label}".encode())
    local = Path(source.removeprefix(HUB_PREFIX).split("@", 1)[0]).expanduser()
    root = local.resolve() if local.exists() else Path(source)
    # A token table's text is its tokens joined by single spaces, one row per line, and its tokens hold no white
    # space (the reader refuses them): its own tokens and sentences are the text's.
    layouts = [rebuilt_layout(doc.text) for doc in documents] if own else None
    return _make_corpus(
        root, "hf-dataset", documents, schema.view(view_name), digest.hexdigest(), [source], layouts=layouts
    )


def _make_corpus(
    root: Path,
    fmt: str,
    documents: Sequence[Document],
    gold_view: View,
    sha: str,
    files: Sequence[str],
    *,
    layouts: Sequence[TokenLayout] | None = None,
) -> Corpus:
    view_name = gold_view.name
    for doc in documents:
        for key, span in doc.entities.items():
            if span.label not in gold_view.labels:
                raise SchemaError(
                    f"gold label not in the corpus view {view_name!r}",
                    file=root,
                    field=f"{doc.id}:{key}",
                    value=span.label,
                    fix=f"use one of {', '.join(sorted(gold_view.labels))}, or pass --corpus-view with the view "
                    "of the corpus's tags",
                )
    words: tuple[tuple[tuple[int, int], ...] | None, ...] = ()
    if layouts is not None:  # the corpus's own sentences and tokens
        unit = "sentence"
        units = tuple(layout.sentences for layout in layouts)
        words = tuple(layout.tokens for layout in layouts)
    elif len(documents) > MAX_DOCUMENTS_FOR_SENTENCE_UNITS:
        unit = "document"
        units = tuple(((0, len(d.text)),) for d in documents)
    else:
        unit = "sentence"
        units = tuple(tuple(sentence_units(d.text)) for d in documents)
    return Corpus(
        path=root,
        format=fmt,
        documents=tuple(documents),
        view=gold_view,
        sha256=sha,
        files=tuple(files),
        unit=unit,
        units=units,
        words=words,
        own_units=layouts is not None,
    )
