"""CoNLL reading and writing, and the pure BIO <-> span functions."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.metrics.sequence_labeling import get_entities

from arabench.annotations.conll import (
    bio_to_spans,
    conll_export,
    document_to_conll,
    read_conll,
    read_conll_sentences,
    spans_to_bio,
    write_conll,
)
from arabench.annotations.errors import AnnotationError, ConversionError, SchemaError
from arabench.annotations.schema import default_schema
from arabench.annotations.spans import Document, Relation, Span, outermost
from arabench.annotations.tags import decode, encode
from arabench.annotations.tokenize import WordIndex, snap_span, word_offsets

GOLD = Path(__file__).resolve().parents[1] / "annotations" / "gold"
GOLD_TXT = GOLD / "000_c51be66d53f8d476.txt"
GOLD_ANN = GOLD / "000_c51be66d53f8d476.ann"

# "The Jordanian minister of health Khalid Saleh visited Amman. He met 3.5 thousand citizens!\nThen he returned."
# (general text; "وزير" carries a shadda written as an escape in "الصحّة").
RICH_TEXT = "زار وزير الصح\u0651ة الأردني خالد صالح عم\u0651ان. والتقى 3.5 ألف مواطن!\nثم عاد إلى بيروت، وقال: «شكراً»."


def _find(text: str, needle: str, label: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return Span(start, start + len(needle), label)


def rich_document() -> Document:
    t = RICH_TEXT
    occ = _find(t, "وزير الصح\u0651ة الأردني", "OCC")
    pers = _find(t, "خالد صالح", "PERS")
    gpe_in_occ = _find(t, "الأردني", "NORP")
    amman = _find(t, "عم\u0651ان", "GPE")
    card = _find(t, "3.5 ألف", "CARDINAL")
    beirut = _find(t, "بيروت", "GPE")
    entities = {"T1": occ, "T2": gpe_in_occ, "T3": pers, "T4": amman, "T5": card, "T6": beirut}
    relations = {"R1": Relation("HAS_ROLE", pers, occ)}
    return Document("rich", t, entities, relations, {"source": "fixture"})


# --------------------------------------------------------------------------- pure functions

TAGS = st.lists(
    st.sampled_from(["O", "O", "B-PER", "I-PER", "B-LOC", "I-LOC", "I-ORG"]),
    max_size=30,
)


@given(TAGS)
@settings(max_examples=300, deadline=None)
def test_bio_to_spans_matches_seqeval_default_mode(tags: list[str]) -> None:
    offsets = [(2 * i, 2 * i + 1) for i in range(len(tags))]
    expected = sorted(Span(2 * s, 2 * e + 1, label) for label, s, e in get_entities(tags))
    assert sorted(bio_to_spans(tags, offsets)) == expected


@pytest.mark.parametrize("scheme", ["BIO2", "IOB1", "IOE1", "IOE2", "BIOES", "BILOU"])
@given(data=st.data())
@settings(max_examples=80, deadline=None)
def test_encode_then_decode_is_identity(scheme: str, data: st.DataObject) -> None:
    n = data.draw(st.integers(0, 20))
    cuts = sorted(data.draw(st.sets(st.integers(0, n), max_size=12)))
    entities = []
    for a, b in itertools.pairwise(cuts):
        if a < b and data.draw(st.booleans()):
            entities.append((a, b, data.draw(st.sampled_from(["PER", "LOC"]))))
    tags = encode(entities, n, scheme=scheme)
    assert decode(tags, scheme=scheme).entities == entities


@pytest.mark.parametrize(
    ("scheme", "tags", "entities"),
    [
        ("BIO2", ["B-PER", "I-PER", "O", "B-LOC"], [(0, 2, "PER"), (3, 4, "LOC")]),
        ("BIO2", ["B-PER", "B-PER"], [(0, 1, "PER"), (1, 2, "PER")]),
        ("IOB1", ["I-PER", "I-PER", "B-PER", "O"], [(0, 2, "PER"), (2, 3, "PER")]),
        ("IOE2", ["I-PER", "E-PER", "E-PER"], [(0, 2, "PER"), (2, 3, "PER")]),
        ("IOE1", ["I-PER", "E-PER", "I-PER"], [(0, 2, "PER"), (2, 3, "PER")]),
        ("BIOES", ["S-PER", "B-LOC", "I-LOC", "E-LOC"], [(0, 1, "PER"), (1, 4, "LOC")]),
        ("BILOU", ["U-PER", "B-LOC", "L-LOC", "O"], [(0, 1, "PER"), (1, 3, "LOC")]),
        ("IOBES", ["S-PER"], [(0, 1, "PER")]),
        ("IO", ["PERS", "PERS", "O", "LOC", "B-X"], [(0, 2, "PERS"), (3, 4, "LOC"), (4, 5, "B-X")]),
    ],
)
def test_decode_known_sequences(scheme: str, tags: list[str], entities: list[tuple[int, int, str]]) -> None:
    assert decode(tags, scheme=scheme).entities == entities
    assert encode(entities, len(tags), scheme=scheme) == tags


def test_spans_to_bio_tags_overlapping_words() -> None:
    text = "وبالكويت مدينة جميلة"
    offsets = word_offsets(text)
    # A span on "الكويت" inside the word "وبالكويت" tags the whole word.
    assert spans_to_bio([Span(3, 8, "GPE")], offsets) == ["B-GPE", "O", "O"]
    assert spans_to_bio([Span(0, 14, "GPE")], offsets) == ["B-GPE", "I-GPE", "O"]
    assert bio_to_spans(["B-GPE", "I-GPE", "O"], offsets) == [Span(0, 14, "GPE")]


@pytest.mark.parametrize(
    ("spans", "message"),
    [
        ([Span(0, 3, "A"), Span(4, 8, "B")], "two spans share a token and cannot both be tagged"),
        ([Span(0, 8, "A"), Span(0, 8, "B")], "Span(start=0, end=8, label='A') and Span(start=0, end=8, label='B')"),
        ([Span(8, 9, "A")], "span covers no token"),
    ],
)
def test_spans_to_bio_refuses_shared_tokens(spans: list[Span], message: str) -> None:
    with pytest.raises(ConversionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        spans_to_bio(spans, word_offsets("وبالكويت مدينة"))


def test_bio_to_spans_length_mismatch() -> None:
    with pytest.raises(ConversionError, match="2 tags for 1 words"):
        bio_to_spans(["O", "O"], [(0, 1)])


# --------------------------------------------------------------------------- export


def test_export_rich_document_exact_lines_and_losses() -> None:
    export = conll_export(rich_document())
    body = export.text.split("\n")
    assert body[:3] == ["-DOCSTART-\tO", "# id = rich", ""]
    tokens = [line for line in body[3:]]
    assert tokens[:8] == [
        "زار\tO",
        "وزير\tB-OCC",
        "الصح\u0651ة\tI-OCC",
        "الأردني\tI-OCC",
        "خالد\tB-PERS",
        "صالح\tI-PERS",
        "عم\u0651ان\tB-GPE",
        ".\tO",
    ]
    # sentence break after "." followed by a space; "3.5" stays in one sentence; break at the newline
    assert tokens[8] == ""
    assert "3\tB-CARDINAL" in tokens and ".\tI-CARDINAL" in tokens and "5\tI-CARDINAL" in tokens
    assert tokens[tokens.index("!\tO") + 1] == ""
    assert (export.tokens, export.sentences, export.flat_spans) == (len(word_offsets(RICH_TEXT)), 3, 5)
    assert (export.nested_spans, export.relations, export.widened) == (1, 1, 0)


def test_write_conll_reports_what_it_leaves_out(tmp_path: Path) -> None:
    report = write_conll([rich_document(), rich_document()], tmp_path / "out.conll")
    assert report.losses() == ["CoNLL keeps the flat layer: 2 nested spans and 2 relations are not in this file"]
    assert (tmp_path / "out.conll").read_text(encoding="utf-8").count("-DOCSTART-") == 2


def test_export_counts_widened_spans() -> None:
    text = "وبالكويت جامعة"
    doc = Document("w", text, {"T1": Span(3, 8, "GPE")})
    export = conll_export(doc)
    assert export.widened == 1
    assert "وبالكويت\tB-GPE" in export.text


def test_export_sentence_never_breaks_inside_a_span() -> None:
    text = "جامعة الملك.\nسعود تقع هنا"
    doc = Document("s", text, {"T1": Span(0, 17, "ORG")})
    lines = document_to_conll(doc).split("\n")
    assert lines[3:9] == ["جامعة\tB-ORG", "الملك\tI-ORG", ".\tI-ORG", "سعود\tI-ORG", "", "تقع\tO"]


@pytest.mark.parametrize(
    ("entities", "message"),
    [
        ({"T1": Span(0, 3, "GPE"), "T2": Span(4, 8, "GPE")}, "document 'x': two spans share a token"),
        ({"T1": Span(0, 8, "GPE"), "T2": Span(0, 8, "ORG")}, "two spans share a token"),
        ({"T1": Span(0, 12, "ORG"), "T2": Span(9, 14, "LOC")}, "two spans share a token"),
    ],
)
def test_export_refuses_spans_sharing_a_token(entities: dict[str, Span], message: str) -> None:
    with pytest.raises(ConversionError, match=message):
        conll_export(Document("x", "وبالكويت جامعة", entities))


def _snapped_flat(doc: Document) -> list[Span]:
    index = WordIndex.of(doc.text)
    return sorted({snap_span(s, index) for s in outermost(doc.entities.values())})  # type: ignore[misc]


def test_export_then_import_with_text_gives_snapped_flat_spans() -> None:
    doc = rich_document()
    back = read_conll(document_to_conll(doc), text=doc.text)
    assert len(back) == 1
    assert back[0].id == "rich" and back[0].text == doc.text
    assert sorted(back[0].entities.values()) == _snapped_flat(doc)
    assert "conll_repairs" not in back[0].metadata


def test_export_then_import_without_text_rebuilds_text() -> None:
    doc = rich_document()
    back = read_conll(document_to_conll(doc))[0]
    assert back.text.split("\n")[0].startswith("زار وزير الصح\u0651ة الأردني خالد صالح عم\u0651ان .")
    assert [s.text_in(back.text) for s in back.spans] == [
        "وزير الصح\u0651ة الأردني",
        "خالد صالح",
        "عم\u0651ان",
        "3 . 5 ألف",
        "بيروت",
    ]


@pytest.mark.skipif(not GOLD_ANN.exists(), reason="the gold annotation (000_c51be66d53f8d476.ann) has not landed yet")
def test_gold_exports_and_reimports_to_its_snapped_flat_layer() -> None:
    from arabench.annotations.corpus import read_corpus

    (doc,) = [d for d in read_corpus(GOLD) if d.id == GOLD_TXT.stem]
    export = conll_export(doc)
    assert export.nested_spans == len(doc.entities) - len(doc.flat_spans)
    assert export.relations == len(doc.relations)
    back = read_conll(export.text, text=doc.text)[0]
    assert sorted(back.entities.values()) == _snapped_flat(doc)


# --------------------------------------------------------------------------- import


def test_read_sentences_lines_extra_columns_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "x.conll"
    path.write_text(
        "# corpus header\n-DOCSTART- -X- O\n\nقال NN O\nنجيب NNP B-PERS\n\n# a note\n# PU O\nمحفوظ NNP I-PERS\n",
        encoding="utf-8",
    )
    sentences = read_conll_sentences(path)
    assert [s.tokens for s in sentences] == [("قال", "نجيب"), ("#", "محفوظ")]
    assert sentences[0].lines == (4, 5)
    assert sentences[0].extra == (("NN",), ("NNP",))
    assert sentences[0].comments == ("# corpus header",)
    # "# PU O" is the token "#" tagged O (three columns, like the file's token lines)
    assert sentences[1].comments == ("# a note",)
    assert sentences[1].lines == (8, 9)
    (doc,) = read_conll(path)
    assert doc.id == "x"
    assert doc.metadata["conll_comments"] == ["# corpus header", "# a note"]
    assert doc.metadata["conll_repairs"] == [{"line": 9, "token": "محفوظ", "tag": "I-PERS", "read_as": "B-PERS"}]


def test_hash_token_line_in_space_separated_file() -> None:
    (sentence,) = read_conll_sentences("a O\n# O\nb O\n")
    assert sentence.tokens == ("a", "#", "b")


def test_tab_separated_tokens_may_hold_spaces_and_crlf() -> None:
    (sentence,) = read_conll_sentences("a b\tO\r\n#\tB-X\r\n")
    assert sentence.tokens == ("a b", "#")
    assert sentence.tags == ("O", "B-X")


def test_several_documents_and_ids() -> None:
    content = "-DOCSTART-\tO\n# id = first\n\na\tB-X\n\n-DOCSTART-\tO\n\nb\tO\n\n-DOCSTART-\tO\n# id = empty\n\n"
    docs = read_conll(content, doc_id="base")
    assert [d.id for d in docs] == ["first", "base-2", "empty"]
    assert docs[2].text == "" and not docs[2].entities
    with pytest.raises(AnnotationError, match="text= is one string but the file holds 3 documents"):
        read_conll(content, text="a")
    mapped = read_conll(content, doc_id="base", text={"first": " a ", "base-2": "b", "empty": ""})
    assert mapped[0].entities == {"T1": Span(1, 2, "X")}


@pytest.mark.parametrize(
    ("content", "scheme", "spans", "repairs"),
    [
        ("a\tO\nb\tI-PER\nc\tI-PER\n", "BIO2", [(2, 5, "PER")], [(2, "I-PER", "B-PER")]),
        ("a\tB-PER\nb\tI-LOC\n", "BIO2", [(0, 1, "PER"), (2, 3, "LOC")], [(2, "I-LOC", "B-LOC")]),
        ("a\tB-PER\nb\tI-PER\n", "BIO2", [(0, 3, "PER")], []),
        ("a\tB-PER\nb\tO\n", "IOB1", [(0, 1, "PER")], [(1, "B-PER", "I-PER")]),
        ("a\tB-PER\nb\tO\n", "BIOES", [(0, 1, "PER")], [(1, "B-PER", "S-PER")]),
        ("a\tI-PER\nb\tI-PER\n", "IOE2", [(0, 3, "PER")], [(2, "I-PER", "E-PER")]),
        ("a\tB-PER\nb\tU-PER\n", "BILOU", [(0, 1, "PER"), (2, 3, "PER")], [(1, "B-PER", "U-PER")]),
    ],
)
def test_ill_formed_sequences_are_repaired_and_counted(
    content: str, scheme: str, spans: list[tuple[int, int, str]], repairs: list[tuple[int, str, str]]
) -> None:
    (doc,) = read_conll(content, scheme=scheme)
    assert sorted(doc.entities.values()) == [Span(*s) for s in spans]
    got = [(r["line"], r["tag"], r["read_as"]) for r in doc.metadata.get("conll_repairs", [])]
    assert got == repairs


@pytest.mark.parametrize(
    ("content", "kwargs", "message"),
    [
        ("a\tB-\n", {}, "line 1: field 'tag': malformed tag for scheme BIO2 (got 'B-'); fix: add the entity type"),
        ("a\tX-PER\n", {}, "line 1: field 'tag': malformed tag for scheme BIO2 (got 'X-PER'); fix: use O or B/I"),
        ("a\tO\nb\t\n", {}, "line 2: field 'tag': malformed tag for scheme BIO2 (got ''); fix: give every token"),
        ("a\tS-PER\n", {}, "(got 'S-PER'); fix: prefix 'S' is not part of BIO2: pass the file's scheme"),
        ("a\tPER\n", {}, "(got 'PER'); fix: use O or B/I-TYPE (e.g. B-PERS)"),
        ("a\tO\nlonely\n\n", {}, "line 2: field 'tag': a token line needs a token and a tag (got 'lonely')"),
        ("a\t\tO\n", {}, "line 1: field 'columns': empty column (two separators in a row)"),
        ("\tO\n", {}, "line 1: field 'token': empty token"),
        ("a\tB-PER\n", {"labels": ["LOC"]}, "line 1: field 'tag': unknown label (got 'B-PER'); fix: use one of LOC"),
        ("a\tO\n", {"scheme": "XYZ"}, "field 'scheme': unknown tagging scheme (got 'XYZ')"),
    ],
)
def test_parse_errors_name_line_field_value_and_fix(content: str, kwargs: dict, message: str) -> None:
    with pytest.raises((AnnotationError, ConversionError)) as info:
        read_conll_sentences(content, **kwargs)
    assert message in str(info.value)


def test_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.conll"
    path.write_text("a\tO\nb\tB-\n", encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"bad\.conll:2: field 'tag': malformed tag"):
        read_conll(path)
    with pytest.raises(AnnotationError, match=r"missing\.conll: cannot read CoNLL file"):
        read_conll(tmp_path / "missing.conll")
    (tmp_path / "latin.conll").write_bytes("a\tO\nb\xe9\tO\n".encode("latin-1"))
    with pytest.raises(AnnotationError, match="not UTF-8 at byte offset 5"):
        read_conll(tmp_path / "latin.conll")


def test_schema_validation_suggests_a_type() -> None:
    with pytest.raises(SchemaError, match="line 1: field 'type': unknown entity type \\(got 'PER'\\)"):
        read_conll_sentences("a\tB-PER\n", schema=default_schema())
    assert read_conll_sentences("a\tB-PERS\n", schema=default_schema())[0].tags == ("B-PERS",)


def test_alignment_error_names_line_and_token() -> None:
    with pytest.raises(AnnotationError, match="line 2: field 'token': token not found in the raw text at offset 4"):
        read_conll("قال\tO\nسعيد\tB-PERS\n", text="قال محمد")
    with pytest.raises(AnnotationError, match="the raw text goes on after the last token"):
        read_conll("قال\tO\n", text="قال محمد")


# --------------------------------------------------------------------------- property

ARABIC_WORDS = ["كتب", "الولد", "وبالمدرسة", "مصر", "عم\u0651ان", "3", "٢٠٢٤", "ـالـ"]
PUNCT = [".", "،", "؟", "!", "«", "»", ":"]


@st.composite
def texts_and_spans(draw: st.DrawFn) -> tuple[str, list[Span]]:
    pieces = draw(st.lists(st.sampled_from(ARABIC_WORDS + PUNCT), min_size=1, max_size=25))
    seps = draw(st.lists(st.sampled_from(["", " ", " ", "  ", "\n"]), min_size=len(pieces), max_size=len(pieces)))
    text = "".join(p + s for p, s in zip(pieces, seps, strict=True))
    n = len(text)
    raw = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, 8)), max_size=8))
    spans: list[Span] = []
    for start, length in raw:
        end = min(n, start + length)
        if not text[start:end].strip():
            continue
        candidate = Span(start, end, draw(st.sampled_from(["PERS", "GPE", "ORG"])))
        if any(candidate.crosses(s) for s in spans):
            continue
        spans.append(candidate)
    return text, spans


@given(texts_and_spans())
@settings(max_examples=200, deadline=None)
def test_property_conll_round_trip_gives_snapped_outermost(case: tuple[str, list[Span]]) -> None:
    text, spans = case
    doc = Document("p", text, {f"T{i + 1}": s for i, s in enumerate(spans)})
    index = WordIndex.of(text)
    flat = outermost(spans)
    token_sets = [index.token_range(s.start, s.end) for s in flat]
    shares = any(
        a is None or (b is not None and a[0] < b[1] and b[0] < a[1])
        for i, a in enumerate(token_sets)
        for b in token_sets[i + 1 :]
    ) or any(a is None for a in token_sets)
    if shares:
        with pytest.raises(ConversionError):
            document_to_conll(doc)
        return
    back = read_conll(document_to_conll(doc), text=text)[0]
    assert back.text == text
    assert sorted(back.entities.values()) == sorted(snap_span(s, index) for s in flat)  # type: ignore[type-var]


def test_conll2003_docstart_and_hash_token_with_extra_columns() -> None:
    content = "-DOCSTART- -X- -X- O\n\na NN B-X\n# NN O\n# note here\nb NN O\n"
    sentences = read_conll_sentences(content)
    assert [s.tokens for s in sentences] == [("a", "#"), ("b",)]
    assert sentences[1].comments == ("# note here",)
    tabbed = "-DOCSTART- -X- -X- O\n\na\tB-X\n\n-DOCSTART- -X- -X- O\n\nb\tO\n"
    assert [d.id for d in read_conll(tabbed)] == ["doc", "doc-2"]


def test_export_without_comments() -> None:
    doc = Document("no-ids", "قال محمد", {"T1": Span(4, 8, "PERS")}, {}, {"conll_comments": ["# kept"]})
    plain = document_to_conll(doc, comments=False)
    assert plain == "-DOCSTART-\tO\n\nقال\tO\nمحمد\tB-PERS\n\n"
    assert "# kept" in document_to_conll(doc)


def test_write_conll_states_ids_not_written(tmp_path: Path) -> None:
    doc = Document("x", "قال محمد", {"T1": Span(4, 8, "PERS")})
    report = write_conll([doc], tmp_path / "x.conll", comments=False)
    assert report.losses() == ["document ids and comments are not written (comments turned off)"]
