"""Tests of predictions read from files (JSONL, BRAT, CoNLL) of an external system."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arabench.annotations.brat import write_brat
from arabench.annotations.errors import AnnotationError, ConversionError, LabelMapError, ModelError
from arabench.annotations.spans import Document, Relation, Span
from arabench.annotations.tokenize import word_offsets
from arabench.models.base import NERModel
from arabench.models.predictions import PredictionsFileModel

TEXT_A = "زار وزير الخارجية المصري الرباط أمس."
TEXT_B = "قالت منظمة الصحة العالمية إن المغرب سجل ثلاث حالات."


def at(text, part, label):
    start = text.index(part)
    return Span(start, start + len(part), label)


def ent(text, part, label, ident=None, with_text=True):
    span = at(text, part, label)
    out = {"start": span.start, "end": span.end, "type": label}
    if with_text:
        out["text"] = part
    if ident:
        out["id"] = ident
    return out


def write_jsonl(path, docs):
    path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def jsonl(tmp_path):
    return write_jsonl(
        tmp_path / "pred.jsonl",
        [
            {
                "id": "a",
                "text": TEXT_A,
                "entities": [
                    ent(TEXT_A, "وزير الخارجية المصري", "OCC", "T1"),
                    ent(TEXT_A, "الرباط", "GPE", "T2"),
                    ent(TEXT_A, "الرباط", "GPE", "T3"),
                ],
                "relations": [{"id": "R1", "type": "LOCATED_IN", "arg1": "T1", "arg2": "T2"}],
            },
            {"id": "b", "text": TEXT_B, "entities": [ent(TEXT_B, "المغرب", "GPE", with_text=False)]},
        ],
    )


def test_jsonl_by_identical_text_with_relations(jsonl):
    model = PredictionsFileModel.from_spec(str(jsonl))
    assert isinstance(model, NERModel)
    pred_b, pred_a = model.predict([TEXT_B, TEXT_A])
    assert list(pred_b.spans) == [at(TEXT_B, "المغرب", "GPE")]
    occ, rabat = at(TEXT_A, "وزير الخارجية المصري", "OCC"), at(TEXT_A, "الرباط", "GPE")
    assert list(pred_a.spans) == [occ, rabat]
    assert pred_a.relations == (Relation("LOCATED_IN", occ, rabat),)
    assert pred_a.diagnostics == {"duplicate_spans": 1}
    assert model.labels == frozenset(model.labels) and len(model.labels) == 21


def test_text_without_prediction_is_an_error(jsonl):
    model = PredictionsFileModel(jsonl)
    with pytest.raises(ModelError, match=r"no prediction for input text #1.*got 'نص آخر'.*documents in the file: a, b"):
        model.predict([TEXT_A, "نص آخر"])
    with pytest.raises(ModelError, match="no prediction"):
        model.predict([TEXT_A + " "])  # not identical, and no ids= given


def test_ids_option_realigns_white_space_only_differences(tmp_path):
    squeezed = "زار  الوزير\nالرباط"
    path = write_jsonl(
        tmp_path / "p.jsonl",
        [{"id": "x", "text": "زار الوزير الرباط", "entities": [{"start": 11, "end": 17, "type": "GPE"}]}],
    )
    model = PredictionsFileModel(path, ids=["x"])
    (pred,) = model.predict([squeezed])
    assert [s.text_in(squeezed) for s in pred.spans] == ["الرباط"]
    assert pred.diagnostics["realigned_spans"] == 1
    with pytest.raises(ModelError, match="has a different text from input text #0"):
        model.predict(["زار الوزير القاهرة"])


def test_label_outside_the_view_is_an_error_with_its_line(tmp_path):
    path = write_jsonl(
        tmp_path / "p.jsonl",
        [
            {"id": "a", "text": TEXT_A, "entities": [ent(TEXT_A, "الرباط", "GPE")]},
            {"id": "b", "text": TEXT_B, "entities": [ent(TEXT_B, "المغرب", "LOCATION")]},
        ],
    )
    with pytest.raises(LabelMapError, match=r"p\.jsonl:2: field 'entities\[0\]\.type': labels that are not labels"):
        PredictionsFileModel(path)
    model = PredictionsFileModel(path, label_map="LOCATION=GPE")
    assert list(model.predict([TEXT_B])[0].spans) == [at(TEXT_B, "المغرب", "GPE")]
    model = PredictionsFileModel(path, drop=["LOCATION"])
    (pred,) = model.predict([TEXT_B])
    # document "a" matches no input text: counted, never ignored without a word
    assert pred.spans == () and pred.diagnostics == {"dropped_label:LOCATION": 1, "documents_not_in_gold": 1}
    with pytest.raises(LabelMapError, match="targets labels that are not labels of view"):
        PredictionsFileModel(path, label_map="LOCATION=PLACE")


def test_other_view(tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [{"id": "a", "text": TEXT_A, "entities": [ent(TEXT_A, "الرباط", "LOC")]}])
    model = PredictionsFileModel(path, view="conll4", labels=["LOC", "PER"])
    assert model.labels == {"LOC", "PER"} and model.view == "conll4"
    assert list(model.predict([TEXT_A])[0].spans) == [at(TEXT_A, "الرباط", "LOC")]
    with pytest.raises(ModelError, match=r"labels not in view 'conll4'"):
        PredictionsFileModel(path, view="conll4", labels=["GPE"])


def test_every_structural_problem_is_listed(tmp_path):
    bad = {"start": 0, "end": 3, "type": "GPE", "text": "xyz"}
    beyond = {"start": 30, "end": 300, "type": "GPE"}
    spaced = {"start": 3, "end": 8, "type": "OCC"}  # " وزير" starts with white space
    path = write_jsonl(tmp_path / "p.jsonl", [{"id": "a", "text": TEXT_A, "entities": [bad, beyond, spaced]}])
    with pytest.raises(AnnotationError) as info:
        PredictionsFileModel(path)
    message = str(info.value)
    assert "has 3 problems" in message
    assert "white space" in message and "entities[0]" in message and "entities[1]" in message


def test_brat_directory(tmp_path):
    doc = Document("a", TEXT_A, {"T1": at(TEXT_A, "الرباط", "GPE"), "T2": at(TEXT_A, "المصري", "NORP")})
    write_brat(doc, tmp_path / "brat")
    model = PredictionsFileModel.from_spec(str(tmp_path / "brat"))
    assert model.format == "brat"
    assert list(model.predict([TEXT_A])[0].spans) == doc.spans


def test_conll_tokens_are_aligned_to_the_raw_text(tmp_path):
    raw = "زار  الوزير الرباط\nثم غادر إلى المغرب."
    conll = "زار\tO\nالوزير\tO\nالرباط\tB-LOC\n\nثم\tO\nغادر\tO\nإلى\tO\nالمغرب\tB-LOC\n.\tO\n"
    path = tmp_path / "p.conll"
    path.write_text(conll, encoding="utf-8")
    model = PredictionsFileModel(path, view="anercorp")
    (pred,) = model.predict([raw])
    assert [s.text_in(raw) for s in pred.spans] == ["الرباط", "المغرب"]
    assert {s.label for s in pred.spans} == {"LOC"}
    assert pred.diagnostics["realigned_spans"] == 2
    with pytest.raises(ModelError, match="no prediction"):
        model.predict(["نص مختلف تماما"])


@pytest.mark.parametrize(
    ("arg", "options", "error", "message"),
    [
        (None, {}, ModelError, "file: needs a path"),
        ("x.jsonl", {"colour": 1}, ModelError, r"unknown option for model 'file:x.jsonl'.*drop, format, ids"),
        ("missing.jsonl", {}, ModelError, "predictions file not found"),
    ],
)
def test_bad_specs(arg, options, error, message):
    with pytest.raises(error, match=message):
        PredictionsFileModel.from_spec(arg, **options)


def test_unknown_format(tmp_path):
    path = tmp_path / "p.xml"
    path.write_text("<x/>")
    # the format registry's guess (the same in every command), naming the option that overrides it
    with pytest.raises(ConversionError, match=r"cannot tell the format from the file name.*with format="):
        PredictionsFileModel(path)
    with pytest.raises(ModelError, match="unknown predictions format"):
        PredictionsFileModel(path, format="xml")


def test_same_text_twice_with_different_spans(tmp_path):
    path = write_jsonl(
        tmp_path / "p.jsonl",
        [
            {"id": "a", "text": TEXT_A, "entities": [ent(TEXT_A, "الرباط", "GPE")]},
            {"id": "b", "text": TEXT_A, "entities": []},
        ],
    )
    with pytest.raises(AnnotationError, match="same text and different predictions"):
        PredictionsFileModel(path)


def test_provenance_follows_the_content(jsonl):
    first = PredictionsFileModel(jsonl).provenance()
    assert json.loads(json.dumps(first, ensure_ascii=False))["format"] == "jsonl"
    jsonl.write_text(jsonl.read_text(encoding="utf-8").replace('"GPE"', '"LOC"'), encoding="utf-8")
    assert PredictionsFileModel(jsonl).provenance()["revision"] != first["revision"]


_WORDS = ["زار", "الوزير", "الرباط", "مصر", "في", "2020", "،", "منظمة", "الصحة", "\u064e"]


@st.composite
def _doc_with_spans(draw):
    text = " ".join(draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=12)))
    bounds = [(s, e) for s, e in word_offsets(text)]
    picked = draw(st.lists(st.tuples(st.integers(0, len(bounds) - 1), st.integers(0, 2)), max_size=6))
    spans = set()
    for first, extra in picked:
        last = min(first + extra, len(bounds) - 1)
        spans.add(Span(bounds[first][0], bounds[last][1], draw(st.sampled_from(["GPE", "ORG", "DATE"]))))
    return text, sorted(spans)


@settings(max_examples=40, deadline=None)
@given(_doc_with_spans())
def test_property_jsonl_round_trip(tmp_path_factory, case):
    text, spans = case
    path = tmp_path_factory.mktemp("rt") / "p.jsonl"
    entities = [{"start": s.start, "end": s.end, "type": s.label} for s in spans]
    write_jsonl(path, [{"id": "d", "text": text, "entities": entities}])
    (pred,) = PredictionsFileModel(path).predict([text])
    assert list(pred.spans) == spans


def test_brat_relations_come_through(tmp_path):
    occ, rabat = at(TEXT_A, "وزير الخارجية المصري", "OCC"), at(TEXT_A, "الرباط", "GPE")
    doc = Document("a", TEXT_A, {"T1": occ, "T2": rabat}, {"R1": Relation("LOCATED_IN", occ, rabat)})
    write_brat(doc, tmp_path)
    (pred,) = PredictionsFileModel(tmp_path / "a.ann").predict([TEXT_A])
    assert pred.relations == (Relation("LOCATED_IN", occ, rabat),)
    (pred,) = PredictionsFileModel(tmp_path / "a.ann", drop="GPE").predict([TEXT_A])
    assert pred.relations == () and pred.diagnostics == {"dropped_label:GPE": 1, "dropped_relations": 1}
