"""Input that used to end in a traceback now ends in a clear error (file, field, value, fix); each message asserted."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest

from arabench.annotations.convert import convert
from arabench.annotations.errors import AnnotationError, ConversionError
from arabench.annotations.formats import check_path, read_documents
from arabench.benchmark.cli import main as cli

TEXT = "زار محمد القاهرة أمس"


def _task(text: str = TEXT, start: object = 4, end: object = 8) -> dict[str, object]:
    region = {"id": "a", "type": "labels", "value": {"start": start, "end": end, "labels": ["PERS"]}}
    return {"id": 1, "data": {"text": text}, "annotations": [{"result": [region]}]}


# --------------------------------------------------------------------------- lone surrogates


def test_jsonl_id_with_lone_surrogate_is_rejected_by_validate_run_and_convert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "a\\ud800", "text": "abc", "entities": []}\n', encoding="utf-8")
    report = check_path(path)
    assert [(p.line, p.field, p.value) for p in report.errors] == [(1, "id", "a\ud800")]
    assert report.errors[0].message.startswith("string holds a lone surrogate")
    assert report.errors[0].fix == "remove it, or give the full surrogate pair"
    for argv in (
        ["convert", str(path), str(tmp_path / "o"), "--to", "brat"],
        ["convert", str(path), str(tmp_path / "o.jsonl")],
        ["run", "-m", "empty", "--corpus", str(path), "--out", str(tmp_path / "out"), "--no-cache", "-q"],
    ):
        assert cli(argv) == 2, argv
        err = capsys.readouterr().err
        assert "c.jsonl:1: field 'id': string holds a lone surrogate" in err, err
        assert "fix: remove it, or give the full surrogate pair" in err


def test_labelstudio_text_with_lone_surrogate(tmp_path: Path) -> None:
    path = tmp_path / "ls.json"
    path.write_text(json.dumps([_task(text="ab\ud800c")]), encoding="utf-8")
    with pytest.raises(AnnotationError) as caught:
        read_documents(path)
    assert str(caught.value) == (
        f"{path}: field 'tasks[0].data.text': string holds a lone surrogate (half of a UTF-16 pair), which no file "
        "can store and no offset can count (got 'ab\\ud800c'); fix: remove it, or give the full surrogate pair"
    )


# --------------------------------------------------------------------------- Label Studio


def test_labelstudio_deeply_nested(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(AnnotationError) as caught:
        read_documents(path)
    assert str(caught.value) == (
        f"{path}: JSON nested too deeply to be a Label Studio export; fix: export the project as JSON from Label Studio"
    )


def test_labelstudio_5000_digit_offset(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps([_task()]).replace('"start": 4', '"start": ' + "9" * 5000), encoding="utf-8")
    with pytest.raises(AnnotationError) as caught:
        read_documents(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: not a readable JSON value: Exceeds the limit (4300 digits)")
    assert message.endswith("; fix: export the project as JSON from Label Studio")


# --------------------------------------------------------------------------- datasets


def _save(tmp_path: Path, name: str, rows: dict[str, list[object]]) -> Path:
    base = {
        "id": ["d1"],
        "text": [TEXT],
        "entities": [[{"id": "T1", "start": 4, "end": 8, "type": "PERS"}]],
        "relations": [[]],
        "metadata": ["{}"],
    }
    base.update(rows)
    path = tmp_path / name
    datasets.DatasetDict({"test": datasets.Dataset.from_dict(base)}).save_to_disk(str(path))
    return path


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            {"text": [None]},
            "field 'test[0].text': a document text must be a string (got None); fix: store the raw text",
        ),
        (
            {"metadata": ["{bad"]},
            "field 'test[0].metadata': metadata is not JSON (Expecting property name enclosed in double quotes); "
            "fix: store a JSON object string",
        ),
        (
            {"metadata": ["[1, 2]"]},
            "field 'test[0].metadata': metadata is not a JSON object (got '[1, 2]'); fix: store a JSON object string",
        ),
        (
            {"ner_tags": [["B-PERS", "O", "O", "O"]]},
            "field 'features.ner_tags': ner_tags is not a sequence of ClassLabel tags, so its tag names are unknown "
            "(got \"List(Value('string'))\"); fix: store ner_tags as Sequence(ClassLabel(names=...)) (as arabench "
            "convert does), or drop the column",
        ),
        (
            {"entities": [[{"id": "T1", "start": None, "end": 8, "type": "PERS"}]]},
            "field 'test[0].entities.T1.start': entities start must be an integer offset (got None); "
            "fix: store integer character offsets",
        ),
        (
            {"id": [None]},
            "field 'test[0].id': a document id must be a non-empty string or an integer (got None); "
            "fix: give every row a string id",
        ),
    ],
)
def test_datasets_malformed_rows(tmp_path: Path, rows: dict[str, list[object]], expected: str) -> None:
    path = _save(tmp_path, "ds", rows)
    with pytest.raises(AnnotationError) as caught:
        read_documents(path, format="hf")
    assert str(caught.value) == expected


def test_datasets_malformed_metadata_files(tmp_path: Path) -> None:
    path = _save(tmp_path, "ds", {})
    (path / "test" / "dataset_info.json").write_text('{"features": 5}', encoding="utf-8")
    with pytest.raises(AnnotationError) as caught:
        read_documents(path, format="hf")
    assert str(caught.value) == (
        f"{path}: cannot load the dataset (TypeError: argument of type 'int' is not iterable); "
        "fix: re-save it with save_to_disk"
    )


# --------------------------------------------------------------------------- BRAT file names


@pytest.mark.parametrize(
    ("doc_id", "expected"),
    [
        (
            "a\x00b",
            "field 'id': document id cannot be used as a BRAT file name: it holds a control character (NUL, "
            "newline...) or a lone surrogate (got 'a\\x00b'); fix: use an id of printable characters",
        ),
        (
            "x" * 300,
            "field 'id': document id cannot be used as a BRAT file name: 300 bytes in UTF-8, file names hold at most "
            "255 (with .ann) (got '" + "x" * 40 + "…'); fix: use an id of at most 250 bytes (e.g. a short name plus "
            "a hash)",
        ),
    ],
)
def test_convert_to_brat_with_unusable_id(tmp_path: Path, doc_id: str, expected: str) -> None:
    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps({"id": doc_id, "text": "abc", "entities": []}) + "\n", encoding="utf-8")
    with pytest.raises(ConversionError) as caught:
        convert(src, tmp_path / "out", dst_format="brat")
    assert str(caught.value) == expected
    assert not (tmp_path / "out").exists()
