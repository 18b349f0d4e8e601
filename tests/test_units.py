"""A CoNLL or token-table corpus is scored on its own sentences and tokens, by every command.

The parity checks (``run`` with ``rules`` and with a ``file:`` model, ``score``, seqeval) run on the real
splits of ``../shared/data`` (skipped when absent): AQMAR dev, a slice of ANERcorp train used as a test
file, and the NewsFANE-style file built from both (:mod:`tests.units_parity`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from units_parity import DATA, newsfane_like, parity, slice_conll

from arabench.annotations.errors import AnnotationError
from arabench.annotations.spans import Span
from arabench.benchmark.corpus_io import load_corpus
from arabench.benchmark.runner import run
from arabench.models.base import Prediction

needs_data = pytest.mark.skipif(not (DATA / "aqmar_dev.conll").is_file(), reason="../shared/data is absent")


def _corpus(name: str, tmp_path: Path) -> Path:
    if name == "aqmar_dev":
        return DATA / "aqmar_dev.conll"
    if name == "anercorp_train_slice":  # ANERcorp train sentences used as a test file
        return slice_conll(DATA / "anercorp_train.conll", tmp_path / "anercorp_slice.conll", 600, skip=1000)
    return newsfane_like(tmp_path / "newsfane.conll", anercorp=250, aqmar=150, per_document=100)


@needs_data
@pytest.mark.parametrize("name", ["aqmar_dev", "anercorp_train_slice", "newsfane_like"])
def test_run_score_and_seqeval_give_the_same_micro_f1(name: str, tmp_path: Path) -> None:
    gold = _corpus(name, tmp_path)
    found = parity(gold, tmp_path, cache_dir=tmp_path / "cache")
    assert [p.model for p in found] == ["rules", "file:"]
    for p in found:
        assert 0 < p.seqeval_f1 < 1  # real predictions with errors, not a trivial case
        assert p.run_f1 == p.seqeval_f1, p  # to the last digit
        assert p.run_tokens_f1 == p.seqeval_f1, p
    assert found[1].score_f1 == found[1].seqeval_f1


@needs_data
def test_the_corpus_sentences_are_the_files_own() -> None:
    corpus = load_corpus(DATA / "aqmar_dev.conll")
    blocks = (DATA / "aqmar_dev.conll").read_text(encoding="utf-8").strip().split("\n\n")
    assert corpus.own_units and corpus.unit == "sentence"
    assert corpus.n_units == len(blocks) == 711
    assert sum(len(w or ()) for w in corpus.words) == sum(len(b.splitlines()) for b in blocks)
    assert load_corpus(DATA / "aqmar_dev.conll", units="split").n_units != 711  # re-split: an explicit choice


#: One sentence whose entity holds a ``.`` token followed by white space: arabench's sentence rule would cut it.
DOTTED = "زار\tO\nد\tB-PERS\n.\tI-PERS\nأحمد\tI-PERS\nالمدينة\tB-LOC\n\nوصل\tO\n(محمد)\tB-PERS\n.\tO\n"


def test_a_sentence_is_never_re_split_by_default(tmp_path: Path) -> None:
    gold = tmp_path / "dotted.conll"
    gold.write_text(DOTTED, encoding="utf-8")
    own = load_corpus(gold)
    split = load_corpus(gold, units="split")
    assert own.n_units == 2
    assert split.n_units == 3
    # the file's tokens are the words: "(محمد)" is one word, not three
    assert len(own.words[0]) == 8
    pred = tmp_path / "pred.conll"  # the dotted name predicted as two names around an untagged "."
    pred.write_text(DOTTED.replace(".\tI-PERS\nأحمد\tI-PERS", ".\tO\nأحمد\tB-PERS"), encoding="utf-8")
    name = f"file:{pred}"
    results = {}
    for corpus in (own, split):
        got = run([name], corpus=corpus, bootstrap=0, cache=False, cache_dir=tmp_path / "c")
        scores = got.models[0].scores["anercorp"]
        results[corpus.n_units] = (
            scores["spans"]["strict"]["word"]["flat"]["micro"]["f1"],
            scores["tokens"]["conlleval"]["micro"]["f1"],
        )
    seqeval = pytest.importorskip("seqeval.metrics")

    def tags(content: str) -> list[list[str]]:
        return [[line.split("\t")[1] for line in block.splitlines()] for block in content.strip().split("\n\n")]

    expected = seqeval.f1_score(tags(DOTTED), tags(pred.read_text(encoding="utf-8")))
    assert expected == pytest.approx(4 / 7)  # gold 3 chunks, predicted 4, 2 right
    assert results[2] == (expected, expected)
    assert results[3][1] != expected  # re-split, the dotted name became two gold chunks: the old discrepancy


def test_a_token_table_is_scored_on_its_rows(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    rows = [{"tokens": ["قال", "د.", "أحمد", ".", "ثم", "ذهب"], "ner_tags": ["O", "B-PER", "I-PER", "O", "O", "O"]}]
    rows += [{"tokens": ["ذهب", "علي", "."], "ner_tags": ["O", "B-PER", "O"]} for _ in range(39)]
    path = tmp_path / "rows.parquet"
    datasets.Dataset.from_list(rows).to_parquet(str(path))
    corpus = load_corpus(str(path))
    assert corpus.own_units and corpus.n_units == 40
    assert load_corpus(str(path), units="split").n_units == 42  # cut after "د." and after "."
    import contextlib
    import io

    from arabench.benchmark.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["stats", str(path), "--json"]) == 0
    stats = json.loads(out.getvalue())
    assert stats["sentences"] == 40
    assert stats["tokens"] == 6 + 39 * 3


def test_unknown_units_are_refused(tmp_path: Path) -> None:
    gold = tmp_path / "g.conll"
    gold.write_text(DOTTED, encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"unknown scoring units.*use one of file, split"):
        load_corpus(gold, units="sentences")


class _Crossing:
    """A model that predicts one span over the line break between the two sentences."""

    name = "crossing"
    view = "anercorp"
    labels = frozenset({"PERS", "LOC"})

    def predict(self, texts: list[str]) -> list[Prediction]:
        return [Prediction(spans=(Span(t.index("المدينة"), t.index("وصل") + 3, "LOC"),)) for t in texts]

    def provenance(self) -> dict[str, object]:
        return {"id": "crossing", "revision": "1", "adapter_version": "1", "label_map": None}


def test_a_span_across_sentences_is_counted(tmp_path: Path) -> None:
    gold = tmp_path / "g.conll"
    gold.write_text(DOTTED, encoding="utf-8")
    results = run([_Crossing()], corpus=str(gold), bootstrap=0, cache=False, cache_dir=tmp_path / "c")
    assert results.models[0].diagnostics["spans_across_sentences"] == 1


def test_rules_never_emit_a_span_across_a_line_break() -> None:
    from arabench.models.rules.adapter import RuleModel

    text = "وصل الرئيس محمد\nعلي إلى القاهرة يوم 3 مارس\n2020 ."
    for span in RuleModel().predict([text])[0].spans:
        assert "\n" not in text[span.start : span.end], span
