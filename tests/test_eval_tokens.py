from __future__ import annotations

import numpy as np
import pytest

from arabench.annotations.errors import ScoringError
from arabench.annotations.spans import Span
from arabench.eval.tokens import score_tags, score_token_view, spans_to_tags, tag_chunks

TEXT = "التقى سمير بن علي وزير الخارجية في بيروت. ثم عاد إلى القاهرة"


def at(word: str, label: str) -> Span:
    start = TEXT.index(word)
    return Span(start, start + len(word), label)


@pytest.mark.parametrize(
    ("tags", "scheme", "chunks"),
    [
        (["B-A", "I-A", "O", "B-B"], "conlleval", [("A", 0, 0, 2), ("B", 0, 3, 4)]),
        (["I-A", "I-A", "B-A"], "conlleval", [("A", 0, 0, 2), ("A", 0, 2, 3)]),
        (["I-A", "I-A", "B-A"], "iob2", [("A", 0, 2, 3)]),
        (["B-A", "I-B", "I-B"], "conlleval", [("A", 0, 0, 1), ("B", 0, 1, 3)]),
        (["B-A", "I-B", "I-B"], "iob2", [("A", 0, 0, 1)]),
        (["O", "O"], "iob2", []),
        ([], "conlleval", []),
    ],
)
def test_tag_chunks(tags, scheme, chunks) -> None:
    assert tag_chunks([tags], scheme=scheme) == chunks


def test_chunks_never_cross_sentences() -> None:
    assert tag_chunks([["B-A"], ["I-A"]], scheme="conlleval") == [("A", 0, 0, 1), ("A", 1, 0, 1)]


@pytest.mark.parametrize("bad", ["PER", "E-PER", "B-", "S-LOC", None])
def test_non_bio_tags_are_errors_naming_the_position(bad) -> None:
    with pytest.raises(ScoringError, match=r"pred sentence 1, token 2: tag is not BIO"):
        score_tags([["O"], ["O", "O", "O"]], [["O"], ["O", "B-A", bad]])


def test_shape_mismatch_is_an_error() -> None:
    with pytest.raises(ScoringError, match="sentence 0: gold has 2 tags, prediction 1"):
        score_tags([["O", "O"]], [["O"]])
    with pytest.raises(ScoringError, match="one entry per sentence"):
        score_tags([["O"]], [["O"]], sentence_docs=[0, 0])
    with pytest.raises(ScoringError, match="unknown token scheme"):
        score_tags([], [], scheme="bioes")


def test_unit_rows_are_sentences() -> None:
    scores = score_tags([["B-A"], ["B-B", "O"]], [["B-A"], ["O", "B-B"]], sentence_docs=[0, 0])
    assert scores.types == ("A", "B")
    assert scores.unit_docs == (0, 0)
    assert np.array_equal(scores.unit_counts[:, :, :], [[[1, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 1, 1]]])


def test_spans_to_tags_encodes_the_flat_layer_and_reports_conflicts() -> None:
    person = Span(TEXT.index("سمير"), TEXT.index("علي") + 3, "PERS")
    occ = Span(TEXT.index("وزير"), TEXT.index("الخارجية") + 8, "OCC")
    inner = at("الخارجية", "ORG")  # nested in OCC: not in the flat layer
    crossing = Span(TEXT.index("علي"), TEXT.index("وزير") + 4, "X")
    proj = spans_to_tags(TEXT, [person, occ, inner, crossing])
    assert proj.tags[:6] == ("O", "B-PERS", "I-PERS", "I-PERS", "B-OCC", "I-OCC")
    assert proj.conflicts == (crossing,)
    assert len(proj.tags) == len(proj.offsets)


def test_token_view_counts_what_it_cannot_encode_and_splits_units() -> None:
    cut = TEXT.index("ثم")
    gold = [[at("بيروت", "GPE"), at("القاهرة", "GPE"), at("سمير", "PERS")]]
    pred = [[at("بيروت", "GPE"), at("القاهرة", "LOC"), at("سمير", "PERS"), at("سمير", "ORG")]]
    scores = score_token_view(gold, pred, texts=[TEXT], units=[[(0, cut), (cut, len(TEXT))]], labels={"GPE", "LOC"})
    assert scores.out_of_scope == {"PERS": 1}
    assert scores.notes == {"pred_conflicts": 1}
    assert scores.unit_docs == (0, 0)
    assert scores.per_type["GPE"].tp == 1 and scores.per_type["GPE"].fn == 1
    assert scores.per_type["LOC"].fp == 1
    # same range, two labels: the first in sorted order (ORG) is encoded, PERS is the counted conflict
    assert scores.per_type["ORG"].fp == 1
    assert "PERS" not in scores.types


def test_token_view_unit_errors() -> None:
    with pytest.raises(ScoringError, match="outside every scoring unit"):
        score_token_view([[]], [[]], texts=[TEXT], units=[[(0, 5)]])
    with pytest.raises(ScoringError, match="same number of documents"):
        score_token_view([[]], [], texts=[TEXT])
