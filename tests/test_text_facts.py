"""The Arabic text facts (annotations.tokenize) and the tag codec (annotations.tags) are written once.

Each user is imported and checked to hold the shared object, so a fix in the
one definition reaches every user; then the facts themselves are tested.
"""

from __future__ import annotations

import ast
import inspect
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import arabench.annotations.conll as conll
import arabench.annotations.tags as tags
import arabench.annotations.tokenize as text
import arabench.eval.spans as spans
import arabench.eval.tokens as tokens
import arabench.models.hf as hf
import arabench.models.hub as hub
import arabench.models.registry as registry

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("user", "name", "shared"),
    [
        (spans, "is_proclitic_prefix", text.is_proclitic_prefix),
        (spans, "snap_range", text.snap_range),
        (spans, "WordIndex", text.WordIndex),
        (tokens, "decode_bio2_arrays", tags.decode_bio2_arrays),
        (tokens, "encode", tags.encode),
        (tokens, "split_tag", tags.split_tag),
        (tokens, "WordIndex", text.WordIndex),
        (conll, "decode", tags.decode),
        (conll, "encode", tags.encode),
        (conll, "split_tag", tags.split_tag),
        (conll, "SCHEMES", tags.SCHEMES),
        (conll, "sentence_ranges", text.sentence_ranges),
        (conll, "word_offsets", text.word_offsets),
        (hf, "decode", tags.decode),
        (hf, "split_tag", tags.split_tag),
        (hf, "sentence_ranges", text.sentence_ranges),
        (hf, "CLAUSE_END_WORDS", text.CLAUSE_END_WORDS),
        (hf, "WordIndex", text.WordIndex),
        (hf, "locate_model", hub.locate_model),
        (hf, "download_hint", hub.download_hint),
        (registry, "download_hint", hub.download_hint),
    ],
)
def test_every_user_holds_the_shared_definition(user, name: str, shared) -> None:
    assert getattr(user, name) is shared


def test_the_tokenizer_splits_sentences_at_the_sentence_ends_by_default() -> None:
    default = inspect.signature(text.sentence_ranges).parameters["ends"].default
    assert default is text.SENTENCE_END_WORDS
    assert text.SENTENCE_END_WORDS < text.CLAUSE_END_WORDS
    assert text.CLAUSE_END_WORDS - text.SENTENCE_END_WORDS == {"\u061b", "\u2026"}


def _definitions(package: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                found.setdefault(node.name, []).append(str(path.relative_to(ROOT)))
    return found


def test_the_codec_and_the_hub_logic_are_defined_once() -> None:
    defined: dict[str, list[str]] = {}
    for package in ("annotations", "eval", "models"):
        for name, where in _definitions(package).items():
            defined.setdefault(name, []).extend(where)
    assert "decode_tags" not in defined and "encode_tags" not in defined
    for name in ("decode", "encode", "split_tag", "scheme_of"):
        assert "annotations/tags.py" in defined[name]
    for name in ("locate_model", "probe_hub", "download_hint", "hub_offline"):
        assert defined[name] == ["models/hub.py"]
    for name in (
        "is_proclitic_prefix",
        "is_ignorable",
        "normalize_with_map",
        "NormalizationTable",
        "snap_range",
        "sentence_ranges",
    ):
        assert "annotations/tokenize.py" in defined[name]
        assert all(where in ("annotations/tokenize.py", "models/rules.py") for where in defined[name])


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_hf_and_the_registry_do_not_import_each_other() -> None:
    assert "arabench.models.registry" not in _imports(ROOT / "models" / "hf.py")
    assert "arabench.models.hf" not in _imports(ROOT / "models" / "registry.py")
    assert not {"arabench.models.hf", "arabench.models.registry"} & _imports(ROOT / "models" / "hub.py")


# --------------------------------------------------------------------------- proclitics


def test_proclitics_are_an_optional_conjunction_then_an_optional_preposition() -> None:
    assert text.PROCLITICS == ("وب", "ول", "وك", "فب", "فل", "فك", "و", "ف", "ب", "ل", "ك")
    assert text.PROCLITIC_LETTERS == frozenset("وفبلك")
    assert [len(p) for p in text.PROCLITICS] == sorted((len(p) for p in text.PROCLITICS), reverse=True)
    assert text.PROCLITIC_PATTERN == "(?:[وف][بلك]?|[بلك])"
    assert [p for p in text.PROCLITICS if re.fullmatch(text.PROCLITIC_PATTERN, p)] == list(text.PROCLITICS)


@pytest.mark.parametrize(("offset", "word"), [(0, 0), (2, 0), (3, None), (4, 1), (8, 2), (9, None), (99, None)])
def test_word_at(offset: int, word: int | None) -> None:
    assert text.WordIndex.of("قال أحمد، ثم").word_at(offset) == word


@pytest.mark.parametrize(
    ("prefix", "sequence", "letters"),
    [
        ("و", True, True),
        ("وب", True, True),
        ("و\u064eب\u0650", True, True),  # with harakat
        ("و\u0640", True, True),  # with tatweel
        ("لل", False, True),  # للمدينة against المدينة: the article's alef is elided after ل
        ("بو", False, True),
        ("وبلك", False, False),
        ("ال", False, False),
        ("و\u200c", True, False),  # a zero-width mark: ignorable for alignment, not for scoring's diagnosis
        ("", False, False),
        ("\u064e", False, False),
    ],
)
def test_proclitic_prefix_rules(prefix: str, sequence: bool, letters: bool) -> None:
    assert text.is_proclitic_prefix(prefix) is sequence
    assert text.is_proclitic_prefix(prefix, rule="letters") is letters


def test_an_unknown_proclitic_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown proclitic rule 'words'"):
        text.is_proclitic_prefix("و", rule="words")


# --------------------------------------------------------------------------- ignorable characters and normalization


@pytest.mark.parametrize(
    ("ch", "ignorable", "without_zero_width"),
    [
        ("\u064e", True, True),  # fatha
        ("\u0651", True, True),  # shadda
        ("\u0670", True, True),  # superscript alef
        ("\u0640", True, True),  # tatweel
        ("\u200c", True, False),  # ZWNJ
        ("\ufeff", True, False),  # BOM
        ("ا", False, False),
        (" ", False, False),
    ],
)
def test_ignorable_characters(ch: str, ignorable: bool, without_zero_width: bool) -> None:
    assert text.is_ignorable(ch) is ignorable
    assert text.is_ignorable(ch, zero_width=False) is without_zero_width


@pytest.mark.parametrize(
    ("raw", "options", "normalized", "offsets"),
    [
        ("أحمد", {}, "احمد", [0, 1, 2, 3]),
        ("مُحـمّد", {}, "محمد", [0, 2, 4, 6]),
        ("إلى  \n آمن", {}, "الى امن", [0, 1, 2, 3, 7, 8, 9]),
        ("ی\u200cک", {}, "يك", [0, 2]),
        ("ی\u200cک", {"zero_width": False, "persian": False}, "ی\u200cک", [0, 1, 2]),
        ("a  b", {"spaces": False}, "a  b", [0, 1, 2, 3]),
    ],
)
def test_normalize_with_map(raw: str, options: dict, normalized: str, offsets: list[int]) -> None:
    assert text.normalize_with_map(raw, **options) == (normalized, offsets)


ARABIC = (
    "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    + "أإآٱیک"
    + "\u064b\u064e\u064f\u0650\u0651\u0652\u0670\u0640\u200c\u200f"
    + " \n\t.،"
)


@given(st.text(alphabet=ARABIC, max_size=40), st.booleans(), st.booleans(), st.booleans())
@settings(max_examples=200, deadline=None)
def test_normalization_keeps_an_exact_offset_map(raw: str, zero_width: bool, persian: bool, spaces: bool) -> None:
    normalized, offsets = text.normalize_with_map(raw, zero_width=zero_width, persian=persian, spaces=spaces)
    assert len(normalized) == len(offsets) and offsets == sorted(set(offsets))
    for ch, at in zip(normalized, offsets, strict=True):
        source = raw[at]
        assert not text.is_ignorable(source, zero_width=zero_width)
        if spaces and source.isspace():
            assert ch == " "
        else:
            expected = text.ALEF_FORMS.get(source, source)
            assert ch == (text.PERSIAN_LETTERS.get(expected, expected) if persian else expected)
    assert all(unicodedata.category(c) != "Mn" for c in normalized)


@given(st.one_of(st.text(alphabet=ARABIC, max_size=40), st.text(max_size=40)), st.booleans(), st.booleans())
@settings(max_examples=300, deadline=None)
def test_normalize_is_the_string_of_normalize_with_map(raw: str, zero_width: bool, persian: bool) -> None:
    # any character at all (the table is filled from normalize_with_map, one character at a time)
    expected = text.normalize_with_map(raw, zero_width=zero_width, persian=persian, spaces=False)[0]
    assert text.normalize(raw, zero_width=zero_width, persian=persian) == expected


def test_a_normalization_table_is_bounded_and_still_right_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text, "_TABLE_LIMIT", 3)
    table = text.NormalizationTable(then=str.maketrans("٣", "3"))
    raw = "أُمّـ\u200bة٣ی"
    assert raw.translate(table) == "امة3ي"
    assert len(table) == 3  # the first three characters kept, the others mapped at each sight
    assert raw.translate(table) == "امة3ي"


def test_clause_ends_cut_where_sentence_ends_do_not() -> None:
    raw = "قال الوزير؛ ثم غادر… وعاد. انتهى"
    assert len(text.sentence_ranges(raw)) == 2
    assert [raw[s:e] for s, e in text.sentence_ranges(raw, ends=text.CLAUSE_END_WORDS)] == [
        "قال الوزير؛",
        "ثم غادر…",
        "وعاد.",
        "انتهى",
    ]
