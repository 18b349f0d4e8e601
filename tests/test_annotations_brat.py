"""BRAT and JSONL reading and writing: exact round trips, errors, and robustness on arbitrary input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arabench.annotations.brat import format_ann, parse_ann, write_brat
from arabench.annotations.corpus import read_corpus
from arabench.annotations.errors import AnnotationError, BenchmarkError, ConversionError
from arabench.annotations.jsonl import document_to_dict, format_jsonl, parse_jsonl, write_jsonl
from arabench.annotations.spans import Document, Relation, Span
from arabench.annotations.validate import validate

GOLD = Path(__file__).resolve().parents[1] / "annotations" / "gold"
GOLD_ANN = GOLD / "000_c51be66d53f8d476.ann"
PASSES = GOLD.parent / "passes"

# General news-like text (not the gold article), with harakat written as escapes:
# "The Egyptian Minister of Health Khaled Abdel Ghaffar visited Cairo University on 5 May 2023.
#  He said that Egypt is a member of the Arab League."
TEXT = (
    "زار وزير الص\u0651حة المصري خالد عبد الغفار جامعة القاهرة يوم 5 مايو 2023.\n"
    "وقال إن\u0651 مصر عضو في جامعة الدول العربية."
)


def _at(needle: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(needle, start + 1)
    return start, start + len(needle)


def _t(ident: str, label: str, needle: str, nth: int = 0) -> str:
    start, end = _at(needle, nth)
    return f"{ident}\t{label} {start} {end}\t{TEXT[start:end]}"


# Nested spans (OCC > NORP, ORG > GPE, MONEY-free DATE), relations with BRAT's trailing tab,
# interleaved T/R lines, a note, an attribute, and a relation written before one of its arguments.
RICH_ANN = (
    "\n".join(
        [
            _t("T1", "OCC", "وزير الص\u0651حة المصري"),
            _t("T2", "NORP", "المصري"),
            _t("T3", "PERS", "خالد عبد الغفار"),
            "R1\tHAS_ROLE Arg1:T3 Arg2:T1\t",
            _t("T4", "ORG", "جامعة القاهرة"),
            _t("T5", "GPE", "القاهرة"),
            "#1\tAnnotatorNotes T4\tthe university, not the city",
            "R2\tLOCATED_IN Arg1:T4 Arg2:T5",
            _t("T6", "DATE", "5 مايو 2023"),
            "R3\tMEMBER_OF Arg1:T7 Arg2:T8\t",
            _t("T7", "GPE", "مصر"),
            _t("T8", "ORG", "جامعة الدول العربية"),
            "A1\tUncertain T8",
        ]
    )
    + "\n"
)


def write_pair(directory: Path, stem: str, text: str, ann: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{stem}.txt").write_bytes(text.encode("utf-8"))
    (directory / f"{stem}.ann").write_bytes(ann.encode("utf-8"))
    return directory


@pytest.fixture
def rich_dir(tmp_path: Path) -> Path:
    return write_pair(tmp_path / "rich", "doc1", TEXT, RICH_ANN)


# --------------------------------------------------------------------------- reading


def test_parse_rich_fixture() -> None:
    parsed = parse_ann(RICH_ANN, TEXT, doc_id="doc1", file="doc1.ann")
    assert [p for p in parsed.problems if p.is_error] == []
    doc = parsed.document
    assert list(doc.entities) == ["T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8"]
    assert list(doc.relations) == ["R1", "R2", "R3"]
    assert doc.entities["T1"] == Span(*_at("وزير الص\u0651حة المصري"), "OCC")
    assert doc.entities["T1"].contains(doc.entities["T2"])
    assert doc.relations["R3"] == Relation("MEMBER_OF", doc.entities["T7"], doc.entities["T8"])
    assert parsed.where["R2"] == (8, "")
    # the attribute is kept but not scored: a warning says so
    warnings = [p for p in parsed.problems if not p.is_error]
    assert [(w.line, w.message) for w in warnings] == [
        (13, "attribute 'Uncertain' is kept in the document metadata but not scored")
    ]


def test_read_corpus_directory_single_pair_and_jsonl(rich_dir: Path, tmp_path: Path) -> None:
    write_pair(rich_dir, "doc0", "نص بلا كيانات.", "")
    docs = read_corpus(rich_dir)
    assert [d.id for d in docs] == ["doc0", "doc1"]  # sorted by id
    assert docs[0].entities == {}
    assert read_corpus(rich_dir / "doc1.ann")[0] == docs[1]
    assert read_corpus(rich_dir / "doc1.txt")[0] == docs[1]
    jsonl = write_jsonl(docs, tmp_path / "c.jsonl")
    assert read_corpus(jsonl) == docs


def test_text_read_exactly_without_newline_translation(tmp_path: Path) -> None:
    # A lone CR is not a line break for BRAT offsets; the reader must not translate it.
    text = "سطر\rثان"
    write_pair(tmp_path, "d", text, f"T1\tGPE 4 7\t{text[4:7]}\n")
    (doc,) = read_corpus(tmp_path)
    assert doc.text == text
    assert doc.entities["T1"] == Span(4, 7, "GPE")


def test_read_corpus_raises_listing_every_problem(tmp_path: Path) -> None:
    write_pair(tmp_path, "d", "abc def", "T1\tPERS 0 3\txyz\nT2\tPERSON 4 7\tdef\n")
    with pytest.raises(AnnotationError) as info:
        read_corpus(tmp_path)
    message = str(info.value)
    assert "has 2 problems" in message
    assert f"{tmp_path / 'd.ann'}:1: field 'text': text column differs from the text at 0-3 ('abc')" in message
    assert f"{tmp_path / 'd.ann'}:2: field 'type': unknown entity type (got 'PERSON')" in message
    assert [p.line for p in info.value.problems] == [1, 2]


# --------------------------------------------------------------------------- exact round trips


def test_brat_round_trip_is_byte_identical(rich_dir: Path, tmp_path: Path) -> None:
    (doc,) = read_corpus(rich_dir)
    assert format_ann(doc) == RICH_ANN
    txt, ann = write_brat(doc, tmp_path / "out")
    assert ann.read_bytes() == (rich_dir / "doc1.ann").read_bytes()
    assert txt.read_bytes() == (rich_dir / "doc1.txt").read_bytes()


def test_brat_jsonl_brat_is_byte_identical(rich_dir: Path, tmp_path: Path) -> None:
    docs = read_corpus(rich_dir)
    path = write_jsonl(docs, tmp_path / "rich.jsonl")
    back = read_corpus(path)
    assert back == docs
    assert [dict(d.metadata) for d in back] == [dict(d.metadata) for d in docs]
    write_brat(back[0], tmp_path / "again")
    for suffix in (".txt", ".ann"):
        assert (tmp_path / "again" / f"doc1{suffix}").read_bytes() == (rich_dir / f"doc1{suffix}").read_bytes()


@pytest.mark.parametrize(
    "ann",
    [
        "",  # no annotations
        "T1\tPERS 4 8\tوزير",  # no final newline
        "T1\tPERS 4 8\tوزير\n\nT2\tORG 39 44\tجامعة\n",  # a blank line
        "R1\tHAS_ROLE Arg1:T2 Arg2:T1\nT1\tOCC 4 8\tوزير\nT2\tPERS 23 27\tخالد\n",  # relation first
        "*\tEquiv T1 T2\nT1\tGPE 45 52\tالقاهرة\nT2\tGPE 45 52\tالقاهرة\nN1\tReference T1 Wikidata:Q85\tCairo\n",
    ],
)
def test_layouts_round_trip(ann: str, tmp_path: Path) -> None:
    text = TEXT
    assert text[4:8] == "وزير" and text[23:27] == "خالد" and text[39:44] == "جامعة" and text[45:52] == "القاهرة"
    # a duplicate identical span is invalid, so parse without validation here
    parsed = parse_ann(ann, text, doc_id="d")
    assert all(not p.is_error for p in parsed.problems), parsed.problems
    assert format_ann(parsed.document) == ann
    (again,), problems = parse_jsonl(format_jsonl([parsed.document]))
    assert problems == []
    assert format_ann(again.document) == ann


def _round_trip(corpus: Path, tmp_path: Path) -> None:
    docs = read_corpus(corpus)
    path = write_jsonl(docs, tmp_path / "corpus.jsonl")
    for doc in read_corpus(path):
        txt, ann = write_brat(doc, tmp_path / "brat")
        assert ann.read_bytes() == (corpus / f"{doc.id}.ann").read_bytes()
        assert txt.read_bytes() == (corpus / f"{doc.id}.txt").read_bytes()


def test_gold_round_trip_when_present(tmp_path: Path) -> None:
    if not GOLD_ANN.exists():
        pytest.skip(f"{GOLD_ANN} has not landed yet (annotators are making it); this test runs once it exists")
    _round_trip(GOLD, tmp_path)


@pytest.mark.parametrize("annotation_pass", sorted(p.name for p in PASSES.glob("*") if p.is_dir()) or ["none"])
def test_annotation_passes_round_trip(annotation_pass: str, tmp_path: Path) -> None:
    if not (PASSES / annotation_pass).is_dir():
        pytest.skip(f"no annotation passes under {PASSES} yet")
    _round_trip(PASSES / annotation_pass, tmp_path)


# --------------------------------------------------------------------------- writing documents built in code


def test_format_ann_default_layout() -> None:
    text = "التقى خالد في عمان"
    pers, gpe = Span(6, 10, "PERS"), Span(14, 18, "GPE")
    doc = Document("d", text, {"T1": pers, "T2": gpe}, {"R1": Relation("LOCATED_IN", gpe, gpe)})
    assert format_ann(doc) == "T1\tPERS 6 10\tخالد\nT2\tGPE 14 18\tعمان\nR1\tLOCATED_IN Arg1:T2 Arg2:T2\n"
    assert document_to_dict(doc)["relations"] == [{"id": "R1", "type": "LOCATED_IN", "arg1": "T2", "arg2": "T2"}]


@pytest.mark.parametrize(
    ("doc", "field", "fix"),
    [
        (Document("d", "ab cd", {"e1": Span(0, 2, "PERS")}), "id", "use ids like T1, T2"),
        (Document("d", "ab\ncd", {"T1": Span(0, 5, "PERS")}), "entities.T1", "split the span at the line break"),
        (
            Document(
                "d", "ab cd", {"T1": Span(0, 2, "PERS")}, {"R1": Relation("X", Span(0, 2, "PERS"), Span(3, 5, "O"))}
            ),
            "relations.R1",
            "add the span to the document's entities",
        ),
        (Document("a/b", "ab", {}), "id", "use an id without path separators"),
    ],
)
def test_writing_unrepresentable_documents_raises(doc: Document, field: str, fix: str, tmp_path: Path) -> None:
    with pytest.raises(ConversionError) as info:
        write_brat(doc, tmp_path)
    assert info.value.field == field
    assert fix in str(info.value)


def test_jsonl_metadata_must_be_json() -> None:
    doc = Document("d", "x", {}, {}, {"when": object()})
    with pytest.raises(ConversionError, match="cannot be written as JSON"):
        format_jsonl([doc])


# --------------------------------------------------------------------------- robustness (Hypothesis)

ANN_LINE = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda k, t, a, b, s: f"{k}\t{t} {a} {b}\t{s}",
        st.sampled_from(["T1", "T2", "T", "R1", "#1", "A1", "E1", "*", "N1", "X"]),
        st.sampled_from(["PERS", "ORG", "", "Arg1:T1", "AnnotatorNotes"]),
        st.one_of(st.integers(-3, 30).map(str), st.text(max_size=3)),
        st.one_of(st.integers(-3, 30).map(str), st.text(max_size=3), st.just("Arg2:T2")),
        st.text(max_size=6),
    ),
    st.builds(
        lambda r, a, b, tail: f"R{r}\tHAS_ROLE Arg1:{a} Arg2:{b}{tail}",
        st.integers(0, 3),
        st.sampled_from(["T1", "T2", "R1", "", "T9"]),
        st.sampled_from(["T1", "T2", "R1", "", "T9"]),
        st.sampled_from(["", "\t", "\tx", " "]),
    ),
)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=30), lines=st.lists(ANN_LINE, max_size=8), final=st.booleans())
def test_parse_ann_never_raises_on_arbitrary_lines(text: str, lines: list[str], final: bool) -> None:
    ann = "\n".join(lines) + ("\n" if final else "")
    parsed = parse_ann(ann, text, doc_id="d", file="d.ann")
    for problem in parsed.problems:
        assert str(problem)
    if parsed.ok:
        # what parses cleanly is written back identically
        assert format_ann(parsed.document) == ann.removeprefix("\ufeff")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(txt=st.binary(max_size=60), ann=st.one_of(st.binary(max_size=120), ANN_LINE.map(str.encode)))
def test_reader_and_validator_only_raise_benchmark_errors(txt: bytes, ann: bytes, tmp_path: Path) -> None:
    (tmp_path / "d.txt").write_bytes(txt)
    (tmp_path / "d.ann").write_bytes(ann)
    report = validate(tmp_path)
    assert report.ok == (not [p for p in report.problems if p.is_error])
    try:
        read_corpus(tmp_path)
    except BenchmarkError:
        pass
    (tmp_path / "c.jsonl").write_bytes(ann)  # the same bytes as a JSONL file
    for problem in validate(tmp_path / "c.jsonl").problems:
        assert str(problem)


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(
        st.one_of(
            st.text(max_size=30),
            st.recursive(
                st.none() | st.booleans() | st.integers(-2, 40) | st.text(max_size=5),
                lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
                max_leaves=12,
            ).map(lambda v: __import__("json").dumps(v)),
            st.fixed_dictionaries(
                {
                    "id": st.text(max_size=3),
                    "text": st.text(max_size=20),
                    "entities": st.lists(
                        st.fixed_dictionaries(
                            {
                                "id": st.sampled_from(["T1", "T2"]),
                                "start": st.integers(-1, 25),
                                "end": st.integers(-1, 25),
                                "type": st.sampled_from(["PERS", "GPE", ""]),
                                "text": st.text(max_size=4),
                            }
                        ),
                        max_size=3,
                    ),
                    "relations": st.lists(
                        st.fixed_dictionaries(
                            {
                                "id": st.just("R1"),
                                "type": st.just("LOCATED_IN"),
                                "arg1": st.sampled_from(["T1", "T2", 3]),
                                "arg2": st.sampled_from(["T1", "T2"]),
                            }
                        ),
                        max_size=2,
                    ),
                }
            ).map(lambda v: __import__("json").dumps(v, ensure_ascii=False)),
        ),
        max_size=4,
    )
)
def test_jsonl_parser_never_raises(lines: list[str]) -> None:
    docs, problems = parse_jsonl("\n".join(lines), file="x.jsonl")
    for parsed in docs:
        if parsed.ok:
            (again,), more = parse_jsonl(format_jsonl([parsed.document]))
            assert again.document == parsed.document and more == []
    assert all(str(p) for p in problems)


def test_annotation_conf_lists_the_schema() -> None:
    from arabench.annotations.brat import annotation_conf
    from arabench.annotations.schema import default_schema

    schema = default_schema()
    sections: dict[str, list[str]] = {}
    current = None
    for line in annotation_conf().splitlines():
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif line and not line.startswith("#") and current is not None:
            current.append(line)
    assert sections["entities"] == list(schema.entity_types)
    relations = {}
    equiv = []
    for line in sections["relations"]:
        name, args = line.split("\t")
        arg1, arg2 = (part.split(":")[1] for part in args.split(", ")[:2])
        if name == "Equiv":
            equiv.append((set(arg1.split("|")), set(arg2.split("|"))))
        else:
            relations[name] = (set(arg1.split("|")), set(arg2.split("|")))
    assert relations.pop("<OVERLAP>") == ({"<ENTITY>"}, {"<ENTITY>"})
    # the entity layer (coreference): no value type, one line per group of types that may corefer
    assert ({"PERS"}, {"PERS"}) in equiv and ({"GPE", "NORP"}, {"GPE", "NORP"}) in equiv
    assert not any("DATE" in a1 | a2 or "CARDINAL" in a1 | a2 for a1, a2 in equiv)
    assert relations == {name: (set(r.arg1), set(r.arg2)) for name, r in schema.relation_types.items()}
