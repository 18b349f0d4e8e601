"""The format registry, convert() and `arabench convert`."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arabench.annotations.convert import ConversionReport, convert
from arabench.annotations.errors import AnnotationError, ConversionError
from arabench.annotations.formats import FORMATS, get_format, infer_format, read_documents
from arabench.annotations.jsonl import format_jsonl, parse_jsonl, write_jsonl
from arabench.annotations.spans import Document, Relation, Span
from arabench.annotations.tokenize import WordIndex, snap_span
from arabench.benchmark.cli import main as cli

GOLD = Path(__file__).resolve().parents[1] / "annotations" / "gold"
GOLD_ANN = GOLD / "000_c51be66d53f8d476.ann"

# "The Egyptian foreign minister met the head of the Arab League in Cairo." (general text)
TEXT = "التقى وزير الخارجية المصري بأمين عام جامعة الدول العربية في القاهرة.\nوقال إن اللقاء كان مثمراً."


def _span(needle: str, label: str) -> Span:
    start = TEXT.index(needle)
    return Span(start, start + len(needle), label)


def corpus() -> list[Document]:
    occ = _span("وزير الخارجية المصري", "OCC")
    norp = _span("المصري", "NORP")
    sg = _span("أمين عام جامعة الدول العربية", "OCC")
    league = _span("جامعة الدول العربية", "ORG")
    cairo = _span("القاهرة", "GPE")
    doc = Document(
        "doc-a",
        TEXT,
        {"T1": occ, "T2": norp, "T3": sg, "T4": league, "T5": cairo},
        {"R1": Relation("AFFILIATED_WITH", sg, league)},
    )
    other = Document("doc-b", "زار الملك عبدالله عم\u0651ان", {"T1": Span(10, 17, "PERS")})
    return [doc, other]


@pytest.fixture
def jsonl_corpus(tmp_path: Path) -> Path:
    return write_jsonl(corpus(), tmp_path / "corpus.jsonl")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("x.jsonl", "jsonl"),
        ("x.conll", "conll"),
        ("x.iob", "conll"),
        ("x.tsv", "conll"),
        ("x.TXT", "conll"),
        ("x.json", "labelstudio"),
        ("x.ann", "brat"),
    ],
)
def test_infer_format_by_suffix(tmp_path: Path, name: str, expected: str) -> None:
    assert infer_format(tmp_path / name) == expected


def test_infer_format_by_content(tmp_path: Path, jsonl_corpus: Path) -> None:
    convert(jsonl_corpus, tmp_path / "brat", dst_format="brat")
    assert infer_format(tmp_path / "brat") == "brat"
    assert infer_format(tmp_path / "brat" / "doc-a.txt") == "brat"  # a .txt with its .ann
    convert(jsonl_corpus, tmp_path / "ds", dst_format="hf")
    assert infer_format(tmp_path / "ds") == "hf"
    with pytest.raises(ConversionError, match="cannot tell the format of a destination without a suffix"):
        infer_format(tmp_path / "new", for_writing=True)
    with pytest.raises(ConversionError, match=r"cannot tell the format from the file name \(got '.xml'\)"):
        infer_format(tmp_path / "x.xml")


def test_unknown_format_suggests() -> None:
    with pytest.raises(ConversionError, match="did you mean 'conll'"):
        get_format("conl")
    assert list(FORMATS) == ["brat", "jsonl", "conll", "labelstudio", "hf", "xmi"]


LOSSLESS = ["brat", "jsonl", "labelstudio", "hf"]
SUFFIX = {"brat": "", "jsonl": ".jsonl", "labelstudio": ".json", "hf": ""}


@pytest.mark.parametrize(("first", "second"), list(itertools.permutations(LOSSLESS, 2)))
def test_lossless_chains_keep_every_span_and_relation(
    tmp_path: Path, jsonl_corpus: Path, first: str, second: str
) -> None:
    a = tmp_path / f"a{SUFFIX[first]}"
    b = tmp_path / f"b{SUFFIX[second]}"
    c = tmp_path / "c.jsonl"
    r1 = convert(jsonl_corpus, a, dst_format=first)
    r2 = convert(a, b, src_format=first, dst_format=second)
    r3 = convert(b, c, src_format=second)
    for report in (r1, r2, r3):
        assert report.lossless, report
        assert (report.documents, report.spans_read, report.relations_read) == (2, 6, 1)
    back, _ = read_documents(c)
    assert sorted(back, key=lambda d: d.id) == corpus()
    for got, want in zip(sorted(back, key=lambda d: d.id), corpus(), strict=True):
        assert list(got.entities.items()) == list(want.entities.items())
        assert list(got.relations.items()) == list(want.relations.items())


def test_conll_report_states_what_is_not_kept(tmp_path: Path, jsonl_corpus: Path) -> None:
    report = convert(jsonl_corpus, tmp_path / "c.conll")
    assert isinstance(report, ConversionReport)
    assert (report.spans_read, report.spans_written, report.relations_written) == (6, 4, 0)
    assert not report.lossless
    assert report.not_kept[0] == "CoNLL keeps the flat layer: 2 nested spans and 1 relations are not in this file"
    assert "1 spans start or end inside a word" in report.not_kept[1]  # "بأمين" holds the proclitic
    text = str(report)
    assert "written: 2 document(s), 4 spans, 0 relations" in text
    # back to JSONL, aligned to the original texts: the snapped flat layer
    back = convert(tmp_path / "c.conll", tmp_path / "back.jsonl", text_from=jsonl_corpus)
    assert back.notes == []
    docs, _ = read_documents(tmp_path / "back.jsonl")
    for got, want in zip(docs, corpus(), strict=True):
        index = WordIndex.of(want.text)
        assert got.text == want.text
        assert sorted(got.entities.values()) == sorted(snap_span(s, index) for s in want.flat_spans)


def test_conll_without_text_says_the_text_is_rebuilt(tmp_path: Path, jsonl_corpus: Path) -> None:
    convert(jsonl_corpus, tmp_path / "c.conll")
    report = convert(tmp_path / "c.conll", tmp_path / "back.jsonl")
    assert report.notes == ["the text is rebuilt from the tokens (single spaces, one sentence per line)"]


def test_conll_repairs_are_reported(tmp_path: Path) -> None:
    src = tmp_path / "x.conll"
    src.write_text("قال\tO\nمحمد\tI-PERS\n\nمصر\tI-GPE\n", encoding="utf-8")
    report = convert(src, tmp_path / "x.jsonl")
    assert report.notes[0].startswith("2 tags were not well-formed BIO2 and were read with the conlleval rules")


def test_refuses_to_overwrite(tmp_path: Path, jsonl_corpus: Path) -> None:
    dst = tmp_path / "out.jsonl"
    dst.write_text("keep me\n", encoding="utf-8")
    with pytest.raises(ConversionError, match="destination exists and is not empty"):
        convert(jsonl_corpus, dst)
    assert dst.read_text(encoding="utf-8") == "keep me\n"
    convert(jsonl_corpus, dst, overwrite=True)
    assert len(read_documents(dst)[0]) == 2
    with pytest.raises(ConversionError, match="source and destination are the same path"):
        convert(jsonl_corpus, jsonl_corpus, overwrite=True)


def test_overwrite_brat_and_hf_directories(tmp_path: Path, jsonl_corpus: Path) -> None:
    brat = tmp_path / "brat"
    convert(jsonl_corpus, brat, dst_format="brat")
    (brat / "stale.txt").write_text("x", encoding="utf-8")
    (brat / "stale.ann").write_text("", encoding="utf-8")
    with pytest.raises(ConversionError, match="destination exists and is not empty"):
        convert(jsonl_corpus, brat, dst_format="brat")
    convert(jsonl_corpus, brat, dst_format="brat", overwrite=True)
    assert sorted(p.name for p in brat.iterdir()) == [
        "annotation.conf", "doc-a.ann", "doc-a.txt", "doc-b.ann", "doc-b.txt", "visual.conf"
    ]  # fmt: skip
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "notes.md").write_text("mine", encoding="utf-8")
    with pytest.raises(ConversionError, match="refusing to replace a directory that is not a saved dataset"):
        convert(jsonl_corpus, plain, dst_format="hf", overwrite=True)
    assert (plain / "notes.md").exists()


def test_options_must_apply(tmp_path: Path, jsonl_corpus: Path) -> None:
    with pytest.raises(ConversionError, match="field 'annotation_index': option does not apply when reading jsonl"):
        convert(jsonl_corpus, tmp_path / "x.json", annotation_index=0)
    with pytest.raises(ConversionError, match="field 'split': option does not apply when reading jsonl"):
        convert(jsonl_corpus, tmp_path / "x.json", split="test")
    with pytest.raises(ConversionError, match="field 'types': option does not apply when writing labelstudio"):
        convert(jsonl_corpus, tmp_path / "x.json", types=["PER"])
    assert not (tmp_path / "x.json").exists()


def test_brat_metadata_loss_is_stated(tmp_path: Path) -> None:
    doc = Document("m", "مصر", {"T1": Span(0, 3, "GPE")}, {}, {"source": "wire"})
    src = write_jsonl([doc], tmp_path / "m.jsonl")
    report = convert(src, tmp_path / "brat", dst_format="brat")
    assert report.not_kept == ["BRAT files hold no document metadata: the metadata of 1 document(s) is not written"]


def test_bad_source_raises_annotation_error(tmp_path: Path) -> None:
    src = tmp_path / "bad.conll"
    src.write_text("a\tB-\n", encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"bad\.conll:1: field 'tag'"):
        convert(src, tmp_path / "x.jsonl")
    assert not (tmp_path / "x.jsonl").exists()


def test_cli_prints_the_report_and_fails_cleanly(
    tmp_path: Path, jsonl_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["convert", str(jsonl_corpus), str(tmp_path / "c.conll")]) == 0
    out = capsys.readouterr().out
    assert "(jsonl) -> " in out and "not kept: CoNLL keeps the flat layer: 2 nested spans and 1 relations" in out
    assert cli(["convert", str(jsonl_corpus), str(tmp_path / "c.conll")]) == 2
    assert "arabench convert: error: " in capsys.readouterr().err
    assert (
        cli(["convert", str(jsonl_corpus), str(tmp_path / "ds"), "--to", "hf", "--types", "OCC,NORP,ORG,GPE,PERS"]) == 0
    )
    assert "lossless" in capsys.readouterr().out


def test_cli_help_lists_formats(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli(["convert", "--help"])
    out = capsys.readouterr().out
    for name in FORMATS:
        assert f"\n  {name} " in out
    assert "--annotation-index" in out and "--text-from" in out


@pytest.mark.skipif(not GOLD_ANN.exists(), reason="the gold annotation (000_c51be66d53f8d476.ann) has not landed yet")
@pytest.mark.parametrize("fmt", LOSSLESS)
def test_gold_round_trips_through_every_lossless_format(tmp_path: Path, fmt: str) -> None:
    mid = tmp_path / f"mid{SUFFIX[fmt]}"
    convert(GOLD, mid, dst_format=fmt)
    convert(mid, tmp_path / "back", src_format=fmt, dst_format="brat")
    assert (tmp_path / "back" / GOLD_ANN.name).read_bytes() == GOLD_ANN.read_bytes()


# --------------------------------------------------------------------------- JSON property

ALPHABET = ["ك", "ت", "ب", " ", "\u064e", "\u0651", "\U0001f600", ".", "é"]


@st.composite
def documents(draw: st.DrawFn) -> Document:
    text = "".join(draw(st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=40)))
    spans: list[Span] = []
    for _ in range(draw(st.integers(0, 8))):
        start = draw(st.integers(0, len(text) - 1))
        candidate = Span(start, draw(st.integers(start + 1, len(text))), draw(st.sampled_from(["PERS", "GPE"])))
        if candidate not in spans and not any(candidate.crosses(s) for s in spans):
            spans.append(candidate)
    relations = {}
    if len(spans) >= 2:
        for k in range(draw(st.integers(0, 3))):
            a, b = draw(st.permutations(spans))[:2]
            relations[f"R{k + 1}"] = Relation("PART_OF", a, b)
    return Document("d", text, {f"T{i + 1}": s for i, s in enumerate(spans)}, relations)


@given(documents())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_property_jsonl_round_trip_exactly(doc: Document) -> None:
    parsed, problems = parse_jsonl(format_jsonl([doc]))
    assert not [p for p in problems if p.is_error]
    (back,) = [p.document for p in parsed]
    assert back == doc
    assert list(back.entities.items()) == list(doc.entities.items())
    assert list(back.relations.items()) == list(doc.relations.items())


def test_single_ann_destination(tmp_path: Path) -> None:
    doc = Document("whatever", "زار الملك عم\u0651ان", {"T1": Span(10, 15, "GPE")})
    src = write_jsonl([doc], tmp_path / "one.jsonl")
    report = convert(src, tmp_path / "out" / "named.ann")
    assert report.lossless
    assert (tmp_path / "out" / "named.ann").read_text(encoding="utf-8") == "T1\tGPE 10 15\tعم\u0651ان\n"
    assert read_documents(tmp_path / "out" / "named.ann")[0][0].id == "named"
    (tmp_path / "other.txt").write_text("نص", encoding="utf-8")
    with pytest.raises(ConversionError, match=r"other\.txt: destination exists and is not empty"):
        convert(src, tmp_path / "other.ann")
    with pytest.raises(ConversionError, match=r"a \.ann destination holds one document, the source has 2"):
        convert(write_jsonl(corpus(), tmp_path / "two.jsonl"), tmp_path / "x.ann")


def test_predictions_and_split_options_reach_the_right_side(tmp_path: Path, jsonl_corpus: Path) -> None:
    tasks = tmp_path / "pre.json"
    convert(jsonl_corpus, tasks, predictions=True)
    assert '"predictions"' in tasks.read_text(encoding="utf-8")
    with pytest.raises(AnnotationError, match="task has no annotations; it has predictions"):
        convert(tasks, tmp_path / "x.jsonl")
    assert convert(tasks, tmp_path / "y.jsonl", predictions=True).lossless
    convert(jsonl_corpus, tmp_path / "ds", dst_format="hf", split="validation")
    assert convert(tmp_path / "ds", tmp_path / "z.jsonl", split="validation").documents == 2
    with pytest.raises(AnnotationError, match=r"no such split \(got 'test'\)"):
        convert(tmp_path / "ds", tmp_path / "w.jsonl", split="test")


def test_text_from_pairs_by_order_when_ids_differ(tmp_path: Path, jsonl_corpus: Path) -> None:
    conll = tmp_path / "system.conll"
    convert(jsonl_corpus, conll, comments=False)  # no "# id =" lines, as many systems write
    report = convert(conll, tmp_path / "aligned.jsonl", text_from=jsonl_corpus)
    assert report.notes == [
        f"the CoNLL document ids (system, system-2) are not in {jsonl_corpus}: "
        "documents were paired with its texts in order (every token checked)"
    ]
    docs, _ = read_documents(tmp_path / "aligned.jsonl")
    assert [d.id for d in docs] == ["doc-a", "doc-b"]
    assert [d.text for d in docs] == [d.text for d in corpus()]
    one = write_jsonl(corpus()[:1], tmp_path / "one.jsonl")
    with pytest.raises(AnnotationError, match=r"2 CoNLL document\(s\) have no text in .*one\.jsonl"):
        convert(conll, tmp_path / "bad.jsonl", text_from=one)
