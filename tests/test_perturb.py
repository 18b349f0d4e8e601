"""Perturbations of Arabic spelling (annotations.perturb): exact offset maps, gold that moves with the text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arabench.annotations.errors import AnnotationError
from arabench.annotations.perturb import (
    KINDS,
    SCOPES,
    Edit,
    OffsetMap,
    Perturbation,
    keyboard_neighbours,
    perturb_document,
    perturb_text,
)
from arabench.annotations.spans import Document, Relation, Span
from arabench.annotations.tokenize import word_offsets
from arabench.eval.spans import score_spans

#: Words that give every kind something to do: proclitics and the article, hamza forms, final ى/ي/ة/ه,
#: short vowels, tatweel, digits of both kinds, both punctuations, an invisible mark, Latin.
WORDS = [
    "\u0648\u0627\u0644\u0643\u0648\u064a\u062a",  # والكويت
    "\u0628\u0627\u0644\u0643\u0648\u064a\u062a",  # بالكويت
    "\u0644\u0644\u0639\u0631\u0627\u0642",  # للعراق
    "\u0623\u062d\u0645\u062f",  # أحمد
    "\u0625\u0633\u0631\u0627\u0626\u064a\u0644",  # إسرائيل
    "\u0622\u0633\u064a\u0627",  # آسيا
    "\u0639\u0644\u0649",  # على
    "\u0641\u064a",  # في
    "\u0627\u0644\u0642\u0627\u0647\u0631\u0629",  # القاهرة
    "\u0627\u0644\u0644\u0647",  # الله
    "\u0645\u064f\u062d\u064e\u0645\u0651\u064e\u062f",  # مُحَمَّد
    "\u0643\u062a\u0640\u0627\u0628",  # كتـاب
    "2023",
    "\u0662\u0660\u0662\u0663",  # ٢٠٢٣
    "\u060c",
    ",",
    "\u061f",
    "?",
    "\u061b",
    ";",
    ".",
    "\u0648\u0632\u064a\u0631",  # وزير (a و that is no conjunction)
    "\u0645\u0635\u0631\u200c",  # مصر + ZWNJ
    "UN",
    "\u064b",  # a lone mark: a word of its own
]


@st.composite
def documents(draw: st.DrawFn) -> Document:
    """A text of words, spaces and line breaks, with gold spans over whole words or after a proclitic."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=30))
    seps = draw(st.lists(st.sampled_from([" ", " ", " ", "  ", "\n"]), min_size=len(words), max_size=len(words)))
    text = "".join(w + s for w, s in zip(words, seps, strict=True)).rstrip(" ") or words[0]
    offsets = word_offsets(text)
    entities: dict[str, Span] = {}
    for n in range(draw(st.integers(0, 6))):
        first = draw(st.integers(0, len(offsets) - 1))
        last = draw(st.integers(first, min(first + 2, len(offsets) - 1)))
        start, end = offsets[first][0], offsets[last][1]
        if draw(st.booleans()) and text[start] in "\u0648\u0628\u0644" and end - start > 2:
            start += 1  # a mention leaves its proclitic out
        entities[f"T{n + 1}"] = Span(start, end, draw(st.sampled_from(["PERS", "GPE", "ORG"])))
    spans = list(entities.values())
    relations = {"R1": Relation("PART_OF", spans[0], spans[-1])} if len(spans) > 1 else {}
    return Document("d", text, entities, relations)


perturbations = st.builds(
    Perturbation,
    kind=st.sampled_from(list(KINDS)),
    rate=st.floats(0, 1),
    seed=st.integers(0, 2**32),
    scope=st.sampled_from(SCOPES),
)


@settings(max_examples=400, deadline=None)
@given(documents(), perturbations)
def test_the_perturbed_text_maps_back_and_the_gold_covers_the_same_words(doc: Document, p: Perturbation) -> None:
    out = perturb_document(doc, p)
    om, new = out.offsets, out.document
    assert om.restore(new.text) == doc.text  # the clean text back, exactly
    assert new.metadata["perturbation"] == {"kind": p.kind, "edits": len(om)}
    for ident, span in doc.entities.items():
        moved = new.entities[ident]
        assert moved.label == span.label and 0 <= moved.start < moved.end <= len(new.text)
        assert om.span_to_old(moved) == span  # maps back to the clean span exactly
        inside = [e for e in om.edits if span.start <= e.start < span.end]
        # the covered text is the clean one with exactly the edits inside the span applied
        assert (
            OffsetMap(doc.text[span.start : span.end], [Edit(e.start - span.start, e.new) for e in inside]).new
            == (new.text[moved.start : moved.end])
        )
        words_before = word_offsets(doc.text[span.start : span.end])
        words_after = word_offsets(new.text[moved.start : moved.end])
        splits = sum(1 for e in inside if e.new == "\u0648 ")
        assert len(words_after) == len(words_before) + splits  # the same words (a split و adds one)
    for ident, relation in doc.relations.items():
        assert new.relations[ident] == Relation(
            relation.label, om.span_to_new(relation.arg1), om.span_to_new(relation.arg2)
        )
    assert new.relation_arg_ids() == doc.relation_arg_ids()
    assert new.clusters == doc.clusters


@settings(max_examples=300, deadline=None)
@given(documents(), perturbations)
def test_oracle_scores_one_and_empty_zero_on_every_perturbed_document(doc: Document, p: Perturbation) -> None:
    new = perturb_document(doc, p).document
    gold = [new.spans]
    if not doc.spans:
        return
    for boundary in ("char", "word"):
        for layer in ("flat", "nested"):
            oracle = score_spans(gold, gold, boundary=boundary, layer=layer, texts=[new.text])
            assert oracle.micro.f1 == 1.0
            empty = score_spans(gold, [[]], boundary=boundary, layer=layer, texts=[new.text])
            assert empty.micro.f1 == 0.0


@settings(max_examples=200, deadline=None)
@given(documents(), perturbations)
def test_the_same_seed_gives_the_same_text_and_the_map_is_monotone(doc: Document, p: Perturbation) -> None:
    a, b = perturb_document(doc, p), perturb_document(doc, p)
    assert a.document == b.document and a.offsets.edits == b.offsets.edits
    om = a.offsets
    old_starts = [om.start_to_new(i) for i in range(len(doc.text) + 1)]
    old_ends = [om.end_to_new(i) for i in range(len(doc.text) + 1)]
    assert old_starts == sorted(old_starts) and old_ends == sorted(old_ends)
    for q in range(len(om.new) + 1):
        assert 0 <= om.start_to_old(q) <= len(doc.text) and 0 <= om.end_to_old(q) <= len(doc.text)
    for i in range(len(doc.text) + 1):
        assert om.start_to_old(om.start_to_new(i)) == i or any(e.new == "" for e in om.edits)
        assert om.end_to_old(om.end_to_new(i)) == i or any(e.new == "" for e in om.edits)


def test_rate_zero_changes_nothing_and_rate_one_changes_every_applicable_word() -> None:
    text = (
        "\u0623\u062d\u0645\u062f \u0648\u0625\u0628\u0631\u0627\u0647\u064a\u0645 "
        "\u0641\u064a \u0622\u0633\u064a\u0627"
    )
    assert perturb_text(text, Perturbation("alef_hamza", rate=0.0)).new == text
    assert perturb_text(text, Perturbation("alef_hamza", rate=1.0)).new == (
        "\u0627\u062d\u0645\u062f \u0648\u0627\u0628\u0631\u0627\u0647\u064a\u0645 "
        "\u0641\u064a \u0627\u0633\u064a\u0627"
    )


@pytest.mark.parametrize(
    ("kind", "clean", "perturbed"),
    [
        ("alef_hamza", "\u0623\u062d\u0645\u062f", "\u0627\u062d\u0645\u062f"),  # أحمد -> احمد
        ("final_ya", "\u0639\u0644\u0649", "\u0639\u0644\u064a"),  # على -> علي
        ("final_ya", "\u0641\u064a", "\u0641\u0649"),  # في -> فى
        ("final_ta", "\u0627\u0644\u0642\u0627\u0647\u0631\u0629", "\u0627\u0644\u0642\u0627\u0647\u0631\u0647"),
        ("digits", "2023", "\u0662\u0660\u0662\u0663"),
        ("digits", "\u0662\u0660\u0662\u0663", "2023"),
        ("punctuation", "\u060c", ","),
        ("punctuation", "?", "\u061f"),
        (
            "conjunction_split",
            "\u0648\u0627\u0644\u0643\u0648\u064a\u062a",
            "\u0648 \u0627\u0644\u0643\u0648\u064a\u062a",
        ),
        ("conjunction_split", "\u0648\u0632\u064a\u0631", "\u0648\u0632\u064a\u0631"),  # وزير: no conjunction
        ("tashkeel_remove", "\u0645\u064f\u062d\u064e\u0645\u0651\u064e\u062f", "\u0645\u062d\u0645\u062f"),
    ],
)
def test_each_kind_on_one_word(kind: str, clean: str, perturbed: str) -> None:
    assert perturb_text(clean, Perturbation(kind, rate=1.0)).new == perturbed


@pytest.mark.parametrize("seed", range(20))
def test_the_additive_kinds_add_what_they_say(seed: int) -> None:
    word = "\u0627\u0644\u0645\u0634\u0639\u0627\u0646"  # المشعان
    added = perturb_text(word, Perturbation("tashkeel_add", rate=1.0, seed=seed)).new
    assert added != word and "".join(c for c in added if unicodedata.category(c) != "Mn") == word
    stretched = perturb_text(word, Perturbation("tatweel", rate=1.0, seed=seed)).new
    assert 1 <= stretched.count("\u0640") <= 3 and stretched.replace("\u0640", "") == word
    hidden = perturb_text(word, Perturbation("invisible", rate=1.0, seed=seed)).new
    assert len(hidden) == len(word) + 1 and "".join(c for c in hidden if unicodedata.category(c) != "Cf") == word
    typo = perturb_text(word, Perturbation("typo", rate=1.0, seed=seed)).new
    changed = [(a, b) for a, b in zip(word, typo, strict=True) if a != b]
    assert len(changed) == 1 and changed[0][1] in keyboard_neighbours(changed[0][0])


def test_keyboard_neighbours_are_the_keys_around() -> None:
    assert set(keyboard_neighbours("\u0633")) == {"\u0634", "\u064a", "\u0635", "\u062b", "\u0626", "\u0621"}  # س
    # ر (V): ؤ on its left, ب and ل above; on its right the لا key (two letters), never typed by a slip
    assert keyboard_neighbours("\u0631") == ("\u0624", "\u0628", "\u0644")
    assert keyboard_neighbours("a") == ()


def test_scopes_choose_entity_words_or_context_words() -> None:
    text = "\u0623\u062d\u0645\u062f \u0623\u0643\u062f"  # أحمد أكد
    doc = Document("d", text, {"T1": Span(0, 4, "PERS")})
    entities = perturb_document(doc, Perturbation("alef_hamza", rate=1.0, scope="entities")).document.text
    context = perturb_document(doc, Perturbation("alef_hamza", rate=1.0, scope="context")).document.text
    assert entities == "\u0627\u062d\u0645\u062f \u0623\u0643\u062f"
    assert context == "\u0623\u062d\u0645\u062f \u0627\u0643\u062f"


def test_different_documents_get_different_draws() -> None:
    text = " ".join(["\u0623\u062d\u0645\u062f"] * 40)
    a = perturb_text(text, Perturbation("alef_hamza", rate=0.5, seed=1), key=0).new
    b = perturb_text(text, Perturbation("alef_hamza", rate=0.5, seed=1), key=1).new
    c = perturb_text(text, Perturbation("alef_hamza", rate=0.5, seed=2), key=0).new
    assert a != b and a != c


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "tatwel"}, "unknown perturbation (got 'tatwel'); fix: did you mean 'tatweel'?"),
        ({"kind": "tatweel", "rate": 1.5}, "rate of a perturbation must be a number in [0, 1] (got 1.5)"),
        ({"kind": "tatweel", "rate": -0.1}, "must be a number in [0, 1] (got -0.1)"),
        ({"kind": "tatweel", "rate": True}, "must be a number in [0, 1] (got True)"),
        (
            {"kind": "tatweel", "scope": "entity"},
            "unknown perturbation scope (got 'entity'); fix: did you mean 'entities'?",
        ),
        ({"kind": "tatweel", "seed": "1"}, "the seed must be an integer"),
    ],
)
def test_bad_perturbations_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(AnnotationError) as info:
        Perturbation(**kwargs)
    assert message in str(info.value)


def test_offset_map_refuses_bad_edits() -> None:
    with pytest.raises(AnnotationError, match="two edits replace one character"):
        OffsetMap("abc", [Edit(1, "x"), Edit(1, "y")])
    with pytest.raises(AnnotationError, match="outside the text"):
        OffsetMap("abc", [Edit(3, "x")])
    with pytest.raises(AnnotationError, match="does not hold this edit"):
        OffsetMap("abc", [Edit(1, "xy")]).restore("abc")


def test_offset_map_by_hand() -> None:
    # "abcd": b deleted, c stretched to "c__"
    om = OffsetMap("abcd", [Edit(1, ""), Edit(2, "c__")])
    assert om.new == "ac__d"
    assert om.span_to_new(Span(0, 2, "X")) == Span(0, 1, "X")  # "ab" -> "a"
    assert om.span_to_new(Span(2, 3, "X")) == Span(1, 4, "X")  # "c" -> "c__"
    assert om.span_to_new(Span(0, 4, "X")) == Span(0, 5, "X")
    assert om.span_to_old(Span(1, 2, "X")) == Span(2, 3, "X")  # a prediction of "c" alone covers the clean "c"
    assert om.span_to_old(Span(0, 1, "X")) == Span(0, 2, "X")  # "a" ends after the deleted "b"
    assert om.span_to_old(Span(4, 5, "X")) == Span(3, 4, "X")
    assert om.restore(om.new) == "abcd"
