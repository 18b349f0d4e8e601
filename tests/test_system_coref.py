"""A system's coreference is scored: predictions carrying clusters, by ``run`` and by ``score``, against hand counts."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from arabench.annotations.spans import Span
from arabench.benchmark.cli import main
from arabench.benchmark.runner import run
from arabench.eval.coref import score_entity_layers

TEXT = "زار أحمد القاهرة ثم عاد أحمد وقال أحمد إن الشركة الكبيرة هي الشركة"


def _at(word: str, occurrence: int) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(word, start + 1)
    return start, start + len(word)


MENTIONS = {
    "a1": (*_at("أحمد", 0), "PERS"),
    "a2": (*_at("أحمد", 1), "PERS"),
    "a3": (*_at("أحمد", 2), "PERS"),
    "b1": (*_at("القاهرة", 0), "GPE"),
    "c1": (*_at("الشركة", 0), "ORG"),
    "c2": (*_at("الشركة", 1), "ORG"),
}
GOLD = [["a1", "a2", "a3"], ["c1", "c2"]]  # b1 alone
PRED = [["a1", "a2"], ["a3", "b1"]]  # c1 and c2 alone

#: By hand (CoNLL-2012 definitions, singletons scored):
#: key K1={a1,a2,a3} K2={b1} K3={c1,c2}; response R1={a1,a2} R2={a3,b1} R3={c1} R4={c2}.
#: MUC  R = (3-2 + 0 + 2-2) / (2 + 0 + 1) = 1/3;  P = (2-1 + 2-2 + 0 + 0) / (1 + 1 + 0 + 0) = 1/2.
#: B³   R = (4/3 + 1/3 + 1 + 1/2 + 1/2) / 6 = 11/18;  P = (4/2 + 1/2 + 1/2 + 1 + 1) / 6 = 5/6.
#: CEAF-e  best alignment K1-R1 (4/5), K2-R2 (2/3), K3-R3 (2/3): 32/15;  R = 32/45, P = 32/60.
HAND = {"muc": (1 / 3, 1 / 2), "b_cubed": (11 / 18, 5 / 6), "ceaf_e": (32 / 45, 32 / 60)}


def _f1(r: float, p: float) -> float:
    return 2 * p * r / (p + r)


def _jsonl(path: Path, clusters: list[list[str]]) -> Path:
    ids = {name: f"T{n + 1}" for n, name in enumerate(MENTIONS)}
    doc = {
        "id": "doc",
        "text": TEXT,
        "entities": [
            {"id": ids[k], "start": s, "end": e, "type": t, "text": TEXT[s:e]} for k, (s, e, t) in MENTIONS.items()
        ],
        "clusters": [[ids[k] for k in group] for group in clusters],
    }
    path.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _check(figures: dict) -> None:
    for metric, (recall, precision) in HAND.items():
        assert figures[metric]["recall"] == pytest.approx(recall), metric
        assert figures[metric]["precision"] == pytest.approx(precision), metric
        assert figures[metric]["f1"] == pytest.approx(_f1(recall, precision)), metric
    assert figures["conll_f1"] == pytest.approx(sum(_f1(*HAND[m][::-1]) for m in HAND) / 3)


def test_the_hand_counts_are_eval_corefs() -> None:
    spans = {k: Span(*v) for k, v in MENTIONS.items()}

    def entities(groups: list[list[str]]) -> list[list[Span]]:
        grouped = {k for g in groups for k in g}
        return [[spans[k] for k in g] for g in groups] + [[spans[k]] for k in spans if k not in grouped]

    _check(score_entity_layers([entities(GOLD)], [entities(PRED)]).as_dict())


def test_run_scores_a_predictions_files_clusters(tmp_path: Path) -> None:
    gold, pred = _jsonl(tmp_path / "gold.jsonl", GOLD), _jsonl(tmp_path / "pred.jsonl", PRED)
    name = f"file:{pred}"
    results = run([name], corpus=str(gold), bootstrap=0, cache=False, cache_dir=tmp_path / "c", out=tmp_path / "r")
    model = results.models[0]
    assert "clusters_not_scored" not in model.diagnostics
    tree = model.scores["native"]["entities"]
    for boundary in ("char", "word"):
        _check(tree["strict"][boundary])
    summary = (tmp_path / "r" / "summary.md").read_text(encoding="utf-8")
    assert "entity layer (coreference F1)" in summary and "MUC 0.4000" in summary
    assert "entity layer" in (tmp_path / "r" / "report.html").read_text(encoding="utf-8")


def test_a_model_without_clusters_has_no_entity_scores(tmp_path: Path) -> None:
    gold = _jsonl(tmp_path / "gold.jsonl", GOLD)
    results = run(["empty"], corpus=str(gold), bootstrap=0, cache=False, cache_dir=tmp_path / "c")
    assert results.models[0].scores["native"]["entities"] is None


def test_score_scores_a_predictions_files_clusters(tmp_path: Path) -> None:
    gold, pred = _jsonl(tmp_path / "gold.jsonl", GOLD), _jsonl(tmp_path / "pred.jsonl", PRED)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["score", "--gold", str(gold), "--pred", str(pred), "--json"]) == 0
    _check(json.loads(out.getvalue())["entities"])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["score", "--gold", str(gold), "--pred", str(pred)]) == 0
    assert "entity layer (coreference, strict mentions): MUC P 0.5000 R 0.3333 F1 0.4000" in out.getvalue()


def test_a_cluster_of_spans_not_predicted_is_refused(tmp_path: Path) -> None:
    from arabench.models.base import Prediction

    class Bad:
        name, view, labels = "bad", "native", frozenset({"PERS"})

        def predict(self, texts: list[str]) -> list[Prediction]:
            a, b = Span(*MENTIONS["a1"]), Span(*MENTIONS["a2"])
            return [Prediction(spans=(a,), clusters=((a, b),)) for _ in texts]

        def provenance(self) -> dict[str, object]:
            return {"id": "bad", "revision": "1", "adapter_version": "1", "label_map": None}

    gold = _jsonl(tmp_path / "gold.jsonl", GOLD)
    results = run([Bad()], corpus=str(gold), bootstrap=0, cache=False, cache_dir=tmp_path / "c")
    assert results.models[0].status == "failed"
    assert "cluster whose mentions are not its predicted spans" in results.models[0].reason
