"""``arabench score --gold G --pred P``: score predictions from any system against gold annotations.

Formats (``--format``, else each path's format as the registry of
:mod:`annotations.formats` guesses it, the same guess as every command's):

* ``conll``: token/tag files (:mod:`annotations.conll`). Both files must hold
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
``mode="strict", scheme=IOB2`` does (:mod:`eval.tokens`): a chunk starts only
at a ``B-`` tag and ill-formed ``I-`` tags start none.

Output: a table (per type tp, fp, fn, support, P, R, F1, then micro, macro,
weighted), or with ``--json`` one JSON object, schema version 1 (see
:func:`report_json` and the README "Scoring" section).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotations.errors import ScoringError
from annotations.formats import FORMATS as REGISTRY
from annotations.formats import infer_format
from eval.modes import BOUNDARIES, HEADLINE, LAYERS, MODES

HELP = "score predictions from any system against gold (CoNLL, JSONL, BRAT, Label Studio, datasets), as a table or JSON"

#: Version of the ``--json`` output; bumped on any incompatible change.
SCHEMA_VERSION = 1
FORMATS = tuple(REGISTRY)
#: The schemes ``--scheme`` accepts (``ANY`` is internal: it would read any prefix as a tag).
SCHEME_CHOICES = ("BIO2", "IOB1", "IOE1", "IOE2", "BIOES", "BILOU", "IO", "IOB2", "BIO", "IOBES", "IOE")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``score`` options."""
    parser.add_argument(
        "--gold", required=True, help="gold annotations: CoNLL, JSONL, BRAT, Label Studio or a datasets directory"
    )
    parser.add_argument("--pred", required=True, help="predictions (CoNLL if the gold is CoNLL, else any span format)")
    parser.add_argument("--format", choices=FORMATS, default=None, help="format of both (default: guess each)")
    parser.add_argument("--mode", choices=list(MODES), default=HEADLINE.mode, help="match mode (default: strict)")
    parser.add_argument(
        "--boundary", choices=BOUNDARIES, default=HEADLINE.boundary, help="char offsets or whole words (default: word)"
    )
    parser.add_argument(
        "--layer", choices=LAYERS, default=HEADLINE.layer, help="outermost spans only, or all spans (default: flat)"
    )
    parser.add_argument(
        "--view",
        default=None,
        help="label view to project gold and predictions into (native, conll4, anercorp, ace, fane, a card's view); "
        "default: compare labels as they are",
    )
    parser.add_argument(
        "--label-map",
        metavar="MAP",
        help="relabel the predictions: 'RAW=LABEL,RAW2=LABEL2' (empty LABEL drops) or a .yaml/.json file",
    )
    parser.add_argument(
        "--drop", metavar="LABELS", help="prediction labels to drop, comma-separated (counted in notes)"
    )
    parser.add_argument(
        "--scheme",
        default="BIO2",
        choices=SCHEME_CHOICES,
        help="tagging scheme of CoNLL files (default BIO2; IO is for bare tags without B-/I- prefixes)",
    )
    parser.add_argument(
        "--strict-iob2",
        action="store_true",
        help="CoNLL only: seqeval's strict IOB2 numbers (mode='strict', scheme=IOB2) instead of the conlleval rules",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object (schema_version 1)")


@dataclass(frozen=True)
class ScoreReport:
    """What ``arabench score`` computed: the scores and how they were obtained."""

    scores: Any  # eval.spans.SpanScores
    format: str
    view: str | None
    documents: int  # texts scored: documents (JSONL, BRAT) or sentences (CoNLL)
    notes: dict[str, int] = field(default_factory=dict)


def _conll_documents(gold_path: str, pred_path: str, scheme: str) -> tuple[list[str], list[list], list[list]]:
    """Read two CoNLL files, check their tokens agree, and return texts and spans per sentence."""
    from annotations.conll import bio_to_spans, read_conll_sentences

    gold = [s for s in read_conll_sentences(gold_path, scheme=scheme) if s.tokens]
    pred = [s for s in read_conll_sentences(pred_path, scheme=scheme) if s.tokens]
    if scheme == "IO":
        _refuse_prefixed(gold, gold_path)
        _refuse_prefixed(pred, pred_path)
    _check_same_tokens(gold, pred, gold_path, pred_path)
    texts, gold_spans, pred_spans = [], [], []
    for g, p in zip(gold, pred, strict=True):
        offsets, pos = [], 0
        for token in g.tokens:
            offsets.append((pos, pos + len(token)))
            pos += len(token) + 1
        texts.append(" ".join(g.tokens))
        gold_spans.append(bio_to_spans(g.tags, offsets, scheme=scheme))
        pred_spans.append(bio_to_spans(p.tags, offsets, scheme=scheme))
    return texts, gold_spans, pred_spans


def _refuse_prefixed(sentences: Sequence, path: str) -> None:
    """Under ``--scheme IO`` a tag is a bare type: ``B-DATE`` would be scored as a type of its own."""
    import re

    prefixed = re.compile(r"^[BIESLU][-_]\S")
    for sentence in sentences:
        for tag, line in zip(sentence.tags, sentence.lines, strict=True):
            if prefixed.match(tag):
                raise ScoringError(
                    "tag carries a BIO prefix but --scheme IO reads bare types",
                    file=path,
                    line=line,
                    field="tag",
                    value=tag,
                    fix="pass the file's scheme (e.g. --scheme BIO2), or strip the prefixes",
                )


def _strict_iob2(gold_path: str, pred_path: str) -> Any:
    """The strict IOB2 chunks of seqeval (:func:`eval.tokens.score_tags` with scheme ``iob2``)."""
    from annotations.conll import read_conll_sentences
    from eval.tokens import score_tags

    gold = [s for s in read_conll_sentences(gold_path, scheme="BIO2") if s.tokens]
    pred = [s for s in read_conll_sentences(pred_path, scheme="BIO2") if s.tokens]
    _check_same_tokens(gold, pred, gold_path, pred_path)
    return score_tags([s.tags for s in gold], [s.tags for s in pred], scheme="iob2"), len(gold)


def _check_same_tokens(gold: Sequence, pred: Sequence, gold_path: str, pred_path: str) -> None:
    """Raise a :class:`ScoringError` at the first token or sentence break where the files differ."""
    gold_tokens = [(t, line, i) for i, s in enumerate(gold) for t, line in zip(s.tokens, s.lines, strict=True)]
    pred_tokens = [(t, line, i) for i, s in enumerate(pred) for t, line in zip(s.tokens, s.lines, strict=True)]
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
                f"sentence breaks differ: {gold_path}:{gl} is in sentence {gs + 1}, "
                f"{pred_path}:{pl} in sentence {ps + 1}",
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
            f"{path} has more tokens ({len(longer)} against {n}); the first extra one is at {path}:{line}",
            file=path,
            line=line,
            field="token",
            value=token,
            fix="predict on exactly the gold tokens, in the same order",
        )


def _read_predictions(path: str, fmt: str | None) -> list:
    """Parse predictions in any span format without the gold-only checks."""
    from annotations.formats import parse_documents
    from annotations.problems import problems_error

    _, parsed, problems = parse_documents(path, format=fmt, option="--format")
    problems += [p for doc in parsed for p in doc.problems]
    if any(p.is_error for p in problems):
        raise problems_error(problems, what=f"predictions {path}", file=path)
    return [doc.document for doc in parsed]


def _span_documents(
    gold_path: str, pred_path: str, *, check_types: bool, gold_format: str, pred_format: str | None
) -> tuple[list[str], list[list], list[list]]:
    from annotations.corpus import read_corpus

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
        mode: Match mode (:mod:`eval.modes`).
        boundary: ``char`` or ``word``.
        layer: ``flat`` or ``nested``.
        view: Label view to project gold and predictions into; ``None`` compares labels as they are.
        scheme: Tagging scheme of CoNLL files.
        label_map: Relabel the predictions (``"RAW=LABEL,..."`` or a YAML/JSON path).
        drop: Prediction labels to drop (a list or comma-separated).
        strict_iob2: Score CoNLL chunks as seqeval's strict IOB2 mode.

    Returns:
        The :class:`ScoreReport`.

    Raises:
        ScoringError: If gold and predictions do not align (naming the place).
        AnnotationError: If a file is malformed.
    """
    from annotations.schema import default_schema
    from eval.spans import score_spans

    if format is not None and format not in FORMATS:
        raise ScoringError("unknown format", field="format", value=format, fix=f"use one of {', '.join(FORMATS)}")
    for name in (gold, pred):
        if not Path(name).exists():
            raise ScoringError("path does not exist", file=name, field="path", fix="check the path")
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
    schema = default_schema()
    view_obj = schema.view(view) if view is not None else None
    if strict_iob2:
        if fmt != "conll" or scheme not in ("BIO2", "IOB2", "BIO") or view or label_map or drop:
            raise ScoringError(
                "--strict-iob2 scores CoNLL files in scheme BIO2 as they are",
                field="--strict-iob2",
                value=fmt if fmt != "conll" else scheme,
                fix="use it on CoNLL gold and predictions, without --view, --label-map, --drop or another --scheme",
            )
        token_scores, n = _strict_iob2(str(gold), str(pred))
        return ScoreReport(scores=token_scores, format=fmt, view=None, documents=n, notes=dict(token_scores.notes))
    if fmt == "conll":
        texts, gold_spans, pred_spans = _conll_documents(str(gold), str(pred), scheme)
    else:
        texts, gold_spans, pred_spans = _span_documents(
            str(gold), str(pred), check_types=False, gold_format=fmt, pred_format=pred_fmt
        )
    notes: dict[str, int] = {}
    if label_map is not None or drop:
        pred_spans = _relabel(pred_spans, label_map, drop, notes, view_obj, gold_spans)
    options = {"mode": mode, "boundary": boundary, "layer": layer, "texts": texts, "errors": False}
    out_of_scope: dict[str, int] = {}
    if view_obj is not None:
        gold_spans, left = _into_view(gold_spans, view_obj, schema, side="gold", path=str(gold))
        out_of_scope.update({f"{key} (not in view {view_obj.name})": n for key, n in left.items()})
        pred_spans, left = _into_view(pred_spans, view_obj, schema, side="predictions", path=str(pred))
        for key, count in left.items():
            notes[f"pred_out_of_view:{key}"] = count
    scores = score_spans(gold_spans, pred_spans, **options)
    if out_of_scope or notes:
        from dataclasses import replace

        merged = dict(scores.out_of_scope)
        merged.update(out_of_scope)
        scores = replace(scores, out_of_scope=merged, notes=dict(sorted({**scores.notes, **notes}.items())))
    return ScoreReport(scores=scores, format=fmt, view=view, documents=len(texts), notes=dict(scores.notes))


def _relabel(
    pred_spans: list[list],
    label_map: str | None,
    drop: str | Sequence[str],
    notes: dict[str, int],
    view: Any,
    gold_spans: list[list],
) -> list[list]:
    """Apply ``--label-map``/``--drop`` to the predictions; a label neither mapped, dropped nor known is an error."""
    from annotations.errors import LabelMapError
    from annotations.schema import default_schema
    from annotations.spans import Span
    from models.labelmap import LabelMap, parse_label_map

    drops = [d.strip() for d in drop.split(",") if d.strip()] if isinstance(drop, str) else list(drop)
    lmap = LabelMap({}, frozenset(drops), "option") if label_map is None else parse_label_map(label_map, drop=drops)
    if view is not None:
        known = set(view.labels) | set(default_schema().entity_types)
    else:
        known = {s.label for spans in gold_spans for s in spans}
    out = []
    for spans in pred_spans:
        kept = []
        for span in spans:
            if span.label in lmap.drop:
                notes[f"dropped_label:{span.label}"] = notes.get(f"dropped_label:{span.label}", 0) + 1
            elif span.label in lmap.mapping:
                target = lmap.mapping[span.label]
                kept.append(Span(span.start, span.end, target))
            elif span.label in known:
                kept.append(span)
            else:
                raise LabelMapError(
                    "prediction label neither mapped, dropped nor a label of the "
                    + ("view" if view is not None else "gold"),
                    field="--label-map",
                    value=span.label,
                    fix=f"add {span.label}=<LABEL> to --label-map or list it in --drop",
                )
        out.append(kept)
    return out


def _into_view(spans: list[list], view: Any, schema: Any, *, side: str, path: str) -> tuple[list[list], dict[str, int]]:
    """One side in ``view``: as it is when every label is a view label, projected when in schema types."""
    from annotations.spans import Span

    labels = {s.label for doc in spans for s in doc}
    if labels <= view.labels:
        return spans, {}
    if labels <= set(schema.entity_types):
        left: dict[str, int] = {}
        out = []
        for doc in spans:
            kept = []
            for span in doc:
                label = view.label_of(span.label)
                if label is None:
                    left[span.label] = left.get(span.label, 0) + 1
                else:
                    kept.append(Span(span.start, span.end, label))
            out.append(kept)
        return out, dict(sorted(left.items()))
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
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    """Score and print the table or the JSON object."""
    report = score_files(
        args.gold,
        args.pred,
        format=args.format,
        mode=args.mode,
        boundary=args.boundary,
        layer=args.layer,
        view=args.view,
        scheme=args.scheme,
        label_map=args.label_map,
        drop=args.drop or (),
        strict_iob2=args.strict_iob2,
    )
    if args.json:
        json.dump(report_json(report), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(report_table(report))
    return 0
