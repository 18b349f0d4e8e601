"""Label Studio JSON import and export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from arabench.annotations.errors import AnnotationError, ConversionError, SchemaError
from arabench.annotations.labelstudio import (
    BIDIRECTIONAL_KEY,
    IDS_KEY,
    OTHER_RESULTS_KEY,
    char_offset,
    documents_to_labelstudio,
    read_labelstudio,
    utf16_offset,
    write_labelstudio,
)
from arabench.annotations.schema import default_schema
from arabench.annotations.spans import Document, Relation, Span
from hypothesis import given, settings
from hypothesis import strategies as st

EMOJI = "\U0001f600"  # an astral character: two UTF-16 code units
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


def test_utf16_offsets_of_an_astral_character() -> None:
    assert utf16_offset(TEXT, 1) == 2
    assert char_offset(TEXT, 2) == 1
    with pytest.raises(ConversionError, match="UTF-16 offset falls inside a surrogate pair"):
        char_offset(TEXT, 1)
    tail = TEXT.index("أمس")
    assert utf16_offset(TEXT, tail) == tail + 2  # two emoji before it
    assert char_offset(TEXT, tail + 2) == tail


def test_export_writes_utf16_offsets_and_the_template_shape() -> None:
    (task,) = documents_to_labelstudio([fixture_document()])
    assert task["data"] == {"text": TEXT, "doc_id": "doc-1"}
    assert task["meta"] == {"source": "fixture"}
    (run,) = task["annotations"]
    results = run["result"]
    pers = next(r for r in results if r["id"] == "T2")
    start = TEXT.index("خالد صالح")
    assert pers == {
        "id": "T2",
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": start + 1, "end": start + 10, "text": "خالد صالح", "labels": ["PERS"]},
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
        "fix: pass annotation_index (0..1), or --annotation-index on the command line"
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
            _task({"start": 1, "end": 3, "labels": ["PERS"]}, text=f"{EMOJI}قال"),
            "value.start/end': UTF-16 offset falls inside a surrogate pair",
        ),
        (
            _task({"start": "4", "end": 8, "labels": ["PERS"]}),
            "value.start/end': region offsets must be integers (got ('4', 8))",
        ),
        ([{"id": 3, "data": {"body": "x"}, "annotations": []}], "field 'tasks[0].data.text': task has no text"),
        (
            [{"id": 3, "data": {"text": "x"}, "annotations": []}],
            "field 'tasks[0].annotations': task has no annotations",
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
    for result in tasks[0]["annotations"][0]["result"]:
        if result["type"] == "labels":
            value = result["value"]
            # JavaScript offsets: the slice of the UTF-16 encoding is the span text
            utf16 = doc.text.encode("utf-16-le")[2 * value["start"] : 2 * value["end"]].decode("utf-16-le")
            assert utf16 == value["text"]
    (back,) = read_labelstudio(tasks)
    assert back == doc
    assert list(back.entities.items()) == list(doc.entities.items())
    assert list(back.relations.items()) == list(doc.relations.items())
