"""The CRF's fast feature extraction gives exactly the features of the plain per-word, per-offset definition.

:mod:`crf_reference` is the definition as it was written before the extraction was made faster (every
context feature formatted for every word and offset, its own copy of the normalization); the model's
features, and so its predictions, must be the same lists in the same order, on real sentences and on
random ones (Arabic letters, marks, tatweel, zero-width marks, digits of three scripts, punctuation).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from crf_reference import conll_words
from crf_reference import gazetteer as reference_gazetteer
from crf_reference import normalized as reference_normalized
from crf_reference import sentence_features as reference_features
from crf_reference import word_features as reference_word_features
from hypothesis import given, settings
from hypothesis import strategies as st

from arabench.models.crf import features as F

# shared/ beside the clone (CI, the main checkout) or beside the folder of worktrees
DATA = next(
    (p for p in (Path(__file__).resolve().parents[k] / ".." / "shared" / "data" for k in (1, 2)) if p.is_dir()),
    Path(__file__).resolve().parents[1] / ".." / "shared" / "data",
)


def test_word_features_are_the_reference_ones() -> None:
    for word in ["القاهرة", "وبالقاهرة", "للعراق", "المصريون", "2002", "U.N.", "،", "ـ", "إلى"]:
        assert F.word_features(word) == reference_word_features(word)


@pytest.mark.parametrize("name", ["anercorp_train.conll", "aqmar_dev.conll"])
def test_real_sentences_have_the_reference_features(name: str) -> None:
    if not (DATA / name).is_file():
        pytest.skip("shared data not present")
    for words in conll_words(DATA / name):  # every sentence: the training split's features decide the model
        assert F.sentence_features(words) == reference_features(words)


def test_gazetteer_is_the_reference_one() -> None:
    assert F.gazetteer() == reference_gazetteer()


#: Letters and what normalization drops or unifies: hamza forms of alef, alef wasla, alef maqsura, teh marbuta,
#: Persian yeh and keheh, harakat, shadda, superscript alef, tatweel, zero-width marks, three scripts of digits,
#: Arabic and Latin punctuation, Latin letters.
ALPHABET = "ابتسلمنويةىأإآٱءکی\u064b\u064e\u0650\u0651\u0652\u0670\u0640\u200b\u200c\u200f\ufeff0٠١٩۰۹،؛؟.(-xA"

WORDS = st.sampled_from(
    ["مصر", "القاهرة", "الولايات", "المتحدة", "و", "في", "بالأمم", "لندن", "نيويورك", "ال", "٢٠٠٢", "x", "(", "سوريا"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(WORDS, st.text(alphabet=ALPHABET, min_size=1, max_size=8)), max_size=12))
def test_random_sentences_have_the_reference_features(words) -> None:
    words = [w for w in words if w.strip()]
    assert F.sentence_features(words) == reference_features(words)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(alphabet=ALPHABET, max_size=12), st.text(max_size=12)))
def test_normalized_is_the_reference_one(word: str) -> None:
    # any character at all: the per-character table must agree with the per-character rule everywhere
    assert F.normalized(word) == reference_normalized(word)
    assert F.word_features(word) == reference_word_features(word)
