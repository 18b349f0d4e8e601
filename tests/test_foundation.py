"""The shared foundation: spans, documents, word and sentence rules, the schema, the error format, the CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arabench.annotations.errors import AnnotationError, BenchmarkError, SchemaError
from arabench.annotations.schema import default_schema, make_view
from arabench.annotations.spans import Document, Relation, Span, outermost
from arabench.annotations.tokenize import WordIndex, sentence_ranges, snap_span, word_offsets, words
from arabench.benchmark.cli import main

# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "bad thing"),
        ({"file": "a.ann"}, "a.ann: bad thing"),
        ({"file": "a.ann", "line": 3}, "a.ann:3: bad thing"),
        ({"line": 3}, "line 3: bad thing"),
        ({"field": "type"}, "field 'type': bad thing"),
        ({"value": "PERSON"}, "bad thing (got 'PERSON')"),
        ({"value": None}, "bad thing (got None)"),
        ({"fix": "use PERS"}, "bad thing; fix: use PERS"),
        (
            {"file": "a.ann", "line": 3, "field": "type", "value": "X", "fix": "use PERS"},
            "a.ann:3: field 'type': bad thing (got 'X'); fix: use PERS",
        ),
    ],
)
def test_error_message_format(kwargs: dict, expected: str) -> None:
    err = BenchmarkError("bad thing", **kwargs)
    assert str(err) == expected
    assert isinstance(err, ValueError)


# ------------------------------------------------------------------ spans


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (5, 5, "0 <= start < end"),
        (6, 5, "0 <= start < end"),
        (-1, 5, "0 <= start < end"),
        (1.0, 5, "must be integers"),
        (True, 5, "must be integers"),
    ],
)
def test_span_rejects_bad_offsets(start: object, end: object, message: str) -> None:
    with pytest.raises(AnnotationError, match=message):
        Span(start, end, "PERS")  # type: ignore[arg-type]


def test_span_relations_between_ranges() -> None:
    org, gpe, other = Span(0, 10, "ORG"), Span(6, 10, "GPE"), Span(8, 12, "LOC")
    assert org.contains(gpe) and not gpe.contains(org)
    assert org.overlaps(other) and org.crosses(other) and not org.crosses(gpe)
    assert not Span(0, 5, "X").overlaps(Span(5, 9, "X"))  # half-open: touching is not overlapping
    assert Span(3, 7, "X").text_in("0123456789") == "3456"


def test_outermost_keeps_same_range_labels_and_crossing_spans() -> None:
    spans = [Span(0, 10, "ORG"), Span(3, 5, "GPE"), Span(0, 10, "FAC"), Span(8, 12, "LOC"), Span(9, 11, "DATE")]
    assert outermost(spans) == [Span(0, 10, "FAC"), Span(0, 10, "ORG"), Span(8, 12, "LOC")]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 10), st.sampled_from(["A", "B"])), max_size=12))
def test_outermost_property(raw: list[tuple[int, int, str]]) -> None:
    spans = [Span(s, s + n, label) for s, n, label in raw]
    outer = outermost(spans)
    for span in spans:
        # every span is an outer span or strictly inside one
        assert span in outer or any(o.contains(span) and o.range != span.range for o in outer)
    for o in outer:
        assert not any(s.contains(o) and s.range != o.range for s in spans)


def test_document_ids_and_relation_arguments() -> None:
    a, b = Span(0, 3, "PERS"), Span(4, 9, "ORG")
    doc = Document("d", "abc defgh", {"T1": a, "T2": b}, {"R1": Relation("EMPLOYED_BY", a, b)})
    assert doc.relation_arg_ids() == {"R1": ("T1", "T2")}
    assert doc.entity_id(b) == "T2"
    broken = Document("d", "abc defgh", {"T1": a}, {"R1": Relation("EMPLOYED_BY", a, b)})
    with pytest.raises(BenchmarkError, match=r"field 'relations.R1': relation argument .* of document 'd'"):
        broken.relation_arg_ids()


# ------------------------------------------------------------------ words and sentences

KASRA, SHADDA, FATHA = "\u0650", "\u0651", "\u064e"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("وبالكويت", ["وبالكويت"]),  # proclitics stay on their word
        ("قال: «نعم».", ["قال", ":", "«", "نعم", "»", "."]),
        ("2021-2031، ثم", ["2021", "-", "2031", "،", "ثم"]),
        (f"مُحَم{SHADDA}{FATHA}د", [f"مُحَم{SHADDA}{FATHA}د"]),  # combining marks stay inside
        ("الـكويت", ["الـكويت"]),  # tatweel (Lm) stays inside
        (f"ب{KASRA}مصر 50%", [f"ب{KASRA}مصر", "50", "%"]),
        ("  ", []),
    ],
)
def test_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected
    assert [text[s:e] for s, e in word_offsets(text)] == expected


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("في بالكويت اليوم", 5, 10, (3, 10)),  # «الكويت» widens to «بالكويت»
        ("في بالكويت اليوم", 2, 10, (3, 10)),  # leading space dropped
        ("في بالكويت اليوم", 3, 12, (3, 16)),  # ends inside the next word
        ("في  بالكويت", 2, 4, None),  # only spaces
    ],
)
def test_snap(text: str, start: int, end: int, expected: tuple[int, int] | None) -> None:
    assert WordIndex.of(text).snap(start, end) == expected
    snapped = snap_span(Span(start, end, "GPE"), WordIndex.of(text))
    assert (snapped.range if snapped else None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("نعم", ["نعم"]),
        ("بلغ النمو 3.5 في المئة.", ["بلغ النمو 3.5 في المئة."]),
        ("انتهى عام 2023. وبدأ عام جديد", ["انتهى عام 2023.", "وبدأ عام جديد"]),
        ("سطر أول\nسطر ثان\n\n", ["سطر أول", "سطر ثان"]),
        ("قال: «مرحباً». «", ["قال: «مرحباً». «"]),  # a lone quote joins the sentence before it
        ("كم؟ثلاثة", ["كم؟ثلاثة"]),  # a stop must be followed by white space
        ("حقاً!!! لماذا؟ لا", ["حقاً!!!", "لماذا؟", "لا"]),
    ],
)
def test_sentence_ranges(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in sentence_ranges(text)] == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ابت ةى.؟!\n«»،0123456789" + SHADDA, max_size=60))
def test_sentences_cover_every_word_once(text: str) -> None:
    ranges = sentence_ranges(text)
    covered = [(s, e) for s, e in word_offsets(text) for a, b in ranges if a <= s and e <= b]
    assert covered == word_offsets(text)
    assert all(a < b for a, b in ranges) and all(ranges[i][1] <= ranges[i + 1][0] for i in range(len(ranges) - 1))


# ------------------------------------------------------------------ schema


def test_schema_has_wojood_types_relations_and_views() -> None:
    schema = default_schema()
    assert len(schema.entity_types) == 21 and "CURR" in schema.entity_types
    assert schema.relation_types["HEADS"].allows("GPE", "ORG")
    assert not schema.relation_types["HEADS"].allows("ORG", "GPE")
    from arabench.annotations.schema import registered_views

    assert set(registered_views(("packaged",))) == {"native", "conll4", "anercorp", "ace", "fane"}
    assert {"hrl", "hatmimoha", "marefa"} <= set(registered_views(("card",)))  # the cards' views, one registry
    assert schema.view("conll4").labels == {"PER", "LOC", "ORG", "MISC"}


def test_schema_errors_suggest_a_fix() -> None:
    schema = default_schema()
    with pytest.raises(SchemaError, match=r"field 'type': unknown entity type \(got 'PER'\); fix: did you mean 'PERS'"):
        schema.check_entity_type("PER")
    with pytest.raises(SchemaError, match=r"unknown label view \(got 'conll'\); fix: did you mean 'conll4'"):
        schema.view("conll")


def test_view_coarsening() -> None:
    views = default_schema().views
    assert views["native"].coarsening_to(views["conll4"])["GPE"] == "LOC"
    # ANERcorp leaves nationality adjectives, languages and laws untagged (conll4 scores them as MISC) and
    # tags currencies MISC (conll4 does not): anercorp predictions cannot be relabelled into conll4.
    assert views["anercorp"].coarsening_to(views["conll4"]) is None
    assert views["native"].coarsening_to(views["anercorp"])["CURR"] == "MISC"
    assert views["native"].coarsening_to(views["ace"])["NORP"] == "GPE"
    assert views["conll4"].coarsening_to(views["native"]) is None  # LOC behind GPE, LOC and FAC


def test_make_view_requires_every_type_once() -> None:
    types = list(default_schema().entity_types)
    with pytest.raises(SchemaError, match=r"must map every entity type exactly once .*'missing': \['NORP'"):
        make_view("mine", {t: t for t in types if t != "NORP"}, entity_types=types)
    view = make_view("mine", {t: ("LOC" if t in {"GPE", "LOC"} else None) for t in types}, entity_types=types)
    assert view.project([Span(0, 3, "GPE"), Span(4, 6, "PERS")]) == [Span(0, 3, "LOC")]


# ------------------------------------------------------------------ CLI dispatcher


def test_cli_help_lists_commands_without_importing_torch() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from arabench.benchmark.cli import main\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf): main([])\n"
        "assert 'validate' in buf.getvalue() and 'run' in buf.getvalue()\n"
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules, 'heavy import'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cli_bad_input_is_exit_2_with_the_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "rulez"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "arabench models: error: field 'model': unknown model (got 'rulez'); fix: did you mean 'rules'?"
    )


def test_cli_unknown_command_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_cli_closed_pipe_is_quiet() -> None:
    proc = subprocess.run(
        f"{sys.executable} -m benchmark.cli stats --json | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Traceback" not in proc.stderr
