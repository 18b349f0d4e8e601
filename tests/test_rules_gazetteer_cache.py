"""The rules' gazetteers are built once and cached on disk under the cache root, keyed by what they depend on."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from arabench.models.rules import gazetteers


@pytest.fixture
def cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ARABENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("ARABENCH_RULES_CACHE", "1")
    gazetteers.use_cache(None, read=True)  # the default root (an earlier run may have set its own)
    gazetteers.data.cache_clear()
    yield tmp_path / "cache"
    gazetteers.data.cache_clear()


def test_built_once_then_read_from_the_cache(cache_root: Path) -> None:
    built = gazetteers._build()
    first = gazetteers.data()
    path = gazetteers.cache_path()
    assert path is not None and path.parent == cache_root / "rules" and path.is_file()
    gazetteers.data.cache_clear()
    again = gazetteers.data()  # from the file this time
    assert again == first == built  # the same names, labels, rules, months, ... and digest


def test_the_key_follows_babel_and_the_word_lists(cache_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import babel

    key = gazetteers.cache_key()
    monkeypatch.setattr(babel, "__version__", babel.__version__ + ".post1")
    assert gazetteers.cache_key() != key
    monkeypatch.undo()
    assert gazetteers.cache_key() == key


def test_a_tampered_cache_file_is_rebuilt(cache_root: Path, caplog: pytest.LogCaptureFixture) -> None:
    good = gazetteers.data()
    path = gazetteers.cache_path()
    envelope = json.loads(path.read_text(encoding="utf-8"))
    body = json.loads(envelope["data"])
    body["names"][0][1] = "PERS"  # a label changed without its checksum
    envelope["data"] = json.dumps(body, ensure_ascii=False)
    path.write_text(json.dumps(envelope), encoding="utf-8")
    gazetteers.data.cache_clear()
    with caplog.at_level(logging.WARNING):
        again = gazetteers.data()
    assert again == good
    assert "discarding the cached gazetteers" in caplog.text and "sha256 does not match" in caplog.text


def test_a_cache_that_cannot_be_written_only_costs_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("ARABENCH_CACHE", str(blocker))
    monkeypatch.setenv("ARABENCH_RULES_CACHE", "1")
    gazetteers.data.cache_clear()
    try:
        assert gazetteers.data() == gazetteers._build()
    finally:
        gazetteers.data.cache_clear()


def test_off_switch_reads_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARABENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("ARABENCH_RULES_CACHE", "0")
    gazetteers.data.cache_clear()
    try:
        assert gazetteers.cache_path() is None
        gazetteers.data()
        assert not (tmp_path / "cache").exists()
    finally:
        gazetteers.data.cache_clear()


def test_the_run_cache_root_and_no_cache_apply(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--cache-dir`` moves the gazetteer file; ``--no-cache`` reads no file (and rewrites it)."""
    from arabench.models.rules.adapter import RuleModel

    monkeypatch.setenv("ARABENCH_CACHE", str(tmp_path / "default"))
    monkeypatch.setenv("ARABENCH_RULES_CACHE", "1")
    gazetteers.data.cache_clear()
    try:
        RuleModel(cache_dir=str(tmp_path / "run-root"))
        good = gazetteers.data()
        path = gazetteers.cache_path()
        assert path is not None and path.parent == tmp_path / "run-root" / "rules" and path.is_file()
        assert not (tmp_path / "default").exists()
        path.write_text("not json", encoding="utf-8")  # would warn if it were read
        gazetteers.data.cache_clear()
        RuleModel(cache_dir=str(tmp_path / "run-root"), cache="refresh")
        assert gazetteers.data() == good
        assert json.loads(path.read_text(encoding="utf-8"))["sha256"]  # rewritten
    finally:
        gazetteers.use_cache(None, read=True)
        gazetteers.data.cache_clear()
