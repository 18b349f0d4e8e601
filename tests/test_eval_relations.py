from __future__ import annotations

import pytest

from annotations.errors import SchemaError, ScoringError
from annotations.schema import default_schema
from annotations.spans import Relation, Span
from eval.relations import score_relations
from eval.views import project_gold, score_spans_in_view

TEXT = "عيّن مجلس الإدارة سمير علي مديرا لشركة النفط في بيروت"


def at(word: str, label: str, skip: int = 0) -> Span:
    start = TEXT.index(word)
    return Span(start + skip, start + len(word), label)


PERSON = at("سمير علي", "PERS")
ROLE = at("مديرا", "OCC")
COMPANY = at("لشركة النفط", "ORG")
CITY = at("بيروت", "GPE")
GOLD = [
    Relation("HAS_ROLE", PERSON, ROLE),
    Relation("EMPLOYED_BY", PERSON, COMPANY),
    Relation("LOCATED_IN", COMPANY, CITY),
]


@pytest.mark.parametrize(
    ("pred", "mode", "tp"),
    [
        (GOLD, "strict", 3),
        ([Relation("HAS_ROLE", PERSON, ROLE.with_label("ORG"))], "strict", 0),  # argument type wrong
        ([Relation("HAS_ROLE", PERSON, ROLE.with_label("ORG"))], "boundaries", 1),
        ([Relation("EMPLOYED_BY", COMPANY, PERSON)], "strict", 0),  # order matters
        ([Relation("LOCATED_IN", PERSON, CITY)], "boundaries", 0),  # wrong argument
        ([Relation("MEMBER_OF", PERSON, COMPANY)], "boundaries", 0),  # wrong relation type
    ],
)
def test_relation_modes(pred, mode, tp) -> None:
    scores = score_relations([GOLD], [pred], mode=mode)
    assert scores.micro.tp == tp
    assert scores.micro.fn == 3 - tp
    assert scores.micro.fp == len(pred) - tp


def test_symmetric_types_ignore_argument_order() -> None:
    pred = [Relation("EMPLOYED_BY", COMPANY, PERSON)]
    assert score_relations([GOLD], [pred], symmetric={"EMPLOYED_BY"}).micro.tp == 1


def test_word_boundaries_on_arguments() -> None:
    without_li = at("لشركة النفط", "ORG", skip=1)
    pred = [Relation("LOCATED_IN", without_li, CITY)]
    assert score_relations([GOLD], [pred]).micro.tp == 0
    assert score_relations([GOLD], [pred], boundary="word", texts=[TEXT]).micro.tp == 1


def test_relation_counts_per_type_units_and_duplicates() -> None:
    scores = score_relations(
        [GOLD], [[GOLD[0], GOLD[0]]], units=[[(0, TEXT.index("لشركة")), (TEXT.index("لشركة"), len(TEXT))]]
    )
    assert scores.notes == {"pred_duplicates": 1}
    assert scores.types == ("EMPLOYED_BY", "HAS_ROLE", "LOCATED_IN")
    assert scores.per_type["HAS_ROLE"].tp == 1
    assert scores.unit_counts[1].sum(axis=0).tolist() == [0, 0, 1]  # LOCATED_IN starts at the company


def test_relation_errors() -> None:
    with pytest.raises(ScoringError, match="unknown relation mode"):
        score_relations([[]], [[]], mode="loose")
    with pytest.raises(ScoringError, match="same number of documents"):
        score_relations([[]], [])
    with pytest.raises(ScoringError, match="word boundaries need one text per document"):
        score_relations([[]], [[]], boundary="word")


def test_view_projects_gold_and_reports_ignored_types() -> None:
    view = default_schema().view("conll4")
    gold = [[PERSON, ROLE, COMPANY, CITY]]
    projected = project_gold(gold, view)
    assert [s.label for s in projected.spans[0]] == ["PER", "ORG", "LOC"]
    assert projected.left_out == {"OCC": 1}
    assert projected.out_of_scope() == {"OCC (not in view conll4)": 1}
    pred = [[PERSON.with_label("PER"), CITY.with_label("LOC"), COMPANY.with_label("MISC")]]
    scores = score_spans_in_view(gold, pred, view=view, mode="strict")
    assert scores.out_of_scope == {"OCC (not in view conll4)": 1}
    assert scores.per_type["PER"].tp == 1 and scores.per_type["LOC"].tp == 1
    assert scores.per_type["ORG"].fn == 1 and scores.per_type["MISC"].fp == 1
    assert "pred_labels_not_in_view" not in scores.notes
    schema_labelled = score_spans_in_view(gold, [[PERSON, CITY]], view=view)
    assert schema_labelled.notes == {"pred_labels_not_in_view": 2}
    assert schema_labelled.per_type["PERS"].fp == 1  # counted, never dropped


def test_gold_in_a_coarser_view_is_projected_with_its_relations() -> None:
    schema = default_schema()
    fane = [[PERSON.with_label("PER"), COMPANY, CITY.with_label("GPE")]]
    relations = [[Relation("EMPLOYED_BY", PERSON.with_label("PER"), COMPANY)]]
    projected = project_gold(fane, schema.view("ace"), gold_view=schema.view("fane"), relations=relations)
    assert [s.label for s in projected.spans[0]] == ["PER", "ORG", "GPE"]
    assert [(r.arg1.label, r.arg2.label) for r in projected.relations[0]] == [("PER", "ORG")]
    assert projected.left_out == {} and projected.relations_left_out == {}
    # Into native nothing coarsens from fane: refused, never guessed.
    with pytest.raises(SchemaError, match="does not coarsen into view 'native'"):
        project_gold(fane, schema.view("native"), gold_view=schema.view("fane"))


def test_relations_with_an_argument_the_view_leaves_out_are_counted() -> None:
    view = default_schema().view("conll4")
    projected = project_gold(
        [[PERSON, ROLE, COMPANY]], view, gold_view=default_schema().view("native"), relations=[GOLD]
    )
    assert [r.label for r in projected.relations[0]] == ["EMPLOYED_BY", "LOCATED_IN"]
    assert projected.left_out == {"OCC": 1}
    assert projected.relations_out_of_scope() == {"HAS_ROLE (argument not in view conll4)": 1}


def test_a_type_the_schema_does_not_know_is_an_error_not_a_drop() -> None:
    with pytest.raises(SchemaError, match="has no entry for type 'CITY'"):
        project_gold([[CITY.with_label("CITY")]], default_schema().view("conll4"))
