"""agree lists coreference disagreements (mentions moved, entities split or merged) and gives Cohen's kappa."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from arabench.annotations.corpus import read_corpus
from arabench.annotations.spans import Document, Span
from arabench.benchmark.agreement import agreement, cluster_disagreements
from arabench.benchmark.cli import main as cli_main

PASSES = Path(__file__).resolve().parents[1] / "annotations" / "passes"
TEXT = "ا ب ج د ه و ز"  # seven one-letter words: mention k covers characters 2k..2k+1


def doc(*clusters: tuple[int, ...], n: int = 7) -> Document:
    entities = {f"T{k}": Span(2 * k, 2 * k + 1, "PERS") for k in range(n)}
    return Document("d", TEXT, entities, clusters=tuple(tuple(f"T{k}" for k in c) for c in clusters))


def lines(a: Document, b: Document) -> list[tuple[str, list, list]]:
    def ranges(item: dict) -> object:
        if "mention" in item:
            return [item["mention"]["start"] // 2, sorted(m["start"] // 2 for m in item["entity"])]
        if "mentions" in item:
            return sorted(m["start"] // 2 for m in item["mentions"])
        return [sorted(m["start"] // 2 for m in e) for e in item["entities"]]

    return [(d.kind, ranges(d.a), ranges(d.b)) for d in cluster_disagreements(a, b)]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (doc((0, 1, 2)), doc((0, 1, 2)), []),
        # one mention leaves its entity for another one
        (doc((0, 1, 2), (3, 4)), doc((0, 1), (2, 3, 4)), [("moved", [2, [0, 1]], [2, [3, 4]])]),
        # an entity of A cut in two by B
        (doc((0, 1, 2, 3)), doc((0, 1), (2, 3)), [("split", [0, 1, 2, 3], [[0, 1], [2, 3]])]),
        # a mention taken out of its entity (a singleton in B) is a split
        (doc((0, 1, 2)), doc((0, 1)), [("split", [0, 1, 2], [[0, 1], [2]])]),
        # two entities of A joined by B
        (doc((0, 1), (2, 3)), doc((0, 1, 2, 3)), [("merged", [[0, 1], [2, 3]], [0, 1, 2, 3])]),
        # a singleton of A joined to an entity
        (doc((0, 1)), doc((0, 1, 5)), [("merged", [[0, 1], [5]], [0, 1, 5])]),
        # both at once, on different entities
        (
            doc((0, 1, 2, 3), (4,), (5,)),
            doc((0, 1), (2, 3), (4, 5)),
            [("split", [0, 1, 2, 3], [[0, 1], [2, 3]]), ("merged", [[4], [5]], [4, 5])],
        ),
    ],
)
def test_cluster_disagreements(a: Document, b: Document, expected: list) -> None:
    assert lines(a, b) == expected


def test_only_shared_mentions_are_compared() -> None:
    a = doc((0, 1, 2))
    b = Document("d", TEXT, {k: v for k, v in a.entities.items() if k != "T2"}, clusters=(("T0", "T1"),))
    assert cluster_disagreements(a, b) == []  # T2 missing from B is a mention disagreement, not a split
    assert [d.kind for d in agreement([a], [b]).disagreements] == ["only A"]


def test_every_entity_layer_difference_shows_in_the_list() -> None:
    """Whenever the coreference scores on shared mentions fall below 1, a coreference line explains it."""
    import itertools

    partitions = [doc(), doc((0, 1)), doc((0, 1, 2)), doc((0, 2), (1, 3)), doc((1, 2, 3)), doc((0, 1), (2, 3))]
    for a, b in itertools.product(partitions, repeat=2):
        result = agreement([a], [b])
        b_cubed = result.coref["strict", "char"].b_cubed.f1
        listed = [d for d in result.disagreements if d.level == "coreference"]
        assert (b_cubed == 1.0) == (not listed), (a.clusters, b.clusters, b_cubed)


@pytest.fixture
def coref_b_changed(tmp_path: Path) -> Path:
    """coref_b with T13 «المشعان» moved to the entity of «زيشان أمين» and «سورية» merged with «العراق»."""
    out = tmp_path / "coref_b"
    shutil.copytree(PASSES / "coref_b", out)
    ann = next(out.glob("*.ann"))
    content = ann.read_text(encoding="utf-8")
    for old, new in (
        ("*\tEquiv T3 T13 T16 T39\n", "*\tEquiv T3 T16 T39\n"),
        ("*\tEquiv T23 T55\n", "*\tEquiv T22 T23 T55\n"),
        ("*\tEquiv T49 T50\n", "*\tEquiv T13 T49 T50\n"),
    ):
        assert old in content
        content = content.replace(old, new)
    ann.write_text(content, encoding="utf-8")
    return out


def test_agree_on_the_coreference_passes(coref_b_changed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["agree", str(PASSES / "coref_a"), str(PASSES / "coref_b")]) == 0
    assert "0 coreferences" in capsys.readouterr().out  # the two blind passes agree on every entity
    assert cli_main(["agree", str(PASSES / "coref_a"), str(coref_b_changed)]) == 0
    out = capsys.readouterr().out
    assert "2 coreferences" in out
    assert "coreference     moved           A: PERS 465-472 «المشعان» in {PERS 54-65 «حمد المشعان» = " in out
    assert "B: PERS 465-472 «المشعان» in {PERS 2745-2755 «زيشان أمين» = PERS 2863-2867 «أمين»}" in out
    assert "coreference     merged          A: 2 entities: {GPE 1413-1418 «سورية»} | {GPE 1420-1426 «العراق» = " in out
    assert cli_main(["agree", str(PASSES / "coref_a"), str(coref_b_changed), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    coref = [d for d in data["disagreements"] if d["level"] == "coreference"]
    assert [d["kind"] for d in coref] == ["moved", "merged"]
    assert coref[0]["a"]["mention"] == {"type": "PERS", "start": 465, "end": 472, "text": "المشعان"}


def test_kappa_next_to_the_f1_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from arabench.annotations.brat import write_brat
    from arabench.eval.kappa import cohen_kappa
    from arabench.eval.tokens import spans_to_tags

    (a,) = read_corpus(PASSES / "a")
    # the blind passes agree on every word's tag (kappa 1): B is pass a with two types changed and a mention dropped
    assert agreement([a], read_corpus(PASSES / "b")).kappa.all.kappa == 1.0
    changed = {"T4": "LOC", "T3": "ORG"}
    entities = {i: Span(s.start, s.end, changed.get(i, s.label)) for i, s in a.entities.items() if i != "T56"}
    b = Document(a.id, a.text, entities)
    a = Document(a.id, a.text, a.entities)
    result = agreement([a], [b])
    tags_a = spans_to_tags(a.text, list(a.entities.values())).tags
    tags_b = spans_to_tags(b.text, list(b.entities.values())).tags
    assert result.kappa is not None and result.kappa.all == cohen_kappa(tags_a, tags_b)
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    assert result.kappa.all.kappa == pytest.approx(sklearn_metrics.cohen_kappa_score(tags_a, tags_b), abs=1e-12)
    assert 0 < result.kappa.tagged.kappa < result.kappa.all.kappa < 1
    write_brat(a, tmp_path / "a")
    write_brat(b, tmp_path / "b")
    assert cli_main(["agree", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert f"Cohen's kappa on words (BIO tag per word, flat layer): {result.kappa.all.kappa:.4f}" in out
    assert cli_main(["agree", str(tmp_path / "a"), str(tmp_path / "b"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["token_kappa"]["all_words"]["kappa"] == pytest.approx(result.kappa.all.kappa)
