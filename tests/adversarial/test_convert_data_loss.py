"""``arabench convert --overwrite`` never loses data: the source is read first, the destination swapped in last.

Before the fix, ``convert SRC DST --overwrite`` deleted DST's ``.txt``/``.ann``
files before reading SRC, so a bad SRC, a SRC inside DST or ``--text-from
DST`` left only ``manifest.yaml``. Each case asserts the exact outcome: the
error with its fix, DST byte for byte as before, no temporary sibling left.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from harness_fixtures import write_brat_corpus

from arabench.annotations.convert import convert
from arabench.annotations.errors import AnnotationError, BenchmarkError, ConversionError
from arabench.benchmark.cli import main as cli


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def dst(tmp_path: Path) -> Path:
    """A BRAT corpus with a file of its own (NOTES.md), the destination every test tries to replace."""
    corpus = write_brat_corpus(tmp_path / "dst")
    (corpus / "NOTES.md").write_text("kept\n", encoding="utf-8")
    return corpus


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def test_bad_source_leaves_destination_untouched(tmp_path: Path, dst: Path) -> None:
    before = _snapshot(dst)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "abc", "entities": [{"start": 0, "end": 9, "type": "PERS"}]}\n')
    with pytest.raises(AnnotationError, match=r"bad\.jsonl"):
        convert(bad, dst, dst_format="brat", overwrite=True)
    assert _snapshot(dst) == before
    assert _leftovers(tmp_path) == []


def test_source_that_is_not_json_leaves_destination_untouched(tmp_path: Path, dst: Path) -> None:
    before = _snapshot(dst)
    bad = tmp_path / "export.json"
    bad.write_text("[{not json", encoding="utf-8")
    assert cli(["convert", str(bad), str(dst), "--to", "brat", "--overwrite"]) == 2
    assert _snapshot(dst) == before


def test_source_inside_destination_is_refused(dst: Path) -> None:
    before = _snapshot(dst)
    with pytest.raises(ConversionError) as caught:
        convert(dst / "doc1.ann", dst, dst_format="brat", overwrite=True)
    assert caught.value.field == "src"
    assert "the source is inside the destination, which the conversion replaces" in str(caught.value)
    assert "fix: write to a destination outside the source" in str(caught.value)
    assert _snapshot(dst) == before


def test_text_from_inside_destination_is_refused(tmp_path: Path, dst: Path) -> None:
    conll = tmp_path / "c.conll"
    convert(dst, conll)
    before = _snapshot(dst)
    with pytest.raises(ConversionError) as caught:
        convert(conll, dst, dst_format="brat", text_from=dst, overwrite=True)
    assert caught.value.field == "text_from"
    assert "the --text-from corpus is inside the destination" in str(caught.value)
    assert _snapshot(dst) == before


def test_failing_write_leaves_destination_untouched(tmp_path: Path, dst: Path) -> None:
    """A write that fails half-way (the second document's id is not a file name) changes nothing."""
    src = tmp_path / "src.jsonl"
    src.write_text(
        '{"id": "fine", "text": "abc", "entities": []}\n{"id": "bad\\u0000id", "text": "def", "entities": []}\n',
        encoding="utf-8",
    )
    before = _snapshot(dst)
    with pytest.raises(ConversionError, match="document id cannot be used as a BRAT file name"):
        convert(src, dst, dst_format="brat", overwrite=True)
    assert _snapshot(dst) == before
    assert _leftovers(tmp_path) == []


def test_file_destination_is_replaced_only_after_success(tmp_path: Path, dst: Path) -> None:
    out = tmp_path / "out.jsonl"
    convert(dst, out)
    before = out.read_bytes()
    bad = tmp_path / "bad"
    shutil.copytree(dst, bad)
    (bad / "doc1.ann").write_text("T1\tPERS 0 999999\tx\n", encoding="utf-8")
    with pytest.raises(BenchmarkError):
        convert(bad, out, overwrite=True)
    assert out.read_bytes() == before


def test_successful_overwrite_keeps_other_files_and_replaces_pairs(tmp_path: Path, dst: Path) -> None:
    src = tmp_path / "one.jsonl"
    src.write_text('{"id": "only", "text": "abc", "entities": []}\n', encoding="utf-8")
    report = convert(src, dst, dst_format="brat", overwrite=True)
    assert report.documents == 1
    # the pairs replaced, NOTES.md kept, BRAT's configuration written beside them
    assert sorted(p.name for p in dst.iterdir()) == [
        "NOTES.md", "annotation.conf", "only.ann", "only.txt", "visual.conf"
    ]  # fmt: skip
    assert (dst / "NOTES.md").read_text(encoding="utf-8") == "kept\n"
    assert _leftovers(tmp_path) == []


def _converted(tmp_path: Path, name: str, fmt: str) -> tuple[Path, Path, Path]:
    """A one-document destination ``work/name`` in ``fmt``: (its directory, the source, the destination)."""
    work = tmp_path / "work"
    work.mkdir()
    good = tmp_path / "good.jsonl"
    good.write_text('{"id": "pair", "text": "زار محمد", "entities": []}\n', encoding="utf-8")
    dst = work / name
    convert(good, dst, dst_format=fmt)
    return work, good, dst


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("out_brat", "brat"),
        ("pair.ann", "brat"),
        ("out.jsonl", "jsonl"),
        ("out.conll", "conll"),
        ("out.json", "labelstudio"),
        ("out_ds", "hf"),
    ],
)
def test_every_destination_format_survives_a_failed_overwrite(tmp_path: Path, name: str, fmt: str) -> None:
    work, _, dst = _converted(tmp_path, name, fmt)
    before = _snapshot(work)
    bad = tmp_path / "bad.jsonl"
    entity = '{"id": "T1", "start": 3, "end": 8, "type": "PERS", "text": " محمد"}'
    bad.write_text(f'{{"id": "pair", "text": "زار محمد", "entities": [{entity}]}}\n', encoding="utf-8")
    with pytest.raises(AnnotationError, match="span starts or ends with white space"):
        convert(bad, dst, dst_format=fmt, overwrite=True)
    assert _snapshot(work) == before
    assert _leftovers(work) == []


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("out_brat", "brat"), ("pair.ann", "brat"), ("out.jsonl", "jsonl"), ("out.json", "labelstudio"), ("out_ds", "hf")],
)
def test_a_writer_failing_half_way_leaves_the_destination(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, fmt: str
) -> None:
    """The writer has written part of its output when it fails (disk full): the destination is as it was."""
    import arabench.annotations.convert as convert_module

    work, good, dst = _converted(tmp_path, name, fmt)
    before = _snapshot(work)

    def half_written(documents, path, *, format, **options):
        if path.suffix in (".ann", ".jsonl", ".json"):
            path.write_text("half", encoding="utf-8")
        else:
            path.mkdir(parents=True, exist_ok=True)
            (path / "pair.txt").write_text("half", encoding="utf-8")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(convert_module, "write_documents", half_written)
    with pytest.raises(ConversionError) as caught:
        convert(good, dst, dst_format=fmt, overwrite=True)
    assert str(caught.value) == (
        f"{dst}: cannot write the destination (No space left on device); it was left as it was; "
        "fix: free disk space or fix the permissions of its directory, then convert again"
    )
    assert _snapshot(work) == before
    assert _leftovers(work) == []
