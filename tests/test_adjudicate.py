"""arabench adjudicate: two passes become one document set, agreed annotations standing, disagreements noted."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from arabench.annotations.brat import REVIEW_NOTE, write_brat
from arabench.annotations.corpus import read_corpus
from arabench.annotations.errors import AnnotationError, ConversionError
from arabench.annotations.spans import Document, Relation, Span
from arabench.annotations.validate import validate
from arabench.benchmark.adjudicate import JSONL_NAME, adjudicate_paths
from arabench.benchmark.cli import main as cli_main

PASSES = Path(__file__).resolve().parents[1] / "annotations" / "passes"


def content(doc: Document) -> tuple[set, set, set]:
    """Spans, relations and entities (clusters of two or more) of a document, by value."""

    def key(s: Span) -> tuple[int, int, str]:
        return (s.start, s.end, s.label)

    spans = {key(s) for s in doc.entities.values()}
    relations = {(r.label, key(r.arg1), key(r.arg2)) for r in doc.relations.values()}
    clusters = {frozenset(key(doc.entities[i]) for i in c) for c in doc.clusters}
    return spans, relations, clusters


def resolve(directory: Path, keep: str) -> None:
    """What an adjudicator does in BRAT: for every note, delete the other side's candidates and every note."""
    for ann in directory.glob("*.ann"):
        lines = ann.read_text(encoding="utf-8").splitlines()
        notes = [line.split("\t", 2) for line in lines if line.startswith("#")]
        losers: set[str] = set()
        for _, _, note in notes:
            assert note.startswith(REVIEW_NOTE)
            if note.split(": ", 2)[1].startswith("coreference"):
                continue
            sides = re.match(r".*: A has (?P<a>nothing|[TR]\d+)[^;]*; B has (?P<b>nothing|[TR]\d+)", note)
            assert sides, note
            loser = sides.group("b" if keep == "A" else "a")
            if loser != "nothing":
                losers.add(loser)
        kept = []
        for line in lines:
            fields = line.split("\t")
            if line.startswith("#") or fields[0] in losers:
                continue
            if line.startswith("R") and set(re.findall(r"Arg\d:(T\d+)", line)) & losers:
                continue
            if line.startswith("*"):
                ids = [i for i in fields[1].split(" ")[1:] if i not in losers]
                if len(ids) < 2:
                    continue
                line = "*\tEquiv " + " ".join(ids)
            kept.append(line)
        ann.write_text("\n".join(kept) + "\n", encoding="utf-8")


@pytest.fixture
def passes(tmp_path: Path) -> tuple[Path, Path, Document, Document]:
    """Pass a of the gold, and a pass B with every kind of mention and relation disagreement."""
    (a,) = read_corpus(PASSES / "a")
    a = Document(a.id, a.text, a.entities, a.relations)
    entities = dict(a.entities)
    entities["T10"] = Span(a.entities["T10"].start, a.entities["T10"].end, "GPE")  # type (NORP -> GPE)
    occ = a.entities["T1"]
    entities["T1"] = Span(occ.start, occ.start + 19, "OCC")  # boundaries
    del entities["T56"]  # only A
    entities["T99"] = Span(1413, 1426, "LOC")  # only B: «سورية والعراق» (crosses nothing: holds T22, T23)
    relations = {
        k: Relation(r.label, entities[a.entity_id(r.arg1)], entities[a.entity_id(r.arg2)])
        for k, r in a.relations.items()
        if a.entity_id(r.arg1) in entities and a.entity_id(r.arg2) in entities
    }
    relations["R90"] = Relation("MEMBER_OF", entities["T4"], entities["T7"])  # relation only B
    b = Document(a.id, a.text, entities, relations)
    write_brat(a, tmp_path / "a")
    write_brat(b, tmp_path / "b")
    assert validate(tmp_path / "a").ok and validate(tmp_path / "b").ok
    return tmp_path / "a", tmp_path / "b", a, b


def test_agreed_annotations_stand_and_disagreements_are_noted(passes, tmp_path: Path) -> None:
    a_dir, b_dir, a, b = passes
    result = adjudicate_paths(a_dir, b_dir, tmp_path / "out")
    kinds = sorted((i.level, i.kind) for i in result.review)
    assert kinds == [
        ("mention", "boundaries"),
        ("mention", "only A"),
        ("mention", "only B"),
        ("mention", "type"),
        ("relation", "arguments"),  # HAS_ROLE on the OCC of the other boundaries
        ("relation", "only A"),  # MEMBER_OF to T56, which B lacks
        ("relation", "only B"),
    ]
    notes = {i.kind: i.note for i in result.review if i.level == "mention"}
    assert notes["type"] == (
        "arabench review: mention type: A has T12 NORP 387-393 «كويتية»; B has T11 GPE 387-393 «كويتية»; "
        "keep one, delete the other"
    )
    spans_a, rels_a, _ = content(a)
    spans_b, rels_b, _ = content(b)
    assert result.agreed["mentions"] == len(spans_a & spans_b) == 53
    assert result.agreed["relations"] == len(rels_a & rels_b)
    (merged,) = result.documents
    assert content(merged)[0] == spans_a | spans_b  # both candidates of every disagreement are there
    report = validate(tmp_path / "out")  # refused until every note is resolved, one error per note
    notes = [p for p in report.errors if p.field == "note"]
    assert len(notes) == sum(len(i.a) + len(i.b) for i in result.review)
    assert (tmp_path / "out" / "annotation.conf").is_file() and (tmp_path / "out" / "visual.conf").is_file()
    lines = (tmp_path / "out" / JSONL_NAME).read_text(encoding="utf-8").splitlines()
    assert [len(json.loads(line)["metadata"]["review"]) for line in lines] == [len(result.review)]


@pytest.mark.parametrize("keep", ["A", "B"])
def test_resolving_every_note_gives_back_the_chosen_pass(passes, tmp_path: Path, keep: str) -> None:
    a_dir, b_dir, a, b = passes
    adjudicate_paths(a_dir, b_dir, tmp_path / "out")
    resolve(tmp_path / "out", keep)
    assert validate(tmp_path / "out").ok
    (gold,) = read_corpus(tmp_path / "out")
    assert content(gold)[:2] == content(a if keep == "A" else b)[:2]


def test_coreference_disagreements_are_noted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    changed = tmp_path / "coref_b"
    shutil.copytree(PASSES / "coref_b", changed)
    ann = next(changed.glob("*.ann"))
    text = ann.read_text(encoding="utf-8")
    text = text.replace("*\tEquiv T3 T13 T16 T39\n", "*\tEquiv T3 T16 T39\n").replace(
        "*\tEquiv T49 T50\n", "*\tEquiv T13 T49 T50\n"
    )
    ann.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert cli_main(["adjudicate", str(PASSES / "coref_a"), str(changed), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "agreed 56 mentions, 20 relations, 10 entities; 1 disagreement(s) to review" in said
    assert "1  coreference moved" in said
    notes = [line for line in next(out.glob("*.ann")).read_text(encoding="utf-8").splitlines() if line[0] == "#"]
    assert len(notes) == 1 and "coreference moved: T" in notes[0] and "the Equiv lines are A's" in notes[0]
    (a,) = read_corpus(PASSES / "coref_a")
    resolve(out, "A")
    (gold,) = read_corpus(out)
    assert content(gold) == content(a)  # spans, relations and the entity layer, exactly


def test_two_identical_passes_need_no_review(tmp_path: Path) -> None:
    result = adjudicate_paths(PASSES / "coref_a", PASSES / "coref_b", tmp_path / "out")
    assert result.review == [] and validate(tmp_path / "out").ok
    (gold,), (a,) = read_corpus(tmp_path / "out"), read_corpus(PASSES / "coref_a")
    assert content(gold) == content(a)


def test_refuses_to_write_over_anything(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ConversionError, match="the output exists and is not an empty directory"):
        adjudicate_paths(PASSES / "a", PASSES / "b", tmp_path / "out")
    with pytest.raises(AnnotationError):
        adjudicate_paths(PASSES / "a", tmp_path / "out", tmp_path / "new")
