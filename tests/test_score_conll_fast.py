"""The fast path of ``arabench score`` on CoNLL files gives what the checked path gives, or steps aside.

The fast path reads bytes with array scans (:mod:`arabench.annotations.conll_simple`) and scores
every mode from span arrays (:func:`arabench.eval.spans.score_span_arrays`); whatever it accepts
must score exactly as the checked reader, and whatever it refuses must reach the checked reader
(same errors, same messages).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arabench.annotations.conll_simple import _space_starts, simple_columns
from arabench.benchmark import score_files
from arabench.benchmark.score_files import score_settings
from arabench.eval.modes import MODES, span_grid
from arabench.eval.spans import score_span_arrays, score_span_sets

GRID = list(span_grid())


def test_space_starts_matches_isspace_for_every_code_point() -> None:
    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000]
    encoded = [c.encode("utf-8") for c in chars]
    sizes = np.array([len(e) for e in encoded])
    at = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    codes = np.frombuffer(b"".join(encoded) + b"\n\n\n", dtype=np.uint8)
    expected = np.array([c.isspace() for c in chars])
    assert (_space_starts(codes, at) == expected).all()
    for length in (1, 2, 3):
        found = _space_starts(codes, at, length=length)
        assert (found == (expected & (sizes == length))).all()


EDGES = ["\u00a0x", "x\u2003", "\u3000", "x\u0085"]  # white space at a token's ends: the checked path
TOKENS = st.sampled_from(["قال", "بيروت", "«", "»", "a", "x\u00a0y", "b c", "ـ", "😀", "9", "\u200f", "،"] * 4 + EDGES)
TAGS = st.sampled_from(["O", "O", "O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "B-مكان", "I-مكان", "B-ORGANIZATION_X"])
ODD_TAGS = st.sampled_from(["O", "B-PERS", "I-LOC", "X", "B-", "E-LOC", "B-LOC ", "B_LOC", "o"])


@st.composite
def conll_pairs(draw: st.DrawFn) -> tuple[bytes, bytes]:
    """Two CoNLL files over the same tokens (mostly), tags drawn, sometimes odd shapes."""
    sentences = draw(st.lists(st.lists(TOKENS, min_size=1, max_size=6), min_size=1, max_size=8))
    odd = draw(st.integers(0, 3)) == 0
    lines_g, lines_p = [], []
    for sentence in sentences:
        for token in sentence:
            lines_g.append(f"{token}\t{draw(ODD_TAGS if odd else TAGS)}")
            lines_p.append(f"{token}\t{draw(TAGS)}")
        lines_g.append("")
        lines_p.append("")
    if draw(st.integers(0, 3)) == 0 and len(lines_p) > 2:  # a token changed, or a line lost
        k = draw(st.integers(0, len(lines_p) - 1))
        lines_p[k] = draw(st.sampled_from(["other\tO", ""]))
    gold = "\n".join(lines_g).encode("utf-8")
    pred = "\n".join(lines_p).encode("utf-8")
    if draw(st.booleans()):
        gold = b"\xef\xbb\xbf" + gold
    if draw(st.booleans()):
        pred += b"\n"
    return gold, pred


def _outcome(gold: Path, pred: Path) -> object:
    try:
        reports = score_settings(gold, pred, settings=GRID)
    except Exception as exc:  # the same error, with the same message, either way
        return type(exc).__name__, str(exc)
    # The fast path scores the file as one document, the checked one sentence by sentence: the same counts.
    return [score_files.report_json(r) for r in reports]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pair=conll_pairs(), block=st.sampled_from([8, 64, 1 << 22]))
def test_the_fast_path_scores_as_the_checked_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pair: tuple[bytes, bytes], block: int
) -> None:
    gold, pred = tmp_path / "g.conll", tmp_path / "p.conll"
    gold.write_bytes(pair[0])
    pred.write_bytes(pair[1])
    monkeypatch.setattr(score_files, "_BLOCK", block)  # blocks of a few lines: every block boundary
    fast = _outcome(gold, pred)
    monkeypatch.setattr(score_files, "_read_conll_simple", lambda *_: None)
    assert fast == _outcome(gold, pred)


@pytest.mark.parametrize("block", [8, 64, 1 << 22])
def test_the_fast_path_takes_simple_files_in_any_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    tokens = ["قال", "«", "x\u00a0y", "😀", "بيروت", "»"]
    gold_tags = ["O", "B-مكان", "I-مكان", "B-ORGANIZATION_X", "O", "I-PERS"]
    pred_tags = ["B-PERS", "B-مكان", "O", "B-ORGANIZATION_X", "I-LOC", "I-PERS"]
    gold, pred = tmp_path / "g.conll", tmp_path / "p.conll"
    for path, tags in ((gold, gold_tags), (pred, pred_tags)):
        lines = [f"{t}\t{tag}" + ("\n" if k % 2 else "") for k, (t, tag) in enumerate(zip(tokens, tags, strict=True))]
        path.write_text("\n".join(lines * 5), encoding="utf-8")
    monkeypatch.setattr(score_files, "_BLOCK", block)
    read = score_files._read_conll_simple(str(gold), str(pred))
    assert read is not None and read.sentences == 15
    fast = _outcome(gold, pred)
    monkeypatch.setattr(score_files, "_read_conll_simple", lambda *_: None)
    assert fast == _outcome(gold, pred)


@pytest.mark.parametrize(
    ("text", "simple"),
    [
        ("x\u00a0y\tO\n", True),  # a no-break space inside a token
        ("\u00a0x\tO\n", False),  # ... at its start
        ("x\u2003\tO\n", False),  # an em space at its end
        ("«\tB-LOC\n»\tO\n", True),  # 0xC2 lead bytes that are no spaces
        ("x\tB-مكان\n", True),  # a type in Arabic
        ("x\tB-ORGANIZATION_X\n\ny\tI-ORGANIZATION_Y\n", True),  # types longer than 8 bytes
        ("x\tB-LO\x00C\n", False),  # a NUL
        (b"x\tB-\xff\n", False),  # not UTF-8
        ("x\tO", False),  # not whole lines
        ("x\tO\n#\tO\n", False),  # a comment
    ],
)
def test_simple_columns_edges(text: str | bytes, simple: bool) -> None:
    assert (simple_columns(text) is not None) is simple


def test_types_longer_than_a_word_keep_apart() -> None:
    cols = simple_columns("a\tB-ORGANIZATION_X\nb\tI-ORGANIZATION_Y\nc\tB-ORGANIZATION_X\n")
    assert cols is not None
    names = [cols.labels[(c >> 1) - 1] for c in cols.codes.tolist()]
    assert names == ["ORGANIZATION_X", "ORGANIZATION_Y", "ORGANIZATION_X"]


@st.composite
def disjoint_spans(draw: st.DrawFn, labels: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    cuts = sorted(draw(st.sets(st.integers(0, 60), max_size=24)))
    spans = []
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        if draw(st.booleans()):
            spans.append((a, b, draw(st.integers(0, labels - 1))))
    if not spans:
        return tuple(np.zeros(0, dtype=np.int64) for _ in range(3))  # type: ignore[return-value]
    return tuple(np.array(x, dtype=np.int64) for x in zip(*spans, strict=True))  # type: ignore[return-value]


@settings(max_examples=300, deadline=None)
@given(gold=disjoint_spans(3), pred=disjoint_spans(3))
def test_span_arrays_score_as_span_sets(gold: tuple, pred: tuple) -> None:
    labels = ["LOC", "ORG", "PERS"]
    notes = {"pred_repairs": 2}
    by_mode = score_span_arrays(gold, pred, labels, modes=list(MODES), notes=notes)

    def as_set(side: tuple) -> set:
        return {(a, b, labels[k]) for a, b, k in zip(*(x.tolist() for x in side), strict=True)}

    for mode in MODES:
        expected = score_span_sets([as_set(gold)], [as_set(pred)], mode=mode, notes=notes, disjoint=True)
        got = by_mode[mode]
        assert got.types == expected.types, mode
        assert got.unit_counts.tolist() == expected.unit_counts.tolist(), mode
        assert (got.unit_docs, dict(got.notes), got.mode) == (expected.unit_docs, dict(expected.notes), mode)
