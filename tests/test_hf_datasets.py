"""Hugging Face datasets export and import."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from arabench.annotations.errors import AnnotationError, ConversionError
from arabench.annotations.hf_datasets import (
    from_dataset_dict,
    is_hf_dataset_dir,
    ner_label_names,
    read_hf,
    to_dataset_dict,
    write_hf,
)
from arabench.annotations.schema import default_schema
from arabench.annotations.spans import Document, Relation, Span

datasets = pytest.importorskip("datasets")

# "The Egyptian minister of health visited Cairo University in 2024." (general text)
TEXT = "زار وزير الصح\u0651ة المصري جامعة القاهرة عام 2024."


def _span(needle: str, label: str) -> Span:
    start = TEXT.index(needle)
    return Span(start, start + len(needle), label)


def fixture_documents() -> list[Document]:
    occ = _span("وزير الصح\u0651ة المصري", "OCC")
    norp = _span("المصري", "NORP")
    org = _span("جامعة القاهرة", "ORG")
    gpe = _span("القاهرة", "GPE")
    date = _span("عام 2024", "DATE")
    first = Document(
        "d1",
        TEXT,
        {"T1": occ, "T2": norp, "T3": org, "T4": gpe, "T5": date},
        {"R1": Relation("PART_OF", gpe, org)},
        {"source": "fixture", "brat": {"layout": "TTTTTR"}},
    )
    empty = Document("d2", "", {}, {}, {})
    return [first, empty]


def test_label_names_are_shared_and_in_schema_order() -> None:
    names = ner_label_names()
    types = list(default_schema().entity_types)
    assert names[:5] == ["O", f"B-{types[0]}", f"I-{types[0]}", f"B-{types[1]}", f"I-{types[1]}"]
    assert len(names) == 1 + 2 * len(types)
    assert ner_label_names(types=["PER", "LOC"]) == ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]


def test_columns_and_values() -> None:
    dd = to_dataset_dict(fixture_documents())
    assert list(dd) == ["test"]
    row = dd["test"][0]
    names = dd["test"].features["ner_tags"].feature.names
    tags = [names[t] for t in row["ner_tags"]]
    assert row["tokens"][:5] == ["زار", "وزير", "الصح\u0651ة", "المصري", "جامعة"]
    assert tags[:8] == ["O", "B-OCC", "I-OCC", "I-OCC", "B-ORG", "I-ORG", "B-DATE", "I-DATE"]
    assert row["token_offsets"][1] == [4, 8]
    assert len(row["entities"]) == 5  # nested NORP and GPE included
    assert row["relations"] == [{"id": "R1", "type": "PART_OF", "arg1": "T4", "arg2": "T3"}]
    assert json.loads(row["metadata"]) == {"source": "fixture", "brat": {"layout": "TTTTTR"}}


def test_save_to_disk_round_trip_keeps_every_span_and_relation(tmp_path: Path) -> None:
    docs = fixture_documents()
    path = write_hf(docs, tmp_path / "ds")
    assert is_hf_dataset_dir(path)
    back = read_hf(path)
    assert back == docs
    for a, b in zip(back, docs, strict=True):
        assert list(a.entities.items()) == list(b.entities.items())
        assert list(a.relations.items()) == list(b.relations.items())
        assert dict(a.metadata) == dict(b.metadata)


def test_splits_must_be_chosen(tmp_path: Path) -> None:
    docs = fixture_documents()
    dd = to_dataset_dict({"train": docs[:1], "test": docs[1:]})
    with pytest.raises(AnnotationError, match=r"the dataset has 2 splits; which one to read is not guessed"):
        from_dataset_dict(dd)
    assert from_dataset_dict(dd, split="train") == docs[:1]
    with pytest.raises(AnnotationError, match=r"no such split \(got 'dev'\); fix: use one of train, test"):
        from_dataset_dict(dd, split="dev")
    assert from_dataset_dict(dd["test"]) == docs[1:]


def test_types_outside_the_label_list_are_an_error() -> None:
    doc = Document("a", "قال محمد", {"T1": Span(4, 8, "PER")})
    with pytest.raises(ConversionError, match="document 'a': entity type has no class in ner_tags \\(got 'PER'\\)"):
        to_dataset_dict([doc])
    dd = to_dataset_dict([doc], types=["PER", "LOC", "ORG", "MISC"])
    assert from_dataset_dict(dd) == [doc]


def test_spans_sharing_a_token_are_an_error() -> None:
    doc = Document("a", "وبالكويت", {"T1": Span(0, 8, "GPE"), "T2": Span(0, 8, "LOC")})
    with pytest.raises(ConversionError, match="document 'a': two spans share a token"):
        to_dataset_dict([doc])


def test_edited_dataset_is_checked() -> None:
    dd = to_dataset_dict(fixture_documents()[:1])
    broken = dd["test"].map(lambda row: {"ner_tags": [0] * len(row["ner_tags"])})
    with pytest.raises(AnnotationError, match=r"field 'test\[0\].ner_tags': ner_tags disagree with the entities"):
        from_dataset_dict(datasets.DatasetDict({"test": broken}))
    dangling = dd["test"].map(lambda row: {"relations": [{"id": "R1", "type": "X", "arg1": "T9", "arg2": "T1"}]})
    with pytest.raises(AnnotationError, match=r"relations.R1.arg1': relation argument is not an entity id"):
        from_dataset_dict(dangling)


def test_read_hf_refuses_other_directories(tmp_path: Path) -> None:
    with pytest.raises(AnnotationError, match="not a directory written by datasets' save_to_disk"):
        read_hf(tmp_path)


def test_datasets_is_imported_lazily() -> None:
    import subprocess

    code = "import arabench.annotations.hf_datasets, sys; print('datasets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
