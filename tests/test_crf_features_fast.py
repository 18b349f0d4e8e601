"""The CRF's fast feature extraction gives exactly the features of the plain per-word, per-offset definition.

``reference_features`` below is the definition as it was written before the extraction was made
faster (every context feature formatted for every word and offset); the model's features, and so
its predictions, must be the same lists in the same order, on real sentences and on random ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from arabench.models.crf import features as F
from hypothesis import given, settings
from hypothesis import strategies as st

# shared/ beside the clone (CI, the main checkout) or beside the folder of worktrees
DATA = next(
    (p for p in (Path(__file__).resolve().parents[k] / ".." / "shared" / "data" for k in (1, 2)) if p.is_dir()),
    Path(__file__).resolve().parents[1] / ".." / "shared" / "data",
)


def reference_gazetteer_tags(norms, stems):
    names = F.gazetteer()
    tags = [None] * len(norms)
    i = 0
    while i < len(norms):
        found = 0
        for length in (4, 3, 2, 1):
            if i + length > len(norms):
                continue
            rest = tuple(norms[i + 1 : i + length])
            for first in (norms[i], "ال" + stems[i], stems[i]):
                kind = names.get((first, *rest))
                if kind:
                    found = length
                    break
            if found:
                break
        if found:
            tags[i] = f"B-{kind}"
            for k in range(i + 1, i + found):
                tags[k] = f"I-{kind}"
            i += found
        else:
            i += 1
    return tags


def reference_word_features(word):
    norm = F.normalized(word)
    loose = norm.translate(F._LOOSE)
    pc, art, stem = F.split_clitics(loose)
    shape = F._shape(word)
    feats = [f"w={word}", f"n={norm}", f"l={loose}", f"shape={shape}", f"len={min(len(norm), 8)}"]
    if shape in {"word", "latin"}:
        for k in range(1, 5):
            if len(loose) > k:
                feats.append(f"p{k}={loose[:k]}")
                feats.append(f"s{k}={loose[-k:]}")
        padded = f"<{stem}>"
        feats += [f"c3={padded[k : k + 3]}" for k in range(len(padded) - 2)]
        if art:
            feats += [f"art={pc}{art}", f"stem={stem}", "has_art"]
        elif pc:
            feats += [f"pc={pc}", f"pstem={stem}"]
        nisba = next((e for e in F._NISBA if stem.endswith(e) and len(stem) - len(e) >= 2), None)
        if nisba:
            feats.append(f"nisba={nisba}")
            feats.append(f"nisba_art={bool(art)}")
    elif shape == "num":
        feats.append(f"digits={min(len(norm), 5)}")
    return feats


def reference_features(words):
    n = len(words)
    own = [reference_word_features(w) for w in words]
    norms = [F.normalized(w).translate(F._LOOSE) for w in words]
    clitics = [F.split_clitics(x) for x in norms]
    stems = [c[2] for c in clitics]
    gaz = reference_gazetteer_tags(norms, stems)

    def at(k):
        return "<s>" if k < 0 else "</s>" if k >= n else norms[k]

    out = []
    for i in range(n):
        feats = ["bias", *own[i]]
        if gaz[i]:
            feats.append(f"gaz={gaz[i]}")
        if i == 0:
            feats.append("BOS")
        if i == n - 1:
            feats.append("EOS")
        feats.append(f"pos={min(i, 3)}")
        for off in (-2, -1, 1, 2):
            feats.append(f"{off}:n={at(i + off)}")
        for off in (-1, 1):
            k = i + off
            if 0 <= k < n:
                feats.append(f"{off}:stem={stems[k]}")
                feats.append(f"{off}:s2={norms[k][-2:]}")
                feats.append(f"{off}:art={bool(clitics[k][1])}")
                if gaz[k]:
                    feats.append(f"{off}:gaz={gaz[k]}")
        feats.append(f"-1|0={at(i - 1)}|{norms[i]}")
        feats.append(f"0|+1={norms[i]}|{at(i + 1)}")
        feats.append(f"-2|-1={at(i - 2)}|{at(i - 1)}")
        feats.append(f"+1|+2={at(i + 1)}|{at(i + 2)}")
        out.append(feats)
    return out


def test_word_features_are_the_reference_ones() -> None:
    for word in ["القاهرة", "وبالقاهرة", "للعراق", "المصريون", "2002", "U.N.", "،", "ـ", "إلى"]:
        assert F.word_features(word) == reference_word_features(word)


@pytest.mark.skipif(not (DATA / "anercorp_train.conll").is_file(), reason="shared data not present")
def test_real_sentences_have_the_reference_features() -> None:
    sentences, current = [], []
    for line in (DATA / "anercorp_train.conll").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if current:
                sentences.append(current)
            current = []
            continue
        current.append(line.split("\t")[0])
    for words in sentences[:600]:
        assert F.sentence_features(words) == reference_features(words)


WORDS = st.sampled_from(
    ["مصر", "القاهرة", "الولايات", "المتحدة", "و", "في", "بالأمم", "لندن", "نيويورك", "ال", "٢٠٠٢", "x", "(", "سوريا"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(WORDS, st.text(alphabet="ابتسلمنويةىأ٠1 .", min_size=1, max_size=6)), max_size=12))
def test_random_sentences_have_the_reference_features(words) -> None:
    words = [w for w in words if w.strip()]
    assert F.sentence_features(words) == reference_features(words)
