"""A corpus too large for the machine is refused before any model runs, with the limit and the fix (issue 18)."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness_fixtures import write_brat_corpus

from arabench import benchmark
from arabench.annotations.errors import BenchmarkError
from arabench.benchmark import limits


def test_estimate_grows_with_the_text() -> None:
    mb = 1 << 20
    assert limits.estimate_mb([]) == limits.BASE_MB
    one, ten = limits.estimate_mb([mb]), limits.estimate_mb([10 * mb])
    assert one == limits.BASE_MB + limits.PER_MB_LARGEST + limits.PER_MB_TOTAL
    assert ten - one == pytest.approx(9 * (limits.PER_MB_LARGEST + limits.PER_MB_TOTAL))
    # many small documents cost less than one document of the same total size
    assert limits.estimate_mb([mb] * 10) < ten


def test_a_run_over_the_limit_is_refused_before_any_model_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = write_brat_corpus(tmp_path / "gold")
    monkeypatch.setenv("ARABENCH_MEMORY_LIMIT", "150")  # below the base: nothing fits
    ran = []
    from arabench.models.simple import EmptyModel

    class Spy(EmptyModel):
        def predict(self, texts):  # type: ignore[no-untyped-def]
            ran.append(len(texts))
            return super().predict(texts)

    with pytest.raises(BenchmarkError) as err:
        benchmark.run([Spy()], corpus=corpus, out=tmp_path / "out", cache=False, bootstrap=0)
    message = str(err.value)
    assert "corpus too large for this machine" in message and "more than the 150 MB available" in message
    assert "nothing was run" in message and "ARABENCH_MEMORY_LIMIT" in message
    assert ran == [] and not (tmp_path / "out" / "results.json").exists()
    monkeypatch.setenv("ARABENCH_MEMORY_LIMIT", "0")  # the check off: the same run goes through
    results = benchmark.run([Spy()], corpus=corpus, cache=False, bootstrap=0)
    assert ran and results.models[0].status == "scored"


def test_the_fix_names_a_document_size_that_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARABENCH_MEMORY_LIMIT", "1000")
    text = "ا" * (4 << 20)  # 8 MB of UTF-8
    with pytest.raises(BenchmarkError) as err:
        limits.check_memory([text, "x"], ["big", "small"], source="corpus.conll")
    message = str(err.value)
    assert "largest document 'big' has 8.0 MB of text" in message and "corpus.conll" in message
    assert "split the text into documents of at most about 5.3 MB" in message
    limits.check_memory(["x" * 1000], ["tiny"])  # fits: no error


def test_a_corpus_file_too_large_to_read_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.conll"
    path.write_bytes(b"x\tO\n" * (1 << 20))  # 4 MB
    monkeypatch.setenv("ARABENCH_MEMORY_LIMIT", "250")
    with pytest.raises(BenchmarkError, match="corpus file too large for this machine"):
        limits.check_file(path)


@pytest.mark.parametrize("value", ["abc", "-5", "nan", "inf"])
def test_a_bad_limit_is_an_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("ARABENCH_MEMORY_LIMIT", value)
    with pytest.raises(BenchmarkError, match="ARABENCH_MEMORY_LIMIT must be a number of megabytes"):
        limits.available_mb()
