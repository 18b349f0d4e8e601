"""Label Studio JSON import and export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arabench.annotations.errors import AnnotationError, SchemaError
from arabench.annotations.labelstudio import (
    BIDIRECTIONAL_KEY,
    IDS_KEY,
    OTHER_RESULTS_KEY,
    documents_to_labelstudio,
    read_labelstudio,
    write_labelstudio,
)
from arabench.annotations.schema import default_schema
from arabench.annotations.spans import Document, Relation, Span

EMOJI = "\U0001f600"  # an astral character: one code point, two UTF-16 code units
# "😀 The minister Khalid Saleh visited Amman 😀 yesterday" (general text)
TEXT = f"{EMOJI} زار الوزير خالد صالح عم\u0651ان {EMOJI} أمس"


def _span(text: str, needle: str, label: str) -> Span:
    start = text.index(needle)
    return Span(start, start + len(needle), label)


def fixture_document() -> Document:
    occ = _span(TEXT, "الوزير", "OCC")
    pers = _span(TEXT, "خالد صالح", "PERS")
    first = _span(TEXT, "خالد", "PERS")
    amman = _span(TEXT, "عم\u0651ان", "GPE")
    date = _span(TEXT, "أمس", "DATE")
    entities = {"T1": occ, "T2": pers, "T3": first, "T4": amman, "T5": date}
    relations = {"R1": Relation("HAS_ROLE", pers, occ), "R2": Relation("LOCATED_IN", pers, amman)}
    return Document("doc-1", TEXT, entities, relations, {"source": "fixture"})


def test_export_writes_code_point_offsets_and_the_template_shape() -> None:
    # Label Studio counts offsets over [...text] (code points): the emoji before the name is one unit
    (task,) = documents_to_labelstudio([fixture_document()])
    assert task["data"] == {"text": TEXT, "doc_id": "doc-1"}
    assert task["meta"] == {"source": "fixture"}
    (run,) = task["annotations"]
    results = run["result"]
    pers = next(r for r in results if r["id"] == "T2")
    start = TEXT.index("خالد صالح")
    assert start == 13
    assert pers == {
        "id": "T2",
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": 13, "end": 22, "text": "خالد صالح", "labels": ["PERS"]},
    }
    rel = next(r for r in results if r["type"] == "relation" and r["id"] == "R1")
    assert (rel["from_id"], rel["to_id"], rel["direction"], rel["labels"]) == ("T2", "T1", "right", ["HAS_ROLE"])


def test_round_trip_keeps_every_span_relation_and_id(tmp_path: Path) -> None:
    doc = fixture_document()
    path = write_labelstudio([doc], tmp_path / "tasks.json")
    (back,) = read_labelstudio(path, schema=default_schema())
    assert back == doc
    assert list(back.entities) == list(doc.entities)
    assert list(back.relations) == list(doc.relations)
    assert dict(back.metadata) == {"source": "fixture"}


def test_predictions_round_trip_and_wrong_source(tmp_path: Path) -> None:
    doc = fixture_document()
    path = write_labelstudio([doc], tmp_path / "pred.json", predictions=True)
    assert read_labelstudio(path, predictions=True) == [doc]
    with pytest.raises(AnnotationError, match=r"task has no annotations; it has predictions: read those instead"):
        read_labelstudio(path)


def label_studio_export() -> list[dict]:
    """A task shaped like a real Label Studio export: random ids, two annotations, other results."""
    text = "التقى الرئيس سعيد في تونس"
    pres = {"start": 6, "end": 12, "text": "الرئيس", "labels": ["OCC"]}
    said = {"start": 13, "end": 17, "text": "سعيد", "labels": ["PERS"]}
    tunis = {"start": 21, "end": 25, "text": "تونس", "labels": ["GPE"]}

    def region(rid: str, value: dict) -> dict:
        return {
            "id": rid,
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": value,
            "origin": "manual",
        }

    first = [
        region("aB3xK9", pres),
        region("Zq81Lm", said),
        region("pp0Q2w", tunis),
        {"from_id": "Zq81Lm", "to_id": "aB3xK9", "type": "relation", "direction": "right", "labels": ["HAS_ROLE"]},
        {"from_id": "pp0Q2w", "to_id": "Zq81Lm", "type": "relation", "direction": "left", "labels": ["LOCATED_IN"]},
        {
            "id": "c1",
            "from_name": "quality",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": ["good"]},
        },
    ]
    second = [region("yy", said)]
    return [
        {"id": 17, "data": {"text": text}, "annotations": [{"id": 1, "result": first}, {"id": 2, "result": second}]}
    ]


def test_several_annotations_need_an_explicit_index() -> None:
    tasks = label_studio_export()
    with pytest.raises(AnnotationError) as info:
        read_labelstudio(tasks)
    assert str(info.value) == (
        "field 'tasks[0].annotations': task has 2 annotations; which one to read is not guessed (got 2); "
        "fix: choose the annotator with --annotator (annotator=, the completed_by user id or e-mail; convert, "
        "validate and agree take it), or the position with --annotation-index (annotation_index=, 0..1)"
    )
    (second,) = read_labelstudio(tasks, annotation_index=1)
    assert second.id == "17" and list(second.entities.values()) == [Span(13, 17, "PERS")]
    with pytest.raises(AnnotationError, match=r"annotation_index out of range: task has 2 annotations \(got 5\)"):
        read_labelstudio(tasks, annotation_index=5)


def test_real_export_ids_directions_and_other_results_round_trip() -> None:
    tasks = label_studio_export()
    (doc,) = read_labelstudio(tasks, annotation_index=0)
    said, pres, tunis = Span(13, 17, "PERS"), Span(6, 12, "OCC"), Span(21, 25, "GPE")
    assert dict(doc.entities) == {"T1": pres, "T2": said, "T3": tunis}
    # "left": the relation points from to_id to from_id
    assert dict(doc.relations) == {"R1": Relation("HAS_ROLE", said, pres), "R2": Relation("LOCATED_IN", said, tunis)}
    assert doc.metadata[IDS_KEY] == {"T1": "aB3xK9", "T2": "Zq81Lm", "T3": "pp0Q2w"}
    assert doc.metadata[OTHER_RESULTS_KEY][0]["type"] == "choices"
    (task,) = documents_to_labelstudio([doc])
    result = task["annotations"][0]["result"]
    assert [r["id"] for r in result if r["type"] == "labels"] == ["aB3xK9", "Zq81Lm", "pp0Q2w"]
    assert result[-1]["from_name"] == "quality"
    assert "meta" not in task  # the arabench bookkeeping keys are not written as task meta
    assert read_labelstudio([task]) == [doc]


def test_bidirectional_relation_is_remembered() -> None:
    text = "مصر والسودان"
    value_a = {"start": 0, "end": 3, "labels": ["GPE"]}
    value_b = {"start": 4, "end": 12, "labels": ["GPE"]}
    result = [
        {"id": "a", "type": "labels", "value": value_a},
        {"id": "b", "type": "labels", "value": value_b},
        {"type": "relation", "from_id": "a", "to_id": "b", "direction": "bi", "labels": ["AFFILIATED_WITH"]},
    ]
    (doc,) = read_labelstudio([{"id": 1, "data": {"text": text}, "annotations": [{"result": result}]}])
    assert doc.metadata[BIDIRECTIONAL_KEY] == ["R1"]
    (task,) = documents_to_labelstudio([doc])
    assert task["annotations"][0]["result"][2]["direction"] == "bi"


def _task(value: dict, text: str = "قال محمد") -> list[dict]:
    return [
        {"id": 3, "data": {"text": text}, "annotations": [{"result": [{"id": "x", "type": "labels", "value": value}]}]}
    ]


@pytest.mark.parametrize(
    ("tasks", "message"),
    [
        (
            _task({"start": 4, "end": 8, "text": "محمود", "labels": ["PERS"]}),
            "field 'tasks[0].annotations[0].result[0].value.text': region text differs from the task text at 4:8 "
            "(task text there: 'محمد') (got 'محمود')",
        ),
        (
            _task({"start": 4, "end": 8, "labels": ["PERS", "ORG"]}),
            "field 'tasks[0].annotations[0].result[0].value.labels': a region needs exactly one label",
        ),
        (
            _task({"start": 4, "end": 80, "labels": ["PERS"]}),
            "field 'tasks[0].annotations[0].result[0].value.start/end': offset out of range (got (4, 80))",
        ),
        (
            _task({"start": 3, "end": 5, "labels": ["PERS"]}, text=f"{EMOJI}قال"),
            "value.start/end': offset out of range (got (3, 5)); fix: use 0..4 (code points, as Label Studio "
            "counts them)",
        ),
        (
            _task({"start": "4", "end": 8, "labels": ["PERS"]}),
            "value.start/end': region offsets must be integers (got ('4', 8))",
        ),
        ([{"id": 3, "data": {"body": "x"}, "annotations": []}], "field 'tasks[0].data.text': task has no text"),
        (
            [{"id": 3, "data": {"text": "x"}, "annotations": []}],
            "field 'tasks[0].annotations': task has no annotations (got []); fix: annotate the task in Label Studio "
            "(it was never annotated) or remove it",
        ),
        ({"a": 1}, "field 'tasks[0].data.text'"),
        (42, "a Label Studio export must be a JSON list of tasks (got 'int')"),
    ],
)
def test_bad_input_messages(tasks: object, message: str) -> None:
    with pytest.raises(AnnotationError) as info:
        read_labelstudio(tasks)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_relation_errors_and_schema_check() -> None:
    value = {"start": 4, "end": 8, "labels": ["PERS"]}
    region = {"id": "x", "type": "labels", "value": value}
    dangling = {"type": "relation", "from_id": "x", "to_id": "nope", "labels": ["HAS_ROLE"]}
    task = {"id": 1, "data": {"text": "قال محمد"}, "annotations": [{"result": [region, dangling]}]}
    with pytest.raises(AnnotationError, match=r"result\[1\]\.to_id': relation refers to no region .*\(got 'nope'\)"):
        read_labelstudio([task])
    unlabeled = {"type": "relation", "from_id": "x", "to_id": "x", "labels": []}
    task["annotations"] = [{"result": [region, unlabeled]}]
    with pytest.raises(AnnotationError, match="a relation needs exactly one label"):
        read_labelstudio([task])
    task["annotations"] = [{"result": [{"id": "x", "type": "labels", "value": {**value, "labels": ["PER"]}}]}]
    with pytest.raises(SchemaError, match="did you mean 'PERS'"):
        read_labelstudio([task], schema=default_schema())


def test_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[{", encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"bad\.json:1: not valid JSON"):
        read_labelstudio(bad)
    dup = tmp_path / "dup.json"
    tasks = documents_to_labelstudio([fixture_document(), fixture_document()])
    dup.write_text(json.dumps(tasks), encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"tasks\[0\] and tasks\[1\] have the same document id"):
        read_labelstudio(dup)


# --------------------------------------------------------------------------- property

ALPHABET = ["ك", "ت", "ب", " ", "\u064e", "\u0651", EMOJI, "\U0001d400", ".", "\n", "é"]


@st.composite
def documents(draw: st.DrawFn) -> Document:
    text = "".join(draw(st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=40)))
    n = len(text)
    spans = []
    for _ in range(draw(st.integers(0, 8))):
        start = draw(st.integers(0, n - 1))
        end = draw(st.integers(start + 1, n))
        candidate = Span(start, end, draw(st.sampled_from(["PERS", "GPE", "OCC"])))
        if any(candidate.crosses(s) for s in spans) or candidate in spans:
            continue
        spans.append(candidate)
    entities = {f"T{i + 1}": s for i, s in enumerate(spans)}
    relations = {}
    if len(spans) >= 2:
        for k in range(draw(st.integers(0, 3))):
            a, b = draw(st.permutations(spans))[:2]
            relations[f"R{k + 1}"] = Relation(draw(st.sampled_from(["HAS_ROLE", "PART_OF"])), a, b)
    return Document(draw(st.sampled_from(["a", "doc-2", "٣"])), text, entities, relations)


@given(documents())
@settings(max_examples=200, deadline=None)
def test_property_label_studio_and_json_round_trip_exactly(doc: Document) -> None:
    tasks = json.loads(json.dumps(documents_to_labelstudio([doc]), ensure_ascii=False))
    if not doc.entities:  # a raw text: no annotations, so that Label Studio serves the task
        assert "annotations" not in tasks[0]
        return
    for result in tasks[0]["annotations"][0]["result"]:
        if result["type"] == "labels":
            value = result["value"]
            # Label Studio's offsets: the code points of JavaScript's [...text]
            assert "".join(list(doc.text)[value["start"] : value["end"]]) == value["text"]
    (back,) = read_labelstudio(tasks)
    assert back == doc
    assert list(back.entities.items()) == list(doc.entities.items())
    assert list(back.relations.items()) == list(doc.relations.items())


# --------------------------------------------------------------------------- issue 19: Label Studio complete

ZWJ_FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one glyph, five code points (ZWJ between)
SHADDA_FATHA = "\u0651\u064e"  # combining marks: a code point each


@pytest.mark.parametrize(
    ("prefix", "units_before"),
    [
        ("", 0),
        (EMOJI + " ", 2),
        (ZWJ_FAMILY + " ", 6),
        ("\U0001d400\U0001d401 ", 3),  # mathematical letters outside the BMP
        ("ع" + SHADDA_FATHA + "ر ", 5),
    ],
)
def test_offsets_are_code_points_in_both_directions(prefix: str, units_before: int) -> None:
    # Label Studio counts [...text]: one unit per code point, so a region on «تونس» after any prefix sits at
    # len(prefix) whatever the prefix holds (astral characters, ZWJ sequences, combining marks).
    text = prefix + "زار تونس"
    start = text.index("تونس")
    assert start == units_before + 4 == len(list(text[:start]))
    doc = Document("d", text, {"T1": Span(start, start + 4, "GPE")})
    (task,) = documents_to_labelstudio([doc])
    value = task["annotations"][0]["result"][0]["value"]
    assert (value["start"], value["end"], value["text"]) == (start, start + 4, "تونس")
    # a region drawn in Label Studio on «تونس» comes back on «تونس»
    drawn = [
        {"id": "x1", "type": "labels", "value": {"start": start, "end": start + 4, "text": "تونس", "labels": ["GPE"]}}
    ]
    (back,) = read_labelstudio([{"id": 1, "data": {"text": text}, "annotations": [{"result": drawn}]}])
    assert [s.text_in(text) for s in back.entities.values()] == ["تونس"]


def test_region_text_with_a_line_break_as_label_studio_shows_it() -> None:
    text = f"{EMOJI} تحذير:\n{EMOJI} هذا"
    value = {"start": 2, "end": 10, "text": "تحذير:\\n" + EMOJI, "labels": ["MISC"]}
    (doc,) = read_labelstudio(
        [
            {
                "id": 1,
                "data": {"text": text},
                "annotations": [{"result": [{"id": "a", "type": "labels", "value": value}]}],
            }
        ]
    )
    assert doc.entities["T1"] == Span(2, 10, "MISC")


def test_labeling_config_is_rtl_with_every_label_relation_and_equiv() -> None:
    import xml.etree.ElementTree as ET

    from arabench.annotations.labelstudio import labeling_config

    schema = default_schema()
    root = ET.fromstring(labeling_config())
    assert root.tag == "View" and root.get("style") == "direction: rtl"
    labels = root.find("Labels")
    assert labels is not None and (labels.get("name"), labels.get("toName")) == ("label", "text")
    assert [e.get("value") for e in labels] == list(schema.entity_types)
    relations = [e.get("value") for e in root.find("Relations")]  # type: ignore[union-attr]
    assert relations == [*schema.relation_types, "Equiv"]
    text = root.find("Text")
    assert text is not None and (text.get("name"), text.get("value")) == ("text", "$text")
    conll4 = ET.fromstring(labeling_config(view="conll4"))
    assert sorted(e.get("value") for e in conll4.find("Labels")) == sorted(schema.view("conll4").labels)  # type: ignore[union-attr,type-var]
    with pytest.raises(SchemaError, match=r"unknown label view .*did you mean .conll4."):
        labeling_config(view="conll5")


def test_raw_text_task_is_served_not_marked_annotated(tmp_path: Path) -> None:
    raw = Document("raw-1", "زار الوزير تونس 😀")
    (task,) = documents_to_labelstudio([raw])
    assert "annotations" not in task and "predictions" not in task
    with pytest.raises(AnnotationError, match=r"task has no annotations .*never annotated"):
        read_labelstudio([task])


def test_predictions_carry_model_version_and_scores() -> None:
    from arabench.annotations.labelstudio import PREDICTION_KEY, SCORES_KEY

    doc = fixture_document()
    (task,) = documents_to_labelstudio([doc], predictions=True, model_version="rules@1")
    (run,) = task["predictions"]
    assert run["model_version"] == "rules@1" and "score" not in run
    scored = Document(
        doc.id, doc.text, doc.entities, doc.relations, {PREDICTION_KEY: {"score": 0.5}, SCORES_KEY: {"T2": 0.9}}
    )
    (task,) = documents_to_labelstudio([scored], predictions=True)
    (run,) = task["predictions"]
    assert (run["model_version"], run["score"]) == ("arabench", 0.5)
    assert [r.get("score") for r in run["result"] if r["type"] == "labels"] == [None, 0.9, None, None, None]
    (back,) = read_labelstudio([task], predictions=True)
    assert back.metadata[SCORES_KEY] == {"T2": 0.9}
    assert back.metadata[PREDICTION_KEY] == {"model_version": "arabench", "score": 0.5}


def _two_annotator_task(completed_by_a: object, completed_by_b: object) -> list[dict]:
    text = "التقى الرئيس سعيد في تونس"
    said = {"id": "T1", "type": "labels", "value": {"start": 13, "end": 17, "labels": ["PERS"]}}
    tunis = {"id": "T2", "type": "labels", "value": {"start": 21, "end": 25, "labels": ["GPE"]}}
    # Label Studio lists annotations by creation time: B annotated first here
    return [
        {
            "id": 9,
            "data": {"text": text, "doc_id": "d"},
            "annotations": [
                {"id": 2, "completed_by": completed_by_b, "result": [said]},
                {"id": 3, "completed_by": completed_by_b, "was_cancelled": True, "result": []},
                {"id": 1, "completed_by": completed_by_a, "result": [said, tunis]},
            ],
        }
    ]


@pytest.mark.parametrize(
    ("a", "b", "pick_a", "pick_b"),
    [
        (1, 2, "1", 2),  # the default export: completed_by is the user id
        (
            {"id": 1, "email": "alice@example.org"},
            {"id": 2, "email": "bob@example.org"},
            "Alice@example.org",
            "2",
        ),  # annotations__completed_by expanded
    ],
)
def test_annotator_is_chosen_by_completed_by(a: object, b: object, pick_a: object, pick_b: object) -> None:
    from arabench.annotations.labelstudio import annotators

    tasks = _two_annotator_task(a, b)
    (doc_a,) = read_labelstudio(tasks, annotator=pick_a)
    (doc_b,) = read_labelstudio(tasks, annotator=pick_b)
    assert len(doc_a.entities) == 2 and len(doc_b.entities) == 1
    names = annotators(tasks)
    assert len(names) == 2
    with pytest.raises(AnnotationError, match=r"task has no annotation by this annotator \(its annotators: "):
        read_labelstudio(tasks, annotator="carol")
    with pytest.raises(AnnotationError, match="give annotation_index or annotator, not both"):
        read_labelstudio(tasks, annotator=pick_a, annotation_index=0)


def test_predictions_listed_by_id_are_found_or_refused_with_the_way_out() -> None:
    text = "زار تونس"
    result = [{"id": "T1", "type": "labels", "value": {"start": 4, "end": 8, "labels": ["GPE"]}}]
    made = {"id": 7, "model_version": "rules", "result": result}
    task = {
        "id": 1,
        "data": {"text": text},
        "predictions": [7],
        "annotations": [{"id": 3, "prediction": made, "result": []}],
    }
    (doc,) = read_labelstudio([task], predictions=True)
    assert doc.entities["T1"] == Span(4, 8, "GPE")
    bare = {"id": 1, "data": {"text": text}, "predictions": [7], "annotations": []}
    with pytest.raises(AnnotationError) as info:
        read_labelstudio([bare], predictions=True)
    assert "field 'tasks[0].predictions[0]': the task lists its predictions by id only" in str(info.value)
    assert "only_id" in str(info.value) or "export" in str(info.value)


def _gold_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "annotations" / "gold"


def _free_entity(doc: Document) -> str:
    """An entity of the gold in no relation and no cluster (deleting it deletes one line)."""
    used = {i for pair in doc.relation_arg_ids().values() for i in pair} | {i for g in doc.clusters for i in g}
    return next(i for i in doc.entities if i not in used)


@pytest.mark.parametrize("edit", ["add", "delete", "relabel"])
def test_an_edit_in_label_studio_is_one_line_of_the_ann(tmp_path: Path, edit: str) -> None:
    import difflib

    from arabench.annotations.brat import write_brat
    from arabench.annotations.corpus import read_corpus

    (gold,) = read_corpus(_gold_dir())
    tasks = json.loads(json.dumps(documents_to_labelstudio([gold]), ensure_ascii=False))
    result = tasks[0]["annotations"][0]["result"]
    # what Label Studio does to a saved annotation: relation ids dropped, regions listed in its own order
    for item in result:
        if item["type"] == "relation":
            item.pop("id", None)
    regions = [r for r in result if r["type"] == "labels"][::-1]
    others = [r for r in result if r["type"] != "labels"]
    victim = _free_entity(gold)
    if edit == "add":  # a region drawn in the UI gets a random id
        value = {"start": 0, "end": 3, "text": gold.text[:3], "labels": ["MISC"]}
        regions.append({"id": "Xy12_ab", "from_name": "label", "to_name": "text", "type": "labels", "value": value})
    elif edit == "delete":
        regions = [r for r in regions if r["id"] != victim]
    else:
        region = next(r for r in regions if r["id"] == victim)
        region["value"]["labels"] = ["MISC" if region["value"]["labels"] != ["MISC"] else "PERS"]
    tasks[0]["annotations"][0]["result"] = [*regions, *others]
    (edited,) = read_labelstudio(tasks)
    write_brat(edited, tmp_path)
    before = (_gold_dir() / f"{gold.id}.ann").read_text(encoding="utf-8").splitlines()
    after = (tmp_path / f"{gold.id}.ann").read_text(encoding="utf-8").splitlines()
    diff = [
        d
        for d in difflib.unified_diff(before, after, lineterm="", n=0)
        if d[:1] in "+-" and d[:3] not in ("+++", "---")
    ]
    if edit == "add":
        assert diff == [f"+T{len(gold.entities) + 1}\tMISC 0 3\t{gold.text[:3]}"]
    elif edit == "delete":
        assert len(diff) == 1 and diff[0].startswith(f"-{victim}\t")
    else:
        assert len(diff) == 2 and diff[0].startswith(f"-{victim}\t") and diff[1].startswith(f"+{victim}\t")
