"""arabench manifest: the manifest entry (sha256, characters, bytes, lines) is computed, never typed by hand."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from arabench.annotations.errors import AnnotationError
from arabench.annotations.manifest import text_facts, update_manifest
from arabench.annotations.validate import check_manifest
from arabench.benchmark.cli import main

GOLD = Path(__file__).resolve().parents[1] / "annotations" / "gold"
NEW_TEXT = "زار الوزير مصر 😀\nثم عاد إلى الرباط"


@pytest.fixture
def gold(tmp_path: Path) -> Path:
    shutil.copytree(GOLD, tmp_path / "gold")
    return tmp_path / "gold"


def test_the_gold_manifest_is_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert update_manifest(GOLD).up_to_date
    assert main(["manifest"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_text_facts_by_hand() -> None:
    raw = NEW_TEXT.encode("utf-8")
    facts = text_facts_of(NEW_TEXT)
    assert facts == {"sha256": hashlib.sha256(raw).hexdigest(), "characters": 34, "bytes_utf8": 63, "lines": 2}
    # 26 Arabic letters x 2 bytes, 6 spaces and the newline x 1, the emoji x 4 (one character, two UTF-16 units)
    assert len(raw) == 26 * 2 + 7 + 4


def text_facts_of(text: str) -> dict[str, object]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.txt"
        path.write_bytes(text.encode("utf-8"))
        return text_facts(path)


def test_check_then_write_a_new_document_and_a_wrong_fact(gold: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (gold / "001_new.txt").write_text(NEW_TEXT, encoding="utf-8", newline="")
    (gold / "001_new.ann").write_text("", encoding="utf-8")
    manifest = gold / "manifest.yaml"
    before = manifest.read_text(encoding="utf-8")
    manifest.write_text(before.replace("characters: 3191", "characters: 3190"), encoding="utf-8")
    assert main(["manifest", str(gold)]) == 1
    out = capsys.readouterr().out
    assert "000_c51be66d53f8d476: characters 3190 -> 3191" in out and "001_new: new entry" in out
    assert manifest.read_text(encoding="utf-8") != before  # checking wrote nothing: still the broken one
    assert [p.field for p in check_manifest(manifest) if p.is_error] == ["characters", "documents"]
    assert main(["manifest", str(gold), "--write"]) == 0
    after = manifest.read_text(encoding="utf-8")
    assert after.startswith(before)  # every line of the old manifest kept (comments, folded text)
    assert not [p for p in check_manifest(manifest) if p.is_error]
    entry = yaml.safe_load(after)["documents"][1]
    assert entry == {
        "id": "001_new",
        "text": "001_new.txt",
        "annotation": "001_new.ann",
        **text_facts(gold / "001_new.txt"),
    }
    assert update_manifest(gold).up_to_date


def test_a_missing_fact_is_inserted_in_its_entry(gold: Path) -> None:
    manifest = gold / "manifest.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("    lines: 16\n", ""), encoding="utf-8")
    result = update_manifest(gold, write=True)
    assert [(c.field, c.old, c.new) for c in result.changes] == [("lines", None, 16)]
    assert manifest.read_text(encoding="utf-8") == (GOLD / "manifest.yaml").read_text(encoding="utf-8")


def test_a_directory_without_manifest_gets_one(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("نص", encoding="utf-8")
    (tmp_path / "a.ann").write_text("", encoding="utf-8")
    result = update_manifest(tmp_path)
    assert result.added == ["a"] and not result.written and not (tmp_path / "manifest.yaml").exists()
    update_manifest(tmp_path, write=True)
    data = yaml.safe_load((tmp_path / "manifest.yaml").read_text(encoding="utf-8"))
    assert data["version"] == 1 and data["documents"][0]["characters"] == 2
    assert not [p for p in check_manifest(tmp_path / "manifest.yaml") if p.is_error]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: None, "no .txt documents in this directory"),
        (
            lambda d: ((d / "a.txt").write_text("x"), (d / "manifest.yaml").write_text("a: [")),
            "cannot read the manifest",
        ),
        (lambda d: ((d / "a.txt").write_text("x"), (d / "manifest.yaml").write_text("version: 1\n")), "no 'documents'"),
        (lambda d: (d / "a.txt").write_bytes(b"\xff"), "not valid UTF-8 at byte offset 0"),
    ],
)
def test_bad_input(tmp_path: Path, setup, message: str) -> None:
    setup(tmp_path)
    with pytest.raises(AnnotationError, match=message):
        update_manifest(tmp_path)
