import pytest

from arabench.annotations.errors import BenchmarkError, ModelError
from arabench.annotations.spans import Document, Relation, Span
from arabench.models.base import NERModel, Prediction
from arabench.models.simple import EmptyModel, OracleModel

TEXT_A = "زار وزير الخارجية المصري الرباط أمس."
TEXT_B = "قالت منظمة الصحة العالمية إن المغرب سجل ثلاث حالات."


def _at(text, part, label):
    start = text.index(part)
    return Span(start, start + len(part), label)


def _docs():
    occ = Span(4, 24, "OCC")
    gpe_in = Span(18, 24, "NORP")
    rabat = Span(25, 31, "GPE")
    a = Document(
        "a",
        TEXT_A,
        {"T1": occ, "T2": gpe_in, "T3": rabat},
        {"R1": Relation("LOCATED_IN", occ, rabat)},
    )
    b = Document(
        "b",
        TEXT_B,
        {
            "T1": _at(TEXT_B, "منظمة الصحة العالمية", "ORG"),
            "T2": _at(TEXT_B, "المغرب", "GPE"),
            "T3": _at(TEXT_B, "ثلاث", "CARDINAL"),
        },
    )
    return [a, b]


def test_fixture_offsets_are_words():
    a, b = _docs()
    assert [s.text_in(TEXT_A) for s in a.spans] == ["وزير الخارجية المصري", "المصري", "الرباط"]
    assert [s.text_in(TEXT_B) for s in b.spans] == ["منظمة الصحة العالمية", "المغرب", "ثلاث"]


def test_oracle_echoes_nested_spans_and_relations():
    docs = _docs()
    model = OracleModel.from_spec(None, gold=docs)
    assert isinstance(model, NERModel)
    preds = model.predict([TEXT_B, TEXT_A])
    assert list(preds[0].spans) == docs[1].spans
    assert list(preds[1].spans) == docs[0].spans
    assert preds[1].relations == tuple(docs[0].relations.values())
    assert dict(preds[1].diagnostics) == {}


def test_oracle_flat_layer_drops_nested_and_counts_lost_relations():
    docs = _docs()
    model = OracleModel(gold=docs, layer="flat")
    (pred,) = model.predict([TEXT_A])
    assert list(pred.spans) == [Span(4, 24, "OCC"), Span(25, 31, "GPE")]
    assert len(pred.relations) == 1
    docs2 = [
        Document(
            "c",
            "أ ب",
            {"T1": Span(0, 3, "ORG"), "T2": Span(2, 3, "GPE")},
            {"R1": Relation("LOCATED_IN", Span(0, 3, "ORG"), Span(2, 3, "GPE"))},
        )
    ]
    (pred,) = OracleModel(gold=docs2, layer="flat").predict(["أ ب"])
    assert pred.relations == ()
    assert pred.diagnostics["dropped_relations"] == 1


def test_oracle_projects_into_a_view():
    model = OracleModel(gold=_docs(), view="conll4")
    (pred,) = model.predict([TEXT_A])
    # OCC is ignored by conll4, NORP -> MISC, GPE -> LOC; the relation loses its OCC argument
    assert list(pred.spans) == [Span(18, 24, "MISC"), Span(25, 31, "LOC")]
    assert pred.diagnostics["dropped_relations"] == 1
    assert model.labels == {"PER", "LOC", "ORG", "MISC"}


def test_oracle_unknown_text_is_an_error_naming_it():
    model = OracleModel(gold=_docs())
    with pytest.raises(ModelError, match=r"does not know text #1.*got 'نص لا يعرفه'.*ids: a, b"):
        model.predict([TEXT_A, "نص لا يعرفه"])
    # a text differing by one trailing space is not the same text
    with pytest.raises(ModelError):
        model.predict([TEXT_A + " "])


@pytest.mark.parametrize(
    ("arg", "options", "message"),
    [
        (None, {}, "needs the gold documents"),
        (
            None,
            {"gold": [], "colour": "red"},
            r"field 'option': unknown option for model 'oracle' \(got 'colour'\); fix: use one of: gold_view, layer, "
            r"relations, view",
        ),
        ("x", {"gold": []}, "takes no argument"),
        (None, {"gold": [], "layer": "deep"}, r"option 'layer' of model 'oracle' must be one of nested, flat"),
        (None, {"gold": ["not a doc"]}, "must be Document objects"),
    ],
)
def test_oracle_bad_options(arg, options, message):
    with pytest.raises(ModelError, match=message):
        OracleModel.from_spec(arg, **options)


def test_oracle_conflicting_gold():
    a, _ = _docs()
    other = Document("a2", TEXT_A, {"T1": Span(0, 3, "PERS")})
    with pytest.raises(ModelError, match="same text but different entities"):
        OracleModel(gold=[a, other])


def test_oracle_provenance_is_json():
    import json

    prov = OracleModel(gold=_docs()).provenance()
    assert json.loads(json.dumps(prov))["gold_ids"] == ["a", "b"]
    assert prov["id"] == "oracle"


def test_empty_predicts_nothing_with_all_labels():
    model = EmptyModel.from_spec(None)
    assert isinstance(model, NERModel)
    assert model.predict([TEXT_A, TEXT_B, ""]) == [Prediction(), Prediction(), Prediction()]
    assert len(model.labels) == 21
    assert model.view == "native"


def test_empty_labels_option_and_view():
    assert EmptyModel(labels=["GPE", "PERS"]).labels == {"GPE", "PERS"}
    assert EmptyModel(view="anercorp").labels == {"PERS", "LOC", "ORG", "MISC"}
    with pytest.raises(ModelError, match=r"labels not in view 'native'.*\['PER'\]"):
        EmptyModel(labels=["PER", "GPE"])
    with pytest.raises(BenchmarkError, match="unknown label view"):
        EmptyModel(view="conll5")
    with pytest.raises(ModelError, match=r"unknown option.*labels, view"):
        EmptyModel.from_spec(None, gold=[])


def test_oracle_echoes_gold_already_in_a_coarser_view() -> None:
    # A CoNLL corpus tagged PERS/LOC/ORG/MISC is in the anercorp view: MISC is no schema type.
    doc = Document("c1", "زار أحمد المغرب مع وفد أوروبي", {"T1": Span(4, 8, "PERS"), "T2": Span(23, 29, "MISC")})
    oracle = OracleModel(gold=[doc], view="anercorp", gold_view="anercorp")
    assert oracle.predict([doc.text])[0].spans == (Span(4, 8, "PERS"), Span(23, 29, "MISC"))


def test_oracle_refuses_to_relabel_between_coarse_views() -> None:
    with pytest.raises(ModelError, match=r"field 'view': the oracle cannot relabel gold in view 'anercorp'"):
        OracleModel(gold=[], view="conll4", gold_view="anercorp")
