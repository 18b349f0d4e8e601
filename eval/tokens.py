"""The token view: BIO tags over words, scored the conlleval way or the strict IOB2 way.

Two chunk-reading schemes (:data:`TOKEN_SCHEMES`) turn a tag sequence into
chunks ``(type, start, end)``:

* ``conlleval``: conlleval.pl's rules, which are seqeval's default mode. A
  chunk starts at ``B-X``, and also at an ``I-X`` that does not continue a
  chunk of type ``X`` (ill-formed ``I-`` without ``B-`` still counts); it
  continues over ``I-X`` of the same type.
* ``iob2``: seqeval's ``mode="strict", scheme=IOB2``. A chunk starts only at
  ``B-X`` and continues over ``I-X``; an ``I-X`` that does not continue a
  chunk belongs to no chunk.

A gold and a predicted chunk match when start, end and type are equal (so
tp is the size of the intersection of the two chunk sets). Sentences never
share a chunk. Tags must be ``O``, ``B-TYPE`` or ``I-TYPE`` (IOBES and IOB1
files must be converted first). Chunks are read by the one tag codec
(:func:`arabench.annotations.tags.decode`, policy ``conlleval`` or ``strict``); the
matching and counting are vectorized with numpy; tests prove the scores
equal to ``seqeval`` and to the ``conlleval`` package.

:func:`spans_to_tags` projects character spans onto the words of
:mod:`arabench.annotations.tokenize` (the flat layer; one tag per word), and
:func:`score_token_view` scores spans through that projection.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from types import MappingProxyType

import numpy as np

from arabench.annotations.errors import ScoringError
from arabench.annotations.spans import Span, outermost
from arabench.annotations.tags import POLICIES, decode_bio2_arrays, encode, split_tag
from arabench.annotations.tokenize import WordIndex
from arabench.eval.counts import CountTable
from arabench.eval.spans import words_index

__all__ = [
    "TOKEN_SCHEMES",
    "TokenScores",
    "TagProjection",
    "tag_chunks",
    "score_tags",
    "spans_to_tags",
    "score_token_view",
    "score_token_views",
]

#: Chunk-reading schemes.
TOKEN_SCHEMES: tuple[str, ...] = ("conlleval", "iob2")


@dataclass(frozen=True, eq=False)
class TokenScores(CountTable):
    """The result of :func:`score_tags` / :func:`score_token_view` (a :class:`arabench.eval.counts.CountTable`).

    One unit row per sentence. ``notes`` counts what the span-to-tag
    projection could not encode (``gold_conflicts``/``pred_conflicts``: a
    flat span whose words were already tagged by another span;
    ``gold_unsnappable``/``pred_unsnappable``: a span covering no word;
    ``gold_unit_crossing``/``pred_unit_crossing``: a span split by a unit
    boundary).
    """

    scheme: str = "conlleval"
    out_of_scope: Mapping[str, int] = field(default_factory=dict)
    notes: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "out_of_scope", MappingProxyType(dict(self.out_of_scope)))
        object.__setattr__(self, "notes", MappingProxyType(dict(self.notes)))


def _check_scheme(scheme: str) -> None:
    if scheme not in TOKEN_SCHEMES:
        raise ScoringError(
            "unknown token scheme", field="scheme", value=scheme, fix=f"use one of {', '.join(TOKEN_SCHEMES)}"
        )


#: The codec policy (:data:`arabench.annotations.tags.POLICIES`) each token scheme reads chunks with.
_POLICY = MappingProxyType({"conlleval": "conlleval", "iob2": "strict"})


def _read(
    sentences: Sequence[Sequence[str]], side: str, type_ids: dict[str, int], scheme: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read the chunks of every sentence with the one tag codec (:func:`arabench.annotations.tags.decode_bio2_arrays`).

    Positions are global: the sentences laid end to end with one ``O`` after
    each, so no chunk crosses a sentence and ``start * width + end`` is a key.

    Returns:
        ``(starts, ends, type_ids, sentence_of_position)`` (ends exclusive).
    """
    for tag in set(chain.from_iterable(sentences)):
        if tag == "O":
            continue
        try:
            label = split_tag(tag, "BIO2")[1] if isinstance(tag, str) else None
        except ValueError:
            label = None
        if label is None:
            where = next((i, j) for i, s in enumerate(sentences) for j, t in enumerate(s) if t == tag)
            raise ScoringError(
                f"{side} sentence {where[0]}, token {where[1]}: tag is not BIO",
                field="tag",
                value=tag,
                fix="use O, B-TYPE or I-TYPE (convert IOBES/IOB1 tags to IOB2 first)",
            )
        type_ids.setdefault(label, len(type_ids) + 1)
    # One decode over the sentences laid end to end, an ``O`` after each: no entity crosses an ``O``.
    laid = list(chain.from_iterable(chain(s, ("O",)) for s in sentences))
    starts, ends, labels, _ = decode_bio2_arrays(laid, orphans_start=POLICIES[_POLICY[scheme]].orphans_start)
    lengths = np.fromiter((len(s) + 1 for s in sentences), dtype=np.int64, count=len(sentences))
    sentence_index = np.repeat(np.arange(len(sentences), dtype=np.int64), lengths)
    tids = np.fromiter(map(type_ids.__getitem__, labels), dtype=np.int64, count=len(labels))
    return starts.astype(np.int64), ends.astype(np.int64), tids, sentence_index


def tag_chunks(sentences: Sequence[Sequence[str]], *, scheme: str = "conlleval") -> list[tuple[str, int, int, int]]:
    """Read the chunks of tagged sentences.

    Args:
        sentences: One list of BIO tags per sentence.
        scheme: ``conlleval`` or ``iob2`` (see the module docstring).

    Returns:
        ``(type, sentence index, start token, end token exclusive)`` per chunk, in order.

    Raises:
        ScoringError: If a tag is not ``O``, ``B-TYPE`` or ``I-TYPE``.
    """
    _check_scheme(scheme)
    type_ids: dict[str, int] = {}
    starts, ends, tids, sentence = _read(sentences, "input", type_ids, scheme)
    names = {v: k for k, v in type_ids.items()}
    offsets = np.concatenate([[0], np.cumsum([len(s) + 1 for s in sentences])]).astype(np.int64)
    result = []
    for s, e, t in zip(starts.tolist(), ends.tolist(), tids.tolist(), strict=True):
        k = int(sentence[s])
        result.append((names[t], k, s - int(offsets[k]), e - int(offsets[k])))
    return result


def score_tags(
    gold: Sequence[Sequence[str]],
    pred: Sequence[Sequence[str]],
    *,
    scheme: str = "conlleval",
    sentence_docs: Sequence[int] | None = None,
    notes: Mapping[str, int] | None = None,
    out_of_scope: Mapping[str, int] | None = None,
    types: Collection[str] = (),
) -> TokenScores:
    """Score predicted BIO tag sequences against gold ones, chunk by chunk.

    Args:
        gold: Gold tags, one list per sentence.
        pred: Predicted tags, same shape as ``gold``.
        scheme: ``conlleval`` (seqeval default mode) or ``iob2`` (seqeval strict IOB2).
        sentence_docs: Document index of each sentence (default: each sentence is its own document).
        notes: Counters to carry into the result (from a projection).
        out_of_scope: Out-of-scope gold counts to carry into the result.
        types: Labels to put on the type axis even if no chunk has them.

    Returns:
        A :class:`TokenScores` with one unit row per sentence.

    Raises:
        ScoringError: If the shapes differ (naming the first sentence) or a tag is not BIO.
    """
    _check_scheme(scheme)
    if len(gold) != len(pred):
        raise ScoringError(
            "gold and predictions must have the same number of sentences",
            field="pred",
            value=len(pred),
            fix=f"pass {len(gold)} predicted tag sequences",
        )
    for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
        if len(g) != len(p):
            raise ScoringError(
                f"sentence {i}: gold has {len(g)} tags, prediction {len(p)}",
                field="pred",
                value=len(p),
                fix="predict exactly one tag per gold token",
            )
    if sentence_docs is not None and len(sentence_docs) != len(gold):
        raise ScoringError(
            "sentence_docs must have one entry per sentence",
            field="sentence_docs",
            value=len(sentence_docs),
            fix=f"pass {len(gold)} document indices",
        )
    type_ids: dict[str, int] = {}
    gs, ge, gtid, sentence = _read(gold, "gold", type_ids, scheme)
    ps, pe, ptid, _ = _read(pred, "pred", type_ids, scheme)
    names = sorted(type_ids)
    order = np.zeros(len(type_ids) + 1, dtype=np.int64)
    for rank, name in enumerate(names):
        order[type_ids[name]] = rank
    width = len(sentence) + 1
    n_ids = len(type_ids) + 1
    gkey = (gs * width + ge) * n_ids + gtid
    pkey = (ps * width + pe) * n_ids + ptid
    hit_g = np.isin(gkey, pkey, assume_unique=True)
    hit_p = np.isin(pkey, gkey, assume_unique=True)
    present = sorted({names[int(order[t])] for t in set(gtid.tolist()) | set(ptid.tolist())} | set(types))
    rank = {name: i for i, name in enumerate(present)}
    remap = np.zeros(n_ids, dtype=np.int64)
    for name, tid in type_ids.items():
        if name in rank:
            remap[tid] = rank[name]
    n_sent, n_types = len(gold), len(present)
    array = np.zeros((n_sent, n_types, 3), dtype=np.float64)
    if n_types:
        size = n_sent * n_types
        for column, idx, mask in ((0, gs, hit_g), (2, gs, ~hit_g)):
            flat = sentence[idx[mask]] * n_types + remap[gtid[mask]]
            array[:, :, column] = np.bincount(flat, minlength=size).reshape(n_sent, n_types)
        flat = sentence[ps[~hit_p]] * n_types + remap[ptid[~hit_p]]
        array[:, :, 1] = np.bincount(flat, minlength=size).reshape(n_sent, n_types)
    docs = tuple(range(n_sent)) if sentence_docs is None else tuple(int(d) for d in sentence_docs)
    return TokenScores(
        types=tuple(present),
        unit_counts=array,
        unit_docs=docs,
        scheme=scheme,
        out_of_scope=dict(out_of_scope or {}),
        notes={k: v for k, v in sorted((notes or {}).items()) if v},
    )


@dataclass(frozen=True)
class TagProjection:
    """BIO tags of the words of one text.

    Attributes:
        offsets: ``(start, end)`` of every word (:func:`arabench.annotations.tokenize.word_offsets`).
        tags: One BIO2 tag per word.
        conflicts: Spans that could not be encoded because their words were
            already tagged (crossing or same-range spans of the flat layer).
        unsnappable: Spans covering no word.
    """

    offsets: tuple[tuple[int, int], ...]
    tags: tuple[str, ...]
    conflicts: tuple[Span, ...] = ()
    unsnappable: tuple[Span, ...] = ()


def spans_to_tags(text: str, spans: Collection[Span], *, index: WordIndex | None = None) -> TagProjection:
    """Project the outermost of ``spans`` onto BIO2 tags over the words of ``text``.

    Spans are taken in sorted order; a span that touches a word already
    tagged is not encoded and is returned in :attr:`TagProjection.conflicts`
    (never silently dropped).
    """
    index = index or WordIndex.of(text)
    tags = ["O"] * len(index)
    conflicts, unsnappable = [], []
    starts, ends = index.starts, index.ends
    for span in outermost(spans):
        first = bisect_right(ends, span.start)  # index.token_range, inlined: a corpus has a span per 8 words
        last = bisect_left(starts, span.end)
        if first >= last:
            unsnappable.append(span)
            continue
        if tags[first] != "O" or (last - first > 1 and any(t != "O" for t in tags[first + 1 : last])):
            conflicts.append(span)
            continue
        tags[first:last] = encode([(0, last - first, span.label)], last - first)
    offsets = tuple(zip(index.starts, index.ends, strict=True))
    return TagProjection(offsets, tuple(tags), tuple(conflicts), tuple(unsnappable))


def score_token_view(
    gold: Sequence[Sequence[Span]],
    pred: Sequence[Sequence[Span]],
    *,
    texts: Sequence[str],
    scheme: str = "conlleval",
    units: Sequence[Sequence[tuple[int, int]]] | None = None,
    labels: Collection[str] | None = None,
    types: Collection[str] = (),
    words: Sequence[Sequence[tuple[int, int]] | None] | None = None,
) -> TokenScores:
    """Score spans through their CoNLL projection (flat layer, BIO2 over words).

    Args:
        gold: Gold spans of each document.
        pred: Predicted spans of each document.
        texts: The document texts.
        scheme: ``conlleval`` or ``iob2``.
        units: Per document, sentence character ranges; a word belongs to the
            sentence containing its start, and each sentence is one tag
            sequence. Default: one sequence per document.
        labels: Labels the model can emit; other gold labels are counted in
            ``out_of_scope`` instead of scored.
        types: Labels to put on the type axis even if absent.
        words: Per document, the ``(start, end)`` of its own tokens (a CoNLL corpus's), or ``None`` for the
            words of :func:`arabench.annotations.tokenize.word_offsets` (:func:`arabench.eval.spans.words_index`).

    Returns:
        A :class:`TokenScores` with one unit row per sentence.
    """
    _check_scheme(scheme)
    return score_token_views(
        gold, pred, texts=texts, schemes=(scheme,), units=units, labels=labels, types=types, words=words
    )[scheme]


def score_token_views(
    gold: Sequence[Sequence[Span]],
    pred: Sequence[Sequence[Span]],
    *,
    texts: Sequence[str],
    schemes: Sequence[str] = TOKEN_SCHEMES,
    units: Sequence[Sequence[tuple[int, int]]] | None = None,
    labels: Collection[str] | None = None,
    types: Collection[str] = (),
    words: Sequence[Sequence[tuple[int, int]] | None] | None = None,
) -> dict[str, TokenScores]:
    """:func:`score_token_view` in several schemes: the spans are projected onto tags once, then scored per scheme.

    ``words``: per document, its own tokens (a CoNLL corpus's), or ``None`` (:func:`arabench.eval.spans.words_index`).

    Returns:
        Scheme -> scores, each equal to ``score_token_view(..., scheme=scheme)``.
    """
    for scheme in schemes:
        _check_scheme(scheme)
    if not (len(gold) == len(pred) == len(texts)):
        raise ScoringError(
            "gold, predictions and texts must have the same number of documents",
            field="pred",
            value=(len(gold), len(pred), len(texts)),
            fix="pass one entry per document in each",
        )
    if units is not None and len(units) != len(texts):
        raise ScoringError("units must have one entry per document", field="units", value=len(units))
    if words is not None and len(words) != len(texts):
        raise ScoringError("words must have one entry per document", field="words", value=len(words))
    scope = None if labels is None else frozenset(labels)
    notes: Counter = Counter()
    out_of_scope: Counter = Counter()
    gold_sents: list[list[str]] = []
    pred_sents: list[list[str]] = []
    docs: list[int] = []
    for d, text in enumerate(texts):
        index = words_index(text, None if words is None else words[d], doc=d)
        doc_gold = list(gold[d])
        if scope is not None:
            for s in doc_gold:
                if s.label not in scope:
                    out_of_scope[s.label] += 1
            doc_gold = [s for s in doc_gold if s.label in scope]
        projected = []
        for side, spans in (("gold", doc_gold), ("pred", pred[d])):
            proj = spans_to_tags(text, spans, index=index)
            notes[f"{side}_conflicts"] += len(proj.conflicts)
            notes[f"{side}_unsnappable"] += len(proj.unsnappable)
            projected.append(proj.tags)
        if units is None:
            gold_sents.append(list(projected[0]))
            pred_sents.append(list(projected[1]))
            docs.append(d)
            continue
        bounds = list(units[d])
        starts = index.starts
        k = 0
        for u, (us, ue) in enumerate(bounds):
            if u and us < bounds[u - 1][1]:
                raise ScoringError(
                    "scoring units must be sorted and non-overlapping",
                    field=f"units[{d}][{u}]",
                    value=(us, ue),
                    fix="pass each document's sentences as increasing half-open ranges",
                )
            if k < len(starts) and starts[k] < us:
                raise ScoringError(
                    f"document {d}: word at {starts[k]} lies outside every scoring unit",
                    field="units",
                    value=(starts[k], index.ends[k]),
                    fix="make the units cover every word",
                )
            j = k
            while j < len(starts) and starts[j] < ue:
                j += 1
            for side, tags in (("gold", projected[0]), ("pred", projected[1])):
                if k < j and tags[k].startswith("I-"):
                    notes[f"{side}_unit_crossing"] += 1
            gold_sents.append(list(projected[0][k:j]))
            pred_sents.append(list(projected[1][k:j]))
            docs.append(d)
            k = j
        if k < len(starts):
            raise ScoringError(
                f"document {d}: word at {starts[k]} lies outside every scoring unit",
                field="units",
                value=(starts[k], index.ends[k]),
                fix="make the units cover every word",
            )
    return {
        scheme: score_tags(
            gold_sents,
            pred_sents,
            scheme=scheme,
            sentence_docs=docs,
            notes=notes,
            out_of_scope=dict(sorted(out_of_scope.items())),
            types=types,
        )
        for scheme in schemes
    }
