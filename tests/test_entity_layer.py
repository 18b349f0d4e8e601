"""The entity layer (coreference clusters): BRAT Equiv lines, round trips through every format, validation, stats."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arabench.annotations.brat import format_ann, parse_ann
from arabench.annotations.conll import ConllWriteReport, conll_export
from arabench.annotations.errors import AnnotationError
from arabench.annotations.hf_datasets import from_dataset_dict, to_dataset_dict
from arabench.annotations.jsonl import format_jsonl, parse_jsonl
from arabench.annotations.labelstudio import documents_to_labelstudio, parse_labelstudio
from arabench.annotations.stats import corpus_stats
from arabench.annotations.validate import check_document, entity_type

TEXT = "قال الوزير سامي نور إن مصر ترأس اللجنة برئاسة مصرية. وأضاف نور أن الدول العربية 2020 و2020."


def span_line(ident: str, label: str, word: str, nth: int = 0) -> str:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(word, start + 1)
    return f"{ident}\t{label} {start} {start + len(word)}\t{word}"


T_LINES = [
    span_line("T1", "PERS", "سامي نور"),
    span_line("T2", "GPE", "مصر"),
    span_line("T3", "ORG", "اللجنة"),
    span_line("T4", "NORP", "مصرية"),
    span_line("T5", "PERS", "نور", 1),
    span_line("T6", "NORP", "العربية"),
    span_line("T7", "DATE", "2020"),
    span_line("T8", "DATE", "2020", 1),
    span_line("T9", "PERS", "نور"),
]
BASE = "\n".join(T_LINES[:8]) + "\n"
GOOD = BASE + "R1\tHEADS Arg1:T2 Arg2:T3\n*\tEquiv T1 T5\n*\tEquiv T2 T4\n"


def parse(ann: str):
    return parse_ann(ann, TEXT, doc_id="doc")


def test_equiv_lines_are_the_entity_layer_and_round_trip_byte_for_byte() -> None:
    parsed = parse(GOOD)
    assert parsed.problems == []
    doc = parsed.document
    assert doc.clusters == (("T1", "T5"), ("T2", "T4"))
    assert doc.entity_groups() == [("T1", "T5"), ("T2", "T4"), ("T3",), ("T6",), ("T7",), ("T8",)]
    assert format_ann(doc) == GOOD
    assert check_document(parsed) == []
    # An Equiv line among the T lines keeps its place.
    moved = "\n".join(T_LINES[:2]) + "\n*\tEquiv T1 T5\n" + "\n".join(T_LINES[2:8]) + "\n"
    assert format_ann(parse(moved).document) == moved


def test_other_equivalence_types_are_kept_and_warned_not_scored() -> None:
    parsed = parse(BASE + "*\tAlias T1 T5\n")
    assert parsed.document.clusters == ()
    assert [p.severity for p in parsed.problems] == ["warning"]
    assert "'Alias' is kept in the document metadata but not scored" in parsed.problems[0].message
    assert format_ann(parsed.document) == BASE + "*\tAlias T1 T5\n"


@pytest.mark.parametrize(
    ("equiv", "message"),
    [
        ("*\tEquiv T1 T5\n*\tEquiv T5 T9\n", "T5 is already in cluster 1: a mention belongs to one entity"),
        ("*\tEquiv T1 T5 T5\n", "T5 is listed twice in one cluster"),
        ("*\tEquiv T1 T3\n", "mentions of incompatible types in one entity (ORG, PERS)"),
        ("*\tEquiv T4 T6\n", None),  # two NORP mentions: compatible (same type)
        ("*\tEquiv T7 T8\n", "value type(s) DATE in a cluster: values are never clustered"),
        ("*\tEquiv T1 T9\n", "T1 and T9 are nested"),
    ],
)
def test_validate_checks_clusters(equiv: str, message: str | None) -> None:
    ann = "\n".join(T_LINES) + "\n" + equiv
    problems = [p for p in check_document(parse(ann)) if p.is_error]
    if message is None:
        assert problems == []
    else:
        assert [p.message for p in problems if message in p.message], problems
        assert problems[0].line == len(T_LINES) + equiv.count("\n")  # the (last) Equiv line


def test_validate_names_an_unknown_id_in_a_cluster() -> None:
    parsed = parse(BASE + "*\tEquiv T1 T42\n")
    assert any("refers to an id that no line of this file defines" in p.message for p in parsed.problems)
    assert any("cluster names T42, which is not an entity" in p.message for p in check_document(parsed))


@pytest.mark.parametrize(
    ("relations", "message", "severity"),
    [
        ("R1\tEMPLOYED_BY Arg1:T2 Arg2:T4\n", "links two mentions of one entity (T2 and T4)", "error"),
        ("R1\tHEADS Arg1:T1 Arg2:T3\nR2\tEMPLOYED_BY Arg1:T5 Arg2:T3\n", "both EMPLOYED_BY and HEADS", "warning"),
    ],
)
def test_validate_checks_relations_across_a_cluster(relations: str, message: str, severity: str) -> None:
    problems = check_document(parse(BASE + relations + "*\tEquiv T1 T5\n*\tEquiv T2 T4\n"))
    assert [p.severity for p in problems if message in p.message] == [severity]


def test_a_containment_cannot_hold_both_ways_between_two_entities() -> None:
    text = "مكتب تونس في المنظمة ومكتب تونس"
    ann = (
        "T1\tORG 0 9\tمكتب تونس\nT2\tORG 13 20\tالمنظمة\nT3\tORG 22 31\tمكتب تونس\n"
        "R1\tPART_OF Arg1:T1 Arg2:T2\nR2\tPART_OF Arg1:T2 Arg2:T3\n*\tEquiv T1 T3\n"
    )
    problems = check_document(parse_ann(ann, text, doc_id="d"))
    assert [p.message for p in problems] == ["PART_OF holds both ways between the same two entities (R1 and R2)"]


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["GPE", "GPE"], "GPE"),
        (["GPE", "NORP"], "GPE"),
        (["NORP", "NORP"], "NORP"),
        (["ORG", "GPE"], None),
        (["ORG", "NORP"], None),
        (["GPE", "NORP", "ORG"], None),
    ],
)
def test_entity_type(labels: list[str], expected: str | None) -> None:
    assert entity_type(labels) == expected


def test_entity_groups_refuses_overlapping_clusters() -> None:
    doc = parse(BASE + "*\tEquiv T1 T5\n*\tEquiv T5 T2\n").document
    with pytest.raises(AnnotationError, match="is in two clusters"):
        doc.entity_groups()


def test_round_trips_keep_the_entity_layer() -> None:
    doc = parse(GOOD).document
    (again,), problems = parse_jsonl(format_jsonl([doc]))
    assert problems == [] and again.document == doc and format_ann(again.document) == GOOD
    assert parse_labelstudio(documents_to_labelstudio([doc]))[0] == doc
    assert from_dataset_dict(to_dataset_dict([doc]))[0] == doc


def test_label_studio_equiv_relations_of_any_shape_make_one_cluster() -> None:
    doc = parse(BASE).document
    (task,) = documents_to_labelstudio([doc])
    result = task["annotations"][0]["result"]
    result += [
        {"type": "relation", "from_id": "T1", "to_id": "T5", "direction": "bi", "labels": ["Equiv"]},
        {"type": "relation", "from_id": "T6", "to_id": "T4", "direction": "right", "labels": ["Equiv"]},
        {"type": "relation", "from_id": "T2", "to_id": "T4", "direction": "bi", "labels": ["Equiv"]},  # a chain
    ]
    (back,) = parse_labelstudio([task])
    assert back.clusters == (("T1", "T5"), ("T6", "T4", "T2"))
    assert back.relations == {}


def test_jsonl_cluster_errors_name_the_field() -> None:
    line = format_jsonl([parse(BASE).document]).replace('"relations": []', '"relations": [], "clusters": [["T1", 3]]')
    (doc,), _ = parse_jsonl(line)
    assert [(p.field, p.message) for p in doc.problems] == [("clusters[0]", "a cluster must be a list of entity ids")]


def test_conll_export_says_it_drops_the_clusters() -> None:
    report = ConllWriteReport()
    report.add(conll_export(parse(GOOD).document))
    assert report.clusters == 2
    assert "CoNLL has no entity layer: 2 coreference clusters are not in this file" in report.losses()


def test_stats_count_entities_clusters_and_entity_relations() -> None:
    doc = parse(GOOD + "R2\tHEADS Arg1:T2 Arg2:T3\n").document
    doc2 = parse(BASE + "R1\tHEADS Arg1:T2 Arg2:T3\nR2\tHEADS Arg1:T4 Arg2:T3\n*\tEquiv T2 T4\n").document
    stats = corpus_stats([doc, doc2])
    assert stats.entities == {"DATE": 4, "GPE": 2, "NORP": 2, "ORG": 2, "PERS": 3}
    assert stats.clusters == {"GPE": 2, "PERS": 1}
    assert stats.clustered_mentions == {"GPE": 4, "PERS": 2}
    assert stats.cluster_sizes == {1: 10, 2: 3}
    assert stats.relations == {"HEADS": 4} and stats.entity_relations == {"HEADS": 2}


@given(st.lists(st.integers(0, 3), min_size=8, max_size=8))
def test_any_partition_round_trips_through_brat_and_jsonl(owners: list[int]) -> None:
    """Clusters (groups of two or more mention ids) survive BRAT and JSONL, in order."""
    doc = parse(BASE).document
    ids = list(doc.entities)
    groups = [tuple(i for i, o in zip(ids, owners, strict=True) if o == k) for k in sorted(set(owners))]
    clustered = replace(doc, clusters=tuple(g for g in groups if len(g) > 1))
    again = parse(format_ann(clustered)).document
    assert again.clusters == clustered.clusters
    (line,), _ = parse_jsonl(format_jsonl([clustered]))
    assert line.document.clusters == clustered.clusters
    assert sorted(i for g in clustered.entity_groups() for i in g) == sorted(ids)


def test_a_predictions_file_carries_its_clusters_into_the_prediction(tmp_path: Path) -> None:
    from arabench.annotations.jsonl import write_jsonl
    from arabench.models.predictions import PredictionsFileModel

    doc = parse(GOOD).document
    path = write_jsonl([doc], tmp_path / "pred.jsonl")
    (prediction,) = PredictionsFileModel(path).predict([TEXT])
    assert "clusters_not_scored" not in prediction.diagnostics
    assert prediction.clusters == tuple(tuple(sorted(doc.entities[i] for i in g)) for g in doc.clusters)
    assert len(prediction.clusters) == 2
    assert len(prediction.relations) == 1


def test_entity_relations_collapse_r_lines_to_entity_pairs() -> None:
    doc = parse(BASE + "R1\tHEADS Arg1:T2 Arg2:T3\nR2\tHEADS Arg1:T4 Arg2:T3\n*\tEquiv T2 T4\n").document
    groups = doc.entity_groups()
    egypt, committee = groups.index(("T2", "T4")), groups.index(("T3",))
    assert doc.entity_relations() == {("HEADS", egypt, committee): ["R1", "R2"]}
