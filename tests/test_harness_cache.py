"""The predictions cache: a second run loads no model; corrupted entries are reported and recomputed."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness_fixtures import CountingModel, write_brat_corpus

from arabench import benchmark
from arabench.annotations.spans import Span
from arabench.benchmark.cache import CacheWarning, PredictionCache, prediction_from_json, prediction_to_json
from arabench.models.base import Prediction
from arabench.models.registry import NAMES, register_model

NAME = "counting-test-model"


@pytest.fixture
def counting() -> Iterator[type[CountingModel]]:
    register_model(NAME, "harness_fixtures:CountingModel", view="native", description="test")
    CountingModel.constructed = 0
    CountingModel.predicted = 0
    try:
        yield CountingModel
    finally:
        del NAMES[NAME]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_brat_corpus(tmp_path / "gold")


def _run(corpus: Path, cache_dir: Path, out: Path, **kwargs: object) -> benchmark.Results:
    return benchmark.run([NAME], corpus=corpus, cache_dir=cache_dir, out=out, bootstrap=20, **kwargs)


def _without_timestamp(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["created"]
    return data


def test_second_run_loads_no_model(tmp_path: Path, corpus: Path, counting: type[CountingModel]) -> None:
    first = _run(corpus, tmp_path / "cache", tmp_path / "a")
    assert (counting.constructed, counting.predicted) == (1, 2)
    second = _run(corpus, tmp_path / "cache", tmp_path / "b")
    assert (counting.constructed, counting.predicted) == (1, 2)  # nothing constructed, nothing predicted
    assert first.to_json()["models"] == second.to_json()["models"]
    assert _without_timestamp(tmp_path / "a" / "results.json") == _without_timestamp(tmp_path / "b" / "results.json")
    assert second.models[0].diagnostics == {"texts_seen": 2}


def test_no_cache_always_constructs_and_overwrites(tmp_path: Path, corpus: Path, counting: type[CountingModel]) -> None:
    _run(corpus, tmp_path / "cache", tmp_path / "a", cache=False)
    _run(corpus, tmp_path / "cache", tmp_path / "b", cache=False)
    assert counting.constructed == 2
    _run(corpus, tmp_path / "cache", tmp_path / "c")  # reads what the no-cache runs wrote
    assert (counting.constructed, counting.predicted) == (2, 4)


def test_changed_options_recompute(tmp_path: Path, corpus: Path, counting: type[CountingModel]) -> None:
    _run(corpus, tmp_path / "cache", tmp_path / "a")
    _run(corpus, tmp_path / "cache", tmp_path / "b", model_options={NAME: {"version": "2"}})
    assert (counting.constructed, counting.predicted) == (2, 4)


def test_edited_adapter_source_recomputes(
    tmp_path: Path, corpus: Path, counting: type[CountingModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    import arabench.benchmark.runner as run_module

    _run(corpus, tmp_path / "cache", tmp_path / "a")
    original = run_module._adapter_code_hash
    monkeypatch.setattr(run_module, "_adapter_code_hash", lambda target: f"edited-{original(target)}")
    _run(corpus, tmp_path / "cache", tmp_path / "b")
    assert (counting.constructed, counting.predicted) == (2, 4)  # a rule edited: never the stale predictions


def test_changed_text_predicts_only_that_text(tmp_path: Path, corpus: Path, counting: type[CountingModel]) -> None:
    _run(corpus, tmp_path / "cache", tmp_path / "a")
    text = (corpus / "doc2.txt").read_text(encoding="utf-8")
    (corpus / "doc2.txt").write_text(text + " ", encoding="utf-8")
    _run(corpus, tmp_path / "cache", tmp_path / "b")
    assert (counting.constructed, counting.predicted) == (2, 3)


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / "predictions").rglob("*.json"))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda raw: raw[: len(raw) // 2], "is not a valid cache entry"),
        (lambda raw: b"\xff\xfe" + raw, "is not a valid cache entry"),
        (lambda raw: raw.replace(b'"GPE"', b'"ORG"'), "fails its checksum"),
    ],
    ids=["truncated", "not-utf8", "edited"],
)
def test_corrupted_entry_is_reported_and_recomputed(
    tmp_path: Path, corpus: Path, counting: type[CountingModel], damage, message: str
) -> None:
    first = _run(corpus, tmp_path / "cache", tmp_path / "a")
    entries = _entries(tmp_path / "cache")
    assert len(entries) == 2
    target = next(p for p in entries if b'"GPE"' in p.read_bytes())
    target.write_bytes(damage(target.read_bytes()))
    with pytest.warns(CacheWarning) as caught:
        second = _run(corpus, tmp_path / "cache", tmp_path / "b")
    texts = [str(w.message) for w in caught]
    assert any(str(target) in t and message in t for t in texts), texts
    assert counting.constructed == 2 and counting.predicted == 3  # only the damaged text is predicted again
    assert first.to_json()["models"] == second.to_json()["models"]
    # The entry was rewritten: a third run is clean and loads nothing.
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        _run(corpus, tmp_path / "cache", tmp_path / "c")
    assert counting.constructed == 2


def test_corrupted_name_index_is_recomputed(tmp_path: Path, corpus: Path, counting: type[CountingModel]) -> None:
    _run(corpus, tmp_path / "cache", tmp_path / "a")
    (index,) = sorted((tmp_path / "cache" / "models").glob("*.json"))
    index.write_text("{not json", encoding="utf-8")
    with pytest.warns(CacheWarning, match="corrupted cache entry .*models"):
        _run(corpus, tmp_path / "cache", tmp_path / "b")
    assert counting.constructed == 2 and counting.predicted == 2  # re-created, predictions from the cache


def test_unloadable_model_is_not_needed_when_cached(
    tmp_path: Path, corpus: Path, counting: type[CountingModel]
) -> None:
    _run(corpus, tmp_path / "cache", tmp_path / "a")
    # Same name and options: served from the cache, so the constructor is never called.
    second = _run(corpus, tmp_path / "cache", tmp_path / "b")
    assert second.models[0].status == "scored" and counting.constructed == 1
    failing = _run(corpus, tmp_path / "cache", tmp_path / "c", model_options={NAME: {"fail": True}})
    assert failing.models[0].status == "failed" and "cannot be constructed" in failing.models[0].reason
    assert failing.exit_status == 1


def test_prediction_json_round_trip() -> None:
    p = Prediction(spans=(Span(3, 9, "GPE"), Span(0, 2, "PERS")), diagnostics={"windows": 2, "dropped_label:X": 1})
    assert prediction_from_json(json.loads(json.dumps(prediction_to_json(p)))) == p


def test_cache_files_are_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    cache = PredictionCache(tmp_path)
    key = PredictionCache.model_key({"id": "x"})
    cache.put(key, "نص", Prediction(spans=(Span(0, 2, "GPE"),)))
    before = _entries(tmp_path)[0].read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.warns(CacheWarning, match=r"cannot be written \(disk full\); models run uncached"):
        cache.put(key, "نص", Prediction(spans=(Span(0, 1, "ORG"),)))
    monkeypatch.undo()
    assert _entries(tmp_path)[0].read_bytes() == before
    assert [p.name for p in (_entries(tmp_path)[0].parent).iterdir()] == [_entries(tmp_path)[0].name]
    assert cache.get(key, "نص") == Prediction(spans=(Span(0, 2, "GPE"),))


def test_edited_predictions_file_is_read_again(tmp_path: Path, corpus: Path) -> None:
    pytest.importorskip("arabench.models.predictions")
    from arabench.annotations.corpus import read_corpus
    from arabench.annotations.jsonl import write_jsonl

    gold = read_corpus(corpus)
    path = write_jsonl(gold, tmp_path / "preds.jsonl")
    name = f"file:{path}"
    first = benchmark.run([name], corpus=corpus, cache_dir=tmp_path / "cache", bootstrap=0)
    assert first.models[0].setting("native")["micro"]["f1"] == 1.0
    write_jsonl([type(d)(d.id, d.text, {}) for d in gold], path)  # the system's output changed on disk
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    second = benchmark.run([name], corpus=corpus, cache_dir=tmp_path / "cache", bootstrap=0)
    assert second.models[0].setting("native")["micro"]["recall"] == 0.0


def test_name_key_follows_local_paths_and_hub_refs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "config.json").write_text("{}", encoding="utf-8")
    before = PredictionCache.name_key(f"hf:{model_dir}", {})
    (model_dir / "config.json").write_text('{"changed": 1}', encoding="utf-8")
    assert PredictionCache.name_key(f"hf:{model_dir}", {}) != before
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    refs = tmp_path / "hub" / "models--org--ner" / "refs"
    refs.mkdir(parents=True)
    (refs / "main").write_text("a" * 40, encoding="utf-8")
    old = PredictionCache.name_key("hf:org/ner", {}, hub_id="org/ner")
    (refs / "main").write_text("b" * 40, encoding="utf-8")  # a new snapshot was downloaded
    assert PredictionCache.name_key("hf:org/ner", {}, hub_id="org/ner") != old
    # Options that cannot be fingerprinted disable the name index (the model is then always created).
    assert PredictionCache.name_key("rules", {"callback": object()}) is None


class _BadLabelModel(CountingModel):
    def predict(self, texts: list[str]) -> list[object]:
        from arabench.models.base import Prediction

        return [Prediction(spans=(Span(0, 2, "CITY"),)) for _ in texts]


def test_a_label_outside_the_view_fails_the_model(tmp_path: Path, corpus: Path) -> None:
    results = benchmark.run([_BadLabelModel()], corpus=corpus, cache=False, bootstrap=0)
    (model,) = results.models
    assert model.status == "failed" and "label outside its view 'native'" in model.reason and "CITY" in model.reason
    assert results.exit_status == 1
