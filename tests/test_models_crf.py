"""Tests of the CRF baseline: features, deterministic cached training, the adapter on raw text, the registry.

The models here are trained on a tiny CoNLL set written for these tests (general news sentences, none from
the gold article), which trains in well under a second; one test (marked slow, about 13 s of CPU) trains on
nine tenths of the packaged train split and checks a floor on the last tenth, so that a feature change that
breaks learning fails the suite. ``tests/benchmarks/bench_crf.py`` prints the full scores.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import arabench.annotations.tokenize as text_facts
from arabench.annotations.conll import read_conll
from arabench.annotations.errors import AnnotationError, ModelError
from arabench.annotations.spans import Span
from arabench.annotations.tokenize import sentence_ranges, word_offsets
from arabench.eval.spans import score_spans
from arabench.models.base import NERModel
from arabench.models.crf import features as crf_features
from arabench.models.crf import train as crf_train
from arabench.models.crf.adapter import CRFModel, sentence_words
from arabench.models.crf.features import normalized, sentence_features, split_clitics, word_features
from arabench.models.crf.train import DEFAULT_DATA, build_model, model_inputs, model_key, read_training_data
from arabench.models.registry import NAMES, create_model, get_info

pytest.importorskip("pycrfsuite")

# (words, tags): the same names in several contexts, so that a tiny model learns them
_SENTENCES = [
    ("زار محمد القاهرة أمس .", "O B-PERS B-LOC O O"),
    ("وصل محمد إلى بيروت .", "O B-PERS O B-LOC O"),
    ("قال سمير العلي إن الوضع صعب .", "O B-PERS I-PERS O O O O"),
    ("التقى سمير العلي وفدا من الأمم المتحدة .", "O B-PERS I-PERS O O B-ORG I-ORG O"),
    ("أعلنت الأمم المتحدة خطة جديدة .", "O B-ORG I-ORG O O O"),
    ("سافر الوزير إلى القاهرة ثم إلى بيروت .", "O O O B-LOC O O B-LOC O"),
    ("فاز محمد بجائزة نوبل .", "O B-PERS O B-MISC O"),
    ("قال محمد إن بيروت جميلة .", "O B-PERS O B-LOC O O"),
    ("عقد الاجتماع في القاهرة .", "O O O B-LOC O"),
    ("نالت الكاتبة جائزة نوبل .", "O O O B-MISC O"),
]


def _conll(sentences=_SENTENCES) -> str:
    blocks = []
    for words, tags in sentences:
        rows = zip(words.split(), tags.split(), strict=True)
        blocks.append("".join(f"{w}\t{t}\n" for w, t in rows))
    return "\n".join(blocks)


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crf-data") / "tiny.conll"
    path.write_text(_conll(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny_model(tiny_file: Path, tmp_path_factory: pytest.TempPathFactory) -> CRFModel:
    return CRFModel(train=str(tiny_file), cache_dir=str(tmp_path_factory.mktemp("crf-cache")))


# --------------------------------------------------------------------------- features


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("وبالقاهرة", ("وب", "ال", "قاهرة")),
        ("القاهرة", ("", "ال", "قاهرة")),
        ("للعراق", ("ل", "ل", "عراق")),  # ل + ال, the alef dropped
        ("وللعراق", ("ول", "ل", "عراق")),
        ("فالحكومة", ("ف", "ال", "حكومة")),
        ("ومصر", ("و", "", "مصر")),
        ("بمصر", ("ب", "", "مصر")),
        ("وبه", ("", "", "وبه")),  # a stem of two letters is no stem
        ("مصر", ("", "", "مصر")),
        ("ال", ("", "", "ال")),
    ],
)
def test_split_clitics(word: str, expected: tuple[str, str, str]) -> None:
    assert split_clitics(word) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("أحمد", "احمد"),
        ("إسلام", "اسلام"),
        ("آمال", "امال"),
        ("م\u064fح\u064eم\u064e\u0651د", "محمد"),  # harakat and shadda
        ("ع\u0640\u0640\u0640رب", "عرب"),  # tatweel
        ("٢٠٠٦", "2006"),  # Arabic-Indic digits
    ],
)
def test_normalized_form(raw: str, expected: str) -> None:
    assert normalized(raw) == expected


def test_word_features_name_affixes_article_and_nisba() -> None:
    feats = set(word_features("والمصريين"))
    assert {"art=وال", "stem=مصريين", "has_art", "nisba=يين", "p1=و", "s3=يين", "shape=word"} <= feats
    assert "shape=num" in word_features("2006")
    assert "shape=punct" in word_features("،")


def test_marks_and_hamza_forms_give_the_same_features_except_the_raw_word() -> None:
    def without_raw(words: list[str]) -> list[list[str]]:
        return [[f for f in feats if not f.startswith("w=")] for feats in sentence_features(words)]

    assert without_raw(["زار", "احمد", "القاهرة"]) == without_raw(["زار", "أ\u064eح\u0652م\u064eد", "القاه\u0640رة"])


def test_context_and_sentence_position_features() -> None:
    feats = sentence_features(["قال", "محمد", "إن"])
    assert "BOS" in feats[0] and "EOS" in feats[2] and "BOS" not in feats[1]
    assert {"-1:n=قال", "1:n=ان", "-2:n=<s>", "2:n=</s>", "-1|0=قال|محمد"} <= set(feats[1])


def test_gazetteer_comes_from_cldr_and_marks_names_behind_clitics() -> None:
    feats = sentence_features(["سافر", "وبالقاهرة", "إلى", "المملكة", "المتحدة"])
    assert "gaz=B-city" in feats[1]
    assert "gaz=B-country" in feats[3] and "gaz=I-country" in feats[4]
    assert not any(f.startswith("gaz=") for f in feats[0])


# --------------------------------------------------------------------------- training data and the cache key


def test_packaged_training_data_is_the_anercorp_train_split_described_next_to_it() -> None:
    data = read_training_data()
    readme = (DEFAULT_DATA.parent / "README.md").read_text(encoding="utf-8")
    assert data.sha256 == hashlib.sha256(gzip.decompress(DEFAULT_DATA.read_bytes())).hexdigest()
    assert data.sha256 in readme
    assert (len(data.sentences), data.tokens) == (3972, 125100)
    assert "CC BY-SA 4.0" in readme and "CC BY-SA 4.0" in data.describe()["corpus"]
    assert {t.split("-", 1)[-1] for s in data.sentences for t in s.tags} == {"O", "PERS", "LOC", "ORG", "MISC"}


def test_training_data_with_another_tag_set_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "per.conll"
    path.write_text("زار\tO\nمحمد\tB-PER\n", encoding="utf-8")
    with pytest.raises(AnnotationError) as err:
        read_training_data(path)
    assert f"{path}:2" in str(err.value) and "PER" in str(err.value)


def test_missing_training_file_is_an_error_with_a_fix(tmp_path: Path) -> None:
    with pytest.raises(AnnotationError, match=r"cannot read the CRF training data.*fix: give a CoNLL file"):
        read_training_data(tmp_path / "missing.conll")


def test_cache_key_covers_data_params_feature_code_and_crfsuite(tiny_file: Path, tmp_path: Path, monkeypatch) -> None:
    data = read_training_data(tiny_file)
    base = model_key(model_inputs(data))
    assert base == model_key(model_inputs(read_training_data(tiny_file)))
    changed = tmp_path / "changed.conll"
    changed.write_text(_conll().replace("بيروت\tB-LOC", "بيروت\tB-ORG", 1), encoding="utf-8")
    changed_key = model_key(model_inputs(read_training_data(changed)))
    assert changed_key != base
    changed.write_text(_conll([*_SENTENCES, ("زار سمير بيروت .", "O B-PERS B-LOC O")]), encoding="utf-8")
    assert model_key(model_inputs(read_training_data(changed))) not in {base, changed_key}  # edited in place
    assert model_key(model_inputs(data, {"max_iterations": 10})) != base
    monkeypatch.setattr(crf_train, "SEED", 2)
    assert model_key(model_inputs(data)) != base
    monkeypatch.undo()
    monkeypatch.setattr(crf_train, "feature_code_sha256", lambda: "0" * 64)
    assert model_key(model_inputs(data)) != base
    monkeypatch.undo()
    monkeypatch.setattr(crf_train, "FEATURE_VERSION", "changed")
    assert model_key(model_inputs(data)) != base
    monkeypatch.undo()
    monkeypatch.setattr(crf_train, "crfsuite_version", lambda: "0.0.0")
    assert model_key(model_inputs(data)) != base


def test_feature_code_hash_follows_the_feature_module_and_the_text_facts() -> None:
    digest = hashlib.sha256(Path(crf_features.__file__).read_bytes())
    digest.update(Path(text_facts.__file__).read_bytes())
    assert crf_features.feature_code_sha256() == digest.hexdigest()


def test_unknown_training_parameter_is_an_error(tiny_file: Path) -> None:
    with pytest.raises(ModelError, match=r"unknown CRF training parameter.*'c3'"):
        model_inputs(read_training_data(tiny_file), {"c3": 1})


# --------------------------------------------------------------------------- deterministic, cached training


def test_two_builds_give_identical_model_bytes_and_predictions(tiny_file: Path, tmp_path: Path) -> None:
    # in one process: the shuffling generator is seeded before each training, so its state does not carry over
    first = build_model(data=tiny_file, cache_dir=tmp_path / "a")
    second = build_model(data=tiny_file, cache_dir=tmp_path / "b")
    assert first.trained and second.trained and first.key == second.key
    assert first.path.read_bytes() == second.path.read_bytes()
    text = "زار محمد بيروت ثم القاهرة."
    one = CRFModel(train=str(tiny_file), cache_dir=str(tmp_path / "a")).predict([text])
    two = CRFModel(train=str(tiny_file), cache_dir=str(tmp_path / "b")).predict([text])
    assert one == two


def test_a_cached_model_is_reused_and_first_use_says_it_trains(tiny_file: Path, tmp_path: Path, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="arabench"):
        built = build_model(data=tiny_file, cache_dir=tmp_path)
    assert built.path == tmp_path / "crf" / built.key / "model.crfsuite"
    assert "crf: no trained model in the cache" in caplog.text and "trained in" in caplog.text
    meta = json.loads((built.path.parent / "inputs.json").read_text(encoding="utf-8"))
    assert meta["inputs"] == json.loads(json.dumps(built.inputs))
    stamp = built.path.stat().st_mtime_ns
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="arabench"):
        again = build_model(data=tiny_file, cache_dir=tmp_path)
    assert not again.trained and again.path == built.path and built.path.stat().st_mtime_ns == stamp
    assert caplog.text == ""
    assert build_model(data=tiny_file, cache_dir=tmp_path, force=True).trained


def test_cache_root_is_arabench_cache_and_an_unwritable_one_is_an_error(tiny_file: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("ARABENCH_CACHE", str(tmp_path / "root"))
    built = build_model(data=tiny_file)
    assert built.path.parent.parent == tmp_path / "root" / "crf"
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(ModelError) as err:
        build_model(data=tiny_file, cache_dir=blocker)
    assert "cannot write the CRF model cache" in str(err.value)
    assert "fix: set ARABENCH_CACHE to a writable directory" in str(err.value)


def test_train_script_builds_and_reports(tiny_file: Path, tmp_path: Path, capsys) -> None:
    assert crf_train.main(["--data", str(tiny_file), "--cache-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "trained in" in out and str(tmp_path / "crf") in out
    assert crf_train.main(["--data", str(tiny_file), "--cache-dir", str(tmp_path)]) == 0
    assert "found in the cache" in capsys.readouterr().out
    assert crf_train.main(["--data", str(tmp_path / "missing.conll"), "--cache-dir", str(tmp_path)]) == 2
    assert "cannot read the CRF training data" in capsys.readouterr().err


# --------------------------------------------------------------------------- the adapter on raw text


def test_sentence_words_keep_raw_offsets_clitics_and_split_punctuation() -> None:
    text = "قال محمد: «وبالقاهرة»،  م\u064fحم\u0651د.\nثم سافر"
    words = [[text[s:e] for s, e in sentence] for sentence in sentence_words(text)]
    assert words == [["قال", "محمد", ":", "«", "وبالقاهرة", "»", "،", "م\u064fحم\u0651د", "."], ["ثم", "سافر"]]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ابت م\u064f\u0640.!؟?«»،:\n\t3", max_size=60))
def test_sentence_words_are_the_words_of_each_sentence_text(text: str) -> None:
    # one tokenization of the whole text, cut at the sentences, is each sentence's own tokenization
    expected = [
        [(start + s, start + e) for s, e in word_offsets(text[start:end])] for start, end in sentence_ranges(text)
    ]
    assert sentence_words(text) == expected


def test_predictions_are_word_spans_of_the_raw_text(tiny_model: CRFModel) -> None:
    assert isinstance(tiny_model, NERModel)
    text = "زار م\u064fح\u064eم\u064e\u0651د  القاه\u0640رة أمس،\nوقال محمد إن بيروت جميلة."
    [prediction] = tiny_model.predict([text])
    got = sorted((s.label, text[s.start : s.end]) for s in prediction.spans)
    marked = "م\u064fح\u064eم\u064e\u0651د"
    assert got == [("LOC", "القاه\u0640رة"), ("LOC", "بيروت"), ("PERS", "محمد"), ("PERS", marked)]
    words = {(s, e) for sentence in sentence_words(text) for s, e in sentence}
    starts, ends = {s for s, _ in words}, {e for _, e in words}
    assert all(s.start in starts and s.end in ends for s in prediction.spans)


def test_multiword_entities_and_empty_texts(tiny_model: CRFModel) -> None:
    text = "التقى سمير العلي وفدا من الأمم المتحدة."
    [prediction, empty, blank] = tiny_model.predict([text, "", "  \n "])
    assert {(s.label, text[s.start : s.end]) for s in prediction.spans} >= {
        ("PERS", "سمير العلي"),
        ("ORG", "الأمم المتحدة"),
    }
    assert empty.spans == () and blank.spans == ()


class _FixedTagger:
    """Hands out fixed tags, sentence after sentence."""

    def __init__(self, tags: list[str]) -> None:
        self.tags = list(tags)

    def tag(self, features: list) -> list[str]:
        out, self.tags = self.tags[: len(features)], self.tags[len(features) :]
        return out


# (text, the tags the CRF gives, expected spans, expected diagnostics)
DECODING = [
    # conlleval: an I- without an open entity of its type starts one (a repair), B- after I- starts another
    ("قال سمير العلي إن", ["O", "I-PERS", "I-PERS", "B-ORG"], [(4, 14, "PERS"), (15, 17, "ORG")], {"repaired_tags": 1}),
    ("قال سمير العلي إن", ["B-PERS", "I-ORG", "I-ORG", "O"], [(0, 3, "PERS"), (4, 14, "ORG")], {"repaired_tags": 1}),
    ("قال سمير العلي إن", ["O", "B-PERS", "I-PERS", "O"], [(4, 14, "PERS")], {}),
    # an entity never crosses a sentence end: the I- after the line break starts a new one
    ("قال سمير\nالعلي إن", ["O", "B-PERS", "I-PERS", "O"], [(4, 8, "PERS"), (9, 14, "PERS")], {"repaired_tags": 1}),
]


@pytest.mark.parametrize(("text", "tags", "spans", "diagnostics"), DECODING)
def test_tags_are_decoded_with_conlleval_rules_and_repairs_counted(
    tiny_model: CRFModel, monkeypatch, text: str, tags: list[str], spans: list, diagnostics: dict
) -> None:
    monkeypatch.setattr(tiny_model, "_tagger", _FixedTagger(tags))
    [prediction] = tiny_model.predict([text])
    assert prediction.spans == tuple(Span(*s) for s in spans)
    assert prediction.diagnostics == diagnostics


def test_provenance_records_data_features_params_seed_and_key(tiny_model: CRFModel, tiny_file: Path) -> None:
    prov = tiny_model.provenance()
    assert json.loads(json.dumps(prov)) == prov
    assert prov["revision"] == tiny_model.built.key and prov["view"] == "anercorp"
    assert prov["training_data"]["sha256"] == hashlib.sha256(tiny_file.read_bytes()).hexdigest()
    assert prov["training_data"]["corpus"] == "user-provided CoNLL file"
    assert prov["params"] == dict(sorted(crf_train.PARAMS.items())) and prov["params"]["max_iterations"] == 20
    assert prov["seed"] == crf_train.SEED and "deterministic" in prov["randomness"]
    assert prov["features"]["code_sha256"] == crf_features.feature_code_sha256()
    assert {"id", "adapter_version", "label_map", "crfsuite", "algorithm"} <= set(prov)


@pytest.mark.slow
def test_trained_on_nine_tenths_of_the_train_split_it_scores_above_a_floor_on_the_last(tmp_path: Path) -> None:
    sentences = list(read_training_data().sentences)
    cut = len(sentences) * 9 // 10
    part = tmp_path / "nine_tenths.conll"
    part.write_text(_conll([(" ".join(s.tokens), " ".join(s.tags)) for s in sentences[:cut]]), encoding="utf-8")
    model = CRFModel(train=str(part), cache_dir=str(tmp_path))
    held = read_conll(_conll([(" ".join(s.tokens), " ".join(s.tags)) for s in sentences[cut:]]))
    texts = [d.text for d in held]
    preds = model.predict(texts)
    units = [sentence_ranges(t) for t in texts]
    scores = score_spans([d.spans for d in held], [p.spans for p in preds], boundary="word", texts=texts, units=units)
    # measured 0.689 (P 0.786, R 0.613; tests/benchmarks/bench_crf.py); a rules-like floor would be 0.4
    assert scores.micro.f1 >= 0.66 and scores.micro.precision >= 0.75


# --------------------------------------------------------------------------- the registry


def test_registry_creates_crf_with_options(tiny_file: Path, tmp_path: Path) -> None:
    model = create_model("crf", train=str(tiny_file), cache_dir=str(tmp_path))
    assert isinstance(model, CRFModel) and model.name == "crf" and model.view == "anercorp"
    assert model.labels == frozenset({"PERS", "LOC", "ORG", "MISC"})
    assert NAMES["crf"].view == "anercorp" and get_info("crf").available() == (True, "ready")


def test_spec_errors_name_the_fix() -> None:
    with pytest.raises(ModelError) as err:
        CRFModel.from_spec("big")
    assert "the crf model takes no argument (got 'crf:big'); fix: use 'crf'" in str(err.value)
    with pytest.raises(ModelError) as err:
        create_model("crf", seed=1)
    assert (
        "field 'option': unknown option for model 'crf' (got 'seed'); fix: use one of: cache, cache_dir, params, train"
        in str(err.value)
    )


@pytest.mark.parametrize(("typo", "suggestion"), [("crff", "'crf'"), ("rulez", "'rules'"), ("emty", "'empty'")])
def test_did_you_mean_names_crf_and_still_the_others(typo: str, suggestion: str) -> None:
    with pytest.raises(ModelError) as err:
        get_info(typo)
    assert f"did you mean {suggestion}" in str(err.value)


def test_registry_import_does_not_import_crfsuite_or_the_adapter() -> None:
    code = (
        "import sys, arabench.models.registry as r; r.list_models(); r.get_info('crf').available(); "
        "print(sorted(m for m in sys.modules if m.startswith(('pycrfsuite', 'arabench.models.crf.'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"  # only the package models.crf itself (a docstring) is looked up
