"""Every import is validated like the gold: ``convert`` never writes what ``validate`` rejects.

Label Studio and datasets imports with white space at span edges, crossing
spans, unknown types, CRLF texts (Label Studio counts offsets in the browser's
LF text, so CRLF offsets shift), and an object ``doc_id`` were written before
the fix. Each case asserts the message (file, field, value, fix) and that
nothing was written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from arabench.annotations.convert import convert
from arabench.annotations.errors import AnnotationError
from arabench.annotations.formats import check_path
from arabench.annotations.hf_datasets import write_hf
from arabench.annotations.spans import Document, Span

TEXT = "زار محمد القاهرة أمس"  # محمد 4..8, القاهرة 9..16


def _region(rid: str, start: int, end: int, label: str) -> dict[str, object]:
    return {"id": rid, "type": "labels", "value": {"start": start, "end": end, "labels": [label]}}


def _ls(tmp_path: Path, *regions: dict[str, object], text: str = TEXT, data: dict | None = None) -> Path:
    path = tmp_path / "export.json"
    task = {"id": 7, "data": {"text": text, **(data or {})}, "annotations": [{"result": list(regions)}]}
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("regions", "field", "message"),
    [
        ([_region("a", 3, 8, "PERS")], "tasks[0]/T1.start", "span starts or ends with white space"),
        ([_region("a", 4, 9, "PERS")], "tasks[0]/T1.end", "span starts or ends with white space"),
        ([_region("a", 4, 12, "PERS"), _region("b", 9, 16, "GPE")], "tasks[0]/T2.start", "cross"),
        ([_region("a", 4, 8, "PERSON")], "tasks[0]/T1.type", "unknown entity type"),
    ],
)
@pytest.mark.parametrize("dst_name", ["out.jsonl", "brat_out"])
def test_labelstudio_import_is_validated(
    tmp_path: Path, regions: list[dict[str, object]], field: str, message: str, dst_name: str
) -> None:
    src = _ls(tmp_path, *regions)
    dst = tmp_path / dst_name
    with pytest.raises(AnnotationError) as caught:
        convert(src, dst, dst_format="jsonl" if dst_name.endswith(".jsonl") else "brat")
    problems = caught.value.problems  # type: ignore[attr-defined]
    assert any(p.field == field and message in p.message and p.file == str(src) and p.fix for p in problems), problems
    assert f"source {src} has" in str(caught.value)
    assert not dst.exists()


def test_labelstudio_crlf_text_is_refused(tmp_path: Path) -> None:
    """Label Studio shows (and counts offsets in) the LF text: CRLF offsets would be silently shifted."""
    src = _ls(tmp_path, _region("a", 6, 10, "PERS"), text="سطر\r\nزار محمد")
    with pytest.raises(AnnotationError) as caught:
        convert(src, tmp_path / "out.jsonl")
    assert "tasks[0].text" in str(caught.value) and "CRLF line ending at character offset 3" in str(caught.value)
    assert "fix: save the text with LF line endings" in str(caught.value)


def test_labelstudio_object_doc_id_is_refused(tmp_path: Path) -> None:
    src = _ls(tmp_path, _region("a", 4, 8, "PERS"), data={"doc_id": {"name": "x"}})
    with pytest.raises(AnnotationError) as caught:
        convert(src, tmp_path / "out.jsonl")
    assert str(caught.value) == (
        f"{src}: field 'tasks[0].data.doc_id': a document id must be a non-empty string or an integer "
        "(got {'name': 'x'}); fix: give the task a string data.doc_id (an object or list would be turned into "
        "an unreadable id)"
    )
    assert not (tmp_path / "out.jsonl").exists()


def test_view_labels_convert_and_validate_without_type_check(tmp_path: Path) -> None:
    """A label of a view (PER of conll4) is not unknown: it converts, and validate --no-type-check accepts it."""
    src = _ls(tmp_path, _region("a", 4, 8, "PER"))
    out = tmp_path / "out.jsonl"
    convert(src, out)
    assert check_path(out, check_types=False).ok


def _dataset(tmp_path: Path, span: Span, text: str = TEXT) -> Path:
    path = tmp_path / "ds"
    document = Document("d1", text, {"T1": span})
    write_hf([document], path, types=["PERS", "GPE", "XYZ"])
    return path


@pytest.mark.parametrize(
    ("span", "field", "message"),
    [
        (Span(3, 8, "PERS"), "d1/T1.start", "span starts or ends with white space"),
        (Span(4, 8, "XYZ"), "d1/T1.type", "unknown entity type"),
    ],
)
def test_datasets_import_is_validated(tmp_path: Path, span: Span, field: str, message: str) -> None:
    src = _dataset(tmp_path, span)
    with pytest.raises(AnnotationError) as caught:
        convert(src, tmp_path / "out.jsonl", src_format="hf")
    problems = caught.value.problems  # type: ignore[attr-defined]
    assert [(p.field, p.message[: len(message)]) for p in problems] == [(field, message)]
    assert not (tmp_path / "out.jsonl").exists()


def test_what_convert_writes_validates(tmp_path: Path) -> None:
    src = _ls(tmp_path, _region("a", 4, 8, "PERS"), _region("b", 9, 16, "GPE"))
    out = tmp_path / "out.jsonl"
    convert(src, out)
    assert check_path(out).ok
