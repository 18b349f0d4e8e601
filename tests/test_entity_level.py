"""Entity layers in agreement, stats and the harness: coreference metrics and relations at the entity level."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eval_helpers import nth_span

from arabench.annotations.brat import write_brat
from arabench.annotations.errors import BenchmarkError
from arabench.annotations.schema import default_schema
from arabench.annotations.spans import Document, Relation, Span
from arabench.benchmark.agreement import agreement
from arabench.benchmark.cli import main as cli_main
from arabench.benchmark.corpus_io import load_corpus
from arabench.eval.views import project_gold

# "Sami Nour, head of the energy committee, said that Egypt chairs the committee. Nour added ..." (general text)
TEXT = "قال سامي نور رئيس لجنة الطاقة إن مصر تترأس لجنة الطاقة. وأضاف نور أن الرئاسة المصرية للجنة الطاقة مستمرة."


def at(word: str, label: str, nth: int = 0) -> Span:
    return nth_span(TEXT, word, label, nth)


SAMI, NOUR = at("سامي نور", "PERS"), at("نور", "PERS", 1)
C1, C2, C3 = at("لجنة الطاقة", "ORG"), at("لجنة الطاقة", "ORG", 1), at("لجنة الطاقة", "ORG", 2)  # C3 after لل
EGYPT, EGYPTIAN = at("مصر", "GPE"), at("المصرية", "NORP")
ENTITIES = {"T1": SAMI, "T2": C1, "T3": EGYPT, "T4": C2, "T5": NOUR, "T6": EGYPTIAN, "T7": C3}


def doc(relations: dict[str, Relation], clusters: tuple[tuple[str, ...], ...]) -> Document:
    return Document("d", TEXT, ENTITIES, relations, {}, clusters)


FULL = (("T1", "T5"), ("T2", "T4", "T7"), ("T3", "T6"))
A = doc({"R1": Relation("HEADS", SAMI, C1), "R2": Relation("HEADS", EGYPT, C2)}, FULL)
# B names other mentions of the same entities, and does not join the NORP to Egypt.
B = doc({"R1": Relation("HEADS", NOUR, C3), "R2": Relation("HEADS", EGYPT, C1)}, (("T1", "T5"), ("T2", "T4", "T7")))


def test_agreement_compares_entity_layers_and_entity_level_relations() -> None:
    result = agreement([A], [B])
    assert result.cluster_counts == (3, 4)
    mention = result.relations[("strict", "char")].micro
    entity = result.entity_relations[("strict", "char")].micro
    assert (mention.tp, mention.fn, mention.fp) == (0, 2, 2)
    assert (entity.tp, entity.fn, entity.fp) == (2, 0, 0)
    coref = result.coref[("strict", "char")]
    # Key {T1,T5} {T2,T4,T7} {T3,T6}; response {T1,T5} {T2,T4,T7} {T3} {T6}: one MUC link of 4 missed.
    assert (coref.muc.recall, coref.muc.precision) == (3 / 4, 1.0)
    assert coref.b_cubed.precision == 1.0 and coref.b_cubed.recall == pytest.approx((2 + 3 + 1) / 7)
    data = result.to_dict()
    assert data["coref"]["strict/char"]["muc"]["recall"] == 0.75
    assert data["entity_relations"]["strict/char"]["overall"]["f1"] == 1.0


def test_agree_command_prints_the_entity_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_brat(A, tmp_path / "a")
    write_brat(B, tmp_path / "b")
    assert cli_main(["agree", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert "relations, entity level" in out and "entity layer (coreference" in out
    assert "CoNLL F1" in out and "A: " in out and "in 3 entities" in out


def test_stats_command_counts_entities(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_brat(A, tmp_path / "a")
    assert cli_main(["stats", str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    assert "entities: 3 (3 clusters holding 7 mentions, 0 singletons)" in out
    assert cli_main(["stats", str(tmp_path / "a"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["totals"]["entities"] == 3 and data["entity_relations"] == {"HEADS": 2}


def test_project_gold_projects_the_entity_layer() -> None:
    view = default_schema().view("conll4")
    gold = project_gold([A.spans], view, relations=[list(A.relations.values())], clusters=[A.span_clusters()])
    labels = sorted({s.label for entity in gold.clusters[0] for s in entity})
    assert labels == ["LOC", "MISC", "ORG", "PER"]  # GPE -> LOC, NORP -> MISC
    assert sum(len(entity) for entity in gold.clusters[0]) == len(gold.spans[0])


def test_run_scores_relations_at_the_entity_level_by_default(tmp_path: Path) -> None:
    from arabench.benchmark.runner import run

    write_brat(A, tmp_path / "gold")
    corpus = load_corpus(tmp_path / "gold")
    results = run(["oracle"], corpus=corpus, bootstrap=0, cache=False, out=tmp_path / "out")
    assert results.settings["relation_level"] == "entity"
    assert "relations F1, entity level (strict / boundaries)" in (tmp_path / "out" / "summary.md").read_text("utf-8")
    (model,) = results.models
    tree = model.scores["native"]
    assert tree["relation_level"] == "entity"
    assert tree["relations"]["strict"]["word"]["micro"]["f1"] == 1.0
    mention = run(["oracle"], corpus=corpus, bootstrap=0, cache=False, relation_level="mention")
    assert mention.models[0].scores["native"]["relation_level"] == "mention"
    with pytest.raises(BenchmarkError, match="unknown relation level"):
        run(["oracle"], corpus=corpus, bootstrap=0, cache=False, relation_level="document")
