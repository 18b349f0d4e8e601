"""Corpus statistics on a fixture with hand-counted numbers, the sentence rule, and the stats command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arabench.annotations.jsonl import write_jsonl
from arabench.annotations.spans import Document, Relation, Span, outermost
from arabench.annotations.stats import corpus_stats, mention_depths, sentence_count
from arabench.benchmark.cli import main as cli_main

# "The Tunisian president Kais Saied visited Cairo. He met 3.5 thousand citizens!\nThen he returned to Tunis? Yes"
TEXT1 = "زار الرئيس التونسي قيس سعيد القاهرة. والتقى 3.5 ألف مواطن!\nثم عاد إلى تونس؟ نعم"
# "The chairman of the board of Banque Misr said that Egypt is fine."
TEXT2 = "قال رئيس مجلس إدارة بنك مصر إن مصر بخير."


def _span(text: str, needle: str, label: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return Span(start, start + len(needle), label)


def fixture_documents() -> list[Document]:
    occ1, pers = _span(TEXT1, "الرئيس التونسي", "OCC"), _span(TEXT1, "قيس سعيد", "PERS")
    doc1 = Document(
        "d1",
        TEXT1,
        {
            "T1": occ1,
            "T2": _span(TEXT1, "التونسي", "NORP"),
            "T3": pers,
            "T4": _span(TEXT1, "القاهرة", "GPE"),
            "T5": _span(TEXT1, "3.5 ألف", "CARDINAL"),
            "T6": _span(TEXT1, "تونس", "GPE", 1),  # the first "تونس" is inside "التونسي"
        },
        {"R1": Relation("HAS_ROLE", pers, occ1)},
    )
    doc2 = Document(
        "d2",
        TEXT2,
        {
            "T1": _span(TEXT2, "رئيس مجلس إدارة بنك مصر", "OCC"),
            "T2": _span(TEXT2, "بنك مصر", "ORG"),
            "T3": _span(TEXT2, "مصر", "GPE"),
            "T4": _span(TEXT2, "مصر", "GPE", 1),
        },
    )
    return [doc1, doc2]


def test_fixture_spans_are_where_the_counts_assume() -> None:
    doc1, doc2 = fixture_documents()
    assert doc1.entities["T6"].text_in(TEXT1) == "تونس" and doc1.entities["T6"].start > TEXT1.index("\n")
    assert doc2.entities["T1"].contains(doc2.entities["T2"]) and doc2.entities["T2"].contains(doc2.entities["T3"])


def test_corpus_stats_hand_counted() -> None:
    stats = corpus_stats(fixture_documents())
    assert stats.documents == 2
    assert stats.characters == len(TEXT1) + len(TEXT2)
    # doc1: زار الرئيس التونسي قيس سعيد القاهرة . والتقى 3 . 5 ألف مواطن ! ثم عاد إلى تونس ؟ نعم  = 20
    # doc2: قال رئيس مجلس إدارة بنك مصر إن مصر بخير .                                           = 10
    assert stats.tokens == 30
    assert stats.sentences == 4 + 1
    assert stats.mentions == {"CARDINAL": 1, "GPE": 4, "NORP": 1, "OCC": 2, "ORG": 1, "PERS": 1}
    assert stats.outermost == {"CARDINAL": 1, "GPE": 3, "OCC": 2, "PERS": 1}
    assert stats.nested == {"GPE": 1, "NORP": 1, "ORG": 1}
    assert stats.depths == {1: 7, 2: 2, 3: 1}
    assert stats.max_depth == 3
    assert stats.relations == {"HAS_ROLE": 1}
    assert stats.surface_forms == {"CARDINAL": 1, "GPE": 3, "NORP": 1, "OCC": 2, "ORG": 1, "PERS": 1}
    assert (stats.total_mentions, stats.total_outermost, stats.total_nested, stats.total_relations) == (10, 7, 3, 1)


def test_empty_corpus() -> None:
    stats = corpus_stats([])
    assert (stats.documents, stats.tokens, stats.max_depth, stats.total_mentions) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("نعم", 1),
        ("بلغ النمو 3.5 في المئة.", 1),  # a period between digits does not end a sentence
        ("انتهى عام 2023. وبدأ عام جديد", 2),  # a period after a digit does
        ("حقاً!!! لماذا؟ لا أعرف...", 3),  # a run of stops counts once
        ("سطر أول\nسطر ثان\n\n", 2),  # line breaks end sentences; empty lines are not sentences
        ("قال: «مرحباً». «", 1),  # a segment without a letter or digit is not a sentence
        ("زار وفد من U.S.A المدينة", 1),  # a period inside a word does not end a sentence
        ("كم؟ثلاثة", 1),  # a stop must be followed by white space
    ],
)
def test_sentence_rule(text: str, expected: int) -> None:
    assert sentence_count(text) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 12), st.integers(1, 6), st.sampled_from(["A", "B"])).map(
            lambda t: Span(t[0], t[0] + t[1], t[2])
        ),
        max_size=10,
    )
)
def test_depth_one_is_exactly_the_flat_layer(spans: list[Span]) -> None:
    flat = set(outermost(spans))
    for span, depth in zip(spans, mention_depths(spans), strict=True):
        assert (depth == 1) == (span in flat)


def test_stats_command_table_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_jsonl(fixture_documents(), tmp_path / "c.jsonl")
    assert cli_main(["stats", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tokens"] == 30 and data["depths"] == {"1": 7, "2": 2, "3": 1}
    assert data["totals"] == {
        "mentions": 10,
        "outermost": 7,
        "nested": 3,
        "relations": 1,
        "entities": 10,
        "clusters": 0,
        "entity_relations": 1,
    }
    assert cli_main(["stats", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{path}: 2 document(s), {len(TEXT1) + len(TEXT2)} characters, 30 tokens, 5 sentences"
    rows = {line.split()[0]: line.split()[1:] for line in out[3:10]}
    assert rows["GPE"] == ["4", "3", "1", "3"]
    assert rows["total"] == ["10", "7", "3"]
    assert "nesting: max depth 3 (depth 1: 7, depth 2: 2, depth 3: 1)" in out
    # schema order (PERS before OCC before GPE), not alphabetical
    assert [line.split()[0] for line in out[3:9]] == ["PERS", "NORP", "OCC", "ORG", "GPE", "CARDINAL"]


def test_stats_command_refuses_an_invalid_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "d.txt").write_text("نص", encoding="utf-8")
    assert cli_main(["stats", str(tmp_path)]) == 2
    assert "text file has no annotation file d.ann" in capsys.readouterr().err
