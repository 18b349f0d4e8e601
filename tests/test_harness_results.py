"""results.json: deterministic across runs (apart from one timestamp), atomic writes, schema checks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from harness_fixtures import write_brat_corpus

from arabench import benchmark
from arabench.annotations.errors import BenchmarkError
from arabench.annotations.files import atomic_write_text
from arabench.benchmark.atomic import atomic_write_json, dump_json
from arabench.benchmark.results import TIMESTAMP_FIELD, load_results

FILES = ("results.json", "summary.md", "per_type.csv", "errors.jsonl.gz", "report.html")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_brat_corpus(tmp_path / "gold")


def _run(corpus: Path, out: Path, cache_dir: Path, **kwargs: object) -> benchmark.Results:
    return benchmark.run(
        ["rules", "oracle", "empty"], corpus=corpus, out=out, cache_dir=cache_dir, bootstrap=50, **kwargs
    )


def test_two_runs_are_identical_apart_from_the_timestamp(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import arabench.benchmark.runner as run_module

    commit = run_module._git_commit()
    assert commit is None or len(commit) == 40
    # The checkout's HEAD is an input; other commits landing during the test must not change it.
    monkeypatch.setattr(run_module, "_git_commit", lambda: commit)
    a = _run(corpus, tmp_path / "a", tmp_path / "cache")
    b = _run(corpus, tmp_path / "b", tmp_path / "cache")  # from the cache
    c = _run(corpus, tmp_path / "c", tmp_path / "cache", cache=False)  # recomputed
    texts = {}
    for run_dir in ("a", "b", "c"):
        texts[run_dir] = {
            name: (tmp_path / run_dir / name).read_bytes().decode("latin-1" if name.endswith(".gz") else "utf-8")
            for name in FILES
        }
    created = {r.created for r in (a, b, c)}
    for run_dir in ("b", "c"):
        for name in FILES:
            left, right = texts["a"][name], texts[run_dir][name]
            if name in ("results.json", "report.html"):
                # Exactly one field differs: the timestamp. Blank it out and compare bytes.
                for stamp in created:
                    left, right = left.replace(stamp, "T"), right.replace(stamp, "T")
            assert left == right, f"{name} differs between runs a and {run_dir}"
    data = json.loads(texts["a"]["results.json"])
    assert list(data)[:2] == ["schema_version", TIMESTAMP_FIELD]
    assert texts["a"]["results.json"].count(a.created) == 1


def test_results_json_is_exact_and_stable(tmp_path: Path, corpus: Path) -> None:
    results = _run(corpus, tmp_path / "a", tmp_path / "cache")
    raw = (tmp_path / "a" / "results.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    assert data["schema_version"] == 1
    assert raw == dump_json(results.to_json())
    # Floats are exact repr: parsing gives the very floats computed in memory.
    rules = results.model("rules").setting("native")["micro"]
    assert data["models"][0]["scores"]["native"]["spans"]["strict"]["word"]["flat"]["micro"]["f1"] == rules["f1"]
    assert "NaN" not in raw and "Infinity" not in raw
    assert data["corpus"]["sha256"] == _sha(corpus)
    assert set(data["environment"]) >= {"python", "platform", "cpu_count", "libraries"}
    assert data["arabench"]["version"] == benchmark.__version__


def _sha(corpus: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    for name in sorted(p.name for p in corpus.iterdir() if p.suffix in (".txt", ".ann")):
        digest.update((corpus / name).read_bytes())
    return digest.hexdigest()


def test_failure_mid_write_leaves_the_old_file(tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _run(corpus, tmp_path / "out", tmp_path / "cache")
    before = {name: (tmp_path / "out" / name).read_bytes() for name in FILES}

    real_fsync = os.fsync
    calls = {"n": 0}

    def failing_fsync(fd: int) -> None:
        calls["n"] += 1
        real_fsync(fd)
        raise OSError("simulated crash after the temporary file was written")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(BenchmarkError, match=r"simulated crash.*the directory was left as it was"):
        _run(corpus, tmp_path / "out", tmp_path / "cache", seed=7)
    monkeypatch.undo()
    assert calls["n"] >= 1
    after = {name: (tmp_path / "out" / name).read_bytes() for name in FILES}
    assert after == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(FILES)  # no temporary file left


def test_unserializable_value_leaves_the_old_file(tmp_path: Path) -> None:
    path = atomic_write_json(tmp_path / "r.json", {"f1": 0.5})
    with pytest.raises(ValueError):
        atomic_write_json(path, {"f1": float("nan")})
    assert json.loads(path.read_text(encoding="utf-8")) == {"f1": 0.5}
    atomic_write_text(path, "x")
    assert path.read_text(encoding="utf-8") == "x"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_load_results_checks_the_schema_version(tmp_path: Path, corpus: Path) -> None:
    _run(corpus, tmp_path / "out", tmp_path / "cache")
    path = tmp_path / "out" / "results.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["schema_version"] = 99
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(BenchmarkError, match=r"unsupported results schema version .*got 99"):
        load_results(tmp_path / "out")
    with pytest.raises(BenchmarkError, match="results file not found"):
        load_results(tmp_path / "nowhere")


def test_dump_json_is_valid_and_keeps_key_order() -> None:
    data = {"b": [1, 0.1, None], "a": {"z": "نص", "y": [[1, 2], [3, 4]]}, "long": list(range(100))}
    text = dump_json(data)
    assert json.loads(text) == data
    assert list(json.loads(text)) == ["b", "a", "long"]
    assert "0.1" in text and "نص" in text


def test_errors_file_is_gzip_json_lines_equal_to_the_records(tmp_path: Path) -> None:
    """errors.jsonl.gz holds every record, one JSON object per line, readable as a stream; runs give equal bytes."""
    import gzip

    from arabench.benchmark.error_log import BLOCK, ErrorLog
    from arabench.benchmark.report_text import error_records, read_errors

    results = benchmark.run(["empty", "rules"], out=tmp_path / "out", cache=False, bootstrap=0)
    path = tmp_path / "out" / "errors.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        lines = f.read().splitlines()
    records = list(error_records(results))
    assert len(lines) == len(records) > 0
    assert [json.loads(line) for line in lines] == records == list(read_errors(path))
    assert all(set(r) >= {"model", "view", "kind", "doc_id", "gold", "pred", "context"} for r in records)
    again = tmp_path / "again.jsonl.gz"
    from arabench.benchmark.report_text import write_errors

    write_errors(results, again)
    assert again.read_bytes() == path.read_bytes()
    log = ErrorLog(records * (BLOCK // len(records) + 2))  # more than one compressed block
    assert list(log) == records * (BLOCK // len(records) + 2) and log[-1] == records[-1] and log[BLOCK] == log[BLOCK]
