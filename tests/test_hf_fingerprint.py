"""The quick fingerprint of a local model directory: cheap, and still changed by any rewrite of a file."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from arabench.models.hf import _FINGERPRINT_ENDS, _fingerprint


def model_dir(path: Path, weights: bytes) -> Path:
    path.mkdir()
    (path / "config.json").write_text('{"model_type": "bert"}', encoding="utf-8")
    (path / "model.safetensors").write_bytes(weights)
    return path


def test_rewriting_a_weight_file_with_the_same_size_changes_the_fingerprint(tmp_path: Path) -> None:
    directory = model_dir(tmp_path / "m", b"\x01" * 4096)
    before = _fingerprint(str(directory))
    assert before.startswith("quick:") and _fingerprint(str(directory)) == before
    (directory / "model.safetensors").write_bytes(b"\x02" * 4096)
    assert _fingerprint(str(directory)) != before


def test_a_change_in_the_middle_of_a_large_file_changes_it(tmp_path: Path) -> None:
    size = 2 * _FINGERPRINT_ENDS + 4096
    directory = model_dir(tmp_path / "m", b"\x00" * size)
    weights = directory / "model.safetensors"
    before = _fingerprint(str(directory))
    mtime = weights.stat().st_mtime_ns
    time.sleep(0.05)  # past the file system's clock tick
    with weights.open("r+b") as handle:  # bytes the quick hash does not read
        handle.seek(size // 2)
        handle.write(b"\xff")
    assert weights.stat().st_mtime_ns != mtime
    assert _fingerprint(str(directory)) != before


def test_a_copy_keeping_times_keeps_the_quick_fingerprint(tmp_path: Path) -> None:
    first = model_dir(tmp_path / "a", b"\x05" * 1000)
    copy = tmp_path / "b"
    shutil.copytree(first, copy)
    assert _fingerprint(str(copy)) == _fingerprint(str(first))


def test_the_full_hash_is_by_content_only(tmp_path: Path) -> None:
    first = model_dir(tmp_path / "a", b"\x03" * 1000)
    copy = tmp_path / "b"
    shutil.copytree(first, copy)
    full = _fingerprint(str(first), full=True)
    assert full.startswith("sha256:") and _fingerprint(str(copy), full=True) == full
    (copy / "model.safetensors").write_bytes(b"\x04" * 1000)
    assert _fingerprint(str(copy), full=True) != full
