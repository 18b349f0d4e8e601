"""Inter-annotator agreement on two hand-made annotation sets with hand-computed figures."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from arabench.annotations.brat import write_brat
from arabench.annotations.errors import ScoringError
from arabench.annotations.jsonl import write_jsonl
from arabench.annotations.spans import Document, Relation, Span
from arabench.benchmark.agreement import agreement
from arabench.benchmark.cli import main as cli_main

# "The Jordanian foreign minister Khaled Abdullah met a delegation of the Arab League in Amman." (general text)
TEXT = "التقى وزير الخارجية الأردني خالد عبد الله وفدا من جامعة الدول العربية بعمان."


def set_a() -> Document:
    occ, norp, pers = Span(6, 27, "OCC"), Span(20, 27, "NORP"), Span(28, 41, "PERS")
    org, gpe = Span(50, 69, "ORG"), Span(71, 75, "GPE")  # "عمان" without its proclitic
    return Document(
        "d",
        TEXT,
        {"T1": occ, "T2": norp, "T3": pers, "T4": org, "T5": gpe},
        {"R1": Relation("HAS_ROLE", pers, occ), "R2": Relation("LOCATED_IN", org, gpe)},
    )


def set_b() -> Document:
    occ, gpe, pers = Span(6, 19, "OCC"), Span(20, 27, "GPE"), Span(28, 41, "PERS")  # shorter OCC; NORP->GPE
    org, org2, loc = Span(50, 69, "ORG"), Span(56, 69, "ORG"), Span(70, 75, "LOC")  # extra ORG; "بعمان" as LOC
    return Document(
        "d",
        TEXT,
        {"T1": occ, "T2": gpe, "T3": pers, "T4": org, "T5": org2, "T6": loc},
        {"R1": Relation("HAS_ROLE", pers, occ), "R2": Relation("LOCATED_IN", org, loc)},
    )


def test_fixture_offsets() -> None:
    a, b = set_a(), set_b()
    assert [s.text_in(TEXT) for s in a.entities.values()] == [
        "وزير الخارجية الأردني",
        "الأردني",
        "خالد عبد الله",
        "جامعة الدول العربية",
        "عمان",
    ]
    assert [s.text_in(TEXT) for s in b.entities.values()] == [
        "وزير الخارجية",
        "الأردني",
        "خالد عبد الله",
        "جامعة الدول العربية",
        "الدول العربية",
        "بعمان",
    ]


# Hand-computed (both, only A, only B):
# strict/char      PERS and ORG agree; A-only OCC NORP GPE; B-only OCC GPE ORG LOC          -> 2/3/4, F1 4/11
# strict/word      "عمان" widens to "بعمان" but GPE != LOC: no change                         -> 2/3/4, F1 4/11
# boundaries/char  ranges of الأردني, خالد عبد الله, جامعة الدول العربية agree               -> 3/2/3, F1 6/11
# boundaries/word  plus عمان/بعمان                                                           -> 4/1/2, F1 8/11
# relations: R1 never agrees (OCC boundaries differ); R2 agrees only on word boundaries ignoring types.
ENTITIES = {
    ("strict", "char"): (2, 3, 4, Fraction(4, 11)),
    ("strict", "word"): (2, 3, 4, Fraction(4, 11)),
    ("boundaries", "char"): (3, 2, 3, Fraction(6, 11)),
    ("boundaries", "word"): (4, 1, 2, Fraction(8, 11)),
}
RELATIONS = {
    ("strict", "char"): (0, 2, 2, Fraction(0)),
    ("strict", "word"): (0, 2, 2, Fraction(0)),
    ("boundaries", "char"): (0, 2, 2, Fraction(0)),
    ("boundaries", "word"): (1, 1, 1, Fraction(1, 2)),
}


@pytest.mark.parametrize(("kind", "expected"), [("entities", ENTITIES), ("relations", RELATIONS)])
def test_hand_computed_agreement(kind: str, expected: dict) -> None:
    result = agreement([set_a()], [set_b()])
    for setting, (tp, fn, fp, f1) in expected.items():
        micro = getattr(result, kind)[setting].micro
        assert (micro.tp, micro.fn, micro.fp) == (tp, fn, fp), setting
        assert micro.f1 == pytest.approx(float(f1), abs=1e-15), setting


def test_per_type_strict_char() -> None:
    per_type = agreement([set_a()], [set_b()]).entities["strict", "char"].per_type
    got = {t: (c.tp, c.fn, c.fp, c.f1) for t, c in per_type.items()}
    assert got == {
        "GPE": (0, 1, 1, 0.0),  # A: عمان; B: الأردني
        "LOC": (0, 0, 1, 0.0),  # only B
        "NORP": (0, 1, 0, 0.0),
        "OCC": (0, 1, 1, 0.0),
        "ORG": (1, 0, 1, pytest.approx(2 / 3)),
        "PERS": (1, 0, 0, 1.0),
    }


def test_agreement_is_symmetric() -> None:
    ab = agreement([set_a()], [set_b()])
    ba = agreement([set_b()], [set_a()])
    for table, other in ((ab.entities, ba.entities), (ab.relations, ba.relations)):
        for setting, scores in table.items():
            x, y = scores.micro, other[setting].micro
            assert (x.tp, x.fn, x.fp) == (y.tp, y.fp, y.fn)
            assert x.f1 == pytest.approx(y.f1, abs=1e-15)


def test_identical_sets_agree_fully() -> None:
    result = agreement([set_a()], [set_a()])
    assert all(s.micro.f1 == 1.0 for s in [*result.entities.values(), *result.relations.values()])


def test_different_texts_are_an_error_naming_the_document() -> None:
    other = Document("d", TEXT.replace("بعمان", "بعم\u0651ان"), {})
    with pytest.raises(ScoringError) as info:
        agreement([set_a()], [other], reference="a/", other="b/")
    message = str(info.value)
    assert "document 'd' has different texts in a/ and b/ (first difference at character offset 73" in message
    assert "annotate the same .txt file" in message


def test_missing_document_is_an_error() -> None:
    with pytest.raises(ScoringError, match="document 'e' of B is not in A"):
        agreement([set_a()], [set_b(), Document("e", "نص", {})])


def test_agree_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_brat(set_a(), tmp_path / "a")
    path_b = write_jsonl([set_b()], tmp_path / "b.jsonl")  # the two sets may be in different formats
    assert cli_main(["agree", str(tmp_path / "a"), str(path_b), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["entity_counts"] == {"reference": 5, "other": 6}
    overall = data["entities"]["boundaries/word"]["overall"]
    assert (overall["tp"], overall["fn"], overall["fp"]) == (4, 1, 2)
    assert data["relations"]["boundaries/word"]["overall"]["f1"] == 0.5
    assert cli_main(["agree", str(tmp_path / "a"), str(path_b)]) == 0
    out = capsys.readouterr().out.splitlines()
    entity_overall = next(line for line in out if line.startswith("overall"))
    assert entity_overall.split() == [
        "overall",
        "0.3636",
        "2/3/4",
        "0.3636",
        "2/3/4",
        "0.5455",
        "3/2/3",
        "0.7273",
        "4/1/2",
    ]


def test_agree_command_refuses_different_texts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_brat(set_a(), tmp_path / "a")
    write_brat(Document("d", TEXT[:-1], {}), tmp_path / "b")
    assert cli_main(["agree", str(tmp_path / "a"), str(tmp_path / "b")]) == 2
    assert "document 'd' has different texts" in capsys.readouterr().err


def _lines(result) -> list[tuple[str, str, str | None, str | None]]:
    def key(item):
        if item is None:
            return None
        if "arg1" in item:
            return f"{item['type']}:{key(item['arg1'])}>{key(item['arg2'])}"
        if "mentions" in item:
            return "=".join(key(m) for m in item["mentions"])
        if "mention" in item:
            return f"{key(item['mention'])} in " + "=".join(key(m) for m in item["entity"])
        if "entities" in item:
            return " | ".join("=".join(key(m) for m in e) for e in item["entities"])
        return f"{item['type']}@{item['start']}-{item['end']}"

    return [(d.level, d.kind, key(d.a), key(d.b)) for d in result.disagreements]


def test_disagreements_are_listed_side_by_side() -> None:
    assert _lines(agreement([set_a()], [set_b()])) == [
        ("mention", "boundaries", "OCC@6-27", "OCC@6-19"),
        ("mention", "type", "NORP@20-27", "GPE@20-27"),
        ("mention", "boundaries+type", "GPE@71-75", "LOC@70-75"),
        ("mention", "only B", None, "ORG@56-69"),
        ("relation", "arguments", "HAS_ROLE:PERS@28-41>OCC@6-27", "HAS_ROLE:PERS@28-41>OCC@6-19"),
        ("relation", "arguments", "LOCATED_IN:ORG@50-69>GPE@71-75", "LOCATED_IN:ORG@50-69>LOC@70-75"),
        ("entity relation", "arguments", "HAS_ROLE:PERS@28-41>OCC@6-27", "HAS_ROLE:PERS@28-41>OCC@6-19"),
        ("entity relation", "arguments", "LOCATED_IN:ORG@50-69>GPE@71-75", "LOCATED_IN:ORG@50-69>LOC@70-75"),
    ]


def test_disagreement_lines_add_up_to_the_strict_char_counts() -> None:
    result = agreement([set_a()], [set_b()])
    for level, table in (("mention", result.entities), ("relation", result.relations)):
        mine = [d for d in result.disagreements if d.level == level]
        micro = table["strict", "char"].micro
        assert sum(d.a is not None for d in mine) == micro.fn
        assert sum(d.b is not None for d in mine) == micro.fp


def test_identical_sets_have_no_disagreement() -> None:
    assert agreement([set_a()], [set_a()]).disagreements == ()


def test_relation_type_and_entity_level_disagreements() -> None:
    # A: Khaled (T3) and "the minister" (T1) corefer; B states the relation on another mention of the same entity.
    pers, occ, org = Span(28, 41, "PERS"), Span(6, 27, "OCC"), Span(50, 69, "ORG")
    a = Document("d", TEXT, {"T1": occ, "T3": pers, "T4": org}, {"R1": Relation("HAS_ROLE", pers, occ)}, clusters=())
    b = Document("d", TEXT, {"T1": occ, "T3": pers, "T4": org}, {"R1": Relation("MEMBER_OF", pers, org)})
    lines = _lines(agreement([a], [b]))
    assert ("relation", "only A", "HAS_ROLE:PERS@28-41>OCC@6-27", None) in lines
    assert ("relation", "only B", None, "MEMBER_OF:PERS@28-41>ORG@50-69") in lines
    same_args = Document("d", TEXT, a.entities, {"R1": Relation("MEMBER_OF", pers, occ)})
    assert ("relation", "type", "HAS_ROLE:PERS@28-41>OCC@6-27", "MEMBER_OF:PERS@28-41>OCC@6-27") in _lines(
        agreement([a], [same_args])
    )


def test_entity_level_reads_b_through_a_entities() -> None:
    # A clusters the two ORG mentions; B relates the other mention of that entity: the same entity relation.
    pers, org, org2 = Span(28, 41, "PERS"), Span(50, 69, "ORG"), Span(56, 69, "ORG")
    ents = {"T1": pers, "T2": org, "T3": org2}
    a = Document("d", TEXT, ents, {"R1": Relation("MEMBER_OF", pers, org)}, clusters=(("T2", "T3"),))
    b = Document("d", TEXT, ents, {"R1": Relation("MEMBER_OF", pers, org2)})
    lines = _lines(agreement([a], [b]))
    assert [x for x in lines if x[0] == "entity relation"] == []
    assert ("relation", "arguments", "MEMBER_OF:PERS@28-41>ORG@50-69", "MEMBER_OF:PERS@28-41>ORG@56-69") in lines


def test_agree_command_prints_and_exports_the_disagreements(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_brat(set_a(), tmp_path / "a")
    path_b = write_jsonl([set_b()], tmp_path / "b.jsonl")
    assert cli_main(["agree", str(tmp_path / "a"), str(path_b), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    first = data["disagreements"][0]
    assert first == {
        "document": "d",
        "level": "mention",
        "kind": "boundaries",
        "a": {"type": "OCC", "start": 6, "end": 27, "text": "وزير الخارجية الأردني"},
        "b": {"type": "OCC", "start": 6, "end": 19, "text": "وزير الخارجية"},
    }
    assert cli_main(["agree", str(tmp_path / "a"), str(path_b)]) == 0
    out = capsys.readouterr().out
    assert "4 mentions, 2 relations, 2 entity relations" in out
    assert "mention         type            A: NORP 20-27 «الأردني»" in out
    b_line = out.splitlines()[out.splitlines().index(next(x for x in out.splitlines() if "A: NORP 20-27" in x)) + 1]
    assert b_line.strip() == "B: GPE 20-27 «الأردني»"
