"""What makes a whole ``run -m hf:`` cheap changes no result (issue 23; timed by tests/benchmarks/bench_grid.py).

* Forward passes: windows sorted by length go many to a pass, bounded by windows and padded tokens.
* The garbage collector is paused where nothing cyclic is made: hf ``predict`` leaves no cyclic garbage.
* Without a span inside another, the flat layer is counted once and its error records copied from
  the nested layer's lines: the files are those of counting and serializing each layer.
"""

from __future__ import annotations

import gc
import gzip
from pathlib import Path

import pytest
from tiny_models import CORPUS, build_tiny_bert

from arabench import benchmark
from arabench.annotations.collector import collection_paused
from arabench.benchmark import scoring
from arabench.benchmark.error_log import ErrorLog
from arabench.eval import spans as eval_spans
from arabench.models.hf import _batches
from arabench.models.registry import create_model


@pytest.mark.parametrize(
    ("lengths", "size", "tokens", "expected"),
    [
        ([], 64, 4096, []),
        ([3, 3, 5], 64, 4096, [(0, 3)]),
        ([64] * 130, 64, 4096, [(0, 64), (64, 128), (128, 130)]),  # short windows: the window count bounds
        ([512] * 20, 64, 4096, [(0, 8), (8, 16), (16, 20)]),  # long windows: the token budget bounds
        ([10, 10, 30, 30], 64, 60, [(0, 2), (2, 4)]),  # 3 × 30 would pad to 90 tokens
        ([5000, 5000], 64, 4096, [(0, 1), (1, 2)]),  # one window at least, whatever its length
        ([1, 2, 3], 2, 100, [(0, 2), (2, 3)]),
    ],
)
def test_forward_batches_are_bounded_by_windows_and_padded_tokens(
    lengths: list[int], size: int, tokens: int, expected: list[tuple[int, int]]
) -> None:
    got = _batches(lengths, size, tokens)
    assert got == expected
    assert [i for b, e in got for i in range(b, e)] == list(range(len(lengths)))  # every window once, in order


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_bert(tmp_path_factory.mktemp("tiny") / "bert")


def test_batching_changes_no_prediction(tiny_bert: Path) -> None:
    text = " ".join(CORPUS * 6)
    one = create_model(f"hf:{tiny_bert}", batch_size=1).predict([text, CORPUS[0]])
    assert create_model(f"hf:{tiny_bert}").predict([text, CORPUS[0]]) == one
    assert create_model(f"hf:{tiny_bert}", batch_size=3, batch_tokens=100).predict([text, CORPUS[0]]) == one


def test_hf_predict_makes_no_cyclic_garbage(tiny_bert: Path) -> None:
    """predict runs with the collector paused (collection_paused), which is safe only while it makes no cycles."""
    model = create_model(f"hf:{tiny_bert}", aggregation="average")
    model.predict([CORPUS[1]])  # first call: lazy imports and caches of the libraries
    gc.collect()
    with collection_paused():
        model.predict([" ".join(CORPUS * 4), CORPUS[2]])
        assert gc.collect() == 0


def test_collection_paused_restores_the_collector_and_promotes_only_when_nothing_is_frozen() -> None:
    assert gc.isenabled()
    with collection_paused(promote=True):
        assert not gc.isenabled()
        kept = [[] for _ in range(100)]
    assert gc.isenabled() and gc.get_freeze_count() == 0 and len(kept) == 100
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()  # the state on entry comes back
    finally:
        gc.enable()


def _conll(path: Path) -> Path:
    """Sentences of plain words (the corpus's tokens are arabench's words) with a few gold entities."""
    lines = []
    for k, sentence in enumerate(CORPUS[:-1] * 3):
        words = sentence.rstrip(".").split()
        for i, word in enumerate(words):
            tag = "O"
            if i == 1:
                tag = ("B-PERS", "B-LOC", "B-ORG")[k % 3]
            elif i == 2 and k % 2:
                tag = "I-" + ("PERS", "LOC", "ORG")[k % 3]
            lines.append(f"{word}\t{tag}")
        lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_flat_layer_counted_once_writes_the_files_of_counting_each_layer(
    tiny_bert: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = _conll(tmp_path / "doc.conll")
    copied = []
    log_again = scoring._log_again
    monkeypatch.setattr(scoring, "_log_again", lambda *a: copied.append(a[2]) or log_again(*a))
    kwargs = {"corpus": corpus, "cache": False, "cache_dir": tmp_path / "cache", "bootstrap": 20}
    fast = benchmark.run([f"hf:{tiny_bert}"], out=tmp_path / "fast", **kwargs)
    assert copied and copied[0] > 0  # the nested layer's records were copied from the flat layer's
    monkeypatch.setattr(eval_spans, "_nests", lambda prepared: True)  # the flat layer prepared and counted apart
    slow = benchmark.run([f"hf:{tiny_bert}"], out=tmp_path / "slow", **kwargs)
    assert len(copied) == 1
    assert fast.to_json()["models"] == slow.to_json()["models"]
    for name in ("errors.jsonl.gz",):
        fast_lines = gzip.open(tmp_path / "fast" / name, "rt", encoding="utf-8").read()
        assert fast_lines == gzip.open(tmp_path / "slow" / name, "rt", encoding="utf-8").read()
        assert '"layer":"flat"' in fast_lines and '"layer":"nested"' in fast_lines
    for name in ("summary.md", "per_type.csv"):
        assert (tmp_path / "fast" / name).read_text(encoding="utf-8") == (tmp_path / "slow" / name).read_text(
            encoding="utf-8"
        )


def test_error_log_lines_are_those_logged_when_asked() -> None:
    log = ErrorLog({"i": i} for i in range(5))
    lines = log.lines()
    for i in range(5, 5000):  # appending meanwhile (blocks compressed) changes nothing already asked for
        log.append({"i": i})
    assert list(lines) == [f'{{"i":{i}}}' for i in range(5)]
    log.append_line('{"i":"x"}')
    assert log[-1] == {"i": "x"} and len(log) == 5001
    with pytest.raises(ValueError, match="line break"):
        log.append_line('{"i":\n1}')


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("batch_size", 4097, "batch_size must be an integer in [1, 4096]"),
        ("batch_size", 0, "batch_size must be an integer in [1, 4096]"),
        ("batch_size", True, "batch_size must be an integer in [1, 4096]"),
        ("batch_tokens", (1 << 20) + 1, "batch_tokens must be an integer in [1, 1048576]"),
        ("batch_tokens", 2.5, "batch_tokens must be an integer in [1, 1048576]"),
    ],
)
def test_forward_pass_options_are_bounded(tiny_bert: Path, option: str, value: object, message: str) -> None:
    """A batch the size of a whole corpus is refused by name, from the command line or a direct call."""
    from arabench.annotations.errors import BenchmarkError
    from arabench.models.hf import HFTokenClassificationModel

    with pytest.raises(BenchmarkError) as caught:
        HFTokenClassificationModel(str(tiny_bert), **{option: value})
    assert message in str(caught.value)
    if not isinstance(value, bool | float):  # the declaration refuses the same values as text (--model-option)
        with pytest.raises(BenchmarkError) as parsed:
            create_model(f"hf:{tiny_bert}", **{option: str(value)})
        bound = 4096 if option == "batch_size" else 1 << 20
        assert f"must be an integer >= 1 and <= {bound} (got '{value}')" in str(parsed.value)
