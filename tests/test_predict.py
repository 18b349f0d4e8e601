"""``arabench predict`` and ``run --save-predictions``: a model's predictions written in every format arabench reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from arabench.annotations.errors import AnnotationError, BenchmarkError
from arabench.benchmark.cli import main as cli
from arabench.benchmark.predicting import predict
from arabench.benchmark.runner import run

#: Destination of each format.
OUTPUTS = {
    "brat": "pred_brat",
    "jsonl": "pred.jsonl",
    "labelstudio": "pred.json",
    "hf": "pred_hf",
    "conll": "pred.conll",
}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """``run`` of rules on the gold, into a cache of its own."""
    cache = tmp_path_factory.mktemp("cache")
    results = run(["rules"], cache_dir=cache, bootstrap=0)
    (model,) = results.models
    assert model.status == "scored"
    return cache, model


def _score_file(out: Path, cache: Path, labels: list[str]) -> dict:
    name = f"file:{out}"
    results = run([name], cache_dir=cache, bootstrap=0, model_options={name: {"labels": labels}})
    (model,) = results.models
    assert model.status == "scored", model.reason
    return model.scores


@pytest.mark.parametrize("fmt", ["brat", "jsonl", "labelstudio", "hf"])
def test_predict_output_scores_exactly_what_run_scores(tmp_path: Path, baseline: tuple[Path, Any], fmt: str) -> None:
    cache, model = baseline
    out = tmp_path / OUTPUTS[fmt]
    report = predict("rules", out=out, format=fmt, cache_dir=cache)
    assert not report.loaded  # run's predictions, from the same cache
    assert (report.format, report.view, report.documents) == (fmt, "native", 1)
    # every figure of every view, mode, boundary and layer, the token view and the per-unit counts
    assert _score_file(out, cache, model.labels) == model.scores


def test_predict_conll_scores_what_run_scores_on_what_conll_holds(tmp_path: Path, baseline: tuple[Path, Any]) -> None:
    cache, model = baseline
    out = tmp_path / "pred.conll"
    report = predict("rules", out=out, cache_dir=cache)
    assert report.format == "conll"
    scores = _score_file(out, cache, model.labels)
    native, expected = scores["native"], model.scores["native"]
    # CoNLL holds the flat layer over whole words: those figures and the token view are the same
    assert native["tokens"] == expected["tokens"]
    for mode in ("strict", "exact", "partial", "type"):
        assert native["spans"][mode]["word"]["flat"] == expected["spans"][mode]["word"]["flat"]
    assert any("nested spans" in line for line in report.not_kept) or all(
        native["spans"][m]["word"]["nested"] == expected["spans"][m]["word"]["nested"] for m in ("strict", "exact")
    )


def test_predict_through_the_run_cache_and_projected_into_a_view(tmp_path: Path) -> None:
    from arabench.annotations.formats import read_documents

    cache = tmp_path / "cache"
    first = predict("rules", out=tmp_path / "a.jsonl", cache_dir=cache)
    assert first.loaded
    again = predict("rules", out=tmp_path / "b.jsonl", cache_dir=cache, view="conll4")
    assert not again.loaded and (again.model_view, again.view) == ("native", "conll4")
    labels = {s.label for d in read_documents(tmp_path / "b.jsonl")[0] for s in d.entities.values()}
    assert labels <= {"PER", "LOC", "ORG", "MISC"}
    assert again.spans + sum(again.dropped.values()) == first.spans  # what conll4 leaves out is counted
    with pytest.raises(BenchmarkError, match="destination exists and is not empty"):
        predict("rules", out=tmp_path / "a.jsonl", cache_dir=cache)


def test_predict_on_raw_text_gives_served_pre_annotations(tmp_path: Path) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "news-1.txt").write_text("\U0001f600 زار وزير الخارجية الكويت أمس.\n", encoding="utf-8")
    (texts / "news-2.txt").write_text("قال الرئيس إن مصر\u200d ستشارك.\n", encoding="utf-8")
    out = tmp_path / "tasks.json"
    report = predict("rules", texts, out=out, cache_dir=tmp_path / "cache")
    assert (report.source_format, report.format, report.documents) == ("text", "labelstudio", 2)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert [t["data"]["doc_id"] for t in tasks] == ["news-1", "news-2"]
    assert all("annotations" not in t for t in tasks)  # served to annotators, pre-annotated
    assert (tmp_path / "labeling_config.xml").is_file()
    for task in tasks:
        (prediction,) = task["predictions"]
        assert prediction["model_version"].startswith("rules@")  # the model and its revision
        chars = list(task["data"]["text"])  # Label Studio counts code points
        for region in prediction["result"]:
            if region["type"] == "labels":
                value = region["value"]
                assert "".join(chars[value["start"] : value["end"]]) == value["text"]
    gpe = [r["value"] for r in tasks[0]["predictions"][0]["result"] if r["value"]["labels"] == ["GPE"]]
    assert [v["text"] for v in gpe] == ["الكويت"]


def test_predict_raw_text_errors(tmp_path: Path) -> None:
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeffنص".encode())
    with pytest.raises(AnnotationError, match="byte-order mark"):
        predict("rules", bom, out=tmp_path / "o.jsonl", cache_dir=tmp_path / "c")
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"caf\xe9")
    with pytest.raises(AnnotationError, match="not UTF-8 at byte offset 3"):
        predict("rules", latin, out=tmp_path / "o.jsonl", cache_dir=tmp_path / "c")
    assert not (tmp_path / "o.jsonl").exists()


def test_predict_conll_source_keeps_its_own_tokens(tmp_path: Path) -> None:
    from arabench.annotations.conll import read_conll_sentences

    source = tmp_path / "corpus.conll"
    rows = ["زار\tO", "وزير\tO", "الخارجية\tO", "(الكويت)\tB-GPE", "أمس.\tO", "", "وصل\tO", "إلى\tO", "عمان\tB-GPE", ""]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "pred.conll"
    predict("rules", source, out=out, cache_dir=tmp_path / "cache")
    ours = [s.tokens for s in read_conll_sentences(out)]
    theirs = [s.tokens for s in read_conll_sentences(source)]
    assert ours == theirs  # "(الكويت)" and "أمس." stay one token each


def test_predict_command_and_run_save_predictions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], baseline: tuple[Path, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, model = baseline
    monkeypatch.setenv("ARABENCH_CACHE", str(cache))
    assert cli(["predict", "rules", "--out", str(tmp_path / "p"), "--to", "brat", "-q"]) == 0
    assert cli(["predict", "rules", "--out", str(tmp_path / "q.jsonl"), "--cache-dir", str(cache)]) == 0
    assert "all from the predictions cache" in capsys.readouterr().out
    assert sorted(p.suffix for p in (tmp_path / "p").iterdir()) == [".ann", ".txt"]
    out = tmp_path / "results"
    assert cli(["run", "-m", "rules", "--out", str(out), "--bootstrap", "0", "-q", "--save-predictions"]) == 0
    index = json.loads((out / "predictions" / "index.json").read_text(encoding="utf-8"))
    assert index == {"predictions": [{"model": "rules", "file": "rules.jsonl", "view": "native"}]}
    assert _score_file(out / "predictions" / "rules.jsonl", cache, model.labels) == model.scores
    capsys.readouterr()
    assert cli(["predict", "nosuchmodel", "--out", str(tmp_path / "x.jsonl")]) == 2
    assert "unknown model" in capsys.readouterr().err


def test_overwrite_replaces_only_what_predict_writes(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    out = tmp_path / "pred"
    predict("rules", out=out, format="brat", cache_dir=cache)
    (out / "manifest.yaml").write_text("kept: true\n", encoding="utf-8")
    (out / "old.txt").write_text("x", encoding="utf-8")
    (out / "old.ann").write_text("", encoding="utf-8")
    predict("rules", out=out, format="brat", cache_dir=cache, overwrite=True)
    assert sorted(p.name for p in out.iterdir() if p.suffix != ".ann" and p.suffix != ".txt") == ["manifest.yaml"]
    assert not (out / "old.txt").exists()
    other = tmp_path / "notadataset"
    other.mkdir()
    (other / "precious").write_text("x", encoding="utf-8")
    with pytest.raises(BenchmarkError, match="refusing to replace a directory that is not a saved dataset"):
        predict("rules", out=other, format="hf", cache_dir=cache, overwrite=True)
    assert (other / "precious").exists()
    with pytest.raises(BenchmarkError, match="the source is inside the destination"):
        predict("rules", out / "x.txt", out=out, format="brat", cache_dir=cache, overwrite=True)
