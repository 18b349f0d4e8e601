"""Packed windows of the Hugging Face adapter: a predicted span never crosses a sentence or a line."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_models import build_tiny_bert

from arabench.annotations.tokenize import sentence_ranges
from arabench.models.hf import spans_from_words
from arabench.models.labelmap import LabelMap
from arabench.models.registry import create_model

TEXT = "قال محمد علي في بيروت\nذهب أحمد إلى القاهرة. وصل سمير"


@pytest.fixture(scope="module")
def inside_everywhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_bert(tmp_path_factory.mktemp("tiny") / "bert_i", force="I-LOC")


@pytest.mark.parametrize("input_", ["raw", "words"])
def test_a_window_packing_several_sentences_gives_one_span_per_sentence(inside_everywhere: Path, input_: str) -> None:
    model = create_model(f"hf:{inside_everywhere}", input=input_)
    prediction = model.predict([TEXT])[0]
    sentences = sentence_ranges(TEXT)
    assert len(sentences) == 3 and prediction.diagnostics["windows"] == 1  # one window holds all three
    assert sorted((s.start, s.end) for s in prediction.spans) == sentences
    assert all("\n" not in TEXT[s.start : s.end] for s in prediction.spans)


def test_breaks_cut_the_decoding_between_words() -> None:
    text = "abc def\nghi"
    words = [(0, 3, "B-LOC"), (4, 7, "I-LOC"), (8, 11, "I-LOC")]
    label_map = LabelMap({"LOC": "LOC"})
    joined, _ = spans_from_words(text, words, label_map)
    assert [(s.start, s.end) for s in joined] == [(0, 11)]
    cut, diagnostics = spans_from_words(text, words, label_map, breaks=[8])
    assert [(s.start, s.end) for s in cut] == [(0, 7), (8, 11)]
    assert diagnostics["repaired_tags"] == 1  # the I- that begins the second line
