from __future__ import annotations

import pytest
from eval_helpers import nth_span
from hypothesis import given
from hypothesis import strategies as st

from arabench.annotations.errors import SchemaError, ScoringError
from arabench.annotations.schema import default_schema
from arabench.annotations.spans import Relation, Span
from arabench.eval.relations import score_relations
from arabench.eval.views import project_gold, score_spans_in_view

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


# --------------------------------------------------------------------------- entity level

ETEXT = "قال سامي نور رئيس لجنة الطاقة إن مصر والأردن عضوان. وأضاف نور أن برئاسة مصرية للجنة الطاقة"


def ent(word: str, label: str, nth: int = 0) -> Span:
    return nth_span(ETEXT, word, label, nth)


SAMI, NOUR = ent("سامي نور", "PERS"), ent("نور", "PERS", 1)
COMMITTEE, COMMITTEE2 = ent("لجنة الطاقة", "ORG"), ent("لجنة الطاقة", "ORG", 1)  # the second after لل
EGYPT, JORDAN, EGYPTIAN = ent("مصر", "GPE"), ent("الأردن", "GPE"), ent("مصرية", "NORP")
E_CLUSTERS = [[SAMI, NOUR], [COMMITTEE, COMMITTEE2], [EGYPT, EGYPTIAN], [JORDAN]]
E_GOLD = [Relation("HEADS", SAMI, COMMITTEE), Relation("HEADS", EGYPT, COMMITTEE2)]


def entity_scores(pred, *, mode="strict", pred_clusters=None, gold=E_GOLD, boundary="char"):
    return score_relations(
        [gold],
        [pred],
        mode=mode,
        level="entity",
        texts=[ETEXT],
        gold_clusters=[E_CLUSTERS],
        pred_clusters=pred_clusters,
        boundary=boundary,
    )


@pytest.mark.parametrize(
    ("pred", "tp", "fp"),
    [
        (E_GOLD, 2, 0),
        # Other mentions of the same entities: right at the entity level.
        ([Relation("HEADS", NOUR, COMMITTEE2), Relation("HEADS", EGYPT, COMMITTEE)], 2, 0),
        # Both occurrences named: one entity-level relation, the second collapses.
        ([Relation("HEADS", SAMI, COMMITTEE), Relation("HEADS", NOUR, COMMITTEE2)], 1, 0),
        # The NORP that stands for Egypt is a mention of Egypt's entity.
        ([Relation("HEADS", EGYPTIAN, COMMITTEE)], 1, 0),
        ([Relation("HEADS", JORDAN, COMMITTEE)], 0, 1),  # wrong entity
        ([Relation("MEMBER_OF", EGYPT, COMMITTEE)], 0, 1),  # wrong type
        ([Relation("HEADS", COMMITTEE, SAMI)], 0, 1),  # order matters
    ],
)
def test_entity_level_credits_any_mention_of_the_entity(pred: list[Relation], tp: int, fp: int) -> None:
    micro = entity_scores(pred).micro
    assert (micro.tp, micro.fp, micro.fn) == (tp, fp, 2 - tp)


def test_entity_level_collapses_gold_relations_per_entity_pair() -> None:
    gold = [*E_GOLD, Relation("HEADS", NOUR, COMMITTEE2)]  # the same fact stated twice
    scores = entity_scores([Relation("HEADS", SAMI, COMMITTEE)], gold=gold)
    assert (scores.micro.tp, scores.micro.fn) == (1, 1)
    assert scores.notes["gold_duplicates"] == 1
    mention = score_relations([gold], [[Relation("HEADS", SAMI, COMMITTEE)]])
    assert (mention.micro.tp, mention.micro.fn) == (1, 2)


def test_entity_level_strict_needs_the_mention_type_and_boundaries_does_not() -> None:
    pred = [Relation("HEADS", SAMI.with_label("ORG"), COMMITTEE)]
    assert entity_scores(pred).micro.tp == 0
    assert entity_scores(pred, mode="boundaries").micro.tp == 1


def test_entity_level_word_boundaries_map_a_mention_with_its_proclitic() -> None:
    with_lam = Span(COMMITTEE2.start - 1, COMMITTEE2.end, "ORG")  # «للجنة» whole word
    assert entity_scores([Relation("HEADS", SAMI, with_lam)]).micro.tp == 0
    assert entity_scores([Relation("HEADS", SAMI, with_lam)], boundary="word").micro.tp == 1


def test_unmatched_mentions_group_by_string_without_clusters_and_by_cluster_with_them() -> None:
    stray1, stray2 = ent("الطاقة", "ORG"), ent("الطاقة", "ORG", 1)  # no gold mention has these ranges
    pred = [Relation("HEADS", SAMI, stray1), Relation("HEADS", NOUR, stray2)]
    scores = entity_scores(pred)
    assert (scores.micro.tp, scores.micro.fp) == (0, 1)  # same string: one spurious entity, one FP
    assert scores.notes["pred_unmatched_arguments"] == 2
    split = entity_scores(pred, pred_clusters=[[[stray1], [stray2]]])
    assert split.micro.fp == 2  # the system says they are two entities: two FPs
    merged = entity_scores(pred, pred_clusters=[[[stray1, stray2]]])
    assert merged.micro.fp == 1


def test_predicted_clusters_do_not_move_matched_mentions() -> None:
    """A matched mention takes its gold entity; the system's clusters are scored by eval.coref."""
    pred = [Relation("HEADS", JORDAN, COMMITTEE)]
    wrong_coref = [[[EGYPT, JORDAN], [COMMITTEE]]]
    assert entity_scores(pred, pred_clusters=wrong_coref).micro.tp == 0


def test_entity_level_units_and_errors() -> None:
    with pytest.raises(ScoringError, match="need the gold entity layer"):
        score_relations([E_GOLD], [E_GOLD], level="entity", texts=[ETEXT])
    with pytest.raises(ScoringError, match="entity-level relations need one text per document"):
        score_relations([E_GOLD], [E_GOLD], level="entity", gold_clusters=[E_CLUSTERS])
    with pytest.raises(ScoringError, match="unknown relation level"):
        score_relations([E_GOLD], [E_GOLD], level="document")
    with pytest.raises(ScoringError, match="gold relation argument is in none of the gold clusters"):
        score_relations([E_GOLD], [[]], level="entity", texts=[ETEXT], gold_clusters=[[[SAMI]]])
    sentences = [(0, ETEXT.index("وأضاف")), (ETEXT.index("وأضاف"), len(ETEXT))]
    gold = [Relation("HEADS", SAMI, COMMITTEE), Relation("HEADS", EGYPTIAN, COMMITTEE2)]
    scores = score_relations([gold], [[]], level="entity", texts=[ETEXT], gold_clusters=[E_CLUSTERS], units=[sentences])
    assert scores.unit_counts[:, :, 2].sum(axis=1).tolist() == [1, 1]  # a relation counts in its arg1's sentence


MENTIONS = [SAMI, NOUR, COMMITTEE, COMMITTEE2, EGYPT, JORDAN, EGYPTIAN]
relations_st = st.lists(
    st.builds(Relation, st.sampled_from(["HEADS", "MEMBER_OF"]), st.sampled_from(MENTIONS), st.sampled_from(MENTIONS)),
    max_size=6,
)


@given(relations_st, relations_st, st.sampled_from(["strict", "boundaries"]))
def test_entity_level_with_singleton_entities_equals_mention_level(gold, pred, mode) -> None:
    """With every gold mention its own entity and every predicted argument a gold mention, the levels agree."""
    singletons = [[m] for m in MENTIONS]
    mention = score_relations([gold], [pred], mode=mode)
    entity = score_relations([gold], [pred], mode=mode, level="entity", texts=[ETEXT], gold_clusters=[singletons])
    assert (entity.micro.tp, entity.micro.fp, entity.micro.fn) == (mention.micro.tp, mention.micro.fp, mention.micro.fn)


@given(relations_st, relations_st)
def test_entity_level_never_counts_more_than_mention_level(gold, pred) -> None:
    """Collapsing to entities can only merge relations: gold and predicted totals never grow."""
    mention = score_relations([gold], [pred])
    entity = score_relations([gold], [pred], level="entity", texts=[ETEXT], gold_clusters=[E_CLUSTERS])
    assert entity.micro.tp + entity.micro.fn <= mention.micro.tp + mention.micro.fn
    assert entity.micro.tp + entity.micro.fp <= mention.micro.tp + mention.micro.fp


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
