"""Tests of the CAMeL Tools adapter against tiny local BERT models (no downloads)."""

import importlib.util
import json

import pytest

from arabench.annotations.errors import LabelMapError, ModelError, ModelUnavailableError
from arabench.annotations.spans import Span
from arabench.annotations.tokenize import word_offsets
from arabench.models.camel import INSTALL_HINT, _count_segments, align_words

HAVE_CAMEL = importlib.util.find_spec("camel_tools") is not None
needs_camel = pytest.mark.skipif(not HAVE_CAMEL, reason=f"camel-tools is not installed: {INSTALL_HINT}")

# conftest.py points CAMELTOOLS_DATA at an empty catalogue in the session's temporary folder


@pytest.fixture(scope="module")
def tiny_dirs(tmp_path_factory):
    tiny = pytest.importorskip("tiny_models", reason="tests/tiny_models.py is not there")
    root = tmp_path_factory.mktemp("camel")
    # NERecognizer pads every segment to 256 tokens: the model needs 256 positions
    return {
        "random": tiny.build_tiny_bert(root / "random", max_position_embeddings=256),
        "pers": tiny.build_tiny_bert(root / "pers", max_position_embeddings=256, force="B-PERS"),
        "iloc": tiny.build_tiny_bert(root / "iloc", max_position_embeddings=256, force="I-LOC"),
        "misc": tiny.build_tiny_bert(root / "misc", max_position_embeddings=256, force="B-MISC"),
    }


def test_align_words_sequential():
    text = "قال  «أحمد»: نعم، نعم."
    words = ["قال", "«", "أحمد", "»", ":", "نعم", "،", "نعم", "."]
    assert [text[s:e] for s, e in align_words(text, words)] == words
    assert align_words("أ ب", ["أ", "ج", "ب"]) == [(0, 1), None, (2, 3)]


def test_count_segments_matches_camel_rule():
    assert _count_segments([]) == 1
    assert _count_segments([100, 100, 54]) == 1
    assert _count_segments([100, 100, 55]) == 2
    assert _count_segments([254, 1, 254]) == 3


@needs_camel
def test_tokenizer_is_the_camel_convention():
    from camel_tools.tokenizers.word import simple_word_tokenize

    text = "قال الوزير، في 2.5% من «مصر» وبالقاهرة!"
    assert simple_word_tokenize(text) == [text[s:e] for s, e in word_offsets(text)]


@needs_camel
def test_forced_labels_give_one_span_per_word(tiny_dirs):
    from arabench.models.camel import CamelToolsModel

    model = CamelToolsModel.from_spec(str(tiny_dirs["pers"]))
    text = "ذهب أحمد إلى القاهرة."
    (pred,) = model.predict([text])
    assert list(pred.spans) == [Span(s, e, "PERS") for s, e in word_offsets(text)]
    assert pred.diagnostics["windows"] == 1
    assert model.view == "anercorp" and model.labels == {"PERS", "LOC", "ORG", "MISC"}


@needs_camel
def test_i_tags_without_b_are_repaired_and_counted(tiny_dirs):
    from arabench.models.camel import CamelToolsModel

    model = CamelToolsModel.from_spec(str(tiny_dirs["iloc"]))
    text = "تقع مدينة فاس في شمال المغرب"
    (pred,) = model.predict([text])
    assert list(pred.spans) == [Span(0, len(text), "LOC")]
    assert pred.diagnostics["repaired_tags"] == 1


@needs_camel
def test_matches_ner_recognizer_directly(tiny_dirs):
    from camel_tools.ner import NERecognizer
    from camel_tools.tokenizers.word import simple_word_tokenize

    from arabench.annotations.tags import decode
    from arabench.models.camel import CamelToolsModel

    texts = ["يسافر أحمد إلى القاهرة كل صيف لزيارة أسرته.", "", "افتتحت جامعة دمشق مكتبة كبيرة."]
    model = CamelToolsModel.from_spec(str(tiny_dirs["random"]), batch_size=2)
    preds = model.predict(texts)
    reference = NERecognizer(str(tiny_dirs["random"]), use_gpu=False)
    for text, pred in zip(texts, preds, strict=True):
        words = simple_word_tokenize(text)
        tags = reference.predict_sentence(words) if words else []
        offsets = align_words(text, words)
        entities = decode(tags, scheme="ANY", policy="adapter").entities
        expected = sorted({Span(offsets[a][0], offsets[b - 1][1], kind) for a, b, kind in entities})
        assert list(pred.spans) == expected


@needs_camel
def test_long_text_is_segmented_and_counted(tiny_dirs):
    tiny = pytest.importorskip("tiny_models")
    from arabench.models.camel import CamelToolsModel

    model = CamelToolsModel.from_spec(str(tiny_dirs["pers"]))
    text = tiny.long_text(60)
    (pred,) = model.predict([text])
    assert pred.diagnostics["windows"] >= 2
    assert len(pred.spans) == len(word_offsets(text))  # every word tagged, none lost at a segment edge


@needs_camel
def test_untokenizable_words_are_counted(tiny_dirs):
    from arabench.models.camel import CamelToolsModel

    model = CamelToolsModel.from_spec(str(tiny_dirs["pers"]))
    text = "مرحبا \u200f العالم"
    (pred,) = model.predict([text])
    assert pred.diagnostics.get("untokenizable_words") == 1
    assert [s.text_in(text) for s in pred.spans] == ["مرحبا", "العالم"]


@needs_camel
def test_label_map_option_and_drop(tiny_dirs):
    from arabench.models.camel import CamelToolsModel

    model = CamelToolsModel.from_spec(str(tiny_dirs["misc"]), drop="MISC")
    (pred,) = model.predict(["ذهب أحمد"])
    assert pred.spans == ()
    assert pred.diagnostics["dropped_label:MISC"] == 2
    assert "MISC" not in model.labels
    with pytest.raises(LabelMapError):
        CamelToolsModel.from_spec(str(tiny_dirs["misc"]), label_map="PERS=PERS,LOC=LOC,ORG=ORG")
    prov = model.provenance()
    assert prov["adapter"] == "arabench.models.camel:CamelToolsModel" and prov["view"] == "anercorp"
    assert json.loads(json.dumps(prov)) == prov
    assert prov["revision"] == CamelToolsModel.from_spec(str(tiny_dirs["misc"]), drop="MISC").provenance()["revision"]


@needs_camel
def test_errors(tiny_dirs, tmp_path):
    from arabench.models.camel import CamelToolsModel

    with pytest.raises(ModelError, match=r"field 'option': unknown option for model 'camel:.*label_map"):
        CamelToolsModel.from_spec(str(tiny_dirs["pers"]), colour=1)
    with pytest.raises(ModelUnavailableError, match="not a local directory nor a CAMeL Tools NER model"):
        CamelToolsModel.from_spec(str(tmp_path / "missing"))
    with pytest.raises(ModelError, match="NERecognizer cannot load"):
        CamelToolsModel.from_spec(str(tmp_path))


def test_missing_camel_tools_says_how_to_install(monkeypatch):
    import sys

    from arabench.models.camel import CamelToolsModel

    monkeypatch.setitem(sys.modules, "camel_tools", None)  # import camel_tools -> ImportError
    with pytest.raises(ModelUnavailableError, match=r"camel-tools is not installed.*pip install 'arabench\[camel\]'"):
        CamelToolsModel.from_spec(None)


@needs_camel
def test_camel_that_cannot_start_is_unavailable(monkeypatch):
    import sys

    from arabench.models.camel import CamelToolsModel

    monkeypatch.setitem(sys.modules, "camel_tools.ner", None)  # as when catalogue.json cannot be downloaded
    with pytest.raises(ModelUnavailableError, match=r"camel-tools cannot start.*CAMELTOOLS_DATA"):
        CamelToolsModel.from_spec(None)
