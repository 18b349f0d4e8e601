"""End-to-end tests of ``arabench.benchmark.run``: every number in results.json equals the scorer called directly."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from harness_fixtures import DOC1, doc1_entities, spans_of, write_brat_corpus, write_conll_corpus

from arabench import benchmark
from arabench.annotations.corpus import read_corpus
from arabench.annotations.schema import default_schema
from arabench.annotations.spans import Document, Span
from arabench.benchmark.corpus_io import load_corpus, sentence_units
from arabench.benchmark.report_text import read_errors
from arabench.benchmark.results import load_results
from arabench.eval.modes import BOUNDARIES, LAYERS, MODES
from arabench.eval.spans import score_spans
from arabench.eval.tokens import score_token_view
from arabench.models.registry import create_model

GOLD_ANN = Path(__file__).resolve().parent.parent / "annotations" / "gold" / "000_c51be66d53f8d476.ann"


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("transformers")
    from tiny_models import build_tiny_bert

    return build_tiny_bert(tmp_path_factory.mktemp("bert") / "model")


@pytest.fixture
def brat(tmp_path: Path) -> Path:
    return write_brat_corpus(tmp_path / "gold")


def _relabel(spans, mapping):
    return [s.with_label(mapping[s.label]) for s in spans if mapping.get(s.label) is not None]


def _model_view(model):
    from arabench.models.cards import resolve_view

    return resolve_view(model.view)


def _perturbed_predictions(docs: list[Document], path: Path) -> Path:
    """An external system's JSONL output: the gold with every third span dropped and every fifth typed ORG."""
    from arabench.annotations.jsonl import write_jsonl

    out = []
    for doc in docs:
        kept = {}
        for i, span in enumerate(doc.spans):
            if i % 3 == 2:
                continue
            kept[f"P{i}"] = span.with_label("ORG") if i % 5 == 4 else span
        out.append(Document(doc.id, doc.text, kept))
    return write_jsonl(out, path)


def _check_against_scorer(results_path: Path, corpus_path: Path, names: list[str], options: dict) -> dict:
    """Re-create each model, predict, score directly, and compare with results.json."""
    data = json.loads((results_path / "results.json").read_text(encoding="utf-8"))
    corpus = load_corpus(corpus_path)
    texts = corpus.texts
    units = [list(u) for u in corpus.units]
    checked = {}
    for entry in data["models"]:
        if entry["status"] != "scored":
            continue
        model = create_model(entry["name"], **options.get(entry["name"], {}))
        predictions = model.predict(texts)
        own = _model_view(model)
        assert entry["view"] == own.name
        for view_name, tree in entry["scores"].items():
            view = default_schema().views.get(view_name, own)
            mapping = own.coarsening_to(view)
            gold_map = corpus.view.coarsening_to(view)
            gold = [_relabel(d.spans, gold_map) for d in corpus.documents]
            pred = [_relabel(p.spans, mapping) for p in predictions]
            labels = {mapping[label] for label in model.labels if mapping.get(label)}
            left_out: dict[str, int] = {}  # gold mentions the view leaves out are counted, not lost
            for d in corpus.documents:
                for s in d.spans:
                    if gold_map.get(s.label) is None:
                        key = f"{s.label} (not in view {view_name})"
                        left_out[key] = left_out.get(key, 0) + 1
            for mode in MODES:
                for boundary in BOUNDARIES:
                    for layer in LAYERS:
                        direct = score_spans(
                            gold,
                            pred,
                            mode=mode,
                            boundary=boundary,
                            layer=layer,
                            texts=texts,
                            units=units,
                            labels=labels,
                        )
                        stored = tree["spans"][mode][boundary][layer]
                        assert list(stored["per_type"]) == list(direct.types)
                        for t, counts in direct.per_type.items():
                            row = stored["per_type"][t]
                            assert (row["tp"], row["fp"], row["fn"]) == (counts.tp, counts.fp, counts.fn)
                            assert row["f1"] == counts.f1
                        assert stored["micro"]["f1"] == direct.micro.f1
                        assert stored["micro"]["precision"] == direct.micro.precision
                        assert stored["macro"]["f1"] == direct.macro.f1
                        assert stored["weighted"]["f1"] == direct.weighted.f1
                        assert stored["out_of_scope"] == {**dict(direct.out_of_scope), **left_out}
            tokens = score_token_view(gold, pred, texts=texts, scheme="iob2", units=units, labels=labels)
            assert tree["tokens"]["strict_iob2"]["micro"]["f1"] == tokens.micro.f1
        checked[entry["name"]] = entry
    return checked


def test_end_to_end_on_brat(tmp_path: Path, brat: Path, tiny_bert: Path) -> None:
    names = ["rules", "oracle", "empty", f"hf:{tiny_bert}"]
    out = tmp_path / "out"
    results = benchmark.run(names, corpus=brat, out=out, cache_dir=tmp_path / "cache", bootstrap=200)
    assert results.exit_status == 0
    for name in ("results.json", "summary.md", "per_type.csv", "errors.jsonl.gz", "report.html"):
        assert (out / name).stat().st_size > 0
    gold_docs = read_corpus(brat)
    checked = _check_against_scorer(out, brat, names, {"oracle": {"gold": gold_docs}})
    assert set(checked) == set(names)
    # The oracle is perfect in every native setting; the empty model finds nothing.
    native = checked["oracle"]["scores"]["native"]["spans"]
    assert all(native[m][b][layer]["micro"]["f1"] == 1.0 for m in MODES for b in BOUNDARIES for layer in LAYERS)
    empty = checked["empty"]["scores"]["native"]["spans"]["strict"]["word"]["flat"]["micro"]
    assert (empty["tp"], empty["fp"], empty["recall"]) == (0, 0, 0.0)
    # The anercorp-view HF model is scored in anercorp only (ANERcorp leaves nationality adjectives untagged and
    # tags currencies MISC, so its labels do not coarsen into conll4), so the leaderboard is anercorp.
    assert set(checked[f"hf:{tiny_bert}"]["scores"]) == {"anercorp"}
    assert results.leaderboard_view == "anercorp"
    # Relations: the oracle echoes them, scored; rules predicts none.
    assert checked["oracle"]["scores"]["native"]["relations"]["strict"]["char"]["micro"]["f1"] == 1.0
    assert checked["rules"]["scores"]["native"]["relations"] is None
    # Provenance and environment.
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert data["corpus"]["files"] == ["doc1.ann", "doc1.txt", "doc2.ann", "doc2.txt"]
    assert data["corpus"]["unit"] == "sentence"
    assert data["corpus"]["n_units"] == sum(len(sentence_units(d.text)) for d in gold_docs)
    assert data["models"][3]["provenance"]["id"]
    assert data["environment"]["libraries"]["numpy"]


def test_hf_and_file_models_on_conll_corpus(tmp_path: Path, tiny_bert: Path) -> None:
    pytest.importorskip("arabench.models.predictions")
    conll = write_conll_corpus(tmp_path / "test.conll")
    preds = _perturbed_predictions(load_corpus(conll).documents, tmp_path / "preds.jsonl")
    names = ["rules", "oracle", "empty", f"hf:{tiny_bert}", f"file:{preds}"]
    options = {f"file:{preds}": {"view": "anercorp"}}
    out = tmp_path / "out"
    results = benchmark.run(
        names, corpus=conll, out=out, cache_dir=tmp_path / "cache", bootstrap=100, model_options=options
    )
    # The oracle echoes gold that is already in the corpus's view (no schema types behind MISC).
    oracle_gold = {"gold": load_corpus(conll).documents, "view": "anercorp", "gold_view": "anercorp"}
    options = {**options, "oracle": oracle_gold}
    assert results.corpus["view"] == "anercorp"  # PERS/LOC/ORG/MISC tags
    assert results.exit_status == 0, [m.reason for m in results.models]
    checked = _check_against_scorer(out, conll, names, options)
    # Rules predicts native types; on an anercorp gold it is scored in anercorp only (anercorp gold does not
    # coarsen into conll4: its MISC holds currencies, which conll4 does not score).
    assert set(checked["rules"]["scores"]) == {"anercorp"}
    assert set(checked[f"hf:{tiny_bert}"]["scores"]) == {"anercorp"}
    oracle_micro = checked["oracle"]["scores"]["anercorp"]["spans"]["strict"]["char"]["flat"]["micro"]
    assert oracle_micro["f1"] == 1.0 and oracle_micro["fn"] == 0
    file_micro = checked[f"file:{preds}"]["scores"]["anercorp"]["spans"]["strict"]["char"]["flat"]["micro"]
    assert 0 < file_micro["recall"] < 1 and file_micro["fn"] > 0


def test_predictions_file_model(tmp_path: Path, brat: Path) -> None:
    pytest.importorskip("arabench.models.predictions")
    from arabench.annotations.jsonl import write_jsonl

    gold = read_corpus(brat)
    # An external system that finds every gold span of doc1 but types PERS as ORG, and nothing in doc2.
    predicted = [
        Document(
            gold[0].id,
            gold[0].text,
            {f"T{i}": (s.with_label("ORG") if s.label == "PERS" else s) for i, s in enumerate(gold[0].spans, 1)},
        ),
        Document(gold[1].id, gold[1].text, {}),
    ]
    path = write_jsonl(predicted, tmp_path / "preds.jsonl")
    out = tmp_path / "out"
    results = benchmark.run([f"file:{path}"], corpus=brat, out=out, cache_dir=tmp_path / "cache", bootstrap=0)
    assert results.exit_status == 0, results.models[0].reason
    _check_against_scorer(out, brat, [f"file:{path}"], {})
    strict = results.models[0].setting("native", "strict", "char", "nested")["per_type"]
    assert strict["PERS"]["fn"] == 2 and strict["ORG"]["fp"] == 1


@pytest.mark.slow  # trains crf (about 40 s)
def test_default_suite_scores_the_baselines_and_lists_unavailable_models_as_skipped(
    tmp_path: Path, brat: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arabench.models.registry import default_suite

    monkeypatch.setenv("ARABENCH_CACHE", str(tmp_path / "cache"))  # where crf trains on first use
    results = benchmark.run(corpus=brat, out=tmp_path / "out", cache_dir=tmp_path / "cache", bootstrap=0)
    assert results.exit_status == 0
    statuses = {m.name: m.status for m in results.models}
    assert list(statuses) == default_suite()
    assert statuses["rules"] == statuses["crf"] == "scored"
    for m in results.models:
        if m.name not in ("rules", "crf"):
            assert m.status == "skipped"
            assert m.reason and "not available here" in m.reason
    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "## Not scored" in summary and "skipped" in summary


def test_explicit_failing_model_exits_1_after_writing_the_others(tmp_path: Path, brat: Path) -> None:
    missing = tmp_path / "no-such-model"
    results = benchmark.run(["rules", f"hf:{missing}"], corpus=brat, out=tmp_path / "out", cache_dir=tmp_path / "c")
    assert results.exit_status == 1
    assert [m.status for m in results.models] == ["scored", "failed"]
    data = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert data["models"][1]["status"] == "failed" and str(missing) in data["models"][1]["reason"]


def test_cli_run_exit_statuses(tmp_path: Path, brat: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from arabench.benchmark.cli import main

    monkeypatch.setenv("ARABENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--model", "rules", "--corpus", str(brat), "--quiet", "--bootstrap", "10"]) == 0
    assert (tmp_path / "results" / "results.json").exists()
    assert main(["run", "-m", "rules", "-m", "hf:/nonexistent/x", "--corpus", str(brat), "-q"]) == 1
    assert main(["run", "-m", "rulez", "--corpus", str(brat), "-q", "--out", "o2"]) == 2  # unknown: nothing runs
    assert not (tmp_path / "o2").exists()
    assert main(["run", "-m", "rules", "-m", "rules", "--corpus", str(brat), "-q", "--out", "o3"]) == 2
    assert main(["run", "--corpus", str(tmp_path / "missing"), "-q"]) == 2


def test_summary_csv_and_errors(tmp_path: Path, brat: Path) -> None:
    out = tmp_path / "out"
    gold = read_corpus(brat)
    results = benchmark.run(["rules", "empty"], corpus=brat, out=out, cache_dir=tmp_path / "c", bootstrap=50)
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "| # | model | status | view |" in summary and "`rules`" in summary and "`empty`" in summary
    rows = list(csv.DictReader((out / "per_type.csv").open(encoding="utf-8")))
    # One row per model x view x mode x boundary x layer x (type + 3 averages).
    expected = 0
    for m in results.models:
        for tree in m.scores.values():
            for mode in MODES:
                for b in BOUNDARIES:
                    for layer in LAYERS:
                        expected += len(tree["spans"][mode][b][layer]["per_type"]) + 3
    assert len(rows) == expected
    micro = next(
        r
        for r in rows
        if (r["model"], r["view"], r["mode"], r["boundary"], r["layer"], r["type"])
        == ("rules", "native", "strict", "word", "flat", "<micro>")
    )
    assert float(micro["f1"]) == results.model("rules").setting("native")["micro"]["f1"]
    errors = list(read_errors(out / "errors.jsonl.gz"))
    empty_native_flat = [e for e in errors if e["model"] == "empty" and e["view"] == "native" and e["layer"] == "flat"]
    # The empty model misses every flat gold span of the native view, one record each.
    n_flat = sum(len(d.flat_spans) for d in gold)
    assert len(empty_native_flat) == n_flat and {e["kind"] for e in empty_native_flat} == {"missed"}
    by_doc = {d.id: d.text for d in gold}
    for e in errors:
        g = e["gold"] or e["pred"]
        text = by_doc[e["doc_id"]]
        assert g["text"] == text[g["start"] : g["end"]]
        assert e["context"]["text"] == text[e["context"]["start"] : e["context"]["end"]]
        assert e["context"]["start"] == max(0, min(s["start"] for s in (e["gold"], e["pred"]) if s) - 40)


def test_library_api_and_load_results(tmp_path: Path, brat: Path) -> None:
    results = benchmark.run(models=["oracle"], corpus=brat, out=tmp_path / "o", cache=False, bootstrap=20)
    board = results.leaderboard()
    assert board[0].model == "oracle" and board[0].f1 == 1.0 and board[0].view == "native"
    again = load_results(tmp_path / "o")
    assert again.to_json() == results.to_json()
    assert again.model("oracle").setting("native")["micro"]["f1"] == 1.0


def test_sentence_units_split_rule() -> None:
    text = "  جملة أولى. جملة 3.5 ثانية؟ ثالثة\nرابعة!"
    units = sentence_units(text)
    assert [text[s:e] for s, e in units] == ["  جملة أولى.", "جملة 3.5 ثانية؟", "ثالثة", "رابعة!"]
    assert units[0][0] == 0


def test_unknown_view_or_model_is_an_error_before_running(tmp_path: Path, brat: Path) -> None:
    from arabench.annotations.errors import ModelError, SchemaError

    with pytest.raises(SchemaError, match="unknown label view"):
        benchmark.run(["rules"], corpus=brat, view="conll5", cache=False)
    with pytest.raises(ModelError, match="did you mean 'rules'"):
        benchmark.run(["rulez"], corpus=brat, cache=False)


def test_fixture_spans_are_sane() -> None:
    spans = spans_of(DOC1, doc1_entities())
    assert Span(spans[0].start, spans[0].end, spans[0].label).text_in(DOC1)


@pytest.mark.skipif(not GOLD_ANN.exists(), reason="the gold annotation annotations/gold/*.ann has not landed yet")
def test_run_on_the_packaged_gold(tmp_path: Path, tiny_bert: Path) -> None:
    pytest.importorskip("arabench.models.predictions")
    gold = read_corpus(GOLD_ANN.parent)
    preds = _perturbed_predictions(gold, tmp_path / "preds.jsonl")
    names = ["rules", "oracle", "empty", f"hf:{tiny_bert}", f"file:{preds}"]
    out = tmp_path / "out"
    results = benchmark.run(names, out=out, cache_dir=tmp_path / "cache", bootstrap=100)  # default corpus
    assert results.exit_status == 0, [m.reason for m in results.models]
    assert Path(results.corpus["path"]) == GOLD_ANN.parent
    _check_against_scorer(out, GOLD_ANN.parent, names, {"oracle": {"gold": gold}})
    assert results.model("oracle").setting("native")["micro"]["f1"] == 1.0
    perturbed = results.model(f"file:{preds}").setting("native", "strict", "char", "nested")["micro"]
    assert perturbed["tp"] + perturbed["fn"] == sum(len(d.entities) for d in gold)
    assert 0 < perturbed["recall"] < 1
