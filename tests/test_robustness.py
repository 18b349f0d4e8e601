"""``arabench robustness``: suites, perturbed corpora with exact gold, paired intervals, invariance, thresholds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from arabench.annotations.errors import BenchmarkError
from arabench.annotations.perturb import KINDS
from arabench.benchmark.cli import main
from arabench.benchmark.corpus_io import default_corpus_path, load_corpus
from arabench.benchmark.robustness import (
    MAX_SUITE_BYTES,
    default_suite_path,
    load_suite,
    perturb_corpus,
    robustness,
    write_robustness,
)

#: shared/data beside the clone (CI), or beside the folder of worktrees the clone is in.
AQMAR = next(
    (
        found
        for n in (1, 2)
        if (found := Path(__file__).resolve().parents[n] / ".." / "shared" / "data" / "aqmar_dev.conll").is_file()
    ),
    Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "aqmar_dev.conll",
)


@pytest.fixture(scope="module")
def gold():
    return load_corpus(None)


def test_the_default_suite_ships_every_kind_at_a_fifth_of_the_words() -> None:
    suite = load_suite(default_suite_path())
    assert [e.perturbation.kind for e in suite.entries] == list(KINDS)
    assert {(e.perturbation.rate, e.perturbation.scope) for e in suite.entries} == {(0.2, "everywhere")}
    assert all(e.max_drop is None and e.min_invariance is None for e in suite.entries)


def test_perturbed_corpora_keep_the_units_and_the_gold(gold) -> None:
    suite = load_suite(default_suite_path())
    for entry in suite.entries:
        pc = perturb_corpus(gold, entry)
        assert len(pc.corpus.units) == len(gold.units)
        for d, (clean, new, om) in enumerate(zip(gold.documents, pc.corpus.documents, pc.maps, strict=True)):
            assert om.restore(new.text) == clean.text
            for (cs, ce), (ns, ne) in zip(gold.units[d], pc.corpus.units[d], strict=True):
                assert (om.start_to_old(ns), om.end_to_old(ne)) == (cs, ce)  # the same sentences
            for ident, span in clean.entities.items():
                assert om.span_to_old(new.entities[ident]) == span
        assert pc.n_edits > 0 or entry.perturbation.kind in ("digits", "tashkeel_remove")


def test_oracle_holds_and_empty_scores_zero_under_every_perturbation(gold) -> None:
    result = robustness(["oracle", "empty"], corpus=gold, suite=load_suite(default_suite_path()), n_resamples=50)
    oracle, empty = result.models
    assert oracle.status == empty.status == "scored" and result.exit_status == 0
    assert oracle.clean_f1 == 1.0 and empty.clean_f1 == 0.0
    for p in oracle.perturbations:
        assert (p.f1, p.change, p.ci) == (1.0, 0.0, (0.0, 0.0)), p.name
        assert p.invariance in (None, 1.0)
    for p in empty.perturbations:
        assert p.f1 == 0.0 and p.change == 0.0


@pytest.mark.skipif(not AQMAR.is_file(), reason="shared/data/aqmar_dev.conll is not beside the clone")
def test_oracle_holds_on_a_conll_corpus_and_rules_keep_every_identity_keeping_perturbation() -> None:
    corpus = load_corpus(AQMAR)
    result = robustness(["oracle", "rules"], corpus=corpus, suite=load_suite(default_suite_path()), n_resamples=0)
    oracle, rules = result.models
    assert all(p.f1 == 1.0 and p.invariance in (None, 1.0) for p in oracle.perturbations)
    for p in rules.perturbations:
        if p.keeps_identity:
            assert abs(p.change) <= 0.002, (p.name, p.change)  # the goal at a 20% rate
    assert next(p for p in rules.perturbations if p.name == "typo").change < -0.01  # a typo is another word


def _suite(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_threshold_turns_a_drop_into_a_non_zero_exit(tmp_path: Path, capsys) -> None:
    suite = _suite(
        tmp_path,
        "name: ci\nperturbations:\n"
        "  - kind: typo\n    rate: 0.5\n    seed: 3\n    max_drop: 0.001\n"
        "  - kind: tatweel\n    max_drop: 0.001\n    min_invariance: 1.0\n",
    )
    out = tmp_path / "out"
    status = main(["robustness", "-m", "rules", "--suite", str(suite), "--out", str(out), "--bootstrap", "50", "-q"])
    err = capsys.readouterr().err
    assert status == 1
    assert "arabench robustness: model 'rules', perturbation 'typo': F1 drop 0." in err
    assert "exceeds max_drop 0.001" in err
    assert "'tatweel'" not in err  # the rules hold under tatweel
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert data["failures"] and data["failures"][0].startswith("model 'rules', perturbation 'typo'")
    assert {p.name for p in out.iterdir()} == {"results.json", "summary.md", "report.html"}
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "| typo | no | 0.5 |" in summary and "FAILED" in summary


def test_a_min_invariance_threshold_is_named(tmp_path: Path, gold) -> None:
    suite = load_suite(_suite(tmp_path, "perturbations:\n  - kind: typo\n    rate: 1.0\n    min_invariance: 0.99\n"))
    result = robustness(["rules"], corpus=gold, suite=suite, n_resamples=0)
    assert result.exit_status == 1
    (message,) = result.failures
    assert message.startswith("model 'rules', perturbation 'typo': invariance 0.")
    assert message.endswith("is below min_invariance 0.99")


def test_without_thresholds_the_exit_is_zero_and_the_report_shows_arabic_right_to_left(tmp_path: Path) -> None:
    suite = _suite(tmp_path, "perturbations:\n  - kind: typo\n    seed: 1\n  - final_ta\n")
    out = tmp_path / "out"
    assert main(["robustness", "-m", "rules", "--suite", str(suite), "--out", str(out), "--bootstrap", "20", "-q"]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<svg" in page and 'dir="rtl" lang="ar"' in page and "units whose predictions changed" in page
    assert "default-src 'none'" in page  # self-contained, nothing fetched
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    (rules,) = data["models"]
    typo = rules["perturbations"][0]
    assert typo["ci"][0] <= typo["change"] <= typo["ci"][1]
    assert typo["examples"] and typo["examples"][0]["clean"]["text"] != typo["examples"][0]["perturbed"]["text"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("perturbations:\n  - kind: tatwel\n", "unknown perturbation (got 'tatwel'); fix: did you mean 'tatweel'?"),
        (
            "perturbations:\n  - kind: typo\n    rate: 1.5\n",
            "field 'perturbations[0].rate': the rate must be a number in [0, 1] (got 1.5)",
        ),
        ("perturbations:\n  - kind: typo\n    rate: -1\n", "the rate must be a number in [0, 1] (got -1)"),
        ("perturbations:\n  - kind: typo\n    rate: .nan\n", "the rate must be a number in [0, 1]"),
        ("perturbations:\n  - kind: typo\n    rate: '0.2'\n", "the rate must be a number in [0, 1] (got '0.2')"),
        ("perturbations:\n  - kind: typo\n    max_drop: 2\n", "max_drop must be a number in [0, 1] (got 2)"),
        ("perturbations:\n  - kind: typo\n    scope: entity\n", "did you mean 'entities'?"),
        ("perturbations:\n  - kind: typo\n    seed: -3\n", "the seed must be a non-negative integer"),
        (
            "perturbations:\n  - kind: typo\n    rat: 0.1\n",
            "field 'rat': unknown key in perturbations[0]; fix: did you mean 'rate'?",
        ),
        ("perturbation:\n  - kind: typo\n", "unknown key in the suite; fix: did you mean 'perturbations'?"),
        ("perturbations: []\n", "the suite lists no perturbation"),
        ("- typo\n", "a suite must be a mapping with a 'perturbations' list"),
        ("perturbations:\n  - typo\n  - kind: typo\n", "two perturbations have the same name (got 'typo')"),
        ("perturbations:\n  - kind: [typo\n", "robustness suite is not valid YAML"),
        ("perturbations:\n  - !!python/object/apply:os.system ['true']\n", "uses a Python tag"),
        ("perturbations:\n" + "  - kind: typo\n" * 70, "more than 64 perturbations"),
    ],
)
def test_hostile_suites_get_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    path = _suite(tmp_path, text)
    with pytest.raises(BenchmarkError) as info:
        load_suite(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_a_huge_suite_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# " + b"x" * (MAX_SUITE_BYTES + 10) + b"\n")
    with pytest.raises(BenchmarkError, match=f"more than the {MAX_SUITE_BYTES} read"):
        load_suite(path)


def test_the_command_reports_a_bad_suite_with_exit_two(tmp_path: Path, capsys) -> None:
    path = _suite(tmp_path, "perturbations:\n  - kind: tashkeel\n")
    status = main(["robustness", "-m", "rules", "--suite", str(path), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert status == 2
    assert "unknown perturbation (got 'tashkeel'); fix: did you mean 'tashkeel_add'?" in err
    assert not (tmp_path / "o").exists()  # nothing was run


def test_a_tiny_hugging_face_model_runs_the_suite(tmp_path: Path, gold) -> None:
    pytest.importorskip("torch")
    from tiny_models import build_tiny_bert

    model_dir = build_tiny_bert(tmp_path / "tiny")
    suite = load_suite(_suite(tmp_path, "perturbations:\n  - kind: tatweel\n  - kind: typo\n"))
    result = robustness([f"hf:{model_dir}"], corpus=gold, suite=suite, n_resamples=20)
    (model,) = result.models
    assert model.status == "scored", model.reason
    assert [p.name for p in model.perturbations] == ["tatweel", "typo"]
    assert all(p.invariance is None or 0.0 <= p.invariance <= 1.0 for p in model.perturbations)
    written = write_robustness(result, tmp_path / "out")
    assert json.loads(written["results"].read_text(encoding="utf-8"))["models"][0]["model"] == f"hf:{model_dir}"


def test_an_unknown_model_is_refused_before_anything_runs(tmp_path: Path, capsys) -> None:
    status = main(["robustness", "-m", "rulez", "--out", str(tmp_path / "o"), "--bootstrap", "0"])
    assert status == 2
    assert "did you mean 'rules'?" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


class _Crashing:
    name = "crashing"
    view = "native"
    labels = frozenset({"PERS"})

    def predict(self, texts):
        raise RuntimeError("out of memory")

    def provenance(self):
        return {"id": self.name}


def test_a_crashing_model_fails_alone(gold) -> None:
    suite = load_suite(default_suite_path())
    result = robustness([_Crashing(), "empty"], corpus=gold, suite=suite, n_resamples=0)
    crashed, empty = result.models
    assert crashed.status == "failed" and crashed.reason == "RuntimeError: out of memory"
    assert empty.status == "scored" and result.exit_status == 1
    assert result.failures == ["model 'crashing' failed: RuntimeError: out of memory"]


class _Short(_Crashing):
    """Answers one text fewer than it is given, in batches it chose itself."""

    name = "short"
    predict_batch = None  # every text in one call, as the LLM adapters ask

    def __init__(self) -> None:
        self.calls: list[int] = []

    def predict(self, texts):
        from arabench.models.base import Prediction

        self.calls.append(len(texts))
        return [Prediction(spans=()) for _ in texts[1:]]


def test_a_model_answering_too_few_texts_fails_with_the_runs_message(tmp_path: Path) -> None:
    path = tmp_path / "twelve.conll"  # twelve documents: more than one batch of the run's default size
    path.write_text(
        "".join(f"-DOCSTART-\tO\n\nذهب\tO\nمحمد\tB-PERS\nإلى\tO\nعمان\tB-LOC\n{k}\tO\n\n" for k in range(12)),
        encoding="utf-8",
    )
    corpus = load_corpus(path)
    assert len(corpus.texts) == 12
    model = _Short()
    result = robustness([model], corpus=corpus, suite=load_suite(default_suite_path()), n_resamples=0)
    (short,) = result.models
    assert short.status == "failed"
    assert short.reason == (
        "field 'predict': model 'short' returned 11 predictions for 12 texts (got 11); "
        "fix: return one Prediction per text, in order"
    )
    assert model.calls == [12]  # the adapter's predict_batch is obeyed, as in a run


@pytest.mark.parametrize(("name", "to"), [("gold.jsonl", "jsonl"), ("gold.conll", "conll"), ("brat", "brat")])
def test_every_format_keeps_its_gold_under_every_perturbation(tmp_path: Path, name: str, to: str) -> None:
    target = tmp_path / name
    assert main(["convert", str(default_corpus_path()), str(target), "--to", to]) in (0, 1)
    corpus = load_corpus(target)
    result = robustness(["oracle", "empty"], corpus=corpus, suite=load_suite(default_suite_path()), n_resamples=0)
    oracle, empty = result.models
    assert oracle.status == "scored", oracle.reason
    assert all(p.f1 == 1.0 for p in oracle.perturbations) and all(p.f1 == 0.0 for p in empty.perturbations)
