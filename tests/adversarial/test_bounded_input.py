"""Every reader of a file a user names is bounded: size, file type, YAML depth and aliases; every number too.

Before: ``--config /dev/zero`` and ``--views /dev/zero`` read until memory ran
out; a 1 KB config of nested anchors (billion laughs) grew at 25 MB/s and was
printed whole in an error; ``--bootstrap 1000000000000`` was accepted by run;
100,000 views in one file ran for minutes; a 0.9 MB results.json whose
per-unit counts inflate (zlib) made ``compare`` take 6 GB.
"""

from __future__ import annotations

import base64
import json
import os
import resource
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from harness_fixtures import write_brat_corpus
from run_models import CityModel, registered, write_corpus

from arabench.annotations.errors import MAX_SHOWN, BenchmarkError, ModelError, SchemaError
from arabench.annotations.files import MAX_YAML_BYTES, read_yaml_text
from arabench.annotations.schema import load_views
from arabench.benchmark.cli import main
from arabench.benchmark.config import load_config
from arabench.models.cards import load_card

#: A "billion laughs" YAML: 1 KB standing for 9**9 strings.
LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
)


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


READERS: dict[str, tuple[Callable[[Path], object], type[BenchmarkError], str]] = {
    "config": (load_config, BenchmarkError, "configuration file"),
    "views": (load_views, SchemaError, "views file"),
    "card": (load_card, ModelError, "model card"),
}


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: Path("/dev/zero"), "is a character device, not a regular file; fix: pass a regular file"),
        (lambda tmp: _fifo(tmp / "pipe.yaml"), "is a FIFO (named pipe), not a regular file; fix: pass a regular file"),
        (lambda tmp: tmp, "is a directory, not a regular file; fix: pass a regular file"),
    ],
    ids=["dev-zero", "fifo", "directory"],
)
def test_devices_fifos_and_directories_are_refused_at_once(
    tmp_path: Path, reader: str, make: Callable[[Path], Path], message: str
) -> None:
    load, error, what = READERS[reader]
    path = make(tmp_path)
    start, peak = time.monotonic(), _peak_mb()
    with pytest.raises(error) as caught:
        load(path)
    assert time.monotonic() - start < 2 and _peak_mb() - peak < 50
    assert str(caught.value) == f"{path}: the {what} {message}"


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize(
    ("text", "message"),
    [
        (LAUGHS, "{path}:1: the {what} stands for more than 200000 values once its aliases (*name) are expanded; "
         "fix: write the values out instead of nesting anchors and aliases"),
        ("a: " + "[" * 100 + "]" * 100 + "\n", "{path}:1: the {what} nests mappings and lists more than 64 levels "
         "deep; fix: flatten it; no arabench file needs that depth"),
        ("a: !!python/object/apply:os.system ['echo pwned']\n", "{path}:1: the {what} uses a Python tag; arabench "
         "reads YAML as data only (got 'tag:yaml.org,2002:python/object/apply:os.system'); fix: remove the tag and "
         "give plain values"),
        ("a: " + "x" * (MAX_YAML_BYTES + 1), "{path}: the {what} is 4194308 bytes, more than the 4194304 read; "
         "fix: pass a {what} of at most 4194304 bytes"),
    ],
    ids=["billion-laughs", "deep", "python-tag", "too-large"],
)  # fmt: skip
def test_hostile_yaml_is_refused_before_it_is_built(tmp_path: Path, reader: str, text: str, message: str) -> None:
    load, error, what = READERS[reader]
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    start, peak = time.monotonic(), _peak_mb()
    with pytest.raises(error) as caught:
        load(path)
    assert time.monotonic() - start < 5 and _peak_mb() - peak < 200
    assert str(caught.value) == message.format(path=path, what=what)
    assert not Path("pwned").exists()


def test_a_small_anchor_graph_that_stays_small_is_read(tmp_path: Path) -> None:
    """Aliases are fine while the expansion is small: the limit counts expanded values, it does not ban aliases."""
    path = tmp_path / "anchors.yaml"
    text = "base: &b {seed: 3}\nother: *b\n"
    path.write_text(text, encoding="utf-8")
    assert read_yaml_text(path, what="configuration file") == text


def test_an_error_repeats_at_most_a_bounded_part_of_the_value() -> None:
    laughs: object = ["lol"] * 9
    for _ in range(9):
        laughs = [laughs] * 9  # 9**10 strings, shared: repr would walk all of them
    start = time.monotonic()
    message = str(BenchmarkError("bad", field="x", value=laughs, fix="f"))
    assert time.monotonic() - start < 1
    assert len(message) < MAX_SHOWN + 80 and message.endswith(f"… [cut at {MAX_SHOWN} characters]); fix: f")
    huge = str(BenchmarkError("bad", value="A" * 10**7))
    assert huge == "bad (got '" + "A" * 160 + "'… [10000000 characters])"
    assert str(BenchmarkError("bad", value=["PERS", "ORG"])) == "bad (got ['PERS', 'ORG'])"  # small values whole


@pytest.mark.parametrize("bootstrap", ["1000000000000", "1000001", "-1"])
def test_run_bounds_bootstrap_as_compare_bounds_resamples(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bootstrap: str
) -> None:
    gold = write_corpus(tmp_path / "gold.jsonl")
    CityModel.predicted = 0
    with registered():
        argv = ["run", "-m", "trust-city", "--corpus", str(gold), "--out", str(tmp_path / "out"), "-q"]
        assert main([*argv, "--bootstrap", bootstrap]) == 2
    assert capsys.readouterr().err == (
        "arabench run: error: field 'bootstrap': the bootstrap resamples must be a whole number from 0 to 1000000 "
        f"(got {int(bootstrap)}); fix: e.g. the default 1000 (0 disables intervals)\n"
    )
    assert CityModel.predicted == 0 and not (tmp_path / "out").exists()


def test_a_views_file_with_too_many_views_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "views.yaml"
    lines = ["views:"] + [f"  v{k}: {{map: {{PERS: PER}}}}" for k in range(201)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SchemaError) as caught:
        load_views(path)
    assert str(caught.value) == (
        f"{path}: field 'views': views file defines 201 views, more than the 200 read; fix: keep at most 200 views "
        "in one file (each is scored for every model)"
    )


@pytest.fixture(scope="module")
def results_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from arabench import benchmark

    root = tmp_path_factory.mktemp("bounded")
    corpus = write_brat_corpus(root / "gold")
    benchmark.run(["rules", "empty"], corpus=corpus, out=root / "out", cache=False, bootstrap=0, progress=False)
    return root / "out" / "results.json"


def test_per_unit_counts_that_inflate_past_their_units_are_refused_in_bounded_memory(
    results_json: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(results_json.read_text(encoding="utf-8"))
    setting = data["models"][0]["scores"]["native"]["spans"]["strict"]["word"]["flat"]["unit_counts"]
    setting["data"] = base64.b64encode(zlib.compress(b"\0" * (200 * 1024 * 1024), 9)).decode("ascii")  # ~200 KB
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    start, peak = time.monotonic(), _peak_mb()
    argv = ["compare", str(path), "--model-a", "empty", "--model-b", "rules", "--resamples", "20"]
    assert main(argv) == 2
    assert time.monotonic() - start < 10 and _peak_mb() - peak < 150
    err = capsys.readouterr().err
    assert (
        "field 'models[rules].unit_counts.data': results file is malformed: the per-unit counts cannot be decoded"
        in err
    )
    assert f"the encoded counts inflate past {5 * data['corpus']['n_units'] * len(setting['types'])} bytes" in err


def test_a_results_file_that_is_a_device_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "/dev/zero", "--resamples", "20"]) == 2
    assert capsys.readouterr().err == (
        "arabench compare: error: /dev/zero: the results file is a character device, not a regular file; "
        "fix: pass a regular file\n"
    )


#: Commands reading a corpus or predictions a user names, with ``{path}`` where the hostile path goes.
CORPUS_READERS = {
    "score gold": (["score", "--gold", "{path}", "--pred", "{conll}", "--format", "conll"], "the gold file"),
    "score predictions": (
        ["score", "--gold", "{conll}", "--pred", "{path}", "--format", "conll"],
        "the predictions file",
    ),
    "run": (["run", "-m", "empty", "--corpus", "{path}", "--out", "{tmp}/out", "-q"], "the input"),
    "predict": (["predict", "empty", "{path}", "--out", "{tmp}/p.jsonl", "--from", "conll"], "the input"),
    "predict text": (["predict", "empty", "{path}", "--out", "{tmp}/t.jsonl", "--from", "text"], "the input"),
    "convert": (["convert", "{path}", "{tmp}/c.jsonl", "--from", "conll"], "the input"),
    "validate": (["validate", "{path}", "--format", "conll"], "the input"),
}


@pytest.mark.parametrize("command", sorted(CORPUS_READERS))
@pytest.mark.parametrize("kind", ["dev-zero", "fifo"])
def test_a_corpus_that_is_a_device_or_a_fifo_is_refused_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, kind: str
) -> None:
    """Before: ``score --gold /dev/zero`` read until memory ran out, and a FIFO corpus waited for a writer."""
    conll = tmp_path / "ok.conll"
    conll.write_text("محمد\tB-PERS\nفي\tO\nعمان\tB-LOC\n\n", encoding="utf-8")
    path = Path("/dev/zero") if kind == "dev-zero" else _fifo(tmp_path / "pipe.conll")
    args, what = CORPUS_READERS[command]
    argv = [a.format(path=path, conll=conll, tmp=tmp_path) for a in args]
    start, peak = time.monotonic(), _peak_mb()
    assert main(argv) == 2
    assert time.monotonic() - start < 5 and _peak_mb() - peak < 50
    shown = "a character device" if kind == "dev-zero" else "a FIFO (named pipe)"
    refusal = f"{path}: {what} is {shown}, not a regular file or a directory"
    assert capsys.readouterr().err.strip().endswith(f"{refusal}; fix: pass a regular file or a directory of files")
