"""Scoring files: predictions from any system against gold annotations (the library of ``arabench score``).

Formats (``--format``, else each path's format as the registry of
:mod:`arabench.annotations.formats` guesses it, the same guess as every command's):

* ``conll``: token/tag files (:mod:`arabench.annotations.conll`). Both files must hold
  the same tokens in the same order, split into the same sentences; the first
  difference is an error naming both files' lines and tokens. Tags are read
  with the conlleval rules (an ``I-X`` after ``O`` starts a mention), each
  sentence's tokens are joined by single spaces, and the spans are scored
  like any other (so ``--mode strict`` equals conlleval and seqeval's
  default mode on the same file). Gold and predictions must then both be CoNLL.
* ``jsonl`` / ``brat`` / ``labelstudio`` / ``hf``: character spans over
  document texts. Documents are paired by id; a document missing on either
  side, or whose text differs, is an error naming it. Gold must validate;
  predictions are only parsed (a system may emit duplicate or crossing
  spans: the scorer counts them).

``--label-map``/``--drop`` relabel the predictions first (exact keys; a
dropped label is counted in ``notes`` as ``dropped_label:<LABEL>``).
``--view`` then projects *both* sides into a label view: a side whose labels
are all labels of the view is taken as it is, a side in schema types is
projected (what the view leaves out is counted: gold in ``out_of_scope``,
predictions in ``notes`` as ``pred_out_of_view:<TYPE>``); other labels are an
error. Without ``--view`` labels are compared as they are.

``--strict-iob2`` (CoNLL, scheme BIO2) scores chunks the way seqeval's
``mode="strict", scheme=IOB2`` does (:mod:`arabench.eval.tokens`): a chunk starts only
at a ``B-`` tag and ill-formed ``I-`` tags start none.

Output: a table (per type tp, fp, fn, support, P, R, F1, then micro, macro,
weighted), or with ``--json`` one JSON object, schema version 1 (see
:func:`report_json` and the README "Scoring" section).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arabench.annotations.errors import ScoringError
from arabench.annotations.formats import FORMATS as REGISTRY
from arabench.annotations.formats import infer_format
from arabench.eval.modes import Setting

__all__ = [
    "FORMATS",
    "SCHEMA_VERSION",
    "ScoreReport",
    "infer_format",
    "report_json",
    "report_table",
    "score_files",
    "score_settings",
]

#: Version of the ``--json`` output; bumped on any incompatible change.
SCHEMA_VERSION = 1
FORMATS = tuple(REGISTRY)


@dataclass(frozen=True)
class ScoreReport:
    """What ``arabench score`` computed: the scores and how they were obtained."""

    scores: Any  # eval.spans.SpanScores
    format: str
    view: str | None
    documents: int  # texts scored: documents (JSONL, BRAT) or sentences (CoNLL)
    notes: dict[str, int] = field(default_factory=dict)
    entities: dict[str, Any] | None = None  # the system's coreference (eval.coref), when the predictions have clusters


#: Bytes of gold read per block by the fast CoNLL path (then up to the end of a sentence).
_BLOCK = 1 << 19
_BOM = b"\xef\xbb\xbf"


@dataclass
class _ConllRead:
    """What one read of a gold and a prediction CoNLL file gives the scorer.

    When ``arrays`` (the fast path: the whole file is one document, sentences
    laid end to end), ``gold``/``pred`` are each ``(starts, ends, type
    numbers)`` numpy arrays of character spans in order and ``texts`` the types
    by number (see :func:`arabench.eval.spans.score_span_arrays`); else lists of
    :class:`arabench.annotations.spans.Span` per sentence, with their ``texts``.
    """

    gold: Any
    pred: Any
    texts: list[str] | None
    sentences: int
    notes: dict[str, int]
    arrays: bool


def _read_conll(gold_path: str, pred_path: str, scheme: str) -> _ConllRead:
    """Read two CoNLL files together, sentence by sentence, check their tokens agree, decode their tags."""
    from arabench.annotations.tags import scheme_of

    if scheme_of(scheme).name == "BIO2":
        fast = _read_conll_simple(gold_path, pred_path)
        if fast is not None:
            return fast
    return _read_conll_checked(gold_path, pred_path, scheme)


def _read_conll_simple(gold_path: str, pred_path: str) -> _ConllRead | None:
    """The fast path: both files in the simplest shape (:func:`arabench.annotations.conll_simple.simple_columns`).

    Reads blocks of the gold's bytes that end with a sentence, the same number of
    the predictions' lines, and decodes each block's tags in one pass of array
    operations. Returns ``None`` as soon as a block is not in that shape or its
    tokens or sentence breaks differ from the gold's: the checked path then
    reads both files again and names the place.
    """
    import numpy as np

    from arabench.annotations.conll_simple import simple_pair
    from arabench.annotations.tags import bio2_runs

    sides: dict[str, list[tuple[Any, Any, Any]]] = {"gold": [], "pred": []}
    notes = {"gold_repairs": 0, "pred_repairs": 0}
    known: dict[str, int] = {}  # type -> its number in both files
    sentences = 0
    base = 0
    try:
        with open(gold_path, "rb") as g, open(pred_path, "rb") as p:  # lines end at b"\n" only, as in the reader
            pred_lines = _Lines(p)
            for g_block in _sentence_blocks(g):
                g_breaks = np.flatnonzero(np.frombuffer(g_block, dtype=np.uint8) == 10)
                taken = pred_lines.take(len(g_breaks))
                if taken is None:
                    return None
                pair = simple_pair(g_block, taken[0], gold_breaks=g_breaks, pred_breaks=taken[1])
                if pair is None:
                    return None
                g_cols, p_cols = pair
                lengths = g_cols.lengths
                blank = lengths == 0
                sentences += int(np.count_nonzero(~blank[1:] & blank[:-1])) + int(not blank[0])
                # Character offsets of the sentences laid end to end (a line's characters, then one gap).
                offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
                np.cumsum(lengths + 1, out=offsets[1:])
                offsets += base
                base = int(offsets[-1]) + 1
                for cols, side in ((g_cols, "gold"), (p_cols, "pred")):
                    firsts, ends, numbers, orphans = bio2_runs(cols.codes)
                    notes[f"{side}_repairs"] += len(orphans)  # in BIO2 a repair is an I- that begins an entity
                    ours = np.array([known.setdefault(t, len(known)) for t in cols.labels] or [0], dtype=np.int64)
                    sides[side].append((offsets[firsts], offsets[ends] - 1, ours[numbers - 1]))
            if not pred_lines.done():
                return None
    except OSError:
        return None
    gold, pred = (
        tuple(np.concatenate([block[k] for block in sides[side]] or [np.zeros(0, dtype=np.int64)]) for k in range(3))
        for side in ("gold", "pred")
    )
    return _ConllRead(gold, pred, list(known), sentences, notes, True)


def _sentence_blocks(file: Any) -> Iterator[bytes]:
    """A file's bytes in blocks of whole lines that end with a blank line (or the file), each ending with a newline.

    A byte order mark at the start of the file is dropped.
    """
    rest = b""
    first = True
    while True:
        chunk = file.read(_BLOCK)
        if first:
            first = False
            if chunk.startswith(_BOM):
                chunk = chunk[len(_BOM) :]
        if not chunk:
            if rest:
                yield rest if rest.endswith(b"\n") else rest + b"\n"
            return
        data = rest + chunk if rest else chunk
        cut = data.rfind(b"\n\n")
        if cut < 0:
            rest = data
            continue
        yield data[: cut + 2]
        rest = data[cut + 2 :]


class _Lines:
    """The lines of a file taken a number at a time, as bytes ending with a newline (a byte order mark dropped).

    The positions of the newlines not taken yet are kept, so every byte is scanned once.
    """

    def __init__(self, file: Any) -> None:
        import numpy as np

        self.file = file
        self.rest = b""
        self.breaks = np.zeros(0, dtype=np.intp)
        self.first = True
        self.eof = False

    def _more(self) -> bool:
        import numpy as np

        chunk = self.file.read(_BLOCK)
        if self.first:
            self.first = False
            if chunk.startswith(_BOM):
                chunk = chunk[len(_BOM) :]
        if not chunk:
            if not self.eof and self.rest and not self.rest.endswith(b"\n"):
                self.breaks = np.append(self.breaks, len(self.rest))
                self.rest += b"\n"
            self.eof = True
            return False
        found = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)
        self.breaks = np.concatenate((self.breaks, found + len(self.rest)))
        self.rest += chunk
        return True

    def take(self, n: int) -> tuple[bytes, Any] | None:
        """The next ``n`` lines and the positions of their newlines, or ``None`` if the file has fewer."""
        while len(self.breaks) < n and not self.eof:
            self._more()
        if len(self.breaks) < n:
            return None
        cut = int(self.breaks[n - 1]) + 1 if n else 0
        block, self.rest = self.rest[:cut], self.rest[cut:]
        breaks, self.breaks = self.breaks[:n], self.breaks[n:] - cut
        return block, breaks

    def done(self) -> bool:
        """Whether nothing is left."""
        return not self.rest and not self._more()


def _read_conll_checked(gold_path: str, pred_path: str, scheme: str) -> _ConllRead:
    """The general path: every line checked (:func:`arabench.annotations.conll.iter_conll_sentences`), read together."""
    from arabench.annotations.spans import Span
    from arabench.annotations.tags import decode

    texts: list[str] = []
    gold_spans: list[list] = []
    pred_spans: list[list] = []
    notes = {"gold_repairs": 0, "pred_repairs": 0}
    for g, p in _paired_sentences(gold_path, pred_path, scheme):
        tokens = g[0]
        offsets, pos = [], 0
        for token in tokens:
            offsets.append((pos, pos + len(token)))
            pos += len(token) + 1
        texts.append(" ".join(tokens))
        for tags, spans, side in ((g[1], gold_spans, "gold"), (p[1], pred_spans, "pred")):
            decoded = decode(tags, scheme=scheme)
            notes[f"{side}_repairs"] += decoded.repairs
            spans.append([Span(offsets[a][0], offsets[b - 1][1], label) for a, b, label in decoded.entities])
    return _ConllRead(gold_spans, pred_spans, texts, len(texts), notes, False)


def _paired_sentences(gold_path: str, pred_path: str, scheme: str) -> Iterator[tuple[tuple, tuple]]:
    """Stream both files' ``(tokens, tags, first line)`` sentences in pairs, their tokens checked to agree.

    Under ``--scheme IO`` a prefixed tag is an error (:func:`_refuse_prefixed`);
    the first difference in tokens or sentence breaks is an error naming both places.
    """
    from arabench.annotations.conll import iter_conll_sentences
    from arabench.annotations.tags import scheme_of

    gold_iter = iter_conll_sentences(gold_path, scheme=scheme)
    pred_iter = iter_conll_sentences(pred_path, scheme=scheme)
    bare = scheme_of(scheme).name == "IO"
    sentences = tokens_before = 0
    for g in gold_iter:
        p = next(pred_iter, None)
        if bare:
            _refuse_prefixed(g, gold_path)
            if p is not None:
                _refuse_prefixed(p, pred_path)
        if p is None or p[0] != g[0]:
            _check_same_tokens(
                [g, *gold_iter], [] if p is None else [p, *pred_iter], gold_path, pred_path, sentences, tokens_before
            )
        sentences += 1
        tokens_before += len(g[0])
        yield g, p
    rest = list(pred_iter)
    if rest:
        _check_same_tokens([], rest, gold_path, pred_path, sentences, tokens_before)


def _refuse_prefixed(sentence: tuple[list[str], list[str], int], path: str) -> None:
    """Under ``--scheme IO`` a tag is a bare type: ``B-DATE`` would be scored as a type of its own.

    ``sentence`` is a ``(tokens, tags, first line)`` sentence of the streaming reader.
    """
    _, tags, first = sentence
    for j, tag in enumerate(tags):
        if _PREFIXED.match(tag):
            raise ScoringError(
                "tag carries a BIO prefix but --scheme IO reads bare types",
                file=path,
                line=first + j,
                field="tag",
                value=tag,
                fix="pass the file's scheme (e.g. --scheme BIO2), or strip the prefixes",
            )


#: A tag with a BIO/BIOES/BILOU prefix (what ``--scheme IO`` refuses).
_PREFIXED = re.compile(r"^[BIESLU][-_]\S")


def _strict_iob2(
    gold_path: str, pred_path: str, *, label_map: str | None = None, drop: str | Sequence[str] = ()
) -> tuple[Any, int]:
    """The strict IOB2 chunks of seqeval (:func:`arabench.eval.tokens.score_tags` with scheme ``iob2``).

    Both files are streamed together (:func:`arabench.annotations.conll.iter_conll_sentences`)
    and their tokens checked as in :func:`_read_conll_checked`; returns the
    scores and the number of sentences. ``--label-map``/``--drop`` relabel the predicted tags' types first
    (a dropped type's tags become ``O``; ``dropped_label:<T>`` counts its ``B-`` tags).
    """
    from arabench.annotations.tags import split_tag
    from arabench.eval.tokens import score_tags

    gold_tags: list[list[str]] = []
    pred_tags: list[list[str]] = []
    for g, p in _paired_sentences(gold_path, pred_path, "BIO2"):
        gold_tags.append(g[1])
        pred_tags.append(p[1])
    notes: dict[str, int] = {}
    if label_map is not None or drop:
        known = {label for sentence in gold_tags for t in sentence if (label := split_tag(t)[1]) is not None}
        relabel = _relabeller(label_map, drop, known, {}, "gold")
        targets: dict[str, str | None] = {}
        relabelled = []
        for sentence in pred_tags:
            new = []
            for tag in sentence:
                prefix, label = split_tag(tag)
                if label is None:  # O
                    new.append(tag)
                    continue
                if label not in targets:
                    targets[label] = relabel(label)
                target = targets[label]
                if target is None:
                    if prefix == "B":
                        notes[f"dropped_label:{label}"] = notes.get(f"dropped_label:{label}", 0) + 1
                    new.append("O")
                else:
                    new.append(f"{prefix}-{target}")
            relabelled.append(new)
        pred_tags = relabelled
    scores = score_tags(gold_tags, pred_tags, scheme="iob2")
    if notes:
        scores = dataclasses.replace(scores, notes=dict(sorted({**scores.notes, **notes}.items())))
    return scores, len(gold_tags)


def _check_same_tokens(
    gold: Sequence, pred: Sequence, gold_path: str, pred_path: str, sentence_base: int, tokens_base: int
) -> None:
    """Raise a :class:`ScoringError` at the first token or sentence break where the files differ.

    ``gold`` and ``pred`` are the ``(tokens, tags, first line)`` sentences of
    both files from the first sentence that differs on; ``sentence_base`` and
    ``tokens_base`` count the sentences and tokens before it (equal in both).
    """
    gold_tokens = [(t, first + j, i) for i, (toks, _, first) in enumerate(gold) for j, t in enumerate(toks)]
    pred_tokens = [(t, first + j, i) for i, (toks, _, first) in enumerate(pred) for j, t in enumerate(toks)]
    for (gt, gl, gs), (pt, pl, ps) in zip(gold_tokens, pred_tokens, strict=False):
        if gt != pt:
            raise ScoringError(
                f"tokens differ: {gold_path}:{gl} has {gt!r}, {pred_path}:{pl} has {pt!r}",
                file=pred_path,
                line=pl,
                field="token",
                value=pt,
                fix="predict on exactly the gold tokens, in the same order",
            )
        if gs != ps:
            raise ScoringError(
                f"sentence breaks differ: {gold_path}:{gl} is in sentence {sentence_base + gs + 1}, "
                f"{pred_path}:{pl} in sentence {sentence_base + ps + 1}",
                file=pred_path,
                line=pl,
                field="sentence",
                value=pt,
                fix="keep the gold file's blank lines between sentences",
            )
    if len(gold_tokens) != len(pred_tokens):
        longer, path, n = (gold_tokens, gold_path, len(pred_tokens))
        if len(pred_tokens) > len(gold_tokens):
            longer, path, n = (pred_tokens, pred_path, len(gold_tokens))
        token, line, _ = longer[n]
        raise ScoringError(
            f"{path} has more tokens ({tokens_base + len(longer)} against {tokens_base + n}); "
            f"the first extra one is at {path}:{line}",
            file=path,
            line=line,
            field="token",
            value=token,
            fix="predict on exactly the gold tokens, in the same order",
        )


def _read_predictions(path: str, fmt: str | None) -> list:
    """Parse predictions in any span format without the gold-only checks."""
    from arabench.annotations.formats import parse_documents
    from arabench.annotations.problems import problems_error

    _, parsed, problems = parse_documents(path, format=fmt, option="--format")
    problems += [p for doc in parsed for p in doc.problems]
    if any(p.is_error for p in problems):
        raise problems_error(problems, what=f"predictions {path}", file=path)
    return [doc.document for doc in parsed]


def _span_documents(
    gold_path: str,
    pred_path: str,
    *,
    check_types: bool,
    gold_format: str,
    pred_format: str | None,
    clusters: list | None = None,
) -> tuple[list[str], list[list], list[list]]:
    """Texts, gold spans and predicted spans per gold document.

    ``clusters`` receives, per document, the gold and the predicted entity layers as lists of ``(start, end)``
    ranges (``None`` for predictions without clusters).
    """
    from arabench.annotations.corpus import read_corpus

    gold = read_corpus(gold_path, check_types=check_types, format=gold_format)
    pred = {}
    for doc in _read_predictions(pred_path, pred_format):
        if doc.id in pred:
            raise ScoringError(
                "two prediction documents have the same id",
                file=pred_path,
                field="id",
                value=doc.id,
                fix="give every document a distinct id",
            )
        pred[doc.id] = doc
    gold_ids = {d.id for d in gold}
    extra = sorted(set(pred) - gold_ids)
    if extra:
        raise ScoringError(
            "prediction document not in the gold",
            file=pred_path,
            field="id",
            value=extra[0],
            fix=f"score only gold documents ({len(extra)} extra: {', '.join(extra[:5])})",
        )
    texts, gold_spans, pred_spans = [], [], []
    for doc in gold:
        other = pred.get(doc.id)
        if other is None:
            raise ScoringError(
                "gold document has no prediction",
                file=pred_path,
                field="id",
                value=doc.id,
                fix="predict every gold document (an empty prediction is a document with no spans)",
            )
        if other.text != doc.text:
            at = next((i for i, (a, b) in enumerate(zip(doc.text, other.text, strict=False)) if a != b), None)
            at = min(len(doc.text), len(other.text)) if at is None else at
            raise ScoringError(
                f"document {doc.id!r}: prediction text differs from gold text at character {at} "
                f"(gold {doc.text[at : at + 20]!r}, prediction {other.text[at : at + 20]!r})",
                file=pred_path,
                field="text",
                value=doc.id,
                fix="predict on the gold text exactly as stored (no normalization, same newlines)",
            )
        texts.append(doc.text)
        gold_spans.append(list(doc.entities.values()))
        pred_spans.append(list(other.entities.values()))
        if clusters is not None:
            clusters.append(
                (
                    [[doc.entities[i].range for i in group] for group in doc.clusters],
                    [[other.entities[i].range for i in group] for group in other.clusters] if other.clusters else None,
                )
            )
    return texts, gold_spans, pred_spans


def score_files(
    gold: str | Path,
    pred: str | Path,
    *,
    format: str | None = None,
    mode: str = "strict",
    boundary: str = "word",
    layer: str = "flat",
    view: str | None = None,
    scheme: str = "BIO2",
    label_map: str | None = None,
    drop: str | Sequence[str] = (),
    strict_iob2: bool = False,
) -> ScoreReport:
    """Read gold and predictions and score them (the library function behind ``arabench score``).

    Args:
        gold: Gold path in any registry format.
        pred: Prediction path (CoNLL when the gold is CoNLL).
        format: A registry format for both paths; when ``None`` each path's format is guessed.
        mode: Match mode (:mod:`arabench.eval.modes`).
        boundary: ``char`` or ``word``.
        layer: ``flat`` or ``nested``.
        view: Label view to project gold and predictions into; ``None`` compares labels as they are.
        scheme: Tagging scheme of CoNLL files.
        label_map: Relabel the predictions (``"RAW=LABEL,..."`` or a YAML/JSON path).
        drop: Prediction labels to drop (a list or comma-separated).
        strict_iob2: Score CoNLL chunks as seqeval's strict IOB2 mode (``mode`` must be ``strict``).

    Returns:
        The :class:`ScoreReport`.

    Raises:
        ScoringError: If gold and predictions do not align (naming the place).
        AnnotationError: If a file is malformed.
    """
    setting = Setting(mode, boundary, layer)
    return score_settings(
        gold,
        pred,
        settings=[setting],
        format=format,
        view=view,
        scheme=scheme,
        label_map=label_map,
        drop=drop,
        strict_iob2=strict_iob2,
    )[0]


def score_settings(
    gold: str | Path,
    pred: str | Path,
    *,
    settings: Sequence[Setting],
    format: str | None = None,
    view: str | None = None,
    scheme: str = "BIO2",
    label_map: str | None = None,
    drop: str | Sequence[str] = (),
    strict_iob2: bool = False,
) -> list[ScoreReport]:
    """Read gold and predictions once and score them in every setting asked for (see :func:`score_files`).

    CoNLL files are read together, sentence by sentence; the tags of the
    ``notes`` key ``gold_repairs``/``pred_repairs`` were not well-formed and
    were read with the conlleval rules (an ``I-`` without ``B-`` begins a mention).
    A label map, a drop list or a view is applied once, before every setting.
    ``strict_iob2`` scores one setting only, in mode ``strict`` (seqeval's
    strict IOB2 chunks are one mode of their own; other modes are an error).

    Returns:
        One :class:`ScoreReport` per setting, in the order given.
    """
    from arabench.eval.modes import check_boundary, check_layer, get_mode
    from arabench.eval.spans import collection_paused, score_span_arrays, score_spans

    for setting in settings:
        get_mode(setting.mode)
        check_boundary(setting.boundary)
        check_layer(setting.layer)
    if format is not None and format not in FORMATS:
        raise ScoringError("unknown format", field="format", value=format, fix=f"use one of {', '.join(FORMATS)}")
    from arabench.annotations.files import check_input

    for name, what in ((gold, "gold file"), (pred, "predictions file")):
        if not Path(name).exists():
            raise ScoringError("path does not exist", file=name, field="path", fix="check the path")
        check_input(name, what=what, error=ScoringError)  # a FIFO or a device is refused, not read without end
    fmt = format or infer_format(gold, option="--format")
    pred_fmt = format or infer_format(pred, option="--format")
    if "conll" in (fmt, pred_fmt) and fmt != pred_fmt:
        raise ScoringError(
            f"the gold is {fmt} and the predictions are {pred_fmt}: CoNLL files are scored token by token "
            "against CoNLL files only",
            file=pred if fmt == "conll" else gold,
            field="format",
            value=pred_fmt if fmt == "conll" else fmt,
            fix="convert the other file with `arabench convert` (CoNLL to CoNLL, or both to JSONL with --text-from)",
        )
    schema = view_obj = None
    if view is not None:  # the packaged schema (YAML) only for a view
        from arabench.annotations.schema import default_schema

        schema = default_schema()
        view_obj = schema.view(view)
    if strict_iob2:
        _check_strict_iob2(settings, fmt=fmt, pred_fmt=pred_fmt, scheme=scheme, view=view)
        token_scores, n = _strict_iob2(str(gold), str(pred), label_map=label_map, drop=drop)
        return [ScoreReport(scores=token_scores, format=fmt, view=None, documents=n, notes=dict(token_scores.notes))]
    relabel = label_map is not None or bool(drop)
    read_notes: dict[str, int] = {}
    layers: list = []
    if fmt == "conll":
        with collection_paused():  # a read makes a million small objects and no reference cycle
            read = _read_conll(str(gold), str(pred), scheme)
        texts, gold_spans, pred_spans, documents = read.texts, read.gold, read.pred, read.sentences
        read_notes = {k: v for k, v in read.notes.items() if v}
        if read.arrays and view_obj is None and not relabel:
            by_mode = score_span_arrays(
                gold_spans, pred_spans, read.texts or [], modes=[s.mode for s in settings], notes=read_notes
            )
            reports = []
            for setting in settings:
                scores = dataclasses.replace(by_mode[setting.mode], boundary=setting.boundary, layer=setting.layer)
                reports.append(ScoreReport(scores, fmt, view, documents, dict(scores.notes)))
            return reports
        if read.arrays:  # a view or a label map needs Span objects: the one document of the fast path, text-free
            from arabench.annotations.spans import Span

            names = read.texts or []
            gold_spans, pred_spans = (
                [[Span(a, b, names[k]) for a, b, k in zip(*(x.tolist() for x in side), strict=True)]]
                for side in (gold_spans, pred_spans)
            )
            texts = None
    else:
        texts, gold_spans, pred_spans = _span_documents(
            str(gold), str(pred), check_types=False, gold_format=fmt, pred_format=pred_fmt, clusters=layers
        )
        documents = len(texts)
    notes: dict[str, int] = {}
    if relabel:
        pred_spans = _relabel(pred_spans, label_map, drop, notes, view_obj, gold_spans)
    out_of_scope: dict[str, int] = {}
    if view_obj is not None:
        gold_spans, left = _into_view(gold_spans, view_obj, schema, side="gold", path=str(gold))
        out_of_scope.update({f"{key} (not in view {view_obj.name})": n for key, n in left.items()})
        pred_spans, left = _into_view(pred_spans, view_obj, schema, side="predictions", path=str(pred))
        for key, count in left.items():
            notes[f"pred_out_of_view:{key}"] = count
    reports = []
    for setting in settings:
        boundary = setting.boundary
        if texts is None:  # spans over whole tokens of a simple CoNLL file: whole words already
            boundary = "char"
        options = {"mode": setting.mode, "boundary": boundary, "layer": setting.layer, "texts": texts, "errors": False}
        scores = score_spans(gold_spans, pred_spans, **options)
        if boundary != setting.boundary:
            scores = dataclasses.replace(scores, boundary=setting.boundary)
        if out_of_scope or notes:
            merged = {**scores.out_of_scope, **out_of_scope}
            scores = dataclasses.replace(
                scores, out_of_scope=merged, notes=dict(sorted({**scores.notes, **notes}.items()))
            )
        entities = None
        if any(pred is not None for _, pred in layers):
            entities = _entity_layers(layers, gold_spans, pred_spans, texts, setting.boundary)
        reports.append(
            ScoreReport(
                scores=scores,
                format=fmt,
                view=view,
                documents=documents,
                notes={**scores.notes, **read_notes},
                entities=entities,
            )
        )
    return reports


def _entity_layers(
    layers: Sequence[tuple[list, list | None]],
    gold_spans: Sequence[Sequence],
    pred_spans: Sequence[Sequence],
    texts: Sequence[str] | None,
    boundary: str,
) -> dict[str, Any]:
    """The system's coreference (MUC, B³, CEAF-e; strict mentions, :func:`arabench.eval.coref.score_entity_layers`).

    Each side's spans as scored (relabelled, projected into the view) are grouped by the cluster of the file that
    holds their range; a span in no cluster is an entity of its own.
    """
    from arabench.eval.coref import score_entity_layers

    def partition(spans: Sequence, groups: list | None) -> list[list]:
        owner = {r: n for n, group in enumerate(groups or ()) for r in group}
        entities: dict[object, list] = {}
        for span in sorted(spans):
            entities.setdefault(owner.get(span.range, ("alone", span)), []).append(span)
        return list(entities.values())

    key = [partition(g, gold) for g, (gold, _) in zip(gold_spans, layers, strict=True)]
    response = [partition(p, pred) for p, (_, pred) in zip(pred_spans, layers, strict=True)]
    return score_entity_layers(key, response, mode="strict", boundary=boundary, texts=texts).as_dict()


def _check_strict_iob2(settings: Sequence[Setting], *, fmt: str, pred_fmt: str, scheme: str, view: str | None) -> None:
    """``--strict-iob2``: CoNLL files in BIO2 (relabelled by ``--label-map``/``--drop``), one ``strict`` setting.

    Each refusal names only what the user gave that does not fit.
    """
    if fmt != "conll" or pred_fmt != "conll":
        raise ScoringError(
            "--strict-iob2 scores CoNLL files (seqeval's strict IOB2 chunks over their tokens)",
            field="--strict-iob2",
            value=fmt if fmt != "conll" else pred_fmt,
            fix="use it on CoNLL gold and predictions, or drop --strict-iob2",
        )
    if scheme not in ("BIO2", "IOB2", "BIO"):
        raise ScoringError(
            "--strict-iob2 reads tags in scheme BIO2",
            field="--scheme",
            value=scheme,
            fix="convert the files to BIO2 (arabench convert --scheme), or drop --strict-iob2",
        )
    if view:
        raise ScoringError(
            "--strict-iob2 compares the tags as they are (or relabelled with --label-map/--drop), not in a view",
            field="--view",
            value=view,
            fix="relabel the predictions with --label-map/--drop instead, or drop --strict-iob2",
        )
    modes = sorted({s.mode for s in settings})
    if len(settings) != 1 or modes != ["strict"]:
        raise ScoringError(
            "--strict-iob2 is one setting of its own (seqeval's strict IOB2 chunks over whole tokens)",
            field="--mode",
            value=", ".join(modes) if modes != ["strict"] else f"{len(settings)} settings",
            fix="drop --strict-iob2 to score several settings or other modes, or score with --mode strict alone",
        )


def _relabel(
    pred_spans: list[list],
    label_map: str | None,
    drop: str | Sequence[str],
    notes: dict[str, int],
    view: Any,
    gold_spans: list[list],
) -> list[list]:
    """Apply ``--label-map``/``--drop`` to the predictions; a label neither mapped, dropped nor known is an error."""
    from arabench.annotations.schema import default_schema
    from arabench.annotations.spans import Span

    if view is not None:
        known = set(view.labels) | set(default_schema().entity_types)
    else:
        known = {s.label for spans in gold_spans for s in spans}
    relabel = _relabeller(label_map, drop, known, notes, "view" if view is not None else "gold")
    out = []
    for spans in pred_spans:
        kept = []
        for span in spans:
            target = relabel(span.label)
            if target is not None:
                kept.append(span if target == span.label else Span(span.start, span.end, target))
        out.append(kept)
    return out


def _relabeller(
    label_map: str | None, drop: str | Sequence[str], known: set[str], notes: dict[str, int], against: str
) -> Any:
    """``label -> new label or None`` (dropped, counted as ``dropped_label:<LABEL>``) for ``--label-map``/``--drop``.

    A label neither mapped, dropped nor ``known`` (a label of the gold or the view) is a :class:`LabelMapError`.
    """
    from arabench.annotations.errors import LabelMapError
    from arabench.models.labelmap import LabelMap, parse_label_map, split_labels

    drops = split_labels(drop)
    lmap = LabelMap({}, frozenset(drops), "option") if label_map is None else parse_label_map(label_map, drop=drops)

    def relabel(label: str) -> str | None:
        if label in lmap.drop:
            notes[f"dropped_label:{label}"] = notes.get(f"dropped_label:{label}", 0) + 1
            return None
        if label in lmap.mapping:
            return lmap.mapping[label]
        if label in known:
            return label
        raise LabelMapError(
            f"prediction label neither mapped, dropped nor a label of the {against}",
            field="--label-map",
            value=label,
            fix=f"add {label}=<LABEL> to --label-map or list it in --drop",
        )

    return relabel


def _into_view(spans: list[list], view: Any, schema: Any, *, side: str, path: str) -> tuple[list[list], dict[str, int]]:
    """One side in ``view``: as it is when every label is a view label, projected when in schema types.

    The projection is the harness's (:func:`arabench.eval.views.project_gold`), for either side.
    """
    from arabench.eval.views import project_gold

    labels = {s.label for doc in spans for s in doc}
    if labels <= view.labels:
        return spans, {}
    if labels <= set(schema.entity_types):
        projected = project_gold(spans, view)
        return projected.spans, projected.left_out
    stray = sorted(labels - view.labels)
    raise ScoringError(
        f"the {side} carry labels that are not labels of view {view.name!r}, and not all are schema types "
        "(a side is read either in the view's labels or in schema types)",
        file=path,
        field="label",
        value=stray,
        fix="relabel them with --label-map (predictions), or pick the view they are in with --view",
    )


def _number(value: float) -> int | float:
    """Counts as ints when whole (half counts of ``partial`` stay floats)."""
    return int(value) if float(value).is_integer() else float(value)


def _counts_json(counts: Any) -> dict[str, Any]:
    return {
        "tp": _number(counts.tp),
        "fp": _number(counts.fp),
        "fn": _number(counts.fn),
        "support": _number(counts.support),
        "precision": counts.precision,
        "recall": counts.recall,
        "f1": counts.f1,
    }


def report_json(report: ScoreReport) -> dict[str, Any]:
    """The ``--json`` object, schema version 1 (stable; see the README "Scoring" section)."""
    s = report.scores
    return {
        "schema_version": SCHEMA_VERSION,
        "format": report.format,
        "mode": getattr(s, "mode", "strict-iob2"),
        "boundary": getattr(s, "boundary", "token"),
        "layer": getattr(s, "layer", "flat"),
        "view": report.view,
        "documents": report.documents,
        "micro": _counts_json(s.micro),
        "macro": s.macro.as_dict(),
        "weighted": s.weighted.as_dict(),
        "per_type": {t: _counts_json(c) for t, c in s.per_type.items()},
        "out_of_scope": dict(s.out_of_scope),
        "notes": dict(report.notes),
        **({} if report.entities is None else {"entities": report.entities}),
    }


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def _count(value: float) -> str:
    v = _number(value)
    return str(v)


def report_table(report: ScoreReport) -> str:
    """The default human-readable table."""
    s = report.scores
    width = max([len(t) for t in s.per_type] + [8])
    head = f"{'type':<{width}} {'tp':>7} {'fp':>7} {'fn':>7} {'support':>7} {'P':>7} {'R':>7} {'F1':>7}"
    lines = [
        f"{report.format} · mode {getattr(s, 'mode', 'strict-iob2')} · boundary {getattr(s, 'boundary', 'token')}"
        f" · layer {getattr(s, 'layer', 'flat')} · view {report.view or '(as is)'}"
        f" · {report.documents} {'sentence' if report.format == 'conll' else 'document'}(s)",
        head,
        "-" * len(head),
    ]
    for t, c in s.per_type.items():
        lines.append(
            f"{t:<{width}} {_count(c.tp):>7} {_count(c.fp):>7} {_count(c.fn):>7} {_count(c.support):>7} "
            f"{_fmt(c.precision):>7} {_fmt(c.recall):>7} {_fmt(c.f1):>7}"
        )
    lines.append("-" * len(head))
    m = s.micro
    lines.append(
        f"{'micro':<{width}} {_count(m.tp):>7} {_count(m.fp):>7} {_count(m.fn):>7} {_count(m.support):>7} "
        f"{_fmt(m.precision):>7} {_fmt(m.recall):>7} {_fmt(m.f1):>7}"
    )
    for name, avg in (("macro", s.macro), ("weighted", s.weighted)):
        lines.append(
            f"{name:<{width}} {'':>7} {'':>7} {'':>7} {'':>7} "
            f"{_fmt(avg.precision):>7} {_fmt(avg.recall):>7} {_fmt(avg.f1):>7}"
        )
    if s.out_of_scope:
        lines.append("not scored (gold out of scope): " + ", ".join(f"{k} {v}" for k, v in s.out_of_scope.items()))
    if report.notes:
        lines.append("notes: " + ", ".join(f"{k} {v}" for k, v in report.notes.items()))
    if report.entities is not None:
        e = report.entities
        lines.append(
            "entity layer (coreference, strict mentions): "
            + " · ".join(
                f"{name} P {_fmt(e[key]['precision'])} R {_fmt(e[key]['recall'])} F1 {_fmt(e[key]['f1'])}"
                for key, name in (("muc", "MUC"), ("b_cubed", "B³"), ("ceaf_e", "CEAF-e"))
            )
            + f" · CoNLL F1 {_fmt(e['conll_f1'])}"
        )
    return "\n".join(lines)
