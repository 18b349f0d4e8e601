"""Random bytes and random JSON into every reader: the only exception is ``BenchmarkError``, and none hangs.

Readers: every format of :mod:`arabench.annotations.formats` (BRAT, JSONL, CoNLL,
Label Studio, datasets), ``file:`` predictions in each file format, a
``results.json`` for ``compare``, model cards, label maps and view files.
Sizes are bounded (a few KB, a few levels of nesting) and every example runs
under an alarm, so a reader that loops shows as a failure, not a stuck suite.
"""

from __future__ import annotations

import json
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arabench.annotations.errors import BenchmarkError
from arabench.annotations.formats import check_path, read_documents
from arabench.annotations.schema import load_views
from arabench.benchmark.compare import compare
from arabench.models.cards import load_card
from arabench.models.labelmap import parse_label_map
from arabench.models.predictions import PredictionsFileModel

SECONDS = 20
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=12)
any_json = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
small_int = st.integers(-3, 40) | scalars


def _shaped(keys: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    """Objects with (some of) the keys a reader expects, holding random values: reaches past the first check."""
    return st.fixed_dictionaries({}, optional=keys)


entity = _shaped(
    {
        "id": st.text(max_size=4) | scalars,
        "start": small_int,
        "end": small_int,
        "type": st.sampled_from(["PERS", "GPE", "X"]) | scalars,
        "text": st.text(max_size=6) | scalars,
    }
)
relation = _shaped(
    {
        "id": st.text(max_size=4),
        "type": st.text(max_size=10) | scalars,
        "arg1": st.text(max_size=4),
        "arg2": st.text(max_size=4),
    }
)
jsonl_doc = _shaped(
    {
        "id": st.text(max_size=8) | scalars,
        "text": st.text(max_size=30) | scalars,
        "entities": st.lists(entity, max_size=4) | scalars,
        "relations": st.lists(relation, max_size=2) | scalars,
        "metadata": any_json,
    }
)
region = _shaped(
    {
        "id": st.text(max_size=4) | scalars,
        "type": st.sampled_from(["labels", "relation", "choices"]) | scalars,
        "value": _shaped(
            {
                "start": small_int,
                "end": small_int,
                "labels": st.lists(st.text(max_size=5), max_size=2) | scalars,
                "text": st.text(max_size=5),
            }
        )
        | scalars,
        "from_id": st.text(max_size=4),
        "to_id": st.text(max_size=4),
        "labels": st.lists(st.text(max_size=5), max_size=2) | scalars,
        "direction": st.sampled_from(["right", "left", "bi", "up"]) | scalars,
    }
)
ls_task = _shaped(
    {
        "id": scalars,
        "data": _shaped({"text": st.text(max_size=30) | scalars, "doc_id": scalars | any_json}) | scalars,
        "annotations": st.lists(_shaped({"result": st.lists(region, max_size=4) | scalars}), max_size=2) | scalars,
        "meta": any_json,
    }
)
results_json = _shaped(
    {
        "schema_version": st.just(1) | scalars,
        "created": scalars,
        "arabench": any_json,
        "corpus": _shaped(
            {
                "sha256": st.text(max_size=4) | scalars,
                "unit": st.just("sentence") | scalars,
                "n_units": small_int,
                "documents": st.lists(_shaped({"units": st.lists(any_json, max_size=3) | scalars}), max_size=3)
                | scalars,
            }
        )
        | scalars,
        "settings": any_json,
        "environment": any_json,
        "models": st.lists(
            _shaped({"name": st.text(max_size=4), "status": st.just("scored") | scalars, "scores": any_json}),
            max_size=3,
        )
        | scalars,
    }
)
conll_text = st.lists(
    st.one_of(
        st.just(""),
        st.just("-DOCSTART-"),
        st.builds(
            lambda t, g: f"{t}\t{g}",
            st.text(max_size=6),
            st.sampled_from(["O", "B-PERS", "I-PERS", "E-GPE", "S-X", "I-", "B"]),
        ),
        st.text(max_size=12),
    ),
    max_size=12,
).map("\n".join)


@contextmanager
def _alarm() -> Iterator[None]:
    def hang(signum: int, frame: object) -> None:
        raise AssertionError(f"reader ran longer than {SECONDS} s (a hang)")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _workdir() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="arabench-fuzz-"))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _only_benchmark_errors(call: Callable[[], object]) -> None:
    with _alarm():
        try:
            call()
        except BenchmarkError:
            pass


def _bytes_or_json(data: bytes | object) -> bytes:
    if isinstance(data, bytes):
        return data
    return json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass")


# --------------------------------------------------------------------------- annotation formats


@FUZZ
@given(txt=st.binary(max_size=300), ann=st.binary(max_size=300) | st.text(max_size=200).map(str.encode))
def test_brat(txt: bytes, ann: bytes) -> None:
    with _workdir() as root:
        corpus = root / "c"
        corpus.mkdir()
        (corpus / "d.txt").write_bytes(txt)
        (corpus / "d.ann").write_bytes(ann)
        _only_benchmark_errors(lambda: read_documents(corpus, format="brat"))
        _only_benchmark_errors(lambda: check_path(corpus))
        _only_benchmark_errors(lambda: PredictionsFileModel(corpus, format="brat"))


@FUZZ
@given(data=st.binary(max_size=600) | st.lists(jsonl_doc | any_json, max_size=3))
def test_jsonl(data: bytes | list[object]) -> None:
    with _workdir() as root:
        path = root / "c.jsonl"
        if isinstance(data, list):
            raw = b"\n".join(_bytes_or_json(d) for d in data)
        else:
            raw = data
        path.write_bytes(raw)
        _only_benchmark_errors(lambda: read_documents(path))
        _only_benchmark_errors(lambda: check_path(path))
        _only_benchmark_errors(lambda: PredictionsFileModel(path))


@FUZZ
@given(data=st.binary(max_size=400) | conll_text.map(str.encode))
def test_conll(data: bytes) -> None:
    with _workdir() as root:
        path = root / "c.conll"
        path.write_bytes(data)
        for scheme in ("BIO2", "BIOES"):
            _only_benchmark_errors(lambda scheme=scheme: read_documents(path, scheme=scheme))
        _only_benchmark_errors(lambda: check_path(path))
        _only_benchmark_errors(lambda: PredictionsFileModel(path, format="conll"))


@FUZZ
@given(data=st.binary(max_size=600) | st.lists(ls_task, max_size=3) | any_json)
def test_labelstudio(data: bytes | object) -> None:
    with _workdir() as root:
        path = root / "export.json"
        path.write_bytes(_bytes_or_json(data))
        _only_benchmark_errors(lambda: read_documents(path, format="labelstudio"))
        _only_benchmark_errors(lambda: read_documents(path, format="labelstudio", annotation_index=0))
        _only_benchmark_errors(lambda: check_path(path, format="labelstudio"))
        _only_benchmark_errors(lambda: PredictionsFileModel(path, format="labelstudio"))


@pytest.fixture(scope="module")
def saved_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from arabench.annotations.hf_datasets import write_hf
    from arabench.annotations.spans import Document, Span

    path = tmp_path_factory.mktemp("ds") / "ds"
    write_hf([Document("d1", "زار محمد القاهرة", {"T1": Span(4, 8, "PERS")})], path)
    return path


@FUZZ
@given(
    target=st.sampled_from(
        ["dataset_dict.json", "test/dataset_info.json", "test/state.json", "test/data-00000-of-00001.arrow"]
    ),
    data=st.binary(max_size=300) | any_json,
)
def test_datasets(saved_dataset: Path, target: str, data: bytes | object) -> None:
    with _workdir() as root:
        path = root / "ds"
        shutil.copytree(saved_dataset, path)
        (path / target).write_bytes(_bytes_or_json(data))
        _only_benchmark_errors(lambda: read_documents(path, format="hf"))
        _only_benchmark_errors(lambda: check_path(path, format="hf"))


# --------------------------------------------------------------------------- results, cards, label maps, views


@FUZZ
@given(data=st.binary(max_size=400) | results_json | any_json)
def test_results_for_compare(data: bytes | object) -> None:
    with _workdir() as root:
        path = root / "results.json"
        path.write_bytes(_bytes_or_json(data))
        _only_benchmark_errors(lambda: compare(path, model_a="a", model_b="b", n_resamples=5))
        _only_benchmark_errors(lambda: compare(path, n_resamples=5))


@FUZZ
@given(data=st.binary(max_size=300) | any_json | st.text(max_size=200).map(str.encode))
def test_model_card(data: bytes | object) -> None:
    with _workdir() as root:
        path = root / "card.yaml"
        path.write_bytes(_bytes_or_json(data))
        _only_benchmark_errors(lambda: load_card(path))


@FUZZ
@given(suffix=st.sampled_from([".json", ".yaml"]), data=st.binary(max_size=300) | any_json)
def test_label_map(suffix: str, data: bytes | object) -> None:
    with _workdir() as root:
        path = root / f"map{suffix}"
        path.write_bytes(_bytes_or_json(data))
        _only_benchmark_errors(lambda: parse_label_map(path))


@FUZZ
@given(spec=st.text(max_size=40))
def test_label_map_option_string(spec: str) -> None:
    _only_benchmark_errors(
        lambda: parse_label_map(spec if not spec.endswith((".json", ".yaml", ".yml")) else spec + "x")
    )


@FUZZ
@given(
    data=st.binary(max_size=300)
    | any_json
    | _shaped({"views": st.dictionaries(st.text(max_size=6), any_json, max_size=3) | scalars})
)
def test_view_file(data: bytes | object) -> None:
    with _workdir() as root:
        path = root / "views.yaml"
        path.write_bytes(_bytes_or_json(data))
        _only_benchmark_errors(lambda: load_views(path))
